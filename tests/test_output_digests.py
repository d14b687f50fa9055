"""The review's output is byte for byte what it was before issue 21's speed work.

The digests below are SHA-256 of the review of the sample firm (its natural cadence, and the
100,000-invoice sample the benchmark uses), rendered in English in every format, computed with
``main`` at commit 0753f2f, before any change of issue 21. A speed-up that changes a single
byte of any report fails here; a deliberate change of the report's content updates these
digests in the same commit and says why.

Deliberate changes since: the JSON gained ``"lang": "en"`` and schema version 1.5 (issue 18;
with those two lines put back, the sample firm's JSON has the old digest again), and the HTML
was laid out for phones (issue 18, item 4; docs/html-report.md). The table and CSV digests are
unchanged since 0753f2f.
"""

from __future__ import annotations

import hashlib

import pytest

import clientguard as cg
from clientguard.i18n import using
from clientguard.report import FORMATS, render
from clientguard.sample import sample_records

DIGESTS = {
    None: {
        "table": "b9deb80cf633c629388a140b52a749e8403a31077fb78ad0c06e5fad0d7b5fc0",
        "json": "74d0bf1bdf7493ca42700de8eff66e0926610c1c342298fccfdbafaa2193d0a9",
        "csv": "86ede749a79f8c316821a8822a393009cd284d5fa16e64476e4c5b957e381902",
        "html": "00bf28ae396896bae3b8556a9168c7628a1eb1ab20f02be8100f836065720a0b",
    },
    100_000: {
        "table": "0d05a6eb5066cde5badd10f1e283afc6270033f8a6123a0b3f7829616641294f",
        "json": "77abfbfa0d532ad78135d8b0bb705c2c02364460aa1e09098dbf272eb26af3c3",
        "csv": "c59ddfeefe2112c8334dfba37741091ed7391fca0a9b8a193bbb3f4d673eaa8f",
        "html": "a08e541bd5894678fd5b9b79c026962208c208e6578c297ae7959860e70ef3b1",
    },
}


@pytest.mark.parametrize("invoices", list(DIGESTS), ids=["sample firm", "100,000 invoices"])
def test_the_review_renders_byte_for_byte_as_before(invoices: int | None) -> None:
    data = sample_records(0, invoices=invoices)
    with using("en"):
        review = cg.review(data.ledger(), as_of=data.as_of)
        rendered = {f: render(review, f, title="Sample firm") for f in FORMATS}
    assert {f: hashlib.sha256(text.encode()).hexdigest() for f, text in rendered.items()} == (
        DIGESTS[invoices]
    )
