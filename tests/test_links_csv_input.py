"""A links file is read as every small CSV file a person writes (clientguard.csvinput): as
Excel saves it on Polish Windows (semicolons, CRLF, a byte-order mark), with quoted notes of
several lines, and an error names the physical line the row starts on. Before, the links file
was read a line at a time: a file in the Windows code page was a traceback, a semicolon file
"had no customer column", and a note of two lines shifted every later line number or crashed.

Expected values are worked out by hand from the file's text: its lines are counted from 1, and
windows-1250 writes "Ż" as byte 0xAF (the code page's table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientguard.config import load_config
from clientguard.errors import ConfigError
from clientguard.links import read_links

MARK = (("wave", "Mark Walberg"), ("ninja", "7"))
ZABKA = (("wave", "Żabka sp. z o.o."), ("ninja", "8"))


@pytest.mark.parametrize(
    ("data", "links"),
    [
        # Polish Excel's "CSV UTF-8": a byte-order mark, semicolons, CRLF, a Polish name.
        ("\ufeffcustomer;same_as;note\r\nwave:Mark Walberg;ninja:7;sprawdzone, Ann\r\n"
         "wave:Żabka sp. z o.o.;ninja:8;\r\n".encode(), [MARK, ZABKA]),
        # A quoted note of two lines, then a row: both links, nothing swallowed.
        (b'customer,same_as,note\nwave:Mark Walberg,ninja:7,"checked\nby Ann"\n'
         + "wave:Żabka sp. z o.o.,ninja:8,x\n".encode(), [MARK, ZABKA]),
        # A line of a quoted note that starts with # is the note's, not a comment.
        (b'customer,same_as,note\r\nwave:Mark Walberg,ninja:7,"checked\r\n# by Ann"\r\n'
         + "wave:Żabka sp. z o.o.,ninja:8,x\r\n".encode(), [MARK, ZABKA]),
        # Blank and comment lines between rows are skipped, the header after them too.
        (b"# checked by Ann\n\ncustomer;same_as\n\n  # the old tool\nwave:Mark Walberg;ninja:7\n",
         [MARK]),
    ],
    ids=["polish-excel-utf8", "two-line-note", "hash-inside-a-note", "comments-semicolons"],
)
def test_a_links_file_is_read_as_a_spreadsheet_saves_it(tmp_path: Path, data: bytes,
                                                       links: list[object]) -> None:
    path = tmp_path / "links.csv"
    path.write_bytes(data)
    assert read_links(path) == links


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # Excel's plain "CSV" on Polish Windows: windows-1250, "Ż" (0xAF) on line 2.
        ("customer,same_as\nwave:Żabka sp. z o.o.,ninja:8\n".encode("cp1250"),
         "line 2: the links file is not UTF-8 text (byte 0xAF"),
        # The row after a note of two lines starts on line 4 (lines 2 and 3 are one row).
        (b'customer,same_as,note\r\nwave:Mark Walberg,ninja:7,"two\r\nlines"\r\n'
         b"wave:Ann,ninja-8,x\r\n", "line 4: 'ninja-8' does not name a customer"),
        # A quote left open would swallow the rows after it: refused at the line it opens on.
        (b'customer,same_as,note\nwave:Mark Walberg,ninja:7,"open\nwave:Ann,ninja:8,x\n',
         "line 2: the row starting here cannot be read as CSV"),
        # A semicolon header that names one column wrongly: only that one is missing, on the
        # header's own line (3, after a comment and a blank line).
        (b"# links\n\nklient;same_as\nwave:Mark Walberg;ninja:7\n",
         "line 3: the links file needs the columns customer, same_as (missing: customer)"),
    ],
    ids=["windows-1250", "after-a-two-line-note", "quote-left-open", "semicolon-header"],
)
def test_a_bad_links_file_names_the_file_and_the_line(tmp_path: Path, data: bytes,
                                                      message: str) -> None:
    path = tmp_path / "links.csv"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        read_links(path)
    assert f"{path}, {message}" in str(caught.value)


def test_a_links_file_in_the_windows_code_page_is_a_config_error_saying_to_save_it_as_utf8(
    tmp_path: Path,
) -> None:
    # Through the config, as `clientguard review` reads it: an error (exit 2), not a
    # traceback from the decoder.
    (tmp_path / "links.csv").write_bytes(
        "customer,same_as\nwave:Żabka sp. z o.o.,ninja:8\n".encode("cp1250"))
    config = tmp_path / "clientguard.toml"
    config.write_text('[sources.wave]\nconnector = "csv"\n[sources.ninja]\nconnector = "csv"\n'
                      '[links]\nfiles = ["links.csv"]\n')
    with pytest.raises(ConfigError) as caught:
        _ = load_config(config, env={}).links  # read when a command needs the links
    message = str(caught.value)
    assert f"{tmp_path / 'links.csv'}, line 2: the links file is not UTF-8 text" in message
    assert 'save it as UTF-8, in Excel as "CSV UTF-8"' in message
