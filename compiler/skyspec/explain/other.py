"""The objects of the specs that are not workloads, traced back: ConfigMaps, ExternalSecrets,
ServiceAccounts, Roles and their bindings, NetworkPolicies written as specs.

:func:`other` is :mod:`.fields`' table for them: each field to the spec values it was
lowered from, or to the rule that wrote it. It only maps paths: it must not read histories
nor format answers.
"""

from __future__ import annotations

from ..ir import why
from ..ir.model import IR
from ..ir.why import Rule
from ..layers.stack import Spec
from . import structure as st
from .fields import KUBE, LOWER, OWNER, ROLE_REF, STORE_KIND, Trace, rule

_SECTIONS = ("data", "files", "json", "yaml")   # a ConfigMap spec's sections, each lowered into `data`
NO_DATA = Rule("k8s.config-data", "a ConfigMap holds the keys of its `data`, `files`, `json` and `yaml`, and this "
                                  "one sets none of them")
SELECTS_ALL = Rule("k8s.every-pod", "a NetworkPolicy without `select` applies to every pod of its namespace")
ISOLATION = Rule("k8s.policy-types", "a NetworkPolicy isolates ingress when it denies all or allows `allow_from`, "
                                     "egress when it denies all or allows `allow_to`, else ingress")


def other(ir: IR, spec: Spec, kind: str, path: tuple, obj: dict) -> Trace | None:
    t = lambda *paths: Trace(spec, [tuple(p) for p in paths])  # noqa: E731
    if kind == "ConfigMap" and path[:1] == ("data",):
        if len(path) == 1:  # the whole map, empty: the sections that hold nothing
            held = [(section,) for section in _SECTIONS if section in spec.data]
            return t(*held) if held else rule(spec, NO_DATA, why.spec(spec, "kind"))
        key = path[1]
        for section in _SECTIONS:
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
        if path == ("spec", "data"):  # (empty: the store's keys the spec names, none)
            return t(("external", "data") if "data" in ext else ("external",))
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
        d = spec.data
        if path[:2] in (("spec", "ingress"), ("spec", "egress")) and len(path) > 3:
            # a rule's peers, then its ports (a peer's own `podSelector` is not the policy's)
            return t({"from": ("allow_from",), "to": ("allow_to",)}.get(path[3], ("ports",)))
        if path[:2] == ("spec", "podSelector"):
            return t(("select",)) if d.get("select") else rule(spec, SELECTS_ALL, why.spec(spec, "kind"),
                                                                 why.default(KUBE, "EVERY_POD"))
        if path[:2] == ("spec", "policyTypes"):
            made = [why.spec(spec, k) for k in ("deny_all", "allow_from", "allow_to") if d.get(k)]
            return rule(spec, ISOLATION, *(made or [why.default(KUBE, "POLICY_TYPES")]))
        return None
    return None
