"""Round-trip fidelity: the objects a build of the imported project produces, compared with
the input objects field by field. Lists are matched by key (containers, env, volumes by
name; ports by number; mounts by path), so order alone is no difference. Every difference
is either put in a named category (what skyspec adds on purpose, or what Kubernetes itself
defaults) or returned as unexplained, which the importer turns into a `k8s:` patch. It
never changes the objects it compares.
"""

from __future__ import annotations

import re

from ..redact import credential_env, credential_name
from ..units import parse_bytes, parse_cpu

# annotations the API server or kubectl write, never the person: what `kubectl get -o yaml` adds
SERVER_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision")
STD = ("app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by")

# (path pattern, value): what the API server fills in when a field is absent
K8S_DEFAULTS = [
    (r".*\.protocol$", "TCP"), (r".*\.imagePullPolicy$", "IfNotPresent"), (r".*\.type$", "ClusterIP"),
    (r".*terminationGracePeriodSeconds$", 30), (r".*\.restartPolicy$", "Always"), (r".*revisionHistoryLimit$", 10),
    (r".*progressDeadlineSeconds$", 600), (r".*\.dnsPolicy$", "ClusterFirst"), (r".*schedulerName$", "default-scheduler"),
    (r".*sessionAffinity$", "None"), (r".*Probe\.periodSeconds$", 10), (r".*Probe\.timeoutSeconds$", 1),
    (r".*Probe\.successThreshold$", 1), (r".*Probe\.failureThreshold$", 3), (r".*httpGet\.scheme$", "HTTP"),
    (r".*terminationMessagePath$", "/dev/termination-log"), (r".*terminationMessagePolicy$", "File"),
    (r".*strategy\.type$", "RollingUpdate"), (r"^spec\.replicas$", 1), (r".*emptyDir$", {}),
    (r".*\.minReplicas$", 1), (r".*\.fieldRef\.apiVersion$", "v1"), (r"^spec\.minReadySeconds$", 0),
    (r"^spec\.ipFamilyPolicy$", "SingleStack"), (r"^spec\.(external|internal)TrafficPolicy$", "Cluster"),
    # what is off unless said: Bank of Anthos writes `privileged: false` in every container
    (r".*securityContext\.privileged$", False), (r".*\.(hostNetwork|hostPID|hostIPC)$", False),
    (r".*volumeMounts\[.*\]\.readOnly$", False), (r".*\.(stdin|stdinOnce|tty)$", False),
    # a ConfigMap's or Secret's files are 0644 unless said (Helm charts write `defaultMode: 420`)
    (r".*\.(configMap|secret|projected|downwardAPI)\.defaultMode$", 420),
]


def _key(item) -> str | None:
    if not isinstance(item, dict):
        return None
    for k in ("containerPort", "mountPath", "port", "name"):
        if k in item and not isinstance(item[k], (dict, list)):
            # a port of another protocol than TCP (the default) is another port of that number
            proto = item.get("protocol") if k in ("containerPort", "port") else None
            return f"{k}={item[k]}" + (f"/{proto}" if isinstance(proto, str) and proto != "TCP" else "")
    return None


def keys_of(items: list) -> list[str]:
    keys = [_key(x) for x in items]
    return keys if None not in keys and len(set(keys)) == len(keys) else [str(i) for i in range(len(items))]  # type: ignore


def flatten(obj, prefix: tuple = ()) -> dict:
    """path (a tuple; list items as "[key]") -> leaf value; lists of keyed items keyed, others
    indexed; empty maps and lists are leaves."""
    out: dict = {}
    if isinstance(obj, dict) and obj:
        for k, v in obj.items():
            out.update(flatten(v, prefix + (str(k),)))
    elif isinstance(obj, list) and obj:
        for k, v in zip(keys_of(obj), obj):
            out.update(flatten(v, prefix + (f"[{k}]",)))
    else:
        out[prefix] = obj
    return out


def shown(path: tuple) -> str:
    return ".".join(path).replace(".[", "[")


