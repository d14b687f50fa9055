"""The ``clientguard`` command.

Commands: ``demo``, ``sync``, ``review``, ``rejections``, ``links``, ``connectors``,
``policy``. Each has
``--help`` with examples; ``docs/cli.md`` is the guide.

Exit status (for scripts and cron jobs):

* 0: done (and, with ``review --fail-on``, no finding reached that severity);
* 1: ``review --fail-on``: a finding reached that severity;
* 2: a user error (a missing file, a bad date, an unknown connector, bad credentials, a
  store in use). One clear message on stderr, no traceback; ``--debug`` shows it;
* 70: a bug in clientguard: the traceback is printed, please report it;
* 130: interrupted (Ctrl-C).

The CLI is the one place that reads the clock: the default ``--as-of`` is today.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sqlite3
import stat
import sys
import tempfile
import textwrap
import tomllib
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

from clientguard import wording
from clientguard.config import (
    CONFIG_ENV,
    Config,
    SourceConfig,
    connector_options,
    load_config,
    secret_variable,
)
from clientguard.connector import ProgressEvent
from clientguard.errors import ClientguardError, ConfigError
from clientguard.ledger import Ledger
from clientguard.report.text import printable

if TYPE_CHECKING:
    from clientguard.store import Store, StreamResult, SyncResult


# Internal (the command's own plumbing), left out of __all__: UsageError, OutputError,
# ledger_summary, SyncProgress, DEMO_AS_OF, DEMO_REPORT, SEVERITIES, FORMATS.
__all__ = [
    "EXIT_BUG",
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_BUG = 70
EXIT_INTERRUPTED = 130

DEMO_AS_OF = date(2026, 6, 30)
"""The demo's fixed "today": the sample firm's data ends here, so the output never changes."""
DEMO_REPORT = "demo-report.html"

SEVERITIES = ("watch", "warning", "critical")
FORMATS = ("table", "json", "csv", "html")
_SUFFIX_FORMATS = {".json": "json", ".csv": "csv", ".html": "html", ".htm": "html",
                   ".txt": "table"}


class UsageError(ClientguardError):
    """A command line that cannot be carried out (a missing source, conflicting options)."""


# --------------------------------------------------------------------------- small helpers


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _as_of(text: str, *, margin: int = 0) -> date:
    """A review date: a date between the first and last a record may carry (``margin`` years
    inside them)."""
    from clientguard.model import FIRST_DATE, LAST_DATE

    day = _date(text)
    first = FIRST_DATE.replace(year=FIRST_DATE.year + margin)
    last = LAST_DATE.replace(year=LAST_DATE.year - margin)
    if not first <= day <= last:
        raise argparse.ArgumentTypeError(
            f"{text} is outside the dates clientguard reviews: give one from {first} to {last}"
        )
    return day


def _demo_as_of(text: str) -> date:
    """The demo's date: the sample firm's books span years before it and months after."""
    return _as_of(text, margin=5)


def _today() -> date:
    """Today in the local time zone: the default review date (the only clock read)."""
    return datetime.now(UTC).astimezone().date()


def _option(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` from ``--option``: the value is read as TOML where it is one (a number,
    a list, true) and as text otherwise."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    try:
        value: Any = tomllib.loads(f"v = {raw}", parse_float=Decimal)["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip(), value


def _options(pairs: Sequence[tuple[str, Any]] | None) -> dict[str, Any]:
    """Options from repeated ``--option``; a key given twice becomes a list."""
    result: dict[str, Any] = {}
    for key, value in pairs or ():
        if key in result:
            existing = result[key]
            result[key] = [*(existing if isinstance(existing, list) else [existing]), value]
        else:
            result[key] = value
    return result


def _wait(text: str) -> float:
    """``--wait SECONDS``: a finite number of seconds, zero or more."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds (0 or more, e.g. 30)"
        )
    return seconds


class OutputError(ClientguardError):
    """A file the command was asked to write could not be written."""


def _write_output(path: Path, content: str) -> None:
    """Write a report: atomically (a reader never sees half a file) to a regular file or a
    new path, straight to anything else (a device, a pipe, /dev/stdout), which must not be
    replaced by a file. A failed write raises :class:`OutputError`."""
    target = path.expanduser()
    try:
        if target.exists() and (not target.resolve().is_file() or _is_special(target)):
            with target.open("w", encoding="utf-8", newline="") as out:
                out.write(content)
            return
        # A symbolic link to a file: the file is replaced, the link stays.
        target = target.resolve() if target.is_symlink() else target
        handle, temporary = tempfile.mkstemp(
            dir=target.parent or Path("."), prefix=f".{target.name}."
        )
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(
                f"cannot write {path}: {exc.strerror or exc}; the file was left as it was"
            ) from None
        raise


def _is_special(path: Path) -> bool:
    """A path of the system's devices (``/dev/stdout``, ``/dev/fd/3``): written straight,
    whatever it resolves to (the shell's redirection of stdout to a file stays in place)."""
    return os.name == "posix" and path.absolute().parts[1:2] in (("dev",), ("proc",))


def _write_stdout(text: str = "") -> None:
    """Write ``text`` to stdout and flush it, so that a failed write is reported (a full
    disk behind a redirection) instead of being lost at exit."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _reader_gone()
    except OSError as exc:
        raise OutputError(f"cannot write to stdout: {exc.strerror or exc}") from None


def _reader_gone() -> None:
    """The program reading stdout stopped (``clientguard review | head``): it wants no more,
    which is no error. What is still written goes nowhere, and nothing fails at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _config(args: argparse.Namespace) -> Config:
    return load_config(getattr(args, "config", None))


def _store_path(args: argparse.Namespace, config: Config) -> Path:
    given = getattr(args, "store", None)
    return Path(given).expanduser() if given else config.store


def _policy(args: argparse.Namespace, config: Config) -> Any:
    from clientguard.policy import Policy

    given = getattr(args, "policy", None)
    return Policy.from_toml(given) if given else config.policy


