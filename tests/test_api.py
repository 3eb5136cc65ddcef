"""The Python builders (skyspec.api) and Python spec files (skyspec.builders.load):
documents equal to the YAML a user would write, positions at the user's Python lines,
`skyspec build` on a project with a .py spec, generate() to every format, and the
Celestra features outside the language."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
import yaml

from skyspec import (App, AppGroup, ClusterRole, ConfigMap, CronJob, Job, NetworkPolicy, Observability, Role, Secret,
                     SecurityPolicy, ServiceAccount, SkyspecWarning, SpecError, StatefulApp, Volume)
from validators import assert_valid_k8s, compose_config, helm, kubectl, load_docs

HERE = Path(__file__).resolve()
SOURCE = HERE.read_text().splitlines()


def line_of(marker: str) -> int:
    """The line of this file that carries ``# <marker>``."""
    hits = [i + 1 for i, text in enumerate(SOURCE) if text.rstrip().endswith(f"# {marker}")]
    assert len(hits) == 1, marker
    return hits[0]


def y(text: str):
    return yaml.safe_load(textwrap.dedent(text))


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkyspecWarning)
        yield


# ---------------------------------------------------------------------------- documents

def test_app_document_is_the_yaml_a_user_would_write():
    db = StatefulApp("postgres").image("postgres:16").postgres_port()
    api = (App("api")
           .image("ghcr.io/acme/api:1.4.2")
           .port(8080)
           .port(9090, "metrics")
           .replicas(2)
           .resources(cpu="250m", memory="256Mi", memory_limit="512Mi")
           .env("LOG_LEVEL", "info")
           .environment({"WORKERS": 4, "DEBUG": False})
           .secret_env("DB_PASSWORD", "postgres-credentials", "password")
           .health_check("/healthz")
           .readiness_probe("/ready", period=5)
           .expose(host="api.example.com", tls=True)
           .connect_to([db, "redis"])
           .rolling_update(max_surge=1, max_unavailable=0)
           .autoscale(2, 10, target_cpu=70)
           .add_labels({"tier": "web"})
           .add_annotation("owner", "team-a")
           .node_selector({"disktype": "ssd"})
           .tolerations([{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule",
                          "tolerationSeconds": 30}])
           .command("python -m api")
           .args(["--port", "8080"])
           .sidecar("proxy", "envoyproxy/envoy:v1.31.0", ports={"admin": 9901}, mounts={"conf": "/etc/envoy"})
           .init_container("migrate", "ghcr.io/acme/api:1.4.2", command=["python", "-m", "migrate"])
           .add_volume(Volume("scratch").empty_dir().mount("/tmp"))
           .add_volume(Volume("conf").config_map("api-config").mount("/etc/api", read_only=True))
           .pre_stop(["sleep", "5"])
           .namespace("web")
           .k8s("Deployment", {"spec": {"revisionHistoryLimit": 3}}))
    assert api.to_dict() == y("""
        kind: App
        name: api
        image: ghcr.io/acme/api:1.4.2
        ports: {http: 8080, metrics: 9090}
        replicas: 2
        resources: {cpu: 250m, memory: 256Mi, memory_limit: 512Mi}
        env: {LOG_LEVEL: info, WORKERS: 4, DEBUG: false}
        secrets:
          DB_PASSWORD: {secret: postgres-credentials, key: password}
        health: {http: /healthz, readiness: {http: /ready, period: 5}}
        expose: {host: api.example.com, tls: true}
        connect_to: [postgres, redis]
        strategy: {rolling: {max_surge: 1, max_unavailable: 0}}
        autoscale: {min: 2, max: 10, cpu: 70}
        labels: {tier: web}
        annotations: {owner: team-a}
        node_selector: {disktype: ssd}
        tolerations: [{key: dedicated, operator: Equal, value: web, effect: NoSchedule, seconds: 30}]
        command: python -m api
        args: ["--port", "8080"]
        sidecars:
          proxy: {image: "envoyproxy/envoy:v1.31.0", ports: {admin: 9901}, mounts: {conf: /etc/envoy}}
        init:
          migrate: {image: "ghcr.io/acme/api:1.4.2", command: [python, -m, migrate]}
        volumes:
          scratch: {empty: true, mount: /tmp}
          conf: {config: api-config, mount: /etc/api, read_only: true}
        lifecycle: {pre_stop: [sleep, "5"]}
        namespace: web
        k8s: {Deployment: {spec: {revisionHistoryLimit: 3}}}
    """)


