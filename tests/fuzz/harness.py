"""One fuzz case through skyspec, in-process, and the property it must hold.

The case's files are written under ``root/proj``; with ``root`` as the working directory,
`skyspec check` runs through click's test runner (on the folder, or on the files as
pre-commit passes them; diagnostics as JSON mostly, text or SARIF sometimes), and when it
passes, `skyspec build` of all four formats into ``root/out1`` (on a fraction of cases a
second build into ``root/out2``, which must be byte-identical). The property:

- no exception escapes the command (click's runner catching anything but SystemExit is a
  crash, and so is exit code 3, an internal error the CLI reports), the exit code is 0, 1
  or 2 and no traceback is printed;
- every diagnostic has a registered code, an error has a position in a file unless its code
  is one of the project- or usage-level ones without a place in a file (:data:`NO_POS_OK`),
  exit 1 comes with an error and exit 0 without one;
- a build writes nothing outside its output folder: ``root`` holds exactly what it held
  before, besides ``out1``/``out2``;
- with ``workers``, the environments compiled in worker processes (`-j 3`, however small the
  project) give what one process gave: `check` prints the same and exits the same, and a
  `build` that passed writes the same files (into ``out4``) and prints the same;
- with ``edit``, a `check` with the caches, after one file of the project is replaced by
  another case's (or removed), says what a check without them says (in workers too, with
  ``workers``), and when it passes, a `build` with the caches says and writes what one without
  them does (``out5``, ``out6``): a cache never answers for files that changed; and a build
  of every environment into ``out1``, which holds the build from before the edit, leaves it
  holding what the fresh one wrote (its manifest aside), nothing stale and nothing refused;
- with ``editor``, the case opened in the language server's workspace, one file cut as if
  half-typed, holds the editor property (:mod:`fuzz.editor`): no feature raises, no hover,
  completion or published diagnostic shows a secret's value, every place answered is in a
  file, every diagnostic is published on a range from its start to its end;
- with ``fmt``, `skyspec fmt` of the project keeps its meaning (:mod:`fuzz.formatting`): it
  rewrites YAML files only, a second run changes nothing, and `check` and `build` say and
  write what they did before;
- with ``explained``, every field of every Kubernetes object of a case that builds explains
  down to lines people wrote or documented defaults (:mod:`fuzz.explained`);
- with ``commands``, `cost`, `graph`, `diff`, `manifests` and `explain` hold what every
  command holds and print no secret, and `manifests` prints what the build wrote
  (:mod:`fuzz.commands`);
- with ``reimport``, the build of a unit imported back (`skyspec import kubernetes`) round-trips
  and checks (:mod:`fuzz.reimport`).

It runs the compiler and inspects what it printed and wrote; it must not change the
compiler's behaviour (it only re-enables the garbage collector the CLI turns off, so that a
long campaign in one process does not grow).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import re
import shutil
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .project import FORMATS, Case

# Errors that have no place in a file: no project file found, an unknown --env, the output
# folder (it is a command-line argument).
NO_POS_OK = {"SKY010", "SKY013", "SKY901", "SKY902"}
CODE_RX = re.compile(r"^SKY\d{3}$")
INTERNAL_RX = re.compile(r"internal error, please report: (\w+) at (\S+)")


@dataclass
class Outcome:
    check_exit: int | None = None
    build_exit: int | None = None
    crash: BaseException | None = None
    site: str | None = None              # "ValueError skyspec/ir/lower.py:321"
    trace: str = ""
    problems: list[str] = field(default_factory=list)   # property violations other than a crash
    deterministic_checked: bool = False
    hashseed_checked: bool = False   # built again in another process, with other string hashes
    workers_checked: bool = False    # checked (and built) again with the environments in workers
    edit_checked: str | None = None  # the file edited between a cached check and the next
    editor_checked: bool = False     # opened in the language server's workspace (:mod:`fuzz.editor`)
    fmt_changed: int | None = None   # files `skyspec fmt` rewrote (:mod:`fuzz.formatting`); None: not run
    fields_explained: int | None = None  # fields walked through `explain` (:mod:`fuzz.explained`); None: not run
    commands_checked: bool = False   # cost, graph, diff, manifests, explain run (:mod:`fuzz.commands`)
    reimported: str | None = None    # the unit whose build was imported back (:mod:`fuzz.reimport`)
    errors: list[str] = field(default_factory=list)     # "CODE message" of each error reported
    trail: list[str] = field(default_factory=list)      # each command's exit code and output, and the
    # output tree, hashed: two compiler versions that agree on a case have the same trail
    miss: str | None = None  # a check that passed before a build that failed: why (:func:`_why_missed`)

    @property
    def ok(self) -> bool:
        return self.crash is None and not self.problems


def crash_site(exc: BaseException) -> str:
    """The exception type and the innermost frame inside the skyspec package."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = "?"
    for f in frames:
        norm = f.filename.replace(os.sep, "/")
        if "/skyspec/" in norm:
            where = f"skyspec/{norm.rsplit('/skyspec/', 1)[1]}:{f.lineno}"
    return f"{type(exc).__name__} {where}"


