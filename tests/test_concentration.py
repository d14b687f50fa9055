"""Concentration metrics: shares, ranks, top-k, HHI, effective number, Gini, Lorenz, series.

Expected values are worked by hand in the comments, or computed independently in the test
(exact fractions, a trapezoid Lorenz area) rather than by the code under test.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.metrics.concentration import (
    Basis,
    amounts_by_client,
    book_measures,
    client_name,
    concentration_series,
    hours_by_client,
    members_of_groups,
    open_receivables,
    revenue_by_client,
    series_ends,
    window,
    without_client,
)
from clientguard.model import MAX_HOURS, AnyRecord, CreditNote, Invoice, hours_in_bounds
from clientguard.policy import Policy
from clientguard.settlement import settle
from clientguard.testing import (
    credit_note,
    customer,
    fx_table,
    invoice,
    ledger,
    payment,
    time_entry,
)

D = Decimal
AS_OF = date(2025, 6, 30)
REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"


def close(a: Decimal | None, b: Decimal | float | Fraction | int, digits: int = 20) -> bool:
    assert a is not None
    return abs(Fraction(a) - Fraction(b)) < Fraction(1, 10**digits)


# ---------------------------------------------------------------------------- worked examples
@pytest.mark.parametrize(
    ("amounts", "hhi", "effective", "top", "gini", "gini_corrected"),
    [
        # ANCHORS 2.6 [S63]: 30/30/20/20 -> HHI 900+900+400+400 = 2,600; Ne = 1/0.26.
        # Gini, ascending 20,20,30,30: 2(20+40+90+120)/(4*100) - 5/4 = 1.35 - 1.25 = 0.1;
        # corrected 0.1 * 4/3.
        (
            {"a": 30, "b": 30, "c": 20, "d": 20},
            2600, Fraction(100, 26), {1: "0.3", 3: "0.8", 5: "1", 10: "1"},
            Fraction(1, 10), Fraction(4, 30),
        ),
        # Five equal clients: 5 * 20^2 = 2,000 (the floor 10,000/n), Ne = 5, Gini 0.
        (
            dict.fromkeys("abcde", 7),
            2000, 5, {1: "0.2", 3: "0.6", 5: "1", 10: "1"}, 0, 0,
        ),
        # One client: 10,000 and 1; Gini 0 and no small-sample correction for n = 1.
        ({"solo": 123}, 10000, 1, {1: "1", 3: "1", 5: "1", 10: "1"}, 0, None),
        # 99/1: HHI 9,801 + 1 = 9,802; Gini 2(1 + 2*99)/(2*100) - 3/2 = 0.49; corrected 0.98.
        (
            {"big": 99, "small": 1},
            9802, Fraction(10000, 9802), {1: "0.99", 3: "1", 5: "1", 10: "1"},
            Fraction(49, 100), Fraction(98, 100),
        ),
    ],
)
def test_worked_examples(
    amounts: dict[str, int],
    hhi: int,
    effective: Fraction | int,
    top: dict[int, str],
    gini: Fraction | int,
    gini_corrected: Fraction | int | None,
) -> None:
    book = book_measures({k: D(v) for k, v in amounts.items()})
    assert book.hhi == hhi
    assert close(book.effective_clients, effective)
    assert book.top_shares == {k: D(v) for k, v in top.items()}
    assert close(book.gini, gini)
    if gini_corrected is None:
        assert book.gini_corrected is None
    else:
        assert close(book.gini_corrected, gini_corrected)


def test_the_worked_example_of_the_docs() -> None:
    # docs/metrics/concentration.md: 380/200/150/150/120 of 1,000.
    # HHI 1,444 + 400 + 225 + 225 + 144 = 2,438; Ne = 1/0.2438.
    # Gini: ascending 120, 150, 150, 200, 380: sum(i x) = 120+300+450+800+1900 = 3,570;
    # 2 * 3,570 / 5,000 - 6/5 = 0.228; corrected 0.228 * 5/4 = 0.285.
    # Without acme: (40,000 + 22,500 + 22,500 + 14,400) / 620^2 * 10^4.
    book = book_measures(
        {"acme": D(380), "beta": D(200), "gamma": D(150), "delta": D(150), "epsilon": D(120)}
    )
    assert book.top_shares == {1: D("0.38"), 3: D("0.73"), 5: D(1), 10: D(1)}
    assert book.hhi == 2438
    assert close(book.effective_clients, Fraction(10000, 2438))
    assert book.gini == D("0.228")
    assert book.gini_corrected == D("0.285")
    assert book.ranks == {"acme": 1, "beta": 2, "delta": 3, "gamma": 3, "epsilon": 5}
    assert [y for _, y in book.lorenz] == [D(0), D("0.12"), D("0.27"), D("0.42"), D("0.62"), 1]
    gone = without_client(book, "acme")
    assert close(gone.hhi, Fraction(99400, 384400) * 10000)
    assert close(gone.top_share, Fraction(200, 620))


def test_lorenz_curve_of_30_30_20_20() -> None:
    # Ascending 20, 20, 30, 30 of 100: cumulative 0.2, 0.4, 0.7, 1.0 at 1/4, 2/4, 3/4, 1.
    book = book_measures({"a": D(30), "b": D(30), "c": D(20), "d": D(20)})
    assert book.lorenz == (
        (D(0), D(0)),
        (D("0.25"), D("0.2")),
        (D("0.5"), D("0.4")),
        (D("0.75"), D("0.7")),
        (D(1), D(1)),
    )


def test_ties_share_a_rank_and_are_ordered_by_id() -> None:
    # Equal amounts share a rank, the next rank is skipped (1, 1, 3, 4, 4);
    # the listing order among equals is by id whatever order the mapping came in.
    amounts = {"zeta": D(50), "alpha": D(50), "mid": D(30), "b": D(10), "a": D(10)}
    book = book_measures(amounts)
    assert list(book.shares) == ["alpha", "zeta", "mid", "a", "b"]
    assert book.ranks == {"alpha": 1, "zeta": 1, "mid": 3, "a": 4, "b": 4}
    assert book_measures(dict(reversed(list(amounts.items())))) == book


def test_zero_and_negative_clients_are_listed_not_divided_by() -> None:
    # c and d are out of the denominator: shares are 75/25 of 100, not of 90.
    book = book_measures({"a": D(75), "b": D(25), "c": D(0), "d": D(-10)})
    assert book.shares == {"a": D("0.75"), "b": D("0.25")}
    assert book.excluded == {"c": D(0), "d": D(-10)}
    assert book.total == 100
    assert book.net_total == 90
    assert book.client_count == 2


def test_an_empty_book_has_no_measures() -> None:
    book = book_measures({"refunded": D(-5)})
    assert book.is_empty
    assert (book.hhi, book.effective_clients, book.gini, book.gini_corrected) == (None,) * 4
    assert book.shares == {}
    assert book.top_shares == {}
    assert book.lorenz == ()
    assert book.excluded == {"refunded": D(-5)}
    assert book_measures({}).is_empty


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        book_measures({"a": 0.1})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("client", "top_client", "top_share", "hhi", "effective"),
    [
        # Without a (30): b, c, d = 30, 20, 20 of 70: HHI (900+400+400)/4900 * 10^4.
        ("a", "b", Fraction(3, 7), Fraction(1700, 4900) * 10000, Fraction(4900, 1700)),
        # Without c (20): 30, 30, 20 of 80: Ne = 6400 / 2200.
        ("c", "a", Fraction(3, 8), Fraction(2200, 6400) * 10000, Fraction(6400, 2200)),
        # A client not in the book changes nothing.
        ("nobody", "a", Fraction(3, 10), 2600, Fraction(100, 26)),
    ],
)
def test_the_book_without_a_client(
    client: str, top_client: str, top_share: Fraction, hhi: Fraction | int, effective: Fraction
) -> None:
    book = book_measures({"a": D(30), "b": D(30), "c": D(20), "d": D(20)})
    gone = without_client(book, client)
    assert gone.top_client == top_client
    assert close(gone.top_share, top_share)
    assert close(gone.hhi, hhi)
    assert close(gone.effective_clients, effective)
    # The shortcut agrees with recomputing the book without the client.
    again = book_measures({k: v for k, v in book.amounts.items() if k != client})
    assert close(gone.hhi, again.hhi)  # type: ignore[arg-type]


@pytest.mark.parametrize(("giant", "others", "effective"), [
    # 10^15 beside two clients of 1: without the giant, two equal clients: (1 + 1)^2 / (1 + 1)
    # = 2 effective clients (the sum of squares, 10^30 + 2, holds 31 digits, more than
    # Decimal's 28, so taking 10^30 out of it left 0: "the only client with revenue").
    (D("1E15"), {"a": D(1), "b": D(1)}, D(2)),
    # 10^15.5-ish beside 3 and 1: (3 + 1)^2 / (9 + 1) = 1.6.
    (D("3162277660168379.33"), {"a": D(3), "b": D(1)}, D("1.6")),
    # Cents: 0.01 and 0.03 beside 10^17: (0.04)^2 / (0.0001 + 0.0009) = 1.6.
    (D("1E17"), {"a": D("0.01"), "b": D("0.03")}, D("1.6")),
])
def test_a_book_without_a_giant_client_keeps_its_other_clients(
    giant: D, others: dict[str, D], effective: D,
) -> None:
    gone = without_client(book_measures({"giant": giant, **others}), "giant")
    assert gone.client_count == 2
    assert gone.effective_clients == effective
    assert gone.top_client == max(others, key=lambda c: others[c])


def test_the_book_without_its_only_client_is_empty() -> None:
    gone = without_client(book_measures({"solo": D(10)}), "solo")
    assert gone.client_count == 0
    assert (gone.top_client, gone.hhi, gone.effective_clients) == (None, None, None)


# ---------------------------------------------------------------------------- properties
amounts_strategy = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=4),
    st.decimals(min_value=D("-1000"), max_value=D("1000000"), places=2, allow_nan=False),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(amounts_strategy)
def test_book_invariants(amounts: dict[str, Decimal]) -> None:
    book = book_measures(amounts)
    positive = {k: v for k, v in amounts.items() if v > 0}
    n = len(positive)
    assert book.client_count == n
    assert set(book.excluded) == set(amounts) - set(positive)
    if n == 0:
        assert book.hhi is None
        return
    assert book.hhi is not None
    assert book.effective_clients is not None
    assert book.gini is not None
    # Shares sum to 1 within rounding (28 significant digits per share).
    assert abs(sum(book.shares.values(), D(0)) - 1) <= D(n) * D("1e-27")
    # HHI between 10,000/n and 10,000; Ne between 1 and n.
    assert D(10000) / n - D("1e-20") <= book.hhi <= D(10000) + D("1e-20")
    assert D(1) - D("1e-20") <= book.effective_clients <= n + D("1e-20")
    # Gini between 0 and 1 (at most (n-1)/n uncorrected).
    assert 0 <= book.gini <= D(n - 1) / n + D("1e-25")
    if book.gini_corrected is not None:
        assert 0 <= book.gini_corrected <= 1 + D("1e-25")
    # HHI matches an exact computation with fractions.
    total = sum(Fraction(v) for v in positive.values())
    exact = sum((Fraction(v) / total) ** 2 for v in positive.values()) * 10000
    assert close(book.hhi, exact, 18)
    # Top-k grows with k; the top-1 share is the largest share.
    tops = [book.top_shares[k] for k in (1, 3, 5, 10)]
    assert tops == sorted(tops)
    assert book.top_shares[1] == max(book.shares.values())
    # Ranks follow amounts.
    for a in positive:
        for b in positive:
            if positive[a] > positive[b]:
                assert book.ranks[a] < book.ranks[b]
            elif positive[a] == positive[b]:
                assert book.ranks[a] == book.ranks[b]


@settings(max_examples=100, deadline=None)
@given(amounts_strategy)
def test_gini_is_one_minus_twice_the_area_under_the_lorenz_curve(
    amounts: dict[str, Decimal],
) -> None:
    book = book_measures(amounts)
    if book.client_count == 0:
        return
    # Independent: the trapezoid area from our own sorted cumulative sums, in fractions.
    values = sorted(Fraction(v) for v in amounts.values() if v > 0)
    total, n = sum(values), len(values)
    area, running = Fraction(0), Fraction(0)
    for v in values:
        area += (2 * running + v) / total / (2 * n)
        running += v
    assert close(book.gini, 1 - 2 * area, 18)
    assert [p[1] for p in book.lorenz] == sorted(p[1] for p in book.lorenz)


# ---------------------------------------------------------------------------- from a ledger
def test_window_is_as_of_minus_lookback_exclusive() -> None:
    assert window(AS_OF, 365) == (date(2024, 7, 1), AS_OF)
    assert window(AS_OF, 1) == (AS_OF, AS_OF)
    with pytest.raises(ValueError, match="at least one day"):
        window(AS_OF, 0)


@pytest.mark.parametrize(
    ("issued", "counted"),
    [
        (date(2024, 6, 30), False),  # as_of - 365: just outside (as_of - 365, as_of]
        (date(2024, 7, 1), True),
        (AS_OF, True),
        (date(2025, 7, 1), False),  # after as_of: did not exist yet
    ],
)
def test_revenue_window_edges(issued: date, counted: bool) -> None:
    book = ledger(invoice("acme", issued=issued, total="100"))
    first, last = window(AS_OF, 365)
    assert revenue_by_client(book, first=first, last=last) == (
        {"acme": D(100)} if counted else {}
    )


def test_draft_and_void_invoices_are_not_revenue() -> None:
    book = ledger(
        invoice("acme", issued="2025-01-10", total="100"),
        invoice("acme", issued="2025-01-11", total="50", status="draft"),
        invoice("acme", issued="2025-01-12", total="70", status="void"),
        invoice("acme", issued="2025-01-13", total="30", paid="2025-02-01"),
    )
    assert amounts_by_client(book, basis="revenue", as_of=AS_OF) == {"acme": D(130)}


def test_credit_notes_net_revenue_by_their_own_issue_date() -> None:
    old = invoice("acme", issued="2024-05-01", total="500")  # before the window
    book = ledger(
        old,
        invoice("acme", issued="2025-01-10", total="1000"),
        credit_note("acme", issued="2025-02-01", total="400"),
        # Issued in the window against the old invoice: it still reduces this window.
        credit_note("acme", issued="2025-03-01", total="100", applies_to=old),
        credit_note("acme", issued="2025-07-01", total="300"),  # after as_of
        invoice("beta", issued="2025-01-10", total="500"),
    )
    # acme: 1000 - 400 - 100 = 500; beta 500.
    report = book_measures(amounts_by_client(book, basis="revenue", as_of=AS_OF))
    assert report.amounts == {"acme": D(500), "beta": D(500)}
    assert report.shares == {"acme": D("0.5"), "beta": D("0.5")}


def test_a_credit_note_larger_than_the_windows_invoices_excludes_the_client() -> None:
    book = ledger(
        invoice("acme", issued="2024-03-01", total="5000"),  # before the window
        invoice("acme", issued="2025-01-10", total="100"),
        credit_note("acme", issued="2025-02-01", total="300"),
        invoice("beta", issued="2025-01-10", total="600"),
        invoice("gamma", issued="2025-01-10", total="400"),
    )
    report = book_measures(amounts_by_client(book, basis="revenue", as_of=AS_OF))
    # acme nets 100 - 300 = -200: listed, never a divisor; the others share 1,000.
    assert report.excluded == {"acme": D(-200)}
    assert report.shares == {"beta": D("0.6"), "gamma": D("0.4")}
    assert report.total == 1000
    assert report.net_total == 800


def test_multi_currency_converts_each_document_at_its_own_rate() -> None:
    fx = fx_table("EUR", {"PLN": {"2025-01-10": "0.25", "2025-02-03": "0.20"}})
    book = ledger(
        # USD at its own rate: 1,000 * 0.90 = 900 EUR.
        invoice("us", issued="2025-01-10", total="1000", currency="USD", fx_rate="0.90"),
        # PLN from the table on its issue date: 4,000 * 0.25 = 1,000 EUR.
        invoice("pl", issued="2025-01-10", total="4000", currency="PLN"),
        # A PLN credit note on its own date (rate 0.20, stale-tolerant from 02-03):
        # 500 * 0.20 = 100 EUR off.
        credit_note("pl", issued="2025-02-05", total="500", currency="PLN"),
        invoice("eu", issued="2025-01-10", total="1100"),
        fx=fx,
    )
    amounts = amounts_by_client(book, basis="revenue", as_of=AS_OF)
    assert amounts == {"us": D("900.00"), "pl": D("900.00"), "eu": D(1100)}
    report = book_measures(amounts)
    assert report.shares["eu"] == D("0.3793103448275862068965517241")  # 1100 / 2900


@pytest.mark.parametrize(
    ("links", "groups", "client", "expected"),
    [
        # One company in two tools, linked (what `links suggest` writes): the client's id is
        # the smallest key, archive:c1, and its name that customer's (docs/concepts.md,
        # "Customers across sources"), not "Acme + Acme (group archive:c1)".
        ([(("archive", "c1"), ("books", "c1"))], {}, "archive:c1", "Acme (old books)"),
        # The order of the link does not choose the name: the smallest key does.
        ([(("books", "c1"), ("archive", "c1"))], {}, "archive:c1", "Acme (old books)"),
        # A group of companies (group_id) keeps its members' names and its id, linked or not.
        ([], {"books:c1": "books:c2"}, "books:c2", "Acme Sp. z o.o. + Beta (group books:c2)"),
        # A link joining a group: the linked pair (archive:c1, books:c2) is one company, named
        # once by its smallest key's customer, and the group by its companies' group id,
        # books:c2 (until 2026-12-08 "Acme (old books) + Acme Sp. z o.o. + Beta (group
        # archive:c1)": one company twice, and the client's id for the group's).
        ([(("archive", "c1"), ("books", "c2"))], {"books:c1": "books:c2"}, "archive:c1",
         "Acme (old books) + Acme Sp. z o.o. (group books:c2)"),
    ],
)
def test_a_client_of_linked_customers_is_named_by_its_smallest_keys_customer(
    links: list[Any], groups: dict[str, str], client: str, expected: str
) -> None:
    names = {"archive:c1": "Acme (old books)", "books:c1": "Acme Sp. z o.o.", "books:c2": "Beta"}
    records: list[AnyRecord] = []
    for key, name in names.items():
        source, ident = key.split(":")
        group = groups.get(key)
        records += [
            customer(ident, name, source=source,
                     group=group.split(":")[-1] if group else None),
            invoice(ident, issued="2025-01-10", total="100", source=source),
        ]
    book = ledger(*records, links=links)
    assert book.group_of("books:c1") == client
    assert client_name(book, client) == expected


def test_groups_count_as_one_client_and_list_their_members() -> None:
    book = ledger(
        customer("acme-pl", "Acme PL", group="acme"),
        customer("acme-de", "Acme DE", group="acme"),
        customer("beta", "Beta"),
        invoice("acme-pl", issued="2025-01-10", total="300"),
        invoice("acme-de", issued="2025-02-10", total="200"),
        invoice("beta", issued="2025-01-10", total="400"),
        invoice("gamma", issued="2025-01-10", total="100"),  # no Customer record
    )
    report = book_measures(amounts_by_client(book, basis="revenue", as_of=AS_OF))
    # acme = 300 + 200 = 500 of 1,000; alone, neither company would pass 30%.
    assert report.shares == {"acme": D("0.5"), "beta": D("0.4"), "gamma": D("0.1")}
    assert members_of_groups(book, report.amounts) == {"acme": ("acme-de", "acme-pl")}
    assert client_name(book, "acme") == "Acme DE + Acme PL (group acme)"
    assert client_name(book, "beta") == "Beta"
    assert client_name(book, "gamma") == "gamma"


def test_hours_over_the_window_by_client_and_group() -> None:
    book = ledger(
        customer("acme-pl", group="acme"),
        customer("acme-de", group="acme"),
        time_entry("acme-pl", on="2025-03-01", hours="10.5"),
        time_entry("acme-de", on="2025-03-02", hours="4.5"),
        time_entry("beta", on="2025-03-01", hours="5"),
        time_entry("beta", on="2024-06-30", hours="100"),  # outside the window
    )
    first, last = window(AS_OF, 365)
    assert hours_by_client(book, first=first, last=last) == {"acme": D(15), "beta": D(5)}
    assert book_measures(hours_by_client(book, first=first, last=last)).shares == {
        "acme": D("0.75"),
        "beta": D("0.25"),
    }


def test_records_in_any_order_give_the_same_measures() -> None:
    records: list[Invoice | CreditNote] = [
        invoice("a", issued="2025-01-01", total="100"),
        invoice("b", issued="2025-01-01", total="100"),
        invoice("c", issued="2025-02-01", total="50"),
        credit_note("c", issued="2025-03-01", total="10"),
    ]
    one = book_measures(amounts_by_client(ledger(*records), basis="revenue", as_of=AS_OF))
    two = book_measures(
        amounts_by_client(ledger(*reversed(records)), basis="revenue", as_of=AS_OF)
    )
    assert one == two
    assert list(one.ranks.items()) == [("a", 1), ("b", 1), ("c", 3)]


def test_unknown_basis_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown basis"):
        amounts_by_client(ledger(), basis="profit", as_of=AS_OF)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- receivables
def test_open_receivables_from_the_settlement_replay() -> None:
    paid_late = invoice("acme", issued="2025-01-10", total="1000")
    part_paid = invoice("acme", issued="2025-05-01", total="600")
    old = invoice("beta", issued="2025-02-01", total="400")  # 149 days old on as_of
    future_paid = invoice("beta", issued="2025-06-01", total="100")
    usd = invoice("gamma", issued="2025-06-01", total="100", currency="USD", fx_rate="0.5")
    book = ledger(
        paid_late,
        payment("acme", on="2025-03-01", amount="1000", pays=paid_late),
        part_paid,
        payment("acme", on="2025-06-01", amount="250", pays=part_paid),
        old,
        future_paid,
        # Paid after as_of: still open on as_of.
        payment("beta", on="2025-07-05", amount="100", pays=future_paid),
        usd,
    )
    positions = open_receivables(book, as_of=AS_OF, aged_after_days=90)
    # acme: 600 - 250 = 350 open; beta: 400 + 100; gamma: 100 USD at its own 0.5 = 50 EUR.
    assert {c: p.open_balance for c, p in positions.items()} == {
        "acme": D(350),
        "beta": D(500),
        "gamma": D("50.0"),
    }
    assert positions["beta"].aged_balance == 400
    assert positions["beta"].aged_share == D("0.8")
    assert positions["beta"].aged_invoice_ids == (old.id,)
    assert positions["beta"].invoice_ids == (old.id, future_paid.id)
    assert positions["beta"].oldest_days == 149
    assert positions["acme"].aged_share == 0
    # Passing settle()'s result gives the same positions as the internal replay.
    assert open_receivables(book, as_of=AS_OF, settlements=settle(book, as_of=AS_OF)) == positions


def test_open_receivables_keep_the_rate_the_invoice_was_booked_at() -> None:
    # 1,000 GBP issued at 1.10 EUR; by as_of the table says 1.20: still 1,100 EUR.
    fx = fx_table("EUR", {"GBP": {"2025-03-03": "1.10", "2025-06-30": "1.20"}})
    book = ledger(
        invoice("uk", issued="2025-03-03", total="1000", currency="GBP"),
        invoice("eu", issued="2025-03-03", total="1100"),
        fx=fx,
    )
    positions = open_receivables(book, as_of=AS_OF)
    assert positions["uk"].open_balance == D("1100.00")
    assert book_measures({c: p.open_balance for c, p in positions.items()}).shares == {
        "eu": D("0.5"),
        "uk": D("0.5"),
    }


def test_open_receivables_of_a_group_are_one_position() -> None:
    book = ledger(
        customer("acme-pl", group="acme"),
        customer("acme-de", group="acme"),
        invoice("acme-pl", issued="2025-01-02", total="100", id="pl-old"),
        invoice("acme-de", issued="2025-06-02", total="300", id="de-new"),
    )
    (position,) = open_receivables(book, as_of=AS_OF, aged_after_days=90).values()
    assert position.client_id == "acme"
    assert position.invoice_ids == ("pl-old", "de-new")
    assert position.aged_share == D("0.25")  # 100 of 400 is 179 days old


def test_receivables_age_counts_strictly_over_the_limit() -> None:
    # 90 days past invoice date is not "over 90"; 91 is.
    at_90 = invoice("a", issued=AS_OF - timedelta(days=90), total="100")
    at_91 = invoice("b", issued=AS_OF - timedelta(days=91), total="100")
    positions = open_receivables(ledger(at_90, at_91), as_of=AS_OF, aged_after_days=90)
    assert positions["a"].aged_balance == 0
    assert positions["b"].aged_balance == 100


# ---------------------------------------------------------------------------- over time
def test_series_ends_at_quarter_ends_then_as_of() -> None:
    # Three quarter ends before 05-15, then as_of itself so the series ends "now".
    assert series_ends(date(2025, 5, 15), periods=3) == (
        date(2024, 9, 30),
        date(2024, 12, 31),
        date(2025, 3, 31),
        date(2025, 5, 15),
    )
    assert series_ends(date(2025, 6, 30), periods=2) == (date(2025, 3, 31), date(2025, 6, 30))
    assert series_ends(date(2025, 3, 1), step="month", periods=2) == (
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 1),
    )
    assert len(series_ends(date(2025, 6, 30))) == 12  # three years of quarter ends


def test_series_shows_a_growing_dependence() -> None:
    # Each quarter from 2022 to mid-2025 "big" invoices 100 more than the quarter before,
    # the two others a steady 100 each.
    records = []
    mid_quarters = [date(y, m, 15) for y in (2022, 2023, 2024, 2025) for m in (2, 5, 8, 11)]
    for quarter, issued in enumerate(d for d in mid_quarters if d < date(2025, 6, 30)):
        records.append(invoice("big", issued=issued, total=str(100 * (quarter + 1))))
        records.append(invoice("steady1", issued=issued, total="100"))
        records.append(invoice("steady2", issued=issued, total="100"))
    book = ledger(*records)
    series = concentration_series(book, as_of=date(2025, 6, 30), periods=8)
    assert [p.as_of for p in series.points] == list(series_ends(date(2025, 6, 30), periods=8))
    tops = [p.top_shares[1] for p in series.points]
    assert tops == sorted(tops)
    assert tops[0] < tops[-1]
    assert series.client_shares["big"] == tuple(tops)
    assert all(p.top_client == "big" for p in series.points)
    # Each point is what the one-date analysis gives for that date.
    for point in series.points:
        book_then = book_measures(amounts_by_client(book, basis="revenue", as_of=point.as_of))
        assert point.hhi == book_then.hhi
        assert point.period == window(point.as_of, 365)


@pytest.mark.parametrize("basis", ["revenue", "hours"])
def test_series_points_match_the_one_date_analysis(basis: Basis) -> None:
    # Groups, another currency, credit notes and hours, spread over two years.
    records: list[AnyRecord] = [customer("a1", group="a"), customer("a2", group="a")]
    for month in range(24):
        day = date(2023, 7, 1) + timedelta(days=30 * month)
        records += [
            invoice("a1", issued=day, total=str(100 + month), id=f"a1-{month}"),
            invoice("a2", issued=day, total="37.13", id=f"a2-{month}"),
            invoice("us", issued=day, total="333.33", currency="USD", fx_rate="0.9137",
                    id=f"us-{month}"),
            invoice("b", issued=day, total=str(500 - 10 * month), id=f"b-{month}"),
            time_entry("a2", on=day, hours=str(month % 5 + 1)),
            time_entry("b", on=day, hours="2.25"),
        ]
        if month % 4 == 0:
            records.append(credit_note("b", issued=day + timedelta(days=3), total="99.99",
                                       id=f"cn-{month}"))
    book = ledger(*records)
    series = concentration_series(book, as_of=date(2025, 6, 15), basis=basis, periods=6)
    assert len(series.points) == 7
    for point in series.points:
        direct = book_measures(amounts_by_client(book, basis=basis, as_of=point.as_of))
        assert point.total == direct.total
        assert point.hhi == direct.hhi
        assert point.gini == direct.gini
        assert point.top_shares == direct.top_shares


def test_receivables_series_replays_as_of_each_date() -> None:
    inv = invoice("acme", issued="2025-01-10", total="100")
    book = ledger(
        inv,
        invoice("beta", issued="2025-01-10", total="100"),
        payment("acme", on="2025-05-01", amount="100", pays=inv),
    )
    series = concentration_series(book, as_of=date(2025, 6, 30), basis="receivables",
                                  periods=2)
    # 03-31: both open, 50/50. 06-30: acme paid on 05-01, beta holds it all.
    assert [p.top_shares[1] for p in series.points] == [D("0.5"), D(1)]
    assert [p.period for p in series.points] == [None, None]


def test_an_empty_window_in_a_series_has_no_measures() -> None:
    book = ledger(invoice("a", issued="2025-06-01", total="100"))
    series = concentration_series(book, as_of=date(2025, 6, 30), periods=2,
                                  policy=Policy(lookback_days=30))
    assert series.points[0].hhi is None
    assert series.points[0].client_count == 0
    assert series.points[1].hhi == 10000


# ---------------------------------------------------------------------------- real data
UCI = REFERENCE / "data" / "online_retail_uci_invoices.csv"


@pytest.mark.skipif(not UCI.exists(), reason=f"reference data not found at {UCI}")
def test_uci_online_retail_against_an_independent_computation() -> None:
    """25,900 real invoices (UCI Online Retail, CC BY 4.0): sales become invoices and
    cancellations (negative amounts) credit notes, in GBP; rows without a customer are left
    out. The test sums the CSV itself with Fractions and checks every book measure."""
    records: list[Invoice | CreditNote] = []
    expected: dict[str, Fraction] = {}
    as_of = date(2011, 12, 9)  # the data's last day
    first = as_of - timedelta(days=364)
    with UCI.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            who = row["CustomerID"]
            if not who:
                continue
            issued = date.fromisoformat(row["InvoiceDate"][:10])
            amount = D(row["amount_gbp"])
            if amount < 0:
                records.append(credit_note(who, issued=issued, total=-amount,
                                           id=row["InvoiceNo"], currency="GBP"))
            else:
                records.append(invoice(who, issued=issued, total=amount, id=row["InvoiceNo"],
                                       currency="GBP"))
            if first <= issued <= as_of:
                expected[who] = expected.get(who, Fraction(0)) + Fraction(row["amount_gbp"])
    book = ledger(*records, base_currency="GBP")
    report = book_measures(amounts_by_client(book, basis="revenue", as_of=as_of))

    positive = {k: v for k, v in expected.items() if v > 0}
    total = sum(positive.values())
    shares = {k: v / total for k, v in positive.items()}
    ordered = sorted(positive, key=lambda k: (-positive[k], k))
    assert report.client_count == len(positive)
    assert set(report.excluded) == {k for k, v in expected.items() if v <= 0}
    assert close(report.total, total)
    assert list(report.shares) == ordered
    for k in (1, 3, 5, 10):
        assert close(report.top_shares[k], sum(shares[c] for c in ordered[:k]), 18)
    squares = sum(s * s for s in shares.values())
    assert close(report.hhi, squares * 10000, 16)
    assert close(report.effective_clients, 1 / squares, 16)
    # Gini by the mean absolute difference, sum |x_i - x_j| / (2 n^2 mean), in O(n log n):
    # after sorting, sum over pairs of (x_j - x_i) for i < j is sum_j x_j (2j - n - 1).
    values = sorted(positive.values())
    n = len(values)
    pairs = sum(x * (2 * j - n - 1) for j, x in enumerate(values, start=1))
    assert close(report.gini, 2 * pairs / (2 * n * n * (total / n)), 18)
    # The book is far from concentrated: thousands of clients, HHI well under 100.
    assert report.hhi is not None
    assert report.hhi < 100
    assert report.effective_clients is not None
    assert report.effective_clients > 100


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    hours=st.lists(
        st.decimals(min_value=0, max_value=MAX_HOURS, allow_nan=False,
                    allow_infinity=False).filter(hours_in_bounds),
        min_size=1, max_size=6,
    ),
    total=st.decimals(min_value=0, max_value=Decimal("999999999999999999.99"), places=2),
)
def test_any_accepted_hours_and_amounts_review_without_an_arithmetic_error(
    hours: list[Decimal], total: Decimal
) -> None:
    # Every value the model accepts (zero hours, or from MIN_HOURS to MAX_HOURS with any
    # number of decimals or any exponent; amounts of 18 digits) goes through concentration,
    # workload and the whole review: never decimal.InvalidOperation.
    from clientguard.review import review as run_review

    clients = ("a", "b", "c")
    records: list[Any] = [
        invoice("a", issued="2025-03-01", due="2025-03-31", total=total),
        invoice("b", issued="2025-03-01", due="2025-03-31", total="1.00"),
    ]
    records += [time_entry(clients[i % 3], on="2025-04-01", hours=h) for i, h in enumerate(hours)]
    done = run_review(ledger(*records), as_of=date(2025, 6, 30))
    assert set(done.clients) >= {"a", "b"}
