"""Reading Fakturownia's field values: amounts as strings, dates, timestamps, tax numbers.

Fakturownia sends money as JSON strings (``"price_gross": "100.00"``), and its own examples
write them with a Polish decimal comma (``"paid": "0,00"``, ``"72,57"``). Both forms, and
thousands separated by spaces (``"1 234,56"``), are read here into exact Decimals. A float
never becomes money: the connector decodes JSON with ``parse_float=Decimal``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from clientguard.errors import DataError
from clientguard.money import to_decimal
from clientguard.tax_id import normalise_tax_id

__all__ = [
    "WARSAW",
    "optional_amount",
    "parse_amount",
    "parse_date",
    "parse_timestamp",
    "tax_id_of",
    "text_of",
]

#: Fakturownia is a Polish service: a timestamp without an offset is Warsaw time.
WARSAW: tzinfo = ZoneInfo("Europe/Warsaw")

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_amount(value: object, *, field: str) -> Decimal:
    """An exact Decimal from ``"100.00"``, ``"59,00"``, ``"1 234,56"``, ``"1.234,56"``, an int
    or a Decimal. Raises :class:`DataError` naming ``field`` for anything else (a float
    included: it already lost the cents)."""
    if value is None:
        raise DataError(f"{field}: {value!r} is not an amount")
    if not isinstance(value, str):
        # The core's rules: an int or a finite Decimal; never a float or a bool.
        return to_decimal(value, what=field)
    text = _SPACES.sub("", value)
    if "," in text and "." in text:
        # Both separators: the last one is the decimal separator, the other groups thousands.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    if not _PLAIN.match(text):
        raise DataError(f"{field}: {value!r} is not an amount")
    return Decimal(text)  # the pattern admits only digits, a sign and one dot


def optional_amount(value: object, *, field: str) -> Decimal | None:
    """Like :func:`parse_amount`, but ``None`` and ``""`` mean "not given"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_amount(value, field=field)


def parse_date(value: object, *, field: str) -> date | None:
    """A date from ``"2026-08-26"`` or a timestamp (its local date); None when empty.

    A timestamp's date is taken where it was written (``2026-07-31T23:30:00+02:00`` is the
    31st), never shifted to UTC: Fakturownia's dates are Polish calendar dates.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise DataError(f"{field}: {value!r} is not a date")
    text = value.strip()
    try:
        if "T" in text or " " in text:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        return date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None


def parse_timestamp(value: object) -> datetime | None:
    """A timezone-aware moment from an ISO 8601 string; naive ones are Warsaw time.

    None when missing or unreadable: a change time only steers incremental sync.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        moment = moment.replace(tzinfo=WARSAW) if moment.tzinfo is None else moment
        # The connector turns it to UTC: a moment outside the calendar there (the year 1 in
        # Warsaw, 9999-12-31T23:00:00-14:00) is as unreadable as a malformed one.
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment


def text_of(value: object) -> str | None:
    """A stripped, non-empty string, or None (ids arrive as ints or strings). An object, a
    list or a bool is no text: str() of it would make an id such as ``"{'a': 1}"``."""
    if value is None or isinstance(value, bool | Mapping | list):
        return None
    text = str(value).strip()
    return text or None


def tax_id_of(value: object, kind: object = None, country: object = None) -> str | None:
    """A client's or buyer's tax number (``tax_no`` with its ``tax_no_kind``) in the form
    every connector writes (:func:`clientguard.tax_id.normalise_tax_id`): a NIP (the kind
    empty or ``NIP``) as its ten digits; another kind (a PESEL) only cleaned. ``country`` is
    the client's (``country``, a document's ``buyer_country``: an ISO code, or the country's
    name in Polish or English, :func:`clientguard.tax_id.country_code`): a number typed
    without its VAT prefix gets that state's (``136695976`` of a client in ``DE`` or
    ``Niemcy`` is ``DE136695976``). Empty gives None."""
    return normalise_tax_id(text_of(value), nip=(text_of(kind) or "NIP").upper() == "NIP",
                            country=text_of(country))
