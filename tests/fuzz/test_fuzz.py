"""The fuzzer in CI: a fixed (derandomized) set of generated projects through `check` and
`build` of all four formats, each holding the property of :mod:`fuzz.harness`; crash sites
and violations owned by another part of issue #11 (:mod:`fuzz.known`) are tolerated, any
other fails with the case's files and the traceback. The long campaign is
`benchmarks/fuzz.py N`. Also: the harness itself notices each kind of failure."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.harness import Outcome, _judge_diags, run_case
from fuzz.known import known_problem, known_site
from fuzz.project import Case
from fuzz.strategies import cases

# about 50 s on the 2-core machine (600 took 72 s there when it ran slow, and the suite must
# stay under ~10 minutes; the campaigns of benchmarks/fuzz.py run 100,000, 11,500 in session
# 14); SKYSPEC_FUZZ_EXAMPLES=N to run more (or fewer) locally
EXAMPLES = int(os.environ.get("SKYSPEC_FUZZ_EXAMPLES", "400"))


@pytest.fixture(scope="module")
def workdir():
    shm = Path("/dev/shm")  # each case writes and deletes a few hundred files: in memory when we can
    d = Path(tempfile.mkdtemp(prefix="skyspec-fuzz-", dir=shm if shm.is_dir() else None))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(case=cases(), twice=st.integers(0, 9), data=st.data())
def test_generated_projects_hold_the_property(workdir, case, twice, data):
    edit = (data.draw(cases()), data.draw(st.integers(0, 99))) if twice in (1, 2) else None
    editor = data.draw(st.integers(0, 1 << 16)) if twice == 3 else None
    commands = data.draw(st.integers(0, 1 << 16)) if twice in (7, 8) else None
    reimport = data.draw(st.integers(0, 1 << 16)) if twice in (0, 9) else None
    out = run_case(case, workdir / "case", determinism=twice == 0, workers=twice == 1, edit=edit, editor=editor,
                   fmt=twice in (3, 4), explained=twice in (5, 6), commands=commands,
                   reimport=reimport)
    if out.site and not known_site(out.site):
        raise AssertionError(f"crash: {out.site}\n{out.trace}\n{case.describe()}")
    unknown = [p for p in out.problems if not known_problem(p)]
    assert not unknown, "\n".join(unknown) + "\n" + case.describe()


# --------------------------------------------------------------------------- the harness itself

APP = "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0.0@sha256:" + "ab" * 32 + "\nport: 8080\nreplicas: 2\n" \
      "health: /healthz\n"
PROJECT = "project: demo\nnamespace: demo\nspecs: ['apps/*']\nenvironments:\n  dev: {overlays: []}\n"
CLEAN = Case({"skyspec.yaml": PROJECT, "apps/api.yaml": APP})


def test_a_clean_case_passes(workdir):
    out = run_case(CLEAN, workdir / "case", determinism=True)
    assert out.ok and out.check_exit == 0 and out.build_exit == 0 and out.deterministic_checked, out


def test_a_crash_is_caught_with_its_site(workdir, monkeypatch):
    import skyspec.ir.lower as lower

    def boom(self, spec, ir):
        raise ValueError("boom")

    monkeypatch.setattr(lower.Lowerer, "lower_app", boom)
    out = run_case(CLEAN, workdir / "case")
    assert out.site is not None and out.site.startswith("ValueError skyspec/ir/lower.py:"), out.site
    assert "boom" in out.trace


def test_a_write_outside_the_output_folder_is_noticed(workdir, monkeypatch):
    import skyspec.output as output

    real = output.write_tree

    def leaky(out, files, diags, guard=None, **kw):
        (guard / "apps" / "pwn.yaml").write_text("x: 1\n")
        return real(out, files, diags, guard, **kw)

    monkeypatch.setattr(output, "write_tree", leaky)
    out = run_case(CLEAN, workdir / "case")
    assert any("outside the output folder" in p and "proj/apps/pwn.yaml" in p for p in out.problems), out.problems



def test_a_build_another_process_writes_otherwise_is_noticed(workdir, monkeypatch):
    """`hashseed`: the build is done again in a subprocess with other string hashes; here
    the in-process one writes one more file than the subprocess does."""
    import skyspec.pipeline as pipeline

    out = run_case(CLEAN, workdir / "case", hashseed=7)
    assert out.ok and out.hashseed_checked, out
    real = pipeline.render
    monkeypatch.setattr(pipeline, "render", lambda *a, **kw: {**real(*a, **kw), "extra.txt": "x"})
    out = run_case(CLEAN, workdir / "case", hashseed=7)
    assert any("another process (PYTHONHASHSEED=7) differs" in p and "extra.txt" in p for p in out.problems), \
        out.problems


def test_what_workers_say_or_write_otherwise_is_noticed(workdir, monkeypatch):
    """`workers`: the check and the build are done again with the environments in worker
    processes; here the workers' check says one warning more, then their build's rendering
    lanes write a byte more."""
    from skyspec import jobs

    two = Case({"skyspec.yaml": PROJECT + "  prod: {overlays: []}\n", "apps/api.yaml": APP})
    out = run_case(two, workdir / "case", workers=True)
    assert out.ok and out.workers_checked and out.build_exit == 0, out
    real = jobs._in_workers

    def chatty(session, *args):
        got = real(session, *args)
        session.diags.warning("SKY124", "said by a worker only")
        return got

    monkeypatch.setattr(jobs, "_in_workers", chatty)
    out = run_case(two, workdir / "case", workers=True)
    assert any(p.startswith("check in workers differs") and "said by a worker only" in p for p in out.problems), \
        out.problems
    monkeypatch.setattr(jobs, "_in_workers", real)
    lanes = jobs._render_tasks

    def longer(tasks, *args):
        got = lanes(tasks, *args)
        got[0] = {rel: text + "#" for rel, text in got[0].items()}
        return got

    monkeypatch.setattr(jobs, "_render_tasks", longer)
    out = run_case(two, workdir / "case", workers=True)
    assert any(p.startswith("build in workers differs") for p in out.problems), out.problems


def test_a_cache_answering_for_an_edited_file_is_noticed(workdir, monkeypatch):
    """`edit`: a check with the caches, a file replaced, then the check with the caches must
    say what one without them says; here the run cache takes every entry for current."""
    from skyspec import runcache

    broken = Case({"apps/api.yaml": APP.replace("port: 8080", "port: eighty")})
    pick = sorted(CLEAN.files).index("apps/api.yaml")
    out = run_case(CLEAN, workdir / "case", edit=(broken, pick))
    assert out.ok and out.edit_checked == "apps/api.yaml", out
    monkeypatch.setattr(runcache, "_changed", lambda notes, now, signed: None)
    out = run_case(CLEAN, workdir / "case", edit=(broken, pick))
    assert any(p.startswith("a check with the caches after apps/api.yaml was edited differs") for p in out.problems), \
        out.problems
    # a parse cache that answers by the file's name: the check passes either way, the build
    # with the caches writes the old port
    from skyspec.frontend import doccache

    monkeypatch.undo()
    monkeypatch.setattr(doccache.DocCache, "_name", lambda self, text, shown, limits: shown.replace("/", "_"))
    moved = Case({"apps/api.yaml": APP.replace("port: 8080", "port: 8081")})
    out = run_case(CLEAN, workdir / "case", edit=(moved, pick))
    assert any(p.startswith("a build with the caches after apps/api.yaml was edited differs") for p in out.problems), \
        out.problems


def test_a_rebuild_that_leaves_a_stale_file_is_noticed(workdir, monkeypatch):
    """`edit`: the output folder of the build before the edit, built again, must hold what a
    fresh build writes; here the writer forgets to remove what is no longer made."""
    from skyspec.output import write

    renamed = Case({"apps/api.yaml": APP.replace("name: api", "name: api2")})
    pick = sorted(CLEAN.files).index("apps/api.yaml")
    out = run_case(CLEAN, workdir / "case", edit=(renamed, pick))
    assert out.ok and out.build_exit == 0, out
    assert (workdir / "case" / "out1" / "dev" / "kubernetes" / "api2.yaml").is_file()
    real = write._survey

    def forgetful(*args, **kw):
        plan = real(*args, **kw)
        if plan is not None:
            plan.stale = {}
        return plan

    monkeypatch.setattr(write, "_survey", forgetful)
    out = run_case(CLEAN, workdir / "case", edit=(renamed, pick))
    assert any(p.startswith("a rebuild into the output folder after apps/api.yaml was edited differs") and
               "api.yaml" in p for p in out.problems), out.problems


def test_an_editor_feature_that_raises_or_shows_a_secret_is_noticed(workdir, monkeypatch):
    """The editor property (:mod:`fuzz.editor`): a feature that raises is the case's crash, at
    its site; a hover showing a secret's value and a definition pointing past its file are
    violations."""
    import skyspec.lsp.hover as hover
    import skyspec.lsp.navigate as navigate
    from skyspec.lsp.locate import Span

    out = run_case(CLEAN, workdir / "case", editor=1)
    assert out.editor_checked and out.ok, (out.site, out.problems)
    real_hover = hover.hover

    def boom(*a, **k):
        raise KeyError("boom")

    monkeypatch.setattr(hover, "hover", boom)
    out = run_case(CLEAN, workdir / "case", editor=1)
    assert out.site is not None and out.site.startswith("editor hover: KeyError"), out.site
    monkeypatch.setattr(hover, "hover", lambda *a, **k: (real_hover(*a, **k) or "") + " hunter2")
    out = run_case(CLEAN, workdir / "case", editor=1)
    assert out.site is None and any("a hover in api.yaml shows a secret's value" in p for p in out.problems), \
        out.problems
    monkeypatch.setattr(hover, "hover", real_hover)
    monkeypatch.setattr(navigate, "definition", lambda comp, hit, role: [Span(hit.doc.file, 10 ** 6, 0, 1)])
    out = run_case(CLEAN, workdir / "case", editor=1)
    assert any("answered a place that is not in a file" in p for p in out.problems), out.problems
    # a diagnostic published backwards (the server's conversion, as it publishes one)
    import skyspec.lsp.locate as locate

    broken = Case({**CLEAN.files, "apps/api.yaml": APP.replace("port: 8080", "port: eighty")})
    monkeypatch.setattr(locate, "span", lambda pos, width=1: Span("", pos.line - 1, 9, 2))
    out = run_case(broken, workdir / "case", editor=1)
    assert out.check_exit == 1 and any("is published on the range" in p for p in out.problems), out.problems


def test_a_fmt_that_changes_meaning_or_is_not_idempotent_is_noticed(workdir, monkeypatch):
    """The formatting property (:mod:`fuzz.formatting`), with fmt's own guard bypassed: a
    rewrite that changes a value changes what build writes; one that adds a line at every run
    is not idempotent."""
    import skyspec.fmt.files as files
    from skyspec.fmt import Outcome as Formatted

    out = run_case(CLEAN, workdir / "case", fmt=True)
    assert out.ok and out.fmt_changed == 2, out.problems   # (the project file and the spec: flow maps, order)
    monkeypatch.setattr(files, "format_text", lambda text, *a, **k: Formatted(text=text.replace("api:1.0.0",
                                                                                                "api:1.0.1")))
    out = run_case(CLEAN, workdir / "case", fmt=True)
    assert any("fmt changed what build writes (apps/api.yaml" in p for p in out.problems), out.problems
    monkeypatch.setattr(files, "format_text", lambda text, *a, **k: Formatted(text=text + "# again\n"))
    out = run_case(CLEAN, workdir / "case", fmt=True)
    assert [p for p in out.problems if "is not idempotent" in p] == out.problems != [], out.problems


def test_a_field_explain_cannot_trace_is_noticed(workdir, monkeypatch):
    """The provenance property (:mod:`fuzz.explained`): here `explain` loses the replicas."""
    import provenance_leaves

    out = run_case(CLEAN, workdir / "case", explained=True)
    assert out.ok and out.fields_explained > 50, out.problems
    real = provenance_leaves.trace
    monkeypatch.setattr(provenance_leaves, "trace", lambda ir, obj, path, index: None if path == ("spec", "replicas")
                        else real(ir, obj, path, index))
    out = run_case(CLEAN, workdir / "case", explained=True)
    assert len(out.problems) == 1 and "dev Deployment/api:spec.replicas: not traced" in out.problems[0], out.problems


def test_manifests_other_than_the_build_or_a_secret_printed_is_noticed(workdir, monkeypatch):
    """The commands property (:mod:`fuzz.commands`): `manifests` printing one object more than
    the build wrote, then a command printing a secret's value."""
    import click

    from skyspec.commands import manifests

    out = run_case(CLEAN, workdir / "case", commands=1)
    assert out.ok and out.commands_checked and "manifests 0" in out.trail, (out.problems, out.trail)
    real = manifests.manifests.callback

    def more(*a, **k):
        real(*a, **k)
        click.echo("---\nkind: Extra\nmetadata: {name: x}\n" + extra)

    extra = ""
    monkeypatch.setattr(manifests.manifests, "callback", more)
    out = run_case(CLEAN, workdir / "case", commands=1)
    assert out.problems == ["manifests: the objects of dev are not those the build wrote"], out.problems
    extra = "# hunter2\n"
    out = run_case(CLEAN, workdir / "case", commands=1)
    assert "manifests: printed a secret's value" in out.problems, out.problems


