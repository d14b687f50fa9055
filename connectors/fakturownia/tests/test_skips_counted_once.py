"""What a sync leaves out on purpose is counted once per document, whatever the reason, and
per sync: over real HTTP (pytest-httpserver), with the account of
``test_cancelled_corrections``.

A read gives a document twice where Fakturownia's list moved down while it was paged (a
document issued meanwhile goes to the top, newest change first, and pushes the last one of a
page onto the next). A cancelled document given twice was counted once already; any other
document left out (a rejected correction, a correction that changes no amount, a cost
document) was counted twice: "3 x rejected correction" for two. And a connector object used
for two syncs carried what the first had counted into the second: a sync of only the
corrections after a sync of only the invoices did not count the cancelled invoice it left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.store import Store

from .test_cancelled_corrections import (
    CANCELLED_REASON,
    Account,
    cancelled,
    connector,
    correction,
    invoice,
)

CHANGED = "2026-08-31T{hour}:00:00+02:00"
"""A change after the first sync's cursors (the latest change it read is 20 July)."""


class MovingList(Account):
    """An :class:`Account` where ``added`` joins the account right after the first page (two
    documents) of the next listing of the kind ``kind`` (``kinds[]``), at the top, so that the
    page after it begins with the document the first page ended with: the list moved down by
    one, as Fakturownia's does when a document is issued during a sync."""

    def __init__(self, server: HTTPServer, kind: str) -> None:
        super().__init__(server)
        self.kind = kind
        self.added: dict[str, Any] | None = None

    def answer(self, request: Request) -> Response:
        response = super().answer(request)
        first = request.args.get("page") == "1" and request.args.get("per_page") == "2"
        if (self.added is not None and request.path == "/invoices.json"
                and self.kind in request.args.getlist("kinds[]") and first
                and not request.args.get("invoice_ids")):
            self.put(self.added)
            self.added = None
        return response


def skipped_correction(ident: int, hour: str, **changes: Any) -> dict[str, Any]:
    return correction(ident, of=13, updated_at=CHANGED.format(hour=hour), **changes)


@pytest.mark.parametrize(
    ("kind", "left_out", "added", "reason"),
    [
        # Corrections of FV/13/2026 rejected by the buyer (status "rejected"): no effect.
        pytest.param("correction",
                     [skipped_correction(31, "10", gross="-100,00", status="rejected"),
                      skipped_correction(32, "09", gross="-50,00", status="rejected")],
                     skipped_correction(33, "11", gross="-20,00"),
                     "rejected correction: it has no effect", id="rejected corrections"),
        # Corrections that change no amount (a corrected address): price_gross 0,00.
        pytest.param("correction",
                     [skipped_correction(31, "10", gross="0,00"),
                      skipped_correction(32, "09", gross="0,00")],
                     skipped_correction(33, "11", gross="-20,00"),
                     "correction that changes no amount", id="corrections of no amount"),
        # Cost documents (income 0) the list gives with the sales invoices.
        pytest.param("vat",
                     [invoice(41, "300,00", income=False, updated_at=CHANGED.format(hour="10")),
                      invoice(42, "400,00", income=False, updated_at=CHANGED.format(hour="09"))],
                     invoice(15, "90,00", updated_at=CHANGED.format(hour="11")),
                     "cost document (income 0): only sales are read", id="cost documents"),
    ],
)
def test_a_document_left_out_that_a_read_gives_twice_while_paging_is_counted_once(
    httpserver: HTTPServer, tmp_path: Path, kind: str, left_out: list[dict[str, Any]],
    added: dict[str, Any], reason: str,
) -> None:
    """Worked by hand: the first sync stores FV/13/2026 (changed 1 July) and its correction
    FK/12/2026 (20 July). Then two documents left out for ``reason`` change on 31 August, at
    10:00 and 09:00; the second sync reads two documents a page, newest change first, so
    page 1 of their list is the 10:00 and the 09:00 one; a document is issued then (11:00),
    and page 2 begins with the 09:00 one again. Two documents left out, each counted once:
    before, 3."""
    account = MovingList(httpserver, kind)
    account.put(invoice(13, "500,00"), correction(12, "-30,00", of=13))
    with Store.open(tmp_path / "cg.db") as store:
        first = store.sync(connector(httpserver, payments=False, page_size=2))
        assert first.skipped == {}
        account.put(*left_out)
        account.added = added
        second = store.sync(connector(httpserver, payments=False, page_size=2))
        assert account.added is None  # the list did move during the read
        assert second.skipped == {reason: 2}


def test_a_connector_synced_twice_counts_each_sync_as_a_fresh_one_does(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """One connector object, two partial syncs: the invoices alone, then the corrections
    alone (`clientguard sync --stream`, or a script that keeps its connector). Both lists give
    the cancelled FV/11/2026 (kind ``canceled``): each sync leaves it out, and each counts it
    once. Before, the second counted nothing: the connector still held the first sync's
    "counted already" for it."""
    account = Account(httpserver)
    account.put(cancelled(invoice(11, "1230,00")), invoice(13, "500,00"))
    kept = connector(httpserver, payments=False)
    with Store.open(tmp_path / "cg.db") as store:
        first = store.sync(kept, streams=["invoices"])
        assert first.skipped == {CANCELLED_REASON: 1}
        second = store.sync(kept, streams=["credit_notes"])
        assert second.skipped == {CANCELLED_REASON: 1}
    # As a fresh connector counts the same sync.
    with Store.open(tmp_path / "fresh.db") as store:
        store.sync(connector(httpserver, payments=False), streams=["invoices"])
        fresh = store.sync(connector(httpserver, payments=False), streams=["credit_notes"])
        assert fresh.skipped == second.skipped