@lru_cache(maxsize=None)
def _known_codes() -> frozenset[str]:
    from skyspec.rules import all_codes

    return frozenset(all_codes())


def _snapshot(root: Path, skip: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for dirpath, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir == ".":
            dirs[:] = [d for d in dirs if d not in skip]
        for name in files + [d + "/" for d in dirs]:
            p = os.path.join(dirpath, name.rstrip("/"))
            rel = os.path.relpath(p, root).replace(os.sep, "/") + ("/" if name.endswith("/") else "")
            if name.endswith("/") or os.path.islink(p):
                out[rel] = "dir" if not os.path.islink(p) else "link:" + os.readlink(p)
            else:
                with open(p, "rb") as fh:
                    out[rel] = hashlib.sha256(fh.read()).hexdigest()
    return out


def _tree(out: Path) -> dict[str, bytes]:
    files = {}
    for dirpath, _, names in os.walk(out):
        for n in names:
            p = os.path.join(dirpath, n)
            with open(p, "rb") as fh:
                files[os.path.relpath(p, out)] = fh.read()
    return files


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _said(cmd: str, r) -> str:
    """One command's exit code and what it printed (stdout and stderr, as the runner mixes them), hashed."""
    return f"{cmd} {r.exit_code} {_digest(r.output)}"


def write_case(case: Case, proj: Path) -> None:
    for rel, text in case.files.items():
        p = proj / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))


class _Runner:
    def __init__(self) -> None:
        from click.testing import CliRunner

        from skyspec.cli import main

        self.runner = CliRunner()
        self.main = main

    def __call__(self, args: list[str], env: dict | None = None):
        enabled = gc.isenabled()
        try:
            # SKYSPEC_DEBUG: an internal error (exit 3) prints its traceback, for the report
            return self.runner.invoke(self.main, args, catch_exceptions=True, env={"SKYSPEC_DEBUG": "1", **(env or {})})
        finally:
            if enabled:
                gc.enable()


_RUNNER: _Runner | None = None


