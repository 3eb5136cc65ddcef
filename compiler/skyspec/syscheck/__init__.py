"""The system check: does a set of Kubernetes objects work together as a running system?

Pure functions of plain objects (dicts, as the Kubernetes backend makes them or as YAML
files hold them), so the same check runs after lowering (`passes/system_check.py`, the
findings then located at the spec) and on any folder of manifests (`skyspec verify DIR`,
located at the file and object). It checks that

- every Service with a selector selects the pods of at least one workload (a warning where
  an operator's custom resource may make them, or they lack only keys no template sets: set
  at runtime), and its `targetPort`s exist there (a named one must be a named container
  port; a number not declared by pods that declare ports is a warning);
- the namespace's `kube-root-ca.crt` ConfigMap, which Kubernetes publishes, is there;
- no probe calls a Service that selects its own pod (it cannot pass while no pod is ready);
- every probe names a port its container has, every Ingress backend names a Service and a
  port of it, every `HOST:PORT` address in an env var that names a Service uses one of its
  ports;
- no container mounts two volumes at one path;
- every ConfigMap, Secret, PersistentVolumeClaim and ServiceAccount a pod uses is among
  the objects (a StatefulSet's claim templates and an ExternalSecret's target count) or
  declared as existing;
- no two objects have one identity (API group, kind, namespace and name);
- every connection (the addresses above, Ingress -> backend pods from the ingress
  controller's namespace, LoadBalancer/NodePort -> pods from outside) is admitted by the
  NetworkPolicies as Kubernetes computes it: a pod selected by no policy of a type admits
  everything of that type; a pod selected by some admits what one of their rules allows
  (podSelector, namespaceSelector, ipBlock, ports with names and endPort), on both ends.

It never reads files, prints or raises on malformed input: what it cannot read is skipped.
:mod:`.objects` reads the objects (pods, selectors); :mod:`.netpol` is the NetworkPolicy
semantics.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any, Iterator

from ..record import Record
from .netpol import _Policies, _types, admitted  # noqa: F401  (re-exported)
from .objects import (EXTERNAL, POD_KINDS, Pod, System, _dict, _list, _meta, label, pod_spec, pods,  # noqa: F401
                      selects)

# codes (registered in codes.py)
NO_PODS, NO_PORT, MISSING, DENIED, TWICE = "SKY160", "SKY161", "SKY162", "SKY163", "SKY110"
SELF_CALL = "SKY165"
MOUNTED_TWICE = "SKY166"


class Finding(Record):
    """A problem the check found, with the object at fault."""

    def __init__(self, code: str, severity: str, obj: dict, message: str, hint: str | None = None,
                 about: tuple = (), other: dict | None = None) -> None:
        self.code = code
        self.severity = severity  # error | warning
        self.obj = obj  # the object at fault
        self.message = message
        self.hint = hint
        self.about = about  # what it is about: ("port", name), ("env", NAME), ("connect", svc), ...
        self.other = other  # the object it clashes with (an object made twice: the first one)

# ---------------------------------------------------------------------------- the check

def check(sys_: System) -> list[Finding]:
    # each object's (kind, namespace, name) read once, and the objects of the kinds read, in order
    keyed = [(o, o.get("kind"), sys_.ns(o), _meta(o).get("name")) for o in sys_.objects]
    of: dict[Any, list] = {"Service": [], "Ingress": [], "NetworkPolicy": []}
    for k in keyed:
        if k[1] in of:
            of[k[1]].append(k)
    ps = pods(sys_)
    out: list[Finding] = []
    _twice(keyed, out)
    services = {(ns, name): o for o, _, ns, name in of["Service"]}
    backing: dict[int, list[Pod]] = {}   # by id: the Services of `services`, whose pods connections reach
    by_label = _PodIndex(ps)
    custom = {}   # namespace -> the first custom resource of it: an operator may make pods from it
    for o, kind, ns, _ in keyed:
        if ns not in custom and _custom(o):
            custom[ns] = o
    for svc in services.values():
        backing[id(svc)] = _service(sys_, svc, by_label, out, custom)
    have = _provided(sys_, keyed)
    selecting: dict[int, list] = {}   # by id: the pods of `ps` -> the Services of `services` selecting them
    for svc in services.values():
        for p in backing[id(svc)]:
            selecting.setdefault(id(p), []).append(svc)
    for p in ps:
        _probes(p, out)
        _mounts(p, out)
        if id(p) in selecting:
            _self_calls(sys_, p, selecting[id(p)], out)
        _references(p, out, have)
    conns = list(_addresses(sys_, ps, services, out))
    for svc in services.values():
        t = _dict(svc.get("spec")).get("type")
        if t in ("LoadBalancer", "NodePort"):
            for sp in _list(_dict(svc.get("spec")).get("ports")):
                conns.append((EXTERNAL, svc, _dict(sp), svc, ("expose",)))
    for o, _, _, _ in of["Ingress"]:
        conns.extend(_ingress(sys_, o, services, out))
    policies = _Policies(sys_, [o for o, _, _, _ in of["NetworkPolicy"]])
    namespaces = _namespace_labels(sys_, ps, keyed)
    for source, svc, sport, at, about in conns:
        for target in backing.get(id(svc), []):
            port = target_port(target, sport)
            if port is None:
                continue
            ok, why = admitted(sys_, policies, namespaces, source, target, port)
            if not ok:
                who = "outside the cluster" if source == EXTERNAL else (
                    f"namespace {source}" if isinstance(source, str) else label(source.obj))
                own = _dict(target.obj.get("metadata")).get("name") if source is not EXTERNAL and \
                    not isinstance(source, str) and source.obj is target.obj else None
                out.append(Finding(DENIED, "error", at, f"{label(target.obj)} does not admit traffic from {who} "
                                   f"to port {port[0]} ({label(svc)}): {why}",
                                   f"its pods call each other through its Service: admit them with `kind: "
                                   f"NetworkPolicy`, `select: {{app: {own}}}`, `allow_from: [{{app: {own}}}]` (or "
                                   "call localhost, if it means itself)" if own else
                                   "add a NetworkPolicy ingress rule (and egress rule) that admits it", about))
    return out


def _twice(keyed: list, out: list) -> None:
    """Two objects of one identity (API group, kind, namespace, name): `kubectl apply` lets
    the second replace the first (a policy's rules, a Service's selector are lost), and
    Kustomize refuses the tree."""
    seen: dict[tuple, dict] = {}
    for o, kind, ns, name in keyed:
        if not isinstance(kind, str) or not isinstance(name, str):
            continue
        api = o.get("apiVersion")
        key = (api.rpartition("/")[0] if isinstance(api, str) else "", kind, ns, name)
        first = seen.setdefault(key, o)
        if first is not o:
            out.append(Finding(TWICE, "error", o, f"{label(o)} is made twice in namespace {ns}: `kubectl apply` keeps "
                               "the last one written, and Kustomize refuses the tree",
                               "give one of them another name (skyspec names what it makes after its workload: "
                               "`<app>`, `<app>-headless`, `<app>-ingress`, `<project>-default-deny`)", ("twice",),
                               first))


class _PodIndex:
    """The pods by (namespace, label, value): a Service's selector is matched against the
    pods holding one of its pairs (the fewest), not against every pod of the system (which
    made the check quadratic in the number of workloads)."""

    def __init__(self, ps: list[Pod]):
        self.by: dict[tuple, list[Pod]] = {}
        self.ordered: dict[str, list[Pod]] = {}   # namespace -> its StatefulSets' pods
        self.pods: dict[str, list[Pod]] = {}      # namespace -> its pods
        self.order = {id(p): i for i, p in enumerate(ps)}
        for p in ps:
            self.pods.setdefault(p.namespace, []).append(p)
            for k, v in p.labels.items():
                self.by.setdefault((p.namespace, k, v), []).append(p)
            if p.obj.get("kind") == "StatefulSet":
                self.ordered.setdefault(p.namespace, []).append(p)

    def selected(self, ns: str, sel: dict) -> list[Pod]:
        """The pods of namespace ``ns`` that `matchLabels: sel` (non-empty) selects, in
        the system's order. The labels the StatefulSet controller puts on each of its pods
        (`statefulset.kubernetes.io/pod-name: web-0`, `apps.kubernetes.io/pod-index: 0`)
        select the StatefulSet whose ordinals include it (a Service per pod)."""
        own = {k: v for k, v in sel.items() if k not in ORDINAL}
        fewest = min((self.by.get((ns, k, str(v)), ()) for k, v in own.items()), key=len) if own else \
            self.ordered.get(ns, ())
        return [p for p in fewest if selects({"matchLabels": own}, p.labels) and _ordinal(p, sel)]

    def labelled_later(self, ns: str, sel: dict, named: frozenset = frozenset()) -> tuple[list[Pod], list[str]]:
        """(the pods of namespace ``ns`` that ``sel`` selects once labelled with keys no template of ``ns``
        sets, those keys): an HA app's active member (`vault-active`), which the app labels at runtime;
        where no pod has any pair of ``sel``, those declaring a port of a name in ``named`` (the
        Service's named target ports)."""
        own = {k: str(v) for k, v in sel.items() if k not in ORDINAL}
        templated = {k for n, k, _ in self.by if n == ns}   # (a key some template sets: a mistake, not later)
        seen: dict[int, Pod] = {}
        for k, v in own.items():
            for p in self.by.get((ns, k, v), ()):
                seen.setdefault(id(p), p)
        if not seen and own and not templated.intersection(own) and named:
            # a selector of runtime labels only (longhorn-manager labels its own pods
            # `longhorn.io/admission-webhook`): the pods that declare the port it targets by name
            seen = {id(p): p for p in self.pods.get(ns, ()) if any(cp.get("name") in named for cp in p.ports())}
        later, keys = [], set()
        for p in sorted(seen.values(), key=lambda p: self.order[id(p)]):   # in the system's order
            absent = [k for k in own if k not in p.labels]
            if absent and not templated.intersection(absent) and _ordinal(p, sel) \
                    and all(p.labels[k] == v for k, v in own.items() if k in p.labels):
                later.append(p)
                keys.update(absent)
        return later, sorted(keys)


ORDINAL = ("statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index")


def _ordinal(p: Pod, sel: dict) -> bool:
    """Whether the pod-name and pod-index pairs of ``sel`` (if any) name a pod of ``p``'s
    StatefulSet: an ordinal below its replicas (any, when it sets none it could be scaled to)."""
    wanted = [(k, str(sel[k])) for k in ORDINAL if k in sel]
    if not wanted:
        return True
    if p.obj.get("kind") != "StatefulSet":
        return False
    name, replicas = _meta(p.obj).get("name"), _dict(p.obj.get("spec")).get("replicas")
    for k, v in wanted:
        i = v[len(f"{name}-"):] if k == ORDINAL[0] and v.startswith(f"{name}-") else v if k == ORDINAL[1] else ""
        if not (i.isdigit() and i.isascii() and str(int(i)) == i) or (isinstance(replicas, int) and int(i) >= replicas):
            return False
    return True


# custom resources no operator makes pods from (skyspec writes the first two itself)
NO_PODS_FROM = frozenset(("ServiceMonitor", "ExternalSecret", "PodMonitor", "PrometheusRule", "SecretStore",
                          "ClusterSecretStore", "Certificate", "CertificateRequest", "Issuer", "ClusterIssuer"))


def _custom(o: dict) -> bool:
    """Whether ``o`` is a custom resource (its API group is no Kubernetes group) an operator
    may make pods from that no object here shows (not a monitor, a secret store, a certificate)."""
    api = o.get("apiVersion")
    group = api.rpartition("/")[0] if isinstance(api, str) else ""
    return "." in group and not group.endswith(".k8s.io") and o.get("kind") not in NO_PODS_FROM


def _service(sys_: System, svc: dict, by_label: _PodIndex, out: list, custom: dict | None = None) -> list[Pod]:
    spec = _dict(svc.get("spec"))
    sel = spec.get("selector")
    if not isinstance(sel, dict) or not sel or spec.get("type") == "ExternalName":
        return []
    ns = sys_.ns(svc)
    chosen = by_label.selected(ns, sel)
    named = frozenset(tp for sp in _list(spec.get("ports")) if isinstance(tp := _dict(sp).get("targetPort"), str)
                      and not tp.isdigit())
    later, keys = by_label.labelled_later(ns, sel, named) if not chosen else ([], [])
    if later:   # the pods of a workload, once labelled at runtime: the ports are checked on them
        out.append(Finding(NO_PODS, "warning", svc, f"{label(svc)} selects the pods of "
                           f"{', '.join(sorted({label(p.obj) for p in later}))} only once they carry "
                           f"{', '.join(f'{k}={sel[k]}' for k in keys)}, which their template does not set",
                           "the app or an operator may set it at runtime (vault's `vault-active`, Patroni's role "
                           "label); if none does, make the selector match the pod template's labels", ("service",)))
        chosen = later
    if not chosen:
        maker = (custom or {}).get(ns)
        labels = ", ".join(f"{k}={v}" for k, v in sorted(sel.items()))
        if maker is not None:  # the pods of an operator's custom resource (a Prometheus, a Kafka cluster)
            out.append(Finding(NO_PODS, "warning", svc, f"{label(svc)} selects no pod of these objects: no workload "
                               f"in namespace {ns} has the labels {labels} (an operator may make them: "
                               f"{label(maker)} is a custom resource)",
                               "if no operator makes such pods, make the selector match a workload's pod template "
                               "labels", ("service",)))
            return []
        out.append(Finding(NO_PODS, "error", svc, f"{label(svc)} selects no pod: no workload in namespace {ns} has "
                           f"the labels {labels}",
                           "make the selector match a workload's pod template labels", ("service",)))
        return []
    for sp in _list(spec.get("ports")):
        sp = _dict(sp)
        tp = sp.get("targetPort", sp.get("port"))
        if isinstance(tp, str) and not tp.isdigit():
            lacking = [p for p in chosen if not any(cp.get("name") == tp for cp in p.ports())]
            for p in lacking:
                if len(lacking) == len(chosen):   # the Service port reaches no pod
                    out.append(Finding(NO_PORT, "error", svc, f'{label(svc)} targets port "{tp}", which '
                                       f"{label(p.obj)} does not declare", _names_hint(p),
                                       ("port", sp.get("name") or tp)))
                else:   # Kubernetes sends it to the pods that declare the name (a metrics Service of several)
                    out.append(Finding(NO_PORT, "warning", svc, f'{label(svc)} targets port "{tp}", which '
                                       f"{label(p.obj)} does not declare: its pods get none of that port's traffic",
                                       f"the Service's other pods declare it; {_names_hint(p)} (narrow the selector "
                                       "if these pods are not meant to be selected)", ("port", sp.get("name") or tp)))
        elif tp is not None:
            num = int(tp)
            if all(p.ports() and not any(cp.get("containerPort") == num for cp in p.ports()) for p in chosen):
                out.append(Finding(NO_PORT, "warning", svc, f"{label(svc)} targets port {num}, which none of its pods "
                                   f"declares ({', '.join(label(p.obj) for p in chosen)})", _names_hint(chosen[0]),
                                   ("port", sp.get("name") or num)))
    return chosen


def _names_hint(p: Pod) -> str:
    names = [f'{cp.get("name") or "-"}:{cp.get("containerPort")}' for cp in p.ports()]
    return f"its ports: {', '.join(names)}" if names else "it declares no container port"


def _probes(p: Pod, out: list) -> None:
    for c in p.containers():
        ports = [cp for cp in _list(c.get("ports")) if isinstance(cp, dict)]
        for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
            pr = c.get(kind)
            if not isinstance(pr, dict):
                continue
            for h in ("httpGet", "tcpSocket", "grpc"):
                port = _dict(pr.get(h)).get("port")
                if port is None:
                    continue
                if isinstance(port, str) and not port.isdigit():
                    if not any(cp.get("name") == port for cp in ports):
                        out.append(Finding(NO_PORT, "error", p.obj, f'the {kind} of container "{c.get("name")}" in '
                                           f'{label(p.obj)} names port "{port}", which the container does not declare',
                                           _names_hint(p), ("probe", c.get("name"), kind)))
                elif ports and not any(cp.get("containerPort") == int(port) for cp in ports):
                    out.append(Finding(NO_PORT, "warning", p.obj, f'the {kind} of container "{c.get("name")}" in '
                                       f"{label(p.obj)} checks port {port}, which the container does not declare",
                                       _names_hint(p), ("probe", c.get("name"), kind)))


def _mounts(p: Pod, out: list) -> None:
    """Two volumes mounted at one path of a container: the API server refuses the pod (a
    `mountPath` must be unique), and where the paths differ only in spelling (`/a/`, `/a`)
    the second hides the first."""
    for c in p.containers():
        seen: dict[str, str] = {}
        for m in _list(c.get("volumeMounts")):
            m = _dict(m)
            path, vol = m.get("mountPath"), m.get("name")
            if not isinstance(path, str) or not path.startswith("/"):
                continue
            key = posixpath.normpath(path)
            if key not in seen:
                seen[key] = vol
                continue
            out.append(Finding(MOUNTED_TWICE, "error", p.obj, f'container "{c.get("name")}" of {label(p.obj)} mounts '
                               f'volumes "{seen[key]}" and "{vol}" both at {key}: the API server refuses the pod, a '
                               "mount path being unique in a container", "mount one of them elsewhere, or drop it",
                               ("volume", vol)))


_URL_HOST = re.compile(r"(?:^|[\s'\"=])[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/\s]*@)?([A-Za-z0-9.-]+)")
_PORT_HOST = re.compile(r"(?:^|[\s'\"=])([A-Za-z0-9.-]+):[0-9]+(?=$|[/\s'\"])")
_OPTION_HOST = re.compile(r"(?:^|\s)(?:-h|--host|--hostname)(?:\s+|=)([A-Za-z0-9.-]+)")


def _probe_hosts(pr: dict) -> list[str]:
    """The hosts a probe names: an `httpGet`'s or `tcpSocket`'s `host`, and those its `exec`
    command calls (a URL's, `HOST:PORT`, `-h HOST` or `--host HOST`)."""
    hosts = [h for k in ("httpGet", "tcpSocket") if isinstance(h := _dict(pr.get(k)).get("host"), str)]
    words = [w for w in _list(_dict(pr.get("exec")).get("command")) if isinstance(w, str)]
    for i, w in enumerate(words):
        if i and words[i - 1] in ("-h", "--host", "--hostname"):
            hosts.append(w)
        for rx in (_URL_HOST, _PORT_HOST, _OPTION_HOST):
            hosts += rx.findall(w)
    return hosts


def _self_calls(sys_: System, p: Pod, services: list, out: list) -> None:
    """A probe calling a Service that selects its own pod: a Service sends traffic only to
    ready pods, so a readiness probe through it never passes while no pod is ready (the
    rollout never starts), and a liveness probe fails whenever none is (restarts feed each
    other). Compose resolves a container's own name to itself, which makes such a healthcheck
    common there. A Service publishing not-ready addresses reaches the pod anyway."""
    names = {}
    for svc in services:
        if _dict(svc.get("spec")).get("publishNotReadyAddresses") is True:
            continue
        name, ns = _meta(svc).get("name"), sys_.ns(svc)
        for n in (name, f"{name}.{ns}", f"{name}.{ns}.svc", f"{name}.{ns}.svc.cluster.local"):
            names[n] = svc
    for c in p.containers():
        for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
            pr = c.get(kind)
            hit = next((h for h in _probe_hosts(pr) if h.rstrip(".") in names), None) if isinstance(pr, dict) else None
            if hit is not None:
                out.append(Finding(SELF_CALL, "warning", p.obj, f'the {kind} of container "{c.get("name")}" in '
                                   f"{label(p.obj)} calls {hit}, {label(names[hit.rstrip('.')])}, which selects its "
                                   "own pods: a Service sends traffic only to ready pods, so the probe cannot pass "
                                   "while none is", "call localhost: a probe runs in the pod",
                                   ("probe", c.get("name"), kind)))


def _provided(sys_: System, keyed: list[tuple]) -> set:
    have = set()
    for o, kind, ns, name in keyed:
        have.add((kind, ns, name))
        if kind == "ExternalSecret":
            target = _dict(_dict(o.get("spec")).get("target")).get("name") or name
            have.add(("Secret", ns, target))
        if kind == "StatefulSet":
            for t in _list(_dict(o.get("spec")).get("volumeClaimTemplates")):
                have.add(("PersistentVolumeClaim", ns, ("template", _meta(_dict(t)).get("name"))))
    for kind, ns, name in sys_.existing:
        have.add((kind, ns, name))
    return have


ROOT_CA = ("ConfigMap", "kube-root-ca.crt")   # in every namespace: Kubernetes (1.20+) publishes the cluster's CA there
_REFERRING = frozenset(("configMap", "secret", "persistentVolumeClaim", "projected"))  # volume sources naming objects


def _references(p: Pod, out: list, have: set) -> None:
    ns = p.namespace

    def need(kind: str, name: Any, about: tuple, optional: Any = False) -> None:
        if not name or optional is True:
            return
        if (kind, ns, name) in have or (kind, None, name) in have or (kind, name) == ROOT_CA:
            return
        if kind == "PersistentVolumeClaim" and ("PersistentVolumeClaim", ns, ("template", name)) in have:
            return
        out.append(Finding(MISSING, "error", p.obj, f'{label(p.obj)} uses {kind} "{name}", which is neither among '
                           "the objects nor declared as existing",
                           f"add the {kind}, or declare it as existing", about))

    sa = p.spec.get("serviceAccountName") or p.spec.get("serviceAccount")
    if sa and sa != "default":
        need("ServiceAccount", sa, ("service_account",))
    for v in _list(p.spec.get("volumes")):
        v = _dict(v)
        if not v.keys() & _REFERRING:  # an emptyDir (most): it refers to nothing
            continue
        need("ConfigMap", _dict(v.get("configMap")).get("name"), ("volume", v.get("name")), _dict(v.get("configMap")).get("optional"))
        need("Secret", _dict(v.get("secret")).get("secretName"), ("volume", v.get("name")), _dict(v.get("secret")).get("optional"))
        need("PersistentVolumeClaim", _dict(v.get("persistentVolumeClaim")).get("claimName"), ("volume", v.get("name")))
        for src in _list(_dict(v.get("projected")).get("sources")):
            src = _dict(src)
            need("ConfigMap", _dict(src.get("configMap")).get("name"), ("volume", v.get("name")), _dict(src.get("configMap")).get("optional"))
            need("Secret", _dict(src.get("secret")).get("name"), ("volume", v.get("name")), _dict(src.get("secret")).get("optional"))
    for c in p.containers():
        for ef in _list(c.get("envFrom")):
            ef = _dict(ef)
            need("ConfigMap", _dict(ef.get("configMapRef")).get("name"), ("env_from",), _dict(ef.get("configMapRef")).get("optional"))
            need("Secret", _dict(ef.get("secretRef")).get("name"), ("env_from",), _dict(ef.get("secretRef")).get("optional"))
        for e in _list(c.get("env")):
            vf = _dict(e).get("valueFrom")
            if not isinstance(vf, dict):  # a literal value (most): it refers to nothing
                continue
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                ref = _dict(vf.get(key))
                need(kind, ref.get("name"), ("env", e.get("name")), ref.get("optional"))


_ADDR = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]*@)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)"
                   r"(?:\.([a-z0-9-]+))?(?:\.svc(?:\.cluster\.local)?)?:([0-9]{1,5})(?:[/?#].*)?$")


