"""Dates in the formats a mapping names; an ambiguous day and month is an error, never a
guess."""

from __future__ import annotations

from datetime import date

import pytest

from clientguard_csv.dates import DateError, DateReader


@pytest.mark.parametrize(
    ("text", "formats", "day_first", "expected"),
    [
        # unambiguous forms, read without being told
        ("2025-04-03", (), None, date(2025, 4, 3)),
        ("2021-01-28T11:04:09+00:00", (), None, date(2021, 1, 28)),
        ("2021-01-28T23:30:00-05:00", (), None, date(2021, 1, 28)),  # the date as written
        ("2021-01-28 11:04", (), None, date(2021, 1, 28)),
        # the calendar's ends, with offsets: read as written, no overflow
        ("0001-01-01T00:00:00+23:59", (), None, date(1, 1, 1)),
        ("9999-12-31T23:59:59-23:59", ("iso",), None, date(9999, 12, 31)),
        ("2025/04/03", (), None, date(2025, 4, 3)),
        # a year first without leading zeros (a spreadsheet's own date text): read as written
        ("2026-1-5", (), None, date(2026, 1, 5)),
        ("2026-12-5", (), None, date(2026, 12, 5)),
        ("2026.1.05", (), None, date(2026, 1, 5)),
        ("Jan 28 2021", (), None, date(2021, 1, 28)),
        ("28 Jan 2021", (), None, date(2021, 1, 28)),
        ("January 28, 2021", (), None, date(2021, 1, 28)),
        ("15 Jul 2026", (), None, date(2026, 7, 15)),
        ("13/04/2025", (), None, date(2025, 4, 13)),
        ("04/13/2025", (), None, date(2025, 4, 13)),
        ("04/04/2025", (), None, date(2025, 4, 4)),
        ("1/2/2013", (), False, date(2013, 1, 2)),
        # a day-first or month-first rule
        ("03/04/2025", (), True, date(2025, 4, 3)),
        ("03/04/2025", (), False, date(2025, 3, 4)),
        ("03.04.2025", (), True, date(2025, 4, 3)),
        # explicit formats
        ("03/04/2025", ("%d/%m/%Y",), None, date(2025, 4, 3)),
        ("03/04/2025", ("%m/%d/%Y",), None, date(2025, 3, 4)),
        ("1/2/2013", ("%m/%d/%Y",), None, date(2013, 1, 2)),
        ("03.04.25", ("%d.%m.%y",), None, date(2025, 4, 3)),
        ("20250403", ("%Y%m%d",), None, date(2025, 4, 3)),
        ("2021-01-28T11:04:09+00:00", ("iso",), None, date(2021, 1, 28)),
        ("2021-01-28", ("iso",), None, date(2021, 1, 28)),
        ("15 Jul 2026", ("%d %b %Y", "%d/%m/%Y"), None, date(2026, 7, 15)),
        ("15/07/2026", ("%d %b %Y", "%d/%m/%Y"), None, date(2026, 7, 15)),
        # two formats that agree are not ambiguous
        ("13/04/2025", ("%d/%m/%Y", "%m/%d/%Y"), None, date(2025, 4, 13)),
        ("  2025-04-03 ", (), None, date(2025, 4, 3)),
        # Excel's serial days (1900 date system), where the mapping names "excel"
        ("45667", ("excel",), None, date(2025, 1, 10)),
        ("45667.75", ("excel",), None, date(2025, 1, 10)),  # the time of day is dropped
        ("61", ("excel",), None, date(1900, 3, 1)),
        ("59", ("excel",), None, date(1900, 2, 28)),  # before Excel's 29 February 1900
        ("1", ("excel",), None, date(1900, 1, 1)),
        ("10.01.2025", ("excel", "%d.%m.%Y"), None, date(2025, 1, 10)),
        # Polish month names (Polish Excel's long date), read as English ones are
        ("6 grudnia 2026", (), None, date(2026, 12, 6)),
        ("6 gru 2026", (), None, date(2026, 12, 6)),
        ("1 września 2026", (), None, date(2026, 9, 1)),
        ("1 WRZEŚNIA 2026", (), None, date(2026, 9, 1)),
        ("1 wrzesnia 2026", (), None, date(2026, 9, 1)),  # written without diacritics
        ("6 paź 2026", (), None, date(2026, 10, 6)),
        ("15 maja 2026", (), None, date(2026, 5, 15)),
        ("6 grudnia 2026 r.", (), None, date(2026, 12, 6)),  # "roku" after the year
        ("grudzień 6, 2026", (), None, date(2026, 12, 6)),
        ("6 grudnia 2026", ("%d %B %Y",), None, date(2026, 12, 6)),
        ("6 gru 2026", ("%d %b %Y",), None, date(2026, 12, 6)),
        ("6 Dec 2026", ("%d %b %Y",), None, date(2026, 12, 6)),
        # a weekday that is the date's (6 December 2026 is a Sunday: 1 January 2026 is a
        # Thursday, and 6 December is day 340, 339 days and 48 weeks and 3 days later)
        ("Sun, Dec 6, 2026", (), None, date(2026, 12, 6)),
        ("Sunday, December 6, 2026", (), None, date(2026, 12, 6)),
        ("Sun, 06 Dec 2026", ("%a, %d %b %Y",), None, date(2026, 12, 6)),
        # week dates where the mapping names them
        ("2026-W49-7", ("%G-W%V-%u",), None, date(2026, 12, 6)),
    ],
)
def test_dates_read(
    text: str, formats: tuple[str, ...], day_first: bool | None, expected: date
) -> None:
    assert DateReader(formats, day_first)(text) == expected


