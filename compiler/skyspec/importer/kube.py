"""Kubernetes manifests into spec documents: reads files, folders, multi-document streams and
`kind: List` (as `kubectl get -o yaml` gives), groups each workload with the Services, HPA
and ConfigMaps that belong to it, and writes the fields the language can say (ports,
health, resources, env, secret references, volumes, expose, autoscale, security
relaxations). It never writes a Secret's value (a Secret becomes `keys:` only) and never
drops a field silently: what it does not map here is found by the round-trip comparison
(:mod:`.fidelity`) and kept as a `k8s:` patch or a `Resource`.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..redact import credential_env, credential_name

WORKLOADS = ("Deployment", "StatefulSet", "Job", "CronJob")
KIND_OF = {"Deployment": "App", "StatefulSet": "StatefulApp", "Job": "Job", "CronJob": "CronJob"}
MAX_BYTES = 4 << 20
NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class ImportError_(Exception):
    """A problem with the input: the command prints it and exits 1 (no traceback)."""


def read_objects(paths: list[Path]) -> list[dict]:
    """Every object of the manifests at ``paths`` (files, or folders read recursively in name
    order), `List`s flattened, empty documents skipped."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml", ".json") and f.is_file()
                            and f.name != "kustomization.yaml")
        elif p.is_file():
            files.append(p)
        else:
            raise ImportError_(f"{p}: no such file or folder")
    out: list[dict] = []
    for f in files:
        if f.stat().st_size > MAX_BYTES:
            raise ImportError_(f"{f}: larger than 4 MiB")
        try:
            docs = list(yaml.safe_load_all(f.read_text(encoding="utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
            raise ImportError_(f"{f}{where}: not valid YAML") from None
        for d in docs:
            out += _flatten(d, f)
    return out


def _flatten(d, f: Path) -> list[dict]:
    if d is None:
        return []
    if not isinstance(d, dict) or "kind" not in d:
        raise ImportError_(f"{f}: a document that is not a Kubernetes object")
    if d["kind"] == "List" or (d["kind"].endswith("List") and isinstance(d.get("items"), list)):
        return [o for item in d.get("items") or [] for o in _flatten(item, f)]
    d = _no_nulls(d)
    if not isinstance(d.get("metadata"), dict):
        d["metadata"] = {}
    return [d]


def _no_nulls(v):
    """The object as the API server stores it: a field set to null is no field."""
    if isinstance(v, dict):
        return {k: _no_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_no_nulls(x) for x in v]
    return v


def namespace_of(objs: list[dict]) -> str:
    seen = [o["metadata"].get("namespace") for o in objs if o["metadata"].get("namespace")]
    return max(set(seen), key=seen.count) if seen else "default"


def pod_spec(o: dict) -> dict:
    if o["kind"] == "CronJob":
        return o.get("spec", {}).get("jobTemplate", {}).get("spec", {}).get("template", {})
    return o.get("spec", {}).get("template", {})


def _selects(sel: dict, labels: dict) -> bool:
    return bool(sel) and all(labels.get(k) == v for k, v in sel.items())


class Extracted:
    """One spec document and the input objects it stands for (compared after the build)."""

    def __init__(self, doc: dict, objects: list[dict], notes: list[str]):
        self.doc, self.objects, self.notes = doc, objects, notes


def extract(objs: list[dict]) -> tuple[list[Extracted], list[str]]:
    """Spec documents for ``objs``; the second value lists what was inferred (for the report)."""
    used: set[int] = set()
    out: list[Extracted] = []
    inferred: list[str] = []
    services = [o for o in objs if o["kind"] == "Service"]
    workloads = [o for o in objs if o["kind"] in WORKLOADS]
    svc_names = {s["metadata"]["name"]: s for s in services}
    for w in workloads:
        used.add(id(w))
        tmpl = pod_spec(w)
        labels = (tmpl.get("metadata") or {}).get("labels") or {}
        mine = [s for s in services if id(s) not in used and _selects((s.get("spec") or {}).get("selector") or {}, labels)]
        svc = next((s for s in mine if s["metadata"]["name"] == w["metadata"]["name"]), mine[0] if mine else None)
        hpa = next((h for h in objs if h["kind"] == "HorizontalPodAutoscaler" and id(h) not in used
                    and (h.get("spec") or {}).get("scaleTargetRef", {}).get("name") == w["metadata"]["name"]), None)
        doc, notes = workload_doc(w, svc, hpa, svc_names)
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

    more, pdb = attach(objs, used, out, namespace_of(objs))
    out += more
    if pdb:
        out.append(Extracted({"kind": "_settings", "name": "pdb", "settings": {"pdb": True}}, [], []))
        inferred.append("PodDisruptionBudgets of maxUnavailable 1 for every replicated workload: `pdb: true`")
    for o in objs:
        if id(o) in used:
            continue
        k, name = o["kind"], o["metadata"].get("name", "")
        if k == "ConfigMap" and NAME.match(name) and all(isinstance(v, str) for v in (o.get("data") or {}).values()) \
                and not o.get("binaryData"):
            doc = {"kind": "ConfigMap", "name": name, "data": dict(o.get("data") or {})}
        elif k == "Secret" and NAME.match(name):
            keys = sorted(set(o.get("data") or {}) | set(o.get("stringData") or {}))
            doc = {"kind": "Secret", "name": name, "keys": keys} if keys else {"kind": "Secret", "name": name,
                                                                                 "existing": True}
            if o.get("type") not in (None, "Opaque"):
                doc["_note"] = f"type {o.get('type')}: values supplied at deploy time"
        else:
            doc = {"kind": "Resource", "name": name if NAME.match(name) else _resource_name(o), "manifest": o}
        out.append(Extracted(doc, [o], []))
    return out, inferred


def _resource_name(o: dict) -> str:
    n = re.sub(r"[^a-z0-9-]+", "-", f"{o['kind'].lower()}-{o['metadata'].get('name', 'x')}".lower()).strip("-")
    return n[:63].strip("-")


def _probe(p: dict, ports: dict) -> dict | None:
    out: dict = {}
    if "httpGet" in p:
        h = p["httpGet"]
        if set(h) - {"path", "port"} and not (set(h) - {"path", "port", "scheme"} == set() and h.get("scheme") == "HTTP"):
            return None
        out["http"] = h.get("path", "/")
        port = h.get("port")
        name = ports.get(port, port)
        if name != next(iter(ports.values()), None):
            out["port"] = name
    elif "tcpSocket" in p:
        if set(p["tcpSocket"]) != {"port"}:
            return None
        out["tcp"] = p["tcpSocket"]["port"]
    elif "exec" in p:
        out["exec"] = [str(x) for x in p["exec"].get("command") or []]
    else:
        return None
    for k, s in (("initialDelaySeconds", "initial_delay"), ("periodSeconds", "period"), ("timeoutSeconds", "timeout"),
                 ("failureThreshold", "failure_threshold"), ("successThreshold", "success_threshold")):
        if k in p:
            out[s] = p[k]
    if set(p) - {"httpGet", "tcpSocket", "exec", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
                 "failureThreshold", "successThreshold"}:
        return None
    return out


def _short(p: dict):
    return p["http"] if set(p) == {"http"} else p


def workload_doc(w: dict, svc: dict | None, hpa: dict | None, services: dict) -> tuple[dict, list[str]]:
    notes: list[str] = []
    tmpl = pod_spec(w)
    ps = tmpl.get("spec") or {}
    cs = ps.get("containers") or [{}]
    c = cs[0]
    doc: dict = {"kind": KIND_OF[w["kind"]], "name": w["metadata"]["name"]}
    labels = dict((tmpl.get("metadata") or {}).get("labels") or {})
    if labels:
        doc["labels"] = labels
    ann = (tmpl.get("metadata") or {}).get("annotations") or {}
    if ann:
        doc["annotations"] = dict(ann)
    doc["image"] = c.get("image", "")
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
    names = _container(c, doc)
    vols = {v["name"]: v for v in ps.get("volumes") or []}
    out_vols = {}
    for m in c.get("volumeMounts") or []:
        v = vols.get(m["name"])
        if v is None or not NAME.match(m["name"]) or m["name"] in out_vols:
            continue
        entry: dict = {}
        if "emptyDir" in v:
            e = v["emptyDir"] or {}
            entry["empty"] = True if not e else {**({"memory": True} if e.get("medium") == "Memory" else {}),
                                                 **({"size": str(e["sizeLimit"])} if "sizeLimit" in e else {})}
        elif "configMap" in v and set(v["configMap"]) == {"name"}:
            entry["config"] = v["configMap"]["name"]
        elif "secret" in v and set(v["secret"]) == {"secretName"}:
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
    for key, extra in (("sidecars", cs[1:]), ("init", ps.get("initContainers") or [])):
        said = {}
        for x in extra:
            if not NAME.match(str(x.get("name", ""))) or x["name"] == doc["name"] or not x.get("image"):
                continue
            d: dict = {"image": x["image"]}
            for k in ("command", "args"):
                if x.get(k):
                    d[k] = [str(a) for a in x[k]]
            _container(x, d, main=False)
            mounts = {m["name"]: m["mountPath"] for m in x.get("volumeMounts") or [] if m["name"] in out_vols}
            if mounts:
                d["mounts"] = mounts
            said[x["name"]] = d
        if said:
            doc[key] = said
    sec = _security(c.get("securityContext") or {}, ps.get("securityContext") or {})
    if sec:
        doc["security"] = sec
    for src, dst in (("serviceAccountName", "service_account"), ("nodeSelector", "node_selector"),
                     ("affinity", "affinity"), ("priorityClassName", "priority_class")):
        if ps.get(src):
            doc[dst] = ps[src]
    if svc is not None:
        t = (svc.get("spec") or {}).get("type", "ClusterIP")
        doc["expose"] = True if t == "ClusterIP" else {"type": t}
    if hpa is not None:
        hs = hpa.get("spec") or {}
        a: dict = {"min": hs.get("minReplicas", 1), "max": hs.get("maxReplicas", 1)}
        for m in hs.get("metrics") or []:
            res_ = (m.get("resource") or {})
            if m.get("type") == "Resource" and (res_.get("target") or {}).get("type") == "Utilization":
                a[res_.get("name")] = res_["target"].get("averageUtilization")
        doc["autoscale"] = a
    connect = _connections(doc, services)
    if connect:
        doc["connect_to"] = connect
        notes.append(f"connect_to {connect} inferred from env values naming those Services")
    return doc, notes


def _container(c: dict, doc: dict, main: bool = True) -> dict:
    """Writes the fields of container ``c`` the language can say into ``doc``; returns
    {container port: port name}."""
    ports: dict = {}
    names: dict = {}
    for i, p in enumerate(c.get("ports") or []):
        n = p.get("name") or ("http" if i == 0 and main else f"port-{p['containerPort']}")
        names[p["containerPort"]] = n
        ports[n] = p["containerPort"] if p.get("protocol", "TCP") == "TCP" else \
            {"port": p["containerPort"], "protocol": p["protocol"]}
    if list(ports) == ["http"] and isinstance(ports["http"], int):
        doc["port"] = ports["http"]
    elif ports:
        doc["ports"] = ports
    env: dict = {}
    secrets: dict = {}
    for e in c.get("env") or []:
        if ("value" in e or "valueFrom" not in e) and credential_env(e["name"], str(e.get("value", ""))):
            secrets[e["name"]] = {"secret": f"{doc['name']}-env", "key": e["name"]}
            doc.setdefault("_creds", []).append(e["name"])
        elif "value" in e or "valueFrom" not in e:
            env[e["name"]] = str(e.get("value", "")).replace("${", "$${")
        elif set(e["valueFrom"]) == {"secretKeyRef"} and set(e["valueFrom"]["secretKeyRef"]) <= {"name", "key"}:
            r = e["valueFrom"]["secretKeyRef"]
            secrets[e["name"]] = {"secret": r["name"], "key": r["key"]}
    if env:
        doc["env"] = env
    if secrets:
        doc["secrets"] = secrets
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
    r = c.get("resources") or {}
    res = {}
    for src, key, out in (("requests", "cpu", "cpu"), ("requests", "memory", "memory"),
                          ("limits", "cpu", "cpu_limit"), ("limits", "memory", "memory_limit")):
        v = (r.get(src) or {}).get(key)
        if v is not None:
            res[out] = str(v)
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


def _security(c: dict, pod: dict) -> dict:
    out: dict = {}
    uid = c.get("runAsUser", pod.get("runAsUser"))
    if uid == 0 or c.get("runAsNonRoot", pod.get("runAsNonRoot")) is False:
        out["run_as_root"] = True
    if uid not in (None, 10001):
        out["run_as_user"] = uid
    gid = c.get("runAsGroup", pod.get("runAsGroup"))
    if gid not in (None, 10001):
        out["run_as_group"] = gid
    if pod.get("fsGroup") not in (None, 10001):
        out["fs_group"] = pod["fsGroup"]
    if c.get("readOnlyRootFilesystem") is False:
        out["writable_root_fs"] = True
    if c.get("allowPrivilegeEscalation") is True:
        out["privilege_escalation"] = True
    add = (c.get("capabilities") or {}).get("add")
    if add:
        out["add_capabilities"] = [str(a).upper() for a in add]
    return out


def _connections(doc: dict, services: dict) -> list[str]:
    found = []
    for v in (doc.get("env") or {}).values():
        for name in services:
            if name != doc["name"] and re.search(rf"(^|//|@|[\s=,]){re.escape(name)}(:\d+)?(/|$|[\s,])", str(v)):
                found.append(name)
    return sorted(set(found))
