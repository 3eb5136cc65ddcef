"""`skyspec init [DIR]`: scaffold a project with dev, qa and prod."""

from __future__ import annotations

import sys
from pathlib import Path

import click

FILES = {
    "skyspec.yaml": """\
# The project file: see https://skyspec.dev (or the README of skyspec).
project: @NAME@
namespace: @NAME@
specs: ["apps/**/*.yaml"]   # add "apps/**/*.toml" with your first TOML spec: a glob matching nothing is an error
environments:
  dev:  {overlays: [overlays/dev.yaml]}
  qa:   {overlays: [overlays/qa.yaml]}
  prod: {overlays: [overlays/prod.yaml], protected: true}
outputs: [kubernetes, compose, helm, kustomize]
""",
    "apps/web.yaml": """\
# yaml-language-server: $schema=@SCHEMAS@/app.json
kind: App
name: web
image: nginx:1.27.2
port: 8080
replicas: 2
resources: {cpu: 100m, memory: 128Mi}
health: /
expose: {host: web.example.com}
""",
    "overlays/dev.yaml": "# dev: one replica, debug logging\napps:\n  web:\n    replicas: 1\n",
    "overlays/qa.yaml": "# qa\napps:\n  web:\n    expose: {host: web.qa.example.com}\n",
    "overlays/prod.yaml": "# prod\napps:\n  web:\n    replicas: 3\n    expose: {tls: true}\n",
}


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Project name (default: the folder's name).")
def init(directory: Path, name: str | None) -> None:
    """Create a project in DIRECTORY with a sample app and dev/qa/prod overlays.
    Existing files are never overwritten."""
    import re

    from ..paths import data_dir

    name = name or re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-") or "app"
    clash = [rel for rel in FILES if (directory / rel).exists()]
    if clash:
        click.echo(f"skyspec: {', '.join(clash)} already exist in {directory}; nothing written", err=True)
        sys.exit(1)
    try:
        for rel, text in FILES.items():
            p = directory / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text.replace("@NAME@", name).replace("@SCHEMAS@", data_dir("schemas").as_uri()),
                         encoding="utf-8")
    except OSError as exc:
        click.echo(f"skyspec: cannot create the project in {directory}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo(f"skyspec: created project {name} in {directory} (try `skyspec build {directory}`)")
