"""Figures compared as shown, on every line a sentence prints (docs/review.md, "Figures
compared as shown"): two books either side of a line as written get different verdicts only if
their sentences write the figure differently.

Each case is two books whose figure falls either side of a line by less than the sentence's
precision, or one just at it; the expectations are worked out by hand in each case's comment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

import clientguard as cg
from clientguard.model import AnyRecord
from clientguard.testing import customer, invoice, ledger, payment, time_entry

AS_OF = date(2025, 12, 31)


def _paid_on_time(client: str, total: str, issued: date = date(2025, 10, 1)) -> list[AnyRecord]:
    bill = invoice(client, id=f"{client}1", issued=issued, terms=14, total=total)
    return [bill, payment(client, on=bill.due_date, amount=total, pays=bill)]


def _hours(x_hours: str) -> cg.Ledger:
    """X and O bring 40,000 and 60,000 EUR; X takes ``x_hours`` of the team's 1,000."""
    other = str(Decimal(1000) - Decimal(x_hours))
    return ledger(customer("x", "X"), customer("o", "O"), *_paid_on_time("x", "40000.00"),
                  *_paid_on_time("o", "60000.00"),
                  time_entry("x", on=date(2025, 10, 2), hours=x_hours, person="a"),
                  time_entry("o", on=date(2025, 10, 2), hours=other, person="a"))


def _days(extra: int) -> cg.Ledger:
    """X's ten invoices of 10,000: six paid 25 days late (the first ``extra`` days more), four
    on time; another client pays twelve of 100,000 on time. Weighted days late:
    (6 x 25 + extra) x 10,000 / 100,000 = 15.0 + extra / 10."""
    records: list[AnyRecord] = [customer("x", "X"), customer("o", "O")]
    for k in range(12):
        due = date(2025, 1, 5) + timedelta(days=30 * k)
        bill = invoice("o", id=f"o{k}", issued=due - timedelta(days=30), due=due,
                       total="100000.00")
        records += [bill, payment("o", id=f"Po{k}", on=due, amount="100000.00", pays=bill)]
    for k in range(10):
        due = date(2025, 2, 1) + timedelta(days=30 * k)
        bill = invoice("x", id=f"x{k}", issued=due - timedelta(days=30), due=due,
                       total="10000.00")
        late = (25 + (extra if k == 0 else 0)) if k < 6 else 0
        records += [bill, payment("x", id=f"Px{k}", on=due + timedelta(days=late),
                                  amount="10000.00", pays=bill)]
    return ledger(*records)


def _aging(old: str) -> cg.Ledger:
    """X owes 100,000: ``old`` on an invoice of 1 Sep 2025 (121 days old on 31 Dec) and the
    rest on one of 20 Dec; O pays twelve of 50,000 on time."""
    records: list[AnyRecord] = [customer("x", "X"), customer("o", "O")]
    for k in range(12):
        bill = invoice("o", id=f"o{k}", issued=date(2025, 1 + k, 1), terms=14, total="50000.00")
        records += [bill, payment("o", on=bill.due_date, amount="50000.00", pays=bill)]
    records += [invoice("x", id="x-old", issued=date(2025, 9, 1), terms=30, total=old),
                invoice("x", id="x-new", issued=date(2025, 12, 20), terms=30,
                        total=str(Decimal(100000) - Decimal(old)))]
    return ledger(*records)


def _hhi(amounts: list[int]) -> cg.Ledger:
    records: list[AnyRecord] = []
    for i, amount in enumerate(amounts):
        records += [customer(f"c{i}", f"C{i}"), *_paid_on_time(f"c{i}", f"{amount}.00")]
    return ledger(*records)


def _chronic(late: str) -> cg.Ledger:
    """X's three invoices due in 2025: ``late`` paid 30 days late, the two others (halves of
    the rest of 10,000) on time; O pays twelve of 100,000 on time. Late by count 1 of 3
    (33%), by amount ``late`` / 10,000."""
    records: list[AnyRecord] = [customer("x", "X"), customer("o", "O")]
    for k in range(12):
        bill = invoice("o", id=f"o{k}", issued=date(2025, 1 + k, 1), terms=14,
                       total="100000.00")
        records += [bill, payment("o", on=bill.due_date, amount="100000.00", pays=bill)]
    rest = (Decimal(10000) - Decimal(late)) / 2
    for k, total in enumerate([Decimal(late), rest, rest]):
        due = date(2025, 3 + k, 1)
        bill = invoice("x", id=f"x{k}", issued=due - timedelta(days=30), due=due, total=total)
        records += [bill, payment("x", id=f"Px{k}", on=due + timedelta(days=30 if k == 0 else 0),
                                  amount=total, pays=bill)]
    return ledger(*records)


@dataclass(frozen=True)
class Case:
    name: str
    book: Callable[[], cg.Ledger]
    signal: str
    figure: str
    """A pattern of the figure as the sentence writes it (its first group)."""
    expected: tuple[str, str | None]
    """The figure as written and the finding's severity (None: no finding)."""


