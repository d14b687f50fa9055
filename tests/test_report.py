"""The reports: what each format says, and that data can never break out of it."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import date
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from clientguard.errors import ConfigError
from clientguard.report import FORMATS, render
from clientguard.report.document import SCHEMA_VERSION, review_document, schema
from clientguard.report.spreadsheet import COLUMNS, neutralise
from clientguard.report.table import WIDTH
from clientguard.review import Review, review
from clientguard.testing import customer, invoice, ledger, payment

AS_OF = date(2025, 6, 30)
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("x")'


def two_client_review() -> Review:
    """Big pays one invoice 30 days late; Small owes one invoice 30 days past due.

    Worked by hand: revenue 3000 + 1000 = 4000, shares 0.75 and 0.25, HHI 75^2 + 25^2 =
    6250, effective clients 1 / (0.5625 + 0.0625) = 1.6, Gini 2(1x1000 + 2x3000) / (2x4000)
    - 3/2 = 0.25. Big's financing cost: 3000 x 30 days x 10% / 365 = 24.657... -> 24.66.
    Small's 1000 is 30 days past due on 2025-06-30: the 1-30 bucket.
    """
    big = invoice("big", issued="2025-01-01", due="2025-01-31", total="3000.00", id="B-1")
    small = invoice("small", issued="2025-05-01", due="2025-05-31", total="1000.00", id="S-1")
    book = ledger(
        customer("big", "Big Co"),
        customer("small", "Small Co"),
        big,
        small,
        payment("big", on="2025-03-02", amount="3000.00", pays=big, id="P-1"),
    )
    return review(book, as_of=AS_OF)


def hostile_review() -> Review:
    """Clients whose names try to run in a browser, a spreadsheet and a terminal; each is
    late on three invoices of four, so that it has findings (and a days-late chart)."""
    records: list[Any] = [
        customer("evil", SCRIPT),
        customer("formula", FORMULA),
        customer("ansi", "Red\x1b[31m Ltd\u202e"),
        customer("fine", "Fine Ltd"),
    ]
    for client in ("evil", "formula", "ansi", "fine"):
        for month in range(1, 5):
            inv = invoice(client, issued=f"2025-{month:02d}-01", total="500.00",
                          id=f"{client}-{month}")
            late = client != "fine" and month > 1
            records.append(inv)
            records.append(payment(client, on=inv.due_date.replace(day=28) if late
                                   else inv.due_date, amount="500.00", pays=inv,
                                   id=f"pay-{client}-{month}"))
    # One invoice still open (not yet due), so that the aging chart has something to draw.
    records.append(invoice("fine", issued="2025-06-15", total="250.00", id="fine-open"))
    return review(ledger(*records), as_of=AS_OF)


# ----------------------------------------------------------------------------- JSON


def test_json_validates_against_the_documented_schema() -> None:
    for result in (two_client_review(), hostile_review()):
        document = json.loads(render(result, "json"))
        jsonschema.Draft202012Validator(schema()).validate(document)


def test_the_schema_refuses_what_the_documentation_does_not_allow() -> None:
    document = review_document(two_client_review())
    validator = jsonschema.Draft202012Validator(schema())
    document["clients"][0]["undocumented"] = 1
    document["book"]["financing_cost"] = 24.66  # a float: money must be a string
    errors = {e.message for e in validator.iter_errors(document)}
    assert any("undocumented" in message for message in errors)
    assert any("24.66 is not of type 'string'" in message for message in errors)


def test_json_carries_the_numbers_worked_out_by_hand() -> None:
    document = json.loads(render(two_client_review(), "json", title="Two clients"))
    assert document["schema"] == "clientguard.review"
    assert document["schema_version"] == SCHEMA_VERSION
    assert (document["as_of"], document["base_currency"], document["title"]) == (
        "2025-06-30", "EUR", "Two clients"
    )
    revenue = document["book"]["revenue"]
    assert [(c["client_id"], c["amount"], c["share"], c["rank"]) for c in revenue["clients"]] == [
        ("big", "3000.00", "0.7500", 1),
        ("small", "1000.00", "0.2500", 2),
    ]
    assert (revenue["hhi"], revenue["effective_clients"], revenue["gini"]) == (
        "6250.0", "1.60", "0.2500"
    )
    clients = {c["client_id"]: c for c in document["clients"]}
    assert clients["big"]["financing_cost"] == "24.66"
    assert clients["big"]["name"] == "Big Co"
    assert document["book"]["aging"] == {
        "current": "0.00", "1-30": "1000.00", "31-60": "0.00", "61-90": "0.00", "91+": "0.00"
    }
    (small_profile,) = clients["small"]["payment"]
    assert (small_profile["open_balance"], small_profile["overdue_balance"]) == (
        "1000.00", "1000.00"
    )
    assert sum(document["recommendations"].values()) == len(document["clients"]) == 2


def test_every_amount_in_the_json_is_a_decimal_string_never_a_float() -> None:
    text = render(two_client_review(), "json")
    floats: list[float] = []
    json.loads(text, parse_float=lambda s: floats.append(float(s)))
    assert floats == []


# ----------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        # A tab, CR or LF first (OWASP); the tab is also where a tab-split cell begins.
        ("\t=1", "'\t'=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("\x00=1", "'\x00=1"),
        ("\tAcme", "'\tAcme"),
        # What a spreadsheet trims or drops before the formula: spaces (the ideographic and
        # the no-break one too), quotes, invisible format characters.
        (" =1+1", "' =1+1"),
        ("\u3000=1+1", "'\u3000=1+1"),
        ("\u00a0+1", "'\u00a0+1"),
        ('"=1+1', '\'"=1+1'),
        ("'=1+1", "''=1+1"),
        ("\u200b=1+1", "'\u200b=1+1"),
        ("\ufeff@SUM(A1)", "'\ufeff@SUM(A1)"),
        # The fullwidth and small forms of = + - @, and the minus sign.
        ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20SUM(1)", "'\uff20SUM(1)"),
        ("\ufe661", "'\ufe661"),
        ("\u22121", "'\u22121"),
        # Where a spreadsheet splitting on a semicolon or a tab would start a cell.
        ("Acme;=HYPERLINK(1)", "Acme;'=HYPERLINK(1)"),
        ("Acme; @SUM(1)", "Acme;' @SUM(1)"),
        ("Acme\t-1+1", "Acme\t'-1+1"),
        ("Acme; ltd", "Acme; ltd"),
        ("-12.5", "-12.5"),  # a number we wrote: stays a number
        ("Acme = good", "Acme = good"),
        ("Acme, =1", "Acme, =1"),  # a comma: the csv module quotes the cell
        ("  Acme", "  Acme"),
        ("\u00c9lan", "\u00c9lan"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_csv_has_one_row_per_client_finding_and_nothing_runs_as_a_formula() -> None:
    result = hostile_review()
    rows = list(csv.DictReader(io.StringIO(render(result, "csv"))))
    assert tuple(rows[0]) == COLUMNS
    for client in result.clients.values():
        mine = [r for r in rows if r["client_id"] == client.client_id]
        assert len(mine) == max(1, len(client.findings))
        assert [r["signal"] for r in mine if r["signal"]] == [
            f.signal.value for f in client.findings
        ]
    names = {r["client_id"]: r["client_name"] for r in rows if r["client_id"]}
    assert names["formula"] == "'" + FORMULA
    assert names["evil"] == SCRIPT
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or re.fullmatch(r"-[0-9.]+", cell), cell


def test_a_client_without_findings_still_has_its_row() -> None:
    rows = list(csv.DictReader(io.StringIO(render(two_client_review(), "csv"))))
    by_client = {r["client_id"]: r for r in rows if r["client_id"]}
    assert set(by_client) == {"big", "small"}
    assert by_client["big"]["financing_cost"] == "24.66"
    assert by_client["big"]["revenue_share"] == "0.7500"


# ----------------------------------------------------------------------------- HTML


def test_html_escapes_every_text_from_the_data() -> None:
    page = render(hostile_review(), "html", title=f"Books of {SCRIPT}")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "=HYPERLINK(&quot;x&quot;)" in page
    assert "\x1b" not in page
    assert "\u202e" not in page
    assert "Red\\x1b[31m Ltd\\u202e" in page


def test_html_loads_nothing_from_anywhere() -> None:
    page = render(hostile_review(), "html")
    assert "http://" not in page
    assert "https://" not in page
    for loader in ("src=", "href=\"http", "url(", "@import", "<link", "<iframe", "<object",
                   "<img", "<script"):
        assert loader not in page.lower(), loader
    # Only in-page anchors are linked; and the browser is told to refuse any load.
    assert set(re.findall(r'href="(.)', page)) <= {"#"}
    assert "default-src 'none'" in page


def test_html_has_the_three_kinds_of_chart() -> None:
    result = hostile_review()
    page = render(result, "html")
    # Bar charts are HTML (their text keeps its size on a phone), the line charts SVG.
    labels = re.findall(r'<(?:svg|div) [^>]*aria-label="([^"]*)"', page)
    flagged = [c for c in result.clients.values() if c.recommendation.value != "ok"]
    assert flagged
    assert labels.count("Revenue share by client") == 1
    assert labels.count("Open balances by days past due, EUR") == 1
    assert labels.count("Amount-weighted days late by month due") == len(flagged)
    assert '<meta name="viewport"' in page
    assert "@media print" in page


# ----------------------------------------------------------------------------- table


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_the_table_fits_100_columns_and_starts_with_the_books_concentration() -> None:
    records: list[Any] = [
        customer("long", "An Extraordinarily Long Company Name That Goes On And On B.V." * 3),
        customer("wide", "株式会社テストカンパニー東京本社営業部"),
    ]
    for client, total in (("long", "900.00"), ("wide", "100.00")):
        # Issued two months before the review: fresh data, so no stale-data banner first.
        records.append(invoice(client, issued="2025-05-01", total=total, id=f"{client}-1"))
    result = review(ledger(*records), as_of=AS_OF)
    text = render(result, "table")
    lines = text.splitlines()
    assert max(columns(line) for line in lines) <= WIDTH
    assert lines[2].startswith("Concentration: 2 clients with revenue")
    table_start = next(i for i, line in enumerate(lines) if line.startswith("VERDICT"))
    assert table_start > 2


def test_the_table_lists_clients_in_the_reviews_order_and_cleans_control_characters() -> None:
    result = hostile_review()
    text = render(result, "table")
    assert "\x1b" not in text
    assert "\u202e" not in text
    rows = [line for line in text.splitlines() if line.split(" ")[0] in
            ("CONSIDER", "REVISE", "monitor", "ok")]
    order = list(result.clients.values())
    assert len(rows) == len(order)
    for row, client in zip(rows, order, strict=True):
        assert row.startswith({"consider_ending": "CONSIDER ENDING", "revise_terms":
                               "REVISE TERMS", "monitor": "monitor", "ok": "ok"}[
                                   client.recommendation.value])


# ----------------------------------------------------------------------------- all formats


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_deterministic(fmt: str) -> None:
    assert render(two_client_review(), fmt) == render(two_client_review(), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_book_with_nothing_in_the_window_still_renders(fmt: str) -> None:
    empty = review(ledger(customer("quiet", "Quiet Ltd")), as_of=AS_OF)
    text = render(empty, fmt)
    if fmt == "json":
        jsonschema.Draft202012Validator(schema()).validate(json.loads(text))
    elif fmt == "table":
        assert "Concentration: no revenue in the window." in text
    elif fmt == "html":
        assert "No revenue in the window." in text
    else:
        assert text.splitlines()[0] == ",".join(COLUMNS)


def test_an_unknown_format_is_named() -> None:
    with pytest.raises(ConfigError, match="unknown report format 'pdf'"):
        render(two_client_review(), "pdf")


# ----------------------------------------------------------------------------- long texts


def _long_name_review(length: int) -> Review:
    """A client whose name (and id) is ``length`` characters without a space, late on three
    invoices of four (so that the name is in findings, charts and every table)."""
    name = ("Żółw字" * (length // 5 + 1))[:length]
    ident = "x" * length
    records: list[Any] = [customer(ident, name), customer("fine", "Fine Ltd")]
    for client in (ident, "fine"):
        for month in range(1, 5):
            inv = invoice(client, issued=f"2025-{month:02d}-01", total="500.00",
                          id=f"{client[:8]}-{month}")
            records.append(inv)
            late = client == ident and month > 1
            records.append(payment(client, on=inv.due_date.replace(day=28) if late
                                   else inv.due_date, amount="500.00", pays=inv,
                                   id=f"pay-{client[:8]}-{month}"))
    return review(ledger(*records), as_of=AS_OF)


def _python_calls(action: Any) -> int:
    """How many Python and built-in function calls ``action`` makes: a count of work that
    does not depend on the machine's speed."""
    import sys

    count = 0

    def profile(_frame: Any, event: str, _arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_a_200000_character_name_in_linear_time(fmt: str) -> None:
    # Work measured as function calls: rendering a name four times as long may not take
    # more than twice the calls (a loop per character of the name, or per line of it,
    # would take four times or sixteen times as many).
    small, large = _long_name_review(50_000), _long_name_review(200_000)
    calls_small = _python_calls(lambda: render(small, fmt))
    calls_large = _python_calls(lambda: render(large, fmt))
    assert calls_large <= 2 * calls_small, (calls_small, calls_large)


@pytest.mark.parametrize(
    ("name", "width", "shown"),
    [
        # 29 letters, then ESC (shown as the 4 characters \x1b): 33 columns in all, so cut to
        # 31 and an ellipsis; the escape does not fit whole, so it goes, never half of it.
        ("A" * 29 + "\x1b[2J rest", 32, "A" * 29 + "…"),
        # Room for the whole escape and no more: 29 + 4 = 33 <= 34 - 1, "[" would be 34.
        ("A" * 29 + "\x1b[2J rest", 34, "A" * 29 + "\\x1b…"),
        # A bidi override (\u202e, 6 characters shown) at the cut.
        ("B" * 10 + "\u202e" + "evil", 14, "B" * 10 + "…"),
    ],
)
def test_fit_never_cuts_an_escape_in_half(name: str, width: int, shown: str) -> None:
    from clientguard.report import text

    assert text.fit(name, width) == shown


def test_wrap_and_fit_measure_each_character_once() -> None:
    from clientguard.report import text

    counted = 0
    real = unicodedata.east_asian_width

    def counting(char: str) -> str:
        nonlocal counted
        counted += 1
        return real(char)

    def lookups(action: Any) -> int:
        nonlocal counted
        counted = 0
        action()
        return counted

    word = "Żółw字" * 10_000
    patched = pytest.MonkeyPatch()
    # The one unicodedata module, which clientguard.report.text looks widths up in.
    patched.setattr(unicodedata, "east_asian_width", counting)
    try:
        one = lookups(lambda: text.wrap(word, 80, indent="  ", subsequent="    "))
        four = lookups(lambda: text.wrap(word * 4, 80, indent="  ", subsequent="    "))
        fitted = lookups(lambda: text.fit(word * 4, 40))
    finally:
        patched.undo()
    assert one <= 2 * len(word) + 10
    assert four <= 4 * one + 10
    assert fitted <= 2 * 40 + 2


@pytest.mark.parametrize("fmt", ["table", "html"])
def test_a_very_long_name_is_cut_with_an_ellipsis_in_table_and_html(fmt: str) -> None:
    from clientguard.report.text import TEXT_LIMIT

    out = render(_long_name_review(200_000), fmt)
    # The name is in the clients table, the client's heading and each finding: each time
    # cut, so the report holds a few thousand of its letters, not hundreds of thousands.
    runs = re.findall(r"[Żółw字]+", out)
    assert max(len(run) for run in runs) <= TEXT_LIMIT
    assert sum(map(len, runs)) < 20 * TEXT_LIMIT
    assert re.search(r"[Żółw字]…", out)


def test_html_breaks_long_words_so_a_name_never_widens_the_table() -> None:
    out = render(_long_name_review(10_000), "html")
    style = out[out.index("<style>"):out.index("</style>")]
    rule = next(line for line in style.splitlines() if "overflow-wrap" in line)
    assert "overflow-wrap: anywhere" in rule
    assert all(tag in rule for tag in ("td", "th", "h3", "li"))


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_data_formats_keep_a_long_name_whole(fmt: str) -> None:
    result = _long_name_review(200_000)
    name = result.clients[next(iter(c for c in result.clients if len(c) > 100))].name
    assert name in render(result, fmt)


@pytest.mark.parametrize(
    ("jurisdiction", "clients", "book_says_none", "big_says_none"),
    [("none", {}, True, True), ("eu", {}, False, False), ("none", {"big": "pl"}, False, False),
     ("eu", {"big": "none"}, False, True)],
    ids=["no law", "eu", "big under pl", "big exempt"],
)
def test_no_law_is_said_in_words_never_as_zero_claimable(
    jurisdiction: str, clients: dict[str, str], book_says_none: bool, big_says_none: bool
) -> None:
    # Big pays 30 days late. Without a late-payment law "Claimable by law 0.00 EUR" reads as
    # "nothing is owed"; the report says that no law applies instead, for the book and for
    # each client whose jurisdiction is none.
    from clientguard.policy import Policy

    policy = Policy(jurisdiction=jurisdiction, client_jurisdictions=clients)
    book = ledger(customer("big", "Big Co"), customer("small", "Small Co"),
                  *_two_client_records())
    result = review(book, as_of=AS_OF, policy=policy)
    words = "no late-payment law applies (policy jurisdiction: none)"
    card = re.search(r"Claimable by law</span><b>([^<]*)</b>", render(result, "html"))
    assert card is not None
    assert (card.group(1) == words) is book_says_none
    big = result.clients["big"]
    assert (big.claimable == 0) is big_says_none
    table = render(result, "table")
    line = next(x for x in table.split("Big Co:")[1].splitlines() if "Cost of lateness" in x)
    assert (words in line) is big_says_none
    assert ("claimable under late-payment law" in line) is not big_says_none


def _two_client_records() -> list[Any]:
    big = invoice("big", issued="2025-01-01", due="2025-01-31", total="3000.00", id="B-1")
    small = invoice("small", issued="2025-05-01", due="2025-05-31", total="1000.00", id="S-1")
    return [big, small, payment("big", on="2025-03-02", amount="3000.00", pays=big, id="P-1")]
