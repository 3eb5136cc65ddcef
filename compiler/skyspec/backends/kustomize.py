"""Kustomize backend: one base with what every environment shares, one overlay per
environment with only its differences.

It is built from the Kubernetes backend's objects of each environment, never from the IR
directly, so it covers every kind that backend emits (now or later) and, by construction,
``kubectl kustomize overlays/<env>`` gives exactly the Kubernetes backend's objects for
``<env>``. Layout::

    kustomize/base/kustomization.yaml       resources: the shared objects' files
    kustomize/base/<workload>.yaml          the base version of every object in all envs
    kustomize/overlays/<env>/kustomization.yaml
    kustomize/overlays/<env>/<workload>.yaml   objects that exist only in some envs

**The base.** An object (identified by apiVersion, kind and name; plus namespace when a
name repeats inside one environment) goes to the base when every environment has it. Its
base version is merged field by field from the environments' versions: at each mapping the
most common *key set* wins, at each list of named items (containers, env, ports...) the most
common *name sequence* wins, and every other value is the most common one. Ties go to the
environment whose whole object is most common, then to the earlier environment, the same
way at every field, so fields that change together are taken from the same environment and
each mapping has a shape some environment really has (the base builds and validates on its
own). Objects missing from some environment go to the overlays that have them, in full.

**The overlays** say only what differs, with the narrowest mechanism that is exactly right.
Kustomize applies an overlay's ``patches`` first, then ``namespace``, ``replicas`` and
``images``; the last three set a value on every object they select, so each is used only
when the result is the target for *all* the objects it touches in that overlay (checked
here by simulating the transformer), and patches are computed against the simulated result:

- ``namespace:`` when every object of the environment lives in one namespace that differs
  from the base's, and every kind is one for which the transformer only sets
  ``metadata.namespace`` (not RoleBinding subjects, webhooks, cluster-scoped kinds...);
- ``replicas:`` (selects by name among Deployment, ReplicaSet, ReplicationController and
  StatefulSet, whatever the group) when every object it selects wants that count;
- ``images:`` ``newTag`` when every image of that repository in the whole overlay, in any
  container or init container, wants the same tag, and no other value the transformer may
  write matches the name (Kustomize matches names as a regular expression);
- otherwise JSON 6902 patches, one per object: ``add``/``remove`` for keys on one side only,
  ``replace`` for values, paths escaped per RFC 6901 (``app.kubernetes.io~1name``). A list
  is patched item by item (matched by ``name`` for lists of named items, by value otherwise,
  removing and inserting by index) or replaced whole, whichever carries less (the values
  written plus a fixed charge per operation, so a list is replaced whole only when most of it
  changes). Targets name group, version, kind and name (as an anchored regular expression,
  so dots are escaped), and the namespace when the name alone is ambiguous.

A pure function of its input: the same IRs give the same bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..ir.model import IR
from . import kubernetes
from ..yamlemit import dump, dump_all

API_VERSION = "kustomize.config.k8s.io/v1beta1"
ROOT = "kustomize"

# Kinds the namespace transformer changes only in metadata.namespace.
_NAMESPACE_SAFE_KINDS = frozenset({
    "ConfigMap", "CronJob", "DaemonSet", "Deployment", "HorizontalPodAutoscaler", "Ingress", "Job",
    "LimitRange", "NetworkPolicy", "PersistentVolumeClaim", "Pod", "PodDisruptionBudget", "ReplicaSet",
    "ResourceQuota", "Role", "Secret", "Service", "ServiceAccount", "StatefulSet",
})
# Kinds whose spec.replicas the `replicas:` field sets (Kustomize's default field specs).
_REPLICA_KINDS = frozenset({"Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"})
# Fields under which the images transformer rewrites `image` of every list item.
_IMAGE_LISTS = frozenset({"containers", "initContainers"})
# Keys whose values the images transformer may write (its field specs end in `image` or
# `image/reference`); a name matching anywhere else under them makes `images:` unsafe.
_IMAGE_KEYS = frozenset({"image", "reference"})
_TAG = re.compile(r"[A-Za-z0-9_.-]+\Z")
_REGEX_META = re.compile(r"([.^$*+?()\[\]{}|\\])")
# File names a resource file must not take (a workload named "kustomization").
_RESERVED = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


def render(irs: dict[str, IR]) -> dict[str, str]:
    """`kustomize/base/...` and `kustomize/overlays/<env>/...` for the given environments."""
    if not irs:
        return {}
    envs = list(irs)
    table = _collect({env: kubernetes.files(ir) for env, ir in irs.items()})
    shared = [o for o in table if len(o.versions) == len(envs)]
    for o in shared:
        o.base = _merge([o.versions[e] for e in _priority(o, envs)])
    _demote_ambiguous(shared, table, envs)

    out: dict[str, str] = {}
    in_base = [o for o in shared if o.base is not None]
    base_files = _group(in_base, lambda o: o.base)
    out[f"{ROOT}/base/kustomization.yaml"] = dump(
        {"apiVersion": API_VERSION, "kind": "Kustomization", "resources": list(base_files)})
    for fname, objs in base_files.items():
        out[f"{ROOT}/base/{fname}"] = dump_all(objs)
    image_cache: dict = {}
    for env in envs:
        out.update(_overlay(env, table, in_base, image_cache))
    return out


# ---------------------------------------------------------------------- objects

@dataclass
class _Obj:
    key: tuple
    fname: str                                     # file name in the Kubernetes output
    versions: dict[str, dict] = field(default_factory=dict)   # env -> the object there
    base: dict | None = None                       # its base version, when in the base


def _meta(obj: dict, key: str) -> Any:
    m = obj.get("metadata")
    return m.get(key) if isinstance(m, dict) else None


def _collect(files: dict[str, dict[str, list[dict]]]) -> list[_Obj]:
    """Every object of every environment, matched across environments, in first-seen order."""
    counts: dict[tuple, int] = {}
    for groups in files.values():
        seen: dict[tuple, int] = {}
        for objs in groups.values():
            for obj in objs:
                t = (obj.get("apiVersion"), obj.get("kind"), _meta(obj, "name"))
                seen[t] = seen.get(t, 0) + 1
        for t, n in seen.items():
            counts[t] = max(counts.get(t, 0), n)
    table: dict[tuple, _Obj] = {}
    for env, groups in files.items():
        for fname, objs in sorted(groups.items()):
            for obj in objs:
                t = (obj.get("apiVersion"), obj.get("kind"), _meta(obj, "name"))
                key = t + ((_meta(obj, "namespace"),) if counts[t] > 1 else ())
                o = table.get(key)
                if o is None:
                    o = table[key] = _Obj(key, _safe_fname(fname))
                o.versions[env] = obj
    return list(table.values())


def _safe_fname(fname: str) -> str:
    # "_" cannot start a workload name (DNS-1123), so this cannot clash with another file
    return f"_{fname}" if fname in _RESERVED else fname


def _group(objs: list[_Obj], version) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for o in objs:
        groups.setdefault(o.fname, []).append(version(o))
    return groups


# ---------------------------------------------------------------------- the base version

def _canon(v: Any) -> str:
    return json.dumps(v, sort_keys=True, separators=(",", ":"))


def _priority(o: _Obj, envs: list[str]) -> list[str]:
    """Environments in the order ties are broken: the most common whole object first."""
    v = o.versions
    count = {e: sum(v[e] is v[f] or _same(v[e], v[f]) for f in envs) for e in envs}
    return sorted(envs, key=lambda e: (-count[e], envs.index(e)))


def _most_common(keys: list) -> int:
    """Index of the first value of the most common key (ties: the earliest)."""
    tally: dict = {}
    first: dict = {}
    for i, k in enumerate(keys):
        tally[k] = tally.get(k, 0) + 1
        first.setdefault(k, i)
    best = max(tally, key=lambda k: (tally[k], -first[k]))
    return first[best]


def _named(v: Any) -> bool:
    """A list of mappings with distinct string `name`s (containers, env, ports...)."""
    if not isinstance(v, list):
        return False
    names = [x.get("name") if isinstance(x, dict) else None for x in v]
    return all(isinstance(n, str) for n in names) and len(set(names)) == len(names)


def _merge(values: list) -> Any:
    """The base value of one field, from its values in the environments (priority order).
    Where all agree, the first value itself (shared, never modified) is the result."""
    first = values[0]
    if all(v is first or _same(first, v) for v in values):
        return first
    if all(type(v) is dict for v in values):
        chosen = values[_most_common([frozenset(v) for v in values])]
        return {k: _merge([v[k] for v in values if k in v]) for k in chosen}
    if all(_named(v) for v in values):
        chosen = values[_most_common([tuple(x["name"] for x in v) for v in values])]
        by_name = [{x["name"]: x for x in v} for v in values]
        return [_merge([m[x["name"]] for m in by_name if x["name"] in m]) for x in chosen]
    return values[_most_common([_canon(v) for v in values])]


# ---------------------------------------------------------------------- patch targets

def _gvk(obj: dict) -> tuple[str, str, str]:
    api = obj.get("apiVersion") or ""
    group, _, version = api.rpartition("/")
    return group, version, obj.get("kind") or ""


def _ident(obj: dict) -> tuple:
    return _gvk(obj) + (_meta(obj, "name"), _meta(obj, "namespace"))


def _selects(sel: dict, ident: tuple) -> bool:
    group, version, kind, name, ns = ident
    return ((not sel.get("group") or sel["group"] == group) and sel["version"] == version
            and sel["kind"] == kind and sel["_name"] == name
            and ("_namespace" not in sel or sel["_namespace"] == ns))


def _selectable(pairs) -> dict[tuple, list[tuple[dict, dict]]]:
    """The objects of an overlay as patch targets see them, by (kind, name): pairs of the
    version before the patches and the target."""
    index: dict[tuple, list] = {}
    for pair in pairs:
        keys = {(obj.get("kind"), _meta(obj, "name")) for obj in pair}
        for key in keys:
            index.setdefault(key, []).append(pair)
    return index


def _selector(o: _Obj, index: dict) -> dict | None:
    """The patch target of a base object in an overlay (see :func:`_selectable`): it must
    select that object alone."""
    group, version, kind = _gvk(o.base)
    name = _meta(o.base, "name")
    sel: dict = {"group": group, "version": version, "kind": kind, "_name": name}
    pairs = index.get((kind, name), ())
    if len(pairs) == 1:          # the only object of that kind and name: the object itself
        return sel
    candidates = {(_ident(pre), _ident(post)) for pre, post in pairs}
    for with_ns in (False, True):
        if with_ns:
            sel["_namespace"] = _meta(o.base, "namespace")
        if sum(1 for pre, post in candidates if _selects(sel, pre) or _selects(sel, post)) == 1:
            return sel
    return None


def _target(sel: dict) -> dict:
    out = {"group": sel["group"]} if sel["group"] else {}
    out.update(version=sel["version"], kind=sel["kind"], name=_regex(sel["_name"]))
    if "_namespace" in sel and sel["_namespace"] is not None:
        out["namespace"] = _regex(sel["_namespace"])
    return out


def _regex(s: str) -> str:
    return _REGEX_META.sub(r"\\\1", s)


def _demote_ambiguous(shared: list[_Obj], table: list[_Obj], envs: list[str]) -> None:
    """A shared object that no patch target can single out in some environment (same kind and
    name in another group, say) leaves the base: each overlay then carries it in full."""
    for env in envs:
        index = _selectable([(o.base if o.base is not None else o.versions[env], o.versions[env])
                             for o in table if env in o.versions])
        for o in shared:
            if o.base is not None and _selector(o, index) is None:
                if any(_canon(o.versions[e]) != _canon(o.base) for e in envs):
                    o.base = None


# ---------------------------------------------------------------------- overlays

def _overlay(env: str, table: list[_Obj], in_base: list[_Obj], image_cache: dict) -> dict[str, str]:
    extra = [o for o in table if env in o.versions and o.base is None]
    # [object, its version as the overlay's transformers will leave it, target] for every
    # object here; the simulated transformers replace `pre` (copy on write, never in place)
    items = [[o, o.base, o.versions[env]] for o in in_base]
    items += [[o, o.versions[env], o.versions[env]] for o in extra]
    # what patch targets must tell apart: the objects as patches see them, and as they end
    selectable = _selectable([(pre, post) for _, pre, post in items])

    kust: dict = {"apiVersion": API_VERSION, "kind": "Kustomization"}
    ns = _namespace(items)
    if ns is not None:
        kust["namespace"] = ns
    extra_files = _group(extra, lambda o: o.versions[env])
    kust["resources"] = ["../../base"] + list(extra_files)
    replicas = _replicas(items)
    if replicas:
        kust["replicas"] = replicas
    images = _images(items, image_cache)
    if images:
        kust["images"] = images

    patches = []
    for o, pre, post in items[:len(in_base)]:
        ops: list[dict] = []
        _diff(pre, post, "", ops)
        if ops:
            sel = _selector(o, selectable)
            assert sel is not None, o.key      # ambiguous objects were demoted
            patches.append({"target": _target(sel), "patch": dump(ops).rstrip("\n")})
    if patches:
        kust["patches"] = patches

    base = f"{ROOT}/overlays/{env}"
    out = {f"{base}/kustomization.yaml": dump(kust)}
    for fname, objs in extra_files.items():
        out[f"{base}/{fname}"] = dump_all(objs)
    return out


def _copy(v: Any) -> Any:
    """A deep copy of plain data (faster than copy.deepcopy)."""
    if type(v) is dict:
        return {k: _copy(x) for k, x in v.items()}
    if type(v) is list:
        return [_copy(x) for x in v]
    return v


def _namespace(items: list) -> str | None:
    """`namespace:` when it moves the whole environment into its one namespace (and the base
    versions are updated to what the transformer makes of them)."""
    targets = {_meta(post, "namespace") for _, _, post in items}
    if len(targets) != 1:
        return None
    ns = targets.pop()
    if not isinstance(ns, str) or not ns:
        return None
    if not all(post.get("kind") in _NAMESPACE_SAFE_KINDS and isinstance(pre.get("metadata"), dict)
               for _, pre, post in items):
        return None
    if all(_meta(pre, "namespace") == ns for _, pre, _ in items):
        return None
    for item in items:
        pre = item[1]
        item[1] = {**pre, "metadata": {**pre["metadata"], "namespace": ns}}
    return ns


def _replicas(items: list) -> list[dict]:
    """`replicas:` entries: one per name whose every selected object wants the same count."""
    by_name: dict[str, list] = {}
    for item in items:
        if item[2].get("kind") in _REPLICA_KINDS:
            by_name.setdefault(_meta(item[2], "name"), []).append(item)
    out = []
    for name, selected in by_name.items():
        counts = [post["spec"].get("replicas") if isinstance(post.get("spec"), dict) else None
                  for _, _, post in selected]
        c = counts[0]
        if type(c) is not int or any(type(x) is not int or x != c for x in counts):
            continue
        if not all(isinstance(pre.get("spec", {}), dict) for _, pre, _ in selected):
            continue
        if all(type(pre.get("spec", {}).get("replicas")) is int and pre["spec"]["replicas"] == c
               for _, pre, _ in selected):
            continue
        for item in selected:
            item[1] = {**item[1], "spec": {**item[1].get("spec", {}), "replicas": c}}
        out.append({"name": name, "count": c})
    return out


def _image_fields(v: Any, kind: str, site: bool = False) -> Iterator[tuple[str, bool, dict, str]]:
    """Every string under a key the images transformer writes (``image``, and ``reference`` of
    image volumes): (value, whether it is one we simulate (the ``image`` of an item of a
    ``containers`` or ``initContainers`` list, not in a CRD), its mapping, its key)."""
    if type(v) is dict:
        for k, x in v.items():
            if type(x) is str:
                if k in _IMAGE_KEYS:
                    yield x, site and k == "image", v, k
            elif type(x) in (dict, list):
                in_list = k in _IMAGE_LISTS and kind != "CustomResourceDefinition" and type(x) is list
                yield from _image_fields(x, kind, in_list)
    elif type(v) is list:
        for x in v:
            if type(x) in (dict, list):
                yield from _image_fields(x, kind, site and type(x) is dict)


def _split_image(image: str) -> tuple[str, str] | None:
    """(repository, tag) of a plain `repo:tag` reference (no digest), else None."""
    if "@" in image:
        return None
    i = image.rfind(":")
    if i <= image.rfind("/") or not _TAG.match(image[i + 1:]):
        return None
    repo = image[:i]
    first_slash = repo.find("/")
    if ":" in (repo[first_slash:] if first_slash >= 0 else repo):
        return None
    return repo, image[i + 1:]


def _images_in(obj: dict, cache: dict) -> list[tuple[str, bool]]:
    got = cache.get(id(obj))
    if got is None or got[0] is not obj:
        got = cache[id(obj)] = (obj, [(v, site) for v, site, _, _ in _image_fields(obj, obj.get("kind") or "")])
    return got[1]


def _images(items: list, cache: dict) -> list[dict]:
    """`images:` entries (newTag) that give exactly the target image everywhere they apply.
    ``cache`` keeps each object's image fields across overlays (keyed by identity)."""
    fields = []                   # (value, simulated site?, item index, "pre" | "post")
    candidates: dict[str, None] = {}
    for n, (_, pre, post) in enumerate(items):
        before = [(v, site, n, "pre") for v, site in _images_in(pre, cache)]
        after = [(v, site, n, "post") for v, site in _images_in(post, cache)]
        fields += before + after
        old = {f[0] for f in before}
        for value, site, *_ in after:
            split = _split_image(value) if site and value not in old else None
            if split:
                candidates[split[0]] = None
    out = []
    rewrite: dict[str, str] = {}              # image before -> image after
    touched: set[int] = set()                 # items whose images change
    for repo in candidates:
        try:
            # as Kustomize does: the name is used as a regular expression, unescaped
            kustomize_match = re.compile(repo + r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?\Z")
        except re.error:
            continue
        hits = [f for f in fields if kustomize_match.match(f[0])]
        exact = all(site and (v == repo or (v.startswith(repo + ":") and _TAG.match(v[len(repo) + 1:])))
                    for v, site, *_ in hits)
        wanted = {f[0] for f in hits if f[3] == "post"}
        if not exact or len(wanted) != 1:
            continue
        want = wanted.pop()
        if want == repo:
            continue
        before = [f for f in hits if f[3] == "pre"]
        if all(f[0] == want for f in before):
            continue
        for old, _, n, _ in before:
            rewrite[old] = want
            touched.add(n)
        out.append({"name": repo, "newTag": want[len(repo) + 1:]})
    for n in sorted(touched):
        pre = items[n][1] = _copy(items[n][1])
        for value, site, holder, key in _image_fields(pre, pre.get("kind") or ""):
            if site and value in rewrite:
                holder[key] = rewrite[value]
    return sorted(out, key=lambda i: i["name"])


# ---------------------------------------------------------------------- JSON 6902

def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _token(k: Any) -> str:
    return str(k).replace("~", "~0").replace("/", "~1")


def _diff(a: Any, b: Any, path: str, ops: list[dict]) -> None:
    """Append the JSON patch operations that turn ``a`` into ``b`` (at ``path``)."""
    if a is b:
        return
    if type(a) is dict and type(b) is dict:
        for k in a:
            if k not in b:
                ops.append({"op": "remove", "path": f"{path}/{_token(k)}"})
        for k, v in b.items():
            if k not in a:
                ops.append({"op": "add", "path": f"{path}/{_token(k)}", "value": v})
            else:
                _diff(a[k], v, f"{path}/{_token(k)}", ops)
        return
    if _same(a, b):
        return
    replace = [{"op": "replace", "path": path, "value": b}]
    if type(a) is list and type(b) is list and path:
        # the cheapest of: items matched by name (or value), items paired by index, the whole list
        if _named(a) and _named(b):
            keys = [x["name"] for x in a], [x["name"] for x in b]
        else:
            keys = [_canon(x) for x in a], [_canon(x) for x in b]
        pairs = _lcs(*keys)
        candidates = [_diff_list(a, b, path, pairs)]
        by_index = [(i, i) for i in range(min(len(a), len(b)))]
        if by_index != pairs:
            candidates.append(_diff_list(a, b, path, by_index))
        ops.extend(min(candidates + [replace], key=_cost))
        return
    ops.extend(replace)


_OP_COST = 16


def _cost(ops: list[dict]) -> int:
    """How much a reader must take in: the values the operations carry, plus a fixed charge per
    operation (paths are not counted: long paths into a kept structure are what we want)."""
    return sum(_OP_COST + (len(_canon(op["value"])) if "value" in op else 0) for op in ops)


def _diff_list(a: list, b: list, path: str, pairs: list[tuple[int, int]]) -> list[dict]:
    """The operations that keep the ``pairs`` (ascending index pairs) and patch them: remove the
    other items of ``a`` (from the end), insert the other items of ``b`` (from the front), then
    patch the kept items, which by then sit at their indices in ``b``."""
    ops: list[dict] = []
    kept_a = {i for i, _ in pairs}
    kept_b = {j for _, j in pairs}
    for i in reversed(range(len(a))):
        if i not in kept_a:
            ops.append({"op": "remove", "path": f"{path}/{i}"})
    for j in range(len(b)):
        if j not in kept_b:
            ops.append({"op": "add", "path": f"{path}/{j}", "value": b[j]})
    for i, j in pairs:
        _diff(a[i], b[j], f"{path}/{j}", ops)
    return ops


def _lcs(a: list, b: list) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence of ``a`` and ``b``."""
    lo = 0
    while lo < len(a) and lo < len(b) and a[lo] == b[lo]:
        lo += 1
    ea, eb = len(a), len(b)
    while ea > lo and eb > lo and a[ea - 1] == b[eb - 1]:
        ea, eb = ea - 1, eb - 1
    ma, mb = a[lo:ea], b[lo:eb]
    n, m = len(ma), len(mb)
    t = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            t[i][j] = t[i + 1][j + 1] + 1 if ma[i] == mb[j] else max(t[i + 1][j], t[i][j + 1])
    pairs = [(k, k) for k in range(lo)]
    i = j = 0
    while i < n and j < m:
        if ma[i] == mb[j]:
            pairs.append((lo + i, lo + j))
            i, j = i + 1, j + 1
        elif t[i + 1][j] >= t[i][j + 1]:
            i += 1
        else:
            j += 1
    pairs += [(ea + k, eb + k) for k in range(len(a) - ea)]
    return pairs
