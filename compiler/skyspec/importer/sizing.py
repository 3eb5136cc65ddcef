"""The sizes an import gives what its input runs without a bound.

A container without requests gets its environment's profile `defaults:` (dev: 64Mi, which is
the limit too), enough for no real web app, worker or database: Compose runs a service
without `deploy.resources` unbounded, and so does Kubernetes a container without
`resources`. An imported environment whose profile would size such a container gets, in its
own overlay, requests of :data:`SIZE` beneath every spec and each limit 4x its request
(:data:`SIZE_LIMITS`, `settings.limits`); an environment without a profile sizes nothing.
"""

from __future__ import annotations

SIZE, SIZE_LIMITS = {"cpu": "100m", "memory": "256Mi"}, {"cpu": 4, "memory": 4}
SIZED_COMMENT = ("the requests of what the input runs without a bound: the profile's (dev: 64Mi, the limit "
                 "too)\nwould OOM-kill it; size each workload in its spec")


def unbounded(resources: dict | None) -> bool:
    """Whether a spec's `resources:`, as the import writes them, leave a request or limit unsaid."""
    return not {"cpu", "memory", "cpu_limit", "memory_limit"} <= set(resources or {})


def unrequested(doc: dict) -> bool:
    """Whether a workload spec the import wrote leaves its main container's CPU or memory
    request to the profile (no stdlib template, which sizes its own)."""
    return "use" not in doc and not {"cpu", "memory"} <= set(doc.get("resources") or {})
