"""`skyspec import kubernetes`: public systems (tests/data, with their licences) import,
check clean, build, and round-trip with every difference named."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.importer import import_kubernetes

DATA = Path(__file__).parent / "data"


def assert_formatted(project: Path) -> None:
    """`skyspec fmt --check` finds nothing to change: the import wrote fmt's layout."""
    before = {p: p.read_text() for p in project.rglob("*.yaml")}
    res = CliRunner().invoke(main, ["fmt", "--check", str(project)])
    assert res.exit_code == 0 and "would reformat" not in res.output, res.output
    assert f"{len(before)} unchanged" in res.output
    assert {p: p.read_text() for p in project.rglob("*.yaml")} == before


def imported_and_built(src: Path, tmp_path: Path) -> str:
    """`skyspec import kubernetes SRC` into tmp_path/proj, then its build (both succeed): the
    build's output."""
    out = tmp_path / "proj"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0, res.output
    return res.output


PODINFO = [DATA / "podinfo" / f for f in ("deployment.yaml", "service.yaml", "hpa.yaml")]


@pytest.mark.parametrize("system,paths", [("podinfo", PODINFO), ("sock-shop", [DATA / "sock-shop/complete-demo.yaml"]),
                                         ("online-boutique", [DATA / "online-boutique/kubernetes-manifests.yaml"]),
                                         ("voting-app", [DATA / "voting-app/k8s-specifications"]),
                                         ("workloads", [DATA / "import" / "workloads.yaml"]),
                                         ("kinds", [DATA / "import" / "kinds.yaml"]),
                                         # kubernetes/examples: an Ingress kept as written, which the
                                         # NetworkPolicy must admit
                                         ("tf-serving", [DATA / "k8s-examples" / "model-serving-tensorflow"]),
                                         # istio's Bookinfo: Services named apart from their Deployments
                                         ("bookinfo", [DATA / "bookinfo" / "bookinfo.yaml"])])
def test_public_system_round_trips(system, paths, tmp_path):
    r = import_kubernetes(paths, system)
    assert r.unexplained == [], r.unexplained[:5]
    f = r.figures
    assert f["equal"] + sum(f["categories"].values()) - sum(
        v for k, v in f["categories"].items() if k.startswith("objects skyspec adds")) == f["fields"]
    # what a stdlib template adds for an official image (its probes, env, storage) is no field of the input's
    added = sum(v for k, v in f["categories"].items() if "stdlib template" in k)
    # a port said by its name where the input gives its number is the same port
    assert (f["equal"] + f["categories"].get("port by name", 0)) * 3 >= f["fields"] - added
    assert r.spec_lines < r.input_lines
    out = tmp_path / system
    res = CliRunner().invoke(main, ["import", "kubernetes", *map(str, paths), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "fidelity: " in res.output and " equal, differences: " in res.output
    assert_formatted(out)
    res = CliRunner().invoke(main, ["check", str(out)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0, res.output
    from validators import assert_valid_k8s, load_docs

    assert_valid_k8s([d for p in sorted((tmp_path / "built").rglob("kubernetes/*.yaml")) for d in load_docs(p)])


def test_a_service_named_apart_from_its_workloads_is_kept_as_written(tmp_path):
    """Istio's Bookinfo: the Service `reviews` selects the pods of reviews-v1, -v2 and -v3, and
    `details` those of details-v1. `expose` names a workload's Service after the workload, so
    such a Service is kept as written (it was taken as the first workload's `expose`, and the
    import failed: the build's Service had the workload's name); its selector still selects
    the pods, which keep the input's labels."""
    import yaml

    from skyspec.diagnostics import Diagnostics, render_text

    diags = Diagnostics()
    r = import_kubernetes([DATA / "bookinfo" / "bookinfo.yaml"], "bookinfo", diags)
    assert r is not None and not diags.has_errors and r.unexplained == []
    assert "Service reviews is kept as a Resource, as written: it selects the pods of reviews-v1, reviews-v2, " \
           "reviews-v3, and `expose` names a workload's Service after the workload" in render_text(diags.sorted(), None)
    reviews = yaml.safe_load(r.files["apps/resource.reviews.yaml"])["manifest"]
    assert reviews["spec"]["selector"] == {"app": "reviews"}
    for v in ("v1", "v2", "v3"):
        doc = yaml.safe_load(r.files[f"apps/reviews-{v}.yaml"])
        assert doc["labels"] == {"app": "reviews", "version": v} and "expose" not in doc
    res = CliRunner().invoke(main, ["import", "kubernetes", str(DATA / "bookinfo" / "bookinfo.yaml"), "-o",
                                    str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    from test_import_legacy import build_and_validate

    k8s = build_and_validate(tmp_path / "p", tmp_path)
    pods = [o["spec"]["template"]["metadata"]["labels"] for o in k8s if o["kind"] == "Deployment"]
    assert sum(1 for labels in pods if labels.get("app") == "reviews") == 3


def test_run_as_non_root_without_a_uid_keeps_the_images_user(tmp_path):
    """Argo CD's repo-server and applicationset-controller say `runAsNonRoot: true` and no
    runAsUser: the image's user 999 ran, with the /etc/passwd entry git over SSH needs. The
    build ran them as UID 10001 ("No user exists for uid 10001", argo-cd#2362). They import
    as `run_as_user: image`: no UID set, still non-root; a UID the input sets is kept."""
    import yaml

    from test_import_legacy import build_and_validate

    pod = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {n}}}\nspec:\n  selector: {{matchLabels: {{app: {n}}}}}\n"
           "  template:\n    metadata: {{labels: {{app: {n}}}}}\n    spec:\n{sc}      containers:\n"
           "      - {{name: {n}, image: quay.io/argoproj/argocd:v2.14.2{csc}}}\n")
    (tmp_path / "in.yaml").write_text(
        pod.format(n="repo-server", sc="", csc=", securityContext: {runAsNonRoot: true}") + "---\n"
        + pod.format(n="redis", sc="      securityContext: {runAsNonRoot: true, runAsUser: 999}\n", csc="") + "---\n"
        + pod.format(n="plain", sc="", csc=""))
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "in.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    said = {n: yaml.safe_load((tmp_path / "p" / "apps" / f"{n}.yaml").read_text()).get("security")
            for n in ("repo-server", "redis", "plain")}
    assert said == {"repo-server": {"run_as_user": "image"}, "redis": {"run_as_user": 999}, "plain": None}
    k8s = {o["metadata"]["name"]: o["spec"]["template"]["spec"] for o in build_and_validate(tmp_path / "p", tmp_path)
           if o["kind"] == "Deployment"}
    (c,) = k8s["repo-server"]["containers"]
    assert "runAsUser" not in k8s["repo-server"]["securityContext"] and "runAsUser" not in c["securityContext"]
    assert k8s["repo-server"]["securityContext"]["runAsNonRoot"] is True and c["securityContext"]["runAsNonRoot"]
    assert (k8s["redis"]["securityContext"]["runAsUser"], k8s["plain"]["securityContext"]["runAsUser"]) == (999, 10001)


def test_a_pods_scrape_annotations_stay_off_its_service_unless_the_input_has_them_there(tmp_path):
    """cert-manager annotates its pods `prometheus.io/scrape|port|path`, not its Services: the
    build put `annotations:` on the Services too, and Prometheus' usual kubernetes-pods and
    kubernetes-service-endpoints jobs scraped every pod twice. The Service of a workload whose
    input annotates the Service too keeps them (a `k8s:` patch)."""
    import yaml

    from test_import_legacy import build_and_validate

    dep = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {n}}}\nspec:\n"
           "  selector: {{matchLabels: {{app: {n}}}}}\n  template:\n    metadata:\n      labels: {{app: {n}}}\n"
           "      annotations: {{prometheus.io/scrape: 'true', prometheus.io/port: '9402', prometheus.io/path: /metrics,"
           " team: x}}\n    spec:\n      containers:\n"
           "      - {{name: {n}, image: quay.io/jetstack/{n}:v1.16.2, ports: [{{containerPort: 9402, name: metrics}}]}}\n"
           "---\napiVersion: v1\nkind: Service\nmetadata: {{name: {n}{ann}}}\nspec:\n  selector: {{app: {n}}}\n"
           "  ports: [{{port: 9402, targetPort: 9402, name: metrics}}]\n")
    (tmp_path / "in.yaml").write_text(dep.format(n="controller", ann="") + "---\n" + dep.format(
        n="exporter", ann=", annotations: {prometheus.io/scrape: 'true', prometheus.io/port: '9402', team: x}"))
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "in.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    k8s = {(o["kind"], o["metadata"]["name"]): o for o in build_and_validate(tmp_path / "p", tmp_path)}
    assert k8s[("Service", "controller")]["metadata"]["annotations"] == {"team": "x"}
    assert k8s[("Deployment", "controller")]["spec"]["template"]["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true", "prometheus.io/port": "9402", "prometheus.io/path": "/metrics", "team": "x"}
    assert k8s[("Service", "exporter")]["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true", "prometheus.io/port": "9402", "team": "x"}
    doc = yaml.safe_load((tmp_path / "p" / "apps" / "exporter.yaml").read_text())
    assert doc["k8s"]["Service"]["metadata"]["annotations"] == {"prometheus.io/scrape": "true",
                                                               "prometheus.io/port": "9402"}


def test_an_autoscaler_autoscale_cannot_say_is_kept_as_written(tmp_path):
    """kubernetes/examples' vLLM scales on requests running per pod (a Pods metric, through the
    Prometheus adapter), in an HPA named apart from its Deployment: `autoscale` says CPU and
    memory utilization under the workload's name, so the HPA is kept as written (it was taken
    as `autoscale`, and the build refused one without a target)."""
    import yaml

    r = import_kubernetes([DATA / "k8s-examples" / "vllm"], "vllm")
    assert r.unexplained == []
    app = yaml.safe_load(r.files["apps/vllm-gemma-deployment.yaml"])
    assert "autoscale" not in app
    hpa = yaml.safe_load(r.files["apps/resource.gemma-server-hpa.yaml"])["manifest"]
    assert hpa["spec"]["metrics"][0]["pods"]["metric"]["name"] == "vllm_num_requests_running"
    assert hpa["spec"]["scaleTargetRef"]["name"] == "vllm-gemma-deployment"
    # podinfo's HPA (cpu utilization, the Deployment's name) is still `autoscale`
    assert "autoscale" in yaml.safe_load(import_kubernetes(PODINFO, "podinfo").files["apps/podinfo.yaml"])
    # autoscaling/v1 (no metrics: targetCPUUtilizationPercentage) is kept too
    (tmp_path / "v1.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: "
        "'ghcr.io/acme/web:1.0.0'}]\n---\napiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\n"
        "metadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
        "  maxReplicas: 4\n  targetCPUUtilizationPercentage: 60\n")
    r = import_kubernetes([tmp_path / "v1.yaml"], "v1")
    assert r.unexplained == [] and "autoscale" not in yaml.safe_load(r.files["apps/web.yaml"])
    assert yaml.safe_load(r.files["apps/resource.web.yaml"])["manifest"]["spec"]["targetCPUUtilizationPercentage"] == 60
    res = CliRunner().invoke(main, ["import", "kubernetes", str(DATA / "k8s-examples" / "vllm"), "-o",
                                    str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    from test_import_legacy import build_and_validate

    k8s = build_and_validate(tmp_path / "p", tmp_path)
    (kept,) = [o for o in k8s if o["kind"] == "HorizontalPodAutoscaler"]
    assert kept["metadata"]["name"] == "gemma-server-hpa"


def test_two_kept_objects_of_one_name_are_two_resources(tmp_path):
    """A Service and the ReplicationController it selects share a name (kubernetes/examples'
    guestbook-go; node-exporter's DaemonSet and Service too): both are kept as Resources, the
    second under a handle of its kind and name, each object keeping its own name."""
    import yaml

    src = tmp_path / "in.yaml"
    src.write_text("apiVersion: v1\nkind: ReplicationController\nmetadata: {name: web}\nspec:\n  replicas: 1\n"
                   "  selector: {app: web}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
                   "      containers: [{name: web, image: 'ghcr.io/acme/web:1.0.0', ports: [{containerPort: 80}]}]\n"
                   "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n"
                   "  ports: [{port: 80}]\n")
    r = import_kubernetes([src], "t")
    assert r.unexplained == [], r.unexplained
    svc = yaml.safe_load(r.files["apps/resource.service-web.yaml"])
    assert svc["name"] == "service-web" and svc["manifest"]["metadata"] == {"name": "web"}
    assert yaml.safe_load(r.files["apps/resource.web.yaml"])["manifest"]["kind"] == "ReplicationController"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "o"), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0, res.output
    from validators import assert_valid_k8s, load_docs

    docs = [d for p in sorted((tmp_path / "built").rglob("kubernetes/*.yaml")) for d in load_docs(p)]
    assert_valid_k8s(docs)
    assert {(d["kind"], d["metadata"]["name"]) for d in docs} >= {("Service", "web"), ("ReplicationController", "web")}


def test_a_node_agent_imports_with_the_privileged_rule_lowered_to_a_warning(tmp_path):
    """prometheus-node-exporter's DaemonSet reads the node's /proc and shares its network and
    processes, which the `privileged` rule refuses by default: the imported project keeps the
    input as it runs, with the rule a warning, said where the input does it."""
    src = tmp_path / "agent.yaml"
    src.write_text("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n"
                   "  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n"
                   "    spec:\n      hostPID: true\n      containers: [{name: agent, image: 'ghcr.io/acme/agent:1.0.0', "
                   "volumeMounts: [{name: proc, mountPath: /host/proc}]}]\n"
                   "      volumes: [{name: proc, hostPath: {path: /proc}}]\n")
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "agent.yaml:9:16: note[SKY070]: DaemonSet agent sets `hostPID: true`" in res.output, res.output
    assert "policy:\n  rules: {privileged: warning}\n" in (tmp_path / "o" / "skyspec.yaml").read_text()
    res = CliRunner().invoke(main, ["build", str(tmp_path / "o"), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0 and "warning[SKY404]: [privileged]" in res.output, res.output


def test_a_pod_volume_that_a_claim_template_replaces_is_left_to_the_template():
    """CockroachDB's StatefulSet (kubernetes/examples) names `datadir` as a pod volume and as a
    claim template; Kubernetes mounts the template's claim, and so does the import."""
    import yaml

    src = DATA / "import" / "workloads.yaml"
    objs = [d for d in yaml.safe_load_all(src.read_text()) if d and d["kind"] == "StatefulSet"]
    assert objs and objs[0]["spec"]["volumeClaimTemplates"]
    sts = objs[0]
    claim = sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"]
    sts["spec"]["template"]["spec"].setdefault("volumes", []).append(
        {"name": claim, "persistentVolumeClaim": {"claimName": claim}})
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "sts.yaml"
        f.write_text(yaml.safe_dump(sts))
        r = import_kubernetes([f], "sts")
    doc = yaml.safe_load(next(t for path, t in r.files.items() if path.startswith("apps/statefulapp.")))
    assert claim in doc["storage"] and claim not in (doc.get("volumes") or {})
    assert r.unexplained == [], r.unexplained


def test_podinfo_uses_the_language_not_a_patch():
    r = import_kubernetes(PODINFO, "podinfo")
    spec = r.files["apps/podinfo.yaml"]
    assert "autoscale: {min: 2, max: 4, cpu: 99}" in spec
    assert "ports: {http: 9898, http-metrics: 9797, grpc: 9999}" in spec
    import yaml

    assert "expose: true" in spec and yaml.safe_load(spec)["strategy"] == {"rolling": {"max_unavailable": 0}}
    assert "containers" not in spec  # the container is said in the language, not patched
    assert "minReadySeconds: 3" in spec  # what the language cannot say is kept as a patch


def test_list_secret_and_patch(tmp_path):
    src = tmp_path / "in.yaml"
    src.write_text("""\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: db}
  data: {password: c3VwZXJzZWNyZXQ=}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api, labels: {app: api}}
  spec:
    selector: {matchLabels: {app: api}}
    template:
      metadata: {labels: {app: api}}
      spec:
        enableServiceLinks: false
        containers:
        - name: api
          image: ghcr.io/acme/api:1.0
          ports: [{containerPort: 8080}]
          env:
          - {name: DB_URL, value: "postgres://db-svc:5432/app"}
          - name: PASSWORD
            valueFrom: {secretKeyRef: {name: db, key: password}}
          readinessProbe: {httpGet: {path: /healthz, port: 8080}}
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
""")
    r = import_kubernetes([src], "t")
    assert r.unexplained == []
    text = "".join(r.files.values())
    assert "c3VwZXJzZWNyZXQ" not in text and "supersecret" not in text
    assert "keys: [password]" in r.files["apps/secret.db.yaml"]
    api = r.files["apps/api.yaml"]
    assert "health: /healthz" in api and "port: 8080" in api
    assert "PASSWORD: {secret: db, key: password}" in api
    assert "enableServiceLinks: false" in api and "# patched" in api


def test_missing_path_and_bad_yaml(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: [\n")
    res = CliRunner().invoke(main, ["import", "kubernetes", str(bad), "-o", str(tmp_path / "o")])
    assert res.exit_code == 1 and "bad.yaml:2:1: error[SKY001]" in res.output and not (tmp_path / "o").exists()
    # a Compose file with no services (skyspec writes one for an environment that runs nothing)
    # is one: it was told it is not a Compose file
    empty = tmp_path / "compose.yaml"
    empty.write_text("name: x\nservices: {}\n")
    res = CliRunner().invoke(main, ["import", "compose", str(empty), "-o", str(tmp_path / "o")])
    assert res.exit_code == 1 and "compose.yaml:2:1: error[SKY060]: this Compose file has no services" in res.output


COMPOSE = {d.name: next(d.glob("compose.y*ml")) for d in sorted((DATA / "awesome-compose").iterdir()) if d.is_dir()}
# Docker's voting app: a second published port bound to the loopback (`127.0.0.1:9229:9229`)
COMPOSE["voting-app"] = DATA / "voting-app" / "docker-compose.yml"
# temporalio/docker-compose: the server holds its own address (`TEMPORAL_ADDRESS=temporal:7233`)
COMPOSE.update({f"temporal-{f.stem}": f for f in sorted((DATA / "temporal-compose").glob("docker-compose*.y*ml"))})


@pytest.mark.parametrize("sample", COMPOSE)
def test_compose_samples_import_check_build_and_round_trip(sample, tmp_path):
    from skyspec.importer import import_compose
    from validators import assert_valid_k8s, compose_config, load_docs

    src = COMPOSE[sample]
    r = import_compose(src, sample.lower())
    assert r.unexplained == [], r.unexplained
    f = r.figures
    # a stdlib template for an official image replaces what would not run (the voting app's healthchecks are
    # scripts from a bind mount the import leaves out): those differences are named, not carried over
    added = sum(v for k, v in f["categories"].items() if "stdlib template" in k)
    assert f["equal"] + sum(f["categories"].values()) == f["fields"] and f["equal"] >= (f["fields"] - added) // 5
    out = tmp_path / sample
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "fidelity: " in res.output
    assert ": Compose does not say: overlays/dev.yaml sizes what it leaves unbounded" in res.output
    assert_formatted(out)
    res = CliRunner().invoke(main, ["check", str(out)])
    assert res.exit_code == 0 and "error" not in res.output.replace("no errors", ""), res.output
    built = tmp_path / "built"
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(built)])
    assert res.exit_code == 0, res.output
    cp = compose_config(built / "dev" / "compose.yaml")
    assert cp.returncode == 0, cp.stderr
    assert_valid_k8s([d for p in sorted((built / "dev" / "kubernetes").glob("*.yaml")) for d in load_docs(p)])


def test_compose_mapping_details():
    import yaml
    from skyspec.importer import import_compose

    r = import_compose(DATA / "awesome-compose" / "nginx-golang-postgres" / "compose.yaml", "ngp")
    db = yaml.safe_load(r.files["apps/statefulapp.db.yaml"])
    # the official postgres image: said with its stdlib template (user, paths, probes), the input's
    # POSTGRES_DB as its param, the image as written (no tag: `latest`, what the input runs)
    assert {k: db[k] for k in ("use", "version", "image", "database")} == \
        {"use": "postgres", "version": "latest", "image": "postgres", "database": "example"}
    assert "health" not in db and db["env"] == {"POSTGRES_PASSWORD_FILE": "/run/secrets/db-password"}
    assert db["storage"] == {"data": {"size": "1Gi"}}   # the input's claim, at the template's data path
    assert db["volumes"]["secret-db-password"]["mount"] == "/run/secrets/db-password"
    assert yaml.safe_load(r.files["apps/secret.db-password.yaml"])["keys"] == ["db-password"]
    back = yaml.safe_load(r.files["apps/backend.yaml"])
    assert back["connect_to"] == ["db"] and back["image"] == "ngp-backend:latest"
    assert "# bind mount ./proxy/nginx.conf" in r.files["apps/proxy.yaml"]
    assert r.figures["categories"]["depends_on a service without ports (start order not kept)"] == 1
    wp = import_compose(DATA / "awesome-compose" / "wordpress-mysql" / "compose.yaml", "wp")
    text = "".join(wp.files.values())
    assert "somewordpress" not in text   # the credential moved into a Secret's keys
    assert yaml.safe_load(wp.files["apps/statefulapp.db.yaml"])["secrets"]["MYSQL_ROOT_PASSWORD"] == \
        {"secret": "db-env", "key": "MYSQL_ROOT_PASSWORD"}


def test_services_named_with_underscores_keep_their_dependencies(tmp_path):
    """Plausible's self-hosting Compose file names its services `plausible_db` and
    `plausible_events_db`, which the build names `plausible-db` and `plausible-events-db`:
    the `depends_on` entries and the variables `connect_to` adds (PLAUSIBLE_DB_HOST/_PORT)
    were compared under the input's names, as differences in no category, and the import was
    refused. (This file is written for the test, in the shape of theirs.)"""
    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  mail:
    image: bytemark/smtp
  plausible_db:
    image: postgres:14-alpine
    volumes: [db-data:/var/lib/postgresql/data]
    environment: [POSTGRES_PASSWORD=postgres]
  plausible_events_db:
    image: clickhouse/clickhouse-server:23.3.7.5-alpine
    volumes: [event-data:/var/lib/clickhouse]
  plausible:
    image: plausible/analytics:v2.0
    depends_on: [plausible_db, plausible_events_db, mail]
    ports: [127.0.0.1:8000:8000]
volumes:
  db-data: {}
  event-data: {}
""")
    r = import_compose(src, "plausible")
    assert r.unexplained == [], r.unexplained
    cats = r.figures["categories"]
    # (the ClickHouse image listens on 8123: its caller reaches it there, with its _HOST and _PORT)
    assert cats["connect_to discovery variables"] == 4
    assert cats["depends_on a service without ports (start order not kept)"] == 1   # mail
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    built = build_and_validate(tmp_path / "p", tmp_path, "dev")
    env = {e["name"] for o in built if o["kind"] == "Deployment" and o["metadata"]["name"] == "plausible"
           for e in o["spec"]["template"]["spec"]["containers"][0].get("env", [])}
    assert {"PLAUSIBLE_DB_HOST", "PLAUSIBLE_DB_PORT", "PLAUSIBLE_EVENTS_DB_HOST", "PLAUSIBLE_EVENTS_DB_PORT"} <= env


def test_a_folder_the_first_run_creates_is_the_services_data_kept_in_a_volume(tmp_path):
    """Immich's Compose file keeps its photos in `${UPLOAD_LOCATION}:/data` (`./library`) and
    its database in `./postgres`: folders Docker creates at the first run. Both were left out
    (the photos and the database lost at every restart, on Kubernetes and in the Compose
    output). A writable bind mount of a folder the project does not hold (or holds empty) is
    the service's data: a volume, storage for a database. The project's own files (`./src`, a
    config file), read-only mounts and paths outside the project or the host's are left out as
    before."""
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  server:
    image: ghcr.io/acme/photos:1.4.0
    volumes: ['${UPLOAD_LOCATION}:/data', './src:/app/src', './cache:/cache', './seed:/seed:ro',
              './app.conf:/etc/app.conf', '../outside:/outside', '/etc/localtime:/etc/localtime:ro',
              '${NOT_SET}/x:/x', './conf:/etc/photos', './code:/app', './acme.json:/acme.json']
    depends_on: [database]
  database:
    image: postgres:16
    environment: {POSTGRES_PASSWORD: "${DB_PASSWORD}"}
    volumes: ['./postgres:/var/lib/postgresql/data']
""")
    (tmp_path / ".env").write_text("UPLOAD_LOCATION=./library\nDB_PASSWORD=Qw7-unguessable\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.py").write_text("print()\n")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / ".gitkeep").write_text("")
    (tmp_path / "app.conf").write_text("x = 1\n")
    diags = Diagnostics()
    r = import_compose(src, "p", diags)
    assert r is not None and r.unexplained == [], r.unexplained if r else [d.message for d in diags.errors]
    server, db = yaml.safe_load(r.files["apps/server.yaml"]), yaml.safe_load(r.files["apps/statefulapp.database.yaml"])
    assert server["volumes"] == {"library": {"mount": "/data", "claim": "library"},
                                 "cache": {"mount": "/cache", "claim": "cache"},
                                 # (a config file the project holds: tests/test_import_binds.py)
                                 "files-app-conf": {"config": "app-conf", "mount": "/etc/app.conf", "read_only": True,
                                                    "sub_path": "app.conf"}}
    assert db["kind"] == "StatefulApp" and db["storage"] == {"data": {"size": "1Gi"}}   # (`use: postgres` mounts it)
    said = [d.message for d in diags.sorted()]
    assert "service server: bind mount ./library -> /data: a folder the first run creates (not in the project), " \
        "so the service's data: kept in a volume" in said
    # (the project's files; read-only; outside the project or the host's; a variable the .env lacks;
    # absent but mounted where an image keeps its own files, which an empty volume would hide)
    for left in ("./src -> /app/src", "./seed -> /seed", "../outside -> /outside",
                 "/etc/localtime -> /etc/localtime", "${NOT_SET}/x -> /x", "./conf -> /etc/photos",
                 "./code -> /app", "./acme.json -> /acme.json"):
        assert [m for m in said if m.startswith(f"service server: bind mount {left} left out")], left
    hints = {d.message: d.hint for d in diags.sorted()}
    assert hints["service server: bind mount /etc/localtime -> /etc/localtime left out"] == \
        "the host's time zone: set `TZ` in `env:` (e.g. `TZ: Europe/Paris`) instead"
    assert hints["service server: bind mount ./src -> /app/src left out: a writable folder of the project's files, "
                 "where the service may write"] == \
        "put the files in the image, or in a ConfigMap mounted as a volume (mount a folder of the project's files " \
        "read-only, `:ro`, and the import carries it)"
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0, res.output
    assert "a folder of the service's data (made at its first run, or in the host's home), kept in a volume: 3" \
        in res.output   # (the round trip names it)
    build_and_validate(tmp_path / "proj", tmp_path, "dev")
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())
    assert {v["target"] for v in built["services"]["server"]["volumes"] if v["type"] == "volume"} >= {"/data", "/cache"}
    assert any(v["type"] == "volume" and v["target"] == "/var/lib/postgresql/data"
               for v in built["services"]["database"]["volumes"])


