"""The stdlib components (`use: postgres`, ... `stdlib/<name>.yaml` + `components/<name>.py`):
each compiles to objects the real validators accept, with the image's real probe commands,
data path and UID, `config` lowered into the server's real configuration, credentials as
secret references, `<NAME>_URL` for consumers, and backups as CronJobs running the real
dump tools; in Kubernetes and Compose (and, for a project using all of them, Helm and
Kustomize rendering exactly the Kubernetes objects)."""

from __future__ import annotations

import collections
import json
import textwrap
from pathlib import Path

import pytest
import yaml
from validators import assert_valid_k8s, compose_config, compose_run, helm, kubectl, load_docs, strip_helm_labels

from conftest import EXAMPLES

STDLIB = Path(__file__).resolve().parents[1] / "stdlib"
SECRET = "kind: Secret\nname: creds\nkeys: [password, root-password, access_key_id, secret_access_key]\n"


# ---------------------------------------------------------------------- helpers

def build(cli, tmp_path: Path, formats: str = "kubernetes,compose", env: str = "dev") -> Path:
    out = tmp_path / "out"
    r = cli("build", "-o", str(out), "--env", env, "--format", formats)
    assert r.exit_code == 0, r.output
    return out


def objects(out: Path, env: str = "dev") -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in load_docs(out / env / "kubernetes")}


def pod(obj: dict) -> dict:
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return obj["spec"]["template"]["spec"]


def main(obj: dict) -> dict:
    return pod(obj)["containers"][0]


def env_of(c: dict) -> dict:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c.get("env", [])}


def mounts(c: dict) -> dict:
    return {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}


def volumes(obj: dict) -> dict:
    return {v["name"]: v for v in pod(obj).get("volumes", [])}


def compose_model(out: Path, env: str = "dev") -> dict:
    """`docker-compose config` (the real binary) accepts the file, every profile included;
    returns Compose's own model of it."""
    path = out / env / "compose.yaml"
    r = compose_config(path)
    assert r.returncode == 0, f"{r.stderr}\n{path.read_text()}"
    r = compose_run(path, "--profile", "*", "config", "--format", "json")   # (given the variables of Secrets)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def diags(cli) -> list[dict]:
    r = cli("check", "--diagnostics-format", "json")
    return json.loads(r.stdout)


