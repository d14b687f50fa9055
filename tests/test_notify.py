"""notify: the changes by webhook (a local HTTP server) and e-mail (a local SMTP server with
STARTTLS), each change once, a failed send retried by the next run, no credential shown."""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from pytest_httpserver import HTTPServer

from clientguard import history
from clientguard.cli import EXIT_OK, EXIT_USAGE, main
from clientguard.errors import ConfigError
from clientguard.notify import (
    EmailChannel,
    NotifyError,
    WebhookChannel,
    channel_from_environment,
    notify,
)
from clientguard.review import review
from clientguard.store import Store
from clientguard.testing import customer, invoice, ledger, payment

NOW = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
TOKEN = "xoxb-S3cr3tT0kenValue-91827364"
PASSWORD = "pa55-w0rd-Never-Shown-7731"


def records() -> list[Any]:
    """Acme pays later and later from April 2025; Birch on time."""
    found: list[Any] = [customer("acme", name="Acme"), customer("birch", name="Birch")]
    for month, late in [(1, 0), (2, 0), (3, 0), (4, 20), (5, 40), (6, 60), (7, 80)]:
        due = date(2025, month, 28)
        a = invoice("acme", issued=date(2025, month, 1), due=due, total="1000.00",
                    id=f"A-{month}")
        b = invoice("birch", issued=date(2025, month, 1), due=due, total="500.00",
                    id=f"B-{month}")
        found += [a, b, payment("acme", on=date.fromordinal(due.toordinal() + late),
                                amount="1000.00", pays=a, id=f"PA-{month}"),
                  payment("birch", on=due, amount="500.00", pays=b, id=f"PB-{month}")]
    return found


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "clientguard.db") as opened:
        yield opened


def save(store: Store, day: date) -> None:
    history.save_review(store, review(ledger(*records()), as_of=day))


def no_sleep(_: float) -> None:
    """Retries wait for nothing in tests (the waits are tenacity's)."""


# ----------------------------------------------------------------------------- webhook


def webhook(server: HTTPServer) -> WebhookChannel:
    return WebhookChannel(server.url_for(f"/services/T01/B02/{TOKEN}"))


def test_the_webhook_gets_the_changes_once(store: Store, httpserver: HTTPServer) -> None:
    save(store, date(2025, 5, 31))
    save(store, date(2025, 8, 31))
    httpserver.expect_ordered_request(f"/services/T01/B02/{TOKEN}",
                                      method="POST").respond_with_data("ok")
    result = notify(store, webhook(httpserver), now=NOW, sleep=no_sleep)
    (request, _response), = httpserver.log
    body = json.loads(request.data)
    assert request.headers["Content-Type"] == "application/json"
    # What Slack and Teams show, and the changes as data for a receiver of one's own.
    assert body["text"].startswith("clientguard: ")
    assert (body["since"], body["as_of"]) == ("2025-05-31", "2025-08-31")
    assert result.sent == len(body["changes"]) > 0
    assert any(c["kind"] == "verdict" and c["client_id"] == "acme" for c in body["changes"])
    # The text is plain text to Slack: its "->" is written "-&gt;" (docs/security.md).
    assert all(c["message"].replace(">", "&gt;") in body["text"] for c in body["changes"])
    # Again: nothing new to send, no request made.
    again = notify(store, webhook(httpserver), now=NOW, sleep=no_sleep)
    assert (again.sent, again.already_sent) == (0, result.sent)
    assert len(httpserver.log) == 1


