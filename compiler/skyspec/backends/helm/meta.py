"""The label and annotation maps of the Helm chart's values: ``commonLabels`` /
``commonAnnotations`` (what every app's main object carries, per environment, when there are
two apps or more) and each app's ``labels`` / ``annotations`` (what its main object carries
besides). An object whose labels include these maps in every environment renders them merged,
so a key a user adds to a map reaches each such object; the rest of its labels stay literal or
become its own values. Helm's standard labels replace the Kubernetes backend's
(`app.kubernetes.io/name`, `part-of`, `managed-by`). It reads the marked objects; it must not
build templates or decide values paths beyond these maps.
"""

from __future__ import annotations

from typing import Any

from ...ir.model import IR
from .objects import Obj
from .release import MANAGED_BY, NAME_LABEL, PART_OF

FIELDS = ("labels", "annotations")
COMMON = {"labels": ("commonLabels",), "annotations": ("commonAnnotations",)}


def std_name(m: Any, project: str) -> Any:
    """The `app.kubernetes.io/name` of a label map holding the Kubernetes backend's three
    standard labels, else None."""
    if type(m) is dict and m.get(PART_OF) == project and m.get(MANAGED_BY) == "skyspec":
        n = m.get(NAME_LABEL)
        return n if type(n) is str else None
    return None


def user_part(m: dict, project: str) -> dict:
    """A label map without the backend's standard labels (when it has all three)."""
    if std_name(m, project) is None:
        return dict(m)
    return {k: v for k, v in m.items() if k not in (NAME_LABEL, PART_OF, MANAGED_BY)}


def string_map(m: Any) -> bool:
    return type(m) is dict and all(type(v) is str for v in m.values())


class Meta:
    """``common[field][env]`` and ``app[home][field][env]``: the maps of every environment,
    from the workloads' labels and annotations in the IR (what the specs set)."""

    def __init__(self, irs: dict[str, IR], objects: dict[tuple, Obj], main: set[tuple]):
        self.common: dict[str, dict[str, dict]] = {f: {} for f in FIELDS}
        self.app: dict[tuple, dict[str, dict[str, dict]]] = {}
        homes = {objects[oid].wl: objects[oid].home for oid in main if objects[oid].home[0] == "apps"}
        for field in FIELDS:
            for e, ir in irs.items():
                maps = [dict(getattr(w, field)) for w in ir.workloads if w.name in homes]
                ok = all(string_map(m) for m in maps)
                self.common[field][e] = _intersection(maps) if len(maps) >= 2 and ok else {}
                for w in ir.workloads:
                    if w.name in homes and ok:
                        per = self.app.setdefault(homes[w.name], {f: {} for f in FIELDS})[field]
                        c = self.common[field][e]
                        per[e] = {k: v for k, v in getattr(w, field).items() if c.get(k, None) != v}


def _meta(o: Any) -> dict:
    m = o.get("metadata") if type(o) is dict else None
    return m if type(m) is dict else {}


def _intersection(maps: list[dict]) -> dict:
    first = maps[0]
    return {k: v for k, v in first.items() if all(m.get(k, None) == v for m in maps[1:])}


def within(small: dict, big: dict) -> bool:
    """Whether every key of ``small`` is in ``big`` with an equal value (label maps: strings)."""
    return small.items() <= big.items()
