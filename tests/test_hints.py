"""Every error and warning says how to fix it: a hint, also where the schema has no `x-hint`
(phrased from the failing keyword and the schema's examples), for expressions, overlays and
the lowering's own checks. The fuzz harness holds every error of its generated projects to it
(tests/fuzz/harness.py); here, the phrasing of each kind and a scan of the source that no
call reports a problem without one."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from skyspec.diagnostics import name_hint
from skyspec.schema import hints

PKG = Path(__file__).resolve().parents[1] / "compiler" / "skyspec"

APP = """
kind: App
name: api
image: ghcr.io/acme/api:1.0.0
port: 8080
"""


def diags(cli, *args) -> dict[tuple[str, int], dict]:
    """The errors of a check, by (file name, line)."""
    r = cli("check", "--diagnostics-format", "json", *args)
    return {(d["file"].rsplit("/", 1)[-1], d["line"]): d for d in json.loads(r.stdout) if d["severity"] == "error"}


def test_schema_errors_without_an_x_hint_get_one_from_the_keyword_and_the_examples(make_project, cli):
    make_project({"apps/api.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        replicas: three
        ports: {http: 0}
        env: {"1bad": x}
        health: {http: healthz}
        volumes: {a: {mount: /x}}
        command:
        """})
    got = diags(cli)
    assert got["api.yaml", 4]["hint"] == "write a whole number, without quotes, e.g. `replicas: 3`"
    assert got["api.yaml", 5]["hint"] == "use a value from 1 to 65535"
    assert "environment variable's name is letters, digits" in got["api.yaml", 6]["hint"]
    assert got["api.yaml", 7]["hint"] == "write an absolute path, starting with `/`"
    assert got["api.yaml", 8]["hint"].startswith("keep one of `empty: true`")
    assert got["api.yaml", 9]["hint"].startswith("give `command` a value, or remove the key")


def test_a_value_of_no_form_of_an_any_of_names_each_form_and_the_fix(make_project, cli):
    """`ports: {http: "8080"}` read "must be a map" with a hint about a map's keys: the number
    form, a `$ref` branch, went unsaid. Each form is named, and a number in quotes is unquoted."""
    make_project({"apps/api.yaml": APP.replace("port: 8080", 'ports:\n  http: "8080"\n  admin: [9090]')})
    got = diags(cli)
    (d,) = [d for (f, line), d in got.items() if "ports.http" in d["message"]]
    assert d["message"] == 'ports.http must be an integer or a map, got "8080"' and d["hint"] == "write 8080 without quotes"
    (d,) = [d for (f, line), d in got.items() if "ports.admin" in d["message"]]
    assert d["message"].startswith("ports.admin must be an integer or a map, got") and "without quotes" not in d["hint"]


def test_a_hint_never_shows_a_secret_value(make_project, cli):
    make_project({"apps/api.yaml": APP + "---\nkind: Secret\nname: creds\ndata: {password: 987654321}\n"})
    r = cli("check", "--diagnostics-format", "json")
    (d,) = [d for d in json.loads(r.stdout) if d["code"] == "SKY104"]
    assert d["hint"] and "987654321" not in r.stdout + r.stderr


def test_an_expression_of_the_wrong_type_is_told_so(make_project, cli):
    make_project({"apps/api.yaml": APP,
                  "overlays/prod.yaml": "apps:\n  api:\n    replicas: ${'2' + 'x'}\n    labels: ${'a' * 2}\n"})
    got = diags(cli)
    assert got["prod.yaml", 3]["hint"] == \
        "the `${...}` expression gives a string: make it give an integer (`int(x)` converts)"
    assert got["prod.yaml", 4]["hint"] == "the `${...}` expression gives a string: make it give a map"


def test_arithmetic_on_booleans_says_what_the_operator_takes(make_project, cli):
    make_project({"apps/api.yaml": APP, "overlays/prod.yaml": "apps:\n  api:\n    replicas: ${true + 1}\n"})
    (d,) = diags(cli).values()
    assert d["code"] == "SKY205" and d["hint"].startswith('"+" takes two numbers, or two strings or two lists; '
                                                          "true and false are not numbers")


def test_a_quantity_extended_with_plus_is_told_that_strings_join(make_project, cli):
    # `memory+: 1Gi` reads as "add 1Gi" to a Jsonnet user; it joined the strings into "256Mi1Gi"
    make_project({"apps/api.yaml": APP + "resources: {cpu: 100m, memory: 256Mi}\n",
                  "overlays/prod.yaml": "apps:\n  api:\n    resources: {memory+: 1Gi}\n"})
    (d,) = diags(cli).values()
    assert d["code"] == "SKY112" and d["message"] == 'resources.memory: "256Mi1Gi" is not a valid quantity'
    assert d["hint"] == '`memory+:` joins strings, after "256Mi": a quantity is not added to; write the total with `memory:`'