def _addresses(sys_: System, ps: list[Pod], services: dict, out: list) -> Iterator[tuple]:
    """Connections read from env vars: `HOST:PORT` (or a URL) naming a Service, and a
    `X_HOST`/`X_PORT` pair; a port the Service does not have is reported."""
    for p in ps:
        for c in p.containers():
            env = {_dict(e).get("name"): _dict(e).get("value") for e in _list(c.get("env"))}
            for name, value in env.items():
                if not isinstance(value, str):
                    continue
                found = None
                m = _ADDR.match(value) if ":" in value else None  # (an address has one)
                if m:
                    found = (m.group(1), m.group(3) or p.namespace, int(m.group(4)))
                elif name and name.endswith("_HOST") and isinstance(env.get(name[:-5] + "_PORT"), str) \
                        and env[name[:-5] + "_PORT"].isdigit():
                    host = value.split(".")
                    found = (host[0], host[1] if len(host) > 1 and host[1] != "svc" else p.namespace,
                             int(env[name[:-5] + "_PORT"]))
                if found is None or (found[1], found[0]) not in services:
                    continue
                svc = services[(found[1], found[0])]
                sport = next((_dict(sp) for sp in _list(_dict(svc.get("spec")).get("ports"))
                              if _dict(sp).get("port") == found[2]), None)
                if sport is None:
                    have = [str(_dict(sp).get("port")) for sp in _list(_dict(svc.get("spec")).get("ports"))]
                    out.append(Finding(NO_PORT, "error", p.obj, f'env {name} of {label(p.obj)} connects to port '
                                       f"{found[2]} of {label(svc)}, which has ports {', '.join(have) or 'none'}",
                                       f"use port {have[0]}" if have else None, ("env", name, found[0])))
                    continue
                yield p, svc, sport, p.obj, ("env", name, found[0])


