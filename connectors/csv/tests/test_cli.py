"""The clientguard-csv command: check files through a mapping, and say what would load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard_csv.cli import main

Write = Callable[..., Path]

MAPPING = """
currency = "EUR"
[invoices]
default_terms_days = 30
[invoices.columns]
number = "No"
customer_name = "Client"
issue_date = "Date"
total = "Total"
[time_entries.columns]
customer_name = "Client"
date = "Day"
hours = "Hours"
"""


def test_check_reports_files_rejections_and_unmatched_names(
    write: Write, capsys: pytest.CaptureFixture[str]
):
    mapping = write("m.toml", MAPPING)
    invoices = write(
        "i.csv", "No;Client;Date;Total\n1;Acme;2025-01-02;10.00\n2;Acme;2025-01-03;x\n"
    )
    hours = write("t.csv", "Client,Day,Hours\nACME Ltd,2025-01-02,1\nGlobex,2025-01-02,2\n")
    code = main(["check", "--mapping", str(mapping), "--invoices", str(invoices),
                 "--time-entries", str(hours)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"invoices: {invoices} (utf-8, semicolon, header on line 1): 2 rows, 2 records, " \
           "0 skipped, 1 rejected" in out
    assert f"time_entries: {hours} (utf-8, comma, header on line 1): 2 rows, 1 records, " \
           "0 skipped, 1 rejected" in out
    assert "'Globex' in time_entries: 1 rows, first at" in out
    assert "2 rejected:" in out
    assert "i.csv, line 3, column 'Total'" in out


def test_check_is_clean_for_a_good_file(write: Write, capsys: pytest.CaptureFixture[str]):
    mapping = write("m.toml", MAPPING)
    invoices = write("i.csv", "No,Client,Date,Total\n1,Acme,2025-01-02,10.00\n")
    assert main(["check", "--mapping", str(mapping), "--invoices", str(invoices)]) == 0
    assert "1 rows, 2 records, 0 skipped, 0 rejected" in capsys.readouterr().out


def test_check_says_why_a_file_cannot_be_used(write: Write, capsys: pytest.CaptureFixture[str]):
    mapping = write("m.toml", MAPPING)
    invoices = write("i.csv", "Number,Customer\n1,Acme\n")
    assert main(["check", "--mapping", str(mapping), "--invoices", str(invoices)]) == 2
    err = capsys.readouterr().err
    assert "Missing: 'No', 'Client', 'Date', 'Total'" in err
    assert main(["check", "--mapping", str(write("bad.toml", "x = 1\n")),
                 "--invoices", str(invoices)]) == 2
    assert "x: unknown key" in capsys.readouterr().err
