"""Pruning the saved reviews: restic's retention rules policy by policy, never the review a
comparison starts from, one transaction, a dry run first, and a clear word on a read-only store.

Expected dates are worked out by hand from restic's rules (docs/history.md, "Pruning"): each
rule keeps the newest review of each of the last N periods that have a review; weeks are ISO
weeks, Monday to Sunday. Calendar facts used: 2026-06-01 is a Monday (2026-01-01 is a Thursday,
and 151 days later is 21 weeks and 4 days later); so 2025-12-29 is the Monday of ISO week 2026-W01
and 2025-12-28 the Sunday of 2025-W52.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from clientguard import history
from clientguard.changes import compare
from clientguard.cli import EXIT_OK, EXIT_USAGE, main
from clientguard.errors import ClientguardError, StoreError
from clientguard.history import Keep, prune, prune_decisions
from clientguard.notify import NotifyError, WebhookChannel, notify
from clientguard.review import review
from clientguard.store import SavedReview, Store
from clientguard.testing import customer, invoice, ledger, payment

A = "a" * 16
B = "b" * 16
C = "c" * 16
NOW = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)


def days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def month_ends(first: str, last: str) -> list[date]:
    return history.month_ends(date.fromisoformat(first), date.fromisoformat(last))


def reviews(*dated: tuple[date, str]) -> list[SavedReview]:
    """Saved reviews as ``saved_reviews`` lists them (oldest first), ids in the order given."""
    made = [SavedReview(i, day, digest, "test") for i, (day, digest) in enumerate(dated, 1)]
    return sorted(made, key=lambda s: (s.as_of, s.id))


def kept_dates(decisions: tuple[history.PruneDecision, ...], digest: str = A) -> list[str]:
    return [d.review.as_of.isoformat() for d in decisions
            if not d.removed and d.review.policy_digest == digest]


# ----------------------------------------------------------------------------- the rules

JUNE = [(d, A) for d in days("2026-06-01", "2026-06-30")]
MONTHLY = [(d, A) for d in month_ends("2024-01-01", "2026-05-31")]


@pytest.mark.parametrize(("saved", "rules", "kept"), [
    # A daily cron job for June; the last 7 days.
    (JUNE, {"keep_daily": 7}, [f"2026-06-{d}" for d in range(24, 31)]),
    # The same by count.
    (JUNE, {"keep_last": 2}, ["2026-06-29", "2026-06-30"]),
    # Weeks of June 2026: 1-7, 8-14, 15-21, 22-28, 29-30 (Monday to Sunday); the newest of the
    # last three that have a review: Tuesday the 30th, Sunday the 28th, Sunday the 21st.
    (JUNE, {"keep_weekly": 3}, ["2026-06-21", "2026-06-28", "2026-06-30"]),
    # Month-ends from a backfill, then June's dailies: the newest of June and of May.
    (MONTHLY + JUNE, {"keep_monthly": 2}, ["2026-05-31", "2026-06-30"]),
    # The newest of 2026 (June 30th) and of 2025 (its December month-end).
    (MONTHLY + JUNE, {"keep_yearly": 2}, ["2025-12-31", "2026-06-30"]),
    # The rules are ORed: two days (29th, 30th) and three months (June's 30th, May, April).
    (MONTHLY + JUNE, {"keep_daily": 2, "keep_monthly": 3},
     ["2026-04-30", "2026-05-31", "2026-06-29", "2026-06-30"]),
    # ISO weeks cross the new year: Monday 2025-12-29 and Thursday 2026-01-01 are one week
    # (2026-W01), whose newest is the 1st; Sunday 2025-12-28 ends 2025-W52.
    ([(date(2025, 12, 28), A), (date(2025, 12, 29), A), (date(2026, 1, 1), A)],
     {"keep_weekly": 2}, ["2025-12-28", "2026-01-01"]),
    # A count larger than the history keeps it all.
    (JUNE[:3], {"keep_daily": 30}, ["2026-06-01", "2026-06-02", "2026-06-03"]),
], ids=["daily", "last", "weekly", "monthly", "yearly", "ored", "iso-week", "more-than-held"])
def test_each_rule_keeps_the_newest_of_its_last_periods(
    saved: list[tuple[date, str]], rules: dict[str, int], kept: list[str]
) -> None:
    assert kept_dates(prune_decisions(reviews(*saved), needed=None, **rules)) == kept


def test_the_newest_of_each_policy_is_kept_and_a_policy_is_not_thinned_by_another() -> None:
    # Policy A reviewed daily in June; B three month-ends earlier in the year; C once, long ago.
    saved = reviews(*JUNE, *[(d, B) for d in month_ends("2026-01-01", "2026-03-31")],
                    (date(2025, 1, 31), C))
    decisions = prune_decisions(saved, keep_last=2)
    assert kept_dates(decisions, A) == ["2026-06-29", "2026-06-30"]
    # B's two newest are kept though A has 30 newer reviews: each policy by itself.
    assert kept_dates(decisions, B) == ["2026-02-28", "2026-03-31"]
    (only,) = [d for d in decisions if d.review.policy_digest == C]
    assert only.kept_because == (Keep("newest"), Keep("last", count=2))


@pytest.mark.parametrize("rules", [
    {}, {"keep_daily": 0, "keep_monthly": 0},
], ids=["none", "all-zero"])
def test_a_prune_without_a_rule_is_refused(rules: dict[str, int]) -> None:
    with pytest.raises(ClientguardError, match="needs a rule: --keep-last"):
        prune_decisions(reviews(*JUNE), needed=None, **rules)


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ClientguardError, match="--keep-daily -1: give a whole number of 0"):
        prune_decisions(reviews(*JUNE), keep_daily=-1)


POLICIES = st.sampled_from([A, B, C])
HISTORIES = st.lists(st.tuples(st.dates(date(2023, 1, 1), date(2026, 12, 31)), POLICIES),
                     min_size=1, max_size=60, unique=True)
COUNTS = st.fixed_dictionaries({f"keep_{rule}": st.integers(0, 6)
                                for rule in history.KEEP_RULES}).filter(
    lambda counts: any(counts.values()))


@settings(max_examples=150, deadline=None)
@given(HISTORIES, COUNTS)
def test_pruning_keeps_each_policys_newest_and_pruning_again_removes_nothing(
    dated: list[tuple[date, str]], counts: dict[str, int]
) -> None:
    saved = reviews(*dated)
    decisions = prune_decisions(saved, needed=None, **counts)
    for digest in {s.policy_digest for s in saved}:
        newest = max((s for s in saved if s.policy_digest == digest),
                     key=lambda s: (s.as_of, s.id))
        assert not next(d for d in decisions if d.review == newest).removed
    # Each rule keeps at most its N reviews a policy, besides the newest.
    for digest in {s.policy_digest for s in saved}:
        ours = [d for d in decisions if d.review.policy_digest == digest and not d.removed]
        assert len(ours) <= 1 + sum(counts.values())
    # A daily cron job that prunes after each review never eats into what it kept.
    kept = [d.review for d in decisions if not d.removed]
    assert all(not d.removed for d in prune_decisions(kept, needed=None, **counts))


# ----------------------------------------------------------------------------- the store


def save_plain(store: Store, day: date, digest: str = A,
               clients: tuple[str, ...] = ("acme", "birch")) -> SavedReview:
    """A saved review with a client summary row per client (what the store keeps of one)."""
    return store.save_review(
        as_of=day, policy_digest=digest, version="test", report=json.dumps({"as_of": str(day)}),
        summary={"as_of": str(day)},
        clients=[{"client_id": c, "verdict": "ok", "severity": None} for c in clients])


def table_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with closing(sqlite3.connect(path)) as db:
        return {table: sorted(db.execute(f"SELECT * FROM {table}"))
                for table in ("reviews", "review_clients", "notifications")}


@pytest.fixture
def june(tmp_path: Path) -> Path:
    """A store with June's 30 daily reviews under policy A, two clients each."""
    path = tmp_path / "clientguard.db"
    with Store.open(path) as store:
        for day in days("2026-06-01", "2026-06-30"):
            save_plain(store, day)
    return path


