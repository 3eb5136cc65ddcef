"""Kubernetes objects (read and shape-checked by :mod:`.source` and :mod:`.shape`) into spec
documents: groups each workload with the Service and HPA of its namespace that belong to it,
and writes the fields the language can say (container, ports, health, resources, env,
secret references, volumes, expose, autoscale, security relaxations; :mod:`.pods` the kind's
and the pod's own settings); infers `connect_to` from env values naming a Service. What it
infers, moves or keeps as written is a located note (SKY062-SKY064). It never writes a
Secret's value (a Secret becomes `keys:` only, a credential env value a Secret key, and a
Resource that would hold one is an error) and never drops a field silently: what it does not
map is found by the round-trip comparison (:mod:`.fidelity`) and kept as a `k8s:` patch.
"""

from __future__ import annotations

import re
from typing import Iterable

from ..redact import credential_env
from ..schema.fields import ENV_VAR, RESERVED_LABELS
from .containers import NAME, config_ref, downward_of, resources_of, said_volume, security_of
from .fidelity import SERVER_ANNOTATIONS, effective_env
from .namespaces import namespace_of
from .source import RESOURCE, SECRET, WRONG, Inputs

WORKLOADS = ("Deployment", "StatefulSet", "Job", "CronJob")
KIND_OF = {"Deployment": "App", "StatefulSet": "StatefulApp", "Job": "Job", "CronJob": "CronJob"}
TEMPLATE = {"Deployment": ("spec", "template"), "StatefulSet": ("spec", "template"), "Job": ("spec", "template"),
            "CronJob": ("spec", "jobTemplate", "spec", "template")}
POD_AT = {**{k: ("spec", "template", "spec") for k in ("DaemonSet", "ReplicaSet", "ReplicationController")},
          **{k: (*v, "spec") for k, v in TEMPLATE.items()}, "Pod": ("spec",)}   # the pod spec of each kind
MAX_BYTES = 4 << 20
ENV_NAME = re.compile(ENV_VAR)


class ImportError_(Exception):
    """A problem with the input: the command prints it and exits 1 (no traceback)."""


def pod_spec(o: dict) -> dict:
    if o["kind"] == "CronJob":
        return o.get("spec", {}).get("jobTemplate", {}).get("spec", {}).get("template", {})
    return o.get("spec", {}).get("template", {})


def _selects(sel: dict, labels: dict) -> bool:
    return bool(sel) and all(labels.get(k) == v for k, v in sel.items())


def same_ns(a: dict, b: dict, home: str | None = None) -> bool:
    """Whether two objects live in the same namespace; one that names none lives in ``home``
    (the project's: a chart may write `namespace:` on some objects and not on others)."""
    return (a["metadata"].get("namespace") or home) == (b["metadata"].get("namespace") or home)


def twins(objs: list[dict], home: str) -> dict[int, dict]:
    """{``id`` of an object: the object of its kind and name, in another namespace, that may
    become the spec}, for each object whose kind and name another has too: the one in
    ``home`` is said as the spec, else the first. A spec's name is unique per kind (the
    language's SKY110); the others are kept as written (kube-prometheus binds its Role
    `prometheus-k8s` in three namespaces)."""
    seen: dict[tuple, list[dict]] = {}
    for o in objs:
        seen.setdefault((o["kind"], o["metadata"].get("name")), []).append(o)
    out: dict[int, dict] = {}
    for group in seen.values():
        if len(group) > 1:
            keep = next((o for o in group if (o["metadata"].get("namespace") or home) == home), group[0])
            out.update((id(o), keep) for o in group if o is not keep)
    return out


class Extracted:
    """One spec document and the input objects it stands for (compared after the build)."""

    def __init__(self, doc: dict, objects: list[dict], notes: list[str]):
        self.doc, self.objects, self.notes = doc, objects, notes


def host_access(objs: list[dict]) -> tuple[dict, tuple, str] | None:
    """The first setting of ``objs`` that gives a pod power over its node (a privileged
    container, the node's network or processes, a hostPath volume): (the object, the path, what
    it does), or None. A node agent needs one; the imported project's `privileged` rule, an
    error by default, is then a warning, since the input runs that way."""
    from ..rules.privileged import findings

    return next(((o, path, what) for o in objs for path, what in findings(o)), None)


