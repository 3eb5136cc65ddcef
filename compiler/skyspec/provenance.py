"""Provenance: where every value of a layered spec came from.

A :class:`Prov` node holds one value's history, oldest first, as :class:`Entry` records
(layer, position, operation, the value replaced), and the provenance of its children. The
front end's :class:`~skyspec.frontend.Loc` trees become Prov trees here
(:func:`prov_from_loc`); the layers stage extends them as it merges, and diagnostics,
`explain` and `diff` read them. This module only describes history: it must not merge,
validate or know any kind.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, NamedTuple

from .diagnostics import Pos
from .frontend.loc import Loc
from .paths import data_dir

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>", "__bool__": lambda self: False})()


class Entry(NamedTuple):
    layer: str          # "spec", "template:postgres", "profile:prod", "overlay:overlays/prod.yaml", "--set", "pass:harden"
    pos: Pos | None
    op: str             # set | merge | extend | replace | delete | remove | default | evaluate | unresolved
    replaced: Any = MISSING  # the value this entry replaced (MISSING when there was none)
    note: str = ""      # free text, e.g. which overlay section (`all`, `match[0]`, `apps.api`)

    def as_dict(self) -> dict:
        d = {"layer": self.layer, "op": self.op}
        if self.pos:
            d["file"], d["line"], d["column"] = self.pos.file, self.pos.line, self.pos.col
        if self.replaced is not MISSING:
            d["replaced"] = self.replaced
        if self.note:
            d["section"] = self.note
        return d


class Prov:
    """Provenance of one value: its history and the provenance of its children."""

    __slots__ = ("hist", "kids", "key", "gone")

    def __init__(self, hist: list[Entry], kids: dict | list | None = None, key: Pos | None = None,
                 gone: dict | None = None):
        self.hist = hist        # oldest first; hist[-1] set the current value
        self.kids = kids        # dict key -> Prov, or [Prov]
        self.key = key          # where the key holding this value was written (last writer)
        self.gone = gone        # deleted children: key -> Prov (history up to the deletion)

    @property
    def pos(self) -> Pos | None:
        """Where the current value was written: the last entry that wrote it whole (a map
        merged by later layers is still located where it was created)."""
        for e in reversed(self.hist):
            if e.pos is not None and e.op not in ("merge", "remove"):
                return e.pos
        for e in reversed(self.hist):
            if e.pos is not None:
                return e.pos
        return None

    def child(self, key: Any) -> "Prov | None":
        kids = self.kids
        if isinstance(kids, dict):
            return kids.get(key)
        if isinstance(kids, list) and isinstance(key, int) and 0 <= key < len(kids):
            return kids[key]
        return None

    def find(self, path: tuple) -> "Prov | None":
        p: Prov | None = self
        for k in path:
            if p is None:
                return None
            nxt = p.child(k)
            if nxt is None and p.gone and k in p.gone:
                nxt = p.gone[k]
            p = nxt
        return p

    def nearest(self, path: tuple) -> "Prov":
        """The deepest existing node along ``path`` (for locating a problem in a value that
        is missing, e.g. a required key)."""
        p = self
        for k in path:
            nxt = p.child(k)
            if nxt is None:
                break
            p = nxt
        return p

    def copy(self) -> "Prov":
        kids = self.kids
        if isinstance(kids, dict):
            kids = dict(kids)
        elif isinstance(kids, list):
            kids = list(kids)
        return Prov(list(self.hist), kids, self.key, dict(self.gone) if self.gone else None)


def is_stdlib(layer: str) -> bool:
    """Whether ``layer`` is a template of skyspec's stdlib (`template:postgres`: a bare name),
    not one of the project (`template:./templates/job.yaml`)."""
    if not layer.startswith("template:"):
        return False
    name = layer[len("template:"):]
    return bool(name) and not name.startswith(".") and "/" not in name and "\\" not in name


def shown_at(root: Prov, path: tuple, key: bool = False) -> Pos | None:
    """Where to report a problem with the value at ``path`` of a spec (``root`` is its
    provenance): where the value (``key``: its key) was written, unless skyspec's stdlib
    wrote it, a file the user cannot edit: then the spec's `use:` line, which chose it.
    Never a line of skyspec's shipped files (a built-in profile's default included): then
    the nearest enclosing value the user wrote, at worst the spec document."""
    node = root.nearest(path)
    w = next((e for e in reversed(node.hist) if e.op not in _NOT_WRITING), None)
    if w is not None and (is_stdlib(w.layer) or shipped(w.pos)):
        use = root.child("use")
        if use is not None and use.pos is not None and not shipped(use.pos):
            return use.pos
    pos = node.key if key and node.key is not None else _written_at(node)
    if not shipped(pos):
        return pos
    for n in range(len(path) - 1, -1, -1):
        up = _written_at(root.nearest(path[:n]))
        if up is not None and not shipped(up):
            return up
    # the document's last writer is a built-in profile: the spec document the user wrote
    for e in sorted(getattr(root, "hist", ()), key=lambda e: e.layer != "spec"):
        if e.pos is not None and not shipped(e.pos) and not is_stdlib(e.layer):
            return e.pos
    return None


def _written_at(node: Prov) -> Pos | None:
    """Where a value was written; for a map only ever merged (a templated spec's document:
    its template, the spec, then profiles and overlays merge into it), the spec's own
    document, not the last layer that merged into it."""
    if any(e.pos is not None and e.op not in ("merge", "remove") for e in node.hist):
        return node.pos
    spec = next((e.pos for e in reversed(node.hist) if e.layer == "spec" and e.pos is not None), None)
    return spec or node.pos


def template_wrote(root: Prov, path: tuple) -> bool:
    """Whether the value at ``path`` of a spec was last written by a `use:` template (the
    stdlib's or the project's), not by the spec or an overlay above it."""
    node = root.find(path)
    w = next((e for e in reversed(node.hist) if e.op not in _NOT_WRITING), None) if node is not None else None
    return w is not None and w.layer.startswith("template:")


def shipped(pos: Pos | None) -> bool:
    """Whether ``pos`` is in one of skyspec's own data files (stdlib templates, built-in
    profiles): a file the user did not write and cannot edit."""
    if pos is None or not getattr(pos, "file", None):
        return False
    return _shipped_file(str(pos.file))


@lru_cache(maxsize=None)
def _shipped_roots() -> tuple[str, ...]:
    roots = []
    for name in ("stdlib", "overlays"):
        try:
            roots.append(os.path.join(os.path.abspath(data_dir(name)), ""))
        except FileNotFoundError:
            continue
    return tuple(roots)


def _shipped_file(file: str) -> bool:
    # a relative name is cached with the working directory: it means another file after a
    # chdir (`overlays/dev.yaml` is the user's in a project, a built-in profile in skyspec's
    # tree); made absolute once per name and directory, not per call (every layer asks)
    return _shipped_in(file, "" if os.path.isabs(file) else os.getcwd())


@lru_cache(maxsize=4096)
def _shipped_in(file: str, cwd: str) -> bool:
    return os.path.abspath(os.path.join(cwd, file)).startswith(_shipped_roots())


_NOT_WRITING = frozenset(("merge", "remove", "evaluate", "unresolved", "delete"))


def prov_from_loc(data: Any, loc: Loc | None, layer: str, op: str = "set", note: str = "",
                  key: Pos | None = None) -> Prov:
    """Provenance for a value written wholly by one layer. Its nodes are made as they are
    read (:class:`_Unread`), in the shape ``data`` has now (validation fills in defaults
    later, in place: those are no layer's)."""
    return _Unread(_shape(data) if isinstance(data, (dict, list)) else None, loc, (layer, op, note), key)


class _Own(tuple):
    """A shape that is not shared: a key of it (or of a value in it) is other than a string
    (`1`, `1.0` and `true` are equal keys, but not the same)."""

    __slots__ = ()


def _shape(data: dict | list) -> tuple:
    """What decides the Prov nodes of a map or list: for a map, (its keys, its values'
    shapes: None for a scalar, or None for all when all are scalars); for a list, (None, its
    items' shapes). Equal shapes are one object (specs alike have alike shapes)."""
    items = data.values() if isinstance(data, dict) else data
    shapes: list | None = None
    own = isinstance(data, dict) and not all(type(k) is str for k in data)
    for i, v in enumerate(items):
        if isinstance(v, (dict, list)):
            if shapes is None:
                shapes = [None] * len(data)
            shapes[i] = sub = _shape(v)
            own = own or type(sub) is _Own
    if isinstance(data, dict):
        shape = (tuple(data), tuple(shapes) if shapes is not None else None)
    else:
        shape = (None, tuple(shapes) if shapes is not None else (None,) * len(data))
    if own:
        return _Own(shape)
    if len(_SHAPES) >= 65536:  # a long session (the language server): kept bounded
        _SHAPES.clear()
    return _SHAPES.setdefault(shape, shape)


_SHAPES: dict = {}


_UNREAD: Any = object()


class _Unread(Prov):
    """The provenance of a value one layer wrote whole, each node's history and children
    made when first read, then kept (the same as :class:`Prov` from then on): most values
    of a spec are never asked where they came from, and their nodes (a history list and
    entry each, their children's nodes) were most of a session's provenance."""

    __slots__ = ("_hist", "_kids", "_shape", "_loc", "_how")  # (Prov's own hist and kids unused)

    def __init__(self, shape: Any, loc: Loc | None, how: tuple[str, str, str], key: Pos | None):
        self._hist = self._kids = _UNREAD
        self._shape, self._loc, self._how = shape, loc, how
        self.key = key
        self.gone = None

    @property  # type: ignore[override]
    def hist(self) -> list[Entry]:
        hist = self._hist
        if hist is _UNREAD:
            layer, op, note = self._how
            hist = self._hist = [Entry(layer, self._loc.pos if self._loc is not None else None, op, MISSING, note)]
        return hist

    @hist.setter
    def hist(self, value: list[Entry]) -> None:
        self._hist = value

    @property  # type: ignore[override]
    def kids(self) -> dict | list | None:
        kids = self._kids
        if kids is _UNREAD:
            shape, loc, how = self._shape, self._loc, self._how
            kids = None
            if shape is not None:
                keys, shapes = shape
                if keys is None:  # a list
                    kids = [_Unread(s, loc.child(i) if loc is not None else None, how, None)
                            for i, s in enumerate(shapes)]
                else:
                    kids = {k: _Unread(shapes[i] if shapes is not None else None,
                                       loc.child(k) if loc is not None else None, how,
                                       loc.key_pos(k) if loc is not None else None) for i, k in enumerate(keys)}
            self._kids = kids
        return kids

    @kids.setter
    def kids(self, value: dict | list | None) -> None:
        self._kids = value
