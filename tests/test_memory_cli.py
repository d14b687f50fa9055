"""The memory commands end to end: review saves, history, backfill, changes, --fail-on new:."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, main
from clientguard.store import Store

pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

HEADER = "Number,Client,Issued,Due,Total,Paid\n"
# Acme pays later and later; Birch on time.
INVOICES = (
    HEADER
    + "A-1,Acme,2025-01-02,2025-02-01,1000.00,2025-03-20\n"
    + "A-2,Acme,2025-02-03,2025-03-05,1000.00,2025-04-20\n"
    + "A-3,Acme,2025-03-03,2025-04-02,1000.00,\n"
    + "B-1,Birch,2025-01-10,2025-02-09,300.00,2025-02-05\n"
    + "B-2,Birch,2025-02-10,2025-03-09,300.00,2025-03-05\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def books(csv_books: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> Path:
    folder = csv_books(config='base_currency = "EUR"\nstore = "data/clientguard.db"\n\n')
    (folder / "invoices.csv").write_text(INVOICES)
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    return folder


def saved_dates(folder: Path) -> list[str]:
    with Store.open(folder / "data" / "clientguard.db", read_only=True) as store:
        return [s.as_of.isoformat() for s in store.saved_reviews()]


def test_a_review_of_the_store_is_saved_unless_no_save(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "review", "--quiet", "--as-of", "2025-03-31", "--no-save")[0] == EXIT_OK
    assert saved_dates(books) == []
    assert run(capsys, "review", "--quiet", "--as-of", "2025-03-31")[0] == EXIT_OK
    assert run(capsys, "review", "--quiet", "--as-of", "2025-03-31")[0] == EXIT_OK
    assert saved_dates(books) == ["2025-03-31"]


def test_backfill_then_history_as_table_json_and_csv(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "review", "--quiet", "--backfill", "monthly",
                         "--since", "2025-01-15", "--as-of", "2025-04-30")
    assert code == EXIT_OK
    assert saved_dates(books) == ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"]
    assert "saved 4 reviews, 2025-01-31 to 2025-04-30" in err
    assert out.splitlines()[1].startswith("2025-01-31")

    code, out, _ = run(capsys, "history", "Acme")
    assert code == EXIT_OK
    rows = out.splitlines()[1:]
    assert [r.split()[0] for r in rows] == ["2025-01-31", "2025-02-28", "2025-03-31",
                                            "2025-04-30"]
    # 2025-02-28: A-1 (due 02-01) unpaid, 27 days late; the only invoice due: late 100%.
    assert rows[1].split()[4:7] == ["100%", "27.0", "1,000.00"]

    code, out, _ = run(capsys, "history", "Acme", "--format", "json")
    records = json.loads(out)
    assert [r["late_share"] for r in records][1] == "1"
    assert records[1]["overdue"] == "1000.00"

    assert run(capsys, "history", "--output", "history.csv")[0] == EXIT_OK
    table = list(csv.DictReader(io.StringIO((books / "history.csv").read_text())))
    assert len(table) == 8  # two clients in four reviews
    assert {r["name"] for r in table} == {"Acme", "Birch"}


def test_changes_between_the_last_two_reviews_and_since_a_date(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "review", "--quiet", "--backfill", "monthly", "--since", "2025-01-01",
        "--as-of", "2025-04-30")
    code, out, _ = run(capsys, "changes")
    assert code == EXIT_OK
    assert out.startswith("Changes from the review as of 2025-03-31 to the one as of 2025-04-30")
    # A-3, due 2025-04-02 and unpaid, became overdue in April.
    assert "- Acme: invoice A-3 is now overdue" in out

    code, out, _ = run(capsys, "changes", "--since", "2025-02-28", "--format", "json")
    document = json.loads(out)
    assert (document["before"], document["after"]) == ("2025-02-28", "2025-04-30")
    overdue = [c for c in document["changes"] if c["kind"] == "newly_overdue"]
    # A-2 (due 03-05, paid 04-20) was overdue in between but is paid by 04-30: not listed.
    assert [c["subject"] for c in overdue] == ["A-3"]
    assert all(c["key"] for c in document["changes"])


def test_changes_without_a_saved_review_is_a_user_error(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "changes")
    assert code == EXIT_USAGE
    assert "has no saved review" in err


def test_fail_on_new_exits_1_only_for_findings_new_since_the_last_saved_review(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The first review: nothing saved before, every finding is new.
    code, _, err = run(capsys, "review", "--quiet", "--as-of", "2025-02-28",
                       "--fail-on", "new:watch")
    assert code == EXIT_FINDINGS
    assert "no saved review before" in err
    # The same day again: the same findings, nothing new.
    code, _, err = run(capsys, "review", "--quiet", "--as-of", "2025-02-28",
                       "--fail-on", "new:watch")
    assert (code, "new " in err) == (EXIT_OK, False)
    # Plain --fail-on still fails on any finding at that severity.
    assert run(capsys, "review", "--quiet", "--as-of", "2025-02-28", "--no-save",
               "--fail-on", "watch")[0] == EXIT_FINDINGS


def test_memory_options_that_do_not_go_together_are_user_errors(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, said in [
        (["review", "--backfill", "monthly"], "needs --since"),
        (["review", "--since", "2025-01-01"], "--since goes with --backfill"),
        (["review", "--backfill", "monthly", "--since", "2025-01-01", "--no-save"],
         "takes none of"),
        (["review", "--source", "books", "--fail-on", "new:warning"], "review the store"),
        (["review", "--backfill", "monthly", "--since", "2025-01-02", "--as-of", "2025-01-20"],
         "no month ends between"),
    ]:
        code, _, err = run(capsys, *argv)
        assert (code, said in err) == (EXIT_USAGE, True), (argv, err)
    with pytest.raises(SystemExit):
        main(["review", "--fail-on", "new:loud"])
    assert "new:warning" in capsys.readouterr().err


def test_the_html_report_shows_each_flagged_clients_verdicts_over_the_saved_reviews(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "review", "--quiet", "--backfill", "monthly", "--since", "2025-01-01",
        "--as-of", "2025-03-31")
    assert run(capsys, "review", "--quiet", "--as-of", "2025-04-30", "--no-save",
               "--output", "review.html")[0] == EXIT_OK
    page = (books / "review.html").read_text()
    # Acme is flagged: its strip has the three saved month-ends and this review.
    assert "Acme: verdicts from 2025-01-31 to 2025-04-30" in page
    assert page.count("<title>2025-0") >= 4
    assert saved_dates(books) == ["2025-01-31", "2025-02-28", "2025-03-31"]


def test_notify_without_a_saved_review_says_what_to_do(
    books: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLIENTGUARD_NOTIFY_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    code, _, err = run(capsys, "notify", "--via", "webhook")
    assert code == EXIT_USAGE
    assert "has no saved review: run clientguard review" in err
