"""Naming and labelling shared by the backends, so all four formats agree."""

from __future__ import annotations

from ..ir.model import IR, Workload

MANAGED_BY = "skyspec"


def selector(ir: IR, w: Workload) -> dict[str, str]:
    """The labels that select a workload's pods (stable across environments: selectors
    of Deployments and StatefulSets are immutable)."""
    return {"app.kubernetes.io/name": w.name, "app.kubernetes.io/part-of": ir.project}


def labels(ir: IR, w: Workload) -> dict[str, str]:
    out = dict(sorted(w.labels.items()))
    out.update(selector(ir, w))
    out["app.kubernetes.io/managed-by"] = MANAGED_BY
    return out


def meta(ir: IR, w: Workload, name: str | None = None, annotations: bool = True) -> dict:
    m: dict = {"name": name or w.name, "namespace": w.namespace, "labels": labels(ir, w)}
    if annotations and w.annotations:
        m["annotations"] = dict(sorted(w.annotations.items()))
    return m
