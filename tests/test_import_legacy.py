"""`skyspec import kubernetes` of manifests in API versions Kubernetes no longer serves
(kubernetes/examples' guestbook of 2017 in extensions/v1beta1, its CockroachDB's policy/v1beta1
PodDisruptionBudget, old charts): read as the version that replaced them where that is exact,
a note (a warning where an old default changes) at the input's apiVersion (SKY071); refused
with a hint where it is not. The imported project builds in all four formats and the real
validators accept it; no current cluster would have taken the input as written."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.diagnostics import Diagnostics, render_text
from skyspec.importer import import_kubernetes

DATA = Path(__file__).parent / "data"

OLD = """\
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ghcr.io/acme/web:1.0.0
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata: {name: web-admin}
spec:
  backend: {serviceName: web, servicePort: 80}
  rules:
  - host: admin.example.com
    http:
      paths:
      - path: /admin
        backend: {serviceName: web, servicePort: http}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: extensions/v1beta1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, targetAverageUtilization: 70}
---
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: report, image: "ghcr.io/acme/report:1.0.0"}]
---
apiVersion: apps/v1beta2
kind: StatefulSet
metadata: {name: cache}
spec:
  serviceName: cache
  replicas: 1
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers: [{name: cache, image: "ghcr.io/acme/cache:1.0.0", ports: [{containerPort: 7000}]}]
---
apiVersion: extensions/v1beta1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "ghcr.io/acme/agent:1.0.0"}]
---
apiVersion: rbac.authorization.k8s.io/v1beta1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: extensions/v1beta1
kind: NetworkPolicy
metadata: {name: web-from-anywhere}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]
"""


def located(diags: Diagnostics, code: str = "SKY071") -> list[tuple[str, int, int]]:
    return [(d.severity, d.pos.line, d.pos.col) for d in diags.sorted() if d.code == code]


def build_and_validate(project: Path, tmp: Path, env: str = "default") -> list[dict]:
    """`skyspec build` of the project in all four formats; every format through its real
    tool (kubernetes-validate strict, the Compose binary, helm lint --strict and template,
    kubectl kustomize), Helm and Kustomize object for object the Kubernetes output."""
    import json
    import re

    from validators import assert_valid_k8s, compose_config, go_docs, helm, kubectl, load_docs, strip_helm_labels

    p = project / "skyspec.yaml"
    p.write_text(re.sub(r"outputs: .*", "outputs: [kubernetes, compose, helm, kustomize]", p.read_text()))
    out = tmp / "built"
    res = CliRunner().invoke(main, ["build", str(project), "-o", str(out)])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((out / env / "kubernetes").glob("*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    same = sorted(json.dumps(strip_helm_labels(o), sort_keys=True) for o in k8s)
    r = compose_config(out / env / "compose.yaml")
    assert r.returncode == 0, r.stderr
    chart = next(out.glob("helm/*"))
    for args in ([], ["-f", str(chart / f"values-{env}.yaml")]):
        r = helm("lint", "--strict", str(chart), *args)
        assert r.returncode == 0, r.stdout + r.stderr
    project_file = yaml.safe_load(p.read_text())
    ns = (project_file["environments"].get(env) or {}).get("namespace", project_file["namespace"])
    r = helm("template", chart.name, str(chart), "-f", str(chart / f"values-{env}.yaml"), "--namespace", ns)
    assert r.returncode == 0, r.stderr
    assert sorted(json.dumps(strip_helm_labels(o), sort_keys=True) for o in go_docs(r.stdout)) == same
    r = kubectl("kustomize", str(out / "kustomize" / "overlays" / env))
    assert r.returncode == 0, r.stderr
    assert sorted(json.dumps(strip_helm_labels(o), sort_keys=True) for o in go_docs(r.stdout)) == same
    return k8s


def test_every_removed_version_is_read_as_its_successor_and_said_at_its_api_version(tmp_path):
    (tmp_path / "in.yaml").write_text(OLD)
    diags = Diagnostics()
    r = import_kubernetes([tmp_path / "in.yaml"], "legacy", diags)
    assert r is not None and not diags.has_errors and r.unexplained == []
    # one per object at its apiVersion (the HPA's target too); a warning where the old defaults differ:
    # extensions/v1beta1 rolled 1 pod at a time, and its DaemonSets updated only on delete
    assert located(diags) == [("warning", 1, 13), ("note", 21, 13), ("note", 33, 13), ("note", 40, 13),
                              ("note", 44, 32), ("note", 51, 13), ("note", 63, 13), ("warning", 75, 13),
                              ("note", 84, 13), ("note", 89, 13)]
    text = render_text(diags.sorted(), r.sources)
    assert "Deployment web is in extensions/v1beta1, which Kubernetes 1.16 stopped serving: read as apps/v1 " \
           "(`selector` derived from the template's labels" in text
    assert "`spec.strategy.rollingUpdate.maxSurge` was 1 (now 25%)" in text
    assert "`spec.updateStrategy.type` was OnDelete (now RollingUpdate)" in text
    assert "StatefulSet cache is in apps/v1beta2, which Kubernetes 1.16 stopped serving: read as apps/v1, whose " \
           "fields are the same" in text
    docs = {(d["kind"], d["name"]): d for t in r.files.values() for d in yaml.safe_load_all(t) if d and "kind" in d}
    assert docs[("App", "web")]["autoscale"] == {"min": 2, "max": 5, "cpu": 70}
    assert docs[("CronJob", "report")]["schedule"] == "0 3 * * *"
    assert docs[("Role", "reader")]["rules"] == [{"resources": ["pods"], "verbs": ["get", "list"]}]
    assert docs[("NetworkPolicy", "web-from-anywhere")]["allow_from"] == [{"cidr": "0.0.0.0/0"}]
    agent = docs[("Resource", "agent")]["manifest"]
    assert (agent["apiVersion"], agent["spec"]["selector"]) == ("apps/v1", {"matchLabels": {"app": "agent"}})
    ing = docs[("Resource", "web-admin")]["manifest"]
    assert ing["apiVersion"] == "networking.k8s.io/v1" and "backend" not in ing["spec"]
    assert ing["spec"]["defaultBackend"] == {"service": {"name": "web", "port": {"number": 80}}}
    assert ing["spec"]["rules"][0]["http"]["paths"][0] == {
        "path": "/admin", "backend": {"service": {"name": "web", "port": {"name": "http"}}},
        "pathType": "ImplementationSpecific"}
    assert docs[("Resource", "web")]["manifest"]["apiVersion"] == "policy/v1"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "in.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    k8s = build_and_validate(tmp_path / "p", tmp_path)
    assert {o["apiVersion"] for o in k8s} <= {"v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1",
                                             "autoscaling/v2", "rbac.authorization.k8s.io/v1"}


def test_hpa_metrics_of_v2beta1_in_the_v2_shape(tmp_path):
    """An autoscaler the language cannot say (custom metrics) is kept as written, in
    autoscaling/v2's shape: the API server's own conversion."""
    from validators import assert_valid_k8s

    (tmp_path / "in.yaml").write_text("""\
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata: {name: queue}
spec:
  scaleTargetRef: {apiVersion: apps/v1beta1, kind: Deployment, name: worker}
  maxReplicas: 10
  metrics:
  - {type: Resource, resource: {name: memory, targetAverageValue: 500Mi}}
  - {type: Pods, pods: {metricName: jobs_per_pod, targetAverageValue: "10"}}
  - type: Object
    object:
      target: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: main}
      metricName: requests_per_second
      targetValue: 2k
  - type: External
    external: {metricName: queue_depth, metricSelector: {matchLabels: {q: jobs}}, targetAverageValue: 30}
