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
unchanged (the samples are under the EU baseline, which the setting does not touch). Rush
work is judged on working days (``Policy.rush_days``, default ``working``; docs/metrics/
concentration.md, "Lead time: working days"): every digest of both. The rush sentence and the
rush-fee advice say "within 2 working days" (was "within 2 days": Quickline Events, whose
41 of 51 rush requests and median lead of 1 are the same in working days); the rush
evidence and the JSON's policy echo gained ``rush_days`` ("working"); and Wren Marine B.V.
(the same 6 work requests in both samples) became a rush warning and ``revise_terms`` (was
``ok``): REQ-01154, asked Thursday 2025-12-18 for Sunday 12-21, is 2 working days (3
calendar days), so 2 of its 6 requests are rush, 33% >= 30% (was 1 of 6, 17%). With
``rush_days = "calendar"`` in the policy, the table, CSV and HTML of both are the old digests
again and each JSON differs from the old one only by its two ``rush_days`` lines (the policy
echo's and the rush evidence's), compared line by line on the day of the change. The
review's ``claimable`` adds each late invoice's line as ``clientguard claim`` states it, rounded
once (2026-12-07, docs/review.md, "The book and the data"; was the lines unrounded, rounded
only at output, a cent or more off the claim): every digest of both. Compared line by line
with the JSON and CSV field by field on the day of the change, only the claimable numbers
moved (each client's, the book's, the claim revision's amount and sentence, the cost-of-
lateness clause, the CSV's claimable column): the sample firm's on 10 of 39 clients, by at
most 0.02 EUR (Marlowe Retail 926.66 to 926.65, Halden Logistics 2,281.62 to 2,281.60; the
book's 7,782.02 unchanged); the 100,000 invoices' on 33 of 39, by at most 0.83 EUR (Tamarind
Robotics, 1,083 lines, 44,144.31 to 44,145.14, its claims' total), the book's 545,997.08 to
545,997.55. The JSON says the fixed compensation left out of ``claimable`` for want of a rate
(schema 1.7: ``compensation_unpriced`` and ``compensation_unconvertible`` in the book and each
client; docs/report-schema.md): the JSON digests of both, each gaining 80 lines, every one
``{}`` (the samples' compensation is the Directive's EUR 40 in an EUR book); with those lines
taken out and the version put back to 1.6, each JSON is the old digest again, compared on
the day of the change (2026-12-07); the table, CSV and HTML are unchanged.
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
        "table": "8fa2b64b879558cb8cebfbaf80e35debf29fe3177ec52200e87e6b89a377cb2f",
        "json": "ea9c6d14955db8162e163e434a5a08808bce4b9bde55d733325f94444db55fe7",
        "csv": "b5dbd78117828103ca481f59dc500897878f930edbde4577eb3481b4691a51bf",
        "html": "0a80222c0d2144d9fc2f8b217ac30c5090889a68ed356b7d2aa85361936cd557",
    },
    100_000: {
        "table": "d0e4a63bb1b72f78508452f08ba4ea72071f0379ef877f670b8b080c66a7010f",
        "json": "8cd69e2609ccc7a2487e543cf72b6f9616af3cbafefc19f69a0158546523bd2c",
        "csv": "8783385ce753543fda573236b8a983b5f07638f2cf4626d6e0ddf2356d8ef366",
        "html": "6097791a3f633fecc61d1ad67548372db92d307938ad67a389d7dd0ee8a4a17a",
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
