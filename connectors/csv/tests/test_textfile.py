"""Opening real-world files: byte-order marks, encodings, delimiters, preambles, quoting."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict, Unpack

import pytest

from clientguard.connector import pull
from clientguard_csv import CsvConnector
from clientguard_csv.errors import CsvFileError
from clientguard_csv.textfile import (
    Columns,
    CsvRowError,
    Row,
    detect_encoding,
    iter_rows,
    open_layout,
)

COLUMNS = Columns([("Klient",), ("Kwota",)])


class LayoutOptions(TypedDict, total=False):
    """open_layout's keyword arguments."""

    encoding: str
    delimiter: str
    header_line: int | None


def rows_of(
    path: Path, columns: Columns = COLUMNS, **options: Unpack[LayoutOptions]
) -> list[Row | CsvRowError]:
    return list(iter_rows(open_layout(path, columns, **options)))


POLISH = "Klient;Kwota\nSpółdzielnia Łódź Sp. z o.o.;1 234,56\nŻabka Polska;99,00\n"
WESTERN = "Klient;Kwota\nCafé Müller;12,00\nSociété Générale à Paris;13,00\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (codecs.BOM_UTF8 + POLISH.encode("utf-8"), "utf-8"),
        (POLISH.encode("utf-8"), "utf-8"),
        (POLISH.encode("cp1250"), "cp1250"),
        (WESTERN.encode("latin-1"), "latin-1"),
        ("Klient;Kwota\nŚląsk;1\n".encode("cp1250"), "cp1250"),  # Ś is 0x8C in cp1250
        (codecs.BOM_UTF16_LE + POLISH.encode("utf-16-le"), "utf-16"),
        (POLISH.encode("utf-32"), "utf-32"),  # its mark FF FE 00 00 begins with UTF-16's
        (codecs.BOM_UTF32_BE + POLISH.encode("utf-32-be"), "utf-32"),
        ("Klient,Kwota\nŻabka,1\n".encode("cp1250"), "cp1250"),  # one Ż: "¯abka" in Latin-1
        ("Client,Amount\nCrème brûlée à Noël,£10\n".encode("latin-1"), "latin-1"),
        ("Client,Amount\nMüller Straße,10\n".encode("latin-1"), "latin-1"),
    ],
)
def test_encoding_is_detected(content: bytes, expected: str) -> None:
    assert detect_encoding(content) == expected


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (codecs.BOM_UTF8 + POLISH.encode("utf-8"), "auto"),
        (POLISH.encode("utf-8"), "auto"),
        (POLISH.encode("cp1250"), "auto"),
        (POLISH.encode("cp1250"), "cp1250"),
        (codecs.BOM_UTF16_LE + POLISH.encode("utf-16-le"), "auto"),
        (POLISH.encode("utf-32"), "auto"),
        (POLISH.encode("utf-32"), "utf-32"),
    ],
)
def test_polish_text_comes_out_the_same_however_it_was_encoded(
    write: Callable[..., Path], content: bytes, encoding: str
) -> None:
    rows = rows_of(write("pl.csv", content), encoding=encoding)
    assert rows == [
        Row(2, ["Spółdzielnia Łódź Sp. z o.o.", "1 234,56"]),
        Row(3, ["Żabka Polska", "99,00"]),
    ]


def test_latin1_named_in_the_mapping(write: Callable[..., Path]) -> None:
    path = write("fr.csv", WESTERN, encoding="latin-1")
    rows = rows_of(path, encoding="latin-1")
    assert rows[0] == Row(2, ["Café Müller", "12,00"])


def test_the_bom_is_not_part_of_the_first_column_name(write: Callable[..., Path]) -> None:
    path = write("bom.csv", codecs.BOM_UTF8 + b"Klient,Kwota\nA,1\n")
    layout = open_layout(path, COLUMNS)
    assert layout.header == ("Klient", "Kwota")
    assert layout.bom


