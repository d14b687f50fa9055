"""The review: one verdict per client, what its lateness costs, what ending it would change.

:func:`review` runs every signal (the built-in ones of
:data:`~clientguard.signals.BUILTIN_SIGNALS`, then the caller's) as of one date and gathers
the findings per client (a client is a customer, or a group of companies under common
control). For each client it recommends ``ok``, ``monitor``, ``revise_terms`` or
``consider_ending`` by the rules below, lists the concrete revisions its findings suggest, and
works out the what-if of ending the cooperation.

The rules (each knob is a :class:`~clientguard.policy.Policy` field; ``docs/review.md`` has
the reasoning and a worked example of each):

1. ``consider_ending`` when the client pays late chronically *and* more and more often, and
   the lateness is material (``end_on_chronic_and_worsening``), or when
   ``end_on_critical_signals`` different client-behaviour problems (lateness, dispute,
   cross-aging, capacity, rush, each custom rule; chronic and worsening lateness count as one)
   are critical at once.
2. ``revise_terms`` when any client-behaviour finding is a warning or critical.
3. ``monitor`` when the only client-behaviour findings are at ``watch`` (lateness that is not
   material never goes above it).
4. A client flagged only for the firm's dependence on it (revenue or receivables share) gets
   ``dependency_only_verdict`` (``monitor``): being large is not misbehaviour.
5. ``ok`` otherwise.
6. Then the caller's verdict rules (:data:`VerdictRule`), in order.

A client with no invoice, no hours logged and no work requested for ``churn_days`` looks
churned: its revisions are about collecting what is open, not about new orders (unless they
are all there is to say). A ``revise_terms`` verdict of the built-in rules always comes with at
least one revision. Every client's ``evidence`` says the numbers that decided.

Pure: no clock, no I/O.
"""

from __future__ import annotations

import bisect
import difflib
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from itertools import chain
from types import MappingProxyType
from typing import Literal, NamedTuple

from pydantic import Field

from clientguard import i18n, wording
from clientguard.findings import Finding, Severity, Signal, by_severity
from clientguard.forecast import Forecast, forecast
from clientguard.frozen import Frozen
from clientguard.gcpause import collector_paused
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext, noop
from clientguard.ledger import Ledger, unknown_links_note, unknown_links_words
from clientguard.metrics.concentration import client_name, without_client
from clientguard.metrics.cost import Acknowledgement, ClientLatenessCost, acknowledged_debts
from clientguard.metrics.cost.lateness_costs import (
    _claimable_before_window,
    _lateness_costs,
    _Owed,
    jurisdiction_of,
)
from clientguard.metrics.cost.limitation import Acknowledged
from clientguard.metrics.lateness import PaymentProfile
from clientguard.model import CreditNote, Payment
from clientguard.money import CURRENCY_EXPONENTS, ZERO, rejection_words, round_money
from clientguard.policy import Policy
from clientguard.settlement import (
    LIVE_STATUSES,
    NOTE_KINDS,
    AppliedPart,
    Replay,
    _Checked,
    _checked_rows,
    _late_replay,
    _LateRow,
    cancelled_by_credit,
    check_as_of,
    is_cancelled,
    replay,
)
from clientguard.signals import (
    BUILTIN_SIGNALS,
    ConcentrationReport,
    SignalFunction,
    concentration,
    run_signals,
)
from clientguard.signals.concentration import revenue_lines
from clientguard.signals.freshness import NO_DATA_METRIC
from clientguard.signals.lateness import (
    _any_disputed,
    _customer_profiles,
    dispute_splits,
    judged_profiles,
    yearly_cost,
)
from clientguard.signals.shared import shared, sharing
from clientguard.signals.workload import _window_workload, hours_lines, rush_lead
from clientguard.unapplied import ClientCover, client_covers, covered

BEHAVIOUR_SIGNALS = frozenset(
    {
        Signal.CHRONIC_LATE,
        Signal.WORSENING_LATE,
        Signal.CROSS_AGING,
        Signal.CAPACITY,
        Signal.RUSH,
        Signal.DISPUTE,
        Signal.CUSTOM,
    }
)
"""Signals about what the client does: these can make a case for new terms or an ending. A
user's own finding (``custom``) about a client counts as one."""
_PROBLEM = {
    Signal.CHRONIC_LATE: "lateness",
    Signal.WORSENING_LATE: "lateness",
    Signal.CROSS_AGING: "cross_aging",
    Signal.CAPACITY: "capacity",
    Signal.RUSH: "rush",
    Signal.DISPUTE: "dispute",
}
"""The client-behaviour problem each behaviour signal is about (rule 1 counts problems); a
custom finding's problem is its metric (the user's rule)."""


def _problem(finding: Finding) -> str:
    return _PROBLEM.get(finding.signal) or f"custom:{finding.metric}"


class Recommendation(StrEnum):
    """What to do about a client, from the least to the most drastic."""

    OK = "ok"
    MONITOR = "monitor"
    REVISE_TERMS = "revise_terms"
    CONSIDER_ENDING = "consider_ending"

    @property
    def rank(self) -> int:
        """0 for ok up to 3 for consider_ending."""
        return list(Recommendation).index(self)


class Revision(Frozen):
    """A concrete change of terms that a finding suggests."""

    kind: str
    """``reminders``, ``align_due_dates`` (a client on a fixed payment run), ``shorter_terms``,
    ``deposit``, ``claim_late_interest``, ``collect_old_debt``, ``raise_price``,
    ``hours_cap``, ``rush_fee``, ``credit_limit``, ``no_exclusivity``, ``resolve_disputes``
    or ``collect_open`` (a client that looks churned)."""
    message: str
    """The revision in one sentence, with its numbers."""
    because: Signal
    """The signal that suggests it."""
    amount: Decimal | None = None
    """The sum involved (base currency), where there is one."""


class WhatIf(Frozen):
    """What ending the cooperation with a client would change."""

    revenue_lost: Decimal
    """Its net revenue over the window (base currency)."""
    revenue_share: Decimal | None
    """Its share of the window's revenue; None when its net revenue is not positive."""
    hours_freed: Decimal
    """The team's hours it took over the window."""
    hours_share: Decimal | None
    """Its share of those hours; None when no hours were logged."""
    open_credit: Decimal
    """Its open balance as of the review (base currency): still to collect after ending."""
    top_share_before: Decimal | None
    top_share_after: Decimal | None
    """The largest client's share of revenue without this client."""
    hhi_before: Decimal | None
    hhi_after: Decimal | None
    effective_clients_before: Decimal | None
    effective_clients_after: Decimal | None
    message: str
    """The what-if in a sentence an owner reads."""


class ClientReview(Frozen):
    """Everything the review says about one client."""

    client_id: str
    """The customer id, or the group id of companies under common control."""
    name: str
    members: tuple[str, ...]
    """The customer ids the client consists of (itself alone when not a group)."""
    recommendation: Recommendation
    reasons: tuple[str, ...]
    """Why this recommendation: the sentences of the findings that decided it."""
    summary: str
    """One sentence for an owner to forward: the verdict and the main reason."""
    findings: tuple[Finding, ...]
    """Every finding about the client, most serious first."""
    revisions: tuple[Revision, ...]
    """The concrete revisions its findings suggest."""
    what_if: WhatIf
    profiles: dict[str, PaymentProfile]
    """Payment profile of each member (each company's own history; the lateness findings judge
    the client's invoices together: docs/review.md, "Lateness per client")."""
    costs: dict[str, ClientLatenessCost]
    """What each member's late invoices due in the window cost."""
    financing_cost: Decimal
    """The members' financing cost over the window, base currency: the financing the
    sentences say and ``financing_covered``, each rounded once to the minor unit (half-even;
    until 2026-12-07 unrounded, so the book's JSON could be a cent off the clients' added
    up)."""
    claimable: Decimal
    """Statutory interest and compensation the law lets the firm claim as of the review date,
    base currency: on every late invoice of the members, as :func:`clientguard.claims.claim`
    counts them, whatever the window (a debt does not stop being owed when it leaves it), so
    also on those due before the window that ``costs`` does not list. Without what is
    time-barred (``time_barred``)."""
    time_barred: Decimal = ZERO
    """Statutory interest and compensation on the members' late invoices that is time-barred as
    of the review date (docs/claims.md, "Limitation"): left out of ``claimable``, base
    currency."""
    compensation_unpriced: Decimal = ZERO
    """The fixed compensation, in EUR as Polish law states it, of the members' late invoices
    that the ledger has no NBP rate to convert to PLN (no FxTable, or one without the rate of
    the compensation's rule date), not time-barred: the law owes its PLN
    equivalent, so the claim leaves that amount to fill in and out of its totals, and
    ``claimable`` leaves it out too, whatever the base currency; the advice to claim says so
    (docs/claims.md, "Fixed compensation")."""
    compensation_unconvertible: dict[str, Decimal] = Field(default_factory=dict)
    """The fixed compensation, by the currency the law states it in, of the members' late
    invoices that the claim asks in that currency but the ledger has no rate to convert to
    the base currency (GBP 40 under UK law in an EUR book without an FxTable, EUR 40 under EU
    law in a PLN one), not time-barred: the claim counts it in its totals in that currency,
    ``claimable`` (in the base currency) leaves it out, and the advice to claim says so
    (docs/claims.md, "Fixed compensation")."""
    time_barred_unconvertible: dict[str, Decimal] = Field(default_factory=dict)
    """The fixed compensation, by the currency the law states it in, of the members' late
    invoices that is time-barred as of the review date and that the ledger has no rate to
    convert to the base currency: the claim counts it in its ``time_barred_totals`` in that
    currency, ``time_barred`` (in the base currency) cannot, and the advice to claim says it
    beside ``time_barred``."""
    claimable_disputed: Decimal = ZERO
    """Of ``claimable``, what is on the members' disputed invoices (base currency): held until
    the disputes are settled, not in the advice to claim. Directive 2011/7/EU art. 3(1)(a)
    grants interest where the creditor has fulfilled its obligations, which a dispute contests
    (docs/claims.md, "Disputed invoices")."""
    claimable_unapplied: Decimal = ZERO
    """Of ``claimable``, on the open invoices the client's unapplied payments and credit notes
    (``unapplied``) would pay (:func:`clientguard.unapplied.covers`), what applying the money
    removes (base currency): the interest and compensation the books count after the day the
    money came, all of it where it came by the due date. Not in the advice to claim, which
    includes the interest until that day (docs/review.md, "Unapplied money"; until 2026-12-07
    all of it on those invoices, however late the money came)."""
    unapplied: Decimal = ZERO
    """The members' payments and credit notes that pay no invoice as of the review date (base
    currency; ``PaymentProfile.unapplied_cash`` and ``unapplied_credit``, summed)."""
    overdue: Decimal = ZERO
    """The members' open balance past due on the review date once their unapplied payments and
    credit notes (``unapplied``) are applied (base currency): the figure the evidence line, the
    advice to collect and the reports' OVERDUE column say (docs/review.md, "Unapplied money";
    until 2026-12-08 the column summed the books' ``PaymentProfile.overdue_balance``, before
    the money was applied: 926.25 EUR beside "overdue 887.18 EUR")."""
    financing_covered: Decimal = ZERO
    """Of ``financing_cost`` (the books' figure), what applying the client's unapplied
    payments and credit notes (``unapplied``) removes: the financing of the open invoices that
    money pays after the day it came (docs/review.md, "Unapplied money"; base currency). The
    sentences leave it out, the book's summary too (``BookReview.financing_covered``)."""
    late_share: Decimal | None = None
    """The members' late invoices over their invoices due in the window (paid late, or past
    due and unpaid on the review date); None without invoices due."""
    disputed: int = 0
    """The members' invoices due in the window that are disputed."""
    evidence: str = ""
    """The numbers that decided the verdict, in one line a person reads (late share, weighted
    days late, overdue, yearly cost of lateness, disputes, last invoice)."""
    last_invoice_on: date | None = None
    """The issue date of the members' newest invoice by the review date."""
    churned: bool = False
    """No invoice for more than ``Policy.churn_days``, and no hours logged nor work requested
    in those days either: it looks churned, so the advice is about collecting what is open,
    not about new orders."""
    changed_by: tuple[str, ...] = ()
    """The verdict rules (``review(..., verdict_rules=[...])``) that changed the verdict the
    built-in rules gave, by name, in order."""


@dataclass(frozen=True)
class Verdict:
    """What a verdict rule sees: one client's findings and the verdict so far."""

    client_id: str
    """The customer id, or the group id of companies under common control."""
    members: tuple[str, ...]
    findings: tuple[Finding, ...]
    """Every finding about the client (the built-in signals' and the user's), most serious
    first."""
    recommendation: Recommendation
    """The verdict so far: the built-in rules', or the one an earlier rule set."""
    deciding: tuple[Finding, ...]
    """The findings that decided it."""
    ledger: Ledger
    as_of: date
    policy: Policy


VerdictRule = Callable[[Verdict], "Recommendation | str | None"]
"""A user's verdict rule: the client's :class:`Verdict` to a new recommendation, or None to
leave it. Rules run in order after the built-in rules, each seeing the verdict so far."""


class BookReview(Frozen):
    """The whole book: how concentrated it is and how many clients got which verdict."""

    revenue: ConcentrationReport
    receivables: ConcentrationReport
    hours: ConcentrationReport | None
    """None when the ledger has no time entries in the window."""
    findings: tuple[Finding, ...]
    """Findings about the whole book (``book_concentration``)."""
    recommendations: dict[str, int]
    """How many clients got each recommendation."""
    financing_cost: Decimal
    claimable: Decimal
    summary: str
    claimable_disputed: Decimal = ZERO
    """The clients' ``claimable_disputed``: of ``claimable``, held until the disputes are
    settled; the summary says it apart from what the law grants on the rest."""
    claimable_unapplied: Decimal = ZERO
    """The clients' ``claimable_unapplied``: of ``claimable``, what applying the unapplied
    money to the invoices it would pay removes; the summary says it apart."""
    financing_covered: Decimal = ZERO
    """The clients' ``financing_covered``: of ``financing_cost``, what applying their unapplied
    money removes (the financing after the money came), which the summary leaves out as their
    own summaries do (docs/review.md, "Unapplied money")."""
    time_barred: Decimal = ZERO
    """The clients' ``time_barred``: what the law no longer enforces, left out of
    ``claimable``."""
    compensation_unpriced: Decimal = ZERO
    """The clients' ``compensation_unpriced``: Polish fixed compensation in EUR left out of
    ``claimable`` for want of the NBP rate; the summary says so."""
    compensation_unconvertible: dict[str, Decimal] = Field(default_factory=dict)
    """The clients' ``compensation_unconvertible``, by currency: fixed compensation left out
    of ``claimable`` for want of a rate to the base currency; the summary says so."""
    time_barred_unconvertible: dict[str, Decimal] = Field(default_factory=dict)
    """The clients' ``time_barred_unconvertible``, by currency: time-barred fixed compensation
    ``time_barred`` cannot count for want of a rate to the base currency; the summary says it
    beside ``time_barred``."""


