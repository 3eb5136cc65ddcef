"""The overlay transformers Kustomize applies after the patches: ``namespace``, ``labels``
(or a ``LabelTransformer`` limited to some kinds), ``replicas`` and ``images``.

Each one sets a value on every object (or field) it selects, so each is used only when the
result is the target for *all* of them in the overlay; this module checks that by simulating
the transformer on the overlay's objects (``Item.pre``, replaced copy on write, never changed
in place) and the patches are then computed against what it leaves. What the simulations
know of Kustomize (v5): the namespace transformer's kinds, the label field specs
(``metadata/labels`` of every object, the pod templates of the workload kinds), replicas by
name among Deployment, ReplicaSet, ReplicationController and StatefulSet, and the image
transformer's name matching (a regular expression, unescaped) and rewriting of tag and digest.
Pure functions of plain data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .schema import CLUSTER_SCOPED

# Kinds whose spec.replicas the `replicas:` field sets (Kustomize's default field specs).
_REPLICA_KINDS = frozenset({"Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"})
# The label field specs `labels: {includeTemplates: true}` adds to metadata/labels:
# (group, version, kind) ("" matches any), path ("[]": every item of a list).
_TEMPLATE_SITES = (
    (("", "v1", "ReplicationController"), ("spec", "template", "metadata", "labels")),
    (("", "", "Deployment"), ("spec", "template", "metadata", "labels")),
    (("", "", "ReplicaSet"), ("spec", "template", "metadata", "labels")),
    (("", "", "DaemonSet"), ("spec", "template", "metadata", "labels")),
    (("apps", "", "StatefulSet"), ("spec", "template", "metadata", "labels")),
    (("apps", "", "StatefulSet"), ("spec", "volumeClaimTemplates", "[]", "metadata", "labels")),
    (("batch", "", "Job"), ("spec", "template", "metadata", "labels")),
    (("batch", "", "CronJob"), ("spec", "jobTemplate", "metadata", "labels")),
    (("batch", "", "CronJob"), ("spec", "jobTemplate", "spec", "template", "metadata", "labels")),
)
_META_LABELS = ("metadata", "labels")
# Fields under which the images transformer rewrites `image` of every list item.
_IMAGE_LISTS = frozenset({"containers", "initContainers"})
# Keys whose values the images transformer may write (its field specs end in `image` or
# `image/reference`); a name matching anywhere else under them makes `images:` unsafe.
_IMAGE_KEYS = frozenset({"image", "reference"})
_TAG = re.compile(r"[a-zA-Z0-9_.{}-]*\Z")


@dataclass
class Item:
    """One object of an overlay: ``orig`` as the overlay receives it (from its parent or a
    component), ``pre`` as the simulated transformers leave it, ``post`` the target."""
    key: tuple
    orig: dict
    pre: dict
    post: dict


def meta(obj: dict, key: str) -> Any:
    m = obj.get("metadata")
    return m.get(key) if isinstance(m, dict) else None


def gvk(obj: dict) -> tuple[str, str, str]:
    api, kind = obj.get("apiVersion"), obj.get("kind")
    group, _, version = (api if type(api) is str else "").rpartition("/")
    return group, version, kind if type(kind) is str else ""


def _copy(v: Any) -> Any:
    """A deep copy of plain data (faster than copy.deepcopy)."""
    if type(v) is dict:
        return {k: _copy(x) for k, x in v.items()}
    if type(v) is list:
        return [_copy(x) for x in v]
    return v


# ---------------------------------------------------------------------- namespace

def namespace(items: list[Item]) -> str | None:
    """`namespace:` when it moves every namespaced object of the overlay into its one
    namespace. What Kustomize's transformer does: set ``metadata.namespace`` of every object
    not known to be cluster-scoped (custom resources included), and the namespace of
    (Cluster)RoleBinding subjects named "default"; rename a v1 Namespace and set the service
    namespace of an APIService or a CRD's conversion webhook (then it is not used here)."""
    targets = set()
    for i in items:
        api, kind = i.post.get("apiVersion"), i.post.get("kind")
        if kind in ("APIService", "CustomResourceDefinition") or (api, kind) == ("v1", "Namespace"):
            return None
        if (api, kind) not in CLUSTER_SCOPED:
            targets.add(meta(i.post, "namespace"))
    if len(targets) != 1:
        return None
    ns = targets.pop()
    if type(ns) is not str or not ns:
        return None
    moved = [_moved(i.pre, ns) for i in items]
    if all(m is i.pre for m, i in zip(moved, items)):
        return None
    for m, i in zip(moved, items):
        i.pre = m
    return ns


