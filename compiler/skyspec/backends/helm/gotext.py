"""The template writer of the Helm backend: prints a template tree (nodes.py) as Go template
text -- literals as YAML with `{{` escaped, the release's marks as `fullname` includes and
`.Release` fields, references as `{{ .Values... | toJson }}` (maps and lists as `toYaml |
nindent` when every YAML reader reads them back unchanged; images, names and env var values
through the chart's helpers), names that are not Go identifiers through `index`, conditions as
`{{- if ... }}` blocks. It reads the values layout (paths, values.yaml) to phrase each
reference; it must not decide what is a value or change the values.
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring_ascii
from typing import Any

from ...yamlemit import dump
from .marks import NAMESPACE, RELEASE, Joined, Name
from .nodes import Lit, Map, Raw, Ref, Seq, Tpl, has_keep_block, keep_block
from .values import Loc

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SIMPLE_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?\Z")

_KEYS: dict[str, str] = {}   # rendered mapping keys

class Writer:
    """Template text for one chart, whose values are ``locs`` and values.yaml is ``base``."""

    def __init__(self, name: str, locs: dict[tuple, Loc], base: dict, known: dict[tuple, set],
                 services: bool, printable: bool = False):
        self.name = name
        # a value as JSON text: through the chart's printable helper when the values hold a
        # character YAML readers refuse or fold, which toJson writes as it is
        self.json = f' | toJson | include "{name}.printable"' if printable else " | toJson"
        self.locs = locs
        self.base = base
        self.known = known          # env map path -> the var names the chart sets in it
        self.services = services    # whether env var values go through the env helper
        # texts by what decides them (the values layout is final when a Writer is made)
        self._exprs: dict[tuple, tuple[str, bool]] = {}
        self._conds: dict[Any, str | None] = {}
        self._refs: dict[tuple, str] = {}
        self._strs: dict[str, str] = {}         # a literal string -> its YAML text
        self._ints: dict[tuple, str] = {}       # (type, an int, a bool or None) -> its YAML text
        self._tpls: dict[int, tuple] = {}       # id of a Tpl -> (the Tpl, its text): a condition and its entry
        self._lits: dict[tuple, list] = {}      # (repr of a literal, indentation) -> its lines
        self._safe: dict[str, bool] = {}        # a string -> whether toYaml keeps it (_yaml_safe_str)

    def expr(self, path: tuple, index: int | None = None, safe: bool = False) -> tuple[str, bool]:
        """A Go template expression reading ``path`` from .Values, and whether it is a
        function call (to parenthesize as an argument). With ``safe``, maps values.yaml
        lacks are read as empty (``| default dict``) instead of failing."""
        key = (path, index, safe)
        got = self._exprs.get(key)
        if got is None:
            got = self._exprs[key] = self._expr(path, index, safe)
        return got

    def _expr(self, path: tuple, index: int | None, safe: bool) -> tuple[str, bool]:
        loc = self.locs.get(path)
        leaf_ok = loc is None or (loc.in_base and not loc.nullable)
        head, args = ".Values", []
        node: Any = self.base
        for i, seg in enumerate(path):
            last = i == len(path) - 1
            exists = type(node) is dict and seg in node
            if not args and exists and _IDENT.match(seg) and head[0] != "(" and (leaf_ok or not last):
                head += "." + seg
            elif safe and not exists and not last:
                head = f"(index {head} {' '.join(args + [_q(seg)])} | default dict)"
                args = []
            else:
                args.append(_q(seg))
            node = node.get(seg) if exists else None
        if index is not None:
            args.append(str(index))
        if args:
            return f"index {head} {' '.join(args)}", True
        return head, head[0] == "("

    def arg(self, path: tuple, safe: bool = False) -> str:
        text, call = self.expr(path, safe=safe)
        return f"({text})" if call and text[0] != "(" else text

    def cond_text(self, cond) -> str | None:
        """The Go template condition, or None when it always holds."""
        try:
            return self._conds[cond]
        except KeyError:
            text = self._conds[cond] = self._cond_text(cond)
            return text
        except TypeError:   # not hashable: not remembered
            return self._cond_text(cond)

    def _cond_text(self, cond) -> str | None:
        kind = cond[0]
        if kind == "has":
            if not self.locs[cond[1]].optional:
                return None
            return f"hasKey {self.arg(cond[1][:-1], safe=True)} {_q(cond[1][-1])}"
        if kind == "haskey":
            return f"hasKey {self.arg(cond[1][:-1], safe=True)} {_q(cond[1][-1])}"
        if kind in ("flag", "nonempty"):
            return self.expr(cond[1], safe=True)[0]
        if kind == "tplnonempty":
            return f'ne ({self.tpl(cond[1])}) "{{}}"'
        parts = [self.cond_text(x) for x in cond[1]]
        if any(p is None for p in parts):
            return None
        if len(parts) == 1:
            return parts[0]
        return "or " + " ".join(f"({p})" for p in parts)

    def ref_text(self, r: Ref, indent: int) -> str:
        key = (r.path, r.index, r.form, indent)
        text = self._refs.get(key)
        if text is None:
            text = self._refs[key] = self._ref_text(r, indent)
        return text

    def _ref_text(self, r: Ref, indent: int) -> str:
        loc = self.locs[r.path]
        safe = not loc.optional and not loc.in_base
        if r.form == "image":
            return f'{{{{ include "{self.name}.image" {self.arg(r.path, safe)}{self.json} }}}}'
        if r.form == "name":
            return f'{{{{ include "{self.name}.fullname" (list $ {self.arg(r.path, safe)}) | quote }}}}'
        if r.form == "env":
            return f"{{{{ {self.env_value(_q(r.path[-1]), self.arg(r.path, safe))}{self.json} }}}}"
        text = self.expr(r.path, r.index, safe)[0]
        vals = list(loc.vals.values())
        if r.index is None and all(type(v) in (dict, list) for v in vals) and all(_yaml_safe(v, self._safe) for v in vals):
            return f"{{{{- {text} | toYaml | nindent {indent} }}}}"
        return f"{{{{ {text}{self.json} }}}}"

    def env_value(self, name: str, value: str) -> str:
        """An env var's value (Go expressions for its name and value): Service names follow the
        release."""
        if self.services:
            return f'include "{self.name}.env" (list $ {name} {value})'
        return f"{value} | toString"

    def tpl(self, n: Tpl) -> str:
        """The text of a helper call node (written in its condition, then in its entry)."""
        got = self._tpls.get(id(n))
        if got is not None and got[0] is n:
            return got[1]
        text = self.parts(n.parts)
        self._tpls[id(n)] = (n, text)
        return text

    def parts(self, parts: list) -> str:
        """The text of a helper call (see nodes.Tpl)."""
        out = []
        for p in parts:
            if type(p) is str:
                out.append(p)
            elif p[0] == "arg":
                out.append(self.arg(p[1], safe=True))
            elif p[0] == "expr":
                out.append(self.expr(p[1], safe=True)[0])
            elif p[0] == "value":
                out.append(self.go_value(p[1]))
            elif p[0] == "gostr":
                out.append(_go_string(p[1]))
            elif p[0] == "known":
                out.append("(list" + "".join(" " + _q(n) for n in sorted(self.known.get(p[1], ()))) + ")")
            elif p[0] == "envvalue":
                out.append(self.env_value(p[1], p[2]))
            elif p[0] == "json":
                out.append(self.json)
        return "".join(out)

    def go_value(self, v: Any) -> str:
        """A Go template operand for a literal string or a release mark."""
        if v is NAMESPACE or v is RELEASE:
            return repr(v)
        if type(v) is Name:
            return f'(include "{self.name}.fullname" (list $ {_q(v.base)}))'
        if type(v) is Joined:
            return f"(print {' '.join(map(self.go_value, v.parts))})"
        return _q(v)

    def scalar(self, v: Any) -> str:
        """A literal scalar as YAML text (a release mark as the action printing it)."""
        if type(v) is Name:
            return f'{{{{ include "{self.name}.fullname" (list $ {_q(v.base)}) | quote }}}}'
        if v is NAMESPACE or v is RELEASE:
            return f"{{{{ {v!r} | quote }}}}"
        if type(v) is Joined:
            return f"{{{{ {self.go_value(v)[1:-1]} | quote }}}}"
        t = type(v)
        if t is str:
            text = self._strs.get(v)
            if text is None:
                text = self._strs[v] = _lit_scalar(v)
            return text
        if t is int or t is bool or v is None:
            key = (t, v)
            text = self._ints.get(key)
            if text is None:
                text = self._ints[key] = _lit_scalar(v)
            return text
        return _lit_scalar(v)

    def lit_lines(self, v: Any, ind: str) -> list[str]:
        """The lines of a literal map or list (holding no mark) at ``ind`` -- to read, not to
        change: the apps' literals are mostly the same (their probes, security contexts,
        ports), each written once. ``repr`` tells them apart as the YAML emitter does: by
        type and value (it writes a subclass as its base type), keys in order."""
        key = (repr(v), ind)
        got = self._lits.get(key)
        if got is None:
            got = self._lits[key] = _lit_lines(v, ind)
        return got

    def wrap(self, cond, lines: list[str], ind: str) -> list[str]:
        text = self.cond_text(cond) if cond is not None else None
        if text is None:
            return lines
        return [f"{ind}{{{{- if {text} }}}}"] + lines + [f"{ind}{{{{- end }}}}"]

    def map_lines(self, node, ind: str) -> list[str]:
        out: list[str] = []
        self._map(node, ind, out)
        return out

    # The printers below append the lines of a node to ``out``.
    def _map(self, node, ind: str, out: list[str]) -> None:
        if type(node) is Lit:
            out += self.lit_lines(node.value, ind)
            return
        for k, n, cond in node.entries:
            text = self.cond_text(cond) if cond is not None else None
            if text is None:
                self._entry(k, n, ind, out)
            else:
                out.append(f"{ind}{{{{- if {text} }}}}")
                self._entry(k, n, ind, out)
                out.append(f"{ind}{{{{- end }}}}")

    def _entry(self, k: str, n, ind: str, out: list[str]) -> None:
        kt = _KEYS.get(k)
        if kt is None:
            kt = _KEYS[k] = _escape(dump({k: 0})[:-4])
        t = type(n)
        if t is Lit:
            v = n.value
            tv = type(v)
            if tv is str:   # the most common entry: what :meth:`scalar` gives, remembered
                text = self._strs.get(v)
                out.append(f"{ind}{kt}: {self.scalar(v) if text is None else text}")
            elif (tv is dict or tv is list) and v and (n.plain or not has_keep_block(v)):
                out.append(f"{ind}{kt}:")
                out += self.lit_lines(v, ind + "  " if tv is dict else ind)
            else:
                out.append(f"{ind}{kt}: {self.scalar(v)}")
        elif t is Ref:
            out.append(f"{ind}{kt}: {self.ref_text(n, len(ind) + 2)}")
        elif t is Tpl:
            out.append(f"{ind}{kt}: {{{{ {self.tpl(n)} }}}}")
        elif t is Map:
            out.append(f"{ind}{kt}:")
            self._map(n, ind + "  ", out)
        else:
            out.append(f"{ind}{kt}:")
            self._seq(n, ind, out)

    def _seq(self, node: Seq, ind: str, out: list[str]) -> None:
        for n, cond in node.items:
            text = self.cond_text(cond) if cond is not None else None
            if text is None:
                self._item(n, ind, out)
            else:
                out.append(f"{ind}{{{{- if {text} }}}}")
                self._item(n, ind, out)
                out.append(f"{ind}{{{{- end }}}}")

    def _item(self, n, ind: str, out: list[str]) -> None:
        t = type(n)
        if t is Lit:
            v = n.value
            if type(v) in (dict, list) and v and (n.plain or not has_keep_block(v)):
                sub = self.lit_lines(v, ind + "  ")
            else:
                out.append(f"{ind}- {self.scalar(v)}")
                return
        elif t is Raw:
            out += [ind + self.parts(line) for line in n.lines]
            return
        elif t is Tpl:
            out.append(f"{ind}- {{{{ {self.tpl(n)} }}}}")
            return
        elif t is Ref:
            text = self.ref_text(n, len(ind) + 2)
            out.append(f"{ind}-{text}" if text.startswith("{{-") else f"{ind}- {text}")
            return
        else:
            sub = []
            if t is Map:
                self._map(n, ind + "  ", sub)
            else:
                self._seq(n, ind + "  ", sub)
        if not sub or sub[0].lstrip().startswith("{{-"):
            out.append(f"{ind}-")
            out += sub
        else:
            out.append(f"{ind}- {sub[0][len(ind) + 2:]}")
            out += sub[1:]


# what YAML readers refuse in a document (DEL, C1 controls, U+FFFE/U+FFFF) or read as a line
# break (NEL), and JSON does not escape: written as \u escapes by the chart's printable helper
UNPRINTABLE_CHARS = [chr(c) for c in range(0x7F, 0xA0)] + ["\ufffe", "\uffff"]
UNPRINTABLE = re.compile("[" + "".join(UNPRINTABLE_CHARS) + "]")


def unprintable(v: Any) -> bool:
    """Whether a string of ``v`` (a key or a value, at any depth) holds a character of
    :data:`UNPRINTABLE`."""
    t = type(v)
    if t is str:
        return UNPRINTABLE.search(v) is not None
    if t is dict:
        return any(unprintable(k) or unprintable(x) for k, x in v.items())
    if t is list:
        return any(unprintable(x) for x in v)
    return False


def _yaml_safe_str(s: str) -> bool:
    """Strings `toYaml` writes so that every YAML reader reads them back unchanged."""
    return dump(s) == s + "\n" or _SIMPLE_NUMBER.match(s) is not None


def _yaml_safe(v: Any, known: dict[str, bool]) -> bool:
    """Whether ``toYaml`` writes ``v`` so that every YAML reader reads it back unchanged
    (``known``: the strings seen, and whether they are)."""
    t = type(v)
    if t is dict:
        return all((_yaml_safe(k, known) if type(k) is str else _yaml_safe_str(k)) and _yaml_safe(x, known)
                   for k, x in v.items())
    if t is list:
        return all(_yaml_safe(x, known) for x in v)
    if t is str:
        ok = known.get(v)
        if ok is None:
            ok = known[v] = _yaml_safe_str(v)
        return ok
    return t in (int, bool) or v is None


def _escape(text: str) -> str:
    """Literal text for a Go template: `{{` becomes an action printing it."""
    return text.replace("{{", '{{ "{{" }}') if "{{" in text else text


# JSON's escape of a character beyond U+FFFF: two \\u escapes of a surrogate pair, after an
# even number of backslashes (else the first is an escaped backslash's)
_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")


def _astral(m: re.Match) -> str:
    return f"{m[1]}\\U{0x10000 + ((int(m[2], 16) - 0xD800) << 10) + int(m[3], 16) - 0xDC00:08x}"


def json_text(text: str) -> str:
    """JSON text (ASCII, as ``json.dumps`` writes it) as YAML's double quotes and Go's string
    literals read it: a character beyond U+FFFF as one ``\\U`` escape, not JSON's surrogate pair
    (an emoji as ``\\ud83d\\ude00``), which both refuse ("invalid Unicode character escape")."""
    return _PAIR.sub(_astral, text) if "\\ud" in text else text


def go_quote(s: Any) -> str:
    """A Go template string literal (``json.dumps(s)``, :func:`json_text`)."""
    return json_text(encode_basestring_ascii(s) if type(s) is str else json.dumps(s))


_q = go_quote


def _go_string(s: str) -> str:
    """A Go template string literal for a text: a raw `...` string, which keeps its lines as
    they are (readable in the template), unless it holds a backquote or a carriage return
    (which a raw string drops); else a quoted one."""
    if "`" not in s and "\r" not in s:
        return f"`{s}`"
    return json.dumps(s, ensure_ascii=False)


def _lit_lines(v: Any, ind: str) -> list[str]:
    text = dump(v)[:-1]
    return [_escape(ind + line) if line else "" for line in text.split("\n")]


def _lit_scalar(v: Any) -> str:
    if type(v) in (dict, list):
        return _escape(json_text(json.dumps(v)) if v else dump(v)[:-1])
    if keep_block(v):
        return _escape(json_text(json.dumps(v)))
    return _escape(dump(v)[:-1])
