"""A list's page whose last object is deleted before the next page is asked for.

Stripe pages with ``starting_after=<the last id of the page>``; once that object is deleted
(a customer, a draft invoice deleted during a long full sync) Stripe answers the next page
with 400 ``resource_missing`` on ``param: starting_after`` ("No such customer: 'cus_3'":
stripe/stripe-php#1264, stripe/stripe-node#2368, stripe/stripe-python#671). Before, the
stream failed there (``/tmp/s2/repro_cursor.py``). Now the page is asked for again after the
id before it on the same page, then the one before..., and after the page's ids (at most
``MAX_CURSOR_RETREATS``) the read stops with an error saying to run the sync again.

The server below is a Stripe list of customers ``cus_1``..``cus_N`` in list order: a page
lists the ``limit`` objects after ``starting_after`` still there; after the first page the
``gone`` objects are deleted, so a page asked for after one of them is Stripe's 400. Every
expected request and id below is worked out by hand from that rule.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.connector import pull
from clientguard.errors import ApiError
from clientguard_stripe import StripeConnector
from clientguard_stripe.connector import MAX_CURSOR_RETREATS
from clientguard_stripe.retry import CursorDeleted, classify_stripe

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
API_KEY = "rk_test_51SECRETkeyNeverShown9876"


def customer(ident: str) -> dict[str, Any]:
    return {"id": ident, "object": "customer", "name": ident.upper(), "email": None,
            "tax_ids": {"object": "list", "data": []}}


def missing(ident: str) -> Response:
    """Stripe's answer to a page asked for after an object it no longer has."""
    body = {"error": {"type": "invalid_request_error", "code": "resource_missing",
                      "param": "starting_after", "message": f"No such customer: '{ident}'",
                      "doc_url": "https://stripe.com/docs/error-codes/resource-missing"}}
    return Response(json.dumps(body), 400, content_type="application/json")


def serve(server: HTTPServer, count: int, gone: set[str], deleted_after: int = 1) -> None:
    """``cus_1``..``cus_<count>``; ``gone`` deleted once ``deleted_after`` pages were served."""
    everything = [f"cus_{n}" for n in range(1, count + 1)]
    served = [0]

    def handler(request: Request) -> Response:
        limit = int(request.args["limit"])
        after = request.args.get("starting_after")
        deleted = gone if served[0] >= deleted_after else set()
        present = [i for i in everything if i not in deleted]
        served[0] += 1
        if after is None:
            start = 0
        elif after not in present:
            return missing(after)
        else:
            start = present.index(after) + 1
        page = present[start:start + limit]
        body = {"object": "list", "url": "/v1/customers",
                "has_more": start + limit < len(present),
                "data": [customer(i) for i in page]}
        return Response(json.dumps(body), 200, content_type="application/json")

    server.expect_request("/v1/customers").respond_with_handler(handler)


def stripe(server: HTTPServer, page_size: int) -> StripeConnector:
    return StripeConnector(api_key=API_KEY, base_url=server.url_for("/"), clock=lambda: NOW,
                           sleep=lambda seconds: None, timezone="UTC", page_size=page_size)


def cursors(server: HTTPServer) -> list[str | None]:
    return [request.args.get("starting_after") for request, _ in server.log]


@pytest.mark.parametrize(
    ("count", "gone", "deleted_after", "sent", "read"),
    [
        # cus_3 ends page 1 and is deleted: page 2 is asked for after cus_2 (the id before
        # it), which lists cus_4..cus_6: nothing skipped. cus_3 was read on page 1.
        (7, {"cus_3"}, 1, [None, "cus_3", "cus_2", "cus_6"], 7),
        # Two in a row at the end of page 1: after cus_3, cus_2, then cus_1.
        (7, {"cus_2", "cus_3"}, 1, [None, "cus_3", "cus_2", "cus_1", "cus_6"], 7),
        # The end of a later page (cus_6 of page 2, deleted once page 2 was read): after
        # cus_5; page 3 then lists cus_7..cus_9.
        (9, {"cus_6"}, 2, [None, "cus_3", "cus_6", "cus_5"], 9),
        # Deleted, but not the cursor (cus_2 inside page 1): paging is as always, and the
        # deleted customer was read before it was deleted.
        (7, {"cus_2"}, 1, [None, "cus_3", "cus_6"], 7),
        # The last page's objects are gone, but no page follows it: nothing to ask.
        (5, {"cus_4", "cus_5"}, 1, [None, "cus_3"], 3),
    ],
    ids=["the last id", "the last two ids", "a later page", "not the cursor",
         "after the last page"],
)
def test_a_deleted_cursor_object_is_stepped_over_and_nothing_is_skipped(
    httpserver: HTTPServer, count: int, gone: set[str], deleted_after: int,
    sent: list[str | None], read: int,
) -> None:
    serve(httpserver, count, gone, deleted_after)
    pulled = pull(stripe(httpserver, page_size=3), streams=["customers"])
    assert cursors(httpserver) == sent
    # Every customer present when its page was read, each once.
    expected = [f"cus_{n}" for n in range(1, count + 1)]
    if read < count:
        expected = expected[:read]
    assert sorted(r.id for r in pulled.records if isinstance(r, cg.Customer)) == sorted(expected)
    assert pulled.duplicates == 0  # none yielded twice
    assert pulled.rejected == ()
    assert pulled.state.cursor("customers") == NOW


