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
@click.option("--why-not", "why_not", is_flag=True,
              help="QUERY names what is absent (`HorizontalPodAutoscaler/api`, `Ingress`, `Kind/name:field`): "
                   "show the condition that was not met and where it was decided.")
@allow_python_option
def explain(query: str, directory: Path, env: str, fmt: str, why_not: bool, allow_python: bool) -> None:
    """Show a value and the chain of layers that produced it.

    QUERY is a spec value (`api.replicas`, `api.env.LOG_LEVEL`, `ConfigMap/web.data`), a
    field of a generated manifest (`Deployment/api:spec.replicas`), which is traced back to
    the spec lines it came from, or a workload's monthly cost (`cost:api`): a value a rule
    derived (a limit, a security context, a NetworkPolicy rule, a cost) shows the rule and
    each input it read, nested, down to the lines people wrote and the documented defaults.
    With --why-not, QUERY names an object or field
    that is absent (`HorizontalPodAutoscaler/api`, every `Ingress`,
    `Deployment/api:spec.template.spec.topologySpreadConstraints`), and the answer is the
    rule that would make it, each of its conditions, and where the one not met was decided."""
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
    if why_not:
        from ..backends.kubernetes import objects
        from ..explain.whynot import render_why_not, why_not as absent

        try:
            res = absent(compiled, query, objects(compiled.ir))
        except ValueError as e:
            click.echo(red.scrub(f"skyspec: {e}"), err=True)
            sys.exit(1)
        if fmt == "json":
            click.echo(red.dumps(res.as_dict(), indent=2, sort_keys=True, default=str))
        else:
            click.echo(red.scrub(render_why_not(res)), nl=False)
        return
    try:
        ans = answer(compiled, query)
    except (QueryError, ValueError) as e:
        click.echo(red.scrub(f"skyspec: {e}"), err=True)
        sys.exit(1)
    if fmt == "json":
        click.echo(red.dumps(ans.as_dict(), indent=2, sort_keys=True, default=str))
    else:
        click.echo(red.scrub(render_text(ans)), nl=False)
