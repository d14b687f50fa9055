"""Rows of a report-style export that are not records: totals and subtotals (filled in or
written for Excel), the header again at a page break, page furniture (a title, ``Strona 1 z
3``), and a layout grouped by customer that names the customer on a group's first row only.

None of them may become a record, and none may vanish without a word: each is rejected with
a reason that says what the row is and the mapping rule that leaves such rows out (see
docs/connectors/csv.md, *Files*). Each file is read both ways (the row reader and the
columnar reader), and the two must give the same."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard.model import Invoice
from clientguard.records import Rejection
from clientguard_csv.columnar import arrow_available
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Item, Loaded, Reader, ReadLog, Skipped, read_records

Write = Callable[..., Path]

READERS: tuple[Reader, ...] = ("python", "arrow") if arrow_available() else ("python",)


def read(write: Write, mapping: dict[str, Any], text: str) -> tuple[list[Item], ReadLog]:
    """Read an invoices file both ways; the items and log, the same either way."""
    paths = {"invoices": [write("invoices.csv", text)]}
    parsed = mapping_from_dict(mapping)
    outcomes = []
    for reader in READERS:
        log = ReadLog()
        outcomes.append((list(read_records(parsed, paths, log=log, reader=reader)), log))
    (items, log), *others = outcomes
    for other_items, other_log in others:
        assert other_items == items
        assert [i.location for i in other_items] == [i.location for i in items]
        assert other_log == log
    return items, log


def numbers(items: list[Item]) -> list[str]:
    return [i.record.number for i in items
            if isinstance(i, Loaded) and isinstance(i.record, Invoice)]


def rejections(items: list[Item]) -> list[tuple[int | None, str]]:
    return [(r.location.line if r.location else None, r.reason)
            for r in items if isinstance(r, Rejection)]


def _mapping(columns: dict[str, str]) -> dict[str, Any]:
    return {"currency": "PLN", "delimiter": ";", "decimal": ",", "date_formats": ["%d.%m.%Y"],
            "invoices": {"default_terms_days": 14, "columns": columns}}


#: Customers by name (never the columnar reader's short way) and by id (the short way for a
#: known customer: a totals row naming one must still not take it).
BY_NAME = _mapping({"number": "Numer", "customer_name": "Kontrahent", "issue_date": "Data",
                    "total": "Brutto"})
BY_ID = _mapping({"number": "Numer", "customer_id": "Kontrahent", "issue_date": "Data",
                  "total": "Brutto"})
HEADER = "Numer;Kontrahent;Data;Brutto\n"
GOOD = "F/1;Acme;01.02.2026;100,00\nF/2;Beta;01.02.2026;200,00\n"


def totals_reason(word: str, how: str) -> str:
    return (f"this row is a totals line ({word!r}), not a record: leave such lines out with "
            f"{how} in the mapping's [invoices] table (the rows it leaves out are counted as "
            "skipped)")


# ---------------------------------------------------------------- totals lines, filled in

@pytest.mark.parametrize("mapping", [BY_NAME, BY_ID], ids=["by-name", "by-id"])
@pytest.mark.parametrize(
    ("last_row", "word", "how"),
    [
        # Filled in: the number cell holds the label (every other cell filled too).
        ("Ogółem;2 faktury;01.02.2026;300,00", "Ogółem", "drop = { 'Numer' = ['Ogółem'] }"),
        ("Razem;Acme;01.02.2026;300,00", "Razem", "drop = { 'Numer' = ['Razem'] }"),
        ("Suma;Acme;01.02.2026;300,00", "Suma", "drop = { 'Numer' = ['Suma'] }"),
        ("Total;Acme;01.02.2026;300,00", "Total", "drop = { 'Numer' = ['Total'] }"),
        ("Grand total;Acme;01.02.2026;300,00", "Grand total",
         "drop = { 'Numer' = ['Grand total'] }"),
        ("RAZEM:;Acme;01.02.2026;300,00", "RAZEM:", "drop = { 'Numer' = ['RAZEM:'] }"),
        ("OGÓŁEM;Acme;01.02.2026;300,00", "OGÓŁEM", "drop = { 'Numer' = ['OGÓŁEM'] }"),
        ("ŁĄCZNIE;Acme;01.02.2026;300,00", "ŁĄCZNIE", "drop = { 'Numer' = ['ŁĄCZNIE'] }"),
        ("Podsumowanie;Acme;01.02.2026;300,00", "Podsumowanie",
         "drop = { 'Numer' = ['Podsumowanie'] }"),
        ("Subtotal;Acme;01.02.2026;100,00", "Subtotal", "drop = { 'Numer' = ['Subtotal'] }"),
        # A per-customer subtotal: the label and the words after it.
        ("Razem klient Acme;Acme;01.02.2026;100,00", "Razem klient Acme",
         "drop = { 'Numer' = ['Razem klient Acme'] }"),
        ("Suma dla Acme;Acme;;100,00", "Suma dla Acme", "skip_blank = ['Data']"),
        (";Razem klient Acme;;100,00", "Razem klient Acme", "skip_blank = ['Numer']"),
        # With the customer left empty, as most reports write it.
        ("Razem;;01.02.2026;300,00", "Razem", "skip_blank = ['Kontrahent']"),
        # Written for Excel: the text inside ="..." (with no customer and no date too, it is
        # skipped: tests/test_messy_exports.py).
        ('="Total";;01.02.2026;300,00', "Total", "skip_blank = ['Kontrahent']"),
        ('="Razem";Acme;01.02.2026;300,00', "Razem", "drop = { 'Numer' = ['Razem'] }"),
        (';="Razem";;300,00', "Razem", "skip_blank = ['Numer']"),
    ],
)
def test_a_totals_row_is_never_an_invoice_and_its_rejection_says_what_it_is(
    mapping: dict[str, Any], last_row: str, word: str, how: str, write: Write
) -> None:
    items, log = read(write, mapping, HEADER + GOOD + last_row + "\n")
    assert numbers(items) == ["F/1", "F/2"]
    assert rejections(items) == [(4, totals_reason(word, how))]
    # Two customers and two invoices; no customer made from the totals row ('2 faktury').
    assert (log.files[0].records, log.files[0].rejected) == (4, 1)


def test_a_label_in_the_first_cell_of_a_customer_first_layout_is_a_totals_row(
    write: Write
) -> None:
    # The label is the row's first cell, in the customer column; '2 faktury' is the count of
    # invoices the report writes where a number goes.
    mapping = _mapping({"customer_name": "Kontrahent", "number": "Numer", "issue_date": "Data",
                        "total": "Brutto"})
    items, _ = read(write, mapping, "Kontrahent;Numer;Data;Brutto\n"
                    "Acme;F/1;01.02.2026;100,00\nBeta;F/2;01.02.2026;200,00\n"
                    "Ogółem;2 faktury;01.02.2026;300,00\n")
    assert numbers(items) == ["F/1", "F/2"]
    assert rejections(items) == [
        (4, totals_reason("Ogółem", "drop = { 'Kontrahent' = ['Ogółem'] }"))]


@pytest.mark.parametrize(
    ("customer", "totals"),
    [
        ("Total SAS", False),  # a French company's legal form, not a currency
        ("Suma SPA", False),  # an Italian one
        ("Total Polska", False),
        ("Razem PLN", True),  # a currency's total
        ("Razem zł", True),
    ],
)
def test_a_customer_named_with_a_totals_word_and_a_legal_form_is_a_customer(
    customer: str, totals: bool, write: Write
) -> None:
    mapping = _mapping({"customer_name": "Kontrahent", "number": "Numer", "issue_date": "Data",
                        "total": "Brutto"})
    items, _ = read(write, mapping, "Kontrahent;Numer;Data;Brutto\n"
                    f"Acme;F/1;01.02.2026;100,00\n{customer};F/2;01.02.2026;200,00\n")
    assert numbers(items) == (["F/1"] if totals else ["F/1", "F/2"])
    assert len(rejections(items)) == (1 if totals else 0)


@pytest.mark.parametrize(
    "row",
    [
        "TOTAL-1;Acme;01.02.2026;50,00",  # a number that starts with the word
        "Suma 1/2026;Acme;01.02.2026;50,00",  # the word, then a number: an invoice number
        "SUM2026/7;Acme;01.02.2026;50,00",
        "Razem-01;Acme;01.02.2026;50,00",
    ],
)
@pytest.mark.parametrize("mapping", [BY_NAME, BY_ID], ids=["by-name", "by-id"])
def test_an_invoice_number_that_starts_with_a_totals_word_is_an_invoice(
    row: str, mapping: dict[str, Any], write: Write
) -> None:
    items, _ = read(write, mapping, HEADER + GOOD + row + "\n")
    assert numbers(items) == ["F/1", "F/2", row.split(";")[0]]
    assert rejections(items) == []


def test_the_suggested_drop_rule_leaves_filled_totals_rows_out_and_counts_them(
    write: Write
) -> None:
    mapping = {**BY_NAME, "invoices": {**BY_NAME["invoices"],
                                       "drop": {"Numer": ["Ogółem"]}}}
    items, log = read(write, mapping, HEADER + GOOD + "Ogółem;2 faktury;01.02.2026;300,00\n")
    assert numbers(items) == ["F/1", "F/2"]
    assert rejections(items) == []
    assert log.files[0].skipped == 1


def test_subtotals_of_a_grouped_file_are_each_named(write: Write) -> None:
    # group_rows: 'Razem' under each customer's invoices is not one document interrupted.
    mapping = {**BY_NAME, "invoices": {**BY_NAME["invoices"], "group_rows": True}}
    items, _ = read(write, mapping, HEADER + "F/1;Acme;01.02.2026;100,00\nRazem;Acme;;100,00\n"
                    "F/2;Beta;01.02.2026;200,00\nRazem;Beta;;200,00\n")
    assert numbers(items) == ["F/1", "F/2"]
    assert rejections(items) == [(3, totals_reason("Razem", "skip_blank = ['Data']")),
                                 (5, totals_reason("Razem", "skip_blank = ['Data']"))]


# ---------------------------------------------------------------- the header at a page break

@pytest.mark.parametrize(
    "again",
    [
        "Numer;Kontrahent;Data;Brutto",
        "\nNumer;Kontrahent;Data;Brutto",  # a blank line before it
        '="Numer";="Kontrahent";="Data";="Brutto"',  # written for Excel
        "Numer;Kontrahent;Data;Brutto;",  # a trailing delimiter
        "NUMER ; Kontrahent;Data;Brutto",
    ],
)
def test_the_header_again_at_a_page_break_is_said_to_be_one(again: str, write: Write) -> None:
    text = HEADER + GOOD + again + "\nF/3;Gamma;01.02.2026;5,00\n"
    items, _ = read(write, BY_NAME, text)
    assert numbers(items) == ["F/1", "F/2", "F/3"]
    [(line, reason)] = rejections(items)
    assert line == text.count("\n", 0, text.rindex(again.strip())) + 1
    assert reason.startswith("this row repeats the header (line 1)")
    assert "drop = { 'Numer' = ['Numer'] }" in reason


def test_the_suggested_rule_leaves_every_repeated_header_out(write: Write) -> None:
    mapping = {**BY_NAME, "invoices": {**BY_NAME["invoices"], "drop": {"Numer": ["Numer"]}}}
    items, log = read(write, mapping, HEADER + GOOD + '="Numer";="Kontrahent";="Data";="Brutto"'
                      "\nF/3;Gamma;01.02.2026;5,00\n" + HEADER)
    assert numbers(items) == ["F/1", "F/2", "F/3"]
    assert rejections(items) == []
    assert log.files[0].skipped == 2


# ---------------------------------------------------------------- page furniture

@pytest.mark.parametrize(
    "row",
    [
        "Strona 1 z 3;;;",
        "Page 1 of 3;;;",
        "Wygenerowano: 2026-12-01;;;",
        "Zestawienie faktur za 2026;;;",  # the next page's title
        ";Strona 2 z 3;;",
    ],
)
def test_a_row_of_one_cell_keeps_its_reason_and_says_how_to_leave_such_rows_out(
    row: str, write: Write
) -> None:
    items, _ = read(write, BY_NAME, HEADER + GOOD + row + "\nF/3;Gamma;01.02.2026;5,00\n")
    assert numbers(items) == ["F/1", "F/2", "F/3"]
    [(line, reason)] = rejections(items)
    assert line == 4
    cell = next(c for c in row.split(";") if c)
    empty = "Kontrahent" if row[0] != ";" else "Numer"
    assert reason.endswith(
        f"; the row holds only {cell!r}: if it is a report's title, page number or note, "
        f"leave such rows out with skip_blank = [{empty!r}] in the mapping's [invoices] table")


def test_a_one_cell_row_that_is_an_invoices_start_keeps_its_own_reason(write: Write) -> None:
    # An invoice number alone: the customer missing is the whole story.
    items, _ = read(write, BY_NAME, HEADER + GOOD + "F/3;;;\n")
    [(_, reason)] = rejections(items)
    assert "holds only" not in reason


# ---------------------------------------------------------------- grouped by customer

@pytest.mark.parametrize("mapping", [BY_NAME, BY_ID], ids=["by-name", "by-id"])
def test_a_customer_named_on_a_groups_first_row_only_is_never_guessed(
    mapping: dict[str, Any], write: Write
) -> None:
    items, _ = read(write, mapping, HEADER + "F/1;Acme;01.02.2026;100,00\n"
                    "F/2;;02.02.2026;200,00\nF/3;;03.02.2026;50,00\n"
                    "F/4;Beta;01.02.2026;5,00\n")
    assert numbers(items) == ["F/1", "F/4"]
    found = rejections(items)
    assert [line for line, _ in found] == [3, 4]
    for _, reason in found:
        assert reason == (
            "the row names no customer ('Kontrahent' is empty), as in a report that names "
            "each customer on the first row of their group only: fill the name in on every "
            "row (the reader never takes it from the rows above)")


def test_a_first_row_without_a_customer_says_only_that(write: Write) -> None:
    items, _ = read(write, BY_NAME, HEADER + "F/1;;01.02.2026;100,00\n")
    assert rejections(items) == [(2, "the row names no customer")]


# ---------------------------------------------------------------- the rule, as a property

_WORDS = ["Total", "Totals", "Grand total", "Subtotal", "Sum", "Suma", "Razem", "Ogółem",
          "Łącznie", "Podsumowanie"]


def _any_case(draw: st.DrawFn, word: str) -> str:
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in word)


@st.composite
def _labels(draw: st.DrawFn) -> str:
    """A totals word in any case, alone, before a colon, or before words."""
    word = _any_case(draw, draw(st.sampled_from(_WORDS)))
    tail = draw(st.sampled_from(["", ":", ": 300,00", " klient Acme", " PLN", " for Beta"]))
    return word + tail


@st.composite
def _numbers(draw: st.DrawFn) -> str:
    """A totals word in any case, joined to or followed by a digit: an invoice number."""
    word = _any_case(draw, draw(st.sampled_from(_WORDS)))
    return word + draw(st.sampled_from(["-1", "1", "/2026/01", " 1/2026", "_7"]))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=_labels(), customer=st.sampled_from(["", "Acme"]),
       day=st.sampled_from(["", "01.02.2026"]))
def test_a_totals_label_in_the_number_cell_never_makes_an_invoice(
    label: str, customer: str, day: str, write: Write
) -> None:
    items, _ = read(write, BY_ID, HEADER + GOOD + f"{label};{customer};{day};300,00\n")
    assert numbers(items) == ["F/1", "F/2"]
    bare = label.removesuffix(":").casefold() in {w.casefold() for w in _WORDS}
    if bare and not customer and not day:
        # The word alone (or before a colon), no customer, no date: skipped, not rejected.
        assert rejections(items) == []
        assert [i.location.line for i in items if isinstance(i, Skipped)] == [4]
        return
    [(line, reason)] = rejections(items)
    assert line == 4
    assert reason.startswith(f"this row is a totals line ({label!r})")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=_numbers())
def test_a_totals_word_joined_to_a_number_is_an_invoice_number(
    number: str, write: Write
) -> None:
    items, _ = read(write, BY_ID, HEADER + GOOD + f"{number};Acme;01.02.2026;300,00\n")
    assert numbers(items) == ["F/1", "F/2", number]


# ---------------------------------------------------------------- a subtotal per customer

#: A report that closes each customer's invoices with a filled-in subtotal: every identity
#: cell holds something, so only a drop rule can leave those rows out.
PER_CUSTOMER = (HEADER + "F/1;Acme;01.02.2026;100,00\nRazem klient Acme;Acme;01.02.2026;100,00\n"
                "F/2;Beta;01.02.2026;200,00\nRazem klient Beta;Beta;01.02.2026;200,00\n"
                "F/3;Gamma;01.02.2026;5,00\nRAZEM KLIENT Gamma;Gamma;01.02.2026;5,00\n")


@pytest.mark.parametrize("mapping", [BY_NAME, BY_ID], ids=["by-name", "by-id"])
def test_a_subtotal_per_customer_is_named_with_a_pattern_once_a_second_one_comes(
    mapping: dict[str, Any], write: Write
) -> None:
    items, _ = read(write, mapping, PER_CUSTOMER)
    assert numbers(items) == ["F/1", "F/2", "F/3"]
    # The first knows of no other: its own label. The later ones share its start: one rule
    # for every customer's, written as the row writes it.
    assert rejections(items) == [
        (3, totals_reason("Razem klient Acme", "drop = { 'Numer' = ['Razem klient Acme'] }")),
        (5, totals_reason("Razem klient Beta",
                          "drop_matching = { 'Numer' = ['Razem klient *'] }")),
        (7, totals_reason("RAZEM KLIENT Gamma",
                          "drop_matching = { 'Numer' = ['RAZEM KLIENT *'] }")),
    ]


def test_the_proposed_pattern_leaves_every_subtotal_out_and_counts_them(
    write: Write
) -> None:
    mapping = {**BY_NAME, "invoices": {**BY_NAME["invoices"],
                                       "drop_matching": {"Numer": ["Razem klient *"]}}}
    items, log = read(write, mapping, PER_CUSTOMER + "Razem-01;Delta;01.02.2026;7,00\n")
    # The invoice whose number starts with the word, but not with the pattern, stays.
    assert numbers(items) == ["F/1", "F/2", "F/3", "Razem-01"]
    assert rejections(items) == []
    assert log.files[0].skipped == 3
    assert [(i.location.line, i.reason) for i in items if isinstance(i, Skipped)] == [
        (3, "invoices.drop_matching: 'Numer' is 'Razem klient Acme', which matches "
            "'Razem klient *'"),
        (5, "invoices.drop_matching: 'Numer' is 'Razem klient Beta', which matches "
            "'Razem klient *'"),
        (7, "invoices.drop_matching: 'Numer' is 'RAZEM KLIENT Gamma', which matches "
            "'Razem klient *'"),
    ]


def test_a_pattern_reads_a_cell_written_for_excel_as_the_text_inside(write: Write) -> None:
    mapping = {**BY_NAME, "invoices": {**BY_NAME["invoices"],
                                       "drop_matching": {"Numer": ["Total for *"]}}}
    items, log = read(write, mapping, HEADER + GOOD + '="Total for Acme";Acme;01.02.2026;1,00\n')
    assert numbers(items) == ["F/1", "F/2"]
    assert (rejections(items), log.files[0].skipped) == ([], 1)


@pytest.mark.parametrize(
    ("labels", "how"),
    [
        (["Total for Acme", "Total for Beta"], "drop_matching = { 'Numer' = ['Total for *'] }"),
        # Only the totals word in common: no pattern ("Suma *" would match more than totals).
        (["Suma dla Acme", "Suma Beta"], "drop = { 'Numer' = ['Suma Beta'] }"),
        # The same label again: drop names it, and leaves them all out.
        (["Razem", "Razem"], "drop = { 'Numer' = ['Razem'] }"),
        # Two labels without a whole word in common: each its own.
        (["Razem Acme", "Suma Beta"], "drop = { 'Numer' = ['Suma Beta'] }"),
    ],
)
def test_the_rule_of_a_second_label_is_the_start_both_share_if_any(
    labels: list[str], how: str, write: Write
) -> None:
    rows = "".join(f"{label};Acme;01.02.2026;1,00\n" for label in labels)
    items, _ = read(write, BY_NAME, HEADER + GOOD + rows)
    assert numbers(items) == ["F/1", "F/2"]
    assert rejections(items)[-1] == (5, totals_reason(labels[-1], how))


def test_the_pattern_rule_reads_the_same_in_a_grouped_file(write: Write) -> None:
    mapping = {**BY_NAME, "invoices": {**BY_NAME["invoices"], "group_rows": True}}
    items, _ = read(write, mapping, PER_CUSTOMER)
    assert numbers(items) == ["F/1", "F/2", "F/3"]
    assert [reason for _, reason in rejections(items)][1:] == [
        totals_reason("Razem klient Beta", "drop_matching = { 'Numer' = ['Razem klient *'] }"),
        totals_reason("RAZEM KLIENT Gamma", "drop_matching = { 'Numer' = ['RAZEM KLIENT *'] }"),
    ]


# ---------------------------------------------------------------- grouped by customer: money

_GROUPED_REASON = (
    "the row names no customer ('Kontrahent' is empty), and no invoice whose customer could "
    "be used, as in a report that names each customer on the first row of their group only: "
    "fill the name in on every row (the reader never takes it from the rows above)")

_STREAMS: dict[str, tuple[dict[str, str], str]] = {
    "payments": ({"customer_name": "Kontrahent", "date": "Data", "amount": "Kwota"},
                 "Kontrahent;Data;Kwota\n"),
    "credit_notes": ({"number": "Numer", "customer_name": "Kontrahent", "issue_date": "Data",
                      "total": "Kwota"}, "Numer;Kontrahent;Data;Kwota\n"),
}


def read_stream(write: Write, stream: str, text: str) -> list[Item]:
    """Read a payments or credit notes file both ways; the items, the same either way."""
    columns, _ = _STREAMS[stream]
    mapping = mapping_from_dict({**BY_NAME, stream: {"columns": columns}})
    path = write(f"{stream}.csv", text)
    outcomes = [list(read_records(mapping, {stream: [path]}, log=ReadLog(), reader=reader))
                for reader in READERS]
    for other in outcomes[1:]:
        assert other == outcomes[0]
    return outcomes[0]


_GENERIC_REASON = "the row names no customer, and no invoice whose customer could be used"


@pytest.mark.parametrize(
    ("stream", "rows"),
    [
        # The first row has no rows above that named theirs: the generic reason; nor has a
        # row of one cell, which is no grouped record.
        ("payments", ";02.02.2026;1,00\nAcme;03.02.2026;100,00\n;04.02.2026;200,00\n"
                     ";05.02.2026;5,00\n;;9,00\n"),
        ("credit_notes", "K/0;;02.02.2026;1,00\nK/1;Acme;03.02.2026;10,00\n"
                         "K/2;;04.02.2026;20,00\nK/3;;05.02.2026;5,00\nK/4;;;\n"),
    ],
)
def test_money_of_a_customer_named_on_a_groups_first_row_only_names_the_layout(
    stream: str, rows: str, write: Write
) -> None:
    items = read_stream(write, stream, _STREAMS[stream][1] + rows)
    assert rejections(items) == [(2, _GENERIC_REASON), (4, _GROUPED_REASON),
                                 (5, _GROUPED_REASON), (6, _GENERIC_REASON)]
    assert sum(isinstance(i, Loaded) for i in items) == 2  # Acme, and its one record
