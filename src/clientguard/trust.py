"""Records read back from their own JSON, trusted because this very clientguard checked them.

A store keeps every record as the JSON of a record that was validated when it was synced
(``Record.model_dump_json``). Validating it again at every load is the check that a record
written by *another* clientguard (an older one, with other rules) still holds; for records
written by this one, it checks nothing new and cost more than half of a load. This module
gives what a store needs to tell the two apart and to skip the second check:

* :func:`validation_digest`: a digest of everything that decides whether a record is valid
  and what it is made of: clientguard's version, pydantic's and pydantic-core's versions, the
  store's schema version and the source of the modules that define the records and their
  checks (``clientguard.model``, ``clientguard.money``). Two installs with the same digest
  accept and make the same records.
* :func:`trusted_record`: the record of a JSON text, made without validation but exactly as
  validation makes it (the same field values of the same types, the same fields set), or
  None when the text is not in the form this clientguard writes (then the caller validates
  it as usual, and a bad record is still rejected with its reason).
* :func:`checked_record`: the record of values a connector has already checked against every
  rule of the model (the CSV connector's columnar reader), made the same way;
  :func:`checked_record_in_order` the same from the values alone, in the model's order.

The store (:mod:`clientguard.store`) records the digest when a sync writes records, and trusts
its records only while every sync since was made with the same digest (docs/performance.md,
"The store trusts what it checked").
"""

from __future__ import annotations

import hashlib
import sys
import types
from collections.abc import Callable, Iterable
from datetime import UTC, date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar, Union, cast, get_args, get_origin

import pydantic
import pydantic_core
from pydantic import AwareDatetime, ConfigDict, TypeAdapter, with_config
from typing_extensions import TypedDict

from clientguard import _version
from clientguard.model import Allocation, AnyRecord, Record, Refund

__all__ = [
    "TrustedValues",
    "checked_record",
    "checked_record_in_order",
    "checked_records_in_order",
    "trusted_record",
    "validation_digest",
]

_R = TypeVar("_R", bound=Record)

_VALIDATING_MODULES = ("clientguard.model", "clientguard.money")
"""The modules whose code decides what a valid record is."""


@cache
def validation_digest(schema_version: int) -> str | None:
    """The digest of what decides a record's validity (see the module's docstring), with the
    store's ``schema_version``; None when a module's source cannot be read (an install
    without ``.py`` files): then nothing is trusted."""
    digest = hashlib.sha256()
    for part in (_version.__version__, pydantic.VERSION, pydantic_core.__version__,
                 str(schema_version)):
        digest.update(part.encode())
        digest.update(b"\0")
    for name in _VALIDATING_MODULES:
        module = sys.modules.get(name)
        filename = getattr(module, "__file__", None)
        if filename is None or not filename.endswith(".py"):
            return None
        try:
            digest.update(Path(filename).read_bytes())
        except OSError:
            return None
        digest.update(b"\0")
    return digest.hexdigest()


def _plain(annotation: Any) -> Any:
    """The field's type without its checks: ``Annotated`` metadata (bounds, validators) left
    out, ``X | None`` kept, a tuple of allocations read as a list of their plain dicts."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        arguments = [_plain(a) for a in get_args(annotation) if a is not type(None)]
        if len(arguments) != 1:
            raise TypeError(f"no trusted form for {annotation}")
        return arguments[0] | None
    if hasattr(annotation, "__metadata__"):  # Annotated[...]
        return _plain(get_args(annotation)[0])
    if origin is tuple and get_args(annotation) in ((Allocation, ...), (Refund, ...)):
        return list[_shape(get_args(annotation)[0])]  # type: ignore[misc]
    if annotation in (date, Decimal):
        return str  # read as written, made by a TrustedValues (one object a distinct text)
    if annotation in (str, bool, AwareDatetime) or origin is Literal:
        return annotation
    raise TypeError(f"no trusted form for {annotation}")


@cache
def _shape(model: type[Record]) -> Any:
    """A TypedDict of the model's fields with their plain types, every field required and no
    other allowed: pydantic-core reads a record's JSON into it in one call, without a check
    in Python (dates and Decimals made as validation makes them)."""
    shape = TypedDict(  # type: ignore[misc]
        f"Trusted{model.__name__}",
        {name: _plain(info.annotation) for name, info in model.model_fields.items()},
    )
    return with_config(ConfigDict(extra="forbid", strict=True))(shape)


class _Reader(NamedTuple):
    """What reads one kind of record's JSON: the plain shape's validator, the timestamp
    fields (kept in UTC, as ``model.Timestamp`` does), the date and amount fields (read as
    their text), and the fields set every record of the kind gets (all its fields: the JSON
    holds them all)."""

    read: Callable[[str | bytes], dict[str, Any]]
    moments: tuple[str, ...]
    dates: tuple[str, ...]
    amounts: tuple[str, ...]
    fields_set: set[str]


def _fields_of(model: type[Record], kind: type) -> tuple[str, ...]:
    """The model's fields of type ``kind`` (or ``kind | None``), checks aside."""
    def of_kind(annotation: Any) -> bool:
        if hasattr(annotation, "__metadata__"):  # Annotated[...]
            return of_kind(get_args(annotation)[0])
        if get_origin(annotation) in (Union, types.UnionType):
            return any(of_kind(argument) for argument in get_args(annotation))
        return annotation is kind

    return tuple(name for name, info in model.model_fields.items() if of_kind(info.annotation))


