"""The evaluator of `${...}` expressions: a tree walk over the parser's tuple AST.

``Evaluator.ev`` gives the value of a node: operators through ``values``, built-in functions
through ``functions`` (``default`` here, as it must catch a missing reference), indexing
through ``step``; it counts the levels of evaluation against MAX_LEVELS and every step,
and what it builds, against its ``Budget``. References
(``self``, ``super``, ``apps``, ...) are answered by the subclass's ``ref``: the evaluator
never reads specs, layers or provenance itself, never reports diagnostics (it raises
ExprError), never touches the file system, and never calls Python's ``eval``, ``exec`` or
``compile``. Taint: ``ref`` counts the secrets it reads in ``tainted``; a value computed
while that count rose (``upper(token)``, ``token + "x"``) is passed to ``derived``, so the
subclass registers it as a secret too.
"""

from __future__ import annotations

from typing import Any

from ...diagnostics import did_you_mean
from .budget import Budget
from .errors import MAX_LEVELS, ExprError, MissingRef
from .functions import call
from .lexer import path_text
from .values import binop, compare, is_num, num, type_name


class Evaluator:
    """Evaluates AST nodes; a subclass says what references name by defining ``ref``."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.level = 0  # evaluation depth, summed along a chain of references
        self.budget = budget if budget is not None else Budget()
        self.tainted = 0  # secrets read by ``ref`` so far

    def derived(self, value: Any) -> None:
        """``value`` was computed from a secret (the subclass registers it)."""

    def ref(self, node: tuple, ctx: Any) -> Any:
        """The value of a ("ref", root, [key nodes]) node."""
        raise NotImplementedError

    def ev(self, node: tuple, ctx: Any) -> Any:
        """The value of ``node``; ``ctx`` says where it is evaluated (passed on to ``ref``)."""
        if node[0] == "lit":
            return node[1]
        before = self.tainted
        v = self._ev(node, ctx)
        if self.tainted != before:
            self.derived(v)
        return v

    def _ev(self, node: tuple, ctx: Any) -> Any:
        op = node[0]
        if op == "lit":
            return node[1]
        self.level += 1
        try:
            self.budget.step()
            if self.level > MAX_LEVELS:
                raise ExprError(f"expressions nest more than {MAX_LEVELS} levels deep, counting the "
                                "expressions they refer to", "simplify them, or refer to plain values")
            if op == "ref":
                return self.ref(node, ctx)
            if op == "arith":
                v = self.ev(node[1], ctx)
                for o, rhs in node[2]:
                    v = binop(o, v, self.ev(rhs, ctx), self.budget)
                return v
            if op == "cmp":
                return compare(node[1], self.ev(node[2], ctx), self.ev(node[3], ctx))
            if op == "and" or op == "or":
                want = op == "or"
                for sub in node[1]:
                    v = self.ev(sub, ctx)
                    if not isinstance(v, bool):
                        raise ExprError(f'"{op}" needs booleans, got a {type_name(v)}',
                                        "compare explicitly, e.g. `x != \"\"`; for a fallback use default(x, y)")
                    if v is want:
                        return v
                return not want
            if op == "not":
                v = self.ev(node[1], ctx)
                if not isinstance(v, bool):
                    raise ExprError(f'"not" needs a boolean, got a {type_name(v)}', "compare explicitly, e.g. `x == 0`")
                return not v
            if op == "neg":
                v = self.ev(node[1], ctx)
                if not is_num(v):
                    raise ExprError(f"cannot negate a {type_name(v)}", "`-` negates numbers; `not` negates booleans")
                return num(-v)
            if op == "if":
                c = self.ev(node[1], ctx)
                if not isinstance(c, bool):
                    raise ExprError(f"the condition of `a if condition else b` must be a boolean, got a {type_name(c)}",
                                    "compare explicitly, e.g. `a if x > 0 else b`")
                return self.ev(node[2] if c else node[3], ctx)
            if op == "list":
                b = self.budget
                b.check(len(node[1]), 0, "list")
                out = []
                for x in node[1]:
                    out.append(self.ev(x, ctx))
                items, chars = b.size(out)
                b.check(items, chars, "list")
                return b.built(out, items, chars)
            if op == "get":
                base = self.ev(node[1], ctx)
                key = index_key(self.ev(node[2], ctx))
                return step(base, key, "the value", ())
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
                return call(name, values, self.budget)
            raise AssertionError(op)  # pragma: no cover
        finally:
            self.level -= 1


def index_key(k: Any) -> Any:
    """``k`` if it can index a map or a list (text or an int, not a boolean)."""
    if isinstance(k, bool) or not isinstance(k, (str, int)):
        raise ExprError(f"an index must be text or a whole number, got a {type_name(k)}",
                        "index a map with a key (`m['key']`), a list with a number (`l[0]`)")
    return k


def step(v: Any, k: Any, label: str, path: tuple) -> Any:
    """``v[k]`` for a reference ``label + path``; a missing key is MissingRef."""
    here = path_text(label, path)
    there = path_text(label, path + (k,))
    if isinstance(v, dict):
        if k in v:
            return v[k]
        if isinstance(k, int) and str(k) in v:  # `self.codes.404`: keys are text
            return v[str(k)]
        keys = [x for x in v if isinstance(x, str)]
        hint = did_you_mean(str(k), keys)
        if isinstance(k, str) and "-" in k and k.split("-")[0] in v:
            hint = f'to subtract, put spaces around "-": {path_text(label, path + (k.split("-")[0],))} - ...'
        listing = ", ".join(sorted(keys)[:20]) + (", ..." if len(keys) > 20 else "")
        where = f"{here} has: {listing}" if keys else f"{here} is empty"
        raise MissingRef(f"{there} does not exist", f"{hint} {where}" if hint else where)
    if isinstance(v, list):
        if isinstance(k, str) and k.isdigit():
            k = int(k)
        if not isinstance(k, int):
            raise ExprError(f'{here} is a list: index it with a number, not "{k}"', "e.g. `[0]` for the first item")
        if -len(v) <= k < len(v):
            return v[k]
        raise MissingRef(f"{there} does not exist", f"{here} has {len(v)} item{'s' if len(v) != 1 else ''}")
    raise ExprError(f"{here} is a {type_name(v)}, it has no {'item' if isinstance(k, int) else 'key'} {k!r}",
                    "only maps have keys and lists items: stop the path before it")

