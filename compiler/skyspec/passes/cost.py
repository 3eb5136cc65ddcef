"""cost: the monthly cost estimate of the output unit, and the budget gate.

Prices come from `prices:` in the project file (defaults in :mod:`skyspec.costing`, which
also holds the pricing model). The estimate is stored as ``ir.cost``
(:class:`~skyspec.costing.CostReport`). When the environment has `budget: {monthly: N}`
and the total is over N, SKY320 is reported at that line of the project file, naming the
three biggest contributors with their amounts, so `skyspec build` fails. The budget holds
for each output unit: an environment, and each target (cluster) of it, on its own.

`skyspec cost` compiles with the gate deferred (:func:`deferred_budget`) so that it can
show the estimate of an environment that is over budget, and then reports the same
diagnostic itself.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from ..costing import LazyDefaults, Prices, check_budget, estimate, usage
from ..ir.model import IR, Context

_GATE: ContextVar[bool] = ContextVar("skyspec_budget_gate", default=True)


@contextmanager
def deferred_budget() -> Iterator[None]:
    """Within this block the pass estimates but does not report an exceeded budget."""
    token = _GATE.set(False)
    try:
        yield
    finally:
        _GATE.reset(token)


def cost(ir: IR, ctx: Context) -> IR:
    env = ctx.env
    q = getattr(ir, "quota", None)
    uses = q.usage if q is not None else usage(ir, LazyDefaults(ctx.project, env, ir.target))
    budget = ((env.raw or {}).get("budget") or {}).get("monthly")
    pos = ctx.project.pos("environments", env.name, "budget", "monthly") if budget is not None else None
    report = estimate(ir, uses, Prices.from_project(ctx.project.data), budget, pos)
    ir.cost = report
    if _GATE.get():
        check_budget(report, ctx.diags)
    return ir
