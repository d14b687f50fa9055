"""Amounts as real exports write them become exact Decimals, or errors that say why."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.model import Invoice
from clientguard.records import Location, Rejection
from clientguard_csv.amounts import AmountError, AmountFormat, parse_amount
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Loaded, read_records

from .conftest import ReadAlike

US = AmountFormat(".", ",")
PL_SPACE = AmountFormat(",", " ")
PL_DOT = AmountFormat(",", ".")
SWISS_COMMA = AmountFormat(",", "'")
COMMA_NONE = AmountFormat(",", "")
NONE = AmountFormat(".", "")


@pytest.mark.parametrize(
    ("text", "fmt", "value", "currency"),
    [
        ("1020.00", US, "1020.00", None),
        ("$1,020.00", US, "1020.00", None),
        ("1,020.00", US, "1020.00", None),
        ("(400.00)", US, "-400.00", None),
        ("($400.00)", US, "-400.00", None),
        ("-400", US, "-400", None),
        ("400.00-", US, "-400.00", None),
        ("-$400.00", US, "-400.00", None),
        ("$-400.00", US, "-400.00", None),
        ("\u2212400.00", US, "-400.00", None),
        ("13.50 ", US, "13.50", None),
        ("$13.50 ", US, "13.50", None),
        ("+7", US, "7", None),
        (".5", US, "0.5", None),
        ("1,234,567.891", US, "1234567.891", None),
        ("1 234,56", PL_SPACE, "1234.56", None),
        ("1\u00a0234,56", PL_SPACE, "1234.56", None),
        ("1\u202f234,56", PL_SPACE, "1234.56", None),
        ("1.234,56 zł", PL_DOT, "1234.56", "PLN"),
        ("1 234,56 PLN", PL_SPACE, "1234.56", "PLN"),
        ("PLN 1 234,56", PL_SPACE, "1234.56", "PLN"),
        ("€12.00", US, "12.00", "EUR"),
        ("12,00 €", PL_SPACE, "12.00", "EUR"),
        ("£1,000", US, "1000", "GBP"),
        ("EUR 12.00", US, "12.00", "EUR"),
        ("US$5.00", US, "5.00", "USD"),
        ("1234.5", NONE, "1234.5", None),
        ("0.10", US, "0.10", None),
        # Polish and German whole amounts: the dash is the minor units, not a minus
        ("150,-", PL_SPACE, "150.00", None),
        ("150,- zł", PL_SPACE, "150.00", "PLN"),
        ("150,--", PL_SPACE, "150.00", None),
        ("1.500,-", PL_DOT, "1500.00", None),
        ("(150,-)", PL_SPACE, "-150.00", None),
        ("-150,-", PL_SPACE, "-150.00", None),
        ("150,00-", PL_SPACE, "-150.00", None),  # SAP's trailing minus, as before
    ],
)
def test_amounts_read_exactly(
    text: str, fmt: AmountFormat, value: str, currency: str | None
) -> None:
    amount = parse_amount(text, fmt)
    assert amount.value == Decimal(value)
    assert isinstance(amount.value, Decimal)
    assert str(amount.value) == value  # the digits as written: no float ever in between
    assert amount.currency == currency


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("", US, "empty"),
        ("   ", US, "empty"),
        ("1,5", US, "set decimal = ','"),
        ("1,02", US, "groups of three"),
        ("1.234,56", US, "after the decimal separator"),
        ("12.5.1", US, "more than one decimal separator"),
        ("1.5", PL_DOT, "set decimal = '.'"),
        ("abc", US, "'abc' is neither a number nor a currency marker"),
        ("12 apples", US, "'apples' is neither a number"),
        ("-(400)", US, "more than one minus sign"),
        ("1e5", US, "not an amount"),
        ("€12 PLN", US, "names two currencies"),
        ("$", US, "no digits"),
        ("1.234,56", PL_SPACE, "not an amount"),
        # The separator the mapping names as neither is refused, never guessed at.
        ("1.500", PL_SPACE, "'.' is neither the mapping's decimal separator (',') nor its "
         "thousands separator (' '); if '.' separates thousands in this file, set thousands "
         "= '.' in the mapping; if it is the decimal separator, set decimal = '.'"),
        ("1.5", PL_SPACE, "'1.5' is not an amount here: '.' is neither"),
        (".5", PL_SPACE, "set decimal = '.'"),
        ("1.500 zł", PL_SPACE, "set thousands = '.'"),
        ("(1.500,00)", PL_SPACE, "set thousands = '.'"),
        ("1.234.567", PL_SPACE, "set thousands = '.'"),
        ("1.500", SWISS_COMMA, "nor its thousands separator (\"'\")"),
        ("1.500", COMMA_NONE, "nor its thousands separator (none)"),
        ("1,500", NONE, "',' is neither the mapping's decimal separator ('.') nor its "
         "thousands separator (none); if ',' separates thousands in this file, set thousands "
         "= ','"),
        ("1,500.00", AmountFormat(".", " "), "set thousands = ','"),
        # Thousands grouped by a separator the mapping does not name: the setting that reads
        # them, not just "not an amount".
        ("1 234.56", US, "'1 234.56' is not an amount: it groups thousands with a space, but "
         "the mapping's thousands separator is ','; set thousands = \" \" in the mapping"),
        ("1\u00a0234.56", US, "groups thousands with a space"),
        ("1 234 567", NONE, "the mapping names no thousands separator; set thousands = \" \""),
        ("1'234.56", US, "it groups thousands with \"'\", but the mapping's thousands "
         "separator is ','; set thousands = \"'\""),
        ("150,-", US, "set decimal = ','"),  # a whole amount needs the decimal comma
    ],
)
def test_bad_amounts_say_why(text: str, fmt: AmountFormat, message: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text, fmt)
    assert message in str(caught.value)


@given(whole=st.integers(1, 999), part=st.integers(0, 999),
       fmt=st.sampled_from([PL_SPACE, SWISS_COMMA, COMMA_NONE]))
def test_a_dotted_cell_is_read_only_where_the_dot_is_declared(
    whole: int, part: int, fmt: AmountFormat
) -> None:
    # "1.500": with thousands = "." it is 1500; with a decimal comma and any other thousands
    # separator it is refused, never read as 1.5.
    cell = f"{whole}.{part:03d}"
    assert parse_amount(cell, PL_DOT).value == whole * 1000 + part
    with pytest.raises(AmountError, match=r"set thousands = '\.'"):
        parse_amount(cell, fmt)


@pytest.mark.parametrize(
    ("decimal", "thousands"), [(".", "."), (",", ","), (";", ","), (".", "_")]
)
def test_impossible_separators_are_refused(decimal: str, thousands: str) -> None:
    with pytest.raises(ValueError, match="separator"):
        AmountFormat(decimal, thousands)


# Excel's Accounting format shows zero as a dash, padded, with or without the currency, and
# "Save as CSV" writes the cell as shown: " $ -   " beside " $ 81.000,00 " in a real
# spreadsheet's CSV quoted by a public project's test; "-   zł" is the Polish Accounting
# format's zero (the format's code is _-* "-"?? zł_-). Other reports write a dash for "no
# value" (a public R reader of Brazilian energy data lists "-", " -   " as its NA strings),
# so the dash is read as neither zero nor empty: the reason says so and what to do.
@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (" $ -   ", US),
        (" -   ", US),
        ("-", US),
        ("-   zł", PL_SPACE),
        ("PLN -", PL_SPACE),
        ("- EUR", US),  # a code after the dash, in any case: still a marker
        ("- usd", US),
        ("\u2013", US),  # an en dash, as a word processor's autocorrect writes it
        ("\u2014", US),
        ("\u2212", US),
    ],
)
def test_a_dash_for_an_amount_says_it_is_a_dash_and_what_to_do(
    text: str, fmt: AmountFormat
) -> None:
    # Before: "' $ -   ' has no digits", "'–' is not an amount: '–' is neither a number nor
    # a currency marker": nothing about the dash or what to do.
    with pytest.raises(AmountError) as caught:
        parse_amount(text, fmt)
    assert str(caught.value) == (
        f"{text!r} is a dash, not an amount: Excel's Accounting format shows zero as a dash "
        "(and saves the CSV as shown), but other reports write one for no value, so it is "
        "read as neither; format the column as Number before saving the CSV (zero is then "
        "0.00), or write 0 where the dash means zero")


def test_a_dash_in_an_amount_column_rejects_its_row_at_its_cell(
    write: Callable[..., Path], read_alike: ReadAlike
) -> None:
    # A report saved through Excel: the paid invoice's open balance is the Accounting zero.
    path = write("invoices.csv", 'Num,Customer,Date,Due,Amount,Open balance\n'
                 '1001,Acme,2026-11-01,2026-12-01,"$100.00"," $ -   "\n'
                 '1002,Beta,2026-11-02,2026-12-02,"$50.00","$20.00"\n')
    mapping = {"currency": "USD", "invoices": {"columns": {
        "number": "Num", "customer_name": "Customer", "issue_date": "Date", "due_date": "Due",
        "total": "Amount", "amount_due": "Open balance"}}}
    log = read_alike(mapping, {"invoices": [path]})
    items = list(read_records(mapping_from_dict(mapping), {"invoices": [path]}))
    [rejection] = [i for i in items if isinstance(i, Rejection)]
    assert rejection.location == Location(str(path), 2, "Open balance")
    assert rejection.field == "amount_due"
    assert rejection.reason.startswith("'$ -' is a dash, not an amount")  # the cell, stripped
    assert [i.record.number for i in items
            if isinstance(i, Loaded) and isinstance(i.record, Invoice)] == ["1002"]
    assert log.files[0].rejected == 1


# A credit or debit mark after the amount: "$2,000.00 CR" in an Australian business bank
# statement and "355.72 Dr", "900.00 Cr" in Tally ledgers (public parsers' tests quote both).
# Which side is money owed and which money paid depends on whose books the report is from,
# so the mark is never read as a sign: the reason says what the mark is and what to do.
@pytest.mark.parametrize(
    ("text", "marker", "side"),
    [
        ("$2,000.00 CR", "CR", "credit"),
        ("355.72 Dr", "Dr", "debit"),
        ("900.00 Cr.", "Cr.", "credit"),
        ("1,234.56 DR", "DR", "debit"),
    ],
)
def test_a_credit_or_debit_mark_is_named_not_read_as_a_sign(
    text: str, marker: str, side: str
) -> None:
    # Before: "'$2,000.00 CR' is not an amount: 'CR' is neither a number nor a currency
    # marker", which says nothing of what to do.
    with pytest.raises(AmountError) as caught:
        parse_amount(text, US)
    assert str(caught.value) == (
        f"{text!r} is marked {marker!r}, a {side}: whether a credit or a debit is money owed "
        "or money paid depends on whose books the report is from, so the mark is not read as "
        "a sign; export the amounts signed (a minus or parentheses for one side), or with "
        "debits and credits in columns of their own, and map the column of the record's side")
