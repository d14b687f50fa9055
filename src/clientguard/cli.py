"""The ``clientguard`` command.

Commands: ``demo``, ``sync``, ``review``, ``rejections``, ``links``, ``connectors``,
``policy``; memory (docs/history.md): ``history``, ``changes``, ``notify``. Each has
``--help`` with examples; ``docs/cli.md`` is the guide.

Exit status (for scripts and cron jobs):

* 0: done (and, with ``review --fail-on``, no finding reached that severity);
* 1: ``review --fail-on``: a finding reached that severity;
* 2: a user error (a missing file, a bad date, an unknown connector, bad credentials, a
  store in use). One clear message on stderr, no traceback; ``--debug`` shows it;
* 70: a bug in clientguard: the traceback is printed, please report it;
* 130: interrupted (Ctrl-C).

The CLI is the one place that reads the clock: the default ``--as-of`` is today.

Language (docs/languages.md): ``--lang en|pl`` (before or after the command), else ``lang`` in
clientguard.toml, else the locale (``LANG``), else English. It is known before the parser is
built, so ``--help`` (argparse's own words too), the messages, the errors and the reports are
all in it; the command runs inside :func:`clientguard.i18n.using`.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
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
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

from clientguard import i18n, wording
from clientguard.argparsing import HelpFormatter as _HelpFormatter
from clientguard.argparsing import Parser as _Parser
from clientguard.config import (
    CONFIG_ENV,
    Config,
    SourceConfig,
    config_language,
    connector_options,
    load_config,
    secret_variable,
)
from clientguard.connector import ProgressEvent
from clientguard.errors import (
    ClientguardError,
    ConfigError,
    DataError,
    UnknownConnectorError,
    os_reason,
)
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext, npgettext, pgettext
from clientguard.ledger import Ledger
from clientguard.report.text import fit, pad, printable, wrap

if TYPE_CHECKING:
    from clientguard.metrics.cost import Acknowledgement
    from clientguard.store import Store, StreamResult, SyncResult


# Internal (the command's own plumbing), left out of __all__: UsageError, OutputError,
# ledger_summary, SyncProgress, DEMO_AS_OF, DEMO_REPORT, SEVERITIES, FORMATS, command_language.
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
        raise argparse.ArgumentTypeError(
            _("{value} is not a date in YYYY-MM-DD form").format(value=repr(text))) from None


def _currency(text: str) -> str:
    """A base currency given on the command line: an ISO 4217 code, upper case as the
    records and the config write it (``eur`` is refused with ``EUR`` suggested, like the
    config's ``base_currency``)."""
    from clientguard.money import is_currency

    if is_currency(text):
        return text
    hint = _("; did you mean {code}?").format(code=repr(text.strip().upper())) \
        if is_currency(text.strip().upper()) else ""
    raise argparse.ArgumentTypeError(
        _("{value} is not an ISO 4217 currency code such as \"EUR\"{hint}").format(
            value=repr(text), hint=hint))


def _as_of(text: str, *, margin: int = 0) -> date:
    """A review date: a date between the first and last a record may carry (``margin`` years
    inside them)."""
    from clientguard.model import FIRST_DATE, LAST_DATE

    day = _date(text)
    first = FIRST_DATE.replace(year=FIRST_DATE.year + margin)
    last = LAST_DATE.replace(year=LAST_DATE.year - margin)
    if not first <= day <= last:
        raise argparse.ArgumentTypeError(
            _("{value} is outside the dates clientguard reviews: give one from {first} to "
              "{last}").format(value=text, first=first, last=last)
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
        raise argparse.ArgumentTypeError(_("{value} is not KEY=VALUE").format(value=repr(text)))
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
            _("{value} is not a number of seconds (0 or more, e.g. 30)").format(value=repr(text))
        )
    return seconds


@contextlib.contextmanager
def _said_with_wait() -> Iterator[None]:
    """A busy store's error (the library's names the Python call's ``wait=SECONDS``) naming
    the command line's ``--wait SECONDS`` instead."""
    from clientguard.store import StoreLockedError

    try:
        yield
    except StoreLockedError as exc:
        raise exc.for_command_line() from None


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
        raise OutputError(_("cannot write {path}: {reason}").format(
            path=path, reason=os_reason(exc))) from None
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
                _("cannot write {path}: {reason}; the file was left as it was").format(
                    path=path, reason=os_reason(exc))
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
        raise OutputError(_("cannot write to stdout: {reason}").format(
            reason=os_reason(exc))) from None


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
    rows = [
        (_("customers:"), str(len(ledger.customer_ids))),
        (_("invoices:"), str(counts.get("invoices", 0))),
        (_("payments:"), str(counts.get("payments", 0))),
        (_("credit notes:"), str(counts.get("credit_notes", 0))),
        (_("time entries:"), str(counts.get("time_entries", 0))),
        (_("work requests:"), str(counts.get("work_requests", 0))),
        (_("issued:"), _("{first} to {last}").format(first=span[0], last=span[1]) if span
         else _("(no invoices)")),
        (_("open balance:"), _("{amount} as of {date}").format(
            amount=wording.money(open_base, ledger.base_currency), date=as_of)),
        (_("rejected:"), str(len(ledger.report.rejected))),
    ]
    # The values in one column, one space after the longest label (14 columns in English).
    width = max(len(label) for label, _value in rows) + 1
    return [f"{label:<{width}}{value}" for label, value in rows]


# --------------------------------------------------------------------------- connectors


def _connector(
    source: SourceConfig,
    given: Mapping[str, Any] | None,
    progress: Callable[[ProgressEvent], None] | None,
) -> Any:
    from clientguard.connector import OptionsError

    cls = _load_connector(source.connector, source)
    options = connector_options(source, cls, given=given)
    try:
        return cls(progress=progress, **options)
    except OptionsError as exc:
        # A value of the wrong kind from the config file is named where the user wrote it,
        # as a wrong value of the config is: sources.books.invoices (one given by --option,
        # and an unknown option, keep the connector's words).
        from_file = [(option, text) for option, text in exc.problems
                     if option in source.options and option not in (given or {})]
        if not from_file or len(from_file) < len(exc.problems):
            raise
        raise ConfigError("; ".join(f"sources.{source.name}.{option}: {text}"
                                    for option, text in from_file)) from None


def _load_connector(name: str, source: SourceConfig | None = None) -> Any:
    """The connector class named ``name``; one that is not installed is an error in the
    reader's language that suggests the nearest installed name (``cvs``: ``csv``) and, for a
    ``[sources.NAME]`` table without ``connector`` whose name is no connector, the key it
    misspelt (``conector``)."""
    import difflib

    from clientguard import connectors

    installed = list(connectors.available())
    if name in installed:
        return connectors.load(name)
    names = ", ".join(installed) or _("none")
    if source is not None and source.connector == source.name:
        typo = difflib.get_close_matches("connector", list(source.options), n=1)
        if typo:
            raise ConfigError(_(
                "source {source}: unknown key {key}; did you mean 'connector'? (without "
                "connector, a source's connector is its name, and no connector named {name} "
                "is installed; installed: {names})"
            ).format(source=repr(source.name), key=repr(typo[0]), name=repr(name),
                     names=names))
    where = _("source {source}: ").format(source=repr(source.name)) \
        if source is not None and source.name != name else ""
    close = difflib.get_close_matches(name, installed, n=1)
    if close:
        raise UnknownConnectorError(where + _(
            "no connector named {name} is installed; did you mean {close}? (installed: {names})"
        ).format(name=repr(name), close=repr(close[0]), names=names))
    raise UnknownConnectorError(where + _(
        "no connector named {name} is installed ({how}); installed: {names}"
    ).format(name=repr(name), names=names, how=_install_how()))


def _install_how() -> str:
    """How a connector is installed (docs/install.md): from the checkout, with the core; the
    distributions are on no package index, so no ``pip install clientguard-NAME``."""
    return _("connectors are installed from the clientguard checkout, with the core: "
             "pip install . ./connectors/csv; see docs/install.md")


def _sources(args: argparse.Namespace, config: Config) -> list[SourceConfig]:
    names: list[str] = list(args.source or [])
    if not names:
        names = list(config.sources)
    if not names:
        if config.path:
            text = _("no source to read: pass --source NAME (a connector, e.g. csv) or add "
                     "[sources.NAME] tables in {path}").format(path=config.path)
        else:
            text = _("no source to read: pass --source NAME (a connector, e.g. csv) or add "
                     "[sources.NAME] tables (no clientguard.toml here)")
        raise UsageError(text)
    if getattr(args, "option", None) and len(names) > 1:
        raise UsageError(_("--option applies to one source: pass exactly one --source with it"))
    for name in names:
        _misspelt_source(name, config)
    return [config.source(name) for name in names]


def _misspelt_source(name: str, config: Config) -> None:
    """A ``--source`` that is neither a configured source nor an installed connector, but
    close to a configured source's name (``faktry``, ``faktury``): the source is suggested,
    as a misspelt key of the config is, rather than an uninstalled connector of that name."""
    import difflib

    from clientguard import connectors

    if name in config.sources or name in connectors.available():
        return
    close = difflib.get_close_matches(name, list(config.sources), n=1)
    if not close:
        return
    where = str(config.path) if config.path else "clientguard.toml"
    raise UsageError(_(
        "no source named {name} in {path}; did you mean {close}? (the sources it defines: "
        "{names})"
    ).format(name=repr(name), path=where, close=repr(close[0]),
             names=", ".join(config.sources)))


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
                _("{source}: waiting {seconds} s: {reason}").format(
                    source=self.source, seconds=wording.number(round(seconds)),
                    reason=event.reason or _("rate limit")),
                final=True,
            )
            return
        text = _("{source} {stream}: {records} in {pages}").format(
            source=self.source, stream=event.stream or "?",
            records=ngettext("{n} record", "{n} records", event.records).format(
                n=wording.number(event.records)),
            pages=npgettext("sync progress: records in N pages", "{n} page", "{n} pages",
                            event.pages).format(
                n=wording.number(event.pages)),
        )
        if event.rejected:
            text += _(", {n} rejected").format(n=wording.number(event.rejected))
        if event.event == "stream_done":
            if event.records or event.rejected:
                self._line(text, final=True)
            elif self.open_line:
                self._line("", final=False)
        elif self.live:
            if event.read is not None and event.total:
                share = min(event.read, event.total) * 100 // event.total
                text += _(", {share}% read").format(share=share)
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
        text = printable(_("clientguard {command}: {stage}").format(
            command=self.command, stage=stage))
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

    output = Path(args.output)
    # The format by the suffix, as review --output: a .json gets JSON, a .pdf is refused
    # before any work (docs/cli.md, "--format").
    fmt = _format_of(output)
    ledger = (
        sample_ledger(as_of=args.as_of)
        if args.seed is None
        else sample_ledger(seed=args.seed, as_of=args.as_of)
    )
    result = review(ledger, as_of=args.as_of)
    if args.seed is None:
        print(_("clientguard demo: a sample firm's books as of {date}").format(date=args.as_of))
    else:
        print(_("clientguard demo: a sample firm's books as of {date} (seed {seed})").format(
            date=args.as_of, seed=args.seed))
    for line in ledger_summary(ledger, as_of=args.as_of):
        print(f"  {line}")
    print()
    print(render(result, "table", title=_("Sample firm")), end="")
    _write_output(output, render(result, fmt, title=_("Sample firm (clientguard demo)")))
    if fmt == "html":
        print("\n" + _("The report with charts: {path} (open it in a browser).").format(
            path=output))
    else:
        print("\n" + _("The report: {path}.").format(path=output))
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
        print(_("No connectors are installed: {how}.").format(how=_install_how()))
        return EXIT_OK
    rows = []
    for name, info in found.items():
        try:
            summary = connectors.load(name).describe().summary
        except ClientguardError as exc:
            summary = _("(fails to load: {error})").format(error=exc)
        rows.append((name, info.version or "-", info.distribution or _("(registered)"), summary))
    head = (_("name"), _("version"), _("distribution"), _("summary"))
    widths = [max(len(r[i]) for r in (*rows, head)) for i in range(3)]
    print(f"{head[0]:<{widths[0]}}  {head[1]:<{widths[1]}}  {head[2]:<{widths[2]}}  {head[3]}")
    for row in rows:
        print(printable(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  "
                        f"{row[3]}"))
    print("\n" + _("Options of one connector: clientguard connectors NAME"))
    return EXIT_OK


