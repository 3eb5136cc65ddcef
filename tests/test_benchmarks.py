"""A smoke test of the benchmarks (not a timed test): benchmarks/run.py and peers.py run on
a tiny corpus and print their tables, every measurement with its goal beside it."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _run(script: str, *argv: str) -> str:
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *argv], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_run_prints_the_table_with_the_goals(tmp_path):
    out = _run("run.py", "--small", "3", "--large", "6", "--quick", "--reps", "1", "--corpus-dir", str(tmp_path))
    lines = out.splitlines()
    assert lines[0].startswith("skyspec benchmark: medians of 1 interleaved runs")
    assert lines[1].split(" | ")[0].strip() == "what" and "goal" in lines[1] and "peak RSS" in lines[1]
    rows = {line.split(" | ")[0].strip(): [c.strip() for c in line.split(" | ")] for line in lines[3:]}
    for what, goal in [("skyspec --help", "<= 60 ms"), ("build 3 apps, prod, kubernetes", "<= 0.2 s"),
                       ("build 6 apps, prod, kubernetes", "<= 1.3x the floor"),
                       ("build 6 apps, 3 environments, 4 formats", "<= 1.5 s"),
                       ("check FILE after editing it, 6 apps, warm", "<= 150 ms"),
                       ("check, 6 apps, all environments, unchanged, warm", "<= 150 ms")]:
        row = rows[what]
        assert row[-2] == goal and row[-1] in ("yes", "no") and row[1].endswith(" ms"), row
    assert rows["build 6 apps, prod, kubernetes"][2].endswith("x")  # the ratio to the floor of the same run
    assert rows["build 6 apps, 3 environments, 4 formats"][2].endswith("x")  # to a floor writing as many files
    assert any(w.startswith("floor, 6 apps (") for w in rows)
    assert not (tmp_path / "tmp-bench").exists()  # outputs and caches cleaned up


def test_peers_prints_ratios_or_says_what_is_missing(tmp_path):
    out = _run("peers.py", "--sizes", "3", "--reps", "1", "--corpus-dir", str(tmp_path))
    assert "skyspec and its peers" in out
    assert "3 | skyspec" in out
    for tool in ("go-jsonnet", "KCL"):
        assert f"{tool} is not installed" in out or (f"| {tool}" in out and out.split(f"| {tool}")[1].split("\n")[0]
                                                     .strip().endswith("x"))
