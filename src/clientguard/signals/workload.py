"""Capacity and rush signals: the Policy's thresholds applied to the workload metrics.

- :func:`flag_capacity`: ``capacity`` findings from a
  :class:`~clientguard.metrics.workload.Workload` (hours share 25% / 40%; hours share over
  revenue share 1.5). The hours concentration report (``concentration(basis="hours")`` and
  the built-in ``hours_share`` signal of :mod:`clientguard.signals.concentration`) applies
  it; :func:`capacity_findings` gives its findings on their own.
- :func:`flag_rush`: ``rush`` findings from the rush profiles; :func:`rush_findings` and the
  built-in signal :func:`rush_work` compute the profiles and apply it, counting lead times in
  the policy's ``rush_days`` (working days by default, less the Polish public holidays when
  ``jurisdiction`` is ``pl``: :func:`rush_holidays`); :func:`rush_lead` writes the lead
  (``2 working days``) as the finding and the rush-fee advice say it.

Each flagging step is a pure function over computed metrics, so a user can apply their own
policy to numbers they already have. Every finding carries one sentence a person reads
(written by :mod:`clientguard.wording`), the numbers behind it and the ids of the records
(customers or work requests) that produced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from clientguard import wording
from clientguard.findings import Evidence, Finding, Severity, Signal, by_severity
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext
from clientguard.ledger import Ledger
from clientguard.metrics.concentration import client_name, members_of_groups
from clientguard.metrics.trend import fisher_exact_greater
from clientguard.metrics.workload import (
    Holidays,
    RushDays,
    RushProfile,
    Workload,
    rush_profiles,
    workload,
)
from clientguard.policy import Policy
from clientguard.settlement import check_as_of

__all__ = [
    "capacity_findings",
    "flag_capacity",
    "flag_rush",
    "rush_findings",
    "rush_holidays",
    "rush_lead",
    "rush_work",
]


def _window_workload(ledger: Ledger, *, as_of: date, policy: Policy) -> Workload:
    """:func:`~clientguard.metrics.workload.workload` over the policy's window: what the
    review and the hours report share (``shared("workload", ...)``), computed once.
    Internal."""
    return workload(ledger, as_of=as_of, lookback_days=policy.lookback_days)


def capacity_findings(
    ledger: Ledger, *, as_of: date, policy: Policy | None = None
) -> list[Finding]:
    """Clients taking a large share of the team's hours, or more hours than they pay for
    (``capacity``), most serious first. ``concentration(basis="hours")`` gives these and the
    book finding on the hours."""
    check_as_of(as_of)
    policy = policy or Policy()
    work = workload(ledger, as_of=as_of, lookback_days=policy.lookback_days)
    clients = list(work.clients)
    return by_severity(
        flag_capacity(
            work,
            policy,
            names={client: client_name(ledger, client) for client in clients},
            members=members_of_groups(ledger, clients),
            currency=ledger.base_currency,
        )
    )


def rush_findings(ledger: Ledger, *, as_of: date, policy: Policy | None = None) -> list[Finding]:
    """Clients that keep wanting work within ``policy.rush_lead_days`` of asking for it.

    The recent period of the change is ``policy.recent_days`` (the quarter the late-payment
    short-history test uses too).
    """
    check_as_of(as_of)
    policy = policy or Policy()
    profiles = rush_profiles(
        ledger,
        as_of=as_of,
        rush_lead_days=policy.rush_lead_days,
        lookback_days=policy.lookback_days,
        recent_days=policy.recent_days,
        rush_days=policy.rush_days,
        holidays=rush_holidays(policy),
    )
    clients = list(profiles)
    names = {client: client_name(ledger, client) for client in clients}
    return by_severity(flag_rush(profiles, policy, names=names))


def rush_work(ledger: Ledger, as_of: date, policy: Policy) -> list[Finding]:
    """The built-in rush signal: ``rush``."""
    return rush_findings(ledger, as_of=as_of, policy=policy)


def rush_holidays(policy: Policy) -> Holidays | None:
    """The public holidays working days leave out: the Polish ones for a firm under ``pl``
    (the only public-holiday calendar clientguard has); none otherwise (Monday to Friday)."""
    return "pl" if policy.jurisdiction == "pl" else None


def rush_lead(days: int, rush_days: RushDays) -> str:
    """A rush lead time with its days, as the rush finding and the rush-fee advice write
    ``rush_lead_days``: ``2 working days`` (Polish ``2 dni robocze``, ``5 dni roboczych``), or
    ``2 days`` when ``rush_days`` is ``calendar``."""
    if rush_days == "calendar":
        return wording.count(days, "day")
    return ngettext("{n} working day", "{n} working days", days).format(n=wording.number(days))


# ---------------------------------------------------------------------------------- flagging
def flag_capacity(
    work: Workload,
    policy: Policy,
    *,
    names: Mapping[str, str] | None = None,
    members: Mapping[str, tuple[str, ...]] | None = None,
    currency: str = "",
) -> list[Finding]:
    """Capacity findings per client, each with its own metric:

    - ``hours_share``: at least ``hours_share_watch`` of the team's hours (watch), at least
      ``hours_share_warning`` (warning);
    - ``hours_to_revenue``: hours share over revenue share at least ``hours_to_revenue_ratio``,
      judged only for clients with at least ``hours_ratio_min_hours_share`` of the hours: a
      warning (the price or the hours need revising), critical when the client also takes
      ``hours_share_warning`` of the hours (a large part of the team, underpaid);
    - ``hours_share_without_revenue``: the same, for a client whose net revenue in the window
      is zero or negative (the ratio has no value).
    """
    names = names or {}
    members = members or {}
    findings = []
    for client, load in work.clients.items():
        hours_share = load.hours_share
        if hours_share is None:
            continue
        name = names.get(client, client)
        who = members.get(client, (client,))
        numbers: dict[str, Decimal | int | str | None] = {
            "hours": load.hours,
            "hours_share": hours_share,
            "total_hours": work.total_hours,
            "revenue": load.revenue,
            "revenue_share": load.revenue_share,
            "hours_to_revenue": load.hours_to_revenue,
            "revenue_per_hour": load.revenue_per_hour,
            "firm_revenue_per_hour": work.firm_revenue_per_hour,
            "currency": currency,
        }
        evidence = Evidence(
            record_kind="customer", record_ids=who, numbers=numbers, period=work.period
        )
        hours_text = _("{hours} of {total}").format(
            hours=wording.hours(load.hours), total=wording.quantity(work.total_hours, "hour")
        )
        phrase = wording.window(work.period)
        # The share is compared with its lines as the sentence writes it (docs/review.md,
        # "Figures compared as shown"): 399.6 of 1,000 hours, written "39.96%" beside the
        # 40% line (was "40%", and a watch, while 400.0 was a warning).
        lines = hours_lines(policy)
        shown = wording.shown_share(hours_share, lines)
        written = wording.share(hours_share, lines)
        if shown >= policy.hours_share_watch:
            warning = shown >= policy.hours_share_warning
            revenue_text = (
                _("brought {share} of the revenue").format(
                    share=wording.share(load.revenue_share)
                )
                if load.revenue_share is not None
                else _("brought no net revenue")
            )
            findings.append(
                Finding(
                    customer_id=client,
                    signal=Signal.CAPACITY,
                    severity=Severity.WARNING if warning else Severity.WATCH,
                    metric="hours_share",
                    value=hours_share,
                    threshold=(
                        policy.hours_share_warning if warning else policy.hours_share_watch
                    ),
                    message=_(
                        "{name} took {share} of the team's hours over {window} ({hours}) and "
                        "{revenue}."
                    ).format(
                        name=name,
                        share=written,
                        window=phrase,
                        hours=hours_text,
                        revenue=revenue_text,
                    ),
                    evidence=evidence,
                )
            )
        if shown < policy.hours_ratio_min_hours_share:
            continue
        severity = (
            Severity.CRITICAL if shown >= policy.hours_share_warning else Severity.WARNING
        )
        ratio = load.hours_to_revenue
        if load.revenue_share is None:
            findings.append(
                Finding(
                    customer_id=client,
                    signal=Signal.CAPACITY,
                    severity=severity,
                    metric="hours_share_without_revenue",
                    value=hours_share,
                    threshold=policy.hours_ratio_min_hours_share,
                    message=_(
                        "{name} took {share} of the team's hours over {window} ({hours}) and "
                        "brought no net revenue ({revenue})."
                    ).format(
                        name=name,
                        share=written,
                        window=phrase,
                        hours=hours_text,
                        revenue=wording.money(load.revenue, currency),
                    ),
                    evidence=evidence,
                )
            )
        elif ratio is not None and ratio >= policy.hours_to_revenue_ratio:
            rate_text = ""
            if load.revenue_per_hour is not None and work.firm_revenue_per_hour is not None:
                rate_text = _("; it pays {rate} an hour against the book's {firm_rate}").format(
                    rate=wording.money(load.revenue_per_hour, currency),
                    firm_rate=wording.money(work.firm_revenue_per_hour, currency),
                )
            findings.append(
                Finding(
                    customer_id=client,
                    signal=Signal.CAPACITY,
                    severity=severity,
                    metric="hours_to_revenue",
                    value=ratio,
                    threshold=policy.hours_to_revenue_ratio,
                    message=_(
                        "{name} took {share} of the team's hours but brought {revenue_share} "
                        "of the revenue over {window} ({ratio} times its share){rate}."
                    ).format(
                        name=name,
                        share=written,
                        revenue_share=wording.share(load.revenue_share),
                        window=phrase,
                        ratio=wording.number(ratio, 1),
                        rate=rate_text,
                    ),
                    evidence=evidence,
                )
            )
    return findings


def _rush_improving(profile: RushProfile, policy: Policy) -> bool:
    """Whether the recent period's rush share is lower than the period before's by more than
    chance: the one-sided Fisher exact test (the period before's upper tail) at
    ``trend_alpha``. A fall of one request in fourteen (85.7% to 84.6%) is noise, and a
    severity that moved with it flipped the verdict between ``monitor`` and ``revise_terms``
    from one month-end to the next (docs/metrics/concentration.md)."""
    recent, before = profile.recent_rush_share, profile.before_rush_share
    if recent is None or before is None or recent >= before:
        return False
    recent_rush = int((recent * profile.recent_requests).to_integral_value())
    before_rush = int((before * profile.before_requests).to_integral_value())
    p_value = fisher_exact_greater(
        before_rush, profile.before_requests, recent_rush, profile.recent_requests
    )
    return Decimal(repr(p_value)) <= policy.trend_alpha


def flag_rush(
    profiles: Mapping[str, RushProfile],
    policy: Policy,
    *,
    names: Mapping[str, str] | None = None,
) -> list[Finding]:
    """A finding for each client with at least ``rush_min_requests`` requests in the window
    and a rush share of at least ``rush_share``: a warning, or a watch when the rush share of
    the recent period is lower than in the period before by more than chance (one-sided
    Fisher exact p at most ``trend_alpha``: it is getting better, :func:`_rush_improving`)."""
    findings = []
    for client, profile in profiles.items():
        share = profile.rush_share
        if profile.requests < policy.rush_min_requests or share is None:
            continue
        if share < policy.rush_share:
            continue
        improving = _rush_improving(profile, policy)
        name = (names or {}).get(client, client)
        sentence = _(
            "{name} wanted {rush} of its {requests} ({share}) within {lead_days} of asking, "
            "over {window}"
        ).format(
            name=name,
            rush=profile.rush_requests,
            requests=wording.count_of(profile.requests, "request"),
            share=wording.share(share),
            lead_days=rush_lead(policy.rush_lead_days, profile.rush_days),
            window=wording.window(profile.period),
        )
        if profile.recent_rush_share is not None and profile.before_rush_share is not None:
            recent_days = (profile.recent_period[1] - profile.recent_period[0]).days + 1
            sentence += _(
                "; {recent} {recent_window} against {before} {before_window} before"
            ).format(
                recent=wording.share(profile.recent_rush_share),
                before=wording.share(profile.before_rush_share),
                recent_window=wording.in_last_days(recent_days),
                before_window=wording.in_days(recent_days),
            )
        findings.append(
            Finding(
                customer_id=client,
                signal=Signal.RUSH,
                severity=Severity.WATCH if improving else Severity.WARNING,
                metric="rush_share",
                value=share,
                threshold=policy.rush_share,
                message=sentence + ".",
                evidence=Evidence(
                    record_kind="work_request",
                    record_ids=profile.rush_request_ids,
                    numbers={
                        "requests": profile.requests,
                        "rush_requests": profile.rush_requests,
                        "rush_share": share,
                        "recent_requests": profile.recent_requests,
                        "recent_rush_share": profile.recent_rush_share,
                        "before_requests": profile.before_requests,
                        "before_rush_share": profile.before_rush_share,
                        "change": profile.change,
                        "median_lead_days": profile.median_lead_days,
                        "rush_lead_days": policy.rush_lead_days,
                        "rush_days": profile.rush_days,
                    },
                    period=profile.period,
                ),
            )
        )
    return findings


def hours_lines(policy: Policy) -> tuple[Decimal, ...]:
    """The hours-share lines a client's share of the team's hours is read against (watch,
    warning, and the share from which hours out of proportion to revenue count): a share is
    written and compared to the precision that tells it from each
    (:func:`wording.shown_share`)."""
    return (policy.hours_share_watch, policy.hours_share_warning,
            policy.hours_ratio_min_hours_share)
