"""Hints that name the fix, in the language of the file they point into: a spec that looks
like a stdlib component without using it (`image: postgres:15` with `backup:`, a StatefulApp
named `postgres` without an image) is told `use: postgres` in YAML and `.use("postgres")` in
Python; a check of the user's merged into a template's probe is reported at the user's
line, never in skyspec's stdlib files; and every builder call a hint names exists."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT


def diags(cli) -> list[dict]:
    r = cli("check", "--diagnostics-format", "json")
    assert r.exit_code == 1, r.output
    return json.loads(r.stdout)


def test_a_template_parameter_without_the_template_names_it(make_project, cli):
    make_project({"apps/db.yaml": """
        kind: StatefulApp
        name: production-db
        image: postgres:15
        port: 5432
        backup: {schedule: "0 2 * * *"}
        """})
    [d] = diags(cli)
    assert (d["code"], d["file"], d["line"]) == ("SKY102", "apps/db.yaml", 5)
    assert d["hint"] == "`backup` is a parameter of the stdlib template postgres: add `use: postgres`"


def test_a_parameter_of_several_templates_lists_them(make_project, cli):
    make_project({"apps/db.yaml": """
        kind: StatefulApp
        name: store
        image: ghcr.io/acme/store:1.0.0
        credentials: store-password
        """})
    [d] = diags(cli)
    assert d["code"] == "SKY102"
    assert d["hint"].startswith("`credentials` is a parameter of the stdlib templates ")
    assert "postgres" in d["hint"] and "add `use: <template>`" in d["hint"]


def test_a_server_without_an_image_is_told_its_template(make_project, cli):
    make_project({"apps/db.yaml": """
        kind: StatefulApp
        name: redis
        storage: 1Gi
        ---
        kind: App
        name: mongo
        port: 27017
        ---
        kind: App
        name: api
        port: 8080
        """})
    got = {d["line"]: d for d in diags(cli)}
    assert got[1]["hint"].startswith("add `use: redis` (the stdlib template gives the image")
    assert got[5]["hint"].startswith("a mongodb server is a StatefulApp: `kind: StatefulApp` with `use: mongodb`")
    assert got[9]["hint"] == "add e.g. `image: ghcr.io/acme/api:1.0.0`"   # nothing to name: the generic fix


def test_a_probe_merged_into_the_templates_is_reported_at_the_users_line(make_project, cli):
    make_project({"apps/db.yaml": """
        kind: Secret
        name: pg
        keys: [password]
        ---
        kind: StatefulApp
        name: db
        use: postgres
        credentials: pg
        health: {http: /health}
        """})
    [d] = diags(cli)
    assert (d["code"], d["file"], d["line"]) == ("SKY108", "apps/db.yaml", 9)
    assert "merged into the `use:` template's `exec` probe" in d["message"]
    assert "`health!: {http: ...}`" in d["hint"]
    assert "stdlib" not in json.dumps(d)


def test_replacing_the_templates_probe_compiles(build):
    objs = build({"apps/db.yaml": """
        kind: Secret
        name: pg
        keys: [password]
        ---
        kind: StatefulApp
        name: db
        use: postgres
        credentials: pg
        health!: {tcp: postgres}
        """}, env="dev")
    c = objs[("StatefulSet", "db")]["spec"]["template"]["spec"]["containers"][0]
    assert c["livenessProbe"]["tcpSocket"] == {"port": "postgres"}


def test_a_port_the_template_declares_names_its_name(make_project, cli):
    make_project({"apps/db.yaml": """
        kind: Secret
        name: pg
        keys: [password]
        ---
        kind: StatefulApp
        name: db
        use: postgres
        credentials: pg
        ports: {sql: 5432}
        """})
    [d] = diags(cli)
    assert (d["code"], d["line"]) == ("SKY113", 9)
    assert d["hint"] == 'the `use:` template declares port 5432 as "postgres": drop "sql", or name it "postgres"'


def test_every_builder_call_a_hint_names_exists():
    """The spelling table and the hints name only methods the builders have."""
    import skyspec.api as api
    from skyspec.builders.spelling import CALLS

    methods = {m for cls in (api.App, api.StatefulApp, api.Job, api.CronJob, api.Secret, api.ConfigMap, api.Volume,
                             api.Role, api.SecurityPolicy, api.Observability, api.Resource) for m in dir(cls)}
    called = set(re.findall(r"\.([a-z_]+)\(", " ".join(CALLS.values())))
    sources = [p.read_text() for p in (ROOT / "compiler" / "skyspec").rglob("*.py")]
    for text in sources:   # calls named in hints (`.use("...")`, `enable_metrics(port=...)`)
        called |= set(re.findall(r"`\.([a-z_]+)\(", text))
    assert called and called <= methods, called - methods


@pytest.mark.parametrize("path, call", [(("image",), '.image("ghcr.io/acme/api:1.0.0")'),
                                        (("volumes", "cfg", "mount"), '.mount("/etc/app")'),
                                        (("backup", "location"), '.backup_location("s3://my-backups/postgres")'),
                                        (("volumes", "cfg", "size"), None)])
def test_builder_call(path, call):
    from skyspec.builders.spelling import builder_call

    assert builder_call(path) == call


def test_a_components_backup_job_is_not_an_official_image_misused(make_project, cli):
    """The backup CronJob runs the server's image for its dump tool (`pg_dump`), which writes
    nothing the rule knows of: no SKY410 for it, also when the spec pins the image itself."""
    make_project({"apps/db.yaml": """
        kind: Secret
        name: pg
        keys: [password]
        ---
        kind: StatefulApp
        name: db
        use: postgres
        image: postgres:16.4
        credentials: pg
        backup: {schedule: "0 2 * * *", location: "s3://backups/pg"}
        """})
    r = cli("check", "--diagnostics-format", "json")
    assert r.exit_code == 0, r.output
    assert not [d for d in json.loads(r.stdout) if d["code"] == "SKY410"]
