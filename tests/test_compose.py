"""The Compose backend, checked with the real Compose v2 binary: every file must pass
`docker-compose config -q`, and its meaning is read back from `config --format json`
(the model Compose itself builds), not from our own YAML."""

from __future__ import annotations

import json
import random
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from validators import compose_config, compose_run

from skyspec.backends import compose
from skyspec.backends.layout import strip_header
from skyspec.diagnostics import Diagnostic
from skyspec.ir.model import IR, Container, EnvVar, Mount, Port, SecretRef, Volume, Workload
from skyspec.pipeline import Session, render

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "examples" / "shop"


# ---------------------------------------------------------------------- helpers

def compose_json(path: Path, *args: str) -> dict:
    """The file as Compose understands it (`config --format json`), every profile enabled
    (a CronJob's service is in the `cron` profile) unless ``args`` say otherwise."""
    args = args or ("--profile", "*")
    r = compose_run(path, *args, "config", "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def compose_services(path: Path, *services: str) -> list[str]:
    """The services `docker compose up` would start (`run SERVICE`: with SERVICES named),
    as `config` selects them: the default profile, or the named ones and what they need."""
    r = compose_run(path, "config", "--format", "json", *services)
    assert r.returncode == 0, r.stderr
    return sorted(json.loads(r.stdout)["services"])


def write(ir: IR, out: Path, unit: str | None = None) -> Path:
    unit = unit or ir.env       # the output unit: `prod`, or `prod.eu-west` for a target
    files = compose.render({unit: ir})
    assert set(files) <= {f"{unit}/{f}" for f in ("compose.yaml", "secrets/.gitignore", ".env.example", ".gitignore")}
    path = out / unit / "compose.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(files[f"{unit}/compose.yaml"])
    example = path.parent / ".env.example"     # the variables of Secrets the file reads (compose_variables)
    if f"{unit}/.env.example" in files:
        example.write_text(files[f"{unit}/.env.example"])
    elif example.exists():
        example.unlink()
    return path


def load(ir: IR, out: Path, unit: str | None = None) -> tuple[str, dict]:
    """Validate with the real binary, then load: (our YAML text, Compose's JSON model)."""
    path = write(ir, out, unit)
    r = compose_config(path)
    assert r.returncode == 0, f"docker-compose config -q failed:\n{r.stderr}\n--- {path}\n{path.read_text()}"
    assert "variable is not set" not in r.stderr, r.stderr  # nothing was interpolated
    r = compose_run(path, "--profile", "*", "config", "-q")
    assert r.returncode == 0, f"with every profile:\n{r.stderr}"  # the cron profile too
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


def by_target(mounts: list[dict]) -> dict[str, dict]:
    """Mounts (volumes, configs or secrets of a service) by container path."""
    out = {m["target"]: m for m in mounts}
    assert len(out) == len(mounts), mounts
    return out


def published(model: dict) -> list[tuple[str, str]]:
    return [(p["published"], p.get("protocol", "tcp")) for s in model["services"].values()
            for p in s.get("ports", []) if p.get("published")]


# ---------------------------------------------------------------------- the example project

SHOP_UNITS = ["dev", "qa", "prod", "prod.eu-west"]   # prod.eu-west: a target (Apps and StatefulApps only)


@pytest.fixture(scope="module")
def shop_irs() -> dict[str, IR]:
    s = Session(SHOP / "skyspec.yaml")
    compiled = s.compile_all()
    assert not s.diags.errors, [str(d) for d in s.diags.errors]
    assert sorted(compiled) == sorted(SHOP_UNITS)
    return {name: c.ir for name, c in compiled.items()}


RESTART = {"App": "unless-stopped", "StatefulApp": "unless-stopped", "Job": "no", "CronJob": "no"}


@pytest.mark.parametrize("unit", SHOP_UNITS)
def test_shop_every_environment_is_valid_compose(shop_irs, unit, tmp_path):
    ir = shop_irs[unit]
    text, model = load(ir, tmp_path, unit)
    assert model["name"] == {"prod.eu-west": "shop-prod_eu-west"}.get(unit, f"shop-{unit}")
    # every workload the Kubernetes output has, of every kind, and nothing else
    assert set(model["services"]) == {w.name for w in ir.workloads}
    assert {w.kind for w in ir.workloads} == (
        {"App", "StatefulApp"} if unit == "prod.eu-west" else {"App", "StatefulApp", "CronJob"})
    for w in ir.workloads:
        svc = model["services"][w.name]
        assert svc["image"] == w.main.image
        assert svc["restart"] == RESTART[w.kind]
        assert svc["labels"]["app.kubernetes.io/name"] == w.name
        assert svc["labels"].get("tier") == w.labels.get("tier")
        assert svc.get("deploy", {}).get("replicas", 1) == (1 if w.replicas is None else w.replicas)
    # no secret reference becomes a value: a variable (`as: env`) is set from the user's
    # variable (the dummy value `load` gave), `as: file` names the file Compose mounts
    for w in ir.workloads:
        svc = model["services"][w.name]
        mounted = {(s["source"], s["target"]) for s in svc.get("secrets", [])}
        for e in w.main.env:
            if e.secret:
                assert svc["environment"][e.name].startswith("dummy-")
            elif getattr(e, "file_ref", None):
                assert (f"{e.file_ref[0]}.{e.file_ref[1]}", svc["environment"][e.name]) in mounted
    api = model["services"]["api"]
    assert "DB_PASSWORD" not in api["environment"] and "DB_PASSWORD_FILE" in api["environment"]
    assert [s["source"] for s in api["secrets"]] == ["shop-db.password"]
    assert model["secrets"] == {"shop-db.password": {
        "name": f"{model['name']}_shop-db.password",
        "file": str(tmp_path / unit / "secrets" / "shop-db" / "password")}}
    # connections: the cache and the database have exec checks, the api only HTTP probes
    assert api["depends_on"] == {"cache": {"condition": "service_healthy", "required": True},
                                 "db": {"condition": "service_healthy", "required": True}}
    assert model["services"]["web"]["depends_on"]["api"]["condition"] == "service_started"
    assert "healthcheck" not in api
    assert model["services"]["cache"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    # the worker: command/args as entrypoint/command
    worker = model["services"]["worker"]
    assert worker["entrypoint"] == ["python", "-m", "shop.worker"]
    assert worker["command"][:2] == ["--queue", "orders"]
    assert len(set(published(model))) == len(published(model))
    # the database (StatefulApp): its storage is a named volume, its password a *_FILE
    db = model["services"]["db"]
    assert by_target(db["volumes"])["/var/lib/postgresql/data"] == {
        "type": "volume", "source": "db.data", "target": "/var/lib/postgresql/data"}
    assert model["volumes"] == {"db.data": {"name": f"{model['name']}_db.data"}}
    assert db["environment"]["POSTGRES_PASSWORD_FILE"].startswith("/run/secrets/shop-db")
    assert db["healthcheck"]["test"] == ["CMD", "pg_isready", "-U", "postgres"]
    assert db["expose"] == ["5432"] and "ports" not in db
    # the web's nginx config (a ConfigMap volume): inline config content, mounted per key
    web = model["services"]["web"]
    assert web["configs"] == [{"source": "web-config.default.conf", "target": "/etc/nginx/conf.d/default.conf"}]
    assert model["configs"]["web-config.default.conf"]["content"] == (SHOP / "config" / "nginx.conf").read_text()
    if unit != "prod.eu-west":
        # the nightly report (CronJob): run by hand, waits for the database
        report = model["services"]["nightly-report"]
        assert report["profiles"] == ["cron"]
        assert report["entrypoint"] == ["python", "-m", "shop.report"]
        assert report["depends_on"] == {"db": {"condition": "service_healthy", "required": True}}
        assert report["environment"]["DB_PASSWORD_FILE"].startswith("/run/secrets/shop-db")
        path = tmp_path / unit / "compose.yaml"
        assert "nightly-report" not in compose_services(path)                  # `up` leaves it alone
        assert compose_services(path, "nightly-report") == ["db", "nightly-report"]  # `run` starts the db


def test_shop_cron_job_warns_once(tmp_path, cli):
    r = cli("build", str(SHOP), "-o", str(tmp_path / "o"), "--format", "compose")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir() if p.is_dir()) == sorted(SHOP_UNITS)
    lines = [line for line in r.stderr.splitlines() if "[SKY501]" in line]
    assert len(lines) == 1, r.stderr      # dev, qa and prod see the same CronJob: one warning
    assert lines[0].endswith("warning[SKY501]: Compose cannot schedule CronJob \"nightly-report\" (\"0 3 * * *\"): "
                             "its service runs only when started by hand")
    assert "jobs.yaml:5:" in lines[0]   # the schedule line
    assert "docker compose run --rm nightly-report" in r.stderr
    assert "SKY502" not in r.stderr         # every Secret the shop mounts has known keys


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
    assert sorted(files) == sorted(f"{u}/{f}" for u in SHOP_UNITS for f in ("compose.yaml", "secrets/.gitignore"))
    assert {rel: strip_header(text) for rel, text in files.items()} == compose.render(shop_irs)
    assert all(text.startswith("# generated by skyspec from ") for text in files.values())


def test_deterministic(shop_irs):
    first = compose.render(shop_irs)
    assert compose.render(shop_irs) == first
    again = {env: c.ir for env, c in Session(SHOP / "skyspec.yaml").compile_all().items()}
    assert compose.render(again) == first
    for ir in again.values():                             # workload order does not matter
        random.Random(7).shuffle(ir.workloads)
    assert compose.render(again) == first
    for path, text in first.items():                      # the text is exactly compose_file()
        if path.endswith("compose.yaml"):
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
        args: [echo, "$HOME", "$${X}"]
        env:
          WORKERS: 4
          RATIO: 0.5
          DEBUG: true
          QUIET: false
          EMPTY: ""
          PRICE: "$5 or $${USER}"
          ZIP: "01234"
    """})
    env = model["services"]["a"]["environment"]
    # (`$${` is skyspec's literal `${`.) Compose writes a literal `$` back as `$$`: these are
    # the values, uninterpolated
    assert {k: env[k] for k in ("WORKERS", "RATIO", "DEBUG", "QUIET", "EMPTY", "PRICE", "ZIP")} == {
        "WORKERS": "4", "RATIO": "0.5", "DEBUG": "true", "QUIET": "false", "EMPTY": "",
        "PRICE": "$$5 or $${USER}", "ZIP": "01234"}
    assert model["services"]["a"]["command"] == ["echo", "$$HOME", "$${X}"]
    data = yaml.safe_load(text)["services"]["a"]["environment"]
    assert all(isinstance(v, str) for v in data.values())


def secret_variable(name: str, secret: str, key: str) -> str:
    """The value of a variable set from key ``key`` of Secret ``secret``, through the variable ``name``."""
    return (f"${{{name}:?Secret {secret}, key {key}: set it in .env beside compose.yaml (see .env.example) or in "
            "the shell}")


def test_secret_variables_are_set_from_the_users_variables_never_values(build, tmp_path):
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
    # the variables themselves are set, as in Kubernetes: from the variables the user sets
    # (`load` gave each a dummy value, from the .env.example written beside the file)
    assert db["environment"] == {"POSTGRES_PASSWORD": "dummy-pg_credentials__password",
                                 "POSTGRES_USER": "dummy-pg_credentials__username"}
    assert api["environment"] == {"DB_HOST": "db", "DB_PORT": "5432", "LOG_LEVEL": "info",
                                  "DB_PASSWORD": "dummy-pg_credentials__password", "TOKEN": "dummy-api_token__token",
                                  "TOKEN_FILE": "/etc/token"}
    raw = yaml.safe_load(text)["services"]
    assert raw["api"]["environment"]["DB_PASSWORD"] == secret_variable("PG_CREDENTIALS__PASSWORD", "pg-credentials",
                                                                       "password")
    assert raw["api"]["environment"]["TOKEN"] == secret_variable("API_TOKEN__TOKEN", "api-token", "token")
    # no file, no mount: the values are never in a file skyspec knows of
    assert "secrets" not in model and "secrets" not in db and "secrets" not in api
    assert (tmp_path / "out" / "dev" / ".env.example").read_text() == (
        "# The values of the Secrets this Compose file reads, which you provide: copy this file to\n"
        "# .env beside compose.yaml and fill them in, or set the variables in the shell.\n"
        "# `docker compose up` stops while one is unset or empty. skyspec never writes or removes\n"
        "# .env, and .gitignore keeps it out of git. Quote a value holding `$` with '...'.\n"
        "\n# Secret api-token, key token\nAPI_TOKEN__TOKEN=\n"
        "\n# Secret pg-credentials, key password\nPG_CREDENTIALS__PASSWORD=\n"
        "\n# Secret pg-credentials, key username\nPG_CREDENTIALS__USERNAME=\n")
    # no reference leaks as a value (no secretKeyRef, no Python repr of the reference)
    assert "secretKeyRef" not in text and "('" not in text and "{secret" not in text


def test_secret_files_are_mounted_where_kubernetes_mounts_them(build, tmp_path):
    """`as: file`: the key's file, a Compose secret read from secrets/<secret>/<key>, mounted
    at Kubernetes' path; `<VAR>_FILE` names it, the variable itself is not set."""
    text, model = build({"apps/a.yaml": """
        kind: App
        name: db
        image: postgres:16
        port: 5432
        secrets:
          POSTGRES_PASSWORD: {secret: pg-credentials, key: password, as: file}
        ---
        kind: Secret
        name: pg-credentials
        keys: [password, username]
    """})
    db = model["services"]["db"]
    assert db["environment"] == {"POSTGRES_PASSWORD_FILE": "/run/secrets/pg-credentials/password"}
    assert [(s["source"], s["target"]) for s in db["secrets"]] == [
        ("pg-credentials.password", "/run/secrets/pg-credentials/password"),
        ("pg-credentials.username", "/run/secrets/pg-credentials/username")]     # the whole Secret, as Kubernetes
    # one top-level secret per (secret, key), read from a file next to the Compose file
    out = tmp_path / "out" / "dev"
    assert model["secrets"] == {
        "pg-credentials.password": {"name": "demo-dev_pg-credentials.password",
                                    "file": str(out / "secrets/pg-credentials/password")},
        "pg-credentials.username": {"name": "demo-dev_pg-credentials.username",
                                    "file": str(out / "secrets/pg-credentials/username")},
    }
    assert all(set(s) == {"name", "file"} for s in model["secrets"].values())  # never `environment:`/content
    assert "POSTGRES_PASSWORD:" not in text and not (out / ".env.example").exists()


def test_a_secret_value_on_disk_never_reaches_the_file(make_project, tmp_path):
    ir = compile_ir(make_project, {"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        secrets: {PASSWORD: {secret: creds, key: password, as: file}}
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


def mounting(*keys: str) -> IR:
    """An IR whose one container mounts Secret "s" of ``keys`` (a Secret volume)."""
    main = Container("a", "busybox:1.36", mounts=[Mount("s", "/etc/s", read_only=True)])
    w = Workload("App", "a", "demo", [main], volumes=[Volume("s", "secret", "s")])
    return IR("demo", "demo", "dev", workloads=[w], secrets=[SecretRef("s", "demo", "deploy-time", keys=list(keys))])


def test_odd_secret_keys_cannot_escape_or_clash():
    doc = compose.compose_file(mounting("../../etc/passwd", "a b", "a_b", "tls.crt"))
    files = [s["file"] for s in doc["secrets"].values()]
    assert len(set(files)) == 4 and len(set(doc["secrets"])) == 4
    assert "./secrets/s/tls.crt" in files and "./secrets/s/a_b" in files
    for f in files:
        assert f.startswith("./secrets/s/") and ".." not in f and " " not in f and f.count("/") == 3
    # read as variables, they cannot clash either, nor put `}` or `$` in the message
    ir = IR("demo", "demo", "dev", workloads=[Workload("App", "a", "demo", [Container("a", "busybox:1.36")])])
    ir.workloads[0].main.env = [EnvVar(n, secret=("s", k)) for n, k in
                                (("A", "../../etc/passwd"), ("B", "a b"), ("C", "a_b"), ("D", "a}$b"))]
    env = compose.compose_file(ir)["services"]["a"]["environment"]
    names = [v[2:v.index(":?")] for v in env.values()]
    assert len(set(names)) == 4 and all(re.fullmatch(r"S__[A-Z0-9_]+", n) for n in names), names
    assert all(v.count("}") == 1 and v.count("$") == 1 for v in env.values())


def test_a_secret_key_with_a_trailing_newline_is_made_a_safe_file_name():
    files = sorted(s["file"] for s in compose.compose_file(mounting("token\n", "token"))["secrets"].values())
    assert files[1] == "./secrets/s/token" and files[0].startswith("./secrets/s/k") and "\n" not in files[0]


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
        resources: {cpu: 1m, memory: 1000, cpu_limit: 2, memory_limit: 1Gi}
    """})
    a, b = model["services"]["a"]["deploy"]["resources"], model["services"]["b"]["deploy"]["resources"]
    assert a["reservations"] == {"cpus": 0.25, "memory": str(256 * 2**20)}
    assert a["limits"] == {"cpus": 1.5, "memory": str(10**9)}
    assert b["reservations"] == {"cpus": 0.001, "memory": "1000"}
    assert b["limits"] == {"cpus": 2, "memory": str(2**30)}
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
    odd = Workload("Daemon", "agent", "demo", [Container("agent", "busybox:1.36", ports=[Port("http", 80)])])
    app = Workload("App", "a", "demo", [Container("a", "busybox:1.36", ports=[Port("http", 80)])],
                   replicas=1, connect_to=["agent"])
    ir = IR("demo", "demo", "dev", workloads=[odd, app])
    _, model = load(ir, tmp_path)
    assert set(model["services"]) == {"a"}
    assert "depends_on" not in model["services"]["a"]


def test_a_file_per_environment(shop_irs):
    files = {rel: text for rel, text in compose.render(shop_irs).items() if rel.endswith("/compose.yaml")}
    assert sorted(files) == sorted(f"{u}/compose.yaml" for u in SHOP_UNITS)
    for path, text in files.items():
        doc = yaml.safe_load(text)
        assert doc["name"] == "shop-" + path.split("/")[0].replace(".", "_")
        assert list(doc) == ["name", "services", "configs", "secrets", "volumes"]


# ---------------------------------------------------------------------- kinds

def compose_warnings(root: Path, envs: tuple[str, ...] = ("dev",)) -> list[Diagnostic]:
    """The Compose backend's warnings (SKY5xx) for a project, through the pipeline."""
    s = Session(root / "skyspec.yaml")
    compiled = s.compile_all(list(envs))
    assert not s.diags.errors, [str(d) for d in s.diags.errors]
    render(compiled, ["compose"], s.diags)
    return [d for d in s.diags.warnings if d.code.startswith("SKY5")]


def line_of(text: str, needle: str) -> int:
    """The 1-based line of a spec file (as `make_project` writes it) holding ``needle``."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    (n,) = [i for i, line in enumerate(lines, 1) if needle in line]
    return n


def test_statefulapp_storage_is_a_named_volume_per_entry(build, tmp_path):
    _, model = build({"apps/a.yaml": """
        kind: StatefulApp
        name: store
        image: ghcr.io/acme/store:1.0
        replicas: 3
        ports: {db: 5432}
        storage:
          data: {size: 20Gi, mount: /var/lib/store, class: fast}
          wal: 5Gi
        sidecars:
          backup:
            image: ghcr.io/acme/backup:1.0
            mounts: {data: /backup/source}
    """}, env="prod")
    s = model["services"]
    store = s["store"]
    assert store["restart"] == "unless-stopped" and store["deploy"]["replicas"] == 3
    vols = by_target(store["volumes"])
    assert vols["/var/lib/store"] == {"type": "volume", "source": "store.data", "target": "/var/lib/store"}
    assert vols["/data/wal"] == {"type": "volume", "source": "store.wal", "target": "/data/wal"}
    assert store["expose"] == ["5432"] and "ports" not in store
    # one volume per storage entry, shared by the replicas and the sidecars that mount it
    assert {"store.data", "store.wal"} <= set(model["volumes"])
    assert model["volumes"]["store.data"] == {"name": "demo-prod_store.data"}
    backup = s["store.backup"]
    assert by_target(backup["volumes"])["/backup/source"]["source"] == "store.data"
    assert backup["network_mode"] == "service:store" and "replicas" not in backup.get("deploy", {})


def test_job_is_a_one_shot_service(build, tmp_path):
    _, model = build({"apps/a.yaml": """
        kind: Job
        name: migrate
        image: ghcr.io/acme/migrate:1.0
        command: [migrate, up]
        backoff_limit: 2
        completions: 1
        connect_to: [db]
        ---
        kind: App
        name: db
        image: postgres:16
        port: 5432
    """})
    job = model["services"]["migrate"]
    assert job["restart"] == "no" and "profiles" not in job
    assert job["entrypoint"] == ["migrate", "up"]
    assert job["depends_on"] == {"db": {"condition": "service_started", "required": True}}
    assert job["environment"]["DB_HOST"] == "db"
    assert compose_services(tmp_path / "out" / "dev" / "compose.yaml") == ["db", "migrate"]  # `up` runs it


def test_waiting_for_a_job_means_its_success_and_nothing_waits_for_a_cron_job(tmp_path):
    # Specs cannot connect to a Job or a CronJob (they have no port): IR built by hand
    def wl(kind: str, name: str, **kw) -> Workload:
        return Workload(kind, name, "demo", [Container(name, "busybox:1.36")], **kw)

    ir = IR("demo", "demo", "dev", workloads=[
        wl("Job", "seed"), wl("CronJob", "report"),
        wl("App", "a", connect_to=["seed", "report"]), wl("Job", "b", connect_to=["seed"])])
    _, model = load(ir, tmp_path)
    done = {"seed": {"condition": "service_completed_successfully", "required": True}}
    assert model["services"]["a"]["depends_on"] == done
    assert model["services"]["b"]["depends_on"] == done
    assert model["services"]["report"]["profiles"] == ["cron"]


CRON = """
    kind: App
    name: db
    image: postgres:16
    port: 5432
    health: {exec: [pg_isready]}
    ---
    kind: CronJob
    name: report
    image: ghcr.io/acme/report:1.0
    command: [report, --since, 1d]
    schedule: "*/5 * * * *"
    connect_to: [db]
    init:
      prepare: {image: busybox:1.36, command: ["true"]}
"""


def test_cron_job_runs_by_hand_and_is_warned_once(make_project, cli, tmp_path):
    make_project({"apps/a.yaml": CRON})
    out = tmp_path / "o"
    r = cli("build", "-o", str(out), "--format", "compose")      # two environments: dev and prod
    assert r.exit_code == 0, r.output
    line = line_of(CRON, "schedule:")
    warnings = [x for x in r.stderr.splitlines() if "warning[SKY501]" in x]
    assert warnings == [f'apps/a.yaml:{line}:11: warning[SKY501]: Compose cannot schedule CronJob "report" '
                        '("*/5 * * * *"): its service runs only when started by hand'], r.stderr
    assert "help: run it with `docker compose run --rm report`" in r.stderr
    assert r.stderr.count("SKY501") == 1       # once, though two environments have the CronJob
    for env in ("dev", "prod"):
        path = out / env / "compose.yaml"
        assert compose_config(path).returncode == 0
        model = compose_json(path)
        report, prepare = model["services"]["report"], model["services"]["report.prepare"]
        assert report["profiles"] == prepare["profiles"] == ["cron"]
        assert report["restart"] == prepare["restart"] == "no"
        assert report["entrypoint"] == ["report", "--since", "1d"]
        assert report["depends_on"] == {"db": {"condition": "service_healthy", "required": True},
                                        "report.prepare": {"condition": "service_completed_successfully",
                                                           "required": True}}
        assert compose_services(path) == ["db"]                                   # `up` leaves it alone
        assert compose_services(path, "report") == ["db", "report", "report.prepare"]  # `run --rm report`
    # through the API: the same single warning, at the schedule
    (w,) = compose_warnings(tmp_path / "proj", ("dev", "prod"))
    assert (w.code, w.severity, w.pos.file, w.pos.line) == ("SKY501", "warning", "apps/a.yaml", line)


# ---------------------------------------------------------------------- volumes

def test_empty_volumes_are_tmpfs_unless_containers_share_them(build):
    _, model = build({"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        volumes:
          scratch: {empty: true, mount: /scratch}
          shm: {empty: {memory: true, size: 64Mi}, mount: /dev/shm}
          frozen: {empty: true, mount: /frozen, read_only: true}
          logs: {empty: {size: 10Mi}, mount: /var/log/a}
          static: {empty: true, mount: /srv/static}
        sidecars:
          shipper: {image: busybox:1.36, mounts: {logs: /logs}}
        init:
          fill: {image: busybox:1.36, mounts: {static: /out}}
    """})
    s = model["services"]
    vols = by_target(s["a"]["volumes"])
    assert vols["/scratch"] == {"type": "tmpfs", "target": "/scratch"}
    assert vols["/dev/shm"] == {"type": "tmpfs", "target": "/dev/shm", "tmpfs": {"size": str(64 * 2**20)}}
    assert vols["/frozen"] == {"type": "tmpfs", "target": "/frozen", "read_only": True}
    # shared while running (a sidecar): one tmpfs volume; filled by an init container: a plain volume
    assert vols["/var/log/a"] == {"type": "volume", "source": "a.logs", "target": "/var/log/a"}
    assert by_target(s["a.shipper"]["volumes"])["/logs"]["source"] == "a.logs"
    assert model["volumes"]["a.logs"] == {"name": "demo-dev_a.logs", "driver_opts": {
        "type": "tmpfs", "device": "tmpfs", "o": f"size={10 * 2**20}"}}
    assert vols["/srv/static"] == {"type": "volume", "source": "a.static", "target": "/srv/static"}
    assert by_target(s["a.fill"]["volumes"])["/out"]["source"] == "a.static"
    assert model["volumes"]["a.static"] == {"name": "demo-dev_a.static"}
    assert not {"a.scratch", "a.shm", "a.frozen"} & set(model["volumes"])


def test_config_volumes_are_inline_configs_per_key(build):
    text, model = build({"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        volumes:
          conf: {config: settings, mount: /etc/a, read_only: true}
          one: {config: settings, mount: /etc/mode.txt, sub_path: mode}
        ---
        kind: ConfigMap
        name: settings
        data: {mode: fast, retries: 3, price: "$5 or $HOME"}
        json: {app.json: {debug: false}}
    """})
    a = model["services"]["a"]
    assert by_target(a["configs"]) == {
        "/etc/a/app.json": {"source": "settings.app.json", "target": "/etc/a/app.json"},
        "/etc/a/mode": {"source": "settings.mode", "target": "/etc/a/mode"},
        "/etc/a/price": {"source": "settings.price", "target": "/etc/a/price"},
        "/etc/a/retries": {"source": "settings.retries", "target": "/etc/a/retries"},
        "/etc/mode.txt": {"source": "settings.mode", "target": "/etc/mode.txt"},
    }
    c = model["configs"]
    assert set(c) == {"settings.app.json", "settings.mode", "settings.price", "settings.retries"}
    assert c["settings.mode"] == {"name": "demo-dev_settings.mode", "content": "fast"}
    assert c["settings.retries"]["content"] == "3"
    assert json.loads(c["settings.app.json"]["content"]) == {"debug": False}
    assert c["settings.price"]["content"] == "$$5 or $$HOME"   # a literal `$`, as Compose writes it back
    assert "content: $$5 or $$HOME" in text


def test_secret_volumes_mount_each_key_from_its_file(build, tmp_path):
    files = {"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        volumes:
          creds: {secret: creds, mount: /etc/creds}
          tls: {secret: tls, mount: /etc/tls/}
          legacy: {secret: legacy, mount: /etc/legacy}
          token: {secret: vault-token, mount: /etc/token}
          one: {secret: vault-token, mount: /etc/one/token, sub_path: token}
        secrets:
          PASSWORD: {secret: creds, key: password}
          API_KEY: {secret: legacy, key: api-key}
        ---
        kind: Secret
        name: creds
        keys: [password, username]
        ---
        kind: Secret
        name: tls
        external: {store: vault, data: {tls.crt: "certs/a#crt", tls.key: "certs/a#key"}}
        ---
        kind: Secret
        name: legacy
        existing: true
        ---
        kind: Secret
        name: vault-token
        existing: true
    """}
    text, model = build(files)
    a = model["services"]["a"]
    assert sorted((s["source"], s["target"]) for s in a["secrets"]) == [
        ("creds.password", "/etc/creds/password"),
        ("creds.username", "/etc/creds/username"),
        ("legacy.api-key", "/etc/legacy/api-key"),               # existing: the key the specs use
        ("tls.tls.crt", "/etc/tls/tls.crt"),                     # external: the store's keys
        ("tls.tls.key", "/etc/tls/tls.key"),
        ("vault-token.token", "/etc/one/token"),                 # sub_path names the key
    ]
    out = tmp_path / "out" / "dev" / "secrets"
    # (a key the container reads as a variable too is made from that variable: one value for both)
    assert {k: v.get("file", v.get("environment")) for k, v in model["secrets"].items()} == {
        "creds.password": "CREDS__PASSWORD", "creds.username": str(out / "creds/username"),
        "legacy.api-key": "LEGACY__API_KEY", "tls.tls.crt": str(out / "tls/tls.crt"),
        "tls.tls.key": str(out / "tls/tls.key"), "vault-token.token": str(out / "vault-token/token")}
    # the variables: from the user's (not a file's)
    assert a["environment"] == {"PASSWORD": "dummy-creds__password", "API_KEY": "dummy-legacy__api_key"}
    assert "/etc/token" not in text          # an existing Secret with no key known: left out...
    (w,) = compose_warnings(tmp_path / "proj")  # ...and said, at the volume
    assert w.code == "SKY502" and w.pos.line == line_of(files["apps/a.yaml"], "token: {secret: vault-token")
    assert w.message == ('Compose needs the keys of Secret "vault-token" to mount it: volume "token" of "a" '
                         'is left out of the Compose file')
    assert "keys: [...]" in w.hint


def test_secret_values_in_a_spec_never_reach_the_file(build):
    text, model = build({"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        volumes: {creds: {secret: creds, mount: /etc/creds}}
        env_from: [{secret: creds}]
        ---
        kind: Secret
        name: creds
        data: {password: hunter2-very-secret}
    """})
    assert "hunter2" not in text and "hunter2" not in json.dumps(model)
    assert model["secrets"]["creds.password"] == {"name": "demo-dev_creds.password",
                                                  "environment": "CREDS__PASSWORD"}   # (env_from reads it too)
    assert model["services"]["a"]["environment"] == {"password": "dummy-creds__password"}
    assert "${CREDS__PASSWORD:?Secret creds, key password: " in text


def test_claims_are_named_volumes_shared_by_workloads(build):
    _, model = build({"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        volumes: {uploads: {claim: uploads, mount: /srv/uploads, sub_path: a}}
        ---
        kind: App
        name: b
        image: busybox:1.36
        volumes: {files: {claim: uploads, mount: /data, read_only: true}}
        ---
        kind: Resource
        name: uploads
        manifest:
          apiVersion: v1
          kind: PersistentVolumeClaim
          spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}}}
    """})
    s = model["services"]
    # the sub-path is dropped: Docker would need it to exist in the volume first
    assert by_target(s["a"]["volumes"])["/srv/uploads"] == {"type": "volume", "source": "uploads",
                                                            "target": "/srv/uploads"}
    assert by_target(s["b"]["volumes"])["/data"] == {"type": "volume", "source": "uploads", "target": "/data",
                                                     "read_only": True}
    assert model["volumes"]["uploads"] == {"name": "demo-dev_uploads"}


# ---------------------------------------------------------------------- environment

def test_env_from_configs_and_secrets(build, tmp_path):
    files = {"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        env: {MODE: slow}
        env_from:
          - {config: settings}
          - {config: more, prefix: X_}
          - {secret: creds, prefix: DB_}
          - {secret: vault-token}
          - {config: override}
        ---
        kind: ConfigMap
        name: settings
        data: {MODE: fast, RETRIES: 3, DB_user: from-config}
        ---
        kind: ConfigMap
        name: more
        data: {MODE: x, RETRIES: 5}
        ---
        kind: ConfigMap
        name: override
        data: {RETRIES: 9}
        ---
        kind: Secret
        name: creds
        keys: [password, user]
        ---
        kind: Secret
        name: vault-token
        existing: true
    """}
    _, model = build(files)
    a = model["services"]["a"]
    assert a["environment"] == {
        "MODE": "slow",                  # env wins over every env_from
        "RETRIES": "9",                  # a later source wins
        "X_MODE": "x", "X_RETRIES": "5",
        "DB_password": "dummy-creds__password",    # a Secret's keys: from the user's variables
        "DB_user": "dummy-creds__user",            # the Secret came after the ConfigMap: it wins
    }
    assert "secrets" not in a and "secrets" not in model
    (w,) = compose_warnings(tmp_path / "proj")
    assert w.code == "SKY502" and w.pos.line == line_of(files["apps/a.yaml"], "{secret: vault-token}")
    assert w.message == ('Compose needs the keys of Secret "vault-token" to pass it to "a": this `env_from` is '
                         'left out of the Compose file')


def test_observability_reaches_the_environment_and_annotations_stay_out(build):
    text, model = build({"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        ports: {http: 8080, metrics: 9090}
        ---
        kind: Observability
        name: obs
        apps: [a]
        metrics: {port: metrics}
        logging: {level: warn, format: json}
        tracing: {endpoint: "http://otel:4317"}
    """})
    env = model["services"]["a"]["environment"]
    assert {k: env[k] for k in ("LOG_LEVEL", "LOG_FORMAT", "OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT")} == {
        "LOG_LEVEL": "warn", "LOG_FORMAT": "json", "OTEL_SERVICE_NAME": "a",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4317"}
    assert "prometheus.io" not in text          # pod annotations are Kubernetes-only


# ---------------------------------------------------------------------- the other containers of a pod

SIDECARS = {"apps/a.yaml": """
    kind: App
    name: web
    image: ghcr.io/acme/web:1.0
    port: 8080
    expose: true
    replicas: 2
    volumes: {conf: {config: proxy, mount: /etc/web}}
    lifecycle: {termination_grace: 45}
    sidecars:
      proxy:
        image: envoyproxy/envoy:v1.31.0
        command: [envoy, -c, /etc/envoy/envoy.yaml]
        ports: {admin: 9901, public: {port: 8443, host_port: 18443}}
        mounts: {conf: /etc/envoy}
        health: {exec: [envoy-check]}
        resources: {cpu: 100m, memory: 64Mi}
        secrets: {TOKEN: {secret: creds, key: token}}
    ---
    kind: ConfigMap
    name: proxy
    data: {envoy.yaml: "a: 1"}
    ---
    kind: Secret
    name: creds
    keys: [token]
    ---
    kind: App
    name: client
    image: busybox:1.36
    connect_to: [web]
"""}


def test_sidecars_share_the_main_containers_network(build):
    _, model = build(SIDECARS)                     # dev: one replica
    s = model["services"]
    web, proxy = s["web"], s["web.proxy"]
    assert set(s) == {"web", "web.proxy", "client"}
    # the pod's ports are all on the main service: a container in its network cannot publish
    assert [(p["target"], p.get("published")) for p in web["ports"]] == [(8080, "8080"), (8443, "18443")]
    assert web["expose"] == ["9901"]
    assert proxy["network_mode"] == "service:web"
    assert "ports" not in proxy and "expose" not in proxy and "networks" not in proxy
    assert proxy["depends_on"] == {"web": {"condition": "service_started", "restart": True, "required": True}}
    assert proxy["entrypoint"] == ["envoy", "-c", "/etc/envoy/envoy.yaml"]
    # its own volumes where it mounts them, environment, secrets, resources and check
    assert by_target(proxy["configs"]) == {"/etc/envoy/envoy.yaml": {"source": "proxy.envoy.yaml",
                                                                     "target": "/etc/envoy/envoy.yaml"}}
    assert by_target(web["configs"]) == {"/etc/web/envoy.yaml": {"source": "proxy.envoy.yaml",
                                                                 "target": "/etc/web/envoy.yaml"}}
    assert proxy["environment"]["TOKEN"] == "dummy-creds__token"
    assert "TOKEN" not in web.get("environment", {})
    assert proxy["deploy"]["resources"]["reservations"] == {"cpus": 0.1, "memory": str(64 * 2**20)}
    assert proxy["healthcheck"]["test"] == ["CMD", "envoy-check"] and "healthcheck" not in web
    # the pod's restart policy, grace period and labels
    assert proxy["restart"] == web["restart"] == "unless-stopped"
    assert proxy["stop_grace_period"] == web["stop_grace_period"] == "45s"
    assert proxy["labels"] == web["labels"]
    # others wait for the main service only (its check, not the sidecar's)
    assert s["client"]["depends_on"] == {"web": {"condition": "service_started", "required": True}}


def test_sidecars_of_a_replicated_workload_run_once(build):
    _, model = build(SIDECARS, env="prod")
    web, proxy = model["services"]["web"], model["services"]["web.proxy"]
    assert web["deploy"]["replicas"] == 2
    assert "replicas" not in proxy.get("deploy", {})
    assert [(p["target"], p.get("published")) for p in web["ports"]] == [(8080, None), (8443, None)]


def test_init_containers_run_in_order_before_the_main_one(build):
    _, model = build({"apps/a.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0
        port: 8080
        connect_to: [db]
        init:
          wait: {image: busybox:1.36, command: [sh, -c, "until nc -z $DB_HOST 5432; do sleep 1; done"]}
          migrate:
            image: ghcr.io/acme/api:1.0
            command: [python, -m, api.migrate]
            secrets: {DB_PASSWORD: {secret: creds, key: password}}
        ---
        kind: App
        name: db
        image: postgres:16
        port: 5432
        health: {exec: [pg_isready]}
        ---
        kind: Secret
        name: creds
        keys: [password]
    """})
    s = model["services"]
    db = {"db": {"condition": "service_healthy", "required": True}}
    done = {"condition": "service_completed_successfully", "required": True}
    wait, migrate, api = s["api.wait"], s["api.migrate"], s["api"]
    assert wait["restart"] == migrate["restart"] == "no"
    assert wait["depends_on"] == db
    assert migrate["depends_on"] == {**db, "api.wait": done}
    assert api["depends_on"] == {**db, "api.wait": done, "api.migrate": done}
    assert wait["entrypoint"] == ["sh", "-c", "until nc -z $$DB_HOST 5432; do sleep 1; done"]
    assert migrate["environment"]["DB_PASSWORD"] == "dummy-creds__password"
    assert "ports" not in wait and "expose" not in wait and "network_mode" not in wait
    assert wait["labels"]["app.kubernetes.io/name"] == "api"


def test_lifecycle_hooks_and_grace_period(build):
    _, model = build({"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        lifecycle:
          post_start: [touch, /tmp/started]
          pre_stop: [sh, -c, "kill -QUIT 1; sleep $GRACE"]
          termination_grace: 45
        ---
        kind: App
        name: b
        image: busybox:1.36
    """})
    a, b = model["services"]["a"], model["services"]["b"]
    assert a["post_start"] == [{"command": ["touch", "/tmp/started"]}]
    assert a["pre_stop"] == [{"command": ["sh", "-c", "kill -QUIT 1; sleep $$GRACE"]}]
    assert a["stop_grace_period"] == "45s"
    assert not {"post_start", "pre_stop", "stop_grace_period"} & set(b)


def test_project_name_of_a_target():
    ir = IR("Shop", "shop", "prod", target="eu-west")
    assert compose.project_name(ir) == "shop-prod_eu-west"
    assert compose.project_name(IR("shop", "shop", "prod")) == "shop-prod"


def test_secret_files_are_the_files_the_compose_file_reads(shop_irs, make_project):
    """`secret_files` declares the secrets without making the services: it lists exactly the
    files of the Compose file's `secrets:` (volumes, of init containers too), for every
    environment; `secret_variables` the variables it interpolates (env, env_from), which
    `.env.example` lists."""
    ir = compile_ir(make_project, {"apps/a.yaml": """
        kind: App
        name: a
        image: busybox:1.36
        env_from: [{secret: legacy, prefix: L_}, {secret: db}]
        volumes:
          creds: {secret: tls, mount: /etc/creds}
          one: {secret: db, mount: /etc/one/key, sub_path: main.key}
        secrets:
          PASSWORD: {secret: db, key: password}
          API_KEY: {secret: legacy, key: api-key}
        init:
          setup: {image: busybox:1.36, secrets: {TOKEN: {secret: legacy, key: token}}}
        ---
        kind: Secret
        name: db
        keys: [password, main.key]
        ---
        kind: Secret
        name: tls
        keys: [tls.crt]
        ---
        kind: Secret
        name: legacy
        existing: true
    """})
    for one in [*shop_irs.values(), ir]:
        doc = compose.compose_file(one)
        want = sorted(e["file"][2:] for e in doc.get("secrets", {}).values() if "file" in e)
        assert compose.secret_files(one) == want
        assert compose.secret_variables(one) == sorted(set(re.findall(r"\$\{([A-Z0-9_]+):\?", json.dumps(doc))))
        example = compose.render({"dev": one}).get("dev/.env.example", "")
        assert re.findall(r"^([A-Z0-9_]+)=$", example, re.M) == compose.secret_variables(one)
    # (db's main.key is read as a variable too, by env_from: its secret is made from that variable)
    assert compose.secret_files(ir) == ["secrets/tls/tls.crt"]
    assert compose.secret_variables(ir) == ["DB__MAIN_KEY", "DB__PASSWORD", "LEGACY__API_KEY", "LEGACY__TOKEN"]


def test_the_keys_of_the_secrets_are_found_once_per_file(make_project, monkeypatch):
    """The keys of an `existing: true` Secret are the ones the specs use: found in one pass
    for the whole file, not once per workload reading it (that was quadratic)."""
    apps = "\n---\n".join(f"""
        kind: App
        name: a{n}
        image: busybox:1.36
        env_from: [{{secret: legacy}}]
        secrets: {{KEY_{n}: {{secret: legacy, key: k{n}}}}}""" for n in range(5))
    ir = compile_ir(make_project, {"apps/a.yaml": apps + "\n---\nkind: Secret\nname: legacy\nexisting: true\n"})
    calls = []
    table = compose.key_table
    monkeypatch.setattr(compose, "key_table", lambda ir: calls.append(1) or table(ir))
    doc = compose.compose_file(ir)
    assert len(calls) == 1
    # every workload gets every key some spec uses
    assert doc["services"]["a0"]["environment"]["k4"].startswith("${LEGACY__K4:?Secret legacy, key k4: ")


def test_escape_doubles_every_dollar_and_leaves_the_input_alone():
    """`escape` returns what holds no `$` as it is and copies the rest: the result is what a
    full copy with every string escaped would be, at any depth, the input unchanged."""
    import copy

    from skyspec.backends.compose_values import escape

    def reference(v):
        if isinstance(v, str):
            return v.replace("$", "$$")
        if isinstance(v, dict):
            return {k: reference(x) for k, x in v.items()}
        if isinstance(v, list):
            return [reference(x) for x in v]
        return v

    r = random.Random(7)

    def value(depth=0):
        c = r.random()
        if depth > 4 or c < 0.45:
            return r.choice(["a", "$a", "$${X}", "", 1, 2.5, True, None, "b$"])
        if c < 0.75:
            return {r.choice(["k", "$k", "x", "y"]): value(depth + 1) for _ in range(r.randint(0, 4))}
        return [value(depth + 1) for _ in range(r.randint(0, 4))]

    for _ in range(2000):
        v = value()
        before = copy.deepcopy(v)
        got = escape(v)
        assert got == reference(v) and v == before
        assert (got is v) == (reference(v) == v)     # copied exactly when something changed
