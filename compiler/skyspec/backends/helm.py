"""Helm backend: one chart for every environment being built, whose `helm template` output is
exactly the Kubernetes backend's objects for the chosen environment.

Output (``<project>`` is the project name, also the chart name)::

    helm/<project>/Chart.yaml            apiVersion v2, version 0.1.0
    helm/<project>/values.yaml           what every environment shares
    helm/<project>/values-<env>.yaml     what one environment changes on top of values.yaml
    helm/<project>/values.schema.json    JSON Schema (draft 7) of the values: a typo fails `helm lint`
    helm/<project>/templates/_helpers.tpl
    helm/<project>/templates/<workload>.yaml   one per Kubernetes backend file

Use: ``helm template <project> helm/<project> --namespace <ns> -f helm/<project>/values-prod.yaml``.

How the chart is made
---------------------
The chart is derived from :func:`skyspec.backends.kubernetes.files` of every environment, so
it describes the same objects as the Kubernetes backend, whatever kinds that backend emits.
Each object (workload file, kind, name) is compared field by field across the environments
it exists in: a field equal everywhere stays literal in the template, a field that differs
becomes a ``.Values`` reference. Some fields are values even when they are equal, because
Helm users expect to tune them: images, replicas, resources, env var values, Ingress hosts
and storage sizes.

Values layout
-------------
::

    namespace: shop              # only when metadata.namespace differs between environments
    commonLabels: {skyspec.dev/env: prod}   # labels (annotations) that differ between
    commonAnnotations: {}                   #   environments and agree across objects
    apps:
      <workload>:                # a workload's file (<workload>.yaml) of the Kubernetes backend
        enabled: true            # only when the workload exists in some environments only
        replicas: 2
        image: {repository: ghcr.io/acme/api, tag: 1.4.2}   # (+ digest: "sha256:...")
        resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 512Mi}}
        env: {LOG_LEVEL: warn, WORKERS: "4"}    # plain env var values, by name
        args: [--queue, orders]  # any other field of the container that differs, under its
                                 #   Kubernetes name (named list items by name:
                                 #   ports.http.containerPort)
        containers: {<name>: {image: ..., resources: ..., env: ...}}   # other containers
        initContainers: {<name>: {...}}
        storage: {data: 20Gi}    # volumeClaimTemplates / PersistentVolumeClaims, by claim name
        labels: {team: x}        # labels that differ between environments in this workload only
        ingress:                 # an object's own node: its kind in lowerCamelCase, plus
          enabled: true          #   "-<name>" unless it is named like the workload
          host: shop.example.com #   (hosts: [..] when an Ingress names several)
          spec: {...}            # any other field of the object that differs, under its
                                 #   Kubernetes path (list items by name, else by index)
    objects:
      <kind>.<name>:             # the other files (configmap.settings.yaml, ...): the same
        enabled: true            #   rules; a file of one object is that object's node
        data: {...}

The container named like the workload sits at the workload level, the others under
``containers``/``initContainers``. Several objects of one workload (a canary or blue/green
Deployment next to the main one) share these places when their values agree in every
environment both exist in; a value that differs goes to the object's own node instead
(``apps.api.deployment-api-canary.containers.api.image``), so one knob never changes two
different things.

Optional parts: an object, container or other part that exists in some environments only is
behind a flag at ``<its values path>.enabled``; an env var, label or scalar field that exists
in some environments only is rendered when its key is set (``hasKey``); resources render
when non-empty (``resources: {}`` to drop them).

values.yaml holds, for each value, what most environments have (on a tie, the first
environment in build order); values-<env>.yaml holds only the differences. Helm deep-merges
maps, and a values file cannot remove a key except with ``null``; so a value some
environment lacks is never in values.yaml (each environment that has it sets it), and a map
value (resources, image) keeps in values.yaml only the keys every environment has: nothing
leaks from values.yaml into an environment. Lists are replaced whole.

values.schema.json (draft 7) closes every map (``additionalProperties: false``) and types
every value: integers >= 0 for replicas, strings for images, env values and labels,
Kubernetes quantities (a pattern) for resources and storage, booleans for flags, and for
other fields the JSON types seen in the environments. A typo'd key or a wrong type fails
``helm lint --strict``.

Templating rules
----------------
* scalars: ``{{ <ref> | toJson }}`` -- JSON is YAML: strings stay strings ("4", "true",
  "1.0"), numbers are never printed as 1e+06, null stays null;
* maps and lists: ``{{- <ref> | toYaml | nindent N }}`` when every string in them is one
  YAML readers cannot mistake, else ``toJson`` (a flow collection);
* images: ``{{ include "<chart>.image" <ref> | toJson }}`` (repository[:tag][@digest]);
* names that are not Go identifiers (``my-app``, ``skyspec.dev/env``) are read with ``index``;
  maps values.yaml may lack are read through ``| default dict`` in guards;
* literal text never starts an action: ``{{`` in data is written ``{{ "{{" }}``, and
  strings ending in blank lines are written JSON-quoted (a following ``{{-`` would eat the
  blank lines of a ``|+`` block);
* no Helm labels (helm.sh/chart, app.kubernetes.io/managed-by: Helm, ...) and no
  ``.Release`` values are added: rendered objects equal the Kubernetes backend's, value for
  value, in every environment, so installing the chart and applying the manifests deploy
  the same system. (Floats would render as JSON numbers, 1.0 as 1; the Kubernetes API uses
  none.)

The same IRs always give the same bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from ..ir.model import IR
from . import kubernetes
from .yamlemit import dump

__all__ = ["render"]

CHART_VERSION = "0.1.0"
SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#"

# A Kubernetes quantity ("250m", "1.5Gi", "1e3").
QUANTITY = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SIMPLE_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?\Z")

_ABSENT = object()

_STRING = {"type": "string"}
_QUANTITY_SCHEMA = {"type": "string", "pattern": QUANTITY}
_RESOURCE_LIST = {"type": "object", "additionalProperties": _QUANTITY_SCHEMA}
_SCHEMAS: dict[str, dict] = {
    "replicas": {"type": "integer", "minimum": 0},
    "image": {"type": "object",
              "properties": {"repository": {"type": "string", "minLength": 1}, "tag": _STRING,
                             "digest": _STRING},
              "required": ["repository"], "additionalProperties": False},
    "resources": {"type": "object", "properties": {"limits": _RESOURCE_LIST, "requests": _RESOURCE_LIST},
                  "additionalProperties": False},
    "quantity": _QUANTITY_SCHEMA,
    "string": _STRING,
    "flag": {"type": "boolean"},
}
# values listed first in their map, in this order (the rest keep build order)
_FIRST_KEYS = ("namespace", "commonLabels", "commonAnnotations", "apps", "objects",
               "enabled", "replicas", "image", "resources", "env", "args", "command")


def render(irs: dict[str, IR]) -> dict[str, str]:
    """`helm/<project>/...`: one chart for all the environments in ``irs``."""
    if not irs:
        return {}
    return _Chart(irs).files()


# ---------------------------------------------------------------------- small helpers

def _canon(v: Any) -> str:
    """A type-exact fingerprint: 1, 1.0, True and "1" all differ."""
    return json.dumps(v, sort_keys=True, ensure_ascii=False, allow_nan=True)


def _same(a: Any, b: Any) -> bool:
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is dict:
        return len(a) == len(b) and all(k in b and _same(v, b[k]) for k, v in a.items())
    if ta is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _all_same(vs: list) -> bool:
    return all(_same(vs[0], v) for v in vs[1:])


def _most_common(vs: list) -> Any:
    """The most frequent value; on a tie the earliest (``vs`` is in environment order)."""
    if _all_same(vs):
        return vs[0]
    counts: dict[str, int] = {}
    first: dict[str, Any] = {}
    for v in vs:
        c = _canon(v)
        counts[c] = counts.get(c, 0) + 1
        first.setdefault(c, v)
    best = max(counts.values())
    return next(first[c] for c in counts if counts[c] == best)


def _merge_keys(seqs) -> list:
    """Union of several orders, each item after the item it follows where it first appears."""
    seqs = [list(s) for s in seqs]
    if all(s == seqs[0] for s in seqs[1:]):
        return seqs[0] if seqs else []
    out: list = []
    seen: set = set()
    for seq in seqs:
        prev = None
        for x in seq:
            if x not in seen:
                out.insert(out.index(prev) + 1 if prev is not None else 0, x)
                seen.add(x)
            prev = x
    return out


def _merge_orders(seqs: list[list]) -> list | None:
    """Like :func:`_merge_keys`, or None when the orders contradict each other."""
    out = _merge_keys(seqs)
    pos = {x: i for i, x in enumerate(out)}
    for seq in seqs:
        if any(pos[a] >= pos[b] for a, b in zip(seq, seq[1:])):
            return None
    return out


def _ident(item: Any) -> str | None:
    if type(item) is dict:
        n = item.get("name")
        if type(n) is str:
            return n
        m = item.get("metadata")
        if type(m) is dict and type(m.get("name")) is str:
            return m["name"]
    return None


def _idents(lst: list) -> list[str] | None:
    """Item names of a list of named objects (unique), or None."""
    ids = [_ident(x) for x in lst]
    if any(i is None for i in ids) or len(set(ids)) != len(ids):
        return None
    return ids  # type: ignore[return-value]


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


def _lower_camel(kind: str) -> str:
    return kind[:1].lower() + kind[1:] if kind else "object"


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
    return not _keep_block(v)


def _keep_block(s: Any) -> bool:
    """A string the YAML emitter would write as a `|+` block, whose trailing blank lines a
    following `{{-` would eat: such strings are written JSON-quoted instead."""
    return type(s) is str and s.endswith("\n\n")


def _has_keep_block(v: Any) -> bool:
    if type(v) is dict:
        return any(_has_keep_block(x) for x in v.values())
    if type(v) is list:
        return any(_has_keep_block(x) for x in v)
    return _keep_block(v)


def _yaml_safe_str(s: str) -> bool:
    """Strings `toYaml` writes so that every YAML reader reads them back unchanged."""
    return dump(s) == s + "\n" or _SIMPLE_NUMBER.match(s) is not None


def _yaml_safe(v: Any) -> bool:
    if type(v) is dict:
        return all(_yaml_safe_str(k) and _yaml_safe(x) for k, x in v.items())
    if type(v) is list:
        return all(_yaml_safe(x) for x in v)
    if type(v) is str:
        return _yaml_safe_str(v)
    return type(v) in (int, bool) or v is None


def _escape(text: str) -> str:
    """Literal text for a Go template: `{{` becomes an action printing it."""
    return text.replace("{{", '{{ "{{" }}') if "{{" in text else text


def _q(s: str) -> str:
    """A Go template string literal."""
    return json.dumps(s)


# ---------------------------------------------------------------------- template tree

class _Lit:
    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class _Ref:
    __slots__ = ("path", "index", "form")

    def __init__(self, path: tuple, index: int | None = None, form: str = "value"):
        self.path = path
        self.index = index
        self.form = form


class _Map:
    __slots__ = ("entries",)

    def __init__(self, entries: list):
        self.entries = entries      # [(key, node, cond | None)]


class _Seq:
    __slots__ = ("items",)

    def __init__(self, items: list):
        self.items = items          # [(node, cond | None)]


def _collapse_map(entries: list):
    if all(c is None and type(n) is _Lit and not _has_keep_block(n.value) for _, n, c in entries):
        return _Lit({k: n.value for k, n, _ in entries})
    return _Map(entries)


def _collapse_seq(items: list):
    if all(c is None and type(n) is _Lit and not _has_keep_block(n.value) for n, c in items):
        return _Lit([n.value for n, _ in items])
    return _Seq(items)


# ---------------------------------------------------------------------- values

@dataclass
class _Loc:
    path: tuple
    envs: set            # environments where the value applies (its object exists there)
    vals: dict           # env -> value, for the environments that have it
    schema: str | None   # a name in _SCHEMAS / "hosts", or None: derived from the values
    used: bool = False
    keep_parent: bool = False   # its map stays in values.yaml even when empty (env: {})
    in_base: bool = False
    nullable: bool = False

    @property
    def optional(self) -> bool:
        return len(self.vals) < len(self.envs)


@dataclass
class _Obj:
    oid: tuple           # (file, kind, name, n): n counts repeats of kind/name in a file
    fname: str
    wl: str              # the file's name without .yaml
    kind: str
    name: str
    vals: dict           # env -> object dict
    envs: list           # environments it exists in, in build order
    home: tuple = ()     # values node of its file: ("apps", wl) or ("objects", wl)
    node: tuple = ()     # values node of the object itself


@dataclass
class _Ctx:
    obj: _Obj
    envs: list           # environments this node exists in
    anchor: tuple        # values node that generic paths hang from
    rel: tuple           # generic values path below the anchor
    kpath: tuple         # path in the object: str keys, (name,) for named items, int indexes
    role: str | None = None   # "container" | "env" (a container's env list)
    alt: tuple | None = None  # the object's own node, when ``anchor`` is shared by objects

    def key(self, k: str) -> "_Ctx":
        return _Ctx(self.obj, self.envs, self.anchor, self.rel + (k,), self.kpath + (k,), None, self.alt)

    def named(self, name: str) -> "_Ctx":
        return _Ctx(self.obj, self.envs, self.anchor, self.rel + (name,), self.kpath + ((name,),), None, self.alt)

    def indexed(self, i: int) -> "_Ctx":
        return _Ctx(self.obj, self.envs, self.anchor, self.rel + (str(i),), self.kpath + (i,), None, self.alt)

    def places(self, rel: tuple) -> tuple:
        """Candidate values paths for ``rel``: the shared one first, then the object's own."""
        return (self.anchor + rel,) if self.alt is None else (self.anchor + rel, self.alt + rel)


