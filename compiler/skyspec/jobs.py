"""`-j N`: a project's environments and targets compiled in worker processes.

Each output unit (an environment, or a target of one) compiles on its own once the spec
files and their templates are loaded, so those are loaded once in this process, which then
forks workers (`os.fork`: they share what is loaded): one per unit while there are at most
2N units (3 environments on 2 cores: no core idles through a third), else N, each taking
every N-th unit. They send back only what the caller needs: for `check`, the diagnostics
(the per-environment formats' own checks included); for `build` of per-environment
formats, also each unit's rendered files (sent as they are rendered: a worker never holds
them beside its compilation). The result must be what one process computes, byte for byte,
so everything a unit can leave for the next one in a sequential run is accounted for: the
diagnostics are merged in unit order (each one deduplicated as one collector would), every
secret a worker registered is merged, the `${...}` budget is summed, the values a worker's
expressions asked about are checked against every secret the others registered, and what the
workers read (overlays, ConfigMap files) joins the run cache's notes. Whenever that cannot be
shown, when a worker reports an error or fails, or when there is too little to gain, nothing a
worker did is used and the units compile here, one after the other. This module must not change what
a compilation computes: only where it runs.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Sequence

from . import contain
from .diagnostics import Diagnostics
from .pipeline import Compiled, Session

MIN_DOCS = 150     # below this many documents, one process is faster than forking
STATS = {"workers": 0, "here": 0, "render_workers": 0, "spread_workers": 0}   # unit sets compiled in workers /
# in this process after trying; worker lanes of formats rendered (:func:`runner`); workers of a
# rendering's own parts (:meth:`Runner.spread`)


def units(session: Session, envs: Sequence[str] | None = None) -> list[tuple[str, Any]]:
    """The (environment name, target or None) that :meth:`Session.compile_all` compiles, in its order."""
    assert session.project is not None
    out: list[tuple[str, Any]] = []
    for name in [e for e in session.project.environments if not envs or e in envs]:
        out.append((name, None))
        out += [(name, t) for t in session.project.targets.values() if name in t.environments]
    return out


def check_all(session: Session, sets: Sequence[str], jobs: int, formats: Sequence[str]) -> dict[str, Compiled] | None:
    """Every unit, as :meth:`Session.compile_all` compiles them, with what each of
    ``formats`` checks before rendering (:func:`~skyspec.pipeline.check_formats`), for
    `check`: in up to ``jobs`` processes, then None (the diagnostics merged into the
    session's, the format checks after every unit's, format by format); or here, then the
    Compiled units (the caller runs the format checks). Helm and Kustomize check nothing
    of their own before rendering: what is checked of them (the `k8s:` patches of their
    Kubernetes objects, across the units) sends a unit that has patches here."""
    got = _try(session, None, sets, jobs, _Checks(list(formats)))
    if got is not None:
        _merge_checks(session, formats, got)
        return None
    return session.compile_all(None, sets)


def _merge_checks(session: Session, formats: Sequence[str], got: dict) -> None:
    """Each format's checks, unit after unit: as the backends report them for all units."""
    diags = session.diags
    for fmt in formats:
        for r in got.values():
            for d in r["checks"].get(fmt, ()):
                d.redactor = diags.redactor
                diags.add(d)


class _Checks:
    """In a worker: what ``formats`` check of one compiled unit before rendering."""

    def __init__(self, formats: list[str]):
        self.formats = formats

    def __call__(self, c: Compiled, send: Callable[[str, str], None] | None = None) -> dict:
        import importlib

        from .pipeline import BACKENDS

        checks = {}
        for fmt in self.formats:
            backend = importlib.import_module(BACKENDS[fmt])
            if hasattr(backend, "check"):
                d = Diagnostics()
                backend.check({c.key: c.ir}, d)
                checks[fmt] = d.items
        ir = c.ir
        # `k8s:` patches are checked across the units (a kind no unit produces), for the
        # Kubernetes objects Helm and Kustomize are made of too: one process
        patched = bool({"kubernetes", "helm", "kustomize"} & set(self.formats)) and any(
            x.k8s for group in (ir.workloads, ir.configs, ir.accounts, ir.roles, ir.netpols) for x in group
            if getattr(x, "spec", None) is not None)
        return {"checks": checks, "refuse": patched}


