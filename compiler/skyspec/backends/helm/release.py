"""The release model of the Helm chart: which names follow the release, and the objects with
those places marked. Every object of the chart is named `{{ include "<chart>.fullname" ... }}`
(its name when the release is named like the chart), lives in `.Release.Namespace`, and every
reference to an object of the chart follows that name: ConfigMap, Secret and PVC names in
volumes and envFrom, ServiceAccount names and binding subjects, role references, HPA targets,
Ingress backends and TLS Secrets, the StatefulSet's Service, ExternalSecret targets, the
Service (and namespace) a webhook or APIService names, cert-manager's CA injection annotation
and a Certificate's issuer, Secret and Service host names (:class:`Joined` marks a text made
of names and the namespace), the `resourceNames` of RBAC rules on the chart's kinds, the names
a container's flags give its program (textrefs.py), and an env var's value naming, by the kind its
name says, an object the pod's ServiceAccount is granted by `resourceNames` (MetalLB's
`METALLB_DEPLOYMENT`).
Selectors of the chart's pods (name + part-of) get `app.kubernetes.io/instance`, so two
releases never select each other's pods; a kept monitor's or aggregated ClusterRole's selector
that picks the chart's objects by their instance label picks the release's. The marked
places are :class:`Name`, :data:`NAMESPACE`, :data:`RELEASE` and :class:`Joined` values (marks.py)
inside otherwise plain objects; the writer prints them. Host names in
text (env var values, ConfigMap data) are found by :class:`Hosts`, whose patterns the chart's
`<chart>.hosts` helper applies when it renders. A reference to something the chart does not
create (an existing Secret, a ClusterRole like `view`) stays literal. This module only marks
objects; it must not build templates or values.
"""

from __future__ import annotations

import re
from typing import Any

from ...ir.model import IR
from ...syscheck import selects
from .marks import NAMESPACE, RELEASE, Joined, Name
from .textrefs import flag, hinted, host

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


class Scope:
    """The names of the chart's objects by kind (over every environment): the ones that follow
    the release. ``secrets`` also holds the Secrets the chart makes others create (an
    ExternalSecret's target, an Ingress's certificate `<name>-tls`) and those supplied at deploy
    time, which each release gets its own of."""

    def __init__(self, project: str, objects_by_env: dict[str, list[dict]], irs: dict[str, IR]):
        self.project = project
        self.names: dict[str, set[str]] = {}
        self.groups: dict[str, set[str]] = {"Secret": {""}}   # kind -> its API groups
        self.plurals: dict[tuple, str] = {}                   # (group, kind) -> a CRD's plural
        # the labels of the chart's Services, ClusterRoles and pods (by "Pod"), which kept
        # objects' selectors may select
        self.labels: dict[str, list[dict]] = {}
        for objs in objects_by_env.values():
            for o in objs:
                kind, name = o.get("kind"), _name(o)
                if kind == "CustomResourceDefinition":
                    _crd_plural(o, self.plurals)
                if type(kind) is not str or name is None or kind in _UNNAMED:
                    continue
                self.names.setdefault(kind, set()).add(name)
                v = o.get("apiVersion")
                self.groups.setdefault(kind, set()).add(v.rpartition("/")[0] if type(v) is str else "")
                pool = "Pod" if kind in _POD_SPEC else kind if kind in ("Service", "ClusterRole") else None
                labels = _get(o, _POD_SPEC[kind][:-1] + _LABELS if pool == "Pod" else _LABELS) if pool else None
                if type(labels) is dict:
                    self.labels.setdefault(pool, []).append(labels)
                spec = o.get("spec") if type(o.get("spec")) is dict else {}
                if kind == "ExternalSecret":
                    target = spec.get("target") if type(spec.get("target")) is dict else {}
                    t = target.get("name", name)
                    if type(t) is str:
                        self.names.setdefault("Secret", set()).add(t)
                if kind == "Certificate" and _cert_manager(o) and type(spec.get("secretName")) is str:
                    self.names.setdefault("Secret", set()).add(spec["secretName"])   # cert-manager makes it
                if kind == "Ingress":
                    for tls in spec.get("tls") or []:
                        if type(tls) is dict and tls.get("secretName") == f"{name}-tls":
                            self.names.setdefault("Secret", set()).add(f"{name}-tls")
        # ServiceAccount -> the chart's objects (kind, name) its Roles grant by `resourceNames`
        self.granted: dict[str, set[tuple]] = {}
        for e, objs in objects_by_env.items():
            self._grants(objs, irs[e].namespace)
        self.deploy_time: dict[str, list[str]] = {}     # Secret -> keys, supplied at deploy time
        for ir in irs.values():
            for s in ir.secrets:
                if s.mode == "deploy-time":
                    keys = self.deploy_time.setdefault(s.name, [])
                    keys += [k for k in s.keys if k not in keys]
                    self.names.setdefault("Secret", set()).add(s.name)

    def _grants(self, objs: list[dict], namespace: str | None) -> None:
        """The names of the chart's objects (of the kinds a rule's resources are) that a Role or
        ClusterRole grants by `resourceNames` to each ServiceAccount of the environment's
        namespace its bindings name: what that account's program gets or patches by name."""
        names: dict[tuple, set[tuple]] = {}
        for o in objs:
            if o.get("kind") in ("Role", "ClusterRole") and _rbac(o) and _name(o) is not None:
                got = names.setdefault((o["kind"], _name(o)), set())
                for r in o.get("rules") or []:
                    if type(r) is dict and type(r.get("resourceNames")) is list:
                        kinds = [k for res in r.get("resources") or [] if type(res) is str
                                 for k in self.kinds(res.partition("/")[0], r.get("apiGroups"))]
                        got.update((k, n) for n in r["resourceNames"] for k in kinds if self.has(k, n))
        for o in objs:
            ref = o.get("roleRef") if o.get("kind") in ("RoleBinding", "ClusterRoleBinding") and _rbac(o) else None
            granted = names.get((ref.get("kind"), ref.get("name")), ()) if type(ref) is dict else ()
            for sub in o.get("subjects") or [] if granted else ():
                if type(sub) is dict and sub.get("kind") == "ServiceAccount" and type(sub.get("name")) is str \
                        and sub.get("namespace", namespace) == namespace:
                    self.granted.setdefault(sub["name"], set()).update(granted)

    def has(self, kind: str, name: Any) -> bool:
        return type(name) is str and name in self.names.get(kind, ())

    def kinds(self, resource: str, groups: Any) -> list[str]:
        """The kinds of the chart's objects that an RBAC rule's resource (`configmaps`,
        `validatingwebhookconfigurations`: the plural, without a subresource) in API groups
        ``groups`` (or `*`) names."""
        if type(groups) is not list:
            groups = [""]
        return sorted({k for k, gs in self.groups.items() if k in self.names for g in gs
                       if ("*" in groups or g in groups) and self.plurals.get((g, k), _plural(k)) == resource})

    @property
    def services(self) -> list[str]:
        return sorted(self.names.get("Service", ()))

    @property
    def webhooks(self) -> list[str]:
        return sorted(set().union(*(self.names.get(k, ()) for k in _WEBHOOKS)))


