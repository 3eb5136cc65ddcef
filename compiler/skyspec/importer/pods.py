"""The fields of a workload beyond its main container, said in the language where it can say
them (:mod:`.kube` calls these after the container): a Job's and a CronJob's run settings, a
StatefulSet's claims (`storage`), pod management and update strategy, the pod's lifecycle
hooks, grace period, tolerations and pull secrets, and how its Service maps ports (a Service
port other than the container port as `service:`, a node port and source ranges in
`expose`). Each mapping is exact or not made: what it leaves (a claim with a selector, a
hook that is not `exec`) is found by the round trip and kept as the workload's `k8s:` patch.
It computes data only; it reads, writes and reports nothing.
"""

from __future__ import annotations

import re

from .kube import NAME, _selects, pod_spec, same_ns

JOB = (("completions", "completions"), ("parallelism", "parallelism"), ("backoffLimit", "backoff_limit"),
       ("activeDeadlineSeconds", "active_deadline"), ("ttlSecondsAfterFinished", "ttl"))
CRON = (("timeZone", "time_zone"), ("concurrencyPolicy", "concurrency"), ("suspend", "suspend"),
        ("startingDeadlineSeconds", "starting_deadline"))
ACCESS = ("ReadWriteOnce", "ReadWriteOncePod", "ReadOnlyMany", "ReadWriteMany")
TOLERATION = (("key", "key"), ("operator", "operator"), ("value", "value"), ("effect", "effect"),
              ("tolerationSeconds", "seconds"))


def kind_fields(w: dict, doc: dict) -> None:
    """A Job's, a CronJob's and a StatefulSet's own settings."""
    spec = w.get("spec") or {}
    if w["kind"] == "CronJob":
        for src, dst in CRON:
            if src in spec:
                doc[dst] = spec[src]
        h = {k: spec[src] for src, k in (("successfulJobsHistoryLimit", "successful"),
                                          ("failedJobsHistoryLimit", "failed")) if src in spec}
        if h:
            doc["history"] = h
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    if w["kind"] in ("Job", "CronJob"):
        for src, dst in JOB:
            if src in spec:
                doc[dst] = spec[src]
        restart = ((pod_spec(w).get("spec") or {}).get("restartPolicy"))
        if restart in ("Never",):
            doc["restart"] = restart
    if w["kind"] == "StatefulSet":
        if spec.get("podManagementPolicy") in ("OrderedReady", "Parallel") and spec["podManagementPolicy"] != "OrderedReady":
            doc["pod_management"] = spec["podManagementPolicy"]
        st = spec.get("updateStrategy") or {}
        if st.get("type") == "OnDelete":
            doc["strategy"] = "on-delete"
        elif set(st.get("rollingUpdate") or {}) == {"partition"}:
            doc["strategy"] = {"rolling": {"partition": st["rollingUpdate"]["partition"]}}


def storage(w: dict, c: dict, doc: dict) -> None:
    """A StatefulSet's claim templates mounted by the main container, as `storage`."""
    if w["kind"] != "StatefulSet":
        return
    mounts = {m["name"]: m for m in c.get("volumeMounts") or []}
    out: dict = {}
    for t in (w.get("spec") or {}).get("volumeClaimTemplates") or []:
        meta, cs = t.get("metadata") or {}, t.get("spec") or {}
        name = meta.get("name")
        m = mounts.get(name)
        size = ((cs.get("resources") or {}).get("requests") or {}).get("storage")
        modes = cs.get("accessModes") or ["ReadWriteOnce"]
        if not isinstance(name, str) or not NAME.match(name) or m is None or set(m) - {"name", "mountPath"} \
                or not isinstance(size, str) or set(cs) - {"accessModes", "resources", "storageClassName"} \
                or len(modes) != 1 or modes[0] not in ACCESS or set(meta) - {"name", "labels"}:
            continue
        s: dict = {"size": size, "mount": m["mountPath"]}
        if cs.get("storageClassName"):
            s["class"] = cs["storageClassName"]
        if modes[0] != "ReadWriteOnce":
            s["access"] = modes[0]
        out[name] = s
    if out:
        doc["storage"] = out


