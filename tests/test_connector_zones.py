"""The one check of a time zone name (``clientguard.connector.iana_zone``), and every
connector's ``timezone`` option through it: a name that is no IANA zone is a clear
``ConfigError`` naming the option, never a raw ``OSError`` with a path inside the installed
packages (a name too long for a file raised one), and never the reading machine's zone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from clientguard import connectors
from clientguard.connector import Connector, iana_zone
from clientguard.errors import ConfigError


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("Europe/Warsaw", "Europe/Warsaw"),
        ("  America/Los_Angeles ", "America/Los_Angeles"),
        ("UTC", "UTC"),
        ("Mars/Olympus_Mons", None),
        ("localtime", None),  # the reading machine's zone: a day must not depend on it
        ("Factory", None),
        ("Europe/" + "x" * 300, None),  # OSError: file name too long
        ("../../etc/passwd", None),  # ValueError: not under the zone database
        ("", None),
        ("   ", None),
        (None, None),
        (120, None),
    ],
)
def test_iana_zone_names_a_place_or_nothing_and_never_raises(
    value: object, key: str | None
) -> None:
    zone = iana_zone(value)
    assert (zone.key if zone is not None else None) == key


def _made(name: str) -> Callable[..., Connector]:
    """The installed connector ``name`` with its required options, fake credentials."""
    required: dict[str, dict[str, Any]] = {
        "xero": {"tenant_id": "tenant-1", "access_token": "x"},
        "stripe": {"api_key": "sk_test_x"},
        "jira": {"site": "acme.atlassian.net", "email": "a@b.c", "api_token": "x",
                 "clients": [{"customer": "books:c", "project": "ACME"}]},
        "github": {"token": "x", "repositories": ["acme/site"],
                   "clients": [{"customer": "books:c", "repository": "acme/site"}]},
        "toggl": {"api_token": "x", "workspace_id": "1"},
        "clockify": {"api_key": "x", "workspace_id": "w1"},
    }
    cls = connectors.load(name)
    return lambda **options: cls(**required[name], **options)


CONNECTORS = ["xero", "stripe", "jira", "github", "toggl", "clockify"]


@pytest.mark.parametrize("name", CONNECTORS)
@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus_Mons", "localtime", "Europe/" + "x" * 300, "../../etc/passwd"],
    ids=["not a zone", "the machine's zone", "a name too long for a file", "a path"],
)
def test_a_timezone_option_that_is_no_iana_zone_is_refused_clearly(name: str, zone: str) -> None:
    if name not in connectors.available():
        pytest.skip(f"the {name} connector is not installed")
    with pytest.raises(ConfigError, match="is not an IANA time zone") as caught:
        _made(name)(timezone=zone)
    assert "site-packages" not in str(caught.value)
    assert "x" * 100 not in str(caught.value)


@pytest.mark.parametrize("name", CONNECTORS)
def test_a_timezone_option_is_kept_by_its_zone_name(name: str) -> None:
    if name not in connectors.available():
        pytest.skip(f"the {name} connector is not installed")
    made = _made(name)(timezone=" Europe/Warsaw ")
    assert getattr(made.options, "timezone", None) == "Europe/Warsaw"
