"""The command line: a thin click shell over :mod:`skyspec.pipeline`.

Exit codes: 0 success (warnings allowed, unless `--strict`), 1 problems in the input (or a
gate such as a budget failed), 2 usage errors, 3 an internal error (a bug: reported as SKY999
with the exception's type and where it was raised, never its message; SKYSPEC_DEBUG=1 shows
the traceback). Diagnostics go to stderr as text (coloured on a terminal: `--color`,
NO_COLOR), or to stdout as JSON or SARIF with `--diagnostics-format`. `-q` and `-v`, like
`--color`, are accepted by the group and by every command (:func:`_conventions`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence

import click

from . import __version__
from .commands._common import (OUTPUT, Progress, allow_python_option, emit_diags, env_names, fail_on_warnings,
                               output_options, require_envs, resolve_unit, say, strict_option)
from .paths import shown_path

DIAG_FORMATS = click.Choice(["text", "json", "sarif"])


def jobs_option(f):
    """`-j N`: compile environments and targets in up to N processes (:mod:`.jobs`)."""
    def default(ctx, param, value):
        if value is None:  # the cores this process may use
            try:
                return max(1, len(os.sched_getaffinity(0)))
            except (AttributeError, OSError):  # pragma: no cover - not Linux
                return max(1, os.cpu_count() or 1)
        return value

    return click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, callback=default, metavar="N",
                        help="Compile environments and targets in up to N processes (default: the number of "
                             "cores; large projects only). The output is the same with any N.")(f)


def _chart_version(ctx, param, value: str | None) -> str | None:
    """--chart-version: SemVer 2, as Helm requires of a chart's version."""
    if value is None:  # click calls this on every build: the project schema is imported for a value only
        return None
    import re

    from .schema.project import SEMVER

    if not re.match(SEMVER, value):
        raise click.BadParameter(f"{value!r} is not a SemVer 2 version (e.g. 1.4.0, 2.0.0-rc.1)",
                                 param_hint="--chart-version")
    return value


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
    "diff": ("diff", "Show what differs between two environments, or between git revision REV and the working "
                     "tree, and where each value comes from."),
    "explain": ("explain", "Show a value and the chain of layers that produced it."),
    "fmt": ("fmt", "Format spec, overlay and project files (YAML; comments kept)."),
    "graph": ("graph", "Print which workloads connect to which."),
    "import": ("import_", "Adopt skyspec from existing Kubernetes manifests, Compose files and Helm charts."),
    "init": ("init", "Create a project in DIRECTORY with a sample app and dev/qa/prod overlays. "
                     "Existing files are never overwritten."),
    "lsp": ("lsp", "Run the skyspec language server (diagnostics, completion, hover, definitions)."),
    "manifests": ("manifests", "Print the Kubernetes manifests of one environment (or target) to stdout."),
    "schema": ("schema", "Write the JSON Schemas of the spec language (for editors and CI). Run in a project, "
                         "the editors' schemas also know its templates' parameters."),
    "verify": ("verify", "Check that the manifests in DIRECTORY work together: Services reach pods and ports, "
                         "probes and addresses name real ports, used ConfigMaps/Secrets/claims exist, and the "
                         "NetworkPolicies admit every connection."),
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
            cmd = getattr(importlib.import_module(f"{__package__}.commands.{module}"), module)
            _conventions(cmd)
            self.add_command(cmd, name)
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter) -> None:
        names = [n for n in self.list_commands(ctx) if n in LAZY or not self.commands[n].hidden]
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(n, click.Command(n, help=LAZY[n][1]).get_short_help_str(limit) if n not in self.commands
                 else self.commands[n].get_short_help_str(limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, *args, **kwargs):
        OUTPUT.reset()  # each run starts from the defaults (tests run many in one process)
        return super().main(*args, **kwargs)

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
@output_options
def main() -> None:
    """skyspec: compile deployment specs into Kubernetes, Compose, Helm and Kustomize.

    Exit status: 0 success, 1 problems in the specs (or a gate failed), 2 usage error,
    3 internal error. Shell completion: `eval "$(_SKYSPEC_COMPLETE=bash_source skyspec)"`
    (zsh_source, fish_source for those shells)."""
    # A short-lived compiler allocates many small objects that live until exit (positions,
    # histories) and makes almost no reference cycles: the cyclic collector's full scans
    # cost a third of a 10,000-app build and reclaim nothing, so the CLI turns it off.
    import gc

    gc.disable()


def run() -> None:
    """The `skyspec` command (and `python -m skyspec`): :func:`main`, then out of the process
    without tearing its objects down. A compilation leaves millions of small objects alive
    until the end, and freeing them one by one took a sixth of a 1,000-app build; the streams
    are flushed and the exit handlers run (temporary folders removed) first, as a normal exit
    does. In-process callers (the tests' CliRunner) call :func:`main`."""
    import atexit

    try:
        main(prog_name="skyspec")
        code = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):   # as sys.exit prints it
        print(code, file=sys.stderr)
    status = code if isinstance(code, int) else 0 if code is None else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe (`skyspec ... | head`): as Python's own exit
            status = status or 120
    run_exit = getattr(atexit, "_run_exitfuncs", None)
    if run_exit is None:
        sys.exit(status)
    run_exit()
    os._exit(status)


