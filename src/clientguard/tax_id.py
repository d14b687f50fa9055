"""Tax and VAT numbers in the one form every connector writes into ``Customer.tax_id``.

The same client is a Fakturownia client card with ``tax_no: "525-244-57-67"`` and a Stripe
customer with an ``eu_vat`` tax id ``"PL 525 244 57 67"``. Written the same way, the two
customers can be matched by their tax id; so a connector that reads a tax number passes it
through :func:`normalise_tax_id`, and no connector keeps rules of its own.
"""

from __future__ import annotations

import re

__all__ = [
    "comparable_tax_id", "country_code", "is_valid_nip", "normalise_tax_id", "same_taxpayer",
    "taxpayer_number",
]

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
#: follows them, and ``No`` not before a Norwegian number's nine digits (``MVA`` or not):
#: ``VAT NO123456789MVA``, ``VAT NO 123 456 789 MVA`` and ``VAT: NO 123456789`` keep Norway's
#: prefix ``NO``; ``EU`` is no qualifier before an OSS number's nine digits (``VAT:
#: EU372000041`` keeps ``EU``). ``REGON``
#: (Poland's statistical number), ``KRS`` and ``PESEL`` are not tax numbers and are no label:
#: ``REGON: 012345678`` stays as written, and :func:`comparable_tax_id` reads it as no one's.
_KINDS = r"NIP|VAT|TAX|TIN|EIN|ABN|GST|UID|NIF|CIF|UST"
#: A Norwegian number ahead: nine digits (spaces, dots, dashes between), then ``MVA`` or the
#: end. ``No`` before it is Norway's prefix, not the label word (``VAT: NO 974 760 673``).
_NORWEGIAN_AHEAD = r"[\s.:#\-]*(?:\d[\s.\-]*){9}(?:MVA)?[\s.]*$"
#: An EU OSS number ahead (``EU`` and nine digits): ``EU`` before it is its prefix, not the
#: label's qualifier (``VAT: EU372000041``).
_OSS_AHEAD = r"[\s.\-]*(?:\d[\s.\-]*){9}[\s.]*$"
_QUALIFIERS = rf"IDNR|ID|UE|EU(?!{_OSS_AHEAD})|REGISTRATION|REG|NUMBER|NUMER"
#: ``No`` or ``Nr`` as a word: a delimiter after it, and ``No`` not Norway's prefix before its
#: number.
_NO_WORD = rf"(?:NR|NO(?!{_NORWEGIAN_AHEAD}))(?=[.:#\-]|\s)"
_GAP = r"[\s.:#\-]*"
_LABEL = re.compile(
    rf"^\s*(?:(?:NUMER|{_NO_WORD}){_GAP})?(?:{_KINDS})"
    rf"(?:{_GAP}(?:{_QUALIFIERS}|{_NO_WORD}))*{_GAP}",
    re.IGNORECASE,
)
#: A label saying the number after it is a Norwegian organisation number: ``Org.nr.``,
#: ``Org. nr``, ``orgnr``, ``organisasjonsnummer`` (case aside). Nine bare digits are
#: Norway's only with it, with ``NO`` before them, ``MVA`` after them or a customer in ``NO``.
_NORWEGIAN_LABEL = re.compile(
    r"^\s*org(?:anisasjons)?[\s.]*n(?:umme)?r\b[\s.:#\-]*", re.IGNORECASE)
