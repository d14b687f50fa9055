"""The DuckDB peer: clientguard's per-client numbers by one SQL query on the same CSV files.

The question, the rules (each clientguard's, written rule for rule) and the answer's form are
in ``peer_common.py``; run by ``python -m bench`` with the python of ``bench/.venv-baselines``.
"""

from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # mypy checks bench/ as a package, where the sibling is bench.peer_common
    from bench.peer_common import Question, run
else:  # run as a script: pipeline.baseline runs `python bench/baseline_<peer>.py FOLDER`
    from peer_common import Question, run

QUERY = """
WITH
inv AS (SELECT * FROM read_csv('{d}/invoices.csv', header = true, all_varchar = false,
        types = {{'fx_rate': 'DECIMAL(18,6)', 'total': 'DECIMAL(18,2)', 'paid_on': 'DATE',
                 'amount_due': 'DECIMAL(18,2)'}})
        WHERE status IN ('open', 'paid') AND issue_date <= DATE '{as_of}'),
pay AS (SELECT * FROM read_csv('{d}/payments.csv', header = true,
        types = {{'amount': 'DECIMAL(18,2)', 'invoice_id': 'VARCHAR',
                 'fx_rate': 'DECIMAL(18,6)'}})),
cn AS (SELECT * FROM read_csv('{d}/credit_notes.csv', header = true,
       types = {{'total': 'DECIMAL(18,2)', 'invoice_id': 'VARCHAR', 'fx_rate': 'DECIMAL(18,6)'}})),
fx AS (SELECT * FROM read_csv('{d}/fx.csv', header = true, types = {{'rate': 'DECIMAL(18,6)'}})),
cust AS (SELECT id, coalesce(group_id, id) AS client
         FROM read_csv('{d}/customers.csv', header = true, types = {{'group_id': 'VARCHAR'}})),
docs_applied AS (
    SELECT invoice_id, date AS day, amount, 0 AS k, id AS doc, currency, fx_rate
    FROM pay WHERE invoice_id IS NOT NULL
    UNION ALL
    SELECT invoice_id, issue_date, total, 1, id, currency, fx_rate
    FROM cn WHERE invoice_id IS NOT NULL),
-- A document in another currency than its invoice's is converted on its day: the document's
-- own rate (its fx_rate, else the FxTable's), over the invoice's rate on that day (its fx_rate
-- on its issue date, else the FxTable's, else its fx_rate).
crossed AS (
    SELECT a.invoice_id, a.day, a.k, a.doc,
        (a.amount
        * CASE WHEN a.currency = '{base}' THEN 1 ELSE coalesce(a.fx_rate, fd.rate) END
        / CASE WHEN i.currency = '{base}' THEN 1
               WHEN i.fx_rate IS NOT NULL AND a.day = i.issue_date THEN i.fx_rate
               ELSE coalesce(fi.rate, i.fx_rate) END)::DECIMAL(30, 12) AS amount
    FROM docs_applied a JOIN inv i ON i.id = a.invoice_id AND i.currency <> a.currency
    ASOF LEFT JOIN fx fd ON fd.currency = a.currency AND fd.date <= a.day
    ASOF LEFT JOIN fx fi ON fi.currency = i.currency AND fi.date <= a.day),
apps AS (
    SELECT a.invoice_id, a.day, a.amount::DECIMAL(30, 12) AS amount, a.k, a.doc
    FROM docs_applied a JOIN inv i ON i.id = a.invoice_id AND i.currency = a.currency
    UNION ALL SELECT invoice_id, day, amount, k, doc FROM crossed),
run AS (
    SELECT i.id, i.total, a.day,
           sum(a.amount) OVER (PARTITION BY i.id ORDER BY a.day, a.k, a.doc
                               ROWS UNBOUNDED PRECEDING) AS paid
    FROM inv i JOIN apps a ON a.invoice_id = i.id WHERE a.day <= DATE '{as_of}'
        -- the source's paid date is an event of its day: nothing after it counts
        AND (i.status <> 'paid' OR i.paid_on IS NULL OR a.day <= i.paid_on)),
cleared AS (SELECT id, min(day) AS day FROM run WHERE total - paid <= {tolerance} GROUP BY id),
settled AS (
    SELECT i.*,
        CASE WHEN i.total <= {tolerance} THEN i.issue_date
             WHEN i.id IN (SELECT invoice_id FROM apps) THEN
                 CASE WHEN c.day IS NOT NULL THEN greatest(c.day, i.issue_date)
                      -- the source's paid date settles a rest the allocations leave open
                      -- on its own day
                      WHEN i.status = 'paid' AND i.paid_on IS NOT NULL
                           AND i.paid_on <= DATE '{as_of}'
                      THEN greatest(i.paid_on, i.issue_date)
                 END
             WHEN i.status = 'paid' AND i.paid_on <= DATE '{as_of}'
             THEN greatest(i.paid_on, i.issue_date) END AS on_day,
        i.status = 'paid' AND i.paid_on IS NULL AND i.total > {tolerance}
            AND i.id NOT IN (SELECT invoice_id FROM apps) AS unknown,
        -- 8. settled by its applications, credit notes alone: cancelled, not paid
        -- (no payment by its settlement day: one after it does not make it paid)
        coalesce(i.total > {tolerance} AND c.day IS NOT NULL
            AND i.id IN (SELECT invoice_id FROM cn WHERE invoice_id IS NOT NULL)
            AND NOT EXISTS (SELECT 1 FROM pay p WHERE p.invoice_id = i.id
                            AND p.date <= greatest(c.day, i.issue_date)), false)
            AS cancelled
    FROM inv i LEFT JOIN cleared c ON c.id = i.id),
priced AS (
    SELECT s.*,
        s.total * CASE WHEN s.currency = '{base}' THEN 1 ELSE coalesce(s.fx_rate, f.rate) END
            AS base,
        greatest(0, coalesce(s.on_day, DATE '{as_of}') - s.due_date) AS late_days
    FROM settled s ASOF LEFT JOIN fx f ON f.currency = s.currency AND f.date <= s.issue_date),
lateness AS (
    SELECT customer_id, count(*) AS due, sum((late_days > {grace})::INT) AS late,
           sum(base * late_days)::DOUBLE / nullif(sum(base), 0)::DOUBLE AS weighted
    FROM priced
    WHERE NOT unknown AND NOT cancelled AND total <> 0
      -- invoices due in the window (as_of - lookback, as_of], as DESIGN.md section 4 says
      AND due_date > DATE '{as_of}' - {lookback}
      AND due_date <= DATE '{as_of}'
    GROUP BY customer_id),
docs AS (
    SELECT customer_id, issue_date, currency, total, fx_rate FROM inv
    UNION ALL SELECT customer_id, issue_date, currency, -total, fx_rate FROM cn),
revenue AS (
    SELECT cust.client,
        sum(d.total * CASE WHEN d.currency = '{base}' THEN 1 ELSE coalesce(d.fx_rate, f.rate)
                      END) AS net
    FROM docs d ASOF LEFT JOIN fx f ON f.currency = d.currency AND f.date <= d.issue_date
    JOIN cust ON cust.id = d.customer_id
    WHERE d.issue_date > DATE '{as_of}' - {lookback} AND d.issue_date <= DATE '{as_of}'
    GROUP BY cust.client),
shares AS (SELECT client, net::DOUBLE / (sum(net) OVER ())::DOUBLE AS share
           FROM revenue WHERE net > 0)
SELECT coalesce(l.customer_id, s.client) AS who, l.late, l.due, l.weighted, s.share
FROM lateness l FULL JOIN shares s ON s.client = l.customer_id
ORDER BY who
"""


def compute(question: Question) -> dict[str, list[object]]:
    rows = duckdb.sql(QUERY.format(
        d=question.folder, as_of=question.as_of.isoformat(), base=question.base,
        tolerance=question.tolerance, grace=question.grace, lookback=question.lookback,
    )).fetchall()
    return {
        who: [late, due, None if weighted is None else repr(weighted),
              None if share is None else repr(share)]
        for who, late, due, weighted, share in rows
    }


if __name__ == "__main__":
    run(compute, duckdb.__version__)
