"""Charts of helm/charts' stable repository (archived 2020, tests/data/helm-stable) that
`skyspec import helm` refused, each imported as shipped (its own values.yaml), built, and the
Kubernetes output checked against the real validator and against what the chart runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.diagnostics import Diagnostics

DATA = Path(__file__).parent / "data" / "helm-stable"
GRAFANA = Path(__file__).parent / "data" / "grafana-charts"
PROMETHEUS = Path(__file__).parent / "data" / "prometheus-community"


def imported(chart: str, name: str, tmp_path: Path) -> tuple[Diagnostics, list[dict], dict]:
    """(the import's diagnostics, the Kubernetes objects its project builds to, the project's
    spec documents by file, with the round trip's figures under "figures"), the import and
    the build both having succeeded."""
    from validators import assert_valid_k8s, load_docs

    from skyspec.importer import import_helm

    path = DATA / chart if (DATA / chart).is_dir() else GRAFANA / chart
    diags = Diagnostics()
    r = import_helm(path, [str(path / "values.yaml")], name, diags)
    assert r is not None and not diags.has_errors and r.unexplained == [], [str(d) for d in diags.sorted()][:3]
    docs = {f: list(yaml.safe_load_all(t)) for f, t in r.files.items() if f.endswith(".yaml")}
    docs["figures"] = r.figures
    res = CliRunner().invoke(main, ["import", "helm", str(path), "-f", str(path / "values.yaml"), "-o",
                                    str(tmp_path / "p"), "--name", name])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "built").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    return diags, k8s, docs


def _pods(k8s: list[dict], selector: dict) -> list[str]:
    """The workloads whose pods ``selector`` selects."""
    return [o["metadata"]["name"] for o in k8s if o["kind"] in ("Deployment", "StatefulSet")
            and all(o["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in selector.items())]


@pytest.mark.parametrize("chart, service, workload, dropped", [
    # a second Service (the admin port) selecting the pods by app.kubernetes.io/instance too
    ("gangway", "gangwaysvc", "gangway", "app.kubernetes.io/instance"),
    # the master's Service selecting app.kubernetes.io/name=locust-locust, on workload locust-master
    ("locust", "locust-master-svc", "locust-master", "app.kubernetes.io/name"),
])
def test_a_kept_service_selects_its_workloads_pods_by_the_labels_skyspec_gives_them(
        chart, service, workload, dropped, tmp_path, tools_on_path):
    """The chart's Service is kept as written beside the Service skyspec makes for the
    workload, and selected the pods by labels the build does not put on them (skyspec owns
    the app.kubernetes.io/ name, part-of and instance labels): the build's system check said
    it selects no pod (SKY160) and the import was refused. Its selector now names the labels
    skyspec gives the pods, said in a note at the selector."""
    diags, k8s, docs = imported(chart, chart, tmp_path)
    svc = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == service)
    assert _pods(k8s, svc["spec"]["selector"]) == [workload]
    assert svc["spec"]["selector"]["app.kubernetes.io/name"] == workload
    (note,) = [d for d in diags.items if d.code == "SKY061" and "selects the pods of" in d.message]
    assert dropped in note.message and note.pos.file.startswith("helm template ")
    # the input is what the round trip compares the build with: its selector stays the chart's
    import subprocess

    from skyspec.importer import import_kubernetes

    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(subprocess.run(["helm", "template", chart, str(DATA / chart)], capture_output=True, text=True,
                                       check=True).stdout)
    r = import_kubernetes([rendered], chart, Diagnostics())
    given = next(o for o in r.inputs if o["kind"] == "Service" and o["metadata"]["name"] == service)
    assert given["spec"]["selector"][dropped] != svc["spec"]["selector"].get(dropped)


def test_workloads_told_apart_by_a_label_skyspec_owns_are_selected_by_the_importers_copy(tmp_path):
    """Two workloads of the input whose pods one Service selects by a label skyspec owns,
    where a third one also carries every other term: no selector of skyspec's own labels
    selects exactly the first two (`part-of` selects all three), so those two get the
    importer's copy of the label, which the Service selects; the third does not."""
    from skyspec.importer import import_kubernetes

    def deployment(name: str, tier: str) -> str:
        return f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}, tier: {tier}, app.kubernetes.io/instance: {'r' if name != 'c' else 'other'}}}}}
    spec: {{containers: [{{name: main, image: nginx:1.27, ports: [{{containerPort: 80}}]}}]}}
"""
    svc = """apiVersion: v1
