"""One firm, one pure function: :func:`review_firm`.

It reads a firm's records (from a lake, by its root and the firm's id: a worker is told where
the records are, never handed a ledger, which costs more to unpickle than to build), reviews
them as of a date and returns a :class:`FirmResult`: one summary row and one row per finding.
Same arguments, same result: no clock, no global state, nothing kept between calls. A firm
whose data cannot be read or reviewed gives a summary row that says why (``status``
``failed``, or ``error`` for what is a bug in clientguard, with the exception's type), never
an exception that would stop the other firms.

Money in the rows is rounded to the base currency's minor unit (``ROUND_HALF_EVEN``, only
here at the output); shares to six places, the HHI and the effective number of clients to
four.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal, getcontext
from pathlib import Path
from typing import Any, Final

from clientguard.errors import ClientguardError, os_reason
from clientguard.i18n import gettext, using
from clientguard.ledger import Ledger
from clientguard.money import ZERO, round_money
from clientguard.policy import Policy
from clientguard.portfolio.layout import FirmRecords, check_firm_id, read_firm_records
from clientguard.review import Recommendation, Review, review

__all__ = [
    "FAILED",
    "INTERNAL_ERROR",
    "REVIEWED",
    "FindingRow",
    "FirmResult",
    "FirmSummary",
    "review_firm",
]

REVIEWED: Final = "reviewed"
"""The firm was reviewed (rejected records, if any, are counted in its row)."""
FAILED: Final = "failed"
"""The firm's data could not be read or reviewed: ``reason`` says why and what to fix."""
INTERNAL_ERROR: Final = "error"
"""Reviewing the firm hit a bug in clientguard: ``reason`` names the exception; report it."""

_SHARE_PLACES: Final = Decimal("0.000001")
_MEASURE_PLACES: Final = Decimal("0.0001")


@dataclass(frozen=True)
class FirmSummary:
    """The summary row of one firm (the ``firms`` table of a portfolio's output)."""

    firm_id: str
    status: str
    """``reviewed``, ``failed`` or ``error`` (see :data:`REVIEWED`...)."""
    reason: str | None
    """Why the firm was not reviewed; None when it was."""
    as_of: date
    base_currency: str | None = None
    clients: int = 0
    clients_ok: int = 0
    clients_monitor: int = 0
    clients_revise_terms: int = 0
    clients_consider_ending: int = 0
    invoices: int = 0
    """Invoices loaded into the ledger."""
    revenue: Decimal | None = None
    """Net revenue of the look-back window, in the base currency."""
    open_balance: Decimal | None = None
    """What the clients owe on ``as_of``."""
    overdue_balance: Decimal | None = None
    """The part of ``open_balance`` past due."""
    top1_share: Decimal | None = None
    """The largest client's share of the window's revenue (0..1)."""
    hhi: Decimal | None = None
    """Herfindahl-Hirschman index of the revenue shares (0..10,000)."""
    effective_clients: Decimal | None = None
    """``1 / sum(share^2)``: how many equal clients would be as concentrated."""
    lateness_cost: Decimal | None = None
    """What financing the clients' late payment costs (the review's financing cost)."""
    claimable: Decimal | None = None
    """Statutory late-payment interest and compensation the firm may claim, as the books
    stand (the review's ``claimable``)."""
    claimable_disputed: Decimal | None = None
    """Of ``claimable``, what is on disputed invoices: held until the disputes are settled,
    not in the advice to claim (the JSON report's ``book.claimable_disputed``)."""
    claimable_unapplied: Decimal | None = None
    """Of ``claimable``, what applying the clients' unapplied payments and credit notes to the
    invoices they would pay removes: not in the advice to claim (``book.claimable_unapplied``).
    ``claimable - claimable_disputed - claimable_unapplied`` is what the advice asks now."""
    financing_covered: Decimal | None = None
    """Of ``lateness_cost``, what applying that unapplied money removes, which the review's
    summary leaves out (``book.financing_covered``)."""
    rejected_records: int = 0
    paid_date_unknown: int = 0
    amount_due_mismatches: int = 0
    foreign_allocations: int = 0
    excess_precision: int = 0
    due_before_issue: int = 0
    data_quality_notes: int = 0

    def row(self) -> dict[str, Any]:
        """The row as a dict, column by column."""
        return asdict(self)