@pytest.mark.parametrize(
    ("text", "formats", "message"),
    [
        ("03/04/2025", (), "'03/04/2025' is ambiguous: day first it is 2025-04-03, month first "
                           "2025-03-04. Set day_first"),
        ("03.04.2025", (), "is ambiguous"),
        ("03/04/2025", ("%d/%m/%Y", "%m/%d/%Y"), "is ambiguous under the date formats"),
        ("2025-04-03", ("%d/%m/%Y",), "does not match the date format(s) \"%d/%m/%Y\""),
        ("31/13/2025", (), "neither 31 nor 13 is a month"),
        ("31/02/2025", (), "is not a date"),
        ("yesterday", (), "name it in date_formats"),
        ("03/04/25", (), "name it in date_formats"),
        ("", (), "empty"),
        # impossible days and months: each one an error naming the cell, never a crash
        ("05/00/2025", (), "'05/00/2025' is not a date"),
        ("00/05/2025", (), "'00/05/2025' is not a date"),
        ("00/00/2025", (), "is not a date"),
        ("05/00/2025", ("%m/%d/%Y", "%d/%m/%Y"), "does not match the date format(s)"),
        ("2025-13-01", (), "'2025-13-01' is not a date: month must be in 1..12"),
        ("2026-13-5", (), "'2026-13-5' is not a date: month must be in 1..12"),
        ("2026-2-30", (), "'2026-2-30' is not a date: day is out of range for month"),
        ("2025-02-29", (), "'2025-02-29' is not a date"),
        ("2025-00-10", (), "is not a date"),
        ("0000-01-01", (), "is not a date"),
        ("2025/02/30", (), "is not a date"),
        ("99/99/9999", (), "is not a date"),
        ("31/99/2025", (), "neither 31 nor 99 is a month"),
        ("2025-01-01T25:00:00", (), "is not a date"),
        ("-1/05/2025", (), "name it in date_formats"),
        ("0", (), "name it in date_formats"),
        ("\x00", (), "name it in date_formats"),
        # A serial day where the mapping does not name "excel": what it is, what to do
        ("45667", (), "'45667' is not a date. It looks like an Excel serial date number "
                      "(45667 is 2025-01-10 in Excel's count): export the column formatted as "
                      "dates, or add \"excel\" to date_formats in the mapping"),
        ("45667", ("%d.%m.%Y",), "does not match the date format(s) \"%d.%m.%Y\". It looks "
                                 "like an Excel serial date number"),
        ("60", ("excel",), "'60' is 29 February 1900 in Excel's count, a day that never was"),
        ("2958466", ("excel",), "past the end of the calendar as an Excel day"),
        ("2025-01-10", ("excel",), "does not match the date format(s) \"excel\""),
        # A weekday the date does not fall on: one of the two is wrong, and the cell does not
        # say which (6 December 2026 is a Sunday, see test_dates_read)
        ("Mon, Dec 6, 2026", (), "'Mon, Dec 6, 2026' is not a date: 2026-12-06 is a Sunday, "
                                 "not a Monday: the day or the weekday is wrong"),
        ("Mon, 06 Dec 2026", ("%a, %d %b %Y",), "2026-12-06 is a Sunday, not a Monday"),
        # A day in the format's shape that the calendar does not have: said so, not "does not
        # match the format" (the format is right)
        ("31.02.2026", ("%d.%m.%Y",), "'31.02.2026' is not a date: day is out of range for "
                                      "month (date format \"%d.%m.%Y\")"),
        ("31 lutego 2026", (), "'31 lutego 2026' is not a date: day is out of range"),
        # ISO week dates: refused with the day they would be (2026-W01-1 is 29 December
        # 2025: week 1 is the week of the year's first Thursday, 1 January 2026)
        ("2026-W49-7", (), "'2026-W49-7' is not a date. It is an ISO week date (2026-12-06), "
                           "which exports do not write for a document's date"),
        ("2026-W01-1", (), "It is an ISO week date (2025-12-29)"),
        ("2026W497", (), "It is an ISO week date (2026-12-06)"),
        ("2026-W49", (), "'2026-W49' is not a date. It is an ISO week date, which"),
        ("2026-W49-7", ("iso",), "does not match the date format(s) \"iso\". It is an ISO week "
                                 "date (2026-12-06)"),
        # Month first under a day-first format (a US Xero organisation's export read with
        # the xero preset): the swapped format is named, since 01/31/2026 is 31 January and
        # the file's 03/02/2026 would read as 3 February without a word
        ("01/31/2026", ("%d %b %Y", "%d/%m/%Y"),
         "does not match the date format(s) \"%d %b %Y\", \"%d/%m/%Y\". It reads as "
         "2026-01-31 month and day swapped (\"%m/%d/%Y\"): if the file writes dates so, put "
         "\"%m/%d/%Y\" in date_formats in place of \"%d/%m/%Y\""),
        # and the other way: day first under a month-first format (31 January 2026)
        ("31.01.2026", ("%m.%d.%Y",), "It reads as 2026-01-31 month and day swapped "
                                      "(\"%d.%m.%Y\")"),
        # no swapped reading: nothing more is claimed
        ("31/31/2026", ("%d/%m/%Y",), "'31/31/2026' does not match the date format(s) "
                                      "\"%d/%m/%Y\""),
        # A month name in a language not read: what is read is said
        ("6 Dez 2026", (), "'6 Dez 2026' is not a date format clientguard-csv reads without "
                           "being told (month names are read in English and Polish only)"),
    ],
)
def test_bad_dates_say_what_to_set(text: str, formats: tuple[str, ...], message: str) -> None:
    with pytest.raises(DateError) as caught:
        DateReader(formats)(text)
    assert message in str(caught.value)


