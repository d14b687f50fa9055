"""Lakes written by other tools (pyarrow, pandas, Spark, DuckDB): what the layout's reader
does with what they may write beside or instead of what ``write_firm`` writes.

Each scenario writes a firm with ``write_firm``, then changes one thing as another tool
would: a partition spelt ``FIRM_ID=``, a Hive-escaped firm id, a decimal wider than money, a
record in two part files, a file of a newer layout, a date column of another type, a firm
that is not there. The expected values are worked out from the records written (the two
invoices of ``small_firm``: A-1 of 2,000.00 paid, A-2 of 1,000.25 open), ``docs/portfolio.md``
and ``docs/model-bounds.md``."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow", reason="the portfolio's tests need clientguard[parquet]")
import pyarrow.parquet as pq  # noqa: E402

from clientguard.model import MAX_AMOUNT_DIGITS, Invoice  # noqa: E402
from clientguard.portfolio import (  # noqa: E402
    FAILED,
    REVIEWED,
    LayoutError,
    firm_ids,
    read_firm,
    read_firm_records,
    review_firm,
    run,
    write_firm,
)
from clientguard.portfolio.layout import LAYOUT_FILE, VERSION_KEY, check_firm_id  # noqa: E402
from clientguard.portfolio.run import RUN_FILE  # noqa: E402
from clientguard.testing import (  # noqa: E402
    credit_note,
    customer,
    fx_table,
    invoice,
    payment,
    time_entry,
)

AS_OF = date(2025, 6, 30)
INVOICES = Path("invoices") / "firm_id=f" / "part-0.parquet"


def small_firm() -> list[Any]:
    paid = invoice("acme", issued="2025-03-01", due="2025-03-31", total="2000.00", id="A-1")
    return [
        customer("acme"),
        paid,
        payment("acme", on="2025-03-30", amount="2000.00", pays=paid, id="P-1"),
        invoice("acme", issued="2025-05-01", due="2025-05-31", total="1000.25", id="A-2"),
    ]


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def rewrite(path: Path, change: Callable[[Any], Any]) -> None:
    """Write the Parquet file at ``path`` again as ``change`` makes its table (as another tool
    would write it: pyarrow's own writer, without the layout's metadata unless kept)."""
    pq.write_table(change(pq.read_table(path)), path)


def with_column(name: str, array: Any) -> Callable[[Any], Any]:
    def change(table: Any) -> Any:
        return table.set_column(table.schema.get_field_index(name),
                                pa.field(name, array.type), array)
    return change


# ----------------------------------------------------------------- a partition spelt FIRM_ID=


@pytest.mark.parametrize("spelt", ["FIRM_ID", "Firm_Id", "firm_ID"])
def test_a_partition_spelt_in_other_case_fails_the_firm_saying_to_rename_it(
    tmp_path: Path, spelt: str
) -> None:
    # Before: invoices/FIRM_ID=f was not the firm's partition, so the firm read as having no
    # invoices at all and was reviewed as such (revenue 0.00).
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    (tmp_path / "invoices" / "firm_id=f").rename(tmp_path / "invoices" / f"{spelt}=f")

    with pytest.raises(LayoutError) as raised:
        read_firm_records(tmp_path, "f")
    text = str(raised.value)
    assert f"invoices/{spelt}=f" in text
    assert "rename it invoices/firm_id=f" in text
    assert str(tmp_path) not in text

    row = review_firm("f", tmp_path, as_of=AS_OF).summary
    assert (row.status, row.reason) == (FAILED, text)


def test_a_partition_spelt_in_other_case_beside_the_right_one_is_not_ignored(
    tmp_path: Path,
) -> None:
    # A second tool wrote the firm's later invoices under FIRM_ID=f: neither half is the
    # firm's invoices, so the firm is refused rather than reviewed on half of them.
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    shutil.copytree(tmp_path / "invoices" / "firm_id=f", tmp_path / "invoices" / "FIRM_ID=f")

    row = review_firm("f", tmp_path, as_of=AS_OF).summary

    assert row.status == FAILED
    assert "invoices/FIRM_ID=f" in (row.reason or "")


def test_a_firm_whose_firm_partition_is_spelt_in_other_case_is_listed_and_fails_alone(
    tmp_path: Path,
) -> None:
    # Before: firm/FIRM_ID=f was not listed, so a run left the firm out without a word.
    lake, out = tmp_path / "lake", tmp_path / "out"
    write_firm(lake, "f", small_firm(), base_currency="EUR")
    write_firm(lake, "good", small_firm(), base_currency="EUR")
    for table in (p for p in lake.iterdir() if p.is_dir()):
        (table / "firm_id=f").rename(table / "FIRM_ID=f")

    assert firm_ids(lake) == ("f", "good")
    summary = run(lake, as_of=AS_OF, output=out, workers=1)

    assert [(o.firm_id, o.status) for o in summary.outcomes] == [("f", FAILED), ("good", REVIEWED)]
    (failed,) = summary.failed
    assert "firm/FIRM_ID=f" in (failed.reason or "")
    assert "rename it" in (failed.reason or "")


def _file_named(table: str, spelt: str) -> str:
    """The error of a file ``{table}/{spelt}=f`` (docs/portfolio.md), written out by hand."""
    return (f"{table}/{spelt}=f: a file named as the firm's partition with its key spelt in "
            "another case, which readers skip (a partition is a folder named firm_id=, in lower "
            f"case, holding the files): make the folder {table}/firm_id=f and move the file "
            "into it, or move the file out of the lake")


@pytest.mark.parametrize("spelt", ["FIRM_ID", "Firm_Id"])
@pytest.mark.parametrize("beside", [False, True],
                         ids=["instead of the partition", "beside the partition"])
def test_a_file_named_as_the_partition_in_other_case_fails_the_firm(
    tmp_path: Path, spelt: str, beside: bool
) -> None:
    # pandas' df.to_parquet("lake/invoices/FIRM_ID=f") writes one file, not a folder. Before:
    # only a folder of that name was looked for, so the file was skipped without a word and
    # the firm reviewed without its invoices (both of them, 3,000.25 EUR, when the file
    # stands instead of the partition; the file's, when beside it).
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    table = tmp_path / "invoices"
    shutil.copyfile(table / "firm_id=f" / "part-0.parquet", table / f"{spelt}=f")
    if not beside:
        shutil.rmtree(table / "firm_id=f")

    with pytest.raises(LayoutError) as raised:
        read_firm_records(tmp_path, "f")
    text = str(raised.value)
    assert text == _file_named("invoices", spelt)
    assert str(tmp_path) not in text

    row = review_firm("f", tmp_path, as_of=AS_OF).summary
    assert (row.status, row.reason) == (FAILED, text)


def test_a_file_named_as_the_acknowledgements_partition_in_other_case_fails_the_firm(
    tmp_path: Path,
) -> None:
    # A firm's acknowledgements written as one file, acknowledgements/FIRM_ID=f: before,
    # skipped without a word (no acknowledgement read: a debt left barred that is not).
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    (tmp_path / "acknowledgements").mkdir()
    (tmp_path / "acknowledgements" / "FIRM_ID=f").write_text(
        "invoice,date\nA-2,2025-06-01\n", encoding="utf-8")

    row = review_firm("f", tmp_path, as_of=AS_OF).summary
    assert (row.status, row.reason) == (FAILED, _file_named("acknowledgements", "FIRM_ID"))


def test_a_firm_id_in_other_case_is_another_firm(tmp_path: Path) -> None:
    # Firm ids are case-sensitive (firm_id=Acme and firm_id=acme are two firms): only the
    # key's spelling is checked.
    write_firm(tmp_path, "acme", small_firm(), base_currency="EUR")
    write_firm(tmp_path, "Acme", small_firm()[:2], base_currency="EUR")

    assert firm_ids(tmp_path) == ("Acme", "acme")
    assert len(read_firm(tmp_path, "acme").invoices) == 2
    assert len(read_firm(tmp_path, "Acme").invoices) == 1


# ----------------------------------------------------------------- Hive-escaped firm ids


@pytest.mark.parametrize(
    ("partition", "decoded", "advice"),
    [
        ("a%20b", "a b", "no firm id either"),          # Spark on Windows escapes a space
        ("acme%3A1", "acme:1", "no firm id either"),    # ':' is escaped everywhere
        ("acme%2D1", "acme-1", "name the partition firm_id=acme-1"),  # by hand: '-' never is
    ],
)
def test_a_hive_escaped_firm_id_is_refused_naming_what_it_stands_for(
    tmp_path: Path, partition: str, decoded: str, advice: str
) -> None:
    lake, out = tmp_path / "lake", tmp_path / "out"
    write_firm(lake, "good", small_firm(), base_currency="EUR")
    for table in (p for p in lake.iterdir() if p.is_dir()):
        shutil.copytree(table / "firm_id=good", table / f"firm_id={partition}")

    summary = run(lake, as_of=AS_OF, output=out, workers=1)

    assert [(o.firm_id, o.status) for o in summary.outcomes] == [
        (partition, FAILED), ("good", REVIEWED)]
    reason = summary.outcomes[0].reason or ""
    assert "cannot name a partition" in reason
    assert f"Hive's escaping of {decoded!r}" in reason
    assert advice in reason
    assert files_under(out) == [RUN_FILE, "findings/firm_id=good/part-0.parquet",
                                "firms/firm_id=good/part-0.parquet"]


@pytest.mark.parametrize("firm_id", ["a%", "a%zz", "100%", "a%2"])
def test_a_percent_that_escapes_nothing_is_refused_as_any_other_character(firm_id: str) -> None:
    with pytest.raises(LayoutError) as raised:
        check_firm_id(firm_id)
    assert "cannot name a partition" in str(raised.value)
    assert "escaping" not in str(raised.value)


# ----------------------------------------------------------------- decimals wider than money


def test_a_decimal_of_38_digits_is_that_rows_rejection_not_the_firms_failure(
    tmp_path: Path,
) -> None:
    # decimal(38, 0) holding 10^37: before, quantizing it to cents in Decimal's 28 digits
    # raised InvalidOperation, which failed the whole firm without naming file, row or field.
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    rewrite(tmp_path / INVOICES, with_column(
        "total", pa.array([Decimal(10) ** 37, Decimal(1)], pa.decimal128(38, 0))))

    found = read_firm_records(tmp_path, "f")

    assert [(i.id, i.total) for i in found.records if isinstance(i, Invoice)] == [
        ("A-2", Decimal("1.00"))]
    (rejected,) = found.rejected
    assert (rejected.kind, rejected.record_id, rejected.field) == ("invoice", "A-1", "total")
    assert str(rejected.location) == "invoices/firm_id=f/part-0.parquet, row 1"
    assert f"more than {MAX_AMOUNT_DIGITS} digits before the decimal point" in rejected.reason
    # Reviewed on the rest: A-2, and P-1 rejected too as it pays A-1, which is not there.
    row = review_firm("f", tmp_path, as_of=AS_OF).summary
    assert (row.status, row.invoices, row.rejected_records) == (REVIEWED, 1, 2)


def test_money_of_more_digits_than_decimals_context_is_read_exactly(tmp_path: Path) -> None:
    # 17 digits before the point and 18 after: 35 significant digits, a valid amount (below
    # 10^18) that decimal128(38, 18) holds exactly. Before, trimming it in Decimal's 28
    # digits rounded it silently to 12345678901234567.12345678901.
    exact = Decimal("12345678901234567.123456789012345678")
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    rewrite(tmp_path / INVOICES, with_column(
        "total", pa.array([exact, Decimal("1000.25")], pa.decimal128(38, 18))))

    found = read_firm_records(tmp_path, "f")

    assert [(i.id, i.total) for i in found.records if isinstance(i, Invoice)] == [
        ("A-1", exact), ("A-2", Decimal("1000.25"))]


@pytest.mark.parametrize(
    ("table", "column", "records", "kind", "field", "named"),
    [
        ("time_entries", "hours",
         [customer("acme"), time_entry("acme", on="2025-05-02", hours="8", person="Ola")],
         "time_entry", "hours", "time_entries"),
        ("invoices", "fx_rate",
         [customer("acme"), invoice("acme", issued="2025-05-01", total="10.00", id="A-1",
                                    currency="USD", fx_rate="0.9")],
         "invoice", "fx_rate", "invoices"),
        # A part of a payment is the payment's: its row, and the part by its place in it.
        ("allocations", "amount", small_firm(), "payment", "allocations.0.amount", "payments"),
    ],
    ids=["hours", "fx-rate", "allocation"],
)
def test_a_38_digit_decimal_in_any_decimal_column_is_a_rejection(
    tmp_path: Path, table: str, column: str, records: list[Any], kind: str, field: str,
    named: str,
) -> None:
    write_firm(tmp_path, "f", records, base_currency="EUR")
    path = tmp_path / table / "firm_id=f" / "part-0.parquet"
    rewrite(path, with_column(column, pa.array([Decimal(10) ** 37], pa.decimal128(38, 0))))

    found = read_firm_records(tmp_path, "f")

    (rejected,) = found.rejected
    assert (rejected.kind, rejected.field) == (kind, field)
    assert rejected.location is not None
    assert str(rejected.location) == f"{named}/firm_id=f/part-0.parquet, row 1"


@settings(max_examples=60, deadline=None)
@given(total=st.decimals(min_value=Decimal("-1E+37"), max_value=Decimal("1E+37"), places=0,
                         allow_nan=False, allow_infinity=False))
def test_any_decimal_38_0_total_is_read_exactly_or_rejected_never_a_crash(
    tmp_path_factory: pytest.TempPathFactory, total: Decimal
) -> None:
    lake = tmp_path_factory.mktemp("lake")
    write_firm(lake, "f", small_firm(), base_currency="EUR")
    rewrite(lake / INVOICES, with_column(
        "total", pa.array([total, Decimal(1)], pa.decimal128(38, 0))))

    found = read_firm_records(lake, "f")

    read = {i.id: i.total for i in found.records if isinstance(i, Invoice)}
    if "A-1" in read:
        assert read["A-1"] == total  # the value itself, never rounded
    else:
        (rejected,) = found.rejected
        assert (rejected.record_id, rejected.field) == ("A-1", "total")


# ----------------------------------------------------------------- a record in two part files


def test_a_duplicate_names_the_first_place_and_its_own(tmp_path: Path) -> None:
    # Before, the duplicate's place overwrote the first's, so the rejection named the copy
    # (part-00001) as "first" and as its own place.
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    first = tmp_path / INVOICES
    shutil.copy(first, first.with_name("part-00001.parquet"))

    ledger = read_firm(tmp_path, "f")

    assert sorted(i.id for i in ledger.invoices) == ["A-1", "A-2"]
    rejected = sorted(ledger.report.rejected, key=lambda r: r.record_id or "")
    assert [(r.kind, r.record_id, r.field) for r in rejected] == [
        ("invoice", "A-1", "id"), ("invoice", "A-2", "id")]
    for number, rejection in enumerate(rejected, start=1):
        assert str(rejection.location) == f"invoices/firm_id=f/part-00001.parquet, row {number}"
        assert (f"(first from test, invoices/firm_id=f/part-0.parquet, row {number})"
                in rejection.reason)
    # The records kept are found at their own (first) place.
    kept = ledger.invoice("A-1")
    assert str(ledger.location_of(kept)) == "invoices/firm_id=f/part-0.parquet, row 1"


# ----------------------------------------------------------------- a file of a newer layout


def with_version(version: bytes | None) -> Callable[[Any], Any]:
    def change(table: Any) -> Any:
        metadata = dict(table.schema.metadata or {})
        metadata.pop(VERSION_KEY, None)
        if version is not None:
            metadata[VERSION_KEY] = version
        return table.replace_schema_metadata(metadata)
    return change


@pytest.mark.parametrize(
    ("version", "says"),
    [(b"2", "layout version 2 is newer"), (b"99", "layout version 99 is newer"),
     (b"two", "'two' is not a layout version"), (b"-1", "'-1' is not a layout version")],
)
def test_a_file_of_a_newer_layout_fails_the_firm_naming_the_file(
    tmp_path: Path, version: bytes, says: str
) -> None:
    # Before, a file whose metadata says version 2 was read as version 1 (reviewed).
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    rewrite(tmp_path / INVOICES, with_version(version))

    row = review_firm("f", tmp_path, as_of=AS_OF).summary

    assert row.status == FAILED
    assert row.reason is not None
    assert row.reason.startswith("invoices/firm_id=f/part-0.parquet: ")
    assert says in row.reason
    assert "upgrade clientguard" in row.reason


@pytest.mark.parametrize("version", [b"1", None], ids=["this-version", "no-metadata"])
def test_a_file_of_this_layout_or_without_its_metadata_is_read(
    tmp_path: Path, version: bytes | None
) -> None:
    # Another tool's file carries no clientguard metadata at all: read as the lake says.
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    rewrite(tmp_path / INVOICES, with_version(version))

    assert len(read_firm(tmp_path, "f").invoices) == 2


# ----------------------------------------------------------------- date columns of other types

MAY = [date(2025, 3, 1), date(2025, 5, 1)]  # the two invoices' issue dates


def midnights(zone: str | None) -> list[datetime]:
    tz = ZoneInfo(zone) if zone else None
    return [datetime(d.year, d.month, d.day, tzinfo=tz) for d in MAY]


@pytest.mark.parametrize(
    ("array", "shown"),
    [
        (pa.array([20148, 20209], pa.int64()), "int64"),    # days since 1970
        (pa.array([20148, 20209], pa.int32()), "int32"),
        # Seconds since 1970 at midnight: before, read silently as the dates.
        (pa.array([1740787200, 1746057600], pa.int64()), "int64"),
        (pa.array([20148.0, 20209.0], pa.float64()), "double"),
        (pa.array(midnights("Europe/Warsaw"), pa.timestamp("us", tz="Europe/Warsaw")),
         "timestamp[us, tz=Europe/Warsaw]"),
        (pa.array([True, False], pa.bool_()), "bool"),
    ],
    ids=["int64-days", "int32-days", "int64-seconds", "float64", "timestamp-warsaw", "bool"],
)
def test_a_date_column_of_another_type_fails_the_firm_once_naming_it(
    tmp_path: Path, array: Any, shown: str
) -> None:
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    rewrite(tmp_path / INVOICES, with_column("issue_date", array))

    with pytest.raises(LayoutError) as raised:
        read_firm_records(tmp_path, "f")

    assert str(raised.value) == (
        f"invoices/firm_id=f/part-0.parquet: column issue_date of the invoices table is "
        f"{shown}, not a date: write it as date32 (or as a timestamp at midnight UTC)")
    row = review_firm("f", tmp_path, as_of=AS_OF).summary
    assert (row.status, row.reason) == (FAILED, str(raised.value))


@pytest.mark.parametrize(
    "array",
    [
        pa.array(MAY, pa.date32()),
        pa.array(MAY, pa.date64()),
        pa.array([d.isoformat() for d in MAY], pa.string()),
        pa.array([d.isoformat() for d in MAY], pa.large_string()),
        pa.array([d.isoformat() for d in MAY], pa.string()).dictionary_encode(),
        pa.array(midnights(None), pa.timestamp("us")),
        pa.array(midnights("UTC"), pa.timestamp("us", tz="UTC")),
        pa.array(midnights("UTC"), pa.timestamp("ns", tz="+00:00")),
    ],
    ids=["date32", "date64", "text", "large-text", "dictionary-text", "timestamp",
         "timestamp-utc", "timestamp-ns-+00:00"],
)
def test_a_date_column_of_a_type_that_holds_dates_is_read(tmp_path: Path, array: Any) -> None:
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    rewrite(tmp_path / INVOICES, with_column("issue_date", array))

    found = read_firm_records(tmp_path, "f")

    assert found.rejected == ()
    assert [i.issue_date for i in found.records if isinstance(i, Invoice)] == MAY


def test_an_optional_date_column_of_nulls_only_is_read(tmp_path: Path) -> None:
    # pandas writes a column of None as Arrow's null type.
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    rewrite(tmp_path / INVOICES, with_column("paid_on", pa.nulls(2)))

    assert [i.paid_on for i in read_firm(tmp_path, "f").invoices] == [None, None]


def test_a_timestamp_date_that_is_not_a_midnight_is_that_rows_rejection(tmp_path: Path) -> None:
    # The type holds dates; a value of it that is not one is the row's error, as today.
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    values = [datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 5, 1, 10, tzinfo=UTC)]
    rewrite(tmp_path / INVOICES, with_column(
        "issue_date", pa.array(values, pa.timestamp("us", tz="UTC"))))

    found = read_firm_records(tmp_path, "f")

    assert [i.id for i in found.records if isinstance(i, Invoice)] == ["A-1"]
    (rejected,) = found.rejected
    assert (rejected.record_id, rejected.field) == ("A-2", "issue_date")


@pytest.mark.parametrize(
    ("table", "column", "records"),
    [
        ("payments", "date", small_firm()),
        ("allocations", "date", small_firm()),
        ("credit_notes", "issue_date",
         [customer("acme"), credit_note("acme", issued="2025-05-02", total="5.00", id="C-1")]),
        ("fx_rates", "date",
         [customer("acme"), invoice("acme", issued="2025-05-01", total="10.00", id="A-1",
                                    currency="USD")]),
    ],
)
def test_every_date_column_of_the_layout_is_checked(
    tmp_path: Path, table: str, column: str, records: list[Any]
) -> None:
    fx = fx_table("EUR", {"USD": {"2025-05-01": "0.9"}}) if table == "fx_rates" else None
    write_firm(tmp_path, "f", records, base_currency="EUR", fx=fx)
    path = tmp_path / table / "firm_id=f" / "part-0.parquet"
    rows = pq.read_table(path).num_rows
    rewrite(path, with_column(column, pa.array([20209] * rows, pa.int64())))

    with pytest.raises(LayoutError, match=f"column {column} of the {table} table is int64"):
        read_firm_records(tmp_path, "f")


# ----------------------------------------------------------------- the machine's paths


def test_a_firm_that_is_not_there_is_named_without_the_lakes_path(tmp_path: Path) -> None:
    lake = tmp_path / "secret-home" / "lake"
    write_firm(lake, "good", small_firm(), base_currency="EUR")
    (lake / "firm" / "firm_id=empty").mkdir()
    (lake / "firm" / "firm_id=empty" / "_SUCCESS").write_text("")

    for firm_id in ("empty", "absent"):
        row = review_firm(firm_id, lake, as_of=AS_OF).summary
        assert row.status == FAILED
        assert row.reason is not None
        assert str(tmp_path) not in row.reason
        assert "secret-home" not in row.reason
        assert f"the lake has no firm {firm_id!r}" in row.reason


def test_a_lake_without_its_layout_file_is_named_without_its_path_in_a_firms_row(
    tmp_path: Path,
) -> None:
    lake = tmp_path / "secret-home" / "lake"
    write_firm(lake, "good", small_firm(), base_currency="EUR")
    (lake / LAYOUT_FILE).unlink()

    row = review_firm("good", lake, as_of=AS_OF).summary

    assert row.status == FAILED
    assert row.reason is not None
    assert "secret-home" not in row.reason
    assert LAYOUT_FILE in row.reason
    # Asked directly for the lake's firms, the error names the folder that was given.
    with pytest.raises(LayoutError, match="secret-home"):
        firm_ids(lake)
