"""The on-disk validator cache is used, observably: a second process loads every compiled
validator from it and compiles none (a fallback that silently recompiles would pass every
other test); a damaged, truncated or foreign entry is rejected before it is unmarshalled and
replaced; and a valid project never imports jsonschema (only a failing document needs it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, write_tree

APP = """
kind: App
name: api
image: ghcr.io/acme/api:1.0.0
ports: {http: 8080}
"""


def _project(root: Path) -> Path:
    # an overlay patching the app: its layer check takes the partial schema's validator (a spec
    # document that conforms whole is checked by the whole one), so four validators are cached
    return write_tree(root, {"skyspec.yaml": "project: demo\nnamespace: demo\nspecs: ['apps/*']\n"
                                             "environments:\n  dev: {overlays: [dev.yaml]}\n",
                             "dev.yaml": "apps: {api: {replicas: 2}}\n",
                             "apps/api.yaml": APP})


def _check(proj: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess:
    # the project's cache off: a run it answers would load no validator at all
    env = {"PYTHONPATH": str(ROOT / "compiler"), "PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache),
           "SKYSPEC_DEBUG_CACHE": "1", "SKYSPEC_CACHE": "0"}
    return subprocess.run([sys.executable, *extra, "-m", "skyspec", "check", str(proj)], capture_output=True,
                          text=True, env=env, timeout=120)


def _events(r: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    return [tuple(line.split()[2:4]) for line in r.stderr.splitlines() if line.startswith("validator cache:")]


def test_a_second_process_only_hits_the_cache(tmp_path):
    proj, cache = _project(tmp_path / "p"), tmp_path / "xdg"
    first = _check(proj, cache)
    assert first.returncode == 0, first.stderr
    ev = _events(first)
    schemas = {s for _, s in ev}
    assert "app.json" in schemas and {e for e, _ in ev} == {"miss", "compiled"}
    assert sorted(s for e, s in ev if e == "compiled") == sorted(schemas)
    second = _check(proj, cache)
    assert second.returncode == 0, second.stderr
    assert _events(second) == [("hit", s) for _, s in ev if _ == "miss"]


def test_a_damaged_or_foreign_entry_is_rejected_and_replaced(tmp_path):
    proj, cache = _project(tmp_path / "p"), tmp_path / "xdg"
    assert _check(proj, cache).returncode == 0
    entries = sorted((cache / "skyspec" / "validators").iterdir())
    assert entries and all(p.suffix == ".bin" for p in entries)
    flipped, truncated, foreign = entries[0], entries[1], entries[2]
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0x40  # one bit inside the code
    flipped.write_bytes(bytes(data))
    truncated.write_bytes(truncated.read_bytes()[:-7])
    foreign.write_bytes(entries[3].read_bytes())  # a valid entry of another schema under this name
    r = _check(proj, cache)
    assert r.returncode == 0, r.stderr
    ev = _events(r)
    assert sum(e == "rejected" for e, _ in ev) == 3 and sum(e == "compiled" for e, _ in ev) == 3
    assert {e for e, _ in _events(_check(proj, cache))} == {"hit"}  # replaced


def test_an_unwritable_cache_is_skipped(tmp_path):
    proj = _project(tmp_path / "p")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = _check(proj, blocker)
    assert r.returncode == 0 and "no errors" in r.stderr


def test_jsonschema_is_imported_only_when_a_document_fails(tmp_path):
    proj, cache = _project(tmp_path / "p"), tmp_path / "xdg"
    _check(proj, cache)
    imported = [line for line in _check(proj, cache, "-X", "importtime").stderr.splitlines()
                if line.rstrip().endswith("| jsonschema")]
    assert imported == []
    (proj / "apps" / "api.yaml").write_text(APP.replace("ports: {http: 8080}", "ports: {http: eighty}"))
    r = _check(proj, cache, "-X", "importtime")
    assert r.returncode == 1 and "SKY1" in r.stderr
    assert any(line.rstrip().endswith("| jsonschema") for line in r.stderr.splitlines())
