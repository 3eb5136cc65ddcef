"""NetworkPolicy semantics for the system check (:mod:`skyspec.syscheck`): whether the
policies of a system admit a connection from a pod (a namespace's pod of unknown labels, or
outside the cluster) to a pod on a port, as Kubernetes computes it: a pod selected by no
policy of a type admits everything of that type; a pod selected by some admits what one of
their rules allows (podSelector, namespaceSelector, ipBlock, ports with names and endPort),
on both ends."""

from __future__ import annotations

from typing import Any

from .objects import EXTERNAL, Pod, System, _dict, _list, label, selects


def _peer_matches(peer: dict, pol_ns: str, source: Any, namespaces: dict) -> bool:
    """Whether a NetworkPolicyPeer matches a source: a Pod, a namespace name (a pod of
    unknown labels there) or EXTERNAL."""
    if "ipBlock" in peer:
        return source == EXTERNAL and bool(_dict(peer["ipBlock"]).get("cidr"))
    if source == EXTERNAL:
        return False
    if isinstance(source, str):    # a pod of unknown labels in namespace `source`
        ns, labels = source, None
    else:
        ns, labels = source.namespace, source.labels
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], namespaces.get(ns, {"kubernetes.io/metadata.name": ns})):
            return False
    elif ns != pol_ns:
        return False
    if "podSelector" in peer:
        sel = _dict(peer["podSelector"])
        if labels is None:
            return not sel.get("matchLabels") and not sel.get("matchExpressions")
        return selects(sel, labels)
    return "namespaceSelector" in peer


def _port_matches(rule_ports: Any, pod: Pod, port: tuple) -> bool:
    if not rule_ports:
        return True
    num, proto, name = port
    for rp in _list(rule_ports):
        rp = _dict(rp)
        if rp.get("protocol", "TCP") != proto:
            continue
        p = rp.get("port")
        if p is None:
            return True
        if isinstance(p, str) and not p.isdigit():
            if p == name or any(cp.get("name") == p and cp.get("containerPort") == num for cp in pod.ports()):
                return True
        elif int(p) <= num <= int(rp.get("endPort", p)):
            return True
    return False


def _types(pol: dict) -> list[str]:
    spec = _dict(pol.get("spec"))
    t = spec.get("policyTypes")
    if isinstance(t, list) and t:
        return t
    return ["Ingress"] + (["Egress"] if "egress" in spec else [])


class _Policies:
    """The NetworkPolicies of a system, indexed by namespace, type (Ingress, Egress) and one
    `matchLabels` pair of their pod selector (those without one apart): the policies that
    select a pod are found among those indexed under its labels, in the system's order, not
    by testing every policy against every connection (quadratic in the workloads, as
    skyspec writes a policy per workload)."""

    def __init__(self, sys_: System, policies: list[dict]):
        self.all = policies
        self._by: dict[tuple, list[tuple[int, dict]]] = {}
        self._memo: dict[tuple, list[dict]] = {}
        for i, pol in enumerate(policies):
            ns, types = sys_.ns(pol), _types(pol)
            sel = _dict(pol.get("spec")).get("podSelector", {})
            first = next(iter(_dict(sel.get("matchLabels")).items()), None) if isinstance(sel, dict) else None
            for t in ("Ingress", "Egress"):
                if t in types:
                    key = (ns, t) if first is None else (ns, t, first[0], str(first[1]))
                    self._by.setdefault(key, []).append((i, pol))

    def selecting(self, ns: str, kind: str, labels: dict, pod: Pod | None = None) -> list[dict]:
        """The policies of type ``kind`` in namespace ``ns`` whose pod selector selects ``labels``."""
        memo = (id(pod), ns, kind) if pod is not None else None
        if memo is not None and memo in self._memo:
            return self._memo[memo]
        found = list(self._by.get((ns, kind), ()))
        for k, v in labels.items():
            found += self._by.get((ns, kind, k, v), ())
        found.sort(key=lambda ip: ip[0])
        got = [pol for _, pol in found if selects(_dict(pol.get("spec")).get("podSelector", {}), labels)]
        if memo is not None:
            self._memo[memo] = got
        return got


def admitted(sys_: System, policies: "list[dict] | _Policies", namespaces: dict, source: Any, target: Pod,
             port: tuple) -> tuple[bool, str]:
    """Whether `source` may open a connection to `target` on `port`, as Kubernetes computes it."""
    if not isinstance(policies, _Policies):
        policies = _Policies(sys_, policies)
    ing = policies.selecting(target.namespace, "Ingress", target.labels, target)
    if ing:
        ok = any(_peers_ok(_dict(r).get("from"), sys_.ns(pol), source, namespaces)
                 and _port_matches(_dict(r).get("ports"), target, port)
                 for pol in ing for r in _list(_dict(pol.get("spec")).get("ingress")))
        if not ok:
            return False, f"no ingress rule of {', '.join(label(p) for p in ing)} allows it"
    if isinstance(source, Pod):
        eg = policies.selecting(source.namespace, "Egress", source.labels, source)
        if eg:
            ok = any(_peers_ok(_dict(r).get("to"), sys_.ns(pol), target, namespaces)
                     and _port_matches(_dict(r).get("ports"), target, port)
                     for pol in eg for r in _list(_dict(pol.get("spec")).get("egress")))
            if not ok:
                return False, f"no egress rule of {', '.join(label(p) for p in eg)} allows it"
    return True, ""


def _peers_ok(peers: Any, pol_ns: str, who: Any, namespaces: dict) -> bool:
    if not peers:  # absent or empty: every source (destination)
        return True
    return any(_peer_matches(_dict(p), pol_ns, who, namespaces) for p in _list(peers))
