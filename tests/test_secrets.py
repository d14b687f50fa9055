"""Secrets: taken in clean (every secret option of every connector, from a keyword, the
environment, a token file or a token endpoint), and scrubbed from every text that leaves a
client or a sync (errors, progress lines, rejection reasons, the store's record of a failed
sync), in every form the client sends them, before any cut. ``tests/test_secret_echo.py``
runs the whole path against a server that echoes every request."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from pytest_httpserver import HTTPServer

from clientguard import connectors
from clientguard.cli import EXIT_USAGE, main
from clientguard.config import SourceConfig, connector_options
from clientguard.connector import (
    Connector,
    ConnectorOptions,
    Mapped,
    Page,
    ProgressEvent,
    RawPage,
    Skip,
    Stream,
)
from clientguard.errors import ApiError, AuthError, ConfigError, ConnectorError, ErrorContext
from clientguard.http import (
    ApiClient,
    BearerToken,
    MissingRecords,
    RefreshTokenAuth,
    SourceChanged,
    load_token_file,
)
from clientguard.store import Store

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
SECRET = "tok+S3CRET/with=odd&chars x"

#: Line breaks and other characters that are not printable, inside a value.
INNER = ["\n", "\r", "\r\n", "\t", "\x00", "\x1b", "\u200b", "\ufeff", "\u2028", "\x85"]
#: Around a value: what a paste from a file or a terminal adds.
AROUND = [("", "\n"), ("", "\r"), ("", "\r\n"), (" ", " "), ("\t", "\n\n")]


# =============================================================================== taking in

#: The options each connector needs besides the secret under test (none of them secret).
MINIMAL: dict[str, dict[str, Any]] = {
    "xero": {"access_token": "xa-token-0001", "tenant_id": "tenant-0001"},
    "quickbooks": {"realm_id": "9341000001", "access_token": "qa-token-0001"},
    "stripe": {"api_key": "sk_test_key0001"},
    "fakturownia": {"subdomain": "acme", "api_token": "fk-token-0001"},
    "harvest": {"account_id": "1234567", "access_token": "hv-token-0001"},
    "toggl": {"api_token": "tg-token-0001"},
    "clockify": {"api_key": "ck-key-0001"},
}


def secret_options() -> list[tuple[str, str]]:
    """Every secret option of every installed HTTP connector of this repository."""
    found = []
    for name in MINIMAL:
        try:
            cls = connectors.load(name)
        except Exception:  # not installed here
            continue
        found += [(name, o.name) for o in cls.describe().options if o.secret]
    return found


SECRET_OPTIONS = secret_options()


def test_every_connector_declares_its_secrets() -> None:
    # The table below is only as good as the options it covers.
    names = {f"{c}.{o}" for c, o in SECRET_OPTIONS}
    assert {"xero.access_token", "xero.tenant_id", "xero.client_secret", "xero.refresh_token",
            "quickbooks.realm_id", "quickbooks.refresh_token", "quickbooks.client_secret",
            "stripe.api_key", "fakturownia.api_token", "harvest.account_id",
            "harvest.access_token", "toggl.api_token", "toggl.workspace_id",
            "clockify.api_key", "clockify.workspace_id"} <= names


def _valid(connector: str, option: str) -> str:
    return "sk_test_S3CRET4242" if option == "api_key" else "S3CRET-value-4242"


@pytest.mark.parametrize(("before", "after"), AROUND, ids=[repr(a) for a in AROUND])
@pytest.mark.parametrize(("connector", "option"), SECRET_OPTIONS,
                         ids=[f"{c}.{o}" for c, o in SECRET_OPTIONS])
@pytest.mark.parametrize("as_secret_str", [False, True], ids=["str", "SecretStr"])
def test_whitespace_around_a_secret_option_is_dropped(
    connector: str, option: str, before: str, after: str, as_secret_str: bool
) -> None:
    cls = connectors.load(connector)
    value = _valid(connector, option)
    given_value: Any = before + value + after
    options = cls.Options(**{**MINIMAL[connector],
                             option: SecretStr(given_value) if as_secret_str else given_value})
    assert getattr(options, option).get_secret_value() == value


@pytest.mark.parametrize("inner", INNER, ids=[repr(c) for c in INNER])
@pytest.mark.parametrize(("connector", "option"), SECRET_OPTIONS,
                         ids=[f"{c}.{o}" for c, o in SECRET_OPTIONS])
def test_a_secret_option_with_a_control_character_inside_is_refused_naming_the_option(
    connector: str, option: str, inner: str
) -> None:
    cls = connectors.load(connector)
    value = _valid(connector, option)
    with pytest.raises(ConfigError) as caught:
        cls(**{**MINIMAL[connector], option: value[:9] + inner + value[9:]})
    message = str(caught.value)
    assert option in message
    assert "S3CRET" not in message
    assert f"U+{ord(inner[0]):04X}" in message


@pytest.mark.parametrize("inner", ["\n", "\r\n", "\x00"], ids=repr)
def test_a_secret_variable_with_a_control_character_inside_names_the_variable(
    inner: str,
) -> None:
    cls = connectors.load("stripe")
    with pytest.raises(ConfigError) as caught:
        connector_options(SourceConfig("billing", "stripe"), cls,
                          env={"CLIENTGUARD_BILLING_API_KEY": f"sk_test_S3C{inner}RET42\n"})
    assert "CLIENTGUARD_BILLING_API_KEY" in str(caught.value)
    assert "S3C" not in str(caught.value)


def test_a_secret_variable_is_stripped_and_one_of_only_whitespace_is_not_given() -> None:
    cls = connectors.load("xero")
    options = connector_options(
        SourceConfig("xero", "xero"), cls,
        env={"CLIENTGUARD_XERO_ACCESS_TOKEN": "tok-S3CRET-abc\r\n",
             "CLIENTGUARD_XERO_TENANT_ID": "\n"},
    )
    assert options == {"access_token": "tok-S3CRET-abc"}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    return tmp_path


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        # The repro: a token pasted with "\r" once printed the whole token.
        ("xero", {"ACCESS_TOKEN": "tok-S3CRET-abc\r", "TENANT_ID": "t-1"}, "could not connect"),
        ("xero", {"ACCESS_TOKEN": "tok-S3CRET-abc", "TENANT_ID": "ten-S3CRET-1\n"},
         "could not connect"),
        ("stripe", {"API_KEY": "sk_test_S3CRET\nabc"}, "CLIENTGUARD_STRIPE_API_KEY holds a line"),
        ("quickbooks", {"REALM_ID": "93S3CRET\t41", "ACCESS_TOKEN": "qa-S3CRET"},
         "CLIENTGUARD_QUICKBOOKS_REALM_ID holds a control"),
    ],
    ids=["xero token ending in CR", "xero tenant ending in LF", "stripe key with a newline",
         "quickbooks realm with a tab"],
)
def test_the_cli_never_prints_a_secret_given_with_a_control_character(
    source: str, env: Mapping[str, str], expected: str, folder: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip(f"clientguard_{source}")
    for option, value in env.items():
        monkeypatch.setenv(f"CLIENTGUARD_{source.upper()}_{option}", value)
    code = main(["sync", "--source", source, "--store", "s.db", "--option",
                 "base_url=http://127.0.0.1:9/x", "--option", "max_attempts=1"])
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert expected in err
    assert "S3CRET" not in out + err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("tokens", "problem"),
    [
        ({"access_token": "at-S3CRET\n1", "refresh_token": "rt-1"}, "access_token holds a line"),
        ({"access_token": "at-1", "refresh_token": "rt-S3\x00CRET"}, "refresh_token holds a "),
    ],
    ids=["access token with a newline", "refresh token with a NUL"],
)
def test_a_token_file_with_a_control_character_is_refused_naming_the_file(
    tmp_path: Path, tokens: dict[str, str], problem: str
) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps(tokens))
    path.chmod(0o600)  # a token file others can read is refused before it is read
    with pytest.raises(ConfigError) as caught:
        load_token_file(path)
    assert problem in str(caught.value)
    assert str(path) in str(caught.value)
    assert "S3" not in str(caught.value).replace(str(path), "")


def test_tokens_of_a_token_file_lose_the_line_breaks_around_them(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"access_token": "at-1\r\n", "refresh_token": " rt-1\n"}))
    path.chmod(0o600)  # a token file others can read is refused (docs/security.md)
    tokens = load_token_file(path)
    assert (tokens.access_token, tokens.refresh_token) == ("at-1", "rt-1")


def test_a_token_endpoint_answering_a_token_with_a_line_break_is_an_auth_error(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/token").respond_with_json(
        {"access_token": "new-S3CRET\r\nSet-Cookie: x", "expires_in": 1800})
    auth = RefreshTokenAuth(token_url=httpserver.url_for("/token"), client_id="app",
                            client_secret="cs-S3CRET", refresh_token="rt-S3CRET",
                            on_refresh=lambda tokens: None)
    api = ApiClient(httpserver.url_for("/api/"), auth=auth, sleep=lambda s: None)
    with pytest.raises(AuthError) as caught:
        api.get("things")
    api.close()
    assert "access_token holds a line break" in str(caught.value)
    assert "S3CRET" not in str(caught.value)


def test_a_header_requests_refuses_is_a_connector_error_that_does_not_quote_it(
    httpserver: HTTPServer,
) -> None:
    # The net under the cleaning: a value that reaches a header some other way (an id a
    # server sent) is never quoted, and is not a crash.
    api = ApiClient(httpserver.url_for("/api/"), auth=BearerToken("tok-1234"),
                    sleep=lambda s: None, connector="test")
    with pytest.raises(ConnectorError) as caught:
        api.get("things", headers={"xero-tenant-id": "ten-S3CRET\r\n-1"})
    api.close()
    assert "a header of the request holds a line break" in str(caught.value)
    assert "S3CRET" not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


# =============================================================================== every line


class EchoingOptions(ConnectorOptions):
    api_key: SecretStr
    """A secret."""


class EchoingConnector(Connector):
    """Not an HTTP connector: what leaves any connector's sync is scrubbed of its secrets."""

    name: ClassVar[str] = "echoing"
    streams: ClassVar[tuple[Stream, ...]] = (Stream(name="invoices", kind="invoice"),)
    Options = EchoingOptions
    options: EchoingOptions

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        key = self.options.api_key.get_secret_value()
        self.report_progress(ProgressEvent("wait", self.name, stream.name, wait_seconds=1,
                                           reason=f"HTTP 500 {quote(key).lower()}"))
        page = RawPage.of([{"number": f"bad {quote_plus(key)}"},
                           {"number": "skip", "why": f"left out: {key.upper()}"}], last=False)
        yield replace(page, notes=(f"read with {key}",))
        error = ApiError(f"refused: {json.dumps(key)} " + "x" * 400,
                         ErrorContext(connector=self.name, request_id=key))
        error.add_note(f"sent with {key}")
        raise error

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if raw["number"] == "skip":
            return Skip(raw["why"])
        raise ValueError(f"cannot read {raw['number']}")


