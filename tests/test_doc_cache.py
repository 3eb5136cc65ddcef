"""The project's cache of parsed documents (`.skyspec-cache/`, skyspec.frontend.doccache):
invalidation is exact, so after every edit, rename, deletion and addition of a spec, overlay,
template, project or stdlib file, a run with the cache prints the same diagnostics, exits the
same and writes the same bytes as a cold run; a damaged or forged entry is never trusted
(its MAC, made with a key outside the project, fails) and results stay those of a cold run."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import ROOT, write_tree
from skyspec.frontend import doccache

PROJECT = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  dev: {overlays: [overlays/dev.yaml]}
  prod: {profile: prod, overlays: [overlays/prod.yaml]}
"""
TEMPLATE = """
kind: App
params:
  module: {type: string}
spec:
  image: "ghcr.io/acme/py:1.0.0"
  command: [python, -m, "${self.module}"]
  port: 8080
"""
FILES = {
    "skyspec.yaml": PROJECT,
    "templates/svc.yaml": TEMPLATE,
    "apps/api.yaml": "kind: App\nname: api\nuse: ./templates/svc.yaml\nmodule: api.main\nreplicas: 2\n",
    "apps/web.yaml": "kind: App\nname: web\nimage: ghcr.io/acme/web:1.0.0\nport: 80\nconnect_to: [api]\n",
    "overlays/dev.yaml": "apps:\n  web: {replicas: 1}\n",
    "overlays/prod.yaml": "all:\n  env: {LOG_LEVEL: warn}\napps:\n  api: {replicas: 3}\n",
}


@pytest.fixture
def proj(tmp_path, monkeypatch, cli):
    """A project, a stdlib overlay folder of its own (copied: its files are edited too), the
    key under a private XDG_CACHE_HOME, and ``run(cached)`` -> (exit code, output, files)."""
    root = write_tree(tmp_path / "proj", FILES)
    stdlib = tmp_path / "stdlib"
    shutil.copytree(ROOT / "overlays", stdlib / "overlays")
    import skyspec.pipeline as pipeline

    real = pipeline.data_dir
    monkeypatch.setattr(pipeline, "data_dir", lambda name: stdlib / name if name == "overlays" else real(name))
    monkeypatch.delenv("SKYSPEC_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.chdir(root)

    def run(cached: bool, command: str = "build") -> tuple:
        monkeypatch.setenv("SKYSPEC_CACHE", "1" if cached else "0")
        out = tmp_path / "out"
        shutil.rmtree(out, ignore_errors=True)
        args = ["build", ".", "-o", str(out)] if command == "build" else ["check", "."]
        r = cli(*args)
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} \
            if out.exists() else {}
        return r.exit_code, r.stdout.replace(str(out), "OUT"), r.stderr, files

    run.root, run.stdlib = root, stdlib
    return run


def _same(run, command: str = "build") -> tuple:
    hits = doccache.STATS["hit"]
    warm = run(True, command)
    used = doccache.STATS["hit"] - hits
    cold = run(False, command)
    assert warm == cold
    return warm, used


EDITS = [
    ("edit a spec", lambda r: (r / "apps/web.yaml").write_text(FILES["apps/web.yaml"].replace("port: 80", "port: 81"))),
    ("break a spec", lambda r: (r / "apps/web.yaml").write_text(FILES["apps/web.yaml"].replace("port: 80", "port: x"))),
    ("rename the broken spec", lambda r: (r / "apps/web.yaml").rename(r / "apps/www.yaml")),
    ("fix it", lambda r: (r / "apps/www.yaml").write_text(FILES["apps/web.yaml"])),
    ("delete a spec", lambda r: ((r / "apps/www.yaml").unlink(),
                                 (r / "overlays/dev.yaml").write_text("apps:\n  api: {replicas: 1}\n"))),
    ("add a spec", lambda r: (r / "apps/db.yaml").write_text("kind: App\nname: db\nimage: postgres:16\nport: 5432\n")),
    ("edit an overlay", lambda r: (r / "overlays/prod.yaml").write_text("apps:\n  api: {replicas: 5}\n")),
    ("break an overlay", lambda r: (r / "overlays/prod.yaml").write_text("apps:\n  api: {replicas: [}\n")),
    ("fix the overlay", lambda r: (r / "overlays/prod.yaml").write_text("apps:\n  db: {replicas: 2}\n")),
    ("edit the template", lambda r: (r / "templates/svc.yaml").write_text(TEMPLATE.replace("8080", "9090"))),
    ("break the template", lambda r: (r / "templates/svc.yaml").write_text(TEMPLATE.replace("port: 8080", "porrt: 1"))),
    ("rename the template", lambda r: ((r / "templates/svc.yaml").rename(r / "templates/s.yaml"),
                                       (r / "apps/api.yaml").write_text(FILES["apps/api.yaml"].replace("svc", "s")))),
    ("fix the template", lambda r: (r / "templates/s.yaml").write_text(TEMPLATE)),
    ("edit the project", lambda r: (r / "skyspec.yaml").write_text(PROJECT + "  qa: {overlays: []}\n")),
    ("break the project", lambda r: (r / "skyspec.yaml").write_text(PROJECT.replace("specs:", "spec:"))),
    ("fix the project", lambda r: (r / "skyspec.yaml").write_text(PROJECT)),
]


