"""The common model: the records every source is normalised into.

All records are frozen pydantic models that refuse unknown fields. Money is
:class:`~decimal.Decimal` (a float is refused); currencies are upper-case ISO 4217 codes;
dates are :class:`datetime.date`; timestamps are timezone-aware and kept in UTC. Every record
carries ``source`` (the name of the source it came from: the ``[sources.NAME]`` table, or the
connector's name without a config) and, where the source has one, its id there; (source,
kind, id) is its identity (:mod:`clientguard.records`).

Bad data raises :class:`~clientguard.errors.DataError` naming the record (kind, source, id)
and the field; a raw pydantic ``ValidationError`` never reaches the user. Rules between
records (an allocation to a missing invoice, duplicate ids) are checked by
:meth:`clientguard.ledger.Ledger.build`.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal, Self, TypeVar, cast

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from clientguard.errors import DataError
from clientguard.i18n import pgettext
from clientguard.money import ONE, ZERO, is_currency, to_decimal
from clientguard.records import Rejection

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_AMOUNT_DIGITS",
    "MAX_HOURS",
    "MAX_RATE",
    "MIN_AMOUNT",
    "MIN_HOURS",
    "MIN_RATE",
    "Allocation",
    "Amount",
    "AnyRecord",
    "CreditNote",
    "Currency",
    "Customer",
    "CustomerRef",
    "Day",
    "Hours",
    "Id",
    "Invoice",
    "InvoiceStatus",
    "Payment",
    "Rate",
    "Record",
    "Refund",
    "TimeEntry",
    "Timestamp",
    "WorkRequest",
    "hours_in_bounds",
    "rate_in_bounds",
]


def _decimal(value: object, what: str) -> Decimal:
    # The error already names the field, so drop to_decimal's own "amount: " prefix.
    try:
        return to_decimal(value, what=what)
    except DataError as exc:
        raise ValueError(str(exc).removeprefix(f"{what}: ")) from None


def _fast_decimal(value: object) -> Decimal | None:
    """``value`` as a Decimal when it is exactly a Decimal or a str holding a finite number
    (what connectors and the store pass), else None: :func:`_decimal` then decides, and
    says what is wrong. The same result as ``to_decimal``, without its chain of isinstance
    checks, which was a tenth of a record's validation."""
    kind = type(value)
    if kind is Decimal:
        result = cast(Decimal, value)
    elif kind is str:
        try:
            result = Decimal(cast(str, value).strip())
        except InvalidOperation:
            return None
    else:
        return None
    return result if result.is_finite() else None


MAX_AMOUNT_DIGITS = 18
"""Digits an amount may have before the decimal point. A quintillion units of any currency is
beyond every real invoice (and, in the 28 significant digits of Decimal's default context,
leaves ten for the minor unit and sums); a larger figure is a wrong column or a corrupt cell."""


MIN_AMOUNT = Decimal(10) ** -6
"""The smallest amount other than zero: a millionth of a unit, a hundred times finer than the
finest minor unit (four decimals: CLF, UYW). An amount finer than its currency's minor unit
is kept as given and noted in the review's data quality; a non-zero one below a millionth is
a corrupt cell (``1E-999999``), or leftover noise of a computation: no money. The review
divides by amounts (a client's share of revenue, the hours it takes for its share), and past
this bound the quotients outgrow the 28 digits it rounds them in."""


def _amount(value: object) -> Decimal:
    amount = _fast_decimal(value)
    if amount is None:
        amount = _decimal(value, "amount")
    if amount < 0:
        raise ValueError(f"{amount} is negative; amounts are non-negative (a refund or credit "
                         "is its own record)")
    if amount.adjusted() >= MAX_AMOUNT_DIGITS:
        raise ValueError(f"{amount} has more than {MAX_AMOUNT_DIGITS} digits before the decimal "
                         "point: no invoice is that large (a wrong column, or a corrupt cell?)")
    if amount and amount < MIN_AMOUNT:
        raise ValueError(f"{amount} is less than {MIN_AMOUNT} but not zero: no amount is that "
                         "small (a corrupt cell?)")
    return amount


