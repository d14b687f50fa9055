"""QuickBooks' change data capture (CDC): the deletions an incremental query cannot see.

A deleted invoice, payment, credit memo or refund receipt vanishes from query results, so a
sync that asks for what changed since its cursor never hears of it. Intuit's CDC operation
reports it::

    GET /v3/company/<realmId>/cdc?entities=Invoice&changedSince=2026-05-01T00:00:00+00:00

    {"CDCResponse": [{"QueryResponse": [{"Invoice": [
        {"Id": "34", ...the full entity...},
        {"status": "Deleted", "domain": "QBO", "Id": "979",
         "MetaData": {"LastUpdatedTime": "2015-12-23T12:55:50-08:00"}}],
      "startPosition": 1, "maxResults": 2}]}],
     "time": "2015-12-23T12:56:06.196-08:00"}

What Intuit guarantees, and what the connector does with it (Intuit's "Change data capture
operation" page and ChangeDataCapture reference; docs/connectors/quickbooks.md, Deletions):

* **30 days back at most.** ``changedSince`` must lie within the last 30 days. The connector
  asks from at most :data:`CDC_REACH` (29 days: a day's margin for clocks, as Nango's
  QuickBooks template does) before now; deletions before that are unknown, and the sync
  says so in a note (:func:`unchecked_note`) that stays in the store until a full read.
* **1,000 objects at most, no paging.** Deleted objects come after the active ones, so a
  capped answer may leave deletions out. The connector asks for one entity a call, so the
  cap is that entity's; an answer of :data:`CDC_MAX_OBJECTS` or more is a note
  (:func:`capped_note`), never taken for complete.
* Only ``"status": "Deleted"`` objects are used: what changed and still exists is read by
  the query, which pages and has no cap. A deleted object is its id alone (no lines): the
  read of credit memos also asks for ``Payment``, and a payment deleted makes it read every
  memo again, since nothing says which memo the payment applied or paid back.
* Not for ``TimeActivity`` (Intuit's list of entities CDC does not support) nor customers,
  which QuickBooks makes inactive rather than deleting (the query reads inactive ones).

Pure: no clock (``now`` is passed in), no network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from clientguard.http import MissingRecords

__all__ = [
    "CDC_ENTITIES",
    "CDC_MAX_OBJECTS",
    "CDC_REACH",
    "DELETED_REASON",
    "CdcWindow",
    "capped_note",
    "cdc_window",
    "changed_entities",
    "is_deleted",
    "unchecked_note",
]

CDC_ENTITIES = frozenset({"Invoice", "Payment", "CreditMemo", "RefundReceipt"})
"""The entities whose deletions an incremental sync asks CDC for."""

CDC_REACH = timedelta(days=29)
"""How far back the connector asks: Intuit's 30 days less a day's margin."""

CDC_MAX_OBJECTS = 1000
"""The most objects one CDC answer holds (Intuit); an answer this long may be cut short."""

DELETED_REASON = "deleted in QuickBooks (change data capture)"
"""The skip reason of a deletion, as a sync's summary counts it."""

_FULL_PRUNE = (
    "run `clientguard sync --full --prune` (in Python: store.sync(connector, full=True, "
    "prune=True)) to remove what was deleted"
)


@dataclass(frozen=True)
class CdcWindow:
    """What one CDC call of an incremental sync asks, and what it cannot reach."""

    changed_since: datetime
    """The ``changedSince`` sent: the stream's lower bound, or the earliest CDC reaches."""
    unchecked_since: datetime | None
    """Where the deletions CDC cannot reach begin (the stream's lower bound) when it lies
    more than :data:`CDC_REACH` back; None when CDC covers the whole interval."""


def cdc_window(since: datetime, now: datetime) -> CdcWindow:
    """The CDC request for deletions at or after ``since``, made at ``now`` (both aware)."""
    if since.tzinfo is None or now.tzinfo is None:
        raise ValueError("cdc_window needs timezone-aware moments")
    earliest = now.astimezone(UTC) - CDC_REACH
    since = since.astimezone(UTC)
    if since >= earliest:
        return CdcWindow(changed_since=since, unchecked_since=None)
    return CdcWindow(changed_since=earliest, unchecked_since=since)


def changed_entities(body: object, entity: str) -> list[Mapping[str, Any]]:
    """The ``entity`` objects of a CDC answer, active and deleted, in the answer's order.

    An answer with no change has none: ``CDCResponse`` empty, a ``QueryResponse`` empty or
    without the entity. Raises :class:`~clientguard.http.MissingRecords` when the body is
    not a CDC answer (no ``CDCResponse``, or a part of it of the wrong shape): never read as
    "nothing was deleted".
    """
    parts = body.get("CDCResponse") if isinstance(body, Mapping) else None
    if not isinstance(parts, list):
        raise MissingRecords("the change data capture answered without a CDCResponse list")
    found: list[Mapping[str, Any]] = []
    for part in parts:
        responses = part.get("QueryResponse", []) if isinstance(part, Mapping) else None
        if isinstance(responses, Mapping):
            responses = [responses]
        if not isinstance(responses, list):
            raise MissingRecords("a CDCResponse entry has no QueryResponse list")
        for response in responses:
            if not isinstance(response, Mapping):
                raise MissingRecords("a QueryResponse of the CDCResponse is not an object")
            items = response.get(entity)
            if items is None:
                continue  # QuickBooks leaves an entity with no change out
            if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
                raise MissingRecords(f"the CDCResponse's {entity} is not a list of objects")
            found.extend(items)
    return found


def is_deleted(raw: Mapping[str, Any]) -> bool:
    """True for an object CDC reports deleted (``"status": "Deleted"``)."""
    return raw.get("status") == "Deleted"


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def unchecked_note(stream: str, unchecked_since: datetime, changed_since: datetime) -> str:
    """The note of a sync whose stream was last read more than CDC reaches back."""
    return (
        f"{stream}: deletions in QuickBooks from {_moment(unchecked_since)} to "
        f"{_moment(changed_since)} are not known: QuickBooks reports deletions for the last 30 "
        f"days only (change data capture), and the last sync of {stream} was before that. "
        f"Records deleted then may still be counted here; {_FULL_PRUNE}"
    )


def capped_note(stream: str, entity: str, changed_since: datetime, count: int) -> str:
    """The note of a CDC answer that reached its cap: deletions may be missing from it."""
    return (
        f"{stream}: QuickBooks' change data capture returned {count:,} changed {entity} "
        f"objects since {_moment(changed_since)}, its most in one answer, and lists deletions "
        f"last: some deletions may be missing. Records deleted since then may still be "
        f"counted here; {_FULL_PRUNE}, and sync more often so that fewer changes pile up"
    )

