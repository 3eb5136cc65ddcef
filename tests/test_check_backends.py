"""`skyspec check` reports what `skyspec build` would report before rendering: the backends'
own checks (a `k8s:` patch for a kind the spec does not produce, SKY124; what Compose cannot
say, SKY5xx) ran in `build` only, so a project could pass `check` and fail `build`."""

from __future__ import annotations

import json


def test_check_reports_a_patch_that_patches_nothing(make_project, cli):
    make_project({"apps/a.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        port: 8080
        health: /healthz
        k8s: {Servcie: {spec: {type: NodePort}}}
        """})
    r = cli("check", "--diagnostics-format", "json")
    assert r.exit_code == 1, r.output
    [d] = [d for d in json.loads(r.stdout) if d["severity"] == "error"]
    assert (d["code"], d["file"], d["line"]) == ("SKY124", "apps/a.yaml", 6)
    assert d["hint"] == "it produces Deployment, NetworkPolicy"
    b = cli("build", "-o", "out", "--diagnostics-format", "json")
    assert b.exit_code == 1 and [x["code"] for x in json.loads(b.stdout) if x["severity"] == "error"] == ["SKY124"]


def test_check_warns_as_the_compose_backend_does(make_project, cli):
    make_project({"apps/a.yaml": """
        kind: CronJob
        name: report
        image: ghcr.io/acme/report:1.0.0
        schedule: "0 2 * * *"
        """}, project="""
        project: demo
        namespace: demo
        specs: ["apps/*"]
        environments: {dev: {}}
        outputs: [kubernetes, compose]
        """)
    r = cli("check", "--diagnostics-format", "json")
    assert r.exit_code == 0, r.output
    assert "SKY501" in [d["code"] for d in json.loads(r.stdout)]