@main.command()
@click.argument("directory", default=".", type=click.Path(exists=True, file_okay=True, path_type=Path))
@click.option("--env", "-e", "envs", multiple=True,
              help="Environment to build (repeatable; default: all); a target `prod.eu-west` builds its environment.")
@click.option("--format", "-f", "formats", multiple=True,
              help="kubernetes, compose, helm, kustomize (comma-separated or repeated; default: the project's outputs).")
@click.option("--out", "-o", type=click.Path(path_type=Path), help="Output folder (default: out/ beside the project file).")
@click.option("--set", "sets", multiple=True, metavar="APP.PATH=VALUE", help="Override a value (the last layer).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing: exit 1, listing each file that differs, is missing or is extra, unless the "
                   "output folder holds what the specs compile to (for CI and the pre-commit hook).")
@click.option("--diagnostics-format", "dfmt", type=DIAG_FORMATS, default="text", show_default=True)
@click.option("--chart-version", callback=_chart_version, metavar="SEMVER",
              help="The Helm chart's version (default: the project's `chart: {version}`, else 0.1.0).")
@jobs_option
@strict_option
@allow_python_option
def build(directory: Path, envs, formats, out, sets, check_only, dfmt, chart_version, strict, allow_python,
          jobs) -> None:
    """Compile the project in DIRECTORY and write the outputs.

    With --env, only those environments' files are replaced (`<env>/`, `<env>.<target>/`,
    Helm's values-<env>.yaml, Kustomize's overlays/<env>/); the shared files (the Helm chart,
    the Kustomize base) are computed from every environment, and the other environments'
    files are left as they are. With --format, only those formats' files are. With --strict,
    a warning fails the build (exit 1) and nothing is written. On a terminal, a build that
    takes longer than a second shows what it is doing on a line of stderr."""
    from .output import compare_tree, write_tree
    from .pipeline import SHARED_FORMATS, Session, compose_secret_files, render

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
    envs = env_names(envs)  # a target's files are its environment's: the partial build is per environment
    compiled = {}
    wanted = fmts or (proj.outputs if proj is not None else [])
    built = None
    from .backends.common import sharing

    # the objects the system check lowers each workload to are the ones the formats render (the
    # system check is the last pass: nothing changes an IR after it; tests/test_kubernetes_shared.py)
    with Progress("compiling") as progress, sharing():
        if proj is not None and not any(f in SHARED_FORMATS for f in wanted):
            from .jobs import build_all  # each environment compiled and rendered in a worker, when it pays

            built = build_all(session, envs, sets, jobs, wanted, not fmts, {"helm": {}})
        if built is not None:
            compiled, files = built
        elif proj is not None:
            # a shared format describes every environment, whichever were asked for
            compiled = session.compile_all(None if any(f in SHARED_FORMATS for f in wanted) else envs, sets)
        if built is None and not session.diags.has_errors and proj is not None:
            progress.stage = f"rendering {', '.join(wanted)}"
            chart = dict(proj.data.get("chart") or {})
            if chart_version:
                chart["version"] = chart_version
            from .jobs import runner

            files = render(compiled, wanted, session.diags, base=proj.base, project=proj, only=envs or None,
                           options={"helm": {"chart": chart}}, every_format=not fmts,
                           run=runner(jobs, len(session.docs)))
    if session.diags.has_errors or proj is None:
        emit_diags(session, dfmt)
        others = [e for e in proj.environments if e not in {c.env.name for c in compiled.values()}] if proj else []
        if others and envs and dfmt == "text" and any(f in SHARED_FORMATS for f in wanted) \
                and not set(envs) & set(others):
            say(f"skyspec: the errors are in {', '.join(others)}, which --env did not ask for: the Helm chart and "
                f"the Kustomize base are made from every environment (`--format kubernetes,compose` builds "
                f"{', '.join(envs)} alone)", err=True)
        sys.exit(1)
    target = out if out is not None else proj.root / "out"
    if check_only:
        current = not session.diags.has_errors and compare_tree(target, files, session.diags, guard=proj.root,
                                                                protected=session.source_folders())
        emit_diags(session, dfmt)
        if not current:
            if dfmt == "text":
                click.echo(f"skyspec: {shown_path(target)} is not what the specs compile to: run `skyspec build` "
                           "and commit the result", err=True)
            sys.exit(1)
        fail_on_warnings(session, strict, dfmt)
        if dfmt == "text":
            say(f"skyspec: {shown_path(target)} is current ({len(files)} files)")
        return
    if strict and session.diags.warnings:
        emit_diags(session, dfmt)
        fail_on_warnings(session, strict, dfmt)  # nothing written
    with Progress(f"writing {len(files)} files"):
        written = write_tree(target, files, session.diags, guard=proj.root, protected=session.source_folders())
    if session.diags.has_errors or not written:
        emit_diags(session, dfmt)
        sys.exit(1)
    emit_diags(session, dfmt)
    if dfmt == "text":
        units = [k for k, c in compiled.items() if not envs or c.env.name in envs]
        report = list(dict.fromkeys(line for k in units for line in compiled[k].ir.report))
        if report and OUTPUT.verbose:
            say("skyspec: relaxed defaults:")
            for line in report:
                say(f"  {line}")
        for what, title in (("secret_files", "secret files, which you provide (secrets/.gitignore keeps them out of "
                                             "git)"),
                            ("secret_variables", "variables of Secrets, which you set in .env beside compose.yaml or "
                                                 "in the shell (.env.example lists them; .gitignore keeps .env out "
                                                 "of git)"),
                            ("config_files", "files of existing ConfigMaps, which you provide")):
            rels = compose_secret_files(compiled, envs, what) if "compose" in wanted else []
            if rels:
                say(f"skyspec: Compose reads these {title}:")
            for rel in rels:   # names only (a variable's value is in .env, which is never read)
                folder, _, name = rel.rpartition("/")
                if what == "secret_variables":
                    env = target / folder / ".env"
                    say(f"  {name} in {shown_path(env)}" + ("" if os.path.lexists(env) else " (no .env yet)"))
                else:
                    say(f"  {shown_path(target / rel)}" + ("" if os.path.lexists(target / rel) else " (missing)"))
        say(f"skyspec: built {proj.name} for {', '.join(units)} ({', '.join(wanted)}): "
            f"{len(files)} files in {target}" + (f"; {len(report)} defaults relaxed (-v lists them)"
                                                 if report and not OUTPUT.verbose else ""))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--env", "-e", "envs", multiple=True,
              help="Environment, with its targets, or one target `env.target` to check (repeatable; default: all).")
