"""A Kustomize folder named as an import input is what Kustomize builds of it (`kubectl
kustomize`), not its files: a base's `namespace:` and labels, an overlay's patches and image
tags are in the objects imported. Environments are overlays (`--env dev=base --env
prod=overlays/prod`). A folder walked for manifests with a Kustomize folder below it is
refused there, and a build that fails is told with the tool's reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.diagnostics import Diagnostics

BASE = {
    "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\n"
                          "labels:\n  - pairs: {team: web}\n    includeSelectors: true\n"
                          "resources: [deployment.yaml, service.yaml]\n",
    "deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ghcr.io/acme/web:1.0.0
        ports: [{containerPort: 8080, name: http}]
        resources: {requests: {cpu: 100m, memory: 128Mi}}
""",
    "service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n"
                    "  ports: [{port: 80, targetPort: http, name: http}]\n",
}
PROD = {
    "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                          "resources: [../../base]\nimages:\n  - {name: ghcr.io/acme/web, newTag: 1.1.0}\n"
                          "patches:\n  - path: replicas.yaml\n",
    "replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n",
}


@pytest.fixture(autouse=True)
def kubectl_on_path(tools_on_path):
    """kubectl, which builds the Kustomize folders, on PATH in every test here."""


def _tree(root: Path) -> Path:
    for folder, files in (("base", BASE), ("overlays/prod", PROD)):
        for name, text in files.items():
            (root / folder / name).parent.mkdir(parents=True, exist_ok=True)
            (root / folder / name).write_text(text)
    return root


def test_a_kustomize_folder_is_what_it_builds(tmp_path):
    from skyspec.importer import import_kubernetes

    root = _tree(tmp_path / "k")
    diags = Diagnostics()
    r = import_kubernetes([root / "base"], "shop", diags)
    assert r is not None and r.unexplained == [], [d.message for d in diags.errors]
    app = yaml.safe_load(r.files["apps/web.yaml"])
    assert app["labels"] == {"app": "web", "team": "web"}   # the kustomization's label, on the pods too
    assert yaml.safe_load(r.files["skyspec.yaml"])["namespace"] == "shop"
    # located in what the tool printed
    assert {d.pos.file for d in diags.items if d.pos} == {f"kubectl kustomize {root / 'base'}"}


def test_a_kustomization_file_named_is_its_folder(tmp_path):
    # it was read as an object of kind Kustomization, which has no name (SKY061)
    from skyspec.importer import import_kubernetes

    root = _tree(tmp_path / "k")
    r = import_kubernetes([root / "overlays" / "prod" / "kustomization.yaml"], "shop")
    assert yaml.safe_load(r.files["apps/web.yaml"])["replicas"] == 3


def test_overlays_are_environments(tmp_path):
    from test_import_legacy import build_and_validate

    root = _tree(tmp_path / "k")
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", "--env", f"dev={root / 'base'}",
                                    "--env", f"prod={root / 'overlays' / 'prod'}", "-o", str(out)])
    assert res.exit_code == 0, res.output
    dev = yaml.safe_load((out / "overlays" / "dev.yaml").read_text())["apps"]["web"]
    prod = yaml.safe_load((out / "overlays" / "prod.yaml").read_text())["apps"]["web"]
    assert dev["image"] == "ghcr.io/acme/web:1.0.0" and prod["image"] == "ghcr.io/acme/web:1.1.0", prod
    assert prod["replicas"] == 3, prod
    docs = build_and_validate(out, tmp_path / "b", "prod")
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    assert deployment["spec"]["replicas"] == 3
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/web:1.1.0"


def test_a_kustomize_folder_below_a_walked_one_is_refused_there(tmp_path):
    from skyspec.importer import import_kubernetes

    root = _tree(tmp_path / "k")
    diags = Diagnostics()
    assert import_kubernetes([root], "shop", diags) is None
    got = sorted((d.code, d.pos.file) for d in diags.errors)
    assert got == [("SKY068", str(root / "base" / "kustomization.yaml")),
                   ("SKY068", str(root / "overlays" / "prod" / "kustomization.yaml"))], got
    assert all("`--env dev=overlays/dev --env prod=overlays/prod`" in d.hint for d in diags.errors)


def test_a_build_that_fails_is_told_with_the_tools_reason(tmp_path):
    from skyspec.importer import import_kubernetes

    root = _tree(tmp_path / "k")
    (root / "overlays" / "prod" / "replicas.yaml").unlink()
    diags = Diagnostics()
    assert import_kubernetes([root / "overlays" / "prod"], "shop", diags) is None
    (err,) = diags.errors   # (a missing file is found before the tool runs)
    assert (err.code, err.pos.file, err.pos.line) == ("SKY068", str(root / "overlays" / "prod" / "kustomization.yaml"), 7)
    assert err.message.endswith("names 'replicas.yaml', which is not a file or folder there"), err.message
    # what only the tool finds: its reason, at the kustomization
    (root / "overlays" / "prod" / "replicas.yaml").write_text("kind: Deployment\nmetadata: {name: nothing-of-the-base}\n")
    diags = Diagnostics()
    assert import_kubernetes([root / "overlays" / "prod"], "shop", diags) is None
    (err,) = diags.errors
    assert err.code == "SKY068" and err.pos.file == str(root / "overlays" / "prod" / "kustomization.yaml")
    assert err.message.startswith(f"`kubectl kustomize {root / 'overlays' / 'prod'}` failed: ") and \
        "nothing-of-the-base" in err.message, err.message


