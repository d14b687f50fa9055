"""What changed between two reviews: new and cleared findings, verdicts, overdue invoices,
thresholds crossed, each with the numbers before and after.

A review is compared through its :class:`ReviewSummary` (what the store keeps of it, see
``docs/history.md``): :func:`summarize` makes one from a :class:`~clientguard.review.Review`,
:func:`compare` compares two, :func:`new_findings` says which findings of a review are new
since an earlier one (``review --fail-on new:warning``). Everything here is pure: no store,
no clock.

A finding is the same finding in two reviews when it is about the same client, signal and
metric. It is *new at* a severity when it reaches that severity now and did not before (it was
absent, or below it): a chronic lateness that went from watch to critical is news at warning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import Field

from clientguard import wording
from clientguard.findings import Finding, Severity
from clientguard.frozen import Frozen
from clientguard.i18n import gettext as _
from clientguard.i18n import noop

if TYPE_CHECKING:
    from clientguard.review import ClientReview, Review

__all__ = [
    "NUMBER_WORDS",
    "THRESHOLDS",
    "THRESHOLD_WORDS",
    "WORDS",
    "Change",
    "ChangeKind",
    "Changes",
    "ClientSummary",
    "FindingSummary",
    "ReviewSummary",
    "compare",
    "new_findings",
    "summarize",
    "word",
]

ZERO = Decimal(0)

THRESHOLDS: Mapping[str, tuple[str, ...]] = {
    "late_share": ("chronic_late_share", "late_share_high"),
    "weighted_days_late": ("late_days_warning", "late_days_critical"),
    "overdue": ("material_overdue",),
    "revenue_share": ("revenue_share_watch", "revenue_share_warning", "revenue_share_critical"),
}
"""The key numbers of a client and the policy thresholds (``Policy`` fields) a change
reports crossing, upward or downward."""

NUMBER_WORDS: Mapping[str, str] = {
    "late_share": noop("late share"),
    "weighted_days_late": noop("average lateness"),
    "overdue": noop("overdue balance"),
    "revenue_share": noop("revenue share"),
}
"""The key numbers of :data:`THRESHOLDS` in words (English; translated where shown): what a
change's message calls them. ``average lateness`` is the days late weighted by amount."""

THRESHOLD_WORDS: Mapping[str, str] = {
    "chronic_late_share": noop("chronic lateness"),
    "late_share_high": noop("high late share"),
    "late_days_warning": noop("lateness warning"),
    "late_days_critical": noop("critical lateness"),
    "material_overdue": noop("material overdue"),
    "revenue_share_watch": noop("revenue share watch"),
    "revenue_share_warning": noop("revenue share warning"),
    "revenue_share_critical": noop("critical revenue share"),
}
"""The thresholds of :data:`THRESHOLDS` in words, as a message names them: "the chronic
lateness threshold". A phrase that qualifies the word threshold (in Polish a genitive after
``próg``/``progu``, which reads the same after "przekroczył próg" and "spadł poniżej progu")."""

_CROSSED: Mapping[tuple[str, bool], str] = {
    ("late_share", True): noop(
        "{name}: late share rose above the {field} threshold ({limit}): {before} -> {after}"),
    ("late_share", False): noop(
        "{name}: late share fell below the {field} threshold ({limit}): {before} -> {after}"),
    ("weighted_days_late", True): noop(
        "{name}: average lateness rose above the {field} threshold ({limit}): "
        "{before} -> {after}"),
    ("weighted_days_late", False): noop(
        "{name}: average lateness fell below the {field} threshold ({limit}): "
        "{before} -> {after}"),
    ("overdue", True): noop(
        "{name}: overdue balance rose above the {field} threshold ({limit}): "
        "{before} -> {after}"),
    ("overdue", False): noop(
        "{name}: overdue balance fell below the {field} threshold ({limit}): "
        "{before} -> {after}"),
    ("revenue_share", True): noop(
        "{name}: revenue share rose above the {field} threshold ({limit}): "
        "{before} -> {after}"),
    ("revenue_share", False): noop(
        "{name}: revenue share fell below the {field} threshold ({limit}): "
        "{before} -> {after}"),
}
"""A threshold crossed, up (True) or down, by key number: a whole sentence for each, so that a
language whose verb agrees with the number's noun (Polish: "udział przekroczył", "opóźnienie
przekroczyło", "zaległości przekroczyły") writes it right."""


