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
with the day-before conditioning taken out, all four digests are the old ones again. The
reports show what is time-barred where they show ``claimable`` (schema 1.6: ``time_barred`` in
the JSON's book and each client, a last CSV column, an HTML card and a clause of each client's
cost of lateness; docs/report-schema.md): the JSON, CSV and HTML digests of both, every added
value 0.00 (nothing is time-barred under the EU baseline the samples use); with the field, the
column, the card and the clause taken out and the version put back to 1.5, each of the six is
the old digest again, compared on the day of the change; the table is unchanged (it says so
only where it is not zero). The ``chronic_late`` finding's evidence gained ``p10_days_late``
(2026-12-07, the payment-run advice, docs/review.md): the JSON digests of both (3 lines in the
sample firm's, 2 in the 100,000 invoices'); with those lines taken out, each JSON is the old
digest again, compared on the day of the change; no sample client is on a payment run, so the
table, CSV and HTML are unchanged. The payment run's three lines became Policy fields
(2026-12-07, docs/review.md, "A fixed payment run"; same defaults, no verdict moved): the JSON
digests of both, whose policy echo gained ``payment_run_min_invoices``,
``payment_run_late_share`` and ``payment_run_spread_days`` (3 lines each); with those three
lines taken out, each JSON is the old digest again, compared on the day of the change. A
Polish firm's claims may run two years (``pl_limitation_years``, default 3; docs/claims.md,
"Poland: claims that run two years"): the JSON digests of both, whose policy echo gained the
one line ``"pl_limitation_years": 3,``; with that line taken out, each JSON is the old digest
again, compared on the day of the change (2026-12-07); the table, CSV and HTML digests are
unchanged (the samples are under the EU baseline, which the setting does not touch).
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
        "json": "0177cb99383889dcd1291a7f3a2da635b923f2166b49d9bd4922d37383fa084e",
        "csv": "021f3b04f227a91c26909501c1c5ed69ce290ab27ef82b3d765a59c7f13a510c",
        "html": "52e05cd052b188989c88456870b3965e53cb4c968bab944feaf11c32122c0366",
    },
    100_000: {
        "table": "6f48b66fb5feead19bcace25d74c056ad4baf47c0207c7633bdd7a061a1b79ca",
        "json": "4dd988645c68857d6a1fd831dd6586f25e9fde54c865ba849036bc699776a6c6",
        "csv": "ba22c7cbc7b870bdd395342ddf3dd2e59b88892577c70b3f0ed6922c677be5a7",
        "html": "6c0a7bf7fcc20b1e05f1655a8788f72a7bf24d45901a788c113ddefb1648a0ba",
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