def test_every_text_leaving_a_sync_is_scrubbed(tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    conn = EchoingConnector(api_key=SECRET, progress=events.append, clock=lambda: NOW)
    with Store.open(tmp_path / "s.db") as store, pytest.raises(ApiError) as caught:
        store.sync(conn)
    waits = [e.reason or "" for e in events if e.event == "wait"]
    assert waits == ["HTTP 500 [redacted]"]
    assert "S3CRET" not in str(caught.value)
    assert caught.value.request_id == "[redacted]"
    assert caught.value.__notes__ == ["sent with [redacted]"]
    with sqlite3.connect(tmp_path / "s.db") as db:
        (error,) = db.execute("SELECT error FROM syncs").fetchone()
        reasons = [r for (r,) in db.execute("SELECT reason FROM rejections")]
    assert error.startswith("ApiError: refused: \"[redacted]\" xxx")
    assert "S3CRET" not in error
    assert reasons
    assert all("S3CRET" not in r for r in reasons)


def test_skip_reasons_and_rejections_a_sync_yields_are_scrubbed() -> None:
    conn = EchoingConnector(api_key=SECRET, clock=lambda: NOW)
    pages: list[Page] = []
    with pytest.raises(ApiError):
        pages.extend(conn.sync())
    (page,) = pages
    assert dict(page.skipped) == {"left out: [redacted]": 1}
    assert page.notes == ("read with [redacted]",)
    assert [r.reason for r in page.rejected] == ["cannot read bad [redacted]"]


def test_the_line_before_a_retry_is_scrubbed(httpserver: HTTPServer) -> None:
    seen: list[str] = []
    key = "sk_live_S3CRET99"
    httpserver.expect_ordered_request("/api/things").respond_with_data(
        f"upstream said: Authorization: Bearer {key}", status=500)
    httpserver.expect_ordered_request("/api/things").respond_with_json({"things": []})
    api = ApiClient(httpserver.url_for("/api/"), auth=BearerToken(key), sleep=lambda s: None,
                    on_wait=lambda s, reason: seen.append(reason), jitter=lambda: 0.5)
    api.get("things")
    api.close()
    assert seen == ["HTTP 500 server error: upstream said: Authorization: Bearer [redacted]"]


def test_the_request_loggers_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = ApiClient("https://api.example.com/", secrets=[SECRET])
    try:
        for name in ("urllib3.connection", "urllib3.util.retry", "clientguard"):
            logging.getLogger(name).debug("header %s", quote(SECRET).lower())
    finally:
        api.close()
    assert [r.getMessage() for r in caplog.records] == ["header [redacted]"] * 3


# =============================================================================== every form


def _forms(secret: str) -> dict[str, str]:
    lower_escapes = quote(secret, safe="").lower()
    return {
        "as is": secret,
        "other case": secret.swapcase(),
        "URL-encoded": quote(secret, safe=""),
        "URL-encoded, lower-case escapes": lower_escapes,
        "URL-encoded, + for a space": quote_plus(secret),
        "URL-encoded, %20 for a space, lower case": quote(secret, safe="/").lower(),
        "JSON-escaped": json.dumps(secret)[1:-1].replace("/", "\\/"),
        "JSON, every character escaped": "".join(f"\\u{ord(c):04x}" for c in secret),
        "HTML-escaped": "tok&#43;S3CRET/with=odd&amp;chars x",
    }


@pytest.mark.parametrize(("form", "text"), list(_forms(SECRET).items()),
                         ids=list(_forms(SECRET)))
def test_a_client_scrubs_every_form_of_a_secret(form: str, text: str) -> None:
    api = ApiClient("https://api.example.com/", secrets=[SECRET])
    try:
        assert api.scrub(f"echo: {text}; done") == "echo: [redacted]; done"
    finally:
        api.close()


def test_the_basic_credentials_a_token_endpoint_echoes_are_scrubbed(
    httpserver: HTTPServer,
) -> None:
    def echo(request: Any) -> Any:
        from werkzeug import Response

        return Response(json.dumps({"error_description": request.headers["Authorization"]}),
                        status=400, content_type="application/json")

    httpserver.expect_request("/token").respond_with_handler(echo)
    auth = RefreshTokenAuth(token_url=httpserver.url_for("/token"), client_id="my-app-id",
                            client_secret="cs S3CRET+/=", refresh_token="rt-1234",
                            on_refresh=lambda tokens: None)
    api = ApiClient(httpserver.url_for("/api/"), auth=auth, sleep=lambda s: None)
    with pytest.raises(AuthError) as caught:
        api.get("things")
    api.close()
    assert "Basic [redacted]" in str(caught.value)


@pytest.mark.parametrize("offset", [1, 5, 10, 20, len(SECRET) - 1])
def test_a_message_is_scrubbed_before_it_is_cut(httpserver: HTTPServer, offset: int) -> None:
    # The secret starts so that the 300th character of the message falls `offset` into it.
    message = "x" * (300 - offset) + SECRET + " and more"
    httpserver.expect_request("/api/things").respond_with_json({"message": message}, status=400)
    api = ApiClient(httpserver.url_for("/api/"), secrets=[SECRET], sleep=lambda s: None)
    with pytest.raises(ApiError) as caught:
        api.get("things")
    api.close()
    said = str(caught.value).split("refused: ", 1)[1].removesuffix(" (HTTP 400)")
    # Only the padding is left, and the mark of a secret or of the cut: not one of its
    # characters (on the old code, a cut before the scrub left its first `offset`).
    assert re.fullmatch(r"x+(\[redacted\])?( and m[a-z]*)?…?", said), said


def test_the_first_characters_of_a_secret_at_the_end_of_a_message_are_scrubbed() -> None:
    # A server that cut its own message there.
    api = ApiClient("https://api.example.com/", secrets=[SECRET])
    try:
        assert api.scrub(f"denied for {SECRET[:12]}...") == "denied for [redacted]..."
        assert api.scrub(f"denied for {quote(SECRET[:12], safe='')}") == "denied for [redacted]"
    finally:
        api.close()


_SECRET_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
    min_size=4, max_size=30,
).filter(lambda s: s == s.strip() and len(s) >= 4)


