"""rollout: a content hash of every ConfigMap and Secret a pod uses, in its template's
annotations, so that a change of configuration rolls exactly the pods that use it.

ConfigMaps hash their data; Secrets (references only, no data here) hash their declaration
(mode, keys, store and remote keys), so a change of what a secret points to rolls its users.
Annotations: `checksum.skyspec.dev/<configmap|secret>.<name>: <sha256, 16 hex>`.
"""

from __future__ import annotations

import hashlib
import json

from ..ir import why
from ..ir.model import IR, Context

CHECKSUM = why.Rule("rollout.checksum", "a pod's template carries a hash of every ConfigMap and Secret it uses, so a "
                                        "change of them rolls exactly these pods")
_CONTENT = {"config": ("data", "files", "json", "yaml"),
            "secret": ("existing", "external", "keys", "data", "type")}


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


def rollout(ir: IR, ctx: Context) -> IR:
    configs = {c.name: _digest(c.data) for c in ir.configs}
    secrets = {s.name: _digest([s.mode, s.keys, s.store, s.store_kind, s.remote, s.type]) for s in ir.secrets}
    specs = {("config", c.name): c.spec for c in ir.configs} | {("secret", s.name): s.spec for s in ir.secrets}
    made: dict[tuple, why.Why] = {}   # (kind, name, the using path) -> its record, shared by the workloads alike
    for w in ir.workloads:
        used: dict[tuple[str, str], tuple] = {}   # (config|secret, name) -> the spec path that uses it
        for c, at in _containers(w):
            for i, (kind, name, _) in enumerate(c.env_from):
                used.setdefault((kind, name), at + ("env_from", i))
            for e in c.env:
                if e.secret or e.file_ref:
                    used.setdefault(("secret", (e.secret or e.file_ref)[0]), e.origin or at + ("secrets",))
        for v in w.volumes:
            if v.type in ("config", "secret"):
                used.setdefault((v.type, v.source), ("volumes", v.name))
        for kind, name in sorted(used):
            table = configs if kind == "config" else secrets
            if name in table:
                key = f"checksum.skyspec.dev/{'configmap' if kind == 'config' else 'secret'}.{name}"
                w.pod_annotations[key] = table[name]
                at = used[kind, name]
                record = made.get((kind, name, at))
                if record is None:
                    record = made[kind, name, at] = why.Why(CHECKSUM, (
                        why.own(*at, label=f"uses {name}"), *_content(specs.get((kind, name)), kind, name)))
                w.why[f"annotation.{key}"] = record
    return ir


def _containers(w):
    yield w.containers[0], ()
    for c in w.containers[1:]:
        yield c, ("sidecars", c.name)
    for c in w.init_containers:
        yield c, ("init", c.name)


def _content(spec, kind: str, name: str) -> tuple:
    """The spec values the hash of ConfigMap or Secret ``name`` covers."""
    if spec is None:
        return ()
    return tuple(why.spec(spec, k, label=f"the content of {name}") for k in _CONTENT[kind] if k in spec.data)
