"""What changed between two reviews: new and cleared findings, verdicts, overdue invoices,
thresholds crossed, each with the numbers before and after.

A review is compared through its :class:`ReviewSummary` (what the store keeps of it, see
``docs/history.md``): :func:`summarize` makes one from a :class:`~clientguard.review.Review`,
:func:`compare` compares two, :func:`new_findings` says which findings of a review are new
since an earlier one (``review --fail-on new:warning``). Everything here is pure: no store,
no clock.

Over more than two reviews, :func:`flaps` says when a client *flaps*: its verdict or worst
severity goes back and forth (a late share just around a threshold), so that notify holds its
changes and says once that it flaps, and again when it settles (``docs/history.md``, "A client
that flaps").

A finding is the same finding in two reviews when it is about the same client, signal and
metric. It is *new at* a severity when it reaches that severity now and did not before (it was
absent, or below it): a chronic lateness that went from watch to critical is news at warning.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import TYPE_CHECKING

from pydantic import Field

from clientguard import i18n, wording
from clientguard.errors import ConfigError
from clientguard.findings import Finding, Severity
from clientguard.frozen import Frozen
from clientguard.i18n import gettext as _
from clientguard.i18n import noop, npgettext

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
    "Flap",
    "FlapNotice",
    "FlapRule",
    "ReviewSummary",
    "Standing",
    "change_key",
    "compare",
    "flap_ended",
    "flap_notices",
    "flaps",
    "last_flap_notices",
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
    overdue_labels: dict[str, str] = Field(default_factory=dict)
    """How a person knows each of :attr:`overdue_invoices` whose number is not its id (its
    number: :meth:`clientguard.ledger.Ledger.invoice_label`), by id: the changes' sentences
    name them so (a review saved before it was kept: by id)."""

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
    lang: str | None = None
    """The language its findings' messages are written in; None in a review saved before it
    was kept (its messages are then quoted as written, whatever the reader's language)."""
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
    labels: dict[str, str] = {}
    if review.forecast is not None:
        overdue = [f for f in review.forecast.invoices
                   if f.customer_id in members and f.days_past_due > 0]
        overdue_invoices = tuple(sorted(f.invoice_id for f in overdue))
        labels = {f.invoice_id: f.named for f in overdue if f.named != f.invoice_id}
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
        overdue_labels=labels,
    )


def summarize(review: Review) -> ReviewSummary:
    """What memory keeps of ``review``."""
    policy = review.policy
    return ReviewSummary(
        as_of=review.as_of,
        base_currency=review.base_currency,
        clients={cid: _client(c, review) for cid, c in review.clients.items()},
        book=tuple(_finding(f) for f in review.book.findings),
        # The review's messages are in the language it was made in (review(lang=...)), not
        # the one active where it is summarised; a review built by hand: the active one.
        lang=review.lang or i18n.language(),
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
    FLAPPING = "flapping"
    """notify only: the client started flapping (:func:`flaps`); its changes are held."""
    STOPPED_FLAPPING = "stopped_flapping"
    """notify only: the client stopped flapping, settled or gone to a standing it had not had
    while it flapped, or it is no longer flapping as the reviews tell (missing from a review,
    its policy no longer in use); its changes are sent again."""


class Change(Frozen):
    """One thing that changed, with the numbers before and after."""

    kind: ChangeKind
    client_id: str | None
    """The client; None for the whole book."""
    name: str
    """The client's name (``the book`` for the whole book)."""
    subject: str
    """What changed: ``signal/metric`` of a finding, the invoice id, the key number's name
    and threshold, ``verdict``, or ``verdict/severity`` (flapping)."""
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
    policy_digest: str | None = None
    """A flap notice's (``flapping``, ``stopped_flapping``): the policy whose reviews the flap
    was counted under (:class:`~clientguard.store.SavedReview`'s digest), part of its
    :attr:`key`, so that two policies' flaps of one client, started the same day at the same
    standing, are two notices. None for every other change."""

    @property
    def key(self) -> str:
        """The change's identity: notify never sends the same key twice on a channel."""
        return change_key(self.as_of, self.kind, self.client_id or "", self.subject,
                          str(self.after), self.policy_digest)


_POLICY_PART = "policy="
"""What starts the last part of a flap notice's key that names its policy."""


def change_key(as_of: date, kind: ChangeKind, client_id: str, subject: str, after: str,
               policy_digest: str | None = None) -> str:
    """The key of a change (:attr:`Change.key`): ``date|kind|client|subject|after``, and
    ``|policy=<digest>`` after it for a flap notice of a policy. A flap notice delivered
    before its key named the policy has none (:func:`last_flap_notices` reads both)."""
    parts = [as_of.isoformat(), kind.value, client_id, subject, after]
    if policy_digest is not None:
        parts.append(_POLICY_PART + policy_digest)
    return "|".join(parts)


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
    was_lang = before.lang if before is not None else None
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
                    name=name, severity=word(now.severity.value),
                    message=_said(now, after.lang))))
        elif now is None and was is not None:
            changes.append(Change(
                kind=ChangeKind.CLEARED_FINDING, client_id=client, name=name, subject=subject,
                before=was.severity.value, after=None, severity=was.severity, as_of=after.as_of,
                message=_("{name}: cleared: {message}").format(
                    name=name, message=_said(was, was_lang))))
        elif now is not None and was is not None and now.severity != was.severity:
            changes.append(Change(
                kind=ChangeKind.SEVERITY, client_id=client, name=name, subject=subject,
                before=was.severity.value, after=now.severity.value, severity=now.severity,
                as_of=after.as_of,
                message=_("{name}: {before} -> {after}: {message}").format(
                    name=name, before=word(was.severity.value), after=word(now.severity.value),
                    message=_said(now, after.lang))))
    for cid in sorted(after.clients):
        now_client = after.clients[cid]
        was_client = before.clients.get(cid) if before is not None else None
        changes += _client_changes(was_client, now_client, after, currency)
    order = {cid: rank for rank, cid in enumerate(sorted(names))}
    changes.sort(key=lambda c: (order.get(c.client_id, -1) if c.client_id else -1,
                                _KIND_ORDER[c.kind], c.subject))
    return Changes(before=before.as_of if before is not None else None, after=after.as_of,
                   base_currency=currency, changes=tuple(changes))


