"""Answering a query string in one compiled environment: `skyspec explain`'s entry point.

:func:`answer` reads the query (`api.replicas`, `App/api.env.LOG_LEVEL`, `Secret/db.keys`,
or a manifest field `Deployment/api:spec.replicas`), finds the spec or the generated object
it names, and hands it to :mod:`.values` or :mod:`.fields`; a query naming nothing raises
:class:`QueryError` with a did-you-mean hint. It must not print or format the answer (that
is :mod:`.render`) nor know the command line.
"""

from __future__ import annotations

import json

from ..provenance import MISSING
from .derive import unfold
from .fields import trace
from .path import parse_path, show_path
from .values import Answer, explain_spec, spec_index, value_at


class QueryError(ValueError):
    pass


def explain_field(ir, obj: dict, path: tuple, index: dict, env: str, query: str = "") -> Answer:
    """The answer for field ``path`` of generated object ``obj``: the spec values it was
    lowered from, or the rule that derived it with each input unfolded down to the lines
    people wrote and the documented defaults (:mod:`.derive`)."""
    value = value_at(obj, path)
    query = query or f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}:{show_path(path)}"
    tr = trace(ir, obj, path, index)
    if isinstance(value, list) and value and (tr is None or tr.why is None or
                                              any(isinstance(x, (dict, list)) for x in value)):
        tr = None   # a list of records, or of values of several origins: item by item
    if tr is None and isinstance(value, (list, dict)) and value:   # its items' answers together
        ans = Answer(query, env, value)
        seen: set = set()
        for k in (range(len(value)) if isinstance(value, list) else value):
            item = explain_field(ir, obj, path + (k,), index, env)
            if item.rule is not None:
                named = value[k].get("name") if isinstance(value[k], dict) else None
                item.label = (f"[{k}]" if isinstance(k, int) else str(k)) + (f" {named}" if isinstance(named, str) else "")
            for src in ([item] if item.rule is not None else item.sources):
                key = src.query if src.rule is None else \
                    (src.rule.name, json.dumps(src.value, sort_keys=True, default=str))
                if key not in seen:
                    seen.add(key)
                    ans.sources.append(src)
        if not ans.sources:
            ans.note = "not traced to a spec value"
        return ans
    if tr is not None and tr.why is not None:
        ans = unfold(tr.why, env, query, value, own=tr.spec)
        ans.kind = ""
        ans.set_by = tr.set_by
        return ans
    ans = Answer(query, env, value)
    if tr is None:
        ans.note = "not traced to a spec value"
        return ans
    for p in tr.paths:
        ans.sources.append(explain_spec(tr.spec, p, env, secret=tr.spec.kind == "Secret"))
    return ans


def answer(compiled, query: str) -> Answer:
    """`api.replicas`, `Secret/db.keys`, `Deployment/api:spec.replicas`, or `cost:api` (a
    workload's monthly cost estimate)."""
    from ..backends import kubernetes

    env = compiled.key
    index = spec_index(compiled.specs)
    head, sep, field_text = query.partition(":")
    if sep and head == "cost":
        return _cost(compiled, field_text, query)
    if sep and "/" in head:
        kind, _, name = head.partition("/")
        path = parse_path(field_text)
        objs = [o for o in kubernetes.objects(compiled.ir) if o["kind"] == kind and o["metadata"]["name"] == name]
        if not objs:
            have = sorted({f"{o['kind']}/{o['metadata']['name']}" for o in kubernetes.objects(compiled.ir)})
            from ..diagnostics import did_you_mean

            raise QueryError(f"no object {head} in {env}" + (f" ({did_you_mean(head, have)})" if did_you_mean(head, have) else ""))
        obj = objs[0]
        if value_at(obj, path) is MISSING:
            raise QueryError(f"{head} has no field {field_text}")
        return explain_field(compiled.ir, obj, path, index, env, query)
    path = parse_path(query)
    if not path:
        raise QueryError("empty query")
    first = path[0]
    rest = path[1:]
    if isinstance(first, str) and "/" not in first and len(path) > 1 and f"{first}/{path[1]}" in index:
        first, rest = f"{first}/{path[1]}", path[2:]  # `App/api.replicas` splits at the dot
    spec = index.get(first) if isinstance(first, str) else None
    if spec is None:
        from ..diagnostics import did_you_mean

        hint = did_you_mean(str(first), [s.name for s in compiled.specs])
        raise QueryError(f'no spec named "{first}" in {env}' + (f" ({hint})" if hint else ""))
    ans = explain_spec(spec, rest, env)
    if ans.value is MISSING and not ans.chain:
        node = spec.prov.nearest(rest)
        parent = value_at(spec.data, rest[:-1])
        from ..diagnostics import did_you_mean

        hint = did_you_mean(str(rest[-1]), list(parent)) if isinstance(parent, dict) and rest else None
        raise QueryError(f"{spec.name} has no value at {show_path(rest)}" + (f" ({hint})" if hint else "")
                         + ("" if node is None else ""))
    return ans


def _cost(compiled, name: str, query: str) -> Answer:
    """The monthly cost of workload (or claim) ``name``, with its derivation."""
    from ..passes.cost import derivation

    report = compiled.ir.cost
    line = report.line(name) if report is not None else None
    made = derivation(compiled.ir, name)
    if line is None or made is None:
        from ..diagnostics import did_you_mean

        have = [ln.name for ln in report.lines] if report is not None else []
        hint = did_you_mean(name, have)
        raise QueryError(f"no cost line {name!r} in {compiled.key}" + (f" ({hint})" if hint else ""))
    w = compiled.ir.workload(name)
    return unfold(made, compiled.key, query, f"{line.total} {report.prices.currency}/month",
                  own=w.spec if w is not None else None)