class _Chart:
    def __init__(self, irs: dict[str, IR]):
        self.envs = list(irs)
        self.name = irs[self.envs[0]].project
        self.locs: dict[tuple, _Loc] = {}
        self.struct: set[tuple] = set()
        self.objects: dict[tuple, _Obj] = {}
        self.by_file: dict[str, list[tuple]] = {}
        orders: dict[str, list[list]] = {}
        for env, ir in irs.items():
            for fname, objs in kubernetes.files(ir).items():
                seen: dict[tuple, int] = {}
                oids = []
                for o in objs:
                    kind, name = str(o.get("kind", "")), str((o.get("metadata") or {}).get("name", ""))
                    n = seen[(kind, name)] = seen.get((kind, name), -1) + 1
                    oid = (fname, kind, name, n)
                    oids.append(oid)
                    obj = self.objects.get(oid)
                    if obj is None:
                        wl = fname[:-5] if fname.endswith(".yaml") else fname
                        obj = self.objects[oid] = _Obj(oid, fname, wl, kind, name, {}, [])
                    obj.vals[env] = o
                    obj.envs.append(env)
                orders.setdefault(fname, []).append(oids)
        for fname in sorted(orders):
            self.by_file[fname] = _merge_keys(orders[fname])
            objs = [self.objects[oid] for oid in self.by_file[fname]]
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
        self.rank = {self.objects[oids[0]].home: i for i, oids in enumerate(self.by_file.values())}
        self._prescan()

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
                    self.locs[cand] = _Loc(cand, set(envs), dict(vals), schema)
                    for i in range(1, len(cand)):
                        self.struct.add(cand[:i])
                    return cand
                if loc.schema == schema and self._compatible(loc, vals, envs):
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
    def _compatible(loc: _Loc, vals: dict, envs) -> bool:
        for e in set(envs) & loc.envs:
            if (e in vals) != (e in loc.vals) or (e in vals and not _same(vals[e], loc.vals[e])):
                return False
        return True

    def ref(self, places: tuple, vals: dict, envs, schema: str | None = None, form: str = "value",
            keep_parent: bool = False) -> _Ref:
        """A reference to ``vals`` at the first of ``places`` (values paths) that can hold it."""
        path = None
        for p in places[:-1]:
            path = self.use(p, vals, envs, schema, strict=True)
            if path is not None:
                break
        if path is None:
            path = self.use(places[-1], vals, envs, schema)
        loc = self.locs[path]
        loc.used = True
        loc.keep_parent |= keep_parent
        return _Ref(path, form=form)

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
                if k in first and all(k in m and _same(m[k], first[k]) for m in maps[1:]):
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

    def _prescan_hosts(self, o: _Obj) -> None:
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

    # ------------------------------------------------------------------ building templates
    def special(self, c: _Ctx, vals: dict, optional: bool = False):
        """(candidate values paths, schema, index) for a leaf that is always a value, or None."""
        o, kp = c.obj, c.kpath
        if kp == ("spec", "replicas"):
            return (o.home + ("replicas",), o.node + ("replicas",)), "replicas", None
        if kp[-1:] == ("namespace",) and self.meta_mode.get(("namespace", "namespace", None)) == "global":
            ns = self.locs.get(("namespace",))
            if kp == ("metadata", "namespace") or (ns is not None and self._compatible(ns, vals, c.envs)
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
        if o.kind == "Ingress" and o.oid in self.hosts and not optional:
            path, where = self.hosts[o.oid]
            if kp in where:
                return (path,), "host", where[kp]
        return None

    def node(self, vals: dict, c: _Ctx):
        vs = [vals[e] for e in c.envs]
        if type(vs[0]) in (dict, list) and _inert(vs[0]) and _all_same(vs):
            return _Lit(vs[0])     # the same everywhere and nothing in it is always a value
        sp = self.special(c, vals)
        if sp is not None:
            places, schema, index = sp
            if schema == "host":
                self.locs[places[0]].used = True
                return _Ref(places[0], index)
            return self.ref(places, vals, c.envs, schema)
        if all(type(v) is dict for v in vs):
            return self.dict_node(vals, c)
        if all(type(v) is list for v in vs):
            return self.list_node(vals, c)
        if _all_same(vs):
            return _Lit(vs[0])
        return self.ref(c.places(c.rel), vals, c.envs)

    def optional(self, pvals: dict, c: _Ctx, cc: _Ctx) -> tuple:
        """A key present in some of ``c.envs`` only: (node, condition)."""
        if all(_scalarish(v) for v in pvals.values()):
            sp = self.special(cc, pvals, optional=True)
            places, schema = (sp[0], sp[1]) if sp else (cc.places(cc.rel), None)
            r = self.ref(places, pvals, c.envs, schema)
            return r, ("has", r.path)
        present = [e for e in c.envs if e in pvals]
        return self.flagged(pvals, c, replace(cc, envs=present), cc.rel)

    def flagged(self, pvals: dict, c: _Ctx, sub: _Ctx, rel: tuple) -> tuple:
        """A part present in some of ``c.envs`` only, behind a flag at ``<rel>.enabled``."""
        flag = self.ref(sub.places(rel + ("enabled",)), {e: e in pvals for e in c.envs}, c.envs, "flag")
        return self.node(pvals, sub), ("flag", flag.path)

    def dict_node(self, vals: dict, c: _Ctx):
        envs = c.envs
        ds = [vals[e] for e in envs]
        if any(not d for d in ds) and not _all_same(ds):
            # every key would be guarded, and `key: {}` could not come out: one value
            return self.ref(c.places(c.rel), vals, envs)
        entries: list = []
        is_meta = c.kpath[-1:] == ("metadata",)
        keys = _merge_keys(ds)
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
        return _collapse_map(entries)

    def list_node(self, vals: dict, c: _Ctx):
        envs = c.envs
        ls = [vals[e] for e in envs]
        last = c.kpath[-1] if c.kpath else None
        if last in ("containers", "initContainers") and all(_container_like(v) for v in ls):
            got = self.aligned(vals, c, {e: [x["name"] for x in vals[e]] for e in envs}, containers=last)
            if got is not None:
                return got
        ids = {e: _idents(vals[e]) for e in envs}
        if all(i is not None for i in ids.values()):
            got = self.aligned(vals, c, ids)
            if got is not None:
                return got
        if self._positional(c) and len({len(v) for v in ls}) == 1:
            return _collapse_seq([(self.node({e: vals[e][i] for e in envs}, c.indexed(i)), None)
                                  for i in range(len(ls[0]))])
        if _all_same(ls):
            return _Lit(ls[0])
        return self.ref(c.places(c.rel), vals, envs)

    def _positional(self, c: _Ctx) -> bool:
        """Ingress rules and TLS entries are walked by index, to reach their hosts."""
        if c.obj.kind != "Ingress" or c.obj.oid not in self.hosts:
            return False
        kp = c.kpath
        return kp in (("spec", "rules"), ("spec", "tls")) or (
            len(kp) == 4 and kp[:2] == ("spec", "tls") and type(kp[2]) is int and kp[3] == "hosts")

    def aligned(self, vals: dict, c: _Ctx, ids: dict, containers: str | None = None):
        """A list of named items, item by item (an item some environments lack is guarded)."""
        envs = c.envs
        order = _merge_orders([ids[e] for e in envs])
        if order is None:
            return None
        ls = [vals[e] for e in envs]
        if c.role != "env" and any(not v for v in ls) and not _all_same(ls):
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
                cc = _Ctx(o, envs, shared, (), c.kpath + ((name,),), "container", own if own != shared else None)
            else:
                cc = c.named(name)
            if c.role == "env" and all(_plain_env(v) for v in ivals.values()):
                r = self.ref(c.places(("env", name)), {e: v["value"] for e, v in ivals.items()}, envs, "string",
                             keep_parent=True)
                items.append((_Map([("name", _Lit(name), None), ("value", r, None)]), ("has", r.path)))
            elif len(present) == len(envs):
                items.append((self.node(ivals, cc), None))
            else:
                items.append(self.flagged(ivals, c, replace(cc, envs=present), cc.rel))
        return _collapse_seq(items)

    # ------------------------------------------------------------------ always-values
    def _container_image(self, vals, present, c: _Ctx, cc: _Ctx):
        if len(present) != len(c.envs) or any(type(vals[e]["image"]) is not str for e in c.envs):
            return None
        r = self.ref(c.places(("image",)), {e: _split_image(vals[e]["image"]) for e in c.envs}, c.envs,
                     "image", form="image")
        return r, None

    def _container_resources(self, vals, present, c: _Ctx, cc: _Ctx):
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

    def _container_env(self, vals, present, c: _Ctx, cc: _Ctx):
        envs = c.envs
        lists = {}
        for e in envs:
            v = vals[e].get("env", [])
            if type(v) is not list or ("env" in vals[e] and not v) or _idents(v) is None:
                return None
            lists[e] = v
        ids = {e: _idents(lists[e]) for e in envs}
        if _merge_orders(list(ids.values())) is None:
            return None
        got = self.aligned(lists, replace(cc, role="env"), ids)
        if type(got) is not _Seq:
            return (got, None) if len(present) == len(envs) else None
        conds = [cond for _, cond in got.items]
        if all(cd is not None for cd in conds):
            return got, ("or", tuple(conds))
        return (got, None) if len(present) == len(envs) else None

    def _labels(self, field: str, vals, present, c: _Ctx, cc: _Ctx):
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
        for k in _merge_keys(maps.values()):
            lv = {e: maps[e][k] for e in envs if k in maps[e]}
            mode = self.meta_mode.get((field, k, None)) or self.meta_mode.get((field, k, wl))
            if mode is None and len(lv) == len(envs) and _all_same(list(lv.values())):
                entries.append((k, _Lit(lv[envs[0]]), None))
                continue
            if mode == "global":
                r = self.ref(((top, k),), lv, envs, "string", keep_parent=True)
            elif mode == "wl":
                r = self.ref((c.obj.home + (field, k),), lv, envs, "string", keep_parent=True)
            else:
                r = self.ref(cc.places(cc.rel + (k,)), lv, envs, "string")
            entries.append((k, r, ("has", r.path)))
        node = _collapse_map(entries)
        if entries and all(cd is not None for _, _, cd in entries):
            return node, ("or", tuple(cd for _, _, cd in entries))
        return (node, None) if len(present) == len(envs) else None

    # ------------------------------------------------------------------ values files
    def compute_values(self) -> None:
        self.base: dict = {}
        self.env_values: dict[str, dict] = {e: {} for e in self.envs}
        for loc in self.locs.values():
            if not loc.used:
                continue
            A = [e for e in self.envs if e in loc.envs]
            vs = [loc.vals[e] for e in A if e in loc.vals]
            loc.nullable = any(v is None for v in vs)
            if loc.keep_parent:
                _put(self.base, loc.path[:-1], {}, keep=True)
            if loc.optional or (any(type(v) is dict for v in vs) and not all(type(v) is dict for v in vs)):
                for e in A:
                    if e in loc.vals:
                        _put(self.env_values[e], loc.path, loc.vals[e])
                continue
            loc.in_base = True
            if all(type(v) is dict for v in vs):
                base = _common(vs)
                _put(self.base, loc.path, base)
                for e in A:
                    d = _diff(base, loc.vals[e])
                    if d:
                        _put(self.env_values[e], loc.path, d)
            else:
                base = _most_common(vs)
                _put(self.base, loc.path, base)
                for e in A:
                    if not _same(loc.vals[e], base):
                        _put(self.env_values[e], loc.path, loc.vals[e])
        self.base = _ordered(self.base, self.rank)
        self.env_values = {e: _ordered(v, self.rank) for e, v in self.env_values.items()}

    # ------------------------------------------------------------------ template text
    def expr(self, path: tuple, index: int | None = None, safe: bool = False) -> tuple[str, bool]:
        """A Go template expression reading ``path`` from .Values, and whether it is a
        function call (to parenthesize as an argument). With ``safe``, maps values.yaml
        lacks are read as empty (``| default dict``) instead of failing."""
        loc = self.locs.get(path)
        leaf_ok = loc is None or (loc.in_base and not loc.nullable)
        head, args = ".Values", []
        node: Any = self.base
        for i, seg in enumerate(path):
            last = i == len(path) - 1
            exists = type(node) is dict and seg in node
            if not args and exists and _IDENT.match(seg) and head[0] != "(" and (leaf_ok or not last):
                head += "." + seg
            elif safe and not exists and not last:
                head = f"(index {head} {' '.join(args + [_q(seg)])} | default dict)"
                args = []
            else:
                args.append(_q(seg))
            node = node.get(seg) if exists else None
        if index is not None:
            args.append(str(index))
        if args:
            return f"index {head} {' '.join(args)}", True
        return head, head[0] == "("

    def arg(self, path: tuple, safe: bool = False) -> str:
        text, call = self.expr(path, safe=safe)
        return f"({text})" if call and text[0] != "(" else text

    def cond_text(self, cond) -> str | None:
        """The Go template condition, or None when it always holds."""
        kind = cond[0]
        if kind == "has":
            if not self.locs[cond[1]].optional:
                return None
            return f"hasKey {self.arg(cond[1][:-1], safe=True)} {_q(cond[1][-1])}"
        if kind in ("flag", "nonempty"):
            return self.expr(cond[1])[0]
        parts = [self.cond_text(x) for x in cond[1]]
        if any(p is None for p in parts):
            return None
        if len(parts) == 1:
            return parts[0]
        return "or " + " ".join(f"({p})" for p in parts)

    def ref_text(self, r: _Ref, indent: int) -> str:
        loc = self.locs[r.path]
        safe = not loc.optional and not loc.in_base
        if r.form == "image":
            return f'{{{{ include "{self.name}.image" {self.arg(r.path, safe)} | toJson }}}}'
        text = self.expr(r.path, r.index, safe)[0]
        vals = list(loc.vals.values())
        if r.index is None and all(type(v) in (dict, list) for v in vals) and all(_yaml_safe(v) for v in vals):
            return f"{{{{- {text} | toYaml | nindent {indent} }}}}"
        return f"{{{{ {text} | toJson }}}}"

    def wrap(self, cond, lines: list[str], ind: str) -> list[str]:
        text = self.cond_text(cond) if cond is not None else None
        if text is None:
            return lines
        return [f"{ind}{{{{- if {text} }}}}"] + lines + [f"{ind}{{{{- end }}}}"]

    def map_lines(self, node, ind: str) -> list[str]:
        if type(node) is _Lit:
            return _lit_lines(node.value, ind)
        out: list[str] = []
        for k, n, cond in node.entries:
            out += self.wrap(cond, self.entry_lines(k, n, ind), ind)
        return out

    def entry_lines(self, k: str, n, ind: str) -> list[str]:
        kt = _KEYS.get(k)
        if kt is None:
            kt = _KEYS[k] = _escape(dump({k: 0})[:-4])
        t = type(n)
        if t is _Lit:
            v = n.value
            if type(v) in (dict, list) and v and not _has_keep_block(v):
                return [f"{ind}{kt}:"] + _lit_lines(v, ind + "  " if type(v) is dict else ind)
            return [f"{ind}{kt}: {_lit_scalar(v)}"]
        if t is _Ref:
            return [f"{ind}{kt}: {self.ref_text(n, len(ind) + 2)}"]
        if t is _Map:
            return [f"{ind}{kt}:"] + self.map_lines(n, ind + "  ")
        return [f"{ind}{kt}:"] + self.seq_lines(n, ind)

    def seq_lines(self, node: _Seq, ind: str) -> list[str]:
        out: list[str] = []
        for n, cond in node.items:
            out += self.wrap(cond, self.item_lines(n, ind), ind)
        return out

    def item_lines(self, n, ind: str) -> list[str]:
        t = type(n)
        if t is _Lit:
            v = n.value
            if type(v) in (dict, list) and v and not _has_keep_block(v):
                sub = _lit_lines(v, ind + "  ")
            else:
                return [f"{ind}- {_lit_scalar(v)}"]
        elif t is _Ref:
            text = self.ref_text(n, len(ind) + 2)
            return [f"{ind}-{text}" if text.startswith("{{-") else f"{ind}- {text}"]
        elif t is _Map:
            sub = self.map_lines(n, ind + "  ")
        else:
            sub = self.seq_lines(n, ind + "  ")
        if not sub or sub[0].lstrip().startswith("{{-"):
            return [f"{ind}-"] + sub
        return [f"{ind}- {sub[0][len(ind) + 2:]}"] + sub[1:]

    # ------------------------------------------------------------------ the chart
    def files(self) -> dict[str, str]:
        templates: dict[str, list[tuple]] = {}
        for fname, oids in self.by_file.items():
            # objects named like the workload first: they get the workload-level values
            first = sorted(oids, key=lambda oid: self.objects[oid].name != self.objects[oid].wl)
            nodes = {}
            for oid in first:
                o = self.objects[oid]
                nodes[oid] = self.node(o.vals, _Ctx(o, list(o.envs), o.node, (), ()))
            templates[fname] = [(oid, nodes[oid]) for oid in oids]
        # presence flags: one for the workload when all its objects share one presence, else per object
        guards: dict[Any, Any] = {}
        for fname, built in templates.items():
            objs = [self.objects[oid] for oid, _ in built]
            sets = {tuple(o.envs) for o in objs}
            if len(sets) == 1 and len(objs[0].envs) < len(self.envs):
                f = self.ref((objs[0].home + ("enabled",),), {e: e in objs[0].envs for e in self.envs},
                             self.envs, "flag")
                guards[fname] = ("flag", f.path)
                continue
            for o in objs:
                if len(o.envs) < len(self.envs):
                    f = self.ref((o.node + ("enabled",),), {e: e in o.envs for e in self.envs}, self.envs, "flag")
                    guards[o.oid] = ("flag", f.path)
        self.compute_values()
        root = f"helm/{self.name}"
        out: dict[str, str] = {
            f"{root}/Chart.yaml": dump({
                "apiVersion": "v2", "name": self.name,
                "description": f"{self.name}: the Kubernetes objects of its environments "
                               f"({', '.join(self.envs)}), compiled by skyspec from its deployment specs",
                "type": "application", "version": CHART_VERSION}),
            f"{root}/values.yaml": "# Values every environment shares (generated by skyspec: edit the specs).\n"
                                   "# values-<env>.yaml holds what one environment changes on top of these.\n"
                                   + dump(self.base),
            f"{root}/values.schema.json": json.dumps(self.schema(), indent=2, ensure_ascii=False) + "\n",
            f"{root}/templates/_helpers.tpl": _HELPERS.replace("CHART", self.name),
        }
        for env in self.envs:
            out[f"{root}/values-{env}.yaml"] = (
                f"# What {env} changes on top of values.yaml (generated by skyspec):\n"
                f"#   helm template {self.name} . -f values-{env}.yaml\n" + dump(self.env_values[env]))
        for fname, built in templates.items():
            lines: list[str] = []
            for oid, node in built:
                lines += ["---"] + self.wrap(guards.get(oid), self.map_lines(node, ""), "")
            out[f"{root}/templates/{fname}"] = "\n".join(self.wrap(guards.get(fname), lines, "")) + "\n"
        return out

    # ------------------------------------------------------------------ schema
    def schema(self) -> dict:
        tree: dict = {}
        for loc in self.locs.values():
            if loc.used:
                if loc.keep_parent:
                    _put(tree, loc.path[:-1], {}, keep=True)
                _put(tree, loc.path, loc)
        out = self._schema_node(_ordered(tree, self.rank), self.base)
        return {"$schema": SCHEMA_DRAFT, "title": f"values of the {self.name} chart", **out}

    def _schema_node(self, node, base) -> dict:
        if isinstance(node, _Loc):
            return _leaf_schema(node)
        base = base if type(base) is dict else {}
        props = {k: self._schema_node(v, base.get(k)) for k, v in node.items()}
        required = [k for k, v in node.items() if k in base and not (isinstance(v, _Loc) and v.nullable)]
        out: dict = {"type": "object", "properties": props, "additionalProperties": False}
        if required:
            out["required"] = required
        return out


def _agrees(vectors: list) -> bool:
    """Whether, in each environment, every occurrence has the same value (or all lack it)."""
    per: dict[str, Any] = {}
    for _, vec, _ in vectors:
        for e, v in vec.items():
            if e in per:
                w = per[e]
                if not (v is w or (v is not _ABSENT and w is not _ABSENT and _same(v, w))):
                    return False
            per.setdefault(e, v)
    return True


_KEYS: dict[str, str] = {}   # rendered mapping keys

_HELPERS = """\
{{/* An image reference from {repository, tag, digest}: repository[:tag][@digest]. */}}
{{- define "CHART.image" -}}
{{- .repository -}}
{{- with index . "tag" }}:{{ . }}{{ end -}}
{{- with index . "digest" }}@{{ . }}{{ end -}}
{{- end -}}
"""


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
            ids = _idents(v)
            for i, x in enumerate(v):
                if type(x) in (dict, list):
                    stack.append((kpath + (((ids[i],),) if ids is not None else (i,)), x))


def _put(tree: dict, path: tuple, value: Any, keep: bool = False) -> None:
    """Set ``path`` in a tree of maps (with ``keep``, only if it is not there yet)."""
    node = tree
    for seg in path[:-1]:
        node = node.setdefault(seg, {})
    if not keep or path[-1] not in node:
        node[path[-1]] = value


def _ordered(tree: Any, rank: dict | None = None, at: tuple = ()) -> Any:
    """Keys in a readable order: _FIRST_KEYS first; under apps/objects, file order."""
    if type(tree) is not dict:
        return tree
    if at in (("apps",), ("objects",)) and rank:
        keys = sorted(tree, key=lambda k: rank.get(at + (k,), len(rank)))
    else:
        first = [k for k in _FIRST_KEYS if k in tree]
        keys = first + [k for k in tree if k not in first]
    return {k: _ordered(tree[k], rank, at + (k,)) for k in keys}


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
            out[k] = _most_common(vs)
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
        elif not _same(v, base[k]):
            out[k] = v
    return out


def _lit_lines(v: Any, ind: str) -> list[str]:
    text = dump(v)[:-1]
    return [_escape(ind + line) if line else "" for line in text.split("\n")]


def _lit_scalar(v: Any) -> str:
    if type(v) in (dict, list):
        return _escape(json.dumps(v) if v else dump(v)[:-1])
    if _keep_block(v):
        return _escape(json.dumps(v))
    return _escape(dump(v)[:-1])


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if type(v) is bool:
        return "boolean"
    if type(v) is int:
        return "integer"
    if type(v) is float:
        return "number"
    if type(v) is str:
        return "string"
    if type(v) is list:
        return "array"
    return "object"


def _derive(vs: list) -> dict:
    """A schema accepting exactly the shapes of the given values."""
    groups: dict[str, list] = {}
    for v in vs:
        groups.setdefault(_json_type(v), []).append(v)
    parts = []
    scalars = [t for t in groups if t not in ("object", "array")]
    if scalars:
        parts.append({"type": scalars[0] if len(scalars) == 1 else scalars})
    if "object" in groups:
        ds = groups["object"]
        keys = _merge_keys(ds)
        parts.append({"type": "object", "properties": {k: _derive([d[k] for d in ds if k in d]) for k in keys},
                      "additionalProperties": False})
    if "array" in groups:
        items = [x for lst in groups["array"] for x in lst]
        parts.append({"type": "array", "items": _derive(items)} if items else {"type": "array"})
    return parts[0] if len(parts) == 1 else {"anyOf": parts}


def _fits(schema: dict, v: Any) -> bool:
    """Whether ``v`` satisfies one of our declared schemas (the few keywords they use)."""
    t = schema.get("type")
    if t is not None and _json_type(v) != t and not (t == "number" and _json_type(v) == "integer"):
        return False
    if "minimum" in schema and v < schema["minimum"]:
        return False
    if "minLength" in schema and len(v) < schema["minLength"]:
        return False
    if "minItems" in schema and len(v) < schema["minItems"]:
        return False
    if "pattern" in schema and re.search(schema["pattern"], v) is None:
        return False
    if t == "object":
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        if any(k not in v for k in schema.get("required", ())):
            return False
        for k, x in v.items():
            sub = props.get(k, extra)
            if sub is False or (isinstance(sub, dict) and not _fits(sub, x)):
                return False
    if t == "array" and "items" in schema:
        return all(_fits(schema["items"], x) for x in v)
    return True


def _leaf_schema(loc: _Loc) -> dict:
    vs = list(loc.vals.values())
    if loc.schema == "hosts":
        n = len(vs[0])
        declared: dict | None = {"type": "array", "items": _STRING, "minItems": n}
    else:
        declared = _SCHEMAS.get(loc.schema or "")
    if declared is not None:
        nonnull = [v for v in vs if v is not None]
        if all(_fits(declared, v) for v in nonnull):
            if len(nonnull) < len(vs):
                return {"anyOf": [declared, {"type": "null"}]}
            return declared
    return _derive(vs)
