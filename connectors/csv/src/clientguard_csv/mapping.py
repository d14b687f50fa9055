"""The mapping: which column is which field, and how the file writes things.

A mapping is a TOML file. Keys at the top level are the file format, shared by every
stream; a table per stream (``[invoices]``, ``[payments]``...) names its columns and may
override any format key::

    description = "My invoicing tool"
    encoding = "auto"            # or "utf-8", "cp1250", "latin-1"
    delimiter = "auto"           # or ",", ";", "tab"
    date_formats = ["%d.%m.%Y"]  # strptime codes, "iso" or "excel"; none: unambiguous forms only
    decimal = ","
    thousands = " "
    currency = "PLN"             # when the file has no currency column

    [invoices]
    default_terms_days = 14      # when the file has no due date
    [invoices.columns]
    number = "Numer"
    customer_name = "Kontrahent"
    issue_date = "Data wystawienia"
    due_date = ["Termin płatności", "Termin"]   # a list: whichever the file has
    total = "Brutto"
    [invoices.status]
    paid = ["Zapłacona"]
    open = ["Niezapłacona", "Częściowo zapłacona"]

A column is a header name (case, surrounding spaces and a leading ``*`` do not matter), a
list of alternative names, or a table: ``{ column = "Status", optional = true }`` (the file
may lack it), ``{ column = "Waluta", occurrence = 1 }`` (the first of several columns of
that name) or ``{ join = ["First Name", "Last Name"] }`` (the cells joined by a space).
Unknown keys are errors that name the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from clientguard.i18n import gettext as _
from clientguard.money import is_currency
from clientguard_csv.amounts import AmountFormat
from clientguard_csv.cell_patterns import pattern_problem
from clientguard_csv.dates import format_problem
from clientguard_csv.errors import MappingError, mapping_unreadable
from clientguard_csv.textfile import resolve_delimiter, resolve_encoding

__all__ = [
    "FIELDS",
    "MAX_TERMS_DAYS",
    "PRESETS",
    "REQUIRED",
    "STREAMS",
    "ColumnSpec",
    "CsvMapping",
    "FormatOptions",
    "InvoiceStatus",
    "StreamMapping",
    "StreamName",
    "StreamSettings",
    "load_mapping",
    "load_preset",
    "mapping_from_dict",
    "parse_mapping",
    "preset_text",
]

StreamName = Literal[
    "customers", "invoices", "credit_notes", "payments", "time_entries", "work_requests"
]
#: The order streams are read in: customers first, so that the others can be matched to
#: them; invoices before the payments and credit notes that name them.
STREAMS: tuple[StreamName, ...] = (
    "customers", "invoices", "credit_notes", "payments", "time_entries", "work_requests",
)  # fmt: skip

#: The longest payment terms, in days, a terms cell or ``default_terms_days`` may give: a
#: terms cell reads at most four digits, and longer terms are a wrong cell, not an agreement.
MAX_TERMS_DAYS = 9999

#: Every field a stream's ``columns`` table may name, with what it means.
FIELDS: dict[str, dict[str, str]] = {
    "customers": {
        "id": "the customer's id (default: its name)",
        "name": "the customer's name (default: its id)",
        "tax_id": "tax or VAT number",
        "email": "billing e-mail",
        "group_id": "group of companies under common control",
    },
    "invoices": {
        "id": "the invoice's id (default: its number)",
        "number": "the invoice number (default: its id)",
        "customer_id": "the customer's id",
        "customer_name": "the customer's name, matched to customers by normalised name",
        "customer_email": "the customer's e-mail, for customers made from invoice rows",
        "customer_tax_id": "the customer's tax id, for customers made from invoice rows",
        "issue_date": "the issue date",
        "due_date": "the due date",
        "terms_days": "payment terms in days: due date = issue date + terms",
        "currency": "ISO 4217 code (default: the mapping's currency)",
        "total": "the gross total",
        "line_total": "a line item's amount; the total is their sum (with group_rows)",
        "status": "the status, translated by the [invoices.status] table",
        "paid_on": "the date the invoice was fully paid",
        "amount_due": "what is still open",
        "amount_paid": "what has been paid (amount due = total - paid)",
        "fx_rate": "exchange rate to the ledger's base currency",
        "disputed": "yes/no: the client disputes the invoice",
        "disputed_on": "the date the dispute was raised (marks the invoice disputed)",
    },
    "credit_notes": {
        "id": "the credit note's id (default: its number)",
        "number": "the credit note's number (default: its id)",
        "customer_id": "the customer's id",
        "customer_name": "the customer's name",
        "issue_date": "the issue date",
        "currency": "ISO 4217 code (default: the mapping's currency)",
        "total": "the amount credited",
        "line_total": "a line item's amount; the total is their sum (with group_rows)",
        "invoice_id": "the id of the invoice it is applied to",
        "invoice_number": "the number of the invoice it is applied to",
        "fx_rate": "exchange rate to the ledger's base currency",
    },
    "payments": {
        "id": "the payment's id (default: made from its content)",
        "customer_id": "the payer's id",
        "customer_name": "the payer's name",
        "date": "the date the money came in",
        "amount": "the amount received (with group_rows: the part for this row's invoice)",
        "currency": "ISO 4217 code (default: the invoice's, else the mapping's currency)",
        "invoice_id": "the id of the invoice it pays",
        "invoice_number": "the number of the invoice it pays",
        "fx_rate": "exchange rate to the ledger's base currency",
    },
    "time_entries": {
        "customer_id": "the client's id",
        "customer_name": "the client's name",
        "date": "the day the work was done",
        "hours": "hours as a number (1.5)",
        "duration": "hours as a duration (01:30:00 or 1:30)",
        "person": "who did the work",
        "billable": "yes/no, true/false, 1/0",
    },
    "work_requests": {
        "id": "the request's id (default: made from its content)",
        "customer_id": "the client's id",
        "customer_name": "the client's name",
        "requested_on": "the day the request came in",
        "wanted_by": "the day the client wanted it done",
    },
}

#: For each stream, groups of fields of which at least one must be mapped.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "customers": (("id", "name"),),
    "invoices": (("id", "number"), ("customer_id", "customer_name"), ("issue_date",),
                 ("total", "line_total")),
    "credit_notes": (("id", "number"),
                     ("customer_id", "customer_name", "invoice_id", "invoice_number"),
                     ("issue_date",), ("total", "line_total")),
    "payments": (("date",), ("amount",),
                 ("customer_id", "customer_name", "invoice_id", "invoice_number")),
    "time_entries": (("customer_id", "customer_name"), ("date",), ("hours", "duration")),
    "work_requests": (("customer_id", "customer_name"), ("requested_on",), ("wanted_by",)),
}

InvoiceStatus = Literal["draft", "open", "paid", "void"]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ColumnSpec(_Strict):
    """Where a field's value is: one header name, alternatives, or several cells joined."""

    column: tuple[str, ...] = ()
    """Alternative header names; the first one the file has is used."""
    join: tuple[str, ...] = ()
    """Header names whose non-empty cells are joined with a space (e.g. first and last name)."""
    optional: bool = False
    """The file may lack the column; the field is then empty."""
    occurrence: int | None = Field(default=None, ge=1, le=1000)
    """Which of several header cells of the same name is meant, counted from the left from 1:
    ING's bank statement heads four columns ``Waluta``, one after each amount."""

    @field_validator("column", "join", mode="before")
    @classmethod
    def _names(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    def names(self) -> tuple[str, ...]:
        """Every header name this spec may read."""
        return self.column + self.join

    def describe(self) -> str:
        if self.join:
            return " + ".join(repr(n) for n in self.join)
        return " or ".join(repr(n) for n in self.column)


def _column_spec(value: object) -> object:
    if isinstance(value, str | list | tuple):
        return {"column": value}
    return value


class FormatOptions(_Strict):
    """How a file is written. Every key may be set at the top level or per stream."""

    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = Field(default=None, ge=1)
    date_formats: tuple[str, ...] | None = None
    day_first: bool | None = None
    decimal: Literal[".", ","] | None = None
    thousands: Literal[",", ".", " ", "'", ""] | None = None
    currency: str | None = None

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str | None) -> str | None:
        return None if value is None else resolve_encoding(value)

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str | None) -> str | None:
        return None if value is None else resolve_delimiter(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is not None and not is_currency(value):
            raise ValueError(f"{value!r} is not an upper-case ISO 4217 currency code")
        return value

    @field_validator("date_formats", mode="before")
    @classmethod
    def _formats(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value


class StreamMapping(FormatOptions):
    """One stream's table: its columns, filters and options."""

    columns: dict[str, ColumnSpec] = Field(default_factory=dict)
    status: dict[InvoiceStatus, tuple[str, ...]] | None = None
    keep: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Only rows whose cell in the column is one of the values are read (others are skipped)."""
    drop: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Rows whose cell in the column is one of the values are skipped."""
    drop_matching: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Rows whose cell in the column matches one of the patterns (``*``: any text; in any
    case, as ``drop``) are skipped: a report's subtotal per customer (``Razem klient *``).
    See :mod:`clientguard_csv.cell_patterns`."""
    skip_blank: tuple[str, ...] = ()
    """Rows with an empty cell in any of these columns are skipped: section headings and
    total lines of a report."""
    group_rows: bool = False
    """Consecutive rows with the same id (or number) are one document: line items."""
    carry_down: Literal["customer_id", "customer_name"] | None = None
    """A report-shaped export: a heading row that holds only a customer's name (or id) gives
    it to the rows below it that lack one, until a totals line or a blank line (a one-cell
    row before either is rejected, not taken for the next heading). The field need not be in
    ``columns`` (the headings are then its only source). See
    :mod:`clientguard_csv.headings`."""
    amount_sign: Literal["as-is", "negate", "abs"] = "as-is"
    """``negate`` or ``abs`` for files that write credits or payments as negative numbers."""
    default_terms_days: int | None = Field(default=None, ge=0, le=MAX_TERMS_DAYS)
    """Invoices: payment terms for a file with neither a due date nor a terms column (at
    most 9,999 days, like a terms cell)."""
    fx_rate_inverse: bool = False
    """The file's rate is document currency per unit of base currency (the model's is base
    per document): it is inverted."""

    @field_validator("columns", mode="before")
    @classmethod
    def _columns(cls, value: object) -> object:
        if isinstance(value, MappingABC):
            return {key: _column_spec(spec) for key, spec in value.items()}
        return value

    @field_validator("keep", "drop", "drop_matching", "status", mode="before")
    @classmethod
    def _value_lists(cls, value: object) -> object:
        if isinstance(value, MappingABC):
            return {k: (v,) if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("skip_blank", mode="before")
    @classmethod
    def _skip(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value


class CsvMapping(FormatOptions):
    """A whole mapping file: the shared format and one table per stream."""

    description: str | None = None
    customers: StreamMapping | None = None
    invoices: StreamMapping | None = None
    credit_notes: StreamMapping | None = None
    payments: StreamMapping | None = None
    time_entries: StreamMapping | None = None
    work_requests: StreamMapping | None = None

    def stream(self, name: str) -> StreamMapping | None:
        value = getattr(self, name, None)
        return value if isinstance(value, StreamMapping) else None

    def settings(self, name: str) -> StreamSettings:
        """The stream's effective format: its own keys, else the top level's, else defaults."""
        stream = self.stream(name)
        if stream is None:
            raise MappingError(_("the mapping has no [{name}] table").format(name=name))

        def pick(key: str) -> Any:
            own = getattr(stream, key)
            return own if own is not None else getattr(self, key)

        decimal = pick("decimal") or "."
        thousands = pick("thousands")
        if thousands is None:
            thousands = "," if decimal == "." else " "
        try:
            amounts = AmountFormat(decimal, thousands)
        except ValueError as exc:
            raise MappingError(f"[{name}]: {exc}") from None
        return StreamSettings(
            encoding=pick("encoding") or "auto",
            delimiter=pick("delimiter") or "auto",
            header_line=pick("header_line"),
            date_formats=pick("date_formats") or (),
            day_first=pick("day_first"),
            amounts=amounts,
            currency=pick("currency"),
        )


@dataclass(frozen=True)
class StreamSettings:
    """A stream's effective file format."""

    encoding: str
    delimiter: str
    header_line: int | None
    date_formats: tuple[str, ...]
    day_first: bool | None
    amounts: AmountFormat
    currency: str | None


def _date_format_problems(key: str, formats: tuple[str, ...] | None) -> list[str]:
    """Each ``date_formats`` entry (under ``key``) that reads no date, and why: refused when
    the mapping loads, not row by row (until 2026-12-08 every row was rejected)."""
    problems: list[str] = []
    for fmt in formats or ():
        found = format_problem(fmt)
        if found is None:
            continue
        directive, reason = found
        if directive is not None:
            problems.append(_(
                "{key}: {format} has the directive {directive}, which Python does not know: "
                "write the dates' form with Python's strptime codes (as in {example}), or "
                "\"iso\" or \"excel\"").format(key=key, format=repr(fmt), directive=directive,
                                               example='"%d.%m.%Y"'))
        else:
            problems.append(_(
                "{key}: {format} cannot read back a date it writes (Python says: {reason}): "
                "write the dates' form with Python's strptime codes (as in {example}), or "
                "\"iso\" or \"excel\"").format(key=key, format=repr(fmt), reason=reason,
                                               example='"%d.%m.%Y"'))
    return problems


def _check_streams(mapping: CsvMapping) -> list[str]:
    problems: list[str] = _date_format_problems("date_formats", mapping.date_formats)
    for name in STREAMS:
        stream = mapping.stream(name)
        if stream is None:
            continue
        problems.extend(_date_format_problems(f"{name}.date_formats", stream.date_formats))
        known = FIELDS[name]
        for field in stream.columns:
            if field not in known:
                problems.append(_(
                    "{name}.columns.{field}: unknown field; the fields of [{name}.columns] "
                    "are {known}").format(name=name, field=field, known=", ".join(known)))
        for key, spec in stream.columns.items():
            if bool(spec.column) == bool(spec.join):
                problems.append(_("{name}.columns.{key}: give either column or join").format(
                    name=name, key=key))
            if spec.occurrence is not None and spec.join:
                problems.append(_(
                    "{name}.columns.{key}: occurrence goes with column, not join").format(
                        name=name, key=key))
        for group in REQUIRED[name]:
            if not any(f in stream.columns or f == stream.carry_down for f in group):
                problems.append(_("[{name}.columns] must map {fields}").format(
                    name=name, fields=_(" or ").join(group)))
        if name == "invoices" and not (
            {"due_date", "terms_days"} & stream.columns.keys()
            or stream.default_terms_days is not None
        ):
            problems.append(_(
                "[invoices] needs a due date: map due_date or terms_days in [invoices.columns], "
                "or set default_terms_days"
            ))
        if stream.status is not None and name != "invoices":
            problems.append(_("{name}.status: only invoices have a status table").format(name=name))
        if stream.default_terms_days is not None and name != "invoices":
            problems.append(_("{name}.default_terms_days: only invoices have payment terms").format(
                name=name))
        for column, patterns in stream.drop_matching.items():
            problems.extend(f"{name}.drop_matching.{column}: {problem}" for problem in
                            map(pattern_problem, patterns) if problem is not None)
        if stream.carry_down is not None:
            if name == "customers":
                problems.append(_("customers.carry_down: a customers file names its customers "
                                  "on every row; carry_down is for the streams that name one"))
            carried = stream.columns.get(stream.carry_down)
            if carried is not None and carried.join:
                problems.append(_("{name}.carry_down: {field} is joined from "
                                  "several columns; map it to one column (or leave it out of "
                                  "the columns: the heading rows then give it alone)").format(
                                      name=name, field=stream.carry_down))
        if stream.group_rows and not {"id", "number"} & stream.columns.keys():
            problems.append(_(
                "[{name}] group_rows needs an id or number column to group by").format(name=name))
        if name == "time_entries" and {"hours", "duration"} <= stream.columns.keys():
            problems.append(_("[time_entries.columns] map hours or duration, not both"))
    if not any(mapping.stream(name) for name in STREAMS):
        problems.append(_("the mapping has no stream table ([invoices], [payments], ...)"))
    return problems


def parse_mapping(text: str, origin: str = "mapping") -> CsvMapping:
    """A mapping from TOML text. Raises :class:`MappingError` naming each wrong key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(_("{origin}: not valid TOML: {reason}").format(
            origin=origin, reason=exc)) from None
    return mapping_from_dict(data, origin)


def mapping_from_dict(data: dict[str, Any], origin: str = "mapping") -> CsvMapping:
    """A mapping from the parsed TOML (or an equivalent dict built in code)."""
    try:
        mapping = CsvMapping.model_validate(data)
    except ValidationError as exc:
        lines = []
        keys: list[tuple[str, str]] = []
        for error in exc.errors(include_url=False):
            where = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-"))
            if error["type"] == "extra_forbidden":
                lines.append(_("{where}: unknown key").format(where=where))
                keys.append((where, lines[-1].removeprefix(f"{where}: ")))
            else:
                reason = str(error["msg"]).removeprefix("Value error, ")
                lines.append(f"{where}: {reason}")
                keys.append((where, reason))
        raise MappingError(f"{origin}: " + "; ".join(lines), keys) from None
    problems = _check_streams(mapping)
    if problems:
        raise MappingError(f"{origin}: " + "; ".join(problems))
    return mapping


def load_mapping(path: str | Path) -> CsvMapping:
    """Read a mapping file. Raises :class:`MappingError`."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise mapping_unreadable(str(file), exc) from None
    except UnicodeDecodeError as exc:
        line = file.read_bytes()[: exc.start].count(b"\n") + 1
        raise MappingError(_("{file}: line {line} is not UTF-8 text: save the mapping as UTF-8 "
                             "(TOML files are UTF-8)").format(file=file, line=line)) from None
    return parse_mapping(text, str(file))


PRESETS: tuple[str, ...] = (
    "freshbooks", "wave", "zoho", "invoice2go", "invoicely", "invoiceninja", "ibm-ar", "xero",
    "quickbooks-ar-aging", "toggl", "harvest", "clockify",
)  # fmt: skip


def preset_text(name: str) -> str:
    """The TOML of a preset, with its comments: a starting point for one's own mapping."""
    if name not in PRESETS:
        raise MappingError(_("no preset named {name}; the presets are {presets}").format(
            name=repr(name), presets=", ".join(PRESETS)))
    return (resources.files("clientguard_csv") / "presets" / f"{name}.toml").read_text("utf-8")


def load_preset(name: str) -> CsvMapping:
    """A preset by name (see :data:`PRESETS`). Raises :class:`MappingError`."""
    return parse_mapping(preset_text(name), f"preset {name}")
