"""values.schema.json of the Helm chart (JSON Schema draft 7): every map closed
(``additionalProperties: false``) but the ones users add keys to (env vars, labels,
annotations), and every value typed -- integers >= 0 for replicas, strings for images (a tag
may be an integer), scalars for env values, labels and annotations (what ``--set X=8`` or
``--set X=true`` gives; the templates render them as strings), Kubernetes quantities for
resources and storage, booleans for flags, objects for extraObjects, and for other values the
JSON types seen in the environments -- so that a typo'd key or a wrong type (a map for an
env var) fails ``helm lint --strict``. It reads the finished
values layout; it must not change the values nor look at templates or objects.
"""

from __future__ import annotations

import re
from typing import Any

from .compare import merge_keys
from .values import Loc, Values, ordered, put

SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#"

# A Kubernetes quantity ("250m", "1.5Gi", "1e3").
QUANTITY = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$"

_STRING = {"type": "string"}
# what `--set` makes of an env var, label or annotation value (`8`, `true`): rendered as a string
_SCALAR = {"type": ["string", "integer", "boolean"]}
_QUANTITY_SCHEMA = {"type": "string", "pattern": QUANTITY}
_RESOURCE_LIST = {"type": "object", "additionalProperties": _QUANTITY_SCHEMA}
_STRING_MAP = {"type": "object", "additionalProperties": _STRING}
_SCALAR_MAP = {"type": "object", "additionalProperties": _SCALAR}
# the schemas of the values a Loc names by ``schema`` ("hosts" is built from the values)
SCHEMAS: dict[str, dict] = {
    "replicas": {"type": "integer", "minimum": 0},
    "image": {"type": "object",
              "properties": {"repository": {"type": "string", "minLength": 1}, "tag": {"type": ["string", "integer"]},
                             "digest": _STRING, "pinnedDigests": _STRING_MAP},
              "required": ["repository"], "additionalProperties": False},
    "resources": {"type": "object", "properties": {"limits": _RESOURCE_LIST, "requests": _RESOURCE_LIST},
                  "additionalProperties": False},
    "quantity": _QUANTITY_SCHEMA,
    "string": _STRING,
    "scalar": _SCALAR,
    "flag": {"type": "boolean"},
    "strmap": _SCALAR_MAP,
    "percent": {"type": "integer", "minimum": 1},
    "canarypercent": {"type": "integer", "minimum": 0, "maximum": 100},
    "color": {"type": "string", "enum": ["blue", "green"]},
    "objects": {"type": "array", "items": {"type": "object", "required": ["apiVersion", "kind"]}},
}


def values_schema(name: str, values: Values) -> dict:
    """The schema of the chart ``name``'s values (after :meth:`Values.compute`)."""
    tree: dict = {}
    for loc in values.locs.values():
        if loc.used:
            if loc.keep_parent:
                put(tree, loc.path[:-1], {}, keep=True)
            put(tree, loc.path, loc)
    for path in values.open:
        put(tree, path, {}, keep=True)
    out = _schema_node(ordered(tree, values.rank), values.base, values.open, {})
    return {"$schema": SCHEMA_DRAFT, "title": f"values of the {name} chart", **out}


def _schema_node(node, base, open_maps: dict, fits: dict, at: tuple = ()) -> dict:
    """The schema of a values node; ``fits`` remembers which declared schema fits which
    scalar."""
    if isinstance(node, Loc):
        return _leaf_schema(node, fits)
    base = base if type(base) is dict else {}
    props = {k: _schema_node(v, base.get(k), open_maps, fits, at + (k,)) for k, v in node.items()}
    # a key users may remove (an env var: null) is never required
    required = [] if at in open_maps else [k for k, v in node.items()
                                            if k in base and not (isinstance(v, Loc) and (v.nullable or v.optional))]
    extra = SCHEMAS[open_maps[at]] if at in open_maps else False
    out: dict = {"type": "object", "properties": props, "additionalProperties": extra}
    if required:
        out["required"] = required
    return out


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if type(v) is bool:
        return "boolean"
    if type(v) is int:
        return "integer"
    if type(v) is float:
        return "number"
    if type(v) is str:
        return "string"
    if type(v) is list:
        return "array"
    return "object"


def _derive(vs: list) -> dict:
    """A schema accepting exactly the shapes of the given values."""
    groups: dict[str, list] = {}
    for v in vs:
        groups.setdefault(_json_type(v), []).append(v)
    parts = []
    scalars = [t for t in groups if t not in ("object", "array")]
    if scalars:
        parts.append({"type": scalars[0] if len(scalars) == 1 else scalars})
    if "object" in groups:
        ds = groups["object"]
        keys = merge_keys(ds)
        parts.append({"type": "object", "properties": {k: _derive([d[k] for d in ds if k in d]) for k in keys},
                      "additionalProperties": False})
    if "array" in groups:
        items = [x for lst in groups["array"] for x in lst]
        parts.append({"type": "array", "items": _derive(items)} if items else {"type": "array"})
    return parts[0] if len(parts) == 1 else {"anyOf": parts}


def _fits(schema: dict, v: Any, memo: dict | None = None) -> bool:
    """Whether ``v`` satisfies one of our declared schemas (the few keywords they use).
    ``memo`` remembers the answers for strings, integers and booleans (whose type and value
    are all it reads of them) by the schema's id: only for schemas that live as long as it
    (SCHEMAS and their parts)."""
    tv = type(v)
    if memo is not None and (tv is str or tv is int or tv is bool):
        key = (id(schema), tv, v)
        ok = memo.get(key)
        if ok is None:
            ok = memo[key] = _fits(schema, v)
        return ok
    t = schema.get("type")
    types = t if type(t) is list else [t]
    if t is not None and _json_type(v) not in types and not ("number" in types and _json_type(v) == "integer"):
        return False
    if "minimum" in schema and v < schema["minimum"]:
        return False
    if "minLength" in schema and len(v) < schema["minLength"]:
        return False
    if "minItems" in schema and len(v) < schema["minItems"]:
        return False
    if "pattern" in schema and re.search(schema["pattern"], v) is None:
        return False
    if t == "object":
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        if any(k not in v for k in schema.get("required", ())):
            return False
        for k, x in v.items():
            sub = props.get(k, extra)
            if sub is False or (isinstance(sub, dict) and not _fits(sub, x, memo)):
                return False
    if t == "array" and "items" in schema:
        return all(_fits(schema["items"], x, memo) for x in v)
    return True


def _fits_known(name: str, v: Any, fits: dict) -> bool:
    """``_fits(SCHEMAS[name], v)``, its answers for strings, integers and booleans (in ``v``
    or in it) remembered in ``fits``."""
    return _fits(SCHEMAS[name], v, fits)


def _leaf_schema(loc: Loc, fits: dict) -> dict:
    vs = list(loc.vals.values())
    if loc.schema == "hosts":
        n = len(vs[0])
        declared: dict | None = {"type": "array", "items": _STRING, "minItems": n}
    else:
        declared = SCHEMAS.get(loc.schema or "")
    if declared is not None:
        nonnull = [v for v in vs if v is not None]
        # each value once (the environments often share one): _fits is a function of it
        once = {id(v): v for v in nonnull}.values()
        if loc.schema == "hosts":
            ok = all(_fits(declared, v) for v in once)
        else:
            ok = all(_fits_known(loc.schema, v, fits) for v in once)   # type: ignore[arg-type]
        if ok:
            if len(nonnull) < len(vs):
                return {"anyOf": [declared, {"type": "null"}]}
            return declared
    return _derive(vs)
