"""QuickBooks' query language, built from data: one statement per page.

``SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '2026-01-01T00:00:00+00:00'
ORDERBY Id STARTPOSITION 1001 MAXRESULTS 1000``

* The lower bound is inclusive (``>=``): a record changed exactly at the cursor is read
  again and de-duplicated by id, rather than missed.
* Pages are ordered by ``Id``, which an edit never moves: paging by position through a list
  ordered by the change time would skip a record whenever another one changed (and moved
  to the end) between two pages. A *deletion* still moves the records after it up a place
  (QuickBooks drops deleted entities from query results): the connector asks each page
  after the first from the place of the last record read, one more, and checks that it
  begins with a record read already (:mod:`.paging`).
  Keyset paging (``WHERE Id > '<last id>'``, no ``STARTPOSITION``) would not move, but
  nothing Intuit publishes says whether ``Id`` sorts and compares as a number or as text,
  and a guess that mixed the two would skip records without a sign.
* ``STARTPOSITION`` is 1-based; ``MAXRESULTS`` is at most 1000.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["MAX_RESULTS", "build_query", "timestamp_literal"]

MAX_RESULTS = 1000
"""QuickBooks' largest page."""


def timestamp_literal(moment: datetime) -> str:
    """A query literal for a moment, in UTC to the second: ``2026-01-01T00:00:00+00:00``."""
    if moment.tzinfo is None:
        raise ValueError("a query timestamp must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def build_query(
    entity: str,
    *,
    since: datetime | None = None,
    where: str | None = None,
    start: int = 1,
    max_results: int = MAX_RESULTS,
) -> str:
    """The statement for one page of ``entity`` changed at or after ``since``."""
    if not entity.isidentifier():
        raise ValueError(f"{entity!r} is not a QuickBooks entity name")
    if start < 1 or not 1 <= max_results <= MAX_RESULTS:
        raise ValueError("STARTPOSITION starts at 1 and MAXRESULTS is 1..1000")
    conditions = [where] if where else []
    if since is not None:
        conditions.append(f"MetaData.LastUpdatedTime >= '{timestamp_literal(since)}'")
    clause = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    # Not injectable: the entity is an identifier, the timestamp is formatted here, and
    # ``where`` comes from the connector's own stream declarations, or is an ``Id IN``
    # list of ids the connector checked are digits only, never other input.
    statement = f"SELECT * FROM {entity}{clause} ORDERBY Id"  # noqa: S608
    return f"{statement} STARTPOSITION {start} MAXRESULTS {max_results}"
