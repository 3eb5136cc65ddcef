"""Who may do what: the ``ServiceAccount``, ``Role``, ``ClusterRole``, ``NetworkPolicy``
and ``SecurityPolicy`` builders.

A Role binds the service accounts of the workloads it is added to, and a NetworkPolicy
added to a workload selects that workload's pods: they learn of those workloads from
:mod:`skyspec.builders.pods` (``_owners``/``_owner``), never by importing it. Nothing here
compiles or reads a project.
"""

from __future__ import annotations

from ._base import _Doc, _listify, _name_of, _plain, _Tree
from .positions import _here


class ServiceAccount(_Doc):
    KIND = "ServiceAccount"

    def automount_token(self, enabled: bool = True) -> "ServiceAccount":
        return self._set("automount_token", enabled)

    automount_service_account_token = automount_token

    def from_existing(self) -> "ServiceAccount":
        """The ServiceAccount already exists in the cluster (a cloud IAM identity, one a
        controller makes): nothing is generated; pods run as it and Roles bind it."""
        return self._set("existing", True)

    existing = from_existing


_VERB_GROUPS = {
    "read": ["get", "list", "watch"], "view": ["get", "list", "watch"],
    "write": ["create", "update", "patch", "delete"],
    "edit": ["get", "list", "watch", "create", "update", "patch", "delete"],
    "admin": ["*"], "all": ["*"],
}


class Role(_Doc):
    """RBAC rules (``kind: Role``), bound to the service accounts of the workloads it is
    added to (and to any named with ``.bind()``)."""

    KIND = "Role"

    def __init__(self, name: str):
        super().__init__(name)
        self._owners: list[tuple[_Doc, tuple]] = []   # (workload, pos) it was added to

    def add_policy(self, verbs: str | list, resources: str | list, api_group: str | list = "",
                   names: list | None = None) -> "Role":
        """``add_policy("get", "pods")``, ``add_policy(["get", "list"], ["pods", "services"])``,
        ``add_policy("read", "deployments", api_group="apps")``. "read"/"view" mean get, list
        and watch; "write" create, update, patch and delete; "edit" both; "admin"/"all" ``*``."""
        vs: list = []
        for v in ([verbs] if isinstance(verbs, str) else list(verbs)):
            for x in _VERB_GROUPS.get(v, [v]) if isinstance(v, str) else [v]:
                if x not in vs:
                    vs.append(x)
        rule: dict = {}
        groups = [api_group] if isinstance(api_group, str) else list(api_group)
        if groups != [""]:
            rule["api_groups"] = groups
        rule["resources"] = [resources] if isinstance(resources, str) else list(resources)
        if names:
            rule["names"] = list(names)
        rule["verbs"] = vs
        self._t.append(("rules",), _plain(rule, "rules"), _here())
        return self

    add_rule = add_policy

    def bind(self, *service_accounts: str | ServiceAccount) -> "Role":
        """Grant this role to these service accounts."""
        pos = _here()
        for sa in _listify(service_accounts):
            self._t.append(("bind",), _name_of(sa, "bind"), pos)
        return self

    def _document(self, members: set[int]) -> _Tree:
        t = self._t.copy()
        have = list(t.get(("bind",)) or [])
        for w, pos in self._owners:
            if id(w) in members:
                sa = w._account_name()
                if sa is not None and sa not in have:
                    have.append(sa)
                    t.append(("bind",), sa, pos)
        return t


class ClusterRole(Role):
    KIND = "ClusterRole"


class NetworkPolicy(_Doc):
    """Which traffic may reach (or leave) pods: ``kind: NetworkPolicy``. Added to a
    workload, it selects that workload's pods."""

    KIND = "NetworkPolicy"

    def __init__(self, name: str):
        super().__init__(name)
        self._owner: tuple | None = None

    def deny_all(self) -> "NetworkPolicy":
        """Deny all traffic to and from the selected pods except what ``allow_*`` permits."""
        return self._set("deny_all", True)

    def select_app(self, app: "str | _Doc") -> "NetworkPolicy":
        return self._set("select", {"app": _name_of(app, "select_app")})

    def select_labels(self, labels: dict) -> "NetworkPolicy":
        return self._set("select", {"labels": labels})

    def _peer(self, direction: str, peer: dict) -> "NetworkPolicy":
        self._t.append((direction,), _plain(peer, direction), _here())
        return self

    def allow_pods_with_label(self, key: str, value: str) -> "NetworkPolicy":
        """Allow traffic from pods carrying this label. skyspec's pods are labelled
        ``app.kubernetes.io/name: <app>``: ``allow_from_app("api")`` matches them."""
        return self._peer("allow_from", {"labels": {key: value}})

    def allow_from_app(self, app: "str | _Doc") -> "NetworkPolicy":
        return self._peer("allow_from", {"app": _name_of(app, "allow_from_app")})

    def allow_namespace(self, namespace: str) -> "NetworkPolicy":
        return self._peer("allow_from", {"namespace": namespace})

    allow_from_namespace = allow_namespace

    def allow_cidr(self, cidr: str) -> "NetworkPolicy":
        return self._peer("allow_from", {"cidr": cidr})

    allow_from_cidr = allow_cidr

    def allow_to_app(self, app: "str | _Doc") -> "NetworkPolicy":
        return self._peer("allow_to", {"app": _name_of(app, "allow_to_app")})

    def allow_to_pods_with_label(self, key: str, value: str) -> "NetworkPolicy":
        return self._peer("allow_to", {"labels": {key: value}})

    def allow_to_namespace(self, namespace: str) -> "NetworkPolicy":
        return self._peer("allow_to", {"namespace": namespace})

    def allow_to_cidr(self, cidr: str) -> "NetworkPolicy":
        return self._peer("allow_to", {"cidr": cidr})

    def ports(self, *ports: int) -> "NetworkPolicy":
        """Limit the allowed traffic to these ports."""
        pos = _here()
        for p in _listify(ports):
            self._t.append(("ports",), _plain(p, "ports"), pos)
        return self

    allow_port = ports

    def _document(self, members: set[int]) -> _Tree:
        t = self._t.copy()
        if self._owner is not None and "select" not in t.data:
            w, pos = self._owner
            t.set(("select",), {"app": w.name}, pos)
        return t


class SecurityPolicy(_Doc):
    """Pod Security Standards for the namespace: ``kind: SecurityPolicy``."""

    KIND = "SecurityPolicy"

    def __init__(self, name: str, level: str | None = None):
        super().__init__(name)
        if level is not None:
            self._set("level", level)

    def pod_security_standards(self, level: str, mode: str | None = None) -> "SecurityPolicy":
        """"privileged", "baseline" or "restricted"; mode "enforce" (default), "audit" or "warn"."""
        self._set("level", level)
        if mode is not None:
            self._set("mode", mode)
        return self

    level = pod_security_standards

    def mode(self, mode: str) -> "SecurityPolicy":
        return self._set("mode", mode)
