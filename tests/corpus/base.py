"""The bad-input corpus's baseline project and the shape of a case (issue #11).

The baseline is a small valid project that touches every family the corpus breaks: a
YAML and a TOML spec, a ConfigMap with a file, a Secret by reference, a ServiceAccount, a
CronJob on a project template, dev and prod (protected) overlays with every operator.
A :class:`Case` is the baseline plus *one* defect, written as edits of its files, and the
one diagnostic that defect must produce (code at file:line:col). This module only
describes cases and writes them to disk; it runs nothing (tests/test_corpus.py does).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

BASE: dict[str, str] = {
    "skyspec.yaml": """\
project: demo
namespace: demo
specs: ["apps/*.yaml", "apps/*.toml"]
environments:
  dev: {overlays: [overlays/dev.yaml]}
  prod: {overlays: [overlays/prod.yaml], protected: true}
outputs: [kubernetes]
""",
    "apps/api.yaml": """\
kind: App
name: api
image: ghcr.io/acme/api:1.4.2@sha256:38680800b6072e96e98be08b6c2991b6b1fcb9c6b86ca423aaade4bce8e7322d
port: 8080
health: /healthz
replicas: 2
resources: {cpu: 100m, memory: 128Mi}
env:
  LOG_LEVEL: info
  PUBLIC_URL: "https://${self.expose.host}"
secrets:
  DB_PASSWORD: {secret: db, key: password, as: file}
volumes:
  conf: {config: api-config, mount: /etc/api, read_only: true}
service_account: api
expose: {host: api.example.com, tls: true}
connect_to: [cache]
labels: {tier: web}
---
kind: ConfigMap
name: api-config
files: {app.conf: config/app.conf}
---
kind: Secret
name: db
keys: [password]
---
kind: ServiceAccount
name: api
""",
    "apps/cache.toml": """\
kind = "App"
name = "cache"
image = "redis:7.2-alpine"
ports = {redis = 6379}
resources = {cpu = "100m", memory = "128Mi"}
labels = {tier = "data"}
replicas = 1
health = {exec = ["redis-cli", "ping"]}

[security]
image_digest = false
""",
    "apps/jobs.yaml": """\
kind: CronJob
name: report
use: ./templates/job.yaml
module: report.main
schedule: "0 3 * * *"
connect_to: [api]
""",
    "templates/job.yaml": """\
description: a Python batch job
kind: CronJob
params:
  module: {type: string}
spec:
  image: "ghcr.io/acme/jobs:1.0.0@sha256:d1e3df105a7ca0b86c2bf52eae8dd280fd2ac5f1fa232f2dc5061547679d267a"
  command: [python, -m, "${self.module}"]
  resources: {cpu: 100m, memory: 128Mi}
""",
    "config/app.conf": "listen 8080\n",
    "overlays/dev.yaml": """\
apps:
  api: {replicas: 1}
""",
    "overlays/prod.yaml": """\
all:
  labels: {env: prod}
match:
  - where: {labels: {tier: web}}
    patch: {replicas: 3}
apps:
  api:
    env: {LOG_LEVEL: warn}
    args+: [--workers, "4"]
  cache:
    replicas: ${super.replicas * 2}
""",
}

# A second baseline: Python builders are opt-in (`python: true`) and run in-process.
PY_BASE: dict[str, str] = {
    "skyspec.yaml": """\
project: demo
namespace: demo
specs: ["apps/*.py"]
python: true                  # the builders run as trusted code
environments:
  dev: {overlays: []}
outputs: [kubernetes]
""",
    "apps/api.py": """\
from skyspec import App

api = App("api").image("ghcr.io/acme/api:1.4.2").port(8080).replicas(2)
api = api.resources(cpu="100m", memory="128Mi").health_check("/healthz")
""",
}


class Symlink(str):
    """An edit that makes the file a symbolic link to this target."""


Edit = "str | bytes | tuple[str, str] | Symlink | None"


@dataclass(frozen=True)
class Case:
    """One defect. ``edits`` maps a file to its new text (str or bytes), to an
    ``(old, new)`` replacement in the baseline's text (old must occur once), to a
    :class:`Symlink`, or to None (deleted). ``expect`` is ``"FILE:LINE:COL CODE"``;
    ``args`` are extra CLI arguments for check and build; ``exit`` is 1 for problems and
    2 for usage errors; ``secret`` is a value that must appear in no output; ``shows`` a
    text that must appear in it. ``others`` is how many errors besides ``expect`` the
    defect may also cause (0: the run reports that one error alone); a case with others
    says where it is written which follow-ons they are and why they stay."""

    id: str
    edits: dict
    expect: str
    args: tuple = ()
    exit: int = 1
    secret: str | None = None
    base: dict = field(default_factory=lambda: BASE)
    severity: str = "error"
    xfail: str | None = None  # a finding: the diagnostic that should be, and why it is not yet
    others: int = 0
    shows: str | None = None


def write_case(root: Path, case: Case) -> None:
    files: dict = dict(case.base)
    links: dict[str, str] = {}
    for rel, edit in case.edits.items():
        if edit is None:
            files.pop(rel)
        elif isinstance(edit, Symlink):
            files.pop(rel, None)
            links[rel] = str(edit)
        elif isinstance(edit, tuple):
            old, new = edit
            assert files[rel].count(old) == 1, (case.id, rel, old)
            files[rel] = files[rel].replace(old, new)
        else:
            files[rel] = edit
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text)
    for rel, target in links.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, p)


def raw(rel: str, old: str, new: bytes, base: dict = BASE) -> bytes:
    """The baseline file ``rel`` as bytes, with ``old`` replaced by raw bytes ``new``."""
    text = base[rel]
    assert text.count(old) == 1, (rel, old)
    head, tail = text.split(old)
    return head.encode() + new + tail.encode()