@dataclass(frozen=True)
class FindingRow:
    """One finding about one client of one firm (the ``findings`` table); ``client_id`` is
    None for a finding about the whole book."""

    firm_id: str
    client_id: str | None
    client_name: str | None
    recommendation: str | None
    signal: str
    severity: str
    metric: str
    value: Decimal
    threshold: Decimal
    message: str

    def row(self) -> dict[str, Any]:
        """The row as a dict, column by column."""
        return asdict(self)


@dataclass(frozen=True)
class FirmResult:
    """What :func:`review_firm` returns: the firm's summary and its findings."""

    summary: FirmSummary
    findings: tuple[FindingRow, ...] = ()

    @property
    def firm_id(self) -> str:
        return self.summary.firm_id


def review_firm(
    firm_id: str,
    records: str | os.PathLike[str] | FirmRecords,
    *,
    as_of: date,
    policy: Policy | None = None,
    lang: str | None = None,
) -> FirmResult:
    """Review one firm as of ``as_of``: its summary row and a row per finding.

    ``records`` says where the firm's records are: the root of a lake in the Parquet layout
    (:mod:`clientguard.portfolio.layout`), or records already read (:class:`FirmRecords`).
    The firm's acknowledgements files in the lake (``acknowledgements/firm_id=<id>/*.csv``,
    :data:`~clientguard.portfolio.layout.ACKNOWLEDGEMENTS`) are the review's
    ``acknowledgements``, as ``clientguard review --acknowledged`` gives them. A
    firm whose records cannot be read or reviewed yields a summary with ``status`` ``failed``
    (``error`` for a bug) and the reason; this function raises only for arguments of the wrong
    type (``as_of`` not a date) and for a language clientguard does not write.

    ``lang`` (``"en"``, ``"pl"``) is the language of the findings' ``message`` and of the
    ``reason`` of a firm not reviewed; default: the active language of
    :func:`clientguard.i18n.using`, else English.
    """
    if not isinstance(as_of, date):
        raise TypeError(f"as_of must be a date, not {type(as_of).__name__}")
    with using(lang):
        return _review_firm(firm_id, records, as_of, policy or Policy())


def _review_firm(firm_id: str, records: str | os.PathLike[str] | FirmRecords, as_of: date,
                 policy: Policy) -> FirmResult:
    try:
        check_firm_id(firm_id)
        found = (records if isinstance(records, FirmRecords)
                 else read_firm_records(Path(records), firm_id))
        ledger = found.ledger()
        done = review(ledger, as_of=as_of, policy=policy,
                      acknowledgements=found.acknowledgements(ledger))
        # The rows are made inside the guard too: a value they cannot hold is the firm's row,
        # never an exception that stops the run's other firms.
        return FirmResult(_summary(firm_id, done, ledger), _findings(firm_id, done))
    except OSError as exc:
        lake = None if isinstance(records, FirmRecords) else Path(records)
        return FirmResult(FirmSummary(firm_id, FAILED, _os_failure(exc, lake), as_of))
    except (ClientguardError, ValueError, ArithmeticError) as exc:
        return FirmResult(FirmSummary(firm_id, FAILED, _first_line(exc), as_of))
    except Exception as exc:
        # A bug must not stop a run of thousands of firms; it is reported in the firm's row,
        # with the exception's type, for the user to send us. Never swallowed.
        return FirmResult(FirmSummary(firm_id, INTERNAL_ERROR, error_reason(exc), as_of))


def _os_failure(exc: OSError, lake: Path | None) -> str:
    """The reason of a firm whose files the system would not let the review read: the file
    relative to the lake (never the machine's folders: the row travels), the system's words
    in the active language, and what to do."""
    named = exc.filename if isinstance(exc.filename, str) else None
    shown = gettext("a file of the lake")
    if named is not None and lake is not None:
        path = Path(os.path.abspath(named))
        root = Path(os.path.abspath(lake))
        shown = (path.relative_to(root).as_posix() if path.is_relative_to(root)
                 else path.name)
    elif named is not None:
        shown = Path(named).name
    return gettext("{file}: cannot be read ({problem}): let the user who runs the review read "
                   "it and the folders above it in the lake").format(
        file=shown, problem=os_reason(exc))


