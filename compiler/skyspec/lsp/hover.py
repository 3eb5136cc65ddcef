"""Hover: a field's final value in each environment, the layer and line that set it, and
what skyspec derives from it.

For a key or value of a spec (or of an overlay's `apps.<name>` patch), :func:`hover` asks
:func:`skyspec.explain.explain_spec` (what `skyspec explain <spec>.<path> --env E` answers)
in every environment of the project and every target bound to one (`prod.eu-west`, whose
overlays may set the value; a workload the target does not select is marked so), and
renders the answers as markdown: a table of value and setter per environment, then each
environment's chain of layers when more than one layer wrote the value. An item of a list
a layer appends to or removes from (`args+: [x]`) stands for the whole merged list. For an
entry of an overlay's `all`, `match[i].patch` or `defaults` patch, which names no spec, it
lists the specs whose chain holds that entry's lines, with each one's final value and setter
per unit. File references are links to the line. Everything shown passes through the
compilation's redactor, and Secret data is never shown (explain hides it). Then, from the
same chains `skyspec explain Kind/name:field` shows (:func:`skyspec.explain.explain_field`),
the generated fields a rule derived from the value (a limit from a request, a policy rule
from a `connect_to`), per environment, with the rule. This module
formats answers: it must not trace values itself nor talk the protocol.
"""

from __future__ import annotations

import json
from typing import Any

from ..explain import Answer, explain_field, explain_spec, leaves, show_path, spec_index
from ..provenance import MISSING
from .locate import Hit, lines_of, merged_path, patch_path, spec_path
from .state import Compilation, real

_MAX = 80
_ABSENT = "not in this target"
_ROWS = 40   # rows of a section's hover (`all:` in a large project touches every spec)


def hover(comp: Compilation, hit: Hit, role: str, link) -> str | None:
    """Markdown for ``hit`` in a document of ``role`` ("spec" or "overlay"); ``link(file,
    line)`` gives the label and the link target of a shown path's 1-based line."""
    where = spec_path(hit.path, role)
    if where is None:
        return _section(comp, hit, link) if role == "overlay" else None
    name, path = where
    if role == "spec":
        data = hit.doc.data  # (a document being typed may be a scalar or a list yet)
        kind, name = (data.get("kind"), data.get("name")) if isinstance(data, dict) else (None, None)
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
            answers.append(explain_spec(spec, path, unit))  # as `explain` does: a Secret's data hidden
        elif "." in unit:
            answers.append(Answer("", unit, note=_ABSENT))  # the target does not select it
        else:
            answers.append(Answer("", unit))
    title = f"{key.rpartition('/')[2]}.{show_path(path)}"
    text = render(title, answers, link)
    rows = derived(comp, key, path)
    if rows:
        text += "\n*Derived from it* (`skyspec explain` shows each chain):\n\n| environment | field | value | rule |\n" \
                "|---|---|---|---|\n"
        text += "".join(f"| {env} | {_cell(obj)} `{_cell(field)}` | `{_short(value)}` | {rule} |\n"
                        for env, obj, field, value, rule in rows[:_DERIVED_ROWS])
        if len(rows) > _DERIVED_ROWS:
            text += f"\n…and {len(rows) - _DERIVED_ROWS} more\n"
    return comp.redactor.scrub(text)


_DERIVED_ROWS = 12   # rows of the derived-fields table


def derived(comp: Compilation, key: str, path: tuple) -> list[tuple]:
    """(environment, object, field, value, rule) of every generated field of the spec's
    objects that a rule derived from the value at ``path`` (or a value beneath it)."""
    name = key.rpartition("/")[2]
    want = f"{name}.{show_path(path)}"
    cache = comp.__dict__.setdefault("_derived", {})
    rows = []
    for env, c in comp.compiled.items():
        if (env, name) not in cache:
            if env not in cache:   # the unit's objects, rendered once per compilation
                from ..backends.kubernetes import objects

                cache[env] = objects(c.ir)
            cache[env, name] = _derivations(c, cache[env], name)
        for obj, fld, value, rule, inputs in cache[env, name]:
            if any(q == want or q.startswith((want + ".", want + "[")) for q in inputs):
                rows.append((env, obj, fld, value, rule))
    return rows


def _derivations(compiled, objs: list[dict], name: str) -> list[tuple]:
    """The derived fields of the objects (``objs``) of spec ``name`` in one compiled unit,
    each with the spec values its chain ends in."""
    index = spec_index(compiled.specs)
    out = []
    for obj in objs:
        meta = obj.get("metadata") or {}
        if (meta.get("labels") or {}).get("app.kubernetes.io/name", meta.get("name")) not in (name, f"{name}-ingress"):
            continue
        for fld in _fields(obj):
            ans = explain_field(compiled.ir, obj, fld, index, compiled.key)
            if ans.rule is None:
                continue
            inputs = {x.query for x in leaves(ans) if x.kind == "spec"}
            out.append((f"{obj['kind']}/{meta.get('name')}", show_path(fld), ans.value, ans.rule.name, inputs))
    return out


def _fields(obj: Any, path: tuple = ()):
    if isinstance(obj, dict) and obj:
        for k, v in obj.items():
            yield from _fields(v, path + (k,))
    elif isinstance(obj, list) and obj and any(isinstance(x, (dict, list)) for x in obj):
        for i, v in enumerate(obj):
            yield from _fields(v, path + (i,))
    else:
        yield path


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def _section(comp: Compilation, hit: Hit, link) -> str | None:
    """An entry of an overlay's `all`, `match[i].patch` or `defaults` patch: the specs whose
    value there this entry wrote (in some unit), with the final value in each such unit and
    the layer and line that set it (this entry, or a later layer over it)."""
    inner = patch_path(hit.path)
    path = merged_path(inner) if inner is not None else ()
    span = lines_of(hit.doc, hit.path)
    if not path or span is None:
        return None
    file = real(hit.doc.file)
    first, last = span
    rows: list[tuple[str, Answer]] = []
    for unit in comp.units:
        for spec in comp.specs(unit):
            ans = explain_spec(spec, path, unit)
            if any(st.file and first <= (st.line or 0) <= last and real(st.file) == file for st in ans.chain):
                rows.append((spec.name if spec.is_workload else f"{spec.kind}/{spec.name}", ans))
    section = hit.path[0] if hit.path[0] != "match" else f"match[{hit.path[1]}]"
    lines = [f"**{section}: {show_path(path)}**", ""]
    if not rows:
        lines.append("*sets nothing in any environment*")
    else:
        lines += ["| spec | environment | value | set by |", "|---|---|---|---|"]
        for name, ans in rows[:_ROWS]:
            top = ans.chain[-1] if ans.chain else None
            setter = f"{top.layer} {_where(top, link)}" if top is not None else ""
            lines.append(f"| {name} | {ans.env} | {_value(ans)} | {setter} |")
        if len(rows) > _ROWS:
            lines += ["", f"and {len(rows) - _ROWS} more"]
    return comp.redactor.scrub("\n".join(lines) + "\n")


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