def build_all(session: Session, envs: Sequence[str], sets: Sequence[str], jobs: int, formats: Sequence[str],
              every_format: bool, options: dict) -> tuple[dict, Any] | None:
    """For `build` of per-environment formats only (Kubernetes, Compose): (the compiled
    units, as far as the build reads them after rendering, and the :class:`Rendered` files),
    each unit compiled and rendered in a worker, the rendering's problems merged in the order
    :func:`~skyspec.pipeline.render` reports them; None when not done that way (the caller
    compiles and renders here)."""
    from .pipeline import SHARED_FORMATS, Rendered, _gitops, build_scope, headed

    project = session.project
    if project is None or set(formats) & set(SHARED_FORMATS):
        return None
    work = _Unit(list(formats), options, project)
    got = _try(session, envs or None, sets, jobs, work)
    if got is None:
        return None
    diags = session.diags
    _merge_checks(session, formats, got)  # render(): each format's check, unit after unit
    files: dict[str, str] = {}
    for r in got.values():
        files.update(r["files"])
    rendered = set(formats)
    if project.gitops is not None and rendered & {"kubernetes", "helm", "kustomize"}:
        rendered.add("gitops")
        head = headed({}, project)
        files.update((rel, head(rel, text)) for rel, text in _gitops(project, diags).items())
    compiled = {key: r["unit"] for key, r in got.items()}
    return compiled, Rendered(dict(sorted(files.items())), compiled, build_scope(envs or None, every_format, rendered))


class _Spec:
    """What a build reads of a spec after rendering: its name, kind and file, and where an
    output path named after it points (:meth:`Rendered.where`)."""

    def __init__(self, spec):
        self.name, self.kind, self.file = spec.name, spec.kind, spec.file
        self._at = spec.where("manifest", "kind") if spec.kind == "Resource" else spec.where("name")

    def where(self, *path) -> Any:
        return self._at


class _Built:
    """A compiled unit as the build reads it after rendering (:class:`Compiled`'s names)."""

    def __init__(self, c: Compiled, secret_files: list[str], config_files: list[str] | None = None,
                 secret_variables: list[str] | None = None):
        self.env, self.target, self.key = c.env, c.target, c.key
        self.specs = [_Spec(s) for s in c.specs]
        self.ir = _Report(c.ir.report)
        self.secret_files = secret_files
        self.config_files = config_files or []
        self.secret_variables = secret_variables or []


class _Report:
    def __init__(self, report: list[str]):
        self.report = report


class _Unit(_Checks):
    """In a worker: one compiled unit checked and rendered in the formats asked for, as
    :func:`~skyspec.pipeline.render` renders it among the others."""

    def __init__(self, formats: list[str], options: dict, project):
        super().__init__(formats)
        self.options, self.project = options, project

    def __call__(self, c: Compiled, send: Callable[[str, str], None] | None = None) -> dict:
        """What the parent needs of the unit; each file (path, text with its header) given
        to ``send`` as soon as it is made, when there is one (the files are then not in the
        result): a worker never holds its unit's output beside its compilation."""
        import importlib

        from .backends import layout
        from .pipeline import BACKENDS, headed

        out = super().__call__(c)
        head = headed({c.key: c}, self.project)
        files: dict[str, str] = {}
        for fmt in self.formats:
            backend = importlib.import_module(BACKENDS[fmt])
            kw = dict(self.options.get(fmt) or {})
            if fmt == "kubernetes":  # the unit's Kubernetes objects: read by its check (done) and here only
                made = backend.rendered({c.key: c.ir}, last=True, **kw)
            else:
                made = backend.render({c.key: c.ir}, **kw).items()
            for rel, text in made:
                out["refuse"] |= layout.owner(rel) != c.key  # a shared file is made from every unit: one process
                if send is not None:
                    send(rel, head(rel, text))
                else:
                    files[rel] = head(rel, text)
        secret_files, config_files, variables = [], [], []
        if "compose" in self.formats:
            from .backends import compose, compose_cluster

            secret_files, config_files = compose.secret_files(c.ir), compose_cluster.config_files(c.ir)
            variables = compose.secret_variables(c.ir)
        out["files"] = files
        out["unit"] = _Built(c, secret_files, config_files, variables)
        return out


