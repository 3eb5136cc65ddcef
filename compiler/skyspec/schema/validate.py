"""Validate merged documents against the JSON Schemas in `schemas/`.

Two validators, each for what it is good at: a compiled `fastjsonschema` check on the happy
path (~17x faster than `jsonschema`), and the complete `jsonschema` Draft 2020-12
`iter_errors` pass only for documents that failed it, which yields *all* errors with their
paths. Each error becomes a diagnostic at the position of the value's last writer (the
spec line, or the overlay line that set it), phrased for a person, with a hint.

The schemas use only keywords that mean the same in draft 7 and 2020-12 (`$defs` refs,
no `prefixItems`/`$dynamicRef`), so the compiled fast path agrees with the full check; a
test holds that.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from collections.abc import Callable

from ..builders.spelling import builder_call
from ..diagnostics import Diagnostics, Pos, did_you_mean, in_python
from ..provenance import Prov, shown_at
from ..paths import data_dir
from . import hints

# A caller's fixes: ``fix("unknown" | "required", path of the key, where it is reported)`` is
# the hint naming the fix, or None for the schema's own (the pipeline passes one that knows
# the stdlib templates, a layer above this one).
Fix = Callable[[str, tuple, "Pos | None"], "str | None"]

# kind -> schema file (in schemas/)
KINDS: dict[str, str] = {
    "App": "app.json",
    "StatefulApp": "statefulapp.json",
    "Job": "job.json",
    "CronJob": "cronjob.json",
    "ConfigMap": "configmap.json",
    "Secret": "secret.json",
    "ServiceAccount": "serviceaccount.json",
    "Role": "role.json",
    "ClusterRole": "role.json",
    "NetworkPolicy": "networkpolicy.json",
    "SecurityPolicy": "securitypolicy.json",
    "Observability": "observability.json",
    "Resource": "resource.json",
}


PARTIAL = "partial:"


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """A schema of `schemas/` by file name; `partial:app.json` is its relaxed variant for
    one layer (:mod:`.partial`), derived when first asked for."""
    if name.startswith(PARTIAL):
        from .partial import partial

        return partial(load_schema(name[len(PARTIAL):]))
    with open(data_dir("schemas") / name, encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=None)
def _fast(name: str):
    """The compiled validator of a schema (:mod:`.vcache`: generated once per machine, cached
    on disk and verified before use). Every document takes it first; `jsonschema`, which
    reports every error with its path, is imported only for a document that fails it."""
    import copy

    from .vcache import compiled_validator

    # a deep copy: fastjsonschema rewrites `$ref`s in place to absolute URIs, which would
    # corrupt the cached schema the full validator and the editors' schemas are made from
    return compiled_validator(name, _identity(name), lambda: copy.deepcopy(load_schema(name)))


def preload(names, schemas=()) -> None:
    """Load the compiled validators of the schemas ``names`` and of the in-memory ``schemas``
    (templates' parameters) now (on a machine without the validator cache, compile them): a
    process about to fork workers does, so that they share them rather than each loading or
    compiling its own."""
    for name in names:
        _fast(name)
    for schema in schemas:
        _inline_for(schema)


def _identity(name: str) -> bytes:
    """What :func:`load_schema` makes the schema ``name`` from (the validator cache's key, so
    that a cached validator is found without reading the schema): the file's bytes; for a
    partial schema, the full one's and the source of the code deriving it (:mod:`.partial`,
    and this module's :func:`load_schema`)."""
    if name.startswith(PARTIAL):
        here = Path(__file__).parent
        return b"".join((b"partial\0", (here / "partial.py").read_bytes(), b"\0", Path(__file__).read_bytes(),
                         b"\0", _identity(name[len(PARTIAL):])))
    return b"file\0" + name.encode() + b"\0" + (data_dir("schemas") / name).read_bytes()


# JSON Schema patterns are ECMA-262 regular expressions, in which `$` matches only at the
# very end; in Python's `re` it also matches before a final newline, so `name: "api\n"`
# passed `^[a-z0-9-]+$` and reached a file name. The full validator reads an unescaped `$`
# as `\Z`, exactly as fastjsonschema does for `pattern` (the two must agree).
_DOLLAR = r"(?<!\\)\$"  # compiled by `re` when the full validator first runs


@lru_cache(maxsize=None)
def _strict_re(pattern: str) -> re.Pattern:
    return re.compile(re.sub(_DOLLAR, r"\\Z", pattern))


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used as a schema's `pattern` here (None when it can)."""
    try:
        _strict_re(pattern)
    except (re.error, RecursionError, OverflowError) as e:
        return str(e)
    return None


def _pattern(validator, pattern, instance, schema):
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not _strict_re(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@lru_cache(maxsize=None)
def _validator_class():
    from jsonschema import Draft202012Validator, validators

    return validators.extend(Draft202012Validator, {"pattern": _pattern})


@lru_cache(maxsize=None)
def _full(name: str):
    return _validator_class()(load_schema(name))


def validate(data: Any, prov: Prov, schema: str, diags: Diagnostics, *, secret: bool = False,
             prefix: str = "", fix: Fix | None = None) -> bool:
    """True when ``data`` conforms; otherwise every problem is reported and False returned.
    ``secret`` (a Secret document) redacts the values under its `data` from messages (its
    literal data is never echoed; its name and key names are shown). ``fix`` names the fix
    of an unknown or missing key where the caller knows more than the schema (see :data:`Fix`)."""
    try:
        _fast(schema)(data)
        return True
    except Exception:  # vcache.Invalid; the full pass tells all
        pass
    errors = _worth_reporting(sorted(_full(schema).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))))
    for err in errors:
        _report(err, data, prov, diags, secret, prefix, fix)
    return not errors


