"""A Compose service's `deploy:` in the language: its replicas and resources (cpus in
millicores, memory in binary units; a limit below the size the import gives what is unbounded
is the request too), and a warning at each of its settings the language does not carry (a GPU
reservation, `mode: global`, placement constraints), which Compose would have applied.
"""

from __future__ import annotations

from .compose_parts import memory_quantity
from .sizing import SIZE, unbounded
from .source import WRONG

# what :func:`deploy` reads, and `restart_policy.condition` (:func:`.compose_task.restart_of`)
_READ = {"replicas": None, "restart_policy": {"condition": None},
         "resources": {part: {"cpus": None, "memory": None} for part in ("limits", "reservations")}}


def deploy(s: str, svc: dict, doc: dict, ctx) -> None:
    d = svc.get("deploy") or {}
    if isinstance(d.get("replicas"), int) and doc["kind"] != "Job":
        doc["replicas"] = d["replicas"]
    res = d.get("resources") or {}
    r: dict = {}
    for part, cpu, mem in (("reservations", "cpu", "memory"), ("limits", "cpu_limit", "memory_limit")):
        p = res.get(part) or {}
        if p.get("cpus") is not None:
            try:
                r[cpu] = f"{int(round(float(p['cpus']) * 1000))}m"
            except (TypeError, ValueError, OverflowError):
                ctx.say(s, f"deploy.resources.{part}.cpus is not a number", ("deploy", "resources", part, "cpus"),
                        "error", code=WRONG)
        if p.get("memory") is not None:
            size = memory_quantity(p["memory"])
            if size is None:
                ctx.say(s, f"deploy.resources.{part}.memory is not a size", ("deploy", "resources", part, "memory"),
                        "error", code=WRONG)
            else:
                r[mem] = size
    for request, limit in (("cpu", "cpu_limit"), ("memory", "memory_limit")):
        if limit in r and request not in r and _below_size(request, r[limit]):
            r[request] = r[limit]   # the request overlays/dev.yaml gives would exceed the limit (SKY302)
    if r:
        doc["resources"] = r
    unsaid = (["replicas"] if doc["kind"] != "Job" and not isinstance(d.get("replicas"), int) else []) + \
        (["resources"] if unbounded(r) else [])
    _unread(s, d, _READ, ("deploy",), ctx)
    if unsaid:
        ctx.say(s, f"{' and '.join(unsaid)}: Compose does not say: " + (
            "the environment's profile defaults apply" if unsaid == ["replicas"] else
            f"overlays/dev.yaml sizes what it leaves unbounded (requests {SIZE['cpu']} CPU, {SIZE['memory']}; limits "
            "4x the requests)" + (", the profile gives replicas" if unsaid[1:] else "")))


def _below_size(key: str, limit: str) -> bool:
    """Whether a limit is below the request overlays/dev.yaml gives (:data:`SIZE`): the request then is the
    limit (a request above its limit does not build), as Kubernetes defaults it for a limit alone."""
    from ..units import parse_bytes, parse_cpu

    try:
        parse = parse_cpu if key == "cpu" else parse_bytes
        return parse(limit) < parse(SIZE[key])
    except (TypeError, ValueError):
        return False


def _unread(s: str, d, read: dict, at: tuple, ctx) -> None:
    """A warning at each setting of ``d`` (under ``at``) that :data:`_READ` does not read."""
    if not isinstance(d, dict):
        return
    for key in sorted(d, key=str):
        if key in read and isinstance(read[key], dict):
            _unread(s, d[key], read[key], at + (key,), ctx)
        elif key not in read:
            path = ".".join(map(str, at + (key,)))
            gpu = key == "devices" and "gpu" in str(d[key]).lower()
            ctx.say(s, f"{path} is not carried over: the language has no field for it" +
                    (" (a GPU: without it the pod is scheduled on any node, and has none)" if gpu else ""),
                    at + (key,), "warning",
                    hint='request the GPU in a `k8s:` patch of the container (`resources: {limits: {nvidia.com/gpu: '
                         '1}}`) and a node selector for GPU nodes' if gpu else
                    "say it in the spec where the language can (`replicas:`, `node_selector:`), else in a `k8s:` patch")
