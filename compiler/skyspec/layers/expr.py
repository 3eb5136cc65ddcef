"""`${...}` expressions in spec strings, resolved after every layer has merged.

A string value holding ``${...}`` is a template. When the whole string is one expression
(``"${self.replicas * 2}"``) the value takes the expression's result with its type; otherwise
each ``${...}`` is replaced by its result as text. ``$${`` writes a literal ``${``.

Expressions are late-bound, as in Jsonnet: ``self`` is the spec's *final* merged data,
``super`` the value as it was beneath the layer that wrote the expression. They are parsed
by a hand-written tokenizer and recursive-descent parser into a small tuple AST and run by a
tree-walking evaluator: nothing here ever calls ``eval``, ``exec``, ``compile`` or
``ast.literal_eval``.

Grammar (EBNF; ``{x}`` repeats, ``[x]`` is optional)::

    template    = { text | "$${" | "${" expr "}" } ;
    expr        = or_expr [ "if" or_expr "else" expr ] ;        (* a if cond else b *)
    or_expr     = and_expr { "or" and_expr } ;
    and_expr    = not_expr { "and" not_expr } ;
    not_expr    = "not" not_expr | comparison ;
    comparison  = sum [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) sum ] ;   (* not chained *)
    sum         = product { ( "+" | "-" ) product } ;
    product     = unary { ( "*" | "/" | "//" | "%" ) unary } ;
    unary       = "-" unary | postfix ;
    postfix     = atom { "." segment | "[" expr "]" } ;
    atom        = number | string | "true" | "false" | "null"
                | "[" [ expr { "," expr } [ "," ] ] "]" | "(" expr ")"
                | name "(" [ expr { "," expr } ] ")"                        (* a function *)
                | ( "self" | "super" | "apps" | "env" | "project" | "vars" ) ;
    segment     = word { "-" word } ;            (* a key: `apps.api-gateway.replicas` *)
    number      = digits [ "." digits ] [ ( "e" | "E" ) [ "+" | "-" ] digits ] ;
    string      = "'" ... "'" | '"' ... '"' ;    (* escapes: \\ \' \" \n \t \r \$ *)

Because a key after ``.`` may contain ``-``, subtraction right after a reference needs
spaces: ``self.replicas - 1`` (``self.replicas-1`` names the key ``replicas-1``; the error
says so). Keys that are not words are written ``self.labels["app.kubernetes.io/name"]``;
``[i]`` indexes lists (negative counts from the end).

References: ``self.<path>``; ``super.<path>``; ``apps.<workload>.<path>``; ``env.<field>``;
``project.<field>``; ``vars.<name>``. Values found through a reference that are themselves
expressions are resolved first (memoized per spec and path); a cycle is SKY206.

Semantics (decisions):

* types are strict: ``1 + "a"`` is an error (write ``str(1) + "a"``); booleans are not
  numbers; ``not``/``and``/``or`` and the ``if`` condition need booleans (short-circuit);
* ``/`` is true division, but int / int that divides exactly stays an int (``replicas / 2``
  is ``2``, not ``2.0``); ``//`` floors; ``%`` takes the divisor's sign (as in Python);
* ``==`` compares values (``1 == 1.0``; ``true != 1``); ``< <= > >=`` compare numbers with
  numbers and strings with strings;
* ``"ab" * 3`` and ``[1] * 3`` repeat (bounded); ``+`` joins strings and lists;
* interpolated into text: strings as they are, ints in decimal, floats as Python prints them
  (``2.5``), booleans as ``true``/``false``, null as the empty string; a map or a list is an
  error (make the expression the whole string, or use ``join``);
* ints are 64-bit: a result beyond +/-(2**63 - 1) is an error; floats must be finite.

Functions: ``upper(s)``, ``lower(s)``, ``default(x, fallback)`` (fallback when ``x`` is
null or a reference to something missing), ``join(list, sep)``, ``len(x)``, ``str(x)``,
``int(x)``, ``min(a, b, ...)`` / ``min(list)``, ``max(...)``, ``replace(s, old, new)``.

Limits, against abuse: 2,000 characters per expression, nesting 32 deep, references to
other expressions 32 deep and 256 levels of evaluation along such a chain, built strings of
100,000 characters and lists of 10,000 items; all checked before the value is built.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from ..diagnostics import Diagnostics, Pos, did_you_mean
from ..frontend.loc import uniform_loc
from .merge import MISSING, Entry, Prov, prov_from_loc

__all__ = ["resolve", "FUNCTIONS", "ROOTS"]

MAX_EXPR_CHARS = 2_000
MAX_NESTING = 32
MAX_REF_DEPTH = 32
MAX_LEVELS = 256  # evaluation depth summed along a chain of references (keeps Python's stack safe)
MAX_STR = 100_000
MAX_LIST = 10_000
INT_MAX = 2**63 - 1

ROOTS = ("self", "super", "apps", "env", "project", "vars")
FUNCTIONS = {  # name -> signature shown in hints
    "upper": "upper(s)", "lower": "lower(s)", "default": "default(x, fallback)",
    "join": "join(list, sep)", "len": "len(x)", "str": "str(x)", "int": "int(x)",
    "min": "min(a, b, ...) or min(list)", "max": "max(a, b, ...) or max(list)",
    "replace": "replace(s, old, new)",
}
_ARITY = {"upper": (1, 1), "lower": (1, 1), "default": (2, 2), "join": (2, 2), "len": (1, 1),
          "str": (1, 1), "int": (1, 1), "min": (1, 255), "max": (1, 255), "replace": (3, 3)}
_KEYWORDS = frozenset(("true", "false", "null", "not", "and", "or", "if", "else"))
_CMP = frozenset(("==", "!=", "<", "<=", ">", ">="))
_NOT_WRITERS = frozenset(("merge", "remove", "evaluate", "delete"))
_SYNTAX_HINT = "expressions look like ${self.replicas * 2}; write $${ for a literal \"${\""


# ============================================================================ errors

class ExprError(Exception):
    """A problem in one expression (SKY205)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class MissingRef(ExprError):
    """A reference to something that does not exist (`default()` turns it into its fallback)."""


