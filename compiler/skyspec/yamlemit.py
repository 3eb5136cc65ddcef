"""A small, fast YAML emitter specialised for Kubernetes-style manifest data.

Only plain data is accepted: ``dict`` (``str`` keys, insertion order kept),
``list``/``tuple``, ``str``, ``int``, ``bool``, ``float`` and ``None``
(subclasses of these, e.g. ``OrderedDict`` or ``IntEnum``, are coerced to the
base type).  Anything else raises :class:`TypeError`.

Output is block style, as written by ``kubectl``::

    metadata:
      name: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: []

* nested mappings are indented by two spaces;
* sequences are written at the same indentation as their parent key, and a
  mapping (or sequence) inside a sequence item starts on the dash line;
* empty collections are ``{}`` / ``[]``, ``None`` is ``null``, booleans are
  ``true``/``false``, floats use ``repr`` adjusted so YAML 1.1 resolvers read
  them back as floats (``.inf``, ``-.inf``, ``.nan`` for the special values);
* strings are plain only when a conservative check says every YAML 1.1 / 1.2
  reader (PyYAML in particular) reads them back as the same string; otherwise
  they are double-quoted with JSON-like escapes (``\\n``, ``\\t``, ``\\xXX``,
  ``\\uXXXX``);
* multi-line strings without control characters or trailing blanks are
  written as literal block scalars (``|``, ``|-``, ``|+``, with an explicit
  indentation indicator when the text starts with a space or a newline).

The hot path avoids per-character Python loops: plain-safety is decided by
compiled regular expressions and renderings of single-line strings (keys in
particular) are memoised.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Iterable

__all__ = ["dump", "dump_all"]

# ---------------------------------------------------------------------------
# String classification
# ---------------------------------------------------------------------------

# Non-ASCII characters allowed unquoted.  Excludes the C1 block (with NEL
# U+0085), NO-BREAK SPACE, the line/paragraph separators U+2028/U+2029, the
# BOM U+FEFF, surrogates and the non-characters U+FFFE/U+FFFF.
_NONASCII = "\u00a1-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"

# First character of a plain scalar: no indicator characters
# (- ? : , [ ] { } # & * ! | > ' " % @ `), no space.  A leading "-" or "--"
# is accepted when followed by a letter (command-line flags such as "--port").
_FIRST = r"(?:[A-Za-z0-9_./$()<=~\\^;+{}]|--?[A-Za-z])"
# Remaining characters: printable ASCII and safe non-ASCII; no tab/controls.
# ": ", " #", a trailing ":" or a trailing space are rejected separately.
_BODY = r"[A-Za-z0-9_./$()<>=~\\^;+\-@%&*!?'\"`,\[\]{{}}|#: {}]*"
# Compiling the non-ASCII ranges costs ~10 ms per process: an ASCII string (nearly every
# one) is matched by the same classes without them, and the full ones are compiled the
# first time a string needs them.
_PLAIN_ASCII = re.compile(_FIRST.format("") + _BODY.format("") + r"\Z")


@functools.lru_cache(maxsize=None)
def _unicode(name: str) -> "re.Pattern[str]":
    if name == "plain":
        return re.compile(_FIRST.format(_NONASCII) + _BODY.format(_NONASCII) + r"\Z")
    return re.compile("[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def _plain_chars(s: str) -> "re.Match[str] | None":
    return (_PLAIN_ASCII if s.isascii() else _unicode("plain")).match(s)


# Plain-looking strings that a YAML reader would resolve to something other
# than a string (YAML 1.1 and 1.2 core schemas, plus a safety margin):
#   * booleans/nulls in any letter case, including YAML 1.1 y/n/on/off;
#   * "=" (value tag) and "<<" (merge key);
#   * .inf/.nan with optional sign;
#   * anything starting like a number ([sign][.]digit) made only of characters
#     that occur in ints, floats, sexagesimals and timestamps (0x1F, 0o17,
#     1e3, 1_000, 12:30, 2024-01-01, 2001-12-14t21:59:43.10-05:00 ...).
#     "100m" or "128Mi" stay plain because they contain other letters.
#   * strings starting with "..." (document end marker at column 0).
_SPECIAL = re.compile(
    r"""(?:
        (?:y|yes|n|no|true|false|on|off|null|~|=|<<)\Z
      | [-+]?\.(?:inf|nan)\Z
      | [-+]?\.?[0-9][0-9a-fxo_.:+\- tz]*\Z
      | \.\.\.
    )""",
    re.X | re.I,
)

# Characters that must be escaped inside double quotes.
_ESCAPE_RE = re.compile('[\x00-\x1f"\\\\\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]')
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\b": "\\b",
    "\f": "\\f",
}


def _escape_char(m: "re.Match[str]") -> str:
    c = m.group()
    e = _ESCAPES.get(c)
    if e is not None:
        return e
    o = ord(c)
    if o < 0x100:
        return "\\x%02X" % o
    return "\\u%04X" % o


def _double_quoted(s: str) -> str:
    if _ESCAPE_RE.search(s) is None:
        return '"' + s + '"'
    return '"' + _ESCAPE_RE.sub(_escape_char, s) + '"'


def _classify(s: str) -> str:
    """Rendering of a string that is emitted on a single line."""
    if (
        _plain_chars(s) is not None
        and s[-1] not in ": "
        and ": " not in s
        and " #" not in s
        and _SPECIAL.match(s) is None
    ):
        return s
    return _double_quoted(s)


# Memo of single-line renderings (context independent).  Keys and common
# values (names, labels, images) repeat a lot across manifests.
_CACHE: dict = {}
_CACHE_MAX = 65536
# Only short renderings are cached; this also guarantees that a cached key
# never needs the explicit "? key" form (see _map).
_CACHEABLE_LEN = 256


def _render_line(s: str) -> str:
    r = _classify(s)
    if len(r) <= _CACHEABLE_LEN:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[s] = r
    return r


# A literal block may only hold printable characters other than tab and the
# special line breaks (NEL, LS, PS) and the BOM (for non-ASCII text: _unicode("literal")).
_LITERAL_BAD_ASCII = re.compile("[^\n\x20-\x7e]")


def _literal(s: str, content_indent: str):
    """Literal block rendering of a multi-line string, or None if unsuitable."""
    if (
        (_LITERAL_BAD_ASCII if s.isascii() else _unicode("literal")).search(s) is not None
        or " \n" in s
        or s[-1] == " "
    ):
        return None
    if s[-1] == "\n":
        body = s[:-1]
        chomp = "+" if body[-1:] == "\n" else ""
    else:
        body = s
        chomp = "-"
    if not body.strip("\n"):
        return None
    # The indentation indicator is relative to the owning key/dash column;
    # content is always written two columns further in.
    header = ("|2" if s[0] in " \n" else "|") + chomp
    return header + "\n" + "\n".join(
        [content_indent + line if line else "" for line in body.split("\n")]
    )


def _str_value(s: str, content_indent: str) -> str:
    """Rendering of a string in value position (may be a literal block)."""
    if "\n" in s:
        lit = _literal(s, content_indent)
        if lit is not None:
            return lit
        return _double_quoted(s)
    return _render_line(s)


def _key(k) -> str:
    """Rendering of a mapping key (never a block scalar)."""
    if type(k) is not str:
        if isinstance(k, str):
            k = str.__str__(k)
        else:
            raise TypeError(
                "mapping keys must be str, not %s" % type(k).__name__
            )
    r = _CACHE.get(k)
    if r is not None:
        return r
    if "\n" in k:
        return _double_quoted(k)
    return _render_line(k)


# ---------------------------------------------------------------------------
# Scalars other than strings
# ---------------------------------------------------------------------------


def _float(f: float) -> str:
    if f != f:
        return ".nan"
    if f == math.inf:
        return ".inf"
    if f == -math.inf:
        return "-.inf"
    r = repr(f)
    if "." not in r:
        # "1e+100" is not a float for YAML 1.1 resolvers; "1.0e+100" is.
        i = r.find("e")
        r = r[:i] + ".0" + r[i:] if i >= 0 else r + ".0"
    return r


def _bool(b: bool) -> str:
    return "true" if b else "false"


def _null(_: None) -> str:
    return "null"


_SCALAR_FMT = {
    int: int.__repr__,
    bool: _bool,
    type(None): _null,
    float: _float,
}


def _coerce(v):
    """Map subclasses of supported types onto the exact base types."""
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, bool):  # pragma: no cover - bool cannot be subclassed
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, dict):
        return dict(v.items())
    if isinstance(v, (list, tuple)):
        return list(v)
    raise TypeError("cannot emit object of type %s as YAML" % type(v).__name__)


# ---------------------------------------------------------------------------
# Block emitters
# ---------------------------------------------------------------------------
#
# ``ind`` is the indentation (spaces) of the collection's entries, ``first``
# the prefix of the first entry line: equal to ``ind`` normally, or ending in
# "- " when the collection starts on its parent sequence item's dash line.
# Both always have the same length.


def _map(d: dict, ind: str, first: str, out: list) -> None:
    app = out.append
    cget = _CACHE.get
    ind2 = ind + "  "
    pre = first
    for k, v in d.items():
        # Cached renderings are always short; only fresh ones need checking.
        kk = cget(k)
        if kk is None:
            kk = _key(k)
            if len(kk) > 1000:
                # Simple keys are limited to 1024 characters: use "? key"
                # and put the value on a ": value" line.
                app(f"{pre}? {kk}\n")
                pre = ind
                kk = ""
        t = type(v)
        if t is str:
            s = cget(v)
            if s is None:
                s = _str_value(v, ind2)
            app(f"{pre}{kk}: {s}\n")
        elif t is dict:
            if v:
                app(f"{pre}{kk}:\n")
                _map(v, ind2, ind2, out)
            else:
                app(f"{pre}{kk}: {{}}\n")
        elif t is list:
            if v:
                app(f"{pre}{kk}:\n")
                _seq(v, ind, ind, out)
            else:
                app(f"{pre}{kk}: []\n")
        else:
            f = _SCALAR_FMT.get(t)
            if f is not None:
                app(f"{pre}{kk}: {f(v)}\n")
            else:
                _map_value_slow(pre + kk, v, ind, out)
        pre = ind


def _map_value_slow(lead: str, v, ind: str, out: list) -> None:
    v = _coerce(v)
    t = type(v)
    if t is str:
        out.append(lead + ": " + _str_value(v, ind + "  ") + "\n")
    elif t is dict:
        if v:
            out.append(lead + ":\n")
            _map(v, ind + "  ", ind + "  ", out)
        else:
            out.append(lead + ": {}\n")
    elif t is list:
        if v:
            out.append(lead + ":\n")
            _seq(v, ind, ind, out)
        else:
            out.append(lead + ": []\n")
    else:
        out.append(lead + ": " + _SCALAR_FMT[t](v) + "\n")


def _seq(items, ind: str, first: str, out: list) -> None:
    app = out.append
    cget = _CACHE.get
    ind2 = ind + "  "
    pre = first
    for v in items:
        t = type(v)
        if t is str:
            s = cget(v)
            if s is None:
                s = _str_value(v, ind2)
            app(f"{pre}- {s}\n")
        elif t is dict:
            if v:
                _map(v, ind2, pre + "- ", out)
            else:
                app(pre + "- {}\n")
        elif t is list:
            if v:
                _seq(v, ind2, pre + "- ", out)
            else:
                app(pre + "- []\n")
        else:
            f = _SCALAR_FMT.get(t)
            if f is not None:
                app(f"{pre}- {f(v)}\n")
            else:
                # tuple or subclass: coerce and emit as a one-item sequence
                _seq([_coerce(v)], ind, pre, out)
        pre = ind


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _document(obj: Any, out: list) -> None:
    t = type(obj)
    if t is dict:
        if obj:
            _map(obj, "", "", out)
        else:
            out.append("{}\n")
    elif t is list:
        if obj:
            _seq(obj, "", "", out)
        else:
            out.append("[]\n")
    elif t is str:
        # A root scalar is never written as a block scalar.
        r = _CACHE.get(obj)
        if r is None:
            r = _double_quoted(obj) if "\n" in obj else _render_line(obj)
        out.append(r + "\n")
    else:
        f = _SCALAR_FMT.get(t)
        if f is not None:
            out.append(f(obj) + "\n")
        else:
            _document(_coerce(obj), out)


def dump(obj: Any) -> str:
    """Serialise ``obj`` as one YAML document (no ``---``), newline-terminated."""
    out: list = []
    _document(obj, out)
    return "".join(out)


def dump_all(docs: Iterable[Any]) -> str:
    """Serialise several documents separated by ``---`` lines ("" if none)."""
    out: list = []
    first = True
    for doc in docs:
        if first:
            first = False
        else:
            out.append("---\n")
        _document(doc, out)
    return "".join(out)
