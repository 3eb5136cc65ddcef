"""How the Python builders spell a spec field: the builder call that sets a field, for hints
that point at a Python line (``add `.image("ghcr.io/acme/api:1.0.0")` `` rather than
``image: ...``). :data:`CALLS` maps a field's path to an example call; a test holds every
call to a method the builders have. This module is data and one lookup: it must not import
the builders' classes or anything above them.
"""

from __future__ import annotations

# field path (`*`: any key of a collection) -> an example builder call that sets it
CALLS: dict[tuple, str] = {
    ("image",): '.image("ghcr.io/acme/api:1.0.0")',
    ("use",): '.use("postgres")',
    ("schedule",): '.schedule("0 2 * * *")',
    ("replicas",): ".replicas(1)",
    ("credentials",): '.credentials(Secret("db-credentials").keys("password"))',
    ("backup", "schedule"): '.backup_schedule("0 2 * * *")',
    ("backup", "location"): '.backup_location("s3://my-backups/postgres")',
    ("backup", "retention"): ".backup_retention(30)",
    ("autoscale", "max"): ".autoscale(2, 10, target_cpu=70)",
    ("strategy", "canary", "percent"): ".canary_percentage(10)",
    ("metrics", "port"): '.enable_metrics(port="metrics")',
    ("rules",): '.add_policy("get", "pods")',
    ("level",): '.pod_security_standards("restricted")',
    ("apps",): '.for_apps("api")',
    ("manifest",): '.manifest({"apiVersion": "v1", "kind": "ConfigMap"})',
    ("volumes", "*", "mount"): '.mount("/etc/app")',
}


def builder_call(path: tuple) -> str | None:
    """The example builder call that sets the field at ``path``, or None when the builders
    have no call of their own."""
    for pattern, call in CALLS.items():
        if len(pattern) == len(path) and all(p in ("*", k) for p, k in zip(pattern, path)):
            return call
    return None
