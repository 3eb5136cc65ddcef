"""Compose files routed by a reverse proxy that reads the other containers through the Docker
engine (Traefik's labels, nginx-proxy's VIRTUAL_HOST) import as `expose` with the route's host,
path prefix and TLS: an Ingress on Kubernetes, where no pod can ask an engine for labels.

Found by a sweep of public Compose files (n8n's subfolderWithSSL example, rocket.chat's file,
plausible's traefik example, appwrite, Traefik's whoami quickstart): the routed services were
imported with no `expose` and often no port (the proxy reaches any port of a container, a
Service only those it declares), so on Kubernetes nothing reached them; the rule, which is no
label value, was dropped with a warning, while `traefik.enable: "true"` and the cert resolver's
name were carried as pod labels.
"""

from __future__ import annotations

import yaml

from skyspec.importer.compose_proxy import rule_parts
from conftest import deadline
from test_import_compose_networks import _imported

TRAEFIK = """\
services:
  proxy:
    image: traefik:v3.1
    command: ["--providers.docker=true", "--entrypoints.web.address=:80",
              "--entrypoints.websecure.address=:443",
              "--entrypoints.websecure.http.tls.certresolver=le"]
    ports: ["80:80", "443:443"]
    volumes: ["/var/run/docker.sock:/var/run/docker.sock:ro"]
  shop:
    image: ghcr.io/acme/shop:1.2.0
    labels:
      - "traefik.enable=true"
      - "traefik.http.routers.shop.rule=Host(`shop.example.com`) && PathPrefix(`/store`)"
      - "traefik.http.routers.shop.entrypoints=websecure"
      - "traefik.http.services.shop.loadbalancer.server.port=8080"
      - "tier=web"
"""


def _spec(files: dict, name: str) -> dict:
    return yaml.safe_load(next(v for k, v in files.items() if k.endswith(f".{name}.yaml") or k == f"apps/{name}.yaml"))


def _ingress(k8s: list[dict], name: str) -> dict:
    return next(o for o in k8s if o["kind"] == "Ingress" and o["metadata"]["name"] == name)


def test_a_traefik_route_is_an_ingress_of_its_host_path_and_port(tmp_path):
    """The router's host and path prefix are the Ingress's; HTTPS on an entry point the proxy's
    command gives TLS is `tls: true`; the port the labels name is declared (the service
    declared none) and is the Ingress backend's."""
    files, diags, k8s = _imported(tmp_path, TRAEFIK)
    shop = _spec(files, "shop")
    assert shop["port"] == 8080
    assert shop["expose"] == {"host": "shop.example.com", "path": "/store", "tls": True}
    assert shop["labels"] == {"tier": "web"}   # (no `traefik.*` label on the pods)
    ing = _ingress(k8s, "shop")
    assert ing["spec"]["rules"] == [{"host": "shop.example.com", "http": {"paths": [
        {"path": "/store", "pathType": "Prefix",
         "backend": {"service": {"name": "shop", "port": {"name": "http"}}}}]}}]
    assert ing["spec"]["tls"] == [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}]
    said = {(d.severity, d.message) for d in diags.items if "Traefik" in d.message}
    assert ("note", "service shop: Traefik routes Host(`shop.example.com`) && PathPrefix(`/store`) to port 8080: "
                    "`expose: {host: shop.example.com, path: /store, tls: true}`, an Ingress, which the cluster's "
                    "ingress controller serves") in said
    assert ("warning", "service proxy: Traefik routes shop by what they tell the Docker engine, which a pod cannot "
                       "ask: their routes are Ingresses (`expose`), which the cluster's ingress controller serves, "
                       "and this service routes nothing there") in said
    assert not any("not a Kubernetes label" in d.message for d in diags.items)


