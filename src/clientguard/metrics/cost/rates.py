"""Statutory late-payment rate tables: a rate per period (a half-year), each row with its
evidence and source.

The packaged tables (``pl``, ``eu``, ``uk``) are CSV files in ``clientguard/data/rates``; a user
may pass a table of their own (:meth:`RateTable.from_csv`). docs/metrics/cost.md lists every
row's source and what each evidence word means.
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
import itertools
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, field_validator

from clientguard.errors import DataError
from clientguard.money import to_decimal
from clientguard.policy import Jurisdiction

__all__ = ["EVIDENCE", "JURISDICTIONS", "Evidence", "Jurisdiction", "RatePeriod", "RateTable"]

#: How far a row can be trusted: ``seen`` in a cited source; ``derived`` from seen inputs by
#: the legal rule (reference rate + margin); ``unconfirmed``: used, but flagged in every result
#: that relies on it.
Evidence: TypeAlias = Literal["seen", "derived", "unconfirmed"]
EVIDENCE: tuple[Evidence, ...] = ("seen", "derived", "unconfirmed")
#: The one-letter codes of earlier tables (V, D, K), still read from a user's own CSV.
_EVIDENCE_LETTERS: Mapping[str, Evidence] = {"V": "seen", "D": "derived", "K": "unconfirmed"}

JURISDICTIONS: tuple[Jurisdiction, ...] = ("pl", "eu", "uk")

_PACKAGED_FILES: Mapping[str, str] = {
    "pl": "pl_commercial.csv",
    "eu": "eu_ecb.csv",
    "uk": "uk_boe.csv",
}
_REQUIRED_COLUMNS = ("period_start", "period_end", "statutory_rate_pct")
_OPTIONAL_COLUMNS = (
    "reference_rate_pct",
    "margin_pp",
    "evidence",
    "source",
    "note",
    "medical_public_debtor_rate_pct",
)
_ONE_DAY = timedelta(days=1)
_HUNDRED = Decimal(100)


class RatePeriod(BaseModel):
    """One row of a rate table: the statutory late-payment rate for a period (a half-year).

    ``statutory_rate_pct`` is the annual rate in percent (``Decimal("15.75")``); it is, by law,
    ``reference_rate_pct + margin_pp``. ``evidence`` and ``source`` say how far the row can be
    trusted and where it was read, so that a report can cite them. In the UK table a row's
    period is the half-year in which interest *starts to run*, and its reference rate is the
    base rate on the day before (31 December or 30 June).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    period_start: date
    period_end: date
    statutory_rate_pct: Decimal
    reference_rate_pct: Decimal | None = None
    margin_pp: Decimal | None = None
    #: None for a row of the user's own table that carries no flag.
    evidence: Evidence | None = None
    source: str = ""
    note: str = ""
    #: Poland only: the rate when the debtor is a public entity that is a medical entity
    #: (ref + 8 pp from 2020; the one common rate before).
    medical_public_debtor_rate_pct: Decimal | None = None

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence_word(cls, value: object) -> object:
        # The one-letter codes of earlier versions (V, D, K) still mean what they meant.
        return _EVIDENCE_LETTERS.get(value, value) if isinstance(value, str) else value

    @field_validator(
        "statutory_rate_pct",
        "reference_rate_pct",
        "margin_pp",
        "medical_public_debtor_rate_pct",
        mode="before",
    )
    @classmethod
    def _no_float(cls, value: object) -> object:
        # A float rate would carry a binary rounding error into every day of interest.
        if isinstance(value, float):
            raise ValueError(f"{value!r} is a float; give rates as Decimal or str")
        return value

    @property
    def rate(self) -> Decimal:
        """The annual statutory rate as a fraction (``Decimal("0.1575")``)."""
        return self.statutory_rate_pct / _HUNDRED

    @property
    def label(self) -> str:
        """``2025-H2`` for a calendar half-year, else ``start..end``."""
        start, end = _half_year(self.period_start)
        if (start, end) == (self.period_start, self.period_end):
            return _half_year_label(start)
        return f"{self.period_start}..{self.period_end}"


