"""What every small CSV file a person writes gets from the shared reader (clientguard.csvinput),
through each of its three readers: the acknowledgements file, the links file and the rates
file.

- A header naming a column twice is refused, naming the file, the header's line and the
  column: before, one of the two cells of every row was read and the other lost without a
  word (the acknowledgements file kept the last, ``dict(zip(...))``; the links and rates files
  the first, ``header.index``), so ``invoice,date,date`` acknowledged on the second date.
- The line of a byte that is not UTF-8 is counted as the rows' lines are: a line ends at
  ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac software's line end). Before, only ``\\n`` was
  counted, so in a file with lone ``\\r`` every such byte was "on line 1".

Expected values are worked out by hand from each file's text: its lines are counted from 1, its
columns from 1 left to right, and windows-1250 writes "Ż" as byte 0xAF (the code page's
table).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard.acknowledgements import read_acknowledgements
from clientguard.errors import ConfigError
from clientguard.fx.files import read_rates_file
from clientguard.links import read_links
from clientguard.testing import customer, invoice, ledger

BOOKS = ledger(customer("acme", "ACME sp. z o.o."),
               invoice("acme", issued="2021-11-15", due="2021-12-15", total="100.00",
                       currency="PLN", id="F1", number="FV/12/2021"),
               base_currency="PLN")

Reader = Callable[[Path], object]


def _acknowledgements(path: Path) -> object:
    return read_acknowledgements([path], BOOKS)


READERS: dict[str, Reader] = {
    "acknowledgements": _acknowledgements,
    "links": read_links,
    "rates": read_rates_file,
}


@pytest.mark.parametrize(
    ("reader", "data", "where", "column", "positions"),
    [
        # Before: acknowledged on 2025-03-01, the last date; 2024-03-01 lost.
        ("acknowledgements", "invoice,date,date\nF1,2024-03-01,2025-03-01\n", 1, "date", (2, 3)),
        # Case and spaces aside, as the reader compares the names (Invoice is invoice).
        ("acknowledgements", "invoice, Invoice ,date\nF1,FV/12/2021,2024-03-01\n", 1,
         "Invoice", (1, 2)),
        # Polish Excel's semicolons, the header on line 3 after a comment and a blank line.
        ("acknowledgements", "# letters\n\nclient;date;note;client\nacme;2024-03-01;x;acme\n",
         3, "client", (1, 4)),
        # Before: books:1 linked to hours:2 only, stripe:3 lost.
        ("links", "customer,same_as,same_as\nbooks:1,hours:2,stripe:3\n", 1, "same_as", (2, 3)),
        # Before: the rate 4.25 read, 4.30 lost.
        ("rates", "date,currency,base,rate,rate\n2025-01-31,EUR,PLN,4.25,4.30\n", 1, "rate",
         (4, 5)),
        # A header alone still names its columns twice: refused before any row is read.
        ("rates", "date,Date,currency,base,rate\n", 1, "Date", (1, 2)),
    ],
)
def test_a_header_naming_a_column_twice_is_refused_with_the_file_line_and_column(
    tmp_path: Path, reader: str, data: str, where: int, column: str,
    positions: tuple[int, int],
) -> None:
    path = tmp_path / f"{reader}.csv"
    path.write_text(data, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        READERS[reader](path)
    first, second = positions
    assert str(caught.value) == (
        f"{path}, line {where}: the header names the column {column!r} twice (columns {first} "
        f"and {second}): one of the two cells of every row would be lost; keep one column of "
        "that name")


def test_columns_without_a_name_may_be_many_and_a_named_one_twice_is_still_refused(
    tmp_path: Path,
) -> None:
    # Unnamed columns are read by no reader (a spreadsheet's empty columns at the right): any
    # number of them loses nothing. The rate 4.25 on 31 January 2025, from the row itself.
    path = tmp_path / "rates.csv"
    path.write_text("date,currency,base,rate,,\n2025-01-31,EUR,PLN,4.25,,\n", encoding="utf-8")
    (row,) = read_rates_file(path)
    assert (row.currency, row.base, str(row.rate)) == ("EUR", "PLN", "4.25")
    path.write_text("date,currency,base,rate,,,RATE\n2025-01-31,EUR,PLN,4.25,,,4.30\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 1: the header names the column 'RATE' twice "
                                          r"\(columns 4 and 7\)"):
        read_rates_file(path)


@pytest.mark.parametrize(
    ("reader", "data", "line"),
    [
        # Lone \r line ends: "Ż" (0xAF) on the fourth line (the header, two rows, then it).
        ("acknowledgements",
         "invoice,date,note\rF1,2024-03-01,a\rF1,2024-03-02,b\rF1,2024-03-03,Ż\r", 4),
        # \r\n, \r and \n mixed: each one line end, the byte on line 4.
        ("acknowledgements",
         "invoice,date,note\r\nF1,2024-03-01,a\rF1,2024-03-02,b\nF1,2024-03-03,Ż\r\n", 4),
        ("links", "customer,same_as\rbooks:1,hours:2\rbooks:3,hours:Ż\r", 3),
        ("rates", "date,currency,base,rate\r2025-01-31,EUR,PLN,4.25\r2025-02-28,EUR,PLN,Ż\r", 3),
    ],
)
def test_the_line_of_a_byte_that_is_not_utf8_is_counted_as_the_rows_are(
    tmp_path: Path, reader: str, data: str, line: int,
) -> None:
    path = tmp_path / f"{reader}.csv"
    path.write_bytes(data.encode("cp1250"))
    with pytest.raises(ConfigError) as caught:
        READERS[reader](path)
    assert f"{path}, line {line}: the {reader} file is not UTF-8 text (byte 0xAF;" in str(
        caught.value)


@pytest.mark.parametrize("reader", list(READERS))
def test_after_a_byte_order_mark_the_bad_byte_and_its_line_are_the_files(
    tmp_path: Path, reader: str,
) -> None:
    # Excel's "CSV UTF-8" starts with the mark EF BB BF; a windows-1250 "Ż" (0xAF) pasted in
    # at the start of line 2. Before, the position was counted in the text after the mark:
    # three bytes early, so the byte named was the header's last character and the line 1.
    path = tmp_path / f"{reader}.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n\xafc,d\n")
    with pytest.raises(ConfigError) as caught:
        READERS[reader](path)
    assert f"{path}, line 2: the {reader} file is not UTF-8 text (byte 0xAF;" in str(
        caught.value)


# 50 MiB, the documented limit (clientguard.csvinput.MAX_CSV_BYTES), written out here: a
# person's file is refused above it, whichever of the three readers reads it.
LIMIT = 50 * 2**20


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (LIMIT + 1, "52428801"),  # one byte past: 50 x 1,048,576 + 1
        (2 * 2**30, "2147483648"),  # 2 GiB, which a portfolio run read whole before
    ],
)
def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, reader: str, size: int, shown: str,
) -> None:
    # A sparse file (truncate): its size on disk is nothing, so the test costs no memory and
    # no disk; read whole, as before, it would be `size` bytes in memory.
    path = tmp_path / f"{reader}.csv"
    with path.open("wb") as sparse:
        sparse.truncate(size)
    with pytest.raises(ConfigError) as caught:
        READERS[reader](path)
    assert str(caught.value) == (
        f"{path}: the {reader} file is {shown} bytes, more than the 50 MiB clientguard reads "
        "of a CSV file a person writes (a rates file of every currency's every day since 1999 "
        "is under 10 MB): check that it is the file you meant, or split it into several files")


def test_a_file_of_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The limit is inclusive: a file of exactly the limit is read. Shown with a limit of the
    # file's own size (the header and one row, 23 characters and a line end each: 48 bytes),
    # not with 50 MiB of rows.
    import clientguard.csvinput as csvinput

    data = "date,currency,base,rate\n2025-01-31,EUR,PLN,4.25\n"
    assert len(data.encode()) == 48
    path = tmp_path / "rates.csv"
    path.write_text(data, encoding="utf-8")
    monkeypatch.setattr(csvinput, "MAX_CSV_BYTES", 48)
    (row,) = read_rates_file(path)
    assert str(row.rate) == "4.25"
    monkeypatch.setattr(csvinput, "MAX_CSV_BYTES", 47)
    with pytest.raises(ConfigError, match=r"the rates file is 48 bytes, more than the 47 bytes "):
        read_rates_file(path)
