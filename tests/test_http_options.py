"""HttpOptions and HttpConnector.api_client: the one way a connector writes its HTTP
plumbing. The shared options are validated and bounded once, for every HTTP connector; the
helper hands them, the connector's name, clock and progress to the ApiClient."""

from __future__ import annotations

import gc
import importlib
import math
import weakref
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
import requests
from pytest_httpserver import HTTPServer

from clientguard.connector import ConnectorOptions, Mapped, ProgressEvent, Stream
from clientguard.errors import ConfigError
from clientguard.http import (
    ApiClient,
    HttpConnector,
    HttpOptions,
    HttpStream,
    Verdict,
    classify,
)

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


class DemoOptions(HttpOptions):
    token: str = "t"


class Demo(HttpConnector):
    name: ClassVar[str] = "demo"
    Options: ClassVar[type[ConnectorOptions]] = DemoOptions
    streams: ClassVar[tuple[Stream, ...]] = (HttpStream(name="things", kind="customer", path="x"),)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.client = self.api_client("http://localhost:1/api", headers={"Accept": "x"})

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        raise NotImplementedError


# ------------------------------------------------------------------ the options


BAD = [
    pytest.param("timeout", math.inf, id="timeout inf"),
    pytest.param("timeout", math.nan, id="timeout nan"),
    pytest.param("timeout", 0, id="timeout 0"),
    pytest.param("timeout", -5, id="timeout negative"),
    pytest.param("timeout", 601, id="timeout above ten minutes"),
    pytest.param("max_wait", math.inf, id="max_wait inf"),
    pytest.param("max_wait", math.nan, id="max_wait nan"),
    pytest.param("max_wait", -1, id="max_wait negative"),
    pytest.param("max_wait", 86_401, id="max_wait above a day"),
    pytest.param("max_attempts", 0, id="max_attempts 0"),
    pytest.param("max_attempts", 101, id="max_attempts above 100"),
    pytest.param("timeout", "inf", id="timeout 'inf' as text (environment, TOML)"),
    pytest.param("max_wait", "NaN", id="max_wait 'NaN' as text"),
    pytest.param("max_body", 0, id="max_body 0"),
    pytest.param("max_body", 2**30 + 1, id="max_body above 1 GiB"),
    pytest.param("max_body", 1.5, id="max_body not whole bytes"),
]


@pytest.mark.parametrize(("option", "value"), BAD)
def test_the_shared_options_refuse_what_no_api_needs(option: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"connector 'demo': {option}"):
        Demo(**{option: value})


#: Each HTTP connector: its options' class, the options it needs, its own defaults.
PLUGINS = [
    pytest.param("clientguard_xero", "XeroConnector",
                 {"access_token": "at-123456", "tenant_id": "tenant-1"}, (60.0, 5, 120.0),
                 id="xero"),
    pytest.param("clientguard_quickbooks", "QuickBooksConnector",
                 {"realm_id": "9341", "access_token": "at-123456"}, (120.0, 5, 120.0),
                 id="quickbooks"),
    pytest.param("clientguard_stripe", "StripeConnector",
                 {"api_key": "rk_test_123456789"}, (60.0, 5, 120.0), id="stripe"),
    pytest.param("clientguard_fakturownia", "FakturowniaConnector",
                 {"subdomain": "acme", "api_token": "tok-123456"}, (60.0, 5, 300.0),
                 id="fakturownia"),
    pytest.param("clientguard_clockify", "ClockifyConnector",
                 {"api_key": "ck-123456789"}, (60.0, 5, 120.0), id="clockify"),
    pytest.param("clientguard_harvest", "HarvestConnector",
                 {"account_id": "12345", "access_token": "hv-123456789"}, (60.0, 5, 120.0),
                 id="harvest"),
    pytest.param("clientguard_toggl", "TogglConnector",
                 {"api_token": "tg-123456789"}, (60.0, 5, 120.0), id="toggl"),
]


def _plugin(module: str, name: str) -> type[HttpConnector]:
    pytest.importorskip(module, reason=f"{module} is not installed")
    found = getattr(importlib.import_module(module), name)
    assert issubclass(found, HttpConnector)
    return found  # type: ignore[no-any-return]