kind: Service
metadata: {name: both}
spec:
  selector: {tier: web, app.kubernetes.io/instance: r}
  ports: [{port: 80}]
"""
    f = tmp_path / "in.yaml"
    f.write_text("---\n".join([deployment("a", "web"), deployment("b", "web"), deployment("c", "web"), svc]))
    diags = Diagnostics()
    r = import_kubernetes([f], "p", diags)
    assert r is not None and not diags.has_errors and r.unexplained == [], [str(d) for d in diags.items][:3]
    docs = {d["name"]: d for t in r.files.values() for d in yaml.safe_load_all(t) if isinstance(d, dict) and "name" in d}
    assert docs["both"]["manifest"]["spec"]["selector"] == {"tier": "web", "imported.skyspec.dev/instance": "r"}
    assert [n for n in "abc" if (docs[n].get("labels") or {}).get("imported.skyspec.dev/instance") == "r"] == ["a", "b"]


def _pod(k8s: list[dict], name: str) -> dict:
    return next(o for o in k8s if o["kind"] == "Deployment" and o["metadata"]["name"] == name)["spec"]["template"]["spec"]


def test_probes_of_ports_no_container_declares_declare_them(tmp_path, tools_on_path):
    """coredns probes ports 8080 and 8181, which its container does not list (Kubernetes
    reaches any port of the pod; the language a declared one): the import failed with SKY117.
    They are declared (`port-8080`), a difference the round trip names."""
    _, k8s, docs = imported("coredns", "coredns", tmp_path)
    (c,) = _pod(k8s, "coredns-coredns")["containers"]
    assert {p["containerPort"]: p["name"] for p in c["ports"]}.items() >= {8080: "port-8080", 8181: "port-8181"}.items()
    assert c["livenessProbe"]["httpGet"]["port"] == "port-8080" and c["readinessProbe"]["httpGet"]["port"] == "port-8181"
    assert docs["figures"]["categories"]["ports the input's probes and Services reach, declared"] == 2  # 8080, 8181


def test_a_probe_of_a_sidecars_port_is_kept_as_a_patch(tmp_path, tools_on_path):
    """unbound probes port 8080, which its `healthz` sidecar declares: the language's probe
    reaches its own container's ports, so the probe is the round trip's `k8s:` patch, and the
    main container declares no second 8080."""
    _, k8s, docs = imported("unbound", "unbound", tmp_path)
    main_, side = _pod(k8s, "unbound")["containers"]
    assert main_["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": 8080}
    assert 8080 not in [p["containerPort"] for p in main_["ports"]] and side["ports"][0]["containerPort"] == 8080
    (spec,) = [d for d in docs["apps/unbound.yaml"] if d and d.get("kind") == "App"]
    assert "health" not in spec and "livenessProbe" in str(spec["k8s"])


def test_a_service_of_a_sidecars_port_is_kept_as_written(tmp_path, tools_on_path):
    """kubedb's Service sends to 8443, which its second container (`server`) declares, and
    `expose` exposes the first container's ports: the import wrote `expose: true` and failed
    with SKY108 (no port to expose). The Service is kept as written."""
    _, k8s, docs = imported("kubedb", "kubedb", tmp_path)
    svc = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "kubedb")
    assert [p["targetPort"] for p in svc["spec"]["ports"]] == [8443]
    (spec,) = [d for d in docs["apps/kubedb.yaml"] if d and d.get("kind") == "App"]
    assert "expose" not in spec


def test_a_load_balancer_kept_as_written_is_admitted_to_a_sidecars_named_port(tmp_path, tools_on_path):
    """tensorflow-notebook's LoadBalancer sends to `jupyter` (the first container) and
    `tensorboard` (a sidecar's port, by name). The NetworkPolicy admitted traffic from outside
    to the first container's ports only, and the build refused it (SKY163)."""
    _, k8s, _ = imported("tensorflow-notebook", "tensorflow-notebook", tmp_path)
    pol = next(o for o in k8s if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "tensorflow-notebook-ingress")
    public = [r for r in pol["spec"]["ingress"] if any("ipBlock" in f for f in r["from"])]
    assert sorted(p["port"] for r in public for p in r["ports"]) == [6006, 8888]


def test_a_target_port_of_zero_is_the_services_port(tmp_path, tools_on_path):
    """pachyderm renders etcd's Service with `targetPort: 0`, which the API server defaults
    to the port (2379): the importer declared a port 0 (SKY106), then admitted nothing."""
    _, k8s, _ = imported("pachyderm", "pachyderm", tmp_path)
    svc = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "etcd")
    assert [(p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] in ([(2379, 2379)], [(2379, "client-port")])


def test_a_pod_security_policy_is_left_out_with_a_warning(tmp_path, tools_on_path):
    """prometheus-redis-exporter renders a policy/v1beta1 PodSecurityPolicy (and a Role that
    may use it). No cluster of Kubernetes 1.25 or later accepts one, and it has no successor:
    the import refused the chart (SKY071, an error); it now leaves the policy out with a
    warning at its apiVersion, and imports the rest."""
    diags, k8s, _ = imported("prometheus-redis-exporter", "redis-exporter", tmp_path)
    (w,) = [d for d in diags.items if "PodSecurityPolicy" in d.message]
    assert (w.code, w.severity) == ("SKY071", "warning") and "left out" in w.message and w.hint
    assert not [o for o in k8s if o["kind"] == "PodSecurityPolicy"]
    assert [o["metadata"]["name"] for o in k8s if o["kind"] == "Deployment"] == ["redis-exporter-prometheus-redis-exporter"]


def test_a_cluster_scoped_objects_namespace_is_a_kubernetes_default(tmp_path, tools_on_path):
    """reloader writes `namespace: default` on its ClusterRole, which the API server ignores
    and the build does not write: the round trip called it unexplained (SKY067)."""
    _, k8s, docs = imported("reloader", "reloader", tmp_path)
    role = next(o for o in k8s if o["kind"] == "ClusterRole")
    assert "namespace" not in role["metadata"]
    assert docs["figures"]["categories"]["Kubernetes defaults"] >= 1


def test_a_port_number_of_two_protocols_is_two_ports_to_the_round_trip(tmp_path, tools_on_path):
    """ethereum's geth-tx container listens on 30303 over UDP and TCP, and its Service sends to
    two other ports. The round trip keyed list items by port number alone, so the two 30303
    ports made the build's Service ports a list keyed by position, and nothing matched."""
    _, k8s, _ = imported("ethereum", "ethereum", tmp_path)
    svc = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "ethereum-geth-tx")
    assert sorted(p["port"] for p in svc["spec"]["ports"]) == [8545, 8546]   # as the chart has it
    (c,) = _pod(k8s, "ethereum-geth-tx")["containers"]
    assert sorted((p["containerPort"], p.get("protocol", "TCP")) for p in c["ports"] if p["containerPort"] == 30303) \
        == [(30303, "TCP"), (30303, "UDP")]


