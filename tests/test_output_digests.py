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
the day of the change (2026-12-07); the table, CSV and HTML are unchanged. A claim line in
another currency than the base is converted and rounded to the cent of the base before the
lines are added (2026-12-07, docs/claims.md, "Rounding"; was converted and added unrounded):
every digest of both. Compared line by line on the day of the change, only the claimable
numbers of the clients invoiced in USD or GBP and the book's moved (the book's and the
client's in the JSON, the CSV's claimable column, the summary and the cost-of-lateness
clause): in the sample firm Lakeshore Analytics 345.46 to 345.45 EUR (its eight USD lines
each to the cent, worked out beside the claim's lines) and the book's 7,782.02 to 7,782.01;
in the 100,000 invoices Lakeshore Analytics 22,927.00 to 22,927.11, Thornbury Press 5,464.61
to 5,464.58, the book's 545,997.55 to 545,997.63. The JSON says the time-barred fixed
compensation the ledger cannot convert (schema 1.8: ``time_barred_unconvertible`` in the book
and each client; docs/report-schema.md): the JSON digests of both, each gaining 40 lines,
every one ``{}``; with those lines taken out and the version put back to 1.7, each JSON is the
previous digest again, compared on the day of the change (2026-12-07); the table, CSV and HTML
are unchanged. Unapplied money beside open invoices is said (2026-12-07, docs/review.md,
"Unapplied money"): the evidence line gains ", unapplied X EUR", the client's summary "X EUR
of its payments and credit notes are unapplied, against an open balance of Y EUR: apply them
in your books before acting.", and the data quality one note per such client (a group of
kind ``unapplied_money``); the client below the warning share is told "to keep its share of
revenue (12% now) under 20%" (was "to bring its share of revenue under 20%", Orbis Media, at
12%), and the ``cross_aging`` evidence gains ``aged_disputed`` and ``material``: the table,
JSON and HTML digests of both. Compared field by field on the day of the change, no verdict,
finding (signal and severity), revision kind or amount, book field or CSV byte moved in
either sample: the sample firm's JSON has 11 lines changed and 17 added (5 evidence lines, 3
summaries, the no-exclusivity sentence, Copperleaf Foods' cross-aging evidence, 3 notes and
their group), the 100,000 invoices' 52 changed and 38 added (25 evidence lines, 24
summaries, the same others).
Then the forecast learns from the invoices open and already late as delays longer
than their age (right-censored, Kaplan-Meier), and an open invoice older than all but a few
ever paid is not dated and counted after the 13 weeks (docs/forecast.md, "Survival"; schema
1.9: a forecast invoice's ``predicted_on``, ``low`` and ``high`` may be null): every digest of
both. Compared field by field on the day of the change (2026-12-07): no verdict and no
finding's severity moved in either; the churned client's one open invoice (256 days past due,
926.25 EUR; 240 days, 1,496.25 EUR in the 100,000) is not dated and ``after`` rose from 0.00 to
927.61 EUR (0.34 to 1,496.66); the credibility weights, the ``expected_late`` probabilities
and amounts (Marlowe Retail 2,698.48 to 2,689.77 EUR, Halden Logistics 2,769.28 to 2,756.01)
and the 13 weeks moved with them, and the reasons name the client's open late invoices.
The two changes landed together: the table, JSON and HTML digests are of both (the golden
files of the sample firm, merged line by line from the two changes, are what the review
renders with both; the CSV is the forecast's alone, the unapplied money's being none).
The JSON carries what the advice holds back of ``claimable`` and the financing cost the
summaries leave out (schema 1.10: ``claimable_disputed``, ``claimable_unapplied`` and
``financing_covered`` in the book and each client, and each client's ``unapplied``;
docs/report-schema.md): the JSON digests of both, each gaining 159 lines (3 in the book, 4 in
each of the 39 clients) and the version line changed. Compared field by field on the day of
the change (2026-12-07), with those fields taken out and the version put back to 1.9, each
JSON is the previous digest's document again: no verdict, finding, revision or amount moved
in either sample. Every added value is 0.00 but the clients' ``unapplied`` (the sample
firm's 5 clients with unapplied money, 39.07 to 1,500.00 EUR; the 100,000 invoices' 25, 3.16 to
1,500.00 EUR): in neither sample is any claim held for a dispute or left to unapplied money,
nor does any client's unapplied money cover its open balance, so the table, CSV and HTML (which
say these parts only where they are not zero) are unchanged.
Then the forecast's history became unbiased (2026-12-07, docs/forecast.md, step 5, "Why every open
invoice"): every invoice weighs by its due date's recency (was the day it was paid), every
open invoice is censored (the not yet late too), a client's unresolved part is completed
from its last paid delay, an invoice not yet late is never undated, and each week's chance is
the step of the running chance rounded (weeks and ``after`` add up exactly): every digest of
both. Compared field by field on the day of the change: no verdict, no finding (signal and
severity) and no revision moved in either; only the ``expected_late`` findings' values,
messages and evidence (the sample firm's two: Marlowe Retail 85% to 83%, 2,689.77 to 2,649.40
EUR expected late, mean +24 to +23 days, trend +16 to +15; Halden Logistics 85% to 84%,
2,756.01 to 2,705.20 EUR, interval end 2026-08-28 to 08-27, mean +32 to +31, trend -3 to -4;
the 100,000 invoices' 19, by at most 0.006 in value) and the forecast: the sample firm's
``after`` 927.61 to 926.75 EUR, week 1 15,765.98 to 15,835.83 (every week by at most 199.56,
week 2), 28 of its 31 invoices' ``p_late`` by at most 0.0158, 7 invoices' dates, 11 reasons,
the 40 outlooks; the 100,000 invoices' ``after`` 1,496.66 to 1,496.61, week 1 1,683,521.11 to
1,687,774.31, 2,030 of 2,461 invoices' ``p_late`` by at most 0.0119, 218 invoices' dates, 294
reasons, 39 of 40 outlooks. The CSV's lines that moved are those 2 and 19 findings'; the
table's are their messages (6 and 33 lines). It landed after schema 1.10's fields: the
table, CSV and HTML digests are the forecast's, the JSON's of both (the golden files, merged
line by line from the two changes, are what the review renders with both).
Then what unapplied money pays is decided in the documents' own currency, oldest due first, each
covered invoice paid on the money's day (2026-12-07, docs/review.md, "Unapplied money"): where
a client's unapplied money and open invoices are all of one currency, its sentence says that
currency's amounts, unconverted. Only the 100,000 invoices' JSON moved, 4 lines, compared line
by line on the day of the change: Lakeshore Analytics' summary and note "65.46 EUR ... against
an open balance of 167,836.43 EUR" to "72.14 USD ... 183,800.32 USD", Thornbury Press's "3.16
EUR ... 139,262.69 EUR" to "2.71 GBP ... 119,966.48 GBP". No number, verdict, finding or
claim moved in either sample (neither has unapplied money that reaches an open invoice); the
sample firm's four digests, and the 100,000 invoices' table, CSV and HTML (which do not print
those sentences), are unchanged. Each client's financing as its sentences say it and its
``financing_covered`` are rounded to the cent once, in the review, its ``financing_cost`` is
their sum, and the book's are those added up (2026-12-07,
docs/review.md, "The book and the data"; was the clients' unrounded costs added up, then
rounded): the sample firm's table, JSON and HTML digests, and only the book's financing, 655.95
to 655.96 EUR (the JSON's ``book.financing_cost``, the book's summary sentence, the HTML's
"Lateness cost" card and summary; the clients' JSON values added up are 655.96), compared line
by line on the golden reports (10 lines of 6 files, nothing else); its CSV (no book row of
financing) and the 100,000 invoices' four digests are unchanged (there the clients' rounding
happens to add up to the same cent).
The forecast's 13 weeks and ``after`` are rounded to the cent together in the JSON (largest
remainder, so they add up to the open invoices' total: docs/report-schema.md): the JSON
digests of both, one week's ``expected`` a cent up in each (the sample firm's week 10.34 to
10.35, the 100,000 invoices' 1,323,872.72 to 1,323,872.71), compared line by line on the day
of the change (2026-12-07); nothing else moved.
An open invoice is predicted in the amount band of its total, in whole units, as it is learned
(2026-12-08, docs/forecast.md, step 3; was the band of its open balance): the 100,000
invoices' four digests. Compared field by field on the day of the change: 12 of its 2,461
forecast invoices moved, 11 partly paid whose total is above the band's edge (1,206 EUR) and
balance below it (now "large", as they were learned; INV-2026-12605 of 2,299.00 with 1,149.50
left, p_late 0.8554 to 0.8553) and INV-2026-14214 of 1,206.98 (whole units 1,206: now "small",
as a paid one of that total is); Cedar Marine's ``expected_late`` warning says 7,938.04 EUR
expected late (was 7,938.10: the one line of the table and the CSV); the 13 weeks by at most
1.21 EUR (week 2, 1,444,873.87 to 1,444,872.66), ``after`` unchanged; no verdict, finding
(signal and severity) or revision moved. The sample firm has no such invoice: its digests
and golden reports are unchanged.
Unapplied money pays part of the next open invoice (it stopped at the first it did not reach
in full), as part payments on the money's day that the profiles, the costs, the claim and the
advice all read (2026-12-08, docs/review.md, "Unapplied money"): every digest of both.
Compared field by field on the day of the change, no verdict, finding (signal and severity)
or revision kind moved in either. In the sample firm two clients moved: Copperleaf Foods'
39.07 EUR (paid 2024-06-18) pays part of INV-2025-00305 (926.25 EUR, due 2025-10-17, 256 days
late): 39.07 x 10.15% x 256 / 365 = 2.78 EUR of interest is held (claim 357.00 to 354.22),
39.07 x 10% x 256 / 365 = 2.74 EUR of financing covered (65.30 to 62.56 in its sentences),
overdue 926.25 to 887.18; Halden Logistics' 600.00 EUR credit note (2026-03-23) pays part of
INV-2026-00147 (1,971.25 EUR, due 2026-06-14, 16 days late): the line 8.77 to 6.10 (1,371.25
x 10.15% x 16 / 365), 2.67 held (claim 2,281.60 to 2,278.93), 600 x 10% x 16 / 365 = 2.63 of
financing covered (239.56 to 236.93), overdue 1,971.25 to 1,371.25; the book's 5.45 and 5.37.
In the 100,000 invoices 14 of 39 clients moved, each by what its unapplied money pays of one
open invoice (``claimable_unapplied`` 0.03 to 9.34 EUR, the book's 15.67; ``financing_covered``
0.03 to 9.20, the book's 15.42), and five clients' ``financing_cost`` moved by a cent of
rounding (its two parts, the sentences' and the covered, are each rounded once: Marlowe
Retail 21,308.85 to 21,308.86, Beacon Labs 256.52 to 256.51; the book's 48,262.28 to
48,262.31).
The CSV carries, after ``time_barred``, the JSON's ``claimable_disputed``,
``claimable_unapplied`` and ``financing_covered`` of each client (2026-12-08, docs/cli.md,
"csv"): the CSV digests of both, each row three cells longer (empty on the book's rows; on a
client's its JSON values: 0.00 but, in the sample firm, Copperleaf Foods' 2.78 and 2.74 and
Halden Logistics' 2.67 and 2.63 unapplied and covered; in the 100,000 invoices 14 clients',
0.03 to 9.34); with those three columns taken out, each CSV is the previous digest again,
compared on the day of the change, and the golden CSVs' new cells are the golden JSONs'
values client by client; the table, JSON and HTML are unchanged.
The table's OVERDUE column and the HTML's "Overdue" cell say the overdue balance once the
client's unapplied money is applied, the evidence line's figure (2026-12-08, docs/review.md,
"Unapplied money"; was the books' balance before it), and the table's title reads "Sample
firm, as of 2026-06-30 (EUR)" (was "Sample firm: clientguard review as of 2026-06-30 (EUR)",
docs/cli.md, "--title"): the table and HTML digests of both. Compared line by line on the day
of the change: the sample firm's two rows of Copperleaf Foods (926.25 to 887.18, its 39.07
EUR) and Halden Logistics (1,971.25 to 1,371.25, its 600.00 EUR credit note) and the title;
the 100,000 invoices' title and 15 of 39 rows, each now the evidence line's figure (Marlowe
Retail 304,888.38 to 304,847.81, its 40.57 EUR; Halden Logistics 214,912.80 to 214,213.17,
its 699.63 EUR; clients billed in USD or GBP by the money converted at the invoices' rates);
the JSON and CSV (which have no such column) are unchanged.
What the unapplied money holds back of a claim is called interest and compensation, not
interest alone (2026-12-08: the held part may be compensation the money makes not owed): the
table, JSON and HTML digests of both. Compared line by line on the day of the change: only that
sentence moved, the sample firm's two (Copperleaf Foods, Halden Logistics) and the 100,000
invoices' two (the CSV has no such sentence); with the old sentence put back, each report is
the same text as before. Unapplied money paying in its own time order (only the invoices
issued by its day, a dispute raised after it not turning it away) moved no byte of either.
With both changes (merged on 2026-12-08), each digest is the one its own change gave: the CSV
digests of the three columns, the table, JSON and HTML digests of the sentence.
A group's companies are each its own debtor: one's unapplied money pays only its own invoices
and its linked customers' (2026-12-08, docs/review.md, "Unapplied money"; docs/claims.md):
the 100,000 invoices' table, JSON and HTML digests (the CSV and the sample firm's are
unchanged). Compared line by line on the day of the change, one client moved: Orbis Media
Holding's 482.97 EUR of unapplied payments paid Orbis Studios' INV-2026-12163 (4,940.66 EUR,
due 2026-06-28, 2 days late) and now pays its own INV-2026-12262 (due 2026-07-01, not late):
the group's ``claimable_unapplied`` 0.27 to 0.00 (482.97 x 10.15% x 2 / 365), its
``financing_covered`` 0.26 to 0.00 (482.97 x 10% x 2 / 365), its overdue 4,457.69 to 4,940.66,
its financing cost 918.38 to 918.64 EUR; the book's 15.67 and 15.42 to 15.40 and 15.16; no
verdict, finding or revision moved.
The what-if of ending a client writes its shares of the revenue and of the team's hours as
the findings write them (2026-12-08, docs/review.md, "Figures compared as shown": one decimal
below 10%, a tenth finer beside a line; was whole percent, "35%" beside a finding's "34.6%"):
the table, JSON and HTML digests of both (the CSV has no what-if). Compared line by line on
the day of the change, only the what-if sentences moved (Marlowe Retail "(3% of the
window's) ... (3% of the team's)" to "(3.4% ...) ... (2.8% ...)": 36,336.32 of 1,075,217.64
EUR and 260 of 9,452.25 hours; Copperleaf Foods "0%" to "0.3%"); no verdict, finding or
figure moved. The other lines compared as shown (hours share, days, late share, old debt's
share, HHI) move nothing in either sample.
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
        "table": "eea302ca6b71f3b2aa3b9d22fbb17b692cdb4dc5a57db6997334641f50ebae34",
        "json": "126ff6fba809551b31835f2109e7a1a9854b3dce4e654358bdae751d450821e7",
        "csv": "35897266cd4ee6f6fa4b1ff76e50edba6d7892fec246b57aea14dd50e9ae8103",
        "html": "70eaf5a51f5283a1d011aec648bda042e4387385716e1eea97710f54d0832c8a",
    },
    100_000: {
        "table": "3bb31ea239225124b79f36c736a27efadb0aa02561b32740c22cbafe1d238850",
        "json": "87661df8cdbd8ecc4d0e3a36d1cfc8d02a6ee528f4918fcbb785dc4ac5e502d1",
        "csv": "8f8b810b3c4020591e30a3cc8a515cb04c1817a1c11feff0a4cdf84a0a4dcbaa",
        "html": "bef8e0ea203acb33f267080c6b281bfcbb0b316434d440bfaea3f7e386480bae",
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
