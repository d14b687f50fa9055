"""Renderers of a :class:`~clientguard.review.Review`: a terminal table, JSON, CSV and HTML.

::

    from clientguard.report import render

    text = render(review, "html", title="Acme Ltd")

Each renderer is a pure function of the review: the same review gives the same bytes. Every
text that comes from the data is escaped for its format (control characters in the table,
HTML entities in the page and its charts, formula prefixes in the CSV).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from clientguard.errors import ConfigError
from clientguard.i18n import gettext as _

if TYPE_CHECKING:  # the renderers import the review's modules only when one is used
    from clientguard.review import Review

Format = Literal["table", "json", "csv", "html"]
FORMATS: tuple[Format, ...] = ("table", "json", "csv", "html")
"""The formats :func:`render` writes."""

__all__ = ["FORMATS", "Format", "render"]


def render(
    review: Review, format: str, *, title: str | None = None, csv_dialect: str = "rfc4180"
) -> str:
    """The review in ``format`` (``table``, ``json``, ``csv`` or ``html``) as text.

    ``title`` names the report (the firm, the book): a heading in the table and the page.
    ``csv_dialect``: the CSV's dialect, ``rfc4180`` (for programs) or ``excel`` (for Excel
    opened by double-click: :func:`clientguard.report.spreadsheet.render_csv`).
    Raises :class:`~clientguard.errors.ConfigError` for an unknown format or dialect, and for
    a dialect other than the default given with another format than ``csv``.
    """
    if format == "csv":
        from clientguard.report.spreadsheet import render_csv

        return render_csv(review, title=title, dialect=csv_dialect)
    if csv_dialect != "rfc4180":
        raise ConfigError(_("the CSV dialect {dialect} goes with the csv format, not "
                            "{format}").format(dialect=repr(csv_dialect), format=repr(format)))
    return _renderer(format)(review, title=title)


def _renderer(format: str) -> Callable[..., str]:
    if format == "table":
        from clientguard.report.table import render_table

        return render_table
    if format == "json":
        from clientguard.report.document import render_json

        return render_json
    if format == "csv":
        from clientguard.report.spreadsheet import render_csv

        return render_csv
    if format == "html":
        from clientguard.report.html import render_html

        return render_html
    raise ConfigError(_("unknown report format {format}; use one of: {formats}").format(
        format=repr(format), formats=", ".join(FORMATS)))
