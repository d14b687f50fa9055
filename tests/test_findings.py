"""Findings: severity order by seriousness, the stable order of by_severity, findings as data."""

from __future__ import annotations

import json
import pickle
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.findings import Evidence, Finding, Severity, Signal, by_severity

D = Decimal
WATCH, WARNING, CRITICAL = Severity.WATCH, Severity.WARNING, Severity.CRITICAL


@pytest.mark.parametrize(
    ("low", "high"),
    [(WATCH, WARNING), (WARNING, CRITICAL), (WATCH, CRITICAL)],
)
def test_severity_orders_by_seriousness_not_alphabet(low: Severity, high: Severity) -> None:
    # Alphabetically "critical" < "warning" < "watch": the opposite of what is meant.
    assert low < high
    assert low <= high
    assert high > low
    assert high >= low
    assert not high < low
    assert not low > high
    assert low <= low
    assert low >= low


def test_sorted_max_and_min_follow_seriousness() -> None:
    assert sorted([CRITICAL, WATCH, WARNING]) == [WATCH, WARNING, CRITICAL]
    assert max([WATCH, CRITICAL, WARNING]) is CRITICAL
    assert min([WARNING, CRITICAL, WATCH]) is WATCH


@pytest.mark.parametrize(
    ("severity", "rank", "value"),
    [(WATCH, 1, "watch"), (WARNING, 2, "warning"), (CRITICAL, 3, "critical")],
)
def test_severity_values_and_ranks(severity: Severity, rank: int, value: str) -> None:
    assert severity.rank == rank
    assert severity == value
    assert Severity(value) is severity


def test_a_severity_compares_with_its_plain_string() -> None:
    assert WATCH < "critical"
    assert CRITICAL > "watch"  # reflected: Severity's __gt__ answers
    assert CRITICAL >= "warning"


def test_signal_values_are_the_documented_ones() -> None:
    assert [s.value for s in Signal] == [
        "chronic_late", "worsening_late", "revenue_concentration", "receivables_concentration",
        "cross_aging", "capacity", "rush", "book_concentration", "dispute", "expected_late",
        "stale_data", "custom",
    ]


def finding(
    customer_id: str | None, signal: Signal, severity: Severity, metric: str = "m"
) -> Finding:
    return Finding(customer_id=customer_id, signal=signal, severity=severity, metric=metric,
                   value=D("0.5"), threshold=D("0.2"), message="...")


def test_by_severity_puts_the_most_serious_first_then_client_signal_metric() -> None:
    findings = [
        finding("beta", Signal.RUSH, WATCH),
        finding("acme", Signal.CHRONIC_LATE, WARNING),
        finding("beta", Signal.CHRONIC_LATE, CRITICAL),
        finding(None, Signal.BOOK_CONCENTRATION, WARNING),
        finding("acme", Signal.CAPACITY, WARNING),
        finding("acme", Signal.CHRONIC_LATE, CRITICAL, metric="open_days_past_due"),
        finding("acme", Signal.CHRONIC_LATE, CRITICAL, metric="late_share"),
    ]
    expected = [
        ("acme", Signal.CHRONIC_LATE, CRITICAL, "late_share"),
        ("acme", Signal.CHRONIC_LATE, CRITICAL, "open_days_past_due"),
        ("beta", Signal.CHRONIC_LATE, CRITICAL, "m"),
        (None, Signal.BOOK_CONCENTRATION, WARNING, "m"),  # the whole book before any client
        ("acme", Signal.CAPACITY, WARNING, "m"),  # "capacity" < "chronic_late"
        ("acme", Signal.CHRONIC_LATE, WARNING, "m"),
        ("beta", Signal.RUSH, WATCH, "m"),
    ]
    got = [(f.customer_id, f.signal, f.severity, f.metric) for f in by_severity(findings)]
    assert got == expected


@given(st.permutations(range(7)))
def test_by_severity_does_not_depend_on_the_input_order(order: list[int]) -> None:
    findings = [
        finding(c, s, v)
        for c, s, v in [
            ("a", Signal.RUSH, WATCH), ("b", Signal.RUSH, CRITICAL), (None, Signal.RUSH, WATCH),
            ("a", Signal.CAPACITY, WARNING), ("c", Signal.CAPACITY, WARNING),
            ("a", Signal.CROSS_AGING, CRITICAL), ("b", Signal.CHRONIC_LATE, WATCH),
        ]
    ]
    assert by_severity([findings[i] for i in order]) == by_severity(findings)


def test_a_finding_is_data_that_serialises_to_json_and_pickles() -> None:
    found = Finding(
        customer_id="acme",
        signal=Signal.CHRONIC_LATE,
        severity=WARNING,
        metric="late_share",
        value=D("0.75"),
        threshold=D("0.5"),
        message="acme paid 3 of 4 invoices late (75%), 21 days late on average.",
        evidence=Evidence(record_ids=("I1", "I2", "I3"), numbers={"late": 3, "due": 4},
                          period=(date(2024, 7, 1), date(2025, 6, 30))),
    )
    dumped = json.loads(json.dumps(found.model_dump(mode="json")))
    assert dumped["severity"] == "warning"
    assert dumped["signal"] == "chronic_late"
    assert dumped["value"] == "0.75"  # Decimal stays exact in JSON, as a string
    assert dumped["evidence"]["period"] == ["2024-07-01", "2025-06-30"]
    assert Finding.model_validate(dumped) == found
    assert pickle.loads(pickle.dumps(found)) == found
    with pytest.raises(ValueError, match="frozen"):
        found.severity = CRITICAL  # type: ignore[misc]
