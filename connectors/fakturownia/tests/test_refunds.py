"""A correction's credit paid back to the client in cash: Fakturownia records the refund as a
banking payment tied to the correction (a payment tied to nothing but lowering corrections);
the credit note carries it as a refund from the payment's day, as Xero's credit note carries
its cash refunds (``Payments``), so that the credit is no longer the client's unapplied
credit. Before, the refund payment was skipped and the credit stayed unapplied for ever.

Story (worked by hand): invoice 1/2026 of 1230,00 paid in full on 10 February, corrected by
-230,00 on 20 February (after the payment: the whole 230,00 is credit the client holds),
230,00 paid back on 25 February. From 25 February the client holds no credit.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import pull
from clientguard.errors import AuthError
from clientguard.ledger import Ledger
from clientguard.model import CreditNote
from clientguard.settlement import unapplied_cash
from clientguard.store import Store
from clientguard_fakturownia import FakturowniaConnector
from clientguard_fakturownia.mapping import (
    CORRECTED_INVOICE_KEY,
    REFUNDS_KEY,
    map_document,
    refunds_paid_by,
)

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
TOKEN = "fk-TOKEN-refunds-never-shown-5"
INVOICE = {"id": 101, "number": "1/2026", "kind": "vat", "income": 1, "status": "paid",
           "issue_date": "2026-02-01", "payment_to": "2026-02-15", "paid_date": "2026-02-10",
           "price_gross": "1230,00", "paid": "1230,00", "currency": "PLN", "client_id": 9,
           "updated_at": "2026-02-10T10:00:00+01:00"}
PAYMENT = {"id": 900, "price": "1230,00", "paid_date": "2026-02-10", "currency": "PLN",
           "client_id": 9, "updated_at": "2026-02-10T10:00:00+01:00",
           "invoices": [{"id": 101, "kind": "vat", "income": 1, "price_gross": "1230,00",
                         "currency": "PLN", "client_id": 9}]}
CORRECTION = {"id": 102, "number": "FK/1/2026", "kind": "correction", "income": 1,
              "status": "issued", "issue_date": "2026-02-20", "payment_to": "2026-02-20",
              "price_gross": "-230,00", "currency": "PLN", "client_id": 9, "invoice_id": 101,
              "updated_at": "2026-02-20T10:00:00+01:00"}


def tied(ident: int, gross: str) -> dict[str, Any]:
    return {"id": ident, "kind": "correction", "income": 1, "price_gross": gross,
            "currency": "PLN", "client_id": 9}


def refund(ident: int, price: str, day: str, *corrections: dict[str, Any],
           currency: str = "PLN", updated: str = "2026-02-25T10:00:00+01:00") -> dict[str, Any]:
    return {"id": ident, "price": price, "paid_date": day, "currency": currency, "client_id": 9,
            "updated_at": updated, "invoices": list(corrections or (tied(102, "-230,00"),))}


REFUND = refund(901, "230,00", "2026-02-25")


@pytest.mark.parametrize(
    ("payment", "parts"),
    [
        # Tied to one correction: all of it is that correction's refund.
        (REFUND, [("102", "230.00", "2026-02-25")]),
        # Two corrections: in Fakturownia's order, each up to its credit, the last the rest.
        (refund(902, "300,00", "2026-03-01", tied(102, "-230,00"), tied(103, "-100,00")),
         [("102", "230.00", "2026-03-01"), ("103", "70.00", "2026-03-01")]),
        # Tied to an invoice too: a payment received, no refund.
        (refund(903, "1000,00", "2026-03-01", tied(102, "-230,00"),
                {"id": 101, "kind": "vat", "price_gross": "1230,00", "currency": "PLN"}), []),
        # Money received for an invoice.
        (PAYMENT, []),
        # Not received yet (paid: false), or an amount that cannot be read: no refund.
        ({**REFUND, "paid": False}, []),
        ({**REFUND, "price": "dwieście"}, []),
    ],
)
def test_the_refunds_a_payment_makes(payment: dict[str, Any],
                                     parts: list[tuple[str, str, str]]) -> None:
    assert [(c, str(p["amount"]), p["date"]) for c, p in refunds_paid_by(payment)] == parts


def credit_note(refunds: list[dict[str, Any]], **changes: Any) -> CreditNote:
    raw = {**CORRECTION, CORRECTED_INVOICE_KEY: INVOICE, REFUNDS_KEY: refunds, **changes}
    note = map_document(raw)
    assert isinstance(note, CreditNote)
    return note


def part(amount: str, day: str, ident: str = "901", currency: str = "PLN") -> dict[str, Any]:
    return {"id": ident, "amount": amount, "date": day, "currency": currency}


@pytest.mark.parametrize(
    ("refunds", "expected"),
    [
        ([], []),
        ([part("230.00", "2026-02-25")], [("230.00", date(2026, 2, 25))]),
        # Oldest first, each up to what is left of the 230,00 credit.
        ([part("200.00", "2026-03-05", "905"), part("100.00", "2026-02-25")],
         [("100.00", date(2026, 2, 25)), ("130.00", date(2026, 3, 5))]),
        # A refund of more than the credit pays back the credit, no more.
        ([part("500.00", "2026-02-25")], [("230.00", date(2026, 2, 25))]),
        # In another currency than the credit note's: left out.
        ([part("50.00", "2026-02-25", currency="EUR")], []),
    ],
)
def test_a_correction_carries_its_refunds(refunds: list[dict[str, Any]],
                                          expected: list[tuple[str, date]]) -> None:
    note = credit_note(refunds)
    assert note.total == Decimal("230.00")
    assert note.allocations == ()  # the invoice was paid in full: all of it is credit
    assert [(str(r.amount), r.date) for r in note.refunds] == expected


def test_only_the_credit_left_after_the_allocation_is_refunded() -> None:
    # Invoice paid 1100,00 of 1230,00: the correction settles 130,00, 100,00 is credit.
    note = credit_note([part("230.00", "2026-02-25")],
                       **{CORRECTED_INVOICE_KEY: {**INVOICE, "paid": "1100,00"}})
    assert [(a.invoice_id, a.amount) for a in note.allocations] == [("101", Decimal("130.00"))]
    assert [r.amount for r in note.refunds] == [Decimal("100.00")]


def connector(server: HTTPServer) -> FakturowniaConnector:
    return FakturowniaConnector(subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"),
                                clock=lambda: NOW, sleep=lambda seconds: None)


def serve(server: HTTPServer, *, invoices: list[dict[str, Any]],
          payments: list[dict[str, Any]], corrections: list[dict[str, Any]]) -> None:
    """One sync in the connector's order (clients, invoices, payments, corrections), each
    list then, after one that is not empty, the empty page that ends it."""
    server.clear()
    for path, page in (("/clients.json", [{"id": 9, "name": "Klient"}]),
                       ("/invoices.json", invoices), ("/banking/payments.json", payments),
                       ("/invoices.json", corrections)):
        server.expect_ordered_request(path).respond_with_json(page)
        if page:
            server.expect_ordered_request(path).respond_with_json([])


def credit_held(ledger: Ledger, day: date) -> Decimal:
    held = unapplied_cash(ledger, as_of=day)
    return held["9"].credit if "9" in held else Decimal(0)


def test_a_sync_reads_the_credit_as_paid_back_from_the_refunds_day(
    httpserver: HTTPServer,
) -> None:
    serve(httpserver, invoices=[INVOICE], payments=[PAYMENT, REFUND], corrections=[CORRECTION])
    pulled = pull(connector(httpserver))
    httpserver.check_assertions()
    ledger = Ledger.build(pulled.records, base_currency="PLN")
    assert credit_held(ledger, date(2026, 2, 24)) == Decimal("230.00")
    assert credit_held(ledger, date(2026, 2, 25)) == 0
    assert credit_held(ledger, date(2026, 3, 31)) == 0
    # The refund is no payment received: only 900 is.
    assert [p.id for p in ledger.payments] == ["900"]


def test_an_incremental_sync_gives_an_unchanged_correction_the_refund_made_since(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        serve(httpserver, invoices=[INVOICE], payments=[PAYMENT], corrections=[CORRECTION])
        store.sync(connector(httpserver))
        assert credit_held(store.load(base_currency="PLN"), date(2026, 3, 31)) == Decimal("230.00")
        # The refund is paid; the correction and its invoice did not change: the invoices'
        # incremental read lists none, the corrections are listed whole (the payments were
        # read whole), and the corrected invoice is read by its id.
        httpserver.clear()
        for path, page in (("/clients.json", [{"id": 9, "name": "Klient"}]),
                           ("/clients.json", []), ("/invoices.json", []),
                           ("/banking/payments.json", [PAYMENT, refund(
                               901, "230,00", "2026-02-25",
                               updated="2026-08-31T10:00:00+02:00")]),
                           ("/banking/payments.json", []), ("/invoices.json", [CORRECTION]),
                           ("/invoices/101.json", INVOICE), ("/invoices.json", [])):
            httpserver.expect_ordered_request(path).respond_with_json(page)
        store.sync(connector(httpserver))
        httpserver.check_assertions()
        assert credit_held(store.load(base_currency="PLN"), date(2026, 3, 31)) == 0


# --------------------------------------------------------------------------- later syncs
# A correction's refunds follow the banking payments at every sync, incremental included: a
# refund payment deleted in Fakturownia, or re-tied to another correction, leaves the credit
# note it was stored on, though that correction did not change. Before, an incremental sync
# re-read only the corrections on the pages it reads (down to the first page holding a change
# before its cursor) and those whose refund payment changed since: an older correction no
# refund payment names any more was never read again, and kept its refund (the client's credit
# shown paid back), or counted it besides the correction it was re-tied to.
#
# The story above, worked by hand: invoice 1/2026 (101) of 1230,00 paid in full on 10
# February, lowered by three corrections: FK/1/2026 (102) of -230,00, FK/2/2026 (103) of
# -100,00 and FK/3/2026 (104) of -50,00. The invoice was paid in full: the client holds all of
# their credit, 230,00 + 100,00 + 50,00 = 380,00, less what refund payments (tied to nothing
# but corrections) pay back on 25 and 26 February. Two corrections a page: the corrections
# changed last (104, 103) fill page 1, 102 is on page 2, which an incremental sync, finding
# 103 changed before its cursor, did not read.

C103 = {**CORRECTION, "id": 103, "number": "FK/2/2026", "price_gross": "-100,00",
        "updated_at": "2026-03-01T10:00:00+01:00"}
C104 = {**CORRECTION, "id": 104, "number": "FK/3/2026", "price_gross": "-50,00",
        "updated_at": "2026-03-02T10:00:00+01:00"}
LATER = "2026-08-31T10:00:00+02:00"
"""A change after the first sync's cursors."""
MARCH = date(2026, 3, 31)


