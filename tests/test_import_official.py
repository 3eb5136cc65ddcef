"""`skyspec import` and official images: an image the hardened defaults would crash-loop
(SKY410) is said with its stdlib template, or with the user and volumes the rule names, so
the imported project runs; what that changes is named in the round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.importer import import_compose, import_kubernetes

DATA = Path(__file__).parent / "data"
VOTING = DATA / "voting-app"
AWESOME = DATA / "awesome-compose"


def _check(project: Path) -> str:
    res = CliRunner().invoke(main, ["check", str(project)])
    assert res.exit_code == 0, res.output
    return res.output


def _adds_up(f: dict) -> None:
    assert f["equal"] + sum(v for k, v in f["categories"].items() if not k.startswith("objects skyspec adds")) \
        == f["fields"]
    assert "UNEXPLAINED" not in f["categories"]


@pytest.mark.parametrize("how", ["kubernetes", "compose"])
def test_voting_app_db_uses_the_postgres_template_and_runs(how, tmp_path):
    src = VOTING / ("k8s-specifications" if how == "kubernetes" else "docker-compose.yml")
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", how, str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    # the note at the image line says why the template was used; the password, `postgres`, is a
    # word of the image's name, no secret, and not masked (it was: `image <redacted>:15-alpine`)
    assert "note[SKY063]: db: image postgres:15-alpine is the official postgres image" in res.output
    assert "<redacted>" not in res.output and "is a word of the names the input gives" in res.output
    assert "SKY410" not in _check(out)
    db = yaml.safe_load((out / "apps" / "statefulapp.db.yaml").read_text())
    assert {k: db.get(k) for k in ("kind", "use", "version", "user", "credentials")} == {
        "kind": "StatefulApp", "use": "postgres", "version": "15-alpine", "user": "postgres", "credentials": "db-env"}
    assert "image" not in db and "health" not in db and "env" not in db and "secrets" not in db
    # the credential the importer moved is keyed as the template's `credentials` reads it
    assert yaml.safe_load((out / "apps" / "secret.db-env.yaml").read_text())["keys"] == ["password"]
    assert "POSTGRES_PASSWORD" not in (out / "apps" / "secret.db-env.yaml").read_text()
    built = tmp_path / "built"
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(built)])
    assert res.exit_code == 0, res.output
    from validators import assert_valid_k8s, load_docs

    docs = [d for p in sorted(built.rglob("kubernetes/*.yaml")) for d in load_docs(p)]
    assert_valid_k8s(docs)
    sts = next(d for d in docs if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "db")
    pod = sts["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == 70   # the -alpine image's postgres user
    env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
    assert env["PGDATA"] == "/var/lib/postgresql/data/pgdata" and env["POSTGRES_USER"] == "postgres"
    assert env["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db-env/password" and "POSTGRES_PASSWORD" not in env
    mounts = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert {"/var/run/postgresql", "/var/lib/postgresql/data"} <= mounts


def test_voting_app_round_trips_name_what_the_template_changes():
    r = import_kubernetes([VOTING / "k8s-specifications"], "v")
    f = r.figures
    _adds_up(f)
    cats = f["categories"]
    for cat in ("StatefulSet of the stdlib template postgres (the input: a Deployment)",
                "the image's user, set by the stdlib template postgres", "probes of the stdlib template postgres",
                "environment of the stdlib template postgres (its params and settings, the password as a file)",
                "storage and writable paths of the stdlib template postgres"):
        assert cats.get(cat, 0) > 0, (cat, cats)
    # redis mounts an emptyDir at /data, the only path the image writes: it runs as the input has it
    assert "use" not in r.files["apps/redis.yaml"] and "/data" in r.files["apps/redis.yaml"]
    c = import_compose(VOTING / "docker-compose.yml", "v")
    _adds_up(c.figures)
    assert c.figures["categories"]["probes of the stdlib template postgres"] > 0
    # Compose's redis keeps no volume: the template gives it its user and a claim at /data
    redis = yaml.safe_load(c.files["apps/statefulapp.redis.yaml"])
    assert redis["use"] == "redis" and redis["version"] == "alpine"


@pytest.mark.parametrize("system,paths", [
    ("sock-shop", [DATA / "sock-shop/complete-demo.yaml"]),
    ("online-boutique", [DATA / "online-boutique/kubernetes-manifests.yaml"]),
    ("workloads", [DATA / "import" / "workloads.yaml"])])
def test_public_systems_import_without_sky410(system, paths, tmp_path):
    out = tmp_path / system
    res = CliRunner().invoke(main, ["import", "kubernetes", *map(str, paths), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "SKY410" not in _check(out)


@pytest.mark.parametrize("sample", ["nginx-golang-postgres", "react-express-mongodb", "wordpress-mysql"])
def test_compose_samples_import_without_sky410(sample, tmp_path):
    out = tmp_path / sample
    res = CliRunner().invoke(main, ["import", "compose", str(DATA / "awesome-compose" / sample / "compose.yaml"),
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "SKY410" not in _check(out)


def test_sock_shop_mongo_and_redis_templated_rabbitmq_relaxed():
    r = import_kubernetes([DATA / "sock-shop/complete-demo.yaml"], "s")
    _adds_up(r.figures)
    carts = yaml.safe_load(r.files["apps/statefulapp.carts-db.yaml"])
    # no tag: `latest`, and the image as written (the import does not move a database to another version)
    assert (carts["use"], carts["version"], carts["image"]) == ("mongodb", "latest", "mongo")
    # the input's capabilities stay (the template's user, 999, is merged beneath them)
    assert carts["security"] == {"add_capabilities": ["CHOWN", "SETGID", "SETUID"]}
    session = yaml.safe_load(r.files["apps/statefulapp.session-db.yaml"])
    assert (session["use"], session["version"]) == ("redis", "alpine")
    # rabbitmq has a sidecar and no password (the template requires one): the image's user and volumes
    rabbit = yaml.safe_load(r.files["apps/rabbitmq.yaml"])
    assert "use" not in rabbit and rabbit["security"]["run_as_user"] == 999
    assert {v["mount"] for v in rabbit["volumes"].values()} == {"/var/lib/rabbitmq"}
    assert "# image rabbitmq:3.6.8-management: the official rabbitmq image writes" in r.files["apps/rabbitmq.yaml"]


def _deployment(image: str, extra: str = "", env: str = "") -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: srv}}
spec:
  selector: {{matchLabels: {{app: srv}}}}
  template:
    metadata: {{labels: {{app: srv}}}}
    spec:
      containers:
      - name: srv
        image: {image}
        ports: [{{containerPort: 5432, name: postgres}}]
{env}{extra}"""


