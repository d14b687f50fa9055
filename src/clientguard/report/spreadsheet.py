"""The review as CSV: one row per client finding, for a spreadsheet.

Columns (:data:`COLUMNS`): the review date and currency, the client, its recommendation, and
the finding (signal, severity, metric, value, threshold, message), with the client's revenue
share and cost of lateness (financing, what the law grants, and what of that is time-barred
and left out of it; then, as the JSON report names them, what of ``claimable`` is held for
disputes and covered by unapplied money and what of ``financing_cost`` that money covers:
``claimable - claimable_disputed - claimable_unapplied`` is what the advice asks now)
repeated on each of its rows so that a filter keeps them. A client
with no finding gets one row with the finding's columns empty; a finding about the whole book
has an empty ``client_id``. A warning about the data as a whole (the last sync of a source did
not complete) comes first, as a row of the whole book with signal ``data_quality``, severity
``warning`` and the warning as its message.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula: a
customer named ``=HYPERLINK("http://evil", "x")`` would become a link. Every text cell a
spreadsheet could run is neutralised with a leading apostrophe (the OWASP rule), which
spreadsheets show as plain text; :func:`neutralise` says which (docs/security.md). Control,
bidirectional and invisible format characters in the text are shown as escapes first
(:func:`~clientguard.report.text.printable`, as the table report does: :func:`safe_cell`), so
that the file, printed on a terminal or opened in a spreadsheet, cannot drive the one or
reorder a cell of the other; the JSON report keeps every character. Numbers
clientguard writes itself (``-3.5``) are left as numbers. Money is rounded to the currency's
minor unit and shares to four decimals (both half-even), written as plain decimals with a dot
and no grouping; import the file as UTF-8.

Two dialects (:data:`DIALECTS`, docs/report-schema.md "The CSV for Excel"): ``rfc4180``, the
default above, for programs; and ``excel``, for a person who opens the file by double-click in
Excel, which reads a file without a byte-order mark in the system's code page (cp1250 on a
Polish Windows) and splits cells on the system's list separator (``;`` where the decimal
separator is a comma). The ``excel`` file starts with a UTF-8 byte-order mark, separates cells
with ``;`` and writes decimal commas where the active language writes them (Polish), else
``,`` and dots; it shows control and bidirectional characters in the text as escapes and
neutralises formula cells as the default does. Money, codes and dates are the same values in both.

Language (docs/languages.md): the header row and the sentences (messages, the whole book's
name) are in the active language; in English the header row is the column ids
(:data:`COLUMNS`), in Polish it is Polish headings in the same order. The codes in the cells
(recommendation, signal, severity, metric) and the numbers never change with the language, so
that a filter or a formula works on a file in either language. A program reads the JSON
report, or the CSV in English.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from typing import Any, Literal

from babel.numbers import get_decimal_symbol

from clientguard.errors import ConfigError
from clientguard.findings import Finding
from clientguard.i18n import babel_locale, pgettext
from clientguard.i18n import gettext as _
from clientguard.money import exponent
from clientguard.report.text import decimal_text, encodable, fixed, printable
from clientguard.review import ClientReview, Review

# Internal (helpers of this renderer, shared with the CLI's CSV), left out of __all__:
# neutralise, safe_cell.
__all__ = ["COLUMNS", "DIALECTS", "Dialect", "headings", "render_csv"]

Dialect = Literal["rfc4180", "excel"]
DIALECTS: tuple[Dialect, ...] = ("rfc4180", "excel")
"""The CSV dialects :func:`render_csv` writes: ``rfc4180`` (the default, for programs) and
``excel`` (for Excel opened by double-click: a byte-order mark, the reader's separators)."""

COLUMNS = (
    "as_of",
    "currency",
    "client_id",
    "client_name",
    "recommendation",
    "signal",
    "severity",
    "metric",
    "value",
    "threshold",
    "message",
    "revenue_share",
    "financing_cost",
    "claimable",
    "time_barred",
    "claimable_disputed",
    "claimable_unapplied",
    "financing_covered",
)



def headings() -> tuple[str, ...]:
    """The header row in the active language, in the order of :data:`COLUMNS` (in English,
    the column ids themselves)."""
    return (
        pgettext("CSV column", "as_of"),
        pgettext("CSV column", "currency"),
        pgettext("CSV column", "client_id"),
        pgettext("CSV column", "client_name"),
        pgettext("CSV column", "recommendation"),
        pgettext("CSV column", "signal"),
        pgettext("CSV column", "severity"),
        pgettext("CSV column", "metric"),
        pgettext("CSV column", "value"),
        pgettext("CSV column", "threshold"),
        pgettext("CSV column", "message"),
        pgettext("CSV column", "revenue_share"),
        pgettext("CSV column", "financing_cost"),
        pgettext("CSV column", "claimable"),
        pgettext("CSV column", "time_barred"),
        pgettext("CSV column", "claimable_disputed"),
        pgettext("CSV column", "claimable_unapplied"),
        pgettext("CSV column", "financing_covered"),
    )


#: What starts a formula, compared after Unicode compatibility (NFKC) folding, so that the
#: fullwidth ``＝ ＋ － ＠`` (U+FF1D, U+FF0B, U+FF0D, U+FF20) a spreadsheet with an East Asian
#: input method reads as ``= + - @``, the small forms (U+FE62, U+FE63, U+FE66, U+FE6B) and the
#: super- and subscript signs count too; the minus sign U+2212 is taken as ``-``.
_FORMULA = frozenset("=+-@\u2212")
#: Characters other than the file's comma that a spreadsheet may be told to split cells on
#: (a semicolon: Excel's list separator where the decimal point is a comma, Polish included;
#: a tab); a comma, a quote or a line break in a cell makes the csv module quote the cell.
_SEPARATORS = re.compile("([;\t])")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _skipped(char: str) -> bool:
    """A character a spreadsheet may drop or trim before it reads a cell: white space (the
    ideographic space U+3000 and the no-break space too), a quote (``'`` or ``"``, fullwidth
    too), a control or an invisible format character (a zero-width space, a bidi mark, a
    byte-order mark)."""
    return (char.isspace() or unicodedata.normalize("NFKC", char) in ("'", '"')
            or unicodedata.category(char) in ("Cc", "Cf"))


def _runs_as_formula(text: str) -> bool:
    """True when ``text``'s first character that is not :func:`_skipped` starts a formula."""
    for char in text:
        if not _skipped(char):
            return unicodedata.normalize("NFKC", char)[:1] in _FORMULA
    return False


def neutralise(cell: str) -> str:
    """``cell`` made safe for a spreadsheet (OWASP's CSV injection rule, widened); a plain
    number (``-3.5``) is left alone.

    A leading apostrophe, which a spreadsheet shows as text, goes before a cell that starts
    with a control character (a tab, a carriage return, a line feed, a NUL), and before one
    whose first character after any white space, quotes and invisible format characters is
    ``= + - @`` in any form (:data:`_FORMULA`). Where a semicolon or a tab inside the cell is
    followed the same way by a formula character, an apostrophe goes right after it too: a
    spreadsheet that splits cells on it would start a cell there.
    """
    if not cell:
        return cell
    first = cell[0]
    if first.isascii() and first.isalnum() and ";" not in cell and "\t" not in cell:
        return cell  # the common case: a word, an id, a date
    if _PLAIN_NUMBER.fullmatch(cell):
        return cell
    if _SEPARATORS.search(cell):
        pieces = _SEPARATORS.split(cell)
        cell = "".join(
            "'" + piece if index and index % 2 == 0 and _runs_as_formula(piece) else piece
            for index, piece in enumerate(pieces)
        )
    if unicodedata.category(first) == "Cc" or _runs_as_formula(cell):
        return "'" + cell
    return cell


def safe_cell(cell: str) -> str:
    """A text cell of any CSV clientguard writes: :func:`printable` (control characters,
    bidirectional controls and invisible format characters shown as escapes, so that the
    file drives no terminal it is printed on and no cell reads reordered in a spreadsheet),
    then :func:`neutralise`. Tab and line feed are kept (a line feed quotes the cell)."""
    return neutralise(printable(cell))


_MONEY_FROM = COLUMNS.index("financing_cost")
"""The first of the client's money columns, right after ``revenue_share``."""

#: The columns that hold numbers clientguard writes (never text from the data): the ones the
#: ``excel`` dialect writes with the reader's decimal separator.
_NUMBER_COLUMNS = frozenset(
    COLUMNS.index(name)
    for name in ("value", "threshold", "revenue_share", "financing_cost", "claimable",
                 "time_barred", "claimable_disputed", "claimable_unapplied",
                 "financing_covered")
)


def render_csv(
    review: Review, *, title: str | None = None, dialect: str = "rfc4180"
) -> str:
    """The review as CSV text (RFC 4180 quoting, ``\\r\\n`` line ends, a header row).

    ``dialect`` ``"excel"``: for Excel opened by double-click (see the module): a UTF-8
    byte-order mark first, cells separated by ``;`` and decimal commas where the active
    language writes a decimal comma (Polish). In both, text is :func:`safe_cell`. Raises
    :class:`~clientguard.errors.ConfigError` for another dialect."""
    if dialect not in DIALECTS:
        raise ConfigError(_("unknown CSV dialect {dialect}; use one of: {dialects}").format(
            dialect=repr(dialect), dialects=", ".join(DIALECTS)))
    out = io.StringIO()
    if dialect == "excel":
        decimal = get_decimal_symbol(babel_locale())
        # Excel splits on the system's list separator: ";" where the decimal mark is a comma.
        out.write("\ufeff")
        writer = csv.writer(out, delimiter=";" if decimal == "," else ",",
                            lineterminator="\r\n")
        write = _excel_writer(writer, decimal)
    else:
        writer = csv.writer(out, lineterminator="\r\n")

        def write(row: list[str]) -> object:
            return writer.writerow(_safe(row))
    writer.writerow(headings())
    currency = review.base_currency
    shares = review.book.revenue.shares
    for warning in review.data_quality.warnings:
        # What the data as a whole may be missing (a sync that did not complete): a row of
        # its own, first, so that a spreadsheet shows it too.
        row = _row(review, None, None)
        row[5:7] = ["data_quality", "warning"]
        row[10] = warning
        write(row)
    for book_finding in review.book.findings:
        write(_row(review, None, book_finding))
    for client in review.clients.values():
        share = shares.get(client.client_id)
        places = exponent(currency)
        money = (fixed(client.financing_cost, places), fixed(client.claimable, places),
                 fixed(client.time_barred, places), fixed(client.claimable_disputed, places),
                 fixed(client.claimable_unapplied, places),
                 fixed(client.financing_covered, places))
        findings: tuple[Finding | None, ...] = client.findings or (None,)
        for finding in findings:
            row = _row(review, client, finding)
            row[_MONEY_FROM - 1:] = [fixed(share, 4) if share is not None else "", *money]
            write(row)
    return encodable(out.getvalue())


def _excel_writer(writer: Any, decimal: str) -> Callable[[list[str]], object]:
    """Rows written for Excel: text as :func:`printable`, then neutralised; the numbers of
    :data:`_NUMBER_COLUMNS` with ``decimal`` as the decimal mark."""
    def write(row: list[str]) -> object:
        cells = [
            cell.replace(".", decimal) if index in _NUMBER_COLUMNS and
            _PLAIN_NUMBER.fullmatch(cell) else safe_cell(cell)
            for index, cell in enumerate(row)
        ]
        return writer.writerow(cells)
    return write


def _row(review: Review, client: ClientReview | None, finding: Finding | None) -> list[str]:
    return [
        review.as_of.isoformat(),
        review.base_currency,
        client.client_id if client else "",
        client.name if client else _("(the whole book)"),
        client.recommendation.value if client else "",
        finding.signal.value if finding else "",
        finding.severity.value if finding else "",
        finding.metric if finding else "",
        decimal_text(finding.value, 4) if finding else "",
        decimal_text(finding.threshold, 4) if finding else "",
        finding.message if finding else "",
        *[""] * (len(COLUMNS) - _MONEY_FROM + 1),
    ]


def _safe(row: list[str]) -> list[str]:
    return [safe_cell(cell) for cell in row]
