"""Tax and VAT numbers in the one form every connector writes into ``Customer.tax_id``.

The same client is a Fakturownia client card with ``tax_no: "525-244-57-67"`` and a Stripe
customer with an ``eu_vat`` tax id ``"PL 525 244 57 67"``. Written the same way, the two
customers can be matched by their tax id; so a connector that reads a tax number passes it
through :func:`normalise_tax_id`, and no connector keeps rules of its own.
"""

from __future__ import annotations

import re

__all__ = ["is_valid_nip", "normalise_tax_id"]

#: What people put between the groups of a number: spaces, dashes, dots and slashes.
_SEPARATORS = re.compile(r"[\s\-./]")
#: A Polish NIP: ten digits, bare or with the country prefix of its EU VAT form.
_NIP = re.compile(r"^(?:PL)?(\d{10})$")


def normalise_tax_id(text: str | None, *, nip: bool = True) -> str | None:
    """``text`` in the canonical form: upper case, without spaces, dashes, dots or slashes
    (``DE 123.456.789`` -> ``DE123456789``). A Polish NIP, bare or as a VAT number
    (``525-244-57-67``, ``PL 525 244 57 67``), becomes its ten digits ``5252445767``.

    ``nip=False`` where the source says the number is of another kind (Fakturownia's
    ``tax_no_kind`` ``PESEL``): it is only cleaned, its prefix kept. None, or nothing left
    after cleaning, gives None.
    """
    if text is None:
        return None
    cleaned = _SEPARATORS.sub("", text).upper()
    if not cleaned:
        return None
    match = _NIP.match(cleaned) if nip else None
    return match.group(1) if match else cleaned


#: The weights of a NIP's first nine digits; their weighted sum modulo 11 is the tenth digit.
_NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)


def is_valid_nip(text: str) -> bool:
    """True when ``text`` (in any form :func:`normalise_tax_id` reads) is a Polish NIP whose
    check digit is right: the sum of the first nine digits times 6, 5, 7, 2, 3, 4, 5, 6, 7,
    modulo 11, is the tenth (a sum leaving 10 is never issued)."""
    cleaned = normalise_tax_id(text)
    if cleaned is None or not re.fullmatch(r"\d{10}", cleaned):
        return False
    digits = [int(char) for char in cleaned]
    check = sum(w * d for w, d in zip(_NIP_WEIGHTS, digits, strict=False)) % 11
    return check != 10 and check == digits[9]