def _same(a, b) -> bool:
    if a == b:
        return True
    if isinstance(a, (int, float)) and isinstance(b, str) or isinstance(b, (int, float)) and isinstance(a, str):
        return str(a) == str(b)
    if isinstance(a, str) and isinstance(b, str):
        for parse in (parse_cpu, parse_bytes):
            try:
                return parse(a) == parse(b)
            except Exception:
                continue
    return False


def classify(tpath: tuple, inp, out, in_has: bool, out_has: bool, ports: dict) -> str | None:
    """The category of one difference, or None when it is unexplained."""
    path = shown(tpath)
    last = path.rsplit(".", 1)[-1]
    if any(s in path for s in STD):
        return "labels skyspec adds"
    if re.search(r"(selector|matchLabels)", path) and in_has and not out_has:
        return "selector on skyspec's labels"
    if path == "metadata.namespace" and not in_has:
        return "namespace skyspec sets"
    m = re.search(r"env\[name=([A-Za-z_][A-Za-z0-9_]*)\]\.(value|valueFrom)", path)
    if m and ((in_has and not out_has and credential_env(m.group(1), inp)) or
              (out_has and not in_has and credential_name(m.group(1)) and "secretKeyRef" in path)):
        return "credential moved to a Secret (value at deploy time)"
    if "imported.skyspec.dev/" in path and (not in_has or re.search(r"(selector|matchLabels)", path)):
        return "labels the importer gives pods for a kept selector"
    if "skyspec.dev/env" in path and not in_has:
        return "environment label of the dev/qa/prod profile"
    if "checksum.skyspec.dev" in path:
        return "rollout checksums skyspec adds"
    if in_has and not out_has and re.search(r"template\.metadata\.annotations\.checksum/", path):
        return "a Helm chart's rollout checksum (skyspec writes its own, of the spec's ConfigMaps and Secrets)"
    if path == "apiVersion" and in_has and out_has:
        return "API version skyspec writes (the kind's current one)"
    if not in_has:
        if re.match(r"^(spec\.jobTemplate\.)?metadata\.(labels|annotations)\.", path):
            return "workload labels and annotations skyspec puts on each object"
        if path == "spec.replicas":
            return "replicas from autoscale.min"
        if "securityContext" in path or "automountServiceAccountToken" in path or re.search(r"(name=tmp\]|mountPath=/tmp\])", path):
            return "hardening skyspec adds"
        if ".resources.limits." in path or ".resources.requests." in path:
            return "sizing skyspec adds (limits from requests)"
        if last == "imagePullPolicy":
            return "image pull policy skyspec sets"
        if re.search(r"ports\[.*\]\.name$", path):
            return "port names skyspec gives"
        if re.search(r"env\[name=[A-Z0-9_]+_(HOST|PORT)\]", path):
            return "connect_to discovery variables"
    m = re.search(r"\[port=(\d+)\]\.targetPort$", path)
    if m and in_has != out_has and str((ports.get(out, out) if out_has else ports.get(inp, inp))) == m.group(1):
        return "Kubernetes defaults"   # a Service's targetPort defaults to its port
    if in_has and not out_has and inp in ({}, []):
        return "Kubernetes defaults"   # an empty map or list is no value
    if in_has != out_has:  # one side states what the API server fills in anyway
        for pat, val in K8S_DEFAULTS:
            if re.match(pat, path) and _same(inp if in_has else out, val):
                return "Kubernetes defaults"
    if in_has and out_has:
        if "securityContext" in path and (last in ("runAsNonRoot", "readOnlyRootFilesystem")
                                          or ".capabilities.drop" in path):
            return "hardening skyspec adds"
        if last == "imagePullPolicy":
            return "image pull policy skyspec sets"
        if (last in ("targetPort", "port") and isinstance(inp, int) != isinstance(out, int)
                and (ports.get(inp) == out or ports.get(out) == inp)):
            return "port by name"
    if in_has and "securityContext" in path and not out_has and re.search(r"capabilities\.drop", path):
        return "hardening skyspec adds"
    return None


