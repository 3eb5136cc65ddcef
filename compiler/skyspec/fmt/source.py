"""The source side of `skyspec fmt`: a YAML text as documents, entries and comments.

The node trees come from :func:`.yamlio.compose_all`; this module finds every comment and
blank line in the text (a `#` outside every scalar, after a blank or at a line's start) and
gives each an owner, so that comments move with what they describe when keys are reordered:

- comment lines before a document's first entry are the document's *head*, and stay on top;
- a comment at the end of a line belongs to the entry (map key or list item) that line ends;
- a comment line belongs to the entry below it (*before*; between a list item's dash and
  its first key, to the item), unless it is indented deeper than that entry and not under
  its key: then it closes the entry above it at the comment's indentation or less
  (*after*); comment lines after a document's last entry, at the left margin, are its *tail*;
- a blank line belongs to the comment or entry that follows it.

An entry (a :class:`Slot`) is named by its path from the document root (keys and list
indexes), which the formatted text shares with the source. Nothing here decides the layout
or writes anything.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

_MARKER = re.compile(r"---(?=[ \t]|$)")


@dataclass
class Note:
    """A comment line (``text`` starts with `#`), or a blank line (``text`` is empty)."""

    text: str
    col: int = 0
    blank_before: bool = False


@dataclass
class Slot:
    """A map entry or a list item, at ``line``/``col`` (0-based) of the source."""

    path: tuple
    line: int
    col: int
    key: object              # the key node of a map entry (None for a list item)
    value: object            # the value node
    parent: "Slot | None"
    blank_before: bool = False
    before: list[Note] = field(default_factory=list)
    eol: list[Note] = field(default_factory=list)
    after: list[Note] = field(default_factory=list)


@dataclass
class Doc:
    root: object                            # the root node (None: a document without content)
    explicit: bool                          # starts with `---`
    marker_note: str | None = None          # a comment on its `---` line
    prelude: list[Note] = field(default_factory=list)   # comments before the first `---`
    head: list[Note] = field(default_factory=list)
    tail: list[Note] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)     # in source order, parents first
    by_path: dict = field(default_factory=dict)
    commented: set = field(default_factory=set)         # paths of collections with a comment inside


class Unsupported(Exception):
    """A text `fmt` leaves as written (the message says why)."""


def _is_block_scalar(node) -> bool:
    return node.id == "scalar" and node.style in ("|", ">")


def _is_empty(node) -> bool:
    """An empty plain scalar (`key:` with no value): ruamel places it at the next token."""
    return node.id == "scalar" and not node.style and node.value == ""


def _walk(node, visit) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        visit(n)
        if n.id == "mapping":
            for k, v in reversed(n.value):
                stack.append(v)
                stack.append(k)
        elif n.id == "sequence":
            stack.extend(reversed(n.value))


def _covered(lines: list[str], roots: list) -> list[list[tuple[int, int]]]:
    """Per line, the column ranges inside a scalar (where a `#` is text, not a comment)."""
    cov: list[list[tuple[int, int]]] = [[] for _ in range(len(lines) + 1)]  # + the end of the text
    big = 1 << 30

    def visit(n) -> None:
        if n.id != "scalar" or _is_empty(n):
            return
        s, e = n.start_mark, n.end_mark
        if _is_block_scalar(n):
            line = lines[s.line] if s.line < len(lines) else ""
            end = s.column
            while end < len(line) and line[end] not in " \t":
                end += 1
            cov[s.line].append((s.column, end))  # the header: `|-2`; a comment may follow
            last = min(e.line if e.column > 0 else e.line - 1, len(lines) - 1)
            if "+" not in line[s.column:end]:  # blank lines after the text separate, unless kept
                while last > s.line and not lines[last].strip():
                    last -= 1
            for i in range(s.line + 1, min(last, len(lines) - 1) + 1):
                cov[i].append((0, big))
            return
        if s.line == e.line:
            cov[s.line].append((s.column, e.column))
            return
        cov[s.line].append((s.column, big))
        for i in range(s.line + 1, min(e.line, len(lines))):
            cov[i].append((0, big))
        cov[min(e.line, len(lines))].append((0, e.column))

    for r in roots:
        if r is not None:
            _walk(r, visit)
    return cov


def _comment_col(line: str, spans: list[tuple[int, int]]) -> int | None:
    i = line.find("#")
    while i >= 0:
        if (i == 0 or line[i - 1] in " \t") and not any(a <= i < b for a, b in spans):
            return i
        i = line.find("#", i + 1)
    return None


def dash_of(lines: list[str], line: int, col: int) -> tuple[int, int]:
    """The line and column of the `-` of the block list item starting at ``line``/``col``
    (an empty item starts where ruamel puts it: after its dash, or at the next token)."""
    while line >= 0:
        text = lines[line] if line < len(lines) else ""
        head = text[:col]
        if head.strip():
            dash = head.rstrip().rfind("-")
            if dash >= 0 and not head[dash + 1:].strip():
                return line, dash
            return line, max(col - 2, 0)
        line -= 1
        col = len(lines[line]) if 0 <= line < len(lines) else 0
        c = _comment_col(lines[line], []) if 0 <= line < len(lines) else None
        if c is not None and not lines[line][:c].strip():
            continue  # a comment line between the dash and the next token
        if c is not None:
            col = c
    return 0, 0


def _slots(doc: Doc, lines: list[str]) -> dict[int, Slot]:
    """Fill ``doc.slots``; returns node id -> the slot whose key, value or item it is."""
    owner: dict[int, Slot] = {}

    def add(path, node_start, key, value, parent) -> Slot:
        line, col = node_start.line, node_start.column
        if key is None:  # a list item: its place is its dash
            line, col = dash_of(lines, line, col)
        s = Slot(path, line, col, key, value, parent)
        doc.slots.append(s)
        doc.by_path[path] = s
        if key is not None:
            owner[id(key)] = s
        owner[id(value)] = s
        return s

    def walk(node, path: tuple, parent: Slot | None) -> None:
        if node.id == "mapping":
            for k, v in node.value:
                if k.id != "scalar":
                    raise Unsupported("a mapping key that is not a scalar")
                s = add(path + (k.value,), k.start_mark, k, v, parent)
                walk(v, s.path, s)
        elif node.id == "sequence":
            for i, v in enumerate(node.value):
                s = add(path + (i,), v.start_mark, None, v, parent)
                walk(v, s.path, s)

    walk(doc.root, (), None)
    return owner


_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")


def read(text: str, folds: bool = True) -> list[Doc]:
    """The documents of ``text`` with every comment and blank line given an owner (none for
    a text of comments only). Raises
    :class:`Unsupported` for what `fmt` leaves as written (directives, `...` markers, content
    on a `---` line) and ruamel's errors for text it cannot parse. Without ``folds`` the
    values of folded scalars lack their fold marks (enough to find comments)."""
    from .yamlio import compose_all

    if any(ch in text for ch in _OTHER_BREAKS):  # YAML breaks lines there; the layout counts "\n" only
        raise Unsupported("a Unicode line break (U+0085, U+2028 or U+2029)")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    roots = compose_all(text, folds)
    markers = []
    for i, line in enumerate(lines):
        if line.startswith("%"):
            raise Unsupported("a YAML directive (`%`)")
        if line.startswith("...") and line[3:4] in ("", " ", "\t"):
            raise Unsupported("a document end marker (`...`)")
        if _MARKER.match(line):
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                raise Unsupported("content on a `---` line")
            markers.append(i)
    if not roots:  # nothing but comments and blank lines: left as it is
        return []
    implicit_first = len(markers) == len(roots) - 1
    if not implicit_first and len(markers) != len(roots):
        raise Unsupported("documents that cannot be told apart")
    starts = ([0] if implicit_first else []) + markers
    cov = _covered(lines, roots)
    docs = []
    for n, root in enumerate(roots):
        explicit = not (implicit_first and n == 0)
        if root is not None and _is_empty(root):
            root = None
        doc = Doc(root, explicit)
        first = starts[n] + (1 if explicit else 0)
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        if explicit:
            marker = lines[starts[n]]
            c = _comment_col(marker, cov[starts[n]])
            doc.marker_note = marker[c:].rstrip() if c is not None else None
        if n == 0 and explicit:
            for i in range(0, starts[0]):
                c = _comment_col(lines[i], cov[i])
                if c is not None:
                    doc.prelude.append(Note(lines[i][c:].rstrip()))
        _assign(doc, lines, cov, first, end)
        docs.append(doc)
    return docs


def _assign(doc: Doc, lines: list[str], cov, first: int, end: int) -> None:
    owner = _slots(doc, lines) if doc.root is not None else {}
    slots = doc.slots
    slot_lines = [s.line for s in slots]
    # the outermost scalar or flow collection ending on each line, for end-of-line comments
    ends: dict[int, tuple] = {}

    def visit(n) -> None:
        if _is_block_scalar(n) or _is_empty(n):
            return
        if n.id != "scalar" and not n.flow_style:
            return
        e, s = n.end_mark, n.start_mark
        key = (s.line, s.column)
        if e.line not in ends or key < ends[e.line][0]:
            ends[e.line] = (key, n)

    if doc.root is not None:
        _walk(doc.root, visit)
    pending_blank = False
    slot_at, last_on = {}, {}   # the first and the last entry starting on each line
    for s in slots:
        slot_at.setdefault(s.line, s)
        last_on[s.line] = s
    for i in range(first, end):
        line = lines[i]
        c = _comment_col(line, cov[i])
        full = c is not None and not line[:c].strip()
        if i in slot_at:
            slot_at[i].blank_before = pending_blank
            pending_blank = False
        if c is None:
            if not line.strip() and not cov[i]:
                pending_blank = True
            continue
        note = Note(line[c:].rstrip(), c)
        if not full:
            hit = ends.get(i)
            s = owner.get(id(hit[1])) if hit else last_on.get(i)
            if s is not None:
                s.eol.append(note)
                _mark(doc, s)
                continue
        note.blank_before = pending_blank
        pending_blank = False
        _place(doc, note, i, slots, slot_lines)


def _place(doc: Doc, note: Note, line: int, slots: list[Slot], slot_lines: list[int]) -> None:
    k = bisect.bisect_right(slot_lines, line)
    nxt = slots[k] if k < len(slots) else None
    prev = slots[k - 1] if k > 0 else None
    if prev is None:
        doc.head.append(note)
        return
    if nxt is not None and (note.col <= nxt.col or nxt.path[:len(prev.path)] == prev.path):
        # above the next entry, or between a key and its first entry below (at any indentation);
        # between a list item's dash and its first key, the item's (the key may not stay first)
        if nxt.parent is not None and nxt.parent.key is None and nxt.parent is prev:
            nxt = prev
        nxt.before.append(note)
        _mark(doc, nxt)
        return
    if nxt is None and note.col == 0:
        doc.tail.append(note)
        return
    s: Slot | None = prev
    while s is not None and s.col > note.col:
        s = s.parent
    if s is None:
        if nxt is not None:
            nxt.before.append(note)
            _mark(doc, nxt)
        else:
            doc.tail.append(note)
        return
    s.after.append(note)
    _mark(doc, s)


def _mark(doc: Doc, s: Slot) -> None:
    """The collections holding ``s`` have a comment inside: they stay in block style."""
    p = s.path[:-1]
    while True:
        if p in doc.commented:
            return
        doc.commented.add(p)
        if not p:
            return
        p = p[:-1]