class _Quiet(Exception):
    """A value this expression needs failed, and that failure was already reported."""


# ============================================================================ tokenizer

_NUM = re.compile(r"\d+(\.\d+)?([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SEG = re.compile(r"[A-Za-z0-9_]+(?:-+[A-Za-z0-9_]+)*")
_ESC = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "$": "$"}
_OPS = ("==", "!=", "<=", ">=", "//", "+", "-", "*", "/", "%", "<", ">", "(", ")", "[", "]", ",", ".")


def _lex(s: str, i: int) -> tuple[list[tuple], int]:
    """Tokens of the expression starting at ``s[i]`` (just after ``${``), up to and
    including the closing ``}``; returns (tokens, index after the ``}``). A token is
    (kind, value, offset): kind is num, str, name, seg (a key after "."), op or end."""
    toks: list[tuple] = []
    n = len(s)
    start = i
    limit = min(n, start + MAX_EXPR_CHARS)
    while True:
        while i < limit and s[i] in " \t\r\n":
            i += 1
        if i >= limit:
            if limit < n:
                raise ExprError(f"expression longer than {MAX_EXPR_CHARS} characters",
                                "split it, or compute the value outside the spec")
            raise ExprError('"${" has no closing "}"', _SYNTAX_HINT)
        c = s[i]
        if c == "}":
            toks.append(("end", "}", i))
            return toks, i + 1
        if toks and toks[-1][0] == "op" and toks[-1][1] == ".":
            m = _SEG.match(s, i, limit)
            if not m:
                raise ExprError(f'expected a key after ".", found {_show_char(c)}',
                                'write keys as self.a.b, or self.a["any key"]')
            toks.append(("seg", m.group(), i))
            i = m.end()
            continue
        if c.isdigit():
            m = _NUM.match(s, i, limit)
            text = m.group()
            if m.group(1) or m.group(2):
                v: Any = float(text)
                if not math.isfinite(v):
                    raise ExprError(f"number {text} is too large")
            else:
                if len(text) > 19 or int(text) > INT_MAX:
                    raise ExprError(f"number {_clip(text)} is too large", "integers are 64-bit")
                v = int(text)
            toks.append(("num", v, i))
            i = m.end()
            continue
        if c == "_" or c.isalpha() and c.isascii():
            m = _NAME.match(s, i, limit)
            toks.append(("name", m.group(), i))
            i = m.end()
            continue
        if c in "'\"":
            j = i + 1
            buf: list[str] = []
            while True:
                if j >= limit:
                    raise ExprError(f"string {c}...{c} is not closed",
                                    f"end it with {c}" if limit == n
                                    else f"expressions are at most {MAX_EXPR_CHARS} characters")
                ch = s[j]
                if ch == c:
                    break
                if ch == "\\":
                    e = s[j + 1] if j + 1 < limit else ""
                    if e not in _ESC:
                        raise ExprError(f"unknown escape \\{e} in a string",
                                        "escapes: \\\\ \\' \\\" \\n \\t \\r \\$")
                    buf.append(_ESC[e])
                    j += 2
                    continue
                buf.append(ch)
                j += 1
            toks.append(("str", "".join(buf), i))
            i = j + 1
            continue
        for op in _OPS:
            if s.startswith(op, i):
                toks.append(("op", op, i))
                i += len(op)
                break
        else:
            hint = None
            if c == "?":
                hint = "conditionals are written `a if condition else b`"
            elif c == "&" or c == "|":
                hint = "write `and` / `or`"
            elif c == "!":
                hint = "write `not x`"
            elif c == "{":
                hint = "map literals are not supported"
            raise ExprError(f"unexpected {_show_char(c)}", hint or _SYNTAX_HINT)


def _show_char(c: str) -> str:
    return f'"{c}"' if c.isprintable() else repr(c)


# ============================================================================ parser
#
# AST nodes are tuples:
#   ("lit", v)  ("list", [n])  ("ref", root, [seg nodes])  ("get", n, key node)
#   ("neg", n)  ("not", n)  ("and", [n])  ("or", [n])  ("arith", n, [(op, n)])
#   ("cmp", op, a, b)  ("if", cond, then, else)  ("call", name, [n])