def conforms(data: Any, schema: str) -> bool:
    """Whether ``data`` conforms, reporting nothing: the cheap first try of a check that
    reports through :func:`validate` only when this fails."""
    try:
        _fast(schema)(data)
        return True
    except Exception:  # vcache.Invalid
        return False


# the keywords of a schema that checks a map's fields one by one, and nothing across them: a
# document conforms when it is a map, has the required fields and no other than its
# properties, and each field's value conforms to that field's schema (every kind's schema)
_BY_FIELD = frozenset(("$id", "$schema", "$defs", "$comment", "title", "description", "examples", "type", "required",
                       "properties", "additionalProperties"))


@lru_cache(maxsize=None)
def _fields(name: str) -> tuple | None:
    """The required fields of the schema ``name`` when it checks its fields one by one, else None."""
    s = load_schema(name)
    req = s.get("required", [])
    if s.keys() <= _BY_FIELD and s.get("type") == "object" and s.get("additionalProperties") is False \
            and isinstance(s.get("properties"), dict) and isinstance(req, list) and all(type(r) is str for r in req):
        return tuple(req)
    return None


class Conformed:
    """:func:`conforms` for documents that share values with documents found conforming
    before (a spec in every environment: the fields no layer of an environment touched are
    the same objects, which merging never mutates): a field's value that conformed is not
    checked again, the others are checked with the required fields, by the same compiled
    validator. Only for a schema that checks a map's fields one by one (:data:`_BY_FIELD`),
    where that is the same verdict."""

    def __init__(self) -> None:
        self._ok: dict[tuple, Any] = {}  # (schema, field, id of its value) -> the value (held: ids not reused)

    def __call__(self, data: Any, schema: str) -> bool:
        req = _fields(schema) if type(data) is dict else None
        if req is None:
            return conforms(data, schema)
        ok = self._ok
        new = {k: v for k, v in data.items() if (schema, k, id(v)) not in ok}
        if not new:  # (only fields of the schema are known: nothing else is in it)
            return all(r in data for r in req)
        if len(new) < len(data):
            for r in req:
                if r in data:
                    new[r] = data[r]
        if not conforms(new, schema):
            return False
        # kept bounded: a long session (the language server), and a large project (1,000 apps
        # in 3 environments in one process: 18,500 entries; 10,000 apps' 131,000 were 15 MB
        # of a build's peak, which has a goal of 600 MB)
        if len(ok) >= 1 << 15:
            ok.clear()
        for k, v in new.items():
            ok[(schema, k, id(v))] = v
        return True



