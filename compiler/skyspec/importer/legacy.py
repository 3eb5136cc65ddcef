"""Input objects in an API version Kubernetes no longer serves (:mod:`skyspec.ir.served` holds
the table), read as the version that replaced it, where the conversion is mechanical and
exact, as the API server itself converted them while it served both: apps/v1beta1,
apps/v1beta2 and extensions/v1beta1 workloads (the `selector` the old versions defaulted from
the template's labels written out), an Ingress's `serviceName`/`servicePort` backends as
`service: {name, port}` with the old default `pathType: ImplementationSpecific`, an
autoscaling/v2beta1 HPA's metrics in the v2 shape, and the kinds whose fields did not change
(PodDisruptionBudget, CronJob, NetworkPolicy, RBAC, StorageClass, ...). Each conversion is a
note at the input's apiVersion (SKY071); a default of the old version the served one changes
(a rollout's surge, OnDelete updates), which the input relied on, is a warning naming the
field to write; a kind whose successor differs in more than its version (a CRD, a webhook
configuration) is an error with a hint, a PodSecurityPolicy (which has no successor, and which
no current cluster accepts) a warning, the object left out; a Service's
`tolerate-unready-endpoints` annotation, which Kubernetes no longer reads, is read as the field
that replaced it. It changes the objects in place (their positions stay theirs); it reads no
file and never raises on a field of the wrong type: one it moves is reported (SKY061) and the
object left out, the others are left to :mod:`.shape`.
"""

from __future__ import annotations

from typing import Any

from ..ir.served import removed
from .source import LEGACY, WRONG, Inputs, _typename

_APPS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
# the kinds whose successor has the same fields (PodDisruptionBudget: but for an empty selector)
_SAME = {"PodDisruptionBudget", "CronJob", "NetworkPolicy", "IngressClass", "Role", "ClusterRole", "RoleBinding",
         "ClusterRoleBinding", "APIService", "PriorityClass", "StorageClass", "CSIDriver", "CSINode",
         "VolumeAttachment", "CSIStorageCapacity", "Lease", "RuntimeClass"}
# why a kind's successor cannot be written from the old object alone
_NOT_EXACT = {
    "CustomResourceDefinition": "apiextensions.k8s.io/v1 needs a structural schema under each of `versions` "
                                "(`validation` moves there) and drops `preserveUnknownFields: true`",
    "MutatingWebhookConfiguration": "v1 requires `sideEffects` (None or NoneOnDryRun) and "
                                    "`admissionReviewVersions`, and changes the defaults of `failurePolicy`, "
                                    "`matchPolicy` and `timeoutSeconds`",
    "CertificateSigningRequest": "certificates.k8s.io/v1 requires `signerName` and `usages`",
    "EndpointSlice": "discovery.k8s.io/v1 replaces `topology` by `nodeName`, `zone` and `deprecatedTopology`",
    "Event": "events.k8s.io/v1 renames the fields of `series`, `note` and the deprecated ones",
    "FlowSchema": "flowcontrol.apiserver.k8s.io/v1 changes what the priority levels' shares mean",
}
_NOT_EXACT["ValidatingWebhookConfiguration"] = _NOT_EXACT["MutatingWebhookConfiguration"]
_NOT_EXACT["PriorityLevelConfiguration"] = _NOT_EXACT["FlowSchema"]
# defaults of an old version that its successor changed: (field path, the old default, shown as)
_OLD_DEFAULTS = {
    ("extensions/v1beta1", "Deployment"): (
        (("spec", "strategy", "rollingUpdate", "maxSurge"), "1 (now 25%)"),
        (("spec", "strategy", "rollingUpdate", "maxUnavailable"), "1 (now 25%)"),
        (("spec", "revisionHistoryLimit"), "every old ReplicaSet kept (now 10)"),
        (("spec", "progressDeadlineSeconds"), "no deadline (now 600)")),
    ("apps/v1beta1", "Deployment"): ((("spec", "revisionHistoryLimit"), "2 (now 10)"),),
    ("apps/v1beta1", "StatefulSet"): ((("spec", "updateStrategy", "type"), "OnDelete (now RollingUpdate)"),),
    ("extensions/v1beta1", "DaemonSet"): ((("spec", "updateStrategy", "type"), "OnDelete (now RollingUpdate)"),),
}


