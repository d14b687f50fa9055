"""The sample firm's configuration in docs/sample-data.md is one clientguard reads: every
source names an installed connector, and every option is one that connector takes (the
secrets from the environment, as the page says)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clientguard import connectors
from clientguard.config import connector_options, load_config, secret_variable
from clientguard.errors import ConfigError
from clientguard.sample import SAMPLE_ROLES

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "sample-data.md"


def sample_config() -> str:
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(r"<!-- example: sample-firm-config -->\n```toml\n(.*?)```", text,
                      re.DOTALL)
    assert found, "docs/sample-data.md lost its configuration example"
    return found.group(1)


def test_the_sample_firms_configuration_is_valid(tmp_path: Path) -> None:
    from clientguard_jira import JiraOptions

    path = tmp_path / "clientguard.toml"
    path.write_text(sample_config(), encoding="utf-8")
    config = load_config(path, env={})
    assert config.base_currency == "EUR"
    assert set(config.sources) == {"xero", "harvest", "jira"}
    for source in config.sources.values():
        cls = connectors.load(source.connector)
        secrets = [o.name for o in cls.describe().options if o.secret]
        env = {secret_variable(source.name, name): "value-from-env" for name in secrets}
        options = connector_options(source, cls, env=env)
        # The connector's own options model accepts them (unknown or mistyped ones fail).
        cls.Options.model_validate(options)
    harvest = connector_options(config.sources["harvest"], connectors.load("harvest"), env={
        "CLIENTGUARD_HARVEST_ACCOUNT_ID": "1", "CLIENTGUARD_HARVEST_ACCESS_TOKEN": "t"})
    assert str(harvest["from_date"]) == "2023-07-01"
    jira = connectors.load("jira")(**connector_options(
        config.sources["jira"], connectors.load("jira"),
        env={"CLIENTGUARD_JIRA_API_TOKEN": "t"}))
    # Each rule names a customer of the Xero source, by the sample's own contact ids.
    assert isinstance(jira.options, JiraOptions)
    rules = {(r.source, r.customer_id, r.project) for r in jira.options.clients}
    assert rules == {("xero", "quickline-events", "QLE"), ("xero", "petrel-health", "PTR")}
    assert SAMPLE_ROLES["rush"] == "quickline-events"


def test_a_secret_in_the_sample_configuration_would_be_refused(tmp_path: Path) -> None:
    # The example keeps secrets out of the file; one written in is refused, naming the
    # variable to use instead.
    path = tmp_path / "clientguard.toml"
    leaked = sample_config().replace(
        "[sources.harvest]", '[sources.harvest]\naccess_token = "pat-123"'
    )
    path.write_text(leaked, encoding="utf-8")
    config = load_config(path, env={})
    with pytest.raises(ConfigError, match="CLIENTGUARD_HARVEST_ACCESS_TOKEN"):
        connector_options(config.sources["harvest"], connectors.load("harvest"), env={})