#: A Polish NIP: ten digits, bare or with the country prefix of its EU VAT form.
_NIP = re.compile(r"^(?:PL)?(\d{10})$")
#: Greece's VAT numbers: ``EL`` in the EU's VAT system (VIES, Stripe's ``eu_vat``), ``GR`` (its
#: ISO country code) where a tool puts the country code in front: the same number.
_GREEK = re.compile(r"^GR(\d{9})$")
#: The fewest digits of a real tax number: Ireland's (``IE1234567W``) has seven, most have more.
_MIN_DIGITS = 7
#: The number after each VAT prefix a number is compared with, in its state's format as VIES
#: publishes it (the EU's member states, Greece ``EL``, Northern Ireland ``XI``), and the UK
#: ``GB``, Norway ``NO`` (nine digits, its ``MVA`` optional) and ``EU`` (the One-Stop-Shop
#: number of a seller outside the EU: nine digits). Belgium's old form has nine digits (a
#: ``0`` was put in front in 2005); Romania's has 2 to 10 (fewer than :data:`_MIN_DIGITS`
#: identify no one); Ireland's old form with six digits is shorter than :data:`_MIN_DIGITS`
#: allows; the UK's ``GD``/``HA`` numbers (government, health) too.
_VAT_FORMATS: dict[str, re.Pattern[str]] = {
    prefix: re.compile(number) for prefix, number in {
        "AT": r"U\d{8}", "BE": r"[01]?\d{9}", "BG": r"\d{9,10}", "CY": r"\d{8}[A-Z]",
        "CZ": r"\d{8,10}", "DE": r"\d{9}", "DK": r"\d{8}", "EE": r"\d{9}", "EL": r"\d{9}",
        "ES": r"[A-Z0-9]\d{7}[A-Z0-9]", "FI": r"\d{8}", "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}",
        "HR": r"\d{11}", "HU": r"\d{8}", "IE": r"\d{7}[A-Z]{1,2}", "IT": r"\d{11}",
        "LT": r"\d{9}|\d{12}", "LU": r"\d{8}", "LV": r"\d{11}", "MT": r"\d{8}",
        "NL": r"\d{9}B\d{2}", "PL": r"\d{10}", "PT": r"\d{9}", "RO": r"\d{2,10}",
        "SE": r"\d{12}", "SI": r"\d{8}", "SK": r"\d{10}", "XI": r"\d{9}|\d{12}",
        "GB": r"\d{9}|\d{12}", "NO": r"\d{9}(?:MVA)?", "EU": r"\d{9}", "US": r"\d{9}",
    }.items()
}
#: A Swiss UID: ``CHE`` and nine digits, the VAT number's language suffix (``MWST``, ``TVA``,
#: ``IVA``: one number) optional.
_SWISS = re.compile(r"(CHE\d{9})(?:MWST|TVA|IVA)?")
#: The shapes of a number typed without its prefix whose letters can say its state: Ireland's
#: (7 digits and one or two letters), Spain's NIF/CIF (a letter or digit, 7 digits, a letter
#: or digit; a letter in it), Austria's (``U`` and 8 digits), Cyprus's (8 digits and a letter)
#: and Norway's (9 digits and ``MVA``). A bare number is that state's only where one state's
#: shape fits it: ``6388047V`` is Ireland's, ``B12345674`` Spain's; ``U12345678`` (Austria's,
#: or a Spanish CIF of a ``U`` company) and ``12345678Z`` (a Spanish DNI's NIF, or Cyprus's)
#: fit two, and are compared only with the same bare number.
_BARE_SHAPES: dict[str, re.Pattern[str]] = {
    prefix: re.compile(shape) for prefix, shape in {
        "IE": r"\d{7}[A-Z]{1,2}", "ES": r"(?=.*[A-Z])[A-Z0-9]\d{7}[A-Z0-9]", "AT": r"U\d{8}",
        "CY": r"\d{8}[A-Z]", "NO": r"\d{9}MVA",
    }.items()
}
#: The VAT prefix of a customer's country (its ISO 3166 code), where the two differ: Greece.
_PREFIX_OF_COUNTRY = {"GR": "EL"}
#: A Norwegian organisation number's first digit: Brønnøysundregistrene issues them in the
#: series starting with 8 and 9 (974760673, 923609016); a phone number starts with any digit.
_NORWEGIAN_FIRST = "89"
#: A US EIN as typed (``12-3456789``): nine digits with no check digit, so the form says it.
_EIN = re.compile(r"\s*\d{2}-\d{7}\s*")


def normalise_tax_id(
    text: str | None, *, nip: bool = True, country: str | None = None
) -> str | None:
    """``text`` in the canonical form: upper case, without spaces, dashes, dots or slashes
    (``DE 123.456.789`` -> ``DE123456789``). A Polish NIP, bare or as a VAT number
    (``525-244-57-67``, ``PL 525 244 57 67``, ``NIP: 525-244-57-67``), becomes its ten digits
    ``5252445767``. A label typed before the number (``NIP:``, ``VAT Reg. No.:``; the grammar is
    :data:`_LABEL`'s) is dropped; a Greek
    VAT number written with the ISO code ``GR`` is written with the EU's ``EL``.

    ``country`` is the customer's country as its source gives it (an ISO 3166 code, ``DE``):
    a number typed without its VAT prefix in a field for a tax id is given the country's
    prefix where it has that state's VAT format (:data:`_VAT_FORMATS`): ``136695976`` of a
    customer in ``DE`` is ``DE136695976``, ``U12345678`` in ``AT`` is ``ATU12345678``, in
    ``GR`` the prefix is ``EL``; in ``US`` nine digits are ``US`` and the EIN's digits (so
    never Norway's). A number with a prefix keeps it (``ATU12345678`` of a customer in
    ``DE``), one that does not fit the format is left as typed (a German ``Steuernummer`` of
    ten or eleven digits is no VAT number); a country's Polish or English name is its code
    (:func:`country_code`: ``Niemcy``, ``Germany``), another name adds nothing. Without a
    country a bare number stays bare: only its shape can say its state
    (:func:`comparable_tax_id`). A Norwegian label (``Org.nr.``, ``organisasjonsnummer``:
    :data:`_NORWEGIAN_LABEL`) says the country is ``NO``: ``Org.nr. 974 760 673`` is
    ``NO974760673``.

    ``nip=False`` where the source says the number is of another kind (Fakturownia's
    ``tax_no_kind`` ``PESEL``): it is only cleaned, its prefix kept, no country added. None,
    or nothing left after cleaning, gives None.
    """
    if text is None:
        return None
    norwegian = _NORWEGIAN_LABEL.match(text)
    if norwegian:
        text, country = text[norwegian.end():], "NO"
    cleaned = _SEPARATORS.sub("", _LABEL.sub("", text, count=1)).upper()
    if not cleaned:
        return None
    if (nip or norwegian) and country:
        cleaned = _with_country(cleaned, country)
    match = _NIP.match(cleaned) if nip else None
    if match:
        return match.group(1)
    greek = _GREEK.match(cleaned)
    return f"EL{greek.group(1)}" if greek else cleaned