# Host names of a Service in text, each (pattern, replacement): ``SVC`` is the Service's name in
# the specs, ``NS`` the environments' namespaces, ``TO`` its name in the release and ``RNS``
# the release's namespace. Each pattern is RE2 and Python syntax alike (the chart's
# `<chart>.hosts` helper runs them with regexReplaceAll; :meth:`Hosts.mentions` with re); a
# name is never a part of a longer one (the characters around it are not [A-Za-z0-9_.-]).
# ``POD`` is a pod's host name under its Service, a StatefulSet's `<name>-<ordinal>` or `$(VAR)`
# (`vault-0.vault-internal`, `$(HOSTNAME).vault-internal`): only those, as `<label>.<svc>` is
# also `<svc>.<namespace>` where a Service is named like a namespace. A match takes the
# character after a name, which the next name of a list needs before it (`db:1,db:2`): the
# helper runs each pattern twice.
_POD = r"((?:[A-Za-z0-9-]*-[0-9]+|\$\([A-Za-z_][A-Za-z0-9_]*\))\.)"
HOST_PATTERNS = tuple((p.replace("POD", _POD), r) for p, r in (
    # [<pod>.]<svc>.<namespace>.svc[.cluster.local], anywhere
    (r"(^|[^A-Za-z0-9_.-])POD?SVC\.NS\.svc(\.cluster\.local)?([^A-Za-z0-9_.-]|$)", "${1}${2}TO.RNS.svc${3}${4}"),
    # [<pod>.]<svc>.<namespace>, whole (before a port, a comma, a space, the end)
    (r"(^|[^A-Za-z0-9_.-])POD?SVC\.NS([^A-Za-z0-9_.-]|$)", "${1}${2}TO.RNS${3}"),
    # a URL whose host is <svc>
    (r"([A-Za-z][A-Za-z0-9+.-]*://([^@/?#\s]*@)?)SVC([^A-Za-z0-9_.-]|$)", "${1}TO${3}"),
    # <pod>.<svc>:<port> (in a URL too)
    (r"(^|[^A-Za-z0-9_.-])PODSVC(:[0-9]+)(\.?[^A-Za-z0-9_.-]|\.?$)", "${1}${2}TO${3}${4}"),
    # <svc>:<port>, not after a `/` (an image `hashicorp/vault:1`; a URL's is above) nor a port
    # before a digit (an image's tag `redis:7.2`)
    (r"(^|[^A-Za-z0-9_./-])SVC(:[0-9]+)(\.?[^A-Za-z0-9_.-]|\.?$)", "${1}TO${2}${3}"),
))


