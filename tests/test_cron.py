"""One cron parser (skyspec.ir.cron), accepting exactly what Kubernetes' CronJob accepts
(robfig/cron v3 ParseStandard, and no `TZ`), used by validation, the cost estimate and the
overlap rule; SKY123 for a schedule that never runs. The property test draws random
schedules and checks the parser against a transcription of robfig's getRange, and the
three users against each other."""

from __future__ import annotations

import datetime
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from skyspec.cost.schedule import runs_per_month
from skyspec.ir.cron import MONTH_DAYS, check_cron, parse
from skyspec.rules.cron_overlap import shortest_gap

ACCEPTED = [
    "* * * * *", "0 3 * * *", "*/15 * * * *", "0 9 * * MON-FRI", "0 0 1 jan,JUL *", "? ? ? ? ?",
    "5/15 * * * *", "*-5 * * * *", "1,,2 * * * *", "1, * * * *", "+5 * * * *", "05 03 * * *",
    "*/90 * * * *", "0\t0  *   *  *", " 0 0 * * * ", "0 0 31 2 *", "0 0 * * 0", "0 0 * * sat-sat",
    "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
    "@every 90m", "@every 1h30m", "@every 1.5h", "@every 500ms", "@every 0",
]
REFUSED = [
    "", "* * * *", "* * * * * *", "61 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 32 * *", "0 0 * 13 *",
    "0 0 * * 7", "0 0 * * 0,7", "*/0 * * * *", "5/0 * * * *", "5-1 * * * *", "1-2-3 * * * *", "1/2/3 * * * *",
    "x * * * *", "0 0 * * funday", "0 0 * january *", "jan * * * *", "-1 * * * *", "1- * * * *",
    "@reboot", "@DAILY", "@daily ", " @daily", "@every", "@every ", "@every1h", "@every 1d", "@every 1h ",
    "CRON_TZ=UTC 0 0 * * *", "TZ=Europe/Paris 0 0 * * *", "0 0 * * * TZ", "*/99999999999999999999 * * * *",
]


@pytest.mark.parametrize("schedule", ACCEPTED)
def test_accepted_as_kubernetes_does(schedule):
    assert check_cron(schedule) is None
    assert runs_per_month(schedule) is not None


@pytest.mark.parametrize("schedule", REFUSED)
def test_refused_as_kubernetes_does(schedule):
    assert check_cron(schedule) is not None
    assert runs_per_month(schedule) is None and shortest_gap(schedule) is None


def test_star_bit_decides_how_the_days_combine():
    # `*/2` is no star for robfig (a step above 1 clears it): the 1st OR Mondays
    assert not parse("0 0 */2 * 1").dom_star and parse("0 0 */1 * 1").dom_star and parse("0 0 5,* * 1").dom_star
    s = parse("0 0 13 * 5")   # the 13th or a Friday
    assert s.matches(0, 0, 13, 6, 2) and s.matches(0, 0, 14, 6, 5) and not s.matches(0, 0, 14, 6, 2)
    s = parse("0 0 * * 5")    # day of month is a star: Fridays only
    assert s.matches(0, 0, 14, 6, 5) and not s.matches(0, 0, 13, 6, 2)


@pytest.mark.parametrize("schedule, never", [
    ("0 0 31 2 *", True), ("0 0 30 2 *", True), ("0 0 31 4,6,9,11 *", True), (", * * * *", True),
    ("0 0 29 2 *", False), ("0 0 31 2 1", False), ("0 0 31 2,3 *", False), ("0 0 31 2 */1", True),
    ("@yearly", False), ("@every 1h", False),
])
def test_never_runs(schedule, never):
    assert parse(schedule).never_runs() is never
    assert (runs_per_month(schedule) == 0) is never
    assert (shortest_gap(schedule) is None) is never


def test_never_runs_is_a_located_warning(make_project, cli):
    make_project({"apps/j.yaml": "kind: CronJob\nname: leap\nimage: ghcr.io/acme/j:1.0.0\n"
                                 "schedule: \"0 0 31 2 *\"\nconcurrency: Forbid\n"})
    r = cli("check")
    assert r.exit_code == 0, r.output
    assert 'apps/j.yaml:4:11: warning[SKY123]: schedule "0 0 31 2 *" never runs' in r.stderr
    assert cli("check", "--strict").exit_code == 1


def test_invalid_schedule_message_from_the_one_parser(make_project, cli):
    make_project({"apps/j.yaml": "kind: CronJob\nname: j\nimage: ghcr.io/acme/j:1.0.0\nschedule: \"0 0 * * 7\"\n"})
    r = cli("check")
    assert r.exit_code == 1
    assert 'apps/j.yaml:4:11: error[SKY116]: invalid schedule "0 0 * * 7": day of week 7 is above 6' in r.stderr
    assert "Sunday is 0" in r.stderr


# ---------------------------------------------------------------------- the property test

BOUNDS = [(0, 59, None), (0, 23, None), (1, 31, None),
          (1, 12, "jan feb mar apr may jun jul aug sep oct nov dec".split()),
          (0, 6, "sun mon tue wed thu fri sat".split())]