def test_every_edit_gives_a_cold_runs_result(proj):
    (code, _, _, files), used = _same(proj)
    assert code == 0 and files and used == 0
    assert not (proj.root / ".skyspec-cache").exists()  # a build uses a cache, never starts one
    _same(proj, "check")  # which `check` does
    assert (proj.root / ".skyspec-cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    (code, _, _, _), used = _same(proj)
    assert code == 0 and used >= 6  # every file from the cache
    codes = []
    for what, edit in EDITS:
        edit(proj.root)
        for command in ("build", "check"):
            (code, _, err, _), used = _same(proj, command)
            assert used > 0 or what == "break the project", what  # nothing loads past a broken project file
        codes.append(code)
        if what.startswith("break"):
            assert code == 1 and "error" in err, (what, err)
        if what == "rename the broken spec":
            assert "apps/www.yaml:" in err and "apps/web.yaml" not in err
    assert codes.count(0) >= 10, codes
    stdlib = proj.stdlib / "overlays" / "prod.yaml"
    stdlib.write_text(stdlib.read_text().replace("cpu: 250m", "cpu: 275m"))  # a stdlib file (a profile)
    (code, _, _, files), _ = _same(proj)
    assert code == 0 and b"cpu: 275m" in b"".join(files.values())


def test_a_nan_read_from_the_cache_is_the_one_a_parse_gives(proj, monkeypatch):
    # YAML's `.nan` is one object (PyYAML's), and a NaN equals nothing, itself included: the
    # overlay's `command-: [.nan]` finds the spec's `.nan` by its identity. Unpickled, each
    # entry had its own, and a cached build refused what the cold one built (SKY204; fuzz
    # seed 89, case 1910). A TOML `nan` is a new object each time, as parsed.
    from yaml.constructor import SafeConstructor

    (proj.root / "apps/web.yaml").write_text(FILES["apps/web.yaml"] + "command: [serve, .nan, '1']\n")
    (proj.root / "overlays/dev.yaml").write_text("apps:\n  web: {replicas: 1, command-: [.nan]}\n")
    (proj.root / "apps/twin.toml").write_text('kind = "App"\nname = "twin"\nimage = "ghcr.io/acme/t:1.0.0"\n'
                                              'port = 81\ncommand = ["a", nan, nan]\n')
    _same(proj, "check")  # (which keeps the cache)
    (code, _, err, files), used = _same(proj)
    assert code == 0 and used >= 6, err
    assert b"- serve\n" in files["dev/kubernetes/web.yaml"] and b"nan" not in files["dev/kubernetes/web.yaml"]
    from skyspec.limits import DEFAULT

    monkeypatch.setenv("SKYSPEC_CACHE", "1")
    cache = doccache.open_cache(proj.root)
    for rel, yaml in (("apps/web.yaml", True), ("apps/twin.toml", False)):
        docs, _ = cache.get((proj.root / rel).read_text(), rel, DEFAULT)
        nans = [v for v in docs[0].data["command"] if isinstance(v, float)]
        assert len(nans) == (1 if yaml else 2)
        assert all((v is SafeConstructor.nan_value) == yaml for v in nans), rel
        assert yaml or nans[0] is not nans[1]
    # a map keyed by a NaN (refused by every kind's schema, but parsed and cached first)
    import pickle
    from types import SimpleNamespace

    doc = pickle.loads(pickle.dumps(SimpleNamespace(data={"x": [{float("-nan"): 1, "b": [float("-nan")]}]})))
    doccache._one_nan([doc])
    (key, one), (b, more) = doc.data["x"][0].items()
    assert key is SafeConstructor.nan_value and one == 1 and b == "b" and more[0] is SafeConstructor.nan_value


def test_edits_across_repacking_give_a_cold_runs_result(proj):
    # loose entries pile up beside the pack, edit after edit, until the pack is made again
    # with every entry a run used: each run in between reads both, and drops nothing it needs
    for i in range(40):
        (proj.root / "apps" / f"x{i}.yaml").write_text(f"kind: App\nname: x{i}\nimage: ghcr.io/acme/x:1.0.{i}\nport: 80\n")
    cache = proj.root / ".skyspec-cache"
    proj(True, "check")
    loose, repacked = [], False
    for round in range(6):
        for i in range(round * 7, round * 7 + 8):
            (proj.root / "apps" / f"x{i % 40}.yaml").write_text(
                f"kind: App\nname: x{i % 40}\nimage: ghcr.io/acme/x:2.{round}.{i}\nport: {80 + round}\n")
        (proj.root / "overlays/dev.yaml").write_text(f"apps:\n  web: {{replicas: {round + 1}}}\n")
        _same(proj, "check")  # (which keeps the new entries)
        (code, _, err, files), used = _same(proj)
        assert code == 0 and used >= 40, err
        assert f"containerPort: {80 + round}\n".encode() in files[f"dev/kubernetes/x{round * 7}.yaml"]
        loose.append(len(list((cache / "docs").glob("*.pkl"))))
        repacked |= len(loose) > 1 and loose[-1] < loose[-2]
    assert repacked, loose


def test_an_entry_under_a_foreign_key_is_not_trusted(proj, tmp_path, monkeypatch):
    proj(True, "check")
    entries = sorted((proj.root / ".skyspec-cache" / "docs").glob("*.pkl"))
    assert entries
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-machine"))  # another key
    before = dict(doccache.STATS)
    proj(True)
    assert doccache.STATS["hit"] == before["hit"] and doccache.STATS["rejected"] - before["rejected"] == len(entries)


def test_the_key_is_private_and_a_symlinked_cache_is_not_used(proj, tmp_path, monkeypatch):
    proj(True, "check")
    key = tmp_path / "xdg" / "skyspec" / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    shutil.rmtree(proj.root / ".skyspec-cache")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, proj.root / ".skyspec-cache")
    assert proj(True, "check")[0] == 0
    assert list(elsewhere.iterdir()) == []  # nothing written through the link
    os.unlink(proj.root / ".skyspec-cache")
    monkeypatch.setenv("CI", "true")  # a CI job does not start a cache (it would only pay for it)
    monkeypatch.setenv("SKYSPEC_CACHE", "")
    assert doccache.open_cache(proj.root) is None and not (proj.root / ".skyspec-cache").exists()
    (proj.root / ".skyspec-cache").mkdir()
    assert doccache.open_cache(proj.root) is not None  # but uses one
    os.chmod(key, 0o644)  # readable by others: not a secret any more, so no cache
    assert doccache.open_cache(proj.root) is None


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_flipped_bytes_in_the_cache_change_nothing(proj, data):
    cache = proj.root / ".skyspec-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cold = proj(False)
    proj(True, "check")
    entries = sorted(p for p in cache.rglob("*") if p.is_file() and p.suffix == ".pkl")
    original = {p: p.read_bytes() for p in entries}
    for _ in range(data.draw(st.integers(1, 4))):
        victim = data.draw(st.sampled_from(entries))
        blob = bytearray(victim.read_bytes())
        if not blob:
            continue
        if data.draw(st.booleans()):
            i = data.draw(st.integers(0, len(blob) - 1))
            blob[i] ^= data.draw(st.integers(1, 255))
        else:
            del blob[data.draw(st.integers(0, len(blob) - 1)):]
        victim.write_bytes(bytes(blob))
    # two flips of one byte by the same value put it back: such a draw damaged nothing
    assume(any(p.read_bytes() != b for p, b in original.items()))
    before = dict(doccache.STATS)
    assert proj(True) == cold
    assert doccache.STATS["rejected"] > before["rejected"]
    assert proj(True) == cold  # the damaged entries were replaced


