"""Kustomize backend: a base that is one environment, Components for the objects only some
environments have, and one overlay per environment holding its differences as Kustomize
users write them. Layout::

    kustomize/base/kustomization.yaml            resources: the base environment's files
    kustomize/base/<workload>.yaml               exactly its Kubernetes output
    kustomize/components/<workload>/             kind: Component, the objects of a workload
                                                 that the base lacks, for the overlays that add them
    kustomize/overlays/<env>/kustomization.yaml  resources ../../base, its components,
                                                 transformers, patches
    kustomize/overlays/<env>/<kind>-<name>.yaml  a strategic-merge patch per changed object
    kustomize/overlays/<env>.<target>/           a target: resources ../<env>, and what differs

It is built from the Kubernetes backend's objects of each environment, never from the IR, so
it covers every kind that backend emits, and ``kubectl kustomize overlays/<env>`` gives exactly
the Kubernetes backend's objects for ``<env>`` (tested with the real tool).

**The base** is the base environment (the project's ``base:``, else the first declared): its
files, unchanged, so ``kubectl kustomize base`` is that environment's output. The output does
not depend on which environments a build lists first. **Components**: an object an overlay's
parent (the base, or the environment of a target) lacks comes from
``components/<workload>/``, included by every overlay that adds it (one Component per workload
and set of overlays, named ``<workload>.<overlay>_<overlay>`` when a workload has several; it
holds the version most of them run). **Overlays** say only what
differs, in the order Kustomize applies them: patches, then ``namespace``, ``labels``,
``replicas``, ``images``, then ``transformers``. Each transformer is used only where it gives
exactly the target for every object it touches (:mod:`.transform` simulates them), and the
patches are computed against what they leave: a strategic-merge patch per object, by name
(:mod:`.smp`), ``$patch: delete`` for an object the overlay drops.

JSON 6902 is used in two cases only, both exact and listed in docs/kustomize.md: an object that
moves to another namespace while others of the overlay stay (Kustomize keeps an object's
namespace through a strategic-merge patch, and the namespace transformer moves every object),
and an object no strategic-merge patch can turn into its target (a value set to ``null``, a
merged list with duplicate keys...), which the Kubernetes backend never emits today.

A pure function of its input (the same IRs give the same bytes): it reads no file and writes
none, and never looks at the IR beyond what the Kubernetes backend makes of it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ...ir.model import IR
from ...yamlemit import dump, dump_all
from .. import kubernetes
from . import smp, transform
from .transform import Item, gvk, meta

USES_BASE = True
API_VERSION = "kustomize.config.k8s.io/v1beta1"
COMPONENT_API_VERSION = "kustomize.config.k8s.io/v1alpha1"
ROOT = "kustomize"

_REGEX_META = re.compile(r"([.^$*+?()\[\]{}|\\])")
# File names a resource file must not take (a workload named "kustomization").
_RESERVED = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


def with_kubernetes(kube: dict[str, IR], irs: dict[str, IR], base: str) -> tuple[dict[str, str], dict[str, str]]:
    """(the Kubernetes backend's files of ``kube``, which hold ``base``; :func:`render` of
    ``irs``): the base's files are those of ``base``, byte for byte, and are dumped once."""
    got = kubernetes.render(kube)
    at = f"{base}/kubernetes/"
    return got, render(irs, base, {rel[len(at):]: text for rel, text in got.items() if rel.startswith(at)})


