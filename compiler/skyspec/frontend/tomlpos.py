"""Source positions for TOML documents.

``tomli`` parses TOML quickly but keeps no positions.  :func:`toml_positions` is a small
single-pass scanner run over the same text (after ``tomli.loads`` has accepted it) that
finds where every value and every key is written, keyed by the *path* of the value in the
parsed document: a tuple of ``str`` keys and ``int`` list indexes, exactly as the value is
reached in ``tomli.loads(text)``.

The scanner relies on the text being valid TOML (v1.0 / v1.1 as accepted by tomli): it does
no validation, and only skips over the parts of the syntax it does not need (string
contents, comments, whitespace) with token regexes.

Positions are ``(line, col, end_col)``: 1-based line and column, ``end_col`` exclusive on
the same line (a value spanning several lines ends at the end of its first line).

* ``values[path]``: the first character of the value (``8080``, the quote of ``"x"``, the
  ``[`` of an array, the ``{`` of an inline table, the opening quotes of a multi-line
  string).  A table defined by a ``[a.b]`` header is at the header's ``[`` (end: after the
  ``]``); an array of tables ``[[q]]`` is at its first header, and each element ``(q, n)`` at
  its own header.  A table created implicitly (``a`` in ``[a.b]`` or ``a.b.c = 1``) is at its
  first mention, i.e. the key segment naming it.  The root ``()`` is ``(1, 1, 1)``.
* ``keys[path]``: where the last segment of the key is written (including its quotes when
  quoted).  Array elements have no key, except the elements of an array of tables, whose
  key is the last segment of their own ``[[...]]`` header.
"""

from __future__ import annotations

import re
from bisect import bisect_right

__all__ = ["toml_positions"]

Span = tuple  # (line, col, end_col)

# Whitespace, newlines and comments (between statements, inside arrays / inline tables).
_skip_all = re.compile(r"[ \t\r\n]*(?:#[^\n]*[ \t\r\n]*)*").match
# Whitespace on one line.
_skip_ws = re.compile(r"[ \t]*").match
# One key segment of a header (group 1, quotes included) with the whitespace after it and an
# optional following dot (group 2).
_key_seg = re.compile(
    r"""([A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')[ \t]*(\.[ \t]*)?"""
).match
# One key segment of a key/value pair, followed by either a dot (group 2) or "=", and the
# whitespace after them.
_pair_seg = re.compile(
    r"""([A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')[ \t]*(?:(\.)|=)[ \t]*"""
).match
# Any value that is not an array or an inline table.
_scalar = re.compile(
    r'"""(?:[^\\"]+|\\.|"{1,2}(?!"))*+"{3,5}'
    r"|'''(?:[^']+|'{1,2}(?!'))*+'{3,5}"
    r'|"(?:[^"\\\n]+|\\.)*+"'
    r"|'[^'\n]*'"
    r"|\d{4}-\d\d-\d\d(?:[Tt ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[Zz]|[+-]\d\d:\d\d)?)?"
    r"|[^\s,\]}#]+",
    re.S,
).match
_newline = re.compile("\n").finditer
_escape = re.compile(
    r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2})|(.))", re.S
).sub
_SIMPLE_ESCAPES = {
    "b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b", '"': '"', "\\": "\\",
}


def _unescape_one(m: re.Match) -> str:
    hexdigits = m.group(1) or m.group(2) or m.group(3)
    if hexdigits:
        return chr(int(hexdigits, 16))
    return _SIMPLE_ESCAPES.get(m.group(4), m.group(4))


def _key_name(raw: str) -> str:
    """The key a (possibly quoted) key segment denotes."""
    c = raw[0]
    if c == '"':
        raw = raw[1:-1]
        return _escape(_unescape_one, raw) if "\\" in raw else raw
    if c == "'":
        return raw[1:-1]
    return raw


def _key(text: str, i: int) -> tuple[list, int]:
    """Parse a dotted key at ``i``: ``([(name, start, end), ...], index after the key)``."""
    segs = []
    while True:
        m = _key_seg(text, i)
        s, e = m.span(1)
        segs.append((_key_name(m.group(1)), s, e))
        i = m.end()
        if m.group(2) is None:
            return segs, i


