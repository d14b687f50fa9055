"""An entry longer than a day is a timer left running (over a night, a weekend), not a
person's work: counted, one forgotten timer made its client the team's largest by hours.
It is rejected naming the hours and what to do; a day's entry (24 hours) still counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from clientguard.errors import DataError
from clientguard.model import TimeEntry
from clientguard_harvest.mapping import time_entry_from_harvest


def entry(hours: Any) -> dict[str, Any]:
    """A time entry as ``GET /v2/time_entries`` lists it (JSON numbers read as Decimal)."""
    return {"id": 636709355, "spent_date": "2026-05-01", "hours": hours,
            "rounded_hours": hours, "is_running": False, "billable": True,
            "client": {"id": 5735776, "name": "Acme Ltd"},
            "user": {"id": 1782959, "name": "Kim Allen"}}


@pytest.mark.parametrize(("hours", "counted"), [
    (Decimal("7.5"), Decimal("7.5")),
    (24, Decimal(24)),                      # a whole day: possible, counted
    (Decimal("24.01"), None),
    (Decimal("60.0"), None),                # Friday 16:00 to Monday 04:00
])
def test_an_entry_of_more_than_a_day_is_rejected(hours: Any, counted: Decimal | None) -> None:
    if counted is None:
        with pytest.raises(DataError, match=r"^hours: .* hours in one entry, more than a day"):
            time_entry_from_harvest(entry(hours))
        return
    got = time_entry_from_harvest(entry(hours))
    assert isinstance(got, TimeEntry)
    assert got.hours == counted