def _encode(char: str, how: str) -> str:
    if how == "percent":
        return "".join(f"%{b:02X}" for b in char.encode())
    if how == "percent lower":
        return "".join(f"%{b:02x}" for b in char.encode())
    if how == "json":
        return json.dumps(char, ensure_ascii=True)[1:-1] if char not in "/" else "\\/"
    return char


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    secret=_SECRET_TEXT,
    encodings=st.lists(st.sampled_from(["raw", "percent", "percent lower", "json"]),
                       min_size=30, max_size=30),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
)
def test_a_secret_in_any_mix_of_encodings_is_scrubbed(
    secret: str, encodings: list[str], before: str, after: str
) -> None:
    from clientguard.redaction import REDACTED, Scrubber

    encoded = "".join(_encode(c, how) for c, how in zip(secret, encodings, strict=False))
    # The placeholders taken out before looking: a secret such as "REDA" is in "[redacted]"
    # without being shown (hypothesis found it).
    scrubbed = Scrubber([secret]).scrub(before + encoded + after).replace(REDACTED, "\0")
    assert encoded not in scrubbed
    assert secret.lower() not in scrubbed.lower()


@settings(max_examples=150, deadline=None, derandomize=True)
@given(secret=_SECRET_TEXT, before=st.text(max_size=400), after=st.text(max_size=50),
       limit=st.integers(min_value=20, max_value=400))
