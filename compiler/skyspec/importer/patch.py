"""The `k8s:` patches of an import: each difference the round trip could not name, written
as a strategic-merge patch of the workload's object so that the next build gives the input's
value. A map merges. In a list of keyed items (containers, env, volumes, ...) the build's
list gets the input's value at each unexplained path (an item the input adds, a field it
sets or lacks, an item only the build has removed), and the patch says only the items and
fields that changed (`containers: [{name: app, env: [...]}]`): the spec's own fields
(`image:`, `args:`, probes) and what skyspec adds in a named category (hardening) still
decide the rest. When applying that patch would not give that list (an order that counts),
the list is written whole, with `$patch: replace`. It computes data only; it reads, writes
and reports nothing.
"""
from __future__ import annotations

import copy

from ..ir import k8spatch
from . import fidelity


def _set(d: dict, path: tuple, value) -> None:
    for k in path[:-1]:
        d = d.setdefault(k, {})
    d[path[-1]] = value


def _merge_lists(out_list: list, in_list: list) -> list:
    """The input's items, each over the output's item of the same key (so what skyspec adds
    inside, such as hardening, stays), then the output's items the input lacks."""
    ok, ik = fidelity.keys_of(out_list), fidelity.keys_of(in_list)
    by = dict(zip(ok, out_list))
    merged = [merge(by.get(k), x) for k, x in zip(ik, in_list)]
    return merged + [x for k, x in zip(ok, out_list) if k not in ik]


def merge(o, i):
    """``i`` over ``o``: maps merge, lists of maps by key, anything else is ``i``."""
    if isinstance(o, dict) and isinstance(i, dict):
        out = dict(o)
        for k, v in i.items():
            out[k] = merge(o.get(k), v)
        return out
    if isinstance(o, list) and isinstance(i, list) and all(isinstance(x, dict) for x in i + o):
        return _merge_lists(o, i)
    return i


def patches(bad: list, outputs: list[dict], renamed: dict[int, str] | None = None,
            reselected: dict[int, dict] | None = None) -> tuple[dict, dict]:
    """({id(input object): {Kind: patch}}, {id(input object): [patched path]}) for the
    unexplained differences ``bad`` (as :func:`fidelity.compare` gives them); a patched path
    is a field, or a list (its items that differ, or the list whole). ``renamed``: the input
    objects imported under another name (each patches the output of that name); ``reselected``
    the pod terms the importer rewrote, by input object (a patch writes them as rewritten)."""
    out_by = {(o["kind"], o["metadata"].get("name")): o for o in outputs}
    renamed = renamed or {}
    patches: dict = {}
    heads: dict = {}
    for inp, path, a, b, in_has, out_has in bad:
        o = out_by.get((inp["kind"], renamed.get(id(inp)) or inp["metadata"].get("name")))
        if o is None or path[:1] in (("apiVersion",), ("kind",)) or path[:2] in (("metadata", "name"),
                                                                                  ("metadata", "namespace")):
            continue   # skyspec's: a patch cannot change them (the difference stays unexplained)
        p = patches.setdefault(id(inp), {}).setdefault(inp["kind"], {})
        cut = next((n for n, seg in enumerate(path) if seg.startswith("[")), None)
        done = heads.setdefault(id(inp), [])
        if cut is None:
            _set(p, path, _replacing(a) if in_has else None)
            done.append(path)
            continue
        head = path[:cut]
        if head in done:
            continue   # (its list is patched for every difference under it at once)
        done.append(head)
        iv, ov = fidelity.aligned(inp, o, outputs, (reselected or {}).get(id(inp))), o
        for k in head:
            iv = (iv or {}).get(k) if isinstance(iv, dict) else None
            ov = (ov or {}).get(k) if isinstance(ov, dict) else None
        if isinstance(ov, list) and isinstance(iv, list):
            want = copy.deepcopy(ov)
            for _, q, _, _, _, _ in bad:
                if q[:cut] == head and len(q) > cut:
                    _put(want, iv, q[cut:])
            _set(p, head, _diff(inp["kind"], head, ov, want))
        else:
            _set(p, head, _replacing(iv))
    return patches, heads


def _put(dst, src, path: tuple) -> None:
    """``dst`` (the build's) with the input's value (``src``) at ``path`` (fidelity's, keyed
    list items as `[key]`): set, or removed where the input has none."""
    seg, rest = path[0], path[1:]
    if isinstance(dst, list) and isinstance(src, list) and seg.startswith("["):
        di, si = _at(dst, seg[1:-1]), _at(src, seg[1:-1])
        if si is None:
            if di is not None:
                del dst[di]
        elif di is None:
            dst.append(copy.deepcopy(src[si]))
        elif not rest or not isinstance(dst[di], (dict, list)):
            dst[di] = copy.deepcopy(src[si])
        else:
            _put(dst[di], src[si], rest)
    elif isinstance(dst, dict) and isinstance(src, dict):
        if seg not in src:
            dst.pop(seg, None)
        elif not rest or not isinstance(dst.get(seg), (dict, list)) or type(dst[seg]) is not type(src[seg]):
            dst[seg] = copy.deepcopy(src[seg])
        else:
            _put(dst[seg], src[seg], rest)


def _at(items: list, key: str) -> int | None:
    keys = fidelity.keys_of(items)
    return keys.index(key) if key in keys else None


def _diff(kind: str, path: tuple, have, want):
    """A strategic-merge patch from ``have`` to ``want``: the keys of a map that differ; the
    items of a keyed list that differ, each with the fields that do, when applying them
    gives the list exactly (else the list whole, replacing)."""
    if isinstance(have, dict) and isinstance(want, dict):
        out = {k: v if k not in have else _diff(kind, path + (k,), have[k], v)
               for k, v in want.items() if k not in have or have[k] != v}
        out = {k: v for k, v in out.items() if k not in have or v not in ([], {})}  # (only an order that is not read)
        out.update({k: None for k in have if k not in want})
        return out
    key = k8spatch.merge_key(kind, path) if isinstance(have, list) and isinstance(want, list) else None
    if key is None or not all(isinstance(x, dict) and key in x for x in have + want):
        return _replacing(want)
    by = {x[key]: x for x in have}
    items = []
    for n, x in enumerate(want):
        if x[key] not in by:
            items.append(x)
        elif by[x[key]] != x:
            d = _diff(kind, path + (n,), by[x[key]], x)
            if d:
                items.append({key: x[key], **d})
    keep = {x[key] for x in want}
    items += [{key: k, "$patch": "delete"} for k in by if k not in keep]
    got = k8spatch.apply_list(kind, path, have, items)
    return items if _order_free({path[-1]: got}) == _order_free({path[-1]: want}) else _replacing(want)


def _order_free(v):
    """``v`` as Kubernetes reads it: an `env` list none of whose values reads another variable
    (`$(VAR)`) in the order of its names, since only such a value depends on the order."""
    if isinstance(v, dict):
        return {k: sorted(x, key=lambda e: str(e.get("name"))) if k == "env" and _free_env(x) else _order_free(x)
                for k, x in v.items()}
    if isinstance(v, list):
        return [_order_free(x) for x in v]
    return v


def _free_env(v) -> bool:
    return isinstance(v, list) and all(isinstance(e, dict) and "$(" not in str(e.get("value", "")) for e in v)


def _replacing(v):
    """A patch whose lists of maps are whole (the input's list, computed above): `k8s:`
    patches merge such lists by key, so each says `$patch: replace`."""
    if isinstance(v, dict):
        return {k: _replacing(x) for k, x in v.items()}
    if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
        return [{"$patch": "replace"}] + [_replacing(x) for x in v]
    return v
