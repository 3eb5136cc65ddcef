"""`skyspec import`: existing Kubernetes manifests (or a Compose file, or a Helm chart) into a
skyspec project, with its round-trip fidelity measured. The importer reads the input as the
compiler reads specs (:mod:`.source`: limits, containment, located diagnostics; :mod:`.shape`:
the type of every field it reads), extracts spec documents (:mod:`.kube`, :mod:`.kinds`,
:mod:`.compose`), lays them out as `skyspec fmt` does, builds the project in-process in a
scratch folder through the ordinary pipeline, compares the objects with the input field by
field (:mod:`.fidelity`), turns every unexplained difference into a `k8s:` patch of that
workload (:mod:`.patch`), then builds and compares once more for the report. Every problem
is a located diagnostic, all of them in one run; a run with an error writes nothing. It
never writes or prints a Secret's value and never runs anything of the input (a chart is
rendered by `helm template` only).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from ..diagnostics import Diagnostics, Pos
from ..layers.stack import WORKLOAD_KINDS
from ..project import PROTECTED_ENVS
from . import (compose, compose_fidelity, config_secrets, emit, environments, fidelity, helm, kube, legacy,
               lowered, namespaces, official, operators, patch, reselect, shape, sizing, source)
from .apiserver import api_server_calls
from .kube import ImportError_, reaches
from .kinds import rename_workloads, renumber, unclash, within_namespace
from .emit import project_file
from .source import INFERRED, NOT_BUILT, NOT_OBJECT, PATCHED, SECRET, UNEXPLAINED, WRONG, Inputs

__all__ = ["ImportError_", "Inputs", "Result", "import_compose", "import_environments", "import_helm", "import_kubernetes",
           "write_project"]


class Result:
    def __init__(self, files: dict, figures: dict, unexplained: list, notes: list[str], input_lines: int):
        self.files, self.figures, self.unexplained, self.notes = files, figures, unexplained, notes
        self.input_lines = input_lines
        self.items: list = []
        self.inputs: list = []
        self.diags = Diagnostics()
        self.sources = None

    @property
    def spec_lines(self) -> int:
        return sum(len([ln for ln in t.splitlines() if ln.strip() and not ln.lstrip().startswith("#")])
                   for p, t in self.files.items() if p != "skyspec.yaml")

    def report(self) -> str:
        return fidelity.report(self.figures)


def formatted(files: dict) -> dict:
    """The project's files laid out as `skyspec fmt` lays them out (a file fmt leaves as it
    is stays as emitted; fmt never changes what a file means)."""
    from ..fmt import format_text

    out = {}
    for rel, text in files.items():
        role = "project" if rel == "skyspec.yaml" else "overlay" if rel.startswith("overlays/") else "spec"
        done = format_text(text, role, rel)
        out[rel] = done.text if done.text is not None else text
    return out


def compile_files(files: dict) -> tuple[dict | None, Diagnostics, str]:
    """({environment: compiled} or None, the diagnostics, the scratch folder's name) of the
    project ``files`` (relative path -> text), compiled in a scratch folder."""
    from ..pipeline import Session

    with tempfile.TemporaryDirectory(prefix="skyspec-import-") as tmp:
        root = Path(tmp)
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        diags = Diagnostics()
        compiled = Session(root / "skyspec.yaml", diags).compile_all()
        if diags.has_errors or not compiled:
            return None, diags, tmp
        return compiled, diags, tmp


def _not_built(diags: Diagnostics, tmp: str, files: dict, items: list, inputs: Inputs) -> None:
    """The build's errors, each reported at the input the spec's field came from (the
    scratch folder is gone: its files are named by their path in the project)."""
    by_file = {spec_text(x)[0]: x for x in items if not x.doc["kind"].startswith("_")}
    for d in diags.errors:
        rel = None
        if d.pos is not None:
            f = d.pos.file.replace("\\", "/")
            rel = f.split(tmp.replace("\\", "/").rstrip("/") + "/", 1)[-1] if tmp in d.pos.file else f
        x = by_file.get(rel)
        pos = None
        if x is not None:
            key = _top_key(files.get(rel, ""), d.pos.line if d.pos else 0)
            src = x.doc.get("_from", {}).get(key)
            if isinstance(src, Pos):
                pos = src
            elif src is not None:
                pos = inputs.pos(*src)
            elif x.objects:
                pos = inputs.pos(x.objects[0], ("metadata", "name"))
            else:
                pos = x.doc.get("_at")
        where = f"{rel}:{d.pos.line}" if rel and d.pos else "the project"
        inputs.diags.error(NOT_BUILT, f"the imported project does not build: {where}: [{d.code}] {d.message}", pos,
                           hint="the language refuses this value (fix it in the input), or the importer cannot say "
                                "it yet (please report it with the input); nothing is written")


def _top_key(text: str, line: int) -> str | None:
    """The top-level key of a spec text whose value holds ``line`` (1-based)."""
    lines = text.splitlines()
    for i in range(min(line, len(lines)) - 1, -1, -1):
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*):", lines[i])
        if m:
            return m.group(1)
    return None


def build(files: dict, items: list | None = None, inputs: Inputs | None = None) -> list[dict] | None:
    """The kubernetes objects of the project ``files``; None (reported) when it does not
    compile."""
    from ..backends.kubernetes import objects

    compiled, diags, tmp = compile_files(files)
    if compiled is None:
        if inputs is not None:
            _not_built(diags, tmp, files, items or [], inputs)
        return None
    return [o for c in compiled.values() for o in objects(c.ir)]


def spec_text(x: kube.Extracted) -> tuple[str, str]:
    """(relative path, YAML) of one spec document, with its comments."""
    doc = {k: v for k, v in x.doc.items() if not k.startswith("_")}
    comments = {}
    if "connect_to" in doc:
        comments["connect_to"] = x.doc.get("_connect_note", "inferred: env values name these Services "
                                                            "(`env:` the variable holding the address)")
    if "k8s" in doc:
        comments["k8s"] = x.doc.get("_k8s_note", "patched: what the language cannot say, kept as in the input")
    if "_note" in x.doc:
        comments["kind"] = x.doc["_note"]
    if x.doc.get("_notes"):
        comments["kind"] = "\n".join(x.doc["_notes"])
    if doc["kind"] == "Resource":
        comments["manifest"] = x.doc.get("_manifest_note", "kept as written: no spec kind maps it")
    return (f"apps/{doc['kind'].lower()}.{doc['name']}.yaml" if doc["kind"] != "App"
            else f"apps/{doc['name']}.yaml"), emit.dump(doc, comments)


def _files(name: str, namespace: str, items: list[kube.Extracted], head: dict | None = None) -> dict:
    """The project's files; ``head``: what its project file says besides (:func:`.emit.project_file`)."""
    files = {"skyspec.yaml": project_file(name, namespace, **(head or {}))}
    settings = {k: v for x in items if x.doc["kind"] == "_settings" for k, v in x.doc["settings"].items()}
    if settings:
        files["skyspec.yaml"] = project_file(name, namespace, "  default: {overlays: [overlays/default.yaml]}\n",
                                             **(head or {}))
        files["overlays/default.yaml"] = emit.dump({"settings": settings}, {
            "settings": "the input's PodDisruptionBudgets (maxUnavailable 1 for each replicated workload)"})
    for x in items:
        if x.doc["kind"].startswith("_"):
            continue
        rel, text = spec_text(x)
        files[rel] = text
    return files


def _done(inputs: Inputs, result: Result | None, raise_: bool) -> Result | None:
    """``result``, or None when the run found an error (raised as :class:`ImportError_` with
    the rendered diagnostics when the caller passed no collector)."""
    if inputs.diags.has_errors:
        if raise_:
            from ..diagnostics import render_text

            raise ImportError_(render_text(inputs.diags.sorted(), inputs.sources).rstrip())
        return None
    if result is not None:
        result.diags, result.sources = inputs.diags, inputs.sources
    return result


def read_kubernetes(paths: list[Path], inputs: Inputs, empty: bool = False) -> list[dict]:
    """The objects of the manifests at ``paths`` that fit their shape (the rest reported);
    none is an error unless ``empty``."""
    objs = shape.check(legacy.convert(source.read_objects(paths, inputs), inputs), inputs)
    inputs.public_secrets(objs)
    if not objs and not empty and not inputs.diags.has_errors:
        inputs.diags.error(NOT_OBJECT, f"no Kubernetes objects found in {', '.join(map(str, paths))}", None,
                           hint=source.NOT_OBJECT_HINT)
    return objs


def import_kubernetes(paths: list[Path], name: str, diags: Diagnostics | None = None,
                      inputs: Inputs | None = None) -> Result | None:
    """The project for the manifests at ``paths``; None when ``diags`` (which then holds why)
    has an error. Without ``diags``, an error raises :class:`ImportError_`."""
    raise_ = diags is None and inputs is None
    inputs = inputs or Inputs(diags)
    before = inputs.lines
    objs = read_kubernetes(paths, inputs)
    return _done(inputs, _from_objects(objs, name, inputs, inputs.lines - before), raise_)


def _from_objects(objs: list[dict], name: str, inputs: Inputs, lines: int, empty: bool = False) -> Result | None:
    """:func:`import_kubernetes` of the objects read (``lines`` of input); None on an error.
    With ``empty``, no object is a project of nothing (an environment that runs nothing)."""
    if not objs and empty and not inputs.diags.has_errors:
        r = Result({}, {"objects": 0, "fields": 0, "equal": 0, "categories": {}}, [], [], lines)
        r.items, r.inputs, r.official = [], [], {}
        return r
    if not inputs.diags.has_errors:
        _lonely_services(objs, inputs)
    if inputs.diags.has_errors:
        return None
    namespace = kube.namespace_of(objs)
    items, notes = kube.extract(objs, inputs, config_secrets.move(objs, inputs))   # (ConfigMaps' credentials first)
    rename_workloads(items, inputs)
    items += _connections(items, inputs)
    own = operators.own_pods_only(objs, inputs)   # (`network.default_deny: project`: the policy follows)
    items += within_namespace(objs, items, namespace, name, inputs, own) + api_server_calls(objs, items, inputs)
    unclash(items, name, inputs)
    reselect.reselect(items, name, inputs)
    renumber(items, inputs)
    return _round_trip(name, namespace, items, notes, lines, inputs,
                       {"host_access": lowered.host_access(objs, inputs), "own_pods": own})


def _lonely_services(objs: list[dict], inputs: Inputs) -> None:
    """A Service of the input that selects no pod of the input (the system check's SKY160 on
    the input itself: a chart renders some workloads only with some values) is an error at its
    selector: the project would not build, and the input does not run what the Service names."""
    from ..syscheck import NO_PODS, System, check

    for f in check(System(objs, kube.namespace_of(objs))):
        if f.code == NO_PODS and f.severity == "error":
            sel = (f.obj.get("spec") or {}).get("selector") or {}
            inputs.diags.error(WRONG, f"Service {f.obj['metadata'].get('name')} selects no pod of the input: no "
                               "workload has the labels " + ", ".join(f"{k}={v}" for k, v in sorted(sel.items())),
                               inputs.pos(f.obj, ("spec", "selector")),
                               hint="a chart renders some workloads only with some values: give those values, or "
                                    "leave the Service out of the input")


def _connections(items: list, inputs: Inputs) -> list:
    """The inferred `connect_to` of each workload, kept where the peer is a workload with a
    port and the connection closes no cycle (the language orders start-up by connect_to, so
    it refuses cycles; two services calling each other keep the second call in `env` only).
    Each kept one is a note at the env value (SKY063), each one left out too."""
    # (a workload whose own Service is kept as written is no peer: connect_to would have
    # skyspec make a second Service of that name)
    kept = {(x.doc["manifest"].get("metadata") or {}).get("name") for x in items if x.doc["kind"] == "Resource"
            and x.doc["manifest"].get("kind") == "Service"}
    peers = {x.doc["name"] for x in items if x.doc["kind"] in ("App", "StatefulApp")
             and ("port" in x.doc or x.doc.get("ports")) and x.doc["name"] not in kept}
    edges: dict[str, set] = {}
    allow: list = []

    for x in sorted((x for x in items if "connect_to" in x.doc), key=lambda x: x.doc["name"]):
        me, kept = x.doc["name"], []
        for peer, pos, var, _ in x.doc.get("_connect", []):
            if peer not in peers:
                continue
            if reaches(edges, peer, me):
                inputs.note(INFERRED, f"{me} connect_to {peer}: not inferred, though env {var} names the Service "
                            f"{peer}: {peer} reaches {me} already, and connect_to may not form a cycle", pos,
                            hint=f"the variable stays in `env`, and a NetworkPolicy {peer}-from-{me} admits the call")
                allow.append(kube.Extracted({
                    "kind": "NetworkPolicy", "name": f"{peer}-from-{me}"[:63].strip("-"), "select": {"app": peer},
                    "allow_from": [{"app": me}],
                    "_note": f"inferred: env {var} of {me} names {peer}, and connect_to cannot (a cycle)"}, [], []))
                continue
            edges.setdefault(me, set()).add(peer)
            kept.append(peer)
            inputs.note(INFERRED, f"{me} connect_to {peer}: inferred, because env {var} names the Service {peer}",
                        pos, hint=f"check it: connect_to also opens the NetworkPolicy from this workload to {peer}; "
                                  "remove it from the spec if it is wrong")
        if kept:
            kube.connect_to(x.doc, kept)
        else:
            x.doc.pop("connect_to")
        x.doc.pop("_connect", None)
    return allow


def _round_trip(name: str, namespace: str, items: list, notes: list[str], lines: int,
                inputs: Inputs, head: dict | None = None) -> Result | None:
    infos = official.apply_all(items)
    files = _files(name, namespace, items, head)
    while infos:   # a template refuses what the input says: the image's user and volumes, else the input's
        if build(files) is not None:
            break
        official.undo_refused(infos)
        files = _files(name, namespace, items, head)
    outputs = build(files, items, inputs)
    if outputs is None:
        return None
    inputs_ = [o for x in items for o in x.objects]
    figs, bad = fidelity.compare(inputs_, outputs, infos, inputs.renamed, inputs.reselected, inputs.unmoved)
    while True:   # a difference no category names: the image's user and volumes, else the input's own way
        back = {i["metadata"].get("name") for i, path, *_ in bad if i["kind"] in kube.WORKLOADS
                and official.undone_by(infos.get(i["metadata"].get("name")), path)}
        if not back:
            break
        for n in sorted(back):
            official.undo_item(infos, n)
        files = _files(name, namespace, items, head)
        outputs = build(files, items, inputs)
        if outputs is None:
            return None
        figs, bad = fidelity.compare(inputs_, outputs, infos, inputs.renamed, inputs.reselected, inputs.unmoved)
    official.notes(infos, inputs)
    if bad:
        patches, heads = patch.patches(bad, outputs, inputs.renamed, inputs.reselected)
        for x in items:
            apart = _patched_apart(x, patches)
            for o in x.objects:
                if x.doc["kind"] == "Resource" or id(o) not in patches:
                    continue
                if _secret_in_patch(o, heads.get(id(o), []), patches[id(o)], inputs):
                    continue
                for kind, p in patches[id(o)].items():
                    key = f"{kind}/{inputs.renamed.get(id(o), o['metadata'].get('name'))}" if kind in apart else kind
                    x.doc.setdefault("k8s", {}).setdefault(key, {})
                    x.doc["k8s"][key] = patch.merge(x.doc["k8s"][key], p)
                for path in heads.get(id(o), []):
                    what = f"{o['kind']} {o['metadata'].get('name')} {fidelity.shown(path)}"
                    if _has(o, path):
                        inputs.note(PATCHED, f"{what} is kept as a `k8s:` patch of {x.doc['kind']} {x.doc['name']}",
                                    inputs.pos(o, path, key=True),
                                    hint="the language has no field for it (or not in this form); the patch keeps it "
                                         "as in the input")
                    else:
                        inputs.note(PATCHED, f"{what}, which the input does not have, is removed by a `k8s:` patch of "
                                    f"{x.doc['kind']} {x.doc['name']}", inputs.pos(o, path, key=True),
                                    hint="skyspec writes it by default; the patch keeps the object as in the input")
        if inputs.diags.has_errors:
            return None
    files = formatted(_files(name, namespace, items, head))
    outputs = build(files, items, inputs)
    if outputs is None:
        return None
    figs, bad = fidelity.compare(inputs_, outputs, infos, inputs.renamed, inputs.reselected, inputs.unmoved)
    _unexplained(bad, inputs)
    if bad:
        figs["categories"]["UNEXPLAINED"] = len(bad)
    r = Result(files, figs, bad, notes, lines)
    r.items, r.inputs, r.official = items, inputs_, infos
    return r


def _patched_apart(x, patches: dict) -> set[str]:
    """The kinds of which ``x``'s input objects are patched apart (`Kind/name`): those it has
    more than one object of (a StatefulSet's headless and main Services), not all given the
    same patch. A patch by kind applies to every object of the kind the spec makes."""
    by_kind: dict[str, list] = {}
    for o in x.objects:
        by_kind.setdefault(o.get("kind"), []).append(patches.get(id(o), {}).get(o.get("kind")))
    return {kind for kind, ps in by_kind.items() if len(ps) > 1 and any(p != ps[0] for p in ps[1:])}


def _has(o: dict, path: tuple) -> bool:
    for seg in path:
        if not isinstance(o, dict) or seg not in o:
            return False
        o = o[seg]
    return True


def _secret_in_patch(o: dict, heads: list, patches: dict, inputs: Inputs) -> bool:
    """True (reported) when a patch of ``o`` would write a value registered as secret: a
    credential the importer could not move into a Secret is never written, so nothing is."""
    red = inputs.diags.redactor
    if not red.holds(patches):
        return False
    for path in heads:
        value = o
        for seg in path:
            value = value.get(seg) if isinstance(value, dict) else None
        if red.holds(value):
            inputs.diags.error(SECRET, f"{o['kind']} {o['metadata'].get('name')} {fidelity.shown(path)} holds a "
                               "credential the importer cannot move into a Secret, and never writes one",
                               inputs.pos(o, path, key=True),
                               hint="move the value into a Secret (a `secretKeyRef`), or give it a name the "
                                    "language can say (letters, digits and '_'), and import again")
            return True
    inputs.diags.error(SECRET, f"{o['kind']} {o['metadata'].get('name')} holds a credential the importer cannot move "
                       "into a Secret, and never writes one", inputs.pos(o, ("kind",)),
                       hint="move the value into a Secret (a `secretKeyRef`) and import again")
    return True


def _unexplained(bad: list, inputs: Inputs, env: str | None = None) -> None:
    for inp, path, a, b, in_has, out_has in bad:
        how = "differs in the build" if in_has and out_has else "is missing from the build" if in_has else \
            "is added by the build"
        inputs.diags.error(UNEXPLAINED, f"{inp['kind']} {inp['metadata'].get('name')} {fidelity.shown(path)} {how}"
                           + (f" of environment {env}" if env else "") + ", in no named category",
                           inputs.pos(inp, path),
                           hint="nothing is written: the importer does not reproduce this yet; please report it "
                                "with the manifest")


def import_compose(path: Path, name: str, diags: Diagnostics | None = None,
                   inputs: Inputs | None = None) -> Result | None:
    """A Compose file into a project with a `dev` environment (the built-in dev profile gives
    what Compose does not say), built for Compose and Kubernetes; the figures compare the
    built Compose services with the input's."""
    raise_ = diags is None and inputs is None
    inputs = inputs or Inputs(diags)
    data = compose.read(path, inputs)
    if data is None:
        return _done(inputs, None, raise_)
    items, notes, ctx = compose.extract(data, path.parent, name, inputs)
    inputs.public_secrets(data.data)
    if inputs.diags.has_errors:
        return _done(inputs, None, raise_)
    infos = official.apply_all(items)
    while infos:   # a template refuses what the input says: the image's user and volumes, else the input's
        if _compose_built(name, items, ctx, None) is not None:
            break
        official.undo_refused(infos)
    while True:   # ends: each undo takes a template to the image's user and volumes, those to the input's
        built = _compose_built(name, items, ctx, inputs)
        if built is None:
            return _done(inputs, None, raise_)
        files, built = built
        figs, bad = compose_fidelity.compare(data.data, built, ctx.vars, ctx.env_files, infos, ctx.image_volumes,
                                             ctx.wanted, ctx.addressed, ctx.credentials)
        back = {compose.dns(compose_fidelity.path_of(what)[1]) for what in bad} & set(infos)
        if not back:
            break
        for n in sorted(back):   # a difference no category names: the image's user and volumes, else the input's
            official.undo_item(infos, n)
    official.notes(infos, inputs)
    if infos:   # the comments the notes add
        files = formatted({**files, **{spec_text(x)[0]: spec_text(x)[1] for x in items
                                       if x.doc.get("name") in infos and not x.doc["kind"].startswith("_")}})
    for what in bad:
        inputs.diags.error(UNEXPLAINED, f"{what}: differs in the built Compose file, in no named category",
                           ctx.pos(compose_fidelity.path_of(what)),
                           hint="nothing is written: the importer does not reproduce this yet; please report it "
                                "with the Compose file")
    if bad:
        figs["categories"]["UNEXPLAINED"] = len(bad)
    r = Result(files, figs, bad, notes, inputs.lines)
    return _done(inputs, r, raise_)


def _compose_built(name: str, items: list, ctx, inputs: Inputs | None) -> tuple[dict, dict] | None:
    """(the project's files, the Compose file its `dev` environment builds, a profile's
    services from that profile's environment); None (reported in ``inputs``, when given) when
    it does not build."""
    from ..backends.compose import compose_file

    files = _files(name, name, items)
    envs = {}   # profile -> environment
    for p in sorted(ctx.profiles):
        env = compose.dns(p)
        envs[p] = env if env != "dev" and env not in envs.values() else f"profile-{env}"
    # the dev profile runs every App once: the replicas the Compose file gives are restated over it
    held = {x.doc["name"]: {"replicas": x.doc["replicas"]} for x in items
            if x.doc["kind"] == "App" and x.doc.get("replicas", 1) != 1}
    dev: dict = {}
    if any(x.doc["kind"] in WORKLOAD_KINDS and sizing.unbounded(x.doc.get("resources")) for x in items):
        dev = {"defaults": {"resources": dict(sizing.SIZE)},
               "settings": {"limits": dict(sizing.SIZE_LIMITS)}}   # what Compose leaves unbounded
    if held:
        dev["apps"] = dict(sorted(held.items()))
    first = "overlays/dev.yaml, " if dev else ""
    files["skyspec.yaml"] = project_file(name, name, ("  dev: {overlays: [overlays/dev.yaml]}\n" if dev else
                                                      "  dev: {}\n") + "".join(
        f"  {envs[p]}: {{overlays: [{first}overlays/{envs[p]}.yaml], profile: dev}}\n" for p in sorted(ctx.profiles)),
        "[compose, kubernetes]") + ctx.vars_text
    if dev:
        files["overlays/dev.yaml"] = emit.dump(dev, {
            "defaults": "the requests of what Compose runs without a bound (no `deploy.resources`): the dev "
                        "profile's 64Mi,\nthe limit too, would stop a real web app or worker; size each service "
                        "in its spec",
            "settings": "each limit the Compose file does not give: 4x its request (Compose bounds nothing)",
            "apps": "the replicas the Compose file gives (`deploy.replicas`), over the dev profile's one"})
    for p in sorted(ctx.profiles):
        files[f"overlays/{envs[p]}.yaml"] = emit.dump(
            {"apps": {n: {"enabled": True} for n in ctx.profiles[p]}},
            {"apps": f"the services of Compose profile {p}, on top of those without a profile"})
    files = formatted(files)
    compiled, cdiags, tmp = compile_files(files)
    if compiled is None:
        if inputs is not None:
            _not_built(cdiags, tmp, files, items, inputs)
        return None
    built = compose_file(compiled["dev"].ir)
    for p in sorted(ctx.profiles):   # a profile's services, as that environment builds them
        more = compose_file(compiled[envs[p]].ir).get("services") or {}
        for n in ctx.profiles[p]:
            if n in more and n not in built.get("services", {}):
                built.setdefault("services", {})[n] = more[n]
    return files, built


def import_environments(renderings: dict[str, list[Path]], name: str, base: list[Path] | None = None,
                        diags: Diagnostics | None = None, inputs: Inputs | None = None) -> Result | None:
    """One project from several renderings of a system ({environment: paths}): specs from
    the common part (or from ``base``), one overlay per environment with the differences;
    built for every environment and compared with that environment's rendering."""
    raise_ = diags is None and inputs is None
    inputs = inputs or Inputs(diags)

    def read(paths: list[Path], empty: bool) -> tuple[list[dict], int]:
        before = inputs.lines
        return read_kubernetes(paths, inputs, empty), inputs.lines - before

    # a rendering of no object is an environment that runs nothing (every object `enabled: false`)
    got = {env: read(paths, True) for env, paths in renderings.items()}
    based = read(base, False) if base else None
    # one namespace for every rendering, the one most objects of them all name, so that each says an
    # object's alike; but a rendering whose objects all name another is that environment's (namespaces.homes)
    home = kube.namespace_of([o for objs, _ in [*got.values(), *([based] if based else [])] for o in objs])
    homes = namespaces.homes({env: objs for env, (objs, _) in got.items()}, home)
    with namespaces.at_home(home):
        return _import_environments(got, based, renderings, name, inputs, raise_, homes)


def _import_environments(got: dict[str, tuple], based: tuple | None, renderings: dict[str, list[Path]], name: str,
                         inputs: Inputs, raise_: bool, homes: dict[str, str]) -> Result | None:
    from ..backends.kubernetes import objects

    results = {}
    for env, (objs, lines) in got.items():
        with namespaces.at_home(homes[env]):
            results[env] = _from_objects(objs, name, inputs, lines, True)
    base_r = _from_objects(based[0], name, inputs, based[1]) if based else None
    if inputs.diags.has_errors or None in results.values():
        return _done(inputs, None, raise_)
    if not any(r.items for r in results.values()):
        inputs.diags.error(NOT_OBJECT, f"no Kubernetes objects found in any rendering "
                                       f"({', '.join(str(p) for paths in renderings.values() for p in paths)})",
                           None, hint=source.NOT_OBJECT_HINT)
        return _done(inputs, None, raise_)
    _one_kind(results)
    split = environments.split(results, base_r, inputs)
    if split is None:
        return _done(inputs, None, raise_)
    items, overlays, notes = split
    namespace = kube.namespace_of([o for r in results.values() for o in r.inputs])
    envs = "".join(f"  {env}: {{{namespaces.entry(homes[env], namespace)}overlays: [overlays/{env}.yaml]}}\n"
                   for env in renderings)
    every = [o for r in results.values() for o in r.inputs]
    host = kube.host_access(every) is not None  # (said per rendering)
    protected = any(env in PROTECTED_ENVS for env in renderings)   # (as the project file written below says)
    files = {"skyspec.yaml": project_file(name, namespace, envs, host_access=host,
                                          own_pods=operators.pod_maker(every) is not None,   # (said per rendering)
                                          unpinned=lowered.unpinned(every, inputs) if protected else ())}
    for x in items:
        rel, text = spec_text(x)
        files[rel] = text
    files.update(environments.overlay_files(overlays))
    files = formatted(files)
    compiled, cdiags, tmp = compile_files(files)
    if compiled is None:
        _not_built(cdiags, tmp, files, items, inputs)
        return _done(inputs, None, raise_)
    figs: dict = {"objects": 0, "fields": 0, "equal": 0, "categories": {}}
    bad: list = []
    for env, r in results.items():
        with namespaces.at_home(homes[env]):
            f, b = fidelity.compare(r.inputs, objects(compiled[env].ir), getattr(r, "official", None),
                                     inputs.renamed, inputs.reselected, inputs.unmoved)
        for k in ("objects", "fields", "equal"):
            figs[k] += f[k]
        for k, v in f["categories"].items():
            figs["categories"][k] = figs["categories"].get(k, 0) + v
        _unexplained(b, inputs, env)
        bad += b
    if bad:
        figs["categories"]["UNEXPLAINED"] = len(bad)
    lines = sum(r.input_lines for r in results.values())
    out = Result(files, figs, bad, [n for r in results.values() for n in r.notes] + notes, lines)
    out.items = items
    return _done(inputs, out, raise_)


def _one_kind(results: dict) -> None:
    """A workload a stdlib template says in some renderings (`use: redis`, a StatefulApp) and
    others keep as they are (an App whose input already runs as its official image needs, in
    an environment whose overlay relaxes the hardening; a StatefulApp whose storage one
    environment's overlay removes, which the template cannot say) is said as its input in
    every one: one workload has one kind and one template (the split pairs documents by kind
    and name, and two workloads of one name do not build; an overlay cannot change `use:`),
    and it runs in each environment as its input did there."""
    kinds: dict[str, set] = {}
    for r in results.values():
        for x in r.items:
            if x.doc.get("kind") in ("App", "StatefulApp", "Job", "CronJob"):
                # (and one template: a `use:` in some renderings only left the others' base without
                # an image, and an overlay that sets the template's params; fuzz seed 104, case 777)
                kinds.setdefault(x.doc["name"], set()).add((x.doc["kind"], x.doc.get("use")))
    for name in sorted(n for n, ks in kinds.items() if len(ks) > 1):
        for r in results.values():
            infos = getattr(r, "official", None) or {}
            while name in infos:   # (a template's undoing leaves the image's relaxations: those too)
                official.undo_item(infos, name)


def import_helm(chart: Path, values: list[str], name: str, diags: Diagnostics | None = None,
                inputs: Inputs | None = None, namespace: str | None = None) -> Result | None:
    """A chart rendered with each values file (`NAME=FILE` or `values-NAME.yaml`), one
    environment per file, in ``namespace`` (helm's default otherwise), then as :func:`import_environments`."""
    raise_ = diags is None and inputs is None
    inputs = inputs or Inputs(diags)
    with tempfile.TemporaryDirectory(prefix="skyspec-helm-") as tmp:
        rendered = helm.render(chart, values, name, Path(tmp), inputs, namespace)
        if rendered is None:
            return _done(inputs, None, raise_)
        r = import_environments(rendered, name, inputs=inputs)
    return _done(inputs, r, raise_)


def write_project(result: Result, out: Path, diags: Diagnostics | None = None) -> list[Path]:
    """Writes the project into ``out``, refusing to overwrite any file already there (then
    nothing is written: reported in ``diags``, or raised without it)."""
    top = out.resolve()
    clash = [rel for rel in result.files if (out / rel).exists() or (out / rel).is_symlink()
             or not (out / rel).parent.resolve().is_relative_to(top)]
    if clash:
        message = (f"{', '.join(clash)} already exist{'s' * (len(clash) == 1)} in {out} (or lead out of it); "
                   "nothing written")
        if diags is None:
            raise ImportError_(message)
        diags.error(NOT_BUILT, message, None, hint="import into a new folder (-o DIR), or remove those files first")
        return []
    written = []
    for rel, text in result.files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
        written.append(out / rel)
    return written
