"""A record's evidence in the TUI: the list, adding files (a file picker), opening one, exporting it, withdrawing it.

The work is assurance.evidence's (add_files, write_to, withdraw); these screens only ask and show.
Opening hands a private copy (0600, in a 0700 folder) to the system viewer: ``SSC_VIEWER`` if
set, else ``xdg-open`` (or ``open`` on macOS).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, DirectoryTree, Label, Select, Static

from assurance.evidence import add_files, evidence_policy, list_evidence, withdraw, write_to
from assurance.models import Record
from ssc.errors import SSCError
from tui import keymap
from tui.screens.status import _Dialog
from tui.widgets.errors import ErrorLabel
from tui.widgets.inputs import TextInput


def viewer_command() -> list[str] | None:
    """The system viewer: ``SSC_VIEWER`` (a command), else xdg-open or open, else None."""
    configured = os.environ.get("SSC_VIEWER")
    if configured:
        return configured.split()
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    found = shutil.which(opener)
    return [found] if found else None


class EvidenceScreen(ModalScreen[None]):
    """The evidence of one record, withdrawn items marked."""

    BINDINGS = keymap.EVIDENCE

    def __init__(self, record: Record) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Evidence of {self.record.type_name} {self.record.id}", classes="dialog-title")
            yield DataTable(id="evidence", cursor_type="row", zebra_stripes=True)
            yield Static("a add files · o open · x export · w withdraw · esc back", id="evidence-keys")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "kind", "name", "size", "dated", "class", "sha256", "")
        self.reload()
        table.focus()

    def items(self):
        return list_evidence(self.app.register.conn, self.record.id, record_type=self.record.type_name)

    def reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for item in self.items():
            table.add_row(item.id, item.kind, item.name, f"{item.size:,}", item.effective,
                          item.classification, item.sha256[:12],
                          "withdrawn" if item.withdrawn else "", key=item.id)
        if not table.row_count:
            self.notify("no evidence yet: a adds files", timeout=2)

    def current(self):
        table = self.query_one(DataTable)
        if not table.row_count:
            self.app.notify("no evidence here", severity="warning")
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((item for item in self.items() if item.id == key), None)

    def _after(self, done: str | None) -> None:
        if done is not None:
            self.reload()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_add(self) -> None:
        if self.app.check_writable():
            self.app.push_screen(AddEvidenceScreen(self.record), self._after)

    def action_withdraw(self) -> None:
        item = self.current()
        if item is not None and self.app.check_writable():
            self.app.push_screen(WithdrawEvidenceScreen(item.id), self._after)

    def action_export(self) -> None:
        item = self.current()
        if item is not None:
            self.app.push_screen(ExportEvidenceScreen(item), self._after)

    def action_open_file(self) -> None:
        item = self.current()
        if item is None:
            return
        command = viewer_command()
        folder = Path(tempfile.mkdtemp(prefix="ssc-evidence-"))  # 0700
        target = folder / item.name
        try:
            write_to(self.app.register.conn, item.id, target)
        except SSCError as exc:
            self.app.notify(str(exc), severity="error")
            return
        if command is None:
            self.app.notify(f"no system viewer found (set SSC_VIEWER); a copy is at {target}",
                            severity="warning")
            return
        try:
            subprocess.Popen([*command, str(target)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        except OSError as exc:
            self.app.notify(f"the viewer did not start ({exc.strerror}); a copy is at {target}",
                            severity="error")
            return
        self.app.notify(f"opened {item.name}")


class AddEvidenceScreen(_Dialog):
    """Pick files to store with the record, with their kind, date and the reason."""

    def __init__(self, record: Record, start: Path | None = None) -> None:
        super().__init__()
        self.record = record
        self.start = start
        self.chosen: list[Path] = []

    def compose(self) -> ComposeResult:
        policy = evidence_policy()
        start = self.start or self.app.session.out_dir
        with Vertical(id="dialog"):
            yield Static(f"Add evidence to {self.record.type_name} {self.record.id}", classes="dialog-title")
            yield ErrorLabel("err-_record")
            yield Label("Files (enter picks a file; pick again to drop it)", classes="field-label")
            yield DirectoryTree(str(start), id="f-files")
            yield Static("none picked", id="picked")
            yield ErrorLabel("err-FILE")
            yield Label("Kind *", classes="field-label")
            yield Select([(name, code) for code, name in policy.kinds.items()], id="f-kind",
                         value="other", allow_blank=False)
            yield ErrorLabel("err-kind")
            yield Label("Effective date", classes="field-label")
            yield TextInput(value=self.app.session.today.isoformat(), id="f-effective")
            yield ErrorLabel("err-effective")
            yield from self._reason()
            yield from self._buttons("Add")

    def on_mount(self) -> None:
        self.query_one(DirectoryTree).focus()

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        path = Path(event.path)
        if path in self.chosen:
            self.chosen.remove(path)
        else:
            self.chosen.append(path)
        self.query_one("#picked", Static).update(", ".join(p.name for p in self.chosen) or "none picked")

    def action_submit(self) -> None:
        if not self.chosen:
            self._error("FILE", "pick at least one file")
            return
        try:
            effective = dt.date.fromisoformat(self.query_one("#f-effective", TextInput).value.strip())
        except ValueError:
            self._error("effective", "a date as YYYY-MM-DD")
            return
        reason = self._reason_value()
        if reason is None:
            return
        kind = self.query_one("#f-kind", Select).value
        try:
            added = add_files(self.app.register, f"{self.record.type_name}:{self.record.id}",
                              self.chosen, kind=str(kind), effective=effective, reason=reason,
                              today=self.app.session.today)
        except SSCError as exc:
            field = {"--kind": "kind", "--effective": "effective", "--reason": "reason"}.get(
                getattr(exc, "field", None) or "", getattr(exc, "field", None))
            self._error(field, str(exc) if field is None or field == "FILE" else exc.message)  # type: ignore[attr-defined]
            return
        self.app.notify(f"added {', '.join(entry.evidence.id for entry in added)}")
        self.dismiss(self.record.id)


class ExportEvidenceScreen(_Dialog):
    """Write a file's stored bytes to a path (0600, whole or not at all)."""

    def __init__(self, item) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        default = self.app.session.out_dir / self.item.name
        with Vertical(id="dialog"):
            yield Static(f"Export evidence {self.item.id} ({self.item.name})", classes="dialog-title")
            yield ErrorLabel("err-_record")
            yield Label("Write to *", classes="field-label")
            yield TextInput(value=str(default), id="f-path")
            yield ErrorLabel("err-path")
            yield from self._buttons("Export")

    def on_mount(self) -> None:
        self.query_one("#f-path").focus()

    def action_submit(self) -> None:
        text = self.query_one("#f-path", TextInput).value.strip()
        if not text:
            self._error("path", "say where to write it")
            return
        target = Path(text).expanduser()
        if target.is_dir():
            target = target / self.item.name
        try:
            write_to(self.app.register.conn, self.item.id, target)
        except SSCError as exc:
            self._error("path", str(exc))
            return
        self.app.notify(f"exported {self.item.id} to {target}")
        self.dismiss(None)


class WithdrawEvidenceScreen(_Dialog):
    """Withdraw evidence: never deleted, the reason kept and audited."""

    def __init__(self, evidence_id: str) -> None:
        super().__init__()
        self.evidence_id = evidence_id

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Withdraw evidence {self.evidence_id}", classes="dialog-title")
            yield Static("Evidence is never deleted: its bytes stay, marked withdrawn.")
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
            withdraw(self.app.register, self.evidence_id, reason=reason)
        except SSCError as exc:
            self._error(None, str(exc))
            return
        self.app.notify(f"evidence {self.evidence_id} withdrawn")
        self.dismiss(self.evidence_id)
