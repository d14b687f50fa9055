"""A store trusts the records this clientguard checked when it synced them (issue 21, item 2).

``Store.load`` makes the records of a store vouched for by this clientguard (the same
``validation_digest``, no sync by another since) without validating them again; the ledger and
the review are the same as from validated records. A store written by another clientguard is
validated as before: a record that breaks this clientguard's rules is still rejected, with its
reason.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from contextlib import closing
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given
from hypothesis import example as hypothesis_example
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import clientguard as cg
from clientguard import store as store_module
from clientguard.connector import Stream
from clientguard.errors import DataError, StoreError
from clientguard.ledger import Location
from clientguard.model import (
    Allocation,
    AnyRecord,
    CreditNote,
    Customer,
    Invoice,
    Payment,
    TimeEntry,
    WorkRequest,
)
from clientguard.report import render
from clientguard.sample import sample_records
from clientguard.store import SCHEMA_VERSION, Store
from clientguard.trust import TrustedValues, trusted_record, validation_digest

from .conftest import RECORD_STREAMS, GivenRecords


class RecordsConnector(GivenRecords):
    """Yields the records it is given, each with its place in a file (its total's column);
    a time entry without an id."""

    name: ClassVar[str] = "records"
    streams: ClassVar[tuple[Stream, ...]] = tuple(
        Stream(name=stream, kind=kind, id_field=None if kind == "time_entry" else "id")  # type: ignore[arg-type]
        for kind, stream in RECORD_STREAMS.items()
    )
    column: ClassVar[str | None] = "total"

    def raw(self, record: AnyRecord) -> dict[str, Any]:
        return {"record": record, **({"id": record.id} if getattr(record, "id", None) else {})}


def every_field() -> list[AnyRecord]:
    """Records with every kind of field set: timestamps in another zone, allocation dates,
    a time entry named by its client's name, rates, a disputed invoice."""
    warsaw = timezone(timedelta(hours=2))
    return [
        Customer(id="c1", name="Acme", tax_id="PL5260250995", email="a@acme.test",
                 source="records", updated_at=datetime(2025, 5, 2, 9, 30, tzinfo=warsaw)),
        Customer(id="c2", name="Beta", group_id="c1", source="records"),
        Invoice(id="I1", customer_id="c1", number="1/2025", issue_date=date(2025, 5, 1),
                due_date=date(2025, 5, 15), currency="USD", total=Decimal("1000.10"),
                status="paid", paid_on=date(2025, 5, 20), amount_due=Decimal("0.00"),
                fx_rate=Decimal("0.9123"), disputed=True, disputed_on=date(2025, 5, 16),
                source="records", updated_at=datetime(2025, 5, 20, 23, 0, tzinfo=warsaw)),
        Invoice(id="I2", customer_id="c2", number="2/2025", issue_date=date(2025, 5, 2),
                due_date=date(2025, 6, 1), currency="EUR", total=Decimal("250"),
                status="open", source="records"),
        Payment(id="P1", customer_id="c2", date=date(2025, 5, 10), amount=Decimal("100.5"),
                currency="EUR", source="records",
                allocations=(Allocation(invoice_id="I2", amount=Decimal("100.50"),
                                        date=date(2025, 5, 11)),)),
        CreditNote(id="K1", customer_id="c2", issue_date=date(2025, 5, 12),
                   total=Decimal("10.00"), currency="EUR", source="records",
                   allocations=(Allocation(invoice_id="I2", amount=Decimal("10.00")),)),
        TimeEntry(customer_name="Acme", date=date(2025, 5, 3), hours=Decimal("1.25"),
                  person="Ann", billable=True, source="records"),
        WorkRequest(id="W1", customer_id="c1", requested_on=date(2025, 5, 3),
                    wanted_by=date(2025, 5, 4), source="records"),
    ]


def same(trusted: Any, validated: Any) -> None:
    """The very record validation makes: type, values of the same types and digits, fields
    set, JSON."""
    assert type(trusted) is type(validated)
    assert trusted == validated
    assert repr(trusted.__dict__) == repr(validated.__dict__)
    assert list(trusted.__dict__) == list(validated.__dict__)
    assert trusted.model_fields_set == validated.model_fields_set
    assert trusted.model_dump_json() == validated.model_dump_json()
    for name, value in trusted.__dict__.items():
        assert type(value) is type(validated.__dict__[name]), name
        if name == "allocations":
            for mine, theirs in zip(value, validated.__dict__[name], strict=True):
                same(mine, theirs)


@pytest.mark.parametrize("record", every_field(), ids=lambda r: r.label)
def test_a_trusted_record_is_the_one_validation_makes(record: AnyRecord) -> None:
    text = record.model_dump_json()
    made = trusted_record(type(record), text)
    assert made is not None
    same(made, type(record).model_validate_json(text))
    assert made.model_dump_json() == text


def _reversed(value: Any) -> Any:
    """``value`` with every JSON object's keys in the reverse order."""
    if isinstance(value, dict):
        return {key: _reversed(value[key]) for key in reversed(value)}
    if isinstance(value, list):
        return [_reversed(item) for item in value]
    return value


@pytest.mark.parametrize("record", every_field(), ids=lambda r: r.label)
def test_a_trusted_record_takes_its_fields_by_name_whatever_their_order(
    record: AnyRecord,
) -> None:
    # A record (and each allocation) is filled from its values in the model's order: the
    # shape reads them in that order whatever the JSON's, so a store edited by hand with its
    # keys moved still gives every value to its own field.
    text = record.model_dump_json()
    shuffled = json.dumps(_reversed(json.loads(text)))
    assert shuffled != text
    made = trusted_record(type(record), shuffled)
    assert made is not None
    same(made, type(record).model_validate_json(text))


@pytest.mark.parametrize("change", [
    {"total": ["12.5"]},  # not the form of any field
    {"colour": "red"},  # a field it does not have
    {"id": None},  # a field that may not be empty
    # Dates and amounts in a form Python reads but this clientguard never writes: each is
    # validated instead, as a hand-edited store's record is.
    {"issue_date": "20250501"},
    {"due_date": "2025-05-15T00:00:00"},
    {"paid_on": "2025-5-20"},
    {"total": " 1000.10"},
    {"total": "1_000.10"},
    {"total": "1e3"},
    {"total": "+1000.10"},
    {"total": "NaN"},
    {"fx_rate": "Infinity"},
    {"amount_due": 0},
])
def test_json_not_in_this_clientguards_form_is_not_trusted(change: dict[str, Any]) -> None:
    invoice = every_field()[3]
    data = {**invoice.model_dump(mode="json"), **change}
    assert trusted_record(Invoice, json.dumps(data)) is None
    without = invoice.model_dump(mode="json")
    del without["amount_due"]  # every field is written: one missing is not this form
    assert trusted_record(Invoice, json.dumps(without)) is None


def stamp(path: Path) -> str | None:
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT value FROM meta WHERE key = 'records_checked_by'").fetchone()
    return None if row is None else str(row[0])


def edit(path: Path, *statements: str) -> None:
    db = sqlite3.connect(path)
    try:
        for statement in statements:
            db.execute(statement)
        db.commit()
    finally:
        db.close()


BAD_CURRENCY = ("UPDATE records SET data = json_set(data, '$.currency', 'eur') "
                "WHERE record_id = 'I2'")
"""What a record stored by another clientguard that this one's rules refuse looks like."""
ANOTHER_VERSION = ("UPDATE meta SET value = json_set(value, '$.digest', 'another clientguard') "
                   "WHERE key = 'records_checked_by'")


def test_a_store_synced_by_this_clientguard_loads_without_validating_and_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = sample_records(invoices=600)
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.sync(RecordsConnector(list(data.records())))
        assert store._trusted()
        trusted = store.load(base_currency="EUR", fx=data.fx)
        calls = []
        real = Invoice.model_validate_json.__func__  # type: ignore[attr-defined]

        def counted(cls: type[Invoice], text: str, *args: Any, **kwargs: Any) -> Invoice:
            calls.append(text)
            return real(cls, text, *args, **kwargs)  # type: ignore[no-any-return]

        monkeypatch.setattr(Invoice, "model_validate_json", classmethod(counted))
        trusted_again = store.load(base_currency="EUR", fx=data.fx)
        assert calls == []  # not one invoice validated again
        monkeypatch.setattr(store, "_trusted", lambda: False)
        validated = store.load(base_currency="EUR", fx=data.fx)
        assert len(calls) == len(validated.invoices) == 600
    for kind in ("customers", "invoices", "payments", "credit_notes", "time_entries",
                 "work_requests"):
        for mine, theirs in zip(getattr(trusted, kind), getattr(validated, kind), strict=True):
            same(mine, theirs)
    for invoice in validated.invoices[:50]:
        assert trusted.location_of(invoice) == validated.location_of(invoice)
        assert trusted.location_of(invoice) is not None
    assert trusted_again.invoices == validated.invoices
    as_of = data.as_of
    assert render(cg.review(trusted, as_of=as_of), "json") == render(
        cg.review(validated, as_of=as_of), "json")


def loaded_both_ways(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[cg.Ledger | Exception, cg.Ledger | Exception]:
    """The store's ledger loaded trusted, then validated (or the error each raised)."""
    fx = cg.money.FxTable.from_rows("EUR", [("USD", date(2025, 5, 1), Decimal("0.9"))])
    results: list[cg.Ledger | Exception] = []
    with Store.open(path) as store:
        assert store._trusted()
        for trusted in (True, False):
            monkeypatch.setattr(store, "_trusted", lambda trusted=trusted: trusted)
            try:
                results.append(store.load(base_currency="EUR", fx=fx, strict=False))
            except Exception as exc:  # compared below: the same error both ways
                results.append(exc)
    return results[0], results[1]


def assert_loaded_alike(trusted: cg.Ledger, validated: cg.Ledger) -> None:
    for kind in ("customers", "invoices", "payments", "credit_notes", "time_entries",
                 "work_requests"):
        mine, theirs = getattr(trusted, kind), getattr(validated, kind)
        assert len(mine) == len(theirs), kind
        for record, other in zip(mine, theirs, strict=True):
            same(record, other)
            assert trusted.location_of(record) == validated.location_of(other)
    assert dict(trusted._locations) == dict(validated._locations)
    assert trusted.report.rejected == validated.report.rejected


def test_every_field_survives_a_trusted_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.sync(RecordsConnector(every_field()))
    trusted, validated = loaded_both_ways(path, monkeypatch)
    assert isinstance(trusted, cg.Ledger)
    assert isinstance(validated, cg.Ledger)
    assert_loaded_alike(trusted, validated)
    assert trusted.location_of(trusted.invoices[0]) == Location("invoices.csv", 2, "total")


# Location texts a trusted store's row may hold (set on the invoice I2, the work request W1
# and the time entry): what this clientguard writes for a file's line, and every other form a
# store may hold, read alike by the trusted load and the validated one, or named damaged alike.
LOCATION_TEXTS = [
    pytest.param('{"file": "invoices.csv", "line": 7}', None, id="a file's line"),
    pytest.param('{"file": "invoices.csv", "line": 0}', None, id="line 0"),
    pytest.param('{"file": "other.csv", "line": 7}', None, id="another file than its kind's"),
    pytest.param(r'{"file": "za\u017c\u00f3\u0142\u0107.csv", "line": 3}', None,
                 id="an escaped name"),
    pytest.param('{"file": "za\u017c\u00f3\u0142\u0107.csv", "line": 3}', None,
                 id="a name not escaped"),
    pytest.param(r'{"file": "q\"uote.csv", "line": 3}', None, id="a quote in the name"),
    pytest.param('{"column": "total", "file": "invoices.csv", "line": 4}', None, id="a column"),
    pytest.param('{"detail": "GET Invoices page 3"}', None, id="an API page"),
    pytest.param('{"line": 5}', None, id="a line without a file"),
    pytest.param('{"file": "invoices.csv", "line": 999999999999999999}', None,
                 id="eighteen digits"),
    pytest.param('{"file": "invoices.csv", "line": 9999999999999999999}', None,
                 id="nineteen digits"),
    pytest.param(None, None, id="none"),
    pytest.param('{"file": "invoices.csv", "line": 012}', "not JSON", id="a leading zero"),
    pytest.param(r'{"file": "invoices.csv", "line": \u0661\u0662}', "not JSON",
                 id="escaped digits"),
    pytest.param('{"file": "invoices.csv", "line": ١٢}', "not JSON",
                 id="arabic-indic digits"),
    pytest.param('{"file": "invoices.csv", "line": 7', "not JSON", id="cut short"),
    pytest.param('{"file": "invoices.csv", "line": "7"}', "not int", id="a line as text"),
    pytest.param("[1, 2]", "not a JSON object", id="not an object"),
]


@pytest.mark.parametrize(("text", "damaged"), LOCATION_TEXTS)
@pytest.mark.parametrize("record_id", ["I2", "W1", "time entry"])
def test_a_trusted_load_reads_every_location_as_the_validated_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str | None, damaged: str | None,
    record_id: str,
) -> None:
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.sync(RecordsConnector(every_field()))
    where = ("kind = 'time_entry'" if record_id == "time entry"
             else f"record_id = '{record_id}'")
    db = sqlite3.connect(path)
    try:
        # Every other row a line of one file, as a CSV sync writes them: the row under test
        # comes after rows of the same form (I1 before I2, the invoices before the rest).
        db.execute("""UPDATE records SET location = '{"file": "invoices.csv", "line": 2}'""")
        db.execute(f"UPDATE records SET location = ? WHERE {where}", (text,))
        db.commit()
    finally:
        db.close()
    trusted, validated = loaded_both_ways(path, monkeypatch)
    if damaged is not None:
        assert isinstance(trusted, StoreError)
        assert isinstance(validated, StoreError)
        assert str(trusted) == str(validated)
        assert damaged in str(trusted)
        return
    assert isinstance(trusted, cg.Ledger)
    assert isinstance(validated, cg.Ledger)
    assert_loaded_alike(trusted, validated)


def test_a_store_written_by_another_clientguard_is_validated_and_a_bad_record_rejected(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.sync(RecordsConnector(every_field()))
    edit(path, BAD_CURRENCY, ANOTHER_VERSION)
    with Store.open(path, read_only=True) as store:
        assert not store._trusted()
        ledger = store.load(base_currency="EUR", strict=False,
                            fx=cg.money.FxTable.from_rows("EUR", []))
    assert "I2" not in {i.id for i in ledger.invoices}
    problem = next(r for r in ledger.report.rejected if r.record_id == "I2")
    assert problem.field == "currency"
    assert "'eur' is not an upper-case ISO 4217 currency code" in problem.reason


def test_a_sync_by_another_clientguard_since_ends_the_trust(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.sync(RecordsConnector(every_field()))
    # Another clientguard's sync: a row in syncs, records written, and no vouch.
    edit(path, BAD_CURRENCY,
         "INSERT INTO syncs (source, connector, full_read, started_at, status) "
         "VALUES ('records', 'records', 1, '2025-06-02T00:00:00+00:00', 'complete')")
    with Store.open(path) as store:
        assert not store._trusted()
        ledger = store.load(base_currency="EUR", strict=False)
    assert [r.field for r in ledger.report.rejected if r.record_id == "I2"] == ["currency"]


def test_this_clientguards_first_sync_of_an_older_store_checks_it_once_then_trusts_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.sync(RecordsConnector(every_field()))
    edit(path, ANOTHER_VERSION)
    with Store.open(path) as store:
        assert not store._trusted()
        store.sync(RecordsConnector(every_field()[:1]))
        assert store._trusted()  # every stored record still holds: vouched for
    edit(path, BAD_CURRENCY, ANOTHER_VERSION)
    with Store.open(path) as store:
        store.sync(RecordsConnector(every_field()[:1]))
        assert not store._trusted()  # a stored record no longer holds: checked at each load
        ledger = store.load(base_currency="EUR", strict=False)
    assert [r.field for r in ledger.report.rejected if r.record_id == "I2"] == ["currency"]


def test_the_digest_names_this_clientguard_and_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = validation_digest(SCHEMA_VERSION)
    assert digest is not None
    assert validation_digest(SCHEMA_VERSION + 1) != digest
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.sync(RecordsConnector(every_field()))
    assert f'"digest": "{digest}"' in (stamp(path) or "")
    # another clientguard version (or rules) makes another digest: not trusted
    validation_digest.cache_clear()
    monkeypatch.setattr(cg._version, "__version__", "0.0.0-other")
    try:
        assert validation_digest(SCHEMA_VERSION) != digest
        with Store.open(path) as store:
            assert not store._trusted()
    finally:
        validation_digest.cache_clear()
    assert store_module.SCHEMA_VERSION == SCHEMA_VERSION


# A stored location is written and read without the JSON encoder's and decoder's passes where
# it is a file and a line: the text must stay exactly what json.dumps wrote (older stores, and
# the rejections table, hold that form), and every text must read back as json.loads reads it.
_texts = st.one_of(st.none(), st.text(max_size=12),
                   st.sampled_from(["invoices.csv", "/tmp/a b/x.csv", 'q"uote.csv', "back\\slash",
                                    "zażółć.csv", "tab\there", "", "line\n2"]))


@given(file=_texts, line=st.one_of(st.none(), st.integers(-5, 10**20)), column=_texts,
       detail=_texts)
def test_a_location_is_stored_as_json_dumps_writes_it_and_read_back_the_same(
    file: str | None, line: int | None, column: str | None, detail: str | None
) -> None:
    location = Location(file, line, column, detail)
    fields = {"file": file, "line": line, "column": column, "detail": detail}
    expected = json.dumps({k: v for k, v in fields.items() if v is not None}, sort_keys=True)
    text = store_module._location_text(location)
    assert text == expected
    assert store_module._location_from(text) == location


@given(text=st.one_of(
    st.from_regex(r'\{"file": "[ -~]{0,8}", "line": -?[0-9]{1,21}\}', fullmatch=True),
    st.from_regex(r'\{ ?"file" ?: ?"[^"]{0,6}" ?, ?"line" ?: ?[0-9]{1,4} ?\}', fullmatch=True),
))
def test_a_stored_location_text_reads_as_the_json_decoder_reads_it(text: str) -> None:
    try:
        data = json.loads(text)
    except ValueError:
        # Not JSON (an unescaped quote, a leading zero...): a damaged location, named as such.
        with pytest.raises(ValueError, match="not JSON"):
            store_module._location_from(text)
        return
    assert store_module._location_from(text) == Location(data.get("file"), data.get("line"))


def test_a_trusted_load_keeps_one_object_a_distinct_date_or_amount_and_every_digit() -> None:
    # A store's million invoices hold a few thousand distinct dates and totals: made with one
    # TrustedValues, equal texts give one object; equal amounts written with other digits
    # (1.5 and 1.50) keep their own, as validation makes them.
    shared = TrustedValues()
    texts = [
        Invoice(id=f"I{n}", number=f"{n}", customer_id="c1", issue_date=date(2025, 5, 1),
                due_date=date(2025, 5, 15), currency="EUR", total=Decimal(total),
                amount_due=Decimal("0.00"), status="open", source="records").model_dump_json()
        for n, total in enumerate(["1.5", "1.50", "1.5", "0", "0.00", "-0.00"])
    ]
    made = [trusted_record(Invoice, text, shared) for text in texts]
    for record, text in zip(made, texts, strict=True):
        assert record is not None
        same(record, Invoice.model_validate_json(text))
    invoices = [record for record in made if isinstance(record, Invoice)]
    assert [str(i.total) for i in invoices] == ["1.5", "1.50", "1.5", "0", "0.00", "-0.00"]
    assert invoices[0].total is invoices[2].total
    assert invoices[0].total is not invoices[1].total
    assert invoices[4].total is not invoices[5].total  # equal, but not the same digits
    assert len({id(i.issue_date) for i in invoices}) == 1
    assert len({id(i.amount_due) for i in invoices}) == 1


@given(
    amounts=st.lists(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**12,
                                 max_value=10**12), min_size=1, max_size=6),
    days=st.lists(st.dates(), min_size=1, max_size=6),
)
def test_a_trusted_record_with_shared_values_is_the_one_validation_makes(
    amounts: list[Decimal], days: list[date]
) -> None:
    # Any amount (every exponent and sign) and any date, shared with the records before it:
    # the record validation makes (the JSON writes every Decimal as ``str`` does, every date
    # as ``isoformat``: each is trusted).
    shared = TrustedValues()
    for number, (amount, day) in enumerate(zip(amounts, days * len(amounts), strict=False)):
        try:
            invoice = Invoice(id=f"I{number}", number="1", customer_id="c1", issue_date=day,
                              due_date=day, currency="EUR", total=abs(amount),
                              amount_due=amount, fx_rate=None, status="open", source="s")
        except DataError:
            continue  # not a valid invoice: no store holds it
        text = invoice.model_dump_json()
        made = trusted_record(Invoice, text, shared)
        assert made is not None, text
        same(made, Invoice.model_validate_json(text))


def test_a_trusted_stores_load_shares_equal_dates_and_amounts(tmp_path: Path) -> None:
    data = sample_records(invoices=600)
    with Store.open(tmp_path / "store.db") as store:
        store.sync(RecordsConnector(list(data.records())))
        assert store._trusted()
        ledger = store.load(base_currency="EUR", fx=data.fx)
    invoices = ledger.invoices
    for field in ("issue_date", "due_date", "total"):
        values = [getattr(i, field) for i in invoices]
        assert len({id(v) for v in values}) == len({str(v) for v in values}), field
    allocations = [a for p in ledger.payments for a in p.allocations]
    amounts = {id(a.amount) for a in allocations}
    assert len(amounts) == len({str(a.amount) for a in allocations})


def test_records_read_from_one_file_share_its_name() -> None:
    first = store_module._location_from('{"file": "/data/invoices.csv", "line": 2}')
    second = store_module._location_from('{"file": "/data/invoices.csv", "line": 3}')
    assert first is not None
    assert second is not None
    assert (first.line, second.line) == (2, 3)
    assert first.file is second.file


def test_the_sync_stores_every_kind_of_record_as_model_dump_json_writes_it() -> None:
    # The sync serialises a record without model_dump_json's wrapper: the text must be the
    # same for every kind (the store's readers, and older clientguards, read that text).
    data = sample_records(0)
    records: list[AnyRecord] = [*data.customers, *data.invoices, *data.payments,
                                *data.credit_notes, *data.time_entries, *data.work_requests]
    assert {type(r).__name__ for r in records} >= {
        "Customer", "Invoice", "Payment", "CreditNote", "TimeEntry", "WorkRequest"}
    assert store_module._records_json(records) == [r.model_dump_json() for r in records]


# Hand edits of a record that this clientguard's rules refuse, in a store it vouched for: the
# expected reasons are the model's (clientguard/model.py: amounts are non-negative, currencies
# upper-case ISO 4217 codes, the review's BAD_CURRENCY above).
HAND_EDITS = [
    pytest.param("json_set(data, '$.total', '-999.99')", "total", "-999.99 is negative",
                 id="a negative total"),
    pytest.param("json_set(data, '$.currency', 'eur')", "currency",
                 "'eur' is not an upper-case ISO 4217 currency code", id="a lower-case currency"),
    pytest.param("json_set(data, '$.customer_id', '')", "customer_id", "",
                 id="no customer"),
]


@pytest.mark.parametrize(("change", "field", "reason"), HAND_EDITS)
def test_a_record_edited_by_hand_in_a_trusted_store_is_rejected_as_in_any_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, field: str, reason: str
) -> None:
    # docs/cli.md ("A damaged store is named"): a stored record that breaks a rule is reported
    # as a rejection. Before: the trusted load kept I2 with its edited values (a review of a
    # store without credit notes said its credit notes exceeded its invoices).
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.sync(RecordsConnector(every_field()))
    edit(path, f"UPDATE records SET data = {change} WHERE record_id = 'I2'")
    trusted, validated = loaded_both_ways(path, monkeypatch)
    assert isinstance(trusted, cg.Ledger)
    assert isinstance(validated, cg.Ledger)
    assert_loaded_alike(trusted, validated)
    assert [i.id for i in trusted.invoices] == ["I1"]
    (problem,) = [r for r in trusted.report.rejected if r.record_id == "I2"]
    assert problem.field == field
    assert reason in problem.reason
    # A later sync vouches for the store again, without reading I2: still rejected.
    with Store.open(path) as store:
        store.sync(RecordsConnector(every_field()[:1]))
        assert store._trusted()
        again = store.load(base_currency="EUR", strict=False)
    assert [r.field for r in again.report.rejected if r.record_id == "I2"] == [field]
    assert "I2" not in {i.id for i in again.invoices}


def test_a_store_without_digests_is_validated_until_a_sync_checks_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A store of schema 11 (no digest column): migrated when opened, validated at each load
    # (as before) until a sync checks every record once and writes their digests.
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.sync(RecordsConnector(every_field()))
    # Its vouch is the older clientguard's (whose digest names schema 11).
    edit(path, "ALTER TABLE records DROP COLUMN digest", "PRAGMA user_version = 11",
         ANOTHER_VERSION)
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert not store._trusted()
        # Only a customer read again: the invoices, payments... keep their rows.
        store.sync(RecordsConnector(every_field()[:1]))
        assert store._trusted()
        calls: list[str] = []
        real = Invoice.model_validate_json.__func__  # type: ignore[attr-defined]

        def counted(cls: type[Invoice], text: str, *args: Any, **kwargs: Any) -> Invoice:
            calls.append(text)
            return real(cls, text, *args, **kwargs)  # type: ignore[no-any-return]

        monkeypatch.setattr(Invoice, "model_validate_json", classmethod(counted))
        trusted = store.load(base_currency="EUR", strict=False)
        assert calls == []  # every row has its digest now: none validated again
        monkeypatch.setattr(store, "_trusted", lambda: False)
        validated = store.load(base_currency="EUR", strict=False)
    assert len(calls) == len(validated.invoices) == 2
    assert_loaded_alike(trusted, validated)


# Values a hand edit may write into a stored record's field: sound ones and every kind that
# breaks a rule (negative, too many digits, not a date, lower case, empty, of another type).
EDITED_VALUES = st.one_of(
    st.sampled_from(["-999.99", "100.005", "1E+30", "0", "eur", "XXX", "", "2025-04-01",
                     "2025-13-01", "bogus", "paid", "c1"]),
    st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False).map(str),
    st.integers(min_value=-10, max_value=10),
    st.none(),
    st.booleans(),
)


