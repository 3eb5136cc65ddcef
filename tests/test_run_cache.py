"""The run cache (`skyspec.runcache`): a `check` of unchanged inputs replays the output of the
last run that found no error. Invalidation is exact: after every edit, rename, deletion and
addition of a spec, overlay, template, project, ConfigMap or stdlib file (and a symlink
swapped in, a file that appears where none was, another working folder, other options), a run
with the cache prints the same bytes and exits the same as a cold run; an unchanged project
is answered from the cache (observably: `runcache.STATS`); a damaged or foreign entry is
never trusted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, write_tree
from skyspec import jobs, runcache
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
    "apps/db.yaml": "kind: StatefulApp\nname: db\nuse: redis\n",
    "apps/conf.yaml": "kind: ConfigMap\nname: conf\nfiles: {app.ini: conf/app.ini}\n",
    "conf/app.ini": "[app]\nlevel = info\n",
    "overlays/dev.yaml": "apps:\n  web: {replicas: 1}\n",
    "overlays/prod.yaml": "all:\n  env: {LOG_LEVEL: warn}\napps:\n  api: {replicas: 3}\n",
}


@pytest.fixture
def proj(tmp_path, monkeypatch, cli):
    """A project; stdlib templates and profiles of its own (copies: they are edited too);
    the key under a private XDG_CACHE_HOME; ``run(cached, *args)`` -> (exit code, stdout,
    stderr) of `skyspec check ARGS`, and the run cache's events during it."""
    root = write_tree(tmp_path / "proj", FILES)
    data = tmp_path / "data"
    shutil.copytree(ROOT / "overlays", data / "overlays")
    shutil.copytree(ROOT / "stdlib", data / "stdlib")
    import skyspec.layers.templates as templates
    import skyspec.pipeline as pipeline

    for module in (pipeline, templates):
        real = module.data_dir
        monkeypatch.setattr(module, "data_dir", lambda name, real=real: data / name if name in ("overlays", "stdlib")
                            else real(name))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.chdir(root)

    def run(cached: bool, *args: str) -> tuple:
        monkeypatch.setenv("SKYSPEC_CACHE", "1" if cached else "0")
        before = dict(runcache.STATS)
        r = cli("check", *(args or (".",)))
        events = {k: runcache.STATS[k] - before[k] for k in before if runcache.STATS[k] != before[k]}
        return (r.exit_code, r.stdout, r.stderr), events

    run.root, run.data = root, data
    return run


def _same(run, *args: str) -> dict:
    """A run with the cache gives what a cold run gives; the cache's events of the first."""
    warm, events = run(True, *args)
    cold, _ = run(False, *args)
    assert warm == cold, args
    return events


def _symlink_out(r: Path) -> None:
    outside = r.parent / "outside.yaml"
    outside.write_text((r / "apps/web.yaml").read_text())  # the same bytes, now outside the project
    (r / "apps/web.yaml").unlink()
    os.symlink(outside, r / "apps/web.yaml")


def _renamed_over(r: Path) -> None:
    """What an editor's safe save does: a new file (another inode), renamed over the old."""
    web, new = r / "apps/web.yaml", r / "apps/.web.yaml.tmp"
    before = web.stat()
    new.write_text(web.read_text().replace("port: 80\n", "port: 8x\n"))  # the same size: an error now
    os.utime(new, ns=(before.st_atime_ns, before.st_mtime_ns))
    new.rename(web)


def _edit_stdlib(r: Path) -> None:
    f = r.parent / "data" / "stdlib" / "redis.yaml"
    assert '"redis:${self.version}"' in f.read_text()
    f.write_text(f.read_text().replace('"redis:${self.version}"', '"redis:${self.version}-alpine"'))


def _edit_profile(r: Path) -> None:
    f = r.parent / "data" / "overlays" / "prod.yaml"
    f.write_text(f.read_text().replace("cpu: 250m", "cpu: 275m"))


