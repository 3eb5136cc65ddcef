"""Cron schedules exactly as Kubernetes' CronJob accepts them: the one parser of skyspec,
used by validation (lowering: SKY116 invalid, SKY123 never runs), the cost estimate
(:mod:`skyspec.cost.schedule`) and the overlap rule (:mod:`skyspec.rules.cron_overlap`).

Kubernetes validates `spec.schedule` with robfig/cron v3's `ParseStandard` and rejects any
schedule containing `TZ`; this module reproduces that parser: five fields split on
whitespace (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week
0-6 or sun-sat, names in any case; 7 is not Sunday), each a comma list (empty items
skipped) of `*` or `?` (the whole range; anything after `*-` is ignored), `N`, `N-M`, with
an optional `/STEP` (`N/STEP` runs from N to the end; a step of 0 is an error); and the
descriptors `@yearly @annually @monthly @weekly @daily @midnight @hourly` and
`@every <Go duration>` (accepted by the API server, though its docs do not list it), matched
byte for byte. Day of month and day of week combine like robfig: when either field carries
the "star bit" (`*` or `?` without a step above 1) both must match, otherwise either does.
This module parses and answers questions about a schedule; it must not report diagnostics
(lowering does) nor price runs (the cost package does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
          "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
EVERY = "@every "
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_FIELDS = (  # name, min, max, names (value of the first name)
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, {n: i + 1 for i, n in enumerate(_MONTHS)}),
    ("day of week", 0, 6, {n: i for i, n in enumerate(_DAYS)}),
)
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # the most each month can have
_INT = re.compile(r"[+]?[0-9]+\Z")  # what Go's strconv.Atoi takes here (a '-' is a range)
_INT_MAX = 2**63 - 1                # beyond it, Atoi fails
# Go's unicode.IsSpace, which strings.Fields splits on (Python's str.split() takes more)
_SPACE = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_DURATION = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_NS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
            "h": 3600 * 10**9}


class CronError(ValueError):
    """Why a schedule is not one Kubernetes accepts (the message names the field)."""


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: the values each field matches, whether day of month and day of
    week carry the star bit, or, for `@every`, the delay in whole seconds (``every``)."""

    text: str
    minutes: frozenset = frozenset()
    hours: frozenset = frozenset()
    doms: frozenset = frozenset()
    months: frozenset = frozenset()
    dows: frozenset = frozenset()
    dom_star: bool = False
    dow_star: bool = False
    every: int | None = None

    def day_matches(self, dom: int, dow: int) -> bool:
        """Whether a day runs (robfig's dayMatches): both fields when either is a star."""
        a, b = dom in self.doms, dow in self.dows
        return a and b if self.dom_star or self.dow_star else a or b

    def matches(self, minute: int, hour: int, dom: int, month: int, dow: int) -> bool:
        """Whether the schedule runs at that minute (dow 0 = Sunday); `@every` has no calendar."""
        if self.every is not None:
            return False
        return minute in self.minutes and hour in self.hours and month in self.months and \
            self.day_matches(dom, dow)

    def never_runs(self) -> bool:
        """No minute of any year matches: a day that no month it names has (`0 0 31 2 *`,
        `0 0 30 2 *`), or an empty field (`,`). Every date falls on every weekday over the
        years, and February 29 comes every fourth year, so only these can never run."""
        if self.every is not None:
            return False
        if not (self.minutes and self.hours and self.months):
            return True
        for m in self.months:
            has_dom = any(d <= MONTH_DAYS[m - 1] for d in self.doms)
            if (has_dom and self.dows) if self.dom_star or self.dow_star else (has_dom or self.dows):
                return False
        return True

    def times_of_day(self) -> list[int]:
        """The minutes of a day (hour x 60 + minute) it runs at, in order."""
        return sorted(h * 60 + m for h in self.hours for m in self.minutes)


def _int(tok: str, expr: str) -> int:
    if not _INT.match(tok) or int(tok) > _INT_MAX:
        raise CronError(f'"{tok}" is not a number (in "{expr}")')
    return int(tok)


def _value(tok: str, names, expr: str) -> int:
    if names is not None and tok.lower() in names:
        return names[tok.lower()]
    return _int(tok, expr)


