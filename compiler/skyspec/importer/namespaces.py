"""The namespace an import's objects live in: the one most of them name; for objects that
name none, where their bindings, webhooks and APIServices say they are (an install file
applied with `kubectl apply -n NS`); else `default`."""

from __future__ import annotations

from contextvars import ContextVar

HOME: ContextVar[str | None] = ContextVar("HOME", default=None)
"""The project's namespace when one import reads several renderings (:func:`skyspec.importer.
import_environments`): each rendering's objects are then said against the namespace of all."""


def namespace_of(objs: list[dict]) -> str:
    """The import's namespace: :data:`HOME` when set, else the one most of ``objs`` name
    (the first in order of those named as often), else `default`."""
    home = HOME.get()
    if home is not None:
        return home
    seen = [o["metadata"].get("namespace") for o in objs if o["metadata"].get("namespace")] or _meant(objs)
    return max(sorted(set(seen)), key=seen.count) if seen else "default"


def _meant(objs: list[dict]) -> list[str]:
    """For objects that name no namespace (argo-cd's install.yaml, applied with `kubectl
    apply -n argocd`): the namespaces where their bindings, webhooks and APIServices say
    their own ServiceAccounts and Services are. Put in `default`, the controllers' accounts
    would not be the bindings' subjects, and the webhooks would call no Service."""
    own = {(o["kind"], o["metadata"].get("name")) for o in objs if o["kind"] in ("ServiceAccount", "Service")}
    out = []
    for o in objs:
        refs = []
        if o["kind"] in ("RoleBinding", "ClusterRoleBinding"):
            refs = [("ServiceAccount", s) for s in o.get("subjects") or [] if isinstance(s, dict)
                    and s.get("kind") == "ServiceAccount"]
        elif o["kind"] in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
            refs = [("Service", (w.get("clientConfig") or {}).get("service")) for w in o.get("webhooks") or []
                    if isinstance(w, dict) and isinstance(w.get("clientConfig"), dict)]
        elif o["kind"] == "APIService":
            refs = [("Service", (o.get("spec") or {}).get("service"))]
        out += [r["namespace"] for kind, r in refs if isinstance(r, dict) and isinstance(r.get("namespace"), str)
                and r["namespace"] and (kind, r.get("name")) in own]
    return out
