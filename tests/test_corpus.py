"""The bad-input corpus (issue #11): ~200 projects, each the baseline of tests/corpus/base.py
with one defect. For every case: a good build of the baseline is in OUT first; then
`skyspec check` and `skyspec build -o OUT` on the broken project exit 1 (2 for a usage
error such as `--env staging`), print the case's code at its file:line:col, report no more
errors than the case allows (its one error, unless it names the follow-ons that stay),
locate nothing in skyspec's own files (the stdlib), print no traceback and no secret value,
write nothing, and leave OUT byte-identical. A case with ``xfail`` is a finding: its
expectation is the diagnostic that should be, and its reason names the work that fixes it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from corpus import input_cases, layer_cases, spec_cases
from corpus.base import BASE, PY_BASE, Case, write_case


def _cases() -> list:
    out = []
    for mod in (input_cases, spec_cases, layer_cases):
        for family, cases in vars(mod).items():
            if family.isupper() and isinstance(cases, list):
                for c in cases:
                    marks = [pytest.mark.xfail(reason=c.xfail, strict=False)] if c.xfail else []
                    out.append(pytest.param(c, id=f"{family.lower()}/{c.id}", marks=marks))
    return out


CASES = _cases()


def _snapshot(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


@pytest.fixture(scope="module")
def good_outputs(tmp_path_factory):
    """The baselines built once each (a good build), reused by copy for every case."""
    from click.testing import CliRunner

    from skyspec.cli import main

    built = {}
    for key, base in (("yaml", BASE), ("py", PY_BASE)):
        d = tmp_path_factory.mktemp(f"good-{key}")
        write_case(d / "proj", Case("baseline", {}, "", base=base))
        r = CliRunner().invoke(main, ["build", str(d / "proj"), "-o", str(d / "out")],
                               env={"SKYSPEC_ALLOW_PYTHON": "1"})   # (the Python baseline says `python: true`)
        assert r.exit_code == 0, r.output
        built[key] = d / "out"
    return built


def test_corpus_is_large_and_every_family_has_cases():
    assert len(CASES) >= 120
    ids = [p.values[0].id for p in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES)
def test_corpus_case(case: Case, tmp_path, monkeypatch, cli, good_outputs):
    monkeypatch.setenv("SKYSPEC_ALLOW_PYTHON", "1")   # the consent for the Python baseline (`python: true`)
    out = tmp_path / "out"
    shutil.copytree(good_outputs["py" if case.base is PY_BASE else "yaml"], out)
    before_out = _snapshot(out)
    root = tmp_path / "proj"
    write_case(root, case)
    before_proj = _snapshot(tmp_path)
    monkeypatch.chdir(root)

    where, code = case.expect.split()
    want = (f"{case.severity}[{code}]" if where == "-" else f"{where}: {case.severity}[{code}]")
    for args in (["check", *case.args], ["build", "-o", str(out), *case.args]):
        r = cli(*args)
        assert r.exit_code == case.exit, (args, r.output)
        assert re.search(rf"^{re.escape(want)}", r.output, re.M), (args, want, r.output)
        assert "Traceback" not in r.output
        errors = re.findall(r"^(?:\S.*?: )?error\[SKY\d+\]", r.output, re.M)
        assert len(errors) <= 1 + case.others, (args, f"{len(errors)} errors", r.output)
        assert not re.search(r"^/\S*: (error|warning)\[", r.output, re.M), (args, "located in skyspec's files", r.output)
        if case.secret:
            assert case.secret not in r.output
        if case.shows:
            assert case.shows in r.output, (args, case.shows, r.output)
    assert _snapshot(tmp_path) == before_proj  # nothing new written, anywhere; OUT unchanged
    assert _snapshot(out) == before_out
