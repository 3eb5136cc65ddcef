"""Bad input: located diagnostics with codes and hints, all at once, nothing written."""

import json

import pytest

APP = """
kind: App
name: api
image: ghcr.io/acme/api:1.0.0
port: 8080
"""


def codes(result):
    return [d["code"] for d in json.loads(result.stdout)]


def test_three_mistakes_give_three_located_diagnostics(make_project, cli):
    make_project({"apps/api.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        replicas: three
        port: 8080
        resources: {cpu: 250m, memory: 256MB}
        helth: /healthz
        """})
    r = cli("check")
    assert r.exit_code == 1
    err = r.stderr
    assert "apps/api.yaml:4:11: error[SKY104]: replicas must be an integer, got \"three\"" in err
    assert 'apps/api.yaml:6:32: error[SKY112]: resources.memory: "256MB" is not a valid quantity' in err
    assert "help: did you mean 256Mi?" in err
    assert "apps/api.yaml:7:1: error[SKY102]: unknown key \"helth\"" in err
    assert 'did you mean "health"?' in err
    assert err.count("error[") == 3


def test_all_problems_of_every_kind_in_one_run(make_project, cli):
    make_project({
        "apps/a.yaml": "kind: App\nname: a\nimage: x/a:1\nport: 80\nresources: {memory: 256MB}\n",
        "apps/b.yaml": "kind: App\nname: b\nimage: x/b:1\nports: {http: 80, admin: 80}\n",
        "apps/c.yaml": "kind: App\nname: c\nimage: x/c:1\nconnect_to: [aa]\n",
    })
    r = cli("check", "--diagnostics-format", "json")
    assert r.exit_code == 1
    diags = json.loads(r.stdout)
    got = {(d["code"], d["file"], d["line"]) for d in diags}
    assert ("SKY112", "apps/a.yaml", 5) in got
    assert ("SKY113", "apps/b.yaml", 4) in got
    assert ("SKY114", "apps/c.yaml", 4) in got
    hint = [d for d in diags if d["code"] == "SKY112"][0]["hint"]
    assert "256Mi" in hint


def test_code_frame_and_caret(make_project, cli):
    make_project({"apps/api.yaml": APP + "replicas: three\n"})
    r = cli("check")
    lines = r.stderr.splitlines()
    i = next(i for i, l in enumerate(lines) if "SKY104" in l)
    assert lines[i + 1] == " 5 | replicas: three"
    assert lines[i + 2] == "   |           ^^^^^"


@pytest.mark.parametrize("files,code,where", [
    ({"apps/a.yaml": "kind: App\nname: a\nimage: [unclosed\n"}, "SKY001", ("apps/a.yaml", 4)),
    ({"apps/a.toml": 'kind = "App"\nname = "a\n'}, "SKY002", ("apps/a.toml", 2)),
    ({"apps/a.yaml": "kind: App\nname: a\nname: b\nimage: x:1\n"}, "SKY005", ("apps/a.yaml", 3)),
    ({"apps/a.yaml": "- kind: App\n"}, "SKY004", ("apps/a.yaml", 1)),
    ({"apps/a.yaml": "name: a\n"}, "SKY100", ("apps/a.yaml", 1)),
    ({"apps/a.yaml": "kind: Ap\nname: a\n"}, "SKY101", ("apps/a.yaml", 1)),
    ({"apps/a.yaml": "kind: App\nname: a\n"}, "SKY103", ("apps/a.yaml", 1)),
    ({"apps/a.yaml": "kind: App\nname: My_App\nimage: x:1\n"}, "SKY107", ("apps/a.yaml", 2)),
    ({"apps/a.yaml": "kind: App\nname: a\nimage: x:1\nexpose: {type: Public}\nport: 80\n"}, "SKY105", ("apps/a.yaml", 4)),
    ({"apps/a.yaml": "kind: App\nname: a\nimage: x:1\nreplicas: -1\n"}, "SKY106", ("apps/a.yaml", 4)),
    ({"apps/a.yaml": "kind: App\nname: a\nimage: x:1\n---\nkind: App\nname: a\nimage: y:1\n"}, "SKY110", ("apps/a.yaml", 6)),
    ({"apps/a.yaml": "kind: App\nname: a\nimage: x:1\nhealth: /h\n"}, "SKY117", ("apps/a.yaml", 4)),
])
def test_each_bad_input_is_located(make_project, cli, files, code, where):
    make_project(files)
    r = cli("check", "--diagnostics-format", "json")
    assert r.exit_code == 1, r.output
    diags = json.loads(r.stdout)
    hits = [d for d in diags if d["code"] == code]
    assert hits, diags
    assert (hits[0]["file"], hits[0]["line"]) == where


def test_a_value_of_the_wrong_type_is_one_problem(make_project, cli):
    """A string where a map belongs fails the map's type and the `oneOf` of its required keys
    (which a string passes twice): one diagnostic, in the spec and in an overlay alike."""
    make_project({"apps/api.yaml": APP + "env_from: [base]\n",
                  "overlays/prod.yaml": "apps:\n  api:\n    env_from+: [extra]\n"})
    r = cli("check", "--diagnostics-format", "json")
    assert r.exit_code == 1, r.output
    got = [(d["code"], d["file"], d["line"], d["message"]) for d in json.loads(r.stdout)]
    assert got == [("SKY104", "apps/api.yaml", 5, "env_from[0] needs exactly one source: config or secret"),
                   ("SKY104", "overlays/prod.yaml", 3, "env_from[0] needs exactly one source: config or secret")]


def test_unknown_kind_and_key_suggestions(make_project, cli):
    make_project({"apps/a.yaml": "kind: Ap\nname: a\n---\nkind: App\nname: b\nimage: x:1\nreplica: 2\n"})
    r = cli("check", "--diagnostics-format", "json")
    hints = {d["code"]: d.get("hint") for d in json.loads(r.stdout)}
    assert hints["SKY101"] == 'did you mean "App"?'
    assert hints["SKY102"] == 'did you mean "replicas"?'


def test_overlay_errors_are_located_in_the_overlay(make_project, cli):
    make_project({"apps/api.yaml": APP, "overlays/prod.yaml": "apps:\n  apii:\n    replicas: 2\n  api:\n    replicas: lots\n"})
    r = cli("check", "--diagnostics-format", "json")
    diags = json.loads(r.stdout)
    by = {d["code"]: d for d in diags}
    assert (by["SKY201"]["file"], by["SKY201"]["line"], by["SKY201"]["column"]) == ("overlays/prod.yaml", 2, 3)
    assert by["SKY201"]["hint"] == 'did you mean "api"?'
    assert (by["SKY104"]["file"], by["SKY104"]["line"]) == ("overlays/prod.yaml", 5)


def test_failed_build_writes_nothing(make_project, cli):
    root = make_project({"apps/api.yaml": APP + "replicas: x\n"})
    r = cli("build", "-o", "out")
    assert r.exit_code == 1
    assert not (root / "out").exists()


def test_no_project_is_a_diagnostic(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    r = cli("build")
    assert r.exit_code == 1
    assert "error[SKY010]" in r.stderr


def test_usage_errors_exit_2(make_project, cli):
    make_project({"apps/api.yaml": APP})
    assert cli("build", "--format", "pdf").exit_code == 2
    assert cli("nonsense").exit_code == 2


def test_unknown_environment(make_project, cli):
    make_project({"apps/api.yaml": APP})
    r = cli("build", "--env", "prd")
    assert r.exit_code == 2   # a usage error
    assert 'did you mean "prod"?' in r.stderr


def test_sarif_output(make_project, cli):
    make_project({"apps/api.yaml": APP + "replicas: x\n"})
    r = cli("check", "--diagnostics-format", "sarif")
    sarif = json.loads(r.stdout)
    res = [x for x in sarif["runs"][0]["results"] if x["ruleId"] == "SKY104"][0]
    assert res["level"] == "error"
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
