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
were unchanged since 0753f2f (the sample firm's) and since the forecast's counts (100,000)
until the claimable sum came to count every late invoice, as a statutory claim does, not
only those due in the window (a debt stays owed): every digest of both; the claimable
numbers (the book's, each client's, the claim revision's amount and sentence, the CSV's last
column) are all that changed, compared field by field for the 100,000 invoices' JSON and CSV
and line by line for the sample firm's golden reports. The evidence line writes each metric in
its declared unit: the probability of paying late as a percentage ("probability of paying late
99%, from 75%", was "1.0, from 0.8"): the 100,000 invoices' table, JSON and HTML digests (13
clients whose deciding finding is the forecast's); with the old "1.0, from 0.8" put back, each
of the three is the same text as before, compared on the day of the change (the CSV has no
evidence line, and the sample firm no such client).
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
        "table": "d027319a14976815a66abb5c20f8373c15098858dc6989406e1d70a1767f922f",
        "json": "2a20d39638de4e506d5bc67169eca49182439a4fdbbed4c3c6c4ef055cb31336",
        "csv": "1c56f2871141321d9a7d4ffb5c92541e2ab4150f756d289d38b62610ceed8014",
        "html": "ae1ce8f53de311029645f23825c0f640165dd3b6f626de3aaa5576c7f2ef9911",
    },
    100_000: {
        "table": "d01aa2bb1a3c623ab6f2ddac382f1d4357e5a9b7b7f4e149a53ebfb3b9c4ec4e",
        "json": "65fa7504a1a3fa102a0ec929fe2474e392bc2e1411cad89c0013509dc1a5c917",
        "csv": "4fe23bc7f19a3de0744f8db7ee5a7aaccc97b5a983b20931938e9ea3be86feb7",
        "html": "01a9013ca5f38b40851072d17297a6cc67403dfff546f65bcb6af246d42ffee5",
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
