"""Amounts as exports write them, read into :class:`~decimal.Decimal` (never float).

Accepted, with the mapping's decimal and thousands separators: ``1020.00``, ``$1,020.00``,
``"1,020.00"``, ``(400.00)`` and ``($400.00)`` (accountants' negatives), ``-400``, ``400-``
(SAP's trailing minus), ``1 234,56`` (a space, no-break space or narrow no-break space as the
thousands separator), ``1.234,56 zł``, ``13.50 `` (trailing space), ``EUR 12.00``, and, under
``decimal = ","``, ``150,-`` and ``150,--`` (Polish and German for a whole amount, 150.00:
the dash stands for the minor units, it is not a minus).

A currency marker (``$``, ``€``, ``zł``, ``PLN``...) is stripped. When it names one currency
(``€``, ``zł``, an ISO code) the parse result carries it, so that the caller can refuse an
amount that contradicts the row's currency. ``$``, ``¥`` and ``kr`` name no single currency
and carry none, but each is written only for some (:data:`SHARED_SYMBOLS`): the result
carries the symbol, so that ``$1,020.00`` in a row whose currency is PLN or EUR is refused
too, never read as 1020 zloty.

Thousands separators are checked, not just deleted: ``1,5`` with ``,`` as the thousands
separator is an error (it is almost always a decimal comma in a file whose mapping says
``decimal = "."``), never the number 15. The other separator, where the mapping names it as
neither, is an error too, never a guess: ``1.500`` under ``decimal = ","`` (and thousands
a space, ``'`` or none) is one thousand five hundred in one export and one and a half in
another, and ``1,500`` under ``decimal = "."`` with no thousands separator likewise; the
message says which setting reads it.

A ``CR`` or ``DR`` after an amount (bank statements, Tally's ledgers) is refused saying what
it is: whether a credit is money owed or money paid depends on whose books the report is
from, so it is never read as a sign.

Excel's scientific notation (``1.23457E+11``) is no amount: the digits it does not show are
not in the file. It is refused, as any cell with a letter is, saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from clientguard.money import is_currency
from clientguard_csv.excel_numbers import is_scientific, scientific_amount

__all__ = [
    "CURRENCY_SYMBOLS",
    "SHARED_SYMBOLS",
    "SPACES",
    "Amount",
    "AmountError",
    "AmountFormat",
    "parse_amount",
    "plain_amount",
    "plain_value",
]

#: Spaces that exports use as thousands separators: space, no-break space, narrow no-break
#: space (French and Polish locales in Excel and LibreOffice) and thin space.
SPACES = " \u00a0\u202f\u2009"

#: Symbols that name exactly one currency. ``$``, ``¥`` and ``kr`` are shared by several
#: currencies, so they name none.
CURRENCY_SYMBOLS: dict[str, str | None] = {
    "$": None,
    "us$": "USD",
    "a$": "AUD",
    "au$": "AUD",
    "c$": "CAD",
    "ca$": "CAD",
    "nz$": "NZD",
    "hk$": "HKD",
    "s$": "SGD",
    "€": "EUR",
    "£": "GBP",
    "zł": "PLN",
    "zl": "PLN",
    "kč": "CZK",
    "ft": "HUF",
    "₹": "INR",
    "₽": "RUB",
    "₴": "UAH",
    "₺": "TRY",
    "₪": "ILS",
    "₩": "KRW",
    "₫": "VND",
    "฿": "THB",
    "¥": None,
    "kr": None,
    "kr.": None,
    "lei": "RON",
    "лв": "BGN",
    "лв.": "BGN",
}

#: The currencies a symbol of several currencies is written for, and what they are called in a
#: message. A row whose currency is none of them contradicts its amount's symbol: ``$100``
#: under PLN is not 100 zloty. Source: the currencies whose sign is ``$`` (alone or
#: prefixed: ``R$``, ``C$``, ``RD$``, ``T$``, ``WS$``, ``MOP$``), ``¥`` and ``kr``/``kr.``
#: in Wikipedia's "Dollar sign", "Yen and yuan sign" and "Krone"/"Krona" articles (ISO 4217
#: codes; a code the list lacks is refused with the symbol named, so the user writes the ISO
#: code in the cell or a currency column).
SHARED_SYMBOLS: dict[str, tuple[str, frozenset[str]]] = {
    "$": ("dollars or pesos", frozenset({
        "USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "BND", "BSD", "BBD", "BZD", "BMD",
        "FJD", "GYD", "JMD", "KYD", "LRD", "NAD", "SBD", "SRD", "TTD", "XCD", "ZWL", "ZWG",
        "MXN", "ARS", "CLP", "COP", "CUP", "DOP", "UYU", "BRL", "NIO", "CVE", "TOP", "WST",
        "MOP",
    })),
    "¥": ("yen or yuan", frozenset({"JPY", "CNY"})),
    "kr": ("kronor, kroner or krónur", frozenset({"SEK", "NOK", "DKK", "ISK"})),
    "kr.": ("kroner or krónur", frozenset({"SEK", "NOK", "DKK", "ISK"})),
}

_MINUS = "-\u2212"  # hyphen-minus and the Unicode minus sign
#: A whole amount under a decimal comma: ``150,-``, ``150,--``, ``150,–`` (no minor units).
_NO_MINOR_UNITS = re.compile(r"(?<=\d),(?:--?|\u2013|\u2014)$")
_MARKER_HEAD = re.compile(r"[^\d\s()+\-\u2212.,']+")
_MARKER_TAIL = re.compile(r"[^\d\s()+\-\u2212.,']+\.?$")


#: A dash where an amount would be, alone or with a currency marker (`` $ -   ``, ``- zł``,
#: ``–``): Excel's Accounting format shows zero so, and saves the CSV as shown. The text
#: around the dash must be a currency marker (:func:`_is_marker`): ``-N/A``, ``brak -`` or
#: ``-Infinity`` is no dash but text, not an amount for the ordinary reason.
_DASH = re.compile(r"(?:([^\d\s()+\-\u2212\u2013\u2014.,']+)\s*)?[\-\u2212\u2013\u2014]"
                   r"(?:\s*([^\d\s()+\-\u2212\u2013\u2014.,']+))?")


def _is_dash(body: str) -> bool:
    """Whether ``body`` (a stripped cell) is Excel's accounting zero: a dash alone, or with
    a currency marker before or after it (``$ -``, ``- zł``, ``PLN -``)."""
    match = _DASH.fullmatch(body)
    return match is not None and all(
        marker is None or _is_marker(marker) for marker in match.groups())


def _is_marker(text: str) -> bool:
    """Whether ``text`` is a currency marker: a symbol (:data:`CURRENCY_SYMBOLS`) or an ISO
    4217 code (any case)."""
    return text.casefold() in CURRENCY_SYMBOLS or (len(text) == 3 and is_currency(text.upper()))


def _dash(text: str) -> str:
    return (f"{text!r} is a dash, not an amount: Excel's Accounting format shows zero as a "
            "dash (and saves the CSV as shown), but other reports write one for no value, so "
            "it is read as neither; format the column as Number before saving the CSV (zero "
            "is then 0.00), or write 0 where the dash means zero")


class AmountError(ValueError):
    """A cell is not an amount under the mapping's separators; the message says why."""