EDITS = [
    ("edit a spec", lambda r: (r / "apps/web.yaml").write_text(FILES["apps/web.yaml"].replace("port: 80", "port: 81"))),
    ("break a spec", lambda r: (r / "apps/web.yaml").write_text(FILES["apps/web.yaml"].replace("port: 80", "port: x"))),
    ("rename the broken spec", lambda r: (r / "apps/web.yaml").rename(r / "apps/www.yaml")),
    ("fix it", lambda r: (r / "apps/www.yaml").write_text(FILES["apps/web.yaml"])),
    ("move it back", lambda r: (r / "apps/www.yaml").rename(r / "apps/web.yaml")),
    ("a warning", lambda r: (r / "overlays/prod.yaml").write_text("apps:\n  api: {replicas: 1}\n")),
    ("delete a spec", lambda r: ((r / "apps/db.yaml").unlink())),
    ("add a spec", lambda r: (r / "apps/db.yaml").write_text("kind: App\nname: db\nimage: postgres:16\nport: 5432\n")),
    ("add a file the glob matches", lambda r: (r / "apps/cache.yaml").write_text("kind: StatefulApp\nname: cache\nuse: redis\n")),
    ("edit an overlay", lambda r: (r / "overlays/prod.yaml").write_text("apps:\n  api: {replicas: 5}\n")),
    ("break an overlay", lambda r: (r / "overlays/prod.yaml").write_text("apps:\n  api: {replicas: [}\n")),
    ("fix the overlay", lambda r: (r / "overlays/prod.yaml").write_text("apps:\n  db: {replicas: 2}\n")),
    ("delete the overlay", lambda r: (r / "overlays/prod.yaml").unlink()),
    ("add it again", lambda r: (r / "overlays/prod.yaml").write_text("apps:\n  db: {replicas: 3}\n")),
    ("edit the template", lambda r: (r / "templates/svc.yaml").write_text(TEMPLATE.replace("8080", "9090"))),
    ("break the template", lambda r: (r / "templates/svc.yaml").write_text(TEMPLATE.replace("port: 8080", "porrt: 1"))),
    ("rename the template", lambda r: ((r / "templates/svc.yaml").rename(r / "templates/s.yaml"),
                                       (r / "apps/api.yaml").write_text(FILES["apps/api.yaml"].replace("svc", "s")))),
    ("fix the template", lambda r: (r / "templates/s.yaml").write_text(TEMPLATE)),
    ("edit a ConfigMap file", lambda r: (r / "conf/app.ini").write_text("[app]\nlevel = debug\n")),
    ("delete the ConfigMap file", lambda r: (r / "conf/app.ini").unlink()),
    ("add it back", lambda r: (r / "conf/app.ini").write_text("[app]\n")),
    ("edit a stdlib template", _edit_stdlib),
    ("edit a built-in profile", _edit_profile),
    ("a spec becomes a symlink leading out", _symlink_out),
    ("and a file again", lambda r: ((r / "apps/web.yaml").unlink(), (r / "apps/web.yaml").write_text(FILES["apps/web.yaml"]))),
    ("another file of the same size and mtime renamed over a spec", _renamed_over),
    ("the spec as it was", lambda r: (r / "apps/web.yaml").write_text(FILES["apps/web.yaml"])),
    ("edit the project", lambda r: (r / "skyspec.yaml").write_text(PROJECT + "  qa: {overlays: []}\n")),
    ("break the project", lambda r: (r / "skyspec.yaml").write_text(PROJECT.replace("specs:", "spec:"))),
    ("fix the project", lambda r: (r / "skyspec.yaml").write_text(PROJECT)),
    ("a project file nearer the spec", lambda r: write_tree(r / "apps", {"skyspec.toml": "project = 'x'\n"})),
    ("gone again", lambda r: (r / "apps/skyspec.toml").unlink()),
]


@pytest.mark.parametrize("files,workers", [("hashed", False), ("settled", False), ("hashed", True), ("settled", True)])
def test_every_edit_gives_a_cold_runs_result(proj, monkeypatch, files, workers):
    # the runs start an hour before the files' last change (none has settled: each is hashed),
    # or an hour after it (each has settled: verified by its signature), as far as the cache can tell
    hour = 3600 * 10**9 * (1 if files == "settled" else -1)
    monkeypatch.setattr(runcache, "_clock", lambda: runcache.time.time_ns() + hour)
    if workers:  # the environments compiled in workers (`-j`), which read the overlays and ConfigMap files
        monkeypatch.setattr(jobs, "MIN_DOCS", 0)
        plain = proj

        def proj(cached: bool, *args: str) -> tuple:
            return plain(cached, *(args or (".",)), "-j", "3")
        proj.root = plain.root
    trusted = runcache.READS["trusted"]
    workers_before = jobs.STATS["workers"]
    assert _same(proj) == {"miss": 1, "stored": 1}
    assert (jobs.STATS["workers"] > workers_before) == workers
    assert _same(proj) == {"hit": 1}
    assert (runcache.READS["trusted"] > trusted) == (files == "settled")
    assert (proj.root / ".skyspec-cache" / ".gitignore").exists()
    codes = []
    # every option with the environments compiled here; in workers, the folder and one file
    # (where a unit compiles changes no output; forking for every option doubled the suite's longest test)
    options = ((".",), ("apps/api.yaml",)) + (() if workers else ((".", "--format", "json"), ("-q", "."),
                                                                  (".", "--strict")))
    for what, edit in EDITS:
        edit(proj.root)
        first = {}
        for args in options:
            events = _same(proj, *args)
            first = first or events
        # the first run after an edit compiles, unless the edit restored what the last kept run read
        assert "hit" not in first or what in ("and a file again", "gone again", "the spec as it was"), (what, first)
        code = proj(False)[0][0]
        codes.append(code)
        if code == 0:
            assert _same(proj) == {"hit": 1}, what  # and the next one replays
        else:
            assert "stored" not in first, what  # a run with errors is never kept
        if what.startswith("break") or what in ("a spec becomes a symlink leading out", "delete the overlay",
                                                 "delete the ConfigMap file",
                                                 "another file of the same size and mtime renamed over a spec"):
            assert code == 1, what
    assert codes.count(0) >= 15, codes