class Account:
    """A Fakturownia account served by page number, as the API pages: each list in its
    order (documents by ``updated_at`` descending), ``page`` and ``per_page`` honoured, and a
    document by its id."""

    def __init__(self, server: HTTPServer) -> None:
        self.clients: list[dict[str, Any]] = [{"id": 9, "name": "Klient"}]
        self.invoices: list[dict[str, Any]] = []
        self.corrections: list[dict[str, Any]] = []
        self.payments: list[dict[str, Any]] = []
        self.banking = True
        """Whether the account has the banking module (without it: 404)."""
        server.clear()
        server.expect_request(re.compile(r"^/.*$")).respond_with_handler(self.answer)

    def answer(self, request: Request) -> Response:
        args = request.args
        if request.path == "/clients.json":
            listed = self.clients
        elif request.path == "/banking/payments.json" and self.banking:
            listed = self.payments
        elif request.path == "/invoices.json":
            documents = (self.corrections if "correction" in args.getlist("kinds[]")
                         else self.invoices)
            listed = sorted(documents, key=lambda d: str(d["updated_at"]), reverse=True)
        elif found := re.fullmatch(r"/invoices/(\d+)\.json", request.path):
            by_id = {str(d["id"]): d for d in (*self.invoices, *self.corrections)}
            document = by_id.get(found.group(1))
            if document is None:
                return Response("Not found", status=404)
            return Response(json.dumps(document), content_type="application/json")
        else:
            return Response("Not found", status=404)
        size = int(args.get("per_page", 100))
        start = (int(args.get("page", 1)) - 1) * size
        return Response(json.dumps(listed[start:start + size]), content_type="application/json")


