"""Foresight: the ``expected_late`` finding, for open invoices the forecast expects to be paid
late (docs/forecast.md).

``expected_late``
    Per customer, its open invoices not yet late (at most ``grace_days`` past due, so not yet
    counted by any lateness measure) whose probability of being paid late is at least
    ``expected_late_watch``. ``watch``; ``warning`` when the most likely one reaches
    ``expected_late_warning`` and the balance expected late (each invoice's open balance times
    its probability, summed) reaches ``material_overdue``. A client whose last invoices slip
    is flagged while they are still open, before its late share crosses the chronic line.
    The finding is not about behaviour already shown: on its own it makes a client ``monitor``,
    never more (docs/review.md). But it is about the client: one that has never paid late
    (every invoice settled by ``as_of`` paid within the grace days, none open past them) is
    not flagged, however likely the book's other clients make its next invoice late (with
    little history of its own, a prediction rests on theirs: docs/forecast.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal

from clientguard import wording
from clientguard.findings import Evidence, Finding, Number, Severity, Signal, by_severity
from clientguard.forecast import Forecast, InvoiceForecast, forecast, paid_by_client
from clientguard.i18n import gettext as _
from clientguard.ledger import Ledger
from clientguard.policy import Policy
from clientguard.settlement import _late_replay, check_as_of, is_late
from clientguard.signals.shared import shared

__all__ = ["expected_late", "flag_expected_late", "late_before"]


def expected_late(ledger: Ledger, as_of: date, policy: Policy) -> list[Finding]:
    """The built-in foresight signal: ``expected_late`` findings as of ``as_of``, most serious
    first (the signal interface of :mod:`clientguard.signals`)."""
    check_as_of(as_of)
    predicted: Forecast = shared("forecast", ledger, as_of, policy, forecast)
    names = {c.customer_id: ledger.name_of(c.customer_id) for c in predicted.clients}
    return flag_expected_late(predicted, policy=policy, names=names,
                              currency=ledger.base_currency,
                              late_before=late_before(ledger, as_of, policy))


def late_before(ledger: Ledger, as_of: date, policy: Policy) -> frozenset[str]:
    """The customers that have paid late by ``as_of`` (an invoice they paid more than
    ``grace_days`` after its due date) or owe past them on that day: those the ``expected_late``
    finding may be about. An invoice settled late by credit notes alone (cancelled, not paid)
    is not one the client paid late (:func:`clientguard.forecast.model.paid_by_client`). The
    replay is the review's own (kept on the ledger); only its rows with days late are read
    (the grace days are never negative, so no other row is late)."""
    grace = policy.grace_days
    paid = paid_by_client(ledger)
    late: set[str] = set()
    for row in _late_replay(ledger, as_of=as_of, policy=policy):
        customer_id = row.invoice.customer_id
        # A customer found late once is late: its other rows need no test (a book of a
        # million invoices has a few dozen customers).
        if customer_id not in late and is_late(row.days_late, grace) and (
                row.status == "open" or paid(row)):
            late.add(customer_id)
    return frozenset(late)


def _percent(p: float) -> str:
    return wording.percent(Decimal(repr(p)))


def flag_expected_late(
    predicted: Forecast,
    *,
    policy: Policy,
    names: Mapping[str, str] | None = None,
    currency: str = "EUR",
    late_before: Collection[str] | None = None,
) -> list[Finding]:
    """The ``expected_late`` findings of a forecast (module docstring). ``currency`` is the
    base currency the balances are in (for the message only). ``late_before``: the customers
    that have been late by the forecast's date (:func:`late_before`); where given, no other
    customer is flagged (a client that has never paid late is not flagged for lateness on the
    strength of the others' history). None flags every customer, as the forecast alone says."""
    names = names or {}
    watch = float(policy.expected_late_watch)
    warning = float(policy.expected_late_warning)
    by_customer: dict[str, list[InvoiceForecast]] = defaultdict(list)
    for one in predicted.invoices:
        if late_before is not None and one.customer_id not in late_before:
            continue
        if one.days_past_due <= policy.grace_days and one.p_late >= watch:
            by_customer[one.customer_id].append(one)
    findings = []
    for customer_id, invoices in by_customer.items():
        invoices.sort(key=lambda f: (-f.p_late, f.due_date, f.invoice_id))
        findings.append(_finding(customer_id, invoices, policy=policy, watch=watch,
                                 warning=warning, name=names.get(customer_id, customer_id),
                                 currency=currency))
    return by_severity(findings)


def _finding(
    customer_id: str,
    invoices: Sequence[InvoiceForecast],
    *,
    policy: Policy,
    watch: float,
    warning: float,
    name: str,
    currency: str,
) -> Finding:
    top = invoices[0]
    at_risk = sum(
        (f.open_balance_base * Decimal(repr(f.p_late)).quantize(Decimal("0.000001"))
         for f in invoices), Decimal(0))
    severe = top.p_late >= warning and at_risk >= policy.material_overdue
    numbers: dict[str, Number] = {
        "invoices": len(invoices),
        "amount_expected_late": at_risk,
        "open_balance": sum((f.open_balance_base for f in invoices), Decimal(0)),
    }
    for f in invoices:
        # Not dated (None): later than any invoice paid in the history, maybe never paid;
        # an interval without an end: open-ended (docs/forecast.md, "Survival").
        if f.predicted_on is not None:
            numbers[f"predicted_on:{f.invoice_id}"] = f.predicted_on.isoformat()
        if f.low is not None:
            end = f.high.isoformat() if f.high is not None else ""
            numbers[f"interval:{f.invoice_id}"] = f"{f.low.isoformat()}..{end}"
        numbers[f"p_late:{f.invoice_id}"] = Decimal(repr(f.p_late)).quantize(Decimal("0.0001"))
    count = wording.count(len(invoices), "open invoice")
    if top.predicted_on is None or top.low is None:
        template = _(
            "{name}: {count} ({at_risk} expected late) likely to be paid late; the most "
            "likely, {invoice} due {due}, {p_late}, not dated: more likely than not to stay "
            "unpaid longer than any invoice paid so far, maybe never paid; rests on "
            "{rests_on}")
    elif top.high is None:
        template = _(
            "{name}: {count} ({at_risk} expected late) likely to be paid late; the most "
            "likely, {invoice} due {due}, {p_late}, predicted {predicted} (80% from {low}, "
            "or later, maybe never); rests on {rests_on}")
    else:
        template = _(
            "{name}: {count} ({at_risk} expected late) likely to be paid late; the most "
            "likely, {invoice} due {due}, {p_late}, predicted {predicted} (80% between {low} "
            "and {high}); rests on {rests_on}")
    message = template.format(
        name=name,
        count=count,
        at_risk=wording.money(at_risk, currency),
        invoice=top.named,
        due=wording.day(top.due_date),
        p_late=_percent(top.p_late),
        predicted=wording.day(top.predicted_on) if top.predicted_on else "",
        low=wording.day(top.low) if top.low else "",
        high=wording.day(top.high) if top.high else "",
        rests_on=top.rests_on,
    )
    return Finding(
        customer_id=customer_id,
        signal=Signal.EXPECTED_LATE,
        severity=Severity.WARNING if severe else Severity.WATCH,
        metric="p_late",
        value=Decimal(repr(top.p_late)).quantize(Decimal("0.0001")),
        threshold=policy.expected_late_warning if severe else policy.expected_late_watch,
        message=message,
        evidence=Evidence(record_ids=tuple(f.invoice_id for f in invoices), numbers=numbers),
    )
