"""Rendering an :class:`~.values.Answer` for people: the value, then the numbered chain of
layers that set it (layer, file:line:col, operation, the value replaced), and for a manifest
field or a derived value the rule that made it and each input behind it with its own chain
or rule, nested, down to the lines people wrote and the documented defaults. JSON output is the answer's own
``as_dict()``; this module only formats text and must not look up, trace or compute anything.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import printable
from ..provenance import MISSING
from .values import Answer, summary


def render_text(ans: Answer) -> str:
    lines = []
    value = ans.value
    shown = "<deleted>" if ans.deleted else _fmt(value)
    lines.append(f"{ans.query} = {shown}   [{ans.env}]")
    lines.extend(_body(ans, "  "))
    return "\n".join(map(printable, lines)) + "\n"


def _body(ans: Answer, ind: str) -> list[str]:
    """The note, the rule, the chain of layers, then each input with its own body, nested."""
    out = []
    if ans.note:
        out.append(f"{ind}{ans.note}")
    if ans.rule is not None:
        out.append(f"{ind}rule {ans.rule.name}: {ans.rule.reason}")
    out.extend(_chain_lines(ans, ind))
    for src in ans.sources:
        value = f" = {'<deleted>' if src.deleted else _fmt(src.value)}"
        if src.rule is not None:   # a derived value: what it is to the rule, then its own rule
            out.append(f"{ind}from {src.label or 'a derived value'}" + ("" if src.value is MISSING else value))
        else:
            out.append(f"{ind}from {src.label + ': ' if src.label else ''}{src.query}{value}")
        out.extend(_body(src, ind + "  "))
    return out


def _chain_lines(ans: Answer, ind: str) -> list[str]:
    out = []
    width = max((len(s.layer) for s in ans.chain), default=0)
    for i, s in enumerate(ans.chain, 1):
        where = f"{s.file}:{s.line}:{s.column}" if s.file else "(no position)"
        what = s.op
        if s.replaced is not MISSING:
            what += f", replaced {_fmt(summary(s.replaced))}"
        sect = f" [{s.section}]" if s.section else ""
        out.append(f"{ind}{i}. {s.layer.ljust(width)}  {where}  {what}{sect}")
    return out


def _fmt(v: Any) -> str:
    import json

    if v is MISSING:
        return "<unset>"
    try:
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    except TypeError:
        return repr(v)
