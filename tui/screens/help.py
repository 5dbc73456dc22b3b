"""The help screen: every key, from the keymap, and a month's work in a few lines."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui import keymap

#: One line per step, left to wrap at the terminal's width (80 columns over SSH or wider).
MONTH = """\
A month's work:
1) d — read what is due and overdue; Enter opens it.
2) p — find the Party (type to filter); Enter shows its assessments; n records a new one \
(FUSA, VUSA, SSA, follow-up).
3) After the SSC meeting, s on an assessment or letter sets the status the policy allows, \
with conditions where needed and a reason for the audit trail.
4) f — x closes a finding.
5) r — write the month's Panel report, Appendix A (RED) and the CPA report to files.
ctrl+p finds any action by name. Classification: RED, AMBER, GREEN, WHITE on every record.
"""


def _keys_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for section, bindings in keymap.SECTIONS:
        table.add_row(Text(section, style="bold underline"), "")
        for binding in bindings:
            table.add_row(binding.key_display or binding.key, binding.description)
    table.add_row("ctrl+p", "Command palette: every action by name")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("Help — esc closes", classes="dialog-title")
            yield Static(MONTH, id="help-month")
            yield Static(_keys_table(), id="help-keys")
