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
out, each report is the same text as before, compared on 2026-12-06). The sample firm's
table and CSV digests are unchanged since 0753f2f.
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
        "json": "bb98bf7d7d93cd77d9b1605c73adadc4349aa6d6098efc8b72b85ec21fa0ff12",
        "csv": "86ede749a79f8c316821a8822a393009cd284d5fa16e64476e4c5b957e381902",
        "html": "8dac54af5bf8c5ac9d3b519377fa7b36016ca7366038c4e66227aad0a54c517e",
    },
    100_000: {
        "table": "81d68cb24a8ab3fa8438acfd692ed470663f38177ce515289361408c2e68d160",
        "json": "a9f2d7668efd023fa31826eced1f7d462079e3dcbd5ac9866a9785360cd33421",
        "csv": "b123125c3b7b23d722dde1dfdee5ce5af332e02ab52690425272469a13cf8f43",
        "html": "80dd1474b82e41721d48c7e258af23134698871ac5315eadd7978186f496bdce",
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
