"""`skyspec diff --env A --env B`: what differs between two environments, and why."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ._common import allow_python_option


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
    e = node.hist[-1] if node.hist else None
    if e is None or e.pos is None:
        return None
    return f"{e.pos.file}:{e.pos.line}:{e.pos.col} ({e.layer})"


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
        for path in sorted(set(la) | set(lb), key=lambda p: [str(x) for x in p]):
            va, vb = la.get(path, "<unset>"), lb.get(path, "<unset>")
            if va == vb:
                continue
            hide = secret and path[:1] == ("data",)
            rows.append({"spec": key, "path": show_path(path),
                         "a": "<redacted>" if hide else va, "b": "<redacted>" if hide else vb,
                         "a_from": _where(sa, path) if sa and path in la else None,
                         "b_from": _where(sb, path) if sb and path in lb else None})
    return rows


@click.command()
@click.argument("directory", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--env", "-e", "envs", multiple=True, required=True, help="Two environments to compare (`--env qa --env prod`).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@allow_python_option
def diff(directory: Path, envs, fmt: str, allow_python: bool) -> None:
    """Show, per workload, the values that differ between two environments and where each
    side's value came from. Exit 0 when they are the same, 1 when they differ."""
    from ._common import emit_diags, load_session

    if len(envs) != 2:
        raise click.UsageError("give exactly two environments: --env A --env B")
    session = load_session(directory, 2, allow_python)
    sides = []
    for name in envs:
        env = session.env(name)
        if env is None:
            emit_diags(session, "text")
            sys.exit(2)
        sides.append(session.layered(env))
    if session.diags.has_errors:
        emit_diags(session, "text")
        sys.exit(2)
    rows = compare(*sides)
    a, b = envs
    red = session.diags.redactor  # what is printed passes through it
    if fmt == "json":
        click.echo(red.dumps({"a": a, "b": b, "differences": rows}, indent=2, sort_keys=True, default=str))
    else:
        lines, current = [], None
        for r in rows:
            if r["spec"] != current:
                current = r["spec"]
                lines.append(current)
            lines.append(f"  {r['path']}:")
            for side, key in ((a, "a"), (b, "b")):
                src = r[f"{key}_from"]
                lines.append(f"    {side:>6}: {json.dumps(red.scrub_data(r[key]), default=str)}"
                             + (f"   <- {src}" if src else ""))
        lines.append(f"skyspec: {len(rows)} difference{'s' * (len(rows) != 1)} between {a} and {b}")
        click.echo(red.scrub("\n".join(lines)))
    sys.exit(1 if rows else 0)
