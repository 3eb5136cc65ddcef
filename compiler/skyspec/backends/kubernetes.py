"""Kubernetes backend: the IR into plain manifests.

A pure function of the IR. Files: `<env>/kubernetes/<workload>.yaml` with every object a
workload lowers to, `<kind>.<name>.yaml` for the rest and `namespace.yaml`; a name taken
already gets a number (:class:`~.common.FileGroups`). Objects carry the standard `app.kubernetes.io/*` labels
and, when namespaced, the namespace; never a timestamp; the same IR gives the same bytes.

Strategies lower to plain objects: blue-green is two Deployments (`<name>-blue`,
`<name>-green`, told apart by the `skyspec.dev/color` label) and a Service selecting the
active color (plus `<name>-preview` selecting the other when it runs a preview image);
canary is `<name>` (track stable) and `<name>-canary` (track canary) sharing one Service,
the replicas split by percent.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

from ..diagnostics import Diagnostics
from ..ir import k8sfields, k8spatch
from ..ir.model import IR, Container, Probe, Workload, canary_split
from ..units import format_bytes as _format_bytes, format_cpu
from .common import MANAGED_BY, FileGroups, forget, labels, selector, shared
from ..yamlemit import dump_all

COLOR = "skyspec.dev/color"
TRACK = "skyspec.dev/track"
# Fixed choices of this backend (`skyspec explain` points at these lines).
PATH_TYPE = "Prefix"                 # an Ingress path matches by prefix
SPREAD_KEYS = {"nodes": "kubernetes.io/hostname", "zones": "topology.kubernetes.io/zone"}  # `spread:` -> topology key
MAX_SKEW = 1                         # topology spread: pods per domain may differ by at most this
WHEN_UNSATISFIABLE = "ScheduleAnyway"   # topology spread is a preference, never a reason not to schedule
CREATION_POLICY = "Owner"            # an ExternalSecret owns the Secret it creates
FIELD_REF_API = "v1"                 # a `downward:` fieldRef's API version: what the API server defaults it to
EVERY_POD: dict = {}                 # a NetworkPolicy spec without `select` applies to every pod of its namespace
POLICY_TYPES = ("Ingress",)          # ... and one that denies and allows nothing isolates its pods' ingress
# the pods' scrape annotations (Prometheus' `kubernetes-pods` job), which `annotations:` puts on no Service
POD_SCRAPE = ("prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path", "prometheus.io/scheme")


def render(irs: dict[str, IR], last: bool = False) -> dict[str, str]:
    """`<env>/kubernetes/<file>.yaml` for every environment (:func:`rendered`)."""
    return dict(rendered(irs, last))


def rendered(irs: dict[str, IR], last: bool = False) -> Iterator[tuple[str, str]]:
    """(`<env>/kubernetes/<file>.yaml`, its text) for every environment, one after the
    other. ``last``: nothing reads these IRs' objects after this (a worker rendering its
    unit): each file's objects are freed once written, rather than kept by
    :func:`~.common.sharing` (at 10,000 apps, ~120 MB an environment)."""
    for env, ir in irs.items():
        groups = files(ir)
        if last:
            forget(ir)
        for fname in list(groups):
            yield f"{env}/kubernetes/{fname}", dump_all(groups.pop(fname))


def files(ir: IR) -> dict[str, list[dict]]:
    """file name -> objects, for one environment (made once within :func:`sharing`)."""
    memo = shared(ir)
    if memo is None:
        return _files(ir)
    if "files" not in memo:
        memo["files"] = _files(ir)
    return {f: list(objs) for f, objs in memo["files"].items()}


def _files(ir: IR) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = FileGroups()
    owned = _owned(ir)
    for w in sorted(ir.workloads, key=lambda w: w.name):
        groups[f"{w.name}.yaml"] = _patched(lowered(ir, w, owned), w.k8s)
    if ir.pod_security is not None:  # a SecurityPolicy's labels, or {} (passes/network.py)
        groups["namespace.yaml"] = [{"apiVersion": "v1", "kind": "Namespace",
                                     "metadata": {"name": ir.namespace,
                                                  "labels": {**_std(ir, ir.namespace), **ir.pod_security}}}]
    for c in ir.configs:
        if c.existing:   # the cluster's already: nothing to write
            continue
        groups[f"configmap.{c.name}.yaml"] = _patched([{
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(ir, c.name, c.namespace, c.labels, c.annotations),
            "data": dict(c.data)}], c.k8s)
    for s in ir.secrets:
        if s.mode == "external":
            groups[f"externalsecret.{s.name}.yaml"] = [external_secret(ir, s)]
    for a in [a for a in ir.accounts if not a.existing]:   # (an existing one is the cluster's already)
        sa: dict = {"apiVersion": "v1", "kind": "ServiceAccount",
                    "metadata": _meta(ir, a.name, a.namespace, a.labels, a.annotations)}
        if a.automount is not None:
            sa["automountServiceAccountToken"] = a.automount
        groups[f"serviceaccount.{a.name}.yaml"] = _patched([sa], a.k8s)
    for r in ir.roles:
        groups[f"{r.kind.lower()}.{r.name}.yaml"] = _patched(role_objects(ir, r), r.k8s)
    names = {w.name for w in ir.workloads}
    for n in ir.netpols:
        if n.owner and n.owner in names:  # a workload's own policy: in its file (lowered)
            continue
        else:
            groups[f"networkpolicy.{n.name}.yaml"] = _patched([network_policy(ir, n)], n.k8s)
    named: dict = {}   # a monitor's workload by name, found once (ir.workload scans every workload)
    for w in ir.workloads if ir.monitors else ():
        named.setdefault(w.name, w)
    for m in ir.monitors:
        groups[f"servicemonitor.{m.name}.yaml"] = [service_monitor(ir, m, named.get(m.app))]
    if ir.quota is not None and ir.quota.hard:  # the environment's `quota` (passes/quota.py)
        groups[f"resourcequota.{ir.quota.name}.yaml"] = [{
            "apiVersion": "v1", "kind": "ResourceQuota", "metadata": _meta(ir, ir.quota.name, ir.namespace),
            "spec": {"hard": ir.quota.hard}}]
    for r in ir.raw:
        obj = r["object"]
        if r["namespaced"]:
            obj = {**obj, "metadata": {**obj["metadata"], "namespace": obj["metadata"].get("namespace", ir.namespace)}}
        # named by its document: the object's own name may hold ':' (RBAC), which no file name should
        name = r["spec"].name if r.get("spec") is not None else obj["metadata"]["name"]
        groups[f"{obj['kind'].lower()}.{name}.yaml"] = [obj]
    return groups


def objects(ir: IR) -> list[dict]:
    return [o for objs in files(ir).values() for o in objs]


# ---------------------------------------------------------------------- helpers

@lru_cache(maxsize=4096, typed=True)
def format_bytes(n: int) -> str:
    """:func:`skyspec.units.format_bytes`, once per size: the same few sizes recur in every
    workload (a hit ~0.25 us, a spelling ~1.3 us; two or more per container)."""
    return _format_bytes(n)


def _std(ir: IR, name: str) -> dict:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": ir.project,
            "app.kubernetes.io/managed-by": MANAGED_BY}


def _meta(ir: IR, name: str, namespace: str | None, user_labels: dict | None = None,
          annotations: dict | None = None) -> dict:
    m: dict = {"name": name}
    if namespace:
        m["namespace"] = namespace
    m["labels"] = {**dict(sorted((user_labels or {}).items())), **_std(ir, name)}
    if annotations:
        m["annotations"] = dict(sorted(annotations.items()))
    return m


def wmeta(ir: IR, w: Workload, name: str | None = None, extra_labels: dict | None = None) -> dict:
    m: dict = {"name": name or w.name, "namespace": w.namespace, "labels": {**labels(ir, w), **(extra_labels or {})}}
    if w.annotations:
        m["annotations"] = dict(sorted(w.annotations.items()))
    return m


def smeta(ir: IR, w: Workload, name: str) -> dict:
    """A workload's Service's metadata: its objects' but the pods' scrape annotations
    (:data:`POD_SCRAPE`). On the Service too, Prometheus' usual `kubernetes-service-endpoints`
    job scraped the pods the `kubernetes-pods` job scrapes already, twice each (cert-manager's
    three Services); a Service of its own is scraped by a `k8s:` patch of its annotations."""
    m = wmeta(ir, w, name)
    ann = {k: v for k, v in (m.get("annotations") or {}).items() if k not in POD_SCRAPE}
    m.pop("annotations", None)
    return {**m, "annotations": ann} if ann else m


def _patched(objs: list[dict], k8s: dict, problems: list | None = None) -> list[dict]:
    """The `k8s:` escape hatch, by kind then by `Kind/name`, with strategic-merge semantics
    (:mod:`..ir.k8spatch`); problems as (the patch's key, its path, message, hint)."""
    if not k8s:
        return objs
    out = []
    for o in objs:
        for key in k8spatch.keys_for(o, k8s):
            found: list = []
            if problems is not None:
                found += k8sfields.problems(o.get("apiVersion"), o.get("kind"), k8s[key])
            o = k8spatch.apply(o, k8s[key], found)
            if problems is not None:
                problems += [(key, *p) for p in found]
        out.append(o)
    return out


def lowered(ir: IR, w: Workload, owned: dict | None = None) -> list[dict]:
    """Every object a workload lowers to, before its patches: its NetworkPolicy included.
    ``owned`` (:func:`_owned`) finds the policies of many workloads at the cost of one.
    Within :func:`sharing`, each workload is lowered once."""
    memo = shared(ir)
    got = memo.get(id(w)) if memo is not None else None
    if got is not None and got[0] is w:
        return list(got[1])
    mine = owned.get(w.name, ()) if owned is not None else [n for n in ir.netpols if n.owner == w.name]
    objs = workload_objects(ir, w) + [network_policy(ir, n) for n in mine]
    if memo is not None:
        memo[id(w)] = (w, objs)
        return list(objs)
    return objs


def _owned(ir: IR) -> dict:
    """The workloads' own NetworkPolicies, by owner, in the IR's order."""
    out: dict = {}
    for n in ir.netpols:
        if n.owner:
            out.setdefault(n.owner, []).append(n)
    return out


def check(irs: dict[str, IR], diags: Diagnostics) -> None:
    """`k8s:` patches that cannot apply, at their spec lines (SKY124): :mod:`.k8s_patches`."""
    from .k8s_patches import check as check_patches

    check_patches(irs, diags)


# ---------------------------------------------------------------------- workloads

def workload_objects(ir: IR, w: Workload) -> list[dict]:
    return _KINDS[w.kind](ir, w)


def _app(ir: IR, w: Workload) -> list[dict]:
    st = w.strategy
    objs: list[dict] = []
    svc_extra: dict = {}
    target = w.name
    if st.type == "blue-green":
        idle = "green" if st.active == "blue" else "blue"
        for color in ("blue", "green"):
            live = color == st.active
            image = None if live else st.preview_image
            reps = w.replicas if (live or st.preview_image) else 0
            objs.append(deployment(ir, w, f"{w.name}-{color}", {COLOR: color}, reps, image))
        svc_extra = {COLOR: st.active}
        target = f"{w.name}-{st.active}"
        if w.service and st.preview_image:
            objs.append(service(ir, w, f"{w.name}-preview", {COLOR: idle}))
    elif st.type == "canary":
        stable, canary = canary_split(w.replicas or 0, st.percent)
        objs.append(deployment(ir, w, w.name, {TRACK: "stable"}, stable))
        objs.append(deployment(ir, w, f"{w.name}-canary", {TRACK: "canary"}, canary, st.canary_image))
    else:
        objs.append(deployment(ir, w, w.name, {}, w.replicas))
    if w.service:
        objs.append(service(ir, w, w.name, svc_extra))
    if w.expose and w.expose.host:
        objs.append(ingress(ir, w))
    if w.autoscale:
        objs.append(hpa(ir, w, "Deployment", target))
    if w.pdb:
        objs.append(pdb(ir, w))
    return objs


def _statefulapp(ir: IR, w: Workload) -> list[dict]:
    sel = selector(ir, w)
    spec: dict = {
        "serviceName": f"{w.name}-headless",
        "replicas": w.replicas,
        "selector": {"matchLabels": sel},
        "template": pod_template(ir, w),
    }
    if w.pod_management:
        spec["podManagementPolicy"] = w.pod_management
    if w.strategy.type == "on-delete":
        spec["updateStrategy"] = {"type": "OnDelete"}
    elif w.strategy.partition is not None:
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"partition": w.strategy.partition}}
    if w.storage:
        claims = []
        for s in w.storage:
            cs: dict = {"accessModes": [s.access], "resources": {"requests": {"storage": format_bytes(s.size)}}}
            if s.storage_class:
                cs["storageClassName"] = s.storage_class
            claims.append({"metadata": {"name": s.name, "labels": selector(ir, w)}, "spec": cs})
        spec["volumeClaimTemplates"] = claims
    objs = [{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": wmeta(ir, w), "spec": spec}]
    if w.ports:
        objs.append({"apiVersion": "v1", "kind": "Service", "metadata": smeta(ir, w, f"{w.name}-headless"),
                     "spec": {"clusterIP": "None", "publishNotReadyAddresses": True, "selector": sel,
                              "ports": _service_ports(w)}})
        objs.append(service(ir, w, w.name, {}))
    if w.expose and w.expose.host:
        objs.append(ingress(ir, w))
    if w.pdb:
        objs.append(pdb(ir, w))
    return objs


def pdb(ir: IR, w: Workload) -> dict:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": wmeta(ir, w),
            "spec": {**w.pdb, "selector": {"matchLabels": selector(ir, w)}}}


def _job_spec(ir: IR, w: Workload) -> dict:
    j = w.job
    spec: dict = {}
    for attr, key in (("completions", "completions"), ("parallelism", "parallelism"), ("backoff_limit", "backoffLimit"),
                      ("active_deadline", "activeDeadlineSeconds"), ("ttl", "ttlSecondsAfterFinished")):
        v = getattr(j, attr)
        if v is not None:
            spec[key] = v
    tpl = pod_template(ir, w)
    tpl["spec"] = {"restartPolicy": j.restart, **tpl["spec"]}
    spec["template"] = tpl
    return spec


def _job(ir: IR, w: Workload) -> list[dict]:
    return [{"apiVersion": "batch/v1", "kind": "Job", "metadata": wmeta(ir, w), "spec": _job_spec(ir, w)}]


def _cronjob(ir: IR, w: Workload) -> list[dict]:
    c = w.cron
    spec: dict = {"schedule": c.schedule}
    for attr, key in (("time_zone", "timeZone"), ("concurrency", "concurrencyPolicy"),
                      ("successful_history", "successfulJobsHistoryLimit"), ("failed_history", "failedJobsHistoryLimit"),
                      ("suspend", "suspend"), ("starting_deadline", "startingDeadlineSeconds")):
        v = getattr(c, attr)
        if v is not None:
            spec[key] = v
    spec["jobTemplate"] = {"metadata": {"labels": labels(ir, w)}, "spec": _job_spec(ir, w)}
    return [{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": wmeta(ir, w), "spec": spec}]


def pod_template(ir: IR, w: Workload, extra_labels: dict | None = None, image: str | None = None) -> dict:
    tmeta: dict = {"labels": {**labels(ir, w), **(extra_labels or {})}}
    ann = {**w.annotations, **w.pod_annotations}
    if ann:
        tmeta["annotations"] = dict(sorted(ann.items()))
    spec: dict = {}
    if w.service_account:
        spec["serviceAccountName"] = w.service_account
    if w.automount_token is not None:
        spec["automountServiceAccountToken"] = w.automount_token
    if w.pod_security:
        spec["securityContext"] = dict(w.pod_security)
    if w.init_containers:
        spec["initContainers"] = [container(c) for c in w.init_containers]
    mains = [container(c) for c in w.containers]
    if image:
        mains[0] = {**mains[0], "image": image}
    spec["containers"] = mains
    if w.volumes:
        spec["volumes"] = [_volume(v) for v in w.volumes]
    if w.node_selector:
        spec["nodeSelector"] = dict(sorted(w.node_selector.items()))
    if w.tolerations:
        spec["tolerations"] = [dict(t) for t in w.tolerations]
    if w.affinity:
        spec["affinity"] = w.affinity
    if w.spread:
        spec["topologySpreadConstraints"] = [
            {"maxSkew": MAX_SKEW, "topologyKey": SPREAD_KEYS[s], "whenUnsatisfiable": WHEN_UNSATISFIABLE,
             "labelSelector": {"matchLabels": {**selector(ir, w), **(extra_labels or {})}}} for s in w.spread]
    if w.priority_class:
        spec["priorityClassName"] = w.priority_class
    if w.pull_secrets:
        spec["imagePullSecrets"] = [{"name": n} for n in w.pull_secrets]
    if w.termination_grace is not None:
        spec["terminationGracePeriodSeconds"] = w.termination_grace
    return {"metadata": tmeta, "spec": spec}


def _volume(v) -> dict:
    if v.type == "empty":
        e: dict = {}
        if v.memory:
            e["medium"] = "Memory"
        if v.size is not None:
            e["sizeLimit"] = format_bytes(v.size)
        return {"name": v.name, "emptyDir": e}
    if v.type == "config":
        return {"name": v.name, "configMap": {"name": v.source}}
    if v.type == "secret":
        return {"name": v.name, "secret": {"secretName": v.source}}
    return {"name": v.name, "persistentVolumeClaim": {"claimName": v.source}}


def deployment(ir: IR, w: Workload, name: str, extra: dict, replicas: int | None, image: str | None = None) -> dict:
    spec: dict = {
        "replicas": replicas,
        "selector": {"matchLabels": {**selector(ir, w), **extra}},
        "template": pod_template(ir, w, extra, image),
    }
    st = w.strategy
    if st.type == "recreate":
        spec["strategy"] = {"type": "Recreate"}
    elif st.max_surge is not None or st.max_unavailable is not None:
        ru = {}
        if st.max_surge is not None:
            ru["maxSurge"] = st.max_surge
        if st.max_unavailable is not None:
            ru["maxUnavailable"] = st.max_unavailable
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": ru}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": wmeta(ir, w, name, extra), "spec": spec}


def _service_ports(w: Workload, node_port: int | None = None) -> list[dict]:
    out = []
    for p in w.ports:
        sp: dict = {"name": p.name, "port": p.service, "targetPort": p.name, "protocol": p.protocol}
        if node_port is not None and p.name == w.expose.port:
            sp["nodePort"] = node_port
        out.append(sp)
    return out


def service(ir: IR, w: Workload, name: str, extra: dict) -> dict:
    public = w.expose is not None and w.expose.service_type != "ClusterIP" and name == w.name
    spec: dict = {"selector": {**selector(ir, w), **extra},
                  "ports": _service_ports(w, w.expose.node_port if public else None)}
    if public:
        spec = {"type": w.expose.service_type, **spec}
        if w.expose.source_ranges:
            spec["loadBalancerSourceRanges"] = list(w.expose.source_ranges)
    return {"apiVersion": "v1", "kind": "Service", "metadata": smeta(ir, w, name), "spec": spec}


def ingress(ir: IR, w: Workload) -> dict:
    x = w.expose
    spec: dict = {}
    if x.ingress_class:
        spec["ingressClassName"] = x.ingress_class
    if x.tls:
        spec["tls"] = [{"hosts": [x.host], "secretName": x.tls}]
    spec["rules"] = [{"host": x.host, "http": {"paths": [{
        "path": x.path, "pathType": PATH_TYPE,
        "backend": {"service": {"name": w.name, "port": {"name": x.port}}},
    }]}}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": wmeta(ir, w), "spec": spec}


def hpa(ir: IR, w: Workload, kind: str, target: str) -> dict:
    a = w.autoscale
    metrics = []
    for res, pct in (("cpu", a.cpu), ("memory", a.memory)):
        if pct:
            metrics.append({"type": "Resource", "resource": {
                "name": res, "target": {"type": "Utilization", "averageUtilization": pct}}})
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": wmeta(ir, w),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": target},
                     "minReplicas": a.min, "maxReplicas": a.max, "metrics": metrics}}


