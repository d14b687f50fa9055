"""Stale data: a review of data that says nothing about its window must say so.

``stale_data`` (a finding about the whole book):

- ``critical`` when no invoice (open, paid or settled; not draft or void) falls due in the
  window ``(as_of - lookback_days, as_of]``: the review has nothing to judge, and "every
  client ok" would be a clean bill of health it cannot give;
- ``warning`` when the newest record dated by ``as_of`` (an invoice's issue or paid date, a
  payment, a credit note, a time entry, a work request) is more than ``stale_days`` before
  it: a sync that stopped, or an old export.

The reports show it at the top of every format; ``clientguard review --fail-on`` treats the
first as a failure unless ``--allow-no-data`` is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from clientguard import wording
from clientguard.findings import Evidence, Finding, Severity, Signal
from clientguard.i18n import gettext as _
from clientguard.ledger import Ledger
from clientguard.policy import Policy
from clientguard.settlement import LIVE_STATUSES, check_as_of

__all__ = ["NO_DATA_METRIC", "STALE_METRIC", "newest_record_on", "stale_data"]

T = TypeVar("T")

NO_DATA_METRIC = "invoices_due_in_window"
"""The metric of the ``stale_data`` finding that says nothing is due in the window."""
STALE_METRIC = "days_since_newest_record"
"""The metric of the ``stale_data`` finding that says the newest record is old."""


def newest_record_on(ledger: Ledger, as_of: date) -> date | None:
    """The date of the newest record dated by ``as_of``; None when there is none.

    The ledger keeps each kind in date order, so each is read from its end; paid dates are
    not in order, and are read (all of them) only where the other dates leave room for a
    newer one: none can be newer than ``as_of`` itself, the usual newest record of fresh
    data. A paid date counts only on an invoice issued by ``as_of``: an invoice issued later
    did not exist then, whatever paid date its source gives it."""
    dates = [
        _last_by(ledger.invoices, lambda i: i.issue_date, as_of),
        _last_by(ledger.payments, lambda p: p.date, as_of),
        _last_by(ledger.credit_notes, lambda c: c.issue_date, as_of),
        _last_by(ledger.time_entries, lambda t: t.date, as_of),
        _last_by(ledger.work_requests, lambda w: w.requested_on, as_of),
    ]
    newest = max((d for d in dates if d is not None), default=None)
    if newest == as_of:
        return newest
    paid = max(
        (i.paid_on for i in ledger.invoices
         if i.paid_on is not None and i.paid_on <= as_of and i.issue_date <= as_of),
        default=None,
    )
    if paid is not None and (newest is None or paid > newest):
        return paid
    return newest


def _last_by(records: Sequence[T], day: Callable[[T], date], as_of: date) -> date | None:
    for record in reversed(records):
        if day(record) <= as_of:
            return day(record)
    return None


def stale_data(ledger: Ledger, as_of: date, policy: Policy) -> list[Finding]:
    """The built-in ``stale_data`` signal: at most one finding about the whole book."""
    check_as_of(as_of)
    first = as_of - timedelta(days=policy.lookback_days - 1)
    # From the newest: with fresh data an invoice due in the window comes within the last few.
    due = any(
        first <= i.due_date <= as_of and i.status in LIVE_STATUSES
        for i in reversed(ledger.invoices)
    )
    newest = newest_record_on(ledger, as_of)
    age = (as_of - newest).days if newest is not None else None
    if newest is None:
        since = _("there is no record dated by {as_of}").format(as_of=wording.day(as_of))
    else:
        since = _("the newest record is dated {newest}, {days} before {as_of}").format(
            newest=wording.day(newest), days=wording.count((as_of - newest).days, "day"),
            as_of=wording.day(as_of),
        )
    numbers: dict[str, Decimal | int | str | None] = {
        "any_invoice_due_in_window": "yes" if due else "no",
        "newest_record_on": newest.isoformat() if newest else None,
        "days_since_newest_record": age,
        "stale_days": policy.stale_days,
    }
    if not due:
        message = _(
            "No data in the window: no invoice falls due {window} to {as_of}, so "
            "this review cannot judge any client; {since}. Sync the sources again, or review "
            "as of a date the data covers (--as-of)."
        ).format(
            window=wording.in_days(policy.lookback_days), as_of=wording.day(as_of), since=since
        )
        return [
            Finding(
                customer_id=None, signal=Signal.STALE_DATA, severity=Severity.CRITICAL,
                metric=NO_DATA_METRIC, value=Decimal(0), threshold=Decimal(1),
                message=message,
                evidence=Evidence(record_kind="invoice", numbers=numbers, period=(first, as_of)),
            )
        ]
    if age is not None and age > policy.stale_days:
        message = _(
            "Stale data: {since} (stale after {stale_days}); recent invoices and payments may "
            "be missing, so the verdicts may be out of date. Sync the sources again."
        ).format(
            since=since,
            stale_days=wording.count(policy.stale_days, "day"),
        )
        return [
            Finding(
                customer_id=None, signal=Signal.STALE_DATA, severity=Severity.WARNING,
                metric=STALE_METRIC, value=Decimal(age), threshold=Decimal(policy.stale_days),
                message=message,
                evidence=Evidence(record_kind="invoice", numbers=numbers, period=(first, as_of)),
            )
        ]
    return []
