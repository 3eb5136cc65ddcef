"""The spelling of a value's path inside a spec or a manifest, both ways.

:func:`parse_path` reads `env.LOG_LEVEL`, `containers[0]` or `labels["app.kubernetes.io/name"]`
into a tuple of keys and indexes; :func:`show_path` writes such a tuple back in the same
notation (`skyspec diff` prints its paths with it too). This module is pure text: it must not
look at specs, manifests or provenance, and must not import anything of skyspec.
"""

from __future__ import annotations

import re

_SEG = re.compile(r'\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|\.?([^.\[\]]+)')


def parse_path(text: str) -> tuple:
    """`env.LOG_LEVEL` -> ("env", "LOG_LEVEL"); `containers[0]` -> ("containers", 0);
    `labels["app.kubernetes.io/name"]` -> ("labels", "app.kubernetes.io/name")."""
    out: list = []
    pos = 0
    while pos < len(text):
        m = _SEG.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot parse path {text!r} at {pos + 1}")
        if m.group(1) is not None:
            out.append(m.group(1).replace('\\"', '"'))
        elif m.group(2) is not None:
            out.append(int(m.group(2)))
        else:
            out.append(m.group(3))
        pos = m.end()
    return tuple(out)


def show_path(path: tuple) -> str:
    s = ""
    for p in path:
        if isinstance(p, int):
            s += f"[{p}]"
        elif re.fullmatch(r"[A-Za-z0-9_-]+", p):
            s += f".{p}" if s else p
        else:
            s += f'["{p}"]'
    return s