def container(c: Container) -> dict:
    out: dict = {"name": c.name, "image": c.image}
    if c.command:
        out["command"] = list(c.command)
    if c.args:
        out["args"] = list(c.args)
    if c.ports:
        out["ports"] = [{"name": p.name, "containerPort": p.port, "protocol": p.protocol} for p in c.ports]
    if c.env_from:
        ef = []
        for kind, name, prefix in c.env_from:
            item: dict = {"configMapRef" if kind == "config" else "secretRef": {"name": name}}
            if prefix:
                item = {"prefix": prefix, **item}
            ef.append(item)
        out["envFrom"] = ef
    if c.env:
        env = []
        for e in c.env:
            if e.secret:
                env.append({"name": e.name, "valueFrom": {"secretKeyRef": {"name": e.secret[0], "key": e.secret[1]}}})
            elif e.config is not None:
                ref = {"name": e.config[0], "key": e.config[1], **({"optional": True} if e.config[2] else {})}
                env.append({"name": e.name, "valueFrom": {"configMapKeyRef": ref}})
            elif e.field is not None:   # the downward API: this container's resources, or the pod's fields
                env.append({"name": e.name, "valueFrom": {"resourceFieldRef": {"resource": e.field}}
                            if e.resource_field else {"fieldRef": {"apiVersion": FIELD_REF_API, "fieldPath": e.field}}})
            else:
                env.append({"name": e.name, "value": e.value})
        out["env"] = env
    res = resources(c)
    if res:
        out["resources"] = res
    for which, key in (("liveness", "livenessProbe"), ("readiness", "readinessProbe"), ("startup", "startupProbe")):
        p = getattr(c, which)
        if p is not None:
            out[key] = probe(p)
    if c.post_start or c.pre_stop:
        lc = {}
        if c.post_start:
            lc["postStart"] = {"exec": {"command": list(c.post_start)}}
        if c.pre_stop:
            lc["preStop"] = {"exec": {"command": list(c.pre_stop)}}
        out["lifecycle"] = lc
    if c.mounts:
        mounts = []
        for m in c.mounts:
            mm: dict = {"name": m.volume, "mountPath": m.path}
            if m.read_only:
                mm["readOnly"] = True
            if m.sub_path:
                mm["subPath"] = m.sub_path
            mounts.append(mm)
        out["volumeMounts"] = mounts
    if c.security:
        out["securityContext"] = dict(c.security)
    if c.pull_policy:
        out["imagePullPolicy"] = c.pull_policy
    return out


