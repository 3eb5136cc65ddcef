"""`skyspec import` on hostile and broken input: every problem a located, coded diagnostic at
the input's file:line:col with a hint, all of them in one run, no traceback, nothing written
on error, no secret value printed or written; the importer read under the compiler's limits
and containment; and a seeded fuzz run of mutated real inputs that must never crash."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.diagnostics import Diagnostics, render_text
from skyspec.importer import import_compose, import_kubernetes

DATA = Path(__file__).parent / "data"

DEPLOY = """\
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
        image: ghcr.io/acme/api:1.0
        ports: [{containerPort: 8080}]
"""


def run(*args: str):
    return CliRunner().invoke(main, ["import", *args])


def codes(diags: Diagnostics) -> list[tuple[str, str]]:
    return [(d.code, f"{Path(d.pos.file).name}:{d.pos.line}:{d.pos.col}" if d.pos else "-") for d in diags.sorted()]


def test_every_wrong_field_is_reported_at_its_line_in_one_run(tmp_path):
    (tmp_path / "in.yaml").write_text(DEPLOY.replace("ports: [{containerPort: 8080}]", """\
ports: [{containerPort: http}]
        env: [{name: MODE, value: 8080}]
        resources: {limits: {memory: [1]}}""") + """\
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec: {ports: [{port: "80"}], selector: {app: api}}
---
- just a list
---
apiVersion: v1
kind: ConfigMap
metadata: {name: My_Config}
""")
    diags = Diagnostics()
    assert import_kubernetes([tmp_path / "in.yaml"], "t", diags) is None
    assert codes(diags) == [("SKY061", "in.yaml:12:33"), ("SKY061", "in.yaml:13:35"), ("SKY061", "in.yaml:14:38"),
                            ("SKY061", "in.yaml:19:23"), ("SKY060", "in.yaml:21:1"), ("SKY061", "in.yaml:25:18")]
    text = render_text(diags.sorted(), None)
    assert "Deployment api spec.template.spec.containers[0].ports[0].containerPort must be an integer, not a string" \
        in text and "ConfigMap metadata.name must be a DNS-1123 subdomain" in text
    assert all(d.hint for d in diags)
    res = run("kubernetes", str(tmp_path / "in.yaml"), "-o", str(tmp_path / "out"))
    assert res.exit_code == 1 and "Traceback" not in res.output and not (tmp_path / "out").exists()
    assert res.output.count("error[SKY06") == 6 and "skyspec: 6 errors" in res.output


def test_non_utf8_alias_bomb_huge_deep_and_tagged_files_are_refused(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes(DEPLOY.replace("acme", "acm\xe9").encode("latin-1"))
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    (tmp_path / "bomb.yaml").write_text("kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\n" + bomb)
    (tmp_path / "huge.yaml").write_text("# " + "x" * (5 << 20) + "\n")
    (tmp_path / "deep.yaml").write_text("kind: X\nv: " + "[" * 80 + "]" * 80 + "\n")
    (tmp_path / "tag.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
                                       "data: !!python/object/apply:os.system [echo pwned]\n")
    diags = Diagnostics()
    assert import_kubernetes([tmp_path], "t", diags) is None
    assert codes(diags) == [("SKY016", "bomb.yaml:9:12"), ("SKY009", "deep.yaml:2:67"), ("SKY008", "huge.yaml:1:1"),
                            ("SKY006", "latin1.yaml:11:27"), ("SKY019", "tag.yaml:4:7"), ("SKY061", "tag.yaml:4:7")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs symlinks and FIFOs")
def test_symlinks_out_and_fifos_are_refused_without_reading_them(tmp_path):
    secret = tmp_path / "outside" / "token.yaml"
    secret.parent.mkdir()
    # (its first line holds the token: the refusal's code frame, at 1:1, printed the line the link led to)
    secret.write_text("# hunter2-secret\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: leaked}\n"
                      "data: {token: hunter2-secret}\n")
    d = tmp_path / "manifests"
    d.mkdir()
    (d / "api.yaml").write_text(DEPLOY)
    (d / "link.yaml").symlink_to(secret)
    (d / "dir").symlink_to(secret.parent, target_is_directory=True)
    os.mkfifo(d / "pipe.yaml")
    res = run("kubernetes", str(d), "-o", str(tmp_path / "out"))
    assert res.exit_code == 1 and not (tmp_path / "out").exists()
    assert re.search(r"link.yaml:1:1: error\[SKY017\]: input file \"link.yaml\" leads outside", res.output)
    assert "error[SKY017]: input folder \"dir\" leads outside" in res.output
    assert "pipe.yaml:1:1: error[SKY007]" in res.output and "FIFO" in res.output
    assert "hunter2" not in res.output and "leaked" not in res.output
    res = run("kubernetes", str(d / "link.yaml"), "-o", str(tmp_path / "out"))   # named: its folder is the root
    assert res.exit_code == 1 and "SKY017" in res.output and "hunter2" not in res.output


def test_compose_files_outside_its_folder_are_refused(tmp_path):
    (tmp_path / "secret.env").write_text("TOKEN=hunter2-secret\n")
    app = tmp_path / "app"
    app.mkdir()
    (app / ".env").symlink_to(tmp_path / "secret.env")
    (app / "compose.yaml").write_text("""\
