"""Credentials an input keeps in a ConfigMap (Bank of Anthos' `accounts-db-config` holds
`POSTGRES_PASSWORD` and `ACCOUNTS_DB_URI=postgresql://accounts-admin:accounts-pwd@...`), moved
into a Secret the import makes, as a credential env value is: a ConfigMap's key is one by the
rules of env values (its name, a URL with a password: :func:`skyspec.redact.credential_env`)
or by holding the value of one the input has elsewhere (:mod:`.credentials`). The Secret
`<configmap>-credentials` is declared with `keys:` (its values supplied at deploy time), the
ConfigMap keeps its other keys, and the pods that read a moved key read it from the Secret:
an `envFrom` of the ConfigMap is followed by one of the Secret (same prefix, same
`optional`), a `configMapKeyRef` is a `secretKeyRef`, a volume projecting a moved key
projects it from the Secret (a Secret volume when every file it projects moved, else a
projected volume of both). A reference of another kind of object (a custom resource naming
the ConfigMap) is kept as written, with a warning: it no longer finds the keys there.

The input objects are rewritten in place before they are said as specs, so every later step
sees the rewritten system; each one's original is kept in ``inputs.unmoved`` for the round
trip, which names what changed (:data:`.fidelity.MOVED`). Every moved value is registered with the
diagnostics' redactor: no message shows it, and nothing the import writes holds it.
"""

from __future__ import annotations

import copy
import re

from ..frontend import Loc
from ..redact import credential_env
from .credentials import holds_credential, name_words, shared
from .kube import Extracted
from .namespaces import namespace_of
from .source import SECRET, Inputs

SUFFIX = "-credentials"
CONTAINERS = ("containers", "initContainers", "ephemeralContainers")
# where an object other than a pod template may name a ConfigMap (kept as written: warned)
REFS = ("configMapKeyRef", "configMapRef", "configMap")


class _Plan:
    """One ConfigMap's moved keys and the Secret they move to."""

    def __init__(self, cm: dict, ns: str, secret: str, keys: list[str]):
        self.cm, self.ns, self.secret, self.keys = cm, ns, secret, keys
        self.users: list[str] = []   # the objects reading a moved key, "Kind name"


def move(objs: list[dict], inputs: Inputs) -> list[Extracted]:
    """Moves the credentials of the ConfigMaps of ``objs`` into Secrets, rewriting the objects
    that read them (in place; originals in ``inputs.unmoved``). Returns the `kind: Secret`
    documents to declare, each with its line for the import's report."""
    home = namespace_of(objs)
    known = _known(objs)
    taken = _secret_names(objs)
    plans: dict[tuple[str, str], _Plan] = {}
    for o in objs:
        if o["kind"] != "ConfigMap" or not isinstance(o.get("data"), dict) or not o["data"]:
            continue
        moved = {}
        for k, v in o["data"].items():
            why, held = credential_env(k, v), [v]
            if not why and (got := holds_credential(v, known, "the input")):
                why, held = got
            if why:
                moved[k] = (why, held)
        if not moved:
            continue
        name, ns = str(o["metadata"].get("name", "")), o["metadata"].get("namespace") or home
        secret = _secret_name(name, taken)
        _keep(o, inputs)
        file, loc = inputs.where.get(id(o), (None, None))
        for k, (why, held) in moved.items():
            at = loc.find(("data", k)) if loc is not None else None
            for value in held:
                inputs.secret(value, file, at if value == o["data"][k] else None)
            inputs.note(SECRET, f"ConfigMap {name} key {k} {why}: moved to Secret {secret}, key {k}; its value "
                        "is not written", inputs.pos(o, ("data", k)),
                        hint=f"supply it at deploy time (the Secret {secret}); the pods that read it read it from "
                             "there")
        o["data"] = {k: v for k, v in o["data"].items() if k not in moved}
        plans[(ns, name)] = _Plan(o, ns, secret, sorted(moved))
    if not plans:
        return []
    inputs.public_secrets(objs)   # (a moved value that is a word of the input's names: said so)
    for o in objs:
        if o["kind"] != "ConfigMap":
            _consumer(o, o["metadata"].get("namespace") or home, plans, inputs)
    out = []
    for (ns, name), p in plans.items():
        doc = {"kind": "Secret", "name": p.secret, "keys": p.keys,
               "_note": f"the credentials of ConfigMap {name}, moved here by the import: values supplied at deploy "
                        "time"}
        if ns != home:
            doc["namespace"] = ns
        out.append(Extracted(doc, [], [f"ConfigMap {name}: {', '.join(p.keys)}: credentials moved to Secret "
                                       f"{p.secret} (values supplied at deploy time)"
                                       + (f", read by {', '.join(p.users)}" if p.users else "")]))
    return out


