"""The release model of the Helm chart: which names follow the release, and the objects with
those places marked. Every object of the chart is named `{{ include "<chart>.fullname" ... }}`
(its name when the release is named like the chart), lives in `.Release.Namespace`, and every
reference to an object of the chart follows that name: ConfigMap, Secret and PVC names in
volumes and envFrom, ServiceAccount names and binding subjects, role references, HPA targets,
Ingress backends and TLS Secrets, the StatefulSet's Service, ExternalSecret targets. Selectors
of the chart's pods (name + part-of) get `app.kubernetes.io/instance`, so two releases never
select each other's pods. The marked places are :class:`Name`, :data:`NAMESPACE` and
:data:`RELEASE` values inside otherwise plain objects; the writer prints them. Host names in
text (env var values, ConfigMap data) are found by :class:`Hosts`, whose patterns the chart's
`<chart>.hosts` helper applies when it renders. A reference to something the chart does not
create (an existing Secret, a ClusterRole like `view`) stays literal. This module only marks
objects; it must not build templates or values.
"""

from __future__ import annotations

import re
from typing import Any

from ...ir.model import IR

NAME_LABEL = "app.kubernetes.io/name"
PART_OF = "app.kubernetes.io/part-of"
MANAGED_BY = "app.kubernetes.io/managed-by"
INSTANCE = "app.kubernetes.io/instance"
_NS_LABEL = "kubernetes.io/metadata.name"
# kinds whose objects keep their names: a CRD is named by its group and an APIService by its
# version and group (the API server holds them to it), the Namespace is the release's
_UNNAMED = frozenset(("Namespace", "CustomResourceDefinition", "APIService"))
# the pod spec in each workload kind
_POD_SPEC = {"Deployment": ("spec", "template", "spec"), "StatefulSet": ("spec", "template", "spec"),
             "DaemonSet": ("spec", "template", "spec"), "ReplicaSet": ("spec", "template", "spec"),
             "Job": ("spec", "template", "spec"), "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
             "Pod": ("spec",)}


class Name:
    """A name that follows the release: the fullname of ``base``."""
    __slots__ = ("base",)

    def __init__(self, base: str):
        self.base = base

    def __eq__(self, other: object) -> bool:
        return type(other) is Name and other.base == self.base

    def __hash__(self) -> int:
        return hash(("Name", self.base))

    def __repr__(self) -> str:
        return f"Name({self.base!r})"


class Mark:
    """`.Release.Namespace` or `.Release.Name`."""
    __slots__ = ("what",)

    def __init__(self, what: str):
        self.what = what

    def __repr__(self) -> str:
        return self.what


NAMESPACE = Mark(".Release.Namespace")
RELEASE = Mark(".Release.Name")
MARKS = (Name, Mark)


def is_mark(v: Any) -> bool:
    return type(v) in MARKS


def has_mark(v: Any) -> bool:
    t = type(v)
    if t is dict:
        v = v.values()
    elif t is not list:
        return t in MARKS
    for x in v:
        t = type(x)
        if t is dict or t is list:
            if has_mark(x):
                return True
        elif t in MARKS:
            return True
    return False


def plain(v: Any, project: str, namespace: str) -> Any:
    """``v`` with the marks replaced by what they are for a release named like the project in
    ``namespace`` (for the rare value that cannot hold a mark)."""
    t = type(v)
    if t is dict:
        return {k: plain(x, project, namespace) for k, x in v.items()}
    if t is list:
        return [plain(x, project, namespace) for x in v]
    if t is Name:
        return v.base
    if v is NAMESPACE:
        return namespace
    if v is RELEASE:
        return project
    return v


class Scope:
    """The names of the chart's objects by kind (over every environment): the ones that follow
    the release. ``secrets`` also holds the Secrets the chart makes others create (an
    ExternalSecret's target, an Ingress's certificate `<name>-tls`) and those supplied at deploy
    time, which each release gets its own of."""

    def __init__(self, project: str, objects_by_env: dict[str, list[dict]], irs: dict[str, IR]):
        self.project = project
        self.names: dict[str, set[str]] = {}
        for objs in objects_by_env.values():
            for o in objs:
                kind, name = o.get("kind"), _name(o)
                if type(kind) is not str or name is None or kind in _UNNAMED:
                    continue
                self.names.setdefault(kind, set()).add(name)
                spec = o.get("spec") if type(o.get("spec")) is dict else {}
                if kind == "ExternalSecret":
                    target = spec.get("target") if type(spec.get("target")) is dict else {}
                    t = target.get("name", name)
                    if type(t) is str:
                        self.names.setdefault("Secret", set()).add(t)
                if kind == "Ingress":
                    for tls in spec.get("tls") or []:
                        if type(tls) is dict and tls.get("secretName") == f"{name}-tls":
                            self.names.setdefault("Secret", set()).add(f"{name}-tls")
        self.deploy_time: dict[str, list[str]] = {}     # Secret -> keys, supplied at deploy time
        for ir in irs.values():
            for s in ir.secrets:
                if s.mode == "deploy-time":
                    keys = self.deploy_time.setdefault(s.name, [])
                    keys += [k for k in s.keys if k not in keys]
                    self.names.setdefault("Secret", set()).add(s.name)

    def has(self, kind: str, name: Any) -> bool:
        return type(name) is str and name in self.names.get(kind, ())

    @property
    def services(self) -> list[str]:
        return sorted(self.names.get("Service", ()))


