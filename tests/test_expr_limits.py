"""The bounds on `${...}` expressions from the project's `limits:` (issue #11): repetition and
joining checked before the value is built (nested items counted), steps per spec, and the
total that all expressions of a run may build; each a located SKY205 naming its limit, and
the attacks measured through the CLI in CPU time and RSS."""

from __future__ import annotations

import pytest

from conftest import write_tree
from test_limits import _check_measured

from skyspec.diagnostics import Diagnostics, Pos
from skyspec.frontend import uniform_loc
from skyspec.layers.expr import Budget, resolve
from skyspec.layers.stack import Spec
from skyspec.limits import Limits
from skyspec.provenance import prov_from_loc


def _specs(*datas):
    out = []
    for i, data in enumerate(datas):
        data = {"kind": "App", "name": f"a{i}", **data}
        pos = Pos(f"apps/a{i}.yaml", 1, 1)
        out.append(Spec("App", data["name"], data, prov_from_loc(data, uniform_loc(data, pos), "spec"), pos.file, pos))
    return out


def _run(*datas, limits=Limits(), budget=None):
    specs = _specs(*datas)
    d = Diagnostics()
    resolve(specs, layer_order=["spec"], env={}, project={}, vars={}, diags=d, limits=limits, budget=budget)
    return specs, d


@pytest.mark.parametrize("expr, limit", [
    ("'ab' * 6", "expr_chars"),
    ("'abcdef' + 'abcdef'", "expr_chars"),
    ("upper('abcdef') + 'x' * 6", "expr_chars"),
    ("join(['abcdef', 'abcdef'], '')", "expr_chars"),
    ("replace('aaaa', 'a', 'aaa')", "expr_chars"),
    ("'x${self.v}' if false else str(self.v) + 'yyyyyyyyyyy'", "expr_chars"),
    ("[1] * 11", "expr_items"),
    ("[[1, 2]] * 4", "expr_items"),           # 4 + 8 items
    ("[[1, 2, 3], [4, 5, 6]] + [[7, 8]]", "expr_items"),  # 8 + 3 items
    ("[self.l, self.l]", "expr_items"),
])
def test_each_size_limit_is_checked_and_named(expr, limit):
    lim = Limits(expr_chars=10, expr_items=10)
    specs, d = _run({"e": "${" + expr + "}", "v": 1, "l": [1, 2, 3, 4, 5]}, limits=lim)
    [e] = d.items
    assert e.code == "SKY205" and "more than the limit of 10" in e.message, e.message
    assert f"`limits: {{{limit}: N}}`" in e.hint
    assert e.pos.file == "apps/a0.yaml"
    assert specs[0].data["e"] == "${" + expr + "}"


def test_at_the_limit_is_fine():
    lim = Limits(expr_chars=10, expr_items=10)
    specs, d = _run({"s": "${'ab' * 5}", "l": "${[[1, 2]] * 3 + [1]}", "t": "x${'abcd' * 2}y"}, limits=lim)
    assert not d.items, [x.message for x in d]
    assert specs[0].data["s"] == "ababababab" and specs[0].data["l"] == [[1, 2]] * 3 + [1]
    assert specs[0].data["t"] == "xabcdabcdy"


def test_steps_are_counted_per_spec():
    lim = Limits(expr_steps=20)
    ten = "${" + " + ".join(["1"] * 5) + "}"  # arith + 5 literals: literals are free, 1 step
    ok = {f"k{i}": "${1 + (1 + (1 + 1))}" for i in range(6)}  # 3 steps each, 18 in all
    specs, d = _run(ok, ok, {"x": ten}, limits=lim)
    assert not d.items
    over = {f"k{i}": "${1 + (1 + (1 + 1))}" for i in range(7)}  # 21 steps
    specs, d = _run(over, limits=lim)
    [e] = d.items
    assert "more than 20 evaluation steps" in e.message and "expr_steps" in e.hint
    assert e.pos.file == "apps/a0.yaml"


def test_the_run_total_is_shared_by_every_spec_and_call():
    lim = Limits(expr_chars=100)  # 6,400 in all
    budget = Budget(lim)
    specs, d = _run(*[{"s": "${'a' * 100}"} for _ in range(60)], limits=lim, budget=budget)
    assert not d.items
    specs, d = _run(*[{"s": "${'a' * 100}"} for _ in range(10)], limits=lim, budget=budget)
    assert d.items and all("6,400 characters and items in all" in e.message and "expr_chars" in e.hint
                           for e in d)
    assert len(d.items) == 6  # 60 + 4 fit