def _with_country(cleaned: str, country: str) -> str:
    """``cleaned`` with the VAT prefix of ``country`` (an ISO 3166 code) where it has none and
    has that state's format; as it is otherwise (:func:`normalise_tax_id`)."""
    code = country_code(country)
    if code is None:
        return cleaned
    prefix = _PREFIX_OF_COUNTRY.get(code, code)
    form = _VAT_FORMATS.get(prefix)
    if form is None or cleaned[:2] in _VAT_FORMATS or cleaned.startswith("CHE"):
        return cleaned
    if not form.fullmatch(cleaned) or (prefix == "NO" and not _is_norwegian(cleaned[:9])):
        return cleaned
    return f"{prefix}{cleaned}"


def comparable_tax_id(text: str | None) -> str | None:
    """``text`` in the form two writings of one number share, where it can tell two
    taxpayers apart, else None: so that two customers are matched by tax id only on a number
    that identifies someone, and one number written two ways is one taxpayer.

    The form keeps the number's state: a VAT number is compared with its prefix
    (:data:`_VAT_FORMATS`), so that two states' numbers of the same digits are two taxpayers
    (``DK12345678``, ``MT12345678`` and ``FI12345678``; ``IT12345678903``, ``HR12345678903``,
    ``LV12345678903`` and ``FR12345678903``; ``SE123456789001``, ``LT123456789001`` and
    ``GB123456789001``). Poland's is its NIP's ten digits (:func:`normalise_tax_id` drops
    ``PL``); Greece's ``GR`` is ``EL``, Northern Ireland's ``XI`` the UK's ``GB``, Belgium's old
    nine digits have their ``0``; Norway's ``NO974760673MVA``, ``974760673MVA``, ``974760673``
    and ``NO 974760673`` are ``NO974760673``; a Swiss UID is compared without its language
    suffix (``CHE116281710MWST``, ``...TVA`` and ``CHE116281710`` are ``CHE116281710``); an OSS
    number keeps ``EU``.

    A number typed without its prefix is a state's where its shape is that state's only: a
    NIP (ten digits whose check digit is right), Norway's (nine digits and ``MVA``, starting
    with 8 or 9, the check digit right), Ireland's (``6388047V`` is ``IE6388047V``), Spain's
    with a letter first (``B12345674`` is ``ESB12345674``). Else its form says no state:
    ``12345678`` is not written ``DK12345678`` (eight digits are Denmark's, Finland's,
    Hungary's, Luxembourg's, Malta's, Slovenia's, ...), nor ``U12345678`` Austria's (a
    Spanish CIF has that shape) nor ``12345678Z`` Spain's (Cyprus's has it); it is one
    taxpayer with the same number of any state all the same (:func:`same_taxpayer`). The
    source that knows the customer's country writes the prefix (:func:`normalise_tax_id`'s
    ``country``). Bare nine digits are no one's unless a US EIN typed as one (``12-3456789``
    is ``US123456789``): ``136695976`` (Germany's typed without ``DE``), ``600 123 456`` and
    ``914 345 502`` (Polish phone numbers; the second passes Norway's check digit, as one in
    eleven does) and ``974 760 673`` (Norway's without ``NO``, ``MVA``, a Norwegian label or
    a customer in ``NO``) identify no one, so the names decide, as for a missing tax id; bare
    eight, eleven or twelve digits identify someone.

    None for what is typed where there is no number (``brak``, ``n/a``, ``-``), fewer than
    seven digits (no VAT number is that short), one digit repeated (``0000000000``, which
    passes the NIP's check digit, as every repeated digit does), a NIP whose check digit is
    wrong (``1234567890``: a placeholder or a typo, which the same typo in another tool would
    make look like a match), a prefix followed by more or fewer digits than its state's
    format has (an IBAN, ``PL61109010140000071219812874``; ``No. 5252445767`` read as Norway's
    with ten digits), and what is not shaped like a number: letters or punctuation besides a
    country's prefix and the letters of its VAT format, such as a label this module does not
    know left in front (``Steuer-Nr: DE123456789``), which would otherwise read as another
    taxpayer's number and keep one client's two customers apart."""
    cleaned = normalise_tax_id(text)
    if cleaned is None:
        return None
    number = _national(cleaned, text or "")
    if number is None:
        return None
    digits = "".join(char for char in number if char.isdigit())
    if len(digits) < _MIN_DIGITS or len(set(digits)) == 1:
        return None
    if _NIP.match(cleaned) and not is_valid_nip(cleaned):
        return None
    return number


