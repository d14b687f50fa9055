"""Shared test helpers: the recorded responses in the shared reference, read in place."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
#: The shared reference beside the repository; read from there, never copied into it.
REFERENCE_APIS = REPO_ROOT.parent / "shared" / "reference" / "apis"


def _recorded(name: str) -> Any:
    path = REFERENCE_APIS / name
    if not path.is_file():
        pytest.skip(f"reference file {name} is absent (expected at {path})")
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture
def recorded() -> Callable[[str], Any]:
    """Reads a recorded response from the shared reference (``parse_float=Decimal``), or
    skips the test saying the file is absent."""
    return _recorded
