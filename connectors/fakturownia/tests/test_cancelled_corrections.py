"""A correction (faktura korygująca) and a cancellation (anulowanie) of the same invoice.

Fakturownia cancels a document with ``POST /invoices/cancel.json``; read back, its ``kind``
is ``"canceled"`` (sixers/fakturownia-cli ``e2e/25-invoice-cancel.e2e.test.ts``), and every
document carries a ``cancelled`` flag. Its README documents no rule that stops a user from
correcting a cancelled invoice, or from cancelling an invoice that has a correction (nor
does any public client of the API: verified by search, not against a live account). Polish
practice allows a cancellation only of an invoice that never reached the buyer; one that did
is corrected instead. So whichever came first, the pair is a mistake, and the cancelled
invoice counts nothing (the connector skips it as deleted): a correction of it lowers
nothing that counts, so it is skipped too, with a note naming both documents. Kept, it was a
credit note allocated to an invoice the ledger does not hold, which the ledger refused
("load that invoice", which no sync can), so a strict ``Store.load`` failed and a lenient one
lost it; kept as credit the client holds, it would be credit for money never paid (what was
paid on the cancelled invoice is the client's unapplied cash already).

The account of the end-to-end tests, worked by hand: client 7; FV/11/2026 (id 11) of
1230,00 issued 1 July, due 15 July, nothing paid; FK/12/2026 (id 12) of 20 July corrects it
by -230,00 (``invoice_id`` 11); FV/13/2026 (id 13) of 500,00, due 15 July, untouched. Before
any cancellation the client owes 1230,00 - 230,00 + 500,00 = 1500,00. With FV/11/2026
cancelled, the client owes FV/13/2026's 500,00 and holds no credit; with only FK/12/2026
cancelled, it owes 1230,00 + 500,00 = 1730,00.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.connector import Skip, pull
from clientguard.ledger import Ledger
from clientguard.model import AnyRecord, CreditNote, Invoice
from clientguard.settlement import settle, unapplied_cash
from clientguard.store import Store, SyncResult
from clientguard_fakturownia import FakturowniaConnector
from clientguard_fakturownia.mapping import (
    ADVANCES_KEY,
    CORRECTED_INVOICE_FIELDS,
    CORRECTED_INVOICE_KEY,
    CORRECTS_CANCELLED,
    invoice_lowered_by,
    map_document,
)

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 8, 31)
TOKEN = "fk-TOKEN-cancelled-never-shown-77"
LATER = "2026-08-31T10:00:00+02:00"
"""A change after the first sync's cursors (the latest change it read is 20 July)."""


def invoice(ident: int, gross: str, **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": ident, "number": f"FV/{ident}/2026", "kind": "vat", "income": True,
        "status": "issued", "issue_date": "2026-07-01", "payment_to": "2026-07-15",
        "paid": "0,00", "price_gross": gross, "currency": "PLN", "client_id": 7,
        "cancelled": False, "invoice_id": None, "from_invoice_id": None,
        "updated_at": "2026-07-01T10:00:00+02:00",
    }
    raw.update(changes)
    return raw


def correction(ident: int = 12, gross: str = "-230,00", of: int = 11,
               **changes: Any) -> dict[str, Any]:
    raw = invoice(ident, gross, number=f"FK/{ident}/2026", kind="correction",
                  issue_date="2026-07-20", payment_to="2026-08-03", invoice_id=of,
                  from_invoice_id=of, updated_at="2026-07-20T10:00:00+02:00")
    raw.update(changes)
    return raw


def cancelled(document: dict[str, Any], at: str = LATER) -> dict[str, Any]:
    """``document`` after ``POST /invoices/cancel.json`` at ``at``, as it reads back."""
    return {**document, "kind": "canceled", "updated_at": at}


