"""The ``clientguard-csv`` command: print a preset as a starting mapping, check files.

::

    clientguard-csv presets                      # the preset names
    clientguard-csv preset zoho > mine.toml      # a preset as a mapping file to edit
    clientguard-csv check --mapping mine.toml --invoices export.csv
    clientguard-csv --lang pl check --preset zoho --invoices export.csv

Its messages and ``check``'s summary are in the reader's language, chosen as ``clientguard``
chooses it: ``--lang`` (before or after the command), else the locale's (``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English. It reads no ``clientguard.toml``, so the
config's ``lang`` does not choose it. The rejection reasons quoted from the files stay English
(docs/languages.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Sequence

from clientguard import i18n, wording
from clientguard.argparsing import Parser
from clientguard.connector import printable
from clientguard.errors import ClientguardError
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext
from clientguard.records import Rejection
from clientguard_csv.connector import CsvConnector
from clientguard_csv.mapping import PRESETS, STREAMS, preset_text
from clientguard_csv.reading import Loaded, ReadLog, Skipped, read_records
from clientguard_csv.textfile import describe_delimiter

__all__ = ["SHOWN", "main"]

#: How many rejection reasons, and how many skipped rows, ``check`` prints before it says how
#: many more there are.
SHOWN = 20


def _language_code(text: str) -> str:
    """``--lang``: one of the languages clientguard writes (``pl``, ``PL``, ``pl_PL``)."""
    try:
        return i18n.resolve_language(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    # --lang before or after the command, as clientguard takes it.
    language = Parser(add_help=False)
    language.add_argument("--lang", type=_language_code, metavar="LANG",
                          default=argparse.SUPPRESS,
                          help="the language of the messages: "
                               f"{', '.join(i18n.LANGUAGES)} (default: the locale's, else en)")
    # argparse's own words (usage:, error:, "one of the arguments ... is required") in the
    # chosen language, as clientguard says them: its parser.
    parser = Parser(
        prog="clientguard-csv", description="CSV mappings and presets for clientguard.",
        parents=[language],
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("presets", help="list the presets", parents=[language])
    show = commands.add_parser("preset", help="print a preset as a mapping file",
                               parents=[language])
    show.add_argument("name", choices=PRESETS)
    check = commands.add_parser(
        "check", help="read files through a mapping and report what would load",
        parents=[language],
    )
    which = check.add_mutually_exclusive_group(required=True)
    which.add_argument("--preset", choices=PRESETS)
    which.add_argument("--mapping", help="a mapping file (TOML)")
    for stream in STREAMS:
        check.add_argument(f"--{stream.replace('_', '-')}", dest=stream, action="append",
                           metavar="FILE", help=f"{stream.replace('_', ' ')} file (repeatable)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    with i18n.using(i18n.given_language(given) or i18n.language_from_environment()):
        args = _parser().parse_args(given)
        with i18n.using(getattr(args, "lang", None)):
            return _guarded(args)


def _guarded(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except BrokenPipeError:
        # The reader stopped reading (``clientguard-csv presets | head -2``): no error, and
        # nothing more to write (what is still buffered goes nowhere instead of failing at exit).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 0


def _summary(text: str) -> str:
    """A preset's description: the first paragraph of its opening comment, on one line (a
    sentence the comment wraps over two lines is listed whole)."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        words = line.lstrip("#").strip()
        if not words:
            break
        lines.append(words)
    return " ".join(lines)


def _run(args: argparse.Namespace) -> int:
    if args.command == "presets":
        for name in PRESETS:
            print(f"{name:22} {_summary(preset_text(name))}")
        return 0
    if args.command == "preset":
        sys.stdout.write(preset_text(args.name))
        return 0
    files = {s: getattr(args, s) for s in STREAMS if getattr(args, s)}
    try:
        connector = CsvConnector(preset=args.preset, mapping=args.mapping, **files)
        log = ReadLog()
        rejected: list[Rejection] = []
        skipped: list[Skipped] = []  # the first SHOWN (a report may skip thousands)
        skipped_count = 0
        kinds: Counter[str] = Counter()
        for item in read_records(connector.mapping, connector.sources(), log=log):
            if isinstance(item, Rejection):
                rejected.append(item)
            elif isinstance(item, Loaded):
                kinds[item.record.kind] += 1
            elif isinstance(item, Skipped):
                skipped_count += 1
                if len(skipped) < SHOWN:
                    skipped.append(item)
    except ClientguardError as exc:
        # An error may quote a cell or a header of the file.
        print(printable(f"clientguard-csv: {exc}"), file=sys.stderr)
        return 2
    _print_log(log, rejected, (skipped, skipped_count), kinds)
    return 1 if rejected else 0


