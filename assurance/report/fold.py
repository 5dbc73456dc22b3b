"""Text folded for the classification tripwire: what a reader would read, whatever the bytes say.

Two strings that look alike to a reader fold to the same tokens: markup is unescaped and
stripped (HTML entities, tags, ``<!-- -->`` comments, Markdown emphasis and backslash escapes),
then NFKC (fullwidth and mathematical letters become ASCII), Unicode format characters (Cf:
zero-width space, soft hyphen, word joiner, bidi controls…) and other default-ignorable code
points are removed, accents and combining marks dropped, every kind of space folded, and each
character replaced by its Unicode TS #39 confusables prototype (Cyrillic ``а`` and Latin ``a``
alike), the data coming from the maintained ``confusable-homoglyphs`` package.

:func:`fold_many` gives space-separated tokens for text; :func:`fold_code_many` is the lighter fold for
ids, numbers and dates, where ASCII stays as it is (a full skeleton would make ``F001`` read
``fool``) and only non-ASCII look-alikes are mapped. Both fold many strings in one pass over a
joined buffer: the tripwire folds every distinctive value of a large register.
"""

from __future__ import annotations

import functools
import html
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

#: Separates values folded together in one buffer; removed from the values first.
_SEP = "\x00"

#: A right-to-left override or embedding and what it turns round (to its pop or the line's end).
_RIGHT_TO_LEFT = re.compile("[\u202e\u202b\u2067\u2068]([^\u202c\u2069\n]*)")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MARKDOWN = re.compile(r"[*_~`\\]")
_NOT_WORD = re.compile(r"(?:[^\w\x00]|_)+")  # the separator of batched folds survives

_ASCII_NOT_WORD = {code: " " for code in range(1, 0x80) if not chr(code).isalnum()}
#: Default-ignorable code points that are not Cf (Unicode DerivedCoreProperties).
_IGNORABLE_NOT_CF = (0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0)


def unescape(text: str) -> str:
    """HTML entities decoded until none is left (``&amp;#99;`` is ``c`` to a browser's reader)."""
    for _ in range(4):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def reader_views(text: str) -> list[str]:
    """The text as a reader of its source and of its rendering might see it: entities decoded;
    then with markup (comments, tags, Markdown emphasis and escapes) removed as a renderer
    removes it, the same after Markdown's backslash escapes are undone (an escaped comment
    inside a word still reads as the word around it), and with the markup kept
    (``<Secret Energy>`` is shown literally when escaped)."""
    text = unescape(text)
    views = [text]
    if _RIGHT_TO_LEFT.search(text):  # shown reversed: read as the reader reads it
        views.append(_RIGHT_TO_LEFT.sub(lambda m: m.group(1)[::-1], text))
    for source in list(views) + [text.replace("\\", "")]:
        rendered = _MARKDOWN.sub("", _TAG.sub("", _COMMENT.sub("", source)))
        if rendered not in views:
            views.append(rendered)
    return views


#: The TS #39 prototypes as a compact table (``source prototype`` as hex code points, one per
#: line), derived from confusable-homoglyphs' data by :func:`derive_skeletons`; a test checks it
#: still equals the derivation from the installed package. Loading it costs a few milliseconds,
#: the package's 900 kB JSON a tenth of a second.
SKELETONS = "skeletons.txt"


@functools.cache
def _tables() -> tuple[dict[int, str], dict[int, str], dict[str, str], dict[int, str]]:
    """(single: TS #39 prototypes of one character; multi: those of several characters;
    multi_ascii: the same for ASCII sources, by character; latin: non-ASCII characters whose
    prototype is one ASCII character)."""
    mapping = load_skeletons()
    single = {code: proto for code, proto in mapping.items() if len(proto) == 1}
    multi = {code: proto for code, proto in mapping.items() if len(proto) != 1}
    multi_ascii = {chr(code): proto for code, proto in multi.items() if code < 0x80}
    latin = {code: proto for code, proto in single.items() if code > 0x7F and proto.isascii()}
    return single, multi, multi_ascii, latin


