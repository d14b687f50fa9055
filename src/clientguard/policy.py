"""Policy: every threshold clientguard applies, with its default and the source of that default.

The metrics compute numbers; the signals compare them with a :class:`Policy`. Each field's
docstring says what it means, why its default is what it is, and where that comes from, so a
finding can always say which rule it applied. A policy loads from TOML and dumps to TOML; an
unknown key is an error that names it.
"""

from __future__ import annotations

import difflib
import json
import re
import textwrap
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from clientguard.errors import ConfigError, os_reason
from clientguard.i18n import gettext as _
from clientguard.i18n import noop, pgettext

__all__ = [
    "MAX_COUNT",
    "MAX_DAYS",
    "MAX_FACTOR",
    "Bounded",
    "Days",
    "Jurisdiction",
    "MoneyBound",
    "Policy",
    "Share",
]

MAX_DAYS = 36_525
"""The most days any day-count of a policy may be: a century. No review looks further back
than a firm's books go, no grace period or payment term is longer; and with the records'
dates bounded (:data:`clientguard.model.FIRST_DATE` to :data:`~clientguard.model.LAST_DATE`),
a date moved by this many days stays inside the calendar, so no review overflows."""
MAX_FACTOR = Decimal(1_000_000)
"""The bound of a policy's open-ended numbers (days late, slopes, ratios, a tolerance): far
beyond any meaningful setting, and small enough that no sum or product a review makes of
them leaves Decimal's precision."""

MAX_COUNT = 1_000_000_000
"""The bound of a policy's counts (invoices, months, requests): more than any book holds."""

Share = Annotated[Decimal, Field(ge=0, le=1)]
Days = Annotated[int, Field(le=MAX_DAYS)]
"""A day-count of the policy: at most :data:`MAX_DAYS` (each field sets its own minimum)."""
Bounded = Annotated[Decimal, Field(le=MAX_FACTOR, allow_inf_nan=False)]
"""An open-ended number of the policy: finite and at most :data:`MAX_FACTOR`."""
MoneyBound = Annotated[Decimal, Field(lt=Decimal(10) ** 18, allow_inf_nan=False)]
"""An amount of the policy (base currency): finite, with at most 18 digits before the point,
as every amount of a record (:data:`clientguard.model.MAX_AMOUNT_DIGITS`)."""
Jurisdiction = Literal["pl", "eu", "uk"]


class _Settings(BaseModel):
    """Base of :class:`Policy`: a bad key or value is a :class:`ConfigError` naming it, however
    the policy is made (``Policy(...)``, ``model_validate``, a file), never a bare pydantic
    ``ValidationError``."""

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _config_error(type(self), exc, "policy") from None

    # Only a wrapper of the base __init__: pydantic must not call it from inside validation.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        return cls._checked(obj, "policy", *args, **kwargs)

    @classmethod
    def _checked(cls, obj: Any, where: str, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise _config_error(cls, exc, where) from None


def _config_error(cls: type[BaseModel], exc: ValidationError, where: str) -> ConfigError:
    """One ConfigError naming every bad key (with the nearest known one for a typo)."""
    lines = []
    problems: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False):
        key = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(key, sorted(cls.model_fields), n=1)
            hint = _("; did you mean {code}?").format(code=repr(close[0])) if close else ""
            line = _("unknown policy key {key}{hint}").format(key=repr(key), hint=hint)
            lines.append(line)
            problems.append((key, line))
        else:
            reason = _value_problem(error)
            lines.append(f"{key}: {reason}")
            problems.append((key, reason))
    return ConfigError(f"{where}: " + "; ".join(lines), problems)


