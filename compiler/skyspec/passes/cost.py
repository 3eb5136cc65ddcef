"""cost: the monthly cost estimate of the output unit, and the budget gate.

Estimates the cost of every workload at the project's `prices:`
(:mod:`skyspec.cost.estimate`, from the usage the `quota` pass measured) and stores it as
``ir.cost`` (:class:`~skyspec.cost.estimate.CostReport`). When the environment has
`budget: {monthly: N}` and the total is over N, SKY320 is reported at that line of the
project file (:mod:`skyspec.cost.budget`), so `skyspec build` fails; the budget holds for
each output unit (an environment, and each target of it) on its own. Within
:func:`skyspec.cost.budget.deferred_budget` (`skyspec cost`) the gate is left to the
caller. This pass only reads the project and calls skyspec.cost; it must NOT price
anything itself.
"""

from __future__ import annotations

import math

from ..cost.budget import budget_gate_on, check_budget
from ..cost.estimate import estimate
from ..cost.prices import DEFAULT_PRICES, Prices
from ..cost.usage import LazyDefaults, usage
from ..ir import why
from ..ir.model import IR, Context, Workload

ESTIMATE = why.Rule("cost.estimate", "a workload's monthly cost: its pods x their requests x the hours they run x "
                                     "the prices, and its claims x the storage price")
PRICES = why.Rule("cost.prices", "the estimate's prices: the project's `prices:`, else the defaults")


def cost(ir: IR, ctx: Context) -> IR:
    env = ctx.env
    q = getattr(ir, "quota", None)
    uses = q.usage if q is not None else usage(ir, LazyDefaults(ctx.project, env, ir.target))
    budget = ((env.raw or {}).get("budget") or {}).get("monthly")
    if not _finite(ctx, budget, ("environments", env.name, "budget", "monthly")):
        budget = None
    pos = ctx.project.pos("environments", env.name, "budget", "monthly") if budget is not None else None
    report = estimate(ir, uses, Prices.from_project(_finite_prices(ctx)), budget, pos)
    ir.cost = report
    _record(ir, ctx, report)
    if budget_gate_on():
        check_budget(report, ctx.diags)
    return ir


def _finite(ctx: Context, value, at: tuple) -> bool:
    """False, reported at ``at`` in the project file, for YAML's .nan and .inf: they pass the
    schema's `minimum: 0` and are no amount of money."""
    if isinstance(value, float) and not math.isfinite(value):
        ctx.diags.error("SKY106", f"{'.'.join(at)} must be a finite number, got {value}", ctx.project.pos(*at),
                        hint="write an amount, e.g. 4000")
        return False
    return True


def _finite_prices(ctx: Context) -> dict:
    """The project's data with the prices that are not finite numbers left out (reported;
    the default price stands in for each)."""
    data = ctx.project.data or {}
    prices = data.get("prices")
    if not isinstance(prices, dict):
        return data
    kept = {k: v for k, v in prices.items() if _finite(ctx, v, ("prices", k))}
    return data if len(kept) == len(prices) else {**data, "prices": kept}


def _record(ir: IR, ctx: Context, report) -> None:
    """The prices the estimate used (the project's `prices:`, or the defaults), once per
    unit; each line's derivation is built from them and the IR when asked (:func:`derivation`)."""
    prov = getattr(ctx.project, "prov", None)
    ir.why["cost.prices"] = why.Why(PRICES, tuple(
        why.project(ir, "prices", k, label=f"the price of {k}") if prov is not None and prov.find(("prices", k))
        else why.default("skyspec.cost.prices", "DEFAULT_PRICES", k, label=f"the price of {k}")
        for k in DEFAULT_PRICES))


def derivation(ir: IR, name: str) -> why.Why | None:
    """Why line ``name`` of the unit's estimate is what it is: the pods, requests and claims
    it counts, and the prices (None without an estimate)."""
    made = ir.why.get("cost.prices")
    report = getattr(ir, "cost", None)
    line = report.line(name) if report is not None else None
    if made is None or line is None:
        return None
    cpu, memory, storage = made.inputs
    w = ir.workload(name) if line.kind != "PersistentVolumeClaim" else None
    if w is None:
        raw = next((r for r in ir.raw if r["object"].get("kind") == "PersistentVolumeClaim"
                    and r["object"]["metadata"].get("name") == name), None)
        return why.Why(ESTIMATE, (why.spec(raw.get("spec") if raw else None, "manifest", "spec", "resources",
                                           label="the claim"), storage))
    inputs = (*_pods(w), *_requests(w), cpu, memory)
    if line.storage:
        inputs += (why.spec(w.spec, "storage", label="the claims"), storage)
    return why.Why(ESTIMATE, inputs)


def _pods(w: Workload) -> tuple:
    spec = w.spec
    d = spec.data if spec is not None else {}
    if w.kind in ("Job", "CronJob"):
        out = tuple(why.spec(spec, k) for k in ("parallelism", "completions", "active_deadline", "schedule") if k in d)
        return out or (why.spec(spec, "kind", label="one run"),)
    made = w.why.get("replicas")
    out = (why.derived(made, "the replicas") if made is not None else why.spec(spec, "replicas", label="the replicas"),)
    return out + tuple(why.spec(spec, k) for k in ("autoscale", "strategy") if k in d)


def _requests(w: Workload) -> tuple:
    out = []
    for c, at in [(w.main, ())] + [(c, ("sidecars", c.name)) for c in w.containers[1:]] + \
            [(c, ("init", c.name)) for c in w.init_containers]:
        for what in ("cpu", "memory"):
            made = c.why.get(what)
            label = f"{c.name}'s {what} request"
            if made is not None:
                out.append(why.derived(made, label))
            elif getattr(c.resources, what) is not None:
                out.append(why.spec(w.spec, *at, "resources", what, label=label))
    return tuple(out)
