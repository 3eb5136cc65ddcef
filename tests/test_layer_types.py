"""Type checks per layer (issue #11): every document is checked as written, before merging,
so a wrong value that a later layer overrides is still reported at its own line; and a
spec file that fails to load produces no follow-on errors in other files."""

import json

import pytest

API = "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0.0\nport: 8080\nreplicas: 2\n"
WEB = "kind: App\nname: web\nimage: ghcr.io/acme/web:1.0.0\nport: 80\nlabels: {tier: web}\n"
JOB = "kind: Job\nname: migrate\nimage: ghcr.io/acme/migrate:1.0.0\n"

PROJECT = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  dev: {overlays: [overlays/dev.yaml]}
  prod: {overlays: [overlays/prod.yaml]}
"""


def errors(r):
    """(code, file, line, column) of every error, from `--diagnostics-format json`."""
    return sorted((d["code"], d.get("file"), d.get("line"), d.get("column"))
                  for d in json.loads(r.stdout) if d["severity"] == "error")


def messages(r):
    return [d["message"] for d in json.loads(r.stdout) if d["severity"] == "error"]


def check(make_project, cli, files, *args):
    make_project({"overlays/dev.yaml": "{}\n", **files}, project=PROJECT)
    return cli("check", "--diagnostics-format", "json", *args)


def test_spec_value_that_every_overlay_overrides_is_still_reported(make_project, cli):
    r = check(make_project, cli, {
        "apps/api.yaml": API.replace("replicas: 2", "replicas: two"),
        "overlays/dev.yaml": "apps:\n  api:\n    replicas: 1\n",
        "overlays/prod.yaml": "apps:\n  api:\n    replicas: 4\n",
    })
    assert r.exit_code == 1
    assert errors(r) == [("SKY104", "apps/api.yaml", 5, 11)]
    assert messages(r) == ['replicas must be an integer, got "two"']


def test_text_output_of_the_reproducer(make_project, cli):
    make_project({"apps/api.yaml": API.replace("replicas: 2", "replicas: two"),
                  "overlays/dev.yaml": "apps: {api: {replicas: 1}}\n",
                  "overlays/prod.yaml": "apps: {api: {replicas: 4}}\n"}, project=PROJECT)
    r = cli("check")
    assert r.exit_code == 1
    assert 'apps/api.yaml:5:11: error[SKY104]: replicas must be an integer, got "two"' in r.stderr
    assert r.stderr.count("error[") == 1


@pytest.mark.parametrize("overlay, line, col", [
    ("apps:\n  api:\n    replicas: two\n", 3, 15),                                   # apps.<name>
    ("all:\n  labels: {tier: [web]}\n", 2, 18),                                      # all
    ("match:\n  - where: {name: api}\n    patch:\n      replicas: two\n", 4, 17),    # match[].patch
    ("defaults:\n  resources: {cpu: lots}\n", 2, 20),                                # defaults
])
def test_wrong_type_in_each_overlay_section_is_located_there(make_project, cli, overlay, line, col):
    # the spec sets every one of these fields, and `--set` overrides them after the overlay:
    # the merged spec is valid, only the overlay's own check can see the wrong value
    spec = API + "labels: {tier: backend}\nresources: {cpu: 100m, memory: 64Mi}\n"
    r = check(make_project, cli, {"apps/api.yaml": spec, "overlays/prod.yaml": overlay},
              "--set", "api.replicas=3", "--set", "api.labels.tier=web", "--set", "api.resources.cpu=1")
    assert r.exit_code == 1
    code = "SKY112" if "cpu" in overlay else "SKY104"
    assert errors(r) == [(code, "overlays/prod.yaml", line, col)]


def test_overridden_overlay_value_is_reported_in_the_overlay(make_project, cli):
    r = check(make_project, cli, {
        "apps/api.yaml": API,
        "overlays/prod.yaml": "apps:\n  api:\n    replicas: two\n",
    }, "--set", "api.replicas=3")
    assert errors(r) == [("SKY104", "overlays/prod.yaml", 3, 15)]


def test_wrong_type_in_set_is_reported_at_the_flag(make_project, cli):
    r = check(make_project, cli, {"apps/api.yaml": API, "overlays/prod.yaml": "{}\n"},
              "--set", "api.port=80", "--set", "api.replicas=two", "--set", "api.replicas=3")
    assert r.exit_code == 1
    assert errors(r) == [("SKY104", "<--set>", 2, 1)]  # overridden by the third, still reported
    assert messages(r) == ['replicas must be an integer, got "two"']


def test_set_overridden_by_nothing_still_reported_once(make_project, cli):
    # the merged check sees the same value at the same place: one diagnostic
    r = check(make_project, cli, {"apps/api.yaml": API, "overlays/prod.yaml": "{}\n"},
              "--set", "api.replicas=two")
    assert [e[0] for e in errors(r)] == ["SKY104"]


def test_template_parameter_and_template_spec(make_project, cli):
    template = ("kind: App\nparams:\n  version: {type: string}\n"
                "spec:\n  version: '1'\n  image: 'ghcr.io/acme/api:${self.version}'\n  port: 8080\n")
    r = check(make_project, cli, {
        "templates/svc.yaml": template,
        "apps/api.yaml": "kind: App\nname: api\nuse: ./templates/svc.yaml\nversion: 2\n",
        "overlays/prod.yaml": "apps:\n  api:\n    version: '3'\n",
    })
    assert r.exit_code == 1
    assert errors(r) == [("SKY104", "apps/api.yaml", 4, 10)]
    assert messages(r) == ["version must be a string, got 2"]
    # the template's own spec is a layer too
    r = check(make_project, cli, {
        "templates/svc.yaml": template.replace("port: 8080", "port: http"),
        "apps/api.yaml": "kind: App\nname: api\nuse: ./templates/svc.yaml\nport: 8080\n",
        "overlays/prod.yaml": "{}\n",
    })
    assert errors(r) == [("SKY104", "templates/svc.yaml", 7, 9)]


def test_wrong_type_for_a_job_only_where_all_meets_a_job(make_project, cli):
    # `all` applies to the Job as well: `replicas` is no field of a Job (as before, once)
    r = check(make_project, cli, {"apps/api.yaml": API, "apps/job.yaml": JOB,
                                  "overlays/prod.yaml": "all:\n  replicas: 2\n"})
    assert errors(r) == [("SKY102", "overlays/prod.yaml", 2, 3)]
    # a `match` that does not select the Job does not check the patch against the Job
    r = check(make_project, cli, {"apps/api.yaml": API, "apps/job.yaml": JOB,
                                  "overlays/prod.yaml": "match:\n  - where: {kind: App}\n    patch: {replicas: 2}\n"})
    assert r.exit_code == 0, r.stdout


def test_operators_nulls_and_expressions_are_accepted(make_project, cli, tmp_path):
    spec = API + ("args: [--a]\nenv: {A: '1', DEBUG: '1'}\nautoscale: {min: 2, max: 4}\n"
                  "ports: {http: 8080, admin: 9000}\n")
    spec = spec.replace("port: 8080\n", "")
    overlay = ("apps:\n  api:\n    args+: [--x]\n    env-: [DEBUG]\n    ports!: {http: 9090}\n"
               "    autoscale: null\n    replicas: \"${super.replicas * 2}\"\n"
               "  web:\n    replicas: \"${apps.api.replicas}\"\n    labels+: {team: a}\n")
    make_project({"apps/api.yaml": spec, "apps/web.yaml": WEB, "overlays/dev.yaml": "{}\n",
                  "overlays/prod.yaml": overlay}, project=PROJECT)
    out = tmp_path / "out"
    r = cli("build", "-o", str(out), "--env", "prod", "--format", "kubernetes")
    assert r.exit_code == 0, r.output
    from validators import load_docs

    docs = {(d["kind"], d["metadata"]["name"]): d for d in load_docs(out / "prod" / "kubernetes")}
    api = docs[("Deployment", "api")]
    c = api["spec"]["template"]["spec"]["containers"][0]
    assert c["args"] == ["--a", "--x"] and api["spec"]["replicas"] == 4
    assert [p["containerPort"] for p in c["ports"]] == [9090]
    assert "DEBUG" not in {e["name"] for e in c.get("env", [])}
    assert ("HorizontalPodAutoscaler", "api") not in docs
    assert docs[("Deployment", "web")]["spec"]["replicas"] == 4


def test_a_spec_error_nothing_overrides_is_reported_once(make_project, cli):
    r = check(make_project, cli, {"apps/api.yaml": API.replace("replicas: 2", "replicas: two"),
                                  "overlays/prod.yaml": "{}\n"})
    assert errors(r) == [("SKY104", "apps/api.yaml", 5, 11)]


def test_partial_values_that_merge_into_valid_ones_are_accepted(make_project, cli, tmp_path):
    # each overlay value alone lacks what the spec supplies: a volume's source, autoscale's
    # max, a canary's percent; per layer, only the types of what is written are checked
    spec = API + ("volumes: {cache: {empty: true, mount: /cache}}\nautoscale: {min: 2, max: 10, cpu: 70}\n"
                  "strategy: {canary: {percent: 10}}\n")
    overlay = ("apps:\n  api:\n    volumes: {cache: {mount: /var/cache}}\n    autoscale: {min: 3}\n"
               "    strategy: {canary: {image: ghcr.io/acme/api:1.1.0}}\n")
    make_project({"apps/api.yaml": spec, "overlays/dev.yaml": "{}\n", "overlays/prod.yaml": overlay},
                 project=PROJECT)
    out = tmp_path / "out"
    r = cli("build", "-o", str(out), "--env", "prod", "--format", "kubernetes")
    assert r.exit_code == 0, r.output
    from validators import load_docs

    docs = {(d["kind"], d["metadata"]["name"]): d for d in load_docs(out / "prod" / "kubernetes")}
    assert docs[("HorizontalPodAutoscaler", "api")]["spec"]["minReplicas"] == 3
    mounts = docs[("Deployment", "api")]["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert {"name": "cache", "mountPath": "/var/cache"} in [{k: m[k] for k in ("name", "mountPath")} for m in mounts]


def test_secret_values_are_not_echoed_by_the_layer_check(make_project, cli):
    r = check(make_project, cli, {
        "apps/tok.yaml": "kind: Secret\nname: tok\ndata: {token: abc}\n",
        "overlays/dev.yaml": "apps:\n  tok:\n    data: {token: 314159}\n",
        "overlays/prod.yaml": "{}\n",
    }, "--env", "dev")
    assert errors(r) == [("SKY104", "overlays/dev.yaml", 3, 19)]
    assert "314159" not in r.stdout and "redacted" in messages(r)[0]


def test_misused_operators_are_reported_per_layer(make_project, cli):
    r = check(make_project, cli, {
        "apps/api.yaml": API + "env: {A: '1'}\n",
        "overlays/prod.yaml": "apps:\n  api:\n    env-: {A: x}\n    args+: [1, {a: b}]\n",
    })
    got = errors(r)
    assert ("SKY203", "overlays/prod.yaml", 3, 5) in got          # `-` takes a list, not a map
    assert ("SKY104", "overlays/prod.yaml", 4, 16) in got          # args items: strings or numbers


def test_a_failed_expression_is_not_also_a_type_error(make_project, cli):
    r = check(make_project, cli, {"apps/api.yaml": API.replace("replicas: 2", 'replicas: "${apps.nope.replicas}"'),
                                  "overlays/prod.yaml": "{}\n"})
    assert [e[0] for e in errors(r)] == ["SKY205"]


# ------------------------------------------------------------------ no follow-on errors

def test_syntax_error_in_one_spec_yields_exactly_that_error(make_project, cli):
    r = check(make_project, cli, {
        "apps/api.yaml": API + "env: {A: [1, 2}\n",
        "apps/web.yaml": WEB + "connect_to: [api]\nenv: {API: '${apps.api.port}'}\n",
        "overlays/prod.yaml": ("apps:\n  api: {replicas: 3}\n  web: {replicas: 2}\n"
                               "match:\n  - where: {name: 'ap*'}\n    patch: {replicas: 2}\n"),
    }, "--set", "api.replicas=5")
    assert r.exit_code == 1
    got = errors(r)
    assert [e[:2] for e in got] == [("SKY001", "apps/api.yaml")], got


def test_only_names_of_the_broken_file_are_spared(make_project, cli):
    # a typo in another overlay is still an error: "apii" is no name of the broken file
    r = check(make_project, cli, {
        "apps/api.yaml": API + "env: {A: [1, 2}\n",
        "apps/web.yaml": WEB,
        "overlays/prod.yaml": "apps:\n  api: {replicas: 3}\n  apii: {replicas: 2}\n",
    })
    got = errors(r)
    assert [e[:3] for e in got] == [("SKY001", "apps/api.yaml", 6), ("SKY201", "overlays/prod.yaml", 3)], got


def test_document_invalid_at_the_top_level_gives_no_follow_on_errors(make_project, cli):
    r = check(make_project, cli, {
        "apps/api.yaml": API.replace("kind: App", "kind: Ap"),
        "apps/web.yaml": WEB + "connect_to: [api]\n",
        "overlays/prod.yaml": "apps:\n  api: {replicas: 3}\n",
    })
    assert [e[:2] for e in errors(r)] == [("SKY101", "apps/api.yaml")]


def test_toml_and_unreadable_spec_files(make_project, cli, tmp_path):
    toml = 'kind = "App"\nname = "api"\nimage = "ghcr.io/acme/api:1"\nport = 80\nreplicas = [1\n'
    r = check(make_project, cli, {"apps/api.toml": toml, "apps/web.yaml": WEB + "connect_to: [api]\n",
                                  "overlays/prod.yaml": "apps:\n  api: {replicas: 3}\n  apii: {replicas: 1}\n"})
    got = [e[:2] for e in errors(r)]
    assert got == [("SKY002", "apps/api.toml"), ("SKY201", "overlays/prod.yaml")], got
    # a spec file that cannot be read at all: its names are unknown, so none is reported missing
    root = tmp_path / "proj"
    (root / "apps" / "api.toml").unlink()
    (root / "apps" / "api.yaml").write_bytes(b"kind: App\nname: \xff\xfe\n")
    r = cli("check", "--diagnostics-format", "json")
    got = [e[:2] for e in errors(r)]
    assert len(got) == 1 and got[0][1] == "apps/api.yaml", got


def test_failed_template_gives_no_follow_on_errors_in_the_spec(make_project, cli):
    r = check(make_project, cli, {
        "templates/svc.yaml": "kind: App\nparams: {version: {type: string}\nspec: {}\n",
        "apps/api.yaml": "kind: App\nname: api\nuse: ./templates/svc.yaml\nversion: '2'\n",
        "apps/web.yaml": WEB + "connect_to: [api]\n",
        "overlays/prod.yaml": "apps:\n  api: {version: '3'}\n",
    })
    assert [e[:2] for e in errors(r)] == [("SKY001", "templates/svc.yaml")]