# Host names of a Service in text, each (pattern, replacement): ``SVC`` is the Service's name in
# the specs, ``NS`` the environments' namespaces, ``TO`` its name in the release and ``RNS``
# the release's namespace. Each pattern is RE2 and Python syntax alike (the chart's
# `<chart>.hosts` helper runs them with regexReplaceAll; :meth:`Hosts.mentions` with re); a
# name is never a part of a longer one (the characters around it are not [A-Za-z0-9_.-]).
HOST_PATTERNS = (
    # <svc>.<namespace>.svc[.cluster.local], anywhere
    (r"(^|[^A-Za-z0-9_.-])SVC\.NS\.svc(\.cluster\.local)?([^A-Za-z0-9_.-]|$)", "${1}TO.RNS.svc${2}${3}"),
    # <svc>.<namespace>:<port>
    (r"(^|[^A-Za-z0-9_.-])SVC\.NS(:[0-9])", "${1}TO.RNS${2}"),
    # a URL whose host is <svc>
    (r"([A-Za-z][A-Za-z0-9+.-]*://([^@/?#\s]*@)?)SVC([^A-Za-z0-9_.-]|$)", "${1}TO${3}"),
    # <svc>:<port>
    (r"(^|[^A-Za-z0-9_.-])SVC(:[0-9])", "${1}TO${2}"),
)


class Hosts:
    """The host names of the chart's Services in text: `<svc>:<port>`, a URL whose host is
    `<svc>`, `<svc>.<namespace>.svc[.cluster.local]` and `<svc>.<namespace>:<port>` with an
    environment's namespace. ``services`` is longest first, the order the helper rewrites them
    in, so that a rewritten name (`<release>-<svc>`) is never rewritten again."""

    def __init__(self, services: list[str], namespaces: list[str]):
        self.services = sorted(services, key=lambda s: (-len(s), s))
        self.ns = "(?:" + "|".join(re.escape(n) for n in sorted(set(namespaces))) + ")" if namespaces else ""
        self.patterns = [(p.replace("NS", self.ns), r) for p, r in HOST_PATTERNS if self.ns or "NS" not in p]
        self._any = re.compile("|".join(p.replace("SVC", "(?:" + "|".join(map(re.escape, self.services)) + ")")
                                        for p, _ in self.patterns)) if self.services else None

    def mentions(self, text: Any) -> bool:
        """Whether the helper would rewrite something in ``text`` (a string)."""
        return type(text) is str and self._any is not None and self._any.search(text) is not None


def _name(o: dict) -> str | None:
    m = o.get("metadata")
    n = m.get("name") if type(m) is dict else None
    return n if type(n) is str else None


def mark(o: dict, scope: Scope, namespace: str) -> dict:
    """A copy of object ``o`` (of an environment whose namespace is ``namespace``) with the
    release's places marked."""
    o = _copy(o, scope.project, namespace, True)
    kind = o.get("kind")
    meta = o.get("metadata")
    if type(meta) is dict:
        name = meta.get("name")
        if kind == "Namespace" and name == namespace:
            meta["name"] = NAMESPACE
        elif scope.has(str(kind), name):
            meta["name"] = Name(name)
        if meta.get("namespace") == namespace:
            meta["namespace"] = NAMESPACE
    spec = o.get("spec")
    if type(spec) is not dict:
        spec = {}
    pod = _get(o, _POD_SPEC.get(str(kind), ()))
    if type(pod) is dict and kind in _POD_SPEC:
        _pod(pod, scope)
    if kind == "StatefulSet":
        _ref(spec, "serviceName", scope, "Service")
    elif kind == "HorizontalPodAutoscaler":
        t = spec.get("scaleTargetRef")
        if type(t) is dict and type(t.get("kind")) is str:
            _ref(t, "name", scope, t["kind"])
    elif kind == "Ingress":
        _ingress(spec, scope)
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        r = o.get("roleRef")
        if type(r) is dict and type(r.get("kind")) is str:
            _ref(r, "name", scope, r["kind"])
        for s in o.get("subjects") or []:
            if type(s) is dict and s.get("kind") == "ServiceAccount" and s.get("namespace") in (namespace, None):
                _ref(s, "name", scope, "ServiceAccount")
                if s.get("namespace") == namespace:
                    s["namespace"] = NAMESPACE
    elif kind == "ExternalSecret":
        t = spec.get("target")
        if type(t) is dict:
            _ref(t, "name", scope, "Secret")
    elif kind == "ServiceMonitor":
        ns = spec.get("namespaceSelector")
        names = ns.get("matchNames") if type(ns) is dict else None
        if type(names) is list:
            ns["matchNames"] = [NAMESPACE if n == namespace else n for n in names]
    return o


