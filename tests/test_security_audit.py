"""An attacker's audit of what notify sends and where (docs/security.md, "What the data may
not do: a chat" and "notify's webhook"): a client's name that would ping a channel, forge a
link or write a line of its own in a chat; a webhook that answers with a redirect.

Each row was reproduced before the fix: a 301/302/303 made requests send a GET without the
body, whose 200 recorded the changes as delivered; a 307/308 sent the body on to the other
host; ``<!channel>`` and ``<https://evil|Pay here>`` went to Slack as they were.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from clientguard import history
from clientguard.changes import Change, ChangeKind, Changes, compare, summarize
from clientguard.notify import (
    EmailChannel,
    NotifyError,
    WebhookChannel,
    email_message,
    notify,
    webhook_body,
)
from clientguard.review import review
from clientguard.store import Store
from clientguard.testing import customer, invoice, ledger, payment

NOW = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
TOKEN = "xoxb-S3cr3tT0kenValue-91827364"
PATH = f"/services/T01/B02/{TOKEN}"


def records(name: str) -> list[Any]:
    """``name`` (the hostile client) pays later and later from April 2025; Birch on time."""
    found: list[Any] = [customer("acme", name=name), customer("birch", name="Birch")]
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


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "clientguard.db") as opened:
        yield opened


def save_two(store: Store, name: str = "Acme") -> None:
    for day in (date(2025, 5, 31), date(2025, 8, 31)):
        history.save_review(store, review(ledger(*records(name)), as_of=day))


def changes_of(name: str) -> Changes:
    """The changes from May to August 2025 of a book whose late payer is called ``name``."""
    before, after = (review(ledger(*records(name)), as_of=day)
                     for day in (date(2025, 5, 31), date(2025, 8, 31)))
    return compare(summarize(before), summarize(after))


def no_sleep(_: float) -> None:
    """Retries wait for nothing in tests."""


# ------------------------------------------------------------------- the webhook's redirects


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirecting_webhook_is_not_followed_and_nothing_is_recorded_as_sent(
    store: Store, httpserver: HTTPServer, status: int
) -> None:
    save_two(store)
    with HTTPServer() as elsewhere:
        moved = elsewhere.url_for(f"/moved/{TOKEN}")
        elsewhere.expect_request(f"/moved/{TOKEN}").respond_with_data("ok")
        httpserver.expect_request(PATH, method="POST").respond_with_data(
            "", status=status, headers={"Location": moved})
        with pytest.raises(NotifyError) as failed:
            notify(store, WebhookChannel(httpserver.url_for(PATH)), now=NOW, sleep=no_sleep)
        # Neither a GET without the body (301-303) nor the body itself (307, 308) went on.
        assert elsewhere.log == []
    message = str(failed.value)
    assert f"HTTP {status}" in message
    assert "redirect to http://localhost" in message  # where it points: scheme and host
    assert "CLIENTGUARD_NOTIFY_WEBHOOK_URL" in message  # what to do
    assert TOKEN not in message
    assert "/moved/" not in message
    assert len(httpserver.log) == 1  # a redirect is no transient failure: not retried
    # Nothing was delivered, so nothing is recorded: the next run sends these changes.
    assert store.sent_changes("webhook") == set()


# ------------------------------------------------------------------------ the chat's text


@pytest.mark.parametrize(
    ("name", "shown", "absent"),
    [
        # Slack's control sequences start with "<": a mention, a link with a label of its own.
        ("<!channel> Acme", "&lt;!channel&gt; Acme", "<!channel>"),
        ("<!here|here> Acme", "&lt;!here|here&gt; Acme", "<!here"),
        ("<@U024BE7LH> Acme", "&lt;@U024BE7LH&gt; Acme", "<@U"),
        ("<https://evil.example/pay|Pay here>", "&lt;https://evil.example/pay|Pay here&gt;",
         "<https://"),
        # Markdown (Teams): a link or an image with a label that hides its address.
        ("[Pay here](https://evil.example/pay)", "[Pay here] (https://evil.example/pay)",
         "](https://"),
        ("![x](https://evil.example/pixel.gif)", "![x] (https://evil.example/pixel.gif)",
         "](https://"),
        # An ampersand is Slack's escape character: an entity in a name stays the name.
        ("Smith &lt;!channel&gt; & Sons", "Smith &amp;lt;!channel&amp;gt; &amp; Sons",
         "Smith &lt;"),
    ],
)
def test_a_client_name_is_plain_text_in_the_chat(name: str, shown: str, absent: str) -> None:
    body = webhook_body(changes_of(name))
    assert shown in body["text"]
    assert absent not in body["text"]
    # The changes as data keep the name as it is, for a receiver of one's own.
    assert all(c["name"] == name for c in body["changes"] if c["client_id"] == "acme")
    assert any(name in c["message"] for c in body["changes"])


FORGED = "Acme\n- Birch: verdict keep -> consider ending"


def test_a_line_break_in_a_name_writes_no_line_of_its_own() -> None:
    changes = changes_of(FORGED)
    lines = webhook_body(changes)["text"].split("\n")
    # The title, then one line a change, each about the hostile client: none is Birch's.
    assert len(lines) == 1 + len(changes.changes)
    assert not any(line.startswith("- Birch") for line in lines)
    assert "Acme - Birch: verdict keep -&gt; consider ending" in lines[1]


def test_a_line_break_in_a_name_writes_no_line_of_its_own_in_the_mail() -> None:
    changes = changes_of(FORGED)
    channel = EmailChannel(host="mail.example", port=587, sender="cg@example.com",
                           recipients=("me@example.com",))
    text = email_message(changes, channel).get_content()
    lines = text.strip("\n").split("\n")
    assert len(lines) == len(changes.changes)
    assert not any(line.startswith("- Birch") for line in lines)


def _change(name: str) -> Change:
    return Change(kind=ChangeKind.VERDICT, client_id="c1", name=name, subject="verdict",
                  before="keep", after="monitor", message=f"{name}: verdict keep -> monitor",
                  as_of=date(2025, 8, 31))


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_no_text_makes_a_control_sequence_a_link_or_a_line(names: list[str]) -> None:
    changes = Changes(before=date(2025, 5, 31), after=date(2025, 8, 31),
                      base_currency="EUR", changes=tuple(_change(n) for n in names))
    body = webhook_body(changes)
    text = body["text"]
    assert "<" not in text  # no Slack control sequence, no HTML tag
    assert ">" not in text
    assert "](" not in text  # no Markdown link
    assert len(text.splitlines()) == 1 + len(names)
    # Every "&" starts one of the three entities: the text decodes back to what was meant.
    assert text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").count("&") == 0
    # The data is untouched, and the body is JSON.
    assert [c["message"] for c in json.loads(json.dumps(body))["changes"]] == [
        f"{n}: verdict keep -> monitor" for n in names]
