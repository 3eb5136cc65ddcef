"""The built-in functions of `${...}` expressions: their names, signatures, arities and bodies.

``FUNCTIONS`` (name -> signature shown in hints) and ``ARITY`` are what the parser checks
calls against; ``call`` runs one function on values already evaluated. ``default`` is
listed here but run by the evaluator, since it must see a missing reference before it
fails. Every function is pure and bounded by the limits: none may evaluate an AST,
resolve references, touch the file system or the environment, or call Python's ``eval``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import ExprError, clip
from .values import as_text, is_num, num, type_name

FUNCTIONS = {  # name -> signature shown in hints
    "upper": "upper(s)", "lower": "lower(s)", "default": "default(x, fallback)",
    "join": "join(list, sep)", "len": "len(x)", "str": "str(x)", "int": "int(x)",
    "min": "min(a, b, ...) or min(list)", "max": "max(a, b, ...) or max(list)",
    "replace": "replace(s, old, new)",
}
# name -> (what it does, an example, the example's value as text in an env var): the language
# reference's table (docs/language.md), whose examples a test evaluates in a spec
DOCS = {
    "upper": ("The text in upper case.", "upper('eu-west')", "EU-WEST"),
    "lower": ("The text in lower case.", "lower(project.name)", "ref"),
    "default": ("`x`, or `fallback` when `x` is null or names something missing.",
                "default(vars.zone, 'a')", "a"),
    "join": ("The items of a list as text, with `sep` between them.", "join(['a', 'b', 'c'], ',')", "a,b,c"),
    "len": ("The length of a text, a list or a map.", "len(self.ports)", "1"),
    "str": ("A value as text (`true`, `2.5`, the empty text for null).", "str(self.replicas) + 'x'", "2x"),
    "int": ("A whole number from a number or from digits.", "int('42') + 1", "43"),
    "min": ("The smallest of numbers (or of texts), given one by one or as a list.", "min(4, self.replicas)", "2"),
    "max": ("The largest, like `min`.", "max([1, 5, 3])", "5"),
    "replace": ("The text with every `old` replaced by `new`.", "replace('a.b.c', '.', '-')", "a-b-c"),
}
ARITY = {"upper": (1, 1), "lower": (1, 1), "default": (2, 2), "join": (2, 2), "len": (1, 1),
         "str": (1, 1), "int": (1, 1), "min": (1, 255), "max": (1, 255), "replace": (3, 3)}


def _want(name: str, v: Any, *types: str) -> None:
    if type_name(v) not in types:
        raise ExprError(f"{name}() needs a {' or a '.join(types)}, got a {type_name(v)}", f"use {FUNCTIONS[name]}")


_INT_TEXT = re.compile(r"\s*[+-]?\d{1,19}\s*")


def call(name: str, args: list, budget: Any) -> Any:
    """``name(*args)``; ``budget`` (a Budget) bounds the strings built."""
    if name in ("upper", "lower"):
        _want(name, args[0], "string")
        out = args[0].upper() if name == "upper" else args[0].lower()
        budget.text(len(out))  # a few characters grow when cased
        return out
    if name == "len":
        _want(name, args[0], "string", "list", "map")
        return len(args[0])
    if name == "str":
        return as_text(args[0])
    if name == "int":
        v = args[0]
        if isinstance(v, bool) or v is None or isinstance(v, (list, dict)):
            raise ExprError(f"int() cannot convert a {type_name(v)}", "int() takes a number or digits as text")
        if isinstance(v, int):
            return v
        if isinstance(v, float):
            if not math.isfinite(v):
                raise ExprError("int() cannot convert a number that is not finite", "keep the numbers finite")
            return num(int(v))
        if isinstance(v, str):
            if not _INT_TEXT.fullmatch(v):
                raise ExprError(f"int() cannot read {clip(repr(v))} as a whole number",
                                "the text must be digits, optionally signed")
            return num(int(v))
        raise ExprError(f"int() cannot convert a {type_name(v)}", "int() takes a number or text of digits")
    if name == "join":
        items, sep = args
        _want(name, items, "list")
        _want(name, sep, "string")
        texts = []
        size = 0
        for x in items:
            if isinstance(x, (list, dict)):
                raise ExprError(f"join() can only join text, numbers and booleans, found a {type_name(x)}",
                                "join a list of values, not of lists or maps")
            t = as_text(x)
            size += len(t) + len(sep)
            if size > budget.limits.expr_chars + len(sep):
                budget.text(size - len(sep))
            texts.append(t)
        budget.text(max(size - len(sep), 0))
        return sep.join(texts)
    if name == "replace":
        s, old, new = args
        for v in args:
            _want(name, v, "string")
        count = s.count(old) if old else len(s) + 1
        budget.text(len(s) + count * (len(new) - len(old)))
        return s.replace(old, new)
    if name in ("min", "max"):
        items = args
        if len(args) == 1:
            if not isinstance(args[0], list):
                raise ExprError(f"{name}() of one value needs a list, got a {type_name(args[0])}",
                                f"use {FUNCTIONS[name]}")
            items = args[0]
        if not items:
            raise ExprError(f"{name}() of an empty list", "guard it with a conditional: `max(l) if len(l) > 0 else 0`")
        if not (all(is_num(x) for x in items) or all(isinstance(x, str) for x in items)):
            kinds = sorted({type_name(x) for x in items})
            raise ExprError(f"{name}() needs all numbers or all strings, got {' and '.join(kinds)}",
                            "convert them first: `int(x)` or `str(x)`")
        return min(items) if name == "min" else max(items)
    raise ExprError(f'unknown function "{name}"', f"functions: {', '.join(sorted(FUNCTIONS))}")  # pragma: no cover - rejected by the parser

