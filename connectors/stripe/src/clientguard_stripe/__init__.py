"""clientguard connector for Stripe Billing.

See ``docs/connectors/stripe.md`` for setup, credentials and what is synced.
"""

from clientguard_stripe.connector import StripeConnector, StripeOptions

__version__ = "0.1.0"

__all__ = ["StripeConnector", "StripeOptions", "__version__"]
