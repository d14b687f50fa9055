"""How the forecast's sentences read, in English and in Polish: a mean delay that rounds to
zero days is "0 days" (never "-0 days"), and the Polish ``expected_late`` message says what
its amount is (the balance expected to be paid late), as the English one does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from clientguard import i18n
from clientguard.forecast import CashWeek, Forecast, InvoiceForecast
from clientguard.policy import Policy
from clientguard.signals.foresight import flag_expected_late


def prediction(*, mean: float | None = 3.0, trend: float | None = None, p_late: float = 0.5,
               balance: str = "100.00") -> InvoiceForecast:
    """An open invoice due 2024-07-01 (as of 2024-06-30) of a client with 35 paid invoices."""
    return InvoiceForecast(
        invoice_id="INV-1", customer_id="c", due_date=date(2024, 7, 1),
        open_balance_base=Decimal(balance), days_past_due=-1, predicted_on=date(2024, 7, 20),
        low=date(2024, 7, 5), high=date(2024, 8, 2), p_late=p_late, p_late_30=0.1,
        client_weight=0.99, client_invoices=35, client_mean_delay=mean, client_trend=trend,
        pool="not disputed, large", pool_invoices=650, disputed=False, beyond_history=False,
    )


@pytest.mark.parametrize(("lang", "mean", "trend", "expected"), [
    # A mean of -0.3 days rounds to no days: neither early nor late, so no sign.
    ("en", -0.3, None, "35 paid invoices of the client (mean 0 days; weight 99%)"),
    ("en", 0.4, None, "35 paid invoices of the client (mean 0 days; weight 99%)"),
    ("en", -0.4, 2.2, "35 paid invoices of the client (mean 0 days, trend +2 days; weight 99%)"),
    ("en", -0.6, None, "35 paid invoices of the client (mean -1 day; weight 99%)"),
    ("en", 24.2, 16.0, "35 paid invoices of the client (mean +24 days, trend +16 days; "
                       "weight 99%)"),
    # A trend under a day is not worth a word, whatever its sign.
    ("en", 5.0, -0.7, "35 paid invoices of the client (mean +5 days; weight 99%)"),
    ("pl", -0.3, None, "zapłacone faktury klienta: 35 (średnio 0 dni; waga 99%)"),
    ("pl", -0.2, 1.2, "zapłacone faktury klienta: 35 (średnio 0 dni, trend +1 dzień; waga 99%)"),
    ("pl", 2.0, -3.0, "zapłacone faktury klienta: 35 (średnio +2 dni, trend -3 dni; waga 99%)"),
    ("pl", 5.0, None, "zapłacone faktury klienta: 35 (średnio +5 dni; waga 99%)"),
])
def test_a_mean_delay_is_written_with_its_sign_and_never_as_minus_zero(
    lang: str, mean: float, trend: float | None, expected: str
) -> None:
    with i18n.using(lang):
        sentence = prediction(mean=mean, trend=trend).rests_on
    assert sentence.startswith(expected + "; ")
    assert "-0 " not in sentence
    assert "+0 " not in sentence


def one_invoice_forecast(p_late: float, balance: str) -> Forecast:
    week = CashWeek(week=1, start=date(2024, 7, 1), end=date(2024, 7, 7),
                    expected=Decimal(0), low=Decimal(0), high=Decimal(0))
    return Forecast(as_of=date(2024, 6, 30),
                    invoices=(prediction(mean=24.0, p_late=p_late, balance=balance),),
                    clients=(), weeks=(week,), after=Decimal(0), credibility_k=0.5,
                    history=700)


@pytest.mark.parametrize(("lang", "expected"), [
    # 3,000.00 x 0.85 = 2,550.00 expected to be paid late.
    ("en", "Client C: 1 open invoice (2,550.00 EUR expected late) likely to be paid late; "),
    # The amount is the balance expected to come late, not the invoice's: said in Polish too.
    ("pl", "Client C: 1 nieopłacona faktura – prawdopodobnie z zapłatą po terminie "
           "(oczekiwana kwota spóźnionych wpłat: 2\xa0550,00\xa0EUR); najbardziej zagrożona "
           "jest INV-1 z terminem 1 lipca 2024 (prawdopodobieństwo 85%), przewidywana zapłata "
           "20 lipca 2024 (z 80-procentową pewnością między 5 lipca 2024 a 2 sierpnia 2024); "
           "podstawa prognozy: zapłacone faktury klienta: 35 (średnio +24 dni; waga 99%)"),
])
def test_the_expected_late_message_says_what_its_amount_is(lang: str, expected: str) -> None:
    with i18n.using(lang):
        (finding,) = flag_expected_late(one_invoice_forecast(0.85, "3000.00"),
                                        policy=Policy(), names={"c": "Client C"})
    assert finding.evidence.numbers["amount_expected_late"] == Decimal("2550.00")
    assert finding.message.startswith(expected)