# the fields the schemas leave free-form (a `k8s:` patch, `affinity`, a Resource's `manifest`),
# written into the output as they are: YAML's `.inf` and `.nan` (TOML's `inf`, `nan`) pass them,
# and Kubernetes objects, Helm values and Compose files are JSON, which has no such numbers
FREE_FORM = ("k8s", "affinity", "manifest")


def finite(data: dict, prov: Prov, diags: Diagnostics) -> bool:
    """Whether the free-form fields of a conforming document hold no infinity or NaN; each
    one there is reported (SKY106) at its line."""
    bad: list[tuple[tuple, float]] = []
    todo = [((key,), data[key]) for key in FREE_FORM if key in data]
    while todo:
        path, v = todo.pop()
        if isinstance(v, dict):
            todo.extend((path + (k,), x) for k, x in v.items())
        elif isinstance(v, list):
            todo.extend((path + (i,), x) for i, x in enumerate(v))
        elif isinstance(v, float) and not math.isfinite(v):
            bad.append((path, v))
    for path, v in sorted(bad, key=lambda b: tuple(map(str, b[0]))):
        shown = ".nan" if v != v else ("-" if v < 0 else "") + ".inf"
        diags.error("SKY106", f"{_field(path, '')} must be a finite number, got {shown}", _pos_of(prov, path),
                    hint="the output is JSON, which has no infinity or NaN: write a number, or quote it as a string")
    return not bad

def _worth_reporting(errors: list) -> list:
    """``errors`` but those at a place whose value has the wrong type besides that one: what
    else fails there says nothing more (`env_from: [api]`: a string is no map, and a `oneOf` of
    `required` keys, which a string passes twice, failed too: one problem, not two)."""
    typed = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    if not typed:
        return errors
    return [e for e in errors if e.validator == "type" or tuple(e.absolute_path) not in typed]


def validate_with(data: Any, prov: Prov, schema: dict, diags: Diagnostics, fix: Fix | None = None) -> bool:
    """Validate against an in-memory schema (a template's parameters): all errors reported."""
    if _inline_passes(data, schema):
        return True
    errors = _worth_reporting(sorted(_validator_class()(schema).iter_errors(data),
                                     key=lambda e: list(map(str, e.absolute_path))))
    for err in errors:
        _report(err, data, prov, diags, False, "", fix)
    return not errors


def fits(value: Any, schema: dict) -> bool:
    """Whether ``value`` conforms to an in-memory schema (a template parameter's), reporting nothing."""
    return _inline_passes(value, schema) or _validator_class()(schema).is_valid(value)


# The keywords whose meaning the compiled validator (draft 7) and the full one (2020-12) share
# for every value: an in-memory schema (a template's parameters, written by users) made of
# these alone is tried compiled first, so a project whose templates' parameters conform never
# imports jsonschema. `enum`, `const`, `uniqueItems` (1 and true are equal to one, not to the
# other), `multipleOf`, `format`, the 2020-12 applicators and anything else go to the full
# validator only.
_SHARED = frozenset((
    "type", "properties", "required", "additionalProperties", "items", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "minProperties",
    "maxProperties", "allOf", "anyOf", "oneOf", "not", "propertyNames", "contains", "if", "then", "else", "title",
    "description", "examples", "default", "deprecated", "readOnly", "writeOnly", "$comment", "x-message", "x-hint"))


def _shared_only(schema: Any, depth: int = 0) -> bool:
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict) or depth > 32 or not schema.keys() <= _SHARED:
        return False
    for k, v in schema.items():
        if k in ("properties",):
            if not isinstance(v, dict) or not all(_shared_only(x, depth + 1) for x in v.values()):
                return False
        elif k in ("items", "additionalProperties", "not", "propertyNames", "contains", "if", "then", "else"):
            if not _shared_only(v, depth + 1):
                return False
        elif k in ("allOf", "anyOf", "oneOf"):
            if not isinstance(v, list) or not all(_shared_only(x, depth + 1) for x in v):
                return False
    return True


def _inline_passes(value: Any, schema: dict) -> bool:
    """Whether the compiled validator of ``schema`` accepts ``value`` (False when it rejects
    it, or when ``schema`` uses a keyword the two validators may read apart: ask the full one)."""
    check = _inline_for(schema)
    if check is None:
        return False
    try:
        check(value)
        return True
    except Exception:  # vcache.Invalid, or a value it cannot read
        return False