def ledger_summary(ledger: Ledger, *, as_of: date) -> list[str]:
    """The few lines that say what a ledger holds: counts, date range, open balance."""
    from clientguard.settlement import settle

    counts = ledger.report.accepted
    settlements = settle(ledger, as_of=as_of)
    open_base = sum(
        (
            settlement.open_balance * ledger.rate_to_base(ledger.invoice(invoice_id))
            for invoice_id, settlement in settlements.items()
        ),
        Decimal(0),
    )
    span = ledger.date_range
    lines = [
        f"customers:     {len(ledger.customer_ids)}",
        f"invoices:      {counts.get('invoices', 0)}",
        f"payments:      {counts.get('payments', 0)}",
        f"credit notes:  {counts.get('credit_notes', 0)}",
        f"time entries:  {counts.get('time_entries', 0)}",
        f"work requests: {counts.get('work_requests', 0)}",
        f"issued:        {span[0]} to {span[1]}" if span else "issued:        (no invoices)",
        f"open balance:  {wording.money(open_base, ledger.base_currency)} as of {as_of}",
        f"rejected:      {len(ledger.report.rejected)}",
    ]
    return lines


# --------------------------------------------------------------------------- connectors


def _connector(
    source: SourceConfig,
    given: Mapping[str, Any] | None,
    progress: Callable[[ProgressEvent], None] | None,
) -> Any:
    from clientguard import connectors

    cls = connectors.load(source.connector)
    options = connector_options(source, cls, given=given)
    return cls(progress=progress, **options)


def _sources(args: argparse.Namespace, config: Config) -> list[SourceConfig]:
    names: list[str] = list(args.source or [])
    if not names:
        names = list(config.sources)
    if not names:
        where = f" in {config.path}" if config.path else " (no clientguard.toml here)"
        raise UsageError(
            f"no source to read: pass --source NAME (a connector, e.g. csv) or add "
            f"[sources.NAME] tables{where}"
        )
    if getattr(args, "option", None) and len(names) > 1:
        raise UsageError("--option applies to one source: pass exactly one --source with it")
    return [config.source(name) for name in names]


# --------------------------------------------------------------------------- progress


class SyncProgress:
    """Progress of a sync on stderr: each stream's records and pages so far, the share of it
    read when the source knows its size (a CSV file), and each wait with its reason.

    On a terminal one line is rewritten as pages arrive; in a log (a cron job) one line is
    written per stream that had records and per wait, so the log stays short.
    """

    def __init__(self, out: TextIO, source: str, *, live: bool) -> None:
        self.out = out
        self.source = source
        self.live = live
        self.open_line = False

    def __call__(self, event: ProgressEvent) -> None:
        if event.event == "wait":
            seconds = event.wait_seconds or 0
            self._line(
                f"{self.source}: waiting {seconds:,.0f} s: {event.reason or 'rate limit'}",
                final=True,
            )
            return
        text = (
            f"{self.source} {event.stream or '?'}: {wording.count(event.records, 'record')} in "
            f"{wording.count(event.pages, 'page')}"
        )
        if event.rejected:
            text += f", {event.rejected:,} rejected"
        if event.event == "stream_done":
            if event.records or event.rejected:
                self._line(text, final=True)
            elif self.open_line:
                self._line("", final=False)
        elif self.live:
            if event.read is not None and event.total:
                share = min(event.read, event.total) * 100 // event.total
                text += f", {share}% read"
            self._line(text, final=False)

    def _line(self, text: str, *, final: bool) -> None:
        text = printable(_scrub_secrets(text))
        if self.live:
            self.out.write("\r\x1b[K" + text + ("\n" if final else ""))
            self.open_line = not final
        elif final:
            self.out.write(text + "\n")
        self.out.flush()

    def close(self) -> None:
        if self.open_line:
            self.out.write("\r\x1b[K")
            self.out.flush()
            self.open_line = False


class StageProgress:
    """Progress of a long command on stderr, stage by stage (``clientguard review: running
    the signals``): on a terminal one line rewritten as each stage starts and cleared at the
    end; in a log, only when asked (``--progress``), one line per stage; with ``enabled``
    False, nothing."""

    def __init__(self, out: TextIO, command: str, *, live: bool, enabled: bool) -> None:
        self.out = out
        self.command = command
        self.live = live
        self.enabled = enabled
        self.open_line = False

    @classmethod
    def for_args(cls, args: argparse.Namespace, command: str) -> StageProgress:
        """Shown on a terminal stderr, or anywhere with ``--progress``; never with
        ``--quiet``."""
        live = sys.stderr.isatty()
        wanted = live or bool(getattr(args, "progress", False))
        return cls(sys.stderr, command, live=live, enabled=wanted and not args.quiet)

    def __call__(self, stage: str) -> None:
        if not self.enabled:
            return
        text = printable(f"clientguard {self.command}: {stage}")
        if self.live:
            self.out.write("\r\x1b[K" + text + "\u2026")
            self.open_line = True
        else:
            self.out.write(text + "\n")
        self.out.flush()

    def close(self) -> None:
        """Clear the line on a terminal, before the result or an error is written."""
        if self.open_line:
            self.out.write("\r\x1b[K")
            self.out.flush()
            self.open_line = False


# --------------------------------------------------------------------------- commands


def _demo(args: argparse.Namespace) -> int:
    from clientguard.report import render
    from clientguard.review import review
    from clientguard.sample import sample_ledger

    ledger = (
        sample_ledger(as_of=args.as_of)
        if args.seed is None
        else sample_ledger(seed=args.seed, as_of=args.as_of)
    )
    result = review(ledger, as_of=args.as_of)
    seed = f" (seed {args.seed})" if args.seed is not None else ""
    print(f"clientguard demo: a sample firm's books as of {args.as_of}{seed}")
    for line in ledger_summary(ledger, as_of=args.as_of):
        print(f"  {line}")
    print()
    print(render(result, "table", title="Sample firm"), end="")
    output = Path(args.output)
    _write_output(output, render(result, "html", title="Sample firm (clientguard demo)"))
    print(f"\nThe report with charts: {output} (open it in a browser).")
    return EXIT_OK


def _policy_command(args: argparse.Namespace) -> int:
    from clientguard.policy import Policy

    print(Policy().to_toml())
    return EXIT_OK


def _connectors_command(args: argparse.Namespace) -> int:
    from clientguard import connectors

    found = connectors.available()
    if args.name:
        return _describe_connector(args.name)
    if not found:
        print("No connectors are installed. Install one, e.g.: pip install clientguard-csv")
        return EXIT_OK
    rows = []
    for name, info in found.items():
        try:
            summary = connectors.load(name).describe().summary
        except ClientguardError as exc:
            summary = f"(fails to load: {exc})"
        rows.append((name, info.version or "-", info.distribution or "(registered)", summary))
    widths = [max(len(r[i]) for r in (*rows, ("name", "version", "distribution", ""))) for i in
              range(3)]
    print(f"{'name':<{widths[0]}}  {'version':<{widths[1]}}  {'distribution':<{widths[2]}}  "
          "summary")
    for row in rows:
        print(printable(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  "
                        f"{row[3]}"))
    print("\nOptions of one connector: clientguard connectors NAME")
    return EXIT_OK