MAX_RATE = Decimal(10) ** 12
"""The largest exchange rate a document may carry: a trillion units of the base currency per
unit of the document's. The widest spread between currencies in use (Iranian rials per
Kuwaiti dinar) is a few million; a larger figure is an amount in the rate column, or a
corrupt cell."""
MIN_RATE = Decimal(10) ** -12
"""The smallest exchange rate a document may carry, a trillionth: :data:`MAX_RATE` the other
way round. Smaller, a document's amount in the base currency falls below what Decimal holds
(``1E-999999``) and shares of it divide zero by zero."""


def rate_in_bounds(rate: Decimal, *amounts: Decimal) -> bool:
    """True when ``rate`` may be a document's rate to the base currency: from :data:`MIN_RATE`
    to :data:`MAX_RATE`, and converting each of ``amounts`` (the document's own, each an amount
    a record may hold) to less than 10^:data:`MAX_AMOUNT_DIGITS` units of the base currency,
    the bound of an amount: beyond it a review could not round the document's base amount
    (Decimal's 28 digits). The one owner of the rule: the model's checks, the ledger's of an
    FxTable's rates and the CSV connector's columnar checks all ask it."""
    if not (rate.is_finite() and MIN_RATE <= rate <= MAX_RATE):
        return False
    if rate <= ONE:  # (an amount is below the bound: so is any part of it)
        return True
    return all((amount * rate).adjusted() < MAX_AMOUNT_DIGITS for amount in amounts)


def _rate(value: object) -> Decimal:
    rate = _decimal(value, "rate")
    if rate <= 0:
        raise ValueError(f"{rate} is not a positive rate")
    if rate < MIN_RATE:
        raise ValueError(f"{rate} is less than {MIN_RATE} units of the base currency per unit "
                         "of the document's currency: no exchange rate is that small (a "
                         "corrupt cell?)")
    if rate > MAX_RATE:
        raise ValueError(f"{rate} is more than {MAX_RATE:,} units of the base currency per unit "
                         "of the document's currency: no exchange rate is that large (an "
                         "amount in the rate column, or a corrupt cell?)")
    return rate


def _rate_fits_amounts(rate: Decimal | None, info: ValidationInfo,
                       fields: tuple[str, ...]) -> Decimal | None:
    """``rate``, where it converts each of the document's ``fields`` (read from ``info``, the
    fields validated before it) to an amount the base currency may hold."""
    if rate is None:
        return rate
    currency = info.data.get("currency", "")
    for name in fields:
        amount = info.data.get(name)
        if isinstance(amount, Decimal) and not rate_in_bounds(rate, amount):
            raise ValueError(
                f"{rate} converts the {name} of {amount} {currency} to {amount * rate} in the "
                f"base currency, more than {MAX_AMOUNT_DIGITS} digits before the decimal "
                "point: no document is that large (a wrong rate, or a corrupt cell?)"
            )
    return rate


MAX_HOURS = Decimal(100_000)
"""The most hours one time entry may hold. 100,000 hours is over eleven years round the clock:
a tracker's entry is a task on a day, and even a year's summary row of a fifty-person team
(about 100,000 working hours) fits. More is a wrong column or a corrupt cell (``1e27``), and
would break the sums of hours a review rounds."""


MIN_HOURS = Decimal(10) ** -6
"""The fewest hours other than zero one time entry may hold: a microhour (3.6 ms; the CSV
connector reads a duration to the microhour, and a second is 0.000278 h). Fewer is a corrupt
cell (``1e-999999``): the review divides revenue by hours, and the quotient would outgrow
the 28 digits it rounds money in."""


def hours_in_bounds(hours: Decimal) -> bool:
    """True when ``hours`` (finite) may be a time entry's: zero, or from :data:`MIN_HOURS` to
    :data:`MAX_HOURS`. The model's rule, which the CSV connector's columnar checks ask too."""
    return not hours or MIN_HOURS <= hours <= MAX_HOURS


def _hours(value: object) -> Decimal:
    # Hours are not money: a float from a time tracker is taken by its shortest repr.
    hours = _decimal(repr(value) if isinstance(value, float) else value, "hours")
    if hours < 0:
        raise ValueError(f"{hours} hours is negative")
    if hours > MAX_HOURS:
        raise ValueError(f"{hours} hours is more than one entry can hold (at most {MAX_HOURS:,}"
                         "): a wrong column, or a corrupt cell?")
    if not hours_in_bounds(hours):
        raise ValueError(f"{hours} hours is less than {MIN_HOURS} but not zero: no time "
                         "entry is that short (a corrupt cell?)")
    return hours


