"""Reports under hostile data and for Polish readers: right-to-left names isolated in the HTML
(docs/html-report.md), the CSV for Excel (docs/report-schema.md), lone surrogates, extreme
amounts, every format and both languages."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.claims import Party, claim
from clientguard.errors import ConfigError
from clientguard.i18n import using
from clientguard.policy import Policy
from clientguard.report import FORMATS, render
from clientguard.report.bidi import isolated, isolated_plain
from clientguard.report.claim import render_claim
from clientguard.report.html import esc
from clientguard.report.spreadsheet import COLUMNS, neutralise
from clientguard.report.text import printable
from clientguard.review import Review, review
from clientguard.testing import customer, invoice, ledger, payment

AS_OF = date(2026, 6, 30)
HEBREW = "\u05d7\u05d1\u05e8\u05d4"  # "company"
HEBREW_LTD = "\u05d7\u05d1\u05e8\u05d4 \u05d1\u05e2\"\u05de"  # the Hebrew "Ltd.": בע"מ
ARABIC_NO = "\u0634\u0631\u0643\u0629 123"  # "company 123": digits inside the name


def book_of(names: dict[str, str], *, late_total: str = "500.00") -> Any:
    """One client per name, each with a paid invoice 45 days late and one open 91+ days past
    invoice date, so that each has findings (sentences with its name) and a chart."""
    records: list[Any] = []
    for ident, name in names.items():
        records.append(customer(ident, name))
        paid = invoice(ident, issued="2026-01-02", terms=30, total=late_total,
                       id=f"{ident}-1", status="paid")
        records += [paid, payment(ident, on="2026-03-18", amount=late_total, pays=paid,
                                  id=f"pay-{ident}")]
        records.append(invoice(ident, issued="2026-02-02", terms=30, total="500.00",
                               id=f"{ident}-2"))
    return ledger(*records)


def review_of(names: dict[str, str], lang: str = "en", **kwargs: Any) -> Review:
    return review(book_of(names, **kwargs), as_of=AS_OF, lang=lang)


# ----------------------------------------------------------------------------- bidi

@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        # A right-to-left run followed by an amount: the amount stays outside the isolate.
        (f"Ending {HEBREW} 1,500.00 EUR", (), f"Ending <bdi>{HEBREW}</bdi> 1,500.00 EUR"),
        # A known name is isolated whole, its digits with it.
        (f"100% of {ARABIC_NO}'s balance", (ARABIC_NO,),
         f"100% of <bdi>{ARABIC_NO}</bdi>&#x27;s balance"),
        # Without the name known, the run stops at its last right-to-left letter.
        (f"100% of {ARABIC_NO}'s balance", (), "100% of <bdi>\u0634\u0631\u0643\u0629</bdi>"
         " 123&#x27;s balance"),
        # Two names with a number between: two isolates, the number the sentence's.
        (f"{HEBREW} (12%), {HEBREW_LTD}", (),
         f"<bdi>{HEBREW}</bdi> (12%), <bdi>\u05d7\u05d1\u05e8\u05d4 \u05d1\u05e2&quot;\u05de"
         "</bdi>"),
        # The longer of two names that hold one another wins.
        (f"x {HEBREW_LTD} y", (HEBREW, HEBREW_LTD),
         "x <bdi>\u05d7\u05d1\u05e8\u05d4 \u05d1\u05e2&quot;\u05de</bdi> y"),
        # Left-to-right text is left as it is (and escaped).
        ("Acme <b> 12", ("Acme",), "Acme &lt;b&gt; 12"),
        # A bidi control of the data is an escape, never a control, and never isolated.
        (f"a\u202e{HEBREW}", (), f"a\\u202e<bdi>{HEBREW}</bdi>"),
    ],
)
def test_right_to_left_runs_and_names_are_isolated(
    text: str, names: tuple[str, ...], expected: str
) -> None:
    assert isolated(text, names) == expected


def test_attributes_isolate_with_the_unicode_isolates() -> None:
    assert isolated_plain(f'{HEBREW} "1"') == f"\u2068{HEBREW}\u2069 &quot;1&quot;"


@given(st.text(alphabet=st.sampled_from(
    ["a", "1", " ", "'", '"', "<", "&", ".", "-", "\u05d0", "\u0628", "\u0661", "\u202e",
     "\u2068", "\u2069", "\n"]), max_size=40))
def test_isolating_never_changes_the_text_shown(text: str) -> None:
    """Take the ``<bdi>`` tags out and what is left is the text escaped as before; the
    isolates are balanced and never nested; the data's own isolates are escapes."""
    shown = isolated(text, (text[:5],))
    assert shown.replace("<bdi>", "").replace("</bdi>", "") == esc(text)
    assert re.fullmatch(r"(?:[^<]|<bdi>[^<]*</bdi>)*", shown)
    assert "\u2068" not in shown
    assert "\u2069" not in shown


