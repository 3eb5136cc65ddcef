"""Naming and labelling shared by the backends, so all four formats agree."""

from __future__ import annotations

from ..ir.model import IR, Workload, pod_selector

MANAGED_BY = "skyspec"


def selector(ir: IR, w: Workload) -> dict[str, str]:
    """The labels that select a workload's pods."""
    return pod_selector(ir.project, w.name)


def labels(ir: IR, w: Workload) -> dict[str, str]:
    out = dict(sorted(w.labels.items()))
    out.update(selector(ir, w))
    out["app.kubernetes.io/managed-by"] = MANAGED_BY
    return out

