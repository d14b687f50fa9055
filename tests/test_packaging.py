"""Packaging: one version per distribution, plugins that name the core versions they work with,
public names that exist, and docstrings that point only at files a user has."""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import pkgutil
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import clientguard

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = {
    "clientguard-csv": "clientguard_csv",
    "clientguard-xero": "clientguard_xero",
    "clientguard-quickbooks": "clientguard_quickbooks",
    "clientguard-stripe": "clientguard_stripe",
    "clientguard-fakturownia": "clientguard_fakturownia",
    "clientguard-harvest": "clientguard_harvest",
    "clientguard-clockify": "clientguard_clockify",
    "clientguard-toggl": "clientguard_toggl",
    "clientguard-jira": "clientguard_jira",
    "clientguard-github": "clientguard_github",
}


def _installed(dist: str) -> bool:
    try:
        metadata.version(dist)
    except metadata.PackageNotFoundError:
        return False
    return True


def test_the_core_version_is_written_once() -> None:
    assert metadata.version("clientguard") == clientguard.__version__
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text
    assert not re.search(r"^version\s*=", text, re.MULTILINE)


@pytest.mark.parametrize(("dist", "module"), sorted(PLUGINS.items()))
def test_each_plugin_has_one_version_and_a_range_of_the_core(dist: str, module: str) -> None:
    if not _installed(dist):
        pytest.skip(f"{dist} is not installed")
    plugin = importlib.import_module(module)
    assert metadata.version(dist) == plugin.__version__
    requirements = [Requirement(r) for r in metadata.requires(dist) or []]
    core = [r for r in requirements if r.name == "clientguard"]
    assert len(core) == 1, f"{dist} must depend on clientguard once"
    spec = core[0].specifier
    # A range, bounded on both sides, that admits the core it is tested with.
    assert any(s.operator in (">=", ">", "~=", "==") for s in spec), f"{dist}: no lower bound"
    assert any(s.operator in ("<", "~=", "==") for s in spec), f"{dist}: no upper bound"
    assert spec.contains(clientguard.__version__)


def test_every_public_name_is_importable_and_listed() -> None:
    for name in clientguard.__all__:
        assert hasattr(clientguard, name), name
    # What a user reads off a review and what a plugin author subclasses are public.
    for name in (
        "Revision", "WhatIf", "BookReview", "DataQuality", "Stream", "Skip", "ConnectorOptions",
    ):
        assert name in clientguard.__all__, name


def test_the_csv_plugin_exports_what_a_user_touches_not_its_helpers() -> None:
    if not _installed("clientguard-csv"):
        pytest.skip("clientguard-csv is not installed")
    import clientguard_csv

    assert {"CsvConnector", "CsvOptions"} <= set(clientguard_csv.__all__)
    assert len(clientguard_csv.__all__) <= 8, clientguard_csv.__all__
    for name in clientguard_csv.__all__:
        assert hasattr(clientguard_csv, name), name


_DOC_PATH = re.compile(r"(?<![\w/.-])((?:docs/)[\w./-]+\.md|[A-Z][A-Z_-]+\.md)")


def _modules() -> list[str]:
    """The core's modules and those of every plugin of this repository that is installed."""
    roots = ["clientguard", *(m for d, m in PLUGINS.items() if _installed(d))]
    names = []
    for root in roots:
        package = importlib.import_module(root)
        names.append(root)
        names += [i.name for i in pkgutil.walk_packages(package.__path__, f"{root}.")]
    return names


def test_docstrings_cite_only_files_in_the_repository() -> None:
    """``help(clientguard.anything)`` sends a reader to files that exist in this repository
    (not to design notes the user never receives)."""
    missing = []
    for name in _modules():
        module = importlib.import_module(name)
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        for cited in _DOC_PATH.findall(source):
            if not (ROOT / cited).is_file():
                missing.append(f"{name}: {cited}")
    assert not missing, missing