def _inline_for(schema: dict):
    """The compiled validator of the in-memory ``schema`` (loaded, or compiled, once), or None
    when it is no JSON or uses a keyword the two validators may read apart."""
    try:
        text = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        return None
    return _inline(text)


@lru_cache(maxsize=256)
def _inline(text: str):
    import hashlib

    from .vcache import compiled_validator

    schema = json.loads(text)
    if not _shared_only(schema):
        return None
    try:
        return compiled_validator(f"inline:{hashlib.sha256(text.encode()).hexdigest()[:12]}",
                                  b"inline\0" + text.encode(), lambda: schema)
    except Exception:  # a schema fastjsonschema cannot compile: the full validator alone
        return None


def _field(path: tuple, prefix: str = "") -> str:
    parts = [prefix] if prefix else []
    for p in path:
        parts.append(f"[{p}]" if isinstance(p, int) else str(p))
    s = ".".join(parts).replace(".[", "[")
    return s or "the document"


def _show(v: Any, secret: bool) -> str:
    if secret and not isinstance(v, (dict, list)):
        return "a value (redacted)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, dict):
        return "a map"
    if isinstance(v, list):
        return "a list"
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 60 else s[:57] + '..."'


_TYPE_NAMES = {"integer": "an integer", "number": "a number", "string": "a string", "boolean": "true or false",
               "object": "a map", "array": "a list", "null": "null"}


def _type_words(t: Any) -> str:
    ts = t if isinstance(t, list) else [t]
    return " or ".join(_TYPE_NAMES.get(x, x) for x in ts)


def _leaf(path: tuple) -> str | None:
    """The key of the field at ``path``, as a hint's example writes it (None for a list's item
    or the whole document)."""
    return path[-1] if path and isinstance(path[-1], str) else None


def _pos_of(prov: Prov, path: tuple, key: bool = False) -> Pos | None:
    return shown_at(prov, path, key)


def late_bound(v: Any) -> bool:
    """A string holding a `${...}` expression (not only `$${` escapes): its type is known
    once it is evaluated, after every layer merged."""
    return isinstance(v, str) and "${" in v and "${" in v.replace("$${", "")


def _unevaluated(prov: Prov, path: tuple) -> bool:
    """The value at ``path`` is an expression not to check as written: one layer's check
    (its nodes have no history: nothing is evaluated yet), or an expression that failed
    (marked ``unresolved``), which was reported where it is. A file whose expressions are
    never evaluated (the project file) has history and is checked as written."""
    hist = getattr(prov.nearest(path), "hist", ())
    return not hist or any(e.op == "unresolved" for e in hist)


def _evaluated(prov: Prov, path: tuple) -> bool:
    """The value at ``path`` is what a `${...}` expression gave."""
    hist = getattr(prov.nearest(path), "hist", ())
    return bool(hist) and hist[-1].op == "evaluate"


def _joined(prov: Prov, path: tuple) -> str | None:
    """The hint for a string an overlay's `+:` made by joining two (`memory+: 1Gi` over
    `512Mi` gives "512Mi1Gi"): a quantity does not add up."""
    hist = getattr(prov.nearest(path), "hist", ())
    if not hist or hist[-1].op != "extend" or not isinstance(hist[-1].replaced, str) or not path:
        return None
    return (f'`{path[-1]}+:` joins strings, after "{hist[-1].replaced}": a quantity is not added to; '
            f"write the total with `{path[-1]}:`")


