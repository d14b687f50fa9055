"""A firm's acknowledgements in a lake (docs/portfolio.md, "Acknowledgements"): CSV files in
``acknowledgements/firm_id=<id>/``, read as ``clientguard review --acknowledged`` reads its
files, so that a practice reviewing many firms gives each its debtors' acknowledgements.

The numbers are the Polish worked example of tests/test_limitation_acknowledgement.py, worked
out by hand there: PLN 10,000 due 15 December 2021, never paid. As of 1 January 2025 without an
acknowledgement the debt and all its interest are barred (claimable 0.00); acknowledged on
1 March 2024, the interest from 1 January 2022 is claimable, 1,696,475 / 365 = 4,647.88.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the portfolio's tests need clientguard[parquet]")

from clientguard.cli import EXIT_OK, EXIT_USAGE, main
from clientguard.policy import Policy
from clientguard.portfolio import (
    FAILED,
    REVIEWED,
    read_firm_records,
    read_output,
    review_firm,
    run,
    write_firm,
)
from clientguard.report.document import render_json
from clientguard.review import review
from clientguard.testing import customer, fx_table, invoice

D = Decimal
AS_OF = date(2025, 1, 1)
PL = Policy(jurisdiction="pl")
LETTER = "invoice,date,note\nFV/12/2021,2024-03-01,letter of 1 March 2024\n"
ACKNOWLEDGED = D("4647.88")


def _lake(root: Path, *firms: str) -> Path:
    """A lake of ``firms``, each the worked example's books (its own ACME and FV/12/2021)."""
    for firm in firms:
        write_firm(
            root, firm,
            [customer("acme", "ACME sp. z o.o."),
             invoice("acme", issued="2021-11-15", due="2021-12-15", total="10000.00",
                     currency="PLN", id="F1", number="FV/12/2021")],
            base_currency="PLN", fx=fx_table("PLN", {"EUR": {"2021-11-30": "4.6000"}}),
        )
    return root


def _acknowledge(root: Path, firm: str, text: str, name: str = "acknowledged.csv",
                 key: str = "firm_id") -> Path:
    folder = root / "acknowledgements" / f"{key}={firm}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("files", "claimable"),
    [
        # No folder: no acknowledgement, as before (the debt is barred).
        ({}, D("0.00")),
        # The CLI's file, by invoice number: the debt's period runs anew from 1 March 2024.
        ({"acknowledged.csv": LETTER}, ACKNOWLEDGED),
        # The same rules as --acknowledged: Polish Excel's semicolons and day-first dates, the
        # invoice's id, a client-wide row by the client's name, a comment line, an upper-case
        # extension.
        ({"Potwierdzenia.CSV": "# ACME\ninvoice;date;note\nF1;01.03.2024;pismo\n"},
         ACKNOWLEDGED),
        ({"a.csv": "client,date\nACME sp. z o.o.,2024-03-01\n"}, ACKNOWLEDGED),
        # Hidden files (a spreadsheet's lock file, Spark's _SUCCESS) are skipped.
        ({".~lock.a.csv#": "junk", "_SUCCESS": ""}, D("0.00")),
    ],
)
def test_a_firms_acknowledgements_in_the_lake_restart_its_debts_periods(
    tmp_path: Path, files: dict[str, str], claimable: Decimal
) -> None:
    root = _lake(tmp_path / "lake", "pl-firm", "other")
    for name, text in files.items():
        _acknowledge(root, "pl-firm", text, name)
    _acknowledge(root, "nobody", LETTER)  # a partition of no firm of the lake: left alone

    row = review_firm("pl-firm", root, as_of=AS_OF, policy=PL).summary

    assert (row.status, row.reason) == (REVIEWED, None)
    assert row.claimable == claimable
    # The other firm's books are the same, but it has no file: barred.
    assert review_firm("other", root, as_of=AS_OF, policy=PL).summary.claimable == D("0.00")


