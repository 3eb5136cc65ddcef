"""network: the NetworkPolicies and Namespaces that let the declared system run, and no more.

Per workload (unless `security: {network_policy: false}`) one NetworkPolicy admitting exactly
the traffic the specs declare, one ingress rule per port set:
- from the pods of every workload that `connect_to` it, on all its ports;
- through an Ingress (`expose: {host: ...}`, or one kept as written in a `kind: Resource`
  that routes to the workload's Service, or to a Service kept as written that selects its
  pods; or a Gateway API route kept as written, whose Gateway's data plane is the ingress
  controller): from the ingress controller's namespace on the routed port
  (`network: {ingress_namespace: ingress-nginx}`);
- as a LoadBalancer/NodePort Service: from anywhere, or from its `source_ranges`, on the ports
  the Service carries (not those its `k8s:` patch deletes);
- on a metrics port an `Observability` declares, a port its pods' own annotations ask
  Prometheus to scrape (`prometheus.io/scrape: "true"`, on `prometheus.io/port`, else every
  port they declare), or a port a ServiceMonitor or PodMonitor kept as written (`kind:
  Resource`) scrapes: from the monitoring namespace (`network: {monitoring_namespace:
  monitoring}`), so Prometheus can scrape it.
A workload with `security: {network_policy: false}` gets no policy and is left out of the
namespace-wide default deny, so it stays reachable. In a namespace Kubernetes runs its own
components in (kube-system, kube-public, kube-node-lease), or that every user shares (`default`,
where a project that names no namespace lands), the default deny selects the project's pods
only (`app.kubernetes.io/part-of`): denying every pod of kube-system would deny the whole
cluster its DNS, and every pod of `default` would cut off workloads the project does not own.
`network: {default_deny: project}` has it select the project's pods only in any namespace: pods
others make there (an operator's, at run time: a RabbitmqCluster's) are selected by no policy
of the project, and stay open, as Kubernetes leaves them. With `network: {egress: true}` each policy also restricts egress to DNS (kube-dns in
kube-system, port 53) and the workloads it `connect_to`s; the namespace-wide default deny then
covers egress too. With `network: {namespace: true}` a Namespace object is emitted for every namespace the environment uses, so
`kubectl apply` works on a fresh cluster.

The `network:` block is read from the project file, then the environment's entry there
(key by key). This pass runs after `harden` and, like it, not when `settings: {harden: false}`
or `settings: {network_policies: false}`. It never changes a workload, only adds policies.
"""

from __future__ import annotations

from typing import Any

from ..ir import why
from ..ir.model import IR, Context, NetPolicy, pod_selector
from ..syscheck import selects

# namespaces Kubernetes runs its own components in (CoreDNS, the metrics server): a project never
# owns them, and a default deny of every pod there would cut the whole cluster off its DNS
SHARED = ("kube-system", "kube-public", "kube-node-lease", "default")

# The `network:` defaults (documented: `skyspec explain` points at these lines).
DEFAULTS = {"namespace": False, "ingress_namespace": "ingress-nginx", "monitoring_namespace": "monitoring",
            "egress": False, "default_deny": "namespace"}
ANYWHERE = ["0.0.0.0/0", "::/0"]   # who may reach a LoadBalancer/NodePort Service without `expose.source_ranges`
# (IPv4 and IPv6: on a dual-stack or IPv6 cluster, an IPv4 block alone drops the IPv6 clients)
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


_R = why.Rule
POLICY = _R("network.policy", "every workload gets a NetworkPolicy admitting exactly the traffic the specs declare, "
                              "unless `security.network_policy: false`")
CONSUMER = _R("network.connect-to", "a workload that `connect_to`s this one may reach all its ports")
PUBLIC = _R("network.public", "a LoadBalancer or NodePort Service admits its `source_ranges` (default: anywhere)")
INGRESS = _R("network.ingress", "an exposed host admits the ingress controller's namespace on the routed port")
KEPT_INGRESS = _R("network.kept-ingress", "an Ingress or Gateway API route kept as written (`kind: Resource`) that routes to the "
                                          "workload's Service, or to a Service kept as written that selects its "
                                          "pods, admits the ingress controller's namespace on the routed port")
