"""Schedule: how many times a month a CronJob runs, from its cron schedule, in exact
fractions (an average month: 1/12 of a 365-day year, the 730-hour month). The schedule is
read by :mod:`skyspec.ir.cron`, the one parser (what Kubernetes accepts); here a schedule
that cannot be read is simply None (validation reports it, SKY116). It must NOT parse cron
text itself nor price runs."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MONTH_SECONDS = 730 * 3600


@lru_cache(maxsize=1024)
def runs_per_month(schedule: str) -> Fraction | None:
    """Expected runs in an average month (1/12 of a 365-day year, the 730-hour month) of a
    cron schedule; None when it cannot be read.

    Runs a day = matching minutes x matching hours. Days a year: for each matching month,
    its days that match; day-of-week is taken as uniform (a day matches `k/7` of the time),
    and day-of-month and day-of-week combine like Kubernetes (robfig/cron): when both are
    restricted a day matching either runs, otherwise both must match. February has 28 days,
    plus a quarter of a 29th for schedules that name day 29. So `@hourly` = 730,
    `@daily` = 365/12 = 30.42, `@weekly` = 4.35, `@monthly` = 1, `@yearly` = 1/12, and a
    schedule that never runs (`0 0 31 2 *`) 0. `@every D`: a 730-hour month over D."""
    from ..ir.cron import read  # the cron parser: imported only when a project has a CronJob

    s = read(schedule)
    if s is None:
        return None
    if s.every is not None:
        return Fraction(_MONTH_SECONDS, s.every)
    wk = Fraction(len(s.dows), 7)
    days = Fraction(0)
    for m in sorted(s.months):
        length = _MONTH_DAYS[m - 1]
        d = sum(1 for x in s.doms if x <= length)
        leap = Fraction(1, 4) if m == 2 and 29 in s.doms else 0
        if s.dom_star and s.dow_star:
            days += length
        elif s.dom_star:
            days += length * wk
        elif s.dow_star:
            days += d + leap
        else:
            days += d + leap + (length - d) * wk
    return days * len(s.minutes) * len(s.hours) / 12
