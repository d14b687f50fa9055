"""Several sources in one ledger: a record's identity is (source, kind, id), customers are
linked across sources only by the user, and every message names the source."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard import Ledger, Location, review, settle
from clientguard.errors import ConfigError, DataError
from clientguard.links import read_links, suggest_links
from clientguard.metrics.lateness import payment_profiles
from clientguard.model import AnyRecord
from clientguard.records import ledger_key, split_key
from clientguard.signals import concentration
from clientguard.testing import customer, invoice, ledger, payment

AS_OF = date(2025, 6, 30)


def two_tools() -> list[AnyRecord]:
    """The old tool (wave) and the new one (ninja) both number their invoices from 1."""
    wave_inv = invoice("mark", id="2", issued="2025-01-10", total="4974.00", source="wave")
    ninja_inv = invoice("ann", id="2", issued="2025-02-01", total="300.00", source="ninja")
    return [
        customer("mark", "Mark Walberg", source="wave"),
        customer("ann", "Ann Lee", source="ninja"),
        customer("7", "Mark Walberg", source="ninja"),
        wave_inv,
        ninja_inv,
        invoice("7", id="3", issued="2025-03-01", total="100.00", source="ninja"),
        # Each payment names invoice "2" of its own source.
        payment("mark", id="1", on="2025-02-20", amount="4974.00", pays={"2": "4974.00"},
                source="wave"),
        payment("ann", id="1", on="2025-02-15", amount="300.00", pays={"2": "300.00"},
                source="ninja"),
    ]


# ----------------------------------------------------------------------------- identity


def test_the_same_invoice_id_in_two_sources_is_two_invoices() -> None:
    book = Ledger.build(two_tools(), base_currency="EUR")
    assert book.report.ok
    assert book.sources == ("ninja", "wave")
    assert [(i.source, i.id, i.total) for i in book.invoices] == [
        ("wave", "wave:2", D("4974.00")), ("ninja", "ninja:2", D("300.00")),
        ("ninja", "ninja:3", D("100.00"))]
    # Allocations resolve within their source: each payment "1" pays its own invoice "2".
    assert [(a.document_id, a.date) for a in book.applications("wave:2")] == [
        ("wave:1", date(2025, 2, 20))]
    assert [(a.document_id, a.date) for a in book.applications("ninja:2")] == [
        ("ninja:1", date(2025, 2, 15))]
    settled = settle(book, as_of=AS_OF)
    assert settled["wave:2"].settled_on == date(2025, 2, 20)
    assert settled["ninja:2"].settled_on == date(2025, 2, 15)
    # Nothing is lost: the review has Wave's Mark Walberg, apart from Ninja's until linked.
    result = review(book, as_of=AS_OF)
    assert {"wave:mark", "ninja:7", "ninja:ann"} <= set(result.clients)
    assert result.sources == ("ninja", "wave")


def test_a_ledger_of_one_source_keeps_the_sources_ids() -> None:
    book = ledger(*[r for r in two_tools() if r.source == "ninja"])
    assert not book.keyed_by_source
    assert [i.id for i in book.invoices] == ["2", "3"]
    assert book.key("ninja", "2") == "2"
    assert set(settle(book, as_of=AS_OF)) == {"2", "3"}


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False))
def test_the_keys_do_not_depend_on_the_order_records_arrive_in(rnd: random.Random) -> None:
    records = two_tools()
    expected = Ledger.build(records, base_currency="EUR")
    rnd.shuffle(records)
    shuffled = Ledger.build(records, base_currency="EUR")
    assert shuffled.invoices == expected.invoices
    assert shuffled.payments == expected.payments
    assert shuffled.customer_ids == expected.customer_ids
    assert settle(shuffled, as_of=AS_OF) == settle(expected, as_of=AS_OF)


def test_an_allocation_never_reaches_into_another_source() -> None:
    # Wave has no invoice "9"; Ninja has: the Wave payment is rejected, not applied to it.
    records: list[AnyRecord] = [
        invoice("ann", id="9", issued="2025-01-10", total="50.00", source="ninja"),
        payment("mark", id="P", on="2025-02-01", amount="50.00", pays={"9": "50.00"},
                source="wave"),
    ]
    book = Ledger.build(records, base_currency="EUR", strict=False)
    (rejection,) = book.report.rejected
    assert (rejection.source, rejection.kind, rejection.record_id) == ("wave", "payment", "P")
    assert rejection.record is records[1]  # the record as the source gave it
    # The reason names the invoice by its ledger key: Wave's "9", which Wave does not have.
    assert "allocated to invoice wave:9, which is not in the ledger" in rejection.reason
    assert book.applications("ninja:9") == ()


def test_a_collision_within_a_source_names_both_records_sources_and_locations() -> None:
    first = invoice("a", id="2", issued="2025-01-10", total="10.00", source="wave")
    second = invoice("b", id="2", issued="2025-01-11", total="20.00", source="wave")
    other = invoice("c", id="2", issued="2025-01-12", total="30.00", source="ninja")
    locations = {
        ("invoice", "wave", "2"): Location("wave.csv", 4),
        ("invoice", "ninja", "2"): Location("ninja.csv", 9),
    }
    with pytest.raises(DataError) as caught:
        Ledger.build([first, other, second], base_currency="EUR", locations=locations)
    (problem,) = caught.value.problems
    assert (problem.source, problem.record_id, problem.field) == ("wave", "2", "id")
    assert "in source wave (first from wave, wave.csv, line 4)" in problem.reason
    assert str(problem).startswith("invoice 2 (wave, wave.csv, line 4): id: duplicate id")
    assert problem.record is second
    # Ninja's "2" is no collision at all.
    book = Ledger.build([first, other, second], base_currency="EUR", strict=False)
    assert [i.id for i in book.invoices] == ["wave:2", "ninja:2"]


def test_ledger_keys_split_back_into_source_and_id() -> None:
    assert ledger_key("wave", "2") == "wave:2"
    assert split_key("wave:2") == ("wave", "2")
    assert split_key("wave:urn:x:1") == ("wave", "urn:x:1")  # an id may hold a colon
    assert split_key("2") == (None, "2")


# ----------------------------------------------------------------------------- links


def test_linked_customers_are_one_client_for_every_signal() -> None:
    links = [(("wave", "mark"), ("ninja", "7"))]
    book = Ledger.build(two_tools(), base_currency="EUR", links=links)
    assert book.links == (("ninja:7", "wave:mark"),)
    client = book.group_of("wave:mark")
    assert client == book.group_of("ninja:7") == "ninja:7"
    assert book.members(client) == ("ninja:7", "wave:mark")
    revenue = concentration(book, as_of=AS_OF, basis="revenue")
    # 4,974.00 + 100.00 of 5,374.00: one client, not two.
    assert revenue.shares[client] == D("5074.00") / D("5374.00")
    result = review(book, as_of=AS_OF)
    assert client in result.clients
    assert "wave:mark" not in result.clients
    # Payment profiles stay per customer of a source, like the members of a group.
    assert set(payment_profiles(book, as_of=AS_OF)) >= {"wave:mark", "ninja:7"}


def test_unlinked_customers_of_two_sources_stay_apart() -> None:
    book = Ledger.build(two_tools(), base_currency="EUR")
    assert book.group_of("wave:mark") == "wave:mark"
    assert book.group_of("ninja:7") == "ninja:7"


def test_links_to_customers_the_ledger_lacks_are_left_out() -> None:
    links = [(("wave", "mark"), ("ninja", "nobody")), (("xero", "1"), ("wave", "mark"))]
    book = Ledger.build(two_tools(), base_currency="EUR", links=links)
    assert book.links == ()
    assert book.group_of("wave:mark") == "wave:mark"
    # Said in the load report (a library user sees no CLI warning): Ninja's "nobody", a typo
    # or a deleted customer; not Xero's "1", of a source this ledger does not hold.
    assert book.report.unknown_links == ("ninja:nobody",)
    assert book.report.notes[-1] == (
        "the links name customers the records do not hold, left out of their links: "
        "ninja:nobody (clientguard links suggest lists the customers' ids)")


def test_a_merge_says_a_link_to_a_missing_customer_once() -> None:
    links = [(("wave", "mark"), ("ninja", "nobody"))]
    wave = ledger(*[r for r in two_tools() if r.source == "wave"], links=links)
    ninja = ledger(*[r for r in two_tools() if r.source == "ninja"], links=links)
    assert wave.report.unknown_links == ()  # Ninja is not a source of this half
    assert ninja.report.unknown_links == ("ninja:nobody",)
    for merged in (wave.merge(ninja), ninja.merge(wave)):
        assert merged.report.unknown_links == ("ninja:nobody",)
        assert sum("ninja:nobody" in note for note in merged.report.notes) == 1


def test_links_join_groups_and_chain() -> None:
    records = [
        customer("a", source="s1", group="holding"),
        customer("b", source="s1", group="holding"),
        customer("x", source="s2"),
        customer("y", source="s3"),
    ]
    links = [(("s2", "x"), ("s1", "a")), (("s3", "y"), ("s2", "x"))]
    for order in (links, links[::-1]):
        book = Ledger.build(records, base_currency="EUR", links=order)
        clients = {book.group_of(c) for c in book.customer_ids}
        assert len(clients) == 1
        (client,) = clients
        assert book.members(client) == ("s1:a", "s1:b", "s2:x", "s3:y")


def test_a_merge_keeps_the_links_of_both() -> None:
    wave = ledger(*[r for r in two_tools() if r.source == "wave"],
                  links=[(("wave", "mark"), ("ninja", "7"))])
    ninja = ledger(*[r for r in two_tools() if r.source == "ninja"])
    merged = wave.merge(ninja)
    assert merged.group_of("wave:mark") == merged.group_of("ninja:7")
    assert merged.links == (("ninja:7", "wave:mark"),)
    # Both halves carrying the link: it is one link still.
    again = wave.merge(ledger(*[r for r in two_tools() if r.source == "ninja"],
                              links=[(("ninja", "7"), ("wave", "mark"))]))
    assert again.links == (("ninja:7", "wave:mark"),)


def test_suggestions_match_names_and_tax_ids_across_sources_only() -> None:
    customers = [
        customer("mark", "Mark Walberg", source="wave"),
        customer("7", "MARK WALBERG", source="ninja"),
        customer("8", "Mark Walberg", source="ninja"),   # the same source: never suggested
        customer("c1", "Acme Sp. z o.o.", tax_id="5252445767", source="fakturownia"),
        customer("cus_1", "ACME Poland", tax_id="5252445767", source="stripe"),
        customer("z", "Acme Media", source="zoho"),       # not Acme: nothing fuzzier
    ]
    suggested = suggest_links(customers)
    assert [(s.customer, s.same_as, s.matched_on) for s in suggested] == [
        (("fakturownia", "c1"), ("stripe", "cus_1"), "tax_id"),
        (("ninja", "7"), ("wave", "mark"), "name"),
        (("ninja", "8"), ("wave", "mark"), "name"),
    ]
    # Already linked (directly or through another link): not suggested again.
    again = suggest_links(customers, linked=[(("wave", "mark"), ("ninja", "7")),
                                             (("ninja", "8"), ("wave", "mark"))])
    assert [(s.customer, s.same_as) for s in again] == [
        (("fakturownia", "c1"), ("stripe", "cus_1"))]


def test_a_links_file_is_read_with_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    path.write_text("customer,same_as,matched_on\n# checked by Ann\nwave:mark,ninja:7,name\n\n"
                    "stripe:cus_1,fakturownia:c1\n")
    assert read_links(path) == [(("wave", "mark"), ("ninja", "7")),
                                (("stripe", "cus_1"), ("fakturownia", "c1"))]
    path.write_text("customer,same_as\nwave:mark,ninja-7\n")
    with pytest.raises(ConfigError, match=r"links.csv, line 2: 'ninja-7' does not name a cust"):
        read_links(path)
    path.write_text("left,right\nwave:mark,ninja:7\n")
    with pytest.raises(ConfigError, match="needs the columns customer, same_as"):
        read_links(path)


# ----------------------------------------------------------------------------- config


def write(folder: Path, text: str) -> Path:
    path = folder / "clientguard.toml"
    path.write_text('[sources.wave]\nconnector = "csv"\n[sources.ninja]\nconnector = "csv"\n'
                    + text)
    return path


def test_the_config_reads_links_from_its_table_and_files(tmp_path: Path) -> None:
    from clientguard.config import load_config

    (tmp_path / "links.csv").write_text("customer,same_as\nninja:8,wave:Mark Walberg\n")
    config = load_config(write(tmp_path, '[links]\nclients = [["wave:Mark Walberg", "ninja:7"]]\n'
                                         'files = ["links.csv"]\n'), env={})
    assert config.links == ((("wave", "Mark Walberg"), ("ninja", "7")),
                            (("ninja", "8"), ("wave", "Mark Walberg")))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('clients = [["wave:a", "xero:1"]]', "no source 'xero'"),
        ('clients = [["wave:a", "waev:1"]]', "did you mean 'wave'"),
        ('clients = [["wave:a"]]', "a link is a list of two or more customers"),
        ('clients = [["wave:a", "ninja"]]', "'ninja' does not name a customer"),
        ('client = [["wave:a", "ninja:1"]]', "unknown key 'client'; did you mean 'clients'"),
        # Read when a command needs the links (sync never does): then named as the config's,
        # and written by a command to the path the config reads (its folder's, not the name
        # alone, which a command run elsewhere would write elsewhere).
        ('files = ["missing.csv"]', r"missing.csv named in \[links\] files does not exist: "
                                    r"write it with clientguard links suggest > \S+/missing.csv"),
        ('files = ["links.csv"]', r"links.csv, line 2, column 2 \(same_as\): .*no source 'xero'"),
    ],
)
def test_a_bad_link_is_a_clear_error(tmp_path: Path, table: str, message: str) -> None:
    from clientguard.config import load_config

    (tmp_path / "links.csv").write_text("customer,same_as\nwave:a,xero:1\n")
    with pytest.raises(ConfigError, match=message):
        _ = load_config(write(tmp_path, f"[links]\n{table}\n"), env={}).links


def test_a_source_name_with_a_colon_cannot_key_a_ledger_of_several_sources() -> None:
    records = [invoice("a", id="1", issued="2025-01-10", total="1.00", source="books:2025"),
               invoice("a", id="1", issued="2025-01-10", total="1.00", source="wave")]
    with pytest.raises(DataError, match="source name 'books:2025' cannot key records"):
        Ledger.build(records, base_currency="EUR")


def test_a_record_is_found_by_its_ledger_key_or_as_its_source_gave_it() -> None:
    locations = {("invoice", "wave", "2"): Location("wave.csv", 3)}
    records = two_tools()
    book = Ledger.build(records, base_currency="EUR", locations=locations)
    keyed = book.invoice("wave:2")
    assert book.location_of(keyed) == Location("wave.csv", 3)
    assert book.location_of(records[3]) == Location("wave.csv", 3)  # as the source gave it
    assert book.source_id(records[3]) == "2"
