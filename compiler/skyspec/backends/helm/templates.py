"""The template builder of the Helm backend: each Kubernetes object, compared place by place
across the environments it exists in, becomes a template tree (nodes.py) -- literal where it is
equal everywhere, a reference to a values path where it differs or where Helm users expect a
knob (knobs.py: images, replicas, resources, env vars, labels, hosts, TLS, autoscaling,
storage), behind a condition where it exists in some environments only. It registers each
value with the values layout (values.py); it must not print template text, compute the values
files, or read anything but the objects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ...ir.model import IR
from .compare import all_same, canon, idents, merge_keys, merge_orders
from .knobs import Knobs
from .marks import MARKS, Name, has_mark, plain
from .meta import Meta
from .nodes import Lit, Ref, Seq, Tpl, collapse_map, collapse_seq, lit
from .objects import Obj
from .release import NAME_LABEL, Hosts
from .strategy import COLOR, Strategies
from .values import Values, camel


def _container_like(lst: Any) -> bool:
    return type(lst) is list and all(type(x) is dict and type(x.get("name")) is str
                                     and type(x.get("image")) is str for x in lst)


def _scalarish(v: Any) -> bool:
    """A value a guard can read by key presence: a non-null scalar or a list of scalars."""
    if type(v) is list:
        return all(type(x) not in (dict, list) for x in v)
    return type(v) is not dict and v is not None


# keys under which something may always be a value (images, replicas, labels, hosts, ...)
_WATCHED = frozenset(("containers", "initContainers", "replicas", "labels", "annotations",
                      "storage", "volumeClaimTemplates", "host", "hosts", "env", "image", "resources",
                      "tls", "metrics", "minReplicas", "maxReplicas"))
# object paths that are not values paths: `apps.api.topologySpreadConstraints`, not
# `apps.api.spec.template.spec.topologySpreadConstraints`
_SKIP = frozenset(("spec", "template", "jobTemplate"))
# places a blue-green app's `blueGreen.active` decides (strategy.py)
_STRATEGY_PLACES = frozenset((("spec", "selector", COLOR), ("spec", "scaleTargetRef", "name")))
# maps whose keys have places in _STRATEGY_PLACES
_STRATEGY_PARENTS = frozenset(p[:-1] for p in _STRATEGY_PLACES)
# places whose values hold places in _STRATEGY_PLACES
_STRATEGY_PREFIXES = frozenset(p[:i] for p in _STRATEGY_PLACES for i in range(1, len(p)))
# keys whose values :meth:`Builder.node` may make values by their place (special, strategy_replicas,
# the blue-green selector)
_PLACED_KEYS = frozenset(("replicas", "minReplicas", "maxReplicas", "storage", "host", "selector"))
# the key of an object's `spec` a knob builds, by kind
_SPEC_KNOBS = {"Ingress": "tls", "HorizontalPodAutoscaler": "metrics"}
_POD_SPECS = frozenset((("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec")))


def _names(vals: dict) -> bool:
    """Whether ``vals`` (env -> value) are all names that follow the release (and not none)."""
    for v in vals.values():
        if type(v) is not Name:
            return False
    return bool(vals)


def _inert_but_marks(v: Any) -> bool:
    """Like :func:`_inert` but for the release's marks, and without metadata: a value whose
    template is ``lit(v)`` wherever it is equal everywhere and its place decides nothing."""
    t = type(v)
    if t is dict:
        return _WATCHED.isdisjoint(v) and "metadata" not in v and all(_inert_but_marks(x) for x in v.values())
    if t is list:
        return all(_inert_but_marks(x) for x in v)
    return not (t is str and v.endswith("\n\n"))


def _inert(v: Any) -> bool:
    """Whether a value holds nothing the chart makes a value even when it is equal everywhere
    (and no scalar a literal cannot carry): then it is literal as a whole."""
    t = type(v)
    if t is dict:
        if not _WATCHED.isdisjoint(v):
            return False
        v = v.values()
    elif t is not list:
        return not (t is str and v.endswith("\n\n") or t in MARKS)
    for x in v:
        t = type(x)
        if t is dict or t is list:
            if not _inert(x):
                return False
        elif t is str:
            if x.endswith("\n\n"):
                return False
        elif t in MARKS:
            return False
    return True


@dataclass(slots=True)
class Ctx:
    obj: Obj
    envs: list           # environments this node exists in
    anchor: tuple        # values node that generic paths hang from
    rel: tuple           # generic values path below the anchor
    kpath: tuple         # path in the object: str keys, (name,) for named items, int indexes
    role: str | None = None   # "container" | "env" (a container's env list)
    alt: tuple | None = None  # the object's own node, when ``anchor`` is shared by objects

    def key(self, k: str) -> "Ctx":
        r = k
        if k in _SKIP:
            r = None
        elif k == "securityContext" and self.kpath in _POD_SPECS:
            r = "podSecurityContext"
        rel = self.rel + (r,) if r else self.rel
        return Ctx(self.obj, self.envs, self.anchor, rel, self.kpath + (k,), None, self.alt)

    def named(self, name: str, as_written: bool = False) -> "Ctx":
        """The item ``name`` of a named list: its values key camel-cased, or ``as_written`` (a
        variable's name in a container's env map, which the chart reads by that name)."""
        return Ctx(self.obj, self.envs, self.anchor, self.rel + (name if as_written else camel(name),),
                   self.kpath + ((name,),), None, self.alt)

    def indexed(self, i: int) -> "Ctx":
        return Ctx(self.obj, self.envs, self.anchor, self.rel + (str(i),), self.kpath + (i,), None, self.alt)

    def places(self, rel: tuple) -> tuple:
        """Candidate values paths for ``rel``: the shared one first, then the object's own."""
        return (self.anchor + rel,) if self.alt is None else (self.anchor + rel, self.alt + rel)


