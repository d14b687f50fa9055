"""Amounts as real exports write them become exact Decimals, or errors that say why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard_csv.amounts import AmountError, AmountFormat, parse_amount

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
