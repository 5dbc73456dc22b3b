"""Every key binding of the app, in one place; the footer, the help screen and the palette read them."""

from __future__ import annotations

from textual.binding import Binding

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
    Binding("r", "reports", "Reports"),
    Binding("question_mark", "help", "Help", key_display="?"),
    Binding("ctrl+t", "toggle_dark", "Dark/light theme", show=False),
    Binding("q", "quit", "Quit", show=False),
]

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

#: In a form or dialog.
DIALOG: list[Binding] = [
    Binding("ctrl+s", "submit", "Save"),
    Binding("escape", "cancel", "Cancel"),
]

#: What each key does, for the help screen: (section, bindings).
SECTIONS: list[tuple[str, list[Binding]]] = [
    ("Anywhere", GLOBAL),
    ("Lists of records", RECORDS),
    ("Dashboard", DASHBOARD),
    ("Evidence of a record", EVIDENCE),
    ("Forms and dialogs", DIALOG),
]

#: Write actions, refused in read-only mode.
WRITE_ACTIONS = frozenset({"new", "edit", "set_status", "close_finding", "withdraw"})
