"""The marks of the Helm chart's release model (release.py): a name that follows the release
(:class:`Name`), the release's namespace and name (:data:`NAMESPACE`, :data:`RELEASE`) and a text
made of them (:class:`Joined`), held inside otherwise plain objects until the writer prints
them. Apart from release.py so that what marks text (textrefs.py) needs no Scope.
"""

from __future__ import annotations

from typing import Any


class Name:
    """A name that follows the release: the fullname of ``base``."""
    __slots__ = ("base",)

    def __init__(self, base: str):
        self.base = base

    def __eq__(self, other: object) -> bool:
        return type(other) is Name and other.base == self.base

    def __hash__(self) -> int:
        return hash(("Name", self.base))

    def __repr__(self) -> str:
        return f"Name({self.base!r})"


class Joined:
    """A text made of strings and marks, in order: a reference that names an object with its
    namespace (`<namespace>/<certificate>`) or a host name of a Service
    (`<service>.<namespace>.svc`)."""
    __slots__ = ("parts",)

    def __init__(self, parts: tuple):
        self.parts = parts

    def __eq__(self, other: object) -> bool:
        return type(other) is Joined and other.parts == self.parts

    def __hash__(self) -> int:
        return hash(("Joined", self.parts))

    def __repr__(self) -> str:
        return "Joined(" + ", ".join(map(repr, self.parts)) + ")"


class Mark:
    """`.Release.Namespace` or `.Release.Name`."""
    __slots__ = ("what",)

    def __init__(self, what: str):
        self.what = what

    def __repr__(self) -> str:
        return self.what


NAMESPACE = Mark(".Release.Namespace")
RELEASE = Mark(".Release.Name")
MARKS = (Name, Mark, Joined)


def is_mark(v: Any) -> bool:
    return type(v) in MARKS


def has_mark(v: Any) -> bool:
    t = type(v)
    if t is dict:
        v = v.values()
    elif t is not list:
        return t in MARKS
    for x in v:
        t = type(x)
        if t is dict or t is list:
            if has_mark(x):
                return True
        elif t in MARKS:
            return True
    return False


def plain(v: Any, project: str, namespace: str) -> Any:
    """``v`` with the marks replaced by what they are for a release named like the project in
    ``namespace`` (for the rare value that cannot hold a mark)."""
    t = type(v)
    if t is dict:
        return {k: plain(x, project, namespace) for k, x in v.items()}
    if t is list:
        return [plain(x, project, namespace) for x in v]
    if t is Name:
        return v.base
    if t is Joined:
        return "".join(plain(p, project, namespace) for p in v.parts)
    if v is NAMESPACE:
        return namespace
    if v is RELEASE:
        return project
    return v