class Hosts:
    """The host names of the chart's Services in text: `<svc>:<port>`, a URL whose host is
    `<svc>`, `<svc>.<namespace>.svc[.cluster.local]` and `<svc>.<namespace>` with an
    environment's namespace, all but the URL also after a pod's host name (`<pod>.<svc>:<port>`),
    not an image's name and tag (`hashicorp/vault:1.17`, `redis:7.2`).
    ``services`` is longest first, the order the helper rewrites them in, so that a rewritten
    name (`<release>-<svc>`) is never rewritten again. ``webhooks``: the chart's webhook
    configurations, which an env var naming one whole names the release's of (a controller
    patching its own webhook's CA bundle: vault-k8s's `AGENT_INJECT_TLS_AUTO`)."""

    def __init__(self, services: list[str], namespaces: list[str], webhooks: list[str] = ()):
        self.webhooks = sorted(set(webhooks))
        self.services = sorted(services, key=lambda s: (-len(s), s))
        self.ns = "(?:" + "|".join(re.escape(n) for n in sorted(set(namespaces))) + ")" if namespaces else ""
        self.patterns = [(p.replace("NS", self.ns), r) for p, r in HOST_PATTERNS if self.ns or "NS" not in p]
        self._any = re.compile("|".join(p.replace("SVC", "(?:" + "|".join(map(re.escape, self.services)) + ")")
                                        for p, _ in self.patterns)) if self.services else None

    def mentions(self, text: Any) -> bool:
        """Whether the helper would rewrite something in ``text`` (a string)."""
        return type(text) is str and self._any is not None and self._any.search(text) is not None


def _plural(kind: str) -> str:
    """The resource name of a kind, as the API server's (and a CRD's default) plural:
    `configmaps`, `ingresses`, `networkpolicies`, `endpoints`."""
    k = kind.lower()
    if k == "endpoints":
        return k
    if k.endswith(("s", "x", "z", "ch", "sh")):
        return k + "es"
    if k.endswith("y") and k[-2:-1] not in "aeiou":
        return k[:-1] + "ies"
    return k + "s"


def _crd_plural(o: dict, plurals: dict) -> None:
    spec = o.get("spec")
    names = spec.get("names") if type(spec) is dict else None
    if type(names) is dict and type(spec.get("group")) is str and type(names.get("kind")) is str \
            and type(names.get("plural")) is str:
        plurals[(spec["group"], names["kind"])] = names["plural"]


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
        if meta.get("namespace") == namespace and not _binds_system_role(o, scope):
            meta["namespace"] = NAMESPACE
        if type(meta.get("annotations")) is dict:
            _annotations(meta["annotations"], scope, namespace)
    spec = o.get("spec")
    if type(spec) is not dict:
        spec = {}
    pod = _get(o, _POD_SPEC.get(str(kind), ()))
    if type(pod) is dict and kind in _POD_SPEC:
        _pod(pod, scope, namespace)
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
    elif kind in ("Role", "ClusterRole") and _rbac(o):
        # a Role grants on its own namespace's objects: the chart's where it is the release's
        if kind == "ClusterRole" or type(meta) is dict and meta.get("namespace") in (NAMESPACE, None):
            for r in o.get("rules") or []:
                if type(r) is dict and type(r.get("resourceNames")) is list:
                    _resource_names(r, scope)
        for sel in _get(o, ("aggregationRule", "clusterRoleSelectors")) or []:
            _select(sel, scope.labels.get("ClusterRole"))
    elif kind == "ExternalSecret":
        t = spec.get("target")
        if type(t) is dict:
            _ref(t, "name", scope, "Secret")
    elif kind in _WEBHOOKS:
        for w in o.get("webhooks") or []:
            _service(_get(w, ("clientConfig", "service")), scope, namespace)
    elif kind == "CustomResourceDefinition":
        _service(_get(spec, ("conversion", "webhook", "clientConfig", "service")), scope, namespace)
        _service(_get(spec, ("conversion", "webhookClientConfig", "service")), scope, namespace)   # v1beta1
    elif kind == "APIService":
        _service(spec.get("service"), scope, namespace)
    elif kind == "Certificate" and _cert_manager(o):
        _certificate(spec, scope, namespace)
    elif kind == "Issuer" and _cert_manager(o) and type(spec.get("ca")) is dict:
        _ref(spec["ca"], "secretName", scope, "Secret")
    elif kind in _MONITORS:
        ns = spec.get("namespaceSelector")
        names = ns.get("matchNames") if type(ns) is dict else None
        if type(names) is list:
            ns["matchNames"] = [NAMESPACE if n == namespace else n for n in names]
        # what it selects where it looks (any namespace, those listed, else its own): the
        # chart's objects where that is the release's namespace
        v = o.get("apiVersion")
        if type(ns) is dict and ns.get("any") is True:
            own = True
        elif type(names) is list:
            own = namespace in names
        else:
            own = type(meta) is dict and meta.get("namespace") in (NAMESPACE, None)
        if own and type(v) is str and v.partition("/")[0] == _MONITORS[kind][0]:
            _select(spec.get("selector"), scope.labels.get(_MONITORS[kind][1]))
    return o