def test_a_build_that_does_not_import_back_is_noticed(workdir, monkeypatch):
    """The import property (:mod:`fuzz.reimport`): here the imported project does not build."""
    import skyspec.importer as importer

    from fuzz import reimport
    from skyspec.diagnostics import Diagnostics

    # seed 0 imports a unit's Kubernetes manifests; seed 1 (its first draw under 1/4) the Helm
    # chart; seed 2 (not the chart, its own draw for Kustomize under 1/4) the Kustomize tree
    helm, kubectl = (reimport.TOOLS / "helm").is_file(), (reimport.TOOLS / "kubectl").is_file()
    cases = ((0, "dev"), (1, "helm" if helm else "dev"), (2, "kustomize" if kubectl else "dev"))
    for seed, unit in cases:
        out = run_case(CLEAN, workdir / "case", reimport=seed)
        assert out.ok and out.reimported == unit and f"import {unit} 0" in out.trail, (out.problems, out.trail)

    def broken(files):
        diags = Diagnostics()
        diags.error("SKY102", 'unknown key "x"', None)
        return None, diags, "/nowhere"

    monkeypatch.setattr(importer, "compile_files", broken)
    for seed, unit in cases:
        out = run_case(CLEAN, workdir / "case", reimport=seed)
        assert out.problems == [f'import: the build of {unit} does not import: [SKY069] the imported project does '
                                'not build: the project: [SKY102] unknown key "x"'], out.problems


