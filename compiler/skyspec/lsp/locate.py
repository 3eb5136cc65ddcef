"""What the cursor points at in a parsed document, and what a value there refers to.

:func:`hit` finds the key or scalar under a position in the :class:`~skyspec.frontend.Loc`
tree of a document parsed from the editor's text. :func:`refers_to` says what a value
names by where it stands: a spec (`connect_to` entries, `secret:`/`config:` references in
`secrets`, `volumes` and `env_from`, a stdlib component's `credentials`, an overlay's
`apps.<name>` key, a spec's own `name`),
a template (`use:`) or a file (an environment's overlay in the project file).
:func:`mentions` lists every place in the spec and overlay documents that names a given
spec, expressions (`${apps.<name>...}`) included. Positions come out as :class:`Span`s (real
path, 0-based line and character columns). This module reads parsed documents only: it must
not compile, talk the protocol or read files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from ..diagnostics import Pos
from ..frontend import Loc, SourceDoc
from ..layers.merge import split_op
from ..layers.stack import WORKLOAD_KINDS
from .state import real


@dataclass(frozen=True)
class Span:
    file: str      # real path
    line: int      # 0-based
    start: int     # 0-based character columns, end exclusive
    end: int


@dataclass
class Hit:
    doc: SourceDoc
    path: tuple
    on_key: bool
    value: Any


@dataclass(frozen=True)
class Ref:
    what: str                     # "spec" | "template" | "file"
    name: str
    kinds: tuple[str, ...] | None = None   # the kinds a spec reference may name (None: any)


def span(pos: Pos, width: int = 1) -> Span:
    """The range of a value or key written at ``pos`` (``width`` characters when the
    parser gave no end: a value spanning lines)."""
    end = pos.end - 1 if pos.end and pos.end > pos.col else pos.col - 1 + max(width, 1)
    return Span(real(pos.file), pos.line - 1, pos.col - 1, end)


def _inside(pos: Pos | None, line: int, col: int, width: int) -> bool:
    if pos is None or pos.line - 1 != line:
        return False
    end = pos.end - 1 if pos.end and pos.end > pos.col else pos.col - 1 + max(width, 1)
    return pos.col - 1 <= col <= end  # the end too: a cursor just after a word is on it


def hit(docs: list[SourceDoc], line: int, col: int) -> Hit | None:
    """The key or scalar at ``line``:``col`` (0-based) of one of ``docs``."""
    for doc in docs:
        found = _hit(doc.loc, doc.data, line, col, ())
        if found is not None:
            return Hit(doc, found[0], found[1], found[2])
    return None


def _hit(loc: Loc | None, data: Any, line: int, col: int, path: tuple):
    if loc is None:
        return None
    if isinstance(data, dict):
        for k, v in data.items():
            if _inside(loc.key_pos(k), line, col, len(str(k))):
                return path + (k,), True, v
            found = _hit(loc.child(k), v, line, col, path + (k,))
            if found is not None:
                return found
        return None
    if isinstance(data, list):
        for i, v in enumerate(data):
            found = _hit(loc.child(i), v, line, col, path + (i,))
            if found is not None:
                return found
        return None
    if _inside(loc.pos, line, col, len(str(data))):
        return path, False, data
    return None


def role(doc: SourceDoc, overlay: bool, project: bool) -> str:
    if project:
        return "project"
    if overlay:
        return "overlay"
    return "spec" if isinstance(doc.data, dict) and isinstance(doc.data.get("kind"), str) else "other"


def spec_path(path: tuple, kind: str) -> tuple[str | None, tuple] | None:
    """For a path in an overlay (``kind`` "overlay"): the spec an `apps.<name>` entry patches
    and the path inside it; for a spec document: (None, path). Operator suffixes are dropped,
    and an item of a list appended to or removed from (`args+: [a]`, `env-: [A]`) stands
    for the whole list: its place in the merged list is not its place in the patch."""
    if kind == "overlay":
        if len(path) >= 2 and path[0] == "apps" and isinstance(path[1], str):
            return path[1], merged_path(path[2:])
        return None
    if kind == "spec":
        return None, merged_path(path)
    return None


def merged_path(path: tuple) -> tuple:
    """A path written in a layer (`args+`, 0) as the merged value's path (`args`)."""
    out: list = []
    for i, p in enumerate(path):
        if not isinstance(p, str):
            out.append(p)
            continue
        key, op = split_op(p)
        out.append(key)
        if op in ("+", "-") and i + 1 < len(path) and isinstance(path[i + 1], int):
            break
    return tuple(out)