services:
  api:
    image: nginx:1.27
    env_file: [../secret.env, /etc/passwd]
    configs: [cfg]
    ports: ["8080:80", "not a port"]
configs:
  cfg: {file: /proc/self/environ}
""")
    diags = Diagnostics()
    assert import_compose(app / "compose.yaml", "t", diags) is None
    assert [c for c in codes(diags) if c[0] not in ("SKY066", "SKY072")] == [
        ("SKY017", "compose.yaml:1:1"), ("SKY017", "compose.yaml:4:16"), ("SKY017", "compose.yaml:4:31"),
        ("SKY061", "compose.yaml:6:24"), ("SKY017", "compose.yaml:8:15")]
    text = render_text(diags.sorted(), None)
    assert "hunter2" not in text and "root:" not in text


def test_secret_values_are_never_printed_or_written(tmp_path):
    (tmp_path / "in.yaml").write_text(DEPLOY.replace("ports: [{containerPort: 8080}]", """\
ports: [{containerPort: 8080}]
        env:
        - {name: DB_PASSWORD, value: "s3cr3t-passw0rd"}
        - {name: API_URL, value: "http://db:5432/x"}
        - {name: TOKEN_EXPIRY_SECONDS, value: "3600"}""") + """\
---
apiVersion: v1
kind: Secret
metadata: {name: db-creds}
data: {password: c3VwZXJzZWNyZXQ=}
stringData: {token: "tok-123456"}
---
apiVersion: v1
kind: Secret
metadata: {name: tls.cert}
data: {tls.key: a2V5a2V5a2V5}
""")
    out = tmp_path / "out"
    res = run("kubernetes", str(tmp_path / "in.yaml"), "-o", str(out))
    assert res.exit_code == 0, res.output
    written = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    for value in ("s3cr3t-passw0rd", "c3VwZXJzZWNyZXQ", "supersecret", "tok-123456", "a2V5a2V5a2V5"):
        assert value not in res.output and value not in written
    assert "note[SKY064]: env DB_PASSWORD looks like a credential" in res.output
    assert "note[SKY064]: Secret db-creds: the values of 2 keys are not written" in res.output
    assert "warning[SKY064]: Secret tls.cert is left out" in res.output
    assert "keys: [password, token]" in (out / "apps" / "secret.db-creds.yaml").read_text()
    # how long a token lives is no credential (Bank of Anthos' userservice): it stays a value
    assert "TOKEN_EXPIRY_SECONDS" not in res.output
    assert "TOKEN_EXPIRY_SECONDS: \"3600\"" in (out / "apps" / "api.yaml").read_text()


def test_a_password_that_is_a_word_of_the_names_is_not_masked_but_said(tmp_path):
    # Airflow's, Sentry's and Penpot's Compose files give the database the password of their own
    # name: every message said `service <redacted>-apiserver`, `/opt/<redacted>/dags`, which
    # shows where the password is and what it is. Such a value is not masked (a warning at it
    # says so); it is still never written, and a password of its own still never shown.
    (tmp_path / "compose.yaml").write_text("""services:
  shop-api:
    image: ghcr.io/acme/shop-api:1.0.0
    volumes: ['./data:/srv/shop/data']
  db:
    image: postgres:16
    environment: {POSTGRES_PASSWORD: shop, API_TOKEN: v3ry-own-t0ken-9f2}
""")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "seed.sql").write_text("select 1;\n")   # the project's files: left out
    res = run("compose", str(tmp_path / "compose.yaml"), "-o", str(tmp_path / "out"), "--color", "never")
    assert res.exit_code == 0, res.output
    assert "service shop-api: bind mount ./data -> /srv/shop/data left out" in res.output
    assert "<redacted>" not in res.output and "v3ry-own-t0ken-9f2" not in res.output
    said = [ln for ln in res.output.splitlines() if "a word of the names the input gives" in ln]
    assert len(said) == 1 and said[0].split("/")[-1].startswith("compose.yaml:7:38: warning[SKY064]"), said
    written = "".join(p.read_text() for p in (tmp_path / "out").rglob("*.yaml"))
    assert "POSTGRES_PASSWORD" in written and ": shop\n" not in written and "v3ry-own" not in written


def test_extends_and_include_are_refused_with_what_to_import_instead(tmp_path):
    # a service that `extends` another was read without it: no image (named as Compose names a
    # build, `p-web:latest`), none of the base's environment, and a warning only; `include` was
    # left out whole (its services then "no such service")
    (tmp_path / "common.yaml").write_text("services:\n  base: {image: 'ghcr.io/acme/app:1.0.0'}\n")
    (tmp_path / "compose.yaml").write_text("include: [common.yaml]\nservices:\n  web:\n"
                                           "    extends: {file: common.yaml, service: base}\n")
    diags = Diagnostics()
    assert import_compose(tmp_path / "compose.yaml", "p", diags) is None
    assert [(d.code, d.pos.line, d.message) for d in diags.errors] == [
        ("SKY061", 1, "include: the importer does not join `include` (other Compose files, which Compose joins "
                      "before it reads the file)"),
        ("SKY061", 4, "services.web.extends: the importer does not join `extends` (a service made of another "
                      "service's parts, which Compose joins before it reads the file)")]
    assert all("docker compose config" in d.hint for d in diags.errors)


def test_a_credential_the_importer_cannot_move_is_an_error_not_a_patch(tmp_path):
    (tmp_path / "in.yaml").write_text(DEPLOY.replace("ports: [{containerPort: 8080}]", """\
