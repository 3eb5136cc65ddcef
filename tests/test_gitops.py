"""GitOps files for `targets:`: the Argo CD ApplicationSet (validated with the models of
@kubernetes-models/argo-cd, generated from Argo CD's CRDs) and Flux's GitRepository and
Kustomizations (cloudcoil-models-fluxcd, from Flux's CRDs), each pointing at output that
exists and builds; and the Argo CD Config Management Plugin (examples/argocd-cmp/), whose
generate command is run against the shop example."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ROOT
from validators import assert_valid_k8s, helm, kubectl, load_docs, validate_argocd, validate_flux

GITOPS = "gitops: {repo: 'https://github.com/acme/shop.git', revision: main, path: deploy/out}\n"
US_EAST = "  us-east:\n    environments: [qa, prod]\n    namespace: shop-us\n"


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """The shop example with `gitops:` and a second target, in a repository whose
    deploy/ folder holds it (so deploy/out is the output's path in the repository)."""
    root = tmp_path / "repo/deploy"
    shutil.copytree(EXAMPLES / "shop", root)
    project = root / "skyspec.yaml"
    text = project.read_text().replace("outputs:", US_EAST + "outputs:")
    project.write_text(text + GITOPS)
    monkeypatch.chdir(tmp_path)
    return root


def build(cli, root: Path, *args: str) -> Path:
    r = cli("build", str(root), *args)
    assert r.exit_code == 0, r.output
    return root / "out"


def load(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_the_applicationset_has_one_application_per_target_cluster(shop, cli):
    out = build(cli, shop)
    (appset,) = load(out / "gitops/argocd/applicationset.yaml")
    assert validate_argocd([appset]) == []
    spec = appset["spec"]
    elements = spec["generators"][0]["list"]["elements"]
    assert elements == [
        {"cluster": "eu-west", "env": "prod", "namespace": "shop", "path": "deploy/out/kustomize/overlays/prod.eu-west"},
        {"cluster": "us-east", "env": "qa", "namespace": "shop-us", "path": "deploy/out/kustomize/overlays/qa.us-east"},
        {"cluster": "us-east", "env": "prod", "namespace": "shop-us",
         "path": "deploy/out/kustomize/overlays/prod.us-east"}]
    template = spec["template"]["spec"]
    assert template["source"] == {"repoURL": "https://github.com/acme/shop.git", "targetRevision": "main",
                                  "path": "{{.path}}"}
    assert template["destination"] == {"name": "{{.cluster}}", "namespace": "{{.namespace}}"}
    repo = shop.parent
    for e in elements:            # each points at an overlay that builds into its unit's objects
        r = kubectl("kustomize", str(repo / e["path"]))
        assert r.returncode == 0, r.stderr
        objs = [d for d in yaml.safe_load_all(r.stdout) if d]
        unit = f"{e['env']}.{e['cluster']}"
        assert sorted((o["kind"], o["metadata"]["name"]) for o in objs) == \
            sorted((o["kind"], o["metadata"]["name"]) for o in load_docs(out / unit / "kubernetes"))
        assert {o["metadata"].get("namespace") for o in objs} - {None} == {e["namespace"]}


def test_the_argocd_validator_can_fail(shop, cli):
    (appset,) = load(build(cli, shop) / "gitops/argocd/applicationset.yaml")
    broken = copy.deepcopy(appset)
    broken["spec"]["template"]["spec"]["project"] = 7
    del broken["spec"]["template"]["spec"]["destination"]
    problems = validate_argocd([broken])
    assert problems and "project must be string" in problems[0]


def test_flux_gets_a_source_and_a_kustomization_per_environment_of_each_cluster(shop, cli):
    out = build(cli, shop)
    flux = sorted(p.relative_to(out / "gitops/flux").as_posix() for p in (out / "gitops/flux").rglob("*.yaml"))
    assert flux == ["eu-west/prod.yaml", "eu-west/source.yaml", "us-east/prod.yaml", "us-east/qa.yaml",
                    "us-east/source.yaml"]
    for rel in flux:
        for doc in load(out / "gitops/flux" / rel):
            assert validate_flux(doc) == [], rel
    (source,) = load(out / "gitops/flux/us-east/source.yaml")
    assert source["spec"]["url"] == "https://github.com/acme/shop.git" and source["spec"]["ref"] == {"branch": "main"}
    (k,) = load(out / "gitops/flux/us-east/qa.yaml")
    assert k["metadata"]["name"] == "shop-qa" and k["spec"]["sourceRef"] == {"kind": "GitRepository", "name": "shop"}
    assert k["spec"]["path"] == "./deploy/out/kustomize/overlays/qa.us-east"
    assert (shop.parent / k["spec"]["path"] / "kustomization.yaml").is_file()
    bad = copy.deepcopy(k)
    bad["spec"]["prune"] = "maybe"
    assert validate_flux(bad)
    bad = copy.deepcopy(k)
    bad["spec"]["sourceRefs"] = bad["spec"].pop("sourceRef")
    assert validate_flux(bad)


def test_revision_forms(shop, cli):
    project = shop / "skyspec.yaml"
    sha = "0123456789abcdef0123456789abcdef01234567"
    for revision, ref in ((sha, {"commit": sha}), ("refs/tags/v1.2", {"name": "refs/tags/v1.2"})):
        project.write_text(project.read_text().replace(GITOPS, "") + GITOPS.replace("revision: main",
                                                                                   f"revision: '{revision}'"))
        GITOPS_NOW = project.read_text().splitlines()[-1] + "\n"
        out = build(cli, shop)
        (source,) = load(out / "gitops/flux/eu-west/source.yaml")
        assert source["spec"]["ref"] == ref and validate_flux(source) == []
        (appset,) = load(out / "gitops/argocd/applicationset.yaml")
        assert appset["spec"]["template"]["spec"]["source"]["targetRevision"] == revision
        project.write_text(project.read_text().replace(GITOPS_NOW, GITOPS))


def test_a_helm_only_project_points_argocd_at_the_values_files(shop, cli):
    project = shop / "skyspec.yaml"
    project.write_text(project.read_text().replace("outputs: [kubernetes, compose, helm, kustomize]", "outputs: [helm]"))
    out = build(cli, shop)
    assert not (out / "gitops/flux").exists()                      # Flux's Kustomization cannot read a chart
    (appset,) = load(out / "gitops/argocd/applicationset.yaml")
    assert validate_argocd([appset]) == []
    source = appset["spec"]["template"]["spec"]["source"]
    assert source["path"] == "{{.path}}" and source["helm"]["valueFiles"] == ["values-{{.env}}.{{.cluster}}.yaml"]
    for e in appset["spec"]["generators"][0]["list"]["elements"]:
        chart = shop.parent / e["path"]
        values = chart / f"values-{e['env']}.{e['cluster']}.yaml"
        r = helm("template", "shop", str(chart), "--namespace", e["namespace"], "-f", str(values))
        assert r.returncode == 0, r.stderr
        assert_valid_k8s([d for d in yaml.safe_load_all(r.stdout) if d])


def test_a_kubernetes_only_project_points_at_the_plain_manifests(shop, cli):
    project = shop / "skyspec.yaml"
    project.write_text(project.read_text().replace("outputs: [kubernetes, compose, helm, kustomize]",
                                                   "outputs: [kubernetes]"))
    out = build(cli, shop)
    (appset,) = load(out / "gitops/argocd/applicationset.yaml")
    paths = [e["path"] for e in appset["spec"]["generators"][0]["list"]["elements"]]
    assert paths == ["deploy/out/prod.eu-west/kubernetes", "deploy/out/qa.us-east/kubernetes",
                     "deploy/out/prod.us-east/kubernetes"]
    assert all((shop.parent / p / "api.yaml").is_file() for p in paths)
    (k,) = load(out / "gitops/flux/eu-west/prod.yaml")
    assert k["spec"]["path"] == "./deploy/out/prod.eu-west/kubernetes" and validate_flux(k) == []


def test_without_gitops_no_gitops_files_and_without_targets_a_warning(shop, cli, tmp_path):
    project = shop / "skyspec.yaml"
    project.write_text(project.read_text().replace(GITOPS, ""))
    assert not (build(cli, shop) / "gitops").exists()
    text = project.read_text()
    no_targets = text[:text.index("targets:")] + text[text.index("outputs:"):] + GITOPS
    project.write_text(no_targets)
    r = cli("build", str(shop), "-o", str(tmp_path / "o2"))
    assert r.exit_code == 0 and not (tmp_path / "o2/gitops").exists()
    line = no_targets.splitlines().index(GITOPS.strip()) + 1
    assert f"repo/deploy/skyspec.yaml:{line}:9: warning[SKY503]" in r.stderr


def test_gitops_settings_are_checked(shop, cli):
    project = shop / "skyspec.yaml"
    project.write_text(project.read_text().replace("path: deploy/out", "path: ../elsewhere")
                       .replace("https://github.com/acme/shop.git", "https://x/{{.cluster}}.git"))
    r = cli("build", str(shop))
    assert r.exit_code == 1 and r.stderr.count("error[SKY107]") == 2, r.stderr


def test_partial_builds_write_the_same_gitops_files(shop, cli, tmp_path):
    full = build(cli, shop, "-o", str(tmp_path / "full"))
    assert full == shop / "out"
    build(cli, shop, "-o", str(tmp_path / "dev"), "--env", "dev", "-f", "kubernetes")
    for p in (tmp_path / "full/gitops").rglob("*.yaml"):
        assert (tmp_path / "dev/gitops" / p.relative_to(tmp_path / "full/gitops")).read_bytes() == p.read_bytes()


# ---------------------------------------------------------------------- Config Management Plugin

CMP = ROOT / "examples/argocd-cmp"


def run_generate(params: dict[str, str], cwd: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """plugin.yaml's generate command, run as the CMP sidecar runs it: in the application's
    source folder, parameters as $PARAM_<NAME>, `skyspec` on PATH (here: this checkout)."""
    plugin = yaml.safe_load((CMP / "plugin.yaml").read_text())
    gen = plugin["spec"]["generate"]
    shim = tmp_path / "bin/skyspec"
    shim.parent.mkdir(exist_ok=True)
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m skyspec "$@"\n')
    shim.chmod(0o755)
    env = {"PATH": f"{shim.parent}:/usr/bin:/bin", "PYTHONPATH": str(ROOT / "compiler"),
           **{f"PARAM_{k.upper()}": v for k, v in params.items()}}
    return subprocess.run([*gen["command"], *gen.get("args", [])], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_plugin_declares_skyspec(tmp_path):
    plugin = yaml.safe_load((CMP / "plugin.yaml").read_text())
    assert plugin["apiVersion"] == "argoproj.io/v1alpha1" and plugin["kind"] == "ConfigManagementPlugin"
    assert plugin["spec"]["discover"] == {"fileName": "./skyspec.yaml"}
    assert [p["name"] for p in plugin["spec"]["parameters"]["static"]] == ["env", "target"]


@pytest.mark.parametrize("params,unit", [({"env": "prod", "target": "eu-west"}, "prod.eu-west"),
                                         ({"env": "dev"}, "dev")])
def test_the_plugin_generates_the_units_manifests(params, unit, tmp_path, cli):
    r = cli("build", str(EXAMPLES / "shop"), "-o", str(tmp_path / "out"), "-f", "kubernetes")
    assert r.exit_code == 0, r.output
    g = run_generate(params, EXAMPLES / "shop", tmp_path)
    assert g.returncode == 0, g.stderr
    got = [d for d in yaml.safe_load_all(g.stdout) if d]
    want = load_docs(tmp_path / "out" / unit / "kubernetes")
    key = lambda o: (o["kind"], o["metadata"]["name"])   # noqa: E731
    assert sorted(got, key=key) == sorted(want, key=key)


def test_the_plugin_fails_without_output_on_a_bad_environment(tmp_path):
    g = run_generate({"env": "staging"}, EXAMPLES / "shop", tmp_path)
    assert g.returncode != 0 and g.stdout == "" and 'unknown environment "staging"' in g.stderr


def test_the_sidecar_recipe_builds_a_valid_repo_server(tmp_path):
    """kustomization.yaml beside plugin.yaml, with Argo CD's install manifests replaced by a
    repo-server like theirs: the patched Deployment and the plugin's ConfigMap are valid
    objects and the sidecar mounts plugin.yaml where the cmp-server reads it."""
    work = tmp_path / "cmp"
    shutil.copytree(CMP, work)
    (work / "install.yaml").write_text(yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "argocd-repo-server"},
        "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "argocd-repo-server"}},
                 "template": {"metadata": {"labels": {"app.kubernetes.io/name": "argocd-repo-server"}},
                              "spec": {"containers": [{"name": "argocd-repo-server", "image": "quay.io/argoproj/argocd"}],
                                       "volumes": [{"name": "var-files", "emptyDir": {}},
                                                   {"name": "plugins", "emptyDir": {}}]}}}}))
    k = yaml.safe_load((work / "kustomization.yaml").read_text())
    assert k["resources"][0].startswith("https://raw.githubusercontent.com/argoproj/argo-cd/")
    k["resources"] = ["install.yaml"]
    (work / "kustomization.yaml").write_text(yaml.safe_dump(k))
    r = kubectl("kustomize", str(work))
    assert r.returncode == 0, r.stderr
    objs = {o["kind"]: o for o in yaml.safe_load_all(r.stdout) if o}
    assert_valid_k8s(list(objs.values()))
    assert objs["ConfigMap"]["data"]["plugin.yaml"] == (CMP / "plugin.yaml").read_text()
    sidecar = next(c for c in objs["Deployment"]["spec"]["template"]["spec"]["containers"] if c["name"] == "skyspec")
    assert sidecar["command"] == ["/var/run/argocd/argocd-cmp-server"]
    assert {m["mountPath"] for m in sidecar["volumeMounts"]} >= {
        "/var/run/argocd", "/home/argocd/cmp-server/plugins", "/home/argocd/cmp-server/config/plugin.yaml"}
    assert sidecar["securityContext"]["runAsUser"] == 999
    assert "USER 999" in (CMP / "Dockerfile").read_text()
    assert os.path.basename(str(CMP)) == "argocd-cmp"


def test_manifests_names_the_targets_of_an_environment(cli):
    r = cli("manifests", str(EXAMPLES / "shop"), "--env", "prod", "--target", "eu-wst")
    assert r.exit_code == 2 and r.stdout == "" and 'did you mean "eu-west"?' in r.stderr
    r = cli("manifests", str(EXAMPLES / "shop"), "--env", "qa", "--target", "eu-west")
    assert r.exit_code == 2 and "no target is bound to qa" in r.stderr
