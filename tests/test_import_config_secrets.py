"""`skyspec import kubernetes` of credentials kept in ConfigMaps (Bank of Anthos'
kubernetes-manifests keep `POSTGRES_PASSWORD` and a database URL with the password in
`accounts-db-config`, read with `envFrom` and `configMapKeyRef`): each such key moves into a
Secret the import declares with `keys:` (its value supplied at deploy time), the pods read it
from there, and the value is in no file the import or the build writes and in no message; the
round trip names the move. The project builds in all four formats and the validators accept it."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from skyspec.cli import main

PASSWORD = "accounts-pwd-7f3k"
DEMO = "Demo-Login-9x2"

BANK = f"""\
apiVersion: v1
kind: ConfigMap
metadata: {{name: accounts-db-config, labels: {{app: accounts-db}}}}
data:
  POSTGRES_DB: accounts-db
  POSTGRES_USER: accounts-admin
  POSTGRES_PASSWORD: {PASSWORD}
  ACCOUNTS_DB_URI: postgresql://accounts-admin:{PASSWORD}@accounts-db:5432/accounts-db
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: demo-data-config}}
data:
  USE_DEMO_DATA: "True"
  DEMO_LOGIN_USERNAME: testuser
  DEMO_LOGIN_PASSWORD: {DEMO}
---
apiVersion: v1
kind: Service
metadata: {{name: accounts-db}}
spec:
  ports: [{{name: tcp, port: 5432, targetPort: 5432}}]
  selector: {{app: accounts-db}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: accounts-db}}
