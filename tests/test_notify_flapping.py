"""notify and a client that flaps: day by day, what each channel is sent.

A client whose late share sits near a threshold goes monitor -> revise terms -> monitor ->
revise terms on consecutive days. Without flap handling each day is a new change with its own
key, so the owner gets a message a day about the same client. With it (the default rule: 3
changes over a client's last 6 saved reviews, back to a standing it had, start a flap; 3
reviews at one standing settle it), the first changes still go out the same day, the flap is
said once, and its end once more.

The saved reviews are written the way ``history.save_review`` writes them, from summaries
built here (as ``tests/test_history.py`` builds them): a daily flap is a few lines of data,
where a ledger would need invoices tuned to cross a threshold every other day.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from clientguard.changes import (
    ClientSummary,
    FindingSummary,
    FlapRule,
    ReviewSummary,
    Standing,
    flaps,
)
from clientguard.cli import EXIT_OK, EXIT_USAGE, main
from clientguard.errors import ConfigError
from clientguard.findings import Severity
from clientguard.notify import EmailChannel, NotifyError, WebhookChannel, notify
from clientguard.store import Store

NOW = datetime(2026, 6, 30, 6, 0, tzinfo=UTC)
FIRST = date(2026, 6, 1)
PATH = "/services/T01/B02/flap-test-hook-1234567890"

THRESHOLDS = {"chronic_late_share": Decimal("0.5"), "late_share_high": Decimal("0.75"),
              "late_days_warning": Decimal(15), "late_days_critical": Decimal(45),
              "material_overdue": Decimal(1000), "revenue_share_watch": Decimal("0.10"),
              "revenue_share_warning": Decimal("0.20"),
              "revenue_share_critical": Decimal("0.35")}

# A client's standing on a day, by letter: its verdict, the severity of its one finding
# (chronic lateness on the late share) and the late share, which crosses the chronic
# lateness threshold (50%) between monitor and revise terms, and the high late share
# threshold (75%) on the way to consider ending.
STANDINGS: dict[str, tuple[str, str | None, str]] = {
    "o": ("ok", None, "0.20"),
    "m": ("monitor", "watch", "0.45"),
    "r": ("revise_terms", "warning", "0.55"),
    "c": ("consider_ending", "critical", "0.80"),
}


def summary_of(cid: str, letter: str, overdue_invoices: tuple[str, ...] = ()) -> ClientSummary:
    verdict, severity, late_share = STANDINGS[letter]
    found = () if severity is None else (FindingSummary(
        client_id=cid, signal="chronic_late", severity=Severity(severity), metric="late_share",
        value=Decimal(late_share), threshold=Decimal("0.5"),
        message=f"late share {late_share}"),)
    return ClientSummary(client_id=cid, name=cid.title(), verdict=verdict,
                         severity=Severity(severity) if severity else None,
                         late_share=Decimal(late_share), findings=found,
                         overdue_invoices=overdue_invoices)


def keep(store: Store, day: date, clients: dict[str, str],
         overdue: dict[str, tuple[str, ...]] | None = None) -> None:
    """Save the review of ``day`` as ``history.save_review`` saves one: the summary of the
    whole review without its clients, and one summary per client."""
    summary = ReviewSummary(
        as_of=day, base_currency="EUR", thresholds=THRESHOLDS,
        clients={cid: summary_of(cid, letter, (overdue or {}).get(cid, ()))
                 for cid, letter in clients.items()})
    store.save_review(
        as_of=day, policy_digest="0123456789abcdef", version="test", report="{}",
        summary=summary.model_dump(mode="json", exclude={"clients"}),
        clients=[c.model_dump(mode="json") for c in summary.clients.values()])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "clientguard.db") as opened:
        yield opened


def no_sleep(_: float) -> None:
    """Retries wait for nothing in tests."""


DEFAULT = FlapRule()


def send_day(store: Store, server: HTTPServer, rule: FlapRule | None = DEFAULT
             ) -> list[dict[str, Any]]:
    """One day's notify on the webhook: the changes it was sent (none: no request)."""
    server.clear_log()
    server.clear()
    server.expect_request(PATH, method="POST").respond_with_data("ok")
    notify(store, WebhookChannel(server.url_for(PATH)), now=NOW, sleep=no_sleep,
           flapping=rule)
    if not server.log:
        return []
    (request, _response), = server.log
    body: dict[str, Any] = json.loads(request.data)
    changes: list[dict[str, Any]] = body["changes"]
    return changes


