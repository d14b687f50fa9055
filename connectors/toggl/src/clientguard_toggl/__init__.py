"""clientguard connector for Toggl Track: a workspace's time entries with their client.

See ``docs/connectors/toggl.md`` for setup, credentials and what is synced.
"""

from clientguard_toggl.connector import TogglConnector, TogglOptions

__version__ = "0.1.0"

__all__ = ["TogglConnector", "TogglOptions", "__version__"]
