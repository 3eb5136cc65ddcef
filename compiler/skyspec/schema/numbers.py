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


def whole_numbers(data: Any, schema_name: str) -> None:
    """Turn, in place, whole floats into ints where ``schema_name`` types them `integer`.
    Only the parts of ``data`` where the schema has an `integer` somewhere beneath are
    visited (:meth:`_Node.below`): most of a document (names, images, env, labels) is not."""
    _convert(data, _top(schema_name))


@lru_cache(maxsize=None)
def _schema(name: str) -> dict:
    return load_schema(name)


@lru_cache(maxsize=None)
def _top(name: str) -> "_Node":
    root = _schema(name)
    return _node([root], root)


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


_UNSET: Any = object()
_NODES: dict[tuple, "_Node"] = {}  # (ids of the schemas at a place) -> its node; the schemas are cached


def _node(at: list, root: dict) -> "_Node":
    key = tuple(map(id, at))
    got = _NODES.get(key)
    if got is None:
        got = _NODES[key] = _Node(at, root)
    return got


class _Node:
    """The schemas that apply at one place of a document (``at``, with their `$ref`s and
    branches): whether a whole float there becomes an int, and the nodes of its keys and
    items, made when first asked for."""

    __slots__ = ("at", "root", "schemas", "convert", "props", "_kids", "_extra", "_items", "_below")

    def __init__(self, at: list, root: dict):
        self.at, self.root = at, root  # (held: their ids are the key of this node)
        self.schemas = schemas = [r for s in at for r in _resolve(s, root)]
        types = _types(schemas)
        self.convert = "integer" in types and "number" not in types
        self.props = frozenset(k for s in schemas if isinstance(s.get("properties"), dict) for k in s["properties"])
        self._kids: dict = {}
        self._extra = self._items = _UNSET
        self._below: bool | None = None

    def _make(self, at: list) -> "_Node | None":
        return _node(at, self.root) if at else None

    def child(self, key: Any) -> "_Node | None":
        """The node of ``key`` of a map here (None: no schema for it)."""
        if key in self.props:
            got = self._kids.get(key, _UNSET)
            if got is _UNSET:
                got = self._kids[key] = self._make(_children(self.schemas, key))
            return got
        if self._extra is _UNSET:  # every other key has the same schemas: `additionalProperties`
            self._extra = self._make(_children(self.schemas, key))
        return self._extra

    def items(self) -> "_Node | None":
        """The node of the items of a list here (None: no schema for them)."""
        if self._items is _UNSET:
            self._items = self._make([s["items"] for s in self.schemas if isinstance(s.get("items"), dict)])
        return self._items

    def below(self) -> bool:
        """Whether a float here or anywhere beneath can become an int (True while being
        found out: a recursive schema is then walked, as it would be without this)."""
        if self._below is None:
            self._below = True
            kids = [self.child(k) for k in self.props] + [self.child(_UNSET), self.items()]
            self._below = self.convert or any(k is not None and k.below() for k in kids)
        return self._below


def _convert(node: Any, at: _Node) -> Any:
    if isinstance(node, float):
        return int(node) if at.convert and node.is_integer() else node
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, (dict, list, float)):
                sub = at.child(k)
                if sub is not None and sub.below():
                    new = _convert(v, sub)
                    if new is not v:
                        node[k] = new
    elif isinstance(node, list):
        sub = at.items()
        if sub is not None and sub.below():
            for i, v in enumerate(node):
                if isinstance(v, (dict, list, float)):
                    new = _convert(v, sub)
                    if new is not v:
                        node[i] = new
    return node
