"""A client linked across two tools is one debtor: its claim covers both halves, so the review's
advised claim is the claim's total to the cent (docs/claims.md, "One company in two tools").

The book: Mark Ltd kept in Wave (id ``mark``) and Invoice Ninja (id ``7``), linked; four
invoices of 20,000.00 EUR, each paid 60 days after its due date, two in each tool. EU law
(Directive 2011/7/EU): the ECB main refinancing rate on the half-year's first day plus 8
points (3.15% on 1 Jan 2025, 2.15% on 1 Jul 2025), and 40 EUR for each late invoice:

- due 1 Feb and 1 May 2025 (Wave): 20,000 x 60 x 11.15% / 365 = 366.58 each, + 2 x 40:
  813.16;
- due 1 Aug and 1 Oct 2025 (Ninja): 20,000 x 60 x 10.15% / 365 = 333.70 each, + 2 x 40:
  747.40;
- the company: 1,560.56.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

import clientguard as cg
from clientguard.claims import ClaimError, claim
from clientguard.model import AnyRecord
from clientguard.testing import customer, invoice, ledger, payment

AS_OF = date(2025, 12, 31)
DUES = (("wave", "mark", date(2025, 2, 1)), ("wave", "mark", date(2025, 5, 1)),
        ("ninja", "7", date(2025, 8, 1)), ("ninja", "7", date(2025, 10, 1)))


def _late_60(owner: str, key: str, due: date, source: str) -> list[AnyRecord]:
    bill = invoice(owner, id=key, issued=due - timedelta(days=30), due=due, total="20000.00",
                   source=source)
    return [bill, payment(owner, id=f"P{key}", on=due + timedelta(days=60), amount="20000.00",
                          pays=bill, source=source)]


def _book(*, linked: bool) -> cg.Ledger:
    records: list[AnyRecord] = [customer("mark", "Mark Ltd", source="wave"),
                                customer("7", "Mark Ltd", source="ninja")]
    for k, (source, owner, due) in enumerate(DUES):
        records += _late_60(owner, f"M{k}", due, source)
    links = [(("wave", "mark"), ("ninja", "7"))] if linked else []
    return ledger(*records, links=links)


@pytest.mark.parametrize("named", ["ninja:7", "wave:mark", "Mark Ltd", "mark ltd"])
def test_a_linked_clients_claim_covers_both_tools(named: str) -> None:
    made = claim(_book(linked=True), named, as_of=AS_OF)
    assert made.totals == {"EUR": Decimal("1560.56")}
    assert sorted(line.invoice_id for line in made.invoices) == [
        "ninja:M2", "ninja:M3", "wave:M0", "wave:M1"]
    # Compensation: 4 late invoices x 40 EUR.
    assert made.compensation_totals == {"EUR": Decimal("160.00")}


def test_the_reviews_advised_claim_is_the_linked_claims_total() -> None:
    book = _book(linked=True)
    client = cg.review(book, as_of=AS_OF).clients["ninja:7"]
    advised = next(r for r in client.revisions if r.kind == "claim_late_interest")
    assert advised.amount == client.claimable == Decimal("1560.56")
    assert claim(book, "wave:mark", as_of=AS_OF).totals["EUR"] == advised.amount


def test_unlinked_customers_of_one_name_stay_two_debtors() -> None:
    book = _book(linked=False)
    assert claim(book, "wave:mark", as_of=AS_OF).totals == {"EUR": Decimal("813.16")}
    assert claim(book, "ninja:7", as_of=AS_OF).totals == {"EUR": Decimal("747.40")}
    with pytest.raises(ClaimError) as refused:
        claim(book, "Mark Ltd", as_of=AS_OF)
    words = str(refused.value)
    assert "not linked as one company" in words
    assert "Mark Ltd (id ninja:7)" in words
    assert "Mark Ltd (id wave:mark)" in words
    assert "give the id" in words


def test_a_group_of_different_companies_is_claimed_company_by_company() -> None:
    # Alpha and Beta are one group (one client in the review), not one company: a claim is
    # sent to each. Alpha (Wave and Ninja, linked) has the Feb invoice (366.58 + 40) and the
    # Aug and Oct ones (2 x (333.70 + 40)): 1,153.98; Beta the May one: 406.58.
    records: list[AnyRecord] = [
        customer("a", "Alpha GmbH", group="grp", source="wave"),
        customer("b", "Beta GmbH", group="grp", source="wave"),
        customer("7", "Alpha GmbH", source="ninja")]
    owners = {"mark": "a"}
    for k, (source, owner, due) in enumerate(DUES):
        records += _late_60("b" if k == 1 else owners.get(owner, owner), f"M{k}", due, source)
    book = ledger(*records, links=[(("wave", "a"), ("ninja", "7"))])
    assert claim(book, "Alpha GmbH", as_of=AS_OF).totals == {"EUR": Decimal("1153.98")}
    assert claim(book, "wave:a", as_of=AS_OF).totals == {"EUR": Decimal("1153.98")}
    assert claim(book, "Beta GmbH", as_of=AS_OF).totals == {"EUR": Decimal("406.58")}


@pytest.mark.parametrize("entry", ["wave:mark", "ninja:7"])
@pytest.mark.parametrize("named", ["ninja:7", "wave:mark", "Mark Ltd"])
def test_a_linked_client_is_claimed_under_one_law_whichever_id_is_named(
    entry: str, named: str
) -> None:
    # One debtor, one law: a client_jurisdictions entry for either of its ids puts the whole
    # company under Polish law. Its Ninja invoices (due 1 Aug and 1 Oct 2025) are then priced
    # at the NBP reference rate on 1 Jul 2025 (5.25%) + 10 points, 15.25%:
    # 20,000 x 60 x 15.25% / 365 = 501.37 each, not 333.70 at ECB + 8 with EUR 40 each (until
    # 2026-12-08 an entry for wave:mark left them under EU law in the same Polish document).
    book = _book(linked=True)
    policy = cg.Policy(client_jurisdictions={entry: "pl"})
    made = claim(book, named, as_of=AS_OF, policy=policy)
    assert made.jurisdiction == "pl"
    ninja = {line.invoice_id: line for line in made.invoices if line.invoice_id[:5] == "ninja"}
    assert {key: line.interest_claimed for key, line in ninja.items()} == {
        "ninja:M2": Decimal("501.37"), "ninja:M3": Decimal("501.37")}
    # The Polish Act's compensation is in PLN bands: a EUR debt without a rate gets none,
    # never the Directive's EUR 40.
    assert all(line.compensation_currency != "EUR" for line in made.invoices)
    # The review's advice is the same claim, under the same law.
    client = cg.review(book, as_of=AS_OF, policy=policy).clients["ninja:7"]
    advised = next(r for r in client.revisions if r.kind == "claim_late_interest")
    assert advised.amount == made.totals["EUR"]
    assert "(PL law)" in advised.message


def test_a_linked_client_with_two_laws_is_refused_naming_both() -> None:
    book = _book(linked=True)
    policy = cg.Policy(client_jurisdictions={"wave:mark": "pl", "ninja:7": "eu"})
    for run in (lambda: claim(book, "Mark Ltd", as_of=AS_OF, policy=policy),
                lambda: cg.review(book, as_of=AS_OF, policy=policy)):
        with pytest.raises(cg.ConfigError) as refused:
            run()
        words = str(refused.value)
        assert "ninja:7 = eu" in words
        assert "wave:mark = pl" in words
        assert "give one entry, for ninja:7" in words


@pytest.mark.parametrize(("lang", "linked_pair", "alone", "count"), [
    ("en", "Mark Ltd (ids ninja:7 + wave:mark, linked)", "Mark Ltd (id fresh:9)",
     "names 2 debtors"),
    ("pl", "Mark Ltd (identyfikatory ninja:7 + wave:mark, połączone)",
     "Mark Ltd (identyfikator fresh:9)", "wskazuje 2 dłużników"),
])
def test_a_name_of_a_linked_pair_and_another_customer_names_two_debtors(
    lang: str, linked_pair: str, alone: str, count: str
) -> None:
    # Mark Ltd in Wave and Ninja (linked: one debtor) and an unrelated Mark Ltd in a third
    # tool: two debtors, the linked pair named together (until 2026-12-08 "names 3 customers
    # that are not linked", the linked pair among them).
    from clientguard import i18n

    records: list[AnyRecord] = [customer("mark", "Mark Ltd", source="wave"),
                                customer("7", "Mark Ltd", source="ninja"),
                                customer("9", "Mark Ltd", source="fresh")]
    for k, (source, owner, due) in enumerate(DUES):
        records += _late_60(owner, f"M{k}", due, source)
    records += _late_60("9", "F1", date(2025, 3, 1), "fresh")
    three = ledger(*records, links=[(("wave", "mark"), ("ninja", "7"))])
    with i18n.using(lang), pytest.raises(ClaimError) as refused:
        claim(three, "Mark Ltd", as_of=AS_OF)
    words = str(refused.value)
    assert count in words
    assert linked_pair in words
    assert alone in words


def test_the_group_id_the_name_shows_keys_client_jurisdictions() -> None:
    # Alpha (Wave, linked with Ninja 7) and Beta are the group wave:grp; the link makes the
    # client's id ninja:7, but its name shows "(group wave:grp)": an entry for wave:grp puts
    # the group under Polish law (until 2026-12-08 it applied to no member, silently).
    records: list[AnyRecord] = [
        customer("a", "Alpha GmbH", group="grp", source="wave"),
        customer("b", "Beta GmbH", group="grp", source="wave"),
        customer("7", "Alpha GmbH", source="ninja")]
    for k, (source, owner, due) in enumerate(DUES):
        records += _late_60({"mark": "a", "7": "7"}[owner] if k != 1 else "b", f"M{k}", due,
                            source)
    book = ledger(*records, links=[(("wave", "a"), ("ninja", "7"))])
    policy = cg.Policy(client_jurisdictions={"wave:grp": "pl"})
    (client_id, client), = cg.review(book, as_of=AS_OF, policy=policy).clients.items()
    assert client_id == "ninja:7"
    assert "(group wave:grp)" in client.name
    advised = next(r for r in client.revisions if r.kind == "claim_late_interest")
    assert "(PL law)" in advised.message
    for named in ("Alpha GmbH", "Beta GmbH"):
        assert claim(book, named, as_of=AS_OF, policy=policy).jurisdiction == "pl"


def test_a_jurisdiction_key_that_names_no_one_is_said_with_the_nearest() -> None:
    # "wave:grq" (a typo of the group id wave:grp) names no customer, client or group: a note
    # of the review's data quality says so and offers wave:grp, where the key would otherwise
    # leave the group under the default law without a word.
    records: list[AnyRecord] = [customer("a", "Alpha GmbH", group="grp", source="wave"),
                                customer("b", "Beta GmbH", group="grp", source="wave"),
                                customer("7", "Alpha GmbH", source="ninja")]
    for k, (source, owner, due) in enumerate(DUES):
        records += _late_60({"mark": "a", "7": "7"}[owner], f"M{k}", due, source)
    book = ledger(*records, links=[(("wave", "a"), ("ninja", "7"))])
    policy = cg.Policy(client_jurisdictions={"wave:grq": "pl", "ninja:7": "eu"})
    quality = cg.review(book, as_of=AS_OF, policy=policy).data_quality
    said = [n for n in quality.notes if "client_jurisdictions" in n]
    assert said == ["The policy's client_jurisdictions names 'wave:grq', which is no customer, "
                    "client or group of the books: its law applies to no one; did you mean "
                    "'wave:grp'?"]
    assert [g.kind for g in quality.groups if g.kind == "policy_keys"] == ["policy_keys"]
