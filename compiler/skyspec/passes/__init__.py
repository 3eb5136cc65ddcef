"""Optimizer passes: small IR-to-IR functions, run in this order. Each is
`passes/<name>.py` exposing `def <name>(ir, ctx) -> IR`; reading this tuple tells the
whole optimizer (the sqlglot style)."""

from __future__ import annotations

from ..ir.model import IR, Context
from .apply_defaults import apply_defaults
from .availability import availability
from .check_references import check_references
from .cost import cost
from .harden import harden
from .network import network
from .policy import policy
from .quota import quota
from .resolve_connections import resolve_connections
from .rollout import rollout
from .size import size
from .system_check import system_check

PASSES = (
    resolve_connections,
    check_references,
    apply_defaults,
    harden,
    network,
    size,
    availability,
    rollout,
    quota,
    cost,
    policy,
    system_check,
)


def run_passes(ir: IR, ctx: Context, passes=PASSES) -> IR:
    for p in passes:
        ir = p(ir, ctx)
    return ir
