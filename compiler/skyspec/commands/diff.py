"""`skyspec diff`: what differs between two environments (or targets, `prod.eu-west`), or
between a git revision and the working tree (`--against REV`, read in a temporary worktree by
:func:`~._common.at_revision`, shared with `cost --against`), as spec values or, with
`--objects`, as generated Kubernetes objects (added, removed, changed fields), each change
with the spec line it comes from (traced by :mod:`skyspec.explain`); as text, JSON or
Markdown for a pull-request comment. This module compares and prints only: it must not
trace manifest fields itself (that is :func:`skyspec.explain.trace`) nor render manifests
other than through the Kubernetes backend.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..diagnostics import printable
from ._common import allow_python_option

UNSET = "<unset>"


def _leaves(data: Any, path: tuple = ()) -> dict[tuple, Any]:
    out: dict[tuple, Any] = {}
    if isinstance(data, dict) and data:
        for k, v in data.items():
            out.update(_leaves(v, path + (k,)))
    elif isinstance(data, list) and data and any(isinstance(x, (dict, list)) for x in data):
        for i, v in enumerate(data):
            out.update(_leaves(v, path + (i,)))
    else:
        out[path] = data
    return out


def _where(spec, path: tuple) -> str | None:
    node = spec.prov.find(path)
    if node is None:
        node = spec.prov.nearest(path)
    e = node.hist[-1] if node is not None and node.hist else None
    if e is None or e.pos is None:
        return None
    return f"{e.pos.file}:{e.pos.line}:{e.pos.col} ({e.layer})"


def _sorted_paths(paths) -> list[tuple]:
    return sorted(paths, key=lambda p: [str(x) for x in p])


def compare(a_specs, b_specs) -> list[dict]:
    """Per spec, the leaf values that differ: [{spec, path, a, b, a_from, b_from}]."""
    from ..explain import show_path

    a_index = {f"{s.kind}/{s.name}": s for s in a_specs}
    b_index = {f"{s.kind}/{s.name}": s for s in b_specs}
    rows = []
    for key in sorted(set(a_index) | set(b_index)):
        sa, sb = a_index.get(key), b_index.get(key)
        secret = key.startswith("Secret/")
        la = _leaves(sa.data) if sa else {}
        lb = _leaves(sb.data) if sb else {}
        for path in _sorted_paths(set(la) | set(lb)):
            va, vb = la.get(path, UNSET), lb.get(path, UNSET)
            if va == vb:
                continue
            hide = secret and path[:1] == ("data",)
            rows.append({"spec": key, "path": show_path(path),
                         "a": "<redacted>" if hide else va, "b": "<redacted>" if hide else vb,
                         "a_from": _where(sa, path) if sa and path in la else None,
                         "b_from": _where(sb, path) if sb and path in lb else None})
    return rows


def _object_key(o: dict) -> str:
    meta = o.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{o.get('kind')}/{meta.get('name')}" + (f" (namespace {ns})" if ns else "")


def _origin(compiled, obj: dict, path: tuple, index, other=None) -> str | None:
    """The spec lines a manifest field comes from. For a derived field (a limit, a policy
    rule), the inputs of its derivation that made it differ from ``other`` (the same field's
    answer on the other side, when it has one): `api.resources.cpu file:line:col (layer)
    via size.cpu-limit`."""
    from ..explain import explain_field, leaves

    ans = explain_field(compiled.ir, obj, path, index, compiled.key)
    if not ans.sources:
        return None
    mine = list(dict.fromkeys(_leaf(x) for x in leaves(ans)))
    if ans.rule is None:
        return ", ".join(where for _, _, where in mine if where) or None
    theirs = {leaf[:2] for leaf in (_leaf(y) for y in leaves(other))} if other is not None else set()
    differ = [m for m in mine if m[:2] not in theirs] or mine
    return ", ".join(f"{q} {where}" for q, _, where in differ if where) + f" via {ans.rule.name}"


def _leaf(ans) -> tuple[str, str, str]:
    """A leaf of an answer as diff compares and names it: what it is, its value, and where
    (and in which layer) it was written."""
    step = next((s for s in reversed(ans.chain) if s.file), None)
    where = f"{step.file}:{step.line}:{step.column} ({step.layer})" if step else ""
    return ans.query, json.dumps(ans.value, sort_keys=True, default=str), where


def compare_objects(ca, cb) -> list[dict]:
    """The generated Kubernetes objects of two compiled units (either may be None, nothing
    there): [{object, change: added|removed|changed, path?, a?, b?, from}], a changed field's
    `from` traced on the side that has the field (the new one first)."""
    from ..backends import kubernetes
    from ..explain import show_path, spec_index

    sides = []
    for c in (ca, cb):
        objs = {_object_key(o): o for o in kubernetes.objects(c.ir)} if c is not None else {}
        sides.append((c, objs, spec_index(c.specs) if c is not None else {}))
    (_, objs_a, idx_a), (_, objs_b, idx_b) = sides
    rows: list[dict] = []
    for key in sorted(set(objs_a) | set(objs_b)):
        oa, ob = objs_a.get(key), objs_b.get(key)
        if oa is None or ob is None:
            c, o, idx = (cb, ob, idx_b) if oa is None else (ca, oa, idx_a)
            rows.append({"object": key, "change": "added" if oa is None else "removed",
                         "from": _spec_of(c, o, idx)})
            continue
        secret = oa.get("kind") == "Secret"
        la, lb = _leaves(oa), _leaves(ob)
        for path in _sorted_paths(set(la) | set(lb)):
            va, vb = la.get(path, UNSET), lb.get(path, UNSET)
            if va == vb:
                continue
            hide = secret and path[:1] in (("data",), ("stringData",))
            src = (_origin(cb, ob, path, idx_b, _answer(ca, oa, path, idx_a) if path in la else None)
                   if path in lb else None) or \
                  (_origin(ca, oa, path, idx_a) if path in la else None)
            rows.append({"object": key, "change": "changed", "path": show_path(path),
                         "a": "<redacted>" if hide else va, "b": "<redacted>" if hide else vb, "from": src})
    return rows


def _answer(compiled, obj: dict, path: tuple, index):
    from ..explain import explain_field

    return explain_field(compiled.ir, obj, path, index, compiled.key)


def _spec_of(compiled, obj: dict, index) -> str | None:
    """Where the spec an added or removed object comes from starts, and the rule that made
    the object when it is not the spec's own (`via network.policy`)."""
    from ..explain import trace

    tr = trace(compiled.ir, obj, ("kind",), index)
    spec = tr.spec if tr is not None else None
    made = tr.why.rule.name if tr is not None and tr.why is not None and tr.why.rule.name != "k8s.object" else None
    if spec is None or spec.pos is None:
        return f"{made}" if made else None
    return f"{spec.pos.file}:{spec.pos.line}:{spec.pos.col}" + (f" via {made}" if made else "")


