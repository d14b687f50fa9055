"""Concentration signals: thresholds from the Policy applied to the concentration metrics.

:func:`concentration` is the public entry point (docs/metrics/concentration.md): the shares and book
measures of one basis as of a date, with the findings that basis raises:

===============  ===========================================================================
basis            findings
===============  ===========================================================================
``revenue``      ``revenue_concentration`` per client (10% / 20% / 35%), ``book_concentration``
``receivables``  ``receivables_concentration`` (20%), ``cross_aging`` (more than 10% of a
                 client's open balance over 90 days past invoice date), ``book_concentration``
``hours``        ``capacity`` (:func:`clientguard.signals.workload.flag_capacity`),
                 ``book_concentration``
===============  ===========================================================================

The capacity and rush flags live beside the workload metrics, in
:mod:`clientguard.signals.workload`; :func:`concentration_findings` gathers every finding of
both modules. Each flagging step is also a pure function over computed metrics (``flag_*``),
so a user can apply their own policy to numbers they already have.

Every finding carries one sentence a person reads (written by :mod:`clientguard.wording`), the
numbers behind it and the ids of the records (customers or invoices) that produced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from clientguard import wording
from clientguard.findings import Evidence, Finding, Severity, Signal, by_severity
from clientguard.i18n import gettext as _
from clientguard.i18n import noop
from clientguard.ledger import Ledger
from clientguard.metrics.concentration import (
    BASES,
    Basis,
    BookMeasures,
    ReceivablesPosition,
    amounts_by_client,
    book_measures,
    client_name,
    members_of_groups,
    open_receivables,
    window,
    without_client,
)
from clientguard.money import round_money
from clientguard.policy import Policy
from clientguard.settlement import check_as_of, replay
from clientguard.signals.lateness import (
    Materiality,
    _customer_profiles,
    dispute_splits,
    lateness_key,
    materiality,
)
from clientguard.signals.shared import shared
from clientguard.signals.workload import _window_workload, flag_capacity, rush_findings
from clientguard.unapplied import client_covers

__all__ = [
    "ConcentrationReport",
    "concentration",
    "concentration_findings",
    "flag_book_concentration",
    "flag_cross_aging",
    "flag_receivables_concentration",
    "flag_revenue_concentration",
    "hours_share",
    "receivables_share",
    "revenue_share",
]


class ConcentrationReport(BookMeasures):
    """The shares and book measures of one basis as of a date, and what they flag.

    Everything of :class:`~clientguard.metrics.concentration.BookMeasures` (``shares``,
    ``ranks``, ``amounts``, ``excluded``, ``top_shares``, ``hhi``, ``effective_clients``,
    ``gini``, ``gini_corrected``, ``lorenz``, ...) plus where the numbers come from.
    """

    basis: Basis
    """What the shares are shares of: ``revenue``, ``receivables`` or ``hours``."""
    as_of: date
    """The date the numbers are as of."""
    period: tuple[date, date] | None
    """First and last day of the window (revenue, hours); None for receivables, which are
    balances on ``as_of``."""
    unit: str
    """What the amounts are in: the ledger's base currency, or ``hours``."""
    names: dict[str, str]
    """How a person knows each client in ``amounts`` and ``excluded``."""
    members: dict[str, tuple[str, ...]]
    """The customer ids consolidated into each client that is a group of companies under
    common control (ASC 280-10-50-42, IFRS 8.34); lone customers are not listed."""
    findings: tuple[Finding, ...]
    """What crossed a Policy threshold, most serious first."""


