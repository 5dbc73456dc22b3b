"""WCAG AA (4.5:1) contrast in both themes, computed from the theme and stylesheet as Textual resolves them."""

from __future__ import annotations

import asyncio

import pytest
from rich.style import Style
from textual.color import Color

from tests.test_tui_support import demo_register, make_app, settle
from tui import present

AA = 4.5


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: Color, background: Color) -> float:
    """The WCAG contrast ratio of text drawn in ``foreground`` (alpha blended) on ``background``."""
    background = Color(*background.rgb)
    foreground = background + foreground
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_matches_known_ratios():
    assert contrast(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21)
    assert contrast(Color(255, 255, 255), Color(255, 255, 255)) == pytest.approx(1)
    assert contrast(Color(0x76, 0x76, 0x76), Color(255, 255, 255)) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("level", ["RED", "AMBER", "GREEN"])
def test_classification_badges(level):
    style = Style.parse(present.CLASSIFICATION_STYLES[level])
    fg = Color(*style.color.get_truecolor())
    bg = Color(*style.bgcolor.get_truecolor())
    assert style.color.is_system_defined is False and style.bgcolor.is_system_defined is False, (
        "a badge in a theme's ANSI colours would change with the terminal's palette"
    )
    assert contrast(fg, bg) >= AA, (level, contrast(fg, bg))


#: Text the user reads on each screen: (key pressed to get there, selectors).
_PLACES = [
    ("", (".panel-title", "#counts", ".title-bar", "KeyLine", "#alerts-box Static")),
    ("a", ("#summary", "#detail-body", ".title-bar")),
    ("n", (".dialog-title", ".field-label", "Label", ".error")),
]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_titles_labels_and_body_text(tmp_path, theme):
    db = demo_register(tmp_path / "register.db")

    async def scenario():
        app = make_app(db)
        failures = []
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            app.theme = theme
            await settle(pilot)
            for key, selectors in _PLACES:
                if key:
                    await pilot.press(key)
                    await settle(pilot)
                for selector in selectors:
                    widgets = list(app.screen.query(selector))
                    assert widgets, (theme, selector)
                    for widget in widgets:
                        _pb, _pc, background, color = widget.colors
                        ratio = contrast(color, background)
                        if ratio < AA:
                            failures.append(f"{theme} {selector} {widget}: {ratio:.2f}")
        return failures

    failures = asyncio.run(scenario())
    assert not failures, "\n".join(failures)