def test_prune_removes_the_reviews_with_their_client_rows_and_nothing_else(june: Path) -> None:
    with Store.open(june) as store:
        ids = {s.as_of: s.id for s in store.saved_reviews()}
        result = prune(store, keep_daily=7)
    assert [s.as_of for s in result.kept] == days("2026-06-24", "2026-06-30")
    assert len(result.removed) == 23
    with closing(sqlite3.connect(june)) as db:
        # No client row is left without its review (the table's foreign key is not relied
        # on: a connection without PRAGMA foreign_keys would not cascade).
        orphans = db.execute("SELECT count(*) FROM review_clients WHERE review_id NOT IN "
                             "(SELECT id FROM reviews)").fetchone()[0]
        left = db.execute("SELECT review_id, count(*) FROM review_clients GROUP BY review_id "
                          "ORDER BY review_id").fetchall()
    assert orphans == 0
    # Two clients for each of the seven reviews kept, none for the others.
    assert left == [(ids[d], 2) for d in days("2026-06-24", "2026-06-30")]


def test_a_dry_run_says_what_would_go_and_changes_nothing(june: Path) -> None:
    before = table_rows(june)
    with Store.open(june) as store:
        planned = prune(store, keep_last=3, dry_run=True)
    assert table_rows(june) == before
    assert (planned.dry_run, planned.freed_bytes) == (True, None)
    assert [s.as_of.isoformat() for s in planned.kept] == [
        "2026-06-28", "2026-06-29", "2026-06-30"]
    with Store.open(june) as store:
        done = prune(store, keep_last=3)
    assert done.decisions == planned.decisions  # the run does what the dry run said


