"""Source locations for parsed values.

A parsed document is plain Python data (dict, list, str, int, float, bool, None) plus a
parallel :class:`Loc` tree: every value's position, and for mappings every key's position.
Keeping positions beside the data (rather than wrapping every value) lets the rest of the
compiler work on ordinary dicts at full speed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..diagnostics import Pos


class Loc:
    __slots__ = ("pos", "keys", "kids")

    def __init__(self, pos: Pos, keys: dict | None = None, kids: dict | list | None = None):
        self.pos = pos      # where the value starts
        self.keys = keys    # mapping: key -> Pos of the key
        self.kids = kids    # mapping: key -> Loc; sequence: [Loc]

    def __reduce__(self):  # for the document cache: the constructor's arguments, the fastest form
        return Loc, (self.pos, self.keys, self.kids)

    def child(self, key: Any) -> "Loc | None":
        kids = self.kids
        if kids is None:
            return None
        if isinstance(kids, dict):
            return kids.get(key)
        if isinstance(key, int) and 0 <= key < len(kids):
            return kids[key]
        return None

    def key_pos(self, key: Any) -> Pos | None:
        return self.keys.get(key) if self.keys else None

    def find(self, path: tuple) -> "Loc | None":
        loc: Loc | None = self
        for p in path:
            if loc is None:
                return None
            loc = loc.child(p)
        return loc

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Loc({self.pos})"


def uniform_loc(data: Any, pos: Pos) -> Loc:
    """A Loc tree giving every value the same position (used for values that come from a
    command-line flag or a Python call, which have one position for the whole value)."""
    if isinstance(data, dict):
        return Loc(pos, {k: pos for k in data}, {k: uniform_loc(v, pos) for k, v in data.items()})
    if isinstance(data, list):
        return Loc(pos, None, [uniform_loc(v, pos) for v in data])
    return Loc(pos)


@dataclass(slots=True)
class SourceDoc:
    """One document of a source file."""

    file: str     # path as shown to the user (relative to the project root when possible)
    index: int    # document number within the file (0-based)
    data: Any
    loc: Loc

    def __reduce__(self):
        return SourceDoc, (self.file, self.index, self.data, self.loc)