def render(irs: dict[str, IR], base: str | None = None, dumped: dict[str, str] | None = None) -> dict[str, str]:
    """`kustomize/base/...`, `kustomize/components/...` and `kustomize/overlays/<env>/...` for
    the given environments (and targets), with ``base`` (default: the first) as the base.
    ``dumped``: the base's Kubernetes texts by file name, when the caller has them."""
    if not irs:
        return {}
    envs = list(irs)
    if base not in irs:
        base = envs[0]
    files = {env: kubernetes.files(ir) for env, ir in irs.items()}
    table = _collect(files)
    parents = {env: _parent(env, irs, base) for env in envs}
    on_env = {env: env != base and _target_of(env, irs) is not None for env in envs}

    out: dict[str, str] = {}
    base_files = {_safe_fname(f): f for f in sorted(files[base])}
    out[f"{ROOT}/base/kustomization.yaml"] = dump(
        {"apiVersion": API_VERSION, "kind": "Kustomization", "resources": list(base_files)})
    for fname, f in base_files.items():   # exactly its Kubernetes files
        text = dumped.get(f) if dumped is not None else None
        out[f"{ROOT}/base/{fname}"] = dump_all(files[base][f]) if text is None else text

    components = _components(table, envs, parents)
    for c in components:
        out[f"{ROOT}/components/{c.name}/kustomization.yaml"] = dump(
            {"apiVersion": COMPONENT_API_VERSION, "kind": "Component", "resources": [c.fname]})
        out[f"{ROOT}/components/{c.name}/{c.fname}"] = dump_all([o.versions[c.source] for o in c.objs])
    image_cache: dict = {}
    memo: dict = {}     # what smp found of the objects the overlays share (their parents')
    for env in envs:
        out.update(_overlay(env, parents[env], on_env[env], table, components, image_cache, memo))
    return out


# ---------------------------------------------------------------------- objects

@dataclass
class _Obj:
    key: tuple
    fname: str                                     # file name in the Kubernetes output
    versions: dict[str, dict] = field(default_factory=dict)   # env -> the object there


def _collect(files: dict[str, dict[str, list[dict]]]) -> list[_Obj]:
    """Every object of every environment, matched across environments (by apiVersion, kind
    and name, plus namespace when a name repeats inside one environment), first-seen order."""
    counts: dict[tuple, int] = {}
    named: dict[str, list[tuple]] = {}      # env -> (file, object, its (apiVersion, kind, name))
    for env, groups in files.items():
        seen: dict[tuple, int] = {}
        rows = named[env] = []
        for fname, objs in sorted(groups.items()):
            for obj in objs:
                t = (obj.get("apiVersion"), obj.get("kind"), meta(obj, "name"))
                seen[t] = seen.get(t, 0) + 1
                rows.append((fname, obj, t))
        for t, n in seen.items():
            counts[t] = max(counts.get(t, 0), n)
    table: dict[tuple, _Obj] = {}
    for env, rows in named.items():
        for fname, obj, t in rows:
            key = t + ((meta(obj, "namespace"),) if counts[t] > 1 else ())
            o = table.get(key)
            if o is None:
                o = table[key] = _Obj(key, _safe_fname(fname))
            o.versions[env] = obj
    return list(table.values())


def _safe_fname(fname: str) -> str:
    # "_" cannot start a workload name (DNS-1123), so this cannot clash with another file
    return f"_{fname}" if fname in _RESERVED else fname


def _target_of(env: str, irs: dict) -> str | None:
    """The environment whose target ``env`` is, when that environment is rendered too."""
    ir = irs[env]
    of = getattr(ir, "env", None)
    return of if getattr(ir, "target", None) and of in irs and of != env else None


def _parent(env: str, irs: dict, base: str) -> str | None:
    """What an overlay builds on: nothing for the base, the environment for its targets
    (`prod.eu-west` is prod plus its own changes: resources ../prod), else the base."""
    if env == base:
        return None
    return _target_of(env, irs) or base


# ---------------------------------------------------------------------- components

@dataclass
class _Component:
    name: str
    fname: str
    members: tuple[str, ...]     # the overlays that include it
    objs: list[_Obj]
    source: str = ""             # the environment whose versions it holds


def _components(table: list[_Obj], envs: list[str], parents: dict) -> list[_Component]:
    groups: dict[tuple, _Component] = {}
    for o in table:
        members = tuple(e for e in envs if parents[e] is not None and e in o.versions
                        and parents[e] not in o.versions)
        if members:
            c = groups.get((o.fname, members))
            if c is None:
                c = groups[(o.fname, members)] = _Component("", o.fname, members, [])
            c.objs.append(o)
    stems: dict[str, int] = {}
    for c in groups.values():
        stem = c.fname.rsplit(".", 1)[0] if c.fname.endswith((".yaml", ".yml")) else c.fname
        stems[stem] = stems.get(stem, 0) + 1
        c.name = stem
    for c in groups.values():
        if stems[c.name] > 1:
            c.name = f"{c.name}.{'_'.join(c.members)}"   # (`_` is in no unit's name; a file name may hold it)
        # the members' most common versions (ties: the earlier environment)
        c.source = max(c.members, key=lambda m: (
            sum(smp.same(o.versions[m], o.versions[n]) for o in c.objs for n in c.members),
            -c.members.index(m)))
    return sorted(groups.values(), key=lambda c: c.name)


