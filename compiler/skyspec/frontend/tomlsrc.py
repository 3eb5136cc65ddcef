"""TOML spec files into positioned documents.

tomli parses (it is the fastest TOML parser on PyPI, ~4x the stdlib's tomllib here);
:mod:`.tomlpos` recovers the line and column of every key and value, which tomli does not
report. A TOML file holds one document.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import tomli

from ..diagnostics import Diagnostics, Pos
from .loc import Loc, SourceDoc
from .tomlpos import toml_positions

_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _plain(v: Any) -> Any:
    if isinstance(v, (_dt.date, _dt.time, _dt.datetime)):
        return v.isoformat()
    return v


def _build(data: Any, path: tuple, file: str, values: dict, keys: dict, parent: Pos):
    span = values.get(path)
    pos = Pos(file, span[0], span[1], span[2]) if span else parent
    if isinstance(data, dict):
        out, kpos, kids = {}, {}, {}
        for k, v in data.items():
            p = path + (k,)
            ks = keys.get(p)
            kpos[k] = Pos(file, ks[0], ks[1], ks[2]) if ks else pos
            out[k], kids[k] = _build(v, p, file, values, keys, pos)
        return out, Loc(pos, kpos, kids)
    if isinstance(data, list):
        out_l, locs = [], []
        for i, v in enumerate(data):
            val, loc = _build(v, path + (i,), file, values, keys, pos)
            out_l.append(val)
            locs.append(loc)
        return out_l, Loc(pos, None, locs)
    return _plain(data), Loc(pos)


def load_toml(text: str, file: str, diags: Diagnostics) -> list[SourceDoc]:
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        msg = str(exc)
        m = _AT.search(msg)
        pos = Pos(file, int(m.group(1)), int(m.group(2))) if m else Pos(file, 1, 1)
        diags.error("SKY002", f"invalid TOML: {_AT.sub('', msg).strip()}", pos)
        return []
    if not data:
        return []
    values, keys = toml_positions(text)
    plain, loc = _build(data, (), file, values, keys, Pos(file, 1, 1))
    return [SourceDoc(file, 0, plain, loc)]