def connector_of(server: HTTPServer) -> FakturowniaConnector:
    return FakturowniaConnector(subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"),
                                clock=lambda: NOW, sleep=lambda seconds: None, page_size=2)


def refunds_stored(store: Store) -> dict[str, list[Decimal]]:
    return {note.id: [r.amount for r in note.refunds]
            for note in store.records() if isinstance(note, CreditNote)}


def asked(server: HTTPServer, path: str) -> int:
    return sum(1 for request, _ in server.log if request.path == path)


@pytest.mark.parametrize(
    ("before", "now", "refunds", "held"),
    [
        # The 230,00 refund was entered by mistake and deleted: 102's credit is held again
        # (was 150,00: the refund kept).
        ([refund(901, "230,00", "2026-02-25")], [], {}, "380.00"),
        # The 100,00 refund was tied to the wrong correction, then to 103 (the payment changed
        # after the cursor): 102 holds its 230,00 again, 103 none (was 180,00: 102 kept it).
        ([refund(901, "100,00", "2026-02-25")],
         [refund(901, "100,00", "2026-02-25", tied(103, "-100,00"), updated=LATER)],
         {"103": [Decimal("100.00")]}, "280.00"),
        # Re-tied, and the payment gives no change time.
        ([refund(901, "100,00", "2026-02-25")],
         [{**refund(901, "100,00", "2026-02-25", tied(103, "-100,00")), "updated_at": None}],
         {"103": [Decimal("100.00")]}, "280.00"),
        # One of two refunds of 102 deleted: 100,00 of its 230,00 stays paid back (was 150,00).
        ([refund(901, "100,00", "2026-02-25"), refund(902, "130,00", "2026-02-26")],
         [refund(901, "100,00", "2026-02-25")], {"102": [Decimal("100.00")]}, "280.00"),
        # Nothing changed: the refund stays.
        ([refund(901, "230,00", "2026-02-25")], [refund(901, "230,00", "2026-02-25")],
         {"102": [Decimal("230.00")]}, "150.00"),
        # A refund paid since, of a correction no incremental page lists.
        ([], [refund(901, "230,00", "2026-02-25", updated=LATER)],
         {"102": [Decimal("230.00")]}, "150.00"),
    ],
    ids=["deleted", "re-tied", "re-tied-no-change-time", "one-of-two-deleted", "unchanged",
         "paid-since"],
)
def test_an_incremental_sync_gives_each_correction_the_refunds_the_payments_make_now(
    httpserver: HTTPServer, tmp_path: Path, before: list[dict[str, Any]],
    now: list[dict[str, Any]], refunds: dict[str, list[Decimal]], held: str,
) -> None:
    account = Account(httpserver)
    account.invoices = [INVOICE]
    account.corrections = [CORRECTION, C103, C104]
    account.payments = [PAYMENT, *before]
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(connector_of(httpserver))
        account.payments = [PAYMENT, *now]
        result = store.sync(connector_of(httpserver))
        assert result.streams[-1].stream == "credit_notes"
        assert refunds_stored(store) == {"102": [], "103": [], "104": [], **refunds}
        assert credit_held(store.load(base_currency="PLN"), MARCH) == Decimal(held)