def _hhi_above() -> cg.Ledger:
    # 40,900 + 6 x 14,400 = 127,300: HHI (40,900^2 + 6 x 14,400^2) / 127,300^2 x 10,000 =
    # 1,800.011, written "1,800": not above the 1,800 line, as exactly 1,800 is not.
    return _hhi([40900] + [14400] * 6)


CASES = [
    # 399.6 of 1,000 hours is 39.96%, written "40%" beside the 40% warning line (a tenth
    # finer, 40.0%, still on it): at it, a warning, as 400.0 of 1,000 is.
    Case("hours 39.96%", lambda: _hours("399.6"), "capacity",
         r"took (\S+) of the team's hours over", ("40%", "warning")),
    Case("hours 40.00%", lambda: _hours("400.0"), "capacity",
         r"took (\S+) of the team's hours over", ("40%", "warning")),
    # Weighted days 15.0 (not more than the 15-day band: watch) against 15.1 (more: a
    # warning, and written "15.1 days", not "15 days").
    Case("days 15.0", lambda: _days(0), "chronic_late", r"on average (\S+ days) late",
         ("15 days", "watch")),
    Case("days 15.1", lambda: _days(1), "chronic_late", r"on average (\S+ days) late",
         ("15.1 days", "warning")),
    Case("days 15.5", lambda: _days(5), "chronic_late", r"on average (\S+ days) late",
         ("16 days", "warning")),
    # 10,040 of 100,000 over 90 days old is 10.04%, written "10%": not more than the 10%
    # rule, as 10,000 (10.00%) is not; 10,600 (10.6%, written "11%") is.
    Case("aging 10.04%", lambda: _aging("10040.00"), "cross_aging", r"^(\S+) of", ("", None)),
    Case("aging 10.00%", lambda: _aging("10000.00"), "cross_aging", r"^(\S+) of", ("", None)),
    Case("aging 10.6%", lambda: _aging("10600.00"), "cross_aging", r"^(\S+) of",
         ("11%", "warning")),
    # HHI 1,800.011 and 1,800 (30,000 + 20,000 + 5 x 10,000: 900 + 400 + 5 x 100): both
    # written "1,800", neither above the line; 1,836 (41,000 + 6 x 14,400) is.
    Case("hhi 1,800.011", _hhi_above, "book_concentration", r"HHI is (\S+),", ("", None)),
    Case("hhi 1,800", lambda: _hhi([30000, 20000] + [10000] * 5), "book_concentration",
         r"HHI is (\S+),", ("", None)),
    # 4,999.60 of 10,000 late is 49.996%, written "50%" (49.996 to the tenth, 50.0, and a
    # hundredth finer, 50.00, still on the line): chronic by amount, at the 50% line;
    # 4,996 (49.96%, written "49.96%" beside the line) is not.
    Case("chronic 49.996%", lambda: _chronic("4999.60"), "chronic_late",
         r"but (\S+) of the amount due", ("50%", "watch")),
    Case("chronic 49.96%", lambda: _chronic("4996.00"), "chronic_late",
         r"but (\S+) of the amount due", ("", None)),
]


def _found(case: Case) -> tuple[str, str | None]:
    review = cg.review(case.book(), as_of=AS_OF)
    # The book's findings, and client X's (O is the rest of the book).
    findings = [*review.book.findings,
                *(review.clients["x"].findings if "x" in review.clients else ())]
    for finding in findings:
        if finding.signal.value == case.signal and (
                case.signal != "capacity" or finding.metric == "hours_share"):
            match = re.search(case.figure, finding.message)
            assert match is not None, finding.message
            return match.group(1), finding.severity.value
    return "", None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_figure_is_judged_as_its_sentence_writes_it(case: Case) -> None:
    assert _found(case) == case.expected


def test_two_figures_written_alike_get_the_same_severity() -> None:
    # The invariant over the table: where two books of a signal write the figure alike, the
    # severity is the same.
    seen: dict[tuple[str, str], str | None] = {}
    for case in CASES:
        written, severity = case.expected
        if written:
            assert seen.setdefault((case.signal, written), severity) == severity, case.name


def test_the_what_if_writes_the_share_as_the_finding_does() -> None:
    # Widget AG brings 1,100,000 of 3,179,190.74 EUR: 34.6%, written "34.6%" beside the 35%
    # line by the revenue finding; the what-if of ending it writes the same "34.6%" (until
    # 2026-12-08 "35%", the line it is under).
    other = invoice("o", id="o1", issued=date(2025, 10, 1), terms=14, total="2079190.74")
    widget = invoice("w", id="w1", issued=date(2025, 10, 1), terms=14, total="1100000.00")
    book = ledger(customer("o", "O"), customer("w", "Widget AG"), other, widget,
                  payment("o", on=other.due_date, amount="2079190.74", pays=other),
                  payment("w", on=widget.due_date, amount="1100000.00", pays=widget))
    client = cg.review(book, as_of=AS_OF).clients["w"]
    finding = next(f for f in client.findings if f.signal.value == "revenue_concentration")
    assert "brought 34.6% of" in finding.message
    assert "(34.6% of the window's)" in client.what_if.message