def _currency(code: str) -> str:
    if not is_currency(code):
        hint = f" (did you mean {code.upper()!r}?)" if is_currency(code.upper()) else ""
        raise ValueError(f"{code!r} is not an upper-case ISO 4217 currency code{hint}")
    return sys.intern(code)  # one string per code, not one per record


def _shared_text(text: str) -> str:
    # A customer id recurs in every record of its customer: one string for all of them, not
    # one per record read (with the currency code, about 130 MB of a million-invoice ledger).
    return sys.intern(text)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


FIRST_DATE = date(1900, 1, 1)
"""The earliest date a record may carry. Earlier is a placeholder or a wrong column (Excel's
empty date reads 1899-12-30 or 1900-01-00), never a real invoice of a firm in business."""
LAST_DATE = date(2999, 12, 31)
"""The latest date a record may carry. Later is a placeholder (``9999-12-31`` for "never") or
a typo. The bounds leave every date a review computes (a record's date moved by any policy's
days, at most :data:`clientguard.policy.MAX_DAYS`) inside the calendar, so no date arithmetic
overflows."""

Amount = Annotated[Decimal, BeforeValidator(_amount)]
"""A non-negative, finite Decimal amount of money, zero or from :data:`MIN_AMOUNT` to below
10^:data:`MAX_AMOUNT_DIGITS`; floats are refused."""
Rate = Annotated[Decimal, BeforeValidator(_rate)]
"""A positive exchange rate, from :data:`MIN_RATE` to :data:`MAX_RATE`: units of base currency
per one unit of the document currency. A document's rate also keeps its amounts, converted,
within the bound of an amount (:func:`rate_in_bounds`)."""
Hours = Annotated[Decimal, BeforeValidator(_hours)]
Day = Annotated[dt.date, Field(ge=FIRST_DATE, le=LAST_DATE)]
"""A calendar date between :data:`FIRST_DATE` and :data:`LAST_DATE` (checked by pydantic's
core, at no cost to a large load)."""
Currency = Annotated[str, AfterValidator(_currency)]
Timestamp = Annotated[AwareDatetime, AfterValidator(_utc)]
"""A timezone-aware moment, kept in UTC; a naive datetime is refused."""
Id = Annotated[str, Field(min_length=1)]
CustomerRef = Annotated[str, Field(min_length=1), AfterValidator(_shared_text)]
"""A customer's id in a record of that customer (an :data:`Id`, kept once in memory)."""

InvoiceStatus = Literal["draft", "open", "paid", "void"]


_R = TypeVar("_R", bound="Record")


class Record(BaseModel):
    """Base of every record: frozen, no unknown fields, errors as :class:`DataError`."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    kind: ClassVar[str] = "record"

    def __init__(self, /, **data: Any) -> None:
        # What BaseModel.__init__ does, called directly: a connector makes a million of these,
        # and the extra call was a fifth of each.
        try:
            self.__pydantic_validator__.validate_python(data, self_instance=self)
        except ValidationError as exc:
            raise _data_error(type(self), data, exc) from None
        _share_fields_set(self)

    # Tell pydantic this __init__ only wraps the base one. Without the flag pydantic calls it
    # from inside every validation (model_validate, JSON, a nested Allocation), so the
    # DataError came back wrapped in a ValidationError and lost the field's location.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return _share_fields_set(super().model_validate(obj, *args, **kwargs))
        except ValidationError as exc:
            raise _data_error(cls, obj if isinstance(obj, dict) else {}, exc) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, *args: Any,
                            **kwargs: Any) -> Self:
        try:
            return _share_fields_set(super().model_validate_json(json_data, *args, **kwargs))
        except ValidationError as exc:
            raise _data_error(cls, _json_object(json_data), exc) from None

    @classmethod
    def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return _share_fields_set(super().model_validate_strings(obj, *args, **kwargs))
        except ValidationError as exc:
            raise _data_error(cls, obj if isinstance(obj, dict) else {}, exc) from None

    @property
    def label(self) -> str:
        """How a person finds this record: kind, id and source, e.g. ``invoice INV-7 (xero)``."""
        ident = getattr(self, "id", None)
        source = getattr(self, "source", "?")
        return f"{self.kind} {ident} ({source})" if ident else f"{self.kind} ({source})"


_shared_fields_sets: dict[type[Record], set[str]] = {}
"""Per record class, the fields set of the latest record made (see :func:`_share_fields_set`)."""


def _share_fields_set(record: _R) -> _R:
    """Give ``record`` the fields set of the record of its class made before it, when the two
    sets are equal, rather than one of its own.

    pydantic keeps, on every model, the set of the fields given to it: for an invoice that set
    is larger than the invoice's own ``__dict__`` (728 bytes), 0.7 GB at a million invoices,
    each set the same as the next. Records are frozen, so nothing adds to the set in place;
    pydantic's ``model_copy`` copies it before adding to it (tested). A connector gives every
    record of a kind the same fields, so one set serves them all. ``model_fields_set`` is
    read-only, as for any frozen record: change a copy of it, never the set itself.
    """
    fields = record.__pydantic_fields_set__
    kind = type(record)
    shared = _shared_fields_sets.get(kind)
    if shared is not None and shared == fields:
        object.__setattr__(record, "__pydantic_fields_set__", shared)
    elif kind.model_config.get("frozen"):
        # A subclass made mutable adds to its records' sets as fields are assigned: those
        # keep a set of their own.
        _shared_fields_sets[kind] = fields
    return record


def _json_object(json_data: str | bytes | bytearray) -> dict[str, Any]:
    """The JSON object's fields, to name the record in an error; empty when it is not one."""
    try:
        decoded = json.loads(json_data)
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


