"""clientguard connector for Stripe Billing.

See ``docs/connectors/stripe.md`` for setup, credentials and what is synced.
"""

from clientguard_stripe.connector import StripeConnector, StripeOptions

__all__ = ["StripeConnector", "StripeOptions"]
