"""`k8s:` patches are checked against the fields of the Kubernetes kinds they patch
(SKY124): a field the kind does not have is reported at its key, with the field it was
probably meant to be; a value of another type at the value. Before this, such a patch was
written into every format and only `kubectl apply` (or strict validation) refused it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _diags(cli, *args):
    r = cli("check", "--format", "json", *args)
    return r, json.loads(r.stdout)


def test_unknown_field_is_reported_at_its_key_with_the_field_meant(make_project, cli, tmp_path):
    make_project({"apps/k.yaml": "kind: App\nname: api\nimage: x/api:1\nport: 8080\n"
                                 "k8s:\n  Deployment:\n    spec:\n      minReadySecond: 1\n"
                                 "      template: {spec: {containers: [{name: api, resurces: {}}]}}\n"})
    r, found = _diags(cli)
    assert r.exit_code == 1
    errs = [d for d in found if d["code"] == "SKY124"]
    assert [(d["line"], d["column"]) for d in errs] == [(8, 7), (9, 50)]
    assert "no field `spec.minReadySecond`" in errs[0]["message"] and "minReadySeconds" in errs[0]["hint"]
    assert "`spec.template.spec.containers[0].resurces`" in errs[1]["message"] and "resources" in errs[1]["hint"]
    r = cli("build", "-o", str(tmp_path / "o"), "--env", "prod")
    assert r.exit_code == 1 and not (tmp_path / "o").exists()  # nothing written


def test_a_value_of_another_type_is_reported_at_the_value(make_project, cli):
    make_project({"apps/k.yaml": "kind: App\nname: api\nimage: x/api:1\nport: 8080\n"
                                 "k8s: {Deployment: {spec: {replicas: two, paused: 1}}}\n"})
    _, found = _diags(cli)
    errs = sorted((d["column"], d["message"], d["hint"]) for d in found if d["code"] == "SKY124")
    assert [e[0] for e in errs] == [37, 50]
    assert "`spec.replicas` of a Deployment is an integer, not a string" in errs[0][1]
    assert "kubectl explain deployment.spec.replicas" in errs[0][2]
    assert "`spec.paused` of a Deployment is true or false, not a number" in errs[1][1]


def test_a_field_of_another_kind_is_refused(make_project, cli):
    """A Service has no pod template (found by the fuzzer: strict validation refused the build)."""
    make_project({"apps/k.yaml": "kind: App\nname: web\nimage: x/web:1\nport: 8080\nexpose: {port: 8080}\n"
                                 "k8s: {Service: {spec: {template: {spec: {}}}}}\n"})
    _, found = _diags(cli)
    assert any(d["code"] == "SKY124" and "a Service has no field `spec.template`" in d["message"]
               and d["line"] == 6 for d in found)


def test_every_real_field_passes_and_the_output_is_valid(build):
    """Maps of any keys, quantities, int-or-strings, lists by merge key, directives and
    deletions are what the kinds allow: no problem, and strict validation agrees."""
    docs = build({"apps/k.yaml": """
kind: App
name: api
image: x/api:1
port: 8080
expose: {port: 8080}
k8s:
  Deployment:
    metadata: {annotations: {example.com/owner: team-a}}
    spec:
      minReadySeconds: 5
      strategy: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}
      template:
        metadata: {labels: {tier: backend}}
        spec:
          nodeSelector: {kubernetes.io/os: linux}
          priorityClassName: null
          tolerations: [{key: dedicated, operator: Equal, value: api, effect: NoSchedule}]
          affinity:
            podAntiAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
                - weight: 100
                  podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: api}}}
          containers:
            - name: api
              resources: {limits: {memory: 1Gi, cpu: 1.5, ephemeral-storage: 2Gi}}
              env: [{name: GOMAXPROCS, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1}}}]
  Service:
    spec:
      sessionAffinity: ClientIP
      ports: [{port: 80, targetPort: http, $patch: replace, name: http, protocol: TCP}]
"""})
    d = docs[("Deployment", "api")]
    assert d["spec"]["minReadySeconds"] == 5
    assert d["spec"]["template"]["spec"]["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert docs[("Service", "api")]["spec"]["sessionAffinity"] == "ClientIP"


def test_kinds_it_does_not_know_are_not_checked(make_project, cli):
    """A custom resource's fields are its CRD's: a Resource of one, patched, is left alone."""
    make_project({"apps/k.yaml": "kind: Resource\nname: cert\n"
                                 "manifest: {apiVersion: cert-manager.io/v1, kind: Certificate,"
                                 " spec: {secretName: tls, dnsNames: [a.example.com]}}\n"
                                 "k8s: {Certificate: {spec: {anyField: 1}}}\n"})
    _, found = _diags(cli)
    assert not [d for d in found if d["code"] == "SKY124"]


def test_the_field_table_is_what_its_script_writes():
    """`ir/k8s-fields.json` is generated from kubernetes-validate's schemas: it cannot drift."""
    pytest.importorskip("kubernetes_validate")
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "k8s-fields.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_a_raw_manifest_is_checked_against_its_kind(make_project, cli, tmp_path):
    """`kind: Resource` of a built-in kind: a misspelt field at its key, a value of another
    type at the value (SKY126); nothing is written."""
    make_project({"apps/r.yaml": "kind: Resource\nname: high\nmanifest:\n  apiVersion: scheduling.k8s.io/v1\n"
                                 "  kind: PriorityClass\n  value: \"1000\"\n  globalDefalt: false\n"})
    r, found = _diags(cli)
    errs = sorted((d["line"], d["column"], d["message"], d["hint"]) for d in found if d["code"] == "SKY126")
    assert [(e[0], e[1]) for e in errs] == [(6, 10), (7, 3)]
    assert "`value` of a PriorityClass is an integer, not a string" in errs[0][2]
    assert "no field `globalDefalt`" in errs[1][2] and "globalDefault" in errs[1][3]
    assert cli("build", "-o", str(tmp_path / "o"), "--env", "prod").exit_code == 1 and not (tmp_path / "o").exists()


def test_a_null_deletes_and_is_never_a_field_of_the_manifest(make_project, cli):
    """`k8s: {...: {priorityClassName: null}}` deletes; a null under a misspelt name deletes
    nothing and writes nothing Kubernetes would refuse: not reported."""
    make_project({"apps/k.yaml": "kind: App\nname: api\nimage: x/api:1\nport: 8080\n"
                                 "k8s: {Deployment: {spec: {template: {spec: {priorityClassName: null, "
                                 "priorityClasName: null}}}}}\n"})
    _, found = _diags(cli)
    assert not [d for d in found if d["code"] == "SKY124"]
