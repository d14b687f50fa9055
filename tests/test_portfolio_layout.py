"""The Parquet layout: a firm written and read back, bad rows as rejections, the store's
export and its round trip (store -> Parquet -> ledger gives the same review)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow", reason="the portfolio's tests need clientguard[parquet]")
import pyarrow.parquet as pq  # noqa: E402

from clientguard import review  # noqa: E402
from clientguard.cli import EXIT_OK, EXIT_USAGE, main  # noqa: E402
from clientguard.connector import (  # noqa: E402
    Connector,
    ConnectorOptions,
    Mapped,
    RawPage,
    RawRecord,
    Stream,
)
from clientguard.fx import fx_table as fx_table_of_rows  # noqa: E402
from clientguard.fx.banks import nbp_rows  # noqa: E402
from clientguard.model import (  # noqa: E402
    CreditNote,
    Customer,
    Invoice,
    Payment,
    TimeEntry,
    WorkRequest,
)
from clientguard.portfolio import (  # noqa: E402
    LAYOUT_FILE,
    LAYOUT_VERSION,
    TABLES,
    LayoutError,
    firm_ids,
    read_firm,
    read_firm_records,
    write_firm,
)
from clientguard.records import Location, Rejection  # noqa: E402
from clientguard.report.document import render_json  # noqa: E402
from clientguard.sample import SAMPLE_AS_OF, sample_records  # noqa: E402
from clientguard.store import Store  # noqa: E402
from clientguard.testing import (  # noqa: E402
    credit_note,
    customer,
    fx_table,
    invoice,
    payment,
    time_entry,
    work_request,
)

AS_OF = date(2025, 6, 30)


def small_firm() -> list[Any]:
    inv1 = invoice("acme", issued="2025-01-01", due="2025-01-31", total="1210.00", id="I-1")
    inv2 = invoice("acme", issued="2025-02-01", due="2025-03-03", total="99.99", id="I-2",
                   currency="GBP")
    return [
        customer("acme", name="Acme Sp. z o.o.", tax_id="PL5260250274", group="g1"),
        inv1,
        inv2,
        payment("acme", on="2025-02-10", amount="1000.00", pays=inv1, id="P-1"),
        credit_note("acme", issued="2025-02-11", total="210.00", applies_to=inv1, id="C-1"),
        time_entry("acme", on="2025-01-05", hours="7.25", person="Ola", billable=True),
        work_request("acme", requested="2025-01-02", wanted="2025-01-03", id="W-1"),
    ]


def test_a_firm_written_then_read_gives_back_the_same_records(tmp_path: Path) -> None:
    records = small_firm()
    fx = fx_table("EUR", {"GBP": {"2025-02-01": "1.1800"}})
    write_firm(tmp_path, "acme-firm", records, base_currency="EUR", fx=fx)

    found = read_firm_records(tmp_path, "acme-firm")

    def by_kind(items: Any) -> dict[str, list[Any]]:
        kinds: dict[str, list[Any]] = {}
        for record in items:
            kinds.setdefault(record.kind, []).append(record)
        return kinds

    assert by_kind(found.records) == by_kind(records)
    assert found.base_currency == "EUR"
    assert found.fx is not None
    assert found.fx.rate("GBP", date(2025, 2, 1)) == Decimal("1.18")
    assert found.rejected == ()
    ledger = read_firm(tmp_path, "acme-firm")
    assert ledger.report.accepted["invoices"] == 2
    # The money keeps its currency's places: 99.99 and 1210.00, not eighteen decimals.
    assert {str(i.total) for i in ledger.invoices} == {"1210.00", "99.99"}


def test_the_layout_is_versioned_typed_and_partitioned_by_firm(tmp_path: Path) -> None:
    write_firm(tmp_path, "acme", small_firm(), base_currency="EUR")
    described = json.loads((tmp_path / LAYOUT_FILE).read_text())
    assert described["layout_version"] == LAYOUT_VERSION
    # Every table has the firm's partition, Hive style, with the version in its metadata.
    for table in TABLES:
        path = tmp_path / table / "firm_id=acme" / "part-0.parquet"
        schema = pq.read_schema(path)
        assert schema.metadata[b"clientguard.layout_version"] == str(LAYOUT_VERSION).encode()
    invoices = pq.read_schema(tmp_path / "invoices" / "firm_id=acme" / "part-0.parquet")
    assert invoices.field("total").type == pa.decimal128(38, 18)
    assert invoices.field("issue_date").type == pa.date32()
    assert invoices.field("currency").type == pa.string()
    allocations = pq.read_table(tmp_path / "allocations" / "firm_id=acme")
    assert allocations.column("document_kind").to_pylist() == ["payment", "credit_note"]
    assert firm_ids(tmp_path) == ("acme",)


def test_a_second_write_of_a_firm_replaces_it(tmp_path: Path) -> None:
    write_firm(tmp_path, "acme", small_firm(), base_currency="EUR")
    write_firm(tmp_path, "acme", small_firm()[:2], base_currency="EUR")
    ledger = read_firm(tmp_path, "acme")
    assert ledger.report.accepted["invoices"] == 1
    assert not ledger.payments


def test_a_bad_row_is_a_rejection_naming_its_file_and_row(tmp_path: Path) -> None:
    write_firm(tmp_path, "acme", small_firm(), base_currency="EUR")
    path = tmp_path / "invoices" / "firm_id=acme" / "part-0.parquet"
    table = pq.read_table(path)
    rows = table.to_pylist()
    rows[1]["currency"] = "gbp"
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)

    ledger = read_firm(tmp_path, "acme")

    rejected = [r for r in ledger.report.rejected if r.kind == "invoice"]
    assert len(rejected) == 1
    (bad,) = rejected
    assert (bad.record_id, bad.field) == ("I-2", "currency")
    assert bad.location == Location(file="invoices/firm_id=acme/part-0.parquet", detail="row 2")
    assert "'GBP'" in bad.reason  # the did-you-mean of the model
    assert [i.id for i in ledger.invoices] == ["I-1"]


def test_a_firm_keeps_the_days_its_nbp_tables_were_published(tmp_path: Path) -> None:
    # Thursday 27 and Friday 28 February 2025: Polish VAT applies each NBP table from the next
    # day, so a document of the 28th takes Thursday's 4.1000, while the fixed compensation of
    # a debt due in March takes the table published on the 28th, 4.2000 (art. 10 ust. 1a).
    rows = nbp_rows([
        {"table": "A", "no": "040/A/NBP/2025", "effectiveDate": "2025-02-27",
         "rates": [{"currency": "euro", "code": "EUR", "mid": "4.1000"}]},
        {"table": "A", "no": "041/A/NBP/2025", "effectiveDate": "2025-02-28",
         "rates": [{"currency": "euro", "code": "EUR", "mid": "4.2000"}]},
    ])
    write_firm(tmp_path, "gdansk", [customer("gdansk")], base_currency="PLN",
               fx=fx_table_of_rows(rows, "PLN"))

    fx = read_firm_records(tmp_path, "gdansk").fx

    assert fx is not None
    assert fx.rate("EUR", date(2025, 2, 28)) == Decimal("4.1")
    assert fx.rate_published_on("EUR", date(2025, 2, 28)) == Decimal("4.2")


def test_a_lake_written_before_the_published_rates_reads_them_as_the_rates(
    tmp_path: Path,
) -> None:
    # A lake of an earlier version has no fx_published_rates table: every rate is then taken
    # as published on the day it applies from, as such a table was built.
    write_firm(tmp_path, "acme", small_firm(), base_currency="EUR",
               fx=fx_table("EUR", {"GBP": {"2025-02-01": "1.1800"}}))
    for path in (tmp_path / "fx_published_rates").rglob("*.parquet"):
        path.unlink()

    fx = read_firm_records(tmp_path, "acme").fx

    assert fx is not None
    assert fx.published == {}
    assert fx.rate_published_on("GBP", date(2025, 2, 3)) == Decimal("1.18")


def test_columns_the_layout_does_not_name_are_left_alone(tmp_path: Path) -> None:
    # A lake written by another tool may add its own columns (a load date, a hash).
    fx = fx_table("EUR", {"GBP": {"2025-02-01": "1.1800"}})
    write_firm(tmp_path, "acme", small_firm(), base_currency="EUR", fx=fx)
    path = tmp_path / "invoices" / "firm_id=acme" / "part-0.parquet"
    table = pq.read_table(path)
    pq.write_table(table.append_column("loaded_on", pa.array(["2025-07-01"] * len(table))), path)

    ledger = read_firm(tmp_path, "acme")

    assert ledger.report.rejected == ()
    assert ledger.report.accepted["invoices"] == 2


def test_an_allocation_whose_document_is_missing_is_a_rejection(tmp_path: Path) -> None:
    write_firm(tmp_path, "acme", small_firm(), base_currency="EUR")
    path = tmp_path / "allocations" / "firm_id=acme" / "part-0.parquet"
    table = pq.read_table(path)
    rows = table.to_pylist()
    rows[0]["document_id"] = "P-404"
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)

    ledger = read_firm(tmp_path, "acme")

    (orphan,) = [r for r in ledger.report.rejected if r.kind == "allocation"]
    assert "'P-404'" in orphan.reason
    assert orphan.location == Location(file="allocations/firm_id=acme/part-0.parquet",
                                       detail="row 1")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda root: (root / LAYOUT_FILE).unlink(), "has no _clientguard_layout.json"),
        (lambda root: (root / LAYOUT_FILE).write_text(
            json.dumps({"layout": "clientguard-parquet", "layout_version": 99})),
         "upgrade clientguard"),
        (lambda root: (root / "payments" / "firm_id=acme" / "part-0.parquet").write_bytes(
            b"not parquet"), "payments/firm_id=acme/part-0.parquet: cannot be read as Parquet"),
    ],
    ids=["no-layout-file", "newer-layout", "not-parquet"],
)
def test_a_lake_that_cannot_be_read_says_what_and_where(
    tmp_path: Path, damage: Any, message: str
) -> None:
    write_firm(tmp_path, "acme", small_firm(), base_currency="EUR")
    damage(tmp_path)
    with pytest.raises(LayoutError, match=message):
        read_firm(tmp_path, "acme")


@pytest.mark.parametrize("firm_id", ["", "../x", "a/b", ".hidden", "_meta", "a b", "x" * 201])
def test_a_firm_id_a_path_cannot_hold_is_refused(tmp_path: Path, firm_id: str) -> None:
    with pytest.raises(LayoutError, match="cannot name a partition"):
        write_firm(tmp_path, firm_id, [], base_currency="EUR")


def test_a_firm_not_in_the_lake_is_an_error_naming_it(tmp_path: Path) -> None:
    write_firm(tmp_path, "acme", [], base_currency="EUR")
    with pytest.raises(LayoutError, match="no firm 'other'"):
        read_firm(tmp_path, "other")


def test_an_amount_with_more_decimals_than_the_column_holds_is_refused(tmp_path: Path) -> None:
    fine = invoice("acme", issued="2025-01-01", due="2025-01-31",
                   total="1." + "1" * 19, id="I-9")
    with pytest.raises(LayoutError, match="18 decimals"):
        write_firm(tmp_path, "acme", [fine], base_currency="EUR")


def test_rejections_notes_and_warnings_are_carried(tmp_path: Path) -> None:
    kept = Rejection(kind="row", source="books", record_id=None, field="Total",
                     reason="'abc' is not a number", location=Location(file="q1.csv", line=7),
                     record={"Total": "abc"})
    write_firm(tmp_path, "acme", small_firm(), base_currency="EUR", rejected=[kept],
               notes=["books: no payments stream"], warnings=["the last sync did not complete"])
    ledger = read_firm(tmp_path, "acme")
    assert kept in ledger.report.rejected
    assert ledger.report.notes == ("books: no payments stream",)
    assert ledger.report.warnings == ("the last sync did not complete",)


# ------------------------------------------------------------------ the store's round trip


class SampleOptions(ConnectorOptions):
    seed: int = 3
    customers: int = 12


class SampleConnector(Connector):
    """Serves the sample firm's records as raw JSON pages, plus one row it cannot map."""

    name: ClassVar[str] = "sample"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", id_field="id"),
        Stream(name="invoices", kind="invoice", id_field="id"),
        Stream(name="payments", kind="payment", id_field="id"),
        Stream(name="credit_notes", kind="credit_note", id_field="id"),
        Stream(name="time_entries", kind="time_entry"),
        Stream(name="work_requests", kind="work_request", id_field="id"),
    )
    Options = SampleOptions
    options: SampleOptions
    models: ClassVar[Mapping[str, Any]] = {
        "customer": Customer, "invoice": Invoice, "payment": Payment,
        "credit_note": CreditNote, "time_entry": TimeEntry, "work_request": WorkRequest,
    }

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        data = sample_records(self.options.seed, customers=self.options.customers)
        records = getattr(data, stream.name)
        raws = [RawRecord(r.model_dump(mode="json"), Location(file=f"{stream.name}.json",
                                                                line=n))
                for n, r in enumerate(records, start=1)]
        if stream.name == "invoices":
            broken = {**records[0].model_dump(mode="json"), "id": "BROKEN", "total": "-5"}
            raws.append(RawRecord(broken, Location(file="invoices.json", line=99999)))
        yield RawPage(tuple(raws), last=True)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        return self.models[stream.kind].model_validate(dict(raw))  # type: ignore[no-any-return]


