"""No secret in any output, against a server that echoes every request back.

A local server answers every call (the APIs, Xero's ``/connections``, the OAuth token
endpoints) with a 400, 401, 403, 429, 500, 502 or a redirect whose body echoes every request
header, the query string (as sent, and with lower-case percent escapes) and the request body,
as JSON or as text with JSON escapes, after a padding that puts the ``Authorization`` header
across the 300th character (where an API message is cut). Each connector is run through the
command line (``clientguard sync`` with its secrets in environment variables, some ending in a
line break as when pasted from a file), with and without ``--debug``, then ``review`` and
``rejections`` read the store. No secret, in none of the forms the client sends it in (as
is, URL-encoded, JSON-escaped, the Basic credentials' base64), may appear in stdout, stderr,
a log record, the store's files or a report.

Every secret below holds the marker ``S3CR``, which nothing else in the output holds: any
leak, whole or cut, is found by looking for the marker and for each form.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.cli import EXIT_USAGE, main

for plugin in ("clientguard_xero", "clientguard_quickbooks", "clientguard_stripe",
               "clientguard_fakturownia", "clientguard_harvest", "clientguard_toggl",
               "clientguard_clockify", "clientguard_jira", "clientguard_github"):
    pytest.importorskip(plugin, reason=f"{plugin} is not installed")

MARKER = "s3cr"

XERO_CLIENT_ID = "xero-app-client-id"
QBO_CLIENT_ID = "qbo-app-client-id"

# Values as a user sets them: some pasted with a trailing line break.
XERO_ACCESS = "xa.S3CRET+tok/en=="
XERO_TENANT = "4f2a-S3CRET-tenant"
XERO_CLIENT_SECRET = "xcs S3CRET+/=&k"
QBO_REALM = "9341S3CRET77"
QBO_ACCESS = "qa.S3CRET+tok/en"
QBO_REFRESH = "qr S3CRET+/=&x"
QBO_CLIENT_SECRET = "qcs.S3CRET/+"
STRIPE_KEY = "sk_test_S3CRET4eC39HqLyjWDarjtT1zdp7dc"
FAKTUROWNIA_TOKEN = "fk+S3CRET/tok=en&x"
HARVEST_ACCOUNT = "77S3CRET01"
HARVEST_TOKEN = "hv.S3CRET+tok/en=="
TOGGL_TOKEN = "tg S3CRET+tok/en&x"
TOGGL_WORKSPACE = "98S3CRET76"
CLOCKIFY_KEY = "ck S3CRET+/key=="
CLOCKIFY_WORKSPACE = "ws-S3CRET-01"
JIRA_EMAIL = "ops@example.com"
JIRA_TOKEN = "jr S3CRET+tok/en=="
GITHUB_TOKEN = "ghp_S3CRET+tok/en&x"
# Read from a token file, written with line breaks after them.
FILE_ACCESS = "fa.S3CRET+from/file"
FILE_REFRESH = "fr.S3CRET+from/file=="
# Issued by the token endpoint when it answers 200: secrets the client learns on the way.
ISSUED_ACCESS = "ia.S3CRET+issued/access"
ISSUED_REFRESH = "ir.S3CRET+issued/refresh"

STATUSES = (400, 401, 403, 429, 500, 502, 302)
#: Where clientguard cuts an API's message, and how far into a secret the echo puts it.
CUT = 300
CUT_INTO_SECRET = 13


def basic(client_id: str, secret: str) -> str:
    return base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def forms(secret: str) -> set[str]:
    """Every form of ``secret`` the client sends or a server may echo, lower case."""
    found = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        quote(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret)[1:-1].replace("/", "\\/"),
    }
    return {f.lower() for f in found if len(f) >= 4}


BASIC = (basic(XERO_CLIENT_ID, XERO_CLIENT_SECRET), basic(QBO_CLIENT_ID, QBO_CLIENT_SECRET),
         basic(TOGGL_TOKEN, "api_token"), basic(JIRA_EMAIL, JIRA_TOKEN))
ALL_SECRETS = (
    XERO_ACCESS, XERO_TENANT, XERO_CLIENT_SECRET, QBO_REALM, QBO_ACCESS, QBO_REFRESH,
    QBO_CLIENT_SECRET, STRIPE_KEY, FAKTUROWNIA_TOKEN, ISSUED_ACCESS, ISSUED_REFRESH,
    FILE_ACCESS, FILE_REFRESH, HARVEST_ACCOUNT, HARVEST_TOKEN, TOGGL_TOKEN, TOGGL_WORKSPACE,
    CLOCKIFY_KEY, CLOCKIFY_WORKSPACE, JIRA_TOKEN, GITHUB_TOKEN, *BASIC,
)
FORBIDDEN = sorted(set().union(*(forms(s) for s in ALL_SECRETS)), key=len)


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    found = [form for form in FORBIDDEN if form in lowered]
    if MARKER in lowered:
        at = lowered.index(MARKER)
        found.append(f"marker at {at}: ...{text[max(0, at - 20):at + 20]!r}...")
    # The base64 of the Basic credentials holds no marker: look for its first characters too.
    for secret in BASIC:
        if secret[:12].lower() in lowered:
            found.append(f"start of base64 {secret[:12]}")
    return found


# --------------------------------------------------------------------------- the echo server


@dataclass
class Echo:
    """The echo server's behaviour for one run."""

    status: int
    token_ok: bool = False
    """Answer the token endpoint with 200 and tokens (so that the API call is made)."""
    calls: list[str] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        self.calls.append(request.path)
        if self.token_ok and request.path.endswith("/token"):
            return Response(json.dumps({
                "access_token": ISSUED_ACCESS, "refresh_token": ISSUED_REFRESH,
                "expires_in": 1800, "token_type": "Bearer",
            }), status=200, content_type="application/json")
        headers = dict(request.headers.items())
        query = request.query_string.decode("latin-1")
        lowered = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), query)
        body = request.get_data(as_text=True)
        # Each status puts another line first, so that each lands in the part of the message
        # that is shown. For 400 and 500 it is the credentials (the Authorization header,
        # else the query string), placed so that the 300th character of the message falls
        # inside the secret: a cut made before scrubbing leaves the secret's start.
        auth = headers.pop("Authorization", None)
        credentials = f"Authorization: {auth}" if auth else f"query: {query}"
        lines = [credentials, f"query, lower-case escapes: {lowered}",
                 f"path: {request.full_path}", f"body: {body}",
                 *(f"{name}: {value}" for name, value in headers.items())]
        turn = {400: 0, 500: 0, 401: 1, 302: 1, 403: 2, 429: 3, 502: 4}[self.status]
        lines = lines[turn:] + lines[:turn]
        text_body = self.status in (401, 429, 502)
        padding = 0
        if turn == 0:
            if auth:
                skip = len(auth.split(" ")[0]) + 1
            else:
                skip = query.find("api_token=") + len("api_token=")
            # Where the secret starts within what the client reads as the API's message.
            lead = len('echo {"message": "') if text_body else 0
            value_at = lead + 1 + len(credentials.split(": ", 1)[0]) + 2 + skip
            padding = max(0, CUT - CUT_INTO_SECRET - value_at)
        echoed = "x" * padding + " " + " | ".join(lines)
        extra: dict[str, str] = {}
        if self.status in (429, 500, 502):
            extra["Retry-After"] = "0"
        if self.status == 302:
            extra["Location"] = f"/moved?{query}"
        if text_body:
            # Not JSON (a leading word): the text goes as is, JSON escapes and all.
            text = "echo " + json.dumps({"message": echoed}).replace("/", "\\/")
            return Response(text, status=self.status, headers=extra, content_type="text/plain")
        payload = {"message": echoed, "error_description": " ".join(reversed(lines)),
                   "Fault": {"Error": [{"Message": echoed, "Detail": query}]}}
        return Response(json.dumps(payload), status=self.status, headers=extra,
                        content_type="application/json")


