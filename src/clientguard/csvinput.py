"""Reading a small CSV file a person wrote (a spreadsheet saved as CSV): its records, each with
the physical line it starts on.

- **Size**: at most :data:`MAX_CSV_BYTES` (50 MiB), checked before a byte is read: a larger
  file is a :class:`~clientguard.errors.ConfigError` naming it and its size, never read whole
  into memory (a 2 GB file by mistake would exhaust a portfolio run's memory).
- **Text**: UTF-8, with or without the byte-order mark Excel's "CSV UTF-8" writes, as every
  file clientguard reads from its user (the config, the policy, the rates file). A file in
  another encoding (Excel's plain "CSV" on Polish Windows writes windows-1250) is a
  :class:`~clientguard.errors.ConfigError` naming the file and the line of the first byte
  that is not UTF-8, and saying to save it as UTF-8: clientguard does not guess a small
  file's encoding, a wrong guess would change a name without a word.
- **Separator**: a comma; a file whose first row has semicolons and no comma (Excel's CSV
  where the decimal separator is a comma, Polish Excel's default) is read with semicolons.
- **Records**: the :mod:`csv` module over the whole file, so a cell in double quotes may hold
  commas and line breaks; a quote left open, or text after a closing quote, is an error naming
  the line the record starts on, never a record swallowed into a note.
- **Header**: the first record names the columns; a name given twice (after spaces around it
  are removed and case is ignored: ``date,Date``) is an error naming the file, the line and
  the column: one of the two cells of every row would be read and the other lost, or the two
  swapped, whichever the reader looked up.
- **Skipped**: blank lines, and comment lines (a line whose first character other than a
  space is ``#``), between records only: a line inside a quoted cell is the cell's text,
  whatever it starts with. A cell that itself starts with ``#`` at the start of a row is
  written in double quotes.
- **Dates** (:func:`read_day`): ``YYYY-MM-DD``, or ``DD.MM.YYYY``, the form Polish Excel
  writes a date cell in (``31.12.2024``, or ``1.3.2024`` typed by hand): with dots the day
  comes first, always; ASCII digits only, and no other ISO form (``20240301``, the week date
  ``2024-W10-5``): a cell that only looks like a date to a reader is refused. A date with
  slashes is refused whichever way round it looks: ``03/04/2024`` is 3 April in Warsaw and
  London and 4 March in New York.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from clientguard.errors import ConfigError, os_reason
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext

__all__ = ["MAX_CSV_BYTES", "CsvText", "read_csv_text", "read_day"]

MAX_CSV_BYTES = 50 * 2**20
"""The largest CSV file read, in bytes: 50 MiB. The largest real one is a rates file of every
day since 1999 of every currency the ECB publishes: about 7,000 days x 41 currencies x 26
bytes a row (``2025-01-31,USD,EUR,0.9612``) is about 7.5 MB; a links or acknowledgements file
of 100,000 clients, at 60 bytes a row, 6 MB. A file above five times that is not one a person
wrote (a ledger export, a database dump chosen by mistake), and is refused before it is read:
read whole, as the :mod:`csv` module needs it, it would be held in memory several times
over."""


@dataclass(frozen=True, slots=True)
class CsvText:
    """A small CSV file's records (:func:`read_csv_text`)."""

    records: tuple[tuple[int, list[str]], ...]
    """Each record and the physical line it starts on (1 is the file's first line), in the
    file's order: the first is the header row."""
    comments: tuple[tuple[int, str], ...]
    """The comment lines skipped, each with its line number (for a caller that checks one is
    not a row written by mistake)."""
    delimiter: str
    """The separator the file was read with: ``,`` or ``;``."""