def field_ref(path: tuple, value: Any) -> Ref | None:
    """What a value at ``path`` inside a spec (or a patch of one) names."""
    if not isinstance(value, str) or not path:
        return None
    keys = [split_op(p)[0] if isinstance(p, str) else p for p in path]
    last = keys[-1]
    if len(keys) >= 2 and keys[-2] == "connect_to" and isinstance(last, int):
        return Ref("spec", value, WORKLOAD_KINDS)
    if keys == ["use"]:
        return Ref("template", value)
    if keys == ["credentials"]:  # the stdlib components' parameter naming a Secret
        return Ref("spec", value, ("Secret",))
    holders = {"secrets", "volumes", "env_from"}
    if last == "secret" and holders & {k for k in keys if isinstance(k, str)}:
        return Ref("spec", value, ("Secret",))
    if last == "config" and {"volumes", "env_from", "configs"} & {k for k in keys if isinstance(k, str)}:
        return Ref("spec", value, ("ConfigMap",))
    return None


def refers_to(doc: SourceDoc, kind: str, path: tuple, on_key: bool, value: Any) -> Ref | None:
    """What the key or value at ``path`` of ``doc`` names, if anything."""
    if kind == "project":
        if len(path) == 4 and path[0] in ("environments", "targets") and path[2] == "overlays" \
                and not on_key and isinstance(value, str):
            return Ref("file", value)
        return None
    if kind == "overlay":
        if len(path) == 2 and path[0] == "apps" and on_key and isinstance(path[1], str):
            return Ref("spec", path[1], None)
        inner = patch_path(path)
        return None if inner is None or on_key else field_ref(inner, value)
    if kind == "spec":
        if path == ("name",) and not on_key and isinstance(value, str):
            return Ref("spec", value, (doc.data.get("kind"),))
        return None if on_key else field_ref(path, value)
    return None


def lines_of(doc: SourceDoc, path: tuple) -> tuple[int, int] | None:
    """The first and last 1-based lines of the entry at ``path`` of ``doc`` (its key and its
    whole value), or None."""
    loc = doc.loc.find(path) if doc.loc is not None else None
    if loc is None:
        return None
    parent = doc.loc.find(path[:-1]) if path else None
    key = parent.key_pos(path[-1]) if parent is not None else None
    lines = [p.line for _, _, sub in _walk(loc, _value_at(doc.data, path)) if sub is not None
             for p in [sub.pos] if p is not None]
    if key is not None:
        lines.append(key.line)
    return (min(lines), max(lines)) if lines else None


def _value_at(data: Any, path: tuple) -> Any:
    for p in path:
        data = data[p] if isinstance(data, (dict, list)) else None
    return data


def patch_path(path: tuple) -> tuple | None:
    """The path inside the patch an overlay path is in (`apps.x.…`, `all.…`, `match[i].patch.…`)."""
    if len(path) >= 2 and path[0] == "apps":
        return path[2:]
    if path[:1] in (("all",), ("defaults",)):
        return path[1:]
    if len(path) >= 3 and path[0] == "match" and path[2] == "patch":
        return path[3:]
    return None


def _walk(loc: Loc | None, data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any, Loc | None]]:
    yield path, data, loc
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _walk(loc.child(k) if loc else None, v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk(loc.child(i) if loc else None, v, path + (i,))


def _names(ref: Ref, target: SourceDoc) -> bool:
    kind, name = target.data.get("kind"), target.data.get("name")
    bare_kind, _, bare = ref.name.rpartition("/")
    return bare == name and (not bare_kind or bare_kind == kind) and (ref.kinds is None or kind in ref.kinds)


def mentions(target: SourceDoc, specs: list[SourceDoc], overlays: list[SourceDoc],
             declaration: bool = True) -> list[Span]:
    """Every place naming the spec ``target``: its own `name` (with ``declaration``),
    references from other specs and from overlay patches, overlay `apps` keys and
    `${apps.<name>...}` expressions."""
    name = target.data.get("name")
    expr = re.compile(r"\$\{[^}]*\bapps\.(" + re.escape(str(name)) + r")\b") if isinstance(name, str) else None
    out: list[Span] = []
    for doc, kind in [(d, "spec") for d in specs] + [(d, "overlay") for d in overlays]:
        for path, value, loc in _walk(doc.loc, doc.data):
            if loc is None:
                continue
            if kind == "overlay" and len(path) == 2 and path[0] == "apps":
                parent = doc.loc.child("apps")
                ref = Ref("spec", str(path[1]), None)
                if _names(ref, target) and parent is not None and parent.key_pos(path[1]) is not None:
                    out.append(span(parent.key_pos(path[1]), len(str(path[1]))))
            if not isinstance(value, str):
                continue
            ref = refers_to(doc, kind, path, False, value)
            if ref is not None and ref.what == "spec" and _names(ref, target):
                if path == ("name",) and (doc is not target or not declaration):
                    continue
                out.append(span(loc.pos, len(value)))
            elif expr is not None and expr.search(value) and target.data.get("kind") in WORKLOAD_KINDS:
                out.append(span(loc.pos, len(value)))
    return list(dict.fromkeys(out))