WORDS: Mapping[str, str] = {
    "ok": noop("ok"),
    "monitor": noop("monitor"),
    "revise_terms": noop("revise terms"),
    "consider_ending": noop("consider ending"),
    "watch": noop("watch"),
    "warning": noop("warning"),
    "critical": noop("critical"),
}
"""Verdicts and severities in words (English; translated where shown, :func:`word`)."""


def word(code: str | None) -> str:
    """A verdict or severity code in the reader's language (``revise_terms`` -> "revise
    terms"); ``-`` for None."""
    if code is None:
        return "-"
    return _(WORDS[code]) if code in WORDS else code


class FindingSummary(Frozen):
    """What a summary keeps of a finding."""

    client_id: str | None
    """The client; None for a finding about the whole book."""
    signal: str
    severity: Severity
    metric: str
    value: Decimal
    threshold: Decimal
    message: str

    @property
    def key(self) -> tuple[str, str, str]:
        """The finding's identity across reviews: client, signal, metric."""
        return (self.client_id or "", self.signal, self.metric)


class ClientSummary(Frozen):
    """One client in a saved review: the verdict, the worst severity and the key numbers."""

    client_id: str
    name: str
    verdict: str
    """The recommendation: ``ok``, ``monitor``, ``revise_terms`` or ``consider_ending``."""
    severity: Severity | None
    """The most serious of its findings; None without findings."""
    late_share: Decimal | None = None
    """Late invoices over invoices due in the window; None without invoices due."""
    weighted_days_late: Decimal | None = None
    """Days late weighted by amount over the invoices due in the window (all members)."""
    overdue: Decimal = ZERO
    """Open past due on the review date, base currency."""
    revenue_share: Decimal | None = None
    """Its share of the book's revenue in the window; None when it had none."""
    findings: tuple[FindingSummary, ...] = ()
    overdue_invoices: tuple[str, ...] = ()
    """Its invoices open past their due date on the review date, by id."""

    def number(self, name: str) -> Decimal | None:
        """A key number by name (``late_share``, ``weighted_days_late``, ``overdue``,
        ``revenue_share``)."""
        value: Decimal | None = getattr(self, name)
        return value


class ReviewSummary(Frozen):
    """A review as memory keeps it: enough to say later what changed."""

    as_of: date
    base_currency: str
    clients: dict[str, ClientSummary]
    """By client id."""
    book: tuple[FindingSummary, ...] = ()
    """Findings about the whole book."""
    thresholds: dict[str, Decimal] = Field(default_factory=dict)
    """The policy's thresholds of :data:`THRESHOLDS`, by ``Policy`` field name."""

    def findings(self) -> list[FindingSummary]:
        """The book's findings and every client's."""
        return [*self.book, *(f for c in self.clients.values() for f in c.findings)]


def _finding(finding: Finding) -> FindingSummary:
    return FindingSummary(
        client_id=finding.customer_id, signal=finding.signal.value,
        severity=finding.severity, metric=finding.metric, value=finding.value,
        threshold=finding.threshold, message=finding.message,
    )


def _client(client: ClientReview, review: Review) -> ClientSummary:
    profiles = client.profiles.values()
    amount = sum((p.amount_due for p in profiles), ZERO)
    weighted = sum(((p.weighted_days_late or ZERO) * p.amount_due for p in profiles), ZERO)
    members = set(client.members) | {client.client_id}
    overdue_invoices: tuple[str, ...] = ()
    if review.forecast is not None:
        overdue_invoices = tuple(sorted(
            f.invoice_id for f in review.forecast.invoices
            if f.customer_id in members and f.days_past_due > 0
        ))
    return ClientSummary(
        client_id=client.client_id,
        name=client.name,
        verdict=client.recommendation.value,
        severity=max((f.severity for f in client.findings), default=None),
        late_share=client.late_share,
        weighted_days_late=weighted / amount if amount else None,
        overdue=sum((p.overdue_balance for p in profiles), ZERO),
        revenue_share=review.book.revenue.shares.get(client.client_id),
        findings=tuple(_finding(f) for f in client.findings),
        overdue_invoices=overdue_invoices,
    )


