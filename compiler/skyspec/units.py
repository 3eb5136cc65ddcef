"""Kubernetes quantities: parsing into integers (CPU millicores, bytes) and canonical text.

Invalid forms common in the wild (`256MB`, `1gb`, `2 Gi`) are rejected with the intended
spelling as a hint: Kubernetes would reject them too, but only at apply time.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

_BIN = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DEC = {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
_QTY = re.compile(r"^\+?(?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?P<suf>[eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")
_ALMOST = r"^\s*(?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<suf>[A-Za-z]+)?\s*$"  # compiled by `re` for a first hint


class QuantityError(ValueError):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


def _decimal(value: str | int | float) -> Decimal:
    if isinstance(value, bool):
        raise QuantityError("a quantity must be a number or a string like 250m or 256Mi")
    if isinstance(value, float) and not math.isfinite(value):  # YAML's .nan and .inf pass `minimum: 0`
        raise QuantityError(f"{value} is not an amount", "write a finite number, or a string like 250m or 256Mi")
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    m = _QTY.match(value)
    if not m:
        raise QuantityError(f'"{value}" is not a valid quantity', _suggest(value))
    num = Decimal(m.group("num"))
    suf = m.group("suf")
    if suf is None:
        return num
    if suf in _BIN:
        return num * _BIN[suf]
    if suf in _DEC:
        return num * _DEC[suf]
    if suf == "m":
        return num / 1000
    try:
        return num * (Decimal(10) ** int(suf[1:]))
    except (InvalidOperation, ValueError):  # pragma: no cover - regex guarantees digits
        raise QuantityError(f'"{value}" is not a valid quantity')


def _suggest(value: str) -> str | None:
    m = re.match(_ALMOST, value)
    if not m:
        return "write a number with an optional suffix: 250m, 0.5, 256Mi, 1Gi"
    num, suf = m.group("num"), (m.group("suf") or "")
    low = suf.lower()
    table = {"kb": "Ki", "kib": "Ki", "ki": "Ki", "k": "k", "mb": "Mi", "mib": "Mi", "mi": "Mi",
             "gb": "Gi", "gib": "Gi", "gi": "Gi", "tb": "Ti", "tib": "Ti", "ti": "Ti",
             "pb": "Pi", "pi": "Pi", "g": "Gi", "b": ""}
    if low in table:
        return f"did you mean {num}{table[low]}? (Kubernetes spells binary units Ki, Mi, Gi, Ti)"
    if low in ("cpu", "cpus", "core", "cores"):
        return f"write {num} (cores) or {int(Decimal(num) * 1000)}m (millicores)"
    if low in ("mcpu", "millicores", "milli"):
        return f"did you mean {num}m?"
    return "write a number with an optional suffix: 250m, 0.5, 256Mi, 1Gi"


# Kubernetes keeps a quantity in a signed 64-bit integer: anything larger is no real amount
# (and `1e99999` would be an integer of 100,000 digits for every sum and message after it).
MAX_QUANTITY = 2 ** 63 - 1


def _bounded(value: str | int | float, d: Decimal) -> Decimal:
    if d > MAX_QUANTITY:
        raise QuantityError(f'"{value}" is too large: a Kubernetes quantity stops at 2^63-1',
                            "write the amount the workload really needs")
    return d


def parse_cpu(value: str | int | float) -> int:
    """CPU in millicores (`250m` -> 250, `0.5` -> 500, `2` -> 2000)."""
    d = _bounded(value, _decimal(value) * 1000)
    if d != d.to_integral_value():
        raise QuantityError(f'CPU "{value}" is finer than 1m (a thousandth of a core)', "round it to whole millicores")
    return int(d)


def parse_bytes(value: str | int | float) -> int:
    """Memory or storage in bytes (`256Mi` -> 268435456)."""
    if isinstance(value, str) and value.endswith("m") and _QTY.match(value):
        raise QuantityError(f'"{value}" means milli-bytes', f"did you mean {value[:-1]}Mi?")
    d = _bounded(value, _decimal(value))
    if d != d.to_integral_value():
        raise QuantityError(f'"{value}" is not a whole number of bytes', "use a smaller unit, e.g. 1536Mi instead of 1.5Gi")
    return int(d)


def format_cpu(millis: int) -> str:
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


# each table's units, largest first (format_bytes runs for every memory and storage size)
_LARGEST_FIRST = tuple(tuple(sorted(t.items(), key=lambda kv: -kv[1])) for t in (_BIN, _DEC))


def format_bytes(n: int) -> str:
    """The shortest exact spelling, binary units first on a tie (`256Mi`, `96G`, `1500`)."""
    best = str(n)
    for table in _LARGEST_FIRST:
        for suf, mult in table:
            if n >= mult and n % mult == 0:
                cand = f"{n // mult}{suf}"
                if len(cand) < len(best):
                    best = cand
                break
    return best