def test_a_port_the_services_environment_says_is_grpc_is_named_grpc(tmp_path):
    """emojivoto's services serve gRPC on 8080 and say so (`GRPC_PORT=8080`): the port was named
    `http`, and a mesh (Istio, Linkerd) reads the protocol from a Service port's name, so it
    would have proxied their gRPC as HTTP/1.1. The service's own `<PROTOCOL>_PORT` names it."""
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  emoji-svc:
    image: buoyantio/emojivoto-emoji-svc:v11
    environment: [GRPC_PORT=8080, APP_METRICS_PORT=8801]
    ports: ["8081:8080", "8801"]
  web:
    image: buoyantio/emojivoto-web:v11
    environment: {WEB_PORT: "8080", GRPC_PORT: "9999", EMOJISVC_HOST: "emoji-svc:8080"}
    ports: ["8080:8080"]
""")
    diags = Diagnostics()
    r = import_compose(src, "p", diags)
    assert r is not None and r.unexplained == [], r.unexplained if r else [d.message for d in diags.errors]
    assert yaml.safe_load(r.files["apps/emoji-svc.yaml"])["ports"] == {
        "grpc": {"port": 8080, "host_port": 8081}, "metrics": {"port": 8801, "host_port": 8801}}
    assert yaml.safe_load(r.files["apps/web.yaml"])["port"] == 8080   # (its GRPC_PORT is another number)
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0, res.output
    k8s = build_and_validate(tmp_path / "proj", tmp_path, "dev")
    (svc,) = [o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "emoji-svc"]
    assert [p["name"] for p in svc["spec"]["ports"]] == ["grpc", "metrics"]


def test_what_the_import_leaves_out_of_a_home_server_is_told_what_to_do(tmp_path):
    """Home Assistant's Compose file runs privileged, on the host's network, with the host's
    D-Bus socket: each was told "set what it does in the spec by hand"; each hint now says
    what does it on Kubernetes, or why nothing does."""
    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  homeassistant:
    image: ghcr.io/home-assistant/home-assistant:2025.1.0
    volumes: ['/run/dbus:/run/dbus:ro']
    privileged: true
    network_mode: host
  vpn:
    image: ghcr.io/acme/vpn:1.0.0
  torrent:
    image: ghcr.io/acme/torrent:1.0.0
    network_mode: service:vpn
    init: true
""")
    diags = Diagnostics()
    assert import_compose(src, "p", diags) is not None, [d.message for d in diags.errors]
    hints = {d.message: d.hint for d in diags.sorted()}
    assert hints["service homeassistant: bind mount /run/dbus -> /run/dbus left out"].startswith(
        "the node's own sockets, devices or kernel: a pod reaches them only through a hostPath")
    assert "`security: {add_capabilities: [...]}`" in \
        hints["service homeassistant: privileged is not carried over: the language has no field for it"]
    assert "patch `hostNetwork: true` in with `k8s:`" in \
        hints["service homeassistant: network_mode is not carried over: the language has no field for it"]
    assert hints["service torrent: network_mode is not carried over: the language has no field for it"] == \
        "it shares the network of vpn: run it as a sidecar there (`sidecars:`), which shares its pod's network"
    # umami's `init: true` (tini as PID 1): the Kubernetes way to reap zombies
    assert "patch `shareProcessNamespace: true` in with `k8s:`" in \
        hints["service torrent: init is not carried over: the language has no field for it"]


def test_shm_size_is_a_memory_volume_at_dev_shm(tmp_path):
    """Mastodon's and immich's Postgres set `shm_size` (256mb, 128mb): its parallel queries need
    more shared memory than the 64Mi a Kubernetes pod gets at /dev/shm. It was left out with a
    warning; it is a memory volume of that size there, a tmpfs of that size in the Compose output."""
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  db:
    image: ghcr.io/acme/pg:16.4
    shm_size: 256mb
  render:
    image: ghcr.io/acme/render:2.0.1
    shm_size: ${RENDER_SHM:-1gb}
  odd:
    image: ghcr.io/acme/odd:1.0.0
    shm_size: lots
""")
    diags = Diagnostics()
    r = import_compose(src, "p", diags)
    assert r is not None and r.unexplained == [], r.unexplained if r else [d.message for d in diags.errors]
    assert yaml.safe_load(r.files["apps/db.yaml"])["volumes"] == {
        "shm": {"empty": {"memory": True, "size": "256Mi"}, "mount": "/dev/shm"}}
    assert yaml.safe_load(r.files["apps/render.yaml"])["volumes"]["shm"]["empty"]["size"] == "1Gi"
    assert "volumes" not in yaml.safe_load(r.files["apps/odd.yaml"])
    said = {d.message: d.severity for d in diags.sorted()}
    assert said["service db: shm_size 256mb: a memory volume of 256Mi at /dev/shm"] == "note"
    assert said["service odd: shm_size 'lots' is no size: left out"] == "warning"
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0 and "shm_size as a memory volume at /dev/shm: 2" in res.output, res.output
    k8s = build_and_validate(tmp_path / "proj", tmp_path, "dev")
    (db,) = [o for o in k8s if o["kind"] == "Deployment" and o["metadata"]["name"] == "db"]
    assert {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}} in db["spec"]["template"]["spec"]["volumes"]
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())["services"]["db"]
    assert {"type": "tmpfs", "target": "/dev/shm", "tmpfs": {"size": "256M"}} in built["volumes"]


def test_what_supabases_compose_file_needed(tmp_path):
    """Supabase's self-hosting file (in the shape of theirs): `LOGFLARE_SINGLE_TENANT: true`, a
    YAML boolean Compose reads as the word `true`, was compared as Python's `True`; a command
    holding `$$(cat /etc/pooler/pooler.exs)` was compared with the built file's words before
    Compose reads `$$` as `$`; both were refused as differences in no category. And the Docker
    socket, mounted from `${DOCKER_SOCKET_LOCATION}` (its `.env` names /var/run/docker.sock),
    was read before interpolation as a volume of that name: a claim `docker-socket-location`."""
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  vector:
    image: timberio/vector:0.53.0-alpine
    volumes: ['${DOCKER_SOCKET_LOCATION}:/var/run/docker.sock:ro,z', 'logs:/var/log/vector']
    environment: {LOGFLARE_SINGLE_TENANT: true, RETRIES: 3, RATIO: 16.8}
    command: ["/bin/sh", "-c", "/app/bin/supavisor eval \\"$$(cat /etc/pooler.exs)\\" && echo $$HOME && /app/bin/server"]
    user: "${VECTOR_UID:-50000}:0"
volumes:
  logs: {}
""")
    (tmp_path / ".env").write_text("DOCKER_SOCKET_LOCATION=/var/run/docker.sock\n")
    diags = Diagnostics()
    r = import_compose(src, "p", diags)
    assert r is not None and r.unexplained == [], r.unexplained if r else [d.message for d in diags.errors]
    doc = yaml.safe_load(r.files["apps/vector.yaml"])
    assert doc["env"] == {"LOGFLARE_SINGLE_TENANT": "true", "RETRIES": "3", "RATIO": "16.8"}
    assert doc["args"][2] == '/app/bin/supavisor eval "$(cat /etc/pooler.exs)" && echo $HOME && /app/bin/server'
    assert set(doc["volumes"]) == {"logs"} and not any("docker-socket" in f for f in r.files)
    assert "service vector: bind mount /var/run/docker.sock -> /var/run/docker.sock left out" in \
        [d.message for d in diags.sorted()]
    assert "the container engine's socket: a pod gets none" in \
        {d.message: d.hint for d in diags.sorted()}["service vector: bind mount /var/run/docker.sock -> " \
                                                    "/var/run/docker.sock left out"]
    assert "service vector: runs as user 50000:0: the Kubernetes objects run as it (`security:`); the Compose " \
        "file runs the image's own user" in [d.message for d in diags.sorted()]   # (interpolated, as Airflow's)
    assert doc["security"] == {"run_as_user": 50000, "run_as_group": 0}   # (an image made for that UID)
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0, res.output
    build_and_validate(tmp_path / "proj", tmp_path, "dev")
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())["services"]["vector"]
    assert built["command"][2] == '/app/bin/supavisor eval "$$(cat /etc/pooler.exs)" && echo $$HOME && /app/bin/server'
    assert built["environment"]["LOGFLARE_SINGLE_TENANT"] == "true"
    pod = next(yaml.safe_load_all((tmp_path / "built" / "dev" / "kubernetes" / "vector.yaml").read_text()))["spec"]["template"]
    assert (pod["spec"]["securityContext"]["runAsUser"], pod["spec"]["securityContext"]["runAsGroup"]) == (50000, 0)


@pytest.mark.parametrize("user,security,said", [
    # root, by number or by name (Authentik's worker), with what Docker gives root that an
    # entrypoint uses to chown its volumes and drop to its user: skyspec drops every capability
    ("0", {"run_as_root": True, "run_as_user": 0, "add_capabilities": ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID",
                                                                       "SETUID"]},
     "runs as user 0: the Kubernetes objects run as it (`security:`), with the capabilities Docker gives root"),
    ("root", {"run_as_root": True, "run_as_user": 0, "add_capabilities": ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID",
                                                                          "SETUID"]},
     "runs as user root: the Kubernetes objects run as it"),
    ("root:root", {"run_as_root": True, "run_as_user": 0, "run_as_group": 0,
                   "add_capabilities": ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"]},
     "runs as user root:root: the Kubernetes objects run as it"),
    (1000, {"run_as_user": 1000}, "runs as user 1000: the Kubernetes objects run as it"),
    ("10001:10001", None, "runs as user 10001:10001: the Kubernetes objects run as it"),
    ("postgres", None, "runs as user postgres in Compose; skyspec runs as a non-root UID"),
    # netbox-docker's `unit:root`: the image's folders are group-writable for GID 0 (the
    # OpenShift way); the name only the image maps, the group the language says
    ("unit:root", {"run_as_group": 0}, "runs as user unit:root in Compose; skyspec runs as a non-root UID with its "
                                       "group, GID 0 (`security: {run_as_group: 0}`)"),
    ("app:1000", {"run_as_group": 1000}, "runs as user app:1000 in Compose; skyspec runs as a non-root UID with its "
                                         "group, GID 1000"),
    ("app:staff", None, "runs as user app:staff in Compose; skyspec runs as a non-root UID"),
    ("99999999999:1", None, "runs as user 99999999999:1 in Compose"),
])
def test_a_compose_user_is_the_uid_the_kubernetes_objects_run_as(tmp_path, user, security, said):
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose

    src = tmp_path / "compose.yaml"
    src.write_text(f"services:\n  app:\n    image: ghcr.io/acme/app:1.2\n    user: {user!r}\n"
                   if isinstance(user, str) else f"services:\n  app:\n    image: ghcr.io/acme/app:1.2\n    user: {user}\n")
    diags = Diagnostics()
    r = import_compose(src, "p", diags)
    assert r is not None and r.unexplained == [], r.unexplained if r else [d.message for d in diags.errors]
    assert yaml.safe_load(r.files["apps/app.yaml"]).get("security") == security
    assert any(said in d.message for d in diags.items), [d.message for d in diags.items]


def test_a_service_compose_runs_as_root_keeps_what_its_entrypoint_does_as_root(tmp_path):
    """Authentik's worker runs as `user: root` to fix the permissions of its mounted folders: it
    was warned and run as UID 10001, and as root without capabilities it could not chown them
    either. It runs as root with the five capabilities of Docker's that such an entrypoint uses."""
    import yaml

    from test_import_legacy import build_and_validate

    (tmp_path / "compose.yaml").write_text("services:\n  worker:\n    image: ghcr.io/goauthentik/server:2025.2.4\n"
                                           "    command: worker\n    user: root\n    volumes: ['./media:/media']\n")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "compose.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert "skyspec runs as a non-root UID" not in res.output
    k8s = build_and_validate(tmp_path / "p", tmp_path, "dev")
    pod = next(o for o in k8s if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    assert (pod["securityContext"]["runAsUser"], c["securityContext"]["runAsUser"]) == (0, 0)
    assert c["securityContext"]["capabilities"] == {"drop": ["ALL"], "add": ["CHOWN", "DAC_OVERRIDE", "FOWNER",
                                                                            "SETGID", "SETUID"]}
    assert "runAsNonRoot" not in pod["securityContext"]
    assert yaml.safe_load((tmp_path / "p" / "apps" / "worker.yaml").read_text())["security"]["run_as_root"] is True


def test_a_compose_user_naming_the_official_images_own_user_is_what_it_runs_as(tmp_path):
    """Outline runs `postgres` as `user: "postgres:postgres"` and `redis` as `redis:redis`. The
    import warned that skyspec would run them as a non-root UID of its own, but the official
    image handling runs each as the image's own user (999): what the Compose file asked for.
    A user name no official image owns is still warned."""
    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  db:
    image: postgres:16.4
    user: "postgres:postgres"
    environment: {POSTGRES_PASSWORD: example}
    volumes: [db:/var/lib/postgresql/data]
  cache:
    image: redis:7.4
    user: redis
  app:
    image: ghcr.io/acme/app:1.0
    user: postgres
volumes: {db: {}}
""")
    r = import_compose(src, "t")
    assert r.unexplained == [], r.unexplained
    said = {(d.code, d.message) for d in r.diags}
    assert ("SKY066", "service db: runs as user postgres:postgres, the image's own: skyspec runs the official image "
                      "as its own user too (SKY063 says how)") in said
    assert any(m.startswith("service cache: runs as user redis, the image's own") for _, m in said)
    warned = [d.message for d in r.diags if d.severity == "warning" and "non-root UID" in d.message]
    assert warned == ["service app: runs as user postgres in Compose; skyspec runs as a non-root UID"]
    assert r.figures["categories"]["user the official image's own, which skyspec runs it as"] == 2
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    k8s = build_and_validate(tmp_path / "p", tmp_path, "dev")
    users = {o["metadata"]["name"]: o["spec"]["template"]["spec"]["securityContext"].get("runAsUser") for o in k8s
             if o["kind"] in ("Deployment", "StatefulSet")}
    assert users == {"db": 999, "cache": 999, "app": 10001}


def test_an_address_held_as_a_host_and_a_port_variable_is_a_connection(tmp_path):
    """Penpot's backend reaches its mail catcher by `PENPOT_SMTP_HOST: penpot-mailcatch` and
    `PENPOT_SMTP_PORT: 1025`. The system check reads such a pair as a connection; the importer
    read only `host:port` and URLs, inferred no `connect_to`, and the build's default deny
    refused the call (SKY163): the import was refused. (In the shape of their file.)"""
    import yaml

    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  backend:
    image: penpotapp/backend:2.16
    environment: {PENPOT_SMTP_HOST: mailcatch, PENPOT_SMTP_PORT: 1025, CACHE_HOST: nowhere, CACHE_PORT: 11211}
  mailcatch:
    image: sj26/mailcatcher:v0.10.0
    expose: ['1025']
    ports: ['1080:1080']
""")
    r = import_compose(src, "pen")
    assert r.unexplained == [], r.unexplained
    assert yaml.safe_load(r.files["apps/backend.yaml"])["connect_to"] == ["mailcatch"]   # (not `nowhere`)
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    built = build_and_validate(tmp_path / "p", tmp_path, "dev")
    (pol,) = [o for o in built if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "mailcatch-ingress"]
    assert {"port": 1025, "protocol": "TCP"} in [p for rule in pol["spec"]["ingress"] for p in rule.get("ports", [])]


def test_a_host_port_two_services_publish_is_a_named_difference(tmp_path):
    # what `docker compose config` prints for a service that extends another inherits its
    # ports: two services publishing host port 8080 (Compose could not start both); the build
    # publishes the second without a host port, which the round trip called a difference in no
    # category, and the import was refused
    from skyspec.importer import import_compose

    src = tmp_path / "compose.yaml"
    src.write_text("services:\n  web: {image: 'ghcr.io/acme/app:1.0.0', ports: ['8080:8080']}\n"
                   "  worker: {image: 'ghcr.io/acme/app:1.0.0', command: [worker], ports: ['8080:8080']}\n")
    r = import_compose(src, "p")
    assert r.unexplained == []
    assert r.figures["categories"]["published without a host port another service publishes (Compose could not "
                                   "start both)"] == 1


