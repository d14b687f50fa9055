"""The connector framework: the sync loop every connector inherits."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

import clientguard as cg
from clientguard.connector import (
    Connector,
    ConnectorOptions,
    Mapped,
    Page,
    ProgressEvent,
    RawPage,
    RawRecord,
    Skip,
    Stream,
    SyncState,
    pull,
)
from clientguard.errors import ConfigError, DataError
from clientguard.ledger import Location
from clientguard.model import Customer, Invoice, TimeEntry

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def ts(day: int, hour: int = 0) -> str:
    return datetime(2025, 5, day, hour, tzinfo=UTC).isoformat()


class ListOptions(ConnectorOptions):
    pages: dict[str, list[list[Any]]]
    """Raw pages by stream name."""
    api_key: SecretStr | None = None
    """A secret that must never show."""
    region: str = "eu"
    """Where the fake lives."""
    knows_last: bool = True
    """Whether the fake says which page is last (an API does; a file reader may not)."""


class ListConnector(Connector):
    """Serves raw pages from memory, like a file reader would."""

    name: ClassVar[str] = "fake"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", id_field="cid"),
        Stream(
            name="invoices",
            kind="invoice",
            id_field="iid",
            cursor_field="updated",
            sorted_by_cursor=True,
            duplicates="latest",
        ),
        Stream(name="rows", kind="invoice", id_field="iid", cursor_field="updated"),
        Stream(name="hours", kind="time_entry"),
    )
    Options = ListOptions
    options: ListOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.calls: list[tuple[str, datetime | None]] = []

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        self.calls.append((stream.name, since))
        pages = self.options.pages.get(stream.name, [])
        for number, page in enumerate(pages, start=1):
            if page == ["boom"]:
                raise ConfigError("the source broke on this page")
            yield RawPage(
                tuple(
                    RawRecord(raw, Location(file=f"{stream.name}.csv", line=number * 100 + i))
                    for i, raw in enumerate(page)
                ),
                last=number == len(pages) if self.options.knows_last else None,
            )

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if stream.kind == "customer":
            return Customer(id=raw["cid"], name=raw["name"], source=self.name)
        if stream.kind == "time_entry":
            return TimeEntry(
                customer_id=raw["c"], date=date(2025, 5, 1), hours=raw["h"], source=self.name
            )
        if raw.get("type") == "bill":
            return Skip("bill: only sales invoices are read")
        return Invoice(
            id=raw["iid"],
            customer_id="c1",
            number=raw["iid"],
            issue_date=date.fromisoformat(raw.get("issued", "2025-05-01")),
            due_date=date.fromisoformat(raw.get("due", "2025-05-31")),
            currency="EUR",
            total=raw["total"],
            status="open",
            source=self.name,
        )


def connector(clock_at: datetime = NOW, **pages: list[list[dict[str, Any]]]) -> ListConnector:
    return ListConnector(pages=pages, clock=lambda: clock_at)


def inv(iid: str, total: str = "10.00", day: int = 1, **extra: Any) -> dict[str, Any]:
    return {"iid": iid, "total": total, "updated": ts(day), **extra}


def pages_of(conn: Connector, state: SyncState | None = None, **kw: Any) -> list[Page]:
    return list(conn.sync(state, **kw))


# ----------------------------------------------------------------------------- mapping


def test_every_raw_record_is_mapped_rejected_or_skipped_with_a_reason() -> None:
    conn = connector(
        invoices=[[inv("A"), inv("B", total="-5"), inv("C", type="bill"), {"total": "1"}]]
    )
    (page,) = pages_of(conn, streams=["invoices"])
    assert [r.id for r in page.records] == ["A"]
    assert page.skipped == {"bill: only sales invoices are read": 1}
    reasons = {(r.record_id, r.field): r for r in page.rejected}
    negative = reasons[("B", "total")]
    assert "negative" in negative.reason
    assert negative.location == Location(file="invoices.csv", line=101)
    assert negative.record == inv("B", total="-5")
    assert negative.kind == "invoice"
    assert negative.source == "fake"
    missing = reasons[(None, "iid")]
    assert "missing field" in missing.reason


def test_mapping_errors_never_stop_the_sync() -> None:
    bad = [inv(f"X{i}", total="oops") for i in range(3)]
    conn = connector(invoices=[bad, [inv("OK")]])
    pages = pages_of(conn, streams=["invoices"])
    assert [len(p.rejected) for p in pages] == [3, 0]
    assert [r.id for r in pages[1].records] == ["OK"]


def test_a_bug_in_to_model_propagates() -> None:
    class Broken(ListConnector):
        def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
            raise RuntimeError("bug")

    conn = Broken(pages={"invoices": [[inv("A")]]}, clock=lambda: NOW)
    with pytest.raises(RuntimeError, match="bug"):
        pages_of(conn, streams=["invoices"])


def test_locations_name_the_file_and_line_of_each_record() -> None:
    conn = connector(invoices=[[inv("A"), inv("B")]])
    (page,) = pages_of(conn, streams=["invoices"])
    assert page.locations[("invoice", "fake", "B")] == Location(file="invoices.csv", line=101)


# ----------------------------------------------------------------------------- duplicates


def test_an_unchanged_duplicate_is_yielded_once_and_counted() -> None:
    conn = connector(invoices=[[inv("A"), inv("B")], [inv("B"), inv("C")]])
    pages = pages_of(conn, streams=["invoices"])
    assert [[r.id for r in p.records] for p in pages] == [["A", "B"], ["C"]]
    assert pages[1].duplicates == 1


def test_latest_rule_yields_the_newer_version_and_pull_keeps_it() -> None:
    conn = connector(invoices=[[inv("A", total="10.00")], [inv("A", total="12.00", day=2)]])
    pages = pages_of(conn, streams=["invoices"])
    assert [len(p.records) for p in pages] == [1, 1]
    pulled = pull(connector(invoices=[[inv("A")], [inv("A", total="12.00", day=2)]]))
    (only,) = [r for r in pulled.records if isinstance(r, Invoice)]
    assert only.total == Decimal("12.00")


def test_reject_rule_turns_a_conflicting_duplicate_into_a_rejection_naming_the_first() -> None:
    conn = connector(rows=[[inv("A", total="10.00"), inv("A", total="99.00")]])
    (page,) = pages_of(conn, streams=["rows"])
    assert [r.total for r in page.records if isinstance(r, Invoice)] == [
        Decimal("10.00")
    ]
    (rejection,) = page.rejected
    assert rejection.record_id == "A"
    assert "rows.csv, line 100" in rejection.reason
    assert rejection.location == Location(file="rows.csv", line=101)


def test_records_without_id_are_never_deduplicated() -> None:
    conn = connector(hours=[[{"c": "c1", "h": "2"}, {"c": "c1", "h": "2"}]])
    (page,) = pages_of(conn, streams=["hours"])
    assert len(page.records) == 2


# ----------------------------------------------------------------------------- cursors


def test_first_sync_reads_everything_and_the_cursor_is_the_latest_change() -> None:
    conn = connector(invoices=[[inv("A", day=3)], [inv("B", day=7)]])
    pages = pages_of(conn, streams=["invoices"])
    assert conn.calls == [("invoices", None)]
    assert [p.cursor for p in pages] == [
        datetime(2025, 5, 3, tzinfo=UTC),
        datetime(2025, 5, 7, tzinfo=UTC),
    ]
    assert [p.last for p in pages] == [False, True]


def test_next_sync_starts_at_the_saved_cursor_inclusive() -> None:
    conn = connector(invoices=[[inv("A", day=7)]])
    state = SyncState({"invoices": datetime(2025, 5, 7, tzinfo=UTC)})
    (page,) = pages_of(conn, state, streams=["invoices"])
    assert conn.calls == [("invoices", datetime(2025, 5, 7, tzinfo=UTC))]
    # The boundary record is read again (inclusive lower bound) and kept.
    assert [r.id for r in page.records] == ["A"]
    assert page.cursor == datetime(2025, 5, 7, tzinfo=UTC)


def test_cursor_never_passes_the_start_of_the_sync() -> None:
    started = datetime(2025, 5, 5, tzinfo=UTC)
    conn = connector(started, invoices=[[inv("A", day=9)]])
    (page,) = pages_of(conn, streams=["invoices"])
    assert page.cursor == started


def test_cursor_never_moves_back() -> None:
    conn = connector(invoices=[[inv("A", day=2)]])
    state = SyncState({"invoices": datetime(2025, 5, 4, tzinfo=UTC)})
    (page,) = pages_of(conn, state, streams=["invoices"])
    assert page.cursor == datetime(2025, 5, 4, tzinfo=UTC)


def test_unsorted_stream_moves_its_cursor_only_on_the_last_page() -> None:
    conn = connector(rows=[[inv("A", day=9)], [inv("B", day=2)]])
    old = datetime(2025, 5, 1, tzinfo=UTC)
    pages = pages_of(conn, SyncState({"rows": old}), streams=["rows"])
    assert [p.cursor for p in pages] == [old, datetime(2025, 5, 9, tzinfo=UTC)]


def test_full_resync_ignores_the_state_but_still_returns_a_cursor() -> None:
    conn = connector(invoices=[[inv("A", day=3)]])
    state = SyncState({"invoices": datetime(2025, 5, 2, tzinfo=UTC)})
    (page,) = pages_of(conn, state, streams=["invoices"], full=True)
    assert conn.calls == [("invoices", None)]
    assert page.cursor == datetime(2025, 5, 3, tzinfo=UTC)


class CheckedToStart(ListConnector):
    """Its ``rows`` stream is read up to the sync's start, deletions included (as QuickBooks'
    change data capture lets a connector ask), and says so: ``cursor_at_start``."""

    lookback = timedelta(minutes=5)
    streams = (Stream(name="rows", kind="invoice", id_field="iid", cursor_field="updated",
                      cursor_at_start=True),)


def test_a_stream_read_up_to_the_syncs_start_takes_that_moment_as_its_cursor() -> None:
    # The newest row changed on 2 May; the syncs run on 1, 2 and 3 June at noon. Each sync's
    # last page carries its own start as the cursor, and each next sync asks from the one
    # before less the 5-minute look-back: not from 2 May again and again.
    old = [[inv("A", day=2)]]
    state = SyncState()
    for day in (1, 2, 3):
        started = datetime(2025, 6, day, 12, 0, tzinfo=UTC)
        conn = CheckedToStart(pages={"rows": old}, clock=lambda started=started: started)
        pages = pages_of(conn, state)
        since = None if day == 1 else datetime(2025, 6, day - 1, 11, 55, tzinfo=UTC)
        assert conn.calls == [("rows", since)]
        assert [p.cursor for p in pages] == [started]
        state = state.after(pages[-1])


def test_a_stream_read_up_to_the_syncs_start_keeps_its_cursor_until_its_last_page() -> None:
    # Two pages, the second never read (the source broke): the first page keeps the cursor
    # the sync started from, so the next sync asks from there again.
    before = datetime(2025, 5, 20, tzinfo=UTC)
    conn = CheckedToStart(pages={"rows": [[inv("A", day=9)], ["boom"]]}, clock=lambda: NOW)
    sync = conn.sync(SyncState({"rows": before}))
    first = next(sync)
    assert (first.cursor, first.last) == (before, False)
    with pytest.raises(ConfigError, match="broke"):
        next(sync)


class AnsweringToStart(CheckedToStart):
    """``CheckedToStart`` whose source says, on each page, when it answered by its own clock
    (QuickBooks' ``"time"``): ``answers``, one a page (None: that answer says nothing)."""

    answers: tuple[datetime | None, ...] = ()

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        for page, answered in zip(super().fetch(stream, since=since), self.answers,
                                  strict=True):
            yield replace(page, answered_at=answered)


def at(hour: int, minute: int, day: int = 1) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("started", "answers", "cursor"),
    [
        # This machine's clock 10 minutes ahead of the source's: it says 12:10 when the source
        # answers at 12:00. The cursor is the source's 12:00, not 12:10: a change the source
        # makes at 12:01, during the sync, is asked for by the next sync (from 11:55).
        (at(12, 10), (at(12, 0),), at(12, 0)),
        # Several answers: the earliest (the read's start, by the source's clock), in
        # whatever order they come.
        (at(12, 10), (at(12, 3), at(12, 1), at(12, 2)), at(12, 1)),
        # 10 minutes behind: 11:50 here, 12:00 there. This machine's start is the earlier
        # moment, and the cursor never passes the moment the sync started.
        (at(11, 50), (at(12, 0),), at(11, 50)),
        # Answers that say nothing: this machine's start, as before.
        (at(12, 10), (None, None), at(12, 10)),
        # The source's time in another offset (QuickBooks writes Pacific time): 05:00-07:00
        # is 12:00 UTC, and the cursor is stored in UTC.
        (at(12, 10), (datetime(2025, 6, 1, 5, 0, tzinfo=timezone(timedelta(hours=-7))),),
         at(12, 0)),
    ],
    ids=["ahead", "several answers", "behind", "no time given", "in another offset"],
)
def test_a_cursor_at_start_never_runs_ahead_of_the_sources_own_clock(
    started: datetime, answers: tuple[datetime | None, ...], cursor: datetime,
) -> None:
    rows = [[inv(str(n), day=2)] for n in range(len(answers))]
    conn = AnsweringToStart(pages={"rows": rows}, clock=lambda: started)
    conn.answers = answers
    pages = pages_of(conn, SyncState({"rows": at(12, 0) - timedelta(days=1)}))
    last = pages[-1].cursor
    assert last == cursor
    assert last is not None
    assert last.tzinfo == UTC


