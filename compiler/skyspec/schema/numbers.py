"""Whole numbers written as floats, made integers where the schema asks for an integer.

JSON Schema counts `3.0` and `1.0e+2` as integers, so `replicas: 3.0` passes validation; left
as floats they would be emitted as `replicas: 3.0` (which the API server's decoder refuses
for an int32 field) and would break integer arithmetic in the lowering and the passes
(`range()`, exact fractions). After a document has passed its kind's schema, this walks
it beside the schema and turns every float with no fractional part into an `int` where the
schema allows `integer` and not `number`. It changes nothing else: strings, real fractions
and fields typed `number` keep their values. It must not report anything: the document is
valid when it gets here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator

from .validate import load_schema

_BRANCHES = ("allOf", "anyOf", "oneOf", "then", "else")


def has_whole_float(data: Any) -> bool:
    """Whether ``data`` holds a float with no fractional part anywhere (the cheap test that
    lets the common document, with none, skip the schema walk). A loop over a stack, not a
    recursion: it visits every value of every document."""
    todo = [data]
    pop, more = todo.pop, todo.extend
    while todo:
        v = pop()
        if isinstance(v, dict):
            more(v.values())
        elif isinstance(v, list):
            more(v)
        elif isinstance(v, float) and v.is_integer():
            return True
    return False


def whole_numbers(data: Any, schema_name: str) -> None:
    """Turn, in place, whole floats into ints where ``schema_name`` types them `integer`."""
    if has_whole_float(data):
        root = _schema(schema_name)
        _walk(data, [root], root)


@lru_cache(maxsize=None)
def _schema(name: str) -> dict:
    return load_schema(name)


def _resolve(s: Any, root: dict) -> Iterator[dict]:
    """``s`` and every branch schema that applies at the same place, with `$ref`s followed."""
    if not isinstance(s, dict):
        return
    ref = s.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        yield from _resolve(node, root)
    yield s
    for key in _BRANCHES:
        sub = s.get(key)
        for b in sub if isinstance(sub, list) else [sub]:
            yield from _resolve(b, root)


def _types(schemas: list[dict]) -> set[str]:
    out: set[str] = set()
    for s in schemas:
        t = s.get("type")
        out.update(t if isinstance(t, list) else [t] if isinstance(t, str) else [])
    return out


def _children(schemas: list[dict], key: Any) -> list[dict]:
    out = []
    for s in schemas:
        props = s.get("properties")
        if isinstance(props, dict) and key in props:
            out.append(props[key])
        elif isinstance(s.get("additionalProperties"), dict):
            out.append(s["additionalProperties"])
    return out


def _walk(node: Any, at: list, root: dict) -> Any:
    schemas = [r for s in at for r in _resolve(s, root)]
    if isinstance(node, float):
        types = _types(schemas)
        if node.is_integer() and "integer" in types and "number" not in types:
            return int(node)
        return node
    if isinstance(node, dict):
        for k, v in node.items():
            sub = _children(schemas, k)
            if sub:
                new = _walk(v, sub, root)
                if new is not v:
                    node[k] = new
    elif isinstance(node, list):
        items = [s["items"] for s in schemas if isinstance(s.get("items"), dict)]
        if items:
            for i, v in enumerate(node):
                new = _walk(v, items, root)
                if new is not v:
                    node[i] = new
    return node
