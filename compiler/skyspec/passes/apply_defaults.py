"""apply_defaults: fill what a spec may leave out with values that need no policy.

- an App or StatefulApp without `replicas` runs 1 replica, or its autoscaler's minimum
  (`autoscale.min`), so the Deployment never starts below what the autoscaler keeps;
- a container without `command`/`args` keeps the image's own entrypoint (nothing to do);
- workload labels never override the standard `app.kubernetes.io/*` labels (the backends
  add those), so a user label with such a key is dropped here with a warning.
"""

from __future__ import annotations

from ..ir import why
from ..ir.model import IR, Context

STANDARD_PREFIX = "app.kubernetes.io/"
REPLICAS = 1   # replicas of an App or StatefulApp that sets none (documented default)

DEFAULT_REPLICAS = why.Rule("defaults.replicas", "an App or StatefulApp without `replicas` runs the default number")
FROM_AUTOSCALE = why.Rule("defaults.replicas-autoscale", "an autoscaled App or StatefulApp without `replicas` starts at "
                                                         "its autoscaler's minimum")
_REPLICAS = why.Why(DEFAULT_REPLICAS, (why.default(__name__, "REPLICAS"),), REPLICAS)


def apply_defaults(ir: IR, ctx: Context) -> IR:
    for w in ir.workloads:
        if w.kind in ("App", "StatefulApp") and w.replicas is None:
            if w.autoscale is not None:
                w.replicas = w.autoscale.min
                w.origin["replicas"] = ("pass", "apply_defaults")
                w.why["replicas"] = why.Why(FROM_AUTOSCALE, (why.own("autoscale", "min", label="the autoscaler's minimum"),),
                                            w.replicas)
            else:
                w.replicas = REPLICAS
                w.origin["replicas"] = ("pass", "apply_defaults")
                w.why["replicas"] = _REPLICAS
        for k in [k for k in w.labels if k.startswith(STANDARD_PREFIX)]:
            ctx.diags.warning("SKY108", f'label "{k}" is set by skyspec and cannot be overridden',
                              w.spec.where("labels", k) if w.spec else None,
                              hint="use another key, e.g. without the app.kubernetes.io/ prefix")
            del w.labels[k]
    return ir