@settings(max_examples=60, deadline=None)
@given(
    started=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2025, 12, 31),
                         timezones=st.just(UTC)),
    answers=st.lists(st.none() | st.tuples(
        st.timedeltas(min_value=timedelta(hours=-2), max_value=timedelta(hours=2)),
        st.integers(min_value=-12, max_value=14)), min_size=1, max_size=4),
)
def test_the_last_cursor_is_the_earliest_of_the_syncs_start_by_either_clock(
    started: datetime, answers: list[tuple[timedelta, int] | None],
) -> None:
    # Each answer: the source's clock that far from this machine's start, written in an
    # offset of -12..+14 hours. The cursor is the earliest of this machine's start and the
    # source's answers: never past the sync's start by either clock, and no earlier.
    moments = tuple(None if a is None else (started + a[0]).astimezone(
        timezone(timedelta(hours=a[1]))) for a in answers)
    rows = [[inv(str(n), day=2)] for n in range(len(moments))]
    conn = AnsweringToStart(pages={"rows": rows}, clock=lambda: started)
    conn.answers = moments
    cursor = pages_of(conn, SyncState({"rows": datetime(2024, 12, 1, tzinfo=UTC)}))[-1].cursor
    assert cursor == min([started, *(m for m in moments if m is not None)])


def test_a_cursor_of_the_latest_change_never_passes_the_sources_own_clock_either() -> None:
    # A row whose change time (12:30) is later than the source's own answer (12:00: a record
    # dated ahead of its source's clock), read by a machine whose clock says 12:45: the cursor
    # stops at 12:00, where the source's clock was, as it stopped at this machine's start.
    class Answering(ListConnector):
        def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
            for page in super().fetch(stream, since=since):
                yield replace(page, answered_at=at(12, 0))

    row = {"iid": "A", "total": "10.00", "updated": at(12, 30).isoformat()}
    conn = Answering(pages={"rows": [[row]]}, clock=lambda: at(12, 45))
    (page,) = pages_of(conn, streams=["rows"])
    assert page.cursor == at(12, 0)