ports: [{containerPort: 8080}]
        env: [{name: db.password, value: "s3cr3t-passw0rd"}]""") + """\
---
apiVersion: example.com/v1
kind: Worker
metadata: {name: w}
spec: {env: [{name: API_TOKEN, value: "tok-abcdefgh"}]}
""")
    res = run("kubernetes", str(tmp_path / "in.yaml"), "-o", str(tmp_path / "out"))
    assert res.exit_code == 1 and not (tmp_path / "out").exists()
    assert res.output.count("error[SKY064]") == 2
    assert "s3cr3t" not in res.output and "tok-abcdefgh" not in res.output


def test_inferred_connect_to_unknown_kinds_and_patches_are_notes_at_their_lines(tmp_path):
    (tmp_path / "in.yaml").write_text(DEPLOY.replace("ports: [{containerPort: 8080}]", """\
ports: [{containerPort: 8080}]
        env: [{name: DB_ADDR, value: "db:5432"}]
      dnsPolicy: Default""") + """\
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: "postgres:16", ports: [{containerPort: 5432}]}]
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {ports: [{port: 5432}], selector: {app: db}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
""")
    diags = Diagnostics()
    r = import_kubernetes([tmp_path / "in.yaml"], "t", diags)
    assert r is not None and not diags.has_errors
    # SKY072: no NetworkPolicy in the input, so the namespace's pods keep reaching each other
    # SKY063 at db's image: the official postgres image gets its user and a writable /var/run/postgresql
    # (the `serviceName` patch does not undo them)
    assert codes(diags) == [("SKY072", "in.yaml:2:7"), ("SKY063", "in.yaml:13:38"), ("SKY065", "in.yaml:14:7"),
                            ("SKY065", "in.yaml:20:3"), ("SKY063", "in.yaml:24:38"), ("SKY062", "in.yaml:32:7")]
    text = render_text(diags.sorted(), r.sources)
    assert "api connect_to db: inferred, because env DB_ADDR names the Service db" in text
    assert "dnsPolicy is kept as a `k8s:` patch" in text
    assert "StatefulSet db spec.serviceName, which the input does not have, is removed by a `k8s:` patch" in text
    assert "PersistentVolumeClaim data is kept as a Resource" in text
    assert "# inferred" in r.files["apps/api.yaml"] and "# patched" in r.files["apps/api.yaml"]


def test_existing_files_and_no_objects(tmp_path):
    (tmp_path / "in.yaml").write_text(DEPLOY)
    (tmp_path / "out" / "apps").mkdir(parents=True)
    (tmp_path / "out" / "apps" / "api.yaml").write_text("mine\n")
    res = run("kubernetes", str(tmp_path / "in.yaml"), "-o", str(tmp_path / "out"))
    assert res.exit_code == 1 and "error[SKY069]: apps/api.yaml already exists" in res.output
    assert (tmp_path / "out" / "apps" / "api.yaml").read_text() == "mine\n"
    assert not (tmp_path / "out" / "skyspec.yaml").exists()
    (tmp_path / "empty.yaml").write_text("# nothing\n---\n")
    res = run("kubernetes", str(tmp_path / "empty.yaml"), "-o", str(tmp_path / "o2"))
    assert res.exit_code == 1 and "error[SKY060]: no Kubernetes objects found" in res.output


@pytest.mark.parametrize("seed", range(12))
def test_fuzzed_inputs_never_crash_and_every_error_is_located(seed, tmp_path):
    import import_fuzz

    for n in range(5):
        kind, path = import_fuzz.case(random.Random(seed * 1000 + n), tmp_path)
        diags = import_fuzz.run(kind, path)   # raises what escapes the importer
        assert all(d.pos is not None for d in diags.errors), [d.message for d in diags.errors if d.pos is None]
        assert not any(d.code == "SKY999" for d in diags)
        # (a bind-mounted credential or a link out, made by the case: never read into a message)
        assert not [d for d in diags if "fuzz-Pw-1" in f"{d.message} {d.hint}" or "root:x:0" in f"{d.message} {d.hint}"]


def test_helm_problems_are_reported_together(tmp_path):
    (tmp_path / "chart").mkdir()
    res = run("helm", str(tmp_path / "chart"), "-f", str(tmp_path / "values-dev.yaml"), "-f", "=x.yaml",
              "-o", str(tmp_path / "out"))
    assert res.exit_code == 1 and not (tmp_path / "out").exists()
    assert "error[SKY068]: chart" in res.output.replace(str(tmp_path) + "/", "") and "has no Chart.yaml" in res.output
    assert "values-dev.yaml: no such values file" in res.output and "-f =x.yaml: cannot name an environment" in res.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs symlinks and FIFOs")
def test_a_chart_file_that_leads_out_of_the_chart_is_refused_before_helm_runs(tmp_path, tools_on_path):
    """helm reads a symbolic link's target into the chart: a chart whose `files/token` led to a
    CI runner's credentials rendered them into the imported project (`.Files.Get`). A link
    out of the chart, or a FIFO (helm would block on it), is refused at the link, and neither
    the refusal nor its code frame shows what the link leads to."""
    secret = tmp_path / "home" / "token"
    secret.parent.mkdir()
    secret.write_text("hunter2-runner-token\n")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "files").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: leak\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("{}\n")
    (chart / "files" / "motd").write_text("hello\n")
    (chart / "files" / "banner").symlink_to(chart / "files" / "motd")   # inside the chart: helm's to follow
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leak}\n"
        "data:\n  banner: {{ .Files.Get \"files/banner\" | quote }}\n"
        "  token: {{ .Files.Get \"files/token\" | quote }}\n")
    out = tmp_path / "out"
    res = run("helm", str(chart), "-f", f"dev={chart / 'values.yaml'}", "-o", str(out), "--color", "never")
    assert res.exit_code == 0, res.output   # no link out yet: `files/token` is no file, Files.Get gives ""
    assert "banner: |\n    hello\n" in (out / "apps" / "configmap.leak.yaml").read_text()
    (chart / "files" / "token").symlink_to(secret)
    os.mkfifo(chart / "templates" / "pipe.yaml")
    res = run("helm", str(chart), "-f", f"dev={chart / 'values.yaml'}", "-o", str(tmp_path / "out2"), "--color",
              "never")
    text = res.output.replace(str(tmp_path) + "/", "")
    assert res.exit_code == 1 and not (tmp_path / "out2").exists(), text
    assert 'chart/files/token:1:1: error[SKY017]: chart file "files/token" leads outside the chart\'s folder' in text
    assert 'chart/templates/pipe.yaml:1:1: error[SKY007]: chart file "templates/pipe.yaml" is a FIFO' in text
    assert "hunter2" not in res.output and "SKY068" not in res.output   # helm did not run


def test_a_chart_that_fails_on_its_values_is_reported_at_the_template_line_with_helms_reason(tmp_path, monkeypatch):
    # Grafana's loki-canary `required`s `lokiAddress`: the import said only helm's last line,
    # "Use --debug flag to render out invalid YAML", at the values file
    from validators import TOOLS

    chart = tmp_path / "canary"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: canary\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("lokiAddress: ''\n")
    (chart / "templates" / "ds.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n"
        "  addr: {{ required \"'lokiAddress' must be set\" .Values.lokiAddress }}\n")
    monkeypatch.setenv("PATH", f"{TOOLS / 'bin'}{os.pathsep}{os.environ['PATH']}")
    res = run("helm", str(chart), "-f", f"dev={chart / 'values.yaml'}", "-o", str(tmp_path / "out"), "--color", "never")
    assert res.exit_code == 1 and not (tmp_path / "out").exists()
    text = res.output.replace(str(tmp_path) + "/", "")
    assert "canary/templates/ds.yaml:6:11: error[SKY068]: helm template with canary/values.yaml failed: " \
           "'lokiAddress' must be set" in text, text
    assert "--debug" not in text
    # a chart's message that prints a value it was given: not shown
    (chart / "values.yaml").write_text("lokiAddress: http://loki:3100\ndb: {password: hunter2-very-secret}\n")
    (chart / "templates" / "db.yaml").write_text('{{ fail (printf "cannot connect with %s" .Values.db.password) }}\n')
    res = run("helm", str(chart), "-f", f"dev={chart / 'values.yaml'}", "-o", str(tmp_path / "out"), "--color", "never")
    assert res.exit_code == 1 and "hunter2" not in res.output
    assert "db.yaml:1:3: error[SKY068]: helm template with canary/values.yaml failed: cannot connect with <redacted>" \
        in res.output.replace(str(tmp_path) + "/", "")


def test_services_calling_each_other_keep_one_call_as_a_network_policy(tmp_path):
    def app(name: str, peer: str) -> str:
        return DEPLOY.replace("acme/api", "acme/x").replace(": api}", f": {name}}}").replace(
            "name: api\n", f"name: {name}\n").replace("ports: [{containerPort: 8080}]", f"""\
ports: [{{containerPort: 8080}}]
        env: [{{name: PEER, value: "http://{peer}:8080"}}]""") + f"""\
---
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec: {{selector: {{app: {name}}}, ports: [{{port: 8080}}]}}
"""
    (tmp_path / "in.yaml").write_text(app("a", "b") + "---\n" + app("b", "a"))
    diags = Diagnostics()
    r = import_kubernetes([tmp_path / "in.yaml"], "t", diags)
    assert r is not None and not diags.has_errors, render_text(diags.sorted(), None)
    import yaml

    assert yaml.safe_load(r.files["apps/a.yaml"])["connect_to"] == {"b": {"env": "PEER", "form": "url"}}
    assert "connect_to" not in yaml.safe_load(r.files["apps/b.yaml"])
    assert yaml.safe_load(r.files["apps/networkpolicy.a-from-b.yaml"]) == {
        "kind": "NetworkPolicy", "name": "a-from-b", "select": {"app": "a"}, "allow_from": [{"app": "b"}]}
    assert any("b connect_to a: not inferred" in d.message for d in diags)


def test_an_object_named_by_generate_name_only_is_refused_saying_so(tmp_path):
    """An Argo CD or Helm hook (argoproj/argocd-example-apps' sync-waves: a Job with
    `generateName: upgrade-sql-schema`) is named anew by the API server each time it is
    created; `kubectl apply` and a spec need a name. The error says that, at generateName,
    not that the API server would refuse the object (it creates it)."""
    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_kubernetes

    (tmp_path / "in.yaml").write_text("apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: upgrade-\n"
                                      "spec:\n  template:\n    spec:\n      restartPolicy: Never\n"
                                      "      containers: [{name: m, image: 'ghcr.io/acme/m:1.0.0'}]\n")
    diags = Diagnostics()
    assert import_kubernetes([tmp_path / "in.yaml"], "p", diags) is None
    (e,) = diags.errors
    assert (e.code, e.pos.line, e.pos.col) == ("SKY061", 4, 17)
    assert "generateName" in e.message and "would refuse" not in (e.hint or "") and "name" in e.hint


def test_a_spec_that_is_no_mapping_in_a_kind_the_importer_keeps_as_written_is_refused_at_its_line(tmp_path):
    """A `spec:` of a string (or a ConfigMap with a `spec` whose template is one), from a
    `k8s:` patch of skyspec's own build, crashed the round trip (AttributeError in
    fidelity.py), found by importing the fuzz harness's generated builds. Any kind's `spec`
    must be a mapping; one holding what no workload has is compared as written."""
    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_kubernetes

    app = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: {a: b}}\n"
           "  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: api, image: 'x/api:1'}]\n")
    (tmp_path / "in.yaml").write_text(app + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n"
                                      "data: {a: b}\nspec: not a map\n")
    diags = Diagnostics()
    assert import_kubernetes([tmp_path / "in.yaml"], "p", diags) is None
    (e,) = diags.errors
    assert (e.code, e.pos.line, e.message) == ("SKY061", 15, "ConfigMap cfg spec must be a mapping, not a string")
    (tmp_path / "in.yaml").write_text(app + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n"
                                      "data: {a: b}\nspec: {template: oops}\n")
    diags = Diagnostics()
    import_kubernetes([tmp_path / "in.yaml"], "p", diags)
    assert not [d for d in diags.errors if d.code == "SKY999"]


def test_a_mount_of_no_path_and_a_key_of_no_file_are_refused_at_their_lines(tmp_path):
    # Mattermost's push-proxy chart with its optional parts on renders `mountPath: ""` and a
    # Secret volume's item without `path`: the API server refuses both; the import said only
    # that the build differed (SKY067, in no named category)
    (tmp_path / "in.yaml").write_text(DEPLOY.replace("ports: [{containerPort: 8080}]", """\
