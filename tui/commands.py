"""The command palette's provider: every action of the keymap, by name, where it applies."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui import keymap


class ActionsProvider(Provider):
    """Offers the app's actions and the current screen's, as the keymap names them."""

    def _actions(self):
        screen = self.screen
        seen = set()
        for binding in keymap.GLOBAL:
            seen.add(binding.description)
            yield binding.description, binding.key_display or binding.key, binding.action, self.app
        screen_bindings = getattr(screen, "BINDINGS", [])
        for binding in screen_bindings:
            if isinstance(binding, tuple) or binding.description in seen:
                continue
            yield binding.description, binding.key_display or binding.key, binding.action, screen

    async def _run(self, action: str, target) -> None:
        await self.app.run_action(action, target)

    async def discover(self) -> Hits:
        for name, key, action, target in self._actions():
            yield DiscoveryHit(name, partial(self._run, action, target), help=f"key: {key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, key, action, target in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self._run, action, target),
                    text=name,
                    help=f"key: {key}",
                )
