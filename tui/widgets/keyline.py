"""The line of keys at the foot of a screen: what works here, from the keymap, as one line of text.

Textual's ``Footer`` mounts a widget per key and rebuilds them all whenever focus moves (three
times while a list opens, a third of its opening time); one line of text says the same for
the cost of a label. ``?`` (help) comes first, so it shows even in 80 columns.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class KeyLine(Static):
    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._show()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen) -> None:
        self._show()

    def _show(self) -> None:
        screen, app = self.screen, self.app
        shown = [
            (node, binding, enabled)
            for node, binding, enabled, _tip in screen.active_bindings.values()
            if binding.show
        ]
        shown.sort(key=lambda entry: entry[1].action != "help")
        parts: list[Content] = []
        actions: set[str] = set()
        for node, binding, enabled in shown:
            if binding.action in actions:
                continue
            actions.add(binding.action)
            namespace = "app" if node is app else "screen" if node is screen else "focused"
            key = Content.styled(f" {app.get_key_display(binding)} ", "bold $footer-key-foreground")
            description = Content(f"{binding.description} ")
            if not enabled:
                description = description.stylize("dim")
            part = Content.assemble(key, description)
            parts.append(part.stylize(f"@click={namespace}.{binding.action}"))
        self.update(Content("").join(parts), layout=False)
