"""Add or edit one record: a field per model field, the register's validation shown beside the field."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, SelectionList, Static

from assurance.models import Record
from assurance.store import validate
from ssc.errors import InputError
from tui import keymap, present
from tui.forms import ID_PREFIXES, FormField, form_fields, suggest_id
from tui.widgets.errors import ErrorLabel, show_error
from tui.widgets.inputs import TextBox, TextInput


class FormScreen(ModalScreen[str | None]):
    """Dismisses with the saved record's id, or None when cancelled."""

    BINDINGS = keymap.DIALOG

    def __init__(self, type_name: str, record: Record | None = None,
                 defaults: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.type_name = type_name
        self.record = record
        self.defaults = defaults or {}

    @property
    def register(self):
        return self.app.register

    def compose(self) -> ComposeResult:
        policy = self.register.policy
        self.fields = form_fields(self.type_name, policy, self.record)
        verb = "Edit" if self.record else "New"
        values = self._initial()
        with Vertical(id="dialog"):
            title = f"{verb} {self.type_name}" + (f" {self.record.id}" if self.record else "")
            yield Static(title, classes="dialog-title")
            yield ErrorLabel("err-_record")
            with VerticalScroll(id="fields"):
                for field in self.fields:
                    mark = " *" if field.required else ""
                    yield Label(f"{field.label}{mark}", classes="field-label")
                    yield self._widget(field, values.get(field.name))
                    yield ErrorLabel(f"err-{field.name}")
                yield Label("Reason (kept in the audit trail)", classes="field-label")
                yield TextInput(id="f-_reason", placeholder="why (optional for adds)")
                yield ErrorLabel("err-reason")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save")
                yield Button("Cancel  esc", id="cancel")

    def _initial(self) -> dict[str, Any]:
        if self.record is not None:
            return self.record.model_dump(mode="json", exclude_none=True)
        prefix = ID_PREFIXES.get(self.type_name, "R")
        values = {"id": suggest_id(self.register.conn, self.type_name, prefix),
                  "classification": self.register.policy.classification.default[self.type_name]}
        return {**values, **self.defaults}

    def _widget(self, field: FormField, value: Any):
        wid = f"f-{field.name}"
        if field.kind == "multi":
            chosen = set(value or [])
            return SelectionList(*[(label, code, code in chosen) for label, code in field.choices], id=wid)
        if field.kind == "choice":
            known = {code for _label, code in field.choices}
            return Select(list(field.choices), id=wid, allow_blank=not field.required or value is None,
                          value=value if value in known else Select.NULL)
        if field.kind == "long":
            return TextBox(str(value or ""), id=wid, classes="long")
        disabled = field.name == "id" and self.record is not None
        return TextInput(value=present.cell(value) if value is not None else "", id=wid,
                         disabled=disabled, placeholder="YYYY-MM-DD" if field.kind == "date" else "")

    def on_mount(self) -> None:
        first = next((f for f in self.fields if not (f.name == "id" and self.record)), None)
        if first is not None:
            self.query_one(f"#f-{first.name}").focus()

    def _value(self, field: FormField) -> Any:
        widget = self.query_one(f"#f-{field.name}")
        if isinstance(widget, SelectionList):
            return list(widget.selected) or None
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        if isinstance(widget, TextBox):
            return widget.text.strip() or None
        return widget.value.strip() or None

    def _show_error(self, field: str | None, message: str) -> None:
        show_error(self, field, message)

    @on(Button.Pressed, "#save")
    def action_submit(self) -> None:
        values = {f.name: self._value(f) for f in self.fields}
        reason = self.query_one("#f-_reason", TextInput).value.strip() or None
        try:
            if self.record is None:
                data = {k: v for k, v in values.items() if v is not None}
                record = validate(self.type_name, data, self.register.policy)
                self.register.add(record, reason=reason)
                saved = record.id
            else:
                changes = {k: v for k, v in values.items() if k != "id"}
                self.register.edit(self.type_name, self.record.id, changes, reason=reason)
                saved = self.record.id
        except InputError as exc:
            self._show_error(exc.field, exc.message)
            return
        self.app.notify(f"{self.type_name} {saved} saved")
        self.dismiss(saved)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
