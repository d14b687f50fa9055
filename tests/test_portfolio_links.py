"""The config's ``[links]`` (customers of different sources that are one client) travel with
``clientguard export`` into the lake's ``links`` table (docs/portfolio.md, "From a store"), so
that the review of the exported firm gives the store's clients.

The books, by hand: the old invoicing tool billed ``Acme`` 6,000.00 (O/1), the new one
``ACME sp. z o.o.`` 4,000.00 (N/1) and ``Birch`` 500.00 (N/2, paid). Linked, Acme is one
client of 10,000.00 beside Birch: 2 clients. Unlinked, 3.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("pyarrow", reason="the portfolio's tests need clientguard[parquet]")

from clientguard.cli import EXIT_OK, main
from clientguard.model import AnyRecord
from clientguard.portfolio import REVIEWED, read_firm_records, review_firm, write_firm
from clientguard.portfolio.layout import LayoutError
from clientguard.report.document import render_json
from clientguard.review import review
from clientguard.testing import customer, invoice

AS_OF = date(2025, 1, 1)
MAPPING = """\
currency = "PLN"
date_formats = ["iso"]

[invoices.columns]
number = "Number"
customer_name = "Client"
issue_date = "Issued"
due_date = "Due"
total = "Total"
paid_on = "Paid"
"""
HEADER = "Number,Client,Issued,Due,Total,Paid\n"


@pytest.fixture
def two_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The books of the module docstring in two sources synced into a store, with a config
    whose ``[links]`` say Acme of the old tool and ACME sp. z o.o. of the new are one."""
    pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    (tmp_path / "mapping.toml").write_text(MAPPING)
    (tmp_path / "old.csv").write_text(HEADER + "O/1,Acme,2024-01-02,2024-02-01,6000.00,\n")
    (tmp_path / "new.csv").write_text(
        HEADER + "N/1,ACME sp. z o.o.,2024-09-02,2024-10-01,4000.00,\n"
        "N/2,Birch,2024-09-02,2024-10-01,500.00,2024-09-20\n")
    sources = "".join(f'[sources.{name}]\nconnector = "csv"\nmapping = "mapping.toml"\n'
                      f'invoices = ["{name}.csv"]\n' for name in ("old", "new"))
    (tmp_path / "clientguard.toml").write_text(
        'base_currency = "PLN"\nstore = "cg.db"\n'
        '[links]\nclients = [["old:Acme", "new:ACME sp. z o.o."]]\n' + sources)
    assert main(["sync", "--quiet"]) == EXIT_OK
    return tmp_path


def _clients_of_the_lake(root: Path) -> list[dict[str, object]]:
    found = read_firm_records(root, "acme")
    clients: list[dict[str, object]] = json.loads(
        render_json(review(found.ledger(), as_of=AS_OF)))["clients"]
    return clients


def test_an_exported_lake_keeps_the_configs_links_and_reviews_as_the_store(
    two_sources: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "--as-of", "2025-01-01", "--format", "json", "--output",
                 "review.json", "--no-save", "--quiet"]) == EXIT_OK
    in_the_store = json.loads((two_sources / "review.json").read_text())["clients"]
    # By hand (module docstring): the link makes Acme one client beside Birch.
    assert len(in_the_store) == 2

    assert main(["export", "--format", "parquet", "--firm-id", "acme", "lake"]) == EXIT_OK, \
        capsys.readouterr().err

    # Before: the lake had no links, and its review counted Acme twice (3 clients).
    assert read_firm_records(two_sources / "lake", "acme").links == (
        (("old", "Acme"), ("new", "ACME sp. z o.o.")),)
    assert _clients_of_the_lake(two_sources / "lake") == in_the_store
    row = review_firm("acme", two_sources / "lake", as_of=AS_OF).summary
    assert (row.status, row.reason, row.clients) == (REVIEWED, None, 2)


