"""Documents that change while Fakturownia's pages are read (page numbers are positions).

A fake Fakturownia list over real HTTP (pytest-httpserver) serves ``GET /invoices.json`` as
the API pages it: ordered newest change first (``order=updated_at.desc``), ``page`` and
``per_page`` cut that order into pages, read at the moment of each request. A change (an
edit, a delete, an insert) is made right after a given request was answered. Which document
a read loses without the check is worked out by hand beside each row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.errors import ApiError
from clientguard.http import SourceChanged
from clientguard.model import Invoice
from clientguard.store import Store
from clientguard_fakturownia import FakturowniaConnector
from clientguard_fakturownia.connector import PageBoundary

TOKEN = "fk-TOKEN-paging-never-shown-31"
Documents = list[dict[str, Any]]


def document(ident: int, updated: str, gross: str = "100,00") -> dict[str, Any]:
    return {
        "id": ident, "number": f"FV/{ident}/2026", "kind": "vat", "status": "issued",
        "issue_date": "2026-07-01", "payment_to": "2026-07-15", "price_gross": gross,
        "paid": "0,00", "currency": "PLN", "client_id": 7, "updated_at": updated,
    }


def july(day: int) -> str:
    return f"2026-07-{day:02d}T10:00:00+02:00"


def five() -> Documents:
    """Invoices 1 (the latest change) to 5 (the oldest): pages of 2 are [1 2] [3 4] [5]."""
    return [document(i, july(20 - i)) for i in range(1, 6)]


class FakturowniaList:
    """``GET /invoices.json`` over ``documents``, newest change first (ties: higher id
    first), paged by ``page``/``per_page`` at each request; ``changes[n]`` is made to the
    documents right after request ``n`` (from 1) was answered."""

    def __init__(self, documents: Documents,
                 changes: dict[int, Callable[[Documents], None]] | None = None) -> None:
        self.documents = [dict(d) for d in documents]
        self.changes = changes or {}
        self.requests = 0

    def __call__(self, request: Request) -> Response:
        self.requests += 1
        page, size = int(request.args["page"]), int(request.args["per_page"])
        ordered = sorted(self.documents, key=lambda d: (d["updated_at"], d["id"]), reverse=True)
        body = json.dumps(ordered[(page - 1) * size:page * size])
        change = self.changes.get(self.requests)
        if change is not None:
            change(self.documents)
        return Response(body, content_type="application/json")


def edit(ident: int, updated: str, gross: str = "999,00") -> Callable[[Documents], None]:
    def change(documents: Documents) -> None:
        for d in documents:
            if d["id"] == ident:
                d.update(updated_at=updated, price_gross=gross)
    return change


def delete(ident: int) -> Callable[[Documents], None]:
    def change(documents: Documents) -> None:
        documents[:] = [d for d in documents if d["id"] != ident]
    return change


def insert(ident: int, updated: str) -> Callable[[Documents], None]:
    def change(documents: Documents) -> None:
        documents.append(document(ident, updated))
    return change


def sync(server: HTTPServer, store: Store, listing: FakturowniaList, *, full: bool = False,
         prune: bool = False) -> int:
    """One sync of the invoices stream (2 a page) against ``listing``; records removed."""
    server.clear()
    server.expect_request("/invoices.json").respond_with_handler(listing)
    connector = FakturowniaConnector(
        subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"), page_size=2,
        clock=lambda: datetime(2026, 9, 1, 12, 0, tzinfo=UTC), sleep=lambda seconds: None)
    return store.sync(connector, streams=["invoices"], full=full, prune=prune).removed


def stored(store: Store) -> dict[str, Decimal]:
    """Each stored invoice's total, by id."""
    return {r.id: r.total for r in store.records() if isinstance(r, Invoice)}


ALL_FIVE = {str(i): Decimal("100.00") for i in range(1, 6)}

