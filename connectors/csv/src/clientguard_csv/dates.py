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
(``2025-04-03``, ``2021-01-28T11:04:09+00:00``), a year first (``2025/04/03``,
``2025-4-3``), a month written in letters (``Jan 28 2021``, ``28 Jan 2021``, ``January 28,
2021``), and day and month in numbers where they cannot be swapped (``13/04/2025``,
``04/04/2025``). A numeric date such as ``03/04/2025`` is refused as ambiguous unless the
mapping sets ``day_first = true`` (3 April) or ``day_first = false`` (4 March).

Month names are read in English and in Polish (``6 grudnia 2026``, ``6 gru 2026``,
``grudzień 6, 2026``, with or without diacritics, and with the ``r.`` that Polish writes after
a year): Polish Excel's long date format writes them. Without ``date_formats`` they are read
as they are; a ``date_formats`` entry with ``%b`` or ``%B`` reads Polish names as it reads
English ones. No English name means another month in Polish, so nothing is guessed.

A date that names its weekday (``Mon, Dec 7, 2026``, ``%a`` or ``%A`` in ``date_formats``)
must fall on it: ``Mon, Dec 6, 2026`` (a Sunday) is refused, since one of the two is wrong and
the cell does not say which.

ISO week dates (``2026-W49-7``) are refused, with the day they would be: no invoicing or
accounting export writes a document's date so (time trackers write week *labels* such as
``2026-W49`` in weekly reports), and at the year's ends the week's year is not the calendar
year (``2026-W01-1`` is 29 December 2025). A mapping that means them names ``%G-W%V-%u``.

A timestamp's date is the calendar date written in it (in its own offset): an export's
``2021-01-28T23:30:00-05:00`` is 28 January, the day the user saw. So is a date followed by a
time of day and perhaps a zone, in any form the date part is read in, under ``date_formats``
too (``2025-12-31 14:30`` under ``%Y-%m-%d``, ``03/28/2026 5:58 PM`` under ``%m/%d/%Y``,
``2026-07-01 10:00:00 +0000``): the time must be a real one and end the cell.
"""

from __future__ import annotations

import contextlib
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

__all__ = ["EXCEL", "ISO", "DateError", "DateReader", "format_problem"]

#: ``date_formats`` entry meaning "ISO 8601 date or timestamp".
ISO = "iso"
#: ``date_formats`` entry meaning "Excel's serial day number" (the 1900 date system).
EXCEL = "excel"

_ISO_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?")
_NUMERIC = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})")
# A year first is read year, month, day whatever its separator: no export writes a year then
# a day. With "-" and two digits each it is ISO (read, and checked, as ISO before this).
_YEAR_FIRST = re.compile(r"(\d{4})([./-])(\d{1,2})\2(\d{1,2})")
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
#: An ISO 8601 week date (``2026-W49-7``, ``2026W497``), which Python 3.11 reads as a day.
_ISO_WEEK = re.compile(r"(\d{4})-?W(\d{2})(?:-?(\d))?")
#: strptime's complaints about a cell's shape (as against a day that does not exist).
_SHAPE = re.compile(r"time data .* does not match format|unconverted data remains")
#: strptime directives that name a weekday, which a date must then fall on.
_WEEKDAY = re.compile(r"%[aAuw]")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December")
#: Polish month names: genitive (``6 grudnia 2026``: dates), nominative (``grudzień``) and the
#: three-letter abbreviations, each also without diacritics (``wrzesnia``, ``paz``).
_POLISH_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate((
        ("stycznia", "styczeń", "sty"), ("lutego", "luty", "lut"), ("marca", "marzec", "mar"),
        ("kwietnia", "kwiecień", "kwi"), ("maja", "maj"), ("czerwca", "czerwiec", "cze"),
        ("lipca", "lipiec", "lip"), ("sierpnia", "sierpień", "sie"),
        ("września", "wrzesień", "wrz"), ("października", "październik", "paź"),
        ("listopada", "listopad", "lis"), ("grudnia", "grudzień", "gru"),
    ), start=1)
    for spelled in names
    for name in (spelled, "".join(c for c in unicodedata.normalize("NFKD", spelled)
                                  if not unicodedata.combining(c)))
}
#: A word of letters in a date cell (a month's name, perhaps).
_WORD = re.compile(r"[^\W\d_]+")
#: Polish ``r.`` (``roku``) after the year: ``6 grudnia 2026 r.``.
_ROKU = re.compile(r"(?<=\d)\s*r\.?$")
#: A time of day after a date, as exports write a timestamp in a date column (Stripe's
#: ``2025-12-31 14:30``, ``03/28/2026 5:58 PM``, ``28.03.2026 12:34:56``), perhaps with a
#: zone or offset (``UTC``, ``Z``, ``+01:00``, ``GMT+1``).
_TIME_TAIL = re.compile(
    r"(?:\s+|T)(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,]\d{1,9})?)?"
    r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?"
    r"(?:\s*(?:(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?|Z|UTC|GMT|CES?T))?")
#: strptime directives of a time of day or a zone: a format with one reads the time itself.
_TIME_CODES = re.compile(r"%[HIMSpfzZTXcRr]")


class DateError(ValueError):
    """A cell is not a date under the mapping's rules; the message says what to set."""


