"""The pipeline, stage by stage: frontend -> layers -> typed checks -> IR -> passes ->
backends. The CLI and the Python API are thin shells over :class:`Session`.

A session loads the project and its spec files once; each environment is then layered,
checked, lowered and optimized on its own. Diagnostics accumulate across all of it (the same
problem seen from several environments is reported once), and nothing is written unless
the whole compilation is free of errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from .contain import contained
from .diagnostics import Diagnostics, Sources
from .frontend import SourceDoc
from .ir.model import IR, Context
from .ir.why import Inputs
from .layers.absent import Absent
from .layers.merge import Merger
from .layers.secrets import register_docs, register_specs
from .limits import DEFAULT
from .provenance import prov_from_loc
from .layers.stack import (WORKLOAD_KINDS, Overlay, Spec, apply_defaults_beneath, apply_overlay, identify, load_overlay,
                           set_patch)
from .paths import data_dir, shown_path
from .project import Environment, Project, Target, find_project_file, load_project, load_specs, python_allowed

FORMATS = ("kubernetes", "compose", "helm", "kustomize")


@dataclass
class Compiled:
    env: Environment
    specs: list[Spec]
    ir: IR
    target: Target | None = None

    @property
    def key(self) -> str:
        """The output unit: `prod`, or `prod.eu-west` for a target (environment names are
        DNS labels, so the dot is unambiguous)."""
        return f"{self.env.name}.{self.target.name}" if self.target else self.env.name


def _stdlib_fixes(kind: str, data, template):
    """The schema check's hints naming the stdlib template a spec looks like it needs
    (:mod:`.components._fixes`, imported when a check first fails)."""
    from .components._fixes import fixes

    return fixes(kind, data, template)

class Session:
    def __init__(self, project_file: Path, diags: Diagnostics | None = None, sources: Sources | None = None,
                 extra_docs: Sequence[SourceDoc] = (), allow_python: bool = False,
                 overrides: Mapping[Path | str, str] | None = None, cache: bool | str = False):
        """``allow_python`` (`--allow-python`) lets `.py` spec, overlay and template files run:
        they are trusted code, run only with the consent of whoever runs skyspec
        (:func:`.project.python_allowed`). ``overrides`` (path
        -> text) are compiled in place of those files' contents on disk: the language
        server's unsaved editor buffers (:meth:`Sources.override`). ``cache`` reads and keeps
        parsed documents in the project's `.skyspec-cache/` (:mod:`.frontend.doccache`);
        ``cache="existing"`` only when that folder exists already (`build`: a CI checkout has
        none, and filling it costs more than one run gains)."""
        self.diags = diags if diags is not None else Diagnostics()
        self.sources = sources if sources is not None else Sources()
        if cache:
            from .frontend.doccache import open_cache

            self.sources.doc_cache = open_cache(project_file.parent, create=cache != "existing")
        if overrides:
            self.sources.set_overrides(overrides)
        self._overlays: dict = {}
        self._bases: dict = {}
        self._budget = None
        self._layers: list[tuple] = []       # (kind, patch, loc, template[, True: a spec's document]) to type-check
        self._recorded: dict[tuple, tuple] = {}  # (id(patch), kind, id(template)) recorded: once each
        self._conformed = None  # (:class:`.schema.validate.Conformed`: the fields found conforming)
        self._no_template: set[tuple] = set()  # (kind, name) of specs whose `use:` failed
        self.project: Project | None = load_project(project_file, self.diags, self.sources)
        if self.project is not None:
            self.project.python = python_allowed(self.project, allow_python)
        from .layers.templates import Templates
        from .layers.typecheck import LayerTypes

        self.templates = Templates(project_file.parent, self.diags, self.sources,
                                   python=self.project is not None and self.project.python,
                                   limits=self.project.limits if self.project is not None else DEFAULT)
        self.docs: list[SourceDoc] = []
        self.layer_types = LayerTypes(self.diags, _stdlib_fixes)
        self._clean_entry = None
        if getattr(self.sources, "doc_cache", None) is not None:
            self._load_clean()
        self.absent = Absent()
        if self.project is not None:
            seen = _Texts(self.sources)
            first = len(self.diags.items)
            docs = load_specs(self.project, self.diags, seen) + list(extra_docs)  # type: ignore[arg-type]
            register_docs(docs, self.diags.redactor)
            for f in dict.fromkeys(d.pos.file if d.pos else None for d in self.diags.items[first:]
                                   if d.severity == "error"):
                # a spec file that failed to load (f None: unknown); an error in the project file
                # is a `specs` glob refused or matching nothing: which names it holds is unknown
                own = f == self.project.file
                self.absent.add_file(f or "?", seen.texts.get(f) if f and not own else None)
            self.docs = identify(docs, self.diags)
            kept = {id(d) for d in self.docs}
            self.absent.add_docs(d for d in docs if id(d) not in kept)

    def save_cache(self) -> None:
        """Write what this run parsed to the project's cache, and the layers the full
        validator found clean, unless anything failed (nothing is written on error)."""
        cache = getattr(self.sources, "doc_cache", None)
        if cache is not None and not self.diags.has_errors:
            cache.save()
            lt = self.layer_types
            if self._clean_entry is not None and lt.clean is not None and not lt.found <= lt.clean:
                import json

                kept = sorted(lt.clean | lt.found)[-4096:]
                cache.write_entry("checked", self._clean_entry, json.dumps(kept).encode())

    def _load_clean(self) -> None:
        """The digests of layers found clean by earlier runs (:attr:`LayerTypes.clean`)."""
        import json

        from .frontend.doccache import code_identity

        cache = self.sources.doc_cache
        self._clean_entry = cache.entry_name(b"checked", code_identity())
        body = cache.read_entry("checked", self._clean_entry)
        try:
            got = json.loads(body) if body is not None else []
        except ValueError:  # pragma: no cover - signed by us
            got = []
        self.layer_types.clean = {d for d in got if isinstance(d, str)} if isinstance(got, list) else set()

    @classmethod
    def find(cls, start: Path, diags: Diagnostics | None = None, allow_python: bool = False,
             cache: bool | str = False) -> "Session | None":
        diags = diags if diags is not None else Diagnostics()
        pf = find_project_file(start)
        if pf is None:
            diags.error("SKY010", f"no skyspec.yaml or skyspec.toml in {shown_path(start)} or above it",
                        hint="run `skyspec init` to create one, or pass the project folder")
            return None
        return cls(pf, diags, allow_python=allow_python, cache=cache)

    # ------------------------------------------------------------------ environments
    def env(self, name: str) -> Environment | None:
        assert self.project is not None
        env = self.project.environments.get(name)
        if env is None:
            from .diagnostics import did_you_mean

            self.diags.error("SKY013", f'unknown environment "{name}"', None,
                             hint=did_you_mean(name, self.project.environments)
                             or f"environments: {', '.join(self.project.environments)}")
        return env

    def _profile(self, env: Environment) -> Overlay | None:
        if not env.profile:
            return None
        path = data_dir("overlays") / f"{env.profile}.yaml"
        return load_overlay(path, shown_path(path), f"profile:{env.profile}", self.diags, self.sources,
                            self._overlays, limits=self.project.limits if self.project is not None else DEFAULT)

    def _env_overlays(self, env: Environment) -> list[Overlay]:
        return self._overlay_files(env.overlays, ("environments", env.name, "overlays"), "overlay")

    def _overlay_files(self, rels: list[str], at: tuple, kind: str) -> list[Overlay]:
        assert self.project is not None
        out = []
        for i, rel in enumerate(rels):
            path = contained(self.project.root, rel, self.project.pos(*at, i), self.diags, "overlay file",
                             missing="SKY014", python=self.project.python)
            if path is None:
                continue
            ov = load_overlay(path, shown_path(path), f"{kind}:{rel}", self.diags, self.sources, self._overlays,
                              python=self.project.python, limits=self.project.limits)
            if ov is not None:
                out.append(ov)
        return out

    # ------------------------------------------------------------------ stages
    def _base(self, doc: SourceDoc):
        """(data, provenance, template) of a document with its `use:` template beneath it,
        built once per document and shared by every environment (merging never mutates)."""
        b = self._bases.get(id(doc))
        if b is None:
            b = self._bases[id(doc)] = self.templates.apply(doc) if "use" in doc.data else \
                (doc.data, prov_from_loc(doc.data, doc.loc, "spec"), None)
            t = b[2]
            if t is None and isinstance(doc.data.get("use"), str):
                self._no_template.add((doc.data["kind"], doc.data["name"]))  # its fields are unknown
            else:
                self._layers.append((doc.data["kind"], doc.data, doc.loc, t, True))
                for layer in (t.chain + [t]) if t is not None else ():
                    self._layers.append((t.kind, layer.spec, layer.loc, layer))
        return b

    def layered(self, env: Environment, sets: Iterable[str] = (), target: Target | None = None,
                expressions: bool = True) -> list[Spec]:
        """The specs of ``env`` (bound to ``target``, if any) with every layer applied and,
        unless ``expressions`` is false, `${...}` resolved."""
        specs = []
        for d in self.docs:
            data, prov, template = self._base(d)
            specs.append(Spec(d.data["kind"], d.data["name"], data, prov, d.file, d.loc.pos, template))
        if target is not None:
            specs = [s for s in specs if not s.is_workload or _bound(s, target)]
        profile = self._profile(env)
        overlays = ([profile] if profile else []) + self._env_overlays(env)
        if target is not None:
            overlays += self._overlay_files(target.overlays, ("targets", target.name, "overlays"), "target")
        for ov in reversed(overlays):  # beneath the spec, later layers' defaults above earlier ones'
            if "defaults" in ov.data:
                dloc, workloads = ov.doc.loc.child("defaults"), [s for s in specs if s.is_workload]
                for s in workloads:
                    self._record(s, ov.data["defaults"], dloc)
                apply_defaults_beneath(workloads, ov.data["defaults"], dloc, ov.layer)
        record = self._record
        absent = self.absent.may_define if self.absent else None
        for ov in overlays:
            apply_overlay(specs, ov, self.diags, record=record, absent=absent)
        by_name = {s.name: s for s in specs if s.is_workload}
        for name, patch, loc in set_patch(sets, self.diags):
            spec = by_name.get(name)
            if spec is None and absent is not None and absent(name):
                continue  # in a spec file that failed to load (reported there)
            if spec is None:
                from .diagnostics import name_hint

                self.diags.error("SKY207", f'--set names "{name}", which is not a workload', loc.pos,
                                 hint=name_hint(name, by_name, "workloads"))
                continue
            record(spec, patch, loc)
            spec.apply(Merger("--set", self.diags), patch, loc)
        if expressions:
            self._resolve(specs, _in_target(env, target), overlays)
        register_specs(specs, self.diags.redactor)  # the secrets of every layer, as merged and resolved
        if expressions:
            from .components import expand  # stdlib components: config, credentials, backups, celery

            specs = expand(specs, self.diags)
        return specs

    def _resolve(self, specs: list[Spec], env: Environment, overlays: list[Overlay]) -> None:
        """Late binding: `${...}` expressions, evaluated once every layer is merged."""
        from .layers.expr import Budget, resolve

        assert self.project is not None
        if self._budget is None:  # one for the whole run, every environment's expressions counted
            self._budget = Budget(self.project.limits)
        templates = list(dict.fromkeys(t.layer for s in specs if s.template for t in s.template.chain + [s.template]))
        resolve(specs, layer_order=[*templates, "spec", *(ov.layer for ov in overlays), "--set"],
                env={"name": env.name, "profile": env.profile, "protected": env.protected,
                     "namespace": env.namespace or self.project.namespace},
                project={"name": self.project.name, "namespace": self.project.namespace},
                vars={**self.project.vars, **env.vars}, diags=self.diags, budget=self._budget,
                absent=self.absent.may_define if self.absent else None)

    def _record(self, spec: Spec, patch, loc) -> None:
        """A layer about to be merged onto ``spec``: type-checked in :meth:`check` (unless the
        spec's template failed: which fields it may have is unknown)."""
        if not self._no_template or (spec.kind, spec.name) not in self._no_template:
            key = (id(patch), spec.kind, id(spec.template))  # checked once (an `all` applies to every spec)
            if key not in self._recorded:
                self._recorded[key] = (patch, spec.template)  # (held, so that the ids are not reused)
                self._layers.append((spec.kind, patch, loc, spec.template))

    def settings(self, env: Environment, layers: list[Overlay] | None = None) -> dict:
        """Pass settings: the profile's, then each overlay's (``layers``, by default
        :meth:`settings_layers`), later ones winning."""
        out: dict = {}
        for ov in self.settings_layers(env) if layers is None else layers:
            s = ov.data.get("settings") or {}
            if isinstance(s.get("sidecar_resources"), dict):
                s = {**s, "sidecar_resources": self._sidecar_requests(s["sidecar_resources"], ov)}
            if isinstance(s.get("limits"), dict):
                s = {**s, "limits": self._finite_ratios(s["limits"], ov)}
            out.update(s)
        return out

    def settings_layers(self, env: Environment) -> list[Overlay]:
        """The layers whose `settings:` apply to ``env``: its profile, then its overlays."""
        profile = self._profile(env)
        return ([profile] if profile else []) + self._env_overlays(env)

    def _finite_ratios(self, limits: dict, ov: Overlay) -> dict:
        """`settings.limits` without YAML's .nan (it passes `exclusiveMinimum: 0`, and no limit
        is a NaN multiple of a request): each is SKY106 at its line."""
        import math

        out = {}
        for key, v in limits.items():
            if isinstance(v, float) and math.isnan(v):
                loc = ov.doc.loc.find(("settings", "limits", key))
                self.diags.error("SKY106", f"settings.limits.{key} must be a number, got .nan",
                                 loc.pos if loc else ov.doc.loc.pos, hint="e.g. `cpu: 2` (limit = 2 x the request)")
                continue
            out[key] = v
        return out

    def _sidecar_requests(self, side: dict, ov: Overlay) -> dict:
        """`settings.sidecar_resources` without the sizes that are no amount of CPU or memory
        (the schema lets `memory: 250m`, milli-bytes, through): each is SKY112 at its line."""
        from .units import QuantityError, parse_bytes, parse_cpu

        out = {}
        for key, v in side.items():
            try:
                (parse_cpu if key == "cpu" else parse_bytes)(v)
            except (QuantityError, TypeError, ValueError) as e:
                loc = ov.doc.loc.find(("settings", "sidecar_resources", key))
                self.diags.error("SKY112", f"settings.sidecar_resources.{key}: {e}", loc.pos if loc else ov.doc.loc.pos,
                                 hint=getattr(e, "hint", None))
                continue
            out[key] = v
        return out

    def check(self, specs: list[Spec]) -> list[Spec]:
        """The specs that conform to their kind's schema; the others are reported. Each
        layer merged into them is checked first, as written (:mod:`.layers.typecheck`); a
        problem a layer's check reported is not reported again from the merged spec."""
        from .schema import KINDS, validate
        from .schema.numbers import whole_numbers
        from .schema.validate import Conformed, finite, validate_with

        from .layers.templates import params_schema, split_params
        from .layers.typecheck import Unless

        if self._conformed is None:  # the fields found conforming, by every environment's check
            self._conformed = Conformed()
            self.layer_types.conformed = self._conformed
        for kind, patch, loc, template, *whole in self._layers:
            self.layer_types.check(kind, patch, loc, template, bool(whole))
        self._layers.clear()
        diags = Unless(self.diags, self.layer_types.reported) if self.layer_types.reported else self.diags
        broken = bool(self._no_template) and self.diags.has_errors
        valid = []
        for s in specs:
            if broken and (s.kind, s.name) in self._no_template:
                continue  # its `use:` template failed (reported): which fields it may have is unknown
            own, params = split_params(s.data, s.template)
            # the compiled check first: the fix hints are made only for a spec that fails it
            ok = (self._conformed(own, KINDS[s.kind]) or
                  validate(own, s.prov, KINDS[s.kind], diags, secret=s.kind == "Secret",  # type: ignore[arg-type]
                           fix=_stdlib_fixes(s.kind, s.data, s.template))) and finite(own, s.prov, diags)
            if s.template is not None:
                ok &= validate_with(params, s.prov, params_schema(s.template), diags)  # type: ignore[arg-type]
            if ok:
                whole_numbers(own, KINDS[s.kind])  # `replicas: 3.0` is the integer 3 from here on
                if own is not s.data:
                    s.data.update(own)
                valid.append(s)
        return valid

    def compile(self, env_name: str, sets: Iterable[str] = (), target: Target | None = None) -> Compiled | None:
        """One environment (or one target of it) through every stage; None when anything failed."""
        from .ir.lower import lower
        from .passes import run_passes

        if self.project is None:
            return None
        env = self.env(env_name)
        if env is None:
            return None
        before = self.diags.error_count
        specs = self.layered(env, sets, target)
        valid = self.check(specs)
        # Lowering and the passes run even after problems, on the specs that are valid, so
        # one run reports everything; references to an invalid spec are not reported again.
        kept = {id(s) for s in valid}
        invalid = {s.name for s in specs if id(s) not in kept}
        invalid = self.absent.invalid(invalid) if self.absent else invalid
        # a target's namespace is the namespace of everything it runs (ConfigMaps and the
        # default-deny policy too, not only the workloads), unless a spec names its own
        layers = self.settings_layers(env)
        ir = lower(valid, self.project, _in_target(env, target), self.diags, self.settings(env, layers), invalid)
        ir.inputs = Inputs(self.project, env, tuple(layers))  # what derivations' inputs are read against
        if self.absent.anything:
            ir.invalid = invalid  # lowering copied it into a plain set
        if target is not None:
            ir.target = target.name
            ir.unbound = {d.data["name"] for d in self.docs if d.data["kind"] in WORKLOAD_KINDS} - {s.name for s in specs}
        from .backends.kubernetes import objects

        ir = run_passes(ir, Context(self.project, env, self.diags, render=objects))
        if self.diags.error_count > before:
            return None
        return Compiled(env, specs, ir, target)

    def overlays(self) -> list[Overlay]:
        """The overlay files loaded so far (profiles, environments' and targets' overlays),
        each once, those that failed to load left out: for tools reading them after a
        compilation (the language server's references)."""
        return list(dict.fromkeys(ov for ov in self._overlays.values() if ov is not None))

    def source_folders(self) -> list[Path]:
        """The folders holding the project's spec files and overlay files (of every
        environment and target): the output may not go at or into them (output.write_tree)."""
        import os

        if self.project is None:
            return []
        root = self.project.root
        found = {Path(os.path.abspath(f)) for f in {os.path.dirname(d.file) for d in self.docs}}  # shown: from cwd
        rels = [o for e in self.project.environments.values() for o in e.overlays]
        rels += [o for t in self.project.targets.values() for o in t.overlays]
        found.update((root / o).parent for o in rels)
        return sorted(found)

    def compile_all(self, envs: Sequence[str] | None = None, sets: Iterable[str] = ()) -> dict[str, Compiled]:
        """Every environment asked for (all by default), and every target bound to them;
        keyed by output unit (`prod`, `prod.eu-west`)."""
        if self.project is None:
            return {}
        # project order, whatever the order of the --env flags: output never depends on it
        names = [e for e in self.project.environments if not envs or e in envs]
        out: dict[str, Compiled] = {}
        for name in names:
            c = self.compile(name, sets)
            if c is not None:
                out[c.key] = c
            for t in self.project.targets.values():
                if name in t.environments:
                    ct = self.compile(name, sets, t)
                    if ct is not None:
                        out[ct.key] = ct
        return out


class _Texts:
    """The source registry, remembering each file's text while the spec files load (the
    names a file that failed to parse may define are read from it, never re-read)."""

    def __init__(self, sources: Sources):
        self.sources = sources
        self.texts: dict[str, str] = {}

    def register(self, file: str, text: str) -> None:
        self.texts[file] = text
        self.sources.register(file, text)

    def __getattr__(self, name: str):
        return getattr(self.sources, name)


def _in_target(env: Environment, target: Target | None) -> Environment:
    """``env`` as a target sees it: in the target's namespace, when it names one."""
    import dataclasses

    return dataclasses.replace(env, namespace=target.namespace) if target is not None and target.namespace else env


def _bound(spec: Spec, target: Target) -> bool:
    import fnmatch

    sel = target.select
    if not sel:
        return True
    if "kinds" in sel and spec.kind not in sel["kinds"]:
        return False
    if "names" in sel and not any(fnmatch.fnmatchcase(spec.name, n) for n in sel["names"]):
        return False
    labels = spec.data.get("labels")
    labels = labels if isinstance(labels, dict) else {}  # not checked yet: the schema reports it
    return all(labels.get(k) == v for k, v in (sel.get("labels") or {}).items())


# format -> backend module; each exposes `render(irs: dict[env name, IR]) -> {relative path: text}`
# and may expose `check(irs, diags)` for what only that format cannot express (a warning at
# the spec line, e.g. a CronJob in Compose).
BACKENDS = {
    "kubernetes": "skyspec.backends.kubernetes",
    "compose": "skyspec.backends.compose",
    "helm": "skyspec.backends.helm",
    "kustomize": "skyspec.backends.kustomize",
}


SHARED_FORMATS = ("helm", "kustomize")   # one output for every environment, computed from all of them


class Rendered(dict):
    """What :func:`render` returns: relative path -> text; :meth:`where`, which points an
    output path back at the spec it was named after (for a path `output.write_tree` refuses);
    and :attr:`scope`, which paths the build replaces (None: every path; a partial build
    leaves the others as they are)."""

    def __init__(self, files: dict[str, str], compiled: dict[str, Compiled], scope=None):
        super().__init__(files)
        self._compiled = compiled
        self.scope = scope

    def where(self, rel: str):
        import re

        parts = str(rel).split("/")
        for tokens in [set(re.split(r"[./]", parts[-1])), set(re.split(r"[./]", str(rel)))]:
            for c in self._compiled.values():
                for s in c.specs:
                    if s.name in tokens:
                        return s.where("manifest", "kind") if s.kind == "Resource" else s.where("name")
        return None


def render(compiled: dict[str, Compiled], formats: Sequence[str], diags: Diagnostics | None = None,
           base: str | None = None, project: Project | None = None, only: Sequence[str] | None = None,
           every_format: bool = True, options: dict[str, dict] | None = None, run=None) -> Rendered:
    """Every requested format for the compiled environments: relative path -> text, each
    text file headed "generated by skyspec from <spec files>; do not edit" (the spec paths
    relative to ``project``'s root; :mod:`.backends.layout` says which files can carry it).

    A backend that describes every environment as differences from one (`USES_BASE = True`:
    Helm's values.yaml, the Kustomize base) is told which: ``base`` (the project's `base:`),
    or the first environment compiled when that one was not. ``only`` (the `--env` names)
    makes a partial build: the per-environment formats render those environments, the
    shared formats render from every environment compiled (compile them all: see
    :data:`SHARED_FORMATS`), and only the files the asked environments own (and the shared
    ones) are returned; ``every_format`` false (`--format` given) limits the scope to the
    formats asked for too. ``project`` with `gitops:` and `targets:` adds the GitOps files.
    ``options``: format -> keyword arguments of its backend's render (helm: ``chart``, the
    project's `chart:` with `build --chart-version`). ``run`` (:func:`skyspec.jobs.runner`) runs
    the renderings in parallel (each lane lowers what it reads; its `spread`: a backend's parts)."""
    import importlib

    from .backends import layout
    from .backends.common import sharing

    irs = {key: c.ir for key, c in compiled.items()}
    units = [key for key, c in compiled.items() if not only or c.env.name in only]
    if base not in irs:
        base = next(iter(irs), None)
    head, keep = headed(compiled, project), set(units)

    def finish(got: dict[str, str]) -> dict[str, str]:
        """``got``, in place: the files the build keeps, with their headers (in the lane)."""
        for rel in list(got):
            unit = layout.owner(rel)
            if unit is None or unit in keep:
                got[rel] = head(rel, got[rel])
            else:
                del got[rel]
        return got

    files: dict[str, str] = {}
    with sharing():  # the Kubernetes objects made once for its check, its files, Helm and Kustomize
        if diags is not None:
            check_formats(compiled, formats, diags, units)
        tasks, made = [], {}
        for fmt in formats:
            backend = importlib.import_module(BACKENDS[fmt])
            mine = irs if fmt in SHARED_FORMATS else {k: irs[k] for k in units}
            kw = dict((options or {}).get(fmt) or {})
            if getattr(backend, "USES_BASE", False):
                kw["base"] = base
            if getattr(backend, "SPREADS", False) and getattr(run, "spread", None) is not None:
                kw["spread"] = run.spread   # its independent parts, over the cores (its lane's end)
            made[fmt] = (backend, mine, kw)
        kube, slack = made.get("kubernetes"), run is None or "helm" in made   # else Kustomize's lane is the longest
        if "kustomize" in made and kube is not None and not kube[2] and base in units and slack:
            # one lane: the Kustomize base is the base environment's Kubernetes files, dumped once
            (kust, zmine, zkw), _ = made.pop("kustomize"), made.pop("kubernetes")
            tasks.append(("kubernetes+kustomize", len(zmine), lambda: {
                rel: text for got in kust.with_kubernetes(kube[1], zmine, **zkw) for rel, text in finish(got).items()}))
        for fmt, (backend, mine, kw) in made.items():
            tasks.append((fmt, len(mine), lambda b=backend, m=mine, kw=kw: finish(b.render(m, **kw))))
        for got in run(tasks) if run is not None and len(tasks) > 1 else [fn() for _, _, fn in tasks]:
            files.update(got)
    rendered = set(formats)
    if project is not None and project.gitops is not None and rendered & {"kubernetes", "helm", "kustomize"}:
        rendered.add("gitops")
        files.update(finish(_gitops(project, diags)))
    return Rendered(dict(sorted(files.items())), compiled, build_scope(only, every_format, rendered))


def build_scope(only: Sequence[str] | None, every_format: bool, rendered: set[str]):
    """The :attr:`Rendered.scope` of a build of the environments ``only`` (all: None) and of
    the formats ``rendered`` (every one the project has, when ``every_format``)."""
    from .backends import layout

    if not only and every_format:
        return None
    envs = set(only or ())

    def scope(rel: str) -> bool:
        """Whether the build replaces ``rel``: a shared file, or one of an environment
        asked for (`prod/`, `prod.<target>/`, ...: a target the project dropped too), of
        a format asked for."""
        unit = layout.owner(rel)
        return (unit is None or not envs or unit.partition(".")[0] in envs) and \
            (every_format or layout.format_of(rel) in rendered)
    return scope


def check_formats(compiled: dict[str, Compiled], formats: Sequence[str], diags: Diagnostics,
                  units: Sequence[str] | None = None) -> None:
    """What each format's backend reports before it renders (its ``check``: `k8s:` patches
    that patch nothing, what Compose cannot say...), for ``units`` (default all) of the
    compiled environments: `build` runs it, and so does `check`, which renders nothing."""
    import importlib

    irs = {key: c.ir for key, c in compiled.items()}
    units = list(irs) if units is None else units
    if "kubernetes" not in formats and set(formats) & {"helm", "kustomize"}:
        importlib.import_module(BACKENDS["kubernetes"]).check(irs, diags)   # their objects are Kubernetes'
    for fmt in formats:
        backend = importlib.import_module(BACKENDS[fmt])
        if hasattr(backend, "check"):
            backend.check(irs if fmt in SHARED_FORMATS else {k: irs[k] for k in units}, diags)


def _gitops(project: Project, diags: Diagnostics | None) -> dict[str, str]:
    """The GitOps files of the project's targets (:mod:`.backends.gitops`)."""
    from .backends import gitops

    units = [gitops.Unit(env, t.name, t.namespace or project.environments[env].namespace or project.namespace)
             for t in project.targets.values() for env in project.environments if env in t.environments]
    if not units and diags is not None:
        diags.warning("SKY503", "`gitops:` describes where the output of `targets:` is deployed from, and the "
                                "project has no target: no GitOps file is written", project.pos("gitops"),
                      hint="add a target per cluster: `targets: {eu-west: {environments: [prod]}}`")
    return gitops.render(project.name, project.gitops or {}, project.outputs, units)


def headed(compiled: dict[str, Compiled], project: Project | None) -> Callable[[str, str], str]:
    """:func:`.backends.layout.headers` of the compiled units, the spec files named from the
    project's root."""
    import os

    from .backends import layout

    return layout.headers(compiled, project.root if project is not None else None,
                          os.path.basename(project.file) if project is not None else "skyspec.yaml")


def compose_secret_files(compiled: dict[str, Compiled], only: Sequence[str] | None = None,
                         what: str = "secret_files") -> list[str]:
    """What the user provides to the Compose files (`<unit>/<name>`, names only, never values):
    ``what`` `secret_files` (git-ignored by `<unit>/secrets/.gitignore`), `secret_variables`
    (of Secrets, set in `<unit>/.env`) or `config_files` (of existing ConfigMaps)."""
    from .backends import compose, compose_cluster

    made = getattr(compose_cluster if what == "config_files" else compose, what)
    return [f"{key}/{f}" for key, c in compiled.items() if not only or c.env.name in only
            for f in (getattr(c, what) if hasattr(c, what) else made(c.ir))]
