"""`skyspec import`: existing Kubernetes manifests (or a Compose file) into a skyspec project,
with its round-trip fidelity measured. The importer extracts spec documents (:mod:`.kube`,
:mod:`.compose`), writes a project into a scratch folder, builds it in-process through the
ordinary pipeline (kubernetes format), compares the objects with the input field by field
(:mod:`.fidelity`) and turns every unexplained difference into a `k8s:` patch of that
workload, then builds and compares once more for the report. It writes into the output
folder only when the project checks and builds without error, never writes a Secret's
value, and never runs anything of the input.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..diagnostics import Diagnostics
from . import compose, compose_fidelity, emit, environments, fidelity, helm, kube
from .kube import ImportError_

__all__ = ["ImportError_", "Result", "import_compose", "import_environments", "import_helm", "import_kubernetes", "write_project"]


class Result:
    def __init__(self, files: dict, figures: dict, unexplained: list, notes: list[str], input_lines: int):
        self.files, self.figures, self.unexplained, self.notes = files, figures, unexplained, notes
        self.input_lines = input_lines
        self.items: list = []
        self.inputs: list = []

    @property
    def spec_lines(self) -> int:
        return sum(len([ln for ln in t.splitlines() if ln.strip() and not ln.lstrip().startswith("#")])
                   for p, t in self.files.items() if p != "skyspec.yaml")

    def report(self) -> str:
        return fidelity.report(self.figures)


def project_file(name: str, namespace: str, envs: str = "  default: {}\n", outputs: str = "[kubernetes]") -> str:
    return (f"# imported by `skyspec import`\nproject: {name}\nnamespace: {namespace}\n"
            f'specs: ["apps/*.yaml"]\nenvironments:\n{envs}outputs: {outputs}\n')


def compile_files(files: dict) -> tuple[dict | None, Diagnostics]:
    """{environment: compiled} of the project ``files`` (relative path -> text), compiled in
    a scratch folder; None with the diagnostics when it does not compile."""
    from ..pipeline import Session

    with tempfile.TemporaryDirectory(prefix="skyspec-import-") as tmp:
        root = Path(tmp)
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        diags = Diagnostics()
        s = Session(root / "skyspec.yaml", diags)
        compiled = s.compile_all()
        if diags.has_errors or not compiled:
            return None, diags
        return compiled, diags


def build(files: dict) -> tuple[list[dict] | None, Diagnostics]:
    """The kubernetes objects of the project ``files``; None with the diagnostics when it
    does not compile."""
    from ..backends.kubernetes import objects

    compiled, diags = compile_files(files)
    if compiled is None:
        return None, diags
    return [o for c in compiled.values() for o in objects(c.ir)], diags


def spec_text(x: kube.Extracted) -> tuple[str, str]:
    """(relative path, YAML) of one spec document, with its comments."""
    doc = {k: v for k, v in x.doc.items() if not k.startswith("_")}
    comments = {}
    if "connect_to" in doc:
        comments["connect_to"] = x.doc.get("_connect_note", "inferred: env values name these Services' hosts")
    if "k8s" in doc:
        comments["k8s"] = "patched: what the language cannot say, kept as in the input"
    if "_note" in x.doc:
        comments["kind"] = x.doc["_note"]
    if x.doc.get("_notes"):
        comments["kind"] = "\n".join(x.doc["_notes"])
    if doc["kind"] == "Resource":
        comments["manifest"] = "kept as written: no spec kind maps it"
    return (f"apps/{doc['kind'].lower()}.{doc['name']}.yaml" if doc["kind"] != "App"
            else f"apps/{doc['name']}.yaml"), emit.dump(doc, comments)


def _files(name: str, namespace: str, items: list[kube.Extracted]) -> dict:
    files = {"skyspec.yaml": project_file(name, namespace)}
    settings = {k: v for x in items if x.doc["kind"] == "_settings" for k, v in x.doc["settings"].items()}
    if settings:
        files["skyspec.yaml"] = project_file(name, namespace, "  default: {overlays: [overlays/default.yaml]}\n")
        files["overlays/default.yaml"] = emit.dump({"settings": settings}, {
            "settings": "the input's PodDisruptionBudgets (maxUnavailable 1 for each replicated workload)"})
    for x in items:
        if x.doc["kind"].startswith("_"):
            continue
        rel, text = spec_text(x)
        files[rel] = text
    return files


def _set(d: dict, path: tuple, value) -> None:
    for k in path[:-1]:
        d = d.setdefault(k, {})
    d[path[-1]] = value


def _merge_lists(out_list: list, in_list: list, drop: frozenset = frozenset()) -> list:
    """The input's items, each over the output's item of the same key (so what skyspec adds
    inside, such as hardening, stays), then the output's items the input lacks."""
    ok, ik = fidelity.keys_of(out_list), fidelity.keys_of(in_list)
    by = dict(zip(ok, out_list))
    merged = [_merge(by.get(k), x) for k, x in zip(ik, in_list)]
    return merged + [x for k, x in zip(ok, out_list) if k not in ik and f"[{k}]" not in drop]


