"""A portfolio as a practice or a lender reviews it: many firms, each exported on its own, some
of them half-written. One firm's files never change another firm's row, and a firm whose
export was cut short is named with its reason rather than reviewed from a mix of two exports.
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the portfolio's tests need clientguard[parquet]")
import pyarrow.parquet as pq

import clientguard.portfolio.layout as layout
from clientguard.i18n import using
from clientguard.portfolio import (
    FAILED,
    REVIEWED,
    LayoutError,
    read_firm,
    read_output,
    review_firm,
    run,
    write_firm,
)
from clientguard.portfolio.layout import EXPORT_KEY, TABLES
from clientguard.testing import customer, invoice, payment

AS_OF = date(2025, 6, 30)


def first_export() -> list[Any]:
    paid = invoice("acme", issued="2025-03-01", due="2025-03-31", total="2000.00", id="A-1")
    return [customer("acme"), paid,
            payment("acme", on="2025-03-30", amount="2000.00", pays=paid, id="P-1")]


def second_export() -> list[Any]:
    """The first export and a month more: a 5,000.00 invoice, paid in full before its due
    date. Nothing of it is overdue on 30 June."""
    later = invoice("acme", issued="2025-05-01", due="2025-05-31", total="5000.00", id="A-2")
    return [*first_export(), later,
            payment("acme", on="2025-05-20", amount="5000.00", pays=later, id="P-2")]


def export_cut_short(lake: Path, firm_id: str, records: list[Any], before: str,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Export ``records`` as ``firm_id``, the disk filling up when the ``before`` table is
    written: the tables before it are the new export's, the rest the previous one's."""
    real = layout.write_table

    def full_disk(root: Path, table: str, firm: str, arrow_table: Any) -> Path:
        if table == before:
            raise OSError(28, "No space left on device")
        return real(root, table, firm, arrow_table)

    with monkeypatch.context() as patched:
        patched.setattr(layout, "write_table", full_disk)
        with pytest.raises(OSError, match="No space left"):
            write_firm(lake, firm_id, records, base_currency="EUR")


# ------------------------------------------------------------------------ an export cut short


def test_a_second_export_cut_short_fails_the_firm_instead_of_mixing_two_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the new invoices beside the old payments were reviewed as 'reviewed', A-2's
    # 5,000.00 EUR overdue although it was paid on 20 May.
    write_firm(tmp_path, "acme", first_export(), base_currency="EUR")
    export_cut_short(tmp_path, "acme", second_export(), "payments", monkeypatch)

    result = review_firm("acme", tmp_path, as_of=AS_OF)

    assert result.summary.status == FAILED
    # The tables are written in TABLES' order, the firm's last: customers and invoices are
    # the new export's when the disk fills up at payments.
    assert result.summary.reason == (
        "customers/firm_id=acme/part-0.parquet, invoices/firm_id=acme/part-0.parquet are from "
        "another export of the firm than firm/firm_id=acme/part-0.parquet (an export cut "
        "short, or files copied in from another export): export the firm again")
    with pytest.raises(LayoutError, match="export the firm again"):
        read_firm(tmp_path, "acme")
    # Exporting it again in full is the remedy: A-2 is paid, nothing is overdue.
    write_firm(tmp_path, "acme", second_export(), base_currency="EUR")
    again = review_firm("acme", tmp_path, as_of=AS_OF).summary
    assert (again.status, again.invoices, again.open_balance, again.overdue_balance) == (
        REVIEWED, 2, Decimal("0.00"), Decimal("0.00"))


def test_a_file_copied_in_from_another_export_is_named_alone(tmp_path: Path) -> None:
    write_firm(tmp_path / "old", "acme", first_export(), base_currency="EUR")
    write_firm(tmp_path / "new", "acme", second_export(), base_currency="EUR")
    part = Path("payments") / "firm_id=acme" / "part-0.parquet"
    shutil.copy(tmp_path / "old" / part, tmp_path / "new" / part)

    reason = review_firm("acme", tmp_path / "new", as_of=AS_OF).summary.reason

    assert reason == (
        "payments/firm_id=acme/part-0.parquet is from another export of the firm than "
        "firm/firm_id=acme/part-0.parquet (an export cut short, or a file copied in from "
        "another export): export the firm again")


def test_every_file_of_an_export_cut_short_late_is_named_in_polish_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cut short at the last table but the firm's own: all but 'firm' are the new export's.
    # (Before any table of the new export is written there is nothing to tell: the firm is
    # whole, as the first export wrote it.)
    write_firm(tmp_path, "acme", first_export(), base_currency="EUR")
    export_cut_short(tmp_path, "acme", second_export(), "firm", monkeypatch)

    with using("pl"):
        reason = review_firm("acme", tmp_path, as_of=AS_OF).summary.reason

    new = ", ".join(sorted(f"{t}/firm_id=acme/part-0.parquet" for t in TABLES if t != "firm"))
    assert reason == (
        f"{new} pochodzą z innego eksportu firmy niż firm/firm_id=acme/part-0.parquet "
        "(eksport przerwany w trakcie albo pliki skopiowane z innego eksportu): "
        "wyeksportuj dane firmy ponownie")


