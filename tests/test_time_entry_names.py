"""Time entries that name their client only by name (as a time tracker does) are matched to
the ledger's customers by the core's one name rule; unmatched and ambiguous names are
rejected with the hours they carry, never dropped without a word."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.errors import DataError
from clientguard.findings import Signal
from clientguard.ledger import Ledger
from clientguard.model import AnyRecord, TimeEntry
from clientguard.review import review
from clientguard.signals import concentration
from clientguard.testing import customer, invoice, time_entry

AS_OF = date(2025, 6, 30)


def build(*records: AnyRecord, strict: bool = False, **kwargs: object) -> Ledger:
    return Ledger.build(records, base_currency="EUR", strict=strict, **kwargs)  # type: ignore[arg-type]


def named(name: str, hours: str = "2", on: str = "2025-03-03", source: str = "test",
          entry_id: str | None = None) -> TimeEntry:
    return time_entry(client_name=name, on=on, hours=hours, source=source, entry_id=entry_id)


@pytest.mark.parametrize(
    ("customer_name", "tracker_name"),
    [
        ("Acme Sp. z o.o.", "ACME"),
        ("Acme Ltd", "acme"),
        ("Łódź Design S.A.", "Lodz design"),
        ("Acme GmbH & Co. KG", "  Acme  "),
        ("Beta Media Inc.", "Beta-Media"),
    ],
)
def test_a_client_name_is_matched_to_the_customer_whose_name_normalises_alike(
    customer_name: str, tracker_name: str
) -> None:
    ledger = build(customer("c1", customer_name), customer("c2", "Other"), named(tracker_name))
    assert ledger.report.rejected == ()
    (entry,) = ledger.time_entries
    assert entry.customer_id == "c1"
    assert entry.hours == D(2)


@pytest.mark.parametrize(
    "tracker_name",
    ["Acme Media", "Acm", "Acme Holdings", "---", "Ltd", "Acme: EU: its team", "x" * 10_000],
)
def test_a_name_that_matches_no_customer_is_rejected_with_its_hours(tracker_name: str) -> None:
    ledger = build(
        customer("c1", "Acme Ltd"),
        named(tracker_name, hours="3.5", on="2025-03-03"),
        named(tracker_name, hours="1.25", on="2025-03-05"),
        named("Acme", hours="4"),
    )
    assert [e.customer_id for e in ledger.time_entries] == ["c1"]
    assert len(ledger.report.rejected) == 2
    rejection = ledger.report.rejected[0]
    assert rejection.field == "customer_name"
    assert len(rejection.reason) < 500
    assert tracker_name[:80] in rejection.reason
    assert "matches no customer" in rejection.reason
    (unmatched,) = ledger.report.unmatched
    assert (unmatched.source, unmatched.name) == ("test", tracker_name)
    assert unmatched.entries == 2
    assert unmatched.hours == D("4.75")
    assert (unmatched.first, unmatched.last) == (date(2025, 3, 3), date(2025, 3, 5))
    assert "4.75 hours" in str(unmatched)
    assert unmatched.reason == "matches no customer"


def test_strict_build_fails_on_an_unmatched_name() -> None:
    with pytest.raises(DataError, match="'Nobody' matches no customer"):
        build(customer("c1", "Acme"), named("Nobody"), strict=True)


def test_an_ambiguous_name_is_an_error_naming_both_customers() -> None:
    ledger = build(customer("c1", "Acme Ltd"), customer("c2", "ACME sp. z o.o."), named("Acme"))
    assert ledger.time_entries == ()
    (rejection,) = ledger.report.rejected
    assert "matches 2 customers" in rejection.reason
    assert "c1" in rejection.reason
    assert "c2" in rejection.reason
    assert ledger.report.unmatched[0].hours == D(2)
    assert ledger.report.unmatched[0].reason.startswith("matches 2 customers of different")
    with pytest.raises(DataError, match="c1, c2"):
        build(customer("c1", "Acme Ltd"), customer("c2", "ACME sp. z o.o."), named("Acme"),
              strict=True)


def test_customers_of_one_group_are_one_match() -> None:
    ledger = build(
        customer("parent", "Holding"),
        customer("c1", "Acme Ltd", group="parent"),
        customer("c2", "Acme GmbH", group="parent"),
        named("Acme"),
    )
    assert ledger.report.rejected == ()
    (entry,) = ledger.time_entries
    assert ledger.group_of(entry.customer_id or "") == "parent"


def test_linked_customers_of_two_sources_are_one_match() -> None:
    records = (
        customer("C1", "Acme Ltd", source="xero"),
        customer("77", "Acme Sp. z o.o.", source="fakturownia"),
        named("acme", source="harvest"),
    )
    ambiguous = build(*records)
    assert "xero:C1" in ambiguous.report.rejected[0].reason
    assert "fakturownia:77" in ambiguous.report.rejected[0].reason
    linked = build(*records, links=[(("xero", "C1"), ("fakturownia", "77"))])
    assert linked.report.rejected == ()
    (entry,) = linked.time_entries
    assert entry.customer_id in ("xero:C1", "fakturownia:77")
    assert linked.group_of(entry.customer_id or "") == linked.group_of("xero:C1")


def test_in_a_ledger_of_several_sources_the_match_is_the_other_sources_customer() -> None:
    ledger = build(
        customer("C1", "Acme Ltd", source="xero"),
        invoice("C1", issued="2025-03-01", total="100", source="xero"),
        named("ACME", entry_id="te-1", source="harvest"),
    )
    (entry,) = ledger.time_entries
    assert entry.customer_id == "xero:C1"
    assert entry.source == "harvest"
    # As its source gave it: the match is the ledger's, not the record's.
    source_entries = [r for r in ledger.source_records() if isinstance(r, TimeEntry)]
    assert source_entries == [named("ACME", entry_id="te-1", source="harvest")]


def test_a_merge_matches_again_against_the_merged_customers() -> None:
    books = build(customer("C1", "Acme Ltd", source="xero"),
                  customer("C2", "Beta", source="xero"))
    hours = build(customer("h1", "Beta", source="harvest"), named("Beta", source="harvest"))
    assert [e.customer_id for e in hours.time_entries] == ["h1"]
    merged = books.merge(hours, strict=False)
    # Beta is now two customers of two clients: the merge says so instead of guessing.
    assert merged.time_entries == ()
    assert "harvest:h1" in merged.report.rejected[-1].reason


def test_an_entry_with_a_customer_id_is_not_matched_by_name() -> None:
    entry = TimeEntry(customer_id="c2", customer_name="Acme", date="2025-03-03", hours="1",
                      source="test")
    ledger = build(customer("c1", "Acme"), customer("c2", "Beta"), entry)
    assert [e.customer_id for e in ledger.time_entries] == ["c2"]


def test_a_time_entry_without_customer_or_name_is_refused() -> None:
    with pytest.raises(DataError, match="customer_id: is missing"):
        TimeEntry(date="2025-03-03", hours="1", source="harvest")
    with pytest.raises(DataError, match="customer_id: is missing"):
        TimeEntry(customer_name="  ", date="2025-03-03", hours="1", source="harvest")


def test_matched_hours_count_in_the_hours_share_and_unmatched_ones_are_said() -> None:
    records: list[AnyRecord] = [
        customer("x", "Xeno Ltd"), customer("rest", "Rest SA"),
        invoice("x", issued="2025-03-01", total="10"),
        invoice("rest", issued="2025-03-01", total="90"),
        named("XENO", hours="30"), named("Rest", hours="70"), named("Ghost", hours="12"),
    ]
    ledger = build(*records)
    report = concentration(ledger, as_of=AS_OF, basis="hours")
    assert report.shares["x"] == D("0.3")
    capacity = [f for f in report.findings if f.signal == Signal.CAPACITY and
                f.customer_id == "x"]
    assert capacity, "30% of the hours for 10% of the revenue is a capacity finding"
    quality = review(ledger, as_of=AS_OF).data_quality
    assert any("12 hours" in n and "'Ghost'" in n for n in quality.notes)
    assert any(g.kind == "unmatched_hours" for g in quality.groups)


@given(
    hours=st.lists(st.decimals(min_value=0, max_value=24, places=2), min_size=1, max_size=8),
    matched=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_no_hour_is_lost_each_is_matched_or_reported(
    hours: list[D], matched: list[bool]
) -> None:
    entries = [named("Acme" if ok else "Nobody", hours=str(h))
               for h, ok in zip(hours, matched, strict=False)]
    ledger = build(customer("c1", "Acme Ltd"), *entries)
    counted = sum((e.hours for e in ledger.time_entries), D(0))
    reported = sum((u.hours for u in ledger.report.unmatched), D(0))
    assert counted + reported == sum(hours, D(0))
