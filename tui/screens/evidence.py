"""A record's evidence in the TUI: the list, adding files (a file picker), opening one, exporting it, withdrawing it.

The work is assurance.evidence's (add_files, write_to, withdraw), as ``ssc evidence`` does it;
these screens only ask and show. Adding and withdrawing are write actions (``keymap.WRITE_ACTIONS``):
a read-only session lists, opens and exports, and is refused the rest by the app's one gate.
Opening hands a private copy (0600, in a 0700 folder) to the system viewer: ``SSC_VIEWER`` if
set, else ``xdg-open`` (or ``open`` on macOS).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, DirectoryTree, Label, Select, Static

from assurance.evidence import (
    Evidence,
    add_files,
    list_evidence,
    load_evidence_policy,
    withdraw,
    write_to,
)
from assurance.models import Record
from core.errors import SSCError
from tui import keymap
from tui.screens.base import AppModal, Dialog, ReasonDialog
from tui.screens.status import WithdrawScreen
from tui.widgets.errors import ErrorLabel, show_error
from tui.widgets.inputs import TextInput

#: The package's error fields (the CLI's options) -> this dialog's fields.
_FIELDS = {"--kind": "kind", "--effective": "effective", "--reason": "reason", "FILE": "FILE"}


def _show(dialog: Dialog, exc: SSCError) -> None:
    """The package's error beside the field it names, else at the top with where it arose."""
    field = _FIELDS.get(getattr(exc, "field", None) or "")
    show_error(dialog, field, getattr(exc, "message", str(exc)) if field else str(exc))


def viewer_command() -> list[str] | None:
    """The system viewer: ``SSC_VIEWER`` (a command), else xdg-open or open, else None."""
    configured = os.environ.get("SSC_VIEWER")
    if configured:
        return configured.split()
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    found = shutil.which(opener)
    return [found] if found else None