def _subject_namespace(i: dict, o: dict, path: tuple, out, in_has: bool) -> str | None:
    """A RoleBinding's ServiceAccount subject without a namespace is of the binding's own
    (the authorizer reads it so): the build writing it is a Kubernetes default."""
    if i["kind"] == "RoleBinding" and not in_has and path[-1:] == ("namespace",) and len(path) == 3 \
            and path[0] == "subjects" and out == (o.get("metadata") or {}).get("namespace"):
        return "Kubernetes defaults"
    return None


POD_LEVEL = ("runAsUser", "runAsGroup", "runAsNonRoot", "seccompProfile")
MISSING_AT_POD = object()


def _pod_level(o: dict, path: tuple, inp, in_has: bool, out_has: bool) -> str | None:
    """A container's `securityContext.runAsGroup` (user, non-root, seccomp profile) that the
    build says once, for the pod, with the same value: a container without one runs with the pod's."""
    sc_at = next((n for n in range(len(path) - 2, -1, -1) if path[n] == "securityContext"), None)
    if not in_has or out_has or sc_at is None or path[sc_at + 1] not in POD_LEVEL:
        return None
    at = next((n for n in range(sc_at, -1, -1) if path[n] in ("containers", "initContainers")), None)
    pod = o if at is not None else None
    for k in path[:at] if at is not None else ():
        pod = pod.get(k) if isinstance(pod, dict) else None   # the pod spec the container is in
    got = pod.get("securityContext") if isinstance(pod, dict) else None
    for k in path[sc_at + 1:]:   # the same field of the pod's (`seccompProfile.type`)
        got = got.get(k, MISSING_AT_POD) if isinstance(got, dict) else MISSING_AT_POD
    return "hardening skyspec adds" if got is not MISSING_AT_POD and got == inp else None



RENAMED = "renamed: the name skyspec gives an object of its own"


