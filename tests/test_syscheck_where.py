"""The system check's findings are located through maps of the IR made once per check
(`passes/system_check._Where`), not by a scan of every workload and manifest per finding
(quadratic when a systematic problem is found in every app): each finding still lands on
the line that declared what fails, of its own workload (`web` and `web-2` share a prefix)."""

from __future__ import annotations

from pathlib import Path

from skyspec.ir.model import IR
from skyspec.pipeline import Session

APPS = """
kind: App
name: api
image: x/api:1
ports: {http: 8080}
expose: true
---
kind: App
name: web
image: x/web:1
ports: {http: 8080}
env:
  API_URL: "http://api:9999/v1"
---
kind: App
name: web-2
image: x/web:1
ports: {http: 8080}
env:
  API_URL: "http://api:9998/v1"
"""


def test_findings_are_located_without_scanning_the_workloads(make_project, monkeypatch):
    root = make_project({"apps/a.yaml": APPS})

    def no_scan(self, name):
        raise AssertionError("ir.workload scans every workload")

    monkeypatch.setattr(IR, "workload", no_scan)
    s = Session(root / "skyspec.yaml")
    assert s.compile("prod") is None
    found = [(d.code, d.pos.line, d.pos.col, d.message) for d in s.diags.items if d.code == "SKY161"]
    assert [f[:3] for f in found] == [("SKY161", 12, 12), ("SKY161", 19, 12)]
    assert "Deployment/web connects to port 9999" in found[0][3]
    assert "Deployment/web-2 connects to port 9998" in found[1][3]


def test_a_workload_calling_its_own_service_is_told_to_admit_its_pods(make_project):
    # Temporal's server reaches its own frontend at `temporal:7233`: through the Service the
    # call lands on any replica, which the workload's policy admits from its callers only
    root = make_project({"apps/a.yaml": "kind: App\nname: temporal\nimage: x/t:1\nports: {grpc: 7233}\nexpose: true\n"
                                        "env: {TEMPORAL_ADDRESS: 'temporal:7233'}\n"})
    s = Session(root / "skyspec.yaml")
    assert s.compile("prod") is None
    found = [(d.code, d.pos.line, d.hint) for d in s.diags.items if d.code == "SKY163"]
    assert [f[:2] for f in found] == [("SKY163", 6)], found
    assert "its pods call each other through its Service" in found[0][2], found
    assert "`select: {app: temporal}`, `allow_from: [{app: temporal}]`" in found[0][2], found
    fixed = make_project({"apps/a.yaml": "kind: App\nname: temporal\nimage: x/t:1\nports: {grpc: 7233}\nexpose: true\n"
                                         "env: {TEMPORAL_ADDRESS: 'temporal:7233'}\n---\nkind: NetworkPolicy\n"
                                         "name: temporal-from-itself\nselect: {app: temporal}\n"
                                         "allow_from: [{app: temporal}]\n"})
    s = Session(fixed / "skyspec.yaml")
    assert s.compile("prod") is not None, [d.message for d in s.diags.items]


def test_a_call_an_env_value_makes_is_told_to_be_declared(make_project):
    # the hint said "add a NetworkPolicy ingress rule (and egress rule)": in a project, the
    # fix is the connect_to that declares the call
    root = make_project({"apps/a.yaml": "kind: App\nname: db\nimage: x/db:1\nports: {pg: 5432}\nexpose: true\n"
                                        "---\nkind: App\nname: web\nimage: x/w:1\nport: 8080\n"
                                        "env: {DB_ADDR: 'db:5432'}\n"})
    s = Session(root / "skyspec.yaml")
    assert s.compile("prod") is None
    found = [(d.code, d.pos.line, d.hint) for d in s.diags.items if d.code == "SKY163"]
    assert found == [("SKY163", 11, "declare the call: `connect_to: [db]` in web (it admits it in the NetworkPolicies, "
                                    "and gives DB_HOST and _PORT)")], found


def test_a_probe_calling_its_own_service_is_reported_at_the_probe(make_project, cli):
    """SKY165 lands on the spec line of the probe (`health.liveness`), and a build still
    succeeds (a warning: a Service may publish not-ready addresses through a `k8s:` patch)."""
    import json

    make_project({"apps/a.yaml": """
kind: App
name: api
image: x/api:1
ports: {http: 8080}
resources: {cpu: 100m, memory: 128Mi}
health:
  readiness: {http: /ready}
  liveness: {exec: [sh, -c, "curl -f http://api:8080/health"]}
expose: true
"""})
    r = cli("check", "--diagnostics-format", "json")
    found = [(d["line"], d["column"]) for d in json.loads(r.stdout) if d["code"] == "SKY165"]
    line, text = next((i, t) for i, t in enumerate(Path("apps/a.yaml").read_text().splitlines(), 1) if "liveness" in t)
    assert r.exit_code == 0 and found == [(line, text.index("{") + 1)], r.stdout


def test_two_volumes_at_one_path_are_reported_at_the_second(make_project, cli):
    """The API server refuses a pod whose container mounts two volumes at one path, and one
    spelled `/data/` hides one at `/data`: SKY166 at the second volume, before any output."""
    import json

    make_project({"apps/a.yaml": """
kind: App
name: api
image: x/api:1
ports: {http: 8080}
resources: {cpu: 100m, memory: 128Mi}
health: /healthz
volumes:
  cache: {empty: true, mount: /data}
  seed: {config: seed, mount: /data/}
  logs: {empty: true, mount: /var/log/api}
---
kind: ConfigMap
name: seed
data: {a: "1"}
"""})
    r = cli("check", "--diagnostics-format", "json")
    found = [d for d in json.loads(r.stdout) if d["code"] == "SKY166"]
    line = next(i for i, t in enumerate(Path("apps/a.yaml").read_text().splitlines(), 1) if "seed:" in t)
    assert r.exit_code == 1 and [(d["line"], d["severity"]) for d in found] == [(line, "error")], r.stdout
    assert 'mounts volumes "cache" and "seed" both at /data' in found[0]["message"]