def _said(finding: FindingSummary, written_in: str | None) -> str:
    """A saved finding's sentence in the reader's language: its message where it is written
    in that language (or where the review kept no language: the text is all there is), else
    said from its signal, metric, value and threshold in the reader's words."""
    if written_in is None or written_in == i18n.language():
        return finding.message
    from clientguard.review import finding_words

    return finding_words(finding.signal, finding.metric, finding.value, finding.threshold)


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
                    name=name, invoice=now.overdue_labels.get(invoice, invoice))))
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



# --------------------------------------------------------------------------- flapping


@dataclass(frozen=True)
class FlapRule:
    """When a client *flaps*, so that notify holds its changes (``docs/history.md``, "A client
    that flaps"): like Nagios' and Icinga's flap detection, a count of state changes over a
    window of recent checks, with a higher bar to start flapping than to stop; fitted to
    daily reviews, the counts are whole changes over whole saved reviews, never a time.

    A client **starts flapping** at a review where its standing (verdict and worst severity)
    changed, back to one it had earlier in the window, and it changed at least
    :attr:`changes` times over its last :attr:`reviews` saved reviews. It **stops** when it
    has stayed at one standing for :attr:`settle` reviews (settled), or at once when it
    reaches a standing it had not had while it flapped (news is never held). After it stops,
    the changes before count no more.

    The defaults keep a client that changes once or twice exactly as before: its changes go out
    the same day; the third change in six reviews, back to where it had been, is a flap."""

    changes: int = 3
    """How many changes of a client's standing over :attr:`reviews` make it flap (at least 2:
    the first change is always sent)."""
    reviews: int = 6
    """Over how many of its latest saved reviews the changes are counted (they hold at most
    one change fewer than there are reviews)."""
    settle: int = 3
    """How many reviews in a row at one standing settle a flapping client (at least 2)."""

    def __post_init__(self) -> None:
        for field, least in (("changes", 2), ("reviews", 3), ("settle", 2)):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ConfigError(
                    _("flap detection: {field} is {value}; give a whole number of at least "
                      "{least}, or turn flap detection off").format(
                        field=field, value=repr(value), least=least)
                )
        if self.reviews <= self.changes:
            raise ConfigError(
                _("flap detection: {changes} changes can never happen in {reviews} reviews "
                  "({reviews} reviews hold at most {most} changes); give more reviews than "
                  "changes").format(changes=self.changes, reviews=self.reviews,
                                    most=self.reviews - 1)
            )


class Standing(Frozen):
    """A client's verdict and worst severity in one saved review: what flapping is about."""

    as_of: date
    verdict: str
    severity: Severity | None = None

    @property
    def code(self) -> str:
        """``verdict/severity`` (``revise_terms/warning``), or the verdict alone without
        findings (``ok``): a flap notice's ``before`` and ``after``."""
        return f"{self.verdict}/{self.severity.value}" if self.severity else self.verdict

    def same(self, other: Standing) -> bool:
        """The same verdict and severity (whatever the dates)."""
        return (self.verdict, self.severity) == (other.verdict, other.severity)


