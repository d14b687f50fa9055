"""argparse's own words (its usage line, section headings, ``-h``'s help and its error
messages, all in its English) in the active language, from clientguard's catalogs: for
``clientguard`` and for a plugin's own command (``clientguard-csv``), so that ``--lang pl``
gives ``błąd: ...`` in both. No process-wide gettext domain is installed."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from clientguard.i18n import gettext as _
from clientguard.i18n import noop

__all__ = ["USAGE", "HelpFormatter", "Parser", "argparse_error"]

USAGE = 2
"""The exit status of a usage mistake (argparse's own)."""

_SECTIONS = {
    "positional arguments": noop("positional arguments"),
    "options": noop("options"),
}
"""argparse's own section headings (its English), shown in the active language."""
_ARGPARSE_HELP = noop("show this help message and exit")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help in the active language: its own words ("usage:", "options:") come
    from clientguard's catalogs, so that no process-wide gettext domain is installed."""

    def add_usage(
        self,
        usage: str | None,
        actions: Any,
        groups: Any,
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        # argparse's own -h says "show this help message and exit" in its English.
        if action.help == _ARGPARSE_HELP:
            return _(_ARGPARSE_HELP)
        return action.help

    def start_section(self, heading: str | None) -> None:
        word = _SECTIONS.get(heading or "")
        super().start_section(_(word) if word is not None else heading)


# argparse's error messages (Python 3.11's English), each as a pattern and the message id
# it is shown as: a message argparse words differently (another Python) is shown as it is.
_ARGPARSE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), message)
    for pattern, message in (
        (r"argument (?P<argument>\S+): (?P<message>.*)", noop("argument {argument}: {message}")),
        (r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)",
         noop("invalid choice: {value} (choose from {choices})")),
        (r"the following arguments are required: (?P<arguments>.*)",
         noop("the following arguments are required: {arguments}")),
        (r"unrecognized arguments: (?P<arguments>.*)",
         noop("unrecognized arguments: {arguments}")),
        (r"expected one argument", noop("expected one argument")),
        (r"expected at most one argument", noop("expected at most one argument")),
        (r"expected at least one argument", noop("expected at least one argument")),
        (r"not allowed with argument (?P<argument>.*)",
         noop("not allowed with argument {argument}")),
        (r"one of the arguments (?P<arguments>.*) is required",
         noop("one of the arguments {arguments} is required")),
        (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)",
         noop("ambiguous option: {option} could match {matches}")),
        (r"ignored explicit argument (?P<value>.*)", noop("ignored explicit argument {value}")),
        (r"invalid (?P<type>\S+) value: (?P<value>.*)", noop("invalid {type} value: {value}")),
    )
)


def argparse_error(message: str) -> str:
    """An error message of argparse's in the active language (a nested one too)."""
    for pattern, text in _ARGPARSE_ERRORS:
        found = pattern.fullmatch(message)
        if found:
            parts = found.groupdict()
            if "message" in parts:
                parts["message"] = argparse_error(parts["message"])
            return _(text).format(**parts)
    return message


class Parser(argparse.ArgumentParser):
    """An argument parser whose help and errors are in the active language (argparse's own
    words included): built inside :func:`clientguard.i18n.using`, after the language is
    known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(USAGE, _("{prog}: error: {message}").format(
            prog=self.prog, message=argparse_error(message)) + "\n")
