"""The pure parts: query statements, Fault bodies, and pacing under the limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import TypedDict

import pytest

from clientguard.redaction import Scrubber
from clientguard_quickbooks.faults import parse_fault
from clientguard_quickbooks.pacing import Pacer
from clientguard_quickbooks.query import build_query, timestamp_literal

from .conftest import Clock


class QueryOptions(TypedDict, total=False):
    """build_query's keyword arguments, as a test passes them."""

    since: datetime | None
    where: str | None
    start: int
    max_results: int

# --------------------------------------------------------------------------- queries


@pytest.mark.parametrize(
    ("kwargs", "statement"),
    [
        ({}, "SELECT * FROM Invoice ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000"),
        (
            {"since": datetime(2026, 4, 8, 13, 16, 17, 500, tzinfo=timezone(timedelta(hours=-7)))},
            "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= "
            "'2026-04-08T20:16:17+00:00' ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000",
        ),
        (
            {"where": "Active IN (true, false)", "start": 1001, "max_results": 10},
            "SELECT * FROM Invoice WHERE Active IN (true, false) ORDERBY Id "
            "STARTPOSITION 1001 MAXRESULTS 10",
        ),
    ],
)
def test_query_statements(kwargs: QueryOptions, statement: str) -> None:
    assert build_query("Invoice", **kwargs) == statement


@pytest.mark.parametrize(
    "kwargs",
    [{"start": 0}, {"max_results": 1001}, {"max_results": 0}],
)
def test_out_of_range_paging_is_refused(kwargs: QueryOptions) -> None:
    with pytest.raises(ValueError, match="STARTPOSITION"):
        build_query("Invoice", **kwargs)


def test_an_entity_must_be_a_name_and_a_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="entity"):
        build_query("Invoice; DROP")
    with pytest.raises(ValueError, match="timezone"):
        timestamp_literal(datetime(2026, 1, 1))


def test_timestamps_are_utc_to_the_second() -> None:
    assert timestamp_literal(datetime(2026, 1, 1, 0, 0, 0, 999, tzinfo=UTC)) == (
        "2026-01-01T00:00:00+00:00"
    )


# --------------------------------------------------------------------------- faults

#: A client that knows no secret: the words of these Faults (none is a secret) are kept as sent.
AS_SENT = Scrubber().scrub


def test_a_validation_fault_reads_as_a_sentence() -> None:
    fault = parse_fault(
        {"Fault": {"Error": [{"Message": "Invalid query", "Detail": "QueryParserError: x",
                              "code": "4000"}], "type": "ValidationFault"}}, scrub=AS_SENT
    )
    assert fault is not None
    assert str(fault) == (
        "QuickBooks ValidationFault: Invalid query: QueryParserError: x (code 4000)"
    )
    assert not fault.throttled


def test_the_lower_case_authentication_fault_is_read_too() -> None:
    fault = parse_fault(
        {"fault": {"error": [{"message": "message=AuthenticationFailed", "detail": "Token expired",
                              "code": "3200"}], "type": "AUTHENTICATION"}}, scrub=AS_SENT
    )
    assert fault is not None
    assert "AUTHENTICATION" in str(fault)
    assert "Token expired" in str(fault)


def test_a_throttle_fault_is_recognised() -> None:
    fault = parse_fault({"Fault": {"Error": [{"Message": "ThrottleExceeded", "code": "3001"}]}},
                        scrub=AS_SENT)
    assert fault is not None
    assert fault.throttled


@pytest.mark.parametrize("body", [{"QueryResponse": {}}, [], None, {"Fault": "x"}])
def test_bodies_without_a_fault(body: object) -> None:
    assert parse_fault(body, scrub=AS_SENT) is None


# --------------------------------------------------------------------------- pacing


def test_the_eleventh_request_in_a_second_waits_for_the_first_to_leave_the_window(
    clock: Clock,
) -> None:
    pacer = Pacer([(10, 1.0), (500, 60.0)], sleep=clock.sleep, monotonic=clock)
    for _ in range(10):
        pacer.wait()
        clock.now += 0.01
    assert clock.waits == []
    pacer.wait()
    assert clock.waits == [pytest.approx(0.9)]  # the first went at 0.0, it is now 0.1


def test_the_minute_limit_binds_when_requests_are_spread_over_seconds(clock: Clock) -> None:
    seen: list[tuple[float, str]] = []
    pacer = Pacer([(10, 1.0), (5, 60.0)], sleep=clock.sleep, monotonic=clock,
                  on_wait=lambda s, r: seen.append((s, r)))
    for _ in range(5):
        pacer.wait()
        clock.now += 2.0
    pacer.wait()
    assert clock.waits == [pytest.approx(50.0)]  # first at 0, now 10: 50 s to go
    assert seen[0][1] == "pacing: 5 requests per 60 s"


@pytest.mark.parametrize(
    ("count", "said"),
    [
        # Polish counts its nouns three ways: 1 zapytanie, 2-4 zapytania, 5 and more zapytań.
        (1, "limit tempa: 1 zapytanie na 60 s"),
        (3, "limit tempa: 3 zapytania na 60 s"),
        (5, "limit tempa: 5 zapytań na 60 s"),
    ],
)
def test_the_pacing_reason_is_said_in_the_readers_language(
    clock: Clock, count: int, said: str
) -> None:
    # Shown on sync's progress line after "czekam N s:", which was Polish while this stayed
    # English.
    from clientguard.i18n import using

    pacer = Pacer([(count, 60.0)], sleep=clock.sleep, monotonic=clock)
    for _ in range(count):
        pacer.wait()
    with using("pl"):
        assert pacer.delay(clock())[1] == said


def test_limits_must_make_sense() -> None:
    with pytest.raises(ValueError, match="limit"):
        Pacer([(0, 1.0)], sleep=lambda s: None, monotonic=lambda: 0.0)
