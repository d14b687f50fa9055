"""Records deleted in QuickBooks while a query's pages are read (STARTPOSITION is a position).

A fake QuickBooks over real HTTP (pytest-httpserver) answers ``GET query`` as Intuit pages
it: the statement's entity, its ``MetaData.LastUpdatedTime >=`` bound, ``ORDERBY Id``, then
``STARTPOSITION`` (1-based) and ``MAXRESULTS`` cut that list, read at the moment of each
request. A deleted record leaves the list (QuickBooks drops deleted entities from query
results, test_deletions.py); ``changes[n]`` is made right after query request ``n`` was
answered. Each page after the first is asked from the place of the last record read, one
more (``STARTPOSITION <place> MAXRESULTS <size + 1>``). Which record a read loses without
that check is worked out by hand beside each case (docs/connectors/quickbooks.md, "Paging
and incremental sync").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError
from clientguard.http import SourceChanged
from clientguard.model import Invoice, Payment
from clientguard.store import Store
from clientguard_quickbooks import QuickBooksConnector

from .conftest import Clock

REALM = "4620816365178199"
TOKEN = "access-token-paging-5512"
QUERY = f"/v3/company/{REALM}/query"
CDC = f"/v3/company/{REALM}/cdc"
APRIL = "2026-04-01T10:00:00-07:00"
MAY = "2026-05-10T10:00:00-07:00"
Entities = dict[str, list[dict[str, Any]]]


def invoice(ident: int, balance: int, updated: str = APRIL) -> dict[str, Any]:
    return {"Id": str(ident), "DocNumber": f"10{ident}", "TxnDate": "2026-04-01",
            "DueDate": "2026-05-01", "TotalAmt": 100, "Balance": balance,
            "CustomerRef": {"value": "7"}, "CurrencyRef": {"value": "USD"},
            "MetaData": {"CreateTime": APRIL, "LastUpdatedTime": updated}}


def payment(ident: int, invoice_id: int, updated: str = APRIL) -> dict[str, Any]:
    return {"Id": str(ident), "TxnDate": "2026-04-20", "TotalAmt": 100, "UnappliedAmt": 0,
            "CustomerRef": {"value": "7"}, "CurrencyRef": {"value": "USD"},
            "Line": [{"Amount": 100,
                      "LinkedTxn": [{"TxnId": str(invoice_id), "TxnType": "Invoice"}]}],
            "MetaData": {"CreateTime": APRIL, "LastUpdatedTime": updated}}


class QuickBooksLists:
    """``GET query`` over ``entities`` (ordered by Id, as numbers), ``GET cdc`` reporting
    ``deleted`` (entity to ids); ``changes[n]`` is made right after query request ``n``."""

    def __init__(self, entities: Entities,
                 changes: dict[int, Callable[[Entities], None]] | None = None,
                 deleted: dict[str, list[str]] | None = None) -> None:
        self.entities = {name: [dict(e) for e in items] for name, items in entities.items()}
        self.changes = changes or {}
        self.deleted = deleted or {}
        self.requests = 0
        self.statements: list[str] = []

    def query(self, request: Request) -> Response:
        self.requests += 1
        statement = request.args["query"]
        self.statements.append(statement)
        entity = statement.split(" FROM ")[1].split()[0]
        items = sorted(self.entities.get(entity, []), key=lambda e: int(e["Id"]))
        since = re.search(r"MetaData\.LastUpdatedTime >= '([^']+)'", statement)
        if since is not None:
            bound = datetime.fromisoformat(since.group(1))
            items = [e for e in items
                     if datetime.fromisoformat(e["MetaData"]["LastUpdatedTime"]) >= bound]
        start, size = (int(n) for n in statement.split(" STARTPOSITION ")[1].split(" MAXRESULTS "))
        found = items[start - 1:start - 1 + size]
        body = {"QueryResponse": {entity: found, "startPosition": start,
                                  "maxResults": len(found)} if found else {},
                "time": "2026-05-20T05:00:00.000-07:00"}
        change = self.changes.get(self.requests)
        if change is not None:
            change(self.entities)
        return Response(json.dumps(body), content_type="application/json")

    def cdc(self, request: Request) -> Response:
        entity = request.args["entities"]
        objects = [{"status": "Deleted", "domain": "QBO", "Id": i,
                    "MetaData": {"LastUpdatedTime": MAY}} for i in self.deleted.get(entity, [])]
        answer: dict[str, Any] = {"startPosition": 1, "maxResults": len(objects)}
        if objects:
            answer[entity] = objects
        return Response(json.dumps({"CDCResponse": [{"QueryResponse": [answer]}],
                                    "time": "2026-05-20T05:00:00.000-07:00"}),
                        content_type="application/json")

    def serve(self, server: HTTPServer) -> QuickBooksLists:
        server.clear()
        server.expect_request(QUERY).respond_with_handler(self.query)
        server.expect_request(CDC).respond_with_handler(self.cdc)
        return self


def delete(entity: str, ident: int) -> Callable[[Entities], None]:
    def change(entities: Entities) -> None:
        entities[entity] = [e for e in entities[entity] if e["Id"] != str(ident)]
    return change


def connector(server: HTTPServer, now: datetime, **options: Any) -> QuickBooksConnector:
    clock = Clock()
    return QuickBooksConnector(
        realm_id=REALM, access_token=TOKEN, base_url=server.url_for("/"), clock=lambda: now,
        sleep=clock.sleep, monotonic=clock, home_currency="USD", time_activities=False,
        page_size=2, **options)


FIRST = datetime(2026, 5, 1, 12, tzinfo=UTC)
SECOND = datetime(2026, 5, 20, 12, tzinfo=UTC)


def due(store: Store) -> dict[str, Decimal | None]:
    """Each stored invoice's amount due, by id."""
    return {i.id: i.amount_due for i in store.load(base_currency="USD").invoices}