@given(
    record_id=st.sampled_from(["I1", "I2", "P1", "K1", "c2", "W1"]),
    field=st.sampled_from(["total", "amount", "currency", "due_date", "issue_date", "date",
                           "customer_id", "status", "amount_due", "name", "wanted_by"]),
    value=EDITED_VALUES,
)
@hypothesis_example(record_id="I2", field="total", value="-999.99")
@hypothesis_settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])
def test_any_hand_edit_of_a_trusted_store_loads_as_a_validated_load_does(
    record_id: str, field: str, value: Any
) -> None:
    # The invariant docs/cli.md states: the same store gives the same ledger, rejections
    # included, whether this clientguard trusts it or validates every record.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.db"
        with Store.open(path) as store:
            store.sync(RecordsConnector(every_field()))
        with closing(sqlite3.connect(path)) as db, db:
            db.execute(f"UPDATE records SET data = json_set(data, '$.{field}', json(?)) "
                       "WHERE record_id = ?", (json.dumps(value), record_id))
        fx = cg.money.FxTable.from_rows("EUR", [("USD", date(2025, 5, 1), Decimal("0.9"))])
        results: list[cg.Ledger | Exception] = []
        with Store.open(path) as store:
            assert store._trusted()
            for trusted in (True, False):
                setattr(store, "_trusted", lambda answer=trusted: answer)  # noqa: B010
                try:
                    results.append(store.load(base_currency="EUR", fx=fx, strict=False))
                except Exception as exc:  # compared below: the same error both ways
                    results.append(exc)
    mine, theirs = results
    if isinstance(mine, cg.Ledger) and isinstance(theirs, cg.Ledger):
        assert_loaded_alike(mine, theirs)
    else:
        assert type(mine) is type(theirs)
        assert str(mine) == str(theirs)
