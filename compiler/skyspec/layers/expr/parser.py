"""The recursive-descent parser of `${...}` expressions, and the splitting of template strings.

``parse_template`` cuts a string into literal text and ``${...}`` parts, each tokenized by
the lexer and parsed by ``_Parser`` into a small tuple AST (below), or kept as the ExprError
that stopped it; results are cached by text. Names are checked here: a call must name a
built-in function with the right number of arguments, a bare name must be one of ``ROOTS``.
It must not evaluate anything, resolve references, or know about specs and layers.

AST nodes are tuples::

    ("lit", v)  ("list", [n])  ("ref", root, [seg nodes])  ("get", n, key node)
    ("neg", n)  ("not", n)  ("and", [n])  ("or", [n])  ("arith", n, [(op, n)])
    ("cmp", op, a, b)  ("if", cond, then, else)  ("call", name, [n])
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ...diagnostics import did_you_mean
from .errors import MAX_NESTING, SYNTAX_HINT, ExprError, clip
from .functions import ARITY, FUNCTIONS
from .lexer import lex

ROOTS = ("self", "super", "apps", "env", "project", "vars")
_KEYWORDS = frozenset(("true", "false", "null", "not", "and", "or", "if", "else"))
_CMP = frozenset(("==", "!=", "<", "<=", ">", ">="))


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
            raise ExprError(f'expected "{op}" {what}, found {_show_tok(self.peek())}', SYNTAX_HINT)
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
            hint = SYNTAX_HINT
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
                lo, hi = ARITY[v]
                if not lo <= len(args) <= hi:
                    raise ExprError(f"{v}() takes {_nargs(lo, hi)}, got {len(args)}", f"use {FUNCTIONS[v]}")
                return ("call", v, args)
            if v in ROOTS:
                return ("ref", v, [])
            if v in _KEYWORDS:
                raise ExprError(f'expected a value, found "{v}"', SYNTAX_HINT)
            if v in FUNCTIONS:
                raise ExprError(f'{v} is a function: write {FUNCTIONS[v]}', "a function is called with its arguments in parentheses")
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
                return ("lit", [x[1] for x in items])  # at most MAX_EXPR_CHARS / 2 of them
            return ("list", items)
        self.i -= 1
        raise ExprError(f"expected a value, found {_show_tok(t)}", SYNTAX_HINT)


def _nargs(lo: int, hi: int) -> str:
    if lo == hi:
        return f"{lo} argument{'s' if lo != 1 else ''}"
    return f"at least {lo} argument{'s' if lo != 1 else ''}"


def _show_tok(t: tuple) -> str:
    if t[0] == "end":
        return 'the end of the expression "}"'
    if t[0] == "str":
        return f"the string {clip(repr(t[1]))}"
    return f'"{clip(str(t[1]))}"'


@lru_cache(maxsize=8192)
def parse_template(s: str) -> tuple:
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
            toks, end = lex(s, j + 2)
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

