"""A Harvest time entry (API v2, ``GET /v2/time_entries``) as a clientguard time entry.

Harvest names the client of each entry (``client: {"id", "name"}``). Harvest's client ids
are its own, not the books', so the entry carries the client's *name*
(``customer_name``); the ledger matches it to a customer of the books by the core's one
name rule (:class:`clientguard.names.NameIndex`), and an unmatched name is reported with
its hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from clientguard.connector import Skip, timer_hours
from clientguard.errors import DataError
from clientguard.model import TimeEntry

__all__ = ["SOURCE", "time_entry_from_harvest"]

SOURCE = "harvest"


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def _name_of(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return _text(value.get("name")) if isinstance(value, Mapping) else None


def _hours(value: object, field: str) -> Decimal:
    # decode_json reads JSON numbers with parse_float=Decimal; an integer arrives as int.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise DataError(f"{field}: {value!r} is not a number of hours")
    return Decimal(value)


def time_entry_from_harvest(raw: Mapping[str, Any]) -> TimeEntry | Skip:
    """One Harvest time entry; its client by name (see the module). A running timer
    (``is_running``) is skipped until it stops, as Toggl's and Clockify's are."""
    ident = raw.get("id")
    if ident is None or ident == "":
        raise DataError("id: is missing")
    client = _name_of(raw, "client")
    if client is None:
        raise DataError(
            "client.name: is missing; every Harvest project belongs to a client, so the entry "
            "cannot be counted for anyone"
        )
    spent = _text(raw.get("spent_date"))
    if spent is None:
        raise DataError("spent_date: is missing")
    try:
        day = date.fromisoformat(spent)
    except ValueError:
        raise DataError(f"spent_date: {spent!r} is not a date (YYYY-MM-DD)") from None
    if raw.get("is_running") is True:
        # The hours so far depend on the moment of the read, and Toggl and Clockify, which
        # give no end yet, cannot count them: the same timer counts in each tracker once it
        # stops (stopping it changes the entry's updated_at, so the next sync reads it).
        return Skip("running timer: counted once it stops")
    hours = _hours(raw.get("hours"), "hours")
    timer_hours(hours, "hours")
    if hours == 0:
        return Skip("no hours")
    billable = raw.get("billable")
    return TimeEntry(
        id=str(ident),
        customer_name=client,
        date=day,
        hours=hours,
        person=_name_of(raw, "user"),
        billable=billable if isinstance(billable, bool) else None,
        source=SOURCE,
    )
