"""Workload metrics: hours share, hours against revenue, revenue per hour, rush share.

Expected values are worked by hand in the comments.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.metrics.workload import rush_profiles, workload
from clientguard.model import AnyRecord
from clientguard.testing import (
    credit_note,
    customer,
    invoice,
    ledger,
    time_entry,
    work_request,
)

D = Decimal
AS_OF = date(2025, 6, 30)


def test_hours_share_against_revenue_share() -> None:
    # Hours: acme 40, beta 60 of 100. Revenue: acme 200, beta 800 of 1,000.
    # acme: hours share 0.4 / revenue share 0.2 = 2.0; 200 / 40 = 5 an hour against the
    # book's 1,000 / 100 = 10, so 0.5 of the average. beta: 0.6 / 0.8 = 0.75; 800 / 60.
    book = ledger(
        invoice("acme", issued="2025-02-01", total="200"),
        invoice("beta", issued="2025-02-01", total="800"),
        time_entry("acme", on="2025-02-01", hours="40"),
        time_entry("beta", on="2025-02-01", hours="25"),
        time_entry("beta", on="2025-03-01", hours="35"),
    )
    work = workload(book, as_of=AS_OF)
    assert work.total_hours == 100
    assert work.total_revenue == 1000
    assert work.firm_revenue_per_hour == 10
    acme, beta = work.clients["acme"], work.clients["beta"]
    assert list(work.clients) == ["beta", "acme"]  # most hours first
    assert (acme.hours_share, acme.revenue_share, acme.hours_to_revenue) == (
        D("0.4"), D("0.2"), D(2)
    )
    assert (acme.revenue_per_hour, acme.revenue_per_hour_vs_firm) == (D(5), D("0.5"))
    assert beta.hours_to_revenue == D("0.75")
    assert beta.revenue_per_hour == D(800) / D(60)
    assert work.period == (date(2024, 7, 1), AS_OF)


@pytest.mark.parametrize(
    ("records", "client", "expected"),
    [
        # Hours but nothing invoiced: no revenue share, no ratio; 0 an hour.
        (
            [time_entry("a", on="2025-01-01", hours="10"),
             time_entry("b", on="2025-01-01", hours="10"),
             invoice("b", issued="2025-01-01", total="100")],
            "a",
            {"hours_share": D("0.5"), "revenue_share": None, "hours_to_revenue": None,
             "revenue_per_hour": D(0)},
        ),
        # Credit notes beyond the invoices: negative revenue has no share either.
        (
            [time_entry("a", on="2025-01-01", hours="10"),
             invoice("a", issued="2025-01-01", total="100"),
             credit_note("a", issued="2025-01-05", total="150"),
             invoice("b", issued="2025-01-01", total="100")],
            "a",
            {"hours_share": D(1), "revenue_share": None, "hours_to_revenue": None,
             "revenue": D(-50)},
        ),
        # Revenue and no hours: hours share 0, ratio 0, no revenue per hour.
        (
            [time_entry("b", on="2025-01-01", hours="10"),
             invoice("a", issued="2025-01-01", total="100"),
             invoice("b", issued="2025-01-01", total="100")],
            "a",
            {"hours_share": D(0), "hours_to_revenue": D(0), "revenue_per_hour": None},
        ),
        # Nobody logged hours: no hours share at all.
        (
            [invoice("a", issued="2025-01-01", total="100")],
            "a",
            {"hours_share": None, "hours_to_revenue": None, "revenue_share": D(1)},
        ),
    ],
)
def test_workload_edge_cases(
    records: list[AnyRecord], client: str, expected: dict[str, object]
) -> None:
    load = workload(ledger(*records), as_of=AS_OF).clients[client]
    for name, value in expected.items():
        assert getattr(load, name) == value, name


def test_workload_counts_groups_as_one_client() -> None:
    book = ledger(
        customer("acme-pl", group="acme"),
        customer("acme-de", group="acme"),
        time_entry("acme-pl", on="2025-01-01", hours="30"),
        time_entry("acme-de", on="2025-01-01", hours="30"),
        time_entry("beta", on="2025-01-01", hours="40"),
        invoice("acme-de", issued="2025-01-01", total="300"),
        invoice("beta", issued="2025-01-01", total="700"),
    )
    work = workload(book, as_of=AS_OF)
    assert set(work.clients) == {"acme", "beta"}
    # 0.6 of the hours for 0.3 of the revenue.
    assert work.clients["acme"].hours_to_revenue == 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcd"), st.integers(1, 80), st.integers(0, 5000)),
        min_size=1,
        max_size=12,
    )
)
def test_ratio_is_the_reciprocal_of_rate_against_the_firm(
    rows: list[tuple[str, int, int]],
) -> None:
    records: list[AnyRecord] = []
    for index, (client, hours, amount) in enumerate(rows):
        records.append(time_entry(client, on="2025-01-01", hours=hours))
        records.append(invoice(client, issued="2025-01-01", total=amount, id=f"i{index}"))
    work = workload(ledger(*records), as_of=AS_OF)
    assert abs(sum(((c.hours_share or D(0)) for c in work.clients.values()), D(0)) - 1) < D("1e-25")
    for load in work.clients.values():
        if load.hours_to_revenue and load.revenue_per_hour_vs_firm:
            assert abs(load.hours_to_revenue * load.revenue_per_hour_vs_firm - 1) < D("1e-20")


# ---------------------------------------------------------------------------------- rush
def test_rush_share_counts_lead_times_up_to_the_limit() -> None:
    # Lead times -1 ("for yesterday"), 0, 2 are rush with rush_lead_days=2; 3 and 10 are not.
    book = ledger(
        *[
            work_request("acme", requested="2025-03-03", lead_days=lead, id=f"r{lead}")
            for lead in (-1, 0, 2, 3, 10)
        ]
    )
    profile = rush_profiles(book, as_of=AS_OF, rush_lead_days=2)["acme"]
    assert (profile.requests, profile.rush_requests, profile.rush_share) == (5, 3, D("0.6"))
    assert profile.rush_request_ids == ("r-1", "r0", "r2")
    assert profile.median_lead_days == 2


def test_rush_change_between_the_recent_period_and_the_one_before() -> None:
    # recent_days = 90: recent (04-02, 06-30], before (01-02 .. 04-01).
    # Before: 4 requests, 1 rush (0.25). Recent: 4 requests, 3 rush (0.75). Change +0.5.
    # One more request in 2024-10 is in the window but in neither period.
    records = [
        work_request("acme", requested="2025-01-10", lead_days=1, id="b1"),
        work_request("acme", requested="2025-02-10", lead_days=9, id="b2"),
        work_request("acme", requested="2025-03-10", lead_days=9, id="b3"),
        work_request("acme", requested="2025-04-01", lead_days=9, id="b4"),  # last day before
        work_request("acme", requested="2025-04-02", lead_days=0, id="n1"),  # first recent day
        work_request("acme", requested="2025-05-10", lead_days=1, id="n2"),
        work_request("acme", requested="2025-06-10", lead_days=9, id="n3"),
        work_request("acme", requested="2025-06-30", lead_days=2, id="n4"),
        work_request("acme", requested="2024-10-01", lead_days=0, id="old"),
        work_request("acme", requested="2025-07-01", lead_days=0, id="future"),
    ]
    profile = rush_profiles(ledger(*records), as_of=AS_OF, rush_lead_days=2, recent_days=90)[
        "acme"
    ]
    assert profile.recent_period == (date(2025, 4, 2), AS_OF)
    assert profile.before_period == (date(2025, 1, 2), date(2025, 4, 1))
    assert (profile.before_requests, profile.before_rush_share) == (4, D("0.25"))
    assert (profile.recent_requests, profile.recent_rush_share) == (4, D("0.75"))
    assert profile.change == D("0.5")
    # The window: 9 requests (not the future one), 5 rush: old, b1, n1, n2, n4.
    assert (profile.requests, profile.rush_requests) == (9, 5)
    assert profile.rush_request_ids == ("old", "b1", "n1", "n2", "n4")


def test_rush_change_is_none_without_requests_in_a_period() -> None:
    book = ledger(work_request("acme", requested="2025-06-01", lead_days=0))
    profile = rush_profiles(book, as_of=AS_OF, rush_lead_days=2)["acme"]
    assert profile.before_rush_share is None
    assert profile.change is None


def test_rush_is_per_client_and_group() -> None:
    book = ledger(
        customer("acme-pl", group="acme"),
        customer("acme-de", group="acme"),
        work_request("acme-pl", requested="2025-03-01", lead_days=0, id="a"),
        work_request("acme-de", requested="2025-03-01", lead_days=5, id="b"),
        work_request("beta", requested="2024-01-01", lead_days=0, id="c"),  # before the window
    )
    profiles = rush_profiles(book, as_of=AS_OF, rush_lead_days=2)
    assert set(profiles) == {"acme"}
    assert profiles["acme"].rush_share == D("0.5")


def test_a_request_on_the_window_edges() -> None:
    first_day = AS_OF - timedelta(days=364)
    book = ledger(
        work_request("acme", requested=first_day, lead_days=0, id="in"),
        work_request("acme", requested=first_day - timedelta(days=1), lead_days=0, id="out"),
    )
    assert rush_profiles(book, as_of=AS_OF, rush_lead_days=2)["acme"].requests == 1