#: Code point -> None for characters a reader does not see (filled as characters are met).
_STRIP: dict[int, None] = dict.fromkeys(_IGNORABLE_NOT_CF)
_SEEN: set[int] = set()


def _strip_table(blob: str) -> dict[int, None]:
    """Format characters (Cf), combining marks (Mn, Me) and ignorables among ``blob``'s."""
    for char in set(blob):
        code = ord(char)
        if code > 0x7F and code not in _SEEN:
            _SEEN.add(code)
            if unicodedata.category(char) in ("Cf", "Mn", "Me"):
                _STRIP[code] = None
    return _STRIP


def load_skeletons() -> dict[int, str]:
    text = resources.files("assurance.report").joinpath(SKELETONS).read_text("utf-8")
    mapping = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            source, _, proto = line.partition(" ")
            mapping[int(source, 16)] = "".join(chr(int(code, 16)) for code in proto.split())
    return mapping


def derive_skeletons() -> dict[int, str]:
    """Each confusable character -> its prototype, from confusable-homoglyphs' data.

    That package stores confusables.txt's ``source → prototype`` lines in both directions. A
    source has exactly one entry (its prototype) and a prototype is never a source, so the
    prototype of a pair is the side with several entries, or a multi-character string; a pair
    whose sides have one entry each is one class of two, folded to its lower code point.
    """
    data = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )

    def clean(text: str) -> str:
        return text.replace("\u200e", "").replace("\u200f", "")

    entries = {clean(key): [clean(item["c"]) for item in items] for key, items in data.items()}
    mapping: dict[int, str] = {}
    for key, items in entries.items():
        if len(key) != 1 or len(items) != 1:
            continue  # a prototype (several sources) or a multi-character prototype
        other = items[0]
        proto = other if len(other) != 1 or len(entries.get(other, ())) > 1 else min(key, other)
        if proto != key:
            mapping[ord(key)] = unicodedata.normalize("NFD", proto)
    return mapping


def write_skeletons(path: Path) -> None:
    """Regenerate the vendored table (run ``python -m assurance.report.fold`` after upgrading
    confusable-homoglyphs)."""
    from importlib.metadata import version

    lines = [
        f"# TS #39 confusables prototypes, derived from confusable-homoglyphs {version('confusable-homoglyphs')}",
        "# (data: Unicode confusables.txt, (c) Unicode, Inc., https://www.unicode.org/terms_of_use.html)",
        "# source prototype..., hex code points; regenerate with: python -m assurance.report.fold",
    ]
    for code, proto in sorted(derive_skeletons().items()):
        lines.append(f"{code:04X} " + " ".join(f"{ord(c):04X}" for c in proto))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _skeleton(
    blob: str, single: dict[int, str], multi: dict[int, str], multi_ascii: dict[str, str]
) -> str:
    # translate() is fast on ASCII only while every mapping is one ASCII character: the few
    # ASCII sources with longer prototypes (m -> rn) are replaced afterwards. Prototypes are
    # never sources, so the order does not matter.
    blob = blob.translate(single)
    if blob.isascii():
        for source, proto in multi_ascii.items():
            if source in blob:
                blob = blob.replace(source, proto)
        return blob
    return blob.translate(multi)


def _fold_blob(blob: str, full: bool) -> str:
    single, multi, multi_ascii, latin = _tables()
    ascii_only = blob.isascii()
    if not ascii_only:
        blob = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", blob))
        blob = blob.translate(_strip_table(blob))
    if full:
        blob = _skeleton(
            _skeleton(blob, single, multi, multi_ascii).casefold(), single, multi, multi_ascii
        )
    elif ascii_only:
        blob = blob.casefold()
    else:
        blob = blob.translate(latin).casefold().translate(latin)
    if not blob.isascii():
        blob = unicodedata.normalize("NFD", blob)
        blob = blob.translate(_strip_table(blob))
        return _NOT_WORD.sub(" ", blob)
    # ASCII: the same as the regex, in C (every non-alphanumeric but the separator is a space).
    return " ".join(blob.translate(_ASCII_NOT_WORD).split())


