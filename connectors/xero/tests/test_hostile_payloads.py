"""Hostile and odd payloads from a fake Xero over real HTTP (pytest-httpserver): each is a
rejection of its record naming the field, or a clear error for a broken answer, never a
traceback, a hang, or a record under a made-up id.

The bodies are written by hand as the bytes a broken or hostile server could send: Python's
``json`` reads ``NaN`` and ``Infinity`` (which JSON has not), a lone surrogate escape
(``"\\ud800"``, which JSON allows), and fails with a RecursionError on 100,000 ``[``.
"""

from __future__ import annotations

import gzip
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import pull
from clientguard.errors import ApiError
from clientguard.report import render
from clientguard.store import Store
from clientguard_xero import XeroConnector
from clientguard_xero.mapping import (
    credit_note_to_model,
    invoice_to_model,
    ms_date,
    overpayment_to_model,
    parse_ms_date,
    payment_to_model,
    xero_timestamp,
)

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
TENANT = "tenant-SECRET-7f3a"
TOKEN = "access-SECRET-1"
API = "/api.xro/2.0"
SALES = 'Type=="ACCREC"'
ORDER = {"Contacts": "ContactID ASC", "Invoices": "InvoiceID ASC", "Payments": "PaymentID ASC",
         "CreditNotes": "CreditNoteID ASC", "Overpayments": "OverpaymentID ASC",
         "Prepayments": "PrepaymentID ASC"}

# 2025-04-01 and 2025-05-01, midnight UTC, in milliseconds (20179 and 20209 days after
# 1970-01-01, times 86,400,000).
APRIL_1 = "/Date(1743465600000+0000)/"
MAY_1 = "/Date(1746057600000+0000)/"


def contact_json(name_json: str = '"Acme"') -> str:
    """A contact, its name given as JSON text (so that a test can write escapes)."""
    return ('{"ContactID": "c-1", "Name": ' + name_json + ', "IsCustomer": true, '
            f'"UpdatedDateUTC": "{MAY_1}"}}')


def invoice_json(ident: str = '"inv-1"', total: str = '"100.00"', **fields: str) -> str:
    """A sales invoice as JSON text; ``ident``, ``total`` and ``fields`` are JSON values."""
    values = {"Type": '"ACCREC"', "InvoiceID": ident, "InvoiceNumber": '"INV-1"',
              "Contact": '{"ContactID": "c-1"}', "Date": f'"{APRIL_1}"',
              "DueDate": f'"{MAY_1}"', "Status": '"AUTHORISED"', "CurrencyCode": '"GBP"',
              "Total": total, "AmountDue": total, "UpdatedDateUTC": f'"{MAY_1}"', **fields}
    return "{" + ", ".join(f'"{k}": {v}' for k, v in values.items()) + "}"


def page_json(key: str, records: list[str]) -> str:
    return ('{"Status": "OK", "pagination": {"page": 1, "pageSize": 100, "pageCount": 1, '
            f'"itemCount": {len(records)}}}, "{key}": [' + ", ".join(records) + "]}")


class FakeXero:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server

    def serve(self, path: str, body: str | bytes, **query: str) -> None:
        wanted = {"page": "1", "pageSize": "100", **query}
        if path in ORDER:
            wanted["order"] = ORDER[path]
        self.server.expect_ordered_request(
            f"{API}/{path}", method="GET", query_string=wanted,
            headers={"xero-tenant-id": TENANT},
        ).respond_with_data(body, content_type="application/json")

    def sync(self, *, contacts: list[str], invoices: str | bytes) -> None:
        """Expect one full sync: the connection, then one page of each stream."""
        self.server.expect_ordered_request("/connections").respond_with_json(
            [{"id": "conn-1", "tenantId": TENANT, "tenantType": "ORGANISATION",
              "tenantName": "Demo"}])
        self.serve("Contacts", page_json("Contacts", contacts), includeArchived="true")
        self.serve("Invoices", invoices, where=SALES, includeArchived="true")
        for stream in ("Payments", "CreditNotes", "Overpayments", "Prepayments"):
            self.serve(stream, page_json(stream, []))


