"""Opening a CSV export: encoding, byte-order mark, delimiter, preamble, header, rows.

Rows are streamed: a file is read line by line and each row is handed on with the number of
the physical line it starts on, so memory stays flat however long the file is.

Detection works on the first 64 KiB:

* **Encoding** (``encoding = "auto"``): a byte-order mark decides (UTF-8, UTF-16 or UTF-32).
  Otherwise UTF-8, cp1250 and cp1252 (Latin-1) are weighed by how plausible the text each
  makes is (:mod:`clientguard_csv.charsets`): valid UTF-8 is UTF-8 unless its letters are
  what a legacy file's upper-case pairs become (``SPÓŁKA`` in cp1250 read as ``SPӣKA``), and
  cp1250 and cp1252 are told apart by whether their letters read as one language's alphabet.
  This is a heuristic: it says when it is unsure (:attr:`Layout.doubt`); name the encoding in
  the mapping to be sure.
* **Delimiter** (``delimiter = "auto"``): ``,``, ``;``, tab and ``|`` are tried, and the one
  under which a line holds every column the mapping names wins.
* **Header**: the first line holding every column the mapping names (``header_line = N``
  fixes it). Lines before it (a report title, "As of ...", a blank line) are skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from babel.lists import format_list

from clientguard.i18n import babel_locale, language, noop
from clientguard.i18n import gettext as _
from clientguard_csv.charsets import detect_encoding, guess_encoding
from clientguard_csv.errors import CsvFileError, file_unreadable, not_a_file
from clientguard_csv.filekinds import not_csv

__all__ = [
    "DELIMITERS",
    "ENCODINGS",
    "HEADER_SEARCH_RECORDS",
    "SAMPLE_BYTES",
    "Columns",
    "CsvRowError",
    "Layout",
    "Row",
    "describe_delimiter",
    "detect_encoding",
    "iter_rows",
    "normalise_header",
    "open_layout",
    "resolve_delimiter",
    "resolve_encoding",
    "spreadsheet_text",
]

SAMPLE_BYTES = 64 * 1024
#: How many records from the top of a file are searched for the header.
HEADER_SEARCH_RECORDS = 100
DELIMITERS = (",", ";", "\t", "|")
# English, marked for the catalog: a reader's words are looked up where one is shown
# (clientguard-csv check).
_DELIMITER_NAMES = {",": noop("comma"), ";": noop("semicolon"), "\t": noop("tab"),
                    "|": noop("pipe")}
ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "cp1250": "cp1250",
    "windows-1250": "cp1250",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "iso-8859-2": "iso-8859-2",
    "latin-2": "iso-8859-2",
    "utf-16": "utf-16",
}


#: Bytes a decoding could not read, as the decoder's error handler below marks them.
_ESCAPED = re.compile("[\udc00-\udcff]")
_MARK_ERRORS = "clientguard-csv-mark"


class _Marks:
    """How many undecodable bytes every read so far has marked (only ever grows)."""

    count = 0


def _mark(error: UnicodeError) -> tuple[str, int]:
    """A decoding error handler: each byte that cannot be decoded becomes the lone surrogate
    U+DC00 + byte (as ``surrogateescape`` does), and is counted, so that the rows holding
    such bytes are found and rejected while every other row reads on."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    _Marks.count += len(bad)
    return "".join(chr(0xDC00 + byte) for byte in bad), error.end


codecs.register_error(_MARK_ERRORS, _mark)


#: A whole cell that is Excel's text wrapper ``="..."`` (a quote inside written twice, as in
#: ``="a""b"``): what exports meant for Excel write so that ``0001`` keeps its zeros.
_EXCEL_TEXT = re.compile(r'="((?:[^"]|"")*)"', re.DOTALL)

