"""What one answer may cost: its size once decompressed (``max_body``) and its time in all
(``timeout``).

* Size. The bound was 256 MiB, which let 256 KiB of gzip become a JSON of millions of small
  objects taking some 6.6 GiB once parsed (/tmp/rev-hostapi/bomb_mem.py). It is 32 MiB now,
  some eight times the largest page a connector asks for (1,000 QuickBooks invoices at the
  recorded answer's 3.6 KB each), and ``max_body`` is an option of every HTTP connector, to
  raise it for a source whose pages are larger.
* Time. ``timeout`` bounded only the gap between two bytes: a server sending its answer a
  byte at a time, each in time, was never cut off (/tmp/rev-hostapi/drip.py: 6 s with
  ``timeout=1``). Then the whole answer, the server's thinking before its headers included,
  had to arrive within ``timeout`` (60 s), and an answer too slow was sent again up to
  ``max_attempts`` times (/tmp/rev-http3/deadline.py): a slow but steady page of a few MB
  failed. Now the body has ``max_read_seconds`` (300 s by default) from its headers, the
  headers ``timeout``, and a body too slow is sent again once, then fails saying so.

Over real HTTP (pytest-httpserver); no test allocates more than a few tens of megabytes,
and none waits more than about a second.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import ConnectorOptions, Mapped, Stream
from clientguard.errors import ApiError, ConfigError, ConnectorError
from clientguard.http import ApiClient, HttpConnector, HttpOptions, HttpStream

TOKEN_IN_PATH = "pathtok-SECRET-bodies-2"


class DemoOptions(HttpOptions):
    base_url: str


class Demo(HttpConnector):
    name: ClassVar[str] = "demo"
    Options: ClassVar[type[ConnectorOptions]] = DemoOptions
    streams: ClassVar[tuple[Stream, ...]] = (HttpStream(name="things", kind="customer", path="x"),)
    options: DemoOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.client = self.api_client(self.options.base_url)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        raise NotImplementedError


# ===================================================================== size once decompressed


def bomb(size: int) -> bytes:
    """``size // 3`` empty objects in a list, gzipped (a few KiB on the wire): ``[``, then
    ``{},`` for all but the last, then ``{}]``: 3 * (size // 3) + 1 bytes once
    decompressed."""
    count = size // 3
    return gzip.compress(b"[" + b"{}," * (count - 1) + b"{}]", 9)


def test_the_default_bound_is_32_mib(httpserver: HTTPServer) -> None:
    # 33 MiB once decompressed (from some 33 KiB of gzip): under the old bound of 256 MiB it
    # was read whole; 32 MiB = 33,554,432 bytes is the bound now.
    httpserver.expect_request(f"/api/{TOKEN_IN_PATH}/x").respond_with_data(
        bomb(33 * 2**20), content_type="application/json",
        headers={"Content-Encoding": "gzip"})
    api = ApiClient(httpserver.url_for("/api/"), connector="demo", secrets=(TOKEN_IN_PATH,),
                    sleep=lambda s: None)
    with pytest.raises(ApiError) as caught:
        api.get(f"{TOKEN_IN_PATH}/x", params={"api_token": "q-SECRET-1"})
    api.close()
    message = str(caught.value)
    assert message.startswith(
        f"GET localhost:{httpserver.port}/api/[redacted]/x: the answer is larger than 32 MiB "
        "once decompressed")
    assert "lower page_size, or raise max_body if the API's pages are this large" in message
    assert "SECRET" not in message
    assert len(httpserver.log) == 1  # not sent again


@pytest.mark.parametrize(
    ("max_body", "size", "fails"),
    [
        # 64 KiB = 65,536 bytes; the body is 3 * (70,000 // 3) + 1 = 70,000 bytes once
        # decompressed, or 3 * (60,000 // 3) + 1 = 60,001.
        (64 * 1024, 70_000, True),
        (64 * 1024, 60_000, False),
        # Raised above the default: 34 MiB (3 * (35,651,584 // 3) + 1 = 35,651,584 bytes)
        # read whole under 40 MiB (41,943,040).
        (40 * 2**20, 34 * 2**20, False),
    ],
    ids=["over 64 KiB", "under 64 KiB", "raised to 40 MiB"],
)
def test_max_body_is_an_option_of_every_http_connector(
    httpserver: HTTPServer, max_body: int, size: int, fails: bool
) -> None:
    httpserver.expect_request("/api/x").respond_with_data(
        bomb(size), content_type="application/json", headers={"Content-Encoding": "gzip"})
    conn = Demo(base_url=httpserver.url_for("/api/"), max_body=max_body, sleep=lambda s: None)
    assert conn.client.max_body == max_body
    if fails:
        with pytest.raises(ApiError, match="the answer is larger than 64 KiB once decompressed"):
            conn.client.get("x")
    else:
        assert len(conn.client.get("x").content) == 3 * (size // 3) + 1
    conn.close()


# ======================================================================= time in all


def drip(body: bytes, seconds: float) -> Response:
    """``body`` a byte at a time over ``seconds``: each byte well within any read timeout."""
    step = seconds / len(body)

    def slowly() -> Iterator[bytes]:
        for i in range(len(body)):
            yield body[i:i + 1]
            time.sleep(step)

    return Response(slowly(), content_type="application/json",
                    headers={"Content-Length": str(len(body))})


BODY = b'{"things": [], "next": null, "padding": "' + b"x" * 40 + b'"}'


def test_an_answer_dripped_past_max_read_seconds_fails_after_one_more_try(
    httpserver: HTTPServer,
) -> None:
    def handler(request: Request) -> Response:
        return drip(BODY, 1.5)

    httpserver.expect_request("/api/x").respond_with_handler(handler)
    waits: list[float] = []
    # Five attempts allowed: a body too slow is sent again once only (a slow page stays
    # slow); before, every attempt waited its deadline again (5 x 60 s by default).
    api = ApiClient(httpserver.url_for("/api/"), connector="demo", timeout=0.5,
                    max_read_seconds=0.5, max_attempts=5, sleep=waits.append,
                    jitter=lambda: 0.5)
    started = time.monotonic()
    with pytest.raises(ConnectorError) as caught:
        api.get("x", stream="things")
    elapsed = time.monotonic() - started
    api.close()
    assert str(caught.value).startswith(
        f"GET localhost:{httpserver.port}/api/x: the answer did not arrive whole within 0.5 s "
        "of its headers (max_read_seconds) on 2 attempts: the server sends it too slowly; try "
        "again later, or raise max_read_seconds")
    assert caught.value.context.stream == "things"
    # Two attempts of 0.5 s each, and a byte's step (1.5 s / 84 bytes) past each: the drip
    # still ends (each byte comes well within the 0.5 s read timeout).
    assert elapsed < 1.4
    assert len(waits) == 1  # sent again once
    assert len(httpserver.log) == 2


def test_an_answer_within_max_read_seconds_is_read(httpserver: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        return drip(BODY, 0.3)

    httpserver.expect_request("/api/x").respond_with_handler(handler)
    api = ApiClient(httpserver.url_for("/api/"), connector="demo", timeout=(0.5, 0.5),
                    max_read_seconds=1.0, max_attempts=1)
    assert api.deadline == 1.0
    assert api.get("x").content == BODY
    api.close()


def test_the_server_thinking_before_its_headers_is_not_counted(httpserver: HTTPServer) -> None:
    # A steady but slow API (/tmp/rev-http3/deadline.py): 0.7 s before the headers (within
    # the 1 s read timeout), then a body over 0.6 s, 1.3 s in all. The body alone is within
    # max_read_seconds=1 s, so the answer is read; before, the deadline (timeout, 1 s)
    # started with the request and cut it at 1 s, sending it again.
    def handler(request: Request) -> Response:
        time.sleep(0.7)
        return drip(BODY, 0.6)

    httpserver.expect_request("/api/x").respond_with_handler(handler)
    api = ApiClient(httpserver.url_for("/api/"), connector="demo", timeout=1.0,
                    max_read_seconds=1.0, max_attempts=1)
    assert api.get("x").content == BODY
    api.close()
    assert len(httpserver.log) == 1


def test_max_read_seconds_is_an_option_of_every_http_connector() -> None:
    conn = Demo(base_url="http://localhost:1/api", timeout=7.5)
    # The default: 300 s for the body once its headers came, whatever the timeout (before:
    # the timeout itself, 7.5 s here, which a 3 MB page over a slow link outlasts).
    assert conn.client.deadline == 300.0
    conn.close()
    conn = Demo(base_url="http://localhost:1/api", max_read_seconds=45)
    assert conn.client.deadline == 45.0
    conn.close()


@pytest.mark.parametrize("value", [0, -1, float("inf"), float("nan"), 3_601])
def test_max_read_seconds_is_bounded(value: float) -> None:
    # Finite, above 0, at most an hour (MAX_READ_SECONDS).
    with pytest.raises(ConfigError, match="max_read_seconds"):
        Demo(base_url="http://localhost:1/api", max_read_seconds=value)