def lines(changes: list[dict[str, Any]]) -> list[str]:
    return [f"{c['kind']}:{c['client_id']}" for c in changes]


# A client's move from one standing to another is three changes (kinds in this order): its
# finding's severity, its verdict, the late share crossing a threshold.
MOVE = ["severity:{c}", "verdict:{c}", "threshold:{c}"]


def move(cid: str) -> list[str]:
    return [line.format(c=cid) for line in MOVE]


# Day 1 is the first review: its findings are new (a client without findings has none).
FIRST_DAY = ["new_finding:acme"]


@pytest.mark.parametrize(
    ("acme", "birch", "expected"),
    [
        pytest.param(
            # One change: sent the same day, as before flap detection.
            "mmrrrr", "oooooo",
            [FIRST_DAY, [], move("acme"), [], [], []],
            id="one change"),
        pytest.param(
            # Two changes (a bounce: revise terms and back): each sent the same day.
            "mrmmmm", "oooooo",
            [FIRST_DAY, move("acme"), move("acme"), [], [], []],
            id="a bounce is two changes, both sent"),
        pytest.param(
            # 4 changes in 6 days: the 1st and 2nd go out; the 3rd (back to revise terms,
            # 3 changes in the last 4 reviews) starts the flap: one notice, changes held; the
            # 4th is held; 3 reviews at monitor (days 5-7) settle it: one notice.
            "mrmrmmm", "ooooooo",
            [FIRST_DAY, move("acme"), move("acme"), ["flapping:acme"], [], [],
             ["stopped_flapping:acme"]],
            id="a flap of 4 changes in 6 days"),
        pytest.param(
            # Ten days flapping: two changes and one notice, not nine messages.
            "mrmrmrmrmr", "oooooooooo",
            [FIRST_DAY, move("acme"), move("acme"), ["flapping:acme"], [], [], [], [], [],
             []],
            id="ten days of flapping"),
        pytest.param(
            # Settles at revise terms (days 4-6), then a real change: sent again.
            "mrmrrrc", "ooooooo",
            [FIRST_DAY, move("acme"), move("acme"), ["flapping:acme"], [],
             ["stopped_flapping:acme"], move("acme")],
            id="a flap that settles, then a change sent again"),
        pytest.param(
            # While flapping between monitor and revise terms it reaches consider ending,
            # which it had not had: news, sent at once, and the flap is over.
            "mrmrc", "ooooo",
            [FIRST_DAY, move("acme"), move("acme"), ["flapping:acme"],
             [*move("acme"), "stopped_flapping:acme"]],
            id="a flap left for a standing it had not had"),
        pytest.param(
            # Acme flaps; Birch's real change on day 5 goes out while Acme's is held.
            "mrmrm", "oooor",
            [FIRST_DAY, move("acme"), move("acme"), ["flapping:acme"],
             ["new_finding:birch", "verdict:birch", "threshold:birch"]],
            id="a flap beside a real change on another client"),
    ],
)
def test_what_each_day_sends(store: Store, httpserver: HTTPServer, acme: str, birch: str,
                             expected: list[list[str]]) -> None:
    sent = []
    for offset, (a, b) in enumerate(zip(acme, birch, strict=True)):
        keep(store, FIRST + timedelta(days=offset), {"acme": a, "birch": b})
        sent.append(lines(send_day(store, httpserver)))
    assert sent == expected


