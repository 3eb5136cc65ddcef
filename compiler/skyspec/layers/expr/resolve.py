"""Resolving the `${...}` expressions of merged specs: binding references, ordering, cycles.

``resolve`` walks every spec's merged data for templates and evaluates each once
(memoized per spec and path), in whatever order references demand: ``self``, ``apps.<name>``
and ``super`` (the value beneath the writing layer, rebuilt from provenance) are bound here,
as are ``env``, ``project`` and ``vars``; a reference back into an expression being
evaluated is a cycle (SKY206), other problems are SKY205, reported once at the ``${...}``
that caused them. Results go back into the specs through ``writeback``. It must not parse
or evaluate expressions itself (that is ``parser`` and ``evaluate``), read files, or
mutate the specs' original data and provenance.
"""

from __future__ import annotations

from typing import Any, Callable

from ...diagnostics import Diagnostics, Pos, did_you_mean
from ...provenance import MISSING, Entry, Prov, is_stdlib, shown_at
from ...schema.validate import fits
from ...limits import DEFAULT, Limits
from .budget import Budget
from .errors import MAX_REF_DEPTH, ExprError, MissingRef, clip
from .evaluate import Evaluator, index_key, step
from .lexer import path_text
from .parser import parse_template
from .sites import Site, collect, last_writer, prov_at
from .values import as_text
from .writeback import write_back


TEMPLATE = "template:"


class _Quiet(Exception):
    """A value this expression needs failed, and that failure was already reported."""


class _AbsentRef(MissingRef):
    """``apps.<name>`` of a workload that a spec file which failed to load may define: a
    follow-on of that failure, not reported (``default()`` still falls back)."""


class _Ctx:
    """Where an expression is evaluated: its spec, and the rank of the layer that wrote it."""

    __slots__ = ("si", "rank")

    def __init__(self, si: int, rank: float):
        self.si = si
        self.rank = rank


class _Frame:
    """A site being evaluated, on the stack that finds reference cycles."""
    __slots__ = ("key", "site", "pos")

    def __init__(self, key: tuple, site: Site):
        self.key = key
        self.site = site
        self.pos: Pos | None = None


_FAILED = object()
_UNSET = object()
_QUIET: Any = object()  # where a problem is not reported (a consequence of one reported elsewhere)


