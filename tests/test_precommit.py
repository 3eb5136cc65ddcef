"""The pre-commit hook, run the way pre-commit runs it: the hook's `entry` with the staged
file names that match its `files` pattern, from the repository root."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT, write_tree


def run_hook(repo: Path, changed: list[str]) -> subprocess.CompletedProcess:
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    files = [f for f in changed if re.search(hook["files"], f)]
    assert hook["pass_filenames"] is True
    argv = shlex.split(hook["entry"])
    assert argv[0] == "skyspec"
    # the console script as installed by `language: python`; run through the interpreter here
    cmd = [sys.executable, "-m", "skyspec", *argv[1:], *files]
    env = {"PYTHONPATH": str(ROOT / "compiler"), "PATH": "/usr/bin:/bin"}
    return subprocess.run(cmd, cwd=repo, capture_output=True, text=True, env=env, timeout=120)


def make_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    write_tree(repo, {
        "README.md": "a repo with a skyspec project in deploy/\n",
        ".github/workflows/ci.yml": "on: push\n",
        "deploy/skyspec.yaml": "project: shop\nspecs: ['apps/*.yaml']\nenvironments:\n  dev: {}\n  prod: {overlays: [overlays/prod.yaml]}\n",
        "deploy/apps/api.yaml": "kind: App\nname: api\nimage: x/api:1\nport: 80\n",
        "deploy/overlays/prod.yaml": "apps:\n  api: {replicas: 3}\n",
    })
    return repo


def test_hook_passes_on_good_changes_and_ignores_unrelated_yaml(tmp_path):
    repo = make_repo(tmp_path)
    r = run_hook(repo, ["deploy/apps/api.yaml", ".github/workflows/ci.yml", "README.md"])
    assert r.returncode == 0, r.stderr


def test_hook_fails_on_a_broken_overlay_with_located_diagnostics(tmp_path):
    repo = make_repo(tmp_path)
    (repo / "deploy/overlays/prod.yaml").write_text("apps:\n  apii: {replicas: 3}\n")
    r = run_hook(repo, ["deploy/overlays/prod.yaml"])
    assert r.returncode == 1
    assert "deploy/overlays/prod.yaml:2:3: error[SKY201]" in r.stderr
    assert 'did you mean "api"?' in r.stderr


def test_hook_with_only_unrelated_files_passes(tmp_path):
    repo = make_repo(tmp_path)
    r = run_hook(repo, [".github/workflows/ci.yml"])
    assert r.returncode == 0, r.stderr


def test_hook_never_runs_a_python_spec_file_of_a_pull_request(tmp_path):
    """A pull request that adds a `.py` spec (and the glob for it) makes the hook fail with
    SKY018 at the glob; the file never runs. The description tells users so."""
    repo = make_repo(tmp_path)
    (repo / "deploy/skyspec.yaml").write_text((repo / "deploy/skyspec.yaml").read_text()
                                              .replace("specs: ['apps/*.yaml']", "specs: ['apps/*.yaml', 'apps/*.py']"))
    (repo / "deploy/apps/evil.py").write_text("import pathlib\n"
                                              "pathlib.Path(__file__).with_name('ran').write_text('pwned')\n")
    r = run_hook(repo, ["deploy/skyspec.yaml", "deploy/apps/evil.py"])
    assert r.returncode == 1
    assert "deploy/skyspec.yaml:2:24: error[SKY018]" in r.stderr and "python: true" in r.stderr
    assert not (repo / "deploy/apps/ran").exists()
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    assert "python: true" in hook["description"] and "--allow-python" in hook["description"]