def test_without_the_tool_it_says_how_to_build_it_by_hand(tmp_path, monkeypatch):
    from skyspec.importer import import_kubernetes

    root = _tree(tmp_path / "k")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    diags = Diagnostics()
    assert import_kubernetes([root / "base"], "shop", diags) is None
    (err,) = diags.errors
    assert err.code == "SKY068" and "neither kustomize nor kubectl is on PATH" in err.message
    assert "kubectl kustomize DIR > all.yaml" in err.hint


def test_a_chart_folder_named_as_manifests_is_told_to_be_imported_as_a_chart(tmp_path):
    # argocd-example-apps' blue-green: its templates read as YAML were a dozen errors of syntax
    from skyspec.importer import import_kubernetes

    (tmp_path / "c" / "templates").mkdir(parents=True)
    (tmp_path / "c" / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (tmp_path / "c" / "templates" / "d.yaml").write_text("kind: Deployment\nmetadata: {name: {{ .Release.Name }}}\n")
    diags = Diagnostics()
    assert import_kubernetes([tmp_path / "c"], "c", diags) is None
    assert [(d.code, d.pos.file) for d in diags.errors] == [("SKY060", str(tmp_path / "c" / "Chart.yaml"))]
    assert diags.errors[0].hint == f"import it with its values: `skyspec import helm {tmp_path / 'c'} -f values.yaml`"
    # below a folder walked for manifests: refused there too
    diags = Diagnostics()
    assert import_kubernetes([tmp_path], "c", diags) is None
    assert [(d.code, d.pos.file) for d in diags.errors] == [("SKY068", str(tmp_path / "c" / "Chart.yaml"))], \
        [d.message for d in diags.errors]


def test_podinfos_kustomize_tree_imports_as_its_three_environments(tmp_path):
    # stefanprodan/podinfo's deploy/: four bases (frontend, backend, cache, database with its
    # backup CronJobs) and dev, staging and production overlays
    from test_import_legacy import build_and_validate

    data = Path(__file__).parent / "data" / "podinfo-deploy" / "overlays"
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", *(a for e in ("dev", "staging", "production")
                                                              for a in ("--env", f"{e}={data / e}")), "-o", str(out)])
    assert res.exit_code == 0, res.output   # (the round trip named every difference: an unexplained one refuses)
    for env in ("dev", "staging", "production"):
        docs = build_and_validate(out, tmp_path / env, env)
        assert {d["metadata"]["namespace"] for d in docs if d["kind"] == "Deployment"} == {env}, env


@pytest.mark.parametrize("named", ["http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                                   "github.com/acme/private//deploy?ref=main", "../elsewhere"])
def test_nothing_is_fetched(tmp_path, monkeypatch, named):
    # a pull request's kustomization naming the cloud's metadata address would have a CI job
    # fetch the credentials it answers with and print them in Kustomize's error: refused at
    # its line before the tool runs (which the fake kubectl here would have marked)
    from skyspec.importer import import_kubernetes

    root = _tree(tmp_path / "k")
    (root / "base" / "kustomization.yaml").write_text(
        BASE["kustomization.yaml"].replace("resources: [deployment.yaml, service.yaml]",
                                           f"resources:\n  - deployment.yaml\n  - {named}\n"))
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "kubectl").write_text(f"#!/bin/sh\ntouch {tmp_path / 'ran'}\n")
    (tools / "kubectl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}/usr/bin:/bin")
    diags = Diagnostics()
    assert import_kubernetes([root / "overlays" / "prod"], "shop", diags) is None
    (err,) = diags.errors
    assert (err.code, err.pos.file, err.pos.line) == ("SKY068", str(root / "base" / "kustomization.yaml"), 9), err
    assert f"names {named!r}, which is not a file or folder there: Kustomize would fetch it" in err.message
    assert not (tmp_path / "ran").exists()


def test_an_overlay_moving_everything_to_its_namespace_is_an_environment_there(tmp_path):
    # flagger's kustomize/contour (projectcontour) beside kustomize/kubernetes (flagger-system):
    # said by each object's `namespace:`, the default deny and the namespace's policy stayed in
    # the project's namespace, which that overlay does not create, and its own admitted nothing
    from test_import_legacy import build_and_validate

    root = _tree(tmp_path / "k")
    edge = root / "overlays" / "edge"
    edge.mkdir(parents=True)
    (edge / "kustomization.yaml").write_text("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                             "namespace: edge\nresources: [../../base]\n")
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", "--env", f"dev={root / 'base'}",
                                    "--env", f"edge={edge}", "-o", str(out)])
    assert res.exit_code == 0, res.output
    project = yaml.safe_load((out / "skyspec.yaml").read_text())
    envs = {env: e.get("namespace", project["namespace"]) for env, e in project["environments"].items()}
    assert envs == {"dev": "shop", "edge": "edge"}, project
    assert "namespace" not in yaml.safe_load((out / "overlays" / "edge.yaml").read_text())["apps"].get("web", {})
    docs = build_and_validate(out, tmp_path / "b", "edge")
    policies = {d["metadata"]["name"]: d for d in docs if d["kind"] == "NetworkPolicy"}
    assert {d["metadata"]["namespace"] for d in docs} == {"edge"}, policies
    within = policies["p-within-namespace"]["spec"]["ingress"][0]["from"][0]
    assert within == {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "edge"}}}
