"""notify's flap notices, whatever ``history prune`` removed, a client that left, a new policy.

Two promises of ``docs/history.md`` ("A client that flaps"): **each notice is sent once** on a
channel, and **a ``stopped_flapping`` notice follows every ``flapping`` notice**, so that a
client whose changes are held is always one the channel was told flaps. The flap rule reads
the saved reviews, and prune removes saved reviews: before, a prune in the middle of a flap
made notify find the flap again later (its notice, keyed by the flap's start date, sent a
second time) or not at all (held changes, no ``stopped_flapping``). A client missing from the
newest review was held for ever, and a new policy dropped a flap without a word.

Day sequences as in ``tests/test_notify_flapping.py``: one letter a day per client, ``o`` ok,
``m`` monitor (watch), ``r`` revise terms (warning), ``c`` consider ending (critical), ``-``
not in the review. Each day's review is saved, then notify runs on a local webhook; a prune
may run after a day's notify.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from clientguard import history
from clientguard.changes import ClientSummary, FindingSummary, FlapRule, ReviewSummary
from clientguard.findings import Severity
from clientguard.notify import NotifyResult, WebhookChannel, notify
from clientguard.store import SavedReview, Store

NOW = datetime(2026, 6, 30, 6, 0, tzinfo=UTC)
FIRST = date(2026, 6, 1)
PATH = "/services/T01/B02/flap-prune-hook-1234567890"
POLICY = "0123456789abcdef"
OTHER_POLICY = "fedcba9876543210"

THRESHOLDS = {"chronic_late_share": Decimal("0.5"), "late_share_high": Decimal("0.75"),
              "late_days_warning": Decimal(15), "late_days_critical": Decimal(45),
              "material_overdue": Decimal(1000), "revenue_share_watch": Decimal("0.10"),
              "revenue_share_warning": Decimal("0.20"),
              "revenue_share_critical": Decimal("0.35")}

# Verdict, the severity of the one finding (chronic lateness on the late share), late share:
# the late share crosses the chronic lateness threshold (50%) between m and r.
STANDINGS: dict[str, tuple[str, str | None, str]] = {
    "o": ("ok", None, "0.20"),
    "m": ("monitor", "watch", "0.45"),
    "r": ("revise_terms", "warning", "0.55"),
    "c": ("consider_ending", "critical", "0.80"),
}


def summary_of(cid: str, letter: str) -> ClientSummary:
    verdict, severity, late_share = STANDINGS[letter]
    found = () if severity is None else (FindingSummary(
        client_id=cid, signal="chronic_late", severity=Severity(severity), metric="late_share",
        value=Decimal(late_share), threshold=Decimal("0.5"),
        message=f"late share {late_share}"),)
    return ClientSummary(client_id=cid, name=cid.title(), verdict=verdict,
                         severity=Severity(severity) if severity else None,
                         late_share=Decimal(late_share), findings=found)


def keep(store: Store, day: date, clients: dict[str, str], policy: str = POLICY) -> None:
    """Save the review of ``day`` as ``history.save_review`` saves one (``-``: the client is
    not in it)."""
    summary = ReviewSummary(
        as_of=day, base_currency="EUR", thresholds=THRESHOLDS,
        clients={cid: summary_of(cid, letter) for cid, letter in clients.items()
                 if letter != "-"})
    store.save_review(
        as_of=day, policy_digest=policy, version="test", report="{}",
        summary=summary.model_dump(mode="json", exclude={"clients"}),
        clients=[c.model_dump(mode="json") for c in summary.clients.values()])


def no_sleep(_: float) -> None:
    """Retries wait for nothing in tests."""


def send(store: Store, server: HTTPServer, name: str = "webhook"
         ) -> tuple[list[dict[str, Any]], NotifyResult]:
    """One run of notify on the webhook channel ``name``: the changes it was sent."""
    server.clear_log()
    server.clear()
    server.expect_request(PATH, method="POST").respond_with_data("ok")
    result = notify(store, WebhookChannel(server.url_for(PATH), name=name), now=NOW,
                    sleep=no_sleep)
    if not server.log:
        return [], result
    (request, _response), = server.log
    changes: list[dict[str, Any]] = json.loads(request.data)["changes"]
    return changes, result


def lines(changes: list[dict[str, Any]]) -> list[str]:
    return [f"{c['kind']}:{c['client_id']}" for c in changes]


def prune(store: Store, rules: dict[str, int]) -> None:
    """``clientguard history prune --keep-... --yes`` with ``rules``."""
    history.prune(store, keep_last=rules.get("keep_last", 0),
                  keep_daily=rules.get("keep_daily", 0),
                  keep_weekly=rules.get("keep_weekly", 0),
                  keep_monthly=rules.get("keep_monthly", 0))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "clientguard.db") as opened:
        yield opened


FIRST_DAY = ["new_finding:acme"]
# A move between m and r is three changes: the finding's severity, the verdict, the late
# share crossing the chronic lateness threshold.
MOVE = ["severity:acme", "verdict:acme", "threshold:acme"]
FLAPPING = ["flapping:acme"]
STOPPED = ["stopped_flapping:acme"]

CRON = {"keep_daily": 14, "keep_weekly": 8, "keep_monthly": 24}
"""The weekly prune of docs/history.md's crontab."""


