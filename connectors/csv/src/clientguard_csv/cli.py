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
from collections.abc import Sequence

from clientguard.errors import ClientguardError
from clientguard.records import Rejection
from clientguard_csv.connector import CsvConnector
from clientguard_csv.mapping import PRESETS, STREAMS, preset_text
from clientguard_csv.reading import ReadLog, read_records
from clientguard_csv.textfile import describe_delimiter

__all__ = ["SHOWN", "main"]

#: How many rejections ``check`` prints before it says how many more there are.
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
        for item in read_records(connector.mapping, connector.sources(), log=log):
            if isinstance(item, Rejection):
                rejected.append(item)
    except ClientguardError as exc:
        print(f"clientguard-csv: {exc}", file=sys.stderr)
        return 2
    _print_log(log, rejected)
    return 1 if rejected else 0


def _print_log(log: ReadLog, rejected: list[Rejection]) -> None:
    for f in log.files:
        guessed = " (a guess)" if f.guessed else ""
        folded = f", {f.duplicates} duplicate rows folded" if f.duplicates else ""
        print(
            f"{f.stream}: {f.file} ({f.encoding}{guessed}, {describe_delimiter(f.delimiter)}, "
            f"header on line {f.header_line}): {f.rows} rows, {f.records} records, "
            f"{f.skipped} skipped, {f.rejected} rejected{folded}"
        )
    if log.unmatched:
        print("client names that matched no customer:")
        for entry in log.unmatched.values():
            print(f"  {entry.name!r} in {entry.stream}: {entry.rows} rows, first at {entry.first}")
    if rejected:
        print(f"{len(rejected)} rejected:")
        for rejection in rejected[:SHOWN]:
            print(f"  - {rejection}")
        if len(rejected) > SHOWN:
            print(f"  ... and {len(rejected) - SHOWN} more")
