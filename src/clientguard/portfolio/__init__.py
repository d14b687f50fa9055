"""Many firms: the Parquet layout of the common model, one pure review per firm, and engines
that run it over a portfolio (a process pool, Dask or Spark). ``docs/portfolio.md`` is the
guide.

::

    from clientguard.portfolio import read_firm, review_firm, run

    ledger = read_firm("lake", "acme")                           # one firm, as a Ledger
    result = review_firm("acme", "lake", as_of=d, policy=p)      # its summary and findings
    run("lake", as_of=d, engine="dask", output="out")            # every firm, as Parquet

Importing this package imports neither pyarrow, Dask nor Spark: each is imported when a
function that needs it is called (the extras ``clientguard[parquet]``, ``clientguard[dask]``
and ``clientguard[spark]``).
"""

from clientguard.portfolio.firm import (
    FAILED,
    INTERNAL_ERROR,
    REVIEWED,
    FindingRow,
    FirmResult,
    FirmSummary,
    review_firm,
)
from clientguard.portfolio.layout import (
    LAYOUT_FILE,
    LAYOUT_VERSION,
    TABLES,
    FirmRecords,
    LayoutError,
    firm_ids,
    read_firm,
    read_firm_records,
    write_firm,
)
from clientguard.portfolio.output import read_output
from clientguard.portfolio.run import ENGINES, FirmOutcome, RunSummary, run

__all__ = [
    "ENGINES",
    "FAILED",
    "INTERNAL_ERROR",
    "LAYOUT_FILE",
    "LAYOUT_VERSION",
    "REVIEWED",
    "TABLES",
    "FindingRow",
    "FirmOutcome",
    "FirmRecords",
    "FirmResult",
    "FirmSummary",
    "LayoutError",
    "RunSummary",
    "firm_ids",
    "read_firm",
    "read_firm_records",
    "read_output",
    "review_firm",
    "run",
    "write_firm",
]
