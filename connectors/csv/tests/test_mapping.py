"""Mapping files: TOML in, every wrong key named; presets load and print."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard.errors import ConfigError
from clientguard_csv.amounts import AmountFormat
from clientguard_csv.cli import main
from clientguard_csv.errors import MappingError
from clientguard_csv.mapping import PRESETS, load_mapping, load_preset, parse_mapping, preset_text

MINIMAL = """
currency = "PLN"
date_formats = ["%d.%m.%Y"]
decimal = ","
[invoices]
default_terms_days = 14
[invoices.columns]
number = "Numer"
customer_name = "Kontrahent"
issue_date = "Data"
total = ["Brutto", "Wartość brutto"]
"""


def test_a_minimal_mapping_and_its_effective_format() -> None:
    mapping = parse_mapping(MINIMAL)
    settings = mapping.settings("invoices")
    assert settings.currency == "PLN"
    assert settings.date_formats == ("%d.%m.%Y",)
    # decimal comma without a thousands separator named: spaces group thousands
    assert settings.amounts == AmountFormat(",", " ")
    assert settings.encoding == "auto"
    assert settings.delimiter == "auto"
    assert mapping.invoices is not None
    assert mapping.invoices.columns["total"].column == ("Brutto", "Wartość brutto")


def test_stream_keys_override_the_top_level() -> None:
    text = MINIMAL.replace("[invoices]\n", '[invoices]\nencoding = "cp1250"\ndelimiter = "tab"\n')
    mapping = parse_mapping(text)
    settings = mapping.settings("invoices")
    assert (settings.encoding, settings.delimiter) == ("cp1250", "\t")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("total = [", "totl = ["), "invoices.columns.totl: unknown field"),
        (("currency = \"PLN\"", "curency = \"PLN\""), "curency: unknown key"),
        (("currency = \"PLN\"", "currency = \"pln\""), "'pln' is not an upper-case ISO 4217"),
        (("decimal = \",\"", "decimal = \";\""), "decimal"),
        (("default_terms_days = 14", "default_terms_days = -1"), "default_terms_days"),
        (("default_terms_days = 14", ""), "[invoices] needs a due date"),
        (("issue_date = \"Data\"", ""), "[invoices.columns] must map issue_date"),
        (("customer_name = \"Kontrahent\"", ""), "must map customer_id or customer_name"),
        (("[invoices]", "[invoices]\nstatus = 3"), "invoices.status"),
        (("[invoices]", "[invoices]\nencoding = \"klingon\""), "unknown encoding 'klingon'"),
        (("[invoices]", "[invoices]\ndelimiter = \";;\""), "must be one character"),
        (("[invoices]", "[invoices]\nheader_line = 0"), "header_line"),
        (("[invoices]", "[invoices]\namount_sign = \"minus\""), "amount_sign"),
        (("[invoices]", "[invoices]\n[invoices.status]\nunpaid = [\"X\"]"), "unpaid"),
        (("[invoices]", "[payments.columns]\namount = \"A\"\n[invoices]"),
         "[payments.columns] must map date"),
        (("[invoices]", "[invoices]\ngroup_rows = true\n"), None),
        (("number = \"Numer\"", "number = { column = \"Numer\", join = [\"A\"] }"),
         "give either column or join"),
        (("number = \"Numer\"", "number = { colum = \"Numer\" }"), "colum: unknown key"),
        (("[invoices]", "x = = 1\n[invoices]"), "not valid TOML"),
    ],
)
def test_wrong_mappings_name_the_key(change: tuple[str, str], message: str | None) -> None:
    text = MINIMAL.replace(*change)
    if message is None:
        parse_mapping(text)  # valid
        return
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "mine.toml")
    assert str(caught.value).startswith("mine.toml: ")
    assert message in str(caught.value)
    assert isinstance(caught.value, ConfigError)


# A date_formats entry no date can be read by is refused when the mapping loads, naming the
# key and the directive (until 2026-12-08 it loaded, and every row was rejected instead).
# Expected from Python's strptime table: %q, %e (glibc's day without zero), %s (glibc's epoch
# seconds) and %-d are none of its directives; a lone % at the end is a stray percent sign.
@pytest.mark.parametrize(
    ("change", "said"),
    [
        (('date_formats = ["%d.%m.%Y"]', 'date_formats = ["%d.%q.%Y"]'),
         "mine.toml: date_formats: '%d.%q.%Y' has the directive %q, which Python does not know"),
        (('date_formats = ["%d.%m.%Y"]', 'date_formats = ["iso", "%e.%m.%Y"]'),
         "mine.toml: date_formats: '%e.%m.%Y' has the directive %e, which Python does not know"),
        (('date_formats = ["%d.%m.%Y"]', 'date_formats = ["%s"]'),
         "mine.toml: date_formats: '%s' has the directive %s, which Python does not know"),
        (('date_formats = ["%d.%m.%Y"]', 'date_formats = ["%-d.%m.%Y"]'),
         "mine.toml: date_formats: '%-d.%m.%Y' has the directive %-, which Python does not know"),
        (('date_formats = ["%d.%m.%Y"]', 'date_formats = ["%d.%m.%Y %"]'),
         "mine.toml: date_formats: '%d.%m.%Y %' has the directive %, which Python does not know"),
        # In a stream's table: the key says which.
        (("[invoices]\n", '[invoices]\ndate_formats = ["%Y/%q"]\n'),
         "mine.toml: invoices.date_formats: '%Y/%q' has the directive %q, which Python does "
         "not know"),
        # Known directives that cannot read back what they write (%G needs %V and a weekday).
        (('date_formats = ["%d.%m.%Y"]', 'date_formats = ["%G-%m-%d"]'),
         "mine.toml: date_formats: '%G-%m-%d' cannot read back a date it writes (Python says: "
         "ISO year directive '%G' must be used with"),
    ],
)
def test_a_date_format_python_cannot_read_is_refused_at_load(
    change: tuple[str, str], said: str
) -> None:
    with pytest.raises(MappingError) as caught:
        parse_mapping(MINIMAL.replace(*change), "mine.toml")
    assert str(caught.value).startswith(said)
    assert str(caught.value).endswith('(as in "%d.%m.%Y"), or "iso" or "excel"')


def test_a_mapping_needs_a_stream() -> None:
    with pytest.raises(MappingError, match="no stream table"):
        parse_mapping('currency = "EUR"\n')


def test_load_mapping_from_a_file(write: Callable[..., Path]) -> None:
    path = write("m.toml", MINIMAL)
    assert load_mapping(path) == parse_mapping(MINIMAL)
    with pytest.raises(MappingError, match="cannot read the mapping"):
        load_mapping(path.with_name("absent.toml"))


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_and_prints_as_a_mapping_file(
    name: str, write: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preset", name]) == 0
    printed = capsys.readouterr().out
    assert printed == preset_text(name)
    assert printed.startswith("# ")  # the first line says what export it is for
    tomllib.loads(printed)
    # the printed file, saved and edited by a user, loads to the same mapping
    assert load_mapping(write(f"{name}.toml", printed)) == load_preset(name)


def test_unknown_preset_lists_the_presets() -> None:
    with pytest.raises(MappingError, match="no preset named 'sage'; the presets are freshbooks"):
        load_preset("sage")


def test_presets_command_lists_every_preset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(PRESETS)