def test_the_same_records_exported_twice_write_the_same_bytes(tmp_path: Path) -> None:
    # The export's mark is a digest of its content, not a clock or a random id: a re-export of
    # unchanged books changes no file, and one cut short mixes nothing that differs.
    write_firm(tmp_path / "one", "acme", second_export(), base_currency="EUR")
    write_firm(tmp_path / "two", "acme", second_export(), base_currency="EUR")
    write_firm(tmp_path / "three", "acme", first_export(), base_currency="EUR")
    for table in TABLES:
        part = Path(table) / "firm_id=acme" / "part-0.parquet"
        assert (tmp_path / "one" / part).read_bytes() == (tmp_path / "two" / part).read_bytes()
    marks = {pq.read_schema(tmp_path / name / t / "firm_id=acme" / "part-0.parquet"
                            ).metadata[EXPORT_KEY]
             for name in ("one", "three") for t in TABLES}
    assert len(marks) == 2  # one per export, the same in all of its files


def test_files_without_the_mark_are_read_as_before(tmp_path: Path) -> None:
    # A lake another tool (or an earlier clientguard) wrote carries no mark: nothing to check.
    write_firm(tmp_path, "acme", second_export(), base_currency="EUR")
    for table in TABLES:
        path = tmp_path / table / "firm_id=acme" / "part-0.parquet"
        read = pq.read_table(path)
        metadata = {k: v for k, v in (read.schema.metadata or {}).items() if k != EXPORT_KEY}
        pq.write_table(read.replace_schema_metadata(metadata), path)
    summary = review_firm("acme", tmp_path, as_of=AS_OF).summary
    assert (summary.status, summary.invoices) == (REVIEWED, 2)


# ----------------------------------------------------------------------------------- isolation


def test_one_firms_broken_files_never_change_another_firms_row(tmp_path: Path) -> None:
    # Beside two whole firms: one cut short mid-file (a truncated Parquet file), one with no
    # records at all, one of another base currency. The whole firms' rows are those of a run
    # over them alone, and each broken one is named with its reason.
    lake = tmp_path / "lake"
    for firm in ("a-whole", "b-whole"):
        write_firm(lake, firm, second_export(), base_currency="EUR")
    write_firm(lake, "c-truncated", second_export(), base_currency="EUR")
    truncated = lake / "payments" / "firm_id=c-truncated" / "part-0.parquet"
    truncated.write_bytes(truncated.read_bytes()[:-3])
    write_firm(lake, "d-empty", [], base_currency="EUR")
    write_firm(lake, "e-usd", [customer("x"), invoice("x", issued="2025-05-01", total="7.00",
                                                      currency="USD", id="U-1")],
               base_currency="USD")
    alone = tmp_path / "alone"
    whole = lake.parent / "whole"
    for table in (p for p in lake.iterdir() if p.is_dir()):
        for firm in ("a-whole", "b-whole"):
            shutil.copytree(table / f"firm_id={firm}", whole / table.name / f"firm_id={firm}")
    shutil.copy(lake / layout.LAYOUT_FILE, whole / layout.LAYOUT_FILE)

    summary = run(lake, as_of=AS_OF, output=tmp_path / "out", workers=2)
    run(whole, as_of=AS_OF, output=alone, workers=1)

    assert [(o.firm_id, o.status) for o in summary.outcomes] == [
        ("a-whole", REVIEWED), ("b-whole", REVIEWED), ("c-truncated", FAILED),
        ("d-empty", REVIEWED), ("e-usd", REVIEWED)]
    (cut,) = summary.failed
    assert (cut.reason or "").startswith(
        "payments/firm_id=c-truncated/part-0.parquet: cannot be read as Parquet: ")
    rows, findings = read_output(tmp_path / "out")
    alone_rows, alone_findings = read_output(alone)
    assert [r for r in rows if r.firm_id.endswith("-whole")] == alone_rows
    assert [f for f in findings if f.firm_id.endswith("-whole")] == alone_findings
    by_firm = {r.firm_id: r for r in rows}
    assert (by_firm["d-empty"].clients, by_firm["d-empty"].revenue) == (0, Decimal("0.00"))
    assert (by_firm["e-usd"].base_currency, by_firm["e-usd"].revenue) == ("USD",
                                                                          Decimal("7.00"))
