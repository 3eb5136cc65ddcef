"""`skyspec build --check`: whether the output folder holds exactly what a build would write,
read the way the writer reads it (through directory descriptors, never following a
symlink). It reports each file that differs, is missing, or is generated output the build
would remove, and a manifest that does not record the build; it must not write anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, Mapping

from ..diagnostics import Diagnostics, Pos
from ..paths import shown_path
from .write import _DIR_FLAGS, MANIFEST, _check_paths, _check_place, _Manifest, _parse_manifest, _sha256, _Tree


def compare_tree(out: Path, files: Mapping[str, str], diags: Diagnostics,
                 scope: Callable[[str], bool] | None = None, guard: Path | None = None,
                 protected: Iterable[Path] = ()) -> bool:
    """True when ``out`` holds exactly ``files`` as generated output (`build --check`);
    otherwise each file that differs, is missing, or is generated output the build would
    remove (within ``scope``, default ``files.scope``) is an error in ``diags``, as is a
    manifest that does not record what the build would write. Reads without following
    symlinks and writes nothing. ``guard`` and ``protected``: the output folders a build
    would refuse (:func:`.write.write_tree`) are refused here too."""
    scope = scope or getattr(files, "scope", None)
    if not _check_paths(files, diags, getattr(files, "where", None)):
        return False
    real = _check_place(Path(out), diags, guard, protected)
    if real is None:
        return False
    before = diags.error_count
    root_fd = None
    try:
        root_fd = os.open(real, _DIR_FLAGS)
    except FileNotFoundError:
        pass
    except OSError as exc:
        diags.error("SKY902", f"cannot read {real}: {exc.strerror or exc}", hint="check the path and permissions")
        return False
    tree = _Tree(root_fd) if root_fd is not None else None

    def read(rel: str) -> bytes | None:
        if tree is None:
            return None
        try:
            return tree.read(rel)
        except OSError:  # a folder on the way is not one (a symlink, a file): not ours
            return None

    def at(rel: str) -> Pos:
        return Pos(shown_path(real / rel), 1, 1)

    try:
        manifest = _parse_manifest(read(MANIFEST) or b"") if tree is not None else _Manifest()
        stale_manifest = False
        for rel, text in sorted(files.items()):
            data = text.encode("utf-8")
            content = read(rel)
            h = _sha256(data)
            if manifest.recorded.get(rel) != h:
                stale_manifest = True
            if content is None:
                diags.error("SKY905", f"{shown_path(real / rel)} is missing: the specs produce it",
                            hint="run `skyspec build` and commit the result")
            elif content != data:
                if rel in manifest.hashes and _sha256(content) not in manifest.hashes[rel]:
                    diags.error("SKY904", "this generated file was edited by hand since skyspec wrote it", at(rel),
                                hint="move your change into the spec (or an overlay), then run `skyspec build`")
                else:
                    diags.error("SKY905", "this generated file is not what the specs compile to now", at(rel),
                                hint="run `skyspec build` and commit the result")
        for rel in sorted(set(manifest.recorded) - set(files)):
            if scope is not None and not scope(rel):
                continue
            stale_manifest = True
            content = read(rel)
            if content is not None and _sha256(content) in manifest.hashes[rel]:
                diags.error("SKY905", "this generated file is one the specs no longer produce", at(rel),
                            hint="run `skyspec build` (it removes the file) and commit the result")
        if stale_manifest and diags.error_count == before:
            diags.error("SKY905", f"{shown_path(real / MANIFEST)} does not record the files the specs produce",
                        hint="run `skyspec build` and commit the manifest with the output: the next build "
                             "needs it to tell its own files from hand edits")
    finally:
        if tree is not None:
            tree.close()
    return diags.error_count == before