def extract(objs: list[dict], inputs: Inputs, made: Iterable[Extracted] = ()) -> tuple[list[Extracted], list[str]]:
    """Spec documents for ``objs`` and ``made`` (the Secrets the import makes for credentials
    of ConfigMaps); the second value lists what was inferred (for the report). What is
    inferred, moved or kept as written is a located note in ``inputs.diags``."""
    from . import pods

    used: set[int] = set()
    out: list[Extracted] = []
    inferred: list[str] = []
    services = [o for o in objs if o["kind"] == "Service"]
    workloads = [o for o in objs if o["kind"] in WORKLOADS]
    home = namespace_of(objs)
    svc_names = {s["metadata"]["name"]: s for s in services}
    selected = pods.SelectedNames(workloads, home)
    for w in workloads:
        used.add(id(w))
        tmpl = pod_spec(w)
        labels = (tmpl.get("metadata") or {}).get("labels") or {}
        own = pods.port_names(tmpl)
        mine = [s for s in services if id(s) not in used and same_ns(s, w, home)
                and _selects((s.get("spec") or {}).get("selector") or {}, labels)]
        # `expose` names the Service after the workload: one of another name (Bookinfo's `reviews`
        # selecting reviews-v1, -v2 and -v3) is kept as written
        main = pods.main_container(tmpl, w["metadata"]["name"])
        svc = next((s for s in mine if s["metadata"]["name"] == w["metadata"]["name"]
                    and pods.serves(s, tmpl, w["kind"] == "StatefulSet", main)), None)
        # `autoscale` says an HPA of the workload's name on CPU or memory utilization; another
        # (custom metrics, kubernetes/examples' vLLM on requests running) is kept as written
        hpa = next((h for h in objs if h["kind"] == "HorizontalPodAutoscaler" and id(h) not in used and same_ns(h, w, home)
                    and h["metadata"].get("name") == w["metadata"]["name"] and _autoscale_says(h)
                    and (h.get("spec") or {}).get("scaleTargetRef", {}).get("name") == w["metadata"]["name"]), None)
        # (target port, port), the port kept only for a target by a name no selected pod declares
        served = [(t, n if isinstance(t, str) and not t.isdigit() and t not in own and t not in selected(s) else None)
                  for s in mine for t, n in pods.ports_of(s)]
        doc, notes = workload_doc(w, svc, hpa, svc_names, inputs, served)
        group = [w] + ([svc] if svc else []) + ([hpa] if hpa else [])
        for g in group:
            used.add(id(g))
        inferred += [f"{w['metadata']['name']}: {n}" for n in notes]
        out.append(Extracted(doc, group, notes))
        creds = doc.pop("_creds", []) + [k for sc in (doc.get("sidecars") or {}).values() for k in sc.pop("_creds", [])] \
            + [k for sc in (doc.get("init") or {}).values() for k in sc.pop("_creds", [])]
        if creds:
            inferred.append(f"{doc['name']}: {', '.join(creds)}: credentials moved to Secret {doc['name']}-env "
                            "(values supplied at deploy time)")
            out.append(Extracted({"kind": "Secret", "name": f"{doc['name']}-env", "keys": sorted(set(creds))}, [], []))
    from .kinds import attach

    why: dict[int, str] = {}
    apart = twins([o for o in objs if id(o) not in used], home)
    used |= set(apart)  # (kept as written, below)
    why.update((i, f"the one of namespace {k['metadata'].get('namespace') or home} is said as a spec, and a "
                   "spec's name is unique per kind") for i, k in apart.items())
    more, pdb = attach(objs, used, out, home, why)
    used -= set(apart)
    out += more
    secrets = {o["metadata"].get("name") for o in objs if o["kind"] == "Secret" and id(o) not in used}
    for x in out:   # an object of another namespace than the project's keeps it
        ns = x.objects[0]["metadata"].get("namespace") if x.objects else None
        if ns and ns != namespace_of(objs):
            x.doc["namespace"] = ns
    if pdb:
        out.append(Extracted({"kind": "_settings", "name": "pdb", "settings": {"pdb": True}}, [], []))
        inferred.append("PodDisruptionBudgets of maxUnavailable 1 for every replicated workload: `pdb: true`")
    kept: set[str] = set()   # the names of the Resources made so far
    headless = {f"{x.doc['name']}-headless": x for x in out if x.doc["kind"] == "StatefulApp"}
    for o in objs:
        if id(o) in used:
            continue
        k, name = o["kind"], o["metadata"].get("name", "")
        if k == "Service" and name in headless and _governs(o, headless[name].objects[0], home):
            headless[name].objects.append(o)  # compared with the one skyspec makes
            inputs.note(WRONG, f"Service {name} is the headless Service of StatefulSet {headless[name].doc['name']}, "
                        "which skyspec makes under this name: not kept as written", inputs.pos(o, ("kind",)),
                        hint="the round trip compares the two; the pods keep their DNS names")
            continue
        if k == "ConfigMap" and NAME.match(name) and not o.get("binaryData") and id(o) not in apart:
            doc = {"kind": "ConfigMap", "name": name, "data": dict(o.get("data") or {})}
        elif k == "Secret" and (o.get("data") or o.get("stringData") or id(o) in apart):   # (an empty one: as written,
            keys = sorted(set(o.get("data") or {}) | set(o.get("stringData") or {}))        # for its controller to fill)
            where = inputs.pos(o, ("data",) if "data" in o else ("stringData",) if "stringData" in o else ("kind",),
                               key=True)
            if not NAME.match(name) or id(o) in apart:
                twin = id(o) in apart
                inputs.diags.warning(SECRET, f"Secret {name} is left out: " + (
                    f"the one of namespace {apart[id(o)]['metadata'].get('namespace') or home} is said as a spec, and "
                    "a spec's name is unique per kind" if twin else "its name cannot name a spec") +
                    "; its values are never written",
                    inputs.pos(o, ("metadata", "name")), hint="it must exist in the cluster" + (
                        "" if twin else "; rename it to a DNS-1123 label to declare it in the project (`kind: "
                                        "Secret` with `keys:`)"))
                continue
            doc = {"kind": "Secret", "name": name, "keys": keys}
            inputs.note(SECRET, f"Secret {name}: the values of {_count(keys, 'key')} are not written "
                        f"(`keys: [{', '.join(keys)}]`)", where,
                        hint="supply them at deploy time (the Secret as it is in the cluster, or an external store)")
            if o.get("type") not in (None, "Opaque"):
                doc["_note"] = f"type {o.get('type')}: values supplied at deploy time"
        else:
            # named as its object when it can be, else by its kind and name (a DaemonSet and its
            # Service share a name; an APIService's has dots): the object keeps its own either way
            # (a document's name is a DNS-1123 label, at most 63 characters; the object's may be longer)
            doc = {"kind": "Resource", "manifest": as_written(o),
                   "name": name if NAME.match(name) and name not in kept else _resource_name(o, kept)}
            if inputs.kept_holds_secret(doc["manifest"]):
                inputs.diags.error(SECRET, f"{k} {name} holds a value of a Secret of the input or a credential in "
                                   "an env value, and the importer keeps this kind as written but never writes "
                                   "either", inputs.pos(o, ("kind",)),
                                   hint="move a credential into a Secret (a `secretKeyRef`); a certificate a Secret "
                                        "holds too (a webhook's `caBundle`) is for a certificate manager to inject "
                                        "(cert-manager's `cert-manager.io/inject-ca-from`)")
                continue
            pods = [w["metadata"]["name"] for w in workloads if k == "Service" and same_ns(o, w, home) and _selects(
                (o.get("spec") or {}).get("selector") or {}, (pod_spec(w).get("metadata") or {}).get("labels") or {})]
            inputs.note(RESOURCE, f"{k} {name} is kept as a Resource, as written: " + (
                f"it selects the pods of {', '.join(pods)}, and `expose` names a workload's Service after the "
                "workload" if pods and name not in pods else why.get(id(o), "it holds no value (a controller fills it)"
                                                                     if k == "Secret" else "no spec kind says it")),
                inputs.pos(o, ("kind",)))
            kept.add(doc["name"])
        if doc["kind"] in ("ConfigMap", "Secret") and o["metadata"].get("namespace") not in (None, home):
            doc["namespace"] = o["metadata"]["namespace"]   # (as a workload of another namespace keeps it)
        out.append(Extracted(doc, [o], []))
    from .refs import existing_secrets

    for x in made:
        out.append(x)
        inferred += x.notes
    out += existing_secrets(out, inputs, secrets, {o["metadata"].get("name") for o in objs if o["kind"] == "ConfigMap"})
    return out, inferred