METRICS = _R("network.metrics", "a metrics port an Observability declares admits the monitoring namespace")
SCRAPED = _R("network.scrape-annotation", "pods annotated `prometheus.io/scrape: \"true\"` admit the monitoring "
                                          "namespace on `prometheus.io/port` (without it, on every port they declare)")
KEPT_MONITOR = _R("network.kept-monitor", "a ServiceMonitor or PodMonitor kept as written (`kind: Resource`) that "
                                          "scrapes the workload's pods (through its Service, or a Service kept as "
                                          "written) admits the monitoring namespace on the scraped port")
MONITORS = ("ServiceMonitor", "PodMonitor")
PORTS = _R("network.ports", "the ports a rule admits: the workload's own")
TYPES = _R("network.types", "policies restrict ingress, and egress too with `network.egress`")
DNS_RULE = _R("network.egress-dns", "with `network.egress`, every pod may still reach DNS (kube-dns, port 53)")
EGRESS = _R("network.egress-connect-to", "with `network.egress`, a pod may reach the workloads it `connect_to`s")
DENY = _R("network.default-deny", "once any workload has its own policy, a namespace-wide default deny covers the "
                                  "rest, leaving out workloads with `security.network_policy: false`")
SHARED_DENY = _R("network.default-deny-shared", "in a namespace Kubernetes runs its own components in (kube-system, "
                                               "kube-public, kube-node-lease) or that every user shares (default), "
                                               "the default deny covers the project's pods only")
OWN_DENY = _R("network.default-deny-project", "with `network.default_deny: project`, the default deny covers the "
                                          "project's pods only: pods others make in the namespace (an operator's) "
                                          "stay open")
NAMESPACE = _R("network.namespace", "with `network.namespace`, every namespace the environment uses is an object")
_POLICY = why.Why(POLICY, (why.own("name", label="the workload"),))
_EVERY_PORT = {True: why.Why(PORTS, (why.own("ports", label="the ports"),)),   # `ports:`, or the `port:` shorthand
               False: why.Why(PORTS, (why.own("port", label="the ports"),))}


def network_input(ir: IR, ctx: Context, key: str) -> why.In:
    """Where the `network.<key>` in force comes from: the environment's entry in the project
    file, the project's `network:`, or the default."""
    env = getattr(ctx.env, "raw", None) or {}
    project = getattr(ctx.project, "data", None) or {}
    name = getattr(ctx.env, "name", ir.env)
    prov = getattr(ctx.project, "prov", None)

    def written(*path) -> bool:  # by a person (the schema's defaults fill in the rest of a block)
        return prov is None or prov.find(path) is not None

    for block, at in ((env.get("network"), ("environments", name, "network")), (project.get("network"), ("network",))):
        if isinstance(block, dict) and key in block:
            return why.project(ir, *at, key) if written(*at, key) else why.default(__name__, "DEFAULTS", key)
    return why.default(__name__, "DEFAULTS", key)


