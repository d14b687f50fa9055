"""Invoices, payments and credit memos deleted in QuickBooks leave the store on the next
incremental sync, through QuickBooks' change data capture (CDC).

Intuit's ChangeDataCapture reference: ``GET /v3/company/<realmID>/cdc?entities=<entityList>
&changedSince=<dateTime>`` answers ``{"CDCResponse": [{"QueryResponse": [{"<Entity>": [...]}]}]}``;
a deleted object is ``{"status": "Deleted", "domain": "QBO", "Id": "979", "MetaData":
{"LastUpdatedTime": ...}}``, listed after the active ones; "Look-back time can be up to 30
days"; "A given CDC request returns a maximum of 1000 objects". Deleted entities vanish from
queries (intuit/QuickBooks-V3-PHP-SDK #167): before CDC, an incremental sync kept them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import Pulled, SyncState, pull
from clientguard.errors import ApiError
from clientguard.http import MissingRecords
from clientguard.settlement import settle
from clientguard.store import Store
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.cdc import CDC_REACH, cdc_window, changed_entities

from .conftest import Clock

REALM = "4620816365178199"
TOKEN = "access-token-cdc-7781"
QUERY = f"/v3/company/{REALM}/query"
CDC = f"/v3/company/{REALM}/cdc"
DELETED = "deleted in QuickBooks (change data capture)"


def invoice(ident: str, balance: int, updated: str, total: int = 100) -> dict[str, Any]:
    return {"Id": ident, "DocNumber": f"10{ident}", "TxnDate": "2026-04-01",
            "DueDate": "2026-05-01", "TotalAmt": total, "Balance": balance,
            "CustomerRef": {"value": "7"}, "CurrencyRef": {"value": "USD"},
            "MetaData": {"CreateTime": "2026-04-01T09:00:00-07:00", "LastUpdatedTime": updated}}


def payment(ident: str, amount: int, invoice_id: str, updated: str) -> dict[str, Any]:
    return {"Id": ident, "TxnDate": "2026-04-20", "TotalAmt": amount, "UnappliedAmt": 0,
            "CustomerRef": {"value": "7"}, "CurrencyRef": {"value": "USD"},
            "Line": [{"Amount": amount,
                      "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}],
            "MetaData": {"CreateTime": updated, "LastUpdatedTime": updated}}


def credit_memo(ident: str, updated: str) -> dict[str, Any]:
    return {"Id": ident, "TxnDate": "2026-04-10", "TotalAmt": 40, "Balance": 40,
            "CustomerRef": {"value": "7"}, "CurrencyRef": {"value": "USD"},
            "MetaData": {"CreateTime": updated, "LastUpdatedTime": updated}}


def gone(ident: str, when: str) -> dict[str, Any]:
    """A deletion as CDC reports it (Intuit's sample)."""
    return {"status": "Deleted", "domain": "QBO", "Id": ident,
            "MetaData": {"LastUpdatedTime": when}}


def cdc_body(entity: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
    response: dict[str, Any] = {"startPosition": 1, "maxResults": len(objects)}
    if objects:
        response[entity] = objects
    return {"CDCResponse": [{"QueryResponse": [response]}],
            "time": "2026-05-20T05:00:00.000-07:00"}


def serve(server: HTTPServer, entities: dict[str, list[dict[str, Any]]],
          changes: dict[str, list[dict[str, Any]]] | None = None) -> None:
    """Answers every query with ``entities`` for its FROM, and every CDC call with
    ``changes`` for its entity (none for the others)."""
    server.clear()

    def query(request: Request) -> Response:
        entity = request.args["query"].split(" FROM ")[1].split()[0]
        items = entities.get(entity, [])
        found = {entity: items, "startPosition": 1, "maxResults": len(items)} if items else {}
        return Response(json.dumps({"QueryResponse": found}), content_type="application/json")

    def cdc(request: Request) -> Response:
        entity = request.args["entities"]
        return Response(json.dumps(cdc_body(entity, (changes or {}).get(entity, []))),
                        content_type="application/json")

    server.expect_request(QUERY).respond_with_handler(query)
    server.expect_request(CDC).respond_with_handler(cdc)


def connector(server: HTTPServer, clock: Clock, now: datetime,
              **options: Any) -> QuickBooksConnector:
    settings: dict[str, Any] = {"time_activities": False, **options}
    return QuickBooksConnector(
        realm_id=REALM, access_token=TOKEN, base_url=server.url_for("/"), clock=lambda: now,
        sleep=clock.sleep, monotonic=clock, home_currency="USD", **settings,
    )


def cdc_calls(server: HTTPServer) -> list[dict[str, str]]:
    return [dict(request.args) for request, _ in server.log if request.path == CDC]


def stream_result(result: Any, name: str) -> Any:
    (found,) = [s for s in result.streams if s.stream == name]
    return found


# ------------------------------------------------------------------- into a store, over HTTP


def test_an_invoice_deleted_in_quickbooks_leaves_the_store_on_the_next_incremental_sync(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        created = "2026-05-01T10:00:00-07:00"  # 17:00 UTC
        serve(httpserver, {"Invoice": [invoice("1", 100, created), invoice("2", 50, created)]})
        store.sync(connector(httpserver, clock, datetime(2026, 5, 2, tzinfo=UTC)))
        assert cdc_calls(httpserver) == []  # a first (full) read needs no deletions

        # Invoice 1 deleted on 10 May: gone from the query, reported by CDC.
        serve(httpserver, {}, {"Invoice": [gone("1", "2026-05-10T08:00:00-07:00")]})
        result = store.sync(connector(httpserver, clock, datetime(2026, 5, 20, tzinfo=UTC)))

        # Asked from the invoices' cursor, the first sync's start (2 May 00:00 UTC), less the
        # 5-minute look-back.
        assert cdc_calls(httpserver)[0] == {
            "entities": "Invoice", "changedSince": "2026-05-01T23:55:00+00:00",
            "minorversion": "75"}
        assert [i.id for i in store.load(base_currency="USD").invoices] == ["2"]
        invoices = stream_result(result, "invoices")
        assert (invoices.full_read, invoices.removed, invoices.skipped) == (
            False, 1, {DELETED: 1})
        # The cursor is this sync's start, 20 May 00:00 UTC: CDC was asked up to then (it
        # was the latest change seen, the deletion of 10 May 15:00 UTC).
        assert store.state("quickbooks").cursor("invoices") == datetime(
            2026, 5, 20, 0, 0, tzinfo=UTC)


def test_a_payment_deleted_in_quickbooks_leaves_the_store_and_its_invoice_is_open_again(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        paid = "2026-04-20T10:00:00-07:00"
        serve(httpserver, {"Invoice": [invoice("1", 0, paid)],
                           "Payment": [payment("10", 100, "1", paid)]})
        store.sync(connector(httpserver, clock, datetime(2026, 4, 21, tzinfo=UTC)))
        assert settle(store.load(base_currency="USD"), as_of=date(2026, 6, 1))[
            "1"].open_balance == 0

        # Payment 10 deleted on 5 May: QuickBooks puts the invoice's Balance back to 100
        # (the query reads the invoice again); the payment is only in CDC, as deleted. CDC
        # also lists the changed invoice in full: the query's copy is the one used.
        changed = "2026-05-05T09:00:00-07:00"
        serve(httpserver, {"Invoice": [invoice("1", 100, changed)]},
              {"Invoice": [invoice("1", 100, changed)], "Payment": [gone("10", changed)]})
        result = store.sync(connector(httpserver, clock, datetime(2026, 5, 6, tzinfo=UTC)))

        ledger = store.load(base_currency="USD")
        assert [p.id for p in ledger.payments] == []
        # Due 1 May, unpaid: 100.00 open on 1 June.
        assert settle(ledger, as_of=date(2026, 6, 1))["1"].open_balance == 100
        assert stream_result(result, "payments").removed == 1
        assert stream_result(result, "invoices").removed == 0
        # Credit memos: none read by the first sync, whose read still set their cursor to
        # its start: an incremental read, which asks CDC too: first for the payments deleted
        # since (a deleted payment may have applied a memo: then every memo is read again),
        # then for the memos deleted.
        assert [c["entities"] for c in cdc_calls(httpserver)] == [
            "Invoice", "Payment", "Payment", "CreditMemo"]


def test_a_credit_memo_deleted_in_quickbooks_leaves_the_store(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        made = "2026-04-10T10:00:00-07:00"
        serve(httpserver, {"Invoice": [invoice("1", 100, made)],
                           "CreditMemo": [credit_memo("73", made)]})
        store.sync(connector(httpserver, clock, datetime(2026, 4, 11, tzinfo=UTC)))
        assert [c.id for c in store.load(base_currency="USD").credit_notes] == ["73"]

        serve(httpserver, {}, {"CreditMemo": [gone("73", "2026-04-15T10:00:00-07:00")]})
        result = store.sync(connector(httpserver, clock, datetime(2026, 4, 20, tzinfo=UTC)))
        assert store.load(base_currency="USD").credit_notes == ()
        assert stream_result(result, "credit_notes").removed == 1


def test_a_cursor_older_than_cdc_reaches_asks_what_cdc_has_and_notes_the_gap_until_a_full_read(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        made = "2026-03-01T10:00:00-08:00"  # 18:00 UTC
        serve(httpserver, {"Invoice": [invoice("1", 100, made), invoice("2", 100, made)]})
        store.sync(connector(httpserver, clock, datetime(2026, 3, 2, tzinfo=UTC)))

        # Three months later. Invoice 1 was deleted in March (CDC no longer knows), invoice 2
        # on 20 May (CDC knows).
        now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
        serve(httpserver, {}, {"Invoice": [gone("2", "2026-05-20T10:00:00-07:00")]})
        result = store.sync(connector(httpserver, clock, now))

        # 1 June 12:00 less 29 days: 3 May 12:00, within Intuit's 30 days.
        (call,) = [c for c in cdc_calls(httpserver) if c["entities"] == "Invoice"]
        assert call["changedSince"] == "2026-05-03T12:00:00+00:00"
        assert [i.id for i in store.load(base_currency="USD").invoices] == ["1"]
        # Unknown: from the last sync's start (2 March 00:00 UTC) less the 5-minute look-back,
        # to where CDC reaches.
        note = (
            "invoices: deletions in QuickBooks from 2026-03-01 23:55 UTC to 2026-05-03 12:00 "
            "UTC are not known: QuickBooks reports deletions for the last 30 days only (change "
            "data capture), and the last sync of invoices was before that. Records deleted "
            "then may still be counted here; run `clientguard sync --full --prune` (in "
            "Python: store.sync(connector, full=True, prune=True)) to remove what was deleted"
        )
        # (Payments and credit memos, read empty by the first sync, have their own notes of
        # the same gap: their cursor is that sync's start too.)
        assert [n for n in result.notes if n.startswith("invoices:")] == [note]
        assert [n.split(":")[0] for n in result.notes] == [
            "invoices", "payments", "credit_notes"]

        # The note stays while the store may hold what was deleted: a later incremental
        # sync (within reach) keeps it ...
        serve(httpserver, {})
        store.sync(connector(httpserver, clock, now + timedelta(days=1)))
        assert f"quickbooks: {note}" in store.notes()
        assert len(store.notes()) == 3
        assert REALM not in note
        assert TOKEN not in note

        # ... and the full read with prune it asks for removes invoice 1 and the note.
        serve(httpserver, {})  # invoice 1 is gone from QuickBooks
        store.sync(connector(httpserver, clock, now + timedelta(days=2)), full=True, prune=True)
        assert store.load(base_currency="USD").invoices == ()
        assert store.notes() == ()
        assert cdc_calls(httpserver) == []  # a full read needs no CDC


def refund_receipt(ident: str, updated: str) -> dict[str, Any]:
    return {"Id": ident, "TxnDate": "2026-01-10", "TotalAmt": 20,
            "CustomerRef": {"value": "7"}, "CurrencyRef": {"value": "USD"},
            "MetaData": {"CreateTime": updated, "LastUpdatedTime": updated}}


OLD_CHANGE = "2026-01-10T10:00:00-08:00"
"""When the stream's one record last changed: months before the syncs below."""


@pytest.mark.parametrize(
    ("stream", "entity", "record"),
    [
        ("invoices", "Invoice", invoice("1", 100, OLD_CHANGE)),
        ("payments", "Payment", payment("10", 100, "1", OLD_CHANGE)),
        ("credit_notes", "CreditMemo", credit_memo("73", OLD_CHANGE)),
        ("refund_receipts", "RefundReceipt", refund_receipt("95", OLD_CHANGE)),
    ],
    ids=["invoices", "payments", "credit_notes", "refund_receipts"],
)
def test_daily_syncs_of_a_stream_that_rarely_changes_ask_cdc_since_the_last_sync_without_a_note(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path, stream: str, entity: str,
    record: dict[str, Any],
) -> None:
    # Before, CDC was asked from the stream's newest change (10 January), which CDC no longer
    # reaches: every daily sync carried "deletions ... from 2026-01-10 17:55 UTC to <now less
    # 29 days> are not known", though the day before had asked CDC for that time.
    with Store.open(tmp_path / "qbo.db") as store:
        serve(httpserver, {entity: [record]})
        store.sync(connector(httpserver, clock, datetime(2026, 4, 1, 6, 0, tzinfo=UTC),
                             refund_receipts=True), streams=[stream])
        for day in (2, 3, 4):
            serve(httpserver, {entity: [record]})  # the query's answer: nothing new
            result = store.sync(connector(httpserver, clock,
                                          datetime(2026, 4, day, 6, 0, tzinfo=UTC),
                                          refund_receipts=True), streams=[stream])
            # Asked from the day before's sync (06:00 UTC) less the 5-minute look-back.
            (call,) = [c for c in cdc_calls(httpserver) if c["entities"] == entity]
            assert call["changedSince"] == f"2026-04-0{day - 1}T05:55:00+00:00"
            assert result.notes == ()
        assert store.notes() == ()

        # 40 days without a sync: a real gap, noted once, with its dates: from the last sync
        # (4 April 06:00 UTC) less the look-back, to where CDC reaches (14 May 06:00 less
        # 29 days: 15 April 06:00 UTC).
        now = datetime(2026, 5, 14, 6, 0, tzinfo=UTC)
        serve(httpserver, {entity: [record]})
        result = store.sync(connector(httpserver, clock, now, refund_receipts=True),
                            streams=[stream])
        (call,) = [c for c in cdc_calls(httpserver) if c["entities"] == entity]
        assert call["changedSince"] == "2026-04-15T06:00:00+00:00"
        assert result.notes == (
            f"{stream}: deletions in QuickBooks from 2026-04-04 05:55 UTC to 2026-04-15 06:00 "
            "UTC are not known: QuickBooks reports deletions for the last 30 days only (change "
            f"data capture), and the last sync of {stream} was before that. Records deleted "
            "then may still be counted here; run `clientguard sync --full --prune` (in "
            "Python: store.sync(connector, full=True, prune=True)) to remove what was deleted",)

        # The next day's sync asks from the sync of 14 May: no note of its own.
        serve(httpserver, {entity: [record]})
        result = store.sync(connector(httpserver, clock, now + timedelta(days=1),
                                      refund_receipts=True), streams=[stream])
        (call,) = [c for c in cdc_calls(httpserver) if c["entities"] == entity]
        assert call["changedSince"] == "2026-05-14T05:55:00+00:00"
        assert result.notes == ()


@pytest.mark.parametrize(
    ("active", "deleted", "capped"),
    [
        (994, 5, False),  # 999 objects: under the cap, complete
        (995, 5, True),   # 1,000: the cap; deletions (listed last) may be cut off
        (0, 0, False),    # nothing changed
    ],
)
def test_a_cdc_answer_at_its_1000_cap_is_noted_and_its_deletions_still_count(
    httpserver: HTTPServer, clock: Clock, active: int, deleted: int, capped: bool,
) -> None:
    updated = "2026-05-10T10:00:00-07:00"
    objects = [invoice(str(100 + n), 100, updated) for n in range(active)]
    objects += [gone(str(n), updated) for n in range(1, deleted + 1)]
    serve(httpserver, {}, {"Invoice": objects})
    cursor = datetime(2026, 5, 1, 17, 0, tzinfo=UTC)
    pulled = pull(connector(httpserver, clock, datetime(2026, 5, 20, tzinfo=UTC)),
                  SyncState({"invoices": cursor}), streams=["invoices"])
    assert pulled.skipped.get("invoices", {}).get(DELETED, 0) == deleted
    if capped:
        assert pulled.notes == (
            "invoices: QuickBooks' change data capture returned 1,000 changed Invoice objects "
            "since 2026-05-01 16:55 UTC, its most in one answer, and lists deletions last: "
            "some deletions may be missing. Records deleted since then may still be counted "
            "here; run `clientguard sync --full --prune` (in Python: store.sync(connector, "
            "full=True, prune=True)) to remove what was deleted, and sync more often so that "
            "fewer changes pile up",)
    else:
        assert pulled.notes == ()


def pull_every_memo_again(server: HTTPServer, clock: Clock, now: datetime) -> Pulled:
    """A pull of the credit memos at ``now``, their last sync on 1 May, 17:00 UTC, that reads
    every memo again: memo 5 (the one served), by one query with no lower bound."""
    pulled = pull(connector(server, clock, now),
                  SyncState({"credit_notes": datetime(2026, 5, 1, 17, 0, tzinfo=UTC)}),
                  streams=["credit_notes"])
    assert [r.id for r in pulled.records if r.kind == "credit_note"] == ["5"]
    memo_reads = [r.args["query"] for r, _ in server.log
                  if r.path == QUERY and " FROM CreditMemo " in r.args["query"]]
    assert memo_reads == ["SELECT * FROM CreditMemo ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000"]
    return pulled


def test_a_payment_cdc_answer_at_its_cap_reads_every_credit_memo_again(
    httpserver: HTTPServer, clock: Clock,
) -> None:
    # The read of credit memos asks CDC for the payments deleted since its last sync (a
    # deleted payment may have applied a memo). An answer of 1,000 payments (Intuit's most in
    # one answer) may have lost deletions, listed last: every memo is read again, as when one
    # is reported deleted, with no lower bound on the query. Before, only a note said so
    # (run `sync --full --prune`), and a memo a lost deletion freed stayed used.
    updated = "2026-05-10T10:00:00-07:00"
    serve(httpserver, {"CreditMemo": [credit_memo("5", "2026-04-10T10:00:00-07:00")]},
          {"Payment": [payment(str(100 + n), 10, "1", updated) for n in range(1000)]})
    pulled = pull_every_memo_again(httpserver, clock, datetime(2026, 5, 20, tzinfo=UTC))
    assert pulled.notes == ()


def test_credit_memos_last_read_beyond_cdcs_30_days_are_all_read_again(
    httpserver: HTTPServer, clock: Clock,
) -> None:
    # The last sync of credit memos was on 1 May, 17:00 UTC; this one runs on 20 June: the
    # connector asks CDC 29 days back at most (Intuit keeps 30; to 22 May), so it cannot say
    # whether a payment deleted between 1 and 22 May freed a memo. Every memo is read again (no
    # lower bound), and CDC is asked only for the memos' own deletions (it says what it cannot
    # vouch for). Before, the memos changed since 1 May were read, and a memo that such a
    # payment had applied stayed used.
    serve(httpserver, {"CreditMemo": [credit_memo("5", "2026-04-10T10:00:00-07:00")]})
    pulled = pull_every_memo_again(httpserver, clock, datetime(2026, 6, 20, tzinfo=UTC))
    assert [call["entities"] for call in cdc_calls(httpserver)] == ["CreditMemo"]
    (note,) = pulled.notes
    assert note.startswith("credit_notes: deletions in QuickBooks from 2026-05-01 16:55 UTC "
                           "to 2026-05-22 00:00 UTC are not known")


# ------------------------------------------------------------------- a CDC call that fails


def test_a_failed_cdc_call_of_deleted_payments_says_no_credit_memo_was_read(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path,
) -> None:
    # The read of credit memos asks CDC for the payments deleted first, before any memo: when
    # that call fails, nothing of the stream was read, and the error says so. Before, it said
    # "the credit_notes read before it are stored", reused from the stream's own CDC call
    # (made after its memos are read).
    with Store.open(tmp_path / "qbo.db") as store:
        serve(httpserver, {"CreditMemo": [credit_memo("5", "2026-05-01T10:00:00-07:00")]})
        store.sync(connector(httpserver, clock, datetime(2026, 5, 2, tzinfo=UTC)),
                   streams=["credit_notes"])
        before = store.state("quickbooks").cursor("credit_notes")
        serve(httpserver, {"CreditMemo": [credit_memo("6", "2026-05-15T10:00:00-07:00")]})
        httpserver.clear()
        httpserver.expect_request(CDC).respond_with_json(
            {"Fault": {"Error": [{"Message": "Invalid changedSince", "code": "2010"}],
                       "type": "ValidationFault"}}, status=400)
        httpserver.expect_request(QUERY).respond_with_json({"QueryResponse": {}})
        with pytest.raises(ApiError) as caught:
            store.sync(connector(httpserver, clock, datetime(2026, 5, 20, tzinfo=UTC)),
                       streams=["credit_notes"])
        message = str(caught.value)
        assert ("QuickBooks' change data capture (the payments deleted since 2026-05-01 23:55 "
                "UTC) could not be read: it is asked before the credit_notes are read, so this "
                "sync read none of them and stored nothing of the stream; its cursor did not "
                "move, so the next sync asks again.") in message
        assert "read before it are stored" not in message
        assert "stream credit_notes, HTTP 400" in message
        # Only the CDC call was made; the stream is as the last sync left it.
        assert [r.path for r, _ in httpserver.log] == [CDC]
        assert [n.id for n in store.load(base_currency="USD").credit_notes] == ["5"]
        assert store.state("quickbooks").cursor("credit_notes") == before


def test_a_cdc_500_fails_the_sync_keeping_what_was_read_and_the_next_sync_asks_again(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        serve(httpserver, {"Invoice": [invoice("1", 100, "2026-05-01T10:00:00-07:00")]})
        store.sync(connector(httpserver, clock, datetime(2026, 5, 2, tzinfo=UTC)))
        before = store.state("quickbooks").cursor("invoices")

        # Invoice 2 is new; then CDC fails on every attempt.
        httpserver.clear()
        httpserver.expect_request(QUERY).respond_with_json({"QueryResponse": {
            "Invoice": [invoice("2", 30, "2026-05-15T10:00:00-07:00")]}})
        httpserver.expect_request(CDC).respond_with_json(
            {"Fault": {"Error": [{"Message": "An application error has occurred",
                                  "code": "10000"}], "type": "SystemFault"}}, status=500)
        with pytest.raises(ApiError) as caught:
            store.sync(connector(httpserver, clock, datetime(2026, 5, 20, tzinfo=UTC)))
        message = str(caught.value)
        assert "change data capture (the invoices deleted since 2026-05-01 23:55 UTC)" in message
        assert "the stream's cursor did not move, so the next sync asks again" in message
        assert "HTTP 500" in message
        assert REALM not in message
        assert TOKEN not in message
        assert len(cdc_calls(httpserver)) == 5  # a 5xx is retried: max_attempts
        # Nothing lost: the new invoice is stored; the cursor is where it was.
        assert [i.id for i in store.load(base_currency="USD").invoices] == ["1", "2"]
        assert store.state("quickbooks").cursor("invoices") == before

        # The next sync asks CDC from the same place, and hears of invoice 1's deletion.
        serve(httpserver, {}, {"Invoice": [gone("1", "2026-05-12T10:00:00-07:00")]})
        store.sync(connector(httpserver, clock, datetime(2026, 5, 21, tzinfo=UTC)))
        assert cdc_calls(httpserver)[0]["changedSince"] == "2026-05-01T23:55:00+00:00"
        assert [i.id for i in store.load(base_currency="USD").invoices] == ["2"]


@pytest.mark.parametrize(
    ("status", "body", "calls", "said"),
    [
        # Refused: not retried, QuickBooks' message kept.
        (400, {"Fault": {"Error": [{"Message": "Invalid changedSince", "code": "2010"}],
                         "type": "ValidationFault"}}, 1, "HTTP 400"),
        # A 200 that is not a CDC answer: never read as "nothing deleted".
        (200, {"QueryResponse": {}, "time": "2026-05-20T05:00:00.000-07:00"}, 1,
         "without a CDCResponse list"),
        (200, {"CDCResponse": {"QueryResponse": []}}, 1, "without a CDCResponse list"),
        # A fault inside a 200.
        (200, {"Fault": {"Error": [{"Message": "Unsupported entity", "code": "500"}],
                         "type": "ValidationFault"}}, 1, "Unsupported entity"),
    ],
)
def test_a_failed_cdc_call_is_an_error_saying_what_to_do_never_a_silent_skip(
    httpserver: HTTPServer, clock: Clock, status: int, body: dict[str, Any], calls: int,
    said: str,
) -> None:
    httpserver.expect_request(QUERY).respond_with_json({"QueryResponse": {}})
    httpserver.expect_request(CDC).respond_with_json(body, status=status)
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, clock, datetime(2026, 5, 20, tzinfo=UTC)),
             SyncState({"invoices": datetime(2026, 5, 1, 17, 0, tzinfo=UTC)}),
             streams=["invoices"])
    message = str(caught.value)
    assert said in message
    assert "could not be read" in message
    assert "--full --prune" in message
    assert "stream invoices" in message
    assert REALM not in message
    assert TOKEN not in message
    assert len(cdc_calls(httpserver)) == calls


def test_a_failed_cdc_call_for_deleted_payments_fails_the_credit_memos_read_unmoved(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        made = "2026-04-10T10:00:00-07:00"
        serve(httpserver, {"CreditMemo": [credit_memo("73", made)]})
        store.sync(connector(httpserver, clock, datetime(2026, 4, 11, tzinfo=UTC)),
                   streams=["credit_notes"])
        cursor = store.state("quickbooks").cursor("credit_notes")
        assert cursor == datetime(2026, 4, 11, tzinfo=UTC)

        httpserver.clear()
        httpserver.expect_request(QUERY).respond_with_json({"QueryResponse": {}})
        httpserver.expect_request(CDC, query_string={
            "entities": "Payment", "changedSince": "2026-04-10T23:55:00+00:00",
            "minorversion": "75"}).respond_with_json(
            {"Fault": {"Error": [{"Message": "Invalid changedSince", "code": "2010"}],
                       "type": "ValidationFault"}}, status=400)
        with pytest.raises(ApiError) as caught:
            store.sync(connector(httpserver, clock, datetime(2026, 4, 20, tzinfo=UTC)),
                       streams=["credit_notes"])
        message = str(caught.value)
        # The sync's cursor less the 5-minute look-back.
        assert "(the payments deleted since 2026-04-10 23:55 UTC) could not be read" in message
        assert "stream credit_notes" in message
        assert REALM not in message
        # Asked again by the next sync: the cursor did not move.
        assert store.state("quickbooks").cursor("credit_notes") == cursor


# ------------------------------------------------------------------- when CDC is not asked


def test_cdc_switched_off_is_not_called_and_the_deletion_stays_until_a_pruning_full_read(
    httpserver: HTTPServer, clock: Clock,
) -> None:
    serve(httpserver, {}, {"Invoice": [gone("1", "2026-05-10T08:00:00-07:00")]})
    pulled = pull(connector(httpserver, clock, datetime(2026, 5, 20, tzinfo=UTC),
                            change_data_capture=False),
                  SyncState({"invoices": datetime(2026, 5, 1, 17, 0, tzinfo=UTC)}),
                  streams=["invoices"])
    assert cdc_calls(httpserver) == []
    assert pulled.skipped == {}


def test_customers_and_time_activities_are_not_asked_of_cdc(
    httpserver: HTTPServer, clock: Clock,
) -> None:
    # Customers are made inactive, not deleted (the query reads inactive ones); Intuit's
    # CDC does not support TimeActivity.
    serve(httpserver, {})
    cursor = datetime(2026, 5, 1, 17, 0, tzinfo=UTC)
    pull(connector(httpserver, clock, datetime(2026, 5, 20, tzinfo=UTC), time_activities=True),
         SyncState(dict.fromkeys(("customers", "time_entries"), cursor)),
         streams=["customers", "time_entries"])
    assert cdc_calls(httpserver) == []


def test_a_deletion_without_an_id_is_rejected_not_dropped(
    httpserver: HTTPServer, clock: Clock,
) -> None:
    serve(httpserver, {}, {"Invoice": [{"status": "Deleted", "domain": "QBO",
                                        "MetaData": {"LastUpdatedTime":
                                                     "2026-05-10T08:00:00-07:00"}}]})
    pulled = pull(connector(httpserver, clock, datetime(2026, 5, 20, tzinfo=UTC)),
                  SyncState({"invoices": datetime(2026, 5, 1, 17, 0, tzinfo=UTC)}),
                  streams=["invoices"])
    (rejection,) = pulled.rejected
    assert "Id: is missing from a deletion QuickBooks reported" in rejection.reason
    assert rejection.location is not None
    assert REALM not in str(rejection.location)


# ------------------------------------------------------------------- the pure parts


@pytest.mark.parametrize(
    ("body", "ids"),
    [
        # Intuit's sample, two entities in one answer: only the one asked for is taken.
        ({"CDCResponse": [{"QueryResponse": [
            {"Customer": [{"Id": "63"}, {"Id": "99"}], "startPosition": 1, "maxResults": 3},
            {"startPosition": 1, "totalCount": 5,
             "Invoice": [{"Id": "34"}, {"Id": "123"}, gone("979", "2015-12-23T12:55:50-08:00")],
             "maxResults": 5}]}], "time": "2015-12-23T12:56:06.196-08:00"},
         ["34", "123", "979"]),
        ({"CDCResponse": []}, []),
        ({"CDCResponse": [{"QueryResponse": [{}]}]}, []),
        ({"CDCResponse": [{"QueryResponse": [{"startPosition": 1, "maxResults": 0}]}]}, []),
        ({"CDCResponse": [{}]}, []),
    ],
)
def test_changed_entities_reads_intuits_answer(body: dict[str, Any], ids: list[str]) -> None:
    assert [o["Id"] for o in changed_entities(body, "Invoice")] == ids


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"QueryResponse": {"Invoice": []}},
        {"CDCResponse": {"QueryResponse": []}},
        {"CDCResponse": ["Invoice"]},
        {"CDCResponse": [{"QueryResponse": ["x"]}]},
        {"CDCResponse": [{"QueryResponse": [{"Invoice": {"Id": "1"}}]}]},
        {"CDCResponse": [{"QueryResponse": [{"Invoice": ["1"]}]}]},
    ],
)
def test_a_body_that_is_not_a_cdc_answer_is_missing_records_not_no_deletions(
    body: object,
) -> None:
    with pytest.raises(MissingRecords):
        changed_entities(body, "Invoice")


NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "asked", "unchecked"),
    [
        (datetime(2026, 5, 31, tzinfo=UTC), datetime(2026, 5, 31, tzinfo=UTC), None),
        # exactly 29 days back: covered
        (datetime(2026, 5, 3, 12, 0, tzinfo=UTC), datetime(2026, 5, 3, 12, 0, tzinfo=UTC),
         None),
        # a minute more: CDC is asked from 29 days back, the minute before is unchecked
        (datetime(2026, 5, 3, 11, 59, tzinfo=UTC), datetime(2026, 5, 3, 12, 0, tzinfo=UTC),
         datetime(2026, 5, 3, 11, 59, tzinfo=UTC)),
    ],
)
def test_cdc_window(since: datetime, asked: datetime, unchecked: datetime | None) -> None:
    window = cdc_window(since, NOW)
    assert (window.changed_since, window.unchecked_since) == (asked, unchecked)


@given(
    since=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                       timezones=st.just(UTC)),
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                     timezones=st.just(UTC)),
)
def test_cdc_is_never_asked_beyond_its_reach_and_a_gap_is_always_said(
    since: datetime, now: datetime,
) -> None:
    window = cdc_window(since, now)
    assert window.changed_since >= now - CDC_REACH
    assert window.changed_since >= since
    # What CDC is not asked about is exactly what the note names.
    if window.unchecked_since is None:
        assert window.changed_since == since
    else:
        assert window.unchecked_since == since < window.changed_since
