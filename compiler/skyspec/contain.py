"""Containment: the one gate for every path skyspec reads because project input names it.

Spec files (the `specs` globs and what they match), overlay files, project templates
(`use: ./x.yaml`), ConfigMap `files:` and the project file itself come from the project, and
the project comes from pull requests: whoever edits it must not make skyspec read a file
outside the project (`/proc/self/environ`, `../../etc/passwd`, a symlink to `~/.aws/`) and
print it in a code frame or a ConfigMap, nor block forever on a FIFO. :func:`contained`
resolves a path as written, relative to the project root and through every symlink, and
accepts only a regular file inside the root; :func:`glob_allowed` refuses absolute globs and
globs with `..`. A refusal is a located error at the place the path was written (SKY017
outside the project, SKY007 not a regular file, SKY018 a Python file when Python is not
enabled), quoting only what the user wrote: never the target of a symlink, never content.
This module only stats paths: it must not open, read or write any file.

It is also where a run's reads are noted, for the run cache (:mod:`skyspec.runcache`): inside
:func:`watching`, every :func:`contained` call (its arguments and answer), every glob of the
spec files (:func:`note_glob`) and every file read for the compilation (:func:`note_read`,
called by the front end and the ConfigMap `files:` reader with the bytes they read) is
appended to the list it yields, so that a later run can tell whether any of it changed;
:func:`signature` and :func:`settled` let it tell so by a stat, not the bytes, where that is
exact.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import Iterator

from .diagnostics import Diagnostics, Pos

OUTSIDE = "SKY017"
SPECIAL = "SKY007"
PYTHON = "SKY018"

INSIDE_HINT = "paths are relative to the project file, and skyspec reads nothing outside the project's folder"
SPECIAL_HINT = "skyspec reads regular files only, and never opens a FIFO, a device or a socket"
PYTHON_HINT = ("a .py spec file is Python code that skyspec runs while it loads the project (in check, build, "
               "a pre-commit hook or a CI job on a pull request alike), so only whoever runs skyspec can allow it: "
               "if you trust every contributor's code, pass --allow-python, or set SKYSPEC_ALLOW_PYTHON=1 for a "
               "project whose file says `python: true` (which alone runs nothing: a pull request can change it)")

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _absolute(rel: str) -> bool:
    """Absolute on any system: `/x`, `\\x`, `C:...` (strings only: this runs per spec file)."""
    return rel.startswith(("/", "\\")) or os.path.isabs(rel) or (rel[1:2] == ":" and rel[:1].isalpha())


def _parts(rel: str) -> list[str]:
    return rel.replace("\\", "/").split("/")


def escape(rel: str) -> str | None:
    """Why the path ``rel``, as written, cannot name a file inside the project (None when it
    may): absolute, or climbing above the project with `..`. Symlinks are checked apart."""
    if not rel or "\0" in rel:
        return "is not a valid path"
    if _absolute(rel):
        return "is an absolute path"
    depth = 0
    for part in _parts(rel):
        depth += -1 if part == ".." else 0 if part in ("", ".") else 1
        if depth < 0:
            return "leaves the project folder (`..`)"
    return None


def glob_allowed(pattern: str, pos: Pos | None, diags: Diagnostics, what: str = "spec glob") -> bool:
    """False (reported at ``pos``) for a glob that is absolute, empty or holds a `..`
    component: globs match inside the project only."""
    if not pattern or "\0" in pattern:
        why = "is not a valid glob"
    elif _absolute(pattern):
        why = "is an absolute path"
    elif ".." in _parts(pattern):
        why = "contains `..`"
    else:
        return True
    diags.error(OUTSIDE, f'{what} "{pattern}" {why}', pos,
                hint="globs are relative to the project file and match inside its folder only")
    return False


_WATCH: list | None = None  # what this run reads, while :func:`watching`


@contextlib.contextmanager
def watching() -> Iterator[list]:
    """Note every path resolution, glob and read of a run into the list yielded:
    ``("path", root, rel, python, folders, result)``, ``("glob", root, pattern, matches)`` and
    ``("read", path, sha256 hex or None)``. Not reentrant (one run at a time)."""
    global _WATCH
    saved, _WATCH = _WATCH, []
    try:
        yield _WATCH
    finally:
        _WATCH = saved


def note_read(path: Path | str, data: bytes | None) -> None:
    """A file read for the compilation, with the bytes read (None: it could not be read)."""
    if _WATCH is not None:
        _WATCH.append(("read", os.fspath(path), None if data is None else hashlib.sha256(data).hexdigest(),
                       -1 if data is None else len(data)))


SETTLED_NS = 3_000_000_000  # coarser than any file system's timestamps (FAT: 2 s), with room to spare


def signature(st: os.stat_result) -> list[int]:
    """What a stat says of a file's identity and last change: (size, mtime, ctime, inode,
    device). A write, truncation, `os.utime`, chmod or rename of another file in its place
    changes the ctime or the inode, and the ctime cannot be set by a user: an edit that keeps
    the whole signature needs the clock turned back."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def settled(st: os.stat_result, since_ns: int) -> bool:
    """Whether the file's last change (mtime and ctime) is safely older than ``since_ns`` (a
    `time.time_ns()` taken before the file was read): git's "racy" rule. Only then may its
    signature vouch for the bytes read; a change within the same tick of the file system's
    clock as the read (same size, mtime put back) would otherwise keep every field."""
    return max(st.st_mtime_ns, st.st_ctime_ns) < since_ns - SETTLED_NS


