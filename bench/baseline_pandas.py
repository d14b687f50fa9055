"""The pandas peer: clientguard's per-client numbers by a short pandas script on the same CSV.

The question, the rules (each clientguard's, written rule for rule, numbered as there) and the
answer's form are in ``peer_common.py``; run by ``python -m bench`` with the python of
``bench/.venv-baselines``. Amounts are counted in cents (float64 holds every whole cent of these
files exactly, so the running sums and the tolerance compare exactly); base amounts are floats.
"""

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # mypy checks bench/ as a package, where the sibling is bench.peer_common
    from bench.peer_common import Question, run
else:  # run as a script: pipeline.baseline runs `python bench/baseline_<peer>.py FOLDER`
    from peer_common import Question, run

DAY = np.timedelta64(1, "D")


def _read(question: Question, name: str, dates: list[str], **types: str) -> pd.DataFrame:
    frame = pd.read_csv(question.path(name), dtype=types, keep_default_na=False,
                        na_values=[""])
    for column in dates:
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
    return frame


def _cents(values: pd.Series) -> pd.Series:
    return (values * 100).round()


def _fx_rate(frame: pd.DataFrame, fx: pd.DataFrame, day: str) -> pd.Series:
    """The FxTable's latest rate on or before ``frame[day]`` in ``frame.currency`` (NaN where
    none), aligned with ``frame``."""
    keys = pd.DataFrame({"currency": frame.currency.to_numpy(), day: frame[day].to_numpy(),
                         "at": np.arange(len(frame))}).sort_values(day)
    found = pd.merge_asof(keys, fx.rename(columns={"date": day}), on=day, by="currency")
    rates = np.empty(len(frame))
    rates[found["at"].to_numpy()] = found["rate"].to_numpy()
    return pd.Series(rates, index=frame.index)


