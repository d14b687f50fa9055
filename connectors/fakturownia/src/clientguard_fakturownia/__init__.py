"""clientguard connector for Fakturownia (InvoiceOcean).

See ``docs/connectors/fakturownia.md`` for setup, credentials and what is synced.
"""

from clientguard_fakturownia.connector import FakturowniaConnector, FakturowniaOptions

__version__ = "0.1.0"

__all__ = ["FakturowniaConnector", "FakturowniaOptions", "__version__"]