@dataclass(frozen=True, slots=True)
class AmountFormat:
    """How a file writes numbers.

    ``decimal`` is ``"."`` or ``","``. ``thousands`` is ``","``, ``"."``, ``" "`` (any of the
    :data:`SPACES`), ``"'"`` (Swiss) or ``""`` for none; it must differ from ``decimal``.
    """

    decimal: str = "."
    thousands: str = ","

    def __post_init__(self) -> None:
        if self.decimal not in (".", ","):
            raise ValueError(f"decimal separator {self.decimal!r} must be '.' or ','")
        if self.thousands not in (",", ".", " ", "'", ""):
            raise ValueError(
                f"thousands separator {self.thousands!r} must be ',', '.', ' ', \"'\" or ''"
            )
        if self.thousands == self.decimal:
            raise ValueError(f"the decimal and thousands separators are both {self.decimal!r}")


class Amount(NamedTuple):
    """A parsed amount and the currency its marker names, if it names exactly one; else the
    marker of several currencies it carries (``$``, ``¥``, ``kr``: a key of
    :data:`SHARED_SYMBOLS`), if any."""

    value: Decimal
    currency: str | None = None
    shared: str | None = None

    def contradicts(self, currency: str) -> str | None:
        """Why this amount cannot be in ``currency`` (a row's currency), or None when it
        can: its marker names another currency, or is a symbol ``currency`` is not written
        with."""
        if self.currency is not None and self.currency != currency:
            return f"is in {self.currency}"
        if self.shared is not None:
            called, currencies = SHARED_SYMBOLS[self.shared]
            if currency not in currencies:
                return f"is in {called} ({self.shared!r})"
        return None


