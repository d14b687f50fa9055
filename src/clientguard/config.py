"""The configuration file, ``clientguard.toml``, and where a source's secrets come from.

::

    base_currency = "EUR"             # the currency every amount is converted to
    lang = "pl"                       # the reports' and messages' language: "en" or "pl"
    store = "clientguard.db"          # the store; relative paths are relative to this file
    policy = "policy.toml"            # a policy file (or a [policy] table below)
    signals = ["myfirm.rules:big_open_balance"]      # your own signals, by dotted path
    verdict_rules = ["myfirm.rules:retainers_not_judged_on_hours"]
    acknowledgements = ["acknowledged.csv"]   # the debtors' acknowledgements of their debts

    [sources.books]                   # a source: a name, and its connector's options
    connector = "csv"                 # optional: the connector, by default the source's name
    preset = "zoho"
    invoices = ["exports/invoices-2025.csv", "exports/invoices-2026.csv"]

    [sources.xero]
    client_id = "..."                 # plain options only: never a token, secret or tenant id
    token_file = "~/.config/clientguard/xero-tokens.json"

    [links]                           # customers of different sources that are one client
    clients = [["books:acme", "xero:8f0c..."]]   # each "source:id"; see clientguard.links
    files = ["links.csv"]             # CSV files of pairs (customer,same_as)
    [rates]                           # exchange rates for documents in other currencies
    file = "rates.csv"                # a CSV of rates (clientguard rates template), or a list
    start = 2024-01-01                # the first day to read the banks' tables from
    max_staleness_days = 7            # how old a rate may be for a document's date
    [rates.ecb]                       # the ECB's euro reference rates (or [rates.nbp]);
    base_url = "https://www.ecb.europa.eu"   # optional: a proxy or a test server
    [firm]                            # your firm: report titles, the creditor of a claim
    name = "ACME sp. z o.o."          # every key optional; what is missing is left to fill
    address = "ul. Prosta 1\n00-001 Warszawa"
    tax_id = "525-244-57-67"          # a Polish NIP (checked) or another tax number
    iban = "PL61 1090 1014 0000 0712 1981 2874"   # checked (ISO 13616)
    email = "biuro@acme.pl"
    phone = "+48 22 000 00 00"
    place = "Warszawa"                # where documents are issued

Rules:

* Unknown keys are an error that names them (with the nearest known key).
* **Secrets never come from the config file.** A connector option typed as a secret
  (``SecretStr``: a token, a client secret, a tenant id) comes from the environment variable
  ``CLIENTGUARD_<SOURCE>_<OPTION>`` (the source's name and the option's, upper case, other
  characters as ``_``), or from the connector's own token file where it has one (Xero's
  ``token_file``, kept private and rewritten by the connector when a token rotates). A secret
  written into the config file (or passed as ``--option``) is refused with a message saying
  where to put it instead.
* An option whose type accepts a path (``Path``) is resolved relative to the config file, so
  that a cron job running from another folder reads the same files.
* A source's name is what its records carry as ``source`` and what the store keeps them under:
  letters, digits, ``_``, ``-`` and ``.`` (never ``:``, which separates a source from an id in
  ``source:id``). Renaming a source is adding a new one: sync it again.
* A link names customers as ``source:id``; a source the file does not define is an error
  (a typo would otherwise leave two customers unlinked without a word).

``lang`` chooses the language of the reports and the command's messages when ``--lang`` does
not; without either, the locale's (``LANG``), else English (docs/languages.md).

The file is found by ``--config FILE``, else the ``CLIENTGUARD_CONFIG`` environment variable,
else ``clientguard.toml`` in the current folder; without one, clientguard runs with the
defaults (a store ``clientguard.db`` in the current folder, the default policy).
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from clientguard.connector import Connector
from clientguard.errors import ConfigError, os_reason
from clientguard.i18n import LANGUAGES, resolve_language
from clientguard.i18n import gettext as _
from clientguard.links import check_source, parse_customer, read_links
from clientguard.money import is_currency
from clientguard.policy import Policy
from clientguard.records import Link
from clientguard.redaction import clean_secret
from clientguard.tax_id import is_valid_nip, normalise_tax_id

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG",
    "DEFAULT_STORE",
    "Config",
    "Firm",
    "RatesConfig",
    "SourceConfig",
    "config_language",
    "connector_options",
    "find_config",
    "load_config",
    "secret_variable",
]

DEFAULT_CONFIG = "clientguard.toml"
"""The config file looked for in the current folder."""
CONFIG_ENV = "CLIENTGUARD_CONFIG"
"""The environment variable that names the config file."""
DEFAULT_STORE = "clientguard.db"
"""The store's file name when the config does not give one."""
_TOP_KEYS = (
    "base_currency", "store", "policy", "signals", "verdict_rules", "sources", "links", "rates",
    "lang",
    "firm",
    "acknowledgements",
)
_LINK_KEYS = ("clients", "files")
# What a person may write for a language, for "did you mean": the codes and their names.
_LANGUAGE_NAMES = {
    **{code: code for code in LANGUAGES},
    "english": "en", "angielski": "en", "polish": "pl", "polski": "pl",
}
_RATES_KEYS = ("file", "start", "max_staleness_days", "nbp", "ecb")
_FIRM_KEYS = ("name", "address", "tax_id", "iban", "email", "phone", "place")


