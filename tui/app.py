"""The ``ssc tui`` application: one register, its screens as modes, the keymap and the palette."""

from __future__ import annotations

from textual.app import App

from assurance.store import Register
from core.env import Policies, shipped
from tui import keymap
from tui.commands import ActionsProvider
from tui.state import Session

#: The screens the global keys switch between (the lists made from descriptors last).
MODE_NAMES = (
    "dashboard",
    "parties",
    "assessments",
    "letters",
    "findings",
    "decisions",
    "cpa",
    "audit",
    *keymap.DESCRIBED_VIEWS,
)


def _mode(name: str):
    def make():
        if name == "dashboard":
            from tui.screens.dashboard import DashboardScreen

            return DashboardScreen()
        if name == "cpa":
            from tui.screens.cpa import CpaScreen

            return CpaScreen()
        from tui.screens.records import RecordsScreen
        from tui.views import VIEWS

        return RecordsScreen(VIEWS[name])

    return make


class SSCApp(App[None]):
    """The secretariat's workbench over one register file."""

    CSS_PATH = "app.tcss"
    TITLE = "ssc"
    BINDINGS = [*keymap.GLOBAL]
    COMMANDS = App.COMMANDS | {ActionsProvider}
    MODES = {name: _mode(name) for name in MODE_NAMES}

    def __init__(
        self, session: Session, register: Register | None = None, policies: Policies = shipped
    ) -> None:
        super().__init__()
        self.session = session
        #: The policies of the Environment the app was started with (screens read theirs here).
        self.policies = policies
        self.register = register or open_register(session, policies)
        self.cursor_blink = session.cursor_blink

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.switch_mode("dashboard")

    def on_unmount(self) -> None:
        self.register.close()

    # -- actions -------------------------------------------------------------------------
    def action_go(self, mode: str) -> None:
        if self.current_mode == mode:
            # Back to the top of this mode (out of any jump).
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        self.switch_mode(mode)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_reports(self) -> None:
        from tui.screens.reports import ReportsScreen

        if not isinstance(self.screen, ReportsScreen):
            self.push_screen(ReportsScreen())

    def action_chase(self) -> None:
        from tui.screens.chase import ChaseScreen

        if not isinstance(self.screen, ChaseScreen):
            self.push_screen(ChaseScreen())

    async def action_quit(self) -> None:
        """Quit (q, ctrl+q) — but not over a form with unsaved input without asking."""
        from tui.screens.base import Dialog

        dirty = next(
            (s for s in reversed(self.screen_stack) if isinstance(s, Dialog) and s.dirty), None
        )
        if dirty is None:
            self.exit()
            return
        if self.screen is not dirty:
            return  # a question (discard?) is already open over it
        dirty.ask_to_discard(self.exit)

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        """Every key, button-free action and palette command comes through here: the read-only gate.

        A write action (``keymap.WRITE_ACTIONS``) is refused once, with one message, before any
        screen sees it; the register is also opened read-only, so nothing that slipped past
        could write.
        """
        _target, name, _params = self._parse_action(
            action, self if default_namespace is None else default_namespace, namespaces
        )
        if name in keymap.WRITE_ACTIONS and not self.check_writable():
            return True
        return await super().run_action(action, default_namespace, namespaces)

    def check_writable(self) -> bool:
        """False, with a message, in read-only mode: every write action asks this first."""
        if self.session.read_only:
            self.notify(
                "Read-only mode: nothing can be changed (start without --read-only to edit).",
                severity="warning",
            )
            return False
        return True


def open_register(session: Session, policies: Policies = shipped) -> Register:
    """The session's register: read-only (never created, migrated or changed) if it says so."""
    return Register.open(
        session.db_path, actor=session.actor, write=not session.read_only, policies=policies
    )


def run(session: Session, *, demo: bool = False, policies: Policies = shipped) -> int:
    """Open the register (filling it with the demo data first if asked) and run the app."""
    if demo:
        # The demo data is written first (a read-only demo then browses it, opened read-only).
        from tui.sources import populate_demo

        with Register.open(session.db_path, actor=session.actor, policies=policies) as writable:
            if writable.count("party") == 0:
                populate_demo(writable, session.today)
    register = open_register(session, policies)
    SSCApp(session, register, policies).run()
    return 0