# A change made after page 1 ([1 2]) was read, before page 2 is asked for.
STOPS = [
    # Invoice 5, not read yet, edited: it goes to page 1, and page 2 is [2 3]: 5 is never
    # read, and a pruned read dropped it.
    pytest.param(edit(5, "2026-08-30T10:00:00+02:00"), id="unread-edited"),
    # Invoice 1, read, deleted: page 2 is [4 5]; invoice 3, untouched, was never read and
    # a pruned read dropped it.
    pytest.param(delete(1), id="read-deleted"),
    # Invoice 9 added: page 2 is [2 3], page 3 [4 5]: invoice 2 read twice, 9 not at all.
    pytest.param(insert(9, "2026-08-30T10:00:00+02:00"), id="added"),
]


@pytest.mark.parametrize("prune", [False, True], ids=["no-prune", "prune"])
@pytest.mark.parametrize("change", STOPS)
def test_a_full_read_that_a_change_shifted_stops_and_removes_nothing(
    httpserver: HTTPServer, tmp_path: Path, change: Callable[[Documents], None], prune: bool,
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        sync(httpserver, store, FakturowniaList(five()))
        assert stored(store) == ALL_FIVE
        cursor = store.state("fakturownia").cursor("invoices")
        changed = FakturowniaList(five(), {1: change})
        with pytest.raises(SourceChanged) as caught:
            sync(httpserver, store, changed, full=True, prune=prune)
        assert stored(store) == ALL_FIVE  # nothing removed, nothing half-read kept
        assert store.state("fakturownia").cursor("invoices") == cursor
        message = str(caught.value)
        assert "run the sync again" in message
        assert "changed while they were read by page number" in message
        assert TOKEN not in message
        assert isinstance(caught.value, ApiError)
        # Run again: the list holds still this time, and the read is whole.
        sync(httpserver, store, FakturowniaList(changed.documents), full=True, prune=prune)
        expected = {str(d["id"]): Decimal(d["price_gross"].replace(",", "."))
                    for d in changed.documents}
        if not prune:  # a read without --prune keeps what the source deleted
            expected = {**ALL_FIVE, **expected}
        assert stored(store) == expected


@pytest.mark.parametrize(
    ("change", "after"),
    [
        # Invoice 5, on the last page, deleted: no page after it moves; a pruned read
        # removes it, as it should.
        (delete(5), {"1", "2", "3", "4"}),
        # Invoice 1, read, edited: it stays on page 1, the pages after it do not move.
        (edit(1, "2026-08-30T10:00:00+02:00"), {"1", "2", "3", "4", "5"}),
    ],
    ids=["unread-deleted", "read-edited"],
)
def test_a_change_that_moves_no_page_boundary_lets_the_full_read_end(
    httpserver: HTTPServer, tmp_path: Path, change: Callable[[Documents], None],
    after: set[str],
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        sync(httpserver, store, FakturowniaList(five()))
        sync(httpserver, store, FakturowniaList(five(), {1: change}), full=True, prune=True)
        assert set(stored(store)) == after


def test_each_page_after_the_first_is_checked_by_one_document_in_the_same_order(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    listing = FakturowniaList(five())
    with Store.open(tmp_path / "cg.db") as store:
        sync(httpserver, store, listing)
    sent = [{k: req.args.getlist(k) for k in req.args} for req, _ in httpserver.log]
    # Pages [1 2] [3 4] [5] [], each after the first followed by the place of the last
    # document of the page before (2 at place 2, 4 at place 4); the empty page follows a
    # short one (the list ended there) and needs none.
    assert [(a["page"], a["per_page"]) for a in sent] == [
        (["1"], ["2"]), (["2"], ["2"]), (["2"], ["1"]), (["3"], ["2"]), (["4"], ["1"]),
        (["4"], ["2"])]
    for a in sent:  # a place means something only in the order the pages are read in
        assert (a["order"], a["period"], a["kinds[]"]) == (
            ["updated_at.desc"], ["all"], sent[0]["kinds[]"])
    assert "vat" in sent[0]["kinds[]"]


def incremental_start() -> Documents:
    """Invoices 1 to 3 changed in August, after the cursor a July sync left; 4 and 5 not."""
    return [document(1, "2026-08-20T10:00:00+02:00", "110,00"),
            document(2, "2026-08-19T10:00:00+02:00", "120,00"),
            document(3, "2026-08-18T10:00:00+02:00", "130,00"),
            document(4, july(16)), document(5, july(15))]


def test_an_incremental_read_a_delete_shifted_stops_before_its_cursor_passes_a_change(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        sync(httpserver, store, FakturowniaList(five()))
        cursor = store.state("fakturownia").cursor("invoices")
        # Invoice 1 deleted after page 1 ([1 2]): page 2 is [4 5], older than the cursor, so
        # the read ended there without invoice 3 and moved the cursor to invoice 1's change,
        # after 3's: no later incremental sync read 3's 130.00.
        listing = FakturowniaList(incremental_start(), {1: delete(1)})
        with pytest.raises(SourceChanged):
            sync(httpserver, store, listing)
        assert store.state("fakturownia").cursor("invoices") == cursor
        sync(httpserver, store, FakturowniaList(listing.documents))
        assert stored(store)["3"] == Decimal("130.00")


def test_an_incremental_read_keeps_its_cursor_before_a_document_edited_during_it(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        sync(httpserver, store, FakturowniaList(five()))
        # Invoice 4 edited after page 1 ([1 2]): it goes to the top, page 2 is [2 3] (2 read
        # twice), page 3 [5] ends the read. 4's edit was not read, and need not stop the
        # read: its change is later than every change read, so the cursor stays before it.
        listing = FakturowniaList(
            incremental_start(), {1: edit(4, "2026-08-30T10:00:00+02:00", "140,00")})
        sync(httpserver, store, listing)
        assert stored(store) == {"1": Decimal("110.00"), "2": Decimal("120.00"),
                                 "3": Decimal("130.00"), "4": Decimal("100.00"),
                                 "5": Decimal("100.00")}
        sync(httpserver, store, FakturowniaList(listing.documents))
        assert stored(store)["4"] == Decimal("140.00")


# ----------------------------------------------------------------- the rule, as a property


def full_read(documents: list[tuple[int, int]], size: int, after: int,
              change: Callable[[list[tuple[int, int]]], None]) -> set[int] | None:
    """A full read of ``documents`` ((id, change time) pairs, newest change first) by pages
    of ``size`` with :class:`PageBoundary`, ``change`` made after request ``after``: the ids
    read, or None when the read stopped (SourceChanged)."""
    listing = list(documents)
    requests = 0

    def serve(page: int, per_page: int) -> list[int]:
        nonlocal requests
        ordered = [i for i, _ in sorted(listing, key=lambda d: (d[1], d[0]), reverse=True)]
        body = ordered[(page - 1) * per_page:page * per_page]
        requests += 1
        if requests == after:
            change(listing)
        return body

    boundary = PageBoundary(size=size, full=True, what="invoices")
    read: set[int] = set()
    number = 1
    try:
        while True:
            ids = serve(number, size)
            due = boundary.place_to_check([str(i) for i in ids])
            if due is not None:
                there = serve(due[0], 1)
                boundary.check(due[0], due[1], str(there[0]) if there else None)
            read.update(ids)
            if not ids:
                return read
            number += 1
    except SourceChanged:
        return None


@settings(max_examples=400, deadline=None)
@given(
    count=st.integers(0, 9), size=st.integers(1, 4), after=st.integers(1, 12),
    kind=st.sampled_from(["edit", "delete", "insert"]), which=st.integers(0, 8),
)
def test_a_full_read_that_ends_has_read_every_document_that_was_there_throughout(
    count: int, size: int, after: int, kind: str, which: int,
) -> None:
    documents = [(i, 100 - i) for i in range(1, count + 1)]
    target = documents[which % count][0] if count else 0

    def change(listing: list[tuple[int, int]]) -> None:
        if kind == "edit":
            listing[:] = [(i, 1000 if i == target else t) for i, t in listing]
        elif kind == "delete":
            listing[:] = [(i, t) for i, t in listing if i != target]
        else:
            listing.append((99, 1000))

    read = full_read(documents, size, after, change)
    if read is not None:
        # Every document there before and after the change was read (an edited one too:
        # a pruned read keeps it); a deleted one or an added one may or may not be.
        kept = {i for i, _ in documents} - ({target} if kind == "delete" else set())
        assert kept <= read
