"""A Helm chart rendered once per values file (`helm template`, helm found on PATH) into
folders of manifests, one per environment, which :mod:`.environments` turns into specs and
overlays. It runs only `helm template` (no cluster access: `lookup` returns nothing there),
with chart tests skipped, a timeout, and output kept in a scratch folder; it never runs
anything the chart names.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from .kube import ImportError_

TIMEOUT = 120


def env_name(spec: str) -> tuple[str, Path]:
    """`NAME=FILE` or `FILE` (the name from `values-NAME.yaml`, else the file's stem)."""
    name, sep, file = spec.partition("=")
    if not sep:
        file = spec
        stem = Path(spec).stem
        name = stem[len("values-"):] if stem.startswith("values-") else ("default" if stem == "values" else stem)
    name = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    if not name:
        raise ImportError_(f"-f {spec}: cannot name an environment after it; write NAME=FILE")
    return name, Path(file)


def render(chart: Path, values: list[tuple[str, Path]], release: str, into: Path) -> dict[str, list[Path]]:
    """{environment: [rendered file]} for each values file."""
    helm = shutil.which("helm")
    if helm is None:
        raise ImportError_("helm is not on PATH: install it to import a chart")
    out: dict[str, list[Path]] = {}
    for env, vf in values:
        if env in out:
            raise ImportError_(f"two values files for environment {env}")
        if not vf.is_file():
            raise ImportError_(f"{vf}: no such values file")
        args = [helm, "template", release, str(chart), "-f", str(vf), "--skip-tests"]
        clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "TMPDIR", "LANG")}
        clean.update(HELM_CACHE_HOME=str(into / ".cache"), HELM_CONFIG_HOME=str(into / ".config"),
                     HELM_DATA_HOME=str(into / ".data"))
        try:
            p = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, env=clean)
        except subprocess.TimeoutExpired:
            raise ImportError_(f"helm template with {vf} took longer than {TIMEOUT}s") from None
        if p.returncode != 0:
            first = (p.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise ImportError_(f"helm template with {vf} failed: {first[:300]}")
        f = into / f"{env}.yaml"
        f.write_text(p.stdout, encoding="utf-8")
        out[env] = [f]
    return out
