"""Where the templates of a merged spec sit, and which layer wrote each part of them.

``collect`` lists the strings holding ``${`` in a spec's data (values only, never keys);
``Site`` is one such string at a path, with its provenance node: which entry wrote which
part of the text (``segments``; a string extended with ``key+:`` has two writers) and the
source position of one ``${...}`` inside it (``writer_at``), for messages and for ranking
``super``. ``prov_at`` and ``last_writer`` read provenance. It only reads: it must not
evaluate, parse expressions, change specs or provenance, or report diagnostics.
"""

from __future__ import annotations

from typing import Any

from ...diagnostics import Pos
from ...provenance import Entry, Prov

_NOT_WRITERS = frozenset(("merge", "remove", "evaluate", "unresolved", "delete"))


def collect(data: Any) -> list[tuple[tuple, str]]:
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


def prov_at(prov: Prov | None, path: tuple) -> tuple[Prov | None, Prov | None]:
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


def last_writer(hist: list[Entry]) -> tuple[int, Entry | None]:
    for i in range(len(hist) - 1, -1, -1):
        if hist[i].op not in _NOT_WRITERS:
            return i, hist[i]
    return -1, (hist[-1] if hist else None)


class Site:
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
                i, w = last_writer(hist)
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