# Expected by hand with the default rule (3 changes over the last 6 reviews, back to a standing
# it had, start a flap; 3 reviews at one standing settle it), as without any prune: day 4 (its
# 3rd change, back to r) starts the flap, every later change is held, and 3 days at m settle it.
@pytest.mark.parametrize(
    ("acme", "prunes", "expected"),
    [
        pytest.param(
            # Before: the prune left days 4-5, day 6 found no flap (held nothing, said nothing):
            # the stop on day 7 was never sent.
            "mrmrmmmm", {5: {"keep_last": 1}},
            [FIRST_DAY, MOVE, MOVE, FLAPPING, [], [], STOPPED, []],
            id="keep-last 1 mid-flap: the stop is still sent"),
        pytest.param(
            # Before: days 6-12 were left, and day 13 found a flap "from 2026-06-09": a
            # second flapping notice for the same flap.
            "mr" * 8, {12: {"keep_daily": 7}},
            [FIRST_DAY, MOVE, MOVE, FLAPPING, *([[]] * 12)],
            id="keep-daily 7 in a long flap: it is said once"),
        pytest.param(
            # The documented weekly cron prune after day 21 (a Sunday): before, days 7-21 were
            # left, and day 22 said the flap again "from 2026-06-10".
            "mr" * 13, {21: CRON},
            [FIRST_DAY, MOVE, MOVE, FLAPPING, *([[]] * 22)],
            id="the documented cron rule in a long flap: it is said once"),
        pytest.param(
            # Pruned the very day the flap is said, and again each day after.
            "mrmrmmmm", {4: {"keep_last": 1}, 5: {"keep_last": 1}, 6: {"keep_last": 1}},
            [FIRST_DAY, MOVE, MOVE, FLAPPING, [], [], STOPPED, []],
            id="keep-last 1 every day of a flap"),
        pytest.param(
            # Once the stop is sent nothing more is kept for it: the next changes go out as
            # any (day 9: m -> r; day 10: back to m, 2 changes since the stop, no flap).
            "mrmrmmmmrm", {7: {"keep_last": 1}},
            [FIRST_DAY, MOVE, MOVE, FLAPPING, [], [], STOPPED, [], MOVE, MOVE],
            id="a prune after the stop"),
        pytest.param(
            # Fewer reviews kept than the rule counts over, before any flap: 3 changes never
            # fit in what is left (the newest 2 or 3 reviews), so none is held; every change
            # goes out, as with --no-flap-detection.
            "mrmrmm", {1: {"keep_last": 1}, 2: {"keep_last": 1}, 3: {"keep_last": 1},
                       4: {"keep_last": 1}, 5: {"keep_last": 1}},
            [FIRST_DAY, MOVE, MOVE, MOVE, MOVE, []],
            id="keep-last 1 every day before a flap: nothing to hold"),
    ],
)
def test_each_flap_notice_is_sent_once_and_every_flap_is_said_to_stop_whatever_was_pruned(
    store: Store, httpserver: HTTPServer, acme: str, prunes: dict[int, dict[str, int]],
    expected: list[list[str]],
) -> None:
    sent = []
    for number, letter in enumerate(acme, 1):
        keep(store, FIRST + timedelta(days=number - 1), {"acme": letter})
        sent.append(lines(send(store, httpserver)[0]))
        if number in prunes:
            prune(store, prunes[number])
    assert sent == expected


def test_a_prune_keeps_the_review_a_stop_was_said_with_while_the_flaps_notice_review_stays(
    store: Store, httpserver: HTTPServer
) -> None:
    # Acme flaps from day 7 (Sunday 7 June: m m m m r m r, its 3rd change in 6 reviews, back
    # to r) and settles on day 9 (r on days 7, 8, 9). On day 30 the documented weekly cron
    # prune keeps day 7 (the newest of its week) and, by its rules, not day 9 (a Tuesday,
    # older than 14 days). notify's records of a review go with it: without day 9, the
    # flapping notice of day 7 would be the channel's last word again, and day 31 would say
    # a second time that the flap stopped. Before, it did ("the saved reviews no longer show
    # it flapping").
    sent = []
    for number, letter in enumerate("mmmmrmr" + "r" * 25, 1):
        keep(store, FIRST + timedelta(days=number - 1), {"acme": letter})
        sent.append(lines(send(store, httpserver)[0]))
        if number == 30:
            planned = history.prune(store, **CRON, dry_run=True)
            stop = history.Keep("flap_stopped", channel="webhook", client="acme")
            assert [d.review.as_of.day for d in planned.decisions
                    if stop in d.kept_because] == [9]
            assert history.keep_reason(stop) == (
                "notify webhook said with it that client acme stopped flapping, and with a "
                "review still kept that it flaps: the stop stays the last word")
            prune(store, CRON)
            assert {7, 9} <= {s.as_of.day for s in store.saved_reviews()}
    assert sent == [FIRST_DAY, [], [], [], MOVE, MOVE, FLAPPING, [], STOPPED, *[[]] * 23]


def test_prune_keeps_a_flaps_reviews_while_a_channel_waits_for_its_stop(
    store: Store, httpserver: HTTPServer
) -> None:
    # Two channels hear of the flap on day 4; on days 5-7 only "chat" runs, and hears it
    # settle on day 7. "mail" has not: the reviews from the flap's start (day 4) and the 5
    # before it (the rule's window; here days 1-3, all there are) stay for it.
    for number, letter in enumerate("mrmrmmm", 1):
        keep(store, FIRST + timedelta(days=number - 1), {"acme": letter})
        send(store, httpserver, "chat")
        if number <= 4:
            send(store, httpserver, "mail")
    planned = history.prune(store, keep_last=1, dry_run=True)
    flapping = {d.review.as_of.day for d in planned.decisions
                if history.Keep("flapping", channel="mail", client="acme") in d.kept_because}
    assert flapping == {1, 2, 3, 4, 5, 6, 7}
    assert not any(k.channel == "chat" and k.rule == "flapping"
                   for d in planned.decisions for k in d.kept_because)
    assert history.keep_reason(history.Keep("flapping", channel="mail", client="acme")) == (
        "notify mail said that client acme flaps and not yet that it stopped: the flap rule "
        "reads it")
    history.prune(store, keep_last=1)
    # "mail" then hears that it settled, once, with the net change since what it last had
    # (day 4, at r; now m: a move).
    changes, _result = send(store, httpserver, "mail")
    assert lines(changes) == [*MOVE, *STOPPED]
    assert changes[-1]["key"] == (
        f"2026-06-07|stopped_flapping|acme|verdict/severity|monitor/watch|policy={POLICY}")
    assert send(store, httpserver, "mail")[0] == []
    # Both told: nothing is kept for the flap any more.
    assert not any(k.rule == "flapping" for k in
                   (k for d in history.prune(store, keep_last=1, dry_run=True).decisions
                    for k in d.kept_because))