# --------------------------------------------------------------------------- the connectors


@dataclass(frozen=True)
class Setup:
    """How one connector is run against the echo server."""

    source: str
    env: Mapping[str, str]
    options: Callable[[HTTPServer, Path], list[str]]
    token_ok: bool = False
    streams: tuple[str, ...] = ()
    """The streams to read (``--stream``); all of them when empty."""


def token_file(folder: Path) -> Path:
    """Tokens as a user may have saved them: each followed by a line break."""
    path = folder / "xero-tokens.json"
    path.write_text(json.dumps({"access_token": FILE_ACCESS + "\r\n",
                                "refresh_token": FILE_REFRESH + "\n"}))
    path.chmod(0o600)  # a token file others can read is refused (docs/security.md)
    return path


def _xero_api(server: HTTPServer, folder: Path) -> list[str]:
    return [f"base_url={server.url_for('/api.xro/2.0')}"]


SETUPS = {
    "xero access token and tenant id": Setup(
        "xero",
        {"ACCESS_TOKEN": XERO_ACCESS + "\r", "TENANT_ID": XERO_TENANT + "\n"},
        _xero_api,
    ),
    "xero projects time entries": Setup(
        "xero",
        {"ACCESS_TOKEN": XERO_ACCESS + "\n", "TENANT_ID": XERO_TENANT + "\r\n"},
        lambda s, f: [*_xero_api(s, f), "projects=true",
                      f"projects_url={s.url_for('/projects.xro/2.0')}"],
        streams=("time_entries",),
    ),
    "xero GET /connections": Setup(
        "xero",
        {"ACCESS_TOKEN": XERO_ACCESS + "\r\n"},
        lambda s, f: [*_xero_api(s, f), f"connections_url={s.url_for('/connections')}"],
    ),
    "xero token endpoint (client credentials)": Setup(
        "xero",
        {"CLIENT_SECRET": XERO_CLIENT_SECRET, "TENANT_ID": XERO_TENANT},
        lambda s, f: [*_xero_api(s, f), f"client_id={XERO_CLIENT_ID}",
                      f"token_url={s.url_for('/connect/token')}"],
    ),
    "xero API after a token": Setup(
        "xero",
        {"CLIENT_SECRET": XERO_CLIENT_SECRET + "\n", "TENANT_ID": XERO_TENANT},
        lambda s, f: [*_xero_api(s, f), f"client_id={XERO_CLIENT_ID}",
                      f"token_url={s.url_for('/connect/token')}"],
        token_ok=True,
    ),
    "xero token file": Setup(
        "xero",
        {"CLIENT_SECRET": XERO_CLIENT_SECRET, "TENANT_ID": XERO_TENANT},
        lambda s, f: [*_xero_api(s, f), f"client_id={XERO_CLIENT_ID}",
                      f"token_url={s.url_for('/connect/token')}",
                      f"token_file={token_file(f)}"],
    ),
    "quickbooks access token": Setup(
        "quickbooks",
        {"REALM_ID": QBO_REALM + "\n", "ACCESS_TOKEN": QBO_ACCESS + "\r\n"},
        lambda s, f: [f"base_url={s.url_for('/qbo')}"],
    ),
    "quickbooks token endpoint (refresh token)": Setup(
        "quickbooks",
        {"REALM_ID": QBO_REALM, "REFRESH_TOKEN": QBO_REFRESH + "\n",
         "CLIENT_SECRET": QBO_CLIENT_SECRET},
        lambda s, f: [f"base_url={s.url_for('/qbo')}", f"client_id={QBO_CLIENT_ID}",
                      f"token_url={s.url_for('/oauth2/token')}",
                      f"token_file={f / 'qbo-tokens.json'}"],
    ),
    "quickbooks API after a refresh": Setup(
        "quickbooks",
        {"REALM_ID": QBO_REALM, "REFRESH_TOKEN": QBO_REFRESH,
         "CLIENT_SECRET": QBO_CLIENT_SECRET + "\r"},
        lambda s, f: [f"base_url={s.url_for('/qbo')}", f"client_id={QBO_CLIENT_ID}",
                      f"token_url={s.url_for('/oauth2/token')}",
                      f"token_file={f / 'qbo-tokens.json'}"],
        token_ok=True,
    ),
    "stripe": Setup(
        "stripe",
        {"API_KEY": STRIPE_KEY + "\n"},
        lambda s, f: [f"base_url={s.url_for('/stripe')}"],
    ),
    "fakturownia": Setup(
        "fakturownia",
        {"API_TOKEN": FAKTUROWNIA_TOKEN + "\r\n"},
        lambda s, f: ["subdomain=acme", f"base_url={s.url_for('/fakturownia')}"],
    ),
    "harvest": Setup(
        "harvest",
        {"ACCOUNT_ID": HARVEST_ACCOUNT + "\n", "ACCESS_TOKEN": HARVEST_TOKEN + "\r\n"},
        lambda s, f: [f"base_url={s.url_for('/harvest/v2')}"],
    ),
    "toggl": Setup(
        "toggl",
        {"API_TOKEN": TOGGL_TOKEN + "\n", "WORKSPACE_ID": TOGGL_WORKSPACE + "\r\n"},
        lambda s, f: [f"base_url={s.url_for('/toggl')}"],
    ),
    "clockify": Setup(
        "clockify",
        {"API_KEY": CLOCKIFY_KEY + "\r\n", "WORKSPACE_ID": CLOCKIFY_WORKSPACE + "\n"},
        lambda s, f: [f"base_url={s.url_for('/clockify/v1')}"],
    ),
    "jira": Setup(
        "jira",
        {"API_TOKEN": JIRA_TOKEN + "\r\n"},
        lambda s, f: ["site=acme.atlassian.net", f"email={JIRA_EMAIL}",
                      f"base_url={s.url_for('/jira')}",
                      'clients=[{customer = "books:c-1", project = "ACME"}]'],
    ),
    "github": Setup(
        "github",
        {"TOKEN": GITHUB_TOKEN + "\n"},
        lambda s, f: [f"base_url={s.url_for('/github')}", 'repositories=["acme/website"]',
                      'clients=[{customer = "books:c-1", repository = "acme/website"}]'],
    ),
}


