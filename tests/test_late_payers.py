"""Late-payer findings: chronic and worsening lateness, per client, with the numbers.

Each client is written with the ``clientguard.testing`` builders: a list of days late, one
invoice per month, turned into invoices and the payments that settle them. Expected findings
are worked out by hand in the comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from clientguard.findings import Finding, Severity, Signal
from clientguard.metrics.lateness import payment_profiles
from clientguard.metrics.trend import lateness_trend
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.signals import late_payer_findings, late_payers, lateness_severity
from clientguard.testing import customer, invoice, ledger, payment

D = Decimal
AS_OF = date(2025, 6, 30)
OPEN = None  # in a list of days late: the invoice is still unpaid on AS_OF


def month_start(months_before_as_of_month: int) -> date:
    """The first day of the month that many months before June 2025."""
    index = 2025 * 12 + 5 - months_before_as_of_month
    return date(index // 12, index % 12 + 1, 1)


def client(who: str, days_late: list[int | None], *, amount: str = "100",
           last_month_back: int = 0, named: bool = True) -> list[AnyRecord]:
    """One invoice a month, due on the 1st, the last one due ``last_month_back`` months
    before June 2025; each paid that many days after its due date (None: still open).
    Issued 14 days before the due date. ``named``: with a Customer record (name: the id
    capitalised)."""
    records: list[AnyRecord] = [customer(who)] if named else []
    count = len(days_late)
    for position, late in enumerate(days_late):
        due = month_start(last_month_back + count - 1 - position)
        inv = invoice(who, issued=due - timedelta(days=14), due=due, total=amount,
                      id=f"{who}-{due:%Y-%m}")
        records.append(inv)
        if late is not None:
            records.append(payment(who, on=due + timedelta(days=late), amount=amount, pays=inv,
                                   id=f"pay-{inv.id}"))
    return records


BANDS = Policy(material_late_cost=0, material_overdue=0, material_overdue_client_share=0,
               material_overdue_firm_share=0, aggravation=0)
"""The severity bands alone: no materiality floor, no aggravating facts. The cases below test
the bands on small invoices; tests/test_verdicts.py tests materiality and aggravation."""


def findings_for(records: list[AnyRecord], policy: Policy | None = None) -> dict[Signal, Finding]:
    found = late_payers(ledger(*records), as_of=AS_OF, policy=policy or BANDS)
    assert len({f.signal for f in found}) == len(found), "one finding per signal"
    return {f.signal: f for f in found}


@dataclass(frozen=True)
class Case:
    name: str
    days_late: list[int | None]
    expect: dict[Signal, Severity]
    policy: Policy = BANDS
    last_month_back: int = 0


CASES = [
    # 4 of 6 late by 6 days, equal amounts: late share 67% >= 50%, weighted 24/6 = 4 days:
    # chronic, watch.
    Case("chronic, mildly late", [0, 6, 0, 6, 6, 6], {Signal.CHRONIC_LATE: Severity.WATCH}),
    # 4 of 6 late by 30: weighted 120/6 = 20 > 15: warning.
    Case("chronic, warning", [0, 30, 0, 30, 30, 30], {Signal.CHRONIC_LATE: Severity.WARNING}),
    # 4 of 6 late by 75: weighted 300/6 = 50 > 45: critical. (Due Oct 2024 to Mar 2025, so
    # that even the last was paid by 30 Jun.)
    Case("chronic, critical", [0, 75, 0, 75, 75, 75], {Signal.CHRONIC_LATE: Severity.CRITICAL},
         last_month_back=3),
    # Exactly half late (3 of 6) is chronic ("at least"); weighted (3*10)/6 = 5: watch.
    Case("chronic at the threshold", [10, 0, 10, 0, 10, 0], {Signal.CHRONIC_LATE: Severity.WATCH}),
    # 2 of 6 late is not chronic, however late.
    Case("not chronic", [0, 0, 80, 0, 80, 0], {}),
    # One invoice 60 days late: too few to judge (min_invoices 3).
    Case("one invoice", [60], {}),
    # Weighted exactly 15.0 (6 invoices, 4 late: 15 + 15 + 30 + 30 = 90 / 6): not above
    # the 15-day band (Tesorio's "Great" is <= 15): watch.
    Case("exactly at the warning band", [0, 15, 0, 15, 30, 30],
         {Signal.CHRONIC_LATE: Severity.WATCH}),
    # A stricter policy: 4 of 6 is under 80%.
    Case("policy decides", [0, 30, 0, 30, 30, 30], {},
         BANDS.model_copy(update={"chronic_late_share": D("0.8")})),
    # 12 months, days late 0, 2, ..., 22: Mann-Kendall S = 66 (every pair rises), exact
    # p = 1/12!; Theil-Sen slope 2 days a month >= 1. The line ends at 22 > 15: warning.
    # Also chronic: 11 of 12 late, weighted (2 + ... + 22)/12 = 132/12 = 11: watch.
    Case("worsening", [2 * i for i in range(12)],
         {Signal.WORSENING_LATE: Severity.WARNING, Signal.CHRONIC_LATE: Severity.WATCH}),
    # The same, rising 0 to 55 by 5 a month: the line ends at 55 > 45: critical.
    Case("worsening fast", [5 * i for i in range(12)],
         {Signal.WORSENING_LATE: Severity.CRITICAL, Signal.CHRONIC_LATE: Severity.WARNING}),
    # Stable: alternating 5 and 7 days late. S = 21 - 15 = 6; two tie groups of six:
    # var = (12*11*29 - 2*6*5*17)/18 = 156, z = 5/12.5 = 0.40, p = 0.34: no trend.
    Case("stable late payer", [5, 7] * 6, {Signal.CHRONIC_LATE: Severity.WATCH}),
    # Improving: 22 down to 0. No upward trend; still chronic (11 of 12 late, 11 days).
    Case("improving", [2 * i for i in range(11, -1, -1)], {Signal.CHRONIC_LATE: Severity.WATCH}),
    # Rising, significant, but by half a day a month (0 0 1 1 2 2 ... 5 5): Theil-Sen slope
    # 0.5 < 1 day a month: not worth a conversation. Late on 10 of 12 by 2.5 days: chronic.
    Case("rising too slowly", [i // 2 for i in range(12)], {Signal.CHRONIC_LATE: Severity.WATCH}),
    # Six months exactly (trend_min_months): 0 4 8 12 16 20, exact p = 1/720 = 0.0014.
    # Line ends at 20 > 15: warning; chronic 5 of 6, weighted 60/6 = 10: watch.
    Case("worsening over the minimum months", [0, 4, 8, 12, 16, 20],
         {Signal.WORSENING_LATE: Severity.WARNING, Signal.CHRONIC_LATE: Severity.WATCH}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_late_payer_scenarios(case: Case) -> None:
    found = findings_for(client("acme", case.days_late, last_month_back=case.last_month_back),
                         case.policy)
    assert {signal: f.severity for signal, f in found.items()} == case.expect


def test_rising_too_slowly_is_significant_but_flat() -> None:
    # The case above, checked from the trend itself: Mann-Kendall rejects "no trend" but the
    # Theil-Sen slope is half a day a month.
    records = client("acme", [i // 2 for i in range(12)])
    profile = payment_profiles(ledger(*records), as_of=AS_OF)["acme"]
    trend = lateness_trend(profile.monthly)
    assert trend is not None
    assert trend.test.p_value < 0.05
    assert trend.line.slope == D("0.5")


def test_chronic_message_and_evidence() -> None:
    # 12 invoices of 100, 9 late: 30 x 8 and 36 once = 276 days; weighted 276/12 = 23. (The
    # one due in June is paid on time, so every payment falls by 30 Jun.)
    days: list[int | None] = [0, 30, 30, 0, 30, 30, 30, 30, 30, 30, 36, 0]
    found = findings_for(client("acme", days))[Signal.CHRONIC_LATE]
    assert found.message.startswith(
        "Acme paid 9 of the 12 invoices due in the last 365 days late, on average 23 days late "
        "weighted by amount (late share 75%, chronic from 50%)"
    )
    # Financing: 100 x 276 days x 10% / 365 = 7.56 EUR.
    assert "cost 7.56 EUR at 10% a year" in found.message
    assert (found.metric, found.value, found.threshold) == ("late_share", D("0.75"), D("0.5"))
    assert found.severity is Severity.WARNING
    numbers = found.evidence.numbers
    assert (numbers["invoices_due"], numbers["invoices_late"], numbers["weighted_days_late"]) == (
        12, 9, D(23))
    assert (numbers["severity_metric"], numbers["severity_threshold"]) == (
        "weighted_days_late", D(15))
    assert len(found.evidence.record_ids) == 9
    assert found.evidence.period == (date(2024, 7, 1), AS_OF)


def test_only_late_invoices_still_open() -> None:
    # Two paid on time, then three due in Apr, May, Jun 2025 and unpaid on 30 Jun: late share
    # 3/5; days late 90, 60, 29 -> weighted 179/5 = 35.8: warning.
    found = findings_for(client("acme", [0, 0, OPEN, OPEN, OPEN]))[Signal.CHRONIC_LATE]
    assert found.message.startswith(
        "Acme has 3 of the 5 invoices due in the last 365 days past due and still unpaid")
    assert found.severity is Severity.WARNING
    assert found.evidence.numbers["invoices_open_late"] == 3


def test_an_invoice_over_90_days_past_due_is_critical() -> None:
    # Six invoices due Jan to Jun 2025: 10 days late, on time, open (due 1 Mar: 121 days past
    # due on 30 Jun), on time, 10 late, on time. 3 of 6 late (chronic), weighted
    # (10 + 121 + 10)/6 = 23.5 (a warning by days), raised to critical by the open invoice.
    found = findings_for(client("acme", [10, 0, OPEN, 0, 10, 0]))[Signal.CHRONIC_LATE]
    assert found.severity is Severity.CRITICAL
    assert "invoice acme-2025-03 is 121 days past due and unpaid" in found.message
    numbers = found.evidence.numbers
    assert (numbers["severity_metric"], numbers["severity_threshold"]) == (
        "oldest_open_days_past_due", D(90))


def test_worsening_message_and_evidence() -> None:
    found = findings_for(client("acme", [2 * i for i in range(12)]))[Signal.WORSENING_LATE]
    assert found.message == (
        "Acme's days late rose from 0 to 22 over 12 months with invoices due, Jul 2024 to "
        "Jun 2025 (+2.0 days a month, Mann-Kendall p < 0.001)."
    )
    assert (found.metric, found.value, found.threshold) == (
        "days_late_trend_slope", D(2), D(1))
    numbers = found.evidence.numbers
    assert (numbers["months"], numbers["mann_kendall_s"], numbers["p_value_method"]) == (
        12, 66, "exact")
    # 1/12! = 2.09e-9
    assert numbers["p_value"] == D(repr(1 / 479_001_600))
    assert len(found.evidence.record_ids) == 12


def short_history(before: list[int | None], recent: list[int | None]) -> list[AnyRecord]:
    """``before``: invoices due in January 2025; ``recent``: due in May 2025 (within the last
    90 days of 30 Jun). Two months in the series: too few for the trend test."""
    records: list[AnyRecord] = [customer("acme")]
    for label, due, days in (("b", date(2025, 1, 10), before), ("r", date(2025, 5, 10), recent)):
        for index, late in enumerate(days):
            inv = invoice("acme", issued=due - timedelta(days=14), due=due, total="100",
                          id=f"{label}{index}")
            records.append(inv)
            if late is not None:
                records.append(payment("acme", on=due + timedelta(days=late), amount="100",
                                       pays=inv, id=f"p{label}{index}"))
    return records


@pytest.mark.parametrize(
    ("before", "recent", "expected"),
    [
        # Before: 0 of 4 late; recent: 2 of 3 late by 20 (67%): +67 points >= 25. Recent
        # weighted 40/3 = 13.3 days: watch.
        ([0, 0, 0, 0], [20, 20, 0], Severity.WATCH),
        # Recent: 3 of 3 late by 30 (weighted 30 > 15): warning.
        ([0, 0, 0, 0], [30, 30, 30], Severity.WARNING),
        # 1 of 4 before, 1 of 3 recently: +8 points, not worsening.
        ([10, 0, 0, 0], [10, 0, 0], None),
        # Only two recent invoices: too few for the test.
        ([0, 0, 0, 0], [30, 30], None),
        # Improving: 3 of 4 before, 0 of 3 recently.
        ([20, 20, 20, 0], [0, 0, 0], None),
    ],
)
def test_short_history_recent_against_before(
    before: list[int | None], recent: list[int | None], expected: Severity | None
) -> None:
    found = findings_for(short_history(before, recent)).get(Signal.WORSENING_LATE)
    assert (found.severity if found else None) == expected
    if found is not None:
        assert found.metric == "late_share_rise"
        assert found.evidence.numbers["test"] == "recent_vs_before"


def test_short_history_message() -> None:
    found = findings_for(short_history([0, 0, 0, 0], [20, 20, 0]))[Signal.WORSENING_LATE]
    assert found.message == (
        "Acme was late on 2 of its 3 invoices due in the last 90 days (66.7%), against 0 of 4 "
        "in the 275 days before (0%): up 66.7 points, on average 13 days late weighted by "
        "amount lately."
    )
    assert found.value == D(2) / 3


def test_findings_are_per_customer_and_sorted_by_severity() -> None:
    records = [
        customer("calm"), customer("slow"), customer("slower"),
        *client("calm", [0] * 6, named=False),
        *client("slow", [0, 6, 0, 6, 6, 6], named=False),  # watch
        *client("slower", [0, 75, 0, 75, 75, 75], named=False, last_month_back=3),  # critical
    ]
    found = late_payers(ledger(*records), as_of=AS_OF, policy=BANDS)
    assert [(f.customer_id, f.severity) for f in found] == [
        ("slower", Severity.CRITICAL), ("slow", Severity.WATCH)]


def test_a_group_is_judged_as_one_client() -> None:
    # The two companies of group g together (docs/review.md, "Lateness per client"): 12
    # invoices of 100, 8 late (4 by 6 days, 4 by 75): late share 8/12, chronic; weighted
    # (4 x 6 + 4 x 75) x 100 / 1,200 = 27 days, above 15 and not above 45: a warning (no
    # aggravation under BANDS). Until 2026-12-07 each company was judged alone (slow watch,
    # slower critical).
    records = [
        customer("calm"), customer("slow", group="g"), customer("slower", group="g"),
        *client("calm", [0] * 6, named=False),
        *client("slow", [0, 6, 0, 6, 6, 6], named=False),
        *client("slower", [0, 75, 0, 75, 75, 75], named=False, last_month_back=3),
    ]
    found = late_payers(ledger(*records), as_of=AS_OF, policy=BANDS)
    assert [(f.customer_id, f.signal, f.severity) for f in found] == [
        ("g", Signal.CHRONIC_LATE, Severity.WARNING)]
    assert found[0].evidence.numbers["weighted_days_late"] == 27


def test_pure_flagging_over_profiles_gives_the_same_findings() -> None:
    book = ledger(*client("acme", [2 * i for i in range(12)]))
    profiles = payment_profiles(book, as_of=AS_OF)
    direct = late_payers(book, as_of=AS_OF)
    assert late_payer_findings(profiles, policy=Policy(), names={"acme": "Acme"}) == direct


def test_findings_dump_to_json() -> None:
    found = late_payers(ledger(*client("acme", [0, 30, 0, 30, 30, 30])), as_of=AS_OF)
    dumped = found[0].model_dump(mode="json")
    assert (dumped["signal"], dumped["severity"], dumped["value"]) == (
        "chronic_late", "warning", str(D(4) / 6))


@pytest.mark.parametrize(
    ("days", "expected"),
    # Compared to the tenth, as the evidence line writes days (docs/review.md, "Figures
    # compared as shown"): 15.01 and 15.05 are written "15.0 days" and are not more than 15
    # (until 2026-12-08 15.01 was a warning); 15.06 is written "15.1".
    [(D(15), Severity.WATCH), (D("15.01"), Severity.WATCH), (D("15.05"), Severity.WATCH),
     (D("15.06"), Severity.WARNING), (D(45), Severity.WARNING),
     (D("45.04"), Severity.WARNING), (D("45.5"), Severity.CRITICAL)],
)
def test_severity_bands(days: Decimal, expected: Severity) -> None:
    assert lateness_severity(days, Policy())[0] is expected


def test_sample_ledger_roles() -> None:
    """The demo ledger plants a chronic and a worsening late payer; both are found, and the
    client that always pays on time is not."""
    sample = pytest.importorskip("clientguard.sample")
    book = sample.sample_ledger(seed=0)
    roles = sample.SAMPLE_ROLES
    found = late_payers(book, as_of=sample.SAMPLE_AS_OF)
    signals = {(f.customer_id, f.signal) for f in found}
    assert (roles["chronic_late"], Signal.CHRONIC_LATE) in signals
    assert (roles["worsening_late"], Signal.WORSENING_LATE) in signals
    assert (roles["chronic_late"], Signal.WORSENING_LATE) not in signals
    assert not any(f.customer_id == roles["big_client"] for f in found)


def test_the_profiles_of_a_few_customers_are_theirs_of_the_whole_book() -> None:
    # payment_profiles(customers=...) reads only those customers' rows (the review's pass per
    # client of several companies); each profile must be the one the whole book's pass gives,
    # with and without a key joining them (the sample firm: 40 customers, one group).
    from clientguard.sample import sample_records

    data = sample_records(0)
    ledger = data.ledger()
    few = {"orbis-media", "orbis-studios", "halden-logistics"}
    assert few <= set(ledger.customer_ids)
    assert ledger.group_of("orbis-media") == ledger.group_of("orbis-studios")
    whole = payment_profiles(ledger, as_of=data.as_of)
    assert payment_profiles(ledger, as_of=data.as_of, customers=few) == {
        c: p for c, p in whole.items() if c in few}
    joined = payment_profiles(ledger, as_of=data.as_of, by=ledger.group_of,
                              only=lambda invoice: invoice.customer_id in few)
    keys = {ledger.group_of(c) for c in few}
    assert payment_profiles(ledger, as_of=data.as_of, by=ledger.group_of, customers=few) == {
        k: p for k, p in joined.items() if k in keys}
