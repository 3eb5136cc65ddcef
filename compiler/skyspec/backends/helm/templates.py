"""The template builder of the Helm backend: each Kubernetes object, compared place by place
across the environments it exists in, becomes a template tree (nodes.py) -- literal where it is
equal everywhere, a reference to a values path where it differs or where Helm users expect a
knob (images, replicas, resources, env var values, labels, hosts, storage), behind a condition
where it exists in some environments only. It registers each value with the values layout
(values.py); it must not print template text, compute the values files, or read anything but
the objects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .compare import all_same, idents, merge_keys, merge_orders
from .nodes import Lit, Map, Ref, Seq, collapse_map, collapse_seq, keep_block
from .objects import Obj
from .values import Values


def _container_like(lst: Any) -> bool:
    return type(lst) is list and all(type(x) is dict and type(x.get("name")) is str
                                     and type(x.get("image")) is str for x in lst)


def _plain_env(item: Any) -> bool:
    return type(item) is dict and set(item) == {"name", "value"} and type(item["value"]) is str


def _scalarish(v: Any) -> bool:
    """A value a guard can read by key presence: a non-null scalar or a list of scalars."""
    if type(v) is list:
        return all(type(x) not in (dict, list) for x in v)
    return type(v) is not dict and v is not None


def _split_image(image: str) -> dict:
    rest, at, digest = image.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    out: dict = {"repository": rest, "tag": "", "digest": digest}
    if colon > slash:
        out["repository"], out["tag"] = rest[:colon], rest[colon + 1:]
    parts = {k: v for k, v in out.items() if v or k == "repository"}
    joined = parts["repository"] + (":" + parts["tag"] if "tag" in parts else "") + \
        ("@" + parts["digest"] if "digest" in parts else "")
    return parts if joined == image and at == ("@" if digest else "") else {"repository": image}


# keys under which something may always be a value (images, replicas, labels, hosts, ...)
_WATCHED = frozenset(("containers", "initContainers", "replicas", "labels", "annotations", "namespace",
                      "storage", "volumeClaimTemplates", "host", "hosts", "env", "image", "resources"))


def _inert(v: Any) -> bool:
    """Whether a value holds nothing the chart makes a value even when it is equal everywhere
    (and no string a literal cannot carry): then it is literal as a whole."""
    t = type(v)
    if t is dict:
        return not any(k in _WATCHED for k in v) and all(_inert(x) for x in v.values())
    if t is list:
        return all(_inert(x) for x in v)
    return not keep_block(v)


@dataclass
class Ctx:
    obj: Obj
    envs: list           # environments this node exists in
    anchor: tuple        # values node that generic paths hang from
    rel: tuple           # generic values path below the anchor
    kpath: tuple         # path in the object: str keys, (name,) for named items, int indexes
    role: str | None = None   # "container" | "env" (a container's env list)
    alt: tuple | None = None  # the object's own node, when ``anchor`` is shared by objects

    def key(self, k: str) -> "Ctx":
        return Ctx(self.obj, self.envs, self.anchor, self.rel + (k,), self.kpath + (k,), None, self.alt)

    def named(self, name: str) -> "Ctx":
        return Ctx(self.obj, self.envs, self.anchor, self.rel + (name,), self.kpath + ((name,),), None, self.alt)

    def indexed(self, i: int) -> "Ctx":
        return Ctx(self.obj, self.envs, self.anchor, self.rel + (str(i),), self.kpath + (i,), None, self.alt)

    def places(self, rel: tuple) -> tuple:
        """Candidate values paths for ``rel``: the shared one first, then the object's own."""
        return (self.anchor + rel,) if self.alt is None else (self.anchor + rel, self.alt + rel)


