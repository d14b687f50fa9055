"""Text helpers every renderer shares: safe text, and how numbers are written for machines.

How numbers are written for a person (money, percent, days, counts) is
:mod:`clientguard.wording`'s, shared with the findings and the review. Here are the machine
forms of the JSON and CSV reports (:func:`fixed`, :func:`decimal_text`: rounded half-even, at
output only, never in exponent form), which never change with the reader's language.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from typing import TYPE_CHECKING

from clientguard import wording
from clientguard.connector import _UNSAFE
from clientguard.connector import printable as printable
from clientguard.i18n import gettext as _
from clientguard.i18n import noop, npgettext

if TYPE_CHECKING:
    from clientguard.findings import Severity
    from clientguard.review import DataQuality


# Internal (the renderers' shared text helpers, not for users), left out of __all__: printable,
# encodable, json_text, one_line, clip, fit, pad, columns, wrap, note_groups, EMPTY,
# MORE_NOTES, more_notes, severity_word, aging_label, decimal_text, fixed.
# The words around numbers (money, percent, days, counts) are clientguard.wording's; the
# reports' own words go through clientguard.i18n when they are shown.
__all__ = ["TEXT_LIMIT"]

# printable (control characters, bidirectional controls and invisible format characters shown
# as escapes) is the connector layer's, so that a plugin's own command, which may not import
# the report, shows data by the same rule: one owner, re-exported here for the renderers.


_NO_BREAK = "\u00a0\u2007\u202f"
"""The no-break spaces (no-break, figure, narrow no-break): :mod:`clientguard.wording` puts
U+00A0 between a Polish amount's thousands and before its currency (``1 234,56 zł``), so
that the amount is never broken across two lines; they are kept, and :func:`wrap` never
breaks at them."""

_BREAKING_SPACE = re.compile(f"[^\\S{_NO_BREAK}]+")


def one_line(text: str) -> str:
    """``text`` on one line (newlines, tabs and runs of spaces as one space; a no-break space
    kept), and :func:`printable`."""
    return printable(_BREAKING_SPACE.sub(" ", text).strip(" "))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """``text`` with each lone surrogate (U+D800-DFFF, half of a UTF-16 pair, which UTF-8
    cannot encode: JSON's ``"\\ud800"`` escape brings one in from an API's response) written
    as its escape ``\\ud800``, so that a report can always be written as UTF-8. Inside a JSON
    string that escape is JSON's own: a JSON reader gets the same text back. Every renderer
    passes its whole output through it."""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: JSON writes the UTF-16 pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(document: object) -> str:
    """``document`` as the JSON reports write it (UTF-8 text, two-space indent, a final
    newline), with every character :func:`printable` would escape written as JSON's own
    escape (``\\u001b``, ``\\u009b``, ``\\u202e``, a pair for a tag character): the C1
    controls, DEL, the bidirectional controls and the invisible format characters, which
    ``json.dumps`` leaves as they are, can then neither drive the terminal the JSON is
    printed on nor reorder a line of it, and a JSON reader gets every character back as it
    was. Lone surrogates are :func:`encodable`'s. Outside its strings JSON text holds none of
    these characters, so only strings are touched."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return encodable(_UNSAFE.sub(_json_escape, text)) + "\n"