def concentration(
    ledger: Ledger,
    *,
    as_of: date,
    basis: Basis = "revenue",
    policy: Policy | None = None,
) -> ConcentrationReport:
    """Each client's share and rank of ``basis`` and the concentration of the whole book.

    ``revenue`` and ``hours`` cover the window ``(as_of - policy.lookback_days, as_of]``;
    ``receivables`` are the open balances as of ``as_of`` from the settlement replay. Companies
    with the same ``group_id`` count as one client. Raises ``ValueError`` for an unknown basis
    and ``TypeError`` when ``as_of`` is not a date.
    """
    check_as_of(as_of)
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}: use one of {', '.join(BASES)}")
    policy = policy or Policy()
    if basis == "receivables":
        positions = open_receivables(
            ledger, as_of=as_of, aged_after_days=policy.cross_aging_days, policy=policy
        )
        amounts = {client: p.open_balance for client, p in positions.items()}
    else:
        amounts = amounts_by_client(
            ledger, basis=basis, as_of=as_of, lookback_days=policy.lookback_days
        )
    measures = book_measures(amounts)
    clients = [*measures.amounts, *measures.excluded]
    report = ConcentrationReport(
        **dict(measures),
        basis=basis,
        as_of=as_of,
        period=None if basis == "receivables" else window(as_of, policy.lookback_days),
        unit="hours" if basis == "hours" else ledger.base_currency,
        names={client: client_name(ledger, client) for client in clients},
        members=members_of_groups(ledger, clients),
        findings=(),
    )
    findings: list[Finding] = []
    if basis == "revenue":
        findings += flag_revenue_concentration(report, policy)
    elif basis == "receivables":
        # A client whose unapplied payments and credit notes cover its open invoices owes
        # nothing net (as an aged-debtors report nets them): its invoices are open only until
        # the money is applied in the books, so it is neither a debtor a lender would cap nor
        # old debt to collect (docs/metrics/concentration.md, "Unapplied money").
        covered = _covered(ledger, as_of, positions, policy)
        owing = {c: p for c, p in positions.items() if c not in covered}
        findings += flag_receivables_concentration(report, policy, owing)
        aging = {c: p for c, p in owing.items() if p.aged_share > policy.cross_aging_share}
        disputed = _aged_disputed(ledger, as_of, policy, aging)
        findings += flag_cross_aging(
            owing, policy, as_of=as_of, currency=ledger.base_currency, names=report.names,
            disputed=disputed, material=_aging_materiality(ledger, as_of, policy, aging,
                                                           disputed),
        )
    else:
        work = shared("workload", ledger, as_of, policy, _window_workload)
        findings += flag_capacity(work, policy, names=report.names, members=report.members,
                                  currency=ledger.base_currency)
    findings += flag_book_concentration(report, policy)
    return report.model_copy(update={"findings": tuple(by_severity(findings))})


def _covered(
    ledger: Ledger, as_of: date, positions: Mapping[str, ReceivablesPosition], policy: Policy
) -> set[str]:
    """The clients with an open balance that their own unapplied payments and credit notes
    (not yet refunded), as of ``as_of``, cover in full in each currency of their open invoices,
    compared unconverted (:attr:`clientguard.unapplied.ClientCover.nets_open_balance`; until
    2026-12-07 compared in the base currency, the money and the invoices each at its own rate,
    so that a rate that moved between them decided)."""
    if not positions:
        return set()
    cover = shared("unapplied_covers", ledger, as_of, policy, client_covers)
    return {client for client in positions
            if (held_cover := cover.get(client)) is not None and held_cover.nets_open_balance}


def _aged_disputed(
    ledger: Ledger, as_of: date, policy: Policy, positions: Mapping[str, ReceivablesPosition]
) -> dict[str, Decimal]:
    """Per client of ``positions``, the open balance (base currency) of its aged invoices
    disputed as of ``as_of``: a dispute's business, not old debt to collect."""
    disputed_ids = {
        invoice_id: client
        for client, position in positions.items()
        for invoice_id in position.aged_invoice_ids
        if ledger.invoice(invoice_id).disputed_by(as_of)
    }
    if not disputed_ids:
        return {}
    return _open_balances(ledger, as_of, policy, disputed_ids)


