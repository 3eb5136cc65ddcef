"""The values layout of the Helm chart: how values paths are named (``apps.<app>`` in
camelCase, an app's main object at the app's node and its other objects at their own nodes,
``objects.<kind>.<name>``, Ingress ``host``/``hosts``), the registry that gives each value (env
-> value) a path -- shared when the value already there agrees, else a renamed neighbour --
and the split into values.yaml (the base environment, complete) and values-<env>.yaml (only
what differs from it; ``null`` removes a key). It works on plain values and paths: it must not
build or print templates, nor write the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .compare import same
from .objects import Obj

_ABSENT = object()

# values listed first in their map, in this order (the rest keep build order)
FIRST_KEYS = ("nameOverride", "fullnameOverride", "commonLabels", "commonAnnotations", "apps", "objects",
              "extraObjects", "enabled", "replicas", "image", "resources", "env", "labels", "annotations",
              "podLabels", "podAnnotations", "repository", "tag", "digest", "pinnedDigests",
              "args", "command", "host", "tls", "minReplicas", "maxReplicas")
# the kinds whose object named like its file is the app's main object (its values are the app's)
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "ReplicaSet", "Pod")
# an app's other objects named like it, by kind
KIND_KEYS = {"HorizontalPodAutoscaler": "autoscaling"}


@dataclass
class Loc:
    path: tuple
    envs: set            # environments where the value applies (its object exists there)
    vals: dict           # env -> value, for the environments that have it
    schema: str | None   # a name in schema.SCHEMAS / "hosts", or None: derived from the values
    used: bool = False
    keep_parent: bool = False   # its map stays in values.yaml even when empty (env: {})
    in_base: bool = False
    nullable: bool = False

    @property
    def optional(self) -> bool:
        return len(self.vals) < len(self.envs)


def camel(name: str) -> str:
    """``nightly-report`` -> ``nightlyReport`` (a values key from a Kubernetes name)."""
    parts = [p for p in name.replace("_", "-").replace(".", "-").split("-") if p]
    if not parts:
        return name
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def lower_camel(kind: str) -> str:
    return kind[:1].lower() + kind[1:] if kind else "object"


class Values:
    """The values of one chart: where each lives, and (after :meth:`compute`) the files."""

    def __init__(self, envs: list[str], base: str, objects: dict[tuple, Obj], by_file: dict[str, list[tuple]]):
        self.envs = envs
        self.base_env = base
        self.objects = objects
        self.locs: dict[tuple, Loc] = {}
        self.struct: set[tuple] = set()
        self.open: dict[tuple, str] = {}        # maps users may add keys to -> the schema of a value
        self.app_flags: dict[str, tuple] = {}   # file (workload) name -> its `enabled` path
        self.main: set[tuple] = set()           # ids of the apps' main objects
        self._keys: dict[tuple, dict] = {}
        for oids in by_file.values():
            self._name(oids)
        self.rank = {objects[oids[0]].home: i for i, oids in enumerate(by_file.values())}
        self._prescan()

    def key(self, parent: tuple, name: str) -> str:
        """The camelCase key of ``name`` under ``parent`` (the name itself if two names would
        share it)."""
        taken = self._keys.setdefault(parent, {})
        k = camel(name)
        if taken.get(k, name) != name:
            k = name
        taken[k] = name
        return k

    def _name(self, oids: list[tuple]) -> None:
        """The values nodes of one file's objects: its home and each object's own node."""
        objs = [self.objects[oid] for oid in oids]
        wl = objs[0].wl
        # a workload's file holds an object named like it; the Kubernetes backend names
        # the other files <kind>.<name>.yaml (or namespace.yaml)
        workload = "." not in wl and any(o.name == wl for o in objs)
        if workload:
            home: tuple = ("apps", self.key(("apps",), wl))
            short = wl
            main = next((o for o in objs if o.name == wl and o.kind in WORKLOAD_KINDS), None)
        else:
            short = wl.split(".", 1)[-1]
            first = objs[0]
            kind = lower_camel(first.kind)
            home = ("objects", kind) if wl == "namespace" and first.kind == "Namespace" else \
                ("objects", kind, self.key(("objects", kind), short))
            main = first
        for o in objs:
            o.home = home
            if o is main:
                o.node = home
                self.main.add(o.oid)
                continue
            if o.name == short:
                key = KIND_KEYS.get(o.kind, lower_camel(o.kind))
            else:
                rest = o.name[len(short) + 1:] if o.name.startswith(short + "-") else o.name
                key = lower_camel(o.kind) + (camel(rest)[:1].upper() + camel(rest)[1:])
            if o.oid[3]:
                key += str(o.oid[3] + 1)
            o.node = home + (key,)

    # ------------------------------------------------------------------ registry
    def use(self, path: tuple, vals: dict, envs, schema: str | None, strict: bool = False) -> tuple | None:
        """The values path for ``vals`` (env -> value) applying in ``envs``: ``path`` itself,
        shared when the value already there agrees in every common environment, else (unless
        ``strict``: then None) a renamed neighbour."""
        cand = path
        n = 1
        while True:
            clash = self._clash(cand)
            if clash is None:
                loc = self.locs.get(cand)
                if loc is None:
                    self.locs[cand] = Loc(cand, set(envs), dict(vals), schema)
                    for i in range(1, len(cand)):
                        self.struct.add(cand[:i])
                    return cand
                if loc.schema == schema and self.compatible(loc, vals, envs):
                    loc.envs |= set(envs)
                    loc.vals.update(vals)
                    return cand
                clash = len(cand) - 1
            if strict:
                return None
            n += 1
            cand = cand[:clash] + (f"{path[clash]}_{n}",) + cand[clash + 1:]

    def fits(self, path: tuple, vals: dict, envs, schema: str | None) -> bool:
        """Whether :meth:`use` with ``strict`` would take ``vals`` at ``path`` (registering
        nothing)."""
        if self._clash(path) is not None:
            return False
        loc = self.locs.get(path)
        return loc is None or (loc.schema == schema and self.compatible(loc, vals, envs))

    def _clash(self, path: tuple) -> int | None:
        for i in range(1, len(path)):
            if path[:i] in self.locs:
                return i - 1
        if path in self.struct:
            return len(path) - 1
        return None

    @staticmethod
    def compatible(loc: Loc, vals: dict, envs) -> bool:
        """Whether ``vals`` agrees with the value at ``loc`` in every environment both apply in."""
        for e in set(envs) & loc.envs:
            if (e in vals) != (e in loc.vals) or (e in vals and not same(vals[e], loc.vals[e])):
                return False
        return True

    # ------------------------------------------------------------------ pre-scans
    def _prescan(self) -> None:
        """The Ingress hosts, which need every environment of an object at once."""
        self.hosts: dict[tuple, tuple] = {}
        for o in self.objects.values():
            if o.kind == "Ingress":
                self._prescan_hosts(o)

    def _prescan_hosts(self, o: Obj) -> None:
        """An Ingress's hosts become `host` (one per environment) or `hosts` (several), when
        each place that names a host names the same one of them in every environment."""
        occ: dict[tuple, dict] = {}
        hosts: dict[str, list] = {}
        for e in o.envs:
            spec = o.vals[e].get("spec")
            spec = spec if type(spec) is dict else {}
            found: list[tuple] = []
            rules = spec.get("rules")
            for i, r in enumerate(rules if type(rules) is list else []):
                if type(r) is dict and "host" in r:
                    found.append((("spec", "rules", i, "host"), r["host"]))
            tls = spec.get("tls")
            for i, t in enumerate(tls if type(tls) is list else []):
                hs = t.get("hosts") if type(t) is dict else None
                for j, h in enumerate(hs if type(hs) is list else []):
                    found.append((("spec", "tls", i, "hosts", j), h))
            if any(type(h) is not str for _, h in found):
                return
            hosts[e] = list(dict.fromkeys(h for _, h in found))
            for kp, h in found:
                occ.setdefault(kp, {})[e] = hosts[e].index(h)
        counts = {len(hs) for hs in hosts.values()}
        if len(counts) != 1 or 0 in counts or any(len(set(v.values())) != 1 for v in occ.values()):
            return
        if counts.pop() == 1:
            path = self.use(o.node + ("host",), {e: hs[0] for e, hs in hosts.items()}, o.envs, "string")
            self.hosts[o.oid] = (path, {kp: None for kp in occ})
        else:
            path = self.use(o.node + ("hosts",), hosts, o.envs, "hosts")
            self.hosts[o.oid] = (path, {kp: next(iter(v.values())) for kp, v in occ.items()})

    # ------------------------------------------------------------------ values files
    def compute(self) -> None:
        """``base`` (values.yaml: the base environment, complete) and ``env_values``
        (values-<env>.yaml: what differs from it) from the used values. A part the base
        environment lacks (behind a flag that is off there) keeps the first environment's
        values in values.yaml, so that turning it on gives a whole object."""
        self.base: dict = {}
        self.env_values: dict[str, dict] = {e: {} for e in self.envs}
        b = self.base_env
        for loc in self.locs.values():
            if not loc.used:
                continue
            applies = []    # the environments it applies in, and those that have it
            has = []
            nullable = False
            for e in self.envs:
                if e in loc.envs:
                    applies.append(e)
                    if e in loc.vals:
                        has.append(e)
                        nullable = nullable or loc.vals[e] is None
            loc.nullable = nullable
            if loc.keep_parent:
                put(self.base, loc.path[:-1], {}, keep=True)
            bv: Any = _ABSENT
            if b in loc.envs:
                bv = loc.vals.get(b, _ABSENT)
            elif has:
                bv = loc.vals[has[0]]
            loc.in_base = bv is not _ABSENT
            if loc.in_base:
                put(self.base, loc.path, bv)
            for e in applies:
                if e == b:
                    continue
                if e not in loc.vals:
                    if loc.in_base:
                        put(self.env_values[e], loc.path, None)   # null: unset in this environment
                    continue
                v = loc.vals[e]
                if not loc.in_base:
                    put(self.env_values[e], loc.path, v)
                elif type(v) is dict and type(bv) is dict:
                    d = _diff(bv, v)
                    if d:
                        put(self.env_values[e], loc.path, d)
                elif not same(v, bv):
                    put(self.env_values[e], loc.path, v)
        for path in self.open:
            put(self.base, path, {}, keep=True)
        self.base = ordered(self.base, self.rank)
        self.env_values = {e: ordered(v, self.rank) for e, v in self.env_values.items()}


def put(tree: dict, path: tuple, value: Any, keep: bool = False) -> None:
    """Set ``path`` in a tree of maps (with ``keep``, only if it is not there yet)."""
    node = tree
    for seg in path[:-1]:   # node.setdefault(seg, {}), without a new map at every step
        if seg in node:
            node = node[seg]
        else:
            sub: dict = {}
            node[seg] = sub
            node = sub
    if not keep or path[-1] not in node:
        node[path[-1]] = value


_FIRST = {k: i for i, k in enumerate(FIRST_KEYS)}


def ordered(tree: Any, rank: dict | None = None, at: tuple = ()) -> Any:
    """Keys in a readable order: FIRST_KEYS first; under apps/objects, file order."""
    if type(tree) is not dict:
        return tree
    if at in (("apps",), ("objects",)) and rank:
        keys: Any = sorted(tree, key=lambda k: rank.get(at + (k,), len(rank)))
    elif _FIRST.keys().isdisjoint(tree):
        keys = tree
    else:   # FIRST_KEYS first, in their order, then the others as they are (a stable sort)
        keys = sorted(tree, key=lambda k: _FIRST.get(k, len(FIRST_KEYS)))
    return {k: ordered(tree[k], rank, at + (k,)) if type(tree[k]) is dict else tree[k] for k in keys}


def _diff(base: dict, d: dict) -> dict:
    """What to deep-merge onto ``base`` to get ``d``: changed keys, and null for the keys
    ``d`` lacks (Helm removes a key set to null)."""
    out: dict = {}
    for k, v in d.items():
        if k not in base:
            out[k] = v
        elif type(v) is dict and type(base[k]) is dict:
            sub = _diff(base[k], v)
            if sub:
                out[k] = sub
        elif not same(v, base[k]):
            out[k] = v
    for k in base:
        if k not in d:
            out[k] = None
    return out