def test_an_interrupted_prune_leaves_every_review_and_client_row(june: Path) -> None:
    before = table_rows(june)
    child = os.fork()
    if child == 0:  # pragma: no cover (the child process, killed mid-transaction)
        try:
            store = Store.open(june)
            # Dies when the first review row is deleted: after its client rows were.
            store._db.create_function("die", 0, lambda: os._exit(9))
            store._db.execute("CREATE TEMP TRIGGER die BEFORE DELETE ON main.reviews "
                              "BEGIN SELECT die(); END")
            prune(store, keep_last=1)
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    assert os.WEXITSTATUS(status) == 9  # it died inside the prune, not after it
    assert table_rows(june) == before
    with Store.open(june) as store:
        assert len(store.saved_reviews()) == 30


def test_a_prune_that_fails_removes_nothing_and_says_so(june: Path) -> None:
    before = table_rows(june)
    with Store.open(june) as store:
        store._db.execute("CREATE TEMP TRIGGER stop BEFORE DELETE ON main.reviews "
                          "WHEN OLD.as_of = '2026-06-10' BEGIN SELECT RAISE(ABORT, 'disk "
                          "gone'); END")
        with pytest.raises(StoreError, match=r"prune the saved reviews.*nothing of it was "
                                             r"written"):
            prune(store, keep_last=1)
    assert table_rows(june) == before


def test_a_store_opened_read_only_is_refused_with_what_to_do(june: Path) -> None:
    before = table_rows(june)
    with Store.open(june, read_only=True) as store:
        # A dry run only reads: 30 reviews less the newest and the one before it (which
        # clientguard changes compares the newest with).
        assert len(prune(store, keep_last=1, dry_run=True).removed) == 28
        with pytest.raises(StoreError, match=r"opened read-only: no saved review was removed; "
                                             r"open it for writing \(Store.open\(path\)"):
            prune(store, keep_last=1)
    assert table_rows(june) == before