#: The directives Python's ``strptime`` knows (the table in the :mod:`datetime` docs; ``%%``
#: a percent sign). glibc's ``strftime`` writes more (``%e``, ``%s``, ``%-d``), which no date
#: can be read by.
_STRPTIME_CODES = frozenset("aAwdbBmyYHIpMSfzZjUWcxXGuV%")

#: A moment every known directive writes and reads back (aware: ``%z`` and ``%Z`` write text).
_PROBE = datetime(2026, 11, 23, 13, 45, 56, tzinfo=UTC)


def format_problem(fmt: str) -> tuple[str | None, str] | None:
    """What is wrong with the ``date_formats`` entry ``fmt``, found when the mapping loads
    rather than on every row: (the directive Python's ``strptime`` does not know, such as
    ``%q``, or ``%`` alone at the end; Python's reason) or, for a format whose own directives
    cannot read back the date they write (``%G`` without ``%V``), (None, Python's reason).
    None for a format that reads (``iso`` and ``excel`` too)."""
    if fmt in (ISO, EXCEL):
        return None
    try:
        datetime.strptime(_PROBE.strftime(fmt), fmt)  # noqa: DTZ007 (the form, not a moment)
    except ValueError as exc:
        unknown = next((m[0] for m in re.finditer(r"%(.?)", fmt, re.S)
                        if m[1] not in _STRPTIME_CODES), None)
        return unknown, str(exc)
    return None


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


def _week_hint(text: str) -> str:
    """For an ISO week date (``2026-W49-7``), what it is and what to do; else nothing."""
    week = _ISO_WEEK.fullmatch(text)
    if week is None:
        return ""
    day = ""  # a week without its day (2026-W49), or no such week (2025-W53)
    if week[3] is not None:
        with contextlib.suppress(ValueError):
            day = f" ({date.fromisocalendar(int(week[1]), int(week[2]), int(week[3]))})"
    return (f". It is an ISO week date{day}, which exports do not write for a document's "
            "date: export the column as calendar dates, or map the column that has them "
            '(a mapping that means week dates names "%G-W%V-%u" in date_formats)')


