"""clientguard: tells a small business when a client has become bad business."""

from clientguard.errors import ClientguardError, DataError
from clientguard.ledger import Ledger, LoadReport, Location, Rejection
from clientguard.model import (
    Allocation,
    CreditNote,
    Customer,
    Invoice,
    Payment,
    TimeEntry,
    WorkRequest,
)
from clientguard.money import FxTable

__version__ = "0.1.0"

__all__ = [
    "Allocation",
    "ClientguardError",
    "CreditNote",
    "Customer",
    "DataError",
    "FxTable",
    "Invoice",
    "Ledger",
    "LoadReport",
    "Location",
    "Payment",
    "Rejection",
    "TimeEntry",
    "WorkRequest",
    "__version__",
]