def resources(c: Container) -> dict:
    r = c.resources
    req: dict = {}
    lim: dict = {}
    if r.cpu is not None:
        req["cpu"] = format_cpu(r.cpu)
    if r.memory is not None:
        req["memory"] = format_bytes(r.memory)
    if r.cpu_limit is not None:
        lim["cpu"] = format_cpu(r.cpu_limit)
    if r.memory_limit is not None:
        lim["memory"] = format_bytes(r.memory_limit)
    out: dict = {}
    if lim:
        out["limits"] = lim
    if req:
        out["requests"] = req
    return out


def probe(p: Probe) -> dict:
    if p.type == "http":
        get: dict = {"path": p.path, "port": p.port}
        if p.scheme is not None:
            get["scheme"] = p.scheme
        if p.headers:
            get["httpHeaders"] = [{"name": k, "value": v} for k, v in p.headers.items()]
        out: dict = {"httpGet": get}
    elif p.type == "grpc":
        out = {"grpc": {"port": p.port, **({"service": p.service} if p.service is not None else {})}}
    elif p.type == "tcp":
        out = {"tcpSocket": {"port": p.port}}
    else:
        out = {"exec": {"command": list(p.command or [])}}
    for attr, key in (("initial_delay", "initialDelaySeconds"), ("period", "periodSeconds"),
                      ("timeout", "timeoutSeconds"), ("failure_threshold", "failureThreshold"),
                      ("success_threshold", "successThreshold")):
        v = getattr(p, attr)
        if v is not None:
            out[key] = v
    return out