def convert(objs: list[dict], inputs: Inputs) -> list[dict]:
    """``objs`` with each object of an API version no longer served read as its successor
    (changed in place, a note or warning at its apiVersion); one that cannot be is reported
    (an error) and left out."""
    out = []
    for o in objs:
        api, kind = o.get("apiVersion"), o["kind"]
        if kind == "HorizontalPodAutoscaler":
            _scale_target(o, inputs)
        if kind == "Service":
            _unready(o, inputs)
            _zero_target(o)
        gone = removed(api, kind) if isinstance(api, str) else None
        if gone is None:
            out.append(o)
            continue
        since, successor = gone
        at = inputs.pos(o, ("apiVersion",))
        name = _name(o)
        if kind == "PodSecurityPolicy":  # nothing to apply it to: it restricted pods, and the language hardens them
            inputs.diags.warning(LEGACY, f"PodSecurityPolicy {name} is left out: it is in {api}, which Kubernetes "
                                 f"{since} stopped serving, and it has no successor (no cluster of 1.25 or later "
                                 "accepts it)", at,
                                 hint="skyspec hardens every pod (non-root, no privilege escalation, capabilities "
                                      "dropped); a `kind: SecurityPolicy` sets the namespace's Pod Security level, "
                                      "which replaced it")
            continue
        if successor is None or kind in _NOT_EXACT or (kind not in _SAME and kind not in _APPS
                                                       and kind not in ("Ingress", "HorizontalPodAutoscaler")):
            why = _NOT_EXACT.get(kind, "its successor's fields differ")
            inputs.diags.error(LEGACY, f"{kind} {name} is in {api}, which Kubernetes {since} stopped serving, and "
                               + (f"the importer cannot read it as {successor} exactly: {why}" if successor
                                  else why), at,
                               hint=(f"write it as {successor} and import again" if successor else
                                     "leave it out of the input (and apply what replaces it yourself)"))
            continue
        done = _read_as(o, api, kind, successor, inputs)
        if done is None:
            continue
        how, old = done
        o["apiVersion"] = successor
        what = f"{kind} {name} is in {api}, which Kubernetes {since} stopped serving: read as {successor}" + \
               (f" ({'; '.join(how)})" if how else ", whose fields are the same")
        if old:
            inputs.diags.warning(LEGACY, f"{what}; the input leaves to the old version's defaults what "
                                 f"{successor} defaults otherwise: {'; '.join(old)}", at,
                                 hint="the served version's defaults apply; to keep the old behaviour write those "
                                      "fields in the input and import again")
        else:
            inputs.note(LEGACY, what, at, hint=f"the imported project writes {successor}, which current clusters "
                                               "serve; the object means what it meant")
        out.append(o)
    return out


def _name(o: dict) -> str:
    meta = o.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else "(unnamed)"


def _get(o: Any, path: tuple) -> Any:
    for seg in path:
        if not isinstance(o, dict) or seg not in o:
            return None
        o = o[seg]
    return o


def _wrong(inputs: Inputs, o: dict, path: tuple, wanted: str, value: Any) -> None:
    shown = ".".join(str(s) if not isinstance(s, int) else f"[{s}]" for s in path).replace(".[", "[")
    inputs.diags.error(WRONG, f"{o['kind']} {_name(o)} {shown} must be {wanted}, not "
                       f"{'an' if _typename(value)[0] in 'aeiou' else 'a'} {_typename(value)}",
                       inputs.pos(o, path), hint="the API server would refuse this object too: fix the manifest "
                                                 "and import again")