def _report(err, data: Any, prov: Prov, diags: Diagnostics, secret: bool, prefix: str, fix: Fix | None = None) -> None:
    path = tuple(err.absolute_path)
    v = err.validator
    inst = err.instance
    if late_bound(inst) and _unevaluated(prov, path):
        return  # no follow-on error for an expression that is not (or could not be) evaluated
    sch = err.schema if isinstance(err.schema, dict) else {}
    field = _field(path, prefix)
    # a Secret's values are under `data` (its name, type and key names are not secret)
    secret = secret and "data" in path or "secret" in path or "secrets" in path
    custom = sch.get("x-message")
    if custom:
        custom = custom.format(field=field, value=_show(inst, secret))
    hint = sch.get("x-hint")
    if v == "additionalProperties" and isinstance(inst, dict):
        allowed = list(sch.get("properties", {}))
        patterns = [re.compile(p) for p in sch.get("patternProperties", {})]
        for k in inst:
            if k in sch.get("properties", {}) or any(p.search(k) for p in patterns):
                continue
            where = f" in {field}" if path else ""
            at = _pos_of(prov, path + (k,), key=True)
            diags.error("SKY102", f'unknown key "{k}"{where}', at,
                        hint=(fix and fix("unknown", path + (k,), at)) or did_you_mean(k, allowed)
                        or (f"allowed keys: {', '.join(allowed)}" if allowed else None))
        return
    if v == "required":
        for name in err.validator_value:
            if isinstance(inst, dict) and name not in inst:
                where = f"{field} is" if path else "the document is"
                at = _pos_of(prov, path, key=True)
                diags.error("SKY103", f'{where} missing required field "{name}"', at,
                            hint=(fix and fix("required", path + (name,), at)) or _python_fix(path + (name,), at)
                            or hint or _required_hint(path + (name,)) or hints.required(sch, name, in_python(at)))
        return
    if v in ("oneOf", "anyOf") and err.context:
        chosen = _best_branch(err, inst)
        if chosen is not None:
            for sub in chosen:
                _report(sub, data, prov, diags, secret, prefix, fix)
            return
        kinds, wanted = [], []
        # each branch's type: its own, or what its type error says (a `$ref` branch: `portNumber`)
        said = {sub.relative_schema_path[0]: sub.validator_value for sub in err.context
                if sub.validator == "type" and len(sub.relative_path) == 0}
        for i, br in enumerate(err.validator_value):
            t = br.get("type") if isinstance(br, dict) and "type" in br else said.get(i)
            if t and _type_words(t) not in kinds:
                kinds.append(_type_words(t))
                wanted.append(t)
        at = _pos_of(prov, path)
        hint = hint or (None if secret else next(filter(None, (_type_hint(t, inst) for t in wanted)), None))
        if hint and isinstance(inst, str) and not secret:   # a misspelt member of an enum that a pattern widens
            import difflib

            members = [x for br in err.validator_value if isinstance(br, dict) for x in br.get("enum") or ()
                       if isinstance(x, str)]
            close = difflib.get_close_matches(inst, members, n=1, cutoff=0.8)   # (not one of the pattern's forms)
            hint = f'did you mean "{close[0]}"? ({hint})' if close else hint
        hint = hint or hints.hint(v, sch, inst, _leaf(path), in_python(at), err.validator_value)
        if kinds:
            diags.error("SKY104", custom or f"{field} must be {' or '.join(kinds)}, got {_show(inst, secret)}",
                        at, hint=hint)
        else:
            diags.error("SKY108", custom or f"{field} does not match any of the allowed forms", at, hint=hint)
        return
    pos = _pos_of(prov, path)

    def fallback() -> str | None:  # when nothing more precise is known: from the keyword and the schema
        if v == "type" and _evaluated(prov, path):
            want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
            convert = [f"`{f}(x)`" for t, f in (("integer", "int"), ("string", "str")) if t in want]
            return (f"the `${{...}}` expression gives {_type_words(_json_type(inst))}: make it give "
                    f"{_type_words(err.validator_value)}" + (f" ({' or '.join(convert)} converts)" if convert else ""))
        return hints.hint(v, sch, inst, _leaf(path), in_python(pos))

    if v == "type":
        diags.error("SKY104", custom or f"{field} must be {_type_words(err.validator_value)}, got {_show(inst, secret)}",
                    pos, hint=hint or (None if secret else _type_hint(err.validator_value, inst)) or fallback())
    elif v in ("enum", "const"):
        allowed = err.validator_value if v == "enum" else [err.validator_value]
        words = ", ".join(_show(a, False) for a in allowed)
        diags.error("SKY105", custom or f"{field} must be one of {words}, got {_show(inst, secret)}", pos,
                    hint=hint or (did_you_mean(str(inst), [str(a) for a in allowed]) if not secret else None)
                    or fallback())
    elif v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        rel = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[v]
        diags.error("SKY106", custom or f"{field} must be {rel} {err.validator_value}, got {_show(inst, secret)}",
                    pos, hint=hint or fallback())
    elif v == "pattern" and sch.get("x-quantity") and isinstance(inst, str):
        from ..units import QuantityError, parse_bytes

        try:
            parse_bytes(inst)
            qhint = None
        except QuantityError as e:
            qhint = e.hint
        diags.error("SKY112", f"{field}: {_show(inst, secret)} is not a valid quantity", pos,
                    hint=(None if secret else _joined(prov, path)) or qhint or hint or fallback())
    elif v in ("pattern", "format"):
        diags.error("SKY107", custom or f"{field} {_show(inst, secret)} is not valid", pos, hint=hint or fallback())
    elif v in ("maxLength", "minLength") and isinstance(inst, str):
        # (jsonschema's message quotes the whole value: a 70 KB label value made a 70 KB message)
        most = "at most" if v == "maxLength" else "at least"
        diags.error("SKY108", custom or f"{field} {_show(inst, secret)} is {len(inst)} characters long: {most} "
                                        f"{err.validator_value}", pos, hint=hint or fallback())
    elif v in ("maxProperties", "minProperties") and isinstance(inst, dict) and inst:
        # the keys, sorted: what it says does not depend on the order they are written in
        # (`skyspec fmt` orders them; fuzz seed 86, case 1278). (An empty map: jsonschema's words)
        most = "at most" if v == "maxProperties" else "at least"
        diags.error("SKY108", custom or f"{field} has {len(inst)} key{'s' if len(inst) > 1 else ''} "
                                        f"({', '.join(sorted(map(str, inst)))}): {most} {err.validator_value}",
                    pos, hint=hint or fallback())
    else:
        said = err.message if len(err.message) <= 200 else err.message[:197] + "..."
        diags.error("SKY108", custom or f"{field}: {said if not secret else 'invalid value'}", pos,
                    hint=hint or fallback())


