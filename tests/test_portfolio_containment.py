"""A lake's files are read only from within it (docs/portfolio.md, "A firm's
acknowledgements" and "Links out of the lake"): a link in the lake, to a file or as a folder
of it, that points out of the lake is refused, whatever way its path is spelt.

The worked example is tests/test_portfolio_acknowledgements.py's: PLN 10,000 due
15 December 2021, never paid, as of 1 January 2025; acknowledged on 1 March 2024 the interest
from 1 January 2022 is claimable, 1,696,475 / 365 = 4,647.88 (worked by hand there), else
nothing (barred). A firm read from a table linked out of the lake fails, naming the file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("pyarrow", reason="the portfolio's tests need clientguard[parquet]")

from clientguard.policy import Policy
from clientguard.portfolio import FAILED, REVIEWED, containment, review_firm, write_firm
from clientguard.portfolio.containment import is_within, names_within
from clientguard.testing import customer, fx_table, invoice

D = Decimal
AS_OF = date(2025, 1, 1)
PL = Policy(jurisdiction="pl")
LETTER = "invoice,date,note\nFV/12/2021,2024-03-01,letter of 1 March 2024\n"
ACKNOWLEDGED = D("4647.88")
FOLDER = "acknowledgements/firm_id=pl-firm"
OUTSIDE = ("{}: a link to a file outside the lake: the lake's files are read only from within "
           "it; copy the file here in place of the link")


def _lake(root: Path, *firms: str) -> Path:
    for firm in firms:
        write_firm(
            root, firm,
            [customer("acme", "ACME sp. z o.o."),
             invoice("acme", issued="2021-11-15", due="2021-12-15", total="10000.00",
                     currency="PLN", id="F1", number="FV/12/2021")],
            base_currency="PLN", fx=fx_table("PLN", {"EUR": {"2021-11-30": "4.6000"}}),
        )
    return root


def _letter(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "letter.csv").write_text(LETTER, encoding="utf-8")
    return folder / "letter.csv"


# ------------------------------------------------------------- the comparison, by its names

@pytest.mark.parametrize(
    ("real", "lake", "folded", "kept"),
    [
        # (a resolved path, the resolved lake, within where the platform folds case, where
        # it keeps case); worked from the rule: the lake's own names, folder by folder.
        ("/srv/lake/acknowledgements/x.csv", "/srv/lake", True, True),
        ("/srv/lake", "/srv/lake", True, True),
        # The lake spelt in another case: one folder where names fold (Windows), two where
        # they do not (Linux; macOS by name, see the next test).
        ("/srv/Lake/acknowledgements/x.csv", "/srv/lake", True, False),
        ("/SRV/LAKE/x.csv", "/srv/lake", True, False),
        # A sibling whose name starts with the lake's: never within, in any case.
        ("/srv/lake2/x.csv", "/srv/lake", False, False),
        ("/srv/LAKE2/x.csv", "/srv/lake", False, False),
        ("/srv/lake-old/x.csv", "/srv/lake", False, False),
        # Above the lake, or beside it.
        ("/srv/x.csv", "/srv/lake", False, False),
        ("/etc/passwd", "/srv/lake", False, False),
    ],
)
def test_a_path_is_in_the_lake_by_its_folders_names_as_the_platform_compares_them(
    monkeypatch: pytest.MonkeyPatch, real: str, lake: str, folded: bool, kept: bool
) -> None:
    # Windows' normcase, on any machine: names compared in lower case.
    monkeypatch.setattr(os.path, "normcase", lambda name: name.lower())
    assert names_within(real, lake) is folded
    monkeypatch.setattr(os.path, "normcase", lambda name: name)  # POSIX's
    assert names_within(real, lake) is kept


def test_where_names_do_not_tell_the_lake_is_found_by_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # macOS: its file system folds case but normcase keeps it, so a resolved path may spell
    # the lake otherwise (/Users/x/Lake/...) and the names disagree. Played here by names that
    # never agree: the lake is found among the file's folders as the same folder, and a file
    # of a sibling folder named like it is not within, however spelt.
    lake, sibling = tmp_path / "lake", tmp_path / "lake2"
    inside, beside = _letter(lake / FOLDER), _letter(sibling)
    monkeypatch.setattr(containment, "names_within", lambda real, folder: False)

    assert is_within(inside, lake)
    assert is_within(lake, lake)
    assert not is_within(beside, lake)
    assert not is_within(tmp_path, lake)


# ------------------------------------------------------------------- a lake on this machine

def _link_to_a_sibling_named_like_the_lake(root: Path) -> None:
    # /lake vs /lake2: the sibling's name starts with the lake's.
    (root / FOLDER / "letter.csv").symlink_to(_letter(root.parent / f"{root.name}2"))


def _link_out_and_back_in(root: Path) -> None:
    # "..", out of the lake and back into it (another firm's file): within.
    other = _letter(root / "acknowledgements" / "firm_id=other")
    (root / FOLDER / "letter.csv").symlink_to(
        Path("../../..") / root.name / other.relative_to(root))


def _link_out_by_dots(root: Path) -> None:
    _letter(root.parent / "letters")
    (root / FOLDER / "letter.csv").symlink_to(Path("../../../letters/letter.csv"))


def _folder_linked_out(root: Path) -> None:
    # The firm's folder itself a link to a folder out of the lake: its files are out of it.
    shutil.rmtree(root / FOLDER)
    (root / FOLDER).symlink_to(_letter(root.parent / "letters").parent,
                               target_is_directory=True)


def _table_linked_out(root: Path) -> None:
    # A Parquet file of the firm's invoices, moved out of the lake and linked back. Before,
    # read as the lake's: a firm's books taken from wherever the link pointed.
    moved = root.parent / "elsewhere" / "invoices.parquet"
    moved.parent.mkdir()
    (part,) = (root / "invoices" / "firm_id=pl-firm").glob("*.parquet")
    shutil.move(part, moved)
    part.symlink_to(moved)


def _partition_linked_out(root: Path) -> None:
    # The firm's partition of a table a link to a folder out of the lake.
    partition = root / "invoices" / "firm_id=pl-firm"
    moved = root.parent / "elsewhere"
    shutil.move(partition, moved)
    partition.symlink_to(moved, target_is_directory=True)


def _table_part(root: Path) -> str:
    (part,) = (root / "invoices" / "firm_id=pl-firm").glob("*.parquet")
    return part.relative_to(root).as_posix()


@pytest.mark.parametrize(
    ("plant", "status", "reason"),
    [
        (_link_to_a_sibling_named_like_the_lake, FAILED, OUTSIDE.format(f"{FOLDER}/letter.csv")),
        (_link_out_and_back_in, REVIEWED, None),
        (_link_out_by_dots, FAILED, OUTSIDE.format(f"{FOLDER}/letter.csv")),
        (_folder_linked_out, FAILED, OUTSIDE.format(f"{FOLDER}/letter.csv")),
        (_table_linked_out, FAILED, OUTSIDE.format("{part}")),
        (_partition_linked_out, FAILED, OUTSIDE.format("{part}")),
    ],
)
@pytest.mark.parametrize("spelt", ["as it is", "with .. in it", "by a link to it"])
def test_a_firm_is_read_only_from_files_within_the_lake(
    tmp_path: Path, plant: Callable[[Path], None], status: str, reason: str | None,
    spelt: str
) -> None:
    root = _lake(tmp_path / "lake", "pl-firm", "other")
    (root / FOLDER).mkdir(parents=True)
    part = _table_part(root)
    plant(root)
    if spelt == "with .. in it":
        (tmp_path / "sub").mkdir()
        root = tmp_path / "sub" / ".." / "lake"
    elif spelt == "by a link to it":
        (tmp_path / "lake-link").symlink_to(root, target_is_directory=True)
        root = tmp_path / "lake-link"

    row = review_firm("pl-firm", root, as_of=AS_OF, policy=PL).summary

    assert (row.status, row.reason) == (
        status, reason.format(part=part) if reason is not None else None)
    # By hand (module docstring): acknowledged on 1 March 2024, 4,647.88 is claimable.
    assert row.claimable == (ACKNOWLEDGED if status == REVIEWED else None)
    assert str(tmp_path) not in (row.reason or "")  # never the machine's folders
    assert os.sep + "elsewhere" not in (row.reason or "")
