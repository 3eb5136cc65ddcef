"""ruamel.yaml, set up the way `skyspec fmt` reads and writes YAML.

Reading composes node trees (line, column and style of every scalar) with libyaml, as
skyspec's front end does, or, for a text with folded scalars, with ruamel's round-trip parser,
which marks where they were folded; skyspec's own front end, not this module, decides what
the text means. Writing dumps round-trip objects (``CommentedMap``,
``CommentedSeq``, the ``*ScalarString`` types) with a 2-space layout, no line folding, and
two changes to ruamel's defaults, both so that a plain scalar is written exactly as it was
read: every plain scalar counts as a string for the dumper's resolver (so ``8080``, ``on``
or ``0755`` stay plain and unquoted, as skyspec read them), and a string that ruamel would
put in single quotes gets double quotes unless it holds a backslash or a double quote.
Which strings *must* stay quoted is decided by the caller (:func:`needs_quotes`, YAML 1.1 as
skyspec reads it), never by ruamel's YAML 1.2 rules. Nothing here reads files or formats.
"""

from __future__ import annotations

import io
import warnings
from functools import lru_cache
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"
WIDTH = 88                     # the line length flow collections must fit in
_NO_FOLDING = 1 << 30          # ruamel never wraps a long scalar over lines

try:  # the C loader, as skyspec's front end reads
    PyLoader = pyyaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    PyLoader = pyyaml.SafeLoader


_PY_RESOLVER = pyyaml.resolver.Resolver()          # YAML 1.1, as skyspec reads
_YAML12 = VersionedResolver(version=(1, 2))          # YAML 1.2, as editors and most tools read
_YES_NO = frozenset("yYnN")                          # booleans to some YAML 1.1 readers (Go's yaml.v2)


class _PlainIsText(VersionedResolver):
    """Every plain scalar is text, the empty one null: a plain scalar is dumped as written."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            return Tag(suffix=NULL if value == "" else STR)
        return super().resolve(kind, value, implicit)


class _Emitter(RoundTripEmitter):
    """Double quotes where ruamel would choose single ones, unless the text holds `\\` or `"`."""

    def choose_scalar_style(self) -> Any:
        style = super().choose_scalar_style()
        if style == "'":
            value = self.event.value
            if "\\" not in value and '"' not in value:
                return '"'
        return style


def make_yaml() -> YAML:
    """A fresh round-trip YAML instance (instances keep state between calls)."""
    y = YAML(typ="rt", pure=True)
    y.Resolver = _PlainIsText
    y.Emitter = _Emitter
    y.width = _NO_FOLDING
    y.indent(mapping=2, sequence=4, offset=2)
    y.preserve_quotes = True
    return y


def compose_all(text: str, folds: bool = True) -> list:
    """The root node of every document of ``text`` (an empty document is an empty scalar),
    composed by libyaml, as skyspec's front end reads (and ~20x faster than ruamel). Nodes of
    both libraries have the same shape (``id``, ``value``, ``style``, ``flow_style``, marks).
    ``folds``: when the text has a folded scalar (`>`), compose it with ruamel's round-trip
    parser instead, the one that marks where the text was folded (`\\a`), so that it is
    written back folded at the same places."""
    roots = list(pyyaml.compose_all(text, Loader=PyLoader))
    if folds and any(_folded(r) for r in roots):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            roots = list(make_yaml().compose_all(text))
    return roots


def _folded(root) -> bool:
    stack = [root]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        if n.id == "scalar":
            if n.style == ">":
                return True
        elif n.id == "mapping":
            stack.extend(x for kv in n.value for x in kv)
        else:
            stack.extend(n.value)
    return False


def dump(obj: Any) -> str:
    """``obj`` as YAML text (one document, no `---`)."""
    out = io.StringIO()
    make_yaml().dump(obj, out)
    return out.getvalue()


def needs_quotes(text: str) -> bool:
    """Whether the string ``text`` must be quoted to be read back as this string: a plain
    scalar spelled so would be read as something else (a number, boolean, null, date, `<<` or
    `=`) by skyspec (YAML 1.1) or by an editor or another tool (YAML 1.2, and `y`/`n`), lose its
    edges, or is empty or holds line breaks or control characters. (A plain-safe text may still
    be quoted by the emitter where its context needs it, e.g. a `,` inside a flow collection.)"""
    if not text or text != text.strip(" \t") or any(c in text for c in "\n\r\t\x85\u2028\u2029"):
        return True
    if not text.isprintable():
        return True
    if text in _YES_NO or _PY_RESOLVER.resolve(pyyaml.ScalarNode, text, (True, False)) != STR:
        return True
    return _YAML12.resolve(ScalarNode, text, (True, False)) != Tag(suffix=STR)


@lru_cache(maxsize=8192)
def plain_ok(text: str, flow: bool) -> bool:
    """Whether skyspec (PyYAML, YAML 1.1) reads ``text`` written plain, in a flow collection or
    as a block map's value, back as this very string, and so does PyYAML's pure-Python loader
    (`yaml.safe_load`, what most scripts read a spec with), which ends a plain scalar at a `?`
    in a flow collection where libyaml does not (`{http: /healthz?full=true}`). ruamel's emitter
    judges this by YAML 1.2, which lets more stand bare in a flow collection (a `?` inside, a
    leading `:`)."""
    doc, want = (f"[{text}]", [text]) if flow else (f"k: {text}", {"k": text})
    try:
        return all(pyyaml.load(doc, Loader=loader) == want for loader in dict.fromkeys((PyLoader, pyyaml.SafeLoader)))
    except pyyaml.YAMLError:
        return False


__all__ = ["CommentedMap", "CommentedSeq", "WIDTH", "compose_all", "dump", "make_yaml", "needs_quotes", "plain_ok"]
