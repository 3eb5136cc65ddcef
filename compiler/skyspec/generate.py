"""Compiling Python builders: :class:`Generated`, what ``builder.generate()`` and
``AppGroup(...).generate()`` return, and its writers (``to_yaml``, ``to_docker_compose``,
``to_helm_chart``, ``to_kustomize``, ``to_specs``), with the errors and warnings they
raise (:class:`SpecError`, :class:`SkyspecWarning`).

It sits above the pipeline: it turns builders into spec documents
(:mod:`skyspec.builders`), compiles them in memory with a synthetic project
(:class:`skyspec.pipeline.Session`) and writes what the backends render. It must not
define builders, and it imports the pipeline, the output writers and the backends only
when something is compiled, so that ``from skyspec import App`` stays cheap. Importing it
installs :class:`Generated` as the builders' compiler.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

from .builders._base import _LOADING, _closure, _Doc, _install_compiler, _namer, source_docs
from .builders.groups import AppGroup


class SpecError(Exception):
    """The specs built in Python have errors. ``str(e)`` is the rendered diagnostics (with
    the user's Python lines as code frames); ``e.diagnostics`` holds them one by one."""

    def __init__(self, message: str, diagnostics: list | None = None):
        super().__init__(message)
        self.diagnostics = list(diagnostics or [])


class SkyspecWarning(UserWarning):
    """A compiler warning about a Python-built spec, issued at the user's line."""


def _project_name(name: Any) -> str:
    s = re.sub(r"[^a-z0-9-]+", "-", str(name).lower()).strip("-")[:63].strip("-")
    return s or "skyspec"


class Generated:
    """The compiled output of builders (``builder.generate()``, ``AppGroup(...).generate()``).

    Compiled in memory by :mod:`skyspec.pipeline` with a synthetic project: named after the
    group or builder, namespace ``default`` (``AppGroup.namespace()`` changes it), one
    environment ``default`` - or, when builders use ``for_environment()``, one environment
    per name used (builders without it are in all of them). Relative paths (ConfigMap files)
    are relative to the working directory. Each ``to_*`` compiles once, raises
    :class:`SpecError` with the rendered diagnostics when the specs have errors, and issues
    warnings as :class:`SkyspecWarning` at the user's line.
    """

    def __init__(self, name: str, roots: list, namespace: str = "default"):
        self.name = _project_name(name)
        self._roots = list(roots)
        self.namespace = namespace
        self._result: tuple | None = None
        self.diagnostics: list = []

    # -- inspection
    def environments(self) -> list[str]:
        envs = sorted({e for b in _closure(self._roots) for e, _ in b._envs})
        return envs or ["default"]

    def _closure_for(self, env: str | None) -> list[_Doc]:
        if env is None:
            return _closure(self._roots)
        roots = []
        for r in self._roots:
            if isinstance(r, AppGroup):
                roots.extend(m for m in _closure([r]) if not m._envs or env in [e for e, _ in m._envs])
            elif not r._envs or env in [e for e, _ in r._envs]:
                roots.append(r)
        # attachments of a builder restricted to other environments are left out with it
        return [b for b in _closure(roots) if not b._envs or env in [e for e, _ in b._envs]]

    def documents(self, env: str | None = None) -> list[dict]:
        """The spec documents (plain dicts), of one environment or of all builders."""
        cl = self._closure_for(env)
        members = {id(b) for b in cl}
        return [b._document(members).data for b in cl]

    def _compile(self):
        """Compile once (each environment in a session of its own); warnings are issued once."""
        if self._result is None:
            import tempfile

            from .yamlemit import dump
            from .diagnostics import Diagnostics, Sources
            from .pipeline import Session

            diags, sources = Diagnostics(), Sources()
            conv = _namer()
            compiled: dict = {}
            sessions = []
            cwd = Path.cwd().resolve()
            with tempfile.TemporaryDirectory(prefix="skyspec-") as tmp:
                for env in self.environments():
                    docs = source_docs(self._closure_for(env), conv)
                    folder = Path(tmp) / env
                    folder.mkdir()
                    pf = folder / "skyspec.yaml"
                    # the documents come from the builders; the one spec file is empty
                    (folder / "python-builders.yaml").write_text("# documents: from Python builders\n",
                                                                 encoding="utf-8")
                    pf.write_text(dump({"project": self.name, "namespace": self.namespace,
                                        "specs": ["python-builders.yaml"], "environments": {env: {}}}),
                                  encoding="utf-8")
                    s = Session(pf, diags, sources, extra_docs=docs, allow_python=True)  # trusted: the caller's code
                    sessions.append(s)
                    if s.project is None:
                        continue
                    # relative paths (config files, `use: ./templates/...`): from the working directory
                    s.project.root = cwd
                    if hasattr(getattr(s, "templates", None), "root"):
                        s.templates.root = cwd
                    c = s.compile(env)
                    if c is not None:
                        compiled[env] = c
            self._result = (compiled, diags, sources, sessions)
            self._report(0)
        return self._result

    def _report(self, start: int) -> None:
        """Warnings from ``start`` on become SkyspecWarnings at the user's lines; errors raise."""
        import warnings

        from .diagnostics import render_text

        compiled, diags, sources, sessions = self._result
        self.diagnostics = [d.redacted() for d in diags.sorted()]
        for d in diags.items[start:]:
            if d.severity != "warning":
                continue
            d = d.redacted()
            msg = f"warning[{d.code}]: {d.message}" + (f" (help: {d.hint})" if d.hint else "")
            if d.pos is not None:
                warnings.warn_explicit(msg, SkyspecWarning, d.pos.file, d.pos.line)
            else:
                warnings.warn(msg, SkyspecWarning, stacklevel=4)
        if diags.has_errors:
            raise SpecError(render_text(diags.sorted(), sources).rstrip("\n"), [d.redacted() for d in diags.errors])

    def files(self, fmt: str) -> dict[str, str]:
        """The rendered files of one format ("kubernetes", "compose", "helm", "kustomize"),
        keyed by the pipeline's relative paths (``<env>/kubernetes/...``, ``helm/<name>/...``)."""
        from .pipeline import FORMATS, render

        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
        compiled, diags, _, _ = self._compile()
        if diags.has_errors:
            self._report(len(diags.items))
        start = len(diags.items)
        out = render(compiled, [fmt], diags)
        self._report(start)
        return out

    def objects(self, env: str | None = None) -> list[dict]:
        """The Kubernetes objects (of ``env``; of the only environment by default)."""
        import yaml

        env = env or self.environments()[0]
        out: list[dict] = []
        for rel, text in self.files("kubernetes").items():
            if rel.startswith(f"{env}/"):
                out.extend(d for d in yaml.safe_load_all(text) if d is not None)
        return out

    # -- writing
    def _single(self) -> bool:
        return len(self.environments()) == 1

    def _write_dir(self, directory, files: dict[str, str]) -> list[Path]:
        from .diagnostics import Diagnostics, render_text
        from .output import write_tree

        out = Path(directory)
        d = Diagnostics()
        if not write_tree(out, files, d, guard=Path.cwd()):
            raise OSError(render_text(d.sorted()).rstrip("\n"))
        return [out / rel for rel in files]

    def to_yaml(self, directory: str | os.PathLike = "./k8s/") -> list[Path] | None:
        """Kubernetes manifests: ``<directory>/<workload>.yaml`` and ``<kind>.<name>.yaml``
        (``<directory>/<env>/...`` with several environments). Files are staged, then renamed into
        place; files skyspec did not write are kept, never overwritten."""
        if _LOADING[0]:
            return None
        files = {}
        for rel, text in self.files("kubernetes").items():
            env, _, rest = rel.partition("/kubernetes/")
            files[rest if self._single() else f"{env}/{rest}"] = text
        return self._write_dir(directory, files)

    def to_helm_chart(self, directory: str | os.PathLike = "./charts/") -> list[Path] | None:
        """A Helm chart: ``<directory>/<name>/Chart.yaml``, values per environment, templates."""
        if _LOADING[0]:
            return None
        files = {rel.partition("/")[2]: text for rel, text in self.files("helm").items()}
        return self._write_dir(directory, files)

    def to_kustomize(self, directory: str | os.PathLike = "./kustomize/") -> list[Path] | None:
        """Kustomize: ``<directory>/base`` and ``<directory>/overlays/<env>``."""
        if _LOADING[0]:
            return None
        files = {rel.partition("/")[2]: text for rel, text in self.files("kustomize").items()}
        return self._write_dir(directory, files)

    def to_docker_compose(self, path: str | os.PathLike = "./docker-compose.yml") -> list[Path] | None:
        """A Compose file at ``path`` (``<stem>.<env><suffix>`` beside it with several
        environments). An existing file is replaced only if skyspec wrote it."""
        if _LOADING[0]:
            return None
        p = Path(path)
        written = []
        for rel, text in self.files("compose").items():
            if not rel.endswith("/compose.yaml"):
                continue  # secrets/.gitignore: the secret files' folder is beside the output folder's file
            env = rel.partition("/")[0]
            target = p if self._single() else p.with_name(f"{p.stem}.{env}{p.suffix}")
            _write_owned(target, _COMPOSE_MARK + text)
            written.append(target)
        return written

    def to_specs(self, directory: str | os.PathLike = "./specs/") -> list[Path] | None:
        """The spec documents as YAML, one file per document, with a ``skyspec.yaml`` project
        file: ``skyspec build <directory>`` gives the same output. Literal Secret values are
        not written: they become ``keys:`` (supplied at deploy time), which compiles to the
        same objects. ConfigMap files outside the directory are copied into ``files/``."""
        if _LOADING[0]:
            return None
        from .yamlemit import dump

        if not self._single() or self.environments() != ["default"]:
            raise ValueError("to_specs(): builders restricted with for_environment() cannot be written as YAML "
                             "specs - the language expresses per-environment differences as overlays "
                             "(overlays/<env>.yaml); remove for_environment() and write those differences there")
        out = Path(directory)
        files: dict[str, str] = {"skyspec.yaml": dump({"project": self.name, "namespace": self.namespace,
                                                      "specs": ["*.yaml"], "environments": {"default": {}}})}
        for doc in self.documents():
            doc = copy.deepcopy(doc)
            if doc["kind"] == "Secret" and isinstance(doc.get("data"), dict):
                keys = list(doc.pop("data"))
                doc["keys"] = list(dict.fromkeys((doc.get("keys") or []) + keys))
            if doc["kind"] == "ConfigMap" and isinstance(doc.get("files"), dict):
                for key, rel in list(doc["files"].items()):
                    doc["files"][key] = _relocate(rel, out, doc["name"], key, files)
            kind = doc["kind"]
            fname = f"{doc['name']}.yaml" if kind in ("App", "StatefulApp", "Job", "CronJob") \
                else f"{kind.lower()}.{doc['name']}.yaml"
            files[fname] = dump(doc)
        return self._write_dir(out, files)


_COMPOSE_MARK = "# Generated by skyspec from Python builders; edits are overwritten.\n"


def _write_owned(target: Path, text: str) -> None:
    if target.exists():
        try:
            head = target.read_text(encoding="utf-8")[:len(_COMPOSE_MARK)]
        except (OSError, UnicodeDecodeError):
            head = ""
        if head != _COMPOSE_MARK:
            raise FileExistsError(f"{target} exists and was not written by skyspec; refusing to overwrite it "
                                  "(move it away or choose another path)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.skyspec-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


def _relocate(rel: str, out: Path, cm: str, key: str, files: dict[str, str]) -> str:
    """A ConfigMap file path (relative to the working directory) as seen from ``out``."""
    src = (Path.cwd() / rel).resolve()
    r = os.path.relpath(src, out.resolve())
    if not r.startswith(".."):
        return r.replace(os.sep, "/")
    dest = f"files/{cm}/{key}"
    try:
        files[dest] = src.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return rel
    return dest


# builder.generate() and AppGroup.generate() compile with Generated
_install_compiler(Generated)