@pytest.mark.parametrize(("module", "name", "required", "defaults"), PLUGINS)
def test_every_http_connector_builds_its_client_from_the_shared_options(
    module: str, name: str, required: dict[str, Any], defaults: tuple[float, int, float]
) -> None:
    cls = _plugin(module, name)
    assert issubclass(cls.Options, HttpOptions)
    conn = cls(**required)
    try:
        timeout, attempts, wait = defaults
        assert (conn.client.timeout, conn.client.max_attempts, conn.client.max_wait) == (
            timeout, attempts, wait)
        assert conn.client.connector == cls.name
    finally:
        conn.close()
    waits: list[float] = []
    conn = cls(**required, timeout=7.5, max_attempts=2, max_wait=30, sleep=waits.append)
    try:
        assert (conn.client.timeout, conn.client.max_attempts, conn.client.max_wait) == (
            7.5, 2, 30.0)
        conn.client.sleep(1.0)
        assert waits == [1.0]
    finally:
        conn.close()


@pytest.mark.parametrize(("module", "name", "required", "defaults"), PLUGINS)
def test_every_http_connector_is_freed_as_soon_as_it_is_let_go(
    module: str, name: str, required: dict[str, Any], defaults: object
) -> None:
    # No reference cycle (its client's wait reporter reports through the connector): a
    # portfolio reading thousands of firms in one process leaves no connector, client or
    # session behind for the garbage collector.
    conn = _plugin(module, name)(**required)
    gone = weakref.ref(conn)
    gc.disable()
    try:
        del conn
        assert gone() is None
    finally:
        gc.enable()


def test_a_wait_reported_after_the_connector_is_gone_is_dropped() -> None:
    conn = Demo(clock=lambda: NOW)
    report = conn.wait_reporter()
    del conn
    report(1.0, "rate limited")  # nothing to report to: no error


@pytest.mark.parametrize(("module", "name", "required", "defaults"), PLUGINS)
@pytest.mark.parametrize(("option", "value"), BAD)
def test_every_http_connector_refuses_the_same_bad_values(
    module: str,
    name: str,
    required: dict[str, Any],
    defaults: object,
    option: str,
    value: object,
) -> None:
    cls = _plugin(module, name)
    with pytest.raises(ConfigError, match=f"{option}"):
        cls(**required, **{option: value})  # type: ignore[arg-type]  # bad values on purpose


# ------------------------------------------------------------------ the helper


def test_api_client_carries_the_options_name_clock_and_sleep() -> None:
    waits: list[float] = []
    conn = Demo(timeout=3.0, max_attempts=4, max_wait=9.0, sleep=waits.append, clock=lambda: NOW)
    client = conn.client
    try:
        assert type(client) is ApiClient
        assert (client.timeout, client.max_attempts, client.max_wait) == (3.0, 4, 9.0)
        assert client.connector == "demo"
        assert client.clock() == NOW
        assert client.base_url == "http://localhost:1/api/"
        assert client.session.headers["Accept"] == "x"
        assert client.classify is classify
    finally:
        conn.close()


def test_api_client_reports_waits_as_progress(httpserver: HTTPServer) -> None:
    events: list[ProgressEvent] = []
    waits: list[float] = []

    class Local(Demo):
        def __init__(self, **options: Any) -> None:
            HttpConnector.__init__(self, **options)
            self.client = self.api_client(httpserver.url_for("/"))

    httpserver.expect_ordered_request("/x").respond_with_data("", status=503,
                                                             headers={"Retry-After": "2"})
    httpserver.expect_ordered_request("/x").respond_with_json([])
    conn = Local(sleep=waits.append, progress=events.append)
    try:
        conn.client.get("x")
    finally:
        conn.close()
    assert waits == [2.0]
    assert [(e.event, e.connector, e.wait_seconds) for e in events] == [("wait", "demo", 2.0)]


