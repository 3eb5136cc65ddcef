"""App with a single replica in a protected environment

In a protected environment (`prod`, or any environment with `protected: true`) an App
running one replica without `autoscale` is down whenever its pod is: on every node drain,
every eviction, every crash. Two replicas keep it serving (and the `prod` profile
then gives it a PodDisruptionBudget and spreads the replicas). Other environments are not
checked, nor StatefulApps (a single database is often deliberate) nor Jobs. An App without
`replicas` runs one.

The finding points at `replicas` when it is there, else at the document.

PASS:

```yaml
kind: App
name: api
image: ghcr.io/acme/api:1.4.2
replicas: 1
autoscale: {min: 2, max: 6, cpu: 70}
```

FAIL (in a protected environment):

```yaml
kind: App
name: api
image: ghcr.io/acme/api:1.4.2
replicas: 1  # <- one pod
```
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Pos
from ._common import label, where

ID = "single-replica"
CODE = "SKY405"
SEVERITY = "warning"
PROTECTED_ONLY = True


def check(ir, ctx) -> Iterator[tuple[Pos | None, str, str | None]]:
    for w in ir.workloads:
        if w.kind != "App" or w.autoscale is not None:
            continue
        if (1 if w.replicas is None else w.replicas) == 1:
            yield where(w.spec, "replicas"), \
                f'{label(w)} runs a single replica in protected environment "{ir.env}"', \
                "set `replicas: 2` or more, or `autoscale: {min: 2, max: N, cpu: 70}`"
