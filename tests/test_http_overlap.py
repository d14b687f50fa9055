"""PageOverlaps and OverlapPaginator: a list paged by any offset, each page after the first
asked from the place of the last record read, one record more (clientguard.http.paging)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.errors import ApiError, ConfigError
from clientguard.http import Boundary, OverlapPaginator, PageOverlaps, SourceChanged

T = TypeVar("T")


def answer(items: Sequence[T], place: int, count: int) -> list[T]:
    """What an API that takes any place gives: ``count`` records from ``place`` (1-based)."""
    return list(items[place - 1:place - 1 + count])


# Each case: the list at each request (the list moves between two requests), the page size,
# the places and sizes asked, then what the last page showed. Worked out by hand.
CASES = [
    # Nothing moves: [a b] [b c d] [d e]: the later pages begin with the last one read.
    pytest.param([list("abcde")] * 3, 2, [(1, 2), (2, 3), (4, 3)], None, id="still"),
    # b (read) deleted after page 1: page 2 from place 2 is [c d e], c not read: moved.
    pytest.param([list("abcde"), list("acde")], 2, [(1, 2), (2, 3)], Boundary(2, 2, "b"),
                 id="read-deleted"),
    # c (not read) deleted after page 1: page 2 is [b d e]: nothing moved before b.
    pytest.param([list("abcde"), list("abde"), list("abde")], 2, [(1, 2), (2, 3), (4, 3)],
                 None, id="unread-deleted"),
    # x joins before b after page 1: page 2 is [a b c] (pushed down): fine, then [c d e].
    pytest.param([list("abcde"), list("xabcde"), list("xabcde")], 2,
                 [(1, 2), (2, 3), (4, 3)], None, id="joined"),
    # a deleted and x joined before b, both after page 1: b is still at place 2.
    pytest.param([list("abcde"), list("xbcde"), list("xbcde")], 2, [(1, 2), (2, 3), (4, 3)],
                 None, id="deleted-and-joined"),
    # The list lost its last two records after page 1: page 2 from place 2 is empty.
    pytest.param([list("ab"), list("a")], 2, [(1, 2), (2, 3)], Boundary(2, 2, "b"),
                 id="emptied"),
]


@pytest.mark.parametrize(("lists", "size", "asked", "moved"), CASES)
def test_pages_are_asked_from_the_last_record_read_and_a_moved_list_is_named(
    lists: list[list[str]], size: int, asked: list[tuple[int, int]], moved: Boundary | None,
) -> None:
    overlaps = PageOverlaps(size)
    sent: list[tuple[int, int]] = []
    for items in lists:
        place, count = overlaps.ask()
        sent.append((place, count))
        seen = overlaps.take(answer(items, place, count))
        if seen.moved is not None or not seen.full:
            break
    assert sent == asked
    assert seen.moved == moved


def test_the_records_read_on_an_earlier_page_are_left_out() -> None:
    overlaps = PageOverlaps(2)
    assert overlaps.take(["a", "b"]).fresh == (0, 1)
    # Pushed down by one that joined: [a b c] from place 2; only c is new.
    assert overlaps.take(["a", "b", "c"]).fresh == (2,)
    assert overlaps.ask() == (4, 3)  # c, the last one read, was at place 4


def test_a_record_after_the_last_one_read_is_new_even_with_an_id_read_before() -> None:
    # Two records with the same id that are two records: QuickBooks' Id-less ones with the
    # same content, known by it (/tmp/rev-http3/qbo_idless.py). The list 1, A, 3, A, 5 in
    # pages of 2, worked by hand: [1 A] from place 1; [A 3 A] from place 2 (A, the last
    # read, then 3 and the second A, after it: new); [A 5] from place 4 (the second A, the
    # last read, then 5). Before, the second A counted as read already and was never given.
    overlaps = PageOverlaps(2)
    assert overlaps.take(["1", "A"]).fresh == (0, 1)
    assert overlaps.ask() == (2, 3)
    assert overlaps.take(["A", "3", "A"]).fresh == (1, 2)
    assert overlaps.ask() == (4, 3)
    assert overlaps.take(["A", "5"]).fresh == (1,)
    # Pushed down by one that joined ([a b] then [a b c]): only what comes after b, the last
    # read, is new, as before.
    overlaps = PageOverlaps(2)
    overlaps.take(["a", "b"])
    assert overlaps.take(["a", "b", "c"]).fresh == (2,)


def test_the_largest_page_leaves_room_for_the_record_repeated() -> None:
    overlaps = PageOverlaps(1000, largest=1000)
    assert overlaps.ask() == (1, 1000)
    overlaps.take([str(i) for i in range(1, 1001)])
    assert overlaps.ask() == (1000, 1000)  # 999 new records a page, never 1,001 asked
    with pytest.raises(ConfigError):
        PageOverlaps(1, largest=1)


@settings(max_examples=300, deadline=None)
@given(labels=st.lists(st.sampled_from(["1", "2", "A", "B"]), max_size=9),
       size=st.integers(1, 3))
def test_a_still_list_is_read_whole_and_in_order_whatever_repeats_in_it(
    labels: list[str], size: int,
) -> None:
    # Records known by ids that may repeat in the list (QuickBooks' Id-less records are
    # known by their content: two alike have one id). Nothing changes while it is read: the
    # records given are the list itself, each place once, in order. Before, a repeated id
    # after the first was never given.
    overlaps = PageOverlaps(size)
    read: list[str] = []
    for _ in range(40):
        place, asked = overlaps.ask()
        page = labels[place - 1:place - 1 + asked]
        seen = overlaps.take(page)
        assert seen.moved is None
        read.extend(page[at] for at in seen.fresh)
        if not seen.full:
            break
    assert read == labels


@settings(max_examples=400, deadline=None)
@given(
    count=st.integers(0, 8), size=st.integers(1, 3),
    changes=st.lists(st.tuples(st.sampled_from(["delete", "join", "append"]),
                               st.integers(0, 9), st.integers(0, 6)), max_size=4),
)
def test_a_read_that_ends_has_read_every_record_in_its_list_throughout(
    count: int, size: int, changes: list[tuple[str, int, int]],
) -> None:
    # A list in an order no edit changes (ids 10, 20, ...); before any request, a record
    # may be deleted, join at a free place (an edit that brings it into the list) or be
    # appended (created). A read that ends has read every record that was in the list at
    # every request; one that stops raised (SourceChanged), as the paginator does.
    items = [10 * i for i in range(1, count + 1)]
    start = set(items)
    kept = set(items)
    overlaps = PageOverlaps(size)
    read: list[str] = []
    for request in range(40):
        for kind, which, when in changes:
            if when != request:
                continue
            if kind == "delete" and items:
                gone = items.pop(which % len(items))
                kept.discard(gone)
            elif kind == "join":
                free = 10 * (which % 9) + 5  # between two ids: joins before a later one
                if free not in items:
                    items = sorted([*items, free])
            else:
                items.append(items[-1] + 10 if items else 10)
        place, asked = overlaps.ask()
        page = [str(i) for i in answer(items, place, asked)]
        seen = overlaps.take(page)
        if seen.moved is not None:
            return  # stopped: nothing pruned, the cursor kept
        read.extend(page[at] for at in seen.fresh)
        if not seen.full:
            break
    else:
        pytest.fail("the read did not end in 40 requests")
    assert {str(i) for i in start & kept} <= set(read)
    assert len(read) == len(set(read))  # each record given once


OK = requests.Response()
OK.status_code = 200


def paginator(size: int) -> OverlapPaginator:
    def moved(boundary: Boundary) -> SourceChanged:
        return SourceChanged(f"page {boundary.page} moved at place {boundary.place}")

    return OverlapPaginator(offset_param="start", limit_param="max", limit=size,
                            id_of=lambda r: str(r["id"]), moved=moved, first_offset=0)


def records(*ids: int) -> list[Mapping[str, Any]]:
    return [{"id": i} for i in ids]


def test_the_paginator_asks_offsets_from_the_last_record_read_and_gives_each_record_once() -> None:
    pages = paginator(2)
    assert pages.first() == {"start": 0, "max": 2}
    following = pages.advance(OK, None, records(1, 2))
    assert following == {"start": 1, "max": 3}  # record 2's offset (0-based), one more
    assert list(pages.new_records(records(1, 2))) == records(1, 2)
    # [2 3 4]: 2 read already, left out; full: the next page from record 4 (offset 3).
    page = records(2, 3, 4)
    assert pages.advance(OK, None, page) == {"start": 3, "max": 3}
    assert list(pages.new_records(page)) == records(3, 4)
    # [4] alone: shorter than asked, the end; nothing new. A page of 1 may repeat the one
    # before (no paging loop).
    assert pages.advance(OK, None, records(4)) is None
    assert list(pages.new_records(records(4))) == []


def test_the_paginator_stops_a_moved_list_and_a_page_of_records_read_only() -> None:
    pages = paginator(2)
    pages.advance(OK, None, records(1, 2))
    with pytest.raises(SourceChanged, match="page 2 moved at place 2"):
        pages.advance(OK, None, records(3, 4, 5))
    # An API that ignores the offset gives [1 2 3] again and again: a loop, not a read.
    pages = paginator(2)
    pages.advance(OK, None, records(1, 2))
    pages.advance(OK, None, records(1, 2, 3))
    with pytest.raises(ApiError, match="paging loop"):
        pages.advance(OK, None, records(1, 2, 3))


def test_an_api_ignoring_the_offset_stops_even_on_records_alike() -> None:
    # A list that begins with two records alike (one id: Id-less, the same content) from an
    # API that ignores the offset: [1 A A] again and again. The A after the furthest one read
    # would be new by its place on every page: the page repeating the one before, id for id,
    # is the loop (3 requests, not for ever).
    pages = paginator(2)
    pages.advance(OK, None, records(1, 7))
    pages.advance(OK, None, records(1, 7, 7))
    with pytest.raises(ApiError, match="paging loop"):
        pages.advance(OK, None, records(1, 7, 7))
