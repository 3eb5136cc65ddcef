"""Derivations unfolded: a :class:`~skyspec.ir.why.Why` into the answer `explain` shows.

:func:`unfold` turns a recorded derivation into an :class:`~.values.Answer` carrying the
rule and, as its sources, one answer per input, nested as deep as the derivations go: a
spec value with its history through the layers (:func:`~.values.explain_spec`), an
environment setting with the profile or overlay line that set it, a value of the project
file with its line, a documented default with the file and line of the constant that holds
it, or another derivation, unfolded the same way. Every leaf is then a line a person wrote
or a documented default. :func:`leaves` walks an answer down to them.

Positions are looked up only here, when asked: recording a Why costs a tuple. This module
reads provenance and skyspec's own source files (for a constant's line); it must not
trace manifest paths (that is :mod:`.fields`) nor format text.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from ..ir.why import OWN, In, Why
from ..paths import shown_path
from ..provenance import MISSING
from .path import show_path
from .values import Answer, Step, explain_spec, value_at

DEPTH = 12   # derivations nest a few levels; a deeper one is cut (never a cycle: records are made in order)


def unfold(why: Why, env: str, query: str = "", value: Any = MISSING, depth: int = 0, own: Any = None) -> Answer:
    """The answer for a value ``why`` made: its rule, and each input's own answer. ``own``
    is the spec of the workload the record was kept on (what :data:`~skyspec.ir.why.OWN`
    inputs read)."""
    ans = Answer(query or why.rule.name, env, why.value if value is MISSING else value)
    ans.rule = why.rule
    ans.kind = "derived"
    if depth >= DEPTH:
        ans.note = "(derivation cut short)"
        return ans
    ans.sources = [answer_input(i, env, depth + 1, own) for i in why.inputs]
    return ans


def answer_input(inp: In, env: str, depth: int = 0, own: Any = None) -> Answer:
    """The answer for one input of a rule, by its kind."""
    if inp.kind == "why":
        ans = unfold(inp.src, env, inp.label or inp.src.rule.name, depth=depth, own=own)
        ans.label = inp.label
        return ans
    if inp.kind == "spec":
        ans = _spec(inp, env, own)
    else:
        ans = {"setting": _setting, "project": _project, "default": _default}[inp.kind](inp, env)
    ans.kind = inp.kind
    ans.label = inp.label
    return ans


def _spec(inp: In, env: str, own: Any = None) -> Answer:
    spec = own if inp.src is OWN else inp.src
    if spec is None:
        return Answer(show_path(inp.path), env, note="not traced to a spec")
    ans = explain_spec(spec, inp.path, env, secret=spec.kind == "Secret")
    if not ans.chain:   # a value a spec does not hold: its nearest enclosing value's line
        node = spec.prov.nearest(inp.path)
        if node is not None and node.pos is not None:
            p = node.pos
            ans.chain = [Step("spec", p.file, p.line, p.col, "set")]
            ans.note = "not set: where it would be"
    return ans


def _setting(inp: In, env: str) -> Answer:
    ir = inp.src
    path = inp.path
    ans = Answer("settings." + show_path(path), env, value_at(ir.settings, path))
    layers = ir.inputs.settings if ir.inputs is not None else ()
    for ov in layers:
        block = (ov.data or {}).get("settings") if isinstance(ov.data, dict) else None
        if not isinstance(block, dict) or path[0] not in block:
            continue
        loc = ov.doc.loc.find(("settings",) + tuple(path)) or ov.doc.loc.find(("settings", path[0]))
        p = loc.pos if loc is not None else None
        op = "set" if not ans.chain else "replace"
        ans.chain.append(Step(ov.layer, p.file if p else None, p.line if p else None, p.col if p else None, op))
    return ans


def _project(inp: In, env: str) -> Answer:
    ir = inp.src
    project = ir.inputs.project if ir.inputs is not None else None
    ans = Answer("project:" + show_path(inp.path), env)
    if project is None:
        ans.note = "no project"
        return ans
    ans.value = value_at(project.data, inp.path)
    node = project.prov.find(inp.path) or project.prov.nearest(inp.path)
    for e in node.hist:
        p = e.pos
        ans.chain.append(Step(e.layer, p.file if p else None, p.line if p else None, p.col if p else None, e.op))
    return ans


def _default(inp: In, env: str) -> Answer:
    name, *key = inp.path
    module = importlib.import_module(inp.src)
    value = value_at(getattr(module, name), tuple(key))
    if isinstance(value, tuple):
        value = list(value)
    short = inp.src.rpartition(".")[2]
    ans = Answer(f"default {short}.{name}" + "".join(f"[{k!r}]" for k in key), env, value)
    file = getattr(module, "__file__", None)
    line, col = constant_line(file, name, tuple(key)) if file else (None, None)
    ans.chain = [Step("default", shown_path(Path(file)) if file else None, line, col, "default")]
    return ans


@lru_cache(maxsize=256)
def constant_line(file: str, name: str, key: tuple = ()) -> tuple[int | None, int | None]:
    """The line and column where module-level constant ``name`` is assigned in ``file``
    (of ``key`` inside its literal, when given); (None, None) when it cannot be found."""
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None, None
    head = re.compile(rf"^{re.escape(name)}\s*(:[^=]*)?=")
    for i, text in enumerate(lines):
        if head.match(text):
            if not key:
                return i + 1, 1
            want = re.compile(rf"""["']{re.escape(str(key[0]))}["']\s*:""")
            for j in range(i, min(i + 40, len(lines))):
                if j > i and lines[j] and not lines[j][0].isspace():
                    break
                m = want.search(lines[j])
                if m:
                    return j + 1, m.start() + 1
            return i + 1, 1
    return None, None


def leaves(ans: Answer) -> Iterator[Answer]:
    """The answers at the bottom of ``ans``: those with no sources of their own."""
    if not ans.sources:
        yield ans
        return
    for s in ans.sources:
        yield from leaves(s)