def synced_store(path: Path) -> Store:
    store = Store.open(path)
    store.sync(SampleConnector(clock=lambda: datetime(2026, 7, 1, tzinfo=UTC)))
    return store


def test_store_to_parquet_to_ledger_gives_the_same_review(tmp_path: Path) -> None:
    from clientguard.portfolio.export import export_store

    data = sample_records(3, customers=12)
    with synced_store(tmp_path / "books.db") as store:
        direct = store.load(base_currency="EUR", fx=data.fx, strict=False)
        assert len(store.rejections()) == 1  # the broken row, kept with its place
        export_store(store, tmp_path / "lake", "kestrel", base_currency="EUR", fx=data.fx)
    through_the_lake = read_firm(tmp_path / "lake", "kestrel")

    expected = render_json(review(direct, as_of=SAMPLE_AS_OF))
    got = render_json(review(through_the_lake, as_of=SAMPLE_AS_OF))
    assert json.loads(got) == json.loads(expected)
    assert "invoices.json, line 99999" in got


def test_the_export_command_writes_the_store_into_a_lake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    synced_store(tmp_path / "clientguard.db").close()
    code = main(["export", "--format", "parquet", "--firm-id", "kestrel",
                 "--base-currency", "EUR", "lake"])
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    assert "records of firm kestrel written to lake" in out
    found = read_firm_records(tmp_path / "lake", "kestrel")
    assert found.base_currency == "EUR"
    with Store.open(tmp_path / "clientguard.db", read_only=True) as store:
        assert len(found.records) == len(list(store.records()))

    code = main(["export", "--format", "parquet", "--firm-id", "../up", "lake"])
    assert code == EXIT_USAGE
    assert "cannot name a partition" in capsys.readouterr().err


