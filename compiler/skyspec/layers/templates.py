"""Templates (`use:`): the bottom layer of a spec, Celestial's "Types".

`use: postgres` reads the stdlib template `stdlib/postgres.yaml` (a bare name, no path
separator); `use: ./templates/x.yaml` a template of the project, checked by
:func:`skyspec.contain.contained` (a regular file inside the project folder; `.py` only when
the project enables Python). A template is one YAML document:

    description: PostgreSQL ...
    kind: StatefulApp            # the kind of spec it serves
    use: other-template          # optional: templates may build on templates
    params:                      # fields a spec may set beyond its kind's own, as JSON Schema
      version: {type: string, description: "..."}
    spec:                        # the values beneath the spec (may read params late-bound)
      version: "16"
      image: "postgres:${self.version}"

The template's `spec` sits beneath the spec itself (layer `template:<name>`), so the
spec's own values win and `explain` shows both. Parameters are ordinary fields of the
merged document, read through `${self...}` after every layer merged, so an overlay that
sets `version` changes the image. Cycles of templates are errors (SKY122).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..contain import contained
from ..diagnostics import Diagnostics, Pos, Sources, did_you_mean
from ..frontend import SourceDoc, load_file
from ..frontend.loc import Loc
from ..limits import DEFAULT, Limits
from ..paths import data_dir, shown_path
from ..provenance import Prov, prov_from_loc
from ..record import NEW, Record
from .merge import Merger
from .params import check_params
from .secrets import register_template
from .stack import python_loader


class Template(Record):
    """A `use:` template, loaded: its spec, parameters and the templates it builds on."""

    def __init__(self, name: str, layer: str, kind: str, params: dict, spec: Any, loc: Loc | None,
                 chain: list["Template"] = NEW) -> None:
        self.name = name  # as written in `use:`
        self.layer = layer  # "template:postgres"
        self.kind = kind
        self.params = params  # param name -> JSON Schema
        self.spec = spec
        self.loc = loc
        self.chain = [] if chain is NEW else chain  # base templates first, this one last


# the keys of a template file, what each holds (the language reference shows this table)
TEMPLATE_KEYS = {
    "description": "What the template is for (shown by editors and `skyspec schema`).",
    "kind": "The kind of spec it serves (`App`, `StatefulApp`, `Job`, `CronJob`, ...); a spec of another kind "
            "cannot use it.",
    "use": "Optional: a template this one builds on (a stdlib name or a file), of the same kind; their "
           "parameters add up.",
    "params": "The fields a spec may set beyond its kind's own, each declared as a self-contained JSON Schema "
              "(no `$ref`; `x-message`/`x-hint` for the diagnostics).",
    "spec": "The values beneath the spec: any field of the kind and the parameters' defaults; values may read "
            "the final, merged spec late-bound (`image: \"postgres:${self.version}\"`).",
}


def stdlib_names() -> list[str]:
    try:
        return sorted(p.stem for p in data_dir("stdlib").glob("*.yaml"))
    except FileNotFoundError:
        return []


class Templates:
    def __init__(self, root: Path, diags: Diagnostics, sources: Sources, python: bool = False, limits: Limits = DEFAULT):
        """``python``: a `.py` template of the project may run (the project enables Python)."""
        self.root = root.resolve()
        self.diags = diags
        self.sources = sources
        self.python = python
        self.limits = limits
        self._cache: dict[str, Template | None] = {}

    def _path(self, name: str, pos: Pos | None) -> tuple[Path, str] | None:
        if name.startswith((".", "/", "\\")) or "/" in name or "\\" in name:  # a file of the project
            path = contained(self.root, name, pos, self.diags, "template file", missing="SKY120", python=self.python)
            return None if path is None else (path, shown_path(path))
        path = data_dir("stdlib") / f"{name}.yaml"  # a bare name: no separator, so it stays in stdlib/
        names = stdlib_names()
        if name not in names:  # not `path.is_file()`: a name longer than a file name may be raises
            self.diags.error("SKY120", f'no stdlib template "{name}"', pos,
                             hint=did_you_mean(name, names) or f"stdlib: {', '.join(names)}")
            return None
        return path, shown_path(path)

    def get(self, name: str, pos: Pos | None, seen: tuple = ()) -> Template | None:
        if name in seen:
            chain = " -> ".join((*seen, name))
            self.diags.error("SKY122", f"templates use each other in a cycle: {chain}", pos,
                             hint="a template may build on another, never on itself")
            return None
        if name in self._cache:
            return self._cache[name]
        found = self._path(name, pos)
        if found is None:
            self._cache[name] = None
            return None
        path, shown = found
        docs = load_file(path, shown, self.diags, self.sources, self.limits,
                         python=python_loader() if self.python else None)
        t = None
        if docs and isinstance(docs[0].data, dict):
            d, loc = docs[0].data, docs[0].loc
            register_template(d, loc, self.diags.redactor)
            bad = set(d) - set(TEMPLATE_KEYS)
            for k in sorted(bad):
                self.diags.error("SKY121", f'unknown key "{k}" in template', loc.key_pos(k),
                                 hint=f"a template has {', '.join(TEMPLATE_KEYS)}")
            if "kind" not in d or not isinstance(d.get("spec", {}), dict):
                self.diags.error("SKY121", "a template needs `kind` and a `spec` map", loc.pos,
                                 hint="e.g. `kind: App` and `spec: {ports: {http: 8080}}`")
            elif not bad and self._fields_typed(d, loc) and check_params(d.get("params"), loc.child("params"),
                                                                         self.diags):
                t = Template(name, f"template:{name}", d["kind"], dict(d.get("params") or {}), d.get("spec") or {},
                             loc.child("spec"))
                if d.get("use"):
                    base = self.get(d["use"], loc.child("use").pos, seen + (name,))
                    if base is None:
                        t = None
                    else:
                        if base.kind != t.kind:
                            self.diags.error("SKY121", f'template "{name}" ({t.kind}) builds on "{base.name}" '
                                                       f"({base.kind})", loc.child("use").pos,
                                             hint=f"a template builds on one of its own kind: make it "
                                                  f"`kind: {base.kind}`, or build on a {t.kind} template")
                        t.chain = base.chain + [base]
                        t.params = {**base.params, **t.params}
        self._cache[name] = t
        return t

    def _fields_typed(self, d: dict, loc: Loc) -> bool:
        """Whether a template's `kind`, `use` and `description` are strings (each problem is
        SKY121 at its line); `params` are checked by :func:`.params.check_params`."""
        ok = True
        for k in ("kind", "use", "description"):
            if k in d and not isinstance(d[k], str):
                node = loc.find((k,))
                self.diags.error("SKY121", f"the template's `{k}` must be a string", node.pos if node else loc.pos,
                                 hint=f"write `{k}` as text" + (", e.g. `kind: App`" if k == "kind" else ""))
                ok = False
        return ok

    def apply(self, doc: SourceDoc) -> tuple[dict, Prov, Template | None]:
        """The document with its template chain beneath it (the spec layer alone when the
        template cannot be used; the problem is reported)."""
        name = doc.data.get("use")
        if not isinstance(name, str):
            return doc.data, prov_from_loc(doc.data, doc.loc, "spec"), None
        t = self.get(name, doc.loc.child("use").pos if doc.loc.child("use") else doc.loc.pos)
        if t is None:
            return doc.data, prov_from_loc(doc.data, doc.loc, "spec"), None
        if t.kind != doc.data.get("kind"):
            self.diags.error("SKY121", f'template "{name}" is for {_a(t.kind)}, not {_a(str(doc.data.get("kind")))}',
                             doc.loc.child("use").pos, hint=f"write `kind: {t.kind}`")
            return doc.data, prov_from_loc(doc.data, doc.loc, "spec"), None
        data: Any = {}
        prov = Prov([], {})
        for layer in t.chain + [t]:
            data, prov = Merger(layer.layer, self.diags).apply(data, prov, layer.spec, layer.loc)
        data, prov = Merger("spec", self.diags).apply(data, prov, doc.data, doc.loc)  # the spec wins
        return data, prov, t


def _a(kind: str) -> str:
    return f"{'an' if kind[:1] in 'AEIOU' else 'a'} {kind}"


def params_schema(t: Template) -> dict:
    return {"type": "object", "properties": dict(t.params), "additionalProperties": False}


def split_params(data: dict, t: Template | None) -> tuple[dict, dict]:
    """(the kind's own fields + `use`, the template's parameters)."""
    if t is None:
        return data, {}
    own = {k: v for k, v in data.items() if k not in t.params}
    return own, {k: v for k, v in data.items() if k in t.params}
