"""The polars peer: clientguard's per-client numbers by a short polars script on the same CSV.

The question, the rules (each clientguard's, written rule for rule, numbered as there) and the
answer's form are in ``peer_common.py``; run by ``python -m bench`` with the python of
``bench/.venv-baselines``. Amounts are counted in cents (float64 holds every whole cent of these
files exactly, so the running sums and the tolerance compare exactly); base amounts are floats.
"""

from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:  # mypy checks bench/ as a package, where the sibling is bench.peer_common
    from bench.peer_common import Question, run
else:  # run as a script: pipeline.baseline runs `python bench/baseline_<peer>.py FOLDER`
    from peer_common import Question, run


def _read(question: Question, name: str, dates: list[str], **types: pl.DataType) -> pl.DataFrame:
    overrides = dict.fromkeys(dates, pl.Date) | types
    return pl.read_csv(question.path(name), schema_overrides=overrides, infer_schema=False)


def _cents(column: str) -> pl.Expr:
    return (pl.col(column) * 100).round()


def _with_fx(frame: pl.DataFrame, fx: pl.DataFrame, day: str, name: str) -> pl.DataFrame:
    """``frame`` with the FxTable's latest rate on or before ``frame[day]`` in its currency
    (null where none) as ``name``."""
    return frame.sort(day).join_asof(
        fx.rename({"date": day, "rate": name}), on=day, by="currency", strategy="backward",
        check_sortedness=False)


