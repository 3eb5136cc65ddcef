"""The fields of a JSON Schema of the language, as rows of the reference: every key at every
depth (`health.liveness`, `ports.<name>.service`, `rules[].verbs`), with its type in words,
its description and an example value. The example is the schema's own (`examples`) where it
has one, else one made from the schema (an enum's first value, a map of its required keys,
...): :func:`sample`. Schemas are read as the compiler validates with them (`schemas/*.json`,
their `$ref`s into `$defs` followed). This module only reads schemas: it must not compile
or write anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# `$defs` whose keys are documented elsewhere: their uses name them instead of repeating
# their keys (a probe under `health.liveness`, a sidecar's container fields)
SHOWN_ONCE = {"probe": "a probe: the keys of `health` above (`http`, `tcp`, `grpc`, `exec`, timing)",
              "containers": "each with the fields of the main container (`image`, `command`, `args`, `ports`, "
                            "`env`, `secrets`, `env_from`, `resources`, `health`, `mounts`, `lifecycle`)"}
# keys whose insides are documented as a whole: containers like the main one, raw Kubernetes
NO_ROWS = {"sidecars", "init", "k8s", "affinity", "manifest"}
# a key of a map whose schema names none (`<name>` in the reference); the example's keys otherwise
KEY = "<name>"


@dataclass
class Field:
    path: tuple            # keys from the document's root; KEY for any key of a map, "[]" for any item of a list
    node: dict             # its schema, `$ref` followed
    required: bool
    ref: str | None        # the `$defs` entry it is, if any


def follow(node: Any, root: dict) -> tuple[dict, str | None]:
    """``node`` with its `$ref` followed (into ``root``'s `$defs`), and the entry's name."""
    ref = None
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"].rsplit("/", 1)[-1]
        node = root["$defs"][ref]
    return (node if isinstance(node, dict) else {}), ref


def branches(node: dict, root: dict) -> list[dict]:
    """The forms a value may take: each `anyOf`/`oneOf` branch (followed), or the node."""
    alts = node.get("anyOf") or node.get("oneOf")
    if not alts or "properties" in node or "additionalProperties" in node and node.get("type") == "object":
        return [node]
    return [follow(b, root)[0] for b in alts]


def object_forms(node: dict, root: dict) -> list[dict]:
    return [b for b in branches(node, root) if b.get("type") == "object" or "properties" in b]


def fields(schema: dict, skip: tuple = ("kind",)) -> list[Field]:
    """Every field of a document schema, depth first, in the schema's order."""
    out: list[Field] = []

    def walk(node: dict, path: tuple) -> None:
        for form in object_forms(node, schema):
            req = set(form.get("required", ()))
            for key, sub in (form.get("properties") or {}).items():
                if not path and key in skip:
                    continue
                child, ref = follow(sub, schema)
                if "not" in child:
                    continue  # a key that may not be set (`k8s:` cannot rename an object)
                out.append(Field(path + (key,), child, key in req, ref))
                if ref in SHOWN_ONCE or key in NO_ROWS:
                    continue
                walk(child, path + (key,))
            extra = form.get("additionalProperties")
            if isinstance(extra, dict):
                child, ref = follow(extra, schema)
                if object_forms(child, schema) and any(f.get("properties") for f in object_forms(child, schema)):
                    walk(child, path + (KEY,))
        for form in branches(node, schema):
            if form.get("type") == "array" and isinstance(form.get("items"), dict):
                item, _ = follow(form["items"], schema)
                if any(f.get("properties") for f in object_forms(item, schema)):
                    walk(item, path + ("[]",))

    walk(schema, ())
    return out


def dotted(path: tuple) -> str:
    return ".".join(path).replace(".[]", "[]")


_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean", "null": "null"}


def type_words(node: dict, root: dict, depth: int = 0) -> str:
    """A schema's type in a few words: `integer 1-65535`, `string or map`, `list of names`."""
    if depth > 3:
        return "value"
    forms = branches(node, root)
    if len(forms) > 1:
        words = []
        for f in forms:
            w = type_words(f, root, depth + 1)
            if w not in words:
                words.append(w)
        return " or ".join(words)
    n = forms[0]
    if "const" in n:
        return f"`{_scalar(n['const'])}`"
    if "enum" in n:
        return "one of " + ", ".join(f"`{_scalar(v)}`" for v in n["enum"])
    t = n.get("type")
    if isinstance(t, list):
        return " or ".join(_TYPES.get(x, x) for x in t)
    if n.get("x-quantity"):
        return "quantity"
    if t == "integer":
        lo, hi = n.get("minimum"), n.get("maximum")
        return "integer" + (f" {lo}-{hi}" if lo is not None and hi is not None else f" >= {lo}" if lo is not None else "")
    if t == "array":
        item, ref = follow(n.get("items") or {}, root)
        return "list of " + (ref_words(ref) or _plural(type_words(item, root, depth + 1)))
    if t == "object" or "properties" in n:
        extra = n.get("additionalProperties")
        if isinstance(extra, dict) and not n.get("properties"):
            sub, ref = follow(extra, root)
            return "map of " + (ref_words(ref) or type_words(sub, root, depth + 1))
        return "map"
    if t == "string" and n.get("pattern") and n.get("pattern") == root.get("$defs", {}).get("name", {}).get("pattern"):
        return "name"
    return _TYPES.get(t, "value") if t else "string" if "pattern" in n else "value"   # (a pattern holds strings)


def ref_words(ref: str | None) -> str | None:
    return {"name": "names", "portNumber": "port numbers", "toleration": "tolerations"}.get(ref or "")


def _plural(w: str) -> str:
    return {"string": "strings", "integer": "integers", "map": "maps", "name": "names"}.get(w, w)


def _scalar(v: Any) -> str:
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    return str(v)


def description(node: dict, root: dict) -> str:
    """The node's description, else its forms' (a `health: /healthz` string and a map)."""
    if node.get("description"):
        return node["description"]
    parts = [f["description"] for f in branches(node, root) if f.get("description")]
    return " ".join(parts)


# ------------------------------------------------------------------------------ examples

def sample(node: dict, root: dict, depth: int = 0) -> Any:
    """An example value of a schema: its own example, else one made from it."""
    node, _ = follow(node, root)
    if "examples" in node:
        return node["examples"][0]
    if "default" in node:
        return node["default"]
    if depth > 6:
        return None
    forms = branches(node, root)
    if len(forms) > 1:
        return sample(forms[0], root, depth + 1)
    n = forms[0]
    if "const" in n:
        return n["const"]
    if "enum" in n:
        return n["enum"][0]
    t = n.get("type")
    t = t[0] if isinstance(t, list) else t
    if t == "boolean":
        return True
    if t == "integer":
        return max(n.get("minimum", 1), 1) if n.get("maximum", 2) >= 1 else n.get("minimum", 0)
    if t == "number":
        return n.get("minimum", 1)
    if t == "string":
        return "example"
    if t == "array":
        return [sample(n.get("items") or {}, root, depth + 1)] * max(n.get("minItems", 1), 1)
    if t == "object" or "properties" in n:
        props = n.get("properties") or {}
        out = {k: sample(props[k], root, depth + 1) for k in n.get("required", ()) if k in props}
        extra = n.get("additionalProperties")
        if not out and isinstance(extra, dict):
            out = {"example": sample(extra, root, depth + 1)}
        return out
    return None


def value_with(node: dict, rest: tuple, root: dict, around: dict | None = None, at: tuple = (),
               example: Any = None) -> Any:
    """A value of ``node`` holding an example at the path ``rest`` inside it, made from the
    examples on the way (``example``: the enclosing example's value here) and valid: each map
    keeps what its example has, less the keys that exclude the one set (the other sources of
    a `oneOf`, the other key of a one-key map), or has its required keys; ``around[path]``
    adds the keys a field needs beside it (`headers` an `http` check). ``at`` is the path of
    ``node`` itself."""
    node, _ = follow(node, root)
    if example is None:
        example = _example(node, root, rest[0] if rest else None)
    if not rest:
        return example
    key = rest[0]
    if key == "[]":
        arr = next(b for b in branches(node, root) if b.get("type") == "array")
        item = example[0] if isinstance(example, list) and example else None
        return [value_with(arr["items"], rest[1:], root, around, at + ("[]",), item)]
    form = next(b for b in object_forms(node, root)
                if key in (b.get("properties") or {}) or key == KEY and isinstance(b.get("additionalProperties"), dict))
    props = form.get("properties") or {}
    ex = example if isinstance(example, dict) else {}
    if key == KEY:
        inner = rest[1] if len(rest) > 1 else None
        name = next((k for k, v in ex.items() if inner is None or isinstance(v, dict) and inner in v), None)
        name = name or next(iter(ex), "example")
        entry = ex.get(name) if isinstance(ex.get(name), dict) or len(rest) == 1 else None
        return {name: value_with(form["additionalProperties"], rest[1:], root, around, at + (KEY,), entry)}
    groups = [set(g.get("required", ())) for g in form.get("oneOf", ()) if isinstance(g, dict)]
    if form.get("maxProperties") == 1:
        out: dict = {}
    elif ex:
        others = set().union(*(g for g in groups if key not in g)) if any(key in g for g in groups) else set()
        out = {k: v for k, v in ex.items() if k not in others}
    else:
        out = {k: sample(props[k], root) for k in form.get("required", ()) if k in props and k != key}
        if groups and not any(key in g for g in groups):
            out.update({k: sample(props[k], root) for k in sorted(groups[0])})
    out.update((around or {}).get(at + (key,), {}))
    out[key] = value_with(props[key], rest[1:], root, around, at + (key,), ex.get(key))
    return out


def _example(node: dict, root: dict, key: str | None) -> Any:
    """The node's example for a path going through ``key``: the first of its examples that
    is a map holding the key (or a map, or a list), else a sample."""
    exs = node.get("examples") or []
    if key is not None:
        for e in exs:
            if isinstance(e, dict) and (key in e or key == KEY):
                return e
        for e in exs:
            if isinstance(e, list) and key == "[]":
                return e
        if exs and not isinstance(exs[0], (dict, list)):
            return None
    return sample(node, root)
