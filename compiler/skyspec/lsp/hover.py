"""Hover: a field's final value in each environment, the layer and line that set it, and
what skyspec derives from it.

For a key or value of a spec (or of an overlay's `apps.<name>` patch), :func:`hover`
asks :func:`skyspec.explain.explain_spec` (what `skyspec explain <spec>.<path> --env E`
answers) in every environment of the project and renders the answers as markdown: a table
of value and setter per environment, then each environment's chain of layers when more
than one layer wrote the value. Then, from the same chains `skyspec explain Kind/name:field`
shows (:func:`skyspec.explain.explain_field`), the generated fields a rule derived from the
value (a limit from a request, a policy rule from a `connect_to`), per environment, with the
rule. File references are links to the line. Everything shown passes through the
compilation's redactor, and Secret data is never shown (explain redacts it). This module
formats answers: it must not trace values itself nor talk the protocol.
"""

from __future__ import annotations

import json
from typing import Any

from ..explain import Answer, explain_field, explain_spec, leaves, show_path, spec_index
from ..provenance import MISSING
from .locate import Hit, spec_path
from .state import Compilation

_MAX = 80


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
    for env in comp.environments:
        index = spec_index(comp.specs(env))
        spec = index.get(key) if key else None
        ans = explain_spec(spec, path, env, secret=spec.kind == "Secret") if spec is not None else Answer("", env)
        answers.append(ans)
    title = f"{key.rpartition('/')[2]}.{show_path(path)}"
    text = render(title, answers, link)
    rows = derived(comp, key, path)
    if rows:
        text += "\n*Derived from it* (`skyspec explain` shows each chain):\n\n| environment | field | value | rule |\n" \
                "|---|---|---|---|\n"
        text += "".join(f"| {env} | {_cell(obj)} `{_cell(field)}` | `{_short(value)}` | {rule} |\n"
                        for env, obj, field, value, rule in rows[:_ROWS])
        if len(rows) > _ROWS:
            text += f"\n…and {len(rows) - _ROWS} more\n"
    return comp.redactor.scrub(text)


_ROWS = 12


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