def test_the_freed_bytes_are_the_pages_sqlite_freed(tmp_path: Path) -> None:
    path = tmp_path / "clientguard.db"
    big = "x" * 200_000  # a report that fills whole pages (16,384 bytes each)
    with Store.open(path) as store:
        for day in days("2026-06-01", "2026-06-04"):
            store.save_review(as_of=day, policy_digest=A, version="test", report=big,
                              summary={}, clients=[])
        result = prune(store, keep_last=1)
        free = store._db.execute("PRAGMA freelist_count").fetchone()[0]
        page = store._db.execute("PRAGMA page_size").fetchone()[0]
    # The 1st and 2nd went (the 3rd is the one before the newest, which changes compares
    # with). A row of 200,000 bytes (and a few dozen of its other columns) keeps about 3,440
    # bytes on its leaf page and 12 pages of 16,380 usable bytes on overflow pages
    # (https://sqlite.org/fileformat2.html, "Cell Payload Overflow Pages": (200,000 - 2,031)
    # mod 16,380 = 1,409, so 2,031 + 1,409 stay local), so at least 2 x 12 whole pages are
    # free now; and the count is what SQLite's free list says (it was empty before: nothing
    # was deleted in this store before).
    assert result.freed_bytes == free * page
    assert result.freed_bytes is not None
    assert result.freed_bytes >= 2 * 12 * page


# ----------------------------------------------------------------------------- notify


TOKEN = "xoxb-Pr0neT0kenValue-55512345"


def records() -> list[Any]:
    """Acme pays later and later from April 2025; Birch on time (as tests/test_notify.py)."""
    found: list[Any] = [customer("acme", name="Acme"), customer("birch", name="Birch")]
    for month, late in [(1, 0), (2, 0), (3, 0), (4, 20), (5, 40), (6, 60), (7, 80)]:
        due = date(2025, month, 28)
        a = invoice("acme", issued=date(2025, month, 1), due=due, total="1000.00",
                    id=f"A-{month}")
        b = invoice("birch", issued=date(2025, month, 1), due=due, total="500.00",
                    id=f"B-{month}")
        found += [a, b, payment("acme", on=date.fromordinal(due.toordinal() + late),
                                amount="1000.00", pays=a, id=f"PA-{month}"),
                  payment("birch", on=due, amount="500.00", pays=b, id=f"PB-{month}")]
    return found


def save_review(store: Store, day: date) -> SavedReview:
    return history.save_review(store, review(ledger(*records()), as_of=day))


def no_sleep(_: float) -> None:
    """Retries wait for nothing in tests."""


def webhook(server: HTTPServer) -> WebhookChannel:
    return WebhookChannel(server.url_for(f"/hooks/{TOKEN}"))


def change_keys(server: HTTPServer) -> set[str]:
    (request, _response), = server.log
    return {c["key"] for c in json.loads(request.data)["changes"]}