@cache
def _reader(model: type[Record]) -> _Reader:
    adapter: TypeAdapter[dict[str, Any]] = TypeAdapter(_shape(model))
    moments = tuple(name for name, info in model.model_fields.items()
                    if "AwareDatetime" in str(info.annotation))
    return _Reader(adapter.validate_json, moments, _fields_of(model, date),
                   _fields_of(model, Decimal), set(model.model_fields))


class TrustedValues:
    """The dates and amounts of the records :func:`trusted_record` makes with it, one object
    for each distinct text: a store's million invoices hold a few thousand distinct dates
    and totals, and a date (32 bytes) and a Decimal (104) each, made anew for every record,
    were a quarter of a loaded ledger's memory. Dates and Decimals are immutable, so a shared
    one is the same value; an amount is shared by its text, never by equality (``1.5`` and
    ``1.50`` are equal but keep their own digits). Keep one for a load, then let it go."""

    __slots__ = ("_amounts", "_dates")

    def __init__(self) -> None:
        self._dates: dict[str, date] = {}
        self._amounts: dict[str, Decimal] = {}

    def day(self, text: str) -> date | None:
        """The date written as ``text`` (``date.isoformat``'s form, as a record's JSON writes
        it); None for any other text."""
        known = self._dates.get(text)
        if known is not None:
            return known
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        if day.isoformat() != text:  # another form fromisoformat reads (20250101...)
            return None
        self._dates[text] = day
        return day

    def amount(self, text: str) -> Decimal | None:
        """The Decimal written as ``text`` (``str`` of a finite Decimal, as a record's JSON
        writes it: the same digits and exponent); None for any other text."""
        known = self._amounts.get(text)
        if known is not None:
            return known
        try:
            amount = Decimal(text)
        except ArithmeticError:
            return None
        if not amount.is_finite() or str(amount) != text:  # " 1", "1_0", "NaN"...
            return None
        self._amounts[text] = amount
        return amount


_new = object.__new__
_set = object.__setattr__


def _made(model: type[Record], values: dict[str, Any], fields_set: set[str]) -> Any:
    record = _new(model)
    # The values go into the record's own ``__dict__``, one by one: it keeps the field
    # names in the table the model's records share (``model._share_keys``) and only the
    # values with the record, 250 bytes less an invoice than ``values`` itself would take.
    # (``update`` with a dict would copy that dict's table of its own.)
    shared = record.__dict__
    for name, value in values.items():
        shared[name] = value
    _set(record, "__pydantic_fields_set__", fields_set)
    _set(record, "__pydantic_extra__", None)
    _set(record, "__pydantic_private__", None)
    return record


@cache
def _filler(model: type[Record]) -> Callable[[dict[str, Any], tuple[Any, ...]], None]:
    """A function that stores the model's values, given in the order of its fields, into a
    record's ``__dict__`` one by one, as :func:`_made` does (the names kept in the table the
    model's records share), written out field by field: ``shared["id"], ... = values``.
    Half the time of a loop over the names, for a million records of one model."""
    names = tuple(model.model_fields)
    if not all(name.isidentifier() for name in names):  # pragma: no cover - a model's fields
        raise TypeError(f"{model.__name__} has a field that is not a name")
    targets = "".join(f"shared[{name!r}], " for name in names)
    namespace: dict[str, Any] = {}
    exec(f"def fill(shared, values):\n    {targets}= values\n", namespace)  # noqa: S102 - field names only
    fill: Callable[[dict[str, Any], tuple[Any, ...]], None] = namespace["fill"]
    return fill


