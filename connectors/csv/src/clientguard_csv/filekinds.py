"""What a file given as CSV is when it is not CSV: a spreadsheet workbook, a web page, a PDF
or an archive saved under a ``.csv`` name (an "Export to Excel" that writes ``.xlsx`` or an
HTML table, a download that saved a sign-in page, a report printed to PDF).

Such a file has no header line, so without this the reader says that the mapping's columns
are missing and shows the file's bytes as the "closest line", which sends the user to fix a
mapping that is right. :func:`not_csv` names what the file is and what to do instead, from
the file's first bytes: the signatures the formats begin with (ZIP ``PK\\x03\\x04``: an
Office Open XML workbook holds ``xl/``, an OpenDocument spreadsheet names its media type
first; Compound File ``D0 CF 11 E0 A1 B1 1A E1``: the old ``.xls``; ``%PDF-``; gzip
``1F 8B``) and, for text, the markup an HTML page or an XML spreadsheet opens with.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["not_csv"]

_SAVE_AS_CSV = ("open it in the spreadsheet program and save it as CSV (Excel: File > Save "
                "As > CSV UTF-8; LibreOffice: File > Save As > Text CSV; Numbers: File > "
                "Export To > CSV), then read that file")

#: (signature at the start, what the file is, what to do), for binary formats.
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls) or another "
     "Microsoft Office file", _SAVE_AS_CSV),
    (b"%PDF-", "a PDF document", "a PDF holds no rows to read: export the data from the "
     "tool as CSV"),
    (b"\x1f\x8b", "a gzip archive", "unpack it and read the CSV file inside"),
)

#: (a pattern the first non-blank text matches, what the file is, what to do), for markup.
_MARKUP: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"<\?xml[^>]*>\s*(?:<\?mso-application[^>]*Excel|<Workbook\b)", re.I),
     "an Excel XML spreadsheet (.xml)", _SAVE_AS_CSV),
    (re.compile(r"(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta)\b",
                re.I | re.S),
     "an HTML page", "some tools' \"export to Excel\" writes a web page's table, and a "
     "download can save a sign-in or error page instead of the export: export the data from "
     "the tool as CSV again, or open the file in a spreadsheet program and save it as CSV"),
)


def not_csv(sample: bytes, *, markup: bool = True) -> str | None:
    """What the file whose first bytes are ``sample`` is, and what to do, when it is a
    format that is not CSV (``"the file is an Excel workbook (.xlsx), not a CSV file ...:
    open it ..."``); None for anything else. ``markup = False`` looks only for binary
    formats, which no text file begins with (an HTML page is text, and is named only once
    no header line was found in it)."""
    if sample.startswith(b"PK\x03\x04"):
        what = _zip_kind(sample)
        remedy = (_SAVE_AS_CSV if "spreadsheet" in what or "workbook" in what
                  else "unpack it and read the CSV file inside")
        return _said(what, remedy)
    for signature, what, remedy in _SIGNATURES:
        if sample.startswith(signature):
            return _said(what, remedy)
    if not markup:
        return None
    text = _text_head(sample)
    for pattern, what, remedy in _MARKUP:
        if pattern.match(text):
            return _said(what, remedy)
    return None


def _zip_kind(sample: bytes) -> str:
    """What a ZIP archive is, from the names of its first entries."""
    if b"opendocument.spreadsheet" in sample[:200]:
        return "an OpenDocument spreadsheet (.ods, LibreOffice or OpenOffice Calc)"
    if b"xl/" in sample:
        return "an Excel workbook (.xlsx)"
    if b"Index/Document.iwa" in sample or b"Index/" in sample[:200]:
        return "an Apple Numbers spreadsheet (.numbers)"
    if b"word/" in sample:
        return "a Word document (.docx)"
    return "a ZIP archive"


def _text_head(sample: bytes) -> str:
    """The start of the sample as text, past a byte-order mark and blank space (markup is
    ASCII in every encoding a page is saved in but UTF-16 and UTF-32, read by their marks)."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                          (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if sample.startswith(bom):
            return sample[len(bom):len(bom) + 4096].decode(encoding, "replace").lstrip()
    return sample[:4096].decode("latin-1").lstrip()


def _said(what: str, remedy: str) -> str:
    return f"the file is {what}, not a CSV file, whatever its name says: {remedy}"