# ---------------------------------------------------------------------- other kinds

def external_secret(ir: IR, s) -> dict:
    data = []
    for key in sorted(s.remote):
        remote, _, prop = s.remote[key].partition("#")
        ref: dict = {"key": remote}
        if prop:
            ref["property"] = prop
        data.append({"secretKey": key, "remoteRef": ref})
    spec: dict = {}
    if s.refresh:
        spec["refreshInterval"] = s.refresh
    spec["secretStoreRef"] = {"name": s.store, "kind": s.store_kind}
    target: dict = {"name": s.name, "creationPolicy": CREATION_POLICY}
    if s.type:
        target["template"] = {"type": s.type}
    spec["target"] = target
    spec["data"] = data
    return {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
            "metadata": _meta(ir, s.name, s.namespace, s.labels, s.annotations), "spec": spec}


def role_objects(ir: IR, r) -> list[dict]:
    ns = r.namespace if r.kind == "Role" else None
    rules = []
    for rule in r.rules:
        out: dict = {"apiGroups": list(rule.get("api_groups", [""])), "resources": list(rule["resources"])}
        if rule.get("names"):
            out["resourceNames"] = list(rule["names"])
        out["verbs"] = list(rule["verbs"])
        rules.append(out)
    objs = [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": r.kind,
             "metadata": _meta(ir, r.name, ns, r.labels, r.annotations), "rules": rules}]
    if r.bind:
        objs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": f"{r.kind}Binding",
                     "metadata": _meta(ir, r.name, ns, r.labels),
                     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": r.kind, "name": r.name},
                     "subjects": [{"kind": "ServiceAccount", "name": sa, "namespace": r.namespace} for sa in r.bind]})
    return objs