def test_shorten_never_leaves_a_secret_or_its_start(
    secret: str, before: str, after: str, limit: int
) -> None:
    from clientguard.redaction import MIN_PREFIX, Scrubber

    text = Scrubber([secret]).shorten(before + secret + after, limit)
    assert len(text) <= limit
    assert secret.lower() not in text.lower()
    start = secret[: max(MIN_PREFIX, len(secret) - 1)].lower()
    if start not in (before + after).lower():
        assert start not in text.lower()



class CarelessConnector(EchoingConnector):
    """A plugin that quotes its key where no sync scrubs it: while it is being made."""

    name: ClassVar[str] = "careless"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        key = self.options.api_key.get_secret_value()
        raise ConfigError(f"key {quote(key).lower()} is not for this account")


def test_the_command_line_scrubs_the_secrets_it_was_given_from_what_it_prints(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    connectors.register("careless", CarelessConnector, replace=True)
    monkeypatch.setenv("CLIENTGUARD_CARELESS_API_KEY", SECRET + "\n")
    try:
        code = main(["sync", "--source", "careless", "--store", "s.db"])
    finally:
        connectors.unregister("careless")
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert (out, err) == ("", "clientguard: key [redacted] is not for this account\n")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("req_8Qm3x2", "req_8Qm3x2"),
        ("Bearer " + "S3CRET" * 30, None),  # an echoed header, too long to be an id: never cut
        ("S3CRET with spaces", None),
    ],
    ids=["an id", "an echoed token", "words"],
)
def test_a_request_id_is_kept_whole_or_not_at_all(
    httpserver: HTTPServer, header: str, expected: str | None
) -> None:
    httpserver.expect_request("/api/things").respond_with_json(
        {"message": "no"}, status=400, headers={"Request-Id": header})
    api = ApiClient(httpserver.url_for("/api/"), sleep=lambda s: None)
    with pytest.raises(ApiError) as caught:
        api.get("things")
    api.close()
    assert caught.value.request_id == expected
    assert "S3CRET" not in str(caught.value)


