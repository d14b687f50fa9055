"""Signals: the thresholds of a :class:`~clientguard.policy.Policy` applied to the metrics,
giving :class:`~clientguard.findings.Finding` objects.

A signal is a plain function ``(ledger, as_of, policy) -> Iterable[Finding]``
(:data:`SignalFunction`). The review runs :data:`BUILTIN_SIGNALS` and any the caller adds
(``review(..., signals=[...])``); the CLI adds those installed under the entry-point group
``clientguard.signals`` and those named by dotted path in ``clientguard.toml``
(:func:`load_signal`). ``docs/testing-your-policy.md`` shows a signal of one's own and its
test.

The built-in signals, one module per family, each with pure ``flag_*`` functions over
metrics a caller may already hold:

- :mod:`clientguard.signals.lateness`: :func:`late_payment` (``chronic_late``,
  ``worsening_late``, ``dispute``);
- :mod:`clientguard.signals.concentration`: :func:`revenue_share` (``revenue_concentration``,
  ``book_concentration``), :func:`receivables_share` (``receivables_concentration``,
  ``cross_aging``), :func:`hours_share` (the hours report: ``capacity`` from
  :func:`flag_capacity`, ``book_concentration``);
- :mod:`clientguard.signals.workload`: :func:`flag_capacity` (``capacity``), :func:`rush_work`
  (``rush``), beside :mod:`clientguard.metrics.workload`;
- :mod:`clientguard.signals.freshness`: :func:`stale_data` (``stale_data``);
- :mod:`clientguard.signals.foresight`: :func:`expected_late` (``expected_late``), from the
  forecast of :mod:`clientguard.forecast`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from datetime import date
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from clientguard.errors import ConfigError
from clientguard.findings import Finding
from clientguard.signals.concentration import (
    ConcentrationReport,
    concentration,
    concentration_findings,
    flag_book_concentration,
    flag_cross_aging,
    flag_receivables_concentration,
    flag_revenue_concentration,
    hours_share,
    receivables_share,
    revenue_share,
)
from clientguard.signals.foresight import expected_late, flag_expected_late
from clientguard.signals.freshness import stale_data
from clientguard.signals.lateness import (
    DisputeSplit,
    Materiality,
    dispute_splits,
    flag_chronic_late,
    flag_dispute,
    flag_worsening_late,
    late_payer_findings,
    late_payers,
    late_payment,
    lateness_severity,
    materiality,
)
from clientguard.signals.workload import (
    capacity_findings,
    flag_capacity,
    flag_rush,
    rush_findings,
    rush_work,
)

if TYPE_CHECKING:
    from clientguard.ledger import Ledger
    from clientguard.policy import Policy

SignalFunction = Callable[["Ledger", date, "Policy"], Iterable[Finding]]
"""A signal: ``(ledger, as_of, policy)`` to the findings it makes."""

BUILTIN_SIGNALS: tuple[SignalFunction, ...] = (
    late_payment,
    revenue_share,
    receivables_share,
    hours_share,
    rush_work,
    stale_data,
    expected_late,
)
"""The signals every review runs, in this order."""

ENTRY_POINT_GROUP = "clientguard.signals"
"""The entry-point group under which a package registers signals for the CLI."""


def load_object(path: str, *, what: str = "signal") -> Any:
    """The object a dotted path names: ``package.module:name`` or ``package.module.name``.

    Raises :class:`ConfigError` naming the path when the module or the name is missing, or
    when the object is not callable.
    """
    module_name, sep, attribute = path.partition(":")
    if not sep:
        module_name, _, attribute = path.rpartition(".")
    if not module_name or not attribute:
        raise ConfigError(
            f"{what} {path!r} is not a dotted path: write it as package.module:function"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"{what} {path!r}: cannot import {module_name!r} ({exc})") from None
    found: Any = module
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise ConfigError(f"{what} {path!r}: {module_name!r} has no {attribute!r}")
        found = getattr(found, part)
    if not callable(found):
        raise ConfigError(f"{what} {path!r} is not a function")
    return found


def load_signal(path: str) -> SignalFunction:
    """The signal function a dotted path names (``package.module:function``)."""
    function: SignalFunction = load_object(path, what="signal")
    return function


def installed_signals(group: str = ENTRY_POINT_GROUP) -> list[SignalFunction]:
    """The signals installed packages register under ``group``, by entry-point name.

    Raises :class:`ConfigError` naming an entry point that cannot be loaded.
    """
    found: list[SignalFunction] = []
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        try:
            function = point.load()
        except Exception as exc:  # a broken plugin names itself, whatever it raised
            raise ConfigError(
                f"{group} entry point {point.name!r} ({point.value}) cannot be loaded: {exc}"
            ) from None
        if not callable(function):
            raise ConfigError(f"{group} entry point {point.name!r} is not a function")
        found.append(function)
    return found


def run_signals(
    signals: Iterable[SignalFunction], ledger: Ledger, as_of: date, policy: Policy
) -> list[Finding]:
    """Every finding of ``signals``, in their order. A signal returning something that is not
    a :class:`Finding` is a :class:`TypeError` that names the signal."""
    findings: list[Finding] = []
    for signal in signals:
        for finding in signal(ledger, as_of, policy):
            if not isinstance(finding, Finding):
                name = getattr(signal, "__qualname__", repr(signal))
                raise TypeError(
                    f"signal {name} returned {type(finding).__name__}, not a Finding"
                )
            findings.append(finding)
    return findings


__all__ = [
    "BUILTIN_SIGNALS",
    "ENTRY_POINT_GROUP",
    "ConcentrationReport",
    "DisputeSplit",
    "Materiality",
    "SignalFunction",
    "capacity_findings",
    "concentration",
    "concentration_findings",
    "dispute_splits",
    "expected_late",
    "flag_book_concentration",
    "flag_capacity",
    "flag_chronic_late",
    "flag_cross_aging",
    "flag_dispute",
    "flag_expected_late",
    "flag_receivables_concentration",
    "flag_revenue_concentration",
    "flag_rush",
    "flag_worsening_late",
    "hours_share",
    "installed_signals",
    "late_payer_findings",
    "late_payers",
    "late_payment",
    "lateness_severity",
    "load_object",
    "load_signal",
    "materiality",
    "receivables_share",
    "revenue_share",
    "run_signals",
    "rush_findings",
    "rush_work",
    "stale_data",
]
