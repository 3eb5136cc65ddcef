"""The budget of `${...}` expressions: the project's limits on what they may build and do.

A ``Budget`` holds the project's :class:`~skyspec.limits.Limits` and counts, for one run,
the evaluation steps of the spec being resolved (``expr_steps``) and every character and
item that all expressions together build or inspect (at most ``RUN_FACTOR * expr_chars``,
see ``limits.py``). Sizes are checked *before* a value is built: ``size`` counts every item
of nested lists and maps and every character of the strings inside them, so a list of
lists is as large as everything it holds, shared or not. Breaches raise ExprError with a
hint naming the ``limits:`` key. It must not walk ASTs, resolve references or report
diagnostics.
"""

from __future__ import annotations

from typing import Any

from ...limits import DEFAULT, RUN_FACTOR, Limits, hint
from .errors import ExprError


class Budget:
    """The limits and counters of one resolve run."""

    def __init__(self, limits: Limits = DEFAULT):
        self.limits = limits
        self.steps = 0
        self.spent = 0  # characters and items built or measured by every expression of the run
        self.total = RUN_FACTOR * limits.expr_chars
        self._sizes: dict[int, tuple[Any, int, int]] = {}  # id -> (value kept alive, items, chars)

    def new_spec(self) -> None:
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > self.limits.expr_steps:
            raise ExprError(f"the expressions of this spec take more than {self.limits.expr_steps:,} "
                            "evaluation steps", hint("expr_steps", self.limits.expr_steps))

    def spend(self, n: int) -> None:
        self.spent += n
        if self.spent > self.total:
            raise ExprError(f"the expressions of this run build more than {self.total:,} characters and "
                            f"items in all ({RUN_FACTOR} times expr_chars)", hint("expr_chars", self.limits.expr_chars))

    def size(self, v: Any) -> tuple[int, int]:
        """(items, chars) of ``v``, nested lists and maps included; stops early (with a size
        just over the limit) once either exceeds its limit, so it costs at most the limit."""
        cap_i, cap_c = self.limits.expr_items, self.limits.expr_chars
        items = chars = 0
        todo = [v]
        seen = 0
        while todo:
            x = todo.pop()
            if isinstance(x, str):
                chars += len(x)
            elif isinstance(x, (list, dict)):
                known = self._sizes.get(id(x))
                if known is not None and known[0] is x:
                    items += known[1]
                    chars += known[2]
                else:
                    items += len(x)
                    seen += len(x)
                    todo.extend(x.values() if isinstance(x, dict) else x)
                    if isinstance(x, dict):
                        chars += sum(len(k) for k in x if isinstance(k, str))
            if items > cap_i or chars > cap_c:
                break
        self.spend(seen)
        return items, chars

    def check(self, items: int, chars: int, what: str) -> None:
        """Raise unless a value of ``items`` items and ``chars`` characters is within limits."""
        if chars > self.limits.expr_chars:
            raise ExprError(f"the {what} would have {chars:,} characters, more than the limit of "
                            f"{self.limits.expr_chars:,}", hint("expr_chars", self.limits.expr_chars))
        if items > self.limits.expr_items:
            raise ExprError(f"the {what} would have {items:,} items, more than the limit of "
                            f"{self.limits.expr_items:,}", hint("expr_items", self.limits.expr_items))

    def built(self, v: Any, items: int, chars: int) -> Any:
        """``v``, just built with the size given (already charged): its size remembered."""
        if isinstance(v, (list, dict)) and len(v) >= 16:
            self._sizes[id(v)] = (v, items, chars)
        return v

    def text(self, n: int, what: str = "string") -> None:
        """Check and charge a string of ``n`` characters about to be built."""
        self.check(0, n, what)
        self.spend(n)
