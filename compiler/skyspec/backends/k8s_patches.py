"""The `k8s:` patches of a build checked before anything is written (SKY124), at their spec
lines: a key for a kind the spec produces in none of the environments built, a list item
without its merge key, an unknown directive, and a field the patched kind does not have or a
value not of its type (:mod:`..ir.k8sfields`). Helm and Kustomize are built from the same
objects, so this checks them too."""

from __future__ import annotations

from ..diagnostics import Diagnostics
from ..ir import k8spatch
from ..ir.model import IR
from ..provenance import shown_at
from .kubernetes import _owned, _patched, lowered, network_policy, role_objects


def check(irs: dict[str, IR], diags: Diagnostics) -> None:
    """Report every problem of the `k8s:` patches of these units' specs, once per line."""
    units = []
    for ir in irs.values():  # what has patches, from a spec (the rest is not lowered here)
        owned = _owned(ir)
        units += [(w.spec, w.k8s, lowered(ir, w, owned)) for w in ir.workloads if w.spec is not None and w.k8s]
        units += [(c.spec, c.k8s, [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": c.name}}])
                  for c in ir.configs if c.spec is not None and c.k8s]
        units += [(a.spec, a.k8s, [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": a.name}}])
                  for a in ir.accounts if a.spec is not None and a.k8s]
        units += [(r.spec, r.k8s, role_objects(ir, r)) for r in ir.roles if r.spec is not None and r.k8s]
        units += [(n.spec, n.k8s, [network_policy(ir, n)]) for n in ir.netpols
                  if n.spec is not None and n.k8s and not n.owner]
    produced: dict[str, set] = {}
    for spec, _, objs in units:
        produced.setdefault(spec.key, set()).update(
            k for o in objs for k in (o["kind"], f'{o["kind"]}/{(o.get("metadata") or {}).get("name")}'))
    seen: set = set()
    for spec, k8s, objs in units:
        problems: list = []
        _patched(objs, k8s, problems)
        problems += k8spatch.unused(k8s, produced[spec.key], spec.name)
        for kind, path, message, hint, *at_key in problems:
            pos = shown_at(spec.prov, ("k8s", kind, *path), key=True) if at_key and at_key[0] else \
                spec.where("k8s", kind, *path)
            if (str(pos), message) not in seen:
                seen.add((str(pos), message))
                diags.error("SKY124", message, pos, hint=hint)