def _describe_connector(name: str) -> int:
    from clientguard import connectors

    info = _load_connector(name).describe()
    found = connectors.available().get(name)
    version = f" {found.version}" if found and found.version else ""
    print(printable(f"{info.name}{version}: {info.summary}"))
    print("\n" + _("streams:"))
    for stream in info.streams:
        how = _("incremental") if stream.incremental else _("read in full")
        line = f"  {stream.name} ({stream.kind}, {how})"
        print(printable(line + (f": {stream.description}" if stream.description else "")))
    print("\n" + _("options:"))
    for option in info.options:
        if option.secret:
            note = _("secret: from ${variable}").format(
                variable=secret_variable(name, option.name))
        elif option.required:
            note = _("required")
        elif option.default is not None:
            note = _("default {value}").format(value=option.default)
        else:
            note = _("optional")
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
                with connector, _said_with_wait():
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
                _error(_("source {source}: {error}").format(source=source.name, error=exc))
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
        print(printable(_scrub_secrets(_("clientguard: rates: {error}").format(error=exc))),
              file=sys.stderr)
        return 1
    return 0


def _rates_command(args: argparse.Namespace) -> int:
    from clientguard.fx.files import template
    from clientguard.store import Store

    if args.action == "template":
        sys.stdout.write(template())
        return EXIT_OK
    config = _config(args)
    if args.action == "sync":
        if config.rates is None:
            raise ConfigError(_(
                "clientguard.toml has no [rates] table; add one: file = \"rates.csv\" "
                "(clientguard rates template prints one), or [rates.ecb] / [rates.nbp]"
            ))
        with Store.open(_store_path(args, config)) as store:
            failed = _sync_rates(store, config, args.debug, args.start, args.end)
            return EXIT_USAGE if failed else EXIT_OK
    with Store.open(_store_path(args, config), create=False) as store:
        summary = store.rates_summary()
    if not summary:
        print(_("No exchange rates are stored. Add [rates] to clientguard.toml and run "
                "clientguard rates sync."))
        return EXIT_OK
    for source, base, currencies, count, first, last in summary:
        kinds = npgettext("rates: N rates of N currencies", "{n} currency", "{n} currencies",
                          currencies).format(
            n=wording.number(currencies))
        rates = ngettext("{n} rate", "{n} rates", count).format(n=wording.number(count))
        print(_("{source}: {rates} of {currencies} in {base}, {first} to {last}").format(
            source=source, rates=rates, currencies=kinds, base=base, first=first, last=last))
    return EXIT_OK


def _print_sync(result: SyncResult, store: Store, store_path: Path) -> None:
    def counts(item: SyncResult | StreamResult) -> str:
        text = _("{new} new, {updated} updated, {unchanged} unchanged, {rejected} "
                 "rejected").format(new=wording.number(item.new),
                                    updated=wording.number(item.updated),
                                    unchanged=wording.number(item.unchanged),
                                    rejected=wording.number(item.rejected))
        if item.removed:
            text += _(", {n} removed").format(n=wording.number(item.removed))
        # An identical row again (or a record a source paged twice): stored once, said here.
        folded = item.duplicates
        if folded:
            text += ngettext(", {n} duplicate row folded", ", {n} duplicate rows folded",
                             folded).format(n=wording.number(folded))
        return text

    print(_("{source} ({connector}) -> {store}: {counts}").format(
        source=result.source, connector=result.connector, store=store_path,
        counts=counts(result)))
    for stream in result.streams:
        if (stream.new or stream.updated or stream.unchanged or stream.rejected or stream.removed
                or stream.duplicates):
            line = f"  {stream.stream}: {counts(stream)}"
            if len(stream.new_by_kind) > 1:
                # A stream that yields several kinds says which: "2,466 invoice, 100 customer".
                line += " " + _("(new: {kinds})").format(kinds=", ".join(
                    wording.records_of_kind(kind, n, as_named=True)
                    for kind, n in stream.new_by_kind.items()
                ))
            print(line)
    for reason, count in result.skipped.items():
        print(printable("  " + _("left out on purpose: {n} x {reason}").format(
            n=wording.number(count), reason=reason)))
    for note in result.notes:
        print(printable("  " + _("note: {note}").format(note=note)))
    kept = sum(1 for _rejection in store.rejections([result.source]))
    if kept:
        print("  " + ngettext(
            "{n} rejected record is kept in the store: clientguard rejections --source "
            "{source}",
            "{n} rejected records are kept in the store: clientguard rejections --source "
            "{source}", kept).format(n=wording.number(kept), source=result.source))