def _aging_materiality(
    ledger: Ledger, as_of: date, policy: Policy, positions: Mapping[str, ReceivablesPosition],
    disputed: Mapping[str, Decimal],
) -> dict[str, Materiality]:
    """Per client of ``positions``, whether its old debt is worth acting on, by the lateness
    test (:func:`clientguard.signals.lateness.materiality`, docs/review.md "Materiality"): its
    lateness's yearly financing cost (its undisputed invoices' where it disputes some), or its
    undisputed aged balance against the client's and the firm's invoicing due in the window."""
    if not positions:
        return {}
    profiles = _customer_profiles(ledger, as_of=as_of, policy=policy)
    splits = shared("dispute_splits", ledger, as_of, policy, dispute_splits)
    key = lateness_key(ledger)
    group_of = ledger.group_of
    cost: dict[str, Decimal] = {}
    invoiced: dict[str, Decimal] = {}
    for customer, profile in profiles.items():
        client = group_of(customer)
        cost[client] = cost.get(client, Decimal(0)) + profile.financing_cost
        invoiced[client] = invoiced.get(client, Decimal(0)) + profile.amount_due
    for lateness_client in {key(c) for c in profiles}:
        split = splits.get(lateness_client)
        if split is not None:
            client = group_of(lateness_client)
            cost[client] = cost.get(client, Decimal(0)) - split.disputed_cost
    firm = sum(invoiced.values(), Decimal(0))
    not_due = _aged_not_due(ledger, as_of, policy, positions)
    return {
        client: materiality(
            max(cost.get(client, Decimal(0)), Decimal(0)),
            # Only what is past due can be collected: an aged invoice on long terms not yet
            # due (100 days old on 120 days' terms) is old debt a lender refuses, but the
            # terms allowed it, and "collect it before new work" would ask it before its day.
            max(position.aged_balance - disputed.get(client, Decimal(0))
                - not_due.get(client, Decimal(0)), Decimal(0)),
            invoiced.get(client, Decimal(0)),
            firm_invoiced=firm, policy=policy, currency=ledger.base_currency,
            aged_days=policy.cross_aging_days)
        for client, position in positions.items()
    }


def _aged_not_due(
    ledger: Ledger, as_of: date, policy: Policy, positions: Mapping[str, ReceivablesPosition]
) -> dict[str, Decimal]:
    """Per client of ``positions``, the open balance (base currency) of its undisputed aged
    invoices not yet due on ``as_of``. The balances are replayed only for a client with such
    an invoice (most old debt is all past due)."""
    waiting = {
        invoice_id: client
        for client, position in positions.items()
        for invoice_id in position.aged_invoice_ids
        if (invoice := ledger.invoice(invoice_id)).due_date >= as_of
        and not invoice.disputed_by(as_of)
    }
    if not waiting:
        return {}
    return _open_balances(ledger, as_of, policy, waiting)


def _open_balances(
    ledger: Ledger, as_of: date, policy: Policy, client_of: Mapping[str, str]
) -> dict[str, Decimal]:
    """Per client, the open balance on ``as_of`` (base currency) of the invoices
    ``client_of`` maps to it (invoice id to client), from one pass over the replay."""
    balances: dict[str, Decimal] = {}
    for row in replay(ledger, as_of=as_of, policy=policy):
        client = client_of.get(row.invoice.id)
        if client is not None and row.status == "open":
            balances[client] = balances.get(client, Decimal(0)) + (
                row.open_balance * ledger.rate_to_base(row.invoice))
    return balances


def revenue_share(ledger: Ledger, as_of: date, policy: Policy) -> list[Finding]:
    """The built-in revenue signal: ``revenue_concentration`` and ``book_concentration``
    (the signal interface of :mod:`clientguard.signals`)."""
    return list(shared("revenue", ledger, as_of, policy, concentration, basis="revenue").findings)


def receivables_share(ledger: Ledger, as_of: date, policy: Policy) -> list[Finding]:
    """The built-in receivables signal: ``receivables_concentration`` and ``cross_aging``."""
    report = shared("receivables", ledger, as_of, policy, concentration, basis="receivables")
    return list(report.findings)


def hours_share(ledger: Ledger, as_of: date, policy: Policy) -> list[Finding]:
    """The built-in hours signal: ``capacity`` (none without time entries)."""
    report = shared("hours", ledger, as_of, policy, concentration, basis="hours")
    return list(report.findings)


def concentration_findings(
    ledger: Ledger, *, as_of: date, policy: Policy | None = None
) -> list[Finding]:
    """Every finding of this module and of :mod:`clientguard.signals.workload`: revenue,
    receivables (with cross-aging) and hours concentration, capacity and rush, most serious
    first."""
    findings: list[Finding] = []
    for basis in ("revenue", "receivables", "hours"):
        findings += concentration(ledger, as_of=as_of, basis=basis, policy=policy).findings
    findings += rush_findings(ledger, as_of=as_of, policy=policy)
    return by_severity(findings)


