"""Xero Projects time entries (``projects.xro/2.0``) as clientguard time entries.

A project belongs to a contact (``contactId``); a time entry belongs to a project. The
connector reads each project's time entries and adds the project's contact to each raw entry
under :data:`CONTACT_KEY` (not a Xero field), so that the mapping stays a pure function of
one raw record. The contact is a customer of the same Xero organisation: the entry is counted
for it by id, no name is matched.

* ``duration`` is minutes (an integer); hours are ``duration / 60``, kept to a millionth of
  an hour.
* ``dateUtc`` is the moment the time is logged on; the day worked is that moment in the
  organisation's time zone (the connector's ``timezone`` option).
* Every status counts (``ACTIVE``, ``LOCKED`` while being invoiced, ``INVOICED``): the work
  was done whether or not it was billed. Xero says whether time is chargeable on the task,
  not on the entry, so ``billable`` stays unknown (None).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from clientguard.connector import Skip
from clientguard.errors import DataError
from clientguard.model import TimeEntry
from clientguard_xero.mapping import SOURCE, Resolve

__all__ = ["CONTACT_KEY", "HOURS_PLACES", "logged_at", "time_entry_from_project"]

CONTACT_KEY = "clientguard:contactId"
"""The key under which the connector adds the project's contact to each raw time entry."""

HOURS_PLACES = Decimal("0.000001")
"""Hours from minutes are kept to a millionth of an hour (a third of an hour is not exact)."""

_MAX_MINUTES = 10**9
"""More minutes than any time entry: 1,900 years. A larger number (``1e999999999``) would
only overflow the hours' arithmetic, in an error naming no field."""


def _same(contact_id: str) -> str:
    return contact_id


def logged_at(raw: Mapping[str, Any]) -> datetime | None:
    """The entry's ``dateUtc`` as an aware UTC moment; None when absent or unreadable."""
    value = raw.get("dateUtc")
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):  # 9999-12-31T23:59:59-14:00 is past 9999 in UTC
        return None


def time_entry_from_project(
    raw: Mapping[str, Any], resolve: Resolve = _same, zone: tzinfo = UTC
) -> TimeEntry | Skip:
    """One Xero Projects time entry, counted for its project's contact (see the module)."""
    ident = raw.get("timeEntryId")
    if not isinstance(ident, str) or not ident.strip():
        raise DataError("timeEntryId: is missing")
    contact = raw.get(CONTACT_KEY)
    if not isinstance(contact, str) or not contact.strip():
        raise DataError(
            f"projectId: project {raw.get('projectId')!r} names no contact (contactId), so its "
            "time cannot be counted for a client; set the project's contact in Xero Projects"
        )
    moment = logged_at(raw)
    if moment is None:
        raise DataError(f"dateUtc: {raw.get('dateUtc')!r} is not an ISO 8601 date-time "
                        "inside the calendar in UTC")
    minutes = raw.get("duration")
    if (isinstance(minutes, bool) or not isinstance(minutes, int | Decimal)
            or (isinstance(minutes, Decimal) and not minutes.is_finite())):
        raise DataError(f"duration: {minutes!r} is not a number of minutes")
    if minutes >= _MAX_MINUTES:
        raise DataError(f"duration: {minutes} minutes is more than a time entry can hold")
    if minutes < 0:
        raise DataError(f"duration: {minutes} minutes is negative")
    if minutes == 0:
        return Skip("no hours")
    hours = (Decimal(minutes) / 60).quantize(HOURS_PLACES, ROUND_HALF_EVEN)
    try:
        day = moment.astimezone(zone).date()
    except OverflowError:  # 9999-12-31T23:00:00Z in a zone east of UTC
        raise DataError(f"dateUtc: {raw.get('dateUtc')!r} is past the calendar's end in "
                        f"{zone}") from None
    return TimeEntry(
        id=ident.strip(),
        customer_id=resolve(contact.strip()),
        date=day,
        hours=hours,
        source=SOURCE,
    )