def test_a_restart_policy_skyspec_sets_too_is_not_noted(tmp_path):
    """Sentry's self-hosted file gives its 57 services `restart: unless-stopped`, what the
    Compose backend writes for an App: a note each said nothing. `always` is still noted."""
    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose

    src = tmp_path / "compose.yaml"
    src.write_text("services:\n  a: {image: 'x/a:1', restart: unless-stopped}\n"
                   "  b: {image: 'x/b:1', restart: always}\n")
    diags = Diagnostics()
    r = import_compose(src, "p", diags)
    assert r is not None and r.unexplained == []
    said = [(d.code, d.message) for d in diags.sorted() if "restart" in d.message]
    assert said == [("SKY066", "service b: restart: always (skyspec: unless-stopped for Apps)")]


def test_a_services_platform_is_the_node_selector_that_runs_it(tmp_path):
    """`platform: linux/amd64` (Sentry pins 20 services so) was not carried over: on a cluster of
    mixed nodes the pod could start where the image cannot run. It is the node selector of such
    nodes, which the Compose backend writes back as `platform`; an OCI variant (`arm64/v8`) has
    no node label (a note); an empty one (`${DOCKER_PLATFORM:-}` unset) is none."""
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("services:\n  web: {image: 'x/web:1', platform: linux/amd64}\n"
                   "  arm: {image: 'x/arm:1', platform: linux/arm64/v8}\n"
                   "  any: {image: 'x/any:1', platform: '${DOCKER_PLATFORM:-}'}\n")
    diags = Diagnostics()
    r = import_compose(src, "p", diags)
    assert r is not None and r.unexplained == [], r.unexplained if r else [d.message for d in diags.errors]
    docs = {n: yaml.safe_load(r.files[f"apps/{n}.yaml"]) for n in ("web", "arm", "any")}
    assert docs["web"]["node_selector"] == {"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}
    assert docs["arm"]["node_selector"] == {"kubernetes.io/os": "linux", "kubernetes.io/arch": "arm64"}
    assert "node_selector" not in docs["any"]
    assert [d.message for d in diags.sorted() if "platform" in d.message] == [
        "service arm: platform linux/arm64/v8: the variant v8 has no node label (nodes of linux/arm64)"]
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0, res.output
    built = build_and_validate(tmp_path / "proj", tmp_path, "dev")
    pods = {o["metadata"]["name"]: o["spec"]["template"]["spec"] for o in built if o["kind"] == "Deployment"}
    assert pods["web"]["nodeSelector"] == {"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}
    services = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())["services"]
    assert services["web"]["platform"] == "linux/amd64" and services["arm"]["platform"] == "linux/arm64"
    assert "platform" not in services["any"]

def test_what_real_compose_files_needed():
    """Six of awesome-compose's files that the importer refused (each wrote nothing): a named
    volume it left undeclared, an address in the environment but no `depends_on`, a port over
    both UDP and TCP, Elasticsearch's dotted settings, a memory size with a fraction."""
    import yaml
    from skyspec.importer import import_compose

    def doc(r, path):
        return yaml.safe_load(r.files[path])

    gitea = import_compose(COMPOSE["gitea-postgres"], "g")
    claim = doc(gitea, "apps/resource.git-data.yaml")   # Compose makes `git_data`: the project declares it
    assert claim["manifest"]["kind"] == "PersistentVolumeClaim" and \
        claim["manifest"]["spec"]["resources"]["requests"]["storage"] == "1Gi"
    g = doc(gitea, "apps/gitea.yaml")
    assert g["volumes"]["git-data"] == {"mount": "/data", "claim": "git-data"}
    assert g["connect_to"] == ["db"] and "# connect_to db: DB_HOST holds its address" in gitea.files["apps/gitea.yaml"]
    wasm = import_compose(COMPOSE["wasmedge-kafka-mysql"], "w")
    # a URL in a Secret (DATABASE_URL) and one in plain env; `db` declares no port in Compose, which
    # reaches any: the port the address names is declared, for its Service and NetworkPolicy
    assert doc(wasm, "apps/etl.yaml")["connect_to"] == ["db", "redpanda"]
    assert doc(wasm, "apps/db.yaml")["ports"] == {"mysql": 3306}
    pihole = doc(import_compose(COMPOSE["pihole-cloudflared-DoH"], "p"), "apps/pihole.yaml")
    assert pihole["ports"]["dns"] == 53 and pihole["ports"]["p53"] == {"port": 53, "protocol": "UDP", "host_port": 53}
    es = doc(import_compose(COMPOSE["elasticsearch-logstash-kibana"], "e"), "apps/elasticsearch.yaml")
    assert es["env"]["discovery.type"] == "single-node"
    mc = doc(import_compose(COMPOSE["minecraft"], "m"), "apps/minecraft.yaml")
    assert mc["resources"]["memory_limit"] == "1.5Gi"


def test_a_named_volume_two_services_share_is_one_declared_claim_warned(tmp_path):
    import yaml
    from skyspec.importer import import_compose

    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n    volumes: [site:/usr/share/nginx/html]\n"
        "  sync:\n    image: ghcr.io/acme/sync:1.0.0\n    volumes: [site:/data]\nvolumes:\n  site: {}\n")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "compose.yaml"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "compose.yaml:5:15: warning[SKY066]: service web: volume site is shared with service sync: the claim " \
           "is ReadWriteOnce" in res.output, res.output   # (services in the order of their names)
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert yaml.safe_load(r.files["apps/resource.site.yaml"])["manifest"]["kind"] == "PersistentVolumeClaim"
    assert yaml.safe_load(r.files["apps/sync.yaml"])["volumes"]["site"] == {"claim": "site", "mount": "/data"}


def test_compose_numbers_and_booleans_written_as_variables_are_read_from_the_env_file(tmp_path):
    # Sentry's self-hosted Compose file: `retries: $HEALTHCHECK_FILE_RETRIES`, which Compose
    # interpolates before it reads types; the importer refused it as "not an integer"
    import yaml
    from skyspec.importer import ImportError_, import_compose

    (tmp_path / ".env").write_text("RETRIES=5\nREPLICAS=2\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    image: ghcr.io/acme/api:1.0\n    ports: ['8080:8080']\n"
        "    healthcheck: {test: [CMD, /bin/ready], retries: $RETRIES}\n    deploy: {replicas: '${REPLICAS}'}\n")
    r = import_compose(tmp_path / "compose.yaml", "t")
    api = yaml.safe_load(r.files["apps/api.yaml"])
    assert api["health"]["failure_threshold"] == 5 and api["replicas"] == 2 and r.unexplained == []
    # the dev profile runs every App once: the Compose file's replicas are restated over it (the
    # round trip refused any `deploy.replicas` above 1), and replicas share no host port
    assert yaml.safe_load(r.files["overlays/dev.yaml"])["apps"] == {"api": {"replicas": 2}}
    assert r.figures["categories"]["published without a host port: replicas cannot share one (Docker picks "
                                   "free ones)"] == 1
    (tmp_path / ".env").write_text("RETRIES=many\nREPLICAS=2\n")
    try:
        import_compose(tmp_path / "compose.yaml", "t")
        raise AssertionError("imported")
    except ImportError_ as e:
        assert "compose.yaml:5:53: error[SKY061]: services.api.healthcheck.retries must be an integer once its " \
               "variables are read" in str(e)


def test_compose_commands_are_interpolated_and_an_external_volume_is_named(tmp_path):
    # Sentry's `command: run consumer ... --max-poll-interval-ms ${SENTRY_KAFKA_MAX_POLL_INTERVAL_MS:-300000}`
    # was written with the variable unread (Compose reads it, its default here), and its
    # `external` volume, left out with a warning, was an unexplained difference
    import yaml
    from skyspec.importer import import_compose

    (tmp_path / ".env").write_text("GROUP=ingest\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  worker:\n    image: ghcr.io/acme/worker:1.0\n"
        "    command: run consumer --group ${GROUP} --ms ${POLL_MS:-300000}\n"
        "    entrypoint: [/bin/start, '${GROUP}']\n"
        "    volumes: ['data:/data']\nvolumes:\n  data: {external: true}\n")
    r = import_compose(tmp_path / "compose.yaml", "t")
    worker = yaml.safe_load(r.files["apps/worker.yaml"])
    assert worker["args"] == ["run", "consumer", "--group", "ingest", "--ms", "300000"]
    assert worker["command"] == ["/bin/start", "ingest"] and r.unexplained == []
    assert r.figures["categories"]["external volume left out (warned)"] == 1


def test_compose_an_address_of_a_service_in_a_profile_is_no_connect_to(tmp_path):
    # Sentry's defaults hold `VROOM: http://vroom:8085`, and vroom runs only in a profile: a
    # connect_to to it did not build (SKY114: the environment leaves vroom out)
    import yaml
    from skyspec.importer import import_compose

    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: ghcr.io/acme/web:1.0\n    ports: ['8080:8080']\n"
        "    environment: {PROFILER: 'http://profiler:8085', DB: 'db:5432'}\n"
        "  db:\n    image: ghcr.io/acme/db:1.0\n    expose: ['5432']\n"
        "  profiler:\n    image: ghcr.io/acme/profiler:1.0\n    expose: ['8085']\n    profiles: [profiling]\n")
    r = import_compose(tmp_path / "compose.yaml", "t")
    web = yaml.safe_load(r.files["apps/web.yaml"])
    assert web["connect_to"] == ["db"] and web["env"]["PROFILER"] == "http://profiler:8085"
    assert yaml.safe_load(r.files["apps/profiler.yaml"])["enabled"] is False and r.unexplained == []


def test_compose_depends_on_a_service_only_a_profile_runs_is_no_connect_to(tmp_path):
    # Lago's workers depend on db and redis with `required: false`, and those run only in the
    # profiles `all`, ...: a connect_to to them did not build (SKY114: the environment without
    # the profile leaves db out), and the import was refused
    import yaml
    from skyspec.importer import import_compose

    (tmp_path / "compose.yaml").write_text(
        "services:\n  worker:\n    image: ghcr.io/acme/api:1.0\n"
        "    environment: {DATABASE_URL: 'postgresql://lago@db:5432/lago'}\n"
        "    depends_on:\n      db: {condition: service_healthy, required: false}\n      pdf: {condition: service_started}\n"
        "  pdf:\n    image: ghcr.io/acme/pdf:1.0\n    expose: ['3000']\n"
        "  db:\n    image: ghcr.io/acme/db:1.0\n    expose: ['5432']\n    profiles: [all]\n"
        "    healthcheck: {test: [CMD, pg_isready]}\n")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r is not None and r.unexplained == []
    assert yaml.safe_load(r.files["apps/worker.yaml"])["connect_to"] == ["pdf"]
    assert r.figures["categories"]["depends_on a service only a profile the service is not in runs (start order "
                                   "not kept)"] == 1


