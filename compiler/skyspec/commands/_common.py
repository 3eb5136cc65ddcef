"""What the commands share with each other and with :mod:`skyspec.cli`: finding the project
(:func:`load_session`, which exits with the diagnostics when there is none or it failed to
load), the `--allow-python` option (:func:`allow_python_option`), the usage check of `--env`
names, environments or targets `env.target` (:func:`require_envs`, exit 2; :func:`env_names`
and :func:`wanted_unit` select what to compile and keep), the project as of a git revision in
a temporary worktree (:func:`at_revision`, for `cost --against` and `diff --against`) and
printing diagnostics as text, JSON or SARIF (:func:`emit_diags`; the collector's redactor
scrubs secrets from all three), and the output conventions every command shares
(:data:`OUTPUT`: `--color`, `-q`, `-v`, set by :func:`output_options`; :func:`say` for what
`-q` silences; :func:`use_color`). It holds no
command and must not import skyspec.cli (the command line sits above the commands and
imports this module, never the reverse).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator, Sequence

import click

from .. import __version__


class Output:
    """How this run prints: ``color`` auto|always|never (`--color`), ``verbosity`` -1 with
    `-q` (errors only), 1 with `-v` (more detail), 0 otherwise. Reset by the command line's
    group for each run; a command's own `-q`/`-v`/`--color` override the group's."""

    def __init__(self) -> None:
        self.reset()

    def reset(self, color: str | None = None, verbosity: int = 0) -> None:
        self.color = color or "auto"
        self.verbosity = verbosity

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    @property
    def verbose(self) -> bool:
        return self.verbosity > 0


OUTPUT = Output()


def use_color(err: bool = True) -> bool:
    """Colour on stderr (``err``) or stdout: `--color always`/`never` decide; `auto` (the
    default) colours a terminal, unless NO_COLOR is set to anything (no-color.org)."""
    if OUTPUT.color != "auto":
        return OUTPUT.color == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return _isatty("stderr" if err else "stdout")


def say(message: str, err: bool = False) -> None:
    """A line that is not a problem (a summary, a report): silenced by `-q`."""
    if not OUTPUT.quiet:
        click.echo(message, err=err)


def output_options(f):
    """`--color`, `-q`/`--quiet`, `-v`/`--verbose`: for the group and every command (they
    set :data:`OUTPUT` when given, so `skyspec -q check` and `skyspec check -q` agree)."""
    def set_color(ctx, param, value):
        if value is not None:
            OUTPUT.color = value

    def set_level(level):
        def cb(ctx, param, value):
            if value:
                OUTPUT.verbosity = level
        return cb

    f = click.option("--color", "--colour", type=click.Choice(["auto", "always", "never"]), default=None,
                     expose_value=False, callback=set_color,
                     help="Colour the diagnostics: auto (default: on a terminal, unless NO_COLOR is set), "
                          "always or never.")(f)
    f = click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=set_level(1),
                     help="More detail (such as the defaults relaxed for an environment).")(f)
    f = click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=set_level(-1),
                     help="Errors only: no warnings, summaries or reports.")(f)
    return f


def emit_diags(session_or_diags, fmt: str, sources=None, moved: tuple[str, str] | None = None) -> None:
    """The diagnostics as text on stderr (coloured by :func:`use_color`) with a count, or as
    JSON or SARIF on stdout; `-q` keeps the errors only. ``moved`` (old, new) rewrites the
    shown paths of the text starting with `old` (a temporary worktree's) to start with `new`."""
    from ..diagnostics import Diagnostics, render_json, render_sarif, render_text

    diags: Diagnostics = getattr(session_or_diags, "diags", session_or_diags)
    sources = sources or getattr(session_or_diags, "sources", None)
    items = diags.sorted()
    if OUTPUT.quiet:
        items = [d for d in items if d.severity == "error"]
    if fmt == "json":
        click.echo(render_json(items), nl=False)
    elif fmt == "sarif":
        from ..codes import help_uri
        from ..rules import all_codes

        titles = {code: c.title for code, c in all_codes().items()}
        click.echo(render_sarif(items, __version__, titles, help_uri), nl=False)
    elif items:
        color = use_color()
        # color= tells click not to strip the escapes it would strip off a terminal
        text = render_text(items, sources, color=color)
        if moved is not None and moved[0]:
            text = text.replace(moved[0], moved[1])
        click.echo(text, err=True, nl=False, color=color)
        e = sum(d.severity == "error" for d in items)
        w = sum(d.severity == "warning" for d in items)
        parts = []
        if e:
            parts.append(f"{e} error{'s' * (e != 1)}")
        if w:
            parts.append(f"{w} warning{'s' * (w != 1)}")
        if parts:
            click.echo(f"skyspec: {', '.join(parts)}", err=True)


def fail_on_warnings(session_or_diags, strict: bool, fmt: str = "text") -> None:
    """`--strict`: exit 1 when there are warnings (already printed by :func:`emit_diags`)."""
    diags = getattr(session_or_diags, "diags", session_or_diags)
    if strict and diags.warnings:
        n = len(diags.warnings)
        if fmt == "text":
            click.echo(f"skyspec: --strict: {n} warning{'s' * (n != 1)} fail{'s' * (n == 1)} the run", err=True)
        sys.exit(1)


def strict_option(f):
    """`--strict`, for the commands that gate CI (check, build)."""
    return click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")(f)


def allow_python_option(f):
    """`--allow-python`, for every command that loads spec files."""
    return click.option("--allow-python", "allow_python", is_flag=True,
                        help="Run .py spec files: they are Python code, trusted like any script you run "
                             "(`python: true` in the project file alone runs nothing; SKYSPEC_ALLOW_PYTHON=1 "
                             "allows it for such projects).")(f)


def require_envs(sessions, names, fmt: str = "text") -> None:
    """Exit 2, a usage error, with a SKY013 diagnostic per name given with `--env` that is not
    an environment of the project (of any of ``sessions``), or, spelled `env.target`, not a
    target bound to that environment."""
    from ..diagnostics import Diagnostics, did_you_mean

    diags = Diagnostics()
    for s in sessions:
        envs = s.project.environments if s.project is not None else None
        for name in names if envs is not None else ():
            env, _, target = name.partition(".")
            if env not in envs:
                as_target = [f"{e}.{env}" for e in envs if env in s.project.targets
                             and e in s.project.targets[env].environments]
                hint = (f"a target is named with its environment: {', '.join(as_target)}" if as_target and not target
                        else did_you_mean(env, envs) or f"environments: {', '.join(envs)}")
                diags.error("SKY013", f'unknown environment "{env}"', None, hint=hint)
            elif target:
                bound = [t for t, b in s.project.targets.items() if env in b.environments]
                if target not in bound:
                    diags.error("SKY013", f'environment "{env}" has no target "{target}"', None,
                                hint=did_you_mean(target, bound) or (f"targets of {env}: {', '.join(bound)}"
                                                                     if bound else f"no target is bound to {env}"))
    if diags.has_errors:
        emit_diags(diags, fmt)
        sys.exit(2)


def env_names(names: Sequence[str]) -> list[str]:
    """The environments of `--env` names (`prod.eu-west` is of `prod`), each once: what to compile."""
    return list(dict.fromkeys(n.partition(".")[0] for n in names))


def wanted_unit(key: str, names: Sequence[str]) -> bool:
    """Whether the output unit ``key`` (`prod`, `prod.eu-west`) was asked for by `--env`
    ``names``: all without names; an environment's name asks for it and its targets."""
    return not names or key in names or key.partition(".")[0] in names


def resolve_unit(session, name: str):
    """The (environment name, :class:`~skyspec.project.Target` or None) of a `--env` value
    already checked by :func:`require_envs`."""
    env, _, target = name.partition(".")
    return env, (session.project.targets[target] if target else None)


def _git(args: list[str], cwd: Path):
    import subprocess  # only for --against: `skyspec --help` must stay light

    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


@contextlib.contextmanager
def at_revision(rev: str, project, allow_python: bool = False) -> Iterator:
    """The project ``project`` as of git revision ``rev``: a :class:`~skyspec.pipeline.Session`
    of the project file at the same path inside a detached worktree of ``rev`` (None when there
    was no project there yet), valid inside the ``with``; the worktree is removed afterwards
    whatever happens. Not a git repository or an unknown revision: a usage error (exit 2).
    The session may have errors: the caller reports them (:func:`fail_old`)."""
    from ..diagnostics import Diagnostics
    from ..pipeline import Session
    from ..project import find_project_file

    root = Path(project.root).resolve()
    top = _git(["rev-parse", "--show-toplevel"], root)
    if top.returncode != 0:
        raise click.UsageError(f"--against needs a git repository, and {root} is not in one: {top.stderr.strip()}")
    repo = Path(top.stdout.strip()).resolve()
    rel = root.relative_to(repo)
    commit = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], repo)
    if commit.returncode != 0:
        raise click.BadParameter(f"{rev!r} is not a revision of {repo}", param_hint="--against")
    tmp = Path(tempfile.mkdtemp(prefix="skyspec-rev-"))
    tree = tmp / "tree"
    added = False
    try:
        # no hooks: reading an old revision must not run the repository's post-checkout hook
        r = _git(["-c", "core.hooksPath=/dev/null", "worktree", "add", "--detach", str(tree),
                  commit.stdout.strip()], repo)
        if r.returncode != 0:
            raise click.ClickException(f"git worktree add failed: {r.stderr.strip()}")
        added = True
        old_root = tree / rel
        pf = old_root / Path(project.file).name
        if not pf.is_file():
            pf = find_project_file(old_root) if old_root.is_dir() else None
            if pf is None or pf.parent.resolve() != old_root.resolve():
                yield None     # no project there yet: everything is new
                return
        yield Session(pf, Diagnostics(), allow_python=allow_python)
    finally:
        if added:
            r = _git(["worktree", "remove", "--force", str(tree)], repo)
            if r.returncode != 0:
                shutil.rmtree(tree, ignore_errors=True)
                _git(["worktree", "prune"], repo)
        shutil.rmtree(tmp, ignore_errors=True)