def test_options_and_the_working_folder_are_part_of_the_key(proj, tmp_path):
    assert _same(proj)["stored"] == 1
    for args in (("--set", "api.replicas=4", "."), ("--set", "api.replicas=5", "."), ("-e", "dev", "."),
                 ("--format", "sarif", "."), ("-v", ".")):
        assert "hit" not in _same(proj, *args), args
        assert _same(proj, *args) == {"hit": 1}, args
    os.chdir(proj.root / "apps")  # paths are shown from the working folder
    assert "hit" not in _same(proj, "..")
    assert _same(proj, "..") == {"hit": 1}


def test_secrets_of_set_values_are_in_no_entry_and_no_name(proj):
    secret = "s3cr3t-Pa55word-xyz"
    (proj.root / "apps/sec.yaml").write_text("kind: Secret\nname: db\nkeys: [password]\n")
    (code, _, err), events = proj(True, "--set", f"api.env.DB_PASSWORD={secret}", "-e", "dev", ".")
    assert code == 0 and events == {"miss": 1, "stored": 1}, err
    entries = list((proj.root / ".skyspec-cache" / "runs").iterdir())
    assert entries
    for e in entries:
        assert secret.encode() not in e.read_bytes() and secret not in e.name


def test_python_projects_and_runs_with_errors_are_never_kept(proj):
    (proj.root / "apps/web.yaml").write_text("kind: App\nname: web\nimage: 1\n")
    assert _same(proj) == {"miss": 1}
    assert _same(proj) == {"miss": 1}
    (proj.root / "apps/web.yaml").write_text(FILES["apps/web.yaml"])
    (proj.root / "skyspec.yaml").write_text(PROJECT + "python: true\n")
    (proj.root / "apps/py.py").write_text("print('hello from a spec')\n")
    for _ in range(2):
        events = _same(proj)
        assert "stored" not in events and "hit" not in events


def test_an_entry_under_a_foreign_key_is_not_trusted(proj, tmp_path, monkeypatch):
    proj(True)
    (entry,) = (proj.root / ".skyspec-cache" / "runs").iterdir()
    body = json.loads(entry.read_bytes()[32:])
    body["err"] = "forged\n"
    entry.write_bytes(entry.read_bytes()[:32] + json.dumps(body).encode())  # edited, the MAC kept
    rejected = doccache.STATS["rejected"]
    assert "forged" not in proj(True)[0][2]
    assert doccache.STATS["rejected"] == rejected + 1
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-machine"))  # another key
    events = _same(proj)
    assert "hit" not in events  # its entry has another name, and the old one does not verify


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_flipped_bytes_in_the_cache_change_nothing(proj, data):
    cache = proj.root / ".skyspec-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cold, _ = proj(False)
    proj(True)
    entries = sorted(p for p in cache.rglob("*") if p.is_file() and p.name != ".gitignore")
    assert any(p.parent.name == "runs" for p in entries)
    for _ in range(data.draw(st.integers(1, 4))):
        victim = data.draw(st.sampled_from(entries))
        blob = bytearray(victim.read_bytes())
        if not blob:
            continue
        how = data.draw(st.sampled_from(["flip", "cut", "swap"]))
        if how == "flip":
            i = data.draw(st.integers(0, len(blob) - 1))
            blob[i] ^= data.draw(st.integers(1, 255))
        elif how == "cut":
            del blob[data.draw(st.integers(0, len(blob) - 1)):]
        else:  # another valid entry under this one's name
            blob = bytearray(data.draw(st.sampled_from(entries)).read_bytes())
        victim.write_bytes(bytes(blob))
    assert proj(True)[0] == cold
    assert proj(True)[0] == cold  # the damaged entries were replaced
    assert proj(True)[1] == {"hit": 1}