def _governs(svc: dict, sts: dict, home: str | None = None) -> bool:
    """Whether ``svc`` is the headless Service that StatefulSet ``sts`` names."""
    return (svc.get("spec") or {}).get("clusterIP") == "None" and same_ns(svc, sts, home) and \
        (sts.get("spec") or {}).get("serviceName") == svc["metadata"].get("name")


def _autoscale_says(h: dict) -> bool:
    """Whether `autoscale` can say the HPA's metrics: each a Resource metric of CPU or memory
    utilization. One without metrics (autoscaling/v1's `targetCPUUtilizationPercentage`, or
    the API server's default of 80% CPU) is kept as written: `autoscale` names its target."""
    metrics = (h.get("spec") or {}).get("metrics") or []
    return bool(metrics) and all(
        m.get("type") == "Resource" and (m.get("resource") or {}).get("name") in ("cpu", "memory")
        and ((m.get("resource") or {}).get("target") or {}).get("type") == "Utilization" for m in metrics)


SERVER_SET = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink")


def as_written(o: dict) -> dict:
    """The object without what the API server sets (status, uid, managed fields, ...) and
    kubectl's copy of the last applied object: what a person wrote, for a `Resource`."""
    out = {k: v for k, v in o.items() if k != "status"}
    meta = {k: v for k, v in (o.get("metadata") or {}).items() if k not in SERVER_SET}
    ann = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in SERVER_ANNOTATIONS}
    meta.pop("annotations", None)
    if ann:
        meta["annotations"] = ann
    out["metadata"] = meta
    return out