def test_the_local_engine_gives_each_firm_its_own_acknowledgements(tmp_path: Path) -> None:
    root = _lake(tmp_path / "lake", "pl-firm", "other")
    _acknowledge(root, "pl-firm", LETTER)

    summary = run(root, as_of=AS_OF, policy=PL, engine="local", output=tmp_path / "out",
                  workers=1)

    assert summary.reviewed == 2
    firms, _ = read_output(tmp_path / "out")
    assert {f.firm_id: f.claimable for f in firms} == {"pl-firm": ACKNOWLEDGED,
                                                       "other": D("0.00")}


_FILE = "acknowledgements/firm_id=pl-firm/acknowledged.csv"


@pytest.mark.parametrize(
    ("name", "text", "key", "reason"),
    [
        # A row the CLI refuses fails the firm, naming the file in the lake and the line: an
        # acknowledgement left out without a word would leave a debt barred that is not.
        ("acknowledged.csv", "invoice,date\nFV/12/2020,2024-03-01\n", "firm_id",
         f"{_FILE}, line 2: the ledger has no invoice 'FV/12/2020'; did you mean "
         "'FV/12/2021'? (give the invoice's id or number)"),
        ("acknowledged.csv", "invoice,date\nF1,03/01/2024\n", "firm_id",
         f"{_FILE}, line 2: date '03/01/2024' is not a date: write the day the debtor made the "
         "acknowledgement as YYYY-MM-DD or DD.MM.YYYY (2024-03-01 or 01.03.2024)"),
        # A file that is not CSV would be skipped without a word: refused, saying what to do.
        ("acknowledged.xlsx", "", "firm_id",
         "acknowledgements/firm_id=pl-firm/acknowledged.xlsx: the acknowledgements of a firm "
         "are CSV files (name.csv): save it as CSV UTF-8, or move it out of the folder"),
        # A partition spelt in another case would be skipped too: refused as the tables' are.
        ("acknowledged.csv", LETTER, "FIRM_ID",
         "acknowledgements/FIRM_ID=pl-firm: a partition of the layout is named firm_id=, in "
         "lower case, and readers skip other spellings: rename it "
         "acknowledgements/firm_id=pl-firm"),
    ],
)
def test_a_bad_acknowledgements_file_fails_its_firm_naming_the_file_and_the_line(
    tmp_path: Path, name: str, text: str, key: str, reason: str
) -> None:
    root = _lake(tmp_path / "lake", "pl-firm", "other")
    _acknowledge(root, "pl-firm", text, name, key)

    summary = run(root, as_of=AS_OF, policy=PL, engine="local", output=tmp_path / "out",
                  workers=1)

    firms, _ = read_output(tmp_path / "out")
    rows = {f.firm_id: f for f in firms}
    assert (rows["pl-firm"].status, rows["pl-firm"].reason) == (FAILED, reason)
    assert str(tmp_path) not in (rows["pl-firm"].reason or "")  # never the machine's folders
    assert rows["other"].status == REVIEWED
    assert summary.reviewed == 1


@pytest.mark.parametrize("locked", ["acknowledgements/firm_id=pl-firm", "acknowledgements"])
def test_an_unreadable_acknowledgements_folder_fails_its_firm_naming_it_in_the_lake(
    locked: str, as_nobody: Callable[[Path, Callable[[], list[Any]]], list[Any]]
) -> None:
    """Before: the firm's row said "[Errno 13] Permission denied:
    '/tmp/.../lake/acknowledgements/firm_id=pl-firm'", the machine's folders and the system's
    words, with nothing to do. Now it names the folder in the lake, and what to do."""
    # Not below pytest's own temporary folder, which only its owner may enter (as_nobody).
    folder = Path(tempfile.mkdtemp(prefix="clientguard-acks-", dir="/tmp" if os.name == "posix"
                                   else None))
    root = _lake(folder / "lake", "pl-firm", "other")
    _acknowledge(root, "pl-firm", LETTER)
    # Writable and enterable, not listable: the folder's files cannot be found (0o300); the
    # folder above them not even enterable (0o600).
    (root / locked).chmod(0o300 if locked.endswith("pl-firm") else 0o600)
    try:
        def steps() -> list[Any]:
            rows = [review_firm(firm, root, as_of=AS_OF, policy=PL).summary
                    for firm in ("pl-firm", "other")]
            return [[row.status, row.reason] for row in rows]

        rows = as_nobody(folder, steps)
    finally:
        (root / locked).chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)
    unreadable = ("{}: the firm's acknowledgements folder cannot be read (Permission denied): "
                  "let the user who runs the review read it and the folders above it in the "
                  "lake, or move it out of the lake")
    assert rows[0] == [FAILED, unreadable.format("acknowledgements/firm_id=pl-firm")]
    if locked == "acknowledgements":
        # Whether the other firm has acknowledgements cannot be told either: not reviewed
        # without them (a debt left barred that the debtor acknowledged is a claim lost).
        assert rows[1] == [FAILED, unreadable.format("acknowledgements/firm_id=other")]
    else:  # it has no folder: reviewed, as before
        assert rows[1] == [REVIEWED, None]