def pod_fields(ps: dict, c: dict, doc: dict) -> None:
    """The pod's lifecycle hooks (exec), grace period, tolerations and pull secrets."""
    lc = c.get("lifecycle") or {}
    hooks: dict = {}
    for src, dst in (("postStart", "post_start"), ("preStop", "pre_stop")):
        h = lc.get(src) or {}
        if set(h) == {"exec"} and set(h["exec"] or {}) == {"command"} and h["exec"]["command"]:
            hooks[dst] = [str(x) for x in h["exec"]["command"]]
    if "terminationGracePeriodSeconds" in ps and ps["terminationGracePeriodSeconds"] != 30:
        hooks["termination_grace"] = ps["terminationGracePeriodSeconds"]
    if hooks:
        doc["lifecycle"] = hooks
    tol = []
    for t in ps.get("tolerations") or []:
        if set(t) - {src for src, _ in TOLERATION}:
            tol = []
            break
        tol.append({dst: t[src] for src, dst in TOLERATION if src in t})
    if tol:
        doc["tolerations"] = tol
    pulls = [s.get("name") for s in ps.get("imagePullSecrets") or []]
    if pulls and all(isinstance(n, str) and NAME.match(n) for n in pulls):
        doc["image_pull_secrets"] = pulls


def serves(svc: dict, tmpl: dict, governing: bool = False, main: int = 0) -> bool:
    """Whether `expose` can say ``svc``, the workload's own Service: every port of it reaches
    the pod's main container (``main``, :func:`main_container`: `expose` exposes that
    container's ports; a port another container declares makes it a Service to keep as
    written), and no two of the ports `expose` makes share a number and protocol (traefik's sends port 443 to its `httpn` port
    while the container also has an `https` 443: `expose` would make 443 twice), nor do two
    of its ports send to one container port."""
    cs = [c for c in (tmpl.get("spec") or {}).get("containers") or [] if isinstance(c, dict)] or [{}]
    mine = [p for p in cs[main].get("ports") or [] if isinstance(p, dict)] if main < len(cs) else []
    own = {k for p in mine for k in (p.get("containerPort"), p.get("name"))}
    others = {k for i, c in enumerate(cs) if i != main for p in c.get("ports") or [] if isinstance(p, dict)
              for k in (p.get("containerPort"), p.get("name"))}
    sent = [p for p in (svc.get("spec") or {}).get("ports") or [] if isinstance(p, dict)]
    sent_to = [p.get("targetPort", p.get("port")) for p in sent]
    if not all(t in own or t not in others for t in sent_to):
        # a port of another container: a Service to keep as written, unless the workload's own
        # Service is made whatever it says (a StatefulSet's, named after it) and also reaches the
        # main container: then it is that one, with the other container's port patched in
        if not (governing and any(t in own for t in sent_to)):
            return False
        sent = [p for p, t in zip(sent, sent_to) if t in own]
    by_name = {p.get("name"): p.get("containerPort") for p in mine if p.get("name")}
    targets = [(str(by_name.get(t, t)), p.get("protocol", "TCP")) for p, t in ((p, p.get("targetPort", p.get("port")))
                                                                            for p in sent)]
    if len(targets) != len(set(targets)):
        return False  # two Service ports to one container port (hazelcast-jet's 8081 and 443)
    made = []
    for p in mine:
        to = next((sp.get("port") for sp in sent if sp.get("targetPort", sp.get("port")) in
                   (p.get("containerPort"), p.get("name"))), p.get("containerPort"))
        made.append((to, p.get("protocol", "TCP")))
    return len(made) == len(set(made))


