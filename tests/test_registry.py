"""The connector registry: entry points, looked up by name, loaded lazily."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from clientguard import connectors
from clientguard.connector import Connector, Mapped, RawPage, Stream
from clientguard.errors import ConfigError, PluginLoadError, UnknownConnectorError

GOOD = '''
from clientguard.connector import Connector, RawPage, Skip, Stream

class GoodConnector(Connector):
    """A plugin that imports."""
    name = "goodplug"
    streams = (Stream(name="invoices", kind="invoice"),)

    def fetch(self, stream, *, since):
        yield RawPage(())

    def to_model(self, stream, raw):
        return Skip("nothing")
'''

BROKEN = '''
import clientguard_no_such_dependency  # the plugin's own missing dependency
'''

NOT_A_CONNECTOR = '''
class Whatever:
    pass
'''


def install_plugin(root: Path, dist: str, entries: dict[str, str], modules: dict[str, str]) -> None:
    """A real installed distribution (a .dist-info folder on sys.path) with entry points."""
    info = root / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = ["[clientguard.connectors]", *(f"{k} = {v}" for k, v in entries.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for module, source in modules.items():
        (root / f"{module}.py").write_text(source)


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    install_plugin(
        tmp_path,
        "cg-test-plugins",
        {
            "goodplug": "cg_test_good:GoodConnector",
            "brokenplug": "cg_test_broken:BrokenConnector",
            "notaconnector": "cg_test_notconn:Whatever",
        },
        {"cg_test_good": GOOD, "cg_test_broken": BROKEN, "cg_test_notconn": NOT_A_CONNECTOR},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for module in ("cg_test_good", "cg_test_broken", "cg_test_notconn"):
        sys.modules.pop(module, None)


class Scripted(Connector):
    name: ClassVar[str] = "scripted"
    streams: ClassVar[tuple[Stream, ...]] = ()

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        yield RawPage(())

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        raise NotImplementedError


@pytest.fixture
def scripted() -> Iterator[None]:
    yield
    connectors.unregister("scripted")
    connectors.unregister("goodplug")


def test_available_lists_installed_plugins_without_importing_them(plugins: Path) -> None:
    found = connectors.available()
    assert {"goodplug", "brokenplug", "notaconnector"} <= set(found)
    assert found["goodplug"].target == "cg_test_good:GoodConnector"
    assert found["goodplug"].distribution == "cg-test-plugins"
    assert found["goodplug"].version == "1.0"
    assert "cg_test_good" not in sys.modules
    assert "cg_test_broken" not in sys.modules


def test_load_imports_only_the_named_plugin(plugins: Path) -> None:
    cls = connectors.load("goodplug")
    assert issubclass(cls, Connector)
    assert cls.name == "goodplug"
    assert "cg_test_broken" not in sys.modules


def test_a_broken_plugin_becomes_plugin_load_error_and_breaks_nothing_else(plugins: Path) -> None:
    with pytest.raises(PluginLoadError, match="'brokenplug'") as caught:
        connectors.load("brokenplug")
    assert "clientguard_no_such_dependency" in str(caught.value)
    assert isinstance(caught.value.__cause__, ImportError)
    # The others still load, and the registry still lists everyone.
    assert connectors.load("goodplug").name == "goodplug"
    assert "brokenplug" in connectors.available()


def test_a_plugin_that_is_not_a_connector_is_refused(plugins: Path) -> None:
    with pytest.raises(PluginLoadError, match=r"not a clientguard\.connector\.Connector"):
        connectors.load("notaconnector")


def test_unknown_name_lists_the_installed_ones(plugins: Path) -> None:
    with pytest.raises(UnknownConnectorError) as caught:
        connectors.load("sage")
    message = str(caught.value)
    assert "'sage'" in message
    # No package index holds clientguard-sage (docs/install.md): the checkout's way is said.
    assert "pip install clientguard-sage" not in message
    assert "pip install . ./connectors/csv; see docs/install.md" in message
    listed = message.split("installed: ")[1].split(", ")
    assert {"brokenplug", "goodplug", "notaconnector"} <= set(listed)
    assert listed == sorted(listed)


def test_two_distributions_claiming_one_name_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    install_plugin(first, "cg-dup-one", {"dupplug": "cg_dup_one:C"}, {})
    install_plugin(second, "cg-dup-two", {"dupplug": "cg_dup_two:C"}, {})
    monkeypatch.syspath_prepend(str(first))
    monkeypatch.syspath_prepend(str(second))
    with pytest.raises(PluginLoadError, match="cg-dup-one, cg-dup-two"):
        connectors.load("dupplug")


def test_register_makes_a_class_loadable_and_wins_over_a_plugin(
    plugins: Path, scripted: None
) -> None:
    connectors.register("scripted", Scripted)
    assert connectors.load("scripted") is Scripted
    assert connectors.available()["scripted"].distribution is None
    connectors.register("goodplug", Scripted)
    assert connectors.load("goodplug") is Scripted


def test_register_refuses_bad_names_non_connectors_and_silent_replacement(
    scripted: None,
) -> None:
    with pytest.raises(ConfigError, match="lower-case"):
        connectors.register("My Connector", Scripted)
    with pytest.raises(ConfigError, match=r"not a clientguard\.connector\.Connector"):
        connectors.register("scripted", dict)  # type: ignore[arg-type]
    connectors.register("scripted", Scripted)

    class Other(Scripted):
        pass

    with pytest.raises(ConfigError, match="replace=True"):
        connectors.register("scripted", Other)
    connectors.register("scripted", Other, replace=True)
    assert connectors.load("scripted") is Other


def test_the_repository_connectors_register_through_the_same_group() -> None:
    found = connectors.available()
    for name in ("csv", "xero"):
        if name in found:
            assert found[name].distribution == f"clientguard-{name}"


def test_importing_clientguard_and_listing_connectors_imports_no_plugin() -> None:
    code = (
        "import sys, clientguard, clientguard.connectors as c; c.available(); "
        "print(sorted(m for m in sys.modules if m.startswith('clientguard_')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
