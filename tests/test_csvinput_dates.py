"""A date cell of a small CSV file a person wrote (clientguard.csvinput.read_day): ISO, or day
first with dots as Polish Excel writes it; never a date with slashes, whose order depends on
who wrote it."""

from __future__ import annotations

from datetime import date

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
