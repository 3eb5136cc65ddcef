"""What the commands share with each other and with :mod:`skyspec.cli`: finding the project
(:func:`load_session`, which exits with the diagnostics when there is none) and printing
diagnostics as text, JSON or SARIF (:func:`emit_diags`; the collector's redactor scrubs
secrets from all three). It holds no command and must not import skyspec.cli (the command line sits
above the commands and imports this module, never the reverse).
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


def load_session(directory: Path, code: int = 1):
    """The project at or above ``directory``; on failure its diagnostics are printed and the
    command exits with ``code``."""
    from ..diagnostics import Diagnostics
    from ..pipeline import Session

    diags = Diagnostics()
    session = Session.find(directory, diags)
    if session is None or session.project is None:
        emit_diags(session or diags, "text")
        sys.exit(code)
    return session

