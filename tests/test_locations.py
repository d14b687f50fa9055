"""``records.Locations``: the compact map of where every pulled record came from reads as the
dict of the same entries would."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from clientguard.records import Location, Locations, RecordKey

ENTRIES: list[tuple[RecordKey, Location]] = [
    (("invoice", "csv", "i1"), Location("invoices.csv", 2)),
    (("invoice", "csv", "i2"), Location("invoices.csv", 3)),
    (("customer", "csv", "c1"), Location("invoices.csv", 2)),
    (("invoice", "csv", "i3"), Location("more-invoices.csv", 2)),  # another file
    (("invoice", "csv", "i4"), Location("invoices.csv", 5, "total")),  # a column
    (("invoice", "xero", "i1"), Location(None, None, None, "GET Invoices page 3")),
    (("payment", "api", "p1"), Location(None, 7)),
    (("invoice", "csv", "i2"), Location("invoices.csv", 9)),  # a later version: replaced
]


def test_locations_read_as_the_dict_of_their_entries() -> None:
    expected = dict(ENTRIES)
    held = Locations()
    for key, location in ENTRIES:
        held.add({key: location})
    assert len(held) == len(expected) == 7
    assert dict(held.items()) == expected
    assert held == expected
    for key, location in expected.items():
        assert held[key] == location
        assert type(held[key]) is Location
    assert held.get(("invoice", "csv", "nope")) is None
    with pytest.raises(KeyError):
        held[("credit_note", "csv", "i1")]
    assert pickle.loads(pickle.dumps(held)) == expected
    assert Locations(expected) == expected


@pytest.mark.parametrize("split", range(len(ENTRIES) + 1))
def test_locations_added_from_locations_read_as_the_dict_of_their_entries(split: int) -> None:
    # A pull adds each page's Locations to its own: group by group where the file is the
    # same, entry by entry where the page's first file differs.
    expected = dict(ENTRIES)
    first, second = Locations(), Locations()
    for key, location in ENTRIES[:split]:
        first.put(*key, location)
    for key, location in ENTRIES[split:]:
        second.put(*key, location)
    page = Locations(dict(ENTRIES[split:]))
    first.add(second)
    assert len(first) == len(expected)
    assert dict(first.items()) == expected
    assert all(type(first[key]) is Location for key in expected)
    assert dict(page.items()) == dict(second.items())  # the page is left as it was


def test_a_page_of_another_file_keeps_its_own_file() -> None:
    held = Locations({("invoice", "csv", "i1"): Location("a.csv", 2)})
    page = Locations({("invoice", "csv", "i2"): Location("b.csv", 3),
                      ("invoice", "csv", "i1"): Location("b.csv", 4)})
    held.add(page)
    assert dict(held.items()) == {("invoice", "csv", "i1"): Location("b.csv", 4),
                                  ("invoice", "csv", "i2"): Location("b.csv", 3)}
    assert len(held) == 2


def test_a_pulled_ledger_finds_its_records_rows(tmp_path: Path) -> None:
    import clientguard as cg
    from clientguard_csv import CsvConnector

    (tmp_path / "inv.csv").write_text(
        "id,customer_id,issue_date,due_date,total,currency\n"
        "i1,c1,2024-01-01,2024-01-31,10.00,EUR\n"
        "i2,c1,2024-01-02,2024-01-31,20.00,EUR\n", encoding="utf-8")
    mapping = {"date_formats": ["iso"], "invoices": {"columns": {
        c: c for c in ("id", "customer_id", "issue_date", "due_date", "total", "currency")}}}
    ledger = cg.Ledger.from_connector(CsvConnector(invoices=tmp_path / "inv.csv",
                                                   mapping=mapping), base_currency="EUR")
    found = {i.id: ledger.location_of(i) for i in ledger.invoices}
    assert found == {"i1": Location(str(tmp_path / "inv.csv"), 2),
                     "i2": Location(str(tmp_path / "inv.csv"), 3)}


#: Runs of lines put at once: (the entries put before, the run's file, ids and lines).
RUNS = {
    "a new group": ([], "invoices.csv", ["i1", "i2"], [2, 3]),
    "after lines of the same file": (ENTRIES[:2], "invoices.csv", ["i5", "i6"], [7, 8]),
    "another file than the group's": (ENTRIES[:2], "more.csv", ["i5", "i6"], [2, 3]),
    "replacing entries": (ENTRIES, "invoices.csv", ["i2", "i3", "i4"], [11, 12, 13]),
    "no file": ([], None, ["i1"], [4]),
    "an empty run": (ENTRIES[:1], "invoices.csv", [], []),
}


@pytest.mark.parametrize(("before", "file", "idents", "lines"), RUNS.values(), ids=RUNS.keys())
def test_a_run_of_lines_put_at_once_reads_as_each_put(
    before: list[tuple[RecordKey, Location]], file: str | None, idents: list[str],
    lines: list[int],
) -> None:
    at_once, each = Locations(dict(before)), Locations(dict(before))
    at_once.put_lines("invoice", "csv", file, idents, lines)
    for ident, line in zip(idents, lines, strict=True):
        each.put("invoice", "csv", ident, Location(file, line))
    expected = dict(before)
    for ident, line in zip(idents, lines, strict=True):
        expected["invoice", "csv", ident] = Location(file, line)
    assert list(at_once.items()) == list(each.items())
    assert dict(at_once.items()) == expected
    assert len(at_once) == len(expected)
    assert at_once.group("invoice", "csv") == each.group("invoice", "csv")