def _base_currency(args: argparse.Namespace, config: Config, found: Sequence[str]) -> str:
    """The base currency: given, configured, or the one currency every invoice is in."""
    given = getattr(args, "base_currency", None) or config.base_currency
    if given:
        return str(given)
    if len(found) == 1:
        return found[0]
    held = (_("the invoices are in {currencies}").format(currencies=", ".join(found))
            if found else _("there are no invoices"))
    raise ConfigError(
        _("no base currency: {held}; set base_currency in clientguard.toml or pass "
          "--base-currency").format(held=held)
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
    if getattr(args, "option", None) and not args.source:
        # Options are a connector's: without --source the store is read, and an --option
        # left unused would review other data than the one the user named.
        raise UsageError(_("--option goes with --source: pass the source to pull directly "
                           "(e.g. --source csv --option invoices=invoices.csv), or leave "
                           "--option out to review the store"))
    if args.source:
        sources = _sources(args, config)
        given = _options(args.option)
        pulls = []
        for source in sources:
            progress = SyncProgress(sys.stderr, source.name, live=sys.stderr.isatty())
            shown = stages.enabled if stages is not None else not args.quiet
            with _connector(source, given, progress if shown else None) as connector:
                pulled = pull(connector, source=source.name)
            progress.close()
            for note in pulled.notes:
                print(printable(_("clientguard: source {source}: note: {note}").format(
                    source=source.name, note=note)), file=sys.stderr)
            pulls.append((source, pulled))
        # One base currency for every source, from the invoices of all of them: a source of
        # payments or hours only has no invoice to tell it, and two sources each in its own
        # currency would otherwise be two ledgers that cannot be merged.
        currencies = sorted({
            str(getattr(r, "currency", ""))
            for _source, pulled in pulls for r in pulled.records if r.kind == "invoice"
        })
        base = _base_currency(args, config, currencies)
        rows = []
        if config.rates is not None and any(
            str(getattr(r, "currency", base)) != base
            for _source, pulled in pulls for r in pulled.records
        ):
            days = [d for _source, pulled in pulls for r in pulled.records
                    if isinstance(d := getattr(r, "issue_date", getattr(r, "date", None)),
                                  date)]
            rows = pull_rates(config.rates, end=_today(), first=min(days, default=None))
        fx = table_from(rows, base, config.rates, stored=False)
        ledgers = []
        # Several sources are built leniently and judged strictly once merged: a source's
        # record may need another's (a time tracker's entry names a client only the books'
        # customers have), so a problem of one source alone is no problem until the merge.
        several = len(pulls) > 1
        for source, pulled in pulls:
            if stages is not None:
                stages(_("building the ledger of {source}").format(source=source.name))
            ledgers.append(
                Ledger.build(
                    pulled.records,
                    base_currency=base,
                    fx=fx,
                    strict=strict and not several,
                    rejected=pulled.rejected,
                    notes=[f"{source.name}: {note}" for note in pulled.notes],
                    locations=pulled.locations,
                    links=config.links,
                )
            )
        ledger = ledgers[0]
        for other in ledgers[1:]:
            ledger = ledger.merge(other, strict=False)
        if strict and several and ledger.report.rejected:
            raise DataError.from_problems(
                ledger.report.rejected, what=pgettext("problems in", "the ledger's records"))
    else:
        path = _store_path(args, config)
        if stages is not None:
            stages(_("loading the store and building the ledger"))
        with Store.open(path, read_only=True) as store:
            status = store.status()
            if not any(s.records.get("invoice") for s in status):
                raise UsageError(_empty_store(path, status))
            currency = _base_currency(args, config, store.currencies())
            fx = table_from(store.rates(), currency, config.rates)
            ledger = store.load(base_currency=currency, fx=fx, strict=strict,
                                links=config.links)
            _warn_unconfigured(store.sources(), config)
    _check_rates(ledger, config)
    _warn_unknown_links(ledger, config)
    return ledger


def _check_rates(ledger: Ledger, config: Config) -> None:
    """Say so when documents in a currency the exchange rates do not hold at all were left
    out (docs/cli.md, "Exchange rates"): a usage error when no invoice is left (a review in
    ``--base-currency USD`` of a ledger in EUR and PLN without any rate would say only that
    the window has no data), else a warning on stderr before the review of what is left, whose
    report lists each document left out (a lenient review keeps going; ``--strict`` stops at
    the first). A rate missing on some days only is a rejection of those documents, listed
    as any other."""
    from clientguard.money import is_currency

    held = ledger.fx.rates if ledger.fx is not None else {}
    missing: dict[str, int] = {}
    for rejection in ledger.report.rejected:
        currency = getattr(rejection.record, "currency", None)
        # "currency" where a table was given, "fx_rate" where none was.
        if (rejection.field in ("currency", "fx_rate") and isinstance(currency, str)
                and currency != ledger.base_currency and is_currency(currency)
                and getattr(rejection.record, "fx_rate", None) is None
                and not held.get(currency)):
            missing[currency] = missing.get(currency, 0) + 1
    if not missing:
        return
    documents = npgettext("documents left out of a review", "{n} document",
                          "{n} documents", sum(missing.values()))
    rates = config.rates
    configured = rates is not None and bool(rates.files or rates.banks)
    message = (_(
        # [rates] is there, but none of its sources holds these currencies.
        "the exchange rates of [rates] hold no rate from {currencies} to the base currency "
        "{base}, so the review would leave out {documents} in them. Add them to the rates "
        "file, or read a bank that publishes them ([rates.ecb], [rates.nbp]), and run "
        "clientguard rates sync; or review in the documents' own currency "
        "(--base-currency {first})"
    ) if configured else _(
        "no exchange rates from {currencies} to the base currency {base}, so the review "
        "would leave out {documents} in them. Add the rates to clientguard.toml (a [rates] "
        "table with file = \"rates.csv\", which clientguard rates template prints, or "
        "[rates.ecb], [rates.nbp]) and run clientguard rates sync; or review in the "
        "documents' own currency (--base-currency {first})"
    )).format(
        currencies=wording.and_list(sorted(missing)), base=ledger.base_currency,
        documents=documents.format(n=wording.number(sum(missing.values()))),
        # The currency most of the documents left out are in.
        first=max(sorted(missing), key=lambda code: missing[code]),
    )
    if not ledger.invoices:
        raise UsageError(message)
    _warn([message])


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
        print(_("clientguard: the links name customers the records do not hold, left out: "
                "{customers} (clientguard links suggest lists the customers' ids)").format(
                    customers=printable(", ".join(missing))), file=sys.stderr)


def _unconfigured(stored: Sequence[str], config: Config) -> list[str]:
    """The store's sources that clientguard.toml does not define (renamed, or taken out of
    it), where it defines any: a review still reads them. None without a config's sources (a
    store filled by ``sync --source CONNECTOR``)."""
    if not config.sources:
        return []
    return [source for source in stored if source not in config.sources]


def _warn_unconfigured(stored: Sequence[str], config: Config) -> None:
    """Say which stored sources the config no longer defines: their records are in the
    review (a source renamed is counted twice, under both names) until forgotten."""
    for source in _unconfigured(stored, config):
        _warn([_("the store holds the source {source}, which clientguard.toml does not define "
                 "(renamed, or taken out of it): the review counts its records too; if they "
                 "are not wanted, remove them with clientguard store forget {source} "
                 "--yes").format(source=printable(source))])


def _store_command(args: argparse.Namespace) -> int:
    from clientguard.store import Store

    config = _config(args)
    path = _store_path(args, config)
    if args.action == "forget":
        if not args.name:
            raise UsageError(_("clientguard store forget needs the name of the source to "
                               "remove (clientguard store lists them)"))
        with Store.open(path, create=False) as store:
            held = {s.source: s for s in store.status()}
            status = held.get(args.name)
            if status is not None and not args.yes:
                print(_("clientguard store forget would remove the source {source} "
                        "({connector}): {records}; nothing was removed: run it again with "
                        "--yes to remove them").format(
                    source=printable(args.name), connector=printable(status.connector),
                    records=_held_records(status.records)))
                return EXIT_OK
            # A source the store does not hold: forget's error lists those it holds.
            with _said_with_wait():
                removed = store.forget(args.name, wait=args.wait)
        print(_("removed the source {source} from {store}: {records}").format(
            source=printable(args.name), store=path, records=_held_records(removed)))
        if args.name in config.sources:
            _warn([_("{source} is still a source of clientguard.toml: the next clientguard "
                     "sync reads it again; take its [sources.{source}] table out to keep it "
                     "out").format(source=printable(args.name))])
        return EXIT_OK
    if args.name:
        raise UsageError(_("clientguard store {action} takes no source name").format(
            action=args.action))
    with Store.open(path, create=False) as store:
        statuses = store.status()
    if not statuses:
        print(_("The store {store} holds no source yet: clientguard sync fills it.").format(
            store=path))
        return EXIT_OK
    outside = set(_unconfigured([s.source for s in statuses], config))
    for status in statuses:
        line = _("{source} ({connector}): {records}").format(
            source=printable(status.source), connector=printable(status.connector),
            records=_held_records(status.records))
        if status.rejections:
            line += "; " + ngettext("{n} rejected record", "{n} rejected records",
                                    status.rejections).format(
                n=wording.number(status.rejections))
        if status.last_sync_at is None:
            line += "; " + _("never synced")
        else:
            when = status.last_sync_at.strftime("%Y-%m-%d %H:%M UTC")
            if status.last_sync_status == "complete":
                line += "; " + _("last sync {when}, complete").format(when=when)
            elif status.last_sync_status == "failed":
                line += "; " + _("last sync {when}, failed").format(when=when)
            elif status.last_sync_status == "interrupted":
                line += "; " + _("last sync {when}, interrupted").format(when=when)
            else:
                line += "; " + _("last sync {when}, did not finish").format(when=when)
        if status.source in outside:
            line += "; " + _("not a source of clientguard.toml: a review reads it too "
                             "(clientguard store forget {source} --yes removes it)").format(
                source=printable(status.source))
        print(line)
    return EXIT_OK


def _held_records(records: Mapping[str, int]) -> str:
    """What a source holds, kind by kind ("2,466 invoice, 100 customer"), or that it holds
    no record."""
    held = [wording.records_of_kind(kind, n, as_named=True)
            for kind, n in sorted(records.items()) if n]
    return ", ".join(held) if held else _("no record")


def _empty_store(path: Path, status: Sequence[Any]) -> str:
    """Why a review of a store without invoices (never synced, or a first sync that failed)
    cannot say anything, and what to do."""
    text = _("the store {path} holds no invoices, so there is nothing to review").format(
        path=path)
    failed = [s.source for s in status if s.last_sync_status != "complete"]
    if failed:
        text += " " + _("(the last sync of {sources} did not complete)").format(
            sources=", ".join(failed))
    rejected = sum(s.rejections for s in status)
    if rejected:
        text += ngettext(
            "; {n} record was rejected: clientguard rejections lists it",
            "; {n} records were rejected: clientguard rejections lists them", rejected,
        ).format(n=wording.number(rejected))
    return text + _("; run clientguard sync (see clientguard sync --help), then review again")


def _format_of(output: Path) -> str:
    """The report format ``output``'s suffix names (``table`` for a file without one); an
    unknown suffix is an error that lists the formats, never a table in a ``.pdf``."""
    suffix = output.suffix.lower()
    if not suffix:
        return "table"
    if suffix not in _SUFFIX_FORMATS:
        known = ", ".join(f"{s} ({f})" for s, f in _SUFFIX_FORMATS.items())
        raise UsageError(
            _("cannot tell the report format from {name}: its suffix {suffix} is none of "
              "{known}; rename the file or give --format ({formats})").format(
                  name=repr(output.name), suffix=suffix, known=known,
                  formats=", ".join(FORMATS))
        )
    return _SUFFIX_FORMATS[suffix]


def _review(args: argparse.Namespace) -> int:
    from clientguard.findings import Severity
    from clientguard.report import render
    from clientguard.review import review
    from clientguard.signals.freshness import NO_DATA_METRIC

    config = _config(args)
    policy = _policy(args, config)
    memory = _memory_store(args, config)
    if args.backfill:
        return _backfill(args, config, policy)
    output = Path(args.output) if args.output else None
    fmt = args.format or (_format_of(output) if output else "table")
    if args.csv_dialect is not None and fmt != "csv":
        raise UsageError(_("--csv-dialect goes with the CSV report: add --format csv (or an "
                           "--output ending in .csv)"))
    stages = StageProgress.for_args(args, "review")
    try:
        ledger = _review_ledger(args, config, stages)
        signals, rules = _user_rules(config)
        result = review(ledger, as_of=args.as_of, policy=policy, signals=signals,
                        verdict_rules=rules, progress=stages,
                        acknowledgements=_acknowledgements(args, config, ledger))
        stages(_("writing the report"))
        # The HTML report draws each client's verdicts over the store's saved reviews.
        past = None if args.source else _store_path(args, config)
        title = _report_title(args, config)
        text = render(result, fmt, title=title, csv_dialect=args.csv_dialect or "rfc4180") \
            if past is None or fmt != "html" else _html_with_history(result, past, title)
    finally:
        stages.close()
    new = _new_since_saved(result, memory, args.fail_on) if memory is not None else None
    if memory is not None and not args.no_save:
        _save_review(result, memory)
    if output is None:
        _write_stdout(text)
    else:
        _write_output(output, text)
        print(_("clientguard: wrote the {format} report to {path}").format(
            format=fmt, path=output), file=sys.stderr)
    _warn(ledger.report.warnings)
    rejected = len(ledger.report.rejected)
    if rejected:
        text = ngettext(
            "clientguard: {n} record was rejected and left out of the review: the report's "
            "data-quality section lists it",
            "clientguard: {n} records were rejected and left out of the review: the report's "
            "data-quality section lists them", rejected).format(n=wording.number(rejected))
        if not args.source:
            text += _("; clientguard rejections lists those of the syncs")
        print(text, file=sys.stderr)
    no_data = [f for f in result.book.findings if f.metric == NO_DATA_METRIC]
    for finding in result.book.findings:
        if finding.signal == "stale_data":
            print(printable(_("clientguard: {message}").format(message=finding.message)),
                  file=sys.stderr)
    if args.fail_on:
        if no_data and not args.allow_no_data:
            print(_("clientguard: --fail-on: no data in the window counts as a failure "
                    "(--allow-no-data to pass)"), file=sys.stderr)
            return EXIT_FINDINGS
        if args.fail_on.startswith("new:"):
            return EXIT_FINDINGS if new else EXIT_OK
        counted = [f for f in result.findings() if f not in no_data]
        worst = counted[0].severity if counted else None
        if worst is not None and worst >= Severity(args.fail_on):
            return EXIT_FINDINGS
    return EXIT_OK


def _acknowledgements(
    args: argparse.Namespace, config: Config, ledger: Ledger
) -> tuple[Acknowledgement, ...]:
    """The debtor's acknowledgements of its debts (docs/claims.md, "Acknowledgements"): of
    the ``--acknowledged`` files, else of the config's ``acknowledgements``; none without
    either."""
    from clientguard.acknowledgements import read_acknowledgements

    paths = _acknowledgement_paths(args, config)
    return read_acknowledgements(paths, ledger) if paths else ()


def _acknowledgement_paths(args: argparse.Namespace, config: Config) -> list[Path]:
    """The acknowledgements files: the ``--acknowledged`` ones, else the config's
    ``acknowledgements`` (``--acknowledged`` replaces them, as ``--policy`` does the
    config's policy)."""
    given = getattr(args, "acknowledged", None)
    return [Path(name) for name in given] if given else list(config.acknowledgements)


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
                 issued_on=args.issued, number=args.number, pay_within_days=args.pay_within,
                 acknowledgements=_acknowledgements(args, config, ledger))
    if not made.invoices:
        raise UsageError(_("{client} has no invoice paid after its due date, nor open past "
                           "it, as of {date}: there is nothing to claim").format(
                               client=ledger.name_of(made.customer_id), date=made.as_of))
    try:
        # The global --lang, when given, is the document's language; without it the law's
        # (a nota odsetkowa in Polish, a statement in English), whatever the messages' language.
        lang = getattr(args, "lang", None)
        text = render_claim(made, fmt, lang=lang)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if output is None:
        _write_stdout(text)
    else:
        _write_output(output, text)
        print(_("clientguard: wrote the claim on {invoices} ({language}) to {path}")
              .format(invoices=wording.count(len(made.invoices), "invoice"),
                      language=claim_language(made, lang),
                      path=output), file=sys.stderr)
    if not made.complete:
        print(_("clientguard: some amounts could not be computed: the document leaves them to "
                "fill in (see its notes)"), file=sys.stderr)
    if made.unapplied:
        # The owner's to act on: the claim counts this money as paid (docs/claims.md).
        # The ids are the source's: a control character in one is shown as its escape.
        print(printable(_(
            "clientguard: the client's payments and credit notes not yet applied in your "
            "books ({documents}) pay its invoices: the claim counts what they pay paid the "
            "day the money came (an invoice paid by its due date is on no line); apply "
            "them in your books, dated that day, before sending"
        ).format(documents=", ".join(m.document_id for m in made.unapplied))),
              file=sys.stderr)
    held = [line.number for line in made.invoices if line.disputed]
    if held:
        # The owner's to know: the letter lists them, held as the review's advice holds them.
        amounts = ", ".join(wording.money(amount, currency)
                            for currency, amount in made.disputed_totals.items() if amount)
        if not amounts:
            # Nothing of them is held (their interest and compensation time-barred, or not
            # computed): no amount to name, not "0.00 not in the totals".
            print(printable(ngettext(
                "clientguard: the client disputes invoice {invoices}: the claim shows it held "
                "until the dispute is settled, as the review holds it; no amount of it is held "
                "(its interest and compensation are time-barred or not computed: the claim "
                "says which) (docs/claims.md, \"Disputed invoices\")",
                "clientguard: the client disputes invoices {invoices}: the claim shows them "
                "held until the disputes are settled, as the review holds them; no amount of "
                "them is held (their interest and compensation are time-barred or not "
                "computed: the claim says which) (docs/claims.md, \"Disputed invoices\")",
                len(held),
            ).format(invoices=", ".join(held))), file=sys.stderr)
        else:
            print(printable(ngettext(
                "clientguard: the client disputes invoice {invoices}: the claim shows it held "
                "until the dispute is settled, its {amount} not in the totals, as the review "
                "holds it (docs/claims.md, \"Disputed invoices\")",
                "clientguard: the client disputes invoices {invoices}: the claim shows them "
                "held until the disputes are settled, their {amount} not in the totals, as the "
                "review holds them (docs/claims.md, \"Disputed invoices\")", len(held),
            ).format(invoices=", ".join(held), amount=amounts)), file=sys.stderr)
    return EXIT_OK


