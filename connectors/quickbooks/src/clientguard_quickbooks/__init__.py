"""clientguard connector for QuickBooks Online.

See ``docs/connectors/quickbooks.md`` for setup, credentials and what is synced.
"""

from clientguard_quickbooks.connector import QuickBooksConnector, QuickBooksOptions

__all__ = ["QuickBooksConnector", "QuickBooksOptions"]
