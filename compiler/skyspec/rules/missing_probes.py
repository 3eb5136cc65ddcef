"""long-running workload without liveness or readiness probe

The main container of an App or StatefulApp needs both probes. Without a readiness probe a
pod receives traffic as soon as its process starts, before it can serve, and keeps
receiving it while it cannot; without a liveness probe a hung process is never restarted.
`health: /healthz` (or `{tcp: PORT}`, `{exec: [...]}`) gives both; `health: {startup: ...}`
alone gives neither. Jobs and CronJobs are not checked: they end on their own.

The finding points at `health` when it is there, else at the document.

PASS:

```yaml
kind: App
name: api
image: ghcr.io/acme/api:1.4.2
port: 8080
health: /healthz
```

FAIL:

```yaml
kind: App  # <- no health at all
name: api
image: ghcr.io/acme/api:1.4.2
port: 8080
```

FAIL (a liveness probe alone):

```yaml
kind: StatefulApp
name: db
image: postgres:16.4
ports: {postgres: 5432}
health:  # <- only a liveness probe
  liveness: {tcp: postgres}
```
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Pos
from ._common import label, where_key

ID = "missing-probes"
CODE = "SKY402"
SEVERITY = "warning"

_BASE = ("http", "tcp", "exec")


def _declared(health, which: str) -> bool:
    """Whether the spec asks for the probe: if so and the IR has none, lowering reported
    an error about it already (no second report)."""
    if isinstance(health, str):
        return True
    if isinstance(health, dict):
        return which in health or any(k in health for k in _BASE)
    return False


def check(ir, ctx) -> Iterator[tuple[Pos | None, str, str | None]]:
    for w in ir.workloads:
        if w.kind not in ("App", "StatefulApp") or not w.containers:
            continue
        c = w.containers[0]
        health = (w.spec.data.get("health") if w.spec is not None and isinstance(w.spec.data, dict) else None)
        missing = [which for which in ("liveness", "readiness")
                   if getattr(c, which, None) is None and not _declared(health, which)]
        if not missing:
            continue
        what = " or ".join(missing)
        yield where_key(w.spec, "health"), f"{label(w)} has no {what} probe", \
            "add `health: /healthz` (an HTTP path), `health: {tcp: PORT}` or `health: {exec: [...]}` for both probes"
