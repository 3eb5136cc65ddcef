"""Spec values and their history: the answer to `skyspec explain api.replicas`.

:class:`Answer` and :class:`Step` are the answer's shape (a value, and the chain of layers
that set it: layer, file:line:col, operation, the value it replaced), shared by spec values
and manifest fields; :func:`explain_spec` fills one from a spec's
:class:`~skyspec.layers.merge.Prov` tree, redacting Secret data, and :func:`spec_index`
names the specs of an environment the way queries do. This module reads specs only: it must
not look at generated manifests (that is :mod:`.fields`), parse query strings, or format text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..provenance import MISSING, Prov
from ..layers.stack import Spec
from .path import show_path


@dataclass
class Step:
    layer: str
    file: str | None
    line: int | None
    column: int | None
    op: str
    replaced: Any = MISSING
    section: str = ""

    def as_dict(self) -> dict:
        d = {"layer": self.layer, "op": self.op, "file": self.file, "line": self.line, "column": self.column}
        if self.replaced is not MISSING:
            d["replaced"] = summary(self.replaced)
        if self.section:
            d["section"] = self.section
        return d


@dataclass
class Answer:
    query: str
    env: str
    value: Any = MISSING
    chain: list[Step] = field(default_factory=list)
    sources: list["Answer"] = field(default_factory=list)   # manifest field / derived value: its inputs
    set_by: str | None = None                                # the pass or stage whose rule made it
    note: str = ""
    deleted: bool = False
    rule: Any = None      # ir.why.Rule (name, reason) of a derived value; None for a value as written
    kind: str = ""        # as an input: spec | setting | project | default | derived
    label: str = ""       # as an input: what it is to the rule ("the CPU request")

    def as_dict(self) -> dict:
        d: dict = {"query": self.query, "env": self.env}
        if self.value is not MISSING:
            d["value"] = self.value
        if self.deleted:
            d["deleted"] = True
        if self.kind:
            d["kind"] = self.kind
        if self.label:
            d["label"] = self.label
        if self.rule is not None:
            d["rule"] = {"name": self.rule.name, "reason": self.rule.reason}
        if self.chain:
            d["chain"] = [s.as_dict() for s in self.chain]
        if self.sources:
            d["sources"] = [s.as_dict() for s in self.sources]
        if self.set_by:
            d["set_by"] = self.set_by
        if self.note:
            d["note"] = self.note
        return d


def summary(v: Any) -> Any:
    """A replaced value as shown: large maps and lists by their size only."""
    if isinstance(v, dict) and len(v) > 6:
        return {"<map of>": len(v)}
    if isinstance(v, list) and len(v) > 8:
        return {"<list of>": len(v)}
    return v


def value_at(data: Any, path: tuple) -> Any:
    """The value at ``path`` inside nested dicts and lists, or MISSING."""
    for p in path:
        if isinstance(data, dict) and p in data:
            data = data[p]
        elif isinstance(data, list) and isinstance(p, int) and -len(data) <= p < len(data):
            data = data[p]
        else:
            return MISSING
    return data


def explain_spec(spec: Spec, path: tuple, env: str, secret: bool = False) -> Answer:
    """The history of one spec value. Secret values are never shown."""
    ans = Answer(f"{spec.name}.{show_path(path)}" if path else spec.name, env)
    node: Prov | None = spec.prov.find(path)
    value = value_at(spec.data, path)
    if node is None:
        return ans
    hide = secret or spec.kind == "Secret" and path[:1] == ("data",)
    ans.value = "<redacted>" if hide and value is not MISSING else value
    ans.deleted = value is MISSING
    for e in node.hist:
        p = e.pos
        ans.chain.append(Step(e.layer, p.file if p else None, p.line if p else None, p.col if p else None, e.op,
                              "<redacted>" if hide and e.replaced is not MISSING else e.replaced, e.note))
    if ans.deleted and not (node.hist and node.hist[-1].op == "delete"):
        # gone with what held it (`keys: null` takes its items along): the deletion is the last step
        for n in range(len(path) - 1, 0, -1):
            up = spec.prov.find(path[:n])
            if up is not None and up.hist and up.hist[-1].op == "delete":
                e, p = up.hist[-1], up.hist[-1].pos
                old = value_at(e.replaced, path[n:]) if e.replaced is not MISSING else MISSING
                ans.chain.append(Step(e.layer, p.file if p else None, p.line if p else None, p.col if p else None,
                                      e.op, "<redacted>" if hide and old is not MISSING else old, e.note))
                break
    return ans


def spec_index(specs: list[Spec]) -> dict[str, Spec]:
    out: dict[str, Spec] = {}
    for s in specs:
        out[f"{s.kind}/{s.name}"] = s
    for s in specs:
        if s.is_workload or s.name not in out:
            out.setdefault(s.name, s)
    return out
