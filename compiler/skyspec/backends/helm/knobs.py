"""The knobs of the Helm chart's values API: the places of an object that are values even when
every environment agrees, in the terms of the specs -- a container's `image` (repository, tag,
digest, and the digests pinned per tag), `resources` and `env` (a map: the template renders
the chart's vars, then any a user adds), the label and annotation maps (meta.py), an Ingress's
`tls`, an HPA's targets. A mixin of :class:`templates.Builder`; like it, it registers values
and returns template nodes, and must not print template text.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .compare import idents, merge_orders
from .gotext import unprintable
from .marks import NAMESPACE, Name, is_mark
from .meta import COMMON, std_name, within
from .nodes import Lit, Map, Raw, Ref, Seq, Tpl, lit
from .release import MANAGED_BY, NAME_LABEL, PART_OF


def split_image(image: str) -> dict:
    """{repository, tag, digest, pinnedDigests}: the digest an image is pinned with is
    recorded for its tag, so that another tag deploys that tag."""
    rest, at, digest = image.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    repo, tag = rest, ""
    if colon > slash:
        repo, tag = rest[:colon], rest[colon + 1:]
    joined = repo + (":" + tag if tag else "") + ("@" + digest if digest else "")
    if not repo or joined != image or at != ("@" if digest else ""):
        return {"repository": image, "tag": "", "digest": ""}
    out: dict = {"repository": repo, "tag": tag, "digest": ""}
    if digest:
        out["pinnedDigests"] = {tag: digest}
    return out


_METRIC_KEYS = {"cpu": "targetCPUUtilizationPercentage", "memory": "targetMemoryUtilizationPercentage"}


def _metrics(ms: Any) -> dict | None:
    """{cpu|memory: percent} of HPA metrics that are resource utilization targets only."""
    if type(ms) is not list:
        return None
    out: dict = {}
    for m in ms:
        r = m.get("resource") if type(m) is dict else None
        t = r.get("target") if type(r) is dict else None
        if not (type(m) is dict and set(m) == {"type", "resource"} and m["type"] == "Resource"
                and type(r) is dict and set(r) == {"name", "target"} and r["name"] in _METRIC_KEYS
                and r["name"] not in out and type(t) is dict and set(t) == {"type", "averageUtilization"}
                and t["type"] == "Utilization" and type(t["averageUtilization"]) is int):
            return None
        out[r["name"]] = t["averageUtilization"]
    return out if list(out) == [k for k in _METRIC_KEYS if k in out] else None


_STANDARD = (NAME_LABEL, PART_OF, MANAGED_BY)
_STR = frozenset((str,))


def _carries(carried: dict, rest: dict, envs: list) -> bool:
    """Whether every environment's map in ``rest`` holds its carried map (env -> map)."""
    for e in envs:
        m = carried.get(e)
        if m is None or not within(m, rest[e]):
            return False
    return True


def _drop(rest: dict, carried: dict, envs: list) -> None:
    """Take the keys of the carried maps (env -> map) out of ``rest`` (env -> a map of its own)."""
    for e in envs:
        if carried[e]:
            rest[e] = {k: v for k, v in rest[e].items() if k not in carried[e]}