# ---------------------------------------------------------------------------------- flagging
def revenue_lines(policy: Policy) -> tuple[Decimal, ...]:
    """The revenue-share lines a client's share is read against (watch, warning, critical):
    a share is written and compared to the precision that tells it from each
    (:func:`wording.shown_share`)."""
    return (policy.revenue_share_watch, policy.revenue_share_warning,
            policy.revenue_share_critical)


def flag_revenue_concentration(report: ConcentrationReport, policy: Policy) -> list[Finding]:
    """A finding for each client whose revenue share is at least ``revenue_share_watch``
    (watch), ``revenue_share_warning`` (warning) or ``revenue_share_critical`` (critical).

    "10 percent or more" is the wording of ASC 280-10-50-42, so a share equal to a threshold
    crosses it. The share is compared as the message writes it (:func:`wording.shown_share`):
    a share that whole percent would put on a line it is under is written a tenth finer
    (19.6%, not "20%": a watch; until 2026-12-08 it read "keep its share of revenue (20% now)
    under 20%"). The message says what the effective number of clients would be without it.
    """
    bands = (
        (policy.revenue_share_critical, Severity.CRITICAL),
        (policy.revenue_share_warning, Severity.WARNING),
        (policy.revenue_share_watch, Severity.WATCH),
    )
    lines = revenue_lines(policy)
    findings = []
    for client, share in report.shares.items():
        shown = wording.shown_share(share, lines)
        crossed = next(((t, s) for t, s in bands if shown >= t), None)
        if crossed is None:
            break  # shares are in rank order: every later one is smaller
        threshold, severity = crossed
        amount = report.amounts[client]
        gone = without_client(report, client)
        name = report.names.get(client, client)
        sentence = _(
            "{name} brought {share} of {window}' revenue ({amount} of {total}, rank {rank} of "
            "{clients})"
        ).format(
            name=name,
            share=wording.share(share, lines),
            window=wording.window(report.period),
            amount=wording.money(amount, report.unit),
            total=wording.money(report.total, report.unit),
            rank=report.ranks[client],
            clients=report.client_count,
        )
        if gone.effective_clients is None:
            sentence += _("; it is the only client with revenue in the window.")
        else:
            sentence += _("; with it gone the effective number of clients {moves}.").format(
                moves=_moves(report.effective_clients, gone.effective_clients)
            )
        findings.append(
            Finding(
                customer_id=client,
                signal=Signal.REVENUE_CONCENTRATION,
                severity=severity,
                metric="revenue_share",
                value=share,
                threshold=threshold,
                message=sentence,
                evidence=Evidence(
                    record_kind="customer",
                    record_ids=report.members.get(client, (client,)),
                    numbers={
                        "share": share,
                        "amount": amount,
                        "total": report.total,
                        "currency": report.unit,
                        "rank": report.ranks[client],
                        "clients": report.client_count,
                        "effective_clients": report.effective_clients,
                        "effective_clients_without": gone.effective_clients,
                        "hhi": report.hhi,
                        "hhi_without": gone.hhi,
                        "top_share_without": gone.top_share,
                    },
                    period=report.period,
                ),
            )
        )
    return findings


