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
#: The words of a label typed before the number in a tax-number field (``NIP: 525-244-57-67``,
#: ``VAT Reg. No.: GB 123 4567 89``, ``USt-IdNr.: DE123456789``): the label is not part of the
#: number. A label is, case aside, an optional ``Nr``/``No.``/``Numer`` then a *kind* then any
#: *qualifiers*, each word followed by separators (spaces, ``.``, ``:``, ``#``, ``-``):
#:
#: - kinds: ``NIP``, ``VAT``, ``TAX``, ``TIN``, ``EIN``, ``ABN``, ``GST``, ``UID``, ``NIF``,
#:   ``CIF``, ``USt`` (``USt-IdNr.``, ``USt-ID``);
#: - qualifiers: ``ID``, ``IdNr``, ``UE``/``EU`` (``NIP UE``, ``VAT-EU``), ``Reg``,
#:   ``Registration``, ``Number``, ``Numer``, ``Nr``, ``No``.
#:
#: ``No`` and ``Nr`` are read as a label word only when a ``.``, ``:``, ``#``, ``-`` or a space
#: follows them, and ``No`` not before a Norwegian number's nine digits and ``MVA``: ``VAT
#: NO123456789MVA`` and ``VAT NO 123 456 789 MVA`` keep Norway's prefix ``NO``. ``REGON``
#: (Poland's statistical number), ``KRS`` and ``PESEL`` are not tax numbers and are no label:
#: ``REGON: 012345678`` stays as written, and :func:`comparable_tax_id` reads it as no one's.
_KINDS = r"NIP|VAT|TAX|TIN|EIN|ABN|GST|UID|NIF|CIF|UST"
_QUALIFIERS = r"IDNR|ID|UE|EU|REGISTRATION|REG|NUMBER|NUMER"
#: ``No`` or ``Nr`` as a word: a delimiter after it, and not Norway's ``NO`` before its number.
_NO_WORD = r"N[OR](?=[.:#\-]|\s)(?![\s.:#\-]*(?:\d[\s.\-]*){9}MVA\b)"
_GAP = r"[\s.:#\-]*"
_LABEL = re.compile(
    rf"^\s*(?:(?:NUMER|{_NO_WORD}){_GAP})?(?:{_KINDS})"
    rf"(?:{_GAP}(?:{_QUALIFIERS}|{_NO_WORD}))*{_GAP}",
    re.IGNORECASE,
)
#: A Polish NIP: ten digits, bare or with the country prefix of its EU VAT form.
_NIP = re.compile(r"^(?:PL)?(\d{10})$")
#: Greece's VAT numbers: ``EL`` in the EU's VAT system (VIES, Stripe's ``eu_vat``), ``GR`` (its
#: ISO country code) where a tool puts the country code in front: the same number.
_GREEK = re.compile(r"^GR(\d{9})$")
#: The fewest digits of a real tax number: Ireland's (``IE1234567W``) has seven, most have more.
_MIN_DIGITS = 7
#: The prefixes of VAT numbers a number is compared with: the EU's member states as VIES
#: writes them (Greece ``EL``), Northern Ireland ``XI``, the UK ``GB`` and Norway ``NO``.
_PREFIXES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
             "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
             "GB", "NO")
#: What a number that identifies someone looks like once normalised: digits, bare or after
#: one of :data:`_PREFIXES`; or one of the VAT numbers that hold letters besides the prefix,
#: in their states' formats (as VIES and the tax offices publish them): Austria ``ATU`` and 8
#: digits; Cyprus 8 digits and a letter; Spain a letter or digit, 7 digits, a letter or digit
#: (its NIF/CIF, also without ``ES``); France two check characters (no ``I`` or ``O``) and the
#: 9-digit SIREN; Ireland 7 digits and one or two letters (also without ``IE``; its old form,
#: with six digits, is shorter than :data:`_MIN_DIGITS` allows); the Netherlands 9 digits,
#: ``B`` and 2 digits; Norway 9 digits and ``MVA`` (also without ``NO``); Switzerland ``CHE``,
#: 9 digits and ``MWST``/``TVA``/``IVA``. Anything else (a label left in, ``NR5252445767``,
#: ``REGON:012345678``, a ``:`` or ``#``) is no one's number.
_IDENTIFYING = re.compile(
    rf"(?:{'|'.join(_PREFIXES)})?\d+"
    r"|ATU\d{8}|CY\d{8}[A-Z]|(?:ES)?[A-Z0-9]\d{7}[A-Z0-9]|FR[A-HJ-NP-Z0-9]{2}\d{9}"
    r"|(?:IE)?\d{7}[A-Z]{1,2}|NL\d{9}B\d{2}|(?:NO)?\d{9}MVA"
    r"|CHE\d{9}(?:MWST|TVA|IVA)?"
)


def normalise_tax_id(text: str | None, *, nip: bool = True) -> str | None:
    """``text`` in the canonical form: upper case, without spaces, dashes, dots or slashes
    (``DE 123.456.789`` -> ``DE123456789``). A Polish NIP, bare or as a VAT number
    (``525-244-57-67``, ``PL 525 244 57 67``, ``NIP: 525-244-57-67``), becomes its ten digits
    ``5252445767``. A label typed before the number (``NIP:``, ``VAT Reg. No.:``; the grammar is
    :data:`_LABEL`'s) is dropped; a Greek
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
    passes the NIP's check digit, as every repeated digit does), a NIP whose check digit is
    wrong (``1234567890``: a placeholder or a typo, which the same typo in another tool would
    make look like a match), and what is not shaped like a number (:data:`_IDENTIFYING`):
    letters or punctuation besides a country's prefix and the letters of its VAT format, such
    as a label this module does not know left in front (``Steuer-Nr: DE123456789``), which
    would otherwise read as another taxpayer's number and keep one client's two customers
    apart."""
    cleaned = normalise_tax_id(text)
    if cleaned is None or not _IDENTIFYING.fullmatch(cleaned):
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