def test_the_review_notify_compares_from_is_kept_so_each_change_is_sent_once(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    with Store.open(tmp_path / "clientguard.db") as store:
        march, april, may = (save_review(store, d) for d in month_ends("2025-03-01",
                                                                       "2025-05-31"))
        httpserver.expect_ordered_request(f"/hooks/{TOKEN}").respond_with_data("ok")
        notify(store, webhook(httpserver), now=NOW, sleep=no_sleep)  # April -> May delivered
        june, july, august = (save_review(store, d) for d in month_ends("2025-06-01",
                                                                        "2025-08-31"))
        # The next send compares August with May, the last delivered; from July it would
        # miss what changed in June and July (the precondition that makes this test bite).
        from_may = compare(history.saved_summary(store, may),
                           history.saved_summary(store, august))
        from_july = compare(history.saved_summary(store, july),
                            history.saved_summary(store, august))
        assert {c.key for c in from_may.changes} != {c.key for c in from_july.changes}
        result = prune(store, keep_last=1)
        why = {d.review.as_of: d.kept_because for d in result.decisions}
        assert [s.as_of for s in result.kept] == [may.as_of, july.as_of, august.as_of]
        assert why[may.as_of] == (Keep("notify", channel="webhook"),)
        assert why[july.as_of] == (Keep("changes"),)
        assert {s.id for s in result.removed} == {march.id, april.id, june.id}
        # notify's own rows of April (a removed review) went with it; May's stay.
        with closing(sqlite3.connect(tmp_path / "clientguard.db")) as db:
            held = {row[0] for row in db.execute("SELECT review_id FROM notifications")}
        assert held == {may.id}
        httpserver.clear_log()
        httpserver.expect_ordered_request(f"/hooks/{TOKEN}").respond_with_data("ok")
        notify(store, webhook(httpserver), now=NOW, sleep=no_sleep)
        assert change_keys(httpserver) == {c.key for c in from_may.changes}
        again = notify(store, webhook(httpserver), now=NOW, sleep=no_sleep)
        assert again.sent == 0


def test_a_failed_sends_baseline_is_kept_so_its_changes_are_not_lost(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    with Store.open(tmp_path / "clientguard.db") as store:
        march, april = (save_review(store, d) for d in month_ends("2025-03-01", "2025-04-30"))
        for _ in range(4):
            httpserver.expect_ordered_request(f"/hooks/{TOKEN}").respond_with_data(
                "busy", status=503)
        with pytest.raises(NotifyError):
            notify(store, webhook(httpserver), now=NOW, sleep=no_sleep)  # March -> April
        may, june, july = (save_review(store, d) for d in month_ends("2025-05-01",
                                                                     "2025-07-31"))
        from_march = compare(history.saved_summary(store, march),
                             history.saved_summary(store, july))
        from_june = compare(history.saved_summary(store, june),
                            history.saved_summary(store, july))
        assert {c.key for c in from_march.changes} != {c.key for c in from_june.changes}
        result = prune(store, keep_last=1)
        why = {d.review.as_of: d.kept_because for d in result.decisions}
        assert why[march.as_of] == (Keep("notify_failed", channel="webhook"),)
        assert [s.as_of for s in result.removed] == [april.as_of, may.as_of]
        httpserver.clear_log()
        httpserver.clear()
        httpserver.expect_ordered_request(f"/hooks/{TOKEN}").respond_with_data("ok")
        notify(store, webhook(httpserver), now=NOW, sleep=no_sleep)
        assert change_keys(httpserver) == {c.key for c in from_march.changes}


# ----------------------------------------------------------------------------- the command


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_dry_run_with_nothing_to_remove_asks_for_no_yes(
    june: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # June's 30 daily reviews, keep the last 40: nothing would go, so nothing to run again
    # with --yes (it said "would remove 0 ...: run it again with --yes to remove them").
    code, _out, err = run(capsys, "history", "prune", "--store", str(june), "--keep-last", "40")
    assert code == EXIT_OK
    assert err == "clientguard: no saved review to remove; kept 30\n"


def test_the_command_lists_first_then_removes_with_yes(
    june: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = table_rows(june)
    code, out, err = run(capsys, "history", "prune", "--store", str(june), "--keep-daily", "2")
    assert code == EXIT_OK
    assert table_rows(june) == before
    lines = out.splitlines()
    assert lines[0].split() == ["as", "of", "policy", "action", "why"]
    assert lines[1].split()[:3] == ["2026-06-01", A, "remove"]
    assert lines[1].endswith("no rule keeps it")
    assert lines[-2] == ("2026-06-29  " + A + "  keep    --keep-daily 2: the newest of its "
                         "day; clientguard changes compares the newest review with it")
    assert lines[-1].startswith("2026-06-30  " + A + "  keep    the newest review under its "
                                "policy; --keep-daily 2")
    assert err == ("clientguard: history prune would remove 28 saved reviews and keep 2; "
                   "nothing was removed: run it again with --yes to remove them\n")

    code, out, err = run(capsys, "history", "prune", "--store", str(june), "--keep-daily", "2",
                         "--yes")
    assert code == EXIT_OK
    assert err.startswith("clientguard: removed 28 saved reviews and kept 2; ")
    assert "of the store freed for later reviews" in err
    with Store.open(june, read_only=True) as store:
        assert [s.as_of.isoformat() for s in store.saved_reviews()] == [
            "2026-06-29", "2026-06-30"]


@pytest.mark.parametrize(("argv", "message"), [
    (["history", "prune"], "history prune needs a rule"),
    (["history", "prune", "--keep-daily", "7", "--format", "json"], "takes none of --format"),
    (["history", "--keep-daily", "7"], "only clientguard history prune takes --keep-daily"),
    (["history", "acme", "--yes"], "only clientguard history prune takes --yes"),
    (["history", "acme", "--client", "birch"], "give the client once"),
], ids=["no-rule", "format", "keep-without-prune", "yes-without-prune", "client-twice"])
def test_the_command_refuses_what_it_cannot_do(
    june: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = table_rows(june)
    code, _out, err = run(capsys, *argv, "--store", str(june))
    assert code == EXIT_USAGE
    assert message in err
    assert table_rows(june) == before


def test_a_client_named_prune_is_still_shown_with_the_client_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clientguard.db"
    with Store.open(path) as store:
        store.save_review(
            as_of=date(2026, 6, 30), policy_digest=A, version="test", report="{}",
            summary={}, clients=[{"client_id": "prune", "name": "Prune Ltd", "verdict": "ok",
                                  "severity": None, "overdue": "0", "findings": []}])
    code, out, _err = run(capsys, "history", "--client", "prune", "--store", str(path),
                          "--format", "json")
    assert code == EXIT_OK
    assert [row["client_id"] for row in json.loads(out)] == ["prune"]


def test_the_command_on_a_read_only_store_lists_but_says_how_to_remove(
    capsys: pytest.CaptureFixture[str],
    as_nobody: Callable[[Path, Callable[[], list[Any]]], list[Any]],
) -> None:
    # Not below pytest's own temporary folder, which only its owner may enter.
    folder = Path(tempfile.mkdtemp(prefix="clientguard-prune-",
                                   dir="/tmp" if os.name == "posix" else None))
    store = folder / "clientguard.db"
    with Store.open(store) as opened:
        for day in days("2026-06-01", "2026-06-05"):
            save_plain(opened, day)
    run(capsys, "history", "prune", "--store", str(store), "--keep-last", "1")  # warm up
    store.chmod(0o400)

    def steps() -> list[Any]:
        found: list[Any] = []
        for argv in (["--keep-last", "1"], ["--keep-last", "1", "--yes"]):
            code = main(["history", "prune", "--store", str(store), *argv])
            found.append([code, capsys.readouterr().err])
        return found

    (listed, listed_err), (removed, removed_err) = as_nobody(folder, steps)
    assert (listed, removed) == (EXIT_OK, EXIT_USAGE)
    # The newest and the one before it (clientguard changes compares them) stay.
    assert "would remove 3 saved reviews and keep 2" in listed_err
    assert removed_err == (
        f"clientguard: the store {store} (or its folder) is read-only: no saved review was "
        "removed; make them writable and run it again (without --yes, history prune only "
        "lists what it would remove)\n")
    store.chmod(0o600)
    with Store.open(store, read_only=True) as opened:
        assert len(opened.saved_reviews()) == 5
    shutil.rmtree(folder)


@pytest.mark.parametrize("count", ["²", "٣", "-1", "seven", "7.0"],
                         ids=["superscript-two", "arabic-indic-three", "negative", "word",
                              "decimal"])
def test_a_count_that_is_not_a_whole_number_is_refused_in_words(
    june: Path, capsys: pytest.CaptureFixture[str], count: str
) -> None:
    # "²" and "٣" are digits to str.isdigit but not to int: argparse used to print its own
    # "invalid _keep_count value" (the name of the parser function) instead of the message.
    before = table_rows(june)
    with pytest.raises(SystemExit) as refused:
        main(["history", "prune", "--keep-daily", count, "--yes", "--store", str(june)])
    assert refused.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"--keep-daily: {count!r}: give a whole number of 0 or more" in err
    assert "_keep_count" not in err
    assert table_rows(june) == before
