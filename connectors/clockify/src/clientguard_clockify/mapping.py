"""A Clockify time entry (``GET /workspaces/{id}/user/{userId}/time-entries?hydrated=true``)
as a clientguard time entry.

Clockify names the client through the entry's project (``project.clientName``; the
hydrated entry embeds the project). Its client ids are Clockify's, not the books', so the
entry carries the client's *name* (``customer_name``) and the ledger matches it to a
customer by the core's one name rule. An entry with no project, or a project with no
client, is work for nobody outside: skipped, and counted by reason.
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
    "HOURS_PLACES",
    "SOURCE",
    "USER_NAME_KEY",
    "iana_zone",
    "time_entry_from_clockify",
]

SOURCE = "clockify"

HOURS_PLACES = Decimal("0.000001")
"""Hours from seconds are kept to a millionth of an hour (under 4 ms)."""

#: The key under which the connector adds the user's name to each raw entry (not Clockify's).
USER_NAME_KEY = "clientguard:user_name"


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def _moment(value: object, field: str) -> datetime | None:
    text = _text(value)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DataError(f"{field}: {text!r} is not an ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def time_entry_from_clockify(raw: Mapping[str, Any], zone: tzinfo = UTC) -> TimeEntry | Skip:
    """One hydrated Clockify time entry; its day in ``zone`` (see the module)."""
    ident = _text(raw.get("id"))
    if ident is None:
        raise DataError("id: is missing")
    interval = raw.get("timeInterval")
    if not isinstance(interval, Mapping):
        raise DataError("timeInterval: is missing")
    start = _moment(interval.get("start"), "timeInterval.start")
    if start is None:
        raise DataError("timeInterval.start: is missing")
    end = _moment(interval.get("end"), "timeInterval.end")
    if end is None:
        return Skip("running timer: counted once it stops")
    if end < start:
        raise DataError(f"timeInterval.end: {end.isoformat()} is before its start")
    project = raw.get("project")
    client = _text(project.get("clientName")) if isinstance(project, Mapping) else None
    if client is None:
        return Skip("no client (no project, or a project without a client)")
    seconds = Decimal(int((end - start).total_seconds()))
    hours = (seconds / 3600).quantize(HOURS_PLACES, ROUND_HALF_EVEN)
    timer_hours(hours, "timeInterval")
    if hours == 0:
        return Skip("no hours")
    billable = raw.get("billable")
    return TimeEntry(
        id=ident,
        customer_name=client,
        date=start.astimezone(zone).date(),
        hours=hours,
        person=_text(raw.get(USER_NAME_KEY)),
        billable=billable if isinstance(billable, bool) else None,
        source=SOURCE,
    )