def _forecast_command(args: argparse.Namespace) -> int:
    from clientguard.forecast import backtest, forecast
    from clientguard.report.table import WIDTH

    config = _config(args)
    policy = _policy(args, config)
    ledger = _review_ledger(args, config)
    currency = ledger.base_currency
    lines: list[str] = []
    if args.backtest:
        # As of --as-of, as the forecast and the review: outcomes and origins end by then.
        result = backtest(ledger, horizon_days=args.horizon_days, policy=policy,
                          as_of=args.as_of)
        if not result.origins:
            raise UsageError(ngettext(
                "the data is too short for a backtest: it needs six months of history and "
                "{days} day after the first origin",
                "the data is too short for a backtest: it needs six months of history and "
                "{days} days after the first origin", args.horizon_days,
            ).format(days=args.horizon_days))
        lines.append(ngettext(
            "Backtest: {origins} {first} to {last},\ninvoices due in the next "
            "{days} day, outcomes as of {end} ({censored} still open and late).",
            "Backtest: {origins} {first} to {last},\ninvoices due in the next "
            "{days} days, outcomes as of {end} ({censored} still open and late).",
            result.horizon_days,
        ).format(origins=wording.count(len(result.origins), "monthly origin"),
                 first=result.origins[0], last=result.origins[-1], days=result.horizon_days,
                 end=result.end, censored=result.censored))
        method, accuracy, mae, coverage = (
            _("METHOD"), _("ACCURACY"), _("MAE DAYS"), _("COVERAGE 80%"))
        lines.append(f"{method:<14}{'N':>7}{accuracy:>10}{'F1':>7}{mae:>10}{'BRIER':>8}"
                     f"{coverage:>14}")

        def cell(value: float | None, fmt: str, width: int) -> str:
            return f"{'-' if value is None else wording.score(value, fmt):>{width}}"

        for scores in result.scores:
            lines.append(
                f"{scores.method:<14}{scores.predictions:>7}{cell(scores.accuracy, '.1%', 10)}"
                f"{cell(scores.f1, '.3f', 7)}{cell(scores.mae_days, '.2f', 10)}"
                f"{cell(scores.brier, '.4f', 8)}{cell(scores.coverage, '.1%', 14)}"
            )
        _write_stdout("\n".join(lines) + "\n")
        return EXIT_OK
    result_ = forecast(ledger, as_of=args.as_of, policy=policy)
    # The heading on lines of the review table's width, broken between words (never inside a
    # Polish number's no-break spaces): the Polish sentence is 107 columns on the sample.
    lines += wrap(ngettext(
        "Cash-in forecast as of {date} ({currency}), from {open} open invoice; learned from "
        "{paid}.",
        "Cash-in forecast as of {date} ({currency}), from {open} open invoices; learned from "
        "{paid}.",
        len(result_.invoices),
    ).format(date=result_.as_of, currency=currency, open=wording.number(len(result_.invoices)),
             paid=wording.count(result_.history, "paid invoice")), WIDTH)
    week_, start, end, expected, low, high = (
        _("WEEK"), _("FROM"), _("TO"), _("EXPECTED"), _("80% LOW"), _("80% HIGH"))
    lines.append(f"{week_:<5}{start:<12}{end:<12}{expected:>14}{low:>14}{high:>14}")
    for week in result_.weeks:
        lines.append(
            f"{week.week:<5}{week.start.isoformat():<12}{week.end.isoformat():<12}"
            f"{wording.amount(week.expected, currency):>14}"
            f"{wording.amount(week.low, currency):>14}{wording.amount(week.high, currency):>14}"
        )
    lines.append(_("after 13 weeks (or never): {amount}").format(
        amount=wording.money(result_.after, currency)))
    lines.append("")
    shown = result_.invoices[: args.limit] if args.limit else result_.invoices
    lines.append(_("Open invoices, most likely late first ({shown} of {total}):").format(
        shown=len(shown), total=len(result_.invoices)))
    # The invoice as its owner knows it (its number: Ledger.invoice_label) and the client,
    # each cut to its column with an ellipsis as the review's table cuts (report.text.fit):
    # 100 columns in all, as the review's.
    headings = (_("INVOICE"), _("CLIENT"), _("DUE"), _("PREDICTED"), _("80% INTERVAL"),
                _("P LATE"), _("P >30"))
    lines.append(_forecast_row(headings))
    for one in shown:
        lines.append(_forecast_row((
            printable(one.named), printable(ledger.name_of(one.customer_id)),
            one.due_date.isoformat(), _forecast_day(one.predicted_on),
            _forecast_interval(one.low, one.high),
            f"{one.p_late:.0%}", f"{one.p_late_30:.0%}",
        )))
        lines.extend(textwrap.wrap(_("rests on: {basis}").format(
            basis=printable(one.rests_on)), 100,
                                   initial_indent="  ", subsequent_indent="    "))
    _write_stdout("\n".join(lines) + "\n")
    return EXIT_OK


_FORECAST_COLUMNS = (20, 15, 10, 10, 22, 8, 9)
"""The widths of the forecast table's columns (one space between two): a 20-character
invoice number or id (a Zoho id has 19 digits), a client's name cut at 15, the dates, an
interval of two dates, and the two chances right-aligned under headings as wide as Polish
``P >30 DNI``: 100 columns, as the review's table."""


def _forecast_row(cells: tuple[str, ...]) -> str:
    """A row of the forecast table: each cell cut to its column with an ellipsis where longer
    (report.text.fit) and padded; the chances right-aligned."""
    return " ".join(
        pad(fit(cell, width), width, right=index >= 5)
        for index, (cell, width) in enumerate(zip(cells, _FORECAST_COLUMNS, strict=True))
    ).rstrip()


def _forecast_interval(low: date | None, high: date | None) -> str:
    """A forecast's 80% interval: ``low..high``, ``low..?`` where it has no end (maybe never
    paid), and ``-`` for an invoice not dated (no first day either: docs/cli.md)."""
    if low is None:
        return "-"
    return f"{low.isoformat()}..{_forecast_day(high, '?')}"


def _forecast_day(day: date | None, missing: str = "-") -> str:
    """A forecast's date; ``missing`` where it is not dated: the invoice is later than any
    paid in the history (maybe never paid), or its interval is open-ended (``?``)."""
    return day.isoformat() if day is not None else missing


def _warn_future_as_of(as_of: date, command: str) -> None:
    """Say when ``--as-of`` is after today: the core never reads the clock, so a review months
    ahead counts invoices not yet due today as overdue, and its stale-data notice says to
    sync, without a word of why; the command line, which reads the clock, says it. Said by
    :func:`_run` for every command that takes ``--as-of`` (review, forecast, claim,
    rejections, portfolio), not the demo, naming the command (``clientguard forecast``
    counts as the review does)."""
    today = _today()
    if as_of > today:
        _warn([_("--as-of {as_of} is after today ({today}): clientguard {command} counts every "
                 "invoice due by then and unpaid today as overdue, and stale-data notices "
                 "measure to that day; leave --as-of out to work as of today").format(
            as_of=wording.day(as_of), today=wording.day(today), command=command)])


def _warn(warnings: Sequence[str]) -> None:
    """What the stored data as a whole may be missing, on stderr (the report says it too)."""
    for warning in warnings:
        _error(_("warning: {warning}").format(warning=warning))


def _user_rules(config: Config) -> tuple[list[Any], list[Any]]:
    """The user's signals (installed under ``clientguard.signals``, then the config's) and
    verdict rules (the config's)."""
    from clientguard.signals import installed_signals, load_object

    signals = [*installed_signals(), *(load_object(p) for p in config.signals)]
    rules = [load_object(p, what="verdict rule") for p in config.verdict_rules]
    return signals, rules


def _rejections(args: argparse.Namespace) -> int:
    from clientguard.fx.configured import table_from
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
            print(printable(_("clientguard: only the rejections of the syncs are listed: "
                              "{error}").format(error=exc)), file=sys.stderr)
            rejections = store.rejections(sources)
        else:
            # With the rates a review converts with (the store's, as [rates] ranks them):
            # without them every document in another currency would be listed as having no
            # rate, with a remedy for Python.
            fx = table_from(store.rates(), currency, config.rates)
            ledger = store.load(base_currency=currency, fx=fx, sources=sources, strict=False,
                                links=config.links)
            # The syncs' rejections, then those of the ledger's checks (an allocation to an
            # invoice that was rejected, an id a source sent twice...).
            rejections = ledger.report.rejected
            quality = data_quality(ledger, as_of=args.as_of, policy=config.policy)
            # The first note counts the rejections, listed one by one here.
            notes = quality.notes[1:] if quality.rejected else quality.notes
    _warn(warnings)
    if not rejections:
        print(_("No record was rejected."))
    else:
        from clientguard.money import rejection_words
        from clientguard.report.text import one_line

        for rejection in rejections:
            # A missing rate in the reader's words, as the review's data quality says it; one
            # rejection, one line: a line break in a quoted cell writes no line of its own.
            print(one_line(rejection_words(rejection)))
        print("\n" + ngettext(
            "{n} rejected record. Fix the source and sync again: a record that arrives fixed "
            "replaces its rejection.",
            "{n} rejected records. Fix the source and sync again: a record that arrives fixed "
            "replaces its rejection.", len(rejections)).format(
                n=wording.number(len(rejections))))
    if notes:
        from clientguard.report.text import one_line

        print("\n" + _("Data-quality notes as of {date} (every one; the review's table and "
                       "HTML group them by kind):").format(date=args.as_of))
        for note in notes:
            print(f"- {one_line(note)}")
    return EXIT_OK