def spreadsheet_text(value: str) -> str | None:
    """A stripped cell that starts with ``=``, as the value it stands for: the text inside
    Excel's whole-cell wrapper ``="..."`` (its doubled quotes made one, stripped: ``="0001"``
    is ``0001``, ``="a""b"`` is ``a"b``, ``=""`` is empty); None when the cell is any other
    formula (``=SUM(A1:A3)``, ``="00"&"01"``), whose result is not in the file."""
    match = _EXCEL_TEXT.fullmatch(value)
    if match is None:
        return None
    return match[1].replace('""', '"').strip()


#: The byte-order mark, U+FEFF, as text: what a UTF-8 file's first three bytes read as.
BOM = "\ufeff"


def normalise_header(cell: str) -> str:
    """A header cell as compared with the mapping: case, spaces and Xero's ``*`` ignored, and
    how its letters are encoded (``ł``, ``ó`` composed, or decomposed into a letter and an
    accent, as files made on a Mac may write them: Unicode's NFC); a header written for Excel
    as ``="Number"`` is its text (:func:`spreadsheet_text`); a byte-order mark before it (a
    second export's header, where two files saved with one were joined) is not part of it."""
    text = cell.strip()
    if text[:1] == BOM:
        text = text.lstrip(BOM).strip()
    if text[:1] == "=":
        text = spreadsheet_text(text) or text
    return unicodedata.normalize("NFC", " ".join(text.lstrip("*").split()).casefold())


class Row(NamedTuple):
    """One data row of a file: its cells and the line it starts on (1-based)."""

    line: int
    cells: list[str]
    checked: Any = None
    """The row's values, already read and checked against every rule of its record by the
    columnar reader (:mod:`clientguard_csv.columnar`), where it could; None: read the cells."""


@dataclass(frozen=True)
class Layout:
    """What was found out about a file before its rows are read."""

    path: Path
    encoding: str
    delimiter: str
    header_line: int
    header: tuple[str, ...]
    bom: bool
    guessed: bool = False
    """True when ``encoding`` was guessed (``encoding = "auto"``, no byte-order mark) from a
    sample that is not plain ASCII: the guess mattered, and the user is told it."""
    doubt: str | None = None
    """Where the guess is uncertain, why, with what another encoding would read differently
    and how to name the encoding (:attr:`clientguard_csv.charsets.Guess.doubt`)."""

    @property
    def file(self) -> str:
        """The name used in messages: the path as the caller gave it."""
        return str(self.path)

    def index(self) -> dict[str, int]:
        """Normalised header cell to its position (the first, where a name repeats)."""
        positions: dict[str, int] = {}
        for position, cell in enumerate(self.header):
            positions.setdefault(normalise_header(cell), position)
        return positions

    def occurrences(self) -> dict[str, list[int]]:
        """Normalised header cell to its positions, left to right (several where a name
        repeats: a mapping picks one with ``occurrence``)."""
        positions: dict[str, list[int]] = {}
        for position, cell in enumerate(self.header):
            positions.setdefault(normalise_header(cell), []).append(position)
        return positions


def resolve_encoding(name: str) -> str:
    key = name.strip().lower().replace("_", "-")
    if key == "auto":
        return "auto"
    if key not in ENCODINGS:
        try:
            info = codecs.lookup(key)
        except LookupError:
            raise ValueError(f"unknown encoding {name!r}") from None
        # rot13, hex, base64, zlib...: codecs, but not of text: bytes to text is not what
        # they do (codecs marks them so).
        if not getattr(info, "_is_text_encoding", True):
            raise ValueError(
                f"{name!r} is not a text encoding; name the file's character set, e.g. "
                '"utf-8", "cp1250" or "latin-1"'
            )
        return info.name
    return ENCODINGS[key]


def resolve_delimiter(name: str) -> str:
    aliases = {"auto": "auto", "tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";",
               "pipe": "|"}
    key = name if len(name) == 1 else name.strip().lower()
    if key in aliases:
        return aliases[key]
    if len(key) == 1 and key not in "\"\r\n":
        return key
    raise ValueError(f"delimiter {name!r} must be one character, 'tab' or 'auto'")


