"""An entry longer than a day is a timer left running (over a night, a weekend), not a
person's work: counted, one forgotten timer made its client the team's largest by hours.
It is rejected naming the hours and what to do; a day's entry (24 hours) still counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from clientguard.errors import DataError
from clientguard.model import TimeEntry
from clientguard_clockify.mapping import time_entry_from_clockify


def entry(end: str, duration: str) -> dict[str, Any]:
    """A hydrated entry as ``GET .../time-entries?hydrated=true`` lists it."""
    return {"id": "64c777ddd3fcab07cfbb210c", "billable": True, "type": "REGULAR",
            "timeInterval": {"start": "2026-05-01T16:00:00Z", "end": end,
                             "duration": duration},
            "project": {"id": "p1", "name": "Site", "clientId": "c1", "clientName": "Acme Ltd"}}


@pytest.mark.parametrize(("end", "duration", "counted"), [
    ("2026-05-01T23:30:00Z", "PT7H30M", Decimal("7.5")),
    ("2026-05-02T16:00:00Z", "PT24H", Decimal(24)),            # a whole day: counted
    ("2026-05-02T16:00:01Z", "PT24H0M1S", None),
    ("2026-05-04T04:00:00Z", "PT60H", None),                   # Friday 16:00 to Monday 04:00
])
def test_an_entry_of_more_than_a_day_is_rejected(
    end: str, duration: str, counted: Decimal | None
) -> None:
    if counted is None:
        with pytest.raises(DataError,
                           match=r"^timeInterval: .* hours in one entry, more than a day"):
            time_entry_from_clockify(entry(end, duration))
        return
    got = time_entry_from_clockify(entry(end, duration))
    assert isinstance(got, TimeEntry)
    assert got.hours == counted
