"""Rush work is judged on working days: the lead time of a work request counts the working
days from the day it was asked (included) to the day it is wanted by (not included).

Working days are Monday to Friday, less the Polish public holidays when the firm's
``jurisdiction`` is ``pl`` (the one public-holiday calendar clientguard has, the one art. 115
KC uses). ``Policy.rush_days = "calendar"`` keeps the old count, ``wanted_by - requested_on``
in calendar days. Every expected lead below is counted by hand on a calendar: the days of
``[requested_on, wanted_by)`` that are working days (docs/metrics/concentration.md, "Rush").
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard import i18n
from clientguard.findings import Finding
from clientguard.metrics.workload import lead_counter, rush_profiles
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.review import review
from clientguard.signals.workload import rush_findings
from clientguard.testing import invoice, ledger, work_request

AS_OF = date(2026, 6, 30)
"""The window is 2025-07-01 .. 2026-06-30: every request below is in it."""


def lead_of(requested: str, wanted: str, policy: Policy) -> tuple[Decimal | None, int]:
    """The lead time of one request as the review counts it (its median, the only lead),
    and whether it is rush work (1) or not (0)."""
    book = ledger(work_request("acme", requested=requested, wanted=wanted, id="r1"))
    profile = rush_profiles(
        book,
        as_of=AS_OF,
        rush_lead_days=policy.rush_lead_days,
        rush_days=policy.rush_days,
        holidays="pl" if policy.jurisdiction == "pl" else None,
    )["acme"]
    return profile.median_lead_days, profile.rush_requests


# (requested_on, wanted_by, jurisdiction, working-day lead, calendar-day lead), counted by hand.
LEADS = [
    # Monday for Wednesday: Monday and Tuesday, 2; 2 calendar days. Rush either way.
    ("2026-06-01", "2026-06-03", "eu", 2, 2),
    # Friday for Monday: one working day (Friday itself); 3 calendar days. Rush now, not before.
    ("2026-05-29", "2026-06-01", "eu", 1, 3),
    # Thursday for Monday: Thursday and Friday, 2 working days (rush at 2); 4 calendar days.
    ("2026-05-28", "2026-06-01", "eu", 2, 4),
    # Asked on a Saturday for Monday: its lead starts on Monday, the next working day, so it is
    # a same-day request: 0 working days (Saturday and Sunday are not counted).
    ("2026-05-30", "2026-06-01", "eu", 0, 2),
    # Saturday for Tuesday: Monday only, 1.
    ("2026-05-30", "2026-06-02", "eu", 1, 3),
    # Sunday for Wednesday: Monday and Tuesday, 2.
    ("2026-05-31", "2026-06-03", "eu", 2, 3),
    # Same day: 0. Friday for Saturday: Friday, 1 (a wanted day off counts as the next working
    # day, as art. 115 KC moves a term: Friday for Saturday is Friday for Monday).
    ("2026-06-03", "2026-06-03", "eu", 0, 0),
    ("2026-05-29", "2026-05-30", "eu", 1, 1),
    # Wanted before it was asked ("for yesterday"): negative, still rush. Monday for the Friday
    # before: -1 (Friday); Wednesday for the Monday before: -2 (Monday, Tuesday).
    ("2026-06-01", "2026-05-29", "eu", -1, -3),
    ("2026-06-03", "2026-06-01", "eu", -2, -2),
    # Monday to Monday a week later: Mon..Fri, 5 working days, 7 calendar days.
    ("2026-06-01", "2026-06-08", "eu", 5, 7),
    # Thursday 2 April 2026 for Tuesday 7 April, over Easter (Sunday 5 April): in Poland Thursday
    # and Friday (Easter Monday, 6 April, is a holiday), 2: rush; outside Poland Thursday, Friday
    # and Monday, 3: not rush; 5 calendar days.
    ("2026-04-02", "2026-04-07", "pl", 2, 5),
    ("2026-04-02", "2026-04-07", "eu", 3, 5),
    # The Polish May weekend: Thursday 30 April for Monday 4 May 2026, with Friday 1 May a
    # holiday (3 May is a Sunday): Thursday only in Poland, 1; Thursday and Friday elsewhere, 2.
    ("2026-04-30", "2026-05-04", "pl", 1, 4),
    ("2026-04-30", "2026-05-04", "uk", 2, 4),
    # Christmas 2025: Tuesday 23 December for Monday 29 December. In Poland 24 (a holiday from
    # 2025), 25 and 26 December are holidays: Tuesday only, 1. Elsewhere 23-26 December, 4.
    ("2025-12-23", "2025-12-29", "pl", 1, 6),
    ("2025-12-23", "2025-12-29", "none", 4, 6),
    # Corpus Christi, Thursday 4 June 2026 (Easter + 60 days): Wednesday for Monday is
    # Wednesday and Friday in Poland, 2 (rush); Wednesday to Friday elsewhere, 3.
    ("2026-06-03", "2026-06-08", "pl", 2, 5),
    ("2026-06-03", "2026-06-08", "eu", 3, 5),
    # Independence Day, Tuesday 11 November 2025: Monday for Wednesday is Monday, 1, in Poland.
    ("2025-11-10", "2025-11-12", "pl", 1, 2),
    # A holiday on a Saturday takes no working day: Friday 31 October 2025 for Monday 3
    # November (1 November, All Saints', is a Saturday): Friday, 1, as anywhere.
    ("2025-10-31", "2025-11-03", "pl", 1, 3),
]


@pytest.mark.parametrize(
    ("requested", "wanted", "working"),
    [
        # Epiphany, 6 January, is a day free from work again only from 2011 (the act of 24
        # September 2010; a working day from 1960): Tuesday 5 January 2010 for Thursday 7
        # January is Tuesday and Wednesday, 2; Wednesday 5 January 2011 for Friday 7 January is
        # Wednesday only (6 January a holiday), 1.
        (date(2010, 1, 5), date(2010, 1, 7), 2),
        (date(2011, 1, 5), date(2011, 1, 7), 1),
    ],
)
def test_epiphany_is_a_polish_holiday_from_2011(requested: date, wanted: date,
                                                working: int) -> None:
    assert lead_counter("working", "pl")(requested, wanted) == working


@pytest.mark.parametrize(("requested", "wanted", "jurisdiction", "working", "calendar"), LEADS)
def test_the_lead_time_counts_working_days(
    requested: str, wanted: str, jurisdiction: str, working: int, calendar: int
) -> None:
    policy = Policy(jurisdiction=jurisdiction)
    assert policy.rush_days == "working"  # the default
    assert lead_of(requested, wanted, policy) == (Decimal(working), int(working <= 2))


@pytest.mark.parametrize(("requested", "wanted", "jurisdiction", "working", "calendar"), LEADS)
def test_calendar_days_are_the_old_count(
    requested: str, wanted: str, jurisdiction: str, working: int, calendar: int
) -> None:
    policy = Policy(jurisdiction=jurisdiction, rush_days="calendar")
    assert lead_of(requested, wanted, policy) == (Decimal(calendar), int(calendar <= 2))


def rush_book(requested: list[str], lead_days: int) -> list[Finding]:
    return rush_findings(
        ledger(*[work_request("acme", requested=day, lead_days=lead_days, id=f"r{n}")
                 for n, day in enumerate(requested)]),
        as_of=AS_OF,
    )


FRIDAYS = ["2026-05-01", "2026-05-08", "2026-05-15", "2026-05-22", "2026-05-29"]


def test_a_client_asking_every_friday_for_monday_is_a_rush_client() -> None:
    # Five requests, each asked on a Friday for the Monday after (3 calendar days, 1 working
    # day): 5 of 5 rush, 100% >= 30% over the 5 requests needed. Before: none was rush.
    findings = rush_book(FRIDAYS, lead_days=3)
    assert [f.metric for f in findings] == ["rush_share"]
    finding = findings[0]
    assert finding.value == 1
    assert finding.evidence.numbers["median_lead_days"] == 1
    assert finding.evidence.numbers["rush_days"] == "working"
    assert finding.message.startswith(
        "acme wanted 5 of its 5 requests (100%) within 2 working days of asking, over the last "
        "12 months"
    )
    calendar = rush_findings(
        ledger(*[work_request("acme", requested=day, lead_days=3, id=f"r{n}")
                 for n, day in enumerate(FRIDAYS)]),
        as_of=AS_OF,
        policy=Policy(rush_days="calendar"),
    )
    assert calendar == []


def test_the_calendar_sentence_still_says_days() -> None:
    # Five requests on Mondays, each for the day after: 1 calendar day, rush either way.
    mondays = ["2026-05-04", "2026-05-11", "2026-05-18", "2026-05-25", "2026-06-01"]
    book = ledger(*[work_request("acme", requested=day, lead_days=1, id=f"r{n}")
                    for n, day in enumerate(mondays)])
    finding = rush_findings(book, as_of=AS_OF, policy=Policy(rush_days="calendar"))[0]
    assert "within 2 days of asking" in finding.message
    assert finding.evidence.numbers["rush_days"] == "calendar"


@pytest.mark.parametrize(
    ("lead", "english", "polish"),
    [
        # Polish has three forms: 1 dzień roboczy, 2-4 dni robocze, 5 and more dni roboczych.
        (1, "within 1 working day of asking", "najwyżej 1 dzień roboczy od zgłoszenia"),
        (2, "within 2 working days of asking", "najwyżej 2 dni robocze od zgłoszenia"),
        (5, "within 5 working days of asking", "najwyżej 5 dni roboczych od zgłoszenia"),
    ],
)
def test_the_finding_names_working_days_in_each_language(
    lead: int, english: str, polish: str
) -> None:
    book = ledger(*[work_request("acme", requested=day, lead_days=0, id=f"r{n}")
                    for n, day in enumerate(FRIDAYS)])
    for lang, words in (("en", english), ("pl", polish)):
        with i18n.using(lang):
            finding = rush_findings(book, as_of=AS_OF, policy=Policy(rush_lead_days=lead))[0]
        assert words in finding.message, (lang, finding.message)


def test_the_rush_fee_names_the_same_days_as_the_finding() -> None:
    # acme pays and asks every Friday for Monday: a rush warning, so the rush fee advice, whose
    # days must be the finding's (working days), not calendar days.
    records: list[AnyRecord] = [
        invoice("acme", issued="2026-05-01", total="100.00", id="i1", paid="2026-05-20")
    ]
    records += [work_request("acme", requested=day, lead_days=3, id=f"r{n}")
                for n, day in enumerate(FRIDAYS)]
    revisions = review(ledger(*records), as_of=AS_OF).clients["acme"].revisions
    assert [r.message for r in revisions if r.kind == "rush_fee"] == [
        "Charge a 25% rush fee for work wanted within 2 working days of the request."
    ]


def test_the_median_lead_is_in_working_days() -> None:
    # Leads in working days 1 (Fri->Mon), 2 (Thu->Mon), 5 (Mon->Mon), 0 (Sat->Mon): sorted
    # 0, 1, 2, 5, median (1 + 2) / 2 = 1.5. In calendar days 3, 4, 7, 2: (3 + 4) / 2 = 3.5.
    book = ledger(
        work_request("acme", requested="2026-05-29", wanted="2026-06-01", id="a"),
        work_request("acme", requested="2026-05-28", wanted="2026-06-01", id="b"),
        work_request("acme", requested="2026-06-01", wanted="2026-06-08", id="c"),
        work_request("acme", requested="2026-05-30", wanted="2026-06-01", id="d"),
    )
    working = rush_profiles(book, as_of=AS_OF, rush_lead_days=2)["acme"]
    calendar = rush_profiles(book, as_of=AS_OF, rush_lead_days=2, rush_days="calendar")["acme"]
    assert (working.median_lead_days, working.rush_days) == (Decimal("1.5"), "working")
    assert (calendar.median_lead_days, calendar.rush_days) == (Decimal("3.5"), "calendar")
    assert (working.rush_requests, calendar.rush_requests) == (3, 1)


def test_a_policy_names_a_bad_rush_days_value() -> None:
    from clientguard.errors import ConfigError

    with pytest.raises(ConfigError, match="rush_days"):
        Policy(rush_days="business")


# ------------------------------------------------------------------------ the invariant
_POLISH_FIXED = [(1, 1), (5, 1), (5, 3), (8, 15), (11, 1), (11, 11), (12, 25), (12, 26)]


def _polish_holiday(day: date) -> bool:
    """The days of the act on days free from work, written out again for the oracle."""
    from dateutil.easter import easter

    sunday = easter(day.year)
    movable = {sunday + timedelta(days=n) for n in (0, 1, 49, 60)}
    fixed = {date(day.year, m, d) for m, d in _POLISH_FIXED}
    if day.year >= 2011:  # Epiphany, restored by the act of 24 September 2010
        fixed.add(date(day.year, 1, 6))
    if day.year >= 2025:
        fixed.add(date(day.year, 12, 24))
    return day in fixed or day in movable


def _counted_one_by_one(first: date, last: date, polish: bool) -> int:
    """Working days of [first, last), negative when last is before first."""
    sign = 1 if first <= last else -1
    low, high = min(first, last), max(first, last)
    days = (low + timedelta(days=n) for n in range((high - low).days))
    return sign * sum(
        1 for day in days if day.weekday() < 5 and not (polish and _polish_holiday(day))
    )


@settings(max_examples=200, deadline=None)
@given(
    requested=st.dates(date(2025, 7, 1), AS_OF),
    lead=st.integers(-40, 400),
    jurisdiction=st.sampled_from(["pl", "eu"]),
)
def test_the_working_lead_is_the_working_days_counted_one_by_one(
    requested: date, lead: int, jurisdiction: str
) -> None:
    wanted = requested + timedelta(days=lead)
    working, _ = lead_of(requested.isoformat(), wanted.isoformat(),
                         Policy(jurisdiction=jurisdiction))
    assert working == _counted_one_by_one(requested, wanted, jurisdiction == "pl")
    # Never more working days than calendar days, and on the same side of zero.
    assert working is not None
    assert abs(working) <= abs(lead)
    assert (working > 0) <= (lead > 0)


@settings(max_examples=200, deadline=None)
@given(
    requested=st.dates(date(1900, 1, 1), date(2999, 11, 30)),
    lead=st.integers(-30, 30),
    holidays=st.sampled_from(["pl", None]),
)
def test_the_counter_holds_over_the_whole_calendar(
    requested: date, lead: int, holidays: Literal["pl"] | None
) -> None:
    # The per-year holiday counts start from 2000 (before it they count down): a lead before,
    # across or long after 2000 is still the working days counted one by one.
    wanted = requested + timedelta(days=lead)
    count = lead_counter("working", holidays)
    assert count(requested, wanted) == _counted_one_by_one(requested, wanted, holidays == "pl")
    assert count(wanted, requested) == -count(requested, wanted)
    assert lead_counter("calendar")(requested, wanted) == lead
