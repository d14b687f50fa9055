"""notify's webhook keeps its URL's credentials out of everything it shows: the DEBUG log
(urllib3 names the URL it posts to), a token in the query string, a receiver's reply that
echoes the token and is cut to length, and none of the URL's plain words blanked out."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from pytest_httpserver import HTTPServer

from clientguard import history
from clientguard.http import REDACTED_LOGGERS
from clientguard.notify import MESSAGE_LIMIT, NotifyError, WebhookChannel, notify
from clientguard.review import review
from clientguard.store import Store
from clientguard.testing import customer, invoice, ledger, payment

NOW = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
TOKEN = "xoxb-S3cr3tT0kenValue-91827364"
#: A token with a "/" (base64-like): a receiver echoing it in JSON writes "\/".
SLASHED = "S3cr3tHeadPart1/TailPart2-zz"


def records() -> list[Any]:
    """Acme pays later and later: its first review has findings to send."""
    found: list[Any] = [customer("acme", name="Acme")]
    for month, late in [(1, 0), (2, 0), (3, 0), (4, 20), (5, 40), (6, 60), (7, 80)]:
        due = date(2025, month, 28)
        bill = invoice("acme", issued=date(2025, month, 1), due=due, total="1000.00",
                       id=f"A-{month}")
        found += [bill, payment("acme", on=date.fromordinal(due.toordinal() + late),
                                amount="1000.00", pays=bill, id=f"PA-{month}")]
    return found


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "clientguard.db") as opened:
        history.save_review(opened, review(ledger(*records()), as_of=date(2025, 8, 31)))
        yield opened


def no_sleep(_: float) -> None:
    """Retries wait for nothing in tests."""


def refused(store: Store, url: str) -> str:
    """The message of the NotifyError a send to ``url`` fails with."""
    with pytest.raises(NotifyError) as failed:
        notify(store, WebhookChannel(url), now=NOW, sleep=no_sleep)
    return str(failed.value)


def test_the_debug_log_of_a_send_names_no_token_and_the_filter_goes_after(
    store: Store, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    path = f"/services/T01/B02/{TOKEN}"
    httpserver.expect_request(path, method="POST").respond_with_data("ok")
    filters = {name: list(logging.getLogger(name).filters) for name in REDACTED_LOGGERS}
    with caplog.at_level(logging.DEBUG):
        notify(store, WebhookChannel(httpserver.url_for(path)), now=NOW, sleep=no_sleep)
    # The local server plays the receiver: its own log (werkzeug's) is the receiver's.
    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]
    lines = [r.getMessage() for r in ours]
    assert any(r.name.startswith("urllib3") and "POST /services/T01/B02/" in r.getMessage()
               for r in ours), lines  # urllib3 did log the request line
    assert not [line for line in lines if TOKEN in line or quote(TOKEN) in line]
    # Nothing stays behind on the loggers once the send is over.
    assert {name: list(logging.getLogger(name).filters) for name in REDACTED_LOGGERS} == filters


def test_a_token_in_the_query_string_never_shows_when_the_receiver_echoes_it(
    store: Store, httpserver: HTTPServer
) -> None:
    url = httpserver.url_for("/hooks/incoming") + f"?api-version=1&sig={quote(SLASHED, safe='')}"
    httpserver.expect_request("/hooks/incoming").respond_with_data(
        f"invalid signature sig={SLASHED} (url-encoded: {quote(SLASHED, safe='')})", status=400)
    message = refused(store, url)
    assert "HTTP 400 invalid signature sig=[redacted]" in message
    for form in (SLASHED, quote(SLASHED, safe=""), SLASHED[:10]):
        assert form not in message


def test_a_reply_is_scrubbed_before_it_is_cut_so_no_head_of_a_token_is_left(
    store: Store, httpserver: HTTPServer
) -> None:
    escaped = json.dumps(SLASHED)[1:-1].replace("/", "\\/")  # as a JSON encoder may write it
    head, middle = '{"detail":"', '","token":"'
    # The cut at MESSAGE_LIMIT characters falls four characters before the token's end.
    pad = "x" * (MESSAGE_LIMIT - len(head) - len(middle) - (len(escaped) - 4))
    httpserver.expect_request("/hook").respond_with_data(
        f'{head}{pad}{middle}{escaped}"}}', status=400, content_type="application/json")
    message = refused(store, httpserver.url_for("/hook") + f"?token={quote(SLASHED, safe='')}")
    assert "HTTP 400 " + head + pad[:20] in message
    assert "S3cr3tHead" not in message
    assert "TailPar" not in message


@pytest.mark.parametrize(
    ("url", "secret", "not_secret"),
    [
        # Slack: the last segment is the token; "services" is a word.
        ("https://hooks.slack.com/services/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",
         ["kBg5kjRQ8tuBlQ0HSJ4PnVZP"], ["services"]),
        # A Teams (Power Automate) workflow: the signature is a query value.
        ("https://prod-12.westeurope.logic.azure.com:443/workflows/0a1b2c3d4e5f6a7b/triggers/"
         "manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0"
         "&sig=AbC-dEf_123",
         ["AbC-dEf_123", "0a1b2c3d4e5f6a7b"], ["triggers", "manual", "invoke", "1.0"]),
        # One's own receiver: a password in the URL and a token named as one.
        ("https://bot:pa55-word@example.com/api/hook?token=abcd&team=ops",
         ["pa55-word", "abcd"], ["hook", "api", "ops"]),
    ],
)
def test_the_secrets_of_a_webhook_url_are_whole_tokens_never_words(
    url: str, secret: list[str], not_secret: list[str]
) -> None:
    secrets = WebhookChannel(url).secrets
    assert url in secrets
    assert set(secret) <= set(secrets)
    assert not set(not_secret) & set(secrets)


def test_a_word_of_the_url_is_never_blanked_out_of_other_words(
    store: Store, httpserver: HTTPServer
) -> None:
    token = "9f8e7d6c5b4a3210ffee"
    httpserver.expect_request("/api/hook").respond_with_data(
        f"hook disabled for token {token}", status=400)
    message = refused(store, httpserver.url_for("/api/hook") + f"?token={token}")
    assert message.startswith("notify webhook: the send failed (the webhook refused the "
                              "message: HTTP 400 hook disabled for token [redacted])")


def test_a_webhook_url_that_is_no_url_stops_no_command_and_is_never_shown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    # An unclosed "[" (an IPv6 host) makes urlsplit raise: the command line's last scrub of
    # every error ran into it, printed two tracebacks and the error unscrubbed.
    from clientguard.cli import main

    url = "https://[hooks.example/services/T0/B0/abcdefSECRET123"
    monkeypatch.setenv("CLIENTGUARD_NOTIFY_WEBHOOK_URL", url)
    assert WebhookChannel(url).secrets == (url,)
    code = main(["review", "--config", str(tmp_path / "missing.toml")])
    out = capsys.readouterr()
    assert code == 2
    assert "does not exist" in out.err
    assert "Traceback" not in out.err
    assert "SECRET123" not in out.err + out.out