def _swapped_hint(text: str, formats: Sequence[str]) -> str:
    """For a cell that no format reads but one reads with its day and month swapped
    (``01/31/2026`` under ``%d/%m/%Y``: a United States organisation's export read with a
    day-first preset), the format that reads it and what to do; else nothing. Only said, never
    applied: the other cells of such a file (``03/02/2026``) read both ways."""
    for fmt in formats:
        if "%d" not in fmt or "%m" not in fmt:
            continue
        swapped = "%m".join(part.replace("%m", "%d") for part in fmt.split("%d"))
        try:
            value = _strptime(text, swapped)
        except (ValueError, OverflowError):
            continue
        return (f'. It reads as {value.isoformat()} month and day swapped ("{swapped}"): if '
                f'the file writes dates so, put "{swapped}" in date_formats in place of '
                f'"{fmt}": the file\'s other dates read wrong under "{fmt}" without a word')
    return ""


def _serial_hint(text: str) -> str:
    """For a cell that looks like an Excel serial day (``45667``), what it would be and what to
    do; else nothing."""
    if not _LOOKS_SERIAL.fullmatch(text):
        return ""
    return (f". It looks like an Excel serial date number ({text} is {_excel(text).isoformat()} "
            "in Excel's count): export the column formatted as dates, or add \"excel\" to "
            "date_formats in the mapping")


def _english(text: str) -> str | None:
    """``text`` with its Polish month name (``grudnia``, ``gru``) made the English one
    (``December``), for strptime's ``%B``; None where it has no Polish month name."""
    for word in _WORD.finditer(text):
        number = _POLISH_MONTHS.get(word.group().casefold())
        if number is not None:
            return f"{text[:word.start()]}{_ENGLISH_MONTHS[number - 1]}{text[word.end():]}"
    return None


def _date_part(text: str) -> str | None:
    """The date before a time of day (``28.03.2026`` of ``28.03.2026 12:34``), where the cell
    ends with a real one (hours 0-23, or 1-12 with AM/PM; minutes and seconds 0-59); else
    None."""
    for tail in _TIME_TAIL.finditer(text):
        if tail.end() != len(text) or tail.start() == 0:
            continue
        hour, minute, second = int(tail["h"]), int(tail["m"]), int(tail["s"] or 0)
        hours = range(1, 13) if tail["ampm"] else range(24)
        if hour in hours and minute < 60 and second < 60:
            return text[: tail.start()]
    return None


def _dated(text: str, fmt: str) -> date:
    """``text`` read by the strptime format ``fmt``; where the format has no time of day and
    the cell ends with one (a timestamp), its date as written: the calendar date the user saw
    (as an ISO timestamp's, in its own offset). Else the error of the whole cell."""
    try:
        return _strptime(text, fmt)
    except ValueError:
        head = None if _TIME_CODES.search(fmt) else _date_part(text)
        if head is None:
            raise
        return _strptime(head, fmt)


def _strptime(text: str, fmt: str) -> date:
    """``text`` read by the strptime format ``fmt`` (where the format has ``%b`` or ``%B``, a
    Polish month name too); ``ValueError`` for anything else, a weekday that is not the date's
    included."""
    try:
        value = datetime.strptime(text, fmt).date()  # noqa: DTZ007
    except ValueError:
        english = _english(text) if "%b" in fmt or "%B" in fmt else None
        if english is None:
            raise
        text, fmt = english, fmt.replace("%b", "%B")
        value = datetime.strptime(text, fmt).date()  # noqa: DTZ007
    if _WEEKDAY.search(fmt):
        written = time.strptime(text, fmt).tm_wday  # the weekday as written, not computed
        if written != value.weekday():
            raise ValueError(f"{value.isoformat()} is a {_DAY_NAMES[value.weekday()]}, not a "
                             f"{_DAY_NAMES[written]}: the day or the weekday is wrong")
    return value


def _iso(text: str) -> date:
    """An ISO 8601 date or timestamp; ``ValueError`` for anything else (an impossible day
    such as ``2025-02-30`` or ``2025-13-01`` included, and a week date: see the module)."""
    if _ISO_WEEK.fullmatch(text):
        raise ValueError(text)
    if len(text) == 10:
        return date.fromisoformat(text)
    if not _ISO_PREFIX.fullmatch(text):
        raise ValueError(text)
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1)).date()
    except OverflowError:  # an offset that moves the moment past the calendar's ends
        raise ValueError(text) from None


