"""The template tree of the Helm backend: what a template says at each place of an object --
a literal (`Lit`, which may be a release mark: a name, the namespace), a reference to a values
path (`Ref`), a call of a helper (`Tpl`), or a map or list of such places, each entry
optionally behind a condition. The builder (templates.py) makes these trees and the writer
(gotext.py) prints them; this module only defines them and folds all-literal maps and lists
into one literal. It must not decide what is a value nor produce template text.
"""

from __future__ import annotations

from typing import Any

from .marks import MARKS, has_mark, is_mark


class Lit:
    """A part written as it is (in every environment); ``plain`` when it is known to hold no
    scalar a literal block cannot carry (see :func:`has_keep_block`)."""
    __slots__ = ("value", "plain")

    def __init__(self, value: Any, plain: bool = False):
        self.value = value
        self.plain = plain


class Ref:
    """A part read from the values: ``path``, item ``index`` of it (Ingress hosts), and its
    ``form``: "value", or "image" (rendered by the chart's image helper)."""
    __slots__ = ("path", "index", "form")

    def __init__(self, path: tuple, index: int | None = None, form: str = "value"):
        self.path = path
        self.index = index
        self.form = form


class Tpl:
    """A helper's output, written as it is: ``parts`` are text and ("arg", values path) /
    ("expr", values path) to phrase as an argument or a plain expression, ("json",) the
    pipeline that writes a value as JSON (gotext.Writer.json)."""
    __slots__ = ("parts",)

    def __init__(self, parts: list):
        self.parts = parts


class Raw:
    """Lines of template text at an item's indentation (a `range` over a map): each line a list
    of parts as in :class:`Tpl`."""
    __slots__ = ("lines",)

    def __init__(self, lines: list):
        self.lines = lines


class Map:
    __slots__ = ("entries",)

    def __init__(self, entries: list):
        self.entries = entries      # [(key, node, cond | None)]


class Seq:
    __slots__ = ("items",)

    def __init__(self, items: list):
        self.items = items          # [(node, cond | None)]


def keep_block(s: Any) -> bool:
    """A string the YAML emitter would write as a `|+` block, whose trailing blank lines a
    following `{{-` would eat: such strings are written JSON-quoted instead."""
    return type(s) is str and s.endswith("\n\n")


def special(s: Any) -> bool:
    """A scalar a literal block cannot carry: a `|+` block string or a release mark."""
    return keep_block(s) or is_mark(s)


def has_keep_block(v: Any) -> bool:
    """Whether ``v`` holds a scalar a literal block cannot carry (see :func:`special`)."""
    t = type(v)
    if t is dict:
        v = v.values()
    elif t is not list:
        return special(v)
    for x in v:
        t = type(x)
        if t is dict or t is list:
            if has_keep_block(x):
                return True
        elif t is str:
            if x.endswith("\n\n"):
                return True
        elif t in MARKS:
            return True
    return False


def lit_plain(n: Any) -> bool:
    """Whether ``n`` is a literal node holding no scalar a literal block cannot carry (a
    scalar tested here: the common case)."""
    if type(n) is not Lit:
        return False
    if n.plain:
        return True
    v = n.value
    t = type(v)
    if t is str:
        return not v.endswith("\n\n")
    if t is dict or t is list:
        return not has_keep_block(v)
    return t not in MARKS


def lit(v: Any):
    """A literal node for ``v``: maps and lists holding a release mark become structures, so
    that no literal block holds one."""
    if type(v) is dict and has_mark(v):
        return Map([(k, lit(x), None) for k, x in v.items()])
    if type(v) is list and has_mark(v):
        return Seq([(lit(x), None) for x in v])
    return Lit(v)


def collapse_map(entries: list):
    for _, n, c in entries:
        if c is not None or not lit_plain(n):
            return Map(entries)
    return Lit({k: n.value for k, n, _ in entries}, True)


def collapse_seq(items: list):
    for n, c in items:
        if c is not None or not lit_plain(n):
            return Seq(items)
    return Lit([n.value for n, _ in items], True)