def _links_command(args: argparse.Namespace) -> int:
    import csv

    from clientguard.links import LINK_COLUMNS, suggest_links
    from clientguard.report.spreadsheet import safe_cell
    from clientguard.store import Store

    # Each cell is printable (the CSV goes to a terminal as often as to a file) and
    # neutralised (the file is opened in a spreadsheet to check the pairs). A "source:id"
    # starts with the source's name, a letter or a digit, so the two columns the links reader
    # needs stay as they are, unless an id holds a semicolon or a tab before a formula
    # character: hostile data, where the spreadsheet's safety wins.
    config = _config(args)
    if args.action == "list":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(LINK_COLUMNS)
        for link in config.links:
            for other in link[1:]:
                writer.writerow([safe_cell(":".join(customer))
                                 for customer in (link[0], other)])
        return EXIT_OK
    with Store.open(_store_path(args, config), create=False) as store:
        customers = store.customers(args.source or None)
    # The command that writes a links file does not need it to exist yet: the pairs of the
    # files there are are left out of the suggestions.
    written = dataclasses.replace(
        config, link_files=tuple(path for path in config.link_files if path.exists()))
    suggestions = suggest_links(customers, linked=written.links)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([*LINK_COLUMNS, "matched_on", "names"])
    for suggestion in suggestions:
        writer.writerow([safe_cell(cell) for cell in suggestion.row()])
    print(ngettext(
        "clientguard: {n} suggested link between customers of different sources (same name "
        "or tax id). Nothing is linked yet: check each, keep the right ones in a CSV file and "
        "name it in clientguard.toml: [links] files = [\"links.csv\"]",
        "clientguard: {n} suggested links between customers of different sources (same name "
        "or tax id). Nothing is linked yet: check each, keep the right ones in a CSV file and "
        "name it in clientguard.toml: [links] files = [\"links.csv\"]",
        len(suggestions)).format(n=wording.number(len(suggestions))), file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------------- memory
# Saved reviews, history, backfill, changes and notify (docs/history.md).


def _fail_on(text: str) -> str:
    """``--fail-on``: a severity, or ``new:`` and a severity."""
    severity = text.removeprefix("new:")
    if severity not in SEVERITIES:
        raise argparse.ArgumentTypeError(
            _("{given!r}: use watch, warning or critical, or new:watch, new:warning or "
              "new:critical").format(given=text))
    return text


def _memory_store(args: argparse.Namespace, config: Config) -> Path | None:
    """The store a review is saved in (and compared with): the reviewed store, unless
    ``--no-save`` or ``--source``. Opened once for writing, so that an older store is
    migrated before the review reads it."""
    from clientguard.store import Store

    new_fail = bool(args.fail_on and args.fail_on.startswith("new:"))
    if args.source and (new_fail or args.backfill):
        raise UsageError(_("--fail-on new:... and --backfill use the store's saved reviews: "
                           "review the store, not --source"))
    if args.backfill and (args.no_save or args.fail_on or args.output or args.format):
        raise UsageError(_("--backfill saves past reviews and prints their verdicts: it "
                           "takes none of --no-save, --fail-on, --output, --format"))
    if args.since and not args.backfill:
        raise UsageError(_("--since goes with --backfill monthly"))
    if args.backfill and not args.since:
        raise UsageError(_("--backfill monthly needs --since DATE (the first month)"))
    if args.source or (args.no_save and not new_fail):
        return None
    path = _store_path(args, config)
    if not args.no_save and path.exists() and not (
        os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    ):
        # A review of a store nobody may write still runs (a read-only copy, a locked-down
        # folder); it only cannot be kept.
        print(_("clientguard: the review is not saved: the store {path} (or its folder) is "
                "read-only; --no-save says so quietly").format(path=path), file=sys.stderr)
        args.no_save = True
    if not args.no_save and path.exists():
        Store.open(path, create=False).close()  # migrates an older store before it is read
    return path if new_fail or not args.no_save else None


def _save_review(result: Any, path: Path) -> None:
    from clientguard.history import save_review
    from clientguard.store import Store

    with Store.open(path, create=False) as store:
        save_review(store, result)


def _html_with_history(result: Any, path: Path, title: str | None) -> str:
    from clientguard.history import verdict_lines
    from clientguard.report.html import render_html
    from clientguard.store import Store

    with Store.open(path, read_only=True) as store:
        lines = verdict_lines(store, result)
    return render_html(result, title=title, history=lines)


def _new_since_saved(result: Any, path: Path, fail_on: str | None) -> list[Any]:
    """The findings of ``result`` new at ``--fail-on new:SEVERITY`` since the last saved
    review, said on stderr; [] without ``new:``."""
    from clientguard.changes import new_findings, summarize
    from clientguard.findings import Severity
    from clientguard.history import baseline, saved_summary
    from clientguard.store import Store

    if not fail_on or not fail_on.startswith("new:"):
        return []
    with Store.open(path, read_only=True) as store:
        before = baseline(store, result.as_of)
        summary = saved_summary(store, before) if before is not None else None
    new = new_findings(summary, summarize(result), Severity(fail_on.removeprefix("new:")))
    since = (_("since the review as of {as_of}").format(as_of=before.as_of) if before
             else _("(no saved review before: every finding is new)"))
    for finding in new:
        print(printable(_("clientguard: new {since}: {message}").format(
            since=since, message=finding.message)), file=sys.stderr)
    return new


def _backfill(args: argparse.Namespace, config: Config, policy: Any) -> int:
    from clientguard.history import backfill
    from clientguard.store import Store

    stages = StageProgress.for_args(args, "review")
    try:
        ledger = _review_ledger(args, config, stages)
        signals, rules = _user_rules(config)
        with Store.open(_store_path(args, config)) as store:
            saved = backfill(
                store, ledger, since=args.since, until=args.as_of, policy=policy,
                signals=signals, verdict_rules=rules,
                acknowledgements=_acknowledgements(args, config, ledger),
                progress=lambda day: stages(_("reviewing as of {day}").format(day=day)))
            rows = [(s, store.review_clients(s.id)) for s in saved]
    finally:
        stages.close()
    from clientguard.changes import word

    verdicts = ("monitor", "revise_terms", "consider_ending")
    # The heads in the reader's words, as history's table writes them; each column as wide as
    # its head (at least 15, the width of the codes it had) and the dates' column as its date.
    heads = [word(v) for v in verdicts]
    widths = [max(15, len(h)) for h in heads]
    lines = [_("as of").ljust(10) + "  " + "  ".join(
        h.rjust(w) for h, w in zip(heads, widths, strict=True))]
    for review_saved, clients in rows:
        counts = [sum(1 for c in clients if c["verdict"] == v) for v in verdicts]
        lines.append(f"{review_saved.as_of}  " + "  ".join(
            str(n).rjust(w) for n, w in zip(counts, widths, strict=True)))
    _write_stdout("\n".join(lines) + "\n")
    print(ngettext("clientguard: saved {n} review, {first} to {last}: clientguard history "
                   "shows it",
                   "clientguard: saved {n} reviews, {first} to {last}: clientguard history "
                   "shows them", len(saved)).format(
        n=len(saved), first=saved[0].as_of, last=saved[-1].as_of), file=sys.stderr)
    return EXIT_OK


def _history_command(args: argparse.Namespace) -> int:
    from clientguard.history import CSV_COLUMNS, KEEP_RULES, client_history, history_csv
    from clientguard.report.text import json_text, plain_json
    from clientguard.store import Store

    config = _config(args)
    if args.client == "prune" and args.client_option is None:
        return _history_prune(args, config)
    keeping = [f"--keep-{rule}" for rule in KEEP_RULES if getattr(args, f"keep_{rule}")]
    if keeping or args.yes:
        raise UsageError(_("only clientguard history prune takes {options}").format(
            options=", ".join([*keeping, *(["--yes"] if args.yes else [])])))
    if args.client is not None and args.client_option is not None:
        raise UsageError(_("give the client once: as CLIENT or as --client ID"))
    client = args.client if args.client_option is None else args.client_option
    output = Path(args.output) if args.output else None
    fmt = args.format or (_format_of(output) if output else "table")
    if fmt not in ("table", "json", "csv"):
        raise UsageError(_("history writes table, json or csv, not {fmt}").format(fmt=fmt))
    with Store.open(_store_path(args, config), read_only=True) as store:
        rows = client_history(store, client)
    # Decimals as plain decimals, as the CSV writes them (never in exponent form).
    records = plain_json([{name: getattr(row, name) for name in CSV_COLUMNS} for row in rows])
    if fmt == "json":
        # Control and bidirectional characters of a name as JSON's escapes (lossless).
        text = json_text(records)
    elif fmt == "csv":
        text = history_csv(rows)
    elif not rows:
        text = _("No saved review yet: clientguard review saves one; clientguard review "
                 "--backfill monthly --since DATE computes past ones.") + "\n"
    else:
        text = _history_table(rows)
    if output is None:
        _write_stdout(text)
    else:
        _write_output(output, text)
    return EXIT_OK


def _history_prune(args: argparse.Namespace, config: Config) -> int:
    """``clientguard history prune``: without ``--yes``, the list of what would go and why
    the rest stays; with it, the removal (docs/history.md, "Pruning")."""
    from clientguard.history import KEEP_RULES, keep_reason, prune
    from clientguard.store import Store

    if args.format or args.output:
        raise UsageError(_("history prune lists the saved reviews on stdout: it takes none of "
                           "--format, --output"))
    rules = {f"keep_{rule}": getattr(args, f"keep_{rule}") for rule in KEEP_RULES}
    path = _store_path(args, config)
    if args.yes and path.exists() and not (
        os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    ):
        raise UsageError(_("the store {path} (or its folder) is read-only: no saved review was "
                           "removed; make them writable and run it again (without --yes, "
                           "history prune only lists what it would remove)").format(path=path))
    # A dry run only reads: it works on a store nobody may write.
    with Store.open(path, create=False, read_only=not args.yes) as store:
        result = prune(store, dry_run=not args.yes, **rules)
    heading = (_("as of"), _("policy"), _("action"), _("why"))
    cells = [
        (str(d.review.as_of), d.review.policy_digest,
         _("remove") if d.removed else _("keep"),
         "; ".join(keep_reason(k) for k in d.kept_because) if not d.removed
         else _("no rule keeps it"))
        for d in result.decisions
    ]
    widths = [max(len(c[i]) for c in [heading, *cells]) for i in range(3)]
    lines = [printable("  ".join([*(c[i].ljust(widths[i]) for i in range(3)), c[3]]).rstrip())
             for c in [heading, *cells]]
    if cells:
        _write_stdout("\n".join(lines) + "\n")
    removed, kept = len(result.removed), len(result.kept)
    if result.dry_run and removed:
        print(ngettext("clientguard: history prune would remove {n} saved review and keep "
                       "{kept}; nothing was removed: run it again with --yes to remove it",
                       "clientguard: history prune would remove {n} saved reviews and keep "
                       "{kept}; nothing was removed: run it again with --yes to remove them",
                       removed).format(n=wording.number(removed), kept=wording.number(kept)),
              file=sys.stderr)
    elif removed:
        print(ngettext("clientguard: removed {n} saved review and kept {kept}; {size} of the "
                       "store freed for later reviews (the file keeps its size: "
                       "docs/history.md, \"Pruning\")",
                       "clientguard: removed {n} saved reviews and kept {kept}; {size} of the "
                       "store freed for later reviews (the file keeps its size: "
                       "docs/history.md, \"Pruning\")", removed).format(
            n=wording.number(removed), kept=wording.number(kept),
            size=_size(result.freed_bytes or 0)), file=sys.stderr)
    else:
        print(_("clientguard: no saved review to remove; kept {n}").format(
            n=wording.number(kept)), file=sys.stderr)
    return EXIT_OK


def _size(freed: int) -> str:
    """A number of bytes as a person reads it: ``512 bytes``, ``48.0 kB``, ``3.2 MB``
    (decimal units, as ``ls -lh --si``)."""
    if freed < 1000:
        return ngettext("{n} byte", "{n} bytes", freed).format(n=wording.number(freed))
    if freed < 1_000_000:
        return _("{n} kB").format(n=wording.number(Decimal(freed) / 1000, 1))
    return _("{n} MB").format(n=wording.number(Decimal(freed) / 1_000_000, 1))


def _history_table(rows: Sequence[Any]) -> str:
    from clientguard.changes import word
    from clientguard.report.text import columns, fit, pad

    heading = (_("as of"), _("client"), _("verdict"), _("severity"), _("late"),
               _("days late"), _("overdue"), _("revenue"))
    cells = [
        (str(r.as_of), r.name, word(r.verdict), word(r.severity),
         wording.percent(r.late_share), wording.days(r.weighted_days_late),
         wording.number(r.overdue, 2), wording.share(r.revenue_share))
        for r in rows
    ]
    # Each cell on one line, made printable, and the name cut to 32 display columns with an
    # ellipsis (fit): a line break in a name writes no row of its own, an escape is never
    # cut in half, and a wide character counts two columns.
    shown = [[fit(str(c[i]), 32 if i == 1 else 10_000) for i in range(len(heading))]
             for c in [heading, *cells]]
    widths = [max(columns(row[i]) for row in shown) for i in range(len(heading))]
    lines = ["  ".join(pad(row[i], widths[i], right=i >= 4)
                       for i in range(len(heading))).rstrip()
             for row in shown]
    return "\n".join(lines) + "\n"


def _keep_count(text: str) -> int:
    """``--keep-daily N`` and its kind: a whole number of 0 or more, in ASCII digits (``²``
    is a digit to ``str.isdigit`` but not to ``int``)."""
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(
            _("{given!r}: give a whole number of 0 or more").format(given=text))
    return int(text)


def _since(text: str) -> date | None:
    """``--since``: ``last`` (None) or a date."""
    return None if text == "last" else _date(text)


def _changes_command(args: argparse.Namespace) -> int:
    from clientguard.changes import compare
    from clientguard.history import reviews_to_compare, saved_summary
    from clientguard.report.text import json_text, one_line, plain_json
    from clientguard.store import Store

    config = _config(args)
    with Store.open(_store_path(args, config), read_only=True) as store:
        before, after = reviews_to_compare(store, args.since)
        found = compare(saved_summary(store, before) if before is not None else None,
                        saved_summary(store, after))
    if args.format == "json":
        # Decimals as plain decimals (pydantic's JSON mode writes a small one 9.1E-9).
        document = plain_json(found.model_dump())
        assert isinstance(document, dict)
        for change, item in zip(found.changes, document["changes"], strict=True):
            item["key"] = change.key
        text = json_text(document)
    else:
        head = (_("Changes from the review as of {before} to the one as of {after}:").format(
                    before=found.before, after=found.after) if found.before else
                _("The first saved review, as of {after}: every finding is new.").format(
                    after=found.after))
        # One change, one line: a line break in a name cannot write a change of its own.
        lines = [head, *(f"- {one_line(c.message)}" for c in found.changes)]
        if not found.changes:
            lines.append(_("Nothing changed."))
        text = "\n".join(lines) + "\n"
    if args.output:
        _write_output(Path(args.output), text)
    else:
        _write_stdout(text)
    return EXIT_OK


def _flap_count(least: int) -> Callable[[str], int]:
    """``--flap-changes N`` and the other counts of flap detection: a whole number of at
    least ``least``, in ASCII digits (``²`` is a digit to ``str.isdigit`` but not to
    ``int``)."""
    def parse(text: str) -> int:
        digits = text.strip()
        if not (digits.isascii() and digits.isdigit()) or int(digits) < least:
            raise argparse.ArgumentTypeError(
                _("{value} is not a whole number of at least {least}; --no-flap-detection "
                  "turns flap detection off").format(value=repr(text), least=least))
        return int(digits)
    return parse


def _notify_command(args: argparse.Namespace) -> int:
    from clientguard.changes import FlapRule
    from clientguard.notify import channel_from_environment, notify
    from clientguard.store import Store

    config = _config(args)
    channel = channel_from_environment(args.via)
    rule = None if args.no_flap_detection else FlapRule(
        changes=args.flap_changes, reviews=args.flap_window, settle=args.flap_settle)
    with Store.open(_store_path(args, config), create=False) as store:
        result = notify(store, channel, now=datetime.now(UTC), flapping=rule)
    print(ngettext("clientguard: notify {via}: sent {n} change ({already} sent before)",
                   "clientguard: notify {via}: sent {n} changes ({already} sent before)",
                   result.sent).format(via=args.via, n=result.sent,
                                       already=result.already_sent), file=sys.stderr)
    if result.flapping:
        print(ngettext("clientguard: notify {via}: held {n} change while flapping: {names}",
                       "clientguard: notify {via}: held {n} changes while flapping: {names}",
                       result.held).format(
                via=args.via, n=result.held,
                names=", ".join(printable(name) for name in result.flapping)),
              file=sys.stderr)
    return EXIT_OK


def _add_memory_commands(
    commands: Any, common: argparse.ArgumentParser, configured: argparse.ArgumentParser
) -> None:
    """The ``history``, ``changes`` and ``notify`` commands."""
    store_help = _("the store (default: from the config, else ./clientguard.db)")
    hist = _add_command(
        commands, "history",
        help=_("show the saved reviews' verdicts and key numbers over time"),
        description=_("Each saved review's verdict, worst severity and key numbers (late "
                      "share, weighted days late, overdue, revenue share) of one client or "
                      "all, oldest first. Reviews are saved by clientguard review; past ones "
                      "are computed by clientguard review --backfill monthly --since DATE. "
                      "'prune' thins the saved reviews by restic's retention rules "
                      "(--keep-daily, --keep-monthly...); without --yes it only lists what it "
                      "would remove, and why the rest is kept."),
        examples=["clientguard history", "clientguard history Acme",
                  "clientguard history --output history.csv",
                  "clientguard history prune --keep-daily 14 --keep-monthly 24",
                  "clientguard history prune --keep-daily 14 --keep-monthly 24 --yes"],
        parents=[common, configured],
    )
    hist.add_argument("client", nargs="?", metavar="CLIENT",
                      help=_("only this client (its id or name); prune: thin the saved reviews "
                             "(without --yes, list what would be removed)"))
    hist.add_argument("--client", dest="client_option", metavar="ID",
                      help=_("only this client id (the same as CLIENT; for a client whose id "
                             "is prune)"))
    for rule, keeps in (
        ("last", _("prune: keep the N newest reviews of each policy")),
        ("daily", _("prune: keep the newest review of each of the last N days that have one, "
                    "of each policy")),
        ("weekly", _("prune: keep the newest review of each of the last N weeks (Monday to "
                     "Sunday) that have one, of each policy")),
        ("monthly", _("prune: keep the newest review of each of the last N months that have "
                      "one, of each policy")),
        ("yearly", _("prune: keep the newest review of each of the last N years that have "
                     "one, of each policy")),
    ):
        hist.add_argument(f"--keep-{rule}", type=_keep_count, default=0, metavar="N",
                          help=keeps)
    hist.add_argument("--yes", action="store_true",
                      help=_("prune: remove them (without --yes, list what would be removed "
                             "and why the rest is kept)"))
    hist.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS, help=store_help)
    hist.add_argument("--format", choices=("table", "json", "csv"), default=None,
                      help=_("table (default), json or csv; default from --output's suffix"))
    hist.add_argument("--output", metavar="FILE", help=_("write it here (default: stdout)"))
    hist.set_defaults(run=_history_command)

    changes = _add_command(
        commands, "changes",
        help=_("what changed between two saved reviews"),
        description=_("New and cleared findings, severity and verdict changes, invoices "
                      "newly overdue and thresholds crossed, with the numbers before and "
                      "after, from an earlier saved review to the newest."),
        examples=["clientguard changes", "clientguard changes --since 2026-05-31",
                  "clientguard changes --format json"],
        parents=[common, configured],
    )
    changes.add_argument("--since", type=_since, default=None, metavar="DATE|last",
                         help=_("compare with the newest saved review of this date or "
                                "before (default: last, the one before the newest)"))
    changes.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS, help=store_help)
    changes.add_argument("--format", choices=("table", "json"), default="table",
                         help=_("table (default) or json"))
    changes.add_argument("--output", metavar="FILE", help=_("write it here (default: stdout)"))
    changes.set_defaults(run=_changes_command)

    send = _add_command(
        commands, "notify",
        help=_("send what changed since the last sent review by e-mail or to a webhook"),
        description=_("Send the changes of the newest saved review by e-mail (SMTP with "
                      "STARTTLS) or to a webhook (Slack, Teams or your own). Settings and "
                      "credentials come only from CLIENTGUARD_NOTIFY_* variables. A change "
                      "is never sent twice; a failed send is sent by the next run."),
        examples=["CLIENTGUARD_NOTIFY_WEBHOOK_URL=https://hooks.slack.com/... "
                  "clientguard notify --via webhook",
                  "clientguard review --quiet > /dev/null && clientguard notify --via email"],
        parents=[common, configured],
    )
    send.add_argument("--via", choices=("email", "webhook"), required=True,
                      help=_("email or webhook"))
    send.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS, help=store_help)
    # Flap detection (docs/history.md, "A client that flaps"): the defaults are FlapRule's.
    send.add_argument("--flap-changes", type=_flap_count(2), default=3, metavar="N",
                      help=_("a client whose verdict or worst severity changed N times "
                             "(default 3) over its last --flap-window reviews, back to one it "
                             "had, flaps: its changes are held and said once"))
    send.add_argument("--flap-window", type=_flap_count(3), default=6, metavar="REVIEWS",
                      help=_("over how many of its latest saved reviews the changes are "
                             "counted (default 6)"))
    send.add_argument("--flap-settle", type=_flap_count(2), default=3, metavar="REVIEWS",
                      help=_("a flapping client settles after this many reviews at one "
                             "verdict and severity (default 3), and is said again"))
    send.add_argument("--no-flap-detection", action="store_true",
                      help=_("hold no client's changes: send every change, every day"))
    send.set_defaults(run=_notify_command)