""")
    diags = Diagnostics()
    r = import_kubernetes([tmp_path / "in.yaml"], "t", diags)
    assert r is not None and not diags.has_errors, render_text(diags.sorted(), None)
    assert located(diags) == [("note", 1, 13), ("note", 5, 32)]
    hpa = yaml.safe_load(r.files["apps/resource.queue.yaml"])["manifest"]
    assert hpa["apiVersion"] == "autoscaling/v2" and hpa["spec"]["scaleTargetRef"]["apiVersion"] == "apps/v1"
    assert hpa["spec"]["metrics"] == [
        {"type": "Resource", "resource": {"name": "memory",
                                          "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
        {"type": "Pods", "pods": {"metric": {"name": "jobs_per_pod"},
                                  "target": {"type": "AverageValue", "averageValue": "10"}}},
        {"type": "Object", "object": {"describedObject": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                                                          "name": "main"},
                                      "metric": {"name": "requests_per_second"},
                                      "target": {"type": "Value", "value": "2k"}}},
        {"type": "External", "external": {"metric": {"name": "queue_depth", "selector": {"matchLabels": {"q": "jobs"}}},
                                          "target": {"type": "AverageValue", "averageValue": 30}}}]
    assert_valid_k8s([hpa])


def test_a_v1beta1_budget_with_an_empty_selector_keeps_selecting_no_pod():
    """policy/v1beta1's `selector: {}` selects no pod, policy/v1's every pod of the namespace:
    written without a selector, which selects none in both."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "in.yaml").write_text("apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\n"
                                           "metadata: {name: b}\nspec: {maxUnavailable: 1, selector: {}}\n")
        r = import_kubernetes([Path(tmp) / "in.yaml"], "t")
    assert yaml.safe_load(r.files["apps/resource.b.yaml"])["manifest"] == {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "b"},
        "spec": {"maxUnavailable": 1}}