def test_health_shorthand_and_probes():
    assert App("a").image("x:1").port(80).health_check("/h").to_dict()["health"] == "/h"
    assert App("a").image("x:1").port(80).health_check("/h", port=9092).to_dict()["health"] == {"http": "/h",
                                                                                                  "port": 9092}
    assert StatefulApp("db").image("x:1").health_check(tcp=5432).to_dict()["health"] == {"tcp": 5432}
    # a later call replaces the check whole: no scheme is left from the first
    a = App("a").image("x:1").port(10250).health_check("/livez", scheme="HTTPS")
    assert a.to_dict()["health"] == {"http": "/livez", "scheme": "HTTPS"}
    assert a.readiness_probe("/readyz", scheme="HTTPS").health_check("/h").to_dict()["health"] == {
        "http": "/h", "readiness": {"http": "/readyz", "scheme": "HTTPS"}}
    h = (App("a").image("x:1").port(80).health_check("/health").liveness_probe("/health")
         .readiness_probe("/ready").startup_probe("/startup", failure_threshold=30, period_seconds=10)).to_dict()
    assert h["health"] == {"http": "/health", "liveness": "/health", "readiness": "/ready",
                           "startup": {"http": "/startup", "failure_threshold": 30, "period": 10}}


def test_strategies():
    assert App("a").deployment_strategy("blue-green").to_dict()["strategy"] == "blue-green"
    assert App("a").deployment_strategy("canary").canary_percentage(10).to_dict()["strategy"] == {
        "canary": {"percent": 10}}
    assert App("a").canary(20, image="x:2").to_dict()["strategy"] == {"canary": {"percent": 20, "image": "x:2"}}
    assert App("a").deployment_strategy("Recreate").to_dict()["strategy"] == "recreate"
    d = App("a").rolling_update(max_surge=1, max_unavailable=0, min_ready_seconds=30).to_dict()
    assert d["strategy"] == {"rolling": {"max_surge": 1, "max_unavailable": 0}}
    assert d["k8s"] == {"Deployment": {"spec": {"minReadySeconds": 30}}}
    s = StatefulApp("db").rolling_update(partition=1, min_ready_seconds=5).to_dict()
    assert s["k8s"] == {"StatefulSet": {"spec": {"minReadySeconds": 5}}}
    assert StatefulApp("db").deployment_strategy("on-delete").to_dict()["strategy"] == "on-delete"


def test_stateful_app_document():
    db = (StatefulApp("postgres").image("postgres:16").port(5432, "postgres")
          .storage("100Gi", "/var/lib/postgresql/data", "fast-ssd")
          .add_storage("10Gi", name="wal")
          .pod_management("parallel")
          .add_volume(Volume("backup").persistent_volume_claim("50Gi").mount("/backup")))
    assert db.to_dict() == y("""
        kind: StatefulApp
        name: postgres
        image: postgres:16
        ports: {postgres: 5432}
        storage:
          data: {size: 100Gi, mount: /var/lib/postgresql/data, class: fast-ssd}
          wal: 10Gi
          backup: {size: 50Gi, mount: /backup}
        pod_management: Parallel
    """)
    assert StatefulApp("c").storage("1Gi").mount_path("/data/c").to_dict()["storage"] == {
        "data": {"size": "1Gi", "mount": "/data/c"}}


def test_backup_and_database_config_go_to_template_blocks():
    db = (StatefulApp("postgres").use("postgres", "16").storage("20Gi").backup_schedule("0 2 * * *")
          .backup_retention(30).backup_location("s3://backups/pg").postgres_config({"max_connections": "200"}))
    assert db.to_dict() == y("""
        kind: StatefulApp
        name: postgres
        use: postgres
        version: "16"
        storage: {data: 20Gi}
        backup: {schedule: "0 2 * * *", retention: 30, location: "s3://backups/pg"}
        config: {max_connections: "200"}
    """)