def network(ir: IR, ctx: Context) -> IR:
    conf = settings(ctx)
    # where the namespaces come from, and the records every workload alike shares (for explain)
    conf["ingress_in"] = network_input(ir, ctx, "ingress_namespace")
    conf["ingress_why"] = why.Why(INGRESS, (why.own("expose", "host", label="the exposed host"), conf["ingress_in"]))
    conf["monitoring_in"] = network_input(ir, ctx, "monitoring_namespace")
    conf["port_whys"] = {}
    conf["routes"] = _kept_ingress_routes(ir)
    conf["kept_services"] = _kept_services(ir)
    conf["public"] = [k for k in conf["kept_services"] if k[4].get("type") in ("LoadBalancer", "NodePort")]
    conf["kept_monitors"] = _kept_monitors(ir)
    conf["monitors"] = {}   # the ServiceMonitors by workload, in the IR's order
    for m in ir.monitors:
        conf["monitors"].setdefault(m.app, []).append(m)
    if conf["namespace"]:
        _namespaces(ir, network_input(ir, ctx, "namespace"))
    if ir.settings.get("harden") is False or ir.settings.get("network_policies") is False:
        return ir
    consumers: dict[str, list[str]] = {}
    for w in ir.workloads:
        for t in w.connect_to:
            consumers.setdefault(t, []).append(w.name)
    by_name = {w.name: w for w in ir.workloads}
    made, open_ = False, []
    egress_in = network_input(ir, ctx, "egress")
    types_why = why.Why(TYPES, (egress_in,))   # one record for every policy: they share it
    for w in sorted(ir.workloads, key=lambda w: w.name):
        if w.relax.get("network_policy") is False:
            open_.append(w.name)
            continue
        made_why: dict = {}
        rules = _ingress(ir, w, sorted(consumers.get(w.name, [])), conf, by_name, made_why, ctx)
        types = ["Ingress"]
        egress = None
        if conf["egress"]:
            types.append("Egress")
            egress = _egress(ir, w, by_name, made_why, egress_in)
        made_why["types"] = types_why
        made_why["policy"] = _POLICY
        ir.netpols.append(NetPolicy(f"{w.name}-ingress", w.namespace, pod_selector(ir.project, w.name),
                                    generated=True, types=types, owner=w.name,
                                    rules=rules, egress=egress, why=made_why))
        made = True
    if made:
        # `network_policy: false` means unrestricted: the default deny leaves those pods out
        leave = {"NetworkPolicy": {"spec": {"podSelector": {"matchExpressions": [
            {"key": "app.kubernetes.io/name", "operator": "NotIn", "values": open_}]}}}} if open_ else {}
        first = next(n for n in ir.netpols if n.generated and n.owner)
        shared = ir.namespace in SHARED
        own = not shared and conf["default_deny"] == "project"
        deny = why.Why(SHARED_DENY if shared else OWN_DENY if own else DENY,
                       (why.spec(by_name[first.owner].spec, "name", label=f"{first.owner} has its own policy"),)
                       + tuple(why.spec(by_name[n].spec, "security", "network_policy", label=f"{n} left out")
                               for n in open_) + ((network_input(ir, ctx, "default_deny"),) if own else ()))
        ir.netpols.append(NetPolicy(f"{ir.project}-default-deny", ir.namespace,
                                    {"app.kubernetes.io/part-of": ir.project} if shared or own else None,
                                    generated=True,
                                    types=["Ingress", "Egress"] if conf["egress"] else ["Ingress"], k8s=leave,
                                    why={"policy": deny, "types": types_why}))
    return ir


def _port_number(w, ref, pod: bool = False) -> int | None:
    """The number of ``w``'s port ``ref`` (a name or a number): its first container's, or with
    ``pod`` any container's (a Service kept as written may send to a sidecar's port)."""
    for c in w.containers if pod else (w.main,):
        for p in c.ports:
            if ref in (p.name, p.port):
                return p.port
    return ref if isinstance(ref, int) else None


def _ingress(ir: IR, w, consumers: list[str], conf: dict, by_name: dict, made: dict, ctx: Context) -> list[dict]:
    """Ingress rules: (peers, ports) grouped by port set, in a fixed order; the derivation of
    each rule's peers and ports recorded in ``made["ingress"]``, one (peers, ports) per rule."""
    every = tuple(p.port for p in w.ports)
    groups: dict[tuple, list] = {}   # ports -> [peers, their records, the ports' record]
    spec = w.spec
    if consumers:
        at_ports = _EVERY_PORT[bool(spec is not None and spec.data.get("ports"))]
        g = groups[every] = [[], [], at_ports]
        for c in consumers:
            t = by_name[c]
            g[0].append({"podSelector": {"matchLabels": pod_selector(ir.project, c)}})
            g[1].append(why.Why(CONSUMER, (why.spec(t.spec, *t.connect_path(w.name), label=f"{c} connects to {w.name}"),)))
    x = w.expose
    if x and x.service_type in ("LoadBalancer", "NodePort"):
        ranges = getattr(x, "source_ranges", None) or ANYWHERE
        src = why.spec(spec, "expose", "source_ranges") if getattr(x, "source_ranges", None) \
            else why.default(__name__, "ANYWHERE")
        reason = why.Why(PUBLIC, (why.spec(spec, "expose", "type", label="the Service type"), src))
        public, patched = _published(w, every)
        for r in ranges if public else ():
            _add(groups, public, {"ipBlock": {"cidr": r}}, reason, conf, w, None, patched)
    if x and x.host:
        port = _port_number(w, x.port) if x.port is not None else (every[0] if every else None)
        peer = {"namespaceSelector": {"matchLabels": {NS_LABEL: conf["ingress_namespace"]}}}
        name = next((p.name for p in w.ports if p.port == port), None)
        _add(groups, (port,) if port else every, peer, conf["ingress_why"], conf, w, name)
    for port, rule, src in _metrics_ports(ir, w, conf):
        peer = {"namespaceSelector": {"matchLabels": {NS_LABEL: conf["monitoring_namespace"]}}}
        reason = why.Why(rule, (src, conf["monitoring_in"]))
        name = next((p.name for p in w.ports if p.port == port), None)
        _add(groups, (port,), peer, reason, conf, w, name, src)
    for port, reason, src in _routed_ports(ir, w, conf):
        peer = {"namespaceSelector": {"matchLabels": {NS_LABEL: conf["ingress_namespace"]}}}
        name = next((p.name for p in w.ports if p.port == port), None)
        _add(groups, (port,), peer, reason, conf, w, name, src)
    for ports, ranges, reason, src in _kept_public_services(ir, w, conf["public"]):
        for r in ranges:
            _add(groups, ports, {"ipBlock": {"cidr": r}}, reason, conf, w, None, src)
    rules = []
    for ports, (peers, reasons, ports_why) in groups.items():
        rule: dict = {"from": peers}
        if ports:
            rule["ports"] = _rule_ports(w, ports)
        rules.append(rule)
    if groups:
        made["ingress"] = [(reasons, ports_why) for _, reasons, ports_why in groups.values()]
    return rules