def compare(inputs: list[dict], outputs: list[dict], official: dict | None = None,
            renamed: dict[int, str] | None = None, reselected: dict[int, dict] | None = None,
            unmoved: dict[int, dict] | None = None) -> tuple[dict, list[tuple]]:
    """(figures, unexplained): figures has objects, fields, equal and categories (name -> count);
    unexplained lists (input object, path, input value, output value, in_has, out_has).
    ``official`` ({workload name: what :func:`.official.apply` changed}) names what a stdlib
    template or an official image's relaxations change; a templated Deployment is compared
    with the StatefulSet of its name. ``renamed`` ({id(input object): name}) names the objects
    imported under another name (one skyspec gives its own objects): each is compared with
    the object of its new name. ``reselected`` ({id(input object): {path: term}}) holds the
    pod affinity terms and spread constraints the importer rewrote onto skyspec's labels: the
    build is compared with them, and each field they change is a difference of the category
    `selector on skyspec's labels`, not an equal one. ``unmoved`` ({id(input object): the
    object as written}) holds the objects the importer rewrote to move a ConfigMap's
    credentials into a Secret (:mod:`.config_secrets`): the build is compared with the
    rewritten one, and each field the move changes is a difference of :data:`MOVED`."""
    from .kube import namespace_of
    from .official import category, exported

    official = official or {}
    by_id: dict[tuple, list[dict]] = {}  # (kind, name): the objects, of one namespace or several
    for o in outputs:
        by_id.setdefault((o["kind"], o["metadata"].get("name")), []).append(o)
    home = namespace_of(inputs) if inputs else None

    def find(key: tuple, i: dict) -> dict | None:
        """The output of ``key`` in the namespace of ``i`` (kube-prometheus's Role of one name in
        three), else the only one."""
        got = by_id.get(key) or []
        ns = i["metadata"].get("namespace") or home
        return next((o for o in got if (o["metadata"].get("namespace") or home) == ns), got[0] if got else None)

    pods = {o["metadata"].get("name"): _port_names(o) for o in outputs
            if o["kind"] in ("Deployment", "StatefulSet", "Job", "CronJob")}
    services = _service_ports(outputs)
    used = _used_ports(inputs)
    figs = {"objects": 0, "fields": 0, "equal": 0, "categories": {}}
    bad: list[tuple] = []
    matched = set()
    renamed = renamed or {}
    for i in inputs:
        new = renamed.get(id(i))
        o = find((i["kind"], new or i["metadata"].get("name")), i)
        info = official.get(i["metadata"].get("name")) if i["kind"] in ("Deployment", "StatefulSet") else None
        if o is None and info is not None and info["template"]:
            o = find(("StatefulSet", i["metadata"].get("name")), i)
        figs["objects"] += 1
        if o is None:
            fi = flatten(i)
            figs["fields"] += len(fi)
            if i["kind"] == "Secret":  # a Secret becomes `keys:`: its values are never written
                cat = "Secret values supplied at deploy time"
                figs["categories"][cat] = figs["categories"].get(cat, 0) + len(fi)
                continue
            bad += [(i, p, v, None, True, False) for p, v in fi.items()]
            continue
        matched.add(id(o))
        ports = _port_names(i) | _port_names(o) | pods.get(o["metadata"].get("name"), {})
        ci = _clean(i)
        if new is not None:  # (a copy of its metadata)
            ci["metadata"]["name"] = new
            figs["fields"] += 1
            figs["categories"][RENAMED] = figs["categories"].get(RENAMED, 0) + 1
        n = _backend_ports(ci, o, services)
        if n:
            figs["fields"] += n
            figs["categories"]["port by name"] = figs["categories"].get("port by name", 0) + n
        n = _own_resources(ci)
        if n:
            figs["fields"] += n
            figs["categories"]["Kubernetes defaults"] = figs["categories"].get("Kubernetes defaults", 0) + n
        if _rename_container(ci, o):
            figs["fields"] += 1
            figs["categories"]["container named after the workload"] = \
                figs["categories"].get("container named after the workload", 0) + 1
        ca = _reselected(ci, (reselected or {}).get(id(i)))
        was, fo = flatten(ci), flatten(o)
        fi = flatten(ca) if ca is not ci else was   # (the input as compared: its terms reselected)
        first = flatten(aligned((unmoved or {})[id(i)], o, outputs)) if id(i) in (unmoved or {}) else was
        for p in list(dict.fromkeys([*first, *was, *fi, *fo])):
            figs["fields"] += 1
            a, b = fi.get(p), fo.get(p)
            if p in fi and p in fo and _same(a, b) or p not in fi and p not in fo:
                if p in first and p in was and p in fi and _same(first[p], was[p]) and _same(was[p], a):
                    figs["equal"] += 1
                elif (p in first) != (p in was) or not _same(first.get(p), was.get(p)):
                    figs["categories"][MOVED] = figs["categories"].get(MOVED, 0) + 1   # (the build has it moved)
                else:   # a selector's field the importer changed, and the build has as changed
                    figs["categories"][RESELECTED] = figs["categories"].get(RESELECTED, 0) + 1
                continue
            cat = category(shown(p), info, p in fi, p in fo, early=True) if info is not None else None
            cat = cat or classify(p, a, b, p in fi, p in fo, ports) or _subject_namespace(i, o, p, b, p in fi) \
                or _pod_level(o, p, a, p in fi, p in fo) or _declared(p, b, used.get(id(i)), p in fi, p in fo) \
                or _cluster_namespace(i, p, p in fi, p in fo)
            if cat is None and info is not None:
                cat = category(shown(p), info, p in fi, p in fo)
            m = re.search(r"\.env\[name=([A-Za-z_][A-Za-z0-9_]*)\]", shown(p)) if cat is None and p not in fi else None
            if m:
                cat = exported(m.group(1), official)
            if cat is None:
                bad.append((i, p, a, b, p in fi, p in fo))
            else:
                figs["categories"][cat] = figs["categories"].get(cat, 0) + 1
    extra = [o for o in outputs if id(o) not in matched]
    if extra:
        figs["categories"]["objects skyspec adds (" + ", ".join(sorted({o["kind"] for o in extra})) + ")"] = len(extra)
    return figs, bad