class _Resolver(Evaluator):
    """Resolves the templates of a list of specs: binds the references of the evaluator,
    memoizes each site's value, and reports problems once, where they were written."""

    def __init__(self, specs: list, layer_order: list[str], env: dict, project: dict, vars_: dict,
                 diags: Diagnostics, budget: Budget, absent: Callable[[str], bool] | None = None):
        super().__init__(budget)
        self.absent = absent
        self.specs = specs
        self.order = {name: i for i, name in enumerate(layer_order)}
        self.spec_rank = self.order.get("spec", 0)
        self.top = len(layer_order)
        self.roots = {"env": env or {}, "project": project or {}, "vars": vars_ or {}}
        self.diags = diags
        self.data = [s.data for s in specs]  # the merged data as it was before resolving
        self.by_name: dict[str, int] = {}
        for i, s in enumerate(specs):
            if s.is_workload:
                self.by_name.setdefault(s.name, i)
        self.sites: dict[tuple, Site] = {}
        self.memo: dict[tuple, Any] = {}
        self.stack: list[_Frame] = []
        self.active: dict[tuple, int] = {}

    # -------------------------------------------------------------- layers
    def rank(self, e: Entry | None) -> float:
        if e is None:
            return self.top
        if e.op == "default":  # defaults sit beneath the spec, whatever file holds them
            return self.spec_rank - 0.5
        return self.order.get(e.layer, self.top)

    # -------------------------------------------------------------- sites
    def site(self, si: int, path: tuple, text: str | None = None) -> Site:
        key = (si, path)
        st = self.sites.get(key)
        if st is None:
            if text is None:
                text = self._raw(si, path)
            node, near = prov_at(self.specs[si].prov, path)
            st = self.sites[key] = Site(key, si, path, text, node, near)
        return st

    def _raw(self, si: int, path: tuple) -> Any:
        v = self.data[si]
        for k in path:
            v = v[k]
        return v

    def value_of(self, st: Site) -> Any:
        """The site's value (memoized); raises _Quiet when it failed."""
        key = st.key
        r = self.memo.get(key, _UNSET)
        if r is _FAILED:
            raise _Quiet
        if r is not _UNSET:
            return r
        if key in self.active:
            self._cycle(key)
            raise _Quiet
        if len(self.stack) >= MAX_REF_DEPTH:
            raise ExprError(f"expressions refer to expressions more than {MAX_REF_DEPTH} levels deep",
                            "refer to a plain value somewhere along the chain")
        frame = _Frame(key, st)
        self.active[key] = len(self.stack)
        self.stack.append(frame)
        try:
            ok, value = self._evaluate(st, frame)
        finally:
            self.stack.pop()
            del self.active[key]
        if not ok:
            self.memo[key] = _FAILED
            raise _Quiet
        self.memo[key] = value
        return value

    def _evaluate(self, st: Site, frame: _Frame) -> tuple[bool, Any]:
        s = st.text
        parts = parse_template(s)
        ok = True
        out: list[str] = []
        size = 0
        whole = len(parts) == 1 and not isinstance(parts[0], str) and parts[0][2] == 0 and parts[0][3] == len(s)
        value: Any = None
        tainted = self.tainted
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                size += len(part)
                continue
            kind, node, start, end = part
            writer, pos = st.writer_at(start, end)
            frame.pos = pos
            shown = clip(s[start:end], 80)
            if kind == "error":
                self._report_at(st, writer, None, f"invalid expression {shown}: {node.message}", pos, node.hint)
                ok = False
                continue
            try:
                v = self.ev(node, _Ctx(st.si, self.rank(writer)))
                if whole:
                    value = v
                else:
                    t = as_text(v)
                    size += len(t)
                    self.budget.check(0, size, "text")
                    self.budget.spend(len(t))
                    out.append(t)
            except (_Quiet, _AbsentRef):
                ok = False
            except ExprError as e:
                self._report_at(st, writer, node, f"{e.message} in {shown}", pos, e.hint)
                ok = False
            except RecursionError:
                self._report_at(st, writer, node, f"expression too deeply nested in {shown}", pos,
                                "simplify it, or refer to a plain value")
                ok = False
        if not ok:
            return False, None
        result = value if whole else "".join(out)
        if self.tainted != tainted:  # built from a secret: a secret too
            self.derived(result)
        return True, result

    def _report_at(self, st: Site, writer: Entry | None, node: tuple | None, message: str, pos: Pos | None,
                   hint: str | None) -> None:
        """SKY205 for one ``${...}`` of ``st``: where it is written, unless the stdlib wrote it
        (the user's line then, see ``_from_stdlib``)."""
        notes: Any = ()
        if writer is not None and is_stdlib(writer.layer):
            pos, notes = self._from_stdlib(st, writer, pos, node)
            if pos is _QUIET:
                return
        self._report("SKY205", message, pos, hint, notes)

    def _from_stdlib(self, st: Site, writer: Entry, pos: Pos | None, node: tuple | None) -> tuple:
        """(where, notes) for a problem of an expression a stdlib template wrote: the line of
        the spec that set a parameter it reads, or the spec's `use:` line. Where is _QUIET (no
        report) when that parameter does not fit its declaration: its own check reports it,
        and the expression failing is only a consequence."""
        spec = self.specs[st.si]
        params = spec.template.params if spec.template is not None else {}
        notes = [f"in the stdlib template's `{path_text('', st.path).lstrip('.')}`"
                 f"{f' (line {pos.line} of {writer.layer[len(TEMPLATE):]}.yaml)' if pos else ''}"]
        for name in _params_read(node, params):
            value = self.data[st.si].get(name, MISSING)
            at = shown_at(spec.prov, (name,))
            if value is MISSING or at is None:
                continue
            if not (isinstance(value, str) and "${" in value) and not fits(value, params[name]):
                return _QUIET, notes
            return at, notes
        return shown_at(spec.prov, ("use",)) or pos, notes

    def _report(self, code: str, message: str, pos: Pos | None, hint: str | None, notes=()) -> None:
        self.diags.error(code, message, pos, hint=hint, notes=notes)

    def _cycle(self, key: tuple) -> None:
        frames = self.stack[self.active[key]:]
        home = frames[0].site.si

        def name(f: _Frame) -> str:
            st = f.site
            if st.label == "self" and st.si != home:
                label = f"apps.{self.specs[st.si].name}"
            else:
                label = st.label
            return f"{f.pos or '?'} {path_text(label, st.path)}"

        chain = " -> ".join([name(f) for f in frames] + [name(frames[0])])
        self._report("SKY206", f"reference cycle: {chain}", frames[0].pos,
                     "one of these values must not depend on the others")

    # -------------------------------------------------------------- references
    def ref(self, node: tuple, ctx: _Ctx) -> Any:
        root = node[1]
        ks = []
        for k in node[2]:
            ks.append(index_key(self.ev(k, ctx)))
        keys = tuple(ks)
        if root == "self":
            return self._read(ctx.si, keys, self._spec_path(ctx.si, keys, "self"))
        if root == "apps":
            if not keys:
                raise ExprError("`apps` needs a workload name: apps.<name>.<path>", "e.g. `${apps.db.address}`")
            name = keys[0]
            si = self.by_name.get(name) if isinstance(name, str) else None
            if si is None:
                if self.absent is not None and isinstance(name, str) and self.absent(name):
                    raise _AbsentRef(f"apps.{name} is in a spec file that failed to load")
                raise MissingRef(f'apps.{name} does not exist: no workload is named "{name}"',
                                 did_you_mean(str(name), self.by_name) or
                                 f"workloads: {', '.join(sorted(self.by_name)[:20]) or 'none'}")
            if keys[1:2] == ("address",) and "address" not in self.data[si]:
                if len(keys) > 2:
                    raise ExprError(f"apps.{name}.address is a string `host:port`: it has no "
                                    f"`{path_text('', keys[2:]).lstrip('.')}`", f"use `${{apps.{name}.address}}` whole")
                return self._address(si, name, ctx)
            return self._read(si, keys[1:], self._spec_path(si, keys[1:], f"apps.{name}"))
        if root == "super":
            return self._read(ctx.si, keys, self._super(ctx, keys))
        v = self.roots[root]
        for i, k in enumerate(keys):
            v = step(v, k, root, keys[:i])
        return self._read(None, keys, v)

    def _address(self, si: int, name: str, ctx: _Ctx) -> str:
        """``apps.<name>.address``: `name:port` of its first port, the Service port (what
        Kubernetes clients use). Where Compose's clients use a different (container) port,
        the pair is recorded on the reading spec (``Spec.addresses``) for lowering."""
        d = self.data[si]
        label = f"apps.{name}"
        first = None
        if "port" in d:
            first = self._spec_path(si, ("port",), label)
        elif isinstance(d.get("ports"), dict) and d["ports"]:
            key = next(iter(d["ports"]))
            first = self._spec_path(si, ("ports", key), label)
        if isinstance(first, dict):
            port, service = first.get("port"), first.get("service", first.get("port"))
        else:
            port = service = first
        if not isinstance(port, int) or not isinstance(service, int) or isinstance(port, bool):
            raise ExprError(f'apps.{name}.address: "{name}" has no port, so no address',
                            f'give "{name}" a `port:`')
        kube, local = f"{name}:{service}", f"{name}:{port}"
        if kube != local:
            self.specs[ctx.si].addresses[kube] = local
        return kube

    def _read(self, si: int | None, keys: tuple, v: Any) -> Any:
        """``v``, read by a reference: a Secret's data, or a value registered as secret,
        taints the expression reading it (its results are registered: ``derived``)."""
        if si is not None and self.specs[si].kind == "Secret" and keys[:1] in ((), ("data",)) \
                or self.diags.redactor.holds(v):
            self.tainted += 1
        return v

    def derived(self, value: Any) -> None:
        self.diags.redactor.add(value)

    def _spec_path(self, si: int, keys: tuple, label: str) -> Any:
        v = self.data[si]
        original = True  # still inside the spec's data (not inside an expression's result)
        for i, k in enumerate(keys):
            if original and isinstance(v, str) and "${" in v:
                v = self.value_of(self.site(si, keys[:i], v))
                original = False
            v = step(v, k, label, keys[:i])
        if original:
            v = self._deep(si, keys, v)
        return v

    def _deep(self, si: int, path: tuple, v: Any) -> Any:
        """``v`` (at ``path`` of spec ``si``) with every expression inside it resolved. One that
        failed fails the whole, but only once every other is evaluated: each of their problems
        is said in this run, whichever comes first (`${self}` inside `env.A` is a cycle also
        where a label before it fails: the cycle went unsaid when `fmt` put labels first)."""
        if isinstance(v, str):
            return self.value_of(self.site(si, path, v)) if "${" in v else v
        if not isinstance(v, (dict, list)):
            return v
        failed = False
        items = v.items() if isinstance(v, dict) else enumerate(v)
        out: Any = None
        for k, x in items:
            try:
                y = self._deep(si, path + (k,), x)
            except _Quiet:
                failed = True
                continue
            if y is not x:
                out = out if out is not None else (dict(v) if isinstance(v, dict) else list(v))
                out[k] = y
        if failed:
            raise _Quiet
        return v if out is None else out

    # -------------------------------------------------------------- super
    def _super(self, ctx: _Ctx, keys: tuple) -> Any:
        """The value at ``keys`` beneath the layer ranked ``ctx.rank``, from provenance:
        walk down from the root; at each node, the first history entry at or above that
        layer either replaced the whole value (its `replaced` is the value beneath) or
        merged into a map (go on to the child); a node no such entry touched is unchanged."""
        si, k = ctx.si, ctx.rank
        node: Prov | None = self.specs[si].prov
        value: Any = self.data[si]
        for depth in range(len(keys) + 1):
            hist = node.hist if node is not None else []
            ei, e = next(((i, x) for i, x in enumerate(hist) if x.op != "evaluate" and self.rank(x) >= k),
                         (-1, None))
            if e is None:  # untouched at and above the layer: the final value was there beneath
                if value is MISSING:
                    raise MissingRef(f"{path_text('super', keys[:depth])} does not exist beneath this layer",
                                     "super is the value from the layers beneath; use default(super..., fallback) if it may be missing")
                return self._spec_path(si, keys, "super")
            merged = e.op == "merge" or (e.replaced is MISSING and isinstance(value, dict)
                                         and (depth == 0 or ei > 0))
            if not merged:
                if e.replaced is MISSING:
                    why = "it was first set by this layer" if self.rank(e) == k else "a later layer created it"
                    raise MissingRef(f"{path_text('super', keys[:depth] or keys)} does not exist beneath this layer",
                                     f"super is the value from the layers beneath; {why}; "
                                     "use default(super..., fallback) if it may be missing")
                _, w = last_writer(hist[:ei])
                return self._beneath(si, keys, depth, e.replaced, w)
            if depth == len(keys):  # a map merged at or above the layer: rebuild it beneath
                out = {}
                names = list(node.kids) if node is not None and isinstance(node.kids, dict) else []
                names += [g for g in (node.gone or {}) if g not in names] if node is not None else []
                for name in names:
                    try:
                        out[name] = self._super(ctx, keys + (name,))
                    except MissingRef:
                        pass
                return out
            key = keys[depth]
            child = node.find((key,)) if node is not None else None
            nxt = value.get(key, MISSING) if isinstance(value, dict) else MISSING
            if child is None and nxt is MISSING:
                step(value if isinstance(value, dict) else {}, key, "super", keys[:depth])
            node, value = child, nxt
        raise AssertionError("unreachable")  # pragma: no cover

    def _beneath(self, si: int, keys: tuple, depth: int, value: Any, writer: Entry | None) -> Any:
        """The rest of ``keys`` inside a value replaced at ``keys[:depth]``, with the
        expressions it holds resolved as written by ``writer`` (a layer beneath)."""
        for i in range(depth, len(keys)):
            value = step(value, keys[i], "super", keys[:i])
        return self._deep_beneath(si, keys, value, writer)

    def _deep_beneath(self, si: int, path: tuple, v: Any, writer: Entry | None) -> Any:
        if isinstance(v, str):
            if "${" not in v:
                return v
            rank = self.rank(writer)
            key = ("super", si, path, rank)
            st = self.sites.get(key)
            if st is None:
                st = Site(key, si, path, v, None, Prov([writer] if writer else []), label="super")
                self.sites[key] = st
            return self.value_of(st)
        if isinstance(v, dict):
            return {k: self._deep_beneath(si, path + (k,), x, writer) for k, x in v.items()}
        if isinstance(v, list):
            return [self._deep_beneath(si, path + (i,), x, writer) for i, x in enumerate(v)]
        return v

    # -------------------------------------------------------------- the run
    def run(self) -> None:
        for si, spec in enumerate(self.specs):
            self.budget.new_spec()
            found = collect(spec.data)
            if not found:
                continue
            updates = []
            failed = []
            for path, text in found:
                st = self.site(si, path, text)
                if path in (("kind",), ("name",)):
                    self._report("SKY205", f"`{path[0]}` cannot hold an expression",
                                 st.writer_at(text.index("${"), len(text))[1],
                                 "kind and name identify the spec before layers merge; write them literally")
                    self.memo[st.key] = _FAILED
                    failed.append(st)
                    continue
                try:
                    value = self.value_of(st)
                except _Quiet:
                    failed.append(st)
                    continue
                except ExprError as e:  # a reference chain too deep, raised before any frame
                    self._report("SKY205", e.message, st.writer_at(0, len(st.text))[1], e.hint)
                    failed.append(st)
                    continue
                updates.append((path, value, st))
            if updates or failed:
                write_back(spec, updates, failed)