def _kept_ingress_routes(ir: IR) -> dict[tuple[str, str], list[tuple[Any, why.In]]]:
    """The backends of the Ingresses kept as written (`kind: Resource`, as the importer keeps
    one the language cannot say), found once per IR: {(namespace, Service name): [(its port,
    a number or a name; where it is written)]}."""
    out: dict[tuple[str, str], list] = {}
    for r in ir.raw:
        o = r["object"]
        if o.get("kind") in ROUTES and str(o.get("apiVersion", "")).startswith("gateway.networking.k8s.io/"):
            _route_backends(r, o, ir.namespace, out)
            continue
        if o.get("kind") != "Ingress" or not isinstance(o.get("spec"), dict):
            continue
        meta = o.get("metadata") if isinstance(o.get("metadata"), dict) else {}
        ns, spec = meta.get("namespace") or ir.namespace, o["spec"]
        backends = [spec.get("defaultBackend")]
        for rule in spec.get("rules") if isinstance(spec.get("rules"), list) else ():
            http = rule.get("http") if isinstance(rule, dict) and isinstance(rule.get("http"), dict) else {}
            paths = http.get("paths") if isinstance(http.get("paths"), list) else ()
            backends += [p.get("backend") for p in paths if isinstance(p, dict)]
        for b in backends:
            svc = b.get("service") if isinstance(b, dict) and isinstance(b.get("service"), dict) else {}
            port = svc.get("port") if isinstance(svc.get("port"), dict) else {}
            ref = port.get("number", port.get("name"))
            if isinstance(svc.get("name"), str) and isinstance(ref, (int, str)) and not isinstance(ref, bool):
                out.setdefault((ns, svc["name"]), []).append((ref, why.spec(r.get("spec"), "manifest", "spec",
                                                                             label="the Ingress's backends")))
    return out


ROUTES = ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")   # the Gateway API's


def _route_backends(r: dict, o: dict, namespace: str, out: dict) -> None:
    """The Services a kept Gateway API route sends to (`spec.rules[].backendRefs`, a Service's
    port number), added to ``out`` as an Ingress's backends are: the Gateway's data plane is
    the ingress controller (`network.ingress_namespace`), outside the project's namespace."""
    meta = o.get("metadata") if isinstance(o.get("metadata"), dict) else {}
    spec = o.get("spec") if isinstance(o.get("spec"), dict) else {}
    for rule in spec.get("rules") if isinstance(spec.get("rules"), list) else ():
        refs = rule.get("backendRefs") if isinstance(rule, dict) and isinstance(rule.get("backendRefs"), list) else ()
        for b in refs:
            if not isinstance(b, dict) or b.get("kind", "Service") != "Service" or b.get("group", "") != "" \
                    or not isinstance(b.get("name"), str) or not isinstance(b.get("port"), int):
                continue
            ns = b.get("namespace") if isinstance(b.get("namespace"), str) else meta.get("namespace") or namespace
            out.setdefault((ns, b["name"]), []).append((b["port"], why.spec(r.get("spec"), "manifest", "spec",
                                                                            label=f"the {o['kind']}'s backends")))


