"""The fast paths of issue 10 give what the plain ones gave.

Each optimisation of the million-invoice path kept the behaviour; these tests pin the subtle
parts: settlements made without validation are the models validation makes, the kept replay
is never served for another ledger, date or tolerance, the garbage collector is left as it was
found, the amount fast path refuses what the slow one refuses, and an over-applying document
with several allocations to one invoice is still caught. The forecast's own (issue 19 in the
review): its calibration model, learned from the model's paid invoices filtered by date, is the
one learned from the replay's invoices paid by then, and the cdf values a model keeps per
client, flag and band never leak from one invoice to the next.
"""

from __future__ import annotations

import gc
import pickle
import weakref
from datetime import date, timedelta
from decimal import Decimal

import pytest

from clientguard import gcpause
from clientguard.errors import DataError
from clientguard.forecast.model import _open_on, _paid_columns, learn
from clientguard.gcpause import collector_paused
from clientguard.ledger import Ledger
from clientguard.model import Invoice, Payment
from clientguard.policy import Policy
from clientguard.sample import SAMPLE_AS_OF, sample_ledger
from clientguard.settlement import Replay, Settlement, replay, settle
from clientguard.testing import invoice, ledger, payment

D = Decimal

# The collector tests below pin what the pause does where it applies (one thread).
pytestmark = pytest.mark.usefixtures("collector_alone")


@pytest.fixture(scope="module")
def book() -> Ledger:
    return sample_ledger(seed=3)


@pytest.mark.parametrize("as_of", [SAMPLE_AS_OF, date(2024, 11, 5)])
def test_every_settlement_is_the_model_validation_makes(book: Ledger, as_of: date) -> None:
    settlements = settle(book, as_of=as_of)
    assert settlements
    for settlement in settlements.values():
        validated = Settlement.model_validate(settlement.model_dump())
        assert validated == settlement
        assert validated.model_fields_set == settlement.model_fields_set
        assert list(validated.__dict__) == list(settlement.__dict__)
        assert validated.model_dump_json() == settlement.model_dump_json()


def test_copying_one_settlement_leaves_the_others_alone(book: Ledger) -> None:
    first, second = list(settle(book, as_of=SAMPLE_AS_OF).values())[:2]
    copied = first.model_copy(update={"notes": ("checked",)})
    assert copied.notes == ("checked",)
    assert first.notes != ("checked",)
    assert second.model_fields_set == set(Settlement.model_fields)
    assert first.model_fields_set == set(Settlement.model_fields)
    with pytest.raises(ValueError, match="frozen"):
        first.status = "open"  # type: ignore[misc]


def test_a_paid_invoice_whose_source_balance_disagrees_still_gets_its_note() -> None:
    # The common case's shortcut (paid, with payments, no paid date) must fall back to the
    # full comparison whenever the source's balance disagrees with the replay.
    inv = invoice("acme", issued="2025-01-01", due="2025-01-31", total="300.00", id="INV-1",
                  status="paid", amount_due="50.00")
    book = ledger(inv, payment("acme", on="2025-01-20", amount="300.00", pays=inv))
    result = settle(book, as_of=date(2025, 6, 30))["INV-1"]
    assert result.source_amount_due_mismatch == D("50.00")
    assert any("50.00 EUR is due" in note for note in result.notes)


def test_a_paid_invoice_left_open_by_its_payments_is_noted() -> None:
    inv = invoice("acme", issued="2025-01-01", due="2025-01-31", total="300.00", id="INV-1",
                  status="paid")
    book = ledger(inv, payment("acme", on="2025-01-20", amount="100.00", pays=[(inv, "100")]))
    result = settle(book, as_of=date(2025, 6, 30))["INV-1"]
    assert result.status == "open"
    assert any("marks invoice INV-1 paid" in note for note in result.notes)


def test_the_kept_replay_is_only_served_for_the_same_ledger_date_and_tolerance() -> None:
    inv = invoice("acme", issued="2025-01-01", due="2025-01-31", total="100.00", id="INV-1")
    pays = payment("acme", on="2025-03-01", amount="99.995", pays=[(inv, "99.995")])
    book = ledger(inv, pays)
    before, after = date(2025, 2, 1), date(2025, 6, 30)
    first = replay(book, as_of=after)
    assert replay(book, as_of=after) is first
    assert [r.status for r in replay(book, as_of=before)] == ["open"]
    assert [r.status for r in replay(book, as_of=after)] == ["settled"]
    strict = Policy(settle_tolerance=D("0.001"))
    assert [r.status for r in replay(book, as_of=after, policy=strict)] == ["open"]
    other = ledger(invoice("acme", issued="2025-01-01", total="5.00", id="INV-9"))
    assert [r.invoice.id for r in replay(other, as_of=after)] == ["INV-9"]
    assert [r.invoice.id for r in replay(book, as_of=after)] == ["INV-1"]