def service(svc: dict, doc: dict, names: dict) -> None:
    """The Service's ports over the container's (`service:` where the Service port differs)
    and its type's settings in `expose` (``names``: container port -> port name)."""
    sspec = svc.get("spec") or {}
    ports = doc.get("ports") or ({"http": doc["port"]} if "port" in doc else {})
    by_name = {n: p for p, n in names.items()}
    node: dict = {}
    for sp in sspec.get("ports") or []:
        tp = sp.get("targetPort", sp.get("port"))
        name = tp if tp in by_name else names.get(tp)
        if name is None or name not in ports:
            continue
        if sp.get("port") != by_name[name]:
            p = ports[name]
            ports[name] = {"port": p, "service": sp["port"]} if isinstance(p, int) else {**p, "service": sp["port"]}
        if "nodePort" in sp:
            node[name] = sp["nodePort"]
    if ports and "port" in doc and not isinstance(ports.get("http"), int):
        del doc["port"]
        doc["ports"] = ports
    t = sspec.get("type", "ClusterIP")
    if t in ("NodePort", "LoadBalancer"):
        e: dict = {"type": t}
        if len(node) == 1:
            name, n = next(iter(node.items()))
            e["node_port"] = n
            if name != next(iter(ports), None):
                e["port"] = name
        if sspec.get("loadBalancerSourceRanges") and t == "LoadBalancer":
            e["source_ranges"] = list(sspec["loadBalancerSourceRanges"])
        doc["expose"] = e


def main_container(tmpl: dict, name: str) -> int:
    """Which of a pod template's containers is the workload's main one: the one its
    `kubectl.kubernetes.io/default-container` annotation names, else the one named after the
    workload or after its pods' `app.kubernetes.io/name`, else the first. A chart may list a
    sidecar first (alertmanager's config reloader)."""
    meta = tmpl.get("metadata") or {}
    cs = (tmpl.get("spec") or {}).get("containers") or []
    names = [c.get("name") if isinstance(c, dict) else None for c in cs]
    for want in ((meta.get("annotations") or {}).get("kubectl.kubernetes.io/default-container"), name,
                 (meta.get("labels") or {}).get("app.kubernetes.io/name")):
        if want and want in names:
            return names.index(want)
    return 0


def port_names(tmpl: dict) -> set:
    """The names of the ports a pod template's containers and init containers declare."""
    ps = tmpl.get("spec") or {}
    return {p.get("name") for c in (ps.get("containers") or []) + (ps.get("initContainers") or [])
            if isinstance(c, dict) for p in c.get("ports") or [] if isinstance(p, dict)}


class SelectedNames:
    """``(svc)`` -> the port names the containers of the pods Service ``svc`` selects declare
    (any of ``workloads``), worked out once per Service (asked rarely: for a target by a name
    the workload's own containers do not declare)."""

    def __init__(self, workloads: list[dict], home: str):
        self.workloads, self.home, self.memo = workloads, home, {}

    def __call__(self, svc: dict) -> set:
        got = self.memo.get(id(svc))
        if got is None:
            sel = (svc.get("spec") or {}).get("selector") or {}
            got = self.memo[id(svc)] = {
                n for w in self.workloads if same_ns(svc, w, self.home)
                and _selects(sel, (pod_spec(w).get("metadata") or {}).get("labels") or {}) for n in port_names(pod_spec(w))}
        return got


def ports_of(svc: dict) -> list[tuple]:
    """(target port, port) of each port of Service ``svc``."""
    return [(p.get("targetPort", p.get("port")), p.get("port")) for p in (svc.get("spec") or {}).get("ports") or []
            if isinstance(p, dict)]


DNS_PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$")   # an IANA_SVC_NAME: a container port's name


def declare_unnamed(unnamed: dict, ports: dict, names: dict, others) -> list[tuple[str, int]]:
    """Declares (into ``ports``, name -> number, and ``names``, number -> name) each target
    port of ``unnamed`` ({name: the Service's port}) that no container declares, at the
    Service's port number; returns the (name, number) declared."""
    out = []
    for name, n in sorted(unnamed.items(), key=lambda kv: kv[1]):
        if 0 < n < 65536 and n not in names and n not in others and name not in ports and DNS_PORT_NAME.match(name):
            names[n] = name
            ports[name] = n
            out.append((name, n))
    return out