def handed(raw: dict[str, Any], corrected: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with the corrected invoice the connector hands it (its
    CORRECTED_INVOICE_FIELDS)."""
    given = {name: corrected.get(name) for name in CORRECTED_INVOICE_FIELDS}
    return {**raw, CORRECTED_INVOICE_KEY: given}


# --------------------------------------------------------------------- the mapping

ADVANCE = invoice(21, "5000,00", number="FZ/21/2026", kind="advance")
FINAL = invoice(22, "10000,00", number="FK/22/2026", kind="final", invoice_ids=[21],
                **{ADVANCES_KEY: [{"id": 21, "kind": "advance", "status": "issued",
                                   "cancelled": False, "currency": "PLN",
                                   "price_gross": "5000,00"}]})


def flagged(document: dict[str, Any], flag: object = True) -> dict[str, Any]:
    """``document`` with its ``cancelled`` flag set, its kind left as it was."""
    return {**document, "cancelled": flag}


@pytest.mark.parametrize(
    ("live", "gone", "raw", "applied"),
    [
        # FV/11/2026: 230,00 of its 1230,00 open; cancelled as Fakturownia reads it back, or
        # with the flag every document carries set.
        (invoice(11, "1230,00"), cancelled(invoice(11, "1230,00")), correction(),
         Decimal("230.00")),
        (invoice(11, "1230,00"), flagged(invoice(11, "1230,00")), correction(),
         Decimal("230.00")),
        (invoice(11, "1230,00"), flagged(invoice(11, "1230,00"), "true"), correction(),
         Decimal("230.00")),
        # A cancelled advance invoice (faktura zaliczkowa) of 5000,00, corrected by -1000,00.
        (ADVANCE, cancelled(ADVANCE), correction(of=21, gross="-1000,00"), Decimal("1000.00")),
        (ADVANCE, flagged(ADVANCE), correction(of=21, gross="-1000,00"), Decimal("1000.00")),
        # A cancelled final invoice (faktura końcowa), given with its advance: not cancelled,
        # it counts 10000,00 - 5000,00 = 5000,00, and the correction takes 2000,00 of it.
        (FINAL, cancelled(FINAL), correction(of=22, gross="-2000,00"), Decimal("2000.00")),
        (FINAL, flagged(FINAL), correction(of=22, gross="-2000,00"), Decimal("2000.00")),
        # A correction raising the invoice by 100,00: of the live invoice an extra invoice,
        # of the cancelled one nothing (the connector hands it the corrected invoice too).
        (invoice(11, "1230,00"), cancelled(invoice(11, "1230,00")), correction(gross="100,00"),
         None),
    ],
    ids=["kind-canceled", "cancelled-flag", "cancelled-flag-text", "advance-canceled",
         "advance-flag", "final-canceled", "final-flag", "raising"],
)
def test_a_correction_of_a_cancelled_invoice_is_a_deleted_skip(
    live: dict[str, Any], gone: dict[str, Any], raw: dict[str, Any], applied: Decimal | None,
) -> None:
    """Before: what the correction makes of the invoice not cancelled (a credit note
    allocated to it, or an extra invoice), made of the cancelled one too."""
    # The invoice as it was: the correction is applied to it (or, raising it, is an invoice
    # of its own), and lowers it (or not) as the connector is told.
    made = map_document(handed(raw, live))
    if applied is None:
        assert isinstance(made, Invoice)
        assert made.total == Decimal("100.00")
    else:
        assert isinstance(made, CreditNote)
        assert [(a.invoice_id, a.amount) for a in made.allocations] == [
            (str(live["id"]), applied)]
        assert invoice_lowered_by(handed(raw, live)) == str(live["id"])
    # Cancelled: left out, and a copy an earlier sync stored leaves the store.
    document = handed(raw, gone)
    assert map_document(document) == Skip(CORRECTS_CANCELLED, deleted=True)
    # It lowers nothing: the connector gives it no refunds either.
    assert invoice_lowered_by(document) is None


def test_a_ledger_of_a_cancelled_invoice_and_its_correction_builds_strictly() -> None:
    """The reviewer's case: the invoice cancelled, its correction given it. Before: the
    strict build failed ("allocated to invoice 11, which is not in the ledger ... load that
    invoice"), and a lenient one rejected the credit note."""
    eleven = cancelled(invoice(11, "1230,00"))
    made = [map_document(eleven), map_document(handed(correction(), eleven)),
            map_document(invoice(13, "500,00"))]
    records: list[AnyRecord] = [cg.Customer(id="7", name="Klient", source="fakturownia")]
    records += [m for m in made if isinstance(m, Invoice | CreditNote)]
    ledger = Ledger.build(records, base_currency="PLN")  # strict: raised DataError
    assert ledger.report.rejected == ()
    assert [i.id for i in ledger.invoices] == ["13"]
    assert ledger.credit_notes == ()


# --------------------------------------------------------------------- over HTTP


class Account:
    """A Fakturownia account as the API answers it: ``GET /invoices.json`` gives the
    documents of the ``kind`` or ``kinds[]`` asked for (or of the ``invoice_ids``), newest
    change first, paged by ``page`` and ``per_page``; ``GET /invoices/{id}.json`` one
    document, 404 when there is none; banking payments (none) unless ``banking`` is off."""

    def __init__(self, server: HTTPServer) -> None:
        self.documents: dict[int, dict[str, Any]] = {}
        self.banking = True
        server.clear()
        server.expect_request(re.compile(r"^/.*$")).respond_with_handler(self.answer)

    def put(self, *documents: dict[str, Any]) -> None:
        for document in documents:
            self.documents[document["id"]] = document

    def answer(self, request: Request) -> Response:
        args = request.args
        listed: list[dict[str, Any]]
        if request.path == "/clients.json":
            listed = [{"id": 7, "name": "Klient"}]
        elif request.path == "/banking/payments.json" and self.banking:
            listed = []
        elif request.path == "/invoices.json":
            kinds = set(args.getlist("kinds[]")) | set(args.getlist("kind"))
            ids = set(args.get("invoice_ids", "").split(",")) - {""}
            listed = sorted(
                (d for d in self.documents.values()
                 if (not ids or str(d["id"]) in ids) and (not kinds or d["kind"] in kinds)),
                key=lambda d: str(d["updated_at"]), reverse=True)
        elif found := re.fullmatch(r"/invoices/(\d+)\.json", request.path):
            document = self.documents.get(int(found.group(1)))
            if document is None:
                return Response("Not found", status=404)
            return Response(json.dumps(document), content_type="application/json")
        else:
            return Response("Not found", status=404)
        size = int(args.get("per_page", 100))
        start = (int(args.get("page", 1)) - 1) * size
        return Response(json.dumps(listed[start:start + size]), content_type="application/json")


def connector(server: HTTPServer, **options: Any) -> FakturowniaConnector:
    return FakturowniaConnector(subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"),
                                clock=lambda: NOW, sleep=lambda seconds: None, **options)


def owed(ledger: Ledger) -> dict[str, Decimal]:
    """What each invoice of the ledger leaves open on AS_OF."""
    return {ident: s.open_balance for ident, s in settle(ledger, as_of=AS_OF).items()}


def credit_held(ledger: Ledger) -> Decimal:
    held = unapplied_cash(ledger, as_of=AS_OF)
    return held["7"].credit if "7" in held else Decimal(0)


def assert_invoice_11_is_gone_with_its_correction(
    store: Store, others: dict[str, Decimal] | None = None
) -> None:
    """Store.load is strict: before, it failed on credit note 12, allocated to invoice 11,
    which the store no longer held. What is owed is FV/13/2026's 500,00 (and ``others``)."""
    ledger = store.load(base_currency="PLN")
    assert ledger.report.rejected == ()
    assert owed(ledger) == {"13": Decimal("500.00"), **(others or {})}
    assert ledger.credit_notes == ()
    assert credit_held(ledger) == Decimal(0)


FILLERS = (cancelled(invoice(16, "50,00"), at="2026-07-25T10:00:00+02:00"),
           cancelled(invoice(17, "60,00"), at="2026-07-28T10:00:00+02:00"))
"""Two invoices cancelled before the first sync, changed after FK/12/2026, listed with the
corrections (``kinds[]`` canceled): read a document a page, an incremental read of the
corrections ends at FV/16/2026, the first changed before the cursor (FV/17/2026's change, 5
minutes back), and FK/12/2026 is listed only by a whole read."""


#: Each test twice: the payments stream read (the corrections listed whole every sync) and
#: not (``payments = false``).
WITH_AND_WITHOUT_PAYMENTS = pytest.mark.parametrize(
    "payments", [True, False], ids=["payments", "payments-off"])


def said_both(notes: tuple[str, ...]) -> bool:
    return any("FK/12/2026" in n and "FV/11/2026" in n and "cancelled" in n for n in notes)


def test_a_correction_read_after_its_invoice_was_cancelled_leaves_nothing(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    """The first sync finds FV/11/2026 cancelled and FK/12/2026 correcting it, both read in
    the same sync (the invoices stream asks for kinds[] canceled)."""
    account = Account(httpserver)
    account.put(cancelled(invoice(11, "1230,00")), correction(), invoice(13, "500,00"))
    with Store.open(tmp_path / "cg.db") as store:
        result = store.sync(connector(httpserver))
        assert_invoice_11_is_gone_with_its_correction(store)
        assert said_both(result.notes)
        assert CORRECTS_CANCELLED in result.skipped


def sync_a_correction_made_later(
    httpserver: HTTPServer, store: Store, made: Callable[..., dict[str, Any]],
) -> SyncResult:
    """Two syncs, a document a page: the first of FV/11/2026, cancelled on 30 June, FV/13/2026
    and FV/10/2026 (changed at 09:00 on 1 July); the second after ``made(updated_at=LATER)``
    (FK/12/2026, correcting FV/11/2026) was added, FV/11/2026 read by its id once in it.
    Returns the second sync's result."""
    account = Account(httpserver)
    account.put(cancelled(invoice(11, "1230,00"), at="2026-06-30T10:00:00+02:00"),
                invoice(13, "500,00"),
                invoice(10, "100,00", updated_at="2026-07-01T09:00:00+02:00"))
    store.sync(connector(httpserver, page_size=1))
    account.put(made(updated_at=LATER))
    httpserver.clear_log()
    result = store.sync(connector(httpserver, page_size=1))
    assert [r.path for r, _ in httpserver.log].count("/invoices/11.json") == 1
    return result


def test_a_correction_made_later_of_an_invoice_cancelled_before_leaves_nothing(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    """FV/11/2026 was cancelled before the first sync; FK/12/2026 comes in the next one, and
    its invoice, unchanged since, is read by its id: it reads back cancelled. (A document a
    page: the incremental read of invoices reads FV/13/2026, changed at the cursor, 1 July
    10:00, and ends at page 2, FV/10/2026 of 100,00, changed an hour before; FV/11/2026 was
    cancelled on 30 June.)"""
    with Store.open(tmp_path / "cg.db") as store:
        result = sync_a_correction_made_later(httpserver, store, correction)
        assert_invoice_11_is_gone_with_its_correction(store, {"10": Decimal("100.00")})
        assert said_both(result.notes)


@WITH_AND_WITHOUT_PAYMENTS
def test_an_invoice_cancelled_after_its_correction_was_stored_takes_it_along(
    httpserver: HTTPServer, tmp_path: Path, payments: bool,
) -> None:
    """The first sync stores FV/11/2026 open and FK/12/2026 allocated to it (230,00: the
    client owes 1500,00); FV/11/2026 is then cancelled, FK/12/2026 left as it was. The
    next sync drops the invoice (it is listed again, cancelled) and the credit note with it.
    Before: the credit note stayed allocated to an invoice the store no longer held, and
    Store.load failed. With payments the corrections are listed whole every sync; without
    (payments = false), an invoice cancelled since the last sync has them listed whole
    (FILLERS: an incremental read would not reach FK/12/2026)."""
    account = Account(httpserver)
    account.put(invoice(11, "1230,00"), correction(), invoice(13, "500,00"), *FILLERS)
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(connector(httpserver, payments=payments, page_size=1))
        before = store.load(base_currency="PLN")
        assert owed(before) == {"11": Decimal("1000.00"), "13": Decimal("500.00")}
        account.put(cancelled(account.documents[11]))
        result = store.sync(connector(httpserver, payments=payments, page_size=1))
        assert_invoice_11_is_gone_with_its_correction(store)
        assert said_both(result.notes)


@WITH_AND_WITHOUT_PAYMENTS
def test_a_correction_of_a_cancelled_final_invoice_flagged_cancelled_leaves_nothing(
    httpserver: HTTPServer, tmp_path: Path, payments: bool,
) -> None:
    """FK/22/2026, a final invoice of 10000,00 after advance FZ/21/2026 of 5000,00 (it counts
    5000,00), is corrected by -2000,00 and then cancelled with its flag set, its kind still
    ``final``: the connector hands the flag to the correction (before, it handed the kind
    only, and the credit note took 2000,00 off an invoice the store no longer held). The
    advance stays: the client owes its 5000,00. (FILLERS: an incremental read of the
    corrections would not reach FK/12/2026.)"""
    account = Account(httpserver)
    final = {k: v for k, v in FINAL.items() if k != ADVANCES_KEY}
    account.put(ADVANCE, final, correction(of=22, gross="-2000,00"), *FILLERS)
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(connector(httpserver, payments=payments, page_size=1))
        assert owed(store.load(base_currency="PLN")) == {
            "21": Decimal("5000.00"), "22": Decimal("3000.00")}
        account.put({**final, "cancelled": True, "updated_at": LATER})
        store.sync(connector(httpserver, payments=payments, page_size=1))
        ledger = store.load(base_currency="PLN")
        assert owed(ledger) == {"21": Decimal("5000.00")}
        assert ledger.credit_notes == ()


@WITH_AND_WITHOUT_PAYMENTS
def test_a_correction_cancelled_since_the_last_sync_leaves_the_store(
    httpserver: HTTPServer, tmp_path: Path, payments: bool,
) -> None:
    """FK/12/2026 is cancelled after the first sync stored it: it reads back as kind
    ``canceled``, which ``kind=correction`` never listed, and its credit note stayed until
    ``--full --prune`` (the client owing 1500,00, not 1730,00). The corrections stream now
    asks for ``kinds[]`` correction and canceled: the next sync drops it, and FV/11/2026 is
    owed in full again."""
    account = Account(httpserver)
    account.put(invoice(11, "1230,00"), correction(), invoice(13, "500,00"))
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(connector(httpserver, payments=payments))
        account.put(cancelled(account.documents[12]))
        store.sync(connector(httpserver, payments=payments))
        ledger = store.load(base_currency="PLN")
        assert [r.id for r in store.records() if isinstance(r, CreditNote)] == []
        assert owed(ledger) == {"11": Decimal("1230.00"), "13": Decimal("500.00")}
        assert {r.id for r in store.records() if isinstance(r, Invoice)} == {"11", "13"}


def corrections_listed(server: HTTPServer) -> int:
    """Requests of the corrections list (its pages and boundary checks)."""
    return sum(1 for request, _ in server.log if request.path == "/invoices.json"
               and "correction" in request.args.getlist("kinds[]"))


def test_without_payments_only_a_sync_that_sees_a_cancellation_lists_the_corrections_whole(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    """payments = false, two documents a page: FK/12/2026 and two corrections of FV/13/2026
    (FK/14, FK/15 of -10,00, changed 21 and 22 July). The sync after FV/11/2026 is cancelled
    lists the corrections whole; the sync after that, nothing changed, reads page 1 only, as
    an incremental read does (the cancellation, at the invoices' cursor now, is not new)."""
    account = Account(httpserver)
    account.put(invoice(11, "1230,00"), correction(), invoice(13, "500,00"),
                correction(14, "-10,00", of=13, updated_at="2026-07-21T10:00:00+02:00"),
                correction(15, "-10,00", of=13, updated_at="2026-07-22T10:00:00+02:00"))
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(connector(httpserver, payments=False, page_size=2))
        account.put(cancelled(account.documents[11]))
        httpserver.clear_log()
        store.sync(connector(httpserver, payments=False, page_size=2))
        whole = corrections_listed(httpserver)
        httpserver.clear_log()
        store.sync(connector(httpserver, payments=False, page_size=2))
        again = corrections_listed(httpserver)
        ledger = store.load(base_currency="PLN")
    # Whole: 11 (cancelled, listed with the corrections) and 15 on page 1, 14 and 12 on page
    # 2, page 3 empty, and a boundary check before pages 2 and 3: 5 requests. Incremental:
    # page 1 holds FK/15, changed before the cursor, and ends the read: 1.
    assert (whole, again) == (5, 1)
    # FV/13/2026 of 500,00 less its corrections of 10,00 and 10,00.
    assert owed(ledger) == {"13": Decimal("480.00")}


# --------------------------------------------------------------------- a raising correction

RAISING = "100,00"
"""FK/12/2026 raising FV/11/2026 by 100,00 (faktura korygująca "in plus"): of a live invoice,
an extra invoice of 100,00 due on its own term, 3 August (the client owes 1230,00 + 100,00 +
500,00 = 1830,00); of a cancelled one, nothing: the invoice counts nothing, and a change to
its amount changes nothing either (the client owes FV/13/2026's 500,00)."""


def raising(**changes: Any) -> dict[str, Any]:
    return correction(gross=RAISING, **changes)


def assert_raised_invoice_11_is_gone(store: Store, others: dict[str, Decimal] | None = None
                                     ) -> None:
    """Neither FV/11/2026 nor the extra invoice FK/12/2026 is owed: only FV/13/2026's 500,00
    (and ``others``). Before, FK/12/2026 stayed an invoice of 100,00, owed and late."""
    ledger = store.load(base_currency="PLN")
    assert ledger.report.rejected == ()
    assert owed(ledger) == {"13": Decimal("500.00"), **(others or {})}
    assert {r.id for r in store.records() if isinstance(r, Invoice)} == {
        "13", *(others or {})}


def test_a_raising_correction_read_with_its_cancelled_invoice_leaves_nothing(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    """The first sync finds FV/11/2026 cancelled and FK/12/2026 raising it by 100,00."""
    account = Account(httpserver)
    account.put(cancelled(invoice(11, "1230,00")), raising(), invoice(13, "500,00"))
    with Store.open(tmp_path / "cg.db") as store:
        result = store.sync(connector(httpserver))
        assert_raised_invoice_11_is_gone(store)
        assert said_both(result.notes)
        assert result.skipped.get(CORRECTS_CANCELLED) == 1


def test_a_raising_correction_made_later_of_an_invoice_cancelled_before_leaves_nothing(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    """FV/11/2026 was cancelled before the first sync; FK/12/2026 raising it comes in the
    next one, and its invoice, unchanged since, is read by its id (the account and the syncs
    of the lowering correction's test above: sync_a_correction_made_later)."""
    with Store.open(tmp_path / "cg.db") as store:
        result = sync_a_correction_made_later(httpserver, store, raising)
        assert_raised_invoice_11_is_gone(store, {"10": Decimal("100.00")})
        assert said_both(result.notes)


@WITH_AND_WITHOUT_PAYMENTS
def test_an_invoice_cancelled_after_its_raising_correction_was_stored_takes_it_along(
    httpserver: HTTPServer, tmp_path: Path, payments: bool,
) -> None:
    """The first sync stores FV/11/2026 and FK/12/2026, an extra invoice of 100,00 (the
    client owes 1830,00); FV/11/2026 is then cancelled, FK/12/2026 left as it was. The next
    sync drops both. Before: FK/12/2026 stayed an invoice of 100,00, owed and late (FILLERS:
    an incremental read of the corrections would not reach FK/12/2026)."""
    account = Account(httpserver)
    account.put(invoice(11, "1230,00"), raising(), invoice(13, "500,00"), *FILLERS)
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(connector(httpserver, payments=payments, page_size=1))
        # FV/11/2026 live: FK/12/2026 is the extra invoice it always was (handed FV/11/2026
        # now, it maps as before), due on its own term.
        live = store.load(base_currency="PLN")
        assert owed(live) == {
            "11": Decimal("1230.00"), "12": Decimal("100.00"), "13": Decimal("500.00")}
        extra = next(i for i in live.invoices if i.id == "12")
        assert (extra.total, extra.due_date) == (Decimal("100.00"), date(2026, 8, 3))
        account.put(cancelled(account.documents[11]))
        result = store.sync(connector(httpserver, payments=payments, page_size=1))
        assert_raised_invoice_11_is_gone(store)
        assert said_both(result.notes)
        assert any("what it adds is not owed" in n for n in result.notes)
        assert result.removed == 2  # FV/11/2026 and FK/12/2026's invoice


# --------------------------------------------------------------------- counted once

CANCELLED_REASON = ("cancelled document (anulowany, kind 'canceled' or cancelled: true): it "
                    "has no effect")
"""The reason the sync counts a cancelled document under (the mapping's Skip, and the
``left out on purpose`` line of ``clientguard sync``)."""


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        # One cancelled invoice: both streams list it (kinds[] canceled), one document.
        ([cancelled(invoice(11, "1230,00")), invoice(13, "500,00")], 1),
        # One cancelled correction: the same.
        ([invoice(11, "1230,00"), cancelled(correction()), invoice(13, "500,00")], 1),
        # Both, and a third cancelled invoice: three documents.
        ([cancelled(invoice(11, "1230,00")), cancelled(correction()),
          cancelled(invoice(13, "500,00"), at="2026-08-30T10:00:00+02:00")], 3),
    ],
    ids=["invoice", "correction", "three"],
)
@WITH_AND_WITHOUT_PAYMENTS
def test_a_cancelled_document_is_counted_once_a_sync(
    httpserver: HTTPServer, tmp_path: Path, documents: list[dict[str, Any]], expected: int,
    payments: bool,
) -> None:
    """The invoices stream and the corrections stream both list a cancelled document (kind
    ``canceled`` whether it was an invoice or a correction): it is one document left out,
    counted once (before: twice, "left out on purpose: 2 x cancelled document" for one
    cancelled invoice), in the first sync and in the next, where the invoices read again the
    latest change (the look-back) and, with payments on, the corrections are listed whole.
    Counted by hand: the cancelled documents of ``documents``; one page holds every
    document, so each sync lists each in both streams (the first page of an incremental read
    is read whole)."""
    account = Account(httpserver)
    account.put(*documents)
    with Store.open(tmp_path / "cg.db") as store:
        first = store.sync(connector(httpserver, payments=payments))
        second = store.sync(connector(httpserver, payments=payments))
    assert first.skipped == {CANCELLED_REASON: expected}
    assert second.skipped == {CANCELLED_REASON: expected}
    # Ledger.from_connector's pull counts by stream: the streams together, once each.
    pulled = pull(connector(httpserver, payments=payments))
    assert sum(n for counts in pulled.skipped.values() for n in counts.values()) == expected


class MovingAccount(Account):
    """An :class:`Account` where a document is added while the invoices are paged: once
    ``added`` is set, it joins the account right after the first page (two documents) of
    the next listing of invoices (the kinds[] with ``vat``), at the top (newest change first),
    so the page after it begins with the document the first page ended with: the list moved
    down by one, as Fakturownia's does when a document is issued during a sync."""

    def __init__(self, server: HTTPServer) -> None:
        super().__init__(server)
        self.added: dict[str, Any] | None = None

    def answer(self, request: Request) -> Response:
        response = super().answer(request)
        kinds = set(request.args.getlist("kinds[]"))
        first = request.args.get("page") == "1" and request.args.get("per_page") == "2"
        if (self.added is not None and request.path == "/invoices.json" and "vat" in kinds
                and first and not request.args.get("invoice_ids")):
            self.put(self.added)
            self.added = None
        return response


def test_a_cancelled_document_the_invoices_give_twice_while_paging_is_counted_once(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    """A cancelled document that the read of the invoices gives twice (the list moved down by a
    document issued while it was paged, so the next page begins with the last one read) is
    one document left out, counted once: before, "left out on purpose: 3 x cancelled
    document" for two. Worked by hand: the first sync stores FV/13/2026 (changed 1 July)
    alone. Then FV/11/2026 (10:00) and FV/14/2026 (09:00) are cancelled on 31 August; the
    second sync reads two documents a page, newest change first, so page 1 is FV/11 and
    FV/14; FV/15 (11:00) is issued then, and page 2 is FV/14 again and FV/13. Two cancelled
    documents, each counted once (the corrections, read next, list them too, kind
    ``canceled``, and count neither)."""
    account = MovingAccount(httpserver)
    account.put(invoice(13, "500,00"))
    with Store.open(tmp_path / "cg.db") as store:
        first = store.sync(connector(httpserver, payments=False, page_size=2))
        assert first.skipped == {}
        account.put(cancelled(invoice(11, "1230,00")),
                    cancelled(invoice(14, "70,00"), at="2026-08-31T09:00:00+02:00"))
        account.added = invoice(15, "90,00", updated_at="2026-08-31T11:00:00+02:00")
        second = store.sync(connector(httpserver, payments=False, page_size=2))
        assert account.added is None  # the list did move during the read
        assert second.skipped == {CANCELLED_REASON: 2}
