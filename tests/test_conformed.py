"""A merged spec's fields found conforming in one environment are not validated again in the
next (schema.validate.Conformed): what an environment changes is still checked, whole-document
rules (required fields, unknown keys) included, and reported as a full check reports it."""

import json

from skyspec.schema.validate import Conformed, conforms

API = "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0.0\nport: 8080\nreplicas: 2\nenv: {A: '1'}\n"

PROJECT = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  dev: {overlays: [overlays/dev.yaml]}
  prod: {overlays: [overlays/prod.yaml]}
"""


def errors(r):
    return sorted((d["code"], d.get("file"), d.get("line"), d["message"])
                  for d in json.loads(r.stdout) if d["severity"] == "error")


def test_a_required_field_deleted_in_the_second_environment_is_reported(make_project, cli):
    make_project({"apps/api.yaml": API, "overlays/dev.yaml": "apps: {api: {replicas: 1}}\n",
                  "overlays/prod.yaml": "apps:\n  api:\n    image: null\n"}, project=PROJECT)
    r = cli("check", "--diagnostics-format", "json")
    assert r.exit_code == 1
    assert [(code, msg) for code, _, _, msg in errors(r)] == [("SKY103", 'the document is missing required field "image"')]


def test_a_field_changed_in_the_second_environment_is_checked(make_project, cli):
    # `ports: {}` conforms to the partial schema (no counts there) but not to the whole one
    make_project({"apps/api.yaml": API.replace("port: 8080\n", "ports: {http: 8080}\n"),
                  "overlays/dev.yaml": "{}\n",
                  "overlays/prod.yaml": "apps:\n  api:\n    ports!: {}\n"}, project=PROJECT)
    r = cli("check", "--diagnostics-format", "json")
    assert r.exit_code == 1
    assert errors(r) == [("SKY108", "overlays/prod.yaml", 3, "ports: {} should be non-empty")]


def test_conformed_agrees_with_the_validator_on_shared_and_changed_fields():
    known = Conformed()
    base = {"kind": "App", "name": "api", "image": "ghcr.io/acme/api:1", "ports": {"http": 8080}, "env": {"A": "1"}}
    assert known(base, "app.json")
    shared = {**base, "env": {"A": 2}}                 # a changed field, the others the same objects
    assert known(shared, "app.json") == conforms(shared, "app.json") is True
    bad = {**base, "ports": {}}                        # minProperties: 1
    assert known(bad, "app.json") is conforms(bad, "app.json") is False
    missing = {k: v for k, v in base.items() if k != "image"}  # every field known, a required one gone
    assert known(missing, "app.json") is conforms(missing, "app.json") is False
    extra = {**base, "replica": 2}                      # an unknown key is never known
    assert known(extra, "app.json") is conforms(extra, "app.json") is False
    assert known([base], "app.json") is conforms([base], "app.json") is False


def test_no_kind_schema_fills_in_a_default():
    """The compiled validators write a schema's `default` into the data they check. Conformed
    and the layer check's memo skip data found conforming before, so they would skip that
    write too: no kind's schema (nor its partial variant) may hold a `default`."""
    from skyspec.schema.validate import KINDS, PARTIAL, load_schema

    def defaults(s, at=()):
        if isinstance(s, dict):
            for k, v in s.items():
                if k == "default" and at[-1:] != ("properties",):
                    yield at
                yield from defaults(v, (*at, k))
        elif isinstance(s, list):
            for i, v in enumerate(s):
                yield from defaults(v, (*at, i))

    for name in sorted(set(KINDS.values())):
        for schema in (name, PARTIAL + name):
            assert not list(defaults(load_schema(schema))), schema


def test_a_map_of_too_many_keys_is_said_the_same_whatever_their_order(make_project, cli):
    # jsonschema's message quotes the map as written: `skyspec fmt`, which orders the keys,
    # changed what `check` said (fuzz seed 86, case 1278)
    said = []
    for strategy in ("{canary: {percent: 10}, rolling: {}}", "{rolling: {}, canary: {percent: 10}}"):
        make_project({"apps/api.yaml": API, "overlays/dev.yaml": "{}\n",
                      "overlays/prod.yaml": f"apps:\n  api:\n    strategy!: {strategy}\n"}, project=PROJECT)
        r = cli("check", "--diagnostics-format", "json")
        said.append([(code, msg) for code, _, _, msg in errors(r)])
    assert said[0] == said[1] == [("SKY108", "strategy has 2 keys (canary, rolling): at most 1")]


def test_a_value_too_long_is_said_by_its_length_not_quoted_whole(make_project, cli):
    # jsonschema's message quotes the value: a 70,000-character label value made a message as
    # long (fuzz seed 87, case 920, where the fuzzer's own place pattern then took minutes on it)
    make_project({"apps/api.yaml": API + "labels: {tier: " + "x" * 5000 + "}\n", "overlays/dev.yaml": "{}\n",
                  "overlays/prod.yaml": "{}\n"}, project=PROJECT)
    r = cli("check", "--diagnostics-format", "json")
    (msg,) = {m for _, _, _, m in errors(r)}
    assert msg == 'labels.tier "' + "x" * 56 + '..." is 5000 characters long: at most 63'
