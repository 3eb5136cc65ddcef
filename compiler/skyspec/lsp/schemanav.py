"""Walking the published JSON Schemas (`schemas/`) down a path, for completion.

A location in a document is a set of schema nodes (a field may be one of several shapes:
`expose` is `true` or a map, `strategy` a name or a map), each paired with the schema
document its `$ref`s resolve in. :func:`roots` gives the nodes for a kind (or the project
file, or an overlay), :func:`step` follows one key or item index (a key's operator suffix,
`env+`, is ignored), and :func:`keys` and :func:`values` list what may be written there:
property names with their descriptions, and enum, const and boolean values. Schemas are read
through :func:`skyspec.schema.validate.load_schema`, the files the validator uses. This
module only reads schemas: it must not look at projects, documents or editor state.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from ..layers.merge import split_op
from ..layers.stack import WORKLOAD_KINDS
from ..schema.validate import KINDS, load_schema

Node = tuple[dict, dict]   # (the schema document, a node inside it)


def roots(kind: str | None = None, file: str | None = None) -> list[Node]:
    """The schema of a spec of ``kind``, or of ``file`` (`project.json`, `overlay.json`);
    `*` is every workload kind at once (an overlay's `all:` patch)."""
    names = [file] if file else [KINDS[k] for k in WORKLOAD_KINDS] if kind == "*" else \
        [KINDS[kind]] if kind in KINDS else []
    out = []
    for name in names:
        doc = load_schema(name)
        out.append((doc, doc))
    return out


def params(schema: dict) -> list[Node]:
    """A template's `params` (name -> JSON Schema) as a node: fields the spec may set."""
    doc = {"type": "object", "properties": dict(schema)}
    return [(doc, doc)]


def _deref(doc: dict, node: Any, depth: int = 0) -> Iterable[dict]:
    """``node`` and the branches it may take (`$ref`, `anyOf`, `oneOf`, `allOf`), flattened."""
    if not isinstance(node, dict) or depth > 20:
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        yield from _deref(doc, target, depth + 1)
    yield node
    for comb in ("anyOf", "oneOf", "allOf"):
        for branch in node.get(comb) or ():
            yield from _deref(doc, branch, depth + 1)


def expand(nodes: Iterable[Node]) -> list[Node]:
    return [(doc, n) for doc, node in nodes for n in _deref(doc, node)]


def step(nodes: Iterable[Node], key: Any) -> list[Node]:
    out = []
    if isinstance(key, str):
        key = split_op(key)[0]
    for doc, n in expand(nodes):
        if isinstance(key, int):
            items = n.get("items")
            if isinstance(items, dict):
                out.append((doc, items))
            continue
        props = n.get("properties") or {}
        if key in props:
            out.append((doc, props[key]))
            continue
        pats = [s for p, s in (n.get("patternProperties") or {}).items() if re.search(p, str(key))]
        if pats:
            out.extend((doc, s) for s in pats)
        elif isinstance(n.get("additionalProperties"), dict):
            out.append((doc, n["additionalProperties"]))
    return out


def walk(nodes: Iterable[Node], path: Iterable[Any]) -> list[Node]:
    cur = list(nodes)
    for key in path:
        cur = step(cur, key)
        if not cur:
            break
    return cur


def keys(nodes: Iterable[Node]) -> dict[str, str]:
    """Property name -> description, of every shape a mapping at ``nodes`` may take."""
    out: dict[str, str] = {}
    for doc, n in expand(nodes):
        for name, sub in (n.get("properties") or {}).items():
            if name not in out or not out[name]:
                out[name] = description(doc, sub)
    return out


def values(nodes: Iterable[Node]) -> dict[Any, str]:
    """Value -> description: enum members, consts and booleans a scalar at ``nodes`` may be."""
    out: dict[Any, str] = {}
    for doc, n in expand(nodes):
        desc = n.get("description", "")
        for v in n.get("enum") or ():
            if isinstance(v, (str, int, float, bool)):
                out.setdefault(v, desc)
        if "const" in n and isinstance(n["const"], (str, int, float, bool)):
            out.setdefault(n["const"], desc)
        t = n.get("type")
        if t == "boolean" or isinstance(t, list) and "boolean" in t:
            out.setdefault(True, desc)
            out.setdefault(False, desc)
    return out


def is_mapping(nodes: Iterable[Node]) -> bool:
    return any(n.get("type") == "object" or "properties" in n for _, n in expand(nodes))


def description(doc: dict, node: Any) -> str:
    for n in _deref(doc, node):
        if n.get("description"):
            return str(n["description"])
    return ""
