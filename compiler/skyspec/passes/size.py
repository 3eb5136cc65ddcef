"""size: requests and limits for every container, by a documented policy.

- Requests: a container without them gets the environment's defaults: the main container
  through the profile's `defaults: {resources: ...}` layer (visible in `explain`), sidecars
  and init containers from `settings.sidecar_resources` (default 50m / 64Mi).
- Limits, when not set: CPU limit = CPU request x `settings.limits.cpu` (default 2), memory
  limit = memory request x `settings.limits.memory` (default 1: a pod is never killed for
  using the memory it asked for, and never OOM-kills its neighbours).
- Checks: a limit below its request is an error (SKY302: Kubernetes rejects it); a limit
  more than `settings.limits.warn_ratio` (default 4) times the request is a warning
  (SKY301: the scheduler plans for the request, the node may be overcommitted by the rest);
  a request larger than the project's declared `node` size is an error (SKY303: the pod
  could never be scheduled); a memory limit below 6Mi is an error (SKY304: `memory: 128`,
  128 bytes, meant 128Mi; Docker refuses such a limit and runc cannot start a container in it).
"""

from __future__ import annotations

from ..ir import why
from ..ir.model import IR, Context
from ..units import QuantityError, format_bytes, format_cpu, parse_bytes, parse_cpu

# Documented defaults (`skyspec explain` points at these lines); `settings:` overrides each.
SIDECAR_DEFAULT = {"cpu": "50m", "memory": "64Mi"}  # requests of a sidecar or init container without its own
CPU_LIMIT_FACTOR = 2       # CPU limit = CPU request x this (`settings.limits.cpu`)
MEMORY_LIMIT_FACTOR = 1    # memory limit = memory request x this (`settings.limits.memory`)
LIMIT_WARN_RATIO = 4       # SKY301 above this many times the request (`settings.limits.warn_ratio`)
RUNTIME_MEMORY_FLOOR = 6 << 20  # SKY304 below: `docker run` refuses a smaller limit, runc cannot start in one

SIDECAR_REQUEST = why.Rule("size.sidecar-request", "a sidecar or init container without a request gets the "
                                                   "environment's sidecar request")
CPU_LIMIT = why.Rule("size.cpu-limit", "CPU limit = the CPU request x the CPU limit factor")
MEMORY_LIMIT = why.Rule("size.memory-limit", "memory limit = the memory request x the memory limit factor")
_MAIN = {"cpu": why.own("resources", "cpu", label="the CPU request"),
         "memory": why.own("resources", "memory", label="the memory request")}