def test_the_trail_tells_two_versions_apart(workdir, monkeypatch):
    """`fuzz.py --digest`: the same case gives the same trail; a changed output byte, or a
    changed diagnostic, another one."""
    import skyspec.backends.kubernetes as kubernetes
    import skyspec.pipeline as pipeline

    first = run_case(CLEAN, workdir / "case").trail
    assert first == run_case(CLEAN, workdir / "case").trail
    assert [t.split()[0] for t in first] == ["check", "build", "out1"] and first[0].split()[1] == "0", first
    real = pipeline.render

    def other(compiled, formats, diags=None, **kw):
        files = real(compiled, formats, diags, **kw)
        files["dev/kubernetes/api.yaml"] += "# one more byte\n"
        return files

    monkeypatch.setattr(pipeline, "render", other)
    changed = run_case(CLEAN, workdir / "case").trail
    assert changed[:2] == first[:2] and changed[2] != first[2]
    monkeypatch.setattr(pipeline, "render", real)
    warn, said = kubernetes.check, []

    def noisy(irs, diags, *a, **kw):
        if not said:
            said.append(1)
            diags.warning("SKY410", "a warning that was not there", None)
        return warn(irs, diags, *a, **kw)

    monkeypatch.setattr(kubernetes, "check", noisy)
    assert run_case(CLEAN, workdir / "case").trail[0] != first[0]