@pytest.mark.parametrize("name", [HEBREW_LTD, ARABIC_NO])
@pytest.mark.parametrize("lang", ["en", "pl"])
def test_every_right_to_left_name_in_the_html_is_isolated(name: str, lang: str) -> None:
    """The name in the clients table, the revenue chart, the client's heading, every sentence
    about it and the days-late chart's caption: each occurrence inside a ``<bdi>``."""
    page = render(review_of({"rtl": name, "acme": "Acme Ltd"}, lang), "html")
    shown = esc(name)
    assert page.count(shown) >= 5  # table, chart, heading, findings, caption
    assert page.count(shown) == page.count(f"<bdi>{shown}</bdi>")
    assert "<bdi>Acme Ltd</bdi>" not in page  # a left-to-right name is left as it was


def test_the_verdict_strip_isolates_a_right_to_left_name() -> None:
    from clientguard.report.strip import verdict_strip

    lines = "".join(verdict_strip(HEBREW, [(date(2026, 5, 31), "ok"),
                                           (date(2026, 6, 30), "monitor")]))
    assert f"<figcaption><bdi>{HEBREW}</bdi>:" in lines
    assert f'aria-label="\u2068{HEBREW}\u2069:' in lines


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_claim_letter_isolates_the_debtor_and_the_invoice_number(lang: str) -> None:
    number = "\u05d7\u05e9\u05d1\u05d5\u05df 12"  # "invoice 12"
    records: list[Any] = [customer("rtl", HEBREW)]
    records.append(invoice("rtl", issued="2026-01-02", terms=30, total="500.00", id="r-1",
                           number=number))
    book = ledger(*records)
    document = claim(book, "rtl", as_of=AS_OF, policy=Policy(jurisdiction="pl"),
                     creditor=Party(name="=Firma <b>", address=f"ul. {HEBREW} 5\nWarszawa"))
    page = render_claim(document, "html", lang=lang)
    assert f"<strong><bdi>{HEBREW}</bdi></strong>" in page
    assert f"<bdi>{number}</bdi>" in page  # whole, its digits with it
    assert f"<p><bdi>ul. {HEBREW} 5</bdi></p>" in page  # an address line is the data's whole
    assert "=Firma &lt;b&gt;" in page


def test_the_table_shows_bidi_controls_as_escapes_and_leaves_letters() -> None:
    text = render(review_of({"rtl": f"{HEBREW}\u202e\u2066x"}), "table")
    assert "\u202e" not in text
    assert "\u2066" not in text
    assert f"{HEBREW}\\u202e\\u2066x" in text


# ----------------------------------------------------------------------------- CSV for Excel

NAMES = {
    "plain": "Zak\u0142ad \u017b\u00f3\u0142ty sp. z o.o.",
    "formula": '=HYPERLINK("http://evil","x")',
    "plus": "+cmd",
    "at": "@SUM(1+1)",
    "semi": "a;=1+1",
    "quote": 'Say "hi", then; go',
}


def _excel(lang: str) -> tuple[str, str]:
    result = review_of(NAMES, lang)
    with using(lang):
        return render(result, "csv", csv_dialect="excel"), render(result, "csv")


@pytest.mark.parametrize(("lang", "separator", "decimal"), [("pl", ";", ","), ("en", ",", ".")])
def test_the_excel_csv_has_a_bom_the_readers_separators_and_crlf(
    lang: str, separator: str, decimal: str
) -> None:
    excel, _ = _excel(lang)
    data = excel.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8's byte-order mark, once
    assert not data[3:].startswith(b"\xef\xbb\xbf")
    header = data[3:].split(b"\r\n")[0].decode("utf-8")
    assert header.count(separator) == len(COLUMNS) - 1
    # Every line ends with CRLF; no line feed stands alone (no cell here holds one).
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    rows = list(csv.reader(io.StringIO(excel[1:]), delimiter=separator))
    share = rows[-1][COLUMNS.index("revenue_share")]
    assert re.fullmatch(rf"0\{decimal}[0-9]{{4}}", share)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_a_csv_reader_with_the_dialect_recovers_the_values_of_the_default(lang: str) -> None:
    """The same cells as the RFC 4180 file, with the decimal commas of the reader's language
    in the number columns; formula cells neutralised in both."""
    excel, plain = _excel(lang)
    separator = ";" if lang == "pl" else ","
    got = list(csv.reader(io.StringIO(excel.removeprefix("\ufeff")), delimiter=separator))
    want = list(csv.reader(io.StringIO(plain)))
    numbers = {COLUMNS.index(c) for c in ("value", "threshold", "revenue_share",
                                           "financing_cost", "claimable", "time_barred",
                                           "claimable_disputed", "claimable_unapplied",
                                           "financing_covered")}
    decimal = "," if lang == "pl" else "."
    expected = [[cell.replace(".", decimal) if i in numbers else cell
                 for i, cell in enumerate(row)] for row in want]
    assert got == expected
    names = {row[COLUMNS.index("client_name")] for row in got[1:]}
    assert {"'=HYPERLINK(\"http://evil\",\"x\")", "'+cmd", "'@SUM(1+1)", "a;'=1+1",
            'Say "hi", then; go', NAMES["plain"]} <= names


