"""What Kustomize's built-in schema says about the objects it patches and transforms: which
lists it merges item by item when it applies a strategic-merge patch, and which kinds are
cluster-scoped (the namespace transformer leaves them alone).

Kustomize (kyaml's ``merge2``) merges a list item by item only where its built-in OpenAPI
schema marks the field ``x-kubernetes-patch-strategy: merge``, matching items by the
``x-kubernetes-list-map-keys`` (else the ``x-kubernetes-patch-merge-key``); every other list,
and every list of a kind the schema does not know (custom resources, ``autoscaling/v2``), is
replaced whole by the patch's list. The schema is Kubernetes v1.21.2, the one kyaml has
embedded since 2021 (kubectl 1.33's Kustomize v5.6.0 included). This module is that schema
reduced to what matters here: the paths, from each kind it knows, to the merged lists (items
of a list that is replaced are never walked, so nothing below one is listed), and the kinds
it knows to be cluster-scoped (any other kind, custom resources included, is namespaced).

Data only, and :func:`root` / :func:`child` to walk it; it must not guess: a kind or field
missing here is one whose lists are replaced, as Kustomize does.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ...ir import served


class Merged(NamedTuple):
    """A list Kustomize merges by ``keys`` (empty: a list of scalars, merged by value);
    ``item`` is the schema of its items (or None: nothing merged inside them)."""
    keys: tuple[str, ...]
    item: dict | None = None


_META = {"finalizers": Merged(()), "ownerReferences": Merged(("uid",))}
_CONDITIONS = {"conditions": Merged(("type",))}
_CONTAINER = {
    "env": Merged(("name",)),
    "ports": Merged(("containerPort", "protocol")),
    "volumeDevices": Merged(("devicePath",)),
    "volumeMounts": Merged(("mountPath",)),
}
_EPHEMERAL = {k: v for k, v in _CONTAINER.items() if k != "ports"}
_POD_SPEC = {
    "containers": Merged(("name",), _CONTAINER),
    "ephemeralContainers": Merged(("name",), _EPHEMERAL),
    "hostAliases": Merged(("ip",)),
    "imagePullSecrets": Merged(("name",)),
    "initContainers": Merged(("name",), _CONTAINER),
    "topologySpreadConstraints": Merged(("topologyKey", "whenUnsatisfiable")),
    "volumes": Merged(("name",), {"ephemeral": {"volumeClaimTemplate": {"metadata": _META}}}),
}
_TEMPLATE = {"metadata": _META, "spec": _POD_SPEC}
_WORKLOAD = {"metadata": _META, "spec": {"template": _TEMPLATE}, "status": _CONDITIONS}
_CRONJOB = {"metadata": _META, "spec": {"jobTemplate": {"metadata": _META, "spec": {"template": _TEMPLATE}}}}
_WITH_STATUS = {"metadata": _META, "status": _CONDITIONS}
_METADATA_ONLY = {"metadata": _META}

_ROOTS: dict[tuple[str, str], dict] = {
    ("apps/v1", "DaemonSet"): _WORKLOAD,
    ("apps/v1", "Deployment"): _WORKLOAD,
    ("apps/v1", "ReplicaSet"): _WORKLOAD,
    ("apps/v1", "StatefulSet"): _WORKLOAD,     # volumeClaimTemplates is replaced whole
    ("batch/v1", "Job"): _WORKLOAD,
    ("v1", "ReplicationController"): _WORKLOAD,
    ("batch/v1", "CronJob"): _CRONJOB,
    ("batch/v1beta1", "CronJob"): _CRONJOB,
    ("v1", "Pod"): {"metadata": _META, "spec": _POD_SPEC,
                    "status": {"conditions": Merged(("type",)), "podIPs": Merged(("ip",))}},
    ("v1", "PodTemplate"): {"metadata": _META, "template": _TEMPLATE},
    ("v1", "Service"): {"metadata": _META, "spec": {"ports": Merged(("port", "protocol"))},
                        "status": _CONDITIONS},
    ("v1", "ServiceAccount"): {"metadata": _META, "secrets": Merged(("name",))},
    ("v1", "Node"): {"metadata": _META, "spec": {"podCIDRs": Merged(())},
                     "status": {"addresses": Merged(("type",)), "conditions": Merged(("type",))}},
    ("v1", "ComponentStatus"): {"metadata": _META, "conditions": Merged(("type",))},
    ("storage.k8s.io/v1", "CSINode"): {"metadata": _META, "spec": {"drivers": Merged(("name",))}},
    ("storage.k8s.io/v1beta1", "CSINode"): {"metadata": _META, "spec": {"drivers": Merged(("name",))}},
}
for _api in ("admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1beta1"):
    for _kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
        _ROOTS[(_api, _kind)] = {"metadata": _META, "webhooks": Merged(("name",))}
for _api, _kind in (("apiregistration.k8s.io/v1", "APIService"), ("apiregistration.k8s.io/v1beta1", "APIService"),
                    ("policy/v1", "PodDisruptionBudget"), ("policy/v1beta1", "PodDisruptionBudget"),
                    ("v1", "Namespace"), ("v1", "PersistentVolumeClaim")):
    _ROOTS[(_api, _kind)] = _WITH_STATUS
# every other kind the schema knows: only metadata's lists are merged
for _api, _kinds in {
    "apiextensions.k8s.io/v1": "CustomResourceDefinition",
    "apiextensions.k8s.io/v1beta1": "CustomResourceDefinition",
    "apps/v1": "ControllerRevision",
    "authentication.k8s.io/v1": "TokenRequest TokenReview",
    "authentication.k8s.io/v1beta1": "TokenReview",
    "authorization.k8s.io/v1": "LocalSubjectAccessReview SelfSubjectAccessReview SelfSubjectRulesReview "
                               "SubjectAccessReview",
    "authorization.k8s.io/v1beta1": "LocalSubjectAccessReview SelfSubjectAccessReview SelfSubjectRulesReview "
                                    "SubjectAccessReview",
    "autoscaling/v1": "HorizontalPodAutoscaler Scale",
    "autoscaling/v2beta1": "HorizontalPodAutoscaler",
    "autoscaling/v2beta2": "HorizontalPodAutoscaler",
    "certificates.k8s.io/v1": "CertificateSigningRequest",
    "certificates.k8s.io/v1beta1": "CertificateSigningRequest",
    "coordination.k8s.io/v1": "Lease",
    "coordination.k8s.io/v1beta1": "Lease",
    "discovery.k8s.io/v1": "EndpointSlice",
    "discovery.k8s.io/v1beta1": "EndpointSlice",
    "events.k8s.io/v1": "Event",
    "events.k8s.io/v1beta1": "Event",
    "extensions/v1beta1": "Ingress",
    "flowcontrol.apiserver.k8s.io/v1beta1": "FlowSchema PriorityLevelConfiguration",
    "networking.k8s.io/v1": "Ingress IngressClass NetworkPolicy",
    "networking.k8s.io/v1beta1": "Ingress IngressClass",
    "node.k8s.io/v1": "RuntimeClass",
    "node.k8s.io/v1beta1": "RuntimeClass",
    "policy/v1beta1": "Eviction PodSecurityPolicy",
    "rbac.authorization.k8s.io/v1": "ClusterRole ClusterRoleBinding Role RoleBinding",
    "rbac.authorization.k8s.io/v1beta1": "ClusterRole ClusterRoleBinding Role RoleBinding",
    "scheduling.k8s.io/v1": "PriorityClass",
    "scheduling.k8s.io/v1beta1": "PriorityClass",
    "storage.k8s.io/v1": "CSIDriver StorageClass VolumeAttachment",
    "storage.k8s.io/v1beta1": "CSIDriver CSIStorageCapacity StorageClass VolumeAttachment",
    "v1": "Binding ConfigMap Endpoints Event LimitRange PersistentVolume ResourceQuota Secret",
}.items():
    for _kind in _kinds.split():
        _ROOTS[(_api, _kind)] = _METADATA_ONLY


def root(obj: Any) -> dict | None:
    """The schema of a mapping that names its kind (``apiVersion`` and ``kind``), as Kustomize
    looks one up for an object, or for a mapping inside one where it has no schema."""
    if type(obj) is not dict:
        return None
    api, kind = obj.get("apiVersion"), obj.get("kind")
    if type(api) is not str or type(kind) is not str:
        return None
    return _ROOTS.get((api, kind))


def child(schema: dict | None, key: str, value: Any) -> dict | Merged | None:
    """The schema of ``value`` under ``key`` of a mapping with ``schema``."""
    got = schema.get(key) if schema is not None else None
    if got is None and type(value) is dict:
        return root(value)
    return got


# The kinds the schema knows to be cluster-scoped (the IR's table: the Kubernetes output names
# no namespace on them either).
CLUSTER_SCOPED = served.CLUSTER_SCOPED
