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
from typing import Any

import requests

from clientguard.errors import ApiError, ConfigError, ErrorContext

__all__ = [
    "Boundary",
    "MissingRecords",
    "NextTokenPaginator",
    "OffsetPaginator",
    "PageBoundaries",
    "PageNumberPaginator",
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
    """A check due before a page of a list read by position is taken in: ``place`` (1-based,
    in the list's order) must still hold the record ``expected`` (its id), the last one
    read. The connector asks the API for that one place (a page of one record: QuickBooks'
    ``MAXRESULTS 1``, GitHub's ``per_page=1``, Xero Projects' ``pageSize=1``)."""

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


def _params_key(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)


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

    def __init__(self) -> None:
        self._previous_page: str | None = None
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
        if records:
            fingerprint = _fingerprint(records)
            if fingerprint == self._previous_page:
                raise ApiError(
                    f"paging loop: page {self.pages} repeats page {self.pages - 1}; the API "
                    "ignores the paging parameters"
                )
            self._previous_page = fingerprint
        if not self._params_sent:
            self._params_sent.add(_params_key(self.first()))
        following = self._next(response, body, records)
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
    ) -> None:
        super().__init__()
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
