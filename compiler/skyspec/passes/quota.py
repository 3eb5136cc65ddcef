"""quota: the environment's `quota` in the project file, checked and kept for emission.

Measures what the output unit's workloads request at once (:mod:`skyspec.cost.usage`:
pods, CPU and memory requests x pods, storage; a container without a request counts at the
environment's default) and checks the totals against `quota.cpu` / `memory` / `storage` /
`pods` (:mod:`skyspec.cost.quota`: SKY310 over a limit, with the breakdown by workload,
and a warning for a container without a request under a CPU or memory quota). The result
is stored as ``ir.quota``; when the environment has a quota, the Kubernetes backend emits
it as a ResourceQuota `<project>-quota`. This pass only reads the project and calls
skyspec.cost; it must NOT count or judge anything itself.
"""

from __future__ import annotations

from ..cost.quota import HARD_KEYS, check_quota, quota_report
from ..cost.usage import LazyDefaults, unit_label, usage
from ..ir import why
from ..ir.model import IR, Context

QUOTA = why.Rule("quota.hard", "the environment's `quota` is emitted as a ResourceQuota")


def quota(ir: IR, ctx: Context) -> IR:
    env = ctx.env
    raw = (env.raw or {}).get("quota") or {}
    rep = quota_report(f"{ir.project}-quota", usage(ir, LazyDefaults(ctx.project, env, ir.target)))
    check_quota(rep, raw, env.name, unit_label(ir.env, ir.target),
                lambda key: ctx.project.pos("environments", env.name, "quota", key), ctx.diags)
    ir.quota = rep
    for key in rep.limits:
        ir.why[f"quota.{HARD_KEYS[key]}"] = why.Why(QUOTA, (why.project(ir, "environments", env.name, "quota", key),))
    return ir