def test_a_line_in_another_encoding_is_a_row_error_naming_the_line_and_column(
    write: Callable[..., Path],
) -> None:
    text = "Klient;Kwota\n" + "A;1\n" * 3 + "Spółka;2\n" + "B;3\n"
    path = write("mixed.csv", text.encode("cp1250"))
    rows = rows_of(path, encoding="utf-8")
    assert rows[:3] == [Row(2, ["A", "1"]), Row(3, ["A", "1"]), Row(4, ["A", "1"])]
    assert rows[4] == Row(6, ["B", "3"])  # the read goes on
    bad = rows[3]
    assert isinstance(bad, CsvRowError)
    assert (bad.line, bad.column) == (5, "Klient")
    assert "not valid utf-8 (b'\\xf3\\xb3')" in bad.reason
    assert 'encoding = "cp1250"' in bad.reason


# A UTF-8 export with umlauts, and one stray byte (a cp1252 "é", 0xE9) in one row.
STRAY = (
    "Klient;Kwota\n"
    + "".join(f"Müller Café GmbH {n};{n},00\n" for n in range(1, 6))
).encode("utf-8") + "Stray é;7,00\n".encode("cp1252") + "Übel Straße;8,00\n".encode()


@pytest.mark.parametrize("stray", [b"\xe9", b"\xff", b"\x81", b"\xc3", b"\xa0\xa0"])
def test_a_mostly_utf8_file_with_a_stray_byte_stays_utf8(
    write: Callable[..., Path], stray: bytes
) -> None:
    content = STRAY.replace("é".encode("cp1252"), stray)
    assert detect_encoding(content) == "utf-8"
    rows = rows_of(write("stray.csv", content))
    assert [r.cells[0] for r in rows if isinstance(r, Row)] == [
        *(f"Müller Café GmbH {n}" for n in range(1, 6)), "Übel Straße"
    ]  # never "MÃ¼ller CafÃ© GmbH"
    (bad,) = [r for r in rows if isinstance(r, CsvRowError)]
    assert (bad.line, bad.column) == (7, "Klient")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # one accented letter in an otherwise ASCII file: Latin-1, not "UTF-8 with a stray"
        (b"Klient;Kwota\nCaf\xe9;1\n", "latin-1"),
        # Polish in cp1250 with a capital before a symbol byte (0xD3 0xA3 is valid UTF-8)
        ("Klient;Kwota\nWRÓŁ Spółka;1\nŁódź Żabka;2\n".encode("cp1250"), "cp1250"),
    ],
)
def test_a_legacy_file_is_not_taken_for_utf8(content: bytes, expected: str) -> None:
    assert detect_encoding(content) == expected


# Polish exports in cp1250 with upper-case names: "ÓŁ" (D3 A3), "ÓŻ" (D3 AF) and "ĘŻ"
# (CA AF) are valid UTF-8 pairs (Cyrillic "ӣ", "ӯ"; phonetic "ʯ"), so the bytes decode as
# UTF-8 into names nobody wrote.
SPOLKA = (
    "Klient;Kwota\nABC SPÓŁKA AKCYJNA;1 230,00\nBIURO PODRÓŻY XYZ;500,00\n"
    "KSIĘŻYC SP. Z O.O.;10,00\n"
)
SPOLKA_AND_ONE_LOWER = (
    "Klient;Kwota\n" + "".join(f"FIRMA {n} SPÓŁKA AKCYJNA;1 230,00\n" for n in range(1, 9))
    + "Jan Kowalski Usługi;200,00\n"  # "ł" (B3) alone is not valid UTF-8
)
# A Western European Excel export: "€" (0x80) and "’" (0x92) are bytes 0x80-0x9F, which
# cp1250 and cp1252 both have; the letters say which one the file is.
FRENCH_CP1252 = (
    "Klient;Kwota\nCrème Brûlée SARL;1 234,56 €\nPeña Hermanos;99,00 €\n"
    "Château l’Évêque;10,00 €\n"
)


