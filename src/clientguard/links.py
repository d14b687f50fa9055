"""Linking customers across sources: the same client in the old invoicing tool and the new.

Customers of different sources are different customers until the user says otherwise. A link
says "these customers are one client"; the ledger then counts them as one, like a group, for
every signal. Links come from ``clientguard.toml``::

    [links]
    clients = [["wave:Mark Walberg", "ninja:7"]]   # each list: customers that are one client
    files = ["links.csv"]                            # CSV files of pairs (below)

A customer is named ``source:id``: the source's name (its ``[sources.NAME]`` table) and the
customer's id in that source. A links CSV has a header row with the columns ``customer`` and
``same_as`` (each ``source:id``); other columns (``matched_on``, a note) are ignored, so the
output of :func:`suggest_links` (``clientguard links suggest``) is a links file once the user
has checked it. The file is read as :mod:`clientguard.csvinput` reads a small CSV file: UTF-8
(Excel's "CSV UTF-8"; a file in the Windows code page is an error naming its line and saying to
save it as UTF-8), commas or, Polish Excel's default, semicolons; a quoted note may span lines;
blank lines and comment lines (starting with ``#``) between rows are skipped; an error names
the line its row starts on, and a customer of a source the config does not have its column too
(``links.csv, line 2, column 2 (same_as)``), with the sources it has.

Nothing is linked without the user: :func:`suggest_links` only proposes pairs whose names
normalise alike (:func:`clientguard.names.normalise_name`) or whose tax ids are one
taxpayer's (:func:`clientguard.tax_id.same_taxpayer`: one number written alike or typed with
and without its prefix, ``DK12345678`` and ``12345678``, and a number that identifies
someone, never a placeholder such as ``0000000000`` or a NIP with a wrong check digit). Two
customers whose tax ids identify two different taxpayers are never proposed on their names:
``Acme Sp. z o.o.`` and ``ACME S.A.`` with two valid NIPs are two companies. Nor are they
joined through a third customer without a tax id whose name is alike to both: keeping every
pair proposed never puts two taxpayers in one client (the first pair in order, by
``source:id``, is proposed; the other is left for the person to link by hand).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from clientguard.csvinput import read_csv_text
from clientguard.errors import ConfigError
from clientguard.i18n import gettext
from clientguard.model import Customer
from clientguard.records import KEY_SEPARATOR, Link
from clientguard.taxpayers import OneClient

__all__ = ["LINK_COLUMNS", "Suggestion", "check_source", "parse_customer", "read_links",
           "suggest_links"]

LINK_COLUMNS = ("customer", "same_as")
"""The columns a links CSV must have."""


def parse_customer(text: object, *, where: str) -> tuple[str, str]:
    """``(source, id)`` of a customer written ``source:id``; a :class:`ConfigError` naming
    ``where`` otherwise."""
    if not isinstance(text, str):
        raise ConfigError(gettext("{where}: a customer is written \"source:id\" (text), not {text}")
                          .format(where=where, text=repr(text)))
    source, separator, ident = text.strip().partition(KEY_SEPARATOR)
    if not separator or not source or not ident:
        raise ConfigError(
            gettext("{where}: {text} does not name a customer: write \"source:id\", the source's "
              "name and the customer's id in that source (e.g. \"wave:Mark Walberg\")")
            .format(where=where, text=repr(text))
        )
    return source, ident


def check_source(customer: tuple[str, str], sources: Collection[str], where: str) -> None:
    """A :class:`ConfigError` naming ``where`` when the ``customer`` (``(source, id)``) is of a
    source not among ``sources`` (the config's; none: every source is allowed), saying the
    sources there are and what to do."""
    source, ident = customer
    if not sources or source in sources:
        return
    close = difflib.get_close_matches(source, list(sources), n=1)
    hint = gettext("; did you mean {code}?").format(code=repr(close[0])) if close else ""
    raise ConfigError(
        gettext("{where}: a link names the customer {source}:{id}, but there is no source "
                "{name}{hint} (sources: {sources}): write the customer as \"source:id\" with one "
                "of these sources, or add a [sources.{source}] table to the config file").format(
            where=where, source=source, id=ident, name=repr(source), hint=hint,
            sources=", ".join(sources))
    )


def read_links(path: Path, sources: Collection[str] = ()) -> list[Link]:
    """The pairs of a links CSV file (see the module docstring), each a :data:`Link`. Raises
    :class:`ConfigError` naming the file and the line (the one a row starts on) of the first
    row that cannot be read, and the line and column of the first customer of a source not
    among ``sources`` (the config's; none: not checked)."""
    text = read_csv_text(path, gettext("the links file"), unreadable=gettext(
        "cannot read the links file {path}: {problem}"))
    if not text.records:
        return []
    line, header_row = text.records[0]
    header = [h.strip().casefold() for h in header_row]
    missing = [c for c in LINK_COLUMNS if c not in header]
    if missing:
        raise ConfigError(
            gettext("{path}, line {line}: the links file needs the columns {columns} (missing: "
              "{missing}); each names a customer as \"source:id\"").format(
                path=path, line=line, columns=", ".join(LINK_COLUMNS),
                missing=", ".join(missing))
        )
    columns = [header.index(name) for name in LINK_COLUMNS]
    links: list[Link] = []
    for number, row in text.records[1:]:
        where = gettext("{path}, line {line}").format(path=path, line=number)
        if len(row) <= max(columns):
            raise ConfigError(gettext("{where}: expected the columns {columns}").format(
                where=where, columns=", ".join(header)))
        pair = tuple(parse_customer(row[column], where=where) for column in columns)
        for column, name, customer in zip(columns, LINK_COLUMNS, pair, strict=True):
            check_source(customer, sources, gettext(
                "{path}, line {line}, column {number} ({column})").format(
                    path=path, line=number, number=column + 1, column=name))
        links.append(pair)
    return links


@dataclass(frozen=True)
class Suggestion:
    """Two customers of different sources that may be one client."""

    customer: tuple[str, str]
    """``(source, id)``."""
    same_as: tuple[str, str]
    matched_on: str
    """``name`` or ``tax_id`` (``name+tax_id`` when both agree)."""
    names: tuple[str, str]
    """The two customers' names, for the person deciding."""

    def row(self) -> tuple[str, str, str, str]:
        """The suggestion as a links CSV row (with two columns the reader ignores)."""
        return (
            KEY_SEPARATOR.join(self.customer),
            KEY_SEPARATOR.join(self.same_as),
            self.matched_on,
            f"{self.names[0]} = {self.names[1]}",
        )


def suggest_links(
    customers: Iterable[Customer], *, linked: Sequence[Link] = ()
) -> list[Suggestion]:
    """Pairs of customers of different sources whose names normalise alike or whose tax ids
    are one taxpayer's (:func:`~clientguard.tax_id.same_taxpayer`), not yet linked (directly or
    through other links); sorted, so the same customers give the same list. A pair whose
    tax ids name two taxpayers is not proposed on its names, and the pairs proposed never
    join two taxpayers through others (nor with the ``linked`` ones): of two pairs that
    would, the first in order is proposed. Never applied: a person checks them first."""
    by_ref = {(c.source, c.id): c for c in customers}
    chosen = OneClient(((ref, c.name, c.tax_id) for ref, c in by_ref.items()), linked)
    return [Suggestion(customer=a, same_as=b, matched_on="+".join(bases),
                       names=(by_ref[a].name, by_ref[b].name))
            for a, b, bases in chosen.pairs]
