"""Foresight: when each open invoice will be paid (:func:`forecast`), learned from the ledger's
own history as of a date, and the rolling-origin evaluation of it (:func:`backtest`).

docs/forecast.md describes the model, its backtest and where it lands.
"""

from __future__ import annotations

from clientguard.forecast.evaluation import Backtest, Scores, backtest, monthly_origins
from clientguard.forecast.model import Model, forecast, learn, paid_by_client
from clientguard.forecast.outlook import CashWeek, ClientOutlook, Forecast, InvoiceForecast

__all__ = [
    "Backtest",
    "CashWeek",
    "ClientOutlook",
    "Forecast",
    "InvoiceForecast",
    "Model",
    "Scores",
    "backtest",
    "forecast",
    "learn",
    "monthly_origins",
    "paid_by_client",
]
