"""Issue 15's trial, as a new user runs it: one clientguard.toml with six CSV sources (the
real exports of FreshBooks, Zoho, Invoice2go, Invoicely, Invoice Ninja and Wave in
../shared/reference/data/tool_exports; skipped where absent), synced and reviewed through the
CLI. Wave's invoice "2" (Mark Walberg, 4,974.00 USD) and Invoice Ninja's "2" are two invoices:
nothing is rejected for an id another source also uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from clientguard.cli import EXIT_OK, main
from clientguard.store import Store

pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

EXPORTS = "data/tool_exports"
SOURCES = {
    # source name: (preset, {option: file})
    "freshbooks": ("freshbooks", {"invoices": "freshbooks_invoices_export.csv"}),
    "zoho": ("zoho", {"invoices": "zoho_invoices_export.csv"}),
    "invoice2go": ("invoice2go", {"invoices": "invoice2go_invoices_export.csv"}),
    "invoicely": ("invoicely", {"invoices": "invoicely_invoices_export.csv"}),
    "ninja": ("invoiceninja", {"invoices": "invoiceninja_v4_invoices.csv",
                               "payments": "invoiceninja_v4_payments.csv"}),
    "wave": ("wave", {"invoices": "wave_transactions_export.csv",
                      "payments": "wave_transactions_export.csv"}),
}


@pytest.fixture
def six(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        reference_file: Callable[[str], Path]) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    lines = ['base_currency = "USD"', 'store = "clientguard.db"', ""]
    for name, (preset, files) in SOURCES.items():
        lines += [f"[sources.{name}]", 'connector = "csv"', f'preset = "{preset}"']
        for option, file in files.items():
            lines.append(f"{option} = {json.dumps(str(reference_file(f'{EXPORTS}/{file}')))}")
        lines.append("")
    (tmp_path / "clientguard.toml").write_text("\n".join(lines))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_six_exports_in_one_config_lose_no_client(
    six: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "sync", "--quiet")
    assert code == EXIT_OK, err
    with Store.open(six / "clientguard.db", create=False) as store:
        assert store.sources() == tuple(sorted(SOURCES))
        rejections = store.rejections()
        ledger = store.load(base_currency="USD", strict=False)
    # Every record carries the name of its source, never the connector's.
    assert {r.source for r in ledger.records()} == set(SOURCES)
    assert not [r for r in ledger.report.rejected if "duplicate id" in r.reason]
    assert all(r.source in SOURCES for r in rejections)

    # Wave's invoice 2 is Mark Walberg's, 4,974.00 USD, and is in the ledger beside Ninja's 2.
    wave_2 = ledger.invoice("wave:2")
    assert ledger.name_of(wave_2.customer_id) == "Mark Walberg"
    assert wave_2.total == Decimal("4974.00")
    assert ledger.invoice("ninja:2").source == "ninja"

    code, out, err = run(capsys, "review", "--as-of", "2021-12-31", "--format", "json",
                         "--quiet")
    assert code == EXIT_OK, err
    document = json.loads(out)
    assert document["schema_version"] == "1.10"
    assert document["sources"] == sorted(SOURCES)
    names = {c["name"]: c for c in document["clients"]}
    assert "Mark Walberg" in names
    assert names["Mark Walberg"]["client_id"].startswith("wave:")
    # Every rejection the report lists names its source.
    assert all(any(f"({s}" in r for s in SOURCES) for r in document["data_quality"]["rejections"])
    assert not any("duplicate id" in r for r in document["data_quality"]["rejections"])

    code, out, _ = run(capsys, "review", "--as-of", "2021-12-31", "--quiet")
    assert code == EXIT_OK
    assert "Mark Walberg" in out
    # Grouped data quality: Invoice Ninja's hundreds of alike notes fit in a few lines.
    quality = out[out.index("Data quality"):]
    # (an invoice is named by its number, with its id, which names its source, where another
    # source numbers one alike: "invoice 85 (ninja:85)")
    alike = "the source marks invoice"
    assert quality.count(alike) <= 20
    full = document["data_quality"]["notes"]
    assert len([n for n in full if alike in n]) > 100


def test_links_suggest_prints_pairs_to_check_and_links_apply_only_when_kept(
    six: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    code, out, err = run(capsys, "links", "suggest")
    assert code == EXIT_OK
    assert out.splitlines()[0] == "customer,same_as,matched_on,names"
    assert "Nothing is linked yet" in err
    rows = [line.split(",") for line in out.splitlines()[1:]]
    assert rows, "the six exports share customer names across tools"
    assert all(a.split(":")[0] != b.split(":")[0] for a, b, *_ in rows)

    # Before the user keeps a suggestion, the two customers are two clients.
    first, second = rows[0][0], rows[0][1]
    code, out, _ = run(capsys, "review", "--as-of", "2021-12-31", "--format", "json", "--quiet")
    before = json.loads(out)["clients"]
    assert not [c for c in before if {first, second} <= set(c["members"])]

    (six / "links.csv").write_text(f"customer,same_as\n{first},{second}\n")
    config = (six / "clientguard.toml").read_text()
    (six / "clientguard.toml").write_text(config + '\n[links]\nfiles = ["links.csv"]\n')
    code, out, _ = run(capsys, "links", "list")
    assert out.splitlines() == ["customer,same_as", f"{first},{second}"]
    code, out, _ = run(capsys, "review", "--as-of", "2021-12-31", "--format", "json", "--quiet")
    clients = json.loads(out)["clients"]
    (joined,) = [c for c in clients if first in c["members"] or second in c["members"]]
    assert sorted(joined["members"]) == sorted([first, second])
    assert joined["client_id"] == min(first, second)
    # The suggestion already kept is not suggested again.
    code, out, _ = run(capsys, "links", "suggest")
    assert f"{first},{second}," not in out


def test_rejections_list_every_rejection_with_its_source_and_every_note(
    six: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    code, out, _ = run(capsys, "review", "--as-of", "2021-12-31", "--format", "json", "--quiet")
    document = json.loads(out)
    code, out, err = run(capsys, "rejections", "--as-of", "2021-12-31")
    assert code == EXIT_OK, err
    listed, _, notes = out.partition("Data-quality notes as of 2021-12-31")
    lines = [line for line in listed.splitlines() if line and not line[0].isdigit()]
    # As many as the review left out (the syncs' and the ledger's own), each naming a source.
    assert len(lines) == document["data_quality"]["rejected"]
    assert all(any(f" ({s}" in line for s in SOURCES) for line in lines)
    # Every note, not grouped.
    full = [n for n in document["data_quality"]["notes"] if "not loaded" not in n]
    assert [line[2:] for line in notes.splitlines()[1:] if line.startswith("- ")] == full


def test_review_pulls_several_sources_directly_without_losing_one(
    six: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "review", "--source", "wave", "--source", "ninja", "--as-of",
                         "2021-12-31", "--format", "json", "--quiet")
    assert code == EXIT_OK, err
    document = json.loads(out)
    assert document["sources"] == ["ninja", "wave"]
    assert "Mark Walberg" in {c["name"] for c in document["clients"]}
    assert not any("duplicate id" in r for r in document["data_quality"]["rejections"])