def test_compose_env_file_interpolation_and_escaping(tmp_path):
    import yaml
    from skyspec.importer import ImportError_, import_compose

    (tmp_path / ".env").write_text("TAG=1.2.3\n")
    (tmp_path / "app.env").write_text("# comment\nMODE=fast\nGREETING='hi there'\n")
    (tmp_path / "compose.yaml").write_text("""\
services:
  api:
    image: ghcr.io/acme/api:${TAG}
    entrypoint: /bin/api
    command: serve --port 8080
    env_file: app.env
    environment:
      MODE: slow
      LITERAL: "cost $$5"
      FROM_SHELL: ${HOME_DIR}
      IN_URL: "file://${HOME_DIR}/x?v=${TAG}&lit=$${X}"
    ports: ["8081:8080"]
    healthcheck:
      test: curl -f http://localhost:8080/ || exit 1
    profiles: [debug]
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    api = yaml.safe_load(r.files["apps/api.yaml"])
    assert api["image"] == "ghcr.io/acme/api:1.2.3" and api["command"] == ["/bin/api"]
    assert api["args"] == ["serve", "--port", "8080"]
    # what the shell sets, no `.env`: Compose runs it empty where the shell has none; `${vars.NAME}`,
    # declared empty in the project file (a literal `${HOME_DIR}` is no value the app expects)
    assert api["env"] == {"MODE": "slow", "GREETING": "hi there", "LITERAL": "cost $5",
                          "FROM_SHELL": "${vars.HOME_DIR}", "IN_URL": "file://${vars.HOME_DIR}/x?v=1.2.3&lit=$${X}"}
    assert yaml.safe_load(r.files["skyspec.yaml"])["vars"] == {"HOME_DIR": ""}
    assert r.figures["categories"]["a variable the shell sets at run time: `${vars.NAME}`, empty until skyspec.yaml's "
                                   "`vars:` sets it (Compose runs it empty where the shell has none)"] == 2
    assert api["ports"] == {"http": {"port": 8080, "host_port": 8081}}
    assert api["health"]["exec"] == ["sh", "-c", "curl -f http://localhost:8080/ || exit 1"]
    assert api["health"]["period"] == 30 and api["health"]["timeout"] == 30
    assert r.figures["categories"]["published on 127.0.0.1 only"] == 1
    assert any("HOME_DIR" in d.message and d.code == "SKY066" for d in r.diags)
    assert api["enabled"] is False and \
        "debug: {overlays: [overlays/dev.yaml, overlays/debug.yaml], profile: dev}" in r.files["skyspec.yaml"]
    assert yaml.safe_load(r.files["overlays/debug.yaml"]) == {"apps": {"api": {"enabled": True}}}
    for rel, text in r.files.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_text(text.replace('HOME_DIR: ""', "HOME_DIR: /home/app"))
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-e", "debug", "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    env = yaml.safe_load((tmp_path / "out" / "debug" / "compose.yaml").read_text())["services"]["api"]["environment"]
    assert env["FROM_SHELL"] == "/home/app" and env["IN_URL"] == "file:///home/app/x?v=1.2.3&lit=$${X}"
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    image: x\n    env_file: ../secret.env\n")
    with pytest.raises(ImportError_, match=r"compose.yaml:4:15: error\[SKY017\]: env_file \"../secret.env\" leaves"):
        import_compose(tmp_path / "compose.yaml", "t")


def test_a_quoted_env_value_ends_at_its_closing_quote():
    """taiga's `.env`: `SUBPATH="" # it'll be appended...`. The value was read with its quotes
    (`'""'`), where Compose reads an empty string: a comment after a closing quote is no part
    of the value, and a double-quoted one reads its escapes."""
    from skyspec.importer.compose import dotenv

    got = dotenv('A="" # c\nB="x y" # c\nD=\'q $A\' # c\nE="a\\"b\\\\c\\nd"\nF=plain # c\nG="unclosed\n'
                 'X=1\nH="${X}-y" #c\n')
    assert got == {"A": "", "B": "x y", "D": "q $A", "E": 'a"b\\c\nd', "F": "plain", "G": '"unclosed', "X": "1",
                   "H": "1-y"}


def test_kinds_said_in_the_language(tmp_path):
    import yaml

    r = import_kubernetes([DATA / "import" / "kinds.yaml"], "kinds")
    assert r.unexplained == [], r.unexplained[:3]
    api = yaml.safe_load(r.files["apps/api.yaml"])
    assert api["expose"] == {"host": "api.example.com", "tls": True, "class": "nginx"}
    assert api["sidecars"] == {"proxy": {"image": "envoyproxy/envoy:v1.30.1", "ports": {"admin": 9901}}}
    assert api["init"] == {"migrate": {"image": "ghcr.io/acme/api:1.0", "command": ["/api", "migrate"]}}
    assert "k8s" not in api and "Resource" not in "".join(r.files.values())
    assert yaml.safe_load(r.files["overlays/default.yaml"]) == {"settings": {"pdb": True}}
    assert yaml.safe_load(r.files["apps/role.config-reader.yaml"])["bind"] == ["api"]
    assert yaml.safe_load(r.files["apps/serviceaccount.api.yaml"]) == \
        {"kind": "ServiceAccount", "name": "api", "automount_token": False}
    # the input's policy is named as the one skyspec makes for `api` (`api-ingress`): renamed, both apply
    pol = yaml.safe_load(r.files["apps/networkpolicy.api-ingress-imported.yaml"])
    assert pol["name"] == "api-ingress-imported" and pol["allow_from"] == [{"labels": {"app": "web"}}]
    assert "apps/networkpolicy.api-ingress.yaml" not in r.files
    assert r.figures["categories"]["renamed: the name skyspec gives an object of its own"] == 1
    assert [(d.code, d.pos.line) for d in r.diags if "imported as api-ingress-imported" in d.message] == [("SKY061", 75)]
    assert r.figures["objects"] == 8


def test_a_statefulsets_headless_service_is_the_one_skyspec_makes(tmp_path):
    import yaml

    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"replicas": 2, "serviceName": "db-headless", "selector": {"matchLabels": {"app": "db"}},
                    "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [
                        {"name": "db", "image": "ghcr.io/acme/db:1.0", "ports": [{"name": "pg", "containerPort": 5432}],
                         "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}}}]}}}}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"},
           "spec": {"selector": {"app": "db"}, "ports": [{"name": "pg", "port": 5432, "targetPort": "pg"}]}}
    headless = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db-headless"},
                "spec": {"clusterIP": "None", "selector": {"app": "db"},
                         "ports": [{"name": "pg", "port": 5432, "targetPort": "pg"}]}}
    src = tmp_path / "db.yaml"
    src.write_text(yaml.safe_dump_all([sts, svc, headless]))
    r = import_kubernetes([src], "t")
    # it was kept as a Resource beside the Service the StatefulApp makes: two Services db-headless
    assert not any("Resource" in text for text in r.files.values()), r.files
    assert r.unexplained == [] and r.figures["objects"] == 3
    assert [d.code for d in r.diags if "headless Service of StatefulSet db" in d.message] == ["SKY061"]
    # a headless Service of another name is the input's own: kept
    headless["metadata"]["name"] = "db-peers"
    src.write_text(yaml.safe_dump_all([sts, svc, headless]))
    r = import_kubernetes([src], "t")
    assert yaml.safe_load(r.files["apps/resource.db-peers.yaml"])["manifest"]["metadata"]["name"] == "db-peers"


def test_a_binding_subject_without_a_namespace_is_of_the_bindings_own(tmp_path):
    import yaml

    # grafana's rollout-operator chart: the build writes the namespace the authorizer reads
    src = tmp_path / "kinds.yaml"
    src.write_text((DATA / "import" / "kinds.yaml").read_text().replace(
        "subjects: [{kind: ServiceAccount, name: api, namespace: shop}]", "subjects: [{kind: ServiceAccount, name: api}]"))
    r = import_kubernetes([src], "kinds")
    assert r.unexplained == [], r.unexplained[:3]
    base = import_kubernetes([DATA / "import" / "kinds.yaml"], "kinds")
    assert r.figures["categories"]["Kubernetes defaults"] == base.figures["categories"]["Kubernetes defaults"] + 1
    assert "bind" in yaml.safe_load(r.files["apps/role.config-reader.yaml"])
    # a subject of another namespace is not said by `bind:`: the binding is kept as written
    src.write_text(src.read_text().replace("subjects: [{kind: ServiceAccount, name: api}]",
                                           "subjects: [{kind: ServiceAccount, name: api, namespace: other}]"))
    r = import_kubernetes([src], "kinds")
    kept = yaml.safe_load(r.files["apps/resource.config-reader.yaml"])["manifest"]
    assert kept["subjects"] == [{"kind": "ServiceAccount", "name": "api", "namespace": "other"}]


def test_what_a_kind_cannot_say_is_patched(tmp_path):
    src = tmp_path / "sa.yaml"
    src.write_text((DATA / "import" / "kinds.yaml").read_text().replace(
        "automountServiceAccountToken: false", "automountServiceAccountToken: false\nimagePullSecrets: [{name: reg}]"))
    r = import_kubernetes([src], "kinds")
    assert r.unexplained == []
    sa = r.files["apps/serviceaccount.api.yaml"]
    assert "k8s:\n  ServiceAccount:\n    imagePullSecrets:" in sa and "# patched" in sa


def _podinfo_variants(root: Path) -> dict:
    """Two renderings of podinfo: dev (one replica, no HPA, another colour and log level)
    and prod (HPA 3..6, a larger memory limit)."""
    out = {}
    for env in ("dev", "prod"):
        d = root / env
        d.mkdir(parents=True)
        for f in ("deployment.yaml", "service.yaml", "hpa.yaml"):
            text = (DATA / "podinfo" / f).read_text()
            if env == "dev":
                text = text.replace('"#34577c"', '"#ff0000"').replace("--level=info", "--level=debug")
            else:
                text = text.replace("minReplicas: 2", "minReplicas: 3").replace("maxReplicas: 4", "maxReplicas: 6") \
                    .replace("memory: 512Mi", "memory: 1Gi")
            if not (env == "dev" and f == "hpa.yaml"):
                (d / f).write_text(text)
        out[env] = d
    return out


def test_environments_from_renderings(tmp_path):
    import yaml
    from skyspec.importer import import_environments

    dirs = _podinfo_variants(tmp_path / "in")
    r = import_environments({k: [v] for k, v in dirs.items()}, "podinfo")
    assert r.unexplained == [], r.unexplained[:3]
    spec = yaml.safe_load(r.files["apps/podinfo.yaml"])
    assert "env" not in spec and "autoscale" not in spec and spec["resources"]["cpu_limit"] == "2000m"
    dev = yaml.safe_load(r.files["overlays/dev.yaml"])["apps"]["podinfo"]
    prod = yaml.safe_load(r.files["overlays/prod.yaml"])
    assert dev["env"] == {"PODINFO_UI_COLOR": "#ff0000"} and dev["resources"] == {"memory_limit": "512Mi"}
    assert prod["apps"]["podinfo"]["autoscale"] == {"min": 3, "max": 6, "cpu": 99}
    assert prod["settings"] == {"pdb": False, "spread": []}
    assert "minReadySeconds" not in r.files["overlays/dev.yaml"]   # common: in the spec only
    out = tmp_path / "proj"
    res = CliRunner().invoke(main, ["import", "kubernetes", "--env", f"dev={dirs['dev']}",
                                    "--env", f"prod={dirs['prod']}", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "environments:\n  dev: {overlays: [overlays/dev.yaml]}\n  prod:" in (out / "skyspec.yaml").read_text()
    assert_formatted(out)
    for env in ("dev", "prod"):
        res = CliRunner().invoke(main, ["check", str(out), "--env", env])
        assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["import", "kubernetes", "--env", "dev", "-o", str(tmp_path / "x")])
    assert res.exit_code == 2 and not (tmp_path / "x").exists()


def test_a_container_the_renderings_leave_unbounded_is_sized_for_a_real_app_where_a_profile_would_size_it(tmp_path):
    """A chart that sets no resources (Loki's ingester, cert-manager) runs unbounded; imported
    with `dev` and `prod` renderings, the profiles' defaults (dev: 64Mi, the limit too) would
    OOM-kill it. Those environments' overlays size it as a Compose import does (256Mi
    requested, limits 4x); an environment with no profile sizes nothing, as the input."""
    import yaml
    from skyspec.importer import import_environments
    from validators import assert_valid_k8s, load_docs

    text = """apiVersion: apps/v1
kind: Deployment
metadata: {name: ingester}
spec:
  selector: {matchLabels: {app: ingester}}
  template:
    metadata: {labels: {app: ingester}}
    spec:
      containers: [{name: ingester, image: grafana/loki:2.9.8, ports: [{containerPort: 3100}]}]
"""
    for env in ("dev", "prod", "staging"):
        (tmp_path / f"{env}.yaml").write_text(text)
    r = import_environments({env: [tmp_path / f"{env}.yaml"] for env in ("dev", "prod", "staging")}, "loki")
    assert r.unexplained == [], r.unexplained[:3]
    for env in ("dev", "prod"):
        overlay = yaml.safe_load(r.files[f"overlays/{env}.yaml"])
        assert overlay["defaults"] == {"resources": {"cpu": "100m", "memory": "256Mi"}}
        assert overlay["settings"]["limits"] == {"cpu": 4, "memory": 4}
    assert "# the requests of what the input runs without a bound" in r.files["overlays/dev.yaml"]
    assert "defaults" not in (yaml.safe_load(r.files["overlays/staging.yaml"]) or {})
    for rel, body in r.files.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_text(body)
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-f", "kubernetes", "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    for env, want in (("dev", {"requests": {"cpu": "100m", "memory": "256Mi"},
                               "limits": {"cpu": "400m", "memory": "1Gi"}}),
                      ("prod", {"requests": {"cpu": "100m", "memory": "256Mi"},
                                "limits": {"cpu": "400m", "memory": "1Gi"}}), ("staging", None)):
        docs = load_docs(tmp_path / "out" / env / "kubernetes" / "ingester.yaml")
        assert_valid_k8s(docs)
        c = docs[0]["spec"]["template"]["spec"]["containers"][0]
        assert c.get("resources") == want, (env, c.get("resources"))


def test_objects_naming_no_namespace_live_where_their_bindings_say(tmp_path):
    """argo-cd's install.yaml names no namespace (`kubectl apply -n argocd`); its
    ClusterRoleBindings' subjects are its accounts in argocd. Put in `default`, the
    controller ran as an account no binding names, Forbidden on every list; the project's
    namespace is now argocd, and the controller gets its token."""
    from validators import assert_valid_k8s, load_docs

    (tmp_path / "in.yaml").write_text("""apiVersion: v1
kind: ServiceAccount
metadata: {name: controller}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: controller}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: controller}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: controller}
subjects: [{kind: ServiceAccount, name: controller, namespace: argocd}, {kind: ServiceAccount, name: x, namespace: kube-system}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: controller}
spec:
  selector: {matchLabels: {app: controller}}
  template:
    metadata: {labels: {app: controller}}
    spec:
      serviceAccountName: controller
      containers: [{name: c, image: example/controller:1.0}]
""")
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "in.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert "namespace: argocd\n" in (tmp_path / "p" / "skyspec.yaml").read_text()
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-f", "kubernetes", "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    docs = [d for f in sorted((tmp_path / "out").rglob("*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(docs)
    dep = next(d for d in docs if d["kind"] == "Deployment")
    assert dep["metadata"]["namespace"] == "argocd" and dep["spec"]["template"]["spec"]["automountServiceAccountToken"]
    crb = next(d for d in docs if d["kind"] == "ClusterRoleBinding")
    assert {"kind": "ServiceAccount", "name": "controller", "namespace": "argocd"} in crb["subjects"]


def test_objects_only_some_renderings_hold_are_enabled_false_in_the_others(tmp_path):
    import yaml
    from skyspec.importer import import_environments

    dirs = _podinfo_variants(tmp_path / "in")   # prod: a worker and its ConfigMap besides
    (dirs["prod"] / "worker.yaml").write_text((DATA / "podinfo" / "deployment.yaml").read_text()
                                              .replace("podinfo", "worker"))
    (dirs["prod"] / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {a: b}\n")
    r = import_environments({k: [v] for k, v in dirs.items()}, "podinfo")
    assert r.unexplained == [], r.unexplained[:3]
    dev = yaml.safe_load(r.files["overlays/dev.yaml"])["apps"]
    assert dev["worker"] == {"enabled": False} and dev["ConfigMap/extra"] == {"enabled": False}
    assert "worker" not in yaml.safe_load(r.files["overlays/prod.yaml"])["apps"]
    assert yaml.safe_load(r.files["apps/configmap.extra.yaml"])["data"] == {"a": "b"}
    assert "App worker is in environment prod only: `enabled: false` in the others" in r.notes
    assert r.figures["objects"] == 2 + 5   # dev: podinfo's Deployment and Service; prod: those, its HPA, the worker, the ConfigMap


@pytest.mark.parametrize("tag,rule,why,said", [
    # Mattermost's rtcd chart runs `mattermost/rtcd:latest`; goharbor/harbor-helm's main branch
    # runs `goharbor/harbor-core:dev`: imported over dev and prod, neither project built (SKY069:
    # prod is protected, where `latest-image` and `mutable-tag` are errors)
    ("latest", "latest-image", "an image of no version", "of no version"),
    ("dev", "mutable-tag", "an image of a moving tag", "of the moving tag dev"),
])
def test_an_unpinned_image_in_a_protected_environment_is_a_warning_as_the_input_runs_it(tmp_path, tag, rule, why,
                                                                                        said):
    import re

    import yaml
    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_environments

    dirs = _podinfo_variants(tmp_path / "in")
    for d in dirs.values():
        f = d / "deployment.yaml"
        f.write_text(re.sub(r"image: \S+", f"image: ghcr.io/stefanprodan/podinfo:{tag}", f.read_text()))
    diags = Diagnostics()
    r = import_environments({k: [v] for k, v in dirs.items()}, "podinfo", diags=diags)
    assert r is not None and r.unexplained == [], [d.message for d in diags.errors]
    assert yaml.safe_load(r.files["skyspec.yaml"])["policy"] == {"rules": {rule: "warning"}}
    assert f"# the input runs {why}: as it does, under a warning" in r.files["skyspec.yaml"]
    (note,) = [d for d in diags.sorted() if d.code == "SKY070"]
    assert note.message.startswith(f"Deployment podinfo runs image ghcr.io/stefanprodan/podinfo:{tag}, {said}: "
                                   f"the imported project's `{rule}` rule is a warning")
    assert (note.pos.line, note.pos.col) == (26, 16) and note.hint   # at the image
    # an image with a version: no rule is lowered
    dirs = _podinfo_variants(tmp_path / "pinned")
    r = import_environments({k: [v] for k, v in dirs.items()}, "podinfo")
    assert "policy" not in yaml.safe_load(r.files["skyspec.yaml"])


def test_a_rendering_of_no_object_is_an_environment_that_runs_nothing(tmp_path):
    import yaml
    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_environments

    dirs = _podinfo_variants(tmp_path / "in")
    off = tmp_path / "in" / "off"
    off.mkdir()
    (off / "all.yaml").write_text("---\n# every component disabled\n")   # what `helm template` writes then
    r = import_environments({**{k: [v] for k, v in dirs.items()}, "off": [off]}, "podinfo")
    assert r.unexplained == [], r.unexplained[:3]
    assert yaml.safe_load(r.files["overlays/off.yaml"])["apps"] == {
        "podinfo": {"enabled": False}, "NetworkPolicy/podinfo-within-namespace": {"enabled": False}}
    diags = Diagnostics()
    assert import_environments({"off": [off], "also": [off]}, "podinfo", diags=diags) is None
    assert [d.message.split(" (")[0] for d in diags.errors] == ["no Kubernetes objects found in any rendering"]


def test_a_workload_some_renderings_lack_keeps_a_required_field_they_differ_in(tmp_path):
    # dev and prod run podinfo of two images, `off` runs nothing: the spec kept only what dev and
    # prod share (no `image`), `off` said `enabled: false`, and the project did not build there
    # (SKY103: skyspec's own blue-green chart re-imported, fuzz seed 86 case 1115)
    import yaml
    from skyspec.importer import import_environments
    from test_import_legacy import build_and_validate

    dirs = _podinfo_variants(tmp_path / "in")
    f = dirs["prod"] / "deployment.yaml"
    f.write_text(f.read_text().replace("podinfo:6.14.1", "podinfo:6.14.0"))
    off = tmp_path / "in" / "off"
    off.mkdir()
    (off / "all.yaml").write_text("---\n")
    r = import_environments({**{k: [v] for k, v in dirs.items()}, "off": [off]}, "podinfo")
    assert r.unexplained == [], r.unexplained[:3]
    assert yaml.safe_load(r.files["apps/podinfo.yaml"])["image"] == "ghcr.io/stefanprodan/podinfo:6.14.1"   # dev's
    assert yaml.safe_load(r.files["overlays/prod.yaml"])["apps"]["podinfo"]["image"] == \
        "ghcr.io/stefanprodan/podinfo:6.14.0"
    proj = tmp_path / "p"
    for rel, text in r.files.items():
        (proj / rel).parent.mkdir(parents=True, exist_ok=True)
        (proj / rel).write_text(text)
    build_and_validate(proj, tmp_path / "b1", env="dev")


def _deployment(name: str, namespace: str) -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: {name}, image: "ghcr.io/acme/{name}:1.0.0", ports: [{{name: http, containerPort: 8080}}]}}]
---
"""


def test_renderings_whose_objects_are_mostly_in_other_namespaces_are_said_against_one(tmp_path):
    # dev's objects are mostly in `one`, prod's in `two`: each rendering was said against its own
    # namespace, so web's `namespace: one` was prod's alone and dev built it in the project's `two`
    import yaml
    from skyspec.importer import import_environments

    svc = "apiVersion: v1\nkind: Service\nmetadata: {{name: {0}, namespace: {1}}}\n" \
          "spec: {{selector: {{app: {0}}}, ports: [{{name: http, port: 80, targetPort: http}}]}}\n---\n"
    renderings = {"dev": _deployment("web", "one") + svc.format("web", "one") + _deployment("worker", "two"),
                  "prod": _deployment("web", "one") + _deployment("worker", "two") + svc.format("worker", "two")
                  + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: worker-config, namespace: two}\n"
                    "data: {a: b}\n"}
    for env, text in renderings.items():
        (tmp_path / f"{env}.yaml").write_text(text)
    r = import_environments({env: [tmp_path / f"{env}.yaml"] for env in renderings}, "shop")
    assert r.unexplained == [], r.unexplained[:3]
    assert yaml.safe_load(r.files["skyspec.yaml"])["namespace"] == "two"
    assert yaml.safe_load(r.files["apps/web.yaml"])["namespace"] == "one"
    assert "namespace" not in yaml.safe_load(r.files["apps/worker.yaml"])
    assert "namespace" not in r.files["overlays/dev.yaml"] + r.files["overlays/prod.yaml"]


def test_an_object_of_a_kind_that_cannot_be_left_out_must_be_in_every_rendering(tmp_path, monkeypatch):
    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import environments, import_environments

    dirs = _podinfo_variants(tmp_path / "in")
    (dirs["prod"] / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {a: b}\n")
    monkeypatch.setattr(environments, "SWITCHABLE", tuple(k for k in environments.SWITCHABLE if k != "ConfigMap"))
    diags = Diagnostics()
    assert import_environments({k: [v] for k, v in dirs.items()}, "podinfo", diags=diags) is None
    [d] = diags.errors
    assert d.code == "SKY060" and d.message == "ConfigMap extra of environment prod is not in environment dev"
    assert d.pos.file.endswith("cm.yaml") and d.pos.line == 3 and "cannot be left out" in d.hint


def test_the_kinds_an_import_may_leave_out_are_those_whose_schema_has_enabled():
    from skyspec.importer.environments import SWITCHABLE
    from skyspec.schema.kinds import KIND_SCHEMAS

    have = set()
    for kind, schema in KIND_SCHEMAS.items():
        props = schema()["properties"]
        if "enabled" in props:
            have |= set(props["kind"].get("enum") or [props["kind"]["const"]])
    assert set(SWITCHABLE) == have


HELM = Path(__file__).resolve().parent.parent / ".tools" / "bin"


@pytest.mark.skipif(not (HELM / "helm").exists(), reason="helm is installed by scripts/test.sh into .tools/bin")
def test_helm_chart_with_two_values_files(tmp_path, monkeypatch):
    import os

    import yaml
    from skyspec.importer import import_helm

    monkeypatch.setenv("PATH", f"{HELM}{os.pathsep}{os.environ['PATH']}")
    chart, vals = DATA / "podinfo" / "chart", [str(DATA / "podinfo" / f"values-{e}.yaml") for e in ("dev", "prod")]
    r = import_helm(chart, vals, "podinfo")
    assert r.unexplained == [], r.unexplained[:3]
    assert r.spec_lines < r.input_lines
    dev = yaml.safe_load(r.files["overlays/dev.yaml"])["apps"]["podinfo"]
    prod = yaml.safe_load(r.files["overlays/prod.yaml"])["apps"]["podinfo"]
    assert dev["env"] == {"PODINFO_UI_COLOR": "#ff0000"} and "--level=debug" in dev["command"]
    assert prod["replicas"] == 3 and prod["resources"]["memory_limit"] == "512Mi"
    assert "replicas" not in yaml.safe_load(r.files["apps/podinfo.yaml"])
    out = tmp_path / "proj"
    res = CliRunner().invoke(main, ["import", "helm", str(chart), "-f", vals[0], "-f", vals[1], "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "fidelity: " in res.output
    assert_formatted(out)
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0, res.output
    monkeypatch.setenv("PATH", "/nonexistent")
    res = CliRunner().invoke(main, ["import", "helm", str(chart), "-f", vals[0], "-o", str(tmp_path / "n")])
    assert res.exit_code == 1 and "helm is not on PATH" in res.output and not (tmp_path / "n").exists()


@pytest.mark.skipif(not (HELM / "helm").exists(), reason="helm is installed by scripts/test.sh into .tools/bin")
def test_a_chart_is_rendered_for_the_namespace_it_is_installed_in(tmp_path, monkeypatch):
    # external-secrets' chart derives `--dns-name=<svc>.<namespace>.svc` from .Release.Namespace:
    # `import helm` rendered every chart for `default`, which stayed in the flags when the
    # project's namespace was changed; `-n` renders it for the namespace it is meant for
    import os

    import yaml

    monkeypatch.setenv("PATH", f"{HELM}{os.pathsep}{os.environ['PATH']}")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: hook\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("image: ghcr.io/acme/hook:1.0.0\n")
    (chart / "templates" / "d.yaml").write_text("""apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}, namespace: {{ .Release.Namespace }}, labels: {app: hook}}
spec:
  selector: {matchLabels: {app: hook}}
  template:
    metadata: {labels: {app: hook}}
    spec:
      containers:
        - name: hook
          image: {{ .Values.image }}
          args: ["--dns-name={{ .Release.Name }}.{{ .Release.Namespace }}.svc"]
""")
    out = tmp_path / "proj"
    res = CliRunner().invoke(main, ["import", "helm", str(chart), "-f", f"dev={chart / 'values.yaml'}", "-o", str(out),
                                    "--name", "eso", "-n", "external-secrets"])
    assert res.exit_code == 0, res.output
    assert yaml.safe_load((out / "skyspec.yaml").read_text())["namespace"] == "external-secrets"
    assert yaml.safe_load((out / "apps" / "eso.yaml").read_text())["args"] == ["--dns-name=eso.external-secrets.svc"]
    # a namespace is a DNS label, never another flag of helm's
    res = CliRunner().invoke(main, ["import", "helm", str(chart), "-f", f"dev={chart / 'values.yaml'}", "-o",
                                    str(tmp_path / "x"), "-n", "--post-renderer=/bin/sh"])
    assert res.exit_code == 2 and "is not a namespace name" in res.output and not (tmp_path / "x").exists()


@pytest.mark.skipif(not (HELM / "helm").exists(), reason="helm is installed by scripts/test.sh into .tools/bin")
def test_a_chart_whose_values_enable_a_component_in_one_environment(tmp_path, monkeypatch):
    # podinfo's `redis.enabled` (a Deployment, its Service and ConfigMap) and `serviceAccount.enabled`
    # in prod only: "every rendering must hold the same objects" refused the import
    import os

    import yaml
    from skyspec.importer import import_helm

    monkeypatch.setenv("PATH", f"{HELM}{os.pathsep}{os.environ['PATH']}")
    prod = tmp_path / "values-prod.yaml"
    prod.write_text((DATA / "podinfo" / "values-prod.yaml").read_text()
                    + "redis: {enabled: true}\nserviceAccount: {enabled: true, name: podinfo-sa}\n")
    vals = [str(DATA / "podinfo" / "values-dev.yaml"), str(prod)]
    r = import_helm(DATA / "podinfo" / "chart", vals, "podinfo")
    assert r.unexplained == [], r.unexplained[:3]
    dev = yaml.safe_load(r.files["overlays/dev.yaml"])["apps"]
    assert {k: v for k, v in dev.items() if v == {"enabled": False}} == {
        "podinfo-redis": {"enabled": False}, "ConfigMap/podinfo-redis": {"enabled": False},
        "ServiceAccount/podinfo-sa": {"enabled": False}}
    prod_apps = yaml.safe_load(r.files["overlays/prod.yaml"])["apps"]
    assert prod_apps["podinfo"]["service_account"] == "podinfo-sa"   # the dev pods run as the default one
    out = tmp_path / "podinfo"   # (the project, and the release, are named after it)
    res = CliRunner().invoke(main, ["import", "helm", str(DATA / "podinfo" / "chart"), "-f", vals[0], "-f", vals[1],
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(tmp_path / "built"), "--format",
                                    "kubernetes,compose,helm,kustomize"])
    assert res.exit_code == 0, res.output
    from validators import assert_valid_k8s, helm, kubectl, load_docs

    built = tmp_path / "built"
    assert helm("lint", str(built / "helm" / "podinfo")).returncode == 0
    for env, redis in (("dev", False), ("prod", True)):
        docs = load_docs(built / env / "kubernetes")
        assert_valid_k8s(docs)
        assert (("Deployment", "podinfo-redis") in {(d["kind"], d["metadata"]["name"]) for d in docs}) == redis
        r = kubectl("kustomize", str(built / "kustomize" / "overlays" / env))
        assert r.returncode == 0 and ("name: podinfo-redis" in r.stdout) == redis, r.stderr


@pytest.mark.skipif(not (HELM / "helm").exists(), reason="helm is installed by scripts/test.sh into .tools/bin")
def test_a_chart_whose_statefulset_names_the_headless_service_skyspec_makes(tmp_path, monkeypatch):
    # prometheus-community's alertmanager: its `<release>-alertmanager-headless` Service was kept
    # as a Resource beside the one the StatefulApp makes (two objects of one identity, which
    # kubectl overwrites and Kustomize refuses), and its `app.kubernetes.io/name` and
    # `instance` labels went into `labels:`, where the first build warned that they are dropped
    import os

    import yaml
    from skyspec.importer import import_helm
    from validators import assert_valid_k8s, helm, kubectl, load_docs

    monkeypatch.setenv("PATH", f"{HELM}{os.pathsep}{os.environ['PATH']}")
    chart = DATA / "alertmanager" / "chart"
    r = import_helm(chart, [str(chart / "values.yaml")], "am")
    assert r.unexplained == [], r.unexplained[:3]
    assert not any("Resource" in text for text in r.files.values()), sorted(r.files)
    assert [d.code for d in r.diags if "headless Service of StatefulSet am-alertmanager" in d.message] == ["SKY061"]
    sts = yaml.safe_load(r.files["apps/statefulapp.am-alertmanager.yaml"])
    assert not any(k.startswith("app.kubernetes.io/") for k in sts.get("labels") or {})
    out = tmp_path / "am"  # (the project, and the release the chart is rendered as, are named after it)
    res = CliRunner().invoke(main, ["import", "helm", str(chart), "-f", str(chart / "values.yaml"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    built = tmp_path / "built"
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(built), "--format", "kubernetes,helm,kustomize"])
    assert res.exit_code == 0 and "SKY108" not in res.output, res.output
    docs = load_docs(next(built.glob("*/kubernetes")))
    assert_valid_k8s(docs)
    ids = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert len(ids) == len(set(ids)) and ("Service", "am-alertmanager-headless") in ids
    assert helm("lint", "--strict", str(next(built.glob("helm/*")))).returncode == 0
    assert kubectl("kustomize", str(next(built.glob("kustomize/overlays/*")))).returncode == 0
    # no `k8s:` patch of the containers: the list written whole (for the env's POD_IP) froze the
    # spec's image, args, ports and probes, so editing them did nothing; the pod IP the cluster
    # peers advertise is `downward:`, and the container's group is the pod's (named, not patched)
    spec_file = out / "apps" / "statefulapp.am-alertmanager.yaml"
    # (nor of the pod's token: the chart's account says `automountServiceAccountToken: true`, which grants it)
    pod_patch = yaml.safe_load(spec_file.read_text())["k8s"]["StatefulSet"]["spec"]["template"].get("spec", {})
    assert "containers" not in pod_patch and "$patch" not in spec_file.read_text()
    assert yaml.safe_load(spec_file.read_text())["downward"] == {"POD_IP": "status.podIP"}
    built_env = next(d for d in docs if d["kind"] == "StatefulSet")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert built_env == [{"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}]
    spec_file.write_text(spec_file.read_text().replace("image: quay.io/prometheus/alertmanager:v0.34.0",
                                                       "image: quay.io/prometheus/alertmanager:v0.35.0"))
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(tmp_path / "b2"), "--format", "kubernetes"])
    assert res.exit_code == 0, res.output
    sts_obj = next(d for d in load_docs(next((tmp_path / "b2").glob("*/kubernetes"))) if d["kind"] == "StatefulSet")
    assert [c["image"] for c in sts_obj["spec"]["template"]["spec"]["containers"]] == \
        ["quay.io/prometheus/alertmanager:v0.35.0"]


def test_an_env_name_given_twice_takes_its_last_value_as_kubernetes_does(tmp_path):
    # the importer kept the first value, and the round trip refused the import (SKY067)
    import yaml

    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
           "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "ghcr.io/acme/web:1.0", "env": [
                        {"name": "A", "value": "x"}, {"name": "B", "value": "y"}, {"name": "B", "value": "z"}]}]}}}}
    src = tmp_path / "web.yaml"
    src.write_text(yaml.safe_dump(dep, sort_keys=False))
    r = import_kubernetes([src], "t")
    assert r.unexplained == [] and yaml.safe_load(r.files["apps/web.yaml"])["env"] == {"A": "x", "B": "z"}
    (w,) = [d for d in r.diags if d.severity == "warning" and "given twice" in d.message]
    assert (w.code, w.pos.line) == ("SKY061", src.read_text().splitlines().index("        - name: B") + 1)
    # where a value reads a variable, every entry counts in its order: kept as the input has it
    dep["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "C", "value": "$(B)/c"})
    src.write_text(yaml.safe_dump(dep, sort_keys=False))
    r = import_kubernetes([src], "t")
    assert r.unexplained == [] and not any("given twice" in d.message for d in r.diags)


def test_a_patched_list_takes_the_inputs_value_only_where_the_difference_is_unexplained():
    from skyspec.importer.patch import _put

    built = [{"name": "app", "image": "x", "ports": [{"name": "http", "containerPort": 80}],
              "securityContext": {"runAsUser": 10001}, "env": [{"name": "A", "value": "1"}]}]
    given = [{"name": "app", "image": "x", "ports": [{"containerPort": 80}], "securityContext": {"runAsUser": 0},
              "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}]
    _put(built, given, ("[name=app]", "env", "[name=B]", "name"))       # an item the input adds
    _put(built, given, ("[name=app]", "env", "[name=B]", "value"))
    assert built[0]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    # the named differences (a port's name, hardening) stay the build's
    assert built[0]["ports"] == [{"name": "http", "containerPort": 80}] and built[0]["securityContext"]["runAsUser"] == 10001
    _put(built, given, ("[name=app]", "image"))
    _put(built, [{"name": "app"}], ("[name=app]", "securityContext"))   # a field the input lacks: removed
    assert "securityContext" not in built[0]
    _put(built, [], ("[name=app]", "image"))                             # an item only the build has: removed
    assert built == []


def test_a_patch_keeps_the_order_of_variables_that_read_each_other():
    from skyspec.importer.patch import _diff

    at = ("spec", "template", "spec", "containers")
    have = [{"name": "app", "image": "x", "env": [{"name": "B", "value": "b"}, {"name": "A", "value": "a"}]}]
    want = [{"name": "app", "image": "x", "env": [{"name": "A", "value": "a"}, {"name": "B", "value": "b"}]}]
    assert _diff("Deployment", at, have, want) == []   # an order Kubernetes does not read: nothing to patch
    want[0]["env"][1]["value"] = "$(A)/b"              # B reads A, so A must come first
    have[0]["env"][0]["value"] = "$(A)/b"
    assert _diff("Deployment", at, have, want) == [
        {"name": "app", "env": [{"$patch": "replace"}, {"name": "A", "value": "a"}, {"name": "B", "value": "$(A)/b"}]}]
    want[0]["env"].append({"name": "C", "value": "c"})  # an item added: said alone
    have[0]["env"] = list(want[0]["env"][:2])
    have[0]["image"] = "y"
    assert _diff("Deployment", at, have, want) == [{"name": "app", "image": "x", "env": [{"name": "C", "value": "c"}]}]


def test_workload_fields_said_in_the_language():
    import yaml

    r = import_kubernetes([DATA / "import" / "workloads.yaml"], "w")
    assert r.unexplained == [] and "k8s:" not in "".join(r.files.values())
    web = yaml.safe_load(r.files["apps/web.yaml"])
    assert web["container"] == "nginx" and web["ports"] == {"http": {"port": 8080, "service": 80}}
    assert web["expose"] == {"type": "NodePort", "node_port": 30080}
    assert web["lifecycle"] == {"pre_stop": ["sleep", "5"], "termination_grace": 45}
    assert web["tolerations"] == [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}]
    assert web["image_pull_secrets"] == ["registry"] and web["env"] == {"MODE": "fast"}
    assert web["connect_to"] == {"db": {"env": "DB_ADDR"}}   # the value was db's address: the language writes it
    assert yaml.safe_load(r.files["apps/secret.registry.yaml"]) == {"kind": "Secret", "name": "registry",
                                                                    "existing": True}
    db = yaml.safe_load(r.files["apps/statefulapp.db.yaml"])
    assert db["storage"] == {"data": {"size": "10Gi", "mount": "/var/lib/postgresql/data", "class": "fast"}}
    assert db["pod_management"] == "Parallel" and db["strategy"] == {"rolling": {"partition": 0}}
    job = yaml.safe_load(r.files["apps/job.migrate.yaml"])
    assert (job["backoff_limit"], job["active_deadline"], job["ttl"], job["restart"]) == (2, 600, 3600, "Never")
    cron = yaml.safe_load(r.files["apps/cronjob.report.yaml"])
    assert cron["time_zone"] == "Europe/Paris" and cron["concurrency"] == "Forbid"
    assert cron["history"] == {"successful": 1, "failed": 2}
    assert any(d.code == "SKY064" and "registry" in d.message for d in r.diags)


def test_compose_one_shot_job_grace_period_unknown_keys_and_a_difference_the_round_trip_catches(tmp_path):
    import yaml
    from skyspec.importer import compose_fidelity, import_compose

    (tmp_path / "compose.yaml").write_text("""\
services:
  migrate:
    image: ghcr.io/acme/migrate:1.0
    command: up
  api:
    image: ghcr.io/acme/api:1.0
    ports: ["8080"]
    stop_grace_period: 20s
    cap_add: [NET_ADMIN]
    labels: [tier=api, "not a label=x"]
    depends_on:
      migrate: {condition: service_completed_successfully}
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    assert yaml.safe_load(r.files["apps/job.migrate.yaml"]) == {"kind": "Job", "name": "migrate",
                                                                "image": "ghcr.io/acme/migrate:1.0", "args": ["up"]}
    api = yaml.safe_load(r.files["apps/api.yaml"])
    assert api["lifecycle"] == {"termination_grace": 20} and "connect_to" not in api
    assert [(d.code, d.severity, d.pos.line) for d in r.diags if "cap_add" in d.message] == [("SKY066", "warning", 9)]
    assert api["labels"] == {"tier": "api"} and any("label not a label" in d.message for d in r.diags)
    assert r.figures["categories"]["a key the importer does not carry over (warned)"] == 1
    assert r.figures["categories"]["depends_on a service without ports (start order not kept)"] == 1
    data = yaml.safe_load((tmp_path / "compose.yaml").read_text())
    built = {"services": {"migrate": {"image": "ghcr.io/acme/migrate:1.0", "command": ["down"]},
                          "api": {"image": "ghcr.io/acme/api:1.0", "stop_grace_period": "20s",
                                  "ports": [{"target": 8080}], "labels": {"tier": "api"},
                                  "depends_on": {"migrate": {"condition": "service_completed_successfully"}}}}}
    figs, bad = compose_fidelity.compare(data, built, {}, {})
    assert bad == ["migrate.command"]


def test_kubectl_get_output_leaves_out_what_the_server_set():
    import yaml

    r = import_kubernetes([DATA / "import" / "kubectl-get.yaml"], "k")
    assert r.unexplained == [] and "k8s:" not in "".join(r.files.values())
    assert yaml.safe_load(r.files["apps/api.yaml"]) == {"kind": "App", "name": "api", "labels": {"app": "api"},
                                                        "image": "ghcr.io/acme/api:1.0", "port": 8080, "replicas": 2}
    pvc = yaml.safe_load(r.files["apps/resource.data.yaml"])["manifest"]
    assert "status" not in pvc and pvc["metadata"] == {"name": "data", "namespace": "shop"}
    assert "namespace: shop" in r.files["skyspec.yaml"]


GUIDE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, labels: {app: api}}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: server
          image: ghcr.io/acme/api:1.4.2
          ports: [{name: grpc, containerPort: 7070}, {name: http, containerPort: 8080}]
          env:
            - {name: LOG_LEVEL, value: info}
            - name: API_TOKEN
              valueFrom: {secretKeyRef: {name: api-token, key: token}}
          readinessProbe: {grpc: {port: 7070}, periodSeconds: 5}
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {memory: 256Mi}
---
apiVersion: v1
kind: Secret
metadata: {name: api-token}
type: Opaque
data: {token: Y2hhbmdlLW1l}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: 8080}, {name: grpc, port: 7070, targetPort: 7070}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api}
spec:
  rules:
    - host: api.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: api, port: {number: 80}}}
"""


def test_secret_grpc_probe_and_ingress_port_by_number_are_said_in_the_language(tmp_path):
    """The porting guide's manifests: the Secret in the input is `keys:` (not `existing`), the
    gRPC readiness probe keeps the containers in the language, and the Ingress's backend port
    by number (80, the Service's `http`) is `expose: {port: http}`, a difference by name only."""
    import yaml
    from validators import load_docs

    (tmp_path / "api.yaml").write_text(GUIDE)
    r = import_kubernetes([tmp_path / "api.yaml"], "g")
    assert r.unexplained == [] and "k8s:" not in "".join(r.files.values())
    assert not [d for d in r.diags if d.code == "SKY065"]
    assert not [d for d in r.diags if "not in the input" in d.message or "existing" in d.message]
    assert yaml.safe_load(r.files["apps/secret.api-token.yaml"]) == {"kind": "Secret", "name": "api-token",
                                                                     "keys": ["token"]}
    assert "Y2hhbmdlLW1l" not in "".join(r.files.values()) and "change-me" not in "".join(r.files.values())
    api = yaml.safe_load(r.files["apps/api.yaml"])
    assert api["container"] == "server" and api["ports"] == {"grpc": 7070, "http": {"port": 8080, "service": 80}}
    assert api["health"] == {"liveness": {"http": "/healthz", "port": "http"}, "readiness": {"grpc": 7070, "period": 5}}
    assert api["secrets"] == {"API_TOKEN": {"secret": "api-token", "key": "token"}}
    assert api["expose"] == {"port": "http", "host": "api.example.com"}
    assert r.figures["categories"]["port by name"] >= 1
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "api.yaml"), "-o", str(out)])
    assert res.exit_code == 0 and "SKY067" not in res.output, res.output
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0, res.output
    objs = {(d["kind"], d["metadata"]["name"]): d for p in sorted((tmp_path / "built").rglob("kubernetes/*.yaml"))
            for d in load_docs(p)}
    c = objs[("Deployment", "api")]["spec"]["template"]["spec"]["containers"][0]
    assert c["name"] == "server" and c["readinessProbe"] == {"grpc": {"port": 7070}, "periodSeconds": 5}
    assert objs[("Ingress", "api")]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"] == \
        {"name": "api", "port": {"name": "http"}}
    admit = objs[("NetworkPolicy", "api-ingress")]["spec"]["ingress"][0]   # the ingress controller reaches it
    assert admit["ports"] == [{"port": 8080, "protocol": "TCP"}]


def test_ingress_port_by_number_is_a_named_difference_only_for_the_same_service_port():
    from skyspec.importer import fidelity

    def ing(port):
        return {"kind": "Ingress", "metadata": {"name": "api"}, "spec": {"rules": [{"host": "a.example.com", "http": {
            "paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": port}}}]}}]}}

    svc = {"kind": "Service", "metadata": {"name": "api"},
           "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}
    figs, bad = fidelity.compare([ing({"number": 80})], [ing({"name": "http"}), svc])
    assert bad == [] and figs["categories"]["port by name"] == 1
    figs, bad = fidelity.compare([ing({"number": 81})], [ing({"name": "http"}), svc])
    assert {fidelity.shown(b[1]) for b in bad} == {"spec.rules[0].http.paths[0].backend.service.port.number",
                                                   "spec.rules[0].http.paths[0].backend.service.port.name"}
    assert "port by name" not in figs["categories"]


def test_an_ingress_kept_as_written_to_a_port_the_build_names_otherwise_routes_by_number(tmp_path):
    """Bitnami's MinIO: the Service's port `tcp-api` serves the container's `api`, and the
    Ingress routes to `tcp-api`. The Ingress is kept as written (`expose` routes by the
    container port's name), the build's Service names its port `api`, and the build refused the
    Ingress (SKY161: no port `tcp-api`). It routes to the port's number now, noted; the round
    trip reads the two as the same port of the input's Service."""
    import yaml

    from skyspec.diagnostics import Diagnostics
    from test_import_legacy import build_and_validate

    src = tmp_path / "minio.yaml"
    src.write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: minio}
spec:
  selector: {matchLabels: {app: minio}}
  template:
    metadata: {labels: {app: minio}}
    spec:
      containers: [{name: minio, image: "bitnami/minio:2025.7.23", ports: [{name: api, containerPort: 9000}]}]
---
apiVersion: v1
kind: Service
metadata: {name: minio}
spec:
  selector: {app: minio}
  ports: [{name: tcp-api, port: 9000, targetPort: api}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: minio}
spec:
  rules:
  - host: minio.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: minio, port: {name: tcp-api}}}}]
""")
    diags = Diagnostics()
    r = import_kubernetes([src], "m", diags)
    assert r is not None and r.unexplained == [], [d.message for d in diags.errors]
    ing = yaml.safe_load(r.files["apps/resource.minio.yaml"])["manifest"]
    assert ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] == {"number": 9000}
    assert [d.message for d in diags.sorted() if "by its number" in d.message] == [
        "Ingress minio routes to port 9000 of Service minio by its number: the build names that port as the "
        "container's, not tcp-api"]
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    built = build_and_validate(tmp_path / "p", tmp_path)
    (svc,) = [o for o in built if o["kind"] == "Service" and o["metadata"]["name"] == "minio"]
    (ing,) = [o for o in built if o["kind"] == "Ingress"]
    assert [p["port"] for p in svc["spec"]["ports"]] == [9000]
    assert ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"] == {"name": "minio", "port": {"number": 9000}}


def test_a_variable_naming_a_database_is_no_call_to_a_service_of_that_name(tmp_path):
    # Kubernetes' WordPress example: MySQL's `MYSQL_DATABASE: wordpress` (and `MYSQL_USER`) names
    # the database, which has the name of the Service `wordpress`: the import inferred a call
    # from MySQL to WordPress and, connect_to making a cycle, a NetworkPolicy admitting it
    import yaml

    def deploy(name: str, image: str, env: dict) -> dict:
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
                "spec": {"selector": {"matchLabels": {"app": name}}, "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": name, "image": image, "ports": [{"containerPort": 8080}],
                                             "env": [{"name": k, "value": v} for k, v in env.items()]}]}}}}

    def service(name: str) -> dict:
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                "spec": {"selector": {"app": name}, "ports": [{"port": 8080}]}}

    def imported(db_env: dict):
        (tmp_path / "in.yaml").write_text(yaml.safe_dump_all([
            deploy("wordpress", "ghcr.io/acme/wp:6.2.1", {"WORDPRESS_DB_HOST": "db"}), service("wordpress"),
            deploy("db", "ghcr.io/acme/db:8.0", db_env), service("db")]))
        r = import_kubernetes([tmp_path / "in.yaml"], "p")
        return r, yaml.safe_load(r.files["apps/wordpress.yaml"]), yaml.safe_load(r.files["apps/db.yaml"])

    r, wp, db = imported({"MYSQL_DATABASE": "wordpress", "MYSQL_USER": "wordpress"})
    assert wp["connect_to"] == {"db": {"env": "WORDPRESS_DB_HOST", "form": "host"}}
    assert "connect_to" not in db and not any("-from-" in f for f in r.files), sorted(r.files)
    assert db["env"] == {"MYSQL_DATABASE": "wordpress", "MYSQL_USER": "wordpress"}
    # a host variable still names its Service (here a call back: a cycle, so a policy)
    r, wp, db = imported({"MYSQL_DATABASE": "wordpress", "CALLBACK_HOST": "wordpress"})
    assert "connect_to" in db or any("-from-" in f for f in r.files), sorted(r.files)


def test_a_secret_the_input_lacks_is_still_existing(tmp_path):
    import yaml

    (tmp_path / "api.yaml").write_text(GUIDE.split("---\napiVersion: v1\nkind: Secret")[0] + "---\n"
                                       + GUIDE.split("---\n", 2)[2])
    r = import_kubernetes([tmp_path / "api.yaml"], "g")
    assert yaml.safe_load(r.files["apps/secret.api-token.yaml"]) == {"kind": "Secret", "name": "api-token",
                                                                     "existing": True}
    assert [d.code for d in r.diags if "is not in the input" in d.message] == ["SKY064"]


def test_a_service_account_the_input_lacks_is_declared_existing(tmp_path):
    # a chart's `serviceAccount: {create: false, name: x}` (an identity a cloud IAM binding
    # makes), and argo-workflows' RoleBinding of the account its workflows run as: the import
    # was refused (SKY114: not defined in this project)
    import yaml

    from test_import_legacy import build_and_validate

    (tmp_path / "in.yaml").write_text("""apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: builder
      containers: [{name: web, image: "ghcr.io/acme/web:1.0.0"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: workflow}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, watch, patch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: workflow}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: workflow}
subjects: [{kind: ServiceAccount, name: argo-workflow}, {kind: ServiceAccount, name: builder}]
""")
    r = import_kubernetes([tmp_path / "in.yaml"], "p")
    accounts = sorted((yaml.safe_load(t) for f, t in r.files.items() if "kind: ServiceAccount" in t),
                      key=lambda d: d["name"])
    assert accounts == [{"kind": "ServiceAccount", "name": "argo-workflow", "existing": True},
                        {"kind": "ServiceAccount", "name": "builder", "existing": True}], r.files
    said = [(d.code, d.message, d.pos.line) for d in r.diags if "ServiceAccount" in d.message]
    assert said == [("SKY073", "ServiceAccount builder, used by web, is not in the input: declared `existing: true`", 9),
                    ("SKY073", "ServiceAccount argo-workflow, used by workflow, is not in the input: declared "
                               "`existing: true`", 21)], said
    for rel, text in r.files.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_text(text)
    docs = build_and_validate(tmp_path / "p", tmp_path)
    assert not [o for o in docs if o["kind"] == "ServiceAccount"]   # the cluster's: none written
    assert [s["name"] for o in docs if o["kind"] == "RoleBinding" for s in o["subjects"]] == ["argo-workflow", "builder"]


def test_a_compose_service_holding_its_own_address_admits_its_pods(tmp_path):
    # temporalio/docker-compose: the server reaches its own frontend at `temporal:7233`; the
    # import was refused (SKY163: its own NetworkPolicy did not admit the call). The policy of
    # its Compose network admits its pods to each other, as the network did: the namespace's
    # when one network holds every service, else the network's
    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose
    from test_import_compose_networks import _admits
    from test_import_legacy import build_and_validate

    text = """services:
  temporal:
    image: temporalio/auto-setup:1.29.1
    environment: [TEMPORAL_ADDRESS=temporal:7233, DB=postgres12]
    ports: ["7233:7233"]
    networks: [temporal-network]
  temporal-ui:
    image: temporalio/ui:2.40.1
    depends_on: [temporal]
    environment: [TEMPORAL_ADDRESS=temporal:7233]
    ports: ["8080:8080"]
    networks: [temporal-network]
networks:
  temporal-network: {driver: bridge}
"""
    src = tmp_path / "compose.yaml"
    for i, (variant, policy) in enumerate([
            (text, "t-within-namespace"),
            (text.replace("[temporal-network]\n  temporal-ui", "[temporal-network, db]\n  temporal-ui").replace(
                "networks:\n  temporal-network", "  postgresql: {image: \"postgres:16\", networks: [db]}\n"
                "networks:\n  db: {}\n  temporal-network"), "t-network-temporal-network"),
            (text.replace("    networks: [temporal-network]\n", "").split("networks:")[0], "t-within-namespace")]):
        src.write_text(variant)
        diags = Diagnostics()
        r = import_compose(src, "t", diags)
        assert r is not None and r.unexplained == [], r.unexplained if r else [d.message for d in diags.errors]
        assert f"apps/networkpolicy.{policy}.yaml" in r.files and not [f for f in r.files if "from-itself" in f]
        for rel, t in r.files.items():
            (tmp_path / f"p{i}" / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / f"p{i}" / rel).write_text(t)
        k8s = build_and_validate(tmp_path / f"p{i}", tmp_path / f"b{i}", "dev")
        assert _admits(k8s, "temporal", "temporal", 7233)
        assert 7233 in [p["port"] for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "temporal"
                        for p in o["spec"]["ports"]]

def test_a_port_only_the_services_own_address_names_is_declared(tmp_path):
    """Confluent's cp-all-in-one: the broker is its own controller at `1@broker:29093`
    (KAFKA_CONTROLLER_QUORUM_VOTERS), a port it does not publish and no other service names.
    Through its Service only the Service's ports are reached: the import was refused (SKY161).
    The port is declared, with a note naming the broker's own variable. Its `hostname: broker`
    is the pod's (a `k8s:` patch): Kafka binds its listeners to `broker:29092`, which in the pod
    must be its own address, not the Service's (where nothing can bind); a StatefulSet names
    its pods itself, so a database's hostname is a note, as is an official image's."""
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  broker:
    image: confluentinc/cp-kafka:8.2.0
    hostname: broker
    ports: ["9092:9092"]
    environment:
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@broker:29093'
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://broker:29092,PLAINTEXT_HOST://localhost:9092'
  registry:
    image: confluentinc/cp-schema-registry:8.2.0
    depends_on: [broker]
    environment: {SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'broker:29092'}
    ports: ["8081:8081"]
  db:
    image: ghcr.io/acme/postgres:16
    hostname: db
    volumes: [data:/var/lib/db]
  cache:
    image: redis:7.4
    hostname: cache
volumes: {data: {}}
""")
    diags = Diagnostics()
    r = import_compose(src, "t", diags)
    assert r is not None and r.unexplained == [], [d.message for d in diags.errors]
    broker = yaml.safe_load(r.files["apps/broker.yaml"])
    assert broker["ports"] == {"kafka": 9092, "p29092": 29092, "p29093": 29093}
    assert any(d.message == "service broker: port 29093: broker itself (KAFKA_CONTROLLER_QUORUM_VOTERS) holds an "
                            "address on it (Compose reaches any port, Kubernetes the Service's)" for d in diags.items)
    for rel, t in r.files.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_text(t)
    k8s = build_and_validate(tmp_path / "p", tmp_path, "dev")
    svc = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "broker")
    assert sorted(p["port"] for p in svc["spec"]["ports"]) == [9092, 29092, 29093]
    pods = {o["metadata"]["name"]: o["spec"]["template"]["spec"] for o in k8s
            if o["kind"] in ("Deployment", "StatefulSet")}
    assert pods["broker"]["hostname"] == "broker" and "hostname" not in pods["db"]
    notes = [d.message for d in diags.items if d.severity == "note"]
    assert "service db: hostname db is not carried over: a StatefulSet names its pods (db-0, ...)" in notes
    # an official image listens on every address, and a patch would keep its stdlib template out
    assert "service cache: hostname cache is not carried over: the official image listens on every address" in notes
    assert yaml.safe_load(r.files["apps/statefulapp.cache.yaml"])["use"] == "redis"


def test_a_port_an_address_names_beside_the_declared_ones_is_declared(tmp_path):
    # n8n-io/n8n-hosting: the runner reaches n8n's task broker at `n8n:5679`; n8n publishes
    # only 5678, and Compose reaches any port of a service, Kubernetes only its Service's
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    text = """services:
  n8n:
    image: docker.n8n.io/n8nio/n8n:1.120.0
    ports: ["5678:5678", "8443:443"]
    environment: [N8N_RUNNERS_MODE=external]
  n8n-runner:
    image: n8nio/runners:1.120.0
    environment: [N8N_RUNNERS_TASK_BROKER_URI=http://n8n:5679]
    depends_on: [n8n]
"""
    src = tmp_path / "compose.yaml"
    src.write_text(text)
    diags = Diagnostics()
    r = import_compose(src, "n8n", diags)
    assert r is not None and r.unexplained == [], r.unexplained if r else [d.message for d in diags.errors]
    assert yaml.safe_load(r.files["apps/n8n.yaml"])["ports"] == {"http": 5678, "https": {"port": 443, "host_port": 8443},
                                                                  "p5679": 5679}
    assert "service n8n: port 5679: n8n-runner (N8N_RUNNERS_TASK_BROKER_URI) holds an address on it (Compose " \
        "reaches any port, Kubernetes the Service's)" in [d.message for d in diags.items]
    for rel, t in r.files.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_text(t)
    build_and_validate(tmp_path / "p", tmp_path, "dev")
    # an address on a published host port (8443) is the input's mistake: refused, not declared away
    src.write_text(text.replace("TASK_BROKER_URI=http://n8n:5679", "TASK_BROKER_URI=http://n8n:8443"))
    diags = Diagnostics()
    assert import_compose(src, "n8n", diags) is None
    assert [d.code for d in diags.errors] == ["SKY069"] and "port 8443 of Service/n8n" in diags.errors[0].message


def test_an_output_folder_of_a_long_name_gives_a_project_name_that_builds(tmp_path):
    # `-o out/n8n-io_n8n-hosting_docker-compose_withPostgres_docker-compose_yml` named the
    # project and its namespace with all 64 characters: the import refused its own project
    src = tmp_path / "compose.yaml"
    src.write_text("services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    ports: ['8080:8080']\n")
    out = tmp_path / ("n8n-io_n8n-hosting_docker-compose_withPostgres_docker-compose_yml" + "_x" * 10)
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    project = (out / "skyspec.yaml").read_text()
    assert "project: n8n-io-n8n-hosting-docker-compose-withpostgres-docker\n" in project, project


def test_base_60_numbers_are_text_in_a_compose_file(tmp_path):
    # windmill's caddy publishes `25:25` (SMTP) unquoted: YAML 1.1 reads it as the base-60
    # integer 1525, so the port was 1525 in every output (and `222:22`, git's SSH, 13342);
    # compose-go reads YAML 1.2, where both are text. A spec file keeps YAML 1.1 (documented).
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose

    src = tmp_path / "compose.yaml"
    src.write_text("services:\n  mail:\n    image: ghcr.io/acme/smtp:1.0.0\n    ports: [25:25, 587:587]\n"
                   "    environment: {QUEUE_RETRY: 1:30:00, RATIO: 1:30.5, PLAIN: 90}\n"
                   "  git:\n    image: ghcr.io/acme/git:1.0.0\n    ports: [3000:3000, 222:22]\n")
    diags = Diagnostics()
    r = import_compose(src, "sx", diags)
    assert r is not None and r.unexplained == [], [d.message for d in diags.errors]
    mail, git = (yaml.safe_load(r.files[f"apps/{n}.yaml"]) for n in ("mail", "git"))
    assert mail["ports"] == {"smtp": 25, "submission": {"port": 587, "host_port": 587}}
    assert mail["env"] == {"QUEUE_RETRY": "1:30:00", "RATIO": "1:30.5", "PLAIN": "90"}
    assert git["ports"] == {"http": 3000, "ssh": {"port": 22, "host_port": 222}}


def test_a_commands_own_dollar_paren_stays_text_for_the_kubelet(tmp_path):
    # zulip's rabbitmq writes `$$(RABBITMQ_DEFAULT_USER)` into rabbitmq.conf (RabbitMQ reads it
    # there): the container gets `$(RABBITMQ_DEFAULT_USER)`, which the import wrote as it is, so
    # the kubelet expanded it from the container's environment; `$$$$` (the shell's PID) became `$`
    import yaml

    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  mq:
    image: ghcr.io/acme/mq:1.0.0
    command: [sh, -euc, "echo 'user = $$(MQ_USER) $$$$' >> /tmp/mq.conf; echo \\"$$(cat /etc/x)\\"; exec mq"]
    environment: {MQ_USER: zulip}
""")
    r = import_compose(src, "zu")
    assert r is not None and r.unexplained == [], r.unexplained
    want = "echo 'user = $(MQ_USER) $$' >> /tmp/mq.conf; echo \"$(cat /etc/x)\"; exec mq"   # what the container gets
    args = yaml.safe_load(r.files["apps/mq.yaml"])["args"]
    assert args == ["sh", "-euc", "echo 'user = $$(MQ_USER) $$$' >> /tmp/mq.conf; echo \"$(cat /etc/x)\"; exec mq"]
    for rel, t in r.files.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_text(t)
    build_and_validate(tmp_path / "p", tmp_path, "dev")
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())["services"]["mq"]
    assert [w.replace("$$", "$") for w in built["command"]] == ["sh", "-euc", want]


def test_a_default_is_interpolated_as_compose_does(tmp_path):
    # documenso: `${DIRECT_URL:-${DATABASE_URL}}` was written as the literal `${DATABASE_URL}`,
    # and `${URL:-http://localhost:$PORT}` kept `$PORT`; Compose interpolates a default too
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose
    from skyspec.importer.compose import interpolate

    unresolved: set = set()
    assert interpolate("${A:-${B}}", {"B": "b"}, unresolved) == "b" and not unresolved
    assert interpolate("${A:+x${B}}", {"A": "1", "B": "b"}, unresolved) == "xb"
    assert interpolate("${A:-${B:?set B}}", {}, unresolved) == "${B:?set B}" and unresolved == {"B"}
    src = tmp_path / "compose.yaml"
    (tmp_path / ".env").write_text("DATABASE_URL=postgres://app@db:5432/app\n")
    src.write_text("services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    environment:\n"
                   "      - DIRECT=${DIRECT:-${DATABASE_URL}}\n      - URL=${URL:-http://localhost:$PORT/x}\n")
    diags = Diagnostics()
    r = import_compose(src, "nd", diags)
    assert r is not None and r.unexplained == [], [d.message for d in diags.errors]
    env = yaml.safe_load(r.files["apps/web.yaml"])["env"]
    # PORT, which nothing sets, is read from the shell: empty until the project sets it
    assert env == {"DIRECT": "postgres://app@db:5432/app", "URL": "http://localhost:${vars.PORT}/x"}
    assert yaml.safe_load(r.files["skyspec.yaml"])["vars"] == {"PORT": ""}


def test_a_compose_file_is_read_as_compose_reads_it(tmp_path):
    # makeplane/plane: `restart: no` (YAML 1.1's false; compose-go's yaml.v3 reads the text
    # "no") was refused as a boolean; its proxy publishes `published: ${LISTEN_HTTP_PORT:-80}`
    # in the long form, which was read as a port range and left out
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  migrator:
    image: makeplane/plane-backend:v1.1.0
    restart: no
    environment: {DEBUG: yes, SSL: on, FLAG: true, OTHER: Off}
  proxy:
    image: makeplane/plane-proxy:v1.1.0
    ports:
      - {target: 80, published: "${LISTEN_HTTP_PORT:-80}", protocol: tcp, mode: host}
      - {target: 443, published: "${LISTEN_HTTPS_PORT:-8443}", protocol: tcp, mode: host}
    env_file: [{path: ./missing.env, required: false}]
""")
    diags = Diagnostics()
    r = import_compose(src, "plane", diags)
    assert r is not None and r.unexplained == [], r.unexplained if r else [d.message for d in diags.errors]
    migrator = yaml.safe_load(r.files["apps/job.migrator.yaml"])   # (its name says it migrates: a one-shot Job)
    assert migrator["env"] == {"DEBUG": "yes", "SSL": "on", "FLAG": "true", "OTHER": "Off"}
    assert yaml.safe_load(r.files["apps/proxy.yaml"])["ports"] == {"http": 80, "https": {"port": 443, "host_port": 8443}}
    for rel, t in r.files.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_text(t)
    build_and_validate(tmp_path / "p", tmp_path, "dev")
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())["services"]
    assert built["migrator"]["environment"]["DEBUG"] == "yes"
    # an env_file that is not there: at its line, relative to the Compose file
    src.write_text(src.read_text().replace("{path: ./missing.env, required: false}", "./missing.env"))
    diags = Diagnostics()
    assert import_compose(src, "plane", diags) is None
    (err,) = diags.errors
    assert err.message == 'env_file "./missing.env" not found' and err.hint == "paths are relative to the file that names it"
    # a published port a variable the shell sets (penpot's devenv: `${PENPOT_PUBLIC_HTTP_PORT}:3450`,
    # no `.env` holds it): noted as kept literal, and a named difference of the round trip
    src.write_text("services:\n  main:\n    image: penpotapp/devenv:2.4.1\n    ports:\n"
                   "      - ${PUB_PORT}:3449\n      - ${OTHER}:3450\n")
    diags = Diagnostics()
    r = import_compose(src, "pv", diags)
    assert r is not None and r.unexplained == [], [d.message for d in diags.items if d.severity == "error"]
    assert r.figures["categories"]["published on a host port the shell sets at run time (not in the project)"] == 2
    # an override file (zulip/docker-zulip's ci/certbot): its `!override` is Compose's, for merging files
    src.write_text("services:\n  zulip:\n    image: zulip/docker-zulip:11.0-0\n    volumes: !override\n      - d:/data\n")
    diags = Diagnostics()
    assert import_compose(src, "z", diags) is None
    assert [(d.code, d.pos.line, d.hint) for d in diags.errors] == [
        ("SKY019", 4, "Compose applies it when it merges files: import what `docker compose config` prints for them")]


def test_a_compose_port_of_a_known_protocol_is_named_after_it(tmp_path):
    # docker-mailserver: its SMTP port 25 was named `http` (a service's first port), which a
    # mesh such as Istio reads as the protocol
    import yaml

    from skyspec.importer import import_compose

    src = tmp_path / "compose.yaml"
    src.write_text("services:\n  mailserver:\n    image: ghcr.io/docker-mailserver/docker-mailserver:15.1.0\n"
                   "    ports: ['25:25', '143:143', '587:587', '993:993']\n")
    r = import_compose(src, "mail")
    assert r.unexplained == [], r.unexplained
    assert list(yaml.safe_load(r.files["apps/mailserver.yaml"])["ports"]) == ["smtp", "imap", "submission", "imaps"]


def test_a_script_in_a_command_is_written_as_a_block_of_its_lines(tmp_path):
    # Kubernetes' replicated MySQL example runs bash scripts: each was written as one quoted
    # line of `\\n` escapes, unreadable and unreviewable in the imported spec
    import yaml

    script = 'set -ex\nuntil mysql -h 127.0.0.1 -e "SELECT 1"; do sleep 1; done\nexec ncat --listen 3307 \\\n  "x"\n'
    (tmp_path / "in.yaml").write_text(yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "db"},
        "spec": {"selector": {"matchLabels": {"app": "db"}}, "template": {"metadata": {"labels": {"app": "db"}}, "spec": {
            "containers": [{"name": "db", "image": "ghcr.io/acme/db:1.0.0", "command": ["bash", "-c", script]},
                           {"name": "tab", "image": "ghcr.io/acme/db:1.0.0", "args": ["a\tb\nc"]}]}}}}))
    r = import_kubernetes([tmp_path / "in.yaml"], "p")
    text = r.files["apps/db.yaml"]
    assert "command:\n  - bash\n  - -c\n  - |\n    set -ex\n    until mysql" in text, text
    doc = yaml.safe_load(text)
    assert doc["command"] == ["bash", "-c", script]
    assert doc["sidecars"]["tab"]["args"] == ["a\tb\nc"]   # (a tab: quoted, as a block would not keep it)


def test_shell_variables_in_commands_stay_text(tmp_path):
    """`${VAR}` in a command (a shell's, multi-line or not) is text in the input: the import
    writes it as `$${VAR}`, the project builds, and the output holds `${VAR}` as written."""
    src = tmp_path / "in.yaml"
    src.write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: load}
spec:
  selector: {matchLabels: {app: load}}
  template:
    metadata: {labels: {app: load}}
    spec:
      containers:
      - name: load
        image: ghcr.io/acme/load:1.0
        command: ["/bin/sh", "-c", "curl ${FRONTEND_ADDR}"]
        args:
        - |
          until curl -s ${FRONTEND_ADDR}; do sleep 1; done
          echo ${STATUSCODE}
        env: [{name: URL, value: "http://${HOST}:80"}]
""")
    r = import_kubernetes([src], "t")
    assert r.unexplained == [] and not r.diags.has_errors
    assert "$${FRONTEND_ADDR}" in r.files["apps/load.yaml"] and "$${STATUSCODE}" in r.files["apps/load.yaml"]
    out = tmp_path / "proj"
    r = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["build", str(out), "-o", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    built = next((tmp_path / "out").rglob("load.yaml")).read_text()
    assert "curl ${FRONTEND_ADDR}" in built and "echo ${STATUSCODE}" in built and "http://${HOST}:80" in built


DOWNWARD = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.4.2
          resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 512Mi}}
          env:
            - {name: POD_IP, valueFrom: {fieldRef: {apiVersion: v1, fieldPath: status.podIP}}}
            - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
            - {name: MEM, valueFrom: {resourceFieldRef: {containerName: api, resource: limits.memory, divisor: "1"}}}
            - {name: CPU, valueFrom: {resourceFieldRef: {resource: requests.cpu}}}
            - {name: MEM_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
            - {name: PROXY_MEM, valueFrom: {resourceFieldRef: {containerName: proxy, resource: limits.memory}}}
        - name: proxy
          image: envoyproxy/envoy:v1.31.0
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
          env:
            - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
"""


def test_downward_api_variables_import_as_downward(tmp_path):
    """`valueFrom.fieldRef` (v1) and a `resourceFieldRef` of the container itself without a
    divisor (or divisor 1) become `downward:`, in the main container and a sidecar; a divisor
    or another container's resources stay a `k8s:` patch; the build gives the input back."""
    import yaml
    from validators import assert_valid_k8s, load_docs

    (tmp_path / "api.yaml").write_text(DOWNWARD)
    r = import_kubernetes([tmp_path / "api.yaml"], "d")
    assert r.unexplained == [], r.unexplained[:3]
    api = yaml.safe_load(r.files["apps/api.yaml"])
    assert api["downward"] == {"POD_IP": "status.podIP", "POD_NAME": "metadata.name", "MEM": "limits.memory",
                               "CPU": "requests.cpu"}
    assert api["sidecars"]["proxy"]["downward"] == {"NODE": "spec.nodeName"}
    env = api["k8s"]["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert sorted(e["name"] for e in env) == ["MEM_MI", "PROXY_MEM"]
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "api.yaml"), "-o", str(out)])
    assert res.exit_code == 0 and "SKY067" not in res.output, res.output
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(tmp_path / "built"), "--format", "kubernetes"])
    assert res.exit_code == 0, res.output
    docs = load_docs(next((tmp_path / "built").glob("*/kubernetes")))
    assert_valid_k8s(docs)
    pod = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    got = {e["name"]: e["valueFrom"] for c in pod["containers"] for e in c.get("env", [])}
    assert got["MEM"] == {"resourceFieldRef": {"resource": "limits.memory"}}
    assert got["POD_NAME"] == {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}
    assert got["MEM_MI"] == {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}
    assert got["PROXY_MEM"] == {"resourceFieldRef": {"containerName": "proxy", "resource": "limits.memory"}}