def compute(question: Question) -> dict[str, list[object]]:
    as_of = question.as_of
    start = question.window_start
    base = question.base
    tolerance = float(question.tolerance) * 100  # in cents
    money = {"fx_rate": pl.Float64}
    fx = _read(question, "fx", ["date"], rate=pl.Float64).sort("date")
    # 1. live invoices issued by as_of
    inv = _read(question, "invoices", ["issue_date", "due_date", "paid_on"], total=pl.Float64,
                **money).filter(pl.col("status").is_in(["open", "paid"]),
                                pl.col("issue_date") <= as_of)
    inv = _with_fx(inv, fx, "issue_date", "table_rate").with_columns(
        cents=_cents("total"),
        # 5. amounts in the base currency
        amount=pl.col("total") * pl.when(pl.col("currency") == base).then(1.0)
        .otherwise(pl.coalesce("fx_rate", "table_rate")),
    )
    # 2. applications, in the replay's order, converted where the currencies differ
    pay = _read(question, "payments", ["date"], amount=pl.Float64, **money)
    cn = _read(question, "credit_notes", ["issue_date"], total=pl.Float64, **money)
    apps = pl.concat([
        pay.select("invoice_id", day="date", k=pl.lit(0), doc="id", cents=_cents("amount"),
                   currency="currency", fx_rate="fx_rate"),
        cn.select("invoice_id", day="issue_date", k=pl.lit(1), doc="id", cents=_cents("total"),
                  currency="currency", fx_rate="fx_rate"),
    ]).join(inv.select(invoice_id="id", inv_currency="currency", inv_fx_rate="fx_rate",
                       inv_issue="issue_date"), on="invoice_id")
    apps = _with_fx(apps, fx, "day", "doc_table")
    apps = apps.sort("day").join_asof(
            fx.rename({"date": "day", "rate": "inv_table", "currency": "inv_currency"}),
            on="day", by="inv_currency", strategy="backward", check_sortedness=False)
    doc_rate = (pl.when(pl.col("currency") == base).then(1.0)
                .otherwise(pl.coalesce("fx_rate", "doc_table")))
    inv_rate = (pl.when(pl.col("inv_currency") == base).then(1.0)
                .when(pl.col("inv_fx_rate").is_not_null() & (pl.col("day") == pl.col("inv_issue")))
                .then(pl.col("inv_fx_rate"))
                .otherwise(pl.coalesce("inv_table", "inv_fx_rate")))
    apps = apps.with_columns(
        cents=pl.when(pl.col("currency") != pl.col("inv_currency"))
        .then(pl.col("cents") * doc_rate / inv_rate).otherwise(pl.col("cents")))
    # A paid invoice's applications count by the end of its paid date (an event of its day).
    limit = pl.when(pl.col("status") == "paid").then(pl.col("paid_on"))
    counted = (apps.filter(pl.col("day") <= as_of).sort("invoice_id", "day", "k", "doc")
               .join(inv.select(invoice_id="id", total_cents="cents", limit=limit),
                     on="invoice_id", maintain_order="left")
               .filter(pl.col("limit").is_null() | (pl.col("day") <= pl.col("limit")))
               .with_columns(paid=pl.col("cents").cum_sum().over("invoice_id")))
    cleared = (counted.filter(pl.col("total_cents") - pl.col("paid") <= tolerance)
               .group_by("invoice_id").agg(cleared=pl.col("day").min()))
    with_apps = apps.select(pl.col("invoice_id").unique()).with_columns(has_apps=True)
    credited = (cn.filter(pl.col("invoice_id").is_not_null())
                .select(pl.col("invoice_id").unique()).with_columns(has_credit=True))
    with_payment = (pay.filter(pl.col("invoice_id").is_not_null())
                    .group_by("invoice_id").agg(first_paid=pl.col("date").min()))
    # 3. the settlement day
    inv = (inv.join(cleared, left_on="id", right_on="invoice_id", how="left")
           .join(with_apps, left_on="id", right_on="invoice_id", how="left")
           .join(credited, left_on="id", right_on="invoice_id", how="left")
           .join(with_payment, left_on="id", right_on="invoice_id", how="left")
           .with_columns(pl.col("has_apps", "has_credit").fill_null(False)))
    paid = pl.col("status") == "paid"
    on_day = (pl.when(pl.col("cents") <= tolerance).then(pl.col("issue_date"))
              .when(pl.col("has_apps")).then(
                  pl.when(pl.col("cleared").is_not_null()).then(pl.col("cleared"))
                  .when(paid & pl.col("paid_on").is_not_null() & (pl.col("paid_on") <= as_of))
                  .then(pl.col("paid_on")))
              .when(paid & (pl.col("paid_on") <= as_of)).then(pl.col("paid_on")))
    inv = inv.with_columns(on_day=on_day).with_columns(
        on_day=pl.when(pl.col("on_day").is_not_null())
        .then(pl.max_horizontal("on_day", "issue_date")),
        unknown=paid & pl.col("paid_on").is_null() & (pl.col("cents") > tolerance)
        & ~pl.col("has_apps"),
        # 8. settled by its applications, credit notes alone: cancelled, not paid
        #    (no payment by its settlement day: one after it does not make it paid)
        cancelled=pl.col("cleared").is_not_null() & (pl.col("cents") > tolerance)
        & pl.col("has_credit")
        & (pl.col("first_paid").is_null()
           | (pl.col("first_paid") > pl.max_horizontal("cleared", "issue_date"))),
    ).with_columns(
        # 4. days late
        late_days=(pl.col("on_day").fill_null(as_of) - pl.col("due_date")).dt.total_days()
        .clip(lower_bound=0).cast(pl.Float64),
    )
    # 6. the invoices due in the window
    lateness = (inv.filter(~pl.col("unknown"), ~pl.col("cancelled"), pl.col("cents") != 0,
                           pl.col("due_date") > start, pl.col("due_date") <= as_of)
                .group_by("customer_id")
                .agg(due=pl.len(), late=(pl.col("late_days") > question.grace).sum(),
                     amount=pl.col("amount").sum(),
                     amount_days=(pl.col("amount") * pl.col("late_days")).sum()))
    # 7. revenue shares
    cn = _with_fx(cn, fx, "issue_date", "table_rate").with_columns(
        amount=-pl.col("total") * pl.when(pl.col("currency") == base).then(1.0)
        .otherwise(pl.coalesce("fx_rate", "table_rate")))
    issued = (pl.col("issue_date") > start) & (pl.col("issue_date") <= as_of)
    customers = _read(question, "customers", []).select(
        customer_id="id", client=pl.coalesce("group_id", "id"))
    revenue = (pl.concat([inv.filter(issued).select("customer_id", "amount"),
                          cn.filter(issued).select("customer_id", "amount")])
               .join(customers, on="customer_id").group_by("client")
               .agg(net=pl.col("amount").sum()).filter(pl.col("net") > 0))
    revenue = revenue.with_columns(share=pl.col("net") / pl.col("net").sum())
    numbers: dict[str, list[object]] = {}
    for row in lateness.iter_rows(named=True):
        weighted = None if row["amount"] == 0 else repr(row["amount_days"] / row["amount"])
        numbers[row["customer_id"]] = [row["late"], row["due"], weighted, None]
    for row in revenue.iter_rows(named=True):
        numbers.setdefault(row["client"], [None, None, None, None])[3] = repr(row["share"])
    return dict(sorted(numbers.items()))


if __name__ == "__main__":
    run(compute, pl.__version__)
