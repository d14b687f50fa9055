"""Telling whether a QuickBooks query read by position moved between two of its pages.

A query is paged by ``STARTPOSITION`` (:mod:`.query`), a position in the list the statement
selects, ordered by ``Id``. An edit never moves a record in that order, but a record deleted
while the pages are read vanishes from the list (QuickBooks drops deleted entities from
query results), and every record after it moves up one place: a record nobody touched then
crosses onto a page already read and is never read. Intuit gives no count to check by, but
``STARTPOSITION`` takes any place, so each page after the first is asked from the place of
the last record read, one record more (``STARTPOSITION <place> MAXRESULTS <size + 1>``, at
most 1,000), and its first record is the check (docs/connectors/quickbooks.md, "Paging and
incremental sync"):

* the last record read: nothing before it moved;
* another record read earlier: records that *joined* the list before it (an incremental
  read selects the records changed since its cursor: one edited while it pages joins the
  list at its ``Id``) pushed it down. Nothing is lost: the records read already are left
  out, and the one that joined, changed after the cursor this read leaves, is read by the
  next sync;
* anything else: a record before it vanished, and one after it may have crossed onto a page
  already read: the read stops with :class:`~clientguard.http.SourceChanged`.

The check is part of the page's own answer, so no change can slip between the two. (The
check it replaces was a request of its own after the page: a deletion before the page and,
before the check, an edit that joined the list before the boundary cancelled out at the
place checked, and a record was lost for good.)

The bookkeeping is the framework's (:class:`clientguard.http.PageOverlaps`, driven by
:class:`clientguard.http.OverlapPaginator`); :class:`~clientguard.http.PageBoundaries`, the
separate check, is still named here for code that imported it from this module.
"""

from __future__ import annotations

from clientguard.http.paging import Boundary, PageBoundaries, PageOverlaps

__all__ = ["Boundary", "PageBoundaries", "PageOverlaps"]
