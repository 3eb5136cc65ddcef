"""`${...}` expressions: parsing, evaluation, late binding, `super`, errors and limits."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyspec.diagnostics import Diagnostics, Pos
from skyspec.frontend import uniform_loc
from skyspec.layers.expr import resolve
from skyspec.provenance import Entry, prov_from_loc
from skyspec.layers.stack import Spec
from skyspec.pipeline import Session

ENV = {"name": "prod", "namespace": "shop-prod"}
PROJECT = {"name": "shop", "namespace": "shop"}
VARS = {"region": "eu-west-1", "zones": ["a", "b"], "size": 3}


# ------------------------------------------------------------------ helpers

def make_spec(data: dict, file: str = "apps/api.yaml") -> Spec:
    data = {"kind": "App", "name": "api", **data}
    return Spec(data["kind"], data["name"], data,
                prov_from_loc(data, uniform_loc(data, Pos(file, 1, 1)), "spec"), file, Pos(file, 1, 1))


def run(*specs: Spec, env=ENV, project=PROJECT, vars=VARS) -> Diagnostics:
    diags = Diagnostics()
    resolve(list(specs), layer_order=["spec"], env=env, project=project, vars=vars, diags=diags)
    return diags


def ev(expr: str, **data):
    """The value of one whole-string expression, and the diagnostics."""
    spec = make_spec({**data, "x": "${" + expr + "}"})
    diags = run(spec)
    return spec.data["x"], diags


def val(expr: str, **data):
    v, d = ev(expr, **data)
    assert not d.items, [(x.code, x.message, x.hint) for x in d]
    return v


def err(expr: str, **data):
    v, d = ev(expr, **data)
    assert v == "${" + expr + "}", "a failed expression leaves the string as written"
    assert len(d.items) == 1, [(x.code, x.message) for x in d]
    return d.items[0]


def layer_order(session: Session, env) -> list[str]:
    """The order the pipeline applies layers in (what it will pass to resolve)."""
    profile = [f"profile:{env.profile}"] if env.profile else []
    return ["spec", *profile, *(f"overlay:{o}" for o in env.overlays), "--set"]


def layered(root: Path, env_name: str = "prod", sets=()):
    session = Session(root / "skyspec.yaml")
    env = session.env(env_name)
    specs = session.layered(env, sets, expressions=False)
    resolve(specs, layer_order=layer_order(session, env), env={"name": env.name},
            project={"name": session.project.name, "namespace": session.project.namespace},
            vars={**session.project.vars, **env.vars}, diags=session.diags)
    return {s.name: s for s in specs}, session.diags


def col(text: str, line: int, needle: str = "${") -> int:
    return text.splitlines()[line - 1].index(needle) + 1


# ------------------------------------------------------------------ values and typing

def test_whole_expression_keeps_its_type():
    spec = make_spec({"base": 3, "flag": True,
                      "replicas": "${self.base * 2}", "on": "${not self.flag}",
                      "args": "${[self.base, 'x'] + ['y']}", "nothing": "${null}", "half": "${self.base / 2}",
                      "ratio": "${1.5}"})
    assert not run(spec).items
    d = spec.data
    assert d["replicas"] == 6 and type(d["replicas"]) is int
    assert d["on"] is False
    assert d["args"] == [3, "x", "y"]
    assert d["nothing"] is None
    assert d["half"] == 1.5 and d["ratio"] == 1.5


def test_interpolation_turns_values_into_text():
    spec = make_spec({"n": 3, "f": 2.5, "b": True, "z": None, "s": "x",
                      "text": "n=${self.n} f=${self.f} b=${self.b} z=[${self.z}] s=${self.s} ${1 == 1}"})
    assert not run(spec).items
    assert spec.data["text"] == "n=3 f=2.5 b=true z=[] s=x true"


def test_surrounding_spaces_make_it_text():
    assert make_and_run({"v": " ${1 + 1}"})["v"] == " 2"


def make_and_run(data: dict) -> dict:
    spec = make_spec(data)
    d = run(spec)
    assert not d.items, [(x.code, x.message) for x in d]
    return spec.data


def test_dollar_dollar_escapes_a_literal():
    d = make_and_run({"a": "$${self.name}", "b": "cost: $${x} for ${self.name}", "c": "$5 and $$ stay",
                      "d": ["$${HOME}"], "e": "${'${'}"})
    assert d["a"] == "${self.name}"
    assert d["b"] == "cost: ${x} for api"
    assert d["c"] == "$5 and $$ stay"
    assert d["d"] == ["${HOME}"]
    assert d["e"] == "${"


def test_expressions_in_lists_and_nested_maps():
    d = make_and_run({"ports": {"http": 8080}, "args": ["--port", "${str(self.ports.http)}"],
                      "deep": {"a": [{"b": "${self.ports.http + 1}"}]}})
    assert d["args"] == ["--port", "8080"]
    assert d["deep"] == {"a": [{"b": 8081}]}


def test_keys_are_not_evaluated():
    d = make_and_run({"env": {"${self.name}": "v"}})
    assert d["env"] == {"${self.name}": "v"}


def test_references_to_expressions_resolve_first():
    d = make_and_run({"c": "${self.b + 1}", "b": "${self.a * 10}", "a": 2, "all": "${self.chain}",
                      "chain": {"x": "${self.a}"}, "via": "${self.chain.x + 1}"})
    assert d["c"] == 21 and d["b"] == 20
    assert d["all"] == {"x": 2}
    assert d["via"] == 3


def test_path_forms_index_quote_and_dash():
    d = make_and_run({"args": ["a", "b", "c"], "labels": {"app.kubernetes.io/name": "api", "tier-x": "web"},
                      "first": "${self.args[0]}", "last": "${self.args[-1]}", "dot": "${self.args.1}",
                      "quoted": "${self.labels['app.kubernetes.io/name']}", "dash": "${self.labels.tier-x}",
                      "computed": "${self.args[len(self.args) - 1]}"})
    got = (d["first"], d["last"], d["dot"], d["quoted"], d["dash"], d["computed"])
    assert got == ("a", "c", "b", "api", "web", "c")


def test_env_project_and_vars():
    d = make_and_run({"a": "${env.name}-${project.name}", "ns": "${project.namespace}",
                      "region": "${vars.region}", "zone": "${vars.zones[1]}", "n": "${vars.size * 2}"})
    assert (d["a"], d["ns"], d["region"], d["zone"], d["n"]) == ("prod-shop", "shop", "eu-west-1", "b", 6)


# ------------------------------------------------------------------ operators and functions

@pytest.mark.parametrize("expr, expected", [
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("10 - 4 - 3", 3), ("-3 + 1", -2), ("- (2 * 3)", -6),
    ("7 / 2", 3.5), ("8 / 2", 4), ("7 // 2", 3), ("-7 // 2", -4), ("7 % 3", 1), ("-7 % 3", 2),
    ("1.5 * 2", 3.0), ("1e3", 1000.0), ("2.5 // 1", 2.0),
    ("'a' + \"b\"", "ab"), ("'ab' * 3", "ababab"), ("2 * 'ab'", "abab"), ("[1] * 3", [1, 1, 1]), ("'x' * -1", ""),
    ("[1] + [2, 3]", [1, 2, 3]), ("[]", []), ("[1, 2,]", [1, 2]), ("[[1], [2]]", [[1], [2]]),
    ("1 == 1", True), ("1 == 1.0", True), ("1 != 2", True), ("true == 1", False), ("'a' == 'a'", True),
    ("[1, 'a'] == [1, 'a']", True), ("null == null", True), ("null == 0", False),
    ("1 < 2", True), ("2 <= 2", True), ("3 > 4", False), ("4 >= 4", True), ("'abc' < 'abd'", True),
    ("not true", False), ("not not true", True), ("true and false", False), ("true or false", True),
    ("false and (1 / 0 == 1)", False), ("true or (1 / 0 == 1)", True),  # short-circuit
    ("not 1 > 2 and 2 > 1", True), ("1 < 2 == true", None),  # chained comparison is refused
    ("'a' if 1 < 2 else 'b'", "a"), ("'a' if 1 > 2 else 'b'", "b"),
    ("1 if false else 2 if false else 3", 3), ("(1 if true else 2) + 1", 2), ("1 / 0 if false else 0", 0),
    ("'\\'q\\' \\\"d\\\" \\\\ \\n \\$'", "'q' \"d\" \\ \n $"),
])
def test_operators(expr, expected):
    if expected is None:
        assert err(expr).code == "SKY205"
        return
    v = val(expr)
    assert v == expected and type(v) is type(expected)


@pytest.mark.parametrize("expr, expected", [
    ("upper('api')", "API"), ("lower('API')", "api"), ("len('abc')", 3), ("len([1, 2])", 2),
    ("len(self.env)", 2), ("join(['a', 1, true], ',')", "a,1,true"), ("join([], '-')", ""),
    ("str(42)", "42"), ("str(true)", "true"), ("str(null)", ""), ("str(1.5)", "1.5"),
    ("int('42')", 42), ("int(' -7 ')", -7), ("int(3.9)", 3), ("int(5)", 5),
    ("min(3, 1, 2)", 1), ("max(3, 1, 2)", 3), ("min([4, 5])", 4), ("max(['a', 'c', 'b'])", "c"), ("max(1, 2.5)", 2.5),
    ("replace('a-b-c', '-', '.')", "a.b.c"), ("replace('ab', '', '-')", "-a-b-"),
    ("default(self.missing, 5)", 5), ("default(self.env.NOPE, 'x')", "x"), ("default(self.nothing, 'n')", "n"),
    ("default(self.env.A, 'x')", "1"), ("default(apps.nope.replicas, 1)", 1), ("default(vars.nope, 0)", 0),
    ("default(self.args[9], 'none')", "none"), ("default(super.nope, 2)", 2),
    ("upper(default(self.missing, 'dev'))", "DEV"),
])
def test_functions(expr, expected):
    v = val(expr, env={"A": "1", "B": "2"}, nothing=None, args=["a"])
    assert v == expected and type(v) is type(expected)


def test_default_does_not_hide_other_errors():
    e = err("default(1 + 'a', 0)")
    assert "cannot apply" in e.message


def test_late_binding_and_super_through_layers(make_project):
    root = make_project({
        "apps/api.yaml": """
            kind: App
            name: api
            image: "ghcr.io/acme/api:${self.version}"
            version: "1.0"
            replicas: 2
            env:
              A: "1"
              B: "2"
              PUBLIC_URL: "https://${self.expose.host}"
            expose: {host: api.example.com}
            """,
        "overlays/prod.yaml": """
            apps:
              api:
                version: "2.0"
                replicas: ${super.replicas * 2}
                replicas_hint: ${self.replicas + super.replicas}
                expose: {host: api.acme.io}
                env:
                  A: "${super.env.A}-prod"
                  C: "${super.env.B}"
                  BENEATH: "${super.env}"
            """,
    })
    specs, diags = layered(root, "prod")
    assert not diags.items, [(d.code, d.message) for d in diags]
    d = specs["api"].data
    assert d["image"] == "ghcr.io/acme/api:2.0"               # late binding: the overlay's version
    assert d["replicas"] == 4 and type(d["replicas"]) is int   # super: the spec's value, doubled
    assert d["replicas_hint"] == 6
    assert d["env"]["PUBLIC_URL"] == "https://api.acme.io"
    assert d["env"]["A"] == "1-prod" and d["env"]["C"] == "2"
    # the map beneath the overlay; its expressions are bound late too (self is the final spec)
    assert d["env"]["BENEATH"] == {"A": "1", "B": "2", "PUBLIC_URL": "https://api.acme.io"}
    # without the overlay (dev), the spec's own version
    dev, diags = layered(root, "dev")
    assert not diags.items
    assert dev["api"].data["image"] == "ghcr.io/acme/api:1.0"
    assert dev["api"].data["env"]["PUBLIC_URL"] == "https://api.example.com"


def test_super_value_beneath_is_itself_resolved(make_project):
    root = make_project({
        "apps/api.yaml": "kind: App\nname: api\nbase: 3\nreplicas: ${self.base}\n",
        "overlays/prod.yaml": "apps:\n  api:\n    replicas: ${super.replicas + 1}\n    base: 10\n",
    })
    specs, diags = layered(root)
    assert not diags.items, [(d.code, d.message) for d in diags]
    # super.replicas is the spec's `${self.base}`, bound late to the final base (10)
    assert specs["api"].data["replicas"] == 11


def test_super_through_a_replaced_map_and_defaults(make_project):
    root = make_project({
        "apps/api.yaml": "kind: App\nname: api\nenv: {A: a, B: b}\ncpu: ${super.resources.cpu}\n",
        "overlays/prod.yaml": "apps:\n  api:\n    env!: {A: '${super.env.A}2', Z: '${default(super.env.Z, 0)}'}\n",
    })
    specs, diags = layered(root)
    assert not diags.items, [(d.code, d.message) for d in diags]
    assert specs["api"].data["env"] == {"A": "a2", "Z": 0}
    assert specs["api"].data["cpu"] == "250m"  # from the prod profile's defaults, beneath the spec


def test_super_in_the_spec_sees_a_profile_default_it_overrides(make_project):
    root = make_project({"apps/api.yaml": "kind: App\nname: api\nresources: {cpu: '${super.resources.cpu}-x'}\n"})
    specs, diags = layered(root)
    assert not diags.items
    assert specs["api"].data["resources"]["cpu"] == "250m-x"


def test_super_from_set_and_extended_strings(make_project):
    root = make_project({
        "apps/api.yaml": "kind: App\nname: api\nreplicas: 2\ntag: '1.2'\nimage: repo/api\n",
        "overlays/prod.yaml": "apps:\n  api:\n    image+: ':${self.tag}'\n",
    })
    specs, diags = layered(root, sets=["api.replicas=${super.replicas + 1}"])
    assert not diags.items, [(d.code, d.message) for d in diags]
    assert specs["api"].data["replicas"] == 3
    assert specs["api"].data["image"] == "repo/api:1.2"


def test_super_of_a_value_first_set_by_this_layer_is_an_error(make_project):
    text = "apps:\n  api:\n    extra: ${super.extra + 1}\n"
    root = make_project({"apps/api.yaml": "kind: App\nname: api\n", "overlays/prod.yaml": text})
    specs, diags = layered(root)
    [d] = diags.items
    assert d.code == "SKY205" and "super.extra does not exist beneath this layer" in d.message
    assert d.pos == Pos("overlays/prod.yaml", 3, col(text, 3), col(text, 3) + len("${super.extra + 1}"))
    assert "default(" in d.hint


def test_apps_cross_references(make_project):
    root = make_project({
        "apps/api.yaml": "kind: App\nname: api\nports: {http: 8080}\nreplicas: ${apps.worker.replicas + 1}\n",
        "apps/worker.yaml": "kind: Job\nname: worker\nreplicas: ${self.n * 2}\nn: 2\n"
                            "url: http://api:${apps.api.ports.http}\n",
        "apps/cfg.yaml": "kind: ConfigMap\nname: cfg\ndata: {x: '${apps.api.name}'}\n",
    })
    specs, diags = layered(root)
    assert not diags.items, [(d.code, d.message) for d in diags]
    assert specs["api"].data["replicas"] == 5
    assert specs["worker"].data["url"] == "http://api:8080"
    assert specs["cfg"].data["data"] == {"x": "api"}


# ------------------------------------------------------------------ provenance and sharing

def test_history_shows_the_expression_and_its_result(make_project):
    text = "apps:\n  api:\n    replicas: ${super.replicas * 2}\n"
    root = make_project({"apps/api.yaml": "kind: App\nname: api\nreplicas: 2\n", "overlays/prod.yaml": text})
    specs, _ = layered(root)
    hist = specs["api"].prov.find(("replicas",)).hist
    assert [e.op for e in hist] == ["set", "set", "evaluate"]
    assert hist[1].replaced == 2
    assert hist[-1] == Entry("overlay:overlays/prod.yaml", Pos("overlays/prod.yaml", 3, 15, 36), "evaluate",
                             "${super.replicas * 2}", "")
    assert specs["api"].prov.find(("replicas",)).pos.file == "overlays/prod.yaml"


def test_container_results_get_provenance():
    spec = make_spec({"a": [1, 2], "b": "${self.a + [3]}"})
    run(spec)
    p = spec.prov.find(("b", 2))
    assert p is not None and p.hist[0].op == "evaluate"
    assert spec.prov.find(("b",)).hist[-1].replaced == "${self.a + [3]}"


def _snap(prov):
    kids = prov.kids
    if isinstance(kids, dict):
        kids = {k: _snap(v) for k, v in kids.items() if v is not None}
    elif isinstance(kids, list):
        kids = [_snap(v) if v is not None else None for v in kids]
    return (list(prov.hist), kids, prov.key)


def test_inputs_shared_between_environments_are_not_mutated(make_project):
    root = make_project({
        "apps/api.yaml": "kind: App\nname: api\nenv: {A: '${self.name}', N: {M: '${1 + 1}'}}\nargs: ['${env.name}']\n",
        "apps/db.yaml": "kind: App\nname: db\nenv: {X: '${apps.api.env.A}'}\n",
        "overlays/prod.yaml": "apps:\n  api:\n    replicas: 3\n",
    })
    session = Session(root / "skyspec.yaml")
    envs = {n: session.env(n) for n in ("dev", "prod")}
    layers = {n: session.layered(e, expressions=False) for n, e in envs.items()}
    data_before = {n: [copy.deepcopy(s.data) for s in specs] for n, specs in layers.items()}
    objs = {n: [(s.data, s.prov) for s in specs] for n, specs in layers.items()}
    prov_before = {n: [_snap(s.prov) for s in specs] for n, specs in layers.items()}
    docs_before = copy.deepcopy([d.data for d in session.docs])
    for n, specs in layers.items():
        resolve(specs, layer_order=layer_order(session, envs[n]), env={"name": n}, project={}, vars={},
                diags=session.diags)
    assert not session.diags.items
    assert [d.data for d in session.docs] == docs_before
    for n in layers:
        assert [d for d, _ in objs[n]] == data_before[n]
        assert [_snap(p) for _, p in objs[n]] == prov_before[n]
        assert layers[n][0].data["env"] == {"A": "api", "N": {"M": 2}}
        assert layers[n][0].data["args"] == [n]
        assert layers[n][1].data["env"] == {"X": "api"}
    # untouched subtrees stay shared
    assert layers["prod"][0].data is not objs["prod"][0][0]


# ------------------------------------------------------------------ errors: code, message, hint, position

@pytest.mark.parametrize("expr, message, hint", [
    ("self.expose.hots", "self.expose.hots does not exist", 'did you mean "host"? self.expose has: host, port'),
    ("self.replicas-1", "self.replicas-1 does not exist", 'put spaces around "-"'),
    ("self.args[5]", "self.args[5] does not exist", "self.args has 1 item"),
    ("slef.replicas", 'unknown name "slef"', 'did you mean "self"?'),
    ("apps.apii.replicas", "apps.apii does not exist", 'did you mean "api"?'),
    ("env.nmae", "env.nmae does not exist", 'did you mean "name"?'),
    ("vars.regoin", "vars.regoin does not exist", 'did you mean "region"?'),
    ("uper(self.name)", 'unknown function "uper"', 'did you mean "upper"?'),
    ("upper(1, 2)", "upper() takes 1 argument, got 2", "upper(s)"),
    ("1 + 'a'", 'cannot apply "+" to a number and a string', "str(x)"),
    ("'a' - 1", 'cannot apply "-" to a string and a number', "int(x)"),
    ("true + 1", 'cannot apply "+" to a boolean and a number', None),
    ("self.replicas / 0", "division by zero", "guard it"),
    ("5 % 0", "division by zero", None),
    ("1 < 'a'", "cannot compare a number with a string", None),
    ("1 and true", '"and" needs booleans, got a number', "compare explicitly"),
    ("1 if self.replicas else 2", "condition of `a if condition else b` must be a boolean", None),
    ("upper(1)", "upper() needs a string, got a number", None),
    ("int('x1')", "int() cannot read", None),
    ("min([])", "min() of an empty list", None),
    ("self.replicas.x", "self.replicas is a number", None),
    ("1 +", "expected a value, found the end of the expression", "${self.replicas * 2}"),
    ("(1 + 2", 'expected ")" to close "("', None),
    ("self.", 'expected a key after "."', None),
    ("a ? b : c", 'unexpected "?"', "a if condition else b"),
    ("1 ? 2 : 3", 'unexpected "?"', "a if condition else b"),
    ("1 2", 'expected an operator or "}", found "2"', None),
    ("1 if true", 'expected "else"', None),
    ("'abc", "string '...' is not closed", None),
    ("'\\q'", "unknown escape \\q", None),
    ("", "empty expression", None),
    ("1 < 2 < 3", "comparisons cannot be chained", None),
    ("99999999999999999999", "too large", None),
    ("9223372036854775807 + 1", "integer overflow", None),
    ("[self.args] + ' '", 'cannot apply "+" to a list and a string', None),
])
def test_errors_are_sky205_with_message_and_hint(expr, message, hint):
    e = err(expr, replicas=2, args=["a"], expose={"host": "h", "port": 1})
    assert e.code == "SKY205"
    assert message in e.message, e.message
    if hint is not None:
        assert e.hint and hint in e.hint, e.hint


def test_kind_and_name_cannot_hold_expressions():
    spec = make_spec({"name": "api-${env.name}", "other": "${self.name}"})
    diags = run(spec)
    assert [d.code for d in diags] == ["SKY205"] and "`name` cannot hold an expression" in diags.items[0].message
    assert spec.data["name"] == "api-${env.name}" and spec.data["other"] == "${self.name}"


def test_numeric_keys_after_a_dot():
    assert make_and_run({"codes": {"404": "missing"}, "x": "${self.codes.404}"})["x"] == "missing"


def test_a_map_or_list_in_text_is_an_error():
    spec = make_spec({"args": ["a"], "t": "args: ${self.args}"})
    [e] = run(spec).items
    assert e.code == "SKY205" and "cannot put a list into text" in e.message and "join(" in e.hint
    assert spec.data["t"] == "args: ${self.args}"


def test_unclosed_expression_in_text():
    spec = make_spec({"t": "a ${self.name and more"})
    [e] = run(spec).items
    assert e.code == "SKY205"
    assert spec.data["t"] == "a ${self.name and more"


def test_error_positions_point_at_the_dollar_brace(make_project):
    text = ("kind: App\n"
            "name: api\n"
            "plain: abc ${self.nope}\n"
            "dq: \"x ${1 + 'a'} y\"\n"
            "sq: 'q ${self.name} ${uper(1)}'\n"
            "list: [\"${1 / 0}\"]\n"
            "block: |\n"
            "  line ${self.nope2}\n")
    root = make_project({"apps/api.yaml": text})
    specs, diags = layered(root, "dev")
    got = {d.message.split(" in ${")[0].split(":")[0]: d.pos for d in diags}
    assert got["self.nope does not exist"] == Pos("apps/api.yaml", 3, 12, 12 + len("${self.nope}"))
    assert got['cannot apply "+" to a number and a string'] == Pos("apps/api.yaml", 4, 8, 8 + len("${1 + 'a'}"))
    c = text.splitlines()[4].index("${uper") + 1
    assert got['invalid expression ${uper(1)}'] == Pos("apps/api.yaml", 5, c, c + len("${uper(1)}"))
    assert got["division by zero (1 / 0)"] == Pos("apps/api.yaml", 6, 9, 9 + len("${1 / 0}"))
    # a block scalar spans lines: the position of the value itself
    assert got["self.nope2 does not exist"].line == 7
    assert all(d.code == "SKY205" for d in diags)
    assert specs["api"].data["sq"] == "q ${self.name} ${uper(1)}"  # a failed string stays as written


def test_every_problem_is_reported_not_just_the_first():
    spec = make_spec({"a": "${self.x1}", "b": "${self.x2} and ${1 / 0} and ${self.name}", "c": "${1 +}"})
    diags = run(spec)
    assert len(diags.items) == 4 and {d.code for d in diags} == {"SKY205"}
    assert spec.data["b"] == "${self.x2} and ${1 / 0} and ${self.name}"


def test_error_in_an_extended_string_points_into_the_overlay(make_project):
    ov = "apps:\n  api:\n    image+: \":${self.tagg}\"\n"
    root = make_project({"apps/api.yaml": "kind: App\nname: api\ntag: '1'\nimage: 'repo/${self.name}'\n",
                         "overlays/prod.yaml": ov})
    specs, diags = layered(root)
    [d] = diags.items
    assert d.pos == Pos("overlays/prod.yaml", 3, col(ov, 3), col(ov, 3) + len("${self.tagg}"))
    assert 'did you mean "tag"?' in d.hint


def test_dependents_of_a_failed_expression_fail_quietly():
    spec = make_spec({"a": "${self.nope}", "b": "${self.a + 1}", "c": "${self.b}"})
    diags = run(spec)
    assert len(diags.items) == 1
    assert spec.data["b"] == "${self.a + 1}" and spec.data["c"] == "${self.b}"


def test_cycle_across_two_files_prints_the_chain(make_project):
    spec = "kind: App\nname: api\nreplicas: 2\na: ${self.b}\nc: ${self.a}\n"
    ov = "apps:\n  api:\n    b: \"${self.a}\"\n"
    root = make_project({"apps/api.yaml": spec, "overlays/prod.yaml": ov})
    specs, diags = layered(root)
    [d] = diags.items
    a = f"apps/api.yaml:4:{col(spec, 4)}"
    b = f"overlays/prod.yaml:3:{col(ov, 3)}"
    assert d.code == "SKY206"
    assert d.message == f"reference cycle: {a} self.a -> {b} self.b -> {a} self.a"
    assert d.pos == Pos("apps/api.yaml", 4, col(spec, 4), col(spec, 4) + len("${self.b}"))
    assert specs["api"].data["a"] == "${self.b}" and specs["api"].data["c"] == "${self.a}"


def test_cycle_across_apps_and_self_reference():
    api = make_spec({"x": "${apps.db.y}"}, "apps/api.yaml")
    db = make_spec({"name": "db", "y": "${apps.api.x}"}, "apps/db.yaml")
    db.name = "db"
    diags = run(api, db)
    [d] = diags.items
    assert d.code == "SKY206" and "self.x -> apps/db.yaml:1:1 apps.db.y -> apps/api.yaml:1:1 self.x" in d.message
    me = make_spec({"whole": "${len(self)}"})
    [d] = run(me).items
    assert d.code == "SKY206" and d.message.endswith("self.whole -> apps/api.yaml:1:1 self.whole")


# ------------------------------------------------------------------ limits

def test_limits_refuse_abuse_quickly():
    t = time.perf_counter()
    for expr, message in [
        ("'x' * 1000000000", "more than the limit"),
        ("[1] * 1000000000", "more than the limit"),
        ("'x' * 1048575 + 'xx'", "more than the limit"),
        ("[1] * 99999 + [1, 2]", "more than the limit"),
        ("[[1] * 1000] * 100", "more than the limit"),
        ("[['aaaaaaaa'] * 10000] * 10000", "more than the limit"),
        ("replace('x' * 500000, 'x', 'xxxxx')", "more than the limit"),
        ("join(['x' * 900000, 'y' * 200000], '')", "more than the limit"),
        ("upper('x' * 1048577)", "more than the limit"),
        ("(" * 40 + "1" + ")" * 40, "nests more than"),
        ("-" * 40 + "1", "nests more than"),
        ("not " * 40 + "true", "nests more than"),
        ("[" * 40 + "]" * 40, "nests more than"),
        ("1+" * 1200 + "1", "longer than 2000 characters"),
        ("1e400", "too large"),
        ("1e300 * 1e300", "not finite"),
    ]:
        e = err(expr)
        assert e.code == "SKY205" and message in e.message, (expr[:30], e.message)
    assert time.perf_counter() - t < 2


def test_long_flat_expressions_are_fine():
    assert val("1 + " * 450 + "1") == 451
    assert val(" and ".join(["true"] * 200)) is True


def test_reference_chains_are_bounded():
    ok = {f"a{i}": f"${{self.a{i + 1} + 1}}" for i in range(20)}
    ok["a20"] = 0
    assert make_and_run(ok)["a0"] == 20
    deep = {f"a{i}": f"${{self.a{i + 1} + 1}}" for i in range(60)}
    deep["a60"] = 0
    spec = make_spec(deep)
    diags = run(spec)
    assert [d.code for d in diags] == ["SKY205"] and "levels deep" in diags.items[0].message


def test_nesting_summed_along_a_reference_chain_is_bounded():
    # each expression is within the limits; together they would overflow Python's stack
    n = 31
    data = {f"a{i}": "${" + "-" * 30 + f"self.a{i + 1}" + "}" for i in range(n)}
    data[f"a{n}"] = 0
    spec = make_spec(data)
    diags = run(spec)
    assert diags.items and all(d.code == "SKY205" and "256 levels" in d.message for d in diags)
    assert make_and_run({"a": "${" + "(" * 30 + "self.b + 1" + ")" * 30 + "}", "b": 1})["a"] == 2


def test_never_uses_python_eval():
    import skyspec.layers.expr as mod

    files = sorted(Path(mod.__file__).parent.glob("*.py"))
    assert len(files) > 1  # the package, every module of it
    for f in files:
        src = f.read_text()
        for word in ("eval(", "exec(", "compile(", "__import__", "import ast"):
            assert word not in src.replace("re.compile(", ""), (f.name, word)
    v, d = ev("__import__('os')")
    assert d.items and d.items[0].code == "SKY205"


# ------------------------------------------------------------------ property: arithmetic

leaf = st.integers(-1000, 1000).map(lambda n: ("n", n))
tree = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "/", "//", "%"]), inner, inner),
        st.tuples(st.just("neg"), inner),
    ),
    max_leaves=12,
)


class Refused(Exception):
    pass


def reference(t):
    """What the expression must evaluate to, computed here, independently of the parser."""
    if t[0] == "n":
        return t[1]
    if t[0] == "neg":
        return -reference(t[1])
    op, a, b = t[0], reference(t[1]), reference(t[2])
    if op in ("/", "//", "%") and b == 0:
        raise Refused
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    elif op == "/":
        r = a // b if type(a) is int and type(b) is int and a % b == 0 else a / b
    elif op == "//":
        r = a // b
    else:
        r = a % b
    if type(r) is int and abs(r) > 2**63 - 1:
        raise Refused
    return r


def render(t, spaced: bool) -> str:
    if t[0] == "n":
        return str(t[1]) if t[1] >= 0 else f"({t[1]})" if spaced else f"-{-t[1]}"
    if t[0] == "neg":
        return f"-({render(t[1], spaced)})"
    sp = " " if spaced else ""
    return f"({render(t[1], spaced)}{sp}{t[0]}{sp}{render(t[2], spaced)})"


@settings(max_examples=400, deadline=None)
@given(tree, st.booleans())
def test_arithmetic_matches_a_reference(t, spaced):
    text = render(t, spaced)
    try:
        expected = reference(t)
    except Refused:
        v, d = ev(text)
        assert [x.code for x in d] == ["SKY205"]
        return
    got = val(text)
    assert type(got) is type(expected)
    assert got == expected or (isinstance(got, float) and abs(got - expected) <= 1e-9 * max(1.0, abs(expected)))