@given(st.text(max_size=30))
def test_any_name_comes_back_from_the_excel_csv_printable_and_neutralised(name: str) -> None:
    result = review(book_of({"x": name or "x"}), as_of=AS_OF, lang="pl")
    with using("pl"):
        excel = render(result, "csv", csv_dialect="excel")
    rows = list(csv.reader(io.StringIO(excel[1:], newline=""), delimiter=";"))
    from clientguard.report.text import encodable

    assert rows[-1][COLUMNS.index("client_name")] == encodable(
        neutralise(printable(name or "x")))


@pytest.mark.parametrize(("fmt", "dialect"), [("html", "excel"), ("csv", "xlsx")])
def test_a_dialect_outside_the_csv_is_refused(fmt: str, dialect: str) -> None:
    with pytest.raises(ConfigError, match="dialect"):
        render(review_of({"a": "A"}), fmt, csv_dialect=dialect)


# ----------------------------------------------------------------------------- every format

HOSTILE = {
    "html": '<script>alert(1)</script>"\'&',
    "ctrl": "A\tB\rC\nD\x00E\x1b[2J",
    "zw": "Zero\u200bWidth\u202eRTL",
    "emoji": "\U0001f468\u200d\U0001f4bb Emoji",
    "long": "L" * 10_000,
    "lone": "Lone\ud800Surrogate",
}


@pytest.mark.parametrize("lang", ["en", "pl"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_writes_hostile_names_as_utf8(fmt: str, lang: str) -> None:
    """A lone surrogate (JSON's ``"\\ud800"`` from an API) made every report impossible to
    write as UTF-8; now it is its escape, and the rest of each report is intact."""
    result = review_of(HOSTILE, lang)
    with using(lang):
        text = render(result, fmt)
    text.encode("utf-8")  # raised UnicodeEncodeError before the fix
    if fmt == "json":
        names = {c["name"] for c in json.loads(text)["clients"]}
        assert HOSTILE["lone"] in names  # JSON's own escape: the same text read back
    else:
        assert "Lone\\ud800Surrogate" in text
    if fmt in ("table", "html"):
        for control in ("\x1b", "\x00", "\u202e"):
            assert control not in text
    if fmt == "html":
        assert "<script>" not in text


@pytest.mark.parametrize("fmt", ["html", "json"])
def test_a_claim_with_a_lone_surrogate_is_written(fmt: str) -> None:
    book = ledger(customer("x", "Lone\udc00"),
                  invoice("x", issued="2026-01-02", terms=30, total="500.00", id="x-1"))
    document = claim(book, "x", as_of=AS_OF, policy=Policy(jurisdiction="pl"))
    render_claim(document, fmt, lang="pl").encode("utf-8")


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_an_amount_just_under_the_bound_is_written_exactly(lang: str) -> None:
    """An invoice of 999,999,999,999,999,999.99 (the model's bound is 10^18) and one of 500:
    revenue 1,000,000,000,000,000,499.99, worked by hand. The JSON keeps every digit as a
    decimal string, the table writes it grouped in the reader's form; nothing is in exponent
    form, nothing is a float."""
    result = review_of({"big": "Big"}, lang, late_total="999999999999999999.99")
    with using(lang):
        document = render(result, "json")
        table = render(result, "table").replace("\u00a0", " ")
        excel = render(result, "csv", csv_dialect="excel")
    assert '"1000000000000000499.99"' in document
    grouped = ("1 000 000 000 000 000 499,99 EUR" if lang == "pl"
               else "1,000,000,000,000,000,499.99 EUR")
    assert grouped in table
    for text in (document, table, excel):
        assert not re.search(r"[0-9][eE][+-]?[0-9]", text)