def test_a_failed_send_is_retried_then_sent_by_the_next_run_not_lost(
    store: Store, httpserver: HTTPServer
) -> None:
    save(store, date(2025, 5, 31))
    save(store, date(2025, 8, 31))
    path = f"/services/T01/B02/{TOKEN}"
    for _ in range(4):
        httpserver.expect_ordered_request(path).respond_with_data("busy", status=503)
    waits: list[float] = []
    with pytest.raises(NotifyError, match=r"failed 4 times .*next run sends") as failed:
        notify(store, webhook(httpserver), now=NOW, sleep=waits.append)
    assert len(waits) == 3
    assert len(httpserver.log) == 4
    assert TOKEN not in str(failed.value)
    assert store.sent_changes("webhook") == set()
    # A newer review arrives before the next run: the changes since 2025-05-31 still go.
    save(store, date(2025, 9, 30))
    httpserver.clear_log()
    httpserver.expect_ordered_request(path).respond_with_data("ok")
    result = notify(store, webhook(httpserver), now=NOW, sleep=no_sleep)
    (request, _response), = httpserver.log
    assert json.loads(request.data)["since"] == "2025-05-31"
    assert result.sent > 0


def test_a_webhook_that_refuses_fails_at_once_and_shows_no_token(
    store: Store, httpserver: HTTPServer
) -> None:
    save(store, date(2025, 8, 31))
    url = webhook(httpserver).url
    # The receiver echoes the URL it was called on (as some do in their errors).
    httpserver.expect_request(f"/services/T01/B02/{TOKEN}").respond_with_data(
        f"invalid_payload for {url} token={TOKEN}", status=400)
    with pytest.raises(NotifyError, match="HTTP 400") as failed:
        notify(store, webhook(httpserver), now=NOW, sleep=no_sleep)
    assert len(httpserver.log) == 1
    assert TOKEN not in str(failed.value)
    assert url not in str(failed.value)


def test_notify_from_the_command_line_shows_no_credential(
    store: Store, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    save(store, date(2025, 8, 31))
    url = webhook(httpserver).url
    monkeypatch.setenv("CLIENTGUARD_NOTIFY_WEBHOOK_URL", url)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    httpserver.expect_request(f"/services/T01/B02/{TOKEN}").respond_with_data(
        f"no such hook {url}", status=404)
    assert main(["--debug", "notify", "--via", "webhook", "--store", str(store.path)]) \
        == EXIT_USAGE
    out, err = capsys.readouterr()
    for form in (TOKEN, quote(TOKEN), url):
        assert form not in out + err
    assert "HTTP 404" in err
    httpserver.clear()
    httpserver.expect_request(f"/services/T01/B02/{TOKEN}").respond_with_data("ok")
    assert main(["notify", "--via", "webhook", "--store", str(store.path)]) == EXIT_OK
    out, err = capsys.readouterr()
    assert "notify webhook: sent" in err
    assert TOKEN not in out + err


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({}, "set CLIENTGUARD_NOTIFY_WEBHOOK_URL"),
        ({"WEBHOOK_URL": "ftp://x"}, r"not an http\(s\) URL"),
    ],
)
def test_webhook_settings_come_from_the_environment(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        channel_from_environment("webhook", {f"CLIENTGUARD_NOTIFY_{k}": v for k, v in env.items()})


# ----------------------------------------------------------------------------- e-mail

trustme = pytest.importorskip("trustme", reason="trustme makes the SMTP server's certificate")
controller_module = pytest.importorskip("aiosmtpd.controller",
                                        reason="aiosmtpd is the local SMTP server")


class Inbox:
    """What the local SMTP server received, and who logged in."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.logins: list[tuple[str, str]] = []
        self.refuse = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 try again later"
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Inbox, int, str]]:
    """A local SMTP server that offers STARTTLS with a throwaway CA's certificate and takes
    a login only over TLS; yields the inbox, its port and the CA file to trust."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    inbox = Inbox()

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            inbox.logins.append((data.login.decode(), data.password.decode()))
            return AuthResult(success=data.password.decode() == PASSWORD, handled=False)
        return AuthResult(success=False, handled=False)

    with socket.socket() as probe:  # a free port (aiosmtpd checks its own after starting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = controller_module.Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
        authenticator=authenticate, auth_require_tls=True)
    controller.start()
    try:
        yield inbox, port, str(cafile)
    finally:
        controller.stop()


