"""Dialogs that change a status: an SSC decision, a finding's status, a withdrawal; each asks a reason."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, RadioButton, RadioSet, Static

from assurance import workflow
from assurance.models import Finding
from assurance.store import validate
from ssc.errors import InputError
from tui import keymap, present
from tui.forms import ID_PREFIXES, suggest_id
from tui.widgets.errors import ErrorLabel, show_error
from tui.widgets.inputs import TextBox, TextInput


class _Dialog(ModalScreen[str | None]):
    BINDINGS = keymap.DIALOG

    def _error(self, field: str | None, message: str) -> None:
        show_error(self, field, message)

    def _buttons(self, save: str = "Save") -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button(f"{save}  ctrl+s", variant="primary", id="save")
            yield Button("Cancel  esc", id="cancel")

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

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:  # pragma: no cover - each dialog has its own
        raise NotImplementedError

    def _chosen(self) -> str | None:
        """The status picked in the dialog's ``#f-status`` radio set, if any."""
        pressed = self.query_one("#f-status", RadioSet).pressed_button
        return pressed.name if pressed is not None else None

    def _status_and_reason(self) -> tuple[str, str] | None:
        """The chosen status and the audit reason, or None with the missing one marked."""
        code = self._chosen()
        if code is None:
            self._error("status", "choose a status")
            return None
        reason = self._reason_value()
        return None if reason is None else (code, reason)


class SetStatusScreen(_Dialog):
    """The SSC's decision on an assessment or letter: only the statuses the policy allows from here."""

    def __init__(self, subject_id: str) -> None:
        super().__init__()
        self.subject_id = subject_id

    def compose(self) -> ComposeResult:
        register = self.app.register
        policy = register.policy
        self.vocabulary, subject = workflow.subject_vocabulary(register, self.subject_id)
        self.current = workflow.current_status(register, self.subject_id)
        self.allowed = policy.allowed_statuses(self.vocabulary, self.current)
        with Vertical(id="dialog"):
            yield Static(f"Set the status of {subject.type_name} {subject.id}", classes="dialog-title")
            yield Static(_decision_now(policy, self.current, self.vocabulary, subject.classification))
            yield ErrorLabel("err-_record")
            if not self.allowed:
                yield Static("This status is final: the policy allows no further decision.")
                with Horizontal(classes="buttons"):
                    yield Button("Close  esc", id="cancel")
                return
            yield Label("New status *", classes="field-label")
            with RadioSet(id="f-status"):
                for code in self.allowed:
                    status = policy.status(self.vocabulary, code)
                    extra = " (needs conditions)" if status.requires_conditions else ""
                    yield RadioButton(status.name + extra, name=code, id=f"status-{code}")
            yield ErrorLabel("err-status")
            with Vertical(id="conditions-box"):
                yield Label("Conditions *", classes="field-label")
                yield TextBox(id="f-conditions", classes="long")
                yield ErrorLabel("err-conditions")
            yield Label("Meeting date *", classes="field-label")
            yield TextInput(value=self.app.session.today.isoformat(), id="f-date")
            yield ErrorLabel("err-date")
            yield from self._reason()
            yield from self._buttons("Set status")

    def on_mount(self) -> None:
        if self.allowed:
            self.query_one("#conditions-box").display = False
            self.query_one("#f-status", RadioSet).focus()

    @on(RadioSet.Changed, "#f-status")
    def _status_changed(self) -> None:
        code = self._chosen()
        needs = bool(code) and self.app.register.policy.status(self.vocabulary, code).requires_conditions
        self.query_one("#conditions-box").display = needs

    def action_submit(self) -> None:
        if not self.allowed:
            self.dismiss(None)
            return
        register = self.app.register
        chosen = self._status_and_reason()
        if chosen is None:
            return
        code, reason = chosen
        needs = register.policy.status(self.vocabulary, code).requires_conditions
        conditions = self.query_one("#f-conditions", TextBox).text.strip() if needs else ""
        data = {
            "id": suggest_id(register.conn, "decision", ID_PREFIXES["decision"]),
            "subject": self.subject_id,
            "date": self.query_one("#f-date", TextInput).value.strip(),
            "status": code,
        }
        if conditions:
            data["conditions"] = conditions
        from assurance.evidence import decision_basis  # what it rests on, as `ssc decide` records

        data.update(decision_basis(register, self.subject_id))
        try:
            decision = validate("decision", data, register.policy)
            register.add(decision, reason=reason)
        except InputError as exc:
            self._error(exc.field, exc.message)
            return
        self.app.notify(f"{self.subject_id}: {present.status_name(register.policy, code, self.vocabulary)}")
        self.dismiss(decision.id)