def oracle_field(text: str, lo: int, hi: int, names) -> tuple[int, bool] | None:
    """robfig/cron v3 getField/getRange, transcribed: the bits of a field and its star bit,
    None where robfig returns an error."""
    def num(tok):
        if names and tok.lower() in names:
            return names.index(tok.lower()) + lo
        if not re.fullmatch(r"\+?\d+", tok) or int(tok) > 2**63 - 1:
            return None
        return int(tok)

    bits, star = 0, False
    for expr in [x for x in text.split(",") if x != ""]:
        rs = expr.split("/")
        lh = rs[0].split("-")
        extra = False
        if lh[0] in ("*", "?"):
            start, end, extra = lo, hi, True
        else:
            start = num(lh[0])
            if len(lh) == 1:
                end = start
            elif len(lh) == 2:
                end = num(lh[1])
            else:
                return None
            if start is None or end is None:
                return None
        if len(rs) == 1:
            step = 1
        elif len(rs) == 2:
            step = num(rs[1]) if not (names and rs[1].lower() in names) else None
            if step is None:
                return None
            if len(lh) == 1:
                end = hi
            if step > 1:
                extra = False
        else:
            return None
        if start < lo or end > hi or start > end or step == 0:
            return None
        for i in range(start, end + 1, step):
            bits |= 1 << i
        star = star or extra
    return bits, star


# 2001-2028: the calendar's 28-year cycle (each date on each weekday 4 times, February 29 once each)
CALENDAR = [(d.day, d.month, (d.weekday() + 1) % 7) for d in
             (datetime.date(2001, 1, 1) + datetime.timedelta(i) for i in range(28 * 365 + 7))]
TOKENS = ["*", "?", "0", "1", "2", "5", "7", "12", "13", "15", "23", "24", "29", "30", "31", "32", "59", "60",
          "jan", "FEB", "dec", "mon", "Fri", "sun", "x", "+3", ""]
item = st.builds(lambda a, dash, b, slash, step: a + (dash + b if dash else "") + (slash + step if slash else ""),
                 st.sampled_from(TOKENS), st.sampled_from(["", "", "-"]), st.sampled_from(TOKENS),
                 st.sampled_from(["", "", "/"]), st.sampled_from(["0", "1", "2", "3", "7", "15", "30", "x", ""]))
field = st.lists(item, min_size=1, max_size=3).map(",".join)
five = st.lists(field, min_size=5, max_size=5).map(" ".join)
macro = st.sampled_from(["@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually",
                         "@every 1m", "@every 4m59s", "@every 2h", "@every 90s", "@fortnightly", "@every 1w"])
schedules = st.one_of(five, five, five, macro)


@settings(max_examples=400, deadline=None)
@given(schedules)
def test_parser_users_and_robfig_agree(schedule):
    problem = check_cron(schedule)
    runs, gap = runs_per_month(schedule), shortest_gap(schedule)
    # validation, cost and the overlap rule accept the same schedules
    assert (problem is None) == (runs is not None)
    if problem is not None:
        assert gap is None
        if not schedule.startswith("@"):
            assert any(oracle_field(f, *b) is None for f, b in zip(schedule.split(), BOUNDS)) or \
                len(schedule.split()) != 5
        return
    s = parse(schedule)
    if not schedule.startswith("@"):
        got = [oracle_field(f, *b) for f, b in zip(schedule.split(), BOUNDS)]
        assert None not in got
        sets = [s.minutes, s.hours, s.doms, s.months, s.dows]
        for (bits, _), values in zip(got, sets):
            assert values == {i for i in range(64) if bits >> i & 1}
        assert (s.dom_star, s.dow_star) == (got[2][1], got[4][1])
    # they agree on whether it ever runs, and on how often
    never = s.never_runs()
    assert (runs == 0) == never and (gap is None) == never
    if never:
        return
    if s.every is not None:
        assert runs == Fraction(730 * 3600, s.every) and gap == max(1, s.every // 60)
        return
    # the overlap rule's gap, brute force with the parser's matcher on a day it runs
    m0 = min(s.months)
    d0 = next((d for d in sorted(s.doms) if d <= MONTH_DAYS[m0 - 1]), 1)
    w0 = next(w for w in range(7) if s.day_matches(d0, w) and s.matches(min(s.minutes), min(s.hours), d0, m0, w)) \
        if any(s.day_matches(d0, w) for w in range(7)) else None
    if w0 is not None:
        day = [h * 60 + m for h in range(24) for m in range(60) if s.matches(m, h, d0, m0, w0)]
        times = day + [t + 1440 for t in day]
        assert gap == min(b - a for a, b in zip(times, times[1:]))
    # the cost estimate: within a quarter day a year of a count over a 28-year calendar cycle
    # (the estimate counts 365-day years, plus a quarter of February 29 only when it names day 29)
    per_day = len(s.minutes) * len(s.hours)
    days = sum(1 for d, m, w in CALENDAR if m in s.months and s.day_matches(d, w))
    assert abs(runs - Fraction(days * per_day, 28 * 12)) <= Fraction(per_day, 48)


def test_the_editor_schema_describes_what_the_parser_accepts():
    """The editors' schema leaves a CronJob's schedule syntax to this parser (a pattern would
    be a second parser), and its description names every macro the parser takes."""
    import json

    from conftest import ROOT
    from skyspec.ir.cron import EVERY, MACROS

    defs = json.loads((ROOT / "schemas" / "skyspec.json").read_text())["$defs"]
    schedule = defs["CronJob.schedule"]
    assert schedule["type"] == "string" and "pattern" not in schedule
    assert all(m in schedule["description"] for m in [*MACROS, EVERY.strip()]), schedule["description"]
    assert json.loads((ROOT / "schemas" / "cronjob.json").read_text())["properties"]["schedule"] == schedule