def _known(objs: list[dict]) -> set[str]:
    """The input's values that are credentials by their name, as :func:`.credentials.shared`
    keeps them: of env values, Secrets (their text) and ConfigMaps."""
    import base64
    import binascii

    pairs: list = []
    named: set[str] = set()
    for o in objs:
        named |= name_words(str(o["metadata"].get("name", "")))
        if o["kind"] == "ConfigMap" and isinstance(o.get("data"), dict):
            pairs += o["data"].items()
        elif o["kind"] == "Secret":
            pairs += [(k, v) for k, v in (o.get("stringData") or {}).items()] if isinstance(o.get("stringData"), dict) \
                else []
            for k, v in (o.get("data") or {}).items() if isinstance(o.get("data"), dict) else ():
                try:
                    pairs.append((k, base64.b64decode(str(v), validate=True).decode("utf-8")))
                except (binascii.Error, ValueError):
                    continue
        path = _pod_path(o)
        ps = _at(o, path) if path else None
        for _, _, c in _containers(ps):
            named |= name_words(str(c.get("name", ""))) | name_words(str(c.get("image", "")))
            pairs += [(e.get("name"), e.get("value")) for e in c.get("env") or [] if isinstance(e, dict)
                      and isinstance(e.get("name"), str) and "value" in e]
    return shared(pairs, named)


def _secret_names(objs: list[dict]) -> set[str]:
    """The names a Secret of the input has, or a pod reads one as: the Secrets made take none."""
    out = {str(o["metadata"].get("name")) for o in objs if o["kind"] == "Secret"}
    stack: list = list(objs)
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for k, x in v.items():
                if k in ("secretKeyRef", "secretRef", "secret") and isinstance(x, dict):
                    out.add(str(x.get("name") or x.get("secretName")))
                stack.append(x)
        elif isinstance(v, list):
            stack += v
    return out


def _secret_name(cm: str, taken: set[str]) -> str:
    """`<configmap>-credentials`, a DNS-1123 label no Secret of the input has (else `-2`, ...)."""
    base = re.sub(r"[^a-z0-9-]+", "-", cm.lower()).strip("-") or "configmap"
    n = 1
    while True:
        tail = SUFFIX + (f"-{n}" if n > 1 else "")
        name = base[:63 - len(tail)].rstrip("-") + tail
        if name not in taken:
            taken.add(name)
            return name
        n += 1


def _keep(o: dict, inputs: Inputs) -> None:
    """Keeps ``o`` as the input wrote it, for the round trip, before its first change."""
    inputs.unmoved.setdefault(id(o), copy.deepcopy(o))


def _pod_path(o: dict) -> tuple | None:
    """The path of the pod spec of an object holding one (a workload, a Pod, a custom resource
    with a pod template: an Argo Rollout), or None."""
    path = ("spec",) if o.get("kind") == "Pod" else \
        ("spec", "jobTemplate", "spec", "template", "spec") if o.get("kind") == "CronJob" else ("spec", "template", "spec")
    ps = _at(o, path)
    return path if isinstance(ps, dict) and isinstance(ps.get("containers"), list) else None


def _at(o, path: tuple):
    for k in path:
        o = o.get(k) if isinstance(o, dict) else None
    return o


def _containers(ps) -> list[tuple[str, int, dict]]:
    if not isinstance(ps, dict):
        return []
    return [(key, i, c) for key in CONTAINERS if isinstance(ps.get(key), list)
            for i, c in enumerate(ps[key]) if isinstance(c, dict)]


def _consumer(o: dict, ns: str, plans: dict, inputs: Inputs) -> None:
    """Rewrites what object ``o`` (of namespace ``ns``) reads of a moved key; warns where it
    names such a ConfigMap in a form it cannot rewrite."""
    path = _pod_path(o)
    ps = _at(o, path) if path else None
    what = f"{o['kind']} {o['metadata'].get('name')}"
    if ps is not None:
        for key, i, c in _containers(ps):
            _env(o, what, path + (key, i), c, ns, plans, inputs)
        _volumes(o, what, path, ps, ns, plans, inputs)
    _unknown(o, what, ps, ns, plans, inputs)