def _describe_connector(name: str) -> int:
    from clientguard import connectors

    info = connectors.load(name).describe()
    found = connectors.available().get(name)
    version = f" {found.version}" if found and found.version else ""
    print(printable(f"{info.name}{version}: {info.summary}"))
    print("\nstreams:")
    for stream in info.streams:
        how = "incremental" if stream.incremental else "read in full"
        line = f"  {stream.name} ({stream.kind}, {how})"
        print(printable(line + (f": {stream.description}" if stream.description else "")))
    print("\noptions:")
    for option in info.options:
        if option.secret:
            note = f"secret: from ${secret_variable(name, option.name)}"
        elif option.required:
            note = "required"
        else:
            note = f"default {option.default}" if option.default is not None else "optional"
        print(printable(f"  {option.name} ({_short_type(option.type)}; {note})"))
        if option.help:
            for line in textwrap.wrap(" ".join(option.help.split()), width=94):
                print(printable(f"      {line}"))
    return EXIT_OK


def _short_type(text: str) -> str:
    """A type as a person reads it: ``Sequence[str | Path]``, not
    ``collections.abc.Sequence[str | pathlib.Path]``."""
    return re.sub(r"\b(?:[a-z_][a-z0-9_]*\.)+(?=[A-Za-z])", "", text)


def _sync(args: argparse.Namespace) -> int:
    from clientguard.store import Store

    config = _config(args)
    sources = _sources(args, config)
    store_path = _store_path(args, config)
    given = _options(args.option)
    failed = 0
    with Store.open(store_path) as store:
        for source in sources:
            progress = SyncProgress(sys.stderr, source.name, live=sys.stderr.isatty())
            try:
                connector = _connector(source, given, None if args.quiet else progress)
                with connector:
                    result = store.sync(
                        connector,
                        source=source.name,
                        full=args.full,
                        streams=args.stream or None,
                        prune=args.prune,
                        wait=args.wait,
                    )
            except ClientguardError as exc:
                progress.close()
                if len(sources) == 1:
                    raise
                _traceback(args)  # --debug shows it, and the other sources still sync
                _error(f"source {source.name}: {exc}")
                failed += 1
                continue
            progress.close()
            _print_sync(result, store, store_path)
        if config.rates is not None and not args.source:
            failed += _sync_rates(store, config, args.debug)
    return EXIT_USAGE if failed else EXIT_OK


def _sync_rates(
    store: Store, config: Config, debug: bool, start: date | None = None,
    end: date | None = None,
) -> int:
    """Read the [rates] of the config into the store; 1 when that failed (said on stderr)."""
    from clientguard.fx.configured import sync_rates

    assert config.rates is not None
    try:
        for line in sync_rates(store, config.rates, start=start, end=end or _today()):
            print(printable(line))
    except ClientguardError as exc:
        if debug:
            raise
        print(f"clientguard: rates: {exc}", file=sys.stderr)
        return 1
    return 0


def _rates_command(args: argparse.Namespace) -> int:
    from clientguard.fx.files import TEMPLATE
    from clientguard.store import Store

    if args.action == "template":
        sys.stdout.write(TEMPLATE)
        return EXIT_OK
    config = _config(args)
    if args.action == "sync":
        if config.rates is None:
            raise ConfigError(
                "clientguard.toml has no [rates] table; add one: file = \"rates.csv\" "
                "(clientguard rates template prints one), or [rates.ecb] / [rates.nbp]"
            )
        with Store.open(_store_path(args, config)) as store:
            failed = _sync_rates(store, config, args.debug, args.start, args.end)
            return EXIT_USAGE if failed else EXIT_OK
    with Store.open(_store_path(args, config), create=False) as store:
        summary = store.rates_summary()
    if not summary:
        print("No exchange rates are stored. Add [rates] to clientguard.toml and run "
              "clientguard rates sync.")
        return EXIT_OK
    for source, base, currencies, count, first, last in summary:
        kinds = wording.count(currencies, "currency", "currencies")
        print(f"{source}: {wording.count(count, 'rate')} of {kinds} in {base}, {first} to {last}")
    return EXIT_OK


def _print_sync(result: SyncResult, store: Store, store_path: Path) -> None:
    def counts(item: SyncResult | StreamResult) -> str:
        text = (f"{item.new:,} new, {item.updated:,} updated, {item.unchanged:,} unchanged, "
                f"{item.rejected:,} rejected")
        text += f", {item.removed:,} removed" if item.removed else ""
        # An identical row again (or a record a source paged twice): stored once, said here.
        folded = item.duplicates
        return text + (f", {folded:,} duplicate row{'s' if folded != 1 else ''} folded"
                       if folded else "")

    print(f"{result.source} ({result.connector}) -> {store_path}: {counts(result)}")
    for stream in result.streams:
        if (stream.new or stream.updated or stream.unchanged or stream.rejected or stream.removed
                or stream.duplicates):
            line = f"  {stream.stream}: {counts(stream)}"
            if len(stream.new_by_kind) > 1:
                # A stream that yields several kinds says which: "2,466 invoice, 100 customer".
                line += " (new: " + ", ".join(
                    f"{n:,} {kind.replace('_', ' ')}" for kind, n in stream.new_by_kind.items()
                ) + ")"
            print(line)
    for reason, count in result.skipped.items():
        print(printable(f"  left out on purpose: {count:,} x {reason}"))
    for note in result.notes:
        print(printable(f"  note: {note}"))
    kept = sum(1 for _ in store.rejections([result.source]))
    if kept:
        print(f"  {kept:,} rejected record{'s are' if kept != 1 else ' is'} kept in the store: "
              f"clientguard rejections --source {result.source}")


def _base_currency(args: argparse.Namespace, config: Config, found: Sequence[str]) -> str:
    """The base currency: given, configured, or the one currency every invoice is in."""
    given = getattr(args, "base_currency", None) or config.base_currency
    if given:
        return str(given)
    if len(found) == 1:
        return found[0]
    held = f"the invoices are in {', '.join(found)}" if found else "there are no invoices"
    raise ConfigError(
        f"no base currency: {held}; set base_currency in clientguard.toml or pass "
        "--base-currency"
    )