def error_reason(exc: BaseException) -> str:
    """The reason a firm's row gives for an exception it hit: its type and first line."""
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, ArithmeticError) and text.startswith("[<class "):
        # decimal's signals say only their class ("[<class 'decimal.InvalidOperation'>]").
        text = ""
    text = text or type(exc).__name__
    return text if len(text) <= 2000 else text[:1999] + "…"


def _summary(firm_id: str, done: Review, ledger: Ledger) -> FirmSummary:
    currency = done.base_currency
    book = done.book
    quality = done.data_quality
    verdicts = book.recommendations
    profiles = [p for client in done.clients.values() for p in client.profiles.values()]

    def money(amount: Decimal) -> Decimal:
        return round_money(amount, currency)

    revenue = book.revenue
    return FirmSummary(
        firm_id=firm_id,
        status=REVIEWED,
        reason=None,
        as_of=done.as_of,
        base_currency=currency,
        clients=len(done.clients),
        clients_ok=verdicts.get(Recommendation.OK.value, 0),
        clients_monitor=verdicts.get(Recommendation.MONITOR.value, 0),
        clients_revise_terms=verdicts.get(Recommendation.REVISE_TERMS.value, 0),
        clients_consider_ending=verdicts.get(Recommendation.CONSIDER_ENDING.value, 0),
        # The ledger's: an invoice read twice (two part files of one firm) is one invoice, and
        # the second copy one of the rejected records.
        invoices=len(ledger.invoices),
        revenue=money(revenue.net_total),
        open_balance=money(sum((p.open_balance for p in profiles), ZERO)),
        overdue_balance=money(sum((p.overdue_balance for p in profiles), ZERO)),
        top1_share=_places(revenue.top_shares.get(1), _SHARE_PLACES),
        hhi=_places(revenue.hhi, _MEASURE_PLACES),
        effective_clients=_places(revenue.effective_clients, _MEASURE_PLACES),
        lateness_cost=money(book.financing_cost),
        claimable=money(book.claimable),
        claimable_disputed=money(book.claimable_disputed),
        claimable_unapplied=money(book.claimable_unapplied),
        financing_covered=money(book.financing_covered),
        rejected_records=quality.rejected,
        paid_date_unknown=len(quality.paid_date_unknown),
        amount_due_mismatches=len(quality.amount_due_mismatches),
        foreign_allocations=len(quality.foreign_allocations),
        excess_precision=len(quality.excess_precision),
        due_before_issue=len(quality.due_before_issue),
        data_quality_notes=len(quality.notes),
    )


def _places(value: Decimal | None, quantum: Decimal) -> Decimal | None:
    if value is None:
        return None
    # Enough digits for the value at the quantum's places: a ratio may outgrow the default
    # context's 28 (a client with a cent of revenue and most of the hours, beside one of
    # millions: hours_to_revenue of 10^23), and quantize would signal InvalidOperation.
    digits = max(value.adjusted() + 1, 1) - quantum.as_tuple().exponent  # type: ignore[operator]
    return value.quantize(quantum, rounding=ROUND_HALF_EVEN,
                          context=Context(prec=max(digits, getcontext().prec)))


def _findings(firm_id: str, done: Review) -> tuple[FindingRow, ...]:
    rows = [
        FindingRow(
            firm_id=firm_id, client_id=None, client_name=None, recommendation=None,
            signal=finding.signal.value, severity=finding.severity.value,
            metric=finding.metric, value=_places(finding.value, _SHARE_PLACES) or ZERO,
            threshold=_places(finding.threshold, _SHARE_PLACES) or ZERO,
            message=finding.message,
        )
        for finding in done.book.findings
    ]
    for client_id, client in done.clients.items():
        rows.extend(
            FindingRow(
                firm_id=firm_id, client_id=client_id, client_name=client.name,
                recommendation=client.recommendation.value, signal=finding.signal.value,
                severity=finding.severity.value, metric=finding.metric,
                value=_places(finding.value, _SHARE_PLACES) or ZERO,
                threshold=_places(finding.threshold, _SHARE_PLACES) or ZERO,
                message=finding.message,
            )
            for finding in client.findings
        )
    # One order whatever the engine: the book first, then by client, signal and metric.
    rows.sort(key=lambda r: (r.client_id is not None, r.client_id or "", r.signal, r.metric,
                             r.severity))
    return tuple(rows)