def _best_branch(err, inst: Any):
    """For oneOf/anyOf: the errors of the one branch whose type matches the value."""
    branches: dict[int, list] = {}
    for sub in err.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = []
    for idx, subs in branches.items():
        if not any(len(s.relative_path) == 0 and _other_type(s, inst) for s in subs):
            fitting.append(subs)
    return fitting[0] if len(fitting) == 1 else None


def _json_type(v: Any) -> str:
    return ("boolean" if isinstance(v, bool) else "number" if isinstance(v, (int, float)) else
            "string" if isinstance(v, str) else "array" if isinstance(v, list) else
            "object" if isinstance(v, dict) else "null")


def _other_type(err, inst: Any) -> bool:
    """Whether a branch's error says the value is of another type than the branch wants: a
    `type` error, or an `enum`/`const` of values none of which has the value's type (so that
    `[1]` against "nodes or a list of them" is reported inside the list, not as "must be a
    list, got a list")."""
    if err.validator == "type":
        return True
    if err.validator in ("enum", "const"):
        allowed = err.validator_value if err.validator == "enum" else [err.validator_value]
        return all(_json_type(a) != _json_type(inst) for a in allowed)
    return False


def _python_fix(path: tuple, at: Pos | None) -> str | None:
    """At a Python line, the builder call that sets the missing field at ``path`` (when the
    builders have one)."""
    call = builder_call(path) if in_python(at) else None
    return f"add `{call}`" if call else None


def _required_hint(path: tuple) -> str | None:
    return {
        ("image",): 'add e.g. `image: ghcr.io/acme/api:1.0.0`',
        ("name",): "every document needs a `name:` (a DNS-1123 label such as `api`)",
        ("schedule",): 'add a cron schedule, e.g. `schedule: "0 2 * * *"`',
        ("volumes", "*", "mount"): "add `mount: /path` (where the volume is mounted in the container)",
    }.get(path if path[:1] != ("volumes",) or len(path) != 3 else ("volumes", "*", path[2]))


def _type_hint(expected: Any, inst: Any) -> str | None:
    if expected == "integer" and isinstance(inst, str) and inst.strip().isdigit():
        return f"write {inst.strip()} without quotes"
    if expected == "string" and isinstance(inst, (int, float)) and not isinstance(inst, bool):
        return f'quote it: "{inst}"'
    return None
