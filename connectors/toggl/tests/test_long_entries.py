"""An entry longer than a day is a timer left running (over a night, a weekend), not a
person's work: counted, one forgotten timer made its client the team's largest by hours.
It is rejected naming the hours and what to do; a day's entry (24 hours) still counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from clientguard.errors import DataError
from clientguard.model import TimeEntry
from clientguard_toggl.mapping import CLIENT_NAME_KEY, time_entry_from_toggl


def entry(seconds: int, stop: str) -> dict[str, Any]:
    """An entry of a detailed-search row, its row's fields merged in (as the connector does)."""
    return {"user_id": 30, "username": "Kim", "project_id": 1001, "billable": True,
            CLIENT_NAME_KEY: "Acme Ltd", "id": 4001, "seconds": seconds,
            "start": "2026-05-01T16:00:00+00:00", "stop": stop, "at": "2026-05-04T04:00:01Z"}


@pytest.mark.parametrize(("seconds", "stop", "counted"), [
    (27000, "2026-05-01T23:30:00+00:00", Decimal("7.5")),
    (86400, "2026-05-02T16:00:00+00:00", Decimal(24)),     # a whole day: counted
    (86401, "2026-05-02T16:00:01+00:00", None),
    (216000, "2026-05-04T04:00:00+00:00", None),           # Friday 16:00 to Monday 04:00
])
def test_an_entry_of_more_than_a_day_is_rejected(
    seconds: int, stop: str, counted: Decimal | None
) -> None:
    if counted is None:
        with pytest.raises(DataError, match=r"^seconds: .* hours in one entry, more than a day"):
            time_entry_from_toggl(entry(seconds, stop))
        return
    got = time_entry_from_toggl(entry(seconds, stop))
    assert isinstance(got, TimeEntry)
    assert got.hours == counted