def _relabel(old_root: Path, new_root: Path, rev: str):
    """A function rewriting a row's old-side places (`a_from`, or a `from` traced on the old
    side), which name files in the temporary worktree of ``rev``, as the same files of the
    working tree are shown, followed by `at REV`: the worktree is gone when the output is read."""
    from ._common import moved_root

    old, new = moved_root(old_root, new_root)

    def fix(text):
        if not isinstance(text, str) or not old or old not in text:
            return text
        return text.replace(old, new) + f" at {rev}"

    def row(r: dict) -> dict:
        return {k: fix(v) if k in ("a_from", "from", "b_from") else v for k, v in r.items()}

    return row


# ---------------------------------------------------------------------- rendering

def _val(red, v) -> str:
    return json.dumps(red.scrub_data(v), default=str)  # `"<unset>"` too, as the text format always had it


def render_text(sections: list[dict], red) -> str:
    lines = []
    for sec in sections:
        a, b = sec["a"], sec["b"]
        if not sec["differences"] and sec.get("unit"):
            continue
        if len(sections) > 1 or sec.get("unit"):
            lines.append(f"== {sec['title']}")
        current = None
        for r in sec["differences"]:
            head = r.get("spec") or r.get("object")
            if head != current:
                current = head
                if r.get("change") in ("added", "removed"):
                    lines.append(("+ " if r["change"] == "added" else "- ") + head
                                 + (f"   <- {r['from']}" if r.get("from") else ""))
                    continue
                lines.append(f"~ {head}" if "object" in r else head)
            if r.get("change") in ("added", "removed"):
                continue
            lines.append(f"  {r['path']}:")
            if "object" in r:
                lines.append(f"    {a:>8}: {_val(red, r['a'])}")
                lines.append(f"    {b:>8}: {_val(red, r['b'])}" + (f"   <- {r['from']}" if r.get("from") else ""))
            else:
                for side, key in ((a, "a"), (b, "b")):
                    src = r[f"{key}_from"]
                    lines.append(f"    {side:>6}: {_val(red, r[key])}" + (f"   <- {src}" if src else ""))
    n = sum(len(s["differences"]) for s in sections)
    what = sections[0]["what"] if sections else "difference"
    lines.append(f"skyspec: {n} {what}{'s' * (n != 1)} " + _between(sections))
    return "\n".join(printable(red.scrub(line)) for line in lines)