_VALUE_PROBLEMS: dict[str, str] = {
    "greater_than": noop("Input should be greater than {gt}"),
    "greater_than_equal": noop("Input should be greater than or equal to {ge}"),
    "less_than": noop("Input should be less than {lt}"),
    "less_than_equal": noop("Input should be less than or equal to {le}"),
    "int_type": noop("Input should be a valid integer"),
    "int_parsing": noop("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": noop("Input should be a valid integer, got a number with a fractional "
                           "part"),
    "decimal_parsing": noop("Input should be a valid decimal"),
    "finite_number": noop("Input should be a finite number"),
    "bool_type": noop("Input should be a valid boolean"),
    "bool_parsing": noop("Input should be a valid boolean, unable to interpret input"),
}
"""pydantic's words for the common problems of a policy value, to be translated; its own
text, unchanged, for any other problem (and whenever its wording differs from these)."""


def _value_problem(error: Any) -> str:
    said = str(error["msg"])
    template = _VALUE_PROBLEMS.get(str(error["type"]))
    context = error.get("ctx") or {}
    try:
        if template is None or template.format(**context) != said:
            return said
        return _(template).format(**context)
    except (KeyError, IndexError, ValueError):
        return said


class Policy(_Settings):
    """Every threshold, with its default and the source of the default."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    # ---------------------------------------------------------------- the window and the money
    lookback_days: Days = Field(default=365, ge=1)
    """Days of history each analysis looks back from ``as_of``: invoices due (for lateness) or
    issued (for revenue) in ``(as_of - lookback_days, as_of]``. One year, the window of the
    "major customer" test (ASC 280-10-50-42, IFRS 8.34 use annual revenue) and of the
    payment-behaviour reports of Upflow and Chaser."""
    grace_days: Days = Field(default=0, ge=0)
    """Days after the due date before an invoice counts as late. 0: under Directive 2011/7/EU
    art. 3 (and its Polish and UK counterparts) interest runs from the day after the due date.
    Tesorio uses a 15-day grace in its late share; set it here to match."""
    settle_tolerance: Bounded = Field(default=Decimal("0.01"), ge=0)
    """An invoice is settled when its open balance is within this of zero (document
    currency): one cent of rounding between systems does not keep an invoice open."""
    cost_of_capital: Decimal = Field(default=Decimal("0.10"), ge=0, le=10, allow_inf_nan=False)
    """Annual rate at which the firm values money tied up in late invoices (the financing
    cost). 10%: a round figure inside the range of unsecured small-business lending in the EU
    and UK in 2024-2025; set your own overdraft or loan rate. At most 10 (1,000% a year,
    beyond the dearest payday lending)."""

    # ---------------------------------------------------------------- late payment
    min_invoices: int = Field(default=3, ge=1, le=MAX_COUNT)
    """Invoices due in the window before a client's payment habit is judged at all: with one
    or two invoices a single slip would read as a habit."""
    chronic_late_share: Share = Decimal("0.5")
    """Late on at least this share of the invoices due in the window, by count or by amount, is
    chronic: late more often than on time is a habit, not an accident, and so is keeping most
    of the money late (one large invoice months late among small ones paid on time; count-based
    rules miss it, and D&B's Paydex and Upflow's average payment delay weigh by amount)."""
    late_days_warning: Bounded = Field(default=Decimal(15), ge=0)
    """Amount-weighted days late (weighed) above which chronic lateness is a warning (up to
    it: watch; exactly 15 is still watch). 15 days: the end of the first band of Tesorio's
    lateness scale (1-15 / 16-45 / 46-90 / 90+)."""
    late_days_critical: Bounded = Field(default=Decimal(45), ge=0)
    """Amount-weighted days late (weighed) above which chronic lateness is critical (exactly
    45 is a warning). 45 days: the end of Tesorio's second band; Upflow's scale starts its
    worst grades at 30/60/90."""
    open_days_past_due_critical: Days = Field(default=90, ge=1)
    """An open invoice more than this many days past due makes lateness critical. 90 days:
    the common lender rule that makes receivables that old ineligible for financing."""
    trend_min_months: int = Field(default=6, ge=3, le=MAX_COUNT)
    """Months with invoices due (in the window's series) before the trend test is run: the
    Mann-Kendall test has little power below about six points."""
    trend_alpha: Decimal = Field(default=Decimal("0.05"), gt=0, lt=1)
    """Significance level of the one-sided Mann-Kendall test for an upward trend in monthly
    amount-weighted days late, and of the one-sided Fisher exact tests that a long history's
    recent invoices are late more (or less) often than those before and that a client's rush
    requests are fewer lately. 5%: the conventional level."""
    trend_min_slope: Bounded = Field(default=Decimal(1), ge=0)
    """Theil-Sen slope, in days late per month, that a significant trend must reach to count
    as worsening: a rise of under a day a month is not worth a conversation."""
    recent_days: Days = Field(default=90, ge=1)
    """The recent period for the short-history test: the late share of invoices due in the
    last ``recent_days`` against the period before it. 90 days: one quarter."""
    recent_min_invoices: int = Field(default=3, ge=1, le=MAX_COUNT)
    """Invoices due in each of the two periods before the short-history test applies. 3: the
    same floor as ``min_invoices``, for the same reason (a clientguard choice, not a published
    figure)."""
    recent_late_share_rise: Share = Decimal("0.25")
    """How much the late share must rise (in share points, 0.25 = 25 pp) from the period
    before to the recent period for the short-history test to call it worsening. 25 pp: with
    a few invoices a quarter, a smaller rise is one invoice's difference (a clientguard choice,
    not a published figure)."""
    trend_history_days: Days = Field(default=730, ge=1)
    """Days of history the monthly trend series covers (two years): a trend needs a longer
    view than the one-year window of the other measures."""
    late_share_high: Share = Decimal("0.75")
    """A late share (by count) at which lateness is the rule rather than the habit of half the
    invoices: three invoices in four. One of the aggravating facts that weigh on a chronic
    late payer's severity (a clientguard choice, not a published figure; docs/review.md)."""
    aggravation: Bounded = Field(default=Decimal("0.25"), ge=0)
    """How much each aggravating fact (a late share of ``late_share_high`` or more, invoices
    past due and unpaid as of the review, lateness found worsening) adds to the weighted days
    late before it is compared with ``late_days_warning`` and ``late_days_critical``: 0.25
    makes 13 days with all three facts weigh like 22.75 days, so severity weighs the whole of
    the evidence and one day more or less does not flip it alone (a clientguard choice;
    docs/review.md works examples)."""

    payment_run_min_invoices: int = Field(default=6, ge=1, le=MAX_COUNT)
    """The fewest invoices due in the window before a chronic late payer's lateness can read as
    a fixed payment run (advice ``align_due_dates`` instead of a reminder or shorter terms):
    half a year of monthly invoices. With fewer, the 10th and 90th percentiles of its days late
    are little more than the smallest and the largest (a clientguard choice, argued in
    docs/review.md)."""
    payment_run_late_share: Share = Decimal("0.75")
    """The smallest late share (by count) of a fixed payment run: late on three invoices in four
    or more, the line of ``late_share_high``. A run that misses every due date leaves few
    invoices on time (a clientguard choice, argued in docs/review.md)."""
    payment_run_spread_days: Bounded = Field(default=Decimal(5), ge=0)
    """The widest spread of a fixed payment run's days late, the 90th percentile less the 10th
    (exactly 5 is still a run): one working week, what weekends, holidays, a bank transfer's
    day or two and months of 28 to 31 days move a monthly run's date against the due dates (a
    clientguard choice, argued in docs/review.md)."""

    # ---------------------------------------------------------------- materiality
    material_late_cost: MoneyBound = Field(default=Decimal(40), ge=0)
    """Yearly cost of a client's lateness (financing cost over the window, scaled to a year;
    base currency) at which it is material. 40: the fixed compensation Directive 2011/7/EU
    art. 6 grants for recovering one late invoice (EUR 40), the law's own figure for what one
    late invoice costs a creditor. Scale it for a base currency far from the euro."""
    material_overdue: MoneyBound = Field(default=Decimal(1000), ge=0)
    """Overdue balance (base currency) at which a client's lateness is material, when it is
    also ``material_overdue_client_share`` of the client's invoicing. 1,000: the first band of
    the UK Late Payment of Commercial Debts (Interest) Act 1998 s.5A (debts under GBP 1,000
    are its smallest), the line below which the law itself treats a debt as small."""
    material_overdue_client_share: Share = Decimal("0.10")
    """Share of the client's invoicing in the window that its overdue balance must reach, with
    ``material_overdue``, to be material: a tenth, more than a month's billing (1/12) of a
    client billed monthly (a clientguard choice, argued in docs/review.md)."""
    material_overdue_firm_share: Share = Decimal("0.05")
    """Share of the firm's invoicing in the window at which a client's overdue balance is
    material whatever its amount: for a small firm a sum under ``material_overdue`` can still
    be a twentieth of a year's income (a clientguard choice, argued in docs/review.md)."""

    # ---------------------------------------------------------------- disputes
    dispute_share: Share = Decimal("0.5")
    """Share of a client's late invoices (by count, in the window) that are disputed at which
    its lateness is a dispute to resolve, not a payment habit: most of it (over half; exactly
    half counts, as with ``chronic_late_share``)."""

    # ---------------------------------------------------------------- forecast
    forecast_half_life_days: Days = Field(default=180, ge=1)
    """The forecast weighs a client's past delays by recency, halving the weight of a delay
    every this many days before ``as_of``: a client whose last invoices slip moves its
    prediction with them, while a year-old habit still counts a quarter. 180 days: two
    quarters, the span over which a trend of ``recent_days`` (90) is judged twice (a
    clientguard choice, checked in the backtest of docs/forecast.md)."""
    forecast_min_pool: int = Field(default=30, ge=1, le=MAX_COUNT)
    """The fewest settled invoices a pool of the book (the invoices alike in disputed flag and
    amount band) needs before the forecast uses it for clients with little history; smaller
    pools fall back to the wider one. 30: the usual rule of thumb for a stable mean and decile
    (a clientguard choice, docs/forecast.md)."""
    expected_late_watch: Share = Decimal("0.5")
    """Probability of an open invoice (not yet late) being paid late beyond ``grace_days`` at
    which the ``expected_late`` finding watches its client: more likely late than not, the
    same cut at which the backtest calls an invoice late (docs/forecast.md). A watch only, so
    a cut at even odds errs toward looking early (a clientguard choice)."""
    expected_late_warning: Share = Decimal("0.75")
    """Probability at which ``expected_late`` is a warning, when the balance expected late is
    also material (``material_overdue``): three in four, the line ``late_share_high`` draws
    for a client's past invoices, applied to its next one (a clientguard choice,
    docs/forecast.md)."""

    # ---------------------------------------------------------------- concentration
    revenue_share_watch: Share = Decimal("0.10")
    """A client's share of net revenue at which it is watched. 10%: the "major customer"
    disclosure threshold of ASC 280-10-50-42 and IFRS 8.34 ("10 percent or more"). Compared
    as the finding writes the share (docs/review.md, "Figures compared as shown"): from 9.995%,
    written "10%", it counts, so that the figure and the line never disagree."""
    revenue_share_warning: Share = Decimal("0.20")
    """Revenue share at which concentration is a warning. 20%: the per-debtor concentration
    limit lenders commonly apply to a borrowing base."""
    revenue_share_critical: Share = Decimal("0.35")
    """Revenue share at which concentration is critical: losing such a client takes away over
    a third of revenue, more than most small firms' margin can absorb."""
    book_hhi_high: Decimal = Field(default=Decimal(1800), ge=0, le=10000)
    """Book HHI above which the book is highly concentrated. 1,800: the "highly concentrated"
    line of the 2023 US Merger Guidelines, used as an analogy and always shown with the
    effective number of clients (a five-client book has HHI of at least 2,000)."""
    receivables_share_warning: Share = Decimal("0.20")
    """A client's share of open receivables at which it is a warning. 20%: the common lender
    per-debtor concentration limit."""
    cross_aging_days: Days = Field(default=90, ge=1)
    """Days past the invoice date after which a receivable is ineligible for lenders (90 days:
    the common lender rule)."""
    cross_aging_share: Share = Decimal("0.10")
    """Share of a client's open balance older than ``cross_aging_days`` past invoice date at
    which a lender would refuse the client's whole balance. 10%: the most common cross-aging
    ("taint") percentage; 15/20/25% are also used."""

    # ---------------------------------------------------------------- capacity and rush
    hours_share_watch: Share = Decimal("0.25")
    """A client's share of the team's hours at which it is watched: a quarter of the team.
    There is no published capacity threshold: 25% is a clientguard choice."""
    hours_share_warning: Share = Decimal("0.40")
    """Hours share at which it is a warning: two fifths of the team's time on one client (a
    clientguard choice, not a published figure)."""
    hours_to_revenue_ratio: Bounded = Field(default=Decimal("1.5"), gt=0)
    """Hours share divided by revenue share at which a client is taking more of the team than
    it pays for (1.5: half as much time again as its revenue would justify)."""
    hours_ratio_min_hours_share: Share = Decimal("0.10")
    """Hours share a client must take before its hours-to-revenue ratio is judged: below it, a
    poorly paid client is a pricing detail, not a capacity problem (a client with 1% of the
    hours and 0.2% of the revenue scores 5). 10%: the materiality line of ASC 280-10-50-42 and
    IFRS 8.34, reused by analogy (a clientguard choice, not a published capacity rule)."""
    rush_lead_days: Days = Field(default=2, ge=0)
    """A work request wanted within this many days of being asked (its lead time, in the days
    of ``rush_days``, zero or negative included) is rush work. 2 days: work that cannot wait
    for the next planning round of a small team (a clientguard choice, not a published
    figure)."""
    rush_days: Literal["working", "calendar"] = "working"
    """The days a lead time is counted in: ``working`` (the working days from the day asked,
    included, to the day wanted, not included: Monday to Friday, less the Polish public
    holidays when ``jurisdiction`` is ``pl``; a request made on a Saturday starts on Monday)
    or ``calendar`` (``wanted_by - requested_on``, the count clientguard used before). Working
    days: a team works on them, so Friday for Monday is one day of work, not three."""
    rush_share: Share = Decimal("0.30")
    """Share of a client's work requests that are rush work at which it is flagged. 30%:
    nearly one request in three for yesterday is a pattern, not an emergency (a clientguard
    choice, not a published figure)."""
    rush_min_requests: int = Field(default=5, ge=1, le=MAX_COUNT)
    """Work requests in the window before the rush share is judged. 5: below it one request
    moves the share by more than 20 points (a clientguard choice)."""

    # ---------------------------------------------------------------- cost of lateness
    # One Literal, not ``Jurisdiction | Literal["none"]``: a union makes pydantic name each
    # member in the error ("jurisdiction.literal['none']") instead of the field.
    jurisdiction: Literal["pl", "eu", "uk", "none"] = "eu"
    """Whose late-payment law prices the lateness: ``pl`` (NBP reference rate + 10 pp, EUR
    40/70/100), ``eu`` (the Directive 2011/7/EU baseline: ECB rate + 8 pp, EUR 40) or ``uk``
    (base rate + 8 pp, GBP 40/70/100); ``none`` for no statutory interest."""
    client_jurisdictions: dict[str, Literal["pl", "eu", "uk", "none"]] = Field(
        default_factory=dict
    )
    """Per-client overrides of ``jurisdiction``, by customer or group id (``none`` exempts
    a client): a customer's id, the review's client id, or the group id the client's name
    shows; customers linked as one company share any of their entries, and two that differ
    are refused (one debtor, one law). Empty by default: every client falls under
    ``jurisdiction``."""
    pl_limitation_years: int = Field(default=3, ge=2, le=3)
    """Years after which a Polish main claim (the debt) is time-barred: 3, art. 118 KC's
    period for claims connected with running a business; 2 for a firm that sells goods (art.
    554 KC), does contracts for work (art. 646 KC) or services of art. 751 KC, whose claims
    are barred after two years, and with them the interest on a debt left unpaid until then
    (SN III CZP 42/04). Each day's interest and the fixed compensation keep their three
    years (art. 118 KC, SN III CZP 37/20). Both periods end on the last day of a calendar
    year; docs/claims.md, "Limitation", has the rules. UK and EU law are not affected."""

    # ---------------------------------------------------------------- the verdict
    end_on_chronic_and_worsening: bool = True
    """Chronic and worsening lateness together recommend ``consider_ending``: the client pays
    late as a habit and the habit is getting worse, so new terms are unlikely to hold."""
    end_on_critical_signals: int = Field(default=2, ge=1, le=MAX_COUNT)
    """This many different client-behaviour signals at ``critical`` (lateness, cross-aging,
    capacity, rush) recommend ``consider_ending``: one critical problem is a case for new
    terms, two at once are a pattern."""
    dependency_only_verdict: Literal["monitor", "revise_terms"] = "monitor"
    """The verdict for a client flagged only for the firm's dependence on it (revenue or
    receivables share): the client does nothing wrong by being large, so the answer is to
    diversify and avoid exclusivity, not to change its terms. ``monitor`` by default."""
    churn_days: Days = Field(default=180, ge=1)
    """A client with no invoice issued, no hours logged and no work requested in this many
    days before the review looks churned: no advice about new orders (deposits, shorter
    terms, rush fees), only about collecting what is open. 180 days: two quarters, twice the
    gap of a client billed quarterly (a clientguard choice, argued in docs/review.md)."""
    stale_days: Days = Field(default=90, ge=1)
    """The review warns at the top of every report when the newest record (an invoice issued,
    a payment, a credit note, a time entry or a work request) is more than this many days
    older than ``as_of``: a quarter without any record is a broken sync or an old export, not
    a quiet quarter (a clientguard choice, argued in docs/review.md)."""
    deposit_share: Share = Decimal("0.30")
    """The deposit (share of each new order paid up front) suggested for a client whose
    lateness is critical. 30%: a common agency and software-house deposit."""
    rush_fee_share: Share = Decimal("0.25")
    """The surcharge suggested for rush work (share of the normal price). 25%: the low end of
    the 25-50% rush rates commonly published by agencies and translators."""
    shorter_terms_days: Days = Field(default=14, ge=1)
    """The payment terms (days) suggested to a client whose lateness is a warning or critical,
    when its typical terms are longer. 14 days: half the 30-day default term of Directive
    2011/7/EU art. 3(3)(b) (the term that applies when a contract names none), so the late
    payer gets half the usual credit; two weeks is still a term an accounts department can
    meet (a clientguard choice, argued in docs/review.md)."""
    on_delivery_days: Days = Field(default=7, ge=0)
    """The payment term (days) that "payment on delivery" means in the advice to a late
    payer whose typical terms are already ``shorter_terms_days`` or less. 7 days: one
    working week to pay on delivery, the shortest of the net terms invoicing tools offer
    besides "due on receipt" (0) (a clientguard choice, argued in docs/review.md). Keep it
    below ``shorter_terms_days``: it is the next step down."""
    typical_terms_invoices: int = Field(default=24, ge=1, le=MAX_COUNT)
    """How many of a client's latest invoices (issued by ``as_of``, drafts and voids left out)
    give its typical payment terms, their median, which the advice to shorten terms starts
    from. 24: two years of monthly invoices, the span of ``trend_history_days``, so that one
    odd invoice does not move the median while terms agreed years ago no longer count (a
    clientguard choice, argued in docs/review.md)."""

    # ---------------------------------------------------------------- loading and saving
    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        """Read a policy file; keys not given keep their defaults.

        Raises :class:`ConfigError` naming an unknown key (with the nearest known one) or a
        value out of range.
        """
        path = Path(path)
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle, parse_float=Decimal)
        except FileNotFoundError:
            raise ConfigError(_("policy file {path} does not exist").format(path=path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(_("policy file {path} is not valid TOML: {problem}").format(
                path=path, problem=exc)) from None
        except UnicodeDecodeError:
            raise ConfigError(_("policy file {path} is not UTF-8 text: save it as UTF-8 "
                                "(TOML files are UTF-8)").format(path=path)) from None
        except OSError as exc:
            raise ConfigError(_("cannot read policy file {path}: {problem}").format(
                path=path, problem=os_reason(exc))) from None
        return cls.from_mapping(data, where=str(path))

    @classmethod
    def from_mapping(cls, data: dict[str, Any], *, where: str = "policy") -> Policy:
        """A policy from a dict (e.g. the ``[policy]`` table of a config file).

        Raises :class:`ConfigError` naming every unknown key (with the nearest known one) and
        every value out of range, prefixed with ``where``.
        """
        return cls._checked(data, where)

    def to_toml(self) -> str:
        """The policy as TOML, each key preceded by its meaning and source as comments.

        The comments are in the active language (:mod:`clientguard.i18n`): in English the
        fields' docstrings line for line, in another language each docstring's translation
        (catalog key: :meth:`comment_messages`) wrapped to :data:`_COMMENT_WIDTH`. The keys and
        values are the same in every language, so the file loads whatever language wrote it.
        """
        lines = ["# " + _("clientguard policy: every threshold, its default and why."), ""]
        messages = type(self).comment_messages()
        for name, info in type(self).model_fields.items():
            context, english = messages[name]
            said = pgettext(context, english)
            if said == english:
                # The docstring's own lines: the English (or an untranslated field) as written.
                for text in (info.description or "").split("\n"):
                    lines.append(f"# {' '.join(text.split())}".rstrip())
            else:
                lines.extend(f"# {text}" for text in _wrap(said))
            lines.append(f"{name} = {_toml_value(getattr(self, name))}")
            lines.append("")
        return "\n".join(lines)

    @classmethod
    def comment_messages(cls) -> dict[str, tuple[str, str]]:
        """Each field's comment as the catalogs know it: ``(context, English)``, the context
        ``policy field <name>`` and the English its docstring as one paragraph (as
        :meth:`explain` gives it). The docstrings are the only copy of the English: the
        catalog test reads the messages from here, as no ``gettext`` call names them."""
        return {
            name: (f"policy field {name}", " ".join((info.description or "").split()))
            for name, info in cls.model_fields.items()
        }

    def explain(self, field: str) -> str:
        """The meaning and source of a field's default, as written in its docstring, in the
        active language (the comment ``clientguard policy`` writes above it)."""
        context, english = type(self).comment_messages()[field]
        return pgettext(context, english)


_COMMENT_WIDTH = 90
"""The widest a translated comment's text runs (after ``# ``), about as wide as the docstrings'
lines."""

_GLUE = "\ue000"
"""A space no line breaks at, while wrapping (a private-use character no text holds)."""
_CODE_SPAN = re.compile(r"``[^`]*``")
_KEEP_WITH_NEXT = re.compile(r"(?<![\w.])(\w|art\.|ASC|IFRS|pkt) ")
"""A one-letter word (Polish typography leaves no "i", "w", "z" at a line's end), or the start
of a citation (``art. 3``, ``ASC 280-10-50-42``, ``IFRS 8.34``), kept on the line of the word
after it."""


def _wrap(text: str) -> list[str]:
    """A translated comment in lines of at most :data:`_COMMENT_WIDTH` characters, never broken
    inside a key or value (````(as_of - lookback_days, as_of]````), at a citation's hyphens
    (``ASC 280-10-50-42``), after ``art.`` or after a one-letter word."""
    glued = _CODE_SPAN.sub(lambda span: span.group().replace(" ", _GLUE), text)
    glued = _KEEP_WITH_NEXT.sub(lambda word: word.group(1) + _GLUE, glued)
    lines = textwrap.wrap(glued, width=_COMMENT_WIDTH, break_long_words=False,
                          break_on_hyphens=False)
    return [line.replace(_GLUE, " ") for line in lines]


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string: a JSON string (quotes, backslashes and the C0 control
    characters escaped: a customer id may hold any of them), with DEL escaped too, which TOML
    forbids in a string and JSON leaves as it is."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, dict):
        inner = ", ".join(
            f"{_toml_string(k)} = {_toml_value(v)}"
            for k, v in sorted(value.items())
        )
        return "{" + (f" {inner} " if inner else "") + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