def _env(o: dict, what: str, at: tuple, c: dict, ns: str, plans: dict, inputs: Inputs) -> None:
    for j, e in enumerate(c.get("env") or [] if isinstance(c.get("env"), list) else []):
        ref = (e.get("valueFrom") or {}).get("configMapKeyRef") if isinstance(e, dict) \
            and isinstance(e.get("valueFrom"), dict) else None
        p = _plan(plans, ns, ref.get("name")) if isinstance(ref, dict) else None
        if p is None or ref.get("key") not in p.keys:
            continue
        say = inputs.diags.warning if ref.get("optional") else inputs.note   # (Compose loses it: said so)
        say(SECRET, f"env {e.get('name')} of {what} reads key {ref['key']} of ConfigMap {p.cm['metadata']['name']}, a "
            f"credential: it reads it from Secret {p.secret} (a `secretKeyRef`" + (
                ", `optional` as the input has it: a `k8s:` patch, which the Compose file does not read, so it leaves "
                "the variable out)" if ref.get("optional") else ")"),
            inputs.pos(o, at + ("env", j, "valueFrom")), hint=f"supply it at deploy time (the Secret {p.secret})")
        _keep(o, inputs)
        e["valueFrom"] = {"secretKeyRef": {"name": p.secret, "key": ref["key"],
                                           **({"optional": ref["optional"]} if "optional" in ref else {})}}
        _user(p, what)
    given = c.get("envFrom") if isinstance(c.get("envFrom"), list) else []
    new, added = [], []
    for j, e in enumerate(given):
        new.append(e)
        ref = e.get("configMapRef") if isinstance(e, dict) else None
        p = _plan(plans, ns, ref.get("name")) if isinstance(ref, dict) else None
        if p is None:
            continue
        inputs.note(SECRET, f"{what} reads ConfigMap {p.cm['metadata']['name']} whole (`envFrom`): it reads Secret "
                    f"{p.secret} too, which holds its credentials {', '.join(p.keys)}",
                    inputs.pos(o, at + ("envFrom", j)), hint=f"supply them at deploy time (the Secret {p.secret})")
        new.append({"secretRef": {"name": p.secret, **({"optional": ref["optional"]} if "optional" in ref else {})},
                    **({"prefix": e["prefix"]} if "prefix" in e else {})})
        added.append(j + len(added))
        _user(p, what)
    if added:
        _keep(o, inputs)
        c["envFrom"] = new
        _relocate(o, at + ("envFrom",), added, inputs)


def _volumes(o: dict, what: str, path: tuple, ps: dict, ns: str, plans: dict, inputs: Inputs) -> None:
    """A volume projecting a moved key: from the Secret (a Secret volume when every file it
    projects moved, else a projected volume of the ConfigMap and the Secret). One whose mounts
    all read other files (`subPath`) is left as it is."""
    for j, v in enumerate(ps.get("volumes") or [] if isinstance(ps.get("volumes"), list) else []):
        if not isinstance(v, dict):
            continue
        reads = [m.get("subPath") if isinstance(m.get("subPath"), str) and not m.get("subPathExpr") else None
                 for _, _, c in _containers(ps) for m in c.get("volumeMounts") or []
                 if isinstance(m, dict) and m.get("name") == v.get("name")]
        if isinstance(v.get("configMap"), dict):
            p = _plan(plans, ns, v["configMap"].get("name"))
            split = _split(v["configMap"], p, reads) if p is not None else None
            if split is None:
                continue
            kept, sec = split
            opts = {k: v["configMap"][k] for k in ("defaultMode",) if k in v["configMap"]}
            rest = {k: x for k, x in v.items() if k != "configMap"}
            if kept is None:
                new = {**rest, "secret": {"secretName": p.secret, **{k: x for k, x in sec.items() if k != "name"},
                                          **opts}}
                how = f"a Secret volume of {p.secret}"
            else:
                new = {**rest, "projected": {"sources": [{"configMap": kept}, {"secret": sec}], **opts}}
                how = (f"a projected volume of ConfigMap {p.cm['metadata']['name']} and Secret {p.secret} (a `k8s:` "
                       "patch, which the Compose file does not read: Compose cannot mount two sources at one path, so "
                       "it leaves the volume out)")
        elif isinstance(v.get("projected"), dict) and isinstance(v["projected"].get("sources"), list):
            sources, p = [], None
            for s in v["projected"]["sources"]:
                q = _plan(plans, ns, s["configMap"].get("name")) if isinstance(s, dict) \
                    and isinstance(s.get("configMap"), dict) else None
                split = _split(s["configMap"], q, reads) if q is not None else None
                if split is None:
                    sources.append(s)
                    continue
                p = q
                sources += ([{"configMap": split[0]}] if split[0] is not None else []) + [{"secret": split[1]}]
            if p is None:
                continue
            new = {**v, "projected": {**v["projected"], "sources": sources}}
            how = f"a projected volume reading Secret {p.secret} too"
        else:
            continue
        say = inputs.diags.warning if "Compose" in how else inputs.note
        say(SECRET, f"volume {v.get('name')} of {what} projects credentials of ConfigMap "
            f"{p.cm['metadata']['name']} as files ({', '.join(p.keys)}): it is {how}",
            inputs.pos(o, path + ("volumes", j)), hint=f"supply them at deploy time (the Secret {p.secret})")
        _keep(o, inputs)
        ps["volumes"] = [*ps["volumes"][:j], new, *ps["volumes"][j + 1:]]
        _user(p, what)


