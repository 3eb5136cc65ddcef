"""The calls the API server makes to the input's pods. It calls from the control plane, outside
the pod network, which skyspec's default deny and a workload's own policy would refuse; the
import admits them with one `kind: NetworkPolicy` `<workload>-from-api-server` per workload,
from any address on the pod's ports those calls reach (a note each, SKY072):
- a webhook configuration, an APIService or a CRD's conversion webhook of the input: the port
  its Service sends the call to;
- a workload that registers webhooks at run time (Kyverno's admission controller writes its
  own ValidatingWebhookConfigurations; the chart ships none): a ClusterRoleBinding lets its
  ServiceAccount create webhook configurations, so the API server calls the Services of its
  pods on the ports a webhook is called at (443, or named https or webhook);
- a Service the API server's service proxy reaches (`services/proxy` in a bound Role or
  ClusterRole: `kubeseal --fetch-cert`, kubernetes-dashboard's metrics scraper): the Service
  ports the grant names (`[scheme:]name[:port]`), on the pods the Service selects.
Pods the input's own NetworkPolicies select for ingress are left to them. It reads objects
only, never a Secret's value.
"""

from __future__ import annotations

from typing import NamedTuple

from ..syscheck import System, pods, selects, target_port
from . import isolation
from .kube import Extracted, _selects, namespace_of
from .source import OPEN

SUFFIX = "-from-api-server"
HOOKS = ("validatingwebhookconfigurations", "mutatingwebhookconfigurations")
REGISTER = ("create", "*")   # (update and patch alone keep the input's own configurations: a CA injector's)
PROXY = ("get", "create", "update", "patch", "delete", "*")   # the verbs of the proxy's HTTP methods
HINT = "narrow it to your control plane's addresses (`allow_from: [{cidr: ...}]`) if you know them"


class _Call(NamedTuple):
    """A call of the API server to a Service: its (namespace, name), the indexes of the Service
    ports it reaches, the object that makes it and where in it, and what it is (a clause)."""
    service: tuple
    ports: frozenset
    who: dict
    at: tuple
    why: str


def api_server_calls(objs: list[dict], items: list[Extracted], inputs) -> list[Extracted]:
    """A `kind: NetworkPolicy` `<workload>-from-api-server` for each workload the API server
    calls (:func:`_calls`) whose pods no NetworkPolicy of the input selects for ingress (the
    input's policies say what reaches the others): webhooks would time out, `kubectl top` and
    `kubeseal --fetch-cert` fail. It admits any address on the ports those calls reach; a note
    for each call says so (SKY072)."""
    shut = isolation.isolated(objs)   # (the input's policies say what reaches those)
    here = namespace_of(objs)   # (an object that names no namespace is in the input's)
    sys_ = System(objs, here)
    services = {(sys_.ns(o), o["metadata"].get("name")): o for o in objs if o["kind"] == "Service"}
    every = pods(sys_)
    work = [x for x in items if x.doc["kind"] in ("App", "StatefulApp")]
    backing: dict[tuple, tuple] = {}   # Service -> (its workload, that workload's pods it selects)
    for key, svc in services.items():
        sel = (svc.get("spec") or {}).get("selector") or {}
        selected = [p for p in every if p.namespace == key[0] and _selects(sel, p.labels)]
        owner = next((x for x in work if any(y is p.obj for p in selected for y in x.objects)), None)
        if owner is not None:   # (a Service of no imported workload's pods, a second one: kept)
            backing[key] = (owner, [p for p in selected if any(p.obj is y for y in owner.objects)])
    admitted: dict[str, tuple] = {}   # workload -> (its spec, the ports admitted, the clauses)
    for call in _calls(objs, services, backing, here, shut, inputs):
        owner, mine = backing.get(call.service, (None, []))
        if owner is None or any(id(p.obj) in shut for p in mine):
            continue
        svc_ports = _ports(services[call.service])
        targets = sorted({t[0] for p in mine for i in call.ports
                          if (t := target_port(p, svc_ports[i])) is not None and isinstance(t[0], int)})
        x, ports, why = admitted.setdefault(owner.doc["name"], (owner, set(), []))
        new = [t for t in targets if t not in ports]
        if not new:
            continue
        ports.update(new)
        why.append(call.why)
        name = _name(x)
        inputs.note(OPEN, f"NetworkPolicy {name} admits any address to {x.doc['name']} on port "
                    f"{', '.join(map(str, new))}: {call.why}, from outside the pod network, which the default deny "
                    "would refuse", inputs.pos(call.who, call.at), hint=HINT)
    out = []
    for _, (x, ports, why) in sorted(admitted.items()):
        if ports:
            out.append(Extracted({"kind": "NetworkPolicy", "name": _name(x), "select": {"app": x.doc["name"]},
                                  "allow_from": [{"cidr": "0.0.0.0/0"}, {"cidr": "::/0"}], "ports": sorted(ports),
                                  "_note": f"{'; '.join(why)} from outside the pod network: admitted from any "
                                           f"address on {'that port' if len(ports) == 1 else 'those ports'}"},
                                 [], []))
    return out


