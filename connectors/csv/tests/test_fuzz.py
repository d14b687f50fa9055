"""Random mutations of the real exports in ../shared (skipped where absent), through the CSV
connector, ``Ledger.build`` and a review.

The invariants, for every mutated file:

* nothing raises but clientguard's documented errors (a :class:`ClientguardError`: a file
  whose header no longer fits, say); a bad cell is a rejection of its row, never a crash;
  the ledger builds, the review runs and every report format renders;
* every data row is accounted for: rows in the file = records loaded + rows rejected + rows
  skipped + duplicates folded + line items folded into an earlier row's document;
* the columnar reader (pyarrow) reads every mutated file exactly as the row reader does.

Seeded (``derandomize``) and bounded: a few hundred examples, a few seconds.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clientguard as cg
from clientguard.connector import Page
from clientguard.errors import ClientguardError
from clientguard.report import FORMATS, render
from clientguard.review import review
from clientguard_csv import CsvConnector
from clientguard_csv.mapping import load_preset

EXPORTS = "data/tool_exports"
#: The shared reference beside the repository (as the root conftest.py finds it).
REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference"

#: The IBM sample through a mapping of one's own, without date_formats: the dates read by
#: recognition (month first), the terms from a column, the hours from the amount column.
IBM_OWN: dict[str, Any] = {
    "currency": "USD",
    "day_first": False,
    "invoices": {"columns": {
        "id": "invoiceNumber", "customer_id": "customerID", "issue_date": "InvoiceDate",
        "terms_days": "DaysToSettle", "total": "InvoiceAmount", "paid_on": "SettledDate"}},
    "time_entries": {"columns": {"customer_id": "customerID", "date": "PaperlessDate",
                                 "hours": "InvoiceAmount", "person": "countryCode"}},
}

#: (name, preset or mapping, {stream: reference file}, rows of the file kept): the real
#: exports.
SOURCES: list[tuple[str, str | dict[str, Any], dict[str, str], int]] = [
    ("ibm", "ibm-ar", {"invoices": "data/ibm_accounts_receivable.csv"}, 40),
    ("ibm-own", IBM_OWN, {"invoices": "data/ibm_accounts_receivable.csv",
                          "time_entries": "data/ibm_accounts_receivable.csv"}, 40),
    ("freshbooks", "freshbooks", {"invoices": f"{EXPORTS}/freshbooks_invoices_export.csv"}, 0),
    ("wave", "wave", {"invoices": f"{EXPORTS}/wave_transactions_export.csv",
                      "payments": f"{EXPORTS}/wave_transactions_export.csv"}, 0),
    ("zoho", "zoho", {"invoices": f"{EXPORTS}/zoho_invoices_export.csv"}, 0),
    ("invoice2go", "invoice2go", {"invoices": f"{EXPORTS}/invoice2go_invoices_export.csv"}, 0),
    ("invoicely", "invoicely", {"invoices": f"{EXPORTS}/invoicely_invoices_export.csv"}, 0),
    ("invoiceninja", "invoiceninja",
     {"invoices": f"{EXPORTS}/invoiceninja_v4_invoices.csv",
      "payments": f"{EXPORTS}/invoiceninja_v4_payments.csv"}, 30),
]

#: Cells that broke a sync once, or could: impossible dates, placeholder dates, absurd
#: numbers and durations, control characters, a lone quote, very long text.
HOSTILE_CELLS = [
    "", " ", "05/00/2025", "00/05/2025", "31/02/2025", "2025-13-01", "2025-00-00",
    "0000-01-01", "9999-12-31", "0001-01-01", "1899-12-30", "12/31/9999", "1e27", "-1e27",
    "1E+999999", "NaN", "Infinity", "-0", "(5.00)", "$-0.00", "1,2,3", "1.2.3",
    "1.23E+11", "1,23E+11", " 1.2E+15 ", "2E+5",
    "9" * 5000, "99999999999999999999999999999:00:00", "1" * 30 + ".5", "0.000000000001",
    '"', '""', "\x00", "\x1b[31m", "\u202e", "Ż" * 300, "x" * 20_000, "net 99999 days",
    "paid", "void", "1/1/1", "2021-01-28T11:04:09+99:00", "Jan 32 2021", "Feb 29 2023",
]
STRAY_BYTES = [b"\xff", b"\xe9", b"\x81", b"\xc3", b"\x98", b"\x00", b"\xef\xbb\xbf"]
NEWLINE = b"\n"


def _data_lines(content: bytes, keep: int) -> tuple[list[bytes], list[bytes]]:
    """The file's lines split in two: up to the header (found by a column the preset names,
    as a plain string) and the data after it, the data cut to ``keep`` lines (0: all)."""
    lines = content.split(NEWLINE)
    head = 1
    for index, line in enumerate(lines[:10]):
        if line.count(b",") > 2:
            head = index + 1
            break
    data = lines[head:]
    if keep:
        data = data[:keep]
    return lines[:head], data


mutation = st.one_of(
    st.tuples(st.just("cell"), st.integers(0, 10**6), st.integers(0, 200),
              st.sampled_from(HOSTILE_CELLS) | st.text(max_size=30)),
    st.tuples(st.just("stray"), st.integers(0, 10**6), st.integers(0, 10**6),
              st.sampled_from(STRAY_BYTES)),
    st.tuples(st.just("repeat"), st.integers(0, 10**6), st.integers(1, 3), st.just("")),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.just(0), st.just("")),
    st.tuples(st.just("swap"), st.integers(0, 10**6), st.integers(0, 10**6), st.just("")),
    st.tuples(st.just("cut"), st.integers(0, 10**6), st.integers(0, 200), st.just("")),
    st.tuples(st.just("blank"), st.integers(0, 10**6), st.just(0), st.just("")),
)


def _mutate(data: list[bytes], change: tuple[str, int, int, Any]) -> None:
    if not data:
        return
    kind, at, arg, value = change
    index = at % len(data)
    line = data[index]
    if kind == "cell":
        cells = line.split(b",")
        cells[arg % len(cells)] = str(value).encode("utf-8")
        data[index] = b",".join(cells)
    elif kind == "stray":
        place = arg % (len(line) + 1)
        data[index] = line[:place] + value + line[place:]
    elif kind == "repeat":
        data[index + 1 : index + 1] = [line] * arg
    elif kind == "delete":
        del data[index]
    elif kind == "swap":
        other = arg % len(data)
        data[index], data[other] = data[other], data[index]
    elif kind == "cut":
        data[index] = line[: arg % (len(line) + 1)]
    else:
        data.insert(index, b"")


def _rows_in(path: Path, encoding: str, delimiter: str, header_line: int) -> int | None:
    """Data rows of a file as the csv module alone counts them (rows with a non-blank cell
    after the header line), or None when the csv module cannot read the file through."""
    try:
        text = path.read_bytes().decode(encoding, errors="surrogateescape")
    except UnicodeError:  # e.g. UTF-16 cut in the middle of a character
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    count = 0
    try:
        start = 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if line > header_line and "".join(cells).strip():
                count += 1
    except csv.Error:
        return None
    return count


def _connector(preset: str | dict[str, Any], files: dict[str, Path]) -> CsvConnector:
    given: dict[str, Any] = {s: str(p) for s, p in files.items()}
    if isinstance(preset, dict):
        return CsvConnector(mapping=preset, **given)
    return CsvConnector(preset=preset, **given)


def _check(source: str, preset: str | dict[str, Any], files: dict[str, Path]) -> None:
    connector = _connector(preset, files)
    try:
        pages = list(connector.sync())
    except ClientguardError:
        return  # a documented error (a header that no longer fits): fine
    pulled = cg.connector.pull(_connector(preset, files))
    ledger = cg.Ledger.build(pulled.records, base_currency="USD", strict=False,
                             rejected=pulled.rejected, locations=pulled.locations)
    result = review(ledger, as_of=date(2021, 6, 30))
    for fmt in FORMATS:  # every report renders whatever was accepted
        render(result, fmt)
    logs = {(log.stream, Path(log.file)): log for log in connector.inspect().files}
    kinds = {s.name: s.kind for s in connector.streams}
    for stream, path in files.items():
        log = logs[(stream, path)]
        mine = [p for p in pages if p.stream == stream]
        # (a time entry has no id, so no location: the stream has this one file)
        loaded = sum(1 for p in mine for r in p.records if r.kind == kinds[stream]
                     and _where(p, r) in (str(path), None))
        rejected = len({(r.location.file, r.location.line) for p in mine for r in p.rejected
                        if r.location is not None})
        skipped = sum(n for p in mine for n in p.skipped.values())
        duplicates = sum(p.duplicates for p in mine)
        assert log.rows == loaded + rejected + skipped + duplicates + log.folded, (
            source, stream, log, loaded, rejected, skipped, duplicates)
        counted = _rows_in(path, log.encoding, log.delimiter, log.header_line)
        if counted is not None:
            assert log.rows == counted, (source, stream, log, counted)


def _where(page: Page, record: Any) -> str | None:
    ident = getattr(record, "id", None)
    if ident is None:
        return None
    location = page.locations.get((record.kind, record.source, ident))
    return location.file if location is not None else None


@pytest.fixture(scope="module")
def originals() -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for _name, _preset, files, _keep in SOURCES:
        for relative in files.values():
            path = REFERENCE / relative
            if path.is_file():
                found[relative] = path.read_bytes()
    if not found:
        pytest.skip(f"the real exports are absent (expected under {REFERENCE / 'data'})")
    return found


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(which=st.integers(0, len(SOURCES) - 1),
       encoding=st.sampled_from(["utf-8", "utf-8", "utf-8", "cp1250", "latin-1", "utf-16"]),
       changes=st.lists(st.tuples(st.sampled_from(["invoices", "payments", "time_entries"]),
                                  mutation),
                        min_size=1, max_size=6))
def test_mutated_real_exports_never_crash_and_every_row_is_accounted_for(
    originals: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory, which: int,
    encoding: str, changes: list[tuple[str, tuple[str, int, int, Any]]],
) -> None:
    source, preset, _streams, _keep = SOURCES[which]
    files = _mutated(originals, tmp_path_factory, which, encoding, changes)
    if files is not None:
        _check(source, preset, files)


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(which=st.integers(0, len(SOURCES) - 1),
       encoding=st.sampled_from(["utf-8", "utf-8", "utf-8", "cp1250", "latin-1", "utf-16"]),
       changes=st.lists(st.tuples(st.sampled_from(["invoices", "payments", "time_entries"]),
                                  mutation),
                        min_size=1, max_size=6))
def test_mutated_real_exports_read_alike_by_both_readers(
    originals: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory,
    read_alike: Callable[..., Any], which: int, encoding: str,
    changes: list[tuple[str, tuple[str, int, int, Any]]],
) -> None:
    """The same corpus, read by the row reader and by the columnar reader (pyarrow): the same
    records, rejections, skipped rows and log (``read_alike``, conftest.py)."""
    pytest.importorskip("pyarrow", reason="the columnar reader needs pyarrow (the fast extra)")
    _source, preset, _streams, _keep = SOURCES[which]
    files = _mutated(originals, tmp_path_factory, which, encoding, changes)
    if files is not None:
        mapping = load_preset(preset) if isinstance(preset, str) else preset
        read_alike(mapping, {stream: [path] for stream, path in files.items()})


def _mutated(
    originals: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory, which: int,
    encoding: str, changes: list[tuple[str, tuple[str, int, int, Any]]],
) -> dict[str, Path] | None:
    """The source's files, encoded and mutated as drawn, by stream; None where the shared
    reference lacks one."""
    source, _preset, streams, keep = SOURCES[which]
    if any(relative not in originals for relative in streams.values()):
        return None
    folder = tmp_path_factory.mktemp(source)
    contents: dict[str, tuple[list[bytes], list[bytes]]] = {}
    for relative in dict.fromkeys(streams.values()):
        # The export as another program would have written it (what its code page lacks
        # becomes "?"), then cut into lines as bytes: a UTF-16 file is mutated byte-wise.
        text = originals[relative].decode("utf-8-sig")
        contents[relative] = _data_lines(text.encode(encoding, errors="replace"), keep)
    for stream, change in changes:
        relative = streams.get(stream) or next(iter(streams.values()))
        _mutate(contents[relative][1], change)
    paths: dict[str, Path] = {}
    for number, (relative, (head, data)) in enumerate(contents.items()):
        path = folder / f"{number}-{Path(relative).name}"
        path.write_bytes(NEWLINE.join([*head, *data]))
        paths[relative] = path
    return {stream: paths[relative] for stream, relative in streams.items()}


def test_the_unmutated_exports_account_for_every_row(
    originals: dict[str, bytes], tmp_path: Path
) -> None:
    checked = Counter[str]()
    for source, preset, streams, keep in SOURCES:
        if any(relative not in originals for relative in streams.values()):
            continue
        paths = {}
        for relative in dict.fromkeys(streams.values()):
            head, data = _data_lines(originals[relative], keep)
            path = tmp_path / f"{source}-{Path(relative).name}"
            path.write_bytes(NEWLINE.join([*head, *data]))
            paths[relative] = path
        _check(source, preset, {stream: paths[relative] for stream, relative in streams.items()})
        checked[source] += 1
    assert checked
