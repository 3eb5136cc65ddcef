"""The objects a Helm chart describes: the Kubernetes backend's files of every environment,
each object matched across the environments it exists in by (file, kind, name, repeat), with
the places that follow the release marked (release.py), and each file's objects in one order
merged from the environments' orders. It reads the IRs only through
:func:`skyspec.backends.kubernetes.files` (and their Secrets, for the release's scope) and must
not decide values or templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...ir.model import IR
from .. import kubernetes
from .compare import merge_keys
from .release import Scope, mark


@dataclass
class Obj:
    oid: tuple           # (file, kind, name, n): n counts repeats of kind/name in a file
    fname: str
    wl: str              # the file's name without .yaml
    kind: str
    name: str
    vals: dict           # env -> object dict
    envs: list           # environments it exists in, in build order
    home: tuple = ()     # values node of its file: ("apps", wl) or ("objects", wl)
    node: tuple = ()     # values node of the object itself


def collect(irs: dict[str, IR]) -> tuple[dict[tuple, Obj], dict[str, list[tuple]], Scope]:
    """(object id -> object, file name -> its object ids in order, the release's scope), files
    sorted by name."""
    objects: dict[tuple, Obj] = {}
    orders: dict[str, list[list]] = {}
    files = {env: kubernetes.files(ir) for env, ir in irs.items()}
    project = next(iter(irs.values())).project
    scope = Scope(project, {e: [o for objs in f.values() for o in objs] for e, f in files.items()}, irs)
    for env, ir in irs.items():
        for fname, objs in files[env].items():
            seen: dict[tuple, int] = {}
            oids = []
            for o in objs:
                kind, name = str(o.get("kind", "")), str((o.get("metadata") or {}).get("name", ""))
                n = seen[(kind, name)] = seen.get((kind, name), -1) + 1
                oid = (fname, kind, name, n)
                oids.append(oid)
                obj = objects.get(oid)
                if obj is None:
                    wl = fname[:-5] if fname.endswith(".yaml") else fname
                    obj = objects[oid] = Obj(oid, fname, wl, kind, name, {}, [])
                obj.vals[env] = mark(o, scope, ir.namespace)
                obj.envs.append(env)
            orders.setdefault(fname, []).append(oids)
    by_file = {fname: merge_keys(orders[fname]) for fname in sorted(orders)}
    return objects, by_file, scope
