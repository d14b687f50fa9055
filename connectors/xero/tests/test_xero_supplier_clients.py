"""A contact whose flags call it a supplier only (``IsSupplier`` true, ``IsCustomer`` false)
that a sales document names is a client: its documents carry its name, not an unknown id.

Xero sets ``IsCustomer`` only once a sales transaction is approved, and the flags lag, so a
prepayment, an invoice or a credit note may name a contact the contacts stream skips. Such a
document yields the contact as a Customer (derived from it: it leaves the store with the last
document naming it); a contact the sync has not read is fetched by id, 50 ids a call. A
supplier no sales document names is never a client. Expected values are written by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard import connectors
from clientguard.connector import SyncState, pull
from clientguard.store import Store
from clientguard_xero import XeroConnector

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
TENANT = "tenant-SECRET-7f3a"
API = "/api.xro/2.0"
ORDER = {"Contacts": "ContactID ASC", "Invoices": "InvoiceID ASC", "Payments": "PaymentID ASC",
         "CreditNotes": "CreditNoteID ASC", "Overpayments": "OverpaymentID ASC",
         "Prepayments": "PrepaymentID ASC"}
KEYS = {"Contacts": "Contacts", "Invoices": "Invoices", "Payments": "Payments",
        "CreditNotes": "CreditNotes", "Overpayments": "Overpayments",
        "Prepayments": "Prepayments"}
STREAM_PATHS = ("Contacts", "Invoices", "Payments", "CreditNotes", "Overpayments",
                "Prepayments")
WHERE = {"Invoices": 'Type=="ACCREC"'}
MAY = "/Date(1746057600000+0000)/"  # 2025-05-01 00:00 UTC
SINCE = "2025-05-31T23:59:59Z"


def ms(day: date) -> str:
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return f"/Date({int(moment.timestamp()) * 1000}+0000)/"


def supplier(cid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"ContactID": cid, "Name": name, "IsSupplier": True, "IsCustomer": False,
            "UpdatedDateUTC": MAY, **extra}


def customer(cid: str, name: str) -> dict[str, Any]:
    return {"ContactID": cid, "Name": name, "IsSupplier": False, "IsCustomer": True,
            "UpdatedDateUTC": MAY}


def prepayment(pid: str, cid: str, status: str = "AUTHORISED") -> dict[str, Any]:
    return {"PrepaymentID": pid, "Type": "RECEIVE-PREPAYMENT", "Status": status,
            "Contact": {"ContactID": cid}, "Date": ms(date(2025, 5, 2)), "CurrencyCode": "GBP",
            "Total": Decimal("120.00"), "RemainingCredit": Decimal("120.00"),
            "Allocations": [], "UpdatedDateUTC": MAY}


def sales_invoice(iid: str, cid: str) -> dict[str, Any]:
    return {"InvoiceID": iid, "Type": "ACCREC", "InvoiceNumber": iid.upper(),
            "Contact": {"ContactID": cid}, "Date": ms(date(2025, 5, 2)),
            "DueDate": ms(date(2025, 6, 1)), "Status": "AUTHORISED", "CurrencyCode": "GBP",
            "Total": Decimal("100.00"), "AmountDue": Decimal("100.00"), "UpdatedDateUTC": MAY}


def credit_note(nid: str, cid: str) -> dict[str, Any]:
    return {"CreditNoteID": nid, "Type": "ACCRECCREDIT", "Status": "AUTHORISED",
            "Contact": {"ContactID": cid}, "Date": ms(date(2025, 5, 3)), "CurrencyCode": "GBP",
            "Total": Decimal("10.00"), "Allocations": [], "UpdatedDateUTC": MAY}


def bill_payment(pid: str, cid: str) -> dict[str, Any]:
    return {"PaymentID": pid, "PaymentType": "ACCPAYPAYMENT", "Status": "AUTHORISED",
            "Date": ms(date(2025, 5, 4)), "Amount": Decimal("5.00"),
            "Invoice": {"InvoiceID": "bill-1", "Type": "ACCPAY", "CurrencyCode": "GBP",
                        "Contact": {"ContactID": cid}}, "UpdatedDateUTC": MAY}


def body(key: str, records: list[dict[str, Any]]) -> str:
    return json.dumps({"Status": "OK", "pagination": {"page": 1, "pageSize": 100,
                       "pageCount": 1 if records else 0, "itemCount": len(records)},
                       key: records}, default=str)


class Fake:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server

    def stream(self, path: str, records: list[dict[str, Any]], *,
               since: bool | str = False) -> None:
        query = {"page": "1", "pageSize": "100", "order": ORDER[path]}
        if path in ("Contacts", "Invoices"):  # archived ones too
            query["includeArchived"] = "true"
        if path in WHERE:
            query["where"] = WHERE[path]
        headers = {"xero-tenant-id": TENANT}
        if since:
            headers["If-Modified-Since"] = SINCE if since is True else str(since)
        self.server.expect_ordered_request(
            f"{API}/{path}", method="GET", query_string=query, headers=headers,
        ).respond_with_data(body(KEYS[path], records), content_type="application/json")

    def by_id(self, ids: list[str], contacts: list[dict[str, Any]]) -> None:
        self.server.expect_ordered_request(
            f"{API}/Contacts", method="GET",
            query_string={"IDs": ",".join(ids), "includeArchived": "true"},
            headers={"xero-tenant-id": TENANT},
        ).respond_with_data(json.dumps({"Status": "OK", "Contacts": contacts}),
                            content_type="application/json")

    def sync(self, served: dict[str, list[dict[str, Any]]], *,
             since: bool | dict[str, str] = False,
             by_id: tuple[list[str], list[dict[str, Any]]] | None = None,
             after: str = "Invoices") -> None:
        """Every stream in order, the by-id call (if any) just after stream ``after``."""
        for path in STREAM_PATHS:
            when = since.get(path, False) if isinstance(since, dict) else since
            self.stream(path, served.get(path, []), since=when)
            if by_id is not None and path == after:
                self.by_id(*by_id)


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[Fake]:
    yield Fake(httpserver)
    httpserver.check_assertions()  # no call missing, none unexpected


def connect(server: HTTPServer) -> XeroConnector:
    conn = connectors.load("xero")(base_url=server.url_for(API), access_token="access-1",
                                   tenant_id=TENANT, page_size=100, clock=lambda: NOW,
                                   sleep=lambda _s: None)
    assert isinstance(conn, XeroConnector)
    return conn


def names(records: Any) -> dict[str, str]:
    return {r.id: r.name for r in records if isinstance(r, cg.Customer)}


# (served by stream, the customers expected by id with their names)
CASES = {
    "a prepayment names the supplier": (
        {"Contacts": [supplier("c-acme", "Acme Ltd")],
         "Prepayments": [prepayment("pre-1", "c-acme")]},
        {"c-acme": "Acme Ltd"}),
    "a sales invoice names the supplier": (
        {"Contacts": [supplier("c-acme", "Acme Ltd")],
         "Invoices": [sales_invoice("inv-1", "c-acme")]},
        {"c-acme": "Acme Ltd"}),
    "a credit note names the supplier": (
        {"Contacts": [supplier("c-acme", "Acme Ltd")],
         "CreditNotes": [credit_note("cn-1", "c-acme")]},
        {"c-acme": "Acme Ltd"}),
    "a pure supplier, named by no sales document, stays out": (
        {"Contacts": [supplier("c-acme", "Acme Ltd"), customer("c-beta", "Beta plc")],
         "Invoices": [sales_invoice("inv-1", "c-beta")]},
        {"c-beta": "Beta plc"}),
    "a bill's payment makes no supplier a client": (
        {"Contacts": [supplier("c-acme", "Acme Ltd")],
         "Payments": [bill_payment("pay-1", "c-acme")]},
        {}),
    "a voided prepayment makes no supplier a client": (
        {"Contacts": [supplier("c-acme", "Acme Ltd")],
         "Prepayments": [prepayment("pre-1", "c-acme", status="VOIDED")]},
        {}),
    "flags written as text are read as such": (
        {"Contacts": [supplier("c-acme", "Acme Ltd", IsSupplier="true", IsCustomer="false")],
         "Prepayments": [prepayment("pre-1", "c-acme")]},
        {"c-acme": "Acme Ltd"}),
}


@pytest.mark.parametrize(("served", "expected"), CASES.values(), ids=CASES.keys())
def test_a_supplier_named_by_a_sales_document_is_a_client_with_its_name(
    httpserver: HTTPServer, fake: Fake, served: dict[str, list[dict[str, Any]]],
    expected: dict[str, str],
) -> None:
    fake.sync(served)  # every contact is read in full: no call by id
    pulled = pull(connect(httpserver))
    assert names(pulled.records) == expected


def test_the_review_names_the_supplier_not_its_id(httpserver: HTTPServer, fake: Fake) -> None:
    fake.sync({"Contacts": [supplier("c-acme", "Acme Ltd")],
               "Prepayments": [prepayment("pre-1", "c-acme")]})
    ledger = cg.Ledger.from_connector(connect(httpserver), base_currency="GBP", strict=False)
    acme = ledger.customer("c-acme")
    assert acme is not None
    assert acme.name == "Acme Ltd"
    assert ledger.report.unknown_customers == ()


def test_an_incremental_sync_fetches_the_contacts_it_did_not_read_by_id_once(
    httpserver: HTTPServer, fake: Fake,
) -> None:
    # The contacts did not change since the last sync: the documents' contacts are asked for
    # by id, both in one call, each once although two streams name them. Beta, a customer
    # the contacts stream holds already, is not yielded again; Acme, supplier-only, is.
    fake.sync({"Invoices": [sales_invoice("inv-1", "c-beta"), sales_invoice("inv-2", "c-acme")],
               "Prepayments": [prepayment("pre-1", "c-acme")]},
              since=True, after="Invoices",
              by_id=(["c-acme", "c-beta"],
                     [supplier("c-acme", "Acme Ltd"), customer("c-beta", "Beta plc")]))
    state = SyncState({s: datetime(2025, 6, 1, tzinfo=UTC) for s in (
        "customers", "invoices", "payments", "credit_notes", "overpayments", "prepayments")})
    pulled = pull(connect(httpserver), state)
    assert names(pulled.records) == {"c-acme": "Acme Ltd"}


def test_contacts_are_asked_for_fifty_ids_a_call(httpserver: HTTPServer, fake: Fake) -> None:
    ids = [f"c-{n:02d}" for n in range(51)]
    fake.stream("Contacts", [])
    fake.stream("Invoices", [sales_invoice(f"inv-{c}", c) for c in ids])
    fake.by_id(ids[:50], [supplier(ids[0], "First Ltd")])
    fake.by_id(ids[50:], [supplier(ids[50], "Last Ltd")])
    for path in STREAM_PATHS[2:]:
        fake.stream(path, [])
    pulled = pull(connect(httpserver))
    # the 49 contacts Xero does not return name nobody: their invoices stand, without a name
    assert names(pulled.records) == {"c-00": "First Ltd", "c-50": "Last Ltd"}
    assert len([r for r in pulled.records if isinstance(r, cg.Invoice)]) == 51


def test_the_store_drops_the_client_with_its_last_document(
    httpserver: HTTPServer, fake: Fake, tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "cg.db")
    fake.sync({"Contacts": [supplier("c-acme", "Acme Ltd")],
               "Prepayments": [prepayment("pre-1", "c-acme")]})
    store.sync(connect(httpserver))
    acme = store.load(base_currency="GBP", strict=False).customer("c-acme")
    assert acme is not None
    assert acme.name == "Acme Ltd"

    # Next sync: the prepayment is voided; the supplier is no client any more.
    # (the streams that held a record resume from its change; the empty ones read in full)
    may = "2025-04-30T23:59:59Z"
    fake.sync({"Prepayments": [prepayment("pre-1", "c-acme", status="VOIDED")]},
              since={"Contacts": may, "Prepayments": may},
              after="Prepayments", by_id=(["c-acme"], [supplier("c-acme", "Acme Ltd")]))
    store.sync(connect(httpserver))
    assert store.load(base_currency="GBP", strict=False).customer("c-acme") is None


# --------------------------------------------- one connector object used for several syncs

MAY_CURSOR = "2025-04-30T23:59:59Z"  # If-Modified-Since after a sync whose latest change is MAY


def kinds(records: Any) -> list[tuple[str, str]]:
    return sorted((type(r).__name__, r.id) for r in records)


def test_a_reused_connector_reads_invoices_alone_as_a_fresh_one_does(
    httpserver: HTTPServer, fake: Fake,
) -> None:
    # Sync 1, every stream: supplier-only s-1, named by inv-1, is a client. Sync 2 is
    # `--stream invoices` alone: no contacts stream, so no contact is looked up and no
    # Customer comes with the invoices (docs: "a read of invoices alone does not"). A fresh
    # connector and the one of sync 1 must both give the two invoices and nothing else;
    # the reused one used to yield s-1 again from sync 1's contacts and ask Xero for s-2.
    fake.sync({"Contacts": [supplier("s-1", "Supply Co")],
               "Invoices": [sales_invoice("inv-1", "s-1")]})
    reused = connect(httpserver)
    state = pull(reused).state
    second = [sales_invoice("inv-1", "s-1"), sales_invoice("inv-2", "s-2")]
    fake.stream("Invoices", second, since=MAY_CURSOR)
    fresh = pull(connect(httpserver), state, streams=["invoices"])
    fake.stream("Invoices", second, since=MAY_CURSOR)
    again = pull(reused, state, streams=["invoices"])
    expected = [("Invoice", "inv-1"), ("Invoice", "inv-2")]
    assert kinds(fresh.records) == expected
    assert kinds(again.records) == expected  # and no GET /Contacts?IDs= (the fixture checks)


def test_a_reused_connector_repoints_documents_only_by_merges_its_own_sync_read(
    httpserver: HTTPServer, fake: Fake,
) -> None:
    # Sync 1: m-1 merged into c-1. Sync 2, incremental, every stream: no contact changed, a
    # new invoice names m-1. The merge is not in sync 2's contacts, so the invoice keeps m-1
    # (docs: re-pointed "when the contacts stream was read in the same sync"; the merged
    # contact's Customer, grouped under c-1, still counts both as one client), and m-1 is
    # looked up by id. The reused connector used to re-point it to c-1 by sync 1's merge and
    # look up c-1 instead.
    merged = {**customer("m-1", "Old Acme"), "MergedToContactID": "c-1",
              "ContactStatus": "ARCHIVED"}
    fake.sync({"Contacts": [customer("c-1", "Acme"), merged]})
    reused = connect(httpserver)
    state = pull(reused).state
    new = sales_invoice("inv-9", "m-1")
    since = {"Contacts": MAY_CURSOR}
    fake.sync({"Invoices": [new]}, since=since, by_id=(["m-1"], [merged]))
    fresh = pull(connect(httpserver), state)
    fake.sync({"Invoices": [new]}, since=since, by_id=(["m-1"], [merged]))
    again = pull(reused, state)
    assert [r.customer_id for r in fresh.records if isinstance(r, cg.Invoice)] == ["m-1"]
    assert [r.customer_id for r in again.records if isinstance(r, cg.Invoice)] == ["m-1"]
