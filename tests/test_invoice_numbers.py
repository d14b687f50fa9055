"""Invoices are named to a person by the number printed on them, not by the source's id.

A Zoho export's "Invoice ID" is a 19-digit internal id (``2076395000000078023``) while its
"Invoice Number" is ``INV-000103``, the number the owner and the client know. Every sentence,
table and report a person reads names the invoice by its number (the claim always did);
machine fields (JSON ids, the keys a saved review is compared on) keep the id
(docs/concepts.md, "Invoice numbers and ids").
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from clientguard import cli as cli_module
from clientguard import i18n
from clientguard.changes import ChangeKind, compare, summarize
from clientguard.claims import claim
from clientguard.cli import EXIT_OK, main
from clientguard.findings import Signal
from clientguard.ledger import Ledger
from clientguard.model import Invoice
from clientguard.report.document import review_document
from clientguard.report.html import render_html
from clientguard.report.table import render_table
from clientguard.review import Review, review
from clientguard.testing import customer, invoice, ledger

AS_OF = date(2026, 6, 30)
ID_103, ID_104 = "2076395000000078023", "2076395000000078024"


def zoho_book() -> Ledger:
    """The reviewer's Zoho export (/tmp/rev-newuser/repro_ids.sh): two invoices paid 50 days
    late, INV-000103 open since its due date 2026-02-09 and INV-000104 not yet due."""
    return ledger(
        customer("460000000026049", name="Acme"),
        invoice("460000000026049", id="2076395000000078021", number="INV-000101",
                issued="2025-09-01", due="2025-10-01", total="2000.00", paid="2025-11-20"),
        invoice("460000000026049", id="2076395000000078022", number="INV-000102",
                issued="2025-11-01", due="2025-12-01", total="1500.00", paid="2026-01-20"),
        invoice("460000000026049", id=ID_103, number="INV-000103",
                issued="2026-01-10", due="2026-02-09", total="1200.00"),
        invoice("460000000026049", id=ID_104, number="INV-000104",
                issued="2026-06-10", due="2026-07-10", total="900.00"),
    )


@pytest.fixture(scope="module", params=["en", "pl"])
def reviewed(request: pytest.FixtureRequest) -> tuple[str, Review]:
    lang: str = request.param
    return lang, review(zoho_book(), as_of=AS_OF, lang=lang)


def test_every_text_a_person_reads_names_the_invoices_by_number(
    reviewed: tuple[str, Review],
) -> None:
    lang, done = reviewed
    acme = done.clients["460000000026049"]
    with i18n.using(lang):
        shown = {
            "findings": "\n".join(f.message for f in acme.findings),
            "summary": acme.summary,
            "evidence": acme.evidence,
            "table": render_table(done),
            "html": render_html(done),
        }
    for where, text in shown.items():
        # Before: "invoice 2076395000000078023 is 141 days past due"; no id anywhere now.
        assert ID_103 not in text, where
        assert ID_104 not in text, where
    assert "INV-000103" in shown["findings"]
    # The forecast's table in the HTML: one row per open invoice, headed by its number.
    assert re.search(r"<t[hd][^>]*>(<bdi>)?INV-000103", shown["html"])
    assert re.search(r"<t[hd][^>]*>(<bdi>)?INV-000104", shown["html"])


@pytest.mark.parametrize(("lang", "sentence"), [
    # 2026-02-09 to 2026-06-30: 19 days of February, then 31 + 30 + 31 + 30 = 141 days.
    ("en", "; invoice INV-000103 is 141 days past due and unpaid"),
    ("pl", "; faktura INV-000103 jest 141 dni po terminie i nieopłacona"),
])
def test_the_oldest_open_invoice_is_named_by_its_number(lang: str, sentence: str) -> None:
    done = review(zoho_book(), as_of=AS_OF, lang=lang)
    (chronic,) = [f for f in done.clients["460000000026049"].findings
                  if f.signal is Signal.CHRONIC_LATE]
    assert sentence in chronic.message
    # The machine's number keeps the id.
    assert chronic.evidence.numbers["oldest_open_invoice_id"] == ID_103


def test_the_expected_late_finding_names_its_invoice_by_number(
    reviewed: tuple[str, Review],
) -> None:
    _lang, done = reviewed
    expected = [f for f in done.clients["460000000026049"].findings
                if f.signal is Signal.EXPECTED_LATE]
    assert expected, "INV-000104, not yet due, is expected late (the client always is)"
    assert "INV-000104" in expected[0].message
    assert ID_104 not in expected[0].message
    assert f"p_late:{ID_104}" in expected[0].evidence.numbers  # keyed on the id


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Acme: invoice INV-000103 is now overdue"),
    ("pl", "Acme: faktura INV-000103 jest teraz przeterminowana"),
])
def test_changes_say_the_number_and_keep_the_id_as_the_key(lang: str, message: str) -> None:
    with i18n.using(lang):
        now = summarize(review(zoho_book(), as_of=AS_OF, lang=lang))
        changes = compare(None, now)
    overdue = [c for c in changes.changes if c.kind is ChangeKind.NEWLY_OVERDUE]
    assert [c.message for c in overdue] == [message]
    # What is compared across reviews and keys notify's "sent" stays the id.
    assert now.clients["460000000026049"].overdue_invoices == (ID_103,)
    assert [(c.subject, c.after) for c in overdue] == [(ID_103, ID_103)]
    assert overdue[0].key.split("|")[3] == ID_103
    # A review saved before the numbers were kept (no overdue_labels): named by its id.
    client = now.clients["460000000026049"]
    saved = type(now).model_validate_json(now.model_copy(update={"clients": {
        client.client_id: client.model_copy(update={"overdue_labels": {}})}}).model_dump_json())
    with i18n.using(lang):
        (old,) = [c for c in compare(None, saved).changes if c.kind is ChangeKind.NEWLY_OVERDUE]
    assert old.message == message.replace("INV-000103", ID_103)


def test_the_json_keeps_the_machine_ids() -> None:
    document = review_document(review(zoho_book(), as_of=AS_OF, lang="en"))
    forecast_ids = sorted(i["invoice_id"] for i in document["forecast"]["invoices"])
    assert forecast_ids == [ID_103, ID_104]
    text = json.dumps(document)
    assert f'"oldest_open_invoice_id": "{ID_103}"' in text
    assert f'"p_late:{ID_104}"' in text


def test_the_claim_still_names_its_invoices_by_number() -> None:
    claimed = claim(zoho_book(), "Acme", as_of=AS_OF)
    assert [(i.number, i.invoice_id) for i in claimed.invoices][-1] == ("INV-000103", ID_103)
    assert {i.number for i in claimed.invoices} >= {"INV-000101", "INV-000102", "INV-000103"}


def _twin(ident: str, number: str, client: str = "acme", source: str = "test") -> Invoice:
    return invoice(client, id=ident, number=number, issued="2026-01-01", total="100",
                   source=source)


@pytest.mark.parametrize(("invoices", "asked", "named"), [
    # The number printed on the document.
    ([_twin(ID_103, "INV-000103")], ID_103, "INV-000103"),
    # Two invoices of one client with one number: the number and the id, to tell them apart.
    ([_twin("a1", "FV/1"), _twin("a2", "FV/1")], "a2", "FV/1 (a2)"),
    # Two clients each with its own FV/1: each is its client's only FV/1.
    ([_twin("a1", "FV/1"), _twin("b1", "FV/1", "birch")], "b1", "FV/1"),
    # Two sources numbering alike (a book of several; a client linked across two): the id
    # beside the number names the source (the data-quality notes of six exports read "invoice
    # 85" for two sources' 85 until the id went with it).
    ([_twin("85", "INV-85", "acme", "wave"), _twin("n85", "INV-85", "birch", "ninja")],
     "ninja:n85", "INV-85 (ninja:n85)"),
    # A source without numbers (the number is the id): the id.
    ([_twin("INV-7", "INV-7")], "INV-7", "INV-7"),
    # A number of spaces only is no number: the id.
    ([_twin("x9", "   ")], "x9", "x9"),
    # No such invoice: the id as given.
    ([_twin("a1", "FV/1")], "zz", "zz"),
])
def test_invoice_label(invoices: list[Invoice], asked: str, named: str) -> None:
    assert ledger(*invoices).invoice_label(asked) == named


def _forecast_out(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                  tmp_path: Path, book: Ledger, lang: str) -> list[str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli_module, "_review_ledger", lambda args, config: book)
    monkeypatch.setattr(cli_module, "_today", lambda: date(2026, 7, 1))
    code = main(["forecast", "--as-of", AS_OF.isoformat(), "--lang", lang,
                 "--source", "csv", "--option", "invoices=x.csv"])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    return out.splitlines()


@pytest.mark.parametrize(("lang", "p_30"), [("en", "P >30"), ("pl", "P >30 DNI")])
def test_the_forecast_table_names_invoices_by_number(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    lang: str, p_30: str,
) -> None:
    pytest.importorskip("clientguard_csv")
    lines = _forecast_out(capsys, monkeypatch, tmp_path, zoho_book(), lang)
    header = next(line for line in lines if line.rstrip().endswith(p_30))
    rows = [line.split()[0] for line in lines if line[:1] not in ("", " ")]
    assert rows[rows.index(header.split()[0]) + 1:] == ["INV-000103", "INV-000104"]
    # The table is 100 columns wide, as the review's.
    table = [header, *(line for line in lines if line.startswith("INV-"))]
    assert max(len(line) for line in table) <= 100


def test_the_forecast_table_prints_a_19_digit_id_whole_and_cuts_a_name_with_an_ellipsis(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    pytest.importorskip("clientguard_csv")
    name = "Przedsiębiorstwo Handlowo-Usługowe Acme"
    # A source whose only number is its id (number == id): before, both read
    # "20763950000000780", cut at 17 characters.
    book = ledger(
        customer("c", name=name),
        invoice("c", id="2076395000000078021", issued="2025-09-01", due="2025-10-01",
                total="2000.00", paid="2025-11-20"),
        invoice("c", id=ID_103, issued="2026-01-10", due="2026-02-09", total="1200.00"),
        invoice("c", id=ID_104, issued="2026-06-10", due="2026-07-10", total="900.00"),
    )
    lines = _forecast_out(capsys, monkeypatch, tmp_path, book, "en")
    rows = {line.split()[0]: line for line in lines if line.startswith("2076")}
    assert sorted(rows) == [ID_103, ID_104]
    # The client's column is 15 wide: 14 characters and the ellipsis.
    assert all(f" {name[:14]}… " in row for row in rows.values())
