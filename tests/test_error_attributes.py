"""Errors a program reads as data (docs/errors.md): ``ConfigError.problems`` names each bad key
of a policy with what is wrong with it, and a ``Finding`` made in code with a bad value is a
``DataError`` naming the field (until 2026-12-08: a ConfigError with text alone, and pydantic's
own ``ValidationError``)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

import clientguard as cg


@pytest.mark.parametrize(("given", "keys"), [
    # A typo of grace_days: the key as written, and the nearest known one in the reason.
    ({"gracedays": 1}, {"gracedays": "did you mean 'grace_days'?"}),
    # The bounds of policy.py: grace_days >= 0, lookback_days >= 1.
    ({"grace_days": -1}, {"grace_days": "greater than or equal to 0"}),
    ({"grace_days": -1, "lookback_days": 0},
     {"grace_days": "greater than or equal to 0", "lookback_days": "greater than or equal to 1"}),
])
def test_a_policy_error_names_each_key(given: dict[str, Any], keys: dict[str, str]) -> None:
    makers: list[Callable[[], cg.Policy]] = [lambda: cg.Policy(**given),
                                             lambda: cg.Policy.from_mapping(given)]
    for make in makers:
        with pytest.raises(cg.ConfigError) as raised:
            make()
        problems = dict(raised.value.problems)
        assert problems.keys() == keys.keys()
        for key, reason in keys.items():
            assert reason in problems[key]
            assert key in str(raised.value)  # the message still says it


def test_a_config_error_without_keys_has_no_problems() -> None:
    assert cg.ConfigError("mapping.toml: not valid TOML").problems == ()


def _finding(**change: Any) -> cg.Finding:
    fields: dict[str, Any] = {
        "customer_id": "acme", "signal": cg.Signal.CHRONIC_LATE,
        "severity": cg.Severity.WARNING, "metric": "late_share", "value": Decimal("0.75"),
        "threshold": Decimal("0.5"), "message": "acme paid 3 of 4 invoices late"}
    return cg.Finding(**{**fields, **change})


@pytest.mark.parametrize(("change", "field"), [
    ({"signal": "nosuch"}, "signal"),
    ({"severity": "fatal"}, "severity"),
    ({"value": "a lot"}, "value"),
    ({"colour": "red"}, "colour"),                    # no such field
    ({"evidence": {"record_ids": 7}}, "evidence.record_ids"),
])
def test_a_bad_finding_is_a_data_error_naming_the_field(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(cg.DataError) as raised:
        _finding(**change)
    assert [p.field for p in raised.value.problems] == [field]
    assert isinstance(raised.value, ValueError)  # as pydantic's error was: except ValueError
    assert field in str(raised.value)


def test_a_good_finding_is_made_as_before() -> None:
    finding = _finding(evidence=cg.Evidence(record_ids=("A-1",), numbers={"late": 3}))
    assert finding.signal is cg.Signal.CHRONIC_LATE
    assert finding.evidence.record_ids == ("A-1",)
    assert finding.model_copy(update={"metric": "m"}).metric == "m"