@dataclass(frozen=True)
class SourceConfig:
    """One ``[sources.NAME]`` table: which connector, with which options."""

    name: str
    """The source's name: what the store keeps its records and cursors under."""
    connector: str
    """The connector's name in the registry."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The connector's options from the file (never a secret), as written."""
    base: Path | None = None
    """The folder relative paths in ``options`` are resolved against."""


@dataclass(frozen=True)
class RatesConfig:
    """The ``[rates]`` table: where exchange rates come from, first source first."""

    files: tuple[Path, ...] = ()
    """CSV files of rates (resolved against the config file's folder)."""
    banks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Central banks' tables (``nbp``, ``ecb``) with their options, in the file's order."""
    start: date | None = None
    """The first day to read the banks' tables from; None: the earliest stored document."""
    max_staleness_days: int = 7
    """How many days before a document's date a rate may be, when its own day has none."""

    @property
    def order(self) -> tuple[str, ...]:
        """The sources' names, the first winning where two have a rate for one day."""
        return (*(f"file:{p.name}" for p in self.files), *self.banks)


@dataclass(frozen=True)
class Firm:
    """The ``[firm]`` table: the firm using clientguard, as its reports and claims name it.

    Every detail is optional: a claim leaves a missing one as a field to fill in, never a
    guess. ``tax_id`` is kept as :func:`clientguard.tax_id.normalise_tax_id` writes it (a
    Polish NIP as ten digits, its check digit verified); ``iban`` without spaces, upper case,
    its check digits verified.
    """

    name: str | None = None
    address: str | None = None
    """Postal address; lines separated by newlines."""
    tax_id: str | None = None
    iban: str | None = None
    email: str | None = None
    phone: str | None = None
    place: str | None = None
    """Where the firm issues its documents (a town), for "Warszawa, 4 grudnia 2026"."""


