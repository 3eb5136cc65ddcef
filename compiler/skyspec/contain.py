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
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

from .diagnostics import Diagnostics, Pos

OUTSIDE = "SKY017"
SPECIAL = "SKY007"
PYTHON = "SKY018"

INSIDE_HINT = "paths are relative to the project file, and skyspec reads nothing outside the project's folder"
SPECIAL_HINT = "skyspec reads regular files only, and never opens a FIFO, a device or a socket"
PYTHON_HINT = ("a .py spec file is Python code that skyspec runs while it loads the project (in check, build, "
               "a pre-commit hook or a CI job on a pull request alike); if you trust the code of this project, "
               "set `python: true` in the project file or pass --allow-python")

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _absolute(rel: str) -> bool:
    return rel.startswith(("/", "\\")) or os.path.isabs(rel) or bool(PureWindowsPath(rel).drive)


def _parts(rel: str) -> tuple[str, ...]:
    return PurePosixPath(rel.replace("\\", "/")).parts


def escape(rel: str) -> str | None:
    """Why the path ``rel``, as written, cannot name a file inside the project (None when it
    may): absolute, or climbing above the project with `..`. Symlinks are checked apart."""
    if not rel or "\0" in rel:
        return "is not a valid path"
    if _absolute(rel):
        return "is an absolute path"
    depth = 0
    for part in _parts(rel):
        depth += -1 if part == ".." else 0 if part == "." else 1
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


def contained(root: Path, rel: str, pos: Pos | None, diags: Diagnostics | None, what: str = "file", *,
              missing: str = "SKY003", python: bool = True, folders: bool = False) -> Path | None:
    """The real path of ``rel`` (written at ``pos`` in project input, relative to ``root``)
    when it is a regular file inside ``root`` once every symlink is resolved; otherwise None,
    reported at ``pos`` (unless ``diags`` is None: callers that only peek, such as the cost
    estimate, leave the reporting to the pipeline):

    - absolute, `..` above the root, or resolving outside it: SKY017;
    - a FIFO, device, socket or folder (found by ``os.stat``, never opened): SKY007, except a
      folder when ``folders`` is true (a glob matched it; it is skipped silently);
    - a `.py` file when ``python`` is false: SKY018 (it would run arbitrary code);
    - absent or unreadable: the caller's ``missing`` code, `... "rel" not found`.
    """
    def report(code: str, message: str, hint: str) -> None:
        if diags is not None:
            diags.error(code, message, pos, hint=hint)

    why = escape(rel) if isinstance(rel, str) else "is not a path"
    if why:
        report(OUTSIDE, f'{what} "{rel}" {why}', INSIDE_HINT)
        return None
    top = root.resolve()
    try:
        real = (top / rel).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop
        report(SPECIAL, f'{what} "{rel}" cannot be resolved (a loop of symbolic links?)', SPECIAL_HINT)
        return None
    if not real.is_relative_to(top):
        report(OUTSIDE, f'{what} "{rel}" leads outside the project folder (through a symbolic link)', INSIDE_HINT)
        return None
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        report(missing, f'{what} "{rel}" not found', "paths are relative to the project file")
        return None
    except (OSError, ValueError) as exc:
        report(missing, f'{what} "{rel}" cannot be read ({exc.__class__.__name__})', INSIDE_HINT)
        return None
    if not stat.S_ISREG(mode):
        if folders and stat.S_ISDIR(mode):
            return None
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        report(SPECIAL, f'{what} "{rel}" is {kind}, not a regular file', SPECIAL_HINT)
        return None
    if not python and (real.suffix == ".py" or rel.endswith(".py")):
        report(PYTHON, f'{what} "{rel}" is a Python file, and Python spec files are not enabled', PYTHON_HINT)
        return None
    return real