def _ingress(sys_: System, ing: dict, services: dict, out: list) -> Iterator[tuple]:
    ns = sys_.ns(ing)
    spec = _dict(ing.get("spec"))
    backends = [_dict(spec.get("defaultBackend"))] if spec.get("defaultBackend") else []
    for r in _list(spec.get("rules")):
        for path in _list(_dict(_dict(r).get("http")).get("paths")):
            backends.append(_dict(_dict(path).get("backend")))
    for b in backends:
        s = _dict(b.get("service"))
        if not s:
            continue
        svc = services.get((ns, s.get("name")))
        if svc is None:
            out.append(Finding(MISSING, "error", ing, f'{label(ing)} routes to Service "{s.get("name")}", which is not '
                               "among the objects", "name a Service of the system", ("ingress",)))
            continue
        want = _dict(s.get("port"))
        sport = next((_dict(sp) for sp in _list(_dict(svc.get("spec")).get("ports"))
                      if ("name" in want and _dict(sp).get("name") == want["name"])
                      or ("number" in want and _dict(sp).get("port") == want["number"])), None)
        if sport is None:
            out.append(Finding(NO_PORT, "error", ing, f"{label(ing)} routes to port {want.get('name', want.get('number'))} "
                               f"of {label(svc)}, which the Service does not have", None, ("ingress",)))
            continue
        yield sys_.ingress_namespace, svc, sport, ing, ("ingress",)