def _review_ledger(
    args: argparse.Namespace, config: Config, stages: StageProgress | None = None
) -> Ledger:
    """The ledger to review: the store's, or the ``--source`` sources pulled. With
    ``stages`` (review), the pull's progress shows where the stages do (a terminal, or
    ``--progress``); else wherever ``--quiet`` is not given."""
    from clientguard.connector import pull
    from clientguard.fx.configured import pull_rates, table_from
    from clientguard.store import Store

    strict = args.strict
    if args.source:
        sources = _sources(args, config)
        given = _options(args.option)
        ledgers = []
        for source in sources:
            progress = SyncProgress(sys.stderr, source.name, live=sys.stderr.isatty())
            shown = stages.enabled if stages is not None else not args.quiet
            with _connector(source, given, progress if shown else None) as connector:
                pulled = pull(connector, source=source.name)
            progress.close()
            for note in pulled.notes:
                print(printable(f"clientguard: source {source.name}: note: {note}"),
                      file=sys.stderr)
            currencies = sorted({
                str(getattr(r, "currency", "")) for r in pulled.records if r.kind == "invoice"
            })
            base = _base_currency(args, config, currencies)
            rows = []
            if config.rates is not None and any(c != base for c in currencies):
                days = [d for r in pulled.records
                        if isinstance(d := getattr(r, "issue_date", getattr(r, "date", None)),
                                      date)]
                rows = pull_rates(config.rates, end=_today(), first=min(days, default=None))
            if stages is not None:
                stages(f"building the ledger of {source.name}")
            ledgers.append(
                Ledger.build(
                    pulled.records,
                    base_currency=base,
                    fx=table_from(rows, base, config.rates),
                    strict=strict,
                    rejected=pulled.rejected,
                    notes=[f"{source.name}: {note}" for note in pulled.notes],
                    locations=pulled.locations,
                    links=config.links,
                )
            )
        ledger = ledgers[0]
        for other in ledgers[1:]:
            ledger = ledger.merge(other, strict=strict)
    else:
        path = _store_path(args, config)
        if stages is not None:
            stages("loading the store and building the ledger")
        with Store.open(path, read_only=True) as store:
            status = store.status()
            if not any(s.records.get("invoice") for s in status):
                raise UsageError(_empty_store(path, status))
            currency = _base_currency(args, config, store.currencies())
            fx = table_from(store.rates(), currency, config.rates)
            ledger = store.load(base_currency=currency, fx=fx, strict=strict,
                                links=config.links)
    _warn_unknown_links(ledger, config)
    return ledger


def _warn_unknown_links(ledger: Ledger, config: Config) -> None:
    """Say which linked customers of the ledger's sources the ledger does not hold (a typo,
    or a customer the source no longer has): such a link is left out, never guessed."""
    known = set(ledger.customer_ids)
    missing = sorted({
        f"{source}:{ident}"
        for link in config.links
        for source, ident in link
        if source in ledger.sources and ledger.key(source, ident) not in known
    })
    if missing:
        print(f"clientguard: the links name customers the records do not hold, left out: "
              f"{printable(', '.join(missing))} (clientguard links suggest lists the "
              "customers' ids)", file=sys.stderr)


def _empty_store(path: Path, status: Sequence[Any]) -> str:
    """Why a review of a store without invoices (never synced, or a first sync that failed)
    cannot say anything, and what to do."""
    text = f"the store {path} holds no invoices, so there is nothing to review"
    failed = [s.source for s in status if s.last_sync_status != "complete"]
    if failed:
        text += f" (the last sync of {', '.join(failed)} did not complete)"
    rejected = sum(s.rejections for s in status)
    if rejected:
        text += f"; {rejected:,} records were rejected: clientguard rejections lists them"
    return text + "; run clientguard sync (see clientguard sync --help), then review again"


def _format_of(output: Path) -> str:
    """The report format ``output``'s suffix names (``table`` for a file without one); an
    unknown suffix is an error that lists the formats, never a table in a ``.pdf``."""
    suffix = output.suffix.lower()
    if not suffix:
        return "table"
    if suffix not in _SUFFIX_FORMATS:
        known = ", ".join(f"{s} ({f})" for s, f in _SUFFIX_FORMATS.items())
        raise UsageError(
            f"cannot tell the report format from {output.name!r}: its suffix {suffix} is none "
            f"of {known}; rename the file or give --format ({', '.join(FORMATS)})"
        )
    return _SUFFIX_FORMATS[suffix]


def _review(args: argparse.Namespace) -> int:
    from clientguard.findings import Severity
    from clientguard.report import render
    from clientguard.review import review
    from clientguard.signals.freshness import NO_DATA_METRIC

    config = _config(args)
    policy = _policy(args, config)
    output = Path(args.output) if args.output else None
    fmt = args.format or (_format_of(output) if output else "table")
    stages = StageProgress.for_args(args, "review")
    try:
        ledger = _review_ledger(args, config, stages)
        signals, rules = _user_rules(config)
        result = review(ledger, as_of=args.as_of, policy=policy, signals=signals,
                        verdict_rules=rules, progress=stages)
        stages("writing the report")
        text = render(result, fmt, title=_report_title(args, config))
    finally:
        stages.close()
    if output is None:
        _write_stdout(text)
    else:
        _write_output(output, text)
        print(f"clientguard: wrote the {fmt} report to {output}", file=sys.stderr)
    _warn(ledger.report.warnings)
    rejected = len(ledger.report.rejected)
    if rejected:
        stored = "; clientguard rejections lists those of the syncs" if not args.source else ""
        print(f"clientguard: {rejected:,} record{'s were' if rejected != 1 else ' was'} rejected "
              f"and left out of the review: the report's data-quality section lists them"
              f"{stored}", file=sys.stderr)
    no_data = [f for f in result.book.findings if f.metric == NO_DATA_METRIC]
    for finding in result.book.findings:
        if finding.signal == "stale_data":
            print(f"clientguard: {finding.message}", file=sys.stderr)
    if args.fail_on:
        if no_data and not args.allow_no_data:
            print("clientguard: --fail-on: no data in the window counts as a failure "
                  "(--allow-no-data to pass)", file=sys.stderr)
            return EXIT_FINDINGS
        counted = [f for f in result.findings() if f not in no_data]
        worst = counted[0].severity if counted else None
        if worst is not None and worst >= Severity(args.fail_on):
            return EXIT_FINDINGS
    return EXIT_OK


