"""A portfolio run's output: Parquet tables ``firms/`` and ``findings/``, one file per firm.

``OUT/firms/firm_id=<id>/part-0.parquet`` holds the firm's summary row,
``OUT/findings/firm_id=<id>/part-0.parquet`` its findings (an empty file when it has none).
Each is written beside its place and renamed over it, and its name depends only on the firm:
a rerun, or a task an engine retries after a crash, replaces the firm's files and never adds a
second copy of a row. The firm's previous summary row goes first, then the findings are
written and the summary last, so a firm with a summary row has its findings in place: a write
cut short (Ctrl-C, a killed worker) leaves a firm without a summary row, never an older run's
summary beside this run's findings.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Final

from clientguard.portfolio.firm import FindingRow, FirmResult, FirmSummary
from clientguard.portfolio.layout import (
    LAYOUT_VERSION,
    PART_FILE,
    VERSION_KEY,
    check_firm_id,
    require_pyarrow,
    write_table,
)

__all__ = ["FINDING_COLUMNS", "FIRM_COLUMNS", "read_output", "write_result"]

FIRM_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("status", "string"), ("reason", "string"), ("as_of", "date"),
    ("base_currency", "string"), ("clients", "int32"), ("clients_ok", "int32"),
    ("clients_monitor", "int32"), ("clients_revise_terms", "int32"),
    ("clients_consider_ending", "int32"), ("invoices", "int64"),
    ("revenue", "decimal(38, 4)"), ("open_balance", "decimal(38, 4)"),
    ("overdue_balance", "decimal(38, 4)"), ("top1_share", "decimal(12, 6)"),
    ("hhi", "decimal(14, 4)"), ("effective_clients", "decimal(14, 4)"),
    ("lateness_cost", "decimal(38, 4)"), ("claimable", "decimal(38, 4)"),
    ("claimable_disputed", "decimal(38, 4)"), ("claimable_unapplied", "decimal(38, 4)"),
    ("financing_covered", "decimal(38, 4)"),
    ("rejected_records", "int64"), ("paid_date_unknown", "int64"),
    ("amount_due_mismatches", "int64"), ("foreign_allocations", "int64"),
    ("excess_precision", "int64"), ("due_before_issue", "int64"),
    ("data_quality_notes", "int64"),
)
"""The columns of ``firms/`` (``firm_id`` is the partition's)."""

FINDING_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("client_id", "string"), ("client_name", "string"), ("recommendation", "string"),
    ("signal", "string"), ("severity", "string"), ("metric", "string"),
    ("value", "decimal(38, 6)"), ("threshold", "decimal(38, 6)"), ("message", "string"),
)
"""The columns of ``findings/`` (``firm_id`` is the partition's)."""


def _schema(pa: Any, columns: tuple[tuple[str, str], ...]) -> Any:
    def kind(name: str) -> Any:
        if name.startswith("decimal("):
            precision, scale = name.removeprefix("decimal(").rstrip(")").split(",")
            return pa.decimal128(int(precision), int(scale))
        return {"string": pa.string(), "date": pa.date32(), "int32": pa.int32(),
                "int64": pa.int64()}[name]

    return pa.schema([pa.field(n, kind(k)) for n, k in columns],
                     metadata={VERSION_KEY: str(LAYOUT_VERSION).encode()})


def _table(pa: Any, columns: tuple[tuple[str, str], ...], rows: list[dict[str, Any]]) -> Any:
    schema = _schema(pa, columns)
    return pa.Table.from_pydict({n: [r[n] for r in rows] for n in schema.names}, schema=schema)


def write_result(output: Path, result: FirmResult) -> None:
    """Write one firm's rows into ``output``, replacing what a run wrote for it before.

    Raises :class:`~clientguard.portfolio.LayoutError` for a firm id that cannot name a
    partition (``..``, ``_x``, ``a%20b``: a path outside ``output``, or one that readers skip
    as hidden), before writing anything."""
    pa = require_pyarrow()
    firm_id = check_firm_id(result.firm_id)
    findings = [row.row() for row in result.findings]
    findings_table = _table(pa, FINDING_COLUMNS, findings)
    summary_table = _table(pa, FIRM_COLUMNS, [result.summary.row()])
    # The summary of an earlier run goes before the findings are replaced (see the module).
    # A file standing where the partition goes is no summary: writing it below says so.
    with contextlib.suppress(NotADirectoryError):
        (output / "firms" / f"firm_id={firm_id}" / PART_FILE).unlink(missing_ok=True)
    write_table(output, "findings", firm_id, findings_table)
    write_table(output, "firms", firm_id, summary_table)


def read_output(output: Path | str) -> tuple[list[FirmSummary], list[FindingRow]]:
    """The rows of a run's output, sorted by firm (and as :func:`review_firm` orders the
    findings): what the tests compare between engines, and a quick look from Python."""
    require_pyarrow()
    import pyarrow.parquet as pq

    output = Path(output)
    firms: list[FirmSummary] = []
    findings: list[FindingRow] = []
    for folder in sorted((output / "firms").glob("firm_id=*")):
        if not folder.is_dir():  # a partition is a folder; anything else is not a firm's
            continue
        firm_id = folder.name.removeprefix("firm_id=")
        for row in pq.read_table(folder).to_pylist():
            firms.append(FirmSummary(firm_id=firm_id, **row))
        found = output / "findings" / folder.name
        if found.is_dir():
            findings.extend(FindingRow(firm_id=firm_id, **row)
                            for row in pq.read_table(found).to_pylist())
    return firms, findings
