"""Numbers in words, plural forms, articles and lists, the way Panel papers write them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

_ONES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
#: The months' names as the paper writes them (never the locale's).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def in_words(number: int, *, zero: str = "no", up_to: int = 999) -> str:
    """``6`` -> ``"six"``, ``0`` -> ``"no"``, ``121`` -> ``"one hundred and twenty-one"``.

    Numbers above ``up_to`` are written in figures with thousands separators.
    """
    if number < 0:
        raise ValueError(f"cannot count {number} things")
    if number == 0:
        return zero
    if number > min(up_to, 999):
        return f"{number:,}"
    hundreds, rest = divmod(number, 100)
    parts = []
    if hundreds:
        parts.append(f"{_ONES[hundreds]} hundred")
    if rest:
        if rest < 20:
            below = _ONES[rest]
        else:
            tens, ones = divmod(rest, 10)
            below = _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
        parts.append(below)
    return " and ".join(parts)


def plural(count: int, singular: str, plural_form: str) -> str:
    """The form of a noun for ``count`` things (zero takes the plural: "no letters")."""
    return singular if count == 1 else plural_form


def counted(
    count: int, singular: str, plural_form: str, *, zero: str = "no", up_to: int = 999
) -> str:
    """``counted(6, "VUSA", "VUSAs")`` -> ``"six VUSAs"``; zero -> ``"no VUSAs"``."""
    return f"{in_words(count, zero=zero, up_to=up_to)} {plural(count, singular, plural_form)}"


def with_article(noun: str) -> str:
    """``"Large Supplier"`` -> ``"a Large Supplier"``; ``"Other User"`` -> ``"an Other User"``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def join(items: Sequence[str], conjunction: str = "and") -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"`` (no serial comma, as the seeds write)."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def month_label(month: dt.date) -> str:
    """The month as the papers write it: ``"December 2019"``."""
    return f"{MONTHS[month.month - 1]} {month.year}"


def day_label(day: dt.date) -> str:
    """A date as the papers write it: ``"8 March 2019"``."""
    return f"{day.day} {month_label(day)}"
