"""What an incremental sync costs in requests once the corrections are listed whole (for their
refunds, see ``test_refunds.py``): each lowering correction is handed the invoice it corrects,
and those the sync did not read are read in batches (``GET /invoices.json?invoice_ids=...``),
not one request each.

The account of the measure (docs/connectors/fakturownia.md, "A correction refunded in cash"):
2,000 invoices of 100,00, each paid in full by its own payment and lowered by its own
correction of -10,00, 100 a page. Each invoice was paid in full, so each correction is all
credit the client holds, 10,00 (2,000 x 10,00 = 20 000,00): a correction not handed its
invoice would be applied to it in full instead, and the client would hold nothing.

Fakturownia's API README lists the ``invoice_ids`` filter of ``GET /invoices.json`` without
saying how it answers; the connector keeps only the documents it asked for and reads one by
one what a batch did not give. Each reading is served here: the filter heeded, heeded up to a
smaller page than asked, and not heeded at all (the list as if unfiltered).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import pull
from clientguard.errors import ApiError, AuthError, ConnectorError
from clientguard.model import CreditNote
from clientguard.store import Store
from clientguard_fakturownia import FakturowniaConnector

from .test_refunds import (
    CORRECTION,
    INVOICE,
    MARCH,
    NOW,
    PAYMENT,
    TOKEN,
    Account,
    asked,
    credit_held,
    refund,
    tied,
)

N = 2000
"""Invoices, payments and corrections of the measured account."""


class Batching(Account):
    """:class:`Account`, answering ``GET /invoices.json?invoice_ids=1,2,3`` as ``batches``
    says: ``"heeded"`` (the invoices of those ids it has, at most ``per_page`` of them, in the
    list's order), ``"capped"`` (heeded, but never more than 3 a page: Fakturownia caps
    ``per_page`` without saying so) or ``"unheeded"`` (the filter ignored: the list as if
    unfiltered)."""

    def __init__(self, server: HTTPServer, batches: str = "heeded") -> None:
        super().__init__(server)
        self.batches = batches

    def answer(self, request: Request) -> Response:
        named = request.args.get("invoice_ids")
        if request.path != "/invoices.json" or named is None or self.batches == "unheeded":
            return super().answer(request)
        wanted = set(named.split(","))
        size = int(request.args.get("per_page", 100))
        if self.batches == "capped":
            size = min(size, 3)
        listed = [d for d in sorted((*self.invoices, *self.corrections),
                                    key=lambda d: str(d["updated_at"]), reverse=True)
                  if str(d["id"]) in wanted]
        start = (int(request.args.get("page", 1)) - 1) * size
        return Response(json.dumps(listed[start:start + size]), content_type="application/json")


FEBRUARY_10 = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
FEBRUARY_20 = datetime(2026, 2, 20, 10, 0, tzinfo=UTC)


def changed(start: datetime, minutes: int) -> str:
    """A change time ``minutes`` after ``start``: a document a minute, so that the incremental
    read of invoices, 5 minutes back, stops at its page 1."""
    return (start + timedelta(minutes=minutes)).isoformat()


def paying(ident: int) -> dict[str, Any]:
    """Payment ``5000 + ident``: 100,00 paying invoice ``ident`` in full."""
    return {**PAYMENT, "id": 5000 + ident, "price": "100,00",
            "invoices": [{"id": ident, "kind": "vat", "income": 1, "price_gross": "100,00",
                          "currency": "PLN", "client_id": 9}]}


def measured_account(server: HTTPServer, batches: str = "heeded") -> Batching:
    """The account of the measure: invoice ``i`` (1..2000) of 100,00 paid in full by payment
    ``5000 + i``, lowered by correction ``10000 + i`` of -10,00 (the later the invoice, the
    later its correction changed: page 1 of corrections lowers the invoices on page 1 of
    invoices, the ones an incremental read of invoices gives)."""
    account = Batching(server, batches)
    account.invoices = [
        {**INVOICE, "id": i, "number": f"{i}/2026", "price_gross": "100,00", "paid": "100,00",
         "updated_at": changed(FEBRUARY_10, i)}
        for i in range(1, N + 1)]
    account.payments = [paying(i) for i in range(1, N + 1)]
    account.corrections = [
        {**CORRECTION, "id": 10000 + i, "number": f"FK/{i}/2026", "invoice_id": i,
         "price_gross": "-10,00",
         "updated_at": changed(FEBRUARY_20, i)}
        for i in range(1, N + 1)]
    return account


def connector_of(server: HTTPServer) -> FakturowniaConnector:
    return FakturowniaConnector(subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"),
                                clock=lambda: NOW, sleep=lambda seconds: None)


def batches_asked(server: HTTPServer) -> int:
    return sum(1 for request, _ in server.log if "invoice_ids" in request.args)


def by_id_asked(server: HTTPServer) -> int:
    return sum(1 for request, _ in server.log if request.path.startswith("/invoices/"))


@pytest.mark.parametrize(
    ("batches", "sent", "sent_in_batches", "sent_by_id"),
    [
        # Clients 2 (a page, the empty one), invoices 1 (page 1 holds changes before the
        # cursor), payments 41 and corrections 41 (20 pages, the empty one, 20 boundary
        # checks), and one batch for each of the 19 pages of corrections whose invoices the
        # read of invoices did not give. Was 1,985: 1,900 of them each read one invoice.
        ("heeded", 104, 19, 0),
        # The filter not heeded: the first batch shows it, and the sync costs what it did.
        ("unheeded", 1986, 1, 1900),
    ],
)
def test_an_incremental_sync_where_nothing_changed_costs_the_list_pages(
    httpserver: HTTPServer, tmp_path: Path, batches: str, sent: int, sent_in_batches: int,
    sent_by_id: int,
) -> None:
    measured_account(httpserver, batches)
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(connector_of(httpserver))
        httpserver.clear_log()
        store.sync(connector_of(httpserver))
        held = credit_held(store.load(base_currency="PLN"), MARCH)
    assert len(httpserver.log) == sent
    assert batches_asked(httpserver) == sent_in_batches
    assert by_id_asked(httpserver) == sent_by_id
    # Every correction was handed its paid invoice: all of it is credit the client holds.
    assert held == Decimal(10 * N)


def test_a_full_sync_reads_no_invoice_again(httpserver: HTTPServer) -> None:
    # The invoices were read whole before the corrections: nothing is read by id or batch,
    # 125 requests as before (clients 2, then 41 for each list).
    measured_account(httpserver)
    pulled = pull(connector_of(httpserver))
    assert batches_asked(httpserver) == by_id_asked(httpserver) == 0
    assert len(httpserver.log) == 125
    notes = [r for r in pulled.records if isinstance(r, CreditNote)]
    assert len(notes) == N
    assert not any(n.allocations for n in notes)


def small_account(server: HTTPServer, batches: str) -> Batching:
    """Five invoices of 100,00 paid in full, each lowered by its correction of -10,00,
    correction 10005 refunded in cash (10,00): 40,00 of credit held. Invoice 6, corrected by
    nothing, changed last: the list unfiltered gives it first."""
    account = Batching(server, batches)
    account.invoices = [{**INVOICE, "id": i, "price_gross": "100,00", "paid": "100,00"}
                        for i in range(1, 6)]
    account.invoices.append({**INVOICE, "id": 6, "updated_at": "2026-03-01T10:00:00+01:00"})
    account.payments = [paying(i) for i in range(1, 6)]
    account.payments.append(refund(901, "10,00", "2026-02-25", tied(10005, "-10,00")))
    account.corrections = [{**CORRECTION, "id": 10000 + i, "invoice_id": i,
                            "price_gross": "-10,00"} for i in range(1, 6)]
    return account


def credit_notes_read(server: HTTPServer) -> tuple[dict[str, CreditNote], list[str]]:
    """A sync of the corrections alone (none of their invoices read before them): the
    credit notes by id, and the notes."""
    pages = list(connector_of(server).sync(streams=["credit_notes"]))
    return ({r.id: r for p in pages for r in p.records if isinstance(r, CreditNote)},
            [n for p in pages for n in p.notes])


@pytest.mark.parametrize(
    ("batches", "sent_in_batches", "sent_by_id"),
    [
        ("heeded", 1, 0),
        # 3 of 5 given, then the other 2.
        ("capped", 2, 0),
        # The batch gives invoice 6, not asked for: the filter is not heeded. Of what it gave,
        # the four asked for are kept, invoice 5 is read by its id, and no batch asked again.
        ("unheeded", 1, 1),
    ],
)
def test_each_reading_of_the_batch_filter_hands_each_correction_its_invoice(
    httpserver: HTTPServer, batches: str, sent_in_batches: int, sent_by_id: int,
) -> None:
    small_account(httpserver, batches)
    notes, _ = credit_notes_read(httpserver)
    assert batches_asked(httpserver) == sent_in_batches
    assert by_id_asked(httpserver) == sent_by_id
    # Each invoice was paid in full: each correction is all credit, 10005's paid back.
    assert sorted(notes) == [f"1000{i}" for i in range(1, 6)]
    assert not any(n.allocations for n in notes.values())
    assert [r.amount for r in notes["10005"].refunds] == [Decimal("10.00")]


@pytest.mark.parametrize("batches", ["heeded", "capped", "unheeded"])
def test_an_invoice_a_batch_does_not_give_is_read_by_its_id_and_a_deleted_one_noted(
    httpserver: HTTPServer, batches: str,
) -> None:
    # Invoice 3 deleted in Fakturownia (its correction stays): no batch gives it, it is read
    # by its id, and the 404 says it is gone, as when each invoice was read by its id: its
    # correction is applied to it in full, with the note.
    account = small_account(httpserver, batches)
    account.invoices = [i for i in account.invoices if i["id"] != 3]
    notes, said = credit_notes_read(httpserver)
    assert [n for n in said if "could not be read" in n] == [
        "credit_notes: invoice 3, which a correction lowers, could not be read "
        "(GET /invoices/3.json answered 404): the correction is applied to it in full, "
        "whatever was paid on it"]
    assert asked(httpserver, "/invoices/3.json") == 1
    assert [(a.invoice_id, a.amount) for a in notes["10003"].allocations] == [
        ("3", Decimal("10.00"))]
    assert not any(notes[f"1000{i}"].allocations for i in (1, 2, 4, 5))


class Refusing(Batching):
    """:class:`Batching` (heeded) whose batches all get ``status``, the token in the body."""

    def __init__(self, server: HTTPServer, status: int) -> None:
        super().__init__(server)
        self.status = status

    def answer(self, request: Request) -> Response:
        if "invoice_ids" in request.args:
            return Response(f'{{"message": "bad token {TOKEN}"}}', status=self.status,
                            content_type="application/json")
        return super().answer(request)


def refusing_account(server: HTTPServer, status: int) -> Refusing:
    """:func:`small_account`'s five invoices and corrections, every batch answered ``status``,
    invoice 3 deleted (its correction stays)."""
    model = small_account(server, "heeded")
    account = Refusing(server, status)
    account.invoices = [i for i in model.invoices if i["id"] != 3]
    account.payments, account.corrections = model.payments, model.corrections
    return account


@pytest.mark.parametrize("status", [400, 404, 422])
def test_a_batch_refused_as_a_request_reads_each_invoice_by_its_id(
    httpserver: HTTPServer, status: int,
) -> None:
    # Fakturownia may answer a batch holding a deleted invoice (3) as a Rails find(ids) does,
    # 404 for the whole request (review of cdfa470: the sync failed; one by one it ended with
    # the 404 note): the batch gives nothing, none is asked again, each invoice is read by
    # its id, and the deleted one is noted as it was.
    refusing_account(httpserver, status)
    notes, said = credit_notes_read(httpserver)
    assert batches_asked(httpserver) == 1
    assert by_id_asked(httpserver) == 5
    assert [n for n in said if "could not be read" in n] == [
        "credit_notes: invoice 3, which a correction lowers, could not be read "
        "(GET /invoices/3.json answered 404): the correction is applied to it in full, "
        "whatever was paid on it"]
    assert not any(notes[f"1000{i}"].allocations for i in (1, 2, 4, 5))
    assert not any(TOKEN in n for n in said)


@pytest.mark.parametrize(("status", "error"), [(401, AuthError), (500, ApiError)])
def test_a_batch_failing_otherwise_fails_the_sync_without_the_token(
    httpserver: HTTPServer, status: int, error: type[ConnectorError],
) -> None:
    refusing_account(httpserver, status)
    with pytest.raises(error) as raised:
        list(connector_of(httpserver).sync(streams=["credit_notes"]))
    assert "invoice_ids" in str(raised.value)
    assert TOKEN not in str(raised.value)
    assert TOKEN not in repr(raised.value)