def compute(question: Question) -> dict[str, list[object]]:
    as_of = pd.Timestamp(question.as_of)
    base = question.base
    tolerance = float(question.tolerance) * 100  # in cents
    fx = _read(question, "fx", ["date"], currency="str", rate="float64").sort_values("date")
    # 1. live invoices issued by as_of
    inv = _read(question, "invoices", ["issue_date", "due_date", "paid_on"],
                id="str", customer_id="str", currency="str", status="str",
                total="float64", fx_rate="float64")
    inv = inv[inv.status.isin(["open", "paid"]) & (inv.issue_date <= as_of)]
    inv = inv.set_index("id")
    inv["cents"] = _cents(inv.total)
    # 2. applications, in the replay's order, converted where the currencies differ
    pay = _read(question, "payments", ["date"], id="str", invoice_id="str", currency="str",
                amount="float64", fx_rate="float64")
    cn = _read(question, "credit_notes", ["issue_date"], id="str", customer_id="str",
               invoice_id="str", currency="str", total="float64", fx_rate="float64")
    apps = pd.concat([
        pd.DataFrame({"invoice_id": pay.invoice_id, "day": pay.date, "k": 0, "doc": pay.id,
                      "cents": _cents(pay.amount), "currency": pay.currency,
                      "fx_rate": pay.fx_rate}),
        pd.DataFrame({"invoice_id": cn.invoice_id, "day": cn.issue_date, "k": 1, "doc": cn.id,
                      "cents": _cents(cn.total), "currency": cn.currency,
                      "fx_rate": cn.fx_rate}),
    ], ignore_index=True)
    apps = apps[apps.invoice_id.isin(inv.index)]
    target = inv.loc[apps.invoice_id]
    crossed = apps.currency.to_numpy() != target.currency.to_numpy()
    if crossed.any():
        moved = apps[crossed]
        owner = inv.loc[moved.invoice_id].set_index(moved.index)
        doc_rate = moved.fx_rate.fillna(_fx_rate(moved, fx, "day")).where(
            moved.currency != base, 1.0)
        at_issue = (moved.day == owner.issue_date) & owner.fx_rate.notna()
        table = _fx_rate(pd.DataFrame({"currency": owner.currency, "day": moved.day}), fx, "day")
        inv_rate = owner.fx_rate.where(at_issue, table.fillna(owner.fx_rate)).where(
            owner.currency != base, 1.0)
        apps.loc[moved.index, "cents"] = moved.cents * doc_rate / inv_rate
    has_apps = inv.index.isin(apps.invoice_id)
    # A paid invoice's applications count by the end of its paid date (an event of its day).
    limit = inv.paid_on.where(inv.status == "paid").reindex(apps.invoice_id).to_numpy()
    in_time = (apps.day <= as_of).to_numpy() & ~(apps.day.to_numpy() > limit)
    counted = apps[in_time].sort_values(["invoice_id", "day", "k", "doc"])
    counted["paid"] = counted.groupby("invoice_id", sort=False).cents.cumsum()
    left = inv.cents.reindex(counted.invoice_id).to_numpy() - counted.paid.to_numpy()
    cleared = counted[left <= tolerance].groupby("invoice_id").day.min()
    # 3. the settlement day
    paid = inv.status == "paid"
    with_apps = cleared.reindex(inv.index).where(
        cleared.reindex(inv.index).notna(),
        inv.paid_on.where(paid & inv.paid_on.notna() & (inv.paid_on <= as_of)))
    without = inv.paid_on.where(paid & (inv.paid_on <= as_of))
    on_day = with_apps.where(has_apps, without).where(inv.cents > tolerance, inv.issue_date)
    on_day = np.maximum(on_day, inv.issue_date).where(on_day.notna())
    unknown = paid & inv.paid_on.isna() & (inv.cents > tolerance) & ~has_apps
    # 8. settled by its applications, credit notes alone: cancelled, not paid
    #    (no payment by its settlement day: one after it does not make it paid)
    first_paid = pay.dropna(subset=["invoice_id"]).groupby("invoice_id").date.min()
    settled_day = np.maximum(cleared.reindex(inv.index), inv.issue_date)
    cancelled = (cleared.reindex(inv.index).notna() & (inv.cents > tolerance)
                 & inv.index.isin(cn.invoice_id.dropna())
                 & ~(first_paid.reindex(inv.index) <= settled_day))
    # 4. days late
    late_days = ((on_day.fillna(as_of) - inv.due_date) / DAY).clip(lower=0)
    # 5. amounts in the base currency
    rate = inv.fx_rate.fillna(_fx_rate(inv, fx, "issue_date")).where(inv.currency != base, 1.0)
    amount = inv.total * rate
    # 6. the invoices due in the window
    due = (~unknown & ~cancelled & (inv.cents != 0)
           & (inv.due_date > pd.Timestamp(question.window_start)) & (inv.due_date <= as_of))
    lateness = pd.DataFrame({
        "customer_id": inv.customer_id[due], "late": (late_days[due] > question.grace),
        "amount": amount[due], "amount_days": (amount * late_days)[due],
    }).groupby("customer_id").agg(due=("late", "size"), late=("late", "sum"),
                                  amount=("amount", "sum"), amount_days=("amount_days", "sum"))
    lateness["weighted"] = lateness.amount_days / lateness.amount
    # 7. revenue shares
    issued = (inv.issue_date > pd.Timestamp(question.window_start)) & (inv.issue_date <= as_of)
    cn_issued = (cn.issue_date > pd.Timestamp(question.window_start)) & (cn.issue_date <= as_of)
    cn_rate = cn.fx_rate.fillna(_fx_rate(cn, fx, "issue_date")).where(cn.currency != base, 1.0)
    docs = pd.concat([
        pd.DataFrame({"customer_id": inv.customer_id[issued], "net": amount[issued]}),
        pd.DataFrame({"customer_id": cn.customer_id[cn_issued],
                      "net": -(cn.total * cn_rate)[cn_issued]}),
    ])
    customers = _read(question, "customers", [], id="str", group_id="str")
    client = customers.set_index("id").group_id.fillna(customers.set_index("id").index.to_series())
    revenue = docs.groupby(docs.customer_id.map(client)).net.sum()
    revenue = revenue[revenue > 0]
    shares = revenue / revenue.sum()
    numbers: dict[str, list[object]] = {}
    for who, row in lateness.iterrows():
        numbers[str(who)] = [int(row.late), int(row.due),
                             None if row.amount == 0 else repr(float(row.weighted)), None]
    for who, share in shares.items():
        numbers.setdefault(str(who), [None, None, None, None])[3] = repr(float(share))
    return dict(sorted(numbers.items()))


if __name__ == "__main__":
    run(compute, pd.__version__)
