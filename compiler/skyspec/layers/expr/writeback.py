"""Writing resolved expressions back into a spec, copy-on-write, with their provenance.

``write_back`` puts each resolved value at its path in a copy of the spec's data and
provenance (only the maps, lists and Prov nodes along changed paths are copied) and gives
each an ``evaluate`` history entry whose ``replaced`` is the expression text (an expression
that failed keeps its text and gains an ``unresolved`` entry). It must not
evaluate or parse anything, report diagnostics, or mutate the spec's original data or Prov
nodes (they may be shared with other specs and environments).
"""

from __future__ import annotations

from typing import Any

from ...frontend.loc import uniform_loc
from ...provenance import Entry, Prov, prov_from_loc
from ..merge import plain_copy


def write_back(spec: Any, updates: list, failed: list = ()) -> None:
    """Put the values into a copy of the spec's data and provenance: only the maps,
    lists and Prov nodes along the changed paths are copied; everything else is shared.
    ``updates`` are (path, value, site) with the site the value was evaluated from;
    ``failed`` the sites whose evaluation failed: each keeps its text, and its history gains
    an ``unresolved`` entry (its problem was reported; validation does not report it again)."""
    mine: set[int] = set()
    keep: list = []  # keep the copies alive so that their ids stay unique

    def own(v: Any) -> Any:
        if id(v) in mine:
            return v
        c = dict(v) if isinstance(v, dict) else list(v)
        mine.add(id(c))
        keep.append(c)
        return c

    def own_prov(p: Prov | None, like: Any) -> Prov:
        if p is None:
            p = Prov([], {} if isinstance(like, dict) else [None] * len(like) if isinstance(like, list) else None)
        elif id(p) in mine:
            return p
        else:
            p = p.copy()
        if isinstance(like, dict) and not isinstance(p.kids, dict):
            p.kids = {}
        if isinstance(like, list) and not isinstance(p.kids, list):
            p.kids = [None] * len(like)
        mine.add(id(p))
        keep.append(p)
        return p

    data = own(spec.data)
    prov = own_prov(spec.prov, data)
    for path, value, st in [*updates, *((st.path, _FAILED, st) for st in failed)]:
        d, p = data, prov
        for k in path[:-1]:
            child = own(d[k])
            d[k] = child
            cp = own_prov(p.child(k), child)
            _set_kid(p, k, cp)
            d, p = child, cp
        last = path[-1]
        old = p.child(last)
        segs = st.segments()
        w = segs[-1][2]
        entry = Entry(w.layer if w is not None else "?", w.pos if w is not None else None,
                      "unresolved" if value is _FAILED else "evaluate", st.text, "")
        hist = (list(old.hist) if old is not None else []) + [entry]
        if value is _FAILED:  # the text stays as written
            _set_kid(p, last, Prov(hist, None, old.key if old is not None else None))
            continue
        d[last] = plain_copy(value)
        if isinstance(value, (dict, list)):
            newp = prov_from_loc(value, uniform_loc(value, entry.pos) if entry.pos is not None else None,
                                 entry.layer, "evaluate")
            newp.hist = hist
            newp.key = old.key if old is not None else None
        else:
            newp = Prov(hist, None, old.key if old is not None else None)
        _set_kid(p, last, newp)
    spec.data, spec.prov = data, prov


_FAILED = object()


def _set_kid(p: Prov, k: Any, child: Prov) -> None:
    if isinstance(p.kids, dict):
        p.kids[k] = child
    else:
        if k >= len(p.kids):
            p.kids.extend([None] * (k + 1 - len(p.kids)))
        p.kids[k] = child
