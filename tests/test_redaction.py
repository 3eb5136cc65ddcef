"""Secrets are never printed: every leak path of issue #11 through the CLI (text, JSON,
SARIF; check and build), explain, diff and the Python API, and a property test with random
secrets in a Secret's data set by the spec, an overlay or `--set`."""

from __future__ import annotations

import json
import os
import string
import tempfile
import textwrap
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import PROJECT, write_tree

FORMATS = ("text", "json", "sarif")

APP = """\
kind: App
name: api
image: ghcr.io/acme/api:1.4.2
ports: {http: 8080}
health: /healthz
"""

SECRET_KEYS = """\
kind: Secret
name: db-creds
keys: [password]
"""


def everything(cli, *args: str, project: Path | None = None) -> str:
    """stdout + stderr of `check` in every diagnostics format and of a failed `build`
    (nothing written), concatenated."""
    where = [str(project)] if project else []
    out = []
    for fmt in FORMATS:
        r = cli("check", *where, *args, "--diagnostics-format", fmt)
        assert r.exit_code == 1, r.output
        out.append(r.output)
        if fmt != "text":  # machine formats stay parseable
            json.loads(r.stdout)
    target = (project or Path.cwd()) / "out"
    for fmt in FORMATS:
        r = cli("build", *where, "-o", str(target), *args, "--diagnostics-format", fmt)
        assert r.exit_code == 1, r.output
        out.append(r.output)
    assert not target.exists()
    return "\n".join(out)


# --------------------------------------------------------------------------- the reproduced leaks

