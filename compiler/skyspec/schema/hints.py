"""Hints for the schema errors whose schema gives none (no `x-hint`, no caller's fix, no
close spelling): phrased from what the failing keyword asks for (a type, a range, a pattern,
a number of items) and from the schema's own `examples`, so that every schema error says how
to fix it. A hint shows the schema's words and examples only, never the value that failed
(it may be a secret's). At a Python builder's line the examples, written in YAML, are left
out. This module only phrases; it must not validate or report.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..yamlemit import dump

# What a pattern of the schemas asks for, in words: keyed by the pattern without the merge
# operator suffix that overlay keys may carry (`(?:...)[-+!]?$`, see .patch).
_PATTERNS = {
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$":
        "use lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. `api`)",
    r"^/": "write an absolute path, starting with `/`",
    r"^[A-Za-z_][A-Za-z0-9_]*$": "use letters, digits and '_', not starting with a digit (e.g. `LOG_LEVEL`)",
    r"^[-._a-zA-Z]([-._a-zA-Z0-9]*[._a-zA-Z0-9])?$":
        "an environment variable's name is letters, digits, '_', '-' and '.', not starting with a digit nor ending "
        "with '-' (e.g. `LOG_LEVEL`)",
    r"^https?://": "write a URL starting with `http://` or `https://`",
    r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$":
        "a label value is at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit; "
        "quote it if YAML would read it otherwise (`\"true\"`, `\"1.0\"`)",
    r"^[0-9a-fA-F:.]+/[0-9]{1,3}$": "write an address range in CIDR notation, e.g. `10.0.0.0/8` or `fd00::/8`",
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$":
        "a label key is an optional DNS prefix and `/`, then letters, digits, '-', '_' and '.' "
        "(e.g. `tier` or `app.kubernetes.io/part-of`)",
    r"^[A-Za-z0-9!#%&'*+.^_`|~-]+$": "use an HTTP header name: letters, digits and `-` (e.g. `X-Request-Id`)",
    r"^[A-Z][A-Za-z]+$": "write a Kubernetes kind, capitalized, e.g. `Deployment`",
    r"^[-._a-zA-Z0-9]+$": "use letters, digits, '-', '_' and '.' (a ConfigMap or Secret key, e.g. `app.conf`)",
    r"^[A-Z_]+$": "write a Linux capability in capitals without the `CAP_` prefix, e.g. `NET_BIND_SERVICE`",
    r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$":
        "write a host name in lower case, e.g. `shop.example.com` (or `*.example.com` for every subdomain)",
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$":
        "use lower-case letters, digits, '-' and '.' (a DNS-1123 subdomain), e.g. `shop.example.com`",
    r"^([0-9]+(s|m|h))+$": "write a duration such as `30s`, `5m` or `1h30m`",
    r"^[0-9]+(s|m)$": "write a duration in seconds or minutes, such as `30s` or `5m`",
    r"^[^\s,]+$": "leave out spaces and commas",
    r"^[a-z][-a-z0-9_.]*$": "use lower-case letters, digits, '-', '_' and '.', starting with a letter",
    r"^[a-z][-a-z0-9_]*$": "use lower-case letters, digits, '-' and '_', starting with a letter",
    r"^[a-z][a-z0-9_.]*$": "use lower-case letters, digits, '_' and '.', starting with a letter",
    r"^[a-z][-a-z0-9]*$": "use lower-case letters, digits and '-', starting with a letter",
    r"^[A-Za-z][A-Za-z0-9_.]*$": "use letters, digits, '_' and '.', starting with a letter",
    r"^[A-Za-z_][A-Za-z0-9_.-]*$": "use letters, digits, '_', '.' and '-', not starting with a digit",
    r"^[A-Za-z0-9_.-]+$": "use letters, digits, '_', '.' and '-'",
    r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$":
        "use letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    r"^[A-Za-z0-9][A-Za-z0-9._/-]*$": "use letters, digits, '.', '_', '/' and '-', starting with a letter or digit",
}
_OPERATOR_SUFFIX = re.compile(r"^\^\(\?:(.*)\)\[-\+!\]\?\$$")


def _words(pattern: str) -> str | None:
    m = _OPERATOR_SUFFIX.match(pattern)
    return _PATTERNS.get(f"^{m.group(1)}$" if m else pattern)


def _flow(v: Any) -> str:
    """``v`` on one line of YAML (flow style), as an example in a hint."""
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    text = dump(v).rstrip("\n")
    if "\n" in text or any(c in text for c in ",[]{}#") and not text.startswith('"'):
        return json.dumps(v, ensure_ascii=False)
    return text


_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object",
               type(None): "null"}


def _example(schemas: list, leaf: str | None, want: str | None = None) -> str | None:
    """`leaf: <example>` from the first schema of ``schemas`` with an example (of JSON type
    ``want`` when given), or None."""
    for s in schemas:
        for ex in s.get("examples", ()) if isinstance(s, dict) else ():
            t = _JSON_TYPES.get(type(ex))
            if want is None or t == want or (want == "number" and t == "integer"):
                return f"`{leaf}: {_flow(ex)}`" if leaf else f"`{_flow(ex)}`"
    return None


def _eg(text: str, example: str | None) -> str:
    return f"{text}, e.g. {example}" if example else text


def _type_hint(want: list, inst: Any, schemas: list, leaf: str | None, example) -> str | None:
    if inst is None:
        return (f"give `{leaf}` a value, or remove the key (a key with nothing after it is null in YAML)"
                if leaf else "give the item a value, or remove it")
    first = want[0] if want else None
    ex = example(first)
    if len(want) > 1:
        return _eg("write it as " + " or ".join(_KIND_WORDS.get(t, t) for t in want), ex or example())
    if first == "integer":
        return _eg("write a whole number, without quotes", ex)
    if first == "number":
        return _eg("write a number, without quotes", ex)
    if first == "boolean":
        return "write true or false, without quotes"
    if first == "string":
        return _eg("write text, quoted if YAML would read it as something else (`\"1.0\"`, `\"true\"`)", ex)
    if first == "array":
        return _eg("write a list: `[a, b]`, or one `- item` line per element", ex)
    if first == "object":
        keys = [k for s in schemas if isinstance(s, dict) for k in s.get("properties", {})]
        text = "write a map: `key: value` lines indented under the key"
        if keys:
            shown = ", ".join(keys[:8]) + (", ..." if len(keys) > 8 else "")
            text = f"write a map with the keys it takes ({shown})"
        return _eg(text, ex)
    return ex and f"e.g. {ex}"


_KIND_WORDS = {"integer": "a whole number", "number": "a number", "string": "text", "boolean": "true or false",
               "object": "a map", "array": "a list", "null": "null"}


def _bounds(s: dict) -> str | None:
    lo = s.get("minimum", s.get("exclusiveMinimum"))
    hi = s.get("maximum", s.get("exclusiveMaximum"))
    lo_word = "above" if "minimum" not in s and lo is not None else "at least"
    hi_word = "below" if "maximum" not in s and hi is not None else "at most"
    if lo is not None and hi is not None and "minimum" in s and "maximum" in s:
        return f"use a value from {lo} to {hi}"
    if lo is not None and hi is not None:
        return f"use a value {lo_word} {lo} and {hi_word} {hi}"
    if lo is not None:
        return f"use a value {lo_word} {lo}"
    if hi is not None:
        return f"use a value {hi_word} {hi}"
    return None


# the keywords that bound a count: the hint's words, and the unit counted
_COUNTS = {"minItems": ("list at least {}, or leave the key out", "item"), "maxItems": ("list at most {}", "item"),
           "minProperties": ("give it at least {}, or leave the key out", "key"),
           "maxProperties": ("keep at most {}: the others are alternatives", "key"),
           "minLength": ("write at least {}", "character"), "maxLength": ("shorten it to at most {}", "character")}


def hint(keyword: str, schema: dict, inst: Any, leaf: str | None, python: bool = False,
         branches: list | None = None) -> str | None:
    """A hint for a failed ``keyword`` of ``schema`` (for `oneOf`/`anyOf`: its ``branches``)
    on the value ``inst`` of the field whose key is ``leaf`` (None for a list item or the
    document), or None when nothing useful can be said."""
    schemas = [schema, *(branches or ())]

    def example(want: str | None = None) -> str | None:
        # the examples are YAML: at a builder's line, the words alone
        return None if python else _example(schemas, leaf, want)

    return _hint(keyword, schema, inst, leaf, schemas, example)


def _hint(keyword: str, s: dict, inst: Any, leaf: str | None, schemas: list, example) -> str | None:
    if keyword == "type":
        want = s.get("type")
        return _type_hint(want if isinstance(want, list) else [want], inst, schemas, leaf, example)
    if keyword in ("oneOf", "anyOf"):
        want = []
        for b in schemas[1:]:
            t = b.get("type") if isinstance(b, dict) else None
            for x in t if isinstance(t, list) else [t] if t else []:
                if x not in want:
                    want.append(x)
        if want:
            return _type_hint(want, inst, schemas, leaf, example)
        return f"write one of the forms the field takes, e.g. {example()}" if example() else None
    if keyword in ("enum", "const"):
        return "write one of the values listed, exactly as shown (case matters)"
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return _bounds(s)
    if keyword in ("pattern", "format"):
        pattern = s.get("pattern") if isinstance(s.get("pattern"), str) else None
        words = _words(pattern) if pattern else None
        if words:
            return words
        ex = example()
        if ex:
            return f"write it in the form the field takes, e.g. {ex}"
        return f"it must match the regular expression `{pattern}`" if pattern else None
    if keyword in _COUNTS:
        text, unit = _COUNTS[keyword]
        n = s.get(keyword)
        return text.format(f"{n} {unit if n == 1 else unit + 's'}")
    if keyword == "uniqueItems":
        return "remove the repeated items"
    return f"e.g. {example()}" if example() else None


def required(schema: dict, name: str, python: bool = False) -> str:
    """The hint for a missing required field ``name`` of ``schema``."""
    prop = schema.get("properties", {}).get(name) if isinstance(schema.get("properties"), dict) else None
    ex = None if python or not isinstance(prop, dict) else _example([prop], name)
    return f"add {ex}" if ex else f"add `{name}`"
