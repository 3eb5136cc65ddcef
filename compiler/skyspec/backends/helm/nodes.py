"""The template tree of the Helm backend: what a template says at each place of an object --
a literal (`Lit`), a reference to a values path (`Ref`), or a map or list of such places, each
entry optionally behind a condition. The builder (templates.py) makes these trees and the
writer (gotext.py) prints them; this module only defines them and folds all-literal maps and
lists into one literal. It must not decide what is a value nor produce template text.
"""

from __future__ import annotations

from typing import Any


class Lit:
    """A part written as it is (in every environment)."""
    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class Ref:
    """A part read from the values: ``path``, item ``index`` of it (Ingress hosts), and its
    ``form``: "value", or "image" (rendered by the chart's image helper)."""
    __slots__ = ("path", "index", "form")

    def __init__(self, path: tuple, index: int | None = None, form: str = "value"):
        self.path = path
        self.index = index
        self.form = form


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


def has_keep_block(v: Any) -> bool:
    if type(v) is dict:
        return any(has_keep_block(x) for x in v.values())
    if type(v) is list:
        return any(has_keep_block(x) for x in v)
    return keep_block(v)


def collapse_map(entries: list):
    if all(c is None and type(n) is Lit and not has_keep_block(n.value) for _, n, c in entries):
        return Lit({k: n.value for k, n, _ in entries})
    return Map(entries)


def collapse_seq(items: list):
    if all(c is None and type(n) is Lit and not has_keep_block(n.value) for n, c in items):
        return Lit([n.value for n, _ in items])
    return Seq(items)