def _kept_services(ir: IR) -> list[tuple[dict, str, str | None, dict, dict]]:
    """The Services kept as written (`kind: Resource`) that select pods, found once per IR:
    (the raw entry, its namespace, its name, its selector, its spec). The importer keeps a
    workload's second Service (a LoadBalancer beside the ClusterIP one), one named apart from
    the workloads whose pods it selects (a blue-green's, istio's Bookinfo `reviews`), and one
    named after its workload that also sends to a sidecar's port (then skyspec makes none of
    that name), which a kept Ingress may route to."""
    out = []
    for r in ir.raw:
        o = r["object"]
        spec = o.get("spec") if isinstance(o.get("spec"), dict) else {}
        meta = o.get("metadata") if isinstance(o.get("metadata"), dict) else {}
        sel = spec.get("selector")
        if o.get("kind") == "Service" and isinstance(sel, dict) and sel:
            out.append((r, meta.get("namespace") or ir.namespace, meta.get("name"), sel, spec))
    return out


def _routed_ports(ir: IR, w, conf: dict) -> list[tuple[int, why.Why, why.In]]:
    """The container ports of ``w`` that a kept Ingress routes traffic to: through the
    workload's own Service (a Service port by number or name), or through a Service kept as
    written that selects its pods (to that port's target): (the port, the rule's record,
    where the route is written)."""
    out = []

    def add(port, src) -> None:
        if port is not None and port not in [x[0] for x in out]:
            out.append((port, why.Why(KEPT_INGRESS, (src, conf["ingress_in"])), src))

    kept = conf["kept_services"] if conf["routes"] else ()
    # the workload's own Service, unless one of its name is kept as written (then skyspec makes
    # none: a Service that also sends to a sidecar's port, as kube-rbac-proxy's in front of an app)
    if not any(namespace == w.namespace and name == w.name for _, namespace, name, _, _ in kept):
        for ref, src in conf["routes"].get((w.namespace, w.name), ()):
            add(next((p.port for p in w.ports if ref in (p.service, p.name)), None), src)
    labels = {**w.labels, **pod_selector(ir.project, w.name)} if conf["routes"] else {}
    for _, namespace, name, sel, spec in kept:
        if namespace != w.namespace or any(labels.get(k) != str(v) for k, v in sel.items()):
            continue
        ports = [p for p in spec.get("ports") if isinstance(p, dict)] if isinstance(spec.get("ports"), list) else []
        for ref, src in conf["routes"].get((namespace, name), ()):
            sp = next((p for p in ports if ref in (p.get("port"), p.get("name"))), None)
            target = sp.get("targetPort", sp.get("port")) if sp is not None else None
            if isinstance(target, (int, str)) and not isinstance(target, bool):
                n = _port_number(w, target, pod=True)
                add(n if isinstance(n, int) and 0 < n < 65536 else None, src)
    return out


def _kept_public_services(ir: IR, w, public: list) -> list[tuple[tuple, list, why.Why, why.In]]:
    """The LoadBalancer and NodePort Services of :func:`_kept_services` (``public``) that
    select ``w``'s pods: (the ports they send to, the client ranges, the rule's record, the
    ports' record). Their traffic comes from outside the cluster, as an `expose: {type:
    LoadBalancer}` Service's does."""
    pod_labels = {**w.labels, **pod_selector(ir.project, w.name)} if public else {}
    out = []
    for r, namespace, _, sel, spec in public:
        if namespace != w.namespace or any(pod_labels.get(k) != str(v) for k, v in sel.items()):
            continue
        ports = []
        for p in spec.get("ports") if isinstance(spec.get("ports"), list) else ():
            ref = p.get("targetPort", p.get("port")) if isinstance(p, dict) else None
            n = _port_number(w, ref, pod=True) if isinstance(ref, (int, str)) and not isinstance(ref, bool) else None
            if isinstance(n, int) and 0 < n < 65536 and n not in ports:
                ports.append(n)
        given = spec.get("loadBalancerSourceRanges")
        ranges = [x for x in given if _cidr(x)] if isinstance(given, list) and given else ANYWHERE
        if not ports or not ranges:
            continue  # nothing a policy can say (the manifest's own problem, as written)
        at = r.get("spec")
        src = why.spec(at, "manifest", "spec", "loadBalancerSourceRanges") if ranges is not ANYWHERE \
            else why.default(__name__, "ANYWHERE")
        reason = why.Why(PUBLIC, (why.spec(at, "manifest", "spec", "type", label="the Service type"), src))
        out.append((tuple(ports), ranges, reason, why.spec(at, "manifest", "spec", "ports", label="the ports")))
    return out