def test_digest_is_kept_as_written_and_the_tag_is_the_version(tmp_path):
    digest = "sha256:" + "a" * 64
    src = tmp_path / "in.yaml"
    src.write_text(_deployment(f"postgres:16-alpine@{digest}",
                               env="        env: [{name: POSTGRES_DB, value: app}, {name: POSTGRES_PASSWORD, value: s3cr3t}]\n"))
    r = import_kubernetes([src], "t")
    _adds_up(r.figures)
    doc = yaml.safe_load(r.files["apps/statefulapp.srv.yaml"])
    assert (doc["version"], doc["image"], doc["database"], doc["credentials"]) == \
        ("16-alpine", f"postgres:16-alpine@{digest}", "app", "srv-env")
    assert "s3cr3t" not in "".join(r.files.values())


def test_an_input_that_runs_already_is_left_as_it_is(tmp_path):
    src = tmp_path / "in.yaml"
    root = "        securityContext: {runAsUser: 0}\n"
    src.write_text(_deployment("postgres:16", extra=root))
    r = import_kubernetes([src], "t")
    spec = r.files["apps/srv.yaml"]
    assert "use:" not in spec and "run_as_root: true" in spec and "volumes" not in spec


def test_httpd_gets_the_relaxations_the_rule_names(tmp_path):
    src = tmp_path / "in.yaml"
    src.write_text(_deployment("httpd:2.4").replace("5432", "80").replace("name: postgres", "name: http"))
    r = import_kubernetes([src], "t")
    _adds_up(r.figures)
    doc = yaml.safe_load(r.files["apps/srv.yaml"])
    assert doc["security"] == {"run_as_root": True, "add_capabilities": ["SETUID", "SETGID"]}
    assert {v["mount"]: v["empty"] for v in doc["volumes"].values()} == {"/usr/local/apache2/logs": True}
    cats = r.figures["categories"]
    assert cats["writable paths the official httpd image needs (emptyDir)"] > 0
    assert cats["user and capabilities the official httpd image needs"] > 0
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(out)])
    assert res.exit_code == 0 and "note[SKY063]: srv: image httpd:2.4" in res.output, res.output
    assert "SKY410" not in _check(out)


def test_valkey_gets_its_user_and_a_writable_data_folder(tmp_path):
    """immich's queue runs valkey (Redis' fork), which saves snapshots in /data and refuses
    writes once a save fails: under the hardened defaults (a read-only root filesystem) the
    imported queue stopped taking jobs after its first save. The rule knows the image, and
    the import gives it its user and an emptyDir at /data; a spec written by hand is told."""
    src = tmp_path / "compose.yaml"
    src.write_text("services:\n  redis:\n    image: docker.io/valkey/valkey:9.0.1\n"
                   "    healthcheck: {test: redis-cli ping || exit 1}\n")
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(out)])
    assert res.exit_code == 0 and "note[SKY063]: redis: image docker.io/valkey/valkey:9.0.1" in res.output, res.output
    doc = yaml.safe_load((out / "apps" / "redis.yaml").read_text())
    assert doc["security"] == {"run_as_user": 999} and doc["volumes"] == {"data": {"mount": "/data", "empty": True}}
    assert "SKY410" not in _check(out)
    from test_import_legacy import build_and_validate

    (pod,) = [o["spec"]["template"]["spec"] for o in build_and_validate(out, tmp_path, "dev")
              if o["kind"] == "Deployment"]   # (every format through its tool)
    assert pod["securityContext"]["runAsUser"] == 999 and {"name": "data", "emptyDir": {}} in pod["volumes"]
    (out / "apps" / "redis.yaml").write_text("kind: App\nname: redis\nimage: valkey/valkey:9.0.1\nport: 6379\n"
                                             "health: {tcp: 6379}\n")
    res = CliRunner().invoke(main, ["check", str(out)])
    assert 'warning[SKY410]: [official-image] image "valkey/valkey:9.0.1" of App "redis" writes /data' in res.output
    assert "set `security: {run_as_user: 999}` and mount storage or an emptyDir at /data" in \
        " ".join(res.output.split()), res.output


