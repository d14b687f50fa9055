"""A program that embeds clientguard type-checks with ``mypy --strict`` without pydantic's mypy
plugin (a user's project rarely enables it): every field of a public model with a default must
be written ``Field(default=...)``, which plain mypy reads as optional through pydantic's
``dataclass_transform``; ``Field(365, ge=1)`` made each of Policy's 33 thresholds a required
argument of ``Policy()`` (65 errors for ``Policy()`` and ``Policy(grace_days=3)``)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

USER_CODE = textwrap.dedent('''
    from datetime import date
    from decimal import Decimal

    import clientguard as cg
    from clientguard.testing import invoice, ledger, payment

    default: cg.Policy = cg.Policy()
    mine = cg.Policy(grace_days=3, chronic_late_share=Decimal("0.25"))
    sale = invoice("acme", issued="2025-01-01", total="100.00", id="A-1")
    book = ledger(sale, payment("acme", on="2025-02-20", amount="100.00", pays=sale))
    review = cg.review(book, as_of=date(2025, 6, 30), policy=mine)
    findings: list[cg.Finding] = list(cg.late_payers(book, as_of=date(2025, 6, 30)))
    days: int = default.lookback_days
    share: Decimal = mine.chronic_late_share
''')

# The plugins key empty: the user's own mypy, not the repository's pyproject (which loads
# pydantic.mypy). The library is followed silently, as an installed package is: only the user's
# file is judged.
CONFIG = textwrap.dedent("""
    [mypy]
    strict = True
    plugins =
    python_version = 3.11

    [mypy-clientguard.*]
    follow_imports = silent
""")


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                    reason="mypy is not installed (it is in the dev dependencies)")
def test_user_code_type_checks_strictly_without_the_pydantic_plugin(tmp_path: Path) -> None:
    (tmp_path / "user.py").write_text(USER_CODE, encoding="utf-8")
    (tmp_path / "mypy.ini").write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-incremental",
         "user.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found in 1 source file" in done.stdout
