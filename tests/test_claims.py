"""Interest claims (``clientguard.claims``, ``report.claim``, ``clientguard claim``).

Every expected amount is worked out by hand in the comment beside it from the packaged Polish,
EU and UK rate rows (``src/clientguard/data/rates/*.csv``; the Polish ones are the NBP reference
rate + 10 pp, ANCHORS.md §3.2 and Monitor Polski): PL 2025-H1 15.75%, 2025-H2 15.25%, 2026-H1
14.00%; EU 2025-H1 11.15%; UK 2025-H1 12.75%. Interest is ``principal x rate x days / 365``,
rounded half-even to the cent once per invoice. The EUR/PLN rates of the compensation are the
test's own table (4.2000, 4.2300, 4.2200), not NBP's published ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.claims import Claim, ClaimError, Party, claim
from clientguard.cli import EXIT_OK, EXIT_USAGE, main
from clientguard.metrics.cost import lateness_costs
from clientguard.model import AnyRecord
from clientguard.money import round_money
from clientguard.policy import Policy
from clientguard.report.claim import render_claim
from clientguard.testing import customer, fx_table, invoice, ledger, payment

D = Decimal
PL = Policy(jurisdiction="pl")
# EUR in PLN on the days art. 10 ust. 1a names for debts due in June 2025 (30 May), December
# 2025 (28 November: the 29th and 30th are a weekend) and February 2026 (30 January 2026: FV/3,
# due Saturday 31 January, falls due on Monday 2 February by art. 115 KC).
FX = fx_table("PLN", {"EUR": {"2025-05-30": "4.2000", "2025-11-28": "4.2300",
                              "2026-01-30": "4.2200"}})

LATE_ACROSS_JULY = invoice("acme", issued="2025-05-16", due="2025-06-15", paid="2025-07-20",
                           total="1000.00", currency="PLN", id="F1", number="FV/1/2025")
PARTLY_PAID = invoice("acme", issued="2025-11-10", due="2025-12-10", total="2000.00",
                      currency="PLN", id="F2", number="FV/2/2025")
BIG_OPEN = invoice("acme", issued="2026-01-01", due="2026-01-31", total="60000.00",
                   currency="PLN", id="F3", number="FV/3/2026")
ON_TIME = invoice("acme", issued="2025-05-01", due="2025-05-31", paid="2025-05-30",
                  total="500.00", currency="PLN", id="F0", number="FV/0/2025")


def acme_books(*extra: AnyRecord) -> list[AnyRecord]:
    return [
        customer("acme", "ACME sp. z o.o.", tax_id="5252445767"),
        customer("birch", "Birch Ltd"),
        ON_TIME, LATE_ACROSS_JULY, PARTLY_PAID, BIG_OPEN,
        payment("acme", on="2025-12-20", amount="1200.00", currency="PLN", pays=PARTLY_PAID,
                id="P1"),
        payment("acme", on="2026-01-15", amount="800.00", currency="PLN", pays=PARTLY_PAID,
                id="P2"),
        invoice("birch", issued="2025-01-01", due="2025-01-31", paid="2025-01-20",
                total="100.00", currency="PLN", id="B1"),
        *extra,
    ]


def acme_claim(**options: object) -> Claim:
    books = ledger(*acme_books(), base_currency="PLN", fx=FX)
    return claim(books, "acme", as_of=options.pop("as_of", date(2026, 3, 2)),  # type: ignore[arg-type]
                 policy=PL, **options)  # type: ignore[arg-type]


def test_each_late_invoice_with_its_periods_interest_and_compensation() -> None:
    made = acme_claim()
    lines = {line.number: line for line in made.invoices}
    # FV/0 was paid a day early: not in the claim.
    assert list(lines) == ["FV/1/2025", "FV/2/2025", "FV/3/2026"]

    across = lines["FV/1/2025"]
    # Due Sunday 15 June, paid 20 July: 35 days past the due date. Art. 115 KC moves the end
    # of the term to Monday 16 June, so interest runs from 17 June: 17-30 June (14 days) at
    # 15.75% (2025-H1), 1-20 July at 15.25%: 1000 x 15.75% x 14/365 = 6.0411; 1000 x 15.25%
    # x 20/365 = 8.3562; (2205 + 3050)/365 = 14.3973 -> 14.40.
    # The note states the law's 34 days of delay (14 + 20), not the 35 past the due date.
    assert (across.days_late, across.paid_on, across.still_open) == (34, date(2025, 7, 20), False)
    assert [(p.start, p.end, p.days, p.rate_pct, p.interest) for p in across.periods] == [
        (date(2025, 6, 17), date(2025, 6, 30), 14, D("15.75"), D("6.04")),
        (date(2025, 7, 1), date(2025, 7, 20), 20, D("15.25"), D("8.36")),
    ]
    assert across.interest == D("14.40")
    # Debt of PLN 1,000 (not above 5,000): EUR 40 at 4.2000 of 30 May 2025 = PLN 168.00.
    assert (across.compensation, across.compensation_currency) == (D("168.00"), "PLN")
    assert across.compensation_rule_date == date(2025, 5, 30)
    assert across.compensation_band == "low"


def test_a_partial_payment_lowers_the_principal_from_the_day_after_it() -> None:
    line = {x.number: x for x in acme_claim().invoices}["FV/2/2025"]
    # 2,000 due 10 Dec; 1,200 paid on 20 Dec, 800 on 15 Jan. 11-20 Dec (10 days, the payment
    # day included) on 2,000 at 15.25%: 3050/365; 21-31 Dec (11 days) on 800 at 15.25%:
    # 1342/365; 1-15 Jan (15 days) on 800 at 14.00%: 1680/365. 6072/365 = 16.6356 -> 16.64.
    assert [(p.days, p.principal, p.rate_pct) for p in line.periods] == [
        (10, D("2000.00"), D("15.25")),
        (11, D("800.00"), D("15.25")),
        (15, D("800.00"), D("14.00")),
    ]
    assert line.interest == D("16.64")
    assert line.paid_on == date(2026, 1, 15)
    # EUR 40 at 4.2300 of 28 November 2025 = 169.20.
    assert line.compensation == D("169.20")


def test_an_open_invoice_bears_interest_to_as_of_and_the_top_compensation_band() -> None:
    line = {x.number: x for x in acme_claim().invoices}["FV/3/2026"]
    # Due Saturday 31 Jan 2026, open on 2 March: 30 days past the due date. Art. 115 KC ends
    # the term on Monday 2 February, so interest runs 3 February-2 March, 26 + 2 = 28 days at
    # 14.00%: 60000 x 14% x 28/365 = 235200/365 = 644.3836 -> 644.38. The note says 28 days.
    assert (line.still_open, line.days_late, line.interest_until) == (True, 28, date(2026, 3, 2))
    assert line.open_balance == D("60000.00")
    assert line.interest == D("644.38")
    # PLN 60,000 is 50,000 or more: EUR 100 at 4.2200 of Friday 30 January 2026, the last
    # business day of the month before February, when the debt fell due = 422.00.
    assert (line.compensation_band, line.compensation) == ("high", D("422.00"))
    assert line.compensation_rule_date == date(2026, 1, 30)


def test_totals_are_the_sums_of_the_lines() -> None:
    made = acme_claim()
    # Interest 14.40 + 16.64 + 644.38 = 675.42; compensation 168.00 + 169.20 + 422.00 = 759.20.
    assert made.interest_totals == {"PLN": D("675.42")}
    assert made.compensation_totals == {"PLN": D("759.20")}
    assert made.totals == {"PLN": D("1434.62")}
    assert made.complete


def test_as_of_replays_only_what_had_happened_by_then() -> None:
    made = acme_claim(as_of=date(2025, 7, 10))
    (line,) = made.invoices
    # On 10 July FV/1 was still open (paid on the 20th): 17-30 June (art. 115 KC: due Sunday
    # 15 June, the term ended on Monday 16 June) at 15.75% and 1-10 July at 15.25%:
    # (2205 + 1525)/365 = 10.2192 -> 10.22.
    assert (line.number, line.still_open, line.days_late) == ("FV/1/2025", True, 24)
    assert line.interest == D("10.22")


def test_selected_invoices_by_id_or_number() -> None:
    made = acme_claim(invoices=["F3", "FV/1/2025"])
    assert [line.invoice_id for line in made.invoices] == ["F1", "F3"]
    assert made.interest_totals == {"PLN": D("14.40") + D("644.38")}


@pytest.mark.parametrize(
    ("client", "invoices", "message"),
    [
        pytest.param("acne", None, "did you mean 'acme'", id="typo-in-id"),
        pytest.param("ACME sp z o.o.", None, "did you mean 'ACME sp. z o.o.' (id acme)",
                     id="typo-in-name"),
        pytest.param("acme", ["FV/9/2025"], "has no invoice 'FV/9/2025'; did you mean",
                     id="unknown-invoice"),
        pytest.param("acme", ["B1"], "invoice 'B1' is Birch Ltd's", id="another-clients"),
        pytest.param("acme", ["FV/0/2025"], "is not late", id="paid-on-time"),
    ],
)
def test_an_unknown_client_or_invoice_is_a_clear_error(
    client: str, invoices: list[str] | None, message: str
) -> None:
    books = ledger(*acme_books(), base_currency="PLN", fx=FX)
    with pytest.raises(ClaimError, match=message.replace("(", r"\(").replace(")", r"\)")):
        claim(books, client, as_of=date(2026, 3, 2), policy=PL, invoices=invoices)


def test_a_client_found_by_its_name_and_one_with_nothing_late() -> None:
    books = ledger(*acme_books(), base_currency="PLN", fx=FX)
    assert claim(books, "acme sp.  z o.o.", as_of=date(2026, 3, 2), policy=PL).customer_id == "acme"
    empty = claim(books, "birch", as_of=date(2026, 3, 2), policy=PL)
    assert empty.invoices == ()
    assert empty.totals == {}
    page = render_claim(empty, "html")
    assert "nie ma czego dochodzić" in page


def test_no_law_no_claim() -> None:
    books = ledger(*acme_books(), base_currency="PLN", fx=FX)
    with pytest.raises(ClaimError, match="no late-payment law applies"):
        claim(books, "acme", as_of=date(2026, 3, 2), policy=Policy(jurisdiction="none"))


def test_without_an_exchange_rate_the_pln_compensation_is_left_to_fill() -> None:
    books = ledger(*acme_books(), base_currency="PLN")
    made = claim(books, "acme", as_of=date(2026, 3, 2), policy=PL, invoices=["F1"])
    (line,) = made.invoices
    assert (line.compensation_converted, line.compensation_statutory) == (False, D(40))
    assert made.compensation_totals == {}
    assert not made.complete
    page = render_claim(made, "html")
    assert "do przeliczenia na złote według średniego kursu EUR NBP z dnia 30.05.2025" in page


@pytest.mark.parametrize(
    ("jurisdiction", "currency", "due", "paid", "total", "interest", "compensation"),
    [
        # EU 2025-H1 11.15%: 1000 x 11.15% x 30/365 = 3345/365 = 9.1644 -> 9.16; EUR 40.
        pytest.param("eu", "EUR", "2025-01-31", "2025-03-02", "1000.00", D("9.16"),
                     (D("40.00"), "EUR"), id="eu"),
        # UK: one rate from the half-year interest starts in (21 June: 2025-H1, 12.75%):
        # 5000 x 12.75% x 30/365 = 19125/365 = 52.3973 -> 52.40; GBP 1,000-9,999.99: GBP 70.
        pytest.param("uk", "GBP", "2025-06-20", "2025-07-20", "5000.00", D("52.40"),
                     (D("70.00"), "GBP"), id="uk"),
    ],
)
def test_eu_and_uk_claims_in_english(
    jurisdiction: str, currency: str, due: str, paid: str, total: str, interest: Decimal,
    compensation: tuple[Decimal, str],
) -> None:
    books = ledger(customer("c", "Client"), invoice("c", issued="2025-01-01", due=due, paid=paid,
                   total=total, currency=currency, id="I1"), base_currency=currency)
    made = claim(books, "c", as_of=date(2025, 12, 31),
                 policy=Policy(jurisdiction=jurisdiction))
    (line,) = made.invoices
    assert line.interest == interest
    assert (line.compensation, line.compensation_currency) == compensation
    page = render_claim(made, "html")
    assert '<html lang="en">' in page
    assert "Statement of statutory interest" in page
    assert ("Late Payment of Commercial Debts" in page) == (jurisdiction == "uk")
    assert ("Directive 2011/7/EU" in page) == (jurisdiction == "eu")


def test_lang_overrides_the_jurisdictions_language() -> None:
    made = acme_claim(invoices=["F1"])
    english = render_claim(made, "html", lang="en")
    assert '<html lang="en">' in english
    assert "Interest note no." in english
    assert "Act of 8 March 2013" in english
    polish = render_claim(made, "html")
    assert '<html lang="pl">' in polish
    assert "Nota odsetkowa nr" in polish
    # Polish numbers and dates: 1 000,00 PLN (a no-break space), 17.06.2025 (the first day of
    # interest: art. 115 KC moves the term due on Sunday 15 June to Monday 16 June), 15,75.
    assert "1\xa0000,00 PLN" in polish
    assert "17.06.2025" in polish
    assert ">15,75<" in polish


# --- agreement with metrics.cost -----------------------------------------------------------


def test_amounts_agree_to_the_cent_with_metrics_cost_per_invoice_and_in_total() -> None:
    books = ledger(*acme_books(), base_currency="PLN", fx=FX)
    as_of = date(2026, 3, 2)
    made = claim(books, "acme", as_of=as_of, policy=PL)
    # The review's window covers every due date here (a year back from 2 March 2026).
    cost = lateness_costs(books, as_of=as_of, policy=PL)["acme"]
    by_id = {item.invoice_id: item for item in cost.invoices}
    assert {line.invoice_id for line in made.invoices} == set(by_id)
    for line in made.invoices:
        item = by_id[line.invoice_id]
        assert item.statutory_interest is not None
        assert item.compensation is not None
        assert line.interest == round_money(item.statutory_interest.amount, "PLN")
        assert line.compensation == round_money(item.compensation.amount, "PLN")
    assert made.interest_totals["PLN"] == sum(
        (round_money(i.statutory_interest.amount, "PLN") for i in cost.invoices
         if i.statutory_interest is not None), D(0))
    # Rounded once per line, the total stays within half a cent a line of the exact one.
    assert abs(made.interest_totals["PLN"] - cost.statutory_interest) <= D("0.005") * 3
    assert made.compensation_totals["PLN"] == round_money(cost.compensation, "PLN")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=900_000_00),  # total in grosze
            st.integers(min_value=0, max_value=500),          # due, days after 1 Jan 2025
            st.integers(min_value=-10, max_value=400),        # paid, days after due
            st.integers(min_value=0, max_value=100),          # part paid first, percent
        ),
        min_size=1, max_size=5,
    )
)
def test_every_claim_line_agrees_with_metrics_cost(
    rows: list[tuple[int, int, int, int]]
) -> None:
    records: list[AnyRecord] = [customer("c", "C")]
    start = date(2025, 1, 1).toordinal()
    for n, (cents, due_offset, paid_offset, first_share) in enumerate(rows):
        total = D(cents) / 100
        due = date.fromordinal(start + due_offset)
        inv = invoice("c", issued=due, due=due, total=total, currency="PLN", id=f"I{n}")
        records.append(inv)
        first = (total * first_share / 100).quantize(D("0.01"))
        middle = date.fromordinal(due.toordinal() + paid_offset // 2)
        paid = date.fromordinal(due.toordinal() + paid_offset)
        if first:
            records.append(payment("c", on=middle, amount=first, currency="PLN", pays=inv,
                                   id=f"P{n}a"))
        if total - first:
            records.append(payment("c", on=paid, amount=total - first, currency="PLN",
                                   pays=inv, id=f"P{n}b"))
    books = ledger(*records, base_currency="PLN")
    as_of = date(2026, 6, 30)
    made = claim(books, "c", as_of=as_of, policy=PL)
    cost = lateness_costs(books, as_of=as_of, policy=PL.model_copy(update={"lookback_days": 600}))
    # The claim leaves out what was paid within the term as art. 115 KC moves it off a day
    # free from work (due on New Year's Day 2025, paid on 2 January: not late in law); the
    # lateness costs keep it, for the financing cost of the day waited, with no interest and
    # no compensation (test_an_invoice_paid_in_its_moved_term_costs_financing_but_is_no_claim).
    items = [i for i in (cost["c"].invoices if "c" in cost else ())
             if i.statutory_interest is None or i.statutory_interest.amount
             or i.compensation is not None]
    assert len(made.invoices) == len(items)
    by_id = {i.invoice_id: i for i in items}
    for line in made.invoices:
        exact = by_id[line.invoice_id].statutory_interest
        assert exact is not None
        assert line.interest == round_money(exact.amount, "PLN")


def test_an_invoice_paid_in_its_moved_term_costs_financing_but_is_no_claim() -> None:
    # Due Wednesday 1 January 2025, New Year's Day (a day free from work): art. 115 KC ends the
    # term on Thursday 2 January, the day it was paid. Late by one day against the agreed date,
    # so it cost a day's financing (1,000.00 x 10% / 365 = 0.2739...), but not late in law: no
    # interest, no compensation, no line on the claim. (Found by the property above.)
    inv = invoice("c", issued="2025-01-01", due="2025-01-01", total="1000.00", currency="PLN",
                  id="I0")
    books = ledger(customer("c", "C"), inv,
                   payment("c", on="2025-01-02", amount="1000.00", currency="PLN", pays=inv,
                           id="P0"),
                   base_currency="PLN")
    as_of = date(2025, 6, 30)
    assert claim(books, "c", as_of=as_of, policy=PL).invoices == ()
    (item,) = lateness_costs(books, as_of=as_of, policy=PL)["c"].invoices
    assert item.days_late == 1
    assert item.statutory_interest is not None
    assert item.statutory_interest.amount == 0
    assert item.compensation is None
    assert round_money(item.financing_cost, "PLN") == D("0.27")


# --- the document ----------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> & Co'


def test_everything_printed_is_escaped() -> None:
    books = ledger(
        customer("evil", HOSTILE, tax_id='"><img src=x onerror=alert(1)>'),
        invoice("evil", issued="2025-05-16", due="2025-06-15", paid="2025-07-20",
                total="1000.00", currency="PLN", id="E1", number="<b>FV</b>"),
        base_currency="PLN", fx=FX,
    )
    creditor = Party(name="Firm <i>", address="ul. <Prosta> 1\n00-001 Warszawa",
                     place="<Kraków>", iban="PL61109010140000071219812874")
    made = claim(books, "evil", as_of=date(2025, 12, 31), policy=PL, creditor=creditor,
                 number="<NO/1>")
    for page in (render_claim(made, "html"), render_claim(made, "html", lang="en")):
        assert "<script>" not in page
        assert "<img" not in page
        assert "<b>FV" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
        assert "&lt;b&gt;FV&lt;/b&gt;" in page
        assert "ul. &lt;Prosta&gt; 1" in page
        assert "&lt;NO/1&gt;" in page
        assert "PL61 1090 1014 0000 0712 1981 2874" in page
    document = json.loads(render_claim(made, "json"))
    assert document["debtor"]["name"] == HOSTILE  # JSON keeps the text as it is


def test_the_page_prints_on_a4_with_repeated_headers_and_uncut_rows() -> None:
    page = render_claim(acme_claim(), "html")
    assert "@page { size: A4;" in page
    assert "thead { display: table-header-group; }" in page
    assert "tr, .invoice { break-inside: avoid; page-break-inside: avoid; }" in page
    assert page.count('<tbody class="invoice">') == 3
    # Self-contained: nothing is loaded from elsewhere.
    assert "default-src 'none'" in page
    assert "<script" not in page
    assert "src=" not in page


def test_missing_details_are_fields_to_fill_never_invented() -> None:
    page = render_claim(acme_claim(), "html")
    # No [firm] given: the creditor's name, address, NIP and account, the place, the number
    # and the debtor's address are dotted fields.
    fill = '<span class="fill">'
    assert page.count(fill) >= 7
    assert "Nota odsetkowa nr \u2026" in page
    assert "NIP: 5252445767" in page  # the debtor's, from the ledger


def test_json_document() -> None:
    document = json.loads(render_claim(acme_claim(), "json"))
    assert (document["schema"], document["schema_version"]) == ("clientguard.claim", "1.1")
    assert (document["lang"], document["jurisdiction"]) == ("pl", "pl")
    assert document["title"].startswith("Nota odsetkowa nr")
    assert "art. 7 ust. 1" in document["legal_basis"]
    assert document["totals"] == {"PLN": "1434.62"}
    assert [i["interest"] for i in document["invoices"]] == ["14.40", "16.64", "644.38"]


# --- the command -----------------------------------------------------------------------------

@pytest.fixture
def synced_books(csv_books: Callable[..., Path]) -> Path:
    folder = csv_books(
        "PLN",
        invoices="FV/1/2025,Acme,2025-05-16,2025-06-15,1000.00,2025-07-20\n"
                 "FV/2/2025,Birch,2025-05-16,2025-06-15,1000.00,2025-06-10\n",
        config='base_currency = "PLN"\nstore = "cg.db"\n[policy]\njurisdiction = "pl"\n'
               '[firm]\nname = "Firma & Syn"\ntax_id = "525-244-57-67"\n'
               'iban = "PL61 1090 1014 0000 0712 1981 2874"\nplace = "Kraków"\n',
    )
    assert main(["sync", "--quiet"]) == EXIT_OK
    return folder


def test_claim_command_writes_the_note(
    synced_books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = main(["claim", "Acme", "--as-of", "2025-12-31", "--output", "nota.html",
                 "--number", "NO/1/2025"])
    _, err = capsys.readouterr()
    assert code == EXIT_OK, err
    page = (synced_books / "nota.html").read_text()
    assert "Nota odsetkowa nr NO/1/2025" in page
    assert "Kraków, dnia 31.12.2025" in page
    assert "Firma &amp; Syn" in page
    assert "NIP: 5252445767" in page
    assert "14,40 PLN" in page  # as worked out above for FV/1/2025
    assert main(["claim", "Acme", "--as-of", "2025-12-31", "--output", "nota.json"]) == EXIT_OK
    assert json.loads((synced_books / "nota.json").read_text())["totals"] == {"PLN": "14.40"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["claim", "Acne"], "did you mean"),
        (["claim", "Acme", "--invoice", "FV/7/2025"], "has no invoice 'FV/7/2025'"),
        (["claim", "Birch"], "nothing to claim"),
        (["claim", "Acme", "--output", "nota.pdf"], "cannot tell the report format"),
        (["claim", "Acme", "--output", "nota.csv"], "a claim is written as HTML or JSON"),
        (["claim", "Acme", "--pay-within", "0"], "give a whole number of days, 1 or more"),
    ],
)
def test_claim_command_user_errors_exit_2(
    synced_books: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    capsys.readouterr()
    assert main([*argv, "--as-of", "2025-12-31"]) == EXIT_USAGE
    _, err = capsys.readouterr()
    assert message in err
    assert "Traceback" not in err


def test_claim_in_a_language_clientguard_does_not_write_is_refused(
    synced_books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --lang is the global option (docs/languages.md): argparse refuses it, exit 2.
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["claim", "Acme", "--lang", "de", "--as-of", "2025-12-31"])
    assert exited.value.code == EXIT_USAGE
    _, err = capsys.readouterr()
    assert "'de' is not a language clientguard writes: use one of en, pl" in err


def test_review_title_from_the_option_and_from_the_firm(
    synced_books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["review", "--as-of", "2025-12-31", "--format", "json"]) == EXIT_OK
    assert json.loads(capsys.readouterr()[0])["title"] == "Client review: Firma & Syn"
    assert main(["review", "--as-of", "2025-12-31", "--format", "html"]) == EXIT_OK
    assert "<h1>Client review: Firma &amp; Syn</h1>" in capsys.readouterr()[0]
    assert main(["review", "--as-of", "2025-12-31", "--title", "Q4 <books>"]) == EXIT_OK
    assert capsys.readouterr()[0].startswith("Q4 <books>, as of 2025-12-31 (PLN)\n")


# --- the [firm] table of the config ----------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('tax_id = "525-244-57-68"', "is not a valid Polish NIP"),
        ('iban = "PL62 1090 1014 0000 0712 1981 2874"', "is not a valid IBAN"),
        ('adress = "ul. Prosta 1"', "unknown key 'adress'; did you mean 'address'?"),
        ("name = 1", "firm.name must be text"),
    ],
)
def test_firm_problems_are_named(tmp_path: Path, table: str, message: str) -> None:
    from clientguard.config import load_config
    from clientguard.errors import ConfigError

    path = tmp_path / "clientguard.toml"
    path.write_text(f"[firm]\n{table}\n")
    with pytest.raises(ConfigError, match=message.replace("?", r"\?")):
        load_config(path, env={})


def test_firm_details_are_kept_normalised(tmp_path: Path) -> None:
    from clientguard.config import Firm, load_config

    path = tmp_path / "clientguard.toml"
    path.write_text(
        '[firm]\nname = "ACME sp. z o.o."\ntax_id = "PL 525-244-57-67"\n'
        'iban = "pl61 1090 1014 0000 0712 1981 2874"\n'
        'address = "ul. Prosta 1\\n00-001 Warszawa"\nemail = ""\n'
    )
    assert load_config(path, env={}).firm == Firm(
        name="ACME sp. z o.o.", tax_id="5252445767", iban="PL61109010140000071219812874",
        address="ul. Prosta 1\n00-001 Warszawa",
    )
    # A foreign tax number is kept as given (cleaned), not checked as a NIP.
    path.write_text('[firm]\ntax_id = "DE 123.456.789"\n')
    assert load_config(path, env={}).firm == Firm(tax_id="DE123456789")


def test_chromium_prints_the_note_on_a4_pages(tmp_path: Path) -> None:
    import re
    import shutil
    import subprocess

    browser = next((b for b in ("chromium", "chromium-browser", "google-chrome")
                    if shutil.which(b)), None)
    if browser is None:
        pytest.skip("no headless Chromium on this machine")
    page = tmp_path / "nota.html"
    page.write_text(render_claim(acme_claim(), "html"), encoding="utf-8")
    pdf = tmp_path / "nota.pdf"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes
    # A4 is 210 x 297 mm: 595.3 x 841.9 points (US Letter would be 612 x 792).
    for width, height in boxes:
        assert abs(float(width) - 595.3) < 1
        assert abs(float(height) - 841.9) < 1


def test_an_unconfirmed_rate_is_starred_and_a_missing_one_left_uncomputed() -> None:
    books = ledger(
        customer("c", "C"),
        invoice("c", issued="2026-06-01", due="2026-06-30", total="1000.00", currency="PLN",
                id="I1"),
        base_currency="PLN", fx=fx_table("PLN", {"EUR": {"2026-05-29": "4.2500"}}),
    )
    made = claim(books, "c", as_of=date(2026, 7, 31), policy=PL)
    (line,) = made.invoices
    # 1-31 July 2026 at 13.75%, a row the table marks as not confirmed:
    # 1000 x 13.75% x 31/365 = 4262.5/365 = 11.6781 -> 11.68.
    assert line.interest == D("11.68")
    assert made.unconfirmed_periods == ("2026-H2",)
    page = render_claim(made, "html")
    assert ">13,75 *<" in page
    assert "Stopa za okres 2026-H2 nie jest potwierdzona" in page
    # The packaged table ends with 2026: a day of 2027 has no rate, so no interest is made up.
    later = claim(books, "c", as_of=date(2027, 1, 31), policy=PL)
    (line,) = later.invoices
    assert line.interest is None
    assert not later.complete
    assert "nie obliczono" in render_claim(later, "html")


# A key that names more than one of the client's invoices (QuickBooks: Id 1037 of one invoice,
# DocNumber 1037 of another; or a number two invoices share) is refused, naming each and the
# key that names it alone, as the acknowledgements file refuses it (docs/claims.md, "Which
# invoices"): until 2026-12-07 the id won silently (a claim on FV/1/2025 when the user meant
# no. 1037) and of two invoices numbered alike the later in the ledger did.
@pytest.mark.parametrize(
    ("key", "message"),
    [
        # "1037" is the id of FV/1/2025 and the number of F3: each is named alone by its
        # other key, FV/1/2025's number and F3's id.
        pytest.param("1037", "'1037' names more than one invoice of ACME sp. z o.o.: no. "
                     "FV/1/2025 (id 1037); no. 1037 (id F3). Give the one meant as "
                     "'FV/1/2025' or 'F3'", id="an-id-and-a-number"),
        # Two invoices numbered FV/2/2025: their ids name each alone.
        pytest.param("FV/2/2025", "'FV/2/2025' names more than one invoice of ACME sp. z "
                     "o.o.: no. FV/2/2025 (id F2); no. FV/2/2025 (id F4). Give the one meant as "
                     "'F2' or 'F4'", id="a-number-two-share"),
    ],
)
def test_a_key_naming_two_of_the_clients_invoices_is_refused(key: str, message: str) -> None:
    late = invoice("acme", issued="2025-05-16", due="2025-06-15", paid="2025-07-20",
                   total="1000.00", currency="PLN", id="1037", number="FV/1/2025")
    same_number = invoice("acme", issued="2025-11-12", due="2025-12-12", paid="2026-01-20",
                          total="300.00", currency="PLN", id="F4", number="FV/2/2025")
    big = BIG_OPEN.model_copy(update={"number": "1037"})
    records = [r for r in acme_books() if r not in (LATE_ACROSS_JULY, BIG_OPEN)]
    books = ledger(*records, late, same_number, big, base_currency="PLN", fx=FX)
    with pytest.raises(ClaimError) as raised:
        claim(books, "acme", as_of=date(2026, 3, 2), policy=PL, invoices=[key])
    assert str(raised.value) == message
    # A key that names one alone claims that one.
    alone = {"1037": "F3", "FV/2/2025": "F4"}[key]
    made = claim(books, "acme", as_of=date(2026, 3, 2), policy=PL, invoices=[alone])
    assert [line.invoice_id for line in made.invoices] == [alone]