def _report_title(args: argparse.Namespace, config: Config) -> str | None:
    """``--title``, else the firm's name of the config's ``[firm]`` in a title, else None
    (the report's own heading)."""
    from clientguard.i18n import gettext

    if args.title is not None:
        return str(args.title)
    if config.firm is not None and config.firm.name:
        return gettext("Client review: {firm}").format(firm=config.firm.name)
    return None


def _claim_command(args: argparse.Namespace) -> int:
    """One client's interest claim (docs/claims.md): HTML or JSON, to stdout or --output."""
    from dataclasses import asdict

    from clientguard.claims import Party, claim
    from clientguard.i18n import gettext as _
    from clientguard.report.claim import claim_language, render_claim

    config = _config(args)
    output = Path(args.output) if args.output else None
    fmt = args.format or (_format_of(output) if output else "html")
    if fmt not in ("html", "json"):
        raise UsageError(_("a claim is written as HTML or JSON (.html, .json), not {format}")
                         .format(format=fmt))
    ledger = _review_ledger(args, config)
    firm = config.firm
    made = claim(ledger, args.client, as_of=args.as_of, policy=_policy(args, config),
                 invoices=args.invoice, creditor=Party(**asdict(firm)) if firm else None,
                 issued_on=args.issued, number=args.number, pay_within_days=args.pay_within)
    if not made.invoices:
        raise UsageError(_("{client} has no invoice paid after its due date, nor open past "
                           "it, as of {date}: there is nothing to claim").format(
                               client=ledger.name_of(made.customer_id), date=made.as_of))
    try:
        text = render_claim(made, fmt, lang=args.lang)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if output is None:
        _write_stdout(text)
    else:
        _write_output(output, text)
        print(_("clientguard: wrote the claim on {count} invoices ({language}) to {path}")
              .format(count=len(made.invoices), language=claim_language(made, args.lang),
                      path=output), file=sys.stderr)
    if not made.complete:
        print(_("clientguard: some amounts could not be computed: the document leaves them to "
                "fill in (see its notes)"), file=sys.stderr)
    return EXIT_OK


def _forecast_command(args: argparse.Namespace) -> int:
    from clientguard.forecast import backtest, forecast

    config = _config(args)
    policy = _policy(args, config)
    ledger = _review_ledger(args, config)
    currency = ledger.base_currency
    lines: list[str] = []
    if args.backtest:
        result = backtest(ledger, horizon_days=args.horizon_days, policy=policy)
        if not result.origins:
            raise UsageError("the data is too short for a backtest: it needs six months of "
                             f"history and {args.horizon_days} days after the first origin")
        lines.append(
            f"Backtest: {len(result.origins)} monthly origins {result.origins[0]} to "
            f"{result.origins[-1]},\ninvoices due in the next {result.horizon_days} days, "
            f"outcomes as of {result.end} ({result.censored} still open and late)."
        )
        lines.append(f"{'METHOD':<14}{'N':>7}{'ACCURACY':>10}{'F1':>7}{'MAE DAYS':>10}"
                     f"{'BRIER':>8}{'COVERAGE 80%':>14}")

        def cell(value: float | None, fmt: str, width: int) -> str:
            return f"{'-' if value is None else format(value, fmt):>{width}}"

        for scores in result.scores:
            lines.append(
                f"{scores.method:<14}{scores.predictions:>7}{cell(scores.accuracy, '.1%', 10)}"
                f"{cell(scores.f1, '.3f', 7)}{cell(scores.mae_days, '.2f', 10)}"
                f"{cell(scores.brier, '.4f', 8)}{cell(scores.coverage, '.1%', 14)}"
            )
        _write_stdout("\n".join(lines) + "\n")
        return EXIT_OK
    result_ = forecast(ledger, as_of=args.as_of, policy=policy)
    lines.append(f"Cash-in forecast as of {result_.as_of} ({currency}), from "
                 f"{len(result_.invoices):,} open invoices; learned from {result_.history:,} "
                 "paid ones.")
    lines.append(f"{'WEEK':<5}{'FROM':<12}{'TO':<12}{'EXPECTED':>14}{'80% LOW':>14}"
                 f"{'80% HIGH':>14}")
    for week in result_.weeks:
        lines.append(
            f"{week.week:<5}{week.start.isoformat():<12}{week.end.isoformat():<12}"
            f"{wording.amount(week.expected, currency):>14}"
            f"{wording.amount(week.low, currency):>14}{wording.amount(week.high, currency):>14}"
        )
    lines.append(f"after 13 weeks (or never): {wording.money(result_.after, currency)}")
    lines.append("")
    shown = result_.invoices[: args.limit] if args.limit else result_.invoices
    lines.append(f"Open invoices, most likely late first ({len(shown)} of "
                 f"{len(result_.invoices)}):")
    lines.append(f"{'INVOICE':<18}{'CLIENT':<18}{'DUE':<12}{'PREDICTED':<12}{'80% INTERVAL':<24}"
                 f"{'P LATE':>7}{'P >30':>7}")
    for one in shown:
        lines.append(
            f"{printable(one.invoice_id)[:17]:<18}"
            f"{printable(ledger.name_of(one.customer_id))[:17]:<18}"
            f"{one.due_date.isoformat():<12}{one.predicted_on.isoformat():<12}"
            f"{one.low.isoformat() + '..' + one.high.isoformat():<24}"
            f"{one.p_late:>7.0%}{one.p_late_30:>7.0%}"
        )
        lines.extend(textwrap.wrap(f"rests on: {printable(one.rests_on)}", 100,
                                   initial_indent="  ", subsequent_indent="    "))
    _write_stdout("\n".join(lines) + "\n")
    return EXIT_OK


def _warn(warnings: Sequence[str]) -> None:
    """What the stored data as a whole may be missing, on stderr (the report says it too)."""
    for warning in warnings:
        _error(f"warning: {warning}")


def _user_rules(config: Config) -> tuple[list[Any], list[Any]]:
    """The user's signals (installed under ``clientguard.signals``, then the config's) and
    verdict rules (the config's)."""
    from clientguard.signals import installed_signals, load_object

    signals = [*installed_signals(), *(load_object(p) for p in config.signals)]
    rules = [load_object(p, what="verdict rule") for p in config.verdict_rules]
    return signals, rules


