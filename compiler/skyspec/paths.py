"""Paths: where the shipped data lives, where the machine-wide caches go (and how their
entries are sealed against damage), and how a user's file is named in diagnostics.

`schemas/`, `overlays/` and `stdlib/` are top-level folders of the repository; a wheel carries
them inside the package as `skyspec/_data/<name>`. Besides the caches' own entries, this
module only names paths: it must not read or write files of the user's. It imports `hashlib`
(OpenSSL: ~11M instructions, 4% of `skyspec --help`, which reads :func:`shown_path`) only in
the functions that seal and check the caches' entries."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    packaged = _HERE / "_data" / name
    if packaged.is_dir():
        return packaged
    source = _HERE.parents[1] / name  # compiler/skyspec -> the repository root
    if source.is_dir():
        return source
    raise FileNotFoundError(f"skyspec data folder {name!r} not found (looked in {packaged} and {source})")


def shown_path(path: Path) -> str:
    """A path as diagnostics show it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def shown_link(path: Path) -> str:
    """:func:`shown_path` of ``path`` as named: its folder resolved, its last part not
    followed (a symbolic link is shown as the link, never by where it leads)."""
    return str(Path(shown_path(path.parent)) / path.name)


def cache_home() -> Path:
    """skyspec's folder of machine-wide caches (compiled validators, regular expressions):
    `$XDG_CACHE_HOME/skyspec`, by default `~/.cache/skyspec`."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "skyspec"


def read_sealed(path: Path, head: bytes) -> tuple[bool, bytes | None]:
    """(whether a machine-wide cache entry is there, its body when it starts with ``head``
    and the SHA-256 of ``head`` and the body: a damaged or foreign entry gives None)."""
    import hashlib

    try:
        blob = path.read_bytes()
    except OSError:
        return False, None
    n = len(head)
    body = blob[n + 32:]
    return True, (body if blob[:n] == head and blob[n:n + 32] == hashlib.sha256(head + body).digest() else None)


def write_sealed(path: Path, head: bytes, body: bytes) -> None:
    """Replace the entry at ``path`` with ``head``, the checksum and ``body`` at once (a
    reader never sees half of it); raises OSError."""
    import hashlib

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(head + hashlib.sha256(head + body).digest() + body)
    os.replace(tmp, path)
