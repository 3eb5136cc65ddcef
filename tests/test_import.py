"""`skyspec import kubernetes`: public systems (tests/data, with their licences) import,
check clean, build, and round-trip with every difference named."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.importer import import_kubernetes

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("system,path", [("podinfo", "podinfo"), ("sock-shop", "sock-shop/complete-demo.yaml")])
def test_public_system_round_trips(system, path, tmp_path):
    r = import_kubernetes([DATA / path], system)
    assert r.unexplained == [], r.unexplained[:5]
    f = r.figures
    assert f["equal"] + sum(f["categories"].values()) - sum(
        v for k, v in f["categories"].items() if k.startswith("objects skyspec adds")) == f["fields"]
    assert f["equal"] > f["fields"] // 3
    assert r.spec_lines < r.input_lines
    out = tmp_path / system
    res = CliRunner().invoke(main, ["import", "kubernetes", str(DATA / path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "fidelity: " in res.output and " equal, differences: " in res.output
    res = CliRunner().invoke(main, ["check", str(out)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0, res.output


def test_podinfo_uses_the_language_not_a_patch():
    r = import_kubernetes([DATA / "podinfo"], "podinfo")
    spec = r.files["apps/podinfo.yaml"]
    assert "autoscale: {min: 2, max: 4, cpu: 99}" in spec
    assert "ports: {http: 9898, http-metrics: 9797, grpc: 9999}" in spec
    import yaml

    assert "expose: true" in spec and yaml.safe_load(spec)["strategy"] == {"rolling": {"max_unavailable": 0}}
    assert "containers" not in spec  # the container is said in the language, not patched
    assert "minReadySeconds: 3" in spec  # what the language cannot say is kept as a patch


def test_list_secret_and_patch(tmp_path):
    src = tmp_path / "in.yaml"
    src.write_text("""\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: db}
  data: {password: c3VwZXJzZWNyZXQ=}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api, labels: {app: api}}
  spec:
    selector: {matchLabels: {app: api}}
    template:
      metadata: {labels: {app: api}}
      spec:
        enableServiceLinks: false
        containers:
        - name: api
          image: ghcr.io/acme/api:1.0
          ports: [{containerPort: 8080}]
          env:
          - {name: DB_URL, value: "postgres://db-svc:5432/app"}
          - name: PASSWORD
            valueFrom: {secretKeyRef: {name: db, key: password}}
          readinessProbe: {httpGet: {path: /healthz, port: 8080}}
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
""")
    r = import_kubernetes([src], "t")
    assert r.unexplained == []
    text = "".join(r.files.values())
    assert "c3VwZXJzZWNyZXQ" not in text and "supersecret" not in text
    assert "keys: [password]" in r.files["apps/secret.db.yaml"]
    api = r.files["apps/api.yaml"]
    assert "health: /healthz" in api and "port: 8080" in api
    assert "PASSWORD: {secret: db, key: password}" in api
    assert "enableServiceLinks: false" in api and "# patched" in api


def test_missing_path_and_bad_yaml(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: [\n")
    res = CliRunner().invoke(main, ["import", "kubernetes", str(bad), "-o", str(tmp_path / "o")])
    assert res.exit_code == 1 and "not valid YAML" in res.output and not (tmp_path / "o").exists()