RESELECTED = "selector on skyspec's labels"
MOVED = "credential of a ConfigMap moved to a Secret (value at deploy time)"


def _reselected(ci: dict, terms: dict | None) -> dict:
    """``ci`` (a copy) with the pod terms the importer reselected (``terms``: {path: term}) as
    the build writes them; ``ci`` itself when there are none."""
    import copy

    if not terms:
        return ci
    new = copy.deepcopy(ci)
    for path, term in terms.items():
        node = new
        for k in path[:-1]:
            node = node[k] if isinstance(node, (dict, list)) else None
        node[path[-1]] = copy.deepcopy(term)
    return new


DECLARED = "ports the input's probes and Services reach, declared"


def _used_ports(inputs: list[dict]) -> dict[int, set]:
    """id(input workload) -> the port numbers its probes and the Services selecting its pods
    reach without its containers declaring them (the importer declares those)."""
    from ..syscheck import pod_spec
    from .kube import WORKLOADS, namespace_of, probe_ports, same_ns

    out: dict[int, set] = {}
    home = namespace_of(inputs) if inputs else None
    services = [s for s in inputs if s["kind"] == "Service"]
    for w in inputs:
        got = pod_spec(w) if w["kind"] in WORKLOADS else None
        if got is None:
            continue
        labels = got[0].get("labels") or {}
        cs = [c for c in got[1].get("containers") or [] if isinstance(c, dict)]
        nums = {n for c in cs for n in probe_ports(c)}
        named = {p.get("name") for c in cs + list(got[1].get("initContainers") or []) if isinstance(c, dict)
                 for p in c.get("ports") or []}
        for s in services:
            sel = (s.get("spec") or {}).get("selector") or {}
            if sel and all(labels.get(k) == v for k, v in sel.items()) and same_ns(s, w, home):
                for p in (s.get("spec") or {}).get("ports") or []:
                    t = p.get("targetPort", p.get("port"))
                    nums.add(t)
                    if isinstance(t, str) and not t.isdigit() and t not in named:
                        nums.add(p.get("port"))   # (the importer declares the name at the Service's port)
        nums -= {p.get("containerPort") for c in cs for p in c.get("ports") or []}
        if nums:
            out[id(w)] = nums
    return out


def _declared(path: tuple, out, used: set | None, in_has: bool, out_has: bool) -> str | None:
    """A container port the build declares (after the input's: `port-<number>`) because the
    input's probe or Service reaches it (its item keyed by number, or by index where two
    ports share a number)."""
    m = re.search(r"\.containers\[[^\]]+\]\.ports\[([^\]]+)\]\.(containerPort|name)$", shown(path))
    if not (used and m and out_has and not in_has):
        return None
    n = out if m.group(2) == "containerPort" else int(out[5:]) if re.fullmatch(r"port-\d+", str(out)) else out
    key = m.group(1)
    num = int(key[14:]) if key.startswith("containerPort=") and key[14:].isdigit() else None
    return DECLARED if n in used and (key.isdigit() or num == n or (num in used and isinstance(n, str))) else None


def _cluster_namespace(i: dict, path: tuple, in_has: bool, out_has: bool) -> str | None:
    """The namespace a chart writes on a cluster-scoped object (a ClusterRole): the API server
    ignores it, and the build does not write it."""
    from ..ir.lower import CLUSTER_KINDS

    return "Kubernetes defaults" if path == ("metadata", "namespace") and in_has and not out_has \
        and i["kind"] in CLUSTER_KINDS else None


def aligned(i: dict, o: dict, services: list[dict] | None = None, terms: dict | None = None) -> dict:
    """The input object as it is compared with the output ``o``: without what no build
    reproduces, its main container named as the output's, an Ingress backend's port said as
    the output says it (by number or by name) where both are the same port of the Service
    (``services``: the built objects), its pod terms reselected (``terms``: {path: term})."""
    ci = _clean(i)
    _backend_ports(ci, o, _service_ports([o] if services is None else services))
    _own_resources(ci)
    _rename_container(ci, o)
    return _reselected(ci, terms)