def _copy(v: Any, project: str, namespace: str, top: bool = False) -> Any:
    """A copy of a JSON-like value (maps and lists copied, scalars shared) in which every
    selector of the chart's pods (a map with the name label and part-of this project, and no
    managed-by: not an object's own labels) gets the instance label, and a namespace selector
    naming the environment's namespace names the release's."""
    t = type(v)
    if t is list:
        return _copy_list(v, project, namespace)
    if t is not dict:
        return v
    return _copy_map(v, project, namespace, top)


def _copy_list(v: list, project: str, namespace: str) -> list:
    out = []
    for x in v:
        t = type(x)
        if t is dict:
            x = _copy_map(x, project, namespace, False)
        elif t is list:
            x = _copy_list(x, project, namespace)
        out.append(x)
    return out


def _copy_map(v: dict, project: str, namespace: str, top: bool) -> dict:
    out = {}
    for k, x in v.items():
        t = type(x)
        if t is dict:
            x = _copy_map(x, project, namespace, False)
        elif t is list:
            x = _copy_list(x, project, namespace)
        out[k] = x
    # (`in` before reading: most maps hold neither key)
    if PART_OF in v and v[PART_OF] == project and type(v.get(NAME_LABEL)) is str and MANAGED_BY not in v \
            and INSTANCE not in v:
        items = list(out.items())
        out = {}
        for k, x in items:
            out[k] = x
            if k == PART_OF:
                out[INSTANCE] = RELEASE
    if not top and (v[_NS_LABEL] == namespace if _NS_LABEL in v else namespace is None):
        out[_NS_LABEL] = NAMESPACE
    return out


def _get(o: Any, path: tuple) -> Any:
    for k in path:
        if type(o) is not dict:
            return None
        o = o.get(k)
    return o


def _ref(d: dict, key: str, scope: Scope, kind: str) -> None:
    if scope.has(kind, d.get(key)):
        d[key] = Name(d[key])


def _pod(pod: dict, scope: Scope) -> None:
    _ref(pod, "serviceAccountName", scope, "ServiceAccount")
    _ref(pod, "priorityClassName", scope, "PriorityClass")
    for s in pod.get("imagePullSecrets") or []:
        if type(s) is dict:
            _ref(s, "name", scope, "Secret")
    for v in pod.get("volumes") or []:
        if type(v) is not dict:
            continue
        for key, field, kind in (("configMap", "name", "ConfigMap"), ("secret", "secretName", "Secret"),
                                 ("persistentVolumeClaim", "claimName", "PersistentVolumeClaim")):
            if type(v.get(key)) is dict:
                _ref(v[key], field, scope, kind)
        projected = v.get("projected")
        for src in (projected.get("sources") or []) if type(projected) is dict else []:
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                if type(src) is dict and type(src.get(key)) is dict:
                    _ref(src[key], "name", scope, kind)
    for group in ("initContainers", "containers"):
        for c in pod.get(group) or []:
            if type(c) is not dict:
                continue
            for ef in c.get("envFrom") or []:
                for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                    if type(ef) is dict and type(ef.get(key)) is dict:
                        _ref(ef[key], "name", scope, kind)
            for e in c.get("env") or []:
                vf = e.get("valueFrom") if type(e) is dict else None
                for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                    if type(vf) is dict and type(vf.get(key)) is dict:
                        _ref(vf[key], "name", scope, kind)


def _ingress(spec: dict, scope: Scope) -> None:
    def backend(b: Any) -> None:
        svc = b.get("service") if type(b) is dict else None
        if type(svc) is dict:
            _ref(svc, "name", scope, "Service")

    backend(spec.get("defaultBackend"))
    for r in spec.get("rules") or []:
        http = r.get("http") if type(r) is dict else None
        for p in (http.get("paths") or []) if type(http) is dict else []:
            if type(p) is dict:
                backend(p.get("backend"))
    for t in spec.get("tls") or []:
        if type(t) is dict:
            _ref(t, "secretName", scope, "Secret")
