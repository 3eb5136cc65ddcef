"""rollout: a content hash of every ConfigMap and Secret a pod uses, in its template's
annotations, so that a change of configuration rolls exactly the pods that use it.

ConfigMaps hash their data; Secrets (references only, no data here) hash their declaration
(mode, keys, store and remote keys), so a change of what a secret points to rolls its users.
Annotations: `checksum.skyspec.dev/<configmap|secret>.<name>: <sha256, 16 hex>`.
"""

from __future__ import annotations

import hashlib
import json

from ..ir.model import IR, Context


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


def rollout(ir: IR, ctx: Context) -> IR:
    configs = {c.name: _digest(c.data) for c in ir.configs}
    secrets = {s.name: _digest([s.mode, s.keys, s.store, s.store_kind, s.remote, s.type]) for s in ir.secrets}
    for w in ir.workloads:
        used: set[tuple[str, str]] = set()
        for c in w.containers + w.init_containers:
            for kind, name, _ in c.env_from:
                used.add((kind, name))
            for e in c.env:
                if e.secret or e.file_ref:
                    used.add(("secret", (e.secret or e.file_ref)[0]))
        for v in w.volumes:
            if v.type in ("config", "secret"):
                used.add((v.type, v.source))
        for kind, name in sorted(used):
            table = configs if kind == "config" else secrets
            if name in table:
                key = f"checksum.skyspec.dev/{'configmap' if kind == 'config' else 'secret'}.{name}"
                w.pod_annotations[key] = table[name]
    return ir