def test_api_client_uses_the_classifier_and_the_client_class_given() -> None:
    seen: list[int] = []

    def mine(response: requests.Response, *, now: datetime | None = None) -> Verdict:
        seen.append(response.status_code)
        return classify(response, now=now)

    class Named(ApiClient):
        pass

    class Own(Demo):
        def __init__(self, **options: Any) -> None:
            HttpConnector.__init__(self, **options)
            self.client = self.api_client("http://h/", classifier=mine, client_class=Named,
                                          secrets=("tenant-secret-1",))

    conn = Own()
    try:
        assert type(conn.client) is Named
        bare = requests.Response()
        bare.status_code = 204
        bare._content = b""
        conn.client.classify(bare, now=NOW)
        assert seen == [204]
        assert "tenant-secret-1" in conn.client.secrets()
        assert conn.client.scrub("id tenant-secret-1") == "id [redacted]"
    finally:
        conn.close()


def test_api_client_needs_http_options() -> None:
    class Plain(ConnectorOptions):
        pass

    class Odd(HttpConnector):
        name: ClassVar[str] = "odd"
        Options: ClassVar[type[ConnectorOptions]] = Plain
        streams: ClassVar[tuple[Stream, ...]] = ()

        def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
            raise NotImplementedError

    with pytest.raises(ConfigError, match="HttpOptions"):
        Odd().api_client("http://h/")




# ------------------------------------------------------------------ the client itself


@pytest.mark.parametrize(
    ("option", "value"),
    [
        pytest.param("timeout", math.inf, id="timeout inf"),
        pytest.param("timeout", math.nan, id="timeout nan"),
        pytest.param("timeout", 0.0, id="timeout 0"),
        pytest.param("timeout", (10.0, math.inf), id="read timeout inf"),
        pytest.param("timeout", (math.nan, 60.0), id="connect timeout nan"),
        pytest.param("max_wait", math.nan, id="max_wait nan"),
        pytest.param("max_wait", math.inf, id="max_wait inf"),
        pytest.param("max_wait", -1.0, id="max_wait negative"),
        pytest.param("backoff_base", math.nan, id="backoff_base nan"),
        pytest.param("backoff_cap", math.inf, id="backoff_cap inf"),
    ],
)
def test_an_api_client_built_by_hand_refuses_endless_or_unreadable_seconds(
    option: str, value: object
) -> None:
    # A client built without HttpOptions (the exchange-rate banks) is checked too.
    with pytest.raises(ConfigError, match=f"{option} must be a finite number of seconds"):
        ApiClient("http://h/", **{option: value})  # type: ignore[arg-type]


def test_an_api_client_takes_a_max_wait_of_zero_and_a_timeout_pair() -> None:
    client = ApiClient("http://h/", max_wait=0, timeout=(3.0, 30.0))
    try:
        assert (client.max_wait, client.timeout) == (0, (3.0, 30.0))
    finally:
        client.close()


# ------------------------------------------------------------------ the package's face

#: Every public name the single module clientguard.http had before it became a package: a
#: plugin or a user importing any of them from clientguard.http must not notice the split.
BEFORE_THE_SPLIT = [
    "DEFAULT_TIMEOUT", "MESSAGE_LIMIT", "REDACTED_LOGGERS", "REQUEST_ID_HEADERS", "ApiClient",
    "Auth", "BearerToken", "Classifier", "ClientCredentialsAuth", "HttpConnector", "HttpRequest",
    "HttpStream", "NextTokenPaginator", "OffsetPaginator", "PageNumberPaginator", "Paginator",
    "RateLimits", "RefreshTokenAuth", "SinglePagePaginator", "Sleep", "TokenSet", "Verdict",
    "WaitCallback", "api_message", "classify", "decode_json", "describe_url", "load_token_file",
    "parse_retry_after", "request_id_of", "response_date", "token_file_saver",
]


def test_every_name_of_the_old_module_is_importable_from_the_package() -> None:
    package = importlib.import_module("clientguard.http")
    missing = [name for name in BEFORE_THE_SPLIT if not hasattr(package, name)]
    assert missing == []
    assert set(BEFORE_THE_SPLIT) <= set(package.__all__)