spec:
  serviceName: accounts-db
  selector: {{matchLabels: {{app: accounts-db}}}}
  template:
    metadata: {{labels: {{app: accounts-db}}}}
    spec:
      containers:
      - name: accounts-db
        image: us-central1-docker.pkg.dev/bank-of-anthos-ci/bank-of-anthos/accounts-db:v0.6.10
        ports: [{{containerPort: 5432}}]
        envFrom:
        - configMapRef: {{name: accounts-db-config}}
        - configMapRef: {{name: demo-data-config}}
        volumeMounts: [{{name: postgresdb, mountPath: /var/lib/postgresql/data, subPath: postgres}}]
      volumes: [{{name: postgresdb, emptyDir: {{}}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: userservice}}
spec:
  selector: {{matchLabels: {{app: userservice}}}}
  template:
    metadata: {{labels: {{app: userservice}}}}
    spec:
      containers:
      - name: userservice
        image: us-central1-docker.pkg.dev/bank-of-anthos-ci/bank-of-anthos/userservice:v0.6.10
        ports: [{{containerPort: 8080}}]
        envFrom: [{{configMapRef: {{name: accounts-db-config}}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: frontend}}
spec:
  selector: {{matchLabels: {{app: frontend}}}}
  template:
    metadata: {{labels: {{app: frontend}}}}
    spec:
      containers:
      - name: front
        image: us-central1-docker.pkg.dev/bank-of-anthos-ci/bank-of-anthos/frontend:v0.6.10
        ports: [{{containerPort: 8080}}]
        env:
        - name: DEFAULT_USERNAME
          valueFrom: {{configMapKeyRef: {{name: demo-data-config, key: DEMO_LOGIN_USERNAME}}}}
        - name: DEFAULT_PASSWORD
          valueFrom: {{configMapKeyRef: {{name: demo-data-config, key: DEMO_LOGIN_PASSWORD}}}}
---
# the same password as a literal env value, which the import moved into a Secret before
apiVersion: apps/v1
kind: Deployment
metadata: {{name: contacts}}
spec:
  selector: {{matchLabels: {{app: contacts}}}}
  template:
    metadata: {{labels: {{app: contacts}}}}
    spec:
      containers:
      - name: contacts
        image: us-central1-docker.pkg.dev/bank-of-anthos-ci/bank-of-anthos/contacts:v0.6.10
        ports: [{{containerPort: 8080}}]
        env: [{{name: POSTGRES_PASSWORD, value: {PASSWORD}}}]
"""


def _import(tmp_path: Path, text: str) -> tuple[Path, str]:
    (tmp_path / "in.yaml").write_text(text)
    proj = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "in.yaml"), "-o", str(proj)])
    assert res.exit_code == 0, res.output
    assert "UNEXPLAINED" not in res.output
    return proj, res.output


def _written(tmp_path: Path) -> dict[Path, str]:
    """Every file the import and the builds wrote (not the input)."""
    return {p: p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file() and p.name != "in.yaml"}


def _built(tmp_path: Path, proj: Path) -> tuple[list[dict], dict, str]:
    """(the Kubernetes objects, the Compose file, the build's messages), after every format is
    built and validated."""
    from test_import_legacy import build_and_validate

    k8s = build_and_validate(proj, tmp_path)
    res = CliRunner().invoke(main, ["build", str(proj), "-o", str(tmp_path / "again")])
    assert res.exit_code == 0, res.output
    return k8s, yaml.safe_load((tmp_path / "built" / "default" / "compose.yaml").read_text()), res.output


def _pod(k8s: list[dict], name: str) -> dict:
    return next(o for o in k8s if o["kind"] in ("Deployment", "StatefulSet") and o["metadata"]["name"] == name
                )["spec"]["template"]["spec"]


def test_a_configmaps_credentials_move_to_a_secret_its_readers_read_and_are_written_nowhere(tmp_path):
    proj, said = _import(tmp_path, BANK)
    k8s, compose, built = _built(tmp_path, proj)
    for value in (PASSWORD, DEMO):
        assert value not in said and value not in built
        assert [p for p, text in _written(tmp_path).items() if value in text] == []
    assert "credential of a ConfigMap moved to a Secret (value at deploy time): " in said
    # a note at each key, as at a credential env value; the env value's "not written" is now so
    assert "in.yaml:7:22: note[SKY064]: ConfigMap accounts-db-config key POSTGRES_PASSWORD looks like a credential " \
           "by its name: moved to Secret accounts-db-config-credentials, key POSTGRES_PASSWORD; its value is not " \
           "written" in said
    assert "in.yaml:8:20: note[SKY064]: ConfigMap accounts-db-config key ACCOUNTS_DB_URI holds a URL with a " \
           "password in it" in said
    assert "ConfigMap demo-data-config key DEMO_LOGIN_PASSWORD looks like a credential by its name" in said
    assert "env DEFAULT_PASSWORD of Deployment frontend reads key DEMO_LOGIN_PASSWORD of ConfigMap " \
           "demo-data-config, a credential: it reads it from Secret demo-data-config-credentials" in said
    assert "Deployment userservice reads ConfigMap accounts-db-config whole (`envFrom`): it reads Secret " \
           "accounts-db-config-credentials too" in said
    assert "env POSTGRES_PASSWORD looks like a credential by its name: moved to Secret contacts-env" in said
    secret = yaml.safe_load((proj / "apps" / "secret.accounts-db-config-credentials.yaml").read_text())
    assert secret == {"kind": "Secret", "name": "accounts-db-config-credentials",
                      "keys": ["ACCOUNTS_DB_URI", "POSTGRES_PASSWORD"]}
    cm = yaml.safe_load((proj / "apps" / "configmap.accounts-db-config.yaml").read_text())
    assert cm["data"] == {"POSTGRES_DB": "accounts-db", "POSTGRES_USER": "accounts-admin"}   # the rest as it is

    # the consumers still get every variable: the credentials from the Secret, the rest as before
    maps = {o["metadata"]["name"]: o for o in k8s if o["kind"] == "ConfigMap"}
    assert maps["accounts-db-config"]["data"] == {"POSTGRES_DB": "accounts-db", "POSTGRES_USER": "accounts-admin"}
    assert maps["demo-data-config"]["data"] == {"USE_DEMO_DATA": "True", "DEMO_LOGIN_USERNAME": "testuser"}
    assert not [o for o in k8s if o["kind"] == "Secret"]   # (keys only: supplied at deploy time)
    assert _pod(k8s, "accounts-db")["containers"][0]["envFrom"] == [
        {"configMapRef": {"name": "accounts-db-config"}}, {"secretRef": {"name": "accounts-db-config-credentials"}},
        {"configMapRef": {"name": "demo-data-config"}}, {"secretRef": {"name": "demo-data-config-credentials"}}]
    assert _pod(k8s, "userservice")["containers"][0]["envFrom"] == [
        {"configMapRef": {"name": "accounts-db-config"}}, {"secretRef": {"name": "accounts-db-config-credentials"}}]
    env = {e["name"]: e for e in _pod(k8s, "frontend")["containers"][0]["env"]}
    assert env["DEFAULT_PASSWORD"]["valueFrom"] == {
        "secretKeyRef": {"name": "demo-data-config-credentials", "key": "DEMO_LOGIN_PASSWORD"}}
    assert env["DEFAULT_USERNAME"]["valueFrom"] == {
        "configMapKeyRef": {"name": "demo-data-config", "key": "DEMO_LOGIN_USERNAME"}}
    # Compose: the other keys as values, the credentials from the variables of the Secret's keys
    # the user sets in .env, as for an env value
    user = compose["services"]["userservice"]
    assert user["environment"]["POSTGRES_USER"] == "accounts-admin"
    assert user["environment"]["POSTGRES_PASSWORD"].startswith(
        "${ACCOUNTS_DB_CONFIG_CREDENTIALS__POSTGRES_PASSWORD:?Secret accounts-db-config-credentials, key POSTGRES_PASSWORD")
    assert user["environment"]["ACCOUNTS_DB_URI"].startswith("${ACCOUNTS_DB_CONFIG_CREDENTIALS__ACCOUNTS_DB_URI:?")
    assert compose["services"]["frontend"]["environment"]["DEFAULT_PASSWORD"].startswith(
        "${DEMO_DATA_CONFIG_CREDENTIALS__DEMO_LOGIN_PASSWORD:?")


VOLUMES = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data:
  app.conf: "listen 8080"
  DB_PASSWORD: Zq8xRealDbPw
---
apiVersion: v1
kind: ConfigMap
metadata: {name: only-creds}
data: {API_TOKEN: tok-98f7a6s5d4}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf-files}
data:
  settings.yaml: |
    db: {host: db, password: Zq8xRealDbPw}
  nginx.conf: "server {}"
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
        image: ghcr.io/acme/web:1.0
        ports: [{containerPort: 8080}]
        envFrom: [{configMapRef: {name: app-config}, prefix: APP_}]
        volumeMounts:
        - {name: all, mountPath: /etc/app}
        - {name: nginx, mountPath: /etc/nginx/nginx.conf, subPath: nginx.conf}
        - {name: creds, mountPath: /run/creds}
        - {name: settings, mountPath: /etc/settings}
      volumes:
      - {name: all, configMap: {name: app-config, defaultMode: 0440}}
      - {name: nginx, configMap: {name: conf-files}}
      - {name: creds, configMap: {name: only-creds}}
      - {name: settings, configMap: {name: conf-files, items: [{key: settings.yaml, path: settings.yaml}]}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: agent
        image: ghcr.io/acme/agent:1.0
        env: [{name: TOKEN, valueFrom: {configMapKeyRef: {name: only-creds, key: API_TOKEN}}}]
"""


def test_a_volume_of_a_configmaps_credentials_projects_them_from_the_secret(tmp_path):
    """A volume projecting a moved key reads it from the Secret: a Secret volume where every file
    it projects moved, a projected volume of both where some stay (a `k8s:` patch; Compose cannot
    mount two sources at one path: a warning), and one whose mounts read other files (`subPath`)
    as it was. A config file holding the password of another key moves too; a kept DaemonSet
    reads the Secret."""
    proj, said = _import(tmp_path, VOLUMES)
    k8s, compose, built = _built(tmp_path, proj)
    for value in ("Zq8xRealDbPw", "tok-98f7a6s5d4"):
        assert value not in said and value not in built
        assert [p for p, text in _written(tmp_path).items() if value in text] == []
    assert "ConfigMap conf-files key settings.yaml holds a credential of the input in its text: moved to Secret " \
           "conf-files-credentials" in said
    assert "warning[SKY064]: volume all of Deployment web projects credentials of ConfigMap app-config as files " \
           "(DB_PASSWORD): it is a projected volume of ConfigMap app-config and Secret app-config-credentials" in said
    assert "note[SKY064]: volume creds of Deployment web projects credentials of ConfigMap only-creds as files " \
           "(API_TOKEN): it is a Secret volume of only-creds-credentials" in said
    vols = {v["name"]: v for v in _pod(k8s, "web")["volumes"]}
    assert vols["all"] == {"name": "all", "projected": {"defaultMode": 0o440, "sources": [
        {"configMap": {"name": "app-config"}}, {"secret": {"name": "app-config-credentials"}}]}}
    assert vols["creds"]["secret"]["secretName"] == "only-creds-credentials"
    assert vols["settings"]["secret"] == {"secretName": "conf-files-credentials",
                                          "items": [{"key": "settings.yaml", "path": "settings.yaml"}]}
    assert vols["nginx"]["configMap"]["name"] == "conf-files"
    assert _pod(k8s, "web")["containers"][0]["envFrom"] == [
        {"configMapRef": {"name": "app-config"}, "prefix": "APP_"},
        {"secretRef": {"name": "app-config-credentials"}, "prefix": "APP_"}]
    agent = next(o for o in k8s if o["kind"] == "DaemonSet")["spec"]["template"]["spec"]["containers"][0]
    assert agent["env"] == [{"name": "TOKEN", "valueFrom": {
        "secretKeyRef": {"name": "only-creds-credentials", "key": "API_TOKEN"}}}]
    web = compose["services"]["web"]
    assert web["environment"]["APP_DB_PASSWORD"].startswith("${APP_CONFIG_CREDENTIALS__DB_PASSWORD:?")
    assert {"source": "only-creds-credentials.API_TOKEN", "target": "/run/creds/API_TOKEN"} in web["secrets"]


def test_a_reference_the_import_cannot_rewrite_is_warned_and_the_value_still_written_nowhere(tmp_path):
    """A custom resource naming the ConfigMap (its controller's schema, which the import does
    not know, may take no Secret there) is kept as written, with a warning at the reference."""
    proj, said = _import(tmp_path, VOLUMES + """\
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  config: {configMapKeyRef: {name: app-config, key: DB_PASSWORD}}
""")
    assert "in.yaml:62:29: warning[SKY064]: Widget w names ConfigMap app-config, whose credentials DB_PASSWORD " \
           "moved to Secret app-config-credentials: the import keeps this reference as written, and it no longer " \
           "finds them there" in said
    assert "Zq8xRealDbPw" not in said
    assert [p for p, text in _written(tmp_path).items() if "Zq8xRealDbPw" in text] == []


def test_renderings_of_a_configmap_credential_move_it_in_each_environment(tmp_path):
    """`--env dev=... --env prod=...`: each rendering moves its ConfigMap's credentials, the
    round trip of each names the move, and neither value is written."""
    from skyspec.importer import import_environments

    for env, pw in (("dev", "dev-pw-1234567"), ("prod", "prod-pw-7654321")):
        (tmp_path / env).mkdir()
        (tmp_path / env / "all.yaml").write_text(BANK.replace(PASSWORD, pw))
    r = import_environments({env: [tmp_path / env] for env in ("dev", "prod")}, "bank")
    assert r.unexplained == [], r.unexplained[:3]
    assert r.figures["categories"]["credential of a ConfigMap moved to a Secret (value at deploy time)"] > 0
    text = json.dumps(r.files)
    assert "dev-pw-1234567" not in text and "prod-pw-7654321" not in text
    assert yaml.safe_load(r.files["apps/secret.accounts-db-config-credentials.yaml"])["keys"] == [
        "ACCOUNTS_DB_URI", "POSTGRES_PASSWORD"]
