"""The Kubernetes objects shared while rendering (`backends.common.sharing`, opened by
`pipeline.render`): each workload is lowered once for its check, its files, Helm and
Kustomize; no reader changes the shared objects; nothing is kept past the scope."""

import pytest

from conftest import EXAMPLES
from skyspec.backends import kubernetes
from skyspec.backends.common import sharing
from skyspec.pipeline import FORMATS, Session, render

PROJECTS = [EXAMPLES / "shop", EXAMPLES / "ported" / "podinfo", EXAMPLES / "ported" / "sock-shop",
            EXAMPLES / "ported" / "online-boutique"]


def _compiled(project):
    s = Session.find(project)
    compiled = s.compile_all()
    assert compiled and not s.diags.has_errors
    return s, compiled


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_every_format_reads_the_objects_without_changing_them(project):
    s, compiled = _compiled(project)
    with sharing():
        render(compiled, FORMATS, s.diags, project=s.project)
        kept = {k: kubernetes.files(c.ir) for k, c in compiled.items()}   # the objects the readers were given
        again = {k: kubernetes.files(c.ir) for k, c in compiled.items()}
    assert all(a is b for k in kept for f in kept[k] for a, b in zip(kept[k][f], again[k][f]))  # shared
    fresh = {k: kubernetes.files(c.ir) for k, c in compiled.items()}   # outside: made anew
    assert all(a is not b for k in kept for f in kept[k] for a, b in zip(kept[k][f], fresh[k][f]))
    assert kept == fresh


def test_each_workload_is_lowered_once_per_render(monkeypatch):
    s, compiled = _compiled(EXAMPLES / "shop")
    made = []
    real = kubernetes.workload_objects
    monkeypatch.setattr(kubernetes, "workload_objects", lambda ir, w: made.append((id(ir), w.name)) or real(ir, w))
    render(compiled, FORMATS, s.diags, project=s.project)
    assert made and len(made) == len(set(made)) == sum(len(c.ir.workloads) for c in compiled.values())


def test_an_ir_changed_after_rendering_is_lowered_anew():
    _, compiled = _compiled(EXAMPLES / "shop")
    ir = next(iter(compiled.values())).ir
    w = next(w for w in ir.workloads if w.kind == "App" and w.strategy.type not in ("blue-green", "canary"))
    with sharing():
        before = kubernetes.files(ir)[f"{w.name}.yaml"][0]
        assert kubernetes.files(ir)[f"{w.name}.yaml"][0] is before
    w.replicas = (w.replicas or 0) + 5
    after = kubernetes.files(ir)[f"{w.name}.yaml"][0]
    assert after["kind"] == "Deployment" and after["spec"]["replicas"] == w.replicas != before["spec"]["replicas"]
    with sharing():
        assert kubernetes.files(ir)[f"{w.name}.yaml"][0]["spec"]["replicas"] == w.replicas


def test_a_build_lowers_each_workload_once_for_the_system_check_and_every_format(monkeypatch, tmp_path, cli):
    # `build` opens the scope before compiling: the objects the system check (the last pass)
    # lowered are the ones the four formats render, and the files are those of separate lowerings
    import shutil

    root = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", root, ignore=shutil.ignore_patterns(".skyspec-cache", "out"))
    monkeypatch.chdir(root)
    made = []
    real = kubernetes.workload_objects
    monkeypatch.setattr(kubernetes, "workload_objects", lambda ir, w: made.append((id(ir), w.name)) or real(ir, w))
    r = cli("build", ".", "-o", str(tmp_path / "one"), "-f", ",".join(FORMATS), "-j", "1")
    assert r.exit_code == 0, r.output
    assert made and len(made) == len(set(made))
    monkeypatch.setattr(kubernetes, "workload_objects", real)
    with monkeypatch.context() as m:
        from skyspec.backends import common

        m.setattr(common, "sharing", _unshared)   # the build opens no scope (render still opens its own)
        r2 = cli("build", ".", "-o", str(tmp_path / "two"), "-f", ",".join(FORMATS), "-j", "1")
    assert r2.exit_code == 0, r2.output
    files = lambda d: {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*"))  # noqa: E731
                       if p.is_file() and p.name != ".skyspec-manifest.json"}
    assert files(tmp_path / "one") == files(tmp_path / "two")


def _unshared():
    import contextlib

    return contextlib.nullcontext()