def _count(items: list, what: str) -> str:
    return f"{len(items)} {what}{'s' * (len(items) != 1)}"


def _resource_name(o: dict, taken: set) -> str:
    """A document name for a kept object whose own name cannot be one: its kind and name, cut
    to 63 characters, numbered apart from the names ``taken``."""
    n = re.sub(r"[^a-z0-9-]+", "-", f"{o['kind'].lower()}-{o['metadata'].get('name', 'x')}".lower()).strip("-")
    return next(c for c in (f"{n[:63 - len(s)].strip('-')}{s}" for s in ("", *(f"-{i}" for i in range(2, len(taken) + 3))))
                if c not in taken)


def _probe(p: dict, ports: dict) -> dict | None:
    out: dict = {}
    if "httpGet" in p:
        h = p["httpGet"]
        if set(h) - {"path", "port", "scheme"} or h.get("scheme", "HTTP") not in ("HTTP", "HTTPS") \
                or not str(h.get("path", "/")).startswith("/"):   # (kube-rbac-proxy's `path: healthz`)
            return None
        out["http"] = h.get("path", "/")
        if h.get("scheme") == "HTTPS":
            out["scheme"] = "HTTPS"
        port = h.get("port")
        if isinstance(port, int) and port not in ports:
            return None  # another container's port: the language's probe reaches its own container's
        name = ports.get(port, port)
        if name != next(iter(ports.values()), None):
            out["port"] = name
    elif "tcpSocket" in p:
        if set(p["tcpSocket"]) != {"port"} or isinstance(p["tcpSocket"]["port"], int) and p["tcpSocket"]["port"] not in ports:
            return None
        out["tcp"] = p["tcpSocket"]["port"]
    elif "exec" in p:
        out["exec"] = [str(x) for x in p["exec"].get("command") or []]
    elif "grpc" in p:   # Kubernetes' gRPC probe names its port by number only
        g = p["grpc"] or {}
        if set(g) - {"port", "service"} or not isinstance(g.get("port"), int) or g["port"] not in ports:
            return None
        out["grpc"] = g["port"]
        if "service" in g:
            out["service"] = g["service"]
    else:
        return None
    for k, s in (("initialDelaySeconds", "initial_delay"), ("periodSeconds", "period"), ("timeoutSeconds", "timeout"),
                 ("failureThreshold", "failure_threshold"), ("successThreshold", "success_threshold")):
        if k in p:
            out[s] = p[k]
    if set(p) - {"httpGet", "tcpSocket", "exec", "grpc", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
                 "failureThreshold", "successThreshold"}:
        return None
    return out


def _short(p: dict):
    return p["http"] if set(p) == {"http"} else p