_IN_FOLDER = "acknowledgements/firm_id=pl-firm"


def _link_outside(root: Path) -> None:
    outside = root.parent / "letters" / "letter.csv"
    outside.parent.mkdir()
    outside.write_text(LETTER, encoding="utf-8")
    (root / _IN_FOLDER / "letter.csv").symlink_to(outside)


def _link_inside(root: Path) -> None:
    # Another firm's file of the lake, by a relative link: read, as before.
    _acknowledge(root, "other", LETTER)
    (root / _IN_FOLDER / "letter.csv").symlink_to(Path("../firm_id=other/acknowledged.csv"))


def _link_to_nothing(root: Path) -> None:
    (root / _IN_FOLDER / "gone.csv").symlink_to(root / _IN_FOLDER / "moved-away.csv")


def _folder_named_csv(root: Path) -> None:
    (root / _IN_FOLDER / "x.csv").mkdir()
    (root / _IN_FOLDER / "x.csv" / "letter.csv").write_text(LETTER, encoding="utf-8")


@pytest.mark.parametrize(
    ("plant", "status", "reason"),
    [
        # Before: read (claimable 4,647.88 on a file of the machine, not of the lake), and a
        # file of the secrets' folder would have put its first cell in the row's reason.
        (_link_outside, FAILED,
         f"{_IN_FOLDER}/letter.csv: a link to a file outside the lake: the lake's files are "
         "read only from within it; copy the file here in place of the link"),
        # A link within the lake is one of its files: read, as before (the worked example).
        (_link_inside, REVIEWED, None),
        # Before: "the acknowledgements of a firm are CSV files (name.csv): save it as CSV
        # UTF-8", of a name that ends in .csv; what is wrong is the link.
        (_link_to_nothing, FAILED,
         f"{_IN_FOLDER}/gone.csv: a link to a file that is not there: remove the link, or put "
         "back the file it names"),
        # Before: the same advice, for a folder.
        (_folder_named_csv, FAILED,
         f"{_IN_FOLDER}/x.csv: a folder, where the firm's acknowledgements are CSV files (the "
         "folders in it are not read): move its files into the firm's folder, or move it out "
         "of the folder"),
    ],
)
@pytest.mark.parametrize("by", ["the lake's folder", "a link to the lake's folder"])
def test_a_firms_acknowledgements_are_files_of_the_lake(
    tmp_path: Path, plant: Callable[[Path], None], status: str, reason: str | None, by: str
) -> None:
    root = _lake(tmp_path / "lake", "pl-firm", "other")
    (root / _IN_FOLDER).mkdir(parents=True)
    plant(root)
    if by == "a link to the lake's folder":  # the lake's files are those below where it is
        (tmp_path / "lake-link").symlink_to(root)
        root = tmp_path / "lake-link"

    row = review_firm("pl-firm", root, as_of=AS_OF, policy=PL).summary

    assert (row.status, row.reason) == (status, reason)
    # By hand (module docstring): acknowledged on 1 March 2024, 4,647.88 is claimable.
    assert row.claimable == (ACKNOWLEDGED if status == REVIEWED else None)