def _cidr(value) -> bool:
    import ipaddress

    try:
        return isinstance(value, str) and "/" in value and ipaddress.ip_network(value, strict=False) is not None
    except ValueError:
        return False


def _port_why(conf: dict, w, name: str | None) -> why.Why:
    """The record of the port ``name`` of ``w`` (every port when None) as a rule admits it:
    shared by the workloads that declare it alike (`ports.<name>`, or `port:`)."""
    spec = w.spec
    key = (name, bool(spec is not None and name in (spec.data.get("ports") or {})) if name else
           bool(spec is not None and spec.data.get("ports")))
    made = conf["port_whys"].get(key)
    if made is None:
        if name is None:
            made = _EVERY_PORT[key[1]]
        else:
            made = why.Why(PORTS, (why.own(*(("ports", name) if key[1] else ("port",)), label="the port"),))
        conf["port_whys"][key] = made
    return made


def _add(groups: dict, ports: tuple, peer: dict, reason: why.Why, conf: dict, w, name: str | None,
         src: why.In | None = None) -> None:
    """One more peer admitted on ``ports``; the first one also records the ports (port
    ``name``, every port when None; ``src`` when the port is no port of the workload)."""
    g = groups.get(ports)
    if g is None:
        made = why.Why(PORTS, (src,)) if src is not None and name is None else _port_why(conf, w, name)
        g = groups[ports] = [[], [], made]
    g[0].append(peer)
    g[1].append(reason)


def _rule_ports(w, ports: tuple) -> list[dict]:
    """A rule's `ports` for the port numbers ``ports``, each with its protocol: a number the
    workload declares with two protocols (a gossip port on TCP and UDP) is in ``ports`` once
    per port, and each gets the next protocol it is declared with (the first, TCP when none)."""
    out: list[dict] = []
    used: dict[int, int] = {}
    for n in ports:
        protocols = [p.protocol for c in w.containers for p in c.ports if p.port == n] or ["TCP"]
        i = used.get(n, 0)
        used[n] = i + 1
        if i < len(protocols):
            out.append({"protocol": protocols[i], "port": n})
    return out


def _metrics_ports(ir: IR, w, conf: dict) -> list[tuple[int, why.Rule, why.In]]:
    """The ports of ``w`` Prometheus scrapes, each once, with the rule that admits the
    monitoring namespace there and where it is said: an Observability's (its annotation, and
    its ServiceMonitors: found by workload once, not by a scan of every monitor per workload),
    the scrape annotations of the workload's own spec, and the ServiceMonitors and PodMonitors
    kept as written (:func:`_kept_scrapes`)."""
    found: dict[int, tuple] = {}
    ann = w.pod_annotations.get("prometheus.io/port")
    if ann and ann.isdigit():
        made = w.why.get("annotation.prometheus.io/port")
        found[int(ann)] = (METRICS, why.derived(made, "the metrics port") if made is not None
                           else why.spec(w.spec, "name"))
    for m in conf["monitors"].get(w.name, ()):
        n = _port_number(w, int(m.port) if str(m.port).isdigit() else m.port)
        if n is not None:
            found.setdefault(n, (METRICS, why.spec(m.spec, "metrics", "port", label="the metrics port")))
    if str(w.annotations.get("prometheus.io/scrape", "")) == "true":
        port = str(w.annotations.get("prometheus.io/port", ""))
        src = why.spec(w.spec, "annotations", *(("prometheus.io/port",) if port.isdigit() else ()),
                       label="the scrape annotations")
        every = [p.port for c in w.containers for p in c.ports if p.protocol == "TCP"]
        for n in [int(port)] if port.isdigit() else every:
            found.setdefault(n, (SCRAPED, src))
    for n, src in _kept_scrapes(ir, w, conf["kept_monitors"], conf["kept_services"]):
        found.setdefault(n, (KEPT_MONITOR, src))
    out = [(n, rule, src) for n, (rule, src) in found.items()]
    return sorted(out, key=lambda x: x[0]) if len(out) > 1 else out


