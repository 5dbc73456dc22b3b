"""Dialogs that change a status: an SSC decision, a finding's status, a withdrawal; each asks a reason.

A decision is taken in two steps: ctrl+s rehearses it (``tui.writes.rehearse``: the package's
``decide``, every rule and date check included, rolled back) and shows what would follow; a
second ctrl+s records it. Correcting a decision records a superseding one with a reason.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Label, RadioButton, RadioSet, Static

from assurance import workflow
from assurance.models import Decision, Finding
from assurance.policy import RegisterPolicy
from assurance.records import DecisionOutcome
from core.errors import InputError
from tui import present, writes
from tui.forms import choice_label
from tui.screens.base import ReasonDialog
from tui.widgets.errors import ErrorLabel, show_error
from tui.widgets.inputs import TextBox, TextInput


class _StatusDialog(ReasonDialog):
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


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError("expected a date as YYYY-MM-DD", field="date") from None


class SetStatusScreen(_StatusDialog):
    """The SSC's decision on an assessment or letter; or, given ``correcting``, a superseding one.

    Offers only the statuses the policy allows from the current one (for a correction: from
    the status before the decision being corrected).
    """

    def __init__(self, subject_id: str, correcting: Decision | None = None) -> None:
        super().__init__()
        self.subject_id = subject_id
        self.correcting = correcting
        #: The rehearsed decision awaiting confirmation: (inputs it was rehearsed with, outcome).
        self._pending: tuple[tuple, DecisionOutcome] | None = None

    def compose(self) -> ComposeResult:
        register = self.register
        policy = register.policy
        self.vocabulary, subject = workflow.subject_vocabulary(register, self.subject_id)
        excluding = self.correcting.id if self.correcting else None
        self.current = workflow.current_status(register, self.subject_id, excluding=excluding)
        self.allowed = policy.allowed_statuses(self.vocabulary, self.current)
        with VerticalScroll(id="dialog"):
            if self.correcting:
                wrong = self.correcting
                yield Static(
                    f"Correct decision {wrong.id} on {subject.type_name} {subject.id}",
                    classes="dialog-title",
                )
                yield Static(
                    f"It said {present.status_name(policy, wrong.status, self.vocabulary)}"
                    f" on {wrong.date}. The correction is recorded as a new decision;"
                    f" {wrong.id} stays in the register, withdrawn, with your reason."
                )
            else:
                yield Static(
                    f"Set the status of {subject.type_name} {subject.id}", classes="dialog-title"
                )
            yield Static(
                _decision_now(policy, self.current, self.vocabulary, subject.classification)
            )
            yield ErrorLabel("err-_record")
            if not self.allowed:
                yield Static("This status is final: the policy allows no further decision.")
                yield from self._buttons("Close")
                return
            yield Label("New status *", classes="field-label")
            with RadioSet(id="f-status"):
                for code in self.allowed:
                    status = policy.status(self.vocabulary, code)
                    extra = " — needs conditions" if status.requires_conditions else ""
                    yield RadioButton(status.name + extra, name=code, id=f"status-{code}")
            yield ErrorLabel("err-status")
            with Vertical(id="conditions-box"):
                yield Label("Conditions *", classes="field-label")
                yield TextBox(id="f-conditions", classes="long")
                yield ErrorLabel("err-conditions")
            yield Label("Meeting date *", classes="field-label")
            date = self.correcting.date if self.correcting else self.app.session.today
            yield TextInput(value=date.isoformat(), id="f-date")
            yield ErrorLabel("err-date")
            yield from self._reason()
            yield Static("", id="consequences")
            yield from self._buttons("Check")

    def on_mount(self) -> None:
        if self.allowed:
            self.query_one("#conditions-box").display = False
            self.query_one("#consequences").display = False
            self.query_one("#f-status", RadioSet).focus()

    @on(RadioSet.Changed, "#f-status")
    def _status_changed(self) -> None:
        code = self._chosen()
        needs = bool(
            code and self.register.policy.status(self.vocabulary, code).requires_conditions
        )
        self.query_one("#conditions-box").display = needs
        self._unconfirm()

    @on(TextInput.Changed)
    @on(TextBox.Changed)
    def _unconfirm(self) -> None:
        """Any change after the check asks for a new check before saving."""
        if self._pending is None or not self.allowed:
            return
        self._pending = None
        self.query_one("#consequences").display = False
        self.query_one("#save", Button).label = "Check  ctrl+s"

    def _inputs(self) -> tuple | None:
        chosen = self._status_and_reason()
        if chosen is None:
            return None
        code, reason = chosen
        needs = self.register.policy.status(self.vocabulary, code).requires_conditions
        conditions = self.query_one("#f-conditions", TextBox).text.strip() if needs else ""
        try:
            date = _date(self.query_one("#f-date", TextInput).value)
        except InputError as exc:
            self._error(exc.field, exc.message)
            return None
        return code, date, conditions, reason

    def _write(self, inputs: tuple) -> DecisionOutcome:
        code, date, conditions, reason = inputs
        if self.correcting is not None:
            return writes.supersede(
                self.register,
                self.correcting,
                status=code,
                date=date,
                conditions=conditions,
                reason=reason,
            )
        return writes.decide(
            self.register,
            self.subject_id,
            status=code,
            date=date,
            conditions=conditions,
            reason=reason,
        )

    def action_submit(self) -> None:
        if not self.allowed:
            self.dismiss(None)
            return
        inputs = self._inputs()
        if inputs is None:
            return
        try:
            if self._pending is not None and self._pending[0] == inputs:
                outcome = self._write(inputs)  # confirmed: the real write
            else:
                outcome = writes.rehearse(self.register, lambda: self._write(inputs))
                self._confirm(inputs, outcome)
                return
        except sqlite3.Error as exc:
            show_error(self, None, f"the register could not be written ({exc}); nothing was saved")
            return
        except InputError as exc:
            self._pending = None
            self._error(exc.field, exc.message)
            return
        self.app.notify("\n".join(outcome.consequences), title="Decision recorded", timeout=8)
        self.mark_clean()
        self.dismiss(outcome.decision.id)

    def _confirm(self, inputs: tuple, outcome: DecisionOutcome) -> None:
        for label in self.query(ErrorLabel):
            label.clear()
        self._pending = (inputs, outcome)
        said = Text(
            "What this records — ctrl+s again to save it (a change asks for a new check):\n",
            style="bold",
        )
        lines = list(outcome.consequences)
        date = inputs[1]
        lines.append(f"it is reported in the Panel paper for {date:%B %Y}")
        wrong = self.correcting
        if wrong is not None and (wrong.date.year, wrong.date.month) != (date.year, date.month):
            lines.append(f"which moves it out of the paper for {wrong.date:%B %Y}")
        said.append("\n".join(f"• {line}" for line in lines))
        box = self.query_one("#consequences", Static)
        box.update(said)
        box.display = True
        box.scroll_visible()
        self.query_one("#save", Button).label = "Confirm  ctrl+s"


def _decision_now(
    policy: RegisterPolicy, current: str | None, vocabulary: str, classification: str | None
) -> Text:
    """The 'now' line of the status dialog."""
    return Text.assemble(
        present.badge(classification),
        " now: ",
        (
            present.status_name(policy, current, vocabulary) if current else "no decision yet",
            "bold",
        ),
    )


class FindingStatusScreen(_StatusDialog):
    """Move a finding on (in remediation, remediated, closed) with its closing date."""

    def __init__(self, finding: Finding, close: bool = True) -> None:
        super().__init__()
        self.finding = finding
        self.close = close

    def compose(self) -> ComposeResult:
        rules = self.register.policy.findings
        self.allowed = rules.transitions.get(self.finding.status, [])
        with Vertical(id="dialog"):
            yield Static(f"Finding {self.finding.id}: {self.finding.title}", classes="dialog-title")
            yield Static(_finding_now(self.finding))
            yield ErrorLabel("err-_record")
            yield Label("New status *", classes="field-label")
            with RadioSet(id="f-status"):
                for code in self.allowed:
                    preferred = self.close and code in rules.closed_statuses
                    yield RadioButton(
                        choice_label(code), name=code, value=preferred, id=f"status-{code}"
                    )
            yield ErrorLabel("err-status")
            with Vertical(id="closed-box"):
                yield Label("Closed on *", classes="field-label")
                yield TextInput(value=self.app.session.today.isoformat(), id="f-closed")
                yield ErrorLabel("err-closed")
            yield from self._reason()
            yield from self._buttons("Save")

    def on_mount(self) -> None:
        self._status_changed()
        if self.close and self._chosen():
            self.query_one("#f-reason").focus()
        else:
            self.query_one("#f-status", RadioSet).focus()

    @on(RadioSet.Changed, "#f-status")
    def _status_changed(self) -> None:
        closing = self._chosen() in self.register.policy.findings.closed_statuses
        self.query_one("#closed-box").display = closing

    def action_submit(self) -> None:
        chosen = self._status_and_reason()
        if chosen is None:
            return
        code, reason = chosen
        changes: dict = {"status": code}
        if code in self.register.policy.findings.closed_statuses:
            changes["closed"] = self.query_one("#f-closed", TextInput).value.strip() or None
        elif self.finding.closed is not None:
            changes["closed"] = None
        try:
            writes.edit(self.register, self.finding, changes, reason=reason)
        except sqlite3.Error as exc:
            show_error(self, None, f"the register could not be written ({exc}); nothing was saved")
            return
        except InputError as exc:
            self._error(exc.field, exc.message)
            return
        self.app.notify(f"finding {self.finding.id}: {choice_label(code)}")
        self.mark_clean()
        self.dismiss(self.finding.id)


def _finding_now(finding: Finding) -> Text:
    return Text.assemble(
        present.badge(finding.classification),
        f" {finding.sec_ref} · now: ",
        (choice_label(finding.status), "bold"),
    )


class WithdrawScreen(ReasonDialog):
    """Withdraw a record, or a piece of evidence (never deleted): the reason is kept on it and in
    the trail. ``withdraw`` is the package function that does it (as the CLI's command does)."""

    def __init__(
        self,
        what: str,
        record_id: str,
        *,
        withdraw: Callable[[str], object] | None = None,
        kept: str = "Records are never deleted: it stays in the register, marked withdrawn.",
    ) -> None:
        super().__init__()
        self.what = what
        self.record_id = record_id
        self.kept = kept
        self._withdraw = withdraw or (
            lambda reason: self.register.withdraw(what, record_id, reason=reason)
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Withdraw {self.what} {self.record_id}", classes="dialog-title")
            yield Static(self.kept)
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
            self._withdraw(reason)
        except sqlite3.Error as exc:
            show_error(self, None, f"the register could not be written ({exc}); nothing was saved")
            return
        except InputError as exc:
            self._error(exc.field, exc.message)
            return
        self.app.notify(f"{self.what} {self.record_id} withdrawn")
        self.mark_clean()
        self.dismiss(self.record_id)