def test_the_proxy_keeps_its_published_port_in_the_built_compose_file(tmp_path):
    """The routed port is published in the built Compose file (an exposed workload's is): the
    proxy's `80:80` claims 80 first, as it did in the input."""
    TWO = TRAEFIK.replace("server.port=8080", "server.port=80")
    files, _, _ = _imported(tmp_path, TWO)
    assert _spec(files, "proxy")["ports"]["http"] == {"port": 80, "host_port": 80}
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())["services"]
    assert [(p["target"], p["published"]) for p in built["proxy"]["ports"]] == [(80, "80"), (443, "443")]
    assert [p["target"] for p in built["shop"]["ports"]] == [80] and built["shop"]["ports"][0].get("published") != "80"


def test_an_http_and_an_https_router_of_one_rule_are_one_route_with_tls(tmp_path):
    """Two routers of one rule (plain HTTP beside HTTPS, as appwrite writes them) are one
    Ingress rule with TLS; a middleware (a prefix stripped) is a warning naming it."""
    text = """\
services:
  app:
    image: ghcr.io/acme/app:2.0.0
    expose: ["3000"]
    labels:
      traefik.http.routers.app-http.rule: Host(`app.example.org`)
      traefik.http.routers.app-http.entrypoints: web
      traefik.http.routers.app-https.rule: Host(`app.example.org`)
      traefik.http.routers.app-https.tls.certresolver: le
      traefik.http.routers.app-https.middlewares: strip
      traefik.http.middlewares.strip.stripprefix.prefixes: /app
"""
    files, diags, k8s = _imported(tmp_path, text)
    assert _spec(files, "app")["expose"] == {"host": "app.example.org", "tls": True}
    assert _ingress(k8s, "app")["spec"]["rules"][0]["host"] == "app.example.org"
    assert [d.message for d in diags.items if d.severity == "warning" and "middleware" in d.message] == [
        "service app: Traefik's middleware strip (stripprefix): not carried over, `expose` making one Ingress "
        "rule of one host and path prefix"]


def test_a_rule_one_ingress_rule_cannot_say_is_a_service_and_a_warning(tmp_path):
    """A negation or a header matcher is no Ingress rule: the service is exposed as a Service
    and the rule is named; a rule of no host (an unset `${DOMAIN}`) says so."""
    text = """\
services:
  console:
    image: ghcr.io/acme/console:1.0.0
    expose: ["3000"]
    labels:
      - traefik.http.routers.c.rule=Host(`a.example.com`) && !PathPrefix(`/v1`)
  chat:
    image: ghcr.io/acme/chat:1.0.0
    expose: ["3000"]
    labels:
      - traefik.http.routers.chat.rule=Host(`${DOMAIN:-}`)
"""
    files, diags, _ = _imported(tmp_path, text)
    assert _spec(files, "console")["expose"] is True and _spec(files, "chat")["expose"] is True
    warned = [d.message for d in diags.items if d.severity == "warning" and "Traefik" in d.message]
    assert "service console: Traefik's rule Host(`a.example.com`) && !PathPrefix(`/v1`): not carried over, " \
           "`expose` being a Service of port 3000 only" in warned
    assert "service chat: Traefik routes Host(``) to port 3000 (its host a variable left empty): `expose: true`, " \
           "a Service only, the Ingress of `expose` needing a host" in warned


def test_nginx_proxy_virtual_host_and_letsencrypt_host(tmp_path):
    """nginx-proxy's VIRTUAL_HOST, VIRTUAL_PORT and LETSENCRYPT_HOST are the route; its own
    container is said to route nothing on Kubernetes, its companion's certificates to be a
    certificate manager's."""
    text = """\
services:
  proxy:
    image: nginxproxy/nginx-proxy:1.6
    ports: ["80:80"]
  acme:
    image: nginxproxy/acme-companion:2.4
  blog:
    image: ghcr.io/acme/blog:3.1.0
    environment:
      VIRTUAL_HOST: blog.example.net
      VIRTUAL_PORT: "2368"
      LETSENCRYPT_HOST: blog.example.net
"""
    files, diags, k8s = _imported(tmp_path, text)
    assert _spec(files, "blog")["port"] == 2368
    assert _spec(files, "blog")["expose"] == {"host": "blog.example.net", "tls": True}
    assert _ingress(k8s, "blog")["spec"]["tls"][0]["secretName"] == "blog-tls"
    assert any(d.message.startswith("service proxy: nginx-proxy routes blog by what they tell the Docker engine")
               for d in diags.items)
    assert any(d.message.startswith("service acme: makes the certificates of blog") for d in diags.items)