BAD = """\
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: restricted}
spec: {privileged: false}
---
apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec: {group: stable.example.com}
---
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: old}
spec:
  rollbackTo: {revision: 2}
  template:
    metadata: {labels: {app: old}}
    spec:
      containers: [{name: old, image: "ghcr.io/acme/old:1.0.0"}]
---
apiVersion: apps/v1beta1
kind: Deployment
metadata: {name: nolabels}
spec:
  template:
    spec:
      containers: [{name: x, image: "ghcr.io/acme/x:1.0.0"}]
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: bad}
spec:
  rules:
  - http:
      paths:
      - backend: {serviceName: [web], servicePort: 80}
---
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec:
  scaleTargetRef: {kind: Deployment, name: x}
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, targetAverageUtilization: "70%"}}]
"""


def test_what_cannot_be_read_exactly_is_an_error_with_a_hint_and_nothing_is_written(tmp_path):
    (tmp_path / "in.yaml").write_text(BAD)
    diags = Diagnostics()
    assert import_kubernetes([tmp_path / "in.yaml"], "t", diags) is None
    got = [(d.code, d.pos.line, d.pos.col) for d in diags.errors]
    assert got == [("SKY071", 6, 13), ("SKY071", 15, 3), ("SKY071", 24, 1), ("SKY061", 36, 32), ("SKY061", 44, 78)]
    assert all(d.hint for d in diags.errors)
    # a PodSecurityPolicy has nothing to become, and no current cluster accepts it: left out, warned
    (psp,) = [d for d in diags.items if "PodSecurityPolicy" in d.message]
    assert (psp.code, psp.severity, psp.pos.line, psp.pos.col) == ("SKY071", "warning", 1, 13)
    assert psp.message == "PodSecurityPolicy restricted is left out: it is in policy/v1beta1, which Kubernetes 1.25 " \
                          "stopped serving, and it has no successor (no cluster of 1.25 or later accepts it)"
    text = render_text(diags.sorted(), None)
    assert "cannot read it as apiextensions.k8s.io/v1 exactly: apiextensions.k8s.io/v1 needs a structural " \
           "schema" in text
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "in.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 1 and "Traceback" not in res.output and not (tmp_path / "p").exists()


@pytest.mark.parametrize("seed", range(3))
def test_mutated_old_versions_never_crash_the_import(seed, tmp_path):
    """The conversion reads fields before the shape check does: a field of any type anywhere
    is a located diagnostic or nothing, never a traceback."""
    import import_fuzz

    docs = [d for d in yaml.safe_load_all(OLD) if d is not None]
    for n in range(25):
        g = random.Random(seed * 1000 + n)
        path = tmp_path / f"in{n}.yaml"
        path.write_text(yaml.safe_dump_all(import_fuzz.mutate(docs, g, g.randint(1, 4)), sort_keys=False))
        diags = import_fuzz.run("kubernetes", path)
        assert all(d.pos is not None for d in diags.errors if d.code in ("SKY071", "SKY061")), \
            [d.message for d in diags.errors]


# ---------------------------------------------------------------------- kubernetes/examples

K8S_EXAMPLES = DATA / "k8s-examples"


def _every_pod(selector: dict) -> bool:
    """Whether a policy's pod selector selects every pod of the project: all of them, or (in a
    namespace others share, `default`) the project's by its `part-of` label."""
    return selector == {} or set(selector) == {"matchLabels"} and set(selector["matchLabels"]) == {
        "app.kubernetes.io/part-of"}


