"""A program reads which file and which key a CSV error is about from attributes, not by
parsing the message: ``CsvFileError.path`` (the file as the option gave it) and
``MappingError.problems`` / ``MappingError.key`` (the key as the mapping writes it). Until
2026-12-08 the path was only inside ``.detail`` and the key only inside the text."""

from __future__ import annotations

from pathlib import Path

import pytest

import clientguard as cg
from clientguard_csv.errors import CsvFileError, MappingError
from clientguard_csv.mapping import load_preset, parse_mapping


def _csv(invoices: str) -> cg.Ledger:
    connector = cg.connectors.load("csv")(invoices=invoices, preset="zoho")
    return cg.Ledger.from_connector(connector, base_currency="EUR")


@pytest.mark.parametrize(("content", "why"), [
    (None, "cannot be read"),                       # no such file
    (b"", "the file is empty"),
    (b"a,b,c\n1,2,3\n", "no header line"),          # none of zoho's columns
])
def test_a_data_file_error_names_its_file(
    tmp_path: Path, content: bytes | None, why: str
) -> None:
    file = tmp_path / "invoices.csv"
    if content is not None:
        file.write_bytes(content)
    with pytest.raises(CsvFileError) as raised:
        _csv(str(file))
    # The path given as the option, the stream the file was read for.
    assert raised.value.path == str(file)
    assert raised.value.context.stream == "invoices"
    assert why in str(raised.value)


@pytest.mark.parametrize(("toml", "keys"), [
    # The reviewer's typo: "idd" is no key of a stream table.
    ('[invoices]\nidd = "X"\n', [("invoices.idd", "unknown key")]),
    # Two wrong keys: both, in the file's order.
    ('[invoices]\nidd = "X"\n[payments]\nfoo = 1\n',
     [("invoices.idd", "unknown key"), ("payments.foo", "unknown key")]),
])
def test_a_mapping_error_names_its_keys(toml: str, keys: list[tuple[str, str]]) -> None:
    with pytest.raises(MappingError) as raised:
        parse_mapping(toml, "m.toml")
    assert list(raised.value.problems) == keys
    assert raised.value.key == keys[0][0]
    assert isinstance(raised.value, cg.ConfigError)


def test_a_mapping_error_not_about_a_key_has_none() -> None:
    with pytest.raises(MappingError) as raised:
        load_preset("zohoo")
    assert (raised.value.key, raised.value.problems) == (None, ())
