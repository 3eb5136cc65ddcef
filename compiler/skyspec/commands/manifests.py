"""`skyspec manifests`: the Kubernetes objects of one environment (or one target of it) as a
single YAML stream on stdout, the same objects `build` writes to `<env>/kubernetes/`. It is
what an Argo CD Config Management Plugin runs (docs/gitops.md, examples/argocd-cmp/), so
it writes no file; diagnostics go to stderr, and nothing goes to stdout on an error."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import allow_python_option


@click.command()
@click.argument("directory", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--env", "-e", "env", required=True, help="The environment, or a target of it `prod.eu-west`.")
@click.option("--target", "-t", "target", help="A target (cluster) the environment is bound to.")
@click.option("--set", "sets", multiple=True, metavar="APP.PATH=VALUE", help="Override a value (the last layer).")
@allow_python_option
def manifests(directory: Path, env: str, target: str | None, sets, allow_python: bool) -> None:
    """Print the Kubernetes manifests of one environment (or target) to stdout."""
    from ..diagnostics import did_you_mean
    from ..pipeline import render
    from ._common import emit_diags, load_session, require_envs

    session = load_session(directory, 1, allow_python)
    proj = session.project
    require_envs([session], [env])
    env, _, dotted = env.partition(".")
    target = target or dotted or None
    bound = None
    if target is not None:
        bound = proj.targets.get(target)
        if bound is None or env not in bound.environments:
            names = [t for t, b in proj.targets.items() if env in b.environments]
            hint = did_you_mean(target, names) or (f"targets of {env}: {', '.join(names)}" if names
                                                   else f"no target is bound to {env}")
            click.echo(f"skyspec: {env} has no target {target!r} ({hint})", err=True)
            sys.exit(2)
    compiled = session.compile(env, sets, bound)
    if compiled is None:
        emit_diags(session, "text")
        sys.exit(1)
    files = render({compiled.key: compiled}, ["kubernetes"], session.diags, project=proj)
    emit_diags(session, "text")
    if session.diags.has_errors:
        sys.exit(1)
    texts = [text if text.endswith("\n") else text + "\n" for _, text in sorted(files.items())]
    click.echo("---\n".join(texts), nl=False)
