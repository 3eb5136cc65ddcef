"""network: the NetworkPolicies and Namespaces that let the declared system run, and no more.

Per workload (unless `security: {network_policy: false}`) one NetworkPolicy admitting exactly
the traffic the specs declare, one ingress rule per port set:
- from the pods of every workload that `connect_to` it, on all its ports;
- through an Ingress (`expose: {host: ...}`): from the ingress controller's namespace on the
  routed port (`network: {ingress_namespace: ingress-nginx}`);
- as a LoadBalancer/NodePort Service: from anywhere, or from its `source_ranges`;
- on a metrics port an `Observability` declares: from the monitoring namespace
  (`network: {monitoring_namespace: monitoring}`), so Prometheus can scrape it.
A workload with `security: {network_policy: false}` gets no policy and is left out of the
namespace-wide default deny, so it stays reachable. With `network: {egress: true}` each policy also restricts egress to DNS (kube-dns in
kube-system, port 53) and the workloads it `connect_to`s; the namespace-wide default deny then
covers egress too. With `network: {namespace: true}` a Namespace object is emitted for every namespace the environment uses, so
`kubectl apply` works on a fresh cluster.

The `network:` block is read from the project file, then the environment's entry there
(key by key). This pass runs after `harden` and, like it, not when `settings: {harden: false}`
or `settings: {network_policies: false}`. It never changes a workload, only adds policies.
"""

from __future__ import annotations

from ..ir.model import IR, Context, NetPolicy, pod_selector

DEFAULTS = {"namespace": False, "ingress_namespace": "ingress-nginx", "monitoring_namespace": "monitoring",
            "egress": False}
NS_LABEL = "kubernetes.io/metadata.name"
DNS = {"namespaceSelector": {"matchLabels": {NS_LABEL: "kube-system"}},
       "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}


def settings(ctx: Context) -> dict:
    """The `network:` settings of this environment: defaults, the project's, the environment's."""
    out = dict(DEFAULTS)
    project = getattr(ctx.project, "data", None) or {}
    env = getattr(ctx.env, "raw", None) or {}
    for block in (project.get("network"), env.get("network")):
        if isinstance(block, dict):
            out.update(block)
    return out


def network(ir: IR, ctx: Context) -> IR:
    conf = settings(ctx)
    if conf["namespace"]:
        _namespaces(ir)
    if ir.settings.get("harden") is False or ir.settings.get("network_policies") is False:
        return ir
    consumers: dict[str, list[str]] = {}
    for w in ir.workloads:
        for t in w.connect_to:
            consumers.setdefault(t, []).append(w.name)
    by_name = {w.name: w for w in ir.workloads}
    made, open_ = False, []
    for w in sorted(ir.workloads, key=lambda w: w.name):
        if w.relax.get("network_policy") is False:
            open_.append(w.name)
            continue
        rules = _ingress(ir, w, sorted(consumers.get(w.name, [])), conf)
        types = ["Ingress"]
        egress = None
        if conf["egress"]:
            types.append("Egress")
            egress = _egress(ir, w, by_name)
        ir.netpols.append(NetPolicy(f"{w.name}-ingress", w.namespace, pod_selector(ir.project, w.name),
                                    generated=True, types=types, owner=w.name,
                                    rules=rules, egress=egress))
        made = True
    if made:
        # `network_policy: false` means unrestricted: the default deny leaves those pods out
        leave = {"NetworkPolicy": {"spec": {"podSelector": {"matchExpressions": [
            {"key": "app.kubernetes.io/name", "operator": "NotIn", "values": open_}]}}}} if open_ else {}
        ir.netpols.append(NetPolicy(f"{ir.project}-default-deny", ir.namespace, None, generated=True,
                                    types=["Ingress", "Egress"] if conf["egress"] else ["Ingress"], k8s=leave))
    return ir


def _port_number(w, ref) -> int | None:
    for p in w.ports:
        if ref in (p.name, p.port):
            return p.port
    return ref if isinstance(ref, int) else None


def _ingress(ir: IR, w, consumers: list[str], conf: dict) -> list[dict]:
    """Ingress rules: (peers, ports) grouped by port set, in a fixed order."""
    every = tuple(p.port for p in w.ports)
    groups: dict[tuple, list[dict]] = {}
    for c in consumers:
        groups.setdefault(every, []).append({"podSelector": {"matchLabels": pod_selector(ir.project, c)}})
    x = w.expose
    if x and x.service_type in ("LoadBalancer", "NodePort"):
        ranges = getattr(x, "source_ranges", None) or ["0.0.0.0/0"]
        groups.setdefault(every, []).extend({"ipBlock": {"cidr": r}} for r in ranges)
    if x and x.host:
        port = _port_number(w, x.port) if x.port is not None else (every[0] if every else None)
        peer = {"namespaceSelector": {"matchLabels": {NS_LABEL: conf["ingress_namespace"]}}}
        groups.setdefault((port,) if port else every, []).append(peer)
    for port in _metrics_ports(ir, w):
        peer = {"namespaceSelector": {"matchLabels": {NS_LABEL: conf["monitoring_namespace"]}}}
        groups.setdefault((port,), []).append(peer)
    rules = []
    for ports, peers in groups.items():
        rule: dict = {"from": peers}
        if ports:
            rule["ports"] = [{"protocol": _protocol(w, p), "port": p} for p in ports]
        rules.append(rule)
    return rules


def _protocol(w, port: int) -> str:
    return next((p.protocol for p in w.ports if p.port == port), "TCP")


def _metrics_ports(ir: IR, w) -> list[int]:
    found = []
    ann = w.pod_annotations.get("prometheus.io/port")
    if ann and ann.isdigit():
        found.append(int(ann))
    for m in ir.monitors:
        if m.app == w.name:
            n = _port_number(w, int(m.port) if str(m.port).isdigit() else m.port)
            if n is not None:
                found.append(n)
    return sorted(set(found))


def _egress(ir: IR, w, by_name: dict) -> list[dict]:
    rules = [{"to": [DNS], "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]
    for t in sorted(set(w.connect_to)):
        target = by_name.get(t)
        if target is None or not target.ports:
            continue
        peer: dict = {"podSelector": {"matchLabels": pod_selector(ir.project, t)}}
        if target.namespace != w.namespace:
            peer["namespaceSelector"] = {"matchLabels": {NS_LABEL: target.namespace}}
        rules.append({"to": [peer], "ports": [{"protocol": p.protocol, "port": p.port} for p in target.ports]})
    return rules


def _namespaces(ir: IR) -> None:
    """The environment's namespace (the backend's `namespace.yaml`, with the SecurityPolicy's
    labels when there is one) and every other namespace a workload names."""
    have = {r["object"]["metadata"].get("name") for r in ir.raw
            if r["object"].get("kind") == "Namespace" and isinstance(r["object"].get("metadata"), dict)}
    if ir.pod_security is None and ir.namespace not in have:  # a user's own Namespace object wins
        ir.pod_security = {}
    have.add(ir.namespace)
    for w in sorted(ir.workloads, key=lambda w: w.namespace):
        if w.namespace not in have:
            have.add(w.namespace)
            ir.raw.append({"object": {"apiVersion": "v1", "kind": "Namespace", "metadata": {
                "name": w.namespace, "labels": {"app.kubernetes.io/name": w.namespace,
                                                "app.kubernetes.io/part-of": ir.project,
                                                "app.kubernetes.io/managed-by": "skyspec"}}},
                           "spec": w.spec, "namespaced": False})