class NoteGroup(Frozen):
    """The data-quality notes of one kind, counted: what a report shows instead of a thousand
    near-identical lines (the full list stays in :attr:`DataQuality.notes`)."""

    kind: str
    """What the notes are about: a kind of :data:`clientguard.settlement.NOTE_KINDS`, or
    ``rejected``, ``paid_date_unknown_count``, ``foreign_allocations``,
    ``excess_precision``, ``due_before_issue`` (a summary sentence of its own),
    ``source_notes`` (the sources' notes, ``ledger.report.notes``), ``unmatched_hours`` (a
    time tracker's client name that matched no customer, with its hours:
    ``ledger.report.unmatched``), or ``other``."""
    title: str
    """The kind in a sentence."""
    count: int
    """How many notes of this kind there are."""
    amount: Decimal | None
    """The total amount involved, in the base currency (None for a kind without one)."""
    amount_of: str | None = None
    """What ``amount`` adds up: ``left open``, ``the invoices' totals``, ``the
    differences``..."""
    examples: tuple[str, ...]
    """The first :data:`GROUP_EXAMPLES` notes of the kind, in ledger order."""


GROUP_EXAMPLES = 3
"""How many notes a :class:`NoteGroup` keeps as examples."""


class DataQuality(Frozen):
    """What in the data could not be used, or disagrees with itself."""

    rejected: int
    """Records the ledger did not load (see ``ledger.report.rejected``)."""
    rejections: tuple[str, ...]
    """The first rejections, described (record, location, reason)."""
    paid_date_unknown: tuple[str, ...]
    """Invoices marked paid with neither payments nor a paid date: left out of lateness."""
    amount_due_mismatches: tuple[str, ...]
    """Invoices whose source balance disagrees with the replay (the replay wins)."""
    foreign_allocations: tuple[str, ...]
    """Allocations of a payment or credit note to an invoice of a customer outside the
    document's own customer's group (a company paying for another that is not grouped with
    it, or a misallocation in the source), in ledger order (payments, then credit notes), each as
    ``"payment P-7 -> INV-3"`` (the document's kind and id, then the invoice id). They are kept
    and used as the source has them: the lateness and open balance are the invoice's
    customer's. An allocation within one group is not listed: the group is one client."""
    excess_precision: tuple[str, ...]
    """Invoices, payments and credit notes with an amount finer than their currency's minor
    unit (EUR 10.005, JPY 100.5) in a total, amount due, payment amount or allocation, in
    ledger order (invoices, payments, credit notes), each as ``"invoice INV-3"`` (kind and
    id). Used as given: amounts are rounded only in reports."""
    due_before_issue: tuple[str, ...] = ()
    """Invoices the source has due before their issue date (issued after the money came in),
    kept and counted as due on their issue date, each with its source, location and both
    dates (see ``ledger.report.adjusted``)."""
    notes: tuple[str, ...]
    """Every data-quality sentence, for a person (the warnings first)."""
    groups: tuple[NoteGroup, ...] = ()
    """The notes grouped by kind, with a count, a few examples and the amount involved, in
    the order each kind first appears in :attr:`notes` (what the table and HTML reports
    show)."""
    warnings: tuple[str, ...] = ()
    """What the data as a whole may be missing (``ledger.report.warnings``), e.g. a source
    whose last sync did not complete. Also the first of ``notes``."""


class Review(Frozen):
    """The review of a ledger as of a date."""

    as_of: date
    base_currency: str
    policy: Policy
    clients: dict[str, ClientReview]
    """By client id: the most drastic recommendation first, then by id."""
    book: BookReview
    data_quality: DataQuality
    sources: tuple[str, ...] = ()
    """The sources the ledger's records came from. With more than one, every id (client,
    customer, invoice, payment) is ``source:id`` (see :mod:`clientguard.records`)."""
    forecast: Forecast | None = None
    """The forecast as of the review's date: the open invoices' predicted payments and the
    13-week cash-in (docs/forecast.md)."""
    lang: str | None = None
    """The language its sentences are written in (``review(lang=...)``, else the language
    active when it was made); None for a review built by hand, whose sentences are taken to
    be in the active language."""

    def findings(self) -> list[Finding]:
        """Every finding, the book's and each client's, most serious first."""
        every = [*self.book.findings]
        for client in self.clients.values():
            every.extend(client.findings)
        return by_severity(every)

    def worst_severity(self) -> Severity | None:
        """The most serious severity of any finding; None when there are none."""
        found = self.findings()
        return found[0].severity if found else None


MAX_LISTED_REJECTIONS = 50

REVIEW_STAGES = (
    noop("replaying the invoices"),
    noop("computing the metrics and the forecast"),
    noop("running the signals"),
    noop("judging the clients"),
)
"""The stages :func:`review` reports to its ``progress`` callback, in order: English, stable
values a caller may compare; ``clientguard.i18n.gettext(stage)`` gives the reader's words."""


def _silent(stage: str) -> None:
    pass


def review(
    ledger: Ledger,
    *,
    as_of: date,
    policy: Policy | None = None,
    signals: Sequence[SignalFunction] = (),
    verdict_rules: Sequence[VerdictRule] = (),
    progress: Callable[[str], None] | None = None,
    lang: str | None = None,
    acknowledgements: Iterable[Acknowledgement] = (),
) -> Review:
    """Review every client of ``ledger`` as of ``as_of`` under ``policy``.

    ``lang`` (``"en"``, ``"pl"``; default: the active language of
    :func:`clientguard.i18n.using`, else English) is the language of every sentence of the
    review: findings, verdict summaries, revisions, what-if, evidence and data-quality notes,
    with numbers, dates and money written in it. Machine keys (finding signals, severities,
    metrics, recommendation codes, evidence numbers) are the same in every language, so two
    reviews in two languages compare by them. Raises ``ValueError`` for a language
    clientguard does not write.

    ``signals`` are the user's own signals (functions ``(ledger, as_of, policy) ->
    Iterable[Finding]``), run after :data:`~clientguard.signals.BUILTIN_SIGNALS`; their
    findings about a client weigh in its verdict like the built-in ones (a ``custom`` finding
    at ``watch`` makes it at least ``monitor``, at ``warning`` at least ``revise_terms``).
    ``verdict_rules`` then run in order on each client (:data:`VerdictRule`) and may change
    its verdict; ``docs/testing-your-policy.md`` shows both.

    ``progress``, when given, is called with each stage as it starts, in order:
    :data:`REVIEW_STAGES` (``"replaying the invoices"``, ``"computing the metrics and the
    forecast"``, ``"running the signals"``, ``"judging the clients"``), for a progress line;
    the review itself prints nothing.

    ``acknowledgements`` are the debtor's acknowledgements of its debts: facts about debts the
    ledger does not hold, not thresholds of the policy. One made by ``as_of`` and before a debt
    was time-barred restarts the debt's period (docs/claims.md, "Acknowledgements"), so what
    is ``claimable`` and ``time_barred`` agrees with :func:`clientguard.claims.claim` given
    the same ones. Raises :class:`~clientguard.errors.DataError` for one naming an invoice or
    a customer the ledger does not hold.
    """
    check_as_of(as_of)
    # A review makes millions of short-lived objects and no reference cycles: the cyclic
    # garbage collector would only rescan them (a fifth of the time at a million invoices).
    with i18n.using(lang), collector_paused(), sharing():
        return _review(
            ledger, as_of=as_of, policy=policy, signals=signals, verdict_rules=verdict_rules,
            progress=progress or _silent,
            acknowledged=acknowledged_debts(ledger, acknowledgements),
        )


def data_quality(
    ledger: Ledger, *, as_of: date, policy: Policy | None = None, lang: str | None = None
) -> DataQuality:
    """The data-quality part of :func:`review` alone: every note, in full, and grouped, in
    ``lang`` (as :func:`review` takes it)."""
    check_as_of(as_of)
    with i18n.using(lang):
        return _data_quality(ledger, _checked_rows(ledger, as_of=as_of, policy=policy),
                             policy or Policy(), as_of=as_of)


def _review(
    ledger: Ledger,
    *,
    as_of: date,
    policy: Policy | None,
    signals: Sequence[SignalFunction],
    verdict_rules: Sequence[VerdictRule],
    progress: Callable[[str], None],
    acknowledged: Acknowledged | None = None,
) -> Review:
    policy = policy or Policy()
    replaying, measuring, signalling, judging = REVIEW_STAGES
    progress(replaying)
    currency = ledger.base_currency
    replayed = replay(ledger, as_of=as_of, policy=policy)
    checked = _checked_rows(ledger, as_of=as_of, policy=policy)
    progress(measuring)
    profiles = _customer_profiles(ledger, as_of=as_of, policy=policy)
    # The forecast, from the replay just made; the expected_late signal reads it (shared).
    predicted = shared("forecast", ledger, as_of, policy, forecast, rows=replayed)
    cancelled = cancelled_by_credit(ledger)
    # The replay's rows with days late, picked out as it made them: the only ones whose
    # lateness may cost (a tenth of a long book's rows).
    on_books = _late_rows_by_window(
        _late_replay(ledger, as_of=as_of, policy=policy), as_of=as_of, policy=policy,
        cancelled=cancelled)
    # What the clients' unapplied money would pay of their open invoices enters the replay as
    # part payments on the money's day, beside the books' allocations (docs/review.md,
    # "Unapplied money"): an invoice it pays in full is settled on the later of that day and
    # the books' last payment (late until then, or not at all), one it pays in part owes less
    # from that day. The profiles the lateness is judged on read the same parts.
    cover = shared("unapplied_covers", ledger, as_of, policy, client_covers)
    reached = covered(cover)
    paid = {i: c.settled_on for i, c in reached.items() if c.settled_on is not None}
    paid_in = {i: c.parts for i, c in reached.items()}
    late_in_window, late_before_window = (
        _as_paid_rows(ledger, rows, paid, as_of) for rows in on_books)
    costs = _lateness_costs(ledger, as_of, policy, late_in_window, None, acknowledged,
                            paid_in)
    # What the law grants on the late invoices due before the window: still owed.
    owed_before = _claimable_before_window(ledger, as_of, policy, late_before_window, None,
                                           acknowledged, paid_in)
    # Of what the law grants, the part the advice does not claim: on disputed invoices (held
    # until the disputes are settled) and, on the open invoices the client's unapplied money
    # would pay, what applying it removes: the interest after the money's day, all of it where
    # the money came by the due date (docs/claims.md, "Disputed invoices"; docs/review.md,
    # "Unapplied money"). The money pays no disputed invoice (clientguard.unapplied).
    any_disputed = _any_disputed(ledger)
    disputed_ids = _disputed_ids(ledger, late_in_window, late_before_window, as_of) \
        if any_disputed else set()
    covered_ids = set(paid_in)
    held_disputed = _held_claim(ledger, as_of, policy, late_in_window, late_before_window,
                                disputed_ids, acknowledged, paid_in)
    held_unapplied = _held_difference(
        _held_claim(ledger, as_of, policy, *on_books, covered_ids, acknowledged),
        _held_claim(ledger, as_of, policy, late_in_window, late_before_window, covered_ids,
                    acknowledged, paid_in))
    # And of the financing cost, what the books count after the money came (in
    # financing_cost, left out of the sentences: ClientReview.financing_covered).
    held_financing = _held_difference(
        _financing_of(ledger, as_of, policy, on_books[0], covered_ids, acknowledged),
        _financing_of(ledger, as_of, policy, late_in_window, covered_ids, acknowledged,
                      paid_in))
    judged = dict(profiles)
    judged.update(judged_profiles(ledger, as_of, policy))
    revenue = shared("revenue", ledger, as_of, policy, concentration, basis="revenue")
    receivables = shared(
        "receivables", ledger, as_of, policy, concentration, basis="receivables"
    )
    hours: ConcentrationReport | None = shared(
        "hours", ledger, as_of, policy, concentration, basis="hours"
    )
    if hours is not None and not hours.amounts:
        hours = None
    work = shared("workload", ledger, as_of, policy, _window_workload)

    progress(signalling)
    findings = run_signals([*BUILTIN_SIGNALS, *signals], ledger, as_of, policy)
    progress(judging)
    book_findings: dict[tuple[str, str], Finding] = {}
    per_client: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.customer_id is None:
            # Each basis reports the book's concentration; keep one finding per basis.
            book_findings.setdefault((finding.signal, finding.metric), finding)
        else:
            client = ledger.group_of(finding.customer_id)
            per_client.setdefault(client, []).append(finding)

    clients: set[str] = set(per_client)
    clients.update(revenue.amounts, revenue.excluded, receivables.amounts)
    clients.update(ledger.group_of(customer) for customer in profiles)
    if hours:
        clients.update(hours.amounts)

    at_work = _clients_at_work(ledger, as_of, policy.churn_days)
    reviews = [
        _client_review(
            client,
            ledger=ledger,
            as_of=as_of,
            policy=policy,
            findings=by_severity(per_client.get(client, [])),
            profiles=profiles,
            costs=costs,
            owed_before=owed_before,
            revenue=revenue,
            receivables=receivables,
            hours=hours,
            firm_rate=work.firm_revenue_per_hour,
            total_hours=work.total_hours,
            verdict_rules=verdict_rules,
            any_disputed=any_disputed,
            at_work=client in at_work,
            held_disputed=held_disputed,
            held_unapplied=held_unapplied,
            judged=judged,
            cover=cover.get(client),
            held_financing=held_financing,
        )
        for client in clients
    ]
    # The most drastic verdict first: the order an owner reads the review in.
    reviews.sort(key=lambda r: (-r.recommendation.rank, -_worst_rank(r.findings), r.client_id))
    counts = {r.value: 0 for r in Recommendation}
    for client_review in reviews:
        counts[client_review.recommendation.value] += 1
    financing = sum((r.financing_cost for r in reviews), ZERO)
    claimable = sum((r.claimable for r in reviews), ZERO)
    claimable_disputed = sum((r.claimable_disputed for r in reviews), ZERO)
    claimable_unapplied = sum((r.claimable_unapplied for r in reviews), ZERO)
    financing_covered = sum((r.financing_covered for r in reviews), ZERO)
    time_barred = sum((r.time_barred for r in reviews), ZERO)
    unpriced = sum((r.compensation_unpriced for r in reviews), ZERO)
    unconvertible = _by_currency(r.compensation_unconvertible for r in reviews)
    barred_unconvertible = _by_currency(r.time_barred_unconvertible for r in reviews)
    # The rates an FxTable lacks for the compensation left out, of every client: the summary
    # names them (a ledger without an FxTable lacks every rate, and has none to name).
    missing_rates = tuple(sorted(set(chain(
        (rate for cost in costs.values() for rate in cost.compensation_missing_rates),
        (rate for cost in costs.values() for rate in cost.compensation_unpriced_missing_rates),
        (rate for owed in owed_before.values() for rate in owed.missing_rates),
        (rate for owed in owed_before.values() for rate in owed.unpriced_missing_rates)))))
    book = BookReview(
        revenue=revenue,
        receivables=receivables,
        hours=hours,
        findings=tuple(by_severity(list(book_findings.values()))),
        recommendations=counts,
        financing_cost=financing,
        claimable=claimable,
        # The financing cost of clients whose unapplied money covers their open balance is
        # left out, as their own summaries leave it out.
        summary=_book_summary(counts, revenue, financing - financing_covered, claimable,
                              currency,
                              no_data=any(f.metric == NO_DATA_METRIC
                                          for f in book_findings.values()),
                              time_barred=time_barred,
                              left_out=_left_out_by_currency(unpriced, unconvertible),
                              barred_unconvertible=barred_unconvertible,
                              missing_rates=missing_rates,
                              disputed=claimable_disputed, unapplied=claimable_unapplied),
        claimable_disputed=claimable_disputed,
        claimable_unapplied=claimable_unapplied,
        financing_covered=financing_covered,
        time_barred=time_barred,
        compensation_unpriced=unpriced,
        compensation_unconvertible=unconvertible,
        time_barred_unconvertible=barred_unconvertible,
    )
    return Review(
        as_of=as_of,
        base_currency=currency,
        policy=policy,
        clients={r.client_id: r for r in reviews},
        book=book,
        data_quality=_data_quality(ledger, checked, policy, as_of=as_of),
        sources=ledger.sources,
        forecast=predicted,
        lang=i18n.language(),
    )


