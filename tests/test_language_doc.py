"""docs/language.md, the language reference, is generated (`python -m skyspec.docgen`) and
current, and every example it shows compiles: each is built in a project of its own (with the
documents the examples refer to) and must give no error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import ROOT

from skyspec.docgen.language import examples, language_md

EXAMPLES = examples()


def test_the_reference_is_current():
    assert (ROOT / "docs" / "language.md").read_text() == language_md(), "run `python -m skyspec.docgen`"


def compile_project(root: Path, files: dict[str, str], env: str = "dev", want_files: bool = False):
    from skyspec.diagnostics import Diagnostics
    from skyspec.pipeline import FORMATS, Session, render

    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    diags = Diagnostics()
    session = Session(root / "skyspec.yaml", diags)
    compiled = session.compile_all() if session.project is not None else {}   # every environment
    files = {}
    if compiled and not diags.has_errors:   # what `build` checks and renders, every format
        files = dict(render(compiled, FORMATS, diags))
    return (compiled or None, diags, files) if want_files else (compiled or None, diags)


@pytest.mark.parametrize("ex", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_every_example_compiles(ex, tmp_path):
    compiled, diags, files = compile_project(tmp_path, ex.files, ex.env, want_files=True)
    errors = [f"{d.pos}: {d.code} {d.message}" for d in diags.errors]
    assert compiled is not None and not errors, "\n".join(errors) + "\n\n" + ex.shown
    assert ex.shown in ex.files.values() or ex.shown in ex.files["apps/example.yaml"], "the example shown is compiled"
    if ex.expect:
        [c] = api_containers(files, ex.env)
        for key, want in ex.expect.items():
            if key == "env":
                got = {e["name"]: e.get("value") for e in c.get("env", [])}
                assert {k: got.get(k) for k in want} == want, ex.id
            elif key == "ports":
                assert [p["containerPort"] for p in c.get("ports", [])] == want
            else:
                assert c.get(key) == want, (key, c.get(key))


def api_containers(files: dict, env: str) -> list:
    docs = [d for d in yaml.safe_load_all(files[f"{env}/kubernetes/api.yaml"]) if d]
    [dep] = [d for d in docs if d["kind"] == "Deployment"]
    return dep["spec"]["template"]["spec"]["containers"]


def test_an_expectation_can_fail(tmp_path):
    """The check of shown results is not vacuous: the expressions' example with a wrong value."""
    ex = next(e for e in EXAMPLES if e.id == "expressions")
    _, _, files = compile_project(tmp_path, ex.files, ex.env, want_files=True)
    [c] = api_containers(files, ex.env)
    got = {e["name"]: e.get("value") for e in c["env"]}
    assert got["REPLICAS_X2"] == "4" and got["LITERAL"] == "${HOME} is not expanded"
    assert {k: got.get(k) for k in ex.expect["env"]} == ex.expect["env"]
    assert {k: got.get(k) for k in ex.expect["env"]} != {**ex.expect["env"], "MODE": "single"}
    fn = next(e for e in EXAMPLES if e.id == "functions")
    assert len(fn.expect["env"]) == 10 and fn.expect["env"]["FN_UPPER"] == "EU-WEST"


def test_the_examples_are_many_and_distinct():
    ids = [e.id for e in EXAMPLES]
    assert len(ids) == len(set(ids)) and len(ids) > 200
