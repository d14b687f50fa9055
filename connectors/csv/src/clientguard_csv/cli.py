"""The ``clientguard-csv`` command: print a preset as a starting mapping, check files.

::

    clientguard-csv presets                      # the preset names
    clientguard-csv preset zoho > mine.toml      # a preset as a mapping file to edit
    clientguard-csv check --mapping mine.toml --invoices export.csv
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Sequence

from clientguard.connector import printable
from clientguard.errors import ClientguardError
from clientguard.records import Rejection
from clientguard_csv.connector import CsvConnector
from clientguard_csv.mapping import PRESETS, STREAMS, preset_text
from clientguard_csv.reading import Loaded, ReadLog, Skipped, read_records
from clientguard_csv.textfile import describe_delimiter

__all__ = ["SHOWN", "main"]

_KIND_NAMES = {"credit_note": "credit note", "time_entry": "time entry",
               "work_request": "work request"}

#: How many rejection reasons, and how many skipped rows, ``check`` prints before it says how
#: many more there are.
SHOWN = 20


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clientguard-csv", description="CSV mappings and presets for clientguard."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("presets", help="list the presets")
    show = commands.add_parser("preset", help="print a preset as a mapping file")
    show.add_argument("name", choices=PRESETS)
    check = commands.add_parser(
        "check", help="read files through a mapping and report what would load"
    )
    which = check.add_mutually_exclusive_group(required=True)
    which.add_argument("--preset", choices=PRESETS)
    which.add_argument("--mapping", help="a mapping file (TOML)")
    for stream in STREAMS:
        check.add_argument(f"--{stream.replace('_', '-')}", dest=stream, action="append",
                           metavar="FILE", help=f"{stream.replace('_', ' ')} file (repeatable)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:
        # The reader stopped reading (``clientguard-csv presets | head -2``): no error, and
        # nothing more to write (what is still buffered goes nowhere instead of failing at exit).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "presets":
        for name in PRESETS:
            first = preset_text(name).splitlines()[0].lstrip("# ").strip()
            print(f"{name:22} {first}")
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
        guessed = (" (an uncertain guess)" if f.doubt else " (a guess)") if f.guessed else ""
        folded = f", {f.duplicates} duplicate rows folded" if f.duplicates else ""
        print(printable(
            f"{f.stream}: {f.file} ({f.encoding}{guessed}, {describe_delimiter(f.delimiter)}, "
            f"header on line {f.header_line}): {f.rows} rows, {f.records} records, "
            f"{f.skipped} skipped, {f.rejected} rejected{folded}"
        ))
        if f.doubt:
            print(printable(f"  encoding: {f.doubt}"))
    if kinds:
        # A file's records count what its rows made: an invoices file also makes a customer
        # for each client it names, so "2,466 rows, 2,566 records" needs this line.
        made = ", ".join(f"{count:,} {_KIND_NAMES.get(kind, kind)}{'' if count == 1 else 's'}"
                         for kind, count in sorted(kinds.items()))
        print(f"records made: {made}")
    if log.unmatched:
        print("client names that matched no customer:")
        for entry in log.unmatched.values():
            print(printable(
                f"  {entry.name!r} in {entry.stream}: {entry.rows} rows, first at {entry.first}"))
    if log.leading_zeros:
        # Customers made twice over where Excel dropped an id's zeros: said, never joined.
        print("customer ids that differ only by leading zeros (read as separate customers):")
        for group in log.leading_zeros:
            print(printable(f"  - {group}"))
    shown, count = skipped
    if count:
        # Each row a rule left out (the first SHOWN, in the order read), where it is and
        # which rule, its reason quoting the cell the rule read: the rows to look at where
        # a rule leaves out more than it should.
        print(f"{count} skipped:")
        for row in shown:
            print(printable(f"  - {row.location}: {row.reason}"))
        if count > len(shown):
            print(f"  ... and {count - len(shown)} more skipped rows")
    if rejected:
        # One line a reason, with how many rows it turned away and where it first did.
        reasons: dict[tuple[str, str | None, str], list[Rejection]] = {}
        for rejection in rejected:
            key = (rejection.kind, rejection.field, rejection.reason)
            reasons.setdefault(key, []).append(rejection)
        print(f"{len(rejected)} rejected, {len(reasons)} "
              f"{'reason' if len(reasons) == 1 else 'different reasons'}:")
        for same in list(reasons.values())[:SHOWN]:
            first = same[0]
            if len(same) == 1:
                print(printable(f"  - {first}"))
            else:
                print(printable(
                    f"  - {len(same)} x {first} (and {len(same) - 1} more rows like it)"))
        if len(reasons) > SHOWN:
            print(f"  ... and {len(reasons) - SHOWN} more reasons")
