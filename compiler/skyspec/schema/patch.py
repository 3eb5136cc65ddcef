"""Patches in the editors' overlay schema: a field's schema turned into what an overlay may
write for it, with the merge operators of :mod:`skyspec.layers.merge` spelled out.

:func:`patchify` takes a *partial* schema (:mod:`.partial`: nothing required, no counts) and
lets every map accept, beside each known key `k`, the keys `k+` (extend) and `k!` (replace)
with `k`'s schema and `k-` with a list of the keys or items to remove; a map of free keys
(`env`, `labels`, ...) accepts any key with a suffix the same way. `null` deletions and
`${...}` values are :mod:`.late`'s (``late_bound(..., patch=True)``). The operators are
`patternProperties`, so editors still complete the plain keys only, and a closed map is
closed with `unevaluatedProperties` (draft 2019-09 and later; the YAML language server has
it from 1.20). Patterns are written
for ECMA-262 (the editors' regular expressions) as well as Python. This module only
transforms schemas; it must not validate.
"""

from __future__ import annotations

import re
from typing import Any

REMOVE = {"type": "array",
          "description": "`key-: [...]`: the items to remove from the list, or the keys to remove from the map."}
_REMOVE_REF = {"$ref": "#/$defs/remove"}
# keywords whose value is data, not a schema
_DATA = frozenset({"const", "enum", "examples", "default", "required"})


def _esc(name: str) -> str:
    """A key as a regular expression that means the same in ECMA-262 (unicode mode, where
    `\\-` is an error) and Python."""
    return re.sub(r"([.^$|?*+()\[\]{}\\/])", r"\\\1", name)


def operator_key(name: str) -> str:
    """The pattern of `name+` and `name!`."""
    return f"^{_esc(name)}[+!]$"


def _suffixed(names: Any) -> Any:
    """A `propertyNames` schema that also allows an operator suffix."""
    if not isinstance(names, dict):
        return names
    out = dict(names)
    p = out.get("pattern")
    if isinstance(p, str) and p.startswith("^") and p.endswith("$") and not p.endswith("\\$"):
        out["pattern"] = f"^(?:{p[1:-1]})[-+!]?$"
    if isinstance(out.get("maxLength"), int):
        out["maxLength"] += 1
    return out


def patchify(node: Any) -> Any:
    """The patch form of a partial schema (a new schema; the input is not modified)."""
    if isinstance(node, list):
        return [patchify(x) for x in node]
    if not isinstance(node, dict):
        return node
    out: dict = {}
    for k, v in node.items():
        if k in _DATA or k.startswith("x-"):
            out[k] = v
        elif k in ("properties", "patternProperties", "$defs") and isinstance(v, dict):
            out[k] = {name: patchify(s) for name, s in v.items()}
        elif k == "propertyNames":
            out[k] = _suffixed(v)
        else:
            out[k] = patchify(v)
    props = out.get("properties")
    pattern = dict(out.get("patternProperties", {}))
    if props:
        for name, s in props.items():
            pattern[operator_key(name)] = s
        pattern["^(" + "|".join(_esc(n) for n in props) + ")-$"] = _REMOVE_REF
    if isinstance(out.get("additionalProperties"), dict):
        pattern[".-$"] = _REMOVE_REF
    if pattern:
        out["patternProperties"] = pattern
    if props and out.get("additionalProperties") is False:
        # the same closed map, without "does not match any of the regexes: <every key>" as the
        # message for a misspelt key (and the operator keys are evaluated by their patterns)
        del out["additionalProperties"]
        out["unevaluatedProperties"] = False
    return out
