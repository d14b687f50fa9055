"""Paginators: the paging state of one read of one stream, and the loop guards.

Built fresh for every read; pure over the responses they are shown (no client, no I/O).
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import requests

from clientguard.errors import ApiError, ConfigError, ErrorContext

__all__ = [
    "SHIFTED_LOOP_AFTER",
    "Boundary",
    "MissingRecords",
    "NextTokenPaginator",
    "OffsetPaginator",
    "Overlap",
    "OverlapPaginator",
    "PageBoundaries",
    "PageNumberPaginator",
    "PageOverlaps",
    "Paginator",
    "SinglePagePaginator",
    "SourceChanged",
    "records_in",
]


class SourceChanged(ApiError):
    """A list read by position (page numbers) changed between two of its pages, so a record
    may have crossed onto a page already read and been missed: the read stops instead of
    ending as if complete (a full read replaces the stream's records: it would drop the
    missed one). Nothing of the stream is pruned and its cursor does not move; running the
    sync again reads the list anew. ``why`` says what showed the change."""

    def __init__(self, why: str, context: ErrorContext | None = None) -> None:
        self.why = why
        super().__init__(
            f"{why}; a record added, moved or deleted on a page already read shifts the "
            "later pages, so one may have been missed. The read stopped (nothing of the "
            "stream was pruned, and its cursor did not move): run the sync again",
            context,
        )


@dataclass(frozen=True)
class Boundary:
    """A page boundary of a list read by position: ``place`` (1-based, in the list's order)
    must still hold the record ``expected`` (its id), the last one read.

    From :class:`PageBoundaries`, a check due before the page is taken in: the connector asks
    the API for that one place (a page of one record: GitHub's ``per_page=1``, Xero
    Projects' ``pageSize=1``). From :class:`PageOverlaps`, a check the page itself failed:
    asked from ``place``, it began with neither ``expected`` nor another record read."""

    page: int
    """The page just read (2 for the second), for the messages."""
    place: int
    expected: str


class PageBoundaries:
    """What one read of a list paged by position has seen, page by page: which page
    boundaries must be checked so that a record deleted while the pages are read (every
    record after it moves up a place, and one nobody touched crosses onto a page already
    read, unseen) stops the read with :class:`SourceChanged` instead of being missed.

    Pure: the connector asks the API for the place :meth:`take` names and compares its
    record with the one expected. The list must be in an order no edit changes (an id, a
    creation time):

    * a page that begins with a record already read needs no check: every record after the
      last one read comes after it in the order, so none can be on a page already read;
    * otherwise the place before the page (the records read so far) must still hold the last
      record read. Else a record before it vanished (or the last one read itself did).

    Records that come *into* the list before the boundary (an incremental read selects those
    changed since its cursor: one edited while it pages joins the list at its place) push it
    down instead: the page then begins with records read already (read twice, stored once),
    and nothing is lost; the one that joined is changed after the cursor this read leaves,
    so the next sync reads it.

    Not atomic: the check is a request of its own, sent after the page came back. A record
    deleted before the page was asked (the page moved up a place) and, before the check, one
    that joins the list before the boundary (the place is pushed back down) cancel out at
    the place checked: the check passes and the record that crossed onto the page already
    read is missed. For an API that takes any place (an offset, not a page number), use
    :class:`PageOverlaps` instead, whose check is part of the page's own answer.
    """

    def __init__(self) -> None:
        self.number = 0
        """Pages taken in so far."""
        self.read = 0
        """Records the pages taken in held: the place of the last one read."""
        self.seen: set[str] = set()
        """The ids of the records read."""
        self.last_read: str | None = None
        """The id of the last record of the last page that held one."""
        self.furthest: str | None = None
        """The id of the record read furthest in the list's order: the last of a page that
        held the one before it (records pushed down can make a page end before it)."""

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


@dataclass(frozen=True)
class Overlap:
    """What a page of :class:`PageOverlaps` showed, once taken in."""

    fresh: tuple[int, ...]
    """The indexes in the page (0-based) of the records not read before, in the page's
    order: the ones to give (the others were read on an earlier page)."""
    moved: Boundary | None
    """None, or the page's own check failed: asked from ``moved.place``, where the last
    record read was, it began with another record, not one read before (or came empty).
    A record before that place left the list, and one after it may have crossed onto a page
    already read: stop the read with :class:`SourceChanged`."""
    full: bool
    """The page held as many records as were asked: another page may follow."""


class PageOverlaps:
    """One read of a list paged by an offset that may name *any* place (QuickBooks'
    ``STARTPOSITION``, Jira's ``startAt``), each page after the first asked from the place
    of the last record read, one record more: the page's first record is then its boundary
    check, in the same answer as the records after it, so nothing can change between the
    two.

    Pure: :meth:`ask` gives the next page's place (1-based) and size, :meth:`take` takes in
    its record ids. The list must be in an order no edit changes (an id, a key). A page
    after the first must begin with a record read already:

    * the last one read: nothing before it moved;
    * another one read earlier: records that *joined* the list before it (an incremental
      read selects those changed since its cursor: one edited while it pages joins at its
      place) pushed it down. Harmless: the records read already are left out
      (:attr:`Overlap.fresh`), and the one that joined is changed after the cursor this
      read leaves, so the next sync reads it;
    * anything else (another record, or nothing): a record before that place left the list
      (deleted, or edited out of it), and a record after the last one read may have crossed
      onto a page already read, unseen: :attr:`Overlap.moved`.

    Why it is enough: every record after the last one read, in the list's order, comes after
    a page's first record when that record was read already, so it is on that page or a
    later one, whatever was deleted or joined before; and the read ends only on a page
    shorter than asked, which reached the end of the list in that same answer. A record in
    the list for the whole read is therefore read, or the read stops.

    It also saves the request of :class:`PageBoundaries`' separate check: one request per
    page, each later page bringing ``size`` new records (``size - 1`` when ``largest``, the
    API's largest page, leaves no room for the record repeated).
    """

    def __init__(self, size: int, *, largest: int | None = None) -> None:
        if size < 1:
            raise ConfigError("page size must be at least 1")
        later = size + 1 if largest is None else min(size + 1, largest)
        if later < 2:
            raise ConfigError("overlapping pages need room for 2 records a page")
        self.size = size
        """The records asked for on the first page."""
        self.later = later
        """The records asked for on each later page: the last one read, then ``later - 1``."""
        self.number = 0
        """Pages taken in so far."""
        self.place = 1
        """Where the next page starts (1-based): the place of the last record read, once
        a page held one."""
        self.seen: set[str] = set()
        """The ids of the records read."""
        self.last_read: str | None = None
        """The id of the last record of the last page that held one."""
        self.furthest: str | None = None
        """The id of the record read furthest in the list's order: the last of a page that
        held the one before it (records pushed down can make a page end before it)."""

    def ask(self) -> tuple[int, int]:
        """The next page's place (1-based, in the list's order) and how many records to ask
        for from there."""
        return self.place, self.size if self.last_read is None else self.later

    def take(self, ids: Sequence[str]) -> Overlap:
        """Take in the record ids of the page asked as :meth:`ask` said, in the page's
        order: which of them are new, whether the page shows records lost, and whether
        another page may follow. A record up to the furthest one read (:attr:`furthest`) is
        new when its id was not read; one after it is new whatever its id (two records
        known by the same id, as QuickBooks' Id-less records of the same content are, are
        each given once)."""
        place, asked = self.ask()
        self.number += 1
        moved = None
        if self.last_read is not None and (not ids or ids[0] not in self.seen):
            moved = Boundary(page=self.number, place=place, expected=self.last_read)
        # Only what comes up to the furthest record read can have been read already: the
        # list is in an order no edit changes, so every record after it on the page is new,
        # even one whose id was read before. Two records without an id of their own and with
        # the same content (QuickBooks' Id-less ones, known by their content) are two
        # records, each given once. A page without it (pushed past the page's end by records
        # that joined, or deleted) tells nothing by place: then a record is new if its id is.
        overlap = (ids.index(self.furthest) if self.furthest is not None
                   and self.furthest in ids else None)
        fresh = tuple(at for at, ident in enumerate(ids)
                      if ident not in self.seen or (overlap is not None and at > overlap))
        if ids and (self.furthest is None or overlap is not None):
            self.furthest = ids[-1]
        self.seen.update(ids)
        if ids:
            self.last_read = ids[-1]
            self.place = place + len(ids) - 1
        return Overlap(fresh=fresh, moved=moved, full=len(ids) >= asked)


class MissingRecords(ApiError):
    """A page of a list that came without its records: an empty body, ``null``, an object
    without the list, a list where an object was due, or an empty page the API itself counts
    as not the last.

    Never an empty page: that would end the read as if the stream were complete, move its
    cursor past records nobody read, and let a full read prune stored records it did not see.
    ``why`` says what came instead; ``page`` (``page 2 of invoices``), when given, names the
    page, and the message then says to try again (the read stopped there). ``advice``, when
    given, is what to do if trying again does not help, in the API's own terms (which
    setting or permission to check, where the case is documented): said last, as a sentence
    of its own.
    """

    def __init__(
        self,
        why: str,
        context: ErrorContext | None = None,
        *,
        page: str | None = None,
        advice: str | None = None,
    ) -> None:
        self.why = why
        self.advice = advice
        if page is None:
            message = f"a page came without its records: {why}"
        else:
            message = (
                f"the API answered {page} without its records: {why}; try again (the read "
                "stopped at that page: nothing of the stream was pruned, and its cursor did "
                "not move past the page)"
            )
        if advice:
            message += f". {advice}"
        super().__init__(message, context)


def records_in(body: Any, key: str | None) -> list[Mapping[str, Any]]:
    """The records of one page of a list: the list under ``key`` in the body's JSON object,
    or the body itself when ``key`` is None. Every item must be an object (a record): one
    that is not (``null``, a list, a number) is a :class:`MissingRecords` naming its place
    and what it is, since the page is not what the API documents and a record may be missing
    from it (it was left out without a word).

    An empty list is an empty page (the last page of an API paged until it is empty). Raises
    :class:`MissingRecords` saying what came instead of a list (an empty body, ``null``, an
    object without ``key``, a text, a number): none of those is an empty page.
    """
    if key is None:
        found = body
        if not isinstance(found, list):
            raise MissingRecords(f"a list was due, the body is {_kind(found)}")
    else:
        if not isinstance(body, Mapping):
            raise MissingRecords(f"an object holding the {key!r} list was due, the body is "
                                 f"{_kind(body)}")
        if key not in body:
            raise MissingRecords(f"the body has no {key!r} list")
        found = body[key]
        if not isinstance(found, list):
            raise MissingRecords(f"{key!r} is {_kind(found)}, not a list")
    for place, item in enumerate(found, 1):
        if not isinstance(item, Mapping):
            where = f"the {key!r} list" if key is not None else "the list"
            raise MissingRecords(f"item {place} of {where} is {_kind(item)}, not an object "
                                 "(a record)")
    return found


def _kind(value: Any) -> str:
    """What a decoded JSON value is, in words (the value itself is never quoted)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


SHIFTED_LOOP_AFTER = 3
"""For a paginator with an ``id_field`` (pages that may legitimately repeat): how many times
in a row the same page (compared whole) comes before it is a loop. A list shifted by a whole
page repeats a page once; an API that ignores the paging repeats it for ever. (A run of
pages holding only records read already has its own guard: :meth:`Paginator.advance`.)"""


def _params_key(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)


def _digest(record: Mapping[str, Any]) -> int:
    """8 bytes (as an int) that tell one version of a record from another."""
    return _short(json.dumps(record, sort_keys=True, default=str))


def _short(text: str) -> int:
    """An 8-byte digest of ``text``, as an int: a dict of a million of them (id to version)
    takes about 115 MB (measured)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _fingerprint(records: Sequence[Mapping[str, Any]]) -> str:
    text = json.dumps(list(records), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class Paginator(ABC):
    """The paging state of one read of one stream: built fresh for every read, never shared.

    :meth:`first` gives the paging parameters of the first request; :meth:`advance` those of
    the next one, or None when the stream is done. A page that repeats the previous one, or
    parameters that repeat, mean the API ignores our paging: that raises :class:`ApiError`
    rather than looping for ever.
    """

    repeats_guarded: ClassVar[bool] = True
    """Whether a page that repeats the one before is a loop (the API ignores the paging):
    False for a paginator whose pages may legitimately repeat and which guards against a
    loop itself (:class:`OverlapPaginator`)."""

    loop_after: ClassVar[int] = 2
    """How many times in a row the same page comes before it is a loop: 2, the page again
    right after itself. A list that can shift by a whole page while it is read (GitHub's
    ``since`` list, which issues edited mid-read join ahead of the read position) sets more:
    a shift repeats a page once, an API that ignores the paging repeats it for ever. A
    paginator given an ``id_field`` takes at least :data:`SHIFTED_LOOP_AFTER`."""

    def __init__(self, *, id_field: str | None = None) -> None:
        self.id_field = id_field
        """The records' id field, for a list whose pages may legitimately repeat (a list
        paged by position that records join mid-read: any number of them, a bulk edit of
        several pages, shifts the next pages back onto pages read already). Given, a record
        whose id this read gave before is left out of :meth:`new_records` when unchanged
        (counted once) and given again when changed (its newer version); a page holding only
        ids given before is read on and said in :attr:`notes`; and a loop is what a shift
        cannot make (:meth:`advance`): the same page :data:`SHIFTED_LOOP_AFTER` times in a
        row, a run of such pages that comes back to a page it read already (a cycle, however
        long), or a run longer than the pages read before it."""
        self._given: dict[int, int] = {}
        """With ``id_field``: the 8-byte digest of every id this read gave, to the digest of
        the version given. Every id, not the last pages' only: a bulk edit can shift the list
        back by any number of pages. About 120 bytes a record (measured: 1,000,000 ids take
        115 MB), a fraction of what the read's records themselves take."""
        self._run: set[int] = set()
        """The digests of the id lists of the pages, in a row up to this one, that held only
        ids given before (the current run of them)."""
        self._before_run = 0
        """Pages read before the current run began."""
        self._new: Sequence[Mapping[str, Any]] | None = None
        self.notes: list[str] = []
        """What a person should know about how the pages were read (a page that repeated
        records read already), for the page's :attr:`~clientguard.connector.RawPage.notes`:
        taken (and emptied) by :meth:`take_notes`."""
        self._previous_page: str | None = None
        self._same_in_a_row = 1
        """How many pages in a row, this one included, were the same page."""
        self._params_sent: set[str] = set()
        """Every page's paging parameters asked for so far (as JSON): a next page whose
        parameters were asked for before, however many pages ago, would read the same pages
        again and again (a token cycle A, B, A, B, ...)."""
        self.pages = 0

    @abstractmethod
    def first(self) -> dict[str, Any]:
        """Paging parameters of the first request."""

    @abstractmethod
    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        """Paging parameters of the next request, or None when done."""

    def new_records(self, records: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
        """The records of the page :meth:`advance` was last shown that this read has not
        given before: all of them (the default); with an ``id_field``, all but those given
        before unchanged. A paginator whose pages overlap (:class:`OverlapPaginator`) leaves
        out those read on an earlier page."""
        return records if self._new is None else self._new

    def take_notes(self) -> tuple[str, ...]:
        """The :attr:`notes` gathered since the last call, emptied."""
        taken, self.notes = tuple(self.notes), []
        return taken

    def _take_ids(self, records: Sequence[Mapping[str, Any]]) -> bool:
        """With an ``id_field``: which of the page's records are new (:meth:`new_records`);
        True when every record of the page has an id this read gave before (then the page
        is said in :attr:`notes`). A record without an id is always new."""
        if self.id_field is None:
            return False
        fresh: list[Mapping[str, Any]] = []
        known = 0
        for record in records:
            ident = record.get(self.id_field)
            if ident is None or isinstance(ident, (dict, list)):
                fresh.append(record)
                continue
            key, version = _short(str(ident)), _digest(record)
            given = self._given.get(key)
            self._given[key] = version
            if given is not None:
                known += 1
                if given == version:
                    continue
            fresh.append(record)
        self._new = fresh
        whole = bool(records) and known == len(records)
        if whole:
            again = len(records) - len(fresh)
            self.notes.append(
                f"page {self.pages} held only records read already, on page "
                f"{self.pages - 1} or before (records added or edited while the pages were "
                f"read moved the list down by a whole page): {again} of them "
                "unchanged, counted once; the read went on")
        return whole

    def _run_guard(self, records: Sequence[Mapping[str, Any]], whole: bool) -> None:
        """Raise :class:`ApiError` for a run of pages holding only ids given before (``whole``
        for this one) that cannot be a shift: one that comes back to a page (the same ids in
        the same order) it read already, or one longer than the pages read before it. A
        shift re-reads the pages read before it once, each further on in the list than the
        one before it, so neither happens unless the list shifts again while the run is
        read; an API that ignores the paging (a cycle of pages, however long) does both."""
        if not whole:
            self._run.clear()
            return
        if not self._run:
            self._before_run = self.pages - 1
        field = self.id_field or ""
        page = _short(json.dumps([str(r.get(field)) for r in records]))
        came_back = page in self._run
        self._run.add(page)
        if came_back or len(self._run) > self._before_run:
            why = ("came back to a page it read already" if came_back
                   else f"re-read more pages than the {self._before_run} read before it")
            raise ApiError(
                f"paging loop: pages {self._before_run + 1} to "
                f"{self.pages} held only records read already, and the run {why}: either the "
                "API ignores the paging parameters, or the list kept shifting while it was "
                "read (records added or edited between every page): run the sync again, "
                "and if it stops the same way, the API is not paging"
            )

    def recover(self, error: ApiError) -> dict[str, Any] | None:
        """Paging parameters to ask for the same page another way, after its request failed
        with ``error``; None (the default) lets the error stand.

        For an API whose page token can go stale between two pages (Stripe's
        ``starting_after`` naming an object deleted meanwhile). An override must give up
        after a bounded number of tries, raising an error that says what to do.
        """
        return None

    def advance(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        """The next request's paging parameters after this page, or None when done."""
        self.pages += 1
        loop_after = (self.loop_after if self.id_field is None
                      else max(self.loop_after, SHIFTED_LOOP_AFTER))
        if records and self.repeats_guarded:
            fingerprint = _fingerprint(records)
            self._same_in_a_row = (
                self._same_in_a_row + 1 if fingerprint == self._previous_page else 1)
            if self._same_in_a_row >= loop_after:
                times = (f" ({self._same_in_a_row} times in a row)"
                         if self._same_in_a_row > 2 else "")
                shifting = ("" if self.id_field is None else
                            ", or the list kept shifting by a whole page while it was read "
                            "(records added or edited between every page): run the sync "
                            "again, and if it stops the same way, the API is not paging")
                raise ApiError(
                    f"paging loop: page {self.pages} repeats page {self.pages - 1}{times}; "
                    f"the API ignores the paging parameters{shifting}"
                )
            self._previous_page = fingerprint
        whole = self._take_ids(records)
        if not self._params_sent:
            self._params_sent.add(_params_key(self.first()))
        following = self._next(response, body, records)
        if following is not None:
            # Only where another page would be asked: a last page of records read already
            # ends the read as any last page does.
            self._run_guard(records, whole)
        if following is not None:
            key = _params_key(following)
            if key in self._params_sent:
                raise ApiError(
                    f"paging loop: the next page token repeats after page {self.pages} (it "
                    "names a page already read)"
                )
            self._params_sent.add(key)
        return following


class SinglePagePaginator(Paginator):
    """One request, one page."""

    def first(self) -> dict[str, Any]:
        return {}

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        return None


class PageNumberPaginator(Paginator):
    """``page=1, 2, ...`` until the last page.

    The last page is the one the body says is last (``page_count``, e.g. Xero's
    ``pagination.pageCount``), else the first page shorter than ``size``, else an empty one.
    An empty page before the last the body counts is :class:`MissingRecords`: the records
    of that page were lost on the way, and ending there would take the stream for complete.
    """

    def __init__(
        self,
        *,
        page_param: str = "page",
        size_param: str | None = "pageSize",
        size: int = 100,
        start: int = 1,
        page_count: Callable[[Any], int | None] | None = None,
        id_field: str | None = None,
    ) -> None:
        super().__init__(id_field=id_field)
        if size < 1:
            raise ConfigError("page size must be at least 1")
        self.page_param = page_param
        self.size_param = size_param
        self.size = size
        self.page = start
        self.page_count = page_count

    def _params(self) -> dict[str, Any]:
        params: dict[str, Any] = {self.page_param: self.page}
        if self.size_param:
            params[self.size_param] = self.size
        return params

    def first(self) -> dict[str, Any]:
        return self._params()

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        count = self.page_count(body) if self.page_count else None
        if count is not None:
            if self.page >= count:
                return None
            if not records:
                raise MissingRecords(f"an empty list, though the API counts {count} pages")
        elif len(records) < self.size:
            return None
        self.page += 1
        return self._params()


class OffsetPaginator(Paginator):
    """``offset``/``limit`` paging (QuickBooks' STARTPOSITION): stops on a short page."""

    def __init__(
        self, *, offset_param: str, limit_param: str, limit: int = 100, start: int = 0
    ) -> None:
        super().__init__()
        if limit < 1:
            raise ConfigError("page size must be at least 1")
        self.offset_param = offset_param
        self.limit_param = limit_param
        self.limit = limit
        self.offset = start

    def first(self) -> dict[str, Any]:
        return {self.offset_param: self.offset, self.limit_param: self.limit}

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        if len(records) < self.limit:
            return None
        self.offset += len(records)
        return self.first()


class OverlapPaginator(Paginator):
    """Offset paging where the offset may name any place (QuickBooks' ``STARTPOSITION``,
    Jira's ``startAt``), each page after the first asked from the place of the last record
    read, one record more (:class:`PageOverlaps`): a list that moved before a page so that
    a record may have been missed stops the read with the :class:`SourceChanged` that
    ``moved`` makes of the failed :class:`Boundary` (which list, which page, which place).
    The records read already are left out of each page (:meth:`new_records`). Stops on a
    page shorter than asked.

    ``first_offset`` is the offset of the list's first place (1 for QuickBooks, 0 for
    Jira); ``largest`` the API's largest page; ``id_of`` a record's id (compared for
    equality only, never ordered).

    A page may repeat the one before (pages of 1: ``[7]``, then ``[7]`` from its place,
    the end of the list), so that is no loop here. The loop guard is instead a full page
    that held only records read already (:meth:`_loop_guard`); the offsets asked only grow.
    """

    repeats_guarded = False

    def __init__(
        self,
        *,
        offset_param: str,
        limit_param: str,
        limit: int,
        id_of: Callable[[Mapping[str, Any]], str],
        moved: Callable[[Boundary], SourceChanged],
        first_offset: int = 0,
        largest: int | None = None,
    ) -> None:
        super().__init__()
        self.overlaps = PageOverlaps(limit, largest=largest)
        self.offset_param = offset_param
        self.limit_param = limit_param
        self.id_of = id_of
        self.moved = moved
        self.first_offset = first_offset
        self._fresh: tuple[int, ...] | None = None
        self._previous_ids: list[str] | None = None

    def first(self) -> dict[str, Any]:
        return self._params()

    def _params(self) -> dict[str, Any]:
        place, count = self.overlaps.ask()
        return {self.offset_param: place - 1 + self.first_offset, self.limit_param: count}

    def take(self, records: Sequence[Mapping[str, Any]]) -> Overlap:
        """Take in a page's records; raise what ``moved`` makes when the page shows that
        records may have been missed."""
        ids = [self.id_of(r) for r in records]
        seen = self.overlaps.take(ids)
        if seen.moved is not None:
            raise self.moved(seen.moved)
        repeated, self._previous_ids = ids == self._previous_ids, ids
        self._loop_guard(seen, repeated=repeated)
        self._fresh = seen.fresh
        return seen

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        return self._params() if self.take(records).full else None

    def _loop_guard(self, seen: Overlap, *, repeated: bool = False) -> None:
        """Raise :class:`ApiError` for a full page after the first that held only records
        read already, or that ``repeated`` the page before id for id: the next one, asked
        further on, may bring the same again. An API that ignores the offset answers so for
        ever; a list pushed down by a whole page between two requests does so once (run the
        sync again). (A page asked from the last record of the one before repeats it only
        when all its records have one id: records without an id of their own and the same
        content, which the place rule of :meth:`PageOverlaps.take` would give again and
        again.)"""
        if seen.full and (not seen.fresh or repeated) and self.overlaps.number > 1:
            raise ApiError(
                f"paging loop: page {self.overlaps.number} held only records read already; "
                "the API ignores the paging parameters, or records joined the list before "
                "the page while it was read (then run the sync again)"
            )

    def new_records(self, records: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
        if self._fresh is None:
            return records
        return [records[at] for at in self._fresh]


class NextTokenPaginator(Paginator):
    """A token from each page names the next (Stripe's ``starting_after``, a ``next`` link).

    ``token`` reads it from the response, the decoded body and the records; None ends. It is
    asked on an empty page too (``records`` empty): an empty page that names a next one is
    :class:`MissingRecords` (the API counts it as not the last, so its records were lost on
    the way), never the end of the read. A ``token`` that can only say whether more follows
    from a page's records (the last id) raises :class:`MissingRecords` itself on an empty
    page whose body says more follows.
    """

    def __init__(
        self,
        *,
        param: str,
        token: Callable[[requests.Response, Any, Sequence[Mapping[str, Any]]], str | None],
        first_params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.param = param
        self.token = token
        self.first_params = dict(first_params or {})

    def first(self) -> dict[str, Any]:
        return dict(self.first_params)

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        token = self.token(response, body, records)
        if not records:
            if token is not None:
                raise MissingRecords("an empty list, though the page names a next one")
            return None
        return None if token is None else {**self.first_params, self.param: token}
