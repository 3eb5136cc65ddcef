"""Generate a benchmark project: N apps (~24 lines each) with dev/qa/prod overlays.

    python benchmarks/gen_corpus.py 1000 benchmarks/corpus/n1000
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = """kind: App
name: app-{i}
image: ghcr.io/acme/app-{i}:1.{m}.{p}
ports:
  http: 8080
  metrics: 9090
replicas: {r}
resources:
  cpu: {cpu}m
  memory: {mem}Mi
env:
  LOG_LEVEL: info
  SERVICE_NAME: app-{i}
  FEATURE_X: "{flag}"
secrets:
  DB_PASSWORD: {{secret: bench-db, key: password}}
health:
  http: /healthz
  period: 10
labels:
  tier: {tier}
  team: team-{team}
{extra}"""


def generate(n: int, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "apps").mkdir(exist_ok=True)
    (dest / "overlays").mkdir(exist_ok=True)
    (dest / "skyspec.yaml").write_text(
        "project: bench\nnamespace: bench\nspecs: ['apps/*.yaml']\nenvironments:\n"
        "  dev: {overlays: [overlays/dev.yaml]}\n  qa: {overlays: [overlays/qa.yaml]}\n"
        "  prod: {overlays: [overlays/prod.yaml]}\n")
    (dest / "apps" / "secrets.yaml").write_text("kind: Secret\nname: bench-db\nkeys: [password]\n")
    for i in range(n):
        extra = ""
        if i % 3 == 0:
            extra = f"expose: {{host: app-{i}.example.com, tls: true}}\n"
        if i % 5 == 1 and i > 1:
            extra += f"connect_to: [app-{i - 1}]\n"
        (dest / "apps" / f"app-{i}.yaml").write_text(APP.format(
            i=i, m=i % 7, p=i % 11, r=1 + i % 3, cpu=100 + (i % 8) * 50, mem=128 * (1 + i % 4),
            flag="true" if i % 2 else "false", tier=("web", "api", "worker")[i % 3], team=i % 10, extra=extra))
    for env, reps, level in (("dev", 1, "debug"), ("qa", 2, "info"), ("prod", 3, "warn")):
        lines = ["all:", f"  env: {{LOG_LEVEL: {level}}}", "match:",
                 "  - where: {labels: {tier: web}}", f"    patch: {{replicas: {reps + 1}}}", "apps:"]
        for i in range(n):  # ~9 lines per app, like the reference corpus
            lines += [f"  app-{i}:", f"    replicas: {reps}", "    resources:",
                      f"      cpu: {200 + i % 5 * 100}m", f"      memory: {256 * (1 + i % 3)}Mi",
                      "    env:", f"      REGION: eu-{i % 3}", "    labels:", f"      env: {env}"]
        (dest / "overlays" / f"{env}.yaml").write_text("\n".join(lines) + "\n")
    return dest


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).parent / "corpus" / f"n{n}"
    print(generate(n, out))
