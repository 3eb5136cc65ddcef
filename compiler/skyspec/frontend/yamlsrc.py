"""YAML spec files into positioned documents.

libyaml (PyYAML's C parser) composes the node graph; a small walk turns nodes into plain
values and a :class:`Loc` tree. This keeps line/column for every value at C speed; ruamel's
round-trip loader would give the same positions ~19x slower (reference/performance.md).
"""

from __future__ import annotations

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..diagnostics import Diagnostics, Pos
from .loc import Loc, SourceDoc

try:  # the C loader; the pure-Python one is a slow but correct fallback
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Base = yaml.SafeLoader

# Only a plain scalar starting with one of these can resolve to anything but a string
# (numbers, booleans, null, timestamps, `<<`, `=`): the first character of every implicit
# resolver of YAML 1.1 in PyYAML's SafeLoader.
_MAYBE_TYPED = frozenset("0123456789+-.~yYnNtTfFoO<=")


class _Loader(_Base):
    """PyYAML's C loader with a faster tag resolver: the generic one walks a table of regular
    expressions for every scalar, although most spec scalars (names, images, paths) are
    plain strings recognisable by their first character. Same results (tested)."""

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode and implicit[0] and value and value[0] not in _MAYBE_TYPED:
            return "tag:yaml.org,2002:str"
        return super().resolve(kind, value, implicit)

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"


def _pos(file: str, node) -> Pos:
    s, e = node.start_mark, node.end_mark
    end = e.column + 1 if e.line == s.line else 0
    return Pos(file, s.line + 1, s.column + 1, end)


class _Walker:
    def __init__(self, file: str, loader, diags: Diagnostics):
        self.file = file
        self.loader = loader
        self.diags = diags
        self.memo: dict[int, tuple] = {}

    def walk(self, node):
        tag = node.tag
        if isinstance(node, ScalarNode):
            pos = _pos(self.file, node)
            if tag == _INT:
                value = SafeConstructor.construct_yaml_int(self.loader, node)
            elif tag == _FLOAT:
                value = SafeConstructor.construct_yaml_float(self.loader, node)
            elif tag == _BOOL:
                value = SafeConstructor.construct_yaml_bool(self.loader, node)
            elif tag == _NULL:
                value = None
            else:  # str, timestamps, binary and custom tags stay text
                value = node.value
            return value, Loc(pos)
        key = id(node)
        if key in self.memo:  # an alias: same data, same positions
            return self.memo[key]
        pos = _pos(self.file, node)
        if isinstance(node, SequenceNode):
            values, locs = [], []
            for item in node.value:
                v, l = self.walk(item)
                values.append(v)
                locs.append(l)
            result = (values, Loc(pos, None, locs))
        elif isinstance(node, MappingNode):
            if any(k.tag == _MERGE for k, _ in node.value):
                SafeConstructor.flatten_mapping(self.loader, node)
            data: dict = {}
            keys: dict = {}
            kids: dict = {}
            for knode, vnode in node.value:
                if not isinstance(knode, ScalarNode):
                    self.diags.error("SKY004", "mapping keys must be plain scalars",
                                     _pos(self.file, knode))
                    continue
                k, _ = self.walk(knode)
                if not isinstance(k, str):
                    k = knode.value  # keys are names: `80:` or `true:` stay text
                kpos = _pos(self.file, knode)
                if k in data:
                    first = keys[k]
                    self.diags.error("SKY005", f'duplicate key "{k}"', kpos,
                                     hint=f"the first one is at line {first.line}; remove one of them")
                v, l = self.walk(vnode)
                data[k] = v
                keys[k] = kpos
                kids[k] = l
            result = (data, Loc(pos, keys, kids))
        else:  # pragma: no cover - libyaml only produces the three node kinds
            raise TypeError(type(node))
        self.memo[key] = result
        return result


def load_yaml(text: str, file: str, diags: Diagnostics) -> list[SourceDoc]:
    """All documents of a YAML stream; empty documents are skipped. Syntax errors become
    SKY001 diagnostics and yield no documents for that file (nothing partial)."""
    loader = _Loader(text)
    docs: list[SourceDoc] = []
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            data, loc = _Walker(file, loader, diags).walk(node)
            if not (data is None or data == "" and isinstance(node, ScalarNode)):
                docs.append(SourceDoc(file, index, data, loc))
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(file, mark.line + 1, mark.column + 1) if mark else Pos(file, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        hint = None
        if "found character '\\t'" in problem or "tab" in problem:
            hint = "YAML indentation must use spaces, not tabs"
        elif "mapping values are not allowed" in problem:
            hint = 'a value containing ": " must be quoted'
        diags.error("SKY001", f"invalid YAML: {problem}", pos, hint=hint)
        return []
    except yaml.YAMLError as exc:  # reader errors (bad encoding, control chars)
        mark = getattr(exc, "problem_mark", None)
        pos = Pos(file, mark.line + 1, mark.column + 1) if mark else Pos(file, 1, 1)
        diags.error("SKY001", f"invalid YAML: {exc}", pos)
        return []
    finally:
        loader.dispose()
    return docs
