"""Hostile and odd payloads from a fake Stripe over real HTTP (pytest-httpserver): a number
that is no amount or no Unix timestamp rejects its invoice, naming the field, and never hangs
the sync or becomes a date guessed at.

Stripe writes amounts as integers in minor units and times as integer Unix seconds. The
bodies below are written as JSON text, so that ``1e999999999``, ``NaN`` and ``1.5`` reach the
connector as a server would send them.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import pull
from clientguard.errors import DataError
from clientguard_stripe import StripeConnector
from clientguard_stripe.mapping import timestamp

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
API_KEY = "rk_test_51SECRETkeyNeverShown9876"
CREATED = 1779926400  # 2026-05-28T00:00:00Z: 20,601 days after 1970-01-01, times 86,400


def connector(server: HTTPServer) -> StripeConnector:
    return StripeConnector(api_key=API_KEY, base_url=server.url_for("/"), clock=lambda: NOW,
                           sleep=lambda seconds: None, timezone="UTC")


def invoice_json(ident: str, **fields: str) -> str:
    """An open invoice of 50.00 EUR as JSON text; ``fields`` are JSON values."""
    values = {"id": f'"{ident}"', "object": '"invoice"', "customer": '"cus_1"',
              "status": '"open"', "currency": '"eur"', "created": str(CREATED),
              "effective_at": str(CREATED), "due_date": str(CREATED + 14 * 86400),
              "total": "5000", "amount_due": "5000", "amount_paid": "0",
              "amount_remaining": "5000", **fields}
    return "{" + ", ".join(f'"{k}": {v}' for k, v in values.items()) + "}"


def listing_json(*records: str) -> str:
    return ('{"object": "list", "url": "/v1/invoices", "has_more": false, "data": ['
            + ", ".join(records) + "]}")


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"total": "NaN"}, "total: Decimal('NaN') is not an integer amount in minor units"),
        ({"total": "Infinity"},
         "total: Decimal('Infinity') is not an integer amount in minor units"),
        # Milliseconds where Stripe writes seconds: 1.7e12 s is in the year 55000.
        ({"effective_at": str(CREATED * 1000)},
         f"effective_at: {CREATED * 1000} is not a Unix timestamp in seconds: it is past the "
         "year 9999 (a timestamp in milliseconds?)"),
        ({"due_date": "1000000000000"}, "due_date: 1000000000000 is not a Unix timestamp in "
         "seconds"),
        # A fraction of a second was cut off (1.5 read as 1970-01-01T00:00:01).
        ({"due_date": "1.5"}, "due_date: Decimal('1.5') is not a Unix timestamp (whole "
         "seconds)"),
        ({"due_date": "1e-999999999"}, "due_date: Decimal('1E-999999999') is not a Unix "
         "timestamp (whole seconds)"),
        ({"due_date": "NaN"}, "due_date: Decimal('NaN') is not a Unix timestamp"),
        ({"effective_at": "-Infinity"},
         "effective_at: Decimal('-Infinity') is not a Unix timestamp"),
        # Before the year 1: no date at all.
        ({"due_date": "-99999999999"}, "due_date: -99999999999 is before the year 1"),
    ],
    ids=["NaN total", "infinite total", "milliseconds", "1e12 seconds", "fraction",
         "tiny timestamp", "NaN timestamp", "infinite timestamp", "before the year 1"],
)
def test_a_number_that_is_no_amount_or_time_rejects_its_invoice_naming_the_field(
    httpserver: HTTPServer, fields: dict[str, str], reason: str
) -> None:
    httpserver.expect_ordered_request("/v1/invoices").respond_with_data(
        listing_json(invoice_json("in_bad", **fields), invoice_json("in_good")),
        content_type="application/json")
    pulled = pull(connector(httpserver), streams=["invoices"])
    httpserver.check_assertions()
    assert [r.id for r in pulled.records if r.kind == "invoice"] == ["in_good"]
    (rejected,) = pulled.rejected
    assert rejected.record_id == "in_bad"
    assert reason in rejected.reason
    assert API_KEY not in rejected.reason


# int() of Decimal("1e999999999") builds a number of a billion digits: minutes of CPU and
# gigabytes of memory. Each case runs in a child process that must answer within seconds.
_CHILD = """
import json, sys
from decimal import Decimal
from clientguard.errors import DataError
from clientguard_stripe.amounts import from_stripe_minor
from clientguard_stripe.mapping import timestamp
value = json.loads(sys.argv[2], parse_float=Decimal)
try:
    if sys.argv[1] == "amount":
        from_stripe_minor(value, "EUR", field="total")
    else:
        timestamp(value, field="created")
except DataError as exc:
    print(exc)
"""


@pytest.mark.parametrize(
    ("reader", "text", "said"),
    [
        ("amount", "1e999999999", "total: Decimal('1E+999999999') is not an integer amount"),
        ("amount", "-1e999999999", "total: Decimal('-1E+999999999') is not an integer amount"),
        ("time", "1e999999999", "created: Decimal('1E+999999999') is not a Unix timestamp"),
    ],
)
def test_a_number_of_a_billion_digits_is_refused_at_once(
    reader: str, text: str, said: str
) -> None:
    done = subprocess.run([sys.executable, "-c", _CHILD, reader, text], capture_output=True,
                          text=True, timeout=30, check=True)
    assert said in done.stdout


def test_one_second_past_the_calendar_is_refused() -> None:
    """253402300799 is 9999-12-31T23:59:59Z (2,932,897 days less a second after 1970): the
    next second is no date, and was an error naming no field ("year 10000 is out of
    range")."""
    with pytest.raises(DataError, match="created: 253402300800 is not a Unix timestamp"):
        timestamp(253402300800, field="created")