def test_flap_reviews_are_the_start_on_and_the_window_before_under_the_newest_policy() -> None:
    saved = [SavedReview(i, FIRST + timedelta(days=i - 1),
                                 OTHER_POLICY if i == 3 else POLICY, "test")
             for i in range(1, 11)]
    # Started on day 8: days 8-10, and the 5 reviews under the newest policy before it
    # (days 2, 4, 5, 6, 7: day 3 is under another policy, day 1 is a 6th).
    assert [s.as_of.day for s in history.flap_reviews(saved, date(2026, 6, 8))] == [
        2, 4, 5, 6, 7, 8, 9, 10]
    # A rule counting over 3 reviews needs 2 before.
    assert [s.as_of.day for s in history.flap_reviews(
        saved, date(2026, 6, 8), FlapRule(changes=2, reviews=3))] == [6, 7, 8, 9, 10]


# ----------------------------------------------------------------------------- a client leaves


def test_a_client_that_leaves_mid_flap_is_said_to_stop_and_its_leaving_is_sent(
    store: Store, httpserver: HTTPServer
) -> None:
    days = []
    for number, (acme, birch) in enumerate(zip("mrmr----", "oooooooo", strict=True), 1):
        keep(store, FIRST + timedelta(days=number - 1), {"acme": acme, "birch": birch})
        changes, result = send(store, httpserver)
        days.append((lines(changes), result.flapping))
    # Day 5, Acme not in the review: without flap detection its finding is cleared that day
    # (tests/test_notify.py); with it, the same, and the flap said on day 4 is said to stop.
    # Before, Acme was held for ever: nothing on day 5, and "flapping: Acme" every day.
    assert days == [(FIRST_DAY, ()), (MOVE, ()), (MOVE, ()), (FLAPPING, ("Acme",)),
                    (["cleared_finding:acme", "stopped_flapping:acme"], ()),
                    ([], ()), ([], ()), ([], ())]


def test_the_notice_of_a_client_that_left_says_so(
    store: Store, httpserver: HTTPServer
) -> None:
    for number, letter in enumerate("mrmr-", 1):
        keep(store, FIRST + timedelta(days=number - 1), {"acme": letter, "birch": "o"})
        changes, _result = send(store, httpserver)
    (stopped,) = [c for c in changes if c["kind"] == "stopped_flapping"]
    assert stopped["message"] == (
        "Acme: no longer flapping between monitor (watch) and revise terms (warning) (from "
        "2026-06-04): not in the review of 2026-06-05; its changes are sent again")
    assert (stopped["before"], stopped["after"]) == ("monitor/watch", None)
    assert stopped["key"] == (
        f"2026-06-05|stopped_flapping|acme|verdict/severity|None|policy={POLICY}")


def test_a_client_back_after_leaving_starts_afresh(store: Store, httpserver: HTTPServer) -> None:
    sent = []
    for number, letter in enumerate("mrmr-mrmr", 1):
        keep(store, FIRST + timedelta(days=number - 1), {"acme": letter, "birch": "o"})
        sent.append(lines(send(store, httpserver)[0]))
    # Back on day 6: its finding is new again (the review before had none of it) and nothing
    # of before it left counts: day 7 and 8 are its 1st and 2nd changes, sent; day 9, back to
    # r, is its 3rd in 4 reviews: a new flap, with a notice of its own date.
    assert sent == [FIRST_DAY, MOVE, MOVE, FLAPPING,
                    ["cleared_finding:acme", "stopped_flapping:acme"],
                    ["new_finding:acme"], MOVE, MOVE, FLAPPING]


# ----------------------------------------------------------------------------- a new policy


def test_a_new_policy_mid_flap_says_the_flap_stopped_and_why(
    store: Store, httpserver: HTTPServer
) -> None:
    days = []
    for number, letter in enumerate("mrmrmmmmr", 1):
        keep(store, FIRST + timedelta(days=number - 1), {"acme": letter},
             policy=POLICY if number <= 5 else OTHER_POLICY)
        changes, result = send(store, httpserver)
        days.append((changes, result.flapping))
    # Days 6 and 7 under the edited policy could be trials (the flap's policy is among the
    # last 3 reviews): the flap goes on, held. Day 8 is the 3rd review in a row under another
    # policy (the settle count): the flap's policy is no longer in use and the flap is said
    # to stop; its changes are sent again (day 9's move). Before this rule was added, the
    # first review under the edited policy (day 6) ended it, and so did any trial review.
    assert [(lines(c), held) for c, held in days] == [
        (FIRST_DAY, ()), (MOVE, ()), (MOVE, ()), (FLAPPING, ("Acme",)), ([], ("Acme",)),
        ([], ("Acme",)), ([], ("Acme",)), (STOPPED, ()), (MOVE, ())]
    (stopped,) = days[7][0]
    assert stopped["message"] == (
        "Acme: no longer held as flapping (from 2026-06-04): the reviews since 2026-06-06 are "
        "under another policy, and flapping is counted under one policy; now monitor "
        "(watch); its changes are sent again")
    assert (stopped["before"], stopped["after"]) == ("revise_terms/warning", "monitor/watch")
    # The stop of the flap of the policy it was counted under (no longer in use): its key
    # names that policy, not the newest review's.
    assert stopped["key"] == (
        f"2026-06-08|stopped_flapping|acme|verdict/severity|monitor/watch|policy={POLICY}")


