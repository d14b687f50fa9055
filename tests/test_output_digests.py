"""The review's output is byte for byte what it was before issue 21's speed work.

The digests below are SHA-256 of the review of the sample firm (its natural cadence, and the
100,000-invoice sample the benchmark uses), rendered in English in every format, computed with
``main`` at commit 0753f2f, before any change of issue 21. A speed-up that changes a single
byte of any report fails here; a deliberate change of the report's content updates these
digests in the same commit and says why.
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
        "json": "63004492fe75ac6bec40ea6b6e99b76db010e1c62d26bd0717d42c244d4551a3",
        "csv": "86ede749a79f8c316821a8822a393009cd284d5fa16e64476e4c5b957e381902",
        "html": "d6af0b244dde495944322f4256ddc72461ffea87db1212587ae8a214fa09ffef",
    },
    100_000: {
        "table": "0d05a6eb5066cde5badd10f1e283afc6270033f8a6123a0b3f7829616641294f",
        "json": "35f5df33017c381ffecf87ab3ba540644a75e65ed6cd7e17901cade624c771d4",
        "csv": "c59ddfeefe2112c8334dfba37741091ed7391fca0a9b8a193bbb3f4d673eaa8f",
        "html": "ef7c6575e2d5c06ac9d111571f171cc7e9ecedfc809c764ea1c68eae3eee0dcc",
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
