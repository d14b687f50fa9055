"""printable(): text from the data can never drive the terminal, reorder a line or hide a part
of it; the characters real names are written with pass unchanged."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from clientguard.report.text import one_line, printable

#: Unicode's explicit bidirectional formatting characters, by their bidi class.
EXPLICIT_BIDI = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
#: The implicit marks: left-to-right, right-to-left, Arabic letter mark.
BIDI_MARKS = ["\u200e", "\u200f", "\u061c"]


def test_every_bidirectional_control_is_shown_as_an_escape() -> None:
    explicit = [chr(c) for c in range(sys.maxunicode + 1)
                if unicodedata.bidirectional(chr(c)) in EXPLICIT_BIDI]
    assert len(explicit) == 9  # U+202A-202E, U+2066-2069
    for char in [*explicit, *BIDI_MARKS]:
        shown = printable(f"paid {char}05 days late")
        assert char not in shown
        assert shown == f"paid \\u{ord(char):04x}05 days late"


@pytest.mark.parametrize(
    ("char", "escape"),
    [
        ("\x1b", "\\x1b"), ("\x07", "\\x07"), ("\x00", "\\x00"), ("\x7f", "\\x7f"),
        ("\x85", "\\x85"), ("\x9b", "\\x9b"),  # C1: NEL, CSI
        ("\u2028", "\\u2028"), ("\u2029", "\\u2029"),  # line and paragraph separators
        ("\u200b", "\\u200b"), ("\u2060", "\\u2060"), ("\u2063", "\\u2063"),
        ("\u206a", "\\u206a"), ("\u206f", "\\u206f"), ("\ufeff", "\\ufeff"),
        ("\ufff9", "\\ufff9"), ("\ufffb", "\\ufffb"),
        ("\U000e0001", "\\U000e0001"), ("\U000e0041", "\\U000e0041"),  # tag characters
    ],
)
def test_controls_and_invisible_format_characters_are_shown_as_escapes(
    char: str, escape: str
) -> None:
    assert printable(f"Acme{char}Ltd") == f"Acme{escape}Ltd"


@pytest.mark.parametrize(
    "text",
    [
        "line one\nline two\tcolumn",
        "Zak\u0142ad \u017b\u00f3\u0142ty", "\u00c9lan Vital", "\u0634\u0631\u0643\u0629",
        "\u05d7\u05d1\u05e8\u05d4",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: a zero-width non-joiner
        "\U0001f468\u200d\U0001f4bb",  # an emoji sequence: a zero-width joiner
        "\u2764\ufe0f", "Ge\u00adsch\u00e4ft",  # a variation selector, a soft hyphen
    ],
)
def test_the_characters_names_are_written_with_pass_unchanged(text: str) -> None:
    assert printable(text) == text


def test_one_line_puts_a_line_separator_on_the_line() -> None:
    assert one_line("Acme\u2028=1+1\u202eLtd") == "Acme =1+1\\u202eLtd"