ports: [{containerPort: 8080}]
        volumeMounts: [{name: certs, mountPath: ""}]
      volumes: [{name: certs, secret: {secretName: certs, items: [{key: apple}]}}]"""))
    diags = Diagnostics()
    assert import_kubernetes([tmp_path / "in.yaml"], "t", diags) is None
    assert [(d.code, d.message) for d in diags.sorted() if d.severity == "error"] == [
        ("SKY061", "Deployment api spec.template.spec.containers[0].volumeMounts[0].mountPath must be a path (not empty)"),
        ("SKY061", "Deployment api spec.template.spec.volumes[0].secret.items[0] has no `path`, which it must have")]


def test_credentials_an_env_file_hands_every_service_are_secrets_whatever_their_short_name(tmp_path):
    """Authentik's Compose file hands its `.env` (the database's `PG_PASS`) to every service:
    names whose last word says a credential (PASS, PWD, COOKIE, SALT, <purpose>_KEY) become
    Secret keys in every service, and their values are written nowhere, in the project or its
    build."""
    from test_import_legacy import build_and_validate

    values = {"PG_PASS": "Zq8vN3kLpX2mRt7w", "MYSQL_PWD": "pwd-0f-mysql", "RABBITMQ_ERLANG_COOKIE": "c00kie-jar-77",
              "AUTH_SALT": "s4lt-of-the-earth", "AIRFLOW__CORE__FERNET_KEY": "fern3t-key-46bytes"}
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()) + "ROUTING_KEY=orders\n")
    (tmp_path / "compose.yaml").write_text("""services:
  postgresql:
    image: postgres:16-alpine
    environment: {POSTGRES_PASSWORD: "${PG_PASS}"}
    env_file: [.env]
  server:
    image: ghcr.io/goauthentik/server:2025.2.4
    command: server
    env_file: [.env]
    environment: {AUTHENTIK_POSTGRESQL__HOST: postgresql}
    ports: ["9000:9000"]