def trusted_record(
    model: type[Record], text: str | bytes, shared: TrustedValues | None = None
) -> AnyRecord | None:
    """The record ``model.model_validate_json(text)`` gives, made without validating it; None
    when ``text`` is not in the form this clientguard writes (validate it then).

    Only for JSON that this clientguard wrote from a valid record (what a store whose
    :func:`validation_digest` matches holds): nothing here checks a rule. The JSON must hold
    every field (as ``model_dump_json`` writes it), so that the record's fields set is all
    of them, as validation would make it. ``shared``: the dates and amounts of the records
    made with it are one object a distinct text (a store's load passes one).
    """
    read, moments, dates, amounts, fields_set = _reader(model)
    try:
        values = read(text)
    except pydantic.ValidationError:
        return None
    if shared is None:
        shared = TrustedValues()
    if not _made_values(values, dates, amounts, shared):
        return None
    for name in moments:
        moment = values[name]
        if moment is not None:
            values[name] = moment.astimezone(UTC)
    for name, part in (("allocations", Allocation), ("refunds", Refund)):
        parts = values.get(name)
        if parts:
            _, _, part_dates, part_amounts, every_field = _reader(part)
            for item in parts:
                if not _made_values(item, part_dates, part_amounts, shared):
                    return None
            # The shape reads each object's fields in the model's order, whatever the JSON's
            # (pydantic-core's typed dict), every one of them: made from the values in order,
            # sharing one fields set (records are frozen).
            values[name] = tuple([
                checked_record_in_order(part, tuple(item.values()), every_field)
                for item in parts
            ])
        elif parts is not None:
            values[name] = ()
    # (``model`` is one of the record kinds: what it makes is an AnyRecord.)
    return cast("AnyRecord", checked_record_in_order(model, tuple(values.values()), fields_set))


def _made_values(
    values: dict[str, Any], dates: tuple[str, ...], amounts: tuple[str, ...],
    shared: TrustedValues,
) -> bool:
    """Turn the texts of ``values``' date and amount fields into their values, in place;
    False when one is not in the form a record's JSON writes."""
    # A text seen before is looked up here, without a call (a few per record, a million).
    known = shared._dates.get
    for name in dates:
        text = values[name]
        if text is not None:
            value = known(text) or shared.day(text)
            if value is None:
                return False
            values[name] = value
    known_amount = shared._amounts.get
    for name in amounts:
        text = values[name]
        if text is not None:
            amount = known_amount(text)
            if amount is None:  # (not ``or``: a zero amount is false)
                amount = shared.amount(text)
                if amount is None:
                    return False
            values[name] = amount
    return True


def checked_record(model: type[_R], values: dict[str, Any], fields_set: set[str]) -> _R:
    """The record ``model(**{name: values[name] for name in fields_set})`` makes, made without
    validating it.

    Only for values checked already against every rule of ``model`` (bounds, currencies,
    the validators between fields), each of the type validation gives (``str``, ``date``,
    ``Decimal``...): nothing here checks a rule. ``values`` holds every field of the model,
    in the model's order, those not given at their defaults; ``fields_set`` is the fields
    given (share one set between records made alike: records are frozen).
    """
    record: _R = _made(model, values, fields_set)
    return record


def checked_record_in_order(model: type[_R], values: tuple[Any, ...], fields_set: set[str]) -> _R:
    """:func:`checked_record` of ``values`` given in the order of the model's fields (every
    field, those not given at their defaults), without their names: the same record, made in
    a little over half the time (a connector makes a million).

    Only for values checked already against every rule of ``model``, as for
    :func:`checked_record`. Raises ``ValueError`` when ``values`` is not one value a field.
    """
    record: _R = _new(model)
    _filler(model)(record.__dict__, values)
    _set(record, "__pydantic_fields_set__", fields_set)
    _set(record, "__pydantic_extra__", None)
    _set(record, "__pydantic_private__", None)
    return record


def checked_records_in_order(
    model: type[_R], rows: Iterable[tuple[Any, ...]], fields_set: set[str]
) -> list[_R]:
    """:func:`checked_record_in_order` of each of ``rows``, in order: the same records, made
    a block at a time (a connector that checks a block of rows at once).

    Only for values checked already against every rule of ``model``, as for
    :func:`checked_record`. Raises ``ValueError`` when a row is not one value a field.
    """
    fill, new, put = _filler(model), _new, _set
    records: list[_R] = []
    append = records.append
    for values in rows:
        record = new(model)
        fill(record.__dict__, values)
        put(record, "__pydantic_fields_set__", fields_set)
        put(record, "__pydantic_extra__", None)
        put(record, "__pydantic_private__", None)
        append(record)
    return records
