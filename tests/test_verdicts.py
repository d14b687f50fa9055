"""Verdicts an owner would act on (issue 16): materiality, severity that weighs the evidence,
disputes, stale data, churned clients, the user's own signals and verdict rules, evidence.

Hand-built ledgers (the ``clientguard.testing`` builders), with the expected numbers worked
out in the comments; and the IBM receivables sample as of 2013-12-31, checked against numbers
computed here from the raw file (skipped when ``../shared`` is absent).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from importlib.metadata import EntryPoint
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clientguard.signals as signals_module
from clientguard.errors import ConfigError, DataError
from clientguard.findings import Finding, Severity, Signal
from clientguard.ledger import Ledger
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.report import render
from clientguard.report.document import schema
from clientguard.review import Recommendation, Review, Verdict, review
from clientguard.signals import (
    BUILTIN_SIGNALS,
    installed_signals,
    late_payers,
    load_signal,
    materiality,
)
from clientguard.testing import customer, invoice, ledger

D = Decimal
AS_OF = date(2025, 12, 31)
OK, MONITOR = Recommendation.OK, Recommendation.MONITOR
REVISE, END = Recommendation.REVISE_TERMS, Recommendation.CONSIDER_ENDING
NO_FLOOR = Policy(material_late_cost=0, material_overdue=0, material_overdue_client_share=0,
                  material_overdue_firm_share=0)
"""No materiality floor: for the tests of how the evidence is weighed."""
IBM = Path(__file__).resolve().parents[2] / "shared" / "reference" / "data" / (
    "ibm_accounts_receivable.csv")


def client(who: str, days: Sequence[int | None], *, total: str = "100.00",
           disputed: Iterable[int] = (), last_due: date = date(2025, 12, 1)) -> list[AnyRecord]:
    """One invoice a month, the last due on ``last_due``, each paid ``days[i]`` days after its
    due date (None: still open). Invoices at the positions in ``disputed`` are disputed."""
    records: list[AnyRecord] = [customer(who)]
    count = len(days)
    marked = set(disputed)
    for position, late in enumerate(days):
        back = count - 1 - position
        year, month = last_due.year, last_due.month - back
        while month < 1:
            year, month = year - 1, month + 12
        due = date(year, month, last_due.day)
        records.append(invoice(
            who, issued=due - timedelta(days=30), due=due, total=total, id=f"{who}-{position:02d}",
            paid=None if late is None else due + timedelta(days=late),
            disputed=position in marked,
        ))
    return records


def fillers(count: int, total: str = "100.00") -> list[AnyRecord]:
    """``count`` clients paying 12 invoices on the due date: enough clients that none is a
    concentration, and recent records so the data is fresh."""
    return [r for n in range(count) for r in client(f"filler-{n:02d}", [0] * 12, total=total)]


def chronic(found: Review | Iterable[Finding], who: str) -> Finding | None:
    """The chronic-lateness finding about ``who`` in a review or a list of findings."""
    findings = found.clients[who].findings if isinstance(found, Review) else found
    return next((f for f in findings
                 if f.signal is Signal.CHRONIC_LATE and f.customer_id == who), None)


# =============================================================================== 1. materiality
def test_a_small_lateness_is_only_watched_and_the_sentence_says_why() -> None:
    # 12 invoices of 100 EUR, 10 paid 30 days late: weighted 300/12 = 25 days (a warning on the
    # bands), costing 10 x 100 x 30 x 10% / 365 = 8.22 EUR a year, nothing overdue: under the
    # 40 EUR floor, so at most watch and a monitor verdict.
    result = review(ledger(*client("small", [0, 30, 30, 30, 30, 30, 0, 30, 30, 30, 30, 30]),
                           *fillers(11)), as_of=AS_OF)
    found = chronic(result, "small")
    assert found is not None
    assert found.severity is Severity.WATCH
    assert result.clients["small"].recommendation is MONITOR
    assert "only watched: it costs 8.22 EUR a year (material from 40.00 EUR)" in found.message
    assert found.evidence.numbers["material"] == "no"
    assert not {r.kind for r in result.clients["small"].revisions} & {"shorter_terms", "deposit"}


def test_the_same_lateness_on_large_invoices_is_acted_on() -> None:
    # The same pattern on invoices of 10,000 EUR costs 822 EUR a year: material, a warning
    # (weighted 25 days, late on 10 of 12 = 83% >= 75%: weighs 31.25 days).
    result = review(ledger(*client("large", [0, 30, 30, 30, 30, 30, 0, 30, 30, 30, 30, 30],
                                   total="10000.00"), *fillers(11, "10000.00")), as_of=AS_OF)
    found = chronic(result, "large")
    assert found is not None
    assert found.severity is Severity.WARNING
    assert result.clients["large"].recommendation is REVISE
    assert "shorter_terms" in {r.kind for r in result.clients["large"].revisions}


@pytest.mark.parametrize(
    ("cost", "overdue", "invoiced", "firm", "material"),
    [
        # yearly cost against the 40 floor (a 365-day window: cost over it is yearly)
        ("39.99", "0", "5000", "1000000", False),
        ("40", "0", "5000", "1000000", True),
        # overdue: at least 1,000 and at least 10% of the client's invoicing
        ("0", "999.99", "5000", "1000000", False),
        ("0", "1000", "5000", "1000000", True),
        ("0", "1500", "20000", "1000000", False),  # needs 2,000 (10% of 20,000)
        ("0", "2000", "20000", "1000000", True),
        # or 5% of the firm's invoicing, whatever its amount: 600 of 10,000 is 6%
        ("0", "600", "5000", "10000", True),
        ("0", "400", "5000", "10000", False),
    ],
)
def test_materiality_rules(cost: str, overdue: str, invoiced: str, firm: str,
                           material: bool) -> None:
    got = materiality(D(cost), D(overdue), D(invoiced), firm_invoiced=D(firm), policy=Policy(),
                      currency="EUR")
    assert got.material is material
    assert got.reason.startswith("only watched") is not material


def test_a_shorter_window_scales_the_cost_to_a_year() -> None:
    # 20 EUR over a 182.5-day window is 40 a year: material.
    policy = Policy(lookback_days=180)
    assert materiality(D("19.73"), D(0), D(1000), firm_invoiced=D(10**6), policy=policy,
                       currency="EUR").yearly_cost == D("19.73") * 365 / 180


# ======================================================================== 2. weighing, no cliff
def test_open_overdue_invoices_and_a_high_late_share_weigh_with_the_days() -> None:
    # "steady": 10 invoices, 8 paid 6 days late, the last two (due 1 Nov and 1 Dec) still open
    # on 31 Dec, 60 and 30 days past due: weighted (8 x 6 + 60 + 30) / 10 = 13.8 days, late on
    # 100%, 2 open: it weighs 13.8 x (1 + 2 x 0.25) = 20.7 > 15, a warning. "clean": 10
    # invoices, 5 paid 31 days late, 5 on time, nothing open: 155 / 10 = 15.5 days, late share
    # 50%, no aggravating fact: a warning too. The bands alone made the first a watch
    # (13.8 <= 15) and the second a warning.
    records = [*client("steady", [6] * 8 + [None, None]),
               *client("clean", [31, 0] * 5), *fillers(10)]
    found = late_payers(ledger(*records), as_of=AS_OF, policy=NO_FLOOR)
    steady = next(f for f in found if f.customer_id == "steady")
    clean = next(f for f in found if f.customer_id == "clean")
    assert steady.evidence.numbers["weighted_days_late"] == D("13.8")
    assert steady.evidence.numbers["weighed_days_late"] == D("20.7")
    assert steady.severity >= clean.severity
    assert steady.severity is Severity.WARNING


@pytest.mark.parametrize("days", [14, 16])
def test_one_day_does_not_flip_severity_when_the_rest_of_the_evidence_is_strong(
    days: int,
) -> None:
    # 12 of 12 invoices paid ``days`` days late: late share 100%, which weighs 25% more. 14 and
    # 16 days (17.5 and 20 as weighed) are both warnings; the bands alone split them.
    lates: list[int | None] = [days] * 12
    result = late_payers(ledger(*client("acme", lates, last_due=date(2025, 12, 31) - timedelta(
        days=days))), as_of=AS_OF, policy=NO_FLOOR)
    assert [f.severity for f in result if f.signal is Signal.CHRONIC_LATE] == [Severity.WARNING]


def _chronic_rank(lates: list[int]) -> int:
    found = late_payers(ledger(*client("acme", list(lates), last_due=date(2025, 9, 1))),
                        as_of=AS_OF, policy=NO_FLOOR)
    return max((f.severity.rank for f in found if f.signal is Signal.CHRONIC_LATE), default=0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=80), min_size=6, max_size=12))
def test_paying_every_invoice_later_never_lowers_severity(days: list[int]) -> None:
    # Every invoice a week later: more days late, a late share as high or higher, and the
    # same trend (the series shifts as a whole).
    assert _chronic_rank([d + 7 for d in days]) >= _chronic_rank(days)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=80), min_size=6, max_size=12))
def test_paying_the_latest_invoice_later_never_lowers_severity(days: list[int]) -> None:
    # The latest invoice a week later: more lateness, and a trend that can only rise. (An
    # EARLIER invoice paid later may rightly lower severity: it flattens a worsening trend,
    # e.g. [0, 1, 1, 44, 43, 42, 80] is worsening, [7, 1, 1, 44, 43, 42, 80] is not.)
    assert _chronic_rank([*days[:-1], days[-1] + 7]) >= _chronic_rank(days)


def test_an_earlier_invoice_paid_later_may_flatten_a_worsening_trend() -> None:
    # The example hypothesis found: the first invoice paid 7 days later takes away the
    # worsening trend that aggravated the lateness, so the severity drops one step. That is
    # the evidence speaking, not a cliff: the trend test is about the direction.
    assert _chronic_rank([0, 1, 1, 44, 43, 42, 80]) > _chronic_rank([7, 1, 1, 44, 43, 42, 80])


def test_the_table_shows_the_late_share() -> None:
    result = review(ledger(*client("acme", [0, 30, 30, 0] * 3), *fillers(11)), as_of=AS_OF)
    text = render(result, "table")
    header = next(line for line in text.splitlines() if line.startswith("VERDICT"))
    assert "LATE%" in header
    row = next(line for line in text.splitlines() if " Acme " in f" {line} ")
    assert " 50% " in row  # 6 of 12 late


# ================================================================================= 3. disputes
def test_lateness_mostly_on_disputed_invoices_is_a_dispute_to_resolve() -> None:
    # 12 invoices of 10,000: 8 disputed and paid 40 days late, 1 undisputed paid 40 days late,
    # 3 on time. Late on 9, of which 8 disputed (89% >= 50%): a dispute. The undisputed are 4,
    # 1 late (25%): no chronic lateness. The disputed lateness costs 8 x 10,000 x 40 x 10% /
    # 365 = 876.71 a year: material, a warning.
    days = [40] * 8 + [40, 0, 0, 0]
    result = review(ledger(*client("acme", days, total="10000.00", disputed=range(8)),
                           *fillers(11, "10000.00")), as_of=AS_OF)
    acme = result.clients["acme"]
    dispute = next(f for f in acme.findings if f.signal is Signal.DISPUTE)
    assert dispute.severity is Severity.WARNING
    assert (dispute.evidence.numbers["disputed_late"], dispute.evidence.numbers["invoices_late"]
            ) == (8, 9)
    assert dispute.value == D(8) / 9
    assert chronic(result, "acme") is None
    kinds = [r.kind for r in acme.revisions]
    assert kinds[0] == "resolve_disputes"
    assert not set(kinds) & {"shorter_terms", "deposit"}
    assert "clearer scope" in acme.revisions[0].message
    assert acme.recommendation is REVISE
    assert acme.disputed == 8
    assert "8 disputed" in acme.evidence


def test_undisputed_lateness_is_judged_on_the_undisputed_invoices() -> None:
    # 6 disputed invoices paid 40 days late, 6 undisputed of which 4 paid 20 days late: late on
    # 10, 6 disputed (60%): a dispute. The undisputed: 4 of 6 late (67%), weighted 80/6 = 13.3
    # days, chronic on them alone.
    days = [40] * 6 + [20, 20, 20, 20, 0, 0]
    found = late_payers(ledger(*client("acme", days, total="10000.00", disputed=range(6))),
                        as_of=AS_OF)
    late = chronic(found, "acme")
    assert Signal.DISPUTE in {f.signal for f in found}
    assert late is not None
    numbers = late.evidence.numbers
    assert (numbers["invoices_due"], numbers["invoices_late"]) == (6, 4)
    assert numbers["weighted_days_late"] == D(80) / 6
    assert all(not i.endswith(("-00", "-01", "-02", "-03", "-04", "-05"))
               for i in late.evidence.record_ids)


def test_a_few_disputed_invoices_change_nothing() -> None:
    # 1 disputed of 10 late: no dispute; chronic lateness counted on all 12 invoices.
    days = [30] * 10 + [0, 0]
    plain = late_payers(ledger(*client("acme", days, total="10000.00")), as_of=AS_OF)
    one = late_payers(ledger(*client("acme", days, total="10000.00", disputed=[3])), as_of=AS_OF)
    assert Signal.DISPUTE not in {f.signal for f in one}
    assert one == plain


def test_a_dispute_date_belongs_to_a_disputed_invoice() -> None:
    assert invoice("acme", issued="2025-01-01", total="1.00",
                   disputed_on="2025-02-01").disputed is True
    with pytest.raises(DataError, match="disputed_on"):
        invoice("acme", issued="2025-01-01", total="1.00").model_copy().model_validate(
            {**invoice("acme", issued="2025-01-01", total="1.00").model_dump(),
             "disputed_on": date(2025, 2, 1)})


# =============================================================================== 4. stale data
def old_book() -> Ledger:
    return ledger(*client("acme", [0, 30, 30] * 4, last_due=date(2013, 12, 1)), *[
        r for n in range(5) for r in client(f"b{n}", [0] * 12, last_due=date(2013, 12, 1))])


def test_nothing_due_in_the_window_is_said_at_the_top_of_every_format() -> None:
    result = review(old_book(), as_of=date(2026, 12, 4))
    stale = [f for f in result.book.findings if f.signal is Signal.STALE_DATA]
    assert [(f.severity, f.metric) for f in stale] == [
        (Severity.CRITICAL, "invoices_due_in_window")]
    assert "No data in the window" in stale[0].message
    # The newest record: the last invoice, due 1 Dec 2013 and paid 30 days late.
    assert "the newest record is dated 2013-12-31" in stale[0].message
    table = render(result, "table").splitlines()
    assert table[2].startswith("!! No data in the window")
    document = json.loads(render(result, "json"))
    jsonschema.validate(document, schema())
    assert document["data_warnings"] == [stale[0].message]
    assert list(document).index("data_warnings") < list(document).index("clients")
    page = render(result, "html")
    assert page.index('class="banner"') < page.index("<section")
    rows = list(csv.reader(render(result, "csv").splitlines()))
    assert rows[1][5] == "stale_data"


def test_an_old_newest_record_warns_and_a_recent_one_does_not() -> None:
    # The last invoice is due (and paid) on 1 Sep 2025, issued 2 Aug: 121 days before 31 Dec,
    # over the 90-day line; as of 15 Oct it is 44 days.
    book = ledger(*client("acme", [0] * 12, last_due=date(2025, 9, 1)))
    late = [f for f in review(book, as_of=AS_OF).book.findings if f.signal is Signal.STALE_DATA]
    assert [(f.severity, f.value) for f in late] == [(Severity.WARNING, D(121))]
    fresh = review(book, as_of=date(2025, 10, 15)).book.findings
    assert Signal.STALE_DATA not in {f.signal for f in fresh}


# ========================================================================= 5. churned clients
def test_a_churned_client_gets_no_new_order_advice() -> None:
    # "gone": 6 invoices of 10,000, the last issued 28 Apr 2025 (due 28 May), 247 days before
    # the review; the last two never paid: critical lateness (open > 90 days past due).
    days: list[int | None] = [40, 40, 40, 40, None, None]
    gone = client("gone", days, total="10000.00", last_due=date(2025, 5, 28))
    result = review(ledger(*gone, *fillers(11, "10000.00")), as_of=AS_OF)
    verdict = result.clients["gone"]
    assert verdict.churned
    assert verdict.last_invoice_on == date(2025, 4, 28)
    kinds = {r.kind for r in verdict.revisions}
    assert "collect_open" in kinds
    assert not kinds & {"deposit", "shorter_terms", "reminders", "rush_fee"}
    assert "looks churned" in verdict.summary
    assert "20,000.00 EUR still open" in next(
        r.message for r in verdict.revisions if r.kind == "collect_open")
    # The same client still invoicing is told to change its terms.
    active = review(ledger(*gone, *fillers(11, "10000.00")), as_of=date(2025, 9, 30),
                    policy=Policy(churn_days=365))
    assert {"deposit", "shorter_terms"} <= {r.kind for r in active.clients["gone"].revisions}


# ============================================================== 6. the user's signals and rules
def big_open_balance(book: Ledger, as_of: date, policy: Policy) -> list[Finding]:
    """Any client with more than 50,000 open (and not yet due) is at least monitor."""
    found = []
    for who in book.customer_ids:
        open_total = sum((i.total for i in book.invoices_of(who) if i.status == "open"), D(0))
        if open_total > 50000:
            found.append(Finding(
                customer_id=who, signal=Signal.CUSTOM, severity=Severity.WATCH,
                metric="big_open_balance", value=open_total, threshold=D(50000),
                message=f"{who} has {open_total} open, over 50,000."))
    return found


def test_a_users_signal_weighs_in_the_verdict() -> None:
    records = [*client("whale", [0] * 11, total="10000.00"),
               invoice("whale", issued="2025-12-20", total="60000.00", id="whale-big"),
               *fillers(11, "10000.00")]
    plain = review(ledger(*records), as_of=AS_OF)
    mine = review(ledger(*records), as_of=AS_OF, signals=[big_open_balance])
    assert plain.clients["whale"].recommendation in (OK, MONITOR)
    assert Signal.CUSTOM not in {f.signal for f in plain.clients["whale"].findings}
    assert mine.clients["whale"].recommendation is not OK
    assert "big_open_balance" in {f.metric for f in mine.clients["whale"].findings}
    assert "rule" in render(mine, "table")


def test_a_verdict_rule_changes_the_verdict_and_says_so() -> None:
    def retainers_are_never_judged_on_hours(verdict: Verdict) -> Recommendation | None:
        if verdict.client_id == "small" and verdict.recommendation is MONITOR:
            return OK
        return None

    records = [*client("small", [0, 30, 30, 30, 30, 30, 0, 30, 30, 30, 30, 30]), *fillers(11)]
    result = review(ledger(*records), as_of=AS_OF,
                    verdict_rules=[retainers_are_never_judged_on_hours])
    small = result.clients["small"]
    assert small.recommendation is OK
    assert small.changed_by == ("retainers_are_never_judged_on_hours",)
    assert "retainers_are_never_judged_on_hours" in small.reasons[-1]
    assert result.book.recommendations["ok"] == 12


def test_the_built_in_signals_are_plain_functions_the_review_runs() -> None:
    book = ledger(*client("acme", [0, 30, 30] * 4, total="10000.00"), *fillers(3, "10000.00"))
    direct = [f for signal in BUILTIN_SIGNALS for f in signal(book, AS_OF, Policy())]
    assert direct
    assert sorted(direct, key=repr) == sorted(review(book, as_of=AS_OF).findings(), key=repr)


def test_signals_load_from_a_dotted_path_and_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_signal("clientguard.signals.freshness:stale_data") is signals_module.stale_data
    assert load_signal("clientguard.signals.freshness.stale_data") is signals_module.stale_data
    with pytest.raises(ConfigError, match=r"'nowhere\.at_all:x'"):
        load_signal("nowhere.at_all:x")
    with pytest.raises(ConfigError, match="has no 'missing'"):
        load_signal("clientguard.signals:missing")
    point = EntryPoint(name="mine", value="clientguard.signals.freshness:stale_data",
                       group="clientguard.signals")
    monkeypatch.setattr(signals_module, "entry_points",
                        lambda group: [point] if group == "clientguard.signals" else [])
    assert installed_signals() == [signals_module.stale_data]
    broken = EntryPoint(name="broken", value="nowhere.at_all:x", group="clientguard.signals")
    monkeypatch.setattr(signals_module, "entry_points", lambda group: [broken])
    with pytest.raises(ConfigError, match="'broken'"):
        installed_signals()


def test_a_signal_returning_something_else_is_named() -> None:
    def sloppy(book: Ledger, as_of: date, policy: Policy) -> list[object]:
        return ["not a finding"]

    with pytest.raises(TypeError, match="sloppy"):
        review(ledger(*fillers(2)), as_of=AS_OF, signals=[sloppy])  # type: ignore[list-item]


# ================================================================================ 7. evidence
def test_every_verdict_shows_its_evidence_in_the_table_and_the_page() -> None:
    records = [*client("acme", [0, 30, 30] * 4, total="10000.00", disputed=[1]),
               *fillers(11, "10000.00")]
    result = review(ledger(*records), as_of=AS_OF)
    acme = result.clients["acme"]
    # 8 of 12 late (67%), weighted 240/12 = 20 days, nothing overdue, 1 disputed.
    assert acme.evidence.startswith("late 8 of 12 due (67%), 20.0 days weighted, overdue 0.00 EUR")
    assert "1 disputed" in acme.evidence
    table = render(result, "table")
    assert f"Evidence: {acme.evidence[:40]}" in table.replace("\n    ", " ")
    page = render(result, "html")
    assert page.count('<td class="muted') == len(result.clients)  # the evidence cells
    assert "Evidence: late 8 of 12 due (67%)" in page


# ======================================================================= the IBM sample, 1 to 3
def _us(text: str) -> date:
    month, day, year = (int(p) for p in text.split("/"))
    return date(year, month, day)


@pytest.fixture(scope="module")
def ibm() -> tuple[list[dict[str, str]], Ledger]:
    if not IBM.exists():
        pytest.skip(f"reference data not present at {IBM}")
    with IBM.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    records: list[AnyRecord] = []
    for row in rows:
        settled = _us(row["SettledDate"])
        records.append(invoice(row["customerID"], issued=_us(row["InvoiceDate"]),
                               due=_us(row["DueDate"]), total=row["InvoiceAmount"],
                               currency="USD", id=row["invoiceNumber"],
                               paid=settled if settled <= IBM_AS_OF else None,
                               disputed=row["Disputed"] == "Yes"))
    return rows, ledger(*records, base_currency="USD")


IBM_AS_OF = date(2013, 12, 31)


def _raw_lateness(rows: list[dict[str, str]]) -> dict[str, dict[str, Decimal | int]]:
    """Per customer, from the raw file, the invoices due in 2013: count, late, disputed late,
    the yearly financing cost at 10% and the overdue balance on 31 Dec 2013."""
    out: dict[str, dict[str, Decimal | int]] = defaultdict(
        lambda: {"due": 0, "late": 0, "disputed_late": 0, "amount_days": D(0), "overdue": D(0),
                 "amount": D(0)})
    for row in rows:
        due = _us(row["DueDate"])
        if not date(2013, 1, 1) <= due <= IBM_AS_OF:
            continue
        settled = _us(row["SettledDate"])
        amount = D(row["InvoiceAmount"])
        days = max(0, ((settled if settled <= IBM_AS_OF else IBM_AS_OF) - due).days)
        tally = out[row["customerID"]]
        tally["due"] += 1
        tally["amount"] += amount
        tally["amount_days"] += amount * days
        if days > 0:
            tally["late"] += 1
            tally["disputed_late"] += row["Disputed"] == "Yes"
        if settled > IBM_AS_OF and days > 0:
            tally["overdue"] += amount
    return out


def test_ibm_small_lateness_is_not_a_case_for_new_terms(ibm: tuple[list[dict[str, str]],
                                                                  Ledger]) -> None:
    rows, book = ibm
    raw = _raw_lateness(rows)
    result = review(book, as_of=IBM_AS_OF)
    firm = sum((t["amount"] for t in raw.values()), D(0))
    checked = 0
    for who, tally in raw.items():
        yearly = D(tally["amount_days"]) * D("0.10") / 365
        small = yearly < 40 and tally["overdue"] < 1000 and tally["overdue"] < firm / 20
        if small:
            checked += 1
            assert result.clients[who].recommendation in (OK, MONITOR), who
        late = chronic(result, who)
        if late is not None and late.evidence.numbers["invoices_due"] == tally["due"]:
            assert abs(D(str(late.evidence.numbers["yearly_cost"])) - yearly) < D("0.005")
    assert checked == len(raw)  # every client's lateness in the sample costs under 40 USD
    for who in ("7758-WKLVM", "8102-ABPKQ", "9181-HEKGV"):
        assert result.clients[who].recommendation is MONITOR
        assert "only watched" in " ".join(result.clients[who].reasons)


def test_ibm_open_invoices_weigh_and_the_late_share_shows(
    ibm: tuple[list[dict[str, str]], Ledger],
) -> None:
    rows, book = ibm
    raw = _raw_lateness(rows)
    # Without the materiality floors, 0688-XNJRO (19 of 21 late, two still open) is at least as
    # serious as 7758-WKLVM (8 of 9 late, nothing open), which is 1.6 days later on average.
    result = review(book, as_of=IBM_AS_OF, policy=NO_FLOOR)
    first, second = chronic(result, "0688-XNJRO"), chronic(result, "7758-WKLVM")
    assert first is not None
    assert second is not None
    assert first.severity >= second.severity
    xnjro = raw["0688-XNJRO"]
    assert first.evidence.numbers["invoices_late"] == xnjro["late"]
    assert first.evidence.numbers["weighted_days_late"] == D(xnjro["amount_days"]) / D(
        xnjro["amount"])
    share = f"{(D(xnjro['late']) / D(xnjro['due']) * 100).quantize(D(1))}%"
    row = next(line for line in render(result, "table").splitlines() if "0688-XNJRO" in line)
    assert f" {share} " in row


def test_ibm_disputes_are_found_and_answered(ibm: tuple[list[dict[str, str]], Ledger]) -> None:
    rows, book = ibm
    raw = _raw_lateness(rows)
    result = review(book, as_of=IBM_AS_OF, policy=NO_FLOOR)
    for who in ("8102-ABPKQ", "9181-HEKGV"):
        verdict = result.clients[who]
        dispute = next(f for f in verdict.findings if f.signal is Signal.DISPUTE)
        assert dispute.evidence.numbers["disputed_late"] == raw[who]["disputed_late"]
        assert dispute.evidence.numbers["invoices_late"] == raw[who]["late"]
        kinds = {r.kind for r in verdict.revisions}
        assert "resolve_disputes" in kinds
        assert "shorter_terms" not in kinds


def test_a_rise_made_of_disputes_is_not_a_worsening_habit() -> None:
    # 12 invoices of 10,000: four on time, then paid 20, 25, ..., 55 days late: a clear upward
    # trend (worsening) and chronic (8 of 12). With the 8 late ones disputed, the lateness is a
    # dispute, the 4 undisputed are on time, and no worsening finding asks for shorter terms.
    days = [0, 0, 0, 0] + [5 * i for i in range(4, 12)]
    plain = late_payers(ledger(*client("acme", days, total="10000.00")), as_of=AS_OF)
    assert Signal.WORSENING_LATE in {f.signal for f in plain}
    disputed = late_payers(ledger(*client("acme", days, total="10000.00",
                                          disputed=range(4, 12))), as_of=AS_OF)
    assert {f.signal for f in disputed} == {Signal.DISPUTE}


def test_with_nothing_due_the_summary_does_not_say_ok() -> None:
    result = review(old_book(), as_of=date(2026, 12, 4))
    assert result.book.recommendations["ok"] == 6
    assert result.book.summary == (
        "No invoice falls due in the window: none of the 6 clients can be judged, whatever the "
        "verdicts say.")
    assert "Clients: 6 ok" not in render(result, "table")


def test_a_dispute_raised_after_the_review_date_is_not_seen() -> None:
    # The 8 late invoices were disputed on 1 Dec 2025: as of 30 Nov they were not disputed yet,
    # so the lateness is judged as a habit (chronic); as of 31 Dec it is a dispute.
    records: list[AnyRecord] = [customer("acme")]
    for position, late in enumerate([40] * 8 + [0, 0, 0, 0]):
        due = date(2024, 12, 1) + timedelta(days=30 * position)
        records.append(invoice("acme", issued=due - timedelta(days=30), due=due,
                               total="10000.00", id=f"A-{position:02d}",
                               paid=due + timedelta(days=late),
                               disputed_on=date(2025, 12, 1) if late else None))
    book = ledger(*records)
    before = {f.signal for f in late_payers(book, as_of=date(2025, 11, 30))}
    after = {f.signal for f in late_payers(book, as_of=AS_OF)}
    assert Signal.DISPUTE not in before
    assert Signal.CHRONIC_LATE in before
    assert Signal.DISPUTE in after


def test_a_verdict_rule_returning_nonsense_is_named() -> None:
    def sloppy_rule(verdict: Verdict) -> str:
        return "fire them"

    with pytest.raises(ValueError, match="verdict rule sloppy_rule returned 'fire them'"):
        review(ledger(*fillers(2)), as_of=AS_OF, verdict_rules=[sloppy_rule])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=60)), min_size=4,
                max_size=12),
       st.sampled_from(["10.00", "100.00", "1000.00"]))
def test_more_at_stake_never_lowers_severity(days: list[int | None], total: str) -> None:
    # The same payment pattern on invoices ten times larger is never less serious: materiality
    # only ever caps small stakes.
    def severity(amount: str) -> int:
        found = late_payers(ledger(*client("acme", days, total=amount), *fillers(3, amount)),
                            as_of=AS_OF)
        return max((f.severity.rank for f in found if f.customer_id == "acme"), default=0)

    assert severity(str(D(total) * 10)) >= severity(total)


def test_a_verdict_rule_leaves_the_clients_names_alone() -> None:
    def everyone_is_watched(verdict: Verdict) -> Recommendation:
        return MONITOR

    result = review(ledger(*fillers(2)), as_of=AS_OF, verdict_rules=[everyone_is_watched])
    assert [(c.name, c.recommendation) for c in result.clients.values()] == [
        ("Filler-00", MONITOR), ("Filler-01", MONITOR)]
    assert all(c.summary.startswith(f"{c.name}: ") for c in result.clients.values())
