"""`kind: ConfigMap` with `existing: true`: a ConfigMap the cluster holds already (another
tool or an operator makes it, or a chart leaves it to the user). Nothing is generated for it
in any format; the workloads reference it as written; the system check counts it as there.
Compose reads its entries from files the user provides beside the Compose file: the folder
`configs/<name>/` for a `config` volume, `configs/<name>.env` for `env_from`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from skyspec.cli import main

PROJECT = {
    "skyspec.yaml": "project: ecm\nnamespace: ecm\nspecs: ['apps/*.yaml']\n"
                    "outputs: [kubernetes, compose, helm, kustomize]\nenvironments:\n  dev: {}\n  prod: {}\n",
    "apps/a.yaml": """\
kind: ConfigMap
name: cloud-config
existing: true
---
kind: ConfigMap
name: own
data: {MODE: fast}
---
kind: App
name: web
image: ghcr.io/acme/web:1.2.0
port: 8080
health: /healthz
volumes:
  cfg: {config: cloud-config, mount: /etc/cloud}
  one: {config: cloud-config, mount: /etc/region, sub_path: region}
env_from:
  - config: cloud-config
  - config: own
""",
}


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_an_existing_config_map_is_referenced_in_every_format_and_generated_in_none(tmp_path):
    from validators import assert_valid_k8s, compose_config, helm, kubectl, load_docs, strip_helm_labels

    proj, out = write(tmp_path / "p", PROJECT), tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(proj), "-o", str(out)])
    assert res.exit_code == 0, res.output
    # the build says which files Compose reads, and that they are missing
    assert "Compose reads these files of existing ConfigMaps, which you provide:" in res.output
    assert f"{out / 'dev' / 'configs' / 'cloud-config.env'} (missing)" in res.output
    k8s = [d for f in sorted((out / "dev" / "kubernetes").glob("*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    assert [o["metadata"]["name"] for o in k8s if o["kind"] == "ConfigMap"] == ["own"]
    pod = next(o for o in k8s if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    assert {v["name"]: v["configMap"]["name"] for v in pod["volumes"] if "configMap" in v} == \
        {"cfg": "cloud-config", "one": "cloud-config"}
    assert [e["configMapRef"]["name"] for e in pod["containers"][0]["envFrom"]] == ["cloud-config", "own"]
    # Compose: the folder and the env file, read-only; its own ConfigMap inline as ever
    compose = yaml.safe_load((out / "dev" / "compose.yaml").read_text())
    web = compose["services"]["web"]
    assert web["env_file"] == ["./configs/cloud-config.env"]
    assert {"type": "bind", "source": "./configs/cloud-config", "target": "/etc/cloud", "read_only": True} in web["volumes"]
    assert {"type": "bind", "source": "./configs/cloud-config/region", "target": "/etc/region",
            "read_only": True} in web["volumes"]
    assert web["environment"]["MODE"] == "fast"
    assert compose_config(out / "dev" / "compose.yaml").returncode != 0   # the env file is the user's to give
    (out / "dev" / "configs" / "cloud-config").mkdir(parents=True)
    (out / "dev" / "configs" / "cloud-config" / "region").write_text("eu-west-1\n")
    (out / "dev" / "configs" / "cloud-config.env").write_text("REGION=eu-west-1\n")
    r = compose_config(out / "dev" / "compose.yaml")
    assert r.returncode == 0, r.stderr
    # Helm and Kustomize: object for object the Kubernetes output
    same = sorted(json.dumps(strip_helm_labels(o), sort_keys=True) for o in k8s)
    chart = next((out / "helm").iterdir())
    assert helm("lint", "--strict", str(chart), "-f", str(chart / "values-dev.yaml")).returncode == 0
    r = helm("template", "ecm", str(chart), "-f", str(chart / "values-dev.yaml"), "--namespace", "ecm")
    assert r.returncode == 0, r.stderr
    assert sorted(json.dumps(strip_helm_labels(o), sort_keys=True) for o in yaml.safe_load_all(r.stdout) if o) == same
    r = kubectl("kustomize", str(out / "kustomize" / "overlays" / "dev"))
    assert r.returncode == 0, r.stderr
    assert sorted(json.dumps(strip_helm_labels(o), sort_keys=True) for o in yaml.safe_load_all(r.stdout) if o) == same


def test_a_config_map_used_but_declared_nowhere_is_still_an_error(tmp_path):
    files = dict(PROJECT)
    files["apps/a.yaml"] = files["apps/a.yaml"].replace("existing: true\n", "data: {x: '1'}\n").replace(
        "name: cloud-config\ndata", "name: other\ndata")
    res = CliRunner().invoke(main, ["check", str(write(tmp_path / "p", files)), "--format", "json"])
    errors = [d for d in json.loads(res.stdout) if d["severity"] == "error"]
    assert res.exit_code == 1 and errors and all(d["code"] == "SKY114" and "cloud-config" in d["message"]
                                                 for d in errors), res.stdout


def test_an_existing_config_map_has_no_entries_and_no_patch(tmp_path):
    files = dict(PROJECT)
    files["apps/a.yaml"] = files["apps/a.yaml"].replace(
        "existing: true\n", "existing: true\ndata: {A: b}\nk8s: {ConfigMap: {metadata: {labels: {x: y}}}}\n")
    res = CliRunner().invoke(main, ["check", str(write(tmp_path / "p", files)), "--format", "json"])
    assert res.exit_code == 1
    got = [(d["code"], d["line"]) for d in json.loads(res.stdout) if d["severity"] == "error"]
    assert got == [("SKY108", 4), ("SKY108", 5)], res.stdout


def test_compose_cannot_prefix_an_existing_config_maps_env_file(tmp_path):
    files = dict(PROJECT)
    files["apps/a.yaml"] = files["apps/a.yaml"].replace("  - config: cloud-config\n",
                                                        "  - {config: cloud-config, prefix: CLOUD_}\n")
    proj, out = write(tmp_path / "p", files), tmp_path / "out"
    res = CliRunner().invoke(main, ["check", str(proj), "--format", "json"])
    assert res.exit_code == 0, res.output
    (w,) = [d for d in json.loads(res.stdout) if d["code"] == "SKY506"]
    assert (w["severity"], w["line"]) == ("warning", 18) and "env file" in w["message"] and w["hint"]
    res = CliRunner().invoke(main, ["build", str(proj), "-o", str(out)])
    assert res.exit_code == 0, res.output
    web = yaml.safe_load((out / "dev" / "compose.yaml").read_text())["services"]["web"]
    assert "env_file" not in web
    k8s = yaml.safe_load_all((out / "dev" / "kubernetes" / "web.yaml").read_text())
    dep = next(o for o in k8s if o and o["kind"] == "Deployment")
    assert dep["spec"]["template"]["spec"]["containers"][0]["envFrom"][0] == \
        {"configMapRef": {"name": "cloud-config"}, "prefix": "CLOUD_"}


def test_the_importer_declares_a_config_map_a_chart_leaves_to_the_user(tmp_path, tools_on_path):
    """helm/charts' vsphere-cpi mounts ConfigMap `cloud-config` in its DaemonSet (kept as a
    Resource) and renders none: the user makes it with the vSphere settings. The import was
    refused (SKY162); it now declares it `existing: true`, with a note (SKY073)."""
    from validators import assert_valid_k8s, load_docs

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_helm

    chart = Path(__file__).parent / "data" / "helm-stable" / "vsphere-cpi"
    diags = Diagnostics()
    r = import_helm(chart, [str(chart / "values.yaml")], "cpi", diags)
    assert r is not None and not diags.has_errors and r.unexplained == [], [str(d) for d in diags.sorted()][:3]
    (note,) = [d for d in diags.items if d.code == "SKY073"]
    assert note.message == "ConfigMap cloud-config, used by vsphere-cpi, is not in the input: declared `existing: true`"
    docs = [d for t in r.files.values() for d in yaml.safe_load_all(t) if isinstance(d, dict)]
    assert {"kind": "ConfigMap", "name": "cloud-config", "existing": True} in docs
    res = CliRunner().invoke(main, ["import", "helm", str(chart), "-f", str(chart / "values.yaml"), "-o",
                                    str(tmp_path / "p"), "--name", "cpi"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    assert not [o for o in k8s if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "cloud-config"]
