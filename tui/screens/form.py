"""Add or edit one record: a field per model field, the register's validation shown beside the field.

Saving goes through ``tui.writes`` (``add_record``/``edit_record``, as the CLI): a new record's
id is left to the register; an edit sends only the fields changed here, with the record as it
was loaded, so a change made meanwhile elsewhere is refused, not overwritten.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Select, SelectionList, Static

from assurance.models import Record
from core.errors import InputError
from tui import pickers, writes
from tui.forms import FormField, form_fields
from tui.screens.base import Dialog
from tui.widgets.errors import ErrorLabel, show_error
from tui.widgets.inputs import TextBox, TextInput


class FormScreen(Dialog):
    """Dismisses with the saved record's id, or None when cancelled."""

    def __init__(
        self, type_name: str, record: Record | None = None, defaults: dict[str, Any] | None = None
    ) -> None:
        super().__init__()
        self.type_name = type_name
        self.record = record
        self.defaults = defaults or {}

    def compose(self) -> ComposeResult:
        policy = self.register.policy
        self.fields = form_fields(self.type_name, policy, self.record)
        verb = "Edit" if self.record else "New"
        values = self._initial_values()
        with Vertical(id="dialog"):
            title = f"{verb} {self.type_name}" + (f" {self.record.id}" if self.record else "")
            yield Static(title, classes="dialog-title")
            yield ErrorLabel("err-_record")
            with VerticalScroll(id="fields"):
                for field in self.fields:
                    mark = " *" if field.required else ""
                    hint = "  (enter or ctrl+o: search by name)" if field.reference else ""
                    yield Label(f"{field.label}{mark}{hint}", classes="field-label")
                    yield self._widget(field, values.get(field.name))
                    if field.reference:
                        yield Static("", id=f"about-{field.name}", classes="reference-about")
                    yield ErrorLabel(f"err-{field.name}")
                yield Label("Reason (kept in the audit trail)", classes="field-label")
                yield TextInput(id="f-_reason", placeholder="why (optional for adds)")
                yield ErrorLabel("err-reason")
            yield from self._buttons()

    def _initial_values(self) -> dict[str, Any]:
        if self.record is not None:
            return self.record.model_dump(mode="json", exclude_none=True)
        default = self.register.policy.classification.default[self.type_name]
        return {"classification": default, **self.defaults}

    def _widget(self, field: FormField, value: Any):
        wid = f"f-{field.name}"
        if field.kind == "multi":
            chosen = set(value or [])
            return SelectionList(
                *[(label, code, code in chosen) for label, code in field.choices], id=wid
            )
        if field.kind == "choice":
            known = {code for _label, code in field.choices}
            return Select(
                list(field.choices),
                id=wid,
                allow_blank=not field.required or value is None,
                value=value if value in known else Select.NULL,
            )
        if field.kind == "long":
            return TextBox(str(value or ""), id=wid, classes="long")
        disabled = field.name == "id" and self.record is not None
        placeholder = {"date": "YYYY-MM-DD", "reference": "type a name, press enter"}.get(
            field.kind, ""
        )
        if field.name == "id" and self.record is None:
            placeholder = "left empty: the next free id"
        # Plain digits (no thousands separators), so an unchanged number reads back the same.
        return TextInput(
            value="" if value is None else str(value),
            id=wid,
            disabled=disabled,
            placeholder=placeholder,
        )

    def on_mount(self) -> None:
        # The id is the register's to give (or was given): start at the first real field.
        first = next((f for f in self.fields if f.name != "id"), None)
        if first is not None:
            self.query_one(f"#f-{first.name}").focus()
        for field in self.fields:
            if field.reference:
                self._describe_reference(field)
        # The form as filled: an edit sends what differs from this, nothing else.
        self._loaded = self._values()

    # -- reading the form ----------------------------------------------------------------
    def _value(self, field: FormField) -> Any:
        widget = self.query_one(f"#f-{field.name}")
        if isinstance(widget, SelectionList):
            return list(widget.selected) or None
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        if isinstance(widget, TextBox):
            return widget.text.strip() or None
        if isinstance(widget, TextInput):
            return widget.value.strip() or None
        raise TypeError(f"#{widget.id}: a {type(widget).__name__} is no field of a form")

    def _values(self) -> dict[str, Any]:
        return {f.name: self._value(f) for f in self.fields}

    # -- references: a picker instead of a typed id --------------------------------------
    def _reference_field(self) -> FormField | None:
        focused = self.focused
        wid = focused.id if focused is not None else None
        return next((f for f in self.fields if f.reference and f"f-{f.name}" == wid), None)

    def action_pick(self) -> None:
        field = self._reference_field() or next((f for f in self.fields if f.reference), None)
        if field is None or field.reference is None:
            return
        widget = self.query_one(f"#f-{field.name}", TextInput)
        typed = widget.value.strip()
        known = pickers.describe(self.register.conn, field.reference, typed, self.register.policy)
        party = None
        if field.reference == "assessment" and "party" in {f.name for f in self.fields}:
            party = self.query_one("#f-party", TextInput).value.strip() or None

        def chosen(record_id: str | None) -> None:
            if record_id:
                widget.value = record_id
                self._describe_reference(field)
            widget.focus()

        from tui.screens.picker import PickerScreen

        self.app.push_screen(
            PickerScreen(field.reference, "" if known else typed, party=party), chosen
        )

    @on(TextInput.Submitted)
    def _submitted(self, event: TextInput.Submitted) -> None:
        if self._reference_field() is not None:
            event.stop()
            self.action_pick()

    @on(TextInput.Changed)
    def _changed(self, event: TextInput.Changed) -> None:
        field = self._reference_field()
        if field is not None:
            self._describe_reference(field)

    def _describe_reference(self, field: FormField) -> None:
        typed = self.query_one(f"#f-{field.name}", TextInput).value.strip()
        about = (
            pickers.describe(self.register.conn, field.reference, typed, self.register.policy)
            if typed and field.reference
            else None
        )
        text = about or ("no such record: press enter to search" if typed else "")
        self.query_one(f"#about-{field.name}", Static).update(text)

    # -- saving --------------------------------------------------------------------------
    def action_submit(self) -> None:
        values = self._values()
        reason = self.query_one("#f-_reason", TextInput).value.strip() or None
        try:
            if self.record is None:
                saved = writes.add(self.register, self.type_name, values, reason=reason)
            else:
                changes = writes.changed_fields(self._loaded, values)
                changes.pop("id", None)
                if not changes:
                    show_error(self, None, "nothing changed: edit a field, or esc to close")
                    return
                saved = writes.edit(self.register, self.record, changes, reason=reason)
        except sqlite3.Error as exc:
            show_error(self, None, f"the register could not be written ({exc}); nothing was saved")
            return
        except InputError as exc:
            show_error(self, exc.field, exc.message)
            return
        self.app.notify(f"{self.type_name} {saved.id} saved")
        self.dismiss(saved.id)
