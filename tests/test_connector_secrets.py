"""The connector framework keeps secrets out of what it hands on: every text of a rejection
(its id, field, reason and location, whichever way the mapping failed), and the options'
repr, str and JSON dump (a password written into a URL option)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import astuple
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from pydantic import Field, SecretStr

from clientguard.connector import (
    Connector,
    ConnectorOptions,
    Mapped,
    RawPage,
    RawRecord,
    Stream,
    pull,
)
from clientguard.errors import DataError
from clientguard.model import Customer
from clientguard.records import Location, Rejection

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
KEY = "sk_live_T0pS3cretKey42"


class LeakyOptions(ConnectorOptions):
    api_key: SecretStr
    """The secret a server may echo into the data."""
    raws: list[dict[str, Any]]
    """The raw records of the one stream."""


class LeakyConnector(Connector):
    """One page of raw customers, each failing to map the way its ``fails`` says."""

    name: ClassVar[str] = "leaky"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", id_field="cid", duplicates="reject"),
    )
    Options = LeakyOptions
    options: LeakyOptions

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        yield RawPage(tuple(
            RawRecord(raw, Location(file="customers.json", line=n,
                                    detail=f"GET /customers?key={KEY}"))
            for n, raw in enumerate(self.options.raws, start=1)
        ), last=True)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        fails = raw.get("fails")
        if fails == "key":  # a lookup by a value the server sent back: the tenant id
            known: dict[str, Customer] = {}
            return known[raw["tenant"]]
        if fails == "problems":
            raise DataError("bad", [Rejection(
                kind="customer", source="leaky", record_id=f"sub-{KEY}",
                field=f"metadata.{KEY}", reason=f"{KEY} is no name")])
        if fails == "value":
            raise ValueError(f"name {raw['name']!r} holds the key")
        return Customer(id=raw["cid"], name=raw["name"], source=self.name)


@pytest.mark.parametrize(
    ("raws", "expected"),
    [
        # A KeyError names the key it looked up.
        ([{"cid": "c1", "fails": "key", "tenant": KEY}],
         ("c1", "[redacted]", "missing field '[redacted]'")),
        # A DataError's own problems: their id, field and reason.
        ([{"cid": "c1", "fails": "problems"}],
         ("sub-[redacted]", "metadata.[redacted]", "[redacted] is no name")),
        # The raw record's id, and any other mapping error.
        ([{"cid": f"acct-{KEY}", "fails": "value", "name": KEY}],
         ("acct-[redacted]", None, "name '[redacted]' holds the key")),
        # Two different records under one id: the rejection naming the first.
        ([{"cid": f"c-{KEY}", "name": "Acme"}, {"cid": f"c-{KEY}", "name": "Acme Ltd"}],
         ("c-[redacted]", "id", "another customer with id c-[redacted] came first in source "
          "leaky (first from leaky, customers.json, line 1, GET /customers?key=[redacted]) "
          "and differs")),
    ],
)
def test_no_text_of_a_rejection_holds_a_secret(
    raws: list[dict[str, Any]], expected: tuple[str, str | None, str]
) -> None:
    connector = LeakyConnector(api_key=KEY, raws=raws, clock=lambda: NOW)
    (rejection,) = pull(connector).rejected
    assert (rejection.record_id, rejection.field, rejection.reason) == expected
    assert rejection.location is not None
    assert rejection.location.detail == "GET /customers?key=[redacted]"
    assert rejection.location.file == "customers.json"
    shown = [str(rejection), *(str(v) for v in astuple(rejection.location))]
    assert not [text for text in shown if KEY in text]


class UrlOptions(ConnectorOptions):
    base_url: str = "https://api.example.com"
    """Where the API is; a proxy may need a user and password."""
    token_url: str = "https://auth.example.com/token"
    """The token endpoint."""
    mirrors: list[str] = Field(default_factory=list)
    """More addresses."""
    api_key: SecretStr | None = None
    """A secret option."""


def test_a_password_in_a_url_option_shows_masked_as_a_secret_option_does() -> None:
    options = UrlOptions(
        base_url="https://user:pw-S3cret@proxy.local:8080/v3?x=1",
        token_url="https://client:tok%40S3cret@auth.local/token",
        mirrors=["https://m:mirror-S3cret@m.local/"],
        api_key="sk-S3cret-key",
    )
    for shown in (repr(options), str(options), options.model_dump_json(),
                  json.dumps(options.model_dump(mode="json"))):
        assert "S3cret" not in shown
        assert "https://user:**********@proxy.local:8080/v3?x=1" in shown
        assert "https://client:**********@auth.local/token" in shown
        assert "https://m:**********@m.local/" in shown
    # The options themselves, and a round trip through model_dump(), keep the value the
    # connector sends (as a SecretStr keeps its own).
    assert options.base_url == "https://user:pw-S3cret@proxy.local:8080/v3?x=1"
    assert UrlOptions(**options.model_dump()) == options


def test_a_url_without_a_password_and_other_text_show_as_they_are() -> None:
    options = UrlOptions(base_url="https://user@proxy.local/v3",
                         token_url="mailto:someone@example.com")
    assert "base_url='https://user@proxy.local/v3'" in repr(options)
    assert "token_url='mailto:someone@example.com'" in repr(options)
    assert json.loads(options.model_dump_json())["base_url"] == "https://user@proxy.local/v3"
