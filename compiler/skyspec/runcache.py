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

A file read is verified by its stat signature (size, mtime, ctime, inode, device:
:func:`skyspec.contain.signature`) when the entry holds one, and by its SHA-256 otherwise or
when the signature differs. A signature is kept only for a file whose last change was safely
older than the run that read it (:func:`skyspec.contain.settled`, git's "racy" rule): a file
edited in the same tick of the clock as it was read, its size kept and its mtime put back, is
hashed on every hit, never trusted. A hit that had to hash files since settled writes its
entry again with their signatures, once. (On a network file system, a stat may answer from
the client's attribute cache for a few seconds after another machine's edit.)

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
import time
from pathlib import Path
from typing import Any

from .contain import glob_matches, real_path, settled, signature
from .frontend.doccache import DocCache, code_identity, open_cache

FORMAT = "skyspec-run-2"
KIND = "runs"
KEEP = 32                     # entries kept per project (one per set of options used)
STATS = {"hit": 0, "miss": 0, "stale": 0, "stored": 0}
_clock = time.time_ns
READS = {"trusted": 0, "hashed": 0, "refreshed": 0}  # files read, as a hit verified them; entries refreshed


def _event(kind: str, detail: str = "") -> None:
    STATS[kind] += 1
    if os.environ.get("SKYSPEC_DEBUG_CACHE") == "1":
        print(f"run cache: {kind}{' ' + detail if detail else ''}", file=sys.__stderr__ or sys.stderr)


class Run:
    """One run's entry: :meth:`replay` it, or :meth:`store` what a full run did."""

    def __init__(self, cache: DocCache, name: str):
        self.cache = cache
        self.name = name
        self.opened = _clock()  # before anything this run reads: what is settled is older

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
            signed: dict[int, list] = {}
            why = _changed(entry["notes"], self.opened, signed)
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
        if signed:  # files hashed that have settled since: their signatures, for the next hit
            notes = entry["notes"]
            for i, sig in signed.items():
                notes[i] = [*notes[i][:4], sig]
            if self._write(notes, out, err, code):
                READS["refreshed"] += 1
        return out, err, code

    def store(self, notes: list, out: str, err: str, code: int) -> None:
        """Keep this run's notes and output (the caller decides that it may: no error, no
        Python spec file, nothing unsaved), each file read with its signature when it had
        settled before this run began."""
        if self._write([_signed(n, self.opened) if n[0] == "read" else n for n in _unique(notes)], out, err, code):
            _event("stored")

    def _write(self, notes: list, out: str, err: str, code: int) -> bool:
        try:
            body = json.dumps({"format": FORMAT, "notes": notes, "out": out, "err": err, "code": code},
                              ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError):  # a note that is not plain data (a path written as a map): not kept
            return False
        return self.cache.write_entry(KIND, self.name, body, keep=KEEP)


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
    """The notes without repeats (by ``repr``: 6x cheaper than by JSON, and any note is
    plain data or is refused when the entry is written)."""
    out, seen = [], set()
    for n in notes:
        k = repr(n)
        if k not in seen:
            seen.add(k)
            out.append(n)
    return out


def _signed(note: tuple, since: int) -> list:
    """A read note (path, digest, size) with the file's signature, or None when it is not
    the regular file of that size read, or changed too recently to vouch for the bytes read."""
    _, path, digest, size = note
    sig = None
    if digest is not None:
        try:
            st = os.stat(path)
            if stat.S_ISREG(st.st_mode) and st.st_size == size and settled(st, since):
                sig = signature(st)
        except (OSError, ValueError):
            pass
    return ["read", path, digest, size, sig]


def _changed(notes: list, now: int, signed: dict) -> str | None:
    """What no longer holds of ``notes`` (the first difference), or None; ``signed`` gets
    the signatures of the files hashed that have settled before ``now``, by note."""
    folders: dict[str, dict] = {}
    roots: dict[str, Path] = {}
    for i, n in enumerate(notes):
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
            _, path, digest, size, sig = n
            if digest is None or not _holds(path, digest, size, sig, now, signed, i):
                return f"file {path}"
        else:
            return f"note {what!r}"
    return None


_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def _holds(path: str, digest: str, size: int, sig: list | None, now: int, signed: dict, i: int) -> bool:
    """Whether ``path`` is still the regular file of ``size`` bytes with SHA-256 ``digest``:
    by its signature when it has kept it, else by hashing it (stat first: a FIFO is never
    opened); one hashed that has settled since goes in ``signed[i]``."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return False
    if not stat.S_ISREG(st.st_mode) or st.st_size != size:
        return False
    if sig is not None and signature(st) == sig:
        READS["trusted"] += 1
        return True
    READS["hashed"] += 1
    if _digest(path, size) != digest:
        return False
    if settled(st, now):  # the stat was taken before the bytes were read
        signed[i] = signature(st)
    return True


def _digest(path: str, size: int) -> str | None:
    """The SHA-256 of the ``size`` bytes of ``path``, or None when it holds other than that."""
    try:
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
