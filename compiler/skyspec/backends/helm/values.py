"""The values layout of the Helm chart: how values paths are named (``apps.<workload>``,
``objects.<kind>.<name>``, an object's own node, ``commonLabels``, ``namespace``, Ingress
``host``/``hosts``), the registry that gives each value (env -> value) a path -- shared when the
value already there agrees, else a renamed neighbour -- and the split into values.yaml (what
most environments have) and values-<env>.yaml (only the differences). It works on plain
values and paths: it must not build or print templates, nor write the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .compare import idents, most_common, same
from .objects import Obj

_ABSENT = object()

# values listed first in their map, in this order (the rest keep build order)
FIRST_KEYS = ("namespace", "commonLabels", "commonAnnotations", "apps", "objects",
              "enabled", "replicas", "image", "resources", "env", "args", "command")


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


class Values:
    """The values of one chart: where each lives, and (after :meth:`compute`) the files."""

    def __init__(self, envs: list[str], objects: dict[tuple, Obj], by_file: dict[str, list[tuple]]):
        self.envs = envs
        self.objects = objects
        self.locs: dict[tuple, Loc] = {}
        self.struct: set[tuple] = set()
        for oids in by_file.values():
            self._name(oids)
        self.rank = {objects[oids[0]].home: i for i, oids in enumerate(by_file.values())}
        self._prescan()

    def _name(self, oids: list[tuple]) -> None:
        """The values nodes of one file's objects: its home and each object's own node."""
        objs = [self.objects[oid] for oid in oids]
        wl = objs[0].wl
        # a workload's file holds an object named like it; the Kubernetes backend names
        # the other files <kind>.<name>.yaml (or namespace.yaml)
        workload = "." not in wl and any(o.name == wl for o in objs)
        home = ("apps", wl) if workload else ("objects", wl)
        short = wl.split(".", 1)[-1]
        for o in objs:
            o.home = home
            key = _lower_camel(o.kind) if o.name == short else f"{_lower_camel(o.kind)}-{o.name}"
            if o.oid[3]:
                key += f"-{o.oid[3] + 1}"
            own = not workload and len(objs) == 1
            o.node = home if own else home + (key,)

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
        """Decisions that need every object at once: where labels, annotations and
        namespaces go in the values, and the Ingress hosts."""
        self.hosts: dict[tuple, tuple] = {}
        meta: dict[str, dict] = {"labels": {}, "annotations": {}, "namespace": {}}
        for oid, o in self.objects.items():
            for e in o.envs:
                for kpath, d in _metadata(o.vals[e]):
                    for field in ("labels", "annotations"):
                        m = d.get(field, {})
                        meta[field].setdefault((oid, kpath), {})[e] = m if type(m) is dict else None
                    if kpath == ("metadata",):
                        meta["namespace"].setdefault((oid, kpath), {})[e] = \
                            {"namespace": d["namespace"]} if "namespace" in d else {}
            if o.kind == "Ingress":
                self._prescan_hosts(o)
        self.meta_mode: dict[tuple, str] = {}
        for field in ("labels", "annotations", "namespace"):
            self._prescan_meta(field, meta[field])

    def _prescan_meta(self, field: str, occs: dict) -> None:
        """For each label (annotation) key: "global" when it differs between environments and
        every object agrees on it per environment, else "wl" for each workload that agrees,
        else a value per object. Keys equal everywhere stay literal."""
        per_key: dict[str, list] = {}
        for (oid, _), per_env in occs.items():
            if any(m is None for m in per_env.values()):
                continue
            wl = self.objects[oid].wl
            maps = list(per_env.values())
            first = maps[0]
            for k in dict.fromkeys(k for m in maps for k in m):
                if k in first and all(k in m and same(m[k], first[k]) for m in maps[1:]):
                    per_key.setdefault(k, []).append((wl, {e: first[k] for e in per_env}, False))
                else:
                    per_key.setdefault(k, []).append((wl, {e: m.get(k, _ABSENT) for e, m in per_env.items()}, True))
        for k, vectors in per_key.items():
            if not any(varying for _, _, varying in vectors):
                continue
            if _agrees(vectors):
                self.meta_mode[(field, k, None)] = "global"
                continue
            by_wl: dict[str, list] = {}
            for v in vectors:
                by_wl.setdefault(v[0], []).append(v)
            for wl, vecs in by_wl.items():
                if field != "namespace" and any(varying for _, _, varying in vecs) and _agrees(vecs):
                    self.meta_mode[(field, k, wl)] = "wl"

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
        """``base`` (values.yaml) and ``env_values`` (values-<env>.yaml) from the used values."""
        self.base: dict = {}
        self.env_values: dict[str, dict] = {e: {} for e in self.envs}
        for loc in self.locs.values():
            if not loc.used:
                continue
            A = [e for e in self.envs if e in loc.envs]
            vs = [loc.vals[e] for e in A if e in loc.vals]
            loc.nullable = any(v is None for v in vs)
            if loc.keep_parent:
                put(self.base, loc.path[:-1], {}, keep=True)
            if loc.optional or (any(type(v) is dict for v in vs) and not all(type(v) is dict for v in vs)):
                for e in A:
                    if e in loc.vals:
                        put(self.env_values[e], loc.path, loc.vals[e])
                continue
            loc.in_base = True
            if all(type(v) is dict for v in vs):
                base = _common(vs)
                put(self.base, loc.path, base)
                for e in A:
                    d = _diff(base, loc.vals[e])
                    if d:
                        put(self.env_values[e], loc.path, d)
            else:
                base = most_common(vs)
                put(self.base, loc.path, base)
                for e in A:
                    if not same(loc.vals[e], base):
                        put(self.env_values[e], loc.path, loc.vals[e])
        self.base = ordered(self.base, self.rank)
        self.env_values = {e: ordered(v, self.rank) for e, v in self.env_values.items()}


def _lower_camel(kind: str) -> str:
    return kind[:1].lower() + kind[1:] if kind else "object"


def _agrees(vectors: list) -> bool:
    """Whether, in each environment, every occurrence has the same value (or all lack it)."""
    per: dict[str, Any] = {}
    for _, vec, _ in vectors:
        for e, v in vec.items():
            if e in per:
                w = per[e]
                if not (v is w or (v is not _ABSENT and w is not _ABSENT and same(v, w))):
                    return False
            per.setdefault(e, v)
    return True


def _metadata(v: Any):
    """(path, dict) for every `metadata` mapping in an object; list items by name when they
    have one (the paths the template builder uses)."""
    stack = [((), v)]
    while stack:
        kpath, v = stack.pop()
        if type(v) is dict:
            for k, x in v.items():
                tx = type(x)
                if tx is dict:
                    if k == "metadata":
                        yield kpath + (k,), x
                    stack.append((kpath + (k,), x))
                elif tx is list:
                    stack.append((kpath + (k,), x))
        else:
            ids = idents(v)
            for i, x in enumerate(v):
                if type(x) in (dict, list):
                    stack.append((kpath + (((ids[i],),) if ids is not None else (i,)), x))


def put(tree: dict, path: tuple, value: Any, keep: bool = False) -> None:
    """Set ``path`` in a tree of maps (with ``keep``, only if it is not there yet)."""
    node = tree
    for seg in path[:-1]:
        node = node.setdefault(seg, {})
    if not keep or path[-1] not in node:
        node[path[-1]] = value


def ordered(tree: Any, rank: dict | None = None, at: tuple = ()) -> Any:
    """Keys in a readable order: FIRST_KEYS first; under apps/objects, file order."""
    if type(tree) is not dict:
        return tree
    if at in (("apps",), ("objects",)) and rank:
        keys = sorted(tree, key=lambda k: rank.get(at + (k,), len(rank)))
    else:
        first = [k for k in FIRST_KEYS if k in tree]
        keys = first + [k for k in tree if k not in first]
    return {k: ordered(tree[k], rank, at + (k,)) for k in keys}


def _common(ds: list[dict]) -> dict:
    """What every map has: keys in all of them (recursively), with the most common value."""
    out: dict = {}
    for k, v in ds[0].items():
        if not all(k in d for d in ds):
            continue
        vs = [d[k] for d in ds]
        if all(type(x) is dict for x in vs):
            out[k] = _common(vs)
        elif not any(type(x) is dict for x in vs) and not any(x is None for x in vs):
            out[k] = most_common(vs)
    return out


def _diff(base: dict, d: dict) -> dict:
    """What to deep-merge onto ``base`` to get ``d`` (``base`` only has keys ``d`` has)."""
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
    return out
