"""The published JSON Schemas: current, valid, self-consistent, and accepting every
example and documentation snippet."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from conftest import EXAMPLES, ROOT
from skyspec.schema.spec import all_schemas, dumps
from skyspec.schema.validate import KINDS, _fast, load_schema

SCHEMAS = ROOT / "schemas"


def test_committed_schemas_are_current():
    from skyspec.commands.schema import stdlib_templates

    generated = all_schemas(stdlib_templates())  # the editors' schemas know the stdlib templates
    committed = {p.name for p in SCHEMAS.glob("*.json")}
    assert committed == set(generated), "run `skyspec schema -o schemas`"
    for name, schema in generated.items():
        assert (SCHEMAS / name).read_text() == dumps(schema), f"{name} is stale: run `skyspec schema -o schemas`"


def test_every_kind_has_a_schema_with_an_id_and_descriptions():
    for kind, name in KINDS.items():
        s = load_schema(name)
        Draft202012Validator.check_schema(s)
        assert s["$id"].endswith(name) and s["$schema"].endswith("2020-12/schema")
        assert s["description"]
        for prop, sub in s["properties"].items():
            if prop not in ("kind", "name"):
                assert "description" in sub or "$ref" in sub or "anyOf" in sub or "enum" in sub or "const" in sub \
                    or "type" in sub, (name, prop)


def _inline(node, defs):
    """A subschema with its `#/$defs/...` references replaced by the definitions, so it can
    be checked on its own (no base URI, no registry)."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(defs[ref[len("#/$defs/"):]], defs)
        return {k: (v if k in ("examples", "const", "enum") else _inline(v, defs)) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(x, defs) for x in node]
    return node


def _subschemas_with_examples(node):
    if isinstance(node, dict):
        if "examples" in node:
            yield node
        for v in node.values():
            yield from _subschemas_with_examples(v)
    elif isinstance(node, list):
        for v in node:
            yield from _subschemas_with_examples(v)


@pytest.mark.parametrize("name", sorted(all_schemas()))
def test_schema_examples_validate(name):
    root = load_schema(name)
    for sub in _subschemas_with_examples(root):
        v = Draft202012Validator(_inline({k: x for k, x in sub.items() if k != "examples"}, root.get("$defs", {})))
        for ex in sub["examples"]:
            errors = list(v.iter_errors(ex))
            assert not errors, (name, ex, errors[0].message)


def _in_a_project(f: Path) -> bool:
    """Under an example project (not, e.g., examples/argocd-cmp/, which holds Kubernetes objects)."""
    return any((p / "skyspec.yaml").is_file() or (p / "skyspec.toml").is_file()
               for p in f.parents if p.is_relative_to(EXAMPLES))


def _project_root(f: Path) -> Path:
    """The folder of the project file above ``f`` (or ``f``'s own folder, for a document snippet)."""
    return next((p for p in f.parents if (p / "skyspec.yaml").is_file() or (p / "skyspec.toml").is_file()), f.parent)


def _spec_file(f: Path) -> bool:
    """A file the project's `specs` globs match (not a template, overlay or project file)."""
    root = _project_root(f)
    project = root / "skyspec.yaml"
    if not project.is_file():
        return "overlays" not in f.parts and f.name != "skyspec.toml"
    globs = yaml.safe_load(project.read_text()).get("specs") or []
    return any(f in set(root.glob(g)) for g in globs)


def _example_docs():
    for f in sorted(EXAMPLES.rglob("*")):
        if not _in_a_project(f) or not f.is_file() or not _spec_file(f):
            continue
        if f.suffix in (".yaml", ".yml") and "overlays" not in f.parts and f.name != "skyspec.yaml":
            for d in yaml.safe_load_all(f.read_text()):
                if isinstance(d, dict) and "kind" in d:
                    yield f, d
        elif f.suffix == ".toml" and f.name != "skyspec.toml":
            import tomli
            d = tomli.loads(f.read_text())
            if "kind" in d:
                yield f, d


def _doc_snippets():
    for md in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```yaml\n(.*?)```", md.read_text(), flags=re.S):
            for d in yaml.safe_load_all(block):
                # a template (`kind` and `spec`, no name) is no spec; a spec using a project template
                # shown beside it is compiled in its project by tests/test_language_doc.py
                if isinstance(d, dict) and d.get("kind") in KINDS and "name" in d \
                        and not str(d.get("use", "")).startswith("."):
                    yield md, d


def test_every_example_and_docs_snippet_validates():
    seen = 0
    from skyspec.diagnostics import Diagnostics, Sources
    from skyspec.layers.templates import Templates, params_schema, split_params

    for where, doc in list(_example_docs()) + list(_doc_snippets()):
        schema = load_schema(KINDS[doc["kind"]])
        if "use" in doc:  # a template supplies required fields; its parameters have their own schema
            t = Templates(_project_root(where), Diagnostics(), Sources()).get(doc["use"], None)
            assert t is not None, (str(where), doc["use"])
            doc, params = split_params(doc, t)
            errors = [e.message for e in Draft202012Validator(params_schema(t)).iter_errors(params)]
            assert not errors, (str(where), errors)
            schema = {**schema, "required": ["kind", "name"]}
        errors = [e.message for e in Draft202012Validator(schema).iter_errors(doc)]
        assert not errors, (str(where), doc.get("name"), errors)
        if "use" not in doc:
            _fast(KINDS[doc["kind"]])(doc)  # the compiled fast path agrees
        seen += 1
    assert seen >= 8


def test_fast_and_full_validators_agree_on_bad_documents():
    bad = [{"kind": "App", "name": "a", "image": "x:1", "replicas": "3"},
           {"kind": "App", "name": "a", "image": "x:1", "ports": {"http": 70000}},
           {"kind": "CronJob", "name": "a", "image": "x:1"},
           {"kind": "StatefulApp", "name": "a", "image": "x:1", "storage": {"data": {"mount": "/d"}}}]
    for doc in bad:
        name = KINDS[doc["kind"]]
        assert list(Draft202012Validator(load_schema(name)).iter_errors(doc))
        with pytest.raises(Exception):
            _fast(name)(doc)


def test_check_jsonschema_accepts_the_example_specs(tmp_path):
    """How an editor or CI sees our published schemas: the real check-jsonschema CLI."""
    files = []
    # a spec on a template is checked with the template's parameters (above): app.json alone requires `image`
    for i, (where, doc) in enumerate(d for d in _example_docs() if d[1]["kind"] == "App" and "use" not in d[1]):
        p = tmp_path / f"doc{i}.json"
        p.write_text(json.dumps(doc))
        files.append(str(p))
    assert files
    r = subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(SCHEMAS / "app.json"), *files],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"kind": "App", "name": "a", "image": "x:1", "replica": 2}))
    r = subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(SCHEMAS / "app.json"), str(bad)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1


def test_docs_diagnostics_is_current():
    from skyspec.docgen import diagnostics_md
    assert (ROOT / "docs" / "diagnostics.md").read_text() == diagnostics_md(), "run `python -m skyspec.docgen`"


def test_docs_limits_is_current():
    from skyspec.docgen import limits_md
    assert (ROOT / "docs" / "limits.md").read_text() == limits_md(), "run `python -m skyspec.docgen`"


def test_every_code_used_in_the_compiler_is_registered():
    from skyspec.rules import all_codes
    CODES = all_codes()
    used = set()
    for f in (ROOT / "compiler" / "skyspec").rglob("*.py"):
        used |= set(re.findall(r'"(SKY\d{3})"', f.read_text()))
    missing = used - set(CODES)
    assert not missing, f"register these in codes.py: {sorted(missing)}"