def effective_env(env):
    """A container's `env` as Kubernetes applies it: of a name given twice, the last entry (the
    earlier ones set nothing that stays), unless a value reads a variable (`$(VAR)`), where
    every entry counts in its order."""
    if not isinstance(env, list) or not all(isinstance(e, dict) for e in env):
        return env
    names = [e.get("name") for e in env]
    if len(set(map(str, names))) == len(names) or any("$(" in str(e.get("value", "")) for e in env):
        return env
    last = {str(n): i for i, n in enumerate(names)}
    return [e for i, e in enumerate(env) if last[str(names[i])] == i]


def _effective_pod(o: dict) -> dict:
    """``o`` (a copy along the way) with each container's env as Kubernetes applies it."""
    path = ("spec", "jobTemplate", "spec", "template", "spec") if o.get("kind") == "CronJob" else \
        ("spec", "template", "spec")
    pod = o
    for k in path:
        pod = pod.get(k) if isinstance(pod, dict) else None
    if not isinstance(pod, dict) or not any(
            isinstance(c, dict) and effective_env(c.get("env")) is not c.get("env")
            for key in ("containers", "initContainers") for c in (pod.get(key) or [])):
        return o
    top = dict(o)
    cur = top
    for k in path:  # copies down to the pod spec
        cur[k] = dict(cur[k])
        cur = cur[k]
    for key in ("containers", "initContainers"):
        if isinstance(cur.get(key), list):
            cur[key] = [{**c, "env": effective_env(c["env"])} if isinstance(c, dict) and "env" in c else c
                        for c in cur[key]]
    return top


