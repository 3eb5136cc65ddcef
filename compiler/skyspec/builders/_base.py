"""The common ground of the builders: a document under construction, the builder base
class, and the ways from builders to spec documents.

- :class:`_Tree`: a spec document's plain data with, per path, the raw position of the
  call that set it; :class:`_Doc`: the base of every kind's builder (name, namespace,
  labels, ``for_environment()``, ``to_dict()``, ``generate()``); :class:`Resource`.
- :func:`_closure` (the builders reachable from some roots), :func:`_documents` and
  :func:`source_docs` (positioned ``SourceDoc`` objects of the frontend), and
  :func:`_namer` (raw positions into diagnostics positions).
- The registry a ``.py`` spec file fills while :mod:`skyspec.builders.load` runs it.

It must not compile anything: ``generate()`` hands the builders to the class that
:mod:`skyspec.generate` installs with :func:`_install_compiler` (the compiler sits above
the builders), and nothing here imports the pipeline, the project or the backends.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any, Iterable

from ..diagnostics import Pos
from ..frontend.loc import Loc, SourceDoc
from ..paths import shown_path
from .positions import _here, _Recorder, _tls, _unrecorded

_DNS = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_QUANTITY = re.compile(r"^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")


# ---------------------------------------------------------------------------- data with positions

def _plain(value: Any, what: str) -> Any:
    """A copy of ``value`` made of plain data (what a YAML file could hold)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{what}: keys must be strings, got {k!r}")
            out[k] = _plain(v, f"{what}.{k}")
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, what) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v, what) for v in value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, _Doc):
        return value.name
    raise TypeError(f"{what}: a {type(value).__name__} cannot be part of a spec (use str, int, float, bool, "
                    f"list or dict)")


class _Tree:
    """A spec document under construction: plain data and, per path, the raw position of
    the call that set it. A value with no position of its own inherits its parent's."""

    __slots__ = ("data", "at")

    def __init__(self, data: dict, at: dict):
        self.data = data
        self.at = at

    def copy(self) -> "_Tree":
        return _Tree(copy.deepcopy(self.data), dict(self.at))

    def get(self, path: tuple, default: Any = None) -> Any:
        d: Any = self.data
        for k in path:
            if not isinstance(d, dict) or k not in d:
                return default
            d = d[k]
        return d

    def _forget(self, path: tuple) -> None:
        n = len(path)
        for p in [p for p in self.at if len(p) >= n and p[:n] == path]:
            del self.at[p]

    def _parent(self, path: tuple, pos: tuple) -> dict:
        d = self.data
        for i, k in enumerate(path[:-1]):
            nxt = d.get(k)
            if not isinstance(nxt, dict):
                nxt = d[k] = {}
                self._forget(path[:i + 1])
                self.at[path[:i + 1]] = pos
            d = nxt
        return d

    def set(self, path: tuple, value: Any, pos: tuple) -> None:
        self._parent(path, pos)[path[-1]] = value
        self._forget(path)
        self.at[path] = pos

    def setdefault_pos(self, path: tuple, pos: tuple) -> None:
        self.at.setdefault(path, pos)

    def append(self, path: tuple, item: Any, pos: tuple) -> None:
        parent = self._parent(path, pos)
        lst = parent.get(path[-1])
        if not isinstance(lst, list):
            lst = parent[path[-1]] = []
            self._forget(path)
            self.at[path] = pos
        lst.append(item)
        self.at[path + (len(lst) - 1,)] = pos

    def delete(self, path: tuple) -> None:
        parent = self.get(path[:-1])
        if isinstance(parent, dict) and path[-1] in parent:
            del parent[path[-1]]
            self._forget(path)

    def move(self, src: tuple, dst: tuple) -> None:
        """Re-key the positions under ``src`` to ``dst`` (data already moved by the caller)."""
        n = len(src)
        moved = {dst + p[n:]: v for p, v in self.at.items() if len(p) >= n and p[:n] == src}
        self._forget(src)
        self.at.update(moved)

    def loc(self, conv) -> Loc:
        def build(v: Any, path: tuple, inherited):
            raw = self.at.get(path)
            pos = conv(raw) if raw is not None else inherited
            if isinstance(v, dict):
                keys, kids = {}, {}
                for k, x in v.items():
                    kr = self.at.get(path + (k,))
                    keys[k] = conv(kr) if kr is not None else pos
                    kids[k] = build(x, path + (k,), pos)
                return Loc(pos, keys, kids)
            if isinstance(v, list):
                return Loc(pos, None, [build(x, path + (i,), pos) for i, x in enumerate(v)])
            return Loc(pos)

        return build(self.data, (), conv(self.at[()]))


