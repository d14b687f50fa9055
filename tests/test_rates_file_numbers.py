"""A rates file's rate is read only as a person writes a decimal number: the ASCII digits and
one dot, within the bounds every document's rate is held to.

``Decimal()`` reads far more: ``4_25`` is 425 (Python's digit grouping), ``4.25E+2`` is 425,
``٤.٢٥`` (Arabic-Indic digits) is 4.25, ``1e400`` and ``1E-30`` are numbers no exchange rate
is. A rate 100 times too large converted every EUR invoice silently (a review said "overdue
42,500.00 PLN" for 100 EUR). Each such cell is now refused with the file, the line and the
column, in the active language; a decimal comma stays refused as the docs say (a dot, in a
semicolon-separated file too)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from clientguard.errors import ConfigError
from clientguard.fx.files import read_rates_file
from clientguard.i18n import using
from clientguard.model import MAX_RATE, MIN_RATE

HEADER = "date,currency,base,rate\n"

NOT_PLAIN_EN = ("is not a rate written with the digits 0-9 and a dot (0.9612): write it so, "
                "without an exponent (1E-5), underscores or digits of another script")
NOT_PLAIN_PL = ("nie jest kursem zapisanym cyframi 0-9 i kropką (0.9612): zapisz go tak, bez "
                "wykładnika (1E-5), podkreśleń i cyfr innego pisma")


def _error(tmp_path: Path, rate: str, lang: str) -> str:
    path = tmp_path / "rates.csv"
    path.write_text(f"{HEADER}2026-12-07,EUR,PLN,{rate}\n", encoding="utf-8")
    with using(lang), pytest.raises(ConfigError) as caught:
        read_rates_file(path)
    return str(caught.value)


@pytest.mark.parametrize("rate", [
    "4_25",       # Decimal: 425, a hundred times the rate
    "4.25E+00",   # an exponent, as a program's float writes it
    "1e400",      # finite for Decimal, no rate
    "1E-30",
    "\u0664.\u0662\u0665",  # ٤.٢٥, Arabic-Indic digits: Decimal reads 4.25
    "\uff14.\uff12\uff15",  # fullwidth digits
    "+4.25",
])
def test_a_rate_not_written_with_ascii_digits_and_a_dot_is_refused_at_its_cell(
    rate: str, tmp_path: Path
) -> None:
    assert _error(tmp_path, rate, "en").endswith(
        f"rates.csv, line 2, column 'rate': {rate!r} {NOT_PLAIN_EN}")
    assert _error(tmp_path, rate, "pl").endswith(
        f"rates.csv, wiersz 2, kolumna 'rate': {rate!r} {NOT_PLAIN_PL}")


# The bounds are the model's (MIN_RATE, MAX_RATE: 10^-12 and 10^12), which the ledger holds a
# table to; the file says so at its line instead of the build refusing the table.
@pytest.mark.parametrize(("rate", "english", "polish"), [
    ("1000000000001",
     "is more than 10^12 units of PLN per EUR, the largest rate a document may carry: no "
     "exchange rate is that large; fix the rate",
     "to więcej niż 10^12 jednostek PLN za 1 EUR, czyli najwyższy kurs, jaki może mieć "
     "dokument: żaden kurs walutowy nie jest tak wysoki; popraw kurs"),
    ("0.0000000000009",
     "is less than 10^-12 units of PLN per EUR, the smallest rate a document may carry: no "
     "exchange rate is that small; fix the rate",
     "to mniej niż 10^-12 jednostki PLN za 1 EUR, czyli najniższy kurs, jaki może mieć "
     "dokument: żaden kurs walutowy nie jest tak niski; popraw kurs"),
])
def test_a_rate_past_the_bounds_of_a_documents_rate_is_refused_at_its_cell(
    rate: str, english: str, polish: str, tmp_path: Path
) -> None:
    assert _error(tmp_path, rate, "en").endswith(f"line 2, column 'rate': {rate!r} {english}")
    assert _error(tmp_path, rate, "pl").endswith(f"wiersz 2, kolumna 'rate': {rate!r} {polish}")


#: What a rate cell may be made of in the invariant below: ASCII digits and a dot, and what
#: Decimal() also reads (an underscore, an exponent, a sign, digits of other scripts).
_CHARS = st.sampled_from([*"0123456789", ".", "_", "e", "E", "+", "-", "\u0664", "\uff15"])


@given(written=st.text(_CHARS, min_size=1, max_size=16))
@example(written=f"{MAX_RATE:f}")
@example(written=f"{MIN_RATE:f}")
@example(written="4_25")
@example(written="٤.٢٥")
def test_a_rate_is_read_only_as_the_ascii_decimal_written_within_the_bounds(
    written: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The oracle: a cell of ASCII digits with at most one dot (none last) is the number
    # written; it is read where it lies from MIN_RATE to MAX_RATE, refused otherwise.
    plain = (written.count(".") <= 1 and not written.endswith(".")
             and all(c in "0123456789." for c in written) and written != ".")
    path = tmp_path_factory.mktemp("rates") / "rates.csv"
    path.write_text(f"{HEADER}2026-12-07,EUR,PLN,{written}\n", encoding="utf-8")
    if not plain or not MIN_RATE <= Decimal(written) <= MAX_RATE:
        with pytest.raises(ConfigError, match="line 2, column 'rate'"):
            read_rates_file(path)
        return
    (row,) = read_rates_file(path)
    assert row.rate == Decimal(written)
