"""The import property: a fuzz case's own build, imported back into a project.

`skyspec import kubernetes out1/UNIT/kubernetes` (one unit the build wrote, at random) reads
manifests that skyspec itself made, so the importer must say all of it in the language: its
round trip (it builds the imported project and compares every field with the input) may not
fail, nor may it crash, print a traceback or write or print a secret's value. The one error
tolerated is SKY061, an input object the API server would refuse: a spec's `k8s:` patch may
make one (`replicas: x`), and the build writes what the patch says. When the import passes,
`skyspec check` of the imported project passes too.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from .fields import SECRET_VALUE as SECRET
from .harness import _judge

_ERROR = re.compile(r"error\[(SKY\d{3})\]: ([^\n]*)")


def reimported(run, root: Path, seed: int, res) -> None:
    units = sorted(p.name for p in (root / "out1").iterdir() if (p / "kubernetes").is_dir())
    if not units:
        return
    unit = random.Random(seed).choice(units)
    r = run(["import", "kubernetes", f"out1/{unit}/kubernetes", "-o", "imported"])
    res.trail.append(f"import {r.exit_code}")
    res.reimported = unit
    if _judge(r, res, "import", "text"):
        return
    written = [p for p in (root / "imported").rglob("*") if p.is_file()] if (root / "imported").is_dir() else []
    if SECRET in r.output or any(SECRET in p.read_text(encoding="utf-8", errors="replace") for p in written):
        res.problems.append("import: a secret's value was printed or written")
    refused = [(code, msg) for code, msg in _ERROR.findall(r.output) if code != "SKY061"]
    if refused:
        code, msg = refused[0]
        res.problems.append(f"import: the build of {unit} does not import: [{code}] {msg[:300]}")
    elif r.exit_code == 0:
        c = run(["check", "imported"])
        if _judge(c, res, "check of the imported project", "text"):
            return
        if c.exit_code != 0:
            res.problems.append(f"import: the imported project of {unit} does not check: {c.output[-300:]!r}")
