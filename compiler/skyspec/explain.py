"""Provenance queries: where a value came from.

- A spec value, `api.replicas` (or `App/api.env.LOG_LEVEL`, `api.labels["app.kubernetes.io/x"]`):
  its final value and its history through the layers (layer, file:line:col, operation, the
  value it replaced), read from the :class:`~skyspec.layers.merge.Prov` tree.
- A generated manifest field, `Deployment/api:spec.replicas`: the spec values it was
  lowered from (each with its history), or the pass that set it, or "generated" for the
  structure skyspec always writes (apiVersion, selectors, standard labels). :func:`trace`
  maps manifest paths to spec paths with one table per object kind; a test walks every
  field of every example manifest through it, so the table cannot fall behind the backend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .ir.model import IR, Workload
from .layers.merge import MISSING, Prov
from .layers.stack import Spec

_SEG = re.compile(r'\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|\.?([^.\[\]]+)')


def parse_path(text: str) -> tuple:
    """`env.LOG_LEVEL` -> ("env", "LOG_LEVEL"); `containers[0]` -> ("containers", 0);
    `labels["app.kubernetes.io/name"]` -> ("labels", "app.kubernetes.io/name")."""
    out: list = []
    pos = 0
    while pos < len(text):
        m = _SEG.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot parse path {text!r} at {pos + 1}")
        if m.group(1) is not None:
            out.append(m.group(1).replace('\\"', '"'))
        elif m.group(2) is not None:
            out.append(int(m.group(2)))
        else:
            out.append(m.group(3))
        pos = m.end()
    return tuple(out)


def show_path(path: tuple) -> str:
    s = ""
    for p in path:
        if isinstance(p, int):
            s += f"[{p}]"
        elif re.fullmatch(r"[A-Za-z0-9_-]+", p):
            s += f".{p}" if s else p
        else:
            s += f'["{p}"]'
    return s


@dataclass
class Step:
    layer: str
    file: str | None
    line: int | None
    column: int | None
    op: str
    replaced: Any = MISSING
    section: str = ""

    def as_dict(self) -> dict:
        d = {"layer": self.layer, "op": self.op, "file": self.file, "line": self.line, "column": self.column}
        if self.replaced is not MISSING:
            d["replaced"] = _summary(self.replaced)
        if self.section:
            d["section"] = self.section
        return d


@dataclass
class Answer:
    query: str
    env: str
    value: Any = MISSING
    chain: list[Step] = field(default_factory=list)
    sources: list["Answer"] = field(default_factory=list)   # manifest field: the spec values behind it
    set_by: str | None = None                                # a pass name, or "generated"
    note: str = ""
    deleted: bool = False

    def as_dict(self) -> dict:
        d: dict = {"query": self.query, "env": self.env}
        if self.value is not MISSING:
            d["value"] = self.value
        if self.deleted:
            d["deleted"] = True
        if self.chain:
            d["chain"] = [s.as_dict() for s in self.chain]
        if self.sources:
            d["sources"] = [s.as_dict() for s in self.sources]
        if self.set_by:
            d["set_by"] = self.set_by
        if self.note:
            d["note"] = self.note
        return d


def _summary(v: Any) -> Any:
    if isinstance(v, dict) and len(v) > 6:
        return {"<map of>": len(v)}
    if isinstance(v, list) and len(v) > 8:
        return {"<list of>": len(v)}
    return v


def _get(data: Any, path: tuple) -> Any:
    for p in path:
        if isinstance(data, dict) and p in data:
            data = data[p]
        elif isinstance(data, list) and isinstance(p, int) and -len(data) <= p < len(data):
            data = data[p]
        else:
            return MISSING
    return data


def explain_spec(spec: Spec, path: tuple, env: str, secret: bool = False) -> Answer:
    """The history of one spec value. Secret values are never shown."""
    ans = Answer(f"{spec.name}.{show_path(path)}" if path else spec.name, env)
    node: Prov | None = spec.prov.find(path)
    value = _get(spec.data, path)
    if node is None:
        return ans
    hide = secret or spec.kind == "Secret" and path[:1] == ("data",)
    ans.value = "<redacted>" if hide and value is not MISSING else value
    ans.deleted = value is MISSING
    for e in node.hist:
        p = e.pos
        ans.chain.append(Step(e.layer, p.file if p else None, p.line if p else None, p.col if p else None, e.op,
                              "<redacted>" if hide and e.replaced is not MISSING else e.replaced, e.note))
    return ans


# ---------------------------------------------------------------------- manifest fields

GENERATED = "generated"
WORKLOAD_OBJECTS = {"Deployment", "StatefulSet", "Job", "CronJob", "Service", "Ingress", "HorizontalPodAutoscaler",
                    "PodDisruptionBudget", "ServiceMonitor"}
SPEC_KIND = {"ConfigMap": "ConfigMap", "ExternalSecret": "Secret", "ServiceAccount": "ServiceAccount",
             "Role": "Role", "RoleBinding": "Role", "ClusterRole": "ClusterRole", "ClusterRoleBinding": "ClusterRole",
             "NetworkPolicy": "NetworkPolicy"}
_JOB = {"completions": "completions", "parallelism": "parallelism", "backoffLimit": "backoff_limit",
        "activeDeadlineSeconds": "active_deadline", "ttlSecondsAfterFinished": "ttl"}
_CRON = {"schedule": ("schedule",), "timeZone": ("time_zone",), "concurrencyPolicy": ("concurrency",),
         "successfulJobsHistoryLimit": ("history", "successful"), "failedJobsHistoryLimit": ("history", "failed"),
         "suspend": ("suspend",), "startingDeadlineSeconds": ("starting_deadline",)}
_PROBES = {"livenessProbe": "liveness", "readinessProbe": "readiness", "startupProbe": "startup"}
_STD = ("app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by")
_POD_SPEC_PREFIXES = (("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec"))
_POD_META_PREFIXES = (("spec", "template", "metadata"), ("spec", "jobTemplate", "spec", "template", "metadata"),
                      ("spec", "jobTemplate", "metadata"))


@dataclass
class Trace:
    spec: Spec | None = None
    paths: list[tuple] = field(default_factory=list)
    set_by: str | None = None     # pass name or GENERATED


def trace(ir: IR, obj: dict, path: tuple, specs: dict[str, Spec]) -> Trace | None:
    """Which spec values (or which pass) produced ``obj`` at ``path``; None when unknown."""
    kind = obj.get("kind")
    name = (obj.get("metadata") or {}).get("name")
    owner = ((obj.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/name", name)
    w = ir.workload(owner) if kind in WORKLOAD_OBJECTS else None
    if w is not None:
        spec = w.spec
    elif kind == "Namespace":
        spec = next((s for s in specs.values() if s.kind == "SecurityPolicy"), None)
    elif kind == "Resource" or f"Resource/{name}" in specs and kind not in SPEC_KIND:
        spec = specs.get(f"Resource/{name}")
    else:
        spec = specs.get(f"{SPEC_KIND.get(kind, kind)}/{name}")
    if spec is None:
        if kind == "NetworkPolicy":
            return Trace(None, [], "harden")
        if kind == "ResourceQuota":
            return Trace(None, [], "quota")
    if path[:1] in (("apiVersion",), ("kind",)) or path in (("metadata", "name"), ("metadata", "namespace")):
        return Trace(spec, [], GENERATED)
    if spec is not None and kind in (spec.data.get("k8s") or {}):  # the escape hatch wins
        if _get(spec.data["k8s"][kind], path) is not MISSING:
            return Trace(spec, [("k8s", kind, *path)])
    meta = _metadata(spec, path, obj)
    if meta is not None:
        return meta
    if w is not None:
        return _workload(ir, w, obj, path)
    if spec is None:
        return None
    return _other(spec, kind, path, obj)


def _metadata(spec: Spec | None, path: tuple, obj: dict) -> Trace | None:
    for prefix in ((("metadata",),) + _POD_META_PREFIXES):
        n = len(prefix)
        if path[:n] != prefix or len(path) < n + 2:
            continue
        section, key = path[n], path[n + 1]
        if section == "labels":
            if key in _STD or key.startswith("skyspec.dev/"):
                return Trace(spec, [], GENERATED) if key in _STD or spec is None or \
                    key not in (spec.data.get("labels") or {}) else Trace(spec, [("labels", key)])
            if spec is not None and key in (spec.data.get("labels") or {}):
                return Trace(spec, [("labels", key)])
            if key in ("pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/audit",
                       "pod-security.kubernetes.io/warn"):
                return Trace(spec, [("level",)])
            return Trace(spec, [], GENERATED) if obj.get("kind") == "Namespace" else None
        if section == "annotations":
            if spec is not None and key in (spec.data.get("annotations") or {}):
                return Trace(spec, [("annotations", key)])
            if key.startswith("checksum.skyspec.dev/"):
                return Trace(spec, [], "rollout")
            if key.startswith("prometheus.io/"):
                return Trace(spec, [], "observability")
            return None
    return None


def _container_prefix(w: Workload, cname: str, init: bool) -> tuple:
    if init:
        return ("init", cname)
    return () if cname == w.name else ("sidecars", cname)


def _workload(ir: IR, w: Workload, obj: dict, path: tuple) -> Trace | None:
    spec, kind = w.spec, obj["kind"]
    t = lambda *paths: Trace(spec, [tuple(p) for p in paths])  # noqa: E731
    if kind in ("Deployment", "StatefulSet", "Job", "CronJob"):
        if path == ("spec", "replicas"):
            if w.strategy.type == "canary":
                return t(("replicas",), ("strategy", "canary", "percent"))
            if w.strategy.type == "blue-green" and obj["metadata"]["name"] != f"{w.name}-{w.strategy.active}":
                return t(("replicas",), ("strategy", "blue-green"))
            return t(("replicas",)) if "replicas" in spec.data else Trace(spec, [], "apply_defaults")
        if path[:2] == ("spec", "selector") or path == ("spec", "serviceName"):
            return Trace(spec, [], GENERATED)
        if path[:2] == ("spec", "strategy"):
            return t(("strategy",))
        if path[:2] == ("spec", "updateStrategy"):
            return t(("strategy",))
        if path == ("spec", "podManagementPolicy"):
            return t(("pod_management",))
        if path[:2] == ("spec", "volumeClaimTemplates"):
            claim = obj["spec"]["volumeClaimTemplates"][path[2]]["metadata"]["name"]
            rest = path[3:]
            base = ("storage", claim) if isinstance(spec.data.get("storage"), dict) else ("storage",)
            if rest[-1:] == ("storage",):
                return t(base + (("size",) if isinstance(_get(spec.data, base), dict) else ()))
            if rest[-1:] == ("storageClassName",):
                return t(base + ("class",))
            if rest[:1] == ("spec",) and "accessModes" in rest:
                return t(base + ("access",)) if isinstance(_get(spec.data, base), dict) and "access" in _get(spec.data, base) \
                    else Trace(spec, [], GENERATED)
            return Trace(spec, [], GENERATED)
        if kind in ("Job", "CronJob"):
            jpath = path[2:] if kind == "CronJob" and path[:2] == ("spec", "jobTemplate") else path
            if jpath[:1] == ("spec",) and len(jpath) == 2 and jpath[1] in _JOB:
                return t((_JOB[jpath[1]],))
            if kind == "CronJob" and path[:1] == ("spec",) and len(path) == 2 and path[1] in _CRON:
                return t(_CRON[path[1]])
        for prefix in _POD_SPEC_PREFIXES:
            if path[:len(prefix)] == prefix:
                return _pod(ir, w, obj, path, prefix)
        return None
    if kind == "Service":
        if path[:2] == ("spec", "selector") or path == ("spec", "clusterIP") or path == ("spec", "publishNotReadyAddresses"):
            return Trace(spec, [], GENERATED)
        if path == ("spec", "type"):
            return t(("expose", "type"))
        if path[:2] == ("spec", "ports"):
            return _port(spec, obj["spec"]["ports"][path[2]]["name"], path[3:])
    if kind == "Ingress":
        if path == ("spec", "ingressClassName"):
            return t(("expose", "class"))
        if path[:2] == ("spec", "tls"):
            return t(("expose", "tls"), ("expose", "host"))
        if path[:2] == ("spec", "rules"):
            if path[-1:] == ("host",):
                return t(("expose", "host"))
            if path[-1:] == ("path",):
                return t(("expose", "path")) if "path" in (spec.data.get("expose") or {}) else Trace(spec, [], GENERATED)
            if "port" in path:
                if isinstance(spec.data.get("expose"), dict) and "port" in spec.data["expose"]:
                    return t(("expose", "port"))
                return t(("ports",)) if "ports" in spec.data else t(("port",))
            return Trace(spec, [], GENERATED)
    if kind == "HorizontalPodAutoscaler":
        if path == ("spec", "minReplicas"):
            return t(("autoscale", "min")) if "min" in spec.data["autoscale"] else t(("replicas",))
        if path == ("spec", "maxReplicas"):
            return t(("autoscale", "max"))
        if path[-1:] == ("averageUtilization",):
            res = obj["spec"]["metrics"][path[3]]["resource"]["name"]
            return t(("autoscale", res))
        return Trace(spec, [], GENERATED)
    if kind == "PodDisruptionBudget":
        return Trace(spec, [], "availability")
    if kind == "ServiceMonitor":
        return Trace(spec, [], "observability")
    return None


def _port(spec: Spec, pname: str, rest: tuple) -> Trace:
    if rest in (("targetPort",), ("protocol",), ("name",)) and rest != ("protocol",):
        return Trace(spec, [], GENERATED)
    ports = spec.data.get("ports") or {}
    if pname in ports:
        p = ("ports", pname)
        if rest == ("protocol",):
            return Trace(spec, [p + ("protocol",)]) if isinstance(ports[pname], dict) and "protocol" in ports[pname] \
                else Trace(spec, [], GENERATED)
        return Trace(spec, [p + (("port",) if isinstance(ports[pname], dict) else ())])
    if rest == ("protocol",):
        return Trace(spec, [], GENERATED)
    return Trace(spec, [("port",)])


def _pod(ir: IR, w: Workload, obj: dict, path: tuple, prefix: tuple) -> Trace | None:
    spec = w.spec
    rest = path[len(prefix):]
    podspec = _get(obj, prefix)
    t = lambda *paths: Trace(spec, [tuple(p) for p in paths])  # noqa: E731
    head = rest[0] if rest else None
    if head in ("securityContext", "automountServiceAccountToken"):
        relax = [("security", k) for k in (spec.data.get("security") or {})]
        return Trace(spec, relax, "harden") if not relax else Trace(spec, relax, "harden")
    if head == "restartPolicy":
        return t(("restart",)) if "restart" in spec.data else Trace(spec, [], GENERATED)
    simple = {"nodeSelector": ("node_selector",), "tolerations": ("tolerations",), "affinity": ("affinity",),
              "priorityClassName": ("priority_class",), "imagePullSecrets": ("image_pull_secrets",),
              "serviceAccountName": ("service_account",), "terminationGracePeriodSeconds": ("lifecycle", "termination_grace")}
    if head in simple:
        return t(simple[head])
    if head == "topologySpreadConstraints":
        return t(("spread",)) if "spread" in spec.data else Trace(spec, [], "availability")
    if head == "volumes":
        vname = podspec["volumes"][rest[1]]["name"]
        return _volume(spec, vname)
    if head in ("containers", "initContainers"):
        c = podspec[head][rest[1]]
        cprefix = _container_prefix(w, c["name"], head == "initContainers")
        return _container(w, spec, c, cprefix, rest[2:], head == "initContainers")
    return None


def _volume(spec: Spec, vname: str) -> Trace:
    if vname in (spec.data.get("volumes") or {}):
        return Trace(spec, [("volumes", vname)])
    if vname == "tmp":
        return Trace(spec, [], "harden")
    if vname.startswith("secret-"):
        refs = [("secrets", k) for k, v in (spec.data.get("secrets") or {}).items() if v.get("secret") == vname[7:]]
        return Trace(spec, refs)
    st = spec.data.get("storage")
    if st is not None:
        return Trace(spec, [("storage", vname)] if isinstance(st, dict) else [("storage",)])
    return Trace(spec, [], GENERATED)


def _container(w: Workload, spec: Spec, c: dict, cp: tuple, rest: tuple, init: bool) -> Trace | None:
    t = lambda *paths: Trace(spec, [cp + tuple(p) for p in paths])  # noqa: E731
    head = rest[0] if rest else None
    if head == "name":
        return t(()) if cp else Trace(spec, [], GENERATED)
    if head in ("image",):
        if w.strategy.type == "canary" and c["image"] == w.strategy.canary_image:
            return Trace(spec, [("strategy", "canary", "image")])
        if w.strategy.type == "blue-green" and c["image"] == w.strategy.preview_image and not cp:
            return Trace(spec, [("strategy", "blue-green", "preview_image")])
        return t(("image",))
    if head in ("command", "args", "lifecycle"):
        return t((head,))
    if head == "imagePullPolicy" or head == "securityContext":
        return Trace(spec, [("security", k) for k in (spec.data.get("security") or {})], "harden")
    if head == "envFrom":
        return t(("env_from", rest[1]))
    if head == "ports":
        return _port_c(spec, cp, c["ports"][rest[1]]["name"], rest[2:])
    if head == "env":
        name = c["env"][rest[1]]["name"]
        ir_c = next((x for x in (w.init_containers if init else w.containers) if x.name == c["name"]), None)
        ev = next((e for e in (ir_c.env if ir_c else []) if e.name == name), None)
        if ev is None or ev.origin is None:
            return None
        if ev.origin[:1] == ("observability",):
            return Trace(spec, [], "observability")
        return Trace(spec, [ev.origin])
    if head == "resources":
        section, res = rest[1], rest[2]
        field = res if section == "requests" else f"{res}_limit"
        r = _get(spec.data, cp + ("resources",))
        if isinstance(r, dict) and field in r:
            return t(("resources", field))
        return Trace(spec, [], "size")
    if head in _PROBES:
        h = _get(spec.data, cp + ("health",))
        which = _PROBES[head]
        if isinstance(h, dict) and which in h:
            return t(("health", which))
        return t(("health",))
    if head == "volumeMounts":
        vname = c["volumeMounts"][rest[1]]["name"]
        if cp and vname in (_get(spec.data, cp + ("mounts",)) or {}):  # a sidecar's own `mounts:`
            return t(("mounts", vname))
        return _volume(spec, vname)
    return None


def _port_c(spec: Spec, cp: tuple, pname: str, rest: tuple) -> Trace:
    if rest in (("name",),):
        return Trace(spec, [], GENERATED)
    ports = _get(spec.data, cp + ("ports",))
    ports = ports if isinstance(ports, dict) else {}
    if pname in ports:
        p = cp + ("ports", pname)
        if rest == ("protocol",):
            return Trace(spec, [p + ("protocol",)]) if isinstance(ports[pname], dict) and "protocol" in ports[pname] \
                else Trace(spec, [], GENERATED)
        return Trace(spec, [p + (("port",) if isinstance(ports[pname], dict) else ())])
    if rest == ("protocol",):
        return Trace(spec, [], GENERATED)
    return Trace(spec, [cp + ("port",)])


def _other(spec: Spec, kind: str, path: tuple, obj: dict) -> Trace | None:
    t = lambda *paths: Trace(spec, [tuple(p) for p in paths])  # noqa: E731
    if kind == "ConfigMap" and path[:1] == ("data",):
        key = path[1]
        for section in ("data", "files", "json", "yaml"):
            if key in (spec.data.get(section) or {}):
                return t((section, key))
        return None
    if kind == "ExternalSecret":
        if "secretStoreRef" in path:
            return t(("external", "store" if path[-1] == "name" else "store_kind")) if path[-1] == "name" or \
                "store_kind" in spec.data["external"] else Trace(spec, [], GENERATED)
        if path[-1:] == ("refreshInterval",):
            return t(("external", "refresh"))
        if path[:2] == ("spec", "data"):
            key = obj["spec"]["data"][path[2]]["secretKey"]
            return t(("external", "data", key))
        if path[:2] == ("spec", "target"):
            return t(("type",)) if "template" in path else Trace(spec, [], GENERATED)
    if kind == "ServiceAccount" and path == ("automountServiceAccountToken",):
        return t(("automount_token",))
    if kind in ("Role", "ClusterRole") and path[:1] == ("rules",):
        return t(("rules", path[1]))
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        return t(("bind",)) if path[:1] == ("subjects",) else Trace(spec, [], GENERATED)
    if kind == "NetworkPolicy":
        if spec.kind != "NetworkPolicy":
            return Trace(spec, [], "harden")
        for key, sp in (("podSelector", ("select",)), ("policyTypes", ("deny_all",)), ("from", ("allow_from",)),
                        ("to", ("allow_to",)), ("ports", ("ports",))):
            if key in path:
                return t(sp)
        return None
    if kind == "Namespace":
        return Trace(spec, [("level",)])
    if spec.kind == "Resource":
        return t(("manifest",) + path)
    return None


# ---------------------------------------------------------------------- queries

class QueryError(ValueError):
    pass


def spec_index(specs: list[Spec]) -> dict[str, Spec]:
    out: dict[str, Spec] = {}
    for s in specs:
        out[f"{s.kind}/{s.name}"] = s
    for s in specs:
        if s.is_workload or s.name not in out:
            out.setdefault(s.name, s)
    return out


def answer(compiled, query: str) -> Answer:
    """`api.replicas`, `Secret/db.keys`, or `Deployment/api:spec.replicas`."""
    from .backends import kubernetes

    env = compiled.key
    index = spec_index(compiled.specs)
    head, sep, field_text = query.partition(":")
    if sep and "/" in head:
        kind, _, name = head.partition("/")
        path = parse_path(field_text)
        objs = [o for o in kubernetes.objects(compiled.ir) if o["kind"] == kind and o["metadata"]["name"] == name]
        if not objs:
            have = sorted({f"{o['kind']}/{o['metadata']['name']}" for o in kubernetes.objects(compiled.ir)})
            from .diagnostics import did_you_mean

            raise QueryError(f"no object {head} in {env}" + (f" ({did_you_mean(head, have)})" if did_you_mean(head, have) else ""))
        obj = objs[0]
        value = _get(obj, path)
        if value is MISSING:
            raise QueryError(f"{head} has no field {field_text}")
        tr = trace(compiled.ir, obj, path, index)
        ans = Answer(query, env, value)
        if tr is None:
            ans.note = "not traced to a spec value"
            return ans
        ans.set_by = tr.set_by
        if tr.set_by and tr.set_by != GENERATED:
            ans.note = f"set by the {tr.set_by} pass" + (" (relaxed by the spec's security: fields)" if tr.paths else "")
        elif tr.set_by == GENERATED:
            ans.note = "written by skyspec for every object of this kind"
        for p in tr.paths:
            ans.sources.append(explain_spec(tr.spec, p, env, secret=tr.spec.kind == "Secret"))
        return ans
    path = parse_path(query)
    if not path:
        raise QueryError("empty query")
    first = path[0]
    rest = path[1:]
    if isinstance(first, str) and "/" not in first and len(path) > 1 and f"{first}/{path[1]}" in index:
        first, rest = f"{first}/{path[1]}", path[2:]  # `App/api.replicas` splits at the dot
    spec = index.get(first) if isinstance(first, str) else None
    if spec is None:
        from .diagnostics import did_you_mean

        hint = did_you_mean(str(first), [s.name for s in compiled.specs])
        raise QueryError(f'no spec named "{first}" in {env}' + (f" ({hint})" if hint else ""))
    ans = explain_spec(spec, rest, env)
    if ans.value is MISSING and not ans.chain:
        node = spec.prov.nearest(rest)
        parent = _get(spec.data, rest[:-1])
        from .diagnostics import did_you_mean

        hint = did_you_mean(str(rest[-1]), list(parent)) if isinstance(parent, dict) and rest else None
        raise QueryError(f"{spec.name} has no value at {show_path(rest)}" + (f" ({hint})" if hint else "")
                         + ("" if node is None else ""))
    return ans


def render_text(ans: Answer) -> str:
    lines = []
    value = ans.value
    shown = "<deleted>" if ans.deleted else _fmt(value)
    lines.append(f"{ans.query} = {shown}   [{ans.env}]")
    if ans.note:
        lines.append(f"  {ans.note}")
    lines.extend(_chain_lines(ans, "  "))
    for src in ans.sources:
        lines.append(f"  from {src.query} = {'<deleted>' if src.deleted else _fmt(src.value)}")
        lines.extend(_chain_lines(src, "    "))
    return "\n".join(lines) + "\n"


def _chain_lines(ans: Answer, ind: str) -> list[str]:
    out = []
    width = max((len(s.layer) for s in ans.chain), default=0)
    for i, s in enumerate(ans.chain, 1):
        where = f"{s.file}:{s.line}:{s.column}" if s.file else "(no position)"
        what = s.op
        if s.replaced is not MISSING:
            what += f", replaced {_fmt(_summary(s.replaced))}"
        sect = f" [{s.section}]" if s.section else ""
        out.append(f"{ind}{i}. {s.layer.ljust(width)}  {where}  {what}{sect}")
    return out


def _fmt(v: Any) -> str:
    import json

    if v is MISSING:
        return "<unset>"
    try:
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    except TypeError:
        return repr(v)
