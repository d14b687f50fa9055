"""Findings: what a signal found about a client (or the whole book), as data.

A :class:`Finding` is something a user can assert on in a test and show to a person: the
signal, how serious it is, the metric and its value, the threshold it crossed, one sentence
that says it in words, and the evidence (record ids and numbers) that produced it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field, ValidationError

from clientguard.errors import DataError
from clientguard.frozen import Frozen
from clientguard.records import Rejection

__all__ = ["Evidence", "Finding", "Number", "Severity", "Signal", "by_severity"]


class Signal(StrEnum):
    """The question a finding answers."""

    CHRONIC_LATE = "chronic_late"
    """Pays late on a large share of invoices."""
    WORSENING_LATE = "worsening_late"
    """Pays later and later, or late more and more often."""
    REVENUE_CONCENTRATION = "revenue_concentration"
    """Brings too large a share of revenue."""
    RECEIVABLES_CONCENTRATION = "receivables_concentration"
    """Holds too large a share of the open credit."""
    CROSS_AGING = "cross_aging"
    """So much of its balance is old that a lender would refuse all of it."""
    CAPACITY = "capacity"
    """Takes a share of the team's hours out of proportion to what it pays."""
    RUSH = "rush"
    """Keeps asking for work "for yesterday"."""
    BOOK_CONCENTRATION = "book_concentration"
    """The book as a whole hangs on few clients."""
    DISPUTE = "dispute"
    """Most of its lateness is on invoices it disputes: a dispute to resolve, not a habit."""
    EXPECTED_LATE = "expected_late"
    """Open invoices, not yet late, that the forecast expects to be paid late."""
    STALE_DATA = "stale_data"
    """The data says nothing about the review's window: no invoice due in it, or no record
    for a long time before ``as_of`` (a finding about the whole book)."""
    CUSTOM = "custom"
    """A finding of a user's own signal; its ``metric`` names the rule
    (``docs/testing-your-policy.md``)."""


_RANK = {"watch": 1, "warning": 2, "critical": 3}


class Severity(StrEnum):
    """How serious a finding is, in order: ``watch`` < ``warning`` < ``critical``."""

    WATCH = "watch"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """1 for watch, 2 for warning, 3 for critical."""
        return _RANK[self.value]

    # Severities compare by seriousness, not alphabetically.
    def __lt__(self, other: object) -> bool:
        return self.rank < Severity(str(other)).rank

    def __le__(self, other: object) -> bool:
        return self.rank <= Severity(str(other)).rank

    def __gt__(self, other: object) -> bool:
        return self.rank > Severity(str(other)).rank

    def __ge__(self, other: object) -> bool:
        return self.rank >= Severity(str(other)).rank


Number = Decimal | int | str | None


class _Checked(Frozen):
    """A result type a caller may make in code (a test of their own policy): a bad value is
    a :class:`~clientguard.errors.DataError` naming each field and what is wrong, as for a
    record, never a bare pydantic ``ValidationError``."""

    kind: ClassVar[str] = "result"

    def __init__(self, /, **data: Any) -> None:
        try:
            self.__pydantic_validator__.validate_python(data, self_instance=self)
        except ValidationError as exc:
            raise _data_error(type(self), exc) from None

    # Only a wrapper of the base __init__: pydantic must not call it from inside validation.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]


def _data_error(cls: type[_Checked], exc: ValidationError) -> DataError:
    problems = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or None
        reason = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing":
            reason = "is required"
        elif error["type"] == "extra_forbidden":
            reason = f"is not a field of {cls.__name__}"
        problems.append(Rejection(kind=cls.kind, source="code", record_id=None, field=field,
                                  reason=reason))
    return DataError.from_problems(problems, what=cls.__name__)


class Evidence(_Checked):
    """The records and numbers behind a finding."""

    kind: ClassVar[str] = "evidence"

    record_kind: str = "invoice"
    """What the ids name: ``invoice``, ``time_entry``, ``work_request``, ``customer``."""
    record_ids: tuple[str, ...] = ()
    """The ids of the records that produced the finding, in the ledger's order."""
    numbers: dict[str, Number] = Field(default_factory=dict)
    """The named numbers behind the sentence (counts, shares, days, amounts)."""
    period: tuple[date, date] | None = None
    """The window the numbers cover (first and last day, both included)."""


class Finding(_Checked):
    """One thing a signal found, with the numbers and the evidence. Made in code with a value
    of the wrong kind (``signal="nosuch"``), a :class:`~clientguard.errors.DataError` whose
    ``problems`` name each field."""

    kind: ClassVar[str] = "finding"

    customer_id: str | None
    """The client (customer or group id) it is about; None for the whole book."""
    signal: Signal
    """The question it answers."""
    severity: Severity
    """How serious it is."""
    metric: str
    """The name of the metric that crossed the threshold, e.g. ``late_share``."""
    value: Decimal
    """The metric's value."""
    threshold: Decimal
    """The threshold it crossed (from the Policy)."""
    message: str
    """One sentence a person reads, with the numbers in it."""
    evidence: Evidence = Field(default_factory=Evidence)
    """The records and numbers that produced it."""


def by_severity(findings: list[Finding]) -> list[Finding]:
    """Most serious first; then by client and signal so the order is stable."""
    return sorted(
        findings, key=lambda f: (-f.severity.rank, f.customer_id or "", f.signal.value, f.metric)
    )