@pytest.fixture
def xero(httpserver: HTTPServer) -> FakeXero:
    return FakeXero(httpserver)


def connect(server: HTTPServer) -> XeroConnector:
    conn = cg.connectors.load("xero")(
        base_url=server.url_for(API), access_token=TOKEN, page_size=100,
        sleep=lambda seconds: None, clock=lambda: NOW,
    )
    assert isinstance(conn, XeroConnector)
    return conn


# ============================================================ a broken answer: a clear error


@pytest.mark.parametrize(
    ("body", "said"),
    [
        # Python's decoder recurses once per level: a RecursionError, not JSON's error.
        ("[" * 100_000, "nests arrays or objects more deeply than any API answer does"),
        ("[" * 100_000 + "]" * 100_000,
         "nests arrays or objects more deeply than any API answer does"),
        # Python refuses to read an integer of more than 4,300 digits (a ValueError).
        (page_json("Invoices", [invoice_json(total="9" * 5000)]),
         "holds a number with thousands of digits"),
    ],
    ids=["unclosed nesting", "closed nesting", "5,000-digit number"],
)
def test_a_broken_answer_is_a_clear_error_naming_the_page(
    httpserver: HTTPServer, xero: FakeXero, body: str, said: str
) -> None:
    xero.sync(contacts=[contact_json()], invoices=body)
    with pytest.raises(ApiError) as caught:
        cg.Ledger.from_connector(connect(httpserver), base_currency="GBP", strict=False)
    message = str(caught.value)
    assert "page 1 of invoices" in message
    assert said in message
    assert "check base_url" not in message  # the address is right: the answer is wrong
    assert TENANT not in message
    assert TOKEN not in message
    assert caught.value.context.status == 200


def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=9)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        # 300 KiB of a well-formed page: larger than the bound of 256 KiB set below.
        (page_json("Invoices", [invoice_json()] * 1).encode().replace(
            b'"INV-1"', b'"' + b"x" * 300 * 1024 + b'"'), {}),
        # 300 KiB that arrive as 1 KiB of gzip: the bound is on what it expands to.
        (_gzip(b"[" + b"0," * 150 * 1024 + b"0]"), {"Content-Encoding": "gzip"}),
    ],
    ids=["plain", "gzip"],
)
def test_an_answer_past_the_body_bound_fails_the_call_unread_and_unretried(
    httpserver: HTTPServer, xero: FakeXero, body: bytes, headers: dict[str, str]
) -> None:
    """MAX_BODY_BYTES (256 MiB) bounds every answer; a client's ``max_body`` sets it lower
    here. Before: the whole body was read into memory, compressed or not (600 KiB of gzip
    read as 600 MiB)."""
    httpserver.expect_ordered_request("/connections").respond_with_json(
        [{"id": "conn-1", "tenantId": TENANT, "tenantType": "ORGANISATION",
          "tenantName": "Demo"}])
    xero.serve("Contacts", page_json("Contacts", [contact_json()]), includeArchived="true")
    httpserver.expect_ordered_request(f"{API}/Invoices").respond_with_data(
        body, content_type="application/json", headers=headers)
    conn = connect(httpserver)
    conn.client.max_body = 256 * 1024
    with pytest.raises(ApiError) as caught:
        cg.Ledger.from_connector(conn, base_currency="GBP", strict=False)
    message = str(caught.value)
    assert "the answer is larger than 256 KiB once decompressed" in message
    assert "lower page_size" in message
    assert TENANT not in message
    assert TOKEN not in message
    assert len(httpserver.log) == 3  # sent once: the same answer would come back


