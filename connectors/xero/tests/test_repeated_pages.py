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