@click.option("--set", "sets", multiple=True, metavar="APP.PATH=VALUE", help="Override a value (the last layer).")
@click.option("--diagnostics-format", "--format", "dfmt", type=DIAG_FORMATS, default="text", show_default=True)
@jobs_option
@strict_option
@allow_python_option
def check(paths, envs, sets, dfmt, strict, allow_python, jobs) -> None:
    """Check specs and overlays without writing any output.

    PATHS may be project folders or files (as pre-commit passes them); each is checked as
    part of the project whose skyspec.yaml/.toml is nearest above it, in every environment
    (what a changed file can affect). Files that belong to no project are skipped. With
    --strict, warnings fail the check too (exit 1). Parsed files, and the result of a check
    that found no error, are cached in .skyspec-cache/ beside the project file (signed; safe
    to delete; SKYSPEC_CACHE=0 turns it off): a check of unchanged files prints the same
    output without compiling again."""
    from .project import find_project_file

    roots: dict[Path, None] = {}
    skipped = []
    for p in paths or (Path("."),):
        pf = find_project_file(p)
        if pf is None:
            skipped.append(p)
        else:
            roots[pf] = None
    if not roots:
        from .diagnostics import Diagnostics

        if paths:
            from .diagnostics import printable  # (file names a pull request chose)

            say(f"skyspec: no project file above {', '.join(printable(shown_path(p)) for p in skipped)}; "
                "nothing to check", err=True)
            if dfmt != "text":  # what a tool reading stdout parses: an empty result in its format
                emit_diags(Diagnostics(), dfmt)
            return
        from .pipeline import Session

        diags = Diagnostics()
        Session.find(Path("."), diags)
        emit_diags(diags, dfmt)
        sys.exit(1)
    run = None
    if len(roots) == 1 and not allow_python:
        from .commands._common import use_color
        from .runcache import open_run

        run = open_run(next(iter(roots)), ["check", list(envs), list(sets), dfmt, OUTPUT.verbosity, use_color(),
                                           strict])
    if run is None:
        _check(list(roots), envs, sets, dfmt, strict, allow_python, [], jobs)
        return
    got = run.replay()
    out, err, code = got if got is not None else _check_kept(run, list(roots), envs, sets, dfmt, strict, jobs)
    click.echo(out, nl=False, color=True)
    click.echo(err, err=True, nl=False, color=True)
    if code:
        sys.exit(code)


