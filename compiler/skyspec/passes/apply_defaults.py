"""apply_defaults: fill what a spec may leave out with values that need no policy.

- an App or StatefulApp without `replicas` runs 1 replica, or its autoscaler's minimum
  (`autoscale.min`), so the Deployment never starts below what the autoscaler keeps;
- a container without `command`/`args` keeps the image's own entrypoint (nothing to do);
- a spec's labels never override the standard labels the backends add
  (`app.kubernetes.io/name`, `part-of`, `managed-by`, `instance`, `version`), so a user
  label with such a key is dropped here with a warning; `app.kubernetes.io/component` and
  the other keys of the prefix are the spec's own.
"""

from __future__ import annotations

from ..ir import why
from ..ir.model import IR, Context
from ..schema.fields import RESERVED_LABELS

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
    for o in (*ir.workloads, *ir.configs, *ir.secrets, *ir.accounts, *ir.roles, *ir.netpols):
        for k in [k for k in o.labels if k in RESERVED_LABELS]:
            ctx.diags.warning("SKY108", f'label "{k}" is set by skyspec and cannot be overridden',
                              o.spec.where("labels", k) if o.spec else None,
                              hint="remove it: skyspec writes it on every object; "
                                   "`app.kubernetes.io/component` and keys of your own are yours to set")
            del o.labels[k]
    return ir
