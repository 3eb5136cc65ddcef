"""A raw manifest in an API version Kubernetes no longer serves (kubernetes/examples'
Elasticsearch kept a `policy/v1beta1` PodDisruptionBudget) would build and then be refused by
any current cluster: SKY125 at its apiVersion, naming the version to write instead."""

from __future__ import annotations

import json

import pytest

from skyspec.ir.served import removed

PROJECT = "project: demo\nnamespace: demo\nspecs: ['apps/*']\nenvironments:\n  dev: {overlays: []}\n"


def resource(api: str, kind: str) -> str:
    return f"kind: Resource\nname: x\nmanifest:\n  apiVersion: {api}\n  kind: {kind}\n  spec: {{}}\n"


@pytest.mark.parametrize("api, kind, hint", [
    ("policy/v1beta1", "PodDisruptionBudget", "write `apiVersion: policy/v1`"),
    ("extensions/v1beta1", "Ingress", "write `apiVersion: networking.k8s.io/v1`"),
    ("batch/v1beta1", "CronJob", "write `apiVersion: batch/v1`"),
    ("policy/v1beta1", "PodSecurityPolicy", "it has no successor: remove it (Pod Security admission"),
])
def test_a_version_no_longer_served_is_an_error_at_its_line(make_project, cli, api, kind, hint):
    make_project({"apps/a.yaml": resource(api, kind)}, project=PROJECT)
    r = cli("check", "--diagnostics-format", "json")
    (d,) = json.loads(r.stdout)
    assert (d["code"], d["line"], d["column"]) == ("SKY125", 4, 15)
    assert d["message"].startswith(f"{kind} in {api} is no longer served: Kubernetes ")
    assert d["hint"].startswith(hint)


def test_versions_still_served_pass(make_project, cli):
    make_project({"apps/a.yaml": resource("policy/v1", "PodDisruptionBudget").replace("spec: {}", "spec: "
                  "{maxUnavailable: 1, selector: {matchLabels: {app: x}}}")}, project=PROJECT)
    assert cli("check").exit_code == 0
    # a group-version that still serves other kinds (VolumeAttributesClass is storage.k8s.io/v1beta1)
    assert removed("storage.k8s.io/v1beta1", "VolumeAttributesClass") is None
    assert removed("storage.k8s.io/v1beta1", "StorageClass") == ("1.22", "storage.k8s.io/v1")