def test_an_ambiguous_date_is_refused_even_after_unambiguous_ones() -> None:
    read = DateReader()
    assert read("13/04/2025") == date(2025, 4, 13)
    with pytest.raises(DateError, match="ambiguous"):
        read("03/04/2025")


def test_no_swapped_reading_claims_nothing_more() -> None:
    with pytest.raises(DateError) as caught:
        DateReader(("%d/%m/%Y",))("31/31/2026")
    assert str(caught.value) == "'31/31/2026' does not match the date format(s) \"%d/%m/%Y\""


# Timestamps in a date column, as real exports write them: Stripe's payments export,
# "Created (UTC)" = "2025-12-31 14:30" (a public Stripe fees parser's README example);
# Shopify's orders export, "Created at" = "2026-07-01 10:00:00 +0000" (a public importer's
# test); a US export's "03/28/2026 5:58 PM"; a Polish bank's "28.03.2026 12:34:56". The date is
# the calendar date written in the cell (as for an ISO timestamp: docs, *Dates*), worked out
# by hand from each cell.
@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("2025-12-31 14:30", ("%Y-%m-%d",), date(2025, 12, 31)),
        ("2026-07-01 10:00:00 +0000", ("%Y-%m-%d",), date(2026, 7, 1)),
        ("2025-12-31 23:30:00 UTC", (), date(2025, 12, 31)),
        # A named zone with an offset (it was rejected: GMT matched, the offset was left over).
        ("28.03.2026 12:34 GMT+1", ("%d.%m.%Y",), date(2026, 3, 28)),
        ("2025-12-31 14:30 UTC+01:00", (), date(2025, 12, 31)),
        ("03/28/2026 5:58 PM", ("%m/%d/%Y",), date(2026, 3, 28)),
        ("03/28/2026 5:58 p.m.", ("%m/%d/%Y",), date(2026, 3, 28)),
        ("28.03.2026 12:34:56", ("%d.%m.%Y",), date(2026, 3, 28)),
        ("28.03.2026 00:05 CET", ("%d.%m.%Y",), date(2026, 3, 28)),
        ("28/03/2026 12:34:56.123", ("%d/%m/%Y",), date(2026, 3, 28)),
        ("13/04/2025 12:34", (), date(2025, 4, 13)),
        ("Apr 13, 2025 5:58 PM", (), date(2025, 4, 13)),
        ("6 grudnia 2026 09:15", ("%d %B %Y",), date(2026, 12, 6)),
    ],
)
def test_a_timestamp_in_a_date_column_is_read_as_its_date(
    text: str, formats: tuple[str, ...], expected: date
) -> None:
    # Before: "'2025-12-31 14:30' does not match the date format(s) "%Y-%m-%d"": every row
    # of such an export rejected under a mapping that names the date's format.
    assert DateReader(formats)(text) == expected