def test_skyspecs_own_output_imports_and_round_trips(tmp_path, cli):
    """What importing skyspec's own build found (the fuzz harness's generated projects): the
    project's default deny (`podSelector: {}`, `policyTypes: [Ingress]`, no rules) became
    `deny_all: true`, which denies egress too, so a `connect_to` the importer inferred could
    not be admitted (SKY163); an init container's one port named http became `port:`, which
    only a workload has; a ConfigMap of another namespace lost it, and so did a Secret declared
    `existing` for a workload of another namespace."""
    import yaml

    from conftest import write_tree

    write_tree(tmp_path / "p", {
        "skyspec.yaml": "project: shop\nnamespace: shop\nspecs: ['apps/*']\nenvironments:\n  dev: {}\n",
        "apps/web.yaml": """
            kind: App
            name: web
            image: ghcr.io/acme/web:1.0
            port: 8080
            env: {API_HOST: api}
            init:
              warm: {image: ghcr.io/acme/warm:1.0, ports: {http: 3000}}
        """,
        "apps/api.yaml": "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0\nport: 8080\nexpose: true\n",
        "apps/cfg.yaml": "kind: ConfigMap\nname: cfg\nnamespace: shared\ndata: {mode: fast}\n",
        "apps/other.yaml": "kind: App\nname: other\nimage: ghcr.io/acme/o:1.0\nnamespace: elsewhere\n"
                           "env_from: [{secret: creds}]\n---\n"
                           "kind: Secret\nname: creds\nnamespace: elsewhere\nkeys: [token]\n",
    })
    r = cli("build", str(tmp_path / "p"), "-f", "kubernetes", "-o", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    got = import_kubernetes([tmp_path / "out" / "dev" / "kubernetes"], "t")
    assert not got.diags.has_errors and got.unexplained == [], [d.message for d in got.diags.errors][:3]
    deny = yaml.safe_load(got.files["apps/networkpolicy.shop-default-deny.yaml"])
    assert deny == {"kind": "NetworkPolicy", "name": "shop-default-deny"}   # ingress only, as the input
    web = yaml.safe_load(got.files["apps/web.yaml"])
    assert web["init"]["warm"]["ports"] == {"http": 3000} and "api" in web["connect_to"]
    assert yaml.safe_load(got.files["apps/configmap.cfg.yaml"])["namespace"] == "shared"
    # a Secret the build leaves to the cluster (`keys:`), used in another namespace: declared there
    assert yaml.safe_load(got.files["apps/secret.creds.yaml"]) == \
        {"kind": "Secret", "name": "creds", "existing": True, "namespace": "elsewhere"}


def test_a_network_policy_selecting_pods_by_labels_skyspec_replaces_is_reselected(tmp_path):
    """A chart's NetworkPolicy selects its pods, and admits its peers, by the standard labels
    (`app.kubernetes.io/name: web`, `instance: rel`); the imported workloads' pods get skyspec's
    (`name: rel-web`, `part-of: <project>`), so the policy kept with the input's selectors would
    select no pod and admit no peer (importing skyspec's own blue-green build failed: SKY163).
    Its `select` and peers are reselected, as a kept Service's selector is."""
    import yaml

    def deploy(name: str, app: str) -> dict:
        labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": "rel"}
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels},
                "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {
                    "containers": [{"name": app, "image": f"ghcr.io/acme/{app}:1.0",
                                    "ports": [{"name": "http", "containerPort": 8080}]}]}}}}

    policy = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "rel-web"},
              "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "web",
                                                       "app.kubernetes.io/instance": "rel"}},
                       "policyTypes": ["Ingress"],
                       "ingress": [{"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "api"}}}],
                                    "ports": [{"port": 8080}]}]}}
    src = tmp_path / "in.yaml"
    src.write_text(yaml.safe_dump_all([deploy("rel-web", "web"), deploy("rel-api", "api"), policy]))
    r = import_kubernetes([src], "t")
    assert r.unexplained == [] and not r.diags.has_errors
    got = yaml.safe_load(r.files["apps/networkpolicy.rel-web.yaml"])
    assert got["select"] == {"labels": {"app.kubernetes.io/name": "rel-web", "app.kubernetes.io/part-of": "t"}}
    assert got["allow_from"] == [{"labels": {"app.kubernetes.io/name": "rel-api", "app.kubernetes.io/part-of": "t"}}]
    assert sum("selects the pods of" in d.message for d in r.diags) == 2