def test_the_2017_guestbook_in_extensions_v1beta1_imports_and_runs(tmp_path):
    """kubernetes/examples' guestbook as it was before apps/v1: three Deployments without a
    selector. Each is read as apps/v1 with the selector the old API derived, warned at its
    apiVersion for the rollout defaults apps/v1 changes; and since the input has no
    NetworkPolicy and the frontend finds redis by a name in its PHP code (no env value says
    it), the namespace's pods keep reaching each other (SKY072)."""
    src = K8S_EXAMPLES / "guestbook-v1beta1" / "guestbook-all-in-one.yaml"
    diags = Diagnostics()
    r = import_kubernetes([src], "guestbook", diags)
    assert r is not None and not diags.has_errors and r.unexplained == []
    assert located(diags) == [("warning", 18, 13), ("warning", 57, 13), ("warning", 105, 13)]
    assert located(diags, "SKY072") == [("note", 19, 7)]   # at the first workload
    docs = {(d["kind"], d["name"]): d for t in r.files.values() for d in yaml.safe_load_all(t) if d and "kind" in d}
    assert docs[("App", "frontend")]["labels"] == {"app": "guestbook", "tier": "frontend"}
    assert docs[("NetworkPolicy", "guestbook-within-namespace")]["allow_from"] == [{"namespace": "default"}]
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(tmp_path / "p"), "--name", "guestbook"])
    assert res.exit_code == 0, res.output
    k8s = build_and_validate(tmp_path / "p", tmp_path)
    deploys = {o["metadata"]["name"]: o for o in k8s if o["kind"] == "Deployment"}
    assert set(deploys) == {"frontend", "redis-master", "redis-slave"}
    for d in deploys.values():   # the selector selects the pods (apps/v1 refuses one that does not)
        sel = d["spec"]["selector"]["matchLabels"]
        assert sel.items() <= d["spec"]["template"]["metadata"]["labels"].items()
    within = next(o for o in k8s if o["metadata"]["name"] == "guestbook-within-namespace")
    # (in `default`, which other workloads share, the project's pods only, as its default deny)
    assert within["spec"] == {"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "guestbook"}},
                              "policyTypes": ["Ingress"], "ingress": [{"from": [
                                  {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "default"}}}]}]}


def test_cockroachdb_budget_in_policy_v1beta1_imports_and_the_cluster_reaches_itself(tmp_path):
    """kubernetes/examples' archived CockroachDB: a three-node StatefulSet whose nodes join
    each other through the headless Service, a public Service, and a policy/v1beta1
    PodDisruptionBudget (refused by every cluster since 1.25, and by the build: SKY125)."""
    src = K8S_EXAMPLES / "cockroachdb" / "cockroachdb-statefulset.yaml"
    diags = Diagnostics()
    r = import_kubernetes([src], "cockroach", diags)
    assert r is not None and not diags.has_errors and r.unexplained == []
    # the Service's tolerate-unready-endpoints (Kubernetes 1.24 stopped reading it; the nodes
    # join each other before they are ready) and the budget's policy/v1beta1
    assert located(diags) == [("note", 40, 5), ("note", 57, 13)]
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(tmp_path / "p"), "--name", "cockroach"])
    assert res.exit_code == 0, res.output
    k8s = build_and_validate(tmp_path / "p", tmp_path)
    pdb = next(o for o in k8s if o["kind"] == "PodDisruptionBudget")
    assert (pdb["apiVersion"], pdb["spec"]) == ("policy/v1", {"selector": {"matchLabels": {"app": "cockroachdb"}},
                                                              "minAvailable": "67%"})
    sts = next(o for o in k8s if o["kind"] == "StatefulSet")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= sts["spec"]["template"]["metadata"]["labels"].items()
    governing = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == sts["spec"]["serviceName"])
    assert governing["spec"]["publishNotReadyAddresses"] is True and governing["spec"]["clusterIP"] == "None"
    # the nodes reach each other (26257) and the public Service's clients reach them: the default
    # deny leaves the namespace's own traffic to the policy the input's openness asks for
    assert any(o["kind"] == "NetworkPolicy" and _every_pod(o["spec"]["podSelector"])
               and o["spec"].get("ingress") for o in k8s)


