"""What a sync costs in requests when payments pay final invoices (faktury końcowe) and their
advances (faktury zaliczkowe), and that the batches change no record.

The payments are read whole on every sync (no change filter), and each final invoice a
payment pays is handed its advances (``test_final_invoices_paid.py``): the final invoice read
by its id when the payment's copy names none, and each advance it names. Those reads, and the
advances of a final invoice read for the invoices stream or for a correction, are made in
batches of a page (``GET /invoices.json?invoice_ids=...``, as the corrected invoices are:
``test_corrected_invoices_cost.py``), not one request each.

The account of the measure (docs/connectors/fakturownia.md, "Advance and final invoices"):
1,000 orders, each an advance invoice ``i`` (1..1000) of 400,00 and a final invoice
``1000 + i`` of 1 000,00 naming it, so counting at 600,00; each paid in full by its own banking
payment (``5000 + i`` the advance, ``7000 + i`` the final invoice, whose copy in the payment
names no advances, listed one after the other), 100 a page. 2,000 invoices, 2,000 payments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import Pulled, pull
from clientguard.ledger import Ledger
from clientguard.model import CreditNote, Invoice, Payment
from clientguard.settlement import settle
from clientguard.store import Store
from clientguard_fakturownia import FakturowniaConnector

from .test_corrected_invoices_cost import (
    FEBRUARY_10,
    FEBRUARY_20,
    Batching,
    batches_asked,
    by_id_asked,
    changed,
)
from .test_refunds import TOKEN

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 8, 31)
ORDERS = 1000


def advance(ident: int, gross: str, **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": ident, "number": f"FZ/{ident}/2026", "kind": "advance", "income": 1,
        "status": "paid", "issue_date": "2026-02-01", "payment_to": "2026-02-15",
        "paid_date": "2026-02-10", "price_gross": gross, "paid": gross, "currency": "PLN",
        "client_id": 9, "updated_at": "2026-02-10T10:00:00+01:00",
    }
    raw.update(changes)
    return raw


def final(ident: int, gross: str, named: list[int], **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": ident, "number": f"FK/{ident}/2026", "kind": "final", "income": 1,
        "status": "issued", "issue_date": "2026-03-01", "payment_to": "2026-03-15",
        "paid_date": None, "price_gross": gross, "paid": "0,00", "currency": "PLN",
        "client_id": 9, "invoice_ids": named, "updated_at": "2026-03-01T10:00:00+01:00",
    }
    raw.update(changes)
    return raw


def copy(document: dict[str, Any], *, names_advances: bool = False) -> dict[str, Any]:
    """``document`` as a payment lists it (``include=invoices``); a final invoice's copy
    without its ``invoice_ids`` unless ``names_advances``."""
    fields = ["id", "kind", "income", "price_gross", "currency", "client_id"]
    if names_advances:
        fields.append("invoice_ids")
    return {k: document[k] for k in fields if k in document}


def paying(ident: int, price: str, day: str, *documents: dict[str, Any]) -> dict[str, Any]:
    return {"id": ident, "name": "Przelew", "price": price, "paid": True, "kind": "api",
            "paid_date": day, "currency": "PLN", "client_id": 9,
            "updated_at": f"{day}T10:00:00+01:00", "invoices": list(documents)}


def connector_of(server: HTTPServer, page_size: int = 100) -> FakturowniaConnector:
    return FakturowniaConnector(subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"),
                                clock=lambda: NOW, sleep=lambda seconds: None,
                                page_size=page_size)


# --------------------------------------------------------------------------- the cost


def measured_account(server: HTTPServer, batches: str = "heeded") -> Batching:
    """The account of the measure (the module's docstring). The final invoices changed after
    every advance: the invoices list gives them first, and an incremental read stops at its
    page 1, final invoices 1901..2000, whose advances 901..1000 it did not list."""
    account = Batching(server, batches)
    account.invoices = [
        *(advance(i, "400,00", updated_at=changed(FEBRUARY_10, i)) for i in range(1, ORDERS + 1)),
        *(final(1000 + i, "1000,00", [i], updated_at=changed(FEBRUARY_20, i))
          for i in range(1, ORDERS + 1)),
    ]
    by_id = {d["id"]: d for d in account.invoices}
    account.payments = [
        payment
        for i in range(1, ORDERS + 1)
        for payment in (paying(5000 + i, "400,00", "2026-02-10", copy(by_id[i])),
                        paying(7000 + i, "600,00", "2026-03-10", copy(by_id[1000 + i])))
    ]
    return account


def everything_settled(ledger: Ledger) -> tuple[Decimal, Decimal]:
    """The ledger's revenue (the invoices' totals) and what is still open on them."""
    invoices = [i for i in ledger.invoices if isinstance(i, Invoice)]
    settled = settle(ledger, as_of=AS_OF)
    return (sum((i.total for i in invoices), Decimal(0)),
            sum((settled[i.id].open_balance for i in invoices), Decimal(0)))


@pytest.mark.parametrize(
    ("batches", "sent", "sent_in_batches", "sent_by_id"),
    [
        # Clients 2 (a page, the empty one); invoices 1 (page 1 holds changes before the
        # cursor) and 1 batch of the 100 advances its final invoices name; payments 41 (20
        # pages, the empty one, 20 boundary checks) and, for each of the 20 pages (50 final
        # invoices, 50 advances), 1 batch of its 50 final invoices and 1 of their 50
        # advances; corrections 1 (an empty list). 2 + 1 + 1 + 41 + 40 + 1 = 86.
        # Was 2,145: 100 advances for the invoices and, for the payments, 1,000 final
        # invoices and their 1,000 advances, one request each.
        ("heeded", 86, 41, 0),
        # The filter not heeded: a batch shows it in each of the two streams that ask (the
        # invoices' 100 advances, then all of the payments' 2,000 by id): 2,145 + 2.
        ("unheeded", 2147, 2, 2100),
    ],
)
def test_an_incremental_sync_where_nothing_changed_reads_final_invoices_in_batches(
    httpserver: HTTPServer, tmp_path: Path, batches: str, sent: int, sent_in_batches: int,
    sent_by_id: int,
) -> None:
    measured_account(httpserver, batches)
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(connector_of(httpserver))
        httpserver.clear_log()
        store.sync(connector_of(httpserver))
        ledger = store.load(base_currency="PLN")
    assert len(httpserver.log) == sent
    assert batches_asked(httpserver) == sent_in_batches
    assert by_id_asked(httpserver) == sent_by_id
    # Each order counts once, 1 000,00 (400,00 + 600,00), and each payment paid its invoice
    # in full: a final invoice not handed its advance would count 1 000,00 and stay 400,00
    # open.
    assert everything_settled(ledger) == (Decimal(1000 * ORDERS), Decimal(0))


def test_a_full_sync_reads_the_advances_ahead_of_their_list_in_batches(
    httpserver: HTTPServer,
) -> None:
    # Clients 2, invoices 41 (the 10 pages of final invoices come before the 10 of advances:
    # each asks for its 100 advances in 1 batch), payments 41 + 40, corrections 1:
    # 2 + 41 + 10 + 41 + 40 + 1 = 135. Was 3,085 (1,000 advances by id for the invoices,
    # 2,000 final invoices and advances by id for the payments).
    measured_account(httpserver)
    pulled = pull(connector_of(httpserver))
    assert len(httpserver.log) == 135
    assert (batches_asked(httpserver), by_id_asked(httpserver)) == (50, 0)
    ledger = Ledger.build(pulled.records, base_currency="PLN")
    assert everything_settled(ledger) == (Decimal(1000 * ORDERS), Decimal(0))


# --------------------------------------------------------------------------- the records
# A varied book, worked by hand (client 9, złoty unless said):
#   order A: advances FZ/1 (1) of 3 000,00 paid and FZ/2 (2) of 2 000,00 unpaid; the final
#     invoice FK/3 (3) of 10 000,00 naming both counts 5 000,00. FK/4 (4) of 3 500,00 names
#     FZ/1 too: counts 500,00.
#   order B: advance FZ/11 (11) of 500,00 EUR; the final invoice FK/12 (12) of 4 000,00 PLN
#     naming it is rejected (an advance in another currency).
#   order C: advance FZ/21 (21) deleted in Fakturownia (404), advance FZ/23 (23) of
#     1 000,00; the final invoice FK/22 (22) of 6 000,00 naming both counts 5 000,00, with
#     the note that FZ/21 is gone.
#   FV/30 (30): an invoice of 1 230,00 paid in full.
#   Corrections: KOR/50 of -8 000,00 on FK/3 (takes its 5 000,00, the rest is credit),
#     KOR/51 of -1 000,00 on FK/22, KOR/52 of -230,00 on FV/30 (paid: all credit), KOR/53
#     of -100,00 on FK/12.
#   Payments: 7 000,00 listing FK/3 (its copy names no advances) then FZ/2: 5 000,00 and
#     2 000,00; 4 000,00 for FK/12; 5 000,00 for FK/22 (its copy names FZ/21 and FZ/23);
#     3 000,00 for FZ/1; 500,00 for FK/4; 1 230,00 for FV/30.
# Three documents a page: an incremental read of invoices gives FK/4, FV/30 and FZ/2 (the
# advance edited when it was paid) and no other, so FK/3, FK/12 and FK/22 are read by id for
# their corrections and for the payments, and every advance by id.

VARIED_INVOICES = [
    advance(1, "3000,00", updated_at="2026-05-04T10:00:00+02:00"),
    advance(2, "2000,00", status="issued", paid="0,00", paid_date=None,
            updated_at="2026-07-02T10:00:00+02:00"),
    final(3, "10000,00", [1, 2], updated_at="2026-07-01T10:00:00+02:00"),
    final(4, "3500,00", [1], updated_at="2026-07-05T10:00:00+02:00"),
    advance(11, "500,00", currency="EUR", updated_at="2026-05-10T10:00:00+02:00"),
    final(12, "4000,00", [11], updated_at="2026-06-20T10:00:00+02:00"),
    advance(23, "1000,00", updated_at="2026-05-20T10:00:00+02:00"),
    final(22, "6000,00", [21, 23], updated_at="2026-06-25T10:00:00+02:00"),
    {**advance(30, "1230,00"), "kind": "vat", "number": "FV/30/2026",
     "updated_at": "2026-07-03T10:00:00+02:00"},
]


def correcting(ident: int, invoice: int, gross: str, day: str) -> dict[str, Any]:
    return {"id": ident, "number": f"KOR/{ident}/2026", "kind": "correction", "income": 1,
            "status": "issued", "issue_date": day, "payment_to": day, "price_gross": gross,
            "paid": "0,00", "currency": "PLN", "client_id": 9, "invoice_id": invoice,
            "updated_at": f"{day}T10:00:00+02:00"}


VARIED_CORRECTIONS = [correcting(50, 3, "-8000,00", "2026-07-20"),
                      correcting(51, 22, "-1000,00", "2026-07-21"),
                      correcting(52, 30, "-230,00", "2026-07-22"),
                      correcting(53, 12, "-100,00", "2026-07-23")]


def varied_account(server: HTTPServer, batches: str) -> Batching:
    """The varied book, its batches answered as ``batches`` says (:class:`Batching`, or
    ``"refused"``: every batch answered 404, so every invoice is read by its id, as all were
    before the batches)."""
    account = Refused(server) if batches == "refused" else Batching(server, batches)
    account.invoices = [dict(d) for d in VARIED_INVOICES]
    account.corrections = [dict(d) for d in VARIED_CORRECTIONS]
    by_id = {d["id"]: d for d in account.invoices}
    account.payments = [
        paying(60, "7000,00", "2026-07-10", copy(by_id[3]), copy(by_id[2])),
        paying(61, "4000,00", "2026-07-11", copy(by_id[12])),
        paying(62, "5000,00", "2026-07-12", copy(by_id[22], names_advances=True)),
        paying(63, "3000,00", "2026-05-05", copy(by_id[1])),
        paying(64, "500,00", "2026-07-13", copy(by_id[4])),
        paying(65, "1230,00", "2026-07-14", copy(by_id[30])),
    ]
    return account


class Refused(Batching):
    """:class:`Batching` whose every batch is answered 404."""

    def answer(self, request: Request) -> Response:
        if "invoice_ids" in request.args:
            return Response("Not found", status=404)
        return super().answer(request)


def synced_twice(server: HTTPServer) -> tuple[Pulled, Pulled]:
    """A first (full) sync of the varied book, then an incremental one where nothing
    changed, three documents a page."""
    first = pull(connector_of(server, page_size=3))
    return first, pull(connector_of(server, page_size=3), first.state)


def everything_of(pulled: Pulled) -> tuple[Any, ...]:
    return (pulled.records, pulled.rejected, dict(pulled.locations), pulled.skipped,
            pulled.notes, pulled.state)


@pytest.mark.parametrize("batches", ["heeded", "capped", "unheeded"])
def test_the_batches_give_the_records_the_reads_one_by_one_give(
    httpserver: HTTPServer, batches: str,
) -> None:
    # Each reading of the filter, against the same book with every batch refused (each
    # invoice read by its id, the reads the sync made before the batches): the same records,
    # rejections, locations, skips and notes, from both syncs.
    varied_account(httpserver, "refused")
    one_by_one = synced_twice(httpserver)
    varied_account(httpserver, batches)
    batched = synced_twice(httpserver)
    assert [everything_of(p) for p in batched] == [everything_of(p) for p in one_by_one]


def test_the_varied_book_is_read_in_batches_and_counted_by_hand(
    httpserver: HTTPServer,
) -> None:
    varied_account(httpserver, "heeded")
    first, later = synced_twice(httpserver)
    read = sorted(r.path for r, _ in httpserver.log if r.path.startswith("/invoices/"))
    # Read by id only what a batch cannot give. A lone invoice: FZ/1, the one advance page 1
    # of invoices (FK/4, FV/30, FZ/2) lacks, in each sync; FK/4, the one final invoice on
    # page 2 of payments (63, 64, 65), in each sync; FK/3, corrected on page 2 of the
    # corrections (KOR/50), in the incremental sync. And FZ/21, which no batch gives
    # (deleted: its 404 says so), once in each read that needs it, as before the batches:
    # the invoices (first sync: page 2 holds FK/22), the payments (both syncs), the
    # corrections (the incremental sync: page 1 corrects FK/22). Every other invoice came in
    # one of 10 batches: 1 of invoices and 3 of payments in the first sync, 3 of payments and
    # 3 of corrections in the incremental one.
    assert read == sorted(["/invoices/1.json"] * 2 + ["/invoices/4.json"] * 2
                          + ["/invoices/3.json"] + ["/invoices/21.json"] * 4)
    assert batches_asked(httpserver) == 10
    for pulled in (first, later):
        counted = {r.id: r.total for r in pulled.records if isinstance(r, Invoice)}
        paid = {p.id: [(a.invoice_id, a.amount) for a in p.allocations]
                for p in pulled.records if isinstance(p, Payment)}
        applied = {c.id: [(a.invoice_id, a.amount) for a in c.allocations]
                   for c in pulled.records if isinstance(c, CreditNote)}
        rejected = {r.record_id: r.reason for r in pulled.rejected}
        if pulled is first:  # the incremental sync lists FK/4, FV/30 and FZ/2 alone
            assert counted == {"1": Decimal("3000.00"), "2": Decimal("2000.00"),
                               "3": Decimal("5000.00"), "4": Decimal("500.00"),
                               "11": Decimal("500.00"), "22": Decimal("5000.00"),
                               "23": Decimal("1000.00"), "30": Decimal("1230.00")}
            assert "advance invoice 11 is in EUR" in rejected["12"]
        else:
            assert counted == {"2": Decimal("2000.00"), "4": Decimal("500.00"),
                               "30": Decimal("1230.00")}
        assert paid["60"] == [("3", Decimal("5000.00")), ("2", Decimal("2000.00"))]
        assert paid["62"] == [("22", Decimal("5000.00"))]
        assert paid["64"] == [("4", Decimal("500.00"))]
        assert applied["50"] == [("3", Decimal("5000.00"))]
        assert applied["51"] == [("22", Decimal("1000.00"))]
        assert applied["52"] == []
        # FZ/21's 404 said once in each read that needed it (above).
        assert [n.split(":")[0] for n in pulled.notes if "advance invoice 21" in n
                and "answered 404" in n] == (["invoices", "payments"] if pulled is first
                                             else ["payments", "credit_notes"])