LEAKS = {
    # a Secret's data set in an overlay, on a line with another error
    "overlay": ({
        "apps/a.yaml": APP + "---\n" + SECRET_KEYS.replace("keys: [password]\n", ""),
        "overlays/prod.yaml": "apps:\n  db-creds:\n    data: {password: hunter2xyz, other: 5}\n",
    }, "hunter2xyz"),
    # ... by `match` on the kind, with an operator, or by `Kind/name`
    "overlay-match": ({
        "apps/a.yaml": APP + "---\n" + SECRET_KEYS.replace("keys: [password]\n", ""),
        "overlays/prod.yaml": "match:\n  - where: {kind: Secret}\n    patch: {data+: {password: matchpw123, n: 5}}\n",
    }, "matchpw123"),
    "overlay-kind-name": ({
        "apps/a.yaml": APP + "---\n" + SECRET_KEYS.replace("keys: [password]\n", ""),
        "overlays/prod.yaml": "apps:\n  Secret/db-creds: {data: {password: kindpw1234, n: 5}}\n",
    }, "kindpw1234"),
    # a Secret's data from a `use:` template of the project, on a line with another error
    "template": ({
        "templates/creds.yaml": "kind: Secret\nparams:\n  user: {type: string}\n"
                                "spec:\n  data: {password: tmplpw5678, n: 7}\n",
        "apps/a.yaml": APP + "---\nkind: Secret\nname: db-creds\nuse: ./templates/creds.yaml\nuser: x\n",
    }, "tmplpw5678"),
    # the password written as a template's `credentials` (which names a Secret)
    "template-credentials": ({
        "apps/a.yaml": "kind: StatefulApp\nname: db\nuse: postgres\ncredentials: Pg-pass!word99\n",
    }, "Pg-pass!word99"),
    "template-credentials-name": ({
        "apps/a.yaml": "kind: StatefulApp\nname: db\nuse: postgres\ncredentials: pgpassword77\n",
    }, "pgpassword77"),
    # a YAML syntax error inside a Secret document (never parsed: nobody knows it is a secret)
    "yaml-syntax": ({
        "apps/a.yaml": APP,
        "apps/s.yaml": "kind: Secret\nname: broken\ndata:\n  password: hunter4abc: x\n",
    }, "hunter4abc"),
    "yaml-syntax-escape": ({
        "apps/a.yaml": APP,
        "apps/s.yaml": 'kind: Secret\nname: broken\ndata:\n  password: "hunter5abc\\q"\n',
    }, "hunter5abc"),
    "yaml-syntax-tab": ({
        "apps/a.yaml": APP,
        "apps/s.yaml": "kind: Secret\nname: broken\ndata:\n\tpassword: hunter7abc\n",
    }, "hunter7abc"),
    "toml-syntax": ({
        "apps/a.yaml": APP,
        "apps/s.toml": 'kind = "Secret"\nname = "broken"\n[data]\npassword = "hunter6abc\n',
    }, "hunter6abc"),
    # a credential in plain env on a line with another error
    "env-line": ({
        "apps/a.yaml": APP + "env: {DB_PASSWORD: s3cr3tvalue, LEVEL: [1]}\n",
    }, "s3cr3tvalue"),
    # ... set by an overlay
    "env-overlay": ({
        "apps/a.yaml": APP,
        "overlays/prod.yaml": "apps:\n  api:\n    env: {API_TOKEN: tok3nvalue, X: [1]}\n",
    }, "tok3nvalue"),
    # an expression applied to a secret puts its value into a message
    "expr-int": ({
        "apps/a.yaml": APP + "---\nkind: Secret\nname: db-creds\n"
                             "data:\n  token: tokval1234\n  num: \"${int(self.data.token)}\"\n",
    }, "tokval1234"),
    # ... derived from it first (the message shows the derived value)
    "expr-derived": ({
        "apps/a.yaml": APP + "---\nkind: Secret\nname: db-creds\n"
                             "data:\n  token: tokval1234\n  num: \"${int(upper(self.data.token) + 'q')}\"\n",
    }, "TOKVAL1234"),
    # ... a credential env value read by another variable's expression
    "expr-env": ({
        "apps/a.yaml": APP + "env:\n  DB_PASSWORD: envpass991\n  N: \"${int(self.env.DB_PASSWORD)}\"\n"
                             "  M: \"${int(replace(self.env.DB_PASSWORD, 'e', 'E'))}\"\n",
    }, ("envpass991", "Envpass991")),
    # ... another app's Secret data (apps.<name> names workloads: still no value shown)
    "expr-apps": ({
        "apps/a.yaml": APP + "env: {X: \"${apps.db-creds.data.password}\"}\n---\n"
                             "kind: Secret\nname: db-creds\ndata: {password: appsref777}\n",
    }, "appsref777"),
    # ... a long secret cut short by the message (`'abcdefgh...'`)
    "expr-clipped": ({
        "apps/a.yaml": APP + "---\nkind: Secret\nname: db-creds\ndata:\n  token: " + "k" * 20 + "x" * 80 + "\n"
                             "  num: \"${int(self.data.token)}\"\n",
    }, "k" * 20),
}


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_no_secret_in_any_output(make_project, cli, name):
    files, secrets = LEAKS[name]
    make_project(files)
    out = everything(cli)
    for secret in (secrets,) if isinstance(secrets, str) else secrets:
        assert secret not in out, name
    assert "error[" in out


def test_the_message_still_says_what_is_wrong(make_project, cli):
    """Redaction replaces the value, not the diagnostic."""
    make_project(LEAKS["expr-int"][0])
    r = cli("check")
    assert "int() cannot read '<redacted>' as a whole number in ${int(self.data.token)}" in r.stderr
    make_project(LEAKS["template-credentials"][0])
    assert 'credentials "<redacted>" is not valid' in cli("check").stderr


def test_a_syntax_error_frame_shows_keys_not_values(make_project, cli):
    make_project(LEAKS["yaml-syntax"][0])
    err = cli("check").stderr
    assert " 4 |   password: ****: ****" in err
    assert "        ^" in err.split(" 4 |   password: ****: ****\n")[1].splitlines()[0]  # under the second ":"
    make_project(LEAKS["toml-syntax"][0])
    assert 'password = ****' in cli("check").stderr


def test_a_frame_on_a_secret_line_is_not_shown_but_others_are(make_project, cli):
    make_project(LEAKS["env-line"][0] | {"apps/b.yaml": APP.replace("api", "web") + "replicas: two\n"})
    err = cli("check").stderr
    assert "apps/a.yaml:6:" in err and "DB_PASSWORD" not in err.split("apps/a.yaml:6:")[1].split("\n", 2)[1]
    assert ' 6 | replicas: two' in err


