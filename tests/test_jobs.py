"""`-j N` (skyspec.jobs): environments and targets compiled (and, for per-environment
formats, rendered) in worker processes give what one process gives, byte for byte: the
same diagnostics in the same order, the same files, the same exit status; and where that
cannot be shown (an error in a unit, `k8s:` patches checked across units, the `${...}`
budget of the whole run exceeded) the units compile in one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, write_tree
from skyspec import jobs

PROJECT = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  dev: {overlays: [overlays/dev.yaml]}
  qa: {overlays: []}
  prod: {overlays: [overlays/prod.yaml]}
targets:
  eu: {environments: [prod], namespace: demo-eu}
  us: {environments: [qa], select: {labels: {tier: web}}}
gitops: {repo: "https://git.example.com/deploy.git", path: deploy/out}
outputs: [kubernetes, compose]
"""
FILES = {
    "skyspec.yaml": PROJECT,
    "apps/web.yaml": "kind: App\nname: web\nimage: ghcr.io/acme/web:1.0.0\nport: 80\nconnect_to: [api]\n"
                     "labels: {tier: web}\nenv: {GREETING: '${env.name}-${apps.api.replicas}'}\n",
    "apps/api.yaml": "kind: App\nname: api\nimage: ghcr.io/acme/api:1.2.0\nport: 8080\nreplicas: 2\n"
                     "labels: {tier: web}\n",
    "apps/db.yaml": "kind: StatefulApp\nname: db\nuse: redis\n",
    "apps/job.yaml": "kind: CronJob\nname: nightly\nimage: ghcr.io/acme/job:1.0.0\nschedule: '0 2 * * *'\n",
    "apps/secret.yaml": "kind: Secret\nname: creds\nkeys: [password]\n",
    "overlays/dev.yaml": "apps:\n  web: {replicas: 1}\n",
    "overlays/prod.yaml": "all:\n  env: {LOG_LEVEL: warn}\napps:\n  api: {replicas: 3}\n",
}


@pytest.fixture
def proj(tmp_path, monkeypatch, cli):
    """``run(*args)`` -> (exit code, stdout, stderr, output files, where it compiled) with
    -j 1 and with -j 3, every project large enough to fork for."""
    monkeypatch.setattr(jobs, "MIN_DOCS", 0)
    monkeypatch.setenv("SKYSPEC_CACHE", "0")

    def run(root: Path, *args: str) -> list:
        monkeypatch.chdir(root)
        got = []
        for n in ("1", "3"):
            out = tmp_path / f"out{n}"
            shutil.rmtree(out, ignore_errors=True)
            before = dict(jobs.STATS)
            argv = [a.replace("OUT", str(out)) for a in args]
            r = cli(*argv, "-j", n)
            files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} \
                if out.exists() else {}
            where = {k: jobs.STATS[k] - before[k] for k in before if jobs.STATS[k] != before[k]}
            got.append(((r.exit_code, r.stdout.replace(str(out), "OUT"), r.stderr.replace(str(out), "OUT"), files),
                        where))
        (one, here), (many, there) = got
        assert here == {}  # -j 1: never a worker
        assert one == many, args
        return [one, there]

    return run


COMMANDS = [("check", "."), ("check", ".", "--format", "json"), ("check", "-e", "prod.eu", "."),
            ("build", ".", "-o", "OUT", "-f", "kubernetes,compose"), ("build", ".", "-o", "OUT", "-e", "prod"),
            ("build", ".", "-o", "OUT", "-f", "kubernetes", "--check"),
            ("check", "--diagnostics-format", "sarif", ".")]


@pytest.mark.parametrize("args", COMMANDS)
def test_workers_give_what_one_process_gives(proj, tmp_path, args):
    root = write_tree(tmp_path / "p", FILES)
    (code, _, err, files), where = proj(root, *args)
    assert code in (0, 1) and "Traceback" not in err
    if args[:3] != ("check", "-e", "prod.eu") and "--check" not in args:
        assert where == {"workers": 1}, (args, err)  # several units: compiled in workers
    if args[0] == "build" and "--check" not in args:
        assert files and code == 0, err


