"""clientguard-xero: the Xero connector of clientguard.

Installed, it registers as ``xero`` under the ``clientguard.connectors`` entry-point group::

    import clientguard as cg

    conn = cg.connectors.load("xero")(tenant_id="...", access_token="...")
    ledger = cg.Ledger.from_connector(conn, base_currency="GBP", strict=False)
"""

from clientguard_xero.connector import XeroConnector, XeroOptions

__version__ = "0.1.0"

__all__ = ["XeroConnector", "XeroOptions", "__version__"]
