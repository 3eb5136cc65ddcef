"""Spec documents as YAML a person would write: block style, with small maps and lists of
scalars in flow style (`resources: {cpu: 100m, memory: 64Mi}`), plain scalars wherever
PyYAML reads them back unchanged, and a comment above each key the importer inferred or
patched; and the imported project's file (:func:`project_file`). Output is deterministic; it
never writes a value it was not given.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Sequence

import yaml

# what a YAML stream may not hold raw (outside the printable set), and the line breaks YAML
# knows besides "\n" (a raw one would end the line): written as escapes in double quotes
_ESCAPE = re.compile("[^\x09\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd\U00010000-\U0010ffff]"
                     "|[\u2028\u2029\ufeff]")


def _quoted(s: str) -> str:
    """``s`` as a double-quoted YAML scalar that reads back as ``s``."""
    text = json.dumps(s, ensure_ascii=False)
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) < 0x10000 else
                       f"\\U{ord(m.group()):08x}", text)


def scalar(v) -> str:
    """``v`` as a YAML scalar that reads back as ``v``: plain where it can be, else quoted."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    s = str(v)
    return s if _plain(s) else _quoted(s)


# a word PyYAML reads as itself whatever it holds: a letter first (no number, date, `.inf`,
# `~`, `<<`, document marker), then letters, digits and `_./-` and inner spaces: only YAML
# 1.1's booleans and nulls among such words are not strings (the imported CRDs' descriptions
# and names are most of a large import's scalars, each parsed by the pure loader before)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_./ -]*")
_NOT_TEXT = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL".split())


@lru_cache(maxsize=16384)
def _plain(s: str) -> bool:
    """Whether ``s`` written plain reads back as this string."""
    if not s or s[-1] == " ":
        return False
    if _WORD.fullmatch(s):
        return s not in _NOT_TEXT
    if "\n" not in s and not _ESCAPE.search(s) and s.strip() == s and not any(ch in s for ch in ":#{}[],&*!|>'\"%@`") \
            and not s.startswith(("-", "?")):
        try:
            return yaml.safe_load(s) == s
        except yaml.YAMLError:
            pass
    return False


def _flow(v) -> str | None:
    """A one-line form for small leaf collections, else None."""
    if isinstance(v, dict):
        if not v:
            return "{}"
        if all(not isinstance(x, (dict, list)) and "\n" not in str(x) for x in v.values()):
            text = "{" + ", ".join(f"{_keytext(k)}: {scalar(x)}" for k, x in v.items()) + "}"
            return text if len(text) <= 72 else None
        return None
    if isinstance(v, list):
        if not v:
            return "[]"
        if all(not isinstance(x, (dict, list)) for x in v):
            text = "[" + ", ".join(scalar(x) for x in v) + "]"
            return text if len(text) <= 72 else None
    return None


def _keytext(k) -> str:
    return scalar(str(k))


def dump(doc: dict, comments: dict | None = None) -> str:
    """``comments`` maps a top-level key to the comment written above it."""
    out: list[str] = []
    _block(_literal(doc), 0, out, comments or {})
    return "\n".join(out) + "\n"


class Expression(str):
    """A string the import writes as a spec expression (`${vars.NAME}`), its literal parts
    already escaped: written as it is."""


def _literal(v):
    """``v`` with `${` in every string value written `$${`: each string comes from the input,
    where `${` is text (a shell's `${VAR}`), and in a spec's value it would be an expression.
    Keys are not: a spec reads its keys as written. An :class:`Expression` is one already."""
    if isinstance(v, Expression):
        return v
    if isinstance(v, str):
        return v.replace("${", "$${")
    if isinstance(v, dict):
        return {k: _literal(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_literal(x) for x in v]
    return v


def _block(d: dict, ind: int, out: list, comments: dict) -> None:
    pad = " " * ind
    for k, v in d.items():
        if ind == 0 and k in comments:
            for line in comments[k].splitlines():
                out.append(f"# {line}")
        flow = _flow(v) if isinstance(v, (dict, list)) else scalar(v)
        if flow is not None and (not isinstance(v, str) or "\n" not in v):
            out.append(f"{pad}{_keytext(k)}: {flow}")
        elif isinstance(v, str) and not _literal_ok(v):
            out.append(f"{pad}{_keytext(k)}: {_quoted(v)}")
        elif isinstance(v, str):
            out.append(f"{pad}{_keytext(k)}: |{'' if v.endswith(chr(10)) else '-'}")
            out += _literal_lines(v, pad + "  ")
        elif isinstance(v, dict):
            out.append(f"{pad}{_keytext(k)}:")
            _block(v, ind + 2, out, {})
        else:
            out.append(f"{pad}{_keytext(k)}:")
            _seq(v, ind, out)


def _seq(items: list, ind: int, out: list) -> None:
    pad = " " * ind
    for x in items:
        if isinstance(x, dict) and x:
            sub: list[str] = []
            _block(x, ind + 2, sub, {})
            sub[0] = f"{pad}- " + sub[0][ind + 2:]
            out += sub
        elif isinstance(x, list) and x and _flow(x) is None:
            out.append(f"{pad}-")
            _seq(x, ind + 2, out)
        elif isinstance(x, str) and "\n" in x and _literal_ok(x):   # (a script in a command: as written)
            out.append(f"{pad}- |{'' if x.endswith(chr(10)) else '-'}")
            out += _literal_lines(x, pad + "  ")
        else:
            f = _flow(x) if isinstance(x, (dict, list)) else scalar(x)
            if isinstance(x, str) and "\n" in x:
                f = _quoted(x)
            out.append(f"{pad}- {f}")


def _literal_ok(v: str) -> bool:
    """Whether ``v`` (lines) reads back unchanged from a literal block (`|`): no character it
    would need escaped, no edge a block loses (leading or trailing spaces, a first empty line,
    more than one final line break), no tab or carriage return."""
    return not (_ESCAPE.search(v) or v != v.strip(" ") or "\t" in v or "\r" in v or v.startswith("\n")
                or v.endswith("\n\n"))


def _literal_lines(v: str, pad: str) -> list[str]:
    return [f"{pad}{line}" if line else "" for line in v.rstrip("\n").split("\n")]


def project_file(name: str, namespace: str, envs: str = "  default: {}\n", outputs: str = "[kubernetes]",
                 host_access: bool = False, unpinned: Sequence[str] = (), own_pods: bool = False) -> str:
    """The imported project's file; ``unpinned``: the image rules (:func:`.lowered.unpinned`) lowered
    to warnings, as the input runs such images; ``own_pods``: the input makes pods at run time
    (:func:`.operators.pod_maker`), which the default deny leaves open."""
    why = [w for w, on in (("a node agent (host access)", host_access),
                           ("an image of no version", "latest-image" in unpinned),
                           ("an image of a moving tag", "mutable-tag" in unpinned)) if on]
    rules = ["privileged: warning"] * host_access + [f"{r}: warning" for r in unpinned]
    policy = (f"# the input runs {' and '.join(why)}: as it does, under a warning\n"
              f"policy: {{rules: {{{', '.join(rules)}}}}}\n") if rules else ""
    network = ("# the input makes pods at run time (an operator): the default deny selects the project's pods "
               "only,\n# and leaves those open, as the input did\nnetwork: {default_deny: project}\n") if own_pods else ""
    # (quoted where YAML would read another type: a namespace `0`, a project `true`)
    return (f"# imported by `skyspec import`\nproject: {scalar(name)}\n"
            f"namespace: {scalar(namespace)}\n"
            f'specs: ["apps/*.yaml"]\nenvironments:\n{envs}outputs: {outputs}\n{policy}{network}')