def test_a_read_that_stops_early_keeps_its_cursor_whatever_the_sources_clock_says() -> None:
    before = datetime(2025, 5, 20, tzinfo=UTC)
    conn = AnsweringToStart(pages={"rows": [[inv("A", day=9)], ["boom"]]}, clock=lambda: NOW)
    conn.answers = (NOW - timedelta(minutes=10), NOW)
    sync = conn.sync(SyncState({"rows": before}))
    first = next(sync)
    assert (first.cursor, first.last) == (before, False)
    with pytest.raises(ConfigError, match="broke"):
        next(sync)


def test_a_source_time_without_an_offset_is_a_connector_error_naming_the_stream() -> None:
    conn = AnsweringToStart(pages={"rows": [[inv("A", day=9)]]}, clock=lambda: NOW)
    conn.answers = (datetime(2025, 6, 1, 12, 0),)
    with pytest.raises(TypeError, match=r"connector 'fake' gave page 1 of stream 'rows' a "
                                        r"naive answered_at \(2025-06-01T12:00:00\)"):
        pages_of(conn)


def test_lookback_rereads_a_little_before_the_cursor() -> None:
    class Lagging(ListConnector):
        lookback = timedelta(hours=1)

    conn = Lagging(pages={}, clock=lambda: NOW)
    state = SyncState({"invoices": datetime(2025, 5, 2, tzinfo=UTC)})
    pages_of(conn, state, streams=["invoices"])
    assert conn.calls == [("invoices", datetime(2025, 5, 1, 23, tzinfo=UTC))]