def _kept_monitors(ir: IR) -> list[tuple[dict, str, str, dict, set | None, list]]:
    """The ServiceMonitors and PodMonitors (the Prometheus operator's) kept as written, found
    once per IR: (the raw entry, its kind, its namespace, its selector, the namespaces it
    watches (None: every one; its own without `namespaceSelector`), its endpoints)."""
    out = []
    for r in ir.raw:
        o = r["object"]
        if o.get("kind") not in MONITORS or not str(o.get("apiVersion", "")).startswith("monitoring.coreos.com/"):
            continue
        spec = o.get("spec") if isinstance(o.get("spec"), dict) else {}
        meta = o.get("metadata") if isinstance(o.get("metadata"), dict) else {}
        ns = meta.get("namespace") or ir.namespace
        among = spec.get("namespaceSelector") if isinstance(spec.get("namespaceSelector"), dict) else {}
        names = among.get("matchNames")
        watched = None if among.get("any") is True else set(names) if isinstance(names, list) and names else {ns}
        key = "endpoints" if o["kind"] == "ServiceMonitor" else "podMetricsEndpoints"
        ends = [e for e in spec.get(key) if isinstance(e, dict)] if isinstance(spec.get(key), list) else []
        if isinstance(spec.get("selector"), dict) and ends:
            out.append((r, o["kind"], ns, spec["selector"], watched, ends))
    return out


def _kept_scrapes(ir: IR, w, monitors: list, kept: list) -> list[tuple[int, why.In]]:
    """The container ports of ``w`` a kept ServiceMonitor or PodMonitor (``monitors``) scrapes:
    a PodMonitor's selecting its pods, on an endpoint's `port` (a container port's name),
    `portNumber` or `targetPort`; a ServiceMonitor's selecting, by their labels, its Service
    or a Service kept as written (``kept``) that selects its pods, on the target of the
    Service port an endpoint names (or its `targetPort`)."""
    if not monitors:
        return []
    sel = pod_selector(ir.project, w.name)
    pod_labels = {**w.labels, **sel, "app.kubernetes.io/managed-by": "skyspec"}
    services = []   # (namespace, labels, {port name: target}) of the Services of w's pods
    if (w.service or w.kind == "StatefulApp" and w.ports) and not any(
            ns == w.namespace and name == w.name for _, ns, name, _, _ in kept):
        named = {**_patched_port_names(w), **{p.name: p.port for p in w.ports if p.name}}
        services.append((w.namespace, pod_labels, named))
    for r, ns, _, s, spec in kept:
        if ns == w.namespace and all(pod_labels.get(k) == str(v) for k, v in s.items()):
            meta = r["object"].get("metadata") if isinstance(r["object"].get("metadata"), dict) else {}
            ports = [p for p in spec.get("ports") if isinstance(p, dict)] if isinstance(spec.get("ports"), list) else []
            services.append((ns, meta.get("labels") if isinstance(meta.get("labels"), dict) else {},
                             {p["name"]: p.get("targetPort", p.get("port")) for p in ports if p.get("name")}))
    out: list[tuple[int, why.In]] = []
    for r, kind, _, selector, watched, ends in monitors:
        if watched is not None and w.namespace not in watched:
            continue
        at = why.spec(r.get("spec"), "manifest", "spec", "endpoints" if kind == "ServiceMonitor" else
                      "podMetricsEndpoints", label="the scraped port")
        if kind == "PodMonitor":
            refs = [e.get("port", e.get("portNumber", e.get("targetPort"))) for e in ends] \
                if selects(selector, pod_labels) else []
        else:
            refs = [e["targetPort"] if "targetPort" in e and "port" not in e else t.get(e.get("port"))
                    for _, labels, t in services if selects(selector, labels) for e in ends]
        for ref in refs:
            n = _port_number(w, ref, pod=True) if isinstance(ref, (int, str)) and not isinstance(ref, bool) else None
            if isinstance(n, int) and 0 < n < 65536 and n not in [x[0] for x in out]:
                out.append((n, at))
    return out


