"""container without cpu and memory requests or without a memory limit

The scheduler places a pod by its requests: a container without them is placed as if it
needed nothing, and is the first evicted when a node runs short. A container without a
memory limit can take all of its node's memory and have its neighbours OOM-killed. (A CPU
limit is not asked for: CPU is shared by time, not taken away.) A request left out but a
limit set counts as set, since Kubernetes then requests the limit.

Checked for every container, sidecars and init containers included, *after* the
environment's defaults: the built-in profiles (`dev`, `qa`, `prod`) and overlays'
`defaults: {resources: ...}` give the main container requests, and the `size` pass gives
sidecars requests and derives limits from requests. So it fires in an environment without
a profile or defaults, for a spec that sets no resources of its own.

The finding points at the container's `resources` when it is there, else at the container
(the document, for the main container).

PASS:

```yaml
kind: App
name: api
image: ghcr.io/acme/api:1.4.2
resources: {cpu: 250m, memory: 256Mi, memory_limit: 256Mi}
```

FAIL (in an environment without a profile):

```yaml
kind: App  # <- no resources
name: api
image: ghcr.io/acme/api:1.4.2
```
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Pos
from ._common import containers, spec_value, where_key

ID = "missing-resources"
CODE = "SKY403"
SEVERITY = "warning"

FIELDS = ("cpu", "memory", "cpu_limit", "memory_limit")


def check(ir, ctx) -> Iterator[tuple[Pos | None, str, str | None]]:
    for w in ir.workloads:
        for c, at, who in containers(w):
            r = c.resources
            if r is None:
                continue
            written = spec_value(w.spec, at + ("resources",))
            written = written if isinstance(written, dict) else {}

            if any(getattr(r, f, None) is None for f in written if f in FIELDS):
                continue  # a quantity that did not parse: reported already (SKY112)

            def absent(field: str) -> bool:
                return getattr(r, field, None) is None

            missing = []
            if absent("cpu") and absent("cpu_limit"):
                missing.append("cpu request")
            if absent("memory") and absent("memory_limit"):
                missing.append("memory request")
            if absent("memory_limit"):
                missing.append("memory limit")
            if not missing:
                continue
            what = ", ".join(missing[:-1]) + (" or " if len(missing) > 1 else "") + missing[-1]
            yield where_key(w.spec, *at, "resources"), f"{who} has no {what}", \
                "set e.g. `resources: {cpu: 250m, memory: 256Mi, memory_limit: 256Mi}`, or give the environment " \
                "defaults (a profile, or an overlay's `defaults: {resources: ...}`)"
