"""What lateness costs: financing cost, statutory late-payment interest, fixed compensation.

Three numbers (docs/metrics/cost.md has the formulas and the legal rules):

- :func:`financing_cost`: what carrying the client's debt costs the firm at its own cost of
  capital, ``amount x days_late x cost_of_capital / day_count``.
- :func:`statutory_interest`: the interest the law grants on a late commercial debt, from the
  day after the due date, on the balance still outstanding, at the rate of a published table
  (:class:`RateTable`). Poland and the EU baseline take the rate of the half-year that contains
  each day of delay (the rate can step mid-delay); the UK fixes one rate for the whole debt,
  from the half-year in which interest starts to run.
- :func:`fixed_compensation`: the lump sum owed once per late invoice (Poland EUR 40/70/100,
  EU EUR 40, UK GBP 40/70/100).
- :func:`limitation`: from which day those claims are time-barred (Poland art. 118 KC, or
  two years for the main claim, arts. 554, 646 and 751 KC; UK Limitation Act 1980 s.5; not
  checked for the EU baseline), and what of them is barred as of a date.

Pure: no clock and no network. The only file read is the packaged rate tables, through
:mod:`importlib.resources`. Money is :class:`~decimal.Decimal` and a float is refused; amounts
are never rounded here, only by the results' ``rounded()`` at output (``ROUND_HALF_EVEN``).

The package, one module a part: :mod:`~clientguard.metrics.cost.rates` (the rate tables),
:mod:`~clientguard.metrics.cost.interest` (financing cost and statutory interest),
:mod:`~clientguard.metrics.cost.compensation` (the fixed sums and the Polish business-day
calendar), :mod:`~clientguard.metrics.cost.limitation` (the limitation period) and
:mod:`~clientguard.metrics.cost.lateness_costs` (all of it per invoice and per
customer of a ledger). Everything public is importable from here.
"""

from clientguard.metrics.cost.compensation import (
    Band,
    FixedCompensation,
    FxRates,
    PublishedFxRates,
    fixed_compensation,
    last_polish_business_day_before,
)
from clientguard.metrics.cost.interest import (
    BalanceStep,
    DayCount,
    InterestPeriod,
    StatutoryInterest,
    balance_days,
    financing_cost,
    statutory_interest,
)
from clientguard.metrics.cost.lateness_costs import (
    ClientLatenessCost,
    InvoiceLatenessCost,
    acknowledged_debts,
    claimed_interest,
    jurisdiction_of,
    lateness_costs,
)
from clientguard.metrics.cost.law import LegalNames, legal_names
from clientguard.metrics.cost.limitation import (
    Acknowledgement,
    Limitation,
    last_barred_due_date,
    limitation,
    time_barred_from,
)
from clientguard.metrics.cost.rates import (
    EVIDENCE,
    JURISDICTIONS,
    Evidence,
    Jurisdiction,
    RatePeriod,
    RateTable,
)

__all__ = [
    "EVIDENCE",
    "JURISDICTIONS",
    "Acknowledgement",
    "BalanceStep",
    "Band",
    "ClientLatenessCost",
    "DayCount",
    "Evidence",
    "FixedCompensation",
    "FxRates",
    "InterestPeriod",
    "InvoiceLatenessCost",
    "Jurisdiction",
    "LegalNames",
    "Limitation",
    "PublishedFxRates",
    "RatePeriod",
    "RateTable",
    "StatutoryInterest",
    "acknowledged_debts",
    "balance_days",
    "claimed_interest",
    "financing_cost",
    "fixed_compensation",
    "jurisdiction_of",
    "last_barred_due_date",
    "last_polish_business_day_before",
    "lateness_costs",
    "legal_names",
    "limitation",
    "statutory_interest",
    "time_barred_from",
]
