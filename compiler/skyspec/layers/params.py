"""The parameter declarations of a template (`params:`), checked before any spec uses them.

Each parameter is declared as a JSON Schema (draft 2020-12) that values of the parameter are
later validated against. A declaration comes from a file of the project, so it is untrusted
like a spec: here it must be a map, use only a fixed vocabulary of keywords (validation and
annotation keywords, the applicators, and skyspec's `x-message`/`x-hint`), have values the
metaschema accepts (`type: strnig` is no type, `pattern: "("` no regular expression) and
refer to nothing: `$ref`, `$id`, `$schema`, `$defs` and the like are refused, because the
validator would resolve a reference by reading a file or fetching a URL. Every problem is
SKY121 at its line. This module only checks declarations: it must not validate parameter
values, read files or resolve anything.
"""

from __future__ import annotations

import json
from typing import Any

from ..diagnostics import Diagnostics, did_you_mean
from ..frontend.loc import Loc
from ..schema.validate import pattern_problem

# keyword -> how its value holds subschemas: "one" (a schema), "list" (schemas), "map" (name -> schema)
_APPLICATORS = {
    "items": "one", "contains": "one", "additionalProperties": "one", "propertyNames": "one", "not": "one",
    "if": "one", "then": "one", "else": "one", "unevaluatedItems": "one", "unevaluatedProperties": "one",
    "prefixItems": "list", "allOf": "list", "anyOf": "list", "oneOf": "list",
    "properties": "map", "patternProperties": "map", "dependentSchemas": "map",
}
_PLAIN = frozenset((
    "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "format", "maxItems", "minItems", "uniqueItems", "maxContains",
    "minContains", "maxProperties", "minProperties", "required", "dependentRequired",
    "title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly", "$comment",
    "x-message", "x-hint",
))
# every keyword a parameter's declaration may use (the language reference lists them)
KEYWORDS = tuple(sorted(set(_APPLICATORS) | _PLAIN))
_REFERENCES = frozenset(("$ref", "$dynamicRef", "$id", "$schema", "$anchor", "$dynamicAnchor", "$defs",
                         "definitions", "$vocabulary", "$recursiveRef", "$recursiveAnchor", "dependencies"))
_TYPES = ("string", "integer", "number", "boolean", "object", "array", "null")
_WORDS = {"number": "a number", "integer": "an integer", "string": "a string", "boolean": "true or false",
          "array": "a list", "object": "a map", "null": "null"}
_HINT = "a parameter is declared as a JSON Schema map, e.g. `version: {type: string, pattern: \"^[0-9]+$\"}`"


def check_params(params: Any, loc: Loc | None, diags: Diagnostics) -> bool:
    """Whether a template's `params` (at ``loc``, the `params` value) declare every parameter
    well; each problem is reported (SKY121) where it is written."""
    if params is None:
        return True
    if not isinstance(params, dict):
        diags.error("SKY121", "the template's `params` must be a map of parameter declarations",
                    loc.pos if loc else None, hint=_HINT)
        return False
    ok = True
    for name, schema in params.items():
        ploc = loc.child(name) if loc else None
        ok &= _Check(diags, name).schema(schema, ploc, loc.key_pos(name) if loc else None)
    return ok


