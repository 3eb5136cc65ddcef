"""`skyspec schema [-o DIR]`: write the JSON Schemas of the spec language, for editors and CI.

Besides the kind, project and overlay schemas the compiler validates with, it writes the
editors' `skyspec.json` and `skyspec-overlay.json` (:mod:`skyspec.schema.editor`), which know
the parameters of templates: the stdlib's always, and, run in a project (the project file in
the working directory or above it), those of the project's own templates that its spec
files name in `use:`. A project that fails to load, or a template that does, is reported
and nothing is written. It reads the project and its templates; it must not compile them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import allow_python_option


def template_info(t) -> dict:
    """The :class:`~skyspec.schema.editor.TemplateInfo` of a loaded template."""
    from ..layers.merge import split_op

    provides = sorted({split_op(k)[0] for layer in [*t.chain, t] for k in (layer.spec or {})})
    return {"use": t.name, "kind": t.kind, "params": dict(t.params), "provides": provides}


def stdlib_templates() -> list[dict]:
    """The stdlib templates' infos (what the committed `schemas/skyspec.json` knows)."""
    from ..diagnostics import Diagnostics, Sources
    from ..layers.templates import Templates, stdlib_names

    diags = Diagnostics()
    lib = Templates(Path.cwd(), diags, Sources())
    found = [lib.get(name, None) for name in stdlib_names()]
    return [template_info(t) for t in found if t is not None]


def _is_file(name: str) -> bool:
    """A `use:` value naming a file of the project (as the compiler tells it from a stdlib name)."""
    return name.startswith((".", "/", "\\")) or "/" in name or "\\" in name


def project_templates(session) -> list[dict]:
    """The infos of the project templates that the session's spec files name in `use:`
    (problems loading them go to the session's diagnostics)."""
    out: dict[str, dict] = {}
    for doc in session.docs:
        name = doc.data.get("use") if isinstance(doc.data, dict) else None
        if not isinstance(name, str) or not _is_file(name) or name in out:
            continue
        at = doc.loc.child("use")
        t = session.templates.get(name, at.pos if at is not None else doc.loc.pos)
        if t is not None:
            out[name] = template_info(t)
    return [out[k] for k in sorted(out)]


@click.command()
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("schemas"), show_default=True)
@allow_python_option
def schema(out: Path, allow_python: bool) -> None:
    """Write the JSON Schemas of the spec language (for editors and CI). Run in a project,
    the editors' schemas also know its templates' parameters."""
    from ..pipeline import Session
    from ..project import find_project_file
    from ..schema.spec import write_schemas
    from ._common import emit_diags

    templates = stdlib_templates()
    pf = find_project_file(Path.cwd())
    if pf is not None:
        session = Session(pf, allow_python=allow_python)
        if session.project is not None and not session.diags.has_errors:
            templates += project_templates(session)
        if session.project is None or session.diags.has_errors:  # nothing written
            emit_diags(session, "text")
            sys.exit(1)
    try:
        names = write_schemas(out, templates)
    except OSError as exc:
        click.echo(f"skyspec: cannot write the schemas to {out}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo(f"skyspec: wrote {len(names)} schemas to {out}")
