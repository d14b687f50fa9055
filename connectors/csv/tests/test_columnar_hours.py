"""Time entries and work requests read by the columnar reader give exactly what the row reader
gives (the ``read_alike`` fixture of conftest.py: records field by field with their types,
Decimal digits and fields set; rejections with file, line, column, reason and row; skipped
rows; the log), and the rows that pass every check take the short way.

The files: each case of the checks, and random files of messy cells (hypothesis). The time
trackers' presets (Toggl, Harvest, Clockify) are read both ways on their sample exports in
test_presets.py (the shared reference holds no time tracker export), the benchmark's time
entries and work requests in test_columnar.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow", reason="the columnar reader needs pyarrow (the fast extra)")

from clientguard.model import TimeEntry, WorkRequest
from clientguard_csv import columnar
from clientguard_csv import reading as reading_module
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Loaded, ReadLog, read_records

Write = Callable[..., Path]
ReadAlike = Callable[..., Any]
CheckedShare = Callable[[dict[str, Any], str, Path], float]

CUSTOMERS = "id,name\nc1,Acme Inc.\nc2,Beta Sp. z o.o.\nc3,Beta\nc4,Gamma\n"
"""Customers: ``Beta`` names two of them (an ambiguous name)."""

TIME_HEADER = "customer_id,client,date,hours,person,billable"
WORK_HEADER = "id,customer_id,client,requested_on,wanted_by"


def _mapping(*, client: str = "both", hours: str = "hours", person: str = "single",
             billable: bool = True, customers: bool = True, **settings_: Any) -> dict[str, Any]:
    """A mapping of TIME_HEADER's and WORK_HEADER's columns: the client by ``id``, ``name`` or
    ``both``; hours as ``hours`` or ``duration``; the person from one column, two joined, or
    none."""
    columns: dict[str, Any] = {"date": "date", hours: "hours"}
    if client in ("id", "both"):
        columns["customer_id"] = "customer_id"
    if client in ("name", "both"):
        columns["customer_name"] = "client"
    if person == "single":
        columns["person"] = "person"
    elif person == "joined":
        columns["person"] = {"join": ["person", "client"]}
    if billable:
        columns["billable"] = "billable"
    work = {"id": "id", "requested_on": "requested_on", "wanted_by": "wanted_by"}
    if client in ("id", "both"):
        work["customer_id"] = "customer_id"
    if client in ("name", "both"):
        work["customer_name"] = "client"
    mapping: dict[str, Any] = {
        "date_formats": ["iso"], "decimal": ".", "thousands": ",", **settings_,
        "time_entries": {"columns": columns}, "work_requests": {"columns": work},
    }
    if customers:
        mapping["customers"] = {"columns": {"id": "id", "name": "name"}}
    return mapping


def _sources(write: Write, time_rows: list[str], work_rows: list[str] | None = None, *,
             customers: bool = True) -> dict[str, list[Path]]:
    sources = {"time_entries": [write("t.csv", "\n".join([TIME_HEADER, *time_rows, ""]))]}
    if work_rows is not None:
        sources["work_requests"] = [write("w.csv", "\n".join([WORK_HEADER, *work_rows, ""]))]
    if customers:
        sources["customers"] = [write("c.csv", CUSTOMERS)]
    return sources


# ---------------------------------------------------------------- each case

#: Time entry rows (TIME_HEADER): each passes the checks or takes the long way, whose
#: rejection must be the row reader's.
TIME_CASES = [
    "c1,,2024-01-31,1.5,Ann,yes",
    "c1,Acme Inc.,2024-01-31,1.50,Ann,no",
    ",Acme Inc.,2024-01-31,2,Ann,",  # by name
    ",acme inc,2024-01-31,2,Ann,",  # a name that normalises alike
    ",Beta,2024-01-31,2,Ann,",  # an ambiguous name
    ",Nobody,2024-01-31,2,Ann,",  # unmatched
    "c9,,2024-01-31,2,Ann,",  # an unknown id
    ",,2024-01-31,2,Ann,",  # no client
    " c1 ,,2024-01-31,2,Ann,",
    "c1,,2024-01-31,,Ann,yes",  # no hours
    "c1,,2024-01-31,-1,Ann,yes",
    "c1,,2024-01-31,-0,Ann,yes",
    "c1,,2024-01-31,0,Ann,yes",
    "c1,,2024-01-31,0.000,Ann,yes",
    "c1,,2024-01-31,100000,Ann,yes",
    "c1,,2024-01-31,100000.01,Ann,yes",
    "c1,,2024-01-31,1e3,Ann,yes",
    "c1,,2024-01-31,NaN,Ann,yes",
    "c1,,2024-01-31,inf,Ann,yes",
    "c1,,2024-01-31,1:30,Ann,yes",
    "c1,,2024-01-31,01:30:00,Ann,yes",
    "c1,,2024-01-31,0:20,Ann,yes",
    "c1,,2024-01-31,100001:00,Ann,yes",
    "c1,,2024-01-31,9999999:00,Ann,yes",
    "c1,,2024-01-31,1:75,Ann,yes",
    "c1,,2024-01-31,1 000,Ann,yes",
    "c1,,2024-01-31,$5,Ann,yes",
    "c1,,2024-01-31,5 h,Ann,yes",
    "c1,,2024-01-31, 2.5 ,Ann,yes",
    "c1,,2024-01-31,\u0661\u0662,Ann,yes",
    "c1,,,2,Ann,yes",  # no date
    "c1,,1899-12-31,2,Ann,yes",
    "c1,,3000-01-01,2,Ann,yes",
    "c1,,2023-02-29,2,Ann,yes",
    "c1,,31.01.2024,2,Ann,yes",
    "c1,,2024-01-31T10:00:00,2,Ann,yes",
    "c1,,2024-01-31,2,,yes",  # no person
    "c1,,2024-01-31,2, Ann   Lee ,yes",
    "c1,,2024-01-31,2,Żaneta,yes",
    "c1,,2024-01-31,2,Ann,YES",
    "c1,,2024-01-31,2,Ann, x ",
    "c1,,2024-01-31,2,Ann,Non-Billable",
    "c1,,2024-01-31,2,Ann,maybe",
    "c1,,2024-01-31,2,Ann,yes,",  # a row longer than the header, its extra cell empty
    "c1,,2024-01-31,2,Ann,yes,extra",  # and not empty
    "c1,,2024-01-31,2",  # a row too short
]


@pytest.mark.parametrize("options", [
    pytest.param({}, id="by-id-and-name"),
    pytest.param({"client": "id"}, id="by-id"),
    pytest.param({"client": "name"}, id="by-name"),
    pytest.param({"hours": "duration"}, id="duration"),
    pytest.param({"person": "joined"}, id="joined-person"),
    pytest.param({"person": "none", "billable": False}, id="no-person-no-billable"),
    pytest.param({"customers": False, "client": "name"}, id="hours-alone"),
    pytest.param({"customers": False}, id="hours-alone-with-ids"),
    pytest.param({"decimal": ",", "thousands": "."}, id="decimal-comma"),
])
@pytest.mark.parametrize("row", TIME_CASES)
def test_each_time_entry_case_reads_alike(
    row: str, options: dict[str, Any], write: Write, read_alike: ReadAlike
) -> None:
    customers = options.get("customers", True)
    # Twice (the second finds what the first left: a name matched before), then a clean row:
    # the file's checks go on past a row that fails them.
    rows = [row, row, "c1,Acme Inc.,2024-02-01,3.25,Bob,no"]
    read_alike(_mapping(**options), _sources(write, rows, customers=customers))


WORK_CASES = [
    "r1,c1,,2024-01-02,2024-01-31",
    "r1,c1,Acme Inc.,2024-01-31,2024-01-02",  # wanted before it was asked for
    ",c1,,2024-01-02,2024-01-31",  # an id made from the content
    ",Acme Inc.,,2024-01-02,2024-01-31",  # a name in the id column
    "r1,,Acme Inc.,2024-01-02,2024-01-31",
    "r1,,Beta,2024-01-02,2024-01-31",
    "r1,,Nobody,2024-01-02,2024-01-31",
    "r1,c9,,2024-01-02,2024-01-31",
    "r1,,,2024-01-02,2024-01-31",
    " r  1 ,c1,,2024-01-02,2024-01-31",
    "r1,c1,,,2024-01-31",
    "r1,c1,,2024-01-02,",
    "r1,c1,,1899-12-31,2024-01-31",
    "r1,c1,,2024-01-02,3000-01-01",
    "r1,c1,,2024-13-02,2024-01-31",
    "r1,c1,,2024-01-02",  # a row too short
    "r1,c1,,2024-01-02,2024-01-31,x",
]


@pytest.mark.parametrize("client", ["both", "id", "name"])
@pytest.mark.parametrize("row", WORK_CASES)
def test_each_work_request_case_reads_alike(
    row: str, client: str, write: Write, read_alike: ReadAlike
) -> None:
    # Twice: a second identical row without an id gets the next made id (-2).
    rows = [row, row, ",c1,Acme Inc.,2024-03-01,2024-03-05"]
    read_alike(_mapping(client=client), _sources(write, [], rows))


def test_clean_rows_take_the_short_way_and_equal_validated_records(
    write: Write, checked_share: CheckedShare
) -> None:
    rows = [f"c{1 + n % 2},,2024-01-{1 + n % 28:02},{n % 9}.25,P{n % 3},{'yes' if n % 2 else 'no'}"
            for n in range(200)]
    work = [f"r{n},c1,,2024-01-{1 + n % 28:02},2024-02-{1 + n % 28:02}" for n in range(50)]
    mapping = _mapping()
    sources = _sources(write, rows, work)
    assert checked_share(mapping, "time_entries", sources["time_entries"][0]) == 1
    assert checked_share(mapping, "work_requests", sources["work_requests"][0]) == 1
    made, validated = (
        [i.record for i in read_records(mapping_from_dict(mapping), sources, reader=reader)
         if isinstance(i, Loaded) and isinstance(i.record, TimeEntry | WorkRequest)]
        for reader in ("arrow", "python"))
    assert len(made) == 250
    assert [r.__dict__ for r in made] == [r.__dict__ for r in validated]
    assert [list(r.__dict__) for r in made] == [list(r.__dict__) for r in validated]
    assert [r.model_fields_set for r in made] == [r.model_fields_set for r in validated]
    assert [r.model_dump_json() for r in made] == [r.model_dump_json() for r in validated]
    assert made[0].customer_id is sys.intern("c1")
    if sys.implementation.name == "cpython":  # no validation: only the values are kept
        assert sys.getsizeof(made[0].__dict__) < sys.getsizeof(validated[0].__dict__)


# ---------------------------------------------------------------- random messy cells

CLIENT_IDS = ["c1", "c2", " c1", "", "c  1", "c9", "Acme Inc.", "Ćma"]
CLIENT_NAMES = ["Acme Inc.", "ACME", "Beta", "", " Gamma ", "Nobody", "Acme  Inc.", "Żuk"]
DATES = ["2024-01-31", "2024-02-29", "2023-02-29", "", " 2024-01-01", "1899-12-31",
         "3000-01-01", "2024-01-01T10:00:00+01:00", "01/02/2024", "31.01.2024", "2999-12-31"]
HOURS = ["1.5", "1,5", "1,000.25", "1.000,25", "0", "-0", "-1", "", " 2 ", "1:30", "01:30:00",
         "0:5", "1:60", "100000", "100000.000001", "100001:00", "1e2", "NaN", "∞", "7.",
         ".5", "3 h", "12345678901234567890", "\u0661", "2,5 h"]
PERSONS = ["Ann", "", " Ann  Lee ", "Żaneta", "Bob\tSmith", "x"]
FLAGS = ["yes", "no", "", "Y", " TRUE ", "billable", "Non-Billable", "maybe", "0", "1"]

_time_row = st.tuples(st.sampled_from(CLIENT_IDS), st.sampled_from(CLIENT_NAMES),
                      st.sampled_from(DATES), st.sampled_from(HOURS), st.sampled_from(PERSONS),
                      st.sampled_from(FLAGS))
_work_row = st.tuples(st.sampled_from(["r1", "r2", "", " r 3"]), st.sampled_from(CLIENT_IDS),
                      st.sampled_from(CLIENT_NAMES), st.sampled_from(DATES),
                      st.sampled_from(DATES))


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(_time_row, st.booleans()), min_size=1, max_size=25),
    work=st.lists(_work_row, max_size=10),
    client=st.sampled_from(["both", "id", "name"]),
    hours=st.sampled_from(["hours", "duration"]),
    person=st.sampled_from(["single", "joined", "none"]),
    billable=st.booleans(),
    customers=st.sampled_from(["file", "invoices", "none"]),
    separators=st.sampled_from([(".", ","), (",", "."), (".", ""), (",", " ")]),
    layout=st.sampled_from(["plain", "crlf", "blank line", "no end", "skip blank"]),
)
def test_messy_time_entries_and_work_requests_read_alike(
    write: Write, read_alike: ReadAlike, rows: list[tuple[tuple[str, ...], bool]],
    work: list[tuple[str, ...]], client: str, hours: str, person: str, billable: bool,
    customers: str, separators: tuple[str, str], layout: str,
) -> None:
    decimal, thousands = separators
    mapping = _mapping(client=client, hours=hours, person=person, billable=billable,
                       customers=customers == "file", decimal=decimal, thousands=thousands)
    if layout == "skip blank":
        mapping["time_entries"]["skip_blank"] = ["person"]
    newline = "\r\n" if layout == "crlf" else "\n"
    lines = [",".join(f'"{c}"' if quote else c for c in cells) for cells, quote in rows]
    if layout == "blank line":
        lines.insert(len(lines) // 2, "")
    end = "" if layout == "no end" else newline
    sources: dict[str, list[Path]] = {
        "time_entries": [write("t.csv", newline.join([TIME_HEADER, *lines]) + end)]}
    if work:
        sources["work_requests"] = [write("w.csv", newline.join(
            [WORK_HEADER, *(",".join(cells) for cells in work)]) + end)]
    if customers == "file":
        sources["customers"] = [write("c.csv", CUSTOMERS)]
    elif customers == "invoices":  # customers made from the invoices' rows
        mapping["invoices"] = {"columns": {"id": "id", "customer_id": "customer_id",
                                           "customer_name": "name", "issue_date": "date",
                                           "due_date": "date", "total": "total"},
                               }
        mapping["currency"] = "EUR"
        sources["invoices"] = [write("i.csv", "id,customer_id,name,date,total\n"
                                              "i1,c1,Acme Inc.,2024-01-01,10\n"
                                              "i2,c2,Beta,2024-01-01,10\n")]
    read_alike(mapping, sources)


def test_auto_counts_time_entries_read_by_rows_towards_pyarrow_s_import(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Time entries, now checked by columns, count (as invoices and payments do) towards the
    # bytes read by rows after which a process's import of pyarrow pays for itself.
    monkeypatch.setattr(reading_module, "arrow_loaded", lambda: False)
    monkeypatch.setattr(reading_module._RowReads, "bytes", 0)
    monkeypatch.setattr(reading_module, "ARROW_MIN_BYTES", 60_000)
    rows = [f"c1,,2024-01-{1 + n % 28:02},{n % 9}.25,Person {n % 5},yes" for n in range(800)]
    sources = _sources(write, rows)
    size = sources["time_entries"][0].stat().st_size
    assert 16 << 10 <= size < 30_000
    ways: list[str] = []
    for _ in range(4):
        log = ReadLog()
        list(read_records(mapping_from_dict(_mapping()), sources, log=log, reader="auto"))
        ways.extend(f.reader for f in log.files if f.stream == "time_entries")
    firsts = 60_000 // size
    assert ways == ["python"] * firsts + ["arrow"] * (4 - firsts)


def test_a_large_time_entries_file_is_parsed_by_rows_and_checked_by_columns(
    write: Write, read_alike: ReadAlike, checked_share: CheckedShare,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Above STREAMED_ABOVE (1 MiB; here 1 KiB) the row reader parses the file a block at a
    # time, so that its reading streams; the blocks are still checked by columns.
    monkeypatch.setattr(columnar, "STREAMED_ABOVE", 1024)
    rows = [f"c{1 + n % 3},,2024-01-{1 + n % 28:02},{n % 9}.25,P{n % 3},{'yes' if n % 2 else ''}"
            for n in range(300)]
    rows[7] = "c1,,2024-01-01,-1,Ann,yes"  # rejected the row reader's way
    mapping = _mapping()
    sources = _sources(write, rows)
    log = read_alike(mapping, sources)
    assert {f.stream: f.reader for f in log.files}["time_entries"] == "arrow-rows"
    assert checked_share(mapping, "time_entries", sources["time_entries"][0]) == 299 / 300
