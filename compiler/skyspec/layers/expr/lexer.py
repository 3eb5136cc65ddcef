"""The tokenizer of `${...}` expressions: the text after ``${`` into tokens, up to the ``}``.

A token is (kind, value, offset); numbers are read into ints (64-bit, checked) or finite
floats and string escapes are decoded here. ``path_text`` writes a reference path back in
the syntax the tokenizer reads (``self.a["b c"][0]``) for messages. It must not build an
AST, evaluate anything, or know about specs: a malformed expression is an ExprError.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import INT_MAX, MAX_EXPR_CHARS, SYNTAX_HINT, ExprError, clip

_NUM = re.compile(r"\d+(\.\d+)?([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SEG = re.compile(r"[A-Za-z0-9_]+(?:-+[A-Za-z0-9_]+)*")
_ESC = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "$": "$"}
_OPS = ("==", "!=", "<=", ">=", "//", "+", "-", "*", "/", "%", "<", ">", "(", ")", "[", "]", ",", ".")


def lex(s: str, i: int) -> tuple[list[tuple], int]:
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
            raise ExprError('"${" has no closing "}"', SYNTAX_HINT)
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
                    raise ExprError(f"number {text} is too large", "numbers must be finite 64-bit floats")
            else:
                if len(text) > 19 or int(text) > INT_MAX:
                    raise ExprError(f"number {clip(text)} is too large", "integers are 64-bit")
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
            raise ExprError(f"unexpected {_show_char(c)}", hint or SYNTAX_HINT)


def _show_char(c: str) -> str:
    return f'"{c}"' if c.isprintable() else repr(c)


def path_text(label: str, keys: tuple | list) -> str:
    """A reference path as an expression writes it: ``label.key``, ``label["any key"]``, ``label[0]``."""
    out = [label]
    for k in keys:
        if isinstance(k, int):
            out.append(f"[{k}]")
        elif isinstance(k, str) and _SEG.fullmatch(k):
            out.append(f".{k}")
        else:
            out.append(f"[{k!r}]".replace("'", '"') if isinstance(k, str) else f"[{k!r}]")
    return "".join(out)

