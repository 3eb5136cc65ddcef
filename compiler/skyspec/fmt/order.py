"""Key order for `skyspec fmt`, read from the language's JSON Schemas.

A :class:`Shape` says in which order the keys of one mapping go and what shape each value
has. It is built from the published schemas (`schemas/*.json`, through
:func:`skyspec.schema.validate.load_schema`), whose `properties` list every field in the
order the language defines it: a spec document follows its kind's schema, nested maps their
field's (`$ref`, `anyOf`, `oneOf` and `allOf` branches are looked through; `if`/`then` are
not); the project file follows `project.json`; an overlay has its sections in the order
`all`, `match`, `apps`, `defaults`, `settings`, and a patch the fields of every workload kind
(their schemas' orders merged), a key's operator suffix (`args+`, `resources!`, `env-`)
ignored for its place. Maps keyed by names (`env`, `ports`, `volumes`, `apps`,
`environments`...) have no declared properties and keep the author's order, which can mean
something (the order of environment variables). :func:`order_keys` keeps a key the schema does
not know (a template parameter, a misspelling) right after the known key it followed. Nothing
here reads a spec or writes anything.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

from ..layers.merge import split_op
from ..schema.validate import KINDS, load_schema

OVERLAY_SECTIONS = ("all", "match", "apps", "defaults", "settings")


class Shape:
    """The declared keys of a mapping, in order, and the shape of each value."""

    order: tuple[str, ...] = ()

    def child(self, key: str) -> "Shape | None":
        return None

    def items(self) -> "Shape | None":
        return None


class _Schema(Shape):
    """A JSON Schema node (of the document ``root``, for `$ref`)."""

    def __init__(self, node: dict, root: dict):
        props: dict[str, list[dict]] = {}
        extra: list[dict] = []
        items: list[dict] = []
        for n in _branches(node, root):
            for k, v in (n.get("properties") or {}).items():
                if isinstance(v, dict):
                    props.setdefault(k, []).append(v)
            ap = n.get("additionalProperties")
            if isinstance(ap, dict):
                extra.append(ap)
            for pp in (n.get("patternProperties") or {}).values():
                if isinstance(pp, dict):
                    extra.append(pp)
            it = n.get("items")
            if isinstance(it, dict):
                items.append(it)
        self.root = root
        self.order = tuple(props)
        self._props = props
        self._extra = extra
        self._items = items

    def child(self, key: str) -> Shape | None:
        nodes = self._props.get(key) or self._extra
        return _union(nodes, self.root)

    def items(self) -> Shape | None:
        return _union(self._items, self.root)


def _union(nodes: list[dict], root: dict) -> Shape | None:
    if not nodes:
        return None
    return _Schema(nodes[0] if len(nodes) == 1 else {"anyOf": nodes}, root)


def _branches(node: Any, root: dict, seen: tuple = ()) -> Iterable[dict]:
    """``node`` and every schema it stands for through `$ref`, `anyOf`, `oneOf`, `allOf`."""
    if not isinstance(node, dict) or id(node) in seen:
        return
    seen = seen + (id(node),)
    yield node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        yield from _branches(target, root, seen)
    for kw in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(kw) or ():
            yield from _branches(sub, root, seen)


class _Fixed(Shape):
    """A mapping whose keys and their shapes are listed here."""

    def __init__(self, fields: dict[str, Shape | None], items: Shape | None = None):
        self.order = tuple(fields)
        self._fields = fields
        self._items = items

    def child(self, key: str) -> Shape | None:
        return self._fields.get(key)

    def items(self) -> Shape | None:
        return self._items


class _Named(Shape):
    """A map keyed by names (order kept), every value of one shape."""

    def __init__(self, value: Shape | None):
        self._value = value

    def child(self, key: str) -> Shape | None:
        return self._value


class _Patch(Shape):
    """An overlay patch: the fields of every workload kind, keys with their operator suffix."""

    def __init__(self, kinds: list[_Schema]):
        merged: list[str] = []
        for s in kinds:
            prev = None
            for k in s.order:
                if k not in merged:
                    merged.insert(merged.index(prev) + 1 if prev is not None else len(merged), k)
                prev = k
        self.order = tuple(merged)
        self._kinds = kinds

    def child(self, key: str) -> Shape | None:
        base, op = split_op(key)
        if op == "-":  # a list of names to remove
            return None
        for s in self._kinds:
            if base in s.order:
                return s.child(base)
        return None


def base_key(key: str) -> str:
    """The key without its operator suffix, for its place in the order."""
    return split_op(key)[0]


@lru_cache(maxsize=None)
def schema_shape(name: str) -> Shape:
    schema = load_schema(name)
    return _Schema(schema, schema)


def spec_shape(kind: Any) -> Shape | None:
    """The shape of a spec document of ``kind`` (None for a kind skyspec does not know)."""
    name = KINDS.get(kind) if isinstance(kind, str) else None
    return schema_shape(name) if name else None


@lru_cache(maxsize=None)
def patch_shape() -> Shape:
    names = list(dict.fromkeys(KINDS.values()))
    return _Patch([schema_shape(n) for n in names])  # type: ignore[misc]


@lru_cache(maxsize=None)
def overlay_shape() -> Shape:
    ov = schema_shape("overlay.json")
    match = ov.child("match")
    where = match.items().child("where") if match is not None and match.items() is not None else None
    item = _Fixed({"where": where, "patch": patch_shape(), "optional": None})
    return _Fixed({"all": patch_shape(), "match": _Fixed({}, item), "apps": _Named(patch_shape()),
                   "defaults": patch_shape(), "settings": None})


def project_shape() -> Shape:
    return schema_shape("project.json")


def order_keys(keys: list[str], shape: Shape | None) -> list[str]:
    """``keys`` in the shape's order. A key the shape does not declare stays right after the
    declared key it followed (keys before the first declared one stay first); without declared
    keys the order is kept."""
    if shape is None or not shape.order:
        return list(keys)
    rank = {k: i for i, k in enumerate(shape.order)}
    groups: list[tuple[int, list[str]]] = [(-1, [])]
    for k in keys:
        r = rank.get(base_key(k))
        if r is None:
            groups[-1][1].append(k)
        else:
            groups.append((r, [k]))
    groups.sort(key=lambda g: g[0])  # stable: keys of one rank (`env`, `env+`) keep their order
    return [k for _, ks in groups for k in ks]