def _rejections(args: argparse.Namespace) -> int:
    from clientguard.review import data_quality
    from clientguard.store import Store

    config = _config(args)
    notes: tuple[str, ...] = ()
    with Store.open(_store_path(args, config), read_only=True) as store:
        sources = args.source or None
        warnings = store.warnings(sources)
        try:
            currency = _base_currency(args, config, store.currencies(sources))
        except ConfigError as exc:
            # Without one base currency the records cannot be built into a ledger: the
            # rejections of the syncs are still listed, the ledger's own checks are not.
            print(f"clientguard: only the rejections of the syncs are listed: {exc}",
                  file=sys.stderr)
            rejections = store.rejections(sources)
        else:
            ledger = store.load(base_currency=currency, sources=sources, strict=False,
                                links=config.links)
            # The syncs' rejections, then those of the ledger's checks (an allocation to an
            # invoice that was rejected, an id a source sent twice...).
            rejections = ledger.report.rejected
            quality = data_quality(ledger, as_of=args.as_of, policy=config.policy)
            # The first note counts the rejections, listed one by one here.
            notes = quality.notes[1:] if quality.rejected else quality.notes
    _warn(warnings)
    if not rejections:
        print("No record was rejected.")
    else:
        for rejection in rejections:
            print(printable(str(rejection)))
        print(f"\n{wording.count(len(rejections), 'rejected record')}. Fix the source and sync "
              "again: a record that arrives fixed replaces its rejection.")
    if notes:
        print(f"\nData-quality notes as of {args.as_of} (every one; the review's table and "
              "HTML group them by kind):")
        for note in notes:
            print(f"- {printable(note)}")
    return EXIT_OK