@pytest.mark.parametrize(
    ("text", "encoding", "names"),
    [
        (SPOLKA, "cp1250", ["ABC SPÓŁKA AKCYJNA", "BIURO PODRÓŻY XYZ", "KSIĘŻYC SP. Z O.O."]),
        (SPOLKA_AND_ONE_LOWER, "cp1250",
         [*(f"FIRMA {n} SPÓŁKA AKCYJNA" for n in range(1, 9)), "Jan Kowalski Usługi"]),
        (FRENCH_CP1252, "cp1252", ["Crème Brûlée SARL", "Peña Hermanos", "Château l’Évêque"]),
        # What must not change: UTF-8 with whole words in other scripts, a Latin letter typed
        # inside a Ukrainian word, Japanese beside Latin letters, and Polish, stay UTF-8.
        ("Klient;Kwota\nТОВ Київстар;1\nΕλληνικά Πετρέλαια;2\nAcme Ltd;3\n", "utf-8",
         ["ТОВ Київстар", "Ελληνικά Πετρέλαια", "Acme Ltd"]),
        ("Klient;Kwota\nТОВ Kиївстар;1\nПриватне пiдприємство;2\n", "utf-8",
         ["ТОВ Kиївстар", "Приватне пiдприємство"]),
        ("Klient;Kwota\nABCマート;1\nKDDI株式会社;2\n", "utf-8", ["ABCマート", "KDDI株式会社"]),
        (SPOLKA, "utf-8", ["ABC SPÓŁKA AKCYJNA", "BIURO PODRÓŻY XYZ", "KSIĘŻYC SP. Z O.O."]),
        (POLISH, "cp1250", ["Spółdzielnia Łódź Sp. z o.o.", "Żabka Polska"]),
        (WESTERN, "latin-1", ["Café Müller", "Société Générale à Paris"]),
    ],
)
def test_the_encoding_whose_letters_make_words_is_chosen(
    write: Callable[..., Path], text: str, encoding: str, names: list[str]
) -> None:
    content = text.encode(encoding)
    assert detect_encoding(content) == encoding
    rows = rows_of(write("names.csv", content))
    assert [r.cells[0] for r in rows if isinstance(r, Row)] == names
    assert not [r for r in rows if isinstance(r, CsvRowError)]


@pytest.mark.parametrize(
    ("text", "encoding", "chosen", "doubt"),
    [
        # One "ñ" (cp1252) or "ń" (cp1250): a toss-up, said, with both readings and the key.
        ("Klient;Kwota\nPeña Hermanos;99,00 €\n", "cp1252", "cp1250",
         "cp1252 reads it too, and differently: 'Peña' where cp1250 reads 'Peńa'; set "
         'encoding = "cp1252" (or "cp1250") in the mapping to say which'),
        # Valid UTF-8 read as cp1250 all the same: the UTF-8 reading is shown.
        (SPOLKA, "cp1250", "cp1250",
         "utf-8 reads it too, and differently: 'SPӣKA' where cp1250 reads 'SPÓŁKA'"),
    ],
)
def test_an_uncertain_guess_says_how_else_the_file_reads_and_how_to_name_it(
    write: Callable[..., Path], text: str, encoding: str, chosen: str, doubt: str
) -> None:
    layout = open_layout(write("doubt.csv", text.encode(encoding)), COLUMNS)
    assert (layout.encoding, layout.guessed) == (chosen, True)
    assert layout.doubt is not None
    assert doubt in layout.doubt


