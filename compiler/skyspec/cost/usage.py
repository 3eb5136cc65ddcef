"""Usage: what each workload of an output unit asks of its environment at once (pods, the
CPU and memory requests of one pod, storage), counted as a scheduler and a ResourceQuota
count them, with the environment's default requests for containers that have none (read
from the `defaults: {resources: ...}` of its overlay files), and the totals a quota limits.
It only measures; it must NOT price (see :mod:`.estimate`) nor report diagnostics (the
gates in :mod:`.quota` and :mod:`.budget` do)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ..contain import contained
from ..ir.model import IR, Container, JobSpec, Workload, canary_split
from ..record import NEW, Record
from ..units import QuantityError, format_bytes, format_cpu, parse_bytes, parse_cpu


def unit_label(env: str, target: str | None) -> str:
    """How messages name an output unit: `environment "prod" (target "eu")`."""
    return f'environment "{env}"' + (f' (target "{target}")' if target else "")


# ---------------------------------------------------------------------- pods

def pod_count(w: Workload) -> int:
    """Pods of ``w`` running at once.

    - App: `replicas` (the autoscaler's `min` when that is higher). Canary: the stable and
      the canary Deployments together (= `replicas`). Blue-green: the active color, plus as
      many again for the idle color when it runs a `preview_image` (2x); an idle color
      without a preview image runs 0 pods. Surge pods of a rolling update are not counted.
    - StatefulApp: `replicas`; its storage is the sum of its claims x `replicas`
      (:func:`usage`).
    - Job: `parallelism` (Kubernetes' default 1), at most `completions` when that is lower.
    - CronJob: one running Job at a time, counted like a Job.
    - A PersistentVolumeClaim written as a raw `Resource` counts its requested storage
      (:func:`usage`), and no pods."""
    if w.kind in ("Job", "CronJob"):
        j = w.job or JobSpec()
        n = 1 if j.parallelism is None else j.parallelism
        if j.completions is not None:
            n = min(n, j.completions)
        return max(n, 0)
    n = 1 if w.replicas is None else w.replicas
    if w.autoscale is not None:
        n = max(n, w.autoscale.min)
    if w.kind == "App":
        st = w.strategy
        if st.type == "blue-green" and st.preview_image:
            return 2 * n
        if st.type == "canary":
            return sum(canary_split(n, st.percent))
    return max(n, 0)


# ---------------------------------------------------------------------- default requests

class Defaults(Record):
    """The environment's default requests (None: no default)."""

    def __init__(self, cpu: int | None = None, memory: int | None = None) -> None:
        self.cpu = cpu
        self.memory = memory


class LazyDefaults:
    """:func:`env_defaults`, read only when a container lacks a request (rare: the
    profile's defaults sit beneath every spec, and the `size` pass sizes sidecars)."""

    def __init__(self, project: Any, env: Any, target: str | None = None):
        self._args = (project, env, target)
        self._d: Defaults | None = None

    def _get(self) -> Defaults:
        if self._d is None:
            self._d = env_defaults(*self._args)
        return self._d

    @property
    def cpu(self) -> int | None:
        return self._get().cpu

    @property
    def memory(self) -> int | None:
        return self._get().memory


def env_defaults(project: Any, env: Any, target: str | None = None) -> Defaults:
    """`defaults.resources` of the environment's layers: the built-in profile, then the
    environment's overlays, then the target's (later ones win)."""
    from ..paths import data_dir

    files: list[Path] = []
    if getattr(env, "profile", None):
        try:
            files.append(data_dir("overlays") / f"{env.profile}.yaml")
        except FileNotFoundError:  # pragma: no cover - a broken installation
            pass
    root = Path(project.root)
    rels = list(env.overlays)
    t = project.targets.get(target) if target else None
    if t is not None:
        rels += t.overlays
    # only the overlays the pipeline accepts (it reports the others): inside the project, regular files
    files += [p for p in (contained(root, rel, None, None, python=False) for rel in rels) if p is not None]
    out = Defaults()
    for f in files:
        res = _overlay_defaults(str(f))
        if "cpu" in res:
            out.cpu = res["cpu"]
        if "memory" in res:
            out.memory = res["memory"]
    return out


def _overlay_defaults(path: str) -> dict:
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return {}
    return _overlay_defaults_cached(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=256)
def _overlay_defaults_cached(path: str, _mtime: int, _size: int) -> dict:
    from ..diagnostics import Diagnostics, Sources
    from ..frontend import load_file

    docs = load_file(Path(path), path, Diagnostics(), Sources())  # problems are reported by the pipeline
    data = docs[0].data if docs else None
    d = data.get("defaults") if isinstance(data, dict) else None
    r = d.get("resources") if isinstance(d, dict) else None
    out: dict = {}
    if isinstance(r, dict):
        for key, parse in (("cpu", parse_cpu), ("memory", parse_bytes)):
            if key in r:
                try:
                    out[key] = parse(r[key])
                except (QuantityError, TypeError):
                    pass
    return out


# ---------------------------------------------------------------------- usage

def _dig(obj: Any, *path: str) -> Any:
    """``obj[path[0]][path[1]]...``, or None where a step is missing or not a map."""
    for p in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj


class Usage(Record):
    """What one workload (or raw claim) asks of its environment."""

    __slots__ = ("name", "kind", "pods", "pod_cpu", "pod_memory", "storage", "notes", "missing", "workload")

    def __init__(self, name: str, kind: str, pods: int, pod_cpu: int, pod_memory: int, storage: int,
                 notes: list[str] = NEW, missing: list[tuple[str, str]] = NEW,
                 workload: Workload | None = None) -> None:
        self.name = name
        self.kind = kind
        self.pods = pods
        self.pod_cpu = pod_cpu  # millicores, one pod
        self.pod_memory = pod_memory  # bytes, one pod
        self.storage = storage  # bytes, all replicas
        self.notes = [] if notes is NEW else notes
        self.missing = [] if missing is NEW else missing  # (container, "CPU"|"memory") without a request
        self.workload = workload

    @property
    def cpu(self) -> int:
        return self.pod_cpu * self.pods

    @property
    def memory(self) -> int:
        return self.pod_memory * self.pods


def pod_requests(w: Workload, defaults: Defaults | LazyDefaults) -> tuple[int, int, list[str], list[tuple[str, str]]]:
    """(CPU millicores, memory bytes) one pod of ``w`` requests, notes, and the containers
    that have no request of their own.

    A pod requests the sum of its containers' requests, or its largest init container's
    when that is higher (as the scheduler and a ResourceQuota count it). A container
    without a CPU or memory request gets the environment's default (`defaults: {resources:
    ...}` in the built-in profile or in the environment's or target's overlays, later ones
    winning), or 0 when there is none, which a note says."""
    if not w.init_containers and len(w.containers) == 1:   # the common case, fast
        r = w.containers[0].resources
        if r.cpu is not None and r.memory is not None:
            return r.cpu, r.memory, [], []
    notes: list[str] = []
    missing: list[tuple[str, str]] = []

    def req(c: Container, what: str, value: int | None, key: str, fmt) -> int:
        if value is not None:
            return value
        default = getattr(defaults, key)
        missing.append((c.name, what))
        who = "" if c is w.main else f' (container "{c.name}")'
        if default is not None:
            notes.append(f"{w.name}{who}: no {what} request, counted at the environment's default {fmt(default)}")
            return default
        notes.append(f"{w.name}{who}: no {what} request and no environment default, counted as 0")
        return 0

    def one(c: Container) -> tuple[int, int]:
        return (req(c, "CPU", c.resources.cpu, "cpu", format_cpu),
                req(c, "memory", c.resources.memory, "memory", format_bytes))

    mains = [one(c) for c in w.containers]
    inits = [one(c) for c in w.init_containers]
    cpu = max([sum(c for c, _ in mains)] + [c for c, _ in inits])
    mem = max([sum(m for _, m in mains)] + [m for _, m in inits])
    return cpu, mem, notes, missing


def usage(ir: IR, defaults: Defaults | LazyDefaults) -> list[Usage]:
    """Every workload's demand, in IR order, then raw PersistentVolumeClaims."""
    out: list[Usage] = []
    for w in ir.workloads:
        cpu, mem, notes, missing = pod_requests(w, defaults)
        pods = pod_count(w)
        storage = 0
        if w.kind == "StatefulApp":
            replicas = 1 if w.replicas is None else w.replicas
            storage = sum(s.size for s in w.storage) * max(replicas, 0)
        out.append(Usage(w.name, w.kind, pods, cpu, mem, storage, notes, missing, w))
    for r in ir.raw:
        obj = r["object"]
        if obj.get("kind") != "PersistentVolumeClaim":
            continue
        size = _dig(obj, "spec", "resources", "requests", "storage")  # a raw manifest: any shape
        try:
            n = parse_bytes(size) if size is not None else 0
        except (QuantityError, TypeError):
            n = 0
        out.append(Usage(obj["metadata"]["name"], "PersistentVolumeClaim", 0, 0, 0, n))
    return out


def totals(uses: list[Usage]) -> dict[str, int]:
    """What a quota limits, summed over ``uses``: CPU (millicores) and memory (bytes)
    requests x pods, storage (bytes) and pods."""
    cpu = mem = storage = pods = 0
    for u in uses:
        cpu += u.pod_cpu * u.pods
        mem += u.pod_memory * u.pods
        storage += u.storage
        pods += u.pods
    return {"cpu": cpu, "memory": mem, "storage": storage, "pods": pods}
