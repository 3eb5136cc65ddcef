"""Where the cursor is in a YAML text being edited, read from the text alone.

Completion runs on text that is half-typed and so rarely parses: :func:`cursor_at` works
out, from indentation, `- ` item indicators and a flow collection opened on the cursor's
line, the path of the mapping or sequence holding the cursor (`("containers", 0, "env")`),
whether a key or a value is being written, and the word typed so far. Block mappings and
sequences (indentless ones included) are read exactly; a flow collection is read when it
opens on the cursor's line. Documents are separated by `---`. This module is pure text: it
must not parse YAML with a library, look at schemas or import anything of skyspec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-")
_KEY = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#:{}\[\],&*!|>'"%@`][^#]*?)\s*:(?=\s|$)""")
_DOC_SEP = re.compile(r"^(---|\.\.\.)(\s|$)")


@dataclass
class Cursor:
    path: tuple            # the mapping (mode key/value) or sequence (mode item) holding the cursor
    mode: str              # "key": a key is written; "value": the value of `key`; "item": a sequence item
    key: str | None        # mode "value": whose value
    prefix: str            # the word typed before the cursor
    start: int             # the column where that word starts (0-based)
    doc_lines: tuple[int, int]   # the cursor's document: first line, line after the last (0-based)


@dataclass
class _Line:
    dashes: list[int]
    key: tuple[int, str, str] | None    # (column, key, the rest of the line after `:`, comment removed)
    value_at: int                       # where a scalar or flow value starts when there is no key


def strip_comment(text: str) -> str:
    """``text`` without a trailing `# comment` (a `#` inside quotes, or not after a blank, stays)."""
    quote = None
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'" and (i == 0 or text[i - 1] in " \t[{,:"):
            quote = c
        elif c == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def _unquote(key: str) -> str:
    if len(key) >= 2 and key[0] == key[-1] == '"':
        return key[1:-1].replace('\\"', '"')
    if len(key) >= 2 and key[0] == key[-1] == "'":
        return key[1:-1].replace("''", "'")
    return key


def _parse(line: str) -> _Line:
    i = len(line) - len(line.lstrip(" "))
    dashes = []
    while line[i:i + 1] == "-" and line[i + 1:i + 2] in (" ", ""):
        dashes.append(i)
        i += 1
        while line[i:i + 1] == " ":
            i += 1
    m = _KEY.match(line, i)
    if m:
        return _Line(dashes, (i, _unquote(m.group(1).rstrip()), strip_comment(line[m.end():]).strip()), i)
    return _Line(dashes, None, i)


def document_bounds(lines: list[str], line: int) -> tuple[int, int]:
    start = 0
    for n in range(min(line, len(lines) - 1), -1, -1):
        if _DOC_SEP.match(lines[n]) and n < line:
            start = n + 1
            break
    end = len(lines)
    for n in range(line + 1, len(lines)):
        if _DOC_SEP.match(lines[n]):
            end = n
            break
    return start, end


def top_value(lines: list[str], bounds: tuple[int, int], key: str) -> str | None:
    """The scalar written for the top-level ``key`` of the document (`kind`, `use`), or None."""
    for n in range(*bounds):
        p = _parse(lines[n])
        if p.key and p.key[0] == 0 and not p.dashes and p.key[1] == key and p.key[2]:
            return _unquote(p.key[2])
    return None


def _parents(lines: list[str], start: int, line: int, col: int, seq: bool) -> tuple:
    """The path of the block collection whose member starts at column ``col`` of ``line``
    (``seq``: ``col`` is the `- ` of a sequence item), walking up the lines above it. A key
    written at a lower indentation with nothing after its `:` (or only an anchor or a tag)
    holds it, as does a `- ` at a lower indentation; a sequence may sit at its key's own
    indentation (`containers:` then `- name: x`)."""
    path: list = []
    for n in range(line - 1, start - 1, -1):
        text = strip_comment(lines[n])
        if not text.strip():
            continue
        p = _parse(text)
        if p.key is not None:
            kc, key, rest = p.key
            if (kc <= col if seq else kc < col) and (not rest or rest[0] in "&!" and " " not in rest):
                path.insert(0, key)
                col, seq = kc, False
        for d in reversed(p.dashes):
            if d < col:
                path.insert(0, 0)
                col, seq = d, True
        if col == 0 and not seq:
            break
    return tuple(path)