def test_a_stop_is_said_in_polish(store: Store, httpserver: HTTPServer) -> None:
    from clientguard.i18n import using

    # Days 5-7 under another policy, at r as on day 4: nothing changed but the policy, and
    # on day 7 (the 3rd review under it) the flap's policy is no longer in use.
    for number, letter in enumerate("mrmrrrr", 1):
        keep(store, FIRST + timedelta(days=number - 1), {"acme": letter},
             policy=POLICY if number <= 4 else OTHER_POLICY)
        with using("pl"):
            changes, _result = send(store, httpserver)
    (stopped,) = changes
    assert stopped["message"] == (
        "Acme: stan klienta, który wahał się od 4 czerwca 2026, nie jest już traktowany jako "
        "wahający się: przeglądy od 5 czerwca 2026 mają inną politykę, a wahania liczy się w "
        "ramach jednej polityki; teraz do renegocjacji warunków (poziom: ostrzeżenie); "
        "zmiany tego klienta są znów wysyłane")


# ----------------------------------------------------------------------------- invariants

PRUNES = st.sampled_from([None, None, None, {"keep_last": 1}, {"keep_daily": 3},
                          {"keep_weekly": 1}, CRON])  # a prune after the day's notify
Day = tuple[str, str, dict[str, int] | None]


def alternating(pairs: list[tuple[str, str, dict[str, int] | None]]) -> list[Day]:
    """Two policies on alternate days (a user flipping between two configurations), Acme at
    its own standings under each: each policy's reviews may flap by themselves."""
    return [day for in_use, other, rules in pairs
            for day in ((in_use, POLICY, None), (other, OTHER_POLICY, rules))]


DAYS = st.one_of(
    st.lists(
        st.tuples(
            st.sampled_from("omrc-"),  # Acme's standing, or not in the review
            st.sampled_from([POLICY] * 5 + [OTHER_POLICY]),  # now and then another policy
            PRUNES,
        ),
        min_size=1, max_size=25,
    ),
    st.lists(st.tuples(st.sampled_from("omrc-"), st.sampled_from("omrc-"), PRUNES),
             min_size=1, max_size=12).map(alternating),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=DAYS)
# Acme flaps under the policy in use from day 7 and settles on day 13; under the other policy
# it flaps from day 12, told on day 14 (a notice dated by the start, the 12th, delivered
# after the other flap's stop of the 13th). Before, the stop of the 13th was taken for the
# notice in force: day 15 released Acme with no stop ever sent.
@example(days=alternating([(p, q, None) for p, q in zip("mrmrmmmmmmmm", "mmmrmrrrrrrr",
                                                         strict=True)]))