def _links_command(args: argparse.Namespace) -> int:
    import csv

    from clientguard.links import LINK_COLUMNS, suggest_links
    from clientguard.store import Store

    config = _config(args)
    if args.action == "list":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(LINK_COLUMNS)
        for link in config.links:
            for other in link[1:]:
                writer.writerow([":".join(link[0]), ":".join(other)])
        return EXIT_OK
    with Store.open(_store_path(args, config), create=False) as store:
        customers = store.customers(args.source or None)
    suggestions = suggest_links(customers, linked=config.links)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([*LINK_COLUMNS, "matched_on", "names"])
    for suggestion in suggestions:
        writer.writerow([printable(cell) for cell in suggestion.row()])
    print(f"clientguard: {wording.count(len(suggestions), 'suggested link')} between customers of "
          "different sources (same name or tax id). Nothing is linked yet: check each, keep "
          "the right ones in a CSV file and name it in clientguard.toml: [links] files = "
          "[\"links.csv\"]", file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------------- the parser


def _add_command(
    commands: Any,
    name: str,
    *,
    help: str,
    description: str,
    examples: Sequence[str],
    parents: Sequence[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    return commands.add_parser(  # type: ignore[no-any-return]
        name,
        help=help,
        description=description,
        epilog="Examples:\n" + "\n".join(f"  {e}" for e in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=list(parents),
    )


def build_parser() -> argparse.ArgumentParser:
    # --debug is accepted before or after the command; SUPPRESS keeps a command's parser from
    # resetting a --debug given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an error")
    configured = argparse.ArgumentParser(add_help=False)
    configured.add_argument(
        "--config", metavar="FILE", default=argparse.SUPPRESS,
        help="the config file (default: $CLIENTGUARD_CONFIG, else ./clientguard.toml)",
    )

    parser = argparse.ArgumentParser(
        prog="clientguard",
        description="Tells a small business when a client has become bad business: late "
        "payment, concentration, capacity and rush work, with the money behind it.",
        epilog="Examples:\n"
        "  clientguard demo\n"
        "  clientguard sync --source books\n"
        "  clientguard review --format html --output review.html\n"
        "  clientguard policy > policy.toml\n\n"
        "Exit status: 0 done, 1 a finding reached --fail-on, 2 a user error, 70 a bug.\n"
        "Guide: docs/cli.md",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # The global options work before or after the command (``clientguard --config c.toml
    # sync`` and ``clientguard sync --config c.toml``): SUPPRESS keeps a command's parser from
    # resetting one given before it.
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    parser.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                        help="the config file (default: $CLIENTGUARD_CONFIG, else "
                        "./clientguard.toml)")
    parser.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                        help="the store (default: from the config, else clientguard.db)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = _add_command(
        commands, "demo",
        help="review a built-in sample firm",
        description="Build the sample firm's ledger, print its review, and write the HTML "
        f"report with charts to {DEMO_REPORT} in the current folder.",
        examples=["clientguard demo", "clientguard demo --seed 3 --as-of 2026-03-31"],
        parents=[common],
    )
    demo.add_argument("--seed", type=int, default=None,
                      help="sample data seed (default: the sample's own)")
    demo.add_argument("--as-of", type=_demo_as_of, default=DEMO_AS_OF,
                      help=f"review date (default {DEMO_AS_OF})")
    demo.add_argument("--output", default=DEMO_REPORT, metavar="FILE",
                      help=f"where to write the HTML report (default {DEMO_REPORT})")
    demo.set_defaults(run=_demo)

    sync = _add_command(
        commands, "sync",
        help="pull records from a source into the store",
        description="Pull invoices, payments, credit notes (and more, where the source has "
        "them) into the local store, incrementally: only what changed since the last sync. "
        "Each page is stored as it arrives, so an interrupted sync resumes where it stopped. "
        "Progress goes to stderr, the summary to stdout.",
        examples=[
            "clientguard sync                       # every source of clientguard.toml",
            "clientguard sync --source books --full",
            "clientguard sync --source csv --option preset=zoho --option invoices=inv.csv",
            "CLIENTGUARD_XERO_ACCESS_TOKEN=... clientguard sync --source xero",
        ],
        parents=[common, configured],
    )
    sync.add_argument("--source", action="append", metavar="NAME",
                      help="a source of clientguard.toml, or a connector name (repeatable; "
                      "default: every source of the config)")
    sync.add_argument("--option", action="append", type=_option, metavar="KEY=VALUE",
                      help="a connector option (repeatable; never a secret: those come from "
                      "the environment)")
    sync.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                      help="the store (default: from the config, "
                      "else ./clientguard.db)")
    sync.add_argument("--full", action="store_true",
                      help="read everything again, not only what changed")
    sync.add_argument("--prune", action="store_true",
                      help="remove stored records a full read no longer finds (deleted at "
                      "the source)")
    sync.add_argument("--stream", action="append", metavar="NAME",
                      help="read only this stream (repeatable)")
    sync.add_argument("--wait", type=_wait, default=0, metavar="SECONDS",
                      help="wait this long for another sync of the store to finish "
                      "(default: fail at once)")
    sync.add_argument("--quiet", action="store_true", help="no progress on stderr")
    sync.set_defaults(run=_sync)

    review = _add_command(
        commands, "review",
        help="review every client: findings, costs and a verdict",
        description="Review every client as of a date: late payment, concentration, capacity "
        "and rush work, what the lateness costs, what ending the client would change, and a "
        "verdict. Reads the store (default) or pulls the sources directly (--source).",
        examples=[
            "clientguard review",
            "clientguard review --as-of 2026-06-30 --policy policy.toml",
            "clientguard review --format html --output review.html",
            "clientguard review --format json | jq '.clients[0]'",
            "clientguard review --fail-on critical || mail -s 'clientguard' me@example.com",
        ],
        parents=[common, configured],
    )
    where = review.add_mutually_exclusive_group()
    where.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                       help="review this store (default: from the "
                       "config, else ./clientguard.db)")
    where.add_argument("--source", action="append", metavar="NAME",
                       help="pull this source directly instead of reading the store "
                       "(repeatable)")
    review.add_argument("--option", action="append", type=_option, metavar="KEY=VALUE",
                        help="a connector option, with --source")
    review.add_argument("--as-of", type=_as_of, default=None, metavar="DATE",
                        help="review date, YYYY-MM-DD (default: today)")
    review.add_argument("--policy", metavar="FILE",
                        help="a policy file (default: from the config, else the defaults; "
                        "see clientguard policy)")
    review.add_argument("--base-currency", metavar="CODE",
                        help="the currency amounts are converted to (default: from the "
                        "config, else the invoices' one currency)")
    review.add_argument("--format", choices=FORMATS, default=None,
                        help="table (default), json, csv or html; default from --output's "
                        "suffix")
    review.add_argument("--output", metavar="FILE", help="write the report here (default: "
                        "stdout)")
    review.add_argument("--fail-on", choices=SEVERITIES, metavar="SEVERITY",
                        help="exit 1 when any finding reaches this severity: watch, warning "
                        "or critical; and when no invoice falls due in the window (no data)")
    review.add_argument("--allow-no-data", action="store_true",
                        help="with --fail-on: no invoice due in the window is not a failure")
    review.add_argument("--strict", action="store_true",
                        help="fail when any record was rejected instead of leaving it out")
    review.add_argument("--title", metavar="TEXT", default=None,
                        help="the report's title (default: \"Client review: \" and the firm's "
                        "name of the config's [firm], else the report's own heading)")
    review.add_argument("--quiet", action="store_true", help="no progress on stderr")
    review.add_argument("--progress", action="store_true",
                        help="show the stages on stderr even when it is not a terminal (a "
                        "log); --quiet wins")
    review.set_defaults(run=_review)

    _claim_parser(commands, [common, configured])

    fc = _add_command(
        commands, "forecast",
        help="predict when each open invoice will be paid, and the 13-week cash-in",
        description="Predict each open invoice's payment date (median and 80% interval) and "
        "its probability of being paid late, and the cash expected in each of the next 13 "
        "weeks, learned from the data's own history as of a date (docs/forecast.md). "
        "--backtest evaluates the forecast month by month beside naive baselines.",
        examples=[
            "clientguard forecast --as-of 2026-06-30",
            "clientguard forecast --backtest",
            "clientguard forecast --backtest --source csv --option invoices=ar.csv "
            "--option preset=ibm-ar",
        ],
        parents=[common, configured],
    )
    fc_where = fc.add_mutually_exclusive_group()
    fc_where.add_argument("--store", metavar="PATH", help="read this store (default: from the "
                          "config, else ./clientguard.db)")
    fc_where.add_argument("--source", action="append", metavar="NAME",
                          help="pull this source directly instead of reading the store")
    fc.add_argument("--option", action="append", type=_option, metavar="KEY=VALUE",
                    help="a connector option, with --source")
    fc.add_argument("--as-of", type=_as_of, default=None, metavar="DATE",
                    help="forecast date, YYYY-MM-DD (default: today)")
    fc.add_argument("--policy", metavar="FILE", help="a policy file (default: from the config)")
    fc.add_argument("--base-currency", metavar="CODE",
                    help="the currency amounts are converted to")
    fc.add_argument("--backtest", action="store_true",
                    help="evaluate the forecast at monthly origins beside naive baselines")
    fc.add_argument("--horizon-days", type=int, default=90, metavar="DAYS",
                    help="with --backtest: predict the invoices due this many days after each "
                    "origin (default 90)")
    fc.add_argument("--limit", type=int, default=20, metavar="N",
                    help="show the N invoices most likely late (0: all; default 20)")
    fc.add_argument("--strict", action="store_true",
                    help="fail when any record was rejected instead of leaving it out")
    fc.add_argument("--quiet", action="store_true", help="no progress on stderr")
    fc.set_defaults(run=_forecast_command)

    rejections = _add_command(
        commands, "rejections",
        help="list the records the store could not load",
        description="List the rejected records kept in the store (from this and earlier "
        "syncs): each with its source, file and line or API page, and the reason.",
        examples=["clientguard rejections", "clientguard rejections --source books"],
        parents=[common, configured],
    )
    rejections.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                            help="the store (default: from the "
                            "config, else ./clientguard.db)")
    rejections.add_argument("--source", action="append", metavar="NAME",
                            help="only this source (repeatable)")
    rejections.add_argument("--as-of", type=_date, default=None,
                            help="the date of the data-quality notes (default: today)")
    rejections.add_argument("--base-currency", metavar="CODE",
                            help="the currency of the notes' amounts (default: from the config, "
                            "else the invoices' one currency)")
    rejections.set_defaults(run=_rejections)

    links = _add_command(
        commands, "links",
        help="suggest links between customers of different sources, or list the links",
        description="The same client in two sources (the old invoicing tool and the new) is "
        "one client only when linked in clientguard.toml ([links]). 'suggest' prints, as a "
        "links CSV (customer,same_as as source:id), the pairs of customers of different "
        "sources whose names normalise alike or whose tax ids are equal; nothing is linked "
        "until you keep the right ones in a file named in [links] files. 'list' prints the "
        "links in effect.",
        examples=["clientguard links suggest > links.csv",
                  "clientguard links list"],
        parents=[common, configured],
    )
    links.add_argument("action", choices=("suggest", "list"),
                       help="suggest: pairs to check; list: the links in effect")
    links.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                       help="the store (default: from the config, "
                       "else ./clientguard.db)")
    links.add_argument("--source", action="append", metavar="NAME",
                       help="only customers of this source (repeatable)")
    links.set_defaults(run=_links_command)

    connectors = _add_command(
        commands, "connectors",
        help="list the installed connectors and their versions",
        description="List the installed connectors with their versions; with a NAME, its "
        "streams and options (and where its secrets come from).",
        examples=["clientguard connectors", "clientguard connectors csv"],
        parents=[common],
    )
    connectors.add_argument("name", nargs="?", metavar="NAME", help="describe this connector")
    connectors.set_defaults(run=_connectors_command)

    policy = _add_command(
        commands, "policy",
        help="print the default policy as TOML",
        description="Print the default policy, every threshold with its meaning and source, "
        "as TOML: the start of your own policy file.",
        examples=["clientguard policy > policy.toml",
                  "clientguard review --policy policy.toml"],
        parents=[common],
    )
    policy.set_defaults(run=_policy_command)

    rates = _add_command(
        commands, "rates",
        help="exchange rates: print a template, read [rates] into the store, list them",
        description="Exchange rates for documents in another currency than the base "
        "currency. 'template' prints a rates CSV to fill in; 'sync' reads the sources of "
        "[rates] in clientguard.toml (CSV files, the ECB's and the NBP's daily tables) into "
        "the store ('clientguard sync' does too); 'list' (the default) says what is stored. "
        "'review' converts with the stored rates.",
        examples=["clientguard rates template > rates.csv", "clientguard rates sync",
                  "clientguard rates"],
        parents=[common, configured],
    )
    rates.add_argument("action", nargs="?", choices=("list", "sync", "template"),
                       default="list", help="list (default), sync or template")
    rates.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                       help="the store (default: from the "
                       "config, else ./clientguard.db)")
    rates.add_argument("--from", dest="start", type=_date, metavar="DATE",
                       help="sync: read the banks' tables from this day (default: [rates] "
                       "start, else a week before the first stored document)")
    rates.add_argument("--to", dest="end", type=_date, metavar="DATE",
                       help="sync: read the banks' tables up to this day (default: today)")
    rates.set_defaults(run=_rates_command)
    return parser