def _national(cleaned: str, typed: str) -> str | None:
    """The comparable form of ``cleaned`` (:func:`normalise_tax_id`'s), before the checks of
    digits every form shares; None for no tax number's shape. ``typed`` is the text as typed,
    for a form that says what it is (an EIN's dash)."""
    swiss = _SWISS.fullmatch(cleaned)
    if swiss:
        return swiss.group(1)
    if cleaned.isdigit():
        return _bare_digits(cleaned, typed)
    prefix, number = cleaned[:2], cleaned[2:]
    form = _VAT_FORMATS.get(prefix)
    if form is None:
        return _bare_with_letters(cleaned)
    if not form.fullmatch(number):
        return None
    if prefix == "NO":
        number = number.removesuffix("MVA")
        if not _is_norwegian(number):
            return None  # a phone number's nine digits in a Norwegian customer's tax field
    if prefix == "BE" and len(number) == 9:
        number = f"0{number}"
    # Northern Ireland's numbers are the UK's (XI for trade under the Windsor Framework).
    return f"{'GB' if prefix == 'XI' else prefix}{number}"


def _bare_with_letters(cleaned: str) -> str | None:
    """A number with letters and no prefix: the state's whose shape alone fits it
    (:data:`_BARE_SHAPES`), as typed where two states' do, None where none does."""
    states = [prefix for prefix, shape in _BARE_SHAPES.items() if shape.fullmatch(cleaned)]
    if not states:
        return None
    if len(states) > 1:
        return cleaned
    number = cleaned.removesuffix("MVA")
    if states[0] == "NO" and not _is_norwegian(number):
        return None
    return f"{states[0]}{number}"


def _bare_digits(digits: str, typed: str) -> str | None:
    """The comparable form of ``digits`` typed without a prefix (:func:`comparable_tax_id`):
    a NIP (ten, whose check digit is checked for every form of it) and a number of 8, 11 or
    12 digits as they are, a US EIN typed as one (``12-3456789``) with ``US``; None for
    another length, and for nine digits otherwise: a Polish phone or REGON, Germany's or
    Norway's number typed without its prefix (nothing says which)."""
    if len(digits) in (8, 10, 11, 12):
        return digits
    if len(digits) == 9 and _EIN.fullmatch(_LABEL.sub("", typed, count=1)):
        return f"US{digits}"
    return None


#: The weights of a Norwegian organisation number's first eight digits (mod 11).
_NORWAY_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def _is_norwegian(digits: str) -> bool:
    """Whether nine digits are shaped as a Norwegian organisation number: the first 8 or 9
    (:data:`_NORWEGIAN_FIRST`), the last the check digit: 11 minus the weighted sum of the
    first eight modulo 11 (11 is 0; 10 is never issued)."""
    total = sum(w * int(d) for w, d in zip(_NORWAY_WEIGHTS, digits, strict=False))
    check = (11 - total % 11) % 11
    return digits[0] in _NORWEGIAN_FIRST and check != 10 and check == int(digits[8])


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


