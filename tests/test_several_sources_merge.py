"""Records of several sources never collide by id, whichever way the ledger is put together
(one build, a ledger per source merged in any order, the store), and a ledger merged with
itself (or with its source built again) counts each record once, time entries without an id
too (docs/sources.md, "Merging in any order")."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard import Ledger
from clientguard.model import AnyRecord, CreditNote
from clientguard.records import Location
from clientguard.store import Store
from clientguard.testing import (
    credit_note,
    customer,
    fx_table,
    invoice,
    payment,
    time_entry,
    work_request,
)

from .conftest import GivenRecords


def stored(tmp_path: Path, parts: Mapping[str, list[AnyRecord]]) -> Ledger:
    """``parts`` (by source) synced into a store, each under its source's name, and loaded."""
    with Store.open(tmp_path / "clientguard.db") as store:
        for source, records in parts.items():
            store.sync(GivenRecords(records), source=source)
        return store.load(base_currency="EUR", strict=False)


def put_together(how: str, parts: Mapping[str, list[AnyRecord]], tmp_path: Path) -> Ledger:
    """One ledger of ``parts``: one build, a ledger per source merged (``merged N``: the
    N-th order of the sources), or the store's."""
    if how == "one build":
        return Ledger.build([r for part in parts.values() for r in part], base_currency="EUR",
                            strict=False)
    if how == "the store":
        return stored(tmp_path, parts)
    order = list(itertools.permutations(parts))[int(how.split()[1])]
    ledgers = [Ledger.build(parts[source], base_currency="EUR", strict=False)
               for source in order]
    merged = ledgers[0]
    for other in ledgers[1:]:
        merged = merged.merge(other, strict=False)
    return merged


# ------------------------------------------------- one id in two sources, of every kind


def source_of_every_kind(source: str, name: str, hours: str, total: str) -> list[AnyRecord]:
    """A source holding one record of each kind, with the ids every such source uses: the
    customer c1, invoice 1, payment p1 paying it, credit note cn1 (part of it paid back),
    time entry e0, work request r1."""
    return [
        customer("c1", name, source=source),
        invoice("c1", id="1", issued="2025-03-01", total=total, source=source),
        payment("c1", id="p1", on="2025-03-10", amount="10.00", pays={"1": "10.00"},
                source=source),
        credit_note("c1", id="cn1", issued="2025-03-12", total="5.00", refunded="2.00",
                    source=source),
        time_entry("c1", on="2025-03-03", hours=hours, entry_id="e0", source=source),
        work_request("c1", id="r1", requested="2025-03-04", lead_days=2, source=source),
    ]


TWO_TOOLS = {
    "books": source_of_every_kind("books", "Acme", "3", "100.00"),
    "crm": source_of_every_kind("crm", "Beta", "4", "200.00"),
}


@pytest.mark.parametrize("how", ["one build", "merged 0", "merged 1", "the store"])
def test_two_sources_records_with_one_id_are_two_records_of_every_kind(
    how: str, tmp_path: Path
) -> None:
    book = put_together(how, TWO_TOOLS, tmp_path)
    # Nothing rejected, nothing said twice: each source's records are its own.
    assert book.report.rejected == ()
    assert not [n for n in book.report.notes if "came twice" in n]
    assert dict(book.report.accepted) == {
        "customers": 2, "invoices": 2, "payments": 2, "credit_notes": 2, "time_entries": 2,
        "work_requests": 2}
    # By hand: books' entry e0 is 3 hours for books' c1, crm's e0 4 hours for crm's c1.
    assert sorted((t.source, t.id, t.customer_id, t.hours) for t in book.time_entries) == [
        ("books", "books:e0", "books:c1", D("3")), ("crm", "crm:e0", "crm:c1", D("4"))]
    assert [book.source_id(t) for t in book.time_entries] == ["e0", "e0"]
    # The other kinds: each source's invoice paid 10.00 by its own payment, its own credit
    # note with its own refund of 2.00, its own request.
    assert {i.id: i.total for i in book.invoices} == {
        "books:1": D("100.00"), "crm:1": D("200.00")}
    assert [(a.document_id, a.amount) for a in book.applications("crm:1")] == [
        ("crm:p1", D("10.00"))]
    notes: list[CreditNote] = list(book.credit_notes)
    assert [(c.id, [r.amount for r in c.refunds]) for c in notes] == [
        ("books:cn1", [D("2.00")]), ("crm:cn1", [D("2.00")])]
    assert sorted(w.id for w in book.work_requests) == ["books:r1", "crm:r1"]