def _name(x: Extracted) -> str:
    return f"{x.doc['name'][:63 - len(SUFFIX)].strip('-')}{SUFFIX}"


def _calls(objs: list[dict], services: dict, backing: dict, here: str, shut: set, inputs) -> list[_Call]:
    """The API server's calls: those the input's webhooks, APIServices and conversion
    webhooks declare (by Service, in order), then those of workloads that register webhooks,
    then those of the service proxy."""
    called: dict[tuple, tuple] = {}   # Service -> (ports, the object that calls, where in it)
    for o in objs:
        for path, ref in _service_refs(o):
            key = (ref.get("namespace") or here, ref.get("name"))
            named = [k for k in services if k[1] == key[1]]
            if key not in services and len(named) == 1:   # (a chart rendered without its namespace)
                key = named[0]
            if key[1] is not None and key in services:
                ports, who, at = called.get(key, (set(), o, path))
                port = ref.get("port", 443)
                called[key] = (ports | ({port} if isinstance(port, int) else set()), who, at)
    out = []
    for key, (ports, who, at) in sorted(called.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        sent = frozenset(i for i, sp in enumerate(_ports(services[key])) if sp.get("port") in ports)
        out.append(_Call(key, sent, who, at, f"{who['kind']} {who['metadata'].get('name')} has the API server "
                                             f"call Service {key[1]}"))
    grants = list(rbac_grants(objs, here))
    out += _registering(grants, services, backing, shut, inputs)
    out += _proxied(grants, services)
    return out


def _ports(svc: dict) -> list[dict]:
    ports = (svc.get("spec") or {}).get("ports")
    return [p if isinstance(p, dict) else {} for p in ports] if isinstance(ports, list) else []


def _service_refs(o: dict):
    """(path, `service` reference) of each call the API server makes for ``o``: a webhook
    configuration's webhooks, an APIService, a CRD's conversion webhook."""
    spec = o.get("spec") if isinstance(o.get("spec"), dict) else {}
    if o["kind"] in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
        for i, w in enumerate(o.get("webhooks") if isinstance(o.get("webhooks"), list) else []):
            ref = (w.get("clientConfig") or {}).get("service") if isinstance(w, dict) else None
            if isinstance(ref, dict):
                yield ("webhooks", i, "clientConfig", "service"), ref
    elif o["kind"] == "APIService" and isinstance(spec.get("service"), dict):
        yield ("spec", "service"), spec["service"]
    elif o["kind"] == "CustomResourceDefinition":
        hook = (spec.get("conversion") or {}).get("webhook") if isinstance(spec.get("conversion"), dict) else None
        ref = (hook.get("clientConfig") or {}).get("service") if isinstance(hook, dict) else None
        if isinstance(ref, dict):
            yield ("spec", "conversion", "webhook", "clientConfig", "service"), ref


class _Grant(NamedTuple):
    """A rule a binding grants: the binding, the namespace it grants in (None: every one, a
    ClusterRoleBinding's), the Role or ClusterRole the rule is written in, its index there, the
    rule, and the ClusterRole that aggregates it (None when it is the bound role's own)."""
    binding: dict
    scope: str | None
    role: dict
    index: int
    rule: dict
    via: dict | None


def rbac_grants(objs: list[dict], here: str):
    """Each rule each RoleBinding and ClusterRoleBinding of the input grants, by the roles of
    the input (a role the input lacks, as the cluster's `view`, grants nothing known), an
    aggregated ClusterRole's with the rules of the ClusterRoles its selectors select."""
    roles = {(o["kind"], (o["metadata"].get("namespace") or here) if o["kind"] == "Role" else None,
              o["metadata"].get("name")): o for o in objs if o["kind"] in ("Role", "ClusterRole")}
    clusterroles = [o for o in objs if o["kind"] == "ClusterRole"]
    for b in objs:
        if b["kind"] not in ("RoleBinding", "ClusterRoleBinding") or not isinstance(b.get("roleRef"), dict) \
                or not b.get("subjects"):
            continue
        ref, cluster = b["roleRef"], b["kind"] == "ClusterRoleBinding"
        scope = None if cluster else b["metadata"].get("namespace") or here
        role = roles.get((ref.get("kind"), None if ref.get("kind") == "ClusterRole" else scope, ref.get("name")))
        if role is None or (cluster and role["kind"] != "ClusterRole"):
            continue
        agg = role.get("aggregationRule") if isinstance(role.get("aggregationRule"), dict) else {}
        sels = agg.get("clusterRoleSelectors") if isinstance(agg.get("clusterRoleSelectors"), list) else []
        parts = [(role, None)] + [(o, role) for o in clusterroles if o is not role and any(
            selects(s, o["metadata"].get("labels") or {}) for s in sels if isinstance(s, dict) and s)]
        for r, via in parts:
            for i, rule in enumerate(r.get("rules") if isinstance(r.get("rules"), list) else []):
                if isinstance(rule, dict):
                    yield _Grant(b, scope, r, i, rule, via)


def rule_has(rule: dict, key: str, wanted) -> bool:
    got = rule.get(key)
    return isinstance(got, list) and any(v in wanted for v in got)


def granted_by(g: _Grant) -> str:
    via = f", aggregated into ClusterRole {g.via['metadata'].get('name')}" if g.via is not None else ""
    return f"{g.role['kind']} {g.role['metadata'].get('name')}{via}"


def _registering(grants: list[_Grant], services: dict, backing: dict, shut: set, inputs) -> list[_Call]:
    """The calls to the webhooks a workload registers at run time: a ClusterRoleBinding (webhook
    configurations are cluster-wide: a RoleBinding grants none) lets a ServiceAccount create
    them, and the workload's pods run as it; the API server calls the Services of those pods,
    on the ports a webhook is called at (443, the configuration's default, or named https or
    webhook: the API server calls webhooks over TLS). A note where a Service has none."""
    writers: dict[tuple, _Grant] = {}   # (namespace, ServiceAccount) -> the first grant
    for g in grants:
        if g.scope is None and not g.rule.get("resourceNames") and rule_has(g.rule, "verbs", REGISTER) \
                and rule_has(g.rule, "apiGroups", ("admissionregistration.k8s.io", "*")) \
                and rule_has(g.rule, "resources", HOOKS):
            for s in g.binding["subjects"]:
                if isinstance(s, dict) and s.get("kind") == "ServiceAccount" and s.get("name"):
                    writers.setdefault((s.get("namespace") or g.binding["metadata"].get("namespace"), s["name"]), g)
    by_owner: dict[str, list] = {}   # workload -> its Services, in order
    for key in sorted(backing, key=lambda k: (str(k[0]), str(k[1]))):
        by_owner.setdefault(backing[key][0].doc["name"], []).append(key)
    out = []
    for name, keys in by_owner.items():
        mine = backing[keys[0]][1]
        p = mine[0] if mine else None
        account = (p.namespace, p.spec.get("serviceAccountName") or p.spec.get("serviceAccount") or "default") \
            if p is not None else None
        g = writers.get(account) or writers.get((None, account[1])) if account else None
        if g is None or any(id(q.obj) in shut for k in keys for q in backing[k][1]):
            continue
        calls = [_Call(key, hooks, g.role, ("rules", g.index),
                       f"ServiceAccount {account[1]}, which its pods run as, may create webhook configurations "
                       f"({granted_by(g)}, bound by {g.binding['kind']} {g.binding['metadata'].get('name')}): it "
                       f"registers webhooks of its own, which the API server calls through Service {key[1]}")
                 for key in keys if (hooks := frozenset(i for i, sp in enumerate(_ports(services[key]))
                                                        if _webhook_port(sp)))]
        out += calls
        if not calls:
            inputs.note(OPEN, f"{name} may create webhook configurations ({granted_by(g)}), but no Service of its pods "
                        f"({', '.join(k[1] for k in keys)}) has a port a webhook is called at (443, or named https "
                        "or webhook): no policy admits the API server to it", inputs.pos(g.role, ("rules", g.index)),
                        hint="if it registers a webhook on another port, admit that port from your control plane's "
                             "addresses (a `kind: NetworkPolicy` with `allow_from: [{cidr: ...}]`)")
    return out


def _webhook_port(sp: dict) -> bool:
    """Whether the API server may call a webhook at the Service port ``sp``: 443, or one whose
    name, `appProtocol` or target port's name says https or webhook."""
    words = [str(sp.get(k) or "").lower() for k in ("name", "appProtocol", "targetPort")]
    return sp.get("port") == 443 or any("https" in w or "webhook" in w for w in words)


def _proxied(grants: list[_Grant], services: dict) -> list[_Call]:
    """The calls of the API server's service proxy: a bound rule granting `services/proxy`
    reaches the Services its `resourceNames` name (`[scheme:]name[:port]`: the Service port of
    that name or number; none, its port of no name, as the proxy resolves it), in the
    namespace it grants in; without names, every Service of a Role's (a RoleBinding's)
    namespace (a ClusterRoleBinding's grant without names says who may proxy, not to what: none)."""
    found: dict[tuple, tuple] = {}   # (Service, id of the role, rule index) -> (ports, the grant)
    for g in grants:
        if not (rule_has(g.rule, "verbs", PROXY) and rule_has(g.rule, "apiGroups", ("", "*"))
                and rule_has(g.rule, "resources", ("services/proxy",))):
            continue
        names = g.rule.get("resourceNames")
        wanted: list[tuple] = []   # (Service key, index of a port)
        if isinstance(names, list) and names:
            for n in (n for n in names if isinstance(n, str)):
                parts = n.split(":")
                if len(parts) > 3:
                    continue
                name, port = (parts[0], "") if len(parts) == 1 else (parts[0], parts[1]) if len(parts) == 2 \
                    else (parts[1], parts[2])
                for key in services:
                    if key[1] == name and g.scope in (None, key[0]):
                        wanted += [(key, i) for i, sp in enumerate(_ports(services[key])) if _proxy_port(sp, port)]
        elif g.scope is not None:
            wanted = [(key, i) for key in services if key[0] == g.scope for i in range(len(_ports(services[key])))]
        for key, i in wanted:
            ports, _ = found.setdefault((key, id(g.role), g.index), (set(), g))
            ports.add(i)
    out = []
    for (key, _, _), (ports, g) in sorted(found.items(), key=lambda kv: (str(kv[0][0][0]), str(kv[0][0][1]))):
        out.append(_Call(key, frozenset(ports), g.role, ("rules", g.index),
                         f"{granted_by(g)} lets the API server's service proxy (`services/proxy`) call Service "
                         f"{key[1]}"))
    return out


def _proxy_port(sp: dict, port: str) -> bool:
    """Whether the proxy reaches the Service port ``sp`` for the port part ``port`` of a
    resource name: a number is the Service port's, else its name (none: the port of no name)."""
    if port.isdigit():
        return sp.get("port") == int(port)
    return (sp.get("name") or "") == port