def _try(session: Session, envs, sets: Sequence[str], jobs: int, then) -> dict[str, Any] | None:
    """Output unit -> ``then(unit)`` (None without ``then``), the units compiled in up to
    ``jobs`` workers; None when not (then nothing of this session changed but what any
    sequential run does first)."""
    plan = units(session, envs) if session.project is not None else []
    if not (jobs > 1 and len(plan) > 1 and hasattr(os, "fork") and len(session.docs) >= MIN_DOCS
            and not session.diags.has_errors and not session.sources.overrides and _preload(session, plan)):
        return None
    # a worker per unit while they are few (3 environments on 2 cores: one core does not idle
    # through a third), else one per core, each taking every jobs-th unit
    got = _in_workers(session, plan, list(sets), len(plan) if len(plan) <= 2 * jobs else jobs, then)
    STATS["workers" if got is not None else "here"] += 1
    return got


def _preload(session: Session, plan: list) -> bool:
    """What every unit needs, made once here before forking: each document with its
    template beneath it (as the first unit's layering makes them, first). False when that
    reported anything. (The overlay files each unit loads itself, in its worker: an overlay
    that reports anything reports an error, and then the units compile here, in order.)"""
    before = len(session.diags.items), session.diags.error_count
    for d in session.docs:
        session._base(d)
    _load_stages(session)
    return (len(session.diags.items), session.diags.error_count) == before


def _load_stages(session: Session) -> None:
    """Load here what compiling any unit loads: the stages' modules, and the validators of the
    documents' kinds (as specs and as layers), of overlays and of their templates' parameters
    (after :meth:`Session._base` made every document's). The workers then share them
    instead of each importing them (74 modules) and loading the validators (on a machine
    without the validator cache, compiling them: a third of a second each)."""
    from . import passes  # noqa: F401
    from .backends import kubernetes  # noqa: F401
    from .components import _fixes, expand  # noqa: F401
    from .cost import estimate, quota  # noqa: F401
    from .ir import lower  # noqa: F401
    from .layers import expr  # noqa: F401
    from .rules import RULES  # noqa: F401
    from .schema import numbers  # noqa: F401
    from .layers.templates import params_schema
    from .schema.validate import KINDS, PARTIAL, preload

    kinds = sorted({KINDS[d.data["kind"]] for d in session.docs if d.data.get("kind") in KINDS})
    used = {id(t): t for _, _, t in session._bases.values() if t is not None}
    preload([*kinds, *(PARTIAL + k for k in kinds), "overlay.json"], [params_schema(t) for t in used.values()])


class _Asked:
    """A redactor's ``holds``, remembering the values it was asked about and said no to."""

    def __init__(self, holds):
        self.holds = holds
        self.no: set[str] = set()

    def __call__(self, value: Any) -> bool:
        got = self.holds(value)
        if not got and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            self.no.add(value if isinstance(value, str) else str(value))
        return got


class _Batches:
    """What a worker sends of its units' files: lists of (plan index, path, text) of about
    BATCH characters (a pickle costs ~10 us: one a file was 1% of a build's instructions)."""

    BATCH = 1 << 20

    def __init__(self, send: Callable[[Any], None]):
        self.send, self.items, self.size = send, [], 0

    def add(self, i: int, rel: str, text: str) -> None:
        self.items.append((i, rel, text))
        self.size += len(text)
        if self.size >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self.items:
            self.send(self.items)
            self.items, self.size = [], 0


def _work(session: Session, mine: list[tuple[int, str, Any]], sets: list[str], then,
          send: Callable[[Any], None]) -> dict:
    """In a worker: compile ``mine`` (plan index, environment, target) one after the other;
    what the parent needs of each (the files ``then`` makes of a unit sent as they are
    made, in :class:`_Batches`)."""
    diags = session.diags
    asked = _Asked(diags.redactor.holds)
    diags.redactor.holds = asked  # type: ignore[method-assign]
    watched = len(contain._WATCH) if contain._WATCH is not None else None
    budget = session._budget.spent if session._budget is not None else 0
    out: dict = {"units": [], "errors": False}
    batches = _Batches(send)
    for i, env, target in mine:
        start, errors = len(diags.items), diags.error_count
        c = session.compile(env, sets, target)
        failed = c is None or diags.error_count != errors
        result = None if failed or then is None else then(c, lambda rel, text, i=i: batches.add(i, rel, text))
        batches.flush()
        out["units"].append((i, None if c is None else c.key, diags.items[start:], result))
        # a unit whose rendering must see the others (``refuse``): all of them, here
        out["errors"] |= failed or (isinstance(result, dict) and bool(result.get("refuse")))
    del diags.redactor.holds
    red = diags.redactor
    out["secrets"] = (red.values, red.lines, red.secret_names)
    out["asked"] = asked.no
    out["spent"] = (session._budget.spent if session._budget is not None else 0) - budget
    out["checked"] = session.layer_types.found
    cache = getattr(session.sources, "doc_cache", None)
    out["parsed"] = dict(cache.pending) if cache is not None else {}
    # what the units read (their overlays, ConfigMap files...), for the run cache's notes: a
    # worker's own notes end with it
    out["notes"] = contain._WATCH[watched:] if watched is not None and contain._WATCH is not None else []
    return out