@dataclass(frozen=True)
class Config:
    """The configuration in effect: the file's, or the defaults."""

    path: Path | None
    """The file it was read from; None when there is none."""
    base_currency: str | None
    store: Path
    policy: Policy
    sources: Mapping[str, SourceConfig]
    signals: tuple[str, ...] = ()
    """The user's own signals, as dotted paths (``package.module:function``); the review
    runs them after the built-in ones and those installed under ``clientguard.signals``."""
    verdict_rules: tuple[str, ...] = ()
    """The user's verdict rules, as dotted paths, run in order."""
    link_clients: tuple[Link, ...] = ()
    """The ``[links]`` table's ``clients``: customers that are one client, each
    ``(source, id)``."""
    link_files: tuple[Path, ...] = ()
    """The ``[links]`` table's ``files``, resolved against the file's folder: read by
    :attr:`links` when a command first needs them (``sync`` never does, so a file not
    written yet does not stop it)."""
    rates: RatesConfig | None = None
    """The ``[rates]`` table; None when the file has none."""
    lang: str | None = None
    """The language of the reports and messages (``"en"``, ``"pl"``); None when the file
    does not choose one (then ``--lang``, else the locale decides)."""
    firm: Firm | None = None
    """The ``[firm]`` table; None when the file has none."""
    acknowledgements: tuple[Path, ...] = ()
    """CSV files of the debtors' acknowledgements of their debts, resolved against the
    file's folder (``clientguard.acknowledgements`` reads them once the ledger is built: they
    name its invoices and clients)."""

    @cached_property
    def links(self) -> tuple[Link, ...]:
        """Customers that are one client, each ``(source, id)``: the ``[links]`` table's
        ``clients``, then the pairs of its ``files``, in order. Reads the files (once);
        raises :class:`ConfigError` for a file that does not exist (naming ``[links] files``
        and the command that writes it, to the path read, quoted for a shell) or cannot be
        read, or a link naming a source the file lacks (the links file's line and column)."""
        where = str(self.path) if self.path else DEFAULT_CONFIG
        links = list(self.link_clients)
        for path in self.link_files:
            if not path.exists():
                raise ConfigError(_(
                    "{where}: the links file {path} named in [links] files does not exist: "
                    "write it with clientguard links suggest > {name} (and check each pair), or "
                    "remove it from [links] files"
                ).format(where=where, path=path, name=shlex.quote(str(path))))
            links.extend(read_links(path, self.sources))
        return tuple(links)

    def source(self, name: str) -> SourceConfig:
        """The source of that name; a name not in the file is the connector of that name,
        with no options from the file."""
        found = self.sources.get(name)
        if found is not None:
            return found
        return SourceConfig(name=name, connector=name)


def find_config(given: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path | None:
    """The config file to read: ``given``, else ``$CLIENTGUARD_CONFIG``, else
    ``./clientguard.toml`` when it exists. A file named explicitly must exist."""
    if given is not None:
        path = Path(given).expanduser()
        _not_a_folder(path, None)
        if not path.is_file():
            raise ConfigError(_("config file {path} does not exist").format(path=path))
        return path
    named = env.get(CONFIG_ENV)
    if named:
        path = Path(named).expanduser()
        _not_a_folder(path, CONFIG_ENV)
        if not path.is_file():
            raise ConfigError(_("config file {path} (from ${variable}) does not exist").format(
                path=path, variable=CONFIG_ENV))
        return path
    default = Path(DEFAULT_CONFIG)
    return default if default.is_file() else None


def _not_a_folder(path: Path, variable: str | None) -> None:
    """Refuse a folder named as the config file (by ``variable``, where an environment
    variable names it): it exists, so "does not exist" would send the reader looking for a
    typo; the file is the folder's clientguard.toml, as a rule."""
    if not path.is_dir():
        return
    example = path / DEFAULT_CONFIG
    if variable is None:
        raise ConfigError(_("config file {path} is a folder, not a file: name the file "
                            "itself ({example})").format(path=path, example=example))
    raise ConfigError(_("config file {path} (from ${variable}) is a folder, not a file: name "
                        "the file itself ({example})").format(
                            path=path, variable=variable, example=example))


def load_config(
    given: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None
) -> Config:
    """Read the config file (see :func:`find_config`), or return the defaults.

    Raises :class:`ConfigError` naming an unknown key, a value of the wrong type, a bad
    currency code, a policy problem, or a secret written into the file.
    """
    env = os.environ if env is None else env
    path = find_config(given, env)
    if path is None:
        return Config(
            path=None, base_currency=None, store=Path(DEFAULT_STORE), policy=Policy(), sources={}
        )
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("config file {path} is not valid TOML: {problem}").format(
            path=path, problem=exc)) from None
    except UnicodeDecodeError:
        raise ConfigError(_("config file {path} is not UTF-8 text: save it as UTF-8 (TOML "
                            "files are UTF-8)").format(path=path)) from None
    except OSError as exc:
        raise ConfigError(_("cannot read config file {path}: {problem}").format(
            path=path, problem=os_reason(exc))) from None
    return _parse(data, path)