def test_the_example_project(proj, tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", root, ignore=shutil.ignore_patterns(".skyspec-cache", "out"))
    (code, _, err, _), where = proj(root, "check", ".")
    assert code == 0 and where == {"workers": 1}, err  # Helm and Kustomize among its outputs: checked in workers too
    (code, _, err, _), where = proj(root, "build", ".", "-o", "OUT", "-f", "kubernetes,compose")
    assert code == 0 and where == {"workers": 1}, err


def test_every_format_renders_in_workers_as_in_one_process(proj, tmp_path):
    # the shared formats (Helm, Kustomize) compile every unit here, then the four formats
    # render at once: one lane here, the others in workers forked after the compilation; and
    # the Helm chart's texts, once its values are laid out, in this lane and 2 more workers
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", root, ignore=shutil.ignore_patterns(".skyspec-cache", "out"))
    (code, _, err, files), where = proj(root, "build", ".", "-o", "OUT", "-f", "kubernetes,compose,helm,kustomize")
    assert code == 0 and where == {"render_workers": 2, "spread_workers": 2}, err
    assert any(f.startswith("helm/") for f in files) and any(f.startswith("kustomize/") for f in files)


def test_a_worker_that_fails_has_its_tasks_run_here():
    def boom():
        raise ValueError("raised in the worker, and again here")

    assert jobs._render_tasks([(2, lambda: {"a": "1"}), (1, lambda: {"b": "2"})], 2) == [{"a": "1"}, {"b": "2"}]
    with pytest.raises(ValueError, match="again here"):
        jobs._render_tasks([(2, lambda: {"a": "1"}), (1, boom)], 2)


def test_a_renderings_parts_are_spread_when_worth_a_fork(monkeypatch):
    import os

    parts = [(2, lambda: {"a": str(os.getpid())}), (1, lambda: {"b": str(os.getpid())})]
    before = jobs.STATS["spread_workers"]
    here = str(os.getpid())
    assert jobs.Runner(2).spread(parts) == [{"a": here}, {"b": here}]   # too little for a fork
    monkeypatch.setattr(jobs, "MIN_DOCS", 0)
    got = jobs.Runner(2).spread(parts)
    assert got[0] == {"a": here} and got[1]["b"] != here and jobs.STATS["spread_workers"] == before + 1

    def fails() -> dict:
        raise (KeyError("in the worker") if str(os.getpid()) != here else ValueError("again here"))

    with pytest.raises(ValueError, match="again here"):   # a part that fails is run again here, as one process
        jobs.Runner(2).spread(parts[:1] + [(1, fails)])


def test_an_error_in_a_unit_is_reported_as_one_process_reports_it(proj, tmp_path):
    root = write_tree(tmp_path / "p", {**FILES, "overlays/prod.yaml": "apps:\n  api: {replicas: -1}\n"})
    for args in (("check", "."), ("build", ".", "-o", "OUT", "-f", "kubernetes")):
        (code, _, err, files), where = proj(root, *args)
        assert code == 1 and "replicas" in err and not files
        assert where == {"here": 1}  # tried, then compiled here, in order


def test_a_spec_that_fails_its_own_check_is_reported_as_one_process_reports_it(proj, tmp_path):
    # a spec's own problem is the first unit's, which then fails, and the others (the problem
    # reported) go on to the Compose check (SKY501, the CronJob), as in one process; were it
    # reported before the first unit (as its checks made before forking once did), that unit
    # would go on too: one SKY501 more (fuzz seed 89, case 258)
    root = write_tree(tmp_path / "p", {**FILES, "apps/api.yaml": FILES["apps/api.yaml"] + "health: {period: soon}\n"})
    for args in (("check", "."), ("check", ".", "--format", "json"), ("build", ".", "-o", "OUT", "-f", "compose")):
        (code, out, err, files), where = proj(root, *args)
        assert code == 1 and where == {"here": 1} and not files, err  # tried, then compiled here
        assert "soon" in out + err and ("SKY501" in out + err) == (args[0] == "check")  # (build: not rendered)


def test_k8s_patches_are_checked_across_units_in_one_process(proj, tmp_path):
    root = write_tree(tmp_path / "p", {**FILES, "apps/api.yaml": FILES["apps/api.yaml"] +
                                       "k8s:\n  Deployment: {spec: {minReadySeconds: 5}}\n  Ingress: {}\n"})
    (code, _, err, files), where = proj(root, "build", ".", "-o", "OUT", "-f", "kubernetes")
    assert "SKY124" in err and where == {"here": 1}
    # a project that outputs only Helm and Kustomize: their objects' patches, checked here too
    (root / "skyspec.yaml").write_text(PROJECT.replace("outputs: [kubernetes, compose]", "outputs: [helm, kustomize]"))
    (code, _, err, _), where = proj(root, "check", ".")
    assert code == 1 and "SKY124" in err and where == {"here": 1}, err
    (root / "apps" / "api.yaml").write_text(FILES["apps/api.yaml"])
    (code, _, err, _), where = proj(root, "check", ".")
    assert code == 0 and where == {"workers": 1}, err


def test_the_budget_of_expressions_is_the_whole_runs(proj, tmp_path):
    """Each environment alone stays within `expr_chars` x 64 (2,560 characters): 34 apps
    build 30 each; the three together do not, and the run fails as one process fails it."""
    files = {"skyspec.yaml": "project: demo\nnamespace: demo\nspecs: ['apps/*']\nlimits: {expr_chars: 40}\n"
                             "environments:\n  dev: {overlays: []}\n  qa: {overlays: []}\n  prod: {overlays: []}\n"}
    for i in range(34):
        files[f"apps/a{i}.yaml"] = f"kind: App\nname: a{i}\nimage: ghcr.io/acme/a:1.0.0\nport: 80\n" \
                                   "env: {A: \"${'x' * 30}\"}\n"
    root = write_tree(tmp_path / "p", files)
    (code, _, err, _), where = proj(root, "check", ".")
    assert code == 1 and "SKY205" in err and "64 times expr_chars" in err, err
    assert where == {"here": 1}


def test_a_value_another_unit_registered_as_secret_is_not_merged():
    """An expression that read a value another unit registered as secret would have been
    tainted in one process: the workers' results are not used."""
    from skyspec.diagnostics import Diagnostics
    from skyspec.pipeline import Session

    class _S:  # the session's parts _merge reads
        diags = Diagnostics()
        _budget = None
        project = None
        sources = None

        class layer_types:
            found: set = set()

    a = {"secrets": (set(), set(), set()), "asked": {"hunter2-token"}, "spent": 0, "units": [], "checked": set(),
         "parsed": {}}
    b = {"secrets": ({"hunter2-token"}, set(), set()), "asked": set(), "spent": 0, "units": [], "checked": set(),
         "parsed": {}}
    assert jobs._merge(_S(), [], [a, b]) is None
    assert jobs._merge(_S(), [], [dict(a, asked=set()), b]) == {}
    assert Session  # the real thing is exercised above


def test_the_workers_share_the_validators_loaded_before_forking(tmp_path, monkeypatch, capfd, cli):
    """On a machine without the validator cache, each validator is compiled once, before the
    fork, not once in every worker (three compilations of a third of a second each)."""
    from skyspec.schema.validate import _fast

    root = write_tree(tmp_path / "p", FILES)
    monkeypatch.setattr(jobs, "MIN_DOCS", 0)
    monkeypatch.setenv("SKYSPEC_CACHE", "0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # empty: every validator compiled
    monkeypatch.setenv("SKYSPEC_DEBUG_CACHE", "1")  # each event on the process's stderr (fd 2, workers' too)
    monkeypatch.chdir(root)
    _fast.cache_clear()  # this process's validators, as a new process starts
    before = jobs.STATS["workers"]
    try:
        r = cli("check", ".", "-j", "3")
    finally:
        _fast.cache_clear()  # not the validators of the empty cache's key for the next tests
    assert r.exit_code == 0, r.stderr
    assert jobs.STATS["workers"] == before + 1  # the units were compiled in workers
    compiled = [line for line in capfd.readouterr().err.splitlines() if line.startswith("validator cache: compiled")]
    assert "validator cache: compiled partial:app.json" in compiled
    assert sorted(compiled) == sorted(set(compiled)), sorted(compiled)
