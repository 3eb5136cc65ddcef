"""Naming and labelling shared by the backends, so all four formats agree (file names kept
apart: :class:`FileGroups`); the scope within which what a backend derives from an IR is
made once for every reader (:func:`sharing`); and the type-exact equality of plain data Helm
and Kustomize compare environments with (:func:`same`). Nothing here renders."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

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


class FileGroups(dict):
    """file name -> objects, where a name taken already gets a number (`configmap.settings.2.yaml`):
    an App named `namespace` beside the Namespace's file, or a Resource holding a ConfigMap
    named as a ConfigMap spec (in another namespace), overwrote it, and its objects were lost
    without a word (the system check sees both now, and reports two in one namespace)."""

    def __setitem__(self, name: str, objs: list[dict]) -> None:
        stem, n = name[:-len(".yaml")], 2
        while name in self:
            name, n = f"{stem}.{n}.yaml", n + 1
        super().__setitem__(name, objs)


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


def forget(ir: IR) -> None:
    """Let go of what :func:`sharing` holds for ``ir``, for its last reader: what that reader
    took from it is then freed as it is used (a worker rendering its unit's files)."""
    memo = _SHARED.get()
    if memo is not None:
        memo.pop(id(ir), None)


NESTED = (dict, list)


def same(a: Any, b: Any) -> bool:
    """Equality of plain data that tells 1 from 1.0 and True (what the YAML files hold; Helm's
    values and Kustomize's patches compare with it):
    Python's ``==`` (which stops at the first difference, at C speed), then the walk that
    checks what ``==`` lets pass, the types of the values it found equal."""
    return a is b or (a == b and same_types(a, b))


def same_types(a: Any, b: Any, known: set | None = None) -> bool:
    """Whether ``a`` and ``b``, equal by ``==``, hold values of the same types at the same
    places (``==`` matched every key of one with a key of the other, and every value);
    ``known``: pairs of mappings or lists (by id) already found the same, not walked again."""
    t = type(a)
    if t is not type(b):
        return False
    if t is dict:
        for k, x in a.items():
            y = b[k]
            if x is not y and (type(x) is not type(y) or type(x) in NESTED and not (
                    known is not None and (id(x), id(y)) in known or same_types(x, y, known))):
                return False
    elif t is list:
        for x, y in zip(a, b):
            if x is not y and (type(x) is not type(y) or type(x) in NESTED and not (
                    known is not None and (id(x), id(y)) in known or same_types(x, y, known))):
                return False
    return True