def _late_rows(
    replayed: Sequence[Replay], *, as_of: date, policy: Policy, before_window: bool = False,
    cancelled: Mapping[str, date | None] | None = None,
) -> Iterator[tuple[str, _LateRow]]:
    """The invoices whose lateness may cost (late, due in the window; ``before_window``: due
    before it), each by id with what the lateness costs read of its settlement, from its
    replay row: :func:`settle` would make a million settlements to read a few hundred
    thousand, and the costs read four fields of each. (:func:`_late_rows_by_window`, one of
    its two lists.)"""
    window, before = _late_rows_by_window(replayed, as_of=as_of, policy=policy,
                                          cancelled=cancelled)
    return iter(before if before_window else window)


def _late_rows_by_window(
    replayed: Sequence[Replay], *, as_of: date, policy: Policy,
    cancelled: Mapping[str, date | None] | None = None,
) -> tuple[list[tuple[str, _LateRow]], list[tuple[str, _LateRow]]]:
    """:func:`_late_rows` due in the window, then those due before it, from one pass over
    ``replayed`` (the review reads both: each late row is looked at once)."""
    first_due = as_of - timedelta(days=policy.lookback_days - 1)
    window: list[tuple[str, _LateRow]] = []
    before: list[tuple[str, _LateRow]] = []
    # A _LateRow made as a tuple is, without NamedTuple.__new__'s keyword handling (the
    # replay's way).
    new_row = tuple.__new__
    for row in replayed:
        days_late = row.days_late
        if days_late:
            invoice = row.invoice
            due = invoice.due_date
            if due > as_of:
                continue  # not due by as_of (never with days late; the window's end)
            # Cancelled by credit notes (rule 10 of docs/metrics/lateness.md): no cost.
            if cancelled and is_cancelled(row, cancelled):
                continue
            (window if due >= first_due else before).append((invoice.id, new_row(_LateRow, (
                invoice.id, as_of, row.settled_on, row.basis, days_late, False,
            ))))
    return window, before


def _disputed_ids(
    ledger: Ledger, window: Sequence[tuple[str, _LateRow]],
    before: Sequence[tuple[str, _LateRow]], as_of: date,
) -> set[str]:
    """The late invoices (of ``window`` and ``before``) disputed as of ``as_of``."""
    invoice = ledger.invoice
    return {i for i, _row in chain(window, before) if invoice(i).disputed_by(as_of)}


def _as_paid_rows(
    ledger: Ledger, rows: Sequence[tuple[str, _LateRow]], paid: Mapping[str, date],
    as_of: date,
) -> list[tuple[str, _LateRow]]:
    """``rows`` with each invoice of ``paid`` (open, and paid by unapplied money:
    :func:`clientguard.unapplied.covers`) as paid on its day: late until then, or left out
    where the money came by its due date."""
    if not paid:
        return list(rows)
    kept: list[tuple[str, _LateRow]] = []
    for invoice_id, row in rows:
        day = paid.get(invoice_id)
        if day is None or row.settled_on is not None:
            kept.append((invoice_id, row))
            continue
        days_late = (day - ledger.invoice(invoice_id).due_date).days
        if days_late > 0:
            kept.append((invoice_id, _LateRow(invoice_id, as_of, day, "allocations",
                                              days_late, False)))
    return kept


