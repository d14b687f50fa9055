"""The errors of the CSV connector, on clientguard's exception tree."""

from __future__ import annotations

from clientguard.errors import ConfigError, ConnectorError, ErrorContext

__all__ = ["CsvFileError", "MappingError"]


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