def probe_ports(c: dict) -> list[int]:
    """The port numbers container ``c``'s probes reach (a name is one it declares)."""
    out = []
    for k in ("livenessProbe", "readinessProbe", "startupProbe"):
        p = c.get(k) if isinstance(c.get(k), dict) else {}
        for how in ("httpGet", "tcpSocket", "grpc"):
            n = (p.get(how) or {}).get("port") if isinstance(p.get(how), dict) else None
            if isinstance(n, int) and not isinstance(n, bool) and n not in out:
                out.append(n)
    return out


def workload_doc(w: dict, svc: dict | None, hpa: dict | None, services: dict,
                 inputs: Inputs, served: Iterable = ()) -> tuple[dict, list[str]]:
    """The spec of workload ``w`` (with its own Service and HPA); ``served``: (target port, port
    or None) of every port of every Service selecting its pods (:func:`extract`)."""
    notes: list[str] = []
    pod = TEMPLATE[w["kind"]] + ("spec",)
    tmpl = pod_spec(w)
    from . import pods

    ps = tmpl.get("spec") or {}
    cs = ps.get("containers") or [{}]
    m = pods.main_container(tmpl, w["metadata"]["name"])
    c = cs[m]
    doc: dict = {"kind": KIND_OF[w["kind"]], "name": w["metadata"]["name"]}
    labels = {k: v for k, v in ((tmpl.get("metadata") or {}).get("labels") or {}).items() if k not in RESERVED_LABELS}
    if labels:
        doc["labels"] = labels
    ann = (tmpl.get("metadata") or {}).get("annotations") or {}   # (a chart's `checksum/config` rolled the pods at
    if ann := {k: v for k, v in ann.items() if not k.startswith("checksum/")}:   # its render: skyspec writes its own)
        doc["annotations"] = ann
    doc["image"] = c.get("image", "")
    if c.get("name") and c["name"] != doc["name"]:
        doc["container"] = c["name"]
    if c.get("command"):
        doc["command"] = [str(x) for x in c["command"]]
    if c.get("args"):
        doc["args"] = [str(x) for x in c["args"]]
    spec = w.get("spec") or {}
    if w["kind"] in ("Deployment", "StatefulSet") and "replicas" in spec and not hpa:
        doc["replicas"] = spec["replicas"]
    st = spec.get("strategy") or spec.get("updateStrategy") or {}
    ru = st.get("rollingUpdate") or {}
    if st.get("type") == "Recreate":
        doc["strategy"] = "recreate"
    elif ru and set(ru) <= {"maxSurge", "maxUnavailable"}:
        doc["strategy"] = {"rolling": {("max_surge" if k == "maxSurge" else "max_unavailable"): v for k, v in ru.items()}}
    if w["kind"] == "CronJob":
        doc["schedule"] = spec.get("schedule", "")
    declared = {p.get("containerPort") for x in cs + (ps.get("initContainers") or []) for p in x.get("ports") or []}
    # a target port by a name no container declares (``served`` keeps the port of those alone:
    # Bitnami's zookeeper's `follower`) reaches nothing; the chart means the Service's port number
    unnamed = {t: n for t, n in reversed(served) if isinstance(n, int) and not isinstance(n, bool) and n not in declared}
    names = _container(c, doc, at=(inputs, w, pod + ("containers", m)),
                       also=[n for n, _ in served if isinstance(n, int) and not isinstance(n, bool) and n not in declared],
                       others={p.get("containerPort") for i, x in enumerate(cs) if i != m for p in x.get("ports") or []},
                       unnamed=unnamed)
    pods.kind_fields(w, doc)
    if doc["kind"] in ("Job", "CronJob"):  # a run to completion has no ports or probes in the language:
        for k in ("port", "ports", "health"):   # the round trip's patch keeps the input's
            doc.pop(k, None)
    pods.storage(w, c, doc)
    pods.pod_fields(ps, c, doc)
    vols = {v["name"]: v for v in ps.get("volumes") or []}
    out_vols = {}
    for m in c.get("volumeMounts") or []:
        v = vols.get(m["name"])
        if v is None or not NAME.match(m["name"]) or m["name"] in out_vols:
            continue
        if m["name"] in (doc.get("storage") or {}):  # a claim template of that name replaces the pod's volume
            continue
        entry: dict = {}
        if "emptyDir" in v:
            e = v["emptyDir"] or {}
            entry["empty"] = True if not e else {**({"memory": True} if e.get("medium") == "Memory" else {}),
                                                 **({"size": str(e["sizeLimit"])} if "sizeLimit" in e else {})}
        elif "configMap" in v and set(said_volume(v["configMap"])) == {"name"}:
            entry["config"] = v["configMap"]["name"]
        elif "secret" in v and set(said_volume(v["secret"])) == {"secretName"}:
            entry["secret"] = v["secret"]["secretName"]
        elif "persistentVolumeClaim" in v and set(v["persistentVolumeClaim"]) == {"claimName"}:
            entry["claim"] = v["persistentVolumeClaim"]["claimName"]
        else:
            continue
        entry["mount"] = m["mountPath"]
        if m.get("readOnly"):
            entry["read_only"] = True
        if m.get("subPath"):
            entry["sub_path"] = m["subPath"]
        out_vols[m["name"]] = entry
    if out_vols:
        doc["volumes"] = out_vols
    sides = [(("containers", i), x) for i, x in enumerate(cs) if i != m]
    inits = [(("initContainers", i), x) for i, x in enumerate(ps.get("initContainers") or [])]
    for key, extra in (("sidecars", sides), ("init", inits)):
        said = {}
        for where, x in extra:
            if not NAME.match(str(x.get("name", ""))) or x["name"] in (doc["name"], c.get("name")) or not x.get("image"):
                continue
            d: dict = {"image": x["image"]}
            for k in ("command", "args"):
                if x.get(k):
                    d[k] = [str(a) for a in x[k]]
            _container(x, d, main=False, at=(inputs, w, pod + where), owner=doc["name"],
                       others=declared - {p.get("containerPort") for p in x.get("ports") or []})
            mounts = {m["name"]: m["mountPath"] for m in x.get("volumeMounts") or [] if m["name"] in out_vols}
            if mounts:
                d["mounts"] = mounts
            said[x["name"]] = d
        if said:
            doc[key] = said
    sec = security_of(c.get("securityContext") or {}, ps.get("securityContext") or {})
    if sec:
        doc["security"] = sec
    for src, dst in (("serviceAccountName", "service_account"), ("nodeSelector", "node_selector"),
                     ("affinity", "affinity"), ("priorityClassName", "priority_class")):
        if ps.get(src):
            doc[dst] = ps[src]
    if svc is not None:
        doc["expose"] = True
        pods.service(svc, doc, names)
    if hpa is not None:
        hs = hpa.get("spec") or {}
        a: dict = {"min": hs.get("minReplicas", 1), "max": hs.get("maxReplicas", 1)}
        for m in hs.get("metrics") or []:
            res_ = (m.get("resource") or {})
            if m.get("type") == "Resource" and (res_.get("target") or {}).get("type") == "Utilization":
                a[res_.get("name")] = res_["target"].get("averageUtilization")
        doc["autoscale"] = a
    c0 = pod + ("containers", m)
    doc["_from"] = {k: (w, path) for k, path in (
        ("image", c0 + ("image",)), ("container", c0 + ("name",)), ("command", c0 + ("command",)),
        ("args", c0 + ("args",)), ("port", c0 + ("ports",)), ("ports", c0 + ("ports",)), ("env", c0 + ("env",)),
        ("secrets", c0 + ("env",)), ("downward", c0 + ("env",)), ("env_from", c0 + ("envFrom",)),
        ("resources", c0 + ("resources",)),
        ("health", c0 + ("livenessProbe",)), ("volumes", pod + ("volumes",)), ("security", c0 + ("securityContext",)),
        ("sidecars", pod + ("containers",)), ("init", pod + ("initContainers",)),
        ("labels", TEMPLATE[w["kind"]] + ("metadata", "labels")),
        ("annotations", TEMPLATE[w["kind"]] + ("metadata", "annotations")), ("replicas", ("spec", "replicas")),
        ("strategy", ("spec", "strategy")), ("schedule", ("spec", "schedule")),
        ("service_account", pod + ("serviceAccountName",)), ("node_selector", pod + ("nodeSelector",)),
        ("affinity", pod + ("affinity",)), ("priority_class", pod + ("priorityClassName",)),
        ("image_pull_secrets", pod + ("imagePullSecrets",)), ("tolerations", pod + ("tolerations",)),
        ("lifecycle", c0 + ("lifecycle",)), ("storage", ("spec", "volumeClaimTemplates")),
        ("pod_management", ("spec", "podManagementPolicy")))}
    if svc is not None:
        doc["_from"]["expose"] = (svc, ("spec",))
    if hpa is not None:
        doc["_from"]["autoscale"] = (hpa, ("spec",))
    connect = _connections(doc, services)
    if connect:
        doc["connect_to"] = sorted(connect)
        doc["_connect"] = [(name, inputs.pos(w, pod + ("containers", m, "env", f"[name={var}]", "value")), var,
                            _form(doc["env"][var], name, services[name])) for name, var in sorted(connect.items())]
        notes.append(f"connect_to {sorted(connect)} inferred from env values naming those Services")
    return doc, notes