class Builder:
    """Builds the template trees of one chart's objects, registering their values in ``values``."""

    def __init__(self, values: Values):
        self.values = values

    def ref(self, places: tuple, vals: dict, envs, schema: str | None = None, form: str = "value",
            keep_parent: bool = False) -> Ref:
        """A reference to ``vals`` at the first of ``places`` (values paths) that can hold it."""
        use = self.values.use
        path = None
        for p in places[:-1]:
            path = use(p, vals, envs, schema, strict=True)
            if path is not None:
                break
        if path is None:
            path = use(places[-1], vals, envs, schema)
        loc = self.values.locs[path]
        loc.used = True
        loc.keep_parent |= keep_parent
        return Ref(path, form=form)

    def build(self, o: Obj):
        """The template tree of one object."""
        return self.node(o.vals, Ctx(o, list(o.envs), o.node, (), ()))

    # ------------------------------------------------------------------ building templates
    def special(self, c: Ctx, vals: dict, optional: bool = False):
        """(candidate values paths, schema, index) for a leaf that is always a value, or None."""
        o, kp = c.obj, c.kpath
        if kp == ("spec", "replicas"):
            return (o.home + ("replicas",), o.node + ("replicas",)), "replicas", None
        if kp[-1:] == ("namespace",) and self.values.meta_mode.get(("namespace", "namespace", None)) == "global":
            ns = self.values.locs.get(("namespace",))
            if kp == ("metadata", "namespace") or (ns is not None and self.values.compatible(ns, vals, c.envs)
                                                    and all(e in vals for e in c.envs)):
                return (("namespace",),), "string", None
        claim = None
        if o.kind == "StatefulSet" and len(kp) == 7 and kp[:2] == ("spec", "volumeClaimTemplates") \
                and type(kp[2]) is tuple and kp[3:] == ("spec", "resources", "requests", "storage"):
            claim = kp[2][0]
        if o.kind == "PersistentVolumeClaim" and kp == ("spec", "resources", "requests", "storage"):
            claim = o.name
        if claim is not None:
            return (o.home + ("storage", claim), o.node + ("storage", claim)), "quantity", None
        if o.kind == "Ingress" and o.oid in self.values.hosts and not optional:
            path, where = self.values.hosts[o.oid]
            if kp in where:
                return (path,), "host", where[kp]
        return None

    def node(self, vals: dict, c: Ctx):
        vs = [vals[e] for e in c.envs]
        if type(vs[0]) in (dict, list) and _inert(vs[0]) and all_same(vs):
            return Lit(vs[0])     # the same everywhere and nothing in it is always a value
        sp = self.special(c, vals)
        if sp is not None:
            places, schema, index = sp
            if schema == "host":
                self.values.locs[places[0]].used = True
                return Ref(places[0], index)
            return self.ref(places, vals, c.envs, schema)
        if all(type(v) is dict for v in vs):
            return self.dict_node(vals, c)
        if all(type(v) is list for v in vs):
            return self.list_node(vals, c)
        if all_same(vs):
            return Lit(vs[0])
        return self.ref(c.places(c.rel), vals, c.envs)

    def optional(self, pvals: dict, c: Ctx, cc: Ctx) -> tuple:
        """A key present in some of ``c.envs`` only: (node, condition)."""
        if all(_scalarish(v) for v in pvals.values()):
            sp = self.special(cc, pvals, optional=True)
            places, schema = (sp[0], sp[1]) if sp else (cc.places(cc.rel), None)
            r = self.ref(places, pvals, c.envs, schema)
            return r, ("has", r.path)
        present = [e for e in c.envs if e in pvals]
        return self.flagged(pvals, c, replace(cc, envs=present), cc.rel)

    def flagged(self, pvals: dict, c: Ctx, sub: Ctx, rel: tuple) -> tuple:
        """A part present in some of ``c.envs`` only, behind a flag at ``<rel>.enabled``."""
        flag = self.ref(sub.places(rel + ("enabled",)), {e: e in pvals for e in c.envs}, c.envs, "flag")
        return self.node(pvals, sub), ("flag", flag.path)

    def dict_node(self, vals: dict, c: Ctx):
        envs = c.envs
        ds = [vals[e] for e in envs]
        if any(not d for d in ds) and not all_same(ds):
            # every key would be guarded, and `key: {}` could not come out: one value
            return self.ref(c.places(c.rel), vals, envs)
        entries: list = []
        is_meta = c.kpath[-1:] == ("metadata",)
        keys = merge_keys(ds)
        for k in keys:
            present = [e for e in envs if k in vals[e]]
            cc = c.key(k)
            got = None
            if c.role == "container" and k in ("image", "env", "resources"):
                got = getattr(self, f"_container_{k}")(vals, present, c, cc)
            elif is_meta and k in ("labels", "annotations"):
                got = self._labels(k, vals, present, c, cc)
            if got is not None:
                entries.append((k,) + got)
            elif len(present) == len(envs):
                entries.append((k, self.node({e: vals[e][k] for e in envs}, cc), None))
            else:
                entries.append((k,) + self.optional({e: vals[e][k] for e in present}, c, cc))
        if c.role == "container" and "resources" not in keys:
            got = self._container_resources(vals, [], c, c.key("resources"))
            if got is not None:
                after = max([i for i, (k, _, _) in enumerate(entries)
                             if k in ("name", "image", "command", "args", "ports", "env")], default=len(entries) - 1)
                entries.insert(after + 1, ("resources",) + got)
        return collapse_map(entries)

    def list_node(self, vals: dict, c: Ctx):
        envs = c.envs
        ls = [vals[e] for e in envs]
        last = c.kpath[-1] if c.kpath else None
        if last in ("containers", "initContainers") and all(_container_like(v) for v in ls):
            got = self.aligned(vals, c, {e: [x["name"] for x in vals[e]] for e in envs}, containers=last)
            if got is not None:
                return got
        ids = {e: idents(vals[e]) for e in envs}
        if all(i is not None for i in ids.values()):
            got = self.aligned(vals, c, ids)
            if got is not None:
                return got
        if self._positional(c) and len({len(v) for v in ls}) == 1:
            return collapse_seq([(self.node({e: vals[e][i] for e in envs}, c.indexed(i)), None)
                                  for i in range(len(ls[0]))])
        if all_same(ls):
            return Lit(ls[0])
        return self.ref(c.places(c.rel), vals, envs)

    def _positional(self, c: Ctx) -> bool:
        """Ingress rules and TLS entries are walked by index, to reach their hosts."""
        if c.obj.kind != "Ingress" or c.obj.oid not in self.values.hosts:
            return False
        kp = c.kpath
        return kp in (("spec", "rules"), ("spec", "tls")) or (
            len(kp) == 4 and kp[:2] == ("spec", "tls") and type(kp[2]) is int and kp[3] == "hosts")

    def aligned(self, vals: dict, c: Ctx, ids: dict, containers: str | None = None):
        """A list of named items, item by item (an item some environments lack is guarded)."""
        envs = c.envs
        order = merge_orders([ids[e] for e in envs])
        if order is None:
            return None
        ls = [vals[e] for e in envs]
        if c.role != "env" and any(not v for v in ls) and not all_same(ls):
            return None   # every item would be guarded, and `key: []` could not come out
        index = {e: {n: i for i, n in enumerate(ids[e])} for e in envs}
        items: list = []
        for name in order:
            present = [e for e in envs if name in index[e]]
            ivals = {e: vals[e][index[e][name]] for e in present}
            if containers:
                o = c.obj
                shared = o.home if containers == "containers" and name == o.wl else o.home + (containers, name)
                own = o.node + (containers, name)
                cc = Ctx(o, envs, shared, (), c.kpath + ((name,),), "container", own if own != shared else None)
            else:
                cc = c.named(name)
            if c.role == "env" and all(_plain_env(v) for v in ivals.values()):
                r = self.ref(c.places(("env", name)), {e: v["value"] for e, v in ivals.items()}, envs, "string",
                             keep_parent=True)
                items.append((Map([("name", Lit(name), None), ("value", r, None)]), ("has", r.path)))
            elif len(present) == len(envs):
                items.append((self.node(ivals, cc), None))
            else:
                items.append(self.flagged(ivals, c, replace(cc, envs=present), cc.rel))
        return collapse_seq(items)

    # ------------------------------------------------------------------ always-values
    def _container_image(self, vals, present, c: Ctx, cc: Ctx):
        if len(present) != len(c.envs) or any(type(vals[e]["image"]) is not str for e in c.envs):
            return None
        r = self.ref(c.places(("image",)), {e: _split_image(vals[e]["image"]) for e in c.envs}, c.envs,
                     "image", form="image")
        return r, None

    def _container_resources(self, vals, present, c: Ctx, cc: Ctx):
        rv = {}
        for e in c.envs:
            if "resources" in vals[e]:
                r = vals[e]["resources"]
                if type(r) is not dict or not r:
                    return None
                rv[e] = r
            else:
                rv[e] = {}
        r = self.ref(c.places(("resources",)), rv, c.envs, "resources")
        return r, ("nonempty", r.path)

    def _container_env(self, vals, present, c: Ctx, cc: Ctx):
        envs = c.envs
        lists = {}
        for e in envs:
            v = vals[e].get("env", [])
            if type(v) is not list or ("env" in vals[e] and not v) or idents(v) is None:
                return None
            lists[e] = v
        ids = {e: idents(lists[e]) for e in envs}
        if merge_orders(list(ids.values())) is None:
            return None
        got = self.aligned(lists, replace(cc, role="env"), ids)
        if type(got) is not Seq:
            return (got, None) if len(present) == len(envs) else None
        conds = [cond for _, cond in got.items]
        if all(cd is not None for cd in conds):
            return got, ("or", tuple(conds))
        return (got, None) if len(present) == len(envs) else None

    def _labels(self, field: str, vals, present, c: Ctx, cc: Ctx):
        envs = c.envs
        maps = {}
        for e in envs:
            m = vals[e].get(field, {})
            if type(m) is not dict or (field in vals[e] and not m) or any(v is None for v in m.values()):
                return None
            maps[e] = m
        wl = c.obj.wl
        top = "commonLabels" if field == "labels" else "commonAnnotations"
        entries = []
        for k in merge_keys(maps.values()):
            lv = {e: maps[e][k] for e in envs if k in maps[e]}
            mode = self.values.meta_mode.get((field, k, None)) or self.values.meta_mode.get((field, k, wl))
            if mode is None and len(lv) == len(envs) and all_same(list(lv.values())):
                entries.append((k, Lit(lv[envs[0]]), None))
                continue
            if mode == "global":
                r = self.ref(((top, k),), lv, envs, "string", keep_parent=True)
            elif mode == "wl":
                r = self.ref((c.obj.home + (field, k),), lv, envs, "string", keep_parent=True)
            else:
                r = self.ref(cc.places(cc.rel + (k,)), lv, envs, "string")
            entries.append((k, r, ("has", r.path)))
        node = collapse_map(entries)
        if entries and all(cd is not None for _, _, cd in entries):
            return node, ("or", tuple(cd for _, _, cd in entries))
        return (node, None) if len(present) == len(envs) else None
