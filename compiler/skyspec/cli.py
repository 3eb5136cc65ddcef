"""The command line: a thin click shell over :mod:`skyspec.pipeline`.

Exit codes: 0 success (warnings allowed), 1 problems in the input (or a gate such as a
budget failed), 2 usage errors, 3 an internal error (a bug: reported as SKY999 with the
exception's type and where it was raised, never its message; SKYSPEC_DEBUG=1 shows the
traceback). Diagnostics go to stderr as text, or to stdout as JSON or
SARIF with `--diagnostics-format`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

import click

from . import __version__
from .commands._common import allow_python_option, emit_diags, require_envs

DIAG_FORMATS = click.Choice(["text", "json", "sarif"])


def _split_formats(values: Sequence[str]) -> list[str]:
    from .pipeline import FORMATS

    out: list[str] = []
    for v in values:
        for f in v.split(","):
            f = f.strip()
            if not f:
                continue
            if f not in FORMATS:
                raise click.BadParameter(f"{f!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
            if f not in out:
                out.append(f)
    return out


# The commands in modules of their own (skyspec/commands/<module>.py, each exposing a click
# command named after its module), imported only when used: `skyspec --help` lists them from
# this table (name -> module, the first paragraph of its help), which tests/test_cli_lazy.py
# holds equal to the commands' own.
LAZY = {
    "cost": ("cost", "Estimate the monthly cost of the project in DIRECTORY."),
    "diff": ("diff", "Show, per workload, the values that differ between two environments and where each "
                     "side's value came from. Exit 0 when they are the same, 1 when they differ."),
    "explain": ("explain", "Show a value and the chain of layers that produced it."),
    "graph": ("graph", "Print which workloads connect to which."),
    "import": ("import_", "Adopt skyspec from existing Kubernetes manifests."),
    "init": ("init", "Create a project in DIRECTORY with a sample app and dev/qa/prod overlays. "
                     "Existing files are never overwritten."),
    "lsp": ("lsp", "Run the skyspec language server (diagnostics, completion, hover, definitions)."),
}


class _Guarded(click.Group):
    """Every command: an exception that escapes it is an internal error (exit 3), reported
    as a diagnostic at the spec being processed when a frame knows it, never as a traceback
    or with the exception's message (it may hold a value from the specs). The commands of
    :data:`LAZY` are imported when used, not to list them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY})

    def get_command(self, ctx: click.Context, name: str):
        if name not in self.commands and name in LAZY:
            import importlib

            module = LAZY[name][0]
            self.add_command(getattr(importlib.import_module(f"{__package__}.commands.{module}"), module), name)
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter) -> None:
        names = [n for n in self.list_commands(ctx) if n in LAZY or not self.commands[n].hidden]
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(n, click.Command(n, help=LAZY[n][1]).get_short_help_str(limit) if n not in self.commands
                 else self.commands[n].get_short_help_str(limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        import os

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("SKYSPEC_DEBUG") == "1":
                import traceback

                traceback.print_exc()
            _internal_error(exc)
            ctx.exit(3)


def _internal_error(exc: BaseException) -> None:
    from .diagnostics import Diagnostics, render_text

    here = Path(__file__).resolve().parent
    where, pos = "", None
    tb = exc.__traceback__
    while tb is not None:
        f = tb.tb_frame
        file = Path(f.f_code.co_filename).resolve()
        if file.is_relative_to(here):
            where = f"{file.relative_to(here.parent).as_posix()}:{tb.tb_lineno}"
            spec = f.f_locals.get("spec")
            pos = getattr(spec, "pos", None) or pos
        tb = tb.tb_next
    d = Diagnostics()
    d.error("SKY999", f"internal error, please report: {type(exc).__name__} at {where or 'unknown'}", pos,
            hint="this is a bug in skyspec; SKYSPEC_DEBUG=1 shows the traceback")
    click.echo(render_text(d.sorted(), None), err=True, nl=False)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="skyspec")
def main() -> None:
    """skyspec: compile deployment specs into Kubernetes, Compose, Helm and Kustomize."""
    # A short-lived compiler allocates many small objects that live until exit (positions,
    # histories) and makes almost no reference cycles: the cyclic collector's full scans
    # cost a third of a 10,000-app build and reclaim nothing, so the CLI turns it off.
    import gc

    gc.disable()


@main.command()
@click.argument("directory", default=".", type=click.Path(exists=True, file_okay=True, path_type=Path))
@click.option("--env", "-e", "envs", multiple=True, help="Environment to build (repeatable; default: all).")
@click.option("--format", "-f", "formats", multiple=True,
              help="kubernetes, compose, helm, kustomize (comma-separated or repeated; default: the project's outputs).")
@click.option("--out", "-o", type=click.Path(path_type=Path), help="Output folder (default: out/ beside the project file).")
@click.option("--set", "sets", multiple=True, metavar="APP.PATH=VALUE", help="Override a value (the last layer).")
@click.option("--diagnostics-format", "dfmt", type=DIAG_FORMATS, default="text", show_default=True)
@allow_python_option
def build(directory: Path, envs, formats, out, sets, dfmt, allow_python) -> None:
    """Compile the project in DIRECTORY and write the outputs."""
    from .pipeline import Session, render
    from .output import write_tree

    fmts = _split_formats(formats)
    session = Session.find(directory, allow_python=allow_python, cache="existing")
    if session is None:
        from .diagnostics import Diagnostics

        d = Diagnostics()
        Session.find(directory, d)
        emit_diags(d, dfmt)
        sys.exit(1)
    proj = session.project
    require_envs([session], envs, dfmt)
    compiled = {}
    if proj is not None:
        compiled = session.compile_all(envs, sets)
    if session.diags.has_errors or proj is None:
        emit_diags(session, dfmt)
        sys.exit(1)
    fmts = fmts or proj.outputs
    files = render(compiled, fmts, session.diags, base=proj.base)
    target = out if out is not None else proj.root / "out"
    if session.diags.has_errors or not write_tree(target, files, session.diags, guard=proj.root,
                                                  protected=session.source_folders()):
        emit_diags(session, dfmt)
        sys.exit(1)
    emit_diags(session, dfmt)
    if dfmt == "text":
        report = list(dict.fromkeys(line for c in compiled.values() for line in c.ir.report))
        if report:
            click.echo("skyspec: relaxed defaults:")
            for line in report:
                click.echo(f"  {line}")
        click.echo(f"skyspec: built {proj.name} for {', '.join(compiled)} ({', '.join(fmts)}): "
                   f"{len(files)} files in {target}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--env", "-e", "envs", multiple=True, help="Environment to check (repeatable; default: all).")
@click.option("--set", "sets", multiple=True, metavar="APP.PATH=VALUE", help="Override a value (the last layer).")
@click.option("--diagnostics-format", "--format", "dfmt", type=DIAG_FORMATS, default="text", show_default=True)
@allow_python_option
def check(paths, envs, sets, dfmt, allow_python) -> None:
    """Check specs and overlays without writing any output.

    PATHS may be project folders or files (as pre-commit passes them); each is checked as
    part of the project whose skyspec.yaml/.toml is nearest above it. Files that belong to no
    project are skipped. Parsed files are cached in .skyspec-cache/ beside the project file
    (signed; safe to delete; SKYSPEC_CACHE=0 turns it off)."""
    from .diagnostics import Diagnostics, Sources
    from .pipeline import Session
    from .paths import shown_path
    from .project import find_project_file

    roots: dict[Path, None] = {}
    skipped = []
    for p in paths or (Path("."),):
        pf = find_project_file(p)
        if pf is None:
            skipped.append(p)
        else:
            roots[pf] = None
    diags, sources = Diagnostics(), Sources()
    if not roots:
        if paths:
            click.echo(f"skyspec: no project file above {', '.join(shown_path(p) for p in skipped)}; nothing to check",
                       err=True)
            return
        Session.find(Path("."), diags)
        emit_diags(diags, dfmt)
        sys.exit(1)
    sessions = [Session(pf, diags, sources, allow_python=allow_python, cache=True) for pf in roots]
    require_envs(sessions, envs, dfmt)
    for s in sessions:
        if s.project is not None:
            s.compile_all(envs, sets)
    for s in sessions:
        s.save_cache()  # the parsed files, for the next run (not on error)

    class _All:  # the union of sessions, for rendering
        pass

    agg = _All()
    agg.diags, agg.sources = diags, sources
    agg.docs = [d for s in sessions for d in s.docs]
    emit_diags(agg, dfmt)
    if diags.has_errors:
        sys.exit(1)
    if dfmt == "text":
        click.echo(f"skyspec: {sum(len(s.docs) for s in sessions)} documents checked, no errors", err=True)


@main.command()
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("schemas"), show_default=True)
def schema(out: Path) -> None:
    """Write the JSON Schemas of the spec language (for editors and CI)."""
    from .schema.spec import write_schemas

    try:
        names = write_schemas(out)
    except OSError as exc:
        click.echo(f"skyspec: cannot write the schemas to {out}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo(f"skyspec: wrote {len(names)} schemas to {out}")


if __name__ == "__main__":  # pragma: no cover
    main()