def trackers() -> dict[str, list[AnyRecord]]:
    """The books' client Acme; Harvest and a time sheet each number their entries from e0:
    Harvest's e0 is 3 hours for ACME, the sheet's e0 4 hours for ACME, and Harvest's e1 2
    hours for a client the books lack."""
    return {
        "books": [customer("acme", "Acme Ltd", source="books")],
        "harvest": [
            time_entry(client_name="ACME", on="2025-03-01", hours="3", entry_id="e0",
                       source="harvest"),
            time_entry(client_name="Nobody", on="2025-03-02", hours="2", entry_id="e1",
                       source="harvest"),
        ],
        "sheet": [time_entry(client_name="ACME", on="2025-03-01", hours="4", entry_id="e0",
                             source="sheet")],
    }


@pytest.mark.parametrize("how", ["one build", *(f"merged {n}" for n in range(6)),
                                 "the store"])
def test_two_trackers_entry_e0_are_two_entries_and_both_count(
    how: str, tmp_path: Path
) -> None:
    """Before: the sheet's e0 was rejected as a duplicate of Harvest's ("another time_entry
    has id e0 in source harvest"), and Acme had 3 hours of 7."""
    book = put_together(how, trackers(), tmp_path)
    # By hand: 3 + 4 = 7 hours for Acme, each entry in its own source.
    assert sorted((t.source, t.customer_id, t.hours) for t in book.time_entries) == [
        ("harvest", "books:acme", D("3")), ("sheet", "books:acme", D("4"))]
    # Only Harvest's e1 is rejected (its client matches no customer), named by its id in
    # Harvest.
    ((source, ident, field),) = [(r.source, r.record_id, r.field)
                                 for r in book.report.rejected]
    assert (source, ident, field) == ("harvest", "e1", "customer_name")


def test_an_entry_of_several_sources_is_rejected_with_its_line(tmp_path: Path) -> None:
    """The rejection of a tracker's entry names where it is (the store keeps each record's
    place). Before, an entry with an id lost its line in a ledger of several sources: its
    place was looked up by its id, the places by the id keyed by source."""
    book = stored(tmp_path, trackers())
    (rejection,) = book.report.rejected
    # e1 is the second row of Harvest's time entries: line 3 (the first row is line 2).
    assert rejection.location == Location(file="time_entries.csv", line=3)


# --------------------------------------------------------------- a ledger merged with itself


def sheet_rows() -> list[AnyRecord]:
    """A time sheet of rows without ids: Ann's 3.5 hours for ACME written twice (she worked
    twice that day), and two rows alike for a client the books lack."""
    return [
        *[time_entry(client_name="ACME", on="2025-03-01", hours="3.5", person="Ann",
                     source="sheet") for _ in range(2)],
        *[time_entry(client_name="Nobody Ltd", on="2025-03-03", hours="4", person="Bob",
                     source="sheet") for _ in range(2)],
    ]


def books_and(rows: list[AnyRecord]) -> Ledger:
    return Ledger.build([customer("acme", "Acme Ltd", source="books"), *rows],
                        base_currency="EUR", strict=False)


@pytest.mark.parametrize("again", ["itself", "its sources built again", "the sheet built again"])
def test_a_ledger_merged_with_what_it_holds_counts_each_row_without_an_id_once(
    again: str
) -> None:
    """Before: ``book.merge(book)`` counted Ann's rows four times (14 hours of 7), and so did a
    merge with the same records built again (only the very objects a ledger was merged from
    were known to be the same)."""
    rows = sheet_rows()
    book = books_and(rows)
    copies = [r.model_copy() for r in rows]  # the rows read again: equal, other objects
    other = {
        "itself": book,
        "its sources built again": books_and(copies),
        "the sheet built again": Ledger.build(copies, base_currency="EUR", strict=False),
    }[again]
    for merged in (book.merge(other, strict=False), other.merge(book, strict=False)):
        # By hand: the book holds two rows of 3.5 hours (7 hours) for Acme, and two rows of
        # 4 hours for Nobody Ltd, each rejected: as many as before the merge.
        assert sorted((t.customer_id, t.hours) for t in merged.time_entries) == [
            ("books:acme", D("3.5")), ("books:acme", D("3.5"))]
        assert [(r.source, r.field) for r in merged.report.rejected] == [
            ("sheet", "customer_name"), ("sheet", "customer_name")]
        assert [(u.name, u.entries, u.hours) for u in merged.report.unmatched] == [
            ("Nobody Ltd", 2, D("8"))]
    # What a merge counts once is a row both ledgers hold: rows of the source that only the
    # other holds (the sheet of April: Ann's 5 hours) all count. By hand: 7 + 5 hours.
    april = Ledger.build([time_entry(client_name="ACME", on="2025-04-01", hours="5",
                                     person="Ann", source="sheet")], base_currency="EUR",
                         strict=False)
    assert sum(t.hours for t in book.merge(other, strict=False).merge(
        april, strict=False).time_entries) == D("12.0")