def test_grafana_and_prometheus_get_their_user_and_writable_storage(tmp_path):
    """awesome-compose's prometheus-grafana: Grafana's entrypoint exits when /var/lib/grafana is
    not writable, and Prometheus cannot open /prometheus: under the hardened defaults both
    crash-looped where the Compose file mounts nothing there (Grafana)."""
    src = AWESOME / "prometheus-grafana" / "compose.yaml"
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(out)])
    assert res.exit_code == 0 and "note[SKY063]: grafana: image grafana/grafana" in res.output, res.output
    grafana = yaml.safe_load((out / "apps" / "grafana.yaml").read_text())
    assert grafana["security"] == {"run_as_user": 472}
    assert {v["mount"] for v in grafana["volumes"].values() if v.get("empty")} == {"/var/lib/grafana",
                                                                                     "/var/log/grafana"}
    prometheus = yaml.safe_load((out / "apps" / "prometheus.yaml").read_text())
    assert "security" not in prometheus   # its named volume at /prometheus is writable already
    assert "SKY410" not in _check(out)
    (out / "apps" / "prometheus.yaml").write_text("kind: App\nname: prometheus\nimage: prom/prometheus:v3.5.0\n"
                                                  "port: 9090\nhealth: /-/healthy\n")
    res = CliRunner().invoke(main, ["check", str(out)])
    assert 'warning[SKY410]: [official-image] image "prom/prometheus:v3.5.0" of App "prometheus" writes ' \
        "/prometheus" in res.output, res.output


def test_replicated_database_is_not_templated(tmp_path):
    src = tmp_path / "in.yaml"
    src.write_text(_deployment("postgres:16", env="        env: [{name: POSTGRES_PASSWORD, value: s3cr3t}]\n")
                   .replace("spec:\n  selector", "spec:\n  replicas: 3\n  selector"))
    r = import_kubernetes([src], "t")
    _adds_up(r.figures)
    doc = yaml.safe_load(r.files["apps/srv.yaml"])
    assert "use" not in doc and doc["security"] == {"run_as_user": 999} and doc["replicas"] == 3
    assert "not `use: postgres`: replicas: 3 (the template runs one server)" in r.files["apps/srv.yaml"]


def test_a_database_without_ports_gets_the_templates_ports(tmp_path):
    src = tmp_path / "in.yaml"
    src.write_text(_deployment("postgres:16", env="        env: [{name: POSTGRES_PASSWORD, value: s3cr3t}]\n")
                   .replace("        ports: [{containerPort: 5432, name: postgres}]\n", ""))
    r = import_kubernetes([src], "t")
    _adds_up(r.figures)
    text = r.files["apps/statefulapp.srv.yaml"]
    assert 'version: "16"' in text and "use: postgres" in text   # a tag that reads as a number stays a string
    assert r.figures["categories"]["ports of the stdlib template postgres"] == 1


def test_a_template_the_round_trip_cannot_explain_falls_back_to_the_images_user(tmp_path):
    from skyspec.importer import kube, official
    from skyspec.importer.source import Inputs, read_objects

    src = tmp_path / "in.yaml"
    src.write_text(_deployment("postgres:16", env="        env: [{name: POSTGRES_PASSWORD, value: s3cr3t}]\n"))
    inputs = Inputs()
    items, _ = kube.extract(read_objects([src], inputs), inputs)
    infos = official.apply_all(items)
    assert infos["srv"]["template"] == "postgres" and infos["srv"]["secret"].doc["keys"] == ["password"]
    official.undo_item(infos, "srv")   # what the importer does when the round trip names no category
    doc = infos["srv"]["item"].doc
    assert "use" not in doc and doc["security"] == {"run_as_user": 999} and doc["kind"] == "App"
    assert infos["srv"]["secret"].doc["keys"] == ["POSTGRES_PASSWORD"]   # the Secret keyed as the input again
    assert {v["mount"] for v in doc["volumes"].values()} == {"/var/lib/postgresql/data", "/var/run/postgresql"}
    official.undo_item(infos, "srv")
    assert "srv" not in infos and "volumes" not in doc and "security" not in doc   # as the input has it


