"""The keymap's write actions are live: each is a key of the keymap, refused in read-only mode.

``keymap.WRITE_ACTIONS`` is the one list the read-only gate (``SSCApp.run_action``) reads; an
entry no key binds would be dead, and a write key left out of it would slip past the gate
(tests/test_tui_workflows.py presses each one in read-only mode).
"""

from __future__ import annotations

from tui import keymap


def _bound_actions() -> set[str]:
    return {
        binding.action.partition("(")[0]
        for _section, bindings in keymap.SECTIONS
        for binding in bindings
    }


def test_every_write_action_is_bound_to_a_key():
    assert keymap.WRITE_ACTIONS
    unbound = keymap.WRITE_ACTIONS - _bound_actions()
    assert not unbound, f"write actions no key binds: {sorted(unbound)}"