def _simple_pattern(fmt: AmountFormat) -> re.Pattern[str]:
    """Plain numbers in this format: an optional minus, digits grouped by the thousands
    separator (or not grouped), an optional decimal part. No markers, no spaces around."""
    decimal = re.escape(fmt.decimal)
    if fmt.thousands and fmt.thousands != " ":
        grouped = rf"\d{{1,3}}(?:{re.escape(fmt.thousands)}\d{{3}})+"
        return re.compile(rf"-?(?:{grouped}|\d+)(?:{decimal}\d+)?")
    return re.compile(rf"-?\d+(?:{decimal}\d+)?")


_SIMPLE: dict[tuple[str, str], re.Pattern[str]] = {}


def plain_amount(text: str, fmt: AmountFormat) -> Decimal | None:
    """The common cases, fast: a plain number, or digits grouped as the mapping says, with
    no marker and no sign but a leading minus. None for anything else (then use
    :func:`parse_amount`). A million-row file spends most of its amount reading here."""
    simple = _SIMPLE.get((fmt.decimal, fmt.thousands))
    if simple is None:
        simple = _SIMPLE.setdefault((fmt.decimal, fmt.thousands), _simple_pattern(fmt))
    if simple.fullmatch(text) is None:
        return None
    return plain_value(text, fmt)


def plain_value(text: str, fmt: AmountFormat) -> Decimal:
    """The Decimal of ``text``, a plain number in this format (one that :func:`plain_amount`
    accepts): the thousands separators dropped, the decimal separator made a point."""
    if fmt.thousands and fmt.thousands in text:
        text = text.replace(fmt.thousands, "")
    return Decimal(text if fmt.decimal == "." else text.replace(fmt.decimal, "."))


def parse_amount(text: str, fmt: AmountFormat) -> Amount:
    """Read one cell as an amount. Raises :class:`AmountError` saying what is wrong."""
    plain = plain_amount(text, fmt)
    if plain is not None:
        return Amount(plain)
    body = text.strip(SPACES + "\t")
    if not body:
        raise AmountError("is empty")
    if _is_dash(body):
        raise AmountError(_dash(text))
    if is_scientific(body):  # (Excel's 1.23457E+11: rejected as before, saying why)
        raise AmountError(scientific_amount(text))
    negations = 0
    markers: list[str] = []
    # Peel signs, parentheses and currency markers from both ends, in any order:
    # "($400.00)", "-$400", "$-400", "400,00 zł", "400.00-", "PLN 1 234,56".
    while True:
        before = body
        body = body.strip(SPACES + "\t")
        if len(body) >= 2 and body[0] == "(" and body[-1] == ")":
            negations += 1
            body = body[1:-1]
        elif body[:1] in _MINUS and body[:1]:
            negations += 1
            body = body[1:]
        elif fmt.decimal == "," and (whole := _NO_MINOR_UNITS.search(body)):
            body = body[: whole.start()] + ",00"  # "150,-" is 150,00, not minus 150
        elif body[-1:] in _MINUS and body[-1:]:
            negations += 1
            body = body[:-1]
        elif body[:1] == "+":
            body = body[1:]
        elif head := _MARKER_HEAD.match(body):
            markers.append(head.group())
            body = body[head.end() :]
        elif tail := _MARKER_TAIL.search(body):
            markers.append(tail.group())
            body = body[: tail.start()]
        if body == before:
            break
    if negations > 1:
        raise AmountError(f"{text!r} has more than one minus sign or pair of parentheses")
    currency, shared = _currency_of(markers, text)
    value = _number(body, fmt, text)
    return Amount(-value if negations else value, currency, shared)