def test_an_empty_stream_still_yields_one_last_page() -> None:
    conn = connector()
    pages = pages_of(conn, SyncState({"invoices": NOW - timedelta(days=1)}), streams=["invoices"])
    assert len(pages) == 1
    assert pages[0].last
    assert pages[0].records == ()
    assert pages[0].cursor == NOW - timedelta(days=1)


def test_sync_state_round_trips_through_json_and_refuses_naive_cursors() -> None:
    state = SyncState().advance("invoices", datetime(2025, 5, 2, 10, tzinfo=UTC))
    assert SyncState.from_json(state.to_json()) == state
    with pytest.raises(ConfigError, match="naive"):
        SyncState({"invoices": datetime(2025, 5, 2)})


def test_the_clock_is_read_once_per_sync() -> None:
    reads: list[int] = []

    def clock() -> datetime:
        reads.append(1)
        return NOW

    conn = ListConnector(pages={"invoices": [[inv("A")], [inv("B")]]}, clock=clock)
    pages_of(conn)
    assert len(reads) == 1


# ----------------------------------------------------------------------------- pull, ledger


def test_pull_collects_records_rejections_locations_and_state() -> None:
    conn = connector(
        customers=[[{"cid": "c1", "name": "Acme"}]],
        invoices=[[inv("A", day=3), inv("B", total="x")]],
    )
    pulled = pull(conn)
    assert {r.kind for r in pulled.records} == {"customer", "invoice"}
    assert [r.record_id for r in pulled.rejected] == ["B"]
    assert pulled.state.cursor("invoices") == datetime(2025, 5, 3, tzinfo=UTC)
    assert pulled.locations[("customer", "fake", "c1")] == Location(file="customers.csv", line=100)


