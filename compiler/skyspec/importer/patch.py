"""The `k8s:` patches of an import: each difference the round trip could not name, written
as a strategic-merge patch of the workload's object so that the next build gives the input's
value. A map merges. A list of keyed items (containers, env, volumes, ...) becomes the input's
items over the output's, so what skyspec adds inside an item, such as hardening, stays; the
patch says only the items and fields that differ (`containers: [{name: app, env: [...]}]`),
so the spec's own fields (`image:`, `args:`, probes) still decide the rest, unless applying
that patch would not give the list as the input has it (another order, say): then the list is
written whole, with `$patch: replace`. It computes data only; it reads, writes and reports
nothing.
"""

from __future__ import annotations

from ..ir import k8spatch
from . import fidelity


def _set(d: dict, path: tuple, value) -> None:
    for k in path[:-1]:
        d = d.setdefault(k, {})
    d[path[-1]] = value


def _merge_lists(out_list: list, in_list: list, drop: frozenset = frozenset()) -> list:
    """The input's items, each over the output's item of the same key (so what skyspec adds
    inside, such as hardening, stays), then the output's items the input lacks."""
    ok, ik = fidelity.keys_of(out_list), fidelity.keys_of(in_list)
    by = dict(zip(ok, out_list))
    merged = [merge(by.get(k), x) for k, x in zip(ik, in_list)]
    return merged + [x for k, x in zip(ok, out_list) if k not in ik and f"[{k}]" not in drop]


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


def patches(bad: list, outputs: list[dict]) -> tuple[dict, dict]:
    """({id(input object): {Kind: patch}}, {id(input object): [patched path]}) for the
    unexplained differences ``bad`` (as :func:`fidelity.compare` gives them); a patched path
    is a field, or a list (its items that differ, or the list whole)."""
    out_by = {(o["kind"], o["metadata"].get("name")): o for o in outputs}
    patches: dict = {}
    heads: dict = {}
    for inp, path, a, b, in_has, out_has in bad:
        o = out_by.get((inp["kind"], inp["metadata"].get("name")))
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
        if head not in done:
            done.append(head)
        iv, ov = fidelity.aligned(inp, o, outputs), o
        for k in head:
            iv = (iv or {}).get(k) if isinstance(iv, dict) else None
            ov = (ov or {}).get(k) if isinstance(ov, dict) else None
        drop = frozenset(q[cut] for _, q, _, _, ih, _ in bad if q[:cut] == head and len(q) > cut and not ih
                         and not any(z[1][:cut + 1] == q[:cut + 1] and z[4] for z in bad))
        if isinstance(ov, list) and isinstance(iv, list):
            _set(p, head, _diff(inp["kind"], head, ov, _merge_lists(ov, iv, drop)))
        else:
            _set(p, head, _replacing(iv))
    return patches, heads


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