# ---------------------------------------------------------------------------- registry (for builders.load)

_COLLECTORS: list[list] = []
_LOADING = [0]   # > 0 while builders.load runs a spec file: generate().to_*() write nothing


def _register(b: Any) -> None:
    if _COLLECTORS:
        _COLLECTORS[-1].append(b)


def _outside(what: str, why: str, instead: str) -> None:
    raise NotImplementedError(f"{what} is outside the skyspec language: {why}. Instead: {instead}")


def _name_of(x: Any, what: str) -> str:
    if isinstance(x, _Doc):
        return x.name
    if isinstance(x, str):
        return x
    raise TypeError(f"{what}: expected a name or a builder, got {type(x).__name__}")


def _listify(args: tuple) -> list:
    """``f([a, b])``, ``f(a, b)`` and ``f(a)`` alike."""
    if len(args) == 1 and isinstance(args[0], (list, tuple, set, frozenset)):
        return list(args[0])
    return list(args)


# ---------------------------------------------------------------------------- documents

class _Doc(_Recorder):
    """A builder of one spec document."""

    KIND = ""

    def __init__(self, name: str):
        pos = _here()
        self._pos0 = pos
        self._t = _Tree({"kind": self.KIND, "name": name}, {(): pos, ("kind",): pos, ("name",): pos})
        self._envs: list[tuple[str, tuple]] = []
        if not getattr(_tls, "internal", False):
            _register(self)

    @property
    def name(self) -> str:
        return self._t.data["name"]

    @property
    def kind(self) -> str:
        return self._t.data["kind"]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    # -- helpers
    def _set(self, path: tuple | str, value: Any) -> "_Doc":
        path = (path,) if isinstance(path, str) else path
        self._t.set(path, _plain(value, ".".join(map(str, path))), _here())
        return self

    def _merge(self, path: tuple | str, mapping: dict | None, what: str) -> "_Doc":
        path = (path,) if isinstance(path, str) else path
        if mapping is None:
            return self
        if not isinstance(mapping, dict):
            raise TypeError(f"{what}() expects a dict, got {type(mapping).__name__}")
        pos = _here()
        for k, v in mapping.items():
            if not isinstance(k, str):
                raise TypeError(f"{what}(): keys must be strings, got {k!r}")
            self._t.set(path + (k,), _plain(v, f"{'.'.join(path)}.{k}"), pos)
        return self

    def _related(self) -> list["_Doc"]:
        return []

    def _document(self, members: set[int]) -> _Tree:
        return self._t.copy()

    # -- common to every kind
    def namespace(self, namespace: str) -> "_Doc":
        """Deploy into this namespace instead of the project's."""
        return self._set("namespace", namespace)

    def add_label(self, key: str, value: str) -> "_Doc":
        return self._merge("labels", {key: value}, "add_label")

    def add_labels(self, labels: dict) -> "_Doc":
        return self._merge("labels", labels, "add_labels")

    labels = add_labels

    def add_annotation(self, key: str, value: str) -> "_Doc":
        return self._merge("annotations", {key: value}, "add_annotation")

    def add_annotations(self, annotations: dict) -> "_Doc":
        return self._merge("annotations", annotations, "add_annotations")

    annotations = add_annotations

    def for_environment(self, *environments: str) -> "_Doc":
        """Only in these environments of ``generate()`` (each name becomes an environment of
        the synthetic project). A project build refuses it: environments differ by overlays."""
        names = _listify(environments)
        if not names:
            raise TypeError("for_environment() needs an environment name")
        pos = _here()
        for e in names:
            if not isinstance(e, str) or not _DNS.match(e) or len(e) > 63:
                raise ValueError(f"for_environment({e!r}): an environment name is a DNS-1123 label "
                                 "(lower-case letters, digits and '-'), e.g. 'production'")
            if e not in [n for n, _ in self._envs]:
                self._envs.append((e, pos))
        return self

    @_unrecorded
    def to_dict(self) -> dict:
        """This builder's spec document, as a YAML spec file would hold it."""
        members = {id(b) for b in _closure([self])}
        return self._document(members).data

    @_unrecorded
    def documents(self) -> list[dict]:
        """This builder's document and those of everything attached to it."""
        return _documents(_closure([self]))

    @_unrecorded
    def generate(self):
        """Compile this builder and everything attached to it (secrets, configs, roles, the
        workloads it connects to as builders): a :class:`skyspec.generate.Generated`."""
        return _generated(self.name, [self])