def _in_workers(session: Session, plan: list, sets: list[str], jobs: int, then) -> dict[str, Any] | None:
    lanes = [[(i, env, t) for i, (env, t) in enumerate(plan) if i % jobs == lane] for lane in range(jobs)]
    children = [_fork(lambda send, mine=mine: _work(session, mine, sets, then, send)) for mine in lanes]
    got = _collect(children)
    if any(g is None or g[1]["errors"] for g in got):
        return None
    sent: dict[int, dict[str, str]] = {}
    for batches, _ in got:  # type: ignore[misc]
        for batch in batches:
            for i, rel, text in batch:
                sent.setdefault(i, {})[rel] = text
    return _merge(session, plan, [r for _, r in got], sent)  # type: ignore[misc]


def _fork(work: Callable[[Callable[[Any], None]], Any]) -> tuple[int, int]:
    """(pid, the read end of its pipe) of a forked worker running ``work(send)``: it writes
    each item given to ``send`` pickled as it comes, then the result (nothing more when
    ``work`` raised). Nothing is held whole to be written later (at 10,000 apps a unit's
    files pickle to ~40 MB); what a failure cuts short has no result, and :func:`_collect`
    takes it for nothing sent."""
    import pickle  # only when a worker is forked: a small project's build never pickles

    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the worker (its coverage is its output, checked by the tests)
        os.close(r)
        try:
            # streams of its own: a lock another thread of the parent held at the fork stays held
            sys.stdout = open(os.devnull, "w")
            sys.stderr = sys.__stderr__ = os.fdopen(os.dup(2), "w", buffering=1)
            with open(w, "wb", closefd=False) as pipe:
                try:
                    result = work(lambda item: pickle.dump((False, item), pipe, protocol=pickle.HIGHEST_PROTOCOL))
                except BaseException:
                    pass
                else:
                    pickle.dump((True, result), pipe, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            os._exit(0)
    os.close(w)
    return pid, r


def _collect(children: list[tuple[int, int]]) -> list[tuple[list, Any] | None]:
    """For each worker :func:`_fork` made, once all have ended: (the items it sent, its
    result), or None when it sent no result readable. The pipes are read as the workers
    write, all at once (one left unread would stop its worker at a full pipe)."""
    import io
    import pickle
    import selectors

    chunks: dict[int, list[bytes]] = {r: [] for _, r in children}
    with selectors.DefaultSelector() as sel:
        for r in chunks:
            sel.register(r, selectors.EVENT_READ)
        while sel.get_map():
            for key, _ in sel.select():
                chunk = os.read(key.fd, 1 << 20)
                if chunk:
                    chunks[key.fd].append(chunk)
                else:
                    sel.unregister(key.fd)
                    os.close(key.fd)
    out: list[tuple[list, Any] | None] = []
    for pid, r in children:
        os.waitpid(pid, 0)
        stream, items = io.BytesIO(b"".join(chunks.pop(r))), []
        got = None
        try:
            while got is None:
                done, item = pickle.load(stream)  # from our own fork
                if done:
                    got = (items, item)
                else:
                    items.append(item)
        except Exception:  # a worker that failed, or died mid-write
            got = None
        out.append(got)
    return out


def _merge(session: Session, plan: list, results: list[dict],
           sent: dict[int, dict[str, str]] | None = None) -> dict[str, Any] | None:
    """The workers' results as one process would have them (each unit's with the files
    its worker ``sent``, by plan index), or None when that cannot be shown (then the caller
    compiles the units here)."""
    red = session.diags.redactor
    values = set(red.values)
    for r in results:
        values |= r["secrets"][0]
    if any(r["asked"] & (values - r["secrets"][0]) for r in results):
        return None  # an expression read a value another unit registered as secret: it would be tainted
    budget = session._budget
    spent = sum(r["spent"] for r in results)
    if session.project is not None and budget is None:
        from .layers.expr import Budget

        budget = session._budget = Budget(session.project.limits)
    if budget is not None:
        if budget.spent + spent > budget.total:
            return None  # one run's expressions together build more than the limit
        budget.spent += spent
    by_unit = sorted((u for r in results for u in r["units"]), key=lambda u: u[0])
    diags = session.diags
    for r in results:
        vals, lines, names = r["secrets"]
        for v in sorted(vals):
            red.add(v)
        red.lines |= lines
        red.secret_names |= names
        session.layer_types.found |= r["checked"]
        cache = getattr(session.sources, "doc_cache", None)
        if cache is not None:
            cache.pending.update(r["parsed"])
        if contain._WATCH is not None:
            contain._WATCH.extend(r["notes"])
    out: dict[str, Any] = {}
    for i, key, items, result in by_unit:
        for d in items:
            d.redactor = red
            diags.add(d)
        if sent and i in sent:
            result["files"].update(sent[i])
        if key is not None:
            out[key] = result
    return out


# what rendering a unit costs in each format, relative to Kubernetes (measured with cProfile on
# 1,000 apps): it deals the renderings to the lanes of `-j N`, and never changes their output
RENDER_COST = {"kubernetes": 1, "compose": 1, "helm": 6, "kustomize": 3}


def runner(jobs: int, workloads: int) -> "Runner | None":
    """For :func:`~skyspec.pipeline.render`: a :class:`Runner` of the backends' renderings
    on ``jobs`` > 1 cores, when there are, fork, and ``workloads`` enough to gain from it;
    None otherwise (the caller renders one format after the other)."""
    if jobs < 2 or not hasattr(os, "fork") or workloads < MIN_DOCS:
        return None
    return Runner(jobs)


class Runner:
    """Called with the renderings (format, or formats joined by `+` rendered together; units;
    function: each a pure function of the compiled units, giving files), their results: run
    at once, in this process and in workers forked after the compilation (they share it).
    :meth:`spread` runs a rendering's own independent parts the same way (Helm's texts, once
    its values are laid out): the lane with the most to do does not leave a core idle at its end."""

    def __init__(self, jobs: int):
        self.jobs = jobs

    def __call__(self, tasks: list[tuple[str, int, Callable[[], dict]]]) -> list[dict]:
        return _render_tasks([(sum(RENDER_COST.get(f, 1) for f in fmt.split("+")) * n, fn) for fmt, n, fn in tasks],
                             self.jobs)

    def spread(self, parts: list[tuple[float, Callable[[], dict]]]) -> list[dict]:
        """Each part's result (cost, function: pure, giving files), in the order given: in
        this process and ``jobs`` - 1 workers forked now, when their cost (about one a
        workload) is worth a fork; here otherwise."""
        if sum(c for c, _ in parts) < 2 * MIN_DOCS:
            return [fn() for _, fn in parts]
        return _render_tasks(parts, self.jobs, "spread_workers")


def _render_tasks(tasks: list[tuple[float, Callable[[], dict]]], jobs: int, stat: str = "render_workers") -> list[dict]:
    """Each task's result, in the order given. The tasks are dealt to ``jobs`` lanes, the
    costliest first, each to the lane with the least cost so far; lane 0 runs here, the others
    in forked workers (counted in ``STATS[stat]``). A worker that fails or sends nothing
    readable has its tasks run here, so the result (and any exception) is what one process
    gives."""
    lanes: list[list[int]] = [[] for _ in range(min(jobs, len(tasks)))]
    load = [0.0] * len(lanes)
    for i in sorted(range(len(tasks)), key=lambda i: -tasks[i][0]):
        lane = load.index(min(load))
        lanes[lane].append(i)
        load[lane] += tasks[i][0]
    if len(lanes) < 2:
        return [fn() for _, fn in tasks]
    children = [(_fork(lambda _, mine=mine: [tasks[i][1]() for i in mine]), mine) for mine in lanes[1:]]
    results: dict[int, dict] = {i: tasks[i][1]() for i in lanes[0]}
    for sent, mine in zip(_collect([child for child, _ in children]), [mine for _, mine in children]):
        got = sent[1] if sent is not None else None
        if isinstance(got, list) and len(got) == len(mine):
            results.update(zip(mine, got))
            STATS[stat] += 1
        else:
            results.update((i, tasks[i][1]()) for i in mine)
    return [results[i] for i in range(len(tasks))]
