"""A record's place (``inv.csv, line 8, column 'Total'``) in the reader's language wherever it is
shown: ``clientguard rejections``, the review's data quality in every format, the error that
``--strict`` stops at. The stored and machine-read forms (the store's JSON text of a location,
``str()`` of a :class:`~clientguard.records.Location` and a rejection, the load report) stay
English, and the English output is what it was, byte for byte.

Every Polish text below is written by hand: "wiersz" for a line of a file and "kolumna" for a
column, the column's name quoted as the rates file's errors quote theirs (``kolumna 'rate'``,
locale/pl/errors.po); the file, the column's name and a detail are names and stay as they are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.cli import main
from clientguard.errors import DataError
from clientguard.i18n import using
from clientguard.ledger import Adjustment
from clientguard.money import rejection_words
from clientguard.records import Location, Rejection
from clientguard.store import _location_from, _location_text

PLACES: list[tuple[Location, str, str]] = [
    # (the location, its English as str() has always written it, its Polish by hand)
    (Location("inv.csv", 8, "Total"), "inv.csv, line 8, column 'Total'",
     "inv.csv, wiersz 8, kolumna 'Total'"),
    (Location("inv.csv", 2), "inv.csv, line 2", "inv.csv, wiersz 2"),
    (Location(None, 7), "line 7", "wiersz 7"),
    (Location("inv.csv", 1234, "Kwota"), "inv.csv, line 1234, column 'Kwota'",
     "inv.csv, wiersz 1234, kolumna 'Kwota'"),  # a line number is no amount: no grouping
    # A column whose name holds an apostrophe is quoted as Python quotes it, in both.
    (Location("a.csv", 3, "Client's"), "a.csv, line 3, column \"Client's\"",
     "a.csv, wiersz 3, kolumna \"Client's\""),
    # An API page: the request is a name, the same in every language.
    (Location(detail="GET Invoices page 3"), "GET Invoices page 3", "GET Invoices page 3"),
    (Location("x.csv", 4, None, "row 2 of the group"), "x.csv, line 4, row 2 of the group",
     "x.csv, wiersz 4, row 2 of the group"),
    (Location(), "", ""),
]


@pytest.mark.parametrize(("location", "english", "polish"), PLACES)
def test_a_place_is_said_in_the_readers_language(
    location: Location, english: str, polish: str
) -> None:
    assert str(location) == english
    with using("en"):
        assert location.words() == english
        stored = _location_text(location)
    with using("pl"):
        assert location.words() == polish
        assert str(location) == english  # what the logs and the load report keep
        # The store's text is JSON of the fields (keys sorted), written and read back alike
        # in a Polish sync: nothing of the reader's words goes in.
        assert _location_text(location) == stored
        assert _location_from(stored) == location


locations = st.builds(
    Location,
    st.none() | st.text(max_size=12),
    st.none() | st.integers(min_value=0, max_value=10**9),
    st.none() | st.text(max_size=12),
    st.none() | st.text(max_size=12),
)


@given(locations, st.none() | st.text(max_size=8), st.none() | st.text(max_size=8))
def test_in_english_the_words_are_str_byte_for_byte(
    location: Location, record_id: str | None, field: str | None
) -> None:
    rejection = Rejection("invoice", "csv", record_id, field, "is wrong", location)
    with using("en"):
        assert location.words() == str(location)
        assert rejection.words() == str(rejection)
        assert rejection_words(rejection) == str(rejection)


REJECTION = Rejection("invoice", "csv", "A-2", "total", "'x' is not an amount",
                      Location("inv.csv", 8, "Total"))


@pytest.mark.parametrize(
    ("site", "show"),
    [
        # clientguard rejections and the review's data quality (every format)
        ("rejection_words", lambda: rejection_words(REJECTION)),
        # what --strict stops at: the header counts in Polish, the problem's place follows
        ("DataError.from_problems", lambda: str(DataError.from_problems([REJECTION]))),
        # a due date the ledger moved, as the review's data quality lists it
        ("Adjustment.words", lambda: Adjustment(
            "invoice", "csv", "A-2", "due_date", "2025-03-01", "2025-03-12", "due before",
            Location("inv.csv", 8, "Total")).words()),
    ],
)
@pytest.mark.parametrize(
    ("lang", "place"),
    [("en", "(csv, inv.csv, line 8, column 'Total')"),
     ("pl", "(csv, inv.csv, wiersz 8, kolumna 'Total')")],
)
def test_every_display_of_a_record_says_its_place_in_the_readers_language(
    site: str, show: object, lang: str, place: str
) -> None:
    assert callable(show)
    with using(lang):
        shown = show()
    assert place in shown
    if lang == "pl":
        assert "line 8" not in shown


def test_a_rejection_keeps_its_reason_and_names_as_they_are() -> None:
    # Only the place is translated: the kind, source, id, field and the (stored, English)
    # reason stay; str() is the English the load report keeps.
    with using("pl"):
        assert REJECTION.words() == ("invoice A-2 (csv, inv.csv, wiersz 8, kolumna 'Total'): "
                                     "total: 'x' is not an amount")
        assert str(REJECTION) == ("invoice A-2 (csv, inv.csv, line 8, column 'Total'): "
                                  "total: 'x' is not an amount")
    assert Rejection("row", "csv", None, None, "empty").words() == "row (csv): empty"


MAPPING = """\
date_formats = ["iso"]
[invoices]
default_terms_days = 14
[invoices.columns]
number = "Number"
customer_name = "Customer"
issue_date = "Issued"
due_date = "Due"
total = "Total"
currency = "Currency"
"""

# Line 1 is the header: A-2 on line 3 has no amount in Total (rejected), A-3 on line 4 is due
# before its issue date (kept, due on its issue date, listed in the data quality).
INVOICES = """\
Number,Customer,Issued,Due,Total,Currency
A-1,Acme,2025-01-02,2025-01-16,100.00,EUR
A-2,Acme,2025-03-02,2025-03-16,x,EUR
A-3,Acme,2025-03-12,2025-03-01,100.00,EUR
"""

PULL = ["--source", "csv", "--option", "mapping=map.toml", "--option", "invoices=inv.csv"]


def _json_quality(out: str) -> str:
    quality = json.loads(out)["data_quality"]
    return "\n".join([*quality["rejections"], *quality["due_before_issue"]])


@pytest.mark.parametrize(
    ("command", "stream", "read", "places"),
    [
        ("rejections", "out", str, {
            "en": ["(csv, inv.csv, line 3, column 'Total')"],
            "pl": ["(csv, inv.csv, wiersz 3, kolumna 'Total')"]}),
        ("review", "out", str, {
            "en": ["(csv, inv.csv, line 3, column 'Total')", "(csv, inv.csv, line 4)"],
            "pl": ["(csv, inv.csv, wiersz 3, kolumna 'Total')", "(csv, inv.csv, wiersz 4)"]}),
        ("review --format json", "out", _json_quality, {
            "en": ["(csv, inv.csv, line 3, column 'Total')", "(csv, inv.csv, line 4)"],
            "pl": ["(csv, inv.csv, wiersz 3, kolumna 'Total')", "(csv, inv.csv, wiersz 4)"]}),
        ("review --format html", "out", str, {
            "en": ["(csv, inv.csv, line 3, column", "(csv, inv.csv, line 4)"],
            "pl": ["(csv, inv.csv, wiersz 3, kolumna", "(csv, inv.csv, wiersz 4)"]}),
        ("review --strict", "err", str, {
            "en": ["(csv, inv.csv, line 3, column 'Total')"],
            "pl": ["(csv, inv.csv, wiersz 3, kolumna 'Total')"]}),
    ],
)
@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_polish_sweep_of_the_commands_says_wiersz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    command: str, stream: str, read: object, places: dict[str, list[str]], lang: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "inv.csv").write_text(INVOICES, encoding="utf-8")
    (tmp_path / "clientguard.toml").write_text(
        'base_currency = "EUR"\nstore = "cg.db"\n[sources.csv]\nconnector = "csv"\n'
        'mapping = "map.toml"\ninvoices = "inv.csv"\n', encoding="utf-8")
    assert main(["sync", "--quiet"]) == 0
    capsys.readouterr()
    name, *options = command.split()
    argv = ["--lang", lang, name, "--as-of", "2025-06-30", *options]
    if "--strict" in options:
        argv += PULL  # a pull, not the store: the strict read stops at the first rejection
    main(argv)
    out, err = capsys.readouterr()
    assert callable(read)
    # The table wraps at 100 columns: compared with its lines joined.
    shown = " ".join(str(read(out if stream == "out" else err)).split())
    for place in places[lang]:
        assert place in shown
    assert ("line 3" in shown) is (lang == "en")
