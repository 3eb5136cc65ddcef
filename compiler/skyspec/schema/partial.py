"""Partial schemas: what one layer (a spec, a template, an overlay section, `--set`) must
satisfy on its own, derived from the published schemas rather than written twice.

A layer sets some fields of a document, and later layers merge onto it, so everything
that depends on the *whole* merged document is relaxed: `required`, the counts of keys
and items (`minProperties`, `maxProperties`, `minItems`, `maxItems`, `uniqueItems`: a
layer may add one key to a map or one item to a list), and `oneOf` becomes `anyOf` (two
layers together may pick the one branch). Alternatives that only required a key become
always true and are dropped. Types, patterns, enums, ranges and unknown keys stay: they
hold for every value as written. The merged document is still checked against the full
schema. This module only transforms schemas; it must not validate or know the merge
operators (the layer check in `layers/` strips those before validating).
"""

from __future__ import annotations

from typing import Any

# keywords about the whole merged value, dropped from a layer's schema
_WHOLE = frozenset({"required", "minProperties", "maxProperties", "minItems", "maxItems", "uniqueItems",
                    "dependentRequired"})
# keywords whose value is a map of name -> schema
_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
# keywords whose value is data, not a schema
_DATA = frozenset({"const", "enum", "examples", "default"})
# keywords that assert nothing
_NOTES = frozenset({"description", "title", "examples", "default", "$comment"})


def partial(schema: dict, suffix: str = ".partial") -> dict:
    """The relaxed variant of ``schema`` (a new dict; the input is not modified). Its
    `$id` gains ``suffix`` so that both may be loaded side by side."""
    out = _walk(schema)
    if isinstance(out, dict) and isinstance(out.get("$id"), str):
        base, dot, ext = out["$id"].rpartition(".")
        out["$id"] = f"{base}{suffix}.{ext}" if dot else out["$id"] + suffix
    return out


def _trivial(node: Any) -> bool:
    """A schema every value satisfies."""
    if node is True:
        return True
    return isinstance(node, dict) and all(k in _NOTES or k.startswith("x-") for k in node)


def _walk(node: Any) -> Any:
    if isinstance(node, list):
        return [_walk(x) for x in node]
    if not isinstance(node, dict):
        return node
    out: dict = {}
    for k, v in node.items():
        if k in _WHOLE:
            continue
        if k in _DATA:
            out[k] = v
        elif k in _MAPS and isinstance(v, dict):
            out[k] = {name: _walk(sub) for name, sub in v.items()}
        elif k in ("oneOf", "anyOf") and isinstance(v, list):
            branches = [_walk(b) for b in v]
            if any(_trivial(b) for b in branches):
                continue  # one alternative is now always true: so is the whole
            if "anyOf" in out:  # both keywords on one node: keep both, as allOf
                out.setdefault("allOf", []).append({"anyOf": branches})
            else:
                out["anyOf"] = branches
        else:
            out[k] = _walk(v)
    return out
