"""clientguard.http keeps its credentials at home: a page address a server names is followed
only on the API's own server (the token goes with every request), and a request held as data
shows no credential in its repr."""

from __future__ import annotations

import logging

import pytest
from pytest_httpserver import HTTPServer

from clientguard.errors import ApiError
from clientguard.http import ApiClient, BearerToken, HttpRequest

TOKEN = "ghp_TOKENneverShown1234567890"


@pytest.mark.parametrize(
    ("base", "link", "followed"),
    [
        ("https://api.github.com/", "https://api.github.com/repositories/1/issues?page=2",
         "https://api.github.com/repositories/1/issues?page=2"),
        # The scheme's default port, and a host in another case, are the same server.
        ("https://api.github.com", "https://API.GitHub.com:443/repositories/1/issues?page=2",
         "https://API.GitHub.com:443/repositories/1/issues?page=2"),
        # GitHub Enterprise Server under a path; a relative link stays on the API.
        ("https://ghe.example.com/api/v3/", "repositories/1/issues?page=2",
         "https://ghe.example.com/api/v3/repositories/1/issues?page=2"),
        ("https://ghe.example.com/api/v3/", "/api/v3/repositories/1/issues?page=2",
         "https://ghe.example.com/api/v3/repositories/1/issues?page=2"),
        # A user and password in base_url do not make another server.
        ("https://u:pw@proxy.example.com/", "https://proxy.example.com/x?page=2",
         "https://proxy.example.com/x?page=2"),
        # Another host, another port, another scheme, a scheme-relative address elsewhere.
        ("https://api.github.com/", "https://evil.example.com/repositories/1/issues", None),
        ("https://api.github.com/", "https://api.github.com.evil.example.com/x", None),
        ("http://localhost:8001/", "http://localhost:8002/x?page=2", None),
        ("https://api.github.com/", "http://api.github.com/x?page=2", None),
        ("https://api.github.com/", "//evil.example.com/x", None),
        ("https://api.github.com/", "https://api.github.com@evil.example.com/x", None),
    ],
)
def test_a_next_page_is_followed_only_on_the_apis_own_server(
    base: str, link: str, followed: str | None
) -> None:
    client = ApiClient(base, auth=BearerToken(TOKEN), connector="github")
    try:
        if followed is not None:
            assert client.next_url(link) == followed
            return
        with pytest.raises(ApiError, match="not followed, so the token was not sent there") \
                as refused:
            client.next_url(link, stream="work_requests", what="GET repos/acme/x/issues page 1")
        message = str(refused.value)
        assert message.startswith("GET repos/acme/x/issues page 1: the server named the next "
                                  "page on ")
        assert refused.value.context.connector == "github"
        assert refused.value.context.stream == "work_requests"
        assert TOKEN not in message
        assert client.calls == 0  # nothing was sent anywhere
    finally:
        client.close()


def test_a_request_held_as_data_shows_no_credential() -> None:
    request = HttpRequest(
        "GET", "invoices.json", {"page": 2, "api_token": "fkt-T0ken-123", "period": "all"},
        {"xero-tenant-id": "tenant-8f0c-1234", "If-Modified-Since": "Mon, 02 Jun 2025"},
    )
    for shown in (repr(request), str(request)):
        assert "fkt-T0ken-123" not in shown
        assert "tenant-8f0c-1234" not in shown
        assert shown == (
            "HttpRequest(method='GET', path='invoices.json', params={'page': 2, 'api_token': "
            "'**********', 'period': 'all'}, headers={'xero-tenant-id': '**********', "
            "'If-Modified-Since': 'Mon, 02 Jun 2025'})"
        )
    # The request itself still sends what it holds.
    assert request.params["api_token"] == "fkt-T0ken-123"
    assert request.headers["xero-tenant-id"] == "tenant-8f0c-1234"


