"""A Helm chart rendered once per values file (`helm template`, helm found on PATH) into
folders of manifests, one per environment, which :mod:`.environments` turns into specs and
overlays. It runs only `helm template` (no cluster access: `lookup` returns nothing there),
with chart tests skipped, a timeout, a clean environment (no credentials, its own cache and
config folders) and output kept in a scratch folder; it never runs anything the chart names.
Its problems (helm missing, a values file missing, helm failing) are located diagnostics
(SKY068); helm's own reason is shown, at the template line it names, without the credentials
of the values helm was given, cut short.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ..diagnostics import Pos
from ..paths import shown_link, shown_path
from .source import HELM, Inputs

TIMEOUT = 120


def env_name(spec: str) -> tuple[str, Path] | None:
    """`NAME=FILE` or `FILE` (the name from `values-NAME.yaml`, else the file's stem); None
    when no environment name can be made of it."""
    name, sep, file = spec.partition("=")
    if not sep:
        file = spec
        stem = Path(spec).stem
        name = stem[len("values-"):] if stem.startswith("values-") else ("default" if stem == "values" else stem)
    name = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    if not name:
        return None
    return name, Path(file)


def render(chart: Path, values: list[str], release: str, into: Path, inputs: Inputs,
           namespace: str | None = None) -> dict[str, list[Path]] | None:
    """{environment: [rendered file]} for each values file, rendered as installed in
    ``namespace`` (`{{ .Release.Namespace }}`: a flag the chart derives from it, such as a
    webhook's `--dns-name=<svc>.<namespace>.svc`, is right only there); None (reported) on a
    problem."""
    diags = inputs.diags
    if not (chart / "Chart.yaml").is_file():
        diags.error(HELM, f"{shown_path(chart)} is not a chart: it has no Chart.yaml", None,
                    hint="name the chart's folder (the one holding Chart.yaml)")
    envs: list[tuple[str, Path]] = []
    for spec in values:
        named = env_name(spec)
        if named is None:
            diags.error(HELM, f"-f {spec}: cannot name an environment after it", None, hint="write -f NAME=FILE")
        elif named[0] in [e for e, _ in envs]:
            diags.error(HELM, f"-f {spec}: a second values file for environment {named[0]}", None,
                        hint="one values file per environment: name them apart with -f NAME=FILE")
        elif not named[1].is_file():
            diags.error(HELM, f"-f {spec}: no such values file", None, hint="give the path of a values file")
        else:
            envs.append(named)
    _contained(chart, diags)
    helm = shutil.which("helm")
    if helm is None:
        diags.error(HELM, "helm is not on PATH: install it to import a chart", None,
                    hint="or render the chart yourself and import the folders: "
                         "`skyspec import kubernetes --env dev=DIR --env prod=DIR`")
    if diags.has_errors:
        return None
    out: dict[str, list[Path]] = {}
    for env, vf in envs:
        args = [helm, "template", release, str(chart), "-f", str(vf), "--skip-tests", "--include-crds",
                *([f"--namespace={namespace}"] if namespace else [])]
        clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "TMPDIR", "LANG")}
        clean.update(HELM_CACHE_HOME=str(into / ".cache"), HELM_CONFIG_HOME=str(into / ".config"),
                     HELM_DATA_HOME=str(into / ".data"))
        at = Pos(shown_path(vf), 1, 1)
        try:
            p = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, env=clean,
                               stdin=subprocess.DEVNULL, errors="replace")
        except subprocess.TimeoutExpired:
            diags.error(HELM, f"helm template with {shown_path(vf)} took longer than {TIMEOUT}s", at)
            continue
        except OSError as exc:
            diags.error(HELM, f"helm could not be run ({exc.__class__.__name__})", at)
            continue
        if p.returncode != 0:
            why, where = _failure(_scrubbed(p.stderr, vf), chart)
            diags.error(HELM, f"helm template with {shown_path(vf)} failed: {why[:300]}", where or at,
                        hint="run the same `helm template` to see the whole message; fix the chart or the values"
                        + (" (a value the chart requires: set it in the values file)" if where else ""))
            continue
        f = into / f"{env}.yaml"
        f.write_text(p.stdout, encoding="utf-8")
        inputs.names[str(f)] = f"helm template {shown_path(chart)} -f {shown_path(vf)}"
        out[env] = [f]
    return None if diags.has_errors else out


def _contained(chart: Path, diags) -> None:
    """Every file and folder of ``chart`` stays in it: helm reads a symbolic link's target
    into the chart (`.Files.Get`, a template), so a link to `~/.aws/credentials` or a CI
    runner's service account token would be rendered into the imported project. A link that
    leads out (SKY017) or a FIFO, device or socket (SKY007, which would block helm) is an
    error at the link, before helm runs; a link inside the chart is helm's to follow."""
    from ..contain import contained

    root = chart.resolve()
    if not root.is_dir():
        return
    for top, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(dirs + names):
            path = Path(top) / name
            rel = os.path.relpath(path, root)
            contained(root, rel, Pos(shown_link(chart / rel), 1, 1), diags, "chart file", folders=True,
                      within="the chart's folder")


# helm's own words for a template that failed (`required`, `fail`): where, in the chart
_AT = re.compile(r"^Error: execution error at \(([^()]+?):([0-9]+):([0-9]+)\): (.+)$")


def _failure(stderr: str, chart: Path) -> tuple[str, Pos | None]:
    """(what helm said went wrong, the template line it names when that file is in ``chart``).
    helm ends its message with a line of advice (`Use --debug flag ...`): the reason is its
    line that starts with `Error:` (Grafana's loki-canary: `'lokiAddress' must be set`, at the
    template that requires it), with the lines after it when it ends in a colon (a values
    schema's failures)."""
    lines = [ln.strip() for ln in stderr.strip().splitlines() if ln.strip()]
    said = [i for i, ln in enumerate(lines) if ln.startswith("Error:")]
    line = lines[said[-1]] if said else (lines or ["(no message)"])[-1]
    if said and line.endswith(":"):   # (the reason on the lines after: external-dns' values schema,
        line += " " + " ".join(lines[said[-1] + 1:said[-1] + 4])   # `- at '/policy': got null, want string`)
    m = _AT.match(line)
    if m is None:
        return line.removeprefix("Error: "), None
    rel = Path(*Path(m.group(1)).parts[1:])   # (the path starts with the chart's name)
    root = chart.resolve()
    f = (root / rel).resolve()
    if not rel.parts or not f.is_relative_to(root) or not f.is_file():
        return m.group(4), None
    return m.group(4), Pos(shown_path(chart / rel), int(m.group(2)), int(m.group(3)))


MAX_VALUES = 8 << 20   # a values file larger than this is not read to scrub helm's message


def _scrubbed(message: str, values: Path) -> str:
    """helm's ``message`` without the credentials it was given: a chart's `fail` or `required`
    message may print one (`cannot connect with <password>`). Each value of ``values`` that is
    a credential by its key (`password`, `rootPassword`, `auth.token`: the rule for env
    values) or holds a URL with a password is masked; a values file that cannot be read
    leaves no message."""
    import yaml

    from ..redact import Redactor, credential_env

    try:
        if values.stat().st_size > MAX_VALUES:
            raise ValueError("too large")
        data = yaml.load(values.read_text(encoding="utf-8", errors="replace"),
                         Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, ValueError, yaml.YAMLError):
        return "Error: (helm's message is not shown: the values file could not be read to keep its credentials out)"
    red, seen, todo = Redactor(), set(), [("", data)]
    while todo:   # (each map and list once: an alias shares one, and is not walked again)
        key, v = todo.pop()
        if isinstance(v, (dict, list)):
            if id(v) not in seen:
                seen.add(id(v))
                todo.extend(((str(k), x) for k, x in v.items()) if isinstance(v, dict) else ((key, x) for x in v))
        elif credential_env(key, v):
            red.add(v)
    return red.scrub(message)
