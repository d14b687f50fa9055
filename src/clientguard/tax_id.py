"""Tax and VAT numbers in the one form every connector writes into ``Customer.tax_id``.

The same client is a Fakturownia client card with ``tax_no: "525-244-57-67"`` and a Stripe
customer with an ``eu_vat`` tax id ``"PL 525 244 57 67"``. Written the same way, the two
customers can be matched by their tax id; so a connector that reads a tax number passes it
through :func:`normalise_tax_id`, and no connector keeps rules of its own.
"""

from __future__ import annotations

import re

__all__ = ["comparable_tax_id", "is_valid_nip", "normalise_tax_id"]

#: What people put between the groups of a number: spaces, dashes, dots and slashes.
_SEPARATORS = re.compile(r"[\s\-./]")
#: A label typed before the number in a tax-number field (``NIP: 525-244-57-67``, ``VAT ID
#: DE123456789``): the label is not part of the number.
_LABEL = re.compile(r"^\s*(?:NIP|VAT(?:[\s\-.]*(?:ID|NO|NUMBER|REG(?:ISTRATION)?))?)\s*[:#]?\s*",
                    re.IGNORECASE)
#: A Polish NIP: ten digits, bare or with the country prefix of its EU VAT form.
_NIP = re.compile(r"^(?:PL)?(\d{10})$")
#: Greece's VAT numbers: ``EL`` in the EU's VAT system (VIES, Stripe's ``eu_vat``), ``GR`` (its
#: ISO country code) where a tool puts the country code in front: the same number.
_GREEK = re.compile(r"^GR(\d{9})$")
#: The fewest digits of a real tax number: Ireland's (``IE1234567W``) has seven, most have more.
_MIN_DIGITS = 7


def normalise_tax_id(text: str | None, *, nip: bool = True) -> str | None:
    """``text`` in the canonical form: upper case, without spaces, dashes, dots or slashes
    (``DE 123.456.789`` -> ``DE123456789``). A Polish NIP, bare or as a VAT number
    (``525-244-57-67``, ``PL 525 244 57 67``, ``NIP: 525-244-57-67``), becomes its ten digits
    ``5252445767``. A label typed before the number (``NIP:``, ``VAT ID``) is dropped; a Greek
    VAT number written with the ISO code ``GR`` is written with the EU's ``EL``.

    ``nip=False`` where the source says the number is of another kind (Fakturownia's
    ``tax_no_kind`` ``PESEL``): it is only cleaned, its prefix kept. None, or nothing left
    after cleaning, gives None.
    """
    if text is None:
        return None
    cleaned = _SEPARATORS.sub("", _LABEL.sub("", text, count=1)).upper()
    if not cleaned:
        return None
    match = _NIP.match(cleaned) if nip else None
    if match:
        return match.group(1)
    greek = _GREEK.match(cleaned)
    return f"EL{greek.group(1)}" if greek else cleaned


def comparable_tax_id(text: str | None) -> str | None:
    """``text`` in the canonical form (:func:`normalise_tax_id`) where it can tell two
    taxpayers apart, else None: so that two customers are matched by tax id only on a number
    that identifies someone.

    None for what is typed where there is no number (``brak``, ``n/a``, ``-``), fewer than
    seven digits (no VAT number is that short), one digit repeated (``0000000000``, which
    passes the NIP's check digit, as every repeated digit does), and a NIP whose check digit
    is wrong (``1234567890``: a placeholder or a typo, which the same typo in another tool
    would make look like a match)."""
    cleaned = normalise_tax_id(text)
    if cleaned is None:
        return None
    digits = "".join(char for char in cleaned if char.isdigit())
    if len(digits) < _MIN_DIGITS or len(set(digits)) == 1:
        return None
    if _NIP.match(cleaned) and not is_valid_nip(cleaned):
        return None
    return cleaned


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