def test_the_project_limits_reach_expressions(tmp_path):
    from skyspec.pipeline import Session

    root = write_tree(tmp_path / "p", {
        "skyspec.yaml": "project: p\nspecs: [apps/*]\nlimits: {expr_chars: 5}\nenvironments: {dev: {}}\n",
        "apps/a.yaml": "kind: App\nname: a\nimage: nginx:1\nenv:\n  X: ${'x' * 6}\n"})
    s = Session(root / "skyspec.yaml")
    s.compile("dev")
    [e] = [x for x in s.diags.items if x.severity == "error"]
    assert e.code == "SKY205" and e.pos.line == 5 and "limit of 5" in e.message


@pytest.mark.parametrize("attack", ["nested", "many"])
def test_expression_attacks_end_in_under_a_second_and_200mb(tmp_path, attack):
    root = write_tree(tmp_path / "p", {"skyspec.yaml": "project: p\nspecs: [apps/*]\nenvironments: {dev: {}}\n"})
    (root / "apps").mkdir()
    if attack == "nested":
        (root / "apps" / "x.yaml").write_text(
            "kind: App\nname: x\nimage: nginx:1\nargs: ${[[\"aaaaaaaa\"] * 10000] * 10000}\n")
        expect = "apps/x.yaml:4:7: error[SKY205]"
    else:
        # loading and checking 2,000 spec files alone takes most of a second on a slow machine:
        # what the expressions add (815 MB and seconds before the run total) must be small; the
        # margin is relative too, as a loaded machine stretches both runs' CPU time alike. The
        # same files without the attack are checked first: a first run also compiles the
        # machine's validators (a fresh CI machine's cache is empty), which must not count
        for i in range(2000):
            (root / "apps" / f"x{i}.yaml").write_text(
                f"kind: App\nname: x{i}\nimage: nginx:1\nenv:\n  A: ${{'a' * 1}}\n")
        code0, cpu0, rss0, _ = _check_measured(root)
        for f in (root / "apps").iterdir():
            f.write_text(f.read_text().replace("'a' * 1}", "'a' * 100000}"))
        expect = "characters and items in all"
    code, cpu, rss, err = _check_measured(root)
    assert code == 1 and expect in err, err[-2000:]
    assert "Traceback" not in err
    assert rss < 200, rss
    if attack == "nested":
        assert cpu < 1.0, cpu
    else:
        assert code0 == 0 and cpu < 1.25 * cpu0 + 0.5, (cpu, cpu0)


# --------------------------------------------------------------------------- lowering is total

@pytest.mark.parametrize("spec, expect", [
    ("kind: StatefulApp\nname: db\nimage: postgres:16\nstorage: 1\n", "apps/x.yaml:4:10: error[SKY104]"),
    ("kind: StatefulApp\nname: db\nimage: postgres:16\nstorage: {data: {size: 5}}\n", "error[SKY104]"),
    ("kind: App\nname: a\nimage: nginx:1\nargs: a \"b\n", "apps/x.yaml:4:7: error[SKY108]: args cannot be split"),
    ("kind: App\nname: a\nimage: nginx:1\ncommand: 'x\\'\n", "error[SKY108]: command cannot be split"),
])
def test_values_the_lowering_used_to_crash_on_are_located_errors(tmp_path, spec, expect):
    import subprocess
    import sys

    from conftest import ROOT

    root = write_tree(tmp_path / "p", {"skyspec.yaml": "project: p\nspecs: [apps/*]\nenvironments: {dev: {}}\n",
                                       "apps/x.yaml": spec})
    r = subprocess.run([sys.executable, "-m", "skyspec", "build", str(root), "-o", str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=60, cwd=tmp_path,
                       env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "compiler")})
    assert r.returncode == 1 and expect in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- internal errors

def test_an_exception_escaping_a_command_is_a_located_internal_error(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import skyspec.ir.lower as lower_mod
    from skyspec.cli import main

    root = write_tree(tmp_path / "p", {"skyspec.yaml": "project: p\nspecs: [apps/*]\nenvironments: {dev: {}}\n",
                                       "apps/x.yaml": "kind: App\nname: a\nimage: nginx:1\nport: 80\n"})

    def boom(self, spec, ir):
        raise ValueError("hunter2 must never be shown")

    monkeypatch.setattr(lower_mod.Lowerer, "lower_app", boom)
    monkeypatch.delenv("SKYSPEC_DEBUG", raising=False)
    r = CliRunner().invoke(main, ["build", str(root), "-o", str(tmp_path / "out")])
    assert r.exit_code == 3, r.output
    out = r.stderr if hasattr(r, "stderr") and r.stderr_bytes is not None else r.output
    assert "apps/x.yaml:1:1: error[SKY999]: internal error, please report: ValueError at skyspec/" in out, out
    assert "test_expr_limits" not in out and "hunter2" not in out and "Traceback" not in out
    assert not (tmp_path / "out").exists()
    monkeypatch.setenv("SKYSPEC_DEBUG", "1")
    r = CliRunner().invoke(main, ["check", str(root)])
    assert r.exit_code == 3 and "Traceback" in (r.stderr if r.stderr_bytes is not None else r.output)