class Flap(Frozen):
    """One time a client flapped: when it started, the changes that made it, and how it
    stopped."""

    client_id: str
    name: str
    started: date
    """The review at which it was found flapping."""
    changed_on: tuple[date, ...]
    """The reviews at which its standing changed, those counted at the start first, then
    those held while it flapped."""
    counted: int
    """How many of :attr:`changed_on` were counted at the start."""
    reviews: int
    """Over how many reviews those were counted."""
    standings: tuple[Standing, ...]
    """The standings it went between, in the order first seen (the dates are the first)."""
    before: Standing
    """Its standing before the first counted change."""
    now: Standing
    """Its standing at the start."""
    stopped: Standing | None = None
    """Its standing when it stopped flapping (the review's date); None while it flaps, and
    when it stopped by missing from a review (:attr:`left`)."""
    settled_since: date | None = None
    """When it settled: the first of the :attr:`FlapRule.settle` reviews at one standing;
    None when it left for a standing it had not had (or flaps yet)."""
    left: date | None = None
    """The first review it was missing from while it flapped, where the flap stopped (a
    client not in a review is not flapping); None otherwise."""

    @property
    def running(self) -> bool:
        """It flaps at its last review: it neither stopped nor went missing."""
        return self.stopped is None and self.left is None

    @property
    def ended(self) -> date | None:
        """The review at which it stopped flapping (:attr:`stopped`'s or :attr:`left`);
        None while it flaps."""
        return self.stopped.as_of if self.stopped is not None else self.left


def flaps(
    client_id: str, name: str, standings: Sequence[Standing], rule: FlapRule,
    *, reviews: Sequence[date] | None = None,
) -> tuple[Flap, ...]:
    """The times a client flapped, oldest first, from its standings in its saved reviews
    (oldest first, one a review): the rule of :class:`FlapRule`, read from the reviews
    alone. The last one is :attr:`Flap.running` when it flaps at the last review.

    ``reviews`` are the dates of all the saved reviews read (the client's and those it is
    missing from), oldest first; None: it is in each. A review the client is missing from
    stops its flap there (:attr:`Flap.left`; a client not in a review is not flapping), and
    the count starts again at its next review, as after any flap: the changes before it are
    never counted with those after."""
    found: list[Flap] = []
    current: Flap | None = None
    # The first review the next count may look at: the one at which the last flap stopped,
    # so that the changes before a flap stopped never start another.
    start = 0
    gaps = _gaps(standings, reviews)
    for i in range(1, len(standings)):
        now = standings[i]
        gap = gaps.get(i)
        if gap is not None:
            # Missing from a review before this one: a flap stops there, and the count
            # starts again here.
            if current is not None:
                found.append(current.model_copy(update={"left": gap}))
                current = None
            start = i
            continue
        changed = not now.same(standings[i - 1])
        if current is None:
            if not changed:
                continue
            window = standings[max(start, i - rule.reviews + 1):i + 1]
            changed_on = tuple(b.as_of for a, b in pairwise(window) if not a.same(b))
            back = any(now.same(earlier) for earlier in window[:-1])
            if back and len(changed_on) >= rule.changes:
                seen: list[Standing] = []
                for standing in window:
                    if not any(standing.same(s) for s in seen):
                        seen.append(standing)
                current = Flap(client_id=client_id, name=name, started=now.as_of,
                               changed_on=changed_on, counted=len(changed_on),
                               reviews=len(window), standings=tuple(seen), before=window[0],
                               now=now)
            continue
        if changed:
            current = current.model_copy(
                update={"changed_on": (*current.changed_on, now.as_of)})
            if not any(now.same(s) for s in current.standings):
                found.append(current.model_copy(update={"stopped": now}))
                current, start = None, i
            continue
        run = standings[max(0, i - rule.settle + 1):i + 1]
        if len(run) == rule.settle and all(now.same(s) for s in run):
            found.append(current.model_copy(update={"stopped": now,
                                                    "settled_since": run[0].as_of}))
            current, start = None, i
    if current is not None:
        gap = gaps.get(len(standings))
        found.append(current if gap is None else current.model_copy(update={"left": gap}))
    return tuple(found)


