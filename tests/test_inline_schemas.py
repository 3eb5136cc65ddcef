"""Schemas written by users (a template's `params`) are tried with the compiled validator
first, and a declaration's keywords are seen to be well formed without the metaschema, so a
project whose templates conform never imports jsonschema. Both shortcuts may only ever say
yes where the full validator (jsonschema, 2020-12) says yes: these tests hold them to it."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings, strategies as st
from jsonschema import Draft202012Validator

from conftest import ROOT, write_tree
from skyspec.layers.params import _PLAINLY, _plainly_valid
from skyspec.schema.validate import _inline_passes, _validator_class

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-5, 5, allow_nan=False),
                    st.sampled_from(["", "a", "ab", "7.4", "abc\n", "A-1", "1"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.sampled_from(["a", "b", "c"]), inner,
                                                                      max_size=3)), max_leaves=8)
types = st.sampled_from(["string", "integer", "number", "boolean", "object", "array", "null"])
plain = st.fixed_dictionaries({}, optional={
    "type": st.one_of(types, st.lists(types, min_size=1, max_size=2, unique=True)),
    "minimum": st.integers(-2, 2), "maximum": st.integers(-2, 2), "exclusiveMinimum": st.integers(-2, 2),
    "minLength": st.integers(0, 2), "maxLength": st.integers(0, 2), "pattern": st.sampled_from(["^a", "^[a-z]+$", "b"]),
    "minItems": st.integers(0, 2), "maxItems": st.integers(0, 2), "required": st.lists(st.sampled_from("abc"),
                                                                                         unique=True, max_size=2),
    "description": st.just("d"), "examples": st.just(["x"]), "x-hint": st.just("h"),
    # keywords the compiled validator reads otherwise: the shortcut must step aside for them
    "enum": st.lists(scalars, max_size=3), "const": scalars, "uniqueItems": st.booleans()})
schemas = st.recursive(plain, lambda inner: st.one_of(
    st.builds(lambda p, s: {**p, "properties": s}, plain, st.dictionaries(st.sampled_from("abc"), inner, max_size=2)),
    st.builds(lambda p, s: {**p, "items": s}, plain, inner),
    st.builds(lambda p, s: {**p, "additionalProperties": s}, plain, st.one_of(st.booleans(), inner)),
    st.builds(lambda s: {"anyOf": s}, st.lists(inner, min_size=1, max_size=2)),
    st.builds(lambda s: {"oneOf": s}, st.lists(inner, min_size=1, max_size=2)),
    st.builds(lambda s: {"not": s}, inner),
    st.builds(lambda s: {"type": "object", "propertyNames": s}, inner)), max_leaves=4)


@settings(max_examples=400, deadline=None)
@given(schemas, values)
def test_the_compiled_shortcut_never_accepts_what_the_full_validator_refuses(schema, value):
    if _inline_passes(value, schema):
        assert _validator_class()(schema).is_valid(value), (schema, value)


def test_the_shortcut_is_taken_for_shared_keywords_and_not_for_enum():
    assert _inline_passes("7.4", {"type": "string", "minLength": 1})
    assert not _inline_passes(True, {"enum": [1]})  # 1 == True in Python, not in JSON Schema
    assert not Draft202012Validator({"enum": [1]}).is_valid(True)


meta_values = st.one_of(values, types, st.lists(types, max_size=3), st.lists(st.sampled_from("abc"), max_size=3),
                        st.integers(-3, 3))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(_PLAINLY)), meta_values)
def test_a_plainly_valid_keyword_is_one_the_metaschema_accepts(keyword, value):
    if _plainly_valid(keyword, value):
        meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
        assert meta.is_valid({keyword: value}), (keyword, value)


def test_a_project_with_templates_does_not_import_jsonschema(tmp_path):
    """Not for a template's parameters, nor for the template's own values: those holding a
    `${...}` (`image: "ghcr.io/acme/py:${self.tag}"`) fail the compiled check, and the full one,
    which finds nothing, is remembered in the project's cache for the next run."""
    proj = write_tree(tmp_path / "p", {
        "skyspec.yaml": "project: demo\nnamespace: demo\nspecs: ['apps/*']\nenvironments:\n  dev: {overlays: []}\n",
        "apps/cache.yaml": "kind: StatefulApp\nname: cache\nuse: redis\nversion: '7.4'\nconfig: {maxmemory: 2gb}\n",
        "apps/job.yaml": "kind: App\nname: web\nuse: ./t.yaml\nmodule: web.main\n",
        "t.yaml": "kind: App\nparams:\n  module: {type: string, minLength: 1, description: the module}\n"
                  "  tag: {type: string}\n"
                  "spec:\n  tag: '1.0'\n  image: 'ghcr.io/acme/py:${self.tag}'\n  port: 8080\n"
                  "  command: [python, -m, '${self.module}']\n"})
    # click's main in-process: the command's own exit (`skyspec.cli.run`) leaves before a print
    code = ("import gc, sys; gc.disable(); from skyspec.cli import main\n"
            "try:\n    main(['check', sys.argv[1]], prog_name='skyspec')\nexcept SystemExit as e:\n"
            "    assert not e.code, e.code\n"
            "print('jsonschema' in sys.modules)\n")

    def imported(*env: str) -> bool:
        r = subprocess.run([sys.executable, "-c", code, str(proj)], capture_output=True, text=True, timeout=120,
                           env={"PYTHONPATH": str(ROOT / "compiler"), "PATH": "/usr/bin:/bin",
                                "XDG_CACHE_HOME": str(tmp_path / "xdg"), **dict(e.split("=") for e in env)})
        assert r.returncode == 0, r.stderr
        return r.stdout.strip().splitlines()[-1] == "True"

    assert imported("SKYSPEC_CACHE=0")  # the template's `image: ...:${self.tag}` fails the compiled check
    assert imported()  # which the first run with a cache checks fully, and remembers
    (proj / "apps/job.yaml").write_text("kind: App\nname: web\nuse: ./t.yaml\nmodule: web.app\n")  # a new run
    assert not imported()
