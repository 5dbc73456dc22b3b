"""Choose the record a field refers to by typing part of its Party's name (or its id)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from assurance.descriptors import DESCRIPTORS
from tui import keymap, pickers
from tui.typed import OfApp
from tui.widgets.inputs import TextInput


class PickerScreen(OfApp, ModalScreen[str | None]):
    """Dismisses with the chosen id, or None."""

    BINDINGS = [*keymap.PICKER]

    def __init__(self, kind: str, text: str = "", *, party: str | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.text = text
        self.party = party

    def compose(self) -> ComposeResult:
        scope = f" of Party {self.party}" if self.party else ""
        with Vertical(id="dialog", classes="picker"):
            yield Static(
                f"Choose the {DESCRIPTORS[self.kind].label}{scope}", classes="dialog-title"
            )
            yield TextInput(
                value=self.text, id="search", placeholder="type part of a Party's name or an id"
            )
            yield OptionList(id="choices")
            yield Label("", id="picker-summary")

    def on_mount(self) -> None:
        self._search(self.text)
        self.query_one("#search", TextInput).focus()

    def _search(self, text: str) -> None:
        app = self.app
        found = pickers.search(
            app.register.conn, self.kind, text, app.register.policy, party=self.party
        )
        options = self.query_one("#choices", OptionList)
        options.clear_options()
        # Text, not str: a name is never read as markup ("[b]" stays as typed).
        options.add_options([Option(Text(choice.label), id=choice.id) for choice in found])
        if found:
            options.highlighted = 0
        more = " (the first shown: type more to narrow)" if len(found) == pickers.LIMIT else ""
        self.query_one("#picker-summary", Label).update(
            f"{len(found)} found{more} · ↓ choose · enter take · esc cancel"
            if found
            else "none found"
        )

    @on(TextInput.Changed, "#search")
    def _typed(self, event: TextInput.Changed) -> None:
        self._search(event.value)

    @on(TextInput.Submitted, "#search")
    def _take_highlighted(self) -> None:
        options = self.query_one("#choices", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_to_choices(self) -> None:
        self.query_one("#choices", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