# ------------------------------------------------------------------ clientguard export

MAPPING = """\
currency = "PLN"
date_formats = ["iso"]

[invoices.columns]
number = "Number"
customer_name = "Client"
issue_date = "Issued"
due_date = "Due"
total = "Total"
paid_on = "Paid"
"""
CONFIG = ('base_currency = "PLN"\nstore = "cg.db"\n[policy]\njurisdiction = "pl"\n'
          '[sources.books]\nconnector = "csv"\nmapping = "mapping.toml"\n'
          'invoices = ["invoices.csv"]\n')


@pytest.fixture
def books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the worked example's books synced into a store, and the letter of
    1 March 2024 in acknowledged.csv, named by the config."""
    pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    (tmp_path / "mapping.toml").write_text(MAPPING)
    (tmp_path / "invoices.csv").write_text("Number,Client,Issued,Due,Total,Paid\n"
                                           "FV/12/2021,Acme,2021-11-15,2021-12-15,10000.00,\n")
    (tmp_path / "acknowledged.csv").write_text(LETTER)
    (tmp_path / "clientguard.toml").write_text(
        'acknowledgements = "acknowledged.csv"\n' + CONFIG)
    assert main(["sync", "--quiet"]) == EXIT_OK
    return tmp_path


def _export(*extra: str) -> int:
    return main(["export", "--format", "parquet", "--firm-id", "pl-firm", *extra, "lake"])


def _claimable_in_the_lake(root: Path) -> Decimal | None:
    summary = review_firm("pl-firm", root, as_of=AS_OF, policy=PL).summary
    assert (summary.status, summary.reason) == (REVIEWED, None)
    return summary.claimable


def test_an_exported_lake_reviews_as_the_store_with_the_configs_acknowledgements(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: export wrote the tables only, and the lake's firm read its debt as barred
    # (claimable 0.00) where the store's review, reading the config's file, claims 4,647.88
    # (the worked example: 1,696,475 / 365).
    assert main(["review", "--as-of", "2025-01-01", "--format", "json", "--output",
                 "review.json", "--no-save", "--quiet"]) == EXIT_OK
    (client,) = json.loads((books / "review.json").read_text())["clients"]
    assert D(client["claimable"]) == ACKNOWLEDGED

    assert _export() == EXIT_OK, capsys.readouterr().err

    copy = books / "lake" / "acknowledgements" / "firm_id=pl-firm" / "acknowledged.csv"
    assert copy.read_bytes() == (books / "acknowledged.csv").read_bytes()
    assert _claimable_in_the_lake(books / "lake") == ACKNOWLEDGED
    # The whole review agrees, not the total only: the lake's firm, read with its
    # acknowledgements as every engine reads them, gives the store's clients.
    found = read_firm_records(books / "lake", "pl-firm")
    ledger = found.ledger()
    through_the_lake = json.loads(render_json(review(
        ledger, as_of=AS_OF, policy=PL, acknowledgements=found.acknowledgements(ledger))))
    assert through_the_lake["clients"] == json.loads(
        (books / "review.json").read_text())["clients"]


def test_acknowledged_on_the_command_line_replaces_the_configs_and_a_second_export_its_copies(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = books / "lake" / "acknowledgements" / "firm_id=pl-firm"
    (books / "later.csv").write_text("invoice,date\nFV/12/2021,2024-04-01\n")
    assert _export("--acknowledged", "later.csv") == EXIT_OK, capsys.readouterr().err
    assert sorted(p.name for p in folder.glob("*.csv")) == ["later.csv"]
    # A letter of 1 April 2024 sets the same bar as one of 1 March (both made in 2024).
    assert _claimable_in_the_lake(books / "lake") == ACKNOWLEDGED

    # The user's own file in the folder is theirs: kept by every export.
    (folder / "by-hand.csv").write_text("invoice,date\nF1,2024-05-01\n")
    assert _export() == EXIT_OK, capsys.readouterr().err
    assert sorted(p.name for p in folder.glob("*.csv")) == ["acknowledged.csv", "by-hand.csv"]

    # The config names no file any more, and the hand-made one goes too: the lake's debt is
    # barred again, as the store's is (before, the first export's copy stayed and claimed).
    (books / "clientguard.toml").write_text(CONFIG)
    (folder / "by-hand.csv").unlink()
    assert _export() == EXIT_OK, capsys.readouterr().err
    assert list(folder.glob("*.csv")) == []
    assert _claimable_in_the_lake(books / "lake") == D("0.00")


def test_a_bad_acknowledgements_file_fails_the_export_naming_the_file_and_the_line(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (books / "acknowledged.csv").write_text("invoice,date\nFV/12/2020,2024-03-01\n")
    capsys.readouterr()
    assert _export() == EXIT_USAGE
    _, err = capsys.readouterr()
    # The file as the config names it (relative to the folder the command runs in).
    assert ("clientguard: acknowledged.csv, line 2: the ledger has no invoice 'FV/12/2020'; "
            "did you mean 'FV/12/2021'?") in err
    assert "Traceback" not in err
    assert not (books / "lake").exists()  # nothing written: no firm without its letters


@pytest.mark.parametrize(
    ("there", "refused"),
    [
        # A file of the user's under the name of one to copy would be lost: refused, unless
        # it is the same file (copied in by hand, as these docs said before the export did).
        ("invoice,date\nF1,2024-05-01\n", True),
        (LETTER, False),
    ],
)
def test_a_users_file_in_the_lake_is_never_replaced_by_a_copy(
    books: Path, capsys: pytest.CaptureFixture[str], there: str, refused: bool
) -> None:
    path = _acknowledge(books / "lake", "pl-firm", there)
    capsys.readouterr()
    assert _export() == (EXIT_USAGE if refused else EXIT_OK)
    _, err = capsys.readouterr()
    assert path.read_text() == there
    if refused:
        assert (f"{path.relative_to(books)} is in the lake already and no export put it "
                "there: move it out of the folder, or rename acknowledged.csv") in err
        assert not (books / "lake" / "firm").exists()


def test_a_link_into_an_unreadable_folder_of_the_lake_fails_its_firm_naming_it_in_the_lake(
    as_nobody: Callable[[Path, Callable[[], list[Any]]], list[Any]]
) -> None:
    """A link in the firm's folder to a file in a folder of the lake the review's user
    cannot enter: looking at it raises the system's PermissionError (Path.exists() raises it
    for EACCES). Before, the firm's row said "[Errno 13] Permission denied:
    '/tmp/.../lake/acknowledgements/firm_id=pl-firm/letter.csv'": the machine's folders.
    Now it names the file in the lake, and what to do; the other firm is reviewed."""
    folder = Path(tempfile.mkdtemp(prefix="clientguard-acks-", dir="/tmp" if os.name == "posix"
                                   else None))
    root = _lake(folder / "lake", "pl-firm", "other")
    private = root / "private"
    private.mkdir()
    (private / "letter.csv").write_text(LETTER, encoding="utf-8")
    firm_folder = root / _IN_FOLDER
    firm_folder.mkdir(parents=True, exist_ok=True)
    (firm_folder / "letter.csv").symlink_to(Path("../../private/letter.csv"))
    private.chmod(0o000)
    try:
        def steps() -> list[Any]:
            rows = [review_firm(firm, root, as_of=AS_OF, policy=PL).summary
                    for firm in ("pl-firm", "other")]
            return [[row.status, row.reason] for row in rows]

        rows = as_nobody(folder, steps)
    finally:
        private.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)
    assert rows[0] == [FAILED, (
        f"{_IN_FOLDER}/letter.csv: the acknowledgements file cannot be looked at (Permission "
        "denied): let the user who runs the review read it and the folders it is in, or move "
        "it out of the lake")]
    assert rows[1] == [REVIEWED, None]