def _clean(o: dict) -> dict:
    """The input without what no build reproduces: status and server-set metadata, the env
    entries of a name given twice that Kubernetes overrides."""
    o = _effective_pod({k: v for k, v in o.items() if k != "status"})
    meta = {k: v for k, v in (o.get("metadata") or {}).items()
            if k not in ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink")}
    ann = {k: v for k, v in (meta.get("annotations") or {}).items()
           if k not in SERVER_ANNOTATIONS}
    if ann:
        meta["annotations"] = ann
    else:
        meta.pop("annotations", None)
    o["metadata"] = meta
    return o


def _containers(o: dict) -> list | None:
    """The containers of a workload's pod template; None for an object without one (whatever a
    `k8s:` patch made of another kind's `spec`)."""
    path = ("spec", "jobTemplate", "spec", "template", "spec") if o.get("kind") == "CronJob" else \
        ("spec", "template", "spec")
    node = o
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node.get("containers") if isinstance(node, dict) else None


def _own_resources(i: dict) -> int:
    """Drops from each variable's `resourceFieldRef` what Kubernetes assumes when it is absent
    (a `containerName` naming the variable's own container, `divisor: 1`), as `downward:`
    writes it; returns how many fields it dropped. Copies what it changes."""
    import copy

    def get(d, *path):
        for k in path:
            d = d.get(k) if isinstance(d, dict) else None
        return d

    def pods(o: dict) -> list:
        pod = get(o, "spec", "jobTemplate", "spec", "template", "spec") if o.get("kind") == "CronJob" \
            else get(o, "spec", "template", "spec")
        return [c for k in ("containers", "initContainers") for c in (get(pod, k) or []) if isinstance(c, dict)]

    def drops(c: dict, e) -> list[str]:
        r = get(e, "valueFrom", "resourceFieldRef")
        return [k for k, v in r.items() if k == "containerName" and v == c.get("name")
                or k == "divisor" and str(v) == "1"] if isinstance(r, dict) else []

    if not any(drops(c, e) for c in pods(i) for e in get(c, "env") or []):
        return 0
    new = copy.deepcopy(i)
    n = 0
    for c in pods(new):
        for e in get(c, "env") or []:
            for k in drops(c, e):
                del e["valueFrom"]["resourceFieldRef"][k]
                n += 1
    i.clear()
    i.update(new)
    return n


def _rename_container(i: dict, o: dict) -> bool:
    """Aligns the input's main container with the output's (skyspec names it after the
    workload); True when the names differed. Copies what it changes."""
    import copy

    ic, oc = _containers(i), _containers(o)
    if not ic or not oc or ic[0].get("name") == oc[0].get("name"):
        return False
    if any(c.get("name") == oc[0].get("name") for c in ic[1:]):
        return False
    new = copy.deepcopy(i)
    _containers(new)[0]["name"] = oc[0]["name"]
    i.clear()
    i.update(new)
    return True


def _service_ports(objs: list[dict]) -> dict:
    """{(namespace, Service name): {port name: port number}} of the Services in ``objs``."""
    return {(o["metadata"].get("namespace"), o["metadata"].get("name")):
            {p["name"]: p.get("port") for p in (o.get("spec") or {}).get("ports") or [] if p.get("name")}
            for o in objs if o.get("kind") == "Service"}


def _backends(o: dict) -> list[dict]:
    """The `service` maps of an Ingress's backends, in order (default backend first)."""
    spec = o.get("spec") or {}
    out = [(spec.get("defaultBackend") or {}).get("service")]
    for r in spec.get("rules") or []:
        out += [(p.get("backend") or {}).get("service") for p in (r.get("http") or {}).get("paths") or []]
    return [b if isinstance(b, dict) else {} for b in out]


def _backend_ports(i: dict, o: dict, services: dict) -> int:
    """Aligns an Ingress's backend ports given by number in one of ``i``, ``o`` and by name in
    the other with the output's form where the Service maps that name to that number;
    returns how many it aligned. Copies what it changes."""
    import copy

    if i.get("kind") != "Ingress" or o.get("kind") != "Ingress":
        return 0
    ns = o["metadata"].get("namespace")
    new = copy.deepcopy(i)
    ib, ob = _backends(new), _backends(o)
    n = 0
    for a, b in zip(ib, ob):
        pa, pb = a.get("port"), b.get("port")
        if a.get("name") != b.get("name") or not isinstance(pa, dict) or not isinstance(pb, dict) \
                or len(pa) != 1 or len(pb) != 1 or set(pa) == set(pb):
            continue
        named = services.get((ns, b.get("name"))) or services.get((i["metadata"].get("namespace"), b.get("name"))) or {}
        name, number = (pa.get("name"), pb.get("number")) if "name" in pa else (pb.get("name"), pa.get("number"))
        if name is not None and number is not None and named.get(name) == number:
            a["port"] = dict(pb)
            n += 1
    if n:
        i.clear()
        i.update(new)
    return n


def _port_names(o: dict) -> dict:
    """Port name -> number (and a container's number -> name) of a workload's pod template or a
    Service; of any other object, whatever its `spec` holds (a `k8s:` patch may have made it a
    string), nothing."""
    def maps(v) -> list:
        return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []

    out: dict = {}
    spec = o.get("spec") if isinstance(o.get("spec"), dict) else {}
    tmpl = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    tmpl = tmpl.get("spec") if isinstance(tmpl.get("spec"), dict) else {}
    for c in maps(tmpl.get("containers")):
        for p in maps(c.get("ports")):
            if p.get("name") and "containerPort" in p:
                out[p["name"]] = p["containerPort"]
                out[p["containerPort"]] = p["name"]
    for p in maps(spec.get("ports")):
        if p.get("name") and "targetPort" in p and "port" in p:
            out[p["name"]] = p["port"]
    return out


def report(figs: dict) -> str:
    cats = ", ".join(f"{k}: {v}" for k, v in sorted(figs["categories"].items()))
    return (f"{figs['objects']} objects, {figs['fields']} fields, {figs['equal']} equal, "
            f"differences: {cats or 'none'}")
