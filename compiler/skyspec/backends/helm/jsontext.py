"""JSON text of the Helm chart's values.schema.json: exactly what ``json.dumps(v, indent=2,
ensure_ascii=False)`` writes, made faster. With ``indent``, the standard library runs its pure
Python encoder, which walks every value through nested generators (a tenth of a 1,000-app
chart's time); here each map and list is one join, scalars go through the C string encoder,
and a map or list met again (the schema shares its declared schemas, e.g. the one of a flag,
among thousands of places) is written once per indentation. It writes JSON-like data only
(dicts, lists, tuples, strings, numbers, booleans, None); it must not know what the data means.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any


def dumps(v: Any) -> str:
    """``json.dumps(v, indent=2, ensure_ascii=False)``."""
    return _Text().value(v, "")


def _float(f: float) -> str:
    if f != f:
        return "NaN"
    if f == float("inf"):
        return "Infinity"
    if f == -float("inf"):
        return "-Infinity"
    return float.__repr__(f)


def _key(k: Any) -> str:
    """A map key as json.dumps converts it (then quoted)."""
    if isinstance(k, str):
        return encode_basestring(k)
    if isinstance(k, float):
        return encode_basestring(_float(k))
    if k is True:
        return '"true"'
    if k is False:
        return '"false"'
    if k is None:
        return '"null"'
    if isinstance(k, int):
        return encode_basestring(int.__repr__(k))
    raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")


class _Text:
    def __init__(self) -> None:
        # (id of a map or list, indentation) -> its text; the objects live as long as the call
        self.memo: dict[tuple[int, int], str] = {}

    def value(self, v: Any, ind: str) -> str:
        if isinstance(v, str):
            return encode_basestring(v)
        if v is None:
            return "null"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if isinstance(v, int):
            return int.__repr__(v)
        if isinstance(v, float):
            return _float(v)
        if isinstance(v, (list, tuple, dict)):
            if not v:
                return "{}" if isinstance(v, dict) else "[]"
            key = (id(v), len(ind))
            text = self.memo.get(key)
            if text is None:
                text = self.memo[key] = self.container(v, ind)
            return text
        raise TypeError(f"Object of type {v.__class__.__name__} is not JSON serializable")

    def container(self, v: Any, ind: str) -> str:
        inner = ind + "  "
        sep = ",\n" + inner
        value = self.value
        if isinstance(v, dict):
            body = sep.join(f"{_key(k)}: {value(x, inner)}" for k, x in v.items())
            return f"{{\n{inner}{body}\n{ind}}}"
        body = sep.join(value(x, inner) for x in v)
        return f"[\n{inner}{body}\n{ind}]"
