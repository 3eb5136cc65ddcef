"""`skyspec fmt [PATHS...] [--check]`: rewrite spec, overlay and project files in the
canonical layout (:mod:`skyspec.fmt`), or with `--check` only list those that would change.
It prints file names and counts, never a value from a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True,
              help="Write nothing: list the files that would change and exit 1 if there are any (for CI).")
def fmt(paths, check: bool) -> None:
    """Format spec, overlay and project files (YAML; comments kept).

    PATHS may be project folders, folders inside a project or files (as pre-commit passes
    them); with none, the project at or above the current folder. Only the project's own
    files are formatted: its project file, the spec files its globs match and the overlay
    files of its environments and targets. Other files are skipped, and TOML files are left
    as they are."""
    from ._common import emit_diags
    from ..diagnostics import Diagnostics
    from ..fmt.files import Run, project_files, select
    from ..paths import shown_path
    from ..project import find_project_file

    run = Run()
    groups: dict[Path, list[Path]] = {}
    outside = []
    for p in paths or (Path("."),):
        pf = find_project_file(p)
        if pf is None:
            outside.append(p)
        else:
            groups.setdefault(pf, []).append(p)
    if not groups:
        if paths:
            click.echo(f"skyspec: no project file above {', '.join(shown_path(p) for p in outside)}; "
                       "nothing to format", err=True)
            return
        d = Diagnostics()
        d.error("SKY010", "no skyspec.yaml or skyspec.toml in . or above it",
                hint="run `skyspec init` to create one, or pass the project folder")
        emit_diags(d, "text")
        sys.exit(1)
    for pf, named in groups.items():
        files = project_files(pf, run.diags)
        if files is None:
            continue
        chosen = files if not paths else list(dict.fromkeys(f for p in named for f in select(files, p)))
        run.format(files, chosen, write=not check)
    for name in run.changed:
        click.echo(f"would reformat {name}" if check else f"reformatted {name}")
    emit_diags(run.diags, "text")
    parts = []
    if run.changed:
        n = len(run.changed)
        parts.append(f"{n} file{'s' * (n != 1)} {'would be reformatted' if check else 'reformatted'}")
    parts.append(f"{len(run.unchanged)} unchanged")
    left = [f"{name} ({why})" for name, why in run.left]
    click.echo(f"skyspec: {', '.join(parts)}" + (f"; left as written: {', '.join(left)}" if left else ""), err=True)
    if run.diags.has_errors or check and run.changed:
        sys.exit(1)