""")
    res = run("compose", str(tmp_path / "compose.yaml"), "-o", str(tmp_path / "proj"))
    assert res.exit_code == 0, res.output
    written = "".join(p.read_text() for p in (tmp_path / "proj").rglob("*") if p.is_file())
    k8s = build_and_validate(tmp_path / "proj", tmp_path, "dev")
    built = "".join(p.read_text() for p in (tmp_path / "built").rglob("*") if p.is_file())
    for value in values.values():
        assert value not in res.output and value not in written and value not in built, value
    server = next(o for o in k8s if o["kind"] == "Deployment" and o["metadata"]["name"] == "server")
    env = {e["name"]: e for e in server["spec"]["template"]["spec"]["containers"][0]["env"]}
    for name in values:
        assert env[name]["valueFrom"]["secretKeyRef"] == {"name": "server-env", "key": name}, env[name]
    assert env["ROUTING_KEY"]["value"] == "orders"   # a key of data, not a credential


def _imported_and_built(tmp_path) -> tuple[str, list[str], dict]:
    """`skyspec import compose` of tmp_path/compose.yaml, then its project built in four formats
    and validated: (what the import said, every text the import and the build wrote with what
    it said, the main container of each workload by name)."""
    from test_import_legacy import build_and_validate

    res = run("compose", str(tmp_path / "compose.yaml"), "-o", str(tmp_path / "proj"))
    assert res.exit_code == 0, res.output
    written = "".join(p.read_text() for p in (tmp_path / "proj").rglob("*") if p.is_file())
    k8s = build_and_validate(tmp_path / "proj", tmp_path, "dev")
    built = "".join(p.read_text() for p in (tmp_path / "built").rglob("*") if p.is_file())
    pods = {o["metadata"]["name"]: o["spec"]["template"]["spec"]["containers"][0] for o in k8s
            if o["kind"] in ("Deployment", "StatefulSet")}
    return res.output, [res.output, written, built], pods


def test_a_credential_a_command_passes_is_read_from_a_secret_and_written_nowhere(tmp_path):
    """Langfuse starts Redis with `command: --requirepass ${REDIS_AUTH:-myredissecret}`. The
    import interpolated the `.env`'s password into the command: it was written into the spec
    and every build, and REDIS_AUTH (passed to the apps too) was no credential by its name.
    The command now says `$(REDIS_AUTH)`, which Kubernetes expands from the import's Secret,
    and a warning says the built Compose file passes it as written."""
    (tmp_path / ".env").write_text("REDIS_AUTH=Zq8xRealRedisPw\n")
    (tmp_path / "compose.yaml").write_text("""services:
  redis:
    image: redis:7
    command: >
      --requirepass ${REDIS_AUTH:-myredissecret}
      --maxmemory-policy noeviction
  web:
    image: ghcr.io/acme/web:1.0
    entrypoint: ["/bin/web", "--redis=redis://:${REDIS_AUTH}@redis:6379", "--name=$${LITERAL}"]
    environment: {REDIS_AUTH: "${REDIS_AUTH:-myredissecret}"}
    ports: ["3000:3000"]
  kv:
    image: ghcr.io/acme/kv:1
    command: --requirepass ${REDIS_AUTH}
    environment: {REDIS_AUTH: ""}
