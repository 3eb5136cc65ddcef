"""The `.env` format as Compose reads it: the project's `.env` and each service's `env_file`s."""

from __future__ import annotations

import re

_REF = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def dotenv(text: str, outer: dict[str, str] | None = None) -> dict[str, str]:
    """The variables of a `.env` (or env_file) text, as Compose reads them: a value may name
    a variable defined above it (`ADDR=frontend-proxy:${ENVOY_PORT}`), except in single quotes,
    or else one of ``outer``: an env_file's value names the project's `.env` too (Mautic's
    `MAUTIC_DB_HOST="${MYSQL_HOST}"`, which Compose sets to the `.env`'s MYSQL_HOST); one
    defined in neither stays as written."""
    out: dict[str, str] = {}
    outer = outer or {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, v = line.split("=", 1)
        k = k.strip().removeprefix("export ").strip()
        v = v.strip()
        quoted = _quoted(v)
        literal = quoted is not None and v[0] == "'"
        if quoted is not None:   # (what follows the closing quote, a comment, is not the value: taiga's `SUBPATH="" # ...`)
            v = quoted
        elif " #" in v:
            v = v.split(" #", 1)[0].rstrip()
        if not literal and "$" in v:
            v = _REF.sub(lambda m: _looked_up(m, out, outer), v)
        out[k] = v
    return out


def _looked_up(m: re.Match, *scopes: dict[str, str]) -> str:
    """The value of the variable ``m`` names in the first of ``scopes`` that defines it, else ``m`` as written."""
    name = m.group(1) or m.group(2)
    return next((scope[name] for scope in scopes if name in scope), m.group(0))


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _quoted(v: str) -> str | None:
    """The value inside a quoted `.env` value (single quotes: as written; double: its escapes
    read), or None when ``v`` is not one closed quote."""
    if v[:1] not in ("'", '"'):
        return None
    if v[0] == "'":
        end = v.find("'", 1)
        return v[1:end] if end > 0 else None
    out, i = [], 1
    while i < len(v):
        c = v[i]
        if c == "\\" and i + 1 < len(v):
            out.append(_ESCAPES.get(v[i + 1], "\\" + v[i + 1]))
            i += 2
            continue
        if c == '"':
            return "".join(out)
        out.append(c)
        i += 1
    return None
