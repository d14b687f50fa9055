"""Memory: saved reviews in the store, history, backfill, and what changed between reviews."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from clientguard import history
from clientguard.changes import (
    ChangeKind,
    ClientSummary,
    FindingSummary,
    ReviewSummary,
    compare,
    new_findings,
    summarize,
)
from clientguard.errors import ClientguardError
from clientguard.findings import Severity
from clientguard.i18n import ngettext, using
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.report.html import render_html
from clientguard.review import review
from clientguard.store import SCHEMA_VERSION, Store
from clientguard.testing import customer, invoice, ledger, payment

# ----------------------------------------------------------------------------- builders


def finding(client: str | None, signal: str, severity: str, metric: str = "m",
            value: str = "1", threshold: str = "0.5") -> FindingSummary:
    return FindingSummary(client_id=client, signal=signal, severity=Severity(severity),
                          metric=metric, value=Decimal(value), threshold=Decimal(threshold),
                          message=f"{client} {signal} {severity}")


def client(cid: str, verdict: str = "ok", *found: FindingSummary,
           late_share: str | None = None, overdue: str = "0",
           revenue_share: str | None = None, weighted: str | None = None,
           overdue_invoices: tuple[str, ...] = ()) -> ClientSummary:
    return ClientSummary(
        client_id=cid, name=cid.title(), verdict=verdict,
        severity=max((f.severity for f in found), default=None),
        late_share=Decimal(late_share) if late_share is not None else None,
        weighted_days_late=Decimal(weighted) if weighted is not None else None,
        overdue=Decimal(overdue),
        revenue_share=Decimal(revenue_share) if revenue_share is not None else None,
        findings=found, overdue_invoices=overdue_invoices,
    )


THRESHOLDS = {"chronic_late_share": Decimal("0.5"), "late_share_high": Decimal("0.75"),
              "late_days_warning": Decimal(15), "late_days_critical": Decimal(45),
              "material_overdue": Decimal(1000), "revenue_share_watch": Decimal("0.10"),
              "revenue_share_warning": Decimal("0.20"),
              "revenue_share_critical": Decimal("0.35")}


def summary(day: str, *clients: ClientSummary,
            book: tuple[FindingSummary, ...] = ()) -> ReviewSummary:
    return ReviewSummary(as_of=date.fromisoformat(day), base_currency="EUR",
                         clients={c.client_id: c for c in clients}, book=book,
                         thresholds=THRESHOLDS)


# ----------------------------------------------------------------------------- compare


CHRONIC_W = finding("acme", "chronic_late", "warning", "late_share")
CHRONIC_C = finding("acme", "chronic_late", "critical", "late_share")
RUSH_W = finding("acme", "rush", "watch", "rush_share")


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        # A finding that appears is new; one that goes is cleared.
        (client("acme", "monitor", RUSH_W), client("acme", "monitor", RUSH_W, CHRONIC_W),
         [(ChangeKind.NEW_FINDING, "chronic_late/late_share", None, "warning")]),
        (client("acme", "monitor", RUSH_W, CHRONIC_W), client("acme", "monitor", RUSH_W),
         [(ChangeKind.CLEARED_FINDING, "chronic_late/late_share", "warning", None)]),
        # The same finding at another severity is a severity change, not a new finding.
        (client("acme", "revise_terms", CHRONIC_W), client("acme", "revise_terms", CHRONIC_C),
         [(ChangeKind.SEVERITY, "chronic_late/late_share", "warning", "critical")]),
        # Unchanged: nothing.
        (client("acme", "monitor", RUSH_W), client("acme", "monitor", RUSH_W), []),
        # An invoice past due now that was not before; one still overdue is not news.
        (client("acme", overdue_invoices=("A-1",)),
         client("acme", overdue_invoices=("A-1", "A-2")),
         [(ChangeKind.NEWLY_OVERDUE, "A-2", None, "A-2")]),
        # Overdue 900 -> 1,200 crosses material_overdue (1,000) upward.
        (client("acme", overdue="900"), client("acme", overdue="1200"),
         [(ChangeKind.THRESHOLD, "overdue>=material_overdue", Decimal(900), Decimal(1200))]),
        # Revenue share 25% -> 8% falls below watch (10%) and warning (20%).
        (client("acme", revenue_share="0.25"), client("acme", revenue_share="0.08"),
         [(ChangeKind.THRESHOLD, "revenue_share>=revenue_share_warning", Decimal("0.25"),
           Decimal("0.08")),
          (ChangeKind.THRESHOLD, "revenue_share>=revenue_share_watch", Decimal("0.25"),
           Decimal("0.08"))]),
        # Late share from none (no invoice due) to 50%: reaches chronic_late_share exactly.
        (client("acme"), client("acme", late_share="0.5"),
         [(ChangeKind.THRESHOLD, "late_share>=chronic_late_share", None, Decimal("0.5"))]),
    ],
)
def test_compare_names_each_change_with_before_and_after(
    before: ClientSummary, after: ClientSummary,
    expected: list[tuple[ChangeKind, str, object, object]],
) -> None:
    found = compare(summary("2026-05-31", before), summary("2026-06-30", after))
    assert [(c.kind, c.subject, c.before, c.after) for c in found.changes] == expected
    assert (found.before, found.after) == (date(2026, 5, 31), date(2026, 6, 30))


def test_a_verdict_change_carries_the_key_numbers_before_and_after() -> None:
    before = client("acme", "monitor", late_share="0.4", weighted="10", overdue="500",
                    revenue_share="0.3")
    after = client("acme", "revise_terms", CHRONIC_W, late_share="0.6", weighted="20",
                   overdue="500", revenue_share="0.3")
    changes = compare(summary("2026-05-31", before), summary("2026-06-30", after)).changes
    (verdict,) = [c for c in changes if c.kind is ChangeKind.VERDICT]
    assert (verdict.before, verdict.after) == ("monitor", "revise_terms")
    assert verdict.numbers == {
        "late_share": (Decimal("0.4"), Decimal("0.6")),
        "weighted_days_late": (Decimal(10), Decimal(20)),
        "overdue": (Decimal(500), Decimal(500)),
        "revenue_share": (Decimal("0.3"), Decimal("0.3")),
    }
    assert "monitor -> revise terms" in verdict.message
    assert "late share 40% -> 60%, average lateness 10 days -> 20 days" in verdict.message
    # 0.4 -> 0.6 crosses chronic_late_share (0.5); 10 -> 20 days crosses late_days_warning.
    assert {c.subject for c in changes if c.kind is ChangeKind.THRESHOLD} == {
        "late_share>=chronic_late_share", "weighted_days_late>=late_days_warning"}


def test_a_client_new_in_the_later_review_brings_its_findings_and_overdue_invoices() -> None:
    found = compare(summary("2026-05-31"),
                    summary("2026-06-30", client("birch", "monitor", finding(
                        "birch", "rush", "watch"), overdue_invoices=("B-1",))))
    assert [c.kind for c in found.changes] == [ChangeKind.NEW_FINDING, ChangeKind.NEWLY_OVERDUE]


def test_without_an_earlier_review_every_finding_is_new() -> None:
    book = (finding(None, "book_concentration", "warning", "hhi"),)
    found = compare(None, summary("2026-06-30", client("acme", "monitor", CHRONIC_W), book=book))
    assert found.before is None
    assert [(c.kind, c.client_id) for c in found.changes] == [
        (ChangeKind.NEW_FINDING, None), (ChangeKind.NEW_FINDING, "acme")]


def test_change_keys_differ_for_different_changes_and_repeat_for_the_same() -> None:
    one = compare(summary("2026-05-31", client("acme")),
                  summary("2026-06-30", client("acme", "monitor", CHRONIC_W)))
    again = compare(None, summary("2026-06-30", client("acme", "monitor", CHRONIC_W)))
    later = compare(summary("2026-06-30", client("acme")),
                    summary("2026-07-31", client("acme", "monitor", CHRONIC_W)))
    new_one = [c.key for c in one.changes if c.kind is ChangeKind.NEW_FINDING]
    new_again = [c.key for c in again.changes if c.kind is ChangeKind.NEW_FINDING]
    assert new_one == new_again
    assert set(new_one).isdisjoint(c.key for c in later.changes)


@pytest.mark.parametrize(
    ("before", "after", "at_least", "new"),
    [
        # Absent before: new at its severity and below.
        ((), (CHRONIC_W,), "warning", ["warning"]),
        ((), (CHRONIC_W,), "critical", []),
        # Watch -> warning: new at warning (it reached it now).
        ((finding("acme", "chronic_late", "watch", "late_share"),), (CHRONIC_W,), "warning",
         ["warning"]),
        # Warning -> critical: new at critical, not at warning (it was a warning already).
        ((CHRONIC_W,), (CHRONIC_C,), "warning", []),
        ((CHRONIC_W,), (CHRONIC_C,), "critical", ["critical"]),
        # The same finding again: nothing new.
        ((CHRONIC_W,), (CHRONIC_W,), "watch", []),
    ],
)
def test_new_findings_are_those_that_reach_the_severity_now(
    before: tuple[FindingSummary, ...], after: tuple[FindingSummary, ...], at_least: str,
    new: list[str],
) -> None:
    found = new_findings(summary("2026-05-31", client("acme", "monitor", *before)),
                         summary("2026-06-30", client("acme", "monitor", *after)),
                         Severity(at_least))
    assert [f.severity.value for f in found] == new


# ----------------------------------------------------------------------------- the store


def slipping_client_records() -> list[AnyRecord]:
    """Acme pays on time until spring 2025, then later and later; Birch always on time."""
    records: list[AnyRecord] = [customer("acme", name="Acme"), customer("birch", name="Birch")]
    for month, late in [(1, 0), (2, 0), (3, 0), (4, 20), (5, 40), (6, 60), (7, 80)]:
        issued = date(2025, month, 1)
        due = date(2025, month, 28)
        inv = invoice("acme", issued=issued, due=due, total="1000.00", id=f"A-{month}")
        records += [inv, payment("acme", on=date.fromordinal(due.toordinal() + late),
                                 amount="1000.00", pays=inv, id=f"PA-{month}")]
        inv_b = invoice("birch", issued=issued, due=due, total="500.00", id=f"B-{month}")
        records += [inv_b, payment("birch", on=due, amount="500.00", pays=inv_b,
                                   id=f"PB-{month}")]
    return records


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "clientguard.db")
    yield opened
    opened.close()


def test_a_review_saved_twice_for_one_day_and_policy_is_kept_once(store: Store) -> None:
    book = ledger(*slipping_client_records())
    result = review(book, as_of=date(2025, 9, 30))
    first = history.save_review(store, result)
    again = history.save_review(store, result)
    assert first.id == again.id
    assert len(store.saved_reviews()) == 1
    assert sorted(c["client_id"] for c in store.review_clients(first.id)) == ["acme", "birch"]
    # Another policy is another review of the same day.
    stricter = review(book, as_of=date(2025, 9, 30), policy=Policy(chronic_late_share="0.2"))
    other = history.save_review(store, stricter)
    assert other.id != first.id
    assert other.policy_digest != first.policy_digest
    assert len(store.saved_reviews()) == 2
    # The report kept is the review's JSON report.
    report = json.loads(store.review_report(first.id))
    assert report["as_of"] == "2025-09-30"


def test_the_saved_summary_reads_back_as_summarize_made_it(store: Store) -> None:
    result = review(ledger(*slipping_client_records()), as_of=date(2025, 9, 30))
    saved = history.save_review(store, result)
    assert history.saved_summary(store, saved) == summarize(result)
    acme = summarize(result).clients["acme"]
    # Hand-computed: due in the window, A-1..A-7; late A-4..A-7: 4 of 7.
    assert acme.late_share == Decimal(4) / Decimal(7)
    # Weighted days late over equal amounts: A-7 (due 2025-07-28, paid 80 days later) is still
    # open on 2025-09-30, 64 days late then: (20 + 40 + 60 + 64) / 7.
    assert acme.weighted_days_late == Decimal(184) / Decimal(7)
    assert acme.overdue_invoices == ("A-7",)
    assert acme.overdue == Decimal("1000.00")
    # Revenue: 7,000 of 10,500.
    assert acme.revenue_share == Decimal(7000) / Decimal(10500)


@pytest.mark.parametrize(("made_in", "saved_in"), [("pl", "en"), ("en", "pl")])
def test_a_review_is_saved_with_the_language_it_was_written_in_not_the_callers(
    store: Store, made_in: str, saved_in: str
) -> None:
    # A script reviews in one language (review(lang=...)) and saves it where another is
    # active: what is kept says the language of the review's own sentences, which changes and
    # notify use to re-word a saved finding for a reader of another language.
    result = review(ledger(*slipping_client_records()), as_of=date(2025, 9, 30), lang=made_in)
    with using(saved_in):
        saved = history.save_review(store, result)
    assert history.saved_summary(store, saved).lang == made_in
    assert json.loads(store.review_report(saved.id))["lang"] == made_in
    # The kept messages are the review's own, word for word.
    acme = history.saved_summary(store, saved).clients["acme"]
    assert [f.message for f in acme.findings] == [
        f.message for f in result.clients["acme"].findings]


@pytest.mark.parametrize(
    ("since", "until", "ends"),
    [
        ("2025-01-01", "2025-03-31", ["2025-01-31", "2025-02-28", "2025-03-31"]),
        ("2025-01-31", "2025-03-30", ["2025-01-31", "2025-02-28"]),
        ("2024-12-15", "2025-01-31", ["2024-12-31", "2025-01-31"]),
        ("2024-02-01", "2024-02-29", ["2024-02-29"]),
        ("2025-01-01", "2025-01-30", []),
    ],
)
def test_month_ends(since: str, until: str, ends: list[str]) -> None:
    assert history.month_ends(date.fromisoformat(since), date.fromisoformat(until)) == [
        date.fromisoformat(e) for e in ends]


def test_backfill_saves_month_end_reviews_that_see_only_what_had_happened(
    tmp_path: Path,
) -> None:
    records = slipping_client_records()
    # What happened after 2025-05-31 (a later invoice, and payments made after it) must not
    # change the reviews up to then.
    cut = date(2025, 5, 31)
    before_cut = [r for r in records
                  if getattr(r, "issue_date", getattr(r, "date", date.min)) <= cut]
    with Store.open(tmp_path / "all.db") as full, Store.open(tmp_path / "cut.db") as partial:
        saved = history.backfill(full, ledger(*records), since=date(2025, 1, 1),
                                 until=date(2025, 9, 30))
        assert [s.as_of for s in saved] == history.month_ends(date(2025, 1, 1),
                                                              date(2025, 9, 30))
        trimmed = history.backfill(partial, ledger(*before_cut), since=date(2025, 1, 1),
                                   until=cut)
        for mine, theirs in zip(saved, trimmed, strict=False):
            assert history.saved_summary(full, mine) == history.saved_summary(partial, theirs)
        # Acme's slip shows in its history: watched only for its revenue share (two clients)
        # while it paid on time, then revised, then up for ending as it paid later and later.
        verdicts = [r.verdict for r in history.client_history(full, "acme")]
        assert verdicts[0] == "monitor"
        assert verdicts[-1] == "consider_ending"
        assert [r.verdict for r in history.client_history(full, "birch")][-1] == "monitor"


def test_history_of_an_unknown_client_says_so(store: Store) -> None:
    history.save_review(store, review(ledger(*slipping_client_records()),
                                      as_of=date(2025, 9, 30)))
    with pytest.raises(Exception, match="no saved review has a client 'cedar'"):
        history.client_history(store, "cedar")


@pytest.mark.parametrize(
    ("given", "client"),
    [
        ("acme", "acme"),  # its id
        ("Acme", "acme"),  # its name, as the history table shows it and claim takes it
        ("  aCME ", "acme"),  # case and spaces ignored, as claim ignores them
        ("Birch", "birch"),
    ],
)
def test_history_takes_a_client_by_its_name_as_claim_does(
    store: Store, given: str, client: str
) -> None:
    history.save_review(store, review(ledger(*slipping_client_records()),
                                      as_of=date(2025, 9, 30)))
    rows = history.client_history(store, given)
    assert [(r.client_id, r.as_of) for r in rows] == [(client, date(2025, 9, 30))]


@pytest.mark.parametrize(
    ("lang", "given", "says"),
    [
        # Until 2026-12-07: "no saved review has a client 'Acme': clientguard history lists
        # the clients' ids", in English only, while the table shows names, not ids.
        ("en", "Acne", "no saved review has a client 'Acne'; did you mean 'Acme'? (give its "
                       "name or its id: clientguard history --format csv lists each client's "
                       "id beside its name)"),
        ("pl", "Acne", "żaden zapisany przegląd nie ma klienta 'Acne'; czy chodziło o 'Acme'? "
                       "(podaj jego nazwę lub identyfikator: clientguard history --format csv "
                       "wypisuje identyfikator każdego klienta obok nazwy)"),
        # Two clients of one name: their ids, to give one.
        ("en", "Birch", "'Birch' names 2 clients of the saved reviews (birch, birch-2): give "
                        "the id"),
        ("pl", "Birch", "'Birch' wskazuje 2 klientów zapisanych przeglądów (birch, birch-2): "
                        "podaj identyfikator"),
    ],
)
def test_history_of_a_client_it_cannot_tell_says_where_the_ids_are_in_the_readers_language(
    store: Store, lang: str, given: str, says: str
) -> None:
    records = [*slipping_client_records(), customer("birch-2", name="Birch"),
               invoice("birch-2", issued="2025-09-01", total="10.00", id="C-1")]
    history.save_review(store, review(ledger(*records), as_of=date(2025, 9, 30)))
    with using(lang), pytest.raises(ClientguardError) as caught:
        history.client_history(store, given)
    assert str(caught.value) == says


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "no month ends between 2025-06-15 and 2025-06-20: give an earlier --since"),
        ("pl", "między 2025-06-15 a 2025-06-20 nie kończy się żaden miesiąc: podaj wcześniejszą "
               "datę --since"),
    ],
)
def test_a_backfill_without_a_month_end_says_so_in_the_readers_language(
    store: Store, lang: str, says: str
) -> None:
    with using(lang), pytest.raises(ClientguardError) as caught:
        history.backfill(store, ledger(*slipping_client_records()), since=date(2025, 6, 15),
                         until=date(2025, 6, 20))
    assert str(caught.value) == says


def test_reviews_to_compare_picks_the_newest_and_the_one_asked_for(store: Store) -> None:
    history.backfill(store, ledger(*slipping_client_records()), since=date(2025, 1, 1),
                     until=date(2025, 4, 30))
    before, after = history.reviews_to_compare(store)
    assert (before and before.as_of, after.as_of) == (date(2025, 3, 31), date(2025, 4, 30))
    before, _ = history.reviews_to_compare(store, date(2025, 2, 15))
    assert before is not None
    assert before.as_of == date(2025, 1, 31)
    with pytest.raises(Exception, match="no saved review as of 2024-12-31 or before"):
        history.reviews_to_compare(store, date(2024, 12, 31))


STORE_V1 = Path(__file__).parent / "data" / "store_v1.sql"


def test_a_version_1_store_migrates_to_the_schema_that_keeps_reviews(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(STORE_V1.read_text(encoding="utf-8"))
    db.close()
    with Store.open(path) as old:
        assert old.schema_version == SCHEMA_VERSION == 12
        assert old.saved_reviews() == []
        saved = history.save_review(old, review(ledger(*slipping_client_records()),
                                                as_of=date(2025, 9, 30)))
        assert [s.id for s in old.saved_reviews()] == [saved.id]


def test_a_store_of_version_3_is_migrated_keeping_its_records(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    with Store.open(path) as store:
        store._db.executescript(
            "DROP TABLE notifications; DROP TABLE review_clients; DROP TABLE reviews; "
            "PRAGMA user_version = 3;")
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 12
        assert store.saved_reviews() == []


def test_a_damaged_summary_row_is_named(store: Store) -> None:
    saved = history.save_review(store, review(ledger(*slipping_client_records()),
                                              as_of=date(2025, 9, 30)))
    store._db.execute("UPDATE review_clients SET summary = 'oops' WHERE client_id = 'acme'")
    with pytest.raises(Exception, match=r"table review_clients, row \(review \d+, client acme\)"):
        store.review_clients(saved.id)


# ----------------------------------------------------------------------------- HTML strip


def test_the_html_report_draws_each_flagged_clients_verdicts_escaped() -> None:
    records = slipping_client_records()
    records[0] = customer("acme", name="<script>alert(1)</script>")
    result = review(ledger(*records), as_of=date(2025, 9, 30))
    assert result.clients["acme"].recommendation.value != "ok"
    lines = {"acme": [(date(2025, 7, 31), "ok"), (date(2025, 8, 31), "monitor"),
                      (date(2025, 9, 30), result.clients["acme"].recommendation.value)]}
    page = render_html(result, history=lines)
    assert page.count('<figure class="strip">') == 1
    assert "<title>2025-08-31: monitor</title>" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: verdicts from 2025-07-31 to 2025-09-30" in page
    # Without history, no strip.
    assert 'class="strip"' not in render_html(result)


# ----------------------------------------------------------------------------- Polish


@pytest.mark.parametrize(
    ("n", "polish"),
    [(1, "1 zmiana"), (2, "2 zmiany"), (5, "5 zmian"), (12, "12 zmian"), (22, "22 zmiany")],
)
def test_the_changes_are_counted_in_polish_plural_forms(n: int, polish: str) -> None:
    with using("pl"):
        title = ngettext("clientguard: {n} change since {before}",
                         "clientguard: {n} changes since {before}", n).format(
            n=n, before="2026-05-31")
    assert title == f"clientguard: {polish} od 2026-05-31"


def test_a_change_reads_in_polish() -> None:
    before = client("acme", "monitor", overdue_invoices=())
    after = client("acme", "revise_terms", overdue_invoices=("A-2",))
    with using("pl"):
        messages = [c.message for c in compare(summary("2026-05-31", before),
                                               summary("2026-06-30", after)).changes]
    assert messages[0].startswith("Acme: ocena do monitoringu -> do renegocjacji warunków (")
    assert messages[1] == "Acme: faktura A-2 jest teraz przeterminowana"


def test_the_backfill_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """A two-month run of ``bench/bench_backfill.py`` (the 36-month run is on demand), so
    that its code never rots; nothing is timed here."""
    import importlib.util
    import sys

    folder = Path(__file__).resolve().parents[1] / "bench"
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location("bench_backfill",
                                                      folder / "bench_backfill.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.run(2, 1)
    finally:
        sys.path.remove(str(folder))
    assert "backfill 2 reviews" in capsys.readouterr().out
