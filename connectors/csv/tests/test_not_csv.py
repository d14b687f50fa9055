"""A file given as CSV that is another format (a workbook, a web page, a PDF, an archive
under a ``.csv`` name) stops the read with an error naming what the file is and how to get
a CSV, not with "the mapping's columns are missing" and the file's bytes as the closest
line. Each file is read both ways (the row reader and the columnar reader): the error is the
same either way."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard_csv.columnar import arrow_available
from clientguard_csv.errors import CsvFileError
from clientguard_csv.filekinds import not_csv
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Reader, ReadLog, read_records

Write = Callable[..., Path]

READERS: tuple[Reader, ...] = ("python", "arrow") if arrow_available() else ("python",)

MAPPING = mapping_from_dict({"currency": "PLN", "invoices": {"columns": {
    "number": "No", "customer_name": "Client", "issue_date": "Date", "due_date": "Due",
    "total": "Total"}}})


def zipped(*names: str, first: tuple[str, str] | None = None) -> bytes:
    """A ZIP archive holding the named (empty) entries, ``first`` (name, content) before
    them: the layout of a workbook saved by Excel, LibreOffice or Numbers."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first is not None:
            archive.writestr(first[0], first[1])
        for name in names:
            archive.writestr(name, "")
    return buffer.getvalue()


XLSX = zipped("_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml",
              first=("[Content_Types].xml", "<Types/>"))
ODS = zipped("content.xml", first=("mimetype", "application/vnd.oasis.opendocument.spreadsheet"))
NUMBERS = zipped("Index/Document.iwa", "Metadata/Properties.plist")
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
CSV_ROWS = b"No,Client,Date,Due,Total\n1,Acme,2026-01-05,2026-02-04,10.00\n"
SAVE_AS = ("open it in the spreadsheet program and save it as CSV (Excel: File > Save As > "
           "CSV UTF-8; LibreOffice: File > Save As > Text CSV; Numbers: File > Export To > "
           "CSV), then read that file")
PAGE = ("some tools' \"export to Excel\" writes a web page's table, and a download can save a "
        "sign-in or error page instead of the export: export the data from the tool as CSV "
        "again, or open the file in a spreadsheet program and save it as CSV")


@pytest.mark.parametrize(
    ("content", "what", "remedy"),
    [
        (XLSX, "an Excel workbook (.xlsx)", SAVE_AS),
        (ODS, "an OpenDocument spreadsheet (.ods, LibreOffice or OpenOffice Calc)", SAVE_AS),
        (NUMBERS, "an Apple Numbers spreadsheet (.numbers)", SAVE_AS),
        (XLS, "an Excel 97-2003 workbook (.xls) or another Microsoft Office file", SAVE_AS),
        (zipped("invoices.csv"), "a ZIP archive", "unpack it and read the CSV file inside"),
        (gzip.compress(CSV_ROWS), "a gzip archive", "unpack it and read the CSV file inside"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document",
         "a PDF holds no rows to read: export the data from the tool as CSV"),
        (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>\n",
         "an HTML page", PAGE),
        # Excel's "export" of some web apps: a table in HTML, even with the columns' names.
        (b"\n  <html><body><table><tr><td>No</td><td>Client</td><td>Date</td><td>Due</td>"
         b"<td>Total</td></tr></table></body></html>", "an HTML page", PAGE),
        ("<table><tr><td>No</td></tr></table>".encode("utf-16"), "an HTML page", PAGE),
        (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook '
         b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
         "an Excel XML spreadsheet (.xml)", SAVE_AS),
    ],
)
def test_a_file_of_another_format_is_named(
    write: Write, content: bytes, what: str, remedy: str
) -> None:
    path = write("invoices.csv", content)
    expected = (f"{path}: the file is {what}, not a CSV file, whatever its name says: "
                f"{remedy}")
    for reader in READERS:
        with pytest.raises(CsvFileError) as caught:
            list(read_records(MAPPING, {"invoices": [path]}, log=ReadLog(), reader=reader))
        assert caught.value.detail == expected


@pytest.mark.parametrize(
    "content",
    [
        CSV_ROWS,
        # Text that merely mentions markup is CSV: a description cell, a name.
        b"No,Client,Date,Due,Total\n1,<html> Studio,2026-01-05,2026-02-04,10.00\n",
        # A CSV whose title line above the header starts like a tag is still read.
        b"<b>Invoices 2026</b>\nNo,Client,Date,Due,Total\n1,Acme,2026-01-05,2026-02-04,10.00\n",
        b"PK,Client,Date,Due,Total,No\n1,Acme,2026-01-05,2026-02-04,10.00,1\n",
    ],
)
def test_csv_text_is_not_taken_for_another_format(write: Write, content: bytes) -> None:
    assert not_csv(content) is None
    path = write("invoices.csv", content)
    for reader in READERS:
        items = list(read_records(MAPPING, {"invoices": [path]}, log=ReadLog(), reader=reader))
        assert [type(i.record).__name__ for i in items if hasattr(i, "record")] == [
            "Customer", "Invoice"]
