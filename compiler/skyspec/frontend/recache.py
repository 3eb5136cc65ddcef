"""PyYAML's costly import, paid once per machine. `import yaml` imports its pure-Python reader,
whose class body compiles NON_PRINTABLE, a character class of almost every code point, and
the `re` compiler (Python code) walks such a class one code point at a time: ~58M
instructions, a twentieth of a 100-app build, for a reader skyspec never runs (it reads YAML
with libyaml). :func:`seed` puts that pattern into the `re` module's cache, made from its
compiled code kept under `$XDG_CACHE_HOME/skyspec/regex/`: the import then finds it compiled.

An entry is named by a hash of the pattern, its flags and the interpreter (its version and
the regex engine's MAGIC) and holds the SHA-256 of the name and the code that follows, checked
before the code is unmarshalled (a damaged or foreign entry is rejected and replaced). An
entry is written only once the pattern its code makes was found equal to the one `re`
compiles itself (`Pattern` equality compares the flags, the pattern and the code), and
`_sre.compile` validates the code again on every use. Anything unexpected (another
interpreter's `re` internals, an unwritable cache) leaves `re` to compile the pattern, as
without this module. Observable like the validator cache: :data:`STATS`, and
`SKYSPEC_DEBUG_CACHE=1` prints `regex cache: <event>` lines to stderr. This module imports
nothing of skyspec but :mod:`skyspec.paths`, and never `yaml`.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys

from ..paths import cache_home, read_sealed, write_sealed

FORMAT = b"skyspec-regex-1\n"
STATS = {"hit": 0, "miss": 0, "stored": 0, "rejected": 0}

# yaml.reader.Reader.NON_PRINTABLE's pattern, as PyYAML 6 writes it (tests/test_regex_cache.py)
YAML_NON_PRINTABLE = "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]"


def _event(kind: str) -> None:
    STATS[kind] += 1
    if os.environ.get("SKYSPEC_DEBUG_CACHE") == "1":
        print(f"regex cache: {kind}", file=sys.__stderr__ or sys.stderr)


def seed(pattern: str) -> None:
    """``pattern`` (a str pattern without flags) compiled into `re`'s cache: from the entry
    that holds its code, else compiled by `re` and its code stored for the next process."""
    cache = getattr(re, "_cache", None)
    compiler = getattr(re, "_compiler", None)  # Python 3.11 and later
    if not isinstance(cache, dict) or compiler is None or (str, pattern, 0) in cache:
        return
    try:
        import _sre
        import marshal

        key = hashlib.sha256(b"\0".join((FORMAT, sys.version.encode(), str(_sre.MAGIC).encode(),
                                         pattern.encode("utf-8", "surrogatepass")))).hexdigest()[:32]
        path = cache_home() / "regex" / f"r_{key}.bin"
    except Exception:  # an interpreter without these, or no home folder: `re` compiles it
        return
    head = FORMAT + key.encode() + b"\n"
    found, body = read_sealed(path, head)
    if found:
        if body is not None:
            try:
                cache[str, pattern, 0] = _sre.compile(pattern, *marshal.loads(body))
                _event("hit")
                return
            except Exception:  # pragma: no cover - verified bytes of another interpreter build
                pass
        _event("rejected")
    else:
        _event("miss")
    try:
        made = _code(compiler, pattern)
        if _sre.compile(pattern, *made) != re.compile(pattern):  # the same flags, pattern and code
            return  # pragma: no cover - another `re` than this module knows
        write_sealed(path, head, marshal.dumps(made))
        _event("stored")
    except Exception:  # an unwritable cache, or `re` internals unlike 3.11's: `re` compiles it
        pass


def _code(compiler, pattern: str) -> tuple:
    """The arguments after the pattern with which `re._compiler.compile` calls `_sre.compile`."""
    p = compiler._parser.parse(pattern, 0)
    code = compiler._code(p, 0)
    groupindex = p.state.groupdict
    indexgroup = [None] * p.state.groups
    for k, i in groupindex.items():
        indexgroup[i] = k
    # plain ints (the opcodes are int subclasses, which marshal does not write)
    return int(p.state.flags), [int(c) for c in code], p.state.groups - 1, dict(groupindex), tuple(indexgroup)