def _split(src: dict, p: _Plan, reads: list) -> tuple[dict | None, dict] | None:
    """(the ConfigMap source of the files left, or None when every file it projects moved;
    the Secret source of the moved ones) of ConfigMap volume source ``src``; None when it
    projects no moved key, or its mounts (``reads``: each one's `subPath`) see none."""
    items = src.get("items") if isinstance(src.get("items"), list) and src.get("items") else None
    if items is None:
        moved_paths, kept_items, sec_items = set(p.keys), None, None
        left = bool(p.cm.get("data")) or bool(p.cm.get("binaryData"))
    else:
        sec_items = [it for it in items if isinstance(it, dict) and it.get("key") in p.keys]
        kept_items = [it for it in items if it not in sec_items]
        moved_paths = {str(it.get("path", "")) for it in sec_items}
        left = bool(kept_items)
        if not sec_items:
            return None
    if not reads or all(r and r.split("/")[0] not in moved_paths for r in reads):
        return None
    opt = {"optional": src["optional"]} if "optional" in src else {}
    sec = {"name": p.secret, **({"items": sec_items} if sec_items else {}), **opt}
    kept = {"name": src.get("name"), **({"items": kept_items} if kept_items else {}), **opt} if left else None
    return kept, sec


def _unknown(o: dict, what: str, ps, ns: str, plans: dict, inputs: Inputs) -> None:
    """A warning for each place ``o`` names a ConfigMap whose credentials moved outside a pod
    spec (rewritten above): a custom resource's reference is kept as written."""
    stack: list = [((), o)]
    while stack:
        at, v = stack.pop()
        if v is ps:
            continue
        if isinstance(v, dict):
            for k, x in v.items():
                p = _plan(plans, ns, x.get("name")) if k in REFS and isinstance(x, dict) else None
                if p is not None:
                    inputs.diags.warning(SECRET, f"{what} names ConfigMap {p.cm['metadata']['name']}, whose credentials "
                                         f"{', '.join(p.keys)} moved to Secret {p.secret}: the import keeps this "
                                         "reference as written, and it no longer finds them there",
                                         inputs.pos(o, at + (k,)),
                                         hint=f"make it read them from the Secret {p.secret} (supplied at deploy time)")
                stack.append((at + (k,), x))
        elif isinstance(v, list):
            stack += [(at + (i,), x) for i, x in enumerate(v)]


def _plan(plans: dict, ns, name) -> _Plan | None:
    """The plan of ConfigMap ``name`` of namespace ``ns``, or None (for a name of the wrong
    type too: a kept object's fields are not shape-checked)."""
    return plans.get((ns, name)) if isinstance(ns, str) and isinstance(name, str) else None


def _user(p: _Plan, what: str) -> None:
    if what not in p.users:
        p.users.append(what)


def _relocate(o: dict, path: tuple, added: list[int], inputs: Inputs) -> None:
    """Positions for the list at ``path`` of ``o`` with items inserted at ``added`` (each at the
    position of the item before it), so the later items keep their own: a copy of the
    object's position tree along ``path`` (the tree read from the file is left as it is)."""
    file, loc = inputs.where.get(id(o), (None, None))
    if loc is None:
        return

    def along(node: Loc, rest: tuple) -> Loc:
        if not rest:
            kids = list(node.kids) if isinstance(node.kids, list) else []
            for i in added:
                kids.insert(i + 1, kids[i] if i < len(kids) else node)
            return Loc(node.pos, node.keys, kids)
        kid = node.child(rest[0])
        if kid is None:
            return node
        kids = dict(node.kids) if isinstance(node.kids, dict) else list(node.kids)
        kids[rest[0]] = along(kid, rest[1:])
        return Loc(node.pos, node.keys, kids)
    inputs.where[id(o)] = (file, along(loc, path))
