"""The layer stack for one environment (and one target):

    stdlib template (`use:`) < profile defaults < the spec < built-in profile (`overlays/<env>.yaml`)
    < the project's environment overlays (in order) < target overlays < `--set`

Each layer is applied with :class:`~skyspec.layers.merge.Merger`, so every value keeps its
history. Overlay files address workloads as a whole (`all`), by selector (`match`) and by
name (`apps`); a section that hits nothing is an error, never a silent no-op.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..diagnostics import Diagnostics, Pos, Sources, did_you_mean, name_hint
from ..frontend import SourceDoc, load_file, uniform_loc
from ..frontend.loc import Loc
from ..limits import DEFAULT, Limits
from ..provenance import MISSING, Entry, Prov, prov_from_loc, shown_at
from .merge import Merger, _strip_loc, plain_copy, strip_ops
from .secrets import register_overlay, register_set

WORKLOAD_KINDS = ("App", "StatefulApp", "Job", "CronJob")


@dataclass(eq=False)
class Spec:
    """One spec document after layering: plain data plus provenance."""

    kind: str
    name: str
    data: dict
    prov: Prov
    file: str
    pos: Pos | None
    template: Any = None   # the `use:` template (layers.templates.Template), if any
    addresses: dict = field(default_factory=dict)  # `${apps.X.address}` read: Kubernetes value -> Compose value

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def is_workload(self) -> bool:
        return self.kind in WORKLOAD_KINDS

    def apply(self, merger: Merger, patch: Any, loc: Loc | None) -> None:
        self.data, self.prov = merger.apply(self.data, self.prov, patch, loc)

    def where(self, *path: Any) -> Pos | None:
        """Position of the value at ``path`` (of its last writer), or the nearest parent's;
        the spec's `use:` line for a value the stdlib wrote (its files are not the user's)."""
        return shown_at(self.prov, tuple(path))


def identify(docs: Iterable[SourceDoc], diags: Diagnostics) -> list[SourceDoc]:
    """The documents that can be specs: mappings with a string `kind` and `name`, unique
    per kind. Problems are reported once here, not per environment."""
    from ..schema import KINDS

    out: list[SourceDoc] = []
    seen: dict[tuple[str, str], Pos] = {}
    for d in docs:
        if not isinstance(d.data, dict):
            diags.error("SKY004", "a spec document must be a mapping with `kind` and `name`", d.loc.pos,
                        hint="start the document with e.g. `kind: App` and `name: api`")
            continue
        kind, name = d.data.get("kind"), d.data.get("name")
        if kind is None:
            diags.error("SKY100", "document has no `kind`", d.loc.pos,
                        hint=f"add `kind:` with one of {', '.join(KINDS)}")
            continue
        if not isinstance(kind, str) or kind not in KINDS:
            diags.error("SKY101", f"unknown kind {kind!r}", d.loc.child("kind").pos,
                        hint=did_you_mean(str(kind), KINDS) or f"kinds: {', '.join(KINDS)}")
            continue
        if not isinstance(name, str):
            if name is None:
                diags.error("SKY103", 'the document is missing required field "name"', d.loc.key_pos("kind"),
                            hint="every document needs a `name:` (a DNS-1123 label such as `api`)")
            else:
                diags.error("SKY104", "name must be a string", d.loc.child("name").pos,
                            hint="write the name as text: a DNS-1123 label such as `name: api`")
            continue
        group = "workload" if kind in WORKLOAD_KINDS else kind
        k = (group, name)
        if k in seen:
            first = seen[k]
            diags.error("SKY110", f'duplicate name "{name}": another {"workload" if group == "workload" else kind} '
                                  f"has it", d.loc.child("name").pos,
                        hint=f"the first is at {first}; names are unique per kind (workloads share one namespace)")
            continue
        seen[k] = d.loc.child("name").pos
        out.append(d)
    return out


class Overlay:
    """A parsed overlay file, validated once and applied per environment."""

    def __init__(self, doc: SourceDoc, layer: str):
        self.doc = doc
        self.layer = layer

    @property
    def data(self) -> dict:
        return self.doc.data


def python_loader() -> Callable:
    """The loader of `.py` layer files (:func:`skyspec.builders.load.load_python`), imported
    only for a project that enables Python: the builders are not imported otherwise."""
    from ..builders.load import load_python

    return load_python


def load_overlay(path: Path, shown: str, layer: str, diags: Diagnostics, sources: Sources,
                 cache: dict | None = None, python: bool = False, limits: Limits = DEFAULT) -> Overlay | None:
    """The overlay at ``path``, a file the caller checked (:func:`skyspec.contain.contained`);
    a `.py` overlay runs only when ``python`` is true (the project enables Python)."""
    from ..schema import validate
    from ..schema.validate import conforms

    key = (str(path), layer)
    if cache is not None and key in cache:
        return cache[key]
    docs = load_file(path, shown, diags, sources, limits, python=python_loader() if python else None)
    ov = None
    if docs:
        doc = docs[0]
        register_overlay(doc, diags.redactor)
        if not isinstance(doc.data, dict):
            diags.error("SKY004", "an overlay must be a mapping with `all`, `match` or `apps`", doc.loc.pos,
                        hint="e.g. `apps: {api: {replicas: 3}}`, or `all: {labels: {team: shop}}`")
        elif conforms(doc.data, "overlay.json") or \
                validate(doc.data, prov_from_loc(doc.data, doc.loc, layer), "overlay.json", diags):
            # (the positions, only to report what the compiled check found wrong)
            ov = Overlay(doc, layer)
    if cache is not None:
        cache[key] = ov
    return ov


def _selects(spec: Spec, where: dict) -> bool:
    if "kind" in where and spec.kind != where["kind"]:
        return False
    if "name" in where and not fnmatch.fnmatchcase(spec.name, where["name"]):
        return False
    labels = spec.data.get("labels") or {}
    for k, v in (where.get("labels") or {}).items():
        if not isinstance(labels, dict) or labels.get(k) != v:
            return False
    return True


def apply_overlay(specs: list[Spec], ov: Overlay, diags: Diagnostics, only: set[str] | None = None,
                  record: Callable[[Spec, Any, Loc | None], None] | None = None,
                  absent: Callable[[str], bool] | None = None) -> None:
    """Apply one overlay file's sections in order: `all`, then `match` entries, then `apps`.
    ``only`` restricts `all`/`match` to those spec keys (a target's selection). ``record``
    is told of each patch before it is applied to a spec (for the per-layer type checks);
    ``absent(name)`` says whether a name may be missing only because a spec file failed to
    load (:mod:`.absent`): then naming it is no error of this overlay."""
    data, loc = ov.data, ov.doc.loc
    workloads = [s for s in specs if s.is_workload and (only is None or s.key in only)]
    if "all" in data:
        m = Merger(ov.layer, diags, "all")
        patch, ploc = data["all"], loc.child("all")
        for s in workloads:
            if record is not None:
                record(s, patch, ploc)
            s.apply(m, patch, ploc)
    for i, entry in enumerate(data.get("match") or []):
        eloc = loc.find(("match", i))
        where = entry.get("where") or {}
        chosen = [s for s in (specs if "kind" in where else workloads) if _selects(s, where)
                  and (only is None or s.key in only)]
        if not chosen and not entry.get("optional"):
            if absent is not None and absent(where["name"] if isinstance(where.get("name"), str) else "*"):
                continue
            wpos = eloc.child("where").pos if eloc is not None and eloc.child("where") else (eloc.pos if eloc else None)
            hint = None
            if "name" in where:
                hint = did_you_mean(where["name"], [s.name for s in specs])
            if hint is None and "kind" in where:
                hint = did_you_mean(where["kind"], sorted({s.kind for s in specs}))
            diags.error("SKY202", f"match[{i}] selects no workload ({_show_where(where)})", wpos,
                        hint=hint or "check the selector, or add `optional: true` if that is intended")
            continue
        m = Merger(ov.layer, diags, f"match[{i}]")
        patch, ploc = entry.get("patch"), eloc.child("patch") if eloc is not None else None
        for s in chosen:
            if record is not None:
                record(s, patch, ploc)
            s.apply(m, patch or {}, ploc)
    apps = data.get("apps") or {}
    by_name: dict[str, list[Spec]] = {}
    for s in specs if apps else ():  # (a profile has no `apps:`)
        by_name.setdefault(s.name, []).append(s)
        by_name.setdefault(s.key, []).append(s)
    apps_loc = loc.child("apps")
    for name, patch in apps.items():
        kpos = apps_loc.key_pos(name) if apps_loc is not None else None
        found = by_name.get(name, [])
        if len(found) > 1:
            found = [s for s in found if s.is_workload] or found
        if not found:
            if absent is not None and absent(name):
                continue
            glob = isinstance(name, str) and any(c in name for c in "*?[")
            diags.error("SKY201", f'overlay targets app "{name}", which does not exist', kpos,
                        hint="`apps:` takes names, not globs: patch every spec with `all:`, or some with "
                             "`match: [{where: {name: 'api-*'}, patch: {...}}]`" if glob
                        else name_hint(name, (s.name for s in specs), "specs"))
            continue
        if len(found) > 1:
            diags.error("SKY201", f'"{name}" names several documents ({", ".join(s.key for s in found)})', kpos,
                        hint=f'write "{found[0].key}" to choose one')
            continue
        if record is not None:
            record(found[0], patch, apps_loc.child(name) if apps_loc is not None else None)
        found[0].apply(Merger(ov.layer, diags, f"apps.{name}"), patch or {},
                       apps_loc.child(name) if apps_loc is not None else None)


def _show_where(where: dict) -> str:
    parts = []
    for k, v in where.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a}={b}" for a, b in v.items())
        parts.append(f"{k}: {v}")
    return "; ".join(parts)


def apply_defaults_beneath(specs: Iterable[Spec], defaults: Any, loc: Loc | None, layer: str) -> None:
    """Put ``defaults`` *beneath* each spec: the spec's own values win, and the history of a
    value the spec set starts with the default it replaced."""
    if isinstance(defaults, dict):  # operators dropped from keys and from their positions alike
        beneath = Merger(layer, None)  # the layer's history entries, shared by every spec
        # what each key needs, made once: positions and entries are never changed, and each
        # spec gets its own copy of a value (as merging copies what it writes)
        plan = _plan(strip_ops(defaults), _strip_loc(defaults, loc), beneath)
        for spec in specs:
            spec.data, spec.prov = _under(spec.data, spec.prov, plan, beneath)


def _plan(defaults: dict, loc: Loc | None, beneath: Merger) -> list[tuple]:
    """(key, value, its Loc, its key's position, its "default" entry, the plan of a map)."""
    out = []
    for k, dv in defaults.items():
        dloc = loc.child(k) if loc is not None else None
        out.append((k, dv, dloc, loc.key_pos(k) if loc is not None else None, beneath.fresh("default", dloc),
                    _plan(dv, dloc, beneath) if isinstance(dv, dict) else None))
    return out


def _under(data: dict, prov: Prov, plan: list[tuple], beneath: Merger) -> tuple[dict, Prov]:
    out = dict(data)
    p = prov.copy()
    if not isinstance(p.kids, dict):
        p.kids = {}
    kids = p.kids
    for k, dv, dloc, kpos, fresh, sub_plan in plan:
        if k not in out:
            out[k] = dv = plain_copy(dv)
            kids[k] = beneath.written(dv, dloc, "default", kpos)
            continue
        sp = kids.get(k) or Prov([])
        if sub_plan is not None and isinstance(out[k], dict):
            out[k], sub = _under(out[k], sp, sub_plan, beneath)
        else:
            sub = sp.copy()
            for i, e in enumerate(sub.hist):  # the value above replaced this default
                if e.op != "default":
                    if e.replaced is MISSING:
                        sub.hist[i] = Entry(e.layer, e.pos, e.op, plain_copy(dv), e.note)  # (e._replace: slower)
                    break
        sub.hist.insert(0, fresh)  # (a list of its own: a copy)
        kids[k] = sub
    return out, p


def set_patch(assignments: Iterable[str], diags: Diagnostics) -> list[tuple[str, dict, Loc]]:
    """`--set api.replicas=3` into (workload name, patch, loc). Values are YAML scalars
    (`3` is a number, `"3"` a string); keys may carry operators (`api.args+=[--x]`)."""
    import yaml

    out = []
    for i, a in enumerate(assignments):
        pos = Pos("<--set>", i + 1, 1, len(a) + 1)
        if "=" not in a:
            diags.error("SKY207", f'--set "{a}" has no "="', pos, hint="write --set APP.PATH=VALUE, e.g. api.replicas=3")
            continue
        path, _, raw = a.partition("=")
        register_set(path, raw, diags.redactor)
        parts = [p for p in path.split(".")]
        if len(parts) < 2 or not all(parts):
            diags.error("SKY207", f'--set "{a}" must start with the workload name', pos,
                        hint="write --set APP.PATH=VALUE, e.g. api.replicas=3")
            continue
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        patch: Any = value
        for p in reversed(parts[1:]):
            patch = {p: patch}
        out.append((parts[0], patch, uniform_loc(patch, pos)))
    return out