def test_a_namespace_or_name_yaml_reads_as_another_type_is_quoted_in_the_project_file(tmp_path):
    """Namespace `0` (a DNS label) was written `namespace: 0`, the integer: the imported project
    did not build (SKY104; importing the fuzz harness's build, seed 42 case 4052)."""
    import yaml

    src = tmp_path / "in.yaml"
    src.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: '0'}\ndata: {a: b}\n")
    r = import_kubernetes([src], "true")
    assert not r.diags.has_errors
    assert yaml.safe_load(r.files["skyspec.yaml"])["namespace"] == "0"
    assert yaml.safe_load(r.files["skyspec.yaml"])["project"] == "true"


def test_the_namespace_of_as_many_objects_in_two_namespaces_is_the_first_in_order():
    # it was the first of a set of strings: another process, with other string hashes, could
    # import the same manifests into the other namespace
    from skyspec.importer.kube import namespace_of

    objs = [{"metadata": {"namespace": ns}} for ns in ("zeta", "alpha", "zeta", "alpha", "mid")]
    assert namespace_of(objs) == namespace_of(objs[::-1]) == "alpha"


_KEYS = st.sampled_from(["a", "b", "data-", "x+", "y!", "$patch"])
_SCALARS = st.none() | st.booleans() | st.integers(0, 3) | st.sampled_from(["s", "t", ""])
_VALUES = st.recursive(_SCALARS, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(_KEYS, kids, max_size=4),
                       max_leaves=12)


