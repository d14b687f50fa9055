"""A header that names several columns alike, as ING Bank Śląski's account history CSV
heads a ``Waluta`` (currency) column after each of its amounts: ``occurrence`` says which.

The layout is ING's as public parsers of it write it (see docs/connectors/csv.md, *Columns
of one name*); the file here is written for the test, with made-up names and amounts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clientguard.model import Payment
from clientguard.records import Rejection
from clientguard_csv import CsvFileError, MappingError
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Loaded, read_records

Write = Callable[..., Path]
ReadAlike = Callable[..., Any]

#: ING's header: four columns named ``Waluta``, at columns 10, 12, 14 and 17 (from 1).
ING_HEADER = (
    '"Data transakcji";"Data księgowania";"Dane kontrahenta";"Tytuł";"Nr rachunku";'
    '"Nazwa banku";"Szczegóły";"Nr transakcji";"Kwota transakcji (waluta rachunku)";'
    '"Waluta";"Kwota blokady/zwolnienie blokady";"Waluta";"Kwota płatności w walucie";'
    '"Waluta";"Konto";"Saldo po transakcji";"Waluta"'
)

#: A preamble, the header on line 4, then: a transfer in PLN (line 5); a card blockade with
#: no transaction amount (line 6, left out by skip_blank); a transfer into the EUR account
#: paid in USD (line 7: the account's currency, EUR, is the first Waluta, USD the third).
ING_FILE = "\r\n".join([
    '"Lista transakcji";;',
    '"Dokument nr 0000001/2026";;',
    "",
    ING_HEADER,
    '2026-01-10;2026-01-10;"Acme Sp. z o.o.";"FV 1/2026";;;"PRZELEW";"T1";1 230,00;PLN;;;'
    ';;"KONTO";5 000,00;PLN',
    '2026-01-11;;"Beta S.A.";"FV 2/2026";;;"TR.KART";"T2";;;-50,00;PLN;;;"KONTO";4 950,00;PLN',
    '2026-01-12;2026-01-12;"Gamma GmbH";"FV 3/2026";;;"PRZELEW";"T3";92,10;EUR;;;100,00;USD;'
    '"KONTO EUR";192,10;EUR',
]) + "\r\n"


def ing_mapping(currency: Any) -> dict[str, Any]:
    return {
        "date_formats": ["%Y-%m-%d"],
        "decimal": ",",
        "payments": {
            "skip_blank": ["Kwota transakcji (waluta rachunku)"],
            "columns": {
                "date": "Data transakcji",
                "customer_name": "Dane kontrahenta",
                "amount": "Kwota transakcji (waluta rachunku)",
                "currency": currency,
            },
        },
    }


def payments(mapping: dict[str, Any], path: Path) -> list[tuple[str, date, Decimal, str]]:
    return [
        (item.record.customer_id, item.record.date, item.record.amount, item.record.currency)
        for item in read_records(mapping_from_dict(mapping), {"payments": [path]})
        if isinstance(item, Loaded) and isinstance(item.record, Payment)
    ]


@pytest.mark.parametrize("encoding", ["cp1250", "utf-8-sig"])
def test_the_first_waluta_is_the_currency_of_the_amount_before_it(
    write: Write, read_alike: ReadAlike, encoding: str
) -> None:
    path = write("ing.csv", ING_FILE, encoding)
    mapping = ing_mapping({"column": "Waluta", "occurrence": 1})
    # By hand from ING_FILE: lines 5 and 7; line 6 has no transaction amount.
    assert payments(mapping, path) == [
        ("Acme Sp. z o.o.", date(2026, 1, 10), Decimal("1230.00"), "PLN"),
        ("Gamma GmbH", date(2026, 1, 12), Decimal("92.10"), "EUR"),
    ]
    log = read_alike(mapping, {"payments": [path]})
    assert log.files[0].skipped == 1


def test_a_later_waluta_is_read_where_the_mapping_says_so(write: Write) -> None:
    path = write("ing.csv", ING_FILE, "cp1250")
    mapping = ing_mapping({"column": "Waluta", "occurrence": 3})
    read = list(read_records(mapping_from_dict(mapping), {"payments": [path]}))
    # Line 7's third Waluta is USD, not the EUR its amount is in; line 5's is empty.
    gamma = [i.record for i in read if isinstance(i, Loaded) and isinstance(i.record, Payment)]
    assert [(p.amount, p.currency) for p in gamma] == [(Decimal("92.10"), "USD")]
    rejected = [i for i in read if isinstance(i, Rejection)]
    assert len(rejected) == 1
    assert rejected[0].location is not None
    assert rejected[0].location.line == 5
    assert rejected[0].location.column == "Waluta (column 14)"


def test_a_repeated_column_without_occurrence_says_how_to_pick_one(write: Write) -> None:
    path = write("ing.csv", ING_FILE, "cp1250")
    with pytest.raises(CsvFileError) as caught:
        list(read_records(mapping_from_dict(ing_mapping("Waluta")), {"payments": [path]}))
    message = str(caught.value)
    assert "line 4: the header has the column 'Waluta' 4 times" in message
    assert "{ column = 'Waluta', occurrence = N }" in message
    assert "at columns 10, 12, 14 and 17 of the header" in message


def test_an_occurrence_the_header_lacks_is_a_missing_column(write: Write) -> None:
    path = write("ing.csv", ING_FILE, "cp1250")
    mapping = ing_mapping({"column": "Waluta", "occurrence": 5})
    with pytest.raises(CsvFileError, match=r"Missing: 'Waluta' \(the 5th of that name\)"):
        list(read_records(mapping_from_dict(mapping), {"payments": [path]}))


def test_an_optional_occurrence_the_header_lacks_leaves_the_field_empty(write: Write) -> None:
    path = write("ing.csv", ING_FILE, "cp1250")
    mapping = ing_mapping({"column": "Waluta", "occurrence": 5, "optional": True})
    mapping["currency"] = "PLN"
    assert [p[3] for p in payments(mapping, path)] == ["PLN", "PLN"]


def test_a_name_used_once_reads_alike_with_occurrence_one(write: Write) -> None:
    path = write("one.csv", "Klient;Data;Kwota;Waluta\nAcme;2026-01-10;10,00;EUR\n")
    mapping = ing_mapping("x")
    mapping["payments"] = {"columns": {
        "customer_name": "Klient", "date": "Data", "amount": "Kwota",
        "currency": {"column": "Waluta", "occurrence": 1}}}
    assert payments(mapping, path) == [("Acme", date(2026, 1, 10), Decimal("10.00"), "EUR")]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"column": "Waluta", "occurrence": 0}, "greater than or equal to 1"),
        ({"join": ["Waluta", "Konto"], "occurrence": 2}, "occurrence goes with column, not join"),
    ],
)
def test_a_wrong_occurrence_is_a_mapping_error(spec: dict[str, Any], expected: str) -> None:
    with pytest.raises(MappingError, match=expected):
        mapping_from_dict(ing_mapping(spec))
