"""The reports' OVERDUE column says what is overdue once a client's unapplied money is applied,
as the evidence line and the advice to collect do (docs/review.md, "Unapplied money").

A reviewer's find (2026-12-08): the sample's Copperleaf Foods read 926.25 in the table's
OVERDUE column (the books' overdue balance) beside "Evidence: ... overdue 887.18 EUR" (after its
39.07 EUR of unapplied money is applied).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

import clientguard as cg
from clientguard.model import AnyRecord
from clientguard.report import render
from clientguard.testing import customer, invoice, ledger, payment

AS_OF = date(2025, 12, 31)
NAME = "Pinewood Ltd"


def _book(unapplied: str) -> cg.Ledger:
    """Pinewood: four open invoices of 10,000.00 EUR due 1 Sep, 1 Oct, 1 Nov and 1 Dec 2025 (all
    past due on 31 Dec), and one payment of ``unapplied`` on 15 Dec allocated to nothing.
    Another client pays twelve invoices of 30,000.00 on their due dates."""
    records: list[AnyRecord] = [customer("p", NAME)]
    for k, due in enumerate(["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]):
        day = date.fromisoformat(due)
        records.append(invoice("p", id=f"P{k}", issued=day - timedelta(days=30), due=day,
                               total="10000.00"))
    records.append(payment("p", id="PU", on="2025-12-15", amount=unapplied))
    for k in range(12):
        bill = invoice("o", id=f"O{k}", issued=date(2025, 1, 1 + k), total="30000.00",
                       terms=14)
        records += [bill, payment("o", id=f"PO{k}", on=bill.due_date, amount="30000.00",
                                  pays=bill)]
    return ledger(*records)


# Every invoice is past due on 31 Dec, so whatever order the money pays them in, what is left
# overdue is 40,000.00 - the money: 40,000.00 - 15,000.00 = 25,000.00; 40,000.00 - 2,500.50 =
# 37,499.50; with no money, the books' 40,000.00.
CASES = [("15000.00", "25,000.00"), ("2500.50", "37,499.50"), ("0.01", "39,999.99")]


@pytest.mark.parametrize(("unapplied", "overdue"), CASES)
def test_the_table_column_says_the_overdue_the_evidence_says(
    unapplied: str, overdue: str
) -> None:
    review = cg.review(_book(unapplied), as_of=AS_OF)
    lines = render(review, "table").splitlines()
    head = next(k for k, line in enumerate(lines) if line.startswith("VERDICT"))
    row = next(line for line in lines[head:] if NAME in line)
    # The OVERDUE column is the sixth of seven: the only amount in the row.
    assert re.findall(r"\d[\d,]*\.\d\d", row) == [overdue], row
    client = review.clients["p"]
    assert f"overdue {overdue} EUR" in client.evidence
    assert client.overdue == Decimal(overdue.replace(",", ""))


@pytest.mark.parametrize(("unapplied", "overdue"), CASES)
def test_the_html_column_says_the_overdue_the_evidence_says(
    unapplied: str, overdue: str
) -> None:
    page = render(cg.review(_book(unapplied), as_of=AS_OF), "html")
    section = page[page.index('<section id="clients">'):]
    row = next(r for r in section.split("<tr") if NAME in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
    # Verdict, client, revenue, late share, days late, overdue, findings, evidence.
    assert re.sub(r"<[^>]+>", "", cells[5]).replace("\u00a0", " ").strip() in (
        overdue, f"{overdue} EUR")
    assert f"overdue {overdue} EUR" in cells[7]