def test_backup_and_config_blocks_compile_under_a_template_that_declares_them(tmp_path, monkeypatch):
    """`backup:`/`config:` are parameters of `use:` templates: with one that declares them the
    builder compiles; a wrong value is reported at the Python line."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "pg.yaml").write_text(textwrap.dedent("""
        description: a PostgreSQL template of the project
        kind: StatefulApp
        params:
          version: {type: string}
          backup:
            type: object
            additionalProperties: false
            properties: {schedule: {type: string}, retention: {type: integer}, location: {type: string}}
          config: {type: object, additionalProperties: {type: string}}
        spec:
          version: "16"
          image: "postgres:${self.version}"
          ports: {postgres: 5432}
          health: {tcp: 5432}
    """))
    db = (StatefulApp("db").use("./templates/pg.yaml", "15").storage("1Gi").backup_schedule("0 2 * * *")
          .backup_retention(30).postgres_config({"max_connections": "200"}))
    objs = db.generate().objects()
    assert_valid_k8s(objs)
    sts = next(o for o in objs if o["kind"] == "StatefulSet")
    assert sts["spec"]["template"]["spec"]["containers"][0]["image"] == "postgres:15"
    bad = StatefulApp("db2").use("./templates/pg.yaml").backup_retention("thirty")  # @retention
    with pytest.raises(SpecError) as info:
        bad.generate().objects()
    d, = info.value.diagnostics
    assert d.code == "SKY104" and d.pos.line == line_of("@retention")


def test_jobs():
    job = (Job("migrate").image("ghcr.io/acme/api:1.4.2").command(["python", "-m", "migrate"])
           .completions(1).parallelism(1).backoff_limit(3).active_deadline_seconds(600)
           .ttl_seconds_after_finished(3600).restart_policy("never"))
    assert job.to_dict() == y("""
        kind: Job
        name: migrate
        image: ghcr.io/acme/api:1.4.2
        command: [python, -m, migrate]
        completions: 1
        parallelism: 1
        backoff_limit: 3
        active_deadline: 600
        ttl: 3600
        restart: Never
    """)
    cron = (CronJob("report", "0 6 * * 1").image("ghcr.io/acme/report:2.0.1").time_zone("Europe/Paris")
            .concurrency_policy("forbid").successful_jobs_history_limit(3).failed_jobs_history_limit(1)
            .starting_deadline(120).suspend(False))
    assert cron.to_dict() == y("""
        kind: CronJob
        name: report
        schedule: "0 6 * * 1"
        image: ghcr.io/acme/report:2.0.1
        time_zone: Europe/Paris
        concurrency: Forbid
        history: {successful: 3, failed: 1}
        starting_deadline: 120
        suspend: false
    """)


def test_config_and_secret_documents(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pw.txt").write_text("from-a-file")
    cm = (ConfigMap("app-config").add("debug", "false").add_json("features", {"new_ui": True})
          .add_yaml("rules", {"a": [1, 2]}).from_file("nginx.conf", "configs/nginx.conf").from_file("extra/x.ini"))
    assert cm.to_dict() == y("""
        kind: ConfigMap
        name: app-config
        data: {debug: "false"}
        json: {features: {new_ui: true}}
        yaml: {rules: {a: [1, 2]}}
        files: {nginx.conf: configs/nginx.conf, x.ini: extra/x.ini}
    """)
    assert Secret("s").add("password", "pw").from_file("token", "pw.txt").to_dict() == {
        "kind": "Secret", "name": "s", "data": {"password": "pw", "token": "from-a-file"}}
    assert Secret("s").keys(["a", "b"]).to_dict() == {"kind": "Secret", "name": "s", "keys": ["a", "b"]}
    assert Secret("s").from_existing().to_dict() == {"kind": "Secret", "name": "s", "existing": True}
    assert ConfigMap("c").from_existing().to_dict() == {"kind": "ConfigMap", "name": "c", "existing": True}
    assert Secret("s").external("vault", {"password": "db/prod#password"}, refresh="1h").to_dict() == y("""
        kind: Secret
        name: s
        external: {store: vault, data: {password: "db/prod#password"}, refresh: 1h}
    """)


def test_attachments_become_references():
    secret = Secret("creds").keys("password")
    conf = ConfigMap("conf").add("mode", "fast")
    files = ConfigMap("files").add("a.ini", "x=1").mount("/etc/app")
    sa = ServiceAccount("api-sa").automount_token(False)
    role = Role("reader").add_policy("read", "pods").add_policy(["get", "list"], "deployments", api_group="apps")
    np = NetworkPolicy("api-in").deny_all().allow_from_app("web").allow_namespace("monitoring").allow_cidr("10.0.0.0/8")
    obs = Observability("mon").enable_metrics(port="http").enable_logging("warn").enable_tracing("http://otel:4317")
    psa = SecurityPolicy("psa").pod_security_standards("restricted")
    api = (App("api").image("ghcr.io/acme/api:1.4.2").port(8080)
           .add_secret(secret).add_config(conf).add_config(files).add_service_account(sa).add_role(role)
           .add_network_policy(np).add_observability(obs).add_security_policy(psa))
    docs = {(d["kind"], d["name"]): d for d in api.documents()}
    assert docs[("App", "api")]["env_from"] == [{"secret": "creds"}, {"config": "conf"}]
    assert docs[("App", "api")]["volumes"] == {"files": {"config": "files", "mount": "/etc/app"}}
    assert docs[("App", "api")]["service_account"] == "api-sa"
    assert docs[("Role", "reader")] == y("""
        kind: Role
        name: reader
        rules:
          - {resources: [pods], verbs: [get, list, watch]}
          - {api_groups: [apps], resources: [deployments], verbs: [get, list]}
        bind: [api-sa]
    """)
    assert docs[("NetworkPolicy", "api-in")] == y("""
        kind: NetworkPolicy
        name: api-in
        deny_all: true
        allow_from: [{app: web}, {namespace: monitoring}, {cidr: 10.0.0.0/8}]
        select: {app: api}
    """)
    assert docs[("Observability", "mon")] == y("""
        kind: Observability
        name: mon
        metrics: {port: http, path: /metrics}
        logging: {level: warn}
        tracing: {endpoint: "http://otel:4317"}
        apps: [api]
    """)
    assert docs[("SecurityPolicy", "psa")] == {"kind": "SecurityPolicy", "name": "psa", "level": "restricted"}
    assert docs[("ServiceAccount", "api-sa")] == {"kind": "ServiceAccount", "name": "api-sa", "automount_token": False}
    objs = api.generate().objects()
    assert_valid_k8s(objs)
    kinds = {(o["kind"], o["metadata"]["name"]) for o in objs}
    assert {("RoleBinding", "reader"), ("NetworkPolicy", "api-in"), ("ConfigMap", "files"),
            ("Namespace", "default")} <= kinds


def test_a_role_without_a_service_account_gets_one_of_the_workloads_name():
    db = StatefulApp("postgres").image("postgres:16").add_role(ClusterRole("pod-reader").add_policy("get", "pods"))
    docs = {(d["kind"], d["name"]): d for d in db.documents()}
    assert docs[("StatefulApp", "postgres")]["service_account"] == "postgres"
    assert docs[("ServiceAccount", "postgres")] == {"kind": "ServiceAccount", "name": "postgres"}
    assert docs[("ClusterRole", "pod-reader")]["bind"] == ["postgres"]
    objs = db.generate().objects()
    assert_valid_k8s(objs)
    binding = next(o for o in objs if o["kind"] == "ClusterRoleBinding")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "postgres", "namespace": "default"}]


def test_a_new_claim_for_an_app_is_a_persistent_volume_claim():
    app = App("web").image("nginx:1.27").port(80).add_volume(Volume("uploads").pvc("5Gi", "standard").mount("/up"))
    docs = {(d["kind"], d["name"]): d for d in app.documents()}
    assert docs[("App", "web")]["volumes"] == {"uploads": {"claim": "web-uploads", "mount": "/up"}}
    assert docs[("Resource", "web-uploads")]["manifest"]["spec"] == {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}, "storageClassName": "standard"}
    objs = app.generate().objects()
    assert_valid_k8s(objs)
    assert any(o["kind"] == "PersistentVolumeClaim" and o["metadata"]["name"] == "web-uploads" for o in objs)


def test_python_level_mistakes_raise_at_the_call():
    with pytest.raises(ValueError, match='port name "http" is already used'):
        App("a").port(8080).port(9090)
    App("a").port(8080).port(8080)  # the same value again is fine
    with pytest.raises(AttributeError, match='did you mean "image"'):
        App("a").imgae("x:1")
    with pytest.raises(AttributeError, match='did you mean "health_check"'):   # the spec's field name
        App("a").health("/healthz")
    with pytest.raises(TypeError, match="cannot be part of a spec"):
        App("a").env("X", object())
    with pytest.raises(ValueError, match="DNS-1123"):
        App("a").for_environment("Production")
    with pytest.raises(ValueError, match="already selects"):
        np = NetworkPolicy("p")
        App("a").add_network_policy(np)
        App("b").add_network_policy(np)


# ---------------------------------------------------------------------------- positions

def test_every_value_is_positioned_at_the_users_call():
    from skyspec.builders._base import _closure, _namer, source_docs

    app = (App("pos-demo")                      # @ctor
           .image("nginx:1.27")                 # @image
           .port(80)                            # @port
           .env("A", "1")                       # @env-a
           .env("B", "2")                       # @env-b
           .replicas(2))                        # @replicas
    doc, = source_docs(_closure([app]), _namer())
    shown = doc.file
    assert Path(shown).resolve() == HERE
    loc = doc.loc
    assert loc.pos.line == line_of("@ctor")
    assert loc.child("kind").pos.line == line_of("@ctor")
    assert loc.child("image").pos.line == line_of("@image")
    assert loc.child("ports").child("http").pos.line == line_of("@port")
    assert loc.key_pos("env").line == line_of("@env-a")
    assert loc.child("env").child("A").pos.line == line_of("@env-a")
    assert loc.child("env").child("B").pos.line == line_of("@env-b")
    r = loc.child("replicas").pos
    text = SOURCE[r.line - 1]
    if sys.version_info >= (3, 11):   # the column of the method name, the caret over the call
        assert text[r.col - 1:r.end - 1] == "replicas(2)"
        c = loc.pos
        assert SOURCE[c.line - 1][c.col - 1:].startswith('App("pos-demo")')
    assert doc.index == 0 and doc.data["name"] == "pos-demo"


def test_a_bad_value_is_reported_at_the_python_line():
    app = App("bad").image("nginx:1.27").port(80).replicas("three")  # @bad-replicas
    with pytest.raises(SpecError) as info:
        app.generate().to_yaml("unused-k8s-dir")
    d, = [d for d in info.value.diagnostics if d.code == "SKY104"]
    assert d.message == 'replicas must be an integer, got "three"'
    assert Path(d.pos.file).resolve() == HERE and d.pos.line == line_of("@bad-replicas")
    text = str(info.value)
    assert f":{line_of('@bad-replicas')}:" in text and 'error[SKY104]' in text
    assert '.replicas("three")' in text   # the code frame is the user's Python line
    assert not Path("unused-k8s-dir").exists()


def test_positions_of_attached_and_derived_values():
    secret = Secret("creds").keys("password")                           # @secret
    vol = Volume("conf").config_map("nope")                              # @volume
    app = (App("api").image("nginx:1.27").port(80)
           .add_secret(secret)                                           # @add-secret
           .add_volume(vol))                                             # @add-volume
    with pytest.raises(SpecError) as info:
        app.generate().files("kubernetes")
    d, = info.value.diagnostics
    assert d.code == "SKY103" and "mount" in d.message                  # the volume has no mount path
    assert d.pos.line == line_of("@volume")
    from skyspec.builders._base import _closure, _namer, source_docs
    docs = source_docs(_closure([app]), _namer())
    loc = docs[0].loc
    assert loc.child("env_from").child(0).pos.line == line_of("@add-secret")
    assert docs[1].loc.pos.line == line_of("@secret")


def test_warnings_are_python_warnings_at_the_users_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = App("api").image("nginx:1.27").port(80).add_secret(Secret("tok").add("token", "hunter2"))  # @literal
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files = app.generate().files("kubernetes")
    w = next(w for w in caught if "SKY119" in str(w.message))
    assert issubclass(w.category, SkyspecWarning)
    assert Path(w.filename).resolve() == HERE and w.lineno == line_of("@literal")
    assert "hunter2" not in "".join(files.values()) and "hunter2" not in str(w.message)


def test_literal_secrets_are_refused_in_a_protected_environment():
    app = (App("api").image("nginx:1.27").port(80).for_environment("prod")
           .add_secret(Secret("tok").add("token", "hunter2")))      # @protected
    with pytest.raises(SpecError) as info:
        app.generate().files("kubernetes")
    d = next(d for d in info.value.diagnostics if d.code == "SKY119")
    assert d.severity == "error" and d.pos.line == line_of("@protected")
    assert "hunter2" not in str(info.value)      # the line holding the value is not shown


# ---------------------------------------------------------------------------- generate()

@pytest.fixture
def shop():
    db = (StatefulApp("postgres").image("postgres:16.4").port(5432, "postgres").storage("10Gi")
          .health_check(tcp=5432).resources(cpu="250m", memory="512Mi", memory_limit="512Mi"))
    api = (App("api").image("ghcr.io/acme/api:1.4.2").port(8080).replicas(2).health_check("/healthz")
           .resources(cpu="100m", memory="128Mi", memory_limit="256Mi").connect_to([db])
           .add_config(ConfigMap("api-config").add("MODE", "fast"))
           .add_secret(Secret("api-creds").keys("token"))
           .expose(host="api.example.com"))
    job = (CronJob("report", "0 6 * * *").image("ghcr.io/acme/report:2.0.1")
           .resources(cpu="100m", memory="128Mi", memory_limit="128Mi").connect_to(db))
    return AppGroup("shop").add([db, api, job])


def test_generate_to_yaml(shop, tmp_path):
    written = shop.generate().to_yaml(tmp_path / "k8s")
    names = sorted(p.name for p in written)
    assert "api.yaml" in names and "postgres.yaml" in names and "configmap.api-config.yaml" in names
    docs = load_docs(tmp_path / "k8s")
    assert_valid_k8s(docs)
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    assert by[("Deployment", "api")]["metadata"]["namespace"] == "default"
    env = {e["name"]: e.get("value") for e in by[("Deployment", "api")]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["POSTGRES_HOST"] == "postgres"
    assert ("Ingress", "api") in by and ("CronJob", "report") in by
    # again: replaced in place, user files kept
    (tmp_path / "k8s" / "README.md").write_text("mine")
    shop.generate().to_yaml(tmp_path / "k8s")
    assert (tmp_path / "k8s" / "README.md").read_text() == "mine"


def test_generate_to_docker_compose(shop, tmp_path):
    path = tmp_path / "docker-compose.yml"
    shop.generate().to_docker_compose(path)
    r = compose_config(path)
    assert r.returncode == 0, r.stderr
    compose = yaml.safe_load(path.read_text())
    assert {"api", "postgres", "report"} <= set(compose["services"])
    shop.generate().to_docker_compose(path)   # its own file: replaced
    foreign = tmp_path / "other.yml"
    foreign.write_text("services: {}\n")
    with pytest.raises(FileExistsError, match="not written by skyspec"):
        shop.generate().to_docker_compose(foreign)
    assert foreign.read_text() == "services: {}\n"


def test_generate_to_helm_chart(shop, tmp_path):
    shop.generate().to_helm_chart(tmp_path / "charts")
    chart = tmp_path / "charts" / "shop"
    assert (chart / "Chart.yaml").is_file()
    r = helm("lint", "--strict", str(chart), "-f", str(chart / "values-default.yaml"))
    assert r.returncode == 0, r.stdout + r.stderr
    r = helm("template", "shop", str(chart), "--namespace", "default", "-f", str(chart / "values-default.yaml"))
    assert r.returncode == 0, r.stderr
    rendered = [d for d in yaml.safe_load_all(r.stdout) if d]
    assert_valid_k8s(rendered)
    assert sorted((d["kind"], d["metadata"]["name"]) for d in rendered) == \
        sorted((o["kind"], o["metadata"]["name"]) for o in shop.generate().objects())


def test_generate_to_kustomize(shop, tmp_path):
    shop.generate().to_kustomize(tmp_path / "kustomize")
    r = kubectl("kustomize", str(tmp_path / "kustomize" / "overlays" / "default"))
    assert r.returncode == 0, r.stderr
    built = [d for d in yaml.safe_load_all(r.stdout) if d]
    assert_valid_k8s(built)
    assert len(built) == len(shop.generate().objects())


def test_to_specs_moves_a_team_from_python_to_yaml(shop, tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "nginx.conf").write_text("events {}\n")
    web = (App("web").image("nginx:1.27").port(80).health_check("/")
           .resources(cpu="50m", memory="64Mi", memory_limit="64Mi")
           .add_config(ConfigMap("web-conf").from_file("nginx.conf", "configs/nginx.conf").mount("/etc/nginx/conf.d"))
           .add_secret(Secret("web-tok").add("token", "hunter2")))
    group = AppGroup("shop").add([shop, web])
    group.generate().to_specs(tmp_path / "specs")
    specs = tmp_path / "specs"
    assert yaml.safe_load((specs / "skyspec.yaml").read_text())["project"] == "shop"
    assert yaml.safe_load((specs / "api.yaml").read_text()) == next(d for d in group.documents() if d["name"] == "api")
    assert yaml.safe_load((specs / "secret.web-tok.yaml").read_text()) == {"kind": "Secret", "name": "web-tok",
                                                                            "keys": ["token"]}
    assert "hunter2" not in "".join(p.read_text() for p in specs.rglob("*.yaml"))
    cm = yaml.safe_load((specs / "configmap.web-conf.yaml").read_text())
    assert cm["files"] == {"nginx.conf": "files/web-conf/nginx.conf"}
    assert (specs / "files" / "web-conf" / "nginx.conf").read_text() == "events {}\n"
    group.generate().to_yaml(tmp_path / "from-python")
    r = cli("build", str(specs), "-o", str(tmp_path / "from-yaml"), "--format", "kubernetes")
    assert r.exit_code == 0, r.output
    a = load_docs(tmp_path / "from-python")
    b = load_docs(tmp_path / "from-yaml" / "default" / "kubernetes")
    assert a == b


def test_for_environment_makes_environments_in_generate(tmp_path):
    common = ConfigMap("common").add("x", "1")
    dev = App("myapp-dev").image("nginx:1.27").port(80).for_environment("development").replicas(1)
    prod = App("myapp").image("nginx:1.27").port(80).for_environment("production").replicas(5)
    g = AppGroup("myapp").add([common, dev, prod]).generate()
    assert g.environments() == ["development", "production"]
    assert [d["name"] for d in g.documents("development")] == ["common", "myapp-dev"]
    assert [d["name"] for d in g.documents("production")] == ["common", "myapp"]
    g.to_yaml(tmp_path / "k8s")
    dev_files = {p.name for p in (tmp_path / "k8s" / "development").iterdir()}
    assert {"configmap.common.yaml", "myapp-dev.yaml"} <= dev_files and "myapp.yaml" not in dev_files
    assert (tmp_path / "k8s" / "production" / "myapp.yaml").is_file()
    assert_valid_k8s(load_docs(tmp_path / "k8s"))
    g.to_docker_compose(tmp_path / "docker-compose.yml")
    assert (tmp_path / "docker-compose.development.yml").is_file()
    with pytest.raises(ValueError, match="overlays"):
        g.to_specs(tmp_path / "specs")


# ---------------------------------------------------------------------------- outside the language

@pytest.mark.parametrize("call", [
    lambda: App("a").build(".", "Dockerfile"),
    lambda: StatefulApp("a").from_dockerfile("Dockerfile", "."),
    lambda: App("a").rollback_on_failure(),
    lambda: App("a").promotion_criteria("success_rate > 95%"),
    lambda: StatefulApp("a").cluster_mode(True),
    lambda: StatefulApp("a").quorum_size(3),
    lambda: StatefulApp("a").replication_factor(3),
    lambda: StatefulApp("a").enable_point_in_time_recovery(),
    lambda: App("a").add_plugin(object()),
    lambda: App("a").add_service(object()),
    lambda: App("a").storage("1Gi"),
    lambda: __import__("skyspec").Plugin(),
    lambda: __import__("skyspec").CostOptimization("x"),
    lambda: __import__("skyspec").CustomResource("X"),
    lambda: __import__("skyspec").Service("x"),
])
def test_outside_the_language_raises_not_implemented(call):
    with pytest.raises(NotImplementedError, match="outside the skyspec language: .+ Instead: "):
        call()


# ---------------------------------------------------------------------------- Python spec files in a project

PROJECT = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  dev: {}
  prod: {overlays: [overlays/prod.yaml]}
"""
PY_PROJECT = PROJECT + "python: true   # .py spec files run: trusted code\n"

