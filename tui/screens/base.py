"""The typed base screens: the app and its register once, and dialogs that never drop input unasked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, RadioSet, Select, SelectionList, Static, TextArea

from tui import keymap
from tui.typed import OfApp
from tui.widgets.errors import ErrorLabel, show_error
from tui.widgets.inputs import TextInput


class AppScreen(OfApp, Screen[None]):
    """A full screen of the app."""


class AppModal(OfApp, ModalScreen[None]):
    """A screen over another (a record's evidence) that is not a form: nothing to discard."""


def input_state(screen: Screen) -> tuple[Any, ...]:
    """Everything the user can have typed or chosen on ``screen``, to tell whether it changed."""
    values: list[Any] = []
    for widget in screen.query("Input, TextArea, Select, SelectionList, RadioSet"):
        if isinstance(widget, Input):
            values.append(widget.value)
        elif isinstance(widget, TextArea):
            values.append(widget.text)
        elif isinstance(widget, Select):
            values.append(widget.value)
        elif isinstance(widget, SelectionList):
            values.append(tuple(widget.selected))
        elif isinstance(widget, RadioSet):
            values.append(widget.pressed_index)
    return tuple(values)


class Dialog(OfApp, ModalScreen[str | None]):
    """A form or dialog: esc (or quitting) with anything typed asks before discarding it."""

    BINDINGS = [*keymap.DIALOG]
    #: Short terminals (24 lines) get one-line inputs, so a dialog fits with its buttons.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    _initial: tuple[Any, ...] | None = None

    def on_mount(self) -> None:
        # After the subclass's own on_mount (Textual calls the most derived first) has filled it.
        self.call_after_refresh(self.mark_clean)

    def input_state(self) -> tuple[Any, ...]:
        """What the user has typed or chosen; a dialog with other choices (files) adds them."""
        return input_state(self)

    def mark_clean(self) -> None:
        """What is on the dialog now counts as "nothing typed" (after a load or a save)."""
        self._initial = self.input_state()

    @property
    def dirty(self) -> bool:
        """True if the user typed or chose anything since the dialog opened."""
        return self._initial is not None and self.input_state() != self._initial

    def _buttons(self, save: str = "Save") -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button(f"{save}  ctrl+s", variant="primary", id="save")
            yield Button("Cancel  esc", id="cancel")

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_submit(self) -> None:  # pragma: no cover - each dialog has its own
        raise NotImplementedError

    def action_pick(self) -> None:
        """Only forms with a reference field have a picker."""

    def action_cancel(self) -> None:
        """Close; if anything was typed, only after the user says to discard it."""
        self.ask_to_discard(lambda: self.dismiss(None))

    def ask_to_discard(self, then: Callable[[], object]) -> None:
        if not self.dirty:
            then()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                then()

        self.app.push_screen(ConfirmDiscard(), answered)


class ReasonDialog(Dialog):
    """A dialog whose write is audited with a reason the user must give."""

    def _error(self, field: str | None, message: str) -> None:
        show_error(self, field, message)

    def _reason(self) -> ComposeResult:
        yield Label("Reason (kept in the audit trail) *", classes="field-label")
        yield TextInput(id="f-reason", placeholder="e.g. SSC meeting 2020-01-22, item 4")
        yield ErrorLabel("err-reason")

    def _reason_value(self) -> str | None:
        reason = self.query_one("#f-reason", TextInput).value.strip()
        if not reason:
            self._error("reason", "give a reason: it is kept in the audit trail")
            return None
        return reason


class ConfirmDiscard(ModalScreen[bool]):
    """ "Discard what you typed?": y discards, n or esc goes back to the form."""

    BINDINGS = [*keymap.CONFIRM]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm"):
            yield Static("Discard what you typed?", classes="dialog-title")
            yield Static("The form has changes that are not saved.")
            with Horizontal(classes="buttons"):
                yield Button("Discard  y", variant="error", id="discard")
                yield Button("Keep editing  n", variant="primary", id="keep")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#discard")
    def action_discard(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)
