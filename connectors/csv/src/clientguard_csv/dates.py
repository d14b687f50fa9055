"""Dates as exports write them.

With ``date_formats`` in the mapping, a cell must match one of them (``strptime`` codes such
as ``%d.%m.%Y``, ``iso`` for ISO 8601 dates and timestamps, or ``excel`` for Excel's serial
day numbers). When a cell matches two of the formats with different results (``03/04/2025``
under both ``%d/%m/%Y`` and ``%m/%d/%Y``) it is an error, never a pick.

**Excel serial dates.** A spreadsheet saved as CSV with a date column formatted as a number
writes the day as Excel counts it: ``45667`` is 2025-01-10 (days since 1899-12-30, with
Excel's 29 February 1900, serial 60, that never was; a fraction is the time of day and is
dropped). ``excel`` reads them (Excel's default 1900 date system; the 1904 system of old Mac
workbooks reads four years and a day early: export such a file's dates as dates). Without
``excel``, a cell of five digits is refused with a message that says it looks like such a
number, what day it would be, and what to do.

Without ``date_formats``, only forms that can be read one way are accepted: ISO 8601
(``2025-04-03``, ``2021-01-28T11:04:09+00:00``), a year first (``2025/04/03``), a month
written in letters (``Jan 28 2021``, ``28 Jan 2021``, ``January 28, 2021``), and day and
month in numbers where they cannot be swapped (``13/04/2025``, ``04/04/2025``). A numeric
date such as ``03/04/2025`` is refused as ambiguous unless the mapping sets
``day_first = true`` (3 April) or ``day_first = false`` (4 March).

A timestamp's date is the calendar date written in it (in its own offset): an export's
``2021-01-28T23:30:00-05:00`` is 28 January, the day the user saw.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

__all__ = ["EXCEL", "ISO", "DateError", "DateReader"]

#: ``date_formats`` entry meaning "ISO 8601 date or timestamp".
ISO = "iso"
#: ``date_formats`` entry meaning "Excel's serial day number" (the 1900 date system).
EXCEL = "excel"

_ISO_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?")
_NUMERIC = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})([./])(\d{1,2})\2(\d{1,2})")
_WORDS = (
    "%b %d %Y", "%d %b %Y", "%B %d %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y",
    "%d-%b-%Y", "%d-%B-%Y", "%a, %b %d, %Y", "%A, %B %d, %Y",
)  # fmt: skip
_CACHE_LIMIT = 100_000
#: An Excel serial day: a whole number of days (at most 9999-12-31's 2958465), and perhaps
#: a fraction of one (the time of day).
_SERIAL = re.compile(r"(\d{1,7})(?:[.,]\d+)?")
#: A cell taken for a serial day in a message: five digits (1927-05-18 to 2173-10-14).
_LOOKS_SERIAL = re.compile(r"\d{5}(?:[.,]\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)
#: Excel's serial 60, 29 February 1900: Excel (after Lotus 1-2-3) counts 1900 as a leap year.
_EXCEL_LEAP_BUG = 60


class DateError(ValueError):
    """A cell is not a date under the mapping's rules; the message says what to set."""


def _excel(text: str) -> date:
    """An Excel serial day number (the 1900 date system); ``ValueError`` for anything else."""
    match = _SERIAL.fullmatch(text)
    if match is None:
        raise ValueError(text)
    days = int(match[1])
    if days == _EXCEL_LEAP_BUG:
        raise ValueError(f"{text!r} is 29 February 1900 in Excel's count, a day that never was")
    if 0 < days < _EXCEL_LEAP_BUG:
        days += 1  # before Excel's day that never was, its count is a day behind
    try:
        return _EXCEL_EPOCH + timedelta(days=days)
    except OverflowError:
        raise ValueError(f"{text!r} is past the end of the calendar as an Excel day") from None


def _serial_hint(text: str) -> str:
    """For a cell that looks like an Excel serial day (``45667``), what it would be and what to
    do; else nothing."""
    if not _LOOKS_SERIAL.fullmatch(text):
        return ""
    return (f". It looks like an Excel serial date number ({text} is {_excel(text).isoformat()} "
            "in Excel's count): export the column formatted as dates, or add \"excel\" to "
            "date_formats in the mapping")