def network_policy(ir: IR, n) -> dict:
    spec: dict = {"podSelector": {"matchLabels": dict(n.select)} if n.select else dict(EVERY_POD)}
    types = []
    ports = [{"protocol": "TCP", "port": p} for p in n.ports]
    if n.rules is not None or n.egress is not None:  # a generated policy's own rules (passes/network.py)
        if n.rules:
            spec["ingress"] = [dict(r) for r in n.rules]
        if n.egress:
            spec["egress"] = [dict(r) for r in n.egress]
        spec["policyTypes"] = n.types or ["Ingress"]
        return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": _meta(ir, n.name, n.namespace, n.labels, n.annotations), "spec": spec}
    if n.allow_from or n.deny_all:
        types.append("Ingress")
        if n.allow_from:
            rule: dict = {"from": [dict(p) for p in n.allow_from]}
            if ports:
                rule["ports"] = ports
            spec["ingress"] = [rule]
    if n.allow_to or n.deny_all:
        types.append("Egress")
        if n.allow_to:
            rule = {"to": [dict(p) for p in n.allow_to]}
            if ports:
                rule["ports"] = ports
            spec["egress"] = [rule]
    spec["policyTypes"] = n.types or types or list(POLICY_TYPES)
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": _meta(ir, n.name, n.namespace, n.labels, n.annotations), "spec": spec}


def service_monitor(ir: IR, m, w: Workload | None) -> dict:
    """The ServiceMonitor of ``m``, selecting the pods of its workload ``w``."""
    ep: dict = {"port": m.port, "path": m.path}
    if m.interval:
        ep["interval"] = m.interval
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
            "metadata": _meta(ir, m.name, m.namespace),
            "spec": {"selector": {"matchLabels": selector(ir, w)}, "endpoints": [ep]}}


_KINDS = {
    "App": _app,
    "StatefulApp": _statefulapp,
    "Job": _job,
    "CronJob": _cronjob,
}
