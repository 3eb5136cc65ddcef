"""What the operators of `${...}` expressions do to values, under the language's strict types.

Type names for messages, 64-bit/finite number checks, interpolation into text, equality and
ordering, ``+ - * / // %`` and bounded repetition: each a pure function of plain values
(None, bool, int, float, str, list, dict) that returns a new value or raises ExprError.
It must not walk an AST, resolve references, or know about specs, layers or diagnostics.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import INT_MAX, ExprError

def type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "map"
    return type(v).__name__


def is_num(v: Any) -> bool:
    return type(v) in (int, float) or isinstance(v, (int, float)) and not isinstance(v, bool)


def num(v: Any) -> Any:
    if type(v) is int:
        if -INT_MAX <= v <= INT_MAX:
            return v
        raise ExprError("integer overflow: the result is beyond 64 bits", "integers are 64-bit")
    if not math.isfinite(v):
        raise ExprError("number overflow: the result is not finite", "keep the numbers smaller")
    return v


def as_text(v: Any) -> str:
    """A value interpolated into text."""
    if isinstance(v, str):
        return v
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v) if type(v) is not float else repr(v)
    raise ExprError(f"cannot put a {type_name(v)} into text",
                    "make the expression the whole string to keep its type"
                    + (", or use join(list, \", \")" if isinstance(v, list) else ""))


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_num(a) and is_num(b):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_eq(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return _eq(a, b)
    if op == "!=":
        return not _eq(a, b)
    if not (is_num(a) and is_num(b) or isinstance(a, str) and isinstance(b, str)):
        raise ExprError(f'cannot compare a {type_name(a)} with a {type_name(b)} using "{op}"',
                        "order compares numbers with numbers and strings with strings")
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _repeat(seq: Any, times: Any, budget: Any) -> Any:
    if isinstance(times, bool) or not isinstance(times, int):
        raise ExprError(f"cannot repeat a {type_name(seq)} a {type_name(times)} number of times",
                        "repeat with a whole number: \"ab\" * 3")
    times = max(times, 0)
    items, chars = budget.size(seq)
    budget.check(items * times, chars * times, type_name(seq))  # before anything is built
    budget.spend(len(seq) * times)
    return budget.built(seq * times, items * times, chars * times)


def binop(op: str, a: Any, b: Any, budget: Any) -> Any:
    """``a op b``; ``budget`` (a Budget) bounds what repetition and joining build."""
    if is_num(a) and is_num(b):
        if op == "+":
            return num(a + b)
        if op == "-":
            return num(a - b)
        if op == "*":
            return num(a * b)
        if b == 0:
            raise ExprError(f"division by zero ({as_text(a)} {op} 0)",
                            "guard it: `x / n if n != 0 else 0`")
        if op == "/":
            if type(a) is int and type(b) is int:
                q, r = divmod(a, b)
                return num(q) if r == 0 else num(a / b)
            return num(a / b)
        if op == "//":
            return num(a // b)
        return num(a % b)
    if op == "+":
        if isinstance(a, str) and isinstance(b, str) or isinstance(a, list) and isinstance(b, list):
            ia, ca = budget.size(a)
            ib, cb = budget.size(b)
            budget.check(ia + ib, ca + cb, type_name(a))
            budget.spend(len(a) + len(b))
            return budget.built(a + b, ia + ib, ca + cb)
    if op == "*":
        if isinstance(a, (str, list)):
            return _repeat(a, b, budget)
        if isinstance(b, (str, list)):
            return _repeat(b, a, budget)
    hint = f'"{op}" takes two numbers' + (", or two strings or two lists" if op == "+" else "") + \
        ("; true and false are not numbers: `x if cond else y` chooses between numbers" if isinstance(a, bool)
         or isinstance(b, bool) else "")
    if op == "+" and (isinstance(a, str) or isinstance(b, str)):
        hint = "convert with str(x) to join text, or int(x) to add numbers"
    elif op in ("-", "*", "/", "//", "%") and (isinstance(a, str) or isinstance(b, str)):
        hint = "convert text to a number with int(x)"
    raise ExprError(f'cannot apply "{op}" to a {type_name(a)} and a {type_name(b)}', hint)

