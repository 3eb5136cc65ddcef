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
from ._common import label, where

ID = "cron-overlap"
CODE = "SKY408"
SEVERITY = "warning"

MIN_GAP = 5  # minutes


def shortest_gap(schedule: str) -> int | None:
    """The shortest time between two runs, in whole minutes (at least 1), read by the one
    cron parser (:mod:`skyspec.ir.cron`), looking at minutes and hours only (days only ever
    lengthen gaps); `@every D` is D. None for a schedule that is invalid (SKY116) or never
    runs (SKY123)."""
    from ..ir.cron import read  # the cron parser: imported only when a project has a CronJob

    s = read(schedule)
    if s is None or s.never_runs():
        return None
    if s.every is not None:
        return max(1, s.every // 60)
    times = s.times_of_day()
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
