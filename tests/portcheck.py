"""Field-by-field comparison of a ported project's Kubernetes objects with a public system's
own manifests (tests/test_ported.py). Objects are matched by kind and name (or by a named
alias); inside them lists of named items are matched by key (containers, env, volumes by
name; container ports by number, Service ports by port; mounts by path), so order alone is
no difference, and lists of scalars (a command, a capability list) are one field each.
Every difference must fall under one of the allowed differences the caller lists, each with
a name and a reason; whatever none of them explains is returned as unexplained. It never
changes the objects it compares.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "compiler") not in sys.path:
    sys.path.insert(0, str(ROOT / "compiler"))

from skyspec.units import parse_bytes, parse_cpu  # noqa: E402

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<absent>"})()


@dataclass
class Diff:
    """One field that differs: ``path`` is shown as `spec.template.spec.containers[name=x].image`;
    ``path == ""`` stands for a whole object present on one side only."""

    env: str
    kind: str
    name: str
    path: str
    ref: Any
    ours: Any
    ports: dict = field(default_factory=dict)   # port name <-> number of the workload, both sides

    @property
    def ref_has(self) -> bool:
        return self.ref is not MISSING

    @property
    def ours_has(self) -> bool:
        return self.ours is not MISSING

    def __str__(self) -> str:
        return f"[{self.env}] {self.kind}/{self.name} {self.path or '(object)'}: reference {self.ref!r}, ours {self.ours!r}"


@dataclass
class Allowed:
    """A difference the port makes on purpose (or the language imposes), with its reason."""

    name: str
    why: str
    test: Callable[[Diff], bool]
    envs: tuple = ()   # only in these environments (all when empty)

    def matches(self, d: Diff) -> bool:
        return (not self.envs or d.env in self.envs) and bool(self.test(d))


@dataclass
class Figures:
    objects: int = 0
    fields: int = 0
    equal: int = 0
    named: dict = field(default_factory=dict)       # allowed difference name -> count
    unexplained: list = field(default_factory=list)
    core_fields: int = 0                            # the same, for the fields :func:`core` selects
    core_equal: int = 0
    core_named: dict = field(default_factory=dict)

    @property
    def differences(self) -> int:
        return sum(self.named.values()) + len(self.unexplained)


# ---------------------------------------------------------------------- loading and flattening

def load(paths: list[Path]) -> dict[tuple[str, str], dict]:
    out: dict = {}
    for p in paths:
        files = sorted(p.rglob("*.yaml")) if p.is_dir() else [p]
        for f in files:
            for d in yaml.safe_load_all(f.read_text()):
                if isinstance(d, dict) and d.get("kind"):
                    out[(d["kind"], d["metadata"]["name"])] = d
    return out


_ITEM_KEYS = ("containerPort", "mountPath", "port", "name")


def _keys(items: list) -> list[str]:
    for k in _ITEM_KEYS:
        if all(isinstance(x, dict) and k in x and not isinstance(x[k], (dict, list)) for x in items):
            keys = [f"{k}={x[k]}" for x in items]
            if len(set(keys)) == len(keys):
                return keys
    return [str(i) for i in range(len(items))]


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """path -> leaf; lists of maps keyed (see :data:`_ITEM_KEYS`), lists of scalars and empty
    containers are leaves."""
    out: dict = {}
    if isinstance(obj, dict) and obj:
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        for k, v in zip(_keys(obj), obj):
            out.update(flatten(v, f"{prefix}[{k}]"))
    else:
        out[prefix] = obj
    return out


def same(a: Any, b: Any) -> bool:
    """Equal, or the same quantity (`2000m` and `2`), or the same text (`"80"` and `80`)."""
    if a == b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    if isinstance(a, (int, float, str)) and isinstance(b, (int, float, str)):
        if str(a) == str(b):
            return True
        for parse in (parse_cpu, parse_bytes):
            try:
                return parse(str(a)) == parse(str(b))
            except Exception:
                continue
    return False


def _port_names(*objs: dict | None) -> dict:
    """Container port name <-> number across the given objects' pod templates."""
    out: dict = {}
    for o in objs:
        tpl = (((o or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
        for c in (tpl.get("containers") or []) + (tpl.get("initContainers") or []):
            for p in c.get("ports") or []:
                if p.get("name"):
                    out[p["name"]] = p["containerPort"]
                    out[p["containerPort"]] = p["name"]
    return out


# ---------------------------------------------------------------------- the comparison

def compare(env: str, ref: dict, ours: dict, allowed: list[Allowed], aliases: dict | None = None,
            used: dict | None = None) -> Figures:
    """Compare the reference objects with ours (both ``{(kind, name): object}``).
    ``aliases`` maps a reference object's key to the key of ours that stands for it.
    ``used`` (name -> count) accumulates how often each allowed difference matched."""
    aliases = aliases or {}
    figs = Figures()
    used = used if used is not None else {}

    def classify(d: Diff) -> None:
        for a in allowed:
            if a.matches(d):
                figs.named[a.name] = figs.named.get(a.name, 0) + 1
                used[a.name] = used.get(a.name, 0) + 1
                if core(d.kind, d.path):
                    figs.core_named[a.name] = figs.core_named.get(a.name, 0) + 1
                return
        figs.unexplained.append(d)

    workloads = {k[1]: o for k, o in ours.items() if k[0] in ("Deployment", "StatefulSet")}
    ref_workloads = {k[1]: o for k, o in ref.items() if k[0] in ("Deployment", "StatefulSet")}
    matched = set()
    for key, r in sorted(ref.items()):
        figs.objects += 1
        okey = aliases.get(key, key)
        o = ours.get(okey)
        if o is None:
            figs.fields += 1
            classify(Diff(env, key[0], key[1], "", r, MISSING))
            continue
        matched.add(okey)
        owner = _owner(okey, o, workloads)
        ports = _port_names(workloads.get(owner), ref_workloads.get(owner), r, o)
        fr, fo = flatten(r), flatten(o)
        for p in dict.fromkeys([*fr, *fo]):
            figs.fields += 1
            is_core = core(key[0], p)
            figs.core_fields += is_core
            a, b = fr.get(p, MISSING), fo.get(p, MISSING)
            if a is not MISSING and b is not MISSING and same(a, b):
                figs.equal += 1
                figs.core_equal += is_core
                continue
            classify(Diff(env, key[0], key[1], p, a, b, ports))
    for key, o in sorted(ours.items()):
        if key not in matched:
            figs.objects += 1
            figs.fields += 1
            classify(Diff(env, key[0], key[1], "", MISSING, o))
    return figs


_CORE_CONTAINER = re.compile(r"^spec\.template\.spec\.(containers|initContainers)\[[^]]*\]\.(image|command|args|ports|env|"
                             r"resources|livenessProbe|readinessProbe|startupProbe)\b")


def core(kind: str, path: str) -> bool:
    """What a port must get right: each container's image, command, args, ports, env, probes and
    resources, and each Service's ports and type."""
    if kind in ("Deployment", "StatefulSet"):
        return _CORE_CONTAINER.match(path) is not None
    if kind == "Service":
        return path == "spec.type" or path.startswith("spec.ports")
    return False


def _owner(key: tuple, obj: dict, workloads: dict) -> str:
    """The workload an object belongs to: its own name, or the one its selector picks."""
    if key[1] in workloads:
        return key[1]
    sel = (obj.get("spec") or {}).get("selector") or {}
    name = sel.get("app.kubernetes.io/name") or (sel.get("matchLabels") or {}).get("app.kubernetes.io/name")
    return name or key[1]


# ---------------------------------------------------------------------- predicates for Allowed

def at(pattern: str) -> Callable[[Diff], bool]:
    """The difference's path matches the regular expression (searched)."""
    rx = re.compile(pattern)
    return lambda d: bool(d.path) and rx.search(d.path) is not None


def ours_only(pattern: str) -> Callable[[Diff], bool]:
    rx = re.compile(pattern)
    return lambda d: bool(d.path) and not d.ref_has and d.ours_has and rx.search(d.path) is not None


def ref_only(pattern: str) -> Callable[[Diff], bool]:
    rx = re.compile(pattern)
    return lambda d: bool(d.path) and d.ref_has and not d.ours_has and rx.search(d.path) is not None


def objects(side: str, kinds: tuple = (), names: tuple = ()) -> Callable[[Diff], bool]:
    """A whole object present only on ``side`` ("ours" or "ref"), of these kinds and names."""
    def test(d: Diff) -> bool:
        if d.path or (d.ours_has if side == "ref" else d.ref_has):
            return False
        return (not kinds or d.kind in kinds) and (not names or d.name in names)
    return test


def of(kinds: tuple = (), names: tuple = ()) -> Callable[[Diff], bool]:
    return lambda d: (not kinds or d.kind in kinds) and (not names or d.name in names)


def both(*tests: Callable[[Diff], bool]) -> Callable[[Diff], bool]:
    return lambda d: all(t(d) for t in tests)


# Kubernetes' defaults for fields one side states and the other leaves to the API server.
K8S_DEFAULTS = [
    (r"\.protocol$", "TCP"), (r"(^|\.)type$", "ClusterIP"), (r"^spec\.replicas$", 1),
    (r"\.restartPolicy$", "Always"), (r"terminationGracePeriodSeconds$", 30),
    (r"Probe\.periodSeconds$", 10), (r"Probe\.timeoutSeconds$", 1), (r"Probe\.successThreshold$", 1),
    (r"Probe\.failureThreshold$", 3), (r"^spec\.strategy\.type$", "RollingUpdate"),
    (r"securityContext\.privileged$", False),
]


def k8s_default(d: Diff) -> bool:
    if not d.path or d.ref_has == d.ours_has:
        return False
    value = d.ref if d.ref_has else d.ours
    return any(re.search(p, d.path) and same(value, v) for p, v in K8S_DEFAULTS)


def port_by_name(d: Diff) -> bool:
    """A port given by name on one side and by number on the other, the same port."""
    if not (d.ref_has and d.ours_has) or not re.search(r"(targetPort|\.port)$", d.path):
        return False
    return d.ports.get(d.ref) == d.ours or d.ports.get(d.ours) == d.ref


def lines(paths: list[Path]) -> int:
    """Lines that say something: neither blank nor only a comment (nor a `---` separator)."""
    n = 0
    for p in paths:
        for line in p.read_text().splitlines():
            s = line.strip()
            if s and not s.startswith("#") and s != "---":
                n += 1
    return n
