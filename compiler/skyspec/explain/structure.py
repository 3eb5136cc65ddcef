"""The structure the Kubernetes backend writes around the values, as derivations.

Every object skyspec writes has an API version and kind, a name, a namespace, the standard
`app.kubernetes.io/*` labels and, for a workload, the selector of its pods. None of it is a
value a spec states, yet each follows from lines people wrote: the spec's `kind` and `name`,
the project's `project:` and `namespace:`, the environment's or target's `namespace:`, and
the condition that made the object exist at all (a Service because another workload
`connect_to`s it, a PodDisruptionBudget because `settings.pdb`, ...). This module states
those rules (:class:`~skyspec.ir.why.Rule`) and builds the :class:`~skyspec.ir.why.Why` of
such a field on demand, from the IR's records and the spec; the backend itself stays a pure
function of the IR. It must not read histories (that is :mod:`.derive`) nor map manifest
paths (that is :mod:`.fields`).
"""

from __future__ import annotations

from typing import Any

from ..ir import why
from ..ir.model import IR, Workload
from ..ir.why import In, Rule, Why

COMMON = "skyspec.backends.common"
KUBE = "skyspec.backends.kubernetes"

API_VERSION = Rule("k8s.api-version", "each object is written in the API version skyspec targets for its kind")
OBJECT = Rule("k8s.object", "each spec lowers to the objects of its kind (an App to a Deployment, ...)")
NAME = Rule("k8s.name", "an object is named after the spec (or the workload) it comes from")
NAMESPACE = Rule("k8s.namespace", "an object goes to its spec's `namespace`, else the target's, the environment's "
                                  "or the project's")
LABEL_NAME = Rule("k8s.label-name", "app.kubernetes.io/name: the object's (or its workload's) name")
LABEL_PART_OF = Rule("k8s.label-part-of", "app.kubernetes.io/part-of: the project's name")
LABEL_MANAGED = Rule("k8s.label-managed-by", "app.kubernetes.io/managed-by: skyspec, on every object it writes")
STRATEGY_LABEL = Rule("k8s.strategy-label", "blue-green and canary Deployments are told apart by a label")
SERVICE = Rule("k8s.service", "a workload gets a Service when it is exposed, another one `connect_to`s it, a "
                              "ServiceMonitor scrapes it, or it is a StatefulApp with ports")
HEADLESS = Rule("k8s.headless-service", "a StatefulApp with ports gets a headless Service naming its pods")
PREVIEW = Rule("k8s.preview-service", "a blue-green App with a `preview_image` gets a Service for the idle color")
INGRESS = Rule("k8s.ingress", "an exposed `host` gets an Ingress")
HPA = Rule("k8s.autoscaler", "`autoscale` gets a HorizontalPodAutoscaler")
MONITOR = Rule("k8s.service-monitor", "an Observability with `metrics.service_monitor` gets a ServiceMonitor")
QUOTA = Rule("k8s.resource-quota", "the environment's `quota` gets a ResourceQuota")
CANARY = Rule("k8s.canary", "a canary App runs a second Deployment, `<name>-canary`, with the canary image")
BLUE_GREEN = Rule("k8s.blue-green", "a blue-green App runs two Deployments, `<name>-blue` and `<name>-green`")


def namespace_in(ir: IR, spec: Any) -> In:
    """Where an object's namespace comes from: its spec's `namespace`, the target's, the
    environment's, or the project's."""
    if spec is not None and spec.data.get("namespace"):
        return why.spec(spec, "namespace")
    src = ir.inputs
    project = src.project if src is not None else None
    if project is not None and ir.target and getattr(project.targets.get(ir.target), "namespace", None):
        return why.project(ir, "targets", ir.target, "namespace")
    env = src.env if src is not None else None
    if env is not None and env.namespace:
        return why.project(ir, "environments", env.name, "namespace")
    return why.project(ir, "namespace")


def name_in(spec: Any) -> In:
    return why.spec(spec, "name", label="the name")


def part_of(ir: IR) -> Why:
    return Why(LABEL_PART_OF, (why.project(ir, "project", label="the project"),))


def managed_by() -> Why:
    return Why(LABEL_MANAGED, (why.default(COMMON, "MANAGED_BY"),))


