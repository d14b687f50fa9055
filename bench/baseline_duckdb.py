"""The DuckDB baseline: the same per-client numbers by one short SQL query on the same CSV.

Run by ``python -m bench`` with the python of ``bench/.venv-duckdb`` (DuckDB is never a
dependency of clientguard): ``baseline_duckdb.py FOLDER``. Prints JSON: the query's own wall
time, and per customer the late share (by count) and the amount-weighted days late over the
invoices due in the window, and per client (group) the share of net revenue issued in it.

Same rules as clientguard, kept short: draft and void invoices left out; an invoice is settled
on the first day its payments and credit notes bring its balance within 0.01 of zero (or on
``paid_on`` when it has none), never before its issue date; an open invoice past due counts
``as_of - due_date`` days; amounts in EUR at the document's ``fx_rate`` or else the FxTable's
rate of its date. Not modelled: cross-currency allocations (converted by clientguard), groups
nested more than one level.
"""

import json
import sys
import time

import duckdb

QUERY = """
WITH
inv AS (SELECT * FROM read_csv('{d}/invoices.csv', header = true, all_varchar = false,
        types = {{'fx_rate': 'DECIMAL(18,6)', 'total': 'DECIMAL(18,2)', 'paid_on': 'DATE',
                 'amount_due': 'DECIMAL(18,2)'}})
        WHERE status IN ('open', 'paid') AND issue_date <= DATE '{as_of}'),
pay AS (SELECT * FROM read_csv('{d}/payments.csv', header = true,
        types = {{'amount': 'DECIMAL(18,2)', 'invoice_id': 'VARCHAR'}})),
cn AS (SELECT * FROM read_csv('{d}/credit_notes.csv', header = true,
       types = {{'total': 'DECIMAL(18,2)', 'invoice_id': 'VARCHAR', 'fx_rate': 'DECIMAL(18,6)'}})),
fx AS (SELECT * FROM read_csv('{d}/fx.csv', header = true, types = {{'rate': 'DECIMAL(18,6)'}})),
cust AS (SELECT id, coalesce(group_id, id) AS client
         FROM read_csv('{d}/customers.csv', header = true, types = {{'group_id': 'VARCHAR'}})),
apps AS (
    SELECT invoice_id, date AS day, amount, 0 AS k, id AS doc FROM pay WHERE invoice_id IS NOT NULL
    UNION ALL
    SELECT invoice_id, issue_date, total, 1, id FROM cn WHERE invoice_id IS NOT NULL),
run AS (
    SELECT i.id, i.total, a.day,
           sum(a.amount) OVER (PARTITION BY i.id ORDER BY a.day, a.k, a.doc) AS paid
    FROM inv i JOIN apps a ON a.invoice_id = i.id WHERE a.day <= DATE '{as_of}'),
cleared AS (SELECT id, min(day) AS day FROM run WHERE total - paid <= 0.01 GROUP BY id),
settled AS (
    SELECT i.*,
        CASE WHEN i.total <= 0.01 THEN i.issue_date
             WHEN i.id IN (SELECT invoice_id FROM apps) THEN greatest(c.day, i.issue_date)
             WHEN i.status = 'paid' AND i.paid_on <= DATE '{as_of}' THEN i.paid_on END AS on_day,
        i.status = 'paid' AND i.paid_on IS NULL AND i.total > 0.01
            AND i.id NOT IN (SELECT invoice_id FROM apps) AS unknown
    FROM inv i LEFT JOIN cleared c ON c.id = i.id),
priced AS (
    SELECT s.*, s.total * coalesce(s.fx_rate, f.rate, 1) AS base,
        greatest(0, coalesce(s.on_day, DATE '{as_of}') - s.due_date) AS late_days
    FROM settled s ASOF LEFT JOIN fx f ON f.currency = s.currency AND f.date <= s.issue_date),
lateness AS (
    SELECT customer_id, count(*) AS due, avg((late_days > 0)::INT) AS late_share,
           sum(base * late_days) / nullif(sum(base), 0) AS weighted
    FROM priced
    WHERE NOT unknown AND total > 0
      -- invoices due in the window (as_of - 365, as_of], as DESIGN.md section 4 says
      AND due_date > DATE '{as_of}' - 365
      AND due_date <= DATE '{as_of}'
    GROUP BY customer_id),
docs AS (
    SELECT customer_id, issue_date, currency, total, fx_rate FROM inv
    UNION ALL SELECT customer_id, issue_date, currency, -total, fx_rate FROM cn),
revenue AS (
    SELECT cust.client, sum(d.total * coalesce(d.fx_rate, f.rate, 1)) AS net
    FROM docs d ASOF LEFT JOIN fx f ON f.currency = d.currency AND f.date <= d.issue_date
    JOIN cust ON cust.id = d.customer_id
    WHERE d.issue_date > DATE '{as_of}' - 365 AND d.issue_date <= DATE '{as_of}'
    GROUP BY cust.client),
shares AS (SELECT client, net / sum(net) OVER () AS share FROM revenue WHERE net > 0)
SELECT coalesce(l.customer_id, s.client) AS who, l.late_share, l.weighted, s.share, l.due
FROM lateness l FULL JOIN shares s ON s.client = l.customer_id
ORDER BY who
"""


def main() -> None:
    folder = sys.argv[1]
    with open(f"{folder}/meta.json", encoding="utf-8") as handle:
        meta = json.load(handle)
    start = time.perf_counter()
    rows = duckdb.sql(QUERY.format(d=folder, as_of=meta["as_of"])).fetchall()
    wall = time.perf_counter() - start
    numbers = {
        who: [None if v is None else str(v) for v in (late, weighted, share)] + [due]
        for who, late, weighted, share, due in rows
    }
    print(json.dumps({"query_wall": wall, "version": duckdb.__version__, "numbers": numbers}))


if __name__ == "__main__":
    main()