# ---------------------------------------------------------------------- overlays

def _overlay(env: str, parent: str | None, on_env: bool, table: list[_Obj],
             components: list[_Component], image_cache: dict, memo: dict) -> dict[str, str]:
    where = f"{ROOT}/overlays/{env}"
    kust: dict = {"apiVersion": API_VERSION, "kind": "Kustomization"}
    if parent is None:
        kust["resources"] = ["../../base"]
        return {f"{where}/kustomization.yaml": dump(kust)}
    kust["resources"] = [f"../{parent}" if on_env else "../../base"]
    mine = [c for c in components if env in c.members]
    from_component = {o.key: c.source for c in mine for o in c.objs}
    items = []
    for o in table:
        if env in o.versions:
            src = o.versions[parent] if parent in o.versions else o.versions[from_component[o.key]]
            items.append(Item(o.key, src, src, o.versions[env]))
    dropped = [o.versions[parent] for o in table if parent in o.versions and env not in o.versions]
    if mine:
        kust["components"] = [f"../../components/{c.name}" for c in mine]

    ns = transform.namespace(items)
    if ns is not None:
        kust["namespace"] = ns
    label_entries, label_configs = transform.labels(items)
    if label_entries:
        kust["labels"] = label_entries
    counts = transform.replicas(items)
    if counts:
        kust["replicas"] = counts
    image_entries = transform.images(items, image_cache)
    if image_entries:
        kust["images"] = image_entries

    patch_files: dict[str, dict] = {}
    json_patches: list[dict] = []
    present = _Present([i.orig for i in items if i.orig is not None])
    for obj in dropped:
        patch_files[_patch_name(obj, patch_files)] = {**_identity(obj), smp.DIRECTIVE: "delete"}
    for i in items:
        moved = meta(i.pre, "namespace") != meta(i.post, "namespace")
        try:
            pre = i.pre
            if moved:
                if not isinstance(pre.get("metadata"), dict):
                    raise smp.Inexpressible
                pre = {**pre, "metadata": {**pre["metadata"], "namespace": meta(i.post, "namespace")}}
            body = smp.expressible(pre, i.post, memo)
        except smp.Inexpressible:
            ops: list[dict] = []
            _json6902(i.pre, i.post, "", ops)
            json_patches.append(_json_patch(i.orig, ops, present))
            continue
        if body is not None:
            patch_files[_patch_name(i.orig, patch_files)] = _smp_document(i.orig, body)
        if moved:
            op = "replace" if meta(i.orig, "namespace") is not None else "add"
            json_patches.append(_json_patch(
                i.orig, [{"op": op, "path": "/metadata/namespace", "value": meta(i.post, "namespace")}], present))
    patches = [{"path": name} for name in patch_files] + json_patches
    if patches:
        kust["patches"] = patches
    if label_configs:
        kust["transformers"] = [_transformer_text(c) for c in label_configs]

    out = {f"{where}/kustomization.yaml": dump(kust)}
    for name, doc in patch_files.items():
        out[f"{where}/{name}"] = dump(doc)
    return out


_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9./_-]*\Z")


def _transformer_text(config: dict) -> str:
    """A transformer's configuration, its field specs one per line (``{kind: ..., path: ...}``)."""
    specs = config["fieldSpecs"]
    head = dump({k: v for k, v in config.items() if k != "fieldSpecs"})
    lines = ["fieldSpecs:"]
    for spec in specs:
        parts = [f"{k}: {_flow_scalar(v)}" for k, v in spec.items()]
        lines.append("- {" + ", ".join(parts) + "}")
    return head + "\n".join(lines)


def _flow_scalar(v: Any) -> str:
    if type(v) is bool:
        return "true" if v else "false"
    return v if type(v) is str and _PLAIN.match(v) else json.dumps(v)