def test_a_service_expose_cannot_say_is_kept_as_written(tmp_path, tools_on_path):
    """hazelcast-jet's management center Service sends ports 8081 and 443 both to the
    container's `mc-port` (8081), and the container also declares 443: `expose` would make a
    second Service port 443. The Service is kept as written (the import failed, SKY067)."""
    _, k8s, docs = imported("hazelcast-jet", "hazelcast-jet", tmp_path)
    svc = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "hazelcast-jet-management-center")
    assert [(p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] == [(8081, "mc-port"), (443, "mc-port")]
    assert any(d.get("kind") == "Resource" and d["manifest"]["metadata"]["name"] == "hazelcast-jet-management-center"
               for f, ds in docs.items() if f.endswith(".yaml") for d in ds if d)


def test_a_secret_the_input_does_not_hold_is_declared_existing_where_a_patch_uses_it(tmp_path, tools_on_path):
    """dex mounts Secrets that a Job of the chart creates when it runs (`kubectl create secret
    tls dex-grpc-ca ...`), from volumes the spec cannot say (the `k8s:` patch keeps them). The
    importer declared `existing: true` only for the references its specs say, so the build
    refused the others (SKY162)."""
    diags, k8s, docs = imported("dex", "dex", tmp_path)
    declared = {d["name"] for f, ds in docs.items() if f.endswith(".yaml") for d in ds
                if d and d.get("kind") == "Secret" and d.get("existing")}
    assert {"dex-grpc-ca", "dex-grpc-server-tls"} <= declared
    mounted = {v["secret"]["secretName"] for v in _pod(k8s, "dex")["volumes"] if "secret" in v}
    assert {"dex-grpc-ca", "dex-grpc-server-tls"} <= mounted
    assert all(d.pos is not None for d in diags.items if d.code == "SKY064" and "dex-grpc" in d.message)


def test_two_workloads_of_one_name_are_imported_under_two(tmp_path, tools_on_path):
    """horovod's StatefulSet and Job are both named `horovod`: Kubernetes tells them apart by
    kind, the language by name alone (SKY110), and a Job has no ports in the language
    (SKY102 for the `port:` the importer wrote). The Job is imported as `horovod-job`, its
    container's port left to the `k8s:` patch, and the round trip compares it under that name."""
    diags, k8s, docs = imported("horovod", "horovod", tmp_path)
    assert sorted((o["kind"], o["metadata"]["name"]) for o in k8s if o["kind"] in ("StatefulSet", "Job")) == \
        [("Job", "horovod-job"), ("StatefulSet", "horovod")]
    (note,) = [d for d in diags.items if "has the name of another workload" in d.message]
    assert note.message == "Job horovod has the name of another workload of the input: imported as horovod-job"
    (job,) = [d for f, ds in docs.items() if f.endswith(".yaml") for d in ds if d and d.get("kind") == "Job"]
    assert "port" not in job and "ports" not in job
    assert docs["figures"]["categories"]["renamed: the name skyspec gives an object of its own"] >= 1


def test_a_service_of_tcp_and_udp_ports_of_one_number_is_the_workloads_own(tmp_path, tools_on_path):
    """nfs-server-provisioner's Service sends TCP and UDP 2049 (and more such pairs) to its
    StatefulSet: two ports, one per protocol, which `expose` says. (Counted as two Service
    ports to one container port, it was kept as written, and the Service skyspec makes for
    the workload's callers then had its name: SKY110.)"""
    _, k8s, docs = imported("nfs-server-provisioner", "nfs", tmp_path)
    svc = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "nfs-nfs-server-provisioner")
    assert {(p["port"], p.get("protocol", "TCP")) for p in svc["spec"]["ports"]} >= {(2049, "TCP"), (2049, "UDP")}
    assert not [d for f, ds in docs.items() if f.endswith(".yaml") for d in ds
                if d and d.get("kind") == "Resource" and d["manifest"]["kind"] == "Service"]