def test_the_kept_replay_lives_and_dies_with_its_ledger() -> None:
    # No module-level cache: nothing outside the ledger holds it or its replay.
    book = ledger(invoice("acme", issued="2025-01-01", total="5.00", id="INV-1"))
    rows = replay(book, as_of=date(2025, 6, 30))
    alive = weakref.ref(book)
    del book
    gc.collect()
    assert alive() is None
    assert [r.invoice.id for r in rows] == ["INV-1"]


def test_a_ledger_cannot_be_changed_so_its_kept_replay_cannot_go_stale() -> None:
    # The old failure: settle, empty the ledger's invoices, settle again, and the first
    # settlement came back from a module-level cache.
    book = ledger(invoice("acme", issued="2025-01-01", due="2025-01-31", total="5.00", id="I-1"))
    assert list(settle(book, as_of=date(2025, 6, 30))) == ["I-1"]
    with pytest.raises(AttributeError, match="cannot be changed"):
        book.invoices = ()
    with pytest.raises(AttributeError, match="cannot be changed"):
        del book.customers
    assert [i.id for i in book.invoices] == ["I-1"]


def test_a_pickled_ledger_travels_without_its_kept_replay() -> None:
    book = ledger(invoice("acme", issued="2025-01-01", due="2025-01-31", total="5.00", id="I-1"))
    replay(book, as_of=date(2025, 6, 30))
    assert book.memo
    copy = pickle.loads(pickle.dumps(book))
    assert copy.memo == {}
    assert settle(copy, as_of=date(2025, 6, 30)) == settle(book, as_of=date(2025, 6, 30))
    with pytest.raises(AttributeError):
        copy.fx = None


def test_replay_checks_as_of_when_called() -> None:
    book = ledger(invoice("acme", issued="2025-01-01", total="5.00", id="INV-1"))
    with pytest.raises(TypeError):
        replay(book, as_of="2025-06-30")  # type: ignore[arg-type]


def test_the_collector_is_left_as_it_was_found() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


class _Node:
    """A tracked object that can point at another (a cycle)."""

    other: object = None


def _generation_of(target: object) -> int | None:
    """The collector's generation holding ``target`` (looked up with the collector off, so
    the look-up itself moves nothing)."""
    gc.disable()
    try:
        for generation in range(3):
            if any(item is target for item in gc.get_objects(generation=generation)):
                return generation
        return None
    finally:
        gc.enable()


def test_what_a_large_paused_block_made_is_left_in_the_oldest_generation_and_nothing_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Otherwise the first collections after the block walk its million records twice more.
    monkeypatch.setattr(gcpause, "_MOVED_ABOVE", 500)  # a large block: more than 500 objects
    with collector_paused():
        made = [_Node() for _ in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert _generation_of(made[0]) == 2
    assert _generation_of(made[-1]) == 2


def test_a_small_paused_block_leaves_what_it_made_to_the_collector_as_usual() -> None:
    with collector_paused():
        made = [_Node() for _ in range(100)]
    assert _generation_of(made[0]) in (0, 1)


def test_many_small_paused_blocks_never_pile_up_garbage() -> None:
    # A portfolio reads thousands of small firms in one process: the cycles each leaves
    # behind are collected by the collector's own passes, without a full collection.
    gone = []
    for _ in range(3000):
        with collector_paused():
            node = _Node()
            node.other = node
            gone.append(weakref.ref(node))
        del node
        # The caller's own work between two blocks.
        caller: list[list[object]] = [[] for _ in range(20)]
        del caller
    alive = sum(ref() is not None for ref in gone)
    assert alive < 1000


def test_a_cycle_made_in_a_paused_block_is_still_collected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gcpause, "_MOVED_ABOVE", 0)  # even one moved to the oldest generation
    with collector_paused():
        node = _Node()
        node.other = node
        gone = weakref.ref(node)
    del node
    assert gone() is not None  # a cycle: reference counting alone never frees it
    gc.collect()
    assert gone() is None