def _moved(obj: dict, ns: str) -> dict:
    """``obj`` as the namespace transformer leaves it (itself when unchanged)."""
    out = obj
    if (obj.get("apiVersion"), obj.get("kind")) not in CLUSTER_SCOPED and meta(obj, "namespace") != ns:
        m = obj.get("metadata")
        out = {**obj, "metadata": {**(m if type(m) is dict else {}), "namespace": ns}}
    subjects = obj.get("subjects")
    if obj.get("kind") in ("RoleBinding", "ClusterRoleBinding") and type(subjects) is list:
        changed = [{**x, "namespace": ns} if type(x) is dict and x.get("name") == "default" else x for x in subjects]
        if not all(a is b or a == b for a, b in zip(changed, subjects)):
            out = {**out, "subjects": changed}
    return out


# ---------------------------------------------------------------------- labels

def _maps(obj: Any, path: tuple) -> Iterator[Any]:
    """The values at ``path`` (through every item at "[]"); a missing step yields None."""
    if not path:
        yield obj
        return
    step, rest = path[0], path[1:]
    if step == "[]":
        if type(obj) is list:
            for x in obj:
                yield from _maps(x, rest)
        return
    yield from _maps(obj.get(step) if type(obj) is dict else None, rest)


def _at(obj: Any, path: tuple) -> list:
    """``list(_maps(obj, path))``, without a generator for a path through no list."""
    if "[]" in path:
        return list(_maps(obj, path))
    for step in path:
        obj = obj.get(step) if type(obj) is dict else None
    return [obj]


def _set_label(obj: dict, path: tuple, k: str, v: str) -> dict:
    """A copy of ``obj`` with label ``k`` set at ``path`` (creating mappings, as `create: true`)."""
    if not path:
        return {**(obj if type(obj) is dict else {}), k: v}
    step, rest = path[0], path[1:]
    if step == "[]":
        return [_set_label(x, rest, k, v) for x in obj] if type(obj) is list else obj
    base = obj if type(obj) is dict else {}
    return {**base, step: _set_label(base.get(step), rest, k, v)}


def _selects(site: tuple, obj_gvk: tuple[str, str, str]) -> bool:
    """Whether a label site selects an object of group, version and kind ``obj_gvk``."""
    (group, version, kind), _ = site
    g, ver, kd = obj_gvk
    return (not group or group == g) and (not version or version == ver) and (not kind or kind == kd)


def _pairs(m: Any) -> set:
    return {(k, v) for k, v in m.items() if type(k) is str and type(v) is str} if type(m) is dict else set()


