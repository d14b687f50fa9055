"""Telling whether a QuickBooks query read by position moved between two of its pages.

A query is paged by ``STARTPOSITION`` (:mod:`.query`), a position in the list the statement
selects, ordered by ``Id``. An edit never moves a record in that order, but a record deleted
while the pages are read vanishes from the list (QuickBooks drops deleted entities from
query results), and every record after it moves up one place: a record nobody touched then
crosses onto a page already read and is never read. Intuit gives no count to check by, so
each page after the first is checked at its boundary (docs/connectors/quickbooks.md,
"Paging and incremental sync"):

* a page that begins with a record already read needs no check: every record after the
  last one read comes after it in the order, so none can be on a page already read;
* otherwise the place before the page (its ``STARTPOSITION`` less one, asked for with
  ``MAXRESULTS 1``) must still hold the last record read. Else a record before it vanished
  (or the last one read itself did): the read stops with
  :class:`~clientguard.http.SourceChanged`.

Records that come *into* the list before the boundary (an incremental read selects the
records changed since its cursor: one edited while it pages joins the list at its ``Id``)
push it down instead: the page then begins with records read already (read twice, stored
once), and nothing is lost. The record that joined is not read by this sync; its change is
later than the cursor this read leaves, so the next sync reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Boundary", "PageBoundaries"]


@dataclass(frozen=True)
class Boundary:
    """A check due before a page is taken in: ``place`` (1-based, in the query's order)
    must still hold the record ``expected`` (its ``Id``), the last one read."""

    page: int
    """The page just read (2 for the second), for the messages."""
    place: int
    expected: str


class PageBoundaries:
    """What one read of a query has seen, page by page (pure: the connector asks QuickBooks
    for the place :meth:`take` names and compares its record with the one expected)."""

    def __init__(self) -> None:
        self.number = 0
        """Pages taken in so far."""
        self.read = 0
        """Records the pages taken in held: the next page's ``STARTPOSITION`` less one."""
        self.seen: set[str] = set()
        """The ids of the records read."""
        self.last_read: str | None = None
        """The id of the last record of the last page that held one."""

    def take(self, ids: Sequence[str]) -> Boundary | None:
        """Take in the next page's record ids, in the page's order; the check due before the
        page may be used, or None when none is (page 1, a page after pages that held nothing,
        and a page that begins with a record read already)."""
        self.number += 1
        due: Boundary | None = None
        if self.last_read is not None and (not ids or ids[0] not in self.seen):
            due = Boundary(page=self.number, place=self.read, expected=self.last_read)
        self.read += len(ids)
        self.seen.update(ids)
        if ids:
            self.last_read = ids[-1]
        return due