def size(ir: IR, ctx: Context) -> IR:
    s = ir.settings
    limits = s.get("limits") or {}
    cpu_ratio, mem_ratio = limits.get("cpu", CPU_LIMIT_FACTOR), limits.get("memory", MEMORY_LIMIT_FACTOR)
    warn_ratio = limits.get("warn_ratio", LIMIT_WARN_RATIO)
    side = {**SIDECAR_DEFAULT, **(s.get("sidecar_resources") or {})}
    node_cpu, node_mem = _node(ctx, "cpu", parse_cpu), _node(ctx, "memory", parse_bytes)
    cpu_factor = why.setting_or(ir, "limits.cpu", __name__, "CPU_LIMIT_FACTOR", label="the CPU limit factor")
    mem_factor = why.setting_or(ir, "limits.memory", __name__, "MEMORY_LIMIT_FACTOR", label="the memory limit factor")
    main_cpu = why.Why(CPU_LIMIT, (_MAIN["cpu"], cpu_factor))   # every main container's, shared
    main_mem = why.Why(MEMORY_LIMIT, (_MAIN["memory"], mem_factor))
    for w in ir.workloads:
        for i, c in enumerate(w.containers + w.init_containers):
            r = c.resources
            at = ("resources",) if i == 0 else (("sidecars" if c in w.containers else "init"), c.name, "resources")
            where = (lambda *p: w.spec.where(*at, *p)) if w.spec else (lambda *p: None)
            if i > 0:
                if r.cpu is None:
                    r.cpu = parse_cpu(side["cpu"])
                    c.why["cpu"] = why.Why(SIDECAR_REQUEST, (why.setting_or(
                        ir, "sidecar_resources.cpu", __name__, "SIDECAR_DEFAULT", "cpu", label="the sidecar CPU request"),),
                        format_cpu(r.cpu))
                if r.memory is None:
                    r.memory = parse_bytes(side["memory"])
                    c.why["memory"] = why.Why(SIDECAR_REQUEST, (why.setting_or(
                        ir, "sidecar_resources.memory", __name__, "SIDECAR_DEFAULT", "memory",
                        label="the sidecar memory request"),), format_bytes(r.memory))
            if r.cpu is not None:
                if r.cpu_limit is None:
                    r.cpu_limit = int(r.cpu * cpu_ratio)
                    c.why["cpu_limit"] = main_cpu if i == 0 else why.Why(CPU_LIMIT, (_request(w, c, at, "cpu"),
                                                                                      cpu_factor))
                elif r.cpu_limit < r.cpu:
                    ctx.diags.error("SKY302", f"{c.name}: CPU limit {format_cpu(r.cpu_limit)} is below the request "
                                              f"{format_cpu(r.cpu)}", where("cpu_limit"),
                                    hint="a limit must be at least the request")
                elif r.cpu_limit > r.cpu * warn_ratio:
                    ctx.diags.warning("SKY301", f"{c.name}: CPU limit {format_cpu(r.cpu_limit)} is more than "
                                                f"{warn_ratio}x the request {format_cpu(r.cpu)}", where("cpu_limit"),
                                      hint="raise the request to what the app needs, or lower the limit")
                if node_cpu is not None and r.cpu > node_cpu:
                    ctx.diags.error("SKY303", f"{c.name}: CPU request {format_cpu(r.cpu)} is larger than a node "
                                              f"({format_cpu(node_cpu)})", where("cpu"),
                                    hint="no node could ever schedule this pod")
            if r.memory is not None:
                if r.memory_limit is None:
                    r.memory_limit = int(r.memory * mem_ratio)
                    c.why["memory_limit"] = main_mem if i == 0 else why.Why(MEMORY_LIMIT, (
                        _request(w, c, at, "memory"), mem_factor))
                elif r.memory_limit < r.memory:
                    ctx.diags.error("SKY302", f"{c.name}: memory limit {format_bytes(r.memory_limit)} is below the "
                                              f"request {format_bytes(r.memory)}", where("memory_limit"),
                                    hint="a limit must be at least the request")
                elif r.memory_limit > r.memory * warn_ratio:
                    ctx.diags.warning("SKY301", f"{c.name}: memory limit {format_bytes(r.memory_limit)} is more than "
                                                f"{warn_ratio}x the request {format_bytes(r.memory)}",
                                      where("memory_limit"), hint="set the request to what the app really uses")
                if r.memory_limit < RUNTIME_MEMORY_FLOOR:
                    _too_little(ctx, w, c, at, where, r.memory_limit)
                if node_mem is not None and r.memory > node_mem:
                    ctx.diags.error("SKY303", f"{c.name}: memory request {format_bytes(r.memory)} is larger than a "
                                              f"node ({format_bytes(node_mem)})", where("memory"),
                                    hint="no node could ever schedule this pod")
    return ir


def _too_little(ctx: Context, w, c, at: tuple, where, limit: int) -> None:
    """SKY304: a memory limit no container starts with; at the limit the spec gives, or
    else at the request it comes from, with the unit it probably meant for a bare number."""
    res = _at(w.spec.data if w.spec else None, at)
    own = "memory_limit" if isinstance(res, dict) and "memory_limit" in res else "memory"
    raw = res.get(own) if isinstance(res, dict) else None
    meant = f"`{own}: {raw}` is {raw} bytes: write `{raw}Mi` for {raw} MiB" \
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) else "give the container at least 6Mi"
    floor = format_bytes(RUNTIME_MEMORY_FLOOR)
    shown = format_bytes(limit) if limit >= 1024 else f"{limit} bytes"
    ctx.diags.error("SKY304", f"{c.name}: memory limit {shown} is below {floor}, the least a container "
                              "starts with (Docker refuses it; runc fails to start it)", where(own), hint=meant)


def _at(data, path: tuple):
    for k in path:
        data = data.get(k) if isinstance(data, dict) else None
    return data


def _request(w, c, at: tuple, what: str) -> why.In:
    """The request a limit was derived from: the sidecar default this pass set, or the
    spec's (which the profile's `defaults:` may have written)."""
    made = c.why.get(what)
    label = f"the {'CPU' if what == 'cpu' else 'memory'} request"
    return why.derived(made, label) if made is not None else why.spec(w.spec, *at, what, label=label)


def _node(ctx: Context, key: str, parse) -> int | None:
    """The project's `node.<key>`, parsed; a size the schema lets through but that is no
    amount of CPU or memory (`memory: 250m`, milli-bytes) is SKY112 at the project file."""
    node = (ctx.project.data.get("node") or {}) if ctx.project is not None else {}
    if key not in node:
        return None
    try:
        return parse(node[key])
    except (QuantityError, TypeError, ValueError) as e:
        ctx.diags.error("SKY112", f"node.{key}: {e}", ctx.project.pos("node", key), hint=getattr(e, "hint", None))
        return None