def _iso(text: str) -> date:
    """An ISO 8601 date or timestamp; ``ValueError`` for anything else (an impossible day
    such as ``2025-02-30`` or ``2025-13-01`` included)."""
    if len(text) == 10:
        return date.fromisoformat(text)
    if not _ISO_PREFIX.fullmatch(text):
        raise ValueError(text)
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1)).date()
    except OverflowError:  # an offset that moves the moment past the calendar's ends
        raise ValueError(text) from None


class DateReader:
    """Reads date cells by the mapping's ``date_formats`` and ``day_first``.

    Exports repeat the same few thousand dates, so results are remembered (up to
    100,000 distinct strings; past that they are computed each time, so memory stays flat).
    """

    def __init__(self, formats: Sequence[str] = (), day_first: bool | None = None) -> None:
        self.formats = tuple(formats)
        self.day_first = day_first
        self._cache: dict[str, date] = {}
        self.known: Mapping[str, date] = self._cache
        """The dates read so far, by cell text (read-only), for callers in a hurry."""

    def __call__(self, text: str) -> date:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        value = self._parse(text.strip())
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[text] = value
        return value

    def _parse(self, text: str) -> date:
        if not text:
            raise DateError("is empty")
        if self.formats:
            return self._by_formats(text)
        return self._recognise(text)

    def _by_formats(self, text: str) -> date:
        readings: dict[date, str] = {}
        serial_error = ""  # why a serial number is no Excel day (60, or past 9999)
        for fmt in self.formats:
            try:
                if fmt == ISO:
                    value = _iso(text)
                elif fmt == EXCEL:
                    value = _excel(text)
                else:
                    value = datetime.strptime(text, fmt).date()  # noqa: DTZ007
            except (ValueError, OverflowError) as exc:
                if fmt == EXCEL and _SERIAL.fullmatch(text):
                    serial_error = f": {exc}"
                continue
            readings.setdefault(value, fmt)
        if len(readings) == 1:
            return next(iter(readings))
        listed = ", ".join(f'"{f}"' for f in self.formats)
        if not readings:
            hint = serial_error if EXCEL in self.formats else _serial_hint(text)
            raise DateError(f"{text!r} does not match the date format(s) {listed}{hint}")
        ways = "; ".join(f"{value.isoformat()} by \"{fmt}\"" for value, fmt in readings.items())
        raise DateError(
            f"{text!r} is ambiguous under the date formats {listed}: it reads as {ways}. "
            "Keep only the format this file uses in date_formats"
        )

    def _recognise(self, text: str) -> date:
        try:
            return _iso(text)
        except ValueError as exc:
            if _ISO_PREFIX.fullmatch(text):  # ISO in shape, but no such day (2025-13-01)
                raise DateError(f"{text!r} is not a date: {exc}") from None
        if match := _YEAR_FIRST.fullmatch(text):
            return self._make(int(match[1]), int(match[3]), int(match[4]), text)
        if match := _NUMERIC.fullmatch(text):
            first, second, year = int(match[1]), int(match[3]), int(match[4])
            if self.day_first is True:
                return self._make(year, second, first, text)
            if self.day_first is False:
                return self._make(year, first, second, text)
            if first > 12 >= second:
                return self._make(year, second, first, text)
            if second > 12 >= first or first == second:
                return self._make(year, first, second, text)
            if first > 12 and second > 12:
                raise DateError(f"{text!r} is not a date: neither {first} nor {second} is a month")
            # Both readings must be dates (05/00/2025 is no date, not a hint at the order).
            as_dm = self._make(year, second, first, text).isoformat()
            as_md = self._make(year, first, second, text).isoformat()
            raise DateError(
                f"{text!r} is ambiguous: day first it is {as_dm}, month first {as_md}. "
                "Set day_first = true or false, or date_formats "
                f'(e.g. ["%d{match[2]}%m{match[2]}%Y"]), in the mapping'
            )
        for fmt in _WORDS:
            try:
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007
            except (ValueError, OverflowError):
                continue
        hint = _serial_hint(text)
        if hint:
            raise DateError(f"{text!r} is not a date{hint}")
        raise DateError(
            f"{text!r} is not a date format clientguard-csv reads without being told: name it "
            'in date_formats (e.g. ["%d.%m.%Y"] or ["%m/%d/%y"])'
        )

    @staticmethod
    def _make(year: int, month: int, day: int, text: str) -> date:
        try:
            return date(year, month, day)
        except (ValueError, OverflowError) as exc:
            raise DateError(f"{text!r} is not a date: {exc}") from None
