"""The merge algebra of layers, with provenance.

A layer is a patch: plain data plus its :class:`~skyspec.frontend.Loc`. Merging a patch
onto a value follows Jsonnet-style rules, spelled with key suffixes:

===============  ==========================================================
``key: v``       maps merge recursively; scalars and lists replace
``key+: v``      extends: list append, map merge, string concatenation
``key!: v``      replaces the value beneath instead of merging it
``key: null``    deletes the key
``key-: [a, b]`` removes items from a list, or keys from a map
===============  ==========================================================

Every merged value carries a :class:`Prov` node: its history, oldest first, as
:class:`Entry` records (layer, position, operation, the value replaced). Merging never
mutates its inputs: untouched subtrees are shared.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import Diagnostics, Pos, did_you_mean, name_hint
from ..frontend.loc import Loc
from ..provenance import MISSING, Entry, Prov

OPS = {"+": "extend", "!": "replace", "-": "remove"}
# the operators as a layer spells them, with what each does (the language reference's table)
OPERATORS = (
    ("key: value", "maps merge recursively, key by key; scalars and lists replace the value beneath"),
    ("key+: value", "extends the value beneath: a list is appended to, a map merged, a string concatenated"),
    ("key!: value", "replaces the value beneath whole, a map included (nothing of it is kept)"),
    ("key: null", "deletes the key (`key!: null` sets null where null is a value)"),
    ("key-: [a, b]", "removes these items from the list beneath, or these keys from the map beneath"),
)


def split_op(raw: str) -> tuple[str, str | None]:
    """``"args+"`` -> ``("args", "+")``; plain keys -> ``(key, None)``."""
    if len(raw) > 1 and raw[-1] in OPS:
        return raw[:-1], raw[-1]
    return raw, None


def strip_ops(data: Any) -> Any:
    """A patch used as a whole new value (no base to apply operators to): drop suffixes
    and deletions so that `args+: [x]` onto nothing is `args: [x]`."""
    if isinstance(data, dict):
        out = {}
        for raw, v in data.items():
            k, op = split_op(raw)
            if v is None and op is None or op == "-":
                continue
            out[k] = strip_ops(v)
        return out
    if isinstance(data, list):
        return [strip_ops(v) for v in data]
    return data


def _strip_loc(data: Any, loc: Loc | None) -> Loc | None:
    """The Loc matching :func:`strip_ops` (keys renamed without their suffix)."""
    if loc is None or not isinstance(data, dict):
        if loc is not None and isinstance(data, list) and isinstance(loc.kids, list):
            return Loc(loc.pos, None, [_strip_loc(v, l) for v, l in zip(data, loc.kids)])
        return loc
    keys, kids = {}, {}
    for raw, v in data.items():
        k, op = split_op(raw)
        if v is None and op is None or op == "-":
            continue
        keys[k] = loc.key_pos(raw)
        kids[k] = _strip_loc(v, loc.child(raw))
    return Loc(loc.pos, keys, kids)


class Merger:
    """Applies patches for one layer, recording provenance and reporting misuse."""

    def __init__(self, layer: str, diags: Diagnostics | None, note: str = ""):
        self.layer = layer
        self.diags = diags
        self.note = note
        # a layer (an overlay's `all` section, say) patches many specs alike: what it writes
        # where nothing is replaced has one history entry (immutable) and one operator-free
        # Loc for all of them, made once here
        self._merges: dict[int, tuple[Loc | None, Entry]] = {}  # (the "merge" entries, most asked for)
        self._fresh_entries: dict[str, dict[int, tuple[Loc | None, Entry]]] = {"merge": self._merges}
        self._stripped: dict[int, tuple[Loc, Any, Loc | None]] = {}

    # ----------------------------------------------------------------- public entry
    def apply(self, base: Any, bprov: Prov | None, patch: Any, ploc: Loc | None) -> tuple[Any, Prov]:
        """Merge ``patch`` onto ``base`` (a whole document or sub-value)."""
        if isinstance(patch, dict) and isinstance(base, dict):
            return self._merge_map(base, bprov, patch, ploc)
        return self._set(base, bprov, patch, ploc, "set")

    # ----------------------------------------------------------------- helpers
    def _entry(self, op: str, loc: Loc | None, replaced: Any) -> Entry:
        return Entry(self.layer, loc.pos if loc is not None else None, op,
                     _snapshot(replaced), self.note)

    def fresh(self, op: str, loc: Loc | None) -> Entry:
        """``Entry(layer, loc.pos, op)`` of this layer (nothing replaced), shared by every
        value it is the history of."""
        by_loc = self._fresh_entries.get(op)
        if by_loc is None:
            by_loc = self._fresh_entries[op] = {}
        got = by_loc.get(id(loc))
        if got is None:  # (the Loc is held, so that its id is not reused)
            got = by_loc[id(loc)] = (loc, Entry(self.layer, loc.pos if loc is not None else None, op, MISSING, self.note))
        return got[1]

    def written(self, data: Any, loc: Loc | None, op: str, key: Pos | None = None) -> Prov:
        """:func:`~skyspec.provenance.prov_from_loc` of this layer, with its shared entries."""
        hist = [self.fresh(op, loc)]
        if isinstance(data, dict):
            kids = {}
            for k, v in data.items():
                kids[k] = self.written(v, loc.child(k) if loc is not None else None, op,
                                       loc.key_pos(k) if loc is not None else None)
            return Prov(hist, kids, key)
        if isinstance(data, list):
            return Prov(hist, [self.written(v, loc.child(i) if loc is not None else None, op)
                               for i, v in enumerate(data)], key)
        return Prov(hist, None, key)

    def _strip_loc(self, data: Any, loc: Loc | None) -> Loc | None:
        """:func:`_strip_loc`, once per patch value (positions never change)."""
        if loc is None:
            return None
        got = self._stripped.get(id(loc))
        if got is None or got[1] is not data:  # (both held, so that their ids are not reused)
            got = self._stripped[id(loc)] = (loc, data, _strip_loc(data, loc))
        return got[2]

    def _set(self, base: Any, bprov: Prov | None, value: Any, vloc: Loc | None, op: str,
             key: Pos | None = None) -> tuple[Any, Prov]:
        if isinstance(value, (dict, list)):
            clean = strip_ops(value)
            new = self.written(clean, self._strip_loc(value, vloc), op, key)
        elif bprov is not None:  # a scalar (no operators to strip) replacing a value: the commonest case
            return value, Prov(bprov.hist + [self._entry(op, vloc, base)], None, key)
        else:
            return value, Prov([self.fresh(op, vloc)], None, key)
        if bprov is not None:
            new.hist = bprov.hist + [self._entry(op, vloc, base)]
        return clean, new

    def _merge_map(self, base: dict, bprov: Prov | None, patch: dict, ploc: Loc | None) -> tuple[dict, Prov]:
        out = dict(base)
        got = self._merges.get(id(ploc))
        merged = got[1] if got is not None else self.fresh("merge", ploc)
        if bprov is None:
            prov = Prov([merged], {})
        else:  # a copy of bprov (merging never mutates), with this merge's entry
            bkids = bprov.kids
            prov = Prov(bprov.hist + [merged], dict(bkids) if isinstance(bkids, dict) else {},
                        bprov.key, dict(bprov.gone) if bprov.gone else None)
        kids = prov.kids
        lkids = ploc.kids if ploc is not None and isinstance(ploc.kids, dict) else None
        lkeys = ploc.keys if ploc is not None else None
        for raw, value in patch.items():
            key, op = (raw[:-1], raw[-1]) if len(raw) > 1 and raw[-1] in OPS else (raw, None)  # split_op
            vloc = lkids.get(raw) if lkids is not None else None
            kpos = lkeys.get(raw) if lkeys else None
            old = out.get(key, MISSING)
            oprov = kids.get(key)
            if op is None and value is None:  # delete
                if old is not MISSING:
                    del out[key]
                    gone = (oprov.copy() if oprov else Prov([]))
                    gone.hist.append(Entry(self.layer, kpos, "delete", _snapshot(old), self.note))
                    prov.gone = dict(prov.gone or {})
                    prov.gone[key] = gone
                    del kids[key]
                continue
            if op is None:
                if isinstance(value, dict) and isinstance(old, dict):
                    out[key], sub = self._merge_map(old, oprov, value, vloc)
                    sub.key = kpos or sub.key
                    kids[key] = sub
                elif oprov is not None and not isinstance(value, (dict, list)):  # :meth:`_set`'s commonest
                    out[key] = value  # case, inline: a scalar replacing a value (3% of layering's instructions)
                    kids[key] = Prov(oprov.hist + [self._entry("set", vloc, old)], None, kpos)
                else:
                    out[key], kids[key] = self._set(old, oprov, value, vloc, "set", kpos)
            elif op == "!":
                out[key], kids[key] = self._set(old, oprov, value, vloc, "replace", kpos)
            elif op == "+":
                self._extend(out, prov, key, old, oprov, value, vloc, kpos, raw)
            else:
                self._remove(out, prov, key, old, oprov, value, vloc, kpos, raw)
            if prov.gone and key in prov.gone and key in out:
                prov.gone = {k: v for k, v in prov.gone.items() if k != key} or None
        return out, prov

    def _extend(self, out, prov, key, old, oprov, value, vloc, kpos, raw) -> None:
        if old is MISSING or old is None:
            out[key], prov.kids[key] = self._set(old, oprov, value, vloc, "extend", kpos)
            return
        if isinstance(old, list) and isinstance(value, list):
            clean = strip_ops(value)
            p = oprov.copy() if oprov else Prov([], [])
            if not isinstance(p.kids, list):
                p.kids = []
            p.hist.append(self._entry("extend", vloc, old))
            p.kids = p.kids + [self.written(v, vloc.child(i) if vloc else None, "extend") for i, v in enumerate(clean)]
            p.key = kpos or p.key
            out[key], prov.kids[key] = old + clean, p
        elif isinstance(old, dict) and isinstance(value, dict):
            out[key], prov.kids[key] = self._merge_map(old, oprov, value, vloc)
            prov.kids[key].hist[-1] = self.fresh("extend", vloc)
        elif isinstance(old, str) and isinstance(value, str):
            out[key], prov.kids[key] = self._set(old, oprov, old + value, vloc, "extend", kpos)
        else:
            self.diags.error("SKY203", f'"{raw}" extends a {_kind(old)} with a {_kind(value)}',
                             kpos, hint="`+` appends a list to a list, merges a map into a map, "
                                        "or concatenates strings; use the plain key to replace")

    def _remove(self, out, prov, key, old, oprov, value, vloc, kpos, raw) -> None:
        if isinstance(value, dict) or value is None:
            self.diags.error("SKY203", f'"{raw}" takes a list of the keys or items to remove, got '
                                       f'{"a map" if isinstance(value, dict) else "null"}', kpos,
                             hint=f"e.g. `{raw}: [NAME]`; to delete the whole value, write `{key}: null`")
            return
        items = value if isinstance(value, list) else [value]
        if old is MISSING:
            self.diags.error("SKY204", f'"{raw}" removes from "{key}", which is not set', kpos,
                             hint=did_you_mean(key, out.keys())
                             or f'nothing to remove: drop the line, or set "{key}" in a layer beneath this one')
            return
        if isinstance(old, dict):
            keep = dict(old)
            p = oprov.copy() if oprov else Prov([], {})
            for i, item in enumerate(items):
                ipos = vloc.child(i).pos if vloc is not None and vloc.child(i) is not None else kpos
                if not isinstance(item, str) or item not in keep:
                    self.diags.error("SKY204", f'"{raw}" removes key "{item}", which "{key}" does not have',
                                     ipos, hint=name_hint(str(item), map(str, keep), f'the keys of "{key}"'))
                    continue
                del keep[item]
                if isinstance(p.kids, dict):
                    gone = p.kids.pop(item, None) or Prov([])
                    gone = gone.copy()
                    gone.hist.append(Entry(self.layer, ipos, "remove", _snapshot(old[item]), self.note))
                    p.gone = dict(p.gone or {})
                    p.gone[item] = gone
            p.hist.append(self._entry("remove", vloc, old))
            out[key], prov.kids[key] = keep, p
        elif isinstance(old, list):
            keep_l = list(old)
            kprov = list(oprov.kids) if oprov and isinstance(oprov.kids, list) else [None] * len(old)
            for i, item in enumerate(items):
                ipos = vloc.child(i).pos if vloc is not None and vloc.child(i) is not None else kpos
                if item not in keep_l:
                    self.diags.error("SKY204", f'"{raw}" removes {_show(item)}, which "{key}" does not contain',
                                     ipos, hint=did_you_mean(str(item), [str(x) for x in keep_l])
                                     or f'an item is removed when it equals one of the {len(keep_l)} in "{key}"')
                    continue
                idx = keep_l.index(item)
                del keep_l[idx]
                del kprov[idx]
            p = oprov.copy() if oprov else Prov([])
            p.kids = kprov
            p.hist.append(self._entry("remove", vloc, old))
            out[key], prov.kids[key] = keep_l, p
        else:
            self.diags.error("SKY203", f'"{raw}" removes items from a {_kind(old)}', kpos,
                             hint="`-` removes items from a list or keys from a map")


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, list):
        return "list"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (int, float)):
        return "number"
    return "null"


def _show(v: Any) -> str:
    return f'"{v}"' if isinstance(v, str) else repr(v)


def plain_copy(v: Any) -> Any:
    """A copy of plain data for a merged document to own: its maps and lists new, its
    scalars shared (a default put beneath a spec, a value an expression wrote back)."""
    if isinstance(v, dict):
        return {k: plain_copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain_copy(x) for x in v]
    return v


def _snapshot(v: Any) -> Any:
    """The replaced value, kept whole: merging never mutates, so holding a reference costs
    nothing, and `super` in expressions needs the full value beneath a layer. Displays
    summarise large values themselves."""
    return v