def test_traefik_rules_read_as_one_ingress_rule_or_none():
    assert rule_parts("Host(`a.example.com`)") == (["a.example.com"], None)
    assert rule_parts("Host(`a`) || Host(`b`)") == (["a", "b"], None)
    assert rule_parts("(Host(`a`)) && PathPrefix(`/x`)") == (["a"], "/x")
    assert rule_parts("PathPrefix(`/api`)") == ([], "/api")
    assert rule_parts("Host(`a`) && !PathPrefix(`/v1`)") is None
    assert rule_parts("HostRegexp(`{sub:[a-z]+}.example.com`)") is None
    assert rule_parts("PathPrefix(`/a`) || PathPrefix(`/b`)") is None
    assert rule_parts("Host(`a`) && Header(`X`, `y`)") is None
    assert rule_parts("") is None


def test_what_no_ingress_rule_can_hold_is_left_out_and_said(tmp_path):
    """A host with a port, a port label out of range and Traefik 1's rule: the import neither
    writes a spec the schema refuses nor drops them without a word."""
    files, diags, k8s = _imported(tmp_path, """\
services:
  old:
    image: ghcr.io/acme/old:1.0.0
    labels:
      traefik.frontend.rule: Host:Old.Example.com;PathPrefix:/v1
      traefik.port: "9000"
  odd:
    image: ghcr.io/acme/odd:1.0.0
    expose: ["8080"]
    labels:
      traefik.http.routers.odd.rule: Host(`odd.example.com:8443`)
      traefik.http.services.odd.loadbalancer.server.port: "99999"
""")
    assert _spec(files, "old")["port"] == 9000
    assert _spec(files, "old")["expose"] == {"host": "old.example.com", "path": "/v1"}
    assert _ingress(k8s, "old")["spec"]["rules"][0]["host"] == "old.example.com"
    assert _spec(files, "odd")["expose"] is True and _spec(files, "odd")["port"] == 8080
    assert "service odd: Traefik's traefik.http.services.odd.loadbalancer.server.port, rule " \
           "Host(`odd.example.com:8443`) (host odd.example.com:8443: no DNS name an Ingress routes): not carried " \
           "over, `expose` being a Service of port 8080 only" in \
           [d.message for d in diags.items if d.severity == "warning"]


def test_a_file_of_many_routed_services_is_read_in_linear_time(tmp_path):
    """The routes are read once per file: each service's ports read every other service's routes
    (and those the Traefik TLS entry points of the whole file), so a pull request's Compose file
    of 400 routed services held a CI job for over a minute."""
    from skyspec.importer import import_compose

    lines = ["services:", "  proxy:", "    image: traefik:v3.1",
             "    command: ['--entrypoints.websecure.http.tls=true']"]
    for i in range(400):
        lines += [f"  s{i}:", f"    image: ghcr.io/acme/s{i}:1.0.0", "    labels:",
                  f"      - traefik.http.routers.r{i}.rule=Host(`s{i}.example.com`)",
                  f"      - traefik.http.routers.r{i}.entrypoints=websecure",
                  f"      - traefik.http.services.s{i}.loadbalancer.server.port=80"]
    (tmp_path / "compose.yaml").write_text("\n".join(lines) + "\n")
    with deadline(20, "routes read per pair of services"):
        r = import_compose(tmp_path / "compose.yaml", "p")
    assert r is not None and r.unexplained == []
    assert yaml.safe_load(r.files["apps/s399.yaml"])["expose"] == {"host": "s399.example.com", "tls": True}