class RateTable:
    """Statutory late-payment rates by period, each row with its evidence and source.

    Build it from the packaged tables (:meth:`packaged`), from a CSV file of the same shape
    (:meth:`from_csv`), or from rows (``RateTable(rows)``: :class:`RatePeriod` objects or
    mappings with the CSV's column names). Periods may leave gaps but may not overlap; a day
    in a gap has no rate, and asking for it is a :class:`DataError` that names the period,
    never a silent zero. Immutable.
    """

    __slots__ = ("_ends", "_rows", "_starts", "name")

    def __init__(
        self, rows: Iterable[RatePeriod | Mapping[str, object]], *, name: str = "custom rate table"
    ) -> None:
        parsed = [
            row if isinstance(row, RatePeriod) else _parse_row(row, f"{name}, row {number}")
            for number, row in enumerate(rows, start=1)
        ]
        if not parsed:
            raise DataError(f"{name}: a rate table needs at least one row")
        # Sorted by start so that a look-up is a bisection and overlaps sit side by side.
        parsed.sort(key=lambda row: row.period_start)
        for before, after in itertools.pairwise(parsed):
            if after.period_start <= before.period_end:
                raise DataError(
                    f"{name}: periods {before.period_start}..{before.period_end} and "
                    f"{after.period_start}..{after.period_end} overlap"
                )
        self.name: str = name
        self._rows: tuple[RatePeriod, ...] = tuple(parsed)
        self._starts: tuple[date, ...] = tuple(row.period_start for row in parsed)
        self._ends: tuple[date, ...] = tuple(row.period_end for row in parsed)

    @classmethod
    def packaged(cls, jurisdiction: Jurisdiction) -> RateTable:
        """The table shipped with clientguard: ``"pl"``, ``"eu"`` or ``"uk"``."""
        return _packaged_table(_check_jurisdiction(jurisdiction))

    @classmethod
    def from_csv(cls, path: str | Path, *, name: str | None = None) -> RateTable:
        """Read a CSV with at least ``period_start,period_end,statutory_rate_pct`` columns.

        Optional columns: ``reference_rate_pct, margin_pp, evidence, source, note,
        medical_public_debtor_rate_pct``. Dates are ISO (``2025-07-01``), rates are percent.
        An unknown column, a bad value or an overlap is a :class:`DataError` naming the file
        and the line.
        """
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise DataError(f"cannot read rate table {file}: {error}") from None
        except UnicodeDecodeError:
            raise DataError(f"rate table {file} is not UTF-8 text: save it as UTF-8") from None
        return cls._from_text(text, name=name or str(file))

    @classmethod
    def _from_text(cls, text: str, *, name: str) -> RateTable:
        reader = csv.DictReader(io.StringIO(text))
        columns = tuple(reader.fieldnames or ())
        missing = [column for column in _REQUIRED_COLUMNS if column not in columns]
        if missing:
            raise DataError(f"{name}: missing column(s) {', '.join(missing)}")
        unknown = [c for c in columns if c not in _REQUIRED_COLUMNS + _OPTIONAL_COLUMNS]
        if unknown:
            raise DataError(
                f"{name}: unknown column(s) {', '.join(unknown)}; known: "
                f"{', '.join(_REQUIRED_COLUMNS + _OPTIONAL_COLUMNS)}"
            )
        rows = [_parse_row(record, f"{name}, line {reader.line_num}") for record in reader]
        return cls(rows, name=name)

    @property
    def rows(self) -> tuple[RatePeriod, ...]:
        """The rows, in period order."""
        return self._rows

    def row_for(self, day: date) -> RatePeriod:
        """The row whose period contains ``day``; a :class:`DataError` naming the period if none."""
        index = bisect.bisect_right(self._starts, day) - 1
        if index >= 0 and day <= self._ends[index]:
            return self._rows[index]
        start, end = _half_year(day)
        raise DataError(
            f"{self.name}: no rate for {day} (period {_half_year_label(start)}, "
            f"{start}..{end}); the table covers {self._coverage()}. "
            "Add a row for that period, or pass a table that has it"
        )

    def rate_for(self, day: date) -> Decimal:
        """The annual statutory rate for ``day``, as a fraction (15.75% is ``0.1575``)."""
        return self.row_for(day).rate

    def _coverage(self) -> str:
        spans: list[list[date]] = []
        for row in self._rows:
            if spans and row.period_start == spans[-1][1] + _ONE_DAY:
                spans[-1][1] = row.period_end
            else:
                spans.append([row.period_start, row.period_end])
        return ", ".join(f"{start}..{end}" for start, end in spans)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RateTable) and self._rows == other._rows

    def __hash__(self) -> int:
        return hash(self._rows)

    def __repr__(self) -> str:
        return f"RateTable(name={self.name!r}, {len(self._rows)} rows: {self._coverage()})"

    def __reduce__(self) -> tuple[object, ...]:
        # Picklable, so that a review can run per company on a process pool.
        return (_rebuild_table, (self._rows, self.name))


