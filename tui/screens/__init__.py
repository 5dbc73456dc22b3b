"""The app's screens: the dashboard, the record lists, forms and dialogs, help."""
