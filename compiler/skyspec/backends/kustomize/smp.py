"""Strategic-merge patches: the smallest patch that turns one version of an object into
another, and a model of how Kustomize applies it, to prove the patch exact.

A patch holds only what changes: a changed or added key with its value, a removed key as
``null``; a list Kustomize merges by key (:mod:`.schema`: containers, env, ports, volumes,
volumeMounts...) as the items that change, matched by their key, with ``$patch: delete`` for
removed items; any other list whole. Kustomize puts the patch's items of a merged list first,
in the patch's order, then the other items in their order (for lists with two keys, such as
ports: the new items first, then the old ones in their order), so a patch names, key only, the
unchanged items it must move to keep the target's order. Where a list cannot be merged into
the target's order, or an item of it must be replaced whole (Kustomize would keep the old
item), the list is replaced (``- $patch: replace``); any other mapping whose value changes
type is replaced whole (``$patch: replace``).

:func:`apply` is Kustomize's merge (kyaml ``merge2`` with the patch's new items first) for the
shapes :func:`diff` writes; it raises :class:`Inexpressible` for anything else (a value set
to null, a merged list with duplicate or missing keys, a list of scalars merged by value), and
the caller falls back to a JSON 6902 patch. Pure functions of plain data; nothing here reads
or writes files.
"""

from __future__ import annotations

from typing import Any

from ..common import NESTED, same, same_types
from .schema import Merged, child, root

DIRECTIVE = "$patch"


class Inexpressible(Exception):
    """No strategic-merge patch gives exactly the target."""


def _same_noted(a: Any, b: Any, known: set) -> bool:
    """:func:`same`, noting in ``known`` a pair of mappings or lists found the same."""
    if not same(a, b):
        return False
    if type(a) in NESTED:
        known.add((id(a), id(b)))
    return True



# ---------------------------------------------------------------------- keys of merged lists

def _scalar_text(v: Any) -> str | None:
    """A merge key's value as Kustomize compares it (the YAML scalar's text), or None when it
    is not a usable key (missing, empty, not a string or an integer)."""
    if type(v) is str:
        return v or None
    if type(v) is int:
        return str(v)
    return None


def _key(item: Any, keys: tuple[str, ...]) -> tuple | None:
    if type(item) is not dict or not item:
        return None
    if len(keys) == 1:              # most merged lists (containers, env, volumes...): no generator
        v = _scalar_text(item.get(keys[0]))
        return None if v is None else (v,)
    out = tuple(_scalar_text(item.get(k)) for k in keys)
    return None if None in out else out


def _keyed(items: Any, keys: tuple[str, ...], directives: bool = False, memo: dict | None = None
           ) -> dict[tuple, Any] | None:
    """Items by key, when every item is a mapping with every key and the keys are distinct
    (else Kustomize's merge of the list is not modelled here). ``memo`` (see
    :func:`expressible`) keeps the answer for a list of the object before."""
    if memo is not None:
        got = memo.get((id(items), keys))
        if got is None or got[0] is not items:
            got = memo[(id(items), keys)] = (items, _keyed(items, keys, directives))
        return got[1]
    if type(items) is not list or not keys:
        return None
    out: dict[tuple, Any] = {}
    for item in items:
        k = _key(item, keys)
        if k is None or k in out or (not directives and DIRECTIVE in item):
            return None
        out[k] = item
    return out


# ---------------------------------------------------------------------- the patch

_SAME = object()


def diff(pre: dict, post: dict, known: set | None = None, memo: dict | None = None) -> dict | None:
    """The strategic-merge patch body (identity not included) that turns object ``pre`` into
    ``post``, or None when they are the same. Raises :class:`Inexpressible`. ``known``
    collects the pairs of mappings and lists (by id: pre's, post's) found the same, which
    the patch leaves alone; ``memo``: see :func:`expressible`."""
    schema = root(pre)
    try:
        got = _diff(pre, post, schema, set() if known is None else known, memo)
    except _TypeChange:
        return {DIRECTIVE: "replace", **post}
    return None if got is _SAME else got


class _TypeChange(Exception):
    pass


def _diff(a: Any, b: Any, schema: Any, known: set, memo: dict | None) -> Any:
    if _same_noted(a, b, known):
        return _SAME
    return _differ(a, b, schema, known, memo)


