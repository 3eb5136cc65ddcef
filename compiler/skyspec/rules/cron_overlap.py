"""frequent CronJob whose runs may overlap

A CronJob with `concurrency: Allow`, which is Kubernetes' default when `concurrency` is not
set, starts a new run on schedule even while the previous one is still going. On a
schedule more frequent than every 5 minutes, one slow run (a locked table, a slow API)
is enough for runs to pile up, each competing with the others for the same work and
resources. `concurrency: Forbid` skips a run while the last is active; `Replace` stops the
old run. The shortest gap between two runs is what counts: `0,2 * * * *` runs 2 minutes
apart once an hour.

PASS:

```yaml
kind: CronJob
name: sync
image: ghcr.io/acme/sync:1.0.3
schedule: "*/2 * * * *"
concurrency: Forbid
---
kind: CronJob
name: report
image: ghcr.io/acme/report:1.0.3
schedule: "*/5 * * * *"
```

FAIL:

```yaml
kind: CronJob
name: sync
image: ghcr.io/acme/sync:1.0.3
schedule: "*/2 * * * *"  # <- every 2 minutes, concurrency Allow by default
```
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Pos
from ..ir.cron import check_cron
from ._common import label, where

ID = "cron-overlap"
CODE = "SKY408"
SEVERITY = "warning"

MIN_GAP = 5  # minutes


def _values(field: str, lo: int, hi: int) -> set[int]:
    out: set[int] = set()
    for item in field.split(","):
        rng, _, step = item.partition("/")
        if rng in ("*", "?"):
            a, b = lo, hi
        else:
            first, dash, last = rng.partition("-")
            a = int(first)
            b = int(last) if dash else (hi if step else a)
        out.update(range(a, b + 1, int(step) if step else 1))
    return out


def shortest_gap(schedule: str) -> int | None:
    """The shortest time between two runs, in minutes, looking at minutes and hours only
    (days only ever lengthen gaps); None for a macro (`@hourly` at most) or an invalid
    schedule (reported as SKY116)."""
    s = schedule.strip()
    if s.startswith("@") or check_cron(s) is not None:
        return None
    fields = s.split()
    try:
        minutes, hours = _values(fields[0], 0, 59), _values(fields[1], 0, 23)
    except ValueError:
        return None
    times = sorted(h * 60 + m for h in hours for m in minutes)
    if not times:
        return None
    gaps = [b - a for a, b in zip(times, times[1:])] + [times[0] + 24 * 60 - times[-1]]
    return min(gaps)


def check(ir, ctx) -> Iterator[tuple[Pos | None, str, str | None]]:
    for w in ir.workloads:
        cron = w.cron
        if w.kind != "CronJob" or cron is None or not isinstance(cron.schedule, str):
            continue
        if cron.concurrency not in (None, "Allow"):
            continue
        gap = shortest_gap(cron.schedule)
        if gap is None or gap >= MIN_GAP:
            continue
        every = "every minute" if gap == 1 else f"as often as every {gap} minutes"
        allow = "concurrency Allow" + ("" if cron.concurrency else " (the default)")
        yield where(w.spec, "schedule"), f"{label(w)} runs {every} with {allow}: runs can overlap", \
            "set `concurrency: Forbid` (skip a run while the last is active) or `Replace`, or run less often"
