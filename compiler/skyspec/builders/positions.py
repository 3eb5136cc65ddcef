"""Where a builder value was set: the user's call, captured as the builders run.

Every public method (and constructor) of a builder class is wrapped by :class:`_Recorder`
so that what it sets remembers the position of the user's call that set it: the first
frame outside the skyspec package (file, line and, on Python 3.11+, the column of the
method name). A position is kept raw, as ``(filename, line, col, end)`` with the code
object's file name; :func:`skyspec.builders._base._namer` turns it into a diagnostics
``Pos`` when a document is made.

This module knows nothing of spec documents or kinds, and imports nothing of skyspec.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import linecache
import os
import sys
import threading

# the skyspec package: frames of its modules are never the user's call
_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_tls = threading.local()
_INTERNAL: dict[str, bool] = {}
_POSITIONS: dict = {}


def _internal(filename: str) -> bool:
    r = _INTERNAL.get(filename)
    if r is None:
        a = os.path.abspath(filename)
        r = _INTERNAL[filename] = a == _PKG or a.startswith(_PKG + os.sep)
    return r


def _span(code, lasti: int, line: int) -> tuple[int, int, int] | None:
    """The instruction's (start col, end col or -1, end line), 0-based UTF-8 byte columns,
    when it starts on ``line`` (Python 3.11+); None otherwise."""
    try:
        table = _POSITIONS.get(code)
        if table is None:
            if len(_POSITIONS) > 512:
                _POSITIONS.clear()
            table = _POSITIONS[code] = list(code.co_positions())
        l0, l1, c0, c1 = table[lasti // 2]
    except (AttributeError, IndexError, TypeError):
        return None
    if l0 != line or c0 is None:
        return None
    return c0, (c1 if l1 == line and c1 is not None else -1), l1


def _chars(text: str, byte_col: int) -> int:
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


def _frame_pos(code, lasti: int, line: int, name: str | None = None, ctor: bool = False) -> tuple:
    """(file, line, col, end) of the call executing at ``lasti``; with ``name``, the column
    of that method (or class) name in the line, else the column the instruction starts at."""
    file = code.co_filename
    sp = _span(code, lasti, line)
    if sp is None:
        return (file, line, 1, 0)
    c0, c1, _ = sp
    text = linecache.getline(file, line)
    if not text:
        return (file, line, c0 + 1, c1 + 1 if c1 >= 0 else 0)
    start, stop = _chars(text, c0), (_chars(text, c1) if c1 >= 0 else len(text.rstrip("\r\n")))
    if name:
        needle = f"{name}(" if ctor else f".{name}("
        i = text.rfind(needle, max(0, start - 1), stop)
        if i >= 0:
            col = i if ctor else i + 1
            return (file, line, col + 1, stop + 1 if c1 >= 0 else col + len(name) + 1)
    return (file, line, start + 1, stop + 1 if c1 >= 0 else 0)


def _capture(name: str | None, ctor: bool = False, frame=None) -> tuple:
    """The position of the user's call: the first frame outside the skyspec package."""
    f = frame if frame is not None else sys._getframe(1)
    while f is not None and _internal(f.f_code.co_filename):
        f = f.f_back
    if f is None:  # pragma: no cover - only skyspec on the stack
        return ("<python>", 1, 1, 0)
    return _frame_pos(f.f_code, f.f_lasti, f.f_lineno, name, ctor)


def _here() -> tuple:
    """The position of the public call being executed (set by the method wrapper)."""
    pos = getattr(_tls, "pos", None)
    return pos if pos is not None else _capture(None)


def _recorded(fn, name: str):
    """A public builder method: the values it sets get the position of the user's call. A
    call made by skyspec itself (one method using another) keeps the outer call's position."""

    @functools.wraps(fn)
    def call(self, *args, **kwargs):
        old = getattr(_tls, "pos", None)
        caller = sys._getframe(1)
        if old is not None and _internal(caller.f_code.co_filename):
            return fn(self, *args, **kwargs)
        _tls.pos = _capture(name, frame=caller)
        try:
            return fn(self, *args, **kwargs)
        finally:
            _tls.pos = old

    call._sky_wrapped = True  # type: ignore[attr-defined]
    return call


def _recorded_init(fn):
    """A constructor: the document's position is where the user created it (``App("api")``);
    the constructors of base classes run under the same position."""

    @functools.wraps(fn)
    def init(self, *args, **kwargs):
        if getattr(_tls, "init_of", None) is self:
            return fn(self, *args, **kwargs)
        old, old_self = getattr(_tls, "pos", None), getattr(_tls, "init_of", None)
        caller = sys._getframe(1)
        if old is None or not _internal(caller.f_code.co_filename):
            _tls.pos = _capture(type(self).__name__, ctor=True, frame=caller)
        _tls.init_of = self
        try:
            return fn(self, *args, **kwargs)
        finally:
            _tls.pos, _tls.init_of = old, old_self

    init._sky_wrapped = True  # type: ignore[attr-defined]
    return init


def _unrecorded(fn):
    """Methods that set nothing (output, inspection): no position capture."""
    fn._sky_wrapped = True
    return fn


class _Recorder:
    """Wraps every public method (and the constructor) of a subclass so that what it sets
    records the user's call position."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for attr, fn in list(vars(cls).items()):
            if not inspect.isfunction(fn) or getattr(fn, "_sky_wrapped", False):
                continue
            if attr == "__init__":
                setattr(cls, attr, _recorded_init(fn))
            elif not attr.startswith("_"):
                setattr(cls, attr, _recorded(fn, attr))

    def __getattr__(self, attr: str):
        if attr.startswith("_"):
            raise AttributeError(attr)
        names = [n for n in dir(type(self)) if not n.startswith("_")]
        # the spec's field name for the method (`health` for `health_check`), or a near spelling
        close = sorted(n for n in names if n.startswith(attr + "_"))[:1] or \
            difflib.get_close_matches(attr, names, n=1, cutoff=0.7)
        hint = f'; did you mean "{close[0]}"?' if close else "; see docs/python-api.md for the supported methods"
        raise AttributeError(f"{type(self).__name__} has no method {attr!r}{hint}")
