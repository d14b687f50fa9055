"""review_firm: one firm's summary row and finding rows, pure, and a broken firm as a row."""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the portfolio's tests need clientguard[parquet]")

from clientguard import Policy, review
from clientguard.portfolio import (
    FAILED,
    INTERNAL_ERROR,
    REVIEWED,
    FirmRecords,
    review_firm,
    write_firm,
)
from clientguard.sample import SAMPLE_AS_OF, SAMPLE_ROLES, sample_records
from clientguard.testing import customer, invoice, payment

AS_OF = date(2025, 6, 30)


def two_clients() -> list[Any]:
    paid = invoice("acme", issued="2025-03-01", due="2025-03-31", total="2000.00", id="A-1")
    return [
        customer("acme"),
        customer("birch"),
        paid,
        payment("acme", on="2025-03-30", amount="2000.00", pays=paid, id="P-1"),
        invoice("acme", issued="2025-05-01", due="2025-05-31", total="1000.00", id="A-2"),
        invoice("birch", issued="2025-06-15", due="2025-07-15", total="1000.00", id="B-1"),
    ]


def test_the_summary_row_of_a_small_firm_by_hand(tmp_path: Path) -> None:
    write_firm(tmp_path, "two", two_clients(), base_currency="EUR")

    result = review_firm("two", tmp_path, as_of=AS_OF, policy=Policy())
    row = result.summary

    assert (row.firm_id, row.status, row.reason) == ("two", REVIEWED, None)
    assert (row.base_currency, row.as_of, row.clients, row.invoices) == ("EUR", AS_OF, 2, 3)
    # Revenue in the window: acme 3,000, birch 1,000.
    assert row.revenue == Decimal("4000.00")
    # Open on 30 June: A-2 (due 31 May: overdue) and B-1 (due 15 July: not yet).
    assert row.open_balance == Decimal("2000.00")
    assert row.overdue_balance == Decimal("1000.00")
    # Shares 0.75 and 0.25: HHI 5,625 + 625 = 6,250; 1 / 0.625 = 1.6 equal clients.
    assert row.top1_share == Decimal("0.750000")
    assert row.hhi == Decimal("6250.0000")
    assert row.effective_clients == Decimal("1.6000")
    assert (row.clients_ok + row.clients_monitor + row.clients_revise_terms
            + row.clients_consider_ending) == 2
    assert row.rejected_records == 0
    assert row.lateness_cost is not None
    assert row.lateness_cost > 0  # A-2 is a month late


def test_one_row_per_finding_with_the_firm_and_the_client(tmp_path: Path) -> None:
    data = sample_records(5, customers=14)
    write_firm(tmp_path, "kestrel", data.records(), base_currency="EUR", fx=data.fx)
    expected = review(data.ledger(), as_of=SAMPLE_AS_OF)

    result = review_firm("kestrel", tmp_path, as_of=SAMPLE_AS_OF)

    per_client = {c: len(r.findings) for c, r in expected.clients.items() if r.findings}
    got: dict[str, int] = {}
    for row in result.findings:
        assert row.firm_id == "kestrel"
        if row.client_id is not None:
            got[row.client_id] = got.get(row.client_id, 0) + 1
    assert got == per_client
    book_rows = [r for r in result.findings if r.client_id is None]
    assert len(book_rows) == len(expected.book.findings)
    # The planted chronic late payer is there, with its verdict beside each finding.
    chronic = [r for r in result.findings if r.client_id == SAMPLE_ROLES["chronic_late"]]
    assert "chronic_late" in {r.signal for r in chronic}
    assert {r.recommendation for r in chronic} == {
        expected.clients[SAMPLE_ROLES["chronic_late"]].recommendation.value}


def test_the_same_call_gives_the_same_result_and_it_pickles(tmp_path: Path) -> None:
    write_firm(tmp_path, "two", two_clients(), base_currency="EUR")
    first = review_firm("two", tmp_path, as_of=AS_OF)
    again = review_firm("two", tmp_path, as_of=AS_OF)
    assert first == again
    assert pickle.loads(pickle.dumps(first)) == first


class Buggy(FirmRecords):
    """Records whose ledger hits a bug: the firm's row names the exception."""

    def ledger(self) -> Any:
        raise RuntimeError("a bug")


@pytest.mark.parametrize(
    ("records", "firm_id", "status", "reason"),
    [
        (FirmRecords("x", "EURO", ()), "x", FAILED, "EURO"),
        ("lake", "missing", FAILED, "no firm 'missing'"),
        ("lake", "../escape", FAILED, "cannot name a partition"),
        (FirmRecords("x", "EUR", (object(),)), "x", FAILED, "not a ledger record"),  # type: ignore[arg-type]
        (Buggy("x", "EUR", ()), "x", INTERNAL_ERROR, "RuntimeError: a bug"),
    ],
    ids=["unknown-base-currency", "firm-not-in-lake", "bad-firm-id", "not-a-record", "a-bug"],
)
def test_a_firm_that_cannot_be_reviewed_is_a_row_saying_why(
    tmp_path: Path, records: Any, firm_id: str, status: str, reason: str
) -> None:
    write_firm(tmp_path / "lake", "two", two_clients(), base_currency="EUR")
    where = tmp_path / records if isinstance(records, str) else records

    result = review_firm(firm_id, where, as_of=AS_OF)

    assert result.summary.status == status
    assert result.summary.reason is not None
    assert reason in result.summary.reason
    assert result.findings == ()
    assert result.summary.revenue is None


def test_as_of_must_be_a_date(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="as_of"):
        review_firm("two", tmp_path, as_of="2025-06-30")  # type: ignore[arg-type]


# Shares 0.75 and 0.25: a revenue HHI of 6,250, above the 1,800 line (the policy's default).
REVENUE_HHI = {
    "pl": "Wskaźnik HHI przychodów firmy wynosi 6\xa0250, powyżej progu 1\xa0800 rynku silnie "
          "skoncentrowanego",
    "en": "The book's revenue HHI is 6,250, above the 1,800 line of a highly concentrated market",
}


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [("pl", REVENUE_HHI["pl"], "The book's"), ("en", REVENUE_HHI["en"], "Wskaźnik"),
     (None, REVENUE_HHI["en"], "Wskaźnik")],
)
def test_the_findings_messages_are_in_the_language_asked_for(
    tmp_path: Path, lang: str | None, expected: str, absent: str
) -> None:
    write_firm(tmp_path, "two", two_clients(), base_currency="EUR")

    result = review_firm("two", tmp_path, as_of=AS_OF, lang=lang)

    messages = [f.message for f in result.findings]
    assert any(m.startswith(expected) for m in messages), messages
    assert not any(absent in m for m in messages)


@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        ("pl", "folder nie jest jeziorem danych clientguard: brak w nim pliku "
               "_clientguard_layout.json (zapisz go poleceniem clientguard export --format "
               "parquet)"),
        ("en", "the folder is not a clientguard lake: it has no _clientguard_layout.json "
               "(write one with clientguard export --format parquet)"),
    ],
)
def test_a_folder_that_is_no_lake_is_a_row_in_the_language_asked_for(
    tmp_path: Path, lang: str, reason: str
) -> None:
    result = review_firm("two", tmp_path, as_of=AS_OF, lang=lang)

    assert (result.summary.status, result.summary.reason) == (FAILED, reason)


def test_a_language_clientguard_does_not_write_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        review_firm("two", tmp_path, as_of=AS_OF, lang="xx")
