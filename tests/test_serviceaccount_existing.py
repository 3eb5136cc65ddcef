"""`kind: ServiceAccount` with `existing: true`: an identity the cluster holds already (a
cloud IAM binding made by eksctl or Terraform, one a controller makes). Nothing is generated
for it in any format: a generated one would be applied over it (`kubectl apply` takes it over,
dropping the annotations its own tool set). Pods run as it and Roles bind it, by its name in
every Helm release (it is not the release's object)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from skyspec.cli import main

PROJECT = {
    "skyspec.yaml": "project: esa\nnamespace: esa\nspecs: ['apps/*.yaml']\n"
                    "outputs: [kubernetes, compose, helm, kustomize]\nenvironments:\n  dev: {}\n  prod: {}\n",
    "apps/a.yaml": """\
kind: ServiceAccount
name: ci-bot
existing: true
---
kind: ServiceAccount
name: own
---
kind: Role
name: deployer
rules:
  - {verbs: [get, list], resources: [pods]}
bind: [ci-bot]
---
kind: App
name: web
image: ghcr.io/acme/web:1.2.0
port: 8080
health: /healthz
service_account: ci-bot
---
kind: App
name: api
image: ghcr.io/acme/api:1.2.0
port: 8080
health: /healthz
service_account: own
""",
}


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _by_kind(docs: list[dict], kind: str) -> list[dict]:
    return [o for o in docs if o and o["kind"] == kind]


def test_an_existing_service_account_is_used_in_every_format_and_generated_in_none(tmp_path):
    from validators import assert_valid_k8s, compose_config, helm, kubectl, load_docs, strip_helm_labels

    proj, out = write(tmp_path / "p", PROJECT), tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(proj), "-o", str(out)])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((out / "dev" / "kubernetes").glob("*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    assert [o["metadata"]["name"] for o in _by_kind(k8s, "ServiceAccount")] == ["own"]
    pods = {o["metadata"]["name"]: o["spec"]["template"]["spec"] for o in _by_kind(k8s, "Deployment")}
    assert pods["web"]["serviceAccountName"] == "ci-bot" and pods["api"]["serviceAccountName"] == "own"
    assert pods["web"]["automountServiceAccountToken"] is True   # a Role binds it: the pod gets its token
    binding = _by_kind(k8s, "RoleBinding")[0]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "ci-bot", "namespace": "esa"}]
    assert compose_config(out / "dev" / "compose.yaml").returncode == 0
    same = sorted(json.dumps(strip_helm_labels(o), sort_keys=True) for o in k8s)
    chart = next((out / "helm").iterdir())
    assert helm("lint", "--strict", str(chart), "-f", str(chart / "values-dev.yaml")).returncode == 0
    r = helm("template", "esa", str(chart), "-f", str(chart / "values-dev.yaml"), "--namespace", "esa")
    assert r.returncode == 0, r.stderr
    assert sorted(json.dumps(strip_helm_labels(o), sort_keys=True) for o in yaml.safe_load_all(r.stdout) if o) == same
    # another release: its own objects are its own, the cluster's account keeps its name
    r = helm("template", "second", str(chart), "-f", str(chart / "values-dev.yaml"), "--namespace", "esa")
    assert r.returncode == 0, r.stderr
    docs = [o for o in yaml.safe_load_all(r.stdout) if o]
    pods = {o["metadata"]["name"]: o["spec"]["template"]["spec"] for o in _by_kind(docs, "Deployment")}
    assert pods["second-web"]["serviceAccountName"] == "ci-bot", pods
    assert pods["second-api"]["serviceAccountName"] == "second-own", pods
    assert [s["name"] for s in _by_kind(docs, "RoleBinding")[0]["subjects"]] == ["ci-bot"]
    r = kubectl("kustomize", str(out / "kustomize" / "overlays" / "dev"))
    assert r.returncode == 0, r.stderr
    assert sorted(json.dumps(strip_helm_labels(o), sort_keys=True) for o in yaml.safe_load_all(r.stdout) if o) == same


def test_a_service_account_used_but_declared_nowhere_says_existing(tmp_path):
    files = dict(PROJECT)
    files["apps/a.yaml"] = files["apps/a.yaml"].replace("name: ci-bot\nexisting: true\n", "name: other\n")
    res = CliRunner().invoke(main, ["check", str(write(tmp_path / "p", files)), "--format", "json"])
    errors = [d for d in json.loads(res.stdout) if d["severity"] == "error"]
    assert res.exit_code == 1 and [(d["code"], d["line"]) for d in errors] == [("SKY114", 11), ("SKY114", 18)], errors
    assert all("`existing: true` when the cluster has it already" in d["hint"] for d in errors), errors


def test_an_existing_service_account_has_no_fields_of_its_own(tmp_path):
    files = dict(PROJECT)
    files["apps/a.yaml"] = files["apps/a.yaml"].replace(
        "existing: true\n", "existing: true\nautomount_token: false\nk8s: {ServiceAccount: {metadata: {labels: {x: y}}}}\n")
    res = CliRunner().invoke(main, ["check", str(write(tmp_path / "p", files)), "--format", "json"])
    assert res.exit_code == 1
    got = [(d["code"], d["line"]) for d in json.loads(res.stdout) if d["severity"] == "error"]
    assert got == [("SKY108", 4), ("SKY108", 5)], res.stdout


def test_the_builder_says_existing():
    from skyspec import App, ServiceAccount

    sa = ServiceAccount("ci-bot").from_existing()
    assert sa.to_dict() == {"kind": "ServiceAccount", "name": "ci-bot", "existing": True}
    assert App("web").image("x/web:1").service_account(sa).to_dict()["service_account"] == "ci-bot"


def test_at_a_builders_line_the_hint_names_the_builder_and_from_existing(tmp_path):
    files = {"skyspec.yaml": "project: esa\nnamespace: esa\nspecs: ['apps/*.py']\npython: true\n"
                             "environments:\n  dev: {}\n",
             "apps/a.py": 'from skyspec import App\napi = App("api").image("ghcr.io/a/api:1.0.0").port(8080)'
                          '.service_account("ci-bot")\n'}
    res = CliRunner().invoke(main, ["check", str(write(tmp_path / "p", files)), "--format", "json", "--allow-python"])
    (err,) = [d for d in json.loads(res.stdout) if d["severity"] == "error"]
    assert err["code"] == "SKY114" and err["line"] == 2, err
    assert err["hint"] == ('pass a `ServiceAccount("ci-bot")` builder instead of the name "ci-bot" (it then comes '
                           'along; `ServiceAccount("ci-bot").from_existing()` when the cluster has it already)'), err