def _identity(obj: dict) -> dict:
    m = {"name": meta(obj, "name")}
    if meta(obj, "namespace") is not None:
        m["namespace"] = meta(obj, "namespace")
    return {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "metadata": m}


def _smp_document(orig: dict, body: dict) -> dict:
    """The patch file: the object's identity (as the patch finds it), then what changes."""
    doc = _identity(orig)
    rest = dict(body)
    m = rest.pop("metadata", None)
    if type(m) is dict:
        doc["metadata"].update({k: v for k, v in m.items() if k not in ("name", "namespace")})
    for k in ("apiVersion", "kind"):
        rest.pop(k, None)
    doc.update(rest)
    return doc


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _safe(v: Any) -> str:
    """A value as part of a file name: nothing but letters, digits, '.', '_' and '-' (a name
    a `k8s:` patch sets can hold anything, and must not reach a path as a separator)."""
    return _UNSAFE.sub("_", str(v))[:200]


def _patch_name(obj: dict, taken: dict) -> str:
    """`<kind>-<name>.yaml`, told apart by namespace, then group, when that repeats."""
    group = gvk(obj)[0]
    ns = _safe(meta(obj, "namespace"))
    stem = f"{_safe(obj.get('kind') or 'object').lower()}-{_safe(meta(obj, 'name'))}"
    for extra in ("", f".{ns}", f".{ns}.{_safe(group or 'core')}"):
        name = f"{stem}{extra}.yaml"
        if name not in taken:
            return name
    n = 2
    while f"{stem}.{n}.yaml" in taken:
        n += 1
    return f"{stem}.{n}.yaml"


# ---------------------------------------------------------------------- JSON 6902 (fallback)

def _token(k: Any) -> str:
    return str(k).replace("~", "~0").replace("/", "~1")


def _json6902(a: Any, b: Any, path: str, ops: list[dict]) -> None:
    """The operations that turn ``a`` into ``b``: mappings key by key, anything else whole."""
    if smp.same(a, b):
        return
    if type(a) is dict and type(b) is dict:
        for k in a:
            if k not in b:
                ops.append({"op": "remove", "path": f"{path}/{_token(k)}"})
        for k, v in b.items():
            if k not in a:
                ops.append({"op": "add", "path": f"{path}/{_token(k)}", "value": v})
            else:
                _json6902(a[k], v, f"{path}/{_token(k)}", ops)
        return
    ops.append({"op": "replace", "path": path, "value": b})


def _regex(s: Any) -> str:
    return _REGEX_META.sub(r"\\\1", str(s))


class _Present:
    """The objects an overlay receives, and which (version, kind, name, namespace) an object
    of a named group has among them: indexed once, not scanned once per JSON patch (an
    overlay moving many objects to another namespace made that quadratic)."""

    def __init__(self, objs: list[dict]):
        self.objs = objs
        self._grouped: set | None = None

    def grouped(self, version: str, kind: str, name: Any, ns: Any) -> bool:
        if not (type(name) is str and (ns is None or type(ns) is str)):     # not a plain name: look
            return any(gvk(o)[1:] == (version, kind) and gvk(o)[0] and meta(o, "name") == name
                       and meta(o, "namespace") == ns for o in self.objs)
        if self._grouped is None:           # a str or None is equal to a str or None alone
            self._grouped = set()
            for o in self.objs:
                g, v, k = gvk(o)
                n, s = meta(o, "name"), meta(o, "namespace")
                if g and isinstance(n, str) and (s is None or isinstance(s, str)):
                    self._grouped.add((v, k, n, s))
        return (version, kind, name, ns) in self._grouped


def _json_patch(orig: dict, ops: list[dict], present: _Present) -> dict:
    """A JSON 6902 patch whose target selects ``orig`` alone among the ``present`` objects
    (targets are regular expressions; an empty group selects every group)."""
    group, version, kind = gvk(orig)
    name, ns = meta(orig, "name"), meta(orig, "namespace")
    target: dict = {"group": group} if group else {}
    if not group and present.grouped(version, kind, name, ns):
        target["group"] = "^$"               # the core group alone
    target.update(version=version, kind=kind, name=_regex(name))
    if ns is not None:
        target["namespace"] = _regex(ns)
    return {"target": target, "patch": dump(ops).rstrip("\n")}
