"""Shared helpers: where the reference exports are, and writing small files for a test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

#: ../shared/reference beside the repository (never copied into it).
REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference"
DATA = REFERENCE / "data"
EXPORTS = DATA / "tool_exports"


def reference_file(path: Path) -> Path:
    """The reference file, or a skip that says it is absent."""
    if not path.is_file():
        pytest.skip(f"reference file {path.name} is absent (expected at {path})")
    return path


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a small file for one test: text (encoded as asked) or raw bytes."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write
