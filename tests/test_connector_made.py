"""Records a connector makes itself (``MadeRecord`` in ``RawPage.items``, or runs of them as
``MadeRecords``): the sync takes them as it takes the records ``to_model`` returns, in the same
order among the raw records, so a pull gives the same records, rejections, locations, skips and
duplicates either way."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from clientguard.connector import (
    Connector,
    ConnectorOptions,
    MadeRecord,
    MadeRecords,
    Mapped,
    RawPage,
    RawRecord,
    Skip,
    Stream,
    pull,
)
from clientguard.errors import DataError
from clientguard.model import Customer
from clientguard.records import Location

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


class RowsOptions(ConnectorOptions):
    pages: list[list[dict[str, Any]]]
    made: bool
    """Whether the connector hands the records it can make as made (``RawPage.items``)."""
    runs: bool = False
    """Whether records made from rows next to each other go as one run (``MadeRecords``)."""
    incremental: bool = False


class RowsConnector(Connector):
    """Customers from rows in memory: a row with a name is a customer, ``skip`` a skip, any
    other row is malformed."""

    name: ClassVar[str] = "rows"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", id_field="id"),
        Stream(name="changes", kind="customer", id_field="id", cursor_field="updated"),
        Stream(name="latest", kind="customer", id_field="id", duplicates="latest"),
    )
    Options = RowsOptions
    options: RowsOptions

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        for number, rows in enumerate(self.options.pages, start=1):
            raws = [RawRecord(row, Location(file="c.csv", line=number * 100 + i))
                    for i, row in enumerate(rows)]
            if not self.options.made:
                yield RawPage(tuple(raws))
                continue
            # Each row that makes a record is handed as made; the others stay raw.
            items = [MadeRecord(self._customer(raw.data), raw.location)  # type: ignore[arg-type]
                     if "name" in raw.data else raw for raw in raws]
            yield RawPage((), items=tuple(_runs(items) if self.options.runs else items))

    def _customer(self, row: Mapping[str, Any]) -> Customer:
        return Customer(id=row["id"], name=row["name"], source=self.source_name)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if "name" in raw:
            return self._customer(raw)
        if raw.get("skip"):
            return Skip("not a customer")
        raise DataError("the row names no customer")


def _runs(items: list[RawRecord | MadeRecord]) -> Iterator[RawRecord | MadeRecords]:
    """``items``, each stretch of made records next to each other as one run."""
    run: list[MadeRecord] = []
    for item in [*items, None]:
        if isinstance(item, MadeRecord):
            run.append(item)
            continue
        if run:
            yield MadeRecords([m.record for m in run], "c.csv",
                              [m.location.line for m in run])  # type: ignore[misc]
            run = []
        if item is not None:
            yield item


PAGES = [
    [{"id": "c1", "name": "Acme"}, {"id": "c2"}, {"id": "c3", "name": "Beta"}],
    [{"id": "c1", "name": "Acme"},  # the same again: a duplicate
     {"id": "c9", "skip": True},
     {"id": "c4"},  # malformed: a rejection before the next one
     {"id": "c3", "name": "Other"},  # another customer under c3: rejected, naming the first
     {"id": "c5", "name": "Gamma"}],
]


@pytest.mark.parametrize("source", [None, "books"])
def test_made_records_pull_as_mapped_ones(source: str | None) -> None:
    pulled = [pull(RowsConnector(pages=PAGES, made=made, clock=lambda: NOW),
                   streams=["customers"], source=source)
              for made in (False, True)]
    mapped, made = pulled
    assert [r.__dict__ for r in made.records] == [r.__dict__ for r in mapped.records]
    assert [r.id for r in made.records] == ["c1", "c3", "c5"]
    assert {r.source for r in made.records} == {source or "rows"}
    assert made.rejected == mapped.rejected
    assert [(r.record_id, r.location) for r in made.rejected] == [
        ("c2", Location("c.csv", 101)), ("c4", Location("c.csv", 202)),
        ("c3", Location("c.csv", 203))]
    assert "first from" in made.rejected[2].reason
    assert dict(made.locations) == dict(mapped.locations)
    assert made.locations[("customer", source or "rows", "c5")] == Location("c.csv", 204)
    assert (made.duplicates, made.skipped) == (mapped.duplicates, mapped.skipped) == (
        1, {"customers": {"not a customer": 1}})


#: Pages whose made records come in runs: repeats within a run and across runs, identical
#: (duplicates) and different (rejected naming the first, or the newer kept under ``latest``).
RUN_PAGES = {
    "new ids only": [[{"id": "c1", "name": "Acme"}, {"id": "c2", "name": "Beta"}]],
    "a repeat within a run": [
        [{"id": "c1", "name": "Acme"}, {"id": "c2", "name": "Beta"},
         {"id": "c1", "name": "Acme"}, {"id": "c2", "name": "Other"},
         {"id": "c3", "name": "Gamma"}],
    ],
    "a repeat across runs and pages": [
        [{"id": "c1", "name": "Acme"}, {"id": "c2", "name": "Beta"}, {"id": "c4"},
         {"id": "c3", "name": "Gamma"}],
        [{"id": "c3", "name": "Gamma"}, {"id": "c9", "skip": True},
         {"id": "c1", "name": "Other"}, {"id": "c5", "name": "Delta"}],
    ],
    "one page of malformed rows between runs": [
        [{"id": "c1"}, {"id": "c2", "name": "Beta"}, {"id": "c2", "skip": True}],
        [{"id": "c2", "name": "Later"}, {"id": "c1", "name": "Acme"}],
    ],
}


@pytest.mark.parametrize("stream", ["customers", "latest"])
@pytest.mark.parametrize("source", [None, "books"])
@pytest.mark.parametrize("pages", RUN_PAGES.values(), ids=RUN_PAGES.keys())
def test_runs_of_made_records_pull_as_mapped_ones(
    pages: list[list[dict[str, Any]]], source: str | None, stream: str
) -> None:
    mapped, made, runs = (
        pull(RowsConnector(pages=pages, made=made, runs=runs, clock=lambda: NOW),
             streams=[stream], source=source)
        for made, runs in ((False, False), (True, False), (True, True)))
    for pulled in (made, runs):
        assert [r.__dict__ for r in pulled.records] == [r.__dict__ for r in mapped.records]
        assert pulled.rejected == mapped.rejected
        assert list(pulled.locations.items()) == list(mapped.locations.items())
        assert (pulled.duplicates, pulled.skipped) == (mapped.duplicates, mapped.skipped)


def test_a_record_repeated_in_a_run_is_rejected_naming_the_first_s_line() -> None:
    pages = RUN_PAGES["a repeat within a run"]
    pulled = pull(RowsConnector(pages=pages, made=True, runs=True, clock=lambda: NOW),
                  streams=["customers"])
    assert [r.id for r in pulled.records] == ["c1", "c2", "c3"]
    assert pulled.duplicates == 1
    [rejection] = pulled.rejected
    assert rejection.location == Location("c.csv", 103)
    assert rejection.reason == ("another customer with id c2 came first in source rows "
                                "(first from rows, c.csv, line 101) and differs")
    assert pulled.locations[("customer", "rows", "c3")] == Location("c.csv", 104)


def test_a_run_whose_lines_do_not_match_its_records_is_refused() -> None:
    class Short(RowsConnector):
        def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
            record = self._customer({"id": "c1", "name": "Acme"})
            yield RawPage((), items=(MadeRecords([record], "c.csv", [2, 3]),))

    with pytest.raises(ValueError, match="1 records with 2 lines"):
        pull(Short(pages=[], made=True, clock=lambda: NOW), streams=["customers"])


def test_a_made_record_on_a_stream_with_a_cursor_is_refused() -> None:
    for runs in (False, True):
        conn = RowsConnector(pages=PAGES, made=True, runs=runs, clock=lambda: NOW)
        with pytest.raises(TypeError, match="cursor field"):
            pull(conn, streams=["changes"])


def test_a_raw_page_gives_records_or_items_not_both() -> None:
    raw = RawRecord({"id": "c1"})
    made = MadeRecord(Customer(id="c1", name="Acme", source="rows"), Location("c.csv", 2))
    with pytest.raises(ValueError, match="not both"):
        RawPage((raw,), items=(made,))
    assert RawPage((), items=(raw, made)).items == (raw, made)
