"""A Toggl Track time entry (a row of the Reports API v3 detailed search, one entry of its
``time_entries``) as a clientguard time entry.

The report names the entry's project (``project_id``); the project names its client
(``client_id``, API v9), and the client has the name. The connector joins them before the
mapping (the raw entry it hands over carries the client's name under
:data:`CLIENT_NAME_KEY`), so that the mapping stays pure. Toggl's client ids are not the
books', so the entry carries the client's *name* (``customer_name``) and the ledger matches it
to a customer by the core's one name rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from clientguard.connector import Skip, iana_zone, timer_hours
from clientguard.errors import DataError
from clientguard.model import TimeEntry

__all__ = [
    "CLIENT_NAME_KEY",
    "HOURS_PLACES",
    "SOURCE",
    "iana_zone",
    "time_entry_from_toggl",
]

SOURCE = "toggl"

#: The key under which the connector adds the client's name to each raw entry (not Toggl's).
CLIENT_NAME_KEY = "clientguard:client_name"

HOURS_PLACES = Decimal("0.000001")
"""Hours from seconds are kept to a millionth of an hour (under 4 ms)."""


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def time_entry_from_toggl(raw: Mapping[str, Any], zone: tzinfo = UTC) -> TimeEntry | Skip:
    """One entry of a detailed-report row (its row's fields merged in; see the module)."""
    ident = raw.get("id")
    if ident is None or ident == "" or isinstance(ident, bool):
        raise DataError("id: is missing")
    seconds = raw.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | Decimal):
        raise DataError(f"seconds: {seconds!r} is not a number of seconds")
    if seconds < 0 or raw.get("stop") is None:
        return Skip("running timer: counted once it stops")
    start_text = _text(raw.get("start"))
    if start_text is None:
        raise DataError("start: is missing")
    try:
        start = datetime.fromisoformat(start_text.replace("Z", "+00:00"))
    except ValueError:
        raise DataError(f"start: {start_text!r} is not an ISO 8601 time") from None
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    client = _text(raw.get(CLIENT_NAME_KEY))
    if client is None:
        return Skip("no client (no project, or a project without a client)")
    hours = (Decimal(seconds) / 3600).quantize(HOURS_PLACES, ROUND_HALF_EVEN)
    timer_hours(hours, "seconds")
    if hours == 0:
        return Skip("no hours")
    billable = raw.get("billable")
    return TimeEntry(
        id=str(ident),
        customer_name=client,
        date=start.astimezone(zone).date(),
        hours=hours,
        person=_text(raw.get("username")),
        billable=billable if isinstance(billable, bool) else None,
        source=SOURCE,
    )
