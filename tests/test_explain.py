"""explain and diff on the example, bad overlays located, and every field of every
generated example manifest traced back to the spec (or to the pass that set it)."""

import json

import pytest

from conftest import EXAMPLES
from provenance_leaves import field_problems
from skyspec.explain import explain_spec
from skyspec.provenance import MISSING
from skyspec.pipeline import Session

SHOP = EXAMPLES / "shop"


def test_explain_a_spec_value(cli):
    r = cli("explain", "api.replicas", str(SHOP), "--env", "prod", "--format", "json")
    assert r.exit_code == 0, r.output
    a = json.loads(r.stdout)
    assert a["value"] == 5
    assert [(s["layer"], s["file"], s["line"]) for s in a["chain"]] == [
        ("spec", "examples/shop/apps/api.toml", 4), ("overlay:overlays/prod.yaml", "examples/shop/overlays/prod.yaml", 6)]
    assert a["chain"][-1]["replaced"] == 2 and a["chain"][-1]["section"] == "apps.api"


def test_explain_every_operator_and_expression_of_the_shop(cli):
    def ex(q, env):
        r = cli("explain", q, str(SHOP), "--env", env, "--format", "json")
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)
    w = ex("worker.replicas", "prod")   # ${super.replicas * 3}
    assert w["value"] == 3 and w["chain"][-1]["op"] == "evaluate" and w["chain"][-1]["replaced"] == "${super.replicas * 3}"
    args = ex("worker.args", "prod")    # args+
    assert args["value"][-2:] == ["--concurrency", "8"] and args["chain"][-1]["op"] == "extend"
    res = ex("cache.resources", "prod")  # resources!
    assert res["chain"][-1]["op"] == "replace" and res["value"] == {"cpu": "200m", "memory": "256Mi", "memory_limit": "256Mi"}
    env = ex("api.env", "dev")          # env-
    assert "WORKERS" not in env["value"] and env["chain"][-1]["op"] == "remove"
    keys = ex("Secret/shop-db.keys", "prod")  # null deletes
    assert keys.get("deleted") and keys["chain"][-1]["op"] == "delete"
    url = ex("web.env.PUBLIC_URL", "qa")      # ${self...}, late-bound: sees qa's host
    assert url["value"] == "https://shop.qa.example.com"
    assert ex("web.replicas", "prod")["chain"][-1]["section"] == "match[0]"


def test_explain_a_manifest_field(cli):
    r = cli("explain", "Deployment/api:spec.replicas", str(SHOP), "--env", "prod")
    assert r.exit_code == 0
    assert "from api.replicas = 5" in r.stdout and "examples/shop/overlays/prod.yaml:6:15" in r.stdout
    r = cli("explain", "Deployment/api:spec.template.spec.securityContext.runAsUser", str(SHOP), "--env", "prod")
    assert "rule harden.run-as-user:" in r.stdout and "set by the" not in r.stdout
    assert "from default harden.DEFAULT_UID = 10001" in r.stdout and "skyspec/passes/harden.py:" in r.stdout
    r = cli("explain", "Deployment/nope:spec.replicas", str(SHOP), "--env", "prod")
    assert r.exit_code == 1 and "no object" in r.stderr


def test_explain_unknown_paths_suggest(cli):
    r = cli("explain", "api.replica", str(SHOP), "--env", "prod")
    assert r.exit_code == 1 and 'did you mean "replicas"' in r.stderr
    r = cli("explain", "apii.replicas", str(SHOP), "--env", "prod")
    assert r.exit_code == 1 and 'did you mean "api"' in r.stderr


@pytest.mark.parametrize("example", sorted(str(p.parent.relative_to(EXAMPLES)) for p in EXAMPLES.glob("**/skyspec.yaml")))
def test_every_manifest_field_is_explainable(example):
    """Every field of every object of every environment and target of every example (the
    ported systems included) explains down to lines people wrote or documented defaults: no
    field answers only "set by the X pass"."""
    s = Session(EXAMPLES / example / "skyspec.yaml")
    compiled = s.compile_all()
    assert compiled and not s.diags.has_errors
    assert_every_field_ends_in_leaves(compiled, min_fields=200)


def assert_every_field_ends_in_leaves(compiled, min_fields: int = 1) -> None:
    problems, counted, derived = field_problems(compiled)
    assert counted >= min_fields and derived
    assert not problems, f"{len(problems)} fields do not end in people's lines or documented defaults:\n" + \
        "\n".join(problems[:30])


def test_explain_last_entry_is_the_final_value():
    s = Session(SHOP / "skyspec.yaml")
    c = s.compile("prod")
    for spec in c.specs:
        for path in [("replicas",), ("image",), ("env", "LOG_LEVEL")]:
            a = explain_spec(spec, path, "prod")
            if a.value is MISSING or not a.chain:
                continue
            last = a.chain[-1]
            node = spec.prov.find(path)
            assert node.hist[-1].layer == last.layer