def same_taxpayer(a: str | None, b: str | None) -> bool | None:
    """Whether two comparable tax ids (:func:`comparable_tax_id`'s forms) are one taxpayer as
    far as the numbers tell: True, False (two taxpayers), or None (unknown: either is None, a
    number that identifies no one).

    Two numbers are one taxpayer when their numbers (:func:`taxpayer_number`) are equal and
    their states do not contradict: a number typed without its prefix, whose state nothing
    says (``12345678``, ``12345678903``, ``U12345678``), is one taxpayer with the same number
    of any state (``DK12345678``, ``IT12345678903``, ``ATU12345678``), and two prefixed
    numbers are one only in one state (``DK12345678`` and ``MT12345678`` are two). Other
    numbers are two taxpayers. One bare number may be one with two states' numbers that are
    two with each other: :class:`clientguard.taxpayers.OneClient` never puts those in one
    client."""
    if a is None or b is None:
        return None
    if a == b:
        return True
    state_a, number_a = _state_and_number(a)
    state_b, number_b = _state_and_number(b)
    if number_a != number_b:
        return False
    return state_a is None or state_b is None or state_a == state_b


def taxpayer_number(comparable: str) -> str:
    """A comparable tax id's number without its state (``DK12345678`` -> ``12345678``,
    ``ATU12345678`` -> ``U12345678``, ``CHE116281710`` -> ``116281710``, a NIP its ten
    digits): the key under which :func:`same_taxpayer` can find it one taxpayer with
    another."""
    return _state_and_number(comparable)[1]


def _state_and_number(comparable: str) -> tuple[str | None, str]:
    """The state of a comparable tax id (its VAT prefix, ``CH`` for a Swiss UID, ``PL`` for a
    NIP's ten digits; None where it was typed without one and its shape says none) and its
    number after the prefix."""
    if comparable.startswith("CHE"):
        return "CH", comparable[3:]
    if comparable.isdigit():
        return ("PL" if len(comparable) == 10 else None), comparable
    prefix, number = comparable[:2], comparable[2:]
    form = _VAT_FORMATS.get(prefix)
    if form is not None and form.fullmatch(number):
        return prefix, number
    return None, comparable


#: Country names a source may give instead of an ISO 3166 code (Fakturownia's
#: ``buyer_country`` as typed on a document: ``Niemcy``, ``Germany``), in Polish and English,
#: lower case: the EU's states, the EEA's others, the UK, Switzerland and the US. A name not
#: here (or one of two countries) gives no code.
_COUNTRY_NAMES: dict[str, str] = {
    name: code for code, names in {
        "AT": ("austria",), "BE": ("belgia", "belgium"), "BG": ("bułgaria", "bulgaria"),
        "CY": ("cypr", "cyprus"), "CZ": ("czechy", "czechia", "czech republic"),
        "DE": ("niemcy", "germany"), "DK": ("dania", "denmark"), "EE": ("estonia",),
        "GR": ("grecja", "greece"), "ES": ("hiszpania", "spain"),
        "FI": ("finlandia", "finland"), "FR": ("francja", "france"),
        "HR": ("chorwacja", "croatia"), "HU": ("węgry", "hungary"),
        "IE": ("irlandia", "ireland"), "IT": ("włochy", "italy"), "LT": ("litwa", "lithuania"),
        "LU": ("luksemburg", "luxembourg"), "LV": ("łotwa", "latvia"), "MT": ("malta",),
        "NL": ("holandia", "niderlandy", "netherlands", "the netherlands"),
        "PL": ("polska", "poland"), "PT": ("portugalia", "portugal"),
        "RO": ("rumunia", "romania"), "SE": ("szwecja", "sweden"),
        "SI": ("słowenia", "slovenia"), "SK": ("słowacja", "slovakia"),
        "NO": ("norwegia", "norway"), "IS": ("islandia", "iceland"),
        "LI": ("liechtenstein",), "CH": ("szwajcaria", "switzerland"),
        "GB": ("wielka brytania", "zjednoczone królestwo", "united kingdom", "great britain"),
        "US": ("stany zjednoczone", "usa", "united states", "united states of america"),
    }.items() for name in names
}


def country_code(country: str | None) -> str | None:
    """The ISO 3166 code of a customer's country as its source gives it: a code (``DE``,
    ``de``) upper case (``UK`` is ``GB``, ``EL`` ``GR``), a Polish or English name
    (:data:`_COUNTRY_NAMES`: ``Niemcy``, ``Germany``, ``Polska``) its code; None for none,
    and for a name the table does not hold."""
    text = " ".join((country or "").split()).casefold()
    if not text:
        return None
    if len(text) == 2 and text.isalpha():
        return _CODE_ALIASES.get(text.upper(), text.upper())
    return _COUNTRY_NAMES.get(text)


#: Two-letter codes in use beside ISO 3166's: ``UK`` for ``GB``, Greece's VAT prefix ``EL``.
_CODE_ALIASES = {"UK": "GB", "EL": "GR"}