_DATE_BOUNDS = frozenset({"greater_than_equal", "less_than_equal"})


def _data_error(cls: type[Record], data: dict[str, Any], exc: ValidationError) -> DataError:
    """One DataError naming the record and every field that is wrong."""
    ident = data.get("id")
    source = str(data.get("source", "?"))
    problems = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or None
        reason = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing":
            reason = "is required"
        elif error["type"] == "extra_forbidden":
            reason = "is not a field of this record"
        elif error["type"] in _DATE_BOUNDS and isinstance(error.get("input"), dt.date):
            reason = (f"{error['input']} is outside the dates a record may carry ({FIRST_DATE} "
                      f"to {LAST_DATE}): a placeholder date, or a wrong column")
        problems.append(
            Rejection(
                kind=cls.kind,
                source=source,
                record_id=str(ident) if ident is not None else None,
                field=field,
                reason=reason,
            )
        )
    return DataError.from_problems(problems, what=_problems_in(cls.kind, ident))


def _problems_in(kind: str, ident: object) -> str:
    """Where a record's problems are, for the header of its :class:`DataError` ("4 problems
    in invoice INV-1"), in the reader's language: Polish declines the kind after "w" ("4
    problemy w fakturze INV-1"). A kind this table does not know is named by its code."""
    words = {
        "customer": pgettext("problems in", "customer"),
        "invoice": pgettext("problems in", "invoice"),
        "allocation": pgettext("problems in", "allocation"),
        "payment": pgettext("problems in", "payment"),
        "refund": pgettext("problems in", "refund"),
        "credit_note": pgettext("problems in", "credit_note"),
        "time_entry": pgettext("problems in", "time_entry"),
        "work_request": pgettext("problems in", "work_request"),
        "record": pgettext("problems in", "record"),
    }.get(kind, kind)
    return f"{words} {ident or ''}".rstrip()


class Customer(Record):
    """A client of the firm, as one source knows it."""

    kind: ClassVar[str] = "customer"

    id: Id
    """The customer's id in its source."""
    name: str
    """The name a person recognises, as the source spells it."""
    tax_id: str | None = None
    """Tax or VAT number (e.g. a Polish NIP); lets other sources be matched to this customer."""
    email: str | None = None
    """Billing e-mail address, where the source has one."""
    group_id: str | None = None
    """Companies under common control share a group id and count as one client for
    concentration (ASC 280-10-50-42 and IFRS 8.34 treat them as a single customer)."""
    source: str
    """The source the record came from: the ``[sources.NAME]`` table's name (the connector's
    name when pulled without a config). With the id, the record's identity (see
    :mod:`clientguard.records`)."""
    updated_at: Timestamp | None = None
    """When the source last changed the record (UTC), for incremental sync."""