class _Parser:
    def __init__(self, toks: list[tuple]):
        self.toks = toks
        self.i = 0
        self.depth = 0

    # -------------------------------------------------------------- helpers
    def peek(self) -> tuple:
        return self.toks[self.i]

    def take(self) -> tuple:
        t = self.toks[self.i]
        self.i += 1
        return t

    def at(self, kind: str, value: Any = None) -> bool:
        t = self.toks[self.i]
        return t[0] == kind and (value is None or t[1] == value)

    def expect_op(self, op: str, what: str) -> None:
        if not self.at("op", op):
            raise ExprError(f'expected "{op}" {what}, found {_show_tok(self.peek())}', _SYNTAX_HINT)
        self.i += 1

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExprError(f"expression nests more than {MAX_NESTING} levels deep",
                            "simplify it, or split it across several values")

    # -------------------------------------------------------------- grammar
    def parse(self) -> tuple:
        if self.at("end"):
            raise ExprError("empty expression ${}", "write an expression between ${ and }, "
                                                    "or $${} for the literal text")
        node = self.expr()
        if not self.at("end"):
            t = self.peek()
            hint = _SYNTAX_HINT
            if t[0] == "op" and t[1] in _CMP:
                hint = "comparisons cannot be chained: write `a < b and b < c`"
            raise ExprError(f'expected an operator or "}}", found {_show_tok(t)}', hint)
        return node

    def expr(self) -> tuple:
        self.enter()
        node = self.or_expr()
        if self.at("name", "if"):
            self.i += 1
            cond = self.or_expr()
            if not self.at("name", "else"):
                raise ExprError(f'expected "else" in `a if condition else b`, found {_show_tok(self.peek())}',
                                "a conditional needs both branches: `a if condition else b`")
            self.i += 1
            node = ("if", cond, node, self.expr())
        self.depth -= 1
        return node

    def or_expr(self) -> tuple:
        items = [self.and_expr()]
        while self.at("name", "or"):
            self.i += 1
            items.append(self.and_expr())
        return ("or", items) if len(items) > 1 else items[0]

    def and_expr(self) -> tuple:
        items = [self.not_expr()]
        while self.at("name", "and"):
            self.i += 1
            items.append(self.not_expr())
        return ("and", items) if len(items) > 1 else items[0]

    def not_expr(self) -> tuple:
        if self.at("name", "not"):
            self.i += 1
            self.enter()
            node = ("not", self.not_expr())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> tuple:
        a = self.sum()
        t = self.peek()
        if t[0] == "op" and t[1] in _CMP:
            self.i += 1
            b = self.sum()
            u = self.peek()
            if u[0] == "op" and u[1] in _CMP:
                raise ExprError(f'comparisons cannot be chained ("{t[1]}" then "{u[1]}")',
                                "write `a < b and b < c`")
            return ("cmp", t[1], a, b)
        return a

    def sum(self) -> tuple:
        a = self.product()
        rest = []
        while self.at("op", "+") or self.at("op", "-"):
            op = self.take()[1]
            rest.append((op, self.product()))
        return ("arith", a, rest) if rest else a

    def product(self) -> tuple:
        a = self.unary()
        rest = []
        while True:
            t = self.peek()
            if t[0] == "op" and t[1] in ("*", "/", "//", "%"):
                self.i += 1
                rest.append((t[1], self.unary()))
            else:
                break
        return ("arith", a, rest) if rest else a

    def unary(self) -> tuple:
        if self.at("op", "-"):
            self.i += 1
            self.enter()
            node = self.unary()
            self.depth -= 1
            if node[0] == "lit" and type(node[1]) in (int, float):
                return ("lit", -node[1])
            return ("neg", node)
        return self.postfix()

    def postfix(self) -> tuple:
        node = self.atom()
        while True:
            if self.at("op", "."):
                self.i += 1
                t = self.take()  # the lexer makes the token after "." a seg, or the end
                if t[0] != "seg":
                    raise ExprError(f'expected a key after ".", found {_show_tok(t)}',
                                    'write keys as self.a.b, or self.a["any key"]')
                key = ("lit", int(t[1]) if t[1].isdigit() else t[1])
            elif self.at("op", "["):
                self.i += 1
                key = self.expr()
                self.expect_op("]", "to close the index")
            else:
                return node
            if node[0] == "ref":
                node = ("ref", node[1], node[2] + [key])
            else:
                node = ("get", node, key)

    def atom(self) -> tuple:
        t = self.take()
        kind, v = t[0], t[1]
        if kind in ("num", "str"):
            return ("lit", v)
        if kind == "name":
            if v == "true" or v == "false":
                return ("lit", v == "true")
            if v == "null":
                return ("lit", None)
            if self.at("op", "("):
                self.i += 1
                if v not in FUNCTIONS:
                    raise ExprError(f'unknown function "{v}"',
                                    did_you_mean(v, FUNCTIONS) or f"functions: {', '.join(FUNCTIONS)}")
                args = []
                if not self.at("op", ")"):
                    args.append(self.expr())
                    while self.at("op", ","):
                        self.i += 1
                        args.append(self.expr())
                self.expect_op(")", f"after the arguments of {v}()")
                lo, hi = _ARITY[v]
                if not lo <= len(args) <= hi:
                    raise ExprError(f"{v}() takes {_nargs(lo, hi)}, got {len(args)}", f"use {FUNCTIONS[v]}")
                return ("call", v, args)
            if v in ROOTS:
                return ("ref", v, [])
            if v in _KEYWORDS:
                raise ExprError(f'expected a value, found "{v}"', _SYNTAX_HINT)
            if v in FUNCTIONS:
                raise ExprError(f'{v} is a function: write {FUNCTIONS[v]}')
            raise ExprError(f'unknown name "{v}"',
                            did_you_mean(v, ROOTS) or
                            f"references start with {', '.join(ROOTS[:-1])} or {ROOTS[-1]}; "
                            "quote text: \"...\"")
        if kind == "op" and v == "(":
            node = self.expr()
            self.expect_op(")", 'to close "("')
            return node
        if kind == "op" and v == "[":
            items = []
            while not self.at("op", "]"):
                items.append(self.expr())
                if not self.at("op", ","):
                    break
                self.i += 1
            self.expect_op("]", "to close the list")
            if all(x[0] == "lit" for x in items):
                return ("lit", [x[1] for x in items]) if len(items) <= MAX_LIST else ("list", items)
            return ("list", items)
        self.i -= 1
        raise ExprError(f"expected a value, found {_show_tok(t)}", _SYNTAX_HINT)


def _nargs(lo: int, hi: int) -> str:
    if lo == hi:
        return f"{lo} argument{'s' if lo != 1 else ''}"
    return f"at least {lo} argument{'s' if lo != 1 else ''}"


def _show_tok(t: tuple) -> str:
    if t[0] == "end":
        return 'the end of the expression "}"'
    if t[0] == "str":
        return f"the string {_clip(repr(t[1]))}"
    return f'"{_clip(str(t[1]))}"'


@lru_cache(maxsize=8192)
def _parse_template(s: str) -> tuple:
    """A template string into parts: literal text, ("expr", ast, start, end) or
    ("error", ExprError, start, end) where start/end delimit ``${...}`` in ``s``.
    Cached by text: the same strings recur in every environment."""
    parts: list = []
    text: list[str] = []
    i, n = 0, len(s)
    while i < n:
        j = s.find("$", i)
        if j < 0:
            text.append(s[i:])
            break
        if s.startswith("$${", j):
            text.append(s[i:j] + "${")
            i = j + 3
            continue
        if not s.startswith("${", j):
            text.append(s[i:j + 1])
            i = j + 1
            continue
        text.append(s[i:j])
        if text:
            joined = "".join(text)
            if joined:
                parts.append(joined)
            text = []
        try:
            toks, end = _lex(s, j + 2)
        except ExprError as e:
            e.__traceback__ = None
            parts.append(("error", e, j, n))
            return tuple(parts)  # the rest of the string cannot be delimited
        try:
            node = _Parser(toks).parse()
            parts.append(("expr", node, j, end))
        except ExprError as e:
            e.__traceback__ = None
            parts.append(("error", e, j, end))
        i = end
    joined = "".join(text)
    if joined:
        parts.append(joined)
    return tuple(parts)


