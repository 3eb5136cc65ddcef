"""docs/porting.md holds: its Compose file and manifests are valid input (the real Compose
binary, kubernetes-validate) that `skyspec import` turns into projects that build, and the
projects it shows "said in the language" build in every format, with the addresses, ports
and probes it describes."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from conftest import ROOT
from validators import assert_valid_k8s, compose_config, load_docs

DOC = (ROOT / "docs" / "porting.md").read_text()


def files_of(section: str) -> dict[str, str]:
    """The YAML blocks of a section whose first line names their file (`# apps/api.yaml`)."""
    part = DOC.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    out = {}
    for block in re.findall(r"```yaml\n(.*?)```", part, flags=re.S):
        first, _, rest = block.partition("\n")
        assert first.startswith("# "), first
        out[first[2:].strip()] = rest
    return out


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def build_all(cli, root: Path, out: Path) -> None:
    r = cli("build", str(root), "-o", str(out))
    assert r.exit_code == 0, r.output
    for env in ("dev", "prod"):
        assert_valid_k8s(load_docs(out / env / "kubernetes"))
        c = compose_config(out / env / "compose.yaml")
        assert c.returncode == 0, c.stderr


def test_from_compose(cli, tmp_path):
    files = files_of("From Compose")
    src = write(tmp_path / "src", {"compose.yaml": files.pop("compose.yaml"), "db-password.txt": "x\n"})
    r = compose_config(src / "compose.yaml")
    assert r.returncode == 0, r.stderr
    r = cli("import", "compose", str(src / "compose.yaml"), "-o", str(tmp_path / "imported"))
    assert r.exit_code == 0, r.output
    assert cli("build", str(tmp_path / "imported"), "-o", str(tmp_path / "imported-out")).exit_code == 0
    assert set(files) == {"skyspec.yaml", "apps/shop.yaml", "overlays/prod.yaml"}
    out = tmp_path / "out"
    build_all(cli, write(tmp_path / "shop", files), out)
    services = yaml.safe_load((out / "dev" / "compose.yaml").read_text())["services"]
    assert services["api"]["environment"]["DB_URL"] == "postgresql://db:5432/shop"
    assert services["api"]["environment"]["DATABASE_PASSWORD_FILE"].startswith("/run/secrets/")
    assert services["api"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["web"]["ports"][0]["published"] in ("8080", 8080)
    prod = {(d["kind"], d["metadata"]["name"]): d for d in load_docs(out / "prod" / "kubernetes")}
    assert prod[("Deployment", "api")]["spec"]["replicas"] == 3
    assert prod[("Ingress", "web")]["spec"]["rules"][0]["host"] == "shop.example.com"


def test_importing_the_guides_manifests(cli, tmp_path):
    manifests = files_of("From Kubernetes manifests")["k8s/api.yaml"]
    src = write(tmp_path / "src", {"k8s/api.yaml": manifests})
    r = cli("import", "kubernetes", str(src / "k8s"), "-o", str(tmp_path / "imported"))
    assert r.exit_code == 0 and "UNEXPLAINED" not in r.output, r.output
    assert cli("build", str(tmp_path / "imported"), "-o", str(tmp_path / "imported-out")).exit_code == 0


def test_from_kubernetes_manifests(cli, tmp_path):
    files = files_of("From Kubernetes manifests")
    manifests = files.pop("k8s/api.yaml")
    assert_valid_k8s([d for d in yaml.safe_load_all(manifests) if d])
    out = tmp_path / "out"
    build_all(cli, write(tmp_path / "shop", files), out)
    objs = {(d["kind"], d["metadata"]["name"]): d for d in load_docs(out / "prod" / "kubernetes")}
    svc = objs[("Service", "api")]["spec"]["ports"]
    assert {(p["port"], p["targetPort"]) for p in svc} == {(80, "http"), (7070, "grpc")} or \
        {(p["port"], p["targetPort"]) for p in svc} == {(80, 8080), (7070, 7070)}
    c = objs[("Deployment", "api")]["spec"]["template"]["spec"]["containers"][0]
    assert c["name"] == "server" and c["readinessProbe"]["grpc"]["port"] == 7070
    ing = objs[("Ingress", "api")]["spec"]["rules"][0]
    assert ing["host"] == "api.example.com"
    assert ing["http"]["paths"][0]["backend"]["service"]["port"] in ({"number": 80}, {"name": "http"})
