"""Properties: any valid mapping, and rows written in the format it describes, read back to
the same records; reading streams, so memory does not grow with the file."""

from __future__ import annotations

import csv
import io
import tempfile
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypedDict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard.model import Customer, Invoice
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Loaded, Reader, read_records

NAMES = ["Acme", "Café Müller", "Spółdzielnia Łódź", "Żabka Polska", "Widget, Works",
         'Say "Hi" Ltd', "Beta\tGamma"]
HEADERS = ["Numer", "Kontrahent", "Data wystawienia", "Termin", "Brutto", "Waluta", "Status",
           "Client; name", "Total (EUR)"]
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%Y", "%d %b %Y", "%Y%m%d",
                "%b %d %Y"]
SEPARATORS = [(".", ","), (".", ""), (",", " "), (",", "."), (".", "'"), (",", "")]
POLISH_STATUS = {"draft": "Szkic", "open": "Wystawiona", "paid": "Zapłacona", "void": "Anulowana"}
ENGLISH_STATUS = {"draft": "Draft", "open": "Sent", "paid": "Paid", "void": "Voided"}


def write_amount(value: Decimal, decimal: str, thousands: str, space: str) -> str:
    whole, fraction = f"{value:.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    separator = space if thousands == " " else thousands
    return separator.join(groups) + decimal + fraction


class DrawnInvoice(TypedDict):
    """An invoice a scenario draws: written as a row, and expected back as a record."""

    number: str
    customer: str
    issue: date
    due: date
    total: Decimal
    currency: str
    status: str
    note: str


def encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], bytes, list[Any]]:
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1250", "latin-1"]))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    decimal, thousands = draw(st.sampled_from(SEPARATORS))
    space = draw(st.sampled_from([" ", "\u00a0"])) if encoding.startswith("utf") else " "
    date_format = draw(st.sampled_from(DATE_FORMATS))
    named_encoding = draw(st.booleans())
    named_delimiter = draw(st.booleans())
    currency_column = draw(st.booleans())
    headers = draw(st.permutations(HEADERS))
    fields = dict(zip(["number", "customer_name", "issue_date", "due_date", "total",
                       "currency", "status"], headers, strict=False))
    extra = headers[len(fields)]  # a column the mapping does not read: free text
    names = [n for n in NAMES if encodable(n, encoding)]
    status_words = POLISH_STATUS if encodable("ł", encoding) else ENGLISH_STATUS
    count = draw(st.integers(min_value=1, max_value=12))
    invoices: list[DrawnInvoice] = []
    for number in range(1, count + 1):
        issue = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)))
        invoices.append({
            "number": f"FV/{number}/{issue.year}",
            "customer": draw(st.sampled_from(names)),
            "issue": issue,
            "due": issue + timedelta(days=draw(st.integers(0, 120))),
            "total": Decimal(draw(st.integers(0, 10**9))) / 100,
            "currency": draw(st.sampled_from(["PLN", "EUR", "USD"])) if currency_column
            else "PLN",
            "status": draw(st.sampled_from(list(status_words))),
            "note": draw(st.text(alphabet=f"ab ,;\t|\"'\n{delimiter}", max_size=12)),
        })
    preamble = draw(st.lists(st.sampled_from(["Zestawienie faktur", "As of 2025-01-01", ""]),
                             max_size=3))

    columns = {k: v for k, v in fields.items() if currency_column or k != "currency"}
    mapping: dict[str, Any] = {
        "date_formats": [date_format],
        "decimal": decimal,
        "thousands": thousands,
        "currency": "PLN",
        "invoices": {"columns": columns,
                     "status": {k: [v] for k, v in status_words.items()}},
    }
    if named_encoding:
        mapping["encoding"] = encoding
    if named_delimiter:
        mapping["delimiter"] = "tab" if delimiter == "\t" else delimiter

    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, lineterminator=draw(
        st.sampled_from(["\n", "\r\n"])))
    for line in preamble:
        writer.writerow([line] if line else [])
    writer.writerow([*columns.values(), extra])
    for invoice in invoices:
        cells = {
            "number": invoice["number"],
            "customer_name": invoice["customer"],
            "issue_date": invoice["issue"].strftime(date_format),
            "due_date": invoice["due"].strftime(date_format),
            "total": write_amount(invoice["total"], decimal, thousands, space),
            "currency": invoice["currency"],
            "status": status_words[invoice["status"]],
        }
        writer.writerow([cells[k] for k in columns] + [invoice["note"]])
    content = text.getvalue().encode(encoding)

    expected: list[Any] = []
    seen: set[str] = set()
    for invoice in invoices:
        name = " ".join(invoice["customer"].split())
        if name not in seen:
            seen.add(name)
            expected.append(Customer(id=name, name=name, source="csv"))
        expected.append(Invoice(
            id=invoice["number"], customer_id=name, number=invoice["number"],
            issue_date=invoice["issue"], due_date=invoice["due"], currency=invoice["currency"],
            total=invoice["total"], status=invoice["status"], source="csv",
        ))
    return mapping, content, expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_rows_written_in_a_mapping_s_format_read_back_to_the_same_records(
    scenario: tuple[dict[str, Any], bytes, list[Any]],
) -> None:
    mapping, content, expected = scenario
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "faktury.csv"
        path.write_bytes(content)
        items = list(read_records(mapping_from_dict(mapping), {"invoices": [path]}))
    assert [item.record for item in items if isinstance(item, Loaded)] == expected
    assert all(isinstance(item, Loaded) for item in items), items


def _peak_while_reading(rows: int, folder: Path, reader: Reader = "python") -> int:
    path = folder / f"time_{rows}.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Client,Date,Hours\n")
        for n in range(rows):
            handle.write(f"Acme,2025-01-{n % 28 + 1:02d},{n % 7}.25\n")
    mapping = mapping_from_dict({
        "customers": {"columns": {"id": "id"}},
        "time_entries": {"columns": {"customer_name": "Client", "date": "Date",
                                     "hours": "Hours"}},
    })
    customers = folder / "c.csv"
    customers.write_text("id\nAcme\n", encoding="utf-8")
    tracemalloc.start()
    try:
        count = 0
        for _ in read_records(mapping, {"customers": [customers], "time_entries": [path]},
                              reader=reader):
            count += 1  # records are consumed and dropped, as a store would
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == rows + 1
    return peak


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    # The row reader.
    small = _peak_while_reading(2_000, tmp_path)
    large = _peak_while_reading(40_000, tmp_path)
    # twenty times the rows; the peak stays within a small constant of the smaller file's
    assert large < small + 256 * 1024, (small, large)


def test_memory_does_not_grow_with_the_file_read_by_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The columnar reader parses a large time entries file with the row reader, a block of
    # rows at a time (here every file is large), and checks each block by columns: it holds
    # a block, never the file.
    pytest.importorskip("pyarrow", reason="the columnar reader needs pyarrow (the fast extra)")
    from clientguard_csv import columnar

    monkeypatch.setattr(columnar, "STREAMED_ABOVE", 0)
    small = _peak_while_reading(10_000, tmp_path, "arrow")  # (more than a block of rows)
    large = _peak_while_reading(40_000, tmp_path, "arrow")
    assert large < small + 256 * 1024, (small, large)