def flag_receivables_concentration(
    report: ConcentrationReport,
    policy: Policy,
    positions: Mapping[str, ReceivablesPosition] | None = None,
) -> list[Finding]:
    """A warning for each client holding at least ``receivables_share_warning`` of the open
    receivables: the usual lender per-debtor limit, above which the excess is not lent on.

    On an open balance under ``material_overdue`` (compared to the cent, as written) it is a
    watch and says why, as lateness and old debt do ("only watched: its open balance is
    300.00 EUR (material from 1,000.00 EUR)"): a credit limit there limits nothing worth
    limiting (docs/review.md, "Materiality"; until 2026-12-08 it was a warning, watched by the
    verdict without a word)."""
    threshold = policy.receivables_share_warning
    findings = []
    for client, share in report.shares.items():
        if share < threshold:
            break  # rank order
        if positions is not None and client not in positions:
            continue  # its unapplied money covers what it owes (concentration())
        amount = report.amounts[client]
        over_limit = amount - threshold * report.total
        name = report.names.get(client, client)
        position = positions.get(client) if positions else None
        watched = round_money(amount, report.unit) < policy.material_overdue
        message = _(
            "{name} owes {share} of the open receivables as of {as_of} ({amount} of "
            "{total}); a lender capping one debtor at {cap} of the borrowing base "
            "would not lend on {over_limit} of it."
        ).format(
            name=name,
            share=wording.share(share),
            as_of=wording.day(report.as_of),
            amount=wording.money(amount, report.unit),
            total=wording.money(report.total, report.unit),
            cap=wording.share(threshold),
            over_limit=wording.money(over_limit, report.unit),
        )
        if watched:
            message = message[:-1] + _(
                "; only watched: its open balance is {amount} (material from {limit})."
            ).format(amount=wording.money(amount, report.unit),
                     limit=wording.money(policy.material_overdue, report.unit))
        findings.append(
            Finding(
                customer_id=client,
                signal=Signal.RECEIVABLES_CONCENTRATION,
                severity=Severity.WATCH if watched else Severity.WARNING,
                metric="receivables_share",
                value=share,
                threshold=threshold,
                message=message,
                evidence=Evidence(
                    record_kind="invoice" if position else "customer",
                    record_ids=(
                        position.invoice_ids
                        if position
                        else report.members.get(client, (client,))
                    ),
                    numbers={
                        "share": share,
                        "open_balance": amount,
                        "total": report.total,
                        "currency": report.unit,
                        "rank": report.ranks[client],
                        "over_limit": over_limit,
                    },
                    period=(report.as_of, report.as_of),
                ),
            )
        )
    return findings


def flag_cross_aging(
    positions: Mapping[str, ReceivablesPosition],
    policy: Policy,
    *,
    as_of: date,
    currency: str,
    names: Mapping[str, str] | None = None,
    disputed: Mapping[str, Decimal] | None = None,
    material: Mapping[str, Materiality] | None = None,
) -> list[Finding]:
    """A warning for each client with more than ``cross_aging_share`` of its open balance on
    invoices over ``cross_aging_days`` past their invoice date: under the cross-aging
    ("taint") rule a lender then refuses the client's whole balance, not only the old part.

    ``disputed``: per client, the part of its aged balance on disputed invoices; the share is
    then of its undisputed aged balance (a disputed invoice is the dispute's business, not old
    debt to collect), and the sentence says the disputed part apart. ``material``: per client,
    whether the old debt is worth acting on (:func:`clientguard.signals.lateness.materiality`):
    where it is not, the finding is at most ``watch`` and says why, as lateness does.

    ``positions`` must have been computed with ``aged_after_days = policy.cross_aging_days``.
    """
    findings = []
    for client, position in positions.items():
        held = (disputed or {}).get(client, Decimal(0))
        aged = position.aged_balance - held
        if held and position.open_balance:
            share = aged / position.open_balance
        else:
            share = position.aged_share
        # "More than" the rule's share as the sentence writes it (docs/review.md, "Figures
        # compared as shown"): 10.04% is written "10%" and is not more than 10% (until
        # 2026-12-08 it read "10% of X's open balance ... under the common 10% rule", a warning).
        lines = (policy.cross_aging_share,)
        if share is None or wording.shown_share(share, lines) <= policy.cross_aging_share:
            continue
        name = (names or {}).get(client, client)
        matters = (material or {}).get(client)
        severity = Severity.WARNING
        if matters is not None and not matters.material:
            severity = Severity.WATCH
        message = _(
            "{share} of {name}'s open balance ({aged} of {open}) is over {days} past "
            "invoice date; under the common {rule} cross-aging rule a lender "
            "would refuse all {open} of it."
        ).format(
            share=wording.share(share, lines),
            name=name,
            aged=wording.money(aged, currency),
            open=wording.money(position.open_balance, currency),
            days=wording.count(policy.cross_aging_days, "day"),
            rule=wording.share(policy.cross_aging_share),
        )
        if held:
            message = message[:-1] + _(
                "; {amount} more of it is on disputed invoices, left to the dispute."
            ).format(amount=wording.money(held, currency))
        if severity is Severity.WATCH and matters is not None:
            message = f"{message[:-1]}; {matters.reason}."
        findings.append(
            Finding(
                customer_id=client,
                signal=Signal.CROSS_AGING,
                severity=severity,
                metric="aged_share",
                value=share,
                threshold=policy.cross_aging_share,
                message=message,
                evidence=Evidence(
                    record_kind="invoice",
                    record_ids=position.aged_invoice_ids,
                    numbers={
                        "aged_share": share,
                        "aged_balance": aged,
                        "aged_disputed": held,
                        "open_balance": position.open_balance,
                        "currency": currency,
                        "aged_invoices": len(position.aged_invoice_ids),
                        "open_invoices": len(position.invoice_ids),
                        "oldest_days": position.oldest_days,
                        "material": "no" if severity is Severity.WATCH else "yes",
                    },
                    period=(as_of, as_of),
                ),
            )
        )
    return findings