def test_a_large_project_is_read_from_one_pack(proj, monkeypatch):
    """Many entries go in one signed pack (one file read per run); the few of later runs in
    files of their own beside it; a damaged pack is rejected and the result is a cold run's."""
    for i in range(40):
        (proj.root / "apps" / f"x{i}.yaml").write_text(f"kind: App\nname: x{i}\nimage: ghcr.io/acme/x:1.0.{i}\nport: 80\n")
    cache = proj.root / ".skyspec-cache"
    proj(True, "check")
    assert (cache / "docs.pack").is_file() and not list((cache / "docs").glob("*.pkl"))
    hits = doccache.STATS["hit"]
    assert proj(True) == proj(False)
    assert doccache.STATS["hit"] - hits >= 42
    # an entry is unpickled when a run asks for it; the others stay pickled (a worker compiling
    # one environment unpickles no other environment's overlays)
    from skyspec.diagnostics import Diagnostics, Sources
    from skyspec.frontend import load_file

    monkeypatch.setenv("SKYSPEC_CACHE", "1")
    sources = Sources()
    sources.doc_cache = doccache.open_cache(proj.root)
    pack = sources.doc_cache._packed()
    assert len(pack) >= 42 and all(isinstance(v, bytes) for v in pack.values())
    hits = doccache.STATS["hit"]
    docs = load_file(proj.root / "apps" / "x7.yaml", "apps/x7.yaml", Diagnostics(), sources)
    assert [d.data["name"] for d in docs] == ["x7"] and doccache.STATS["hit"] == hits + 1
    assert len(sources.doc_cache.used) == 1 and all(isinstance(v, bytes) for v in pack.values())
    (proj.root / "apps" / "x3.yaml").write_text("kind: App\nname: x3\nimage: ghcr.io/acme/x:2.0.0\nport: 80\n")
    proj(True, "check")
    assert len(list((cache / "docs").glob("*.pkl"))) == 1  # one new entry, beside the pack
    blob = bytearray((cache / "docs.pack").read_bytes())
    blob[len(blob) // 2] ^= 0x20
    (cache / "docs.pack").write_bytes(bytes(blob))
    before = dict(doccache.STATS)
    assert proj(True) == proj(False)
    assert doccache.STATS["rejected"] == before["rejected"] + 1
