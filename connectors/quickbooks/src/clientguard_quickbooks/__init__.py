"""clientguard connector for QuickBooks Online.

See ``docs/connectors/quickbooks.md`` for setup, credentials and what is synced.
"""

from clientguard_quickbooks.connector import QuickBooksConnector, QuickBooksOptions

__version__ = "0.1.0"

__all__ = ["QuickBooksConnector", "QuickBooksOptions", "__version__"]