@given(base=st.dictionaries(_KEYS, _VALUES, max_size=5), env=st.dictionaries(_KEYS, _VALUES, max_size=5))
@settings(max_examples=300, deadline=None)
def test_an_environments_overlay_applied_to_the_spec_is_that_environments_document(base, env):
    # nulls that are values (a patch's `targetPort: null`) and keys ending in an operator's
    # character (a ConfigMap's `data-` key) are said so the overlay's merge reads them as written
    from skyspec.diagnostics import Diagnostics
    from skyspec.importer.environments import diff
    from skyspec.layers.merge import Merger

    base, env = {"field": base}, {"field": env}   # (a spec's fields are named without operators' characters)
    diags = Diagnostics()
    got, _ = Merger("overlay", diags).apply(base, Merger("spec", diags).written(base, None, "set"), diff(base, env), None)
    assert got == env and not diags.errors


def test_a_dollar_brace_in_a_key_is_written_as_it_is_and_in_a_value_escaped(make_project, cli, tmp_path):
    # a spec interpolates `${...}` in values only: the key `${x}` was written `$${x}`, which the
    # build kept as `$${x}` (fuzz seed 64 case 2792, a patch's nodeSelector; a kept manifest
    # carries it here: a node selector's and annotations' keys are label-shaped now)
    from skyspec.importer import emit

    text = emit.dump({"kind": "Resource", "name": "a", "manifest": {
        "apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}, "spec": {"${k}": "${v}"}}})
    assert 'spec: {"${k}": "$${v}"}' in text, text
    make_project({"apps/a.yaml": text})
    r = cli("build", "-o", str(tmp_path / "out"), "--env", "prod", "--format", "kubernetes")
    assert r.exit_code == 0, r.output
    import yaml

    (obj,) = [d for f in (tmp_path / "out" / "prod" / "kubernetes").glob("*.yaml")
              for d in yaml.safe_load_all(f.read_text()) if d and d["kind"] == "Widget"]
    assert obj["spec"] == {"${k}": "${v}"}


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[A-Za-z][A-Za-z0-9_./ -]{0,12}", fullmatch=True) |
       st.sampled_from(["yes", "No", "NULL", "on", "Off", "y", "n", "e1", "a: b", "x ", "...", "a?b", "~x"]))
def test_a_word_is_written_plain_exactly_where_the_loader_reads_it_back(word):
    # a large import's scalars are mostly words (kube-prometheus's CRDs: 180,000 of them), each
    # parsed by PyYAML's pure loader to decide whether it may be written plain (7 of its 21
    # seconds); a word of letters, digits and `_./-` decides without it, and the same way
    import yaml
    from skyspec.importer import emit

    try:
        plain = yaml.safe_load(word) == word
    except yaml.YAMLError:
        plain = False
    assert emit._plain(word) == plain
    assert yaml.safe_load(f"k: {emit.scalar(word)}") == {"k": word}


def test_objects_of_one_kind_a_spec_makes_two_of_are_patched_apart(tmp_path):
    # Bitnami's redis-cluster, valkey-cluster, mariadb-galera...: the headless Service of a
    # StatefulSet has the cluster bus port, the main one only the clients'. A patch by kind
    # applies to both Services a StatefulApp makes: dropping the bus port from the main one
    # dropped it from the headless one too (SKY067). Each is now patched apart, `Service/<name>`.
    import yaml
    from skyspec.importer import import_kubernetes

    src = tmp_path / "in.yaml"
    src.write_text("""\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec:
  serviceName: redis-headless
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers:
      - name: redis
        image: "redis:7.2.0"
        ports: [{name: client, containerPort: 6379}, {name: bus, containerPort: 16379}]
---
apiVersion: v1
kind: Service
metadata: {name: redis-headless}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {app: redis}
  ports: [{name: client, port: 6379, targetPort: client}, {name: bus, port: 16379, targetPort: bus}]
---
apiVersion: v1
kind: Service
metadata: {name: redis}
spec:
  selector: {app: redis}
  ports: [{name: client, port: 6379, targetPort: client}]
""")
    r = import_kubernetes([src], "redis")
    assert r.unexplained == [], r.unexplained[:3]
    k8s = yaml.safe_load(r.files["apps/statefulapp.redis.yaml"])["k8s"]
    assert "Service" not in k8s and k8s["Service/redis"]["spec"]["ports"] == [{"port": 16379, "$patch": "delete"}], k8s


def test_a_target_port_by_a_name_no_container_declares_is_declared_at_the_services_port(tmp_path):
    # Bitnami's zookeeper (and cassandra, scylladb): the headless Service targets `follower` and
    # `election`, which no container declares; Kubernetes resolves them nowhere, and the build's
    # system check refused the Service (SKY161). The names are declared at the Service's ports.
    import yaml
    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_kubernetes

    src = tmp_path / "in.yaml"
    src.write_text("""\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: zk}
spec:
  serviceName: zk-headless
  selector: {matchLabels: {app: zk}}
  template:
    metadata: {labels: {app: zk}}
    spec:
      containers: [{name: zk, image: "zookeeper:3.9.0", ports: [{name: client, containerPort: 2181}]}]
---
apiVersion: v1
kind: Service
metadata: {name: zk-headless}
spec:
  clusterIP: None
  selector: {app: zk}
  ports:
  - {name: tcp-client, port: 2181, targetPort: client}
  - {name: tcp-follower, port: 2888, targetPort: follower}
""")
    diags = Diagnostics()
    r = import_kubernetes([src], "zk", diags)
    assert r is not None and r.unexplained == [], [str(d) for d in diags.sorted()][:3]
    assert yaml.safe_load(r.files["apps/statefulapp.zk.yaml"])["ports"] == {"client": 2181, "follower": 2888}
    assert any(d.message.startswith("a Service targets port follower, which no container of StatefulSet zk declares")
               for d in diags.sorted())


def test_a_limit_without_a_request_is_the_request_too(tmp_path):
    """Kubernetes requests what a lone limit says when it admits the pod: imported so, the
    built Deployment requests it too (the sizing pass requested the profile's size, which
    may be above the limit, and the pod was no longer the Guaranteed one of the input)."""
    import yaml

    from validators import assert_valid_k8s, load_docs

    src = tmp_path / "in.yaml"
    src.write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, labels: {app: worker}}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
      - name: worker
        image: ghcr.io/acme/worker:1.0.0
        resources:
          limits: {cpu: 50m, memory: 64Mi}
          requests: {cpu: 10m}
""")
    r = import_kubernetes([src], "limits")
    assert yaml.safe_load(r.files["apps/worker.yaml"])["resources"] == {
        "cpu": "10m", "memory": "64Mi", "cpu_limit": "50m", "memory_limit": "64Mi"}
    imported_and_built(src, tmp_path)
    docs = [d for p in sorted((tmp_path / "built").rglob("kubernetes/*.yaml")) for d in load_docs(p)]
    assert_valid_k8s(docs)
    for d in docs:
        if d["kind"] == "Deployment":
            res = d["spec"]["template"]["spec"]["containers"][0]["resources"]
            assert res == {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"cpu": "50m", "memory": "64Mi"}}


@pytest.mark.parametrize("reader, declared_in", [("worker", None), ("cache", "other")])
def test_a_secret_workloads_of_two_namespaces_use_is_declared_where_the_build_checks_it(tmp_path, reader,
                                                                                        declared_in):
    """A Secret the input does not hold, pulled from by Jobs of two namespaces and read by one
    of them. Declared `existing` in its first user's namespace, a Job of another read a Secret
    declared nowhere it runs, and the import's build failed (SKY162, two fuzz cases). A
    document declares one Secret: where it is read (the system check does not follow image
    pull secrets), in the project's namespace (`main`, two of the three Jobs) when a reader is
    there."""
    import yaml

    src = tmp_path / "in.yaml"
    job = """\
apiVersion: batch/v1
kind: Job
metadata: {{name: {name}, namespace: {ns}}}
spec:
  template:
    spec:
      restartPolicy: OnFailure
      imagePullSecrets: [{{name: db-pass}}]
      containers:
      - name: {name}
        image: ghcr.io/acme/{name}:1.0.0
{env}"""
    env = "        env:\n        - name: DB_PASSWORD\n          valueFrom: {secretKeyRef: {name: db-pass, key: password}}\n"
    src.write_text(job.format(name="cache", ns="other", env=env if reader == "cache" else "") + "---\n"
                   + job.format(name="worker", ns="main", env=env if reader == "worker" else "")
                   + "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: third, namespace: main}\nspec:\n"
                     "  template:\n    spec:\n      restartPolicy: OnFailure\n"
                     "      containers: [{name: third, image: 'ghcr.io/acme/third:1.0.0'}]\n")
    r = import_kubernetes([src], "two")
    declared = [yaml.safe_load(t) for f, t in r.files.items() if f.startswith("apps/secret.")]
    assert declared == [{"kind": "Secret", "name": "db-pass", "existing": True,
                         **({"namespace": declared_in} if declared_in else {})}], r.files.keys()
    imported_and_built(src, tmp_path)


def test_skyspecs_own_compose_file_imports_without_warnings(tmp_path):
    """The Compose file skyspec builds for the shop: the labels skyspec sets (`app.kubernetes.io/
    name`, `part-of`, `managed-by`, `skyspec.dev/env`) were four warnings a service, "not a
    Kubernetes label (or one skyspec sets)", and the services' `deploy.resources` were said
    not to be there. The build sets those labels again: no warning; the notes name only what
    Compose does not say (the replicas)."""
    from conftest import EXAMPLES

    res = CliRunner().invoke(main, ["build", str(EXAMPLES / "shop"), "-e", "dev", "-f", "compose", "-o",
                                    str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "out" / "dev" / "compose.yaml"), "-o",
                                    str(tmp_path / "again")])
    assert res.exit_code == 0, res.output
    assert "warning[" not in res.output, [line for line in res.output.splitlines() if "warning[" in line]
    assert "service api: replicas: Compose does not say" in res.output
    assert "replicas and resources" not in res.output
    assert "label skyspec sets, set by the build" in res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "again"), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0, res.output


def test_a_kept_object_holding_a_secrets_value_is_refused_with_what_it_holds(tmp_path):
    """A webhook configuration whose `caBundle` is the certificate its Secret holds (charts
    that generate a CA at each render): the importer keeps the kind as written and never
    writes a Secret's value. The error said "a credential in an env value", which there is
    none of; it names both, and the hint the certificate's way (a certificate manager)."""
    import base64

    from skyspec.diagnostics import Diagnostics, render_text

    ca = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB" + b"x" * 64 + b"\n-----END CERTIFICATE-----\n").decode()
    src = tmp_path / "in.yaml"
    src.write_text(f"""\
apiVersion: v1
kind: Secret
metadata: {{name: webhook-cert}}
type: kubernetes.io/tls
data: {{ca.crt: {ca}, tls.crt: {ca}, tls.key: {base64.b64encode(b"k" * 40).decode()}}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {{name: hook}}
webhooks:
- name: v.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig:
    caBundle: {ca}
    service: {{name: hook, namespace: default, port: 443}}
  rules: [{{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}}]
""")
    diags = Diagnostics()
    r = import_kubernetes([src], "hooks", diags)
    assert r is None
    text = render_text(diags.sorted(), None)
    assert "ValidatingWebhookConfiguration hook holds a value of a Secret of the input or a credential in an env " \
           "value" in text and "cert-manager.io/inject-ca-from" in text, text
    assert ca not in text


def test_a_cluster_role_named_longer_than_a_label_is_kept_as_written(tmp_path):
    """A ClusterRole's name may be 253 characters; a spec's is a DNS label of at most 63
    (Bitnami's rabbitmq-cluster-operator under a long release name): said as `kind:
    ClusterRole`, the import's build refused the name (SKY108). It is kept as written."""
    import yaml

    name = "rabbitmq-cluster-operator-rabbitmq-messaging-topology-operator-admin"
    assert len(name) > 63
    src = tmp_path / "in.yaml"
    src.write_text(f"""\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: {name}}}
rules: [{{apiGroups: [rabbitmq.com], resources: [bindings], verbs: [get, list]}}]
""")
    r = import_kubernetes([src], "long")
    kept = [yaml.safe_load(t) for f, t in r.files.items() if f.startswith("apps/")]
    assert [(d["kind"], d["manifest"]["metadata"]["name"], len(d["name"]) <= 63) for d in kept] == \
        [("Resource", name, True)]
    imported_and_built(src, tmp_path)


def test_a_service_of_a_label_the_app_sets_at_runtime_is_kept_and_reselected(tmp_path):
    """Bitnami's vault: `vault-server-active` selects the server's pods by the chart's labels
    and `vault-active: "true"`, which the active member sets on its own pod. The importer
    refused it ("selects no pod of the input"). It is kept as written, its chart labels become
    the ones skyspec gives the pods, the runtime key stays, and the build warns (SKY160)."""
    import yaml

    src = tmp_path / "in.yaml"
    labels = "{app.kubernetes.io/name: vault, app.kubernetes.io/instance: rel, app.kubernetes.io/component: server}"
    src.write_text(f"""\
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: vault-server}}
spec:
  serviceName: vault-server-headless
  replicas: 3
  selector: {{matchLabels: {labels}}}
  template:
    metadata: {{labels: {labels}}}
    spec:
      containers:
      - name: vault
        image: ghcr.io/acme/vault:1.0.0
        ports: [{{name: http, containerPort: 8200}}]
---
apiVersion: v1
kind: Service
metadata: {{name: vault-server-active}}
spec:
  selector: {{app.kubernetes.io/name: vault, app.kubernetes.io/instance: rel, app.kubernetes.io/component: server,
             vault-active: "true"}}
  ports: [{{name: http, port: 8200, targetPort: http}}]
""")
    r = import_kubernetes([src], "vault")
    (kept,) = [yaml.safe_load(t) for f, t in r.files.items() if f.startswith("apps/resource.")]
    assert kept["manifest"]["spec"]["selector"] == {
        "app.kubernetes.io/component": "server", "app.kubernetes.io/name": "vault-server",
        "app.kubernetes.io/part-of": "vault", "vault-active": "true"}
    built = imported_and_built(src, tmp_path)
    assert "warning[SKY160]" in built and "only once they carry vault-active=true" in built, built


def test_compose_services_without_a_size_get_one_that_runs_a_real_app(tmp_path):
    """Compose bounds a service that says no resources by nothing. Imported, it got the dev
    profile's 64Mi request, which is its limit too: Authentik's server, Mastodon's Puma and
    Airflow's API server would have been OOM-killed in Kubernetes and in the built Compose
    file alike. The import now sizes what Compose leaves unbounded in overlays/dev.yaml:
    requests of 100m CPU and 256Mi beneath every spec, and each limit 4x its request; what
    the Compose file says is kept, and a limit below 256Mi is the request too."""
    import yaml
    from test_import_legacy import build_and_validate

    (tmp_path / "compose.yaml").write_text("""\
services:
  web:
    image: ghcr.io/acme/web:1.0
    ports: ["8000:8000"]
  worker:
    image: ghcr.io/acme/worker:1.0
    deploy: {resources: {reservations: {memory: 512M}}}
  tiny:
    image: ghcr.io/acme/tiny:1.0
    deploy: {resources: {limits: {memory: 32M, cpus: "0.05"}}}
""")
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "compose.yaml"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "service web: replicas and resources: Compose does not say: overlays/dev.yaml sizes" in res.output
    dev = yaml.safe_load((out / "overlays" / "dev.yaml").read_text())
    assert dev["defaults"] == {"resources": {"cpu": "100m", "memory": "256Mi"}}
    assert dev["settings"] == {"limits": {"cpu": 4, "memory": 4}}
    assert yaml.safe_load((out / "apps" / "web.yaml").read_text()).get("resources") is None
    p = out / "skyspec.yaml"
    p.write_text(p.read_text().replace("  dev: {overlays", "  default: {profile: dev, overlays"))
    k8s = build_and_validate(out, tmp_path)
    sized = {o["metadata"]["name"]: o["spec"]["template"]["spec"]["containers"][0]["resources"] for o in k8s
             if o["kind"] == "Deployment"}
    assert sized["web"] == {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "400m", "memory": "1Gi"}}
    assert sized["worker"] == {"requests": {"cpu": "100m", "memory": "512Mi"},
                               "limits": {"cpu": "400m", "memory": "2Gi"}}
    assert sized["tiny"] == {"requests": {"cpu": "50m", "memory": "32Mi"}, "limits": {"cpu": "50m", "memory": "32Mi"}}
    built = yaml.safe_load((tmp_path / "built" / "default" / "compose.yaml").read_text())["services"]
    assert built["web"]["deploy"]["resources"] == {"limits": {"cpus": "0.4", "memory": "1G"},
                                                   "reservations": {"cpus": "0.1", "memory": "256M"}}


def test_what_is_off_unless_said_is_no_patch(tmp_path):
    """Bank of Anthos writes `privileged: false` in every container: Kubernetes' default, as are
    `hostNetwork: false`, a mount's `readOnly: false` and `tty: false`. They are no `k8s:` patch;
    `privileged: true` still is (and a relaxation `build` lists)."""
    import yaml

    def deploy(privileged):
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"},
                "spec": {"selector": {"matchLabels": {"app": "api"}}, "template": {
                    "metadata": {"labels": {"app": "api"}},
                    "spec": {"hostNetwork": False, "containers": [{
                        "name": "api", "image": "ghcr.io/acme/api:1.0", "ports": [{"containerPort": 8080}],
                        "tty": False, "securityContext": {"privileged": privileged},
                        "volumeMounts": [{"name": "scratch", "mountPath": "/scratch", "readOnly": False}]}],
                        "volumes": [{"name": "scratch", "emptyDir": {}}]}}}}

    src = tmp_path / "api.yaml"
    src.write_text(yaml.safe_dump(deploy(False)))
    r = import_kubernetes([src], "t")
    assert r.unexplained == [] and "k8s" not in yaml.safe_load(r.files["apps/api.yaml"])
    assert r.figures["categories"]["Kubernetes defaults"] >= 4
    src.write_text(yaml.safe_dump(deploy(True)))
    r = import_kubernetes([src], "t")
    assert yaml.safe_load(r.files["apps/api.yaml"])["k8s"]["Deployment"]["spec"]["template"]["spec"][
        "containers"] == [{"name": "api", "securityContext": {"privileged": True}}]


