"""YAML spec files into positioned documents.

libyaml (PyYAML's C parser) composes the node graph; a small walk turns nodes into plain
values and a :class:`Loc` tree. This keeps line/column for every value at C speed; ruamel's
round-trip loader would give the same positions ~19x slower (reference/performance.md).

The input is untrusted, and it must not be able to exhaust the machine: the walk shares
aliased values instead of copying them and enforces the limits on nesting and on the number
of values (every alias counted as the copy later stages will make of it). libyaml's composer
recurses in C, where deep nesting would crash the process, builds a whole document before
the walk can count it, and aliases can expand a few hundred bytes into billions of values;
so a text that could nest deeper than the composer safely goes, hold more values than the
limit, or that has anchors, is first scanned event by event (no recursion, nothing built)
and refused at the first event over a limit. Nothing here may expand an alias, nor compose
a text those cheap bounds have not cleared.
Specs are plain YAML: a tag other than the core schema's (`!!python/object:...`, `!!binary`,
`!local`, or `!!int` on a scalar that is no integer) is SKY019 at the tag, and the value is
read as if it had none; no tag ever selects a constructor.
"""

from __future__ import annotations

import re

from .recache import YAML_NON_PRINTABLE, seed

seed(YAML_NON_PRINTABLE)  # before `import yaml`: its reader compiles the pattern (see .recache)

import yaml  # noqa: E402
from yaml.constructor import SafeConstructor  # noqa: E402
from yaml.events import (AliasEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent,  # noqa: E402
                         ScalarEvent, SequenceEndEvent, SequenceStartEvent)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode  # noqa: E402