def test_the_notices_say_why_between_what_and_when(
    store: Store, httpserver: HTTPServer
) -> None:
    days = []
    for offset, letter in enumerate("mrmrmmm"):
        keep(store, FIRST + timedelta(days=offset), {"acme": letter})
        days.append(send_day(store, httpserver))
    # Day 4 (2026-06-04): changes on 06-02, 06-03 and 06-04, the last 4 reviews (06-01 to
    # 06-04); the default settle rule is 3 reviews.
    (started,) = days[3]
    assert started["message"] == (
        "Acme: flapping between monitor (watch) and revise terms (warning): 3 changes in its "
        "last 4 reviews (2026-06-02, 2026-06-03, 2026-06-04), now revise terms (warning); its "
        "changes are held until it stays at one verdict and severity for 3 reviews")
    assert (started["before"], started["after"]) == ("monitor/watch", "revise_terms/warning")
    # Day 7: at monitor since 06-05 (06-05, 06-06, 06-07); changes on 06-02, 03, 04 and 05.
    (stopped,) = days[6]
    assert stopped["message"] == (
        "Acme: settled at monitor (watch), unchanged since 2026-06-05, after flapping between "
        "monitor (watch) and revise terms (warning) from 2026-06-04 (4 changes; monitor "
        "(watch) before); its changes are sent again")
    # The key names the policy the flap was counted under (the reviews' digest).
    assert stopped["key"] == ("2026-06-07|stopped_flapping|acme|verdict/severity|monitor/watch"
                              "|policy=0123456789abcdef")


def test_a_notice_in_polish() -> None:
    from clientguard.changes import flap_notices
    from clientguard.i18n import using

    (found,) = flaps("acme", "Acme", standings_of("mrmr"), FlapRule())
    with using("pl"):
        (notice,) = flap_notices([found], FlapRule(), since=None, until=date(2026, 6, 4))
    # The verdicts' and severities' Polish are the catalogs': the verdict monitor is "do
    # monitoringu", the severity watch "do obserwacji" (two words, so that a reader tells the
    # client's verdict from its finding's severity); dates in a sentence are written out;
    # 3 zmiany, 4 przeglądach and 3 przeglądy are the Polish plural forms of 3 and 4.
    assert notice.message == (
        "Acme: stan się waha: do monitoringu (poziom: do obserwacji) i do renegocjacji "
        "warunków (poziom: ostrzeżenie); 3 zmiany w ostatnich 4 przeglądach (2 czerwca 2026, "
        "3 czerwca 2026, 4 czerwca 2026), teraz do renegocjacji warunków (poziom: "
        "ostrzeżenie); zmiany tego klienta są wstrzymane, dopóki nie pozostanie on przy "
        "jednej ocenie i jednym poziomie przez 3 przeglądy")