def run_case(case: Case, root: Path, determinism: bool = False, dfmt: str | None = None,
             hashseed: int | None = None, workers: bool = False, edit: tuple[Case, int] | None = None,
             editor: int | None = None, fmt: bool = False, explained: bool = False,
             commands: int | None = None, reimport: int | None = None) -> Outcome:
    """Run ``case`` under ``root`` (emptied first) and report how it held the property;
    ``dfmt`` overrides the case's diagnostics format for `check`. With ``hashseed``, a build
    that passed is done again in another process, its strings hashed with that seed
    (PYTHONHASHSEED), and must write the same bytes: an order taken from a set of strings
    differs between processes, never within one. With ``workers``, the check (and the build,
    when it passed) is done again with the environments in workers, and must say and write
    the same. With ``edit`` (another case, an index), after a check with the caches the
    index-th file of either case is written as the other case has it (removed when it has
    none); a check with the caches must then say what one without them says (and neither may
    crash), and when they pass, so must the builds, and a rebuild into ``out1`` leave what a
    fresh build writes. With ``editor`` (a seed), the case is then opened in the language
    server's workspace and must hold :mod:`fuzz.editor`'s property; with ``fmt``, the project is
    formatted and must hold :mod:`fuzz.formatting`'s; with ``explained``, when the build passed,
    every field it wrote must hold :mod:`fuzz.explained`'s; with ``commands`` (a seed), the other
    commands must hold :mod:`fuzz.commands`'; with ``reimport`` (a seed), when the build passed, a
    unit's output imported back must hold :mod:`fuzz.reimport`'s."""
    dfmt = dfmt or case.dfmt
    global _RUNNER
    if _RUNNER is None:
        _RUNNER = _Runner()
    run = _RUNNER
    if root.exists():
        shutil.rmtree(root)
    proj = root / "proj"
    proj.mkdir(parents=True)
    write_case(case, proj)
    before = _snapshot(root, ())
    res = Outcome()
    extra = [a for s in case.sets for a in ("--set", s)] + [a for e in case.envs for a in ("--env", e)]
    with contextlib.chdir(root):
        paths = sorted(f"proj/{rel}" for rel in case.files) if case.check_files else ["proj"]
        check = ["check", *paths, "--diagnostics-format", dfmt, *extra]
        r = checked = run(check)
        res.check_exit = r.exit_code
        res.trail.append(_said("check", r))
        if _judge(r, res, "check", dfmt):
            return res
        built = None
        if r.exit_code == 0:
            outs = ["out1", "out2"] if determinism else ["out1"]
            for out in outs:
                r = run(["build", "proj", "-o", out, "-f", ",".join(FORMATS), "--diagnostics-format", "json", *extra])
                res.build_exit = r.exit_code
                res.trail.append(_said("build", r))
                built = built or r
                if _judge(r, res, "build", "json") or r.exit_code != 0:
                    break
            else:
                if determinism:
                    res.deterministic_checked = True
                    a, b = _tree(root / "out1"), _tree(root / "out2")
                    if a != b:
                        diff = sorted(set(a) ^ set(b)) or sorted(k for k in a if a[k] != b[k])
                        res.problems.append(f"two builds differ: {diff[:5]}")
                if hashseed is not None and res.build_exit == 0:
                    _other_process(root, extra, hashseed, res)
        if workers and res.crash is None:
            _in_workers(run, root, check, checked, built if res.build_exit == 0 else None, extra, res)
    if res.check_exit == 0 and res.build_exit not in (0, None) and res.crash is None:
        with contextlib.chdir(root):
            res.miss = _why_missed(run, case, [a for s in case.sets for a in ("--set", s)], extra)
    if (root / "out1").is_dir():
        res.trail.append("out1 " + _digest(sorted(_tree(root / "out1").items())))
    after = _snapshot(root, ("out1", "out2", "out3", "out4"))
    # `check` keeps its signed parse cache beside the project file: documented, and the one place
    # besides -o that skyspec writes
    after = {k: v for k, v in after.items() if "/.skyspec-cache/" not in f"/{k}"}
    written = sorted(set(after) - set(before))
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    removed = sorted(set(before) - set(after))
    if written or changed or removed:
        res.problems.append(f"files touched outside the output folder: written {written[:5]}, "
                            f"changed {changed[:5]}, removed {removed[:5]}")
    if editor is not None and res.crash is None:
        from .editor import editor_case

        with contextlib.chdir(root):
            editor_case(case, proj, editor, res)
        res.editor_checked = True
    if explained and res.crash is None and res.build_exit == 0:
        from .explained import explained as walk

        with contextlib.chdir(root):
            walk(case, proj, res)
    if commands is not None and res.crash is None:
        from .commands import other_commands

        with contextlib.chdir(root):
            other_commands(run, root, case, extra, commands, res)
        res.commands_checked = True
    if reimport is not None and res.crash is None and res.build_exit == 0:
        from .reimport import reimported

        with contextlib.chdir(root):
            reimported(run, root, reimport, res)
    if fmt and res.crash is None:
        from .formatting import formatted

        with contextlib.chdir(root):
            formatted(run, root, check, checked, res.build_exit == 0, extra, res)
    if edit is not None and res.crash is None:
        with contextlib.chdir(root):
            _edited(run, proj, check, case, *edit, res, workers)
    return res


