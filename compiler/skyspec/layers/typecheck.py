"""Type checks per layer: each document (a spec, a `use:` template's spec, an overlay's
`all`, `match[].patch`, `apps.<name>` and `defaults` sections, a `--set` value) is checked
against the types of the fields it sets, as written, before it is merged, so a value that a
later layer overrides is still reported, at its own line.

A layer is checked against the *partial* schema of the kind it is applied to
(:mod:`skyspec.schema.partial`: no required fields, no key or item counts), after the merge
operators are read the way the merge reads them: `key+` and `key!` are `key`, `key: null`
deletes (nothing to check), `key-` takes the keys or items to remove. A `${...}` string is
accepted wherever a value may be late-bound; the merged document is checked once evaluated.
Fields that are parameters of the spec's template are checked against the template's
parameter schema. Each (document, kind, template) is checked once per session, and what it
reported is remembered (:attr:`LayerTypes.reported`) so that the check of the merged
document does not report the same problem again. This module checks and reports; it must
not merge, evaluate expressions or change the documents.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..diagnostics import Diagnostics, Pos
from ..frontend.loc import Loc
from ..provenance import shipped
from ..schema.partial import partial
from ..schema.validate import KINDS, PARTIAL, conforms, load_schema, validate, validate_with
from .merge import split_op
from .templates import params_schema


class _Node:
    __slots__ = ("pos", "key")
    hist = ()  # nothing of one layer is evaluated yet

    def __init__(self, pos: Pos | None, key: Pos | None):
        self.pos = pos
        self.key = key


class _At:
    """One layer's Loc tree, seen as the provenance that validation reports against."""

    __slots__ = ("loc",)

    def __init__(self, loc: Loc | None):
        self.loc = loc

    def nearest(self, path: tuple) -> _Node:
        loc, key = self.loc, None
        if loc is None:
            return _Node(None, None)
        for k in path:
            nxt = loc.child(k)
            if nxt is None:
                break
            key = loc.key_pos(k) if isinstance(loc.kids, dict) else None
            loc = nxt
        return _Node(loc.pos, key)


class _Recorder:
    """The diagnostics collector, remembering (code, position) of what it was given."""

    def __init__(self, diags: Diagnostics, seen: set):
        self.diags = diags
        self.seen = seen

    def error(self, code: str, message: str, pos: Pos | None = None, hint: str | None = None, notes=()):
        self.seen.add((code, pos))
        return self.diags.error(code, message, pos, hint=hint, notes=notes)


class Unless:
    """The diagnostics collector without the problems (code, position) in ``seen``: the
    check of a merged document, after the layers' own checks reported them."""

    def __init__(self, diags: Diagnostics, seen: set):
        self.diags = diags
        self.seen = seen

    def error(self, code: str, message: str, pos: Pos | None = None, hint: str | None = None, notes=()):
        if (code, pos) in self.seen:
            return None
        return self.diags.error(code, message, pos, hint=hint, notes=notes)