def glob_matches(root: Path, pattern: str) -> list[str]:
    """What a spec glob matches under ``root``: paths relative to it, `/`-separated, sorted
    (a listing of folders: nothing is opened). Each match is ``root`` joined with the names
    found, so its own parts after the root's are the relative path: joined with `/` as
    ``relative_to(root).as_posix()`` would give them, at a quarter of its cost (a run cache hit
    globs again)."""
    try:
        k = len(root.parts)
        return sorted("/".join(p.parts[k:]) or "." for p in root.glob(pattern))
    except (OSError, ValueError, NotImplementedError):
        return []


def note_glob(root: Path, pattern: str, matches: list[str]) -> None:
    """The matches (relative paths, as found) of a spec glob."""
    if _WATCH is not None:
        _WATCH.append(("glob", os.fspath(root), pattern, list(matches)))


def contained(root: Path, rel: str, pos: Pos | None, diags: Diagnostics | None, what: str = "file", *,
              missing: str = "SKY003", python: bool = True, folders: bool = False,
              cache: dict | None = None, relative: str = "the project file",
              within: str | None = None) -> Path | None:
    """The real path of ``rel`` (written at ``pos`` in project input, relative to ``root``)
    when it is a regular file inside ``root`` once every symlink is resolved; otherwise None,
    reported at ``pos`` (unless ``diags`` is None: callers that only peek, such as the cost
    estimate, leave the reporting to the pipeline):

    - absolute, `..` above the root, or resolving outside it: SKY017;
    - a FIFO, device, socket or folder (found by ``os.stat``, never opened): SKY007, except a
      folder when ``folders`` is true (a glob matched it; it is skipped silently);
    - a `.py` file when ``python`` is false: SKY018 (it would run arbitrary code);
    - absent or unreadable: the caller's ``missing`` code, `... "rel" not found` (with a
      hint that paths are relative to ``relative``).

    ``within`` names the folder ``root`` is in messages when it is not the project's (the
    importer's: "the chart's folder").

    ``cache``, a dict shared by many calls on one root (the matches of the `specs` globs),
    resolves each folder once: then only a file that is itself a symlink is walked in full.
    Such a match that leads out is reported by the link it goes through (every file behind
    one link is one error, and no name read behind the link is printed).
    """
    found = real_path(root, rel, pos, diags, what, missing=missing, python=python, folders=folders, cache=cache,
                      relative=relative, within=within)
    if _WATCH is not None:
        _WATCH.append(("path", os.fspath(root), rel, python, folders, found))
    return None if found is None else Path(found)


