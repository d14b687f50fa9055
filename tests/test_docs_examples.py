"""The code examples in the README and the user guides run, and their assertions hold.

Every fenced ``python`` block of ``README.md``, ``docs/**/*.md`` and ``connectors/*/README.md``
runs here. The blocks of one file run in order in one namespace, as a reader runs them in one
session: a later block may use what an earlier one of the same page built, never anything from
this test (no hidden setup).
Each file runs in its own temporary folder, so examples that write files leave nothing behind.

A block that truly cannot run locally (it needs a live account, say) is marked just above its
fence with ``<!-- example: skip (the reason) -->``; the reason is required and
``test_skipped_examples_are_listed`` prints every skipped block by file and line.
"""

from __future__ import annotations

import re
import textwrap
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

from clientguard import connectors

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"```python\n(.*?)```", re.DOTALL)
# An opening fence, possibly indented (a block inside a list item), and what ends it.
OPENING = re.compile(r"^(?P<indent>[ \t]*)```python[ \t]*$")
SKIP = re.compile(r"^\s*<!--\s*example:\s*skip\b(?P<rest>.*?)-->\s*$")
# The README, the guides, and each connector's own README (what its package page shows).
DOCUMENTS = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").rglob("*.md"),
        *(ROOT / "connectors").glob("*/README.md"),
    ],
    key=str,
)


@dataclass(frozen=True)
class Block:
    """One fenced python block: where it is, its code, and why it is skipped (if it is)."""

    relative: str
    line: int  # the first line of code, 1-based, in the file
    code: str
    skip_reason: str | None


def python_blocks(relative: str) -> list[str]:
    return FENCE.findall((ROOT / relative).read_text(encoding="utf-8"))


def blocks_of(path: Path, root: Path = ROOT) -> list[Block]:
    """The python blocks of one Markdown file, in order, each with its line and skip marker."""
    relative = path.relative_to(root).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = OPENING.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent = opening["indent"]
        body: list[str] = []
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            body.append(lines[end])
            end += 1
        if end == len(lines):
            raise AssertionError(f"{relative} line {index + 1}: python block is never closed")
        above = next((i for i in range(index - 1, -1, -1) if lines[i].strip()), None)
        skip = None if above is None else SKIP.match(lines[above])
        reason = None
        if skip is not None:
            reason = skip["rest"].strip().removeprefix("(").removesuffix(")").strip()
            if not reason:
                raise AssertionError(
                    f"{relative} line {(above or 0) + 1}: a skip marker must say why, "
                    "e.g. <!-- example: skip (needs a live Xero account) -->"
                )
        code = textwrap.dedent("\n".join(body)) if indent else "\n".join(body)
        found.append(Block(relative, index + 2, code + "\n", reason))
        index = end + 1
    return found


DOCUMENTS_WITH_CODE = [path for path in DOCUMENTS if blocks_of(path)]


def run_block(block: Block, namespace: dict[str, object]) -> None:
    """Run one block so a traceback points at the Markdown file's own line numbers."""
    padded = "\n" * (block.line - 1) + block.code
    try:
        exec(compile(padded, block.relative, "exec"), namespace)
    except Exception as error:
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        raise AssertionError(
            f"{block.relative} line {block.line}: the python example fails: {detail}"
        ) from error


