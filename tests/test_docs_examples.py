"""The code examples in the README and the user guides run, and their assertions hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"```python\n(.*?)```", re.DOTALL)


def python_blocks(relative: str) -> list[str]:
    return FENCE.findall((ROOT / relative).read_text(encoding="utf-8"))


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