class Builder(Knobs, Strategies):
    """Builds the template trees of one chart's objects, registering their values in ``values``."""

    def __init__(self, values: Values, meta: Meta, irs: dict[str, IR], hosts: Hosts):
        self.values = values
        self.hosts = hosts
        self.workloads = {(e, w.name): w for e, ir in irs.items() for w in ir.workloads}
        self.meta = meta
        self.project = next(iter(irs.values())).project
        self.namespaces = {e: ir.namespace for e, ir in irs.items()}
        self.env_maps: dict[tuple, set] = {}   # env map path -> the names the chart sets in it
        self.carriers: dict[tuple, dict] = {}   # a metadata place -> which label maps it carries
        self.carried: dict[tuple, tuple] = {}   # (label map path, envs) -> its values path (knobs.py)
        self.unprintable = False   # a map of strings the templates hold (not the values) has such a character

    def ref(self, places: tuple, vals: dict, envs, schema: str | None = None, form: str = "value",
            keep_parent: bool = False) -> Ref:
        """A reference to ``vals`` at the first of ``places`` (values paths) that can hold it.
        Names that follow the release are held as their names in the specs (the template
        applies the release); other marks, where a value holds them, as they are for a release
        named like the chart."""
        if _names(vals):
            vals, form = {e: v.base for e, v in vals.items()}, "name"
        elif has_mark(vals):   # (a dict: any of its values)
            vals = {e: plain(v, self.project, self.namespaces[e]) for e, v in vals.items()}
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
        if kp == ("spec", "replicas") and o.kind != "HorizontalPodAutoscaler":
            return (o.home + ("replicas",), o.node + ("replicas",)), "replicas", None
        if o.kind == "HorizontalPodAutoscaler" and kp in (("spec", "minReplicas"), ("spec", "maxReplicas")):
            return (o.node + (kp[1],),), "replicas", None
        claim = None
        if o.kind == "StatefulSet" and len(kp) == 7 and kp[:2] == ("spec", "volumeClaimTemplates") \
                and type(kp[2]) is tuple and kp[3:] == ("spec", "resources", "requests", "storage"):
            claim = kp[2][0]
        if o.kind == "PersistentVolumeClaim" and kp == ("spec", "resources", "requests", "storage"):
            claim = o.name
        if claim is not None:
            key = camel(claim)
            return (o.home + ("storage", key), o.node + ("storage", key)), "quantity", None
        if o.kind == "Ingress" and o.oid in self.values.hosts and not optional:
            path, where = self.values.hosts[o.oid]
            if kp in where:
                return (path,), "host", where[kp]
        return None

    def _text(self, c: Ctx, vs: list) -> bool:
        """Whether ``vs`` are ConfigMap data (a data map, or one of its values) naming a
        Service of the chart: written through the `<chart>.hosts` helper."""
        if c.obj.kind != "ConfigMap" or c.kpath[:1] != ("data",) or len(c.kpath) > 2:
            return False
        if len(c.kpath) == 1:
            return any(type(d) is dict and any(self.hosts.mentions(x) for x in d.values()) for d in vs)
        return all(type(v) is str for v in vs) and any(self.hosts.mentions(v) for v in vs)

    def text(self, vals: dict, c: Ctx, envs: list):
        """A text that names Services: the release's names, by the `<chart>.hosts` helper."""
        vs = [vals[e] for e in envs]
        arg = ("gostr", vs[0]) if all_same(vs) else ("arg", self.ref(c.places(c.rel), vals, envs).path)
        return Tpl([f'include "{self.project}.hosts" (list $ ', arg, ")", ("json",)])

    def node(self, vals: dict, c: Ctx, tried: bool = False):
        """The template node of ``vals`` (env -> value) at ``c``; ``tried``: :meth:`_same_lit`
        found it no literal (a map or list not equal everywhere, or holding a value)."""
        vs = [vals[e] for e in c.envs]
        if c.obj.kind == "ConfigMap" and self._text(c, vs):
            if len(c.kpath) == 2:
                return self.text(vals, c, c.envs)
        elif c.kpath == ("spec", "replicas"):
            got = self.strategy_replicas(c, vals)
            if got is not None:
                return got
        elif c.kpath in _STRATEGY_PLACES:
            got = self.strategy_node(c, vals)
            if got is not None:
                return got[0]
        elif not tried and type(vs[0]) in (dict, list) and _inert(vs[0]) and all_same(vs) \
                and not (c.kpath == ("spec", "selector") and self.blue_green(c.obj)):
            return Lit(vs[0], True)   # the same everywhere and nothing in it is always a value
        sp = self.special(c, vals)
        if sp is not None:
            places, schema, index = sp
            if schema == "host":
                self.values.locs[places[0]].used = True
                return Ref(places[0], index)
            return self.ref(places, vals, c.envs, schema)
        t = type(vs[0])
        if t is dict or t is list:
            for v in vs:
                if type(v) is not t:
                    break
            else:
                return self.dict_node(vals, c) if t is dict else self.list_node(vals, c)
        if all_same(vs):
            return lit(vs[0])
        return self.ref(c.places(c.rel), vals, c.envs)

    def _same_lit(self, vs: list, k: str, kpath: tuple):
        """What :meth:`node` gives for the values ``vs`` of a key ``k`` of a map, when it is a
        literal because they are equal everywhere and hold nothing that is always a value; else
        None. Only for a key whose place decides nothing (see ``plain`` in :meth:`dict_node`)."""
        if k in _PLACED_KEYS:
            return None
        v = vs[0]
        t = type(v)
        if t is not dict and t is not list:
            for x in vs[1:]:    # same(v, x) for a scalar
                if type(x) is not t or not x == v:
                    return None
            return Lit(v)
        if not _inert(v):
            # a map or list holding marks: lit(v) is what the map and list builders would
            # make of it, unless a place below it is a strategy's
            if k == "metadata" or kpath + (k,) in _STRATEGY_PREFIXES or not _inert_but_marks(v) \
                    or not all_same(vs):
                return None
            return lit(v)
        # lit(v): an inert map or list holds no mark (nor a `|+` block)
        return Lit(v, True) if all_same(vs) else None

    def optional(self, pvals: dict, c: Ctx, cc: Ctx) -> tuple:
        """A key present in some of ``c.envs`` only: (node, condition)."""
        if self._text(cc, list(pvals.values())):
            r = self.ref(cc.places(cc.rel), pvals, c.envs)
            return Tpl([f'include "{self.project}.hosts" (list $ ', ("arg", r.path), ")", ("json",)]), ("has", r.path)
        if cc.kpath in _STRATEGY_PLACES:
            got = self.strategy_node(cc, pvals, optional=True)
            if got is not None:
                return got
        if all(_scalarish(v) for v in pvals.values()):
            sp = self.special(cc, pvals, optional=True)
            places, schema = (sp[0], sp[1]) if sp else (cc.places(cc.rel), None)
            r = self.ref(places, pvals, c.envs, schema)
            return r, ("has", r.path)
        present = [e for e in c.envs if e in pvals]
        return self.flagged(pvals, c, replace(cc, envs=present), cc.rel)

    def flagged(self, pvals: dict, c: Ctx, sub: Ctx, rel: tuple, flag: tuple | None = None) -> tuple:
        """A part present in some of ``c.envs`` only, behind a flag at ``<rel>.enabled`` (or
        at ``flag``)."""
        vector = {e: e in pvals for e in c.envs}
        f = self.ref((flag,) if flag else sub.places(rel + ("enabled",)), vector, c.envs, "flag")
        return self.node(pvals, sub), ("flag", f.path)

    def dict_node(self, vals: dict, c: Ctx):
        envs = c.envs
        ds = [vals[e] for e in envs]
        if not all(ds) and not all_same(ds):
            # every key would be guarded, and `key: {}` could not come out: one value
            return self.ref(c.places(c.rel), vals, envs)
        entries: list = []
        is_meta = c.kpath[-1:] == ("metadata",)
        keys = merge_keys(ds)
        full = min(map(len, ds)) == len(keys)   # every key in every environment (each has at most all)
        # the keys a knob builds (see :meth:`_knob`)
        if c.role == "container":
            knobs: tuple = ("image", "env", "resources")
        elif is_meta:
            knobs = ("labels", "annotations")
        elif c.kpath == ("spec",) and c.obj.kind in _SPEC_KNOBS:
            knobs = (_SPEC_KNOBS[c.obj.kind],)
        else:
            knobs = ()
        # whether :meth:`_same_lit` may answer for a child (nothing below decides by place)
        plain = c.kpath not in _STRATEGY_PARENTS and not (c.obj.kind == "ConfigMap" and len(c.kpath) < 2)
        for k in keys:
            present = envs if full else [e for e in envs if k in vals[e]]
            got = self._knob(k, vals, present, c) if k in knobs else None
            if got is not None:
                entries.append((k,) + got)
            elif len(present) == len(envs):
                vs = [d[k] for d in ds]
                if plain and k not in _PLACED_KEYS:
                    n = self._same_lit(vs, k, c.kpath)
                    entries.append((k, n or self.node(dict(zip(envs, vs)), c.key(k), True), None))
                else:
                    entries.append((k, self.node(dict(zip(envs, vs)), c.key(k)), None))
            else:
                entries.append((k,) + self.optional({e: vals[e][k] for e in present}, c, c.key(k)))
        if c.role == "container":
            for k, after in (("env", ("name", "image", "command", "args", "ports", "envFrom")),
                             ("resources", ("name", "image", "command", "args", "ports", "envFrom", "env"))):
                if k in keys:
                    continue
                got = getattr(self, f"_container_{k}")(vals, [], c, c.key(k))
                if got is not None:
                    at = max([i for i, (x, _, _) in enumerate(entries) if x in after], default=len(entries) - 1)
                    entries.insert(at + 1, (k,) + got)
        if is_meta:
            for k in ("labels", "annotations"):
                if k not in keys:
                    got = self.metadata_map(k, vals, [], c, c.key(k))
                    if got is not None:
                        entries.append((k,) + got)
        if c.obj.kind == "Ingress" and c.kpath == ("spec",) and "tls" not in keys:
            got = self.ingress_tls(vals, [], c, c.key("tls"))
            if got is not None:
                at = next((i for i, (x, _, _) in enumerate(entries) if x == "rules"), len(entries))
                entries.insert(at, ("tls",) + got)
        return collapse_map(entries)

    def _knob(self, k: str, vals: dict, present: list, c: Ctx):
        """Key ``k`` of the map ``vals`` as a knob (knobs.py), or None."""
        if c.role == "container":
            return getattr(self, f"_container_{k}")(vals, present, c, c.key(k))
        if k in ("labels", "annotations"):
            return self.metadata_map(k, vals, present, c, c.key(k))
        if k == "tls":
            return self.ingress_tls(vals, present, c, c.key(k))
        return self.hpa_metrics(vals, present, c, c.key(k))

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
        if c.obj.kind == "NetworkPolicy" and last in ("from", "to"):
            got = self.peers(vals, c)
            if got is not None:
                return got
        if self._positional(c) and len({len(v) for v in ls}) == 1:
            return collapse_seq([(self.node({e: vals[e][i] for e in envs}, c.indexed(i)), None)
                                  for i in range(len(ls[0]))])
        if all_same(ls):
            return lit(ls[0])
        if any(has_mark(v) for v in ls):
            got = self.marked_list(vals, c)
            if got is not None:
                return got
        return self.ref(c.places(c.rel), vals, envs)

    def marked_list(self, vals: dict, c: Ctx):
        """A list that differs between environments and holds names that follow the release
        (an Ingress's paths, a container's envFrom). As one value it would hold them as the
        specs name them, right only for a release named like the chart: so item by item, by
        index when every environment has as many, else each distinct item once, in their
        merged order, behind a flag where some environments lack it. None when the items
        repeat or their orders contradict each other."""
        envs = c.envs
        ls = [vals[e] for e in envs]
        if len({len(v) for v in ls}) == 1:
            return collapse_seq([(self.node({e: vals[e][i] for e in envs}, c.indexed(i)), None)
                                 for i in range(len(ls[0]))])
        got = _merged_items(vals, envs)
        if got is None:
            return None
        keys, order = got
        label = {k: str(i) for i, k in enumerate(order)}
        return self.aligned(vals, c, {e: [label[k] for k in keys[e]] for e in envs}, order=list(label.values()))

    def _positional(self, c: Ctx) -> bool:
        """Lists walked by index: Ingress rules and TLS entries (to reach their hosts), a
        NetworkPolicy's rules (to reach their peers)."""
        kp = c.kpath
        if c.obj.kind == "NetworkPolicy":
            return kp in (("spec", "ingress"), ("spec", "egress"))
        if c.obj.kind != "Ingress" or c.obj.oid not in self.values.hosts:
            return False
        return kp in (("spec", "rules"), ("spec", "tls")) or (
            len(kp) == 4 and kp[:2] == ("spec", "tls") and type(kp[2]) is int and kp[3] == "hosts")

    def peers(self, vals: dict, c: Ctx):
        """A NetworkPolicy's peers, item by item, when the peers some environments lack are the
        pods of an app absent there: each is behind that app's `enabled`."""
        envs = c.envs
        got = _merged_items(vals, envs)
        if got is None:
            return None
        ids, order = got
        items = []
        for key in order:
            present = [e for e in envs if key in ids[e]]
            item = vals[present[0]][ids[present[0]].index(key)]
            if len(present) == len(envs):
                items.append((lit(item), None))
                continue
            sel = item.get("podSelector") if type(item) is dict else None
            labels = sel.get("matchLabels") if type(sel) is dict else None
            app = labels.get(NAME_LABEL) if type(labels) is dict else None
            flag = self.values.app_flags.get(app) if type(app) is str else None
            loc = self.values.locs.get(flag) if flag else None
            if loc is None or any(loc.vals.get(e) != (e in present) for e in envs):
                return None
            items.append((lit(item), ("flag", flag)))
        return Seq(items)

    def aligned(self, vals: dict, c: Ctx, ids: dict, containers: str | None = None, order: list | None = None):
        """A list of named items, item by item (an item some environments lack is guarded);
        ``order``: the items' merged order when the caller has it."""
        envs = c.envs
        if order is None:
            order = merge_orders([ids[e] for e in envs])
        if order is None:
            return None
        ls = [vals[e] for e in envs]
        if c.role != "env" and any(not v for v in ls) and not all_same(ls):
            return None   # every item would be guarded, and `key: []` could not come out
        index = {e: {n: i for i, n in enumerate(ids[e])} for e in envs}
        items: list = []
        env = c.role == "env"
        known = self.env_maps.setdefault(c.places(("env",))[0], set()) if env else None
        plain_env = self.plain_env
        for name in order:
            present = [e for e in envs if name in index[e]]
            ivals = {e: vals[e][index[e][name]] for e in present}
            if env:
                known.add(name)
                for v in ivals.values():
                    if not plain_env(v):
                        break
                else:
                    items.append(self.env_item(name, ivals, c))
                    continue
            if containers:
                o = c.obj
                key = camel(name)
                shared = o.home if containers == "containers" and name == o.wl else o.home + (containers, key)
                own = o.node + (containers, key)
                cc = Ctx(o, envs, shared, (), c.kpath + ((name,),), "container", own if own != shared else None)
            else:
                cc = c.named(name, as_written=env)
            if c.role == "env" and len(present) < len(envs):
                # not a value of the env map: its flag lives beside it
                flag = c.places(("envEnabled", name))[-1]
                items.append(self.flagged(ivals, c, replace(cc, envs=present), cc.rel, flag=flag))
            elif len(present) == len(envs):
                items.append((self.node(ivals, cc), None))
            else:
                items.append(self.flagged(ivals, c, replace(cc, envs=present), cc.rel))
        if c.role == "env":
            items.append(self.env_extras(c))
        return collapse_seq(items)


def _merged_items(vals: dict, envs: list) -> tuple[dict, list] | None:
    """({env: the fingerprints of its list's items}, their merged order) of the lists ``vals``
    (env -> list), or None when an item repeats in a list or the orders contradict each other."""
    ids = {e: [canon(x) for x in vals[e]] for e in envs}
    if any(len(set(i)) != len(i) for i in ids.values()):
        return None
    order = merge_orders(list(ids.values()))
    return None if order is None else (ids, order)