@pytest.mark.parametrize(
    ("text", "formats", "message"),
    [
        # The date part is still checked: no such day, an ambiguous day and month.
        ("31.02.2026 12:00", ("%d.%m.%Y",), "is not a date: day is out of range for month"),
        ("2025-13-01 12:00 UTC", (), "is not a date: month must be in 1..12"),
        ("03/04/2026 10:00", (), "is ambiguous: day first it is 2026-04-03, month first "
                                 "2026-03-04"),
        ("03/04/2026 10:00", ("%d/%m/%Y", "%m/%d/%Y"), "is ambiguous under the date formats"),
    ],
)
def test_a_timestamps_date_is_checked_as_any_date(
    text: str, formats: tuple[str, ...], message: str
) -> None:
    with pytest.raises(DateError) as caught:
        DateReader(formats)(text)
    assert message in str(caught.value)
    assert str(caught.value).startswith(repr(text))  # the whole cell is quoted


@pytest.mark.parametrize(
    ("good", "bad", "formats"),
    [
        ("28.03.2026 23:59", "28.03.2026 25:00", ("%d.%m.%Y",)),
        ("03/28/2026 12:00 PM", "03/28/2026 13:00 PM", ("%m/%d/%Y",)),
        ("28.03.2026 12:34", "28.03.2026 12:34 later", ("%d.%m.%Y",)),
    ],
)
def test_only_a_time_of_day_is_left_after_the_date(
    good: str, bad: str, formats: tuple[str, ...]
) -> None:
    # What follows the date must be a real time of day (hours 0-23, or 1-12 with AM/PM),
    # and nothing after it but a zone: else the whole cell must match, as before.
    assert DateReader(formats)(good) == date(2026, 3, 28)
    with pytest.raises(DateError) as caught:
        DateReader(formats)(bad)
    assert f"{bad!r} does not match the date format(s)" in str(caught.value)