def test_an_overlay_naming_no_spec_lists_them_or_points_a_glob_to_match(make_project, cli):
    make_project({"apps/api.yaml": APP,
                  "overlays/prod.yaml": "apps:\n  'api-*': {replicas: 2}\n  zzz: {replicas: 2}\n"})
    got = diags(cli)
    assert "`match: [{where: {name: 'api-*'}" in got["prod.yaml", 2]["hint"]
    assert got["prod.yaml", 3]["hint"] == "specs: api"


def test_removing_a_key_that_is_not_there_names_the_keys_that_are(make_project, cli):
    make_project({"apps/api.yaml": APP + "labels: {tier: web}\n",
                  "overlays/prod.yaml": "apps:\n  api:\n    labels-: [team]\n"})
    (d,) = diags(cli).values()
    assert d["code"] == "SKY204" and d["hint"] == 'the keys of "labels": skyspec.dev/env, tier'


def test_invalid_yaml_always_gets_a_hint(make_project, cli):
    make_project({"apps/api.yaml": APP + "command: [a, b\n"})
    (d,) = diags(cli).values()
    assert d["code"] == "SKY001" and "unclosed quote or bracket" in d["hint"]


@pytest.mark.parametrize("keyword, schema, inst, leaf, want", [
    ("type", {"type": "boolean"}, "yes", "protected", "write true or false, without quotes"),
    ("type", {"type": "object", "properties": {"cpu": {}, "memory": {}}}, 1, "resources",
     "write a map with the keys it takes (cpu, memory)"),
    ("type", {"type": "array", "examples": [["a", "b"]]}, "a", "args",
     "write a list: `[a, b]`, or one `- item` line per element, e.g. `args: [a, b]`"),
    ("maximum", {"maximum": 10}, 11, "x", "use a value at most 10"),
    ("exclusiveMinimum", {"exclusiveMinimum": 0}, 0, "x", "use a value above 0"),
    ("minItems", {"minItems": 1}, [], "specs", "list at least 1 item, or leave the key out"),
    ("maxProperties", {"maxProperties": 1}, {}, None, "keep at most 1 key: the others are alternatives"),
    ("pattern", {"pattern": "^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?)[-+!]?$"}, "A", None,
     "use lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. `api`)"),
    ("pattern", {"pattern": "^x+$"}, "y", None, "it must match the regular expression `^x+$`"),
    ("pattern", {"pattern": "^x+$", "examples": ["xx"]}, "y", "k",
     "write it in the form the field takes, e.g. `k: xx`"),
])
def test_fallback_hints(keyword, schema, inst, leaf, want):
    assert hints.hint(keyword, schema, inst, leaf) == want


def test_at_a_python_line_the_yaml_examples_are_left_out():
    assert hints.hint("type", {"type": "integer", "examples": [3]}, "x", "replicas", python=True) == \
        "write a whole number, without quotes"
    assert hints.required({"properties": {"image": {"examples": ["nginx:1.27"]}}}, "image") == "add `image: nginx:1.27`"
    assert hints.required({"properties": {"image": {"examples": ["nginx:1.27"]}}}, "image", python=True) == \
        "add `image`"


def test_name_hint():
    assert name_hint("apl", ["api", "web"], "workloads") == 'did you mean "api"?'
    assert name_hint("zzz", ["web", "api"], "workloads") == "workloads: api, web"
    assert name_hint("zzz", [f"w{i:02}" for i in range(12)], "workloads").endswith("w09 and 2 more")
    assert name_hint("zzz", [], "workloads") == "there are no workloads here"


def _calls_without_hint(tree: ast.AST, names: set[str], first_is_code: bool, hint_at: int):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name not in names:
            continue
        if first_is_code and not (node.args and isinstance(node.args[0], ast.Constant)
                                  and str(node.args[0].value).startswith("SKY")):
            continue  # not a report of a problem (e.g. logging.error)
        given = {k.arg: k.value for k in node.keywords}
        hint = node.args[hint_at] if len(node.args) > hint_at else given.get("hint")
        if hint is None or isinstance(hint, ast.Constant) and hint.value is None:
            yield node.lineno


def test_no_report_in_the_source_goes_without_a_hint():
    missing = []
    for path in sorted(PKG.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(PKG)
        missing += [f"{rel}:{n} (diagnostic)" for n in _calls_without_hint(tree, {"error", "warning"}, True, 3)]
        missing += [f"{rel}:{n} (ExprError)" for n in _calls_without_hint(tree, {"ExprError", "MissingRef"}, False, 1)]
    assert not missing, "reported without a hint:\n" + "\n".join(missing)


def test_the_source_scan_notices_a_report_without_a_hint():
    tree = ast.parse('d.error("SKY104", "bad", pos)\nd.warning("SKY401", "w", pos, hint=None)\n'
                     'd.error("SKY104", "ok", pos, hint="fix it")\nraise ExprError("x")\nlog.error("not a report")\n')
    assert list(_calls_without_hint(tree, {"error", "warning"}, True, 3)) == [1, 2]
    assert list(_calls_without_hint(tree, {"ExprError", "MissingRef"}, False, 1)) == [4]
