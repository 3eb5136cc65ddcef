"""`skyspec init [DIR]`: scaffold a project with dev, qa and prod.

The project gets its own copy of the JSON Schemas in `schemas/` (what `skyspec schema -o
schemas` writes, which refreshes them), and each file it creates names its schema in a
`# yaml-language-server: $schema=` modeline by a path relative to the file, so that the
project can move, and be cloned elsewhere, without editors losing the schemas (an absolute
`file://` path into the installation would not survive either). It never overwrites a file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

OVERLAY_SCHEMA = "# yaml-language-server: $schema=../schemas/skyspec-overlay.json\n"
SCHEMAS = "schemas"  # the folder of the project's schemas, which the modelines name relatively

FILES = {
    "skyspec.yaml": """\
# yaml-language-server: $schema=schemas/project.json
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
# yaml-language-server: $schema=../schemas/skyspec.json
kind: App
name: web
# nginx's unprivileged image: it listens on 8080 and writes only /tmp, so it runs as is
# under the hardened defaults (non-root UID, read-only root filesystem, no capabilities)
image: nginxinc/nginx-unprivileged:1.27.2
port: 8080
replicas: 2
resources: {cpu: 100m, memory: 128Mi}
health: /
expose: {host: web.example.com}
""",
    "overlays/dev.yaml": OVERLAY_SCHEMA + "# dev: one replica, debug logging\napps:\n  web:\n    replicas: 1\n",
    "overlays/qa.yaml": OVERLAY_SCHEMA + "# qa\napps:\n  web:\n    expose: {host: web.qa.example.com}\n",
    "overlays/prod.yaml": OVERLAY_SCHEMA + "# prod\napps:\n  web:\n    replicas: 3\n    expose: {tls: true}\n",
}


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Project name (default: the folder's name).")
def init(directory: Path, name: str | None) -> None:
    """Create a project in DIRECTORY with a sample app and dev/qa/prod overlays.
    Existing files are never overwritten."""
    import re

    from ..schema.spec import all_schemas, write_schemas
    from .schema import stdlib_templates

    name = name or re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-") or "app"
    schemas = [f"{SCHEMAS}/{f}" for f in sorted(all_schemas())]
    clash = [rel for rel in [*FILES, *schemas] if (directory / rel).exists()]
    if clash:
        click.echo(f"skyspec: {', '.join(clash)} already exist in {directory}; nothing written", err=True)
        sys.exit(1)
    try:
        for rel, text in FILES.items():
            p = directory / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text.replace("@NAME@", name), encoding="utf-8")
        write_schemas(directory / SCHEMAS, stdlib_templates())
    except OSError as exc:
        click.echo(f"skyspec: cannot create the project in {directory}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo(f"skyspec: created project {name} in {directory} (try `skyspec build {directory}`)")
