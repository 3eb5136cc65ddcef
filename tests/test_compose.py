"""The Compose backend, checked with the real Compose v2 binary: every file must pass
`docker-compose config -q`, and its meaning is read back from `config --format json`
(the model Compose itself builds), not from our own YAML."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml
from validators import compose_binary, compose_config, run_tool

from skyspec.backends import compose
from skyspec.ir.model import IR, Container, EnvVar, Port, Workload
from skyspec.pipeline import Session, render

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "examples" / "shop"


# ---------------------------------------------------------------------- helpers

def compose_json(path: Path) -> dict:
    """The file as Compose understands it (`config --format json`)."""
    r = run_tool([compose_binary(), "-f", str(path), "config", "--format", "json"], cwd=path.parent)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def write(ir: IR, out: Path) -> Path:
    files = compose.render({ir.env: ir})
    assert list(files) == [f"{ir.env}/compose.yaml"]
    path = out / ir.env / "compose.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(files[f"{ir.env}/compose.yaml"])
    return path


def load(ir: IR, out: Path) -> tuple[str, dict]:
    """Validate with the real binary, then load: (our YAML text, Compose's JSON model)."""
    path = write(ir, out)
    r = compose_config(path)
    assert r.returncode == 0, f"docker-compose config -q failed:\n{r.stderr}\n--- {path}\n{path.read_text()}"
    assert "variable is not set" not in r.stderr, r.stderr  # nothing was interpolated
    return path.read_text(), compose_json(path)


def compile_ir(make_project, files: dict[str, str], env: str = "dev") -> IR:
    root = make_project(files)
    s = Session(root / "skyspec.yaml")
    out = s.compile_all([env])
    assert env in out, "\n".join(str(d) for d in s.diags.errors)
    return out[env].ir


@pytest.fixture
def build(make_project, tmp_path):
    """Compile spec files for one env and return (yaml text, Compose JSON)."""

    def run(files: dict[str, str], env: str = "dev") -> tuple[str, dict]:
        return load(compile_ir(make_project, files, env), tmp_path / "out")

    return run


def published(model: dict) -> list[tuple[str, str]]:
    return [(p["published"], p.get("protocol", "tcp")) for s in model["services"].values()
            for p in s.get("ports", []) if p.get("published")]


# ---------------------------------------------------------------------- the example project

@pytest.fixture(scope="module")
def shop_irs() -> dict[str, IR]:
    s = Session(SHOP / "skyspec.yaml")
    compiled = s.compile_all()
    assert not s.diags.errors, [str(d) for d in s.diags.errors]
    assert set(compiled) == {"dev", "qa", "prod"}
    return {name: c.ir for name, c in compiled.items()}


@pytest.mark.parametrize("env", ["dev", "qa", "prod"])
def test_shop_every_environment_is_valid_compose(shop_irs, env, tmp_path):
    ir = shop_irs[env]
    text, model = load(ir, tmp_path)
    assert model["name"] == f"shop-{env}"
    assert set(model["services"]) == {w.name for w in ir.workloads}
    for w in ir.workloads:
        svc = model["services"][w.name]
        assert svc["image"] == w.main.image
        assert svc["restart"] == "unless-stopped"
        assert svc["labels"]["app.kubernetes.io/name"] == w.name
        assert svc["labels"]["tier"] == w.labels["tier"]
        assert svc.get("deploy", {}).get("replicas", 1) == w.replicas
    # the secret reference becomes a mounted file, never a value
    api = model["services"]["api"]
    assert "DB_PASSWORD" not in api["environment"]
    assert api["environment"]["DB_PASSWORD_FILE"] == "/run/secrets/shop-db.password"
    assert [s["source"] for s in api["secrets"]] == ["shop-db.password"]
    assert model["secrets"]["shop-db.password"]["file"] == str(tmp_path / env / "secrets" / "shop-db" / "password")
    # connections: the cache has an exec check (redis-cli ping), the api only HTTP probes
    assert api["depends_on"] == {"cache": {"condition": "service_healthy", "required": True}}
    assert model["services"]["web"]["depends_on"]["api"]["condition"] == "service_started"
    assert "healthcheck" not in api
    assert model["services"]["cache"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    # the worker: command/args as entrypoint/command
    worker = model["services"]["worker"]
    assert worker["entrypoint"] == ["python", "-m", "shop.worker"]
    assert worker["command"][:2] == ["--queue", "orders"]
    assert len(set(published(model))) == len(published(model))


def test_shop_web_published_only_when_it_can_be(shop_irs, tmp_path):
    _, dev = load(shop_irs["dev"], tmp_path)
    assert dev["services"]["web"]["ports"] == [{"name": "http", "mode": "ingress", "host_ip": "127.0.0.1",
                                                "target": 8080, "published": "8080", "protocol": "tcp"}]
    _, prod = load(shop_irs["prod"], tmp_path)          # 4 replicas: Docker picks the host ports
    (port,) = prod["services"]["web"]["ports"]
    assert port["target"] == 8080 and "published" not in port
    assert "ports" not in prod["services"]["api"]       # not exposed: reachable by name only
    assert prod["services"]["api"]["expose"] == ["8080", "9090"]


def test_render_through_the_pipeline(shop_irs):
    s = Session(SHOP / "skyspec.yaml")
    files = render(s.compile_all(), ["compose"])
    assert sorted(files) == ["dev/compose.yaml", "prod/compose.yaml", "qa/compose.yaml"]
    assert files == compose.render(shop_irs)


def test_deterministic(shop_irs):
    first = compose.render(shop_irs)
    assert compose.render(shop_irs) == first
    again = {env: c.ir for env, c in Session(SHOP / "skyspec.yaml").compile_all().items()}
    assert compose.render(again) == first
    for ir in again.values():                             # workload order does not matter
        random.Random(7).shuffle(ir.workloads)
    assert compose.render(again) == first
    for path, text in first.items():                      # the text is exactly compose_file()
        assert yaml.safe_load(text) == compose.compose_file(shop_irs[path.split("/")[0]])


# ---------------------------------------------------------------------- rule by rule

def test_command_is_entrypoint_and_args_are_command(build):
    text, model = build({"apps/a.yaml": """
        kind: App
        name: both
        image: busybox:1.36
        command: [sh, -c]
        args: ["echo hi"]
        ---
        kind: App
        name: args-only
        image: busybox:1.36
        args: [--verbose, "8"]
        ---
        kind: App
        name: command-only
        image: busybox:1.36
        command: "sleep 3600"
        ---
        kind: App
        name: neither
        image: busybox:1.36
    """})
    s = model["services"]
    assert s["both"]["entrypoint"] == ["sh", "-c"] and s["both"]["command"] == ["echo hi"]
    assert s["args-only"]["entrypoint"] is None and s["args-only"]["command"] == ["--verbose", "8"]
    assert s["command-only"]["entrypoint"] == ["sleep", "3600"] and s["command-only"]["command"] is None
    assert s["neither"]["entrypoint"] is None and s["neither"]["command"] is None


def test_environment_values_are_strings_and_dollars_survive(build):
    text, model = build({"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        args: [echo, "$HOME", "${X}"]
        env:
          WORKERS: 4
          RATIO: 0.5
          DEBUG: true
          QUIET: false
          EMPTY: ""
          PRICE: "$5 or ${USER}"
          ZIP: "01234"
    """})
    env = model["services"]["a"]["environment"]
    # Compose writes a literal `$` back as `$$`: these are the values, uninterpolated
    assert {k: env[k] for k in ("WORKERS", "RATIO", "DEBUG", "QUIET", "EMPTY", "PRICE", "ZIP")} == {
        "WORKERS": "4", "RATIO": "0.5", "DEBUG": "true", "QUIET": "false", "EMPTY": "",
        "PRICE": "$$5 or $${USER}", "ZIP": "01234"}
    assert model["services"]["a"]["command"] == ["echo", "$$HOME", "$${X}"]
    data = yaml.safe_load(text)["services"]["a"]["environment"]
    assert all(isinstance(v, str) for v in data.values())


def test_secrets_are_files_never_values(build, tmp_path):
    text, model = build({"apps/a.yaml": """
        kind: App
        name: db
        image: postgres:16
        port: 5432
        secrets:
          POSTGRES_PASSWORD: {secret: pg-credentials, key: password}
          POSTGRES_USER: {secret: pg-credentials, key: username}
        ---
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0
        env: {LOG_LEVEL: info, TOKEN_FILE: /etc/token}
        secrets:
          DB_PASSWORD: {secret: pg-credentials, key: password}
          TOKEN: {secret: api-token, key: token}
        connect_to: [db]
        ---
        kind: Secret
        name: pg-credentials
        keys: [password, username]
        ---
        kind: Secret
        name: api-token
        existing: true
    """})
    db, api = model["services"]["db"], model["services"]["api"]
    assert db["environment"] == {"POSTGRES_PASSWORD_FILE": "/run/secrets/pg-credentials.password",
                                 "POSTGRES_USER_FILE": "/run/secrets/pg-credentials.username"}
    assert [(s["source"], s["target"]) for s in db["secrets"]] == [
        ("pg-credentials.password", "/run/secrets/pg-credentials.password"),
        ("pg-credentials.username", "/run/secrets/pg-credentials.username")]
    # the variable itself is never set; a *_FILE the spec sets wins, the secret is still mounted
    assert api["environment"] == {"DB_HOST": "db", "DB_PORT": "5432", "LOG_LEVEL": "info",
                                  "DB_PASSWORD_FILE": "/run/secrets/pg-credentials.password",
                                  "TOKEN_FILE": "/etc/token"}
    assert [s["source"] for s in api["secrets"]] == ["api-token.token", "pg-credentials.password"]
    # one top-level secret per (secret, key), read from a file next to the Compose file
    out = tmp_path / "out" / "dev"
    assert model["secrets"] == {
        "api-token.token": {"name": "demo-dev_api-token.token", "file": str(out / "secrets/api-token/token")},
        "pg-credentials.password": {"name": "demo-dev_pg-credentials.password",
                                    "file": str(out / "secrets/pg-credentials/password")},
        "pg-credentials.username": {"name": "demo-dev_pg-credentials.username",
                                    "file": str(out / "secrets/pg-credentials/username")},
    }
    assert all(set(s) == {"name", "file"} for s in model["secrets"].values())  # never `environment:`/content
    # no reference leaks as a value (no secretKeyRef, no Python repr of the reference)
    assert "secretKeyRef" not in text and "('" not in text and "{secret" not in text
    assert "DB_PASSWORD:" not in text and "TOKEN:" not in text


def test_a_secret_value_on_disk_never_reaches_the_file(make_project, tmp_path):
    ir = compile_ir(make_project, {"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        secrets: {PASSWORD: {secret: creds, key: password}}
        ---
        kind: Secret
        name: creds
        keys: [password]
    """})
    secret = tmp_path / "out" / "dev" / "secrets" / "creds" / "password"
    secret.parent.mkdir(parents=True)
    secret.write_text("hunter2-very-secret")
    text, model = load(ir, tmp_path / "out")
    assert "hunter2" not in text and "hunter2" not in json.dumps(model)
    assert model["secrets"]["creds.password"]["file"] == str(secret)


def test_odd_secret_keys_cannot_escape_or_clash():
    ir = IR("demo", "demo", "dev", workloads=[Workload("App", "a", "demo", [Container("a", "busybox:1.36")])])
    ir.workloads[0].main.env = [EnvVar("A", secret=("s", "../../etc/passwd")), EnvVar("B", secret=("s", "a b")),
                                EnvVar("C", secret=("s", "a_b")), EnvVar("D", secret=("s", "tls.crt"))]
    doc = compose.compose_file(ir)
    files = [s["file"] for s in doc["secrets"].values()]
    assert len(set(files)) == 4 and len(set(doc["secrets"])) == 4
    assert "./secrets/s/tls.crt" in files and "./secrets/s/a_b" in files
    for f in files:
        assert f.startswith("./secrets/s/") and ".." not in f and " " not in f and f.count("/") == 3


def test_depends_on_waits_for_health_only_where_there_is_a_check(build):
    _, model = build({"apps/a.yaml": """
        kind: App
        name: front
        image: ghcr.io/acme/front:1.0
        connect_to: [db, api, plain]
        ---
        kind: App
        name: db
        image: postgres:16
        port: 5432
        health: {exec: [pg_isready, -U, postgres], period: 5, timeout: 3, failure_threshold: 6, initial_delay: 2}
        ---
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0
        port: 8080
        health: {http: /healthz, startup: {tcp: 8080}}
        ---
        kind: App
        name: plain
        image: ghcr.io/acme/plain:1.0
        port: 9000
    """})
    s = model["services"]
    assert s["front"]["depends_on"] == {
        "api": {"condition": "service_started", "required": True},
        "db": {"condition": "service_healthy", "required": True},
        "plain": {"condition": "service_started", "required": True},
    }
    assert s["db"]["healthcheck"] == {"test": ["CMD", "pg_isready", "-U", "postgres"], "interval": "5s",
                                      "timeout": "3s", "retries": 6, "start_period": "2s"}
    assert "healthcheck" not in s["api"] and "healthcheck" not in s["plain"]   # no invented curl/wget
    for svc in s.values():
        assert "depends_on" not in svc or svc is s["front"]


def test_healthcheck_timing_defaults_and_startup_budget(build):
    _, model = build({"apps/a.yaml": """
        kind: App
        name: q
        image: ghcr.io/acme/q:1.0
        port: 8080
        health:
          readiness: {http: /ready}
          liveness: {exec: [q, ping]}
          startup: {http: /ready, period: 2, failure_threshold: 30, initial_delay: 5}
    """})
    hc = model["services"]["q"]["healthcheck"]
    # Kubernetes defaults written out; start_period covers the startup probe's 5 + 2 x 30 s
    assert hc == {"test": ["CMD", "q", "ping"], "interval": "10s", "timeout": "1s", "retries": 3,
                  "start_period": "1m5s"}


def test_published_ports_never_clash(build):
    _, model = build({"apps/a.yaml": """
        kind: App
        name: web
        image: ghcr.io/acme/web:1.0
        port: 7070
        replicas: 3
        expose: true
        ---
        kind: App
        name: admin
        image: ghcr.io/acme/admin:1.0
        ports: {http: 8080, debug: {port: 5005, host_port: 15005}}
        expose: {host: admin.local}
        ---
        kind: App
        name: docs
        image: ghcr.io/acme/docs:1.0
        ports: {http: {port: 80, host_port: 8080}}
        expose: true
        ---
        kind: App
        name: dns
        image: ghcr.io/acme/dns:1.0
        ports: {dns: {port: 53, protocol: UDP, host_port: 8080}, metrics: 9153}
        ---
        kind: App
        name: dup
        image: ghcr.io/acme/dup:1.0
        ports: {http: {port: 81, host_port: 15005}}
        ---
        kind: App
        name: scaled
        image: ghcr.io/acme/scaled:1.0
        ports: {http: {port: 80, host_port: 18080}}
        replicas: 2
    """}, env="prod")  # the dev profile pins replicas to 1
    s = model["services"]
    pub = published(model)
    assert len(pub) == len(set(pub)), pub
    ports = {name: {p["target"]: p.get("published") for p in svc.get("ports", [])} for name, svc in s.items()}
    assert ports["admin"] == {5005: "15005", 8080: None}   # docs' explicit host_port 8080 claimed it first
    assert ports["docs"] == {80: "8080"}
    assert ports["dns"] == {53: "8080"}                    # udp/8080 is not tcp/8080
    assert s["dns"]["expose"] == ["9153"]
    assert ports["dup"] == {81: None}                      # 15005 taken by admin (name order)
    assert ports["scaled"] == {80: None}                   # 2 replicas: no fixed host port
    assert ports["web"] == {7070: None}                    # 3 replicas, though 7070 is free
    assert s["web"]["deploy"]["replicas"] == 3
    assert all(p["host_ip"] == "127.0.0.1" for svc in s.values() for p in svc.get("ports", []))
    assert s["dns"]["ports"][0]["protocol"] == "udp"


def test_resources_in_compose_units(build):
    _, model = build({"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        resources: {cpu: 250m, memory: 256Mi, cpu_limit: "1.5", memory_limit: 1G}
        ---
        kind: App
        name: b
        image: busybox:1.36
        resources: {cpu: 2, memory: 1Gi, cpu_limit: 1m, memory_limit: 1000}
    """})
    a, b = model["services"]["a"]["deploy"]["resources"], model["services"]["b"]["deploy"]["resources"]
    assert a["reservations"] == {"cpus": 0.25, "memory": str(256 * 2**20)}
    assert a["limits"] == {"cpus": 1.5, "memory": str(10**9)}
    assert b["reservations"] == {"cpus": 2, "memory": str(2**30)}
    assert b["limits"] == {"cpus": 0.001, "memory": "1000"}
    assert "replicas" not in model["services"]["a"]["deploy"]


def test_unit_formatting():
    assert [compose.cpus(m) for m in (250, 100, 1, 1000, 1500, 2000, 12345)] == \
        ["0.25", "0.1", "0.001", "1", "1.5", "2", "12.345"]
    assert [compose.memory(n) for n in (256 * 2**20, 2**30, 3 * 2**10, 10**9, 1000, 128974848)] == \
        ["256M", "1G", "3K", "1000000000", "1000", "123M"]


def test_labels_and_restart(build):
    text, model = build({"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        labels: {tier: web, team: shop}
    """})
    svc = model["services"]["a"]
    assert svc["restart"] == "unless-stopped"
    assert svc["labels"] == {"tier": "web", "team": "shop", "skyspec.dev/env": "dev",
                             "app.kubernetes.io/name": "a", "app.kubernetes.io/part-of": "demo",
                             "app.kubernetes.io/managed-by": "skyspec"}
    assert "replicas" not in yaml.safe_load(text)["services"]["a"].get("deploy", {})


def test_kinds_without_a_mapping_are_left_out(tmp_path):
    job = Workload("CronJob", "nightly", "demo", [Container("nightly", "busybox:1.36")])
    app = Workload("App", "a", "demo", [Container("a", "busybox:1.36", ports=[Port("http", 80)])],
                   replicas=1, connect_to=["nightly"])
    ir = IR("demo", "demo", "dev", workloads=[job, app])
    _, model = load(ir, tmp_path)
    assert set(model["services"]) == {"a"}
    assert "depends_on" not in model["services"]["a"]


def test_a_file_per_environment(shop_irs):
    files = compose.render(shop_irs)
    assert sorted(files) == ["dev/compose.yaml", "prod/compose.yaml", "qa/compose.yaml"]
    for env, text in files.items():
        doc = yaml.safe_load(text)
        assert doc["name"] == f"shop-{env.split('/')[0]}"
        assert list(doc) == ["name", "services", "secrets"]
        assert "volumes" not in doc