def test_a_header_value_latin_1_cannot_carry_is_a_connector_error(
    httpserver: HTTPServer,
) -> None:
    api = ApiClient(httpserver.url_for("/api/"), auth=BearerToken("tok-S3CRET-\u20ac"),
                    sleep=lambda s: None)
    with pytest.raises(ConnectorError) as caught:
        api.get("things")
    api.close()
    assert "a header of the request holds" in str(caught.value)
    assert "S3CRET" not in str(caught.value)


def test_a_very_long_secret_is_scrubbed_in_its_common_forms() -> None:
    from clientguard.redaction import LONG_SECRET, Scrubber

    secret = ("S3CRET+/=" * 1000)[: LONG_SECRET + 500] + " end"
    scrubber = Scrubber([secret])
    for form in (secret, secret.lower(), quote(secret, safe="").lower(), quote_plus(secret),
                 json.dumps(secret)[1:-1].replace("/", "\\/")):
        assert scrubber.scrub(f"a {form} b") == "a [redacted] b"


def test_a_password_written_into_a_url_is_a_secret(httpserver: HTTPServer) -> None:
    def echo(request: Any) -> Any:
        from werkzeug import Response

        return Response(f"echo {request.headers.get('Authorization')}", status=400)

    httpserver.expect_request("/api/things").respond_with_handler(echo)
    url = httpserver.url_for("/api/").replace("http://", "http://me:pw-S3CRET@")
    api = ApiClient(url, sleep=lambda s: None)
    with pytest.raises(ApiError) as caught:
        api.get("things")
    api.close()
    assert "S3CRET" not in repr(api)
    assert "S3CRET" not in str(caught.value)
    assert "Basic [redacted]" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [f"denied for {SECRET[:12]}; retry later", f"first line {SECRET[:9]}\nsecond line"],
    ids=["one of the API's messages", "a line"],
)
def test_a_secrets_start_at_the_end_of_a_message_within_a_text_is_scrubbed(text: str) -> None:
    api = ApiClient("https://api.example.com/", secrets=[SECRET])
    try:
        assert "S3C" not in api.scrub(text)
        assert "[redacted]" in api.scrub(text)
    finally:
        api.close()


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    secret=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0xFF,
                                          blacklist_categories=("Cc", "Cf", "Zs")),
                   min_size=8, max_size=40),
    status=st.sampled_from([400, 401, 403, 429, 500, 502]),
    as_text=st.booleans(),
    padding=st.integers(min_value=250, max_value=300),
)
def test_no_secret_the_server_echoes_leaves_the_client(
    httpserver: HTTPServer, secret: str, status: int, as_text: bool, padding: int
) -> None:
    # Any token, echoed back in any form, cut anywhere: the error and the wait lines hold no
    # part of it that a cut made before scrubbing would leave.
    from werkzeug import Request, Response

    def echo(request: Request) -> Response:
        sent = request.headers.get("Authorization", "")
        echoed = (f"{'x' * padding} {sent} | {quote(sent, safe='').lower()} | "
                  f"{json.dumps(sent)}")
        body = f"echo {echoed}" if as_text else json.dumps({"message": echoed})
        return Response(body, status=status, headers={"Retry-After": "0"})

    httpserver.clear()  # one server for every example: each brings its own answer
    httpserver.expect_request("/api/things").respond_with_handler(echo)
    waits: list[str] = []
    api = ApiClient(httpserver.url_for("/api/"), auth=BearerToken(secret), max_attempts=2,
                    sleep=lambda s: None, on_wait=lambda s, reason: waits.append(reason))
    with pytest.raises(ConnectorError) as caught:
        api.get("things")
    api.close()
    for text in (str(caught.value), *waits):
        assert secret not in text
        assert secret[:8] not in text