_BASIS_WORDS: Mapping[str, str] = {
    "revenue": noop("The book's revenue HHI is {hhi}"),
    "receivables": noop("The book's open receivables HHI is {hhi}"),
    "hours": noop("The book's hours HHI is {hhi}"),
}
"""The start of the book's sentence per basis (translated where used)."""


def flag_book_concentration(report: ConcentrationReport, policy: Policy) -> list[Finding]:
    """A watch on the whole book when its HHI is above ``book_hhi_high``.

    The 1,800 line is the 2023 US Merger Guidelines' "highly concentrated" market, an analogy
    for a client book: the sentence always gives the effective number of clients and the
    largest client's share beside it, because a book of five equal clients has an HHI of 2,000.
    """
    # Compared as written, in whole points (docs/review.md, "Figures compared as shown"): an
    # HHI of 1,800.01 is written "1,800" and is not above the 1,800 line (until 2026-12-08 it
    # read "HHI is 1,800, above the 1,800 line").
    if report.hhi is None or wording.shown_number(report.hhi) <= policy.book_hhi_high:
        return []
    basis, period = report.basis, report.period
    top_client = next(iter(report.amounts))
    top_name = report.names.get(top_client, top_client)
    return [
        Finding(
            customer_id=None,
            signal=Signal.BOOK_CONCENTRATION,
            severity=Severity.WATCH,
            metric=f"{basis}_hhi",
            value=report.hhi,
            threshold=policy.book_hhi_high,
            message=_(_BASIS_WORDS[basis]).format(hhi=wording.number(report.hhi))
            + _(
                ", above the {line} line of a highly concentrated market (an analogy): it "
                "counts as {effective} equal-sized clients among {clients}, and the largest, "
                "{top_name}, has {top_share}."
            ).format(
                line=wording.number(policy.book_hhi_high),
                effective=wording.number(report.effective_clients, 1),
                clients=report.client_count,
                top_name=top_name,
                top_share=wording.share(report.top_shares[1]),
            ),
            evidence=Evidence(
                record_kind="customer",
                record_ids=tuple(report.amounts),
                numbers={
                    "basis": basis,
                    "hhi": report.hhi,
                    "effective_clients": report.effective_clients,
                    "clients": report.client_count,
                    "top_1": report.top_shares[1],
                    "top_3": report.top_shares[3],
                    "top_5": report.top_shares[5],
                    "top_10": report.top_shares[10],
                    "gini": report.gini,
                },
                period=period,
            ),
        )
    ]


# ---------------------------------------------------------------------------------- words
def _moves(before: Decimal | None, after: Decimal) -> str:
    """``rises from 4.1 to 6.3``, ``falls from ...`` or ``stays at ...`` (as displayed)."""
    was, now = wording.number(before, 1), wording.number(after, 1)
    if was == now:
        return _("stays at {now}").format(now=now)
    if before is not None and after > before:
        return _("rises from {was} to {now}").format(was=was, now=now)
    return _("falls from {was} to {now}").format(was=was, now=now)
