"""`skyspec explain PATH`: where a value came from."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import allow_python_option


@click.command()
@click.argument("query")
@click.argument("directory", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--env", "-e", "env", required=True, help="Environment (or `env.target`) to explain the value in.")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@allow_python_option
def explain(query: str, directory: Path, env: str, fmt: str, allow_python: bool) -> None:
    """Show a value and the chain of layers that produced it.

    QUERY is a spec value (`api.replicas`, `api.env.LOG_LEVEL`, `ConfigMap/web.data`) or a
    field of a generated manifest (`Deployment/api:spec.replicas`), which is traced back to
    the spec lines it came from."""
    from ._common import emit_diags, load_session, require_envs, resolve_unit
    from ..explain import QueryError, answer, render_text

    session = load_session(directory, 1, allow_python)
    require_envs([session], [env])  # `env.target`: a target bound to that environment
    env_name, target = resolve_unit(session, env)
    compiled = session.compile(env_name, target=target)
    if compiled is None:
        emit_diags(session, "text")
        sys.exit(1)
    red = session.diags.redactor  # what is printed passes through it
    try:
        ans = answer(compiled, query)
    except (QueryError, ValueError) as e:
        click.echo(red.scrub(f"skyspec: {e}"), err=True)
        sys.exit(1)
    if fmt == "json":
        click.echo(red.dumps(ans.as_dict(), indent=2, sort_keys=True, default=str))
    else:
        click.echo(red.scrub(render_text(ans)), nl=False)
