"""What the commands share with each other and with :mod:`skyspec.cli`: finding the project
(:func:`load_session`, which exits with the diagnostics when there is none or it failed to
load), the `--allow-python` option (:func:`allow_python_option`), the usage check of `--env`
names (:func:`require_envs`, exit 2) and printing diagnostics as text, JSON or SARIF
(:func:`emit_diags`; the collector's redactor scrubs secrets from all three). It holds no
command and must not import skyspec.cli (the command line sits above the commands and
imports this module, never the reverse).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__


def emit_diags(session_or_diags, fmt: str, sources=None) -> None:
    from ..diagnostics import Diagnostics, render_json, render_sarif, render_text

    diags: Diagnostics = getattr(session_or_diags, "diags", session_or_diags)
    sources = sources or getattr(session_or_diags, "sources", None)
    items = diags.sorted()
    if fmt == "json":
        click.echo(render_json(items), nl=False)
    elif fmt == "sarif":
        from ..rules import all_codes

        titles = {code: c.title for code, c in all_codes().items()}
        click.echo(render_sarif(items, __version__, titles), nl=False)
    elif items:
        click.echo(render_text(items, sources), err=True, nl=False)
        e, w = len(diags.errors), len(diags.warnings)
        parts = []
        if e:
            parts.append(f"{e} error{'s' * (e != 1)}")
        if w:
            parts.append(f"{w} warning{'s' * (w != 1)}")
        click.echo(f"skyspec: {', '.join(parts)}", err=True)


def allow_python_option(f):
    """`--allow-python`, for every command that loads spec files."""
    return click.option("--allow-python", "allow_python", is_flag=True,
                        help="Run .py spec files: they are Python code, trusted like any script you run "
                             "(`python: true` in the project file does the same).")(f)


def require_envs(sessions, names, fmt: str = "text") -> None:
    """Exit 2, a usage error, with a SKY013 diagnostic per name given with `--env` that is not
    an environment of the project (of any of ``sessions``)."""
    from ..diagnostics import Diagnostics, did_you_mean

    diags = Diagnostics()
    for s in sessions:
        envs = s.project.environments if s.project is not None else None
        for name in names if envs is not None else ():
            if name not in envs:
                diags.error("SKY013", f'unknown environment "{name}"', None,
                            hint=did_you_mean(name, envs) or f"environments: {', '.join(envs)}")
    if diags.has_errors:
        emit_diags(diags, fmt)
        sys.exit(2)


def load_session(directory: Path, code: int = 1, allow_python: bool = False):
    """The project at or above ``directory`` with its spec files loaded; on failure (no
    project, or errors while loading: a refused path, a syntax error...) its diagnostics are
    printed and the command exits with ``code``, never going on without the files it lacks."""
    from ..diagnostics import Diagnostics
    from ..pipeline import Session

    diags = Diagnostics()
    session = Session.find(directory, diags, allow_python)
    if session is None or session.project is None or session.diags.has_errors:
        emit_diags(session or diags, "text")
        sys.exit(code)
    return session