# --------------------------------------------------------------------------- portfolio


def _export_command(args: argparse.Namespace) -> int:
    """``clientguard export --format parquet``: the store as one firm of a lake."""
    from clientguard.fx.configured import table_from
    from clientguard.i18n import ngettext
    from clientguard.portfolio.export import export_store
    from clientguard.portfolio.layout import check_firm_id
    from clientguard.store import Store

    check_firm_id(args.firm_id)
    config = _config(args)
    sources = args.source or None
    with Store.open(_store_path(args, config), read_only=True) as store:
        currency = _base_currency(args, config, store.currencies(sources))
        fx = table_from(store.rates(), currency, config.rates)
        written = export_store(store, args.directory, args.firm_id, base_currency=currency,
                               fx=fx, sources=sources,
                               acknowledgements=_acknowledgement_paths(args, config),
                               links=config.links)
    print(ngettext("{records} record of firm {firm} written to {directory}",
                   "{records} records of firm {firm} written to {directory}", written).format(
        records=wording.number(written), firm=args.firm_id, directory=args.directory))
    return EXIT_OK


def _portfolio_command(args: argparse.Namespace) -> int:
    """``clientguard portfolio``: review every firm of a lake on an engine."""
    from clientguard.i18n import gettext as _
    from clientguard.i18n import ngettext
    from clientguard.portfolio.run import FirmOutcome, run

    config = _config(args)
    live = sys.stderr.isatty() and not args.quiet
    step = 0

    def progress(outcome: FirmOutcome, done: int, total: int) -> None:
        nonlocal step
        if args.quiet:
            return
        line = ngettext("clientguard portfolio: {done} of {total} firm done",
                        "clientguard portfolio: {done} of {total} firms done", total).format(
            done=wording.number(done), total=wording.number(total))
        if live:
            sys.stderr.write("\r\x1b[K" + line)
        elif done * 10 // total > step or done == total:  # a log: a line per tenth
            step = done * 10 // total
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    if args.scheduler and args.engine != "dask":
        raise UsageError(_("--scheduler is a Dask scheduler's address: use it with "
                           "--engine dask"))
    summary = run(args.directory, as_of=args.as_of, policy=_policy(args, config),
                  engine=args.engine, output=args.output, firms=args.firm,
                  workers=args.workers, scheduler=args.scheduler, progress=progress,
                  # The command's language (--lang, else the config's, else the locale's):
                  # the workers write the findings' messages in it.
                  lang=i18n.language())
    if live:
        sys.stderr.write("\r\x1b[K")
    for failed in summary.failed:
        print(printable(_("clientguard portfolio: firm {firm} not reviewed: {reason}").format(
            firm=failed.firm_id, reason=failed.reason)), file=sys.stderr)
    print(ngettext("{reviewed} of {firms} firm reviewed, findings: {findings}; rows in {output}",
                   "{reviewed} of {firms} firms reviewed, findings: {findings}; rows in {output}",
                   summary.firms).format(
        reviewed=wording.number(summary.reviewed), firms=wording.number(summary.firms),
        findings=wording.number(summary.findings), output=summary.output))
    return EXIT_OK