def spec(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# ---------------------------------------------------------------------- postgres + a consumer

PG = spec("""
    kind: Secret
    name: pg
    keys: [password]
    ---
    kind: StatefulApp
    name: postgres
    use: postgres
    database: shop
    credentials: pg
    ---
    kind: App
    name: api
    image: ghcr.io/acme/api:1.0.0
    port: 8080
    health: /healthz
    connect_to: [postgres]
    """)


def test_postgres_and_its_consumer_in_kubernetes_and_compose(make_project, cli, tmp_path):
    make_project({"apps/all.yaml": PG})
    out = build(cli, tmp_path)
    objs = objects(out)
    assert_valid_k8s(list(objs.values()))
    sts = objs[("StatefulSet", "postgres")]
    c = main(sts)
    assert c["image"] == "postgres:17"
    assert c["ports"] == [{"name": "postgres", "containerPort": 5432, "protocol": "TCP"}]
    # the image's own tools: pg_isready on the socket, and over TCP while starting (the
    # first start's temporary server listens on the socket only)
    assert c["livenessProbe"]["exec"]["command"] == ["pg_isready", "-U", "postgres"]
    assert c["readinessProbe"]["exec"]["command"] == ["pg_isready", "-U", "postgres"]
    assert c["startupProbe"]["exec"]["command"] == ["pg_isready", "-h", "127.0.0.1", "-U", "postgres"]
    env = env_of(c)
    assert env["PGDATA"] == "/var/lib/postgresql/data/pgdata"          # a subdirectory: not lost+found
    assert (env["POSTGRES_USER"], env["POSTGRES_DB"]) == ("postgres", "shop")
    # the Secret reaches the database as a mounted file, never as a value
    assert env["POSTGRES_PASSWORD_FILE"] == "/run/secrets/pg/password"
    assert volumes(sts)["secret-pg"] == {"name": "secret-pg", "secret": {"secretName": "pg"}}
    assert "POSTGRES_PASSWORD" not in env
    m = mounts(c)
    assert m["/var/lib/postgresql/data"] == "data" and m["/run/secrets/pg"] == "secret-pg"
    assert volumes(sts)[m["/var/run/postgresql"]]["emptyDir"] == {}   # writable under a read-only root
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    assert pod(sts)["securityContext"]["runAsUser"] == 999 and pod(sts)["securityContext"]["fsGroup"] == 999
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    # the consumer finds it
    api = env_of(main(objs[("Deployment", "api")]))
    assert api["POSTGRES_HOST"] == "postgres" and api["POSTGRES_PORT"] == "5432"
    assert api["POSTGRES_URL"] == "postgresql://postgres:5432/shop"
    assert (api["POSTGRES_USER"], api["POSTGRES_DATABASE"]) == ("postgres", "shop")
    # Compose: the real binary accepts it; the same probe is the healthcheck the api waits for
    model = compose_model(out)
    db, app = model["services"]["postgres"], model["services"]["api"]
    assert db["healthcheck"]["test"] == ["CMD", "pg_isready", "-U", "postgres"]
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert app["environment"]["POSTGRES_URL"] == "postgresql://postgres:5432/shop"
    assert db["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/pg/password"
    assert [s["source"] for s in db["secrets"]] == ["pg.password"]
    assert {v["target"] for v in db["volumes"]} >= {"/var/lib/postgresql/data", "/var/run/postgresql"}


def test_postgres_names_with_a_hyphen(make_project, cli, tmp_path):
    """A user and database named with a hyphen (Ghostfolio's `ghostfolio-db`, Misskey's
    `example-misskey-user`), which the image's entrypoint quotes: the template takes them, where
    its pattern refused them and the import fell back to the bare image."""
    make_project({"apps/all.yaml": PG.replace("database: shop", "database: shop-db\nuser: shop-admin")})
    out = build(cli, tmp_path)
    objs = objects(out)
    c = main(objs[("StatefulSet", "postgres")])
    assert (env_of(c)["POSTGRES_USER"], env_of(c)["POSTGRES_DB"]) == ("shop-admin", "shop-db")
    assert c["livenessProbe"]["exec"]["command"] == ["pg_isready", "-U", "shop-admin"]
    assert env_of(main(objs[("Deployment", "api")]))["POSTGRES_URL"] == "postgresql://postgres:5432/shop-db"


def test_postgres_alpine_runs_as_its_uid_and_storage_size_alone_keeps_the_data_path(make_project, cli, tmp_path):
    make_project({"apps/all.yaml": PG.replace("database: shop", "version: 16-alpine\nstorage: 50Gi")})
    objs = objects(build(cli, tmp_path, "kubernetes"))
    sts = objs[("StatefulSet", "postgres")]
    assert main(sts)["image"] == "postgres:16-alpine"
    assert pod(sts)["securityContext"]["runAsUser"] == 70         # the postgres user of the Alpine images
    assert mounts(main(sts))["/var/lib/postgresql/data"] == "data"  # `storage: 50Gi` replaced the template's map
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "50Gi"
    assert env_of(main(objs[("Deployment", "api")]))["POSTGRES_URL"] == "postgresql://postgres:5432/postgres"


# ---------------------------------------------------------------------- every template

# name -> (image, port, uid, data path, readiness probe, consumer URL)
TEMPLATES = {
    "postgres": ("postgres:17", 5432, 999, "/var/lib/postgresql/data",
                 {"exec": {"command": ["pg_isready", "-U", "postgres"]}}, "postgresql://{n}:5432/postgres"),
    "mysql": ("mysql:8.4", 3306, 999, "/var/lib/mysql",
              {"exec": {"command": ["mysqladmin", "ping", "-h", "127.0.0.1", "--silent"]}}, "mysql://{n}:3306"),
    "mongodb": ("mongo:8.0", 27017, 999, "/data/db",
                {"exec": {"command": ["mongosh", "--quiet", "--eval", 'db.adminCommand("ping")']}},
                "mongodb://{n}:27017"),
    "redis": ("redis:7.4", 6379, 999, "/data",
              {"exec": {"command": ["sh", "-c", "redis-cli ping | grep -q PONG"]}}, "redis://{n}:6379/0"),
    "kafka": ("apache/kafka:4.0.0", 9092, 1000, "/var/lib/kafka/data", {"tcpSocket": {"port": "kafka"}}, "{n}:9092"),
    "elasticsearch": ("docker.elastic.co/elasticsearch/elasticsearch:8.17.0", 9200, 1000,
                      "/usr/share/elasticsearch/data",
                      {"exec": {"command": ["sh", "-c", 'if [ -n "$ELASTIC_PASSWORD_FILE" ]; then set -- -u '
                                            '"elastic:$(cat "$ELASTIC_PASSWORD_FILE")"; fi; curl -fsS "$@" '
                                            '"http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=1s" '
                                            '>/dev/null']}},
                      "http://{n}:9200"),
    "rabbitmq": ("rabbitmq:4.1-management", 5672, 999, "/var/lib/rabbitmq",
                 {"exec": {"command": ["rabbitmq-diagnostics", "-q", "ping"]}}, "amqp://{n}:5672/%2F"),
}
NEEDS_CREDENTIALS = {"postgres", "mysql", "rabbitmq"}


def test_the_table_covers_the_stdlib():
    assert sorted([*TEMPLATES, "celery"]) == sorted(p.stem for p in STDLIB.glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_compiles_and_validates(name, make_project, cli, tmp_path):
    image, port, uid, data, readiness, url = TEMPLATES[name]
    cred = "credentials: creds\n" if name in NEEDS_CREDENTIALS else ""
    make_project({"apps/all.yaml": SECRET + f"---\nkind: StatefulApp\nname: store\nuse: {name}\n{cred}---\n"
                  "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0.0\nport: 8080\nhealth: /healthz\n"
                  "connect_to: [store]\n"})
    out = build(cli, tmp_path)
    objs = objects(out)
    assert_valid_k8s(list(objs.values()))
    sts = objs[("StatefulSet", "store")]
    c = main(sts)
    assert c["image"] == image
    assert c["ports"][0]["containerPort"] == port
    assert {k: v for k, v in c["readinessProbe"].items() if k in ("exec", "tcpSocket", "httpGet")} == readiness
    assert "livenessProbe" in c
    assert mounts(c)[data] == "data"
    assert pod(sts)["securityContext"]["runAsUser"] == uid
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    for path, vol in mounts(c).items():  # every other writable place is an emptyDir or a claim
        assert vol == "data" or "emptyDir" in volumes(sts)[vol] or vol.startswith(("secret-", "rabbitmq-config"))
    assert env_of(main(objs[("Deployment", "api")]))["STORE_URL"] == url.format(n="store")
    model = compose_model(out)
    assert model["services"]["api"]["environment"]["STORE_URL"] == url.format(n="store")
    if "exec" in readiness:  # an exec probe is the Compose healthcheck the consumer waits for
        # (Compose's model shows a literal `$` as `$$`, as the file has it)
        assert model["services"]["store"]["healthcheck"]["test"] == \
            ["CMD", *(w.replace("$", "$$") for w in readiness["exec"]["command"])]
        assert model["services"]["api"]["depends_on"]["store"]["condition"] == "service_healthy"


def test_all_components_agree_in_helm_and_kustomize(make_project, cli, tmp_path):
    """One project with every template, each with its config, credentials and (for the
    databases) a backup: `helm template` and `kubectl kustomize` of our output are our
    Kubernetes output, object for object."""
    from skyspec.backends import helm as helm_backend
    from skyspec.backends import kubernetes, kustomize
    from skyspec.pipeline import Session

    root = make_project({"apps/all.yaml": ALL})
    s = Session(root / "skyspec.yaml")
    compiled = s.compile_all()
    assert not s.diags.errors, [str(d.message) for d in s.diags.errors]
    irs = {k: c.ir for k, c in compiled.items()}
    files = {**helm_backend.render(irs), **kustomize.render(irs)}
    out = tmp_path / "rendered"
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)

    def ident(o):
        m = o.get("metadata") or {}
        return o.get("apiVersion"), o.get("kind"), m.get("namespace"), m.get("name"), json.dumps(o, sort_keys=True)

    chart = out / "helm" / "demo"
    for env, ir in irs.items():
        want = collections.Counter(ident(o) for o in kubernetes.objects(ir))
        assert_valid_k8s(kubernetes.objects(ir))
        r = helm("template", "demo", str(chart), "--namespace", ir.namespace, "-f", str(chart / f"values-{env}.yaml"))
        assert r.returncode == 0, r.stderr
        # the chart adds Helm's labels (docs/helm.md, "Parity")
        assert collections.Counter(ident(strip_helm_labels(o)) for o in yaml.safe_load_all(r.stdout) if o) == \
            collections.Counter(ident(strip_helm_labels(o)) for o in kubernetes.objects(ir)), env
        r = kubectl("kustomize", str(out / "kustomize" / "overlays" / env))
        assert r.returncode == 0, r.stderr
        assert collections.Counter(ident(o) for o in yaml.safe_load_all(r.stdout) if o) == want, env


ALL = SECRET + spec("""
    ---
    kind: StatefulApp
    name: pg
    use: postgres
    credentials: creds
    config: {max_connections: 200}
    backup: {schedule: "0 2 * * *", retention: 30, location: pvc://pg-backups, size: 20Gi}
    ---
    kind: StatefulApp
    name: mysql
    use: mysql
    user: app
    database: shop
    credentials: creds
    config: {max_connections: 300}
    backup: {schedule: "30 1 * * *", retention: 7, location: s3://acme-backups/mysql, s3: {credentials: creds}}
    ---
    kind: StatefulApp
    name: mongo
    use: mongodb
    credentials: creds
    config: {wiredTigerCacheSizeGB: 1}
    backup: {schedule: "0 3 * * *", location: s3://acme-backups/mongo}
    ---
    kind: StatefulApp
    name: redis
    use: redis
    credentials: creds
    config: {maxmemory: 2gb}
    ---
    kind: StatefulApp
    name: kafka
    use: kafka
    config: {num.partitions: 3}
    ---
    kind: StatefulApp
    name: search
    use: elasticsearch
    credentials: creds
    config: {http.cors.allow-origin: "*"}
    ---
    kind: StatefulApp
    name: rabbit
    use: rabbitmq
    credentials: creds
    config: {consumer_timeout: 3600000}
    ---
    kind: App
    name: api
    image: ghcr.io/acme/api:1.0.0
    port: 8080
    health: /healthz
    connect_to: [pg, mysql, mongo, redis, kafka, search, rabbit]
    """)


# ---------------------------------------------------------------------- config

def test_config_becomes_the_servers_real_configuration(make_project, cli, tmp_path):
    make_project({"apps/all.yaml": SECRET + spec("""
        ---
        kind: StatefulApp
        name: pg
        use: postgres
        credentials: creds
        config: {max_connections: 200, shared_buffers: 256MB, fsync: true}
        ---
        kind: StatefulApp
        name: mysql
        use: mysql
        credentials: creds
        config: {innodb_buffer_pool_size: 1G, skip-name-resolve: true}
        ---
        kind: StatefulApp
        name: redis
        use: redis
        config: {maxmemory: 2gb, maxmemory-policy: allkeys-lru, save: "900 1 300 10", appendonly: true}
        ---
        kind: StatefulApp
        name: mongo
        use: mongodb
        config: {wiredTigerCacheSizeGB: 1, quiet: true, noscripting: false, setParameter: {cursorTimeoutMillis: 60000}}
        ---
        kind: StatefulApp
        name: kafka
        use: kafka
        config: {num.partitions: 3, log.retention.hours: 72, auto.create.topics.enable: false, a-b_c.d: x}
        ---
        kind: StatefulApp
        name: search
        use: elasticsearch
        config: {indices.query.bool.max_clause_count: 4096, http.cors.allow-origin: "*"}
        ---
        kind: StatefulApp
        name: rabbit
        use: rabbitmq
        credentials: creds
        config: {consumer_timeout: 3600000, vm_memory_high_watermark.relative: 0.6}
        """)})
    out = build(cli, tmp_path)
    objs = objects(out)
    assert_valid_k8s(list(objs.values()))
    c = lambda name: main(objs[("StatefulSet", name)])  # noqa: E731
    assert c("pg")["args"] == ["-c", "max_connections=200", "-c", "shared_buffers=256MB", "-c", "fsync=on"]
    assert c("mysql")["args"] == ["--datadir=/var/lib/mysql/data", "--innodb_buffer_pool_size=1G",
                                  "--skip-name-resolve=ON"]
    assert c("redis")["args"] == ["--maxmemory", "2gb", "--maxmemory-policy", "allkeys-lru",
                                  "--save", "900", "1", "300", "10", "--appendonly", "yes"]
    assert c("mongo")["args"] == ["--wiredTigerCacheSizeGB=1", "--quiet", "--setParameter", "cursorTimeoutMillis=60000"]
    kafka = env_of(c("kafka"))
    assert kafka["KAFKA_NUM_PARTITIONS"] == "3" and kafka["KAFKA_LOG_RETENTION_HOURS"] == "72"
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert kafka["KAFKA_A___B__C_D"] == "x"                        # the image's `-`, `_`, `.` spelling
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"      # KRaft: no ZooKeeper
    assert kafka["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    assert kafka["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data/logs"
    assert len(kafka["CLUSTER_ID"]) == 22
    search = env_of(c("search"))
    assert search["ES_SETTING_INDICES_QUERY_BOOL_MAX__CLAUSE__COUNT"] == "4096"
    assert search["ES_SETTING_DISCOVERY_TYPE"] == "single-node"
    assert search["ES_SETTING_XPACK_SECURITY_ENABLED"] == "false"  # no credentials: no security
    assert c("search")["args"] == ["elasticsearch", "-Ehttp.cors.allow-origin=*"]   # no env spelling for "-"
    conf = objs[("ConfigMap", "rabbit-config")]["data"]["90-skyspec.conf"]
    assert conf == "consumer_timeout = 3600000\nvm_memory_high_watermark.relative = 0.6\n"
    rabbit = objs[("StatefulSet", "rabbit")]
    assert {"name": "rabbitmq-config", "mountPath": "/etc/rabbitmq/conf.d/90-skyspec.conf",
            "subPath": "90-skyspec.conf", "readOnly": True} in c("rabbit")["volumeMounts"]
    assert "checksum.skyspec.dev/configmap.rabbit-config" in rabbit["spec"]["template"]["metadata"]["annotations"]
    model = compose_model(out)
    assert model["services"]["pg"]["command"] == c("pg")["args"]
    assert model["services"]["kafka"]["environment"]["KAFKA_NUM_PARTITIONS"] == "3"
    assert model["configs"]["rabbit-config.90-skyspec.conf"]["content"] == conf


def test_an_overlay_changes_version_and_config_per_environment(make_project, cli, tmp_path):
    make_project({"apps/all.yaml": PG, "overlays/prod.yaml": spec("""
        apps:
          postgres:
            version: "16.4"
            config: {max_connections: 500}
        """)})
    objs = objects(build(cli, tmp_path, "kubernetes", env="prod"), "prod")
    c = main(objs[("StatefulSet", "postgres")])
    assert c["image"] == "postgres:16.4" and c["args"] == ["-c", "max_connections=500"]


def test_credentials_of_the_other_servers(make_project, cli, tmp_path):
    make_project({"apps/all.yaml": SECRET + spec("""
        ---
        kind: StatefulApp
        name: mysql
        use: mysql
        user: app
        database: shop
        credentials: creds
        ---
        kind: StatefulApp
        name: mongo
        use: mongodb
        credentials: creds
        ---
        kind: StatefulApp
        name: redis
        use: redis
        credentials: creds
        ---
        kind: StatefulApp
        name: search
        use: elasticsearch
        credentials: creds
        ---
        kind: StatefulApp
        name: rabbit
        use: rabbitmq
        user: shop
        vhost: shop
        credentials: creds
        ---
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        port: 8080
        health: /healthz
        connect_to: [mysql, rabbit]
        """)})
    out = build(cli, tmp_path)
    objs = objects(out)
    assert_valid_k8s(list(objs.values()))
    c = lambda name: main(objs[("StatefulSet", name)])  # noqa: E731
    e = env_of(c("mysql"))
    assert (e["MYSQL_USER"], e["MYSQL_DATABASE"]) == ("app", "shop")
    assert e["MYSQL_PASSWORD_FILE"] == "/run/secrets/creds/password"
    assert e["MYSQL_ROOT_PASSWORD_FILE"] == "/run/secrets/creds/root-password"
    e = env_of(c("mongo"))
    assert e["MONGO_INITDB_ROOT_USERNAME"] == "root"
    assert e["MONGO_INITDB_ROOT_PASSWORD_FILE"] == "/run/secrets/creds/password"
    # redis and rabbitmq have no *_FILE convention: a wrapper reads the file when the server starts
    r = c("redis")
    assert r["command"] == ["sh", "-c", 'exec docker-entrypoint.sh redis-server "$@" --requirepass '
                                        '"$(cat "$REDIS_PASSWORD_FILE")"', "redis-server"]
    assert r["readinessProbe"]["exec"]["command"] == [
        "sh", "-c", 'REDISCLI_AUTH="$(cat "$REDIS_PASSWORD_FILE")" redis-cli ping | grep -q PONG']
    e = env_of(c("search"))
    assert e["ELASTIC_PASSWORD_FILE"] == "/run/secrets/creds/password"
    assert e["ES_SETTING_XPACK_SECURITY_ENABLED"] == "true"
    assert e["ES_SETTING_XPACK_SECURITY_HTTP_SSL_ENABLED"] == "false"
    rb = c("rabbit")
    assert rb["command"] == ["sh", "-c", 'RABBITMQ_DEFAULT_PASS="$(cat "$RABBITMQ_PASSWORD_FILE")"; '
                                         "export RABBITMQ_DEFAULT_PASS; exec docker-entrypoint.sh rabbitmq-server"]
    e = env_of(rb)
    assert (e["RABBITMQ_DEFAULT_USER"], e["RABBITMQ_DEFAULT_VHOST"]) == ("shop", "shop")
    assert "RABBITMQ_DEFAULT_PASS_FILE" not in e          # the image refuses to start with it set
    api = env_of(main(objs[("Deployment", "api")]))
    assert api["MYSQL_URL"] == "mysql://mysql:3306/shop" and api["MYSQL_USER"] == "app"
    assert api["RABBIT_URL"] == "amqp://rabbit:5672/shop" and api["RABBIT_USER"] == "shop"
    model = compose_model(out)
    assert model["services"]["redis"]["entrypoint"] == [w.replace("$", "$$") for w in r["command"]]
    assert model["services"]["redis"]["environment"]["REDIS_PASSWORD_FILE"] == "/run/secrets/creds/password"


# ---------------------------------------------------------------------- backups

def test_backup_to_a_claim_runs_pg_dump_and_deletes_old_dumps(make_project, cli, tmp_path):
    make_project({"apps/all.yaml": PG.replace("credentials: pg", spec("""
        credentials: pg
        backup: {schedule: "0 2 * * *", retention: 30, location: pvc://pg-backups/daily, size: 50Gi, class: fast}
        """))})
    out = build(cli, tmp_path)
    objs = objects(out)
    assert_valid_k8s(list(objs.values()))
    job = objs[("CronJob", "postgres-backup")]
    assert job["spec"]["schedule"] == "0 2 * * *" and job["spec"]["concurrencyPolicy"] == "Forbid"
    c = main(job)
    assert c["image"] == "postgres:17"                    # the database's image: the matching pg_dump
    script = c["command"][2]
    assert c["command"][:2] == ["sh", "-c"]
    assert 'PGPASSWORD="$(cat "$PGPASSWORD_FILE")"; export PGPASSWORD' in script
    assert ('pg_dump --host=postgres --port=5432 --username=postgres --dbname=shop --format=custom '
            '--file="$f.partial"') in script
    assert 'f="/backup/daily/postgres-$(date -u +%Y%m%dT%H%M%SZ).dump"' in script
    ours = "postgres-" + "[0-9]" * 8 + "T" + "[0-9]" * 6 + "Z.*"      # not another database's dumps
    assert f"find \"/backup/daily\" -maxdepth 1 -type f -name '{ours}' -mtime +30 -print -delete" in script
    assert env_of(c)["PGPASSWORD_FILE"] == "/run/secrets/pg/password"
    assert volumes(job)["backup"]["persistentVolumeClaim"] == {"claimName": "pg-backups"}
    assert mounts(c)["/backup"] == "backup"
    assert pod(job)["securityContext"]["runAsUser"] == 999
    pvc = objs[("PersistentVolumeClaim", "pg-backups")]
    assert pvc["spec"] == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "50Gi"}},
                           "storageClassName": "fast"}
    # it reaches the database through its Service, which lets it in
    policy = objs[("NetworkPolicy", "postgres-ingress")]
    backup_pods = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "postgres-backup",
                                                   "app.kubernetes.io/part-of": "demo"}}}
    assert backup_pods in policy["spec"]["ingress"][0]["from"]
    model = compose_model(out)
    svc = model["services"]["postgres-backup"]
    assert svc["profiles"] == ["cron"] and svc["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert svc["entrypoint"] == ["sh", "-c", script.replace("$", "$$")]   # `$$`: Compose interpolates nothing


def test_backup_to_s3_dumps_in_an_init_container_and_uploads_with_the_aws_cli(make_project, cli, tmp_path):
    make_project({"apps/all.yaml": SECRET + spec("""
        ---
        kind: StatefulApp
        name: mysql
        use: mysql
        credentials: creds
        backup:
          schedule: "30 1 * * *"
          retention: 7
          location: s3://acme-backups/db/mysql
          s3: {credentials: creds, region: eu-west-1, endpoint: "https://minio.example.com"}
        ---
        kind: StatefulApp
        name: mongo
        use: mongodb
        credentials: creds
        backup: {schedule: "0 3 * * *", retention: 14, location: s3://acme-backups}
        """)})
    out = build(cli, tmp_path)
    objs = objects(out)
    assert_valid_k8s(list(objs.values()))
    job = objs[("CronJob", "mysql-backup")]
    (dump,) = pod(job)["initContainers"]
    assert dump["name"] == "dump" and dump["image"] == "mysql:8.4"
    script = dump["command"][2]
    assert ("mysqldump --defaults-extra-file=/tmp/backup.cnf --host=mysql --port=3306 --user=root "
            "--single-transaction --routines --events --triggers --all-databases") in script
    assert "$MYSQL_BACKUP_PASSWORD_FILE" in script and env_of(dump)["MYSQL_BACKUP_PASSWORD_FILE"] == \
        "/run/secrets/creds/password"
    assert mounts(dump)["/backup"] == "backup" and "emptyDir" in volumes(job)["backup"]
    up = main(job)
    assert up["image"] == "amazon/aws-cli:2.22.0"
    upload = up["command"][2]
    assert 'dest="s3://acme-backups/db/mysql"' in upload
    assert 'aws s3 cp --only-show-errors "$f" "$dest/$(basename "$f")"' in upload
    assert 'cutoff="$(date -u -d "-7 days" +%Y%m%dT%H%M%SZ)"' in upload and 'aws s3 rm' in upload
    assert 'case "$key" in mysql-' + "[0-9]" * 8 + "T" + "[0-9]" * 6 + "Z.*) ;; *) continue ;; esac" in upload
    e = env_of(up)
    assert (e["AWS_REGION"], e["AWS_ENDPOINT_URL"], e["HOME"]) == ("eu-west-1", "https://minio.example.com", "/tmp")
    assert e["AWS_ACCESS_KEY_ID_FILE"] == "/run/secrets/creds/access_key_id"
    assert e["AWS_SECRET_ACCESS_KEY_FILE"] == "/run/secrets/creds/secret_access_key"
    mongo = objs[("CronJob", "mongo-backup")]
    m = pod(mongo)["initContainers"][0]
    assert ("mongodump --config=/tmp/mongodump.yaml --username=root --authenticationDatabase=admin --host=mongo "
            '--port=27017 --gzip --archive="$f.partial"') in m["command"][2]
    assert 'dest="s3://acme-backups"' in main(mongo)["command"][2]
    assert "AWS_ACCESS_KEY_ID_FILE" not in env_of(main(mongo))   # no credentials: the CLI's default chain
    model = compose_model(out)
    assert model["services"]["mysql-backup.dump"]["image"] == "mysql:8.4"


# ---------------------------------------------------------------------- mistakes

def test_mistakes_are_reported_at_the_spec_lines(make_project, cli):
    make_project({"apps/all.yaml": spec("""
        kind: StatefulApp
        name: pg
        use: postgres
        replicas: 3
        ---
        kind: StatefulApp
        name: pg2
        use: postgres
        credentials: pg
        backup: {schedule: "0 2 * * *", location: gcs://bucket/x}
        ---
        kind: StatefulApp
        name: pg3
        use: postgres
        credentials: pg
        backup: {schedule: "0 2 * * *", location: pvc://nowhere}
        ---
        kind: Secret
        name: pg
        keys: [password]
        ---
        kind: CronJob
        name: pg4-backup
        image: busybox:1.36
        schedule: "@daily"
        ---
        kind: StatefulApp
        name: pg4
        use: postgres
        credentials: pg
        backup: {schedule: "0 2 * * *", location: pvc://x, size: 1Gi}
        """)})
    found = {(d["code"], d["line"]): d for d in diags(cli)}
    assert "needs `credentials`" in found[("SKY103", 3)]["message"]           # at `use: postgres`
    assert "3 separate servers" in found[("SKY108", 4)]["message"]
    assert "is not a backup location" in found[("SKY107", 10)]["message"]
    assert 'claim "nowhere"' in found[("SKY114", 16)]["message"] and "size" in found[("SKY114", 16)]["hint"]
    assert '"pg4-backup"' in found[("SKY110", 31)]["message"]                 # at pg4's `backup`


# ---------------------------------------------------------------------- provenance

def test_generated_values_explain_themselves(make_project, cli):
    make_project({"apps/all.yaml": PG.replace("credentials: pg", spec("""
        credentials: pg
        config: {max_connections: 200}
        backup: {schedule: "0 2 * * *", retention: 30, location: pvc://pg-backups, size: 5Gi}
        """))})
    ex = lambda q: json.loads(cli("explain", q, ".", "--env", "dev", "--format", "json").stdout)  # noqa: E731
    chain = ex("postgres-backup.schedule")["chain"]
    assert (chain[-1]["layer"], chain[-1]["line"]) == ("spec", 11)            # the backup's own line
    chain = ex("postgres.secrets.POSTGRES_PASSWORD")["chain"]
    assert (chain[-1]["layer"], chain[-1]["line"]) == ("component:postgres", 9)   # `credentials: pg`
    a = ex("StatefulSet/postgres:spec.template.spec.containers[0].args[1]")
    assert a["value"] == "max_connections=200" and a["sources"][0]["chain"][-1]["line"] == 10
    a = ex("Deployment/api:spec.template.spec.containers[0].env[2]")
    assert a["value"]["name"] == "POSTGRES_URL" and a["sources"][0]["chain"][0]["line"] == 19   # connect_to


def test_every_generated_manifest_field_is_explainable(make_project):
    """Down to lines people wrote or documented defaults (the walk of tests/test_explain.py)."""
    from provenance_leaves import field_problems
    from skyspec.pipeline import Session

    root = make_project({"apps/all.yaml": ALL.replace("location: s3://acme-backups/mysql, s3: {credentials: creds}",
                                                      "location: pvc://mysql-backups, size: 5Gi")
                         .replace("location: s3://acme-backups/mongo", "location: pvc://mongo-backups, size: 5Gi")})
    s = Session(root / "skyspec.yaml")
    compiled = s.compile_all()
    assert compiled and not s.diags.errors
    problems, counted, _ = field_problems(compiled)
    assert counted > 500 and not problems, "\n".join(problems[:20])


def test_a_project_template_built_on_a_stdlib_one_is_that_component(make_project, cli, tmp_path):
    make_project({
        "templates/our-postgres.yaml": "kind: StatefulApp\nuse: postgres\nspec:\n  version: '16.4'\n"
                                       "  config: {log_min_duration_statement: 500}\n",
        "apps/all.yaml": PG.replace("use: postgres", "use: ./templates/our-postgres.yaml"),
    })
    objs = objects(build(cli, tmp_path, "kubernetes"))
    c = main(objs[("StatefulSet", "postgres")])
    assert c["image"] == "postgres:16.4" and c["args"] == ["-c", "log_min_duration_statement=500"]
    assert env_of(main(objs[("Deployment", "api")]))["POSTGRES_URL"] == "postgresql://postgres:5432/shop"


# ---------------------------------------------------------------------- the shop

def test_the_shop_database_is_the_stdlib_postgres(tmp_path, cli):
    r = cli("build", str(EXAMPLES / "shop"), "-o", str(tmp_path / "o"), "--format", "kubernetes")
    assert r.exit_code == 0, r.output
    objs = objects(tmp_path / "o", "prod")
    c = main(objs[("StatefulSet", "db")])
    assert c["image"] == "postgres:16.4"
    assert c["readinessProbe"]["exec"]["command"] == ["pg_isready", "-U", "postgres"]
    assert env_of(c)["POSTGRES_PASSWORD_FILE"] == "/run/secrets/shop-db/password"
    assert env_of(c)["POSTGRES_DB"] == "shop"
    assert env_of(main(objs[("Deployment", "api")]))["DB_URL"] == "postgresql://db:5432/shop"


def test_the_docs_describe_every_template_and_parameter():
    doc = (STDLIB.parent / "docs" / "stdlib.md").read_text()
    for f in sorted(STDLIB.glob("*.yaml")):
        t = yaml.safe_load(f.read_text())
        assert f"\n## {f.stem}\n" in doc, f.stem
        section = doc.split(f"\n## {f.stem}\n")[1].split("\n## ")[0]
        for p in t["params"]:
            assert f"| `{p}` |" in section, (f.stem, p)
        assert f"use: {f.stem}" in section, f"{f.stem}: no example"


def _stub(bin_dir: Path, name: str, body: str) -> None:
    p = bin_dir / name
    p.write_text("#!/bin/sh\n" + body)
    p.chmod(0o755)


def test_the_backup_scripts_run_and_keep_what_retention_says(make_project, cli, tmp_path):
    """The generated shell, run by a real `sh` with stand-ins for pg_dump and the AWS CLI:
    the dump lands under its final name, and only this database's dumps older than
    `retention` days are deleted, on the claim and in the bucket."""
    import os
    import subprocess
    import time
    from datetime import datetime, timedelta, timezone

    make_project({"apps/all.yaml": PG.replace("credentials: pg", spec("""
        credentials: pg
        backup: {schedule: "0 2 * * *", retention: 30, location: pvc://pg-backups/daily, size: 5Gi}
        """)) + "---\n" + spec("""
        kind: StatefulApp
        name: mysql
        use: mysql
        credentials: pg
        backup: {schedule: "0 2 * * *", retention: 7, location: s3://bucket/db}
        """)})
    objs = objects(build(cli, tmp_path, "kubernetes"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "log"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}

    # on a claim: pg_dump writes the file it is given
    root = tmp_path / "claim"
    (root / "daily").mkdir(parents=True)
    secret = tmp_path / "password"
    secret.write_text("hunter2")
    _stub(bin_dir, "pg_dump", f'echo "PGPASSWORD=$PGPASSWORD $*" >> {log}\n'
                              'for a; do case "$a" in --file=*) echo dump > "${a#--file=}";; esac; done\n')
    old = time.time() - 40 * 86400
    for name in ("postgres-20200101T020000Z.dump", "postgres-2-20200101T020000Z.dump", "notes.txt"):
        (root / "daily" / name).write_text("x")
        os.utime(root / "daily" / name, (old, old))
    (root / "daily" / "postgres-29990101T020000Z.dump").write_text("recent")
    script = main(objs[("CronJob", "postgres-backup")])["command"][2].replace("/backup", str(root))
    r = subprocess.run(["sh", "-c", script], env={**env, "PGPASSWORD_FILE": str(secret)}, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    left = sorted(p.name for p in (root / "daily").iterdir())
    assert "postgres-20200101T020000Z.dump" not in left                       # older than 30 days
    assert {"postgres-2-20200101T020000Z.dump", "notes.txt", "postgres-29990101T020000Z.dump"} <= set(left)
    (new,) = set(left) - {"postgres-2-20200101T020000Z.dump", "notes.txt", "postgres-29990101T020000Z.dump"}
    assert new.startswith("postgres-") and new.endswith("Z.dump")            # renamed: no .partial left
    assert (root / "daily" / new).read_text() == "dump\n"
    assert "PGPASSWORD=hunter2 --host=postgres" in log.read_text()

    # to a bucket: upload what the init container dumped, delete this database's old objects
    now = datetime.now(timezone.utc)  # once: the names are compared after the script ran, maybe a second later
    stamp = lambda days: (now - timedelta(days=days)).strftime("%Y%m%dT%H%M%SZ")  # noqa
    listing = "\n".join(f"2020-01-01 02:00:00 10 {k}" for k in (
        f"mysql-{stamp(10)}.sql.gz", f"mysql-{stamp(1)}.sql.gz", f"mysql-2-{stamp(10)}.sql.gz", "README"))
    _stub(bin_dir, "aws", f'echo "aws $*" >> {log}\n'
                          f'if [ "$2" = ls ]; then printf "%s\\n" "{listing}"; fi\n')
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / f"mysql-{stamp(0)}.sql.gz").write_text("x")
    log.write_text("")
    script = main(objs[("CronJob", "mysql-backup")])["command"][2].replace("/backup", str(dumps))
    r = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    calls = log.read_text().splitlines()
    assert f"aws s3 cp --only-show-errors {dumps}/mysql-{stamp(0)}.sql.gz s3://bucket/db/mysql-{stamp(0)}.sql.gz" \
        in calls
    assert [c for c in calls if " rm " in c] == [f"aws s3 rm --only-show-errors s3://bucket/db/mysql-{stamp(10)}.sql.gz"]
