"""Quota: the gate on an environment's `quota: {cpu, memory, storage, pods}`. Builds the
:class:`QuotaReport` of an output unit from its :mod:`.usage` (the totals, and the limits
the Kubernetes backend emits as a ResourceQuota), and reports SKY310 for a total over a
limit (with the breakdown by workload), SKY112 for a limit that cannot be read, and a
SKY310 warning for a container without a request under a CPU or memory quota. It judges
usage it is given; it must NOT read the project (the caller passes the limits and their
positions) nor price anything."""

from __future__ import annotations

from typing import Any, Callable

from ..record import NEW, Record
from ..units import QuantityError, format_bytes, format_cpu, parse_bytes, parse_cpu
from .usage import Usage, totals

# quota key -> (ResourceQuota key, what it is called in messages, parser, formatter, Usage attribute)
_KEYS = {
    "cpu": ("requests.cpu", "CPU requests", parse_cpu, format_cpu, "cpu"),
    "memory": ("requests.memory", "memory requests", parse_bytes, format_bytes, "memory"),
    "storage": ("requests.storage", "storage requests", parse_bytes, format_bytes, "storage"),
    "pods": ("pods", "pods", int, str, "pods"),
}

HARD_KEYS = {k: v[0] for k, v in _KEYS.items()}   # quota key -> its ResourceQuota `spec.hard` key


class QuotaReport(Record):
    """An environment's resource usage against its quota."""

    def __init__(self, name: str, limits: dict[str, int] = NEW, used: dict[str, int] = NEW,
                 usage: list[Usage] = NEW) -> None:
        self.name = name  # the ResourceQuota's name
        self.limits = {} if limits is NEW else limits  # quota key -> millicores / bytes / pods
        self.used = {} if used is NEW else used  # quota key -> the total
        self.usage = [] if usage is NEW else usage

    @property
    def hard(self) -> dict[str, str]:
        """`spec.hard` of the ResourceQuota, in canonical quantity text."""
        return {_KEYS[k][0]: _KEYS[k][3](v) for k, v in sorted(self.limits.items(), key=lambda kv: _KEYS[kv[0]][0])}


def quota_report(name: str, uses: list[Usage]) -> QuotaReport:
    """The report of ResourceQuota ``name``: ``uses`` and their totals, no limits yet."""
    return QuotaReport(name, used=totals(uses), usage=uses)


def check_quota(rep: QuotaReport, raw: dict, env: str, label: str, pos: Callable[[str], Any], diags: Any) -> None:
    """Reads the limits of ``raw`` (the environment's `quota`) into ``rep.limits`` and
    checks the totals against them.

    A total over `quota.cpu` / `memory` / `storage` / `pods` is SKY310 at that line
    (``pos(key)``), with the breakdown by workload (largest first, with each one's share)
    in its notes; a total exactly at the quota passes. A limit that cannot be read is
    SKY112. When the quota limits CPU or memory, a container without a request is also a
    warning: Kubernetes rejects pods without requests in a namespace whose ResourceQuota
    limits them. ``env`` names the environment in messages about the project file,
    ``label`` the output unit (:func:`.usage.unit_label`)."""
    uses = rep.usage
    for key, (_, what, parse, fmt, attr) in _KEYS.items():
        if key not in raw:
            continue
        at = pos(key)
        try:
            limit = parse(raw[key])
        except (QuantityError, TypeError, ValueError) as e:
            diags.error("SKY112", f"environments.{env}.quota.{key}: {e}", at, hint=getattr(e, "hint", None))
            continue
        rep.limits[key] = limit
        total = rep.used[key]
        if total > limit:
            diags.error(
                "SKY310",
                f"{label}: {what} total {fmt(total)}, over the quota of {fmt(limit)}"
                + (f" ({_pct(total, limit)} of it)" if limit else ""),
                at, notes=_breakdown(uses, attr, fmt, total) + _missing_notes(uses, key),
                hint="lower replicas or requests of the largest workloads, or raise the quota")
    if "cpu" in rep.limits or "memory" in rep.limits:
        _warn_missing(label, diags, uses, rep)


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


def _warn_missing(label: str, diags: Any, uses: list[Usage], rep: QuotaReport) -> None:
    limited = {w for k, w in (("cpu", "CPU"), ("memory", "memory")) if k in rep.limits}
    for u in uses:
        w = u.workload
        if w is None:
            continue
        for cname, what in u.missing:
            if what not in limited:
                continue
            at = ("resources",) if cname == w.main.name else (
                ("sidecars", cname) if any(c.name == cname for c in w.containers) else ("init", cname))
            diags.warning(
                "SKY310",
                f'{w.name}: container "{cname}" has no {what} request; the ResourceQuota of {label} limits '
                f"{what} requests, so Kubernetes will reject its pods",
                w.spec.where(*at) if w.spec is not None else None,
                hint=f"set `resources: {{{'cpu' if what == 'CPU' else 'memory'}: ...}}`"
                     + (" on the container" if cname != w.name else ""))
