"""A credential a Compose service and the peer it calls both hold (an app's `DB_PASSWORD` and
the database's `POSTGRES_PASSWORD`, both `${DB_PASSWORD}`) is one Secret key after import: the
app reads the database's, as the stdlib's own pattern has it.

Found by a sweep of public Compose files (listmonk, and every app + postgres file alike): the
app's copy went to `app-env` and the database's to `db-env`, two Secrets the user had to fill
with the same value, and nothing said so; a mismatch is an app that cannot log in.
"""

from __future__ import annotations

import yaml

from skyspec.importer import official
from skyspec.importer.kube import Extracted
from test_import_compose_networks import _imported
from test_import_env_files import _env

PW = "Pg-s3cret-41x"

APP_AND_DB = """\
services:
  app:
    image: ghcr.io/acme/app:1.0
    ports: ["8080:8080"]
    environment:
      DB_PASSWORD: ${DB_PASSWORD}
      DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app
    depends_on: [db]
  worker:
    image: ghcr.io/acme/app:1.0
    command: ["worker"]
    environment:
      DB_PASSWORD: ${DB_PASSWORD}
    depends_on: [db]
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: ${DB_PASSWORD}
      POSTGRES_DB: app
"""


def test_the_app_reads_the_databases_secret_key(tmp_path):
    files, diags, k8s = _imported(tmp_path, APP_AND_DB, {".env": f"DB_PASSWORD={PW}\n"})
    app, worker = (yaml.safe_load(files[f"apps/{n}.yaml"]) for n in ("app", "worker"))
    assert app["secrets"] == {"DB_PASSWORD": {"secret": "db-env", "key": "password"},
                              "DATABASE_URL": {"secret": "app-env", "key": "DATABASE_URL"}}   # (another value)
    assert worker["secrets"] == {"DB_PASSWORD": {"secret": "db-env", "key": "password"}}
    assert yaml.safe_load(files["apps/secret.app-env.yaml"])["keys"] == ["DATABASE_URL"]
    assert "apps/secret.worker-env.yaml" not in files   # (nothing left in it)
    assert yaml.safe_load(files["apps/statefulapp.db.yaml"])["credentials"] == "db-env"
    for name in ("app", "worker"):
        assert _env(k8s, name)["DB_PASSWORD"] == {"secretKeyRef": {"name": "db-env", "key": "password"}}
    assert [d.message for d in diags.items if "supplied once" in d.message] == [
        "service app: environment DB_PASSWORD is the credential db holds as POSTGRES_PASSWORD: read from its "
        "Secret db-env, so the one value is supplied once",
        "service worker: environment DB_PASSWORD is the credential db holds as POSTGRES_PASSWORD: read from its "
        "Secret db-env, so the one value is supplied once"]
    # the built Compose file: the database's secret file is made from the app's variable, set once in .env
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())
    assert built["secrets"] == {"db-env.password": {"environment": "DB_ENV__PASSWORD"}}
    assert built["services"]["app"]["environment"]["DB_PASSWORD"].startswith("${DB_ENV__PASSWORD:?")
    assert not any(PW in t for t in files.values())
    assert not any(PW in f.read_text() for f in (tmp_path / "built").rglob("*") if f.is_file())


def test_an_equal_value_of_a_service_it_does_not_call_is_another_credential(tmp_path):
    """Two services that happen to hold the same password, neither calling the other, keep a
    Secret each: one may change without the other."""
    files, _, _ = _imported(tmp_path, """\
services:
  a:
    image: ghcr.io/acme/a:1.0
    environment: {ADMIN_PASSWORD: changeme-123}
  b:
    image: ghcr.io/acme/b:1.0
    environment: {ADMIN_PASSWORD: changeme-123}
""")
    assert yaml.safe_load(files["apps/a.yaml"])["secrets"] == {"ADMIN_PASSWORD": {"secret": "a-env",
                                                                                  "key": "ADMIN_PASSWORD"}}
    assert yaml.safe_load(files["apps/b.yaml"])["secrets"] == {"ADMIN_PASSWORD": {"secret": "b-env",
                                                                                  "key": "ADMIN_PASSWORD"}}


def test_a_password_a_peers_command_passes_is_shared_too(tmp_path):
    """Redis given its password on the command line (`--requirepass ${REDIS_PASSWORD}`): the
    caller's REDIS_PASSWORD reads the key Redis's command expands."""
    files, _, k8s = _imported(tmp_path, """\
services:
  app:
    image: ghcr.io/acme/app:1.0
    environment: {REDIS_HOST: redis, REDIS_PASSWORD: "${REDIS_PASSWORD}"}
    depends_on: [redis]
  redis:
    image: ghcr.io/acme/cache:7
    command: ["cache-server", "--requirepass", "${REDIS_PASSWORD}"]
    expose: ["6379"]
""", {".env": "REDIS_PASSWORD=r3dis-Pw-77\n"})
    app = yaml.safe_load(files["apps/app.yaml"])
    assert app["secrets"] == {"REDIS_PASSWORD": {"secret": "redis-env", "key": "REDIS_PASSWORD"}}
    assert _env(k8s, "app")["REDIS_PASSWORD"] == {"secretKeyRef": {"name": "redis-env", "key": "REDIS_PASSWORD"}}


