"""Cron schedules as Kubernetes CronJobs accept them (five fields, or a macro)."""

from __future__ import annotations

MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_FIELDS = (
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]),
    ("day of week", 0, 7, ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
)


def check_cron(expr: str) -> str | None:
    """None when valid; otherwise what is wrong, for a diagnostic."""
    s = expr.strip()
    if s.startswith("@"):
        return None if s in MACROS else f'unknown macro "{s}" (use one of {", ".join(sorted(MACROS))})'
    if s.startswith(("TZ=", "CRON_TZ=")):
        return "set the time zone with `time_zone:`, not inside the schedule"
    parts = s.split()
    if len(parts) != 5:
        return f"a schedule has 5 fields (minute hour day-of-month month day-of-week), this one has {len(parts)}"
    for text, (name, lo, hi, names) in zip(parts, _FIELDS):
        for item in text.split(","):
            err = _item(item, name, lo, hi, names)
            if err:
                return err
    return None


def _value(tok: str, name: str, lo: int, hi: int, names) -> tuple[int | None, str | None]:
    if names and tok.lower() in names:
        return names.index(tok.lower()) + (lo if name == "month" else 0), None
    if not tok.isdigit():
        return None, f'{name} "{tok}" is not a number'
    v = int(tok)
    if not lo <= v <= hi:
        return None, f"{name} {v} is out of range {lo}-{hi}"
    return v, None


def _item(item: str, name: str, lo: int, hi: int, names) -> str | None:
    if not item:
        return f"empty {name} field"
    rng, _, step = item.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        return f'{name} step "{step}" must be a positive number'
    if rng in ("*", "?"):
        return None
    a, dash, b = rng.partition("-")
    va, err = _value(a, name, lo, hi, names)
    if err:
        return err
    if dash:
        vb, err = _value(b, name, lo, hi, names)
        if err:
            return err
        if vb < va:
            return f"{name} range {rng} goes backwards"
    return None
