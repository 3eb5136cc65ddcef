"""The run cache: a `skyspec check` whose inputs have not changed since a run that found no
error is answered with that run's output, byte for byte, without loading the project.

A run is watched (:func:`skyspec.contain.watching`): every path it resolved inside the
project (and the answer: the real file, or none), every spec glob (and its matches) and every
file it read (and the SHA-256 of the bytes: spec, overlay, template and project files, the
built-in profiles and stdlib templates, ConfigMap `files:`) is noted. The entry, named by a
keyed hash of what else decides the output (the code of skyspec with its schemas and shipped
data, the versions of its libraries and of Python, the working folder, the project file and
the command's options, `--set` values included), holds those notes and the output. A later
run with the same name re-does each note, in order, with the same functions (a glob that
matches one more file, a path that now leads out through a symlink, a byte changed in any file
read: each is a difference) and replays the output only when every one agrees; otherwise it
runs in full and replaces the entry. A run that reported an error, ran Python spec files or
read an editor's unsaved text is never stored.

Entries live in the project's `.skyspec-cache/runs/`, signed with the key of
:mod:`skyspec.frontend.doccache` (kept outside the project): a damaged, edited or foreign
entry fails its MAC and is ignored. They are JSON, so even a verified entry is never code.
The cache's use is observable: :data:`STATS` counts hits, misses (no entry), stale entries
and stores, and `SKYSPEC_DEBUG_CACHE=1` prints `run cache: <event>` lines to stderr. This
module must not import the pipeline or anything that loads the project: a hit costs the
hashing of the files, not their compilation.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

from .contain import glob_matches, real_path
from .frontend.doccache import DocCache, code_identity, open_cache

FORMAT = "skyspec-run-1"
KIND = "runs"
KEEP = 32                     # entries kept per project (one per set of options used)
STATS = {"hit": 0, "miss": 0, "stale": 0, "stored": 0}


def _event(kind: str, detail: str = "") -> None:
    STATS[kind] += 1
    if os.environ.get("SKYSPEC_DEBUG_CACHE") == "1":
        print(f"run cache: {kind}{' ' + detail if detail else ''}", file=sys.__stderr__ or sys.stderr)


class Run:
    """One run's entry: :meth:`replay` it, or :meth:`store` what a full run did."""

    def __init__(self, cache: DocCache, name: str):
        self.cache = cache
        self.name = name

    def replay(self) -> tuple[str, str, int] | None:
        """(stdout, stderr, exit status) of the stored run, when every note still holds."""
        body = self.cache.read_entry(KIND, self.name)
        if body is None:
            _event("miss")
            return None
        try:
            entry = json.loads(body)
            if entry.get("format") != FORMAT:
                raise ValueError("another format")
            why = _changed(entry["notes"])
            out, err, code = entry["out"], entry["err"], entry["code"]
            if not (isinstance(out, str) and isinstance(err, str) and isinstance(code, int)):
                raise ValueError("not an outcome")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # signed by us: never expected
            _event("stale", f"unreadable entry ({type(exc).__name__})")
            return None
        if why is not None:
            _event("stale", why)
            return None
        _event("hit")
        return out, err, code

    def store(self, notes: list, out: str, err: str, code: int) -> None:
        """Keep this run's notes and output (the caller decides that it may: no error, no
        Python spec file, nothing unsaved)."""
        try:
            body = json.dumps({"format": FORMAT, "notes": _unique(notes), "out": out, "err": err, "code": code},
                              ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError):  # a note that is not plain data (a path written as a map): not kept
            return
        if self.cache.write_entry(KIND, self.name, body, keep=KEEP):
            _event("stored")


def open_run(project_file: Path, options: Any) -> Run | None:
    """The entry of a run of the project in ``project_file`` with ``options`` (JSON-able:
    the command and everything that shapes its output), or None when there is no cache
    (`SKYSPEC_CACHE=0`, no key, a cache folder that is not a real folder)."""
    cache = open_cache(project_file.parent)
    if cache is None:
        return None
    parts = [FORMAT.encode(), code_identity(), os.getcwd().encode("utf-8", "surrogateescape"),
             os.fspath(project_file).encode("utf-8", "surrogateescape"),
             json.dumps(options, sort_keys=True).encode()]
    return Run(cache, cache.entry_name(*parts))


def _unique(notes: list) -> list:
    out, seen = [], set()
    for n in notes:
        k = json.dumps(n)
        if k not in seen:
            seen.add(k)
            out.append(n)
    return out


def _changed(notes: list) -> str | None:
    """What no longer holds of ``notes`` (the first difference), or None."""
    folders: dict[str, dict] = {}
    roots: dict[str, Path] = {}
    for n in notes:
        what = n[0]
        if what == "path":
            _, root, rel, python, folders_ok, result = n
            top = roots.get(root) or roots.setdefault(root, Path(root))
            # one folder cache per root, as the spec files were resolved
            got = real_path(top, rel, None, None, python=python, folders=folders_ok,
                            cache=folders.setdefault(root, {}) if folders_ok else None)
            if got != result:
                return f"path {rel}"
        elif what == "glob":
            _, root, pattern, matches = n
            if glob_matches(Path(root), pattern) != matches:
                return f"glob {pattern}"
        elif what == "read":
            _, path, digest, size = n
            if digest is None or _digest(path, size) != digest:
                return f"file {path}"
        else:
            return f"note {what!r}"
    return None


_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def _digest(path: str, size: int) -> str | None:
    """The SHA-256 of a regular file of ``size`` bytes (stat first: a FIFO is never
    opened), or None when it is not one any more."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != size:
            return None
        fd = os.open(path, _FLAGS)
        try:
            data = os.read(fd, size + 1)
            while len(data) <= size:  # a short read of a large file
                more = os.read(fd, size + 1 - len(data))
                if not more:
                    break
                data += more
        finally:
            os.close(fd)
    except (OSError, ValueError):
        return None
    return hashlib.sha256(data).hexdigest() if len(data) == size else None