def test_secret_from_set(make_project, cli):
    make_project({"apps/a.yaml": APP + "---\n" + SECRET_KEYS})
    out = everything(cli, "--set", "db-creds.data.password=setpass4444", "--set", "api.env.API_KEY=apikey8888",
                     "--set", "api.env.X=[1]", "--set", "DB_PASSWORD=loose9999")
    for s in ("setpass4444", "apikey8888", "loose9999"):
        assert s not in out


# --------------------------------------------------------------------------- explain and diff

EXPLAINED = {
    "apps/a.yaml": APP + "---\nkind: Secret\nname: db-creds\ndata: {password: basepw1234}\n",
    "overlays/qa.yaml": "apps:\n  db-creds:\n    data: {password: hunter2xyz}\n  api:\n"
                        "    env: {DB_PASSWORD: qapw5555, TOKEN_COPY: \"${self.env.DB_PASSWORD}-x\"}\n",
}
QA = PROJECT.replace("dev: {overlays: []}", "dev: {overlays: []}\n  qa: {overlays: [overlays/qa.yaml]}")


@pytest.mark.parametrize("query", ["db-creds.data.password", "Secret/db-creds", "db-creds.data",
                                   "api.env.DB_PASSWORD", "api.env.TOKEN_COPY", "api.env"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_explain_never_shows_a_secret(make_project, cli, query, fmt):
    make_project(EXPLAINED, project=QA)
    r = cli("explain", query, "--env", "qa", "--format", fmt)
    assert r.exit_code == 0, r.output
    for s in ("hunter2xyz", "basepw1234", "qapw5555"):
        assert s not in r.output
    if fmt == "json":
        json.loads(r.stdout)
    if query == "db-creds.data.password":
        assert "overlays/qa.yaml" in r.output  # where it came from is still shown


@pytest.mark.parametrize("objects", [False, True], ids=["specs", "objects"])
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_diff_never_shows_a_secret(make_project, cli, fmt, objects):
    make_project(EXPLAINED, project=QA)
    r = cli("diff", "--env", "dev", "--env", "qa", "--format", fmt, *(["--objects"] if objects else []))
    assert r.exit_code == 1, r.output
    for s in ("hunter2xyz", "basepw1234", "qapw5555"):
        assert s not in r.output
    if objects:  # the Deployment's env: a secret in plain env, and a value computed from it
        assert "containers[0].env[0].value" in r.output and "containers[0].env[1].value" in r.output
        assert "<redacted>" in r.output
    else:
        assert "data.password" in r.output and "env.DB_PASSWORD" in r.output


# --------------------------------------------------------------------------- the Python API

def test_python_api_errors_and_warnings_hold_no_secret(tmp_path, monkeypatch):
    from skyspec import App, Secret, SpecError

    monkeypatch.chdir(tmp_path)
    app = (App("api").image("nginx:1.27").port(80).env("DB_PASSWORD", "s3cr3tvalue").env("LEVEL", ["x"])
           .add_secret(Secret("tok").add("token", "tokval1234").add("num", "${int(upper(self.data.token))}")))
    with warnings.catch_warnings(record=True) as caught, pytest.raises(SpecError) as info:
        warnings.simplefilter("always")
        app.generate().files("kubernetes")
    shown = str(info.value) + "".join(str(w.message) for w in caught) + repr(info.value.diagnostics) \
        + "".join(f"{d.message} {d.hint} {d.notes}" for d in info.value.diagnostics)
    assert "SKY205" in shown and "SKY104" in shown
    for s in ("s3cr3tvalue", "tokval1234", "TOKVAL1234"):
        assert s not in shown


# --------------------------------------------------------------------------- the redactor itself

def test_redactor_forms():
    from skyspec.redact import Redactor

    r = Redactor()
    r.add({"a": 'it\'s "q"\\x', "b": 12345678, "c": "line one\nsecond line", "d": "ab"})
    assert r.scrub("""x 'it\\'s "q"\\\\x' y""") == "x '<redacted>' y"          # as Python quotes it
    assert r.scrub(json.dumps({"v": 'it\'s "q"\\x'})) == '{"v": "<redacted>"}'  # as JSON does
    assert r.scrub("n=12345678") == "n=<redacted>"
    assert r.scrub("| second line") == "| <redacted>"                         # one line of many
    assert r.scrub("ab cd") == "ab cd"                                        # too short to scrub
    r.add("edac")  # part of "<redacted>": another word replaces secrets
    assert r.scrub("edac") == "<hidden>"


def test_credential_rule_is_shared():
    from skyspec.redact import credential_env
    from skyspec.rules import secret_in_env

    assert secret_in_env.credential_env is credential_env
    assert credential_env("PGPASSWORD", "x1") and credential_env("CACHE_URL", "redis://u:pw@h/0")
    assert not credential_env("TOKEN_URL", "https://x") and not credential_env("DB_PASSWORD_FILE", "/run/x")
    # a switch about a password is none: the official mysql image's, bitnami's (a switch word
    # and a yes/no value, both)
    assert not credential_env("MYSQL_ALLOW_EMPTY_PASSWORD", "1") and not credential_env("ALLOW_EMPTY_PASSWORD", "yes")
    assert not credential_env("MYSQL_RANDOM_ROOT_PASSWORD", "yes")
    # mailcow's DBPASS and REDISPASS, Mailu's INITIAL_ADMIN_PW: passwords by their names; not a BYPASS
    assert credential_env("DBPASS", "x9") and credential_env("REDISPASS", "x9") and credential_env("INITIAL_ADMIN_PW", "x")
    assert not credential_env("SSL_BYPASS", "x9") and not credential_env("COMPASS", "x9") and not credential_env("PW", "1")
    # bitnami rabbitmq's switches: moved into a Secret, they held the pod in CreateContainerConfigError
    assert not credential_env("RABBITMQ_SECURE_PASSWORD", "yes") and not credential_env("RABBITMQ_UPDATE_PASSWORD", "no")
    assert credential_env("RABBITMQ_PASSWORD", "no") and credential_env("RABBITMQ_SECURE_PASSWORD", "s3cret")
    assert credential_env("MYSQL_ROOT_PASSWORD", "yes") and credential_env("MYSQL_ALLOW_EMPTY_PASSWORD", "s3cret")
    # documenso's switches, read from the shell: named for a password sign-in, not holding one
    assert not credential_env("NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNUP", "${NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNUP}")
    assert not credential_env("DISABLE_PASSWORD_SIGNIN", "${X}") and credential_env("SIGNUP_PASSWORD", "${X}")
    # plural names (Unleash's INIT_FRONTEND_API_TOKENS held its tokens in plain text)
    for name in ("INIT_FRONTEND_API_TOKENS", "INIT_ADMIN_API_TOKENS", "API_KEYS", "DB_PASSWORDS", "AUTH_SALTS"):
        assert credential_env(name, "default:development.unleash-insecure-api-token"), name
    assert not credential_env("SORT_KEYS", "a,b") and not credential_env("TOKENS_URL", "https://x")


def test_a_value_public_in_one_redactor_is_masked_where_another_holds_it_secret():
    from skyspec.redact import Redactor

    a, b, c = Redactor(), Redactor(), Redactor()
    a.add("airflow")
    a.publish("airflow")   # (a word of the input's names: the importer's `public_secrets`)
    b.add("hunter2x")
    c.add("airflow")
    assert Redactor.union([a, b]).scrub("airflow hunter2x") == "airflow <redacted>"
    assert Redactor.union([a, c]).scrub("airflow") == "<redacted>"
    assert a.holds("airflow")   # (still a secret: a kept object holding it is refused)


def test_a_switch_about_a_password_stays_an_env_value_in_an_import(tmp_path):
    # Kubernetes' replicated MySQL example sets `MYSQL_ALLOW_EMPTY_PASSWORD: "1"`: the import
    # moved it to a Secret of values supplied at deploy time, and the pods did not start until
    # someone created that Secret with the value 1
    import yaml

    from skyspec.importer import import_kubernetes

    (tmp_path / "in.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec:\n  selector: {matchLabels: {app: db}}\n"
        "  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers:\n      - name: db\n"
        "        image: mysql:5.7\n        env: [{name: MYSQL_ALLOW_EMPTY_PASSWORD, value: '1'}]\n")
    r = import_kubernetes([tmp_path / "in.yaml"], "p")
    assert yaml.safe_load(r.files["apps/statefulapp.db.yaml"])["env"] == {"MYSQL_ALLOW_EMPTY_PASSWORD": "1"}
    assert not any(f.startswith("apps/secret.") for f in r.files)
    # bitnami rabbitmq's
    (tmp_path / "in.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: mq}\nspec:\n  selector: {matchLabels: {app: mq}}\n"
        "  template:\n    metadata: {labels: {app: mq}}\n    spec:\n      containers:\n      - name: mq\n"
        "        image: acme/mq:1\n        env: [{name: RABBITMQ_SECURE_PASSWORD, value: 'yes'},"
        " {name: RABBITMQ_UPDATE_PASSWORD, value: 'no'}]\n")
    r = import_kubernetes([tmp_path / "in.yaml"], "p")
    assert yaml.safe_load(r.files["apps/mq.yaml"])["env"] == {"RABBITMQ_SECURE_PASSWORD": "yes",
                                                              "RABBITMQ_UPDATE_PASSWORD": "no"}
    assert not any(f.startswith("apps/secret.") for f in r.files)


def test_a_variable_holding_a_credentials_value_is_one_too_in_a_compose_import(tmp_path):
    """mailcow passes its database password both as `MYSQL_PASSWORD=${DBPASS}` and as
    `DBPASS=${DBPASS}`, and the root one as `DBROOT`; kestra puts the database's password in a
    YAML block (`KESTRA_CONFIGURATION`). Only the variables named as credentials moved to a
    Secret: the others wrote the same values in plain text into every format. A value that a
    credential of the file holds (6 characters or more), alone or as a word of a longer one,
    moves too; a variable holding a shorter one or none stays, and no word of a config block
    but the credential is masked in what is said."""
    import yaml

    from skyspec.importer import import_compose

    (tmp_path / ".env").write_text("DBPASS=DbPassAa11\nDBROOT=DbRootXx99\n")
    (tmp_path / "compose.yaml").write_text("""\
services:
  mysql:
    image: mariadb:10.11
    environment: ["MYSQL_PASSWORD=${DBPASS}", "MYSQL_ROOT_PASSWORD=${DBROOT}", MYSQL_USER=mailcow]
  php:
    image: acme/php:1
    environment: ["DBPASS=${DBPASS}", "DBROOT=${DBROOT}", DBUSER=mailcow, TZ=Europe/Berlin,
                  GITHUB_PRIVATE_KEY=disabled, OPTIONS_ABUSE=disabled, SMTP_PASSWORD=password, LOGIN=passwordless,
                  "NC_DB=pg://mysql:3306?u=mailcow&p=password&d=k"]
  kestra:
    image: kestra/kestra:0.19
    environment:
      KESTRA_CONFIGURATION: |
        datasources:
          mysql: {url: "jdbc:mysql://mysql:3306/k", username: mailcow, password: DbPassAa11}
      NOT_IT: DbPass-11
""")
    r = import_compose(tmp_path / "compose.yaml", "m")
    assert r.unexplained == [], r.unexplained
    php = yaml.safe_load(r.files["apps/php.yaml"])
    # (a placeholder is no secret: Appwrite's `_APP_VCS_GITHUB_PRIVATE_KEY=disabled` moved every `disabled`
    # switch; nor is a plain word inside another: `password` in `passwordless`, but nocodb's
    # `NC_DB: pg://...?u=postgres&p=password` holds it as a word of its own)
    assert php["env"] == {"DBUSER": "mailcow", "TZ": "Europe/Berlin", "OPTIONS_ABUSE": "disabled",
                          "LOGIN": "passwordless"}
    assert set(php["secrets"]) == {"DBPASS", "DBROOT", "GITHUB_PRIVATE_KEY", "SMTP_PASSWORD", "NC_DB"}
    kestra = yaml.safe_load(r.files["apps/kestra.yaml"])
    assert set(kestra["secrets"]) == {"KESTRA_CONFIGURATION"} and kestra["env"] == {"NOT_IT": "DbPass-11"}
    for text in r.files.values():
        assert "DbRootXx99" not in text and "password: DbPassAa11" not in text
    said = " ".join(d.message for d in r.diags)
    assert "environment KESTRA_CONFIGURATION holds a credential of the file in its text: moved to Secret" in said
    assert "service kestra" in said and "<redacted>" not in said.replace("DbPassAa11", "")


def test_a_kept_object_naming_what_a_secret_value_also_is_or_a_crd_schema_default_is_kept(tmp_path):
    """argo-workflows' quick start was refused: its SSO Secret's `clientID: argo-server` is the
    name of its ServiceAccount, so the ClusterRoleBinding naming that account "held a secret";
    and its demo `MINIO_ACCESS_KEY: admin` is a `default: admin` of a CRD's schema. A name the
    input gives is public where an object names it, and a CRD's schemas are the API's text:
    both are kept. A kept object holding the secret elsewhere is still refused."""
    import pytest as _pytest

    from skyspec.importer import ImportError_, import_kubernetes

    (tmp_path / "in.yaml").write_text("""\
apiVersion: v1
kind: Secret
metadata: {name: sso}
stringData: {clientID: argo-server, clientSecret: s3cr3t-value-xyz, user: admin}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: argo-server}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: argo-server-binding}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: argo-server, namespace: argo}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties: {user: {type: string, default: admin}}
""")
    r = import_kubernetes([tmp_path / "in.yaml"], "argo")
    assert {"apps/resource.argo-server-binding.yaml", "apps/resource.customresourcedefinition-widgets-example-com.yaml"} \
        <= set(r.files), sorted(r.files)
    assert not any("s3cr3t-value-xyz" in text for text in r.files.values())
    # the secret elsewhere in a kept object: refused
    (tmp_path / "in.yaml").write_text((tmp_path / "in.yaml").read_text().replace(
        "metadata: {name: argo-server-binding}", "metadata: {name: argo-server-binding, annotations: {x: s3cr3t-value-xyz}}"))
    with _pytest.raises(ImportError_, match="ClusterRoleBinding argo-server-binding holds a value of a Secret"):
        import_kubernetes([tmp_path / "in.yaml"], "argo")
    # a schema of another kind than a CRD's is read: the secret there is refused
    (tmp_path / "in.yaml").write_text((tmp_path / "in.yaml").read_text().replace(
        ", annotations: {x: s3cr3t-value-xyz}", "").replace("default: admin", "default: s3cr3t-value-xyz").replace(
        "kind: CustomResourceDefinition", "kind: WidgetDefinition").replace("apiextensions.k8s.io/v1", "example.com/v1"))
    with _pytest.raises(ImportError_, match="WidgetDefinition widgets.example.com holds a value of a Secret"):
        import_kubernetes([tmp_path / "in.yaml"], "argo")


def test_a_credential_written_in_a_compose_command_is_passed_from_its_secret(tmp_path):
    """`command: redis-server --requirepass Sup3rS3cretPw` beside `REDIS_PASSWORD:
    Sup3rS3cretPw`: the variable moved to a Secret, and the command wrote the password in plain
    text into the spec and every output. It is `$(REDIS_PASSWORD)` now, which Kubernetes
    expands from the Secret the variable reads, within a word too."""
    import yaml
    from click.testing import CliRunner

    from skyspec.cli import main
    from skyspec.importer import import_compose
    from validators import load_docs

    (tmp_path / "compose.yaml").write_text("""\
services:
  cache:
    image: acme/redis:7
    expose: ["6379"]
    command: redis-server --requirepass Sup3rS3cretPw --name xSup3rS3cretPw
    environment: {REDIS_PASSWORD: Sup3rS3cretPw}
""")
    r = import_compose(tmp_path / "compose.yaml", "c")
    assert r.unexplained == [], r.unexplained
    cache = yaml.safe_load(r.files["apps/cache.yaml"])
    assert cache["args"] == ["redis-server", "--requirepass", "$(REDIS_PASSWORD)", "--name", "x$(REDIS_PASSWORD)"]
    assert cache["secrets"] == {"REDIS_PASSWORD": {"secret": "cache-env", "key": "REDIS_PASSWORD"}}
    assert not any("Sup3rS3cretPw" in t for t in r.files.values())
    for rel, text in r.files.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_text(text)
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-f", "kubernetes", "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    pod = load_docs(tmp_path / "b" / "dev" / "kubernetes" / "cache.yaml")[0]["spec"]["template"]["spec"]
    c = pod["containers"][0]
    assert "$(REDIS_PASSWORD)" in c["args"] and any(e["name"] == "REDIS_PASSWORD" and "valueFrom" in e for e in c["env"])


# --------------------------------------------------------------------------- random secrets

SECRET_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x24F,
                                             blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                      min_size=4, max_size=40).filter(lambda s: s.strip() == s and "${" not in s)
# (a value holding "${" is an expression, not a literal: `00${` is a located SKY205 and the build
# rightly fails, which _outputs would take for a leak test gone wrong; `$${` writes it literally)
PLACEHOLDER = "PLACEHOLDER-SECRET-VALUE-000"


def _project(root: Path, where: str, secret: str, broken: bool) -> list[str]:
    """A project whose Secret `db-creds` gets ``secret`` as `data.password` from ``where``
    (spec, overlay or --set); ``broken`` adds errors beside it. Returns the extra CLI args."""
    q = json.dumps(secret)  # a JSON string is a YAML double-quoted scalar
    extra = ", other: 5" if broken else ""
    spec = APP + "---\nkind: Secret\nname: db-creds\n"
    overlay = "{}\n"
    args: list[str] = []
    if where == "spec":
        spec += f"data: {{password: {q}{extra}}}\n"
    elif where == "overlay":
        spec += "data: {password: placeholder}\n"
        overlay = f"apps:\n  db-creds:\n    data: {{password: {q}{extra}}}\n"
    else:
        spec += "data: {password: placeholder}\n"
        args = ["--set", f"db-creds.data.password={secret}"]
    if broken:
        spec += "---\nkind: Secret\nname: tok\ndata: {token: " + q + ", n: \"${int(self.data.token)}\"}\n"
    project = PROJECT.replace("prod: {overlays: [overlays/prod.yaml]}",
                              "qa: {overlays: [overlays/qa.yaml]}")
    write_tree(root, {"skyspec.yaml": project, "apps/a.yaml": spec, "overlays/qa.yaml": overlay})
    return args


def _outputs(cli, root: Path, args: list[str], broken: bool) -> str:
    out = []
    for fmt in FORMATS:
        out.append(cli("check", str(root), *args, "--diagnostics-format", fmt).output)
    target = root / "out"
    r = cli("build", str(root), "-o", str(target), *args)
    out.append(r.output)
    if not broken and "--set" not in args:
        assert r.exit_code == 0, r.output
    if target.exists():
        out.extend(p.read_text(encoding="utf-8") for p in sorted(target.rglob("*")) if p.is_file())
    return "\n".join(out).replace(str(root), "<root>")


_BASELINE: dict = {}


@settings(max_examples=int(os.environ.get("REDACT_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=SECRET_TEXT, where=st.sampled_from(["spec", "overlay", "set"]), broken=st.booleans())
def test_random_secrets_never_printed_nor_written(cli, secret, where, broken):
    key = (where, broken)
    with tempfile.TemporaryDirectory() as tmp:
        if key not in _BASELINE:
            base = Path(tmp) / "base"
            _BASELINE[key] = _outputs(cli, base, _project(base, where, PLACEHOLDER, broken), broken)
        # a secret that is also ordinary text of the output ("data", "kind: App") proves nothing
        assume(secret not in _BASELINE[key] and secret not in "<root>" and secret not in PLACEHOLDER)
        root = Path(tmp) / "p"
        out = _outputs(cli, root, _project(root, where, secret, broken), broken)
    assert secret not in out
    assert PLACEHOLDER not in _BASELINE[key]
