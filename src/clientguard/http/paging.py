"""Paginators: the paging state of one read of one stream, and the loop guards.

Built fresh for every read; pure over the responses they are shown (no client, no I/O).
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import requests

from clientguard.errors import ApiError, ConfigError

__all__ = [
    "NextTokenPaginator",
    "OffsetPaginator",
    "PageNumberPaginator",
    "Paginator",
    "SinglePagePaginator",
]


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
        self._previous_params: Mapping[str, Any] | None = None
        self.pages = 0

    @abstractmethod
    def first(self) -> dict[str, Any]:
        """Paging parameters of the first request."""

    @abstractmethod
    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        """Paging parameters of the next request, or None when done."""

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
        following = self._next(response, body, records)
        if following is not None and following == self._previous_params:
            raise ApiError(f"paging loop: the next page token repeats after page {self.pages}")
        self._previous_params = following
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
        if not records:
            return None
        count = self.page_count(body) if self.page_count else None
        if count is not None:
            if self.page >= count:
                return None
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

    ``token`` reads it from the response, the decoded body and the records; None ends.
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
        if not records:
            return None
        token = self.token(response, body, records)
        return None if token is None else {**self.first_params, self.param: token}