def _differ(a: Any, b: Any, schema: Any, known: set, memo: dict | None) -> Any:
    """:func:`_diff` of two values not :func:`same`."""
    if type(a) is dict and type(b) is dict:
        p: dict = {}
        for k in a:
            if k not in b:
                p[k] = None
        sub = schema if type(schema) is dict else None
        for k, v in b.items():
            if k not in a:
                p[k] = v
                continue
            x = a[k]
            t = type(x)
            if t is type(v):
                if t is not dict and t is not list:    # a scalar: itself or b's
                    if x is not v and x != v:
                        p[k] = v
                    continue
                if x is v or x == v and same_types(x, v):    # most of an object: _same_noted inline
                    known.add((id(x), id(v)))
                    continue
            try:
                d = (_differ if t is type(v) else _diff)(x, v, child(sub, k, v), known, memo)
            except _TypeChange:
                return {DIRECTIVE: "replace", **b}
            if d is not _SAME:
                p[k] = d
        return p if p else _SAME
    if type(a) is list and type(b) is list:
        if isinstance(schema, Merged):
            return _diff_merged(a, b, schema, known, memo)
        return b
    if a is None or b is None:
        return b            # to null: the check in apply() refuses it
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        raise _TypeChange
    return b


def _diff_merged(a: list, b: list, schema: Merged, known: set, memo: dict | None) -> list:
    keys = schema.keys
    old, new = _keyed(a, keys, memo=memo), _keyed(b, keys)
    if old is None or new is None:
        return [{DIRECTIVE: "replace"}] + b
    deletes = [{**{k: x[k] for k in keys}, DIRECTIVE: "delete"} for kx, x in old.items() if kx not in new]
    order_b = list(new)
    if len(keys) == 1:
        # the patch's items come first: find the longest tail of b that is a's unchanged
        # items in a's order; every item before it goes in the patch
        pos = {k: i for i, k in enumerate(old)}
        s, last = len(order_b), len(a)
        while s > 0:
            k = order_b[s - 1]
            if k not in old or pos[k] >= last or not _same_noted(old[k], new[k], known):
                break
            s, last = s - 1, pos[k]
        head = order_b[:s]
    else:
        # new items come first, then a's items (merged) in a's order
        added = [k for k in order_b if k not in old]
        kept = [k for k in old if k in new]
        if order_b != added + kept:
            return [{DIRECTIVE: "replace"}] + b
        head = added + [k for k in kept if not _same_noted(old[k], new[k], known)]
    items = []
    for k in head:
        x = new[k]
        if k not in old:
            items.append(x)
            continue
        d = _diff(old[k], x, schema.item, known, memo)
        if d is _SAME:
            d = {}
        if DIRECTIVE in d:
            # Kustomize keeps the old item when the patch replaces it: replace the list
            return [{DIRECTIVE: "replace"}] + b
        items.append({**{kk: x[kk] for kk in keys}, **d})
    return items + deletes


# ---------------------------------------------------------------------- Kustomize's merge

_DELETED = object()


def apply(obj: dict, patch: dict, memo: dict | None = None) -> dict | None:
    """``obj`` as Kustomize leaves it after the strategic-merge ``patch`` (None: deleted).
    Raises :class:`Inexpressible` where this model does not know Kustomize's result.
    ``memo``: see :func:`expressible`."""
    got = _merge(obj, patch, root(obj), memo)
    return None if got is _DELETED else got


def _directive(patch: dict) -> str | None:
    d = patch.get(DIRECTIVE)
    if d is None:
        return None
    if d not in ("replace", "delete"):
        raise Inexpressible
    return d


def _merge(dest: Any, patch: Any, schema: Any, memo: dict | None) -> Any:
    if type(patch) is dict:
        d = _directive(patch)
        body = {k: v for k, v in patch.items() if k != DIRECTIVE} if DIRECTIVE in patch else patch    # read only
        if d == "delete":
            return _DELETED
        if dest is None or d == "replace":
            return _added(body, schema)
        if type(dest) is not dict:
            raise Inexpressible
        out = {}
        sub = schema if type(schema) is dict else None
        for k, v in dest.items():
            if k not in body:
                out[k] = _untouched(v, child(sub, k, v), memo)
        for k, v in body.items():
            if v is None:
                out.pop(k, None)
                continue
            got = _merge(dest.get(k), v, child(sub, k, dest.get(k) if k in dest else v), memo)
            if got is _DELETED:
                out.pop(k, None)
            else:
                out[k] = got
        return out
    if type(patch) is list:
        if not isinstance(schema, Merged):
            if any(type(x) is dict and DIRECTIVE in x for x in patch):
                raise Inexpressible
            return patch
        return _merge_list(dest, patch, schema, memo)
    if isinstance(dest, (dict, list)):
        raise Inexpressible
    return patch


