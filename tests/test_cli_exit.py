"""The `skyspec` command leaves its process without tearing its objects down
(:func:`skyspec.cli.run`): what it printed reaches a pipe whole, exit statuses are kept, and
exit handlers still run, as a normal exit would give."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import EXAMPLES, ROOT


def skyspec(*args: str, cwd: Path | None = None, code: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "compiler"), "SKYSPEC_CACHE": "0"}
    argv = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "skyspec", *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_what_it_prints_reaches_a_pipe_whole():
    from skyspec.cli import main

    r = skyspec("manifests", str(EXAMPLES / "shop"), "--env", "prod")
    assert r.returncode == 0, r.stderr
    inproc = CliRunner().invoke(main, ["manifests", str(EXAMPLES / "shop"), "--env", "prod"])
    assert r.stdout == inproc.stdout and len(r.stdout) > 10_000   # more than a pipe's buffer


def test_exit_statuses_are_kept(tmp_path):
    assert skyspec("--version").returncode == 0
    assert skyspec("build", "--no-such-option").returncode == 2
    (tmp_path / "skyspec.yaml").write_text("project: p\nspecs: [a.yaml]\nenvironments: {dev: {}}\n")
    (tmp_path / "a.yaml").write_text("kind: App\nname: a\nimage: x:1\nreplicas: many\n")
    r = skyspec("check", str(tmp_path))
    assert r.returncode == 1 and "a.yaml:4:11: error[SKY104]" in r.stderr and r.stderr.endswith("1 error, 1 warning\n")


def test_exit_handlers_still_run(tmp_path):
    marker = tmp_path / "ran"
    code = ("import atexit, sys; atexit.register(lambda f=sys.argv[1]: open(f, 'w').write('yes')); "
            "sys.argv = ['skyspec', '--version']; from skyspec.cli import run; run()")
    r = skyspec(str(marker), code=code)
    assert r.returncode == 0 and r.stdout.startswith("skyspec, version") and marker.read_text() == "yes"