def moved_root(old_root: Path, new_root: Path) -> tuple[str, str]:
    """(old, new): how the files of the project in a temporary worktree (``old_root``) are
    shown, and how the same files of the working tree are: a shown path starting with the
    first is shown starting with the second (the worktree is gone once the output is read)."""
    import os

    from ..paths import shown_path

    def prefix(root: Path) -> str:
        shown = shown_path(root)
        return "" if shown == "." else shown.rstrip(os.sep) + os.sep

    return prefix(old_root), prefix(new_root)


def fail_old(rev: str, session, code: int = 1, root: Path | None = None) -> None:
    """Exit ``code`` with the diagnostics of the project as of ``rev``, which does not compile;
    their files shown as those of the project at ``root`` (the working tree's) are."""
    click.echo(f"skyspec: the project as of {rev} does not compile:", err=True)
    old_root = session.project.root if session.project is not None else session.templates.root
    moved = moved_root(old_root, root) if root is not None else None
    emit_diags(session, "text", moved=moved)
    sys.exit(code)


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



def _isatty(name: str) -> bool:
    try:
        return getattr(sys, name).isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """A line on stderr saying what a long run is doing (``stage``) and for how long: only
    on a terminal (or with SKYSPEC_PROGRESS=1), never with `-q`, drawn only once the run has
    taken longer than :attr:`DELAY` seconds, rewritten in place and erased at the end, so a
    quick build prints nothing more and piped output never has it."""

    DELAY = 1.0
    EVERY = 0.25

    def __init__(self, stage: str = "", enabled: bool | None = None) -> None:
        if enabled is None:
            enabled = not OUTPUT.quiet and (os.environ.get("SKYSPEC_PROGRESS") == "1" or _isatty("stderr"))
        self.enabled = enabled
        self.stage = stage
        self._stream = sys.stderr
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._shown = False
        self._start = time.monotonic()

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="skyspec-progress", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        if self._stop.wait(self.DELAY):
            return
        while True:
            with self._lock:
                if self._stop.is_set():
                    return
                self._stream.write(f"\r\x1b[Kskyspec: {self.stage} ({time.monotonic() - self._start:.1f}s)")
                self._stream.flush()
                self._shown = True
            if self._stop.wait(self.EVERY):
                return

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
