"""Answering a query string in one compiled environment: `skyspec explain`'s entry point.

:func:`answer` reads the query (`api.replicas`, `App/api.env.LOG_LEVEL`, `Secret/db.keys`,
or a manifest field `Deployment/api:spec.replicas`), finds the spec or the generated object
it names, and hands it to :mod:`.values` or :mod:`.fields`; a query naming nothing raises
:class:`QueryError` with a did-you-mean hint. It must not print or format the answer (that
is :mod:`.render`) nor know the command line.
"""

from __future__ import annotations

from ..provenance import MISSING
from .fields import GENERATED, trace
from .path import parse_path, show_path
from .values import Answer, explain_spec, spec_index, value_at


class QueryError(ValueError):
    pass


def answer(compiled, query: str) -> Answer:
    """`api.replicas`, `Secret/db.keys`, or `Deployment/api:spec.replicas`."""
    from ..backends import kubernetes

    env = compiled.key
    index = spec_index(compiled.specs)
    head, sep, field_text = query.partition(":")
    if sep and "/" in head:
        kind, _, name = head.partition("/")
        path = parse_path(field_text)
        objs = [o for o in kubernetes.objects(compiled.ir) if o["kind"] == kind and o["metadata"]["name"] == name]
        if not objs:
            have = sorted({f"{o['kind']}/{o['metadata']['name']}" for o in kubernetes.objects(compiled.ir)})
            from ..diagnostics import did_you_mean

            raise QueryError(f"no object {head} in {env}" + (f" ({did_you_mean(head, have)})" if did_you_mean(head, have) else ""))
        obj = objs[0]
        value = value_at(obj, path)
        if value is MISSING:
            raise QueryError(f"{head} has no field {field_text}")
        tr = trace(compiled.ir, obj, path, index)
        ans = Answer(query, env, value)
        if tr is None:
            ans.note = "not traced to a spec value"
            return ans
        ans.set_by = tr.set_by
        if tr.set_by and tr.set_by != GENERATED:
            ans.note = f"set by the {tr.set_by} pass" + (" (relaxed by the spec's security: fields)" if tr.paths else "")
        elif tr.set_by == GENERATED:
            ans.note = "written by skyspec for every object of this kind"
        for p in tr.paths:
            ans.sources.append(explain_spec(tr.spec, p, env, secret=tr.spec.kind == "Secret"))
        return ans
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