def exists(ir: IR, obj: dict, spec: Any, w: Workload | None, netpol: Any = None) -> Why:
    """Why ``obj`` is in the output at all."""
    kind = obj.get("kind")
    name = (obj.get("metadata") or {}).get("name")
    if netpol is not None and netpol.why.get("policy") is not None:
        return netpol.why["policy"]
    if w is not None:
        st = w.strategy
        if kind == "Deployment" and st.type == "canary" and name == f"{w.name}-canary":
            return Why(CANARY, (why.spec(spec, "strategy", "canary"),))
        if kind == "Deployment" and st.type == "blue-green":
            return Why(BLUE_GREEN, (why.spec(spec, "strategy"),))
        if kind == "Service":
            if name == f"{w.name}-headless":
                return Why(HEADLESS, (why.spec(spec, "kind"), why.port(w)))
            if name == f"{w.name}-preview":
                return Why(PREVIEW, (why.spec(spec, "strategy", "blue-green", "preview_image"),))
            return Why(SERVICE, _service_inputs(w))
        if kind == "Ingress":
            return Why(INGRESS, (why.spec(spec, "expose", "host"),))
        if kind == "HorizontalPodAutoscaler":
            return Why(HPA, (why.spec(spec, "autoscale"),))
        if kind == "PodDisruptionBudget" and w.why.get("pdb") is not None:
            return w.why["pdb"]
        if kind == "ServiceMonitor":
            m = next((m for m in ir.monitors if m.name == name), None)
            if m is not None and m.spec is not None:
                return Why(MONITOR, (why.spec(m.spec, "metrics", "service_monitor"),))
    if kind == "ResourceQuota":
        env = ir.inputs.env.name if ir.inputs is not None else ir.env
        return Why(QUOTA, (why.project(ir, "environments", env, "quota"),))
    if kind == "Namespace":
        made = ir.why.get("namespace" if name == ir.namespace else f"namespace.{name}")
        if made is not None:
            return made
    return Why(OBJECT, (why.spec(spec, "kind"),))


def _service_inputs(w: Workload) -> tuple:
    out: list = []
    spec = w.spec
    if w.expose is not None:
        out.append(why.spec(spec, "expose", label="exposed"))
    for key, label in (("service.connect_to", "connected to"), ("service.monitor", "scraped")):
        if w.why.get(key) is not None:
            out.append(why.derived(w.why[key], label))
    if w.kind == "StatefulApp" and w.ports:
        out.append(why.port(w))
    return tuple(out) or (why.spec(spec, "kind"),)


def object_name(ir: IR, obj: dict, spec: Any, w: Workload | None, netpol: Any = None) -> Why:
    """metadata.name: the spec's (or workload's) name, with the suffix its rule adds."""
    name = (obj.get("metadata") or {}).get("name")
    if netpol is not None and netpol.generated:
        if netpol.owner:
            return Why(NAME, (why.spec(ir.workload(netpol.owner).spec, "name", label="the workload"),
                              why.derived(netpol.why["policy"], "its policy")))
        return Why(NAME, (why.project(ir, "project", label="the project"), why.derived(netpol.why["policy"])))
    if obj.get("kind") == "ResourceQuota":
        return Why(NAME, (why.project(ir, "project", label="the project"),))
    if obj.get("kind") == "Namespace":
        return Why(NAME, (namespace_in(ir, spec if spec is not None and spec.kind != "SecurityPolicy" else None),))
    if w is not None and name != w.name:
        return Why(NAME, (name_in(spec), why.derived(exists(ir, obj, spec, w))))
    return Why(NAME, (name_in(spec),))


def std_label(ir: IR, obj: dict, key: str, spec: Any, w: Workload | None, netpol: Any = None) -> Why | None:
    """One of the standard labels (or a strategy's label) of ``obj``."""
    if key == "app.kubernetes.io/part-of":
        return part_of(ir)
    if key == "app.kubernetes.io/managed-by":
        return managed_by()
    if key == "app.kubernetes.io/name":
        if w is not None:
            return Why(LABEL_NAME, (name_in(w.spec),))
        return Why(LABEL_NAME, (why.derived(object_name(ir, obj, spec, w, netpol), "the object's name"),))
    if key in ("skyspec.dev/color", "skyspec.dev/track") and w is not None:
        return Why(STRATEGY_LABEL, (why.spec(w.spec, "strategy"),))
    return None


def selector(ir: IR, w: Workload, key: str) -> Why | None:
    """A label of the selector of ``w``'s pods (stable across environments)."""
    if key == "app.kubernetes.io/name":
        return Why(LABEL_NAME, (name_in(w.spec),))
    if key == "app.kubernetes.io/part-of":
        return part_of(ir)
    return std_label(ir, {}, key, w.spec, w)