class Invoice(Record):
    """A sales invoice: what a client owes and by when."""

    kind: ClassVar[str] = "invoice"

    id: Id
    """The invoice's id in its source (unique within the source)."""
    customer_id: CustomerRef
    """The id of the customer billed."""
    number: str
    """The invoice number printed on the document."""
    issue_date: Day
    """The date the invoice was issued; revenue is counted on this date."""
    due_date: Day
    """The date payment falls due under the agreed terms; lateness is measured from it. A due
    date before ``issue_date`` is kept as the source has it; a ledger makes such an invoice
    due on its issue date and notes it (``ledger.report.adjusted``)."""
    currency: Currency
    """The invoice's currency: its total and every allocation to it are in this currency."""
    total: Amount
    """Gross amount the client owes (taxes included)."""
    status: InvoiceStatus
    """``draft`` (not sent: ignored), ``open`` (owed), ``paid`` (settled) or ``void``
    (cancelled: ignored)."""
    paid_on: Day | None = None
    """The date the invoice was fully paid, where the source reports it without payment
    records (a CSV export, Xero's FullyPaidOnDate, Stripe's paid_at). Used only when the
    invoice has no allocations."""
    amount_due: Amount | None = None
    """What the source says is still open: a consistency check against the settlement
    replay, never a replacement for it."""
    fx_rate: Rate | None = None
    """Units of base currency per unit of ``currency`` on the issue date, where the source
    records one; otherwise the ledger's FxTable is used."""
    disputed: bool = False
    """The client contests the invoice (the work, its scope or its amount), as the source
    records it: the IBM sample's ``Disputed`` column, or any CSV column mapped to
    ``disputed``. The review treats lateness on disputed invoices as a dispute to resolve,
    not a payment habit (``docs/review.md``)."""
    disputed_on: Day | None = None
    """The day the dispute was raised, where the source has one; only on a disputed
    invoice."""
    source: str
    """The source the record came from: the ``[sources.NAME]`` table's name (the connector's
    name when pulled without a config). With the id, the record's identity (see
    :mod:`clientguard.records`)."""
    updated_at: Timestamp | None = None
    """When the source last changed the record (UTC), for incremental sync."""

    # A due date before the issue date is real data (an invoice issued after the money came
    # in), not an error: the record keeps it as the source has it, and the ledger makes the
    # invoice due on its issue date with a data-quality note (DESIGN §3).

    # Field validators (not a model validator) so that the error names the field. Each reads
    # a field declared before it, which pydantic has already validated into ``info.data``
    # (absent when that field was itself invalid: its own error says so).
    @field_validator("paid_on")
    @classmethod
    def _paid_on_only_when_paid(cls, paid_on: date | None, info: ValidationInfo) -> date | None:
        status = info.data.get("status")
        if paid_on is not None and status is not None and status != "paid":
            raise ValueError(
                f"paid_on {paid_on} is set but status is {status!r}; "
                "a paid date belongs to a paid invoice"
            )
        return paid_on

    def disputed_by(self, as_of: date) -> bool:
        """Disputed as of ``as_of``: marked disputed, and raised by then where the source
        dates the dispute (a review as of an earlier date does not see a later dispute)."""
        return self.disputed and (self.disputed_on is None or self.disputed_on <= as_of)

    @field_validator("fx_rate")
    @classmethod
    def _rate_within_amounts(cls, rate: Decimal | None, info: ValidationInfo) -> Decimal | None:
        return _rate_fits_amounts(rate, info, ("total", "amount_due"))

    @field_validator("disputed_on")
    @classmethod
    def _disputed_on_only_when_disputed(
        cls, disputed_on: date | None, info: ValidationInfo
    ) -> date | None:
        if disputed_on is not None and info.data.get("disputed") is False:
            raise ValueError(
                f"disputed_on {disputed_on} is set but disputed is false; "
                "a dispute date belongs to a disputed invoice"
            )
        return disputed_on


class Allocation(Record):
    """A part of a payment or credit note applied to one invoice."""

    kind: ClassVar[str] = "allocation"

    invoice_id: Id
    """The invoice this part pays."""
    amount: Amount
    """How much is applied, in the currency of the payment or credit note that holds it."""
    date: Day | None = None
    """When it was applied, where the source says so; otherwise the payment's date (or the
    credit note's issue date)."""