class Resource(_Doc):
    """Escape hatch: any Kubernetes object, written as-is (``kind: Resource``)."""

    KIND = "Resource"

    def __init__(self, name: str, manifest: dict | None = None):
        super().__init__(name)
        if manifest is not None:
            self._set("manifest", manifest)

    def manifest(self, manifest: dict) -> "Resource":
        return self._set("manifest", manifest)


# ---------------------------------------------------------------------------- closures and documents

class _Group:
    """A set of builders (:class:`~skyspec.builders.groups.AppGroup`): a closure takes its
    members in its place."""

    _members: list


def _closure(roots: Iterable) -> list[_Doc]:
    """The builders reachable from ``roots`` (AppGroups expanded, attachments followed), in
    first-seen order, each once."""
    out: list[_Doc] = []
    seen: set[int] = set()
    stack = list(roots)[::-1]
    while stack:
        b = stack.pop()
        if id(b) in seen:
            continue
        seen.add(id(b))
        if isinstance(b, _Group):
            stack.extend(b._members[::-1])
            continue
        out.append(b)
        stack.extend(b._related()[::-1])
    return out


def _documents(builders: list[_Doc]) -> list[dict]:
    members = {id(b) for b in builders}
    return [b._document(members).data for b in builders]


def _namer(overrides: dict[str, str] | None = None):
    """raw position -> diagnostics Pos, with files shown as diagnostics show them."""
    names: dict[str, str] = dict(overrides or {})
    cache: dict = {}

    def conv(raw: tuple):
        p = cache.get(raw)
        if p is None:
            file = raw[0]
            shown = names.get(file)
            if shown is None:
                shown = names[file] = file if file.startswith("<") else shown_path(Path(file))
            p = cache[raw] = Pos(shown, raw[1], raw[2], raw[3])
        return p

    return conv


def source_docs(builders: list[_Doc], conv) -> list[SourceDoc]:
    """SourceDocs of ``builders`` (a closure); documents of one file are numbered in order."""
    members = {id(b) for b in builders}
    out = []
    counts: dict[str, int] = {}
    for b in builders:
        t = b._document(members)
        loc = t.loc(conv)
        file = loc.pos.file
        out.append(SourceDoc(file, counts.get(file, 0), t.data, loc))
        counts[file] = counts.get(file, 0) + 1
    return out


# ---------------------------------------------------------------------------- generate()
#
# Compiling needs the pipeline, which sits above the builders: skyspec.generate installs
# its Generated class here when it is imported (skyspec.api imports it, and so does every
# way to the public builders: `from skyspec import App`, `skyspec.api.App`).

_COMPILER: list = []


def _install_compiler(generated: type) -> None:
    """Called once by :mod:`skyspec.generate`: ``generated(name, roots, namespace)``
    compiles builders (see :class:`skyspec.generate.Generated`)."""
    _COMPILER[:] = [generated]


def _generated(name: str, roots: list, namespace: str = "default"):
    if not _COMPILER:
        raise RuntimeError("generate() needs the compiler: import the builders from skyspec or skyspec.api "
                           "(`from skyspec import App`)")
    return _COMPILER[0](name, roots, namespace)
