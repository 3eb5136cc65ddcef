"""What "explains down to people's lines or documented defaults" means, checked on one
`skyspec explain` answer, and the walk of every field of every generated object through it
(shared by tests/test_explain.py, tests/test_provenance.py and the fuzz harness's provenance
property)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from skyspec.backends import kubernetes
from skyspec.explain import explain_field, explain_spec, leaves, show_path, spec_index, trace

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "compiler" / "skyspec"


@lru_cache(maxsize=None)
def _lines(file: str) -> list[str]:
    return Path(file).read_text(encoding="utf-8").splitlines()


def check_answer(ans) -> list[str]:
    """The problems of one answer: a field answered by no input, a rule without a reason, a
    leaf that is neither a positioned line of an existing file (or a `--set` of the command
    line) nor a documented default (a named constant of skyspec's own source, at the line that
    assigns it)."""
    out = []
    if not ans.sources:
        out.append(f"answered by nothing ({ans.note or 'no sources'})")
    stack = [ans]
    while stack:
        a = stack.pop()
        if a.rule is not None and (not re.fullmatch(r"[a-z0-9]+\.[a-z0-9-]+", a.rule.name) or not a.rule.reason):
            out.append(f"rule {a.rule.name!r} is not a stable name with a reason")
        stack.extend(a.sources)
    for leaf in leaves(ans):
        if leaf.note and leaf.note.startswith(("not set", "not traced", "no project")):
            out.append(f"leaf {leaf.query}: {leaf.note}")
            continue
        steps = [s for s in leaf.chain if s.file and s.line]
        if not steps:
            out.append(f"leaf {leaf.query} has no line")
            continue
        step = steps[-1]
        if step.file == "<--set>" and step.layer == "--set":
            continue  # the N-th `--set` of the command line: people wrote it there
        path = Path(step.file)
        if not path.is_file() or step.line > len(_lines(str(path))):
            out.append(f"leaf {leaf.query} points at {step.file}:{step.line}, which does not exist")
            continue
        if step.layer == "default" and not _documented(leaf.query, path, step.line):
            out.append(f"default {leaf.query} is not documented at {step.file}:{step.line}")
    return out


def _documented(query: str, path: Path, line: int) -> bool:
    """Whether ``path``:``line`` (skyspec's own source) assigns the constant the query names
    (`default size.CPU_LIMIT_FACTOR`), or holds its key (`default size.SIDECAR_DEFAULT['cpu']`)."""
    m = re.fullmatch(r"default \w+\.(\w+)((?:\[.+\])?)", query)
    if m is None or PKG.resolve() not in path.resolve().parents:
        return False
    lines = _lines(str(path))
    assign = re.compile(rf"^{re.escape(m.group(1))}\s*(:[^=]*)?=")
    start = next((i for i in range(line - 1, max(-1, line - 41), -1) if assign.match(lines[i])), None)
    if start is None:
        return False
    key = m.group(2)[2:-2] if m.group(2) else ""
    return start == line - 1 and not key or bool(key) and f'"{key}"' in lines[line - 1]


def field_leaves(obj, path=()):
    """(path, value) of every leaf of a manifest: a scalar, an empty map or an empty list."""
    if isinstance(obj, dict) and obj:
        for k, v in obj.items():
            yield from field_leaves(v, path + (k,))
    elif isinstance(obj, list) and obj:
        for i, v in enumerate(obj):
            yield from field_leaves(v, path + (i,))
    else:
        yield path, obj


def field_problems(compiled) -> tuple[list[str], int, int]:
    """Every field of every Kubernetes object of ``compiled`` (unit -> Compiled) through
    `explain`: (the problems, "<unit> <Kind>/<name>:<field>: <problem>"; the fields walked;
    those a rule derived)."""
    problems, counted, derived = [], 0, 0
    for key, c in compiled.items():
        index = spec_index(c.specs)
        for obj in kubernetes.objects(c.ir):
            for path, _ in field_leaves(obj):
                counted += 1
                tr = trace(c.ir, obj, path, index)
                where = f"{key} {obj['kind']}/{obj['metadata']['name']}:{show_path(path)}"
                if tr is None:
                    problems.append(f"{where}: not traced")
                    continue
                problems += [f"{where}: {tr.spec.key}.{show_path(p)} has no history" for p in tr.paths
                             if not explain_spec(tr.spec, p, key).chain]
                ans = explain_field(c.ir, obj, path, index, key)
                derived += ans.rule is not None
                problems += [f"{where}: {p}" for p in check_answer(ans)]
    return problems, counted, derived