""")
    said, texts, pods = _imported_and_built(tmp_path)
    assert "service redis: command passes credential REDIS_AUTH: written `$(REDIS_AUTH)`" in said
    for text in texts:
        assert "Zq8xRealRedisPw" not in text and "myredissecret" not in text
    assert pods["redis"]["args"] == ["--requirepass", "$(REDIS_AUTH)", "--maxmemory-policy", "noeviction"]
    assert pods["web"]["command"] == ["/bin/web", "--redis=redis://:$(REDIS_AUTH)@redis:6379", "--name=${LITERAL}"]
    assert pods["kv"]["args"] == ["--requirepass", "$(REDIS_AUTH)"]   # (its empty REDIS_AUTH is the Secret's)
    for c, secret in ((pods["redis"], "redis-env"), (pods["web"], "web-env"), (pods["kv"], "kv-env")):
        env = {e["name"]: e for e in c["env"]}
        assert env["REDIS_AUTH"]["valueFrom"]["secretKeyRef"] == {"name": secret, "key": "REDIS_AUTH"}


def test_a_credential_a_healthcheck_passes_is_read_by_the_probes_shell_and_written_nowhere(tmp_path):
    """`redis-cli -a ${REDIS_PASSWORD} ping` is a common healthcheck. The import interpolated
    the `.env`'s password into the probe, so it was written into the spec and every build.
    Kubernetes expands no `$(VAR)` in a probe: the probe's shell reads the variable from the
    container's environment, which gets it from the import's Secret; a test that was no shell
    line is run by `sh -c`, each word quoted as it was."""
    (tmp_path / ".env").write_text("REDIS_PASSWORD=Hc9RealPw\n")
    (tmp_path / "compose.yaml").write_text("""services:
  redis:
    image: bitnami/redis:7.2
    environment: {REDIS_PASSWORD: "${REDIS_PASSWORD}"}
    healthcheck:
      test: ["CMD", "redis-cli", "-a", "${REDIS_PASSWORD}", "--no-auth-warning", "x y", "ping"]
  cache:
    image: ghcr.io/acme/cache:1
    healthcheck:
      test: redis-cli -a $REDIS_PASSWORD ping