def test_a_workload_whose_own_service_is_kept_as_written_is_no_connect_to_peer(tmp_path):
    """`api`'s Service sends to its sidecar's port, so it is kept as written; `web` names it in
    an env value. Inferring `web` connect_to `api` would have skyspec make a second Service
    `api` (SKY110): the call stays in `env`, admitted by the namespace's policy."""
    from skyspec.importer import import_kubernetes

    (tmp_path / "in.yaml").write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - {name: api, image: "ghcr.io/acme/api:1.0.0", ports: [{containerPort: 9000}]}
      - {name: proxy, image: "ghcr.io/acme/proxy:1.0.0", ports: [{name: web, containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 8080, targetPort: web}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: "ghcr.io/acme/web:1.0.0"
        ports: [{containerPort: 80}]
        env: [{name: API_URL, value: "http://api:8080"}]
""")
    diags = Diagnostics()
    r = import_kubernetes([tmp_path / "in.yaml"], "p", diags)
    assert r is not None and not diags.has_errors and r.unexplained == [], [str(d) for d in diags.sorted()][:3]
    web = next(yaml.safe_load(t) for f, t in r.files.items() if f == "apps/web.yaml")
    assert "connect_to" not in web and web["env"]["API_URL"] == "http://api:8080"
    assert any(d.get("kind") == "Resource" and d["manifest"]["kind"] == "Service"
               for t in r.files.values() for d in yaml.safe_load_all(t) if isinstance(d, dict))


def test_a_kept_object_of_a_name_longer_than_a_label_gets_a_document_name_of_63(tmp_path):
    """A RoleBinding may be named with up to 253 characters, a spec document with 63 (helm/charts'
    voyager names one `voyager-voyager-apiserver-extension-server-authentication-reader`):
    the document is named after its kind and name, cut to 63 characters and numbered apart
    from another cut the same way; the object keeps its own name."""
    from skyspec.importer import import_kubernetes

    long = "voyager-voyager-apiserver-extension-server-authentication-reader"
    binding = """apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: {name}, namespace: kube-system}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}}
