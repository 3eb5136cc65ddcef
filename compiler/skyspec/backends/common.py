"""Naming and labelling shared by the backends, so all four formats agree; and the scope
within which what a backend derives from an IR is made once for every reader (:func:`sharing`).
Nothing here renders."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

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


_SHARED: ContextVar[dict | None] = ContextVar("skyspec_backends_shared", default=None)


@contextmanager
def sharing():
    """Within this, each IR's files are made and each workload lowered once for every reader
    (this backend, its check, Helm, Kustomize: :func:`skyspec.pipeline.render` opens it), the
    objects shared: a reader must not change them (Helm and Kustomize copy what they change),
    and the IRs must not change (rendering never changes one). Nothing is kept past it: an
    IR changed afterwards is lowered anew."""
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared(ir: IR) -> dict | None:
    """The memo of ``ir`` within :func:`sharing` (None outside): 'files', and id(workload) ->
    (workload, its objects). It holds the IR, so no other object takes its id meanwhile."""
    memo = _SHARED.get()
    if memo is None:
        return None
    got = memo.get(id(ir))
    if got is None:
        got = memo[id(ir)] = (ir, {})
    return got[1]
