"""A Xero page that repeats the one before: a list shifted by a whole page, read on.

Xero's Accounting lists are paged by position (``page``, ``pageSize``) in ID order (the
connector asks ``order=<ID> ASC``), and records join them mid-read at their ID's place: an
incremental read (``If-Modified-Since``) lists those changed since its cursor, so one edited
while the pages are read joins it; a new one joins a full read. ``pageSize`` of them (a bulk
edit: invoices approved or sent together) before the page being read push the next page onto
the one just read. Before, that first repeat stopped the read with "paging loop ... the API
ignores the paging parameters" and the invoices after it were never read. Now the read goes
on, the invoices read again unchanged are counted once and the sync says so; only the same
page three times in a row is a loop. Over real HTTP (pytest-httpserver).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import pull
from clientguard.errors import ApiError
from clientguard.model import Invoice

from .test_xero_sync import TENANT, FakeXero, Waits, connect, invoice, pages_query

WHERE = 'Type=="ACCREC"'


@pytest.fixture
def xero(httpserver: HTTPServer) -> Iterator[FakeXero]:
    yield FakeXero(httpserver)
    httpserver.check_assertions()  # no unexpected call, no expected call missing


@pytest.fixture
def waits() -> Waits:
    return Waits()


def test_a_page_shifted_by_a_whole_page_is_read_on_and_counted_once(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    # Page 1 is [inv-1, inv-2]; two invoices edited meanwhile join before them, so page 2 is
    # [inv-1, inv-2] again and page 3 (of 3) [inv-3].
    xero.connections((TENANT, "Demo Company (UK)"))
    for number, rows in ((1, [invoice(1), invoice(2)]), (2, [invoice(1), invoice(2)]),
                         (3, [invoice(3)])):
        xero.page("Invoices", "Invoices", rows, number, 3,
                  query=pages_query(number, where=WHERE))
    pulled = pull(connect(httpserver, waits), streams=["invoices"])
    assert [r.id for r in pulled.records if isinstance(r, Invoice)] == [
        "inv-1", "inv-2", "inv-3"]
    assert pulled.duplicates == 0  # left out by the read: not yielded twice
    assert pulled.notes == (
        "invoices: page 2 held only records read already, on page 1 or before (records "
        "added or edited while the pages were read moved the list down by a whole page): 2 "
        "of them unchanged, counted once; the read went on",)


def test_the_same_page_three_times_in_a_row_is_a_paging_loop(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    # A Xero (or a proxy) that ignores ?page= answers page 1 to every request: the third
    # time in a row stops the read (3 requests), with what to do.
    xero.connections((TENANT, "Demo Company (UK)"))
    for number in (1, 2, 3):
        xero.page("Invoices", "Invoices", [invoice(1), invoice(2)], number, 9,
                  query=pages_query(number, where=WHERE))
    with pytest.raises(ApiError) as caught:
        pull(connect(httpserver, waits), streams=["invoices"])
    assert "paging loop: page 3 repeats page 2 (3 times in a row)" in str(caught.value)
    assert TENANT not in str(caught.value)


def test_one_bulk_edit_of_two_pages_is_read_through(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    # Pages 1 and 2 are [inv-3, inv-4], [inv-5, inv-6]; one bulk edit then makes four older
    # invoices join the list before them (ID order), so pages 3 and 4 are pages 1 and 2
    # again, and page 5 (of 5) holds [inv-7]. Every invoice once, one note per page read
    # again. Before: page 4, a second page in a row of invoices read already, stopped the
    # read with "paging loop ... the API ignores the paging parameters", and inv-7 was lost.
    xero.connections((TENANT, "Demo Company (UK)"))
    first, second = [invoice(3), invoice(4)], [invoice(5), invoice(6)]
    for number, rows in ((1, first), (2, second), (3, first), (4, second),
                         (5, [invoice(7)])):
        xero.page("Invoices", "Invoices", rows, number, 5,
                  query=pages_query(number, where=WHERE))
    pulled = pull(connect(httpserver, waits), streams=["invoices"])
    assert [r.id for r in pulled.records if isinstance(r, Invoice)] == [
        "inv-3", "inv-4", "inv-5", "inv-6", "inv-7"]
    assert pulled.duplicates == 0
    assert [note.split(" (")[0] for note in pulled.notes] == [
        "invoices: page 3 held only records read already, on page 2 or before",
        "invoices: page 4 held only records read already, on page 3 or before"]


def test_a_cycle_of_pages_is_a_paging_loop_that_says_both_causes(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    # A proxy that answers page n with page ((n - 1) mod 3) + 1: pages 1-3, then 4-6 read
    # them again (a shift of three pages could do that), and page 7 is page 1's invoices
    # again: the run came back to a page it read, 7 requests. Before, such a cycle of three
    # pages stopped only because two pages in a row were read already; a cycle of four or
    # more was read for ever.
    xero.connections((TENANT, "Demo Company (UK)"))
    cycle = [[invoice(1), invoice(2)], [invoice(3), invoice(4)], [invoice(5), invoice(6)]]
    for number in range(1, 8):
        xero.page("Invoices", "Invoices", cycle[(number - 1) % 3], number, 99,
                  query=pages_query(number, where=WHERE))
    with pytest.raises(ApiError) as caught:
        pull(connect(httpserver, waits), streams=["invoices"])
    message = str(caught.value)
    assert "paging loop: pages 4 to 7 held only records read already" in message
    assert "the API ignores the paging parameters, or the list kept shifting" in message
    assert "run the sync again" in message
    assert TENANT not in message