def _read_as(o: dict, api: str, kind: str, successor: str, inputs: Inputs) -> tuple[list[str], list[str]] | None:
    """(what the conversion did, the old defaults the input relies on that the successor
    changes) after converting ``o`` in place; None (reported) when it cannot."""
    how: list[str] = []
    spec = o.get("spec")
    if kind in _APPS:
        if not isinstance(spec, dict):
            return [], []   # the shape check (or the build) reports it
        if "rollbackTo" in spec:
            inputs.diags.error(LEGACY, f"{kind} {_name(o)} asks for a rollback (`spec.rollbackTo`), which "
                               f"{successor} no longer has", inputs.pos(o, ("spec", "rollbackTo"), key=True),
                               hint="leave `rollbackTo` out (`kubectl rollout undo` does this now) and import again")
            return None
        if "templateGeneration" in spec:   # deprecated, set by the server; apps/v1 has no such field
            del spec["templateGeneration"]
            how.append("`templateGeneration` left out")
        if "selector" not in spec:
            labels = _get(spec, ("template", "metadata", "labels"))
            if not isinstance(labels, dict) or not labels:
                inputs.diags.error(LEGACY, f"{kind} {_name(o)} has no `selector`, which {successor} requires, and "
                                   "no pod labels to derive it from as the old version did",
                                   inputs.pos(o, ("spec",), key=True),
                                   hint="give the pod template labels (`spec.template.metadata.labels`) and a "
                                        "`spec.selector.matchLabels` holding them")
                return None
            spec["selector"] = {"matchLabels": dict(labels)}
            how.append("`selector` derived from the template's labels, as the old version defaulted it")
    elif kind == "Ingress":
        if not _ingress(o, inputs, how):
            return None
    elif kind == "HorizontalPodAutoscaler":
        if api == "autoscaling/v2beta1" and not _hpa_metrics(o, inputs, how):
            return None
    elif kind == "PodDisruptionBudget" and isinstance(spec, dict) and spec.get("selector") == {}:
        # policy/v1beta1's empty selector selects no pod, policy/v1's every pod of the namespace;
        # no selector selects none in both
        del spec["selector"]
        how.append("its empty `selector` left out: it selects no pod in both versions, where policy/v1's `{}` "
                   "would select every pod of the namespace")
    old = [f"`{'.'.join(path)}` was {shown}" for path, shown in _OLD_DEFAULTS.get((api, kind), ())
           if _get(o, path) is None and _applies(o, path)]
    return how, old


def _applies(o: dict, path: tuple) -> bool:
    """Whether the old default at ``path`` is one the object uses (a rolling update's
    parameters only when it rolls)."""
    if path[:3] == ("spec", "strategy", "rollingUpdate"):
        return _get(o, ("spec", "strategy", "type")) in (None, "RollingUpdate")
    return True


def _ingress(o: dict, inputs: Inputs, how: list[str]) -> bool:
    spec = o.get("spec")
    if not isinstance(spec, dict):
        return True
    moved = typed = 0
    if "backend" in spec and "defaultBackend" not in spec:
        spec["defaultBackend"] = spec.pop("backend")
        how.append("`backend` as `defaultBackend`")
    backends = [(("spec", "defaultBackend"), spec.get("defaultBackend"))]
    for i, rule in enumerate(spec.get("rules") if isinstance(spec.get("rules"), list) else []):
        paths = _get(rule, ("http", "paths"))
        for j, p in enumerate(paths if isinstance(paths, list) else []):
            if not isinstance(p, dict):
                continue
            if "pathType" not in p:
                p["pathType"] = "ImplementationSpecific"
                typed += 1
            backends.append((("spec", "rules", i, "http", "paths", j, "backend"), p.get("backend")))
    ok = True
    for path, b in backends:
        if not isinstance(b, dict) or not ({"serviceName", "servicePort"} & set(b)):
            continue
        name, port = b.get("serviceName"), b.get("servicePort")
        if not isinstance(name, str):
            _wrong(inputs, o, path + ("serviceName",), "a string", name)
            ok = False
            continue
        if isinstance(port, bool) or not isinstance(port, (int, str)):
            _wrong(inputs, o, path + ("servicePort",), "an integer or a string", port)
            ok = False
            continue
        b.pop("serviceName")
        b.pop("servicePort")
        b["service"] = {"name": name, "port": {"number": port} if isinstance(port, int) else {"name": port}}
        moved += 1
    if moved:
        how.append("`serviceName` and `servicePort` as `service: {name, port}`")
    if typed:
        how.append("`pathType: ImplementationSpecific`, the old version's default")
    return ok