def _between(sections: list[dict]) -> str:
    if sections and sections[0].get("unit"):
        s = sections[0]
        return f"between {s['a']} and {s['b']} in {', '.join(x['unit'] for x in sections)}"
    s = sections[0] if sections else {"a": "?", "b": "?"}
    return f"between {s['a']} and {s['b']}"


def _md(v: Any, red) -> str:
    text = _val(red, v) if v != UNSET else "*unset*"
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`" if v != UNSET else text


def _md_cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(sections: list[dict], red) -> str:
    lines = []
    n = sum(len(s["differences"]) for s in sections)
    what = sections[0]["what"] if sections else "difference"
    lines.append(f"### skyspec diff: {n} {what}{'s' * (n != 1)} {_between(sections)}")
    for sec in sections:
        a, b = sec["a"], sec["b"]
        lines.append("")
        lines.append(f"#### {sec['title']}")
        lines.append("")
        if not sec["differences"]:
            lines.append("No differences.")
            continue
        if sec["what"] == "change":
            lines.append(f"| | object | field | {_md_cell(a)} | {_md_cell(b)} | from |")
            lines.append("|---|---|---|---|---|---|")
            for r in sec["differences"]:
                mark = {"added": "+", "removed": "-", "changed": "~"}[r["change"]]
                if r["change"] == "changed":
                    lines.append(f"| {mark} | {_md_cell(r['object'])} | `{_md_cell(r['path'])}` | {_md(r['a'], red)} | "
                                 f"{_md(r['b'], red)} | {_md_cell(r['from'])} |")
                else:
                    lines.append(f"| {mark} | **{_md_cell(r['object'])}** | *{r['change']}* | | | {_md_cell(r['from'])} |")
        else:
            lines.append(f"| spec | field | {_md_cell(a)} | {_md_cell(b)} | set at ({_md_cell(b)}) |")
            lines.append("|---|---|---|---|---|")
            for r in sec["differences"]:
                lines.append(f"| {_md_cell(r['spec'])} | `{_md_cell(r['path'])}` | {_md(r['a'], red)} | "
                             f"{_md(r['b'], red)} | {_md_cell(r['b_from'] or r['a_from'])} |")
    return "\n".join(printable(red.scrub(line)) for line in lines) + "\n"


# ---------------------------------------------------------------------- the command

@click.command()
@click.argument("directory", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--env", "-e", "envs", multiple=True,
              help="Environments or targets (`prod.eu-west`): two to compare (`--env qa --env prod`); "
                   "with --against, those to compare with the revision (default: all, with their targets).")
@click.option("--against", "rev", metavar="REV",
              help="Compare the project as of git revision REV (a commit, branch, tag, HEAD~1, ...) with the "
                   "working tree.")
@click.option("--objects", is_flag=True, help="Compare the generated Kubernetes objects instead of the spec values.")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="text (terminal), json (scripts) or markdown (a pull-request comment).")
@allow_python_option
def diff(directory: Path, envs, rev: str | None, objects: bool, fmt: str, allow_python: bool) -> None:
    """Show what differs between two environments, or between git revision REV and the
    working tree, and where each value comes from.

    Without --objects, per spec, the values that differ and the file:line (and layer) that
    set each side. With --objects, the generated Kubernetes objects: `+` added, `-` removed,
    `~` changed, each changed field with the spec line it comes from (as `skyspec explain
    Kind/name:field` traces it). With --against, the project is read at the same path inside
    a temporary git worktree of REV, removed afterwards.

    Exit status: 0 when they are the same, 1 when they differ, 2 for a usage error (an
    unknown environment or target, a revision git does not know) or specs with errors (on
    either side: 1 would read as "they differ")."""
    from ._common import at_revision, emit_diags, env_names, fail_old, load_session, require_envs, resolve_unit
    from ._common import wanted_unit

    if rev is None and len(envs) != 2:
        raise click.UsageError("give exactly two environments (--env A --env B), or --against REV")
    session = load_session(directory, 2, allow_python)
    require_envs([session], envs)

    def side(s, name: str):
        # compiled, in both modes: specs with errors are refused (exit 2), as `check` finds them
        env_name, target = resolve_unit(s, name)
        c = s.compile(env_name, target=target)
        return c if objects or c is None else c.specs

    def units_of(s) -> list[str]:
        names = env_names(envs) or list(s.project.environments)
        keys = []
        for e in names:
            if e not in s.project.environments:
                continue
            keys.append(e)
            keys += [f"{e}.{t}" for t, b in s.project.targets.items() if e in b.environments]
        return [k for k in keys if wanted_unit(k, envs)]

    sections: list[dict] = []
    what = "change" if objects else "difference"
    if rev is None:
        a, b = envs
        got = [side(session, a), side(session, b)]
        if session.diags.has_errors:
            emit_diags(session, "text")
            sys.exit(2)
        rows = compare_objects(*got) if objects else compare(*got)
        sections.append({"title": f"{a} -> {b}", "a": a, "b": b, "what": what, "differences": rows})
    else:
        now = {k: side(session, k) for k in units_of(session)}
        if session.diags.has_errors:
            emit_diags(session, "text")
            sys.exit(2)
        with at_revision(rev, session.project, allow_python) as old:
            if old is not None and old.project is None:
                fail_old(rev, old, 2, session.project.root)
            before = {k: side(old, k) for k in units_of(old)} if old is not None else {}
            if old is not None and old.diags.has_errors:
                fail_old(rev, old, 2, session.project.root)
            relabel = _relabel(old.project.root, session.project.root, rev) if old is not None else None
            for unit in list(dict.fromkeys([*now, *before])):
                pa, pb = before.get(unit), now.get(unit)
                if objects:
                    rows = compare_objects(pa, pb)
                else:
                    rows = compare(pa or [], pb or [])
                if relabel is not None:
                    rows = [relabel(r) for r in rows]
                sections.append({"title": f"{unit}: {rev} -> working tree", "unit": unit, "a": rev,
                                 "b": "now", "what": what, "differences": rows})
    red = session.diags.redactor  # what is printed passes through it
    n = sum(len(s["differences"]) for s in sections)
    if fmt == "json":
        doc: dict = {"a": sections[0]["a"] if sections else None, "b": sections[0]["b"] if sections else None}
        if rev is None:
            doc["differences"] = sections[0]["differences"]
        else:
            doc["against"] = rev
            doc["units"] = {s["unit"]: s["differences"] for s in sections}
        click.echo(red.dumps(doc, indent=2, sort_keys=True, default=str))
    elif fmt == "markdown":
        click.echo(render_markdown(sections, red), nl=False)
    else:
        click.echo(render_text(sections, red))
    sys.exit(1 if n else 0)
