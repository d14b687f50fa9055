"""The reports show what the advice says can be claimed (docs/review.md, "Unapplied money";
docs/claims.md, "Disputed invoices"; docs/report-schema.md 1.10).

One book of three clients, as of 31 Dec 2025, every amount worked by hand below:

- D disputes: four invoices of 10,000 due 1 Feb, 13 Mar, 22 Apr and 1 Jun 2025, the 1st and
  3rd paid 40 days late; three of 10,000 due 1 Jul, 31 Jul and 30 Aug 2025, disputed and open.
- P is covered: four invoices of 10,000 due 1 Sep, 1 Oct, 1 Nov and 1 Dec 2025, open, and
  40,000.00 EUR paid on 15 Dec 2025 and allocated to nothing: it owes nothing net, and its
  invoices are judged and costed as paid on 15 Dec (docs/review.md, "Unapplied money").
- N is ordinary: one invoice of 10,000 due 1 Mar 2025, paid 40 days late.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import clientguard as cg
from clientguard.i18n import using
from clientguard.model import AnyRecord
from clientguard.report import render
from clientguard.report.document import claimable_text, review_document, schema
from clientguard.report.spreadsheet import COLUMNS
from clientguard.testing import customer, invoice, ledger, payment

AS_OF = date(2025, 12, 31)
NBSP = "\u00a0"


def _book() -> cg.Ledger:
    return ledger(*_records())


def _records() -> list[AnyRecord]:
    records: list[AnyRecord] = [customer("d", "D"), customer("p", "P"), customer("n", "N")]
    for k, late in enumerate([40, 0, 40, 0]):
        due = date(2025, 2, 1) + timedelta(days=40 * k)
        bill = invoice("d", id=f"U{k}", issued=due - timedelta(days=30), due=due,
                       total="10000.00")
        records += [bill, payment("d", id=f"PU{k}", on=due + timedelta(days=late),
                                  amount="10000.00", pays=bill)]
    for k in range(3):
        due = date(2025, 7, 1) + timedelta(days=30 * k)
        records.append(invoice("d", id=f"X{k}", issued=due - timedelta(days=30), due=due,
                               total="10000.00", disputed_on=due + timedelta(days=3)))
    for k, iso in enumerate(["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]):
        day = date.fromisoformat(iso)
        records.append(invoice("p", id=f"P{k}", issued=day - timedelta(days=30), due=day,
                               total="10000.00"))
    records.append(payment("p", id="PP", on="2025-12-15", amount="40000.00"))
    bill = invoice("n", id="N0", issued="2025-01-30", due="2025-03-01", total="10000.00")
    records += [bill, payment("n", id="PN", on="2025-04-10", amount="10000.00", pays=bill)]
    return records


# Statutory interest is the EU reference rate + 8 points: 11.15% in the first half of 2025,
# 10.15% in the second; compensation EUR 40 an invoice (Directive 2011/7/EU arts. 3, 6).
# D: U0 and U2, 40 days late: 10,000 x 0.1115 x 40 / 365 = 122.19, + 40 each: 324.38 claimed
#    now; X0 183 days (508.89), X1 153 (425.47), X2 123 (342.04), + 3 x 40: 1,396.40 held.
# P: on the books P0 121 days (10,000 x 0.1015 x 121 / 365 = 336.48), P1 91 (253.05), P2 60
#    (166.85), P3 30 (83.42), + 4 x 40: 999.80; paid on 15 Dec, P0 105 days (291.99), P1 75
#    (208.56), P2 44 (122.36), P3 14 (38.93), + 4 x 40: 821.84 claimed; applying the money
#    removes 999.80 - 821.84 = 177.96.
# N: 40 days late in the first half: 122.19 + 40 = 162.19.
# Financing at the policy's 10% a year, amount x 0.10 x days / 365: D 2 x 109.589 + 501.370 +
# 419.178 + 336.986 = 1,476.712; P on the books 331.507 + 249.315 + 164.384 + 82.192 = 827.397,
# paid on 15 Dec 10,000 x 0.10 x (105 + 75 + 44 + 14) / 365 = 652.055: 175.342 covered;
# N 109.589. Each client states its financing without the covered part and the covered part
# each rounded to the cent, its financing_cost their sum (docs/review.md, "The book and the
# data"): P 652.05 + 175.34 = 827.39 (until 2026-12-07 827.397 rounded once, 827.40, which
# less the 175.34 stated covered is 652.06, not the 652.05 its summary says).
CLIENTS = {
    #    claimable, disputed,  unapplied, unapplied money, financing, covered
    "d": ("1720.78", "1396.40", "0.00", "0.00", "1476.71", "0.00"),
    "p": ("999.80", "0.00", "177.96", "40000.00", "827.39", "175.34"),
    "n": ("162.19", "0.00", "0.00", "0.00", "109.59", "0.00"),
}


@pytest.fixture(scope="module")
def review() -> cg.Review:
    return cg.review(_book(), as_of=AS_OF)


@pytest.mark.parametrize("client_id", sorted(CLIENTS))
def test_the_json_carries_what_is_held_per_client(review: cg.Review, client_id: str) -> None:
    document = review_document(review)
    client = next(c for c in document["clients"] if c["client_id"] == client_id)
    fields = ("claimable", "claimable_disputed", "claimable_unapplied", "unapplied",
              "financing_cost", "financing_covered")
    assert tuple(client[f] for f in fields) == CLIENTS[client_id]


def test_the_books_totals_agree_with_the_clients(review: cg.Review) -> None:
    document = review_document(review)
    assert document["schema_version"] == "1.10"
    import jsonschema  # type: ignore[import-untyped]

    jsonschema.Draft202012Validator(schema()).validate(document)
    book = document["book"]
    # 1,720.78 + 999.80 + 162.19; the clients' financing as each states it, 1,476.71 + 827.39
    # + 109.59 (was 1,476.712 + 827.397 + 109.589 rounded once: 2,413.70, a cent off the
    # clients' JSON values added up).
    assert book["claimable"] == "2882.77"
    assert book["claimable_disputed"] == "1396.40"
    assert book["claimable_unapplied"] == "177.96"
    assert book["financing_cost"] == "2413.69"
    assert book["financing_covered"] == "175.34"
    for field in ("claimable", "claimable_disputed", "claimable_unapplied",
                  "financing_cost", "financing_covered"):
        assert getattr(review.book, field) == sum(
            (getattr(c, field) for c in review.clients.values()), Decimal(0))


def test_the_book_says_the_financing_its_clients_summaries_say(review: cg.Review) -> None:
    # P's financing is until its money came (652.055, stated 652.05), and so is the book's:
    # the clients' as each states it, 1,476.71 + 652.05 + 109.59 = 2,238.35 (until 2026-12-07
    # 1,476.712 + 652.055 + 109.589 rounded once, 2,238.36, a cent more than the clients'
    # sentences add up to); the law grants 324.38 + 821.84 + 162.19 = 1,308.41 now.
    assert ("Late payment cost 2,238.35 EUR in financing; the law grants 1,308.41 EUR in "
            "interest and compensation (1,396.40 EUR more on disputed invoices, held until the "
            "disputes are settled) (177.96 EUR more on invoices that unapplied payments and "
            "credit notes would pay).") in review.book.summary


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("lang", "fmt", "expected"), [
    ("en", "table", [
        "Cost of lateness: 1,476.71 EUR financing; 324.38 EUR claimable under late-payment "
        "law; 1,396.40 EUR held for disputes.",
        "Cost of lateness: 652.05 EUR financing; 821.84 EUR claimable under late-payment "
        "law; 177.96 EUR covered by unapplied money; 175.34 EUR of financing covered by "
        "unapplied money.",
    ]),
    ("en", "html", [
        "1,476.71 EUR in financing; 324.38 EUR claimable under late-payment law; 1,396.40 EUR "
        "held for disputes; 0.00 EUR time-barred and left out.",
        "652.05 EUR in financing; 821.84 EUR claimable under late-payment law; 177.96 EUR "
        "covered by unapplied money; 175.34 EUR of financing covered by unapplied money; 0.00 "
        "EUR time-barred and left out.",
        '<span class="muted">Lateness cost</span><b>2,238.35 EUR</b>',
        '<span class="muted">Claimable by law</span><b>1,308.41 EUR</b>',
        '<span class="muted">Held for disputes</span><b>1,396.40 EUR</b>',
        '<span class="muted">Covered by unapplied money</span><b>177.96 EUR</b>',
    ]),
    ("pl", "table", [
        f"324,38{NBSP}EUR do dochodzenia na podstawie przepisów o opóźnieniach w transakcjach "
        f"handlowych; wstrzymane do rozstrzygnięcia sporów: 1{NBSP}396,40{NBSP}EUR",
        f"pokryte nierozliczonymi wpłatami: 177,96{NBSP}EUR; koszt finansowania pokryty "
        f"nierozliczonymi wpłatami: 175,34{NBSP}EUR",
    ]),
    ("pl", "html", [
        f'<span class="muted">Wstrzymane do rozstrzygnięcia sporów</span>'
        f"<b>1{NBSP}396,40{NBSP}EUR</b>",
        f'<span class="muted">Pokryte nierozliczonymi wpłatami</span><b>177,96{NBSP}EUR</b>',
        f'<span class="muted">Do dochodzenia z ustawy</span><b>1{NBSP}308,41{NBSP}EUR</b>',
    ]),
])
def test_the_reports_show_claimable_now_and_what_is_held(
    lang: str, fmt: str, expected: list[str]
) -> None:
    with using(lang):
        review = cg.review(_book(), as_of=AS_OF, lang=lang)
        text = _one_line(render(review, fmt))
    for line in expected:
        assert _one_line(line) in text


def test_a_client_with_nothing_held_reads_as_before(review: cg.Review) -> None:
    # N holds nothing back: the JSON's new fields are zero, and its clause has no held part
    # (the reports detail only the clients to act on; N is ok).
    client = next(c for c in json.loads(render(review, "json"))["clients"]
                  if c["client_id"] == "n")
    assert (client["claimable_disputed"], client["claimable_unapplied"],
            client["financing_covered"]) == ("0.00", "0.00", "0.00")
    assert claimable_text(review, review.clients["n"]) == (
        "162.19 EUR claimable under late-payment law")


# --- the CSV and the portfolio's Parquet: the JSON's numbers, under the JSON's names -----------
# The JSON report (schema 1.10) is the specification of these columns: each is the JSON field
# of the same name, and CLIENTS above holds them as worked by hand (D's 1,396.40 held for its
# disputes, P's 177.96 and 175.34 covered by its unapplied 40,000.00).
_HELD_COLUMNS = ("claimable", "claimable_disputed", "claimable_unapplied", "financing_cost",
                 "financing_covered")


@pytest.mark.parametrize(("lang", "dialect", "delimiter"), [
    ("en", "rfc4180", ","),
    ("pl", "rfc4180", ","),  # the default's numbers never change with the language
    ("pl", "excel", ";"),  # Excel on a Polish Windows: decimal commas, as its other money
])
def test_the_csv_carries_what_is_held_per_client_as_the_json_names_it(
    lang: str, dialect: str, delimiter: str
) -> None:
    with using(lang):
        review = cg.review(_book(), as_of=AS_OF, lang=lang)
        text = render(review, "csv", csv_dialect=dialect)
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))
    # The old columns keep their places; the new ones come last, as time_barred did.
    assert len(rows[0]) == len(COLUMNS)
    assert COLUMNS[:15] == (
        "as_of", "currency", "client_id", "client_name", "recommendation", "signal",
        "severity", "metric", "value", "threshold", "message", "revenue_share",
        "financing_cost", "claimable", "time_barred")
    assert COLUMNS[15:] == ("claimable_disputed", "claimable_unapplied", "financing_covered")
    if lang == "pl":
        assert rows[0][15:] == ["Wstrzymane do rozstrzygnięcia sporów",
                                "Pokryte nierozliczonymi wpłatami",
                                "Koszt finansowania pokryty nierozliczonymi wpłatami"]
    by_client: dict[str, set[tuple[str, ...]]] = {}
    for row in rows[1:]:
        cells = dict(zip(COLUMNS, row, strict=True))
        if cells["client_id"]:
            by_client.setdefault(cells["client_id"], set()).add(
                tuple(cells[c] for c in _HELD_COLUMNS))
    for client_id, (claimable, disputed, unapplied, _money, financing, covered) in (
            CLIENTS.items()):
        expected: tuple[str, ...] = (claimable, disputed, unapplied, financing, covered)
        if dialect == "excel":
            expected = tuple(v.replace(".", ",") for v in expected)
        # Every row of the client repeats them, so that a filter keeps them.
        assert by_client[client_id] == {expected}


def test_the_csv_says_what_the_advice_asks_now() -> None:
    # claimable - claimable_disputed - claimable_unapplied, per client, is the amount the text
    # report advises claiming now: D 1,720.78 - 1,396.40 = 324.38, P 999.80 - 177.96 = 821.84.
    review = cg.review(_book(), as_of=AS_OF)
    rows = list(csv.DictReader(io.StringIO(render(review, "csv"))))
    now = {r["client_id"]: Decimal(r["claimable"]) - Decimal(r["claimable_disputed"])
           - Decimal(r["claimable_unapplied"]) for r in rows if r["client_id"]}
    assert now == {"d": Decimal("324.38"), "p": Decimal("821.84"), "n": Decimal("162.19")}
    text = render(review, "table")
    assert "324.38 EUR claimable under late-payment law" in text
    assert "821.84 EUR claimable under late-payment law" in text


def test_the_portfolio_parquet_carries_what_is_held_for_the_book(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="the portfolio's output needs clientguard[parquet]")
    from clientguard.portfolio import FirmRecords, read_output, review_firm
    from clientguard.portfolio.output import write_result

    result = review_firm("f", FirmRecords("f", "EUR", tuple(_records())), as_of=AS_OF)
    write_result(tmp_path, result)
    (firm,), _findings = read_output(tmp_path)
    assert firm.status == "reviewed", firm.reason
    # The book's, as test_the_books_totals_agree_with_the_clients works them and the JSON's
    # book says them: lateness_cost is the JSON's financing_cost.
    assert (firm.claimable, firm.claimable_disputed, firm.claimable_unapplied,
            firm.lateness_cost, firm.financing_covered) == (
        Decimal("2882.77"), Decimal("1396.40"), Decimal("177.96"), Decimal("2413.69"),
        Decimal("175.34"))