def _iso_dated(text: str) -> date:
    """An ISO 8601 date or timestamp (:func:`_iso`), or an ISO date followed by a time the
    ISO reader does not take (``2026-07-01 10:00:00 +0000``, ``2025-12-31 14:30:00 UTC``)."""
    try:
        return _iso(text)
    except ValueError:
        head = _date_part(text)
        if head is None or len(head) != 10:
            raise
        return _iso(head)


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
        roku = _ROKU.sub("", text)  # "6 grudnia 2026 r." is "6 grudnia 2026"
        return self._recognise(roku or text)

    def _by_formats(self, text: str) -> date:
        readings: dict[date, str] = {}
        serial_error = ""  # why a serial number is no Excel day (60, or past 9999)
        no_day = ""  # why a cell in a format's shape is no day (31.02.2026 under %d.%m.%Y)
        for fmt in self.formats:
            try:
                if fmt == ISO:
                    value = _iso_dated(text)
                elif fmt == EXCEL:
                    value = _excel(text)
                else:
                    value = _dated(text, fmt)
            except (ValueError, OverflowError) as exc:
                if fmt == EXCEL and _SERIAL.fullmatch(text):
                    serial_error = f": {exc}"
                elif fmt not in (ISO, EXCEL) and not _SHAPE.match(str(exc)) and not no_day:
                    no_day = f'{exc} (date format "{fmt}")'
                continue
            readings.setdefault(value, fmt)
        if len(readings) == 1:
            return next(iter(readings))
        listed = ", ".join(f'"{f}"' for f in self.formats)
        if not readings:
            if no_day:
                raise DateError(f"{text!r} is not a date: {no_day}")
            hint = (serial_error if EXCEL in self.formats
                    else _serial_hint(text) or _week_hint(text)
                    or _swapped_hint(text, self.formats))
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
            if _ISO_PREFIX.fullmatch(text) and _date_part(text) is None:
                # ISO in shape, but no such day (2025-13-01); a time the ISO reader does not
                # take (2025-12-31 14:30:00 UTC) is read below as any other timestamp.
                raise DateError(f"{text!r} is not a date: {exc}") from None
        # A timestamp's date as written (13/04/2025 12:34, Apr 13 2025 5:58 PM): the date
        # part is read by the rules below; the messages quote the whole cell.
        day = _date_part(text) or text
        if match := _YEAR_FIRST.fullmatch(day):
            return self._make(int(match[1]), int(match[3]), int(match[4]), text)
        if match := _NUMERIC.fullmatch(day):
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
        no_day = ""
        for fmt in _WORDS:
            try:
                return _strptime(day, fmt)
            except (ValueError, OverflowError) as exc:
                if not _SHAPE.match(str(exc)) and not no_day:
                    no_day = str(exc)
                continue
        if no_day:  # a month in words, but no such day, or not on the weekday it names
            raise DateError(f"{text!r} is not a date: {no_day}")
        hint = _serial_hint(text) or _week_hint(text)
        if hint:
            raise DateError(f"{text!r} is not a date{hint}")
        # (What to do stays at the end: a long cell's reason is cut in its middle.)
        months = (" (month names are read in English and Polish only)"
                  if _WORD.search(text) else "")
        raise DateError(
            f"{text!r} is not a date format clientguard-csv reads without being told{months}: "
            'name it in date_formats (e.g. ["%d.%m.%Y"] or ["%m/%d/%y"])'
        )

    @staticmethod
    def _make(year: int, month: int, day: int, text: str) -> date:
        try:
            return date(year, month, day)
        except (ValueError, OverflowError) as exc:
            raise DateError(f"{text!r} is not a date: {exc}") from None
