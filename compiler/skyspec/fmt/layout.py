"""The canonical layout of one document, as ruamel round-trip objects ready to dump.

- Keys follow the schema's order (:mod:`.order`).
- A scalar written plain stays as written (`8080`, `on`, `0755`, `~` keep their spelling, and
  so their meaning). A quoted string loses its quotes unless it needs them: when skyspec
  would read the bare text as another type (`"on"`, `"1.0"`, `"0755"`, `"yes"`, `"1:30"`,
  `"null"`), when it is empty, starts or ends with a space or holds a line break or control
  character, or when YAML's syntax needs them where it stands (`"a, b"` in a flow map, `": "`,
  a leading `*`, `&`, `!`, `#`...). Quotes are double, or single for text holding `\\` or `"`.
  Block scalars (`|`, `>`) keep their style.
- A map is written as a flow map (`{cpu: 250m, memory: 256Mi}`) when it has at most
  :data:`FLOW_ENTRIES` entries, each a scalar or a list of scalars, holds no comment, and its
  line fits in :data:`~.yamlio.WIDTH` columns; a list of scalars is a flow list on the same
  conditions (any number of items); empty ones are `{}` and `[]`. Everything else, and every
  document's root, is in block style, indented 2 spaces per level, list dashes indented under
  their key.

Nothing here reads files, places comments or checks the result.
"""

from __future__ import annotations

from ruamel.yaml.scalarstring import (DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString,
                                      SingleQuotedScalarString)

from .order import Shape, order_keys
from .source import Unsupported
from .yamlio import WIDTH, CommentedMap, CommentedSeq, dump, needs_quotes, plain_ok

FLOW_ENTRIES = 4


def scalar(node):
    """The object that dumps as ``node``'s text in the canonical style."""
    v = node.value
    style = node.style
    if not style:  # plain
        return None if v == "" else str(v)
    if style in "|>" and not v.replace("\a", "").strip():  # nothing but line breaks: quoted
        return DoubleQuotedScalarString(v.replace("\a", ""))
    if style == "|":
        return LiteralScalarString(v)
    if style == ">":
        folds = []
        i = v.find("\a")
        while i >= 0:
            folds.append(i - len(folds))
            i = v.find("\a", i + 1)
        out = FoldedScalarString(v.replace("\a", ""))
        if folds:
            out.fold_pos = folds  # type: ignore[attr-defined]
        return out
    if not needs_quotes(v) and plain_ok(v, False):
        return str(v)
    return quoted(v)


def quoted(v: str):
    """``v`` in quotes: double, or single for text holding `\\` or `"` (and no line break)."""
    if ("\\" in v or '"' in v) and v.isprintable():
        return SingleQuotedScalarString(v)
    return DoubleQuotedScalarString(v)


def _in_flow(v):
    """``v`` as it may stand in a flow collection: a string written plain (as the source had
    it, or unquoted) that skyspec would not read back there gets quotes."""
    if type(v) is str and plain_ok(v, False) and not plain_ok(v, True):
        return quoted(v)
    return v


class Built:
    """A document's output tree with what :mod:`.weave` needs to know about it."""

    def __init__(self) -> None:
        self.first: set[tuple] = set()      # paths of the entries that come first in their collection


def build(node, shape: Shape | None, commented: set, built: Built, path: tuple = ()):
    """``node`` as round-trip objects: keys ordered, scalars restyled (flow/block decided later)."""
    if node.id == "scalar":
        return scalar(node)
    if node.id == "mapping":
        by_key = {}
        for k, v in node.value:
            by_key[k.value] = (k, v)
        out = CommentedMap()
        keys = order_keys(list(by_key), shape)
        for i, key in enumerate(keys):
            knode, vnode = by_key[key]
            kobj = scalar(knode)
            if kobj is None or isinstance(kobj, (LiteralScalarString, FoldedScalarString)):
                raise Unsupported("a mapping key that is empty or a block scalar")
            if i == 0:
                built.first.add(path + (key,))
            out[kobj] = build(vnode, shape.child(key) if shape else None, commented, built, path + (key,))
        return out
    if node.id == "sequence":
        out = CommentedSeq()
        items = shape.items() if shape else None
        for i, v in enumerate(node.value):
            if i == 0:
                built.first.add(path + (i,))
            out.append(build(v, items, commented, built, path + (i,)))
        return out
    raise Unsupported(f"a YAML node of kind {node.id}")


