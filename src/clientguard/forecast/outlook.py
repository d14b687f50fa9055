"""What the forecast says (:func:`clientguard.forecast.forecast`): each open invoice's
predicted payment with what it rests on, each client's outlook and the weeks' expected cash-in,
as the review and the reports show them. The model that makes them is
:mod:`clientguard.forecast.model`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from clientguard import wording
from clientguard.i18n import gettext, ngettext, noop

__all__ = ["CashWeek", "ClientOutlook", "Forecast", "InvoiceForecast"]

_POOL_WORDS = (noop("book"), noop("disputed"), noop("not disputed"), noop("large"), noop("small"))
"""The words of a pool's name (``not disputed, large``): the name stays English in the data, and
:attr:`InvoiceForecast.rests_on` translates each word where it is shown."""


class InvoiceForecast(BaseModel):
    """One open invoice's predicted payment, with what the prediction rests on."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    invoice_id: str
    customer_id: str
    due_date: date
    open_balance_base: Decimal
    """What is still owed, in the base currency (the invoice's own rate)."""
    days_past_due: int
    """``as_of - due_date`` (negative while not yet due): the prediction is conditional on the
    invoice being unpaid this long, or one day less on its last day on time (``grace_days``
    past due; due on ``as_of`` without grace), when a payment on ``as_of`` is still on time
    (docs/forecast.md)."""
    predicted_on: date | None
    """The median of the payment date, given it is still unpaid on ``as_of``: after ``as_of``,
    or ``as_of`` itself on the invoice's last day on time. None where the median falls in the
    chance no paid invoice of the history resolves: an invoice open and later than anything
    ever paid (maybe never paid; counted after the 13 weeks)."""
    low: date | None
    """The 10th percentile: the 80% interval's first day. None: not dated
    (``beyond_history``), or, for an invoice not yet late, more than nine tenths of its chance
    is of a payment later than any delay paid (late, maybe never): the part the history
    resolves is still in the weeks."""
    high: date | None
    """The 90th percentile: the 80% interval's last day. None: the interval is open-ended,
    the invoice may be paid later than any delay seen, or never."""
    p_late: float
    """The probability it is paid more than ``grace_days`` after its due date."""
    p_late_30: float
    """The probability it is paid more than 30 days after its due date."""
    client_weight: float
    """``Z``, the credibility of the client's own history (0: the book's alone)."""
    client_invoices: int
    """The client's paid invoices the prediction learned from."""
    client_mean_delay: float | None
    """The client's mean delay (days after due, recency-weighted); None without history."""
    client_trend: float | None
    """Recency-weighted minus plain mean delay of the client: positive when it slips."""
    pool: str
    """The book's invoices the rest rests on: ``book``, ``disputed``, ``not disputed``, with the
    amount band where used (``not disputed, large``)."""
    pool_invoices: int
    disputed: bool
    beyond_history: bool
    """It is late and the history it rests on does not date it: older than every delay paid,
    or than all but a few (fewer than 5 paid invoices later than its age), or the delays
    paid later resolve less than the interval's first tenth of its chance: it is not dated
    (``predicted_on``, ``low`` and ``high`` None) and its balance is counted after the 13
    weeks (``Forecast.after``). An invoice not yet late never is: it may still be paid on
    time."""
    client_open_late: int = 0
    """The client's invoices open on ``as_of`` and already late, learned from as delays
    longer than their age (right-censored): known late then."""
    invoice_label: str = ""
    """The invoice as a person knows it (:meth:`clientguard.ledger.Ledger.invoice_label`: its
    number), as the findings, the forecast table and the reports name it; empty: its id
    (:attr:`named`)."""

    @property
    def named(self) -> str:
        """How a sentence or a table names the invoice: :attr:`invoice_label`, else its id."""
        return self.invoice_label or self.invoice_id

    @property
    def rests_on(self) -> str:
        """One sentence: what the prediction rests on."""
        parts = []
        if self.client_invoices:
            trend = ""
            if self.client_trend is not None and abs(self.client_trend) >= 1:
                trend = gettext(", trend {trend}").format(
                    trend=_signed_days(self.client_trend)
                )
            parts.append(
                ngettext(
                    "{n} paid invoice of the client (mean {mean}{trend}; weight {weight})",
                    "{n} paid invoices of the client (mean {mean}{trend}; weight {weight})",
                    self.client_invoices,
                ).format(
                    n=wording.number(self.client_invoices),
                    mean=_signed_days(self.client_mean_delay),
                    trend=trend,
                    weight=f"{self.client_weight:.0%}",
                )
            )
        else:
            parts.append(gettext("no paid invoice of the client"))
        if self.client_open_late and not self.client_invoices and self.client_weight:
            # Its weight rests on these alone (Z counts them: docs/forecast.md step 4).
            parts.append(ngettext(
                "{n} open invoice of the client already late (weight {weight})",
                "{n} open invoices of the client already late (weight {weight})",
                self.client_open_late,
            ).format(n=wording.number(self.client_open_late),
                     weight=f"{self.client_weight:.0%}"))
        elif self.client_open_late:
            parts.append(ngettext(
                "{n} open invoice of the client already late",
                "{n} open invoices of the client already late", self.client_open_late,
            ).format(n=wording.number(self.client_open_late)))
        pool = ", ".join(gettext(part) for part in self.pool.split(", "))
        parts.append(
            ngettext(
                "{n} invoice of the book ({pool})", "{n} invoices of the book ({pool})",
                self.pool_invoices,
            ).format(n=wording.number(self.pool_invoices), pool=pool)
        )
        if self.days_past_due > 0:
            parts.append(
                gettext("unpaid {days} past due").format(
                    days=wording.count(self.days_past_due, "day")
                )
            )
        if self.beyond_history:
            parts.append(gettext("too few invoices ever paid this late to date it: counted "
                                 "after the 13 weeks"))
        return "; ".join(parts)


def _signed_days(value: float | None) -> str:
    """Whole days with their sign and the word agreeing: ``+1 day``, ``-3 days`` (``+1 dzień``,
    ``-3 dni``); a value that rounds to no day (half to even) is ``0 days``, neither early nor
    late: never ``-0 days`` for a mean of -0.3."""
    days = round(value or 0)
    text = f"{days:+d}" if days else "0"
    return wording.with_noun(text, days, "day")


class ClientOutlook(BaseModel):
    """A client's expected lateness on its next invoices (no invoice yet: no conditioning)."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    customer_id: str
    expected_days_late: float
    """The mean of ``max(0, delay)`` under the client's shrunk distribution."""
    p_late: float
    client_weight: float
    client_invoices: int


class CashWeek(BaseModel):
    """Expected cash in from the open invoices in one week, with an 80% interval."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    week: int
    """1 to 13."""
    start: date
    end: date
    expected: Decimal
    low: Decimal
    high: Decimal


class Forecast(BaseModel):
    """Everything :func:`forecast` predicts as of a date."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    as_of: date
    invoices: tuple[InvoiceForecast, ...]
    """The open invoices, most likely late first."""
    clients: tuple[ClientOutlook, ...]
    weeks: tuple[CashWeek, ...]
    after: Decimal
    """Expected cash from the open invoices after the 13 weeks (or never)."""
    credibility_k: float | None
    """``k = EPV / VHM`` (None: the clients' means do not differ beyond noise, ``Z = 0``)."""
    history: int
    """Settled invoices the model learned from."""


# ------------------------------------------------------------------------ the distributions
