"""The project file (`skyspec.yaml` or `skyspec.toml`) and the spec files it names.

Every file found here goes through :func:`skyspec.contain.contained` (inside the project,
a regular file, `.py` only when the project enables Python); this module reads nothing else."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .contain import contained, glob_allowed, glob_matches, note_glob
from .diagnostics import Diagnostics, Pos, Sources
from .frontend import SourceDoc, load_file
from .limits import DEFAULT, Limits, LimitsError
from .paths import shown_path
from .provenance import Prov, prov_from_loc
from .record import NEW, Record

PROJECT_FILES = ("skyspec.yaml", "skyspec.yml", "skyspec.toml")
PROFILES = ("dev", "qa", "prod")
RESERVED_ENVS = ("helm", "kustomize", "gitops")   # shared output folders (backends/layout.py)
PROTECTED_ENVS = ("prod",)   # protected unless the environment says `protected: false`


@dataclass
class Environment:
    name: str
    overlays: list[str] = field(default_factory=list)
    profile: str | None = None
    protected: bool = False
    namespace: str | None = None
    vars: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)   # the whole entry, for passes (quota, budget, ...)


class Target(Record):
    def __init__(self, name: str, environments: list[str], select: dict = NEW, overlays: list[str] = NEW,
                 namespace: str | None = None) -> None:
        self.name = name
        self.environments = environments
        self.select = {} if select is NEW else select
        self.overlays = [] if overlays is NEW else overlays
        self.namespace = namespace


class Project(Record):
    def __init__(self, root: Path, file: str, name: str, namespace: str, specs: list[str],
                 environments: dict[str, Environment], outputs: list[str], vars: dict, targets: dict[str, Target],
                 data: dict, prov: Prov, limits: Limits = DEFAULT, base: str = "", gitops: dict | None = None,
                 python: bool = False, asks_python: bool = False) -> None:
        self.root = root
        self.file = file  # the project file as shown (relative to cwd when possible)
        self.name = name
        self.namespace = namespace
        self.specs = specs
        self.environments = environments
        self.outputs = outputs
        self.vars = vars
        self.targets = targets
        self.data = data  # the whole project file
        self.prov = prov
        self.limits = limits  # `limits:`, for the spec, overlay and template files (not the project file)
        self.base = base  # `base:`, the environment shared formats describe first (default: the first)
        self.gitops = gitops  # `gitops: {repo, revision, path, project}`: Argo CD / Flux files for targets
        self.python = python  # `.py` spec files run: the consent of whoever runs skyspec (:func:`python_allowed`)
        self.asks_python = asks_python  # `python: true`: the project's specs include `.py` files

    def shown(self, path: Path) -> str:
        return shown_path(path)

    def pos(self, *path: Any) -> Pos | None:
        node = self.prov.nearest(tuple(path))
        return node.pos


def find_project_file(start: Path) -> Path | None:
    """The project file in ``start`` (a folder, or a file's folder) or the nearest parent."""
    d = start.resolve()
    if d.is_file() or not d.exists():
        if d.name in PROJECT_FILES and d.is_file():
            return d
        d = d.parent
    for folder in (d, *d.parents):
        for name in PROJECT_FILES:
            p = folder / name
            if p.is_file():
                return p
    return None


CONSENT = "SKYSPEC_ALLOW_PYTHON"   # =1: run the `.py` files of the projects that say `python: true`


def python_allowed(project: Project, flag: bool) -> bool:
    """Whether the `.py` spec, overlay and template files of ``project`` run: only with the
    consent of whoever runs skyspec, never by the project file's word alone (a pull request
    can change the project file, and a CI job then runs what it put there, as Kustomize runs
    exec functions only with `--enable-exec`). ``flag`` (`--allow-python`) consents for this
    run; :data:`CONSENT` set to 1 in the environment (a shell's, an editor's, a CI job's) for
    the projects whose file says `python: true`."""
    return bool(flag) or (project.asks_python and os.environ.get(CONSENT) == "1")


def load_project(path: Path, diags: Diagnostics, sources: Sources) -> Project | None:
    from .schema import validate

    shown = shown_path(path)
    # the project file must be a regular file in its own folder (no FIFO, no symlink leading out)
    real = contained(path.parent, path.name, None, diags, "project file", missing="SKY010")
    if real is None:
        return None
    docs = load_file(real, shown, diags, sources)
    if not docs:
        if not diags.has_errors:
            diags.error("SKY011", "the project file is empty", Pos(shown, 1, 1),
                        hint="start from `skyspec init`, or add `project:` and `environments:`")
        return None
    doc = docs[0]
    if not isinstance(doc.data, dict):
        diags.error("SKY011", "the project file must be a mapping", doc.loc.pos,
                    hint="start it with `project: NAME`, `specs: [...]` and `environments: {...}` (`skyspec init` "
                         "writes one)")
        return None
    prov = prov_from_loc(doc.data, doc.loc, "project")
    if not validate(doc.data, prov, "project.json", diags):
        return None
    data = doc.data
    try:
        limits = Limits.from_mapping(data.get("limits"))
    except LimitsError as exc:  # the schema has the same bounds: a safety net
        diags.error("SKY011", str(exc), prov.nearest(("limits",) + ((exc.key,) if exc.key else ())).pos,
                    hint="choose a value within the bounds given (docs/limits.md lists each limit)")
        return None
    envs: dict[str, Environment] = {}
    for name, raw in data["environments"].items():
        raw = raw or {}
        profile = raw.get("profile") or (name if name in PROFILES else None)
        envs[name] = Environment(
            name=name, overlays=list(raw.get("overlays", [])), profile=profile,
            protected=bool(raw.get("protected", name in PROTECTED_ENVS)), namespace=raw.get("namespace"),
            vars=dict(raw.get("vars", {})), raw=raw,
        )
    proj = Project(
        root=path.parent.resolve(), file=shown, name=data["project"],
        namespace=data.get("namespace", data["project"]),
        specs=list(data.get("specs", ["**/*.yaml", "**/*.yml", "**/*.toml"])),
        environments=envs, outputs=list(data.get("outputs", ["kubernetes"])),
        vars=dict(data.get("vars", {})), data=data, prov=prov, targets={}, limits=limits,
        asks_python=data.get("python") is True, base=data.get("base") or next(iter(envs), ""),
        gitops=dict(data["gitops"]) if isinstance(data.get("gitops"), dict) else None,
    )
    for name in envs:
        if name in RESERVED_ENVS:
            diags.error("SKY011", f'"{name}" cannot name an environment: the output folder {name}/ holds the '
                                  f'{name} files of every environment', proj.pos("environments", name),
                        hint="choose another name")
    if proj.base not in envs:
        from .diagnostics import did_you_mean

        diags.error("SKY013", f'base names environment "{proj.base}", which the project does not declare',
                    proj.pos("base"), hint=did_you_mean(proj.base, envs))
    for name, t in (data.get("targets") or {}).items():
        for i, e in enumerate(t["environments"]):
            if e not in envs:
                from .diagnostics import did_you_mean

                diags.error("SKY013", f'target "{name}" names environment "{e}", which the project does not declare',
                            proj.pos("targets", name, "environments", i), hint=did_you_mean(e, envs))
        proj.targets[name] = Target(name, list(t["environments"]), dict(t.get("select") or {}),
                                    list(t.get("overlays") or []), t.get("namespace"))
    return proj


def discover_specs(project: Project, diags: Diagnostics) -> dict[str, Path]:
    """Spec files matched by the project's globs: path relative to the project root (sorted,
    `/`-separated) -> the real path to read, without the project file, overlay files, hidden
    folders and `out/`. A glob that is absolute or has `..`, or matches no file, is an error;
    so is a match that is not a regular file inside the project, or a `.py` file when the
    project does not enable Python (all at the glob). Each folder is resolved once, and only
    a match that is itself a symlink is resolved on its own: resolving every path in full
    was a third of loading time."""
    root = project.root
    excluded = set(PROJECT_FILES)
    for ovs in [e.overlays for e in project.environments.values()] + [t.overlays for t in project.targets.values()]:
        excluded.update(os.path.normpath(o).replace(os.sep, "/") for o in ovs if isinstance(o, str))
    written = "specs" in project.data
    found: dict[str, Path] = {}
    folders: dict = {}          # resolved once per folder, for every match
    for i, pattern in enumerate(project.specs):
        pos = project.pos("specs", i)
        if not glob_allowed(pattern, pos, diags):
            continue
        matched = glob_matches(root, pattern)
        note_glob(root, pattern, matched)  # for the run cache: a file added or removed changes this
        matched = [m for m in matched if m not in excluded and not _ignored(m)]
        if not matched and written:
            diags.error("SKY012", f'spec glob "{pattern}" matches no file', pos,
                        hint="globs are relative to the project file; fix the pattern or remove it")
        for m in matched:
            if m not in found:
                real = contained(root, m, pos, diags, "spec file", python=project.python, folders=True,
                                 cache=folders)
                if real is not None:
                    found[m] = real
    if not written and not found:
        diags.error("SKY012", f'the default spec globs ({", ".join(project.specs)}) match no file', project.pos(),
                    hint="add spec files beside the project file, or list their globs under `specs:`")
    return dict(sorted(found.items()))


def _ignored(rel: str) -> bool:
    parts = rel.split("/")[:-1]
    return any(part.startswith(".") or part in ("out", "node_modules") for part in parts)


def load_specs(project: Project, diags: Diagnostics, sources: Sources) -> list[SourceDoc]:
    docs: list[SourceDoc] = []
    shown_root = shown_path(project.root)
    python = None
    if project.python:
        from .builders.load import load_python  # only then: a check answered from the cache imports no builder

        python = load_python
    for rel, real in discover_specs(project, diags).items():
        shown = rel if shown_root == "." else f"{shown_root}/{rel}"
        docs.extend(load_file(real, shown, diags, sources, project.limits, python=python))
    return docs
