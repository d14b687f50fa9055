"""A date cell of a small CSV file a person wrote (clientguard.csvinput.read_day): ISO, or day
first with dots as Polish Excel writes it; never a date with slashes, whose order depends on
who wrote it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.csvinput import read_day


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_a_day_reads_back_from_each_form_a_spreadsheet_writes(day: date) -> None:
    # The three forms of one day, written here field by field: ISO, Polish Excel's dd.mm.yyyy,
    # and the same without leading zeros (typed by hand).
    assert read_day(f"{day.year:04d}-{day.month:02d}-{day.day:02d}") == day
    assert read_day(f"{day.day:02d}.{day.month:02d}.{day.year:04d}") == day
    assert read_day(f" {day.day}.{day.month}.{day.year} ") == day
    # Slashes: never read, not even where only one order makes a day (31/12 or 12/31).
    assert read_day(f"{day.day:02d}/{day.month:02d}/{day.year:04d}") is None
    assert read_day(f"{day.month:02d}/{day.day:02d}/{day.year:04d}") is None
    # A two-digit year names no century.
    assert read_day(f"{day.day:02d}.{day.month:02d}.{day.year % 100:02d}") is None


def _written(day: date) -> set[str]:
    """Every text a date cell may hold for ``day`` (the module's two forms, each written out
    here by hand): ISO with its zeros, and day first with dots, the day and the month each with
    or without a leading zero."""
    year = f"{day.year:04d}"
    days = {str(day.day), f"{day.day:02d}"}
    months = {str(day.month), f"{day.month:02d}"}
    return {f"{year}-{day.month:02d}-{day.day:02d}"} | {
        f"{d}.{m}.{year}" for d in days for m in months}


_NOT_ASCII_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९０１２３４５６７８９"
"""Arabic-Indic, extended Arabic-Indic, Devanagari and full-width digits: each is ``\\d`` in a
Python regular expression, and ``int()`` reads each as its digit."""


@st.composite
def _near_a_date(draw: st.DrawFn) -> str:
    """A real day written in one of the documented forms, then one character inserted,
    replaced or removed (a digit, a separator, the ISO week's W, a digit of another script)."""
    text = draw(st.sampled_from(sorted(_written(draw(st.dates())))))
    at = draw(st.integers(min_value=0, max_value=len(text) - 1))
    char = draw(st.sampled_from(["0", "1", "9", "-", ".", "W", " ", "١", "０"]))
    how = draw(st.sampled_from(["insert", "replace", "remove"]))
    if how == "insert":
        return text[:at] + char + text[at:]
    if how == "replace":
        return text[:at] + char + text[at + 1:]
    return text[:at] + text[at + 1:]


@given(st.one_of(
    # Texts near a date: digits (ASCII and not), the separators, the ISO week's W, T and Z.
    st.text(alphabet="0123456789-./ WTZ+" + _NOT_ASCII_DIGITS[::7], max_size=12),
    _near_a_date(),
))
def test_a_date_cell_is_read_only_when_it_is_a_form_the_module_documents(text: str) -> None:
    # Whatever the text, a day read back is one the text writes in a documented form (spaces
    # around it aside): never 20240301, a week date 2024-W10-5 or digits of another script,
    # which date.fromisoformat and \d took before.
    day = read_day(text)
    if day is not None:
        assert text.strip() in _written(day)


@pytest.mark.parametrize(
    "text",
    [
        "20240301",      # ISO's basic form: date.fromisoformat read 1 March 2024
        "2024-W10-5",    # an ISO week date: read as Friday 8 March 2024
        "2024W105",
        "2024-W10",
        "٠١.٠٣.٢٠٢٤",    # Arabic-Indic digits: \d matched them, int() read 1 March 2024
        "१.३.२०२४",      # Devanagari digits, the same
        "1.3.２０２４",    # a full-width year after ASCII day and month, the same
    ],
)
def test_text_in_no_documented_form_is_not_a_date(text: str) -> None:
    assert read_day(text) is None
