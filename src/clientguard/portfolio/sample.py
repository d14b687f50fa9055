"""A generated portfolio: many sample firms in a lake, a few with broken data.

Each firm is :func:`clientguard.sample.sample_records` with a seed of its own and a size of its
own (10 to 50 customers, so about 300 to 1,700 invoices, or exactly ``invoices`` each), written
in the Parquet layout. The tests of the engines and the benchmark use it; so can anyone who
wants to try an engine before pointing it at their own lake::

    from clientguard.portfolio.sample import write_sample_portfolio

    firms = write_sample_portfolio("lake", firms=20, broken=3)

Broken firms, in turn (firm ids end in ``-bad-rows``, ``-bad-currency``, ``-corrupt``):

* ``bad-rows``: two invoice rows that are not valid records (a lower-case currency, a
  negative total): the firm is reviewed, the rows are rejections naming file and row.
* ``bad-currency``: the firm's base currency is not a currency: the firm cannot be
  reviewed, and its summary row says why.
* ``corrupt``: its payments file is cut short: not Parquet, and its row says so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from clientguard.portfolio.layout import (
    PART_FILE,
    require_pyarrow,
    write_firm,
    write_table,
)
from clientguard.sample import sample_records

__all__ = ["BROKEN_KINDS", "write_sample_portfolio"]

BROKEN_KINDS: Final = ("bad-rows", "bad-currency", "corrupt")


def write_sample_portfolio(
    root: str | os.PathLike[str],
    *,
    firms: int,
    broken: int = 0,
    seed: int = 0,
    invoices: int | None = None,
) -> tuple[str, ...]:
    """Write ``firms`` sample firms (the last ``broken`` of them broken, see the module
    docstring) into the lake at ``root``; return their ids, sorted. The same arguments write
    the same records."""
    if not 0 <= broken <= firms:
        raise ValueError(f"broken={broken}: between 0 and firms={firms}")
    root = Path(root)
    written = []
    for index in range(firms):
        firm_id = f"firm-{index:05d}"
        faults = index - (firms - broken)
        if faults >= 0:
            firm_id += f"-{BROKEN_KINDS[faults % len(BROKEN_KINDS)]}"
        customers = 10 + (index * 7919) % 41
        data = sample_records(seed * 1_000_003 + index, customers=customers, invoices=invoices)
        write_firm(root, firm_id, data.records(), base_currency=data.base_currency, fx=data.fx)
        if faults >= 0:
            _break(root, firm_id, BROKEN_KINDS[faults % len(BROKEN_KINDS)])
        written.append(firm_id)
    return tuple(sorted(written))


def _break(root: Path, firm_id: str, how: str) -> None:
    pa = require_pyarrow()
    import pyarrow.parquet as pq

    partition = f"firm_id={firm_id}"
    if how == "bad-rows":
        path = root / "invoices" / partition / PART_FILE
        table = pq.read_table(path)
        rows = table.to_pylist()
        rows[0]["currency"] = rows[0]["currency"].lower()
        rows[1]["total"] = -rows[1]["total"]
        write_table(root, "invoices", firm_id, pa.Table.from_pylist(rows, schema=table.schema))
    elif how == "bad-currency":
        path = root / "firm" / partition / PART_FILE
        table = pq.read_table(path)
        rows = table.to_pylist()
        rows[0]["base_currency"] = "EURO"
        write_table(root, "firm", firm_id, pa.Table.from_pylist(rows, schema=table.schema))
    else:
        path = root / "payments" / partition / PART_FILE
        content = path.read_bytes()
        path.write_bytes(content[: len(content) // 2])