def _merge_list(dest: Any, patch: list, schema: Merged, memo: dict | None) -> Any:
    keys = schema.keys
    directive = [x for x in patch if type(x) is dict and len(x) == 1 and DIRECTIVE in x]
    if directive:
        if len(directive) > 1 or directive[0][DIRECTIVE] != "replace":
            raise Inexpressible
        return _added([x for x in patch if x is not directive[0]], schema)
    if dest is None:
        return _added(patch, schema)
    old = _keyed(dest, keys, memo=memo)
    items = _keyed(patch, keys, directives=True)
    if old is None or items is None:
        raise Inexpressible
    merged: dict[tuple, Any] = {}
    for k, p in items.items():
        if p.get(DIRECTIVE) == "replace":
            raise Inexpressible             # Kustomize keeps the old item
        got = _merge(old.get(k), p, schema.item, memo)
        if got is not _DELETED:
            merged[k] = got
    rest = [k for k in old if k not in items]
    if len(keys) == 1:
        order = list(merged) + rest
    else:
        kept = set(rest)
        order = [k for k in merged if k not in old] + [k for k in old if k in merged or k in kept]
    return [merged[k] if k in merged else _untouched(old[k], schema.item, memo) for k in order]


def _added(v: Any, schema: Any) -> Any:
    """A value the patch adds where nothing was: Kustomize merges it with itself, which keeps
    it as it is for the values :func:`diff` writes (no nulls, no directives, clean lists)."""
    if v is None:
        raise Inexpressible
    if type(v) is dict:
        if DIRECTIVE in v:
            raise Inexpressible
        sub = schema if type(schema) is dict else None
        return {k: _added(x, child(sub, k, x)) for k, x in v.items()}
    if type(v) is list:
        if isinstance(schema, Merged):
            if _keyed(v, schema.keys) is None:
                raise Inexpressible
            return [_added(x, schema.item) for x in v]
        if any(type(x) is dict and DIRECTIVE in x for x in v):
            raise Inexpressible
        return v
    return v


def _untouched(v: Any, schema: Any, memo: dict | None = None) -> Any:
    """A value the patch does not name: Kustomize still walks it, which keeps it as it is
    when every merged list in it has distinct, present keys. ``memo`` (see
    :func:`expressible`) keeps the values found so, not walked again."""
    if memo is not None:
        if type(v) is not dict and type(v) is not list:
            return v
        key = ("untouched", id(v), id(schema))
        got = memo.get(key)
        if got is None or got is not v:
            _untouched(v, schema)
            memo[key] = v
        return v
    if type(v) is dict:
        sub = schema if type(schema) is dict else None
        for k, x in v.items():
            t = type(x)
            if t is dict or t is list and sub is not None:    # scalars, and lists with no schema: nothing to see
                _untouched(x, child(sub, k, x))
    elif type(v) is list and isinstance(schema, Merged):
        if _keyed(v, schema.keys) is None:
            raise Inexpressible
        for x in v:
            _untouched(x, schema.item)
    return v


def expressible(pre: dict, post: dict, memo: dict | None = None) -> dict | None:
    """:func:`diff`, checked by :func:`apply`: the patch body, None when nothing changes.
    Raises :class:`Inexpressible` when no strategic-merge patch gives exactly ``post``.

    ``memo``, kept by the caller across calls, holds what was found of the lists and
    mappings of the objects before (by id, with the value itself: nothing else takes its
    id while the memo lives): the overlays of one build share their parent's objects, which
    are then walked once. None of the values it has seen may change while it is kept."""
    known: set = set()
    body = diff(pre, post, known, memo)
    if body is None:
        return None
    ident = {"apiVersion": pre.get("apiVersion"), "kind": pre.get("kind")}
    got = apply(pre, {**ident, **body}, memo)
    # what the patch leaves alone is pre's, found the same as post's by diff: not walked again
    if got is None or not (got == post and same_types(got, post, known)):
        raise Inexpressible
    return body