def test_links_taken_out_of_the_config_are_out_of_the_next_export(
    two_sources: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--format", "parquet", "--firm-id", "acme", "lake"]) == EXIT_OK
    config = two_sources / "clientguard.toml"
    config.write_text(config.read_text().replace(
        '[links]\nclients = [["old:Acme", "new:ACME sp. z o.o."]]\n', ""))

    assert main(["export", "--format", "parquet", "--firm-id", "acme", "lake"]) == EXIT_OK, \
        capsys.readouterr().err

    # The second export replaces the firm's links as it replaces its records: 3 clients.
    assert read_firm_records(two_sources / "lake", "acme").links == ()
    assert len(_clients_of_the_lake(two_sources / "lake")) == 3


BOOKS: list[AnyRecord] = [
    customer("Acme", "Acme", source="old"),
    customer("ACME sp. z o.o.", "ACME sp. z o.o.", source="new"),
    customer("Birch", "Birch", source="new"),
    customer("Cedar", "Cedar", source="old"),
    invoice("Acme", source="old", issued="2024-01-02", due="2024-02-01", total="6000.00",
            currency="PLN", id="O1"),
    invoice("ACME sp. z o.o.", source="new", issued="2024-09-02", due="2024-10-01",
            total="4000.00", currency="PLN", id="N1"),
    invoice("Birch", source="new", issued="2024-09-02", due="2024-10-01", total="500.00",
            currency="PLN", id="N2"),
    invoice("Cedar", source="old", issued="2024-09-02", due="2024-10-01", total="700.00",
            currency="PLN", id="O2"),
]


@pytest.mark.parametrize(
    ("links", "clients"),
    [
        # (the links written, the clients of the firm read back: counted by hand)
        ((), 4),
        ([(("old", "Acme"), ("new", "ACME sp. z o.o."))], 3),
        # A link of three customers, and two links: each kept whole and apart.
        ([(("old", "Acme"), ("new", "ACME sp. z o.o."), ("new", "Birch"))], 2),
        ([(("old", "Acme"), ("new", "ACME sp. z o.o.")),
          (("old", "Cedar"), ("new", "Birch"))], 2),
    ],
)
def test_a_firms_links_read_back_as_written(
    tmp_path: Path, links: list[tuple[tuple[str, str], ...]], clients: int
) -> None:
    write_firm(tmp_path / "lake", "acme", BOOKS, base_currency="PLN", links=links)

    found = read_firm_records(tmp_path / "lake", "acme")

    assert found.links == tuple(links)
    assert review_firm("acme", tmp_path / "lake", as_of=AS_OF).summary.clients == clients


def test_a_lake_without_the_links_table_reads_as_one_without_links(tmp_path: Path) -> None:
    # A lake written before the table (or by another tool): no link, as before.
    root = tmp_path / "lake"
    write_firm(root, "acme", BOOKS, base_currency="PLN",
               links=[(("old", "Acme"), ("new", "ACME sp. z o.o."))])
    for part in (root / "links" / "firm_id=acme").iterdir():
        part.unlink()
    (root / "links" / "firm_id=acme").rmdir()

    assert read_firm_records(root, "acme").links == ()
    assert review_firm("acme", root, as_of=AS_OF).summary.clients == 4


def test_a_links_row_without_its_customer_fails_the_firm_naming_the_file_and_row(
    tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path / "lake"
    write_firm(root, "acme", BOOKS, base_currency="PLN")
    (part,) = (root / "links" / "firm_id=acme").glob("*.parquet")
    # Another tool's file: a link whose second customer has no id (a link left out would
    # count one client as two).
    pq.write_table(pa.table({"link": pa.array([0, 0], pa.int32()),
                             "source": ["old", "new"], "customer_id": ["Acme", None]}), part)

    with pytest.raises(LayoutError) as caught:
        read_firm_records(root, "acme")

    assert str(caught.value) == (
        "links/firm_id=acme/part-0.parquet, row 2: a link's customer needs link, source and "
        "customer_id (the customer's id in that source): write all three, or remove the row")
