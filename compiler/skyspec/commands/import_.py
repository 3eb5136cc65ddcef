"""`skyspec import kubernetes PATH... [-o DIR]` (and `compose FILE`, `helm CHART -f ...`):
existing manifests into a skyspec project, with the round-trip fidelity report
(:mod:`skyspec.importer`). Problems with the input are located diagnostics, printed as
`check` prints them (all of them, exit 1); what was inferred, moved into a Secret or kept as a
`k8s:` patch is a note at the input's line. Writes only into the output folder, only new
files, and only when the run has no error; prints no Secret value (the importer registers
every one with the diagnostics' redactor and never writes one into a spec)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click


@click.group(name="import")
def import_() -> None:
    """Adopt skyspec from existing Kubernetes manifests, Compose files and Helm charts."""


@import_.command(name="kubernetes")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "out", default="imported", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the project (default: ./imported); existing files are never overwritten.")
@click.option("--name", help="Project name (default: the output folder's name).")
@click.option("--env", "envs", multiple=True, metavar="NAME=DIR",
              help="An environment's rendered manifests, or its Kustomize overlay; repeat it. Specs hold what "
                   "the environments share (or PATHS, when given) and overlays/NAME.yaml the differences.")
def kubernetes(paths: tuple[Path, ...], out: Path, name: str | None, envs: tuple[str, ...]) -> None:
    """Read manifests (files, folders, multi-document streams, `kubectl get -o yaml` lists,
    Kustomize folders as `kubectl kustomize` builds them) and write a project: one spec per
    workload, ConfigMaps, Secrets (keys only), the rest as Resources; then build it and
    compare the objects with the input field by field."""
    from ..importer import Inputs, import_environments, import_kubernetes

    name = _name(name, out)
    if not paths and not envs:
        raise click.UsageError("give PATHS, or --env NAME=DIR (several)")
    renderings: dict = {}
    for e in envs:
        env, _, d = e.partition("=")
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", env) or not d or not Path(d).exists() or env in renderings:
            raise click.UsageError(f"--env {e}: expected NAME=DIR with a new lower-case NAME and an existing DIR")
        renderings[env] = [Path(d)]
    inputs = Inputs()
    result = import_environments(renderings, name, list(paths) or None, inputs=inputs) if renderings else \
        import_kubernetes(list(paths), name, inputs=inputs)
    _finish(result, out, inputs)


@import_.command(name="compose")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", default="imported", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the project (default: ./imported); existing files are never overwritten.")
@click.option("--name", help="Project name (default: the output folder's name).")
def compose(file: Path, out: Path, name: str | None) -> None:
    """Read a Compose file and write a project with a `dev` environment: one spec per service,
    Secrets (keys only), ConfigMaps; then build it for Compose and Kubernetes and compare the
    built services with the input field by field."""
    from ..importer import Inputs, import_compose

    inputs = Inputs()
    _finish(import_compose(file, _name(name, out), inputs=inputs), out, inputs)


@import_.command(name="helm")
@click.argument("chart", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-f", "--values", "values", multiple=True, required=True, metavar="[NAME=]FILE",
              help="A values file, one environment each (named NAME, or after values-NAME.yaml); repeat it.")
@click.option("-o", "--output", "out", default="imported", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the project (default: ./imported); existing files are never overwritten.")
@click.option("--name", help="Project name and release name (default: the output folder's name).")
@click.option("-n", "--namespace", callback=lambda ctx, param, v: _label(v, "--namespace"),
              help="The namespace the chart is rendered for, as `helm install -n` (default: helm's, `default`).")
def helm_(chart: Path, values: tuple[str, ...], out: Path, name: str | None, namespace: str | None) -> None:
    """Render CHART with `helm template` once per values file (helm must be on PATH) and write
    a project: specs from what the renderings share, one overlay per values file with the
    differences; then build every environment and compare it with its rendering."""
    from ..importer import Inputs, import_helm

    inputs = Inputs()
    _finish(import_helm(chart, list(values), _name(name, out), inputs=inputs, namespace=namespace), out, inputs)


def _label(value: str | None, flag: str) -> str | None:
    """``value`` when it is a DNS label (what a namespace is), else a usage error."""
    if value is not None and not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", value):
        raise click.BadParameter(f"{value!r} is not a namespace name (a DNS label: lowercase letters, digits "
                                 "and '-', at most 63)", param_hint=flag)
    return value


def _name(name: str | None, out: Path) -> str:
    """``name``, or the output folder's made a DNS label of at most 53 characters (a Helm
    release name, which the chart import renders with; a project name is at most 63)."""
    return name or re.sub(r"[^a-z0-9-]+", "-", out.resolve().name.lower()).strip("-")[:53].strip("-") or "imported"


def _finish(result, out: Path, inputs) -> None:
    """Prints the diagnostics, writes the project when there is no error, then the report."""
    from ..importer import write_project
    from ._common import emit_diags, say

    diags = inputs.diags
    if result is not None and not diags.has_errors:
        write_project(result, out, diags)
    emit_diags(diags, "text", inputs.sources)
    if result is None or diags.has_errors:
        click.echo(f"skyspec: nothing imported into {out}", err=True)
        sys.exit(1)
    say(f"skyspec: imported {len(result.files) - 1} spec files into {out} "
        f"({result.spec_lines} lines of spec for {result.input_lines} lines of input)")
    say(f"fidelity: {result.report()}")