class EvidenceScreen(AppModal):
    """The evidence of one record, withdrawn items marked."""

    BINDINGS = [*keymap.EVIDENCE]

    def __init__(self, record: Record) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                f"Evidence of {self.record.type_name} {self.record.id}", classes="dialog-title"
            )
            yield DataTable(id="evidence", cursor_type="row", zebra_stripes=True)
            yield Static(
                "a add files · o open · x export · w withdraw · esc back", id="evidence-keys"
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "kind", "name", "size", "dated", "class", "sha256", "")
        self.reload()
        table.focus()

    def items(self) -> list[Evidence]:
        return list_evidence(self.register.conn, self.record.id, record_type=self.record.type_name)

    def reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for item in self.items():
            table.add_row(
                item.id,
                item.kind,
                item.name,
                f"{item.size:,}",
                item.effective,
                item.classification,
                item.sha256[:12],
                "withdrawn" if item.withdrawn else "",
                key=item.id,
            )
        if not table.row_count:
            self.notify("no evidence yet: a adds files", timeout=2)

    def current(self) -> Evidence | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            self.notify("no evidence here", severity="warning")
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((item for item in self.items() if item.id == key), None)

    def _after(self, done: str | None) -> None:
        if done is not None:
            self.reload()

    def action_close(self) -> None:
        self.dismiss(None)

    # add and withdraw are write actions: the app refuses them in a read-only session.
    def action_add(self) -> None:
        self.app.push_screen(AddEvidenceScreen(self.record), self._after)

    def action_withdraw(self) -> None:
        item = self.current()
        if item is not None:
            self.app.push_screen(
                WithdrawScreen(
                    "evidence",
                    item.id,
                    withdraw=lambda reason: withdraw(self.register, item.id, reason=reason),
                    kept="Evidence is never deleted: its bytes stay, marked withdrawn.",
                ),
                self._after,
            )

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
            write_to(self.register.conn, item.id, target)
        except SSCError as exc:
            self.notify(str(exc), severity="error")
            return
        if command is None:
            self.notify(
                f"no system viewer found (set SSC_VIEWER); a copy is at {target}",
                severity="warning",
            )
            return
        try:
            subprocess.Popen(
                [*command, str(target)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            self.notify(
                f"the viewer did not start ({exc.strerror}); a copy is at {target}",
                severity="error",
            )
            return
        self.notify(f"opened {item.name}")


class AddEvidenceScreen(ReasonDialog):
    """Pick files to store with the record, with their kind, date and the reason."""

    def __init__(self, record: Record, start: Path | None = None) -> None:
        super().__init__()
        self.record = record
        self.start = start
        self.chosen: list[Path] = []

    def compose(self) -> ComposeResult:
        policy = self.app.register.policies(load_evidence_policy)
        session = self.app.session
        start = self.start or session.out_dir
        with Vertical(id="dialog"):
            yield Static(
                f"Add evidence to {self.record.type_name} {self.record.id}", classes="dialog-title"
            )
            yield ErrorLabel("err-_record")
            yield Label("Files (enter picks a file; pick again to drop it)", classes="field-label")
            yield DirectoryTree(str(start), id="f-files")
            yield Static("none picked", id="picked")
            yield ErrorLabel("err-FILE")
            yield Label("Kind *", classes="field-label")
            yield Select(
                [(name, code) for code, name in policy.kinds.items()],
                id="f-kind",
                value="other",
                allow_blank=False,
            )
            yield ErrorLabel("err-kind")
            yield Label("Effective date", classes="field-label")
            yield TextInput(value=session.today.isoformat(), id="f-effective")
            yield ErrorLabel("err-effective")
            yield from self._reason()
            yield from self._buttons("Add")

    def on_mount(self) -> None:
        self.query_one(DirectoryTree).focus()

    def input_state(self) -> tuple[Any, ...]:
        # Files picked count as input: esc asks before dropping them.
        return (*super().input_state(), tuple(self.chosen))

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        path = Path(event.path)
        if path in self.chosen:
            self.chosen.remove(path)
        else:
            self.chosen.append(path)
        self.query_one("#picked", Static).update(
            ", ".join(p.name for p in self.chosen) or "none picked"
        )

    def action_submit(self) -> None:
        if not self.chosen:
            self._error("FILE", "pick at least one file")
            return
        try:
            effective = dt.date.fromisoformat(
                self.query_one("#f-effective", TextInput).value.strip()
            )
        except ValueError:
            self._error("effective", "a date as YYYY-MM-DD")
            return
        reason = self._reason_value()
        if reason is None:
            return
        kind = self.query_one("#f-kind", Select).value
        try:
            added = add_files(
                self.register,
                f"{self.record.type_name}:{self.record.id}",
                self.chosen,
                kind=str(kind),
                effective=effective,
                reason=reason,
                today=self.app.session.today,
            )
        except sqlite3.Error as exc:
            show_error(self, None, f"the register could not be written ({exc}); nothing was saved")
            return
        except SSCError as exc:
            _show(self, exc)
            return
        self.notify(f"added {', '.join(entry.evidence.id for entry in added)}")
        self.mark_clean()
        self.dismiss(self.record.id)


class ExportEvidenceScreen(Dialog):
    """Write a file's stored bytes to a path (0600, whole or not at all)."""

    def __init__(self, item: Evidence) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        default = self.app.session.out_dir / self.item.name
        with Vertical(id="dialog"):
            yield Static(
                f"Export evidence {self.item.id} ({self.item.name})", classes="dialog-title"
            )
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
            show_error(self, "path", "say where to write it")
            return
        target = Path(text).expanduser()
        if target.is_dir():
            target = target / self.item.name
        try:
            write_to(self.register.conn, self.item.id, target)
        except SSCError as exc:
            show_error(self, "path", str(exc))
            return
        self.notify(f"exported {self.item.id} to {target}")
        self.mark_clean()
        self.dismiss(None)