def test_whatever_is_pruned_each_notice_is_sent_once_and_held_means_told(
    httpserver: HTTPServer, days: list[Day]
) -> None:
    with tempfile.TemporaryDirectory() as folder, \
            Store.open(Path(folder) / "clientguard.db") as store:
        keys: list[str] = []
        kinds: list[str] = []
        # Then 4 days at m under the newest policy: any flap settles (or leaves) by then.
        settle = [("m", days[-1][1], None)] * 4
        for number, (letter, policy, rules) in enumerate([*days, *settle]):
            keep(store, FIRST + timedelta(days=number), {"acme": letter, "birch": "o"},
                 policy=policy)
            changes, result = send(store, httpserver)
            keys += [c["key"] for c in changes]
            kinds += [c["kind"] for c in changes if "flapping" in c["kind"]]
            # Held only while the channel was last told that Acme flaps.
            told = kinds[-1] == "flapping" if kinds else False
            assert ("Acme" in result.flapping) == told
            if rules:
                prune(store, rules)
        # Each notice (each change) once; flapping and stopped_flapping alternate, from a
        # flapping one; and the flap is said to stop by the end.
        assert len(keys) == len(set(keys))
        assert kinds == ["flapping", "stopped_flapping"] * (len(kinds) // 2)


@settings(max_examples=300, deadline=None)
@given(letters=st.text(alphabet="omrc-", min_size=1, max_size=30))
def test_no_flap_spans_a_review_the_client_is_missing_from(letters: str) -> None:
    from clientguard.changes import Standing, flaps

    dates = [FIRST + timedelta(days=i) for i in range(len(letters))]
    standings = []
    for day, letter in zip(dates, letters, strict=True):
        if letter != "-":
            verdict, severity, _share = STANDINGS[letter]
            standings.append(Standing(as_of=day, verdict=verdict,
                                      severity=Severity(severity) if severity else None))
    missing = [day for day, letter in zip(dates, letters, strict=True) if letter == "-"]
    for flap in flaps("acme", "Acme", standings, FlapRule(), reviews=dates):
        # Each starts where the client is, and ends at the first review it is missing from
        # after its start at the latest; one still running has the client in the last review.
        gone = [day for day in missing if day > flap.started]
        assert flap.started not in missing
        if flap.running:
            assert not gone
        elif flap.left is not None:
            assert flap.left == gone[0]
            assert flap.stopped is None
        else:
            assert flap.stopped is not None
            assert not gone or flap.stopped.as_of < gone[0]
        # Its counted changes are among the reviews since the last the client was missing
        # from: a change across a gap never counts.
        earlier_gaps = [day for day in missing if day < flap.started]
        if earlier_gaps:
            assert min(flap.changed_on) > earlier_gaps[-1]


# ----------------------------------------------------------------------------- a trial policy

# A review under another policy in the middle of a flap (a what-if saved to history, a policy
# being tried), then back to the policy in use. Birch is at ok under the policy in use and at
# revise terms under the trial one, so that the trial's own changes show it is reported as any
# review: o -> r is its new finding, its verdict and the late share crossing 50% (the trial's
# policy has no run of its own on the channel: it is compared with the last one delivered).
# Back under the policy in use, compared with that policy's own last run, Birch has not
# changed: nothing of it is sent. Before 7 December 2026 each run compared with the run before
# whatever its policy, and r -> o, the same three back, went out too.
BIRCH_UP = ["new_finding:birch", "verdict:birch", "threshold:birch"]
BIRCH_DOWN = ["cleared_finding:birch", "verdict:birch", "threshold:birch"]
ACME: tuple[str, ...] = ("Acme",)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        pytest.param(
            # Day 6 under the trial policy, days 7-8 back under the policy in use. The flap
            # (from day 4) is counted over the policy's reviews 1-5, 7, 8: at m on days 5, 7
            # and 8, 3 reviews, it settles on day 8. Acme's move to r under the trial (day 6)
            # and back (day 7) is held, as every change of a client said to flap.
            [(1, POLICY, "m", "o"), (2, POLICY, "r", "o"), (3, POLICY, "m", "o"),
             (4, POLICY, "r", "o"), (5, POLICY, "m", "o"), (6, OTHER_POLICY, "r", "r"),
             (7, POLICY, "m", "o"), (8, POLICY, "m", "o")],
            [(FIRST_DAY, ()), (MOVE, ()), (MOVE, ()), (FLAPPING, ACME), ([], ACME),
             (BIRCH_UP, ACME), ([], ACME), (STOPPED, ())],
            id="a trial the next day"),
        pytest.param(
            # The trial saved on day 5 after that day's review (same date, saved later: the
            # newest); then days 6-7 under the policy in use: at m on days 5, 6, 7, settled.
            [(1, POLICY, "m", "o"), (2, POLICY, "r", "o"), (3, POLICY, "m", "o"),
             (4, POLICY, "r", "o"), (5, POLICY, "m", "o"), (5, OTHER_POLICY, "r", "r"),
             (6, POLICY, "m", "o"), (7, POLICY, "m", "o")],
            [(FIRST_DAY, ()), (MOVE, ()), (MOVE, ()), (FLAPPING, ACME), ([], ACME),
             (BIRCH_UP, ACME), ([], ACME), (STOPPED, ())],
            id="a trial saved the same day"),
        pytest.param(
            # Two trials in a row (two configurations tried on days 6 and 7): the policy in use
            # was used by one of the last 3 reviews on both, so the flap goes on; days 8-9 at
            # m with day 5 settle it on day 9.
            [(1, POLICY, "m", "o"), (2, POLICY, "r", "o"), (3, POLICY, "m", "o"),
             (4, POLICY, "r", "o"), (5, POLICY, "m", "o"), (6, OTHER_POLICY, "r", "r"),
             (7, "00000000aaaaaaaa", "r", "r"), (8, POLICY, "m", "o"),
             (9, POLICY, "m", "o")],
            [(FIRST_DAY, ()), (MOVE, ()), (MOVE, ()), (FLAPPING, ACME), ([], ACME),
             (BIRCH_UP, ACME), ([], ACME), ([], ACME), (STOPPED, ())],
            id="two trials in a row"),
    ],
)
def test_a_trial_policy_neither_ends_nor_starts_the_flap_of_the_policy_in_use(
    store: Store, httpserver: HTTPServer, steps: list[tuple[int, str, str, str]],
    expected: list[tuple[list[str], tuple[str, ...]]],
) -> None:
    days = []
    for day, policy, acme, birch in steps:
        keep(store, FIRST + timedelta(days=day - 1), {"acme": acme, "birch": birch},
             policy=policy)
        changes, result = send(store, httpserver)
        days.append((lines(changes), result.flapping))
    # Before: the trial's review said the flap stopped ("under another policy") and sent
    # Acme's held changes; back under the policy in use they were sent every day, and the
    # settling was never said.
    assert days == expected
    (stopped,) = [c for c in changes if c["kind"] == "stopped_flapping"]
    # The flap's own settling, counted over the reviews of the policy in use only: at m since
    # day 5, after the changes of days 2, 3, 4 (counted at the start) and 5.
    assert stopped["message"] == (
        "Acme: settled at monitor (watch), unchanged since 2026-06-05, after flapping between "
        "monitor (watch) and revise terms (warning) from 2026-06-04 (4 changes; monitor "
        "(watch) before); its changes are sent again")


def test_two_policies_alternating_each_day_make_no_client_flap(
    store: Store, httpserver: HTTPServer
) -> None:
    # A user flipping between two configurations: the policy in use on odd days, another on
    # even days. Birch is ok under one and revise terms under the other: what the other
    # policy says differently is sent once (day 2, its first run, against the last run
    # delivered), then each run compares with its own policy's last run, and Birch never
    # changes under either: no flap, nothing more. Acme flaps under the policy in use (its
    # days 1, 3, 5, 7: m r m r, 3 changes, back to r: from day 7) and is m under the other
    # throughout; at m on days 9, 11, 13 it settles.
    acme_in_use = iter("mrmrmmm")
    days = []
    for number in range(1, 14):
        in_use = number % 2 == 1
        keep(store, FIRST + timedelta(days=number - 1),
             {"acme": next(acme_in_use) if in_use else "m", "birch": "o" if in_use else "r"},
             policy=POLICY if in_use else OTHER_POLICY)
        changes, result = send(store, httpserver)
        days.append((lines(changes), result.flapping))
    # Day by day, each against its policy's last run: Acme m -> r on day 3 and r -> m on
    # day 5 are sent (2 changes, no flap yet); day 7 starts its flap; its move back to m on
    # day 9 is held (and the other policy's reviews, trials while it runs, say nothing of
    # it); day 13 settles it. Before 7 December 2026 each run compared with the day before,
    # the other policy's: Birch went up and down every day from day 2 (12 times), and Acme's m under
    # the other policy came back on day 4 as a move r -> m.
    assert days == [
        (FIRST_DAY, ()), (BIRCH_UP, ()), (MOVE, ()), ([], ()), (MOVE, ()), ([], ()),
        (FLAPPING, ACME), ([], ACME), ([], ACME), ([], ACME), ([], ACME), ([], ACME),
        (STOPPED, ())]
    assert not any("flapping:birch" in line for sent, _held in days for line in sent)


