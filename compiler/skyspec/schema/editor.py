"""The editors' schemas: `schemas/skyspec.json`, one schema for every spec document, and
`schemas/skyspec-overlay.json`, an overlay with typed patches. They serve the YAML language
server and `check-jsonschema`, never the compiler (which validates with the kind schemas
and checks each layer itself), so they describe what is *written*:

* `skyspec.json` chooses the kind's schema by `kind` (if/then), so a multi-document file
  mixing kinds validates document by document and errors name the right kind's fields;
  inside a kind, `use:` chooses a template's schema (if/then on `use`): its parameters are
  fields and what its spec sets is no longer required. A template the schema does not know
  (a project file not passed in) leaves unknown keys alone.
* a `${...}` string is accepted wherever a value may be late-bound (:mod:`.late`).
* the overlay schema types `all`, `match[].patch`, `apps.<name>` and `defaults` as patches
  (:mod:`.patch`): the fields of every kind and template, with the `key+`/`key!`/`key-`
  operators and `null` deletions.

This module builds data from the kind schemas and the templates it is given; it must not
read files (the caller gathers the templates) or validate.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from typing import Any, TypedDict

from .fields import BASE_URL, DRAFT
from .kinds import KIND_SCHEMAS
from .late import LATE_DEFS, late_bound
from .partial import partial
from .patch import REMOVE, operator_key, patchify
from .project import overlay_schema

SPEC_FILE = "skyspec.json"
OVERLAY_FILE = "skyspec-overlay.json"

# A `use:` value naming a file of the project rather than a stdlib template (the compiler's
# test: a leading `.`, or any path separator).
TEMPLATE_PATH = r"^\.|[/\\]"
# fields never late-bound: they say which schema applies, or name the document
_FIXED = ("kind", "name", "use")


class TemplateInfo(TypedDict):
    """What the editor schema needs of one template (`use:` value)."""

    use: str            # as written in `use:`: `postgres`, `./templates/job.yaml`
    kind: str           # the kind it serves
    params: dict        # parameter name -> JSON Schema
    provides: list      # the fields its spec (and the templates beneath) set


def editor_schemas(templates: Sequence[TemplateInfo] = ()) -> dict[str, dict]:
    """{file name: schema} of the editors' schemas."""
    kinds = {kind: make() for kind, make in KIND_SCHEMAS.items()}
    templates = sorted(templates, key=lambda t: (t["kind"], t["use"]))
    return {SPEC_FILE: spec_schema(kinds, templates), OVERLAY_FILE: overlay_patch_schema(kinds, templates)}


def _defs(kinds: dict[str, dict]) -> dict[str, Any]:
    """The shared `$defs` of every kind schema (one definition per name)."""
    out: dict[str, Any] = {}
    for kind, s in kinds.items():
        for name, d in s.get("$defs", {}).items():
            assert out.get(name, d) == d, f"$defs/{name} differs between kind schemas ({kind})"
            out[name] = d
    return out


