"""GitOps files for the project's `targets:` (the clusters), under `gitops/`: an Argo CD
`ApplicationSet` and, for Flux, one folder per cluster with a `GitRepository` and one
`Kustomization` per environment bound to that cluster. They point at the committed output
of the other formats in the repository named by the project file's
`gitops: {repo, revision, path}` (`path`: where the output folder sits in the repository).

A pure function of what it is given (the project's name, its `gitops:` settings, its output
formats and its target units), never of which environments a build compiled: every build
writes the same bytes, so the files are shared output. It must not read files or the IR.

Files::

    gitops/argocd/applicationset.yaml   one Application per target unit (list generator)
    gitops/flux/<target>/source.yaml    GitRepository `<project>` (namespace flux-system)
    gitops/flux/<target>/<env>.yaml     Kustomization `<project>-<env>`

Argo CD points each Application at, by the first of the project's `outputs:` that has it:
the Kustomize overlay `kustomize/overlays/<env>.<target>`, the Helm chart with
`values-<env>.<target>.yaml`, or the plain manifests `<env>.<target>/kubernetes`; its
destination is the cluster registered in Argo CD under the target's name. Flux reads a
Kustomize overlay or plain manifests (a Helm-only project gets no Flux files); each
cluster's Flux is bootstrapped with `--path=<path>/gitops/flux/<target>`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from ..yamlemit import dump
from .common import MANAGED_BY

ARGOCD_NAMESPACE = "argocd"
FLUX_NAMESPACE = "flux-system"
_COMMIT = re.compile(r"[0-9a-f]{40}\Z")


@dataclass(frozen=True)
class Unit:
    """One environment bound to one target cluster."""

    env: str
    target: str
    namespace: str

    @property
    def key(self) -> str:
        return f"{self.env}.{self.target}"


def render(project: str, settings: dict, outputs: list[str], units: list[Unit]) -> dict[str, str]:
    """`gitops/...` for ``units`` (empty when there is none)."""
    if not units:
        return {}
    out: dict[str, str] = {}
    source = next((f for f in ("kustomize", "helm", "kubernetes") if f in outputs), None)
    if source is not None:
        out["gitops/argocd/applicationset.yaml"] = dump(application_set(project, settings, source, units))
    flux_source = next((f for f in ("kustomize", "kubernetes") if f in outputs), None)
    if flux_source is not None:
        for target in dict.fromkeys(u.target for u in units):
            out[f"gitops/flux/{target}/source.yaml"] = dump(git_repository(project, settings))
            for u in (u for u in units if u.target == target):
                out[f"gitops/flux/{target}/{u.env}.yaml"] = dump(kustomization(project, settings, flux_source, u))
    return out


def _in_repo(settings: dict, *parts: str) -> str:
    """A path in the repository: the output folder's `path`, then ``parts``."""
    return posixpath.normpath(posixpath.join(settings.get("path") or ".", *parts))


def _unit_path(settings: dict, source: str, project: str, unit: Unit) -> str:
    if source == "kustomize":
        return _in_repo(settings, "kustomize", "overlays", unit.key)
    if source == "helm":
        return _in_repo(settings, "helm", project)
    return _in_repo(settings, unit.key, "kubernetes")


def _labels(project: str) -> dict:
    return {"app.kubernetes.io/part-of": project, "app.kubernetes.io/managed-by": MANAGED_BY}


def application_set(project: str, settings: dict, source: str, units: list[Unit]) -> dict:
    elements = [{"cluster": u.target, "env": u.env, "namespace": u.namespace,
                 "path": _unit_path(settings, source, project, u)} for u in units]
    src: dict = {"repoURL": settings["repo"], "targetRevision": settings.get("revision") or "main",
                 "path": "{{.path}}"}
    if source == "helm":
        src["helm"] = {"releaseName": project, "valueFiles": ["values-{{.env}}.{{.cluster}}.yaml"]}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": project, "namespace": ARGOCD_NAMESPACE, "labels": _labels(project)},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"list": {"elements": elements}}],
            "template": {
                "metadata": {"name": f"{project}-{{{{.env}}}}-{{{{.cluster}}}}", "labels": _labels(project)},
                "spec": {
                    "project": settings.get("project") or "default",
                    "source": src,
                    "destination": {"name": "{{.cluster}}", "namespace": "{{.namespace}}"},
                    "syncPolicy": {"automated": {"prune": True, "selfHeal": True},
                                   "syncOptions": ["CreateNamespace=true"]},
                },
            },
        },
    }


def _ref(revision: str) -> dict:
    """A Flux GitRepository `ref` for an Argo CD style revision: a commit, a full ref
    (`refs/tags/v1`), or a branch."""
    if _COMMIT.match(revision):
        return {"commit": revision}
    if revision.startswith("refs/"):
        return {"name": revision}
    return {"branch": revision}


def git_repository(project: str, settings: dict) -> dict:
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": project, "namespace": FLUX_NAMESPACE, "labels": _labels(project)},
        "spec": {"interval": "5m", "url": settings["repo"], "ref": _ref(settings.get("revision") or "main")},
    }


def kustomization(project: str, settings: dict, source: str, unit: Unit) -> dict:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": f"{project}-{unit.env}", "namespace": FLUX_NAMESPACE, "labels": _labels(project)},
        "spec": {
            "interval": "10m",
            "path": "./" + _unit_path(settings, source, project, unit),
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": project},
        },
    }
