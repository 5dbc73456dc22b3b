"""Every key binding of the app, in one place; the footer, the help screen and the palette read them."""

from __future__ import annotations

from textual.binding import Binding

from assurance.descriptors import DESCRIPTORS

#: Anywhere in the app.
GLOBAL: list[Binding] = [
    Binding("d", "go('dashboard')", "Dashboard"),
    Binding("p", "go('parties')", "Parties"),
    Binding("a", "go('assessments')", "Assessments"),
    Binding("l", "go('letters')", "Letters", show=False),
    Binding("f", "go('findings')", "Findings"),
    Binding("m", "go('decisions')", "Decisions", show=False),
    Binding("c", "go('cpa')", "CPA", show=False),
    Binding("u", "go('audit')", "Audit log", show=False),
    # The lists made from record types' descriptors, each on the key its descriptor names.
    *(
        Binding(d.tui_key, f"go('{d.table}')", d.plural[:1].upper() + d.plural[1:], show=False)
        for d in DESCRIPTORS.values()
        if d.tui_key
    ),
    Binding("r", "reports", "Reports"),
    Binding("h", "chase", "Chase list"),
    Binding("question_mark", "help", "Help", key_display="?"),
    Binding("ctrl+t", "toggle_dark", "Dark/light theme", show=False),
    Binding("q", "quit", "Quit", show=False),
]

#: Lists made from record types' descriptors (tui.views.described_view), reached by the keys above.
DESCRIBED_VIEWS = tuple(d.table for d in DESCRIPTORS.values() if d.tui_key)

#: On a list of records (parties, assessments, letters, findings, decisions, audit log).
RECORDS: list[Binding] = [
    Binding("slash", "filter", "Filter", key_display="/"),
    Binding("n", "new", "New"),
    Binding("e", "edit", "Edit"),
    Binding("s", "set_status", "Set status"),
    Binding("x", "close_finding", "Close finding"),
    Binding("w", "withdraw", "Withdraw", show=False),
    Binding("enter", "open", "Open", show=False),
    Binding("P", "related('parties')", "Party of this record", show=False),
    Binding("A", "related('assessments')", "Its assessments", show=False),
    Binding("F", "related('findings')", "Its findings", show=False),
    Binding("L", "related('letters')", "Its letters", show=False),
    Binding("D", "related('decisions')", "Its decisions", show=False),
    Binding("o", "sort", "Sort by next column", show=False),
    Binding("O", "reverse", "Reverse the sort", show=False),
    Binding("right_square_bracket", "page(1)", "Next page", show=False, key_display="]"),
    Binding("left_square_bracket", "page(-1)", "Previous page", show=False, key_display="["),
    Binding("i", "toggle_detail", "Show/hide the detail pane", show=False),
    Binding("E", "evidence", "Its evidence files", show=False),
    Binding("v", "party_view", "Everything about the Party", show=False),
    Binding("escape", "back", "Back", show=False),
]

#: On the dashboard.
DASHBOARD: list[Binding] = [
    Binding("enter", "open_due", "Open item", show=False),
    Binding("v", "verify", "Verify audit trail"),
    Binding("g", "reload", "Refresh", show=False),
]

#: On a record's evidence (tui/screens/evidence.py).
EVIDENCE: list[Binding] = [
    Binding("a", "add", "Add files"),
    Binding("o", "open_file", "Open with the system viewer"),
    Binding("x", "export", "Export"),
    Binding("w", "withdraw", "Withdraw"),
    Binding("escape", "close", "Back"),
]

#: In the reports dialog.
REPORTS: list[Binding] = [
    Binding("ctrl+s", "submit", "Write the Panel report"),
    Binding("ctrl+r", "preview", "Preview"),
    Binding("escape", "cancel", "Close"),
]

#: On the chase list.
CHASE: list[Binding] = [
    Binding("e", "export('csv')", "Export CSV"),
    Binding("E", "export('markdown')", "Export Markdown"),
    Binding("plus", "within(7)", "A week further", key_display="+"),
    Binding("minus", "within(-7)", "A week nearer", key_display="-"),
    Binding("enter", "open_party", "The Party", show=False),
    Binding("escape", "back", "Back", show=False),
]

#: On a Party's page.
PARTY: list[Binding] = [
    Binding("escape", "back", "Back"),
]

#: In a form or dialog.
DIALOG: list[Binding] = [
    Binding("ctrl+s", "submit", "Save"),
    Binding("escape", "cancel", "Cancel"),
    Binding("ctrl+o", "pick", "Search for the record to refer to"),
]

#: On a row of a table (lists, the dashboard): the first and last row, not a sideways scroll.
TABLE: list[Binding] = [
    Binding("home", "first_row", "First row", show=False),
    Binding("end", "last_row", "Last row", show=False),
]

#: "Discard what you typed?"
CONFIRM: list[Binding] = [
    Binding("y", "discard", "Discard"),
    Binding("n", "keep", "Keep editing"),
    Binding("escape", "keep", "Keep editing", show=False),
]

#: In a picker: type to search, arrows to choose, enter to take it.
PICKER: list[Binding] = [
    Binding("escape", "cancel", "Cancel"),
    Binding("down", "to_choices", "Choices", show=False),
]

#: What each key does, for the help screen: (section, bindings).
SECTIONS: list[tuple[str, list[Binding]]] = [
    ("Anywhere", GLOBAL),
    ("Lists of records", RECORDS),
    ("Dashboard", DASHBOARD),
    ("Evidence of a record", EVIDENCE),
    ("Chase list", CHASE),
    ("Reports", REPORTS),
    ("Forms and dialogs", DIALOG),
    ("Tables", TABLE),
    ("Pickers", PICKER),
]

#: Write actions, refused in read-only mode (by ``SSCApp.run_action``, the one gate).
WRITE_ACTIONS = frozenset({"new", "edit", "set_status", "close_finding", "withdraw", "add"})
