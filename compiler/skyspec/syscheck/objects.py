"""The objects the system check reads, as plain dicts (:mod:`skyspec.syscheck`): the pods of
a workload object, the system checked, label selectors, and the accessors that never raise on
malformed input."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..record import NEW, Record

POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "ReplicationController"}
EXTERNAL = "external"            # a connection's source outside the cluster


@dataclass
class Pod:
    """The pods of one workload object: their namespace, labels and pod spec. Its containers
    and their ports are read once (the check asks for them per Service port, probe and
    connection; it never changes the objects)."""

    obj: dict                        # the workload object
    namespace: str
    labels: dict
    spec: dict                       # the pod spec
    _containers: list = field(init=False, repr=False, compare=False)
    _ports: list = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._containers = [c for key in ("initContainers", "containers") for c in _list(self.spec.get(key))
                            if isinstance(c, dict)]
        # the ports a Service can reach, in the order Kubernetes resolves a named `targetPort`:
        # the containers', then a native sidecar's (an init container that restarts `Always`);
        # an init container that runs to completion first serves nothing
        serving = [c for c in _list(self.spec.get("containers")) if isinstance(c, dict)]
        serving += [c for c in _list(self.spec.get("initContainers"))
                    if isinstance(c, dict) and c.get("restartPolicy") == "Always"]
        self._ports = [p for c in serving for p in _list(c.get("ports")) if isinstance(p, dict)]

    def containers(self) -> list[dict]:
        return self._containers

    def ports(self) -> list[dict]:
        return self._ports


class System(Record):
    """The objects checked together, and what is declared to exist besides them."""

    def __init__(self, objects: list[dict], namespace: str = "default", existing: set = NEW,
                 ingress_namespace: str = "ingress-nginx") -> None:
        self.objects = objects
        self.namespace = namespace  # of objects that name none
        self.existing = set() if existing is NEW else existing  # (kind, namespace or None, name) declared to exist
        self.ingress_namespace = ingress_namespace

    def ns(self, obj: dict) -> str:
        return _meta(obj).get("namespace") or self.namespace


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _meta(obj: dict) -> dict:
    return _dict(obj.get("metadata"))


def label(obj: dict) -> str:
    return f'{obj.get("kind", "?")}/{_meta(obj).get("name", "?")}'


def pod_spec(obj: dict) -> tuple[dict, dict] | None:
    """(pod template metadata, pod spec) of a workload object, or None."""
    spec = _dict(obj.get("spec"))
    if obj.get("kind") == "Pod":
        return _meta(obj), spec
    if obj.get("kind") == "CronJob":
        spec = _dict(_dict(spec.get("jobTemplate")).get("spec"))
    tpl = _dict(spec.get("template"))
    if not tpl:
        return None
    return _dict(tpl.get("metadata")), _dict(tpl.get("spec"))


def pods(sys_: System) -> list[Pod]:
    out = []
    for o in sys_.objects:
        if o.get("kind") in POD_KINDS:
            got = pod_spec(o)
            if got is not None:
                out.append(Pod(o, sys_.ns(o), {k: str(v) for k, v in _dict(got[0].get("labels")).items()}, got[1]))
    return out


def selects(sel: Any, labels: dict) -> bool:
    """A LabelSelector (matchLabels, matchExpressions) against labels; {} selects everything."""
    if not isinstance(sel, dict):
        return False
    for k, v in _dict(sel.get("matchLabels")).items():
        if labels.get(k) != str(v):
            return False
    for e in _list(sel.get("matchExpressions")):
        e = _dict(e)
        key, op, values = e.get("key"), e.get("operator"), [str(v) for v in _list(e.get("values"))]
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True
