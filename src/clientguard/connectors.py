"""The connector registry: installed connectors by name, loaded lazily.

Connectors are plugins. A distribution registers one under the entry-point group
``clientguard.connectors``::

    [project.entry-points."clientguard.connectors"]
    xero = "clientguard_xero:XeroConnector"

The connectors in this repository register the same way as anyone else's. Nothing is imported
until :func:`load` asks for that one name, so a plugin that fails to import breaks only
itself: :func:`load` raises :class:`~clientguard.errors.PluginLoadError` naming it, and
``import clientguard``, :func:`available` and every other connector keep working.

:func:`register` adds a class by hand, for scripts and tests; a registered name takes
precedence over an installed plugin of the same name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from clientguard.connector import Connector
from clientguard.errors import ConfigError, PluginLoadError, UnknownConnectorError

__all__ = ["GROUP", "Available", "available", "load", "register", "unregister"]

GROUP = "clientguard.connectors"
"""The entry-point group connector plugins register under."""

_NAME = re.compile(r"[a-z][a-z0-9_-]*")

# Classes added by register(): the one piece of module state, for scripts and tests.
_registered: dict[str, type[Connector]] = {}


@dataclass(frozen=True)
class Available:
    """An installed or registered connector, known without importing it."""

    name: str
    target: str
    """Where it lives, ``module:Class``."""
    distribution: str | None
    """The distribution that installs it (``clientguard-xero``); None when registered by hand."""
    version: str | None
    """That distribution's version."""


def _entry_points() -> dict[str, list[EntryPoint]]:
    found: dict[str, list[EntryPoint]] = {}
    for entry in entry_points(group=GROUP):
        found.setdefault(entry.name, []).append(entry)
    return found


def available() -> dict[str, Available]:
    """Every connector that :func:`load` can give, by name, sorted. Imports none of them."""
    result: dict[str, Available] = {}
    for name, entries in _entry_points().items():
        entry = entries[0]
        dist = entry.dist
        result[name] = Available(
            name=name,
            target=entry.value,
            distribution=dist.name if dist is not None else None,
            version=dist.version if dist is not None else None,
        )
    for name, cls in _registered.items():
        result[name] = Available(
            name=name,
            target=f"{cls.__module__}:{cls.__qualname__}",
            distribution=None,
            version=None,
        )
    return dict(sorted(result.items()))


def load(name: str) -> type[Connector]:
    """The connector class installed (or registered) under ``name``.

    Raises:
        UnknownConnectorError: no connector has that name; the message lists those that do.
        PluginLoadError: the plugin is installed but fails to import, is installed twice by
            different distributions, or is not a :class:`~clientguard.connector.Connector`.
    """
    if name in _registered:
        return _registered[name]
    entries = _entry_points().get(name)
    if not entries:
        names = ", ".join(available()) or "none"
        # No "pip install clientguard-NAME": the distributions are on no package index
        # (docs/install.md); they are installed from the checkout.
        raise UnknownConnectorError(
            f"no connector named {name!r} is installed (connectors are installed from the "
            "clientguard checkout, with the core: pip install . ./connectors/csv; see "
            f"docs/install.md); installed: {names}"
        )
    distributions = sorted({e.dist.name for e in entries if e.dist is not None})
    if len(distributions) > 1:
        raise PluginLoadError(
            name,
            LookupError(f"installed by more than one distribution: {', '.join(distributions)}"),
        )
    try:
        loaded = entries[0].load()
    except Exception as exc:  # any failure of a plugin's import is that plugin's problem
        raise PluginLoadError(name, exc) from exc
    if not (isinstance(loaded, type) and issubclass(loaded, Connector)):
        raise PluginLoadError(
            name,
            TypeError(f"{entries[0].value} is not a clientguard.connector.Connector subclass"),
        )
    return loaded


def register(name: str, cls: type[Connector], *, replace: bool = False) -> None:
    """Make ``cls`` loadable as ``name`` in this process (scripts and tests).

    A registered name takes precedence over an installed plugin of that name. Registering a
    name twice needs ``replace=True``.

    Raises:
        ConfigError: the name is not lower-case letters, digits, ``-`` and ``_``, ``cls`` is
            not a Connector subclass, or the name is taken and ``replace`` is False.
    """
    if not _NAME.fullmatch(name):
        raise ConfigError(
            f"connector name {name!r}: use lower-case letters, digits, '-' and '_', "
            "starting with a letter"
        )
    if not (isinstance(cls, type) and issubclass(cls, Connector)):
        raise ConfigError(f"{cls!r} is not a clientguard.connector.Connector subclass")
    if name in _registered and _registered[name] is not cls and not replace:
        raise ConfigError(
            f"connector {name!r} is already registered ({_registered[name].__qualname__}); "
            "pass replace=True to replace it"
        )
    _registered[name] = cls


def unregister(name: str) -> None:
    """Forget a class added by :func:`register` (installed plugins are not affected)."""
    _registered.pop(name, None)
