"""clientguard connector for Harvest (API v2): time entries with their client.

See ``docs/connectors/harvest.md`` for setup, credentials and what is synced.
"""

from clientguard_harvest.connector import HarvestConnector, HarvestOptions

__version__ = "0.1.0"

__all__ = ["HarvestConnector", "HarvestOptions", "__version__"]