def _fold_many(values: Sequence[str], full: bool) -> list[str]:
    if not values:
        return []
    blob = _SEP.join(values)
    if blob.count(_SEP) != len(values) - 1:
        blob = _SEP.join(value.replace(_SEP, " ") for value in values)
    if not full and blob.isascii() and blob.replace(_SEP, "").isalnum():
        return blob.lower().split(_SEP)  # plain ids and numbers: nothing to fold but case
    folded = _fold_blob(blob, full)
    folded = folded.replace(" " + _SEP, _SEP).replace(_SEP + " ", _SEP).strip(" ")
    parts = folded.split(_SEP)
    if len(parts) != len(values):  # cannot happen: a separator is never folded away
        raise AssertionError("batched fold lost a separator")
    return parts


def fold_many(values: Sequence[str]) -> list[str]:
    """Each value as the tokens a reader reads (full TS #39 skeleton), space-separated."""
    return _fold_many(values, True)


def fold_code_many(values: Sequence[str]) -> list[str]:
    """Each id, number or date as tokens; ASCII kept, non-ASCII look-alikes mapped to ASCII."""
    return _fold_many(values, False)


def fold(text: str) -> str:
    return fold_many([text])[0]


def squeeze(folded: str) -> str:
    """Tokens run together: ``S e c r e t`` and ``Sec-ret`` read ``secret`` too."""
    return folded.replace(" ", "")


class Haystack:
    """One document's text folded once, to search for many folded needles at once.

    A needle is found when its tokens are a run of whole tokens of the text (``aligned``), or,
    long enough to be no accident, when it occurs anywhere in the text squeezed of spaces and
    punctuation (``S e c r e t``, ``Sec-ret`` and ``Sec<b></b>ret`` all read ``secret``).
    """

    #: Runs of up to this many tokens are kept; longer needles are found by the squeezed search.
    MAX_RUN = 12

    def __init__(self, texts: Iterable[str]) -> None:
        views = [view for text in texts for view in reader_views(text)]
        folded = {"text": fold_many(views), "code": fold_code_many(views)}
        self.aligned = {kind: self._token_runs(texts) for kind, texts in folded.items()}
        self.squeezed = {
            kind: "\x00".join(squeeze(text) for text in texts) for kind, texts in folded.items()
        }

    def _token_runs(self, folded: list[str]) -> set[str]:
        runs: set[str] = set()
        for text in folded:
            tokens = text.split()
            for i in range(len(tokens)):
                run = tokens[i]
                runs.add(run)
                for token in tokens[i + 1 : i + self.MAX_RUN]:
                    run += " " + token
                    runs.add(run)
        return runs

    def anywhere(self, index: dict[str, list[str]], width: int, kind: str) -> set[str]:
        """The needles of ``index`` (by their first ``width`` characters) found anywhere."""
        text = self.squeezed[kind]
        found: set[str] = set()
        get = index.get
        for i in range(len(text) - width + 1):
            candidates = get(text[i : i + width])
            if candidates:
                found.update(key for key in candidates if text.startswith(key, i))
        return found

    def pieces(self, lengths: Iterable[int], kind: str) -> set[str]:
        """Every piece of the squeezed text of one of these lengths (to intersect with keys)."""
        text = self.squeezed[kind]
        return {text[i : i + size] for size in lengths for i in range(len(text) - size + 1)}

    def contains(self, key: str, squeezed: str, kind: str, anywhere: bool) -> bool:
        """One needle: aligned, or (if ``anywhere``) anywhere in the squeezed text."""
        return key in self.aligned[kind] or (anywhere and squeezed in self.squeezed[kind])


if __name__ == "__main__":
    write_skeletons(Path(__file__).with_name(SKELETONS))