def _print_log(
    log: ReadLog, rejected: list[Rejection], skipped: tuple[list[Skipped], int],
    kinds: Counter[str],
) -> None:
    """What ``check`` read, on stdout. Every line that holds text from the files (a file's
    name, a client's name, a rejection quoting a cell) goes through :func:`printable`: a cell
    can never move the cursor, clear the screen or reorder the line."""
    for f in log.files:
        guessed = (_(" (an uncertain guess)") if f.doubt else _(" (a guess)")) \
            if f.guessed else ""
        folded = _(", {n} duplicate rows folded").format(n=f.duplicates) if f.duplicates else ""
        print(printable(_(
            "{stream}: {file} ({encoding}{guessed}, {delimiter}, header on line {line}): "
            "rows: {rows}, records: {records}, skipped: {skipped}, rejected: {rejected}{folded}"
        ).format(stream=f.stream, file=f.file, encoding=f.encoding, guessed=guessed,
                 delimiter=_(describe_delimiter(f.delimiter)), line=f.header_line,
                 rows=f.rows, records=f.records, skipped=f.skipped, rejected=f.rejected,
                 folded=folded)))
        if f.doubt:
            print(printable(_("  encoding: {doubt}").format(doubt=f.doubt)))
    if kinds:
        # A file's records count what its rows made: an invoices file also makes a customer
        # for each client it names, so "2,466 rows, 2,566 records" needs this line.
        made = ", ".join(wording.records_of_kind(kind, count)
                         for kind, count in sorted(kinds.items()))
        print(_("records made: {made}").format(made=made))
    if log.unmatched:
        print(_("client names that matched no customer:"))
        for entry in log.unmatched.values():
            print(printable(_("  {name} in {stream}: rows: {rows}, first at {first}").format(
                name=repr(entry.name), stream=entry.stream, rows=entry.rows,
                first=entry.first.words())))
    if log.leading_zeros:
        # Customers made twice over where Excel dropped an id's zeros: said, never joined.
        print(_("customer ids that differ only by leading zeros (read as separate customers):"))
        for group in log.leading_zeros:
            print(printable(f"  - {group}"))
    shown, count = skipped
    if count:
        # Each row a rule left out (the first SHOWN, in the order read), where it is and
        # which rule, its reason quoting the cell the rule read: the rows to look at where
        # a rule leaves out more than it should.
        print(_("{n} skipped:").format(n=count))
        for row in shown:
            print(printable(f"  - {row.location.words()}: {row.reason}"))
        if count > len(shown):
            print(_("  ... and {n} more skipped rows").format(n=count - len(shown)))
    if rejected:
        # One line a reason, with how many rows it turned away and where it first did.
        reasons: dict[tuple[str, str | None, str], list[Rejection]] = {}
        for rejection in rejected:
            key = (rejection.kind, rejection.field, rejection.reason)
            reasons.setdefault(key, []).append(rejection)
        print(ngettext("{n} rejected, {m} reason:", "{n} rejected, {m} different reasons:",
                       len(reasons)).format(n=len(rejected), m=len(reasons)))
        for same in list(reasons.values())[:SHOWN]:
            first = same[0]
            if len(same) == 1:
                print(printable(f"  - {first.words()}"))
            else:
                print(printable(_("  - {n} x {first} (and {more} more rows like it)").format(
                    n=len(same), first=first.words(), more=len(same) - 1)))
        if len(reasons) > SHOWN:
            print(_("  ... and {n} more reasons").format(n=len(reasons) - SHOWN))


if __name__ == "__main__":  # ``python -m clientguard_csv.cli``, as a cron job may run it
    sys.exit(main())
