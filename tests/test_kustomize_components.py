"""Kustomize components of one workload for several sets of overlays: named
`<workload>.<overlay>_<overlay>`. The name joined the overlays with `+`, which the output
writer refuses in a path (SKY903), so such a project checked clean and failed to build (found
by the fuzzer, seed 81 case 133)."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from skyspec.cli import main

FILES = {
    "skyspec.yaml": "project: shop\nnamespace: demo\nspecs: ['apps/*.yaml']\noutputs: [kubernetes, kustomize]\n"
                    "environments:\n  dev: {overlays: [overlays/dev.yaml]}\n  qa: {overlays: [overlays/qa.yaml]}\n"
                    "  e2e: {}\n",
    "apps/api.yaml": "kind: App\nname: api\nimage: ghcr.io/acme/api:1.2.3\nport: 3000\nhealth: /healthz\n",
    # dev: no NetworkPolicy for api (qa and e2e have it: one component); qa: an Ingress (another)
    "overlays/dev.yaml": "all: {security: {network_policy: false}}\n",
    "overlays/qa.yaml": "apps: {api: {expose: {host: api.qa.example.com}}}\n",
}


def test_a_workloads_components_for_two_sets_of_overlays_build_and_render(tmp_path):
    from validators import kubectl, load_docs

    for rel, text in FILES.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_text(text)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["check", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (out / "kustomize" / "components").iterdir())
    assert "api.qa_e2e" in names and "api.qa" in names, names
    for env in ("qa", "e2e"):
        want = sorted(json.dumps(o, sort_keys=True) for f in sorted((out / env / "kubernetes").glob("*.yaml"))
                      for o in load_docs(f))
        r = kubectl("kustomize", str(out / "kustomize" / "overlays" / env))
        assert r.returncode == 0, r.stderr
        assert sorted(json.dumps(o, sort_keys=True) for o in yaml.safe_load_all(r.stdout) if o) == want
