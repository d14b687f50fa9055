"""A CSV file of exchange rates: the firm's own (its bank's, its accountant's), one rate a row.

The format (``clientguard rates template`` prints it)::

    # units of BASE per one unit of CURRENCY on DATE; lines starting with # are comments
    date,currency,base,rate
    2025-01-31,USD,EUR,0.9612
    2025-01-31,ILS,USD,0.2790

* Read as :mod:`clientguard.csvinput` reads a small CSV file: UTF-8 (a byte-order mark is
  allowed; a file in the Windows code page is an error naming its line and saying to save it
  as UTF-8), comma-separated or, Polish Excel's default, semicolon-separated; blank lines and
  lines starting with ``#`` between rows are skipped. One header line names the four columns
  in any order (other columns are ignored); every row has as many fields as the header (in a
  comma-separated file a decimal comma splits a rate in two and is refused).
* ``date`` is ``YYYY-MM-DD``, or ``DD.MM.YYYY`` (day first, as Polish Excel writes it): the
  day the rate is for. A document dated on it, or up to ``max_staleness_days`` later with no
  newer rate, is converted at it.
* ``currency`` and ``base`` are upper-case ISO 4217 codes. ``base`` need not be the ledger's
  base currency: a rate to another base is crossed through the ledger's base on the same day
  (the file then needs that day's rate of the ledger's base too).
* ``rate`` is a positive decimal number with a dot, in a semicolon-separated file too:
  units of ``base`` for ONE unit of ``currency`` (ILS in USD is about 0.28, not 3.6). It is
  written with the ASCII digits and at most one dot (``4_25``, ``4.25E+00``, ``1e-30`` and
  digits of another script are refused, not read as Python's ``Decimal`` would), and lies
  within the bounds every document's rate is held to (:func:`clientguard.model.rate_in_bounds`:
  10^-12 to 10^12).

A row that breaks a rule is an error naming the file, the line and the column, in the active
language (:mod:`clientguard.i18n`); nothing is guessed.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from clientguard.csvinput import read_csv_text, read_day
from clientguard.errors import ConfigError
from clientguard.fx import RateRow
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext, noop
from clientguard.model import MAX_RATE, MIN_RATE, rate_in_bounds
from clientguard.money import is_currency

__all__ = ["COLUMNS", "TEMPLATE", "read_rates_file", "template"]

COLUMNS = ("date", "currency", "base", "rate")
"""The columns a rates file must have."""

#: A rate as the file must write it: ASCII digits and at most one dot (``0.9612``, ``4``).
_PLAIN_RATE = re.compile(r"[0-9]*\.?[0-9]+")

_COMMENTS = noop(
    "clientguard exchange rates: units of BASE per one unit of CURRENCY on DATE.\n"
    "One rate a row; a document is converted at the rate of its date, or the latest earlier\n"
    "one within max_staleness_days ([rates] in clientguard.toml, 7 by default).\n"
    "BASE may differ from your base currency: the rate is then crossed through the rate of your\n"
    "base currency on the same day. Lines starting with # are comments."
)
"""The template's comments, line for line (a translation breaks its own lines)."""

_EXAMPLE = """\
date,currency,base,rate
2025-01-31,USD,EUR,0.9612
2025-01-31,ILS,EUR,0.2681
"""


def _commented(comments: str) -> str:
    return "".join(f"# {line}\n" for line in comments.split("\n")) + _EXAMPLE


TEMPLATE = _commented(_COMMENTS)
"""What ``clientguard rates template`` prints in English (:func:`template` in the active
language): the header and the rows are the same in every language."""


def template() -> str:
    """What ``clientguard rates template`` prints: :data:`TEMPLATE` with its comments in the
    active language (:mod:`clientguard.i18n`)."""
    return _commented(_(_COMMENTS))


