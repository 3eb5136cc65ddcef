"""Spec data and provenance, edited and made by the components without mutating anything.

A component works on the merged data of a spec (:class:`Doc`, edited copy-on-write: the
data and its :class:`Prov` tree are shared with the layers beneath and the other
environments) and makes new documents value by value (:class:`New`). A copied value keeps
its provenance node (its whole history); a generated one gets a node located at the spec
line that asked for it, in the component's layer (`component:<name>`), continuing the
history of the value it replaces. This module knows no component and reports nothing; it
must not import anything above `skyspec.layers`.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import Pos
from ..frontend.loc import uniform_loc
from ..provenance import MISSING, Entry, Prov, prov_from_loc
from ..layers.stack import Spec


def gen(value: Any, pos: Pos | None, layer: str, before: Prov | None = None, old: Any = MISSING,
        op: str = "set") -> Prov:
    """Provenance of a generated value, written at ``pos``; when it replaces a value, the
    history of that value comes first."""
    p = prov_from_loc(value, uniform_loc(value, pos) if pos is not None else None, layer, op)
    if before is not None:
        p.hist = list(before.hist) + [Entry(layer, pos, op, old)]
    return p


def value_at(data: Any, path: tuple) -> Any:
    """The value at ``path`` in nested maps, or MISSING."""
    for k in path:
        if isinstance(data, dict) and k in data:
            data = data[k]
        else:
            return MISSING
    return data


class Doc:
    """A spec's data and provenance, edited without mutating either (they are shared with
    the layers beneath and the other environments)."""

    def __init__(self, spec: Spec, layer: str):
        self.spec = spec
        self.data: dict = spec.data
        self.prov: Prov = spec.prov
        self.layer = layer

    def get(self, *path: Any) -> Any:
        return value_at(self.data, path)

    def where(self, *path: Any) -> Pos | None:
        """Where a generated value (or a problem) is located: the spec line that wrote the
        value at ``path``, or the spec's `use:` when only the template did (a diagnostic
        points into the user's files, never into the stdlib)."""
        node = self.prov.nearest(tuple(path))
        writers = [e for e in node.hist if e.op not in ("merge", "evaluate", "unresolved") and e.pos is not None]
        if writers and writers[-1].layer.startswith("template:"):
            return self.spec.where("use")
        return node.pos

    def node(self, *path: Any) -> Prov | None:
        return self.prov.find(tuple(path))

    def by_template(self, *path: Any) -> bool:
        """Whether the value at ``path`` is still the template's (no spec or overlay wrote it)."""
        n = self.node(*path)
        if n is None:
            return False
        writers = [e for e in n.hist if e.op not in ("merge", "evaluate", "unresolved")]
        return bool(writers) and writers[-1].layer.startswith("template:")

    def put(self, path: tuple, value: Any, pos: Pos | None, node: Prov | None = None, op: str = "set") -> None:
        """Set ``path`` to ``value`` (creating maps on the way); its provenance is ``node``
        (a copied value's) or a generated one at ``pos`` that continues the old history."""
        if node is None:
            node = gen(value, pos, self.layer, self.node(*path), self.get(*path), op)
        self.data, self.prov = _put(self.data, self.prov, path, value, node, self.layer, pos)

    def extend(self, path: tuple, items: list, poss: list[Pos | None]) -> None:
        """Append ``items`` to the list at ``path`` (each located at its own position)."""
        old = self.get(*path)
        old_list = list(old) if isinstance(old, list) else []
        before = self.node(*path)
        kids = list(before.kids) if before is not None and isinstance(before.kids, list) else \
            [Prov([]) for _ in old_list]
        kids += [gen(v, p, self.layer, op="extend") for v, p in zip(items, poss)]
        hist = (list(before.hist) if before is not None else []) + \
            [Entry(self.layer, poss[0] if poss else None, "extend", old)]
        self.data, self.prov = _put(self.data, self.prov, path, old_list + list(items), Prov(hist, kids),
                                    self.layer, poss[0] if poss else None)

    def done(self) -> Spec:
        s = self.spec
        return Spec(s.kind, s.name, self.data, self.prov, s.file, s.pos, s.template, dict(s.addresses))


def _put(data: Any, prov: Prov | None, path: tuple, value: Any, node: Prov, layer: str,
         pos: Pos | None) -> tuple[Any, Prov]:
    if not path:
        return value, node
    k = path[0]
    if isinstance(data, dict):
        out = dict(data)
        p = prov.copy() if prov is not None else Prov([Entry(layer, pos, "set")], {})
    else:
        out, p = {}, Prov([Entry(layer, pos, "set")], {})
    if not isinstance(p.kids, dict):
        p.kids = {}
    out[k], p.kids[k] = _put(out.get(k), p.kids.get(k), path[1:], value, node, layer, pos)
    return out, p


class New:
    """A document made by a component, value by value (maps of :class:`New` nest)."""

    def __init__(self, layer: str, pos: Pos | None):
        self.layer = layer
        self.pos = pos
        self.data: dict = {}
        self.kids: dict = {}

    def gen(self, key: str, value: Any, pos: Pos | None = None) -> "New":
        self.data[key] = value
        self.kids[key] = gen(value, pos or self.pos, self.layer)
        return self

    def copy(self, key: str, spec: Spec, *path: Any) -> "New":
        """``spec``'s value at ``path`` (when it has one), with its history."""
        value = value_at(spec.data, path)
        if value is not MISSING:
            self.data[key] = value
            self.kids[key] = spec.prov.find(tuple(path)) or gen(value, spec.where(*path), self.layer)
        return self

    def sub(self, key: str, child: "New") -> "New":
        self.data[key] = child.data
        self.kids[key] = child.prov()
        return self

    def prov(self) -> Prov:
        return Prov([Entry(self.layer, self.pos, "set")], dict(self.kids))

    def spec(self, origin: Spec) -> Spec:
        return Spec(self.data["kind"], self.data["name"], self.data, self.prov(), origin.file, origin.pos, None)


def copy_map(spec: Spec, path: tuple, layer: str, pos: Pos | None) -> New:
    """A new map holding the entries of ``spec``'s map at ``path`` (with their histories)."""
    m = New(layer, spec.where(*path) if value_at(spec.data, path) is not MISSING else pos)
    value = value_at(spec.data, path)
    if isinstance(value, dict):
        for k in value:
            m.copy(k, spec, *path, k)
    return m