def test_two_builds_that_differ_are_noticed(workdir, monkeypatch):
    import itertools

    import skyspec.pipeline as pipeline

    real, counter = pipeline.render, itertools.count()

    def unstable(compiled, formats, diags=None, **kw):
        return {**real(compiled, formats, diags, **kw), "stamp.txt": str(next(counter))}

    monkeypatch.setattr(pipeline, "render", unstable)
    out = run_case(CLEAN, workdir / "case", determinism=True)
    assert any("two builds differ" in p and "stamp.txt" in p for p in out.problems), out.problems


def test_unlocated_unregistered_and_inconsistent_diagnostics_are_noticed():
    res = Outcome()
    _judge_diags([{"code": "SKY104", "severity": "error", "message": "x"},
                  {"code": "SKY000", "severity": "error", "message": "y", "file": "a", "line": 1, "column": 1},
                  {"code": "SKY010", "severity": "error", "message": "no project"}], 0, res, "check")
    assert any("SKY104 has no position" in p for p in res.problems)
    assert any("SKY104 has no hint" in p for p in res.problems)
    assert not any("SKY000" in p and "hint" in p for p in res.problems)   # reported once, as unregistered
    assert any("without a registered code" in p for p in res.problems)
    assert not any("SKY010" in p and "position" in p for p in res.problems)   # a project-level error
    assert any("exit 0 with" in p for p in res.problems)