def _add_portfolio_commands(
    commands: Any,
    parents: Sequence[argparse.ArgumentParser],
    no_store: argparse.ArgumentParser,
) -> None:
    """``export`` and ``portfolio`` (docs/portfolio.md)."""
    from clientguard.i18n import gettext as _

    export = _add_command(
        commands, "export",
        help=_("write the store as one firm of a Parquet lake"),
        description=_("Write the store's records, rejections and exchange rates as one firm "
                      "of a lake in clientguard's Parquet layout (docs/portfolio.md), "
                      "replacing what the lake held of that firm, and copy the debtors' "
                      "acknowledgements files (--acknowledged, else the config's) into the "
                      "firm's acknowledgements folder there."),
        examples=["clientguard export --format parquet --firm-id acme lake/"], parents=parents,
    )
    export.add_argument("directory", metavar="DIR", help=_("the lake's folder"))
    export.add_argument("--format", choices=("parquet",), required=True,
                        help=_("the layout to write: parquet"))
    export.add_argument("--firm-id", required=True, metavar="ID",
                        help=_("the firm's id in the lake (letters, digits, '.', '_', '-')"))
    export.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                        help=_("the store (default: from the config, else ./clientguard.db)"))
    export.add_argument("--source", action="append", metavar="NAME",
                        help=_("only this source (repeatable)"))
    export.add_argument("--base-currency", metavar="CODE", type=_currency,
                        help=_("the firm's base currency (default: from the config, else the "
                               "invoices' one currency)"))
    # Copied into the firm's acknowledgements folder of the lake, where the portfolio reads
    # them (docs/portfolio.md, "A firm's acknowledgements").
    export.add_argument("--acknowledged", action="append", metavar="FILE",
                        help=_("a CSV file of the debtor's acknowledgements of its debts "
                               "(invoice or client, date, note): each made before a debt was "
                               "time-barred restarts its limitation period (repeatable; "
                               "default: acknowledgements in the config; docs/claims.md)"))
    export.set_defaults(run=_export_command)

    portfolio = _add_command(
        commands, "portfolio",
        help=_("review every firm of a Parquet lake on an engine"),
        description=_("Review every firm of a lake in clientguard's Parquet layout as of a "
                      "date, on a process pool (local), Dask or Spark, and write a summary row "
                      "per firm (firms/) and a row per finding (findings/) as Parquet under "
                      "--output. A rerun replaces each firm's rows. Progress goes to stderr."),
        examples=["clientguard portfolio lake/ --as-of 2026-06-30 --output out/",
                  "clientguard portfolio lake/ --engine dask --scheduler tcp://host:8786 "
                  "--output out/"],
        parents=[*parents, no_store],
    )
    portfolio.add_argument("directory", metavar="DIR", help=_("the lake's folder"))
    portfolio.add_argument("--engine", choices=("local", "dask", "spark"), default="local",
                           help=_("local (a process pool, the default), dask or spark"))
    portfolio.add_argument("--output", required=True, metavar="OUT",
                           help=_("where to write firms/ and findings/"))
    portfolio.add_argument("--as-of", type=_as_of, default=None, metavar="DATE",
                           help=_("review date, YYYY-MM-DD (default: today)"))
    portfolio.add_argument("--policy", metavar="FILE",
                           help=_("a policy file (default: from the config, else the defaults)"))
    portfolio.add_argument("--workers", type=int, metavar="N",
                           help=_("worker processes to start (default: one per core)"))
    portfolio.add_argument("--scheduler", metavar="ADDRESS",
                           help=_("with --engine dask: the scheduler of a running cluster"))
    portfolio.add_argument("--firm", action="append", metavar="ID",
                           help=_("only this firm (repeatable)"))
    portfolio.add_argument("--quiet", action="store_true", help=_("no progress on stderr"))
    portfolio.set_defaults(run=_portfolio_command)


# --------------------------------------------------------------------------- the parser


def _language_code(text: str) -> str:
    """``--lang``: one of the languages clientguard writes (``pl``, ``PL``, ``pl_PL``)."""
    try:
        return i18n.resolve_language(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a language clientguard writes: use one of {languages}").format(
                value=repr(text), languages=", ".join(i18n.LANGUAGES))
        ) from None


def _given(argv: Sequence[str], option: str) -> str | None:
    """The last value of ``option`` in ``argv`` (``--lang pl`` or ``--lang=pl``), read before
    the parser is built; None when it is not given."""
    value = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == option and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith(option + "="):
            value = arg.partition("=")[2]
    return value


def command_language(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """The language a command line runs in: ``--lang``, else the config's ``lang``, else the
    locale's (:func:`clientguard.i18n.language_from_environment`), else English. A ``--lang``
    clientguard does not write is left to the parser to refuse (in the next choice's
    language)."""
    env = os.environ if env is None else env
    return i18n.given_language(argv) or config_language(_given(argv, "--config"), env=env) \
        or i18n.language_from_environment(env)


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
        epilog=_("Examples:") + "\n" + "\n".join(f"  {e}" for e in examples),
        formatter_class=_HelpFormatter,
        parents=list(parents),
    )


def build_parser() -> argparse.ArgumentParser:
    # --debug is accepted before or after the command; SUPPRESS keeps a command's parser from
    # resetting a --debug given before it.
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help=_("show the traceback of an error"))
    common.add_argument("--lang", type=_language_code, metavar="LANG",
                        default=argparse.SUPPRESS, help=_lang_help())
    configured = _Parser(add_help=False)
    configured.add_argument(
        "--config", metavar="FILE", default=argparse.SUPPRESS,
        help=_("the config file (default: $CLIENTGUARD_CONFIG, else ./clientguard.toml)"),
    )
    # The global options are accepted after every command, as docs/cli.md says, also by the
    # commands that read no config or store (demo, connectors, policy; portfolio reads no
    # store): there they are ignored.
    unused = _Parser(add_help=False)
    unused.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                        help=_("accepted as after any command; this command reads no config"))
    unused.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                        help=_("accepted as after any command; this command reads no store"))
    no_store = _Parser(add_help=False)
    no_store.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                          help=_("accepted as after any command; this command reads no store"))

    parser = _Parser(
        prog="clientguard",
        description=_("Tells a small business when a client has become bad business: late "
        "payment, concentration, capacity and rush work, with the money behind it."),
        epilog=_("Examples:") + "\n"
        "  clientguard demo\n"
        "  clientguard sync --source books\n"
        "  clientguard review --format html --output review.html\n"
        "  clientguard policy > policy.toml\n\n"
        + _("Exit status: 0 done, 1 a finding reached --fail-on, 2 a user error, 70 a bug, "
            "130 interrupted (Ctrl-C).")
        + "\n" + _("Guide: docs/cli.md"),
    )
    # The global options work before or after the command (``clientguard --config c.toml
    # sync`` and ``clientguard sync --config c.toml``): SUPPRESS keeps a command's parser from
    # resetting one given before it.
    parser.add_argument("--debug", action="store_true", help=_("show the traceback of an error"))
    parser.add_argument("--lang", type=_language_code, metavar="LANG",
                        default=argparse.SUPPRESS, help=_lang_help())
    parser.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                        help=_("the config file (default: $CLIENTGUARD_CONFIG, else "
                        "./clientguard.toml)"))
    parser.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                        help=_("the store (default: from the config, else clientguard.db)"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = _add_command(
        commands, "demo",
        help=_("review a built-in sample firm"),
        description=_("Build the sample firm's ledger, print its review, and write the HTML "
                      "report with charts to {path} in the current folder.").format(
                          path=DEMO_REPORT),
        examples=["clientguard demo", "clientguard demo --seed 3 --as-of 2026-03-31"],
        parents=[common, unused],
    )
    demo.add_argument("--seed", type=int, default=None,
                      help=_("sample data seed (default: the sample's own)"))
    demo.add_argument("--as-of", type=_demo_as_of, default=DEMO_AS_OF,
                      help=_("review date (default {date})").format(date=DEMO_AS_OF))
    demo.add_argument("--output", default=DEMO_REPORT, metavar="FILE",
                      help=_("where to write the report, in the format its suffix names "
                           "(.html, .json, .csv, .txt: a table; default {path})").format(
                          path=DEMO_REPORT))
    demo.set_defaults(run=_demo)

    sync = _add_command(
        commands, "sync",
        help=_("pull records from a source into the store"),
        description=_("Pull invoices, payments, credit notes (and more, where the source has "
        "them) into the local store, incrementally: only what changed since the last sync. "
        "Each page is stored as it arrives, so an interrupted sync resumes where it stopped. "
        "Progress goes to stderr, the summary to stdout."),
        examples=[
            "clientguard sync                       # every source of clientguard.toml",
            "clientguard sync --source books --full",
            "clientguard sync --source csv --option preset=zoho --option invoices=inv.csv",
            "CLIENTGUARD_XERO_ACCESS_TOKEN=... clientguard sync --source xero",
        ],
        parents=[common, configured],
    )
    sync.add_argument("--source", action="append", metavar="NAME",
                      help=_("a source of clientguard.toml, or a connector name (repeatable; "
                      "default: every source of the config)"))
    sync.add_argument("--option", action="append", type=_option, metavar="KEY=VALUE",
                      help=_("a connector option (repeatable; never a secret: those come from "
                      "the environment)"))
    sync.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                      help=_("the store (default: from the config, "
                      "else ./clientguard.db)"))
    sync.add_argument("--full", action="store_true",
                      help=_("read everything again, not only what changed"))
    sync.add_argument("--prune", action="store_true",
                      help=_("remove stored records a full read no longer finds (deleted at "
                      "the source)"))
    sync.add_argument("--stream", action="append", metavar="NAME",
                      help=_("read only this stream (repeatable)"))
    sync.add_argument("--wait", type=_wait, default=0, metavar="SECONDS",
                      help=_("wait this long for another sync of the store to finish "
                      "(default: fail at once)"))
    sync.add_argument("--quiet", action="store_true", help=_("no progress on stderr"))
    sync.set_defaults(run=_sync)

    review = _add_command(
        commands, "review",
        help=_("review every client: findings, costs and a verdict"),
        description=_("Review every client as of a date: late payment, concentration, capacity "
        "and rush work, what the lateness costs, what ending the client would change, and a "
        "verdict. Reads the store (default) or pulls the sources directly (--source)."),
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
                       help=_("review this store (default: from the "
                       "config, else ./clientguard.db)"))
    where.add_argument("--source", action="append", metavar="NAME",
                       help=_("pull this source directly instead of reading the store "
                       "(repeatable)"))
    review.add_argument("--option", action="append", type=_option, metavar="KEY=VALUE",
                        help=_("a connector option, with --source"))
    review.add_argument("--as-of", type=_as_of, default=None, metavar="DATE",
                        help=_("review date, YYYY-MM-DD (default: today)"))
    review.add_argument("--policy", metavar="FILE",
                        help=_("a policy file (default: from the config, else the defaults; "
                        "see clientguard policy)"))
    review.add_argument("--base-currency", metavar="CODE", type=_currency,
                        help=_("the currency amounts are converted to (default: from the "
                        "config, else the invoices' one currency)"))
    review.add_argument("--format", choices=FORMATS, default=None,
                        help=_("table (default), json, csv or html; default from --output's "
                        "suffix"))
    review.add_argument("--output", metavar="FILE", help=_("write the report here (default: "
                        "stdout)"))
    review.add_argument("--csv-dialect", choices=("rfc4180", "excel"), default=None,
                        help=_("the CSV report's dialect: rfc4180 (default, for programs) or "
                        "excel (for Excel opened by double-click: a byte-order mark, and in "
                        "Polish ; between cells and decimal commas)"))
    review.add_argument("--fail-on", type=_fail_on, metavar="SEVERITY",
                        help=_("exit 1 when any finding reaches this severity: watch, warning "
                        "or critical; and when no invoice falls due in the window (no data)")
                        + _("; new:SEVERITY counts only findings new since the last saved "
                            "review"))
    review.add_argument("--allow-no-data", action="store_true",
                        help=_("with --fail-on: no invoice due in the window is not a failure"))
    review.add_argument("--strict", action="store_true",
                        help=_("fail when any record was rejected instead of leaving it out"))
    review.add_argument("--title", metavar="TEXT", default=None,
                        help=_("the report's title (default: \"Client review: \" and the "
                               "firm's name of the config's [firm], else the report's own "
                               "heading)"))
    review.add_argument("--quiet", action="store_true", help=_("no progress on stderr"))
    review.add_argument("--progress", action="store_true",
                        help=_("show the stages on stderr even when it is not a terminal (a "
                        "log); --quiet wins"))
    review.add_argument("--no-save", action="store_true",
                        help=_("do not save the review in the store (docs/history.md)"))
    review.add_argument("--backfill", choices=("monthly",),
                        help=_("compute and save past reviews at each month-end from --since "
                               "to --as-of, each with only what had happened by its date"))
    review.add_argument("--since", type=_date, metavar="DATE",
                        help=_("with --backfill: the first month"))
    review.add_argument("--acknowledged", action="append", metavar="FILE",
                        help=_("a CSV file of the debtor's acknowledgements of its debts "
                               "(invoice or client, date, note): each made before a debt was "
                               "time-barred restarts its limitation period (repeatable; "
                               "default: acknowledgements in the config; docs/claims.md)"))
    review.set_defaults(run=_review)
    _add_memory_commands(commands, common, configured)

    _claim_parser(commands, [common, configured])

    fc = _add_command(
        commands, "forecast",
        help=_("predict when each open invoice will be paid, and the 13-week cash-in"),
        description=_("Predict each open invoice's payment date (median and 80% interval) and "
        "its probability of being paid late, and the cash expected in each of the next 13 "
        "weeks, learned from the data's own history as of a date (docs/forecast.md). "
        "--backtest evaluates the forecast month by month beside naive baselines."),
        examples=[
            "clientguard forecast --as-of 2026-06-30",
            "clientguard forecast --backtest",
            "clientguard forecast --backtest --source csv --option invoices=ar.csv "
            "--option preset=ibm-ar",
        ],
        parents=[common, configured],
    )
    fc_where = fc.add_mutually_exclusive_group()
    fc_where.add_argument("--store", metavar="PATH", help=_("read this store (default: from the "
                          "config, else ./clientguard.db)"))
    fc_where.add_argument("--source", action="append", metavar="NAME",
                          help=_("pull this source directly instead of reading the store"))
    fc.add_argument("--option", action="append", type=_option, metavar="KEY=VALUE",
                    help=_("a connector option, with --source"))
    fc.add_argument("--as-of", type=_as_of, default=None, metavar="DATE",
                    help=_("forecast date, YYYY-MM-DD (default: today)"))
    fc.add_argument("--policy", metavar="FILE", help=_("a policy file (default: from the config)"))
    fc.add_argument("--base-currency", metavar="CODE", type=_currency,
                    help=_("the currency amounts are converted to"))
    fc.add_argument("--backtest", action="store_true",
                    help=_("evaluate the forecast at monthly origins beside naive baselines"))
    fc.add_argument("--horizon-days", type=int, default=90, metavar="DAYS",
                    help=_("with --backtest: predict the invoices due this many days after each "
                    "origin (default 90)"))
    fc.add_argument("--limit", type=int, default=20, metavar="N",
                    help=_("show the N invoices most likely late (0: all; default 20)"))
    fc.add_argument("--strict", action="store_true",
                    help=_("fail when any record was rejected instead of leaving it out"))
    fc.add_argument("--quiet", action="store_true", help=_("no progress on stderr"))
    fc.set_defaults(run=_forecast_command)

    rejections = _add_command(
        commands, "rejections",
        help=_("list the records the store could not load"),
        description=_("List the rejected records kept in the store (from this and earlier "
        "syncs): each with its source, file and line or API page, and the reason."),
        examples=["clientguard rejections", "clientguard rejections --source books"],
        parents=[common, configured],
    )
    rejections.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                            help=_("the store (default: from the "
                            "config, else ./clientguard.db)"))
    rejections.add_argument("--source", action="append", metavar="NAME",
                            help=_("only this source (repeatable)"))
    rejections.add_argument("--as-of", type=_date, default=None,
                            help=_("the date of the data-quality notes (default: today)"))
    rejections.add_argument("--base-currency", metavar="CODE", type=_currency,
                            help=_("the currency of the notes' amounts (default: from the config, "
                            "else the invoices' one currency)"))
    rejections.set_defaults(run=_rejections)

    store = _add_command(
        commands, "store",
        help=_("what the store holds by source, or forget a source"),
        description=_("'status' (the default) lists each source the store holds: its records "
        "by kind, its rejections and how its last sync went, and names the sources "
        "clientguard.toml no longer defines (a review reads every source the store holds). "
        "'forget NAME' removes one source's records, rejections, cursors and sync history "
        "(a source renamed or taken out of clientguard.toml); without --yes it only says "
        "what it would remove. Saved reviews and exchange rates stay."),
        examples=["clientguard store", "clientguard store forget old-books",
                  "clientguard store forget old-books --yes"],
        parents=[common, configured],
    )
    store.add_argument("action", nargs="?", choices=("status", "forget"), default="status",
                       help=_("status (default) or forget"))
    store.add_argument("name", nargs="?", metavar="NAME",
                       help=_("forget: the source to remove"))
    store.add_argument("--yes", action="store_true",
                       help=_("forget: remove it (without --yes, say what would be removed)"))
    store.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                       help=_("forget: wait this long for a running sync to finish"))
    store.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                       help=_("the store (default: from the config, else ./clientguard.db)"))
    store.set_defaults(run=_store_command)

    links = _add_command(
        commands, "links",
        help=_("suggest links between customers of different sources, or list the links"),
        description=_("The same client in two sources (the old invoicing tool and the new) is "
        "one client only when linked in clientguard.toml ([links]). 'suggest' prints, as a "
        "links CSV (customer,same_as as source:id), the pairs of customers of different "
        "sources whose names normalise alike or whose tax ids are equal; nothing is linked "
        "until you keep the right ones in a file named in [links] files. 'list' prints the "
        "links in effect."),
        examples=["clientguard links suggest > links.csv",
                  "clientguard links list"],
        parents=[common, configured],
    )
    links.add_argument("action", choices=("suggest", "list"),
                       help=_("suggest: pairs to check; list: the links in effect"))
    links.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                       help=_("the store (default: from the config, "
                       "else ./clientguard.db)"))
    links.add_argument("--source", action="append", metavar="NAME",
                       help=_("only customers of this source (repeatable)"))
    links.set_defaults(run=_links_command)

    connectors = _add_command(
        commands, "connectors",
        help=_("list the installed connectors and their versions"),
        description=_("List the installed connectors with their versions; with a NAME, its "
        "streams and options (and where its secrets come from)."),
        examples=["clientguard connectors", "clientguard connectors csv"],
        parents=[common, unused],
    )
    connectors.add_argument("name", nargs="?", metavar="NAME", help=_("describe this connector"))
    connectors.set_defaults(run=_connectors_command)

    policy = _add_command(
        commands, "policy",
        help=_("print the default policy as TOML"),
        description=_("Print the default policy, every threshold with its meaning and source, "
        "as TOML: the start of your own policy file."),
        examples=["clientguard policy > policy.toml",
                  "clientguard review --policy policy.toml"],
        parents=[common, unused],
    )
    policy.set_defaults(run=_policy_command)

    rates = _add_command(
        commands, "rates",
        help=_("exchange rates: print a template, read [rates] into the store, list them"),
        description=_("Exchange rates for documents in another currency than the base "
        "currency. 'template' prints a rates CSV to fill in; 'sync' reads the sources of "
        "[rates] in clientguard.toml (CSV files, the ECB's and the NBP's daily tables) into "
        "the store ('clientguard sync' does too); 'list' (the default) says what is stored. "
        "'review' converts with the stored rates."),
        examples=["clientguard rates template > rates.csv", "clientguard rates sync",
                  "clientguard rates"],
        parents=[common, configured],
    )
    rates.add_argument("action", nargs="?", choices=("list", "sync", "template"),
                       default="list", help=_("list (default), sync or template"))
    rates.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                       help=_("the store (default: from the "
                       "config, else ./clientguard.db)"))
    rates.add_argument("--from", dest="start", type=_date, metavar="DATE",
                       help=_("sync: read the banks' tables from this day (default: [rates] "
                       "start, else a week before the first stored document)"))
    rates.add_argument("--to", dest="end", type=_date, metavar="DATE",
                       help=_("sync: read the banks' tables up to this day (default: today)"))
    rates.set_defaults(run=_rates_command)
    _add_portfolio_commands(commands, [common, configured], no_store)
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
    claim.add_argument("--base-currency", metavar="CODE", type=_currency,
                       help=_("the ledger's base currency (default: from the config)"))
    claim.add_argument("--format", choices=("html", "json"), default=None,
                       help=_("html (default) or json; default from --output's suffix"))
    claim.add_argument("--output", metavar="FILE", help=_("write it here (default: stdout)"))
    claim.add_argument("--number", metavar="TEXT",
                       help=_("the document's number (default: a field to fill in)"))
    claim.add_argument("--issued", type=_date, metavar="DATE",
                       help=_("the date of issue (default: the --as-of date)"))
    claim.add_argument("--pay-within", type=int, default=7, metavar="DAYS",
                       help=_("days to pay from receiving it (default 7)"))
    claim.add_argument("--acknowledged", action="append", metavar="FILE",
                       help=_("a CSV file of the debtor's acknowledgements of its debts "
                               "(invoice or client, date, note): each made before a debt was "
                               "time-barred restarts its limitation period (repeatable; "
                               "default: acknowledgements in the config; docs/claims.md)"))
    claim.set_defaults(run=_claim_command, source=None, option=None, strict=False, quiet=True)