from ..diagnostics import Diagnostics, Pos  # noqa: E402
from ..limits import DEFAULT, Exceeded, Limits, too_deep, too_many  # noqa: E402
from .loc import Loc, SourceDoc  # noqa: E402

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
    plain strings recognisable by their first character, and the others are few values
    repeated (`true`, `8080`, keys such as `name`): a plain scalar's tag depends on its text
    alone, so it is resolved once per text (:data:`_PLAIN`). A collection's tag is the
    default (the loader has no path resolvers). Same results (tested)."""

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if implicit[0] and value:
                if value[0] not in _MAYBE_TYPED:
                    return _STR
                tag = _PLAIN.get(value)
                if tag is None:
                    tag = super().resolve(kind, value, implicit)
                    if len(_PLAIN) < _PLAIN_MAX:
                        _PLAIN[value] = tag
                return tag
        elif kind is MappingNode:
            return _MAP
        elif kind is SequenceNode:
            return _SEQ
        return super().resolve(kind, value, implicit)


class _CoreLoader(_Loader):
    """:class:`_Loader` reading what only YAML 1.1 types as text, as YAML 1.2's core schema
    does, and Compose reads its files so: the other boolean words (`yes`, `no`, `on`, `off`:
    `restart: no` is "no") and base-60 numbers (`ports: [25:25]` is port 25 published on 25,
    not the integer 1525; `1:30:00` is no 5400)."""

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode and implicit[0] and value in _WORDS:
            return _STR
        tag = super().resolve(kind, value, implicit)
        if kind is ScalarNode and tag in (_INT, _FLOAT) and ":" in value:
            return _STR
        return tag


_WORDS = frozenset(w for word in ("yes", "no", "on", "off") for w in (word, word.title(), word.upper()))
assert not _Loader.yaml_path_resolvers  # a collection's tag (and a plain scalar's) depends on nothing else
_PLAIN: dict[str, str] = {}  # the tag of a plain scalar starting like a number, boolean or null, by its text
_PLAIN_MAX = 1 << 16

# Nesting the composer is known to handle (libyaml's recurses in C: ~30,000 levels crash it with
# an 8 MiB stack; PyYAML's own recurses in Python). Texts that cannot nest deeper than this
# are composed directly; others are scanned first.
_COMPOSE_SAFE = 1000 if _Base is not yaml.SafeLoader else 200
# Block nesting needs a deeper indent or an inline `- `/`? ` per level, flow nesting a `[`/`{`
# per level, so with no indent of _INDENT_CAP spaces a text nests at most
# 2 * (_INDENT_CAP + 1) + (number of indicators) + 1 levels.
_INDENT_CAP = 100
_DEEP_INDENT = " " * _INDENT_CAP
_INDICATOR_BUDGET = _COMPOSE_SAFE - 2 * (_INDENT_CAP + 1) - 1
_BLANKS = (" ", "\t", "\n", "\r", "\x85", "\u2028", "\u2029")  # what makes `-` or `?` an indicator
_ANCHOR = re.compile(r"&[^\s,\[\]{}&]")


def _cycle(pos: Pos) -> Exceeded:
    return Exceeded("SKY001", "invalid YAML: an alias refers to a value that contains it", pos)


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_CORE = "tag:yaml.org,2002:"
# What a constructor does with an explicit core tag on a scalar that does not fit it
# (`!!int abc`): raises; such a tag is refused like any other.
_CONSTRUCT = {_INT: SafeConstructor.construct_yaml_int, _FLOAT: SafeConstructor.construct_yaml_float,
              _BOOL: SafeConstructor.construct_yaml_bool}


_KEY_TAGS = frozenset((_STR, _INT, _FLOAT, _BOOL, _NULL))


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


def _pos(file: str, node) -> Pos:
    s, e = node.start_mark, node.end_mark
    end = e.column + 1 if e.line == s.line else 0
    return Pos(file, s.line + 1, s.column + 1, end)


class _Walker:
    """One document's nodes into (data, Loc). ``budget`` is how many more values the file may
    have; each collection takes its children from it on entry, and an alias (a node met
    again) the size of what it repeats, so shared values are never walked twice."""

    def __init__(self, file: str, loader, diags: Diagnostics, limits: Limits, budget: int, shared: bool = True,
                 merges: bool = True):
        self.file = file
        self.loader = loader
        self.diags = diags
        self.limits = limits
        self.max_depth = limits.depth
        self.budget = budget
        # id(node) -> (result, values beneath it), None while it is walked. Only a text with
        # anchors can meet a node twice: without, the nodes form a tree and need no memo.
        self.memo: dict[int, tuple | None] | None = {} if shared else None
        self.merges = merges  # whether the text can hold a merge key (`<<`, or one tagged `merge`)

    def _tag(self, node, pos: Pos, message: str | None = None) -> None:
        """An explicit tag other than the core schema's (`!!python/object:...`, `!!binary`,
        `!local`): reported, and the value read as if it had none."""
        merging = isinstance(self.loader, _CoreLoader) and node.tag in ("!override", "!reset")
        self.diags.error("SKY019", message or f"the YAML tag {_shown_tag(node.tag)} is not allowed", pos,
                         hint="Compose applies it when it merges files: import what `docker compose config` prints "
                              "for them" if merging else
                         "skyspec reads plain YAML: no tags; remove it (quote the value to keep it text)")

    def _untagged(self, node, depth: int):
        """A scalar whose tag was refused, read as the same scalar without it (`!!int abc` is
        the text "abc", `!!python/object 2` the number 2): no follow-on type errors."""
        plain = not node.style
        node.tag = self.loader.resolve(ScalarNode, node.value, (plain, not plain)) if plain else _STR
        return self.walk(node, depth)

    def _over(self, node, children: list, taken: int) -> Exceeded:
        """The error for the first child of ``node`` past the budget (``taken`` values were
        still available when the collection was entered)."""
        if isinstance(node, MappingNode):
            child = children[taken // 2][taken % 2]
        else:
            child = children[taken]
        return too_many(_pos(self.file, child), self.limits)

    def walk(self, node, depth: int = 1):
        tag = node.tag
        if isinstance(node, ScalarNode):
            s, e = node.start_mark, node.end_mark  # (_pos, inline: this runs for every value)
            pos = Pos(self.file, s.line + 1, s.column + 1, e.column + 1 if e.line == s.line else 0)
            if tag == _STR:
                value = node.value
            elif tag in _CONSTRUCT:
                try:
                    value = _CONSTRUCT[tag](self.loader, node)
                except (ValueError, KeyError):  # only an explicit tag can misfit its scalar
                    self._tag(node, pos, f"the YAML tag {_shown_tag(tag)} does not fit this value")
                    return self._untagged(node, depth)
            elif tag == _NULL:
                value = None
            else:  # timestamps and `=` that the resolver found stay text; an explicit tag is refused
                if node.style or self.loader.resolve(ScalarNode, node.value, (True, False)) != tag:
                    self._tag(node, pos)
                    return self._untagged(node, depth)
                value = node.value
            return value, Loc(pos)
        memo = self.memo
        if memo is not None:
            key = id(node)
            if key in memo:  # an alias: same data, same positions
                hit = memo[key]
                if hit is None:
                    raise _cycle(_pos(self.file, node))
                self.budget -= hit[1]
                if self.budget < 0:
                    raise too_many(_pos(self.file, node), self.limits)
                return hit[0]
            memo[key] = None
        pos = _pos(self.file, node)
        if depth > self.max_depth:
            raise too_deep(pos, self.limits)
        before = self.budget
        depth += 1
        if tag != _SEQ and tag != _MAP:
            self._tag(node, pos)
        if isinstance(node, SequenceNode):
            items = node.value
            self.budget -= len(items)
            if self.budget < 0:
                raise self._over(node, items, before)
            values, locs = [], []
            for item in items:
                v, l = self.walk(item, depth)
                values.append(v)
                locs.append(l)
            result = (values, Loc(pos, None, locs))
        elif isinstance(node, MappingNode):
            merged = 0   # the pairs a `<<` merge key brought in, first: a key written here overrides them
            if self.merges and any(k.tag == _MERGE for k, _ in node.value):
                written = sum(1 for k, _ in node.value if k.tag != _MERGE)
                SafeConstructor.flatten_mapping(self.loader, node)
                merged = len(node.value) - written
            pairs = node.value
            self.budget -= 2 * len(pairs)
            if self.budget < 0:
                raise self._over(node, pairs, before)
            data: dict = {}
            keys: dict = {}
            kids: dict = {}
            own: set = set()   # the keys written in this mapping (one of them twice is SKY005)
            for i, (knode, vnode) in enumerate(pairs):
                if not isinstance(knode, ScalarNode):
                    self.diags.error("SKY004", "mapping keys must be plain scalars",
                                     _pos(self.file, knode), hint="write the key as a name (`key: value`), "
                                                                  "not as a list or a map")
                    continue
                k = knode.value  # keys are names: `80:` or `true:` stay text, whatever their tag
                s, e = knode.start_mark, knode.end_mark
                kpos = Pos(self.file, s.line + 1, s.column + 1, e.column + 1 if e.line == s.line else 0)
                if knode.tag not in _KEY_TAGS and (knode.style or self.loader.resolve(
                        ScalarNode, k, (True, False)) != knode.tag):
                    self._tag(knode, kpos)
                if i >= merged and k in own:
                    first = keys[k]
                    self.diags.error("SKY005", f'duplicate key "{k}"', kpos,
                                     hint=f"the first one is at line {first.line}; remove one of them")
                if i >= merged:
                    own.add(k)
                v, l = self.walk(vnode, depth)
                data[k] = v
                keys[k] = kpos
                kids[k] = l
            result = (data, Loc(pos, keys, kids))
        else:  # pragma: no cover - libyaml only produces the three node kinds
            raise TypeError(type(node))
        if memo is not None:
            memo[key] = (result, before - self.budget)
        return result


def _needs_scan(text: str, limits: Limits) -> bool:
    """Whether ``text`` may hold aliases, nest deeper than the composer safely goes, or hold
    more values than the limit (the composer would build them all before the walk counts).
    Cheap bounds from character counts; only texts they cannot clear are scanned."""
    if "&" in text and "*" in text and _ANCHOR.search(text):
        return True
    if _DEEP_INDENT in text:
        return True
    count = text.count
    openers = count("[") + count("{")
    indicators = count("-") + count("?")  # an upper bound: `-` and `?` are indicators before a blank
    # Every value but the first follows a separator, and one separator starts at most
    # three values (`[:` opens a mapping with an empty key and value); a character at most
    # one and a half (`[:,:,:]`).
    if 2 * len(text) + 4 > limits.nodes:
        separators = openers + indicators + count(",") + count(":") + count("\n") + count("\r")
        if 3 * separators + 4 > limits.nodes:
            return True
    if openers + indicators > _INDICATOR_BUDGET:  # closer: only `-`/`?` before a blank or the end
        indicators = sum(count(c + b) for c in "-?" for b in _BLANKS) + text.endswith(("-", "?"))
        if any(b in text for b in _BLANKS[4:]):  # rare line breaks: count them all, conservatively
            indicators += sum(count(b) for b in _BLANKS[4:])
        return openers + indicators > _INDICATOR_BUDGET
    return False


def _scan(text: str, file: str, limits: Limits) -> Exceeded | None:
    """The first event of ``text`` past a limit (nesting, aliases per document, values per
    file with every alias counted as a copy, text after expanding aliases), or None. Builds
    nothing and never recurses. A syntax error ends the scan: the composer reports it, and
    nests no deeper on the way than the events scanned."""
    loader = _Base(text)
    max_depth, max_aliases, max_nodes, max_chars = limits.depth, limits.aliases, limits.nodes, limits.file_bytes
    depth = nodes = chars = aliases = 0
    open_: list = []        # (anchor, nodes, chars) of each open collection
    sizes: dict = {}        # anchor -> (values beneath it, characters in and beneath it)
    try:
        while loader.check_event():
            ev = loader.get_event()
            cls = type(ev)
            if cls is ScalarEvent:
                nodes += 1
                if ev.anchor is not None:
                    sizes[ev.anchor] = (0, len(ev.value))
                chars += len(ev.value)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                nodes += 1
                depth += 1
                if depth > max_depth:
                    return too_deep(_pos(file, ev), limits)
                open_.append((ev.anchor, nodes, chars))
                if ev.anchor is not None:
                    sizes.pop(ev.anchor, None)  # being defined: an alias to it now is a cycle
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                depth -= 1
                anchor, n0, c0 = open_.pop()
                if anchor is not None:
                    sizes[anchor] = (nodes - n0, chars - c0)
            elif cls is AliasEvent:
                aliases += 1
                if aliases > max_aliases:
                    return Exceeded("SKY015", f"more than {max_aliases:,} aliases in one document", _pos(file, ev),
                                    "aliases", max_aliases)
                size = sizes.get(ev.anchor)
                if size is None:
                    if any(a == ev.anchor for a, _, _ in open_):
                        return _cycle(_pos(file, ev))
                    return None  # an undefined alias: the composer reports it
                nodes += 1 + size[0]
                chars += size[1]
                if chars > max_chars:
                    return Exceeded("SKY016", f"aliases expand this file past {max_chars:,} characters of text",
                                    _pos(file, ev), "file_bytes", max_chars)
            elif cls is DocumentStartEvent:
                aliases = 0
                sizes.clear()
                continue
            else:
                continue
            if nodes > max_nodes:
                return too_many(_pos(file, ev), limits)
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


class _Lines:
    """The line and column an editor shows for a YAML reader's mark. YAML 1.1 (PyYAML and
    libyaml) also ends a line at NEL, LS and PS (U+0085, U+2028, U+2029), which editors, grep
    and GitHub show inside a line (they end lines at \\n, \\r\\n and \\r); and it puts the end
    of a text without a final line break on a line after the last."""

    BREAKS_ONLY_IN_YAML = ("\x85", "\u2028", "\u2029")

    def __init__(self, text: str):
        self.yaml = [0] + [m.end() for m in re.finditer("\r\n|[\r\n\x85\u2028\u2029]", text)]
        self.editor = [0] + [m.end() for m in re.finditer("\r\n|[\r\n]", text)]
        self.size = len(text)

    def at(self, line: int, column: int) -> tuple[int, int]:
        """The editor's (line, column) of a mark's, all 0-based."""
        from bisect import bisect_right

        off = self.size if line >= len(self.yaml) else min(self.yaml[line] + column, self.size)
        i = bisect_right(self.editor, off) - 1
        return i, off - self.editor[i]

    def pos(self, file: str, mark) -> Pos:
        line, col = self.at(mark.line, mark.column)
        return Pos(file, line + 1, col + 1)

    def remark(self, node) -> None:
        """Give ``node`` and every node beneath it the editor's marks (the walk reads them)."""
        seen: set[int] = set()
        todo = [node]
        while todo:
            n = todo.pop()
            if id(n) in seen:
                continue
            seen.add(id(n))
            for attr in ("start_mark", "end_mark"):
                m = getattr(n, attr)
                line, col = self.at(m.line, m.column)
                setattr(n, attr, yaml.Mark(m.name, m.index, line, col, None, None))
            if isinstance(n, MappingNode):
                todo.extend(x for pair in n.value for x in pair)
            elif isinstance(n, SequenceNode):
                todo.extend(n.value)