""")
    said, texts, pods = _imported_and_built(tmp_path)
    assert "service cache: healthcheck passes credential REDIS_PASSWORD: its shell (`sh -c`) reads" in said
    for text in texts:
        assert "Hc9RealPw" not in text
    assert pods["redis"]["livenessProbe"]["exec"]["command"] == \
        ["sh", "-c", "redis-cli -a \"${REDIS_PASSWORD}\" --no-auth-warning 'x y' ping"]
    assert pods["cache"]["readinessProbe"]["exec"]["command"] == ["sh", "-c", "redis-cli -a ${REDIS_PASSWORD} ping"]
    for name in ("redis", "cache"):
        env = {e["name"]: e for e in pods[name]["env"]}
        assert env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": f"{name}-env", "key": "REDIS_PASSWORD"}


def test_labels_are_interpolated_as_compose_does_and_none_carries_a_credential(tmp_path):
    """Compose interpolates labels: `version: ${TAG}` was read as written, which no Kubernetes
    label value can be, and left out as "not a Kubernetes label". It is now the `.env`'s
    value; a label whose value passes a credential is left out, with a warning that says so."""
    import yaml

    (tmp_path / ".env").write_text("API_TOKEN=Ts5RealTok\nTAG=1.4.2\n")
    (tmp_path / "compose.yaml").write_text("""services:
  app:
    image: ghcr.io/acme/app:${TAG}
    labels: {team: "${API_TOKEN}", version: "${TAG}", tier: web}
