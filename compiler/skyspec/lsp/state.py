"""The language server's view of the projects being edited: open texts and compilations.

:class:`Workspace` holds the text of every open document (by real path) and, per project
file, the last :class:`Compilation`: a :class:`~skyspec.pipeline.Session` run over every
environment and target as `skyspec check` runs it, with the open texts compiled in place of
the files on disk (``Session(overrides=...)``). It writes nothing but the entries of the
project's `.skyspec-cache/` when it has one (files on disk it parsed: never an unsaved text,
never the folder itself). A compilation is redone only when a text of its project changed
since (or a file was saved). It also keeps what the editor features read: the spec
documents, the overlay files, and each unit's (environment's or target's) layered specs
(for hover). Paths shown in diagnostics are relative to the server's working directory and
turned back into real paths here. This module must not talk the protocol (that is
:mod:`.server`) nor decide what a feature answers.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Diagnostics
from ..frontend import SourceDoc, load_text
from ..layers.stack import Spec
from ..paths import shown_path
from ..pipeline import Session
from ..project import PROJECT_FILES, find_project_file


def real(path: str | os.PathLike) -> str:
    """The real path of a file named as diagnostics show it (relative to the working folder)."""
    return os.path.realpath(path)


class Compilation:
    """One run of a project with the editor's texts in place of the files'."""

    def __init__(self, project_file: Path, overrides: dict[str, str], allow_python: bool):
        self.project_file = real(project_file)
        # the files not open in the editor come from the project's cache when it has one
        # (`check` made it); what this run parsed of them is kept there for the next keystroke
        self.session = Session(project_file, overrides=overrides, allow_python=allow_python, cache="existing")
        project = self.session.project
        self.compiled = self.session.compile_all() if project is not None else {}
        self.session.save_cache()
        self.diagnostics: list[Diagnostic] = self.session.diags.sorted()
        self.redactor = self.session.diags.redactor
        self._specs: dict[str, list[Spec]] = {}
        self.overlays: list[SourceDoc] = self._load_overlays() if project is not None else []

    @property
    def project(self):
        return self.session.project

    @property
    def root(self) -> Path | None:
        return self.project.root if self.project is not None else None

    @property
    def environments(self) -> list[str]:
        return list(self.project.environments) if self.project is not None else []

    @property
    def units(self) -> list[str]:
        """Every environment followed by its targets (`prod`, `prod.eu-west`), in the project's
        order: what `check` compiles, and what `--env` accepts."""
        if self.project is None:
            return []
        out = []
        for e in self.project.environments:
            out.append(e)
            out += [f"{e}.{t}" for t, b in self.project.targets.items() if e in b.environments]
        return out

    @property
    def docs(self) -> list[SourceDoc]:
        """The spec documents (each a mapping with a kind and a name)."""
        return self.session.docs

    def specs(self, unit: str) -> list[Spec]:
        """The specs of ``unit`` (an environment, or `env.target`) with every layer applied:
        the compiled ones, or (when the unit has errors) layered again, for hover to show
        what it can. A target holds only the workloads it selects."""
        if unit not in self._specs:
            c = self.compiled.get(unit)
            if c is not None:
                self._specs[unit] = c.specs
            else:
                name, _, tname = unit.partition(".")
                e = self.project.environments.get(name) if self.project is not None else None
                t = self.project.targets.get(tname) if tname and self.project is not None else None
                self._specs[unit] = self.session.layered(e, target=t) if e is not None and (t or not tname) else []
        return self._specs[unit]

    def overlay_files(self) -> list[str]:
        """The overlay files of every environment and target, relative to the project root."""
        if self.project is None:
            return []
        rels = [o for e in self.project.environments.values() for o in e.overlays]
        rels += [o for t in self.project.targets.values() for o in t.overlays]
        return list(dict.fromkeys(r for r in rels if isinstance(r, str)))

    def _load_overlays(self) -> list[SourceDoc]:
        """The document of each overlay file of the project the session loaded (a profile
        is not the project's: it names no spec)."""
        return [ov.doc for ov in self.session.overlays() if not ov.layer.startswith("profile:")]

    def is_overlay(self, path: str) -> bool:
        return any(real(d.file) == path for d in self.overlays) or (
            self.project is not None and any(real(self.project.root / r) == path for r in self.overlay_files()))

    def find(self, name: str, kinds: tuple[str, ...] | None = None) -> SourceDoc | None:
        """The spec document named ``name`` (or `Kind/name`), of one of ``kinds`` if given."""
        kind, _, bare = name.rpartition("/")
        for d in self.docs:
            if d.data.get("name") == bare and (not kind or d.data.get("kind") == kind) \
                    and (kinds is None or d.data.get("kind") in kinds):
                return d
        return None

    def template(self, name: str):
        """The `use:` template ``name`` as the session loaded it, or None."""
        try:
            return self.session.templates.get(name, None)
        except Exception:  # noqa: BLE001 - an editor feature never fails the server
            return None


class Workspace:
    """The open documents and the last compilation of each project they belong to."""

    def __init__(self, allow_python: bool = False):
        self.allow_python = allow_python
        self.texts: dict[str, str] = {}        # real path -> text
        self.uris: dict[str, str] = {}         # real path -> the URI the editor named it by
        self._projects: dict[str, Compilation] = {}
        self._dirty: set[str] = set()
        self.published: dict[str, set[str]] = {}   # project file -> real paths given diagnostics

    def set_text(self, path: str, uri: str, text: str | None) -> str | None:
        """Record (or, with None, forget) an open document; the project file it belongs to."""
        key = real(path)
        if text is None:
            self.texts.pop(key, None)
        else:
            self.texts[key] = text
            self.uris[key] = uri
        pf = self.project_of(key)
        if pf is not None:
            self._dirty.add(pf)
        return pf

    def touch_all(self) -> None:
        self._dirty.update(self._projects)

    def project_of(self, path: str) -> str | None:
        p = Path(path)
        found = find_project_file(p if p.name in PROJECT_FILES else p.parent)
        return real(found) if found is not None else None

    def compilation(self, project_file: str) -> Compilation:
        c = self._projects.get(project_file)
        if c is None or project_file in self._dirty:
            root = os.path.dirname(project_file) + os.sep
            overrides = {p: t for p, t in self.texts.items() if p.startswith(root) or p == project_file}
            collecting = gc.isenabled()
            gc.disable()  # the compiler makes few cycles and many objects: collections would triple its time
            try:
                c = self._projects[project_file] = Compilation(Path(project_file), overrides, self.allow_python)
            finally:
                if collecting:
                    gc.enable()
            self._dirty.discard(project_file)
        return c

    def for_file(self, path: str) -> Compilation | None:
        if not path:
            return None
        pf = self.project_of(real(path))
        return self.compilation(pf) if pf is not None else None

    def parsed(self, path: str, comp: Compilation | None) -> list[SourceDoc]:
        """The documents of an open file, parsed from its current text (with positions);
        none for a file that is not open (the editor asks only about open ones)."""
        key = real(path)
        text = self.texts.get(key)
        if text is None:
            return []
        limits = comp.project.limits if comp is not None and comp.project is not None else None
        kw: dict[str, Any] = {"limits": limits} if limits is not None else {}
        return load_text(text, shown_path(Path(key)), Diagnostics(), **kw)