def test_cassandra_ring_imports_with_its_gossip_admitted(tmp_path):
    """kubernetes/examples' Cassandra: the ring's nodes gossip on 7000 through the headless
    Service, a port the Service leaves out; the seed is named in an env value by its pod's
    DNS name (no Service host, so no connect_to)."""
    diags = Diagnostics()
    r = import_kubernetes([K8S_EXAMPLES / "cassandra"], "cassandra", diags)
    assert r is not None and not diags.has_errors and r.unexplained == []
    res = CliRunner().invoke(main, ["import", "kubernetes", str(K8S_EXAMPLES / "cassandra"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    k8s = build_and_validate(tmp_path / "p", tmp_path)
    sts = next(o for o in k8s if o["kind"] == "StatefulSet")
    assert sts["spec"]["serviceName"] == "cassandra"
    assert {p["containerPort"] for p in sts["spec"]["template"]["spec"]["containers"][0]["ports"]} == \
        {7000, 7001, 7199, 9042}
    policies = [o for o in k8s if o["kind"] == "NetworkPolicy"]
    own = next(o for o in policies if o["metadata"]["name"] == "cassandra-ingress")
    assert not own["spec"].get("ingress")   # nothing declared calls it ...
    # ... and the ring still talks
    assert any(_every_pod(o["spec"]["podSelector"]) and o["spec"].get("ingress")
               for o in policies)



def test_a_chart_of_helm_stable_renders_a_v1beta1_budget_and_imports(tmp_path, monkeypatch):
    """helm/charts' stable/memcached (archived 2020) renders its PodDisruptionBudget in
    policy/v1beta1 with any values: `skyspec import helm` reads it as policy/v1, the note at the
    rendering's line."""
    import os

    from validators import TOOLS, assert_valid_k8s, load_docs

    from skyspec.importer import import_helm

    monkeypatch.setenv("PATH", f"{TOOLS / 'bin'}{os.pathsep}{os.environ['PATH']}")
    chart = DATA / "helm-stable" / "memcached"
    (tmp_path / "values-dev.yaml").write_text("{}\n")
    diags = Diagnostics()
    r = import_helm(chart, [str(tmp_path / "values-dev.yaml")], "cache", diags)
    assert r is not None and not diags.has_errors and r.unexplained == []
    (note,) = [d for d in diags.sorted() if d.code == "SKY071"]
    assert note.pos.file.startswith("helm template ") and note.severity == "note"
    assert note.message == "PodDisruptionBudget cache-memcached is in policy/v1beta1, which Kubernetes 1.25 " \
                           "stopped serving: read as policy/v1, whose fields are the same"
    pdb = next(d for t in r.files.values() for d in yaml.safe_load_all(t)
               if d and d.get("kind") == "Resource" and d["manifest"]["kind"] == "PodDisruptionBudget")["manifest"]
    assert pdb["apiVersion"] == "policy/v1"
    res = CliRunner().invoke(main, ["import", "helm", str(chart), "-f", str(tmp_path / "values-dev.yaml"), "-o",
                                    str(tmp_path / "p"), "--name", "cache"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "built").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    assert {o["kind"] for o in k8s} >= {"StatefulSet", "PodDisruptionBudget", "Service"}


def test_a_chart_with_a_service_per_statefulset_pod_imports(tmp_path, monkeypatch):
    """helm/charts' stable/redis-ha announces each Redis pod through a Service selecting the
    label the StatefulSet controller puts on it (`statefulset.kubernetes.io/pod-name`): the
    system check of the import's build said those Services select no pod (SKY160)."""
    import os

    from validators import TOOLS, assert_valid_k8s, load_docs

    from skyspec.importer import import_helm

    monkeypatch.setenv("PATH", f"{TOOLS / 'bin'}{os.pathsep}{os.environ['PATH']}")
    chart = DATA / "helm-stable" / "redis-ha"
    diags = Diagnostics()
    r = import_helm(chart, [str(chart / "values.yaml")], "cache", diags)
    assert r is not None and not diags.has_errors and r.unexplained == [], [str(d) for d in diags.sorted()][:3]
    res = CliRunner().invoke(main, ["import", "helm", str(chart), "-f", str(chart / "values.yaml"), "-o",
                                    str(tmp_path / "p"), "--name", "cache"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0 and "SKY160" not in res.output, res.output
    k8s = [d for f in sorted((tmp_path / "built").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    announce = [o for o in k8s if o["kind"] == "Service" and "statefulset.kubernetes.io/pod-name" in
                (o["spec"].get("selector") or {})]
    assert len(announce) == 3, [o["metadata"]["name"] for o in k8s]
