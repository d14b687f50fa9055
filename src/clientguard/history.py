"""Memory: reviews kept in the store, their history, and past reviews computed again.

::

    from clientguard import history
    from clientguard.store import Store

    with Store.open("clientguard.db") as store:
        history.save_review(store, result)                 # a review.Review
        rows = history.client_history(store, "c-7")       # verdicts over time
        saved = history.backfill(store, ledger, since=date(2024, 1, 1), until=date(2026, 6, 30))
        pruned = history.prune(store, keep_daily=7, keep_monthly=24, dry_run=True)


A saved review is its JSON report, its date, the digest of its policy, the clientguard version
and one summary per client (:class:`~clientguard.changes.ClientSummary`). A review of the same
date under the same policy replaces the one saved before. :func:`backfill` reviews the ledger
at each month-end with the as-of replay (each review sees only what had happened by its date)
and saves each. :func:`prune` thins the saved reviews by the retention rules of restic's
``forget`` (``--keep-last``, ``--keep-daily``, ...), policy by policy, and never removes a
review the comparisons still start from. ``docs/history.md`` is the guide.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
from calendar import monthrange
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from clientguard import i18n, wording
from clientguard._version import __version__
from clientguard.changes import (
    ChangeKind,
    ClientSummary,
    FlapNotice,
    FlapRule,
    ReviewSummary,
    last_flap_notices,
    summarize,
)
from clientguard.errors import ClientguardError
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext, pgettext
from clientguard.ledger import Ledger
from clientguard.metrics.cost import Acknowledgement
from clientguard.names import begun_by, ids_named
from clientguard.policy import Policy
from clientguard.report.document import render_json
from clientguard.report.spreadsheet import safe_cell
from clientguard.review import Review, VerdictRule, review
from clientguard.signals import SignalFunction
from clientguard.store import SavedReview, Store

__all__ = [
    "CSV_COLUMNS",
    "KEEP_RULES",
    "HistoryRow",
    "Keep",
    "PruneDecision",
    "PruneResult",
    "backfill",
    "baseline",
    "client_history",
    "csv_headings",
    "flap_reviews",
    "history_csv",
    "keep_reason",
    "month_ends",
    "policy_digest",
    "prune",
    "prune_decisions",
    "reviews_to_compare",
    "save_review",
    "saved_summary",
    "still_needed",
    "told_flaps",
    "verdict_lines",
]


CSV_COLUMNS = (
    "as_of",
    "client_id",
    "name",
    "verdict",
    "severity",
    "late_share",
    "weighted_days_late",
    "overdue",
    "revenue_share",
    "findings",
    "policy_digest",
)
"""The columns of ``clientguard history --format csv`` (and the keys of its JSON): fields of
:class:`HistoryRow`, one row per client and saved review."""


def csv_headings() -> tuple[str, ...]:
    """The header row of the history's CSV in the active language, in the order of
    :data:`CSV_COLUMNS`: in English the column ids themselves, in Polish Polish headings, as
    the review's CSV writes its own (:func:`clientguard.report.spreadsheet.headings`). The
    cells (dates, ids, the verdict and severity codes, numbers) are the same in every
    language."""
    return (
        pgettext("CSV column", "as_of"),
        pgettext("CSV column", "client_id"),
        pgettext("CSV column", "name"),
        pgettext("CSV column", "verdict"),
        pgettext("CSV column", "severity"),
        pgettext("CSV column", "late_share"),
        pgettext("CSV column", "weighted_days_late"),
        pgettext("CSV column", "overdue"),
        pgettext("CSV column", "revenue_share"),
        pgettext("CSV column", "findings"),
        pgettext("CSV column", "policy_digest"),
    )


def history_csv(rows: Sequence[HistoryRow]) -> str:
    """``clientguard history --format csv``: the header row (:func:`csv_headings`), then one
    row per :class:`HistoryRow` in the order of :data:`CSV_COLUMNS` (``\\n`` line ends).

    Its numbers are clientguard's own, written as plain decimals (never in exponent form,
    never neutralised: ``-12.50`` stays a number); every text cell (the client's id and name
    come from the data) goes through :func:`~clientguard.report.spreadsheet.safe_cell`, as
    the review's CSV does (docs/security.md, "What the data may not do: a spreadsheet")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_headings())
    for row in rows:
        cells: list[str] = []
        for name in CSV_COLUMNS:
            value = getattr(row, name)
            if value is None:
                cells.append("")
            elif isinstance(value, Decimal):
                cells.append(f"{value:f}")
            elif isinstance(value, (int, date)):
                cells.append(str(value))
            else:
                cells.append(safe_cell(str(value)))
        writer.writerow(cells)
    return out.getvalue()