def _flow(text: str) -> tuple[list, str, str | None] | None:
    """A flow collection opened in ``text`` and not closed: (the keys and indexes into it,
    the mode, the key whose value is written), or None when every bracket is closed."""
    stack: list[list] = []   # ["map", key, after_colon] | ["seq"]
    token = ""
    quote = None
    for i, c in enumerate(text):
        if quote:
            token += c
            if c == quote:
                quote = None
            continue
        if c in "\"'" and not token.strip():
            quote = c
            token = c
        elif c == "{":
            stack.append(["map", None, False])
            token = ""
        elif c == "[":
            stack.append(["seq"])
            token = ""
        elif c in "}]":
            if stack:
                stack.pop()
            token = ""
        elif c == ",":
            if stack and stack[-1][0] == "map":
                stack[-1][1:] = [None, False]
            token = ""
        elif c == ":" and stack and stack[-1][0] == "map" and text[i + 1:i + 2] in (" ", "", ",", "}"):
            stack[-1][1:] = [_unquote(token.strip()), True]
            token = ""
        else:
            token += c
    if not stack:
        return None
    path: list = []
    for frame in stack[:-1]:
        path.append(frame[1] if frame[0] == "map" else 0)
    top = stack[-1]
    if top[0] == "seq":
        return path, "item", None
    return path, ("value" if top[2] else "key"), top[1]


def trailing_word(text: str) -> str:
    """The word (letters, digits, `_./-`) that ends ``text``: scanned back from its end, in
    linear time. (A regex `[...]*$` searched from each start is quadratic in a long run of
    such characters that ends in another: a line of a hostile file hung the server.)"""
    i = len(text)
    while i and text[i - 1] in _WORD_CHARS:
        i -= 1
    return text[i:]


def cursor_at(text: str, line: int, col: int) -> Cursor | None:
    """The cursor at ``line``:``col`` (0-based, in characters) of ``text``; None inside a
    comment, a scalar or past the end."""
    lines = text.split("\n")
    if line >= len(lines):
        return None
    bounds = document_bounds(lines, line)
    before = lines[line][:col]
    if strip_comment(before) != before.rstrip():
        return None  # in a comment
    prefix = trailing_word(before)
    start = col - len(prefix)
    head = before[:start]
    first = bounds[0]
    p = _parse(head + "x")  # what the cursor's word is part of: a key, a value or an item
    if p.key is not None:  # `key: word`, or `key: {a: word` (a flow collection opened here)
        kc, key, _ = p.key
        path = _block_path(lines, first, line, p.dashes, kc)
        flow = _flow(head[kc:].split(":", 1)[1])
        if flow is not None:
            sub, mode, fkey = flow
            return Cursor(path + (key, *sub), mode, fkey, prefix, start, bounds)
        return Cursor(path, "value", key, prefix, start, bounds)
    if p.dashes and p.value_at >= len(head):  # `- word`: an item of the sequence of the last dash
        path = _block_path(lines, first, line, p.dashes[:-1], p.dashes[-1], seq=True)
        return Cursor(path, "item", None, prefix, start, bounds)
    if p.value_at < len(head):  # `- {a: word` or `{a: word`
        flow = _flow(head[p.value_at:])
        if flow is None:
            return None
        if p.dashes:
            base = _block_path(lines, first, line, p.dashes[:-1], p.dashes[-1], seq=True) + (0,)
        else:
            base = _block_path(lines, first, line, [], p.value_at)
        sub, mode, fkey = flow
        return Cursor(base + tuple(sub), mode, fkey, prefix, start, bounds)
    return Cursor(_block_path(lines, first, line, [], start), "key", None, prefix, start, bounds)


def _block_path(lines: list[str], first: int, line: int, dashes: list[int], col: int, seq: bool = False) -> tuple:
    """The path of the collection holding a member at ``col`` of ``line``, whose `- `
    indicators before ``col`` on that line are ``dashes``."""
    inner: list = []
    for d in reversed(dashes):
        if d < col:
            inner.insert(0, 0)
            col, seq = d, True
    return _parents(lines, first, line, col, seq) + tuple(inner)
