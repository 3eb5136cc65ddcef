"""Generated documents into file text: YAML through PyYAML (block or flow style, unicode
escaped or not), TOML through a small writer of our own (no TOML writer is a dependency),
and, at the rate a case asks for, damage to the text itself: duplicated or cut lines, tabs,
a byte-order mark, CRLF, aliases, unsafe tags, bytes that are not UTF-8. It only turns data
into text (or bytes); it never writes files.
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml

from .gen import Gen


def to_yaml(g: Gen, docs: list[Any]) -> str:
    style = g.choice((False, None, True))
    return yaml.dump_all(docs, Dumper=_DUMPER, sort_keys=False, allow_unicode=g.chance(0.7), default_flow_style=style,
                         width=g.choice((80, 1_000_000)))


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: several times faster


def _key(k: Any) -> str:
    k = str(k)
    if k and all(c.isascii() and (c.isalnum() or c in "-_") for c in k):
        return k
    return _str(k)


def _str(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    # TOML wants every control character escaped; JSON leaves DEL and C1 alone
    return "".join(c if not (0x7F <= ord(c) <= 0x9F) else f"\\u{ord(c):04x}" for c in out)


def _val(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_val(x) for x in v if x is not None) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_val(x)}" for k, x in v.items() if x is not None) + "}"
    return _str(str(v))


def to_toml(doc: Any) -> str:
    """One document: scalars and lists first, then each map as a [table], nested maps inline.
    TOML has no null: keys whose value is None are left out."""
    if not isinstance(doc, dict):
        return f"value = {_val(doc)}\n"
    lines, tables = [], []
    for k, v in doc.items():
        if v is None:
            continue
        if isinstance(v, dict):
            tables.append((k, v))
        else:
            lines.append(f"{_key(k)} = {_val(v)}")
    for k, v in tables:
        lines += ["", f"[{_key(k)}]"]
        lines += [f"{_key(a)} = {_val(b)}" for a, b in v.items() if b is not None]
    return "\n".join(lines) + "\n"


def damage(g: Gen, text: str) -> str | bytes:
    """The text with one kind of damage a hostile or careless edit makes."""
    lines = text.split("\n")
    k = g.int(0, 11)
    if k == 0 and lines:
        i = g.int(0, len(lines) - 1)
        lines.insert(i, lines[i])  # a duplicate key, mostly
    elif k == 1:
        return text[: g.int(0, len(text))]
    elif k == 2 and lines:
        i = g.int(0, len(lines) - 1)
        lines[i] = "\t" + lines[i]
    elif k == 3:
        return "\ufeff" + text
    elif k == 4:
        return text.replace("\n", "\r\n")
    elif k == 5:
        return text + "\nx: &a [1, 2]\ny: *a\nz: {<<: {q: 1}}\n"
    elif k == 6:
        return text + "\nbad: !!python/object/apply:os.system ['true']\n"
    elif k == 7:
        return text.encode("utf-8") + b"\nname: \xff\xfe\xc3\x28\n"
    elif k == 8:
        return text.encode("utf-16")
    elif k == 9:
        return "%YAML 1.1\n---\n" + text + "\n...\n---\n"
    elif k == 10:
        return "x: " + "[" * 200 + "]" * 200 + "\n" + text
    else:
        return text + "\n" + g.raw_text(40)
    return "\n".join(lines)