@pytest.mark.parametrize(
    "document",
    DOCUMENTS_WITH_CODE,
    ids=[path.relative_to(ROOT).as_posix() for path in DOCUMENTS_WITH_CODE],
)
def test_every_python_example_runs(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    registered_before = registered_by_hand()
    namespace: dict[str, object] = {"__name__": "__doc_example__"}
    try:
        for block in blocks_of(document):
            if block.skip_reason is None:
                run_block(block, namespace)
    finally:  # an example may register a connector: leave the process as it was
        for name in registered_by_hand() - registered_before:
            connectors.unregister(name)


def registered_by_hand() -> set[str]:
    return {name for name, found in connectors.available().items() if found.distribution is None}


def test_skipped_examples_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    skipped = [b for path in DOCUMENTS for b in blocks_of(path) if b.skip_reason is not None]
    with capsys.disabled():
        for block in skipped:
            print(f"\nskipped example {block.relative} line {block.line}: {block.skip_reason}")
    assert all(block.skip_reason for block in skipped)


def test_the_block_finder_sees_indented_and_marked_blocks(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Intro\n\n```python\nx = 1\n```\n\n* item\n\n  ```python\n  y = 2\n  ```\n\n"
        "<!-- example: skip (needs a live Xero account) -->\n```python\nraise SystemExit\n```\n",
        encoding="utf-8",
    )
    found = blocks_of(page, root=tmp_path)
    assert {b.relative for b in found} == {"page.md"}
    assert [(b.line, b.code, b.skip_reason) for b in found] == [
        (4, "x = 1\n", None),
        (10, "y = 2\n", None),
        (15, "raise SystemExit\n", "needs a live Xero account"),
    ]


def test_a_failing_example_names_its_file_and_line() -> None:
    block = Block("docs/x.md", 7, "a = 1\nundefined_name\n", None)
    with pytest.raises(AssertionError, match=r"docs/x\.md line 7: .*undefined_name"):
        run_block(block, {})


def test_the_testing_guide_runs_top_to_bottom(capsys: pytest.CaptureFixture[str]) -> None:
    # The blocks build on one another, as a reader runs them.
    namespace: dict[str, object] = {}
    blocks = python_blocks("docs/testing-your-policy.md")
    assert len(blocks) >= 4
    for block in blocks:
        exec(compile(block, "docs/testing-your-policy.md", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "acme" in printed.lower()


def test_the_readme_python_example_gives_the_days_late_it_claims() -> None:
    first = python_blocks("README.md")[0]
    namespace: dict[str, object] = {}
    exec(compile(first, "README.md", "exec"), namespace)
    # The block's last line claims "# 30": paid 2025-03-02, due 2025-01-31.
    last = first.strip().splitlines()[-1]
    expression, claimed = last.split("#")
    assert eval(expression, namespace) == int(claimed)


def test_the_readme_shows_the_demos_real_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from clientguard.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = readme.split("It prints (shortened):\n\n```text\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)  # the demo writes demo-report.html beside it
    assert main(["demo"]) == 0
    output = capsys.readouterr().out
    shown = [line for line in excerpt.splitlines() if line.strip() and line != "..."]
    assert len(shown) > 20
    missing = [line for line in shown if line not in output]
    assert missing == [], "README's demo excerpt is out of date; paste the demo's output"
    assert (tmp_path / "demo-report.html").is_file()


@pytest.mark.parametrize(
    ("page", "complaint"),
    [
        ("<!-- example: skip -->\n```python\nx = 1\n```\n", r"page\.md line 1: .*must say why"),
        ("Text\n\n<!-- example: skip () -->\n\n```python\nx = 1\n```\n", r"line 3: .*say why"),
        ("Text\n\n```python\nx = 1\n", r"page\.md line 3: python block is never closed"),
    ],
)
def test_a_bad_marker_or_fence_is_refused_with_its_line(
    tmp_path: Path, page: str, complaint: str
) -> None:
    path = tmp_path / "page.md"
    path.write_text(page, encoding="utf-8")
    with pytest.raises(AssertionError, match=complaint):
        blocks_of(path, root=tmp_path)


def test_a_named_example_marker_is_not_a_skip(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text("<!-- example: skipper -->\n```python\nx = 1\n```\n", encoding="utf-8")
    assert [block.skip_reason for block in blocks_of(path, root=tmp_path)] == [None]


def test_the_readme_quick_start_config_syncs_the_files_it_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The README's clientguard.toml, as a reader copies it, over Zoho invoices exports (the
    # preset's own columns) at the paths it names: the first `clientguard sync` succeeds.
    from clientguard.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    config = readme.split("```toml\n# clientguard.toml\n", 1)[1].split("```", 1)[0]
    header = (
        "Invoice Date,Invoice ID,Invoice Number,Invoice Status,Customer ID,Customer Name,"
        "Due Date,Currency Code,Exchange Rate,Item Name,Item Total,Total,Balance,"
        "Last Payment Date\n"
    )
    rows = {
        "exports/invoices-2025.csv": "2025-11-10,1,INV-1,Paid,c1,Acme,2025-12-10,EUR,1,Design,"
        "500.00,500.00,0.00,2025-12-20\n",
        "exports/invoices-2026.csv": "2026-02-10,2,INV-2,Overdue,c2,Beta,2026-03-12,EUR,1,Dev,"
        "800.00,800.00,800.00,\n",
    }
    named = re.findall(r'"(exports/[^"]+)"', config)
    assert set(rows) <= set(named), "the README names the invoices files the test writes"
    for name in named:  # any other file it names (a payments export, say) exists too
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(header + rows.get(name, ""), encoding="utf-8")
    (tmp_path / "clientguard.toml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["--lang", "en", "sync"]) == 0, capsys.readouterr().err
    # Two invoices, one per file, both read into the store.
    assert main(["--lang", "en", "store"]) == 0
    assert "2 invoice;" in capsys.readouterr().out
