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
evidence line, and the sample firm no such client). An invoice due on ``as_of`` may still be
paid on time that day, so the forecast conditions it on being unpaid by the day before
(docs/forecast.md): the 100,000 invoices' four digests (the sample firm has no invoice due on
2026-06-30, so its digests and golden reports are unchanged). Compared line by line: only the
two flagged invoices due 2026-06-30 (Quickline Events INV-2026-13646, 100% late to 97%,
predicted 2026-07-09 to 07-08, expected late 2,184.05 to 2,117.50 EUR; Brightside Robotics
INV-2026-13685, 100% to 91%, predicted 07-08 to 07-07, interval from 07-04 to 07-02, 285.87 to
259.46 EUR; both findings keep their severity and verdict, and move down the forecast's list,
which is sorted by p_late) and the 13 weeks of cash (the day's chance of the invoices due that
day moves into week 1: weeks 1 to 3 by tens of euros, weeks 4 and 13 by a cent of rounding);
with the day-before conditioning taken out, all four digests are the old ones again.
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
        "table": "6f48b66fb5feead19bcace25d74c056ad4baf47c0207c7633bdd7a061a1b79ca",
        "json": "b450f3509c89372067b0b642529fb5e93b3a8f974e114a2eb5aaa6f8fb66306f",
        "csv": "de1e112d346050a8a21018cf2fbc1d3655975b67e612739bb119f8564603933b",
        "html": "e6e7b9cdea5273eaa865fd97a3be3effa045ef6206c90e4739b972201ca78006",
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
