"""Hover: a field's final value in each environment, and the layer and line that set it.

For a key or value of a spec (or of an overlay's `apps.<name>` patch), :func:`hover` asks
:func:`skyspec.explain.explain_spec` (what `skyspec explain <spec>.<path> --env E` answers)
in every environment of the project and every target bound to one (`prod.eu-west`, whose
overlays may set the value; a workload the target does not select is marked so), and
renders the answers as markdown: a table of value and setter per environment, then each
environment's chain of layers when more than one layer wrote the value. File references
are links to the line. Everything shown passes through the compilation's redactor, and
Secret data is never shown (explain redacts it). This module formats answers: it must not
trace values itself nor talk the protocol.
"""

from __future__ import annotations

import json
from typing import Any

from ..explain import Answer, explain_spec, show_path, spec_index
from ..provenance import MISSING
from .locate import Hit, spec_path
from .state import Compilation

_MAX = 80
_ABSENT = "not in this target"


def hover(comp: Compilation, hit: Hit, role: str, link) -> str | None:
    """Markdown for ``hit`` in a document of ``role`` ("spec" or "overlay"); ``link(file,
    line)`` gives the label and the link target of a shown path's 1-based line."""
    where = spec_path(hit.path, role)
    if where is None:
        return None
    name, path = where
    if role == "spec":
        kind, name = hit.doc.data.get("kind"), hit.doc.data.get("name")
        if not isinstance(name, str):
            return None
        key = f"{kind}/{name}"
    else:
        key = name
    if not path or path[0] in ("kind", "name"):
        return None
    answers: list[Answer] = []
    for unit in comp.units:
        index = spec_index(comp.specs(unit))
        spec = index.get(key) if key else None
        if spec is not None:
            answers.append(explain_spec(spec, path, unit, secret=spec.kind == "Secret"))
        elif "." in unit:
            answers.append(Answer("", unit, note=_ABSENT))  # the target does not select it
        else:
            answers.append(Answer("", unit))
    title = f"{key.rpartition('/')[2]}.{show_path(path)}"
    return comp.redactor.scrub(render(title, answers, link))


def render(title: str, answers: list[Answer], link) -> str:
    lines = [f"**{title}**", "", "| environment | value | set by |", "|---|---|---|"]
    for ans in answers:
        last = ans.chain[-1] if ans.chain else None
        setter = f"{last.layer} {_where(last, link)}" if last is not None else ""
        lines.append(f"| {ans.env} | {_value(ans)} | {setter} |")
    for ans in answers:
        if len(ans.chain) > 1:
            lines += ["", f"*{ans.env}*:"]
            for i, step in enumerate(ans.chain, 1):
                replaced = f", replaced {_short(step.replaced)}" if step.replaced is not MISSING else ""
                lines.append(f"{i}. {step.layer} {_where(step, link)} {step.op}{replaced}")
    return "\n".join(lines) + "\n"


def _where(step, link) -> str:
    if not step.file:
        return "(no position)"
    label, target = link(step.file, step.line or 1)
    return f"[{label}]({target})" if target else f"`{label}`"


def _value(ans: Answer) -> str:
    if ans.note == _ABSENT:
        return f"*{_ABSENT}*"
    if ans.deleted:
        return "*deleted*"
    if ans.value is MISSING:
        return "*unset*"
    return f"`{_short(ans.value)}`"


def _short(v: Any) -> str:
    try:
        text = json.dumps(v, ensure_ascii=False, sort_keys=True)
    except TypeError:
        text = repr(v)
    text = text.replace("|", "\\|").replace("`", "'")
    return text if len(text) <= _MAX else text[:_MAX - 1] + "…"
