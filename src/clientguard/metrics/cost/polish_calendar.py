"""The Polish calendar of days free from work, and the two rules of the late-payment law that
use it: where a payment term that ends on a Saturday or a day free from work really ends (art.
115 KC), and the last business day of a month (art. 10 ust. 1a of the 2013 Act).

Days free from work (ustawa z dnia 18 stycznia 1951 r. o dniach wolnych od pracy, art. 1):
Sundays, 1 January, 6 January from 2011 (the act of 24 September 2010 that restored Epiphany,
a working day from 1960 to 2010), Easter Sunday and Monday, 1 and 3 May, Pentecost Sunday,
Corpus Christi, 15 August, 1 and 11 November, 25 and 26 December, and 24 December from 2025
(the act of 2024 that made Christmas Eve a day free from work). Earlier changes of the act (3
May restored in 1990, 15 August and 11 November in 1989, 22 July until 1989) are not modelled:
days before 1990 are judged by today's list. docs/metrics/cost.md ("Due dates that
fall on a Saturday or a holiday") has the rules and their sources.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from dateutil.easter import easter as easter_sunday

__all__ = ["ART_115_SATURDAY_FROM", "is_polish_day_off", "polish_term_end"]

ART_115_SATURDAY_FROM = date(2017, 1, 1)
"""The day art. 115 KC began to move a term that ends on a Saturday too (the act of 16
September 2016, Dz.U. 2016 poz. 1579, for terms not yet ended that day); before it, only a
term ending on a day free from work moved."""

_EPIPHANY_FROM = 2011
"""The first year 6 January is a day free from work again (the act of 24 September 2010, Dz.U.
2010 nr 224 poz. 1459; a working day from 1960)."""

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5
_SUNDAY = 6


def is_polish_day_off(day: date) -> bool:
    """True for a Sunday or a Polish public holiday (a day "uznany ustawowo za wolny od
    pracy"); a Saturday is not one (it is no business day either: see
    :func:`polish_term_end`)."""
    return day.weekday() == _SUNDAY or day in _polish_public_holidays(day.year)


def polish_term_end(due_date: date) -> date:
    """The day a Polish payment term due on ``due_date`` ends, by art. 115 KC: ``due_date``
    itself, or, where it is a Saturday or a day free from work, the next day that is neither.

    The debtor who pays on that day pays on time; interest for delay runs from the day after
    it. A Saturday moves the term only from 2017 (:data:`ART_115_SATURDAY_FROM`).
    Examples: Saturday 1 November 2025 (also All Saints' Day) ends on Monday 3 November;
    Wednesday 24 December 2025 on Monday 29 December; Tuesday 24 December 2024 (not yet a
    holiday) on that day.
    """
    day = due_date
    while is_polish_day_off(day) or (
        day.weekday() == _SATURDAY and day >= ART_115_SATURDAY_FROM
    ):
        day += _ONE_DAY
    return day


@functools.cache
def _polish_public_holidays(year: int) -> frozenset[date]:
    # Ustawa o dniach wolnych od pracy: fixed days, Easter-based days, 6 January from 2011 and
    # 24 December from 2025.
    easter = easter_sunday(year)
    fixed = [(1, 1), (5, 1), (5, 3), (8, 15), (11, 1), (11, 11), (12, 25), (12, 26)]
    if year >= _EPIPHANY_FROM:
        fixed.append((1, 6))
    if year >= 2025:
        fixed.append((12, 24))
    movable = [easter, easter + _ONE_DAY, easter + timedelta(days=49), easter + timedelta(days=60)]
    return frozenset([date(year, month, day) for month, day in fixed] + movable)
