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
from ..cost.prices import Prices
from ..cost.usage import LazyDefaults, usage
from ..ir.model import IR, Context


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