def real_path(root: Path, rel: str, pos: Pos | None, diags: Diagnostics | None, what: str = "file", *,
              missing: str = "SKY003", python: bool = True, folders: bool = False,
              cache: dict | None = None, relative: str = "the project file",
              within: str | None = None) -> str | None:
    """:func:`contained`'s answer as a string, not noted (the run cache asks again with it)."""
    def report(code: str, message: str, hint: str) -> None:
        if diags is not None:
            diags.error(code, message, pos, hint=hint)

    why = escape(rel) if isinstance(rel, str) else "is not a path"
    if why:
        report(OUTSIDE, f'{what} "{rel}" {why}', INSIDE_HINT)
        return None
    try:
        top, real, st = _resolve(root, rel, cache)
    except (OSError, RuntimeError, ValueError):  # a symlink loop, on some systems
        report(SPECIAL, f'{what} "{rel}" is a loop of symbolic links, not a regular file', SPECIAL_HINT)
        return None
    if not _inside(real, top):
        # a glob match names what it found behind the link: quote only the link, a name inside
        shown = rel if cache is None else _exit(top, rel)
        report(OUTSIDE, f'{what} "{shown}" leads outside {within or "the project folder"} (through a symbolic link)',
               INSIDE_HINT if within is None else f"skyspec reads nothing outside {within}: put what the link leads "
                                                  "to in it, if it belongs there")
        return None
    try:
        mode = (st if st is not None else os.stat(real)).st_mode
    except FileNotFoundError:
        report(missing, f'{what} "{rel}" not found', f"paths are relative to {relative}")
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            report(SPECIAL, f'{what} "{rel}" is a loop of symbolic links, not a regular file', SPECIAL_HINT)
        else:
            report(missing, f'{what} "{rel}" cannot be read ({exc.__class__.__name__})', INSIDE_HINT)
        return None
    except ValueError as exc:
        report(missing, f'{what} "{rel}" cannot be read ({exc.__class__.__name__})', INSIDE_HINT)
        return None
    if not stat.S_ISREG(mode):
        if folders and stat.S_ISDIR(mode):
            return None
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        report(SPECIAL, f'{what} "{rel}" is {kind}, not a regular file', SPECIAL_HINT)
        return None
    if not python and (real.endswith(".py") or rel.endswith(".py")):
        report(PYTHON, f'{what} "{rel}" is a Python file, and Python spec files are not enabled', PYTHON_HINT)
        return None
    return real


def _resolve(root: Path, rel: str, cache: dict | None) -> tuple[str, str, os.stat_result | None]:
    """(the real root, the real path of ``rel`` under it, its stat when known), as strings:
    what ``Path.resolve`` gives, with the folders of ``rel`` taken from ``cache`` (resolved
    once each) and one ``lstat`` of the last component, walked in full only when it is a
    symlink (when it is not, that ``lstat`` is the file's stat: a run cache hit makes 1,000
    fewer calls)."""
    if cache is None:
        top = str(root.resolve())
        return top, os.path.realpath(os.path.join(top, rel)), None
    top = cache.get("")
    if top is None:
        top = cache[""] = str(root.resolve())
    folder, name = os.path.split(rel)
    if name in ("", ".", ".."):
        return top, os.path.realpath(os.path.join(top, rel)), None
    real_dir = cache.get(folder) if folder else top
    if real_dir is None:
        real_dir = cache[folder] = os.path.realpath(os.path.join(top, folder))
    path = os.path.join(real_dir, name)
    try:
        st = os.lstat(path)
    except OSError:
        return top, path, None  # absent or unreadable: the stat that follows reports it
    if stat.S_ISLNK(st.st_mode):
        return top, os.path.realpath(path), None
    return top, path, st


def _inside(real: str, top: str) -> bool:
    return real == top or real.startswith(os.path.join(top, ""))


def _exit(top: str, rel: str) -> str:
    """The shortest leading part of ``rel`` that resolves outside ``top``: the link, itself
    inside the project, through which the rest of ``rel`` was found."""
    parts = rel.split("/")
    for n in range(1, len(parts) + 1):
        head = "/".join(parts[:n])
        if not _inside(os.path.realpath(os.path.join(top, head)), top):
            return head
    return rel
