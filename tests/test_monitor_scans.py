"""A workload's ServiceMonitors are found through a map made once per IR, by the network pass
(its metrics ports) and by the Kubernetes backend (the monitor's workload): no longer by a
scan of every monitor for every workload, or of every workload for every monitor (quadratic
when an Observability monitors every app). These tests count the scans and check the output
the maps give."""

from __future__ import annotations

from skyspec.backends import kubernetes
from skyspec.ir.model import IR, Context
from skyspec.passes.network import network
from skyspec.pipeline import Session

N = 6
APPS = "".join(f"""
kind: App
name: app-{i}
image: x/app-{i}:1
ports: {{http: 8080, metrics: {9000 + i}}}
---
""" for i in range(N))
OBS = f"""
kind: Observability
name: obs
apps: [{", ".join(f"app-{i}" for i in range(N))}]
metrics: {{port: metrics, service_monitor: true}}
"""


class _Counted(list):
    """A list that counts the loops over it."""

    loops = 0

    def __iter__(self):
        type(self).loops += 1
        return super().__iter__()


def test_the_network_pass_reads_the_monitors_once(make_project):
    root = make_project({"apps/a.yaml": APPS + OBS})
    s = Session(root / "skyspec.yaml")
    c = s.compile("prod")
    assert c is not None and not s.diags.has_errors
    assert len(c.ir.monitors) == N
    # each workload's policy admits the monitoring namespace to its own metrics port
    for i in range(N):
        pol = next(n for n in c.ir.netpols if n.owner == f"app-{i}")
        assert any(r.get("ports") == [{"protocol": "TCP", "port": 9000 + i}] for r in pol.rules)
    # the pass again (its policies dropped), counting the loops over the monitors
    c.ir.netpols = [n for n in c.ir.netpols if not n.generated]
    c.ir.monitors = _Counted(c.ir.monitors)
    _Counted.loops = 0
    network(c.ir, Context(s.project, s.env("prod"), s.diags))
    assert _Counted.loops <= 2   # not one per workload
    for i in range(N):
        pol = next(n for n in c.ir.netpols if n.owner == f"app-{i}")
        assert any(r.get("ports") == [{"protocol": "TCP", "port": 9000 + i}] for r in pol.rules)


def test_the_backend_finds_each_monitors_workload_without_a_scan(make_project, monkeypatch):
    root = make_project({"apps/a.yaml": APPS + OBS})
    s = Session(root / "skyspec.yaml")
    c = s.compile("prod")
    assert c is not None and not s.diags.has_errors

    def no_scan(self, name):
        raise AssertionError("ir.workload scans every workload")

    monkeypatch.setattr(IR, "workload", no_scan)
    files = kubernetes.files(c.ir)
    for i in range(N):
        (sm,) = files[f"servicemonitor.app-{i}.yaml"]
        assert sm["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": f"app-{i}",
                                                          "app.kubernetes.io/part-of": "demo"}