def _currency_of(markers: list[str], text: str) -> tuple[str | None, str | None]:
    """The one currency the markers name, and the symbol of several currencies among them
    (``US$`` names USD; ``$`` alone only dollars or pesos)."""
    named: set[str] = set()
    shared: set[str] = set()
    for marker in markers:
        key = marker.casefold()
        if key in CURRENCY_SYMBOLS:
            code = CURRENCY_SYMBOLS[key]
        elif is_currency(marker.upper()) and len(marker) == 3:
            code = marker.upper()
        elif key.rstrip(".") in ("cr", "dr"):
            side = "credit" if key.startswith("c") else "debit"
            raise AmountError(
                f"{text!r} is marked {marker!r}, a {side}: whether a credit or a debit is money "
                "owed or money paid depends on whose books the report is from, so the mark is "
                "not read as a sign; export the amounts signed (a minus or parentheses for "
                "one side), or with debits and credits in columns of their own, and map the "
                "column of the record's side")
        else:
            raise AmountError(f"{text!r} is not an amount: {marker!r} is neither a number "
                              "nor a currency marker")
        if code is not None:
            named.add(code)
        elif key in SHARED_SYMBOLS:
            shared.add(key)
    if len(named) > 1:
        raise AmountError(f"{text!r} names two currencies: {', '.join(sorted(named))}")
    code = named.pop() if named else None
    for symbol in sorted(shared):
        called, currencies = SHARED_SYMBOLS[symbol]
        if code is not None and code not in currencies:
            raise AmountError(f"{text!r} names two currencies: {code} and {called} "
                              f"({symbol!r})")
    # A code says more than a symbol it is written with ("USD $5" is USD).
    return code, (min(shared) if shared and code is None else None)


#: Thousands separators a file may use that the mapping may not name, as the mapping names
#: them: any space (``1 234.56``, ``1\u00a0234,56``), or Swiss ``1'234.56``.
_OTHER_THOUSANDS = ((SPACES, " "), ("'", "'"))


def _thousands_hint(integer: str, fraction: str, fmt: AmountFormat) -> str:
    """Where a number's whole part is digits in groups of three split by a separator the
    mapping does not name (``1 234.56`` under ``thousands = ","``), the setting that reads it;
    else nothing."""
    if not fraction.isdigit() and fraction:
        return ""
    for separators, name in _OTHER_THOUSANDS:
        if name == fmt.thousands:
            continue
        groups = re.split(f"[{re.escape(separators)}]", integer)
        if (len(groups) > 1 and all(g.isascii() and g.isdigit() for g in groups)
                and 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            shown = "a space" if name == " " else repr(name)
            mapped = (f"the mapping's thousands separator is {fmt.thousands!r}"
                      if fmt.thousands else "the mapping names no thousands separator")
            return (f": it groups thousands with {shown}, but {mapped}; set "
                    f'thousands = "{name}" in the mapping to read it')
    return ""


def _number(body: str, fmt: AmountFormat, text: str) -> Decimal:
    if not body:
        raise AmountError(f"{text!r} has no digits")
    groups_sep = SPACES if fmt.thousands == " " else fmt.thousands
    integer, sep, fraction = body.partition(fmt.decimal)
    if fmt.decimal in fraction:
        raise AmountError(f"{text!r} has more than one decimal separator {fmt.decimal!r}")
    other = "," if fmt.decimal == "." else "."
    if groups_sep:
        groups = re.split(f"[{re.escape(groups_sep)}]", integer)
        if len(groups) > 1 and (
            not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])
        ):
            hint = ""
            if fmt.thousands == other:
                hint = (f"; if {other!r} is the decimal separator in this file, set "
                        f"decimal = {other!r} in the mapping")
            raise AmountError(
                f"{text!r}: the thousands separator {fmt.thousands!r} must separate groups "
                f"of three digits{hint}"
            )
        integer = "".join(groups)
    if groups_sep and any(c in fraction for c in groups_sep):
        raise AmountError(
            f"{text!r} has the thousands separator {fmt.thousands!r} after the decimal "
            f"separator {fmt.decimal!r}; set decimal and thousands in the mapping to match "
            "the file"
        )
    if other in integer or other in fraction:
        # The other separator is neither of the mapping's (a thousands separator of its own
        # would have been split off above): "1.500" under decimal = "," is one thousand five
        # hundred in one file and one and a half in another, so it is never guessed at.
        thousands = repr(fmt.thousands) if fmt.thousands else "none"
        raise AmountError(
            f"{text!r} is not an amount here: {other!r} is neither the mapping's decimal "
            f"separator ({fmt.decimal!r}) nor its thousands separator ({thousands}); if "
            f"{other!r} separates thousands in this file, set thousands = {other!r} in the "
            f"mapping; if it is the decimal separator, set decimal = {other!r}"
        )
    digits = integer + ("." + fraction if sep else "")
    # The point here is the mapping's decimal separator: a "." of the file's own that is not
    # is refused just above.
    if not re.fullmatch(r"\d*\.?\d*", digits) or not any(c.isdigit() for c in digits):
        raise AmountError(f"{text!r} is not an amount{_thousands_hint(integer, fraction, fmt)}")
    try:
        return Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only digits
        raise AmountError(f"{text!r} is not an amount") from None