def _merge(o, i):
    if isinstance(o, dict) and isinstance(i, dict):
        out = dict(o)
        for k, v in i.items():
            out[k] = _merge(o.get(k), v)
        return out
    if isinstance(o, list) and isinstance(i, list) and all(isinstance(x, dict) for x in i + o):
        return _merge_lists(o, i)
    return i


def _patches(bad: list, outputs: list[dict]) -> dict:
    """{id(input object): {Kind: patch}} for the unexplained differences."""
    out_by = {(o["kind"], o["metadata"].get("name")): o for o in outputs}
    patches: dict = {}
    for inp, path, a, b, in_has, out_has in bad:
        o = out_by.get((inp["kind"], inp["metadata"].get("name")))
        if o is None:
            continue
        p = patches.setdefault(id(inp), {}).setdefault(inp["kind"], {})
        cut = next((n for n, seg in enumerate(path) if seg.startswith("[")), None)
        if cut is None:
            _set(p, path, a if in_has else None)
            continue
        head = path[:cut]
        iv, ov = inp, o
        for k in head:
            iv = (iv or {}).get(k) if isinstance(iv, dict) else None
            ov = (ov or {}).get(k) if isinstance(ov, dict) else None
        drop = frozenset(q[cut] for _, q, _, _, ih, _ in bad if q[:cut] == head and len(q) > cut and not ih
                         and not any(z[1][:cut + 1] == q[:cut + 1] and z[4] for z in bad))
        merged = _merge_lists(ov or [], iv or [], drop) if isinstance(ov, list) and isinstance(iv, list) else iv
        _set(p, head, merged)
    return {i: {k: _replacing(v) for k, v in kinds.items()} for i, kinds in patches.items()}


def _replacing(v):
    """A patch whose lists of maps are whole (the input's list, computed above): `k8s:`
    patches merge such lists by key, so each says `$patch: replace`."""
    if isinstance(v, dict):
        return {k: _replacing(x) for k, x in v.items()}
    if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
        return [{"$patch": "replace"}] + [_replacing(x) for x in v]
    return v


def import_kubernetes(paths: list[Path], name: str) -> Result:
    objs = kube.read_objects(paths)
    if not objs:
        raise ImportError_("no Kubernetes objects found")
    lines = 0
    for p in paths:
        for f in ([p] if p.is_file() else sorted(x for x in p.rglob("*") if x.suffix in (".yaml", ".yml", ".json"))):
            lines += sum(1 for ln in f.read_text(encoding="utf-8").splitlines()
                         if ln.strip() and not ln.lstrip().startswith("#") and ln.strip() != "---")
    namespace = kube.namespace_of(objs)
    items, notes = kube.extract(objs)
    workloads = {x.doc["name"] for x in items if x.doc["kind"] in kube.KIND_OF.values()}
    for x in items:
        if "connect_to" in x.doc:
            x.doc["connect_to"] = [n for n in x.doc["connect_to"] if n in workloads] or x.doc.pop("connect_to")
    return _round_trip(name, namespace, items, notes, lines)


def _round_trip(name: str, namespace: str, items: list, notes: list[str], lines: int) -> Result:
    files = _files(name, namespace, items)
    outputs, diags = build(files)
    if outputs is None:
        raise ImportError_("the imported project does not build:\n" + _diag_text(diags))
    inputs = [o for x in items for o in x.objects]
    figs, bad = fidelity.compare(inputs, outputs)
    if bad:
        patches = _patches(bad, outputs)
        for x in items:
            for o in x.objects:
                for kind, patch in patches.get(id(o), {}).items():
                    if x.doc["kind"] == "Resource":
                        continue
                    x.doc.setdefault("k8s", {}).setdefault(kind, {})
                    x.doc["k8s"][kind] = _merge(x.doc["k8s"][kind], patch)
        files = _files(name, namespace, items)
        outputs, diags = build(files)
        if outputs is None:
            raise ImportError_("the imported project does not build once patched:\n" + _diag_text(diags))
        figs, bad = fidelity.compare(inputs, outputs)
    if bad:
        figs["categories"]["UNEXPLAINED"] = len(bad)
    r = Result(files, figs, bad, notes, lines)
    r.items, r.inputs = items, inputs
    return r


