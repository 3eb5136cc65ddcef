"""Paths: where the shipped data lives, where the machine-wide caches go, and how a user's
file is named in diagnostics.

`schemas/`, `overlays/` and `stdlib/` are top-level folders of the repository; a wheel carries
them inside the package as `skyspec/_data/<name>`. This module only names paths: it must not
read or write files of the user's."""

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


def cache_home() -> Path:
    """skyspec's folder of machine-wide caches (compiled validators, regular expressions):
    `$XDG_CACHE_HOME/skyspec`, by default `~/.cache/skyspec`."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "skyspec"
