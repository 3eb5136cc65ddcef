"""`skyspec fmt`: spec, overlay and project files rewritten into one canonical layout.

:func:`format_text` formats one YAML text with ruamel.yaml's round-trip objects (the rules
are in :mod:`.order`, :mod:`.layout` and :mod:`.weave`; README, "Formatting"), keeping every
comment. It never changes what a file means: the result is parsed again with skyspec's own
front end and must give the same documents (the same data, value types included, in the same
order), and must hold every comment of the input; otherwise the file is refused (SKY950) and
left as it was. Texts with anchors, aliases, tags or directives are left as written (SKY050).
:mod:`.files` finds a project's files and writes them. This package reads no file itself
(the caller passes text) and never prints a value from a spec.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostics, Pos
from ..frontend import load_text
from ..limits import DEFAULT, Limits
from .order import overlay_shape, project_shape, spec_shape
from .source import Doc, Unsupported, read

ROLES = ("spec", "overlay", "project")
LEFT = "SKY050"      # left as written
REFUSED = "SKY950"   # formatting would change the file's meaning or lose a comment


@dataclass
class Outcome:
    text: str | None = None       # the formatted text (None: leave the file as it is)
    note: str | None = None       # why the file is left as written (not an error)
    problem: str | None = None    # why formatting was refused (an error)
    pos: Pos | None = None        # where, for `problem`: the first value that would change


def _shape(doc: Doc, role: str):
    if role == "overlay":
        return overlay_shape()
    if role == "project":
        return project_shape()
    root = doc.root
    kind = None
    if root is not None and getattr(root, "id", None) == "mapping":
        for k, v in root.value:
            if k.value == "kind" and getattr(v, "id", None) == "scalar":
                kind = v.value
    return spec_shape(kind)


def _special(text: str) -> str | None:
    """Why ``text`` is left as written: anchors, aliases or tags (None when it has none)."""
    import yaml

    from .yamlio import PyLoader

    if "&" not in text and "*" not in text and "!" not in text:
        return None
    for tok in yaml.scan(text, Loader=PyLoader):
        if isinstance(tok, (yaml.AnchorToken, yaml.AliasToken)):
            return "it uses YAML anchors and aliases, which reordering keys could break"
        if isinstance(tok, yaml.TagToken):
            return "it uses YAML tags"
    return None


def notes_of(docs: list[Doc]) -> Counter:
    """Every comment of ``docs`` (its text), counted."""
    c: Counter = Counter()
    for d in docs:
        for group in (d.prelude, d.head, d.tail):
            c.update(n.text for n in group)
        if d.marker_note:
            c[d.marker_note] += 1
        for s in d.slots:
            c.update(n.text for n in (*s.before, *s.eol, *s.after))
    return c


def format_text(text: str, role: str, shown: str, limits: Limits = DEFAULT) -> Outcome:
    """``text`` (a YAML spec, overlay or project file, as skyspec's front end decoded it,
    already known to load without errors) in the canonical layout."""
    from ruamel.yaml.error import YAMLError as RuamelError
    from yaml import YAMLError as PyYAMLError

    from .weave import write

    YAMLError = (RuamelError, PyYAMLError)

    if role not in ROLES:
        raise ValueError(role)
    try:
        why = _special(text)
        if why:
            return Outcome(note=why)
        docs = read(text)
        if not docs:
            return Outcome(text=text)
        out = write(docs, [_shape(d, role) for d in docs])
    except Unsupported as exc:
        return Outcome(note=f"it has {exc}")
    except RecursionError:
        return Outcome(note="it is nested too deeply for the formatter")
    except YAMLError:
        return Outcome(problem="ruamel.yaml cannot read it the way skyspec does")
    if out == text:
        return Outcome(text=out)
    before, after = Diagnostics(), Diagnostics()
    old = load_text(text, shown, before, limits)
    new = load_text(out, shown, after, limits)
    if after.has_errors and not before.has_errors:
        return Outcome(problem="the formatted text would not load")
    if len(old) != len(new):
        return Outcome(problem="the formatted text would have another number of documents")
    for a, b in zip(old, new):
        where = () if a.index != b.index else _difference(a.data, b.data)
        if where is not None:
            loc = a.loc
            for k in where:  # the deepest position the source has
                nxt = loc.child(k)
                if nxt is None:
                    break
                loc = nxt
            return Outcome(problem="the formatted text would mean something else", pos=loc.pos)
    try:
        lost = notes_of(docs) - notes_of(read(out, folds=False))
    except (Unsupported, *YAMLError):
        return Outcome(problem="the formatted text cannot be read back")
    if lost:
        return Outcome(problem=f"{sum(lost.values())} comment(s) would be lost")
    return Outcome(text=out)


def _difference(a: Any, b: Any, path: tuple = ()) -> tuple | None:
    """The path of the first place ``a`` and ``b`` differ (types count: `1` is not `1.0` nor
    `true`), or None when they are the same. Key order is not compared."""
    if type(a) is not type(b):
        return path
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return path + (sorted(a.keys() ^ b.keys(), key=str)[0],)
        for k in a:
            d = _difference(a[k], b[k], path + (k,))
            if d is not None:
                return d
        return None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return path
        for i, (x, y) in enumerate(zip(a, b)):
            d = _difference(x, y, path + (i,))
            if d is not None:
                return d
        return None
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return None
    return None if a == b else path
