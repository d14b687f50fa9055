"""Tickets as work requests: which client a ticket is for, by the configuration's rules.

A ticket system (Jira, GitHub issues) knows projects, components, labels and repositories,
not the customers of the books. The configuration says which of them belong to which client,
one rule a client::

    [[sources.jira.clients]]
    customer = "xero:8f0c..."          # the customer, as "source:id" (like [links])
    project = "ACME"                   # every condition given must hold

A connector declares its rule model (a :class:`TicketRule` with the conditions its system
has) and asks :func:`client_of` for each ticket:

* one client's rules match: the ticket is that client's work request;
* no rule matches: the ticket is left out with a :class:`~clientguard.connector.Skip` whose
  reason names what the ticket had (``no rule maps it to a client (project OPS)``), so that the
  sync's summary counts the unmatched tickets by project or repository, never guessing;
* rules of several clients match: the ticket is rejected (a :class:`DataError`), naming them,
  because the configuration contradicts itself.

:func:`work_request` then builds the record: ``requested_on`` the day the ticket was created,
``wanted_by`` the day it was wanted by; the review's rush signal compares the lead time with
``Policy.rush_lead_days`` as for every work request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from clientguard.connector import Skip
from clientguard.errors import DataError
from clientguard.model import WorkRequest
from clientguard.records import split_key

__all__ = ["TicketRule", "client_of", "same_text", "work_request"]


def same_text(a: object, b: str) -> bool:
    """True when ``a`` is text equal to ``b`` ignoring case and surrounding spaces (a project
    key, a label, a component's name are compared so; nothing fuzzier)."""
    return isinstance(a, str) and a.strip().casefold() == b.strip().casefold()


class TicketRule(BaseModel):
    """One rule of a ticket connector's ``clients`` option: the customer, and conditions
    (declared by each connector's subclass) that a ticket of that customer meets, all of them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    customer: str
    """The customer the matching tickets are for, as ``source:id``: the source's name in the
    configuration and the customer's id there (``clientguard customers`` lists them)."""

    @field_validator("customer")
    @classmethod
    def _source_and_id(cls, value: str) -> str:
        source, ident = split_key(value.strip())
        if not source or not ident:
            raise ValueError(
                f"{value!r} does not name a customer: write \"source:id\", the source's name "
                "and the customer's id in that source (e.g. \"xero:8f0c...\")"
            )
        return f"{source.strip()}:{ident.strip()}"

    @property
    def source(self) -> str:
        """The source that holds the customer."""
        return split_key(self.customer)[0] or ""

    @property
    def customer_id(self) -> str:
        """The customer's id in :attr:`source`."""
        return split_key(self.customer)[1]

    def conditions(self) -> dict[str, Any]:
        """The conditions this rule sets (every field but ``customer`` that is given)."""
        return {
            name: value
            for name, value in self.model_dump().items()
            if name != "customer" and value is not None
        }

    def matches(self, ticket: Mapping[str, Any]) -> bool:
        """True when ``ticket`` meets every condition of the rule; a subclass says how."""
        raise NotImplementedError


def client_of(
    rules: Sequence[TicketRule], ticket: Mapping[str, Any], *, has: str
) -> TicketRule | Skip:
    """The rule of the one client ``ticket`` matches; a :class:`Skip` naming what the ticket
    ``has`` (``project OPS``) when none does. Rules of several customers matching raise
    :class:`DataError` naming them."""
    matched: dict[str, TicketRule] = {}
    for rule in rules:
        if rule.customer not in matched and rule.matches(ticket):
            matched[rule.customer] = rule
    if len(matched) == 1:
        return next(iter(matched.values()))
    if not matched:
        return Skip(f"no rule maps it to a client ({has})")
    raise DataError(
        f"customer: the rules map it to {len(matched)} customers ({', '.join(sorted(matched))}); "
        "make the rules of clientguard.toml exclusive"
    )


def work_request(
    ident: str, rule: TicketRule, *, requested_on: date, wanted_by: date, source: str
) -> WorkRequest:
    """The work request of a ticket matched by ``rule``."""
    return WorkRequest(
        id=ident,
        customer_id=rule.customer_id,
        customer_source=rule.source,
        requested_on=requested_on,
        wanted_by=wanted_by,
        source=source,
    )
