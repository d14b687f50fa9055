"""clientguard-csv: invoices, payments, credit notes, customers, time entries and work
requests from CSV exports, through a TOML column mapping or a preset.

The guide is ``docs/connectors/csv.md``; ``clientguard-csv preset NAME`` prints a preset as a
starting mapping file. The package exports what a user of the connector touches: the connector
and its options, a mapping, the errors it raises and :func:`unmatched_names`. The reading
machinery (dates, amounts, presets, the row reader) lives in its own modules and is not part of
the plugin's API.
"""

from clientguard_csv.connector import CsvConnector, CsvOptions, unmatched_names
from clientguard_csv.errors import CsvFileError, MappingError
from clientguard_csv.mapping import CsvMapping

__version__ = "0.1.0"

__all__ = [
    "CsvConnector",
    "CsvFileError",
    "CsvMapping",
    "CsvOptions",
    "MappingError",
    "__version__",
    "unmatched_names",
]
