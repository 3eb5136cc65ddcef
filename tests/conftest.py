from __future__ import annotations

import contextlib
import signal
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "compiler"))  # the source tree, whether or not it is installed
sys.path.insert(0, str(ROOT / "tests"))
EXAMPLES = ROOT / "examples"


@contextlib.contextmanager
def deadline(seconds: int, what: str):
    """The body fails with TimeoutError(``what``) when it runs longer than ``seconds`` (SIGALRM):
    what a hostile input costs, bounded where a quadratic or worse reading once held a CI job."""
    def expired(*_):
        raise TimeoutError(what)

    signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


PROJECT = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  dev: {overlays: []}
  prod: {overlays: [overlays/prod.yaml]}
"""


@pytest.fixture
def tools_on_path(monkeypatch):
    """The test tools (helm, kubectl: `scripts/install-test-tools.sh`) first on PATH, where
    the importer looks for them."""
    import os

    from validators import TOOLS

    monkeypatch.setenv("PATH", f"{TOOLS / 'bin'}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def make_project(tmp_path, monkeypatch):
    """Write a project (skyspec.yaml + the given files) and chdir into it."""

    def make(files: dict[str, str], project: str = PROJECT) -> Path:
        root = tmp_path / "proj"
        write_tree(root, {"skyspec.yaml": project, **files})
        if "overlays/prod.yaml" not in files:
            write_tree(root, {"overlays/prod.yaml": "{}\n"})
        monkeypatch.chdir(root)
        return root

    return make


class Result:
    def __init__(self, r):
        self.exit_code = r.exit_code
        self.stdout = r.stdout
        self.stderr = r.stderr
        self.exception = r.exception

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli():
    """Run the skyspec CLI in-process; asserts no traceback escaped."""
    from skyspec.cli import main

    def run(*args: str) -> Result:
        r = CliRunner().invoke(main, list(args), catch_exceptions=True)
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            import traceback

            raise AssertionError("".join(traceback.format_exception(r.exception)))
        assert "Traceback" not in r.stdout + r.stderr
        return Result(r)

    return run


@pytest.fixture
def build(make_project, cli, tmp_path):
    """Build a project of the given files for one environment (Kubernetes only): the
    objects by (kind, name), each validated strictly; with ok=False, the CLI result."""
    from validators import assert_valid_k8s, load_docs

    def run(files: dict, env: str = "prod", project: str | None = None, ok: bool = True):
        make_project(files, **({"project": project} if project else {}))
        out = tmp_path / "out"
        r = cli("build", "-o", str(out), "--env", env, "--format", "kubernetes")
        if not ok:
            return r
        assert r.exit_code == 0, r.output
        docs = load_docs(out / env / "kubernetes")
        assert_valid_k8s(docs)
        return {(d["kind"], d["metadata"]["name"]): d for d in docs}

    return run
