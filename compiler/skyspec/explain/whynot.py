"""`skyspec explain --why-not`: why an object (or a field) is absent from an environment.

:func:`why_not` reads `HorizontalPodAutoscaler/api`, `Ingress` (every workload), or
`Kind/name:field.path`, and answers with the rule that would have made it and each
condition of that rule: met or not, and the value that decided it with its history (the
spec line that never set `autoscale`, the overlay line that deleted it, the profile that
left `settings.pdb` unset, the replicas that are below two). An object that exists is
answered as such. The conditions are those of the passes and the backend (:mod:`.structure`
names the rules); this module states them, reading the compiled IR and the specs; it must
not format text (:func:`render_why_not` does, beside it) nor know the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import printable
from ..ir.why import Rule
from ..passes.availability import PDB, SPREAD
from ..passes.network import POLICY as NETPOL
from ..passes.size import CPU_LIMIT, MEMORY_LIMIT
from ..provenance import MISSING
from . import structure as st
from .derive import answer_input
from .path import parse_path, show_path
from .values import Answer, Step, explain_spec, spec_index, value_at

WORKLOADS = ("App", "StatefulApp", "Job", "CronJob")
OBJECT_OF = {"Deployment": ("App",), "StatefulSet": ("StatefulApp",), "Job": ("Job",), "CronJob": ("CronJob",)}
SECURITY = Rule("harden.security-context", "the harden pass hardens every pod, unless `settings.harden: false`")


@dataclass
class Condition:
    text: str                 # what the rule needs: "api sets `autoscale`"
    met: bool
    value: Answer | None = None   # the value that decided it, with its history

    def as_dict(self) -> dict:
        d: dict = {"condition": self.text, "met": self.met}
        if self.value is not None:
            d["value"] = self.value.as_dict()
        return d


@dataclass
class WhyNot:
    query: str
    env: str
    exists: bool = False
    rule: Rule | None = None
    conditions: list[Condition] = field(default_factory=list)
    note: str = ""
    each: list["WhyNot"] = field(default_factory=list)   # `Ingress`: one answer per workload

    def as_dict(self) -> dict:
        d: dict = {"query": self.query, "env": self.env, "exists": self.exists}
        if self.rule is not None:
            d["rule"] = {"name": self.rule.name, "reason": self.rule.reason}
        if self.conditions:
            d["conditions"] = [c.as_dict() for c in self.conditions]
        if self.note:
            d["note"] = self.note
        if self.each:
            d["each"] = [x.as_dict() for x in self.each]
        return d


def why_not(compiled, query: str, objects: list[dict]) -> WhyNot:
    """Why ``query`` (`Kind/name`, `Kind`, or `Kind/name:field`) is not in ``objects``, the
    Kubernetes objects of ``compiled``. Raises ValueError for a query naming no kind."""
    env = compiled.key
    head, sep, field_text = query.partition(":")
    kind, slash, name = head.partition("/")
    if not kind:
        raise ValueError(f"--why-not needs Kind/name, Kind or Kind/name:field, got {query!r}")
    index = spec_index(compiled.specs)
    have = {(o["kind"], (o.get("metadata") or {}).get("name")): o for o in objects}
    if not slash:   # every workload that could have one
        out = WhyNot(query, env, exists=any(k == kind for k, _ in have))
        for spec in compiled.specs:
            if spec.is_workload:
                one = _object(compiled, kind, spec.name, index, have)
                if one is not None:
                    out.each.append(one)
        if not out.each:
            out.note = f"no workload of {env} could have a {kind}"
        return out
    if sep:
        obj = have.get((kind, name))
        if obj is None:
            return _object(compiled, kind, name, index, have) or WhyNot(query, env, note=f"no {head} in {env}")
        return _field(compiled, obj, parse_path(field_text), index, query)
    found = _object(compiled, kind, name, index, have)
    if found is None:
        return WhyNot(query, env, note=f"skyspec makes no {kind} for {name!r}: no rule writes one")
    return found


# ---------------------------------------------------------------------- objects

def _object(compiled, kind: str, name: str, index: dict, have: dict) -> WhyNot | None:
    env, ir = compiled.key, compiled.ir
    q = WhyNot(f"{kind}/{name}", env)
    if (kind, name) in have:
        q.exists = True
        q.note = f"{kind}/{name} is generated in {env}"
        return q
    base = name[:-len("-ingress")] if kind == "NetworkPolicy" and name.endswith("-ingress") else name
    w = ir.workload(base)
    if w is None:
        spec = next((s for s in compiled.specs if s.name == base and s.is_workload), None)
        return _no_workload(compiled, q, base, spec, kind)
    spec = w.spec
    if kind in OBJECT_OF:
        q.rule = st.OBJECT
        q.conditions.append(Condition(f"{base} is a {' or '.join(OBJECT_OF[kind])}", spec.kind in OBJECT_OF[kind],
                                      explain_spec(spec, ("kind",), env)))
        return q
    if kind == "HorizontalPodAutoscaler":
        q.rule = st.HPA
        q.conditions.append(Condition(f"{base} is an App", spec.kind == "App", explain_spec(spec, ("kind",), env)))
        q.conditions.append(_set(spec, ("autoscale",), env))
    elif kind == "Ingress":
        q.rule = st.INGRESS
        expose = spec.data.get("expose")
        if not isinstance(expose, dict) or "host" not in expose:
            q.conditions.append(_set(spec, ("expose", "host") if isinstance(expose, dict) else ("expose",), env,
                                     text=f"{base} sets `expose.host`"))
    elif kind == "Service":
        q.rule = st.SERVICE
        q.conditions.append(_set(spec, ("expose",), env, text=f"{base} is exposed (`expose`)"))
        users = [s.name for s in compiled.specs if s.is_workload and base in _targets(s)]
        q.conditions.append(Condition(f"another workload `connect_to`s {base}", bool(users)))
        q.conditions.append(Condition(f"an Observability with `metrics.service_monitor` names {base}", False))
    elif kind == "PodDisruptionBudget":
        q.rule = PDB
        q.conditions.append(Condition(f"{base} is an App or StatefulApp", spec.kind in ("App", "StatefulApp"),
                                      explain_spec(spec, ("kind",), env)))
        q.conditions.append(_setting(compiled, "pdb", lambda v: bool(v)))
        q.conditions.append(_replicas(w, spec, env))
    elif kind == "NetworkPolicy":
        q.rule = NETPOL
        q.conditions.append(_setting(compiled, "harden", lambda v: v is not False, unset_met=True))
        q.conditions.append(_setting(compiled, "network_policies", lambda v: v is not False, unset_met=True))
        sec = value_at(spec.data, ("security", "network_policy"))
        c = _set(spec, ("security", "network_policy"), env, text=f"{base} keeps its NetworkPolicy "
                                                                  "(`security.network_policy` is not false)")
        c.met = sec is not False
        q.conditions.append(c)
    elif kind == "ServiceMonitor":
        q.rule = st.MONITOR
        obs = [s for s in compiled.specs if s.kind == "Observability" and base in (s.data.get("apps") or [])]
        q.conditions.append(Condition(f"an Observability names {base}", bool(obs),
                                      explain_spec(obs[0], ("apps",), env) if obs else None))
        for s in obs:
            q.conditions.append(_set(s, ("metrics", "service_monitor"), env))
    else:
        return None
    return q


def _targets(spec) -> list[str]:
    raw = spec.data.get("connect_to") or []
    if isinstance(raw, dict):
        return list(raw)
    return [next(iter(x)) if isinstance(x, dict) else x for x in raw]


def _no_workload(compiled, q: WhyNot, name: str, spec, kind: str) -> WhyNot | None:
    env, ir = compiled.key, compiled.ir
    q.rule = st.OBJECT
    if name in ir.disabled and spec is not None:
        q.conditions.append(Condition(f"{name} is enabled in {env}", False, explain_spec(spec, ("enabled",), env)))
    elif name in ir.unbound:
        c = Condition(f"target {ir.target} selects {name}", False)
        project = ir.inputs.project if ir.inputs is not None else None
        if project is not None:
            node = project.prov.find(("targets", ir.target, "select"))
            if node is not None:
                c.value = Answer(f"project:targets.{ir.target}.select", env,
                                 value_at(project.data, ("targets", ir.target, "select")),
                                 [Step(e.layer, e.pos.file, e.pos.line, e.pos.col, e.op) for e in node.hist if e.pos])
        q.conditions.append(c)
    elif kind in ("HorizontalPodAutoscaler", "Ingress", "Service", "PodDisruptionBudget", "NetworkPolicy",
                  "ServiceMonitor") or kind in OBJECT_OF:
        from ..diagnostics import did_you_mean

        names = [s.name for s in compiled.specs if s.is_workload]
        hint = did_you_mean(name, names)
        q.conditions.append(Condition(f"a workload named {name} exists", False))
        q.note = f"no workload named {name!r} in {env}" + (f" ({hint})" if hint else "")
    else:
        return None
    return q


def _set(spec, path: tuple, env: str, text: str = "") -> Condition:
    """Whether ``spec`` holds a value at ``path``, with its history: where it was set, or
    deleted, or (never set) where the spec is."""
    ans = explain_spec(spec, path, env)
    value = value_at(spec.data, path)
    c = Condition(text or f"{spec.name} sets `{show_path(path)}`", value not in (MISSING, None, False, {}, []), ans)
    if not ans.chain:
        ans.note = f"not set by {spec.name} in any layer of {env}"
        p = spec.pos
        if p is not None:
            ans.chain = [Step("spec", p.file, p.line, p.col, "no such key")]
    return c


def _setting(compiled, key: str, ok, unset_met: bool = False) -> Condition:
    ir = compiled.ir
    from ..ir import why

    if key in ir.settings:
        ans = answer_input(why.setting(ir, key), compiled.key)
        return Condition(f"settings.{key} is {'on' if not unset_met else 'not false'}", bool(ok(ir.settings[key])), ans)
    layers = ir.inputs.settings if ir.inputs is not None else ()
    ans = Answer(f"settings.{key}", compiled.key, note=f"no layer of {compiled.key} sets it")
    for ov in layers:
        p = ov.doc.loc.pos if ov.doc is not None and ov.doc.loc is not None else None
        ans.chain.append(Step(ov.layer, p.file if p else None, p.line if p else None, p.col if p else None, "no such key"))
    return Condition(f"settings.{key} is {'on' if not unset_met else 'not false'}", unset_met, ans)


def _replicas(w, spec, env: str) -> Condition:
    n = max(w.replicas or 0, w.autoscale.min if w.autoscale else 0)
    if "replicas" in spec.data:
        ans = explain_spec(spec, ("replicas",), env)
    else:
        from ..ir import why

        ans = answer_input(why.derived(w.why["replicas"], "the replicas"), env, own=spec) if w.why.get("replicas") \
            else explain_spec(spec, ("replicas",), env)
    return Condition(f"{w.name} runs 2 or more replicas (it runs {n})", n >= 2, ans)


# ---------------------------------------------------------------------- fields

def _field(compiled, obj: dict, path: tuple, index: dict, query: str) -> WhyNot:
    env, ir = compiled.key, compiled.ir
    q = WhyNot(query, env)
    if value_at(obj, path) is not MISSING:
        q.exists, q.note = True, f"{query} is generated in {env}"
        return q
    name = ((obj.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/name") or obj["metadata"]["name"]
    w = ir.workload(name)
    spec = w.spec if w is not None else None
    text = show_path(path)
    if w is not None and "topologySpreadConstraints" in text:
        q.rule = SPREAD
        q.conditions.append(_set(spec, ("spread",), env))
        q.conditions.append(_setting(compiled, "spread", lambda v: bool(v)))
        q.conditions.append(_replicas(w, spec, env))
        return q
    if w is not None and ".resources.limits" in f".{text}":
        res = path[-1] if path[-1] in ("cpu", "memory") else "cpu"
        q.rule = CPU_LIMIT if res == "cpu" else MEMORY_LIMIT
        q.conditions.append(_set(spec, ("resources", res), env, text=f"{name} has a {res} request"))
        return q
    if w is not None and "securityContext" in text:
        q.rule = SECURITY
        q.conditions.append(_setting(compiled, "harden", lambda v: v is not False, unset_met=True))
        return q
    q.note = f"no rule of skyspec writes {text} on {obj['kind']}/{obj['metadata']['name']} in {env}"
    return q


# ---------------------------------------------------------------------- text

def render_why_not(ans: WhyNot) -> str:
    from .render import _body

    lines: list[str] = []
    answers = ans.each or [ans]
    if ans.each:
        have = [a.query for a in ans.each if a.exists]
        lines.append(f"{ans.query} in {ans.env}: " + (f"generated for {', '.join(have)}" if have else "none generated"))
    for a in answers:
        if a.exists:
            if not ans.each:
                lines.append(a.note)
            continue
        ind = "  " if ans.each else ""
        lines.append(f"{ind}{a.query} is not generated   [{a.env}]" if not a.note.startswith("skyspec makes no")
                     else f"{ind}{a.note}")
        if a.note and not a.note.startswith("skyspec makes no"):
            lines.append(f"{ind}  {a.note}")
        if a.rule is not None:
            lines.append(f"{ind}  rule {a.rule.name}: {a.rule.reason}")
        for c in a.conditions:
            lines.append(f"{ind}  {'met' if c.met else 'not met'}: {c.text}")
            if c.value is not None:
                v = c.value
                shown = "<deleted>" if v.deleted else ("<unset>" if v.value is MISSING else _fmt(v.value))
                lines.append(f"{ind}    {v.query} = {shown}")
                lines.extend(_body(v, ind + "      "))
    if ans.each and ans.note:
        lines.append(ans.note)
    return "\n".join(map(printable, lines)) + "\n"


def _fmt(v: Any) -> str:
    from .render import _fmt as fmt

    return fmt(v)