def _check_kept(run, roots: list[Path], envs, sets, dfmt: str, strict: bool, jobs: int) -> tuple[str, str, int]:
    """:func:`_check`, its output captured (colour decided beforehand, as for a terminal)
    and its reads noted: kept by the run cache when it found no error."""
    import contextlib
    import io

    from .commands._common import use_color
    from .contain import watching

    out, err = io.StringIO(), io.StringIO()
    sessions: list = []
    code = 0
    saved, OUTPUT.color = OUTPUT.color, "always" if use_color() else "never"
    try:
        with watching() as notes, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                _check(roots, envs, sets, dfmt, strict, False, sessions, jobs)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except BaseException:
        click.echo(out.getvalue(), nl=False, color=True)  # what was said before it failed
        click.echo(err.getvalue(), err=True, nl=False, color=True)
        raise
    finally:
        OUTPUT.color = saved
    # kept: a check that found no error (a usage error, exit 2, is no result either; `--strict`
    # failing on warnings is), of no Python spec file
    if sessions and (code == 0 or (code == 1 and strict)) and \
            not any(s.diags.has_errors or (s.project is not None and s.project.python) for s in sessions):
        run.store(notes, out.getvalue(), err.getvalue(), code)
    return out.getvalue(), err.getvalue(), code


def _check(roots: list[Path], envs, sets, dfmt: str, strict: bool, allow_python: bool, sessions: list,
           jobs: int) -> None:
    """Check the projects of ``roots`` (their sessions appended to ``sessions``), the units
    of each in up to ``jobs`` processes (:mod:`.jobs`)."""
    from .diagnostics import Diagnostics, Sources
    from .jobs import check_all
    from .pipeline import Session, check_formats

    diags, sources = Diagnostics(), Sources()
    sessions += [Session(pf, diags, sources, allow_python=allow_python, cache=True) for pf in roots]
    require_envs(sessions, envs, dfmt)
    for s in sessions:
        if s.project is not None and not envs:  # every unit, in workers when it pays (its checks too)
            compiled = check_all(s, sets, jobs, s.project.outputs)
            if compiled is not None:
                check_formats(compiled, s.project.outputs, diags)   # what `build` would report before rendering
        elif s.project is not None:
            compiled = {}
            for name in envs:
                env, target = resolve_unit(s, name) if name and "." in name else (name, None)
                if target is not None:
                    c = s.compile(env, sets, target)
                    compiled.update({c.key: c} if c is not None else {})
                else:
                    compiled.update(s.compile_all([env] if env else None, sets))
            check_formats(compiled, s.project.outputs, diags)   # what `build` would report before rendering
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
    fail_on_warnings(diags, strict, dfmt)
    if dfmt == "text":
        say(f"skyspec: {sum(len(s.docs) for s in sessions)} documents checked, no errors", err=True)


def _conventions(cmd: click.Command) -> None:
    """`--color`, `-q`, `-v` on ``cmd`` and its subcommands (the group has them too)."""
    output_options(cmd)
    for sub in getattr(cmd, "commands", {}).values():
        _conventions(sub)


for _cmd in main.commands.values():  # the commands defined here; LAZY ones get theirs when loaded
    _conventions(_cmd)


if __name__ == "__main__":  # pragma: no cover
    main()
