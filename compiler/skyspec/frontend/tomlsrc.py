"""TOML spec files into positioned documents.

tomli parses (it is the fastest TOML parser on PyPI, ~4x the stdlib's tomllib here);
:mod:`.tomlpos` recovers the line and column of every key and value, which tomli does not
report. A TOML file holds one document.

The input is untrusted: the nesting and value-count limits of :class:`~skyspec.limits.Limits`
hold here as in YAML. Arrays and inline tables nested deeper than the parsers safely recurse
are refused by a flat scan before tomli sees them, and a text that may hold more values than
the limit is counted by the position scanner first (tomli takes seconds for millions); the
rest is checked while the document is built. Nothing here may recurse deeper than the
nesting limit (at most 256 levels), nor hand tomli a text those checks have not cleared.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import tomli

from ..diagnostics import Diagnostics, Pos
from ..limits import DEFAULT, Exceeded, Limits, too_deep, too_many
from .loc import Loc, SourceDoc
from .tomlpos import toml_positions

_AT = re.compile(r"\(at line (\d+), column (\d+)\)")

# Brackets tomli and tomlpos nest safely without a scan first (both recurse per level).
_PARSE_SAFE = 200
# What can hold a bracket that is no bracket (strings, comments), and the brackets.
_BRACKETS = re.compile(
    r'"""(?:[^\\"]+|\\.|"{1,2}(?!"))*+"{3,5}'
    r"|'''(?:[^']+|'{1,2}(?!'))*+'{3,5}"
    r'|"(?:[^"\\\n]+|\\.)*+"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
    r"|[\[\]{}]",
    re.S,
)


def _bracket_too_deep(text: str, limit: int) -> int | None:
    """The offset of the first `[` or `{` whose value would be nested deeper than ``limit``
    (the document is level 1), counting brackets outside strings and comments; or None.
    Table headers count too, which only under-counts the tables they open."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        c = m.group()
        if c == "[" or c == "{":
            depth += 1
            if depth >= limit:
                return m.start()
        elif (c == "]" or c == "}") and depth:
            depth -= 1
    return None


def _offset_pos(text: str, file: str, offset: int) -> Pos:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Pos(file, line, col, col + 1)


def _plain(v: Any) -> Any:
    if isinstance(v, (_dt.date, _dt.time, _dt.datetime)):
        return v.isoformat()
    return v


class _Builder:
    """The parsed document into (plain data, Loc), with the nesting and value limits: the
    document is level 1, and ``budget`` values (keys included) may follow it."""

    def __init__(self, file: str, values: dict, keys: dict, limits: Limits):
        self.file, self.values, self.keys, self.limits = file, values, keys, limits
        self.budget = limits.nodes - 1

    def _at(self, table: dict, path: tuple, fallback: Pos) -> Pos:
        span = table.get(path)
        return Pos(self.file, span[0], span[1], span[2]) if span else fallback

    def build(self, data: Any, path: tuple, parent: Pos, depth: int = 1):
        file = self.file
        span = self.values.get(path)
        pos = Pos(file, span[0], span[1], span[2]) if span else parent
        if isinstance(data, dict):
            if depth > self.limits.depth:
                raise too_deep(pos, self.limits)
            before = self.budget
            self.budget -= 2 * len(data)
            if self.budget < 0:
                k = list(data)[before // 2]
                raise too_many(self._at(self.keys if before % 2 == 0 else self.values, path + (k,), pos), self.limits)
            out, kpos, kids = {}, {}, {}
            for k, v in data.items():
                p = path + (k,)
                ks = self.keys.get(p)
                kpos[k] = Pos(file, ks[0], ks[1], ks[2]) if ks else pos
                out[k], kids[k] = self.build(v, p, pos, depth + 1)
            return out, Loc(pos, kpos, kids)
        if isinstance(data, list):
            if depth > self.limits.depth:
                raise too_deep(pos, self.limits)
            before = self.budget
            self.budget -= len(data)
            if self.budget < 0:
                raise too_many(self._at(self.values, path + (before,), pos), self.limits)
            out_l, locs = [], []
            for i, v in enumerate(data):
                val, loc = self.build(v, path + (i,), pos, depth + 1)
                out_l.append(val)
                locs.append(loc)
            return out_l, Loc(pos, None, locs)
        return _plain(data), Loc(pos)


class _Over(Exception):
    pass


class _Counted(dict):
    """Value offsets for :func:`toml_positions` that count the values as the document will
    have them (the document, 2 per table entry, 1 per array item) and stop the scan at the
    first one past ``limit``, with its offset."""

    def __init__(self, limit: int):
        super().__init__()
        self.left = limit

    def __setitem__(self, path: tuple, span) -> None:
        if path not in self:
            self.left -= (2 if isinstance(path[-1], str) else 1) if path else 1
            if self.left < 0:
                raise _Over(span[0])
        super().__setitem__(path, span)


def _may_exceed(text: str, limits: Limits) -> bool:
    """Whether ``text`` may hold more values than the limit: every value but the document
    follows a `=`, `,`, `[`, `{` or `.` (a character at most one value)."""
    if 2 * len(text) + 1 <= limits.nodes:
        return False
    count = text.count
    return 2 * (count("=") + count(",") + count("[") + count("{") + count(".")) + 1 > limits.nodes


def load_toml(text: str, file: str, diags: Diagnostics, limits: Limits = DEFAULT) -> list[SourceDoc]:
    """The document of a TOML file, or nothing: syntax errors are SKY002, limits passed
    SKY009 / SKY016. tomli takes seconds for millions of values, so a text that may hold
    more than the limit is first counted by the position scanner, which stops at the limit."""
    if text.count("[") + text.count("{") > _PARSE_SAFE:
        at = _bracket_too_deep(text, limits.depth)
        if at is not None:
            too_deep(_offset_pos(text, file, at), limits).report(diags)
            return []
    positions = None
    if _may_exceed(text, limits):
        try:
            positions = toml_positions(text, _Counted(limits.nodes))
        except _Over as over:
            too_many(_offset_pos(text, file, over.args[0]), limits).report(diags)
            return []
        except Exception:  # not TOML the scanner can follow: tomli tells what is wrong
            positions = None
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        msg = str(exc)
        m = _AT.search(msg)
        pos = Pos(file, int(m.group(1)), int(m.group(2))) if m else Pos(file, 1, 1)
        diags.error("SKY002", f"invalid TOML: {_AT.sub('', msg).strip()}", pos,
                    hint="TOML writes `key = value`, text in quotes, tables as `[name]`; look at this line and the "
                         "one above")
        return []
    except RecursionError:  # tomli's own bound on key parts (or, in old versions, Python's)
        too_deep(_deep_key(text, file), limits).report(diags)
        return []
    if not data:
        return []
    values, keys = positions or toml_positions(text)
    try:
        plain, loc = _Builder(file, values, keys, limits).build(data, (), Pos(file, 1, 1))
    except Exceeded as exc:
        exc.report(diags)
        return []
    return [SourceDoc(file, 0, plain, loc)]


def _deep_key(text: str, file: str) -> Pos:
    """Where the most dotted key is, roughly: the line with the most dots."""
    best, best_line = -1, 1
    for n, line in enumerate(text.split("\n"), 1):
        dots = line.count(".")
        if dots > best:
            best, best_line = dots, n
    return Pos(file, best_line, 1)