def _gaps(standings: Sequence[Standing], reviews: Sequence[date] | None) -> dict[int, date]:
    """The first review the client is missing from before each of its standings, by the
    standing's index (``len(standings)``: after the last one); none before the first."""
    if reviews is None:
        return {}
    present = [s.as_of for s in standings]
    seen = set(present)
    gaps: dict[int, date] = {}
    for day in reviews:
        if day in seen:
            continue
        i = bisect_right(present, day)
        if i > 0 and (i not in gaps or day < gaps[i]):
            gaps[i] = day
    return gaps


def flap_notices(found: Sequence[Flap], rule: FlapRule, *, since: date | None,
                 until: date) -> list[Change]:
    """What notify says of ``found`` (:func:`flaps` up to ``until``) to a channel that had
    the reviews up to ``since`` (None: none): that a client started flapping, when it started
    after ``since`` or flaps yet (so a channel that comes late learns why its changes are
    held); that it stopped, when it stopped after ``since``. Each a :class:`Change` of kind
    ``flapping`` or ``stopped_flapping``, whose key (its date, the client, the standing) is
    the same every day: sent once."""
    notices: list[Change] = []
    for flap in found:
        if flap.running or since is None or flap.started > since:
            notices.append(_started(flap, rule))
        ended = flap.ended
        if ended is not None and (since is None or ended > since) and ended <= until:
            notices.append(_stopped(flap, flap.stopped) if flap.stopped is not None
                           else _left(flap, ended))
    return notices


@dataclass(frozen=True)
class FlapNotice:
    """A flap notice delivered on a channel, as its key (:attr:`Change.key`) tells it."""

    as_of: date
    """When the flap started (``flapping``) or stopped (``stopped_flapping``)."""
    kind: ChangeKind
    client_id: str
    after: str
    """The standing's code then (``None`` for a client missing from the review)."""
    policy_digest: str | None = None
    """The policy of the review the notice was delivered with: for a ``flapping`` one, the
    policy the flap was counted under (notify says a flap with a review of its own policy);
    None when not known."""
    flap_policy: str | None = None
    """The policy its key names (:attr:`Change.policy_digest`); None for a notice delivered
    before keys named it."""

    @property
    def key(self) -> str:
        """The key it was delivered under (:attr:`Change.key`)."""
        return change_key(self.as_of, self.kind, self.client_id, "verdict/severity",
                          self.after, self.flap_policy)


def last_flap_notices(keys: Iterable[str], policies: Mapping[str, str] | None = None,
                      delivered: Mapping[str, int] | None = None) -> dict[str, FlapNotice]:
    """Each client's flap notice in force among the change keys ``keys`` (those delivered on
    one channel), by client id: the one delivered last. A ``flapping`` one says the channel
    was told the client flaps and not yet that it stopped.

    ``delivered``: when each key was delivered, as a rank that grows from one run of notify to
    the next (the place of the review it was delivered with among the saved reviews), by key;
    a key without one ranks before every key with one, and without ``delivered`` all rank
    alike. The notice in force is the one delivered last, not the one of the latest date: a
    flap's notice is dated by its start, which may be earlier than the stop of another
    policy's flap the channel was told before (two policies on alternate days). Of the notices
    delivered by one run, the latest date's, and of a start and a stop of one date the stop
    (a flap stops before the next starts). ``policies``: the policy of the review each key was
    delivered with (:attr:`FlapNotice.policy_digest`), by key."""
    last: dict[str, tuple[tuple[int, date, bool], FlapNotice]] = {}
    kinds = {ChangeKind.FLAPPING.value: ChangeKind.FLAPPING,
             ChangeKind.STOPPED_FLAPPING.value: ChangeKind.STOPPED_FLAPPING}
    for key in keys:
        parts = key.split("|")
        # date|kind|client|verdict/severity|after[|policy=digest]; a client id may hold "|"
        # itself, a code never starts with "policy=".
        flap_policy = None
        if len(parts) > 5 and parts[-1].startswith(_POLICY_PART):
            flap_policy = parts.pop()[len(_POLICY_PART):]
        if len(parts) < 5 or parts[1] not in kinds or parts[-2] != "verdict/severity":
            continue
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            continue
        notice = FlapNotice(day, kinds[parts[1]], "|".join(parts[2:-2]), parts[-1],
                            (policies or {}).get(key), flap_policy)
        rank = ((delivered or {}).get(key, -1), notice.as_of,
                notice.kind is ChangeKind.STOPPED_FLAPPING)
        held = last.get(notice.client_id)
        if held is None or rank > held[0]:
            last[notice.client_id] = (rank, notice)
    return {cid: notice for cid, (_rank, notice) in last.items()}


