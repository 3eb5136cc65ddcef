"""The `k8s:` escape hatch, applied as `kubectl patch --type strategic` would: maps merge,
lists of named items merge by their key (containers, initContainers, env, volumes and
imagePullSecrets by `name`, volumeMounts by `mountPath`, a container's ports by
`containerPort`, a Service's by `port`, hostAliases by `ip`, topologySpreadConstraints by
`topologyKey`), other lists and scalars replace; `$patch: replace` (in a map, or as an item
of a list) replaces instead of merging and `$patch: delete` removes the map or the list item
it stands in. A list item without its merge key cannot say which item it patches: that is a
problem (kubectl refuses it too), returned with the patch path so the caller can locate it.
A spec's patches are keyed by kind (every object of that kind it makes) or by `Kind/name`
(one object), applied in that order (:func:`keys_for`).

:func:`weakened` lists what a patch relaxes of the hardened defaults (a securityContext
field, host namespaces, a replaced securityContext), for the build's report. This module
only computes: it must not read specs or files, nor report diagnostics itself.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import did_you_mean

_DELETE = object()

# list field -> merge key; `ports` depends on where it stands (see `merge_key`)
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "imagePullSecrets": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
    "hostAliases": "ip", "topologySpreadConstraints": "topologyKey", "resourceClaims": "name",
}


def keys_for(obj: dict, k8s: dict) -> list[str]:
    """The keys of a spec's `k8s:` patches that apply to ``obj``, in the order they apply: its
    kind's (every object of that kind the spec makes), then its own (`Kind/name`, the one
    object of that kind and name: a StatefulSet's `Service/db-headless` apart from its
    `Service/db`)."""
    kind = obj.get("kind")
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return [k for k in (kind, f"{kind}/{meta.get('name')}") if k in k8s]


def unused(k8s: dict, made: set[str], owner: str) -> list[tuple]:
    """The keys of ``k8s`` (of the spec ``owner``) that patch none of the objects it makes
    (``made``: each one's kind and `Kind/name`), as problems (key, (), message, hint)."""
    kinds = sorted(k for k in made if "/" not in k)
    out = []
    for key in k8s:
        if key in made:
            continue
        kind, _, name = key.partition("/")
        if not name:
            out.append((key, (), f'`k8s: {key}` patches nothing: "{owner}" produces no {key}',
                        did_you_mean(key, kinds) or f"it produces {', '.join(kinds)}"))
            continue
        names = sorted(k for k in made if k.startswith(f"{kind}/"))
        out.append((key, (), f'`k8s: {key}` patches nothing: "{owner}" produces no {kind} named "{name}"',
                    did_you_mean(key, names) or (f"its {kind} objects: {', '.join(names)}" if names
                                                 else f"it produces no {kind}")))
    return out


def merge_key(kind: str, path: tuple) -> str | None:
    """The key the items of the list at ``path`` of a ``kind`` object merge by, or None."""
    field = path[-1]
    if field == "ports":
        if any(p in ("containers", "initContainers", "ephemeralContainers") for p in path):
            return "containerPort"
        return "port" if kind == "Service" and path == ("spec", "ports") else None
    return MERGE_KEYS.get(field)


def _strip(v: Any) -> Any:
    """A patch value used as is: without its directives."""
    if isinstance(v, dict):
        return {k: _strip(x) for k, x in v.items() if not k.startswith("$")}
    if isinstance(v, list):
        return [_strip(x) for x in v if not (isinstance(x, dict) and x.get("$patch") in ("replace", "delete"))]
    return v


def apply(obj: dict, patch: dict, problems: list | None = None) -> dict:
    """``obj`` with ``patch`` merged in (neither is modified). Problems, as
    (patch path, message, hint), are appended to ``problems``."""
    out = _map(obj.get("kind", ""), obj, patch, (), problems if problems is not None else [])
    return obj if out is _DELETE else out


def apply_list(kind: str, path: tuple, cur: list, items: list) -> list:
    """The list at ``path`` of a ``kind`` object, ``cur``, with the patch's ``items`` merged in."""
    return _list(kind, cur, items, path, [])


def _map(kind: str, obj: Any, patch: dict, path: tuple, problems: list) -> Any:
    directive = patch.get("$patch")
    if directive not in (None, "replace", "delete", "merge"):
        problems.append((path + ("$patch",), f"unknown `$patch: {directive}`", "use `replace` or `delete`"))
    if directive == "delete":
        return _DELETE
    if directive == "replace" or not isinstance(obj, dict):
        return _strip(patch)
    out = dict(obj)
    for k, v in patch.items():
        if k.startswith("$"):
            if k != "$patch" and not k.startswith(("$setElementOrder/", "$retainKeys")):
                problems.append((path + (k,), f"unknown directive `{k}`", "use `$patch: replace` or `$patch: delete`"))
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            r = _map(kind, out.get(k), v, path + (k,), problems)
            if r is _DELETE:
                out.pop(k, None)
            else:
                out[k] = r
        elif isinstance(v, list):
            out[k] = _list(kind, out.get(k), v, path + (k,), problems)
        else:
            out[k] = v
    return out


def _list(kind: str, cur: Any, items: list, path: tuple, problems: list) -> list:
    key = merge_key(kind, path)
    if key is None or not isinstance(cur, list):
        return _strip(items)
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in items):
        return _strip(items)
    out = list(cur)
    for n, item in enumerate(items):
        where = ".".join(str(p) for p in path)
        if not isinstance(item, dict) or key not in item:
            problems.append((path + (n,), f"an item of `{where}` needs `{key}`: the items of this list merge by "
                                          f"their `{key}`, so without it the patch cannot say which one it changes",
                             f"add `{key}:` (e.g. `{{{key}: ..., ...}}`), or replace the whole list with an item "
                             "`{$patch: replace}`"))
            continue
        at = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if at is not None:
                out.pop(at)
        elif at is None:
            out.append(_strip(item))
        else:
            out[at] = _map(kind, out[at], item, path + (n,), problems)
    return out


