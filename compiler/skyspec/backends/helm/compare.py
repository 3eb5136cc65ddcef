"""Comparing plain values across environments, for the Helm backend: type-exact equality, the
most common value, the merged order of several key or item orders, and the names that
identify list items. Pure functions of JSON-like data (dicts, lists, scalars); they must not
know about charts, values paths or templates. Type-exact equality is the backends' shared
:func:`skyspec.backends.common.same`.
"""

from __future__ import annotations

import json
from typing import Any

from ..common import same


def canon(v: Any) -> str:
    """A type-exact fingerprint: 1, 1.0, True and "1" all differ (objects of other types, the
    release's marks, by their repr)."""
    return json.dumps(v, sort_keys=True, ensure_ascii=False, allow_nan=True, default=lambda x: f"\0{x!r}")


def all_same(vs: list) -> bool:
    first = vs[0]
    for v in vs[1:]:
        if not same(first, v):
            return False
    return True


def most_common(vs: list) -> Any:
    """The most frequent value; on a tie the earliest (``vs`` is in environment order)."""
    if all_same(vs):
        return vs[0]
    counts: dict[str, int] = {}
    first: dict[str, Any] = {}
    for v in vs:
        c = canon(v)
        counts[c] = counts.get(c, 0) + 1
        first.setdefault(c, v)
    best = max(counts.values())
    return next(first[c] for c in counts if counts[c] == best)


def merge_keys(seqs) -> list:
    """Union of several orders, each item after the item it follows where it first appears."""
    seqs = [list(s) for s in seqs]
    if not seqs:
        return []
    first = seqs[0]
    for s in seqs[1:]:
        if s != first:
            break
    else:
        return first
    out: list = []
    seen: set = set()
    for seq in seqs:
        prev = None
        for x in seq:
            if x not in seen:
                out.insert(out.index(prev) + 1 if prev is not None else 0, x)
                seen.add(x)
            prev = x
    return out


def merge_orders(seqs: list[list]) -> list | None:
    """Like :func:`merge_keys`, or None when the orders contradict each other."""
    out = merge_keys(seqs)
    pos = {x: i for i, x in enumerate(out)}
    for seq in seqs:
        if any(pos[a] >= pos[b] for a, b in zip(seq, seq[1:])):
            return None
    return out


def _text(n: Any) -> str | None:
    """A name: a string, or an object standing for one (its ``base``)."""
    if type(n) is str:
        return n
    b = getattr(n, "base", None)
    return b if type(b) is str else None


def ident(item: Any) -> str | None:
    """The name of a list item: its `name`, else its `metadata.name`, else None."""
    if type(item) is dict:
        n = _text(item.get("name"))
        if n is not None:
            return n
        m = item.get("metadata")
        if type(m) is dict and _text(m.get("name")) is not None:
            return _text(m["name"])
    return None


def idents(lst: list) -> list[str] | None:
    """Item names of a list of named objects (unique), or None."""
    ids = [ident(x) for x in lst]
    if any(i is None for i in ids) or len(set(ids)) != len(ids):
        return None
    return ids  # type: ignore[return-value]
