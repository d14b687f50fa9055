"""A correction (faktura korygująca) of a final invoice (faktura końcowa) takes from the final
invoice only what is open on the amount the final invoice counts at: its ``price_gross`` less
its advance invoices (faktury zaliczkowe), as the final invoice itself is counted.

The order (worked by hand, as in test_final_invoices.py): 10 000,00 PLN in all. Advance FZ/1 of
3 000,00 and advance FZ/2 of 2 000,00, each paid; the final invoice FK/3 of 1 July states the
whole order, 10 000,00, names its advances in ``invoice_ids`` and counts 10 000 - 3 000 -
2 000 = 5 000,00. KOR/50 of 20 July corrects FK/3.

Measured against FK/3's whole 10 000,00, a correction of -8 000,00 took 8 000,00 off an invoice
of 5 000,00: the ledger refused the credit note, and the 8 000,00 it takes off the revenue was
lost with it (revenue 10 000,00 instead of 2 000,00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import Skip, pull
from clientguard.metrics.concentration import revenue_by_client
from clientguard.model import CreditNote
from clientguard.settlement import settle, unapplied_cash
from clientguard_fakturownia import FakturowniaConnector
from clientguard_fakturownia.mapping import (
    ADVANCE_FIELDS,
    ADVANCES_KEY,
    CORRECTED_INVOICE_FIELDS,
    CORRECTED_INVOICE_KEY,
    map_document,
)

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 8, 31)
TOKEN = "fk-TOKEN-final-corrections-789"


def advance(ident: int, gross: str, issued: str, **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": ident, "number": f"FZ/{ident}/2026", "kind": "advance", "status": "paid",
        "issue_date": issued, "payment_to": issued, "paid_date": issued,
        "price_gross": gross, "paid": gross, "currency": "PLN", "client_id": 7,
        "invoice_id": 90, "updated_at": f"{issued}T10:00:00+02:00",
    }
    raw.update(changes)
    return raw


FZ1 = advance(1, "3000,00", "2026-05-04")
FZ2 = advance(2, "2000,00", "2026-06-01")


def final(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": 3, "number": "FK/3/2026", "kind": "final", "status": "issued",
        "issue_date": "2026-07-01", "payment_to": "2026-07-15", "paid_date": None,
        "price_gross": "10 000,00", "paid": "0,00", "currency": "PLN", "client_id": 7,
        "invoice_id": 90, "from_invoice_id": 90, "invoice_ids": [1, 2],
        "updated_at": "2026-07-01T10:00:00+02:00",
    }
    raw.update(changes)
    return raw


def correction(gross: str, **changes: Any) -> dict[str, Any]:
    """KOR/50/2026 of 20 July, lowering FK/3/2026 by ``gross`` (negative)."""
    raw: dict[str, Any] = {
        "id": 50, "number": "KOR/50/2026", "kind": "correction", "status": "issued",
        "issue_date": "2026-07-20", "payment_to": "2026-08-03", "price_gross": gross,
        "paid": "0,00", "currency": "PLN", "client_id": 7, "invoice_id": 3,
        "from_invoice_id": 3, "updated_at": "2026-07-20T10:00:00+02:00",
    }
    raw.update(changes)
    return raw


def as_handed_over(invoice: dict[str, Any], *advances: dict[str, Any] | None) -> dict[str, Any]:
    """What the connector hands a correction of ``invoice``: its CORRECTED_INVOICE_FIELDS,
    with the advances a final invoice names that were read (``None``: none given)."""
    given = dict(invoice)
    if advances != (None,):
        given[ADVANCES_KEY] = [{k: a.get(k) for k in ADVANCE_FIELDS}
                               for a in advances if a is not None]
    return {name: given.get(name) for name in CORRECTED_INVOICE_FIELDS}


# --------------------------------------------------------------------------- the mapping


@pytest.mark.parametrize(
    ("corrects", "gross", "applied"),
    [
        # FK/3 counts 5 000,00, nothing paid on it: all of it can be taken, the rest is credit.
        pytest.param(as_handed_over(final(), FZ1, FZ2), "-8000,00", Decimal("5000.00"),
                     id="more than the final counts: up to its 5 000"),
        pytest.param(as_handed_over(final(), FZ1, FZ2), "-1000,00", Decimal("1000.00"),
                     id="within what is open"),
        # Paid in full: 5 000,00 paid on 5 000,00 leaves nothing to take (the whole
        # 10 000,00 would have left 5 000,00 and let the correction over-apply it).
        pytest.param(as_handed_over(final(status="paid", paid="5000,00",
                                          paid_date="2026-07-10"), FZ1, FZ2),
                     "-1000,00", Decimal(0), id="final paid in full"),
        pytest.param(as_handed_over(final(status="partial", paid="4500,00"), FZ1, FZ2),
                     "-1000,00", Decimal("500.00"), id="final part paid: 500 open"),
        # A rejected advance takes nothing off: FK/3 counts 7 000,00; 6 500,00 paid.
        pytest.param(as_handed_over(final(status="partial", paid="6500,00"), FZ1,
                                    {**FZ2, "status": "rejected"}),
                     "-1000,00", Decimal("500.00"), id="a rejected advance"),
        # The advances cover the whole order: FK/3 is left out, nothing can be taken off it.
        pytest.param(as_handed_over(final(price_gross="5000,00"), FZ1, FZ2),
                     "-1000,00", Decimal(0), id="wholly paid in advance"),
        # Advances above price_gross: FK/3 states only what is left and counts 4 000,00.
        pytest.param(as_handed_over(final(price_gross="4000,00"), FZ1, FZ2),
                     "-1000,00", Decimal("1000.00"), id="already net of its advances"),
        # Advances not given (not read): FK/3 counts its whole 10 000,00, and so does this.
        pytest.param(as_handed_over(final(), None), "-8000,00", Decimal("8000.00"),
                     id="advances not given"),
    ],
)
def test_a_correction_of_a_final_invoice_takes_only_what_the_final_invoice_counts(
    corrects: dict[str, Any], gross: str, applied: Decimal
) -> None:
    note = map_document({**correction(gross), CORRECTED_INVOICE_KEY: corrects})
    assert isinstance(note, CreditNote)
    assert note.total == -Decimal(gross.replace(",", "."))  # revenue lowered by all of it
    assert sum((a.amount for a in note.allocations), Decimal(0)) == applied
    assert all(a.invoice_id == "3" for a in note.allocations)


CENTS = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@given(
    gross=CENTS,
    advances=st.lists(st.tuples(CENTS, st.booleans()), max_size=3),
)
def test_a_correction_never_finds_more_open_than_the_final_invoice_counts(
    gross: Decimal, advances: list[tuple[Decimal, bool]]
) -> None:
    # Whatever the advances (rejected or not, adding up to less, all or more than the
    # order): a correction larger than the order takes exactly what the final invoice made
    # from the same records counts (nothing when that final invoice is left out).
    named = [advance(i, str(amount), "2026-05-04", status="rejected" if rejected else "paid")
             for i, (amount, rejected) in enumerate(advances, 1)]
    order = final(price_gross=str(gross), invoice_ids=[a["id"] for a in named])
    invoice = map_document({**order, ADVANCES_KEY: [
        {k: a.get(k) for k in ADVANCE_FIELDS} for a in named]})
    note = map_document({**correction(f"-{gross + 1}"),
                         CORRECTED_INVOICE_KEY: as_handed_over(order, *named)})
    assert isinstance(note, CreditNote)
    taken = sum((a.amount for a in note.allocations), Decimal(0))
    if isinstance(invoice, cg.Invoice):
        assert taken == invoice.total
    else:
        assert isinstance(invoice, Skip)
        assert taken == 0


# --------------------------------------------------------------------------- over HTTP


def connector(server: HTTPServer) -> FakturowniaConnector:
    return FakturowniaConnector(
        subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"), clock=lambda: NOW,
        sleep=lambda seconds: None,
    )


def serve_sync(server: HTTPServer, *, invoices: list[dict[str, Any]],
               corrections: list[dict[str, Any]], payments: list[dict[str, Any]]) -> None:
    """One full sync, stream by stream in the connector's order, each list then (after a
    list that is not empty) the empty page that ends it."""
    for path, page in (("/clients.json", [{"id": 7, "name": "Klient"}]),
                       ("/invoices.json", invoices), ("/banking/payments.json", payments),
                       ("/invoices.json", corrections)):
        server.expect_ordered_request(path).respond_with_json(page)
        if page:
            server.expect_ordered_request(path).respond_with_json([])


def test_a_sync_lowers_the_order_by_the_correction_and_keeps_the_rest_as_credit(
    httpserver: HTTPServer,
) -> None:
    # The order cut from 10 000,00 to 2 000,00 after the advances (5 000,00) were paid: the
    # final invoice's 5 000,00 is taken off in full, and the client holds 3 000,00.
    serve_sync(httpserver, invoices=[final(), FZ2, FZ1], corrections=[correction("-8000,00")],
               payments=[])
    # strict (the default): a record the ledger refused would fail the build.
    ledger = cg.Ledger.from_connector(connector(httpserver), base_currency="PLN")
    httpserver.check_assertions()
    assert ledger.report.rejected == ()
    assert revenue_by_client(ledger, first=date(2026, 1, 1), last=AS_OF) == {
        "7": Decimal("2000.00")}
    assert settle(ledger, as_of=AS_OF)["3"].open_balance == Decimal(0)
    assert unapplied_cash(ledger, as_of=AS_OF)["7"].credit == Decimal("3000.00")
    # FK/3 and its advances were read in this sync: nothing is asked for by id.
    assert not any(req.path.startswith("/invoices/") for req, _ in httpserver.log)


def test_a_correction_after_the_final_invoice_was_paid_is_credit_the_client_holds(
    httpserver: HTTPServer,
) -> None:
    # FK/3's 5 000,00 paid on 10 July by a banking payment; KOR/50 takes 1 000,00 off later.
    paid = final(status="paid", paid="5000,00", paid_date="2026-07-10")
    payment = {"id": 8, "price": "5000,00", "currency": "PLN", "paid": True,
               "paid_date": "2026-07-10", "client_id": 7,
               "invoices": [{"id": 3, "price_gross": "10000,00"}]}
    serve_sync(httpserver, invoices=[paid, FZ2, FZ1], corrections=[correction("-1000,00")],
               payments=[payment])
    ledger = cg.Ledger.from_connector(connector(httpserver), base_currency="PLN")
    httpserver.check_assertions()
    assert ledger.report.rejected == ()
    settled = settle(ledger, as_of=AS_OF)["3"]
    assert (settled.settled_on, settled.open_balance) == (date(2026, 7, 10), Decimal(0))
    held = unapplied_cash(ledger, as_of=AS_OF)["7"]
    assert (held.credit, held.credit_note_ids) == (Decimal("1000.00"), ("50",))


def batch_of(*idents: int) -> dict[str, str]:
    """The query of one batch of invoices by id (``GET /invoices.json?invoice_ids=...``)."""
    return {"invoice_ids": ",".join(map(str, idents)), "period": "all", "page": "1",
            "per_page": str(len(idents)), "api_token": TOKEN}


def test_a_corrected_final_invoice_read_by_id_comes_with_its_advances(
    httpserver: HTTPServer,
) -> None:
    # credit_notes alone: the banking payments are read first, for the refunds (none).
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json([])
    # The corrections alone (as in an incremental sync where FK/3 did not change): FK/3 is
    # read by its id (a lone invoice), then the advances it names, once, after the page that
    # needs them: together, in one batch (they were read one by one before the batches).
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [correction("-8000,00"), correction("-100,00", id=51, number="KOR/51/2026")])
    httpserver.expect_ordered_request("/invoices/3.json").respond_with_json(final())
    httpserver.expect_ordered_request("/invoices.json", query_string=batch_of(1, 2)
                                      ).respond_with_json([FZ1, FZ2])
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([])
    pulled = pull(connector(httpserver), streams=["credit_notes"])
    httpserver.check_assertions()
    assert all(req.args.getlist("api_token") == [TOKEN] for req, _ in httpserver.log)
    applied = {r.id: [(a.invoice_id, a.amount) for a in r.allocations]
               for r in pulled.records if isinstance(r, CreditNote)}
    # Each correction is measured against FK/3's 5 000,00 with nothing paid (the mapping
    # sees each on its own; the ledger caps what they take together).
    assert applied == {"50": [("3", Decimal("5000.00"))], "51": [("3", Decimal("100.00"))]}
    assert pulled.notes == ()


def test_an_advance_of_a_corrected_final_invoice_that_is_gone_is_said(
    httpserver: HTTPServer,
) -> None:
    # credit_notes alone: the banking payments are read first, for the refunds (none).
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json([])
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [correction("-8000,00")])
    httpserver.expect_ordered_request("/invoices/3.json").respond_with_json(final())
    # FZ/2 deleted: the batch of its advances gives FZ/1 alone, and FZ/2 is read by its id,
    # whose 404 says it is gone.
    httpserver.expect_ordered_request("/invoices.json", query_string=batch_of(1, 2)
                                      ).respond_with_json([FZ1])
    httpserver.expect_ordered_request("/invoices/2.json").respond_with_json(
        {"code": "error", "message": "Not Found"}, status=404)
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([])
    pulled = pull(connector(httpserver), streams=["credit_notes"])
    httpserver.check_assertions()
    (note,) = pulled.records
    assert isinstance(note, CreditNote)
    # FZ/2 gone: FK/3 counts 10 000 - 3 000 = 7 000,00, all of which the 8 000,00 takes.
    assert [(a.invoice_id, a.amount) for a in note.allocations] == [("3", Decimal("7000.00"))]
    (said,) = pulled.notes
    assert said.startswith("credit_notes: advance invoice 2, which a final invoice settles")
    assert "404" in said
    assert TOKEN not in said