class Columns:
    """The columns a mapping needs from a file: each is a set of alternative header names,
    and, where the mapping says which of several columns of one name it means, how many of
    them the header must have (``occurrence``; ``None``: the name must be there once)."""

    def __init__(self, required: Sequence[tuple[str, ...]],
                 occurrences: Sequence[int | None] = ()) -> None:
        self.required = [tuple(normalise_header(n) for n in names) for names in required]
        self.occurrences: list[int | None] = (list(occurrences) if occurrences
                                              else [None] * len(required))
        self.labels = [
            " or ".join(repr(n) for n in names) + ("" if nth is None else f" ({_nth(nth)})")
            for names, nth in zip(required, self.occurrences, strict=True)
        ]

    def missing(self, header: Iterable[str]) -> list[str]:
        present = Counter(normalise_header(cell) for cell in header)
        return [
            label
            for names, nth, label in zip(self.required, self.occurrences, self.labels,
                                         strict=True)
            if not any(present[name] >= (nth or 1) for name in names)
        ]


def _nth(occurrence: int) -> str:
    """``occurrence = 2`` in words: "the 2nd of that name"."""
    suffix = "th" if 10 <= occurrence % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        occurrence % 10, "th")
    return f"the {occurrence}{suffix} of that name"


def _sample_records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """The records that start within the sample, each with its first line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1
            if len(records) >= HEADER_SEARCH_RECORDS:
                break
    except csv.Error:
        pass  # a record cut off by the end of the sample; what came before is enough
    return records


def open_layout(
    path: Path,
    columns: Columns,
    *,
    encoding: str = "auto",
    delimiter: str = "auto",
    header_line: int | None = None,
) -> Layout:
    """Find the encoding, delimiter and header of ``path`` for a mapping's ``columns``.

    Raises :class:`CsvFileError` when the file cannot be read, or when no header line holds
    every column the mapping names (saying which are missing and which were found).
    """
    file = str(path)
    try:
        # Before the open: a named pipe's would wait for a writer, for ever when none comes.
        refused = not_a_file(file, path.stat().st_mode)
        if refused is None:
            with path.open("rb") as handle:
                sample = handle.read(SAMPLE_BYTES)
    except OSError as exc:
        raise file_unreadable(file, exc) from None
    if refused is not None:
        raise refused
    other_format = not_csv(sample, markup=False)
    if other_format is not None:
        # A workbook, a web page or a PDF under a .csv name has no header to find: saying
        # that its columns are missing would send the user to fix a mapping that is right.
        raise CsvFileError(f"{file}: {other_format}", path=file)
    bom = sample.startswith(codecs.BOM_UTF8)
    guess = guess_encoding(sample) if encoding == "auto" else None
    chosen = guess.encoding if guess is not None else encoding
    if chosen == "utf-8" and bom:
        sample = sample[len(codecs.BOM_UTF8) :]
    # The sample may end inside a multi-byte character: an incremental decoder leaves it out.
    try:
        text = codecs.getincrementaldecoder(chosen)("replace").decode(sample)
    except UnicodeError as exc:  # e.g. utf-32 without its byte-order mark
        raise CsvFileError(_("{file}: the file cannot be read as {encoding}: {reason}; set the "
                             "encoding the file is written in, or \"auto\"").format(
                                 file=file, encoding=chosen, reason=exc), path=file) from None
    if not text.strip():
        raise CsvFileError(_("{file}: the file is empty").format(file=file), path=file)

    candidates = DELIMITERS if delimiter == "auto" else (delimiter,)
    best: tuple[int, int, str, int, list[str]] | None = None  # (-found, line, delim, ...)
    for candidate in candidates:
        records = _sample_records(text, candidate)
        if header_line is not None:
            records = [r for r in records if r[0] == header_line]
            if not records:
                raise CsvFileError(_(
                    "{file}: header_line = {line} is past the first {n} rows or the end of "
                    "the file").format(file=file, line=header_line, n=HEADER_SEARCH_RECORDS),
                    path=file)
        for line, cells in records:
            missing = columns.missing(cells)
            if not missing:
                _check_unique(file, line, cells, columns)
                # A byte-order mark says the encoding; ASCII reads alike in every one offered.
                guessed = encoding == "auto" and not bom and not sample.isascii() and not (
                    sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE,
                                       codecs.BOM_UTF32_BE))
                )
                doubt = guess.doubt if guess is not None and guessed else None
                return Layout(path, chosen, candidate, line, tuple(cells), bom, guessed,
                              doubt)
            found = len(columns.required) - len(missing)
            score = (-found, line, candidate, len(cells), cells)
            if len(cells) > 1 and (best is None or score[:2] < best[:2]):
                best = (-found, line, candidate, len(cells), cells)
    if best is None:
        first = _sample_records(text, candidates[0])
        best_cells = first[0][1] if first else []
        best_line = first[0][0] if first else 1
    else:
        best_line, best_cells = best[1], best[4]
    other_format = not_csv(sample)
    if other_format is not None:
        raise CsvFileError(f"{file}: {other_format}", path=file)
    missing = columns.missing(best_cells)
    shown = ", ".join(repr(c) for c in best_cells if c.strip()) or _("(nothing)")
    if header_line is not None:
        message = _(
            "{file}: no header line in line {n} has every column the mapping names. "
            "Missing: {missing}. The closest line, line {line}, has: {shown}. "
            "Change the mapping's columns to the file's names (a list gives alternatives), or "
            "check the delimiter and encoding")
    else:
        message = _(
            "{file}: no header line in the first {n} lines has every column the mapping names. "
            "Missing: {missing}. The closest line, line {line}, has: {shown}. "
            "Change the mapping's columns to the file's names (a list gives alternatives), or "
            "check the delimiter and encoding")
    raise CsvFileError(message.format(
        file=file, n=header_line if header_line is not None else HEADER_SEARCH_RECORDS,
        missing=", ".join(missing), line=best_line, shown=shown), path=file)


def _check_unique(file: str, line: int, cells: list[str], columns: Columns) -> None:
    seen: dict[str, int] = {}
    for cell in cells:
        key = normalise_header(cell)
        seen[key] = seen.get(key, 0) + 1
    for names, nth, label in zip(columns.required, columns.occurrences, columns.labels,
                                 strict=True):
        if nth is not None:
            continue  # the mapping says which one
        for name in names:
            if seen.get(name, 0) > 1:
                raise CsvFileError(_(
                    "{file}: line {line}: the header has the column {label} {n} times, so the "
                    "mapping cannot tell which one it means: say which with {{ column = "
                    "{written}, occurrence = N }} in the mapping's columns (N = 1 for the "
                    "first from the left, at columns {positions} of the header)").format(
                        file=file, line=line, label=label, n=seen[name],
                        written=repr(_written(cells, name)), positions=_positions(cells, name)),
                    path=file)
            if name in seen:
                break


def _written(cells: list[str], name: str) -> str:
    """The header cell ``name`` (normalised) as the file writes it."""
    return next(cell.strip() for cell in cells if normalise_header(cell) == name)


def _positions(cells: list[str], name: str) -> str:
    """Where ``name`` stands in the header, as a spreadsheet counts columns (from 1)."""
    found = [str(i + 1) for i, cell in enumerate(cells) if normalise_header(cell) == name]
    if language() == "en":  # (as it always wrote them: "10, 12, 14 and 17")
        return ", ".join(found[:-1]) + " and " + found[-1] if len(found) > 1 else found[0]
    return format_list(found, locale=babel_locale())  # (CLDR's list: "4 i 5" in Polish)


def describe_delimiter(delimiter: str) -> str:
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


def iter_rows(
    layout: Layout, *, opened: Callable[[BinaryIO], None] | None = None
) -> Iterator[Row | CsvRowError]:
    """The data rows after the header, each with the line it starts on.

    Blank rows are skipped. A row the CSV parser cannot read (a quote left open) comes out
    as a :class:`CsvRowError` and reading goes on with the next line; so does a row with
    bytes that are not valid in the file's encoding (a stray byte in a UTF-8 export), which
    names the line, the column and the bytes.

    ``opened`` is given the open file, e.g. to tell how far the read is (``tell()``).
    """
    with layout.path.open("rb") as handle:
        if opened is not None:
            opened(handle)
        if layout.bom:
            handle.read(len(codecs.BOM_UTF8))
        text = io.TextIOWrapper(handle, encoding=layout.encoding, errors=_MARK_ERRORS,
                                newline="")
        try:
            yield from _parse(text, layout)
        except UnicodeError:  # pragma: no cover - the handler marks every undecodable byte
            # Decoding runs in C, ahead of the parser; find the line by reading again.
            raise _undecodable(layout) from None


def _undecodable_row(line: int, cells: list[str], layout: Layout) -> CsvRowError | None:
    """The error of a row holding bytes its encoding cannot read, or None."""
    for position, cell in enumerate(cells):
        found = _ESCAPED.findall(cell)
        if found:
            bad = bytes(ord(char) - 0xDC00 for char in found[:8])
            column = layout.header[position] if position < len(layout.header) else None
            where = f"the cell in column {column!r}" if column else f"field {position + 1}"
            hint = (
                'set encoding in the mapping, e.g. encoding = "cp1250" for Polish exports or '
                '"latin-1"' if layout.encoding == "utf-8" else "check the file's encoding"
            )
            return CsvRowError(
                line,
                f"{where} has bytes that are not valid {layout.encoding} ({bad!r}): the row "
                f"cannot be read as text; fix the row, or {hint}",
                column,
            )
    return None


def _parse(text: Iterable[str], layout: Layout) -> Iterator[Row | CsvRowError]:
    reader = csv.reader(text, delimiter=layout.delimiter, strict=True)
    header_line = layout.header_line
    marks = _Marks.count  # undecodable bytes seen before this file: none of its own yet
    start = 1
    again = _LinesAgain(layout)  # opened only for a cell past the csv module's limit
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if start > header_line:
                    yield _unreadable(start, reader.line_num, exc, layout, again)
                start = reader.line_num + 1
                continue
            line = start
            start = reader.line_num + 1
            if line <= header_line or not any(cells):
                continue
            if _Marks.count != marks:  # the file has undecodable bytes: look for them
                undecodable = _undecodable_row(line, cells, layout)
                if undecodable is not None:
                    yield undecodable
                    continue
            if cells[0][:1] == BOM and "".join(cells).strip(BOM + " \t"):
                # A line that starts with a byte-order mark: a second export joined to the
                # first (cat jan.csv feb.csv, each saved by Excel as "CSV UTF-8"), its mark
                # no part of its first cell (the columnar reader hands such a file to this
                # one). A line of nothing else stays a row, rejected, not dropped unseen.
                cells[0] = cells[0].lstrip(BOM)
            if "".join(cells).strip():  # not a row of blanks
                yield Row(line, cells)
    finally:
        again.close()


def _unreadable(
    first: int, last: int, exc: csv.Error, layout: Layout, again: _LinesAgain
) -> CsvRowError:
    """The error of the record on lines ``first`` to ``last`` that the csv module refused:
    a cell past its size limit names its column; anything else (broken quoting) says what
    the module found."""
    if "field larger than field limit" not in str(exc):
        return CsvRowError(first, f"the CSV cannot be read here: {exc}")
    limit = csv.field_size_limit()
    position = _oversized_field(again.lines(first, last), layout.delimiter, limit)
    column = (layout.header[position] if position is not None and position < len(layout.header)
              else None)
    where = (f"the cell in column {column!r}" if column is not None
             else f"field {position + 1}" if position is not None else "a cell")
    return CsvRowError(
        first,
        f"{where} is longer than {limit:,} characters, the most a CSV cell may hold here: the "
        "row cannot be read. Shorten or empty the cell, or leave the column out of the export "
        "(a quote left open before it also makes a cell run on over the lines after it: check "
        "the quotes)",
        column,
    )


def _oversized_field(record: str, delimiter: str, limit: int) -> int | None:
    """The position of the first field of ``record`` (the text of one CSV record) longer than
    ``limit`` characters, as the csv module splits it; None if none is (the record's text was
    not found)."""
    if '"' not in record:  # the common case, at once
        for position, cell in enumerate(record.rstrip("\r\n").split(delimiter)):
            if len(cell) > limit:
                return position
        return None
    position = length = 0
    quoted = False
    at, end = 0, len(record)
    while at < end:
        char = record[at]
        if quoted:
            if char == '"' and record[at + 1 : at + 2] == '"':
                at += 1  # a doubled quote: one character of the cell
            elif char == '"':
                quoted = False
                at += 1
                continue
            length += 1
        elif char == '"' and length == 0:
            quoted = True
        elif char == delimiter:
            position, length = position + 1, 0
        elif char in "\r\n":
            break
        else:
            length += 1
        if length > limit:
            return position
        at += 1
    return None


class _LinesAgain:
    """A file's lines read a second time, forward only (so that however many records are
    looked up, the file is read again once at most): the text of a record the csv module
    refused, to tell which of its cells it refused."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.text: io.TextIOWrapper | None = None
        self.read = 0  # lines read so far

    def lines(self, first: int, last: int) -> str:
        """The text of lines ``first`` to ``last`` (1-based; lines already passed: none)."""
        if self.text is None:
            handle = self.layout.path.open("rb")
            if self.layout.bom:
                handle.read(len(codecs.BOM_UTF8))
            # (Bytes that do not decode are kept as they are: they are not counted twice.)
            self.text = io.TextIOWrapper(handle, encoding=self.layout.encoding,
                                         errors="surrogateescape", newline="")
        found: list[str] = []
        while self.read < last:
            line = self.text.readline()
            if not line:
                break
            self.read += 1
            if self.read >= first:
                found.append(line)
        return "".join(found)

    def close(self) -> None:
        if self.text is not None:
            self.text.close()


def _undecodable(layout: Layout) -> CsvFileError:
    encoding = layout.encoding
    if codecs.encode("\n", encoding) != b"\n":
        # UTF-16, UTF-32, EBCDIC: a line is not the bytes up to b"\n": no line to name.
        return CsvFileError(_("{file}: the file is not valid {encoding}").format(
            file=layout.file, encoding=encoding), path=layout.file)
    with layout.path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and layout.bom:
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                raw.decode(encoding)
            except UnicodeDecodeError as exc:
                bad = raw[exc.start : exc.end]
                return CsvFileError(_(
                    "{file}: line {line} is not valid {encoding} (bytes {bytes} at position "
                    "{position}); set encoding in the mapping, e.g. encoding = \"cp1250\" for "
                    "Polish exports or \"latin-1\"").format(
                        file=layout.file, line=number, encoding=encoding, bytes=repr(bad),
                        position=exc.start + 1), path=layout.file)
    return CsvFileError(_("{file}: the file is not valid {encoding}").format(
        file=layout.file, encoding=encoding), path=layout.file)  # pragma: no cover


@dataclass(frozen=True, slots=True)
class CsvRowError:
    """A row the CSV parser could not read, at the line it starts on."""

    line: int
    reason: str
    column: str | None = None