def _edited(run, proj: Path, check: list[str], case: Case, other: Case, pick: int, res: Outcome,
            workers: bool) -> None:
    """A check with the caches (kept when it found no error), one file edited, then a check
    with the caches and one without: they must say the same (with ``workers``, all three
    with the environments in workers); when they pass, a build with the caches and one
    without must say and write the same."""
    from skyspec import jobs

    saved = jobs.MIN_DOCS
    if workers:
        jobs.MIN_DOCS, check = 0, [*check, "-j", "3"]
    try:
        shutil.rmtree(proj / ".skyspec-cache", ignore_errors=True)  # the entry kept is this run's (in workers)
        run(check, {"SKYSPEC_CACHE": "1"})
        paths = sorted(set(case.files) | set(other.files))
        rel = paths[pick % len(paths)]
        target = proj / rel
        if rel in other.files:
            target.parent.mkdir(parents=True, exist_ok=True)
            text = other.files[rel]
            target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        elif target.is_file():
            target.unlink()
        res.edit_checked = rel
        warm = run(check, {"SKYSPEC_CACHE": "1"})
        cold = run(check, {"SKYSPEC_CACHE": "0"})
        dfmt = check[check.index("--diagnostics-format") + 1]
        if _judge(warm, res, "check after an edit", dfmt) or _judge(cold, res, "check after an edit", dfmt):
            return  # (a crash: reported as one)
        if (warm.exit_code, warm.output) != (cold.exit_code, cold.output):
            res.problems.append(f"a check with the caches after {rel} was edited differs from one without: exit "
                                f"{warm.exit_code} (without: {cold.exit_code}), said {warm.output[:300]!r} "
                                f"(without: {cold.output[:300]!r})")
        elif cold.exit_code == 0:
            def build(out: str, cached: str):   # the case's options (and -j 3 with ``workers``)
                return run(["build", "proj", "-o", out, "-f", ",".join(FORMATS), "--diagnostics-format", "json",
                            *check[check.index("--diagnostics-format") + 2:]], {"SKYSPEC_CACHE": cached})

            built = {}
            for out, cached in (("out5", "1"), ("out6", "0")):
                r = build(out, cached)
                built[cached] = (r.exit_code, r.output.replace(out, "OUT"), _tree(proj.parent / out))
            if built["1"] != built["0"]:
                (code, said, a), (code0, said0, b) = built["1"], built["0"]
                diff = sorted(set(a) ^ set(b)) or sorted(k for k in a if a[k] != b[k])
                res.problems.append(f"a build with the caches after {rel} was edited differs from one without: exit "
                                    f"{code} (without: {code0}), files {diff[:5]}, said {said[:300]!r} "
                                    f"(without: {said0[:300]!r})")
            elif res.build_exit == 0 and not case.envs and built["0"][0] == 0:
                # the output folder of the build before the edit, built again: what a fresh build writes
                r = build("out1", "1")
                a = {k: v for k, v in _tree(proj.parent / "out1").items() if k != ".skyspec-manifest.json"}
                b = {k: v for k, v in built["0"][2].items() if k != ".skyspec-manifest.json"}
                said = r.output.replace("out1", "OUT")
                if (r.exit_code, said, a) != (0, built["0"][1], b):
                    diff = sorted(set(a) ^ set(b)) or sorted(k for k in a if a[k] != b[k])
                    res.problems.append(f"a rebuild into the output folder after {rel} was edited differs from a fresh "
                                        f"build: exit {r.exit_code}, files {diff[:5]}, said {said[:300]!r}")
    finally:
        jobs.MIN_DOCS = saved