def run_cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int | None, str]:
    """The exit status and the stdout and stderr of one command, with the traceback Python
    prints when ``--debug`` lets an error through (the status is then None)."""
    code: int | None = None
    try:
        code = main(argv)
    except BaseException as exc:  # --debug re-raises: Python would print this
        text = "".join(traceback.format_exception(exc))
    else:
        text = ""
    out, err = capsys.readouterr()
    return code, out + err + text


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    for name in [n for n in os.environ if n.startswith("CLIENTGUARD_")]:
        monkeypatch.delenv(name)
    return tmp_path


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("status", STATUSES, ids=[f"HTTP {s}" for s in STATUSES])
@pytest.mark.parametrize("setup", list(SETUPS.values()), ids=list(SETUPS))
def test_no_secret_in_any_output_when_the_server_echoes_the_request(
    setup: Setup,
    status: int,
    debug: bool,
    folder: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    echo = Echo(status, token_ok=setup.token_ok)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(echo)
    for option, value in setup.env.items():
        monkeypatch.setenv(f"CLIENTGUARD_{setup.source.upper()}_{option}", value)
    caplog.set_level(logging.DEBUG)
    store = folder / "store.db"
    argv = ["sync", "--source", setup.source, "--store", str(store), "--option", "max_attempts=2"]
    for option in setup.options(httpserver, folder):
        argv += ["--option", option]
    for stream in setup.streams:
        argv += ["--stream", stream]
    code, text = run_cli(capsys, [*argv, *(["--debug"] if debug else [])])
    outputs = {"sync": text}
    assert echo.calls, "the connector never reached the echo server"
    # The API's refusal is a user-level error, never a crash, and --debug does not change it.
    assert code == EXIT_USAGE, text
    assert ("Traceback" in text) == debug  # with --debug, the traceback is checked too
    assert any(word in outputs["sync"] for word in ("HTTP", "refused", "token")), outputs["sync"]

    for name, command in {
        "review json": ["review", "--store", str(store), "--format", "json",
                        "--base-currency", "EUR", "--as-of", "2025-06-30"],
        "review html": ["review", "--store", str(store), "--format", "html",
                        "--base-currency", "EUR", "--as-of", "2025-06-30"],
        "rejections": ["rejections", "--store", str(store)],
    }.items():
        outputs[name] = run_cli(capsys, command)[1]
    outputs["log records"] = "\n".join(
        f"{r.name}: {r.getMessage()}" for r in caplog.records
        if not r.name.startswith("werkzeug")  # the echo server's own request log
    )
    outputs["store files"] = b"".join(
        p.read_bytes() for p in sorted(folder.glob("store.db*")) if p.is_file()
    ).decode("latin-1")

    found = {where: leaks(text) for where, text in outputs.items()}
    assert not any(found.values()), {w: f for w, f in found.items() if f}