def config_language(
    given: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None
) -> str | None:
    """The ``lang`` of the config file :func:`find_config` finds, read before anything else
    (the command's ``--help`` and messages are written in it); None when there is no file,
    no ``lang``, or a file that cannot be read: :func:`load_config` reports that, in the
    language the locale chooses."""
    env = os.environ if env is None else env
    try:
        path = find_config(given, env)
        if path is None:
            return None
        with path.open("rb") as handle:
            data = tomllib.load(handle, parse_float=Decimal)
        return _language(data.get("lang"), str(path))
    except (ConfigError, tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
        return None


def _language(value: Any, where: str) -> str | None:
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return resolve_language(value)
    except ValueError:
        text = str(value).lower()
        # Two letters are close to any code: a suggestion must also start alike ("pk": pl).
        close = [name for name in difflib.get_close_matches(text, list(_LANGUAGE_NAMES), n=1,
                                                            cutoff=0.5) if name[0] == text[:1]]
        hint = _("; did you mean {code}?").format(code=repr(_LANGUAGE_NAMES[close[0]])) \
            if close else ""
        raise ConfigError(
            _("{where}: lang {value} is not a language clientguard writes{hint} (languages: "
              "{languages})").format(where=where, value=repr(value), hint=hint,
                                     languages=", ".join(LANGUAGES))
        ) from None


def _parse(data: dict[str, Any], path: Path) -> Config:
    where = str(path)
    _known_keys(data, _TOP_KEYS, where)
    base = path.parent

    currency = data.get("base_currency")
    if currency is not None and not (isinstance(currency, str) and is_currency(currency)):
        upper = currency.strip().upper() if isinstance(currency, str) else ""
        hint = _("; did you mean {code}?").format(code=repr(upper)) if is_currency(upper) else ""
        raise ConfigError(_("{where}: base_currency {currency} is not an ISO 4217 code "
                            "such as \"EUR\"{hint}").format(where=where, currency=repr(currency),
                                                         hint=hint))

    store = data.get("store", DEFAULT_STORE)
    if not isinstance(store, str) or not store:
        raise ConfigError(_("{where}: store must be a file path (text)").format(where=where))

    policy_value = data.get("policy")
    if policy_value is None:
        policy = Policy()
    elif isinstance(policy_value, str):
        policy = Policy.from_toml(_resolve(policy_value, base))
    elif isinstance(policy_value, dict):
        policy = Policy.from_mapping(policy_value, where=f"{where} [policy]")
    else:
        raise ConfigError(
            _("{where}: policy must be a file path or a [policy] table").format(where=where))

    paths = {key: _dotted_paths(data.get(key, []), key, where)
             for key in ("signals", "verdict_rules")}

    sources_value = data.get("sources", {})
    if not isinstance(sources_value, dict):
        raise ConfigError(
            _("{where}: sources must be tables, e.g. [sources.books]").format(where=where))
    sources = {}
    for name, table in sources_value.items():
        if not isinstance(table, dict):
            raise ConfigError(_("{where}: sources.{name} must be a table ([sources.{name}])")
                              .format(where=where, name=name))
        sources[name] = _source(name, table, base, where)
    rates_value = data.get("rates")
    if rates_value is not None and not isinstance(rates_value, dict):
        raise ConfigError(_("{where}: rates must be a table ([rates])").format(where=where))
    firm_value = data.get("firm")
    if firm_value is not None and not isinstance(firm_value, dict):
        raise ConfigError(_("{where}: firm must be a table ([firm]) with name, address, ...")
                          .format(where=where))
    return Config(
        path=path,
        base_currency=currency,
        store=_resolve(store, base),
        policy=policy,
        sources=sources,
        signals=paths["signals"],
        verdict_rules=paths["verdict_rules"],
        **_links(data.get("links"), sources, base, where),
        rates=None if rates_value is None else _rates(rates_value, base, where),
        lang=_language(data.get("lang"), where),
        firm=None if firm_value is None else _firm(firm_value, where),
        acknowledgements=_acknowledgement_files(data.get("acknowledgements"), base, where),
    )


def _acknowledgement_files(value: Any, base: Path, where: str) -> tuple[Path, ...]:
    """``acknowledgements``: a CSV file path or a list of them, relative to the config."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(_("{where}: acknowledgements must be a CSV file path or a list of "
                            "them, e.g. [\"acknowledged.csv\"]").format(where=where))
    return tuple(_resolve(name, base) for name in value)


def _firm(table: dict[str, Any], where: str) -> Firm:
    _known_keys(table, _FIRM_KEYS, f"{where} [firm]")
    values: dict[str, str | None] = {}
    for key in _FIRM_KEYS:
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(
                _("{where}: firm.{key} must be text in quotes").format(where=where, key=key))
        values[key] = value.strip() or None if value is not None else None
    tax = values["tax_id"]
    if tax is not None:
        values["tax_id"] = normalise_tax_id(tax)
        if _looks_polish(tax) and not is_valid_nip(tax):
            raise ConfigError(
                _("{where}: firm.tax_id {tax_id} is not a valid Polish NIP (ten digits whose "
                  "last is a check digit): check it against the firm's registration")
                .format(where=where, tax_id=repr(tax))
            )
    iban = values["iban"]
    if iban is not None:
        compact = re.sub(r"\s", "", iban).upper()
        if not _iban_ok(compact):
            raise ConfigError(
                _("{where}: firm.iban {iban} is not a valid IBAN (country code, two check "
                  "digits and the account number, e.g. PL61 1090 1014 0000 0712 1981 2874): "
                  "copy it from the bank's statement").format(where=where, iban=repr(iban))
            )
        values["iban"] = compact
    return Firm(**values)


def _looks_polish(tax_id: str) -> bool:
    """A tax number written as a NIP: ten digits, bare or with ``PL`` (after separators)."""
    return re.fullmatch(r"(?:PL)?\d{10}", re.sub(r"[\s\-./]", "", tax_id).upper()) is not None


def _iban_ok(iban: str) -> bool:
    """ISO 13616: two letters, two check digits, up to 30 letters and digits, and the number
    moved and read in base 36 leaves 1 modulo 97."""
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in moved)) % 97 == 1


def _rates(table: dict[str, Any], base: Path, where: str) -> RatesConfig:
    _known_keys(table, _RATES_KEYS, f"{where} [rates]")
    files = table.get("file", [])
    files = [files] if isinstance(files, str) else files
    if not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
        raise ConfigError(_("{where}: rates.file must be a file path or a list of them")
                          .format(where=where))
    banks: dict[str, dict[str, Any]] = {}
    for name in ("nbp", "ecb"):
        if name in table:
            options = table[name]
            if options is True:
                options = {}
            if not isinstance(options, dict):
                raise ConfigError(_("{where}: rates.{name} must be a table ([rates.{name}])")
                                  .format(where=where, name=name))
            banks[name] = options
    # The file's order decides which source wins: keep it.
    banks = {k: banks[k] for k in table if k in banks}
    start = table.get("start")
    if start is not None and not isinstance(start, date):
        raise ConfigError(_("{where}: rates.start must be a date, e.g. start = 2024-01-01")
                          .format(where=where))
    staleness = table.get("max_staleness_days", 7)
    if isinstance(staleness, bool) or not isinstance(staleness, int) or staleness < 0:
        raise ConfigError(_("{where}: rates.max_staleness_days must be a whole number of days")
                          .format(where=where))
    if not files and not banks:
        raise ConfigError(
            _("{where}: [rates] names no source: give file = \"rates.csv\" (clientguard rates "
              "template prints one), or a [rates.ecb] or [rates.nbp] table").format(where=where)
        )
    return RatesConfig(
        files=tuple(_resolve(f, base) for f in files),
        banks=banks,
        start=start if not isinstance(start, datetime) else start.date(),
        max_staleness_days=staleness,
    )


def _dotted_paths(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(_("{where}: {key} must be a list of dotted paths, e.g. "
                            '{key} = ["myfirm.rules:my_rule"]').format(where=where, key=key))
    return tuple(value)


def _links(
    value: Any, sources: Mapping[str, SourceConfig], base: Path, where: str
) -> dict[str, Any]:
    """``link_clients`` and ``link_files`` of the ``[links]`` table, checked (the files are
    read by :attr:`Config.links`, when a command needs them)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(_("{where}: links must be a table ([links]) with clients and files")
                          .format(where=where))
    _known_keys(value, _LINK_KEYS, f"{where} [links]")
    links: list[Link] = []
    clients = value.get("clients", [])
    if not isinstance(clients, list):
        raise ConfigError(_("{where}: links.clients must be a list of lists of \"source:id\"")
                          .format(where=where))
    for number, group in enumerate(clients, start=1):
        at = _("{where}: links.clients item {number}").format(where=where, number=number)
        if not isinstance(group, list) or len(group) < 2:
            raise ConfigError(
                _("{where}: a link is a list of two or more customers, e.g. "
                  "[\"wave:Mark Walberg\", \"ninja:7\"]").format(where=at)
            )
        links.append(tuple(parse_customer(text, where=at) for text in group))
    files = value.get("files", [])
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ConfigError(_("{where}: links.files must be a list of CSV file paths")
                          .format(where=where))
    _check_link_sources(links, sources, where)
    return {"link_clients": tuple(links),
            "link_files": tuple(_resolve(name, base) for name in files)}


def _check_link_sources(
    links: Sequence[Link], sources: Mapping[str, SourceConfig], where: str
) -> None:
    """A :class:`ConfigError` for the first link naming a source the file does not have."""
    for link in links:
        for customer in link:
            check_source(customer, sources, where)


def _source(name: str, table: dict[str, Any], base: Path, where: str) -> SourceConfig:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise ConfigError(
            _("{where}: source name {name}: use letters, digits, '_', '-' and '.'")
            .format(where=where, name=repr(name))
        )
    connector = table.get("connector", name)
    if not isinstance(connector, str):
        raise ConfigError(_("{where}: sources.{name}.connector must be a connector name")
                          .format(where=where, name=name))
    options = {k: v for k, v in table.items() if k != "connector"}
    return SourceConfig(name=name, connector=connector, options=options, base=base)


def _known_keys(data: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = _("; did you mean {code}?").format(code=repr(close[0])) if close else ""
            raise ConfigError(
                _("{where}: unknown key {key}{hint} (known: {known})").format(
                    where=where, key=repr(key), hint=hint, known=", ".join(known))
            )


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


# --------------------------------------------------------------------------- connector options


def secret_variable(source: str, option: str) -> str:
    """The environment variable that holds a secret option of a source:
    ``CLIENTGUARD_<SOURCE>_<OPTION>``, e.g. ``CLIENTGUARD_XERO_ACCESS_TOKEN``."""
    return "CLIENTGUARD_" + re.sub(r"[^A-Z0-9]", "_", f"{source}_{option}".upper())


def connector_options(
    source: SourceConfig,
    cls: type[Connector],
    *,
    given: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The keyword options to build ``cls`` with, for ``source``.

    ``given`` are options from the command line (relative paths stay relative to the current
    folder). Options from the config file that accept a path are resolved relative to it.
    Secret options come from the environment; one given any other way is refused, naming the
    variable to use. The message never shows the value.
    """
    env = os.environ if env is None else env
    infos = {o.name: o for o in cls.describe().options}
    secrets = {name for name, info in infos.items() if info.secret}
    options: dict[str, Any] = {}
    for origin, values in (("the config file", source.options), ("--option", given or {})):
        for key, value in values.items():
            if key in secrets:
                message = (
                    _("source {source}: {key} is a secret and is not read from the config "
                      "file; set the environment variable {variable} instead")
                    if origin == "the config file" else
                    _("source {source}: {key} is a secret and is not read from --option; set "
                      "the environment variable {variable} instead")
                )
                raise ConfigError(message.format(source=repr(source.name), key=key,
                                                 variable=secret_variable(source.name, key)))
            if origin == "the config file" and source.base is not None and _takes_path(cls, key):
                value = _resolve_paths(value, source.base)
            options[key] = value
    for name in sorted(secrets):
        variable = secret_variable(source.name, name)
        value = env.get(variable)
        if value:
            # A line break around the value (a token pasted from a file) is dropped; one
            # inside it is refused, naming the variable and never the value.
            value = clean_secret(
                value, name=_("the environment variable {variable}").format(variable=variable))
        if value:
            options[name] = value
    return options


def _takes_path(cls: type[Connector], option: str) -> bool:
    spec = cls.Options.model_fields.get(option)
    return spec is not None and "Path" in str(spec.annotation)


def _resolve_paths(value: Any, base: Path) -> Any:
    if isinstance(value, str):
        return str(_resolve(value, base))
    if isinstance(value, list):
        return [_resolve_paths(v, base) for v in value]
    return value