def test_a_diagnostic_pointing_past_its_file_or_to_no_file_is_noticed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.yaml").write_text("kind: App\nname: api\n", encoding="utf-8")
    res = Outcome()
    ok = {"code": "SKY104", "severity": "error", "message": "ok", "hint": "h", "file": "a.yaml", "line": 2,
          "column": 7}
    _judge_diags([ok, {**ok, "line": 4}, {**ok, "column": 11}, {**ok, "file": "b.yaml"},
                  {**ok, "file": "<--set>"}, {**ok, "file": "apps/<redacted>.yaml"}], 1, res, "check")
    assert [p.split(":")[1].strip() for p in res.problems] == [
        "SKY104 points to line 4 of a.yaml, which has 3",
        "SKY104 points to column 11 of line 2 of a.yaml, which has 9 characters",
        "SKY104 points to 'b.yaml', which is not a file here"]


def test_a_build_refused_after_a_passing_check_is_told_apart(workdir, monkeypatch):
    """The campaign tells the harness's own reasons from a problem `check` missed."""
    # a Compose-only project: its `k8s:` patch is checked by the Kubernetes build the harness adds
    compose_only = Case({"skyspec.yaml": PROJECT + "outputs: [compose]\n",
                         "apps/api.yaml": APP + "k8s: {Servcie: {spec: {type: NodePort}}}\n"})
    out = run_case(compose_only, workdir / "case")
    assert (out.check_exit, out.build_exit, out.miss) == (0, 1, "formats"), out
    # one environment checked; the Helm chart compiles both, and prod's overlay is wrong
    two = Case({"skyspec.yaml": PROJECT + "  prod: {overlays: [prod.yaml]}\noutputs: [kubernetes, helm]\n",
                "apps/api.yaml": APP, "prod.yaml": "apps:\n  api: {replicas: many}\n"}, envs=["dev"])
    out = run_case(two, workdir / "case")
    assert (out.check_exit, out.build_exit, out.miss) == (0, 1, "environments"), out
    # a check that passes what the build refuses for no such reason: "missed"
    import fuzz.harness as harness

    real = harness._RUNNER or harness._Runner()

    def lenient(args):  # a `check` that misses the broken overlay
        return real(args if args[0] != "check" else [*args, "--env", "dev"])

    monkeypatch.setattr(harness, "_RUNNER", lenient)
    out = run_case(Case(two.files), workdir / "case")
    assert (out.check_exit, out.build_exit, out.miss) == (0, 1, "missed"), out
    clean = run_case(CLEAN, workdir / "case")
    assert clean.miss is None and clean.build_exit == 0


def test_the_campaign_runs_every_property_it_is_asked_for(tmp_path):
    """`benchmarks/fuzz.py` wires each `--*-every` flag to its property and counts it in the
    report (a flag wired to nothing would report cases checked that were not)."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    report = tmp_path / "report.json"
    subprocess.run([sys.executable, str(root / "benchmarks" / "fuzz.py"), "8", "--seed", "7", "--every", "8",
                    "--workdir", str(tmp_path / "work"), "--report", str(report), "--editor-every", "1",
                    "--fmt-every", "1", "--explain-every", "1", "--commands-every", "1", "--import-every", "1",
                    "--workers-every", "2", "--edit-every", "2"], check=True, capture_output=True, timeout=600)
    got = json.loads(report.read_text())
    built = sum(n for k, n in got["outcomes"].items() if "build=0" in k)
    assert got["cases"] == 8 and got["crashes"] == 0 and got["violations"] == 0, got["problems"]
    assert got["editor_checked"] == got["fmt_checked"] == got["commands_checked"] == 8 and built >= 1
    assert got["explained"] == got["reimported"] == built and got["edits_checked"] == 4
