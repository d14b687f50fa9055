"""A disputing client's undisputed invoices are judged alone, exactly as any client's
(docs/review.md, "Disputes"): no disputed invoice, however late or long open, weighs on the
undisputed ``chronic_late`` finding, through any field of the profile it is judged on.

Until 2026-12-07 the undisputed profile kept the oldest open invoice (and the quantiles, the
periods, the aging) of all the client's invoices: a disputed invoice open more than 90 days
made the undisputed lateness critical ("invoice D0 is 346 days past due", D0 disputed), and
with a critical capacity finding beside it the verdict was ``consider_ending``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard.findings import Finding, Severity, Signal
from clientguard.metrics.lateness import payment_profiles
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.review import Recommendation, review
from clientguard.signals import dispute_splits, late_payers
from clientguard.signals.lateness import flag_chronic_late
from clientguard.testing import customer, invoice, ledger, payment, time_entry

D = Decimal
AS_OF = date(2025, 12, 31)
NO_FLOOR = Policy(material_late_cost=0, material_overdue=0, material_overdue_client_share=0,
                  material_overdue_firm_share=0)
"""No materiality floor: every lateness is material, whatever the firm's invoicing (which the
disputed invoices are part of), so that only the undisputed invoices can move the finding."""


def _acme(first_disputed: str) -> list[AnyRecord]:
    """The reviewer's case: 6 disputed invoices of 10,000 on 14-day terms, issued 5 Jan 2025 and
    every 30 days after, D1-D5 paid 40 days late; D0 (due 19 Jan 2025) as ``first_disputed``
    says: "open", "paid" (40 days late) or "none" (not invoiced). 4 undisputed invoices of 10,000
    issued from 5 Jul 2025, U0 and U1 paid 10 days late, U2 and U3 on their due date."""
    records: list[AnyRecord] = [customer("acme")]
    for i in range(6):
        if i == 0 and first_disputed == "none":
            continue
        inv = invoice("acme", issued=date(2025, 1, 5) + timedelta(days=30 * i), total="10000",
                      terms=14, id=f"D{i}", disputed=True)
        records.append(inv)
        if i or first_disputed == "paid":
            records.append(payment("acme", on=inv.due_date + timedelta(days=40),
                                   amount="10000", pays=inv, id=f"PD{i}"))
    for i in range(4):
        inv = invoice("acme", issued=date(2025, 7, 5) + timedelta(days=30 * i), total="10000",
                      terms=14, id=f"U{i}")
        records += [inv, payment("acme", on=inv.due_date + timedelta(days=10 if i < 2 else 0),
                                 amount="10000", pays=inv, id=f"PU{i}")]
    return records


def _big_client() -> list[AnyRecord]:
    """12 invoices of 40,000 paid on the due date, and a fifth of the team's hours beside
    acme's 500: acme takes 83% of the hours for 17% of the revenue, a critical capacity
    finding (the reviewer's second script)."""
    records: list[AnyRecord] = []
    for i in range(12):
        inv = invoice("big", issued=date(2025, 1, 5) + timedelta(days=30 * i), total="40000",
                      terms=14, id=f"B{i}")
        records += [inv, payment("big", on=inv.due_date, amount="40000", pays=inv, id=f"PB{i}")]
    return [*records, time_entry("acme", on="2025-06-01", hours="500"),
            time_entry("big", on="2025-06-01", hours="100")]


# D0 is due 19 Jan 2025: on 31 Dec 2025 it is 12 + 334 = 346 days past due when still open.
# Whatever D0 is, the undisputed invoices are U0-U3: late on 2 of 4 (50%, chronic from 50%),
# weighted (2 x 10,000 x 10) / 40,000 = 5 days late, under late_days_warning (15): watch. No
# undisputed invoice is open, so none is "past due and unpaid" and nothing is overdue; the
# cost is 2 x 10,000 x 10 x 10% / 365 = 54.79 EUR a year, material (from 40). Beside the
# critical capacity finding that is one critical problem of the 2 ending needs: revise_terms.
@pytest.mark.parametrize("first_disputed", ["open", "paid", "none"])
def test_a_disputed_invoice_long_open_leaves_the_undisputed_lateness_alone(
    first_disputed: str,
) -> None:
    result = review(ledger(*_acme(first_disputed), *_big_client()), as_of=AS_OF)
    acme = result.clients["acme"]
    assert Signal.DISPUTE in {f.signal for f in acme.findings}
    late = next(f for f in acme.findings if f.signal is Signal.CHRONIC_LATE)
    numbers = late.evidence.numbers
    assert late.severity is Severity.WATCH
    assert (late.metric, late.value) == ("late_share", D("0.5"))
    assert numbers["severity_metric"] == "weighted_days_late"
    assert (numbers["invoices_due"], numbers["invoices_late"], numbers["invoices_open_late"]
            ) == (4, 2, 0)
    assert numbers["weighted_days_late"] == D(5)
    # days late 0, 0, 10, 10: mean 5, median 5, p10 0, p90 10 (type-7 interpolation: position
    # 2.7 between 10 and 10).
    assert (numbers["mean_days_late"], numbers["median_days_late"], numbers["p10_days_late"],
            numbers["p90_days_late"]) == (D(5), D(5), D(0), D(10))
    assert numbers["oldest_open_days_past_due"] is None
    assert numbers["oldest_open_invoice_id"] is None
    assert numbers["overdue"] == 0
    assert late.evidence.record_ids == ("U0", "U1")
    assert "D0" not in late.message
    assert "past due" not in late.message
    assert acme.recommendation is Recommendation.REVISE_TERMS


# ------------------------------------------------------------------------------ invariants
_DUE_FROM = date(2025, 1, 20)


def _invoices(who: str, prefix: str, rows: list[tuple[int, int | None, int]],
              disputed: bool) -> list[AnyRecord]:
    """Invoices due ``offset`` days after 20 Jan 2025 (all in the window of 31 Dec 2025),
    paid ``late`` days after the due date (None: still open), of ``hundreds`` x 100 EUR."""
    return [
        invoice(who, issued=_DUE_FROM + timedelta(days=offset - 30),
                due=_DUE_FROM + timedelta(days=offset), total=D(hundreds) * 100,
                id=f"{prefix}{n}", disputed=disputed,
                paid=None if late is None else _DUE_FROM + timedelta(days=offset + late))
        for n, (offset, late, hundreds) in enumerate(rows)
    ]


_ROWS = st.lists(
    st.tuples(st.integers(0, 330), st.one_of(st.none(), st.integers(-5, 120)),
              st.integers(1, 50)),
    min_size=1, max_size=8,
)


def _chronic(findings: list[Finding]) -> Finding | None:
    return next((f for f in findings if f.signal is Signal.CHRONIC_LATE), None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(undisputed=_ROWS, disputed=_ROWS)
def test_the_undisputed_profile_is_the_profile_without_the_disputed_invoices(
    undisputed: list[tuple[int, int | None, int]], disputed: list[tuple[int, int | None, int]],
) -> None:
    # Every field, not only the counts: the profile of the undisputed invoices of a disputing
    # client is the profile the same client has when it never sent the disputed invoices.
    mine = _invoices("acme", "U", undisputed, disputed=False)
    both = ledger(customer("acme"), *mine, *_invoices("acme", "D", disputed, disputed=True))
    alone = ledger(customer("acme"), *mine)
    split = dispute_splits(both, as_of=AS_OF, policy=Policy())["acme"]
    assert split.undisputed == payment_profiles(alone, as_of=AS_OF)["acme"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(undisputed=_ROWS, extra=_ROWS)
def test_more_disputed_invoices_never_move_the_undisputed_lateness(
    undisputed: list[tuple[int, int | None, int]], extra: list[tuple[int, int | None, int]],
) -> None:
    # A client disputing 6 invoices it paid 60 days late, then disputing more of any lateness
    # (open or paid, early or late): while the dispute stands, the chronic finding on the
    # undisputed invoices is the same finding, severity, metric, value, evidence and words, and
    # it is the finding those invoices get alone (no trend judged beside a dispute).
    mine = _invoices("acme", "U", undisputed, disputed=False)
    base = _invoices("acme", "D", [(30 * k, 60, 100) for k in range(6)], disputed=True)
    more = _invoices("acme", "X", extra, disputed=True)
    before = late_payers(ledger(customer("acme"), *mine, *base), as_of=AS_OF, policy=NO_FLOOR)
    after = late_payers(ledger(customer("acme"), *mine, *base, *more), as_of=AS_OF,
                        policy=NO_FLOOR)
    if not all(Signal.DISPUTE in {f.signal for f in found} for found in (before, after)):
        return  # without a dispute every invoice is judged, disputed or not
    book = ledger(customer("acme"), *mine)
    alone = payment_profiles(book, as_of=AS_OF, policy=NO_FLOOR)
    expected = flag_chronic_late(alone["acme"], NO_FLOOR, name=book.name_of("acme"))
    assert _chronic(before) == _chronic(after) == expected


# --------------------------------------------------- a disputed invoice due before the window
# The window of 31 Dec 2025 holds invoices due after 31 Dec 2024. D0 (5,000, due 15 Nov 2024)
# is older: it is in no count of the window, but while open it is overdue, as the profile
# counts every invoice open and past due whenever it fell due.
def _small_disputes(d0: str) -> list[AnyRecord]:
    """6 disputed invoices of 100 (X0-X5) due from 20 Jan 2025 every 30 days, each paid 10
    days late; 2 undisputed of 100 (U0, U1) paid on their due date; and D0, disputed, 5,000
    due 15 Nov 2024, as ``d0`` says: "open", "paid" (on 1 Mar 2025) or "none"."""
    records: list[AnyRecord] = [customer("acme")]
    for i in range(6):
        due = date(2025, 1, 20) + timedelta(days=30 * i)
        records.append(invoice("acme", issued=due - timedelta(days=14), due=due, total="100",
                               id=f"X{i}", disputed=True, paid=due + timedelta(days=10)))
    for i in range(2):
        due = date(2025, 8, 20) + timedelta(days=30 * i)
        records.append(invoice("acme", issued=due - timedelta(days=14), due=due, total="100",
                               id=f"U{i}", paid=due))
    if d0 != "none":
        records.append(invoice("acme", issued="2024-11-01", due="2024-11-15", total="5000",
                               id="D0", disputed=True,
                               paid=date(2025, 3, 1) if d0 == "paid" else None))
    return records


# By hand: late on 6 of the 8 invoices due in the window (75%, chronic from 50%), all 6
# disputed (100%, a dispute from 50%). Their lateness costs 6 x 100 x 10 x 10% / 365 = 1.64 a
# year (material from 40). Overdue: D0's 5,000 while it is open, else nothing. 5,000 reaches
# the client line, max(1,000, 10% of the 800 due in the window) = 1,000: material, a warning.
# Until 2026-12-07 D0 was left out of the disputed overdue (0), and the dispute was at watch.
@pytest.mark.parametrize(
    ("d0", "overdue", "severity"),
    [
        ("open", D(5000), Severity.WARNING),
        ("paid", D(0), Severity.WATCH),
        ("none", D(0), Severity.WATCH),
    ],
)
def test_a_disputed_invoice_open_since_before_the_window_is_the_disputes_overdue(
    d0: str, overdue: Decimal, severity: Severity
) -> None:
    found = late_payers(ledger(*_small_disputes(d0)), as_of=AS_OF)
    dispute = next(f for f in found if f.signal is Signal.DISPUTE)
    assert (dispute.evidence.numbers["disputed_late"],
            dispute.evidence.numbers["invoices_late"]) == (6, 6)
    assert dispute.evidence.numbers["disputed_overdue"] == overdue
    assert dispute.severity is severity
    assert dispute.evidence.numbers["material"] == ("yes" if overdue else "no")


def test_a_client_whose_only_disputed_invoice_fell_due_before_the_window_has_a_split() -> None:
    # D0 alone disputed (10,000 due 19 Jan 2024, open: 712 days past due on 31 Dec 2025),
    # beside 4 undisputed invoices of the window, 2 of them paid 10 days late, and W0 (300,
    # undisputed, due 1 Dec 2024, open: 395 days). The split counts D0 and W0 as overdue, each
    # in its part, and nothing else: none of the window's late invoices is disputed (0 of 2).
    records: list[AnyRecord] = [
        customer("acme"),
        invoice("acme", issued="2024-01-05", due="2024-01-19", total="10000", id="D0",
                disputed=True),
        invoice("acme", issued="2024-11-01", due="2024-12-01", total="300", id="W0"),
    ]
    for i in range(4):
        due = date(2025, 7, 19) + timedelta(days=30 * i)
        records.append(invoice("acme", issued=due - timedelta(days=14), due=due,
                               total="10000", id=f"U{i}",
                               paid=due + timedelta(days=10 if i < 2 else 0)))
    books = ledger(*records)
    split = dispute_splits(books, as_of=AS_OF, policy=Policy())["acme"]
    assert (split.disputed_late, split.invoices_late, split.disputed_share) == (0, 2, D(0))
    assert (split.disputed_overdue, split.undisputed_overdue) == (D(10000), D(300))
    assert split.undisputed.overdue_balance == D(300)
    # Under dispute_share (0%), so no dispute, and the client is judged on all its invoices
    # (docs/review.md, "Disputes"): D0, 712 days past due, makes the chronic lateness (2 of 4,
    # 50%) critical through the "open more than 90 days" rule, as it would in the window.
    found = late_payers(books, as_of=AS_OF)
    assert Signal.DISPUTE not in {f.signal for f in found}
    late = next(f for f in found if f.signal is Signal.CHRONIC_LATE)
    assert late.severity is Severity.CRITICAL
    assert (late.evidence.numbers["oldest_open_invoice_id"],
            late.evidence.numbers["oldest_open_days_past_due"]) == ("D0", 712)
