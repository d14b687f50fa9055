"""Refunds of a customer's credit, and refund receipts, as QuickBooks Online records them.

What QuickBooks does (sources in docs/connectors/quickbooks.md, "A credit memo paid back" and
"Refund receipts"):

* A customer's credit (a credit memo, or an overpayment left unapplied) is paid back with a
  cheque (``Check``) or an expense (``Expense``) posted to Accounts Receivable, then linked to
  the credit in a payment (Intuit's "Record a refund for an overpayment or credit in
  QuickBooks Online"). The credit memo itself lists no ``LinkedTxn`` (the recorded memo 73 is
  applied, ``Balance`` 0, and has none), so a refund linked after the memo was stored is found
  only in the payment.
* A ``RefundReceipt`` pays money back for a sale from a bank account (``DepositToAccountRef``);
  Intuit's reference lists no ``LinkedTxn`` on it: it links to no credit memo or invoice. To
  pay back an overpayment with one, Intuit's "Fix a credit card payment processed twice" has
  the firm raise an invoice for the refund item, apply the overpayment to it, and enter the
  refund receipt for the same item.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.connector import Skip, pull
from clientguard.errors import DataError
from clientguard.i18n import using
from clientguard.metrics.concentration import revenue_by_client
from clientguard.settlement import unapplied_cash
from clientguard.store import Store
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.mapping import MappingRules, refund_receipt_from_qbo

from .conftest import Clock, assert_left_out

REALM = "9341457021722202"
QUERY = f"/v3/company/{REALM}/query"
CDC = f"/v3/company/{REALM}/cdc"
USD = MappingRules(home_currency="USD")


def refund_receipt(ident: str = "66", total: Any = 87.5, **changes: Any) -> dict[str, Any]:
    """A refund receipt shaped as Intuit's RefundReceipt reference returns one (its sample
    object: Pye's Cakes, 87.50 refunded by cheque from Checking), amounts as decoded with
    ``parse_float=Decimal``."""
    raw: dict[str, Any] = {
        "DocNumber": "1020", "SyncToken": "0", "domain": "QBO", "Balance": 0,
        "PaymentMethodRef": {"name": "Check", "value": "2"},
        "DepositToAccountRef": {"name": "Checking", "value": "35"},
        "TxnDate": "2014-09-17", "TotalAmt": Decimal(str(total)),
        "CustomerRef": {"name": "Pye's Cakes", "value": "15"},
        "CustomerMemo": {"value": "Thank you for your business and have a great day!"},
        "PrintStatus": "NotSet", "sparse": False,
        "Line": [
            {"Description": "Refund - Pest control was ineffective",
             "DetailType": "SalesItemLineDetail",
             "SalesItemLineDetail": {"TaxCodeRef": {"value": "NON"}, "Qty": Decimal("2.5"),
                                     "UnitPrice": 35,
                                     "ItemRef": {"name": "Pest Control", "value": "10"}},
             "LineNum": 1, "Amount": Decimal(str(total)), "Id": "1"},
            {"DetailType": "SubTotalLineDetail", "Amount": Decimal(str(total)),
             "SubTotalLineDetail": {}},
        ],
        "ApplyTaxAfterDiscount": False, "Id": ident, "TxnTaxDetail": {"TotalTax": 0},
        "MetaData": {"CreateTime": "2014-09-17T15:35:07-07:00",
                     "LastUpdatedTime": "2014-09-17T15:35:07-07:00"},
    }
    raw.update(changes)
    return raw


# --------------------------------------------------------------------- one refund receipt


def test_a_refund_receipt_is_a_credit_note_paid_back_in_full_on_its_day() -> None:
    # Intuit's sample has no CurrencyRef (a company without multicurrency): the home currency.
    note = refund_receipt_from_qbo(refund_receipt(), USD)
    assert isinstance(note, cg.CreditNote)
    # Intuit's sample: 87.50 to customer 15 on 17 September 2014, all of it paid out of
    # Checking that day: revenue 87.50 lower, nothing left owed to the customer.
    assert (note.id, note.customer_id, note.issue_date, note.total, note.currency) == (
        "66", "15", date(2014, 9, 17), Decimal("87.5"), "USD")
    assert [(r.date, r.amount) for r in note.refunds] == [(date(2014, 9, 17), Decimal("87.5"))]
    assert note.allocations == ()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        pytest.param({"TotalAmt": Decimal(0), "PrivateNote": "Voided"},
                     "voided refund receipt: it has no effect", id="voided"),
        pytest.param({"TotalAmt": Decimal(0)}, "refund receipt of zero: nothing paid back",
                     id="zero"),
        pytest.param({"CustomerRef": None},
                     "refund receipt for no customer: no client's revenue to lower",
                     id="no-customer"),
    ],
)
def test_a_refund_receipt_with_nothing_to_count_is_dropped_from_the_store(
    changes: dict[str, Any], reason: str
) -> None:
    skipped = refund_receipt_from_qbo({**refund_receipt(), **changes}, USD)
    assert skipped == Skip(reason, deleted=True)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"TotalAmt": Decimal(-5)}, "TotalAmt", id="negative"),
        pytest.param({"TxnDate": None}, "TxnDate", id="no-date"),
        pytest.param({"Id": None}, "Id", id="no-id"),
        pytest.param({"CurrencyRef": {"value": "dollars"}}, "CurrencyRef", id="bad-currency"),
    ],
)
def test_a_malformed_refund_receipt_is_rejected_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DataError, match=f"^{field}:"):
        refund_receipt_from_qbo({**refund_receipt(), **changes}, USD)


# --------------------------------------------------------------------- over HTTP


def body(entity: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    found = {entity: items, "startPosition": 1, "maxResults": len(items)} if items else {}
    return {"QueryResponse": found, "time": "2026-05-20T05:00:00.000-07:00"}


def changed_since(statement: str, item: dict[str, Any]) -> bool:
    """Whether QuickBooks answers ``item`` to ``statement``: always without a lower bound on
    ``MetaData.LastUpdatedTime``, else when it changed at or after it (an item without a
    change time is always answered)."""
    bound = " MetaData.LastUpdatedTime >= '"
    updated = (item.get("MetaData") or {}).get("LastUpdatedTime")
    if bound not in statement or updated is None:
        return True
    since = datetime.fromisoformat(statement.split(bound)[1].split("'")[0])
    return datetime.fromisoformat(updated) >= since


def serve(server: HTTPServer, changed: dict[str, list[dict[str, Any]]],
          by_id: dict[str, list[dict[str, Any]]] | None = None,
          deleted: dict[str, list[str]] | None = None) -> None:
    """QuickBooks as a sync sees it: a query by change time answers those of ``changed`` for
    its entity changed since its lower bound, one by id (``WHERE Id IN (...)``) ``by_id`` (the
    entities as they are now, changed or not), one with no lower bound both (every entity),
    and change data capture reports ``deleted`` ids."""
    server.clear()

    def query(request: Request) -> Response:
        statement = request.args["query"]
        entity = statement.split(" FROM ")[1].split()[0]
        if " Id IN (" in statement:
            asked = statement.split(" Id IN (")[1].split(")")[0].replace("'", "").split(", ")
            items = [i for i in (by_id or {}).get(entity, []) if i["Id"] in asked]
        else:
            items = [i for i in changed.get(entity, []) if changed_since(statement, i)]
            if " MetaData.LastUpdatedTime >= " not in statement:
                named = {i["Id"] for i in items}
                items += [i for i in (by_id or {}).get(entity, []) if i["Id"] not in named]
        return Response(json.dumps(body(entity, items), default=str),
                        content_type="application/json")

    def cdc(request: Request) -> Response:
        entity = request.args["entities"]
        gone = [{"status": "Deleted", "domain": "QBO", "Id": ident,
                 "MetaData": {"LastUpdatedTime": "2026-05-08T09:00:00-07:00"}}
                for ident in (deleted or {}).get(entity, [])]
        found = {"startPosition": 1, "maxResults": len(gone), **({entity: gone} if gone else {})}
        return Response(json.dumps({"CDCResponse": [{"QueryResponse": [found]}]}),
                        content_type="application/json")

    server.expect_request(QUERY).respond_with_handler(query)
    server.expect_request(CDC).respond_with_handler(cdc)


def connector(server: HTTPServer, clock: Clock, now: datetime,
              **options: Any) -> QuickBooksConnector:
    return QuickBooksConnector(
        realm_id=REALM, access_token="access-token-refunds", base_url=server.url_for("/"),
        clock=lambda: now, sleep=clock.sleep, monotonic=clock, home_currency="USD",
        time_activities=False, **options)


CUSTOMER = {"Id": "1", "DisplayName": "Amy's Bird Sanctuary", "Active": True,
            "MetaData": {"LastUpdatedTime": "2026-03-01T09:00:00-08:00"}}


def memo(balance: int, updated: str = "2026-04-01T10:00:00-07:00") -> dict[str, Any]:
    """Credit memo 73 of 100.00 of 1 April, as the query returns it (no ``LinkedTxn``)."""
    return {"Id": "73", "DocNumber": "1026", "TxnDate": "2026-04-01", "TotalAmt": 100,
            "Balance": balance, "RemainingCredit": balance,
            "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"},
            "MetaData": {"CreateTime": "2026-04-01T10:00:00-07:00", "LastUpdatedTime": updated}}


def linking(amount: int, *, voided: bool = False) -> dict[str, Any]:
    """Payment 80 of 20 April, nothing received, linking memo 73 to cheque 900 (Intuit's
    refund steps); voided on 8 May: Intuit zeroes its amounts and notes "Voided"."""
    paid = 0 if voided else amount
    return {"Id": "80", "TxnDate": "2026-04-20", "TotalAmt": 0, "UnappliedAmt": 0,
            "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"},
            **({"PrivateNote": "Voided"} if voided else {}),
            "Line": [{"Amount": paid, "LinkedTxn": [{"TxnId": "73", "TxnType": "CreditMemo"}]},
                     {"Amount": paid, "LinkedTxn": [{"TxnId": "900", "TxnType": "Check"}]}],
            "MetaData": {"CreateTime": "2026-04-20T10:00:00-07:00",
                         "LastUpdatedTime": ("2026-05-08T09:00:00-07:00" if voided
                                             else "2026-04-20T10:00:00-07:00")}}


def credit_of(store: Store, as_of: date) -> Decimal:
    found = unapplied_cash(store.load(base_currency="USD"), as_of=as_of).get("1")
    return Decimal(0) if found is None else found.credit


#: Memo 73 (100.00) paid back in full or in part: ``refunded``, and the credit ``left`` open.
REFUNDED = pytest.mark.parametrize(
    ("refunded", "left"),
    [pytest.param(100, Decimal(0), id="in-full"), pytest.param(40, Decimal(60), id="in-part")],
)


def sync_the_memo_then_its_refund(
    server: HTTPServer, clock: Clock, store: Store, refunded: int
) -> Decimal:
    """Two syncs into ``store``: on 5 April of memo 73 (100.00, open); on 2 May after cheque
    900 paid back ``refunded`` of it on 20 April, linked in payment 80. The memo's Balance is
    100 - refunded then, but the incremental query of credit memos does not return it
    (nothing says QuickBooks marks it changed): only the payment says so. Returns the open
    credit on 30 April after the first sync."""
    serve(server, {"Customer": [CUSTOMER], "CreditMemo": [memo(100)]})
    store.sync(connector(server, clock, datetime(2026, 4, 5, tzinfo=UTC)))
    stored = credit_of(store, date(2026, 4, 30))
    serve(server, {"Payment": [linking(refunded)]}, by_id={"CreditMemo": [memo(100 - refunded)]})
    store.sync(connector(server, clock, datetime(2026, 5, 2, tzinfo=UTC)))
    return stored


@REFUNDED
def test_a_credit_memo_refunded_after_it_was_stored_is_no_longer_open_credit(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path, refunded: int, left: Decimal
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        assert sync_the_memo_then_its_refund(httpserver, clock, store, refunded) == 100
        # Before: 100.00 of open credit for ever. Now 100 - refunded from 20 April.
        assert credit_of(store, date(2026, 4, 19)) == 100
        assert credit_of(store, date(2026, 4, 30)) == left
        (note,) = store.load(base_currency="USD").credit_notes
        assert [(r.date, r.amount) for r in note.refunds] == [
            (date(2026, 4, 20), Decimal(refunded))]

        # 8 May: payment 80 voided. Its lines still name the memo, with amounts 0; the memo's
        # Balance is 100 again: the whole credit is open again.
        serve(httpserver, {"Payment": [linking(refunded, voided=True)]},
              by_id={"CreditMemo": [memo(100)]})
        store.sync(connector(httpserver, clock, datetime(2026, 5, 10, tzinfo=UTC)))
        assert credit_of(store, date(2026, 5, 9)) == 100


@REFUNDED
def test_a_linking_payment_deleted_frees_its_credit_memo_at_the_next_incremental_sync(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path, refunded: int, left: Decimal
) -> None:
    # As above, but payment 80 is deleted on 8 May, not voided: it vanishes from the query,
    # and change data capture reports only its id (Intuit's CDC: {"status": "Deleted", "Id":
    # "80", "MetaData": ...}; intuit/QuickBooks-V3-PHP-SDK #431 shows a deleted Payment so),
    # never the memo it named. Before, memo 73 stayed paid back until `sync --full`.
    with Store.open(tmp_path / "qbo.db") as store:
        sync_the_memo_then_its_refund(httpserver, clock, store, refunded)
        assert credit_of(store, date(2026, 4, 30)) == left

        # 8 May: payment 80 deleted. QuickBooks puts the memo's Balance back to 100; nothing
        # says it marks the memo changed, so its last change stays 1 April and the
        # incremental query of credit memos (from 1 May 23:55) does not return it.
        serve(httpserver, {"CreditMemo": [memo(100)]}, deleted={"Payment": ["80"]})
        before = len(httpserver.log)
        result = store.sync(connector(httpserver, clock, datetime(2026, 5, 10, tzinfo=UTC)))
        # The whole credit of 100.00 is open again, as `sync --full` leaves it.
        assert credit_of(store, date(2026, 5, 9)) == 100
        (note,) = store.load(base_currency="USD").credit_notes
        assert note.refunds == ()
        # The credit memos' read asked CDC for the payments deleted since its last sync
        # (2 May 00:00 UTC less the 5-minute look-back) and, one being deleted, read every
        # memo again (a query with no lower bound), as a full read does.
        asked = [dict(r.args) for r, _ in httpserver.log[before:] if r.path == CDC]
        assert {"entities": "Payment", "changedSince": "2026-05-01T23:55:00+00:00",
                "minorversion": "75"} in asked
        memo_reads = [r.args["query"] for r, _ in httpserver.log[before:]
                      if r.path == QUERY and " FROM CreditMemo " in r.args["query"]]
        assert memo_reads == [
            "SELECT * FROM CreditMemo ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000"]
        (memos,) = [s for s in result.streams if s.stream == "credit_notes"]
        assert (memos.updated, memos.full_read) == (1, False)

        # The next sync hears of no deletion since: it reads only what changed.
        serve(httpserver, {"CreditMemo": [memo(100)]})
        before = len(httpserver.log)
        store.sync(connector(httpserver, clock, datetime(2026, 5, 11, tzinfo=UTC)))
        memo_reads = [r.args["query"] for r, _ in httpserver.log[before:]
                      if r.path == QUERY and " FROM CreditMemo " in r.args["query"]]
        assert memo_reads == [
            "SELECT * FROM CreditMemo WHERE MetaData.LastUpdatedTime >= "
            "'2026-05-09T23:55:00+00:00' ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000"]


def test_a_linking_payment_deleted_beyond_cdcs_reach_still_frees_its_credit_memo(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path
) -> None:
    # Memo 73 paid back in full through payment 80 (20 April), synced on 2 May; payment 80
    # deleted on 8 May; the next sync only on 20 June. The connector asks CDC 29 days back at
    # most (Intuit keeps 30; to 22 May): it cannot list the deletion of 8 May, so every memo is
    # read again (no lower bound) and memo 73, its Balance back to 100, is open credit again, as
    # `sync --full` leaves it. Before, only a note said deletions were unknown: 0.00 of open
    # credit until a full read.
    with Store.open(tmp_path / "qbo.db") as store:
        serve(httpserver, {"Customer": [CUSTOMER], "CreditMemo": [memo(100)]})
        store.sync(connector(httpserver, clock, datetime(2026, 4, 5, tzinfo=UTC)))
        serve(httpserver, {"Payment": [linking(100)]}, by_id={"CreditMemo": [memo(0)]})
        store.sync(connector(httpserver, clock, datetime(2026, 5, 2, tzinfo=UTC)))
        assert credit_of(store, date(2026, 5, 3)) == 0

        serve(httpserver, {"CreditMemo": [memo(100)]})
        before = len(httpserver.log)
        store.sync(connector(httpserver, clock, datetime(2026, 6, 20, tzinfo=UTC)))
        assert credit_of(store, date(2026, 6, 19)) == 100
        (note,) = store.load(base_currency="USD").credit_notes
        assert note.refunds == ()
        memo_reads = [r.args["query"] for r, _ in httpserver.log[before:]
                      if r.path == QUERY and " FROM CreditMemo " in r.args["query"]]
        assert memo_reads == [
            "SELECT * FROM CreditMemo ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000"]
        # CDC is asked for deleted payments once, by the payments stream for its own
        # deletions: the read of credit memos does not ask what it cannot vouch for.
        asked = [r.args["entities"] for r, _ in httpserver.log[before:] if r.path == CDC]
        assert asked.count("Payment") == 1


def test_an_incremental_read_of_credit_memos_reads_by_id_only_those_payments_name(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        serve(httpserver, {"CreditMemo": [memo(100)]})
        store.sync(connector(httpserver, clock, datetime(2026, 4, 5, tzinfo=UTC)))
        httpserver.clear()
        # A plain payment of an invoice names no credit memo: no memo is read by id.
        plain = {**linking(0), "TotalAmt": 50,
                 "Line": [{"Amount": 50, "LinkedTxn": [{"TxnId": "71", "TxnType": "Invoice"}]}]}
        serve(httpserver, {"Payment": [plain]}, by_id={"CreditMemo": [memo(100)]})
        store.sync(connector(httpserver, clock, datetime(2026, 5, 2, tzinfo=UTC)),
                   streams=["credit_notes"])
        queries = [r.args["query"] for r, _ in httpserver.log if r.path == QUERY]
        assert [q.split(" FROM ")[1].split()[0] for q in queries] == ["CreditMemo", "Payment"]
        assert not any(" Id IN (" in q for q in queries)


def test_the_payments_read_for_credit_memos_go_back_to_the_last_sync_not_the_last_memo_change(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path
) -> None:
    # Credit memo 73 of 100.00, made and last changed on 1 June 2024 (17:00 UTC), unused.
    # Before, every incremental sync read the payments changed since then (its cursor less
    # the look-back, 2024-06-01T16:55), paging through two years of payments a day.
    old = {**memo(100, updated="2024-06-01T10:00:00-07:00"), "TxnDate": "2024-06-01",
           "MetaData": {"CreateTime": "2024-06-01T10:00:00-07:00",
                        "LastUpdatedTime": "2024-06-01T10:00:00-07:00"}}
    # Payment 80 of 2 April 2026, 10:00 at -07:00 (17:00 UTC), after the sync of that day:
    # nothing received, memo 73 paid back in full by cheque 900.
    refund = {**linking(100), "TxnDate": "2026-04-02",
              "MetaData": {"CreateTime": "2026-04-02T10:00:00-07:00",
                           "LastUpdatedTime": "2026-04-02T10:00:00-07:00"}}
    refunded = {**old, "Balance": 0, "RemainingCredit": 0}

    def payment_bounds() -> list[str]:
        queries = [r.args["query"] for r, _ in httpserver.log if r.path == QUERY]
        return [q.split(" >= '")[1].split("'")[0] for q in queries if " FROM Payment " in q]

    with Store.open(tmp_path / "qbo.db") as store:
        serve(httpserver, {"Customer": [CUSTOMER], "CreditMemo": [old]})
        store.sync(connector(httpserver, clock, datetime(2026, 4, 1, tzinfo=UTC)),
                   streams=["customers", "credit_notes"])
        bounds = []
        for day, payments, memos in ((2, [], [old]), (3, [refund], [refunded]),
                                     (4, [refund], [refunded])):
            serve(httpserver, {"CreditMemo": [old], "Payment": payments},
                  by_id={"CreditMemo": memos})
            store.sync(connector(httpserver, clock, datetime(2026, 4, day, tzinfo=UTC)),
                       streams=["credit_notes"])
            bounds.append(payment_bounds())
        # Each sync reads the payments changed since the sync before it (00:00 UTC) less the
        # 5-minute look-back. On 3 April, payment 80 names memo 73, which is read by id and
        # found used: the payments since the memo was made (17:00 UTC, no look-back) are read
        # once for its applications, as for any used memo a sync reads.
        assert bounds == [
            ["2026-03-31T23:55:00+00:00"],
            ["2026-04-01T23:55:00+00:00", "2024-06-01T17:00:00+00:00"],
            ["2026-04-02T23:55:00+00:00"],
        ]
        # Nothing is missed: 100.00 of open credit until the refund, none from 2 April.
        assert credit_of(store, date(2026, 4, 1)) == 100
        assert credit_of(store, date(2026, 4, 4)) == 0
        (note,) = store.load(base_currency="USD").credit_notes
        assert [(r.date, r.amount) for r in note.refunds] == [(date(2026, 4, 2), Decimal(100))]


def test_an_overpayment_refunded_with_a_refund_receipt_leaves_no_credit_nor_extra_revenue(
    httpserver: HTTPServer, clock: Clock
) -> None:
    # Intuit's steps for a card payment taken twice: 120.00 received on a 100.00 invoice (20.00
    # unapplied), refund receipt 95 of 20.00 for the refund item, invoice 72 of 20.00 for the
    # same item, and the payment's 20.00 applied to invoice 72.
    invoices = [
        {"Id": "71", "DocNumber": "1025", "TxnDate": "2026-03-01", "DueDate": "2026-03-31",
         "TotalAmt": 100, "Balance": 0, "CustomerRef": {"value": "1"},
         "CurrencyRef": {"value": "USD"}},
        {"Id": "72", "DocNumber": "1027", "TxnDate": "2026-03-12", "DueDate": "2026-03-12",
         "TotalAmt": 20, "Balance": 0, "CustomerRef": {"value": "1"},
         "CurrencyRef": {"value": "USD"}},
    ]
    payment = {"Id": "81", "TxnDate": "2026-03-10", "TotalAmt": 120, "UnappliedAmt": 0,
               "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"},
               "Line": [{"Amount": 100, "LinkedTxn": [{"TxnId": "71", "TxnType": "Invoice"}]},
                        {"Amount": 20, "LinkedTxn": [{"TxnId": "72", "TxnType": "Invoice"}]}]}
    refund = refund_receipt("95", 20, TxnDate="2026-03-12",
                            CustomerRef={"name": "Amy's Bird Sanctuary", "value": "1"},
                            CurrencyRef={"value": "USD", "name": "United States Dollar"})
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": invoices, "Payment": [payment],
                       "RefundReceipt": [refund]})
    ledger = cg.Ledger.from_connector(connector(httpserver, clock, datetime(2026, 4, 1,
                                                                            tzinfo=UTC),
                                                refund_receipts=True),
                                      base_currency="USD")
    # Nothing held for the client; revenue 100 + 20 - 20 = 100.00 (before: 120.00, the refund
    # item's invoice counted as a sale and the money paid back not at all).
    assert "1" not in unapplied_cash(ledger, as_of=date(2026, 3, 31))
    assert revenue_by_client(ledger, first=date(2026, 3, 1), last=date(2026, 3, 31)) == {
        "1": Decimal(100)}


@pytest.mark.parametrize("undone", ["deleted", "voided"])
def test_a_refund_receipt_synced_then_deleted_or_voided_leaves_the_store(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path, undone: str
) -> None:
    sale = {"Id": "71", "DocNumber": "1025", "TxnDate": "2026-03-01", "DueDate": "2026-03-31",
            "TotalAmt": 120, "Balance": 0, "CustomerRef": {"value": "1"},
            "CurrencyRef": {"value": "USD"},
            "MetaData": {"LastUpdatedTime": "2026-03-01T10:00:00-08:00"}}
    refund = refund_receipt(
        "95", 20, TxnDate="2026-04-15", CustomerRef={"value": "1"},
        CurrencyRef={"value": "USD"},
        MetaData={"CreateTime": "2026-04-15T10:00:00-07:00",
                  "LastUpdatedTime": "2026-04-15T10:00:00-07:00"})

    def revenue() -> dict[str, Decimal]:
        return revenue_by_client(store.load(base_currency="USD"), first=date(2026, 3, 1),
                                 last=date(2026, 4, 30))

    with Store.open(tmp_path / "qbo.db") as store:
        serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [sale]})
        store.sync(connector(httpserver, clock, datetime(2026, 4, 2, tzinfo=UTC),
                             refund_receipts=True))
        assert revenue() == {"1": Decimal(120)}

        # 15 April: 20.00 paid back for the sale. Revenue 120 - 20 = 100.00; no open credit.
        serve(httpserver, {"RefundReceipt": [refund]})
        store.sync(connector(httpserver, clock, datetime(2026, 4, 20, tzinfo=UTC),
                             refund_receipts=True))
        assert revenue() == {"1": Decimal(100)}
        assert credit_of(store, date(2026, 4, 30)) == 0

        # 8 May: the refund receipt is deleted (only change data capture says so), or voided
        # (QuickBooks zeroes it and notes "Voided"; the query reads it again).
        voided = {**refund, "TotalAmt": Decimal(0), "PrivateNote": "Voided",
                  "MetaData": {"CreateTime": "2026-04-15T10:00:00-07:00",
                               "LastUpdatedTime": "2026-05-08T09:00:00-07:00"}}
        if undone == "deleted":
            serve(httpserver, {}, deleted={"RefundReceipt": ["95"]})
        else:
            serve(httpserver, {"RefundReceipt": [voided]})
        store.sync(connector(httpserver, clock, datetime(2026, 5, 10, tzinfo=UTC),
                             refund_receipts=True))
        assert store.load(base_currency="USD").credit_notes == ()
        assert revenue() == {"1": Decimal(120)}


SALE = {"Id": "71", "DocNumber": "1025", "TxnDate": "2026-03-01", "DueDate": "2026-03-31",
        "TotalAmt": 120, "Balance": 0, "CustomerRef": {"value": "1"},
        "CurrencyRef": {"value": "USD"},
        "MetaData": {"LastUpdatedTime": "2026-03-01T10:00:00-08:00"}}
"""Invoice 71: 120.00 to customer 1 on 1 March, paid."""

CASH_REFUND = refund_receipt("95", 50, TxnDate="2026-03-15", CustomerRef={"value": "1"},
                             CurrencyRef={"value": "USD"})
"""Refund receipt 95: 50.00 paid back to customer 1 on 15 March, for a cash sale (a sales
receipt, which the connector does not read)."""


def march_revenue(ledger: cg.Ledger) -> dict[str, Decimal]:
    return revenue_by_client(ledger, first=date(2026, 3, 1), last=date(2026, 3, 31))


@pytest.mark.parametrize("options", [pytest.param({}, id="default"),
                                     pytest.param({"refund_receipts": False}, id="false")])
def test_refund_receipts_are_read_only_when_asked_for(
    httpserver: HTTPServer, clock: Clock, options: dict[str, Any]
) -> None:
    # Off by default (the lead's decision): a refund receipt most often pays back a sales
    # receipt, which is not read, so reading it would lower revenue the ledger never counted.
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [SALE],
                       "RefundReceipt": [CASH_REFUND]})
    conn = connector(httpserver, clock, datetime(2026, 4, 1, tzinfo=UTC), **options)
    assert "refund_receipts" not in [s.name for s in conn.streams]
    pulled = pull(conn)
    assert [r for r in pulled.records if isinstance(r, cg.CreditNote)] == []
    queries = [r.args["query"] for r, _ in httpserver.log if r.path == QUERY]
    assert not any("FROM RefundReceipt" in q for q in queries)
    # Revenue is the invoice's 120.00 alone (with the refund receipt read: 120 - 50 = 70).
    ledger = cg.Ledger.build(pulled.records, base_currency="USD")
    assert march_revenue(ledger) == {"1": Decimal(120)}
    (option,) = [o for o in QuickBooksConnector.describe().options
                 if o.name == "refund_receipts"]
    assert option.default == "False"


def sync_with_refund_receipts(server: HTTPServer, clock: Clock, store: Store,
                              now: datetime) -> None:
    """A sync at ``now`` into ``store``, refund receipts read, of sale 71 (120.00 in March)
    and refund receipt 95 paying 50.00 of it back."""
    serve(server, {"Customer": [CUSTOMER], "Invoice": [SALE], "RefundReceipt": [CASH_REFUND]})
    store.sync(connector(server, clock, now, refund_receipts=True))


def test_refund_receipts_turned_off_again_leave_the_store_at_the_next_sync(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path
) -> None:
    # Before: a sync without the stream, even `sync --full --prune`, pruned only the streams
    # it read, so the refund receipts stored while the option was on kept lowering revenue
    # until `clientguard store forget NAME --yes` and a sync read the source again from
    # nothing. Now the next sync removes them (docs/connectors/quickbooks.md, "Refund
    # receipts"), saying so once.
    with Store.open(tmp_path / "qbo.db") as store:
        sync_with_refund_receipts(httpserver, clock, store, datetime(2026, 4, 2, tzinfo=UTC))
        # 120.00 invoiced less the 50.00 paid back: 70.00.
        assert march_revenue(store.load(base_currency="USD")) == {"1": Decimal(70)}

        # Back to the default: the next sync (a plain incremental one) drops refund receipt 95.
        before = len(httpserver.log)
        result = store.sync(connector(httpserver, clock, datetime(2026, 4, 3, tzinfo=UTC)))
        ledger = store.load(base_currency="USD")
        assert ledger.credit_notes == ()
        assert [i.id for i in ledger.invoices] == ["71"]
        assert march_revenue(ledger) == {"1": Decimal(120)}
        assert_left_out(
            result, [r.args["query"] for r, _ in httpserver.log[before:] if r.path == QUERY],
            stream="refund_receipts", removed=1,
            note="refund_receipts: not read (refund_receipts = false), so the 1 record earlier "
            "syncs stored of it was removed; turned on again, the stream is read in full",
            read="Invoice", not_read="RefundReceipt")

        # Said once: the sync after says nothing of refund receipts, nor does the review.
        again = store.sync(connector(httpserver, clock, datetime(2026, 4, 4, tzinfo=UTC)))
        assert "refund_receipts" not in [s.stream for s in again.streams]
        assert not any("refund_receipts" in n for n in store.notes())

        # Turned on again: read in full (its cursor went with its records), so receipt 95,
        # last changed in 2014, long before the cursor of 2 April, is read again: 70.00.
        httpserver.clear()
        sync_with_refund_receipts(httpserver, clock, store, datetime(2026, 4, 5, tzinfo=UTC))
        assert [c.id for c in store.load(base_currency="USD").credit_notes] == ["95"]
        assert march_revenue(store.load(base_currency="USD")) == {"1": Decimal(70)}


def test_the_note_of_refund_receipts_turned_off_is_said_in_polish(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path
) -> None:
    # Before: English in a Polish sync ("refund_receipts: not read (refund_receipts = false),
    # so the 1 record ..."), among messages in Polish. The Polish is the catalog's sentence
    # with "1 rekord" (one refund receipt stored, as in the test above).
    with Store.open(tmp_path / "qbo.db") as store:
        sync_with_refund_receipts(httpserver, clock, store, datetime(2026, 4, 2, tzinfo=UTC))
        with using("pl"):
            result = store.sync(connector(httpserver, clock, datetime(2026, 4, 3, tzinfo=UTC)))
        (dropped,) = [s for s in result.streams if s.stream == "refund_receipts"]
        assert dropped.notes == (
            "refund_receipts: strumień nie jest odczytywany (refund_receipts = false), więc "
            "usunięto to, co zapisały z niego wcześniejsze synchronizacje (1 rekord); po "
            "ponownym włączeniu zostanie odczytany w całości",)


@given(total=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2),
       day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_a_refund_receipt_is_never_credit_owed_and_lowers_revenue_by_its_total(
    total: Decimal, day: date
) -> None:
    note = refund_receipt_from_qbo(
        refund_receipt(total=total, TxnDate=day.isoformat(), CustomerRef={"value": "15"}), USD)
    assert isinstance(note, cg.CreditNote)
    ledger = cg.Ledger.build([cg.Customer(id="15", name="Pye's Cakes", source="quickbooks"),
                              note], base_currency="USD")
    # Paid back the day it was issued: on that day and every later one, nothing is owed.
    assert unapplied_cash(ledger, as_of=day) == {}
    assert revenue_by_client(ledger, first=day, last=day) == {"15": -total}