def mail_channel(port: int, cafile: str, password: str = PASSWORD) -> EmailChannel:
    return channel_from_environment("email", {
        "CLIENTGUARD_NOTIFY_SMTP_HOST": "127.0.0.1",
        "CLIENTGUARD_NOTIFY_SMTP_PORT": str(port),
        "CLIENTGUARD_NOTIFY_SMTP_USER": "owner@example.com",
        "CLIENTGUARD_NOTIFY_SMTP_PASSWORD": password,
        "CLIENTGUARD_NOTIFY_SMTP_CAFILE": cafile,
        "CLIENTGUARD_NOTIFY_EMAIL_FROM": "clientguard@example.com",
        "CLIENTGUARD_NOTIFY_EMAIL_TO": "owner@example.com, partner@example.com",
    })  # type: ignore[return-value]


def test_the_changes_go_by_email_over_starttls_once(
    store: Store, smtp: tuple[Inbox, int, str]
) -> None:
    inbox, port, cafile = smtp
    save(store, date(2025, 5, 31))
    save(store, date(2025, 8, 31))
    result = notify(store, mail_channel(port, cafile), now=NOW, sleep=no_sleep)
    (raw,) = inbox.messages
    mail = message_from_bytes(raw)
    assert mail["To"] == "owner@example.com, partner@example.com"
    assert "since 2025-05-31" in mail["Subject"]
    assert "as of 2025-08-31" in mail["Subject"]
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    assert body.count("\n- ") + body.startswith("- ") == result.sent
    assert "Acme: verdict" in body
    assert inbox.logins == [("owner@example.com", PASSWORD)]
    # Sent once: the next run has nothing to send.
    assert notify(store, mail_channel(port, cafile), now=NOW, sleep=no_sleep).sent == 0
    assert len(inbox.messages) == 1


def test_a_temporary_smtp_refusal_is_retried(store: Store, smtp: tuple[Inbox, int, str]) -> None:
    inbox, port, cafile = smtp
    save(store, date(2025, 8, 31))
    inbox.refuse = 2
    waits: list[float] = []
    notify(store, mail_channel(port, cafile), now=NOW, sleep=waits.append)
    assert len(waits) == 2
    assert len(inbox.messages) == 1


def test_a_wrong_password_fails_without_showing_it(
    store: Store, smtp: tuple[Inbox, int, str]
) -> None:
    inbox, port, cafile = smtp
    save(store, date(2025, 8, 31))
    wrong = "Wr0ng-pa55word-Sh0wn-Nowhere"
    with pytest.raises(NotifyError, match="refused: 535") as failed:
        notify(store, mail_channel(port, cafile, wrong), now=NOW, sleep=no_sleep)
    assert wrong not in str(failed.value)
    assert inbox.messages == []
    assert store.sent_changes("email") == set()


def test_an_untrusted_certificate_sends_nothing(
    store: Store, smtp: tuple[Inbox, int, str], tmp_path: Path
) -> None:
    inbox, port, _cafile = smtp
    save(store, date(2025, 8, 31))
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    with pytest.raises(NotifyError, match="TLS with the SMTP server"):
        notify(store, mail_channel(port, str(other)), now=NOW, sleep=no_sleep)
    assert inbox.messages == []
    assert inbox.logins == []


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"SMTP_HOST": "h", "EMAIL_FROM": "a@b"}, "set CLIENTGUARD_NOTIFY_EMAIL_TO"),
        ({"SMTP_HOST": "h", "EMAIL_FROM": "a@b", "EMAIL_TO": "c@d", "SMTP_PORT": "x"},
         "is not a port"),
        ({"SMTP_HOST": "h", "EMAIL_FROM": "a@b", "EMAIL_TO": "c@d", "SMTP_SECURITY": "none",
          "SMTP_PASSWORD": "p"}, "unencrypted"),
    ],
)
def test_email_settings_come_from_the_environment(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        channel_from_environment("email", {f"CLIENTGUARD_NOTIFY_{k}": v for k, v in env.items()})

