"""The system check finds a Service's pods and a pod's NetworkPolicies through label indexes
(`syscheck._PodIndex`, `syscheck._Policies`), no longer by testing every pod and every policy
for every Service and connection (quadratic in the workloads: ~3x the whole check at 1,000
apps). These tests hold the indexes to the plain scans they replace, on random systems, and
hold the number of selector tests to the size of the system."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from skyspec import syscheck
from skyspec.syscheck import System, _dict, _types, check

KEYS = ["app", "tier", "team"]
VALUES = ["a", "b", "c", 1]
NAMESPACES = ["x", "y", None]


class _ScanPods:
    """The scan the index replaced: every pod tested against the selector."""

    def __init__(self, ps):
        self.ps = ps

    def selected(self, ns, sel):
        return [p for p in self.ps if p.namespace == ns and syscheck.selects({"matchLabels": sel}, p.labels)]

    def labelled_later(self, ns, sel, named=frozenset()):
        own = {k: str(v) for k, v in sel.items() if k not in syscheck.ORDINAL}
        templated = {k for p in self.ps if p.namespace == ns for k in p.labels}
        # a pod with a pair of the selector; else, a selector of runtime keys only, one declaring a named target port
        paired = [p for p in self.ps if p.namespace == ns and any(p.labels.get(k) == v for k, v in own.items())]
        if not paired and own and not templated.intersection(own) and named:
            paired = [p for p in self.ps if p.namespace == ns and any(cp.get("name") in named for cp in p.ports())]
        later, keys = [], set()
        for p in paired:
            absent = [k for k in own if k not in p.labels]
            if absent and syscheck._ordinal(p, sel) and not templated.intersection(absent) \
                    and all(p.labels[k] == v for k, v in own.items() if k in p.labels):
                later.append(p)
                keys.update(absent)
        return later, sorted(keys)


class _ScanPolicies:
    """The scan the index replaced: every policy tested for every connection."""

    def __init__(self, sys_, policies):
        self.sys_, self.all = sys_, policies

    def selecting(self, ns, kind, labels, pod=None):
        return [p for p in self.all if self.sys_.ns(p) == ns and kind in _types(p)
                and syscheck.selects(_dict(p.get("spec")).get("podSelector", {}), labels)]


labels = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=3)
expressions = st.lists(st.fixed_dictionaries({
    "key": st.sampled_from(KEYS), "operator": st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]),
    "values": st.lists(st.sampled_from(VALUES), max_size=2)}), max_size=2)
selectors = st.one_of(st.just({}), st.builds(lambda m: {"matchLabels": m}, labels),
                      st.builds(lambda m, e: {"matchLabels": m, "matchExpressions": e}, labels, expressions),
                      st.builds(lambda e: {"matchExpressions": e}, expressions), st.just("not a selector"))
peers = st.lists(st.one_of(st.builds(lambda s: {"podSelector": s}, selectors),
                           st.builds(lambda s: {"namespaceSelector": s}, selectors),
                           st.just({"ipBlock": {"cidr": "0.0.0.0/0"}})), max_size=2)
ports = st.one_of(st.none(), st.lists(st.one_of(st.just({"port": 8080}), st.just({"port": "http"}),
                                                st.just({"port": 9000, "endPort": 9100})), max_size=2))


def _meta(name, ns, extra=None):
    m = {"name": name, **(extra or {})}
    if ns:
        m["namespace"] = ns
    return m


@st.composite
def systems(draw):
    objs = []
    n = draw(st.integers(1, 6))
    names = [f"w{i}" for i in range(n)]
    for name in names:
        ns = draw(st.sampled_from(NAMESPACES))
        peer = draw(st.sampled_from(names))
        env = [{"name": "PEER", "value": f"{peer}:{draw(st.sampled_from([80, 8080]))}"}]
        objs.append({"kind": "Deployment", "metadata": _meta(name, ns), "spec": {"template": {
            "metadata": {"labels": draw(labels)},
            "spec": {"containers": [{"name": "c", "env": env, "ports": [
                {"name": "http", "containerPort": 8080}, {"containerPort": 9050}]}]}}}})
        if draw(st.booleans()):
            sel = draw(labels)
            objs.append({"kind": "Service", "metadata": _meta(name, ns), "spec": {
                "type": draw(st.sampled_from(["ClusterIP", "NodePort"])), "selector": sel,
                "ports": [{"port": 80, "targetPort": draw(st.sampled_from(["http", 8080, 9050, 7]))},
                          {"port": 8080}]}})
    for i in range(draw(st.integers(0, 6))):
        spec = {"podSelector": draw(selectors)}
        types = draw(st.sampled_from([None, ["Ingress"], ["Egress"], ["Ingress", "Egress"], []]))
        if types is not None:
            spec["policyTypes"] = types
        if draw(st.booleans()):
            spec["ingress"] = [{"from": draw(peers), **({"ports": p} if (p := draw(ports)) is not None else {})}]
        if draw(st.booleans()):
            spec["egress"] = [{"to": draw(peers)}]
        objs.append({"kind": "NetworkPolicy", "metadata": _meta(f"p{i}", draw(st.sampled_from(NAMESPACES))),
                     "spec": spec})
    return System(objs, "x", set(), draw(st.sampled_from(["x", "ingress-nginx"])))


def _findings(sys_):
    return [(f.code, f.severity, syscheck.label(f.obj), f.message, f.hint, f.about) for f in check(sys_)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems())
def test_the_indexes_find_what_the_scans_found(sys_):
    fast = _findings(sys_)
    saved = syscheck._PodIndex, syscheck._Policies
    syscheck._PodIndex, syscheck._Policies, syscheck.netpol._Policies = _ScanPods, _ScanPolicies, _ScanPolicies
    try:
        slow = _findings(sys_)
    finally:
        syscheck._PodIndex, syscheck._Policies, syscheck.netpol._Policies = saved[0], saved[1], saved[1]
    assert fast == slow


def test_the_scans_are_not_vacuous():
    """The systems above do produce denials and unselected Services (else the comparison
    would hold for any index)."""
    sys_ = System([
        {"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"template": {"metadata": {"labels": {"app": "a"}},
         "spec": {"containers": [{"name": "c", "env": [{"name": "P", "value": "b:80"}],
                                  "ports": [{"name": "http", "containerPort": 8080}]}]}}}},
        {"kind": "Deployment", "metadata": {"name": "b"}, "spec": {"template": {"metadata": {"labels": {"app": "b"}},
         "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}]}}}},
        {"kind": "Service", "metadata": {"name": "b"}, "spec": {"selector": {"app": "b"},
                                                                 "ports": [{"port": 80, "targetPort": "http"}]}},
        {"kind": "Service", "metadata": {"name": "c"}, "spec": {"selector": {"app": "c"}, "ports": [{"port": 80}]}},
        {"kind": "NetworkPolicy", "metadata": {"name": "deny"}, "spec": {"podSelector": {"matchLabels": {"app": "b"}},
                                                                         "ingress": []}},
    ], "default")
    codes = sorted(f[0] for f in _findings(sys_))
    assert codes == ["SKY160", "SKY163"]


def _corpus_system(n: int, tmp_path: Path):
    """The Kubernetes objects skyspec compiles the benchmark corpus of ``n`` apps to (prod):
    a Service and a NetworkPolicy per workload."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from gen_corpus import generate

    from skyspec.backends.kubernetes import objects
    from skyspec.diagnostics import Diagnostics
    from skyspec.pipeline import Session

    d = generate(n, tmp_path / f"n{n}")
    s = Session(d / "skyspec.yaml", Diagnostics())
    c = s.compile("prod")
    assert c is not None, s.diags.items
    return System(objects(c.ir), c.ir.namespace)


def test_selector_tests_grow_with_the_system_not_its_square(tmp_path, monkeypatch):
    counted = {"n": 0}
    real = syscheck.selects

    def counting(sel, labels):
        counted["n"] += 1
        return real(sel, labels)

    calls = {}
    for n in (40, 160):
        sys_ = _corpus_system(n, tmp_path)
        assert sum(o["kind"] == "NetworkPolicy" for o in sys_.objects) >= n
        for module in (syscheck, syscheck.objects, syscheck.netpol):   # (each module's own name of it)
            monkeypatch.setattr(module, "selects", counting)
        counted["n"] = 0
        check(sys_)
        for module in (syscheck, syscheck.objects, syscheck.netpol):
            monkeypatch.setattr(module, "selects", real)
        calls[n] = counted["n"]
    assert calls[40] > 40
    # 4x the workloads: about 4x the tests (the scans made ~16x)
    assert calls[160] < 6 * calls[40], calls