def test_two_policies_alternating_each_flapping_in_turn_say_each_flap_start_and_stop(
    store: Store, httpserver: HTTPServer
) -> None:
    # The policy in use on odd days, another on even days, Acme flapping under each in turn.
    # Under the policy in use (days 1, 3, ... 23): m r m r m m m ..., its 3rd change back to r
    # on day 7 starts a flap, at m on days 9, 11, 13 it settles on day 13. Under the other
    # (days 2, 4, ... 24): m m m r m r r r ..., changes on days 8, 10, 12 (back to r) start
    # a flap on day 12, at r on days 12, 14, 16 it settles on day 16. Each review under one
    # policy is a trial for the other's flap while it runs (Acme held, nothing said of it).
    in_use, other = iter("mrmrmmmmmmmm"), iter("mmmrmrrrrrrr")
    days = []
    for number in range(1, 25):
        odd = number % 2 == 1
        keep(store, FIRST + timedelta(days=number - 1),
             {"acme": next(in_use) if odd else next(other), "birch": "o"},
             policy=POLICY if odd else OTHER_POLICY)
        changes, result = send(store, httpserver)
        days.append((lines(changes), result.flapping, [c["key"] for c in changes
                                                       if "flapping" in c["kind"]]))
        if number == 14:
            # Told on day 14 that Acme flaps under the other policy from day 12: prune keeps
            # that flap's reviews (day 12 on, and the 5 under its policy before: 2 to 10).
            planned = history.prune(store, keep_last=1, dry_run=True)
            assert {d.review.as_of.day for d in planned.decisions
                    if history.Keep("flapping", channel="webhook", client="acme")
                    in d.kept_because} == {2, 4, 6, 8, 10, 12, 13, 14}
    # Each run against its policy's last run: days 3 and 5, Acme's 1st and 2nd change under
    # the policy in use (m -> r -> m), sent; under the other nothing changes before day 8.
    # Day 13 settles the first flap, compared from day 11 (m to m: no move), as day 16 the
    # other from day 14 (r to r). From day 17 Acme is m under one policy and r under the
    # other, and neither changes: nothing is sent. Before 7 December 2026 each run compared
    # with the day before, the other policy's: a move on day 4 and every day from day 17
    # (8 moves no review of either policy had). Before that, the other policy's flap, told
    # on day 14 with the date of its start (the 12th), was taken for older than the stop of
    # the 13th: Acme was released on day 15 and no stop was ever sent.
    flap_held: list[tuple[str, ...]] = [ACME] * 6
    assert [(sent, held) for sent, held, _keys in days] == [
        (FIRST_DAY, ()), ([], ()), (MOVE, ()), ([], ()), (MOVE, ()), ([], ()),
        *zip([FLAPPING, [], [], [], [], []], flap_held, strict=True),
        (STOPPED, ()), (FLAPPING, ACME), ([], ACME), (STOPPED, ()), *[([], ())] * 8]
    # Each notice's key names the policy its flap was counted under.
    assert [key for _sent, _held, keys in days for key in keys] == [
        f"2026-06-07|flapping|acme|verdict/severity|revise_terms/warning|policy={POLICY}",
        f"2026-06-13|stopped_flapping|acme|verdict/severity|monitor/watch|policy={POLICY}",
        f"2026-06-12|flapping|acme|verdict/severity|revise_terms/warning"
        f"|policy={OTHER_POLICY}",
        f"2026-06-16|stopped_flapping|acme|verdict/severity|revise_terms/warning"
        f"|policy={OTHER_POLICY}"]