""")
    said, texts, _ = _imported_and_built(tmp_path)
    assert "label team is not carried over: it passes a credential" in said
    assert "label version is not carried over" not in said
    spec = yaml.safe_load((tmp_path / "proj" / "apps" / "app.yaml").read_text())
    assert spec["labels"] == {"version": "1.4.2", "tier": "web"}
    built = (tmp_path / "built" / "dev" / "kubernetes" / "app.yaml").read_text()
    deployment = next(d for d in yaml.safe_load_all(built) if d and d["kind"] == "Deployment")
    assert {"version": "1.4.2", "tier": "web"}.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    for text in texts:
        assert "Ts5RealTok" not in text


def test_a_hooks_command_is_interpolated_and_a_credential_it_passes_read_by_its_shell(tmp_path):
    """Compose interpolates a `post_start`/`pre_stop` command; the import kept `${GREETING}` as
    written, so the hook ran with that text. Its variables now take the `.env`'s values, and a
    credential one passes is read by the hook's shell from the container's environment (set
    from the import's Secret): Kubernetes expands no `$(VAR)` in a hook."""
    (tmp_path / ".env").write_text("API_TOKEN=Hk4RealTok\nGREETING=hello\n")
    (tmp_path / "compose.yaml").write_text("""services:
  app:
    image: ghcr.io/acme/app:1
    post_start:
      - command: ["/bin/init", "--token=${API_TOKEN}", "--say=${GREETING}"]
    pre_stop:
      - command: /bin/drain --grace=${GRACE:-10}
""")
    said, texts, pods = _imported_and_built(tmp_path)
    assert "service app: post_start passes credential API_TOKEN: its shell (`sh -c`) reads" in said
    for text in texts:
        assert "Hk4RealTok" not in text
    hooks = pods["app"]["lifecycle"]
    assert hooks["postStart"]["exec"]["command"] == ["sh", "-c", '/bin/init "--token=${API_TOKEN}" --say=hello']
    assert hooks["preStop"]["exec"]["command"] == ["/bin/drain", "--grace=10"]
    env = {e["name"]: e for e in pods["app"]["env"]}
    assert env["API_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "app-env", "key": "API_TOKEN"}


def test_a_configs_inline_content_is_interpolated_and_never_takes_a_credential(tmp_path):
    """Compose interpolates a config's inline `content:` as the rest of its file: the import kept
    `${GREETING}` and `$$5` as written. They are now `hello` and `$5`. A credential such content
    passes stays as written, warned: a ConfigMap holds no credential."""
    import yaml

    (tmp_path / ".env").write_text("API_TOKEN=Cf3RealTok\nGREETING=hello\n")
    (tmp_path / "compose.yaml").write_text("""services:
  app:
    image: ghcr.io/acme/app:1
    configs: [{source: appcfg, target: /etc/app.conf}, {source: plain, target: /etc/plain.conf}]
configs:
  appcfg:
    content: |
      password=${API_TOKEN}
  plain:
    content: |
      greeting=${GREETING}
      price=$$5
""")
    said, texts, pods = _imported_and_built(tmp_path)
    assert "service app: config appcfg's content passes credential API_TOKEN: kept as written" in said
    for text in texts:
        assert "Cf3RealTok" not in text
    data = {k: v for p in (tmp_path / "proj" / "apps").glob("configmap.*.yaml")
            for k, v in yaml.safe_load(p.read_text())["data"].items()}
    assert data == {"plain-conf": "greeting=hello\nprice=$5\n", "app-conf": "password=$${API_TOKEN}\n"}


def test_a_field_kubernetes_does_not_have_is_dropped_with_a_warning(tmp_path):
    """dapr's hello-kubernetes sample writes an env item's `value` one level out, under the
    container. The import carried it as a `k8s:` patch, so every build held a container field
    that strict validation refuses (kubernetes-validate failed). The API server drops such a
    field (kubectl warns), and so does the import now, with a warning at its line; a value of
    another type than its field's is refused, as the API server refuses it."""
    import yaml

    from validators import assert_valid_k8s, load_docs

    (tmp_path / "in.yaml").write_text(DEPLOY.replace("ports: [{containerPort: 8080}]", """\
ports: [{containerPort: 8080}]
        env:
        - name: APP_PORT
        value: "3000\"""") + """\
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - {name: job, image: "ghcr.io/acme/job:1.0", colour: blue}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
  template: {spec: {}}
""")
    out = tmp_path / "out"
    res = run("kubernetes", str(tmp_path / "in.yaml"), "-o", str(out))
    assert res.exit_code == 0, res.output
    assert "warning[SKY061]: Deployment api has `spec.template.spec.containers[0].value`, a field a Deployment does not have" in res.output
    assert "warning[SKY061]: CronJob nightly has `spec.jobTemplate.spec.template.spec.containers[0].colour`" in res.output
    # any field of any kind known, not only a container's
    assert "warning[SKY061]: Service api has `spec.template`, a field a Service does not have" in res.output

    for name in ("api", "cronjob.nightly"):
        assert "k8s" not in yaml.safe_load((out / "apps" / f"{name}.yaml").read_text())
    built = tmp_path / "built"
    res = CliRunner().invoke(main, ["build", str(out), "-o", str(built)])
    assert res.exit_code == 0, res.output
    assert_valid_k8s([d for p in sorted(built.rglob("kubernetes/*.yaml")) for d in load_docs(p)])


def test_a_value_of_another_type_than_its_field_is_refused_at_the_value(tmp_path):
    """A field the importer does not read, given a value of another type (the API server
    refuses the object): an error at the value, as for the fields it reads, not a `k8s:`
    patch that fails every build."""
    (tmp_path / "in.yaml").write_text("""\
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
  publishNotReadyAddresses: "yes"
""")
    res = run("kubernetes", str(tmp_path / "in.yaml"), "-o", str(tmp_path / "out"))
    assert res.exit_code == 1
    assert "in.yaml:7:29: error[SKY061]: Service api: `spec.publishNotReadyAddresses` of a Service is true or false, " \
           "not a string" in res.output
    assert not (tmp_path / "out").exists()


def test_network_aliases_given_as_a_string_are_not_read_as_their_letters(tmp_path):
    """`aliases: abc` (a string, not a list) was read letter by letter: `a`, `b` and `c`
    became names of the service, and an address `http://a:80` of another service was
    rewritten to it. Aliases are read from a list only."""
    import yaml

    (tmp_path / "compose.yaml").write_text("""\
services:
  web:
    image: ghcr.io/acme/web:1.0
    expose: ["80"]
    networks: {default: {aliases: abc}}
    healthcheck: {test: ["CMD", "curl", "-f", "http://a:80/"]}
  client:
    image: ghcr.io/acme/client:1.0
    environment: {UPSTREAM: "http://a:80"}
""")
    res = run("compose", str(tmp_path / "compose.yaml"), "-o", str(tmp_path / "proj"))
    assert res.exit_code == 0, res.output
    client = yaml.safe_load((tmp_path / "proj" / "apps" / "client.yaml").read_text())
    web = yaml.safe_load((tmp_path / "proj" / "apps" / "web.yaml").read_text())
    assert client["env"]["UPSTREAM"] == "http://a:80" and web["health"]["exec"][-1] == "http://a:80/"