def _container(c: dict, doc: dict, main: bool = True, at: tuple | None = None, owner: str = "",
               also: Iterable[int] = (), others: set | frozenset = frozenset(), unnamed: dict | None = None) -> dict:
    """Writes the fields of container ``c`` the language can say into ``doc``; returns
    {container port: port name}. ``at`` is (inputs, object, path of ``c``), for notes.
    A port number its probes or ``also`` (a Service's target ports) reach that no container
    of the pod declares (``others``: the other containers' ports) is declared: Kubernetes
    reaches any port of the pod, the language a port the container declares. ``unnamed``
    ({name: number}): target ports by a name no container of the pod declares, declared here
    under that name at the Service's port number. A probe of a port another container
    declares is left to the round trip's patch."""
    ports: dict = {}
    names: dict = {}
    for i, p in enumerate(c.get("ports") or []):
        n = p.get("name") or ("http" if i == 0 and main else f"port-{p['containerPort']}")
        names[p["containerPort"]] = n
        ports[n] = p["containerPort"] if p.get("protocol", "TCP") == "TCP" else \
            {"port": p["containerPort"], "protocol": p["protocol"]}
    if unnamed:
        from .pods import declare_unnamed

        for name, n in declare_unnamed(unnamed, ports, names, others):
            if at is not None:
                inputs, obj, path = at
                inputs.note(WRONG, f"a Service targets port {name}, which no container of {obj['kind']} "
                            f"{obj['metadata'].get('name')} declares: declared on {c.get('name')} as {name}: {n}, the "
                            "Service's port", inputs.pos(obj, path + ("name",)),
                            hint="Kubernetes resolves a target port by name only where a container declares it")
    for n in [*probe_ports(c), *also]:
        if 0 < n < 65536 and n not in names and n not in others and f"port-{n}" not in ports:
            names[n] = f"port-{n}"
            ports[f"port-{n}"] = n
    if main and list(ports) == ["http"] and isinstance(ports["http"], int):
        doc["port"] = ports["http"]   # (the shorthand is the workload's: a sidecar or init container says `ports`)
    elif ports:
        doc["ports"] = ports
    env: dict = {}
    secrets: dict = {}
    configs: dict = {}
    downward: dict = {}
    given = c.get("env") or []
    applied = effective_env(given)
    if applied is not given and at is not None:
        inputs, obj, path = at
        kept = {id(e) for e in applied}
        for i, e in enumerate(given):
            if id(e) not in kept:
                inputs.diags.warning(WRONG, f"env {e['name']} is given twice in container {c.get('name')}: "
                                     "Kubernetes applies the last, so this one is left out",
                                     inputs.pos(obj, path + ("env", i, "name")), hint="remove the entry that does not apply")
    for e in applied:
        if not ENV_NAME.match(e["name"]) or any(e["name"] in d for d in (env, secrets, configs, downward)):
            continue   # a name the language cannot say, or said twice: the round trip patches it
        why = ("value" in e or "valueFrom" not in e) and credential_env(e["name"], str(e.get("value", "")))
        if why:
            owner = owner or doc["name"]
            secrets[e["name"]] = {"secret": f"{owner}-env", "key": e["name"]}
            doc.setdefault("_creds", []).append(e["name"])
            if at is not None:
                inputs, obj, path = at
                inputs.note(SECRET, f"env {e['name']} {why}: moved to Secret {owner}-env, key {e['name']}; its "
                            "value is not written", inputs.pos(obj, path + ("env", f"[name={e['name']}]", "value")),
                            hint=f"supply it at deploy time (the Secret {owner}-env)")
        elif "value" in e or "valueFrom" not in e:
            env[e["name"]] = str(e.get("value", ""))
        elif set(e["valueFrom"]) == {"secretKeyRef"} and set(e["valueFrom"]["secretKeyRef"]) <= {"name", "key"}:
            r = e["valueFrom"]["secretKeyRef"]
            secrets[e["name"]] = {"secret": r["name"], "key": r["key"]}
        elif (ref := config_ref(e["valueFrom"])) is not None:
            configs[e["name"]] = ref
        else:
            field = downward_of(e["valueFrom"], c.get("name"))
            if field is not None:
                downward[e["name"]] = field
    if env:
        doc["env"] = env
    if secrets:
        doc["secrets"] = secrets
    if configs:
        doc["configs"] = configs
    if downward:
        doc["downward"] = downward
    ef = []
    for e in c.get("envFrom") or []:
        item = {"config": e["configMapRef"]["name"]} if "configMapRef" in e else \
            {"secret": e["secretRef"]["name"]} if "secretRef" in e else None
        if item is not None:
            if e.get("prefix"):
                item["prefix"] = e["prefix"]
            ef.append(item)
    if ef:
        doc["env_from"] = ef
    res = resources_of(c.get("resources") or {})
    if res:
        doc["resources"] = res
    health: dict = {}
    probes = {k: _probe(c[f"{k}Probe"], names) for k in ("liveness", "readiness", "startup") if f"{k}Probe" in c}
    if all(v is not None for v in probes.values()):
        lv, rd = probes.get("liveness"), probes.get("readiness")
        if lv is not None and lv == rd:
            health = dict(lv)
        else:
            for k in ("liveness", "readiness"):
                if probes.get(k) is not None:
                    health[k] = _short(probes[k])
        if probes.get("startup") is not None:
            health["startup"] = _short(probes["startup"])
        if health:
            doc["health"] = _short(health)
    return names