# ============================================================ a bad record: its rejection


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        # NaN and Infinity are no JSON; Python reads them, and they must not reach a float.
        (invoice_json(total="NaN"), "Total: Decimal('NaN') is not a finite number"),
        (invoice_json(total="Infinity"), "Total: Decimal('Infinity') is not a finite number"),
        (invoice_json(total="-Infinity"),
         "Total: Decimal('-Infinity') is not a finite number"),
        # str(None) made the id "None": every such invoice one record, each replacing the last.
        (invoice_json(ident="null"), "InvoiceID: is missing"),
        (invoice_json(ident='""'), "InvoiceID: is missing"),
        (invoice_json(ident='{"id": 1}'), "InvoiceID: a dict is not an id"),
        # The first moment of the year 10000: an OverflowError stopped the whole sync.
        (invoice_json(UpdatedDateUTC='"/Date(253402300800000)/"'),
         "UpdatedDateUTC: '/Date(253402300800000)/' is outside the calendar"),
        (invoice_json(UpdatedDateUTC='"/Date(99999999999999999999)/"'),
         "UpdatedDateUTC: '/Date(99999999999999999999)/' is outside the calendar"),
        (invoice_json(DueDate='"/Date(253402300800000+0000)/"'),
         "DueDate: '/Date(253402300800000+0000)/' is outside the calendar"),
        # 9999-12-31 23:00 UTC at +1400 is a local date in the year 10000.
        (invoice_json(DueDate='"/Date(253402297200000+1400)/"'),
         "DueDate: '/Date(253402297200000+1400)/' is outside the calendar"),
        (invoice_json(UpdatedDateUTC='"/Date(' + "9" * 5000 + ')/"'),
         "UpdatedDateUTC: '/Date(999999999999999999999999...999999999999999999)/' is outside "
         "the calendar"),
    ],
    ids=["NaN", "Infinity", "-Infinity", "null id", "empty id", "object id",
         "updated in the year 10000", "updated past any date", "due in the year 10000",
         "due in the year 10000 locally", "updated with 5,000 digits"],
)
def test_a_bad_field_rejects_its_record_and_keeps_the_others(
    httpserver: HTTPServer, xero: FakeXero, record: str, reason: str
) -> None:
    good = invoice_json(ident='"inv-2"', total='"40.00"')
    xero.sync(contacts=[contact_json()], invoices=page_json("Invoices", [record, good]))
    ledger = cg.Ledger.from_connector(connect(httpserver), base_currency="GBP", strict=False)
    assert [(i.id, str(i.total)) for i in ledger.invoices] == [("inv-2", "40.00")]
    (rejected,) = ledger.report.rejected
    assert reason in rejected.reason
    assert len(rejected.reason) < 300
    httpserver.check_assertions()


def test_two_invoices_without_an_id_are_two_rejections_not_one_invoice_called_none(
    httpserver: HTTPServer, xero: FakeXero
) -> None:
    """Before: both became invoice "None", the second replacing the first (100 GBP lost
    without a word)."""
    records = [invoice_json(ident="null"), invoice_json(ident="null", total='"5.00"')]
    xero.sync(contacts=[contact_json(), '{"ContactID": null, "Name": "Beta"}'],
              invoices=page_json("Invoices", records))
    ledger = cg.Ledger.from_connector(connect(httpserver), base_currency="GBP", strict=False)
    assert ledger.invoices == ()
    assert [c.id for c in ledger.customers] == ["c-1"]
    assert sorted(r.reason.split(":")[0] for r in ledger.report.rejected) == [
        "ContactID", "InvoiceID", "InvoiceID"]


# ============================================================ text no UTF-8 can hold


@pytest.mark.parametrize(
    ("name_json", "stored"),
    [
        # A lone high and a lone low surrogate are valid JSON escapes but no character.
        ('"Acme\\ud800"', "Acme\\ud800"),
        ('"\\udfffAcme"', "\\udfffAcme"),
    ],
    ids=["lone high", "lone low"],
)
def test_a_lone_surrogate_in_a_name_is_stored_written_out_and_every_report_renders(
    httpserver: HTTPServer, xero: FakeXero, tmp_path: Any, name_json: str, stored: str
) -> None:
    """Before: the store failed with PydanticSerializationError (UnicodeEncodeError)."""
    xero.sync(contacts=[contact_json(name_json)],
              invoices=page_json("Invoices", [invoice_json()]))
    store = Store.open(tmp_path / "book.db")
    store.sync(connect(httpserver))
    ledger = store.load(base_currency="GBP", strict=False)
    assert [c.name for c in ledger.customers] == [stored]
    review = cg.review(ledger, as_of=date(2025, 6, 30))
    for format in ("table", "json", "csv", "html"):
        render(review, format).encode("utf-8")  # raises on a lone surrogate