def _rebuild_table(rows: tuple[RatePeriod, ...], name: str) -> RateTable:
    return RateTable(rows, name=name)


@functools.cache
def _packaged_table(jurisdiction: Jurisdiction) -> RateTable:
    filename = _PACKAGED_FILES[jurisdiction]
    resource = resources.files("clientguard").joinpath("data").joinpath("rates").joinpath(filename)
    return RateTable._from_text(
        resource.read_text(encoding="utf-8"), name=f"packaged {jurisdiction} table ({filename})"
    )


def _parse_row(record: Mapping[str, object], where: str) -> RatePeriod:
    """A :class:`RatePeriod` from a CSV record or mapping; a :class:`DataError` naming ``where``."""
    if None in record:
        # csv.DictReader files the values beyond the header under the key None.
        raise DataError(f"{where}: more values than columns")
    unknown = [key for key in record if key not in _REQUIRED_COLUMNS + _OPTIONAL_COLUMNS]
    if unknown:
        raise DataError(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")
    start = _date_field(record, "period_start", where)
    end = _date_field(record, "period_end", where)
    if end < start:
        raise DataError(f"{where}: period_end {end} is before period_start {start}")
    statutory = _decimal_field(record, "statutory_rate_pct", where)
    if statutory is None:
        raise DataError(f"{where}: statutory_rate_pct is empty")
    text = _text_field(record, "evidence")
    evidence = _EVIDENCE_LETTERS.get(text, text)
    if evidence and evidence not in EVIDENCE:
        raise DataError(f"{where}: evidence {text!r} is not one of {', '.join(EVIDENCE)}")
    return RatePeriod(
        period_start=start,
        period_end=end,
        statutory_rate_pct=statutory,
        reference_rate_pct=_decimal_field(record, "reference_rate_pct", where),
        margin_pp=_decimal_field(record, "margin_pp", where),
        evidence=_evidence(evidence),
        source=_text_field(record, "source"),
        note=_text_field(record, "note"),
        medical_public_debtor_rate_pct=_decimal_field(
            record, "medical_public_debtor_rate_pct", where
        ),
    )


def _evidence(word: str) -> Evidence | None:
    for known in EVIDENCE:
        if word == known:
            return known
    return None


def _date_field(record: Mapping[str, object], field: str, where: str) -> date:
    value = record.get(field)
    if isinstance(value, date):
        return value
    text = str(value).strip() if value is not None else ""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{where}: {field} {text!r} is not an ISO date (YYYY-MM-DD)") from None


def _decimal_field(record: Mapping[str, object], field: str, where: str) -> Decimal | None:
    value = record.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_decimal(value, what=f"{where}: {field}")


def _text_field(record: Mapping[str, object], field: str) -> str:
    value = record.get(field)
    return "" if value is None else str(value).strip()


def _check_jurisdiction(jurisdiction: str) -> Jurisdiction:
    for known in JURISDICTIONS:
        if jurisdiction == known:
            return known
    raise DataError(f"unknown jurisdiction {jurisdiction!r}: use one of {', '.join(JURISDICTIONS)}")


def _half_year(day: date) -> tuple[date, date]:
    if day.month <= 6:
        return date(day.year, 1, 1), date(day.year, 6, 30)
    return date(day.year, 7, 1), date(day.year, 12, 31)


def _half_year_label(day: date) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"
