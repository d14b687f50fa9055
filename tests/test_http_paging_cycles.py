"""A next page that names a page already read, however many pages ago, stops the read: an
API whose tokens cycle (A, B, A, B, ...) would otherwise be read for ever, the same records
again and again. One scenario a row, on bare ``requests.Response`` objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
import requests

from clientguard.errors import ApiError
from clientguard.http import NextTokenPaginator, PageNumberPaginator


def response() -> requests.Response:
    return requests.Response()


def rows(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i} for i in ids]


def token_of(_r: requests.Response, body: Any, _records: Sequence[Mapping[str, Any]]) -> Any:
    return body.get("next")


@pytest.mark.parametrize(
    ("tokens", "stops_after"),
    [
        pytest.param(["t1", "t2", "t1"], 3, id="A B A: a cycle of two"),
        pytest.param(["t1", "t2", "t3", "t2"], 4, id="A B C B"),
        pytest.param(["t1", "t1"], 2, id="A A: the token repeats at once"),
    ],
)
def test_a_token_naming_a_page_already_read_stops_the_read(
    tokens: list[str], stops_after: int
) -> None:
    paginator = NextTokenPaginator(param="nextPageToken", token=token_of,
                                   first_params={"maxResults": 1})
    for page, token in enumerate(tokens[:-1], start=1):
        assert paginator.advance(response(), {"next": token}, rows(f"r{page}")) == {
            "maxResults": 1, "nextPageToken": token}
    with pytest.raises(ApiError, match="names a page already read"):
        paginator.advance(response(), {"next": tokens[-1]}, rows(f"r{stops_after}"))


def test_a_next_page_back_to_the_first_stops_the_read() -> None:
    # The first page was asked for without a token: a next page that asks for it again
    # (the same parameters) is a loop too.
    class BackToStart(NextTokenPaginator):
        def _next(self, response: requests.Response, body: Any,
                  records: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
            return dict(self.first_params) if body.get("again") else super()._next(
                response, body, records)

    paginator = BackToStart(param="t", token=token_of, first_params={"limit": 2})
    assert paginator.advance(response(), {"next": "b"}, rows("a")) == {"limit": 2, "t": "b"}
    with pytest.raises(ApiError, match="names a page already read"):
        paginator.advance(response(), {"again": True}, rows("c"))


def test_new_tokens_and_page_numbers_read_on_to_the_end() -> None:
    paginator = NextTokenPaginator(param="t", token=token_of)
    for page, token in enumerate(["a", "b", "c", "d"]):
        assert paginator.advance(response(), {"next": token}, rows(str(page))) == {"t": token}
    assert paginator.advance(response(), {"next": None}, rows("last")) is None
    numbered = PageNumberPaginator(size=1)
    for page in range(2, 7):
        assert numbered.advance(response(), {}, rows(str(page))) == {"page": page,
                                                                     "pageSize": 1}