# the namespaces of Kubernetes' own Roles (`extension-apiserver-authentication-reader` in
# kube-system), which a chart's RoleBinding grants there
_SYSTEM = ("kube-system", "kube-public")


def _binds_system_role(o: dict, scope: Scope) -> bool:
    """Whether ``o`` is a RoleBinding in a namespace of Kubernetes' own that binds a Role the
    chart does not make: it stays there, where that Role is, also when the release is
    installed elsewhere. metrics-server's chart imported for kube-system bound
    `extension-apiserver-authentication-reader` in the release's namespace, where no such
    Role is: installed elsewhere, the server could not read the request-header CA, took the
    API server's calls for anonymous ones and refused them (`kubectl top` failed)."""
    r = o.get("roleRef")
    return o.get("kind") == "RoleBinding" and o["metadata"].get("namespace") in _SYSTEM and type(r) is dict \
        and r.get("kind") == "Role" and not scope.has("Role", r.get("name"))


# monitoring kinds: their group, and what their `spec.selector` selects (Services or pods)
_MONITORS = {"ServiceMonitor": ("monitoring.coreos.com", "Service"), "PodMonitor": ("monitoring.coreos.com", "Pod"),
             "VMServiceScrape": ("operator.victoriametrics.com", "Service"),
             "VMPodScrape": ("operator.victoriametrics.com", "Pod")}
_LABELS = ("metadata", "labels")


def _select(sel: Any, pool: list[dict] | None) -> None:
    """A label selector (of a kept object) that selects objects of the chart by their
    `app.kubernetes.io/instance` label (``pool``: the labels they have in the Kubernetes output)
    selects the release's: the chart sets that label to the release's name on every object."""
    ml = sel.get("matchLabels") if type(sel) is dict else None
    if type(ml) is not dict or INSTANCE not in ml or not pool:
        return
    if any(selects(sel, labels) for labels in pool):
        ml[INSTANCE] = RELEASE


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


def _pod(pod: dict, scope: Scope, namespace: str) -> None:
    """The names in a pod spec that follow the release. An env var's value that is the name of
    a chart object its ServiceAccount's Roles grant by `resourceNames`, of the kind the var's
    name says (textrefs.hinted), names that object to the program, which gets or patches it by
    that name: it follows too (MetalLB's controller reads its Deployment named by
    METALLB_DEPLOYMENT=controller; under another release its Role granted `<release>-controller`
    and the controller asked for `controller`)."""
    granted = scope.granted.get(pod.get("serviceAccountName", "default"), set())
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
            for key in ("command", "args"):
                if type(c.get(key)) is list:
                    c[key] = [flag(a, scope, namespace) if type(a) is str else a for a in c[key]]
            for ef in c.get("envFrom") or []:
                for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                    if type(ef) is dict and type(ef.get(key)) is dict:
                        _ref(ef[key], "name", scope, kind)
            for e in c.get("env") or []:
                if type(e) is dict and type(e.get("value")) is str and type(e.get("name")) is str \
                        and any((k, e["value"]) in granted for k in hinted(e["name"])):
                    e["value"] = Name(e["value"])
                vf = e.get("valueFrom") if type(e) is dict else None
                for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                    if type(vf) is dict and type(vf.get(key)) is dict:
                        _ref(vf[key], "name", scope, kind)