def test_ledger_from_connector_keeps_rejections_with_their_location() -> None:
    conn = connector(invoices=[[inv("A"), inv("B", total="-5")]])
    ledger = cg.Ledger.from_connector(conn, base_currency="EUR", strict=False)
    assert [i.id for i in ledger.invoices] == ["A"]
    (rejection,) = ledger.report.rejected
    assert rejection.record_id == "B"
    assert rejection.location == Location(file="invoices.csv", line=101)
    with pytest.raises(DataError, match=r"invoices.csv, line 101"):
        cg.Ledger.from_connector(
            connector(invoices=[[inv("A"), inv("B", total="-5")]]),
            base_currency="EUR",
        )


# ----------------------------------------------------------------------------- options, progress


def test_options_are_validated_and_unknown_ones_named() -> None:
    with pytest.raises(ConfigError, match="regoin: not an option"):
        ListConnector(pages={}, regoin="us")
    with pytest.raises(ConfigError, match="pages: is required"):
        ListConnector()


def test_secrets_never_show_in_repr_errors_or_describe() -> None:
    conn = ListConnector(pages={}, api_key="sk_live_SECRET")
    assert "SECRET" not in repr(conn)
    assert "SECRET" not in repr(conn.options)
    with pytest.raises(ConfigError) as caught:
        ListConnector(pages="sk_live_SECRET")
    assert "SECRET" not in str(caught.value)
    info = ListConnector.describe()
    by_name = {o.name: o for o in info.options}
    assert by_name["api_key"].secret
    assert by_name["api_key"].default is None
    assert by_name["region"].default == "'eu'"
    assert by_name["region"].help == "Where the fake lives."
    assert by_name["pages"].required
    assert info.summary == "Serves raw pages from memory, like a file reader would."
    assert [s.name for s in info.streams] == ["customers", "invoices", "rows", "hours"]


def test_unknown_stream_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="customers, invoices, rows, hours"):
        pages_of(connector(), streams=["bills"])