subjects: [{{kind: ServiceAccount, name: voyager, namespace: default}}]
"""
    (tmp_path / "in.yaml").write_text("---\n".join(binding.format(name=n) for n in (long, long + "-2")))
    diags = Diagnostics()
    r = import_kubernetes([tmp_path / "in.yaml"], "p", diags)
    assert r is not None and not diags.has_errors, [str(d) for d in diags.sorted()][:3]
    docs = [d for t in r.files.values() for d in yaml.safe_load_all(t) if isinstance(d, dict) and d.get("kind") == "Resource"]
    names = sorted(d["name"] for d in docs)
    assert all(len(n) <= 63 for n in names) and len(set(names)) == 2
    assert sorted(d["manifest"]["metadata"]["name"] for d in docs) == [long, long + "-2"]


def test_workloads_told_apart_by_a_label_skyspec_owns_get_the_importers_copy_of_it(tmp_path, tools_on_path):
    """grafana's loki-distributed marks four of its five workloads `app.kubernetes.io/part-of:
    memberlist`, and its memberlist Service selects them by it (and by name and instance,
    which every workload of the chart has). skyspec owns `part-of` (the project's), so the
    importer gives those pods `imported.skyspec.dev/part-of: memberlist` and the Service
    selects that: exactly the four, not the gateway. The chart also writes `namespace:` on
    some objects only, which made the gateway another namespace's to the importer."""
    diags, k8s, docs = imported("loki-distributed", "loki-distributed", tmp_path)
    svc = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "loki-distributed-memberlist")
    assert svc["spec"]["selector"] == {"imported.skyspec.dev/part-of": "memberlist"}
    members = [o["metadata"]["name"] for o in k8s if o["kind"] in ("Deployment", "StatefulSet")
               and o["spec"]["template"]["metadata"]["labels"].get("imported.skyspec.dev/part-of") == "memberlist"]
    assert sorted(members) == ["loki-distributed-distributor", "loki-distributed-ingester",
                               "loki-distributed-querier", "loki-distributed-query-frontend"]
    assert docs["figures"]["categories"]["labels the importer gives pods for a kept selector"] >= 4


def test_the_chart_batch_script_imports_builds_and_validates(tmp_path):
    """benchmarks/import_charts.py over two of the kept charts and one it refuses: its lines
    and totals say which."""
    import subprocess
    import sys

    (tmp_path / "charts").mkdir()
    for name in ("locust", "coredns"):
        (tmp_path / "charts" / name).symlink_to(DATA / name)
    bad = tmp_path / "charts" / "broken"
    (bad / "templates").mkdir(parents=True)
    (bad / "Chart.yaml").write_text("apiVersion: v2\nname: broken\nversion: 0.1.0\n")
    (bad / "values.yaml").write_text("{}\n")
    (bad / "templates" / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: lonely}\n"
                                                "spec: {selector: {app: nobody}, ports: [{port: 80}]}\n")
    root = Path(__file__).resolve().parent.parent
    r = subprocess.run([sys.executable, str(root / "benchmarks" / "import_charts.py"), str(tmp_path / "charts"),
                        "--keep", str(tmp_path / "work")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "coredns: ok" in lines and "locust: ok" in lines, r.stdout
    assert "broken: refused (SKY061)" in lines
    assert "imported and validated: 2" in lines and "refused: 1" in lines
    # over two environments, the second with every optional part on (coredns: its autoscaler,
    # ServiceAccount and metrics Service in prod only)
    r = subprocess.run([sys.executable, str(root / "benchmarks" / "import_charts.py"), str(tmp_path / "charts"),
                        "--keep", str(tmp_path / "work2"), "--all-on", "--only", "coredns", "locust"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "coredns: ok" in r.stdout.splitlines() and "imported and validated: 2" in r.stdout, r.stdout
    assert (tmp_path / "work2" / "coredns-build" / "prod" / "compose.yaml").is_file()   # (validated too)
    assert "enabled: false" in (tmp_path / "work2" / "coredns" / "overlays" / "dev.yaml").read_text()


def test_a_service_that_selects_no_pod_of_the_input_is_refused_at_its_selector(tmp_path):
    """helm/charts' kapacitor (and 7 other charts) render a Service whose workload renders only
    with other values: the import failed inside its build (SKY069 wrapping SKY160, with a hint
    to report a bug). It now says what the input is, at the selector; a Service beside a custom
    resource of its namespace is left alone (an operator may make its pods)."""
    from skyspec.importer import import_kubernetes

    svc = "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  selector: {app: db}\n  ports: [{port: 5432}]\n"
    app = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n"
           "  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: "
           "'ghcr.io/acme/web:1.0.0', ports: [{containerPort: 80}]}]}\n")
    (tmp_path / "in.yaml").write_text(svc + "---\n" + app)
    diags = Diagnostics()
    assert import_kubernetes([tmp_path / "in.yaml"], "p", diags) is None
    (e,) = diags.errors
    assert (e.code, e.pos.line) == ("SKY061", 5) and e.message == \
        "Service db selects no pod of the input: no workload has the labels app=db"
    cr = "apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata: {name: db}\nspec: {numberOfInstances: 2}\n"
    (tmp_path / "in.yaml").write_text(svc + "---\n" + app + "---\n" + cr)
    diags = Diagnostics()
    assert import_kubernetes([tmp_path / "in.yaml"], "p", diags) is not None, [str(d) for d in diags.errors]


# ---------------------------------------------------------------------- two environments

def imported_twice(chart: str, tmp_path: Path, charts: Path = DATA, on: dict | None = None) -> tuple[dict, Path]:
    """The chart imported over two environments: dev (its values.yaml) and prod (every optional
    part switched on, or the parts ``on`` names: {section: values}); the project's files, and
    the folder of its build in four formats, which the validators accepted."""
    from validators import assert_valid_k8s, compose_config, helm, kubectl, load_docs

    from skyspec.importer import import_helm

    path = charts / chart
    prod = tmp_path / "values-prod.yaml"
    values = yaml.safe_load((path / "values.yaml").read_text())
    if on is None:   # (the chart batch script's `--all-on`)
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
        from import_charts import switched_on
    prod.write_text(yaml.safe_dump(switched_on(values) if on is None else {**values, **{
        k: {**(values.get(k) or {}), **v} for k, v in on.items()}}))
    diags = Diagnostics()
    vals = [f"dev={path / 'values.yaml'}", f"prod={prod}"]
    result = import_helm(path, vals, chart, diags)
    assert result is not None and not diags.has_errors and result.unexplained == [], \
        [str(d) for d in diags.sorted()][:3]
    res = CliRunner().invoke(main, ["import", "helm", str(path), "-f", vals[0], "-f", vals[1], "-o",
                                    str(tmp_path / chart), "--name", chart])
    assert res.exit_code == 0, res.output
    built = tmp_path / "built"
    res = CliRunner().invoke(main, ["build", str(tmp_path / chart), "-o", str(built), "--format",
                                    "kubernetes,compose,helm,kustomize"])
    assert res.exit_code == 0, res.output
    assert helm("lint", str(built / "helm" / chart)).returncode == 0
    for env in ("dev", "prod"):
        assert_valid_k8s(load_docs(built / env / "kubernetes"))
        assert compose_config(built / env / "compose.yaml").returncode == 0
        assert kubectl("kustomize", str(built / "kustomize" / "overlays" / env)).returncode == 0
        t = helm("template", chart, str(built / "helm" / chart), "-f", str(built / "helm" / chart / f"values-{env}.yaml"))
        assert t.returncode == 0, t.stderr
    return result.files, built


def test_a_null_a_patch_writes_is_kept_in_an_environments_overlay(tmp_path, tools_on_path):
    """coredns' UDP port drops the `targetPort` the Service would get (`targetPort: null` in the
    `k8s:` patch). With the metrics port in prod only, the patch differs per environment and
    went into each overlay, where `null` deletes: the patch lost it and dev built a targetPort
    the input does not have (SKY067). An overlay says a null that is a value `key!: null`."""
    files, _ = imported_twice("coredns", tmp_path)
    for env in ("dev", "prod"):
        assert "{port: 53, name: udp-53, protocol: UDP, targetPort!: null}" in files[f"overlays/{env}.yaml"]
    dev = yaml.safe_load(files["overlays/dev.yaml"])["apps"]
    assert dev["ServiceAccount/coredns-coredns"] == {"enabled": False}   # serviceAccount.create in prod only


def test_a_statefulsets_own_service_with_a_sidecars_port_is_the_statefulapps_patched(tmp_path, tools_on_path):
    """memcached with metrics: its headless Service, named after the StatefulSet, sends to the
    exporter sidecar's port too. It was kept as written beside the Service the StatefulApp
    makes under that name (SKY110, made twice); it is now the StatefulApp's, with the sidecar's
    port patched in."""
    files, built = imported_twice("memcached", tmp_path)
    assert not any(f.startswith("apps/resource.memcached") and "kind: Service" in t for f, t in files.items())
    from validators import load_docs

    svc = next(o for o in load_docs(built / "prod" / "kubernetes") if o["kind"] == "Service"
               and o["metadata"]["name"] == "memcached")
    assert [p["name"] for p in svc["spec"]["ports"]] == ["memcache", "metrics"] and svc["spec"]["clusterIP"] == "None"
    dev = next(o for o in load_docs(built / "dev" / "kubernetes") if o["kind"] == "Service"
               and o["metadata"]["name"] == "memcached")
    assert [p["name"] for p in dev["spec"]["ports"]] == ["memcache"]


def test_a_service_whose_named_port_only_some_selected_pods_declare_builds(tmp_path, tools_on_path):
    """hazelcast-jet with metrics: its metrics Service selects the members and the management
    center, and only the members declare `metrics` (Kubernetes leaves the others out of that
    port). The system check refused it (SKY161 error) as if no pod declared it; it is a
    warning now, and still an error when no selected pod declares the port."""
    _, built = imported_twice("hazelcast-jet", tmp_path)
    res = CliRunner().invoke(main, ["check", str(built.parent / "hazelcast-jet"), "--env", "prod"])
    assert res.exit_code == 0 and "warning[SKY161]" in res.output, res.output
    assert 'targets port "metrics", which Deployment/hazelcast-jet-management-center does not declare: its pods ' \
           "get none of that port's traffic" in res.output


def test_a_network_policy_kept_as_written_selects_the_pods_by_the_labels_skyspec_gives_them(tmp_path, tools_on_path):
    """prometheus-blackbox-exporter with its NetworkPolicy (`ingress: [{}]`, admit everyone, which
    no NetworkPolicy spec says) and an Ingress: the policy, kept as written, selected the pods by
    `app.kubernetes.io/instance`, which skyspec does not give them, so it admitted nobody and the
    build refused the Ingress's route (SKY163). Its podSelector is rewritten as a kept Service's
    selector is."""
    files, built = imported_twice("prometheus-blackbox-exporter", tmp_path, PROMETHEUS,
                                  {"networkPolicy": {"enabled": True}, "ingress": {"enabled": True}})
    from validators import load_docs

    (np,) = [o for o in load_docs(built / "prod" / "kubernetes") if o["kind"] == "NetworkPolicy"
             and o["metadata"]["name"] == "prometheus-blackbox-exporter"]
    assert np["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "prometheus-blackbox-exporter",
                                                         "app.kubernetes.io/part-of": "prometheus-blackbox-exporter"}}
    assert np["spec"]["ingress"] == [{}]


def test_an_ingress_to_a_service_named_after_its_workload_kept_for_a_sidecars_port(tmp_path, tools_on_path):
    """prom-label-proxy with kube-rbac-proxy and an Ingress: the Service, named after the
    workload, sends port 8080 to the proxy sidecar's `krp` (8100), so it is kept as written
    and skyspec makes none of that name. The network pass took the Ingress's route for one
    through the workload's own Service and admitted the ingress controller to the app's 8080:
    the build refused it (SKY163). It now follows the kept Service to 8100."""
    _, built = imported_twice("prom-label-proxy", tmp_path, PROMETHEUS,
                              {"kubeRBACProxy": {"enabled": True}, "ingress": {"enabled": True}})
    from validators import load_docs

    docs = load_docs(built / "prod" / "kubernetes")
    rules = [r for o in docs if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "prom-label-proxy-ingress"
             for r in o["spec"]["ingress"]]
    assert {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}],
            "ports": [{"protocol": "TCP", "port": 8100}]} in rules, rules


def test_a_sidecar_listed_before_the_main_container_and_a_service_per_pod(tmp_path, tools_on_path):
    """alertmanager with `configmapReload.enabled` lists the reloader sidecar before
    alertmanager: the first container was taken for the main one, alertmanager's `http` port
    went to a sidecar, and its Service was refused (SKY161). The main container is the one the
    default-container annotation names, else the one named after the workload or its pods'
    `app.kubernetes.io/name`. With `servicePerReplica`, a Service selects each pod by the label
    the StatefulSet controller gives it (`statefulset.kubernetes.io/pod-name`): it keeps it."""
    charts = Path(__file__).parent / "data" / "alertmanager"
    (tmp_path / "alertmanager").symlink_to(charts / "chart")
    (tmp_path / "run").mkdir()
    files, built = imported_twice("alertmanager", tmp_path / "run", tmp_path, {
        "configmapReload": {"enabled": True}, "servicePerReplica": {"enabled": True}})
    spec = yaml.safe_load(files["apps/statefulapp.alertmanager.yaml"])
    assert spec["port"] == 9093 and "container" not in spec and "sidecars" not in spec
    prod = yaml.safe_load(files["overlays/prod.yaml"])["apps"]
    assert list(prod["alertmanager"]["sidecars"]) == ["alertmanager-configmap-reload"]   # prod's only
    assert yaml.safe_load(files["overlays/dev.yaml"])["apps"]["Resource/alertmanager-0"] == {"enabled": False}
    from validators import load_docs

    docs = load_docs(built / "prod" / "kubernetes")
    per_pod = next(o for o in docs if o["kind"] == "Service" and o["metadata"]["name"] == "alertmanager-0")
    assert per_pod["spec"]["selector"]["statefulset.kubernetes.io/pod-name"] == "alertmanager-0"
    sts = next(o for o in docs if o["kind"] == "StatefulSet")
    assert [c["name"] for c in sts["spec"]["template"]["spec"]["containers"]] == \
        ["alertmanager", "alertmanager-configmap-reload"]


def test_an_ingress_to_a_service_port_named_apart_from_its_container_port_is_kept_as_written(tmp_path, tools_on_path):
    """prometheus-cloudwatch-exporter with its Ingress: the Service's port `http` serves the
    container's `container-port`. The import said the Ingress as the workload's `expose` and
    kept the Service port's name by a patch; the Ingress skyspec makes routes to the Service
    port named as the container's, which the patched Service does not have (SKY161: the
    import refused). The Ingress is kept as written (by number, as the input routes), with
    the reason in the note."""
    files, built = imported_twice("prometheus-cloudwatch-exporter", tmp_path, PROMETHEUS, {"ingress": {"enabled": True}})
    from validators import load_docs

    docs = load_docs(built / "prod" / "kubernetes")
    (ing,) = [o for o in docs if o["kind"] == "Ingress"]
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    (svc,) = [o for o in docs if o["kind"] == "Service" and o["metadata"]["name"] == backend["name"]]
    assert backend["port"] == {"number": 9106} and {p["port"] for p in svc["spec"]["ports"]} == {9106}
    assert not [o for o in load_docs(built / "dev" / "kubernetes") if o["kind"] == "Ingress"]
    from skyspec.importer import import_helm

    diags = Diagnostics()
    path = PROMETHEUS / "prometheus-cloudwatch-exporter"
    import_helm(path, [f"dev={path / 'values.yaml'}", f"prod={tmp_path / 'values-prod.yaml'}"], "cw", diags)
    assert any("Ingress cw-prometheus-cloudwatch-exporter is kept as a Resource, as written: its backend is port "
               "http of Service cw-prometheus-cloudwatch-exporter, which serves the container's port container-port, "
               "and `expose` routes by the container port's name" in d.message
               for d in diags.items), [d.message for d in diags.items if "Ingress" in d.message]


def test_a_charts_crds_folder_is_imported(tmp_path, tools_on_path):
    """redis-operator's chart ships its CRDs in `crds/`, which `helm template` renders only with
    `--include-crds`: the import dropped them without a word, and the operator had nothing to
    watch. They are Resources of the project now, in every output."""
    from validators import assert_valid_k8s, load_docs

    chart = tmp_path / "op"
    (chart / "crds").mkdir(parents=True)
    (chart / "templates").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: op\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("{}\n")
    (chart / "crds" / "widgets.yaml").write_text("""\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
""")
    (chart / "templates" / "deploy.yaml").write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: widget-operator}
spec:
  selector: {matchLabels: {app: widget-operator}}
  template:
    metadata: {labels: {app: widget-operator}}
    spec: {containers: [{name: op, image: "ghcr.io/acme/widget-operator:1.0.0"}]}
""")
    res = CliRunner().invoke(main, ["import", "helm", str(chart), "-f", f"prod={chart / 'values.yaml'}", "-o",
                                    str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "p" / "apps" / "resource.customresourcedefinition-widgets-example-com.yaml").is_file()
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    assert ("CustomResourceDefinition", "widgets.example.com") in {(d["kind"], d["metadata"]["name"]) for d in k8s}


def test_a_values_schema_failure_says_why(tmp_path, tools_on_path):
    """external-dns' own values fail its values schema: helm says which value on the lines
    after `Error: values don't meet the specifications ...:`, and the import showed that
    first line only."""
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("policy: 5\n")
    (chart / "values.schema.json").write_text('{"type": "object", "properties": {"policy": {"type": "string"}}}\n')
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
                                                  "data: {a: \"{{ .Values.policy }}\"}\n")
    res = CliRunner().invoke(main, ["import", "helm", str(chart), "-f", f"prod={chart / 'values.yaml'}", "-o",
                                    str(tmp_path / "p")])
    assert res.exit_code == 1
    assert "values don't meet the specifications of the schema(s) in the following chart(s): c: - at '/policy': " \
           "got number, want string" in res.output