def read_rates_file(path: Path, *, source: str | None = None) -> list[RateRow]:
    """The rates in ``path`` (see the module for the format), as rows of ``source``
    (default ``file:<file name>``). Raises :class:`ConfigError` naming the file, line and
    column of the first row that breaks a rule."""
    name = source or f"file:{path.name}"
    text = read_csv_text(path, _("the rates file"), unreadable=_(
        "rates file {path}: cannot be read ({problem})"))
    if not text.records:
        raise ConfigError(_("rates file {path}: has no header line ({columns})").format(
            path=path, columns=",".join(COLUMNS)))
    lines = list(text.records)
    header = [cell.strip().lower() for cell in lines[0][1]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ConfigError(
            _("{where}: the header has no {missing} column; it needs {columns} (clientguard "
              "rates template prints an example)").format(
                where=_where(path, lines[0][0]),
                missing=", ".join(repr(m) for m in missing), columns=",".join(COLUMNS))
        )
    at = {column: header.index(column) for column in COLUMNS}
    rows = []
    seen: dict[tuple[str, str, date], tuple[int, RateRow]] = {}
    for number, cells in lines[1:]:
        where = _where(path, number)
        if len(cells) != len(header):
            # More fields than the header is usually a decimal comma (1,05): never guessed.
            raise ConfigError(ngettext(
                "{where}: has {fields} field, the header {header} (a rate with a decimal "
                "comma? write it with a dot: 1.05)",
                "{where}: has {fields} fields, the header {header} (a rate with a decimal "
                "comma? write it with a dot: 1.05)", len(cells)).format(
                where=where, fields=len(cells), header=len(header)))
        value = {column: cells[index].strip() for column, index in at.items()}
        rate = _row(value, name, where)
        key = (rate.currency, rate.base, rate.published)
        earlier = seen.get(key)
        if earlier is not None and earlier[1].rate != rate.rate:
            raise ConfigError(
                _("{where}: a second {currency} rate in {base} for {day} ({rate}; line "
                  "{line} has {earlier}): keep one").format(
                    where=where, currency=rate.currency, base=rate.base, day=rate.published,
                    rate=rate.rate, line=earlier[0], earlier=earlier[1].rate)
            )
        seen[key] = (number, rate)
        rows.append(rate)
    return rows


def _where(path: Path, number: int) -> str:
    """The place of a line of the rates file, in the active language: the start of each
    error about the line (a whole phrase, so a message built on it reads in either
    language)."""
    return _("rates file {path}, line {number}").format(path=path, number=number)


def _row(value: dict[str, str], source: str, where: str) -> RateRow:
    day = read_day(value["date"])
    if day is None:
        raise ConfigError(_("{where}, column {column}: {value} is not a date "
                            "YYYY-MM-DD or DD.MM.YYYY").format(
            where=where, column=repr("date"), value=repr(value["date"])))
    for column in ("currency", "base"):
        if not is_currency(value[column]):
            raise ConfigError(_("{where}, column {column}: {value} is not an upper-case "
                                "ISO 4217 currency code").format(
                where=where, column=repr(column), value=repr(value[column])))
    try:
        rate = Decimal(value["rate"])
    except InvalidOperation:
        raise ConfigError(_("{where}, column {column}: {value} is not a number (write it "
                            "with a dot: 0.9612)").format(
            where=where, column=repr("rate"), value=repr(value["rate"]))) from None
    if not rate.is_finite() or rate <= 0:
        raise ConfigError(_("{where}, column {column}: {value} is not a positive "
                            "rate").format(
            where=where, column=repr("rate"), value=repr(value["rate"])))
    if _PLAIN_RATE.fullmatch(value["rate"]) is None:
        # Decimal() reads 4_25 as 425, 4.25E+2, and digits of any script: a rate 100 times
        # too large would convert every document silently.
        raise ConfigError(_("{where}, column {column}: {value} is not a rate written with the "
                            "digits 0-9 and a dot (0.9612): write it so, without an exponent "
                            "(1E-5), underscores or digits of another script").format(
            where=where, column=repr("rate"), value=repr(value["rate"])))
    if not rate_in_bounds(rate):
        # The bounds every document's rate is held to (the ledger refuses a table past them):
        # said here, at the file's line, not at the build.
        large = rate > MAX_RATE
        message = (_("{where}, column {column}: {value} is more than {bound} units of {base} "
                     "per {currency}, the largest rate a document may carry: no exchange "
                     "rate is that large; fix the rate") if large else
                   _("{where}, column {column}: {value} is less than {bound} units of {base} "
                     "per {currency}, the smallest rate a document may carry: no exchange "
                     "rate is that small; fix the rate"))
        raise ConfigError(message.format(
            where=where, column=repr("rate"), value=repr(value["rate"]),
            bound=f"10^{(MAX_RATE if large else MIN_RATE).adjusted()}", base=value["base"],
            currency=value["currency"]))
    if value["currency"] == value["base"]:
        raise ConfigError(_("{where}: currency and base are both {currency}").format(
            where=where, currency=value["base"]))
    return RateRow(source, value["base"], value["currency"], day, rate, day)