def test_progress_reports_pages_and_stream_ends() -> None:
    events: list[ProgressEvent] = []
    conn = ListConnector(
        pages={"invoices": [[inv("A")], [inv("B"), inv("C", total="x")]]},
        clock=lambda: NOW,
        progress=events.append,
    )
    pages_of(conn, streams=["invoices"])
    assert [(e.event, e.pages, e.records, e.rejected) for e in events] == [
        ("page", 1, 1, 0),
        ("page", 2, 2, 1),
        ("stream_done", 2, 2, 1),
    ]


def test_to_model_may_return_several_records() -> None:
    class Splitting(ListConnector):
        def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
            first = super().to_model(stream, raw)
            assert isinstance(first, Invoice)
            records: Sequence[Invoice] = (first, first.model_copy(update={"id": first.id + "b"}))
            return records

    conn = Splitting(pages={"invoices": [[inv("A")]]}, clock=lambda: NOW)
    (page,) = pages_of(conn, streams=["invoices"])
    assert [r.id for r in page.records] == ["A", "Ab"]


def test_a_fetcher_that_cannot_tell_the_last_page_gets_an_empty_closing_page() -> None:
    conn = ListConnector(
        pages={"rows": [[inv("A", day=3)], [inv("B", day=5)]]},
        knows_last=False,
        clock=lambda: NOW,
    )
    old = datetime(2025, 5, 1, tzinfo=UTC)
    pages = pages_of(conn, SyncState({"rows": old}), streams=["rows"])
    assert [(p.number, len(p.records), p.last, p.cursor) for p in pages] == [
        (1, 1, False, old),
        (2, 1, False, old),
        (3, 0, True, datetime(2025, 5, 5, tzinfo=UTC)),
    ]


def test_a_page_is_handed_over_before_the_next_is_fetched() -> None:
    conn = ListConnector(pages={"invoices": [[inv("A")], ["boom"]]}, clock=lambda: NOW)
    pages = conn.sync(streams=["invoices"])
    first = next(pages)
    assert [r.id for r in first.records] == ["A"]
    assert first.cursor is not None  # safe to store before the failure below
    with pytest.raises(ConfigError, match="broke"):
        next(pages)


def test_records_the_source_reports_deleted_are_listed_and_dropped_by_pull() -> None:
    class Deleting(ListConnector):
        def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
            if raw.get("deleted"):
                return Skip("deleted invoice", deleted=True)
            return super().to_model(stream, raw)

    conn = Deleting(
        pages={"invoices": [[inv("A"), inv("B")], [{"iid": "A", "deleted": True}]]},
        clock=lambda: NOW,
    )
    pages = pages_of(conn, streams=["invoices"])
    assert pages[1].deleted == (("invoice", "fake", "A"),)
    assert pages[1].skipped == {"deleted invoice": 1}
    conn2 = Deleting(
        pages={"invoices": [[inv("A"), inv("B")], [{"iid": "A", "deleted": True}]]},
        clock=lambda: NOW,
    )
    assert [r.id for r in pull(conn2, streams=["invoices"]).records] == ["B"]


# ----------------------------------------------------------------------------- the collector


class Watching(ListConnector):
    """Notes whether the cyclic collector was on as each stream was read."""

    seen: ClassVar[list[bool]] = []

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        Watching.seen.append(gc.isenabled())
        yield from super().fetch(stream, since=since)


class BoundedWatching(Watching):
    bounded_read: ClassVar[bool] = True


@pytest.mark.usefixtures("collector_alone")
def test_a_pull_leaves_the_collector_alone_unless_the_read_is_bounded() -> None:
    # The collector is the whole process's, and a sync over an API may take hours: the
    # framework pauses it only for a connector that says its read is bounded work on the CPU.
    Watching.seen = []
    pull(Watching(pages={"invoices": [[inv("A")]]}, clock=lambda: NOW), streams=["invoices"])
    pull(BoundedWatching(pages={"invoices": [[inv("A")]]}, clock=lambda: NOW),
         streams=["invoices"])
    assert Watching.seen == [True, False]
    assert gc.isenabled()


def test_a_bounded_pull_that_fails_turns_the_collector_back_on() -> None:
    failing = BoundedWatching(pages={"invoices": [[inv("A")], ["boom"]]}, clock=lambda: NOW)
    with pytest.raises(ConfigError, match="broke"):
        pull(failing, streams=["invoices"])
    assert gc.isenabled()
