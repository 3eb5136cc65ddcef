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
        used: dict[tuple[str, str], tuple] = {}   # (config|secret, name) -> where the pod uses it first
        for ci, c in enumerate(w.containers + w.init_containers):
            for i, (kind, name, _) in enumerate(c.env_from):
                if (kind, name) not in used:
                    used[kind, name] = (_ENV_FROM, ci, i)
            for e in c.env:
                if e.secret or e.file_ref or e.config:
                    k = ("config", e.config[0]) if e.config else ("secret", (e.secret or e.file_ref)[0])
                    if k not in used:
                        used[k] = e.origin or (_SECRETS, ci)
        for v in w.volumes:
            if v.type in ("config", "secret") and (v.type, v.source) not in used:
                used[v.type, v.source] = ("volumes", v.name)
        for kind, name in sorted(used):
            table = configs if kind == "config" else secrets
            if name in table:
                key = f"checksum.skyspec.dev/{'configmap' if kind == 'config' else 'secret'}.{name}"
                w.pod_annotations[key] = table[name]
                ref = used[kind, name]
                record = made.get((kind, name, ref))
                if record is None:
                    at = _path(w, ref)
                    record = why.Why(CHECKSUM, (why.own(*at, label=f"uses {name}"),
                                                *_content(specs.get((kind, name)), kind, name)))
                    if at == ref:   # a path of the spec itself: the same for every workload alike
                        made[kind, name, ref] = record
                w.why[f"annotation.{key}"] = record
    return ir


_ENV_FROM, _SECRETS = object(), object()   # where a pod uses a ConfigMap or Secret, before it is a spec path


def _path(w, ref: tuple) -> tuple:
    """The spec path of a use: a volume's or a variable's as they are, `env_from` or
    `secrets` of the container (by index) they belong to."""
    if ref[0] is not _ENV_FROM and ref[0] is not _SECRETS:
        return ref
    c = (w.containers + w.init_containers)[ref[1]]
    at = () if ref[1] == 0 else ("sidecars", c.name) if ref[1] < len(w.containers) else ("init", c.name)
    return at + (("env_from", ref[2]) if ref[0] is _ENV_FROM else ("secrets",))


def _content(spec, kind: str, name: str) -> tuple:
    """The spec values the hash of ConfigMap or Secret ``name`` covers."""
    if spec is None:
        return ()
    return tuple(why.spec(spec, k, label=f"the content of {name}") for k in _CONTENT[kind] if k in spec.data)
