"""Payment profiles and the named DSO-family variants.

Profiles: small ledgers written with the ``clientguard.testing`` builders, every expected number
worked out by hand in the comment beside it. Variants: the worked numbers of
``reference/metrics/test_vectors.json`` (skipped with a reason when the file is absent).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.metrics.cost import financing_cost
from clientguard.metrics.lateness import (
    AGING_LABELS,
    PaymentProfile,
    add_crf,
    average_payment_delay,
    cei,
    dso_countback,
    dso_simple,
    payment_profiles,
    percentile,
)
from clientguard.model import AnyRecord, Invoice
from clientguard.policy import Policy
from clientguard.settlement import settle
from clientguard.testing import credit_note, customer, invoice, ledger, payment

D = Decimal
REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"
VECTORS = REFERENCE / "metrics" / "test_vectors.json"
IBM = REFERENCE / "data" / "ibm_accounts_receivable.csv"
AS_OF = date(2025, 6, 30)
CENT = D("0.01")


def paid(inv: Invoice, on: str, amount: str | None = None, *, id: str | None = None) -> AnyRecord:
    """A payment of ``amount`` (default: the whole invoice) on ``on``, applied to ``inv``."""
    value = amount or str(inv.total)
    return payment(inv.customer_id, on=on, amount=value, currency=inv.currency,
                   fx_rate=inv.fx_rate, pays=[(inv, value)],
                   id=id or f"pay/{inv.id}/{on}/{value}")


def profile_of(*records: AnyRecord, who: str = "acme", as_of: date = AS_OF,
               policy: Policy | None = None, **build: Any) -> PaymentProfile:
    return payment_profiles(ledger(*records, **build), as_of=as_of, policy=policy)[who]


# ---------------------------------------------------------------------------- a mixed client
# as_of 30 Jun 2025, window (30 Jun 2024, 30 Jun 2025], 30-day terms:
#   A 100 due 31 Mar, paid 21 Mar: 10 days early (days to pay 20)
#   B 200 due 1 May, paid 1 May: on time (days to pay 30)
#   C 300 due 10 May, paid 30 May: 20 days late (days to pay 50)
#   D 400 due 21 May, open: 40 days past due on 30 Jun
#   E 500 due 15 Jul, open, not yet due (current; not in the window's counts)
#   F  50 due 26 May 2024, open: 400 days past due (outside the window; in the balances)
A = invoice("acme", issued="2025-03-01", total="100", id="A")
B = invoice("acme", issued="2025-04-01", total="200", id="B")
C = invoice("acme", issued="2025-04-10", total="300", id="C")
Dinv = invoice("acme", issued="2025-04-21", total="400", id="D")
E = invoice("acme", issued="2025-06-15", total="500", id="E")
F = invoice("acme", issued="2024-04-26", total="50", id="F")
MIXED = (A, B, C, Dinv, E, F, paid(A, "2025-03-21"), paid(B, "2025-05-01"),
         paid(C, "2025-05-30"))


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("invoices_due", 4),  # A B C D
        ("invoices_settled", 3),
        ("invoices_open", 1),
        ("invoices_late", 2),  # C and D
        ("invoices_open_late", 1),  # D
        ("amount_due", D(1000)),
        ("late_amount", D(700)),
        ("late_share", D("0.5")),
        ("late_amount_share", D("0.7")),
        ("mean_days_late", D(15)),  # (0 + 0 + 20 + 40) / 4
        ("weighted_days_late", D(22)),  # (300*20 + 400*40) / 1000
        ("weighted_days_beyond_terms", D(21)),  # (100*-10 + 0 + 6000 + 16000) / 1000
        ("median_days_late", D(10)),  # (0 + 20) / 2
        ("p90_days_late", D(34)),  # position 3*0.9 = 2.7: 20 + 0.7*(40 - 20)
        ("open_balance", D(950)),  # D + E + F
        ("overdue_balance", D(450)),  # D + F
        ("oldest_open_days_past_due", 400),
        ("oldest_open_invoice_id", "F"),
        ("late_invoice_ids", ("C", "D")),
        ("period", (date(2024, 7, 1), AS_OF)),
        ("unapplied_cash", D(0)),
    ],
)
def test_mixed_client(field: str, expected: object) -> None:
    assert getattr(profile_of(*MIXED), field) == expected


def test_mixed_client_adp_aging_cost_and_series() -> None:
    profile = profile_of(*MIXED)
    # ADP over the settled A B C: (20 + 30 + 50) / 3; weighted (2000 + 6000 + 15000) / 600.
    assert abs(profile.adp - D(100) / 3) < CENT  # type: ignore[operator]
    assert abs(profile.adp_weighted - D(23000) / 600) < CENT  # type: ignore[operator]
    # E current, D 31-60, F 91+.
    assert profile.aging.buckets() == dict(
        zip(AGING_LABELS, (D(500), D(0), D(400), D(0), D(50)), strict=True)
    )
    # (300*20 + 400*40) * 0.10 / 365 = 2200 / 365; F is outside the window.
    assert profile.financing_cost == D(2200) / 365
    # Last 90 days (2 Apr - 30 Jun): B C D, two late, (6000 + 16000) / 900.
    assert (profile.recent.invoices, profile.recent.invoices_late) == (3, 2)
    assert profile.recent.weighted_days_late == D(22000) / 900
    assert (profile.before.invoices, profile.before.invoices_late) == (1, 0)
    # Monthly over two years: May 2024 (F, 400), Mar 2025 (A, 0), May 2025 (B C D).
    assert [(p.month, p.weighted_days_late) for p in profile.monthly] == [
        (date(2024, 5, 1), D(400)),
        (date(2025, 3, 1), D(0)),
        (date(2025, 5, 1), D(22000) / 900),
    ]


# ---------------------------------------------------------------------------- edge cases
INV = invoice("acme", issued="2025-01-01", due="2025-01-31", total="300", id="INV")


@pytest.mark.parametrize(
    ("name", "records", "expect"),
    [
        (
            # Three parts, the last 30 days late (2 Mar). The invoice is 30 days late,
            # weighted by its whole 300; the money was late only on the last 100:
            # cost 100 * 30 * 0.10 / 365.
            "three parts, last late",
            (INV, paid(INV, "2025-01-10", "100"), paid(INV, "2025-01-31", "100"),
             paid(INV, "2025-03-02", "100")),
            {"weighted_days_late": D(30), "invoices_late": 1,
             "financing_cost": financing_cost(amount=D(100), days_late=30,
                                              cost_of_capital=D("0.10"))},
        ),
        (
            # 200 paid on time, 100 credited 10 days late: the invoice closes 10 days late,
            # but a credit note is not money the client kept: no financing cost.
            "partly by credit note",
            (INV, paid(INV, "2025-01-20", "200"),
             credit_note("acme", issued="2025-02-10", total="100", applies_to=[(INV, "100")])),
            {"weighted_days_late": D(10), "invoices_late": 1, "financing_cost": D(0)},
        ),
        (
            # Overpaid by 50: settled on time, the 50 is unapplied cash.
            "overpaid",
            (INV, payment("acme", on="2025-01-25", amount="350", pays=INV)),
            {"invoices_late": 0, "weighted_days_late": D(0), "unapplied_cash": D(50),
             "weighted_days_beyond_terms": D(-6)},
        ),
        (
            # Paid 20 Dec for an invoice issued 1 Jan: settled on the issue date, 30 days
            # before the due date; ADP 0.
            "prepayment",
            (INV, payment("acme", on="2024-12-20", amount="300", pays=INV)),
            {"weighted_days_beyond_terms": D(-30), "adp": D(0), "invoices_late": 0},
        ),
        (
            # Due the day it was issued and paid the next day: 1 day late.
            "due on issue",
            (invoice("acme", issued="2025-01-01", terms=0, total="300", id="INV"),
             payment("acme", on="2025-01-02", amount="300", pays=[("INV", "300")])),
            {"invoices_late": 1, "mean_days_late": D(1), "adp": D(1)},
        ),
        (
            # A payment dated after as_of (1 Jul): on 30 Jun the invoice is open, 150 days
            # past due (31 Jan to 30 Jun), and costs 300 * 150 * 0.10 / 365 so far.
            "payment after as_of",
            (INV, paid(INV, "2025-07-01")),
            {"invoices_open_late": 1, "weighted_days_late": D(150), "open_balance": D(300),
             "financing_cost": D(300 * 150) * D("0.10") / 365, "adp": None},
        ),
        (
            # Voided after a payment was applied: no invoice to judge; the money is unapplied.
            "voided after payment",
            (INV.model_copy(update={"status": "void"}), paid(INV, "2025-01-20")),
            {"invoices_due": 0, "late_share": None, "unapplied_cash": D(300)},
        ),
        (
            # Marked paid with no date: counted apart, out of every lateness measure.
            "paid, date unknown",
            (invoice("acme", issued="2025-01-01", total="300", status="paid", id="X"), INV,
             paid(INV, "2025-02-10")),
            {"invoices_paid_date_unknown": 1, "invoices_due": 1, "weighted_days_late": D(10)},
        ),
    ],
)
def test_edge_cases(name: str, records: tuple[AnyRecord, ...], expect: dict[str, Any]) -> None:
    profile = profile_of(*records)
    assert {key: getattr(profile, key) for key in expect} == expect


def test_only_late_invoices_are_still_open() -> None:
    # Three invoices paid on their due dates, two open and past due (as_of 30 Jun):
    # late = the two open ones, 2 of 5, all still unpaid.
    on_time = [invoice("acme", issued=f"2025-0{m}-01", total="100", id=f"T{m}") for m in (1, 2, 3)]
    open_late = [invoice("acme", issued=f"2025-0{m}-01", total="100", id=f"O{m}") for m in (4, 5)]
    records = [*on_time, *open_late, *(paid(i, str(i.due_date)) for i in on_time)]
    profile = profile_of(*records)
    assert (profile.invoices_late, profile.invoices_open_late, profile.late_share) == (
        2, 2, D("0.4"))
    assert profile.late_invoice_ids == ("O4", "O5")


def test_multi_currency_is_weighted_in_the_base_currency() -> None:
    # 1000 USD at 0.50 (= 500 EUR) paid 20 days late, 500 EUR on time. In EUR the two weigh
    # the same: (500*20 + 500*0) / 1000 = 10 days (not 1000*20 / 1500 = 13.3 by face value).
    usd = invoice("acme", issued="2025-01-01", total="1000", currency="USD", fx_rate="0.50",
                  id="U")
    eur = invoice("acme", issued="2025-01-02", total="500", id="V")
    profile = profile_of(usd, eur, paid(usd, "2025-02-20"), paid(eur, str(eur.due_date)))
    assert profile.weighted_days_late == D(10)
    assert profile.late_amount_share == D("0.5")
    assert profile.amount_due == D(1000)
    # 1000 USD x 20 days at the invoice's rate 0.50 = 10,000 EUR-days x 0.10 / 365.
    assert profile.financing_cost == D(10000) * D("0.10") / 365


def test_open_foreign_balance_is_in_the_base_currency() -> None:
    usd = invoice("acme", issued="2025-06-01", total="1000", currency="USD", fx_rate="0.9",
                  id="U")
    profile = profile_of(usd)
    assert (profile.open_balance, profile.aging.current, profile.currency) == (
        D(900), D(900), "EUR")


def test_grace_days_decide_late_but_not_days_late() -> None:
    # 3 and 10 days late with a 5-day grace: one late; weighted days late still (3+10)/2.
    one = invoice("acme", issued="2025-01-01", total="100", id="G1")
    two = invoice("acme", issued="2025-01-02", total="100", id="G2")
    records = (one, two, paid(one, "2025-02-03"), paid(two, "2025-02-11"))
    profile = profile_of(*records, policy=Policy(grace_days=5))
    assert (profile.invoices_late, profile.weighted_days_late) == (1, D("6.5"))


def test_lateness_stays_per_customer_inside_a_group() -> None:
    # Two companies of one group: each keeps its own profile (lateness is a habit of the
    # company that pays), none for the group.
    one = invoice("parent", issued="2025-01-01", total="100", id="P1")
    two = invoice("child", issued="2025-01-01", total="100", id="C1")
    book = ledger(customer("parent", group="g"), customer("child", group="g"), one, two,
                  paid(one, "2025-02-10"))
    profiles = payment_profiles(book, as_of=AS_OF)
    assert set(profiles) == {"parent", "child"}
    assert (profiles["parent"].invoices_late, profiles["child"].invoices_open_late) == (1, 1)


def test_window_is_by_due_date() -> None:
    # Due 30 Jun 2024 is just outside (30 Jun 2024, 30 Jun 2025]; due 1 Jul 2024 is inside.
    out = invoice("acme", issued="2024-06-01", due="2024-06-30", total="100", id="OUT")
    inside = invoice("acme", issued="2024-06-01", due="2024-07-01", total="100", id="IN")
    profile = profile_of(out, inside, paid(out, "2024-06-30"), paid(inside, "2024-07-01"))
    assert profile.invoices_due == 1


def test_as_of_must_be_a_date() -> None:
    with pytest.raises(TypeError, match="as_of"):
        payment_profiles(ledger(INV), as_of="2025-06-30")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- properties
@st.composite
def books(draw: st.DrawFn) -> Any:
    """Two customers, up to eight invoices (some USD), part-payments that never over-apply."""
    records: list[AnyRecord] = []
    for index in range(draw(st.integers(1, 8))):
        who = draw(st.sampled_from(["a", "b"]))
        usd = draw(st.booleans())
        cents = draw(st.integers(1, 50_000))
        issued = date(2024, 6, 1) + timedelta(days=draw(st.integers(0, 500)))
        inv = invoice(who, issued=issued, total=D(cents) / 100, terms=draw(st.integers(0, 60)),
                      currency="USD" if usd else "EUR", fx_rate="0.9" if usd else None,
                      id=f"I{index}")
        records.append(inv)
        left = cents
        for part in range(draw(st.integers(0, 3))):
            if left == 0:
                break
            piece = draw(st.integers(1, left))
            left -= piece
            day = issued + timedelta(days=draw(st.integers(-10, 200)))
            records.append(payment(who, on=day, amount=D(piece) / 100, currency=inv.currency,
                                   fx_rate="0.9" if usd else None,
                                   pays=[(inv, D(piece) / 100)], id=f"P{index}-{part}"))
    return ledger(*records)


@settings(max_examples=100, deadline=None)
@given(book=books(), as_of=st.dates(min_value=date(2024, 9, 1), max_value=date(2026, 6, 1)))
def test_profile_invariants(book: Any, as_of: date) -> None:
    profiles = payment_profiles(book, as_of=as_of)
    settlements = settle(book, as_of=as_of)
    for who, profile in profiles.items():
        assert sum(profile.aging.buckets().values()) == profile.open_balance
        assert profile.overdue_balance == profile.open_balance - profile.aging.current
        assert profile.invoices_settled + profile.invoices_open == profile.invoices_due
        assert 0 <= profile.invoices_open_late <= profile.invoices_late <= profile.invoices_due
        assert profile.open_balance >= 0
        assert profile.financing_cost >= 0
        # The profile's open balance is the settlements' open balances of the customer.
        assert profile.open_balance == sum(
            (s.open_balance_base for s in settlements.values() if s.customer_id == who), D(0))
        if profile.late_share is not None:
            assert 0 <= profile.late_share <= 1
            assert profile.median_days_late <= profile.p90_days_late  # type: ignore[operator]


# ---------------------------------------------------------------------------- real data
def _us_date(text: str) -> date:
    month, day, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


@pytest.mark.skipif(not IBM.exists(), reason=f"reference data not present at {IBM}")
def test_ibm_profiles_match_the_files_own_days_late() -> None:
    """Per customer of the IBM sample, late share, mean and amount-weighted days late and ADP
    computed straight from the file's DaysLate / DaysToSettle columns equal the profile's."""
    with IBM.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    records: list[AnyRecord] = []
    by_customer: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        records.append(invoice(row["customerID"], issued=_us_date(row["InvoiceDate"]),
                               due=_us_date(row["DueDate"]), total=row["InvoiceAmount"],
                               currency="USD", id=row["invoiceNumber"],
                               paid=_us_date(row["SettledDate"])))
        by_customer[row["customerID"]].append(row)
    as_of = max(_us_date(row["SettledDate"]) for row in rows)
    first_due = min(_us_date(row["DueDate"]) for row in rows)
    policy = Policy(lookback_days=(as_of - first_due).days + 1)
    profiles = payment_profiles(ledger(*records, base_currency="USD"), as_of=as_of,
                                policy=policy)
    assert set(profiles) == set(by_customer)
    for who, mine in by_customer.items():
        late = [int(r["DaysLate"]) for r in mine]
        amounts = [D(r["InvoiceAmount"]) for r in mine]
        profile = profiles[who]
        assert profile.invoices_due == len(mine)
        assert profile.invoices_late == sum(1 for d in late if d > 0)
        assert profile.mean_days_late == D(sum(late)) / len(late)
        assert profile.weighted_days_late == sum(
            (a * d for a, d in zip(amounts, late, strict=True)), D(0)) / sum(amounts)
        assert profile.adp == D(sum(int(r["DaysToSettle"]) for r in mine)) / len(mine)


# ---------------------------------------------------------------------------- percentiles
@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([7], "0.9", D(7)),
        ([1, 2, 3, 4], "0.5", D("2.5")),
        # numpy.percentile([0, 10, 20, 30, 40], 90) = 36: position 4*0.9 = 3.6.
        ([0, 10, 20, 30, 40], "0.9", D(36)),
        ([0, 10, 20, 30, 40], "1", D(40)),
        ([0, 10, 20, 30, 40], "0", D(0)),
    ],
)
def test_percentile_type_7(values: list[int], q: str, expected: Decimal) -> None:
    assert percentile(values, D(q)) == expected


def test_percentile_errors() -> None:
    with pytest.raises(ValueError, match="nothing"):
        percentile([], D("0.5"))
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1], D("1.5"))


# ---------------------------------------------------------------------------- named variants
@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    if not VECTORS.exists():
        pytest.skip(f"reference test vectors not present at {VECTORS}")
    return json.loads(VECTORS.read_text(encoding="utf-8"), parse_float=D)  # type: ignore[no-any-return]


def test_dso_simple_vector(vectors: dict[str, Any]) -> None:
    case = vectors["dso_simple"]  # 150,000 / 1,800,000 * 365 = 30.42
    given_ = case["input"]
    result = dso_simple(given_["ar"], given_["credit_sales"], given_["days"])
    assert abs(result - case["expected_days"]) < CENT


def test_dso_countback_vector(vectors: dict[str, Any]) -> None:
    case = vectors["dso_countback"]  # 30 + 30 + 32,000/70,000 * 30 = 73.71
    given_ = case["input"]
    result = dso_countback(given_["ar_end"], given_["monthly_credit_sales_oldest_to_latest"],
                           given_["days_per_month"])
    assert abs(result - case["expected_days"]) < CENT


def test_add_crf_vectors(vectors: dict[str, Any]) -> None:
    for case in vectors["add_crf"]:  # 45 - 12 = 33 and 50 - 12 = 38
        given_, expected = case["input"], case["expected"]
        result = add_crf(given_["total_ar"], given_["current_ar"], given_["credit_sales"],
                         given_["days"])
        assert abs(result.dso - expected["dso"]) < CENT
        assert abs(result.best_possible_dso - expected["best_possible_dso"]) < CENT
        assert abs(result.add - expected["add"]) < CENT


def test_cei_vectors(vectors: dict[str, Any]) -> None:
    # (6200 + 10890 - 6340) / (6200 + 10890 - 3590) = 79.63%; with sales / 3: 55.93%;
    # gaviti (100k + 1M - 120k) / (100k + 1M - 100k) = 98%.
    assert len(vectors["cei"]) == 3
    for case in vectors["cei"]:
        given_ = case["input"]
        result = cei(given_["begin_ar"], given_["credit_sales"], given_["end_total_ar"],
                     given_["end_current_ar"], sales_divisor=given_["sales_divisor"])
        assert abs(result - case["expected_pct"]) < CENT


def test_upflow_average_payment_delay_vector(vectors: dict[str, Any]) -> None:
    case = vectors["avg_payment_delay_weighted_upflow"]  # (140*7 + 85*55) / 225 = 25.13
    pairs = [(i["amount"], i["days_from_due_to_paid"]) for i in case["input"]["invoices"]]
    assert abs(average_payment_delay(pairs) - case["expected_days"]) < CENT
    # The same number from a ledger: two invoices due 31 Jan paid 7 and 55 days after.
    one = invoice("acme", issued="2025-01-01", total="140", id="U1")
    two = invoice("acme", issued="2025-01-01", total="85", id="U2")
    profile = profile_of(one, two, paid(one, "2025-02-07"), paid(two, "2025-03-27"))
    assert abs(profile.weighted_days_beyond_terms - case["expected_days"]) < CENT


def test_dso_countback_edges() -> None:
    # Receivables exactly one month of sales: 30 days. With actual month lengths (Jan 31,
    # Feb 28): 212,000 over [70k, 80k, 100k] with days [31, 28, 31] -> 31 + 28 + 32/70*31.
    assert dso_countback(100, [50, 100]) == 30
    assert dso_countback(212_000, [70_000, 80_000, 100_000], [31, 28, 31]) == (
        59 + D(32_000) / 70_000 * 31)
    assert dso_countback(0, [10]) == 0
    with pytest.raises(ValueError, match="pass more months"):
        dso_countback(500, [100, 100])
    with pytest.raises(ValueError, match="month lengths"):
        dso_countback(100, [100, 100], [30])


def test_variant_errors() -> None:
    with pytest.raises(ValueError, match="credit_sales is zero"):
        dso_simple(100, 0, 30)
    with pytest.raises(ValueError, match="sales_divisor"):
        cei(1, 1, 1, 0, sales_divisor=0)
    assert average_payment_delay([]) is None


def test_an_invoice_paid_early_but_due_after_as_of_is_not_yet_due_in_the_window() -> None:
    # DESIGN.md section 4: the profile covers invoices *due* in (as_of - lookback, as_of].
    # "L" is paid on 2025-06-10 but falls due on 2025-07-31, after as_of: counting it would
    # dilute the late share with an invoice whose terms have not run out yet.
    from clientguard.metrics.lateness import payment_profiles as profiles_of
    from clientguard.testing import invoice as make_invoice
    from clientguard.testing import ledger as make_ledger
    from clientguard.testing import payment as make_payment

    due_later = make_invoice("acme", issued="2025-06-01", due="2025-07-31", total="100", id="L")
    due_now = make_invoice("acme", issued="2025-05-01", due="2025-05-31", total="100", id="D")
    book = make_ledger(
        due_later,
        due_now,
        make_payment("acme", on="2025-06-10", amount="100", pays=due_later, id="PL"),
        make_payment("acme", on="2025-06-05", amount="100", pays=due_now, id="PD"),
    )
    profile = profiles_of(book, as_of=date(2025, 6, 30))["acme"]
    assert profile.invoices_due == 1
    assert profile.invoices_late == 1  # D: paid 5 days after its due date
    assert profile.late_share == 1