def _why_missed(run, case: Case, sets: list[str], extra: list[str]) -> str:
    """Why `check` passed a project that `build` then refused, as the campaign counts it:
    "formats" when the build of the formats the project outputs passes (the harness builds
    all four: a Kubernetes-only feature in a Compose-only project is refused by the
    Kubernetes build, as it should be); "environments" when the check of every environment
    fails (the case checked some; Helm and Kustomize compile them all); else "missed": a
    problem `check` should have reported (the case is worth a look). Runs into `out3`; not in
    the trail."""
    if run(["build", "proj", "-o", "out3", "--diagnostics-format", "json", *extra]).exit_code == 0:
        return "formats"
    if case.envs and run(["check", "proj", "--diagnostics-format", "json", *sets]).exit_code != 0:
        return "environments"
    return "missed"


def _in_workers(run, root: Path, check: list[str], checked, built, extra: list[str], res: Outcome) -> None:
    """The case's `check` (and `build`, when ``built``: it passed) again with every environment
    compiled in a worker process (`-j 3`, the project's size notwithstanding): what they print
    and exit, and the files written (into ``out4``), must be what one process gave; nothing
    is told apart when the project has one environment (no worker is forked)."""
    from skyspec import jobs

    saved, jobs.MIN_DOCS = jobs.MIN_DOCS, 0
    forked = ("workers", "render_workers", "spread_workers")
    before = sum(jobs.STATS[k] for k in forked)
    try:
        r = run([*check, "-j", "3"], {"SKYSPEC_CACHE": "0"})  # compiled again, not replayed
        if (r.exit_code, r.output) != (checked.exit_code, checked.output):
            res.problems.append(f"check in workers differs: exit {r.exit_code} (one process: {checked.exit_code}), "
                                f"said {r.output[:300]!r} (one process: {checked.output[:300]!r})")
        if built is not None:
            r = run(["build", "proj", "-o", "out4", "-f", ",".join(FORMATS), "--diagnostics-format", "json", *extra,
                     "-j", "3"], {"SKYSPEC_CACHE": "0"})
            a, b = _tree(root / "out1"), _tree(root / "out4")
            said = r.output.replace("out4", "out1")
            if r.exit_code != built.exit_code or said != built.output or a != b:
                diff = sorted(set(a) ^ set(b)) or sorted(k for k in a if a[k] != b[k])
                res.problems.append(f"build in workers differs: exit {r.exit_code}, files {diff[:5]}, "
                                    f"said {said[:300]!r} (one process: {built.output[:300]!r})")
    finally:
        jobs.MIN_DOCS = saved
    res.workers_checked = sum(jobs.STATS[k] for k in forked) > before   # units compiled, or formats rendered, there


def _other_process(root: Path, extra: list[str], seed: int, res: Outcome) -> None:
    """`build` of ``root/proj`` again, in a process whose string hashes use ``seed``, into
    ``root/out3``: a file that differs from ``out1``'s is a violation."""
    import subprocess
    import sys

    import skyspec

    env = {**os.environ, "PYTHONHASHSEED": str(seed), "SKYSPEC_CACHE": "0",
           "PYTHONPATH": str(Path(skyspec.__file__).resolve().parents[1])}
    r = subprocess.run([sys.executable, "-m", "skyspec", "build", "proj", "-o", "out3", "-f", ",".join(FORMATS),
                        "--diagnostics-format", "json", *extra], cwd=root, env=env, capture_output=True, timeout=120)
    res.hashseed_checked = True
    a, b = _tree(root / "out1"), _tree(root / "out3")
    if r.returncode != 0 or a != b:
        diff = sorted(set(a) ^ set(b)) or sorted(k for k in a if a[k] != b[k])
        res.problems.append(f"a build in another process (PYTHONHASHSEED={seed}) differs: exit {r.returncode}, "
                            f"files {diff[:5]}")


