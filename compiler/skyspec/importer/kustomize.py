"""A Kustomize folder (one holding a `kustomization.yaml`) named as an input is what Kustomize
builds of it, not its files: those are a base's parts, an overlay's patches and generators'
inputs, and the objects they make carry the folder's `namespace:`, name prefixes, labels and
images. Such a folder is rendered by `kustomize build` (or `kubectl kustomize`, found on
PATH) into a scratch file that is read in its place, located as `kubectl kustomize DIR`.
It runs only the build: plugins and exec functions stay off (their defaults), the files
read stay under the folder's root (the default load restrictor), with a timeout and a clean
environment (no credentials). Nothing is fetched: every file and folder a kustomization names
(its resources, components, patches, generators' files, and theirs in turn) must be there,
else the import refuses it at that line before anything runs, for Kustomize fetches what is
not (a URL, a git repository), and a pull request's kustomization could make a CI job fetch
its cloud's metadata address and print the credentials it answers with; the build runs
behind a proxy that answers nothing, and git may use local repositories only. Its problems
(no tool, a remote reference, the build failing) are located diagnostics (SKY068), with the
tool's reason cut short.

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
    if fetched(folder, inputs, set()):
        return None
    home = into / f"home-{len(list(into.iterdir()))}"
    home.mkdir()
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "TMPDIR", "LANG")}
    clean.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
                 GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1", GIT_ALLOW_PROTOCOL="file",
                 **{k: NOWHERE for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")})
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


NOWHERE = "http://127.0.0.1:9"   # (the discard port: a proxy that answers nothing)
# the fields of a kustomization that name files and folders (lists of them, or entries' `path`)
LISTS = ("resources", "bases", "components", "crds", "configurations", "generators", "transformers", "validators",
         "patchesStrategicMerge")
PATHS = ("patches", "patchesJson6902", "replacements")
GENERATORS = ("configMapGenerator", "secretGenerator", "helmCharts")


def fetched(folder: Path, inputs: Inputs, seen: set) -> bool:
    """Whether the kustomization of ``folder``, or of a folder it names, names a file or folder
    that is not there (what Kustomize would fetch): each is reported at its line."""
    from ..frontend import load_file

    file = kustomization(folder)
    if file is None or folder.resolve() in seen:
        return False
    seen.add(folder.resolve())
    docs = load_file(file, shown_path(file), inputs.diags, inputs.sources)
    if not docs or not isinstance(docs[0].data, dict):
        return bool(inputs.diags.has_errors)
    bad = False
    for value, at in _named(docs[0].data):
        target = Path(os.path.normpath(folder / value))
        remote = "://" in value or value.startswith(("git@", "git::", "github.com/", "gitlab.com/", "bitbucket.org/"))
        if remote or not (target.is_file() or target.is_dir()):
            loc = docs[0].loc.find(at)
            fetches = remote or at[0] in ("resources", "bases", "components")
            inputs.diags.error(HELM, f"{file.name} of {shown_path(folder)} names {value!r}, which is not a file or "
                               "folder there" + (": Kustomize would fetch it, which the import does not do"
                                                 if fetches else ""), loc.pos if loc else docs[0].loc.pos,
                               hint="build the folder yourself (`kubectl kustomize DIR > all.yaml`) and import that "
                                    "file, or vendor what it fetches into the folder" if fetches else
                                    "paths are relative to the kustomization file's folder")
            bad = True
        elif target.is_dir():
            bad |= fetched(target, inputs, seen)
    return bad


def _named(data: dict) -> list[tuple[str, tuple]]:
    """(a file or folder a kustomization names, where) of each entry that is one."""
    out: list[tuple[str, tuple]] = []
    for key in LISTS:
        for i, v in enumerate(data.get(key) if isinstance(data.get(key), list) else []):
            if isinstance(v, str) and "\n" not in v:   # (a patch may be written inline)
                out.append((v, (key, i)))
    for key in PATHS:
        for i, v in enumerate(data.get(key) if isinstance(data.get(key), list) else []):
            if isinstance(v, dict) and isinstance(v.get("path"), str):
                out.append((v["path"], (key, i, "path")))
    for key in GENERATORS:
        for i, g in enumerate(data.get(key) if isinstance(data.get(key), list) else []):
            for field in ("files", "envs", "env", "repo"):
                got = g.get(field) if isinstance(g, dict) else None
                for j, f in enumerate(got if isinstance(got, list) else [got] if isinstance(got, str) else []):
                    if isinstance(f, str):
                        out.append((f.split("=", 1)[-1] if field == "files" else f,
                                    (key, i, field, j) if isinstance(got, list) else (key, i, field)))
    openapi = data.get("openapi")
    if isinstance(openapi, dict) and isinstance(openapi.get("path"), str):
        out.append((openapi["path"], ("openapi", "path")))
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
    """Whether a folder below ``top`` (walked for manifests) is a Kustomize folder or a Helm
    chart: each is refused at its kustomization file or Chart.yaml (reported); True when any
    was. Their files are no objects as written."""
    found = False
    for here, dirs, _ in os.walk(top, followlinks=False):
        dirs.sort()
        for d in list(dirs):
            inner = Path(here) / d
            file = kustomization(inner)
            chart = inner / "Chart.yaml"
            if os.path.islink(inner) or (file is None and not chart.is_file()):
                continue
            found = True
            dirs.remove(d)
            if file is not None:
                inputs.diags.error(HELM, f"{shown_path(inner)} is a Kustomize folder inside {shown_path(top)}: its "
                                   "files are parts and patches, not the objects it builds", Pos(shown_path(file), 1, 1),
                                   hint="name each Kustomize folder as an input (one per environment: "
                                        "`--env dev=overlays/dev --env prod=overlays/prod`), or leave it out")
            else:
                inputs.diags.error(HELM, f"{shown_path(inner)} is a Helm chart inside {shown_path(top)}: its templates "
                                   "are no objects as written", Pos(shown_path(chart), 1, 1),
                                   hint=f"import it with its values (`skyspec import helm {shown_path(inner)} -f "
                                        "values.yaml`), and name the other inputs apart")
    return found