class Knobs:
    """Knob builders (see the module docstring); ``self`` is a templates.Builder."""

    @staticmethod
    def plain_env(item: Any) -> bool:
        return type(item) is dict and len(item) == 2 and "name" in item and type(item.get("value")) is str

    # ------------------------------------------------------------------ containers
    def _container_image(self, vals, present, c, cc):
        if len(present) != len(c.envs) or any(type(vals[e]["image"]) is not str for e in c.envs):
            return None
        got = self.strategy_image(c, vals)    # a color's or a canary's Deployment (strategy.py)
        if got is not None:
            return got
        r = self.ref(c.places(("image",)), {e: split_image(vals[e]["image"]) for e in c.envs}, c.envs,
                     "image", form="image")
        return r, None

    def _container_resources(self, vals, present, c, cc):
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

    def _container_env(self, vals, present, c, cc):
        """`env`: each plain var a value of the container's env map (behind `hasKey`, so that
        null removes it), the others as they are, then the vars a user adds to the map."""
        envs = c.envs
        lists = {}
        ids = {}
        for e in envs:
            v = vals[e].get("env", [])
            if type(v) is not list or ("env" in vals[e] and not v):
                return None
            i = idents(v)
            if i is None:
                return None
            lists[e] = v
            ids[e] = i
        order = merge_orders(list(ids.values()))
        if order is None:
            return None
        path = c.places(("env",))[0]
        self.env_maps.setdefault(path, set())
        self.values.open[path] = "scalar"
        got = self.aligned(lists, replace(cc, role="env"), ids, order=order)
        conds = [cond for _, cond in got.items[:-1]]
        if conds and any(cd is None for cd in conds):
            return got, None
        # a var read from the map is there when the map is not empty
        rest = tuple(cd for cd in conds if not (cd[0] == "haskey" and cd[1][:-1] == path))
        return got, ("or", tuple(dict.fromkeys(rest)) + (("nonempty", path),))

    def env_item(self, name: str, ivals: dict, c) -> tuple:
        r = self.ref(c.places(("env", name)), {e: v["value"] for e, v in ivals.items()}, c.envs, "scalar",
                     form="env", keep_parent=True)
        self.env_maps.setdefault(c.places(("env",))[0], set()).add(name)
        return Map([("name", Lit(name), None), ("value", r, None)]), ("haskey", r.path)

    def env_extras(self, c) -> tuple:
        """The vars a user adds to the env map (in name order, after the chart's)."""
        path = c.places(("env",))[0]
        return Raw([["{{- range $k, $v := ", ("expr", path), " }}{{- if not (has $k ", ("known", path), ") }}"],
                    ["- name: {{ $k | toJson }}"],
                    ["  value: {{ ", ("envvalue", "$k", "$v"), ("json",), " }}"],
                    ["{{- end }}{{- end }}"]]), None

    # ------------------------------------------------------------------ labels and annotations
    def metadata_map(self, field: str, vals: dict, present: list, c, cc):
        """An object's labels (annotations): Helm's standard labels and the values' maps it
        carries in every environment (commonLabels, its app's labels), merged with its own."""
        o, envs = c.obj, c.envs
        maps = {}
        marked = False
        for e in envs:
            m = vals[e].get(field, {})
            if type(m) is not dict:
                return None
            if not _STR.issuperset(map(type, m.values())):   # (strings only: the common case)
                for v in m.values():
                    if type(v) is not str:
                        if not is_mark(v):
                            return None
                        marked = True
            maps[e] = m
        top = c.kpath == ("metadata",)
        trio = std_name(vals[envs[0]].get("labels"), self.project)   # the same in every environment, or None
        for e in envs[1:]:
            if trio is not None and std_name(vals[e].get("labels"), self.project) != trio:
                trio = None
        std = trio if field == "labels" else None
        if not top and trio is None:
            return None
        if marked:
            return None
        # a new map per environment (changed below as the carried maps take their keys)
        if std is not None:   # user_part: each map has the three standard labels
            rest = {e: {k: v for k, v in maps[e].items() if k not in _STANDARD} for e in envs}
        else:
            rest = {e: dict(maps[e]) for e in envs}
        args: list = []
        common = self.meta.common[field]
        carrier = self.carriers.setdefault(c.kpath[:-1] + (c.obj.oid,), {})   # the maps its labels carry
        if field == "annotations" and not carrier.get("common", True):
            common = None
        if common is not None and _carries(common, rest, envs):
            args.append(self._carried_ref(COMMON[field], common, envs))
            self.values.open[COMMON[field]] = "scalar"
            _drop(rest, common, envs)
        elif field == "labels":
            carrier["common"] = False
        app = self.meta.app.get(o.home, {}).get(field, {})
        if field == "annotations" and not carrier.get("app", True):
            app = {}
        if o.home[0] == "apps" and _carries(app, rest, envs):
            path = o.home + (field,)
            args.append(self._carried_ref(path, app, envs))
            self.values.open[path] = "scalar"
            _drop(rest, app, envs)
        elif field == "labels":
            carrier["app"] = False
        first = rest[envs[0]]
        fixed = {k: v for k, v in first.items() if all(r.get(k, None) == v for r in rest.values())} if first else {}
        own = {e: {k: v for k, v in rest[e].items() if k not in fixed} for e in envs} if fixed else rest
        if any(own.values()):
            cap = field[0].upper() + field[1:]
            main = top and o.node == o.home      # the app's map is `labels`: its main object's own
            key = ("pod" + cap,) if c.kpath[-2:] == ("template", "metadata") else \
                (o.kind[:1].lower() + o.kind[1:] + cap,) if main else (field,) if top else cc.rel
            path = self.ref(c.places(key), own, envs, "strmap").path
            self.values.open[path] = "scalar"
            args.append(path)
        parts: list = []
        if field == "labels":
            name: Any = "" if std is None else NAMESPACE if o.kind == "Namespace" and std == o.name else std
            parts += [f'include "{self.project}.labels" (list $ ', ("value", name), " (list"]
        else:
            parts += [f'include "{self.project}.merge" (list']
        for p in args:
            parts += [" ", ("arg", p)]
        if fixed:
            # (the helper writes it with toJson, which leaves DEL and the C1 controls as they are;
            # a label value cannot hold one)
            self.unprintable = self.unprintable or (field == "annotations" and unprintable(fixed))
            parts.append(" (dict")
            for k, v in fixed.items():
                parts += [" ", ("value", k), " ", ("value", v)]
            parts.append(")")
        parts.append("))" if field == "labels" else ")")
        node = Tpl(parts)
        always = field == "labels" or (fixed and len(present) == len(envs))
        return node, None if always else ("tplnonempty", node)

    def _carried_ref(self, path: tuple, maps: dict, envs: list) -> tuple:
        """The values path of ``maps`` (env -> a map of strings, the same objects at every call:
        meta.py's) at ``path``: what :meth:`ref` gives, which registers nothing new when the
        value there is already these very maps in these environments."""
        key = (path, tuple(envs))
        got = self.carried.get(key)
        if got is not None:
            loc = self.values.locs[got]
            if loc.envs.issuperset(envs):
                for e in envs:
                    if loc.vals.get(e) is not maps[e]:
                        break
                else:
                    return got
        got = self.carried[key] = self.ref((path,), {e: maps[e] for e in envs}, envs, "strmap").path
        return got

    # ------------------------------------------------------------------ Ingress, HPA
    def ingress_tls(self, vals: dict, present: list, c, cc):
        """`tls`: a flag for the Ingress's one TLS entry (its host, its certificate's Secret)."""
        o, envs = c.obj, c.envs
        hosts = self.values.hosts.get(o.oid)
        if hosts is None or self.values.locs[hosts[0]].schema != "string":
            return None
        host_vals = self.values.locs[hosts[0]].vals
        secrets = set()
        for e in present:
            t = vals[e]["tls"]
            if not (type(t) is list and len(t) == 1 and type(t[0]) is dict and set(t[0]) == {"hosts", "secretName"}
                    and t[0]["hosts"] == [host_vals.get(e)]):
                return None
            secrets.add(t[0]["secretName"])
        if len(secrets) > 1:
            return None
        secret = secrets.pop() if secrets else Name(f"{o.name}-tls")
        flag = self.ref((o.node + ("tls",),), {e: e in present for e in envs}, envs, "flag")
        entry = Map([("hosts", Seq([(Ref(hosts[0]), None)]), None), ("secretName", lit(secret), None)])
        return Seq([(entry, None)]), ("flag", flag.path)

    def hpa_metrics(self, vals: dict, present: list, c, cc):
        """`metrics`: `targetCPUUtilizationPercentage`, `targetMemoryUtilizationPercentage`."""
        o, envs = c.obj, c.envs
        if len(present) != len(envs):
            return None
        per = {e: _metrics(vals[e]["metrics"]) for e in envs}
        if any(m is None for m in per.values()):
            return None
        for res, key in _METRIC_KEYS.items():
            self.ref((o.node + (key,),), {e: m[res] for e, m in per.items() if res in m}, envs, "percent")
        return Tpl([f'include "{self.project}.hpaMetrics" ', ("arg", o.node)]), None
