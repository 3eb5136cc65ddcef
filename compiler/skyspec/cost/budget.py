"""Budget: the gate on an environment's `budget: {monthly: N}`. :func:`check_budget`
reports SKY320 at that line of the project file when an estimate is over its budget,
naming the three biggest contributors; :func:`deferred_budget` lets a caller (`skyspec
cost`) compile without the gate and report it itself. It judges a finished
:class:`~.estimate.CostReport`; it must NOT compute estimates nor render reports."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, Iterator

from .estimate import CostReport

_GATE: ContextVar[bool] = ContextVar("skyspec_budget_gate", default=True)


@contextmanager
def deferred_budget() -> Iterator[None]:
    """Within this block the `cost` pass estimates but does not report an exceeded budget."""
    token = _GATE.set(False)
    try:
        yield
    finally:
        _GATE.reset(token)


def budget_gate_on() -> bool:
    """Whether the `cost` pass reports an exceeded budget (False inside :func:`deferred_budget`)."""
    return _GATE.get()


def check_budget(report: CostReport, diags: Any) -> None:
    """SKY320 at the `budget.monthly` line when the estimate is over the budget."""
    if not report.over_budget:
        return
    cur = report.prices.currency
    total = report.total
    top = [ln for ln in report.top(3) if ln.total > 0]
    notes = [f"{ln.name} ({ln.kind}): {ln.total:.2f} {cur} a month, {share(ln.total, total)}" for ln in top]
    biggest = f"; the biggest is {top[0].name} at {top[0].total:.2f} {cur}" if top else ""
    diags.error("SKY320",
                f"{report.label}: the estimated cost of {total:.2f} {cur} a month is over the budget of "
                f"{report.budget:.2f} {cur}{biggest}",
                report.budget_pos, notes=notes,
                hint="lower replicas or requests of the biggest contributors, or raise `budget.monthly`; "
                     "`skyspec cost` shows every workload")


def share(part: Decimal | int, whole: Decimal | int) -> str:
    """``part`` as a percentage of ``whole``, one decimal: `42.5%`."""
    if not whole:
        return "0%"
    return f"{Decimal(part) * 100 / Decimal(whole):.1f}%"