def test_a_healthcheck_calling_the_services_own_name_calls_localhost(tmp_path):
    """Spring PetClinic's config-server checks itself with `curl -I http://config-server:8888`:
    Compose resolves a container's own name to itself, but on Kubernetes the name is its
    Service, which sends traffic only to ready pods, so the probe could never pass (the pod
    never ready, restarted forever). A host that is the service's own name (its container_name,
    hostname, network aliases too) is written localhost; another service's, a path or a
    process of that name is not."""
    import yaml

    from skyspec.importer import import_compose

    (tmp_path / "compose.yaml").write_text("""\
services:
  config-server:
    image: ghcr.io/acme/config:1.0
    container_name: config
    ports: ["8888:8888"]
    healthcheck:
      test: ["CMD", "curl", "-I", "http://config-server:8888"]
  cache:
    image: ghcr.io/acme/cache:1.0
    hostname: kv
    networks: {default: {aliases: [store]}}
    expose: ["6379"]
    healthcheck:
      test: redis-cli -h kv -p 6379 ping && nc -z store:6379 && nc -z config:8888 && pgrep cache
  worker:
    image: ghcr.io/acme/worker:1.0
    healthcheck:
      test: ["CMD", "/opt/worker/bin/ready", "--host", "worker", "--upstream=http://config-server:8888/worker"]
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    health = {n: yaml.safe_load(r.files[f"apps/{n}.yaml"])["health"]["exec"] for n in ("config-server", "cache", "worker")}
    assert health["config-server"] == ["curl", "-I", "http://localhost:8888"]
    # its own names (hostname, alias) are localhost; config-server's container_name is config-server's
    assert health["cache"] == ["sh", "-c", "redis-cli -h localhost -p 6379 ping && nc -z localhost:6379 && "
                                           "nc -z config:8888 && pgrep cache"]
    assert health["worker"] == ["/opt/worker/bin/ready", "--host", "localhost",
                                "--upstream=http://config-server:8888/worker"]
    assert r.figures["categories"]["a healthcheck calling the service by its own name, which calls localhost"] == 3
    said = [d.message for d in r.diags if "by its own name" in d.message]
    assert sorted(m.split(":")[0] for m in said) == ["service cache", "service config-server", "service worker"]


def test_a_healthcheck_gives_a_slow_starter_a_startup_window(tmp_path):
    """Compose never restarts an unhealthy container; Kubernetes restarts one whose liveness
    probe fails. PetClinic's Spring services check every 5 s, 10 retries: under a CPU limit a
    JVM that Compose waits for would be restarted after 50 s, again and again. A startup probe
    gives each one 300 s to pass a first check; a healthcheck whose own timing gives that much
    gets none. A start period is the startup probe's too, never a delay of the readiness probe
    (wger's `start_period: 300s` kept its web out of its Service for 5 minutes after every start,
    where Compose marks it healthy at its first passing check). The built Compose file waits the
    same (`start_period`), which the round trip names."""
    import yaml

    from skyspec.importer import import_compose

    (tmp_path / "compose.yaml").write_text("""\
services:
  config:
    image: ghcr.io/acme/config:1.0
    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8888"], interval: 5s, retries: 10}
  patient:
    image: ghcr.io/acme/patient:1.0
    healthcheck: {test: ["CMD", "/bin/ready"], interval: 30s, retries: 3, start_period: 240s}
  late:
    image: ghcr.io/acme/late:1.0
    healthcheck: {test: ["CMD", "/bin/ready"], interval: 7s, start_period: 60s}
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    health = {n: yaml.safe_load(r.files[f"apps/{n}.yaml"])["health"] for n in ("config", "patient", "late")}
    assert health["config"]["startup"] == {"failure_threshold": 60}     # 60 x 5 s
    assert health["patient"]["startup"] == {"failure_threshold": 11}    # (240 s + 3 x 30 s) / 30 s
    assert health["late"]["startup"] == {"failure_threshold": 43}       # 300 s / 7 s
    assert not any("initial_delay" in h for h in health.values())
    assert r.figures["categories"][
        "a startup window before the liveness probe counts (Compose restarts no unhealthy container)"] == 3
    built = yaml.safe_load(r.files["apps/config.yaml"])
    assert built["health"]["failure_threshold"] == 10 and built["health"]["period"] == 5


def test_a_port_published_on_every_address_explicitly_is_the_default(tmp_path):
    """Rocket.Chat publishes `${BIND_IP:-0.0.0.0}:${HOST_PORT:-3000}:${PORT:-3000}`: 0.0.0.0 (or
    `::`) said is Compose's default, every address. The import was refused (SKY067: host_ip
    differs, in no named category); it is the same "published on 127.0.0.1 only" as a port that
    names no address."""
    from skyspec.importer import import_compose

    (tmp_path / "compose.yaml").write_text("""\
services:
  chat:
    image: ghcr.io/acme/chat:7.0
    ports: ["${BIND_IP:-0.0.0.0}:${HOST_PORT:-3000}:${PORT:-3000}", "[::]:9100:9100"]
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    assert r.figures["categories"]["published on 127.0.0.1 only"] == 2


def test_a_one_shot_task_nothing_waits_for_is_a_job(tmp_path):
    """Loki's Compose file fixes a volume's owner with an `init` service (`entrypoint: [chown,
    10001:10001, /loki]`, no restart policy) that nothing waits for: as a Deployment its pod
    would exit and be restarted forever. A service whose entrypoint (else its command) runs such
    a program, a migration or seeding, or a shell script that neither execs nor loops and ends
    in `exit`, `echo` or one of those (MinIO's `createbuckets`), with no port, healthcheck or
    restart policy but `on-failure`, is a Job; a loop, an `exec`, another restart policy or a
    port keep it an App, and so does a flag (redpanda's `--seeds`)."""
    import yaml

    from skyspec.importer import import_compose

    (tmp_path / "compose.yaml").write_text("""\
services:
  init:
    image: grafana/loki:2.6.1
    user: root
    entrypoint: [chown, "10001:10001", /loki]
  createbuckets:
    image: minio/mc:RELEASE.2024-01-01T00-00-00Z
    entrypoint: >
      /bin/sh -c "
      /usr/bin/mc alias set myminio http://minio:9000 loki loki-secret;
      /usr/bin/mc mb myminio/loki;
      exit 0;
      "
  ticker:
    image: busybox:1.36
    entrypoint: [sh, -c, "while true; do date; sleep 5; done"]
  server:
    image: nginx:1.27
    entrypoint: [sh, -c, "exec nginx -g 'daemon off;' || exit"]
  keeper:
    image: busybox:1.36
    restart: unless-stopped
    entrypoint: [touch, /tmp/x]
  # (found in public Compose files by a sweep: hoppscotch, openproject, tempo's redpanda-init, baserow)
  migrate:
    image: acme/app:1
    command: sh -c "pnpm exec prisma migrate deploy"
  seeder:
    image: acme/app:1
    command: ./docker/prod/seeder
    restart: on-failure
  topics:
    image: redpandadata/redpanda:v24.1.1
    entrypoint: [/bin/bash, -c]
    command: ["rpk topic create t --brokers redpanda:9092 || true; echo done"]
  fixer:
    image: bash:4.4
    command: chown 9999:9999 -R /data
  redpanda:
    image: redpandadata/redpanda:v24.1.1
    command: [redpanda, start, --seeds, "redpanda:33145"]
  web:
    image: acme/app:1
    command: sh -c "python manage.py migrate && python manage.py runserver 0.0.0.0:8000"
    depends_on: [mysqldata]
  mysqldata:   # (huginn's data container: a mysql image that serves nothing, so no port either)
    image: mysql:8.4
    command: /bin/true
  # (a second sweep: frappe's create-site, zammad's zammad-init, the voting app's seed)
  create-site:
    image: frappe/erpnext:v15
    command: [bash, -c, "until wait-for-it db:3306; do sleep 1; done; bench new-site x"]
    deploy: {restart_policy: {condition: none}}
  zammad-init:
    image: ghcr.io/zammad/zammad:7.1.1
    command: [zammad-init]
    restart: on-failure
  seed:
    image: acme/seed:1
    restart: "no"
  worker:
    image: acme/app:1
    command: [celery, worker]
    restart: on-failure
  setup:
    image: acme/app:1
    command: [chown, "1:1", /data]
    deploy: {restart_policy: {condition: any}}
  # (a third: budibase's couch-init, never restarted; a setup script that execs a server stays one)
  couch-init:
    image: curlimages/curl:8.10.1
    command: [sh, -c, "sleep 10 && curl -X PUT couchdb:5984/_users"]
  app-setup:
    image: acme/app:1
    command: [sh, -c, "./prepare && exec ./serve"]
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    kinds = {yaml.safe_load(text)["name"]: yaml.safe_load(text)["kind"] for path, text in r.files.items()
             if path.startswith("apps/") and "kind: " in text and yaml.safe_load(text)["kind"] in ("App", "Job")}
    assert kinds == {"init": "Job", "createbuckets": "Job", "ticker": "App", "keeper": "App", "server": "App",
                     "migrate": "Job", "seeder": "Job", "topics": "Job", "fixer": "Job", "redpanda": "App",
                     "web": "App", "mysqldata": "Job", "create-site": "Job", "zammad-init": "Job", "seed": "Job",
                     "worker": "App", "setup": "App", "couch-init": "Job", "app-setup": "App"}
    assert not any("port 3306" in d.message for d in r.diags)
    said = {d.message.split(":")[0]: d.message for d in r.diags if "one-shot task" in d.message}
    assert said["service createbuckets"] == (
        "service createbuckets: a one-shot task (its script ends in `exit`; no port, no restart but on failure): a "
        "Job, which runs to completion (a Deployment's pod would be restarted forever)")
    assert said["service fixer"] == (
        "service fixer: a one-shot task (`chown` does its work and exits; no port, no restart but on failure): a Job, "
        "which runs to completion (a Deployment's pod would be restarted forever)")
    why = {k[8:]: m.split(" (")[1].split(";")[0] for k, m in said.items()}
    assert {k: v for k, v in why.items() if k not in ("createbuckets", "fixer")} == {
        "create-site": "its restart policy is `none`: Compose runs it once",
        "init": "`chown` does its work and exits", "migrate": "its script ends in a migration or seeding",
        "mysqldata": "`true` does its work and exits", "seed": "its name says it migrates or seeds a database",
        "seeder": "it migrates or seeds a database", "topics": "its script ends in `echo`",
        "zammad-init": "it restarts on failure only, and its name says it sets something up",
        "couch-init": "Compose does not restart it, and its name says it sets something up"}


def test_a_charts_defaulted_volume_and_rollout_checksum_are_said_in_the_language(tmp_path):
    """oauth2-proxy's chart (as most charts) renders its ConfigMap volume with `defaultMode: 420`
    (0644, Kubernetes' default) and its pods with `checksum/config` annotations. The volume was
    kept whole as a `k8s:` patch, and the checksums, frozen at the chart's render, were
    carried as annotations that no longer roll anything. The volume is now a `volumes:` entry;
    the checksums are left out (skyspec writes its own), a named difference."""
    import yaml

    src = tmp_path / "in.yaml"
    src.write_text("""\
apiVersion: v1
kind: ConfigMap
metadata: {name: proxy}
data: {proxy.cfg: "upstreams = []\\n"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: proxy}
spec:
  selector: {matchLabels: {app: proxy}}
  template:
    metadata:
      labels: {app: proxy}
      annotations: {checksum/config: 052b3706583beb70, team: edge}
    spec:
      containers:
      - name: proxy
        image: quay.io/oauth2-proxy/oauth2-proxy:v7.15.3
        ports: [{containerPort: 4180}]
        volumeMounts: [{name: configmain, mountPath: /etc/proxy/proxy.cfg, subPath: proxy.cfg}]
      volumes:
      - name: configmain
        configMap: {name: proxy, defaultMode: 420}
""")
    r = import_kubernetes([src], "t")
    assert r.unexplained == [], r.unexplained
    spec = yaml.safe_load(r.files["apps/proxy.yaml"])
    assert spec["volumes"] == {"configmain": {"mount": "/etc/proxy/proxy.cfg", "sub_path": "proxy.cfg",
                                              "config": "proxy"}}
    assert "k8s" not in spec and spec["annotations"] == {"team": "edge"}
    assert r.figures["categories"][
        "a Helm chart's rollout checksum (skyspec writes its own, of the spec's ConfigMaps and Secrets)"] == 1
    # another mode is the input's: kept as written
    src.write_text(src.read_text().replace("defaultMode: 420", "defaultMode: 256"))
    spec = yaml.safe_load(import_kubernetes([src], "t").files["apps/proxy.yaml"])
    assert "configmain" not in (spec.get("volumes") or {}) and "k8s" in spec


def test_a_service_naming_itself_resolves_its_name_to_its_pod(tmp_path):
    """Kafka in KRaft mode reaches its own controller by the service's name (`0@kafka:9093`).
    Compose resolves a container's own name to itself; Kubernetes' DNS gives the Service, which
    reaches the pod only once it is ready, and the broker is not ready before its controller
    answers. A service run once whose environment or command names itself as a host gets its
    name as the pod's hostname (a `k8s:` patch), which the pod resolves to itself; replicas,
    another service's address and an official image (its template) do not."""
    import yaml

    from skyspec.importer import import_compose

    (tmp_path / "compose.yaml").write_text("""\
services:
  kafka:
    image: bitnami/kafka:3.7.0
    ports: ["9092:9092"]
    environment:
      KAFKA_CFG_NODE_ID: "0"
      KAFKA_CFG_PROCESS_ROLES: controller,broker
      KAFKA_CFG_LISTENERS: PLAINTEXT://:9092,CONTROLLER://:9093
      KAFKA_CFG_CONTROLLER_QUORUM_VOTERS: 0@kafka:9093
  app:
    image: ghcr.io/acme/app:1.0
    environment: {KAFKA_BROKERS: "kafka:9092"}
  scaled:
    image: ghcr.io/acme/peer:1.0
    command: [peer, --join, "scaled:7000"]
    expose: ["7000"]
    deploy: {replicas: 3}
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    specs = {n: yaml.safe_load(r.files[f"apps/{n}.yaml"]) for n in ("kafka", "app", "scaled")}
    assert specs["kafka"]["k8s"] == {"Deployment": {"spec": {"template": {"spec": {"hostname": "kafka"}}}}}
    assert "k8s" not in specs["app"] and "k8s" not in specs["scaled"]
    (note,) = [d.message for d in r.diags if "by its own name" in d.message]
    assert note.startswith("service kafka: environment KAFKA_CFG_CONTROLLER_QUORUM_VOTERS calls the service by its "
                           "own name: the pod's hostname is kafka")


def test_a_container_name_is_a_name_compose_resolves_and_is_spelt_as_the_service(tmp_path):
    """Listmonk names its database container `listmonk_db` and its config file reaches it by
    that name. Compose's DNS resolves a container's name as it does the service's; Kubernetes
    only the Service's (`db`). An address by it in the environment is rewritten to the
    Service's name; one the caller holds elsewhere (a config file) is warned at the
    `container_name`."""
    import yaml

    from skyspec.importer import import_compose

    (tmp_path / "compose.yaml").write_text("""\
services:
  db:
    image: ghcr.io/acme/db:1.0
    container_name: listmonk_db
    expose: ["5432"]
  app:
    image: ghcr.io/acme/app:1.0
    environment: {DB_URL: "postgres://app@listmonk_db:5432/app"}
    depends_on: [db]
  admin:
    image: ghcr.io/acme/admin:1.0
    depends_on: [db]
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    assert yaml.safe_load(r.files["apps/app.yaml"])["env"] == {"DB_URL": "postgres://app@db:5432/app"}
    (warned,) = [d for d in r.diags if "container_name listmonk_db" in d.message]
    assert warned.severity == "warning" and (warned.pos.line, warned.pos.col) == (4, 21)
    assert "while admin reaches it by an address no environment value holds" in warned.message


def test_a_named_volume_of_tmpfs_is_a_memory_volume_not_a_claim(tmp_path):
    """Kong's compose keeps its prefix in a named volume with `driver_opts: {type: tmpfs}`:
    it was a 1Gi claim, whose stale sockets survive a restart (Kong then cannot bind them)."""
    import yaml

    from skyspec.importer import import_compose

    (tmp_path / "compose.yaml").write_text("""\
services:
  kong:
    image: kong:3.9
    volumes: [kong_prefix:/var/run/kong, data:/data]
volumes:
  kong_prefix: {driver_opts: {type: tmpfs, device: tmpfs}}
  data: {}
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    kong = yaml.safe_load(r.files["apps/kong.yaml"])
    assert {v["mount"]: v.get("empty", v.get("claim")) for v in kong["volumes"].values()} == \
        {"/var/run/kong": {"memory": True}, "/data": "data"}
    assert [f for f in r.files if "resource." in f] == ["apps/resource.data.yaml"]   # one claim: data's


def test_a_helm_hook_run_only_at_uninstall_rollback_or_test_is_left_out(tmp_path):
    """kyverno's chart renders pre-delete hook Jobs (`scale-to-zero` scales its Deployments to
    zero, `rm-webhooks` deletes its webhooks): imported as plain Jobs, `kubectl apply` of the
    Kubernetes or Kustomize output ran them at once. A hook of uninstall, rollback or `helm
    test` only is left out with a warning; an install or upgrade hook is kept (it runs once,
    at apply)."""
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_kubernetes

    job = ("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  annotations: {{helm.sh/hook: '{hook}'}}\n"
           "spec:\n  template:\n    spec:\n      restartPolicy: Never\n"
           "      containers: [{{name: c, image: 'bitnami/kubectl:1.30', args: [delete, deployment, --all]}}]\n")
    (tmp_path / "in.yaml").write_text("---\n".join([
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: {app: api}}\n"
        "  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: 'x/api:1'}]\n",
        job.format(name="scale-to-zero", hook="pre-delete"), job.format(name="undo", hook="pre-rollback,post-rollback"),
        job.format(name="migrate", hook="pre-install,pre-upgrade"), job.format(name="both", hook="post-install,pre-delete"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: smoke-\n  annotations: {helm.sh/hook: test}\n"
        "spec: {containers: [{name: t, image: 'busybox:1.36'}]}\n"]))
    diags = Diagnostics()
    r = import_kubernetes([tmp_path / "in.yaml"], "k", diags)
    assert r is not None and not diags.has_errors, [str(d) for d in diags.errors]
    names = {yaml.safe_load(t).get("name") for p, t in r.files.items() if p.startswith("apps/")}
    assert {"api", "migrate", "both"} <= names and not {"scale-to-zero", "undo"} & names
    said = sorted(d.message for d in diags.items if "Helm hook" in d.message)
    assert said == ["Job scale-to-zero is a Helm hook run only at pre-delete (`helm.sh/hook`): applied with the rest "
                    "it would run at once, so it is left out",
                    "Job undo is a Helm hook run only at post-rollback, pre-rollback (`helm.sh/hook`): applied with the "
                    "rest it would run at once, so it is left out",
                    "Pod smoke- is a Helm hook run only at test (`helm.sh/hook`): applied with the rest it would run "
                    "at once, so it is left out"]


def test_a_secret_of_no_value_is_kept_as_written_for_its_controller_to_fill(tmp_path):
    """metallb ships `metallb-webhook-cert`, a Secret of metadata only that its controller
    fills: it was declared `existing: true`, so no output made it, and the controller's pod,
    which mounts it, would wait forever in ContainerCreating. Such a Secret is a Resource as
    written (it holds no value to keep out), and a workload may use it like a declared one."""
    from validators import assert_valid_k8s, load_docs

    (tmp_path / "in.yaml").write_text("""\
apiVersion: v1
kind: Secret
metadata: {name: webhook-cert}
---
apiVersion: v1
kind: Secret
metadata: {name: filled}
data: {}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ctl}
spec:
  selector: {matchLabels: {app: ctl}}
  template:
    metadata: {labels: {app: ctl}}
    spec:
      containers:
      - name: ctl
        image: quay.io/metallb/controller:v0.14.9
        envFrom: [{secretRef: {name: filled}}]
        volumeMounts: [{name: cert, mountPath: /certs, readOnly: true}]
      volumes: [{name: cert, secret: {secretName: webhook-cert}}]
""")
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "in.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert "Secret webhook-cert is kept as a Resource, as written: it holds no value (a controller fills it)" \
        in res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b"), "-f", "kubernetes"])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    assert {("Secret", "webhook-cert"), ("Secret", "filled")} <= {(d["kind"], d["metadata"]["name"]) for d in k8s}


def test_a_kept_daemonsets_service_account_not_in_the_input_is_declared_existing(tmp_path):
    """NGINX's ingress controller as a DaemonSet runs as `nginx-ingress`, which its manifest
    does not make: the import was refused (SKY162), while the same Deployment imported with the
    account declared `existing: true`. A kept workload's account is declared so too."""
    import yaml

    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_kubernetes

    (tmp_path / "in.yaml").write_text("""\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      serviceAccountName: agent
      containers: [{name: agent, image: "nginx/nginx-ingress:4.0.0"}]
""")
    diags = Diagnostics()
    r = import_kubernetes([tmp_path / "in.yaml"], "k", diags)
    assert r is not None and not diags.has_errors, [str(d) for d in diags.errors]
    assert yaml.safe_load(r.files["apps/serviceaccount.agent.yaml"]) == \
        {"kind": "ServiceAccount", "name": "agent", "existing": True}