def _allocations_fit(
    allocations: tuple[Allocation, ...], info: ValidationInfo, total_field: str, what: str
) -> tuple[Allocation, ...]:
    total = info.data.get(total_field)
    applied = sum((a.amount for a in allocations), ZERO)
    if total is not None and applied > total:
        raise ValueError(f"allocations sum to {applied}, more than the {what} of {total}")
    return allocations


class Payment(Record):
    """Money received from a client; what is not allocated is unapplied cash."""

    kind: ClassVar[str] = "payment"

    id: Id
    """The payment's id in its source."""
    customer_id: CustomerRef
    """The id of the customer who paid."""
    date: Day
    """The date the money was received."""
    amount: Amount
    """The amount received, in ``currency``."""
    currency: Currency
    """The currency the money came in."""
    allocations: tuple[Allocation, ...] = ()
    """The invoices this payment pays, and how much of each."""
    fx_rate: Rate | None = None
    """Units of base currency per unit of ``currency`` on the payment date, where the source
    records one."""
    source: str
    """The source the record came from: the ``[sources.NAME]`` table's name (the connector's
    name when pulled without a config). With the id, the record's identity (see
    :mod:`clientguard.records`)."""

    @field_validator("allocations")
    @classmethod
    def _allocations_within_amount(
        cls, allocations: tuple[Allocation, ...], info: ValidationInfo
    ) -> tuple[Allocation, ...]:
        return _allocations_fit(allocations, info, "amount", "payment amount")

    @field_validator("fx_rate")
    @classmethod
    def _rate_within_amount(cls, rate: Decimal | None, info: ValidationInfo) -> Decimal | None:
        return _rate_fits_amounts(rate, info, ("amount",))


class Refund(Record):
    """A part of a credit note paid back to the client in cash (a bank transfer, a cheque, a
    card refund): credit the firm no longer owes, though the credit note still lowers
    revenue by its whole total."""

    kind: ClassVar[str] = "refund"

    amount: Amount
    """How much was paid back, in the credit note's currency."""
    date: Day | None = None
    """When it was paid back, where the source says so; otherwise the credit note's issue
    date. A refund counts from the later of the two (never before the credit existed), and a
    review as of an earlier date still sees the credit as owed."""


class CreditNote(Record):
    """A credit note: reduces what a client owes, and revenue on its issue date."""

    kind: ClassVar[str] = "credit_note"

    id: Id
    """The credit note's id in its source."""
    customer_id: CustomerRef
    """The id of the customer credited."""
    issue_date: Day
    """The date the credit note was issued; revenue is reduced on this date."""
    total: Amount
    """Gross amount credited."""
    currency: Currency
    """The credit note's currency."""
    allocations: tuple[Allocation, ...] = ()
    """The invoices this credit is applied to, and how much to each."""
    fx_rate: Rate | None = None
    """Units of base currency per unit of ``currency`` on the issue date, where recorded."""
    source: str
    """The source the record came from: the ``[sources.NAME]`` table's name (the connector's
    name when pulled without a config). With the id, the record's identity (see
    :mod:`clientguard.records`)."""
    refunds: tuple[Refund, ...] = ()
    """The parts of the credit paid back to the client in cash, each in ``currency`` and with
    its date where the source gives one. With the allocations they add up to no more than
    ``total``; what neither applies to an invoice nor pays back is credit the firm still owes
    the client (unapplied credit). (Last of the fields: a record stored before it existed
    reads as one with no refunds.)"""

    @field_validator("allocations")
    @classmethod
    def _allocations_within_total(
        cls, allocations: tuple[Allocation, ...], info: ValidationInfo
    ) -> tuple[Allocation, ...]:
        return _allocations_fit(allocations, info, "total", "credit note total")

    @field_validator("refunds")
    @classmethod
    def _refunds_within_total(
        cls, refunds: tuple[Refund, ...], info: ValidationInfo
    ) -> tuple[Refund, ...]:
        total = info.data.get("total")
        allocations = info.data.get("allocations")
        refunded = sum((r.amount for r in refunds), ZERO)
        if total is None or not refunds:
            return refunds
        applied = sum((a.amount for a in allocations or ()), ZERO)
        if refunded + applied > total:
            parts = (f"refunds ({refunded}) and allocations ({applied}) sum to "
                     f"{refunded + applied}" if applied else f"refunds sum to {refunded}")
            raise ValueError(
                f"{parts}, more than the credit note total of {total}: a part of a credit is "
                "either applied to an invoice or paid back to the client, never both"
            )
        return refunds

    @field_validator("fx_rate")
    @classmethod
    def _rate_within_total(cls, rate: Decimal | None, info: ValidationInfo) -> Decimal | None:
        return _rate_fits_amounts(rate, info, ("total",))


