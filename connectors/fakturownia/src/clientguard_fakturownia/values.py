"""Reading Fakturownia's field values: amounts as strings, dates, timestamps, tax numbers.

Fakturownia sends money as JSON strings (``"price_gross": "100.00"``), and its own examples
write them with a Polish decimal comma (``"paid": "0,00"``, ``"72,57"``). Both forms, and
thousands separated by spaces (``"1 234,56"``), are read here into exact Decimals. A float
never becomes money: the connector decodes JSON with ``parse_float=Decimal``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from clientguard.errors import DataError

#: Fakturownia is a Polish service: a timestamp without an offset is Warsaw time.
WARSAW: tzinfo = ZoneInfo("Europe/Warsaw")

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_amount(value: object, *, field: str) -> Decimal:
    """An exact Decimal from ``"100.00"``, ``"59,00"``, ``"1 234,56"``, ``"1.234,56"``, an int
    or a Decimal. Raises :class:`DataError` naming ``field`` for anything else (a float
    included: it already lost the cents)."""
    if isinstance(value, bool) or value is None:
        raise DataError(f"{field}: {value!r} is not an amount")
    if isinstance(value, float):
        raise DataError(f"{field}: {value!r} is a float; amounts must be exact")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise DataError(f"{field}: {value} is not a finite amount")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, str):
        raise DataError(f"{field}: {type(value).__name__} {value!r} is not an amount")
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
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise DataError(f"{field}: {value!r} is not an amount") from None


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
    except ValueError:
        return None
    return moment.replace(tzinfo=WARSAW) if moment.tzinfo is None else moment


def text_of(value: object) -> str | None:
    """A stripped, non-empty string, or None (ids arrive as ints or strings)."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


_TAX_NOISE = re.compile(r"[\s\-./]")
_NIP = re.compile(r"^(?:PL)?(\d{10})$")


def normalize_tax_id(value: object, kind: object = None) -> str | None:
    """A tax number in one canonical form, so that other sources can be matched by it.

    A Polish NIP (``tax_no_kind`` empty or ``NIP``), written ``525-244-57-67``,
    ``PL5252445767`` or ``525 244 57 67``, becomes its ten digits ``5252445767``. Anything
    else (a foreign VAT number, a PESEL) is kept upper-case without spaces, dashes and dots
    (``DE 123.456.789`` -> ``DE123456789``). Empty gives None.
    """
    text = text_of(value)
    if text is None:
        return None
    cleaned = _TAX_NOISE.sub("", text).upper()
    if not cleaned:
        return None
    kind_text = (text_of(kind) or "NIP").upper()
    match = _NIP.match(cleaned)
    if kind_text == "NIP" and match:
        return match.group(1)
    return cleaned
