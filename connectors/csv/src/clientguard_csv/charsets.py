"""Which text encoding a CSV export is written in, from its first bytes (``encoding = "auto"``).

A byte-order mark decides (UTF-8, UTF-16 or UTF-32). Without one, the candidates are UTF-8,
cp1250 (Windows Central European: what Polish, Czech and Hungarian accounting programs write)
and cp1252 / Latin-1 (Windows Western European), and each is judged by how *plausible* the text
it makes is, not only by whether it decodes:

* **UTF-8** is the file's encoding when the sample is valid UTF-8, or mostly so (more valid
  multi-byte characters than invalid bytes: a stray byte rejects its row, it does not make the
  file Latin-1), and the characters it makes are plausible. A letter of Cyrillic, Greek,
  Armenian, Hebrew, Arabic or of the phonetic alphabet *right next to a Latin letter* is not:
  it is what a legacy file's upper-case pair becomes when read as UTF-8. ``SPÓŁKA`` in cp1250
  is the bytes ``SP\\xd3\\xa3KA``, and ``\\xd3\\xa3`` is valid UTF-8 for the Cyrillic ``ӣ``
  (``SPӣKA``); ``KSIĘŻYC`` gives ``KSIʯYC``. A genuine UTF-8 file writes such letters in
  words of their own (``ТОВ Київстар``), so a few mixed words among many plausible letters
  (a Latin ``i`` typed inside a Ukrainian word) leave it UTF-8.
* **cp1250 or cp1252** otherwise, told apart by the letters each makes. Both decode almost
  every byte, so validity says nothing; what counts is whether the letters read as the
  alphabet of one language: ``Crème Brûlée`` is French in cp1252 and ``Crčme Brűlée`` (Czech
  ``č`` beside Hungarian ``ű``) in cp1250, while ``Spółka`` in cp1250 is ``Sp³ka`` in cp1252,
  a symbol inside a word. A cp1252 reading of a file with no byte 0x80-0x9F is the Latin-1
  reading, and is named so.

This is a heuristic, and it says when it is unsure (:attr:`Guess.doubt`): two readings score
alike (a single ``ń`` or ``ñ``), or the reading chosen is not the one that decodes. The user
is told how the other encoding would read the file, and to name the encoding in the mapping.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import NamedTuple

__all__ = ["ALPHABETS", "Guess", "detect_encoding", "guess_encoding"]

#: The letters beyond ASCII of the alphabets of the languages whose text cp1250 and cp1252
#: carry (lower case), as their orthographies list them. A reading whose letters fit one of
#: these well is a plausible reading.
ALPHABETS: dict[str, str] = {
    "Polish": "ąćęłńóśźż",
    "Czech": "áčďéěíňóřšťúůýž",
    "Slovak": "áäčďéíĺľňóôŕšťúýž",
    "Hungarian": "áéíóöőúüű",
    "Croatian, Serbian, Slovenian": "čćđšž",
    "Romanian": "ăâîșțşţ",
    "German": "äöüß",
    "Albanian": "çë",
    "French": "àâæçéèêëîïôœùûüÿ",
    "Spanish": "áéíñóúü",
    "Portuguese": "áâãàçéêíóôõú",
    "Italian": "àèéìíîòóùú",
    "Catalan": "àçèéíïòóúü",
    "Dutch": "éëïóöü",
    "Danish, Norwegian": "æøåé",
    "Swedish": "åäöé",
    "Finnish": "äöåšž",
    "Estonian": "äöõüšž",
    "Icelandic": "áðéíóúýþæö",
}

#: A legacy reading must make at least this much of a language (see :func:`_legacy_score`)
#: to be preferred to a file's valid UTF-8: two letters of one alphabet, no symbol in a word.
#: (One letter proves nothing: ``Acmе`` with a Cyrillic ``е`` stays UTF-8.)
_CONVINCING = 2
#: Two legacy readings whose scores differ by less than this are a toss-up (a single ``ñ``
#: against a single ``ń``): the guess says so.
_CLEAR_MARGIN = 2

_NON_ASCII = re.compile("[^\x00-\x7f]")
#: What a UTF-8 reading must hold for :func:`_odd` to find anything, or to have invalid bytes.
_SUSPECT = re.compile("[\x80-\x9f\u0280-\u07ff\udc80-\udcff]")
#: Where the tokens of a line end: the delimiters, quotes and spaces, all ASCII, so that two
#: readings of one line split into tokens that pair up.
_TOKEN_ENDS = re.compile(r"[\s,;|\"]+")
#: Letters of the phonetic alphabet that living orthographies use (Ewe, Hausa, Nuxalk...).
_ORTHOGRAPHIC_IPA = frozenset("ʃʒʊʋʉʔ")
#: Punctuation at home next to a letter in any text: quotes, dashes, spaces (``l’Oréal``).
_WORD_PUNCTUATION = frozenset({"Pi", "Pf", "Pd", "Zs"})


class Guess(NamedTuple):
    """An encoding found for a file, and whether to doubt it."""

    encoding: str
    doubt: str | None = None
    """Why another encoding could be the file's, with what that one would read differently
    (``cp1252 reads it too, and differently: 'Peña' where cp1250 reads 'Peńa'``); None when
    the evidence is clear."""


def detect_encoding(sample: bytes) -> str:
    """The encoding of a file from its first bytes (see the module docstring)."""
    return guess_encoding(sample).encoding


def guess_encoding(sample: bytes) -> Guess:
    """The encoding of a file from its first bytes, and a doubt where the evidence is thin
    (see the module docstring)."""
    if sample.startswith(codecs.BOM_UTF8):
        return Guess("utf-8")
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16's:
        return Guess("utf-32")  # FF FE 00 00 starts with UTF-16's FF FE
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Guess("utf-16")
    if sample.isascii():
        return Guess("utf-8")
    plausible, odd, invalid = _utf8_evidence(sample)
    if not odd and (not invalid or plausible > invalid):
        return Guess("utf-8")  # valid, or mostly valid, and nothing in it is odd
    legacy, score, legacy_doubt = _legacy_guess(sample)
    if odd and plausible + odd > invalid:
        # Valid (or mostly valid) UTF-8 with odd letters in it: a legacy file's pairs, unless
        # the plausible letters outweigh them, or the legacy reading makes no better words.
        if plausible > odd + invalid or score < _CONVINCING:
            doubt = None
            if score >= _CONVINCING:
                doubt = _doubt(sample, "utf-8", legacy)
            return Guess("utf-8", doubt)
        if not invalid:
            return Guess(legacy, _doubt(sample, legacy, "utf-8"))
    return Guess(legacy, legacy_doubt)


def _utf8_evidence(sample: bytes) -> tuple[int, int, int]:
    """The sample read as UTF-8: how many characters beyond ASCII are plausible, how many are
    odd (see :func:`_odd`), and how many bytes are invalid. (The sample may end inside a
    character: the incremental decoder leaves it out.)"""
    text = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode(sample)
    odd = invalid = 0
    last = len(text) - 1
    for found in _SUSPECT.finditer(text):  # only these can be odd or invalid
        at = found.start()
        char = text[at]
        if char >= "\udc80":
            invalid += 1
        elif _odd(char, text[at - 1] if at else " ", text[at + 1] if at < last else " "):
            odd += 1
    return len(_NON_ASCII.findall(text)) - odd - invalid, odd, invalid


def _odd(char: str, before: str, after: str) -> bool:
    """Whether a character of a UTF-8 reading is one no export writes there: a control code
    (C1), or a letter of another script (Greek to NKo, or the phonetic alphabet: U+0280 to
    U+07FF) right next to a Latin letter. These are what two bytes of a legacy file, an
    upper-case letter and the letter or symbol after it, make when read as UTF-8."""
    if char <= "\x9f":
        return True
    if not 0x280 <= ord(char) < 0x800 or char in _ORTHOGRAPHIC_IPA:
        return False
    if not char.isalpha() or unicodedata.category(char) == "Lm":
        return False  # a combining accent, a modifier (ʼ): at home beside Latin letters
    return _latin_letter(before) or _latin_letter(after)


def _latin_letter(char: str) -> bool:
    return char.isalpha() and (ord(char) < 0x280 or 0x1E00 <= ord(char) < 0x1F00)


def _legacy_guess(sample: bytes) -> tuple[str, int, str | None]:
    """The single-byte encoding whose reading of ``sample`` is the more plausible, its score
    (:func:`_legacy_score`), and a doubt when the other scores about the same. A tie is
    cp1250 where a byte 0x80-0x9F is (letters in cp1250, a Polish export's ``Ś``, ``ź``),
    else Latin-1."""
    control_bytes = any(0x80 <= byte <= 0x9F for byte in sample)
    western = "cp1252" if control_bytes else "latin-1"
    central = _legacy_score(sample, "cp1250")
    west = _legacy_score(sample, "cp1252")
    if west > central or (west == central and not control_bytes):
        chosen, score, other = western, west, "cp1250"
    else:
        chosen, score, other = "cp1250", central, western
    doubt = None
    if abs(west - central) < _CLEAR_MARGIN:
        doubt = _doubt(sample, chosen, other)
    return chosen, score, doubt


def _legacy_score(sample: bytes, encoding: str) -> int:
    """How much ``sample`` read in ``encoding`` looks like words of one language: the letters
    beyond ASCII that the alphabet fitting most of them holds, less those it does not, less
    twice each symbol inside or beside a word (``Sp³ka``) and each byte the encoding has no
    character for (or a C1 control code). A symbol among digits (``£10``) does not count."""
    text = sample.decode(encoding, "surrogateescape")
    letters: dict[str, int] = {}
    odd = 0
    last = len(text) - 1
    for found in _NON_ASCII.finditer(text):
        at = found.start()
        char = text[at]
        if char.isalpha():
            key = char.lower()
            letters[key] = letters.get(key, 0) + 1
            continue
        category = unicodedata.category(char)
        if category in ("Cs", "Cc"):  # a byte the encoding has no character for; C1
            odd += 1
            continue
        before = text[at - 1] if at else " "
        after = text[at + 1] if at < last else " "
        if category not in _WORD_PUNCTUATION and (before.isalpha() or after.isalpha()):
            odd += 1
    total = sum(letters.values())
    best = max(
        (sum(count for letter, count in letters.items() if letter in alphabet)
         for alphabet in ALPHABETS.values()),
        default=0,
    )
    return best - (total - best) - 2 * odd


def _doubt(sample: bytes, chosen: str, other: str) -> str | None:
    """What ``other`` would read differently from ``chosen``, as a doubt (see
    :attr:`Guess.doubt`); None where the two read the sample alike."""
    ours, theirs = _readings(sample, chosen), _readings(sample, other)
    for line_ours, line_theirs in zip(ours.splitlines(), theirs.splitlines(), strict=False):
        if line_ours == line_theirs:
            continue
        # The tokens pair up: they end at ASCII bytes, which every candidate reads alike.
        for token_ours, token_theirs in zip(
            _TOKEN_ENDS.split(line_ours), _TOKEN_ENDS.split(line_theirs), strict=False
        ):
            if token_ours != token_theirs:
                return (
                    f"{other} reads it too, and differently: {_cut(token_theirs)!r} where "
                    f"{chosen} reads {_cut(token_ours)!r}; set encoding = \"{other}\" (or "
                    f"\"{chosen}\") in the mapping to say which"
                )
    return None


def _readings(sample: bytes, encoding: str) -> str:
    """``sample`` read in ``encoding``, an undecodable byte as U+FFFD."""
    return codecs.getincrementaldecoder(encoding)("replace").decode(sample)


def _cut(token: str, limit: int = 40) -> str:
    return token if len(token) <= limit else token[: limit - 3] + "..."