class TimeEntry(Record):
    """Hours the team spent on a client's work."""

    kind: ClassVar[str] = "time_entry"

    customer_id: CustomerRef | None = None
    """The customer the work was for. None when the source names the client only by
    ``customer_name`` (a time tracker): the ledger then matches the name to a customer
    (:func:`clientguard.names.normalise_name`), and every time entry of a ledger has one."""
    customer_name: str | None = None
    """The client's name as the source writes it, where the source does not know the
    customer's id in the books. Matched by the ledger when ``customer_id`` is None; an
    unmatched or ambiguous name is a rejection carrying the entry's hours."""
    id: Id | None = None
    """The entry's id in its source, where it has one (a time tracker's): an entry changed
    since the last sync replaces the stored one instead of counting twice."""
    date: Day
    """The day the work was done."""
    hours: Hours
    """Hours spent (non-negative)."""
    person: str | None = None
    """Who did the work, where the time tracker says."""
    billable: bool | None = None
    """Whether the tracker marked the time billable."""
    source: str
    """The source the record came from: the ``[sources.NAME]`` table's name (the connector's
    name when pulled without a config). With the id, the record's identity (see
    :mod:`clientguard.records`)."""

    @model_validator(mode="after")
    def _names_a_client(self) -> Self:
        if self.customer_id is None and not (self.customer_name or "").strip():
            raise ValueError(
                "customer_id: is missing, and there is no customer_name to match: a time "
                "entry names the customer it was for"
            )
        return self


class WorkRequest(Record):
    """A piece of work a client asked for, with the date they wanted it by."""

    kind: ClassVar[str] = "work_request"

    id: Id
    """The request's id in its source (ticket number, task id)."""
    customer_id: CustomerRef
    """The customer who asked."""
    customer_source: str | None = None
    """The source whose customer ``customer_id`` is, where it is not the request's own
    source: a ticket system knows no customers of the books, so a rule of the configuration
    names one as ``source:id`` (``xero:8f0c...``). None: a customer of ``source``. In a ledger
    of several sources the request counts for ``customer_source:customer_id``, and a request
    naming a customer no source holds is rejected rather than counted for a client that
    does not exist."""
    requested_on: Day
    """The day the request came in."""
    wanted_by: Day
    """The day the client wanted it done; the lead time is ``wanted_by - requested_on``
    (negative when they wanted it "for yesterday")."""
    source: str
    """The source the record came from: the ``[sources.NAME]`` table's name (the connector's
    name when pulled without a config). With the id, the record's identity (see
    :mod:`clientguard.records`)."""


AnyRecord = Customer | Invoice | Payment | CreditNote | TimeEntry | WorkRequest
"""Any record a ledger holds."""


def _share_keys(model: type[Record]) -> None:
    """Give the instances of ``model`` one table of field names between them, in the model's
    order, before any instance is made.

    CPython keeps, per class, a table of the attribute names its instances share; an
    instance whose fields are stored into it keeps only its values (a record's ``__dict__``
    of 15 fields: about 170 bytes instead of 460). The table is filled by the first instance
    to store its attributes, and stops taking names once a few dozen instances have been made
    without storing any (pydantic's validation gives each record a dict of its own), so it is
    filled here, as the class is made. Only :func:`clientguard.trust.checked_record` and
    :func:`clientguard.trust.trusted_record` make records that use it: the same ``__dict__``,
    equal, in the same order; on an interpreter without such tables they get a dict of their
    own, as before.
    """
    record = object.__new__(model)
    for name in model.model_fields:
        object.__setattr__(record, name, None)


for _model in (Customer, Invoice, Allocation, Payment, Refund, CreditNote, TimeEntry,
               WorkRequest):
    _share_keys(_model)
del _model
