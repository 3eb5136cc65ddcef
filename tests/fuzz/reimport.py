"""The import property: a fuzz case's own build, imported back into a project.

`skyspec import kubernetes out1/UNIT/kubernetes` (one unit the build wrote, at random) reads
manifests that skyspec itself made, so the importer must say all of it in the language: its
round trip (it builds the imported project and compares every field with the input) may not
fail, nor may it crash, print a traceback or write or print a secret's value. The one error
tolerated is SKY061, an input object the API server would refuse: a spec's `k8s:` patch may
make one (`replicas: x`), and the build writes what the patch says. When the import passes,
`skyspec check` of the imported project passes too.

About one case in four (when helm is installed, as `scripts/test.sh` installs it) imports the
build's Helm chart instead, with each environment's values file (`skyspec import helm`): one
project of all the environments, which may differ in their objects. Of the others, about one
in four (when kubectl is installed) imports the build's Kustomize tree instead, each
environment's overlay as that environment (`skyspec import kubernetes --env E=overlays/E`,
which `kubectl kustomize` builds). Besides SKY061, either may find nothing to import (every
environment leaves everything out). A case where an environment
ran another's profile (`dev` with `profile: qa`: its objects' `skyspec.dev/env` label says so)
imports a unit's manifests instead: the importer gives each environment the built-in profile
of its name, so a profile under another name (which no chart but skyspec's shows) is not
reproduced.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

from .fields import SECRET_VALUE as SECRET
from .harness import _judge

_ERROR = re.compile(r"error\[(SKY\d{3})\]: ([^\n]*)")


TOOLS = Path(__file__).resolve().parents[2] / ".tools" / "bin"   # where scripts/test.sh installs helm


def _tolerated(code: str, msg: str) -> bool:
    """The errors an import of skyspec's own output may report (see the module's docstring)."""
    return code == "SKY061" or (code == "SKY060" and msg.startswith("no Kubernetes objects found in any rendering"))


def _profiles_renamed(out: Path) -> bool:
    """Whether an environment of the build ran another's profile: an object of unit `<env>`
    (or `<env>.<target>`) labelled `skyspec.dev/env` with another name."""
    import yaml

    for f in out.glob("*/kubernetes/*.yaml"):
        env = f.parent.parent.name.split(".")[0]
        for d in yaml.load_all(f.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            labels = ((d or {}).get("metadata") or {}).get("labels") if isinstance(d, dict) else None
            if isinstance(labels, dict) and labels.get("skyspec.dev/env", env) != env:
                return True
    return False


def _kustomized(out: Path, seed: int) -> bool:
    """Whether this case imports the build's Kustomize tree (about one in four that have one)."""
    return (out / "kustomize" / "overlays").is_dir() and random.Random(f"kustomize {seed}").random() < 0.25 \
        and (TOOLS / "kubectl").is_file() and not _profiles_renamed(out)


def reimported(run, root: Path, seed: int, res) -> None:
    rng = random.Random(seed)
    charts = sorted((root / "out1" / "helm").glob("*/Chart.yaml")) if (root / "out1" / "helm").is_dir() else []
    if charts and rng.random() < 0.25 and (TOOLS / "helm").is_file() and not _profiles_renamed(root / "out1"):
        chart = charts[0].parent
        values = [a for v in sorted(chart.glob("values-*.yaml")) for a in ("-f", str(v.relative_to(root)))]
        r = run(["import", "helm", str(chart.relative_to(root)), *values, "-o", "imported"],
                env={"PATH": f"{TOOLS}{os.pathsep}{os.environ.get('PATH', '')}"})
        unit = "helm"
    elif _kustomized(root / "out1", seed):   # (its own draw: the other choices stay as they were)
        overlays = sorted(d for d in (root / "out1" / "kustomize" / "overlays").iterdir() if d.is_dir())
        envs = [a for d in overlays for a in ("--env", f"{d.name}={d.relative_to(root)}")]
        r = run(["import", "kubernetes", *envs, "-o", "imported"],
                env={"PATH": f"{TOOLS}{os.pathsep}{os.environ.get('PATH', '')}"})
        unit = "kustomize"
    else:
        units = sorted(p.name for p in (root / "out1").iterdir() if (p / "kubernetes").is_dir())
        if not units:
            return
        unit = rng.choice(units)
        r = run(["import", "kubernetes", f"out1/{unit}/kubernetes", "-o", "imported"])
    res.trail.append(f"import {unit} {r.exit_code}")
    res.reimported = unit
    if _judge(r, res, "import", "text"):
        return
    written = [p for p in (root / "imported").rglob("*") if p.is_file()] if (root / "imported").is_dir() else []
    if SECRET in r.output or any(SECRET in p.read_text(encoding="utf-8", errors="replace") for p in written):
        res.problems.append("import: a secret's value was printed or written")
    refused = [(code, msg) for code, msg in _ERROR.findall(r.output) if not _tolerated(code, msg)]
    if refused:
        code, msg = refused[0]
        res.problems.append(f"import: the build of {unit} does not import: [{code}] {msg[:300]}")
    elif r.exit_code == 0:
        c = run(["check", "imported"])
        if _judge(c, res, "check of the imported project", "text"):
            return
        if c.exit_code != 0:
            res.problems.append(f"import: the imported project of {unit} does not check: {c.output[-300:]!r}")
