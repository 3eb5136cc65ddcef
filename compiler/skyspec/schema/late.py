"""Late binding in the editors' schemas: a `${...}` string is accepted wherever a value may
be late-bound, since the compiler evaluates it after every layer merged and checks the
result then (a whole-string expression takes its result's type: `replicas:
"${apps.api.replicas}"` is an integer once evaluated).

:func:`late_bound` wraps every value position of a schema (a property, a map's values, a
list's items) that does not already accept any string in `if: <a ${...} string> then: true
else: <the schema>`: a plain value is checked exactly as before, with the same error
messages (an `anyOf` would blur them), and descriptions stay on the field for hovers. In a
patch (`patch=True`), `null` (a deletion) is accepted as well. A string is late-bound when
it holds a `${` not written `$${` (the escape of a literal `${`). This module only
transforms schemas; it must not validate, and the compiler's own schemas never pass
through it.
"""

from __future__ import annotations

from typing import Any

LATE_DEFS = {
    # no `description` here: an editor's hover would show it in place of the field's own
    "lateBound": {"type": "string", "pattern": r"(^|[^$])\$\{",
                  "$comment": "A `${...}` expression: evaluated after every layer merged, and its value checked "
                              "then."},
    "lateBoundOrNull": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/lateBound"}],
                        "$comment": "`null` (deletes the key) or a `${...}` expression."},
}

# keywords that constrain a value beyond its type
_CONSTRAINTS = frozenset({"$ref", "anyOf", "oneOf", "allOf", "not", "if", "enum", "const", "pattern", "format",
                          "minLength", "maxLength"})
# notes shown on the field (hover, completion), kept on the wrapper
_NOTES = ("title", "description", "markdownDescription")
# keywords whose value is data or names, not a schema to walk
_DATA = frozenset({"const", "enum", "examples", "default", "required", "propertyNames", "dependentRequired"})


def late_bound(node: Any, value: bool = False, patch: bool = False) -> Any:
    """``node`` with its value positions accepting `${...}` strings (and `null` when
    ``patch``); ``value``: the node itself is a value position. A new schema: the input is
    not modified."""
    if isinstance(node, list):
        return [late_bound(x, patch=patch) for x in node]
    if not isinstance(node, dict):
        return node
    out: dict = {}
    for k, v in node.items():
        if k in _DATA or k.startswith("x-"):
            out[k] = v
        elif k in ("properties", "patternProperties") and isinstance(v, dict):
            out[k] = {name: late_bound(s, value=True, patch=patch) for name, s in v.items()}
        elif k in ("additionalProperties", "items") and isinstance(v, dict):
            out[k] = late_bound(v, value=True, patch=patch)
        elif k == "$defs" and isinstance(v, dict):
            out[k] = {name: late_bound(s, patch=patch) for name, s in v.items()}
        else:
            out[k] = late_bound(v, patch=patch)
    if not value or _accepts_any(out, patch):
        return out
    notes = {k: out.pop(k) for k in _NOTES if k in out}
    ref = "#/$defs/lateBoundOrNull" if patch else "#/$defs/lateBound"
    return {**notes, "if": {"$ref": ref}, "then": True, "else": out}


def _accepts_any(node: dict, patch: bool) -> bool:
    """Every string is valid already (and, in a patch, null as well)."""
    if any(k in node for k in _CONSTRAINTS):
        return False
    t = node.get("type")
    types = [t] if isinstance(t, str) else (t or None)
    if types is None:
        return True
    return "string" in types and (not patch or "null" in types)