def _range(expr: str, name: str, lo: int, hi: int, names) -> tuple[set[int], bool]:
    parts = expr.split("/")
    if len(parts) > 2:
        raise CronError(f'{name}: too many slashes in "{expr}"')
    bounds = parts[0].split("-")
    star = False
    if bounds[0] in ("*", "?"):
        start, end, star = lo, hi, True
    else:
        start = _value(bounds[0], names, expr)
        if len(bounds) == 1:
            end = start
        elif len(bounds) == 2:
            end = _value(bounds[1], names, expr)
        else:
            raise CronError(f'{name}: too many hyphens in "{expr}"')
    step = 1
    if len(parts) == 2:
        step = _int(parts[1], expr)
        if len(bounds) == 1:
            end = hi          # `N/step` runs from N to the end of the field
        if step > 1:
            star = False
    if start < lo:
        raise CronError(f"{name} {start} is below {lo} (in \"{expr}\")")
    if end > hi:
        raise CronError(f"{name} {end} is above {hi} (in \"{expr}\")" +
                        ("; Sunday is 0" if name == "day of week" and end == 7 else ""))
    if start > end:
        raise CronError(f'{name} range "{expr}" goes backwards')
    if step == 0:
        raise CronError(f'{name} step must be a positive number (in "{expr}")')
    return set(range(start, end + 1, step)), star


def _field(text: str, name: str, lo: int, hi: int, names) -> tuple[frozenset, bool]:
    values: set[int] = set()
    star = False
    for item in text.split(","):
        if item:          # robfig splits with FieldsFunc: empty items are skipped
            v, s = _range(item, name, lo, hi, names)
            values |= v
            star |= s
    return frozenset(values), star


def go_duration_seconds(text: str) -> int:
    """``text`` read as Go's time.ParseDuration does, as robfig's `@every` uses it: whole
    seconds, at least 1 (a shorter or negative delay is 1s)."""
    s = text
    sign = 1
    if s[:1] in ("-", "+"):
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if s == "0":
        return 1
    if not s:
        raise CronError(f'"{text}" is not a duration (such as 90m or 1h30m)')
    total = Fraction(0)
    pos = 0
    while pos < len(s):
        m = _DURATION.match(s, pos)
        if m is None or m.group(1) in ("", "."):
            raise CronError(f'"{text}" is not a duration (such as 90m or 1h30m; units ns us ms s m h)')
        total += Fraction(m.group(1)) * _UNIT_NS[m.group(2)]
        pos = m.end()
    ns = int(total) * sign  # Go truncates each fraction to whole nanoseconds; close enough for seconds
    return max(1, ns // 10**9) if ns >= 10**9 else 1


@lru_cache(maxsize=4096)
def parse(expr: str) -> Schedule:
    """The schedule ``expr`` as Kubernetes reads it; :class:`CronError` when it would refuse it."""
    if not isinstance(expr, str) or not expr:
        raise CronError("the schedule is empty")
    if "TZ" in expr:
        raise CronError("set the time zone with `time_zone:`, not inside the schedule (Kubernetes refuses TZ=)")
    if expr.startswith("@"):
        if expr in MACROS:
            return _fields(expr, MACROS[expr])
        if expr.startswith(EVERY):
            return Schedule(expr, every=go_duration_seconds(expr[len(EVERY):]))
        raise CronError(f'unknown macro "{expr}" (use one of {", ".join(sorted(MACROS))}, or "@every 90m")')
    return _fields(expr, expr)


def _fields(text: str, expr: str) -> Schedule:
    parts = [p for p in _SPACE.split(expr) if p]
    if len(parts) != 5:
        raise CronError(f"a schedule has 5 fields (minute hour day-of-month month day-of-week), "
                        f"this one has {len(parts)}")
    sets = [_field(p, *spec) for p, spec in zip(parts, _FIELDS)]
    (mi, _), (ho, _), (dom, dom_star), (mo, _), (dow, dow_star) = sets
    return Schedule(text, mi, ho, dom, mo, dow, dom_star, dow_star)


def check_cron(expr: str) -> str | None:
    """None when Kubernetes accepts ``expr``; otherwise what is wrong, for a diagnostic."""
    try:
        parse(expr)
    except CronError as e:
        return str(e)
    return None


def read(expr) -> Schedule | None:
    """The schedule, or None when it is not one (reported by validation, SKY116)."""
    try:
        return parse(expr) if isinstance(expr, str) else None
    except CronError:
        return None
