"""What the portfolio reads of a firm's partitions, file by file: part files copied beside
themselves (a job that ran twice), folders the review's user cannot read, partitions that
are files or hold folders, files readers skip (``_``/``.``), and a ``firm_id`` column that
names another firm. Each used to be read as something else than the firm's records, or
leaked the machine's folders into the firm's row (docs/portfolio.md, "Reading a lake")."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the portfolio's tests need clientguard[parquet]")
import pyarrow as pa
import pyarrow.parquet as pq

from clientguard.portfolio import (
    FAILED,
    REVIEWED,
    LayoutError,
    firm_ids,
    read_firm,
    read_output,
    review_firm,
    run,
    write_firm,
)
from clientguard.portfolio import firm as firm_module
from clientguard.portfolio.run import review_and_write
from clientguard.testing import credit_note, customer, invoice, payment

# The module (the package's ``run`` is the function).
run_module = importlib.import_module("clientguard.portfolio.run")

AS_OF = date(2025, 1, 1)
PART = "part-0.parquet"


def paid_firm() -> list[Any]:
    """Two invoices (5,000.00 and 3,000.00), half of the first paid (2,500.00), a credit
    note of 1,000.00: 400.00 of it on the second invoice, 600.00 refunded in cash. Open, by
    hand: (5,000.00 - 2,500.00) + (3,000.00 - 400.00) = 5,100.00."""
    return [
        customer("c1"),
        invoice("c1", issued="2024-10-01", due="2024-10-31", total="5000.00", id="I1"),
        invoice("c1", issued="2024-10-01", due="2024-10-31", total="3000.00", id="I2"),
        payment("c1", on="2024-10-20", amount="2500.00", pays={"I1": "2500.00"}, id="P1"),
        credit_note("c1", issued="2024-10-15", total="1000.00", applies_to={"I2": "400.00"},
                    refunded=[("2024-10-16", "600.00")], id="CN1"),
    ]


def copy_part(root: Path, table: str, firm: str = "acme", name: str = "part-1.parquet") -> None:
    folder = root / table / f"firm_id={firm}"
    shutil.copy(folder / PART, folder / name)


# ------------------------------------------------------------------ a part file copied beside


@pytest.mark.parametrize(
    ("copied", "rejections"),
    [
        # Every table written twice: the customer, both invoices, the payment and the credit
        # note copies are rejected (5), each once; their allocation and refund rows with them.
        (("customers", "invoices", "payments", "credit_notes", "allocations", "refunds"), 5),
        # The documents written twice, their child tables once: nothing to drop but them.
        (("payments", "credit_notes"), 2),
        # The child tables alone written twice: 2 allocation rows and 1 refund row, each
        # refused as a copy (no document copy to be counted with).
        (("allocations", "refunds"), 3),
    ],
)
def test_a_documents_allocations_and_refunds_are_counted_once_when_its_file_is_copied(
    tmp_path: Path, copied: tuple[str, ...], rejections: int
) -> None:
    """Before: the copy's allocation rows were merged into the kept payment's, paying I1
    twice (open 5,500.00 became 3,000.00 in the reviewer's case); the credit note's applied
    400.00 and refunded 600.00 were counted twice too."""
    write_firm(tmp_path, "acme", paid_firm(), base_currency="EUR")
    once = review_firm("acme", tmp_path, as_of=AS_OF).summary
    for table in copied:
        copy_part(tmp_path, table)

    ledger = read_firm(tmp_path, "acme")
    twice = review_firm("acme", tmp_path, as_of=AS_OF).summary

    [paid] = ledger.payments
    assert [(a.invoice_id, a.amount) for a in paid.allocations] == [("I1", Decimal("2500.00"))]
    [note] = ledger.credit_notes
    assert [(a.invoice_id, a.amount) for a in note.allocations] == [("I2", Decimal("400.00"))]
    assert [r.amount for r in note.refunds] == [Decimal("600.00")]
    assert twice.status == REVIEWED
    assert twice.open_balance == Decimal("5100.00")  # by hand: see paid_firm
    # The copies change nothing but the rejections: every money figure is one copy's.
    assert (twice.open_balance, twice.overdue_balance, twice.claimable) == (
        once.open_balance, once.overdue_balance, once.claimable)
    assert len(ledger.report.rejected) == twice.rejected_records == rejections


def test_the_rejection_of_a_copied_payment_says_its_allocation_rows_are_not_counted(
    tmp_path: Path,
) -> None:
    write_firm(tmp_path, "acme", paid_firm(), base_currency="EUR")
    for table in ("payments", "credit_notes", "allocations", "refunds"):
        copy_part(tmp_path, table)

    rejected = sorted(read_firm(tmp_path, "acme").report.rejected, key=lambda r: r.kind)

    assert [(r.kind, r.record_id, str(r.location)) for r in rejected] == [
        ("credit_note", "CN1", "credit_notes/firm_id=acme/part-1.parquet, row 1"),
        ("payment", "P1", "payments/firm_id=acme/part-1.parquet, row 1")]
    # allocations/part-0.parquet holds P1's row, then CN1's (payments are written first).
    assert rejected[0].reason.endswith(
        "; its allocation rows read again, not counted twice: "
        "allocations/firm_id=acme/part-1.parquet, row 2"
        "; its refund rows read again, not counted twice: "
        "refunds/firm_id=acme/part-1.parquet, row 1")
    assert rejected[1].reason.endswith(
        "; its allocation rows read again, not counted twice: "
        "allocations/firm_id=acme/part-1.parquet, row 1")


def test_a_copied_allocation_row_without_its_payment_is_rejected_naming_its_place(
    tmp_path: Path,
) -> None:
    write_firm(tmp_path, "acme", paid_firm(), base_currency="EUR")
    copy_part(tmp_path, "allocations")

    rows = [(r.kind, r.field, str(r.location))
            for r in read_firm(tmp_path, "acme").report.rejected]

    # allocations/part-0.parquet holds P1's row, then CN1's (the payments table is written
    # first); the copy's rows are the same, in part-1.parquet.
    assert sorted(rows) == [
        ("allocation", "position", "allocations/firm_id=acme/part-1.parquet, row 1"),
        ("allocation", "position", "allocations/firm_id=acme/part-1.parquet, row 2"),
    ]


# ----------------------------------------------------------- partitions of an unexpected shape


def _nested(root: Path) -> None:
    # Spark's partitionBy("firm_id", "source"): the part file one folder down.
    folder = root / "payments" / "firm_id=acme"
    (folder / "source=test").mkdir()
    (folder / PART).rename(folder / "source=test" / "part-00000.snappy.parquet")


def _a_file(root: Path) -> None:
    # pandas' df.to_parquet("lake/payments/firm_id=acme"): a file where the folder goes.
    folder = root / "payments" / "firm_id=acme"
    data = (folder / PART).read_bytes()
    shutil.rmtree(folder)
    folder.write_bytes(data)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_nested, "payments/firm_id=acme: holds the folder source=test, which is not read (a "
         "partition holds part files, partitioned by firm_id alone): write the table "
         "partitioned by firm_id only, or move the folder out of the lake"),
        (_a_file, "payments/firm_id=acme: a file where the layout has a folder (a partition "
         "holds part files): make a folder of that name and move the file into it as "
         "part-0.parquet"),
    ],
)
def test_a_partition_that_holds_a_folder_or_is_a_file_fails_its_firm_naming_it(
    tmp_path: Path, change: Callable[[Path], None], reason: str
) -> None:
    """Before: the payment was skipped without a word, and the firm reviewed with I1 and I2
    unpaid."""
    write_firm(tmp_path, "acme", paid_firm(), base_currency="EUR")
    change(tmp_path)

    row = review_firm("acme", tmp_path, as_of=AS_OF).summary

    assert (row.status, row.reason) == (FAILED, reason)


def test_a_firm_whose_partitions_are_all_files_is_counted_in_a_run(tmp_path: Path) -> None:
    """Before: firm_ids listed folders only, and the firm was left out of the run."""
    lake, out = tmp_path / "lake", tmp_path / "out"
    for name in ("acme", "birch"):
        write_firm(lake, name, paid_firm(), base_currency="EUR")
    for table in (p for p in lake.iterdir() if p.is_dir()):
        folder = table / "firm_id=birch"
        data = (folder / PART).read_bytes()
        shutil.rmtree(folder)
        folder.write_bytes(data)

    summary = run(lake, as_of=AS_OF, output=out, workers=1)

    assert firm_ids(lake) == ("acme", "birch")
    assert [(o.firm_id, o.status) for o in summary.outcomes] == [
        ("acme", REVIEWED), ("birch", FAILED)]
    assert "a file where the layout has a folder" in (summary.outcomes[1].reason or "")


@pytest.mark.parametrize("name", ["_tmp.parquet", "._part-0.parquet", "_SUCCESS",
                                  ".part-0.parquet.crc"])
def test_files_starting_with_an_underscore_or_a_dot_are_skipped_as_spark_skips_them(
    tmp_path: Path, name: str
) -> None:
    """Before: ``_tmp.parquet`` (a write in progress) was read, failing the firm for bytes
    that are not Parquet. Spark and Hive skip such names (macOS's ``._`` copies, checksums,
    markers); so does the lake's reader."""
    write_firm(tmp_path, "acme", paid_firm(), base_currency="EUR")
    (tmp_path / "invoices" / "firm_id=acme" / name).write_bytes(b"not parquet")

    row = review_firm("acme", tmp_path, as_of=AS_OF).summary

    assert (row.status, row.invoices, row.open_balance) == (REVIEWED, 2, Decimal("5100.00"))


def test_an_underscore_copy_of_a_part_file_is_not_read_twice(tmp_path: Path) -> None:
    write_firm(tmp_path, "acme", paid_firm(), base_currency="EUR")
    copy_part(tmp_path, "invoices", name="_part-0.parquet")

    row = review_firm("acme", tmp_path, as_of=AS_OF).summary

    assert (row.status, row.invoices, row.rejected_records) == (REVIEWED, 2, 0)


@pytest.mark.parametrize(
    ("firm_column", "status", "reason"),
    [
        # birch's invoice copied into acme's partition. Before: the column was ignored and
        # birch's invoice counted as acme's (3 invoices, open 5,170.00).
        (["birch"], FAILED, "invoices/firm_id=acme/part-1.parquet, row 1: firm_id is "
         "'birch', in the partition of firm 'acme': move the file to its firm's partition, "
         "or write it again"),
        # The partition's own firm, or null: read (the file holds acme's third invoice).
        (["acme"], REVIEWED, None),
        ([None], REVIEWED, None),
    ],
)
def test_a_firm_id_column_is_checked_against_the_partitions_firm(
    tmp_path: Path, firm_column: list[str | None], status: str, reason: str | None
) -> None:
    write_firm(tmp_path, "acme", paid_firm(), base_currency="EUR")
    write_firm(tmp_path, "birch", [customer("c1"), invoice(
        "c1", issued="2024-10-01", total="70.00", id="B1")], base_currency="EUR")
    theirs = pq.read_table(tmp_path / "invoices" / "firm_id=birch" / PART)
    theirs = theirs.append_column("firm_id", pa.array(firm_column, pa.string()))
    pq.write_table(theirs.replace_schema_metadata(None),
                   tmp_path / "invoices" / "firm_id=acme" / "part-1.parquet")

    row = review_firm("acme", tmp_path, as_of=AS_OF).summary

    assert (row.status, row.reason) == (status, reason)
    if status == REVIEWED:
        assert row.invoices == 3


# --------------------------------------------------------------- folders that cannot be read

UNREADABLE = ("{}: the folder cannot be read (Permission denied): let the user who runs the "
              "review read it and the folders above it in the lake")


def test_an_unreadable_partition_fails_its_firm_naming_it_in_the_lake_in_every_file(
    as_nobody: Callable[[Path, Callable[[], list[Any]]], list[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The user without root's power cannot start a process pool here (no named semaphores):
    # its run reviews the firms one after the other, with the function a worker runs.
    monkeypatch.setattr(run_module, "run_local", lambda tasks, done, workers: [
        done(review_and_write(task)) for task in tasks])
    # Not below pytest's own temporary folder, which only its owner may enter (as_nobody).
    folder = Path(tempfile.mkdtemp(prefix="clientguard-lake-",
                                   dir="/tmp" if os.name == "posix" else None))
    lake, out = folder / "lake", folder / "out"
    write_firm(lake, "acme", paid_firm(), base_currency="EUR")
    # Enterable, not listable: its files cannot be found. Before: read as no invoices, and
    # the firm reviewed.
    locked, named = lake / "invoices" / "firm_id=acme", "invoices/firm_id=acme"
    locked.chmod(0o300)
    try:
        def steps() -> list[Any]:
            summary = run(lake, as_of=AS_OF, output=out, workers=1)
            written = [path.read_bytes().decode("utf-8", "replace")
                       for path in sorted(out.rglob("*")) if path.is_file()]
            firms, _ = read_output(out)
            return [[[o.firm_id, o.status, o.reason] for o in summary.outcomes],
                    [[f.status, f.reason] for f in firms], written]

        outcomes, rows, written = as_nobody(folder, steps)
    finally:
        locked.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)

    assert outcomes == [["acme", FAILED, UNREADABLE.format(named)]]
    assert rows == [[FAILED, UNREADABLE.format(named)]]
    assert written
    assert not any(str(folder) in text for text in written)


def test_an_unreadable_table_folder_fails_the_firm_and_refuses_the_run_naming_it(
    as_nobody: Callable[[Path, Callable[[], list[Any]]], list[Any]],
) -> None:
    """Before: the firm's row said "[Errno 13] Permission denied:
    '/tmp/.../credit_notes/firm_id=acme'" (the machine's folders), and a run raised the
    system's PermissionError naming them too. A table's folder nobody can list hides which
    firms it holds: the run is refused, naming it, rather than review firms without it."""
    folder = Path(tempfile.mkdtemp(prefix="clientguard-lake-",
                                   dir="/tmp" if os.name == "posix" else None))
    lake = folder / "lake"
    write_firm(lake, "acme", paid_firm(), base_currency="EUR")
    (lake / "credit_notes").chmod(0o600)
    try:
        def steps() -> list[Any]:
            row = review_firm("acme", lake, as_of=AS_OF).summary
            try:
                firm_ids(lake)
            except LayoutError as exc:
                return [row.status, row.reason, str(exc)]
            return [row.status, row.reason, None]

        status, reason, refused = as_nobody(folder, steps)
    finally:
        (lake / "credit_notes").chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)

    assert (status, reason) == (FAILED, UNREADABLE.format("credit_notes/firm_id=acme"))
    assert refused == UNREADABLE.format("credit_notes")


def test_a_system_error_in_a_firms_row_names_the_file_in_the_lake_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever OSError reaches the firm's guard (a file gone or locked mid-read) is said
    relative to the lake: the row travels, the machine's folders stay."""
    write_firm(tmp_path, "acme", paid_firm(), base_currency="EUR")
    gone = tmp_path / "invoices" / "firm_id=acme" / PART

    def failing(root: Path, firm_id: str) -> Any:
        raise PermissionError(13, "Permission denied", str(gone))

    monkeypatch.setattr(firm_module, "read_firm_records", failing)
    row = review_firm("acme", tmp_path, as_of=AS_OF).summary

    assert (row.status, row.reason) == (
        FAILED, "invoices/firm_id=acme/part-0.parquet: cannot be read (Permission denied): let "
        "the user who runs the review read it and the folders above it in the lake")
    assert str(tmp_path) not in json.dumps(row.reason)


def test_allocation_rows_of_one_position_with_other_values_are_all_kept(tmp_path: Path) -> None:
    """A tool that writes no real position (0 on every row) splits a payment's 2,500.00 over
    two invoices: both parts are kept (they are not copies: their values differ), in the
    order read. Open, by hand: 5,000.00 - 1,500.00 + 3,000.00 - 1,000.00 = 5,500.00."""
    write_firm(tmp_path, "acme", [
        customer("c1"),
        invoice("c1", issued="2024-10-01", due="2024-10-31", total="5000.00", id="I1"),
        invoice("c1", issued="2024-10-01", due="2024-10-31", total="3000.00", id="I2"),
        payment("c1", on="2024-10-20", amount="2500.00",
                pays={"I1": "1500.00", "I2": "1000.00"}, id="P1"),
    ], base_currency="EUR")
    path = tmp_path / "allocations" / "firm_id=acme" / PART
    table = pq.read_table(path)
    at = table.schema.get_field_index("position")
    table = table.set_column(at, table.schema.field(at), pa.array([0, 0], pa.int32()))
    pq.write_table(table, path)

    ledger = read_firm(tmp_path, "acme")
    row = review_firm("acme", tmp_path, as_of=AS_OF).summary

    [paid] = ledger.payments
    assert [(a.invoice_id, a.amount) for a in paid.allocations] == [
        ("I1", Decimal("1500.00")), ("I2", Decimal("1000.00"))]
    assert (row.status, row.open_balance, row.rejected_records) == (
        REVIEWED, Decimal("5500.00"), 0)
