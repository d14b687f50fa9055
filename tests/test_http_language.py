"""The HTTP client's errors in the reader's language: what failed, and what to do, in Polish for
a Polish reader (they were English whatever the language). Over real HTTP (pytest-httpserver,
and a closed local port), with an injected sleep; each expected sentence is the catalog's
(locale/pl/http.po) with its numbers put in by hand."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from clientguard.errors import ConnectorError
from clientguard.http import ApiClient, decode_json
from clientguard.i18n import using

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def api(httpserver: HTTPServer) -> Iterator[ApiClient]:
    client = ApiClient(httpserver.url_for("/api/"), connector="test", sleep=lambda s: None,
                       clock=lambda: NOW, max_attempts=3, max_wait=120.0, jitter=lambda: 0.5)
    yield client
    client.close()


@pytest.mark.parametrize(
    ("status", "headers", "said"),
    [
        # Three 503s: the API's words are none, the client's all Polish ("3 próbach": 2-4).
        (503, {}, "x: błąd serwera; przerwano po 3 próbach"),
        # A wait of 99,999 s, more than max_wait: NOW + 1 day 3:46:39.
        (429, {"Retry-After": "99999"},
         "x: limit zapytań: serwer prosi o 99999 s czekania, dłużej niż max_wait (120 s); "
         "spróbuj ponownie po 2026-01-02 03:46:39 UTC"),
        (404, {}, "x: odmowa"),
    ],
)
def test_a_failed_call_is_said_in_polish(
    httpserver: HTTPServer, api: ApiClient, status: int, headers: dict[str, str], said: str
) -> None:
    httpserver.expect_request("/api/x").respond_with_data("", status=status, headers=headers)
    with using("pl"), pytest.raises(ConnectorError) as caught:
        api.request("GET", "x", what="x")
    assert str(caught.value).startswith(said)


@pytest.mark.parametrize(
    ("body", "content_type", "said"),
    [
        ("", "application/json",
         "strona 1 (GET localhost/api/x): API odpowiedziało kodem HTTP 200 bez treści tam, "
         "gdzie powinien być JSON: odpowiedź zgubiła się po drodze; spróbuj ponownie"),
        ("<html><body>Sign in</body></html>", "text/html",
         "strona 1 (GET localhost/api/x): serwer odpowiedział stroną HTML (text/html), a nie "
         "danymi JSON z API"),
        ('{"a": [1, 2', "application/json",
         "strona 1 (GET localhost/api/x): odpowiedź urwała się: jej JSON kończy się przed "
         "końcem (odczytano: 11 bajtów); spróbuj ponownie"),  # len('{"a": [1, 2') = 11
        # One byte: "1 bajt" (it read "po 1 bajtach", and "1 bytes" in English).
        ("[", "application/json",
         "strona 1 (GET localhost/api/x): odpowiedź urwała się: jej JSON kończy się przed "
         "końcem (odczytano: 1 bajt); spróbuj ponownie"),
        ("[1,", "application/json",
         "strona 1 (GET localhost/api/x): odpowiedź urwała się: jej JSON kończy się przed "
         "końcem (odczytano: 3 bajty); spróbuj ponownie"),
    ],
)
def test_an_answer_that_is_not_the_apis_json_is_said_in_polish(
    httpserver: HTTPServer, api: ApiClient, body: str, content_type: str, said: str
) -> None:
    httpserver.expect_request("/api/x").respond_with_data(body, content_type=content_type)
    with using("pl"), pytest.raises(ConnectorError) as caught:
        decode_json(api.get("x"), client=api, what="strona 1")
    assert _without_port(str(caught.value)).startswith(said)


def _without_port(text: str) -> str:
    """``text`` with the local server's address (its port changes) as ``localhost``."""
    return re.sub(r"(127\.0\.0\.1|localhost)(:\d+)?", "localhost", text)


def test_a_server_that_cannot_be_reached_is_said_in_polish() -> None:
    # A local port with nothing listening: refused at once, twice ("2 próbach": 2-4).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = ApiClient(f"http://127.0.0.1:{port}/", connector="test", sleep=lambda s: None,
                    max_attempts=2, jitter=lambda: 0.0)
    with using("pl"), pytest.raises(ConnectorError) as caught:
        api.request("GET", "x", what="strona 1")
    api.close()
    assert str(caught.value).startswith(
        "strona 1: nie udało się połączyć po 2 próbach (ConnectionError)")


@pytest.mark.parametrize(
    ("lang", "count", "said"),
    [
        ("en", 1, "1 byte"), ("en", 5_000_000, "5,000,000 bytes"), ("en", 2**20, "1 MiB"),
        # Polish: 2-4 "bajty", 5+ "bajtów", thousands with a no-break space.
        ("pl", 1, "1 bajt"), ("pl", 3, "3 bajty"), ("pl", 5_000_000, "5\xa0000\xa0000 bajtów"),
        ("pl", 32 * 2**20, "32 MiB"),
    ],
)
def test_a_size_is_said_in_the_language(lang: str, count: int, said: str) -> None:
    from clientguard.http.client import _size

    with using(lang):
        assert _size(count) == said


def test_a_secret_holding_a_parameter_is_scrubbed_whole_before_it_is_cut() -> None:
    # The token's own value holds "&key=": the parameter rule, run first, took its tail and
    # left "S3CRET+" for the shortened message to show.
    client = ApiClient("https://api.example.com/", connector="test")
    client.add_secret("S3CRET+&key=tail")
    try:
        shown = client.shorten("GET /x?page=S3CRET+&key=tail failed")
        assert "S3CRET" not in shown
        assert "tail" not in shown
    finally:
        client.close()