def _decision_now(policy, current: str | None, vocabulary: str, classification: str | None):
    """The 'now' line of the status dialog."""
    from rich.text import Text

    return Text.assemble(present.badge(classification), " now: ",
                         (present.status_name(policy, current, vocabulary)
                          if current else "no decision yet", "bold"))


class FindingStatusScreen(_Dialog):
    """Move a finding on (in remediation, remediated, closed) with its closing date."""

    def __init__(self, finding: Finding, close: bool = True) -> None:
        super().__init__()
        self.finding = finding
        self.close = close

    def compose(self) -> ComposeResult:
        rules = self.app.register.policy.findings
        self.allowed = rules.transitions.get(self.finding.status, [])
        with Vertical(id="dialog"):
            yield Static(f"Finding {self.finding.id}: {self.finding.title}", classes="dialog-title")
            yield Static(_finding_now(self.finding))
            yield ErrorLabel("err-_record")
            yield Label("New status *", classes="field-label")
            with RadioSet(id="f-status"):
                for code in self.allowed:
                    preferred = self.close and code in rules.closed_statuses
                    yield RadioButton(code.replace("_", " "), name=code, value=preferred,
                                      id=f"status-{code}")
            yield ErrorLabel("err-status")
            with Vertical(id="closed-box"):
                yield Label("Closed on *", classes="field-label")
                yield TextInput(value=self.app.session.today.isoformat(), id="f-closed")
                yield ErrorLabel("err-closed")
            yield from self._reason()
            yield from self._buttons("Save")

    def on_mount(self) -> None:
        self._status_changed()
        self.query_one("#f-status", RadioSet).focus()

    @on(RadioSet.Changed, "#f-status")
    def _status_changed(self) -> None:
        closing = self._chosen() in self.app.register.policy.findings.closed_statuses
        self.query_one("#closed-box").display = closing

    def action_submit(self) -> None:
        register = self.app.register
        chosen = self._status_and_reason()
        if chosen is None:
            return
        code, reason = chosen
        changes: dict = {"status": code}
        if code in register.policy.findings.closed_statuses:
            changes["closed"] = self.query_one("#f-closed", TextInput).value.strip() or None
        else:
            changes["closed"] = None
        try:
            register.edit("finding", self.finding.id, changes, reason=reason)
        except InputError as exc:
            self._error(exc.field, exc.message)
            return
        self.app.notify(f"finding {self.finding.id}: {code.replace('_', ' ')}")
        self.dismiss(self.finding.id)


def _finding_now(finding: Finding):
    from rich.text import Text

    return Text.assemble(present.badge(finding.classification), f" {finding.sec_ref} · now: ",
                         (finding.status.replace("_", " "), "bold"))


class WithdrawScreen(_Dialog):
    """Withdraw a record (never deleted): the reason is kept on it and in the trail."""

    def __init__(self, type_name: str, record_id: str) -> None:
        super().__init__()
        self.type_name = type_name
        self.record_id = record_id

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Withdraw {self.type_name} {self.record_id}", classes="dialog-title")
            yield Static("Records are never deleted: it stays in the register, marked withdrawn.")
            yield ErrorLabel("err-_record")
            yield from self._reason()
            yield from self._buttons("Withdraw")

    def on_mount(self) -> None:
        self.query_one("#f-reason").focus()

    def action_submit(self) -> None:
        reason = self._reason_value()
        if reason is None:
            return
        try:
            self.app.register.withdraw(self.type_name, self.record_id, reason=reason)
        except InputError as exc:
            self._error(exc.field, exc.message)
            return
        self.app.notify(f"{self.type_name} {self.record_id} withdrawn")
        self.dismiss(self.record_id)
