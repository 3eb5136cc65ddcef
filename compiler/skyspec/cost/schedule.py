"""Schedule: how many times a month a CronJob runs, from its cron schedule, in exact
fractions (an average month: 1/12 of a 365-day year, the 730-hour month). It reads
schedules only; it must NOT validate them (that is :mod:`skyspec.ir.cron`, at lowering:
here a schedule that cannot be read is simply None) nor price runs."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
           "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def _expand(text: str, lo: int, hi: int, names: list[str] | None, base: int) -> tuple[set[int], bool]:
    """The values a cron field matches, and whether it is unrestricted (`*` or `?` without a
    step: robfig/cron's "star bit", which decides how day-of-month and day-of-week combine)."""
    vals: set[int] = set()
    star = False

    def num(tok: str) -> int:
        if names and tok.lower() in names:
            return names.index(tok.lower()) + base
        return int(tok)

    for item in text.split(","):
        rng, _, step = item.partition("/")
        n = int(step) if step else 1
        if rng in ("*", "?"):
            a, b = lo, hi
            star = star or n == 1
        else:
            x, dash, y = rng.partition("-")
            a = num(x)
            b = num(y) if dash else (hi if step else a)
        vals.update(range(a, b + 1, n))
    return vals, star


@lru_cache(maxsize=1024)
def runs_per_month(schedule: str) -> Fraction | None:
    """Expected runs in an average month (1/12 of a 365-day year, the 730-hour month) of a
    cron schedule; None when it cannot be read.

    Runs a day = matching minutes x matching hours. Days a year: for each matching month,
    its days that match; day-of-week is taken as uniform (a day matches `k/7` of the time),
    and day-of-month and day-of-week combine like Kubernetes (robfig/cron): when both are
    restricted a day matching either runs, otherwise both must match. February has 28 days,
    plus a quarter of a 29th for schedules that name day 29. So `@hourly` = 730,
    `@daily` = 365/12 = 30.42, `@weekly` = 4.35, `@monthly` = 1, `@yearly` = 1/12."""
    s = _MACROS.get(schedule.strip(), schedule.strip())
    parts = s.split()
    if len(parts) != 5:
        return None
    try:
        minutes, _ = _expand(parts[0], 0, 59, None, 0)
        hours, _ = _expand(parts[1], 0, 23, None, 0)
        doms, dom_star = _expand(parts[2], 1, 31, None, 0)
        months, _ = _expand(parts[3], 1, 12, _MONTHS, 1)
        dows, dow_star = _expand(parts[4], 0, 7, _DAYS, 0)
    except ValueError:
        return None
    dows = {d % 7 for d in dows}
    wk = Fraction(len(dows), 7)
    days = Fraction(0)
    for m in sorted(months):
        if not 1 <= m <= 12:
            continue
        length = _MONTH_DAYS[m - 1]
        d = sum(1 for x in doms if 1 <= x <= length)
        leap = Fraction(1, 4) if m == 2 and 29 in doms else 0
        if dom_star and dow_star:
            days += length
        elif dom_star:
            days += length * wk
        elif dow_star:
            days += d + leap
        else:
            days += d + leap + (length - d) * wk
    per_day = len([x for x in minutes if 0 <= x <= 59]) * len([x for x in hours if 0 <= x <= 23])
    return days * per_day / 12
