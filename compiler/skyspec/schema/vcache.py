"""The on-disk cache of compiled validators: fastjsonschema's generated code for a schema,
compiled once per machine and kept as a marshalled code object under
`$XDG_CACHE_HOME/skyspec/validators/` (generating and compiling one of the shipped schemas
costs 5-60 ms, :func:`generated_code`, which every pre-commit run would pay again).

An entry is named after its key (a hash of what the schema is made from, which the caller
gives: its file's bytes, and for a derived schema the source of the code deriving it; of
fastjsonschema's version, the Python bytecode version and this format's version: a hit
reads no schema at all) and starts with a header holding that key and
the SHA-256 of the key and the code that follows; both are verified *before* the code is
unmarshalled, so a damaged, truncated, renamed or foreign entry is never loaded: it is
reported as `rejected` and replaced. An unwritable cache is skipped. The cache's use is
observable: :data:`STATS` counts hits, misses, compilations and rejections, and
`SKYSPEC_DEBUG_CACHE=1` prints one `validator cache: <event> <schema>` line per event to
stderr (tests/test_validator_cache.py runs two processes and asserts the second only hits). This
module must not import jsonschema (it is imported only when a document fails), nor
fastjsonschema on a hit: the cached code raises :class:`Invalid` instead of fastjsonschema's
exceptions (whose import would load its whole code generator), and the key names
fastjsonschema's version by the bytes of its `version.py`.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..paths import cache_home, read_sealed, write_sealed

FORMAT = b"skyspec-validator-5\n"
STATS = {"hit": 0, "miss": 0, "compiled": 0, "rejected": 0, "verbose": 0}


class Invalid(ValueError):
    """A document the generated code refuses: raised (and, inside `anyOf`/`oneOf`, caught) by
    the cached code in place of fastjsonschema's exceptions, which it constructs alike. Its
    callers only learn that the document failed: the full validator tells why."""

    def __init__(self, message, value=None, name=None, definition=None, rule=None):
        super().__init__(message)


# the generated code's one import of fastjsonschema, replaced by :class:`Invalid` in its scope
_IMPORT = "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException\n"


def _event(kind: str, name: str) -> None:
    STATS[kind] += 1
    if os.environ.get("SKYSPEC_DEBUG_CACHE") == "1":
        # the process's own stderr: never the output a run captures (:mod:`skyspec.runcache` keeps it)
        print(f"validator cache: {kind} {name}", file=sys.__stderr__ or sys.stderr)


def compiled_validator(name: str, identity: bytes, schema: Callable[[], dict]) -> Callable:
    """The validating function of the schema ``name``, from the cache when a verified entry
    holds it. ``identity`` is everything the schema is made from (the key); ``schema()``
    makes it, only when it must be compiled (a copy given up: fastjsonschema rewrites
    `$ref`s in place)."""
    import importlib.util
    import marshal

    key = hashlib.sha256(FORMAT + identity + b"\0" + _generator_version()
                         + importlib.util.MAGIC_NUMBER).hexdigest()[:32]
    path = cache_home() / "validators" / f"c_{key}.bin"
    head = FORMAT + key.encode() + b"\n"
    scope = _scope(key)
    found, body = read_sealed(path, head)
    if found:
        if body is not None:
            try:
                exec(marshal.loads(body), scope)
                if callable(scope.get("validate")):
                    _event("hit", name)
                    return scope["validate"]
            except Exception:  # pragma: no cover - verified bytes of another interpreter build
                pass
        _event("rejected", name)
        scope = _scope(key)
    else:
        _event("miss", name)
    made = schema()
    made.pop("$schema", None)  # compile with fastjsonschema's default draft's semantics
    text = generated_code(made).replace(_IMPORT, "", 1)
    # the generated function is named after the schema's `$id`; the first one validates the root
    root = re.search(r"^def (\w+)\(", text, re.M)
    code = compile(f"{text}\nvalidate = {root.group(1) if root else 'None'}\n", f"<validator {name}>", "exec")
    exec(code, scope)
    if not callable(scope["validate"]):  # pragma: no cover - a fastjsonschema without that layout
        return fastjsonschema.compile(made, use_formats=False)
    _event("compiled", name)
    try:
        write_sealed(path, head, marshal.dumps(code))
    except OSError:
        pass
    return scope["validate"]


def generated_code(schema: dict) -> str:
    """fastjsonschema's code for ``schema``, each failure raising a bare exception: fastjsonschema
    writes the whole (sub)schema it fails into every `raise` (`definition={...}`: the root's
    repr at every root failure, 80% of app.json's 800 KB of code), which only its messages
    read, and callers here read no message (:class:`Invalid`). The checks themselves are the
    generator's own. Generating and compiling the shipped schemas takes a quarter of the time
    (app.json: 0.35 s to 0.05 s) and their code a quarter of the space. With a fastjsonschema
    whose generator is laid out otherwise, its own code (:data:`STATS` counts `verbose`)."""
    import fastjsonschema

    try:
        from fastjsonschema.ref_resolver import RefResolver

        base = fastjsonschema._get_code_generator_class(schema)

        class Terse(base):  # type: ignore[valid-type,misc]
            def exc(self, msg, *args, **kwargs):
                self.l('raise JsonSchemaValueException("")')

        gen = Terse(schema, resolver=RefResolver.from_schema(schema, handlers={}, store={}), formats={},
                    use_default=True, use_formats=False)
        return gen.global_state_code + "\n" + gen.func_code
    except (AttributeError, TypeError, ImportError):  # pragma: no cover - another fastjsonschema layout
        STATS["verbose"] += 1
        return fastjsonschema.compile_to_code(schema, use_formats=False)


def _scope(key: str) -> dict:
    return {"__name__": f"skyspec_validator_{key}", "JsonSchemaValueException": Invalid,
            "JsonSchemaValuesException": Invalid}


@lru_cache(maxsize=None)
def _generator_version() -> bytes:
    """fastjsonschema's `version.py` (its VERSION), read without importing the package."""
    import importlib.util

    spec = importlib.util.find_spec("fastjsonschema")
    if spec is None or spec.origin is None:  # pragma: no cover - a required dependency
        return b"?"
    try:
        return Path(spec.origin).with_name("version.py").read_bytes()
    except OSError:  # pragma: no cover - another layout: no key to trust, so no entry is ever found
        return os.urandom(16)