class _Check:
    def __init__(self, diags: Diagnostics, name: str):
        self.diags = diags
        self.name = name
        self.ok = True

    def bad(self, message: str, pos, hint: str | None = None) -> None:
        self.ok = False
        self.diags.error("SKY121", f'parameter "{self.name}": {message}', pos, hint=hint)

    def schema(self, s: Any, loc: Loc | None, at=None) -> bool:
        """One (sub)schema: the keywords first, then the metaschema on what they hold."""
        if not isinstance(s, dict):
            self.bad("a declaration must be a map (a JSON Schema)", loc.pos if loc else at, hint=_HINT)
            return self.ok
        if self._keywords(s, loc):
            self._meta(s, loc)
        return self.ok

    def _keywords(self, s: dict, loc: Loc | None) -> bool:
        fine = True
        for k, v in s.items():
            kpos = (loc.key_pos(k) if loc else None) or (loc.pos if loc else None)
            vloc = loc.child(k) if loc else None
            if k in _REFERENCES:
                self.bad(f'"{k}" is not allowed', kpos,
                         hint="a declaration is self-contained: skyspec resolves no references (they could read "
                              "files or URLs); write the schema out")
                fine = False
            elif k in _APPLICATORS:
                shape = _APPLICATORS[k]
                if shape == "one" and isinstance(v, dict):
                    self.schema(v, vloc)
                elif shape == "list" and isinstance(v, list):
                    for i, x in enumerate(v):
                        self.schema(x, vloc.child(i) if vloc else None)
                elif shape == "map" and isinstance(v, dict):
                    for n, x in v.items():
                        self.schema(x, vloc.child(n) if vloc else None, vloc.key_pos(n) if vloc else None)
                        if k == "patternProperties":
                            self._pattern(n, vloc.key_pos(n) if vloc else None)
                elif not (shape == "one" and isinstance(v, bool)):
                    self.bad(f'"{k}" must hold {"a schema" if shape == "one" else "a list of schemas" if shape == "list" else "a map of schemas"}',
                             vloc.pos if vloc else kpos)
                    fine = False
            elif k == "pattern" and isinstance(v, str):
                self._pattern(v, vloc.pos if vloc else kpos)
            elif k not in _PLAIN:
                self.bad(f'unknown keyword "{k}"', kpos,
                         hint=did_you_mean(k, [*_PLAIN, *_APPLICATORS]) or "see the JSON Schema validation keywords")
                fine = False
        return fine

    def _pattern(self, p: str, pos) -> None:
        problem = pattern_problem(p)
        if problem:
            self.bad(f'"{p}" is not a regular expression: {problem}', pos)

    def _meta(self, s: dict, loc: Loc | None) -> None:
        """The keywords' own values (`type: strnig`, `minimum: a`), against the metaschema;
        subschemas are checked on their own, so only this level's keywords are looked at."""
        own = {k: v for k, v in s.items() if k not in _APPLICATORS and k not in ("pattern",)}
        if all(_plainly_valid(k, v) for k, v in own.items()):
            return  # what the metaschema accepts, seen without importing jsonschema (most declarations)
        from jsonschema import Draft202012Validator

        meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
        for err in sorted(meta.iter_errors(own), key=lambda e: list(map(str, e.path))):
            path = tuple(err.path)
            node = loc.find(path) if loc is not None else None
            pos = node.pos if node is not None else (loc.pos if loc else None)
            if path[:1] == ("type",):
                words = s["type"] if isinstance(s["type"], list) else [s["type"]]
                word = next((w for w in words if w not in _TYPES), s["type"])
                self.bad(f'"{word}" is not a type' if isinstance(word, str) else "`type` must name a type",
                         pos, hint=(did_you_mean(word, _TYPES) if isinstance(word, str) else None)
                         or f"types: {', '.join(_TYPES)}")
            elif err.validator == "type" and path:
                want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
                self.bad(f"`{'.'.join(map(str, path))}` must be {' or '.join(_WORDS.get(w, w) for w in want)}, "
                         f"got {json.dumps(err.instance)}", pos)
            else:
                self.bad(f"`{'.'.join(map(str, path)) or 'the declaration'}`: {err.message}", pos)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _strings(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v) and len(set(v)) == len(v)


# keyword -> a test that holds only of values the 2020-12 metaschema accepts for it (a value
# it fails, or a keyword not listed, goes to the metaschema itself, which says what is wrong)
_PLAINLY = {
    "type": lambda v: v in _TYPES if isinstance(v, str) else (_strings(v) and bool(v) and set(v) <= set(_TYPES)),
    "title": lambda v: isinstance(v, str), "description": lambda v: isinstance(v, str),
    "$comment": lambda v: isinstance(v, str), "format": lambda v: isinstance(v, str),
    "default": lambda v: True, "const": lambda v: True, "examples": lambda v: isinstance(v, list),
    "enum": lambda v: isinstance(v, list), "required": _strings,
    "deprecated": lambda v: isinstance(v, bool), "readOnly": lambda v: isinstance(v, bool),
    "writeOnly": lambda v: isinstance(v, bool), "uniqueItems": lambda v: isinstance(v, bool),
    "minimum": _number, "maximum": _number, "exclusiveMinimum": _number, "exclusiveMaximum": _number,
    "multipleOf": lambda v: _number(v) and v > 0,
    "minLength": _count, "maxLength": _count, "minItems": _count, "maxItems": _count, "minProperties": _count,
    "maxProperties": _count, "minContains": _count, "maxContains": _count,
    "x-message": lambda v: True, "x-hint": lambda v: True,
}


def _plainly_valid(keyword: str, value: Any) -> bool:
    test = _PLAINLY.get(keyword)
    return test is not None and test(value)