def test_a_changed_skyspec_is_a_miss(tmp_path):
    """The code of skyspec, its schemas and shipped data are part of every entry's name: a
    copy of the package whose source or schemas change does not replay what it printed."""
    pkg = tmp_path / "repo"
    shutil.copytree(ROOT / "compiler" / "skyspec", pkg / "compiler" / "skyspec",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for d in ("schemas", "stdlib", "overlays"):
        shutil.copytree(ROOT / d, pkg / d)
    proj = write_tree(tmp_path / "proj", {k: v for k, v in FILES.items()})
    env = {"PYTHONPATH": str(pkg / "compiler"), "PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path / "xdg"),
           "SKYSPEC_DEBUG_CACHE": "1", "PYTHONDONTWRITEBYTECODE": "1"}

    def events() -> list[str]:
        r = subprocess.run([sys.executable, "-m", "skyspec", "check", "."], cwd=proj, env=env, capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        return [line.split()[2] for line in r.stderr.splitlines() if line.startswith("run cache:")]

    assert events() == ["miss", "stored"]
    assert events() == ["hit"]
    units = pkg / "compiler" / "skyspec" / "units.py"
    units.write_text(units.read_text() + "\n# a change\n")
    assert events() == ["miss", "stored"]
    assert events() == ["hit"]
    schema = pkg / "schemas" / "app.json"
    schema.write_text(schema.read_text().replace('"description"', '"description" ', 1))
    assert events() == ["miss", "stored"]


def _entry(proj) -> dict:
    (entry,) = (proj.root / ".skyspec-cache" / "runs").iterdir()
    return json.loads(entry.read_bytes()[32:])


def _same_size_edit(path: Path, new: str = "port: 81\n") -> None:
    """An edit that keeps the size, its mtime put back (what `os.utime` can do): only the
    ctime (which no user can set) tells it."""
    before = path.stat()
    text = path.read_text()
    assert "port: 80\n" in text and len(new) == len("port: 80\n")
    path.write_text(text.replace("port: 80\n", new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def _files(run, *args) -> tuple[dict, dict]:
    before = dict(runcache.READS)
    events = _same(run, *args)
    return events, {k: runcache.READS[k] - before[k] for k in before if runcache.READS[k] != before[k]}


def test_settled_files_are_verified_by_their_signature_and_an_edit_keeping_size_and_mtime_is_seen(proj, monkeypatch):
    # the files were written an hour before this run, as far as the cache can tell
    monkeypatch.setattr(runcache, "_clock", lambda: runcache.time.time_ns() + 3600 * 10**9)
    assert _same(proj) == {"miss": 1, "stored": 1}
    reads = [n for n in _entry(proj)["notes"] if n[0] == "read"]
    assert reads and all(n[4] is not None for n in reads)  # every file read, with its signature
    events, files = _files(proj)
    assert events == {"hit": 1} and files == {"trusted": len(reads)}  # no file hashed
    web = proj.root / "apps/web.yaml"
    _same_size_edit(web, "port: 8x\n")  # an error now: a replay of the kept run would say otherwise
    events, files = _files(proj)
    assert "hit" not in events and proj(False)[0][0] == 1
    web.write_text(FILES["apps/web.yaml"])  # back as it was: its bytes are hashed, and agree
    assert _files(proj) == ({"hit": 1}, {"trusted": len(reads) - 1, "hashed": 1, "refreshed": 1})
    _same_size_edit(web)
    events, files = _files(proj)
    assert events == {"stale": 1, "stored": 1}  # seen: the run compiled again (and kept it)
    assert _files(proj) == ({"hit": 1}, {"trusted": len(reads)})


def test_an_edit_in_the_same_second_as_the_store_is_seen(proj, monkeypatch):
    web = proj.root / "apps/web.yaml"
    stored_at = web.stat().st_ctime_ns + 10**9  # the run that stores starts a second after web.yaml's last change
    monkeypatch.setattr(runcache, "_clock", lambda: stored_at)
    assert _same(proj) == {"miss": 1, "stored": 1}
    sigs = {n[1]: n[4] for n in _entry(proj)["notes"] if n[0] == "read"}
    assert sigs[str(web.resolve())] is None  # too recent to vouch for what was read: hashed on every hit
    _same_size_edit(web, "port: 8x\n")  # right after the store, size and mtime kept
    events, files = _files(proj)
    assert "hit" not in events and files.get("hashed", 0) >= 1 and proj(False)[0][0] == 1


def test_a_hit_keeps_the_signatures_of_files_settled_since(proj, monkeypatch):
    # the runs start an hour before the files' last change, as far as the cache can tell: no signature kept
    monkeypatch.setattr(runcache, "_clock", lambda: runcache.time.time_ns() - 3600 * 10**9)
    assert _same(proj) == {"miss": 1, "stored": 1}
    reads = [n for n in _entry(proj)["notes"] if n[0] == "read"]
    assert reads and all(n[4] is None for n in reads)
    events, files = _files(proj)
    assert events == {"hit": 1} and files.get("hashed") == len(reads) and "trusted" not in files
    monkeypatch.setattr(runcache, "_clock", lambda: runcache.time.time_ns() + 3600 * 10**9)  # an hour later
    events, files = _files(proj)
    assert events == {"hit": 1} and files == {"hashed": len(reads), "refreshed": 1}
    assert all(n[4] is not None for n in _entry(proj)["notes"] if n[0] == "read")
    assert _files(proj) == ({"hit": 1}, {"trusted": len(reads)})
    _same_size_edit(proj.root / "apps/web.yaml")
    assert "hit" not in _same(proj)


def test_the_code_hash_is_kept_by_signature_and_every_change_is_seen(tmp_path, monkeypatch):
    """skyspec's own files (source, schemas, stdlib) are hashed once they have settled and
    taken from the machine-wide cache by their signatures after that; an edit that keeps the
    size and mtime, a file added, removed or renamed, a damaged memo: each gives the hash a
    cold computation gives."""
    import time

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    top = write_tree(tmp_path / "code", {"a.py": "x = 1\n", "sub/b.py": "y = 2\n", "c.txt": "not code\n"})
    trees = [("code", top, ".py"), ("gone", None, None)]
    later = time.time_ns() + 3600 * 10**9  # the files were written an hour before, as far as this call knows

    def run(since: int) -> tuple[bytes, dict]:
        before = dict(doccache.CODE_STATS)
        got = doccache.content_hash(trees, since)
        return got, {k: v - before[k] for k, v in doccache.CODE_STATS.items() if v != before[k]}

    def cold() -> bytes:
        shutil.rmtree(tmp_path / "xdg", ignore_errors=True)
        got = run(0)  # a call that began before the files' last change (as one just after an edit): nothing kept
        assert got[1] == {"hashed": 1}
        return got[0]

    first = cold()
    assert run(later) == (first, {"hashed": 1, "kept": 1})
    assert run(later) == (first, {"memo": 1})
    assert run(time.time_ns()) == (first, {"memo": 1})
    (top / "c.txt").write_text("other\n")  # not one of its files
    assert run(later) == (first, {"memo": 1})
    before = (top / "a.py").stat()
    (top / "a.py").write_text("x = 2\n")  # the same size, the mtime put back
    os.utime(top / "a.py", ns=(before.st_atime_ns, before.st_mtime_ns))
    edited = run(later)
    assert edited[0] != first and edited[1] == {"hashed": 1, "kept": 1}
    assert run(later) == (edited[0], {"memo": 1})
    assert cold() == edited[0]
    for change in (lambda: (top / "sub/new.py").write_text(""), lambda: (top / "sub/new.py").unlink(),
                   lambda: (top / "sub/b.py").rename(top / "sub/d.py")):
        change()
        was = run(later)[0]
        assert was == cold() and run(later) == (was, {"hashed": 1, "kept": 1})
        assert was != edited[0]
        edited = (was, None)
    for memo in (tmp_path / "xdg").rglob("*.bin"):
        memo.write_bytes(memo.read_bytes()[:-1] + b"?")
    assert run(later) == (edited[0], {"hashed": 1, "kept": 1})


def test_a_note_that_is_not_plain_data_keeps_no_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SKYSPEC_CACHE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    (tmp_path / "skyspec.yaml").write_text(PROJECT)
    run = runcache.open_run(tmp_path / "skyspec.yaml", ["check"])
    stored = runcache.STATS["stored"]
    run.store([("path", str(tmp_path), {"a", "set"}, True, False, None)], "out\n", "", 0)  # no exception
    run.store([("read", str(tmp_path / "skyspec.yaml"), None, -1)] * 2, "out\n", "", 0)
    assert runcache.STATS["stored"] == stored + 1
    assert run.replay() is None  # a file that could not be read is never taken for unchanged