def _judge(r, res: Outcome, cmd: str, dfmt: str) -> bool:
    """Record what is wrong with one command's result; True when it crashed."""
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        res.crash = r.exception
        res.site = crash_site(r.exception)
        res.trace = "".join(traceback.format_exception(*r.exc_info)) if r.exc_info else repr(r.exception)
        return True
    out = r.output
    if r.exit_code == 3:  # an internal error the CLI caught and reported as SKY999: still a crash
        m = INTERNAL_RX.search(out)
        res.crash = RuntimeError(m.group(0) if m else out.strip()[:200])
        res.site = f"{m.group(1)} {m.group(2)}" if m else "InternalError ?"
        res.trace = out  # with SKYSPEC_DEBUG=1, the traceback
        return True
    if r.exit_code not in (0, 1, 2):
        res.problems.append(f"{cmd}: exit code {r.exit_code}")
    if "Traceback (most recent call last)" in out:  # (exit 3, with SKYSPEC_DEBUG, returned above)
        res.problems.append(f"{cmd}: a traceback was printed")
    if dfmt == "json" and r.exit_code in (0, 1):
        try:
            items = json.loads(r.stdout)
        except ValueError:
            res.problems.append(f"{cmd}: --diagnostics-format json printed no JSON: {r.stdout[:200]!r}")
            return False
        _judge_diags(items, r.exit_code, res, cmd)
    return False


def _out_of_file(d: dict, cache: dict) -> str | None:
    """What is wrong with where ``d`` points (a file of the case, relative to the working
    folder): no such file, or a line or column past its end, as an editor counts lines;
    None when it is right or points nowhere. A path with a secret in it is shown redacted."""
    file, line, col = d.get("file"), d.get("line"), d.get("column")
    if not isinstance(file, str) or file.startswith("<") or "<redacted>" in file:
        return None
    if file not in cache:
        try:
            text = Path(file).read_text(encoding="utf-8", errors="replace")  # (universal newlines)
            cache[file] = text.split("\n")
        except OSError:
            cache[file] = None
    got = cache[file]
    if got is None:
        return f"points to {file!r}, which is not a file here"
    if isinstance(line, int) and not 1 <= line <= len(got):
        return f"points to line {line} of {file}, which has {len(got)}"
    if isinstance(line, int) and isinstance(col, int) and not 1 <= col <= len(got[line - 1]) + 1:
        return f"points to column {col} of line {line} of {file}, which has {len(got[line - 1])} characters"
    return None


def _judge_diags(items: list, exit_code: int, res: Outcome, cmd: str) -> None:
    known = _known_codes()
    errors = 0
    lines: dict[str, list[str] | None] = {}
    for d in items:
        where = _out_of_file(d, lines)
        if where:
            res.problems.append(f"{cmd}: {d.get('code')} {where}: {d.get('message', '')[:200]}")
        code = d.get("code")
        if not isinstance(code, str) or not CODE_RX.match(code) or code not in known:
            res.problems.append(f"{cmd}: diagnostic without a registered code: {d}")
            continue
        if not d.get("message"):
            res.problems.append(f"{cmd}: {code} has no message")
        if d.get("severity") == "error":
            errors += 1
            res.errors.append(f"{code} {d.get('message', '')}")
            if code not in NO_POS_OK and not (d.get("file") and isinstance(d.get("line"), int) and d["line"] >= 1
                                              and isinstance(d.get("column"), int) and d["column"] >= 1):
                res.problems.append(f"{cmd}: error {code} has no position: {d.get('message', '')[:200]}")
            if not d.get("hint"):  # the house rule: every error says how to fix it
                res.problems.append(f"{cmd}: error {code} has no hint: {d.get('message', '')[:200]}")
    if exit_code == 1 and not errors:
        res.problems.append(f"{cmd}: exit 1 without an error diagnostic")
    if exit_code == 0 and errors:
        res.problems.append(f"{cmd}: exit 0 with {errors} error(s)")
