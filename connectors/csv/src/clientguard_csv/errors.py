"""The errors of the CSV connector, on clientguard's exception tree.

A file the system cannot read (not found, permission denied, a folder) is said in the
reader's language (:func:`clientguard.errors.os_reason`), with the system's own text kept;
the connector's other messages are English.
"""

from __future__ import annotations

import stat

from clientguard.errors import ConfigError, ConnectorError, ErrorContext, os_reason
from clientguard.i18n import gettext as _

__all__ = ["CsvFileError", "MappingError", "file_unreadable", "mapping_unreadable", "not_a_file"]


class MappingError(ConfigError):
    """A mapping file (or preset name) is wrong: names the file, the key and what to do.

    Where keys are wrong, :attr:`problems` holds each as (key, what is wrong), the key as the
    mapping writes it (``invoices.idd``); :attr:`key` is the first of them."""

    @property
    def key(self) -> str | None:
        """The first wrong key (``invoices.idd``); None when the error is not about a key (a
        file that cannot be read, not TOML, an unknown preset)."""
        return self.problems[0][0] if self.problems else None


class CsvFileError(ConnectorError):
    """A file cannot be read as the mapping describes it: not found, not decodable, or no
    header line with the mapping's columns (the message lists what is missing and what the
    file has)."""

    def __init__(self, message: str, stream: str | None = None, *,
                 path: str | None = None) -> None:
        self.detail = message
        """The message without the connector and stream."""
        self.path = path
        """The file as the message names it (as the option gave it); None where the error is
        not about one file."""
        super().__init__(message, ErrorContext(connector="csv", stream=stream))


def file_unreadable(file: str, exc: OSError) -> CsvFileError:
    """The error of a data file the system cannot open or read (``exc``), in the reader's
    language: ``invoices.csv: cannot be read: No such file or directory``."""
    return CsvFileError(_("{file}: cannot be read: {reason}").format(
        file=file, reason=os_reason(exc)), path=file)


def not_a_file(file: str, mode: int) -> CsvFileError | None:
    """The error of a data file option naming what the read cannot take as a file, by its
    ``st_mode`` (from a stat, before any open), in the reader's language; None for a regular
    file, and for a folder (its open says so: ``Is a directory``).

    A named pipe (FIFO: ``mkfifo``, ``<(...)``, ``/dev/stdin`` fed by a pipe) waits on its
    open until something writes to it, for ever when nothing does; and a file is read more
    than once (its header, then its rows), which a pipe cannot give. A character device (a
    terminal, ``/dev/null``, ``/dev/zero``) waits for typing, holds nothing or never ends. A
    socket and a block device (a disk) are no file either."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return CsvFileError(_("{file}: cannot be read: it is a named pipe (FIFO), not a file; "
                              "the file is read more than once (its header, then its rows), "
                              "which a pipe cannot give: save the export to a file and give "
                              "its path").format(file=file), path=file)
    if stat.S_ISCHR(mode):
        return CsvFileError(_("{file}: cannot be read: it is a device (a terminal, "
                              "/dev/stdin...), not a file; save the export to a file and give "
                              "its path").format(file=file), path=file)
    if stat.S_ISSOCK(mode):
        return CsvFileError(_("{file}: cannot be read: it is a socket, not a file; give the "
                              "path of the exported file").format(file=file), path=file)
    return CsvFileError(_("{file}: cannot be read: it is a disk (a block device), not a "
                          "file; give the path of the exported file").format(file=file), path=file)


def mapping_unreadable(file: str, exc: OSError) -> MappingError:
    """The error of a mapping file the system cannot open or read (``exc``), in the reader's
    language: ``mapping.toml: cannot read the mapping: Is a directory``."""
    return MappingError(_("{file}: cannot read the mapping: {reason}").format(
        file=file, reason=os_reason(exc)))