def _unknown_arguments(
    parser: argparse.ArgumentParser, command: str | None, unknown: Sequence[str]
) -> None:
    """Exit 2 on arguments no parser took, with the usage of the command they were given to
    (not the top level's) and, for a mistyped option, the command's nearest one
    (``review --as-off``: ``did you mean --as-of?``). The command's own options are looked
    at first, the ones every command takes (``--help``, ``--lang``, ``--store``...) only when
    none of its own is close: ``history prune --kep`` means ``--keep-last``, not ``--help``."""
    import difflib

    def long_options(where: argparse.ArgumentParser) -> list[str]:
        return [o for a in where._actions for o in a.option_strings if o.startswith("--")]

    target = parser
    for action in parser._actions:  # argparse keeps its subcommands there
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            target = action.choices[command]
    options = long_options(target)
    everywhere = set(long_options(parser))
    own = [option for option in options if option not in everywhere]
    typed = [arg.partition("=")[0] for arg in unknown if arg.startswith("--")]
    close = (difflib.get_close_matches(typed[0], own, n=1)
             or difflib.get_close_matches(typed[0], options, n=1)) if typed else []
    hint = _("; did you mean {code}?").format(code=close[0]) if close else ""
    target.print_usage(sys.stderr)
    target.exit(EXIT_USAGE, _("{prog}: error: {message}").format(
        prog=target.prog, message=_("unrecognized arguments: {arguments}").format(
            arguments=" ".join(unknown)) + hint) + "\n")


def _lang_help() -> str:
    return _("the language of the reports and messages: {languages} (default: lang in "
             "clientguard.toml, else the locale's, else en)").format(
                 languages=", ".join(i18n.LANGUAGES))


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    with i18n.using(command_language(given)):
        parser = build_parser()
        args, unknown = parser.parse_known_args(given)
        if unknown:
            _unknown_arguments(parser, getattr(args, "command", None), unknown)
        # An abbreviated --lang (--la pl) is known only now: the command runs in it.
        with i18n.using(getattr(args, "lang", None)):
            return _run(args)


def _run(args: argparse.Namespace) -> int:
    args.debug = getattr(args, "debug", False)
    as_of = getattr(args, "as_of", "absent")
    if as_of is None:
        args.as_of = _today()
    elif isinstance(as_of, date) and getattr(args, "command", None) != "demo":
        # Every command that takes --as-of says the same of a date after today (the demo's
        # is the sample firm's own day, whose books run months past it).
        _warn_future_as_of(as_of, args.command)
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
        where = f"{exc.filename}: " if exc.filename is not None else ""
        _error(f"{where}{os_reason(exc)}")
        return EXIT_USAGE
    except sqlite3.Error as exc:
        _traceback(args)
        _error(_("the store cannot be used: {error}").format(error=exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _error(_("interrupted"))
        return EXIT_INTERRUPTED
    except Exception:
        _print_traceback()
        _error(_("this is a bug in clientguard: please report it with the traceback above"))
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
    (the secrets the command was given), in any form; of notify's ``CLIENTGUARD_NOTIFY_*``
    variables only those that are or may carry a credential
    (:func:`clientguard.notify.environment_secrets`), so that an error about a port or the
    SMTP security quotes its value. The connectors and their HTTP client scrub what they
    raise and report already (see docs/security.md)."""
    from clientguard.redaction import Scrubber

    given = [v for k, v in os.environ.items() if k.startswith("CLIENTGUARD_") and k != CONFIG_ENV]
    try:
        from clientguard.notify import ENV_PREFIX, environment_secrets

        notify_secrets = environment_secrets(os.environ)
    except Exception:  # the text being printed may be that very failure: hide every value
        return Scrubber(given).scrub(text)
    given = [v for k, v in os.environ.items()
             if k.startswith("CLIENTGUARD_") and k != CONFIG_ENV and not k.startswith(ENV_PREFIX)]
    return Scrubber([*given, *notify_secrets]).scrub(text)


if __name__ == "__main__":
    sys.exit(main())