@pytest.mark.parametrize(
    "content",
    [
        FRENCH_CP1252.encode("cp1252"),  # clear: French in cp1252
        POLISH.encode("cp1250"),
        POLISH.encode("utf-8"),
        "Klient;Kwota\nТОВ Київстар;1\n".encode(),
    ],
)
def test_a_clear_guess_has_no_doubt(write: Callable[..., Path], content: bytes) -> None:
    assert open_layout(write("clear.csv", content), COLUMNS).doubt is None


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        # a notes column the mapping does not read, unquoted and quoted
        ("Klient,Kwota,Uwagi\nA,1,x\nB,2,{big}\nC,3,y\n", 3, "Uwagi"),
        ('Klient,Kwota,Uwagi\nA,1,x\nB,2,"{big}"\nC,3,y\n', 3, "Uwagi"),
        ("Klient,Kwota,Uwagi\nA,1,x\n{big},2,z\nC,3,y\n", 3, "Klient"),
    ],
)
def test_a_cell_past_the_csv_modules_limit_names_its_line_and_column(
    write: Callable[..., Path], text: str, line: int, column: str
) -> None:
    big = "x" * 200_000  # the csv module reads at most 131,072 characters in a cell
    rows = rows_of(write("long.csv", text.format(big=big)))
    assert [r.cells[0] for r in rows if isinstance(r, Row)] == ["A", "C"]  # the rest read
    (bad,) = [r for r in rows if isinstance(r, CsvRowError)]
    assert (bad.line, bad.column) == (line, column)
    assert bad.reason.startswith(f"the cell in column {column!r} is longer than 131,072 "
                                 "characters")
    assert "Shorten or empty the cell, or leave the column out of the export" in bad.reason


@pytest.mark.parametrize(
    ("text", "delimiter", "found"),
    [
        ("Klient,Kwota\nA,1\n", "auto", ","),
        ("Klient;Kwota\nA;1\n", "auto", ";"),
        ("Klient\tKwota\nA\t1\n", "auto", "\t"),
        ("Klient|Kwota\nA|1\n", "auto", "|"),
        # a semicolon file whose amounts have decimal commas: "," would split the values
        ("Klient;Kwota\n\"A, B\";1,50\n", "auto", ";"),
        ("Klient;Kwota\nA;1\n", ";", ";"),
        ("Klient\tKwota\nA\t1\n", "\t", "\t"),
    ],
)
def test_delimiter_sniffed_or_named(
    write: Callable[..., Path], text: str, delimiter: str, found: str
) -> None:
    layout = open_layout(write("d.csv", text), COLUMNS, delimiter=delimiter)
    assert layout.delimiter == found
    assert next(iter_rows(layout)) == Row(2, [text.splitlines()[1].split(found)[0].strip('"'),
                                              text.splitlines()[1].split(found)[-1]])


def test_preamble_lines_before_the_header_are_skipped(write: Callable[..., Path]) -> None:
    text = (
        '"Invoice Ninja v4.5.17 - December 19, 2020 11:28 pm",,\n'
        ",,\n"
        "INVOICES,,\n"
        "Klient,Kwota,Uwagi\n"
        "A,1,x\n"
    )
    layout = open_layout(write("pre.csv", text), COLUMNS)
    assert layout.header_line == 4
    assert list(iter_rows(layout)) == [Row(5, ["A", "1", "x"])]


def test_header_line_can_be_named(write: Callable[..., Path]) -> None:
    text = "Klient,Kwota\nKlient,Kwota\nA,1\n"
    layout = open_layout(write("h.csv", text), COLUMNS, header_line=2)
    assert list(iter_rows(layout)) == [Row(3, ["A", "1"])]


def test_quoted_fields_with_delimiters_and_newlines_keep_line_numbers(
    write: Callable[..., Path],
) -> None:
    text = (
        "Klient,Kwota,Uwagi\n"
        '"Acme, Inc.",1,"two\nline note"\n'
        'B,2,"say ""hi"""\n'
        "\n"
        'C,3,"three\nline\nnote"\n'
        "D,4,x\n"
    )
    rows = rows_of(write("q.csv", text))
    assert rows == [
        Row(2, ["Acme, Inc.", "1", "two\nline note"]),
        Row(4, ["B", "2", 'say "hi"']),
        Row(6, ["C", "3", "three\nline\nnote"]),
        Row(9, ["D", "4", "x"]),
    ]


