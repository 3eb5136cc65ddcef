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

from ..ir import why
from ..ir.model import IR, Context, Workload

PDB_MAX_UNAVAILABLE = 1   # a PodDisruptionBudget's maxUnavailable (documented default)

PDB = why.Rule("availability.pdb", "`settings.pdb` gives every App and StatefulApp running 2+ replicas "
                                   "a PodDisruptionBudget")
PDB_MAX = why.Rule("availability.pdb-max-unavailable", "a drain takes at most this many pods of the workload at once")
SPREAD = why.Rule("availability.spread", "`settings.spread` spreads the pods of every App and StatefulApp running "
                                         "2+ replicas, unless its spec sets `spread`")
MIN_REPLICAS = 2
_REPLICAS = why.own("replicas", label="the replicas")
_PDB_MAX = why.Why(PDB_MAX, (why.default(__name__, "PDB_MAX_UNAVAILABLE"),), PDB_MAX_UNAVAILABLE)


def availability(ir: IR, ctx: Context) -> IR:
    s = ir.settings
    spread = s.get("spread")
    if isinstance(spread, str):
        spread = [spread]
    spread_why = why.Why(SPREAD, (why.setting(ir, "spread"),), list(spread)) if spread else None
    pdb_in = why.setting(ir, "pdb")
    pdb_why = why.Why(PDB, (pdb_in, _REPLICAS), True)   # every workload whose replicas are as written
    for w in ir.workloads:
        if w.kind not in ("App", "StatefulApp"):
            continue
        n = max(w.replicas or 0, w.autoscale.min if w.autoscale else 0)
        if n < MIN_REPLICAS:
            continue
        if s.get("pdb"):
            w.pdb = {"maxUnavailable": PDB_MAX_UNAVAILABLE}
            made = replicas(w)   # why this workload has one: its replicas
            w.why["pdb"] = pdb_why if made.src is why.OWN else why.Why(PDB, (pdb_in, made), True)
            w.why["pdb.maxUnavailable"] = _PDB_MAX
        if spread and not w.spread:
            w.spread = list(spread)
            w.why["spread"] = spread_why   # the setting's value: the replicas decide who gets it (pdb)
    return ir


def replicas(w: Workload) -> why.In:
    """The replica count this pass judged: the autoscaler's minimum when that is higher."""
    if w.autoscale is not None and w.autoscale.min > (w.replicas or 0):
        return why.spec(w.spec, "autoscale", "min", label="the autoscaler's minimum") \
            if w.spec is not None and "min" in (w.spec.data.get("autoscale") or {}) else why.spec(w.spec, "replicas", label="the replicas")
    made = w.why.get("replicas")
    return why.derived(made, "the replicas") if made is not None else _REPLICAS
