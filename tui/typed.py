"""Typed access to the running app for the TUI's screens and widgets: ``self.app`` is an ``SSCApp``.

Textual types ``self.app`` as a bare ``App``, so the app's session and register would be
untyped everywhere. Textual's own answer is ``textual.getters.app`` (the descriptor its
``MessagePump`` declares ``app`` with, for the type checker only); the mixin below declares it
the same way with our app's class. At run time nothing changes: ``app`` is Textual's property,
and the app module is not imported (it imports the screens, so the screens cannot import it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from textual import getters

    from assurance.store import Register
    from tui.app import SSCApp


class OfApp(MessagePump):
    """A screen or widget of the ``ssc tui`` app: ``self.app`` and ``self.register`` typed.

    Put it first among the bases (``class X(OfApp, Screen)``): it derives from ``MessagePump``
    so that its ``app`` overrides Textual's in the type checker's eyes.
    """

    if TYPE_CHECKING:
        app = getters.app(SSCApp)

    @property
    def register(self) -> Register:
        return self.app.register