def test_the_peers_key_of_the_variables_name_and_of_the_peer_it_names(tmp_path):
    """Ghostfolio's one env_file, read by the app, its postgres and its redis, gives
    ACCESS_TOKEN_SALT and JWT_SECRET_KEY the one placeholder: the app's JWT_SECRET_KEY read the
    database's ACCESS_TOKEN_SALT (the first key of that value), and its REDIS_PASSWORD the
    database's copy, not the key Redis' own command reads."""
    files, _, k8s = _imported(tmp_path, """\
services:
  app:
    image: ghcr.io/acme/app:1.0
    env_file: [app.env]
    depends_on: [postgres, redis]
  postgres:
    image: ghcr.io/acme/db:15
    env_file: [app.env]
    expose: ["5432"]
  redis:
    image: ghcr.io/acme/cache:7
    env_file: [app.env]
    command: [sh, -c, 'cache-server --requirepass "$${REDIS_PASSWORD}"']
    expose: ["6379"]
""", {"app.env": "REDIS_PASSWORD=<INSERT_REDIS_PASSWORD>\nACCESS_TOKEN_SALT=<INSERT_RANDOM_STRING>\n"
                 "JWT_SECRET_KEY=<INSERT_RANDOM_STRING>\n"})
    assert yaml.safe_load(files["apps/app.yaml"])["secrets"] == {
        "REDIS_PASSWORD": {"secret": "redis-env", "key": "REDIS_PASSWORD"},
        "ACCESS_TOKEN_SALT": {"secret": "postgres-env", "key": "ACCESS_TOKEN_SALT"},
        "JWT_SECRET_KEY": {"secret": "postgres-env", "key": "JWT_SECRET_KEY"}}
    assert _env(k8s, "app")["JWT_SECRET_KEY"] == {"secretKeyRef": {"name": "postgres-env", "key": "JWT_SECRET_KEY"}}


def test_a_value_two_keys_of_a_peer_hold_names_neither(tmp_path):
    """A value the peer holds under two names, neither the caller's, is no one credential of the
    peer's: the caller keeps its own key."""
    files, _, _ = _imported(tmp_path, """\
services:
  app:
    image: ghcr.io/acme/app:1.0
    environment: {APP_SECRET: "${S}"}
    depends_on: [api]
  api:
    image: ghcr.io/acme/api:1.0
    environment: {JWT_SECRET: "${S}", SESSION_SECRET: "${S}"}
    expose: ["8080"]
""", {".env": "S=s3cret-Value-9\n"})
    assert yaml.safe_load(files["apps/app.yaml"])["secrets"] == {"APP_SECRET": {"secret": "app-env",
                                                                               "key": "APP_SECRET"}}


def test_a_template_undone_gives_the_reader_its_key_back():
    """The database's template renames the key (`POSTGRES_PASSWORD` -> `password`); undone (the
    round trip could not name a difference), the reader's reference follows back."""
    app = Extracted({"kind": "App", "name": "app", "image": "ghcr.io/acme/app:1.0",
                     "secrets": {"DB_PASSWORD": {"secret": "db-env", "key": "POSTGRES_PASSWORD"}}}, [], [])
    db = Extracted({"kind": "StatefulApp", "name": "db", "image": "postgres:16", "env": {"POSTGRES_USER": "app"},
                    "secrets": {"POSTGRES_PASSWORD": {"secret": "db-env", "key": "POSTGRES_PASSWORD"}},
                    "storage": {"data": {"mount": "/var/lib/postgresql/data"}}}, [], [])
    sec = Extracted({"kind": "Secret", "name": "db-env", "keys": ["POSTGRES_PASSWORD"]}, [], [])
    infos = official.apply_all([app, db, sec])
    assert db.doc["use"] == "postgres" and sec.doc["keys"] == ["password"]
    assert app.doc["secrets"]["DB_PASSWORD"] == {"secret": "db-env", "key": "password"}
    official.undo_item(infos, "db")
    assert sec.doc["keys"] == ["POSTGRES_PASSWORD"]
    assert app.doc["secrets"]["DB_PASSWORD"] == {"secret": "db-env", "key": "POSTGRES_PASSWORD"}