# ============================================================ the date readers themselves


@pytest.mark.parametrize(
    "value",
    [
        "/Date(253402300800000)/",  # 10000-01-01T00:00:00Z: 2,932,897 days after 1970
        "/Date(-62135596800001+0000)/",  # a millisecond before 0001-01-01
        "/Date(99999999999999999999)/",  # past a C int of days
        "/Date(" + "9" * 5000 + ")/",  # past Python's 4,300-digit int conversion
    ],
    ids=["year 10000", "before the year 1", "20 digits", "5,000 digits"],
)
@pytest.mark.parametrize("read", [parse_ms_date, ms_date, xero_timestamp])
def test_a_date_outside_the_calendar_is_a_value_error_naming_it(read: Any, value: str) -> None:
    with pytest.raises(ValueError, match="is outside the calendar") as caught:
        read(value)
    assert len(str(caught.value)) < 200


def test_an_iso_timestamp_past_the_calendar_in_utc_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="outside the calendar in UTC"):
        xero_timestamp("9999-12-31T23:00:00-14:00")


def test_allocations_that_are_no_list_reject_the_credit_note_naming_them() -> None:
    raw: dict[str, Any] = {
        "Type": "ACCRECCREDIT", "Status": "AUTHORISED", "CreditNoteID": "cn-1",
        "Contact": {"ContactID": "c-1"}, "Date": APRIL_1, "Total": 10, "CurrencyCode": "GBP",
        "Allocations": {"Amount": 10},
    }
    with pytest.raises(cg.DataError, match="Allocations: a dict where a list was due"):
        credit_note_to_model(raw)
    raw["Allocations"] = [["inv-1", 10]]
    with pytest.raises(cg.DataError, match=r"Allocations\.0: is not an object"):
        credit_note_to_model(raw)


# ============================================================ Xero Projects' time entries

PROJECTS = "/projects.xro/2.0"


def projects_json(key: str, items: list[str]) -> str:
    return ('{"pagination": {"page": 1, "pageSize": 100, "pageCount": 1, "itemCount": '
            f'{len(items)}}}, "{key}": [' + ", ".join(items) + "]}")


def entry_json(ident: str, logged: str = '"2025-05-01T10:00:00Z"', minutes: str = "60") -> str:
    return (f'{{"timeEntryId": "{ident}", "projectId": "p-1", "dateUtc": {logged}, '
            f'"duration": {minutes}}}')


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        # 10000-01-01T13:59:59Z: taken as the cursor, it stopped the sync (OverflowError).
        (entry_json("t-bad", logged='"9999-12-31T23:59:59-14:00"'),
         "dateUtc: '9999-12-31T23:59:59-14:00' is not an ISO 8601 date-time inside the "
         "calendar in UTC"),
        # Compared with 0, NaN raised decimal.InvalidOperation: a reason naming no field.
        (entry_json("t-bad", minutes="NaN"),
         "duration: Decimal('NaN') is not a number of minutes"),
        (entry_json("t-bad", minutes="Infinity"),
         "duration: Decimal('Infinity') is not a number of minutes"),
        (entry_json("t-bad", minutes="1e999999999"),
         "duration: 1E+999999999 minutes is more than a time entry can hold"),
    ],
    ids=["logged past the calendar in UTC", "NaN minutes", "infinite minutes",
         "huge minutes"],
)
def test_a_time_entry_that_is_no_time_rejects_itself_and_keeps_the_others(
    httpserver: HTTPServer, entry: str, reason: str
) -> None:
    def serve(path: str, body: str, **query: str) -> None:
        httpserver.expect_ordered_request(
            f"{PROJECTS}/{path}", query_string={"page": "1", "pageSize": "100", **query},
            headers={"xero-tenant-id": TENANT},
        ).respond_with_data(body, content_type="application/json")

    serve("Projects", projects_json("items", [
        '{"projectId": "p-1", "contactId": "c-1", "name": "P", "status": "INPROGRESS"}']),
        states="INPROGRESS,CLOSED")
    serve("Projects/p-1/Time", projects_json("items", [entry, entry_json("t-good")]))
    conn = cg.connectors.load("xero")(
        tenant_id=TENANT, access_token=TOKEN, base_url=httpserver.url_for(API),
        projects_url=httpserver.url_for(PROJECTS), projects=True, page_size=100,
        sleep=lambda seconds: None, clock=lambda: NOW,
    )
    pulled = pull(conn, streams=["time_entries"])
    httpserver.check_assertions()
    assert [r.id for r in pulled.records] == ["t-good"]
    (rejected,) = pulled.rejected
    assert rejected.record_id == "t-bad"
    assert reason in rejected.reason
    # 2025-05-01T10:00:00Z, the one readable moment logged.
    assert pulled.state.cursor("time_entries") == datetime(2025, 5, 1, 10, 0, tzinfo=UTC)


