"""The errors of the `${...}` expression language and the limits whose breach raises them.

``ExprError`` is one problem in one expression (reported as SKY205 with its hint);
``MissingRef`` is the kind ``default()`` turns into its fallback. The fixed limits (characters
of an expression, nesting, reference depth, 64-bit ints) are the numbers every other module
of the package checks against; what expressions may build comes from the project's limits
(``budget``). It must not import the rest of it, know about specs or layers, or report diagnostics.
"""

from __future__ import annotations

MAX_EXPR_CHARS = 2_000
MAX_NESTING = 32
MAX_REF_DEPTH = 32
MAX_LEVELS = 256  # evaluation depth summed along a chain of references (keeps Python's stack safe)
INT_MAX = 2**63 - 1

SYNTAX_HINT = "expressions look like ${self.replicas * 2}; write $${ for a literal \"${\""


class ExprError(Exception):
    """A problem in one expression (SKY205)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class MissingRef(ExprError):
    """A reference to something that does not exist (`default()` turns it into its fallback)."""


def clip(s: str, n: int = 60) -> str:
    """``s`` cut to ``n`` characters for a message."""
    return s if len(s) <= n else s[: n - 3] + "..."