# ============================================================================ values

def _tname(v: Any) -> str:
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


def _is_num(v: Any) -> bool:
    return type(v) in (int, float) or isinstance(v, (int, float)) and not isinstance(v, bool)


def _num(v: Any) -> Any:
    if type(v) is int:
        if -INT_MAX <= v <= INT_MAX:
            return v
        raise ExprError("integer overflow: the result is beyond 64 bits", "integers are 64-bit")
    if not math.isfinite(v):
        raise ExprError("number overflow: the result is not finite")
    return v


def _text(v: Any) -> str:
    """A value interpolated into text."""
    if isinstance(v, str):
        return v
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v) if type(v) is not float else repr(v)
    raise ExprError(f"cannot put a {_tname(v)} into text",
                    "make the expression the whole string to keep its type"
                    + (", or use join(list, \", \")" if isinstance(v, list) else ""))


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_num(a) and _is_num(b):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_eq(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _cmp(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return _eq(a, b)
    if op == "!=":
        return not _eq(a, b)
    if not (_is_num(a) and _is_num(b) or isinstance(a, str) and isinstance(b, str)):
        raise ExprError(f'cannot compare a {_tname(a)} with a {_tname(b)} using "{op}"',
                        "order compares numbers with numbers and strings with strings")
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _repeat(seq: Any, times: Any) -> Any:
    if isinstance(times, bool) or not isinstance(times, int):
        raise ExprError(f"cannot repeat a {_tname(seq)} a {_tname(times)} number of times",
                        "repeat with a whole number: \"ab\" * 3")
    size = len(seq) * max(times, 0)
    cap = MAX_STR if isinstance(seq, str) else MAX_LIST
    if size > cap:
        raise ExprError(f"the {_tname(seq)} would have {size} {'characters' if isinstance(seq, str) else 'items'}, "
                        f"more than the limit of {cap}")
    return seq * max(times, 0)


def _binop(op: str, a: Any, b: Any) -> Any:
    if _is_num(a) and _is_num(b):
        if op == "+":
            return _num(a + b)
        if op == "-":
            return _num(a - b)
        if op == "*":
            return _num(a * b)
        if b == 0:
            raise ExprError(f"division by zero ({_text(a)} {op} 0)",
                            "guard it: `x / n if n != 0 else 0`")
        if op == "/":
            if type(a) is int and type(b) is int:
                q, r = divmod(a, b)
                return _num(q) if r == 0 else _num(a / b)
            return _num(a / b)
        if op == "//":
            return _num(a // b)
        return _num(a % b)
    if op == "+":
        if isinstance(a, str) and isinstance(b, str):
            if len(a) + len(b) > MAX_STR:
                raise ExprError(f"the string would have {len(a) + len(b)} characters, more than the limit of {MAX_STR}")
            return a + b
        if isinstance(a, list) and isinstance(b, list):
            if len(a) + len(b) > MAX_LIST:
                raise ExprError(f"the list would have {len(a) + len(b)} items, more than the limit of {MAX_LIST}")
            return a + b
    if op == "*":
        if isinstance(a, (str, list)):
            return _repeat(a, b)
        if isinstance(b, (str, list)):
            return _repeat(b, a)
    hint = None
    if op == "+" and (isinstance(a, str) or isinstance(b, str)):
        hint = "convert with str(x) to join text, or int(x) to add numbers"
    elif op in ("-", "*", "/", "//", "%") and (isinstance(a, str) or isinstance(b, str)):
        hint = "convert text to a number with int(x)"
    raise ExprError(f'cannot apply "{op}" to a {_tname(a)} and a {_tname(b)}', hint)


def _want(name: str, v: Any, *types: str) -> None:
    if _tname(v) not in types:
        raise ExprError(f"{name}() needs a {' or a '.join(types)}, got a {_tname(v)}", f"use {FUNCTIONS[name]}")


_INT_TEXT = re.compile(r"\s*[+-]?\d{1,19}\s*")


def _call(name: str, args: list) -> Any:
    if name in ("upper", "lower"):
        _want(name, args[0], "string")
        out = args[0].upper() if name == "upper" else args[0].lower()
        if len(out) > MAX_STR:  # a few characters grow when cased
            raise ExprError(f"the string would exceed the limit of {MAX_STR} characters")
        return out
    if name == "len":
        _want(name, args[0], "string", "list", "map")
        return len(args[0])
    if name == "str":
        return _text(args[0])
    if name == "int":
        v = args[0]
        if isinstance(v, bool) or v is None or isinstance(v, (list, dict)):
            raise ExprError(f"int() cannot convert a {_tname(v)}", "int() takes a number or digits as text")
        if isinstance(v, int):
            return v
        if isinstance(v, float):
            if not math.isfinite(v):
                raise ExprError("int() cannot convert a number that is not finite")
            return _num(int(v))
        if isinstance(v, str):
            if not _INT_TEXT.fullmatch(v):
                raise ExprError(f"int() cannot read {_clip(repr(v))} as a whole number",
                                "the text must be digits, optionally signed")
            return _num(int(v))
        raise ExprError(f"int() cannot convert a {_tname(v)}")
    if name == "join":
        items, sep = args
        _want(name, items, "list")
        _want(name, sep, "string")
        texts = []
        size = 0
        for x in items:
            if isinstance(x, (list, dict)):
                raise ExprError(f"join() can only join text, numbers and booleans, found a {_tname(x)}")
            t = _text(x)
            size += len(t) + len(sep)
            if size > MAX_STR + len(sep):
                raise ExprError(f"the string would exceed the limit of {MAX_STR} characters")
            texts.append(t)
        return sep.join(texts)
    if name == "replace":
        s, old, new = args
        for v in args:
            _want(name, v, "string")
        count = s.count(old) if old else len(s) + 1
        if len(s) + count * (len(new) - len(old)) > MAX_STR:
            raise ExprError(f"the string would exceed the limit of {MAX_STR} characters")
        return s.replace(old, new)
    if name in ("min", "max"):
        items = args
        if len(args) == 1:
            if not isinstance(args[0], list):
                raise ExprError(f"{name}() of one value needs a list, got a {_tname(args[0])}",
                                f"use {FUNCTIONS[name]}")
            items = args[0]
        if not items:
            raise ExprError(f"{name}() of an empty list", "guard it with a conditional: `max(l) if len(l) > 0 else 0`")
        if not (all(_is_num(x) for x in items) or all(isinstance(x, str) for x in items)):
            kinds = sorted({_tname(x) for x in items})
            raise ExprError(f"{name}() needs all numbers or all strings, got {' and '.join(kinds)}")
        return min(items) if name == "min" else max(items)
    raise ExprError(f'unknown function "{name}"')  # pragma: no cover - rejected by the parser


def _clip(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


def _path_text(label: str, keys: tuple | list) -> str:
    out = [label]
    for k in keys:
        if isinstance(k, int):
            out.append(f"[{k}]")
        elif isinstance(k, str) and _SEG.fullmatch(k):
            out.append(f".{k}")
        else:
            out.append(f"[{k!r}]".replace("'", '"') if isinstance(k, str) else f"[{k!r}]")
    return "".join(out)


def _copy(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_copy(x) for x in v]
    return v


def _collect(data: Any) -> list[tuple[tuple, str]]:
    """(path, string), in document order, of every string value holding "${" (map values
    and list items; keys are never evaluated)."""
    out: list[tuple[tuple, str]] = []
    _walk(data, (), out)
    return out


def _walk(v: Any, path: tuple, out: list) -> None:
    for k, x in (v.items() if isinstance(v, dict) else enumerate(v)):
        if isinstance(x, str):
            if "${" in x:
                out.append((path + (k,), str(x)))
        elif isinstance(x, (dict, list)):
            if x:
                _walk(x, path + (k,), out)


def _prov_at(prov: Prov | None, path: tuple) -> tuple[Prov | None, Prov | None]:
    """(the node at path or None, the deepest node found along it)."""
    p = prov
    last = prov
    for k in path:
        if p is None:
            return None, last
        p = p.child(k)
        if p is not None:
            last = p
    return p, last


def _writer(hist: list[Entry]) -> tuple[int, Entry | None]:
    for i in range(len(hist) - 1, -1, -1):
        if hist[i].op not in _NOT_WRITERS:
            return i, hist[i]
    return -1, (hist[-1] if hist else None)


class _Site:
    """A string holding expressions, at a path of one spec (or inside a value beneath)."""

    __slots__ = ("key", "si", "path", "text", "node", "near", "segs", "label")

    def __init__(self, key: tuple, si: int, path: tuple, text: str, node: Prov | None, near: Prov | None,
                 label: str = "self"):
        self.key = key
        self.si = si
        self.path = path
        self.text = text
        self.node = node   # its Prov node (None when it has none)
        self.near = near   # the deepest Prov node along its path
        self.segs: list | None = None
        self.label = label

    def segments(self) -> list[tuple[int, int, Entry | None]]:
        """[(start, end, writer entry)]: which layer wrote which part of the text. Usually
        one part; a string extended with `key+:` has the earlier layer's text first."""
        if self.segs is None:
            s = self.text
            hist = list(self.node.hist) if self.node is not None else list(self.near.hist if self.near else [])
            segs: list = []
            end = len(s)
            while True:
                i, w = _writer(hist)
                if (self.node is not None and w is not None and w.op == "extend"
                        and isinstance(w.replaced, str) and w.replaced and s[:end].startswith(w.replaced)
                        and len(w.replaced) < end):
                    segs.append((len(w.replaced), end, w))
                    end = len(w.replaced)
                    hist = hist[:i]
                    continue
                segs.append((0, end, w))
                break
            segs.reverse()
            self.segs = segs
        return self.segs

    def writer_at(self, offset: int, stop: int) -> tuple[Entry | None, Pos | None]:
        """The entry that wrote the ``${...}`` at ``s[offset:stop]``, and its position: the
        string's, moved to the ``${`` when the string sits on one line and its source width
        shows how it is quoted (plain, '...', "...", or TOML \"\"\"...\"\"\" on one line)."""
        segs = self.segments()
        start, end, w = segs[0]
        for seg in segs:
            if seg[0] <= offset:
                start, end, w = seg
        pos = w.pos if w is not None else (self.near.pos if self.near is not None else None)
        if pos is None or self.node is None or not pos.end:
            return w, pos
        width = pos.end - pos.col
        for quote in ((0, 1, 3) if pos.file.endswith(".toml") else (0, 1)):
            if width == end - start + 2 * quote:
                col = pos.col + quote + offset - start
                return w, Pos(pos.file, pos.line, col, col + min(stop, end) - offset)
        return w, pos


class _Ctx:
    __slots__ = ("si", "rank")

    def __init__(self, si: int, rank: float):
        self.si = si
        self.rank = rank


class _Frame:
    __slots__ = ("key", "site", "pos")

    def __init__(self, key: tuple, site: _Site):
        self.key = key
        self.site = site
        self.pos: Pos | None = None


_FAILED = object()
_UNSET = object()


# ============================================================================ resolver

class _Resolver:
    def __init__(self, specs: list, layer_order: list[str], env: dict, project: dict, vars_: dict,
                 diags: Diagnostics):
        self.specs = specs
        self.order = {name: i for i, name in enumerate(layer_order)}
        self.spec_rank = self.order.get("spec", 0)
        self.top = len(layer_order)
        self.roots = {"env": env or {}, "project": project or {}, "vars": vars_ or {}}
        self.diags = diags
        self.data = [s.data for s in specs]  # the merged data as it was before resolving
        self.by_name: dict[str, int] = {}
        for i, s in enumerate(specs):
            if s.is_workload:
                self.by_name.setdefault(s.name, i)
        self.sites: dict[tuple, _Site] = {}
        self.memo: dict[tuple, Any] = {}
        self.stack: list[_Frame] = []
        self.active: dict[tuple, int] = {}
        self.level = 0

    # -------------------------------------------------------------- layers
    def rank(self, e: Entry | None) -> float:
        if e is None:
            return self.top
        if e.op == "default":  # defaults sit beneath the spec, whatever file holds them
            return self.spec_rank - 0.5
        return self.order.get(e.layer, self.top)

    # -------------------------------------------------------------- sites
    def site(self, si: int, path: tuple, text: str | None = None) -> _Site:
        key = (si, path)
        st = self.sites.get(key)
        if st is None:
            if text is None:
                text = self._raw(si, path)
            node, near = _prov_at(self.specs[si].prov, path)
            st = self.sites[key] = _Site(key, si, path, text, node, near)
        return st

    def _raw(self, si: int, path: tuple) -> Any:
        v = self.data[si]
        for k in path:
            v = v[k]
        return v

    def value_of(self, st: _Site) -> Any:
        """The site's value (memoized); raises _Quiet when it failed."""
        key = st.key
        r = self.memo.get(key, _UNSET)
        if r is _FAILED:
            raise _Quiet
        if r is not _UNSET:
            return r
        if key in self.active:
            self._cycle(key)
            raise _Quiet
        if len(self.stack) >= MAX_REF_DEPTH:
            raise ExprError(f"expressions refer to expressions more than {MAX_REF_DEPTH} levels deep",
                            "refer to a plain value somewhere along the chain")
        frame = _Frame(key, st)
        self.active[key] = len(self.stack)
        self.stack.append(frame)
        try:
            ok, value = self._evaluate(st, frame)
        finally:
            self.stack.pop()
            del self.active[key]
        if not ok:
            self.memo[key] = _FAILED
            raise _Quiet
        self.memo[key] = value
        return value

    def _evaluate(self, st: _Site, frame: _Frame) -> tuple[bool, Any]:
        s = st.text
        parts = _parse_template(s)
        ok = True
        out: list[str] = []
        size = 0
        whole = len(parts) == 1 and not isinstance(parts[0], str) and parts[0][2] == 0 and parts[0][3] == len(s)
        value: Any = None
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                size += len(part)
                continue
            kind, node, start, end = part
            writer, pos = st.writer_at(start, end)
            frame.pos = pos
            shown = _clip(s[start:end], 80)
            if kind == "error":
                self._report("SKY205", f"invalid expression {shown}: {node.message}", pos, node.hint)
                ok = False
                continue
            try:
                v = self.ev(node, _Ctx(st.si, self.rank(writer)))
                if whole:
                    value = v
                else:
                    t = _text(v)
                    size += len(t)
                    if size > MAX_STR:
                        raise ExprError(f"the text would exceed the limit of {MAX_STR} characters")
                    out.append(t)
            except _Quiet:
                ok = False
            except ExprError as e:
                self._report("SKY205", f"{e.message} in {shown}", pos, e.hint)
                ok = False
            except RecursionError:
                self._report("SKY205", f"expression too deeply nested in {shown}", pos,
                             "simplify it, or refer to a plain value")
                ok = False
        if not ok:
            return False, None
        return True, (value if whole else "".join(out))

    def _report(self, code: str, message: str, pos: Pos | None, hint: str | None, notes=()) -> None:
        self.diags.error(code, message, pos, hint=hint, notes=notes)

    def _cycle(self, key: tuple) -> None:
        frames = self.stack[self.active[key]:]
        home = frames[0].site.si

        def name(f: _Frame) -> str:
            st = f.site
            if st.label == "self" and st.si != home:
                label = f"apps.{self.specs[st.si].name}"
            else:
                label = st.label
            return f"{f.pos or '?'} {_path_text(label, st.path)}"

        chain = " -> ".join([name(f) for f in frames] + [name(frames[0])])
        self._report("SKY206", f"reference cycle: {chain}", frames[0].pos,
                     "one of these values must not depend on the others")

    # -------------------------------------------------------------- evaluation
    def ev(self, node: tuple, ctx: _Ctx) -> Any:
        op = node[0]
        if op == "lit":
            return node[1]
        self.level += 1
        try:
            if self.level > MAX_LEVELS:
                raise ExprError(f"expressions nest more than {MAX_LEVELS} levels deep, counting the "
                                "expressions they refer to", "simplify them, or refer to plain values")
            if op == "ref":
                return self._ref(node, ctx)
            if op == "arith":
                v = self.ev(node[1], ctx)
                for o, rhs in node[2]:
                    v = _binop(o, v, self.ev(rhs, ctx))
                return v
            if op == "cmp":
                return _cmp(node[1], self.ev(node[2], ctx), self.ev(node[3], ctx))
            if op == "and" or op == "or":
                want = op == "or"
                for sub in node[1]:
                    v = self.ev(sub, ctx)
                    if not isinstance(v, bool):
                        raise ExprError(f'"{op}" needs booleans, got a {_tname(v)}',
                                        "compare explicitly, e.g. `x != \"\"`; for a fallback use default(x, y)")
                    if v is want:
                        return v
                return not want
            if op == "not":
                v = self.ev(node[1], ctx)
                if not isinstance(v, bool):
                    raise ExprError(f'"not" needs a boolean, got a {_tname(v)}', "compare explicitly, e.g. `x == 0`")
                return not v
            if op == "neg":
                v = self.ev(node[1], ctx)
                if not _is_num(v):
                    raise ExprError(f"cannot negate a {_tname(v)}")
                return _num(-v)
            if op == "if":
                c = self.ev(node[1], ctx)
                if not isinstance(c, bool):
                    raise ExprError(f"the condition of `a if condition else b` must be a boolean, got a {_tname(c)}",
                                    "compare explicitly, e.g. `a if x > 0 else b`")
                return self.ev(node[2] if c else node[3], ctx)
            if op == "list":
                if len(node[1]) > MAX_LIST:
                    raise ExprError(f"the list would have more than {MAX_LIST} items")
                out = []
                for x in node[1]:
                    out.append(self.ev(x, ctx))
                return out
            if op == "get":
                base = self.ev(node[1], ctx)
                key = self._key(self.ev(node[2], ctx))
                return self._step(base, key, "the value", ())
            if op == "call":
                name, args = node[1], node[2]
                if name == "default":
                    try:
                        v = self.ev(args[0], ctx)
                    except MissingRef:
                        v = None
                    return self.ev(args[1], ctx) if v is None else v
                values = []
                for a in args:
                    values.append(self.ev(a, ctx))
                return _call(name, values)
            raise AssertionError(op)  # pragma: no cover
        finally:
            self.level -= 1

    @staticmethod
    def _key(k: Any) -> Any:
        if isinstance(k, bool) or not isinstance(k, (str, int)):
            raise ExprError(f"an index must be text or a whole number, got a {_tname(k)}")
        return k

    def _step(self, v: Any, k: Any, label: str, path: tuple) -> Any:
        """``v[k]`` for a reference ``label + path``; a missing key is MissingRef."""
        here = _path_text(label, path)
        there = _path_text(label, path + (k,))
        if isinstance(v, dict):
            if k in v:
                return v[k]
            if isinstance(k, int) and str(k) in v:  # `self.codes.404`: keys are text
                return v[str(k)]
            keys = [x for x in v if isinstance(x, str)]
            hint = did_you_mean(str(k), keys)
            if isinstance(k, str) and "-" in k and k.split("-")[0] in v:
                hint = f'to subtract, put spaces around "-": {_path_text(label, path + (k.split("-")[0],))} - ...'
            listing = ", ".join(sorted(keys)[:20]) + (", ..." if len(keys) > 20 else "")
            where = f"{here} has: {listing}" if keys else f"{here} is empty"
            raise MissingRef(f"{there} does not exist", f"{hint} {where}" if hint else where)
        if isinstance(v, list):
            if isinstance(k, str) and k.isdigit():
                k = int(k)
            if not isinstance(k, int):
                raise ExprError(f'{here} is a list: index it with a number, not "{k}"')
            if -len(v) <= k < len(v):
                return v[k]
            raise MissingRef(f"{there} does not exist", f"{here} has {len(v)} item{'s' if len(v) != 1 else ''}")
        raise ExprError(f"{here} is a {_tname(v)}, it has no {'item' if isinstance(k, int) else 'key'} {k!r}")

    def _ref(self, node: tuple, ctx: _Ctx) -> Any:
        root = node[1]
        ks = []
        for k in node[2]:
            ks.append(self._key(self.ev(k, ctx)))
        keys = tuple(ks)
        if root == "self":
            return self._spec_path(ctx.si, keys, "self")
        if root == "apps":
            if not keys:
                raise ExprError("`apps` needs a workload name: apps.<name>.<path>")
            name = keys[0]
            si = self.by_name.get(name) if isinstance(name, str) else None
            if si is None:
                raise MissingRef(f'apps.{name} does not exist: no workload is named "{name}"',
                                 did_you_mean(str(name), self.by_name) or
                                 f"workloads: {', '.join(sorted(self.by_name)[:20]) or 'none'}")
            return self._spec_path(si, keys[1:], f"apps.{name}")
        if root == "super":
            return self._super(ctx, keys)
        v = self.roots[root]
        for i, k in enumerate(keys):
            v = self._step(v, k, root, keys[:i])
        return v

    def _spec_path(self, si: int, keys: tuple, label: str) -> Any:
        v = self.data[si]
        original = True  # still inside the spec's data (not inside an expression's result)
        for i, k in enumerate(keys):
            if original and isinstance(v, str) and "${" in v:
                v = self.value_of(self.site(si, keys[:i], v))
                original = False
            v = self._step(v, k, label, keys[:i])
        if original:
            v = self._deep(si, keys, v)
        return v

    def _deep(self, si: int, path: tuple, v: Any) -> Any:
        """``v`` (at ``path`` of spec ``si``) with every expression inside it resolved."""
        if isinstance(v, str):
            return self.value_of(self.site(si, path, v)) if "${" in v else v
        if isinstance(v, dict):
            out = None
            for k, x in v.items():
                y = self._deep(si, path + (k,), x)
                if y is not x:
                    out = out if out is not None else dict(v)
                    out[k] = y
            return v if out is None else out
        if isinstance(v, list):
            outl = None
            for k, x in enumerate(v):
                y = self._deep(si, path + (k,), x)
                if y is not x:
                    outl = outl if outl is not None else list(v)
                    outl[k] = y
            return v if outl is None else outl
        return v

    # -------------------------------------------------------------- super
    def _super(self, ctx: _Ctx, keys: tuple) -> Any:
        """The value at ``keys`` beneath the layer ranked ``ctx.rank``, from provenance:
        walk down from the root; at each node, the first history entry at or above that
        layer either replaced the whole value (its `replaced` is the value beneath) or
        merged into a map (go on to the child); a node no such entry touched is unchanged."""
        si, k = ctx.si, ctx.rank
        node: Prov | None = self.specs[si].prov
        value: Any = self.data[si]
        for depth in range(len(keys) + 1):
            hist = node.hist if node is not None else []
            ei, e = next(((i, x) for i, x in enumerate(hist) if x.op != "evaluate" and self.rank(x) >= k),
                         (-1, None))
            if e is None:  # untouched at and above the layer: the final value was there beneath
                if value is MISSING:
                    raise MissingRef(f"{_path_text('super', keys[:depth])} does not exist beneath this layer")
                return self._spec_path(si, keys, "super")
            merged = e.op == "merge" or (e.replaced is MISSING and isinstance(value, dict)
                                         and (depth == 0 or ei > 0))
            if not merged:
                if e.replaced is MISSING:
                    why = "it was first set by this layer" if self.rank(e) == k else "a later layer created it"
                    raise MissingRef(f"{_path_text('super', keys[:depth] or keys)} does not exist beneath this layer",
                                     f"super is the value from the layers beneath; {why}; "
                                     "use default(super..., fallback) if it may be missing")
                _, w = _writer(hist[:ei])
                return self._beneath(si, keys, depth, e.replaced, w)
            if depth == len(keys):  # a map merged at or above the layer: rebuild it beneath
                out = {}
                names = list(node.kids) if node is not None and isinstance(node.kids, dict) else []
                names += [g for g in (node.gone or {}) if g not in names] if node is not None else []
                for name in names:
                    try:
                        out[name] = self._super(ctx, keys + (name,))
                    except MissingRef:
                        pass
                return out
            key = keys[depth]
            child = node.find((key,)) if node is not None else None
            nxt = value.get(key, MISSING) if isinstance(value, dict) else MISSING
            if child is None and nxt is MISSING:
                self._step(value if isinstance(value, dict) else {}, key, "super", keys[:depth])
            node, value = child, nxt
        raise AssertionError("unreachable")  # pragma: no cover

    def _beneath(self, si: int, keys: tuple, depth: int, value: Any, writer: Entry | None) -> Any:
        """The rest of ``keys`` inside a value replaced at ``keys[:depth]``, with the
        expressions it holds resolved as written by ``writer`` (a layer beneath)."""
        for i in range(depth, len(keys)):
            value = self._step(value, keys[i], "super", keys[:i])
        return self._deep_beneath(si, keys, value, writer)

    def _deep_beneath(self, si: int, path: tuple, v: Any, writer: Entry | None) -> Any:
        if isinstance(v, str):
            if "${" not in v:
                return v
            rank = self.rank(writer)
            key = ("super", si, path, rank)
            st = self.sites.get(key)
            if st is None:
                st = _Site(key, si, path, v, None, Prov([writer] if writer else []), label="super")
                self.sites[key] = st
            return self.value_of(st)
        if isinstance(v, dict):
            return {k: self._deep_beneath(si, path + (k,), x, writer) for k, x in v.items()}
        if isinstance(v, list):
            return [self._deep_beneath(si, path + (i,), x, writer) for i, x in enumerate(v)]
        return v

    # -------------------------------------------------------------- the run
    def run(self) -> None:
        for si, spec in enumerate(self.specs):
            found = _collect(spec.data)
            if not found:
                continue
            updates = []
            for path, text in found:
                st = self.site(si, path, text)
                if path in (("kind",), ("name",)):
                    self._report("SKY205", f"`{path[0]}` cannot hold an expression",
                                 st.writer_at(text.index("${"), len(text))[1],
                                 "kind and name identify the spec before layers merge; write them literally")
                    self.memo[st.key] = _FAILED
                    continue
                try:
                    value = self.value_of(st)
                except _Quiet:
                    continue
                except ExprError as e:  # a reference chain too deep, raised before any frame
                    self._report("SKY205", e.message, st.writer_at(0, len(st.text))[1], e.hint)
                    continue
                updates.append((path, value, st))
            if updates:
                self._write(spec, updates)

    def _write(self, spec: Any, updates: list) -> None:
        """Put the values into a copy of the spec's data and provenance: only the maps,
        lists and Prov nodes along the changed paths are copied; everything else is shared."""
        mine: set[int] = set()
        keep: list = []  # keep the copies alive so that their ids stay unique

        def own(v: Any) -> Any:
            if id(v) in mine:
                return v
            c = dict(v) if isinstance(v, dict) else list(v)
            mine.add(id(c))
            keep.append(c)
            return c

        def own_prov(p: Prov | None, like: Any) -> Prov:
            if p is None:
                p = Prov([], {} if isinstance(like, dict) else [None] * len(like) if isinstance(like, list) else None)
            elif id(p) in mine:
                return p
            else:
                p = p.copy()
            if isinstance(like, dict) and not isinstance(p.kids, dict):
                p.kids = {}
            if isinstance(like, list) and not isinstance(p.kids, list):
                p.kids = [None] * len(like)
            mine.add(id(p))
            keep.append(p)
            return p

        data = own(spec.data)
        prov = own_prov(spec.prov, data)
        for path, value, st in updates:
            d, p = data, prov
            for k in path[:-1]:
                child = own(d[k])
                d[k] = child
                cp = own_prov(p.child(k), child)
                _set_kid(p, k, cp)
                d, p = child, cp
            last = path[-1]
            d[last] = _copy(value)
            old = p.child(last)
            segs = st.segments()
            w = segs[-1][2]
            entry = Entry(w.layer if w is not None else "?", w.pos if w is not None else None, "evaluate",
                          st.text, "")
            hist = (list(old.hist) if old is not None else []) + [entry]
            if isinstance(value, (dict, list)):
                newp = prov_from_loc(value, uniform_loc(value, entry.pos) if entry.pos is not None else None,
                                     entry.layer, "evaluate")
                newp.hist = hist
                newp.key = old.key if old is not None else None
            else:
                newp = Prov(hist, None, old.key if old is not None else None)
            _set_kid(p, last, newp)
        spec.data, spec.prov = data, prov


def _set_kid(p: Prov, k: Any, child: Prov) -> None:
    if isinstance(p.kids, dict):
        p.kids[k] = child
    else:
        if k >= len(p.kids):
            p.kids.extend([None] * (k + 1 - len(p.kids)))
        p.kids[k] = child


def resolve(specs: list, *, layer_order: list[str], env: dict, project: dict, vars: dict,
            diags: Diagnostics) -> None:
    """Resolve every ``${...}`` in the string values of ``specs`` (after all layers merged).

    ``layer_order`` names the layers beneath-first, as they appear in provenance entries
    (``["spec", "profile:prod", "overlay:overlays/prod.yaml", "--set"]``); it decides what
    ``super`` sees. Each spec's ``data`` and ``prov`` are replaced by copies along the
    changed paths (inputs are never mutated); each resolved value's history gains an
    ``evaluate`` entry whose ``replaced`` is the expression text. Problems are SKY205
    (SKY206 for a reference cycle); a failed string is left as written."""
    _Resolver(specs, layer_order, env, project, vars, diags).run()