def _service_patch_ports(w):
    """(the patch's key, each item) of the `ports` of the `k8s:` patches of the workload's
    Service (by kind, and by kind and name)."""
    for key in ("Service", f"Service/{w.name}"):
        patch = (w.k8s or {}).get(key)
        spec = patch.get("spec") if isinstance(patch, dict) else None
        for p in (spec.get("ports") if isinstance(spec, dict) and isinstance(spec.get("ports"), list) else []):
            if isinstance(p, dict) and isinstance(p.get("port"), int):
                yield key, p


def _patched_port_names(w) -> dict:
    """{name: port} of the ports a `k8s:` patch of the workload's Service names (an import keeps
    a chart's Service port names so: pushgateway's `http` on its port `metrics`), which a kept
    ServiceMonitor's endpoints may name."""
    return {p["name"]: p["port"] for _, p in _service_patch_ports(w) if isinstance(p.get("name"), str)}


def _published(w, every: tuple) -> tuple[tuple, why.In | None]:
    """The container ports of ``every`` that the workload's Service carries, and the record of
    the patch that left others out (None when it carries them all). Clients outside the
    cluster reach only those: traefik's chart publishes `web` and `websecure` on its
    LoadBalancer, not its dashboard's and metrics' ports, which the import's patch deletes
    from the Service; admitting anywhere on those opened them to every pod of the cluster."""
    gone = {p["port"]: key for key, p in _service_patch_ports(w) if p.get("$patch") == "delete"}
    kept = tuple(p.port for p in w.ports if p.service not in gone)
    if len(kept) == len(every):
        return every, None
    key = next(iter(gone.values()))
    return kept, why.spec(w.spec, "k8s", key, "spec", "ports", label="the Service's ports")


def _egress(ir: IR, w, by_name: dict, made: dict, egress_in: why.In) -> list[dict]:
    rules = [{"to": [DNS], "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]
    made["egress"] = reasons = [why.Why(DNS_RULE, (egress_in, why.default(__name__, "DNS")))]
    for t in sorted(set(w.connect_to)):
        target = by_name.get(t)
        if target is None or not target.ports:
            continue
        peer: dict = {"podSelector": {"matchLabels": pod_selector(ir.project, t)}}
        if target.namespace != w.namespace:
            peer["namespaceSelector"] = {"matchLabels": {NS_LABEL: target.namespace}}
        reasons.append(why.Why(EGRESS, (
            egress_in, why.spec(w.spec, *w.connect_path(t), label=f"{w.name} connects to {t}"),
            why.port(target))))
        rules.append({"to": [peer], "ports": [{"protocol": p.protocol, "port": p.port} for p in target.ports]})
    return rules


def _namespaces(ir: IR, setting: why.In) -> None:
    """The environment's namespace (the backend's `namespace.yaml`, with the SecurityPolicy's
    labels when there is one) and every other namespace a workload names."""
    have = {r["object"]["metadata"].get("name") for r in ir.raw
            if r["object"].get("kind") == "Namespace" and isinstance(r["object"].get("metadata"), dict)}
    if ir.pod_security is None and ir.namespace not in have:  # a user's own Namespace object wins
        ir.pod_security = {}
        ir.why["namespace"] = why.Why(NAMESPACE, (setting,))
    have.add(ir.namespace)
    for w in sorted(ir.workloads, key=lambda w: w.namespace):
        if w.namespace not in have:
            have.add(w.namespace)
            ir.why[f"namespace.{w.namespace}"] = why.Why(NAMESPACE, (setting, why.spec(w.spec, "namespace")))
            ir.raw.append({"object": {"apiVersion": "v1", "kind": "Namespace", "metadata": {
                "name": w.namespace, "labels": {"app.kubernetes.io/name": w.namespace,
                                                "app.kubernetes.io/part-of": ir.project,
                                                "app.kubernetes.io/managed-by": "skyspec"}}},
                           "spec": w.spec, "namespaced": False})
