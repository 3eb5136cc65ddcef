"""The system check's findings are located through maps of the IR made once per check
(`passes/system_check._Where`), not by a scan of every workload and manifest per finding
(quadratic when a systematic problem is found in every app): each finding still lands on
the line that declared what fails, of its own workload (`web` and `web-2` share a prefix)."""

from __future__ import annotations

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
