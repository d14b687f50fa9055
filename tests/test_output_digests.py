"""The review's output is byte for byte what it was before issue 21's speed work.

The digests below are SHA-256 of the review of the sample firm (its natural cadence, and the
100,000-invoice sample the benchmark uses), rendered in English in every format, computed with
``main`` at commit 0753f2f, before any change of issue 21. A speed-up that changes a single
byte of any report fails here; a deliberate change of the report's content updates these
digests in the same commit and says why.

Deliberate changes since: the JSON gained ``"lang": "en"`` and schema version 1.5 (issue 18;
with those two lines put back, the sample firm's JSON has the old digest again), and the HTML
was laid out for phones (issue 18, item 4; docs/html-report.md). A number and its noun agree
("1 day", not "1 days": the forecast's explanation and the HTML trend chart's label; with
"1 day" written "1 days" again, every report has the digest it had before). The forecast's
reasons write their counts as every number is written ("2,515 paid invoices of the client",
"48,609 invoices of the book": the 100,000-invoice digests; with the thousands separators taken
out, each report is the same text as before, compared on 2026-12-06). The evidence line names a
deciding finding's signal and metric in words ("team capacity: hours share over revenue share",
was "capacity: hours_to_revenue": the table, JSON and HTML digests of both; with those words
put back, every report is the same text as before, compared on 2026-12-06). The CSV digests
are unchanged since 0753f2f (the sample firm's) and since the forecast's counts (100,000).
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
        "table": "2e28f1802b37072baa5c751f5f1342d5a8d235e64eeb18eac02abc725d60aaa3",
        "json": "4d3a5d4381a837e0ee98f0fe565fb2d4bdd26ba854d0e3a1f779e01391c5f203",
        "csv": "86ede749a79f8c316821a8822a393009cd284d5fa16e64476e4c5b957e381902",
        "html": "4805b92b2575d021d2e7df727734324e0043dbb30b6b3c791f6c8c0255e0986f",
    },
    100_000: {
        "table": "4e210bf1a0e743a5c5c1934be18084285b794feb53112e7dd6d43409f2ee4fff",
        "json": "ea1c20206b4380028ae5cf39e8540e6e06c3a5855c8e7f50417c4c339c0a0490",
        "csv": "b123125c3b7b23d722dde1dfdee5ce5af332e02ab52690425272469a13cf8f43",
        "html": "48a98784a556354f72a03480741d640dc2272a9d75274a68cfe3365bed6c2c0e",
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
