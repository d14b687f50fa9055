"""Policy: documented defaults, TOML in and out, errors that name the key."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from clientguard.errors import ConfigError
from clientguard.policy import Policy

D = Decimal


# The defaults DESIGN.md §5 and the field docstrings promise, written out by hand.
@pytest.mark.parametrize(
    ("field", "default"),
    [
        ("lookback_days", 365),
        ("grace_days", 0),
        ("settle_tolerance", D("0.01")),
        ("cost_of_capital", D("0.10")),
        ("chronic_late_share", D("0.5")),
        ("late_days_warning", D(15)),
        ("late_days_critical", D(45)),
        ("open_days_past_due_critical", 90),
        ("trend_alpha", D("0.05")),
        ("revenue_share_watch", D("0.10")),
        ("revenue_share_warning", D("0.20")),
        ("receivables_share_warning", D("0.20")),
        ("book_hhi_high", D(1800)),
        ("cross_aging_days", 90),
        ("cross_aging_share", D("0.10")),
        ("jurisdiction", "eu"),
        ("client_jurisdictions", {}),
    ],
)
def test_defaults(field: str, default: object) -> None:
    value = getattr(Policy(), field)
    assert value == default
    assert type(value) is type(default)


def test_no_threshold_is_a_float() -> None:
    for name in Policy.model_fields:
        assert not isinstance(getattr(Policy(), name), float), name


def test_to_toml_then_from_toml_round_trips_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(Policy().to_toml(), encoding="utf-8")
    assert Policy.from_toml(path) == Policy()


def test_to_toml_then_from_toml_round_trips_a_custom_policy(tmp_path: Path) -> None:
    custom = Policy(
        lookback_days=180,
        grace_days=15,
        cost_of_capital=D("0.085"),
        revenue_share_watch=D("0.125"),
        book_hhi_high=D("2500.5"),
        jurisdiction="pl",
        # A customer id may hold quotes and backslashes; TOML must escape them.
        client_jurisdictions={'acme "uk"': "uk", "c:\\x": "eu", "zeta": "pl",
                              # Control characters, DEL too (TOML forbids it in a string and
                              # JSON does not escape it: the file did not load back).
                              "tab\tnul\x00del\x7f": "uk"},
    )
    path = tmp_path / "policy.toml"
    path.write_text(custom.to_toml(), encoding="utf-8")
    loaded = Policy.from_toml(path)
    assert loaded == custom
    assert loaded.cost_of_capital == D("0.085")  # exact: parsed as Decimal, not float


def test_to_toml_writes_each_fields_meaning_as_comments() -> None:
    text = Policy().to_toml()
    data = tomllib.loads(text)
    assert set(data) == set(Policy.model_fields)
    lines = text.splitlines()
    index = lines.index("revenue_share_watch = 0.10")
    comment = " ".join(line.lstrip("# ") for line in lines[index - 3 : index])
    assert "ASC 280-10-50-42" in comment


def test_keys_not_given_keep_their_defaults(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("grace_days = 10\nrevenue_share_watch = 0.15\n", encoding="utf-8")
    loaded = Policy.from_toml(path)
    assert (loaded.grace_days, loaded.revenue_share_watch) == (10, D("0.15"))
    assert loaded.lookback_days == 365


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lookbak_days = 30\n", "unknown policy key 'lookbak_days'; did you mean 'lookback_days'?"),
        ("grace_day = 5\n", "unknown policy key 'grace_day'; did you mean 'grace_days'?"),
        ("revenue_share_wach = 0.1\n",
         "unknown policy key 'revenue_share_wach'; did you mean 'revenue_share_watch'?"),
        ("colour = 'red'\n", "unknown policy key 'colour'"),
    ],
)
def test_an_unknown_key_is_a_config_error_naming_it(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Policy.from_toml(path)
    assert str(caught.value) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        ("lookback_days = 0", "lookback_days", "greater than or equal to 1"),
        ("grace_days = -1", "grace_days", "greater than or equal to 0"),
        ("chronic_late_share = 1.5", "chronic_late_share", "less than or equal to 1"),
        ("revenue_share_watch = -0.1", "revenue_share_watch", "greater than or equal to 0"),
        ("trend_alpha = 1", "trend_alpha", "less than 1"),
        ("trend_min_months = 2", "trend_min_months", "greater than or equal to 3"),
        ("book_hhi_high = 10001", "book_hhi_high", "less than or equal to 10000"),
        ("jurisdiction = 'de'", "jurisdiction", "'pl', 'eu', 'uk' or 'none'"),
        ("lookback_days = 'a year'", "lookback_days", "valid integer"),
        ("client_jurisdictions = { acme = 'fr' }", "client_jurisdictions.acme", "'pl', 'eu'"),
    ],
)
def test_an_out_of_range_value_names_the_field(
    tmp_path: Path, text: str, field: str, reason: str
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Policy.from_toml(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {field}: ")
    assert reason in message


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: Policy(grace_days=-1), id="constructor"),
        pytest.param(lambda: Policy.model_validate({"grace_days": -1}), id="model_validate"),
        pytest.param(lambda: Policy.from_mapping({"grace_days": -1}), id="from_mapping"),
    ],
)
def test_every_way_of_making_a_policy_gives_a_config_error(make: Callable[[], Policy]) -> None:
    with pytest.raises(ConfigError, match=r"^policy: grace_days: "):
        make()


def test_an_unknown_keyword_to_the_constructor_is_named_with_a_suggestion() -> None:
    with pytest.raises(ConfigError, match="unknown policy key 'gracedays'; did you mean"):
        Policy(gracedays=3)  # type: ignore[call-arg]


def test_every_problem_is_listed() -> None:
    with pytest.raises(ConfigError) as caught:
        Policy.from_mapping({"grace_days": -1, "lookback_days": 0, "nope": 1}, where="cfg")
    message = str(caught.value)
    for part in ("grace_days:", "lookback_days:", "unknown policy key 'nope'"):
        assert part in message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("grace_days = = 1", "is not valid TOML"),
    ],
)
def test_an_unreadable_file_is_a_config_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "policy.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        Policy.from_toml(path)


def test_a_policy_is_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        Policy().grace_days = 3  # type: ignore[misc]


@pytest.mark.parametrize("field", list(Policy.model_fields))
def test_every_field_has_a_docstring_with_its_meaning_and_source(field: str) -> None:
    description = Policy.model_fields[field].description
    assert description
    # Two sentences at least: what it means, and why the default is what it is.
    assert len(description.split()) >= 12, description
    assert Policy().explain(field) == " ".join(description.split())


# Where a default comes from a published rule, the docstring names it.
@pytest.mark.parametrize(
    ("field", "cites"),
    [
        ("lookback_days", ["ASC 280-10-50-42", "IFRS 8.34"]),
        ("grace_days", ["2011/7/EU"]),
        ("revenue_share_watch", ["ASC 280-10-50-42", "IFRS 8.34"]),
        ("revenue_share_warning", ["lenders"]),
        ("late_days_warning", ["Tesorio"]),
        ("late_days_critical", ["Tesorio"]),
        ("open_days_past_due_critical", ["lender", "90 days"]),
        ("book_hhi_high", ["2023 US Merger Guidelines", "effective number"]),
        ("cross_aging_share", ["cross-aging", "10%"]),
        ("trend_alpha", ["5%"]),
    ],
)
def test_sourced_defaults_cite_their_source(field: str, cites: list[str]) -> None:
    description = Policy().explain(field)
    for cite in cites:
        assert cite in description


def test_the_widest_policy_reviews_records_at_both_date_bounds() -> None:
    # Every day-count at its bound, as_of and the records at the first and last dates a
    # record may carry: every date the review computes stays in the calendar.
    from clientguard.model import FIRST_DATE, LAST_DATE
    from clientguard.policy import MAX_DAYS
    from clientguard.review import review
    from clientguard.testing import invoice, ledger, payment, time_entry, work_request

    days = dict.fromkeys(("lookback_days", "grace_days", "recent_days", "trend_history_days",
                          "cross_aging_days", "open_days_past_due_critical",
                          "rush_lead_days", "churn_days", "stale_days"), MAX_DAYS)
    widest = Policy(**days, late_days_warning=1_000_000, trend_min_slope=1_000_000,
                    cost_of_capital=10)
    first = invoice("a", issued=FIRST_DATE, due=FIRST_DATE, total="10", id="first")
    last = invoice("a", issued=LAST_DATE, due=LAST_DATE, total="10", id="last")
    book = ledger(
        first, last,
        invoice("b", issued=FIRST_DATE, due=LAST_DATE, total="999999999999999999.99"),
        payment("a", on=LAST_DATE, amount="10", pays=first),
        time_entry("a", on=FIRST_DATE, hours="100000"),
        work_request("a", requested=FIRST_DATE, wanted=LAST_DATE),
    )
    for as_of in (FIRST_DATE, LAST_DATE):
        assert review(book, as_of=as_of, policy=widest).clients


@pytest.mark.parametrize(
    ("key", "value"),
    [("lookback_days", 100_000_000), ("grace_days", 36_526), ("recent_days", 10**12),
     ("trend_history_days", 36_526), ("cross_aging_days", 36_526),
     ("open_days_past_due_critical", 36_526), ("rush_lead_days", 10**9),
     ("cost_of_capital", "11"), ("cost_of_capital", "NaN"), ("late_days_warning", "1e999999"),
     ("trend_min_slope", "Infinity"), ("settle_tolerance", "1e30"),
     ("min_invoices", 10**10), ("churn_days", 10**9), ("stale_days", 36_526),
     ("aggravation", "1e7"), ("material_late_cost", "1e18"), ("material_overdue", "Infinity")],
)
def test_every_policy_value_is_bounded(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=key):
        Policy.from_mapping({key: value})
