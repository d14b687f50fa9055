"""clientguard: tells a small business when a client has become bad business.

The public API (docs/concepts.md is the guide)::

    import clientguard as cg

    ledger = cg.Ledger.build(records, base_currency="EUR")
    cg.settle(ledger, as_of=d)              # invoice id -> Settlement
    cg.payment_profiles(ledger, as_of=d)    # customer id -> PaymentProfile
    cg.late_payers(ledger, as_of=d)         # chronic and worsening lateness -> [Finding]
    cg.concentration(ledger, as_of=d, basis="revenue")   # -> ConcentrationReport
    cg.review(ledger, as_of=d)              # -> Review: a verdict per client
    cg.connectors.available(); cg.connectors.load("csv")
"""

from clientguard import connectors
from clientguard._version import __version__
from clientguard.connector import (
    Connector,
    ConnectorOptions,
    Page,
    RawPage,
    Skip,
    Stream,
    SyncState,
)
from clientguard.errors import (
    ApiError,
    AuthError,
    ClientguardError,
    ConfigError,
    ConnectorError,
    DataError,
    PluginLoadError,
    RateLimitError,
    StoreError,
    UnknownConnectorError,
)
from clientguard.findings import Evidence, Finding, Severity, Signal
from clientguard.ledger import Adjustment, Ledger, LoadReport
from clientguard.metrics.lateness import PaymentProfile, payment_profiles
from clientguard.model import (
    Allocation,
    CreditNote,
    Customer,
    Invoice,
    Payment,
    Refund,
    TimeEntry,
    WorkRequest,
)
from clientguard.money import FxTable
from clientguard.policy import Policy
from clientguard.records import Location, Rejection
from clientguard.review import (
    BookReview,
    ClientReview,
    DataQuality,
    NoteGroup,
    Recommendation,
    Review,
    Revision,
    Verdict,
    VerdictRule,
    WhatIf,
    review,
)
from clientguard.settlement import Settlement, settle
from clientguard.signals import (
    BUILTIN_SIGNALS,
    ConcentrationReport,
    SignalFunction,
    concentration,
    late_payers,
)

__all__ = [
    "BUILTIN_SIGNALS",
    "Adjustment",
    "Allocation",
    "ApiError",
    "AuthError",
    "BookReview",
    "ClientReview",
    "ClientguardError",
    "ConcentrationReport",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "ConnectorOptions",
    "CreditNote",
    "Customer",
    "DataError",
    "DataQuality",
    "Evidence",
    "Finding",
    "FxTable",
    "Invoice",
    "Ledger",
    "LoadReport",
    "Location",
    "NoteGroup",
    "Page",
    "Payment",
    "PaymentProfile",
    "PluginLoadError",
    "Policy",
    "RateLimitError",
    "RawPage",
    "Recommendation",
    "Refund",
    "Rejection",
    "Review",
    "Revision",
    "Settlement",
    "Severity",
    "Signal",
    "SignalFunction",
    "Skip",
    "StoreError",
    "Stream",
    "SyncState",
    "TimeEntry",
    "UnknownConnectorError",
    "Verdict",
    "VerdictRule",
    "WhatIf",
    "WorkRequest",
    "__version__",
    "concentration",
    "connectors",
    "late_payers",
    "payment_profiles",
    "review",
    "settle",
]
