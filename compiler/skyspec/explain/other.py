"""The objects of the specs that are not workloads, traced back: ConfigMaps, ExternalSecrets,
ServiceAccounts, Roles and their bindings, NetworkPolicies written as specs.

:func:`other` is :mod:`.fields`' table for them: each field to the spec values it was
lowered from, or to the rule that wrote it. It only maps paths: it must not read histories
nor format answers.
"""

from __future__ import annotations

from ..ir import why
from ..ir.model import IR
from ..layers.stack import Spec
from . import structure as st
from .fields import KUBE, LOWER, OWNER, ROLE_REF, STORE_KIND, Trace, rule


def other(ir: IR, spec: Spec, kind: str, path: tuple, obj: dict) -> Trace | None:
    t = lambda *paths: Trace(spec, [tuple(p) for p in paths])  # noqa: E731
    if kind == "ConfigMap" and path[:1] == ("data",):
        key = path[1]
        for section in ("data", "files", "json", "yaml"):
            if key in (spec.data.get(section) or {}):
                return t((section, key))
        return None
    if kind == "ExternalSecret":
        ext = spec.data["external"]
        if "secretStoreRef" in path:
            if path[-1] == "name":
                return t(("external", "store"))
            return t(("external", "store_kind")) if "store_kind" in ext else \
                rule(spec, STORE_KIND, why.spec(spec, "external", "store"), why.default(LOWER, "STORE_KIND"))
        if path[-1:] == ("refreshInterval",):
            return t(("external", "refresh"))
        if path[:2] == ("spec", "data"):
            key = obj["spec"]["data"][path[2]]["secretKey"]
            return t(("external", "data", key))
        if path[:2] == ("spec", "target"):
            if "template" in path:
                return t(("type",))
            if path[-1:] == ("creationPolicy",):
                return rule(spec, OWNER, why.spec(spec, "external"), why.default(KUBE, "CREATION_POLICY"))
            return rule(spec, OWNER, why.spec(spec, "external"), st.name_in(spec))
    if kind == "ServiceAccount" and path == ("automountServiceAccountToken",):
        return t(("automount_token",))
    if kind in ("Role", "ClusterRole") and path[:1] == ("rules",):
        return t(("rules", path[1]))
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        if path[:1] == ("subjects",):
            return t(("bind",))
        return rule(spec, ROLE_REF, st.name_in(spec), why.spec(spec, "kind"), why.spec(spec, "bind"))
    if kind == "NetworkPolicy":
        for key, sp in (("podSelector", ("select",)), ("policyTypes", ("deny_all",)), ("from", ("allow_from",)),
                        ("to", ("allow_to",)), ("ports", ("ports",))):
            if key in path:
                return t(sp)
        return None
    return None