WEB_PY = '''
from skyspec import App, Secret

api = (App("api")
       .image("ghcr.io/acme/api:1.4.2")
       .port(8080)
       .replicas(2)
       .health_check("/healthz")
       .resources(cpu="100m", memory="128Mi", memory_limit="256Mi")
       .connect_to(["postgres"])
       .add_secret(Secret("api-creds").keys("token")))

if __name__ == "__main__":
    api.generate().to_yaml("./never-written/")
api.generate().to_yaml("./never-written-either/")
'''

DB_YAML = """
kind: StatefulApp
name: postgres
image: postgres:16.4
port: 5432
storage: 10Gi
health: {tcp: 5432}
replicas: 2
resources: {cpu: 250m, memory: 512Mi, memory_limit: 512Mi}
"""


def test_skyspec_build_with_a_python_spec_file(make_project, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SKYSPEC_ALLOW_PYTHON", "1")   # whoever runs skyspec consents; the project says `python: true`
    root = make_project({"apps/web.py": WEB_PY, "apps/db.yaml": DB_YAML, "overlays/prod.yaml": """
        apps:
          api: {replicas: 3}
    """}, PY_PROJECT)
    r = cli("build", "-o", str(tmp_path / "out"), "--format", "kubernetes")
    assert r.exit_code == 0, r.output
    docs = load_docs(tmp_path / "out" / "prod" / "kubernetes")
    assert_valid_k8s(docs)
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    assert by[("Deployment", "api")]["spec"]["replicas"] == 3          # the overlay applies to a Python spec
    env = {e["name"] for e in by[("Deployment", "api")]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert {"POSTGRES_HOST", "POSTGRES_PORT"} <= env
    assert not (root / "never-written").exists() and not (root / "never-written-either").exists()
    if "explain" in _commands():   # the spec layer of a value is the Python call that set it
        r = cli("explain", "api.replicas", "--env", "prod")
        assert r.exit_code == 0, r.output
        assert f"apps/web.py:{WEB_PY.splitlines().index('       .replicas(2)')}:" in r.output, r.output


def _commands() -> set[str]:
    import click

    from skyspec.cli import main

    return set(main.list_commands(click.Context(main)))


@pytest.mark.parametrize("source, code, line, fragment", [
    ('from skyspec import App\napp = App("api").image("x:1").port(80).replicas("three")\n', "SKY104", 2,
     'replicas must be an integer, got "three"'),
    ('from skyspec import App\n\napp = (App("api").image("x:1")\n       .promotion_criteria("p95 < 200ms"))\n',
     "SKY003", 4, "NotImplementedError: promotion_criteria() is outside the skyspec language"),
    ('from skyspec import App\napp = App("api").image("x:1").port(80)\nraise RuntimeError("boom")\n', "SKY003", 3,
     "RuntimeError: boom"),
    ('from skyspec import App\napp = App("api"\n', "SKY003", 2, "invalid Python"),
    ('from skyspec import App\napp = App("api").image("x:1").port(80).for_environment("dev")\n', "SKY108", 2,
     'for_environment("dev") cannot restrict App "api"'),
    ('from skyspec import App\na = App("api").image("x:1")\nb = App("api").image("y:1")\n', "SKY110", 3,
     'duplicate name "api"'),
])
def test_problems_in_a_python_spec_file_are_located(make_project, cli, source, code, line, fragment):
    make_project({"apps/web.py": source}, PROJECT)
    r = cli("check", "--allow-python", "--diagnostics-format", "json")
    assert r.exit_code == 1
    import json

    diags = json.loads(r.stdout)
    d = next(d for d in diags if d["code"] == code)
    assert d["file"] == "apps/web.py" and d["line"] == line, d
    assert fragment in d["message"], d
    r = cli("check", "--allow-python")
    assert "Traceback" not in r.output


def test_import_skyspec_does_not_load_the_builders():
    code = "import sys, skyspec; assert 'skyspec.api' not in sys.modules; from skyspec import App; print(App)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={"PYTHONPATH": str(HERE.parents[1] / "compiler"), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    assert "skyspec.api.App" in r.stdout


@pytest.mark.parametrize("page,section", [("README.md", "## Python builders"), ("docs/python-api.md", "# Python builders")])
def test_the_documented_python_example_runs_without_a_warning(tmp_path, page, section):
    """The first Python example of each page, run as a user runs it (warnings made errors):
    its manifests validate, and its database is the stdlib's, which starts under the hardened
    defaults (the image's own user, a superuser password from the Secret)."""
    text = (HERE.parents[1] / page).read_text().split(section, 1)[1]
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    if "to_yaml(" not in code:
        code += 'api.generate().to_yaml("./k8s/")\n'
    script = 'import warnings, skyspec\nwarnings.simplefilter("error", skyspec.SkyspecWarning)\n' + code
    r = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                       env={"PYTHONPATH": str(HERE.parents[1] / "compiler"), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    docs = load_docs(tmp_path / "k8s")
    assert_valid_k8s(docs)
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    db = by[("StatefulSet", "db")]["spec"]["template"]["spec"]
    assert db["securityContext"]["runAsUser"] == 999
    env = {e["name"]: e for e in db["containers"][0]["env"]}
    assert env["POSTGRES_PASSWORD_FILE"]["value"].startswith("/run/secrets/pg/")
    api = {e["name"]: e for e in by[("Deployment", "api")]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert api["DB_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "pg", "key": "password"}
    assert api["DB_HOST"]["value"] == "db"