def _params_read(node: Any, params: dict) -> list[str]:
    """The template parameters an expression reads as ``self.<name>`` or ``super.<name>``."""
    out: list[str] = []

    def walk(n: Any) -> None:
        if isinstance(n, tuple) and n:
            if n[0] == "ref" and n[1] in ("self", "super") and n[2] and n[2][0][0] == "lit":
                name = n[2][0][1]
                if name in params and name not in out:
                    out.append(name)
            for x in n[1:]:
                walk(x)
        elif isinstance(n, list):
            for x in n:
                walk(x)

    walk(node)
    return out


def resolve(specs: list, *, layer_order: list[str], env: dict, project: dict, vars: dict,
            diags: Diagnostics, limits: Limits = DEFAULT, budget: Budget | None = None,
            absent: Callable[[str], bool] | None = None) -> None:
    """Resolve every ``${...}`` in the string values of ``specs`` (after all layers merged).

    ``layer_order`` names the layers beneath-first, as they appear in provenance entries
    (``["spec", "profile:prod", "overlay:overlays/prod.yaml", "--set"]``); it decides what
    ``super`` sees. Each spec's ``data`` and ``prov`` are replaced by copies along the
    changed paths (inputs are never mutated); each resolved value's history gains an
    ``evaluate`` entry whose ``replaced`` is the expression text. Problems are SKY205
    (SKY206 for a reference cycle); a failed string is left as written, its history marked
    ``unresolved`` so that no later check reports it again. ``limits`` (the
    project's) bound what expressions build and how long they run; pass the same ``budget``
    (a ``Budget``) to every call of one run so that its total is counted across them.
    ``absent(name)`` says whether a missing ``apps.<name>`` may be defined by a spec file that
    failed to load: that is not reported again here."""
    _Resolver(specs, layer_order, env, project, vars, diags, budget or Budget(limits), absent).run()