# securityContext field -> (the value that weakens it, what it relaxes)
_WEAK = {
    "runAsNonRoot": (False, "may run as root"),
    "privileged": (True, "runs privileged"),
    "allowPrivilegeEscalation": (True, "may escalate privileges"),
    "readOnlyRootFilesystem": (False, "writes to its root filesystem"),
    "runAsUser": (0, "runs as root (UID 0)"),
    "hostNetwork": (True, "shares the node's network"),
    "hostPID": (True, "shares the node's process namespace"),
    "hostIPC": (True, "shares the node's IPC namespace"),
    "automountServiceAccountToken": (True, "mounts a service-account token"),
}


def weakened(patch: Any, path: tuple = ()) -> list[tuple[tuple, str, str]]:
    """What ``patch`` relaxes of the hardened defaults: (patch path, what, the field as written)."""
    out: list[tuple[tuple, str, str]] = []
    if isinstance(patch, dict):
        for k, v in patch.items():
            at = path + (k,)
            if k in _WEAK and v == _WEAK[k][0] and type(v) is type(_WEAK[k][0]):
                shown = "true" if v is True else "false" if v is False else str(v)
                out.append((at, _WEAK[k][1], f"{k}: {shown}"))
            elif k == "add" and path[-1:] == ("capabilities",) and v:
                out.append((at, "adds capabilities", f"capabilities.add: {v}"))
            elif k == "securityContext" and isinstance(v, dict) and v.get("$patch") in ("replace", "delete"):
                out.append((at, "replaces the hardened securityContext", f"securityContext: $patch {v['$patch']}"))
                out += weakened(v, at)
            elif k == "seccompProfile" and isinstance(v, dict) and v.get("type") == "Unconfined":
                out.append((at, "runs without seccomp", "seccompProfile: Unconfined"))
            else:
                out += weakened(v, at)
    elif isinstance(patch, list):
        for i, v in enumerate(patch):
            if isinstance(v, dict) and v.get("$patch") == "replace" and path[-1:] in (("containers",), ("initContainers",)):
                out.append((path + (i,), "replaces the containers and their hardened securityContext",
                            f"{path[-1]}: $patch replace"))
            out += weakened(v, path + (i,))
    return out