def stored_payments(store: Store) -> set[str]:
    return {r.id for r in store.records() if isinstance(r, Payment)}


# --------------------------------------------------------------- the reviewer's two cases


def test_an_invoice_deleted_between_two_pages_stops_the_incremental_read_before_its_cursor(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        QuickBooksLists({"Invoice": [invoice(i, 100) for i in (1, 2, 3, 4)]}).serve(httpserver)
        store.sync(connector(httpserver, FIRST), streams=["invoices"])
        cursor = store.state("quickbooks").cursor("invoices")
        assert due(store) == {str(i): Decimal(100) for i in (1, 2, 3, 4)}

        # In May all four are paid (Balance 0, changed after the cursor), and invoice 2 is
        # deleted right after page 1 ([1 2]) was read: page 2, asked from invoice 2's place
        # (STARTPOSITION 2), is then [3 4], not beginning with an invoice read. Without a
        # check the read ended (page 2 at STARTPOSITION 3 was [4]): invoice 3's payment was
        # never read, the cursor moved past it, and invoice 3 stayed open at 100 through
        # every later incremental sync.
        paid = [invoice(i, 0, MAY) for i in (1, 2, 3, 4)]
        lists = QuickBooksLists({"Invoice": paid}, {1: delete("Invoice", 2)},
                                deleted={"Invoice": ["2"]}).serve(httpserver)
        with pytest.raises(SourceChanged) as caught:
            store.sync(connector(httpserver, SECOND), streams=["invoices"])
        message = str(caught.value)
        assert "run the sync again" in message
        assert "place 2" in message  # the last invoice page 1 gave (2) was at place 2
        assert TOKEN not in message
        assert REALM not in message
        assert isinstance(caught.value, ApiError)
        assert store.state("quickbooks").cursor("invoices") == cursor

        # Run again: the list holds still, invoice 3's payment is read and 2 leaves the store.
        QuickBooksLists(lists.entities, deleted={"Invoice": ["2"]}).serve(httpserver)
        store.sync(connector(httpserver, SECOND), streams=["invoices"])
        assert due(store) == {"1": Decimal(0), "3": Decimal(0), "4": Decimal(0)}


@pytest.mark.parametrize("prune", [False, True], ids=["no-prune", "prune"])
def test_a_full_read_an_invoice_deleted_between_two_pages_stops_and_removes_nothing(
    httpserver: HTTPServer, tmp_path: Path, prune: bool,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        four = [invoice(i, 100) for i in (1, 2, 3, 4)]
        QuickBooksLists({"Invoice": four}).serve(httpserver)
        store.sync(connector(httpserver, FIRST), streams=["invoices"])
        # Invoice 2 deleted right after page 1 ([1 2]): page 2 from place 2 is [3 4]. Without
        # a check, a --full --prune sync removed invoice 3, live and open in QuickBooks, and
        # kept 2.
        lists = QuickBooksLists({"Invoice": four}, {1: delete("Invoice", 2)}).serve(httpserver)
        with pytest.raises(SourceChanged):
            store.sync(connector(httpserver, SECOND), streams=["invoices"], full=True,
                       prune=prune)
        assert due(store) == {str(i): Decimal(100) for i in (1, 2, 3, 4)}

        QuickBooksLists(lists.entities).serve(httpserver)
        store.sync(connector(httpserver, SECOND), streams=["invoices"], full=True, prune=prune)
        kept = (1, 3, 4) if prune else (1, 2, 3, 4)  # a read without --prune removes nothing
        assert due(store) == {str(i): Decimal(100) for i in kept}


def test_a_full_read_of_payments_a_deletion_shifted_stops_and_prunes_no_live_payment(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        # Payments 11 to 14 each pay invoice 1 to 4 in full.
        payments = [payment(11 + i, 1 + i) for i in range(4)]
        QuickBooksLists({"Payment": payments}).serve(httpserver)
        store.sync(connector(httpserver, FIRST), streams=["payments"])
        assert stored_payments(store) == {"11", "12", "13", "14"}
        # Payment 12 deleted after page 1 ([11 12]): page 2 from place 2 is [13 14]. Without
        # a check, the pruned read removed payment 13, still in QuickBooks, and invoice 3
        # read unpaid from then on.
        lists = QuickBooksLists({"Payment": payments}, {1: delete("Payment", 12)})
        lists.serve(httpserver)
        with pytest.raises(SourceChanged) as caught:
            store.sync(connector(httpserver, SECOND), streams=["payments"], full=True,
                       prune=True)
        assert "Payment" in str(caught.value)
        assert stored_payments(store) == {"11", "12", "13", "14"}

        QuickBooksLists(lists.entities).serve(httpserver)
        store.sync(connector(httpserver, SECOND), streams=["payments"], full=True, prune=True)
        assert stored_payments(store) == {"11", "13", "14"}


# ------------------------------------------------------------- which changes stop a read


def edit(entity: str, ident: int) -> Callable[[Entities], None]:
    """The record changed in May: it joins an incremental read's list at its Id."""
    def change(entities: Entities) -> None:
        for e in entities[entity]:
            if e["Id"] == str(ident):
                e["Balance"] = 0
                e["MetaData"] = {**e["MetaData"], "LastUpdatedTime": MAY}
    return change


# Invoices 1 to 6 of 100; 3 to 6 paid in May (after the April cursor), 1 and 2 not changed:
# an incremental read's list is [3 4 5 6]: page 1 [3 4], then page 2 from invoice 4's place
# (STARTPOSITION 2 MAXRESULTS 3), [4 5 6]. One change right after page 1.
CHANGES = [
    # Invoice 3, read, deleted: page 2 is [5 6]; without a check, 5 (paid) is never read.
    pytest.param(delete("Invoice", 3), ["3"], SourceChanged, id="read-deleted"),
    # Invoice 4, the last one read, deleted: page 2 is [5 6]; 5 may have slid onto page 1.
    pytest.param(delete("Invoice", 4), ["4"], SourceChanged, id="last-read-deleted"),
    # Invoice 5, not read yet, deleted: page 2 is [4 6], beginning with invoice 4: nothing
    # moved before it, and the read ends whole (CDC reports 5 deleted).
    pytest.param(delete("Invoice", 5), ["5"], None, id="unread-deleted"),
    # Invoice 1 paid in May while the pages are read: it joins the list before page 2,
    # which is [3 4 5] (pushed down: 3 and 4 read already are left out), then [5 6]: nothing
    # lost, and the read ends (1's payment is after the cursor this read leaves: the next
    # sync reads it).
    pytest.param(edit("Invoice", 1), [], None, id="unread-edited-joins"),
]


@pytest.mark.parametrize(("change", "deleted", "raised"), CHANGES)
def test_only_a_change_that_moved_the_next_page_stops_an_incremental_read(
    httpserver: HTTPServer, tmp_path: Path, change: Callable[[Entities], None],
    deleted: list[str], raised: type[Exception] | None,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        QuickBooksLists({"Invoice": [invoice(i, 100) for i in range(1, 7)]}).serve(httpserver)
        store.sync(connector(httpserver, FIRST), streams=["invoices"])
        start = [invoice(i, 100) for i in (1, 2)] + [invoice(i, 0, MAY) for i in (3, 4, 5, 6)]
        lists = QuickBooksLists({"Invoice": start}, {1: change}, deleted={"Invoice": deleted})
        lists.serve(httpserver)
        if raised is not None:
            with pytest.raises(raised):
                store.sync(connector(httpserver, SECOND), streams=["invoices"])
            QuickBooksLists(lists.entities, deleted=lists.deleted).serve(httpserver)
        store.sync(connector(httpserver, SECOND), streams=["invoices"])
        # Invoices 3 to 6 paid in May read paid, but the one deleted, which left the store;
        # 1 and 2 stay open (1's payment, made during the read, is the next sync's).
        expected = {str(i): Decimal(100) for i in (1, 2)} | {
            str(i): Decimal(0) for i in (3, 4, 5, 6) if str(i) not in deleted}
        assert due(store) == expected


# ------------------------------------------------- a deletion and a joining edit, two requests


def test_a_deletion_before_a_page_and_an_edit_that_joins_before_the_next_request_stop_the_read(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        QuickBooksLists({"Invoice": [invoice(i, 100) for i in range(1, 8)]}).serve(httpserver)
        store.sync(connector(httpserver, FIRST), streams=["invoices"])
        # In May invoices 2 to 7 are paid; invoice 1 is not changed (not in the incremental
        # list, [2 3 4 5 6 7]). Page 1 is [2 3]; right after it, invoice 2 is deleted
        # ([3 4 5 6 7]), and right after the next request invoice 1 is edited, joining the
        # list at the front ([1 3 4 5 6 7]).
        # Before, page 2 (STARTPOSITION 3) was [5 6] (invoice 4 slid onto page 1), then the
        # separate check of place 2 found invoice 3, the last one read, pushed back there by
        # invoice 1: it passed, and invoice 4's payment was never read. Its change is older
        # than the cursor the read left, so invoice 4 stayed open at 100 for good.
        # Now page 2 is asked from invoice 3's place (STARTPOSITION 2 MAXRESULTS 3) and is
        # [4 5 6]: it begins with no invoice read, so the read stops.
        paid = [invoice(1, 100)] + [invoice(i, 0, MAY) for i in range(2, 8)]
        lists = QuickBooksLists({"Invoice": paid},
                                {1: delete("Invoice", 2), 2: edit("Invoice", 1)},
                                deleted={"Invoice": ["2"]}).serve(httpserver)
        cursor = store.state("quickbooks").cursor("invoices")
        with pytest.raises(SourceChanged):
            store.sync(connector(httpserver, SECOND), streams=["invoices"])
        assert store.state("quickbooks").cursor("invoices") == cursor
        assert lists.requests == 2  # page 1, then page 2 with its own check: no third

        # Run again (the list holds still, invoice 1 now in it): invoice 4 reads paid, and
        # invoice 1 too (changed in May); 2 left the store (CDC).
        QuickBooksLists(lists.entities, deleted={"Invoice": ["2"]}).serve(httpserver)
        store.sync(connector(httpserver, SECOND), streams=["invoices"])
        assert due(store) == {str(i): Decimal(0) for i in (1, 3, 4, 5, 6, 7)}


def test_a_read_of_2500_records_in_pages_of_1000_takes_three_requests(
    httpserver: HTTPServer,
) -> None:
    # STARTPOSITION 1 MAXRESULTS 1000 (1..1000), then from the last one read at most 1000
    # (QuickBooks' largest page): 1000..1999, then 1999..2500 (502, short: the end). Before,
    # five: 1, 1001 and 2001, and a check of places 1000 and 2000.
    lists = QuickBooksLists({"Invoice": [invoice(i, 100) for i in range(1, 2501)]})
    lists.serve(httpserver)
    clock = Clock()
    conn = QuickBooksConnector(
        realm_id=REALM, access_token=TOKEN, base_url=httpserver.url_for("/"),
        clock=lambda: SECOND, sleep=clock.sleep, monotonic=clock, home_currency="USD",
        time_activities=False, change_data_capture=False)
    pulled = pull(conn, streams=["invoices"])
    assert sorted(int(r.id) for r in pulled.records if isinstance(r, Invoice)) == list(
        range(1, 2501))
    assert len(pulled.records) == 2500  # the records read twice (1000, 1999) given once
    assert [q.split(" ORDERBY Id ")[1] for q in lists.statements] == [
        "STARTPOSITION 1 MAXRESULTS 1000", "STARTPOSITION 1000 MAXRESULTS 1000",
        "STARTPOSITION 1999 MAXRESULTS 1000"]


# ----------------------------------------------------------------- the rule, as a property


def create(ident: int) -> Callable[[Entities], None]:
    """A new invoice, paid in May: QuickBooks gives it the next Id (the end of the list)."""
    def change(entities: Entities) -> None:
        entities["Invoice"].append(invoice(ident, 0, MAY))
    return change


def one_after_another(*changes: Callable[[Entities], None]) -> Callable[[Entities], None]:
    def change(entities: Entities) -> None:
        for made in changes:
            made(entities)
    return change


WHICH = st.integers(0, 3)
"""Which one of the invoices a change picks (in the list it picks from)."""
AFTER = st.integers(1, 3)
"""Right after which query request a change is made."""


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(0, 7), changed=st.lists(st.booleans(), min_size=7, max_size=7),
    size=st.integers(1, 3), deleted=st.tuples(WHICH, AFTER), edited=st.tuples(WHICH, AFTER),
    created=st.none() | AFTER, incremental=st.booleans(),
)
# The race a boundary checked by a request of its own missed: invoices 2 to 7 paid, 1 not;
# 2 deleted after page 1 ([2 3]), 1 edited (joining before the boundary) after page 2.
@example(count=7, changed=[False] + [True] * 6, size=2, deleted=(0, 1), edited=(0, 2),
         created=None, incremental=True)
def test_a_read_that_ends_has_read_every_record_that_was_in_its_list_throughout(
    httpserver: HTTPServer, count: int, changed: list[bool], size: int,
    deleted: tuple[int, int], edited: tuple[int, int], created: int | None,
    incremental: bool,
) -> None:
    # Invoices 1..count, those marked changed paid in May; an incremental read (cursor in
    # late April) selects those, a full read all. Three changes, each made right after the
    # query request it names (1 to 3), in any order: a deletion of one of the read's list
    # (it leaves the list), an edit of one not changed (paid: it joins an incremental list
    # at its Id) and perhaps a new invoice (the end of the list). A change after the read's
    # last request changes nothing it sees.
    invoices = [invoice(i, 0, MAY) if changed[i - 1] else invoice(i, 100)
                for i in range(1, count + 1)]
    listed = [i for i in range(1, count + 1) if changed[i - 1] or not incremental]
    unchanged = [i for i in range(1, count + 1) if not changed[i - 1]]
    made: dict[int, list[Callable[[Entities], None]]] = {}
    if listed:
        made.setdefault(deleted[1], []).append(
            delete("Invoice", listed[deleted[0] % len(listed)]))
    if unchanged:
        made.setdefault(edited[1], []).append(
            edit("Invoice", unchanged[edited[0] % len(unchanged)]))
    if created is not None:
        made.setdefault(created, []).append(create(count + 1))
    changes = {after: one_after_another(*them) for after, them in made.items()}
    lists = QuickBooksLists({"Invoice": invoices}, changes).serve(httpserver)
    cursor = datetime(2026, 4, 30, tzinfo=UTC)
    state = SyncState({"invoices": cursor}) if incremental else None

    def selected(entities: Entities) -> set[str]:
        return {e["Id"] for e in entities["Invoice"]
                if not incremental or e["MetaData"]["LastUpdatedTime"] == MAY}

    before = selected({"Invoice": invoices})
    clock = Clock()
    conn = QuickBooksConnector(
        realm_id=REALM, access_token=TOKEN, base_url=httpserver.url_for("/"),
        clock=lambda: SECOND, sleep=clock.sleep, monotonic=clock, home_currency="USD",
        time_activities=False, change_data_capture=False, page_size=size)
    try:
        pulled = pull(conn, state, streams=["invoices"])
    except ApiError:
        # Stopped, nothing pruned, the cursor kept: SourceChanged, or (pages of 1) the guard
        # against a full page of records read already, which edits that join the list
        # before the page make.
        return
    read = [r.id for r in pulled.records if isinstance(r, Invoice)]
    # Every invoice in the list from the first request to the last was read, and once.
    assert before & selected(lists.entities) <= set(read)
    assert len(read) == len(set(read))


# --------------------------------------------------------------- a record without an Id


def customer(ident: str | None, name: str) -> dict[str, Any]:
    raw: dict[str, Any] = {"DisplayName": name, "Active": True,
                           "MetaData": {"CreateTime": APRIL, "LastUpdatedTime": APRIL}}
    if ident is not None:
        raw["Id"] = ident
    return raw


@pytest.mark.parametrize("second", ["Bert", "Anna"], ids=["different", "the same content"])
def test_records_without_an_id_on_later_pages_are_each_rejected_not_dropped(
    httpserver: HTTPServer, second: str
) -> None:
    # Five customers, two of them (Anna, Bert) without an Id, cut by STARTPOSITION and
    # MAXRESULTS as QuickBooks does. Pages of 2, each later page asked from the place of the
    # last record read, one more (worked by hand):
    #   page 1: places 1-2 -> 1, Anna;   page 2: places 2-4 -> Anna, 3, Bert;
    #   page 3: places 4-6 -> Bert, 5 (short: the end).
    # Both Id-less records are rejected, each once, naming the missing Id: before, both read
    # as id "None", so Bert (new on page 2) counted as read already and was dropped unseen.
    # Two with the same content (a second "Anna") are known by the same content: the second
    # comes after Anna's place on page 2 (the last read), so it is new there; before, it
    # counted as read already and was dropped unseen (/tmp/rev-http3/qbo_idless.py).
    listed = [customer("1", "One"), customer(None, "Anna"), customer("3", "Three"),
              customer(None, second), customer("5", "Five")]

    def query(request: Request) -> Response:
        statement = request.args["query"]
        start, size = (int(n) for n in statement.split(" STARTPOSITION ")[1].split(" MAXRESULTS "))
        found = listed[start - 1:start - 1 + size]
        body = {"QueryResponse": {"Customer": found, "startPosition": start,
                                  "maxResults": len(found)},
                "time": "2026-05-20T05:00:00.000-07:00"}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request(QUERY).respond_with_handler(query)
    pulled = pull(connector(httpserver, FIRST), streams=["customers"])
    assert sorted(str(r.id) for r in pulled.records) == ["1", "3", "5"]
    rejected = sorted(((r.record["DisplayName"], r.record_id, r.reason)  # type: ignore[index]
                       for r in pulled.rejected), key=lambda found: str(found[0]))
    assert [(name, ident) for name, ident, _ in rejected] == sorted(
        [("Anna", None), (second, None)], key=lambda found: str(found[0]))
    assert all("Id" in reason and "missing" in reason for _, _, reason in rejected)