def test_importing_clientguard_imports_no_engine() -> None:
    code = (
        "import sys, clientguard, clientguard.portfolio, clientguard.cli\n"
        "clientguard.cli.build_parser()\n"
        "heavy = {'pyarrow', 'dask', 'distributed', 'pyspark', 'pandas'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("count", "polish"),
    [(1, "Zapisano 1 rekord firmy acme w lake"), (3, "Zapisano 3 rekordy firmy acme w lake"),
     (5, "Zapisano 5 rekordów firmy acme w lake"), (22, "Zapisano 22 rekordy firmy acme w lake")],
)
def test_the_export_sentence_in_polish_has_the_plural_form_of_its_number(
    count: int, polish: str
) -> None:
    from clientguard.i18n import ngettext, using

    with using("pl"):
        text = ngettext("{records} record of firm {firm} written to {directory}",
                        "{records} records of firm {firm} written to {directory}", count)
    assert text.format(records=count, firm="acme", directory="lake") == polish


def _trim_reference(value: Decimal, places: int) -> Decimal:
    """The money trim as first written (quantize to the currency's places when that keeps the
    value, else its significant digits, in plain digits): the faster one must agree."""
    if not value.is_finite():
        return value
    quantum = Decimal(1).scaleb(-places)
    kept = value.quantize(quantum) if value == value.quantize(quantum) else value.normalize()
    return kept if kept.as_tuple().exponent <= 0 else kept.quantize(Decimal(1))  # type: ignore[operator]