def _simple(v) -> bool:
    """A scalar that can stand in a flow collection on one line (an empty one cannot)."""
    return isinstance(v, str) and not isinstance(v, (LiteralScalarString, FoldedScalarString)) and "\n" not in v


def _flowable(obj, path: tuple, commented: set) -> bool:
    if path in commented:
        return False
    if isinstance(obj, CommentedMap):
        if len(obj) > FLOW_ENTRIES:
            return False
        for k, v in obj.items():
            if isinstance(v, CommentedSeq):
                if path + (k,) in commented or not all(_simple(x) for x in v):
                    return False
            elif not _simple(v):
                return False
        return True
    return all(_simple(x) for x in obj)


def _flow_copy(obj):
    """``obj`` as a flow collection, its strings quoted where a flow collection needs it."""
    if isinstance(obj, CommentedMap):
        out = CommentedMap((_in_flow(k), _flow_copy(v) if isinstance(v, CommentedSeq) else _in_flow(v))
                           for k, v in obj.items())
    else:
        out = CommentedSeq(_in_flow(v) for v in obj)
    out.fa.set_flow_style()
    return out


def _line(wrapper) -> int:
    text = dump(wrapper)
    return len(text.split("\n", 1)[0].lstrip(" "))


def _least(x) -> int:
    """A lower bound of the length of ``x`` (a string, or a flowable collection) written in a
    flow collection: a string's own characters (quotes and escapes only add to them), and
    brackets and one character per `:` and `,` (ruamel writes two)."""
    if isinstance(x, str):
        return len(x)
    if isinstance(x, CommentedMap):
        return 1 + sum(_least(k) + 2 + _least(v) for k, v in x.items())
    if isinstance(x, CommentedSeq):
        return 1 + sum(_least(v) + 1 for v in x)
    return 0


def _most(x) -> int | None:
    """An upper bound of that length, or None when there is none this cheap: a string of
    printable ASCII without quotes or backslashes is written as itself, or in two quotes
    (nothing in it is escaped); `{k: v, k: v}` and `[a, b]` add exactly their punctuation."""
    if isinstance(x, str):
        return len(x) + 2 if x.isascii() and x.isprintable() and not _QUOTES.intersection(x) else None
    items = [(_most(k), _most(v)) for k, v in x.items()] if isinstance(x, CommentedMap) else \
        [(0, _most(v)) for v in x] if isinstance(x, CommentedSeq) else [(None, None)]
    if any(k is None or v is None for k, v in items):
        return None
    n = len(items)
    return sum(k + v for k, v in items) + (2 * n if n else 2) + (2 * n if isinstance(x, CommentedMap) else 0)


_QUOTES = frozenset("'\"\\")


def _fits(flow, key, col: int) -> bool:
    """Whether the flow collection ``flow`` fits on its line at column ``col`` after ``key``
    (None: after a list's dash). Only a collection its bounds do not decide is dumped to be
    measured (a kept CRD has thousands of small maps of long descriptions, and short ones:
    measuring each spent most of the time its layout took)."""
    lead = [key, ": "] if key is not None else ["- "]
    if col + sum(map(_least, lead)) + _least(flow) > WIDTH:
        return False
    most = [_most(key) if key is not None else 0, _most(flow)]
    if None not in most and col + 2 + sum(most) <= WIDTH:  # type: ignore[arg-type]
        return True
    return col + _line(CommentedMap([(key, flow)]) if key is not None else CommentedSeq([flow])) <= WIDTH


def _decide(obj, path: tuple, col: int, key, commented: set):
    """The collection ``obj`` written at column ``col`` (its key's or its dash's): a flow copy
    of it, or itself in block style."""
    if not obj:
        obj.fa.set_flow_style()
        return obj
    if _flowable(obj, path, commented):
        flow = _flow_copy(obj)
        if _fits(flow, key, col):
            return flow
    layout(obj, path, col + 2, commented)
    return obj


def layout(obj, path: tuple, col: int, commented: set) -> None:
    """Decide flow or block for every collection under the block collection ``obj``, whose
    entries (keys, or dashes) are at column ``col``."""
    obj.fa.set_block_style()
    if isinstance(obj, CommentedMap):
        for k, v in list(obj.items()):
            if isinstance(v, (CommentedMap, CommentedSeq)):
                obj[k] = _decide(v, path + (k,), col, k, commented)
    else:
        for i, v in enumerate(obj):
            if isinstance(v, (CommentedMap, CommentedSeq)):
                obj[i] = _decide(v, path + (i,), col, None, commented)