def labels(items: list[Item]) -> tuple[list[dict], list[dict]]:
    """(`labels:` entries, `LabelTransformer` configs) for the labels that change on two
    objects or more: `labels:` when the target has the label on every object (and on every
    pod template when the templates change), else a `LabelTransformer` limited to the kinds
    (and template paths) whose every object has it."""
    gvks = [gvk(i.post) for i in items]
    by_kind: dict[str, list[int]] = {}
    for n, t in enumerate(gvks):
        by_kind.setdefault(t[2], []).append(n)
    # the label sites of the overlay's objects (first-seen order), and the objects each selects
    sites: dict[tuple, list[int]] = {}
    for g, _, kind in gvks:
        sites.setdefault(((g, "", kind), _META_LABELS), [])
    meta_sites = list(sites)
    templates: dict[tuple, list[tuple]] = {}      # gvk -> the template sites that select it
    for t in gvks:
        if t not in templates:
            templates[t] = [site for site in _TEMPLATE_SITES if _selects(site, t)]
        g, _, kind = t
        for site in templates[t]:
            sites.setdefault(((g, site[0][1], kind), site[1]), [])
    template_sites = list(sites)[len(meta_sites):]
    for site in sites:
        sites[site] = [n for n in by_kind.get(site[0][2], ()) if _selects(site, gvks[n])]
    # per site: whether every selected target has a label map there, the labels they all
    # have, and, per label, the objects whose version before lacks it where a target has it
    whole: dict[tuple, bool] = {}
    shared: dict[tuple, set | None] = {}          # None: no map there at all (nothing to set)
    needed: dict[tuple, dict[tuple, set]] = {}
    for site, selected in sites.items():
        path = site[1]
        flat = "[]" not in path
        w, sh = True, None
        for n in selected:
            i = items[n]
            if flat:                           # _at, inline: one value each
                m, p = i.post, i.pre
                for step in path:
                    m = m.get(step) if type(m) is dict else None
                    p = p.get(step) if type(p) is dict else None
                posts, pres = (m,), (p,)
            else:
                posts, pres = _at(i.post, path), _at(i.pre, path)
            for j, m in enumerate(posts):
                if type(m) is not dict:
                    w = False                  # the transformer would create the map
                    continue
                got = _pairs(m)
                sh = got if sh is None else sh & got
                if j < len(pres) and (pres[j] is m or pres[j] == m):
                    continue                   # the same labels (== on the strings _pairs keeps)
                before = _pairs(pres[j]) if j < len(pres) else set()
                for pair in sorted(got - before):  # sorted: the transformers' order is the pairs' first-seen
                    # order, which a set's iteration (by the strings' hashes) would make differ per process
                    needed.setdefault(pair, {}).setdefault(site, set()).add(n)
        whole[site], shared[site] = w, sh

    def fits(site: tuple, pair: tuple) -> bool:
        return whole[site] and (shared[site] is None or pair in shared[site])

    plain: dict[bool, dict] = {}
    limited: dict[tuple, dict] = {}
    for pair, where in needed.items():
        fitting = [s for s in where if fits(s, pair)]
        if len({n for s in fitting for n in where[s]}) < 2:
            continue
        templates_change = any(s in where for s in template_sites)
        if all(fits(s, pair) for s in meta_sites) and (
                not templates_change or all(fits(s, pair) for s in template_sites)):
            chosen = meta_sites + (template_sites if templates_change else [])
            plain.setdefault(templates_change, {})[pair[0]] = pair[1]
        else:
            chosen = sorted(fitting, key=_site_order)
            limited.setdefault(tuple(chosen), {})[pair[0]] = pair[1]
        k, v = pair
        for site in chosen:
            path = site[1]
            flat = "[]" not in path
            for n in sites[site]:
                if flat:                       # _at, inline
                    m = items[n].pre
                    for step in path:
                        m = m.get(step) if type(m) is dict else None
                    lacks = type(m) is not dict or m.get(k) != v
                else:
                    lacks = any(type(m) is not dict or m.get(k) != v for m in _at(items[n].pre, path))
                if lacks:
                    items[n].pre = _set_label(items[n].pre, path, k, v)
    entries = []
    for with_templates, found in sorted(plain.items()):
        entry: dict = {"pairs": dict(sorted(found.items()))}
        if with_templates:
            entry["includeTemplates"] = True
        entries.append(entry)
    configs = []
    for n, (chosen, found) in enumerate(limited.items()):
        configs.append({
            "apiVersion": "builtin", "kind": "LabelTransformer",
            "metadata": {"name": "labels" if n == 0 else f"labels-{n + 1}"},
            "labels": dict(sorted(found.items())),
            "fieldSpecs": [_field_spec(s) for s in chosen],
        })
    return entries, configs


def _site_order(site: tuple) -> tuple:
    (group, version, kind), path = site
    return kind, group, version, path


def _field_spec(site: tuple) -> dict:
    (group, version, kind), path = site
    spec = {"kind": kind, "group": group, "version": version}
    spec = {k: x for k, x in spec.items() if x}
    # every item of a list is `field[]`, as Kustomize spells it (`spec/volumeClaimTemplates[]/...`):
    # `[]` as a step of its own is a field of an empty name, which kustomize refuses
    spec.update(path="/".join(path).replace("/[]", "[]"), create=True)
    return spec


# ---------------------------------------------------------------------- replicas

def replicas(items: list[Item]) -> list[dict]:
    """`replicas:` entries: one per name whose every selected object wants the same count."""
    by_name: dict[str, list[Item]] = {}
    for i in items:
        if i.post.get("kind") in _REPLICA_KINDS:
            by_name.setdefault(meta(i.post, "name"), []).append(i)
    out = []
    for name, selected in by_name.items():
        counts = [i.post["spec"].get("replicas") if isinstance(i.post.get("spec"), dict) else None
                  for i in selected]
        c = counts[0]
        if type(c) is not int or any(type(x) is not int or x != c for x in counts):
            continue
        if not all(isinstance(i.pre.get("spec", {}), dict) for i in selected):
            continue
        if all(type(i.pre.get("spec", {}).get("replicas")) is int and i.pre["spec"]["replicas"] == c
               for i in selected):
            continue
        for i in selected:
            i.pre = {**i.pre, "spec": {**i.pre.get("spec", {}), "replicas": c}}
        out.append({"name": name, "count": c})
    return out


