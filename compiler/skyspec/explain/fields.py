"""Generated manifest fields traced back to the spec values they were lowered from.

:func:`trace` answers, for a field of a generated Kubernetes object such as
`Deployment/api:spec.replicas`, which spec values produced it, or which pass set it, or
:data:`GENERATED` for the structure skyspec always writes (apiVersion, selectors, standard
labels). It maps manifest paths to spec paths with one table per object kind; a test walks
every field of every example manifest through it, so the table cannot fall behind the
backend. This module only maps paths: it must not read histories (that is :mod:`.values`),
render the manifests itself, parse query strings, or format answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir.model import IR, Workload
from ..provenance import MISSING
from ..layers.stack import Spec
from .values import value_at


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
    """Which spec values (or which pass) produced ``obj`` at ``path``; None when unknown.
    A list (`...containers[0].env`, a Service's `ports`) is answered by its items together."""
    whole = value_at(obj, path)
    if isinstance(whole, list) and whole:
        parts = [_trace(ir, obj, path + (i,), specs) for i in range(len(whole))]
        found = [t for t in parts if t is not None]
        if not found:
            return None
        paths = list(dict.fromkeys(p for t in found for p in t.paths))
        by = next((t.set_by for t in found if t.set_by and t.set_by != GENERATED), None)
        return Trace(found[0].spec, paths, by if by or paths else found[0].set_by)
    return _trace(ir, obj, path, specs)


def _trace(ir: IR, obj: dict, path: tuple, specs: dict[str, Spec]) -> Trace | None:
    try:
        return _one(ir, obj, path, specs)
    except (IndexError, KeyError, TypeError):   # a path the tables do not map to one value
        return None


def _one(ir: IR, obj: dict, path: tuple, specs: dict[str, Spec]) -> Trace | None:
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
        if value_at(spec.data["k8s"][kind], path) is not MISSING:
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
    return () if cname == w.main.name else ("sidecars", cname)


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
                return t(base + (("size",) if isinstance(value_at(spec.data, base), dict) else ()))
            if rest[-1:] == ("storageClassName",):
                return t(base + ("class",))
            if rest[:1] == ("spec",) and "accessModes" in rest:
                return t(base + ("access",)) if isinstance(value_at(spec.data, base), dict) \
                    and "access" in value_at(spec.data, base) else Trace(spec, [], GENERATED)
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
    podspec = value_at(obj, prefix)
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
        r = value_at(spec.data, cp + ("resources",))
        if isinstance(r, dict) and field in r:
            return t(("resources", field))
        return Trace(spec, [], "size")
    if head in _PROBES:
        h = value_at(spec.data, cp + ("health",))
        which = _PROBES[head]
        if isinstance(h, dict) and which in h:
            return t(("health", which))
        return t(("health",))
    if head == "volumeMounts":
        vname = c["volumeMounts"][rest[1]]["name"]
        if cp and vname in (value_at(spec.data, cp + ("mounts",)) or {}):  # a sidecar's own `mounts:`
            return t(("mounts", vname))
        return _volume(spec, vname)
    return None


def _port_c(spec: Spec, cp: tuple, pname: str, rest: tuple) -> Trace:
    if rest in (("name",),):
        return Trace(spec, [], GENERATED)
    ports = value_at(spec.data, cp + ("ports",))
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
