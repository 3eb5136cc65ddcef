"""The fields of the built-in Kubernetes kinds: does a `k8s:` patch (or a manifest) name only
fields the kind has, each with a value of its type?

A field Kubernetes does not have is refused by `kubectl apply` (its validation is strict by
default) and by kubernetes-validate, and silently dropped by a server that only warns: a
typo in an escape hatch (`resurces:`) would ship a manifest that does not do what it says.
The fields come from `k8s-fields.json` beside this module, written by
`scripts/k8s-fields.py` from Kubernetes' own schemas (1.27 and later: a field any of them
has is known). Kinds it does not list (custom resources, alpha and beta APIs) are not
checked. Keys starting with `$` are strategic-merge directives (:mod:`.k8spatch` checks
them) and a null deletes a field: neither is a field's value.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..diagnostics import did_you_mean

_SCALARS = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
            "intstr": (int, str), "quantity": (int, float, str)}
_SAY = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
        "intstr": "an integer or a string", "quantity": "a quantity (a number or a string)"}


@lru_cache(maxsize=1)
def _table() -> dict:
    return json.loads((Path(__file__).parent / "k8s-fields.json").read_text(encoding="utf-8"))


def known(api_version: Any, kind: Any) -> bool:
    """Whether the fields of this kind are known here."""
    return isinstance(api_version, str) and isinstance(kind, str) and f"{api_version}/{kind}" in _table()["kinds"]


def problems(api_version: Any, kind: Any, value: Any) -> list[tuple[tuple, str, str | None, bool]]:
    """(path, message, hint, at_key) for every field of ``value`` (a patch of, or a whole,
    ``kind`` object) that the kind does not have (at_key: reported at its key) or whose value
    is not of its type (at its value); [] for a kind not known here."""
    if not known(api_version, kind):
        return []
    out: list = []
    _walk(_table()["kinds"][f"{api_version}/{kind}"], value, (), kind, out)
    return out


def _walk(t: str, value: Any, path: tuple, kind: str, out: list) -> None:
    if value is None or t == "any":
        return
    if t.startswith("[]"):
        if not isinstance(value, list):
            out.append(_wrong(path, kind, "a list", value))
            return
        for n, item in enumerate(value):
            _walk(t[2:], item, path + (n,), kind, out)
        return
    if t.startswith("{}"):
        if not isinstance(value, dict):
            out.append(_wrong(path, kind, "a mapping", value))
            return
        for k, v in value.items():
            if not str(k).startswith("$"):
                _walk(t[2:], v, path + (k,), kind, out)
        return
    if t in _SCALARS:
        if isinstance(value, bool) != (t == "boolean") or not isinstance(value, _SCALARS[t]):
            out.append(_wrong(path, kind, _SAY[t], value))
        return
    fields = _table()["types"].get(t)
    if fields is None or "*" in fields:
        return
    if not isinstance(value, dict):
        out.append(_wrong(path, kind, "a mapping", value))
        return
    for k, v in value.items():
        if isinstance(k, str) and k.startswith("$") or v is None:
            continue   # (a directive; a null deletes the field, which no manifest then holds)
        sub = fields.get(k) if isinstance(k, str) else None
        if sub is None:
            out.append((path + (k,), f"a {kind} has no field `{dotted(path + (k,))}`: Kubernetes refuses the "
                                      "manifest (or drops the field)",
                        did_you_mean(str(k), fields) or f"the fields there: {', '.join(sorted(fields))}", True))
            continue
        _walk(sub, v, path + (k,), kind, out)


def _wrong(path: tuple, kind: str, want: str, value: Any) -> tuple:
    got = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else \
        "true/false" if isinstance(value, bool) else "a number" if isinstance(value, (int, float)) else "a string"
    fields = ".".join(p for p in path if isinstance(p, str))
    return (path, f"`{dotted(path) or 'the object'}` of a {kind} is {want}, not {got}",
            f"`kubectl explain {kind.lower()}{'.' + fields if fields else ''}` describes it", False)


def dotted(path: tuple) -> str:
    """``("spec", "containers", 0, "image")`` as `spec.containers[0].image`."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}" if out else str(p)
    return out
