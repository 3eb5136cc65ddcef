"""`skyspec graph`: the dependency graph (`connect_to`) as Mermaid or Graphviz dot."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..diagnostics import printable
from ._common import allow_python_option


@click.command()
@click.argument("directory", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--env", "-e", "env", help="Environment, or `env.target` (default: the first environment).")
@click.option("--format", "-f", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
@allow_python_option
def graph(directory: Path, env: str | None, fmt: str, allow_python: bool) -> None:
    """Print which workloads connect to which."""
    from ._common import emit_diags, load_session, require_envs, resolve_unit

    session = load_session(directory, 1, allow_python)
    require_envs([session], [env] if env else [])
    env_name, target = resolve_unit(session, env) if env else (next(iter(session.project.environments)), None)
    compiled = session.compile(env_name, target=target)
    if compiled is None:
        emit_diags(session, "text")
        sys.exit(1)
    ws = sorted(compiled.ir.workloads, key=lambda w: w.name)
    if fmt == "mermaid":
        lines = ["graph LR"]
        lines += [f'  {w.name.replace("-", "_")}["{w.name} ({w.kind})"]' for w in ws]
        lines += [f'  {w.name.replace("-", "_")} --> {t.replace("-", "_")}' for w in ws for t in w.connect_to]
    else:
        lines = [f'digraph "{compiled.ir.project}" {{', "  rankdir=LR;"]
        lines += [f'  "{w.name}" [label="{w.name}\\n{w.kind}"];' for w in ws]
        lines += [f'  "{w.name}" -> "{t}";' for w in ws for t in w.connect_to]
        lines.append("}")
    click.echo("\n".join(map(printable, lines)))
