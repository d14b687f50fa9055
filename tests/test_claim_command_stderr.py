"""What ``clientguard claim`` tells the owner on stderr (docs/claims.md, "Unapplied money" and
"Disputed invoices").

Every text of the data it names is shown with its control characters as escapes (the terminal
rule of docs/security.md, "What the data may not do"): a payment's or credit note's id is the
source's, and a source can hand over ESC ``\\x1b[2J`` (clear the screen), an OSC ``\\x1b]0;``
(retitle the window) or U+202E (reorder the line). And a disputed line whose interest and
compensation are all time-barred holds no money: the command names no amount for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clientguard import cli as cli_module
from clientguard.cli import EXIT_OK, main
from clientguard.ledger import Ledger
from clientguard.model import AnyRecord
from clientguard.testing import credit_note, customer, invoice, ledger, payment


def _run(books: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str], lang: str = "en", policy: str | None = None
         ) -> str:
    """``clientguard claim P`` on ``books`` as of 31 Dec 2025, in ``lang``, under the policy
    file holding ``policy`` if given: its stderr."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli_module, "_review_ledger", lambda args, config: books)
    options: list[str] = []
    if policy is not None:
        (tmp_path / "policy.toml").write_text(policy, encoding="utf-8")
        options = ["--policy", "policy.toml"]
    assert main(["--lang", lang, "claim", "P", "--as-of", "2025-12-31", *options,
                 "--output", "claim.json"]) == EXIT_OK
    return capsys.readouterr().err


# (case, the hostile document, the escape the line must show). The escapes are
# report.text.printable's: each control or bidirectional character as Python writes it.
HOSTILE_IDS: list[tuple[str, AnyRecord, str]] = [
    ("payment id, OSC and CSI",
     payment("p", id="PU\x1b]0;pwned\x07\x1b[2J", on="2025-10-15", amount="5000.00"),
     "PU\\x1b]0;pwned\\x07\\x1b[2J"),
    ("credit note id, C1 CSI",
     credit_note("p", id="CN\x9b31m", issued="2025-10-15", total="5000.00"),
     "CN\\x9b31m"),
    ("payment id, right-to-left override",
     payment("p", id="PU\u202eFDP.exe", on="2025-10-15", amount="5000.00"),
     "PU\\u202eFDP.exe"),
]


@pytest.mark.parametrize(("document", "shown"), [case[1:] for case in HOSTILE_IDS],
                         ids=[case[0] for case in HOSTILE_IDS])
def test_the_unapplied_money_line_shows_each_id_with_its_controls_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    document: AnyRecord, shown: str,
) -> None:
    # A, 10,000 due 1 Sep and open: the 5,000 of 15 Oct pays half of it, so the command names
    # the document as money to apply in the books.
    books = ledger(customer("p", "P"),
                   invoice("p", id="A", issued="2025-08-01", due="2025-09-01",
                           total="10000.00"),
                   document)
    err = _run(books, tmp_path, monkeypatch, capsys)
    assert f"not yet applied in your books ({shown})" in err
    assert not any(ch in err for ch in "\x1b\x07\x9b\u202e")


def _time_barred_dispute() -> Ledger:
    # Polish law, three years (art. 118 KC): FV/2020/1 (8,000 PLN, due 15 Jan 2020, disputed
    # since 1 Feb 2020) is time-barred from 16 Jan 2023 with its interest and compensation:
    # nothing of it is held as of 31 Dec 2025. FV/2025/1 (2,000 PLN, due 1 Sep 2025) is
    # claimed.
    return ledger(customer("p", "P"),
                  invoice("p", id="W0", number="FV/2020/1", issued="2020-01-01",
                          due="2020-01-15", total="8000.00", currency="PLN",
                          disputed_on="2020-02-01"),
                  invoice("p", id="W1", number="FV/2025/1", issued="2025-08-01",
                          due="2025-09-01", total="2000.00", currency="PLN"),
                  base_currency="PLN")


@pytest.mark.parametrize(("lang", "said", "never"), [
    ("en", "clientguard: the client disputes invoice FV/2020/1: the claim shows it held until "
           "the dispute is settled, as the review holds it; no amount of it is held",
     "not in the totals"),
    ("pl", "clientguard: klient kwestionuje fakturę FV/2020/1: nota pokazuje ją jako "
           "wstrzymaną do rozstrzygnięcia sporu, tak jak wstrzymuje ją przegląd; nie "
           "wstrzymuje żadnej kwoty",
     "poza sumami"),
])
def test_a_dispute_that_holds_no_money_names_no_amount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    lang: str, said: str, never: str,
) -> None:
    err = " ".join(_run(_time_barred_dispute(), tmp_path, monkeypatch, capsys, lang,
                        'jurisdiction = "pl"\n').split("\n"))
    # Before: "its 0.00 PLN not in the totals" ("a jej 0,00 zł poza sumami").
    assert said in err
    assert never not in err
