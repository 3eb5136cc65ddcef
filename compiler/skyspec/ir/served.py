"""The API versions Kubernetes no longer serves, by kind: a raw manifest (`kind: Resource`) in
one of them builds, and then `kubectl apply` refuses it on any current cluster (and so does
kubernetes-validate). The table is Kubernetes' own deprecation guide: the release that removed
each, and the version that replaced it (None: removed without a successor). And what a raw
manifest may not hold at all: a core Secret's values (:func:`secret_values`), a field its kind
does not have (:mod:`.k8sfields`). This module only holds the table and looks things up; it
must not report.
"""

from __future__ import annotations

from . import k8sfields

_APPS = ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet")
_REMOVED: dict[tuple[str, str], tuple[str, str | None]] = {
    **{("extensions/v1beta1", k): ("1.16", "apps/v1") for k in _APPS},
    **{("apps/v1beta1", k): ("1.16", "apps/v1") for k in _APPS},
    **{("apps/v1beta2", k): ("1.16", "apps/v1") for k in _APPS},
    ("extensions/v1beta1", "NetworkPolicy"): ("1.16", "networking.k8s.io/v1"),
    ("extensions/v1beta1", "Ingress"): ("1.22", "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "Ingress"): ("1.22", "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "IngressClass"): ("1.22", "networking.k8s.io/v1"),
    **{("rbac.authorization.k8s.io/v1beta1", k): ("1.22", "rbac.authorization.k8s.io/v1")
       for k in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")},
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"): ("1.22", "apiextensions.k8s.io/v1"),
    **{("admissionregistration.k8s.io/v1beta1", k): ("1.22", "admissionregistration.k8s.io/v1")
       for k in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")},
    ("apiregistration.k8s.io/v1beta1", "APIService"): ("1.22", "apiregistration.k8s.io/v1"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"): ("1.22", "scheduling.k8s.io/v1"),
    **{("storage.k8s.io/v1beta1", k): ("1.22", "storage.k8s.io/v1")
       for k in ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment")},
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"): ("1.27", "storage.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"): ("1.22", "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", "Lease"): ("1.22", "coordination.k8s.io/v1"),
    ("batch/v1beta1", "CronJob"): ("1.25", "batch/v1"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice"): ("1.25", "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", "Event"): ("1.25", "events.k8s.io/v1"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): ("1.25", "autoscaling/v2"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): ("1.26", "autoscaling/v2"),
    ("policy/v1beta1", "PodDisruptionBudget"): ("1.25", "policy/v1"),
    ("policy/v1beta1", "PodSecurityPolicy"): ("1.25", None),
    ("extensions/v1beta1", "PodSecurityPolicy"): ("1.16", None),
    ("node.k8s.io/v1beta1", "RuntimeClass"): ("1.25", "node.k8s.io/v1"),
    **{("flowcontrol.apiserver.k8s.io/v1beta1", k): ("1.26", "flowcontrol.apiserver.k8s.io/v1")
       for k in ("FlowSchema", "PriorityLevelConfiguration")},
    **{("flowcontrol.apiserver.k8s.io/v1beta2", k): ("1.29", "flowcontrol.apiserver.k8s.io/v1")
       for k in ("FlowSchema", "PriorityLevelConfiguration")},
    **{("flowcontrol.apiserver.k8s.io/v1beta3", k): ("1.32", "flowcontrol.apiserver.k8s.io/v1")
       for k in ("FlowSchema", "PriorityLevelConfiguration")},
}


def removed(api_version: str, kind: str) -> tuple[str, str | None] | None:
    """(the Kubernetes release that stopped serving ``kind`` in ``api_version``, the version
    to write instead, None when there is none), or None when it is still served."""
    return _REMOVED.get((api_version, kind))


def secret_values(name: str, manifest: dict) -> tuple[str, str, str] | None:
    """(field, message, hint) of a raw core Secret (`kind: Resource` whose manifest is one)
    that holds values (`data` or `stringData`), or None: they would be written as they are into
    every output, where `kind: Secret` never writes one (its values are supplied at deploy
    time). The message names the field, never a value."""
    if manifest.get("kind") != "Secret" or manifest.get("apiVersion") != "v1":
        return None
    held = next((k for k in ("data", "stringData") if manifest.get(k)), None)
    if held is None:
        return None
    return (held, f'Resource "{name}": a Secret\'s values ({held}) would be written into every output',
            "declare it as `kind: Secret` with `keys:` (supplied at deploy time), `existing: true` or `external:`")


def refused(name: str, manifest: dict) -> list[tuple[str, str, tuple, str | None, bool]]:
    """What a cluster refuses in the raw manifest of Resource ``name``, as (code, message,
    path in the manifest, hint, at_key: reported at the field's key, not its value): its API
    version no longer served (SKY125), a core Secret's values (SKY119), or else each field its
    kind does not have or whose value is of another type (SKY126)."""
    gone = removed(str(manifest.get("apiVersion")), str(manifest.get("kind")))
    if gone is not None:
        since, instead = gone
        kind = manifest["kind"]
        return [("SKY125", f'{kind} in {manifest["apiVersion"]} is no longer served: Kubernetes {since} removed it',
                 ("apiVersion",), f"write `apiVersion: {instead}` (and check the fields that changed with it)"
                 if instead else "it has no successor: remove it" + (
                     " (Pod Security admission replaces it: a SecurityPolicy document)"
                     if kind == "PodSecurityPolicy" else ""), False)]
    held = secret_values(name, manifest)
    if held is not None:
        return [("SKY119", held[1], (held[0],), held[2], False)]
    return [("SKY126", f'Resource "{name}": {message}', path, hint, at_key)
            for path, message, hint, at_key in k8sfields.problems(manifest.get("apiVersion"), manifest.get("kind"),
                                                                   manifest)]


# (API version, kind) of the built-in kinds that are cluster-scoped: an object of one names no namespace
CLUSTER_SCOPED = frozenset((api, kind) for api, kinds in {
    "admissionregistration.k8s.io/v1": "MutatingWebhookConfiguration ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1beta1": "MutatingWebhookConfiguration ValidatingWebhookConfiguration",
    "apiextensions.k8s.io/v1": "CustomResourceDefinition",
    "apiextensions.k8s.io/v1beta1": "CustomResourceDefinition",
    "apiregistration.k8s.io/v1": "APIService",
    "apiregistration.k8s.io/v1beta1": "APIService",
    "certificates.k8s.io/v1": "CertificateSigningRequest",
    "certificates.k8s.io/v1beta1": "CertificateSigningRequest",
    "flowcontrol.apiserver.k8s.io/v1beta1": "FlowSchema PriorityLevelConfiguration",
    "networking.k8s.io/v1": "IngressClass",
    "networking.k8s.io/v1beta1": "IngressClass",
    "node.k8s.io/v1": "RuntimeClass",
    "node.k8s.io/v1beta1": "RuntimeClass",
    "policy/v1beta1": "PodSecurityPolicy",
    "rbac.authorization.k8s.io/v1": "ClusterRole ClusterRoleBinding",
    "rbac.authorization.k8s.io/v1beta1": "ClusterRole ClusterRoleBinding",
    "scheduling.k8s.io/v1": "PriorityClass",
    "scheduling.k8s.io/v1beta1": "PriorityClass",
    "storage.k8s.io/v1": "CSIDriver CSINode StorageClass VolumeAttachment",
    "storage.k8s.io/v1beta1": "CSIDriver CSINode StorageClass VolumeAttachment",
    "v1": "ComponentStatus Namespace Node NodeProxyOptions PersistentVolume",
}.items() for kind in kinds.split())
