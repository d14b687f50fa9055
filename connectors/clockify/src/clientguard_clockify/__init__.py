"""clientguard connector for Clockify: a workspace's time entries with their client.

See ``docs/connectors/clockify.md`` for setup, credentials and what is synced.
"""

from clientguard_clockify.connector import ClockifyConnector, ClockifyOptions

__version__ = "0.1.0"

__all__ = ["ClockifyConnector", "ClockifyOptions", "__version__"]