def _held_difference(
    on_books: Mapping[str, Decimal], as_paid: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Per customer, what the law grants on the books (``on_books``) less what it grants with
    the unapplied money applied (``as_paid``): what applying the money removes."""
    held = {c: amount - as_paid.get(c, ZERO) for c, amount in on_books.items()}
    return {c: amount for c, amount in held.items() if amount}


def _financing_of(
    ledger: Ledger, as_of: date, policy: Policy, window: Sequence[tuple[str, _LateRow]],
    ids: set[str], acknowledged: Acknowledged | None,
    unapplied: Mapping[str, Sequence[AppliedPart]] | None = None,
) -> dict[str, Decimal]:
    """Per customer, the financing cost of the late invoices ``ids`` of ``window``, as
    ``financing_cost`` counts it (``unapplied``: the unapplied money's parts, as
    :func:`_lateness_costs` takes them)."""
    if not ids:
        return {}
    costs = _lateness_costs(ledger, as_of, policy, [r for r in window if r[0] in ids], None,
                            acknowledged, unapplied)
    return {customer: cost.financing_cost for customer, cost in costs.items()}


def _held_claim(
    ledger: Ledger, as_of: date, policy: Policy, window: Sequence[tuple[str, _LateRow]],
    before: Sequence[tuple[str, _LateRow]], ids: set[str], acknowledged: Acknowledged | None,
    unapplied: Mapping[str, Sequence[AppliedPart]] | None = None,
) -> dict[str, Decimal]:
    """Per customer, what the law grants on the late invoices ``ids`` (of ``window`` and
    ``before``), as ``claimable`` counts it: the same lines, so the rest is what the advice
    claims, to the cent (``unapplied``: the unapplied money's parts, as
    :func:`_lateness_costs` takes them)."""
    if not ids:
        return {}
    held: dict[str, Decimal] = {}
    costs = _lateness_costs(ledger, as_of, policy, [r for r in window if r[0] in ids], None,
                            acknowledged, unapplied)
    for customer, cost in costs.items():
        held[customer] = held.get(customer, ZERO) + cost.claimable
    owed = _claimable_before_window(ledger, as_of, policy, [r for r in before if r[0] in ids],
                                    None, acknowledged, unapplied)
    for customer, line in owed.items():
        held[customer] = held.get(customer, ZERO) + line.claimable
    return held


def _worst_rank(findings: tuple[Finding, ...]) -> int:
    return max((f.severity.rank for f in findings), default=0)


def is_behaviour(finding: Finding) -> bool:
    """True for a finding about what the client does, False for the firm's dependence on it.

    A capacity finding on the hours share alone (a client taking a quarter of the team's time
    while paying in proportion) is dependence, like a large revenue share; a capacity finding
    on hours out of proportion to revenue is behaviour.
    """
    if finding.signal is Signal.CAPACITY:
        return finding.metric != "hours_share"
    return finding.signal in BEHAVIOUR_SIGNALS


def _material_dependence(finding: Finding, policy: Policy) -> bool:
    """False for a receivables-concentration finding on an open balance under
    ``policy.material_overdue``: watched, never a reason to revise the terms."""
    if finding.signal is not Signal.RECEIVABLES_CONCENTRATION:
        return True
    owed = finding.evidence.numbers.get("open_balance")
    currency = finding.evidence.numbers.get("currency")
    # Compared as the sentence writes it, to the currency's minor unit (docs/review.md,
    # "Figures compared as shown"): 999.9999999 EUR is written "1,000.00 EUR" and is material
    # from 1,000.00 (until 2026-12-08 it was watched, and 1,000.00 was not).
    if not isinstance(owed, Decimal):
        return True
    shown = round_money(owed, currency) if isinstance(currency, str) else owed
    return shown >= policy.material_overdue


def recommend(findings: list[Finding], policy: Policy) -> tuple[Recommendation, list[Finding]]:
    """The recommendation the rules give for a client's findings, and the findings that
    decided it (see the module docstring)."""
    behaviour = [f for f in findings if is_behaviour(f)]
    signals = {f.signal for f in behaviour}
    late = {Signal.CHRONIC_LATE, Signal.WORSENING_LATE}
    # Immaterial lateness (docs/review.md, "Materiality") is at most watched, even when it is
    # both chronic and worsening.
    material = all(
        f.evidence.numbers.get("material") != "no" for f in behaviour if f.signal in late
    )
    if policy.end_on_chronic_and_worsening and late <= signals and material:
        return Recommendation.CONSIDER_ENDING, [f for f in behaviour if f.signal in late]
    critical = [f for f in behaviour if f.severity is Severity.CRITICAL]
    # Chronic and worsening lateness are one problem (lateness), not two: otherwise a late
    # payer critical on both would be ended by this rule even with
    # ``end_on_chronic_and_worsening`` off.
    if len({_problem(f) for f in critical}) >= policy.end_on_critical_signals:
        return Recommendation.CONSIDER_ENDING, critical
    serious = [f for f in behaviour if f.severity >= Severity.WARNING]
    if serious:
        return Recommendation.REVISE_TERMS, serious
    if behaviour:
        return Recommendation.MONITOR, behaviour
    # A forecast (expected_late) is not yet behaviour nor dependence: it is watched, no more;
    # nor is a share of the receivables on an open balance under material_overdue (the
    # credit limit it would ask for limits nothing worth limiting, so a verdict to revise the
    # terms would have no term to revise: docs/review.md, "Materiality").
    dependence = [f for f in findings
                  if f.signal is not Signal.EXPECTED_LATE and _material_dependence(f, policy)]
    if dependence:
        return Recommendation(policy.dependency_only_verdict), dependence
    if findings:
        return Recommendation.MONITOR, findings
    return Recommendation.OK, []


def _client_review(
    client: str,
    *,
    ledger: Ledger,
    as_of: date,
    policy: Policy,
    findings: list[Finding],
    profiles: dict[str, PaymentProfile],
    costs: dict[str, ClientLatenessCost],
    revenue: ConcentrationReport,
    receivables: ConcentrationReport,
    hours: ConcentrationReport | None,
    firm_rate: Decimal | None,
    total_hours: Decimal,
    verdict_rules: Sequence[VerdictRule] = (),
    any_disputed: bool = False,
    owed_before: Mapping[str, _Owed] | None = None,
    at_work: bool = False,
    held_disputed: Mapping[str, Decimal] | None = None,
    held_unapplied: Mapping[str, Decimal] | None = None,
    judged: Mapping[str, PaymentProfile] | None = None,
    cover: ClientCover | None = None,
    held_financing: Mapping[str, Decimal] | None = None,
) -> ClientReview:
    currency = ledger.base_currency
    members = ledger.members(client)
    name = client_name(ledger, client)
    recommendation, deciding = recommend(findings, policy)
    changed_by: list[str] = []
    for rule in verdict_rules:
        verdict = Verdict(
            client_id=client, members=members, findings=tuple(findings),
            recommendation=recommendation, deciding=tuple(deciding), ledger=ledger,
            as_of=as_of, policy=policy,
        )
        changed = rule(verdict)
        rule_name = getattr(rule, "__name__", type(rule).__name__)
        if changed is None:
            continue
        try:
            verdict_now = Recommendation(changed)
        except ValueError:
            raise ValueError(
                f"verdict rule {rule_name} returned {changed!r} for client {client!r}; return "
                f"a Recommendation ({', '.join(r.value for r in Recommendation)}) or None"
            ) from None
        if verdict_now is recommendation:
            continue
        recommendation = verdict_now
        changed_by.append(rule_name)
    member_costs = {m: costs[m] for m in members if m in costs}
    financing = sum((c.financing_cost for c in member_costs.values()), ZERO)
    # Every late invoice's, as a claim counts them: the window's and those due before it.
    earlier = {m: owed_before[m] for m in members if m in owed_before} if owed_before else {}
    # What the law grants as the books stand: the costs are of the invoices unapplied money
    # would pay as paid on its day, and what applying it removes is added back (held below).
    claim_unapplied = sum(((held_unapplied or {}).get(m, ZERO) for m in members), ZERO)
    claimable = sum((c.claimable for c in member_costs.values()), ZERO) + sum(
        (o.claimable for o in earlier.values()), ZERO) + claim_unapplied
    # What is time-barred is left out of it, and said (docs/claims.md, "Limitation").
    time_barred = sum((c.time_barred for c in member_costs.values()), ZERO) + sum(
        (o.time_barred for o in earlier.values()), ZERO)
    # A Polish compensation without the NBP rate is left out of it, as the claim leaves it
    # out of its totals, and said.
    unpriced = sum((c.compensation_unpriced for c in member_costs.values()), ZERO) + sum(
        (o.unpriced for o in earlier.values()), ZERO)
    # So is one the claim asks in a currency the ledger has no rate to the base for.
    unconvertible = _by_currency(chain(
        (c.compensation_unconvertible for c in member_costs.values()),
        (o.unconvertible for o in earlier.values())))
    # And one time-barred in such a currency is not in time_barred: said beside it.
    barred_unconvertible = _by_currency(chain(
        (c.time_barred_unconvertible for c in member_costs.values()),
        (o.barred_unconvertible for o in earlier.values())))
    left_out = _LeftOutOfClaim(
        unpriced, unconvertible,
        compensated=any(o.compensated for o in earlier.values()) or any(
            i.compensation_base is not None and not i.compensation_time_barred
            for c in member_costs.values() for i in c.invoices),
        missing_rates=tuple(sorted(set(chain(
            (r for c in member_costs.values() for r in c.compensation_missing_rates),
            (r for o in earlier.values() for r in o.missing_rates))))),
        barred_unconvertible=barred_unconvertible,
        unpriced_missing_rates=tuple(sorted(set(chain(
            (r for c in member_costs.values() for r in c.compensation_unpriced_missing_rates),
            (r for o in earlier.values() for r in o.unpriced_missing_rates))))))
    # The laws the claim is made under: of every member with a late invoice, in the window
    # or before it.
    laws = sorted(({c.jurisdiction for c in member_costs.values()}
                   | {jurisdiction_of(ledger, m, policy) for m in earlier}) - {"none"})
    member_profiles = {m: profiles[m] for m in members if m in profiles}
    # The profiles the lateness was judged on: the open invoices unapplied money would pay
    # as paid on the money's day (docs/review.md, "Unapplied money"). The evidence and the
    # late share say these numbers; the open balance and the money are the books'.
    judged_of = judged if judged is not None else profiles
    as_judged = {m: judged_of[m] for m in members if m in judged_of}
    # What the advice to claim leaves out: on disputed invoices, and on those the client's
    # unapplied money would pay.
    claim_disputed = sum(((held_disputed or {}).get(m, ZERO) for m in members), ZERO)
    unapplied = sum((p.unapplied_cash + p.unapplied_credit for p in member_profiles.values()),
                    ZERO)
    open_balance = sum((p.open_balance for p in member_profiles.values()), ZERO)
    overdue = sum((p.overdue_balance for p in as_judged.values()), ZERO)
    held = _Held(claim_disputed, claim_unapplied, unapplied)
    last_invoice = max(
        (d for d in (_last_invoice_on(ledger, m, as_of) for m in members) if d is not None),
        default=None,
    )
    # Churned: no invoice in the churn window, and no hours logged nor work requested in it
    # either (a client the team still works for has not gone: it has stopped being billed).
    churned = (
        last_invoice is not None
        and (as_of - last_invoice).days > policy.churn_days
        and not at_work
    )
    disputed = (
        _disputed_due(ledger, members, as_of, policy) if any_disputed else 0
    )
    what_if = _what_if(client, name, revenue, receivables, hours, currency, policy)
    revisions = _revisions(
        client,
        findings=findings,
        ledger=ledger,
        as_of=as_of,
        policy=policy,
        financing=financing,
        claimable=claimable - claim_disputed - claim_unapplied,
        laws=laws,
        time_barred=time_barred,
        left_out=left_out,
        held=held,
        firm_rate=firm_rate,
        total_hours=total_hours,
        hours=hours,
        revenue=revenue,
        churned=churned,
        last_invoice_on=last_invoice,
        open_balance=open_balance,
        overdue=overdue,
        ending=recommendation is Recommendation.CONSIDER_ENDING,
    )
    reasons = tuple(f.message for f in deciding)
    if changed_by:
        reasons += (
            _("Verdict set to {verdict} by the rule {rules}.").format(
                verdict=recommendation.value, rules=_(", then ").join(changed_by)
            ),
        )
    # The financing cost is of the invoices unapplied money would pay until that money came:
    # what the firm waited for (docs/review.md, "Unapplied money"). What the books count
    # after it, which applying the money removes, is financing_covered: in financing_cost
    # (the books' figure, as claimable is), left out of every sentence.
    financing_covered = sum(((held_financing or {}).get(m, ZERO) for m in members), ZERO)
    # The client's two parts of its financing are rounded to the cent here, each once, as
    # claimable's lines are, and financing_cost is their sum: what the sentences say (the
    # financing without the covered part) is the first, to the cent, and the book's figures
    # are the clients' added up, so the book's JSON is the sum of the clients' JSON values
    # (docs/review.md, "The book and the data"). The decisions above read the unrounded cost.
    financing_covered = round_money(financing_covered, currency)
    financing_total = round_money(financing, currency) + financing_covered
    summary = _summary(name, recommendation, deciding, financing, currency)
    if (
        recommendation is Recommendation.CONSIDER_ENDING
        and not churned
        and what_if.revenue_share is not None
        and what_if.revenue_lost > 0
        and wording.shown_share(what_if.revenue_share, revenue_lines(policy))
        >= policy.revenue_share_critical
    ):
        # Ending a client that brings a critical share of revenue takes away more than most
        # small firms' margin can absorb (Policy.revenue_share_critical): the one sentence an
        # owner forwards says so in numbers, and what to do first (docs/review.md, "A client
        # too large to end at once").
        summary += _(
            " Ending it would lose {amount} of revenue, {share} of the window's: put the new "
            "terms below in place and win other clients before ending it."
        ).format(
            amount=wording.money(what_if.revenue_lost, currency),
            share=wording.share(what_if.revenue_share, revenue_lines(policy)),
        )
    if unapplied > 0 and open_balance > 0:
        summary += " " + _unapplied_sentence(unapplied, open_balance, currency, cover)
    if churned and last_invoice is not None:
        summary += _(" It looks churned: no invoice since {last_invoice} ({days}).").format(
            last_invoice=wording.day(last_invoice),
            days=wording.count((as_of - last_invoice).days, "day"),
        )
    due = sum(p.invoices_due for p in as_judged.values())
    late_count = sum(p.invoices_late for p in as_judged.values())
    late_share = Decimal(late_count) / due if due else None
    if late_count and due < policy.min_invoices and not any(
        f.signal in _LATENESS_SIGNALS for f in findings
    ):
        # A client late on some of too few invoices to judge is not "no action needed" on
        # the strength of its payments: the summary says the evidence is thin (docs/review.md,
        # "Too few invoices to judge").
        summary += _(
            " Too few invoices to judge its lateness yet: it was late on {late} of {due} due "
            "{window}, and lateness is judged from {least}."
        ).format(
            late=late_count,
            due=wording.count_of(due, "invoice"),
            window=wording.in_last_days(policy.lookback_days),
            least=wording.count_of(policy.min_invoices, "invoice"),
        )
    evidence = _evidence(
        as_judged, late_count, due, financing, policy, disputed, currency,
        last_invoice, churned, deciding, unapplied=unapplied,
    )
    return ClientReview(
        client_id=client,
        name=name,
        members=members,
        recommendation=recommendation,
        reasons=reasons,
        summary=summary,
        findings=tuple(findings),
        revisions=tuple(revisions),
        what_if=what_if,
        profiles={m: profiles[m] for m in members if m in profiles},
        costs=member_costs,
        financing_cost=financing_total,
        claimable=claimable,
        time_barred=time_barred,
        compensation_unpriced=unpriced,
        compensation_unconvertible=unconvertible,
        time_barred_unconvertible=barred_unconvertible,
        claimable_disputed=claim_disputed,
        claimable_unapplied=claim_unapplied,
        unapplied=unapplied,
        overdue=overdue,
        financing_covered=financing_covered,
        late_share=late_share,
        disputed=disputed,
        evidence=evidence,
        last_invoice_on=last_invoice,
        churned=churned,
        changed_by=tuple(changed_by),
    )


def _clients_at_work(ledger: Ledger, as_of: date, churn_days: int) -> set[str]:
    """The clients (groups) with hours logged or work requested in the churn window, the
    ``churn_days`` up to ``as_of`` (both ends included, as the last invoice is judged): they
    still use the team, so they have not churned, whatever their invoices say."""
    first = as_of - timedelta(days=churn_days)
    group = ledger.group_of
    clients: set[str] = set()
    entries = ledger.time_entries  # in date order, as the ledger keeps them
    lo = bisect.bisect_left(entries, first, key=lambda t: t.date)
    hi = bisect.bisect_right(entries, as_of, key=lambda t: t.date)
    for entry in entries[lo:hi]:
        if entry.customer_id is not None and entry.hours > 0:
            clients.add(group(entry.customer_id))
    requests = ledger.work_requests  # in the order they were requested
    lo = bisect.bisect_left(requests, first, key=lambda w: w.requested_on)
    hi = bisect.bisect_right(requests, as_of, key=lambda w: w.requested_on)
    clients.update(group(request.customer_id) for request in requests[lo:hi])
    return clients


def _last_invoice_on(ledger: Ledger, customer: str, as_of: date) -> date | None:
    """The issue date of the customer's newest live invoice by ``as_of``: from the end of its
    invoices, which the ledger keeps in issue-date order."""
    for invoice in reversed(ledger.invoices_of(customer)):
        if invoice.issue_date <= as_of and invoice.status in LIVE_STATUSES:
            return invoice.issue_date
    return None


def _disputed_due(ledger: Ledger, members: tuple[str, ...], as_of: date, policy: Policy) -> int:
    """The members' live invoices due in the window that are disputed."""
    first = as_of - timedelta(days=policy.lookback_days - 1)
    return sum(
        1
        for member in members
        for invoice in ledger.invoices_of(member)
        if invoice.disputed_by(as_of) and first <= invoice.due_date <= as_of
        and invoice.status in LIVE_STATUSES
    )


def _evidence(
    profiles: dict[str, PaymentProfile],
    late: int,
    due: int,
    financing: Decimal,
    policy: Policy,
    disputed: int,
    currency: str,
    last_invoice: date | None,
    churned: bool,
    deciding: list[Finding],
    *,
    unapplied: Decimal = ZERO,
) -> str:
    """The numbers behind a verdict in one line: ``late 19 of 21 due (90%), 13.6 days
    weighted, overdue 81.23 USD, cost 2.81 USD a year, 0 disputed``, then the metric of each
    deciding finding that is not about lateness, in words (``team capacity: hours share over
    revenue share 3.9, from 1.5``).

    Where a ``chronic_late`` finding decided the verdict, its numbers are the line's (the
    invoices it judged: the undisputed ones of a client that disputes most of its late
    invoices, the settled ones of a client whose unapplied money covers its open invoices),
    so that the line never says "late 5 of 7" beside a verdict that judged 2 of 4; else the
    client's invoices due in the window. ``unapplied``: the client's unapplied payments and
    credit notes, said where there are any."""
    amount = sum((p.amount_due for p in profiles.values()), ZERO)
    weighted_days: Decimal | None = (
        sum(((p.weighted_days_late or ZERO) * p.amount_due for p in profiles.values()), ZERO)
        / amount if amount else None)
    overdue = sum((p.overdue_balance for p in profiles.values()), ZERO)
    yearly = yearly_cost(financing, policy)
    chronic = next((f for f in deciding if f.signal is Signal.CHRONIC_LATE), None)
    if chronic is not None:
        numbers = chronic.evidence.numbers
        n_late, n_due = numbers.get("invoices_late"), numbers.get("invoices_due")
        n_overdue, n_yearly = numbers.get("overdue"), numbers.get("yearly_cost")
        if (isinstance(n_late, int) and isinstance(n_due, int)
                and isinstance(n_overdue, Decimal) and isinstance(n_yearly, Decimal)):
            late, due, overdue, yearly = n_late, n_due, n_overdue, n_yearly
            days = numbers.get("weighted_days_late")
            weighted_days = days if isinstance(days, Decimal) else None
    parts = []
    if due:
        parts.append(
            _("late {late} of {due} due ({share})").format(
                late=wording.number(late),
                due=wording.number(due),
                share=wording.percent(Decimal(late) / due),
            )
        )
        if weighted_days is not None:
            parts.append(
                _("{days} weighted").format(days=wording.quantity(weighted_days, "day"))
            )
    else:
        parts.append(_("no invoice due in the window"))
    parts.append(_("overdue {amount}").format(amount=wording.money(overdue, currency)))
    parts.append(_("cost {amount} a year").format(amount=wording.money(yearly, currency)))
    parts.append(_("{n} disputed").format(n=wording.number(disputed)))
    if unapplied > 0:
        parts.append(_("unapplied {amount}").format(amount=wording.money(unapplied, currency)))
    if churned and last_invoice is not None:
        parts.append(
            _("last invoice {last_invoice} (looks churned)").format(
                last_invoice=wording.day(last_invoice)
            )
        )
    shown = set()
    for finding in deciding:
        if finding.signal in (Signal.CHRONIC_LATE, Signal.WORSENING_LATE, Signal.DISPUTE):
            continue
        if (finding.signal, finding.metric) in shown:
            continue
        shown.add((finding.signal, finding.metric))
        parts.append(
            _("{signal}: {metric} {value}, from {threshold}").format(
                signal=signal_words(finding.signal),
                metric=metric_words(finding.metric),
                value=_metric(finding.metric, finding.value, (
                    revenue_lines(policy) if finding.signal is Signal.REVENUE_CONCENTRATION
                    else (finding.threshold,))),
                threshold=_metric(finding.metric, finding.threshold),
            )
        )
    return ", ".join(parts)


def finding_words(signal: str, metric: str, value: Decimal, threshold: Decimal) -> str:
    """A finding said from its structured values in the active language: ``chronic late
    payment: late share 60%, from 50%`` (a saved finding read in another language than its
    message's, :mod:`clientguard.changes`). A user's own signal or metric is named by its
    code."""
    try:
        named = signal_words(signal)
    except (ValueError, KeyError):
        named = signal
    return _("{signal}: {metric} {value}, from {threshold}").format(
        signal=named, metric=metric_words(metric), value=_metric(metric, value),
        threshold=_metric(metric, threshold))


def _metric(metric: str, value: Decimal, lines: tuple[Decimal, ...] = ()) -> str:
    """A finding's value (or threshold) in its metric's unit (:data:`_METRIC_UNITS`): a share
    as a percentage (a tenth finer where whole percent would reach one of the ``lines`` it is
    under: "19.6%, from 10%" beside the 20% line), a change of a share in percentage points,
    anything else (a ratio, days, a user's own metric) as a number with one decimal."""
    unit = _METRIC_UNITS.get(metric)
    if unit == "share":
        return wording.percent(value, lines=lines)
    if unit == "points":
        return wording.points(value)
    return wording.number(value, 1)


_VERDICT_WORDS = {
    Recommendation.OK: noop("no action needed"),
    Recommendation.MONITOR: noop("keep an eye on it"),
    Recommendation.REVISE_TERMS: noop("revise the terms"),
    Recommendation.CONSIDER_ENDING: noop("consider ending the cooperation"),
}


_SEVERITY_WORDS = {
    Severity.WATCH: noop("watch"),
    Severity.WARNING: noop("warning"),
    Severity.CRITICAL: noop("critical"),
}

_SIGNAL_WORDS = {
    Signal.CHRONIC_LATE: noop("chronic late payment"),
    Signal.WORSENING_LATE: noop("paying later and later"),
    Signal.REVENUE_CONCENTRATION: noop("dependence on its revenue"),
    Signal.RECEIVABLES_CONCENTRATION: noop("concentrated receivables"),
    Signal.CROSS_AGING: noop("old debt"),
    Signal.CAPACITY: noop("team capacity"),
    Signal.RUSH: noop("rush work"),
    Signal.BOOK_CONCENTRATION: noop("concentrated book"),
    Signal.DISPUTE: noop("disputed invoices"),
    Signal.EXPECTED_LATE: noop("expected late payment"),
    Signal.STALE_DATA: noop("stale data"),
    Signal.CUSTOM: noop("custom signal"),
}


_METRIC_WORDS = {
    "late_share": noop("late share"),
    "late_amount_share": noop("share of the amount due paid late"),
    "disputed_late_share": noop("disputed share of the late invoices"),
    "late_share_rise": noop("rise of the late share"),
    "days_late_trend_slope": noop("days late added a month"),
    "p_late": noop("probability of paying late"),
    "revenue_share": noop("revenue share"),
    "receivables_share": noop("share of the open receivables"),
    "aged_share": noop("share of its balance past the age limit"),
    "hours_share": noop("share of the team's hours"),
    "hours_to_revenue": noop("hours share over revenue share"),
    "hours_share_without_revenue": noop("share of the team's hours, with no revenue"),
    "rush_share": noop("share of rush requests"),
}


_METRIC_UNITS: dict[str, Literal["share", "points", "number"]] = {
    "late_share": "share",
    "late_amount_share": "share",
    "disputed_late_share": "share",
    "late_share_rise": "points",
    "days_late_trend_slope": "number",
    "p_late": "share",
    "revenue_share": "share",
    "receivables_share": "share",
    "aged_share": "share",
    "hours_share": "share",
    "hours_to_revenue": "number",
    "hours_share_without_revenue": "share",
    "rush_share": "share",
}
"""The unit of each built-in finding's metric, declared rather than read off its name (a
probability or a share need not end in ``share``): ``share`` (0..1, written as a
percentage), ``points`` (a change of a share, in percentage points) or ``number`` (a ratio, or
days). Every metric of :data:`_METRIC_WORDS` has one; a user's own metric is a number."""


def metric_words(metric: str) -> str:
    """A finding's metric as a reader sees it, in the active language (``revenue share``,
    ``udział w przychodach``); the code is what a program compares. A metric of a user's own
    signal, which no catalog knows, is shown as its code."""
    words = _METRIC_WORDS.get(metric)
    return _(words) if words is not None else metric


def severity_words(severity: Severity | str) -> str:
    """A severity as a reader sees it, in the active language (``critical``, ``krytyczne``);
    the code is what a program compares."""
    return _(_SEVERITY_WORDS[Severity(severity)])


def signal_words(signal: Signal | str) -> str:
    """A signal as a reader sees it, in the active language (``chronic late payment``,
    ``uporczywe opóźnienia w płatnościach``); the code is what a program compares."""
    return _(_SIGNAL_WORDS[Signal(signal)])


def verdict_words(recommendation: Recommendation | str) -> str:
    """A recommendation as an owner reads it, in the active language: ``revise the terms``,
    ``renegocjuj warunki``. The code (``revise_terms``) is what a program compares."""
    return _(_VERDICT_WORDS[Recommendation(recommendation)])


def _summary(
    name: str,
    recommendation: Recommendation,
    deciding: list[Finding],
    financing: Decimal,
    currency: str,
) -> str:
    text = f"{name}: {verdict_words(recommendation)}."
    if deciding:
        # Each finding's message is a whole sentence of its own, naming the client.
        text += f" {deciding[0].message.rstrip('.')}."
        if len(deciding) > 1:
            more = len(deciding) - 1
            text += _(" ({more} below.)").format(more=wording.count(more, "more finding"))
    if financing > 0 and not any(f.signal == Signal.CHRONIC_LATE for f in deciding[:1]):
        # A chronic-lateness sentence already states its financing cost.
        text += _(" Its lateness cost {amount} in financing over the window.").format(
            amount=wording.money(financing, currency)
        )
    return text


def _what_if(
    client: str,
    name: str,
    revenue: ConcentrationReport,
    receivables: ConcentrationReport,
    hours: ConcentrationReport | None,
    currency: str,
    policy: Policy,
) -> WhatIf:
    revenue_lost = revenue.amounts.get(client, revenue.excluded.get(client, ZERO))
    after = without_client(revenue, client)
    hours_freed = hours.amounts.get(client, ZERO) if hours else ZERO
    hours_share = hours.shares.get(client) if hours else None
    open_credit = receivables.amounts.get(client, ZERO)
    revenue_share = revenue.shares.get(client)
    if revenue_lost < 0:
        # Credited more than invoiced in the window: ending it loses no revenue (a negative
        # loss would read as a gain the sentence does not mean).
        parts = [
            _("Ending {name} would lose no revenue (in the window its credit notes exceed its "
              "invoices by {amount})").format(
                name=name, amount=wording.money(-revenue_lost, currency)
            )
        ]
    else:
        parts = [
            _("Ending {name} would lose {amount} of revenue").format(
                name=name, amount=wording.money(revenue_lost, currency)
            )
        ]
    if revenue_share is not None and revenue_lost >= 0:
        # Written as the revenue finding writes the same share (34.6%, not 35%, beside the
        # 35% line: docs/review.md, "Figures compared as shown"), and the hours as the
        # capacity finding.
        parts[0] += _(" ({share} of the window's)").format(
            share=wording.share(revenue_share, revenue_lines(policy))
        )
    if hours_freed > 0:
        share = (
            _(" ({share} of the team's)").format(
                share=wording.share(hours_share, hours_lines(policy)))
            if hours_share is not None
            else ""
        )
        parts.append(
            _("free {hours}{share}").format(
                hours=wording.quantity(hours_freed, "hour", 0), share=share
            )
        )
    if open_credit > 0:
        parts.append(
            _("leave {amount} still to collect").format(
                amount=wording.money(open_credit, currency)
            )
        )
    sentence = (
        ", ".join(parts[:-1]) + (_(" and ") if len(parts) > 1 else "") + parts[-1] + "."
    )
    if revenue.effective_clients is not None and after.effective_clients is not None:
        sentence += _(
            " The effective number of clients would go from {before} to {after} and the "
            "largest client's share from {top_before} to {top_after}."
        ).format(
            before=wording.number(revenue.effective_clients, 1),
            after=wording.number(after.effective_clients, 1),
            top_before=wording.percent(revenue.top_shares.get(1)),
            top_after=wording.percent(after.top_share),
        )
    return WhatIf(
        revenue_lost=revenue_lost,
        revenue_share=revenue_share,
        hours_freed=hours_freed,
        hours_share=hours_share,
        open_credit=open_credit,
        top_share_before=revenue.top_shares.get(1),
        top_share_after=after.top_share,
        hhi_before=revenue.hhi,
        hhi_after=after.hhi,
        effective_clients_before=revenue.effective_clients,
        effective_clients_after=after.effective_clients,
        message=sentence,
    )


def _typical_terms(
    ledger: Ledger, members: tuple[str, ...], as_of: date, policy: Policy
) -> int | None:
    """Median payment terms (days) of the client's last ``policy.typical_terms_invoices``
    invoices issued by ``as_of``, rounded half-even to whole days as the review writes every
    day count (30 and 45 days, twelve invoices each: 37.5, so 38; 36.5 gives 36).

    Only what existed by ``as_of`` counts (a review as of an earlier date must not see later
    terms), and only receivables (``draft`` and ``void`` invoices are not terms agreed).
    """
    issued = sorted(
        (
            invoice
            for member in members
            for invoice in ledger.invoices_of(member)
            if invoice.issue_date <= as_of and invoice.status in LIVE_STATUSES
        ),
        key=lambda invoice: (invoice.issue_date, invoice.id),
    )
    latest = issued[-policy.typical_terms_invoices :]
    terms = [Decimal((invoice.due_date - invoice.issue_date).days) for invoice in latest]
    if not terms:
        return None
    return int(statistics.median(terms).to_integral_value(rounding=ROUND_HALF_EVEN))


_LATENESS_SIGNALS = frozenset({Signal.CHRONIC_LATE, Signal.WORSENING_LATE, Signal.DISPUTE})
"""The findings that judge a client's lateness: with none of them, a client late on fewer
than ``min_invoices`` due is told the evidence is too thin."""

_RISE_LIMIT = Decimal(9)
"""The largest rise in a client's rates the capacity advice proposes: tenfold (+900%). A client
paying less than a tenth of the firm's average per hour is not brought to it by a price rise
anyone would agree to; it is told to cap or bill its hours instead."""


def _revisions(
    client: str,
    *,
    findings: list[Finding],
    ledger: Ledger,
    as_of: date,
    policy: Policy,
    financing: Decimal,
    claimable: Decimal,
    laws: Sequence[str],
    firm_rate: Decimal | None,
    total_hours: Decimal,
    hours: ConcentrationReport | None,
    revenue: ConcentrationReport,
    time_barred: Decimal = ZERO,
    left_out: _LeftOutOfClaim | None = None,
    held: _Held | None = None,
    churned: bool = False,
    last_invoice_on: date | None = None,
    open_balance: Decimal = ZERO,
    overdue: Decimal = ZERO,
    ending: bool = False,
) -> list[Revision]:
    revisions = _term_revisions(
        client, findings=findings, ledger=ledger, as_of=as_of, policy=policy,
        financing=financing, claimable=claimable, laws=laws,
        firm_rate=firm_rate, total_hours=total_hours, hours=hours, revenue=revenue,
        time_barred=time_barred, left_out=left_out, held=held, ending=ending,
    )
    dispute = next((f for f in findings if f.signal is Signal.DISPUTE), None)
    if dispute is not None:
        count = int(dispute.evidence.numbers.get("disputed_late") or 0)
        revisions.insert(
            0,
            Revision(
                kind="resolve_disputes",
                message=ngettext(
                    "Resolve the dispute over the {count} late disputed invoice with the "
                    "client: agree a clearer scope for each order and a written acceptance of "
                    "the work before invoicing it; shorter terms would not settle a dispute.",
                    "Resolve the disputes over the {count} late disputed invoices with the "
                    "client: agree a clearer scope for each order and a written acceptance of "
                    "the work before invoicing it; shorter terms would not settle a dispute.",
                    count,
                ).format(count=count),
                because=Signal.DISPUTE,
            ),
        )
    if not churned:
        return revisions
    # A client without recent work places no new orders: advice about them does not apply.
    # No new terms to trade the claim for: the claim without its "or waive it".
    kept = [
        r.model_copy(update={"message": _claim_message(
            claimable, laws, ledger.base_currency, waive=False, time_barred=time_barred,
            left_out=left_out, held=held,
        )})
        if r.kind == "claim_late_interest" and r.amount == claimable and claimable > 0
        else r
        for r in revisions if r.kind not in NEW_ORDER_REVISIONS
    ]
    if not kept and open_balance <= 0:
        # Nothing to collect and nothing else to say: the terms its findings call for are
        # still the advice, for the day it orders again (a verdict of revise_terms with no
        # revision would leave the owner nothing to do).
        return revisions
    if open_balance > 0 and last_invoice_on is not None:
        currency = ledger.base_currency
        late_part = (
            _(", {amount} of it overdue").format(amount=wording.money(overdue, currency))
            if overdue > 0
            else ""
        )
        kept.insert(
            0,
            Revision(
                kind="collect_open",
                message=_(
                    "Collect the {amount} still open{overdue}: it has had no invoice since "
                    "{last_invoice} ({days}) and looks churned, so new terms would not apply "
                    "to anything."
                ).format(
                    amount=wording.money(open_balance, currency),
                    overdue=late_part,
                    last_invoice=wording.day(last_invoice_on),
                    days=wording.count((as_of - last_invoice_on).days, "day"),
                ),
                because=findings[0].signal if findings else Signal.CHRONIC_LATE,
                amount=open_balance,
            ),
        )
    return kept


NEW_ORDER_REVISIONS = frozenset(
    {"reminders", "align_due_dates", "shorter_terms", "deposit", "raise_price", "hours_cap",
     "rush_fee", "credit_limit", "no_exclusivity", "collect_old_debt"}
)
"""Revisions about the client's next orders (``collect_old_debt`` says "before taking on new
work"): not given to a client that looks churned, which is told to collect what is open."""


def _payment_run(
    signals: Mapping[Signal, Finding], policy: Policy, undisputed: PaymentProfile | None = None
) -> tuple[int, int] | None:
    """``(typical, longer)`` when the client's chronic lateness has the shape of a fixed payment
    run, else None: ``typical`` its median days late in whole days (half-even), ``longer`` the
    days to add to its terms so that nine invoices in ten would be paid by their due date (its
    90th percentile of days late, rounded up).

    The shape: at least ``policy.payment_run_min_invoices`` due, a late share of
    ``policy.payment_run_late_share`` or more, and the middle 80% of its days late within
    ``policy.payment_run_spread_days``. Read from the ``chronic_late`` finding's evidence (no
    invoice is read again), or, where the finding's customer has disputed invoices due in the
    window, from ``undisputed``, its payment profile without them (``DisputeSplit.undisputed``):
    a disputed invoice is held until the dispute is settled, not paid on the run, so its days
    late say nothing about the run's day (docs/review.md, "A fixed payment run"). Not a run
    when its lateness is ``worsening_late`` (a rising lateness is not a fixed date).
    """
    chronic = signals.get(Signal.CHRONIC_LATE)
    if chronic is None or Signal.WORSENING_LATE in signals:
        return None
    if undisputed is not None:
        due: object = undisputed.invoices_due
        share: object = undisputed.late_share
        median: object = undisputed.median_days_late
        low: object = undisputed.p10_days_late
        high: object = undisputed.p90_days_late
    else:
        numbers = chronic.evidence.numbers
        due, share = numbers.get("invoices_due"), numbers.get("late_share")
        median, low, high = (
            numbers.get("median_days_late"), numbers.get("p10_days_late"),
            numbers.get("p90_days_late"),
        )
    if not isinstance(due, int) or due < policy.payment_run_min_invoices:
        return None
    if not isinstance(share, Decimal) or share < policy.payment_run_late_share:
        return None
    if not (isinstance(median, Decimal) and isinstance(low, Decimal)
            and isinstance(high, Decimal)):
        return None  # a finding built without the quantiles (a user's own flag_chronic_late)
    if high - low > policy.payment_run_spread_days:
        return None
    typical = int(median.to_integral_value(rounding=ROUND_HALF_EVEN))
    longer = int(high.to_integral_value(rounding=ROUND_CEILING))
    return typical, longer


def _undisputed_of(
    finding: Finding | None, ledger: Ledger, as_of: date, policy: Policy
) -> PaymentProfile | None:
    """The payment profile of ``finding``'s customer without its disputed invoices, where it has
    disputed invoices due in the window (the split the late-payment signal made, shared within
    the review); else None."""
    if finding is None or finding.customer_id is None or not _any_disputed(ledger):
        return None
    split = shared("dispute_splits", ledger, as_of, policy, dispute_splits).get(
        finding.customer_id)
    return split.undisputed if split is not None else None


def _term_revisions(
    client: str,
    *,
    findings: list[Finding],
    ledger: Ledger,
    as_of: date,
    policy: Policy,
    financing: Decimal,
    claimable: Decimal,
    laws: Sequence[str],
    firm_rate: Decimal | None,
    total_hours: Decimal,
    hours: ConcentrationReport | None,
    revenue: ConcentrationReport,
    time_barred: Decimal = ZERO,
    left_out: _LeftOutOfClaim | None = None,
    held: _Held | None = None,
    ending: bool = False,
) -> list[Revision]:
    currency = ledger.base_currency
    # The findings are in by_severity order: the first of each signal is its worst.
    signals: dict[Signal, Finding] = {}
    for finding in findings:
        signals.setdefault(finding.signal, finding)
    revisions: list[Revision] = []
    late_findings = [
        f for f in findings if f.signal in (Signal.CHRONIC_LATE, Signal.WORSENING_LATE)
    ]
    late = late_findings[0] if late_findings else None  # the most serious of them
    # A client told to consider ending (rule 1 needs chronic, worsening and material lateness,
    # not a severity) is not told its lateness is still small: its lateness gets the advice
    # of a warning, new terms and the claim (docs/review.md, "The rules, in order"; until
    # 2026-12-08 12 invoices 0-11 days late got "consider ending" and a reminder).
    small = (late is not None and late.severity is Severity.WATCH and not ending)
    run = (
        _payment_run(signals, policy, _undisputed_of(
            signals.get(Signal.CHRONIC_LATE), ledger, as_of, policy))
        if late is not None else None
    )
    align: Revision | None = None
    on_terms = False  # already on terms as short as payment on delivery (below)
    if run is not None:
        # Neither a reminder nor shorter terms move a payment run (shorter terms only make the
        # same transfer later by the days taken off): the due dates have to meet it.
        typical, longer = run
        align = Revision(
            kind="align_due_dates",
            message=_(
                "It pays about {days} after each due date, nearly every time, as a fixed "
                "payment run does, and a reminder does not move a run: ask which day its "
                "payment run is and set due dates to fall before it, or agree terms "
                "{longer} longer and price them in."
            ).format(
                days=wording.count(typical, "day"), longer=wording.count(longer, "day")
            ),
            because=Signal.CHRONIC_LATE,
        )
    if align is not None and small:
        revisions.append(align)
    elif late is not None and small:
        revisions.append(
            Revision(
                kind="reminders",
                message=_(
                    "Send a reminder a few days before each due date: the lateness is still "
                    "small, and a reminder is cheaper than new terms."
                ),
                because=late.signal,
            )
        )
    elif late is not None:
        if align is not None:
            revisions.append(align)
        else:
            terms = _typical_terms(ledger, ledger.members(client), as_of, policy)
            shorter = policy.shorter_terms_days
            proposal: str | None = None
            if terms is not None and terms > shorter:
                proposal = _("Shorten payment terms from {terms} to {days}.").format(
                    terms=terms, days=wording.count(shorter, "day")
                )
            elif terms is None or terms > policy.on_delivery_days:
                proposal = _("Ask for payment on delivery ({days} at most).").format(
                    days=wording.count(policy.on_delivery_days, "day")
                )
            # A client already on on_delivery_days or less (7, or 0: due on receipt) has no
            # shorter terms to be asked for: "payment on delivery (7 days at most)" would
            # revise nothing, or lengthen them; the next rung, the deposit, is the advice
            # (docs/review.md, "Revisions"; until 2026-12-08 it was told so all the same).
            if proposal is not None:
                revisions.append(
                    Revision(kind="shorter_terms", message=proposal, because=late.signal)
                )
            else:
                on_terms = True
        if late.severity is Severity.CRITICAL or on_terms:
            revisions.append(
                Revision(
                    kind="deposit",
                    message=_(
                        "Ask for a {share} deposit on every new order before work starts."
                    ).format(share=wording.percent(policy.deposit_share)),
                    because=late.signal,
                )
            )
        if claimable > 0:
            revisions.append(
                Revision(
                    kind="claim_late_interest",
                    message=_claim_message(claimable, laws, currency, waive=True,
                                           time_barred=time_barred, left_out=left_out,
                                           held=held),
                    because=late.signal,
                    amount=claimable,
                )
            )
        elif financing > 0:
            revisions.append(
                Revision(
                    kind="claim_late_interest",
                    message=_(
                        "Add a late-interest clause: the lateness cost {amount} in financing "
                        "over the window."
                    ).format(amount=wording.money(financing, currency)),
                    because=late.signal,
                    amount=financing,
                )
            )
    aging = signals.get(Signal.CROSS_AGING)
    # Old debt that is not worth acting on (docs/review.md, "Materiality") is watched, not
    # collected before new work; nor is old debt none of which is due yet (an invoice 100 days
    # old on 120 days' terms: the terms allowed it, and collecting it before new work would
    # ask it before its day; until 2026-12-08 the client's other lateness made it so).
    if aging is not None and aging.severity >= Severity.WARNING and any(
            bill.due_date < as_of and not bill.disputed_by(as_of)
            for bill in map(ledger.invoice, aging.evidence.record_ids)):
        revisions.append(
            Revision(
                kind="collect_old_debt",
                message=_(
                    "Collect the invoices more than {days} old before taking on new work: a "
                    "lender would refuse this client's whole balance while they are open."
                ).format(days=wording.count(policy.cross_aging_days, "day")),
                because=Signal.CROSS_AGING,
            )
        )
    capacity = signals.get(Signal.CAPACITY)
    if capacity is not None:
        client_hours = hours.amounts.get(client, ZERO) if hours else ZERO
        client_revenue = revenue.amounts.get(client, ZERO)
        rate = client_revenue / client_hours if client_hours > 0 else None
        # The window's revenue spread over its months (12 for the default 365 days).
        months = Decimal(policy.lookback_days) * 12 / 365
        if (firm_rate and rate is not None and 0 < rate < firm_rate
                and firm_rate / rate - 1 > _RISE_LIMIT):
            # Its fees pay for next to nothing of its hours: a rise of 19,945% would be the
            # arithmetic, not advice.
            revisions.append(
                Revision(
                    kind="hours_cap",
                    message=_(
                        "Agree a monthly cap on hours, or bill the hours beyond it: its work "
                        "brings {rate} an hour against the firm's average of {firm_rate}, too "
                        "little for a rise in its rates to close the gap."
                    ).format(
                        rate=wording.money(rate, currency),
                        firm_rate=wording.money(firm_rate, currency),
                    ),
                    because=Signal.CAPACITY,
                )
            )
        elif firm_rate and rate is not None and 0 < rate < firm_rate:
            rise = firm_rate / rate - 1
            cap = client_revenue / firm_rate / months
            revisions.append(
                Revision(
                    kind="raise_price",
                    message=_(
                        "Raise its rates by {rise} to bring its revenue per hour ({rate}) to "
                        "the firm's average ({firm_rate}), or cap its work at about {cap} a "
                        "month, what its fees pay for at that rate."
                    ).format(
                        rise=wording.percent(rise),
                        rate=wording.money(rate, currency),
                        firm_rate=wording.money(firm_rate, currency),
                        # Under an hour a month (a small client), to the tenth, or the
                        # hundredth below a tenth: "about 0 hours" would be no advice.
                        cap=wording.quantity(cap, "hour", 2 if cap < Decimal("0.1") else
                                             1 if cap < 1 else 0, trim=True),
                    ),
                    because=Signal.CAPACITY,
                )
            )
        elif rate is None or rate <= 0:
            revisions.append(
                Revision(
                    kind="hours_cap",
                    message=_(
                        "Agree a monthly cap on hours, or bill the hours beyond it: its work "
                        "brings no revenue in the window."
                    ),
                    because=Signal.CAPACITY,
                )
            )
        # A client paying the firm's average rate or more is a matter of dependence on it,
        # which the concentration revisions cover.
    if Signal.RUSH in signals:
        revisions.append(
            Revision(
                kind="rush_fee",
                message=_(
                    "Charge a {share} rush fee for work wanted within {days} of the request."
                ).format(
                    share=wording.percent(policy.rush_fee_share),
                    days=rush_lead(policy.rush_lead_days, policy.rush_days),
                ),
                because=Signal.RUSH,
            )
        )
    receivables_finding = signals.get(Signal.RECEIVABLES_CONCENTRATION)
    if receivables_finding is not None and _material_dependence(receivables_finding, policy):
        # A credit limit on a balance under material_overdue (1,000) limits nothing worth
        # limiting: 150.00 EUR that is the whole book's open receivables is not a risk.
        revisions.append(
            Revision(
                kind="credit_limit",
                message=_(
                    "Set a credit limit: no new work while its open balance is above {share} "
                    "of all receivables."
                ).format(share=wording.percent(policy.receivables_share_warning)),
                because=Signal.RECEIVABLES_CONCENTRATION,
            )
        )
    revenue_finding = signals.get(Signal.REVENUE_CONCENTRATION)
    if revenue_finding is not None and (wording.shown_share(
            revenue_finding.value, revenue_lines(policy)) >= policy.revenue_share_warning):
        revisions.append(
            Revision(
                kind="no_exclusivity",
                message=_(
                    "Agree no exclusivity and win other clients, to bring its share of "
                    "revenue under {share}."
                ).format(share=wording.percent(policy.revenue_share_warning)),
                because=Signal.REVENUE_CONCENTRATION,
            )
        )
    elif revenue_finding is not None:
        # Below the warning line the share is already under it: the advice is to keep it
        # there, with the share it has now (until 2026-12-07 a client at 11% was told to
        # "bring its share of revenue under 20%").
        revisions.append(
            Revision(
                kind="no_exclusivity",
                message=_(
                    "Agree no exclusivity and win other clients, to keep its share of revenue "
                    "({now} now) under {share}."
                ).format(now=wording.share(revenue_finding.value, revenue_lines(policy)),
                         share=wording.percent(policy.revenue_share_warning)),
                because=Signal.REVENUE_CONCENTRATION,
            )
        )
    return revisions


_LAW_WORDS = {"pl": noop("PL"), "eu": noop("EU"), "uk": noop("UK")}
"""A jurisdiction's law as the claim names it: ``(PL law)``, ``(prawo polskie)``."""


def _claim_message(
    claimable: Decimal,
    laws: Sequence[str],
    currency: str,
    *,
    waive: bool,
    time_barred: Decimal = ZERO,
    left_out: _LeftOutOfClaim | None = None,
    held: _Held | None = None,
) -> str:
    """The claim of the statutory interest and compensation; with ``waive``, offered as the
    price of new terms (not to a client that looks churned: there are no new terms). What is
    time-barred is not in ``claimable``: the sentence says how much was left out; nor is the
    compensation ``left_out`` for want of a rate: it says how much and why, and where none
    is in ``claimable`` the claim is of the interest alone."""
    named = ", ".join(_(_LAW_WORDS.get(code, code.upper())) for code in sorted(laws))
    amount = wording.money(claimable, currency)
    unpriced = left_out.unpriced if left_out is not None else ZERO
    unconvertible = left_out.unconvertible if left_out is not None else {}
    interest_alone = (
        left_out is not None and not left_out.compensated and bool(unpriced or unconvertible))
    if interest_alone:
        # Every compensation is left out below: the sum is of interest alone.
        text = (_(
            "Claim the statutory late-payment interest now owed: {amount} ({laws} law); or "
            "waive it in exchange for the new terms."
        ) if waive else _(
            "Claim the statutory late-payment interest now owed: {amount} ({laws} law)."
        )).format(amount=amount, laws=named)
    elif waive:
        text = _(
            "Claim the statutory late-payment interest and compensation now owed: {amount} "
            "({laws} law); or waive it in exchange for the new terms."
        ).format(amount=amount, laws=named)
    else:
        text = _(
            "Claim the statutory late-payment interest and compensation now owed: {amount} "
            "({laws} law)."
        ).format(amount=amount, laws=named)
    barred_unconvertible = left_out.barred_unconvertible if left_out is not None else {}
    if time_barred > 0 or barred_unconvertible:
        text += " " + _time_barred_sentence(time_barred, currency, barred_unconvertible)
    unpriced_missing = left_out.unpriced_missing_rates if left_out is not None else ()
    if unpriced > 0 and not unpriced_missing:
        text += " " + _(
            "It leaves out {amount} of fixed compensation: Polish law owes it in PLN at the "
            "NBP average EUR rate of the last business day of the month before each debt fell "
            "due, which the ledger does not have (the claim leaves the PLN amount to fill "
            "in); sync NBP's table ([rates.nbp]) to count it."
        ).format(amount=wording.money(unpriced, "EUR"))
    elif unpriced > 0:
        # The ledger has exchange rates, but not the NBP's of these days: name each.
        text += " " + _(
            "It leaves out {amount} of fixed compensation: Polish law owes it in PLN at the "
            "NBP average EUR rate of the last business day of the month before each debt fell "
            "due, and the ledger's exchange rates have no rate for {rates} (the claim leaves "
            "the PLN amount to fill in); add those rates (NBP's table, [rates.nbp]) to count "
            "it."
        ).format(amount=wording.money(unpriced, "EUR"),
                 rates=_missing_rates(unpriced_missing))
    missing = left_out.missing_rates if left_out is not None else ()
    if unconvertible and not missing:
        text += " " + _(
            "It leaves out {amounts} of fixed compensation, which the claim asks in that "
            "currency: the ledger has no exchange rate to convert it to {currency}; give the "
            "ledger exchange rates (an FxTable, [rates]) to count it."
        ).format(amounts=_amounts(unconvertible), currency=currency)
    elif unconvertible:
        # The ledger has exchange rates, but not these: name each, as a rate error does.
        text += " " + _(
            "It leaves out {amounts} of fixed compensation, which the claim asks in that "
            "currency: the ledger's exchange rates have no rate to convert it to {currency} "
            "for {rates}; add those rates to count it."
        ).format(amounts=_amounts(unconvertible), currency=currency,
                 rates=_missing_rates(missing))
    if held is not None:
        text += _held_sentences(held, currency)
    return text


class _Held(NamedTuple):
    """What a client's advice to claim leaves out of what the law grants, and why."""

    #: On its disputed invoices: held until the disputes are settled.
    disputed: Decimal
    #: On the open invoices its unapplied money would pay.
    unapplied_claim: Decimal
    #: Its unapplied payments and credit notes.
    unapplied: Decimal


def _held_sentences(held: _Held, currency: str) -> str:
    """The sentences the advice to claim adds for what it leaves out (``held``), each with a
    leading space; empty when it leaves nothing out."""
    text = ""
    if held.disputed > 0:
        text += " " + _(
            "{amount} more on its disputed invoices is held until the disputes are settled: "
            "the law grants it only where the firm has fulfilled its side of the contract, "
            "which a dispute contests."
        ).format(amount=wording.money(held.disputed, currency))
    if held.unapplied_claim > 0:
        text += " " + _(
            "{amount} more on the invoices its unapplied payments and credit notes "
            "({unapplied}) would pay is left out: it is interest and compensation not owed "
            "once that money counts (no interest after the day it came, and no compensation, "
            "or a smaller one, where it came by the due date); apply the money in your books "
            "dated the day it came, not today (an allocation dated today counts the interest "
            "to today)."
        ).format(amount=wording.money(held.unapplied_claim, currency),
                 unapplied=wording.money(held.unapplied, currency))
    return text


def _unapplied_sentence(
    unapplied: Decimal, open_balance: Decimal, currency: str, cover: ClientCover | None = None
) -> str:
    """The summary's sentence about a client's unapplied money beside its open invoices: a
    person must apply it before acting on what the open invoices say. ``unapplied`` and
    ``open_balance`` are in ``currency`` (the base); where the money and the open invoices
    are all of one currency (``cover``), that currency's amounts, unconverted, are said
    instead: converted at their documents' own rates, the same dollars would differ."""
    if cover is not None and (one := cover.currency) is not None:
        unapplied, open_balance, currency = (
            cover.money.get(one, ZERO), cover.open.get(one, ZERO), one)
    if cover is not None and cover.every_open_invoice and unapplied >= open_balance:
        return _(
            "{amount} of its payments and credit notes are unapplied, at least its open "
            "balance of {open}: apply them in your books before acting; until then its open "
            "invoices are judged as paid on the days that money came."
        ).format(amount=wording.money(unapplied, currency),
                 open=wording.money(open_balance, currency))
    return _(
        "{amount} of its payments and credit notes are unapplied, against an open balance "
        "of {open}: apply them in your books before acting."
    ).format(amount=wording.money(unapplied, currency),
             open=wording.money(open_balance, currency))


def _missing_rates(missing: Sequence[tuple[str, date]], most: int | None = None) -> str:
    """The rates an FxTable lacks, by currency, each with its days: ``GBP on 3 March 2025 and
    2 April 2025``; with ``most``, a currency lacking more days than that is said with their
    count and the first and the last: ``GBP on 14 days between 2025-02-01 and 2026-01-02``."""
    days: dict[str, list[date]] = {}
    for code, day in missing:
        days.setdefault(code, []).append(day)
    return wording.and_list([
        _missing_days(code, sorted(on), most) for code, on in sorted(days.items())])


_MOST_DAYS_NAMED = 3
"""The most days of one currency the book's summary names one by one: beyond, it says how
many and between which (the advice to claim of each client names every one)."""


def _missing_days(currency: str, days: Sequence[date], most: int | None) -> str:
    """One currency's missing rates for :func:`_missing_rates`: ``days`` (in date order) each,
    or, more than ``most``, how many and between which."""
    if most is None or len(days) <= most:
        return _("{currency} on {days}").format(
            currency=currency, days=wording.and_list([wording.day(d) for d in days]))
    return ngettext(
        "{currency} on {n} day between {first} and {last}",
        "{currency} on {n} days between {first} and {last}", len(days),
    ).format(currency=currency, n=wording.number(len(days)), first=wording.day(days[0]),
             last=wording.day(days[-1]))


class _LeftOutOfClaim(NamedTuple):
    """The fixed compensation a client's ``claimable`` leaves out for want of a rate, and
    whether any is in it: what the advice to claim says beside the sum."""

    #: ``ClientReview.compensation_unpriced``: Polish, in EUR, no NBP rate.
    unpriced: Decimal
    #: ``ClientReview.compensation_unconvertible``: by currency, no rate to the base.
    unconvertible: Mapping[str, Decimal]
    #: Some compensation is in ``claimable``.
    compensated: bool
    #: Of ``unconvertible``, the rates the ledger's FxTable lacks (a currency, a day); empty
    #: where the ledger has no FxTable.
    missing_rates: tuple[tuple[str, date], ...] = ()
    #: ``ClientReview.time_barred_unconvertible``: time-barred, by currency, no rate to the
    #: base.
    barred_unconvertible: Mapping[str, Decimal] = MappingProxyType({})
    #: Of ``unpriced``, the rates the ledger's FxTable lacks (the NBP table's EUR, or PLN,
    #: rate, a day); empty where the ledger has no FxTable.
    unpriced_missing_rates: tuple[tuple[str, date], ...] = ()


def _by_currency(sums: Iterable[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """Sums by currency added up, by currency, in the order of the codes."""
    total: dict[str, Decimal] = {}
    for by_currency in sums:
        for code, amount in by_currency.items():
            total[code] = total.get(code, ZERO) + amount
    return dict(sorted(total.items()))


def _left_out_by_currency(
    unpriced: Decimal, unconvertible: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """All the fixed compensation left out of ``claimable`` for want of a rate, by currency:
    the Polish in EUR and the unconvertible."""
    return _by_currency([{"EUR": unpriced} if unpriced else {}, unconvertible])


def _amounts(by_currency: Mapping[str, Decimal]) -> str:
    """Sums in several currencies as a person reads them: ``120.00 GBP and 40.00 EUR``."""
    return wording.and_list([wording.money(amount, code)
                             for code, amount in by_currency.items()])


def _time_barred_sentence(
    time_barred: Decimal, currency: str,
    unconvertible: Mapping[str, Decimal] | None = None,
) -> str:
    """How much of what the law granted is time-barred and left out of the claim: in the
    base ``currency``, and the fixed compensation in ``unconvertible``'s currencies, which the
    claim counts as time-barred in them and no base sum can (``120.00 EUR and 70.00 GBP``)."""
    return _(
        "{amount} more is time-barred and left out: a debtor who raises limitation defeats "
        "it in court."
    ).format(amount=_amounts(_barred_by_currency(time_barred, currency, unconvertible)))


def _barred_by_currency(
    time_barred: Decimal, currency: str, unconvertible: Mapping[str, Decimal] | None
) -> dict[str, Decimal]:
    """What is time-barred by currency: ``time_barred`` in the base ``currency`` first, then
    the ``unconvertible`` compensation in the order of the codes."""
    barred = {currency: time_barred} if time_barred > 0 else {}
    for code, amount in sorted((unconvertible or {}).items()):
        barred[code] = barred.get(code, ZERO) + amount
    return barred


def _data_quality(
    ledger: Ledger, checked: Iterable[_Checked], policy: Policy, *, as_of: date | None = None
) -> DataQuality:
    """The review's data-quality summary; ``checked`` holds (at least) every replay that is
    paid with no date, or that the source disagrees with, in ledger order. With ``as_of``,
    also each client's unapplied money beside open invoices on that date."""
    rejected = ledger.report.rejected
    unknown: list[str] = []
    mismatches: list[str] = []
    notes: list[str] = []
    groups = _Groups()
    for row, mismatch, row_notes in checked:
        invoice = row.invoice
        invoice_id = invoice.id
        if row.status == "paid_date_unknown":
            unknown.append(invoice_id)
        if mismatch is not None:
            mismatches.append(invoice_id)
        for n in row_notes:
            text = _("invoice {invoice}: {note}").format(
                invoice=ledger.invoice_label(invoice_id), note=n)
            notes.append(text)
            amount = getattr(n, "amount", None)
            groups.add(
                getattr(n, "kind", "other"),
                text,
                None if amount is None else amount * ledger.rate_to_base(invoice),
            )
    if rejected:
        sentence = ngettext(
            "{n} record was not loaded; each is listed with its reason and location by "
            "clientguard rejections (in Python: ledger.report.rejected).",
            "{n} records were not loaded; each is listed with its reason and location by "
            "clientguard rejections (in Python: ledger.report.rejected).",
            len(rejected),
        ).format(n=len(rejected))
        notes.insert(0, sentence)
        groups.first("rejected", sentence)
    # Hours of time entries whose client name matched no customer: missing from the share.
    unmatched = ledger.report.unmatched
    if unmatched:
        hours = sum((u.hours for u in unmatched), ZERO)
        notes.append(
            ngettext(
                "{hours} of time entries name {n} client that match no customer; they are "
                "not in the hours share until the names match (see ledger.report.unmatched).",
                "{hours} of time entries name {n} clients that match no customer; they are "
                "not in the hours share until the names match (see ledger.report.unmatched).",
                len(unmatched),
            ).format(hours=_hours_as_given(hours), n=len(unmatched))
        )
        groups.add("unmatched_hours", notes[-1], None)
        for each in unmatched:
            notes.append(each.words())
            groups.add("unmatched_hours", notes[-1], None)
    if unknown:
        notes.append(
            ngettext(
                "{n} invoice is marked paid with no payment date; left out of lateness.",
                "{n} invoices are marked paid with no payment date; left out of lateness.",
                len(unknown),
            ).format(n=len(unknown))
        )
        groups.add("paid_date_unknown_count", notes[-1], None)
    # What the sources could not give (a stream the account lacks, a date only approximate),
    # stays as written; the ledger's own notes of unknown customers and documents counted
    # twice are said in the reader's language.
    worded = _ledger_notes_in_language(ledger)
    for note in ledger.report.notes:
        note = worded.get(note, note)
        notes.append(note)
        groups.add("source_notes", note, None)
    early = [a.words() for a in ledger.report.adjusted if a.field == "due_date"]
    if early:
        notes.append(
            ngettext(
                "{n} invoice is due before its issue date in the source; counted as due on "
                "the issue date.",
                "{n} invoices are due before their issue date in the source; counted as due "
                "on the issue date.",
                len(early),
            ).format(n=len(early))
        )
        groups.add("due_before_issue", notes[-1], None)
    foreign, finer = _records_noted(ledger)
    if foreign:
        notes.append(
            ngettext(
                "{n} allocation pays an invoice of a customer outside the payer's group; "
                "lateness and open balances count against the invoice's customer.",
                "{n} allocations pay an invoice of a customer outside the payer's group; "
                "lateness and open balances count against the invoice's customer.",
                len(foreign),
            ).format(n=len(foreign))
        )
        groups.add("foreign_allocations", notes[-1], None)
    if finer:
        notes.append(
            ngettext(
                "{n} record has an amount finer than its currency's minor unit; used as "
                "given, rounded only in reports.",
                "{n} records have an amount finer than their currency's minor unit; used as "
                "given, rounded only in reports.",
                len(finer),
            ).format(n=len(finer))
        )
        groups.add("excess_precision", notes[-1], None)
    if as_of is not None:
        for client, sentence in _unapplied_notes(ledger, as_of, policy):
            notes.append(_("{client}: {sentence}").format(client=client, sentence=sentence))
            groups.add("unapplied_money", notes[-1], None)
    law = _law_default_note(ledger, policy)
    if law is not None:
        notes.append(law)
        groups.add("law_default", law, None)
    for key_note in _unknown_jurisdiction_keys(ledger, policy):
        notes.append(key_note)
        groups.add("policy_keys", key_note, None)
    # What the data as a whole may be missing (a sync that did not complete) comes first.
    notes[:0] = ledger.report.warnings
    for warning in ledger.report.warnings:
        groups.first("incomplete_data", warning)
    return DataQuality(
        rejected=len(rejected),
        # A missing rate's reason in the reader's words (the ledger's report keeps it English).
        rejections=tuple(rejection_words(r) for r in rejected[:MAX_LISTED_REJECTIONS]),
        paid_date_unknown=tuple(unknown),
        amount_due_mismatches=tuple(mismatches),
        foreign_allocations=tuple(foreign),
        excess_precision=tuple(finer),
        due_before_issue=tuple(early),
        notes=tuple(notes),
        groups=groups.result(),
        warnings=ledger.report.warnings,
    )


def _unapplied_notes(
    ledger: Ledger, as_of: date, policy: Policy
) -> Iterator[tuple[str, str]]:
    """Each client (by id) with payments or credit notes unapplied on ``as_of`` and open
    invoices: its name and the sentence the review's summary says of it. An open invoice the
    money would pay is open only until it is applied in the books (docs/review.md,
    "Unapplied money")."""
    profiles = _customer_profiles(ledger, as_of=as_of, policy=policy)
    money: dict[str, tuple[Decimal, Decimal]] = {}
    for customer, profile in profiles.items():
        free = profile.unapplied_cash + profile.unapplied_credit
        if free > 0 or profile.open_balance > 0:
            client = ledger.group_of(customer)
            held = money.get(client, (ZERO, ZERO))
            money[client] = (held[0] + free, held[1] + profile.open_balance)
    currency = ledger.base_currency
    cover = shared("unapplied_covers", ledger, as_of, policy, client_covers)
    for client in sorted(money):
        free, open_balance = money[client]
        if free > 0 and open_balance > 0:
            yield client_name(ledger, client), _unapplied_sentence(
                free, open_balance, currency, cover.get(client))


def _law_default_note(ledger: Ledger, policy: Policy) -> str | None:
    """Which law a Polish book's claims follow, where its policy left ``jurisdiction`` at its
    default (``eu``, not in ``model_fields_set``): a book in PLN, or read in Polish, most
    likely wants the Polish act's interest and its "nota odsetkowa", and the default is kept
    (changing it would change every existing review) but said, with how to choose."""
    if "jurisdiction" in policy.model_fields_set or policy.jurisdiction != "eu":
        return None
    if ledger.base_currency != "PLN" and i18n.language() != "pl":
        return None
    return _(
        'The policy leaves jurisdiction at its default, "eu": late-payment interest and '
        "compensation follow Directive 2011/7/EU, not the Polish act on late payment in "
        'commercial transactions; for Polish law set jurisdiction = "pl" in the policy.'
    )


def _unknown_jurisdiction_keys(ledger: Ledger, policy: Policy) -> Iterator[str]:
    """A note for each key of ``policy.client_jurisdictions`` that is no customer id, client
    id or group id of ``ledger``: a usage mistake (a typo, a customer's id of another tool)
    that would otherwise leave its client under the default law without a word, with the
    nearest key it may mean."""
    entries = policy.client_jurisdictions
    if not entries:
        return
    known = {*ledger.customer_ids, *(ledger.group_of(c) for c in ledger.customer_ids),
             *(customer.group_id for c in ledger.customer_ids
               if (customer := ledger.customer(c)) is not None and customer.group_id)}
    for key in sorted(set(entries) - known):
        close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
        if close:
            yield _(
                "The policy's client_jurisdictions names {key}, which is no customer, client "
                "or group of the books: its law applies to no one; did you mean {near}?"
            ).format(key=repr(key), near=repr(close[0]))
        else:
            yield _(
                "The policy's client_jurisdictions names {key}, which is no customer, client "
                "or group of the books: its law applies to no one."
            ).format(key=repr(key))


def _ledger_notes_in_language(ledger: Ledger) -> dict[str, str]:
    """The notes of ``ledger.report`` that the ledger made of its own objects (an unknown
    customer, documents counted in two sources, records delivered twice, links naming
    customers the records lack), each (as the report keeps it, in English) with its sentence
    in the active language; none in English, where they are the same. A source's notes are
    not among them: they stay as written (docs/languages.md)."""
    if i18n.language() == "en":
        return {}
    report = ledger.report
    worded = {str(each): each.words() for each in report.unknown_customers}
    worded.update((str(each), each.words()) for each in report.same_in_two_sources)
    worded.update((str(each), each.words()) for each in report.delivered_twice)
    if report.unknown_links:
        worded[unknown_links_note(report.unknown_links)] = unknown_links_words(
            report.unknown_links)
    return worded


def _hours_as_given(hours: Decimal) -> str:
    """Hours as the time entries add them up, with the word: the sum itself in English (as
    this note always wrote it: ``1.50 hours``, ``1 hour``), the language's separators in
    another (``1,5 godziny``)."""
    if i18n.language() == "en":
        return wording.with_noun(str(hours), hours, "hour")
    return wording.quantity(hours, "hour", 2, trim=True)


class _Groups:
    """Notes counted by kind, in the order each kind first appears (``first`` puts a kind
    before all others)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.amounts: dict[str, Decimal] = {}
        self.examples: dict[str, list[str]] = {}
        self.leading: list[str] = []

    def first(self, kind: str, sentence: str) -> None:
        self.add(kind, sentence, None)
        if kind not in self.leading:
            self.leading.insert(0, kind)

    def add(self, kind: str, text: str, amount: Decimal | None) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if amount is not None:
            self.amounts[kind] = self.amounts.get(kind, ZERO) + amount
        examples = self.examples.setdefault(kind, [])
        if len(examples) < GROUP_EXAMPLES:
            examples.append(text)

    def result(self) -> tuple[NoteGroup, ...]:
        order = [*self.leading, *(k for k in self.counts if k not in self.leading)]
        return tuple(
            NoteGroup(
                kind=kind,
                title=_(NOTE_KINDS[kind][0]) if kind in NOTE_KINDS else self.examples[kind][0],
                count=self.counts[kind],
                amount=self.amounts.get(kind),
                amount_of=_(NOTE_KINDS[kind][1]) if kind in self.amounts else None,
                examples=tuple(self.examples[kind]),
            )
            for kind in order
        )


def _records_noted(ledger: Ledger) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """:func:`_foreign_allocations` and :func:`_finer_records` of ``ledger``, kept on its memo:
    both describe the records as they stand, whatever the review's date, and a ledger never
    changes, so the reviews of one ledger at many dates (a backfill, a history's months) make
    them once. (A pass over every amount: half a second at a million invoices.)"""
    kept = ledger.memo.get(_NOTED_MEMO)
    if isinstance(kept, tuple):
        return kept
    noted = tuple(_foreign_allocations(ledger)), tuple(_finer_records(ledger))
    ledger.memo[_NOTED_MEMO] = noted
    return noted


_NOTED_MEMO = "review.records_noted"
"""The key of :func:`_records_noted`'s lists on the ledger's memo."""


def _foreign_allocations(ledger: Ledger) -> list[str]:
    """The allocations that pay an invoice of another client than the paying document's, as
    ``"payment P-7 -> INV-3"``, in ledger order (payments, then credit notes).

    Every document counts, whatever the review's date: like the source's disagreements, this
    describes the data as it stands. The ledger notes the allocations between customers as it
    builds; those within one group are one client's own business.
    """
    group_of = ledger.group_of
    return [
        f"{cross.document_kind} {cross.document_id} -> {cross.invoice_id}"
        for cross in ledger.cross_customer_allocations()
        if group_of(cross.payer_id) != group_of(cross.customer_id)
    ]


def _finer_records(ledger: Ledger) -> list[str]:
    """The invoices, payments and credit notes with an amount finer than their currency's
    minor unit (in a total, amount due, payment amount, allocation or a credit note's refund),
    as ``"invoice INV-3"``,
    in ledger order (invoices, payments, credit notes), each once.

    Every record counts, whatever the review's date (as in :func:`_foreign_allocations`).
    """
    # An amount with exactly the minor unit's exponent (1234.50 in EUR: nearly every amount a
    # source writes) has no finer digit, and same_quantum says so without making a Decimal;
    # only the others go to _finer_than. Inline: a call for each of the 600,000 amounts of
    # 200,000 invoices took half as long again.
    units = _MINOR_UNITS
    finer: list[str] = []
    for invoice in ledger.invoices:
        unit = units[invoice.currency]
        total, due = invoice.total, invoice.amount_due
        if (not total.same_quantum(unit) and _finer_than(total, unit)) or (
            due is not None and not due.same_quantum(unit) and _finer_than(due, unit)
        ):
            finer.append(f"invoice {invoice.id}")
    documents: Iterable[Payment | CreditNote] = chain(ledger.payments, ledger.credit_notes)
    for document in documents:
        unit = units[document.currency]
        amount = document.amount if isinstance(document, Payment) else document.total
        fine = amount.same_quantum(unit) or not _finer_than(amount, unit)
        if fine:
            for allocation in document.allocations:
                share = allocation.amount  # in the document's currency, whatever the invoice's
                if not share.same_quantum(unit) and _finer_than(share, unit):
                    fine = False
                    break
        if fine and not isinstance(document, Payment):
            fine = not any(not refund.amount.same_quantum(unit) and _finer_than(refund.amount, unit)
                           for refund in document.refunds)
        if not fine:
            finer.append(f"{document.kind} {document.id}")
    return finer


_MINOR_UNITS: Mapping[str, Decimal] = {
    currency: Decimal(1).scaleb(-places) for currency, places in CURRENCY_EXPONENTS.items()
}
"""Each currency's minor unit as a Decimal (0.01 for EUR, 1 for JPY), from the ISO table."""


def _finer_than(amount: Decimal, unit: Decimal) -> bool:
    """True when ``amount`` has a non-zero digit beyond ``unit``, a currency's minor unit:
    ``10.005`` and ``10.501`` for EUR, not ``10.5``, ``10.500`` nor ``1E+2``. (An amount has
    at most 18 digits before the point, so quantizing it always fits Decimal's precision.)"""
    return amount.quantize(unit) != amount


_VERDICT_COUNTS = {
    Recommendation.OK: noop("ok"),
    Recommendation.MONITOR: noop("monitor"),
    Recommendation.REVISE_TERMS: noop("revise terms"),
    Recommendation.CONSIDER_ENDING: noop("consider ending"),
}
"""The verdicts as the book's summary counts them (``2 revise terms``)."""


def _book_summary(
    counts: dict[str, int],
    revenue: ConcentrationReport,
    financing: Decimal,
    claimable: Decimal,
    currency: str,
    *,
    no_data: bool = False,
    time_barred: Decimal = ZERO,
    left_out: Mapping[str, Decimal] | None = None,
    barred_unconvertible: Mapping[str, Decimal] | None = None,
    missing_rates: Sequence[tuple[str, date]] = (),
    disputed: Decimal = ZERO,
    unapplied: Decimal = ZERO,
) -> str:
    """The book's summary. ``left_out``: the fixed compensation no client's claimable counts
    for want of a rate, by currency; ``missing_rates``: the rates the ledger's FxTable lacks
    for it (a currency and a day), empty where the ledger has no FxTable."""
    if no_data:
        total = sum(counts.values())
        if not total:
            return _("No clients in the window: no invoice falls due in it.")
        return _(
            "No invoice falls due in the window: none of the {clients} can be judged, "
            "whatever the verdicts say."
        ).format(clients=wording.count(total, "client"))
    parts = [
        _("{n} {verdict}").format(n=counts[r.value], verdict=_(_VERDICT_COUNTS[r]))
        for r in reversed(Recommendation)
        if counts[r.value]
    ]
    text = (
        _("Clients: {counts}.").format(counts=", ".join(parts))
        if parts
        else _("No clients in the window.")
    )
    if revenue.effective_clients is not None:
        text += _(
            " Revenue hangs on {effective} effective clients (HHI {hhi}; the largest brings "
            "{top})."
        ).format(
            effective=wording.number(revenue.effective_clients, 1),
            hhi=wording.number(revenue.hhi),
            top=wording.percent(revenue.top_shares.get(1)),
        )
    # What is held back (disputed invoices, invoices unapplied money would pay) is said
    # apart from what the law grants on the rest (docs/claims.md, "Disputed invoices").
    granted = claimable - disputed - unapplied
    held = ""
    if disputed > 0:
        held += _(" ({amount} more on disputed invoices, held until the disputes are "
                  "settled)").format(amount=wording.money(disputed, currency))
    if unapplied > 0:
        held += _(
            " ({amount} more on invoices that unapplied payments and credit notes would pay)"
        ).format(
            amount=wording.money(unapplied, currency))
    if financing > 0:
        text += _(" Late payment cost {amount} in financing").format(
            amount=wording.money(financing, currency)
        )
        if granted > 0 or held:
            text += _("; the law grants {amount} in interest and compensation").format(
                amount=wording.money(granted, currency)
            )
        text += held
        if time_barred > 0 or barred_unconvertible:
            text += _(" ({amount} more is time-barred)").format(amount=_amounts(
                _barred_by_currency(time_barred, currency, barred_unconvertible)))
        text += "."
    elif claimable > 0 or time_barred > 0 or barred_unconvertible:
        # No late payment in the window, but older late invoices still owe what the law
        # grants (or owed it: time-barred): said as when the window has lateness.
        text += _(" The law grants {amount} in interest and compensation for late "
                  "payment").format(amount=wording.money(granted, currency))
        text += held
        if time_barred > 0 or barred_unconvertible:
            text += _(" ({amount} more is time-barred)").format(amount=_amounts(
                _barred_by_currency(time_barred, currency, barred_unconvertible)))
        text += "."
    if left_out and missing_rates:
        # The ledger has exchange rates, but not these (a rate is left out only where a
        # table lacks it: with a table, every compensation left out has its day): named, the
        # days of a currency counted where they are many (a client advised to claim is told
        # every one).
        text += _(
            " {amounts} of fixed compensation is left out of what the law grants: the "
            "ledger's exchange rates have no rate for {rates}."
        ).format(amounts=_amounts(left_out),
                 rates=_missing_rates(missing_rates, most=_MOST_DAYS_NAMED))
    elif left_out:
        # Compensation no client's claimable counts for want of a rate: said once for the
        # book (a client advised to claim is told which rate and why).
        text += _(
            " {amounts} of fixed compensation is left out of what the law grants: the ledger "
            "has no exchange rate to count it."
        ).format(amounts=_amounts(left_out))
    return text


__all__ = [
    "BookReview",
    "ClientReview",
    "DataQuality",
    "NoteGroup",
    "Recommendation",
    "Review",
    "Revision",
    "Verdict",
    "VerdictRule",
    "WhatIf",
    "data_quality",
    "finding_words",
    "metric_words",
    "recommend",
    "review",
    "severity_words",
    "signal_words",
    "verdict_words",
]

