"""Go to definition and find references.

:func:`definition` follows what the value under the cursor names (:func:`.locate.refers_to`)
to where it is defined: a spec's document (at its `name`), a `use:` template's file (the
project's, or `stdlib/<name>.yaml`), an overlay file named in the project file. A Secret or
ConfigMap that a stdlib component generates has no document of its own: the spec it comes
from is the definition. :func:`references` lists every place naming the spec under the
cursor (:func:`.locate.mentions`). Both answer with :class:`~.locate.Span`s; this module
must not talk the protocol nor compile.
"""

from __future__ import annotations

from ..contain import contained
from ..paths import data_dir
from .locate import Hit, Ref, Span, mentions, refers_to, span
from .state import Compilation, real


def definition(comp: Compilation, hit: Hit, role: str) -> list[Span]:
    ref = refers_to(hit.doc, role, hit.path, hit.on_key, hit.value)
    if ref is None:
        return []
    if ref.what == "template":
        return _template(comp, ref.name)
    if ref.what == "file":
        if comp.root is None:
            return []
        path = contained(comp.root, ref.name, None, None, python=True)
        return [Span(real(path), 0, 0, 0)] if path is not None else []
    doc = comp.find(ref.name, ref.kinds)
    if doc is not None:
        return [_at_name(doc)]
    return _generated(comp, ref)


def references(comp: Compilation, hit: Hit, role: str, declaration: bool) -> list[Span]:
    ref = refers_to(hit.doc, role, hit.path, hit.on_key, hit.value)
    if ref is None or ref.what != "spec":
        return []
    target = comp.find(ref.name, ref.kinds)
    if target is None:
        return []
    return mentions(target, comp.docs, comp.overlays, declaration)


def _at_name(doc) -> Span:
    loc = doc.loc.child("name")
    if loc is not None:
        return span(loc.pos, len(str(doc.data.get("name", ""))))
    return span(doc.loc.pos)


def _template(comp: Compilation, name: str) -> list[Span]:
    if name.startswith((".", "/", "\\")) or "/" in name or "\\" in name:
        if comp.root is None:
            return []
        path = contained(comp.root, name, None, None, python=True)
    else:
        candidate = data_dir("stdlib") / f"{name}.yaml"
        path = candidate if candidate.is_file() else None
    return [Span(real(path), 0, 0, 0)] if path is not None else []


def _generated(comp: Compilation, ref: Ref) -> list[Span]:
    """A spec made by a stdlib component (`db-credentials` of `use: postgres`): the spec
    document it comes from."""
    kind, _, bare = ref.name.rpartition("/")
    for env in comp.environments[:1]:
        for s in comp.specs(env):
            if s.name == bare and (ref.kinds is None or s.kind in ref.kinds) and (not kind or s.kind == kind) \
                    and s.pos is not None:
                return [span(s.pos)]
    return []