# ============================================================ an id or a list of another type


def _invoice(**fields: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "Type": "ACCREC", "InvoiceID": "inv-1", "Contact": {"ContactID": "c-1"},
        "Date": APRIL_1, "DueDate": MAY_1, "Status": "AUTHORISED", "CurrencyCode": "GBP",
        "Total": 100, "AmountDue": 100,
    }
    return {**raw, **fields}


def _payment(invoice_id: object) -> dict[str, Any]:
    return {"PaymentID": "p-1", "PaymentType": "ACCRECPAYMENT", "Status": "AUTHORISED",
            "Date": MAY_1, "Amount": 10, "Invoice": {"InvoiceID": invoice_id,
                                                    "CurrencyCode": "GBP",
                                                    "Contact": {"ContactID": "c-1"}}}


def _overpayment(**fields: Any) -> dict[str, Any]:
    return {"Type": "RECEIVE-OVERPAYMENT", "OverpaymentID": "o-1", "Status": "AUTHORISED",
            "Contact": {"ContactID": "c-1"}, "Date": MAY_1, "Total": 10,
            "CurrencyCode": "GBP", **fields}


@pytest.mark.parametrize(
    ("read", "raw", "reason"),
    [
        # str() of these made the client "True", "{'a': 1}" or "[1]": a client made up.
        (invoice_to_model, _invoice(Contact={"ContactID": True}),
         "Contact.ContactID: a bool is not an id"),
        (invoice_to_model, _invoice(Contact={"ContactID": {"a": 1}}),
         "Contact.ContactID: a dict is not an id"),
        (invoice_to_model, _invoice(Contact={"ContactID": [1]}),
         "Contact.ContactID: a list is not an id"),
        (payment_to_model, _payment({"a": 1}), "Invoice.InvoiceID: a dict is not an id"),
        (overpayment_to_model,
         _overpayment(Allocations=[{"Amount": 10, "Invoice": {"InvoiceID": [1]}}]),
         "Allocations.0.Invoice.InvoiceID: a list is not an id"),
        # Iterating a bool or a number raised a TypeError that named no field.
        (overpayment_to_model, _overpayment(Payments=True),
         "Payments: a bool where a list was due"),
        (overpayment_to_model, _overpayment(Allocations={"Amount": 10}),
         "Allocations: a dict where a list was due"),
        # date.fromisoformat's own words ("month must be in 1..12") named no field.
        (invoice_to_model, _invoice(DateString="2025-13-45T00:00:00"),
         "DateString: '2025-13-45T00:00:00' is not a date"),
    ],
    ids=["bool contact", "object contact", "list contact", "object invoice of a payment",
         "list invoice of an allocation", "bool payments", "object allocations",
         "impossible DateString"],
)
def test_a_field_of_another_type_is_a_rejection_naming_it(
    read: Any, raw: dict[str, Any], reason: str
) -> None:
    # A DataError, or a ValueError (the date readers'): both are the record's rejection.
    with pytest.raises(ValueError, match=re.escape(reason)):
        read(raw)
