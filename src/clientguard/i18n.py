"""The reader's language: message catalogs (gettext through Babel) and which language is active.

Every sentence a person reads (findings, verdicts, advice, the reports' headings, the CLI's
messages and ``--help``) is written in English in the source, wrapped in :func:`gettext` (or
:func:`ngettext` where a number decides the form: 1 faktura, 2 faktury, 5 faktur), and looked up
at run time in the catalog of the active language. Machine keys (JSON keys, finding kinds,
verdict codes, CSV column ids) never go through it.

The active language is a context variable, set for a block with :func:`using` (the CLI and
``review(lang=...)`` do; so may a user's own script); outside any block it is English. A
context variable, not a global, so that threads and asyncio tasks each keep their own and a
worker process starts in English.

Catalogs are the ``.po`` files under ``clientguard/locale/<lang>/``: every ``*.po`` file there
is read and merged (one file per part of the library, so that parts are translated
independently), compiled in memory on first use and cached. English needs no catalog: the
message id is the English text.

Numbers, dates and money in a language's own form (``1 234,56 zł``, ``12,5%``,
``3 grudnia 2026``) are :mod:`clientguard.wording`'s job; it asks :func:`language` and
:func:`babel_locale` which locale to write in.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources
from io import BytesIO

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "babel_locale",
    "gettext",
    "given_language",
    "language",
    "language_from_environment",
    "ngettext",
    "noop",
    "npgettext",
    "pgettext",
    "resolve_language",
    "translations",
    "using",
]

LANGUAGES: tuple[str, ...] = ("en", "pl")
"""The languages clientguard writes, as ISO 639-1 codes."""

DEFAULT_LANGUAGE = "en"
"""The language used when nothing chooses one."""

_LOCALES: Mapping[str, str] = {"en": "en_US", "pl": "pl_PL"}
"""The CLDR locale each language's numbers, dates and money are written in."""

_DOMAIN = "clientguard"

_active: ContextVar[str] = ContextVar("clientguard_language", default=DEFAULT_LANGUAGE)


def language() -> str:
    """The active language's code (``"en"`` outside any :func:`using` block)."""
    return _active.get()


def babel_locale() -> Locale:
    """The Babel locale of the active language (``pl_PL`` for ``"pl"``)."""
    return Locale.parse(_LOCALES[language()])


@contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Make ``lang`` the active language inside the block; ``None`` keeps the active one.

    Raises ``ValueError`` naming the languages there are, for a code clientguard does not write.
    """
    if lang is None:
        yield language()
        return
    code = resolve_language(lang)
    token = _active.set(code)
    try:
        yield code
    finally:
        _active.reset(token)


def resolve_language(lang: str) -> str:
    """``lang`` as one of :data:`LANGUAGES`: ``"pl"``, ``"PL"``, ``"pl_PL"``, ``"pl-PL.UTF-8"``.

    Raises ``ValueError`` for any other language.
    """
    code = lang.strip().split(".")[0].replace("-", "_").split("_")[0].lower()
    if code not in LANGUAGES:
        raise ValueError(
            f"unknown language {lang!r}: clientguard writes {', '.join(LANGUAGES)}"
        )
    return code


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment's locale asks for, if clientguard writes it; else English.

    Reads ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` in the order POSIX gives them precedence
    (``LANGUAGE``, a GNU list, first). ``C``, ``POSIX`` and languages clientguard does not
    write give English.
    """
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if not value:
            continue
        for candidate in value.split(":"):
            try:
                return resolve_language(candidate)
            except ValueError:
                continue
        if name != "LANGUAGE":
            # The first locale variable that is set decides, even when it names a language
            # clientguard does not write (then: English).
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def given_language(argv: Sequence[str]) -> str | None:
    """The language a command line's ``--lang LANG`` (or ``--lang=LANG``) asks for, the last
    one given, read before its parser is built (so that the parser's help and errors are
    written in it): one of :data:`LANGUAGES`; None when there is no ``--lang`` before a
    ``--``, or it names a language clientguard does not write (the parser refuses it)."""
    value = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
    if value is None:
        return None
    try:
        return resolve_language(value)
    except ValueError:
        return None


@cache
def translations(lang: str) -> NullTranslations:
    """The merged catalog of ``lang`` (every ``.po`` file of its folder), compiled in memory."""
    code = resolve_language(lang)
    folder = resources.files("clientguard").joinpath("locale", code)
    merged: NullTranslations | None = None
    if folder.is_dir():
        for entry in sorted(folder.iterdir(), key=lambda item: item.name):
            if not entry.name.endswith(".po"):
                continue
            with entry.open("rb") as source:
                catalog = read_po(source, locale=_LOCALES[code], domain=_DOMAIN)
            compiled = BytesIO()
            write_mo(compiled, catalog)
            compiled.seek(0)
            part = Translations(fp=compiled, domain=_DOMAIN)
            if merged is None:
                merged = part
            else:
                assert isinstance(merged, Translations)
                merged.merge(part)
    return merged if merged is not None else NullTranslations()


def gettext(message: str) -> str:
    """``message`` (English source text) in the active language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the active language's plural rules."""
    return translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the active language, told apart from the same English in another context."""
    return str(translations(language()).pgettext(context, message))


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """:func:`ngettext` told apart by ``context``: the same English counted noun where another
    language declines it differently ("in 3 pages": "w 3 stronach", not "3 strony")."""
    return str(translations(language()).npgettext(context, singular, plural, n))


def noop(message: str) -> str:
    """Mark ``message`` for extraction only; it is translated later, where it is shown."""
    return message