def test_a_page_whose_every_id_is_gone_stops_and_says_to_sync_again(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    """cus_1..cus_3 all deleted: no id of page 1 is left to page after. Going back further
    would need a page before the first; the read stops, and the cursor does not move."""
    serve(httpserver, 7, {"cus_1", "cus_2", "cus_3"})
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ApiError) as caught:
        pull(stripe(httpserver, page_size=3), streams=["customers"])
    assert cursors(httpserver) == [None, "cus_3", "cus_2", "cus_1"]
    message = str(caught.value)
    assert "run the sync again" in message
    assert "deleted" in message
    assert "stream customers" in message
    assert "HTTP 400" in message
    assert API_KEY not in message
    assert all(API_KEY not in r.getMessage() for r in caplog.records)


def test_the_steps_back_are_bounded_on_a_long_page(httpserver: HTTPServer) -> None:
    """A page of 30 whose last 20 ids were deleted: the id before the last, and at most
    MAX_CURSOR_RETREATS (10) in all, are tried, then the read stops: 1 + 1 + 10 requests."""
    assert MAX_CURSOR_RETREATS == 10
    serve(httpserver, 60, {f"cus_{n}" for n in range(11, 31)})
    with pytest.raises(ApiError, match="run the sync again"):
        pull(stripe(httpserver, page_size=30), streams=["customers"])
    assert cursors(httpserver) == [None, "cus_30", *(f"cus_{n}" for n in range(29, 19, -1))]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        # Another parameter names a missing object: not a cursor to step back from.
        ({"type": "invalid_request_error", "code": "resource_missing", "param": "customer",
          "message": "No such customer: 'cus_9'"}, 400),
        # The cursor refused for another reason than a deleted object.
        ({"type": "invalid_request_error", "code": "parameter_invalid_string",
          "param": "starting_after", "message": "Invalid string"}, 400),
        # A missing endpoint is no missing cursor.
        ({"type": "invalid_request_error", "code": "resource_missing",
          "message": "Unrecognized request URL"}, 404),
    ],
    ids=["another param", "another code", "a 404"],
)
def test_other_refusals_fail_at_once(
    httpserver: HTTPServer, error: dict[str, Any], status: int
) -> None:
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(
        {"object": "list", "has_more": True, "data": [customer("cus_1"), customer("cus_2")]})
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(
        {"error": error}, status=status)
    with pytest.raises(ApiError) as caught:
        pull(stripe(httpserver, page_size=2), streams=["customers"])
    assert "run the sync again" not in str(caught.value)
    assert cursors(httpserver) == [None, "cus_2"]


def bare(status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return response


def stripe_error(**fields: str) -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "message": "No such customer", **fields}}


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, stripe_error(code="resource_missing", param="starting_after"), CursorDeleted),
        (400, stripe_error(code="resource_missing", param="customer"), ApiError),
        (400, stripe_error(code="resource_missing"), ApiError),
        (400, stripe_error(param="starting_after"), ApiError),
        (404, stripe_error(code="resource_missing", param="starting_after"), ApiError),
        (400, b"<html>Bad Request</html>", ApiError),
        (400, ["resource_missing", "starting_after"], ApiError),
    ],
    ids=["the cursor deleted", "another param", "no param", "no code", "a 404",
         "not JSON", "not an object"],
)
def test_only_stripes_missing_cursor_answer_is_a_deleted_cursor(
    status: int, body: Any, error: type[ApiError]
) -> None:
    verdict = classify_stripe(bare(status, body))
    assert verdict.action == "fail"
    assert verdict.error is error