@pytest.mark.parametrize(
    ("steps", "expected", "key"),
    [
        pytest.param(
            # Acme at m on days 5 and 6 under the policy in use; on day 7 its review (m, the
            # 3rd: settled) is saved, then a trial of the same date (Acme at r), and notify
            # runs once, after both; day 8 back under the policy in use. As if the trial had
            # not been saved, the flap settled on day 7, and nothing of Acme's changed
            # since day 6 (m), which the channel had last under that policy: the trial's r
            # was held, never sent. Before, day 7's settling was taken for before the trial
            # (of the same date): the stop said "the saved reviews no longer show it
            # flapping", and a move r -> m went out from the trial's standing. Birch's r
            # under the trial is sent with the trial; back under the policy in use, against
            # its own last run (day 6), Birch has not changed (before 7 December 2026 its
            # move back went out with the stop).
            [(1, POLICY, "m", "o", True), (2, POLICY, "r", "o", True),
             (3, POLICY, "m", "o", True), (4, POLICY, "r", "o", True),
             (5, POLICY, "m", "o", True), (6, POLICY, "m", "o", True),
             (7, POLICY, "m", "o", False), (7, OTHER_POLICY, "r", "r", True),
             (8, POLICY, "m", "o", True), (9, POLICY, "m", "o", True)],
            [(FIRST_DAY, ()), (MOVE, ()), (MOVE, ()), (FLAPPING, ACME), ([], ACME),
             ([], ACME), (BIRCH_UP, ACME), (STOPPED, ()), ([], ())],
            f"2026-06-07|stopped_flapping|acme|verdict/severity|monitor/watch|policy={POLICY}",
            id="a trial saved the day it settles, notify run once after both"),
        pytest.param(
            # The trial on day 7, and Acme settles at the first review back (m on days 5, 6,
            # 8). Before, the trial's r (held) came back as a move r -> m with the stop.
            [(1, POLICY, "m", "o", True), (2, POLICY, "r", "o", True),
             (3, POLICY, "m", "o", True), (4, POLICY, "r", "o", True),
             (5, POLICY, "m", "o", True), (6, POLICY, "m", "o", True),
             (7, OTHER_POLICY, "r", "r", True), (8, POLICY, "m", "o", True)],
            [(FIRST_DAY, ()), (MOVE, ()), (MOVE, ()), (FLAPPING, ACME), ([], ACME),
             ([], ACME), (BIRCH_UP, ACME), (STOPPED, ())],
            f"2026-06-08|stopped_flapping|acme|verdict/severity|monitor/watch|policy={POLICY}",
            id="it settles at the first review after a trial"),
    ],
)
def test_a_flap_that_settles_across_a_trial_is_said_to_settle_with_no_move_from_the_trial(
    store: Store, httpserver: HTTPServer, steps: list[tuple[int, str, str, str, bool]],
    expected: list[tuple[list[str], tuple[str, ...]]], key: str,
) -> None:
    days = []
    for day, policy, acme, birch, run in steps:
        keep(store, FIRST + timedelta(days=day - 1), {"acme": acme, "birch": birch},
             policy=policy)
        if run:
            changes, result = send(store, httpserver)
            days.append((lines(changes), result.flapping))
            stops = [c for c in changes if c["kind"] == "stopped_flapping"]
            if stops:
                (stopped,) = stops
    assert days == expected
    # Settled at m since day 5, after the changes of days 2, 3, 4 (counted at the start)
    # and 5, as without the trial (docs/history.md's day table).
    assert stopped["key"] == key
    assert stopped["message"] == (
        "Acme: settled at monitor (watch), unchanged since 2026-06-05, after flapping between "
        "monitor (watch) and revise terms (warning) from 2026-06-04 (4 changes; monitor "
        "(watch) before); its changes are sent again")


@pytest.mark.parametrize("notified", [True, False],
                         ids=["notify ran on the trial", "notify did not run on the trial"])
def test_a_prune_while_a_trial_is_the_newest_review_keeps_what_the_flap_was_counted_over(
    store: Store, httpserver: HTTPServer, notified: bool
) -> None:
    # Acme flaps from day 4 under the policy in use; day 6 is a trial, the newest review when
    # ``history prune --keep-last 1`` runs (after notify ran on it, or before: a trial saved
    # in the evening, the weekly prune at night). The flap's changes (days 2-4) were counted
    # over its policy's reviews from day 1: they are kept, so that back under that policy the
    # flap is found as it was and settles on day 8 (at m on days 5, 7, 8). Before, prune kept
    # the 5 reviews before the start under the trial's policy (none): days 1-3 went, day 7 no
    # longer showed a flap, and it was said to stop ("the saved reviews no longer show it
    # flapping") with its changes sent again.
    sent = []
    for number, (letter, policy) in enumerate(
            zip("mrmrmrmm", [POLICY] * 5 + [OTHER_POLICY] + [POLICY] * 2, strict=True), 1):
        keep(store, FIRST + timedelta(days=number - 1), {"acme": letter}, policy=policy)
        if number != 6 or notified:
            changes, result = send(store, httpserver)
            sent.append((lines(changes), result.flapping))
        if number == 6:
            planned = history.prune(store, keep_last=1, dry_run=True)
            kept = {d.review.as_of.day for d in planned.decisions
                    if history.Keep("flapping", channel="webhook", client="acme")
                    in d.kept_because}
            assert kept == {1, 2, 3, 4, 5, 6}
            prune(store, {"keep_last": 1})
    trial: list[tuple[list[str], tuple[str, ...]]] = [([], ACME)] if notified else []
    assert sent == [(FIRST_DAY, ()), (MOVE, ()), (MOVE, ()), (FLAPPING, ACME), ([], ACME),
                    *trial, ([], ACME), (STOPPED, ())]


TRIALS = st.lists(
    st.tuples(
        st.sampled_from("omrc-"),  # Acme under the policy in use, or not in the review
        # Then none, one or two reviews under trial policies: Acme's standing under each.
        st.lists(st.sampled_from("omrc-"), max_size=2),
    ),
    min_size=1, max_size=15,
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=TRIALS)
def test_trial_reviews_change_no_flap_notice_of_the_policy_in_use(
    httpserver: HTTPServer, days: list[tuple[str, list[str]]]
) -> None:
    # The same reviews under the policy in use, notified with and without trial reviews
    # between them (at most 2 in a row, so the policy in use is always among the last 3;
    # each trial under a policy of its own, a what-if of one configuration, so that no trial
    # policy has reviews enough to flap by itself): the flap notices sent are the same ones
    # (their keys name the flap's dates), and on each review under the policy in use the same
    # clients are held. The trials' own changes are sent besides.
    def run(with_trials: bool) -> tuple[list[str], list[tuple[str, ...]]]:
        with tempfile.TemporaryDirectory() as folder, \
                Store.open(Path(folder) / "clientguard.db") as store:
            notices: list[str] = []
            held: list[tuple[str, ...]] = []
            for number, (letter, trials) in enumerate(days):
                day = FIRST + timedelta(days=3 * number)
                keep(store, day, {"acme": letter, "birch": "o"})
                changes, result = send(store, httpserver)
                notices += [c["key"] for c in changes if "flapping" in c["kind"]]
                held.append(result.flapping)
                for offset, trial in enumerate(trials if with_trials else [], 1):
                    keep(store, day + timedelta(days=offset), {"acme": trial, "birch": "r"},
                         policy=f"{10 * number + offset:016x}")
                    changes, _result = send(store, httpserver)
                    notices += [c["key"] for c in changes if "flapping" in c["kind"]]
            return notices, held

    assert run(with_trials=True) == run(with_trials=False)


