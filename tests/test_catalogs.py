"""Every message a person reads has its Polish: the catalogs against the source.

The message ids are extracted from the source with Babel's own extractor (the calls of
``gettext``/``_``, ``ngettext``, ``pgettext`` and ``noop``), from the core and every connector;
the Polish is every ``.po`` file of ``clientguard/locale/pl``, merged as
:func:`clientguard.i18n.translations` merges them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "src" / "clientguard", *sorted((ROOT / "connectors").glob("*/src"))]
CATALOGS = ROOT / "src" / "clientguard" / "locale"
KEYWORDS = {**DEFAULT_KEYWORDS, "noop": None}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

MessageKey = tuple[str | None, str]
"""(context, English singular): how a catalog knows a message."""


def _extracted() -> dict[MessageKey, tuple[str, ...]]:
    """Every message of the source, with where it is (``path:line``)."""
    found: dict[MessageKey, tuple[str, ...]] = {}
    for source in SOURCES:
        for filename, line, message, _comments, context in extract_from_dir(
            str(source), method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            singular = message[0] if isinstance(message, tuple) else message
            if not singular:
                continue
            where = f"{source.name}/{filename}:{line}"
            found[(context, singular)] = (*found.get((context, singular), ()), where)
    # The comments `clientguard policy` prints are the Policy fields' docstrings, which no
    # gettext call names: the policy gives each one's context and English.
    from clientguard.policy import Policy

    for field, key in Policy.comment_messages().items():
        found[key] = (*found.get(key, ()), f"clientguard/policy.py: Policy.{field}")
    return found


def _catalog_files(lang: str) -> list[Path]:
    return sorted((CATALOGS / lang).glob("*.po"))


def _read(path: Path, lang: str) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=lang, abort_invalid=True)


def _messages(lang: str) -> Iterator[tuple[Path, Message]]:
    for path in _catalog_files(lang):
        for message in _read(path, lang):
            if message.id:
                yield path, message


def _key(message: Message) -> MessageKey:
    singular = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return message.context, singular


def _forms(message: Message) -> tuple[str, ...]:
    value = message.string
    if isinstance(value, tuple | list):
        return tuple(form or "" for form in value)
    return (value or "",)


def _ids(message: Message) -> tuple[str, ...]:
    value = message.id
    return tuple(value) if isinstance(value, tuple | list) else (value,)


EXTRACTED = _extracted()


def test_the_extraction_finds_the_analysis_messages() -> None:
    # A guard for the test itself: an extractor that found nothing would pass every check.
    singulars = {singular for _context, singular in EXTRACTED}
    assert "{n} invoice" in singulars
    assert "consider ending the cooperation" in singulars


@pytest.mark.parametrize("lang", ["pl"])
def test_every_catalog_parses_with_its_header(lang: str) -> None:
    files = _catalog_files(lang)
    assert files, f"no catalog in {CATALOGS / lang}"
    for path in files:
        catalog = _read(path, lang)
        assert catalog.num_plurals == 3, f"{path.name}: Polish has three plural forms"
        assert not catalog.obsolete, (
            f"{path.name}: obsolete entries {sorted(map(str, catalog.obsolete))}; delete them"
        )


@pytest.mark.parametrize("lang", ["pl"])
def test_every_message_of_the_source_has_a_translation(lang: str) -> None:
    translated = {_key(message): message for _path, message in _messages(lang)}
    missing = [
        f"{where[0]}: {singular!r}"
        for (context, singular), where in sorted(EXTRACTED.items(), key=lambda kv: kv[1])
        if (context, singular) not in translated
        or not all(form.strip() for form in _forms(translated[(context, singular)]))
    ]
    assert not missing, f"{len(missing)} messages without {lang}:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", ["pl"])
def test_no_catalog_entry_is_unknown_to_the_source(lang: str) -> None:
    unknown = [
        f"{path.name}:{message.lineno}: {_key(message)[1]!r}"
        for path, message in _messages(lang)
        if _key(message) not in EXTRACTED
    ]
    assert not unknown, "entries no code uses (delete them):\n" + "\n".join(unknown)


@pytest.mark.parametrize("lang", ["pl"])
def test_plural_forms_and_placeholders_match(lang: str) -> None:
    problems = []
    for path, message in _messages(lang):
        ids, forms = _ids(message), _forms(message)
        where = f"{path.name}:{message.lineno}"
        if len(ids) == 2 and len(forms) != 3:
            problems.append(f"{where}: {len(forms)} plural forms, Polish has 3")
        if len(ids) == 1 and len(forms) != 1:
            problems.append(f"{where}: plural forms for a message that has none")
        expected = {frozenset(PLACEHOLDER.findall(msgid)) for msgid in ids}
        for form in forms:
            if frozenset(PLACEHOLDER.findall(form)) not in expected:
                problems.append(
                    f"{where}: {form!r} has {sorted(PLACEHOLDER.findall(form))}, the English "
                    f"{sorted(PLACEHOLDER.findall(ids[0]))}"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["pl"])
def test_a_message_is_translated_once(lang: str) -> None:
    # Catalogs are merged: the same message in two files would let one silently win.
    seen: dict[MessageKey, tuple[Path, tuple[str, ...]]] = {}
    clashes = []
    for path, message in _messages(lang):
        key = _key(message)
        if key in seen and seen[key][1] != _forms(message):
            clashes.append(f"{key[1]!r}: {seen[key][0].name} and {path.name} differ")
        seen.setdefault(key, (path, _forms(message)))
    assert not clashes, "\n".join(clashes)


# A plain space between a number's digits and its next three (``50 000``), not followed by
# another digit (an IBAN's groups of four, ``1090 1014``, are not a number's thousands).
_PLAIN_THOUSANDS = re.compile(r"\d \d{3}(?!\d)")


@pytest.mark.parametrize("lang", ["pl"])
def test_a_number_of_thousands_is_written_with_a_no_break_space(lang: str) -> None:
    # Every amount Babel writes in Polish groups its thousands with a no-break space (CLDR:
    # "50 000" with U+00A0), which a line never breaks at: a number written by hand in a
    # message does the same (until 2026-12-09 the bands' "50 000 zł" and "10 000 GBP" had a
    # plain space, and a letter could break "50 / 000 zł" across two lines).
    plain = [
        f"{path.name}:{message.lineno}: {form!r}"
        for path, message in _messages(lang)
        for form in _forms(message)
        if _PLAIN_THOUSANDS.search(form)
    ]
    assert not plain, "a plain space inside a number (write U+00A0):\n" + "\n".join(plain)