def test_crlf_line_endings(write: Callable[..., Path]) -> None:
    rows = rows_of(write("crlf.csv", b"Klient,Kwota\r\nA,1\r\nB,2\r\n"))
    assert rows == [Row(2, ["A", "1"]), Row(3, ["B", "2"])]


def test_a_quote_left_open_is_a_row_error_at_its_line(write: Callable[..., Path]) -> None:
    text = 'Klient,Kwota\nA,1\n"B,2\nC,3\n'
    rows = rows_of(write("open.csv", text))
    assert rows[0] == Row(2, ["A", "1"])
    assert isinstance(rows[1], CsvRowError)
    assert rows[1].line == 3
    assert "cannot be read" in rows[1].reason


def test_header_that_does_not_match_lists_missing_and_found(write: Callable[..., Path]) -> None:
    path = write("wrong.csv", "Client,Amount,Date\nA,1,2025-01-01\n")
    with pytest.raises(CsvFileError) as caught:
        open_layout(path, Columns([("Client",), ("Kwota", "Total"), ("Due",)]))
    message = str(caught.value)
    assert "Missing: 'Kwota' or 'Total', 'Due'" in message
    assert "line 1, has: 'Client', 'Amount', 'Date'" in message
    assert str(path) in message


def test_header_names_ignore_case_spaces_and_xero_stars(write: Callable[..., Path]) -> None:
    path = write("x.csv", "*ContactName ,  invoice   NUMBER\nA,1\n")
    layout = open_layout(path, Columns([("ContactName",), ("Invoice Number",)]))
    assert layout.index() == {"contactname": 0, "invoice number": 1}


def test_a_column_named_twice_is_an_error(write: Callable[..., Path]) -> None:
    path = write("dup.csv", "Klient,Kwota,Kwota\nA,1,2\n")
    with pytest.raises(CsvFileError, match="the header has the column 'Kwota' 2 times"):
        open_layout(path, COLUMNS)


@pytest.mark.parametrize("content", [b"", b"\n\n", codecs.BOM_UTF8])
def test_an_empty_file_says_so(write: Callable[..., Path], content: bytes) -> None:
    with pytest.raises(CsvFileError, match="the file is empty"):
        open_layout(write("empty.csv", content), COLUMNS)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(CsvFileError, match="cannot be read"):
        open_layout(tmp_path / "nope.csv", COLUMNS)


@pytest.mark.parametrize(
    ("content", "encoding", "guessed"),
    [
        (POLISH.encode("cp1250"), "auto", True),
        (POLISH.encode("utf-8"), "auto", True),
        (codecs.BOM_UTF8 + POLISH.encode("utf-8"), "auto", False),  # the mark says it
        (codecs.BOM_UTF16_LE + POLISH.encode("utf-16-le"), "auto", False),
        (b"Klient;Kwota\nAcme;1\n", "auto", False),  # ASCII: every encoding reads it alike
        (POLISH.encode("cp1250"), "cp1250", False),  # named, not guessed
    ],
)
def test_a_guess_is_marked_when_it_mattered(
    write: Callable[..., Path], content: bytes, encoding: str, guessed: bool
) -> None:
    assert open_layout(write("g.csv", content), COLUMNS, encoding=encoding).guessed is guessed


def test_the_syncs_note_says_when_a_guess_is_uncertain(write: Callable[..., Path]) -> None:
    mapping = {"currency": "EUR", "decimal": ",", "customers": {"columns": {"name": "Klient"}}}
    path = write("klienci.csv", "Klient;Kwota\nPeña Hermanos;99,00 €\n".encode("cp1252"))
    (note,) = pull(CsvConnector(customers=path, mapping=mapping)).notes
    assert note.startswith(f"{path}: read as cp1250, a guess from its bytes that may be wrong: "
                           "cp1252 reads it too, and differently: 'Peña' where cp1250 reads "
                           "'Peńa'; set encoding = \"cp1252\"")
