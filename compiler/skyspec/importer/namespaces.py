"""The namespace an import's objects live in: the one most of them name; for objects that
name none, where their bindings, webhooks and APIServices say they are (an install file
applied with `kubectl apply -n NS`); else `default`."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from .emit import scalar

HOME: ContextVar[str | None] = ContextVar("HOME", default=None)
"""The project's namespace when one import reads several renderings (:func:`skyspec.importer.
import_environments`): each rendering's objects are then said against the namespace of all."""


def namespace_of(objs: list[dict]) -> str:
    """The import's namespace: :data:`HOME` when set, else the one most of ``objs`` name
    (the first in order of those named as often), else `default`."""
    home = HOME.get()
    if home is not None:
        return home
    return named(objs) or "default"


def named(objs: list[dict]) -> str | None:
    """The namespace most of ``objs`` name (or their bindings mean, :func:`_meant`), the first
    in order of those named as often; None when they name none."""
    seen = [o["metadata"].get("namespace") for o in objs if o["metadata"].get("namespace")] or _meant(objs)
    return max(sorted(set(seen)), key=seen.count) if seen else None


@contextmanager
def at_home(namespace: str) -> Iterator[None]:
    """:data:`HOME` is ``namespace`` within: one rendering's objects are said against it."""
    token = HOME.set(namespace)
    try:
        yield
    finally:
        HOME.reset(token)


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


def homes(renderings: dict[str, list[dict]], home: str) -> dict[str, str]:
    """{environment: its namespace}: the one every namespaced object of its rendering is in
    (a Kustomize overlay's `namespace:`), else the project's ``home``. Such an environment
    (podinfo's staging and production overlays beside dev, flagger's `kustomize/contour` in
    projectcontour beside `kustomize/kubernetes` in flagger-system) is built in its namespace,
    with its default deny and the namespace's policy. Said by each object's `namespace:`
    instead, those two stayed in the project's namespace, which that environment need not
    create (`kubectl apply` failed on them), and nothing admitted the calls between its pods
    that no env value shows (flagger's to its Prometheus)."""
    from ..ir.lower import CLUSTER_KINDS

    out = {}
    for env, objs in renderings.items():
        seen = {o["metadata"].get("namespace") for o in objs if o["kind"] not in CLUSTER_KINDS}
        out[env] = next(iter(seen)) if len(seen) == 1 and None not in seen and "" not in seen else home
    return out


def entry(namespace: str, project: str) -> str:
    """An environment's `namespace: ...` in the project file, when not the project's."""
    return f"namespace: {scalar(namespace)}, " if namespace != project else ""