def _key(name: str) -> str:
    """A `$defs` key for a template name (a path holds `/`, which a JSON pointer escapes)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_.") or "template"


def _body(s: dict) -> dict:
    return {k: v for k, v in s.items() if k not in ("$schema", "$id", "$defs", "properties", "required",
                                                   "additionalProperties")}


def _kind_enum(s: dict) -> list[str]:
    k = s["properties"]["kind"]
    return list(k["enum"]) if "enum" in k else [k["const"]]


def _retarget(node: Any, names: set[str], prefix: str) -> Any:
    """``node`` with its references to the shared ``names`` pointing at ``prefix + name``."""
    if isinstance(node, list):
        return [_retarget(x, names, prefix) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: (v if k in ("const", "enum", "examples", "default") else _retarget(v, names, prefix))
           for k, v in node.items()}
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in names:
        out["$ref"] = f"#/$defs/{prefix}{ref[8:]}"
    return out


def _patch_fields(fields: dict, at: str, defs: dict, names: set[str], prefix: str) -> dict:
    """The patch form of a map of ``fields`` (:mod:`.patch`, :mod:`.late`): `properties`,
    `patternProperties` (the operator keys) and `unevaluatedProperties: false`, each field
    stored once in ``defs`` as `<at>.<field>` for `k`, `k+` and `k!`; references to the
    shared ``names`` point at their patch forms (``prefix``)."""
    obj = partial({"type": "object", "additionalProperties": False, "properties": fields})
    obj = _retarget(late_bound(patchify(obj), patch=True), names, prefix)
    for k, v in obj["properties"].items():
        key = f"{at}.{k}"
        assert defs.get(key, v) == v, key
        defs[key] = v
        obj["properties"][k] = obj["patternProperties"][operator_key(k)] = {"$ref": f"#/$defs/{key}"}
    del obj["type"]
    return obj


def _shared_patch_defs(shared: dict, prefix: str) -> dict:
    names = set(shared)
    out = {f"{prefix}{name}": _retarget(late_bound(patchify(partial(d)), patch=True), names, prefix)
           for name, d in shared.items()}
    out["remove"] = REMOVE
    return out


def spec_schema(kinds: dict[str, dict], templates: Sequence[TemplateInfo]) -> dict:
    shared = _defs(kinds)
    defs: dict[str, Any] = {name: late_bound(d) for name, d in shared.items()}
    defs.update(LATE_DEFS)
    # a spec with `use:` is a layer over its template: patch forms (operators, null, partial)
    defs.update(_shared_patch_defs(shared, "patch."))
    branches = []
    all_kinds: list[str] = []
    for kind, s in kinds.items():
        names = _kind_enum(s)
        all_kinds += names
        props = {}
        for k, v in s["properties"].items():  # each field once, in `$defs`, for every branch of the kind
            if k in _FIXED:
                props[k] = v
            else:
                defs[f"{kind}.{k}"] = late_bound(v, value=True)
                props[k] = {"$ref": f"#/$defs/{kind}.{k}"}
        required = list(s["required"])
        body = {**_body(s), "type": "object"}
        if "use" not in props:
            defs[kind] = {**body, "properties": props, "additionalProperties": False, "required": required}
        else:
            mine = [t for t in templates if t["kind"] in names]
            use = _use_schema(props["use"], [t["use"] for t in mine])
            fixed = {k: v for k, v in props.items() if k in _FIXED}
            own = {k: v for k, v in s["properties"].items() if k not in _FIXED}
            plain = {**body, "properties": {**props, "use": use}, "additionalProperties": False, "required": required}
            # a template the schema does not know: its parameters are unknown, and so are its keys
            other = _patch_fields(own, f"{kind}.patch", defs, set(shared), "patch.")
            del other["unevaluatedProperties"]
            chain: dict = {**body, **other, "properties": {**fixed, **other["properties"], "use": use},
                           "required": ["kind", "name", "use"]}
            for t in reversed(mine):
                key = f"{kind}.use.{_key(t['use'])}"
                fields = _patch_fields(own, f"{kind}.patch", defs, set(shared), "patch.")
                params = _patch_fields(t["params"], key, defs, set(shared), "patch.")
                defs[key] = {**body, **fields,
                             "properties": {**fixed, "use": {"description": use["description"], "const": t["use"]},
                                            **fields["properties"], **params["properties"]},
                             "patternProperties": {**fields["patternProperties"], **params["patternProperties"]},
                             "required": [r for r in required if r not in set(t["provides"]) | {"use"}] + ["use"]}
                chain = {"if": {"properties": {"use": {"const": t["use"]}}},
                         "then": {"$ref": f"#/$defs/{key}"}, "else": chain}
            defs[f"{kind}.use"] = chain
            defs[kind] = {"if": {"required": ["use"]}, "then": {"$ref": f"#/$defs/{kind}.use"}, "else": plain}
        cond = {"const": names[0]} if len(names) == 1 else {"enum": names}
        branches.append({"if": {"properties": {"kind": cond}, "required": ["kind"]},
                         "then": {"$ref": f"#/$defs/{kind}"}})
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_URL}{SPEC_FILE}",
        "title": "skyspec spec document",
        "description": "Any skyspec spec document, checked against its kind's schema (chosen by `kind`) and, "
                       "with `use:`, its template's parameters. For editors and check-jsonschema: a multi-document "
                       "file is checked document by document.",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": all_kinds, "description": "The kind of document."}},
        "allOf": branches,
        "$defs": dict(sorted(defs.items())),
    }


def _use_schema(base: dict, known: list[str]) -> dict:
    """`use:` in a kind's schema: one of its known templates, or a project file."""
    path = {"type": "string", "pattern": TEMPLATE_PATH, "description": "A template file of the project."}
    out = {k: v for k, v in base.items() if k not in ("type", "minLength", "examples")}
    out["anyOf"] = ([{"enum": known}] if known else []) + [path]
    if known:
        out["examples"] = known
    return out


def _patch_props(kinds: dict[str, dict], templates: Sequence[TemplateInfo]) -> dict[str, Any]:
    """Every field a patch may set: the union of the kinds' fields and the templates'
    parameters (a field with differing schemas accepts any of them)."""
    seen: dict[str, list] = {}
    for s in kinds.values():
        for k, v in s["properties"].items():
            seen.setdefault(k, []).append(v)
    for t in templates:
        for k, v in t["params"].items():
            seen.setdefault(k, []).append(v)
    out: dict[str, Any] = {}
    for k, options in seen.items():
        distinct: dict[str, Any] = {}
        for v in options:
            bare = {x: y for x, y in v.items() if x != "description"} if isinstance(v, dict) else v
            distinct.setdefault(json.dumps(bare, sort_keys=True), v)
        vs = list(distinct.values())
        if len(vs) == 1:
            out[k] = vs[0]
        else:
            desc = next((v["description"] for v in vs if isinstance(v, dict) and "description" in v), None)
            out[k] = {**({"description": desc} if desc else {}), "anyOf": vs}
    return out


def overlay_patch_schema(kinds: dict[str, dict], templates: Sequence[TemplateInfo]) -> dict:
    shared = _defs(kinds)
    defs: dict[str, Any] = dict(LATE_DEFS)
    defs.update(_shared_patch_defs(shared, ""))
    patch = _patch_fields(_patch_props(kinds, templates), "patch", defs, set(shared), "")
    defs["patch"] = {"type": "object", **patch,
                     "description": "A patch: the fields of a spec (of any kind, and the parameters of templates), "
                                    "each with the `key+` (extend), `key!` (replace) and `key-` (remove) "
                                    "operators; `key: null` deletes. Values may be `${...}` expressions."}
    out = copy.deepcopy(overlay_schema())
    out["$id"] = f"{BASE_URL}{OVERLAY_FILE}"
    out["title"] = "skyspec overlay (editors)"
    props = out["properties"]
    for section in ("defaults", "all"):
        props[section] = {"$ref": "#/$defs/patch", "description": props[section]["description"]}
    props["match"]["items"]["properties"]["patch"] = {"$ref": "#/$defs/patch"}
    props["apps"]["additionalProperties"] = {"$ref": "#/$defs/patch"}
    out["$defs"] = dict(sorted(defs.items()))
    return out
