"""The names of what the late-payment law grants, as each law writes them, in the reader's
language.

Polish law names them in Polish (ustawa z dnia 8 marca 2013 r. o przeciwdziałaniu nadmiernym
opóźnieniom w transakcjach handlowych, Dz.U. 2023 poz. 1790): "odsetki ustawowe za opóźnienie
w transakcjach handlowych" (art. 7 ust. 1) and "rekompensata za koszty odzyskiwania
należności" (art. 10 ust. 1). A Polish reader gets those words exactly; an English reader their
English rendering with the act named. The EU directive (2011/7/EU, arts. 3, 4 and 6) and the UK
act (Late Payment of Commercial Debts (Interest) Act 1998, ss. 1 and 5A) likewise.
"""

from __future__ import annotations

from typing import NamedTuple

from clientguard.i18n import gettext as _
from clientguard.policy import Jurisdiction

__all__ = ["LegalNames", "legal_names"]


class LegalNames(NamedTuple):
    """What one jurisdiction's late-payment law grants, named as it names them."""

    interest: str
    """The statutory interest."""
    compensation: str
    """The fixed compensation, with the article that grants it."""
    act: str
    """The law itself, as it is cited."""


def legal_names(jurisdiction: Jurisdiction) -> LegalNames:
    """The legal names of the statutory interest, the fixed compensation and the act of
    ``jurisdiction`` (``pl``, ``eu``, ``uk``) in the active language.

    Raises ``ValueError`` for a jurisdiction without a late-payment law.
    """
    if jurisdiction == "pl":
        return LegalNames(
            interest=_("statutory interest for delay in commercial transactions"),
            compensation=_(
                "compensation for the costs of recovering the debt, art. 10 of the Act on "
                "Counteracting Excessive Delays in Commercial Transactions"
            ),
            act=_(
                "Act of 8 March 2013 on Counteracting Excessive Delays in Commercial "
                "Transactions (Journal of Laws 2023, item 1790)"
            ),
        )
    if jurisdiction == "eu":
        return LegalNames(
            interest=_("statutory interest for late payment (Directive 2011/7/EU, art. 3-4)"),
            compensation=_("compensation for recovery costs, art. 6 of Directive 2011/7/EU"),
            act=_("Directive 2011/7/EU on combating late payment in commercial transactions"),
        )
    if jurisdiction == "uk":
        return LegalNames(
            interest=_(
                "statutory interest under the Late Payment of Commercial Debts (Interest) Act "
                "1998"
            ),
            compensation=_(
                "fixed sum for the cost of recovering the debt, section 5A of the Late Payment "
                "of Commercial Debts (Interest) Act 1998"
            ),
            act=_("Late Payment of Commercial Debts (Interest) Act 1998"),
        )
    raise ValueError(
        f"no late-payment law for jurisdiction {jurisdiction!r}: use one of pl, eu, uk"
    )