def target_port(p: Pod, sport: dict) -> tuple[int, str, str | None] | None:
    """(number, protocol, name) of the container port a Service port reaches on this pod."""
    tp = sport.get("targetPort", sport.get("port"))
    proto = sport.get("protocol", "TCP")
    if isinstance(tp, str) and not tp.isdigit():
        cp = next((cp for cp in p.ports() if cp.get("name") == tp), None)
        return (cp.get("containerPort"), cp.get("protocol", "TCP"), tp) if cp else None
    if tp is None:
        return None
    num = int(tp)
    cp = next((cp for cp in p.ports() if cp.get("containerPort") == num), None)
    return num, proto, cp.get("name") if cp else None


def _namespace_labels(sys_: System, ps: list[Pod], keyed: list[tuple]) -> dict[str, dict]:
    names = {p.namespace for p in ps} | {sys_.ingress_namespace} | {ns for _, _, ns, _ in keyed}
    out = {n: {"kubernetes.io/metadata.name": n} for n in names}
    for o, kind, _, _ in keyed:
        if kind == "Namespace" and _meta(o).get("name"):
            n = _meta(o)["name"]
            out[n] = {**{k: str(v) for k, v in _dict(_meta(o).get("labels")).items()},
                      "kubernetes.io/metadata.name": n}
    return out
