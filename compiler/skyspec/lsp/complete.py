"""Completion: keys and values from the schemas, at the cursor's YAML path.

:func:`complete` reads the cursor (:mod:`.yamlpath`), picks the schema of what is edited
(the spec's `kind`, plus its `use:` template's parameters; the project file; an overlay,
whose `apps.<name>` patches take the named spec's kind and whose `all`, `defaults` and
`match` patches take every workload kind's), walks it down the path (:mod:`.schemanav`) and
offers the keys of the mapping there, or the enum, const and boolean values of the field
being written. Where a value names a spec (`connect_to` items, `secret:`/`config:`
references) or a template (`use:`), the project's names are offered. Items are plain
:class:`Item`s; this module must not talk the protocol nor compile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..layers.merge import split_op
from ..layers.stack import WORKLOAD_KINDS
from ..schema.validate import KINDS
from . import schemanav as nav
from .locate import field_ref
from .state import Compilation
from .yamlpath import Cursor, cursor_at, top_value


@dataclass
class Item:
    label: str
    kind: str            # "key" | "value" | "name"
    insert: str
    detail: str = ""
    doc: str = ""


def complete(text: str, line: int, col: int, role: str, comp: Compilation | None) -> tuple[Cursor | None, list[Item]]:
    cur = cursor_at(text, line, col)
    if cur is None:
        return None, []
    lines = text.split("\n")
    nodes, path = _schema(lines, cur, role, comp)
    items: list[Item] = []
    if cur.mode == "key":
        items = _keys(nav.walk(nodes, path))
    elif cur.mode == "value":
        assert cur.key is not None
        here = nav.walk(nodes, path + (cur.key,))
        items = _values(here)
        if role == "spec" and path == () and cur.key == "kind":
            items = [Item(k, "value", k, "kind") for k in KINDS]
        items += _names(path + (cur.key,), comp)
    else:  # an item of a sequence: a scalar, or the first key of a mapping
        here = nav.walk(nodes, path + (0,))
        items = _values(here) + _names(path + (0,), comp)
        if nav.is_mapping(here):
            items += _keys(here)
    return cur, items


def _schema(lines: list[str], cur: Cursor, role: str, comp: Compilation | None) -> tuple[list, tuple]:
    """The schema nodes of the document being edited, and the path to walk in them."""
    path = cur.path
    if role == "project":
        return nav.roots(file="project.json"), path
    if role == "overlay":
        keys = tuple(split_op(k)[0] if isinstance(k, str) else k for k in path)
        if len(keys) >= 2 and keys[0] == "apps":
            target = comp.find(str(keys[1])) if comp is not None else None
            kind = target.data.get("kind") if target is not None else "*"
            return nav.roots(kind) + _params(target.data.get("use") if target else None, comp), keys[2:]
        if keys[:1] in (("all",), ("defaults",)):
            return nav.roots("*"), keys[1:]
        if len(keys) >= 3 and keys[0] == "match" and keys[2] == "patch":
            return nav.roots("*"), keys[3:]
        return nav.roots(file="overlay.json"), keys
    kind = top_value(lines, cur.doc_lines, "kind")
    if kind is None:
        return [({}, {"properties": {"kind": {"enum": list(KINDS), "description": "The kind of spec."}}})], path
    return nav.roots(kind) + _params(top_value(lines, cur.doc_lines, "use"), comp), path


def _params(use: str | None, comp: Compilation | None) -> list:
    if not use or comp is None:
        return []
    t = comp.template(use)
    return nav.params(t.params) if t is not None and t.params else []


def _keys(nodes: list) -> list[Item]:
    return [Item(name, "key", f"{name}: ", _first(desc), desc) for name, desc in nav.keys(nodes).items()]


def _values(nodes: list) -> list[Item]:
    out = []
    for v, desc in nav.values(nodes).items():
        text = ("true" if v else "false") if isinstance(v, bool) else str(v)
        out.append(Item(text, "value", text, _first(desc), desc))
    return out


def _names(path: tuple, comp: Compilation | None) -> list[Item]:
    """Names of the project's specs or of the stdlib templates, where a value names one."""
    if comp is None:
        return []
    ref = field_ref(path, "")
    if ref is None:
        return []
    if ref.what == "template":
        from ..layers.templates import stdlib_names

        return [Item(n, "name", n, "stdlib template") for n in stdlib_names()]
    kinds = ref.kinds or WORKLOAD_KINDS
    seen: dict[str, Any] = {}
    for d in comp.docs:
        if d.data.get("kind") in kinds:
            seen.setdefault(d.data["name"], d.data["kind"])
    return [Item(n, "name", n, k) for n, k in seen.items()]


def _first(desc: str) -> str:
    first = desc.split(". ")[0].strip()
    return first if len(first) <= 80 else first[:79] + "…"
