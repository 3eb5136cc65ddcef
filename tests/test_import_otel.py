"""`skyspec import compose` of the OpenTelemetry demo's core `compose.yaml` (20 services, its
`.env` of 200 variables; tests/data/otel-demo, unchanged). What it needed, each a way Compose
reads a file that the importer read otherwise: a variable listed without a value takes the
`.env` one (`- AD_PORT`), and `.env` values name each other (`${ENVOY_PORT}`); a healthcheck
is interpolated too; every published port is published (Compose picks a free host port for a
bare one); an explicit `8080:8080` keeps host port 8080 though another service's bare 8080 is
published on its own number; a memory limit below the request overlays/dev.yaml gives is the request;
and the addresses the environments now show close cycles (the collector scrapes the proxy,
which sends it traces), which connect_to cannot say. It builds in all four formats and the
real tools accept them."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.diagnostics import Diagnostics, render_text
from skyspec.importer import import_compose

DATA = Path(__file__).parent / "data"
OTEL = DATA / "otel-demo" / "compose.yaml"


def specs(files: dict) -> dict:
    return {(d["kind"], d["name"]): d for t in files.values() for d in yaml.safe_load_all(t) if d and "kind" in d}


def test_the_otel_demo_imports_with_what_compose_reads_from_its_env_file():
    diags = Diagnostics()
    r = import_compose(OTEL, "otel", diags)
    assert r is not None and not diags.has_errors, render_text(diags.errors, None)
    assert r.unexplained == []
    docs = specs(r.files)
    ad = docs[("App", "ad")]
    # `- AD_PORT` and `- FLAGD_HOST` are the .env's; `_JAVA_OPTIONS`, in no .env, stays the host's (warned)
    assert ad["env"]["AD_PORT"] == "9555" and ad["env"]["FLAGD_HOST"] == "flagd"
    assert "_JAVA_OPTIONS" not in ad["env"]
    assert ad["ports"] == {"http": 9555, "p9465": {"port": 9465, "host_port": 9465}}
    text = render_text(diags.sorted(), None)
    assert "service ad: environment _JAVA_OPTIONS is passed through from the host" in text
    assert "service ad: environment AD_PORT is passed through" not in text
    # FRONTEND_PROXY_ADDR=frontend-proxy:${ENVOY_PORT} in the .env
    assert docs[("App", "otel-collector")]["env"]["FRONTEND_PROXY_ADDR"] == "frontend-proxy:8080"
    checkout = docs[("App", "checkout")]
    assert checkout["health"]["exec"] == ["/bin/grpc_health_probe", "-addr=:5050"]
    # 256Mi, the request overlays/dev.yaml gives, would exceed it
    assert checkout["resources"] == {"memory": "20Mi", "memory_limit": "20Mi"}
    assert r.figures["categories"][
        "a reservation at the limit, which is below the request overlays/dev.yaml gives"] == 16
    proxy = docs[("App", "frontend-proxy")]
    assert proxy["ports"]["http"] == {"port": 8080, "host_port": 8080}   # frontend's bare 8080 must not take it
    # the collector scrapes the proxy, which (through frontend) sends it traces: that call stays in env
    assert "frontend-proxy" not in docs[("App", "otel-collector")].get("connect_to", [])
    assert docs[("NetworkPolicy", "frontend-proxy-from-otel-collector")]["allow_from"] == [{"app": "otel-collector"}]
    assert "service otel-collector: connect_to frontend-proxy: not inferred, though FRONTEND_PROXY_ADDR holds its " \
           "address: frontend-proxy reaches otel-collector already" in text
    assert ("NetworkPolicy", "otel-within-namespace") in docs   # every service is on the default network


def test_the_otel_demo_builds_in_all_four_formats_and_the_proxy_keeps_port_8080(tmp_path):
    from test_import_legacy import build_and_validate

    res = CliRunner().invoke(main, ["import", "compose", str(OTEL), "-o", str(tmp_path / "p"), "--name", "otel"])
    assert res.exit_code == 0, res.output
    p = tmp_path / "p" / "skyspec.yaml"
    text = p.read_text().replace("environments:\n  dev: {overlays: [overlays/dev.yaml]}",
                                 "environments:\n  default: {profile: dev, overlays: [overlays/dev.yaml]}")
    assert "default:" in text
    p.write_text(text)
    k8s = build_and_validate(tmp_path / "p", tmp_path)
    assert len([o for o in k8s if o["kind"] in ("Deployment", "StatefulSet")]) == 20   # one per service
    built = yaml.safe_load((tmp_path / "built" / "default" / "compose.yaml").read_text())["services"]
    assert [x.get("published") for x in built["frontend-proxy"]["ports"] if x["target"] == 8080] == ["8080"]
    assert all(x.get("published") != "8080" for x in built["frontend"].get("ports") or [])


def test_a_dollar_compose_escapes_reaches_the_shell_once(tmp_path):
    """`$$(cat ...)` is Compose's escape of `$(cat ...)`: the probe reads the password file.
    Kept as `$$` it was the shell's process id in the Kubernetes probe (awesome-compose's
    nginx-aspnet-mysql, nginx-golang-mysql and nginx-flask-mysql: the database never ready)."""
    (tmp_path / "compose.yaml").write_text("""\
services:
  db:
    image: mariadb:10.6.4-focal
    healthcheck:
      test: ['CMD-SHELL', 'mysqladmin ping -h 127.0.0.1 --password="$$(cat /run/secrets/db-password)" --silent']
    expose: [3306]
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == []
    doc = next(d for d in specs(r.files).values() if d["name"] == "db")
    assert doc["health"]["exec"][-1] == \
        'mysqladmin ping -h 127.0.0.1 --password="$(cat /run/secrets/db-password)" --silent'