def read_csv_text(path: Path, what: str, *, unreadable: str | None = None) -> CsvText:
    """The records of the CSV file ``path`` (see the module). ``what`` names the file in an
    error (``the acknowledgements file``); ``unreadable``, where given, is the error for a file
    that cannot be read, in the caller's words, with ``{path}`` and ``{problem}`` (the
    system's reason) to fill in. Raises :class:`ConfigError` for a file that cannot be read,
    is not UTF-8 text, or is not CSV (a quote left open), naming the file and the line."""
    limit = MAX_CSV_BYTES
    try:
        with path.open("rb") as source:
            # The size the file says it has is checked first, and the read stops one byte past
            # the limit: a file growing while it is read, or a device, is not read without end.
            size = os.fstat(source.fileno()).st_size
            data = b"" if size > limit else source.read(limit + 1)
    except OSError as exc:
        message = unreadable or _("cannot read {what} {path}: {problem}")
        raise ConfigError(message.format(what=what, path=path,
                                         problem=os_reason(exc))) from None
    if size > limit or len(data) > limit:
        raise ConfigError(_(
            "{path}: {what} is {size} bytes, more than the {limit} clientguard reads of a CSV "
            "file a person writes (a rates file of every currency's every day since 1999 is "
            "under 10 MB): check that it is the file you meant, or split it into several files"
        ).format(path=path, what=what, size=max(size, len(data)), limit=_bytes(limit)))
    # The byte-order mark is cut off first: a decoding error's position is then one in body.
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The line as the records' are counted (_Lines): a line ends at \n, \r\n or a lone \r.
        line = len(_LINE_END.findall(body, 0, exc.start)) + 1
        raise ConfigError(_(
            "{path}, line {line}: {what} is not UTF-8 text (byte 0x{byte:02X}; Excel's "
            "\"CSV\" writes the Windows code page, e.g. windows-1250): save it as UTF-8, in "
            "Excel as \"CSV UTF-8\""
        ).format(path=path, line=line, what=what, byte=body[exc.start])) from None
    lines = _Lines(text)
    delimiter = _delimiter(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ConfigError(_(
                "{path}, line {line}: the row starting here cannot be read as CSV ({problem}): "
                "a cell with a comma, a semicolon or a line break is written in double quotes, "
                "and a double quote inside it doubled (\"\")"
            ).format(path=path, line=lines.first, problem=exc)) from None
        records.append((lines.first, row))
        lines.between = True
    if records:
        _check_header(path, *records[0])
    return CsvText(tuple(records), tuple(lines.comments), delimiter)


def _bytes(count: int) -> str:
    """A number of bytes as the limit is stated: ``50 MiB``, else the bytes (``51 bytes``)."""
    if count >= 2**20 and count % 2**20 == 0:
        return f"{count // 2**20} MiB"
    return ngettext("{n} byte", "{n} bytes", count).format(n=count)


def _check_header(path: Path, line: int, header: list[str]) -> None:
    """Refuse a header naming a column twice (spaces around a name and its case aside, as
    every reader compares them): a reader keeps one of the two cells of each row, the first or
    the last, and loses the other without a word. Unnamed columns are never read: any number
    of them is allowed."""
    seen: dict[str, int] = {}
    for position, cell in enumerate(header, start=1):
        name = cell.strip().casefold()
        if not name:
            continue
        if name in seen:
            raise ConfigError(_(
                "{path}, line {line}: the header names the column {column} twice (columns "
                "{first} and {second}): one of the two cells of every row would be lost; "
                "keep one column of that name"
            ).format(path=path, line=line, column=repr(cell.strip()), first=seen[name],
                     second=position))
        seen[name] = position


_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
"""``YYYY-MM-DD`` (``2024-12-31``), ASCII digits only."""
_DAY_FIRST = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
"""``DD.MM.YYYY`` (``31.12.2024``, ``1.3.2024``): Polish Excel's date, day first; ASCII
digits only."""

_LINE_END = re.compile(rb"\r\n|\r|\n")
"""The end of a physical line, as :class:`io.StringIO` with ``newline=""`` splits them."""


def read_day(text: str) -> date | None:
    """The day a date cell of a small CSV file holds (see the module): exactly ``YYYY-MM-DD``
    or ``D.M.YYYY`` (day first, one or two digits each), in ASCII digits, spaces around it
    aside; None for any other text (``12/31/2024``, ``31.12.24``, ``20240301``,
    ``2024-W10-5``) or a day that does not exist (``30.02.2024``), for the caller's error."""
    text = text.strip()
    iso = _ISO_DAY.fullmatch(text)
    found = _DAY_FIRST.fullmatch(text)
    try:
        if iso:
            year, month, day = iso.groups()
        elif found:
            day, month, year = found.groups()
        else:
            return None
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _delimiter(text: str) -> str:
    """``;`` for a file whose first row (the first line not blank nor a comment) has a
    semicolon and no comma, else ``,``."""
    for line in io.StringIO(text, newline=""):
        if line.strip() and not line.lstrip().startswith("#"):
            return ";" if ";" in line and "," not in line else ","
    return ","


class _Lines(Iterator[str]):
    """The physical lines of a text for :func:`csv.reader`, without the blank and comment lines
    between records; the reader sets :attr:`between` after each record it gives (it reads the
    lines of a record, and no further, before giving it)."""

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self.number = 0
        """The last line handed to the reader."""
        self.first = 0
        """The line the record being read starts on."""
        self.between = True
        """No record is begun: a blank or comment line is skipped."""
        self.comments: list[tuple[int, str]] = []

    def __next__(self) -> str:
        for line in self._lines:
            self.number += 1
            if self.between:
                if not line.strip():
                    continue
                if line.lstrip().startswith("#"):
                    self.comments.append((self.number, line))
                    continue
                self.first, self.between = self.number, False
            return line
        raise StopIteration