ROWS = st.lists(st.tuples(
    st.sampled_from(["ACME", "Nobody"]), st.sampled_from(["1", "2.5"]),
    st.sampled_from([None, "Ann"]), st.integers(1, 3)), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROWS, st.booleans())
def test_any_ledger_merged_with_itself_counts_what_it_counts(
    rows: list[tuple[str, str, str | None, int]], with_ids: bool
) -> None:
    entries = [time_entry(client_name=name, on=date(2025, 3, 1), hours=hours, person=person,
                          entry_id=f"e{n}" if with_ids else None, source="sheet")
               for n, (name, hours, person, times) in enumerate(rows) for _ in range(times)]
    book = Ledger.build([customer("acme", "Acme Ltd", source="books"), *entries],
                        base_currency="EUR", strict=False)
    merged = book.merge(book, strict=False)
    # The numbers a review reads: the hours per customer, what is rejected, what matches no
    # customer.
    assert sorted((t.customer_id, t.hours) for t in merged.time_entries) == sorted(
        (t.customer_id, t.hours) for t in book.time_entries)
    assert merged.report.rejected == book.report.rejected
    assert merged.report.unmatched == book.report.unmatched


@pytest.mark.parametrize("sources", ["one source", "two sources"])
def test_a_record_one_ledger_rejected_and_the_other_moved_to_its_issue_date_is_one_record(
    sources: str,
) -> None:
    """Before: a ledger without the USD rate rejected invoice 5 (and the payment of it), one
    with the rate kept it due on its issue date (the source has it due before); merged, in
    either order, the invoice as given (due 5 January) and the one kept (due 11 January)
    differed, and the merge rejected it as a "duplicate id ... fix the source". One build of
    both ledgers' records holds it once, adjusted once, and rejects nothing."""
    usd = fx_table("EUR", {"USD": {"2026-01-11": "0.9"}})

    def books() -> list[AnyRecord]:
        # Built afresh for each ledger: equal records, other objects (a source read twice).
        five = invoice("c1", id="5", number="FV5", issued="2026-01-11", due="2026-01-05",
                       total="40.00", currency="USD", source="books")
        return [customer("c1", "Acme", source="books"), five,
                payment("c1", id="p5", on="2026-01-12", amount="10.00", currency="USD",
                        pays=five, source="books")]

    extra = [customer("b1", "Bank client", source="bank")] if sources == "two sources" else []
    unpriced = Ledger.build([*books(), *extra], base_currency="EUR", strict=False)
    priced = Ledger.build(books(), base_currency="EUR", fx=usd, strict=False)
    assert [(r.record_id, r.field) for r in unpriced.report.rejected] == [
        ("5", "fx_rate"), ("p5", "fx_rate")]
    for merged in (unpriced.merge(priced), priced.merge(unpriced)):  # strict: nothing found
        assert merged.report.rejected == ()
        # By hand: one invoice 5, due on its issue date 2026-01-11 (the source's 2026-01-05
        # is before it), 40.00 USD less the 10.00 USD of p5 open.
        [five] = merged.invoices
        assert (five.due_date, five.total) == (date(2026, 1, 11), D("40.00"))
        assert [p.amount for p in merged.payments] == [D("10.00")]
        assert [(a.source, a.record_id, a.source_value, a.used_value)
                for a in merged.report.adjusted] == [
            ("books", "5", "2026-01-05", "2026-01-11")]