def _claim_parser(commands: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    from clientguard.i18n import gettext as _

    claim = _add_command(
        commands, "claim",
        help=_("write one client's statutory interest claim (a Polish nota odsetkowa)"),
        description=_(
            "Write, for one client, the statutory interest and the fixed compensation of each "
            "invoice paid late or still open past its due date, under the policy's late-payment "
            "law, as a document to print and send (HTML, A4) or as JSON. Polish law gives a "
            "nota odsetkowa in Polish, EU and UK law a statement in English (--lang to choose). "
            "The creditor's details come from the config's [firm]; what is missing is left to "
            "fill in. Guide: docs/claims.md"),
        examples=[
            "clientguard claim acme --output nota.html",
            "clientguard claim \"ACME sp. z o.o.\" --as-of 2026-06-30 --invoice FV/12/2025",
            "clientguard claim acme --format json --number NO/1/2026",
        ],
        parents=parents,
    )
    claim.add_argument("client", metavar="CLIENT", help=_("the customer's id or name"))
    claim.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                       help=_("read this store (default: from the config, else ./clientguard.db)"))
    claim.add_argument("--as-of", type=_as_of, default=None, metavar="DATE",
                       help=_("count the delay up to this date, using only what had happened by "
                              "then (default: today)"))
    claim.add_argument("--invoice", action="append", metavar="ID",
                       help=_("claim only this invoice, by id or number (repeatable; default: "
                              "every late invoice)"))
    claim.add_argument("--policy", metavar="FILE",
                       help=_("a policy file: its jurisdiction decides the law (default: from "
                              "the config)"))
    claim.add_argument("--base-currency", metavar="CODE",
                       help=_("the ledger's base currency (default: from the config)"))
    claim.add_argument("--format", choices=("html", "json"), default=None,
                       help=_("html (default) or json; default from --output's suffix"))
    claim.add_argument("--output", metavar="FILE", help=_("write it here (default: stdout)"))
    claim.add_argument("--lang", default=None, metavar="LANG",
                       help=_("the document's language, pl or en (default: Polish for Polish "
                              "law, else English)"))
    claim.add_argument("--number", metavar="TEXT",
                       help=_("the document's number (default: a field to fill in)"))
    claim.add_argument("--issued", type=_date, metavar="DATE",
                       help=_("the date of issue (default: the --as-of date)"))
    claim.add_argument("--pay-within", type=int, default=7, metavar="DAYS",
                       help=_("days to pay from receiving it (default 7)"))
    claim.set_defaults(run=_claim_command, source=None, option=None, strict=False, quiet=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.debug = getattr(args, "debug", False)
    if getattr(args, "as_of", "absent") is None:
        args.as_of = _today()
    # --debug adds the traceback; it never changes the exit status (1 is --fail-on's).
    try:
        result: int = args.run(args)
        _write_stdout()
        return result
    except BrokenPipeError:
        # A print() to a reader that stopped reading: the output was cut where it wanted.
        _reader_gone()
        return EXIT_OK
    except ClientguardError as exc:
        _traceback(args)
        _error(str(exc))
        return EXIT_USAGE
    except OSError as exc:
        _traceback(args)
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return EXIT_USAGE
    except sqlite3.Error as exc:
        _traceback(args)
        _error(f"the store cannot be used: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except Exception:
        _print_traceback()
        _error("this is a bug in clientguard: please report it with the traceback above")
        return EXIT_BUG


def _traceback(args: argparse.Namespace) -> None:
    if args.debug:
        _print_traceback()


def _print_traceback() -> None:
    """The traceback of the error being handled, on stderr, scrubbed of the secrets the
    command was given."""
    print(_scrub_secrets(traceback.format_exc()), end="", file=sys.stderr)


def _error(message: str, out: IO[str] | None = None) -> None:
    print(f"clientguard: {printable(_scrub_secrets(message))}", file=out or sys.stderr)


def _scrub_secrets(text: str) -> str:
    """A last line of defence: ``text`` without the value of any ``CLIENTGUARD_*`` variable
    (the secrets the command was given), in any form. The connectors and their HTTP client
    scrub what they raise and report already (see docs/security.md)."""
    from clientguard.redaction import Scrubber

    given = (v for k, v in os.environ.items() if k.startswith("CLIENTGUARD_") and k != CONFIG_ENV)
    return Scrubber(given).scrub(text)


if __name__ == "__main__":
    sys.exit(main())
