"""Targets (KubeStellar's idea): a target binds some workloads of some environments and
adds its own overlays; each is built into its own folder."""

from conftest import EXAMPLES
from validators import assert_valid_k8s, load_docs

PROJECT = """
project: demo
specs: ["apps/*"]
environments:
  dev: {}
  prod: {}
targets:
  edge:
    environments: [prod]
    select: {labels: {tier: web}}
    overlays: [overlays/edge.yaml]
    namespace: demo-edge
"""

APPS = """
kind: App
name: web
image: x/web:1
port: 80
labels: {tier: web}
---
kind: App
name: batch
image: x/batch:1
labels: {tier: batch}
"""


def test_target_selects_workloads_and_applies_its_overlay(make_project, cli, tmp_path):
    make_project({"apps/a.yaml": APPS, "overlays/edge.yaml": "apps:\n  web: {replicas: 7}\n"}, project=PROJECT)
    r = cli("build", "-o", str(tmp_path / "o"))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir() if p.is_dir()) == ["dev", "prod", "prod.edge"]
    edge = {(d["kind"], d["metadata"]["name"]): d for d in load_docs(tmp_path / "o" / "prod.edge" / "kubernetes")}
    assert {k for k in edge if k[0] == "Deployment"} == {("Deployment", "web")}
    assert edge[("Deployment", "web")]["spec"]["replicas"] == 7
    assert edge[("Deployment", "web")]["metadata"]["namespace"] == "demo-edge"
    prod = {(d["kind"], d["metadata"]["name"]): d for d in load_docs(tmp_path / "o" / "prod" / "kubernetes")}
    assert prod[("Deployment", "web")]["spec"]["replicas"] == 1  # the target overlay stays in the target
    assert ("Deployment", "batch") in prod
    assert_valid_k8s(edge.values())


def test_target_overlay_naming_an_unbound_workload_is_an_error(make_project, cli):
    make_project({"apps/a.yaml": APPS, "overlays/edge.yaml": "apps:\n  batch: {replicas: 2}\n"}, project=PROJECT)
    r = cli("check")
    assert r.exit_code == 1
    assert "overlays/edge.yaml:2:3: error[SKY201]" in r.stderr


def test_connection_to_an_unbound_workload_is_explained(make_project, cli):
    make_project({"apps/a.yaml": APPS.replace("labels: {tier: web}", "labels: {tier: web}\nconnect_to: [db]") + """
---
kind: App
name: db
image: x/db:1
port: 5432
""", "overlays/edge.yaml": "{}\n"}, project=PROJECT)
    r = cli("check")
    assert r.exit_code == 1
    assert 'which target "edge" does not include' in r.stderr


def test_unknown_environment_in_a_target(make_project, cli):
    make_project({"apps/a.yaml": APPS, "overlays/edge.yaml": "{}\n"}, project=PROJECT.replace("[prod]", "[prd]"))
    r = cli("check")
    assert r.exit_code == 1 and "error[SKY013]" in r.stderr and 'did you mean "prod"?' in r.stderr


def test_shop_has_a_target(tmp_path, cli):
    r = cli("build", str(EXAMPLES / "shop"), "-o", str(tmp_path / "o"), "--env", "prod")
    assert r.exit_code == 0, r.output
    docs = load_docs(tmp_path / "o" / "prod.eu-west" / "kubernetes")
    assert_valid_k8s(docs)
    kinds = {d["kind"] for d in docs}
    assert "CronJob" not in kinds and "StatefulSet" in kinds
    web = [d for d in docs if d["kind"] == "Ingress"][0]
    assert web["spec"]["rules"][0]["host"] == "eu.shop.example.com"
    assert all(d["metadata"]["labels"].get("region") == "eu-west" for d in docs if d["kind"] == "Deployment")