TEXT_LIMIT = 1000
"""The most characters of one text from the data (a name, a message, a rejection) that the
table and HTML reports show: longer is cut with an ellipsis (``…``). A name of a thousand
characters is already no name; the JSON and CSV reports keep every character."""


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` display columns, with an ellipsis when cut."""
    # Each character is measured at most twice, and only up to the width: linear time.
    text = one_line(text)
    if text.isascii() and len(text) <= width:
        return text
    used = 0
    for char in text:
        used += _char_columns(char)
        if used > width:
            break
    else:
        return text
    out, used = [], 0
    # Cut between whole characters as shown: an escape printable wrote (``\x1b``) is one.
    for unit in _SHOWN_UNIT.findall(text):
        size = len(unit) if len(unit) > 1 else _char_columns(unit)
        if used + size > width - 1:
            break
        out.append(unit)
        used += size
    return "".join(out) + "…"


_SHOWN_UNIT = re.compile(r"\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\U[0-9a-f]{8}|.", re.DOTALL)
"""One character as :func:`one_line` shows it: an escape :func:`printable` wrote, or one
character."""


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` display columns (wide characters count 2)."""
    space = " " * max(0, width - _columns(text))
    return space + text if right else text + space


def _char_columns(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _columns(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(map(_char_columns, text))


def columns(text: str) -> int:
    """The display columns ``text`` takes in a terminal (a wide character takes two)."""
    return _columns(text)


def wrap(text: str, width: int, *, indent: str = "", subsequent: str = "") -> list[str]:
    """``text`` on lines of at most ``width`` display columns, broken between words (a word
    too long for a line is cut), never at a no-break space: ``1 234,56 zł`` stays whole.
    Counts wide characters as two columns, unlike textwrap.

    Linear in the length of ``text``: each character is measured once."""
    lines: list[str] = []
    parts = [indent]
    used = _columns(indent)
    rest = _columns(subsequent)
    fresh = True  # nothing but the indent on the line yet
    for word in one_line(text).split(" "):
        if not word:
            continue
        size = _columns(word)
        if used + (0 if fresh else 1) + size <= width:
            parts.append(word if fresh else " " + word)
            used += size + (0 if fresh else 1)
            fresh = False
            continue
        if not fresh:
            lines.append("".join(parts))
            parts, used, fresh = [subsequent], rest, True
        if used + size <= width:
            parts.append(word)
            used, fresh = used + size, False
            continue
        # A word too long for a line: cut into pieces, each as long as a line allows.
        start = 0
        for index, char in enumerate(word):
            wide = _char_columns(char)
            if used + wide <= width:
                used += wide
                continue
            if index > start:  # the piece so far fills the line
                lines.append("".join(parts) + word[start:index])
                parts, used, start = [subsequent], rest, index
                if used + wide <= width:
                    used += wide
                    continue
            # Not even this one character fits after the indent: it goes alone.
            lines.append("".join(parts) + char)
            parts, used, start = [subsequent], rest, index + 1
        piece = word[start:]
        parts.append(piece)
        fresh = not piece
    if not fresh or not lines:
        lines.append("".join(parts))
    return lines


def note_groups(
    quality: DataQuality, currency: str
) -> list[tuple[str | None, tuple[str, ...], int]]:
    """The data-quality notes as a report shows them: ``(heading, notes, more)`` per kind of
    note. A kind with no more notes than its examples is its notes, listed (heading None); a
    larger one is a heading with the count and the amount involved, its first notes as
    examples, and how many more the JSON report and ``clientguard rejections`` list."""
    if not quality.groups:
        return [(None, quality.notes, 0)]
    shown: list[tuple[str | None, tuple[str, ...], int]] = []
    for group in quality.groups:
        if group.count <= len(group.examples):
            shown.append((None, group.examples, 0))
            continue
        cases = npgettext("data-quality group", "{n} case", "{n} cases", group.count).format(
            n=wording.number(group.count))
        if group.amount is not None and group.amount_of:
            heading = _("{title}: {cases}; {amount} involved ({amount_of}).").format(
                title=group.title.rstrip("."), cases=cases,
                amount=wording.money(group.amount, currency), amount_of=group.amount_of)
        else:
            heading = _("{title}: {cases}.").format(title=group.title.rstrip("."), cases=cases)
        shown.append((heading, group.examples, group.count - len(group.examples)))
    return shown


EMPTY = "-"
"""What a table cell or an HTML card shows for a value that does not exist."""

MORE_NOTES = noop("the JSON report and clientguard rejections list every one")
"""Where the notes a report leaves out are (English; :func:`more_notes` in the reader's
language)."""


def more_notes() -> str:
    """:data:`MORE_NOTES` in the active language."""
    return _(MORE_NOTES)


_SEVERITY_WORDS = {
    "critical": noop("critical"),
    "warning": noop("warning"),
    "watch": noop("watch"),
}


def severity_word(severity: Severity) -> str:
    """A finding's severity as a report shows it beside the finding, in the active language
    (the English is the severity's code: ``critical``, ``warning``, ``watch``)."""
    word = _SEVERITY_WORDS.get(severity.value)
    return _(word) if word is not None else severity.value


_AGING_WORDS = {"current": noop("not yet due")}


def aging_label(label: str, *, with_days: bool = False) -> str:
    """An aging bucket's label (:data:`~clientguard.metrics.lateness.AGING_LABELS`) for a
    person: ``not yet due`` for ``current``; the others are days past due (``31-60``, or
    ``31-60 days`` with ``with_days``)."""
    if label in _AGING_WORDS:
        return _(_AGING_WORDS[label])
    return _("{label} days").format(label=label) if with_days else label


def decimal_text(value: Decimal, places: int) -> str:
    """``value`` with at most ``places`` decimals (rounded half-even), never in exponent form,
    trailing zeros of an exact value kept (``0.10`` stays ``0.10``)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        value = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
    return _plain(value)


def fixed(value: Decimal, places: int) -> str:
    """``value`` with exactly ``places`` decimals (rounded half-even): ``0.7500``."""
    return _plain(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN))


def plain_json(value: object) -> object:
    """``value`` (a model's ``model_dump()`` in Python mode) made ready for :func:`json_text`
    with every Decimal a plain decimal string (``0.0000000091``, never pydantic's JSON mode's
    ``9.1E-9``, nor ``-0``), a date in ISO form, an enum its value, a tuple a list."""
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, Enum):
        return plain_json(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(item) for item in value]
    return value


def _plain(value: Decimal) -> str:
    # No exponent form, and no "-0.00" for a value that rounds to zero.
    return f"{abs(value) if value.is_zero() else value:f}"