def summarize(review: Review) -> ReviewSummary:
    """What memory keeps of ``review``."""
    policy = review.policy
    return ReviewSummary(
        as_of=review.as_of,
        base_currency=review.base_currency,
        clients={cid: _client(c, review) for cid, c in review.clients.items()},
        book=tuple(_finding(f) for f in review.book.findings),
        thresholds={
            name: Decimal(str(getattr(policy, name)))
            for names in THRESHOLDS.values()
            for name in names
        },
    )


# --------------------------------------------------------------------------- comparing


class ChangeKind(StrEnum):
    """What kind of change."""

    NEW_FINDING = "new_finding"
    CLEARED_FINDING = "cleared_finding"
    SEVERITY = "severity"
    """A finding that stayed, at another severity."""
    VERDICT = "verdict"
    NEWLY_OVERDUE = "newly_overdue"
    """An invoice past due now that was not (open and past due) before."""
    THRESHOLD = "threshold"
    """A key number that crossed a policy threshold, up or down."""


class Change(Frozen):
    """One thing that changed, with the numbers before and after."""

    kind: ChangeKind
    client_id: str | None
    """The client; None for the whole book."""
    name: str
    """The client's name (``the book`` for the whole book)."""
    subject: str
    """What changed: ``signal/metric`` of a finding, the invoice id, the key number's name
    and threshold, or ``verdict``."""
    before: str | Decimal | None
    """The value before (a severity, a verdict, a number); None when absent."""
    after: str | Decimal | None
    """The value after; None when absent (a cleared finding)."""
    severity: Severity | None = None
    """The finding's severity now (before, for a cleared one)."""
    numbers: dict[str, tuple[Decimal | None, Decimal | None]] = Field(default_factory=dict)
    """For a verdict change: each key number, before and after."""
    message: str
    """The change in a sentence."""
    as_of: date
    """The date of the later review."""

    @property
    def key(self) -> str:
        """The change's identity: notify never sends the same key twice on a channel."""
        return "|".join((self.as_of.isoformat(), self.kind.value, self.client_id or "",
                         self.subject, str(self.after)))


class Changes(Frozen):
    """What changed from one review to a later one."""

    before: date | None
    """The earlier review's date; None when there was none (everything is new)."""
    after: date
    base_currency: str
    changes: tuple[Change, ...]
    """By client (the book first), then by kind."""


_KIND_ORDER = {kind: rank for rank, kind in enumerate(ChangeKind)}


def compare(before: ReviewSummary | None, after: ReviewSummary) -> Changes:
    """What changed from ``before`` to ``after`` (``before`` None: every finding is new)."""
    currency = after.base_currency
    changes: list[Change] = []
    names = {cid: c.name for cid, c in after.clients.items()}
    if before is not None:
        names = {**{cid: c.name for cid, c in before.clients.items()}, **names}
    old = _by_key(before.findings()) if before is not None else {}
    new = _by_key(after.findings())
    for key in sorted(new.keys() | old.keys()):
        client = key[0] or None
        name = names.get(key[0], "") if client else _("the book")
        subject = f"{key[1]}/{key[2]}"
        was, now = old.get(key), new.get(key)
        if now is not None and was is None:
            changes.append(Change(
                kind=ChangeKind.NEW_FINDING, client_id=client, name=name, subject=subject,
                before=None, after=now.severity.value, severity=now.severity, as_of=after.as_of,
                message=_("{name}: new {severity} finding: {message}").format(
                    name=name, severity=word(now.severity.value), message=now.message)))
        elif now is None and was is not None:
            changes.append(Change(
                kind=ChangeKind.CLEARED_FINDING, client_id=client, name=name, subject=subject,
                before=was.severity.value, after=None, severity=was.severity, as_of=after.as_of,
                message=_("{name}: cleared: {message}").format(name=name, message=was.message)))
        elif now is not None and was is not None and now.severity != was.severity:
            changes.append(Change(
                kind=ChangeKind.SEVERITY, client_id=client, name=name, subject=subject,
                before=was.severity.value, after=now.severity.value, severity=now.severity,
                as_of=after.as_of,
                message=_("{name}: {before} -> {after}: {message}").format(
                    name=name, before=word(was.severity.value), after=word(now.severity.value),
                    message=now.message)))
    for cid in sorted(after.clients):
        now_client = after.clients[cid]
        was_client = before.clients.get(cid) if before is not None else None
        changes += _client_changes(was_client, now_client, after, currency)
    order = {cid: rank for rank, cid in enumerate(sorted(names))}
    changes.sort(key=lambda c: (order.get(c.client_id, -1) if c.client_id else -1,
                                _KIND_ORDER[c.kind], c.subject))
    return Changes(before=before.as_of if before is not None else None, after=after.as_of,
                   base_currency=currency, changes=tuple(changes))