def flap_ended(notice: FlapNotice, name: str, now: Standing | None, *, as_of: date,
               other_policy_since: date | None) -> Change:
    """The ``stopped_flapping`` notice of a flap a channel was told of (``notice``, its
    ``flapping`` one) that the saved reviews no longer show as of ``as_of``: the reviews since
    ``other_policy_since`` (as many as settle a flap, at least) are under other policies than
    the one it flapped under, which is therefore no longer in use; or, when
    ``other_policy_since`` is None, the reviews it was found in are gone. ``now``: the
    client's standing then (None: it is not in that review). Said once: its key is of
    ``as_of``, and once it is sent the channel no longer takes the client for flapping."""
    state = _standing(now) if now is not None else _("not in the review")
    if other_policy_since is not None:
        message = _(
            "{name}: no longer held as flapping (from {started}): the reviews since {since} "
            "are under another policy, and flapping is counted under one policy; now {now}; "
            "its changes are sent again")
    else:
        message = _(
            "{name}: no longer held as flapping (from {started}): the saved reviews no longer "
            "show it flapping; now {now}; its changes are sent again")
    return Change(
        kind=ChangeKind.STOPPED_FLAPPING, client_id=notice.client_id, name=name,
        subject="verdict/severity", before=notice.after,
        after=now.code if now is not None else None,
        severity=now.severity if now is not None else None, as_of=as_of,
        message=message.format(
            name=name, started=wording.day(notice.as_of), now=state,
            since=wording.day(other_policy_since) if other_policy_since else ""))


def _standing(standing: Standing) -> str:
    """A standing in words: ``revise terms (warning)``; the verdict alone without findings."""
    if standing.severity is None:
        return word(standing.verdict)
    return _("{verdict} ({severity})").format(verdict=word(standing.verdict),
                                              severity=word(standing.severity.value))


def _between(flap: Flap) -> str:
    return wording.and_list([_standing(s) for s in flap.standings])


def _started(flap: Flap, rule: FlapRule) -> Change:
    counted = flap.changed_on[:flap.counted]
    message = _(
        "{name}: flapping between {standings}: {changes} {in_reviews} ({dates}), now {now}; "
        "its changes are held until it stays at one verdict and severity {for_reviews}"
    ).format(
        name=flap.name, standings=_between(flap),
        changes=npgettext("flapping", "{n} change", "{n} changes", len(counted)).format(
            n=len(counted)),
        in_reviews=npgettext("flapping, in the last", "in its last {n} review",
                             "in its last {n} reviews", flap.reviews).format(n=flap.reviews),
        dates=", ".join(wording.day(d) for d in counted), now=_standing(flap.now),
        for_reviews=npgettext("flapping, for", "for {n} review", "for {n} reviews",
                              rule.settle).format(n=rule.settle),
    )
    return Change(kind=ChangeKind.FLAPPING, client_id=flap.client_id, name=flap.name,
                  subject="verdict/severity", before=flap.before.code, after=flap.now.code,
                  severity=flap.now.severity, as_of=flap.started, message=message)


def _left(flap: Flap, left: date) -> Change:
    """The notice of a flap stopped by the review of ``left``, which the client is missing
    from."""
    message = _(
        "{name}: no longer flapping between {standings} (from {started}): not in the review "
        "of {left}; its changes are sent again"
    ).format(name=flap.name, standings=_between(flap), started=wording.day(flap.started),
             left=wording.day(left))
    return Change(kind=ChangeKind.STOPPED_FLAPPING, client_id=flap.client_id, name=flap.name,
                  subject="verdict/severity", before=flap.before.code, after=None,
                  severity=None, as_of=left, message=message)


def _stopped(flap: Flap, stopped: Standing) -> Change:
    if flap.settled_since is not None:
        message = _(
            "{name}: settled at {now}, unchanged since {settled}, after flapping between "
            "{standings} from {started} ({changes}; {before} before); its changes are sent "
            "again"
        ).format(
            name=flap.name, now=_standing(stopped), settled=wording.day(flap.settled_since),
            standings=_between(flap), started=wording.day(flap.started),
            changes=npgettext("flapping", "{n} change", "{n} changes",
                              len(flap.changed_on)).format(n=len(flap.changed_on)),
            before=_standing(flap.before),
        )
    else:
        message = _(
            "{name}: no longer flapping between {standings} (from {started}): now {now}, "
            "which it had not been while it flapped; its changes are sent again"
        ).format(name=flap.name, standings=_between(flap), started=wording.day(flap.started),
                 now=_standing(stopped))
    return Change(kind=ChangeKind.STOPPED_FLAPPING, client_id=flap.client_id, name=flap.name,
                  subject="verdict/severity", before=flap.before.code, after=stopped.code,
                  severity=stopped.severity, as_of=stopped.as_of, message=message)
