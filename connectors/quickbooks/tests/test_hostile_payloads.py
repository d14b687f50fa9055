"""Hostile and odd payloads from a fake QuickBooks over real HTTP (pytest-httpserver): a
change time outside the calendar in UTC no longer stops the sync with an OverflowError, and a
count of hours that is no count rejects its time activity, naming the field, at once, and an
id or a list of another type is a rejection naming it, never a record under a made-up id.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import pull
from clientguard.errors import DataError
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.mapping import customer_from_qbo, invoice_records, payment_from_qbo

from .conftest import Clock

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
REALM = "9341457021722202"
API = f"/v3/company/{REALM}/query"


def connector(server: HTTPServer, clock: Clock) -> QuickBooksConnector:
    return QuickBooksConnector(
        realm_id=REALM, access_token="access-token-1", base_url=server.url_for("/"),
        token_url=server.url_for("/oauth2/v1/tokens/bearer"), clock=lambda: NOW,
        sleep=clock.sleep, monotonic=clock,
    )


def page(entity: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"QueryResponse": {entity: items, "startPosition": 1, "maxResults": len(items)},
            "time": "2026-06-01T05:00:00.000-07:00"}


def customer(ident: str, updated: str) -> dict[str, Any]:
    return {"Id": ident, "DisplayName": f"Customer {ident}", "Active": True,
            "MetaData": {"CreateTime": "2026-05-01T10:00:00-07:00",
                         "LastUpdatedTime": updated}}


@pytest.mark.parametrize(
    "updated",
    [
        "9999-12-31T23:59:59-14:00",  # 10000-01-01T13:59:59Z
        "0001-01-01T00:00:00+14:00",  # 0000-12-31T10:00:00Z
    ],
    ids=["after the calendar in UTC", "before it"],
)
def test_a_change_time_outside_the_calendar_in_utc_does_not_stop_the_sync(
    httpserver: HTTPServer, clock: Clock, updated: str
) -> None:
    """Before: ``cursor_of`` turned it to UTC and the sync died with an OverflowError. Now
    it is an unreadable change time: the customer is read, and the cursor is the latest
    readable change (2026-05-20T09:30:00-07:00 is 16:30 UTC)."""
    httpserver.expect_ordered_request(API).respond_with_json(page("Customer", [
        customer("1", updated), customer("2", "2026-05-20T09:30:00-07:00")]))
    httpserver.expect_ordered_request(API).respond_with_json({"QueryResponse": {}})
    pulled = pull(connector(httpserver, clock), streams=["customers"])
    httpserver.check_assertions()
    assert [r.id for r in pulled.records] == ["1", "2"]
    assert pulled.state.cursor("customers") == datetime(2026, 5, 20, 16, 30, tzinfo=UTC)


_CHILD = """
import json, sys
from decimal import Decimal
from clientguard.errors import DataError
from clientguard_quickbooks.mapping import time_entry_from_qbo
raw = json.loads(sys.argv[1], parse_float=Decimal, parse_constant=Decimal)
try:
    time_entry_from_qbo(raw)
except DataError as exc:
    print(exc)
"""


@pytest.mark.parametrize(
    ("hours", "said"),
    [
        # int() of 1e999999999 builds a billion digits: minutes of CPU, gigabytes.
        ("1e999999999", "Hours: Decimal('1E+999999999') is more than a time activity can hold"),
        ('"1e999999999"', "Hours: '1e999999999' is more than a time activity can hold"),
        # NaN compared with 0 raised decimal.InvalidOperation: a reason naming no field.
        ("NaN", "Hours: Decimal('NaN') is not a finite number"),
        ("Infinity", "Hours: Decimal('Infinity') is not a finite number"),
    ],
    ids=["huge number", "huge string", "NaN", "Infinity"],
)
def test_hours_that_are_no_count_reject_the_activity_at_once(hours: str, said: str) -> None:
    text = '{"Id": "1", "TxnDate": "2026-05-04", "CustomerRef": {"value": "2"}, "Hours": HOURS}'
    done = subprocess.run([sys.executable, "-c", _CHILD, text.replace("HOURS", hours)],
                          capture_output=True,
                          text=True, timeout=30, check=True)
    assert said in done.stdout


def _invoice(**changes: Any) -> dict[str, Any]:
    return {"Id": "130", "TxnDate": "2026-04-08", "DueDate": "2026-05-08",
            "TotalAmt": Decimal("362.07"), "Balance": Decimal("362.07"),
            "CustomerRef": {"value": "24"}, "CurrencyRef": {"value": "USD"}, **changes}


def _payment(**changes: Any) -> dict[str, Any]:
    return {"Id": "900", "TxnDate": "2026-04-08", "TotalAmt": Decimal("10"),
            "UnappliedAmt": Decimal("0"), "CustomerRef": {"value": "8"},
            "CurrencyRef": {"value": "USD"}, **changes}


@pytest.mark.parametrize(
    ("read", "raw", "reason"),
    [
        # str() of these made the record "{'a': 1}" or its client "[1]": made up.
        (invoice_records, _invoice(Id={"a": 1}), "Id: is missing"),
        (invoice_records, _invoice(Id=[130]), "Id: is missing"),
        (invoice_records, _invoice(CustomerRef={"value": [24]}), "CustomerRef: is missing"),
        (customer_from_qbo, {"Id": {"value": "1"}, "DisplayName": "Acme"}, "Id: is missing"),
        (payment_from_qbo, _payment(CustomerRef={"value": {"a": 1}}),
         "CustomerRef: is missing"),
        # len(True) raised a TypeError that named no field.
        (payment_from_qbo, _payment(Line=[{"Amount": Decimal("10"), "LinkedTxn": True}]),
         "Line.0.LinkedTxn: a bool where a list was due"),
    ],
    ids=["object id", "list id", "list customer", "object customer id",
         "object payment customer", "bool LinkedTxn"],
)
def test_a_field_of_another_type_is_a_rejection_naming_it(
    read: Any, raw: dict[str, Any], reason: str
) -> None:
    with pytest.raises(DataError, match=re.escape(reason)):
        read(raw)