def _by_key(findings: Sequence[FindingSummary]) -> dict[tuple[str, str, str], FindingSummary]:
    by_key: dict[tuple[str, str, str], FindingSummary] = {}
    # Two findings of one client, signal and metric (a user's signal may say it twice): the
    # more serious one stands for both.
    for finding in findings:
        held = by_key.get(finding.key)
        if held is None or finding.severity > held.severity:
            by_key[finding.key] = finding
    return by_key


def _client_changes(
    was: ClientSummary | None, now: ClientSummary, after: ReviewSummary, currency: str
) -> list[Change]:
    changes: list[Change] = []
    name, cid, as_of = now.name, now.client_id, after.as_of
    if was is not None and was.verdict != now.verdict:
        changes.append(Change(
            kind=ChangeKind.VERDICT, client_id=cid, name=name, subject="verdict",
            before=was.verdict, after=now.verdict, severity=now.severity, as_of=as_of,
            numbers={n: (was.number(n), now.number(n)) for n in THRESHOLDS},
            message=_("{name}: verdict {before} -> {after} ({numbers})").format(
                name=name, before=word(was.verdict), after=word(now.verdict),
                numbers=_numbers(was, now, currency))))
    earlier = set(was.overdue_invoices) if was is not None else set()
    for invoice in now.overdue_invoices:
        if invoice not in earlier:
            changes.append(Change(
                kind=ChangeKind.NEWLY_OVERDUE, client_id=cid, name=name, subject=invoice,
                before=None, after=invoice, as_of=as_of,
                message=_("{name}: invoice {invoice} is now overdue").format(
                    name=name, invoice=invoice)))
    if was is None:
        return changes
    for number, fields in THRESHOLDS.items():
        before_value, after_value = was.number(number), now.number(number)
        for field in fields:
            limit = after.thresholds.get(field)
            if limit is None:
                continue
            above_before = before_value is not None and before_value >= limit
            above_now = after_value is not None and after_value >= limit
            if above_before == above_now:
                continue
            changes.append(Change(
                kind=ChangeKind.THRESHOLD, client_id=cid, name=name,
                subject=f"{number}>={field}", before=before_value, after=after_value,
                as_of=as_of, message=_(_CROSSED[(number, above_now)]).format(
                    name=name, field=_(THRESHOLD_WORDS[field]),
                    limit=_shown(number, limit, currency),
                    before=_shown(number, before_value, currency),
                    after=_shown(number, after_value, currency))))
    return changes


def _shown(number: str, value: Decimal | None, currency: str) -> str:
    """A key number as a change's message writes it; ``n/a`` (``b.d.``) when there was none
    (no invoice due, no revenue in the window)."""
    if value is None:
        return wording.not_available()
    if number in ("late_share", "revenue_share"):
        return wording.share(value)
    if number == "overdue":
        return wording.money(value, currency)
    return wording.quantity(value, "day", whole_from=10, trim=True)


def _numbers(was: ClientSummary, now: ClientSummary, currency: str) -> str:
    return ", ".join(
        _("{number} {before} -> {after}").format(
            number=_(NUMBER_WORDS[number]),
            before=_shown(number, was.number(number), currency),
            after=_shown(number, now.number(number), currency),
        )
        for number in THRESHOLDS
    )


def new_findings(
    before: ReviewSummary | None, after: ReviewSummary, at_least: Severity
) -> list[FindingSummary]:
    """The findings of ``after`` at ``at_least`` or above that were not there at that
    severity in ``before`` (absent, or less serious); with no ``before``, every one."""
    old = _by_key(before.findings()) if before is not None else {}
    return [
        finding for key, finding in sorted(_by_key(after.findings()).items())
        if finding.severity >= at_least
        and (key not in old or old[key].severity < at_least)
    ]