def test_diff_between_environments(cli):
    r = cli("diff", str(SHOP), "--env", "qa", "--env", "prod", "--format", "json")
    assert r.exit_code == 1
    rows = json.loads(r.stdout)["differences"]
    rep = [x for x in rows if x["spec"] == "App/api" and x["path"] == "replicas"][0]
    assert (rep["a"], rep["b"]) == (2, 5)
    assert rep["a_from"].startswith("examples/shop/apps/api.toml:4:12") and "overlays/prod.yaml:6:15" in rep["b_from"]
    host = [x for x in rows if x["spec"] == "App/web" and x["path"] == "expose.host"][0]
    assert host["a"] == "shop.qa.example.com"
    r = cli("diff", str(SHOP), "--env", "prod", "--env", "prod")
    assert r.exit_code == 0 and "0 differences" in r.stdout


def test_diff_never_shows_secret_values(make_project, cli):
    from conftest import PROJECT

    # literal values: valid where the environment is not protected (a diff refuses invalid specs)
    make_project({"apps/s.yaml": "kind: Secret\nname: s\ndata: {token: hunter2}\n",
                  "overlays/prod.yaml": "apps:\n  s: {data: {token: other-secret}}\n"},
                 project=PROJECT.replace("[overlays/prod.yaml]}", "[overlays/prod.yaml], protected: false}"))
    r = cli("diff", "--env", "dev", "--env", "prod")
    assert r.exit_code == 1, r.output
    assert "hunter2" not in r.output and "other-secret" not in r.output and "redacted" in r.stdout


# ------------------------------------------------------------------ bad overlays, located

APP = "kind: App\nname: api\nimage: x/api:1\nport: 8080\nargs: [--verbose]\nlabels: {tier: web}\n"


@pytest.mark.parametrize("overlay,code,line,col,hint", [
    ("apps:\n  apii: {replicas: 2}\n", "SKY201", 2, 3, 'did you mean "api"?'),
    ("match:\n  - where: {labels: {tier: wbe}}\n    patch: {replicas: 2}\n", "SKY202", 2, 12, None),
    ("match:\n  - where: {name: ap}\n    patch: {replicas: 2}\n", "SKY202", 2, 12, 'did you mean "api"?'),
    ("apps:\n  api: {replica: 2}\n", "SKY102", 2, 9, 'did you mean "replicas"?'),
    ("apps:\n  api:\n    args-: [--verbos]\n", "SKY204", 3, 13, 'did you mean "--verbose"?'),
    ("apps:\n  api:\n    envv-: [A]\n", "SKY204", 3, 5, None),
    ("apps:\n  api:\n    port+: 2\n", "SKY203", 3, 5, None),
    ("all:\n  env: {URL: '${self.expose.hots}'}\n", "SKY205", 2, 15, None),
    ("apps:\n  api: {env: {A: '${self.env.B}', B: '${self.env.A}'}}\n", "SKY206", 2, 19, None),
])
def test_bad_overlays_are_located(make_project, cli, overlay, code, line, col, hint):
    make_project({"apps/api.yaml": APP, "overlays/prod.yaml": overlay})
    r = cli("check", "--env", "prod", "--diagnostics-format", "json")
    assert r.exit_code == 1, r.output
    hits = [d for d in json.loads(r.stdout) if d["code"] == code]
    assert hits, r.stdout
    d = hits[0]
    assert (d["file"], d["line"], d["column"]) == ("overlays/prod.yaml", line, col), d
    if hint:
        assert d["hint"] == hint


def test_optional_match_may_select_nothing(make_project, cli):
    make_project({"apps/api.yaml": APP,
                  "overlays/prod.yaml": "match:\n  - where: {labels: {tier: batch}}\n    patch: {replicas: 2}\n    optional: true\n"})
    assert cli("check", "--env", "prod").exit_code == 0


def test_set_is_the_last_layer(make_project, cli, tmp_path):
    make_project({"apps/api.yaml": APP, "overlays/prod.yaml": "apps:\n  api: {replicas: 3}\n"})
    r = cli("build", "-o", str(tmp_path / "o"), "--env", "prod", "--set", "api.replicas=7", "--set", "api.args+=[--x]")
    assert r.exit_code == 0, r.output
    from validators import load_docs
    d = [x for x in load_docs(tmp_path / "o" / "prod" / "kubernetes") if x["kind"] == "Deployment"][0]
    assert d["spec"]["replicas"] == 7
    assert d["spec"]["template"]["spec"]["containers"][0]["args"] == ["--verbose", "--x"]
    r = cli("check", "--env", "prod", "--set", "apii.replicas=2")
    assert r.exit_code == 1 and "error[SKY207]" in r.stderr and 'did you mean "api"?' in r.stderr
