"""A Kustomize folder (one holding a `kustomization.yaml`) named as an input is what Kustomize
builds of it, not its files: those are a base's parts, an overlay's patches and generators'
inputs, and the objects they make carry the folder's `namespace:`, name prefixes, labels and
images. Such a folder is rendered by `kustomize build` (or `kubectl kustomize`, found on
PATH) into a scratch file that is read in its place, located as `kubectl kustomize DIR`.
It runs only the build: plugins and exec functions stay off (their defaults), the files
read stay under the folder's root (the default load restrictor), with a timeout and a clean
environment (no credentials: a remote base is fetched, as Kustomize does, without the
user's git or SSH set-up). Its problems (no tool, the build failing) are located
diagnostics (SKY068), with the tool's reason cut short.

A folder walked for manifests that holds a Kustomize folder below it is refused there: its
files are no objects as written; the folder is named as an input (an environment's
`--env NAME=DIR`) to import what it builds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..diagnostics import Pos
from ..paths import shown_path
from .source import HELM, Inputs

TIMEOUT = 120
NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def kustomization(folder: Path) -> Path | None:
    """The kustomization file of ``folder``, or None when it is no Kustomize folder."""
    return next((folder / n for n in NAMES if (folder / n).is_file()), None)


def render(folder: Path, into: Path, inputs: Inputs) -> Path | None:
    """The file ``into``/... holding what Kustomize builds of ``folder``; None (reported) on a
    problem."""
    file = kustomization(folder)
    at = Pos(shown_path(file if file is not None else folder), 1, 1)
    tool = shutil.which("kustomize")
    args = [tool, "build", str(folder)] if tool else None
    if args is None and shutil.which("kubectl"):
        args = [str(shutil.which("kubectl")), "kustomize", str(folder)]
    if args is None:
        inputs.diags.error(HELM, f"{shown_path(folder)} is a Kustomize folder, and neither kustomize nor kubectl "
                           "is on PATH to build it", at,
                           hint="install kubectl, or build it yourself (`kubectl kustomize DIR > all.yaml`) and "
                                "import that file")
        return None
    home = into / f"home-{len(list(into.iterdir()))}"
    home.mkdir()
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "TMPDIR", "LANG")}
    clean.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
                 GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1")
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, env=clean,
                           stdin=subprocess.DEVNULL, errors="replace")
    except subprocess.TimeoutExpired:
        inputs.diags.error(HELM, f"building the Kustomize folder {shown_path(folder)} took longer than {TIMEOUT}s", at)
        return None
    except OSError as exc:
        inputs.diags.error(HELM, f"{Path(args[0]).name} could not be run ({exc.__class__.__name__})", at)
        return None
    if p.returncode != 0:
        run = f"{Path(args[0]).name} {args[1]} {shown_path(folder)}"
        inputs.diags.error(HELM, f"`{run}` failed: {_reason(p.stderr)[:300]}", at,
                           hint=f"run `{run}` to see the whole message; fix the folder's kustomization")
        return None
    out = home / "rendered.yaml"
    out.write_text(p.stdout, encoding="utf-8")
    inputs.names[str(out)] = f"kubectl kustomize {shown_path(folder)}"
    return out


def _reason(stderr: str) -> str:
    """The tool's reason in its message: kustomize's `Error: ...`, kubectl's `error: ...` or,
    logged, `... "command failed" err="..."` (the last line saying one)."""
    text = " ".join(stderr.split())   # (a logged message goes on over lines)
    for mark in ('err="', "error:", "Error:"):
        i = text.rfind(mark)
        if i >= 0:
            return text[i + len(mark):].strip().rstrip('"') or text
    return text or "(no message)"


def nested(top: Path, inputs: Inputs) -> bool:
    """Whether a folder below ``top`` (walked for manifests) is a Kustomize folder: each is
    refused at its kustomization file (reported); True when any was."""
    found = False
    for here, dirs, _ in os.walk(top, followlinks=False):
        dirs.sort()
        for d in list(dirs):
            file = kustomization(Path(here) / d)
            if file is not None and not os.path.islink(os.path.join(here, d)):
                found = True
                dirs.remove(d)
                inputs.diags.error(HELM, f"{shown_path(Path(here) / d)} is a Kustomize folder inside "
                                   f"{shown_path(top)}: its files are parts and patches, not the objects it builds",
                                   Pos(shown_path(file), 1, 1),
                                   hint="name each Kustomize folder as an input (one per environment: "
                                        "`--env dev=overlays/dev --env prod=overlays/prod`), or leave it out")
    return found