def _rbac(o: dict) -> bool:
    v = o.get("apiVersion")
    return type(v) is str and v.startswith("rbac.authorization.k8s.io/")


def _resource_names(rule: dict, scope: Scope) -> None:
    """An RBAC rule's `resourceNames` that name the chart's objects of the kinds its
    `resources` are (the names a controller may update: its webhook configuration, its
    ConfigMap) follow them; a Service's proxy, `[<scheme>:]<service>[:<port>]`, too."""
    kinds: list[str] = []
    proxied: list[str] = []
    for res in rule.get("resources") or []:
        if type(res) is str:
            base, _, sub = res.partition("/")
            found = scope.kinds(base, rule.get("apiGroups"))
            kinds += found
            if sub == "proxy":
                proxied += found
    if kinds:
        rule["resourceNames"] = [_resource_name(n, kinds, proxied, scope) for n in rule["resourceNames"]]


def _resource_name(n: Any, kinds: list[str], proxied: list[str], scope: Scope) -> Any:
    if any(scope.has(k, n) for k in kinds):
        return Name(n)
    if not proxied or type(n) is not str or ":" not in n:
        return n
    # `<name>:<port>`, `<scheme>:<name>:<port>` (the API server's split); and
    # `<scheme>:<name>`, which charts write too (kubernetes-dashboard's `http:<scraper>`)
    parts = n.split(":")
    i = 1 if len(parts) == 3 else 0 if len(parts) == 2 and any(scope.has(k, parts[0]) for k in proxied) else \
        1 if len(parts) == 2 and parts[0] in ("http", "https") else None
    if i is None or not any(scope.has(k, parts[i]) for k in proxied):
        return n
    return Joined(tuple(p for p in (":".join(parts[:i]) + ":" if i else "", Name(parts[i]),
                                    ":" + ":".join(parts[i + 1:]) if parts[i + 1:] else "") if p != ""))


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


# the kinds whose `webhooks[].clientConfig.service` names the Service the API server calls
_WEBHOOKS = frozenset(("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"))
# cert-manager's annotations naming an object: `<namespace>/<name>` (its CA injector's), or a
# name (an Ingress's issuer, in the Ingress's namespace)
_INJECT_CA = {"cert-manager.io/inject-ca-from": "Certificate", "cert-manager.io/inject-ca-from-secret": "Secret"}
_ISSUER = {"cert-manager.io/issuer": "Issuer", "cert-manager.io/cluster-issuer": "ClusterIssuer"}


def _cert_manager(o: dict) -> bool:
    v = o.get("apiVersion")
    return type(v) is str and v.startswith("cert-manager.io/")


def _service(svc: Any, scope: Scope, namespace: str) -> None:
    """A Service named with its namespace (a webhook's, an APIService's): the chart's Service in
    the environment's namespace is the release's, in the release's namespace; any other stays."""
    if type(svc) is dict and svc.get("namespace") == namespace and scope.has("Service", svc.get("name")):
        svc["name"] = Name(svc["name"])
        svc["namespace"] = NAMESPACE


def _annotations(ann: dict, scope: Scope, namespace: str) -> None:
    """cert-manager's CA injection names `<namespace>/<name>`: in the environment's namespace,
    that is the release's. The name follows the release where the chart makes the object; one
    it does not (a webhook's own CA Secret, which the webhook writes at run time into its pod's
    namespace: cert-manager's `cert-manager-webhook-ca`) keeps its name, in the release's
    namespace, or the injector looks in the import's namespace and never fills the caBundle."""
    for key, kind in _INJECT_CA.items():
        v = ann.get(key)
        if type(v) is str:
            ns, _, name = v.partition("/")
            if ns == namespace and name:
                ann[key] = Joined((NAMESPACE, "/", Name(name) if scope.has(kind, name) else name))
    for key, kind in _ISSUER.items():
        _ref(ann, key, scope, kind)


def _certificate(spec: dict, scope: Scope, namespace: str) -> None:
    """A cert-manager Certificate: its issuer and Secret, and the host names of the chart's
    Services it is for (the names a webhook's clients check)."""
    ref = spec.get("issuerRef")
    if type(ref) is dict:
        kind = ref.get("kind") or "Issuer"
        _ref(ref, "name", scope, kind if type(kind) is str else "")
    _ref(spec, "secretName", scope, "Secret")
    if type(spec.get("commonName")) is str:
        spec["commonName"] = host(spec["commonName"], scope, namespace)
    if type(spec.get("dnsNames")) is list:
        spec["dnsNames"] = [host(d, scope, namespace) if type(d) is str else d for d in spec["dnsNames"]]