def policy_digest(policy: Policy) -> str:
    """The first 16 hex digits of the SHA-256 of the policy's thresholds as canonical JSON:
    equal for two reviews under the same thresholds, whatever file they came from."""
    text = json.dumps(policy.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def save_review(store: Store, result: Review) -> SavedReview:
    """Keep ``result`` in ``store`` (replacing a review of the same date and policy), with
    the language its sentences were written in (``review(lang=...)``), whatever language is
    active where it is saved: ``changes`` and ``notify`` re-word a saved finding for a reader
    of another language by it."""
    with i18n.using(result.lang):
        summary = summarize(result)
        report = render_json(result)
    whole = summary.model_dump(mode="json", exclude={"clients"})
    return store.save_review(
        as_of=result.as_of,
        policy_digest=policy_digest(result.policy),
        version=__version__,
        report=report,
        summary=whole,
        clients=[c.model_dump(mode="json") for c in summary.clients.values()],
    )


def saved_summary(store: Store, saved: SavedReview) -> ReviewSummary:
    """The summary of a saved review, as :func:`~clientguard.changes.summarize` made it."""
    clients = {
        row["client_id"]: ClientSummary.model_validate(row)
        for row in store.review_clients(saved.id)
    }
    return ReviewSummary.model_validate({**store.review_summary(saved.id), "clients": clients})


def baseline(store: Store, as_of: date) -> SavedReview | None:
    """The review a new review as of ``as_of`` is compared with: the newest saved review of
    that date or before (of one date, the last saved); None when there is none."""
    earlier = [s for s in store.saved_reviews() if s.as_of <= as_of]
    return earlier[-1] if earlier else None


def reviews_to_compare(
    store: Store, since: date | None = None
) -> tuple[SavedReview | None, SavedReview]:
    """The two saved reviews ``clientguard changes`` compares: the newest, and the one before
    it (``since`` None: "last") or the newest of ``since`` or before. Raises
    :class:`~clientguard.errors.ClientguardError` when the store has no saved review, or none
    of ``since`` or before."""
    saved = store.saved_reviews()
    if not saved:
        raise ClientguardError(
            _("the store {path} has no saved review: run clientguard review (without "
              "--no-save), or backfill past ones (clientguard review --backfill monthly --since "
              "DATE)").format(path=store.path)
        )
    latest = saved[-1]
    if since is None:
        return (saved[-2] if len(saved) > 1 else None), latest
    earlier = [s for s in saved[:-1] if s.as_of <= since]
    if not earlier:
        raise ClientguardError(
            _("the store {path} has no saved review as of {since} or before (the first is "
              "as of {first}): give a later --since, or backfill").format(
                path=store.path, since=since, first=saved[0].as_of
            )
        )
    return earlier[-1], latest


@dataclass(frozen=True)
class HistoryRow:
    """One client in one saved review."""

    as_of: date
    policy_digest: str
    client_id: str
    name: str
    verdict: str
    severity: str | None
    late_share: Decimal | None
    weighted_days_late: Decimal | None
    overdue: Decimal
    revenue_share: Decimal | None
    findings: int


def client_history(store: Store, client_id: str | None = None) -> list[HistoryRow]:
    """Each saved review's summary of ``client_id`` (every client's when None), oldest first.

    ``client_id`` may name the client as ``claim`` takes it (:func:`~clientguard.names.
    ids_named`): its id, its name as the latest saved review has it (case and spaces
    ignored), or its id within its source. Raises :class:`~clientguard.errors.
    ClientguardError` for a client no saved review has (with the closest names), or a name
    that several clients share (with their ids)."""
    if client_id is not None:
        client_id = _saved_client(store, client_id)
    rows = []
    for saved, row in store.client_history(client_id):
        summary = ClientSummary.model_validate(row)
        rows.append(HistoryRow(
            as_of=saved.as_of, policy_digest=saved.policy_digest,
            client_id=summary.client_id, name=summary.name, verdict=summary.verdict,
            severity=summary.severity.value if summary.severity else None,
            late_share=summary.late_share, weighted_days_late=summary.weighted_days_late,
            overdue=summary.overdue, revenue_share=summary.revenue_share,
            findings=len(summary.findings),
        ))
    return rows


def _saved_client(store: Store, given: str) -> str:
    """The id of the client ``given`` names in the saved reviews (``given`` itself in a store
    without any)."""
    names: dict[str, str] = {}
    for _saved, row in store.client_history():
        names[str(row["client_id"])] = str(row["name"])  # the latest review's name
    if not names:
        return given
    matches = ids_named(given, names)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ClientguardError(ngettext(
            "{client} names {n} client of the saved reviews ({ids}): give the id",
            "{client} names {n} clients of the saved reviews ({ids}): give the id",
            len(matches)).format(client=repr(given), n=len(matches), ids=", ".join(matches)))
    close = difflib.get_close_matches(given, list(dict.fromkeys([*names.values(), *names])),
                                      n=3, cutoff=0.6)
    # The one name the text begins ("ACME" for "ACME Sp. z o.o."), first.
    begun = begun_by(given, names)
    if begun is not None:
        close = [begun, *(c for c in close if c != begun)][:3]
    hint = _("; did you mean {names}?").format(
        names=wording.or_list([repr(c) for c in close])) if close else ""
    raise ClientguardError(_(
        "no saved review has a client {client}{hint} (give its name or its id: clientguard "
        "history --format csv lists each client's id beside its name)"
    ).format(client=repr(given), hint=hint))


def verdict_lines(store: Store, result: Review) -> dict[str, list[tuple[date, str]]]:
    """Each client's verdicts over time, for the HTML report's strip: the saved reviews
    under ``result``'s policy up to its date, then ``result`` itself, by client id."""
    digest = policy_digest(result.policy)
    lines: dict[str, dict[date, str]] = {}
    for saved, row in store.client_history():
        if saved.policy_digest == digest and saved.as_of <= result.as_of:
            lines.setdefault(str(row["client_id"]), {})[saved.as_of] = str(row["verdict"])
    for cid, client in result.clients.items():
        lines.setdefault(cid, {})[result.as_of] = client.recommendation.value
    return {cid: sorted(days.items()) for cid, days in lines.items()}


def month_ends(since: date, until: date) -> list[date]:
    """The last day of every month from ``since``'s to ``until``'s, from ``since`` to
    ``until`` (both included)."""
    ends: list[date] = []
    year, month = since.year, since.month
    while True:
        end = date(year, month, monthrange(year, month)[1])
        if end > until:
            return ends
        if end >= since:
            ends.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def backfill(
    store: Store,
    ledger: Ledger,
    *,
    since: date,
    until: date,
    policy: Policy | None = None,
    signals: Sequence[SignalFunction] = (),
    verdict_rules: Sequence[VerdictRule] = (),
    progress: Callable[[date], None] | None = None,
    acknowledgements: Iterable[Acknowledgement] = (),
) -> list[SavedReview]:
    """Review ``ledger`` at each month-end from ``since`` to ``until`` and save each review.

    Each review is the as-of replay of its date: it sees only the invoices, payments and
    credit notes dated by then, so the saved history is what a review on that day would have
    said of the data as it stands now (a record corrected later is seen corrected).
    ``progress`` is called with each date before its review. ``acknowledgements`` (the
    debtor's acknowledgements of its debts, :func:`~clientguard.review.review`'s) count in
    each review made on or after their day. Raises
    :class:`~clientguard.errors.ClientguardError` when no month ends in the range.
    """
    dates = month_ends(since, until)
    if not dates:
        raise ClientguardError(
            _("no month ends between {since} and {until}: give an earlier --since").format(
                since=since, until=until))
    acknowledgements = tuple(acknowledgements)  # every month-end's review reads them all
    saved = []
    for day in dates:
        if progress is not None:
            progress(day)
        result = review(ledger, as_of=day, policy=policy, signals=signals,
                        verdict_rules=verdict_rules, acknowledgements=acknowledgements)
        saved.append(save_review(store, result))
    return saved


# --------------------------------------------------------------------------- pruning
# The retention rules are restic's ``forget`` (https://restic.readthedocs.io/en/stable/
# 060_forget.html, "Removing snapshots according to a policy"): reviews are grouped (by policy
# here, as restic groups snapshots by host and paths), each rule keeps the newest review of
# each of the last N periods that have one, on calendar boundaries (ISO weeks, Monday to
# Sunday), and a review kept by any rule is kept (the rules are ORed). The periods are those of
# the reviews' dates (``as_of``), never of the clock.

KeepRule = Literal["last", "daily", "weekly", "monthly", "yearly"]

KEEP_RULES: tuple[KeepRule, ...] = ("last", "daily", "weekly", "monthly", "yearly")
"""The retention rules of :func:`prune`, as restic's ``--keep-last``, ``--keep-daily``,
``--keep-weekly``, ``--keep-monthly``, ``--keep-yearly``."""


@dataclass(frozen=True)
class Keep:
    """Why :func:`prune` keeps a saved review.

    ``rule`` is ``newest`` (the newest review under its policy, always kept); a retention rule
    of :data:`KEEP_RULES` (``count``: the rule's N); ``changes`` (the review before the
    newest, which ``clientguard changes`` compares the newest with); ``notify`` (the review
    notify compares the next one with on ``channel``: the newest delivered there, and the
    newest delivered before the newest review, from which a second run compares);
    ``notify_failed`` (the review a failed send on ``channel`` compared from: the changes its
    next run must still send start there); or ``flapping`` (``channel`` was told that
    ``client`` flaps and not yet that it stopped: notify's flap rule reads the reviews from
    the flap's start, and the :attr:`FlapRule.reviews` before it, until it has said so); or
    ``flap_stopped`` (the review ``channel`` was told with that ``client`` stopped flapping,
    while a review it was told with that the client flaps is kept: notify's records of a
    review go with it, and without the stop that notice would be in force again)."""

    rule: Literal["newest", "last", "daily", "weekly", "monthly", "yearly", "changes",
                  "notify", "notify_failed", "flapping", "flap_stopped"]
    count: int | None = None
    channel: str | None = None
    client: str | None = None


@dataclass(frozen=True)
class PruneDecision:
    """One saved review and why it is kept (no reason: it is removed)."""

    review: SavedReview
    kept_because: tuple[Keep, ...]

    @property
    def removed(self) -> bool:
        return not self.kept_because


@dataclass(frozen=True)
class PruneResult:
    """What :func:`prune` removed (or, in a dry run, would remove) and kept."""

    decisions: tuple[PruneDecision, ...]
    """Every saved review, oldest first (as :meth:`~clientguard.store.Store.saved_reviews`)."""
    dry_run: bool
    freed_bytes: int | None
    """The bytes of the store's pages the removal freed for later writes (SQLite's free
    list); None in a dry run, which writes nothing."""

    @property
    def removed(self) -> tuple[SavedReview, ...]:
        return tuple(d.review for d in self.decisions if d.removed)

    @property
    def kept(self) -> tuple[SavedReview, ...]:
        return tuple(d.review for d in self.decisions if not d.removed)


def _period(rule: KeepRule, review: SavedReview) -> Hashable:
    """The period of ``rule`` that ``review`` falls in: each review its own for ``last``; its
    day, ISO week (Monday to Sunday, as restic's), month or year."""
    day = review.as_of
    if rule == "last":
        return review.id
    if rule == "daily":
        return day
    if rule == "weekly":
        return day.isocalendar()[:2]
    if rule == "monthly":
        return day.year, day.month
    return day.year


def _retention(counts: Mapping[KeepRule, int]) -> dict[KeepRule, int]:
    """The rules in use, by rule; raises :class:`~clientguard.errors.ClientguardError` for a
    count below 0, and when no rule is in use (restic refuses an empty policy too: nothing
    would be kept but the newest)."""
    for rule, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ClientguardError(
                _("--keep-{rule} {count}: give a whole number of 0 or more (0: the rule is not "
                  "used); nothing was removed").format(rule=rule, count=count))
    used = {rule: count for rule, count in counts.items() if count}
    if not used:
        raise ClientguardError(
            _("history prune needs a rule: --keep-last, --keep-daily, --keep-weekly, "
              "--keep-monthly or --keep-yearly N, with N at least 1 (docs/history.md, "
              "\"Pruning\"); nothing was removed"))
    return used


def prune_decisions(
    reviews: Sequence[SavedReview],
    *,
    keep_last: int = 0,
    keep_daily: int = 0,
    keep_weekly: int = 0,
    keep_monthly: int = 0,
    keep_yearly: int = 0,
    needed: Mapping[int, Sequence[Keep]] | None = None,
) -> tuple[PruneDecision, ...]:
    """Which of ``reviews`` the rules keep and why, oldest first; pure.

    Each policy's reviews (by ``policy_digest``) are thinned on their own: the newest is
    always kept, and each rule keeps the newest review of each of the last N periods (days,
    ISO weeks, months, years; single reviews for ``keep_last``) that have a review under that
    policy; a review any rule keeps is kept. ``needed`` adds reasons of the caller's
    (:func:`still_needed`), by review id. Raises
    :class:`~clientguard.errors.ClientguardError` for a negative count, or when every count
    is 0.
    """
    counts = _retention({"last": keep_last, "daily": keep_daily, "weekly": keep_weekly,
                         "monthly": keep_monthly, "yearly": keep_yearly})
    by_rule: dict[int, list[Keep]] = {r.id: [] for r in reviews}
    policies: dict[str, list[SavedReview]] = {}
    for saved in reviews:
        policies.setdefault(saved.policy_digest, []).append(saved)
    for group in policies.values():
        # Newest first, by date and then by the order saved: the order in which "newest"
        # means the same as in saved_reviews (and baseline, reviews_to_compare).
        group.sort(key=lambda s: (s.as_of, s.id), reverse=True)
        by_rule[group[0].id].append(Keep("newest"))
        for rule, count in counts.items():
            periods: set[Hashable] = set()
            for saved in group:
                period = _period(rule, saved)
                if period in periods:
                    continue  # an older review of a period already kept
                if len(periods) == count:
                    break
                periods.add(period)
                by_rule[saved.id].append(Keep(rule, count=count))
    extra = needed or {}
    return tuple(
        PruneDecision(saved, tuple(dict.fromkeys([*by_rule[saved.id], *extra.get(saved.id, ())])))
        for saved in sorted(reviews, key=lambda s: (s.as_of, s.id))
    )


def still_needed(store: Store) -> dict[int, list[Keep]]:
    """The saved reviews that the comparisons start from, by id, with why: the one before
    the newest (``clientguard changes`` compares the newest with it; so does notify on a
    channel nothing was delivered on yet); on each channel notify has used, the newest review
    delivered there (the next review is compared with it, so that each change is sent once)
    and the newest delivered before the newest review (a second run compares from it), and a
    failed send's baseline (its changes are still to be sent); for each client a channel
    was told flaps and not yet that it stopped, every review from the flap's start and the
    5 reviews under the flap's policy before it (:func:`flap_reviews`); and for each client a
    channel was last told stopped flapping, the review it was told with while an earlier
    ``flapping`` notice's review is kept (:func:`_stops_in_force`). The review a new
    review is compared with (:func:`baseline`, ``--fail-on new:``) is the newest, which
    :func:`prune` keeps under its policy anyway."""
    saved = store.saved_reviews()
    needed: dict[int, list[Keep]] = {}
    if len(saved) > 1:
        needed.setdefault(saved[-2].id, []).append(Keep("changes"))
    ids = {s.id for s in saved}
    for channel in store.notification_channels():
        delivered_with = store.sent_change_reviews(channel)
        told = _told(saved, delivered_with)
        for notice in told.values():
            if notice.kind is ChangeKind.FLAPPING:
                for review in flap_reviews(saved, notice.as_of, policy=notice.policy_digest):
                    needed.setdefault(review.id, []).append(
                        Keep("flapping", channel=channel, client=notice.client_id))
        for review_id, client in _stops_in_force(saved, delivered_with, told):
            needed.setdefault(review_id, []).append(
                Keep("flap_stopped", channel=channel, client=client))
        delivered = store.delivered_reviews(channel)
        reached = [s for s in saved if s.id in delivered]
        before_newest = [s for s in reached if s.id != saved[-1].id]
        for start in dict.fromkeys([*reached[-1:], *before_newest[-1:]]):
            needed.setdefault(start.id, []).append(Keep("notify", channel=channel))
        pending = store.pending_baseline(channel)
        if pending is not None and pending in ids:
            needed.setdefault(pending, []).append(Keep("notify_failed", channel=channel))
    return needed


def flap_reviews(saved: Sequence[SavedReview], started: date,
                 rule: FlapRule | None = None, *, policy: str | None = None
                 ) -> list[SavedReview]:
    """The reviews of ``saved`` (oldest first) that notify's flap rule reads to tell again,
    the same way, that a client flaps from ``started`` and when it stops: every review of
    ``started`` or later (the flap's and the one its notice was recorded with, under any
    policy), and the ``rule.reviews - 1`` reviews under the flap's ``policy`` (None: the
    newest review's) before ``started`` (its changes were counted over them), by the default
    :class:`FlapRule` (5) when ``rule`` is None. A rule tuned wider counts over more: keep
    them with ``--keep-last``. The flap's policy, not the newest review's: a review under a
    trial policy, newest when prune runs, does not end the flap (``docs/history.md``)."""
    if not saved:
        return []
    window = (rule or FlapRule()).reviews - 1
    policy = policy or saved[-1].policy_digest
    before = [s for s in saved if s.as_of < started and s.policy_digest == policy]
    return [*before[max(0, len(before) - window):], *(s for s in saved if s.as_of >= started)]


def told_flaps(store: Store, channel: str, saved: Sequence[SavedReview] | None = None
               ) -> dict[str, FlapNotice]:
    """Each client's flap notice in force on ``channel``: the one delivered last
    (:func:`~clientguard.changes.last_flap_notices`; the order of the reviews they were
    delivered with, as :meth:`~clientguard.store.Store.saved_reviews` orders them, is the
    order of the runs of notify), by client id, with the policy of the review it was
    delivered with (:attr:`~clientguard.changes.FlapNotice.policy_digest`): a ``flapping``
    one's is the policy its flap was counted under. ``saved``: the store's saved reviews,
    when the caller has read them."""
    return _told(store.saved_reviews() if saved is None else saved,
                 store.sent_change_reviews(channel))


def _told(saved: Sequence[SavedReview], delivered_with: Mapping[str, int]
          ) -> dict[str, FlapNotice]:
    """:func:`told_flaps` of the change keys ``delivered_with`` (the review each was
    delivered with, by key), among the saved reviews ``saved`` (oldest first)."""
    policies = {s.id: s.policy_digest for s in saved}
    rank = {s.id: place for place, s in enumerate(saved)}
    return last_flap_notices(
        delivered_with.keys(),
        {key: policies[review] for key, review in delivered_with.items() if review in policies},
        {key: rank[review] for key, review in delivered_with.items() if review in rank})


def _stops_in_force(saved: Sequence[SavedReview], delivered_with: Mapping[str, int],
                    told: Mapping[str, FlapNotice]) -> list[tuple[int, str]]:
    """The reviews a ``stopped_flapping`` notice in force (``told``) was delivered with, each
    with its client, that hold the channel's last word on the client: without that review
    (notify's records of it go with it, :meth:`~clientguard.store.Store.delete_reviews`), a
    ``flapping`` notice delivered with a review still kept would be in force again, and notify
    would say a second time that the flap stopped."""
    found: list[tuple[int, str]] = []
    for notice in told.values():
        if notice.kind is not ChangeKind.STOPPED_FLAPPING:
            continue
        review = delivered_with.get(notice.key)
        if review is None:
            continue
        without = {k: r for k, r in delivered_with.items() if r != review}
        back = _told(saved, without).get(notice.client_id)
        if back is not None and back.kind is ChangeKind.FLAPPING:
            found.append((review, notice.client_id))
    return found


def prune(
    store: Store,
    *,
    keep_last: int = 0,
    keep_daily: int = 0,
    keep_weekly: int = 0,
    keep_monthly: int = 0,
    keep_yearly: int = 0,
    dry_run: bool = False,
) -> PruneResult:
    """Remove the saved reviews no rule keeps (:func:`prune_decisions`), except those the
    comparisons still start from (:func:`still_needed`); with ``dry_run``, only say which.

    The removal is one transaction (:meth:`~clientguard.store.Store.delete_reviews`): each
    review goes with its client summaries and notify's records of it, all or none; the
    decision is made inside it, on the store as it then is. Raises
    :class:`~clientguard.errors.ClientguardError` for a negative count or no rule (before
    anything is read), :class:`~clientguard.errors.StoreError` for a store opened read-only
    (unless ``dry_run``) or one that cannot be written.
    """
    rules = {"keep_last": keep_last, "keep_daily": keep_daily, "keep_weekly": keep_weekly,
             "keep_monthly": keep_monthly, "keep_yearly": keep_yearly}
    _retention({"last": keep_last, "daily": keep_daily, "weekly": keep_weekly,
                "monthly": keep_monthly, "yearly": keep_yearly})
    if dry_run:
        decisions = prune_decisions(store.saved_reviews(), needed=still_needed(store), **rules)
        return PruneResult(decisions, dry_run=True, freed_bytes=None)
    made: list[tuple[PruneDecision, ...]] = []

    def choose() -> list[int]:
        made.append(prune_decisions(store.saved_reviews(), needed=still_needed(store),
                                    **rules))
        return [d.review.id for d in made[-1] if d.removed]

    freed = store.delete_reviews(choose)
    return PruneResult(made[-1], dry_run=False, freed_bytes=freed)


def keep_reason(keep: Keep) -> str:
    """Why a review is kept, in a sentence of the active language."""
    if keep.rule == "newest":
        return _("the newest review under its policy")
    if keep.rule == "changes":
        return _("clientguard changes compares the newest review with it")
    if keep.rule == "notify":
        return _("notify {channel} compares the next review with it (each change is sent "
                 "once)").format(channel=keep.channel)
    if keep.rule == "flapping":
        return _("notify {channel} said that client {client} flaps and not yet that it "
                 "stopped: the flap rule reads it").format(channel=keep.channel,
                                                          client=keep.client)
    if keep.rule == "flap_stopped":
        return _("notify {channel} said with it that client {client} stopped flapping, and "
                 "with a review still kept that it flaps: the stop stays the last word").format(
                     channel=keep.channel, client=keep.client)
    if keep.rule == "notify_failed":
        return _("a failed send of notify {channel} compared from it: its changes are still "
                 "to be sent").format(channel=keep.channel)
    if keep.rule == "last":
        return _("--keep-last {n}").format(n=keep.count)
    return {
        "daily": _("--keep-daily {n}: the newest of its day"),
        "weekly": _("--keep-weekly {n}: the newest of its week"),
        "monthly": _("--keep-monthly {n}: the newest of its month"),
        "yearly": _("--keep-yearly {n}: the newest of its year"),
    }[keep.rule].format(n=keep.count)