# ------------------------------------------------------------ two configurations in turn

def test_two_configurations_run_in_turn_each_send_a_change_once(
    store: Store, httpserver: HTTPServer
) -> None:
    # Two configurations run in turn (A on odd days, B on even), each comparing with its own
    # last run. Birch is ok under A and revise terms under B every day (what B says that A
    # does not); Acme is m under both on days 1 and 2, then r under A on day 3 and still m
    # under B on day 4. By hand: day 1 is the first review (Acme's finding is new); day 2,
    # B's first run, has no run of its own to compare with and says once what it says
    # differently from the last run delivered (A's: Birch o -> r); day 3, A's own change of
    # Acme (m -> r) from day 1; day 4, B against day 2: nothing changed. Before, each run
    # compared with the other's: Birch went down on day 3 and up again on day 4, and Acme's
    # move under A came back on day 4 as a move r -> m.
    days = []
    for number, (policy, acme, birch) in enumerate(
            [(POLICY, "m", "o"), (OTHER_POLICY, "m", "r"), (POLICY, "r", "o"),
             (OTHER_POLICY, "m", "r")], 1):
        keep(store, FIRST + timedelta(days=number - 1), {"acme": acme, "birch": birch},
             policy=policy)
        changes, _result = send(store, httpserver)
        days.append((lines(changes), [c["key"] for c in changes]))
    assert [sent for sent, _keys in days] == [FIRST_DAY, BIRCH_UP, MOVE, []]
    keys = [key for _sent, keys in days for key in keys]
    assert len(keys) == len(set(keys))


def test_two_policies_flapping_from_the_same_day_at_the_same_standing_are_both_told(
    store: Store, httpserver: HTTPServer
) -> None:
    # Two configurations each run every day (A, then B: reviews of one date under two
    # policies), notify after each. Acme under A: m r m r m m m m m m; under B: m r m r m r
    # m r r r. By hand with the default rule: under both its 3rd change (day 4, back to r)
    # starts a flap, on the same day at the same standing. A's is told on day 4; B's reviews
    # are trials while A's runs (Acme held). A's settles at m on day 7 (days 5, 6, 7); B's
    # still runs (back and forth until day 8) and is told at B's run of day 7, dated by its
    # start; at r on days 8, 9, 10 it settles on day 10. With one key for the two flaps'
    # notices (as before 7 December 2026), B's start was taken for sent and never told (nor
    # its stop), and Acme's moves under B went out (day 7 r -> m, day 8 m -> r) as if it did
    # not flap.
    a, b = iter("mrmrmmmmmm"), iter("mrmrmrmrrr")
    told: list[str] = []
    held: list[tuple[int, str, tuple[str, ...]]] = []
    for number in range(1, 11):
        for policy, letters in ((POLICY, a), (OTHER_POLICY, b)):
            keep(store, FIRST + timedelta(days=number - 1), {"acme": next(letters)},
                 policy=policy)
            changes, result = send(store, httpserver)
            told += [c["key"] for c in changes if "flapping" in c["kind"]]
            if policy == OTHER_POLICY and number >= 7:
                held.append((number, policy, result.flapping))
            # From day 4 a flap holds Acme under each policy: no move of it goes out.
            assert "severity:acme" not in lines(changes) or number < 4, (number, policy)
    assert told == [
        f"2026-06-04|flapping|acme|verdict/severity|revise_terms/warning|policy={POLICY}",
        f"2026-06-07|stopped_flapping|acme|verdict/severity|monitor/watch|policy={POLICY}",
        f"2026-06-04|flapping|acme|verdict/severity|revise_terms/warning|policy={OTHER_POLICY}",
        f"2026-06-10|stopped_flapping|acme|verdict/severity|revise_terms/warning"
        f"|policy={OTHER_POLICY}",
    ]
    # Held under B while the channel was told B's flap runs (days 7 to 9), not after.
    assert held == [(7, OTHER_POLICY, ACME), (8, OTHER_POLICY, ACME), (9, OTHER_POLICY, ACME),
                    (10, OTHER_POLICY, ())]


@pytest.mark.parametrize(
    ("key", "client", "after", "flap_policy"),
    [
        # Delivered before keys named the policy (before 7 December 2026): still read.
        ("2026-06-04|flapping|acme|verdict/severity|revise_terms/warning", "acme",
         "revise_terms/warning", None),
        (f"2026-06-04|flapping|acme|verdict/severity|revise_terms/warning|policy={POLICY}",
         "acme", "revise_terms/warning", POLICY),
        # A client id holding "|", and a client that left (after None).
        (f"2026-06-05|stopped_flapping|a|b|verdict/severity|None|policy={OTHER_POLICY}",
         "a|b", "None", OTHER_POLICY),
    ],
)
def test_a_flap_notices_key_is_read_back_with_its_policy(
    key: str, client: str, after: str, flap_policy: str | None
) -> None:
    from clientguard.changes import last_flap_notices

    (notice,) = last_flap_notices([key]).values()

    assert (notice.client_id, notice.after, notice.flap_policy) == (client, after, flap_policy)
    assert notice.key == key  # what prune looks the notice up by
