"""Work requests from a ticket system count for a customer of the books: the rule names the
customer as ``source:id`` (``WorkRequest.customer_source``), and a request naming a customer
no source holds is rejected, never counted for a client of its own."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from random import Random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.connector import Skip
from clientguard.errors import DataError
from clientguard.ledger import Ledger
from clientguard.metrics.workload import rush_profiles
from clientguard.model import AnyRecord
from clientguard.testing import customer, work_request
from clientguard.tickets import TicketRule, client_of, same_text


def test_a_ticket_counts_for_the_customer_of_the_books_its_rule_names() -> None:
    records: list[AnyRecord] = [
        customer("c-1", "Acme", source="xero"),
        customer("c-2", "Bolt", source="xero"),
        work_request("c-1", requested="2026-03-02", lead_days=1, id="ACME-1",
                     source="jira", customer_source="xero"),
        work_request("c-1", requested="2026-03-03", lead_days=20, id="ACME-2",
                     source="jira", customer_source="xero"),
    ]
    ledger = Ledger.build(records, base_currency="EUR")
    assert [(w.id, w.customer_id) for w in ledger.work_requests] == [
        ("jira:ACME-1", "xero:c-1"), ("jira:ACME-2", "xero:c-1")]
    # No customer "jira:c-1" appears: the hours and requests are the books' client's.
    assert ledger.customer_ids == ("xero:c-1", "xero:c-2")
    profiles = rush_profiles(ledger, as_of=date(2026, 3, 31), rush_lead_days=2)
    # Of Acme's two requests, one wanted the next day (lead 1 <= 2 days): half are rush.
    assert profiles["xero:c-1"].requests == 2
    assert profiles["xero:c-1"].rush_requests == 1


def test_a_rule_naming_a_customer_no_source_holds_rejects_the_ticket() -> None:
    records: list[AnyRecord] = [
        customer("c-1", "Acme", source="xero"),
        work_request("c-9", requested="2026-03-02", lead_days=1, id="ACME-1",
                     source="jira", customer_source="xero"),
    ]
    ledger = Ledger.build(records, base_currency="EUR", strict=False)
    assert ledger.work_requests == ()
    (rejected,) = ledger.report.rejected
    assert rejected.record_id == "ACME-1"
    assert rejected.field == "customer_id"
    assert "xero:c-9, which no source holds" in rejected.reason
    assert ledger.customer_ids == ("xero:c-1",)


@pytest.mark.parametrize("customer_source", [None, "books"])
def test_a_request_of_the_books_own_source_is_unchanged(customer_source: str | None) -> None:
    records: list[AnyRecord] = [
        customer("c-1", "Acme", source="books"),
        work_request("c-1", requested="2026-03-02", lead_days=3, id="R-1", source="books",
                     customer_source=customer_source),
    ]
    ledger = Ledger.build(records, base_currency="EUR")
    assert [w.customer_id for w in ledger.work_requests] == ["c-1"]


def test_a_ledger_of_the_tickets_alone_keeps_them_for_a_merge_with_the_books() -> None:
    tickets = Ledger.build(
        [work_request("c-1", requested="2026-03-02", lead_days=1, id="ACME-1",
                      source="jira", customer_source="xero")],
        base_currency="EUR",
    )
    assert [w.id for w in tickets.work_requests] == ["ACME-1"]
    books = Ledger.build([customer("c-1", "Acme", source="xero")], base_currency="EUR")
    merged = books.merge(tickets)
    assert [(w.id, w.customer_id) for w in merged.work_requests] == [("jira:ACME-1", "xero:c-1")]
    assert merged.customer_ids == ("xero:c-1",)


class LabelRule(TicketRule):
    """A rule of one condition, a label, for the properties below."""

    label: str

    def matches(self, ticket: Mapping[str, Any]) -> bool:
        return any(same_text(label, self.label) for label in ticket.get("labels", ()))


RULE = st.builds(LabelRule, customer=st.sampled_from(["books:a", "books:b", "xero:c"]),
                 label=st.sampled_from(["x", "y", "Z"]))


def outcome(rules: list[LabelRule], labels: list[str]) -> object:
    try:
        found = client_of(rules, {"labels": labels}, has="labels")
    except DataError as exc:
        return ("rejected", str(exc))
    return found if isinstance(found, Skip) else found.customer


@given(st.lists(RULE, max_size=6), st.lists(st.sampled_from(["x", "y", "z", "w"]), max_size=3),
       st.randoms())
def test_the_client_of_a_ticket_does_not_depend_on_the_order_of_the_rules(
    rules: list[LabelRule], labels: list[str], rng: Random
) -> None:
    shuffled = list(rules)
    rng.shuffle(shuffled)
    assert outcome(rules, labels) == outcome(shuffled, labels)


@given(st.lists(RULE, max_size=6), st.lists(st.sampled_from(["x", "y", "z", "w"]), max_size=3))
def test_a_ticket_is_never_given_a_client_no_matching_rule_names(
    rules: list[LabelRule], labels: list[str]
) -> None:
    result = outcome(rules, labels)
    matching = {r.customer for r in rules if r.label.casefold() in {lb.casefold() for lb in labels}}
    if len(matching) == 1:
        assert result == matching.pop()
    elif not matching:
        assert result == Skip("no rule maps it to a client (labels)")
    else:
        assert isinstance(result, tuple)
        assert ", ".join(sorted(matching)) in result[1]