def _reader_pos(text: str, file: str, offset: int) -> Pos:
    """Where the reader stopped: libyaml counts UTF-8 bytes, PyYAML's own reader characters."""
    if _Base is not yaml.SafeLoader:
        offset = len(text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
    head = text[:offset]
    line = head.count("\n") + 1
    col = offset - (head.rfind("\n") + 1) + 1
    return Pos(file, line, col, col + 1)


def _yaml_hint(problem: str) -> str:
    """How to fix what the YAML reader found (``problem``, its words)."""
    if "found character '\\t'" in problem or "tab" in problem:
        return "YAML indentation must use spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return 'a value containing ": " must be quoted'
    if "cannot start any token" in problem:
        return "quote the value: a plain value cannot start with `@` or a backtick, and tabs cannot indent"
    if "could not find expected ':'" in problem:
        return "a key needs `: ` after it; a value that goes on to the next line must be quoted or indented more"
    return ("YAML often reports a mistake at the token after it: look at this line and the one above for an "
            "unclosed quote or bracket, a missing `: ` or a wrong indent")


def load_yaml(text: str, file: str, diags: Diagnostics, limits: Limits = DEFAULT,
              core: bool = False) -> list[SourceDoc]:
    """All documents of a YAML stream; empty documents are skipped. Syntax errors become
    SKY001 diagnostics and yield no documents for that file (nothing partial); so do
    nesting, alias and size limits passed (SKY009, SKY015, SKY016). ``core``: `yes`, `no`,
    `on` and `off` are text (:class:`_CoreLoader`)."""
    if _needs_scan(text, limits):
        problem = _scan(text, file, limits)
        if problem is not None:
            problem.report(diags)
            return []
    loader = (_CoreLoader if core else _Loader)(text)
    docs: list[SourceDoc] = []
    budget = limits.nodes
    shared = "&" in text  # an alias needs an anchor
    # a merge key is `<<` or tagged `merge` (`!!merge`, `!x!merge`, or %-escaped in a tag)
    merges = "<<" in text or "merge" in text or "%" in text
    # (positions as an editor counts lines, where YAML counts more line breaks)
    lines = _Lines(text) if any(c in text for c in _Lines.BREAKS_ONLY_IN_YAML) else None
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            if lines is not None:
                lines.remark(node)
            budget -= 1  # the document itself
            if budget < 0:
                raise too_many(_pos(file, node), limits)
            walker = _Walker(file, loader, diags, limits, budget, shared, merges)
            data, loc = walker.walk(node)
            budget = walker.budget
            if not (data is None or data == "" and isinstance(node, ScalarNode)):
                docs.append(SourceDoc(file, index, data, loc))
            index += 1
    except Exceeded as exc:
        exc.report(diags)
        return []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _Lines(text).pos(file, mark) if mark else Pos(file, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        diags.error("SKY001", f"invalid YAML: {problem}", pos, hint=_yaml_hint(problem))
        return []
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        c = exc.character
        what = (f"control character U+{c:04X}" if c < 0x20 or 0x7F <= c < 0xA0 else f"character U+{c:04X}") \
            if isinstance(c, int) else "a character"
        diags.error("SKY001", f"invalid YAML: {what} is not allowed", _reader_pos(text, file, exc.position),
                    hint="remove it; write control characters in a double-quoted string as escapes, e.g. \"\\t\"")
        return []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = _Lines(text).pos(file, mark) if mark else Pos(file, 1, 1)
        diags.error("SKY001", f"invalid YAML: {exc}", pos, hint=_yaml_hint(str(exc)))
        return []
    finally:
        loader.dispose()
    return docs
