"""clientguard-csv: invoices, payments, credit notes, customers, time entries and work
requests from CSV exports, through a TOML column mapping or a preset.

The guide is ``docs/connectors/csv.md``; ``clientguard-csv preset NAME`` prints a preset as a
starting mapping file.
"""

from clientguard_csv.amounts import AmountError, AmountFormat, parse_amount
from clientguard_csv.connector import CsvConnector, CsvOptions, unmatched_names
from clientguard_csv.dates import DateError, DateReader
from clientguard_csv.errors import CsvFileError, MappingError
from clientguard_csv.mapping import (
    FIELDS,
    PRESETS,
    STREAMS,
    CsvMapping,
    load_mapping,
    load_preset,
    mapping_from_dict,
    parse_mapping,
    preset_text,
)
from clientguard_csv.names import normalise_name
from clientguard_csv.reading import Loaded, ReadLog, Skipped, read_records

__version__ = "0.1.0"

__all__ = [
    "FIELDS",
    "PRESETS",
    "STREAMS",
    "AmountError",
    "AmountFormat",
    "CsvConnector",
    "CsvFileError",
    "CsvMapping",
    "CsvOptions",
    "DateError",
    "DateReader",
    "Loaded",
    "MappingError",
    "ReadLog",
    "Skipped",
    "__version__",
    "load_mapping",
    "load_preset",
    "mapping_from_dict",
    "normalise_name",
    "parse_amount",
    "parse_mapping",
    "preset_text",
    "read_records",
    "unmatched_names",
]