def test_a_sync_of_the_corrections_alone_reads_the_refunds_first(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    # Before, a sync of credit_notes alone stored the corrections it read without refunds:
    # 102 edited (a new number) lost its 230,00 refund, the client's credit shown held again.
    account = Account(httpserver)
    account.invoices = [INVOICE]
    account.corrections = [CORRECTION, C103, C104]
    account.payments = [PAYMENT, refund(901, "230,00", "2026-02-25")]
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(connector_of(httpserver))
        account.corrections = [{**CORRECTION, "number": "FK/1/2026/A", "updated_at": LATER},
                               C103, C104]
        httpserver.clear_log()
        result = store.sync(connector_of(httpserver), streams=["credit_notes"])
        # The payments were read for their refunds, and not stored again by this sync.
        assert asked(httpserver, "/banking/payments.json") > 0
        assert [s.stream for s in result.streams] == ["credit_notes"]
        assert refunds_stored(store) == {"102": [Decimal("230.00")], "103": [], "104": []}
        assert credit_held(store.load(base_currency="PLN"), MARCH) == Decimal("150.00")


@pytest.mark.parametrize(
    ("payments", "banking_asked", "noted"),
    [
        # No banking module (404): the corrections are read without refunds, and the sync
        # says so.
        (True, 1, True),
        # payments = false: nothing is asked of the banking module, as the option says.
        (False, 0, False),
    ],
    ids=["no-banking-module", "payments-off"],
)
def test_a_sync_of_the_corrections_alone_without_payments(
    httpserver: HTTPServer, payments: bool, banking_asked: int, noted: bool,
) -> None:
    account = Account(httpserver)
    account.banking = False
    account.invoices = [INVOICE]
    account.corrections = [CORRECTION]
    conn = FakturowniaConnector(subdomain="acme", api_token=TOKEN,
                                base_url=httpserver.url_for("/"), clock=lambda: NOW,
                                sleep=lambda seconds: None, payments=payments)
    pages = list(conn.sync(streams=["credit_notes"]))
    notes = [n for p in pages for n in p.notes]
    assert asked(httpserver, "/banking/payments.json") == banking_asked
    assert any("without refunds" in n and "banking module" in n for n in notes) is noted
    assert [r.id for p in pages for r in p.records] == ["102"]


class Editing(Account):
    """An account whose user edits correction 102 right after page 1 of the corrections is
    served (it moves to the top of the list, read already)."""

    edit = False

    def answer(self, request: Request) -> Response:
        response = super().answer(request)
        args = request.args
        if (self.edit and request.path == "/invoices.json"
                and "correction" in args.getlist("kinds[]")
                and args.get("page") == "1" and args.get("per_page") != "1"):
            self.corrections = [{**c, "updated_at": "2026-08-31T11:00:00+02:00"}
                                if c["id"] == 102 else c for c in self.corrections]
            self.edit = False
        return response


def test_an_incremental_sync_reading_the_corrections_whole_tolerates_an_edit_meanwhile(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    # The corrections are read whole for the refunds, but the store's read is incremental: a
    # correction edited during it has a change time after the cursor and the next sync reads
    # it, so nothing is lost and the sync must not fail (a first or --full read still does).
    account = Editing(httpserver)
    account.invoices = [INVOICE]
    extra = {**CORRECTION, "id": 105, "number": "FK/5/2026", "price_gross": "-10,00",
             "updated_at": "2026-03-03T10:00:00+01:00"}
    account.corrections = [CORRECTION, C103, C104, extra]
    account.payments = [PAYMENT, refund(901, "230,00", "2026-02-25")]
    with Store.open(tmp_path / "store.db") as store:
        store.sync(connector_of(httpserver))
        account.corrections = [{**c, "updated_at": f"2026-08-30T10:00:0{i}+02:00"}
                               if c["id"] in (103, 104) else c
                               for i, c in enumerate(account.corrections)]
        account.edit = True
        result = store.sync(connector_of(httpserver))  # raised SourceChanged before
        assert [s.stream for s in result.streams] == [
            "customers", "invoices", "payments", "credit_notes"]
        assert refunds_stored(store)["102"] == [Decimal("230.00")]


def test_a_refused_token_names_where_to_find_it_when_the_corrections_read_the_payments(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    class Refusing(Account):
        def answer(self, request: Request) -> Response:
            if request.path == "/banking/payments.json":
                return Response('{"code": "error", "message": "You must be logged in"}',
                                status=401, content_type="application/json")
            return super().answer(request)

    Refusing(httpserver)
    with Store.open(tmp_path / "store.db") as store, pytest.raises(AuthError) as raised:
        store.sync(connector_of(httpserver), streams=["credit_notes"])
    assert "Integracja > Kod autoryzacyjny API" in str(raised.value)
    assert TOKEN not in str(raised.value)
