"""Every module of the core and of each connector plugin says what it offers: an ``__all__``
whose names exist. Helpers shared between modules but not meant for users stay out of it (or
are private), as docs/architecture.md says.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

PACKAGES = [
    "clientguard",
    "clientguard_clockify",
    "clientguard_csv",
    "clientguard_fakturownia",
    "clientguard_harvest",
    "clientguard_quickbooks",
    "clientguard_stripe",
    "clientguard_toggl",
    "clientguard_xero",
]


def _modules(package_name: str) -> list[str]:
    package = importlib.import_module(package_name)
    names = [package_name]
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
        names.append(info.name)
    return names


MODULES = [name for package in PACKAGES for name in _modules(package)]


def test_the_walk_finds_the_modules_of_every_layer() -> None:
    # A walk that found nothing would make the tests below pass vacuously.
    for expected in ("clientguard.ledger", "clientguard.metrics.cost.rates",
                     "clientguard.report.text", "clientguard_csv.reading"):
        assert expected in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_every_module_has_an_all_of_names_that_exist(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    exported = module.__dict__.get("__all__")
    assert isinstance(exported, list | tuple), f"{name} defines no __all__"
    assert all(isinstance(item, str) for item in exported)
    assert len(set(exported)) == len(exported), f"{name}.__all__ names something twice"
    missing = [item for item in exported if not hasattr(module, item)]
    assert missing == [], f"{name}.__all__ names what it does not define"
    private = [item for item in exported if item.startswith("_") and item != "__version__"]
    assert private == [], f"{name}.__all__ exports private names"


def test_star_import_gives_the_public_api() -> None:
    namespace: dict[str, object] = {}
    exec("from clientguard import *", namespace)  # the statement under test
    for name in ("Ledger", "review", "settle", "Policy", "connectors", "__version__"):
        assert name in namespace


def test_the_old_homes_still_give_the_moved_names() -> None:
    # Plugins written before the layers imported these from the ledger or from fx; they keep
    # working, and get the very same classes.
    import clientguard.fx
    import clientguard.ledger
    import clientguard.money
    import clientguard.records

    for name in ("Location", "Rejection", "RecordKey"):
        assert getattr(clientguard.ledger, name) is getattr(clientguard.records, name)
    assert clientguard.fx.RateRow is clientguard.money.RateRow
