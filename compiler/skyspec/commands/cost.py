"""`skyspec cost`: the monthly cost estimate per workload and environment, the budget
gate, and the difference against a git revision. This module does the I/O only: arguments,
compiling (here and in a temporary git worktree of the revision), printing; the numbers,
the budget gate and the rendering are :mod:`skyspec.cost`'s. It must NOT compute or
format costs itself."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import allow_python_option

FORMATS = click.Choice(["table", "json", "markdown"])


@click.command("cost")
@click.argument("directory", default=".", type=click.Path(exists=True, file_okay=True, path_type=Path))
@click.option("--env", "-e", "envs", multiple=True, help="Environment, with its targets, or one target `env.target` (repeatable; default: all).")
@click.option("--format", "-f", "fmt", type=FORMATS, default="table", show_default=True,
              help="table (terminal), json (stable keys, for scripts) or markdown (for PR comments).")
@click.option("--against", "rev", metavar="REV",
              help="Compare with the project as of git revision REV (a commit, branch, tag, HEAD~1, ...).")
@click.option("--set", "sets", multiple=True, metavar="APP.PATH=VALUE", help="Override a value (the last layer).")
@allow_python_option
def cost(directory: Path, envs, fmt: str, rev: str | None, sets, allow_python: bool) -> None:
    """Estimate the monthly cost of the project in DIRECTORY.

    Per environment (and per target cluster of it), a row per workload: kind, pods running
    at once, the CPU and memory they request together (requests x pods), their storage and
    the monthly cost; then the total, and the budget when the environment has one. Prices
    come from `prices:` in the project file (defaults: 0.0316 per core-hour, 0.0042 per
    GiB-hour, 0.10 per GiB-month, USD; a month is 730 hours). Jobs count one run a month,
    CronJobs their runs a month by schedule; each run lasts `active_deadline` (default 10
    minutes).

    With --against REV, every workload of either side is shown (unchanged rows too, so the
    table adds up), with the cost before and after and the change; the first column marks
    what changed: `+` added, `-` removed, `~` changed (pods, requests, storage or cost),
    blank for unchanged. The project is read at the same path inside a temporary git
    worktree of REV, removed afterwards.

    Exit status: 0; 1 when the specs have errors or an environment is over its budget
    (diagnostics on stderr, located at the `budget` line of the project file); 2 for a
    usage error (such as a revision git does not know, or an unknown environment).
    """
    from ..cost.budget import check_budget, deferred_budget
    from ..cost.report import diff, render, render_diff
    from ._common import emit_diags, env_names, load_session, require_envs, wanted_unit

    session = load_session(directory, allow_python=allow_python)
    require_envs([session], envs)
    with deferred_budget():
        compiled = session.compile_all(env_names(envs), sets)
    compiled = {key: c for key, c in compiled.items() if wanted_unit(key, envs)}
    if session.diags.has_errors:
        emit_diags(session, "text")
        sys.exit(1)
    reports = {key: c.ir.cost for key, c in compiled.items()}
    for rep in reports.values():
        check_budget(rep, session.diags)

    if rev:
        before = _reports_at(rev, session.project, envs, sets, allow_python)
        text = render_diff(diff(before, reports), rev, fmt)
    else:
        text = render(list(reports.values()), fmt)
    click.echo(text, nl=not text.endswith("\n"))
    emit_diags(session, "text")
    if session.diags.has_errors:
        sys.exit(1)


def _reports_at(rev: str, project, envs, sets, allow_python: bool = False) -> dict:
    """The cost reports of ``project`` as of git revision ``rev`` (read by
    :func:`~._common.at_revision`). An environment the old project does not have is left out
    (its workloads show as added); no project there yet, nothing (everything is added)."""
    from ..cost.budget import deferred_budget
    from ._common import at_revision, env_names, fail_old, wanted_unit

    with at_revision(rev, project, allow_python) as old:
        if old is None:
            return {}
        if old.project is None:
            fail_old(rev, old, root=project.root)
        names = [e for e in (env_names(envs) or old.project.environments) if e in old.project.environments]
        with deferred_budget():
            compiled = old.compile_all(names, sets) if names else {}
        if old.diags.has_errors:
            fail_old(rev, old, root=project.root)
        return {key: c.ir.cost for key, c in compiled.items() if wanted_unit(key, envs)}