def _hpa_metrics(o: dict, inputs: Inputs, how: list[str]) -> bool:
    """autoscaling/v2beta1's metrics (`targetAverageUtilization`, `metricName`, ...) in
    autoscaling/v2's shape (`target: {type, ...}`, `metric: {name, selector}`), as the API
    server converted them."""
    metrics = _get(o, ("spec", "metrics"))
    if not isinstance(metrics, list):
        return True
    ok = True
    for i, m in enumerate(metrics):
        if not isinstance(m, dict):
            continue
        kind = m.get("type")
        key = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
               "Object": "object", "External": "external"}.get(kind) if isinstance(kind, str) else None
        src = m.get(key) if key else None
        if not isinstance(src, dict):
            continue
        at = ("spec", "metrics", i, key)
        util, name = src.get("targetAverageUtilization", 0), src.get("metricName", "")
        if isinstance(util, bool) or not isinstance(util, int):
            _wrong(inputs, o, at + ("targetAverageUtilization",), "an integer", util)
            ok = False
        if not isinstance(name, str):
            _wrong(inputs, o, at + ("metricName",), "a string", name)
            ok = False
        if not ok:
            continue
        new: dict = {}
        if key in ("resource", "containerResource"):
            new = {k: v for k, v in src.items() if k in ("name", "container")}
            if "targetAverageUtilization" in src:
                new["target"] = {"type": "Utilization", "averageUtilization": src["targetAverageUtilization"]}
            elif "targetAverageValue" in src:
                new["target"] = {"type": "AverageValue", "averageValue": src["targetAverageValue"]}
        elif key == "pods":
            new = {"metric": _metric(src.get("metricName"), src.get("selector")),
                   "target": {"type": "AverageValue", "averageValue": src.get("targetAverageValue")}}
        elif key == "object":
            new = {"describedObject": src.get("target"), "metric": _metric(src.get("metricName"), src.get("selector")),
                   "target": {"type": "AverageValue", "averageValue": src["averageValue"]} if "averageValue" in src
                   else {"type": "Value", "value": src.get("targetValue")}}
        elif key == "external":
            new = {"metric": _metric(src.get("metricName"), src.get("metricSelector")),
                   "target": {"type": "AverageValue", "averageValue": src["targetAverageValue"]}
                   if "targetAverageValue" in src else {"type": "Value", "value": src.get("targetValue")}}
        src.clear()   # in place: the metric keeps its position in the input
        src.update({k: v for k, v in new.items() if v is not None})
        t = src.get("target")
        if isinstance(t, dict):
            for k in [k for k, v in t.items() if v is None]:
                del t[k]
    if ok and metrics:
        how.append("its metrics in autoscaling/v2's shape (`target: {type, ...}`, `metric: {name, selector}`)")
    return ok


def _metric(name: Any, selector: Any) -> dict:
    out = {"name": name}
    if selector is not None:
        out["selector"] = selector
    return out


def _scale_target(o: dict, inputs: Inputs) -> None:
    """An HPA's `scaleTargetRef` naming its workload in a version no longer served (the
    controller looks the scale up there, and finds nothing): the successor's, with a note."""
    ref = _get(o, ("spec", "scaleTargetRef"))
    if not isinstance(ref, dict) or not isinstance(ref.get("apiVersion"), str) or not isinstance(ref.get("kind"), str):
        return
    gone = removed(ref["apiVersion"], ref["kind"])
    if gone is None or gone[1] is None:
        return
    inputs.note(LEGACY, f"HorizontalPodAutoscaler {_name(o)} scales a {ref['kind']} in {ref['apiVersion']}, which "
                f"Kubernetes {gone[0]} stopped serving: read as {gone[1]}",
                inputs.pos(o, ("spec", "scaleTargetRef", "apiVersion")),
                hint="the autoscaler finds its target through the version it names; the imported project names "
                     "the served one")
    ref["apiVersion"] = gone[1]


UNREADY = "service.alpha.kubernetes.io/tolerate-unready-endpoints"


def _unready(o: dict, inputs: Inputs) -> None:
    """A Service's `tolerate-unready-endpoints` annotation, which Kubernetes 1.24 stopped
    reading (EndpointSlices never did): a database cluster's nodes find each other through
    it before they are ready (kubernetes/examples' CockroachDB). Read as the field that
    replaced it, `publishNotReadyAddresses: true`, the annotation kept as written."""
    ann = _get(o, ("metadata", "annotations"))
    spec = o.get("spec")
    if not isinstance(ann, dict) or not isinstance(spec, dict) or "publishNotReadyAddresses" in spec \
            or str(ann.get(UNREADY)) not in ("1", "t", "T", "TRUE", "true", "True"):
        return
    spec["publishNotReadyAddresses"] = True
    inputs.note(LEGACY, f"Service {_name(o)}: {UNREADY}, which Kubernetes 1.24 stopped reading, is read as "
                "`publishNotReadyAddresses: true`", inputs.pos(o, ("metadata", "annotations", UNREADY), key=True),
                hint="the field publishes the pods' addresses before they are ready, as the annotation did")


def _zero_target(o: dict) -> None:
    """A Service port's `targetPort: 0` (or `""`) is none: the API server defaults it to the
    port (a chart that renders an unset value as 0: helm/charts' pachyderm). Left out, so the
    port is read as the Service's own, as the cluster stores it."""
    spec = o.get("spec")
    for p in spec.get("ports") or [] if isinstance(spec, dict) and isinstance(spec.get("ports"), list) else ():
        if isinstance(p, dict) and p.get("targetPort", 1) in (0, "") and not isinstance(p.get("targetPort"), bool):
            del p["targetPort"]