def import_compose(path: Path, name: str) -> Result:
    """A Compose file into a project with a `dev` environment (the built-in dev profile gives
    what Compose does not say), built for Compose and Kubernetes; the figures compare the
    built Compose services with the input's."""
    from ..backends.compose import compose_file

    data = compose.read(path)
    items, notes, ctx = compose.extract(data, path.parent, name)
    files = _files(name, name, items)
    files["skyspec.yaml"] = project_file(name, name, "  dev: {}\n", "[compose, kubernetes]")
    compiled, diags = compile_files(files)
    if compiled is None:
        raise ImportError_("the imported project does not build:\n" + _diag_text(diags))
    built = compose_file(compiled["dev"].ir)
    figs, bad = compose_fidelity.compare(data, built, ctx.vars, ctx.env_files)
    if bad:
        figs["categories"]["UNEXPLAINED"] = len(bad)
    lines = sum(1 for ln in path.read_text(encoding="utf-8").splitlines()
                if ln.strip() and not ln.lstrip().startswith("#"))
    return Result(files, figs, bad, notes, lines)


def import_environments(renderings: dict[str, list[Path]], name: str, base: list[Path] | None = None) -> Result:
    """One project from several renderings of a system ({environment: paths}): specs from
    the common part (or from ``base``), one overlay per environment with the differences;
    built for every environment and compared with that environment's rendering."""
    results = {env: import_kubernetes(paths, name) for env, paths in renderings.items()}
    base_r = import_kubernetes(base, name) if base else None
    items, overlays, notes = environments.split(results, base_r)
    namespace = kube.namespace_of([o for r in results.values() for o in r.inputs])
    envs = "".join(f"  {env}: {{overlays: [overlays/{env}.yaml]}}\n" for env in renderings)
    files = {"skyspec.yaml": project_file(name, namespace, envs)}
    for x in items:
        rel, text = spec_text(x)
        files[rel] = text
    for env, data in overlays.items():
        files[f"overlays/{env}.yaml"] = emit.dump(data or {"apps": {}}, {
            "settings": "as the input: no PodDisruptionBudget or spread beyond what it had"} if "settings" in data else {})
    compiled, diags = compile_files(files)
    if compiled is None:
        raise ImportError_("the imported project does not build:\n" + _diag_text(diags))
    from ..backends.kubernetes import objects

    figs: dict = {"objects": 0, "fields": 0, "equal": 0, "categories": {}}
    bad: list = []
    for env, r in results.items():
        f, b = fidelity.compare(r.inputs, objects(compiled[env].ir))
        for k in ("objects", "fields", "equal"):
            figs[k] += f[k]
        for k, v in f["categories"].items():
            figs["categories"][k] = figs["categories"].get(k, 0) + v
        bad += b
    if bad:
        figs["categories"]["UNEXPLAINED"] = len(bad)
    lines = sum(r.input_lines for r in results.values())
    out = Result(files, figs, bad, [n for r in results.values() for n in r.notes] + notes, lines)
    out.items = items
    return out


def import_helm(chart: Path, values: list[str], name: str) -> Result:
    """A chart rendered with each values file (`NAME=FILE` or `values-NAME.yaml`), one
    environment per file, then as :func:`import_environments`."""
    if not (chart / "Chart.yaml").is_file():
        raise ImportError_(f"{chart}: not a chart (no Chart.yaml)")
    envs = [helm.env_name(v) for v in values]
    with tempfile.TemporaryDirectory(prefix="skyspec-helm-") as tmp:
        rendered = helm.render(chart, envs, name, Path(tmp))
        r = import_environments(rendered, name)
    return r


def _diag_text(diags: Diagnostics) -> str:
    from ..diagnostics import render_text

    return render_text(diags.sorted(), None)


def write_project(result: Result, out: Path) -> list[Path]:
    """Writes the project into ``out``, refusing to overwrite any file already there."""
    clash = [rel for rel in result.files if (out / rel).exists()]
    if clash:
        raise ImportError_(f"{', '.join(clash)} already exist in {out}; nothing written")
    written = []
    for rel, text in result.files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
        written.append(out / rel)
    return written


_ = shutil