def test_a_writable_path_volume_takes_no_claims_name(tmp_path):
    """A redis StatefulSet (skyspec's own Helm output of a fuzz case: seed 79 case 1860) whose
    claim `data` is mounted at /var/lib/data, and `wal` under /data: the official image still
    cannot write /data, so the import tried an emptyDir there, which it named `data`, the
    claim's name: the build refused the project (SKY113) and so the import. It takes another
    name (and the round trip, which finds the input ran so, keeps the input as it is)."""
    import skyspec.importer.official as official

    tried = []
    relax = official._relax

    def spy(doc, *args, **kw):
        got = relax(doc, *args, **kw)
        tried.append((set(doc.get("volumes") or {}), set(doc.get("storage") or {})))
        return got

    official._relax = spy
    try:
        r = import_kubernetes([DATA / "import" / "fuzz-redis-claims.yaml"], "claims")
    finally:
        official._relax = relax
    assert r is not None and r.unexplained == []
    assert tried and all(not volumes & claims for volumes, claims in tried), tried
    doc = yaml.safe_load(r.files["apps/statefulapp.worker.yaml"])
    assert set(doc["storage"]) == {"data", "wal"}
    res = CliRunner().invoke(main, ["import", "kubernetes", str(DATA / "import" / "fuzz-redis-claims.yaml"), "-o",
                                    str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    _check(tmp_path / "p")


def test_a_workload_a_template_says_in_one_rendering_only_keeps_one_kind(tmp_path):
    # fuzz seed 92, case 1275: redis run under the hardened defaults in dev (a template makes it
    # run: `use: redis`, a StatefulApp) and as its image needs in qa (kept: an App); the two
    # environments' documents `cache` were two workloads of one name, which did not build
    from skyspec.importer import import_environments

    deployment = """apiVersion: apps/v1
kind: Deployment
metadata: {name: cache}
spec:
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: USER, fsGroup: USER}
      containers:
      - name: cache
        image: redis:7.4.1
        ports: [{containerPort: 6379, name: redis}]
        securityContext: {readOnlyRootFilesystem: READONLY}
"""
    dirs = {}
    for env, user, ro in (("dev", 10001, "true"), ("qa", 999, "false")):
        d = tmp_path / env
        d.mkdir()
        (d / "cache.yaml").write_text(deployment.replace("USER", str(user)).replace("READONLY", ro))
        dirs[env] = [d]
    r = import_environments(dirs, "c")
    assert r.unexplained == [], r.unexplained
    assert yaml.safe_load(r.files["apps/cache.yaml"])["kind"] == "App"
    assert not [f for f in r.files if f.startswith("apps/statefulapp.")], sorted(r.files)


def test_a_workload_a_template_says_in_one_rendering_only_keeps_one_template(tmp_path):
    # fuzz seed 104, case 777: a `use: mysql` StatefulApp built for qa (hardened: the template
    # says it) and for dev with the hardening off and its storage removed (the template cannot):
    # both StatefulApps, so one kind, but `use: mysql` in qa only: the base lost its image and the
    # dev overlay set the template's `version`, and the imported project did not build
    (tmp_path / "apps").mkdir()
    (tmp_path / "overlays").mkdir()
    (tmp_path / "skyspec.yaml").write_text("project: demo\nnamespace: shop\nspecs: [apps/*.yaml]\nenvironments:\n"
                                           "  dev: {overlays: [overlays/dev.yaml]}\n  qa: {}\n")
    (tmp_path / "apps" / "db.yaml").write_text("kind: Secret\nname: creds\nexisting: true\n---\nkind: StatefulApp\n"
                                               "name: worker\nuse: mysql\ncredentials: creds\nstorage: 2Gi\n")
    (tmp_path / "overlays" / "dev.yaml").write_text("settings: {harden: false}\napps:\n  worker: {storage: null}\n")
    res = CliRunner().invoke(main, ["build", str(tmp_path), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["import", "kubernetes", "--env", f"dev={tmp_path / 'out' / 'dev' / 'kubernetes'}",
                                    "--env", f"qa={tmp_path / 'out' / 'qa' / 'kubernetes'}", "-o", str(tmp_path / "i")])
    assert res.exit_code == 0, res.output
    worker = yaml.safe_load((tmp_path / "i" / "apps" / "statefulapp.worker.yaml").read_text())
    assert "use" not in worker and worker["image"].startswith("mysql:")
    _check(tmp_path / "i")


def test_an_image_built_from_postgres_runs_by_its_template_with_its_own_image(tmp_path):
    """Immich's database runs its own build of postgres (VectorChord in it) and publishes the
    server on `${EXPOSE_PORT-:2283:2283}`, an empty host IP (every interface): the database is
    `use: postgres` with its image kept (the template's user, PGDATA and writable paths), and
    the port is published as Compose reads it."""
    from test_import_legacy import build_and_validate

    image = "ghcr.io/immich-app/postgres:14-vectorchord0.4.3-pgvectors0.2.0@sha256:" + "3" * 64
    (tmp_path / ".env").write_text("DB_PASSWORD=Kx81-unguessable\n")
    (tmp_path / "compose.yaml").write_text(f"""name: immich
services:
  immich-server:
    image: ghcr.io/immich-app/immich-server:v1.135.3
    ports: ['${{EXPOSE_PORT-:2283:2283}}']
    environment: {{DB_HOSTNAME: database}}
    depends_on: [database]
  database:
    image: {image}
    environment: {{POSTGRES_PASSWORD: "${{DB_PASSWORD}}", POSTGRES_USER: postgres, POSTGRES_DB: immich}}
    volumes: ['./postgres:/var/lib/postgresql/data']
""")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "compose.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert f"image {image} is built from the official postgres image" in res.output
    db = yaml.safe_load((tmp_path / "p" / "apps" / "statefulapp.database.yaml").read_text())
    assert (db["use"], db["image"], db["database"], db["credentials"]) == ("postgres", image, "immich", "database-env")
    server = yaml.safe_load((tmp_path / "p" / "apps" / "immich-server.yaml").read_text())
    assert (server["port"], server["expose"]) == (2283, True)
    k8s = build_and_validate(tmp_path / "p", tmp_path, "dev")
    pod = next(o for o in k8s if o["kind"] == "StatefulSet")["spec"]["template"]["spec"]
    main_c = pod["containers"][0]
    assert main_c["image"] == image and pod["securityContext"]["runAsUser"] == 999
    assert {m["mountPath"] for m in main_c["volumeMounts"]} >= {"/var/lib/postgresql/data", "/var/run/postgresql"}
    assert any(e["name"] == "PGDATA" for e in main_c["env"])
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())
    assert [(p["target"], p["published"]) for p in built["services"]["immich-server"]["ports"]] == [(2283, "2283")]


def test_a_difference_the_relaxations_do_not_touch_is_a_patch_and_they_stay(tmp_path):
    """Azure's AKS store demo runs rabbitmq (password from `envFrom`, which the template does not
    read) as a StatefulSet whose `serviceName` is its regular Service. The relaxations (the
    image's user, an emptyDir where it writes) were undone because of that `serviceName`, a
    difference they do not touch, and the import said nothing: the build then warned SKY410, a
    crash loop. The difference is now a `k8s:` patch, as for any workload, and they stay."""
    src = tmp_path / "mq.yaml"
    src.write_text("""\
apiVersion: v1
kind: Secret
metadata: {name: rabbitmq-secrets}
data: {RABBITMQ_DEFAULT_USER: dXNlcm5hbWU=, RABBITMQ_DEFAULT_PASS: cGFzc3dvcmQ=}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: rabbitmq}
spec:
  serviceName: rabbitmq
  replicas: 1
  selector: {matchLabels: {app: rabbitmq}}
  template:
    metadata: {labels: {app: rabbitmq}}
    spec:
      containers:
      - name: rabbitmq
        image: rabbitmq:4.3.2-management-alpine
        ports: [{containerPort: 5672, name: rabbitmq-amqp}]
        envFrom: [{secretRef: {name: rabbitmq-secrets}}]
---
apiVersion: v1
kind: Service
metadata: {name: rabbitmq}
spec:
  selector: {app: rabbitmq}
  ports: [{name: rabbitmq-amqp, port: 5672, targetPort: 5672}]
""")
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "not `use: rabbitmq`: the input may give the image its password through `env_from`" in res.output
    mq = yaml.safe_load((out / "apps" / "statefulapp.rabbitmq.yaml").read_text())
    assert mq["security"] == {"run_as_user": 999}
    assert mq["volumes"] == {"var-lib-rabbitmq": {"mount": "/var/lib/rabbitmq", "empty": True}}
    assert mq["k8s"] == {"StatefulSet": {"spec": {"serviceName": "rabbitmq"}}}
    assert "SKY410" not in _check(out)
    r = import_kubernetes([src], "t")
    assert r.unexplained == [] and "rabbitmq" in r.official


def test_a_database_volume_mounted_at_its_data_folder_is_the_templates_claim(tmp_path):
    """Odoo's Compose file mounts postgres' volume at PGDATA itself
    (`/var/lib/postgresql/data/pgdata`). The import kept that mount for the template's claim, so
    PGDATA was the claim's root, where a Kubernetes volume has `lost+found`: initdb refuses a
    folder that is not empty, and the server would crash-loop. A volume at or below the
    template's data path is the template's `data` claim, mounted where the template mounts it
    (PGDATA a folder inside it); only its size is kept."""
    (tmp_path / "compose.yaml").write_text("""\
services:
  db:
    image: postgres:15
    environment:
      - POSTGRES_DB=postgres
      - POSTGRES_PASSWORD=myodoo
      - POSTGRES_USER=odoo
      - PGDATA=/var/lib/postgresql/data/pgdata
    volumes:
      - odoo-db-data:/var/lib/postgresql/data/pgdata
volumes:
  odoo-db-data:
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    db = yaml.safe_load(r.files["apps/statefulapp.db.yaml"])
    assert db["use"] == "postgres" and db["storage"] == {"data": {"size": "1Gi"}}
    _adds_up(r.figures)
    assert r.figures["categories"]["storage and writable paths of the stdlib template postgres"] >= 1


def test_a_published_database_port_keeps_the_template_and_a_refused_one_its_password(tmp_path):
    """Listmonk publishes its postgres:13-alpine on host port 9432. A port with a host port
    was "a port the template does not have": the template was refused after the importer had
    already renamed its Secret's key to the template's (`password`), so the relaxed spec read a
    key the Secret no longer had and the import did not build (SKY069 through SKY114). The
    template's port now takes the host port; where the template is refused (a port it has not),
    the Secret keeps its keys, and the relaxations run the Alpine image as its postgres user, 70."""
    (tmp_path / "compose.yaml").write_text("""\
services:
  db:
    image: postgres:13-alpine
    ports: ["9432:5432"]
    environment: [POSTGRES_PASSWORD=Pw9Real, POSTGRES_USER=listmonk, POSTGRES_DB=listmonk]
    healthcheck: {test: ["CMD-SHELL", "pg_isready -U listmonk"], interval: 10s, timeout: 5s, retries: 6}
    volumes: [{type: volume, source: listmonk-data, target: /var/lib/postgresql/data}]
  metrics-db:
    image: postgres:16-alpine
    ports: ["5433:5432", "9187:9187"]
    environment: [POSTGRES_PASSWORD=Pw8Real]
volumes:
  listmonk-data:
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    db = yaml.safe_load(r.files["apps/statefulapp.db.yaml"])
    assert db["use"] == "postgres" and db["ports"] == {"postgres": {"port": 5432, "host_port": 9432}}
    assert yaml.safe_load(r.files["apps/secret.db-env.yaml"])["keys"] == ["password"]
    other = yaml.safe_load(r.files["apps/metrics-db.yaml"])
    assert "use" not in other and other["security"] == {"run_as_user": 70}
    assert other["secrets"]["POSTGRES_PASSWORD"] == {"secret": "metrics-db-env", "key": "POSTGRES_PASSWORD"}
    assert yaml.safe_load(r.files["apps/secret.metrics-db-env.yaml"])["keys"] == ["POSTGRES_PASSWORD"]


@pytest.mark.parametrize("replicas", [1, 2])
def test_elasticsearch_keeps_the_files_of_its_config_folder(tmp_path, replicas):
    """Docker Hub's Elasticsearch + Kibana example. The template was refused: its Compose
    output's init container (which fills the writable config folder from the image) and its
    logs folder were differences the round trip did not name. Then the relaxations mounted an
    empty folder over /usr/share/elasticsearch/config, hiding elasticsearch.yml and
    jvm.options: the node would not start. The template is now named whole; where it cannot
    be used (replicas: 2), the relaxations fill that folder from the image first, as the
    template does, and no SKY410 is left."""
    (tmp_path / "compose.yaml").write_text(f"""\
services:
  elasticsearch:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
    environment: [discovery.type=single-node, xpack.security.enabled=false]
    expose: ["9200"]
    volumes: [esdata:/usr/share/elasticsearch/data]
    deploy: {{replicas: {replicas}}}
  kibana:
    image: docker.elastic.co/kibana/kibana:8.15.0
    environment: [ELASTICSEARCH_HOSTS=http://elasticsearch:9200]
    ports: ["5601:5601"]
volumes:
  esdata:
""")
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "compose.yaml"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    es = yaml.safe_load((out / "apps" / "statefulapp.elasticsearch.yaml").read_text())
    if replicas == 1:
        assert es["use"] == "elasticsearch" and "init" not in es
    else:
        assert "use" not in es and es["security"] == {"run_as_user": 1000}
        (init,) = es["init"].values()
        assert init["command"] == ["sh", "-c", "cp -a /usr/share/elasticsearch/config/. "
                                               "/mnt/usr-share-elasticsearch-config/"]
        assert es["volumes"]["usr-share-elasticsearch-config"] == {"mount": "/usr/share/elasticsearch/config",
                                                                   "empty": True}
    assert "SKY410" not in _check(out)
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == []


def test_apache_kafka_keeps_its_template_whose_init_container_fills_its_config(tmp_path):
    """apache/kafka's stdlib template fills /opt/kafka/config from the image with an init
    container, which the Compose output runs first: a difference the round trip did not name,
    so the template was refused and an empty folder hid server.properties."""
    (tmp_path / "compose.yaml").write_text("services:\n  kafka:\n    image: apache/kafka:3.8.0\n"
                                           "    ports: [\"9092:9092\"]\n")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == []
    kafka = yaml.safe_load(r.files["apps/statefulapp.kafka.yaml"])
    assert kafka["use"] == "kafka"
    assert r.figures["categories"]["init containers of the stdlib template kafka (Compose runs them first)"] == 1


def test_an_elasticsearch_statefulset_takes_the_template_whose_init_container_is_named(tmp_path):
    """The same from manifests: the template's init container (filling the config folder) was
    a difference the round trip did not name, so the template was refused."""
    src = tmp_path / "es.yaml"
    src.write_text("""\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: es}
spec:
  serviceName: es
  selector: {matchLabels: {app: es}}
  template:
    metadata: {labels: {app: es}}
    spec:
      containers:
      - name: es
        image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
        env: [{name: discovery.type, value: single-node}]
        ports: [{containerPort: 9200, name: http}]
---
apiVersion: v1
kind: Service
metadata: {name: es}
spec: {selector: {app: es}, ports: [{port: 9200, targetPort: http, name: http}]}
""")
    r = import_kubernetes([src], "t")
    assert r.unexplained == []
    assert yaml.safe_load(r.files["apps/statefulapp.es.yaml"])["use"] == "elasticsearch"
    assert r.figures["categories"]["init containers of the stdlib template elasticsearch"] >= 4


def test_alertmanager_keeps_its_relaxations_beside_a_config_mount_of_its_own(tmp_path):
    """OpenFaaS' chart mounts Alertmanager's config file from a ConfigMap (`items`, kept as a
    `k8s:` patch) and runs it with `--storage.path=/alertmanager`. The relaxations (the image's
    user, an emptyDir at /alertmanager) were undone over that mount, a difference they do not
    make, and the build warned of a crash loop. Its Prometheus writes /prometheus/data (its own
    arguments give no storage path), where an emptyDir is: no relaxation, and no warning."""
    src = tmp_path / "in.yaml"
    src.write_text("""\
apiVersion: v1
kind: ConfigMap
metadata: {name: alertmanager-config}
data: {alertmanager.yml: "route: {receiver: r}\\nreceivers: [{name: r}]\\n"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: alertmanager}
spec:
  selector: {matchLabels: {app: alertmanager}}
  template:
    metadata: {labels: {app: alertmanager}}
    spec:
      containers:
      - name: alertmanager
        image: prom/alertmanager:v0.32.1
        command: [alertmanager, --config.file=/alertmanager.yml, --storage.path=/alertmanager]
        ports: [{containerPort: 9093}]
        volumeMounts: [{name: alertmanager-config, mountPath: /alertmanager.yml, subPath: alertmanager.yml}]
      volumes:
      - name: alertmanager-config
        configMap:
          name: alertmanager-config
          items: [{key: alertmanager.yml, path: alertmanager.yml, mode: 420}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus}
spec:
  selector: {matchLabels: {app: prometheus}}
  template:
    metadata: {labels: {app: prometheus}}
    spec:
      containers:
      - name: prometheus
        image: prom/prometheus:v3.5.0
        command: [prometheus, --config.file=/etc/prometheus/prometheus.yml]
        ports: [{containerPort: 9090}]
        volumeMounts: [{name: prom-data, mountPath: /prometheus/data}]
      volumes:
      - {name: prom-data, emptyDir: {}}
""")
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    am = yaml.safe_load((out / "apps" / "alertmanager.yaml").read_text())
    assert am["security"] == {"run_as_user": 65534}
    assert am["volumes"]["alertmanager"] == {"mount": "/alertmanager", "empty": True}
    prom = yaml.safe_load((out / "apps" / "prometheus.yaml").read_text())
    assert "security" not in prom and "note[SKY063]: prometheus" not in res.output
    assert "SKY410" not in _check(out)


def test_a_redis_whose_command_sets_a_password_keeps_its_own_probes(tmp_path):
    """baserow's `redis-server --requirepass ${REDIS_PASSWORD}`: the redis template was used
    with that command, and its probes (`redis-cli ping`, no password) get NOAUTH: the liveness
    probe would restart redis forever. The template is not used; the image's user and a
    writable /data are, with the input's own healthcheck."""
    (tmp_path / ".env").write_text("REDIS_PASSWORD=s3cr3tpw\n")
    (tmp_path / "docker-compose.yml").write_text("""\
services:
  redis:
    image: redis:7
    command: redis-server --requirepass ${REDIS_PASSWORD}
    healthcheck: {test: [CMD, redis-cli, ping]}
""")
    r = import_compose(tmp_path / "docker-compose.yml", "shop")
    assert r.unexplained == [], r.unexplained
    redis = yaml.safe_load(r.files["apps/redis.yaml"])
    assert "use" not in redis and redis["security"] == {"run_as_user": 999}
    assert redis["args"] == ["redis-server", "--requirepass", "$(REDIS_PASSWORD)"]
    assert redis["health"]["exec"] == ["redis-cli", "ping"]
    assert any("its command sets a password" in d.message for d in r.diags)
    assert "s3cr3tpw" not in "".join(r.files.values())


def test_a_volume_name_is_free_and_found_in_a_bounded_number_of_tries():
    """The name of a volume at a path, none of the taken ones: `-w`, then `-w2`, ... within 63
    characters. The old loop cut a 62-character name back to 60 and added `-w` again: the same
    name, forever, when that one was taken too (a hostile input may name its volumes so)."""
    from skyspec.importer.official import volume_name

    long = "/" + "a" * 80
    base = volume_name(long, set())
    assert base == "a" * 63
    taken = {base, "a" * 61 + "-w"}
    got = volume_name(long, taken)
    assert got == "a" * 60 + "-w2" and len(got) <= 63
    assert volume_name("/data", {"data"}) == "data-w" and volume_name("/etc/app", set(), "image-") == "image-etc-app"
    assert volume_name("/", set(), "", "writable") == "writable"


def test_an_untemplated_postgres_keeps_its_data_in_a_subdirectory_of_its_claim(tmp_path):
    """misskey's `POSTGRES_USER: example-misskey-user` (a hyphen, which the template refused
    then; a dot stands in for a name it refuses now) took
    the fallback (the image's user, emptyDirs), which mounted the claim at PGDATA itself: on a
    fresh volume initdb finds lost+found, and cannot chmod a mount root it does not own, so the
    database never started. PGDATA is a subdirectory now, as the template has it; an input's
    own PGDATA stays."""
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  db:
    image: postgres:15-alpine
    environment: {POSTGRES_USER: misskey.user, POSTGRES_PASSWORD: S3cretPw9x, POSTGRES_DB: misskey}
    volumes: ["pgdata:/var/lib/postgresql/data"]
volumes:
  pgdata: {}
""")
    r = import_compose(src, "mk")
    assert r.unexplained == [], r.unexplained
    db = yaml.safe_load(r.files["apps/statefulapp.db.yaml"])
    assert "use" not in db and db["security"] == {"run_as_user": 70}
    assert db["env"]["PGDATA"] == "/var/lib/postgresql/data/pgdata"
    assert db["storage"]["data"]["mount"] == "/var/lib/postgresql/data"
    assert r.figures["categories"]["PGDATA in a subdirectory of the claim (initdb refuses a fresh volume's root)"] == 1
    for rel, text in r.files.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_text(text)
    k8s = build_and_validate(tmp_path / "p", tmp_path, "dev")
    (c,) = next(o for o in k8s if o["kind"] == "StatefulSet")["spec"]["template"]["spec"]["containers"]
    assert {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"} in c["env"]
    src.write_text(src.read_text().replace("POSTGRES_DB: misskey}", "POSTGRES_DB: misskey, PGDATA: /var/lib/postgresql/data/x}"))
    r = import_compose(src, "mk")
    assert r.unexplained == [] and yaml.safe_load(r.files["apps/statefulapp.db.yaml"])["env"]["PGDATA"] == \
        "/var/lib/postgresql/data/x"


def test_a_volume_at_postgres_18s_own_data_folder_is_the_templates_claim(tmp_path):
    """DocuSeal mounts postgres:18's volume at its own PGDATA, `/var/lib/postgresql/18/docker`.
    The import kept that mount for the template's claim, whose PGDATA is
    /var/lib/postgresql/data/pgdata: outside every volume, on the read-only root, where initdb
    cannot make it (and nothing would have kept the data). It is the template's `data` claim."""
    (tmp_path / "compose.yaml").write_text("""\
services:
  postgres:
    image: postgres:18
    volumes: ['./pg_data:/var/lib/postgresql/18/docker']
    environment: {POSTGRES_USER: docuseal, POSTGRES_PASSWORD: Kq83vLw0pZ, POSTGRES_DB: docuseal}
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    db = yaml.safe_load(r.files["apps/statefulapp.postgres.yaml"])
    assert db["use"] == "postgres" and db["storage"] == {"data": {"size": "1Gi"}}


HARBOR_DB = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: harbor-database}
spec:
  serviceName: harbor-database
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      securityContext: {runAsUser: 999, fsGroup: 999}
      initContainers:
      - name: data-permissions-ensurer
        image: goharbor/harbor-db:v2.13.0
        command: [/bin/sh]
        args: [-c, chmod -R 700 /var/lib/postgresql/data/pgdata || true]
        volumeMounts: [{name: database-data, mountPath: /var/lib/postgresql/data}]
      containers:
      - name: database
        image: goharbor/harbor-db:v2.13.0
        ports: [{containerPort: 5432}]
        env: [{name: PGDATA, value: /var/lib/postgresql/data/pgdata}]
        volumeMounts: [{name: database-data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
  - metadata: {name: database-data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""


def test_an_image_run_as_the_postgres_user_on_its_data_folder_gets_its_socket_folder(tmp_path):
    """Harbor's chart runs `goharbor/harbor-db` (PostgreSQL on Photon, its own entrypoint) as
    postgres' UID 999 on /var/lib/postgresql/data; it keeps its socket in /run/postgresql, on
    the read-only root filesystem, and crash-looped (`could not create lock file`), with no
    warning: the user was the input's, which took it for an image of its own. Run as the
    official image's user on its data folder, it is taken for one built from postgres: the
    import mounts an emptyDir at its socket folder (the init container's mount of the data
    folder, a patch, is the input's, not the relaxation's), and a spec without it is warned."""
    src = tmp_path / "in.yaml"
    src.write_text(HARBOR_DB)
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(out)])
    assert res.exit_code == 0 and "note[SKY063]: harbor-database: image goharbor/harbor-db:v2.13.0, which mounts " \
        "the official postgres image's data folder" in res.output, res.output
    path = out / "apps" / "statefulapp.harbor-database.yaml"
    doc = yaml.safe_load(path.read_text())
    assert "use" not in doc and doc["security"]["run_as_user"] == 999
    assert [v["mount"] for v in doc["volumes"].values() if v.get("empty")] == ["/var/run/postgresql"]
    assert "SKY410" not in _check(out)
    _adds_up(import_kubernetes([src], "t").figures)
    doc.pop("volumes")
    path.write_text(yaml.safe_dump(doc))
    res = CliRunner().invoke(main, ["check", str(out)])
    assert 'image "goharbor/harbor-db:v2.13.0" of StatefulApp "harbor-database" mounts /var/lib/postgresql/data' \
        in res.output and "writes /var/run/postgresql" in res.output, res.output
