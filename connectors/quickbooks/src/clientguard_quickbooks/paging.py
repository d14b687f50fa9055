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

The bookkeeping is the framework's (:class:`clientguard.http.PageBoundaries`, shared with
the other connectors that page by position); it is named here as before.
"""

from __future__ import annotations

from clientguard.http.paging import Boundary, PageBoundaries

__all__ = ["Boundary", "PageBoundaries"]
