"""Signals: the thresholds of a :class:`~clientguard.policy.Policy` applied to the metrics,
giving :class:`~clientguard.findings.Finding` objects.

One module per family of signals, each with public entry points over a ledger and pure
``flag_*`` functions over metrics a caller may already hold:

- :mod:`clientguard.signals.lateness`: ``chronic_late`` and ``worsening_late``
  (:func:`late_payers`);
- :mod:`clientguard.signals.concentration`: ``revenue_concentration``,
  ``receivables_concentration``, ``cross_aging``, ``capacity``, ``rush`` and
  ``book_concentration`` (:func:`concentration`, :func:`rush_findings`).
"""

from clientguard.signals.concentration import (
    ConcentrationReport,
    capacity_findings,
    concentration,
    concentration_findings,
    flag_book_concentration,
    flag_capacity,
    flag_cross_aging,
    flag_receivables_concentration,
    flag_revenue_concentration,
    flag_rush,
    rush_findings,
)
from clientguard.signals.lateness import (
    flag_chronic_late,
    flag_worsening_late,
    late_payer_findings,
    late_payers,
    lateness_severity,
)

__all__ = [
    "ConcentrationReport",
    "capacity_findings",
    "concentration",
    "concentration_findings",
    "flag_book_concentration",
    "flag_capacity",
    "flag_chronic_late",
    "flag_cross_aging",
    "flag_receivables_concentration",
    "flag_revenue_concentration",
    "flag_rush",
    "flag_worsening_late",
    "late_payer_findings",
    "late_payers",
    "lateness_severity",
    "rush_findings",
]
