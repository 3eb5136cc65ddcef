"""availability: keep replicated workloads up through node drains and zone failures, in
environments whose settings ask for it (the built-in prod profile does).

- `settings.pdb: true`: a PodDisruptionBudget (`maxUnavailable: 1`) for every App and
  StatefulApp running 2+ replicas (or autoscaling from 2+), so a drain never takes two
  pods at once;
- `settings.spread: [nodes, zones]`: topology spread constraints for those workloads when
  the spec sets no `spread` of its own.
HorizontalPodAutoscalers come from `autoscale` (the backend lowers it).
"""

from __future__ import annotations

from ..ir.model import IR, Context


def availability(ir: IR, ctx: Context) -> IR:
    s = ir.settings
    spread = s.get("spread")
    if isinstance(spread, str):
        spread = [spread]
    for w in ir.workloads:
        if w.kind not in ("App", "StatefulApp"):
            continue
        n = max(w.replicas or 0, w.autoscale.min if w.autoscale else 0)
        if n < 2:
            continue
        if s.get("pdb"):
            w.pdb = {"maxUnavailable": 1}
        if spread and not w.spread:
            w.spread = list(spread)
    return ir
