"""A redirect is never followed (the token would go with it), and its error says what it was.

Before, a 301 said only "refused (HTTP 301)", and a 302 with an empty ``text/html`` body
"the server answered with an HTML page" (there was none). Now the error says it was a
redirect, names where to by scheme and host only (a ``Location``'s path and query string may
carry an id or a token), and says to set ``base_url`` to the address the API answers at (the
common case: ``http://`` sent on to ``https://``). Over real HTTP (pytest-httpserver).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Response

from clientguard.errors import ApiError
from clientguard.http import ApiClient, BearerToken, classify

TOKEN = "tok-SECRET-redirect-5"
STOLEN = "querytok-SECRET-8"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("kind", ["application/octet-stream", "text/html", "application/json"])
def test_a_redirect_says_where_by_scheme_and_host_and_what_to_do(
    httpserver: HTTPServer, status: int, kind: str
) -> None:
    httpserver.expect_request("/v2/time_entries").respond_with_data(
        b"", status=status, content_type=kind,
        headers={"Location": f"https://api.example.com:8443/steal/acct-9?api_token={STOLEN}"})
    api = ApiClient(httpserver.url_for("/v2/"), connector="test", auth=BearerToken(TOKEN),
                    sleep=lambda s: None, max_attempts=2, secrets=(STOLEN,))
    with pytest.raises(ApiError) as caught:
        api.get("time_entries", stream="time_entries")
    api.close()
    message = str(caught.value)
    assert (f"GET localhost:{httpserver.port}/v2/time_entries: redirected (HTTP {status}) to "
            "https://api.example.com:8443; redirects are not followed (the token would go with "
            "them): set base_url to the address the API answers at (the common case: an "
            "http:// base_url sent on to https://)") in message
    assert "HTML page" not in message  # an empty body is no page, whatever its type
    for hidden in ("steal", "acct-9", "api_token", STOLEN, TOKEN):
        assert hidden not in message
    assert caught.value.status == status
    assert len(httpserver.log) == 1  # neither followed nor sent again


@pytest.mark.parametrize(
    ("location", "said"),
    [
        # Relative: on the server that answered (RFC 9110 §10.2.2: resolved against the
        # request's URL), so the same server as base_url: no base_url advice.
        ("/v3/time_entries", "redirected (HTTP 301) to another address on the same server, "
         "http://localhost:{port}; not followed"),
        # A user and password in the Location are no part of its host.
        ("https://user:pw-SECRET@api.example.com/x", "redirected (HTTP 301) to "
         "https://api.example.com;"),
        ("", "redirected (HTTP 301) without saying where to; redirects are not followed (the "
             "token would go with them): check base_url"),
    ],
    ids=["relative", "with a password", "no Location"],
)
def test_a_redirect_names_only_a_host_it_can_tell(
    httpserver: HTTPServer, location: str, said: str
) -> None:
    headers = {"Location": location} if location else {}
    httpserver.expect_request("/v2/x").respond_with_data(b"", status=301, headers=headers)
    api = ApiClient(httpserver.url_for("/v2/"), connector="test", sleep=lambda s: None)
    with pytest.raises(ApiError) as caught:
        api.get("x")
    api.close()
    assert said.format(port=httpserver.port) in str(caught.value)
    assert "pw-SECRET" not in str(caught.value)


@pytest.mark.parametrize(
    ("location", "same_server"),
    [
        # GitHub's renamed repository (docs.github.com, "HTTP redirects"): a Location on the
        # API's own server, relative or in full.
        ("/repositories/1300192/issues?page=2", True),
        ("http://localhost:{port}/repositories/1300192/issues", True),
        # Another port of the same host is another server (the origin: scheme, host, port).
        ("http://localhost:1/repositories/1300192/issues", False),
        ("https://localhost:{port}/repositories/1300192/issues", False),
    ],
    ids=["relative", "in full", "another port", "another scheme"],
)
def test_a_redirect_on_the_same_server_keeps_base_url_and_the_apis_words(
    httpserver: HTTPServer, location: str, same_server: bool
) -> None:
    # Before: every redirect said "set base_url to the address the API answers at" (it is
    # that address already) and dropped the API's message (the body requests had read
    # itself was read again from the connection: empty).
    httpserver.expect_request("/v2/x").respond_with_json(
        {"message": "Moved Permanently", "documentation_url": "https://docs.example.com/r"},
        status=301, headers={"Location": location.format(port=httpserver.port)})
    api = ApiClient(httpserver.url_for("/v2/"), connector="test", auth=BearerToken(TOKEN),
                    sleep=lambda s: None)
    with pytest.raises(ApiError) as caught:
        api.get("x")
    api.close()
    message = str(caught.value)
    if same_server:
        assert (f"GET localhost:{httpserver.port}/v2/x: redirected (HTTP 301) to another "
                f"address on the same server, http://localhost:{httpserver.port}; not followed "
                "(the token would go with it): base_url is right, what was asked for moved: "
                "update the option that names it (renamed or moved at the source?) (the API "
                "said: Moved Permanently)") in message
        assert "set base_url" not in message
    else:
        assert "set base_url to the address the API answers at" in message
    assert "1300192" not in message  # the Location's path is not shown
    assert TOKEN not in message
    assert len(httpserver.log) == 1


def test_an_empty_html_typed_refusal_is_no_html_page() -> None:
    # Before: "refused: the server answered with an HTML page (text/html) ..." for a 404
    # whose body was empty: no page was there to speak of.
    resp = requests.Response()
    resp.status_code = 404
    resp._content = b""
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    assert classify(resp).reason == "refused"


class _Counted:
    """A body of ``total`` bytes in pieces of 64 KiB that counts what the server handed to
    the connection."""

    def __init__(self, total: int, message: bytes = b"") -> None:
        self.total = total
        self.message = message
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        piece = b"x" * 2**16
        if self.message:
            self.sent += len(self.message)
            yield self.message
        while self.sent < self.total:
            self.sent += len(piece)
            yield piece


@pytest.mark.parametrize("sized", [True, False], ids=["Content-Length", "chunked"])
def test_a_redirects_large_body_is_not_read_whole(httpserver: HTTPServer, sized: bool) -> None:
    # Before: requests read a redirect's body whole to release the connection (sessions.py,
    # resolve_redirects: ``resp.content``, run even with allow_redirects=False to fill
    # Response.next), before the client's max_body bound: a 302 with a 256 MiB body (or a
    # never-ending one) was read to its end. Now at most 64 KiB of it is read: the server can
    # hand the connection that much plus what the sockets' buffers hold (a few MiB), far
    # short of the 256 MiB.
    total = 256 * 2**20
    body = _Counted(total, b'{"message": "Moved Permanently"}')
    headers = {"Location": "/v3/x"}
    if sized:
        headers["Content-Length"] = str(total + len(body.message))
    httpserver.expect_request("/v2/x").respond_with_response(
        Response(body, status=302, headers=headers, content_type="application/json"))
    api = ApiClient(httpserver.url_for("/v2/"), connector="test", auth=BearerToken(TOKEN),
                    sleep=lambda s: None, max_attempts=2)
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        api.get("x")
    api.close()
    assert time.monotonic() - started < 10
    assert body.sent < 32 * 2**20
    assert caught.value.status == 302
    assert "redirected (HTTP 302) to another address on the same server" in str(caught.value)
    assert len(httpserver.log) == 1  # neither followed nor sent again
