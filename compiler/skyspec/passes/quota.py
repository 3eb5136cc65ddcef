"""quota: the environment's `quota` in the project file, checked and emitted.

Sums, over the workloads of the output unit, the requests of the pods that run at once
(CPU and memory: requests x pods, pods counted as :mod:`skyspec.costing` says: replicas;
a Job's parallelism; one running Job of a CronJob; both colors of a blue-green App with a
preview image; the stable and canary halves of a canary), the storage of StatefulApp
claims x replicas (and of raw PersistentVolumeClaims), and the pod count. A total over
`quota.cpu` / `memory` / `storage` / `pods` is SKY310 at that line of the project file,
with the breakdown by workload (largest first, with each one's share) in its notes. A
total exactly at the quota passes.

A container without a request counts at the environment's default (`defaults:
{resources: ...}` of its layers), or 0 with a note. When the quota limits CPU or memory,
such a container is also a warning: Kubernetes rejects pods without requests in a
namespace whose ResourceQuota limits them.

The result is stored as ``ir.quota`` (:class:`QuotaReport`); when the environment has a
quota, the Kubernetes backend emits it as a ResourceQuota `<project>-quota`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..costing import LazyDefaults, Usage, usage
from ..ir.model import IR, Context
from ..ir.units import QuantityError, format_bytes, format_cpu, parse_bytes, parse_cpu

# quota key -> (ResourceQuota key, what it is called in messages, parser, formatter, Usage attribute)
_KEYS = {
    "cpu": ("requests.cpu", "CPU requests", parse_cpu, format_cpu, "cpu"),
    "memory": ("requests.memory", "memory requests", parse_bytes, format_bytes, "memory"),
    "storage": ("requests.storage", "storage requests", parse_bytes, format_bytes, "storage"),
    "pods": ("pods", "pods", int, str, "pods"),
}


@dataclass
class QuotaReport:
    name: str                                   # the ResourceQuota's name
    limits: dict[str, int] = field(default_factory=dict)   # quota key -> millicores / bytes / pods
    used: dict[str, int] = field(default_factory=dict)     # quota key -> the total
    usage: list[Usage] = field(default_factory=list)

    @property
    def hard(self) -> dict[str, str]:
        """`spec.hard` of the ResourceQuota, in canonical quantity text."""
        return {_KEYS[k][0]: _KEYS[k][3](v) for k, v in sorted(self.limits.items(), key=lambda kv: _KEYS[kv[0]][0])}


def quota(ir: IR, ctx: Context) -> IR:
    env = ctx.env
    raw = (env.raw or {}).get("quota") or {}
    defaults = LazyDefaults(ctx.project, env, ir.target)
    uses = usage(ir, defaults)
    rep = QuotaReport(f"{ir.project}-quota", usage=uses)
    cpu = mem = storage = pods = 0
    for u in uses:
        cpu += u.pod_cpu * u.pods
        mem += u.pod_memory * u.pods
        storage += u.storage
        pods += u.pods
    rep.used = {"cpu": cpu, "memory": mem, "storage": storage, "pods": pods}
    for key, (_, what, parse, fmt, attr) in _KEYS.items():
        if key not in raw:
            continue
        pos = ctx.project.pos("environments", env.name, "quota", key)
        try:
            limit = parse(raw[key])
        except (QuantityError, TypeError, ValueError) as e:
            ctx.diags.error("SKY112", f"environments.{env.name}.quota.{key}: {e}", pos, hint=getattr(e, "hint", None))
            continue
        rep.limits[key] = limit
        total = rep.used[key]
        if total > limit:
            ctx.diags.error(
                "SKY310",
                f"{_label(ir)}: {what} total {fmt(total)}, over the quota of {fmt(limit)}"
                + (f" ({_pct(total, limit)} of it)" if limit else ""),
                pos, notes=_breakdown(uses, attr, fmt, total) + _missing_notes(uses, key),
                hint="lower replicas or requests of the largest workloads, or raise the quota")
    if "cpu" in rep.limits or "memory" in rep.limits:
        _warn_missing(ir, ctx, uses, rep)
    ir.quota = rep
    return ir


def _label(ir: IR) -> str:
    return f'environment "{ir.env}"' + (f' (target "{ir.target}")' if ir.target else "")


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "100%"


def _breakdown(uses: list[Usage], attr: str, fmt, total: int) -> list[str]:
    rows = sorted((u for u in uses if getattr(u, attr)), key=lambda u: (-getattr(u, attr), u.name))
    out = []
    for u in rows:
        v = getattr(u, attr)
        if attr in ("cpu", "memory"):
            per = fmt(u.pod_cpu if attr == "cpu" else u.pod_memory)
            how = f"{u.pods} pod{'s' * (u.pods != 1)} x {per}"
        elif attr == "storage" and u.workload is not None:
            reps = u.workload.replicas if u.workload.replicas is not None else 1
            how = f"{fmt(sum(s.size for s in u.workload.storage))} x {reps} replica{'s' * (reps != 1)}"
        elif attr == "pods":
            out.append(f"{u.name} ({u.kind}): {v} pod{'s' * (v != 1)}, {_pct(v, total)}")
            continue
        else:
            out.append(f"{u.name} ({u.kind}): {fmt(v)}, {_pct(v, total)}")
            continue
        out.append(f"{u.name} ({u.kind}): {fmt(v)} = {how}, {_pct(v, total)}")
    return out


def _missing_notes(uses: list[Usage], key: str) -> list[str]:
    what = {"cpu": "CPU", "memory": "memory"}.get(key)
    if what is None:
        return []
    return [n for u in uses for n in u.notes if f"no {what} request" in n]


def _warn_missing(ir: IR, ctx: Context, uses: list[Usage], rep: QuotaReport) -> None:
    limited = {w for k, w in (("cpu", "CPU"), ("memory", "memory")) if k in rep.limits}
    for u in uses:
        w = u.workload
        if w is None:
            continue
        for cname, what in u.missing:
            if what not in limited:
                continue
            at = ("resources",) if cname == w.name else (
                ("sidecars", cname) if any(c.name == cname for c in w.containers) else ("init", cname))
            ctx.diags.warning(
                "SKY310",
                f'{w.name}: container "{cname}" has no {what} request; the ResourceQuota of {_label(ir)} limits '
                f"{what} requests, so Kubernetes will reject its pods",
                w.spec.where(*at) if w.spec is not None else None,
                hint=f"set `resources: {{{'cpu' if what == 'CPU' else 'memory'}: ...}}`"
                     + (" on the container" if cname != w.name else ""))
