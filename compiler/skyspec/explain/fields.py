"""Generated manifest fields traced back to what made them.

:func:`trace` answers, for a field of a generated Kubernetes object such as
`Deployment/api:spec.replicas`, either the spec values it was lowered from as they are
(``paths``), or the derivation that made it (``why``, a :class:`~skyspec.ir.why.Why`): the
one the lowering or a pass recorded in the IR (`size.cpu-limit` for a CPU limit), or, for
the structure the backend writes around the values (names, namespaces, standard labels,
selectors, which objects exist), the rule of :mod:`.structure`. It maps manifest paths with
one table per object kind (the pod template is :mod:`.pod`); a test walks every field of
every example manifest through it, down to lines people wrote or documented defaults, so
the tables cannot fall behind the backend. This module only maps paths: it must not read
histories (that is :mod:`.values` and :mod:`.derive`), render the manifests itself, parse
query strings, or format answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..ir import why
from ..ir.k8spatch import keys_for, merge_key
from ..ir.model import IR, Workload
from ..ir.why import Rule, Why
from ..provenance import MISSING
from ..schema.fields import RESERVED_LABELS
from ..layers.stack import Spec
from . import structure as st
from .values import value_at

GENERATED = "generated"   # kept for callers: no field is answered by it alone any more
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
_POD_SPEC_PREFIXES = (("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec"))
_POD_META_PREFIXES = (("spec", "template", "metadata"), ("spec", "jobTemplate", "spec", "template", "metadata"),
                      ("spec", "jobTemplate", "metadata"))
_PSS = ("pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/audit", "pod-security.kubernetes.io/warn")
LOWER = "skyspec.ir.lower"
KUBE = "skyspec.backends.kubernetes"

_R = Rule
CANARY_SPLIT = _R("k8s.canary-split", "the canary Deployment runs `percent` of the replicas (rounded up, at least "
                                      "one, never all), the stable one the rest")
IDLE_COLOR = _R("k8s.blue-green-idle", "the idle color runs the replicas only with a `preview_image`, else none")
PORT_KEY = _R("lower.port-name", "a port is named by its key under `ports:`; `port: N` is the port named http")
PROTOCOL = _R("lower.protocol", "a port speaks TCP unless its `protocol` says otherwise")
SERVICE_PORT = _R("k8s.service-port", "a Service port targets the container port of the same name")
CLAIM = _R("lower.storage-claim", "`storage: SIZE` is one claim named data; `storage: {name: ...}` names each")
ACCESS = _R("lower.storage-access", "a claim is ReadWriteOnce unless its `access` says otherwise")
TLS_SECRET = _R("lower.tls-secret", "`expose.tls: true` names the TLS Secret `<name>-tls`")
PATH = _R("lower.ingress-path", "an Ingress routes `expose.path`, by default every path")
PATH_TYPE = _R("k8s.path-type", "an Ingress path matches by prefix")
ROUTE = _R("k8s.ingress-backend", "the Ingress routes to the workload's Service, on `expose.port` or its first port")
HPA_MIN = _R("lower.autoscale-min", "`autoscale.min` defaults to the replicas")
HPA_TARGET = _R("k8s.autoscale-target", "the autoscaler scales the workload by the utilization `autoscale` names")
MONITOR_PATH = _R("lower.metrics-path", "the metrics are scraped at `metrics.path`, by default /metrics")
STORE_KIND = _R("lower.store-kind", "an ExternalSecret reads a SecretStore unless `external.store_kind` says otherwise")
OWNER = _R("k8s.external-secret-owner", "an ExternalSecret creates and owns the Secret of the same name")
ROLE_REF = _R("k8s.role-ref", "a binding refers to its Role, and binds the ServiceAccounts of `bind`")
GOVERNING = _R("k8s.governing-service", "a StatefulSet names its governing Service `<name>-headless`, which is made "
                                        "when the StatefulApp has ports")
PSS = _R("lower.pod-security", "a SecurityPolicy labels the namespace with its level, in its mode (default enforce)")


@dataclass
class Trace:
    spec: Spec | None = None
    paths: list[tuple] = field(default_factory=list)   # spec values lowered as they are
    set_by: str | None = None     # the stage whose rule made it (`size`, `harden`, `k8s`, ...)
    why: Why | None = None        # the derivation, when a rule made the value


def by(spec: Spec | None, made: Why | None) -> Trace | None:
    """A trace to the derivation ``made`` (None when nothing recorded one)."""
    if made is None:
        return None
    return Trace(spec, [], made.rule.name.partition(".")[0], made)


def rule(spec: Spec | None, r: Rule, *inputs: why.In) -> Trace:
    return by(spec, Why(r, inputs))  # type: ignore[return-value]


def trace(ir: IR, obj: dict, path: tuple, specs: dict[str, Spec]) -> Trace | None:
    """What produced ``obj`` at ``path``; None when unknown. A list (`...containers[0].env`,
    a Service's `ports`) is answered by its items together."""
    whole = value_at(obj, path)
    if isinstance(whole, list) and whole:
        parts = [_trace(ir, obj, path + (i,), specs) for i in range(len(whole))]
        found = [t for t in parts if t is not None]
        if not found:
            return None
        paths = list(dict.fromkeys(p for t in found for p in t.paths))
        made = next((t.why for t in found if t.why is not None), None)
        if made is not None and not paths:
            return by(found[0].spec, made)
        return Trace(found[0].spec, paths)
    return _trace(ir, obj, path, specs)


def _trace(ir: IR, obj: dict, path: tuple, specs: dict[str, Spec]) -> Trace | None:
    try:
        return _one(ir, obj, path, specs)
    except (IndexError, KeyError, TypeError, AttributeError, ValueError):   # a path the tables do not map
        return None


def _one(ir: IR, obj: dict, path: tuple, specs: dict[str, Spec]) -> Trace | None:
    kind = obj.get("kind")
    name = (obj.get("metadata") or {}).get("name")
    owner = ((obj.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/name", name)
    w = ir.workload(owner) if kind in WORKLOAD_OBJECTS else None
    netpol = next((n for n in ir.netpols if n.name == name and n.generated), None) \
        if kind == "NetworkPolicy" else None
    raw = next((r for r in ir.raw if r["object"].get("kind") == kind
                and (r["object"].get("metadata") or {}).get("name") == name), None)
    if w is not None:
        spec = w.spec
    elif netpol is not None:
        spec = ir.workload(netpol.owner).spec if netpol.owner and ir.workload(netpol.owner) else None
    elif kind == "Namespace":
        spec = next((s for s in specs.values() if s.kind == "SecurityPolicy"), None) if name == ir.namespace \
            else (raw or {}).get("spec")
    elif raw is not None and raw.get("spec") is not None and raw["spec"].kind == "Resource":
        return _resource(ir, raw["spec"], obj, path)
    else:
        spec = specs.get(f"{SPEC_KIND.get(kind, kind)}/{name}")
    k8s = (spec.data.get("k8s") or {}) if spec is not None else {}
    for key in reversed(keys_for(obj, k8s) if isinstance(k8s, dict) else ()):  # the escape hatch wins (the last)
        patched = _in_patch(k8s[key], obj, path)
        if patched is not None and value_at(k8s[key], patched) is not MISSING:
            return Trace(spec, [("k8s", key, *patched)])
    if path[:1] == ("apiVersion",):
        return rule(spec, st.API_VERSION, why.derived(st.exists(ir, obj, spec, w, netpol), "the object"))
    if path[:1] == ("kind",):
        return by(spec, st.exists(ir, obj, spec, w, netpol))
    if path == ("metadata", "name"):
        return by(spec, st.object_name(ir, obj, spec, w, netpol))
    if path == ("metadata", "namespace"):
        return rule(spec, st.NAMESPACE, st.namespace_in(ir, spec if kind != "Namespace" else None))
    meta = _metadata(ir, spec, w, netpol, path, obj)
    if meta is not None:
        return meta
    if w is not None:
        return _workload(ir, w, obj, path)
    if kind == "NetworkPolicy" and netpol is not None:
        return _netpol(ir, netpol, spec, path)
    if kind == "ResourceQuota" and path[:2] == ("spec", "hard"):
        return by(None, ir.why.get(f"quota.{path[2]}"))
    if kind == "Namespace":
        return by(spec, st.exists(ir, obj, spec, w))
    if spec is None:
        return None
    from .other import other

    return other(ir, spec, kind, path, obj)


def _metadata(ir: IR, spec: Spec | None, w: Workload | None, netpol, path: tuple, obj: dict) -> Trace | None:
    for prefix in ((("metadata",),) + _POD_META_PREFIXES):
        n = len(prefix)
        if path[:n] != prefix or len(path) < n + 2:
            continue
        section, key = path[n], path[n + 1]
        if section == "labels":
            if spec is not None and key in (spec.data.get("labels") or {}) and key not in RESERVED_LABELS:
                return Trace(spec, [("labels", key)])
            std = st.std_label(ir, obj, key, spec, w, netpol)
            if std is not None:
                return by(spec, std)
            if key in _PSS and spec is not None and spec.kind == "SecurityPolicy":
                mode = why.spec(spec, "mode") if "mode" in spec.data else why.default(LOWER, "SECURITY_MODE")
                return rule(spec, PSS, why.spec(spec, "level"), mode)
            return None
        if section == "annotations":
            if spec is not None and key in (spec.data.get("annotations") or {}):
                return Trace(spec, [("annotations", key)])
            if w is not None:
                return by(spec, w.why.get(f"annotation.{key}"))
            return None
    return None


def replicas_in(w: Workload) -> why.In:
    made = w.why.get("replicas")
    return why.derived(made, "the replicas") if made is not None else why.spec(w.spec, "replicas", label="the replicas")


def port_name(w: Workload, spec: Spec, pname: str, cp: tuple = ()) -> Trace:
    """A port's name: its key under `ports:`, or `http` for the `port:` shorthand."""
    ports = value_at(spec.data, cp + ("ports",))
    if isinstance(ports, dict) and pname in ports:
        return rule(spec, PORT_KEY, why.spec(spec, *cp, "ports", pname))
    return rule(spec, PORT_KEY, why.spec(spec, *cp, "port"), why.default(LOWER, "PORT_NAME"))


def protocol(spec: Spec, pname: str, cp: tuple = ()) -> Trace:
    ports = value_at(spec.data, cp + ("ports",))
    p = ports.get(pname) if isinstance(ports, dict) else None
    if isinstance(p, dict) and "protocol" in p:
        return Trace(spec, [cp + ("ports", pname, "protocol")])
    return rule(spec, PROTOCOL, why.default("skyspec.ir.model", "PROTOCOL"))


def _in_patch(patch: Any, obj: dict, path: tuple) -> tuple | None:
    """``path`` of the object as its `k8s:` patch spells it: an item of a list the patch merges
    into by a key (:func:`~skyspec.ir.k8spatch.merge_key`: a container it adds beside the
    spec's, by name) is the patch's item of the same key, which sits at another index; None
    when the patch has no such item."""
    out: list = []
    node, pnode = obj, patch
    for i, p in enumerate(path):
        if isinstance(p, int) and isinstance(node, list) and isinstance(pnode, list) and -len(node) <= p < len(node):
            item = node[p]
            key = merge_key(obj.get("kind") or "", path[:i])
            if key is not None and isinstance(item, dict) and key in item:
                p2 = next((j for j, x in enumerate(pnode) if isinstance(x, dict) and x.get(key) == item[key]), None)
                if p2 is None:
                    return None
            else:
                p2 = p   # (a list the patch replaces whole: its items are the object's)
            node, pnode = item, pnode[p2] if p2 < len(pnode) else None
            out.append(p2)
            continue
        node = node.get(p) if isinstance(node, dict) else None
        pnode = pnode.get(p) if isinstance(pnode, dict) else None
        out.append(p)
    return tuple(out)


def _workload(ir: IR, w: Workload, obj: dict, path: tuple) -> Trace | None:
    spec, kind = w.spec, obj["kind"]
    t = lambda *paths: Trace(spec, [tuple(p) for p in paths])  # noqa: E731
    strat = w.strategy
    if kind in ("Deployment", "StatefulSet", "Job", "CronJob"):
        if path == ("spec", "replicas"):
            if strat.type == "canary":
                return rule(spec, CANARY_SPLIT, replicas_in(w), why.spec(spec, "strategy", "canary", "percent"))
            if strat.type == "blue-green" and obj["metadata"]["name"] != f"{w.name}-{strat.active}":
                return rule(spec, IDLE_COLOR, replicas_in(w), why.spec(spec, "strategy"))
            return t(("replicas",)) if "replicas" in spec.data else by(spec, w.why.get("replicas"))
        if path[:3] == ("spec", "selector", "matchLabels"):
            return by(spec, st.selector(ir, w, path[3]))
        if path == ("spec", "serviceName"):
            if not w.ports:  # no headless Service is made: the name is the rule's alone
                return rule(spec, GOVERNING, st.name_in(spec))
            headless = {"kind": "Service", "metadata": {"name": f"{w.name}-headless"}}
            return by(spec, st.object_name(ir, headless, spec, w))
        if path[:2] in (("spec", "strategy"), ("spec", "updateStrategy")):
            return t(("strategy",))
        if path == ("spec", "podManagementPolicy"):
            return t(("pod_management",))
        if path[:2] == ("spec", "volumeClaimTemplates"):
            return _claim(ir, w, obj, path)
        if kind in ("Job", "CronJob"):
            jpath = path[2:] if kind == "CronJob" and path[:2] == ("spec", "jobTemplate") else path
            if jpath[:1] == ("spec",) and len(jpath) == 2 and jpath[1] in _JOB:
                return t((_JOB[jpath[1]],))
            if kind == "CronJob" and path[:1] == ("spec",) and len(path) == 2 and path[1] in _CRON:
                return t(_CRON[path[1]])
        for prefix in _POD_SPEC_PREFIXES:
            if path[:len(prefix)] == prefix:
                from .pod import pod

                return pod(ir, w, obj, path, prefix)
        return None
    if kind == "Service":
        return _service(ir, w, obj, path)
    if kind == "Ingress":
        return _ingress(ir, w, obj, path)
    if kind == "HorizontalPodAutoscaler":
        return _hpa(ir, w, obj, path)
    if kind == "PodDisruptionBudget":
        if path[:3] == ("spec", "selector", "matchLabels"):
            return by(spec, st.selector(ir, w, path[3]))
        return by(spec, w.why.get(f"pdb.{path[1]}")) if len(path) == 2 else None
    if kind == "ServiceMonitor":
        return _monitor(ir, w, obj, path)
    return None


def _claim(ir: IR, w: Workload, obj: dict, path: tuple) -> Trace | None:
    spec = w.spec
    claim = obj["spec"]["volumeClaimTemplates"][path[2]]["metadata"]["name"]
    rest = path[3:]
    named = isinstance(spec.data.get("storage"), dict)
    base = ("storage", claim) if named else ("storage",)
    sub = value_at(spec.data, base)
    if rest == ("metadata", "name"):
        return rule(spec, CLAIM, why.spec(spec, *base)) if named else \
            rule(spec, CLAIM, why.spec(spec, "storage"))
    if rest[:2] == ("metadata", "labels"):
        return by(spec, st.selector(ir, w, rest[2]))
    if rest[-1:] == ("storage",):
        return Trace(spec, [base + (("size",) if isinstance(sub, dict) else ())])
    if rest[-1:] == ("storageClassName",):
        return Trace(spec, [base + ("class",)])
    if "accessModes" in rest:
        if isinstance(sub, dict) and "access" in sub:
            return Trace(spec, [base + ("access",)])
        return rule(spec, ACCESS, why.spec(spec, *base), why.default(LOWER, "ACCESS_MODE"))
    return None


def _service(ir: IR, w: Workload, obj: dict, path: tuple) -> Trace | None:
    spec = w.spec
    if path[:2] == ("spec", "selector"):
        return by(spec, st.selector(ir, w, path[2]))
    if path in (("spec", "clusterIP"), ("spec", "publishNotReadyAddresses")):
        return by(spec, st.exists(ir, obj, spec, w))
    if path == ("spec", "type"):
        return Trace(spec, [("expose", "type")])
    if path[:2] == ("spec", "loadBalancerSourceRanges"):
        return Trace(spec, [("expose", "source_ranges")])
    if path[:2] == ("spec", "ports"):
        pname = obj["spec"]["ports"][path[2]]["name"]
        rest = path[3:]
        if rest == ("name",):
            return port_name(w, spec, pname)
        if rest == ("targetPort",):
            return rule(spec, SERVICE_PORT, why.derived(port_name(w, spec, pname).why, "the port's name"))
        if rest == ("protocol",):
            return protocol(spec, pname)
        if rest == ("nodePort",):
            return Trace(spec, [("expose", "node_port")])
        ports = spec.data.get("ports") or {}
        p = ports.get(pname)
        if isinstance(p, dict):
            return Trace(spec, [("ports", pname, "service" if "service" in p else "port")])
        return Trace(spec, [("ports", pname) if pname in ports else ("port",)])
    return None


def _ingress(ir: IR, w: Workload, obj: dict, path: tuple) -> Trace | None:
    spec = w.spec
    x = spec.data.get("expose") if isinstance(spec.data.get("expose"), dict) else {}
    if path == ("spec", "ingressClassName"):
        return Trace(spec, [("expose", "class")])
    if path[:2] == ("spec", "tls"):
        if path[-1:] == ("secretName",):
            if isinstance(x.get("tls"), str):
                return Trace(spec, [("expose", "tls")])
            return rule(spec, TLS_SECRET, why.spec(spec, "expose", "tls"), why.spec(spec, "name"))
        return Trace(spec, [("expose", "host")])
    if path[:2] == ("spec", "rules"):
        if path[-1:] == ("host",):
            return Trace(spec, [("expose", "host")])
        if path[-1:] == ("path",):
            return Trace(spec, [("expose", "path")]) if "path" in x else \
                rule(spec, PATH, why.spec(spec, "expose", "host"), why.default(LOWER, "INGRESS_PATH"))
        if path[-1:] == ("pathType",):
            return rule(spec, PATH_TYPE, why.spec(spec, "expose", "host"), why.default(KUBE, "PATH_TYPE"))
        if path[-2:] == ("service", "name"):
            return rule(spec, ROUTE, why.derived(st.exists(ir, {"kind": "Service", "metadata": {"name": w.name}},
                                                           spec, w), "the Service"), st.name_in(spec))
        if "port" in path:
            if "port" in x:
                return Trace(spec, [("expose", "port")])
            return rule(spec, ROUTE, why.port(w, w.ports[0].name, label="the first port"))
    return None


def _hpa(ir: IR, w: Workload, obj: dict, path: tuple) -> Trace | None:
    spec = w.spec
    a = spec.data["autoscale"]
    if path == ("spec", "minReplicas"):
        return Trace(spec, [("autoscale", "min")]) if "min" in a else rule(spec, HPA_MIN, replicas_in(w))
    if path == ("spec", "maxReplicas"):
        return Trace(spec, [("autoscale", "max")])
    if path[:2] == ("spec", "metrics"):
        res = obj["spec"]["metrics"][path[2]]["resource"]["name"]
        if path[-1:] == ("averageUtilization",):
            return Trace(spec, [("autoscale", res)])
        return rule(spec, HPA_TARGET, why.spec(spec, "autoscale", res))
    if path[:2] == ("spec", "scaleTargetRef"):
        target = {"kind": obj["spec"]["scaleTargetRef"]["kind"], "metadata": {"name": obj["spec"]["scaleTargetRef"]["name"]}}
        if path[-1] == "name":
            return by(spec, st.object_name(ir, target, spec, w))
        return rule(spec, st.API_VERSION, why.derived(st.exists(ir, target, spec, w), "the workload"))
    return None


def _monitor(ir: IR, w: Workload, obj: dict, path: tuple) -> Trace | None:
    m = next((m for m in ir.monitors if m.name == obj["metadata"]["name"]), None)
    if m is None or m.spec is None:
        return None
    spec, metrics = m.spec, m.spec.data.get("metrics") or {}
    if path[:3] == ("spec", "selector", "matchLabels"):
        return by(w.spec, st.selector(ir, w, path[3]))
    if path[:2] == ("spec", "endpoints"):
        key = path[-1]
        if key == "port":
            return Trace(spec, [("metrics", "port")])
        if key == "interval":
            return Trace(spec, [("metrics", "interval")])
        if key == "path":
            return Trace(spec, [("metrics", "path")]) if "path" in metrics else \
                rule(spec, MONITOR_PATH, why.spec(spec, "metrics"), why.default("skyspec.ir.observe", "METRICS_PATH"))
    return None


def _netpol(ir: IR, n, spec: Spec | None, path: tuple) -> Trace | None:
    """A policy the `network` pass generated: its recorded derivations."""
    if path[:2] == ("spec", "podSelector"):
        if path[2:3] == ("matchLabels",) and n.owner and ir.workload(n.owner) is not None:
            return by(spec, st.selector(ir, ir.workload(n.owner), path[3]))
        return by(spec, n.why.get("policy"))
    if path[:2] == ("spec", "policyTypes"):
        return by(spec, n.why.get("types"))
    if path[:2] == ("spec", "ingress") and len(path) > 4 and path[3] == "from":
        return by(spec, n.why["ingress"][path[2]][0][path[4]])
    if path[:2] == ("spec", "ingress") and len(path) > 3 and path[3] == "ports":
        return by(spec, n.why["ingress"][path[2]][1])
    if path[:2] == ("spec", "egress") and len(path) > 2:
        return by(spec, n.why["egress"][path[2]])
    return None


def _resource(ir: IR, spec: Spec, obj: dict, path: tuple) -> Trace | None:
    """A `kind: Resource` manifest: as written, but for the name and namespace skyspec fills in."""
    if value_at(spec.data.get("manifest") or {}, path) is not MISSING:
        return Trace(spec, [("manifest",) + path])
    if path == ("metadata", "name"):
        return rule(spec, st.NAME, st.name_in(spec))
    if path == ("metadata", "namespace"):
        return rule(spec, st.NAMESPACE, st.namespace_in(ir, None))
    return None
