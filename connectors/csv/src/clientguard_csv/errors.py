"""The errors of the CSV connector, on clientguard's exception tree.

A file the system cannot read (not found, permission denied, a folder) is said in the
reader's language (:func:`clientguard.errors.os_reason`), with the system's own text kept;
the connector's other messages are English.
"""

from __future__ import annotations

from clientguard.errors import ConfigError, ConnectorError, ErrorContext, os_reason
from clientguard.i18n import gettext as _

__all__ = ["CsvFileError", "MappingError", "file_unreadable", "mapping_unreadable", "not_a_file"]


class MappingError(ConfigError):
    """A mapping file (or preset name) is wrong: names the file, the key and what to do."""


class CsvFileError(ConnectorError):
    """A file cannot be read as the mapping describes it: not found, not decodable, or no
    header line with the mapping's columns (the message lists what is missing and what the
    file has)."""

    def __init__(self, message: str, stream: str | None = None) -> None:
        self.detail = message
        """The message without the connector and stream."""
        super().__init__(message, ErrorContext(connector="csv", stream=stream))


def file_unreadable(file: str, exc: OSError) -> CsvFileError:
    """The error of a data file the system cannot open or read (``exc``), in the reader's
    language: ``invoices.csv: cannot be read: No such file or directory``."""
    return CsvFileError(_("{file}: cannot be read: {reason}").format(
        file=file, reason=os_reason(exc)))


def not_a_file(file: str, *, socket: bool) -> CsvFileError:
    """The error of a data file option naming a socket or a block device (a disk), which the
    read cannot take as a file, in the reader's language."""
    if socket:
        return CsvFileError(_("{file}: cannot be read: it is a socket, not a file; give the "
                              "path of the exported file").format(file=file))
    return CsvFileError(_("{file}: cannot be read: it is a disk (a block device), not a "
                          "file; give the path of the exported file").format(file=file))


def mapping_unreadable(file: str, exc: OSError) -> MappingError:
    """The error of a mapping file the system cannot open or read (``exc``), in the reader's
    language: ``mapping.toml: cannot read the mapping: Is a directory``."""
    return MappingError(_("{file}: cannot read the mapping: {reason}").format(
        file=file, reason=os_reason(exc)))