def test_an_invoice_newly_overdue_is_sent_even_while_the_client_flaps(
    store: Store, httpserver: HTTPServer
) -> None:
    for offset, letter in enumerate("mrmr"):
        keep(store, FIRST + timedelta(days=offset), {"acme": letter})
        send_day(store, httpserver)
    keep(store, FIRST + timedelta(days=4), {"acme": "m"}, overdue={"acme": ("A-7",)})
    # The verdict, severity and threshold changes are held; the invoice is a fact.
    assert lines(send_day(store, httpserver)) == ["newly_overdue:acme"]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # Off: every change every day, as before flap detection.
        (None, [FIRST_DAY, move("acme"), move("acme"), move("acme"), move("acme"), [], []]),
        # 2 changes in 6 reviews: the bounce back on day 3 already starts the flap, and 2
        # reviews at one standing settle it (days 5-6).
        (FlapRule(changes=2, reviews=6, settle=2),
         [FIRST_DAY, move("acme"), ["flapping:acme"], [], [], ["stopped_flapping:acme"], []]),
        # 4 changes in 4 reviews can never happen (4 reviews hold 3): too strict to be
        # allowed, see test_a_rule_that_cannot_work; 3 in 4: day 4 starts it.
        (FlapRule(changes=3, reviews=4, settle=3),
         [FIRST_DAY, move("acme"), move("acme"), ["flapping:acme"], [], [],
          ["stopped_flapping:acme"]]),
    ],
)
def test_the_rule_is_tuned_or_off(store: Store, httpserver: HTTPServer,
                                  rule: FlapRule | None, expected: list[list[str]]) -> None:
    sent = []
    for offset, letter in enumerate("mrmrmmm"):
        keep(store, FIRST + timedelta(days=offset), {"acme": letter})
        sent.append(lines(send_day(store, httpserver, rule)))
    assert sent == expected


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"changes": 1}, r"changes is 1; give a whole number of at least 2"),
        ({"settle": 1}, r"settle is 1; give a whole number of at least 2"),
        ({"reviews": 2}, r"reviews is 2; give a whole number of at least 3"),
        ({"changes": 4, "reviews": 4}, r"4 changes can never happen in 4 reviews"),
    ],
)
def test_a_rule_that_cannot_work(fields: dict[str, int], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        FlapRule(**fields)


# ----------------------------------------------------------------------------- two channels


class Inbox:
    """What a local SMTP server (a relay on this machine, no TLS) received."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def relay() -> Iterator[tuple[Inbox, int]]:
    controller_module = pytest.importorskip("aiosmtpd.controller",
                                            reason="aiosmtpd is the local SMTP server")
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = controller_module.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_lines(raw: bytes) -> list[str]:
    payload = message_from_bytes(raw).get_payload(decode=True)
    assert isinstance(payload, bytes)
    return [line for line in payload.decode().splitlines() if line.startswith("- ")]


def test_two_channels_each_hear_of_the_flap_once(
    store: Store, httpserver: HTTPServer, relay: tuple[Inbox, int]
) -> None:
    inbox, port = relay
    email = EmailChannel(host="127.0.0.1", port=port, sender="clientguard@example.com",
                         recipients=("owner@example.com",), security="none")
    hook_days, mail_days = [], []
    for offset, letter in enumerate("mrmrmmm"):
        keep(store, FIRST + timedelta(days=offset), {"acme": letter})
        hook_days.append(send_day(store, httpserver))
        before = len(inbox.messages)
        notify(store, email, now=NOW, sleep=no_sleep)
        mail_days.append(mail_lines(inbox.messages[-1]) if len(inbox.messages) > before else [])
    # Each channel is sent the same lines the same days: two changes, one notice, quiet, one.
    assert [[f"- {c['message']}" for c in day] for day in hook_days] == mail_days
    assert [len(day) for day in mail_days] == [1, 3, 3, 1, 0, 0, 1]
    assert mail_days[3][0].startswith("- Acme: flapping between")
    assert mail_days[6][0].startswith("- Acme: settled at monitor (watch)")


def test_a_channel_that_starts_during_a_flap_is_told_why_it_hears_nothing(
    store: Store, httpserver: HTTPServer
) -> None:
    for offset, letter in enumerate("mrmrm"):
        keep(store, FIRST + timedelta(days=offset), {"acme": letter})
    # Its first run compares day 5 with day 4 (both flapping): the changes are held, and
    # the flap that started on day 4 is said.
    (notice,) = send_day(store, httpserver)
    assert (notice["kind"], notice["key"]) == (
        "flapping", "2026-06-04|flapping|acme|verdict/severity|revise_terms/warning"
                    "|policy=0123456789abcdef")
    keep(store, FIRST + timedelta(days=5), {"acme": "r"})
    assert send_day(store, httpserver) == []


# ----------------------------------------------------------------------------- a failed send


def test_a_failed_send_during_a_flap_is_not_lost(store: Store, httpserver: HTTPServer) -> None:
    acme, birch = "mrmrmmm", "ooorrrr"
    for offset in range(3):
        keep(store, FIRST + timedelta(days=offset), {"acme": acme[offset], "birch": birch[offset]})
        send_day(store, httpserver)
    # Day 4: Acme starts flapping, Birch really changes; the webhook is down all day.
    keep(store, FIRST + timedelta(days=3), {"acme": acme[3], "birch": birch[3]})
    httpserver.clear()
    for _ in range(4):
        httpserver.expect_ordered_request(PATH).respond_with_data("busy", status=503)
    with pytest.raises(NotifyError, match="next run sends"):
        notify(store, WebhookChannel(httpserver.url_for(PATH)), now=NOW, sleep=no_sleep)
    assert not any(key.startswith("2026-06-04") for key in store.sent_changes("webhook"))
    # Day 5: the notice of day 4 and Birch's changes since day 3 arrive (Acme's are held).
    keep(store, FIRST + timedelta(days=4), {"acme": acme[4], "birch": birch[4]})
    day5 = send_day(store, httpserver)
    assert lines(day5) == ["flapping:acme", "new_finding:birch", "verdict:birch",
                           "threshold:birch"]
    assert day5[0]["key"].startswith("2026-06-04|flapping|acme")
    (request, _response), = httpserver.log
    assert json.loads(request.data)["since"] == "2026-06-03"
    # Then as any day: quiet, and the settling said once.
    days = []
    for offset in (5, 6):
        keep(store, FIRST + timedelta(days=offset), {"acme": acme[offset],
                                                     "birch": birch[offset]})
        days.append(lines(send_day(store, httpserver)))
    assert days == [[], ["stopped_flapping:acme"]]


# ----------------------------------------------------------------------------- the command line


def test_the_command_line_tunes_or_turns_off_flap_detection(
    store: Store, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    monkeypatch.setenv("CLIENTGUARD_NOTIFY_WEBHOOK_URL", httpserver.url_for(PATH))
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    httpserver.expect_request(PATH).respond_with_data("ok")
    command = ["notify", "--via", "webhook", "--store", str(store.path)]
    for offset, letter in enumerate("mrmr"):
        keep(store, FIRST + timedelta(days=offset), {"acme": letter})
        assert main(command) == EXIT_OK
    _out, err = capsys.readouterr()
    # Day 4: 1 notice sent, Acme's 3 changes held.
    assert err.splitlines()[-1] == (
        "clientguard: notify webhook: held 3 changes while flapping: Acme")
    keep(store, FIRST + timedelta(days=4), {"acme": "m"})
    assert main([*command, "--no-flap-detection"]) == EXIT_OK
    assert lines(json.loads(httpserver.log[-1][0].data)["changes"]) == move("acme")
    # A count that cannot work is refused before anything is read or sent.
    with pytest.raises(SystemExit) as refused:
        main([*command, "--flap-changes", "1"])
    assert refused.value.code == EXIT_USAGE
    _out, err = capsys.readouterr()
    assert "--flap-changes" in err
    assert "at least 2" in err
    assert main([*command, "--flap-changes", "4", "--flap-window", "4"]) == EXIT_USAGE
    _out, err = capsys.readouterr()
    assert "4 changes can never happen in 4 reviews" in err


# ----------------------------------------------------------------------------- invariants

LETTERS = st.text(alphabet="omrc", min_size=1, max_size=30)
RULES = st.builds(lambda n, extra, k: FlapRule(changes=n, reviews=n + extra, settle=k),
                  st.integers(2, 5), st.integers(1, 5), st.integers(2, 5))


def standings_of(letters: str) -> list[Standing]:
    found = []
    for i, letter in enumerate(letters):
        verdict, severity, _late_share = STANDINGS[letter]
        found.append(Standing(as_of=FIRST + timedelta(days=i), verdict=verdict,
                              severity=Severity(severity) if severity else None))
    return found


@settings(max_examples=300, deadline=None)
@given(letters=LETTERS, rule=RULES)
def test_a_flap_never_hides_the_first_change_nor_news(letters: str, rule: FlapRule) -> None:
    standings = standings_of(letters)
    found = flaps("acme", "Acme", standings, rule)
    changes = [b.as_of for a, b in pairwise(standings) if not a.same(b)]
    for flap in found:
        # Each starts at a change back to a standing it had, after at least the rule's
        # number of changes, never at the first one (sent the same day).
        assert flap.started in changes
        assert flap.started != changes[0]
        assert flap.counted >= rule.changes
    # Flaps follow one another: each stopped before the next started; only the last may
    # still be going on.
    for earlier, later in pairwise(found):
        assert earlier.stopped is not None
        assert earlier.stopped.as_of < later.started
    # A client that only ever goes to standings it had not had (an escalation) never flaps.
    if len(set(letters)) == len(letters):
        assert found == ()


@pytest.mark.parametrize("option", ["--flap-changes", "--flap-window", "--flap-settle"])
@pytest.mark.parametrize("count", ["²", "٣", "x"], ids=["superscript-two",
                                                       "arabic-indic-three", "letter"])
def test_a_flap_count_that_is_not_a_whole_number_is_refused_in_words(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    option: str, count: str,
) -> None:
    # "²" and "٣" are digits to str.isdigit but not to int: argparse used to print its own
    # "invalid parse value" (the name of the parser function) instead of the message.
    monkeypatch.setenv("CLIENTGUARD_NOTIFY_WEBHOOK_URL", "http://127.0.0.1:9/never-used")
    keep(store, FIRST, {"acme": "m"})
    with pytest.raises(SystemExit) as refused:
        main(["notify", "--via", "webhook", "--store", str(store.path), option, count])
    assert refused.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{option}: {count!r} is not a whole number of at least" in err
    assert "invalid parse value" not in err
    assert store.sent_changes("webhook") == set()
