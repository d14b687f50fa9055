"""The layers of docs/architecture.md, written as import-linter contracts in pyproject.toml.

`make lint` runs ``lint-imports`` on the repository. These tests check the contract itself: every
module of the core has a place in the layers (a new module must be placed before it lands), and
the contract really fails on a back-edge, deferred imports included.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "src" / "clientguard"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contracts() -> dict[str, dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _layer_modules() -> list[str]:
    return [
        name.strip()
        for layer in _contracts()["layers"]["layers"]
        for name in layer.replace(":", "|").split("|")
    ]


def _core_modules() -> set[str]:
    """Every module and subpackage directly inside ``clientguard`` (its own __init__ aside)."""
    names = {p.stem for p in CORE.glob("*.py") if p.name != "__init__.py"}
    names |= {p.parent.name for p in CORE.glob("*/__init__.py")}
    return {f"clientguard.{name}" for name in names}


def test_every_core_module_has_a_layer() -> None:
    placed = _layer_modules()
    assert sorted(_core_modules() - set(placed)) == []
    assert len(placed) == len(set(placed)), "a module is named in two layers"
    assert set(placed) <= _core_modules(), "a layer names a module that does not exist"


def test_every_module_of_the_http_package_has_a_layer_inside_it() -> None:
    inside = _contracts()["http-inside"]
    assert inside["containers"] == ["clientguard.http"]
    placed = [n.strip() for layer in inside["layers"] for n in layer.split("|")]
    modules = {p.stem for p in (CORE / "http").glob("*.py") if p.name != "__init__.py"}
    assert sorted(modules - set(placed)) == []
    assert set(placed) <= modules, "a layer names a module that does not exist"


def _copy_core(tmp_path: Path) -> Path:
    """The core's source in ``tmp_path`` with a pyproject holding only its own contracts."""
    shutil.copytree(CORE, tmp_path / "clientguard", ignore=shutil.ignore_patterns("__pycache__"))
    own = {"layers", "pure-analysis", "http-inside"}
    contracts = [c for c in _contracts().values() if c["id"] in own]
    lines = ["[tool.importlinter]", 'root_packages = ["clientguard"]']
    lines.append("include_external_packages = true")
    for contract in contracts:
        lines.append("[[tool.importlinter.contracts]]")
        # JSON strings and arrays of strings are valid TOML.
        lines += [f"{key} = {json.dumps(value)}" for key, value in contract.items()]
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


needs_lint_imports = pytest.mark.skipif(
    not LINT_IMPORTS.exists(), reason="lint-imports is not installed (the dev extra has it)"
)


@needs_lint_imports
def test_the_contracts_hold_on_the_core_as_it_is(tmp_path: Path) -> None:
    result = _lint(_copy_core(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# Deferred imports (inside a function) that climb a layer, and the analysis reaching for the
# store: each must break a contract.
BACK_EDGES = [
    (
        "settlement.py",
        "\n\ndef _back_edge() -> object:\n    from clientguard.review import review\n\n"
        "    return review\n",
        "clientguard.settlement is not allowed to import clientguard.review",
    ),
    (
        "model.py",
        "\n\ndef _back_edge() -> object:\n    from clientguard.ledger import Ledger\n\n"
        "    return Ledger\n",
        "clientguard.model is not allowed to import clientguard.ledger",
    ),
    (
        "metrics/trend.py",
        "\n\ndef _back_edge() -> object:\n    from clientguard.store import Store\n\n"
        "    return Store\n",
        "clientguard.metrics is not allowed to import clientguard.store",
    ),
    (
        "http/classify.py",
        "\n\ndef _back_edge() -> object:\n    from clientguard.http.client import ApiClient\n\n"
        "    return ApiClient\n",
        "clientguard.http.classify is not allowed to import clientguard.http.client",
    ),
    (
        "http/client.py",
        "\n\ndef _back_edge() -> object:\n    from clientguard.http.auth import TokenSet\n\n"
        "    return TokenSet\n",
        "clientguard.http.client is not allowed to import clientguard.http.auth",
    ),
]


@needs_lint_imports
@pytest.mark.parametrize(("module", "code", "message"), BACK_EDGES)
def test_a_back_edge_breaks_the_contract(
    tmp_path: Path, module: str, code: str, message: str
) -> None:
    where = _copy_core(tmp_path)
    with (where / "clientguard" / module).open("a", encoding="utf-8") as source:
        source.write(code)
    result = _lint(where)
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stdout