def test_objects_the_caller_froze_stay_frozen() -> None:
    # A process that froze its objects (before forking) keeps them out of every collection:
    # the pause neither unfreezes them nor moves anything.
    kept = _Node()  # tracked, in a generation until frozen
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert _generation_of(kept) is None  # frozen: in no generation
        with collector_paused():
            made = _Node()
        # Still frozen (an unfreeze would put it back in a generation), and nothing frozen
        # since (the count can only have fallen: another thread may free a frozen object).
        assert _generation_of(kept) is None
        assert 0 < gc.get_freeze_count() <= frozen
        assert _generation_of(made) in (0, 1)
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(
    ("total", "expected"),
    [("12.50", D("12.50")), (" 7 ", D(7)), ("1E+2", D("1E+2")), (D("3.10"), D("3.10")),
     (5, D(5))],
)
def test_amounts_read_as_before(total: object, expected: Decimal) -> None:
    made = Invoice(id="I", customer_id="c", number="1", issue_date=date(2025, 1, 1),
                   due_date=date(2025, 1, 1), currency="EUR", total=total, status="open",
                   source="t")
    assert made.total == expected
    assert str(made.total) == str(expected)


@pytest.mark.parametrize(
    ("total", "message"),
    [("NaN", "not a finite number"), ("Infinity", "not a finite number"),
     ("twelve", "is not a number"), (12.5, "is a float"), (D("-1"), "is negative"),
     ("-0.01", "is negative"), (True, "is a bool")],
)
def test_bad_amounts_are_refused_as_before(total: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        Payment(id="P", customer_id="c", date=date(2025, 1, 1), amount=total, currency="EUR",
                source="t")


def test_a_document_over_applying_one_invoice_in_several_allocations_is_rejected() -> None:
    inv = invoice("acme", id="I", issued="2025-01-10", total="100.00")
    other = invoice("acme", id="J", issued="2025-01-10", total="100.00")
    split = payment("acme", id="P", on="2025-02-01", amount="160.00",
                    pays=[(inv, "60.00"), (other, "40.00"), (inv, "50.00")])
    built = ledger(inv, other, split, strict=False)
    assert [r.record_id for r in built.report.rejected] == ["P"]
    reason = built.report.rejected[0].reason
    assert "add up to 110.00 EUR, more than its total of 100.00" in reason
    assert built.report.rejected[0].field == "allocations.2.amount"
    assert built.applications("I") == ()


@pytest.mark.parametrize("as_of", [SAMPLE_AS_OF, date(2024, 11, 5)])
def test_the_review_reads_what_every_settlement_would_have_told_it(
    book: Ledger, as_of: date
) -> None:
    # The review makes settlements only for the late invoices due in its window, and reads
    # the source's disagreements from the checked rows: its data quality and costs must be
    # those that every settlement gives.
    from clientguard.claims import _as_paid
    from clientguard.metrics.cost import lateness_costs
    from clientguard.review import review
    from clientguard.unapplied import client_covers, covered

    done = review(book, as_of=as_of)
    settlements = settle(book, as_of=as_of)
    quality = done.data_quality
    assert quality.paid_date_unknown == tuple(
        s.invoice_id for s in settlements.values() if s.paid_date_unknown)
    assert quality.amount_due_mismatches == tuple(
        s.invoice_id for s in settlements.values() if s.source_amount_due_mismatch is not None)
    expected_notes = [f"invoice {s.invoice_id}: {n}" for s in settlements.values()
                      for n in s.notes]
    assert [n for n in quality.notes if n.startswith("invoice ")] == expected_notes
    assert any(s.notes for s in settlements.values())  # the sample has some to compare
    # The costs are of the books with the clients' unapplied money applied, as part payments
    # on its day (docs/review.md, "Unapplied money"): the settlements of the invoices it pays
    # in full as paid on their day, and the parts beside the books' allocations (the sample's
    # Copperleaf Foods and Halden Logistics have money that pays part of a late invoice).
    reached = covered(client_covers(book, as_of=as_of, policy=Policy()))
    for invoice_id, reach in reached.items():
        if reach.settled_on is not None:
            settlements[invoice_id] = _as_paid(settlements[invoice_id], book.invoice(invoice_id),
                                               reach.settled_on, Policy())
    costs = lateness_costs(book, as_of=as_of, settlements=settlements,
                           unapplied={i: reach.parts for i, reach in reached.items()})
    assert costs
    for client in done.clients.values():
        for customer_id, cost in client.costs.items():
            assert cost == costs[customer_id]


def test_records_of_a_kind_share_one_fields_set_and_a_copy_gets_its_own() -> None:
    # Every invoice with the same fields given holds the same set (0.7 GB saved at a million);
    # what each reports is still exactly the fields it was given.
    first = invoice("acme", issued="2025-01-01", total="5.00", id="INV-1")
    second = invoice("acme", issued="2025-01-02", total="6.00", id="INV-2")
    assert first.model_fields_set == second.model_fields_set
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    given = set(first.model_fields_set)
    copied = first.model_copy(update={"updated_at": None})
    assert "updated_at" in copied.model_fields_set
    assert first.model_fields_set == given == second.model_fields_set
    fewer = Invoice(id="I", customer_id="c", number="1", issue_date=date(2025, 1, 1),
                    due_date=date(2025, 1, 1), currency="EUR", total="1", status="open",
                    source="test")
    assert fewer.model_fields_set == {"id", "customer_id", "number", "issue_date", "due_date",
                                      "currency", "total", "status", "source"}
    assert first.model_fields_set == given
    from_json = Invoice.model_validate_json(second.model_dump_json(exclude_unset=True))
    again = Invoice.model_validate_json(first.model_dump_json(exclude_unset=True))
    assert again.__pydantic_fields_set__ is from_json.__pydantic_fields_set__
    assert again.model_fields_set == given


def test_a_mutable_subclass_keeps_a_fields_set_per_record() -> None:
    # Assigning a field of a mutable model adds it to that record's set: records of a
    # subclass made mutable must not share one.
    from pydantic import ConfigDict

    class Editable(Invoice):
        model_config = ConfigDict(frozen=False)

    fields = {"id": "I", "customer_id": "c", "number": "1", "issue_date": date(2025, 1, 1),
              "due_date": date(2025, 1, 1), "currency": "EUR", "total": "1", "status": "open",
              "source": "test"}
    first, second = Editable(**fields), Editable(**{**fields, "id": "J"})
    first.amount_due = D("1")
    assert "amount_due" in first.model_fields_set
    assert "amount_due" not in second.model_fields_set


def _open_with_balance(book: Ledger, rows: tuple[Replay, ...]) -> list[tuple[Replay, Decimal]]:
    return [(r, r.open_balance * book.rate_to_base(r.invoice)) for r in rows
            if r.status == "open" and r.open_balance > 0]


@pytest.mark.parametrize("as_of", [SAMPLE_AS_OF, date(2025, 3, 15)])
def test_the_calibration_model_is_the_one_learned_from_the_invoices_paid_by_then(
    book: Ledger, as_of: date
) -> None:
    rows = replay(book, as_of=as_of)
    start = as_of - timedelta(days=Policy().recent_days)
    paid_then = [r for r in rows if r.status == "settled" and r.settled_on is not None
                 and r.settled_on <= start]
    # The model as of ``start`` learns from the invoices paid by then and from those open
    # then and already late (right-censored): the calibration reads both off the replay as
    # of ``as_of`` (an invoice settled after ``start`` was open on it), with no replay as of
    # ``start``.
    direct = learn(book, as_of=start, rows=replay(book, as_of=start), calibrate=False)
    assert [r.invoice.id for r in paid_then] == [
        r.invoice.id for r in replay(book, as_of=start)
        if r.status == "settled" and r.settled_on is not None]
    filtered = learn(book, as_of=start, rows=(), calibrate=False,
                     _paid=_paid_columns(book, rows).by(start),
                     _censored=_open_on(book, rows, start, settled_after=True))
    assert 30 < filtered.history < len(rows)
    assert (filtered.history, filtered.k) == (direct.history, direct.k)
    open_rows = _open_with_balance(book, rows)
    assert open_rows
    assert [filtered.predict(r, b) for r, b in open_rows] == [
        direct.predict(r, b) for r, b in open_rows]


def test_a_prediction_does_not_depend_on_the_invoices_predicted_before_it(book: Ledger) -> None:
    rows = replay(book, as_of=SAMPLE_AS_OF)
    open_rows = _open_with_balance(book, rows)
    # Both amount bands and several clients among them, so the kept mixtures differ.
    assert len({r.invoice.customer_id for r, _ in open_rows}) > 5
    in_order = learn(book, as_of=SAMPLE_AS_OF, rows=rows)
    forward = [in_order.predict(r, b) for r, b in open_rows]
    reverse = learn(book, as_of=SAMPLE_AS_OF, rows=rows)
    backward = [reverse.predict(r, b) for r, b in reversed(open_rows)]
    assert forward == backward[::-1]
    assert {p.pool for p in forward} >= {"not disputed, small", "not disputed, large"}
    one_by_one = []
    for r, b in open_rows:  # a fresh model for each: nothing kept from another invoice
        one_by_one.append(learn(book, as_of=SAMPLE_AS_OF, rows=rows).predict(r, b))
    assert one_by_one == forward
