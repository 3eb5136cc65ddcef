"""The validators' generated code is fastjsonschema's, with bare failures: it accepts and
refuses exactly what fastjsonschema's own code for the same schema does (and fills in the
same defaults), on every schema skyspec validates with, over generated documents that are
mostly wrong in some way; and it is that code, not the verbose one, that the installed
fastjsonschema gives (the point: a quarter of the code to generate, compile and load)."""

from __future__ import annotations

import copy
import random

import fastjsonschema
import pytest
from fuzz.gen import RandGen
from fuzz.project import document
from fuzz.values import Ctx, obj

from skyspec.schema import vcache
from skyspec.schema.validate import KINDS, PARTIAL, load_schema

NAMES = sorted({*KINDS.values(), *(PARTIAL + n for n in KINDS.values()), "project.json", "overlay.json"})
FUZZ_KIND = {v: k for k, v in KINDS.items()}  # a kind the fuzz builders make documents of, by schema


def _function(text: str):
    scope = {"JsonSchemaValueException": vcache.Invalid, "JsonSchemaValuesException": vcache.Invalid}
    exec(compile(text.replace(vcache._IMPORT, "", 1), "<validator>", "exec"), scope)
    return next(v for k, v in scope.items() if k.startswith("validate") and callable(v))


def _outcome(fn, doc):
    data = copy.deepcopy(doc)
    try:
        return "ok", fn(data), data
    except vcache.Invalid:
        return "invalid", None, None
    except fastjsonschema.JsonSchemaValueException:
        return "invalid", None, None


def _schema(name: str) -> dict:
    made = copy.deepcopy(load_schema(name))
    made.pop("$schema", None)
    return made


def _documents(name: str, n: int):
    """``n`` documents for the schema ``name``: the fuzz builders' (clean, edgy and mutated)
    for its kind, each also cut down to half its fields (a partial schema's layer)."""
    base = name[len(PARTIAL):] if name.startswith(PARTIAL) else name
    kind = FUZZ_KIND.get(base)
    rng = random.Random(f"validator-code:{name}")
    for i in range(n):
        if kind is None:  # the project file and overlays: random values of the schema's properties
            ctx = Ctx(RandGen(rng), p_opt=0.5, p_mut=0.3 if i % 2 else 0.0, p_edge=0.2)
            ctx.defs = load_schema(base).get("$defs", {})
            doc = obj(ctx, load_schema(base), None, 0)
        else:
            ctx = Ctx(RandGen(rng), p_opt=0.4, p_mut=(0.0, 0.05, 0.3)[i % 3], p_edge=0.2, kind=kind)
            doc = document(ctx, kind, "api", {})
        yield doc
        if isinstance(doc, dict):
            yield {k: v for j, (k, v) in enumerate(doc.items()) if j % 2 == 0}


@pytest.mark.parametrize("name", NAMES)
def test_terse_code_judges_as_fastjsonschemas_own(name):
    before = vcache.STATS["verbose"]
    terse = vcache.generated_code(_schema(name))
    assert vcache.STATS["verbose"] == before  # the installed fastjsonschema is laid out as expected
    verbose = fastjsonschema.compile_to_code(_schema(name), use_formats=False)
    assert "definition=" not in terse and "definition=" in verbose
    assert len(terse) < len(verbose)
    mine, theirs = _function(terse), _function(verbose)
    seen = {"ok": 0, "invalid": 0}
    for doc in _documents(name, 60):
        got, want = _outcome(mine, doc), _outcome(theirs, doc)
        assert got == want, doc
        seen[got[0]] += 1
    assert seen["ok"] and seen["invalid"], seen  # both ways taken: a comparison that could fail


def test_the_largest_schema_code_is_a_quarter_of_fastjsonschemas():
    terse = vcache.generated_code(_schema("app.json"))
    verbose = fastjsonschema.compile_to_code(_schema("app.json"), use_formats=False)
    assert len(terse) * 4 < len(verbose)
