"""A `kind: Resource` whose object has a name of its own: one no document can have (an
APIService named by its version and group, `v1beta1.metrics.k8s.io`; a ClusterRole named
`system:...` as Kubernetes names its own and metrics-server's chart names its), or one another
kind's object has too. The object keeps its name (`:` only for the RBAC kinds, as the API
server allows), the document's name is the handle, the output file is named after the
document, and Helm does not prefix an APIService's name."""

from __future__ import annotations

import json

from click.testing import CliRunner

from skyspec.cli import main

RBAC = """\
kind: Resource
name: reader
manifest:
  apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: "system:metrics-reader"}
  rules: [{apiGroups: [metrics.k8s.io], resources: [pods], verbs: [get, list]}]
---
kind: Resource
name: reader-binding
manifest:
  apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: {name: "system:metrics-reader"}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:metrics-reader"}
  subjects: [{kind: ServiceAccount, name: metrics, namespace: demo}]
---
kind: Resource
name: metrics-api
manifest:
  apiVersion: apiregistration.k8s.io/v1
  kind: APIService
  metadata: {name: v1beta1.metrics.k8s.io}
  spec: {group: metrics.k8s.io, version: v1beta1, groupPriorityMinimum: 100, versionPriority: 100,
         service: {name: metrics, namespace: demo}}
"""
PROJECT = "project: demo\nnamespace: demo\nspecs: ['apps/*']\nenvironments:\n  dev: {overlays: []}\n"


def test_objects_keep_names_no_document_can_have(make_project, cli, tmp_path):
    from validators import assert_valid_k8s, helm, load_docs

    make_project({"apps/rbac.yaml": RBAC}, project=PROJECT)
    out = tmp_path / "out"
    r = cli("build", "-o", str(out), "--format", "kubernetes,helm,kustomize")
    assert r.exit_code == 0, r.output
    files = sorted(p.name for p in (out / "dev" / "kubernetes").glob("*.yaml"))
    assert files == ["apiservice.metrics-api.yaml", "clusterrole.reader.yaml", "clusterrolebinding.reader-binding.yaml"]
    docs = load_docs(out / "dev" / "kubernetes")
    assert_valid_k8s(docs)
    assert sorted(d["metadata"]["name"] for d in docs) == ["system:metrics-reader", "system:metrics-reader",
                                                           "v1beta1.metrics.k8s.io"]
    chart = out / "helm" / "demo"
    assert helm("lint", "--strict", str(chart)).returncode == 0
    rendered = helm("template", "demo", str(chart), "-f", str(chart / "values-dev.yaml"))
    assert rendered.returncode == 0, rendered.stderr
    got = rendered.stdout
    assert "name: v1beta1.metrics.k8s.io" in got   # the API server holds an APIService to <version>.<group>


def test_a_colon_is_for_rbac_names_only(make_project, cli):
    deploy = ("kind: Resource\nname: web\nmanifest:\n  apiVersion: apps/v1\n  kind: Deployment\n"
              "  metadata: {name: 'system:web'}\n  spec: {}\n")
    make_project({"apps/a.yaml": deploy}, project=PROJECT)
    r = cli("check", "--diagnostics-format", "json")
    (d,) = json.loads(r.stdout)
    assert (d["code"], d["line"]) == ("SKY107", 6) and "not a valid object name" in d["message"]
    assert "DNS-1123 subdomain" in d["hint"]


def test_two_resources_of_one_object_are_refused(make_project, cli):
    twice = RBAC.split("---\n")[0] + "---\n" + RBAC.split("---\n")[0].replace("name: reader\n", "name: reader2\n")
    make_project({"apps/a.yaml": twice}, project=PROJECT)
    r = cli("check", "--diagnostics-format", "json")
    (d,) = json.loads(r.stdout)
    assert d["code"] == "SKY110" and d["message"] == \
        'ClusterRole "system:metrics-reader" is declared by two Resources, "reader" and "reader2"'


def test_the_importer_keeps_rbac_objects_named_with_a_colon(tmp_path):
    src = tmp_path / "rbac.yaml"
    src.write_text("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'system:reader'}\n"
                   "rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n---\n"
                   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 'a:b'}\ndata: {k: v}\n")
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(tmp_path / "o")])
    # the ConfigMap's name is no name the API server takes; the ClusterRole's is
    assert res.exit_code == 1 and res.output.count("error[") == 1
    assert "rbac.yaml:8:18: error[SKY061]: ConfigMap metadata.name must be a DNS-1123 subdomain" in res.output
    src.write_text(src.read_text().split("---\n")[0])
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    import yaml

    doc = yaml.safe_load((tmp_path / "o" / "apps" / "resource.clusterrole-system-reader.yaml").read_text())
    assert doc["name"] == "clusterrole-system-reader" and doc["manifest"]["metadata"]["name"] == "system:reader"


def test_rbac_objects_named_with_capitals_are_kept_and_built(tmp_path):
    # the OpenTelemetry target allocator's chart names its ClusterRole `...-ta-clusterRole`, which
    # the API server takes (an RBAC name is a path segment); the importer refused it (SKY061)
    from test_import_legacy import build_and_validate

    src = tmp_path / "rbac.yaml"
    src.write_text("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: ta-clusterRole}\n"
                   "rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n---\n"
                   "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
                   "metadata: {name: ta-clusterRoleBinding}\n"
                   "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ta-clusterRole}\n"
                   "subjects: [{kind: ServiceAccount, name: ta, namespace: demo}]\n")
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    built = build_and_validate(tmp_path / "o", tmp_path)
    assert sorted(d["metadata"]["name"] for d in built if d["kind"].startswith("ClusterRole")) == \
        ["ta-clusterRole", "ta-clusterRoleBinding"]
    src.write_text(src.read_text().replace("ta-clusterRole}", "ta/clusterRole}", 1))   # a '/': no RBAC name
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(tmp_path / "o2")])
    assert res.exit_code == 1 and "ClusterRole metadata.name must be letters, digits, '-', '_', '.' and ':'" in res.output