def _form(value: str, name: str, svc: dict) -> str | None:
    """The `connect_to` form whose address is exactly ``value`` (the peer's first Service
    port), or None: then the variable stays in `env`."""
    ports = (svc.get("spec") or {}).get("ports") or []
    port = ports[0].get("port") if ports else None
    return {f"{name}:{port}": "address", f"http://{name}:{port}": "url", name: "host"}.get(value.replace("$${", "${")) \
        if port is not None else None


def reaches(edges: dict, a: str, b: str) -> bool:
    """Whether ``b`` is reachable from ``a`` along ``edges`` ({name: names}): a `connect_to`
    from ``b`` to ``a`` would close a cycle, which the language refuses."""
    seen, stack = set(), [a]
    while stack:
        n = stack.pop()
        if n == b:
            return True
        if n not in seen:
            seen.add(n)
            stack += edges.get(n, ())
    return False


def connect_to(doc: dict, kept: list[str]) -> None:
    """`connect_to` of the peers ``kept``: a variable whose value is exactly the address the
    language gives becomes the connection's `env` (and leaves `env`); a list of names when
    there is none."""
    forms = {peer: (var, form) for peer, _, var, form in doc.get("_connect", []) if form and peer in kept}
    if not forms:
        doc["connect_to"] = kept
        return
    out: dict = {}
    for peer in kept:
        if peer in forms:
            var, form = forms[peer]
            out[peer] = {"env": var, **({"form": form} if form != "address" else {})}
            doc["env"].pop(var, None)
        else:
            out[peer] = True
    if not doc["env"]:
        del doc["env"]
    doc["connect_to"] = out


# the last word of a variable whose bare value is a name of something else than a host:
# `MYSQL_DATABASE: wordpress` names the database, not the Service `wordpress`
NOT_A_HOST = frozenset({"DATABASE", "DB", "DBNAME", "USER", "USERNAME", "LOGIN", "NAME", "SCHEMA", "TABLE",
                        "BUCKET", "ROLE", "OWNER", "TENANT", "REALM", "INDEX", "TOPIC", "QUEUE", "KEYSPACE"})


def _connections(doc: dict, services: dict) -> dict[str, str]:
    """{Service name: the first env variable whose value names it as a host}: a value holding
    the name as a URL's or an address's host, or the bare name, unless the variable's last
    word says it names something else (:data:`NOT_A_HOST`)."""
    found: dict[str, str] = {}
    for var, v in (doc.get("env") or {}).items():
        bare_ok = re.split(r"_+", str(var).upper())[-1] not in NOT_A_HOST
        for name in services:
            if name != doc["name"] and name not in found and (bare_ok or str(v).strip() != name) and \
                    re.search(rf"(^|//|@|[\s=,]){re.escape(name)}(:\d+)?(/|$|[\s,])", str(v)):
                found[name] = var
    return found