class LayerTypes:
    def __init__(self, diags: Diagnostics, fixes: Any = None):
        """``fixes(kind, data, template)``: the schema check's ``fix`` for one document (the
        pipeline passes the stdlib templates' hints), or None."""
        self.diags = diags
        self.fixes = fixes
        self.reported: set[tuple[str, Pos | None]] = set()
        self._done: dict[tuple, Any] = {}
        self._params: dict[int, tuple[Any, dict]] = {}
        self._verdicts: dict[tuple[str, str], bool] = {}
        self.conformed: Any = None  # (:class:`~skyspec.schema.validate.Conformed`, the pipeline's)
        # digests of layers the full validator found nothing in (those the compiled one fails
        # for a `${...}` it cannot read): from the project's cache, so that such a layer is
        # not checked by jsonschema, nor jsonschema imported, again (the pipeline fills it)
        self.clean: set[str] | None = None
        self.found: set[str] = set()

    def check(self, kind: str, data: Any, loc: Loc | None, template: Any = None, whole: bool = False) -> None:
        """Check one layer's ``data`` (a patch at ``loc``) as applied to a ``kind``
        document whose template (:class:`~skyspec.layers.templates.Template`) is
        ``template``. ``whole``: ``data`` is a spec's document, most often complete: it is
        tried against the whole schema first (through :attr:`conformed`, which then knows
        its fields when the merged documents that share them are checked)."""
        if not isinstance(data, dict) or kind not in KINDS:
            return
        key = (id(data), kind, id(template))
        if key in self._done:  # (an overlay's `all` comes once for every spec it applies to)
            return
        self._done[key] = (data, template)  # held, so that the ids are not reused
        if loc is not None and shipped(loc.pos):
            # a stdlib template applied to another kind (a project template built on
            # `use: redis` under `kind: App`), or a built-in profile's section (once, not for
            # every spec it applies to): the merged document's check reports what does not
            # fit, at the `use:` line that chose it; the stdlib's own lines are not the user's
            return
        params = template.params if template is not None else {}
        own, par = data, {}
        if params:
            own, par = {}, {}
            for k, v in data.items():
                (par if split_op(k)[0] in params else own)[k] = v
        diags = _Recorder(self.diags, self.reported)
        name = PARTIAL + KINDS[kind]
        if whole and template is None and self.conformed is not None and _relaxed(KINDS[kind]) \
                and self.conformed(own, KINDS[kind]):
            pass  # conforming to the whole schema, it conforms to the partial one (a relaxation)
        elif not (conforms(own, name) if whole else self._conforms(own, name)):  # the happy path stops here
            clean, cloc = _clean(own, loc)
            if not conforms(clean, name):  # operators read (`env+`): still compiled speed
                memo = _digest(name, clean) if self.clean is not None else None
                if memo is None or memo not in self.clean:  # type: ignore[operator]
                    before = self.diags.error_count
                    fix = self.fixes(kind, data, template) if self.fixes else None
                    validate(clean, _At(cloc), name, diags, secret=kind == "Secret", fix=fix)  # type: ignore[arg-type]
                    if memo is not None and self.diags.error_count == before:
                        self.found.add(memo)
        if par:
            clean, cloc = _clean(par, loc)
            validate_with(clean, _At(cloc), self._params_schema(template), diags)  # type: ignore[arg-type]

    def _conforms(self, data: dict, name: str) -> bool:
        """:func:`conforms`, once per content: overlays patch many workloads alike in every
        environment (`replicas: 3`, the same sizes), and a verdict depends on nothing else (no
        schema of a layer fills in defaults). Only for plain data, whose `repr` is exact."""
        text = _plain_repr(data)
        if text is None:
            return conforms(data, name)
        got = self._verdicts.get((name, text))
        if got is None:
            if len(self._verdicts) >= 4096:  # a long session (the language server): kept bounded
                self._verdicts.clear()
            got = self._verdicts[(name, text)] = conforms(data, name)
        return got

    def _params_schema(self, template: Any) -> dict:
        got = self._params.get(id(template))
        if got is None:
            got = self._params[id(template)] = (template, partial(params_schema(template)))
        return got[1]


@lru_cache(maxsize=None)
def _relaxed(schema: str) -> bool:
    """Whether whatever conforms to ``schema`` conforms to its partial variant: true unless a
    `not` or an `if` holds what :func:`partial` relaxes (relaxed there, it would refuse more)."""
    todo = [load_schema(schema)]
    while todo:
        v = todo.pop()
        if isinstance(v, dict):
            for k in ("not", "if"):
                if k in v and partial(v[k]) != v[k]:
                    return False
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)
    return True


_PLAIN = frozenset((str, int, float, bool, type(None)))


def _plain_repr(data: Any) -> str | None:
    """``repr(data)`` when it is made of dicts, lists, strings, numbers, booleans and nulls
    only (then equal texts are equal values of equal types); None otherwise."""
    todo = [data]
    pop, more = todo.pop, todo.extend
    while todo:
        v = pop()
        t = type(v)
        if t is dict:
            if not all(type(k) is str for k in v):
                return None
            more(v.values())
        elif t is list:
            more(v)
        elif t not in _PLAIN:
            return None
    return repr(data)


def _digest(schema: str, data: Any) -> str:
    """What a layer's verdict depends on: the schema's name and the data (the schemas
    themselves are in the name of the cache entry that holds these)."""
    import hashlib

    return hashlib.sha256(repr((schema, data)).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _clean(v: Any, loc: Loc | None) -> tuple[Any, Loc | None]:
    """A patch as the merge reads it, with the matching Loc: `key+`/`key!` are `key`, and
    deletions (`key: null`, `key-: [...]`) set nothing here."""
    if isinstance(v, dict):
        out: dict = {}
        keys: dict = {}
        kids: dict = {}
        for raw, x in v.items():
            k, op = split_op(raw)
            xl = loc.child(raw) if loc is not None else None
            kpos = loc.key_pos(raw) if loc is not None else None
            if op == "-" or x is None:
                continue  # a removal or a deletion sets nothing (the merge checks what it removes;
                #           `key!: null` is checked where it survives, in the merged spec)
            out[k], kids[k] = _clean(x, xl)
            keys[k] = kpos
        return out, Loc(loc.pos if loc is not None else None, keys, kids)  # type: ignore[arg-type]
    if isinstance(v, list):
        items = [_clean(x, loc.child(i) if loc is not None else None) for i, x in enumerate(v)]
        return [a for a, _ in items], Loc(loc.pos if loc is not None else None, None, [b for _, b in items])  # type: ignore[arg-type]
    return v, loc
