"""A container's fields as the spec language says them, for the Kubernetes importer: its
resources, the fields a `valueFrom` reads that `downward:` and `configs:` say, its security context. Pure
functions of one container (and its pod's security context); they must not look at other
objects.
"""

from __future__ import annotations

import re

from ..schema.fields import OBJECT_KEY, downward_field

NAME = re.compile(r"^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$")   # a DNS-1123 label: a spec's name

# spec key of each (part, resource) of a container's `resources`
_RESOURCES = (("requests", "cpu", "cpu"), ("requests", "memory", "memory"),
              ("limits", "cpu", "cpu_limit"), ("limits", "memory", "memory_limit"))


def resources_of(r: dict) -> dict:
    """`resources:` of a container's requests and limits. A limit without a request is also
    the request, as Kubernetes makes it when it admits the pod (else the sizing pass would
    request the profile's size, which may be above the limit, and the pod would not be the
    Guaranteed one the input is)."""
    out = {}
    for part, key, spec_key in _RESOURCES:
        v = (r.get(part) or {}).get(key)
        if v is None and part == "requests":
            v = (r.get("limits") or {}).get(key)
        if v is not None:
            out[spec_key] = str(v)
    return out


def downward_of(vf: dict, container: str | None) -> str | None:
    """The field a `valueFrom` reads that `downward:` says: a `fieldRef` of API version v1 (or
    none), a `resourceFieldRef` of this container without a divisor (or divisor 1); None for
    the others (another container's resources, a divisor, a field Kubernetes refuses), which
    the round trip keeps as a patch."""
    if set(vf) == {"fieldRef"} and isinstance(vf["fieldRef"], dict) \
            and set(vf["fieldRef"]) <= {"apiVersion", "fieldPath"} and vf["fieldRef"].get("apiVersion", "v1") == "v1":
        field = vf["fieldRef"].get("fieldPath")
    elif set(vf) == {"resourceFieldRef"} and isinstance(vf["resourceFieldRef"], dict) \
            and set(vf["resourceFieldRef"]) <= {"resource", "divisor", "containerName"} \
            and str(vf["resourceFieldRef"].get("divisor", "1")) == "1" \
            and vf["resourceFieldRef"].get("containerName", container) == container:
        field = vf["resourceFieldRef"].get("resource")
        if not isinstance(field, str) or not field.startswith(("limits.", "requests.")):
            return None
    else:
        return None
    return field if downward_field(field) else None


def security_of(c: dict, pod: dict) -> dict:
    """`security:` of a container's (and its pod's) securityContext. `runAsNonRoot` without a
    UID runs the image's own USER, which the kubelet checks is non-root: `run_as_user: image`
    keeps it (Argo CD's repo-server as UID 10001 had no /etc/passwd entry, and git over SSH
    failed: "No user exists for uid 10001")."""
    out: dict = {}
    uid = c.get("runAsUser", pod.get("runAsUser"))
    non_root = c.get("runAsNonRoot", pod.get("runAsNonRoot"))
    if uid == 0 or non_root is False:
        out["run_as_root"] = True
    if uid is None and non_root is True:
        out["run_as_user"] = "image"
    if uid not in (None, 10001):
        out["run_as_user"] = uid
    gid = c.get("runAsGroup", pod.get("runAsGroup"))
    if gid not in (None, 10001):
        out["run_as_group"] = gid
    if pod.get("fsGroup") not in (None, 10001):
        out["fs_group"] = pod["fsGroup"]
    if c.get("readOnlyRootFilesystem") is False:
        out["writable_root_fs"] = True
    if c.get("allowPrivilegeEscalation") is True:
        out["privilege_escalation"] = True
    add = (c.get("capabilities") or {}).get("add")
    if add:
        out["add_capabilities"] = [str(a).upper() for a in add]
    return out


_CONFIG_KEY = re.compile(OBJECT_KEY)


def config_ref(value_from: dict) -> dict | None:
    """`configs:`'s entry for an env `valueFrom` reading a ConfigMap's key; None for anything
    else, or what the language's names cannot say (kept by the round trip's patch)."""
    r = value_from.get("configMapKeyRef") if set(value_from) == {"configMapKeyRef"} else None
    if not isinstance(r, dict) or set(r) - {"name", "key", "optional"} or not isinstance(r.get("name"), str) \
            or not NAME.match(r["name"]) or not isinstance(r.get("key"), str) or not _CONFIG_KEY.match(r["key"]) \
            or not isinstance(r.get("optional", False), bool):
        return None
    return {"config": r["name"], "key": r["key"], **({"optional": True} if r.get("optional") else {})}


def said_volume(source: dict) -> dict:
    """A ConfigMap or Secret volume source without what Kubernetes fills in when it is not
    said (`defaultMode: 420`, 0644, as Helm charts write it; `optional: false`): what is
    left is what the language must say."""
    return {k: v for k, v in source.items() if not (k == "defaultMode" and v == 420 and not isinstance(v, bool))
            and not (k == "optional" and v is False)}