# ==================================================== what a connector error carries besides


class ShiftedConnector(EchoingConnector):
    """Raises the error ``make`` builds from its key: one that quotes it in an attribute."""

    name: ClassVar[str] = "shifted"
    make: ClassVar[Callable[[str], ConnectorError]]

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        raise type(self).make(self.options.api_key.get_secret_value())


_ATTRIBUTES: list[Any] = [
    pytest.param(lambda key: SourceChanged(f"page 2 echoed {key}"), {"why": "page 2 echoed "},
                 id="SourceChanged.why"),
    pytest.param(lambda key: MissingRecords(f"a text: {key}", advice=f"check {quote(key)}",
                                            page="page 2 of invoices"),
                 {"why": "a text: ", "advice": "check "}, id="MissingRecords.why and advice"),
]


@pytest.mark.parametrize(("make", "kept"), _ATTRIBUTES)
def test_the_text_attributes_of_an_error_leaving_a_sync_are_scrubbed(
    make: Callable[[str], ConnectorError], kept: dict[str, str],
) -> None:
    # A caller that catches SourceChanged or MissingRecords may show or store `why` (and
    # `advice`), as a connector naming the page does: they were left as raised, the secret
    # in them, while the message (args) was scrubbed.
    ShiftedConnector.make = staticmethod(make)
    conn = ShiftedConnector(api_key=SECRET, clock=lambda: NOW)
    with pytest.raises(ConnectorError) as caught:
        list(conn.sync())
    for name, start in kept.items():
        # What the connector wrote before the secret, then the secret's mark.
        assert getattr(caught.value, name) == start + "[redacted]"
    assert "S3CRET" not in str(caught.value)
    assert "S3CRET" not in repr(vars(caught.value))