# ---------------------------------------------------------------------- images

def _image_fields(obj: dict) -> list[tuple[str, bool, dict, str]]:
    """Every string under a key the images transformer writes (``image``, and ``reference`` of
    image volumes) in object ``obj``: (value, whether it is one we simulate (the ``image`` of
    an item of a ``containers`` or ``initContainers`` list, not in a CRD), its mapping, its key)."""
    out: list = []
    _gather(obj, obj.get("kind") == "CustomResourceDefinition", False, out)
    return out


def _gather(v: Any, crd: bool, site: bool, out: list) -> None:
    if type(v) is dict:
        for k, x in v.items():
            t = type(x)
            if t is str:
                if k in _IMAGE_KEYS:
                    out.append((x, site and k == "image", v, k))
            elif t is dict or t is list:
                _gather(x, crd, t is list and not crd and k in _IMAGE_LISTS, out)
    else:
        for x in v:
            t = type(x)
            if t is dict or t is list:
                _gather(x, crd, site and t is dict, out)


def split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) as Kustomize splits an image reference (its ``image.Split``)."""
    search, offset = image, 0
    slash = image.find("/")
    if slash > 0:
        search, offset = image[slash:], slash
    at, colon = search.find("@"), search.find(":")
    if colon < 0 and at < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        return image[:at + offset], "", image[at + offset + 1:]
    if at >= 0 and colon >= 0:
        return image[:colon + offset], image[colon + offset + 1:at + offset], image[at + offset + 1:]
    return image[:colon + offset], image[colon + offset + 1:], ""


def _rewrite(image: str, entry: dict) -> str:
    """What the images transformer makes of an image it matches (its ``imageTagUpdater``)."""
    name, tag, digest = split_image(image)
    if entry.get("newTag") and entry.get("digest"):
        tag, digest = entry["newTag"], entry["digest"]
    elif entry.get("newTag"):
        tag, digest = entry["newTag"], ""
    elif entry.get("digest"):
        tag, digest = "", entry["digest"]
    return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def _entry(image: str) -> dict | None:
    """The `images:` entry that rewrites any image of its repository into ``image``."""
    name, tag, digest = split_image(image)
    if not tag and not digest:
        return None
    if not _TAG.match(tag) or (digest and not re.fullmatch(r"sha256:[a-zA-Z0-9_.{}-]*", digest)):
        return None
    entry = {"name": name}
    if tag:
        entry["newTag"] = tag
    if digest:
        entry["digest"] = digest
    return entry


def _changed_images(a: Any, b: Any, crd: bool, site: bool, news: list[str], olds: set[str]) -> None:
    """Where ``b`` (a mapping or list of an object after) differs from ``a`` (the same place
    before), in the order of :func:`_gather`: the simulated images of ``b`` (``news``) and
    every image string of ``a`` (``olds``). What is equal in both is left out: an image
    there is one the object had before."""
    if type(b) is dict:
        same_type = type(a) is dict
        for k, x in b.items():
            if same_type and k in a:
                y = a[k]
                if y is x or (type(y) is type(x) and y == x):
                    continue
            else:
                y = None
            t = type(x)
            if t is str:
                if site and k == "image":
                    news.append(x)
                if type(y) is str and k in _IMAGE_KEYS:
                    olds.add(y)
            elif t is dict or t is list:
                _changed_images(y, x, crd, t is list and not crd and k in _IMAGE_LISTS, news, olds)
            if y is not None and type(y) is not str and type(y) is not type(x):
                _gather_strings(y, olds)
        if same_type:
            for k, y in a.items():
                if k not in b:
                    _gather_strings({k: y}, olds)
    elif type(b) is list:
        paired = a if type(a) is list else []
        for n, x in enumerate(b):
            t = type(x)
            if t is dict or t is list:
                y = paired[n] if n < len(paired) else None
                if not (y is x or (type(y) is t and y == x)):
                    _changed_images(y, x, crd, site and t is dict, news, olds)
        _gather_strings(paired[len(b):], olds)
    if type(a) in (dict, list) and type(a) is not type(b):
        _gather_strings(a, olds)


def _gather_strings(v: Any, out: set[str]) -> None:
    """Every image string (under ``image`` or ``reference``) in ``v``."""
    found: list = []
    if type(v) in (dict, list):
        _gather(v, True, False, found)
    out.update(f[0] for f in found)


def _images_in(obj: dict, cache: dict) -> list[tuple[str, bool]]:
    got = cache.get(id(obj))
    if got is None or got[0] is not obj:
        got = cache[id(obj)] = (obj, [(v, site) for v, site, _, _ in _image_fields(obj)])
    return got[1]


_NOT_LITERAL = re.compile(r"[\^$*+?{}\[\]\\|()]")     # in a pattern: all but "." (one character)


_TAG_AND_DIGEST = r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?\Z"
_AFTER_NAME = re.compile(_TAG_AND_DIGEST)


def _matcher(repo: str) -> Callable[[str], bool] | None:
    """Whether an image is one the `images:` entry of ``repo`` rewrites: as Kustomize does, the
    name is a regular expression, unescaped (None: not one). A name with no pattern character
    but "." (any character but a newline) is compared as such, not compiled once more."""
    if _NOT_LITERAL.search(repo):
        try:
            return re.compile(repo + _TAG_AND_DIGEST).match
        except re.error:
            return None
    n = len(repo)
    return lambda v: (len(v) >= n and _AFTER_NAME.match(v, n) is not None
                      and all(a == b or (a == "." and b != "\n") for a, b in zip(repo, v)))


def _may_match(repo: str, values: dict, index: dict[int, dict]) -> Any:
    """The values (keys of ``values``) the images pattern of ``repo`` may match, a superset:
    every one when ``repo`` is a pattern, else those whose first ``len(repo)`` characters
    end in the text after its last "." and are followed by nothing, ":" or "@". Indexed
    (``index``, by the length of that text) so that each repository does not try every value:
    with an image per workload changing, that was quadratic."""
    if _NOT_LITERAL.search(repo):
        return values
    tail = len(repo) - repo.rfind(".") - 1
    table = index.get(tail)
    if table is None:
        table = index[tail] = {}
        for v in values:
            for p in [len(v)] + [n for n, ch in enumerate(v) if ch in ":@"]:
                if p >= tail:
                    table.setdefault((p, v[p - tail:p]), []).append(v)
    return table.get((len(repo), repo[len(repo) - tail:]), ())


def images(items: list[Item], cache: dict) -> list[dict]:
    """`images:` entries (newTag and/or digest) that give exactly the target image everywhere
    they apply. ``cache`` keeps each object's image fields across overlays (by identity).

    Only an object that changes can ask for an image (``==`` equal versions hold the same
    strings at the same keys), so the others are walked only when some object does."""
    candidates: dict[str, str] = {}
    for i in items:
        if i.pre is i.post or i.pre == i.post:
            continue
        news: list[str] = []
        olds: set[str] = set()
        _changed_images(i.pre, i.post, i.post.get("kind") == "CustomResourceDefinition", False, news, olds)
        old = None
        for value in news:
            if value not in olds:
                if old is None:        # not where the two differ: anywhere in the object before?
                    old = {v for v, _ in _images_in(i.pre, cache)}
                if value not in old:
                    candidates.setdefault(split_image(value)[0], value)
    if not candidates:
        return []
    fields: dict[str, list] = {}      # value -> [(value, simulated site?, item index, "pre" | "post")]
    for n, i in enumerate(items):
        for v, site in _images_in(i.pre, cache):
            fields.setdefault(v, []).append((v, site, n, "pre"))
        for v, site in _images_in(i.post, cache):
            fields.setdefault(v, []).append((v, site, n, "post"))
    index: dict[int, dict] = {}
    out = []
    rewrite: dict[str, str] = {}              # image before -> image after
    touched: set[int] = set()                 # items whose images change
    for repo, want in candidates.items():
        entry = _entry(want)
        if entry is None:
            continue
        match = _matcher(repo)
        if match is None:
            continue
        hits = [f for v in _may_match(repo, fields, index) if match(v) for f in fields[v]]
        if not all(site and split_image(v)[0] == repo for v, site, *_ in hits):
            continue
        if {f[0] for f in hits if f[3] == "post"} != {want} or _rewrite(want, entry) != want:
            continue
        before = [f for f in hits if f[3] == "pre"]
        if all(f[0] == want for f in before):
            continue
        for old, _, n, _ in before:
            rewrite[old] = _rewrite(old, entry)
            touched.add(n)
        out.append(entry)
    for n in sorted(touched):
        pre = items[n].pre = _copy(items[n].pre)
        for value, site, holder, key in _image_fields(pre):
            if site and value in rewrite:
                holder[key] = rewrite[value]
    return sorted(out, key=lambda e: e["name"])