# A server-named next page may carry a credential in its query string that the client never
# sent (so it is no secret it knows): urllib3 logs the whole request line at DEBUG level, and
# docs/security.md promises log records without a token or key. The names are those
# secret_name matches; "page" and "per_page" are not credentials and stay.
CREDENTIAL_PARAMETERS = ["access_token", "api_key", "key", "token", "signature", "sig",
                         "X-Amz-Signature", "client_secret"]


@pytest.mark.parametrize("name", CREDENTIAL_PARAMETERS)
def test_a_credential_in_a_next_pages_query_string_is_not_logged(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture, name: str,
) -> None:
    value = "qsVALUE-0f9e8d7c"
    httpserver.expect_request("/repos/acme/x/issues").respond_with_json([])
    caplog.set_level(logging.DEBUG)
    client = ApiClient(httpserver.url_for("/"), auth=BearerToken(TOKEN), connector="github")
    try:
        link = f"/repos/acme/x/issues?per_page=2&page=2&{name}={value}&state=all"
        client.get(client.next_url(link))
    finally:
        client.close()
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("urllib3")]
    request_lines = [line for line in lines if "/repos/acme/x/issues" in line]
    assert request_lines  # urllib3 did log the request line
    assert all(value not in line for line in lines)
    assert f"per_page=2&page=2&{name}=[redacted]&state=all" in request_lines[0]


@pytest.mark.parametrize(("text", "shown"), [
    # A URL in a message: the credential's value goes, the rest stays.
    ("GET /x?page=2&access_token=abc123 HTTP/1.1",
     "GET /x?page=2&access_token=[redacted] HTTP/1.1"),
    ('<https://h/x?api_key=abc&page=3>; rel="next"',
     '<https://h/x?api_key=[redacted]&page=3>; rel="next"'),
    ("https://h/x?page=2&amp;sig=abc", "https://h/x?page=2&amp;sig=[redacted]"),
    ("https://h/x?Access%5FToken=abc#top", "https://h/x?Access%5FToken=[redacted]#top"),
    # A query string alone (a form body echoed): the text starts with the name. Before, a
    # text's start was no place for a parameter and the value was shown.
    ("token=abc in words", "token=[redacted] in words"),
    # Not a query parameter (behind a space), or not a credential: as is.
    ("in words token=abc", "in words token=abc"),
    ("https://h/x?page=2&per_page=50", "https://h/x?page=2&per_page=50"),
])
def test_a_client_scrubs_credential_query_parameters_from_what_it_shows(
    text: str, shown: str
) -> None:
    client = ApiClient("https://api.example.com/", connector="test")
    try:
        assert client.scrub(text) == shown
    finally:
        client.close()


@pytest.mark.parametrize(
    ("body", "kind", "secret"),
    [
        # A proxy's plain-text refusal echoing the request line percent-encoded (the API
        # key of Stripe's old query-string form, made up).
        ("400 Bad Request: GET /v1/invoices?limit=100%26api_key=sk_test_FAKEqs51Hq "
         "is malformed", "text/plain", "sk_test_FAKEqs51Hq"),
        # A Rails (Harvest) JSON answer cut off, quoted raw with its \u0026 escapes.
        ('{"error":"invalid_request","error_description":"https://api.harvestapp.com/v2/'
         'time_entries?page=2\\u0026access_token=FAKEhv9tok\\u0026per_page=100', "text/plain",
         "FAKEhv9tok"),
    ],
    ids=["percent-encoded", "json-escaped"],
)
def test_an_error_body_echoing_an_encoded_credential_shows_no_credential(
    httpserver: HTTPServer, body: str, kind: str, secret: str
) -> None:
    # Before: the error quoted the body with the credential in it (the client never sent
    # it, so knew no such secret; scrub_query looked only behind a literal '&').
    httpserver.expect_request("/v1/invoices").respond_with_data(body, status=400,
                                                                content_type=kind)
    client = ApiClient(httpserver.url_for("/v1/"), auth=BearerToken(TOKEN), connector="test",
                       sleep=lambda s: None)
    try:
        with pytest.raises(ApiError) as caught:
            client.get("invoices")
    finally:
        client.close()
    message = str(caught.value)
    assert secret not in message
    assert "=[redacted]" in message
