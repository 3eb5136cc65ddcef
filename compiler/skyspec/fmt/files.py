"""The files `skyspec fmt` works on, and writing them back.

A project's files are its project file, the spec files its globs match and the overlay files
of its environments and targets, found as `check` finds them (every path through
:func:`skyspec.contain.contained`: a regular file inside the project, nothing behind a
symlink leading out). Only YAML is formatted; TOML, Python and JSON files are left as they
are and reported. Files are read through the front end (size limit, UTF-8, no special files;
a file that does not load is reported with the front end's diagnostics and not formatted;
its secrets are registered with the redactor first, so no code frame shows one),
and written back only when their text changes: to a temporary file in the same folder with
the same permissions, renamed over the original, so a failed write leaves it whole. Nothing
here prints; the command reports what the :class:`Run` collected.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..contain import contained
from ..diagnostics import Diagnostics, Pos, Sources
from ..frontend import load_file
from ..layers.secrets import register_docs, register_overlay
from ..limits import DEFAULT, Limits
from ..paths import shown_path
from ..project import discover_specs, load_project
from . import LEFT, REFUSED, format_text

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class File:
    real: Path          # the file to read and write (symlinks resolved, inside the project)
    role: str           # spec, overlay or project
    limits: Limits = DEFAULT

    @property
    def shown(self) -> str:
        return shown_path(self.real)


def project_files(project_file: Path, diags: Diagnostics) -> list[File] | None:
    """The files of the project at ``project_file`` (None when it does not load: reported)."""
    project = load_project(project_file, diags, Sources())
    if project is None:
        return None
    project.python = project.asks_python  # its `.py` files listed (left as they are: fmt runs no code)
    root = project.root
    out: dict[Path, File] = {}
    real = contained(project_file.parent, project_file.name, None, None, "project file")
    if real is not None:
        out[real] = File(real, "project")
    quiet = Diagnostics()  # `check` reports globs that match nothing, Python files and the like
    for path in discover_specs(project, quiet).values():
        out.setdefault(Path(path), File(Path(path), "spec", project.limits))
    rels = [o for e in project.environments.values() for o in e.overlays]
    rels += [o for t in project.targets.values() for o in t.overlays]
    for rel in rels:
        path = contained(root, rel, None, None, "overlay file", python=False)
        if path is not None:
            out.setdefault(Path(path), File(Path(path), "overlay", project.limits))
    return sorted(out.values(), key=lambda f: str(f.real))


def select(files: list[File], path: Path) -> list[File]:
    """The files named by ``path``: the file itself, or every file under a folder."""
    p = path.resolve()
    if p.is_dir():
        return [f for f in files if f.real == p or p in f.real.parents]
    return [f for f in files if f.real == p]


class _Keep(Sources):
    """Keeps the text the front end decoded (BOM dropped, line ends as `\\n`)."""

    text: str | None = None

    def register(self, file: str, text: str) -> None:
        self.text = text
        super().register(file, text)


@dataclass
class Run:
    """What one `fmt` run did: files changed (or that would change), unchanged, left."""

    diags: Diagnostics = field(default_factory=Diagnostics)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    left: list[tuple[str, str]] = field(default_factory=list)   # (file, why)

    def format(self, files: list[File], chosen: list[File], write: bool) -> None:
        """Format the ``chosen`` files of a project (``files``: all of them, read for their
        secrets), writing the changed ones when ``write``."""
        loaded = []
        for f in files:
            if f.real.suffix == ".py":  # code: never run here
                if f in chosen:
                    self.left.append((f.shown, "Python"))
                continue
            keep, diags = _Keep(), Diagnostics()
            docs = load_file(f.real, f.shown, diags, keep, f.limits)
            loaded.append((f, keep.text, docs, diags))
        # every secret of the project is known before anything is reported, so no code frame
        # shows a line holding one (an overlay's Secret patches need the Secrets' names first)
        red = self.diags.redactor
        for f, _, docs, _ in loaded:
            if f.role == "spec":
                register_docs(docs, red)
        for f, _, docs, _ in loaded:
            if f.role == "overlay":
                for doc in docs:
                    register_overlay(doc, red)
        for f, text, _, diags in loaded:
            if f not in chosen:
                continue
            self.diags.extend(diags)
            if f.real.suffix not in YAML_SUFFIXES:
                self.left.append((f.shown, {".toml": "TOML", ".json": "JSON"}.get(f.real.suffix, "not YAML")))
            elif text is not None and not diags.has_errors:
                self._one(f, text, write)

    def _one(self, f: File, text: str, write: bool) -> None:
        shown = f.shown
        out = format_text(text, f.role, shown, f.limits)
        if out.note is not None:
            self.diags.warning(LEFT, f"{shown} is left as written: {out.note}", Pos(shown, 1, 1),
                               hint="fmt formats plain YAML only; the file is still checked and built as usual")
            self.left.append((shown, "as written"))
            return
        if out.problem is not None or out.text is None:
            self.diags.error(REFUSED, f"fmt refused to rewrite {shown}: {out.problem}", out.pos or Pos(shown, 1, 1),
                             hint="the file is left as it was; please report this with the file's layout "
                                  "(not its values)")
            return
        if out.text == text:
            self.unchanged.append(shown)
            return
        if write and not self._write(f.real, out.text, shown):
            return
        self.changed.append(shown)

    def _write(self, real: Path, text: str, shown: str) -> bool:
        try:
            mode = stat.S_IMODE(os.lstat(real).st_mode)
            fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".fmt")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(text.encode("utf-8"))
                os.chmod(tmp, mode)
                os.replace(tmp, real)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError as exc:
            self.diags.error("SKY902", f"cannot write {shown} ({exc.__class__.__name__})", Pos(shown, 1, 1),
                             hint="the file is left as it was")
            return False
        return True