@settings(max_examples=400, deadline=None)
@given(
    units=st.integers(min_value=0, max_value=10**20),
    shift=st.integers(min_value=0, max_value=18),
    padded=st.booleans(),
    places=st.sampled_from([0, 2, 3]),
)
def test_money_read_back_from_decimal128_keeps_its_value_and_the_currency_places(
    units: int, shift: int, padded: bool, places: int
) -> None:
    # A decimal128(38, 18) column gives 12.500000000000000000 back for 12.50: the value is
    # written with the currency's places when they hold it, else its significant digits.
    from clientguard.portfolio.layout import _trim

    value = Decimal(units).scaleb(-shift)
    if padded and value.adjusted() + 18 < 28:
        value = value.quantize(Decimal(1).scaleb(-18))
    trimmed = _trim(value, places)
    assert trimmed == value
    assert str(trimmed) == str(_trim_reference(value, places))
    assert trimmed.as_tuple().exponent <= 0  # type: ignore[operator]


_cells = st.one_of(st.none(), st.integers(-10**6, 10**6))


@settings(deadline=None)
@given(chunks=st.lists(st.lists(_cells, max_size=12), min_size=1, max_size=3),
       kind=st.sampled_from(["date", "decimal"]))
def test_a_date_or_decimal_column_reads_as_pyarrow_gives_each_cell(
    chunks: list[list[int | None]], kind: str
) -> None:
    # A firm's dates and decimals are read once per distinct value and shared by their rows:
    # each row still gets its own cell's value, nulls and chunk boundaries included.
    from clientguard.portfolio.layout import _values

    cells: list[list[date | None]] | list[list[Decimal | None]]
    if kind == "date":
        arrow_type = pa.date32()
        cells = [[None if c is None else date.fromordinal(739000 + c % 5000)
                  for c in chunk] for chunk in chunks]
    else:
        arrow_type = pa.decimal128(38, 18)
        cells = [[None if c is None else Decimal(c % 50).scaleb(-2) for c in chunk]
                 for chunk in chunks]
    column = pa.chunked_array([pa.array(chunk, type=arrow_type) for chunk in cells],
                              type=arrow_type)
    expected = [cell for chunk in cells for cell in chunk]
    got = _values(column)
    assert got == expected
    assert [type(cell) for cell in got] == [type(cell) for cell in expected]


@settings(deadline=None)
@given(values=st.lists(st.decimals(allow_nan=False, allow_infinity=False, places=4,
                                   min_value=-10**6, max_value=10**6), max_size=20),
       currency=st.sampled_from(["EUR", "JPY", "KWD"]))
def test_a_repeated_amount_is_trimmed_as_it_would_be_alone(
    values: list[Decimal], currency: str
) -> None:
    # Trims are kept per read (a firm's amounts repeat): every amount, hours and rate still
    # gets the trim of its own value, whatever came before it (1.5 and 1.50, 0 and -0).
    from clientguard.portfolio.layout import _places_of, _trim, _trimmed

    trims: dict[tuple[Decimal, bool, int], Decimal] = {}
    for value in [*values, *(-v for v in values), *(v.quantize(Decimal("0.000001"))
                                                    for v in values)]:
        row = _trimmed({"currency": currency, "total": value, "hours": value}, trims)
        assert str(row["total"]) == str(_trim(value, _places_of(currency)))
        assert str(row["hours"]) == str(_trim(value, 0))