def _pair(text: str, i: int, prefix: tuple, vals: dict, keys: dict) -> int:
    """Parse ``key = value`` at ``i`` under table ``prefix``; return the index after it."""
    path = prefix
    while True:
        m = _pair_seg(text, i)
        raw = m.group(1)
        span = m.span(1)
        path += (raw if raw[0] not in "\"'" else _key_name(raw),)
        i = m.end()
        if m.group(2) is None:
            break
        if path not in vals:  # implicit table: first mention
            vals[path] = keys[path] = span
    keys[path] = span
    c = text[i]
    if c == "[" or c == "{":
        return _value(text, i, path, vals, keys)
    e = _scalar(text, i).end()
    vals[path] = (i, e)
    return e


def _value(text: str, i: int, path: tuple, vals: dict, keys: dict) -> int:
    """Parse the value at ``i`` (reached by ``path``); return the index after it."""
    c = text[i]
    if c == "[":
        start = i
        vals[path] = (start, i + 1)  # keep document order: the array before its elements
        i = _skip_all(text, i + 1).end()
        k = 0
        while text[i] != "]":
            i = _value(text, i, path + (k,), vals, keys)
            k += 1
            i = _skip_all(text, i).end()
            if text[i] == ",":
                i = _skip_all(text, i + 1).end()
        i += 1
        vals[path] = (start, i)
        return i
    if c == "{":
        start = i
        vals[path] = (start, i + 1)
        i = _skip_all(text, i + 1).end()
        while text[i] != "}":
            i = _skip_all(text, _pair(text, i, path, vals, keys)).end()
            if text[i] == ",":
                i = _skip_all(text, i + 1).end()
        i += 1
        vals[path] = (start, i)
        return i
    e = _scalar(text, i).end()
    vals[path] = (i, e)
    return e


def _header(text: str, i: int, vals: dict, keys: dict, aot: dict) -> tuple[tuple, int]:
    """Parse a ``[table]`` / ``[[array.of.tables]]`` header at ``i``: ``(path, end)``."""
    start = i
    is_aot = text[i + 1] == "["
    i = _skip_ws(text, i + (2 if is_aot else 1)).end()
    segs, i = _key(text, i)
    end = i + (2 if is_aot else 1)  # after "]" / "]]"
    path: tuple = ()
    for name, s, e in segs[:-1]:
        path += (name,)
        if path not in vals:
            vals[path] = keys[path] = (s, e)
        idx = aot.get(path)
        if idx is not None:
            path += (idx,)
    name, s, e = segs[-1]
    path += (name,)
    if is_aot:
        idx = aot.get(path)
        if idx is None:
            idx = 0
            vals[path] = (start, end)
            keys[path] = (s, e)
        else:
            idx += 1
        aot[path] = idx
        path += (idx,)
    vals[path] = (start, end)
    keys[path] = (s, e)
    return path, end


def _to_line_col(text: str, starts: list, raw: dict) -> dict:
    """Convert ``{path: (start, end)}`` offsets into ``{path: (line, col, end_col)}``;
    ``starts`` holds the offset of each line's first character."""
    nlines = len(starts)
    out = {}
    for path, (s, e) in raw.items():
        ln = bisect_right(starts, s)
        base = starts[ln - 1]
        if ln < nlines and e >= starts[ln]:  # spans lines: stop at the end of the first
            e = starts[ln] - 1
            if e > s and text[e - 1] == "\r":
                e -= 1
        out[path] = (ln, s - base + 1, e - base + 1)
    return out


def toml_positions(text: str, values: dict | None = None) -> tuple[dict[tuple, Span], dict[tuple, Span]]:
    """Positions of every value and key of the TOML document ``text``.

    ``values``, when given, is the (empty) dict the value offsets are collected in, in
    document order, before they are converted: a subclass may stop the scan by raising.

    Returns ``(values, keys)``, both mapping a path (tuple of str keys / int indexes, as in
    ``tomli.loads(text)``) to ``(line, col, end_col)``.  ``text`` must be valid TOML (parse
    it with tomli first); the result for invalid TOML is unspecified.
    """
    vals: dict = {} if values is None else values  # a dict of the caller's may watch what is found
    vals[()] = (0, 0)
    keys: dict = {}
    aot: dict = {}
    prefix: tuple = ()
    n = len(text)
    i = _skip_all(text, 0).end()
    while i < n:
        if text[i] == "[":
            prefix, i = _header(text, i, vals, keys, aot)
        else:
            i = _pair(text, i, prefix, vals, keys)
        i = _skip_all(text, i).end()
    starts = [0]
    if "\n" in text:
        starts += [m.end() for m in _newline(text)]
    return _to_line_col(text, starts, vals), _to_line_col(text, starts, keys)
