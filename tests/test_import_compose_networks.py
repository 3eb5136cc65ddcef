"""Compose networks on import, read against what Kubernetes admits. In Compose the services on
one network reach each other by name on any port, also where no address in an environment
shows the call; skyspec's default deny admits what `connect_to` and the import's policies say.

Found by a sweep of public Compose files: frappe_docker's pwd.yml puts every service on
`frappe_network` and its create-site reaches the database and Redis through a script, which
no policy admitted (ERPNext never started); a file's services on several networks got no
policy at all. Static addresses (`ipv4_address`) were dropped without a word while Pi-hole's
environment still named its upstream by one.
"""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from conftest import deadline
from skyspec.cli import main
from skyspec.diagnostics import Diagnostics
from skyspec.importer import import_compose
from test_import_legacy import build_and_validate


def _imported(tmp_path, text: str, files: dict | None = None) -> tuple[dict, Diagnostics, list[dict]]:
    """({spec file: text}, diagnostics, Kubernetes objects) of the Compose file ``text`` (with
    ``files`` beside it) imported as project `p`, built in four formats and validated."""
    for rel, body in {"compose.yaml": text, **(files or {})}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(body)
    diags = Diagnostics()
    r = import_compose(tmp_path / "compose.yaml", "p", diags)
    assert r is not None and r.unexplained == [], r.unexplained if r else [d.message for d in diags.errors]
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "compose.yaml"), "-o", str(tmp_path / "p"),
                                    "--name", "p"])
    assert res.exit_code == 0, res.output
    assert {str(f.relative_to(tmp_path / "p")): f.read_text() for f in (tmp_path / "p").rglob("*.yaml")
            if "apps" in f.parts} == {k: v for k, v in r.files.items() if k.startswith("apps/")}
    return r.files, diags, build_and_validate(tmp_path / "p", tmp_path, "dev")


def _admits(k8s: list[dict], src: str, dst: str, port: int) -> bool:
    """Whether the built policies admit a connection from workload ``src``'s pods to ``dst``'s
    on ``port``, as Kubernetes computes it (the system check's reading)."""
    from skyspec.syscheck import System, admitted, pods

    sys_ = System(k8s)
    by_name = {p.obj["metadata"]["name"]: p for p in pods(sys_)}
    policies = [o for o in k8s if o["kind"] == "NetworkPolicy"]
    return admitted(sys_, policies, {}, by_name[src], by_name[dst], (port, "TCP", None))[0]


ONE_NAMED = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: example
    networks: [appnet]
  web:
    image: python:3.12-slim
    # calls db:5432 in its command only, as frappe's create-site does
    command: ["python", "-c", "import socket,time; socket.create_connection(('db', 5432), 5); time.sleep(1e9)"]
    ports: ["8000:8000"]
    networks: [appnet]
networks:
  appnet:
"""


def test_services_sharing_one_named_network_keep_reaching_each_other(tmp_path):
    """One network every service is on is Compose's default network under another name: the
    namespace's pods are admitted to each other (`p-within-namespace`), and web reaches db,
    which only its command names."""
    files, diags, k8s = _imported(tmp_path, ONE_NAMED)
    assert [(d.pos.line, d.message) for d in diags.sorted() if d.code == "SKY072"] == [
        (2, "NetworkPolicy p-within-namespace admits every pod of namespace p to every other: every service of the "
            "Compose file is on its network appnet, so its pods reached each other, also where no env value shows "
            "the call")]
    assert yaml.safe_load(files["apps/networkpolicy.p-within-namespace.yaml"])["allow_from"] == [{"namespace": "p"}]
    assert _admits(k8s, "web", "db", 5432)
    assert not any("network.imported.skyspec.dev" in t for t in files.values())   # (no labels needed)


SEVERAL = """\
services:
  proxy:
    image: nginx:1.27.0
    ports: ["8080:80"]
    networks: [front, traefik_public]
  api:
    image: python:3.12-slim
    command: ["python", "-m", "http.server", "8000"]
    expose: ["8000"]
    networks: [front, back]
  db:
    image: postgres:16
    environment: {POSTGRES_PASSWORD: example}
    networks:
      back:
  helper:
    image: alpine:3.20
    command: ["sleep", "infinity"]
    network_mode: service:api
  agent:
    image: alpine:3.20
    command: ["sleep", "infinity"]
networks:
  front: {}
  back: {}
  traefik_public: {external: true}
"""


def test_services_on_several_networks_reach_exactly_those_they_share_one_with(tmp_path):
    """Each network is a NetworkPolicy selecting its members' pods (by a label the import gives
    them) and admitting the same pods: the proxy reaches the api (front), the api the database
    (back), the proxy not the database; a service on no `networks:` is on `default`; one that
    shares another's network namespace (`network_mode: service:api`) is on its networks."""
    files, diags, k8s = _imported(tmp_path, SEVERAL)
    notes = {d.message.split(" ")[1]: (d.pos.line, d.message) for d in diags.sorted() if d.code == "SKY072"}
    assert sorted(notes) == ["p-network-back", "p-network-default", "p-network-front", "p-network-traefik-public"]
    assert notes["p-network-back"] == (25, "NetworkPolicy p-network-back admits the pods of api, db, helper to each "
                                           "other: they share the Compose network back, on which they reached each "
                                           "other, also where no env value shows the call")
    assert notes["p-network-default"][0] == 20   # (at the service: no `networks:` declares it)
    assert "network traefik_public is external" in notes["p-network-traefik-public"][1]
    assert yaml.safe_load(files["apps/networkpolicy.p-network-back.yaml"]) == {
        "kind": "NetworkPolicy", "name": "p-network-back",
        "select": {"labels": {"network.imported.skyspec.dev/back": "true"}},
        "allow_from": [{"labels": {"network.imported.skyspec.dev/back": "true"}}]}
    assert not any("within-namespace" in f for f in files)
    labels = {o["metadata"]["name"]: o["spec"]["template"]["metadata"]["labels"] for o in k8s
              if o["kind"] in ("Deployment", "StatefulSet")}
    assert {k for k in labels["api"] if k.startswith("network.")} == {
        "network.imported.skyspec.dev/front", "network.imported.skyspec.dev/back"}
    assert {k for k in labels["proxy"] if k.startswith("network.")} == {
        "network.imported.skyspec.dev/front", "network.imported.skyspec.dev/traefik_public"}
    assert _admits(k8s, "proxy", "api", 8000) and _admits(k8s, "api", "db", 5432)
    assert _admits(k8s, "helper", "db", 5432) and _admits(k8s, "db", "db", 5432)
    assert not _admits(k8s, "proxy", "db", 5432) and not _admits(k8s, "agent", "db", 5432)
    assert not _admits(k8s, "agent", "api", 8000)
    assert any(d.code == "SKY066" and d.pos.line == 19 and "admitted on the networks of api (front, back)" in d.message
               for d in diags.items)
    again = import_compose(tmp_path / "compose.yaml", "p", Diagnostics())
    assert again is not None and again.files == files   # (the same names and labels at every import)


def test_network_names_no_label_or_object_can_have_are_made_valid_and_kept_apart(tmp_path):
    """A network's name is the label's name and the policy's, where they can be: `_internal`
    starts with what neither may, `a_b` and `a-b` would be one DNS name."""
    text = """\
services:
  one: {image: "alpine:3.20", command: [sleep, infinity], networks: [_internal, a_b]}
  two: {image: "alpine:3.20", command: [sleep, infinity], networks: [_internal, a-b]}
  three: {image: "alpine:3.20", command: [sleep, infinity], networks: [a_b, a-b]}
networks: {_internal: {}, a_b: {}, a-b: {}}
"""
    files, _, k8s = _imported(tmp_path, text)
    names = sorted(o["metadata"]["name"] for o in k8s if o["kind"] == "NetworkPolicy" and "-network-" in
                   o["metadata"]["name"])
    assert len(set(names)) == 3 and names[2] == "p-network-internal"
    assert [n[:-8] for n in names[:2]] == ["p-network-a-b-"] * 2   # (told apart by a hash of the name)
    keys = {k for o in k8s if o["kind"] == "NetworkPolicy" for k in o["spec"]["podSelector"].get("matchLabels", {})
            if k.startswith("network.")}
    assert sorted(keys)[:2] == ["network.imported.skyspec.dev/a-b", "network.imported.skyspec.dev/a_b"]
    assert len(keys) == 3 and sorted(keys)[2].startswith("network.imported.skyspec.dev/internal-")
    assert _admits(k8s, "one", "two", 80) and _admits(k8s, "one", "three", 80) and _admits(k8s, "two", "three", 80)


STATIC = """\
services:
  upstream:
    image: visibilityspots/cloudflared:2024.9.1
    environment:
      PORT: "5054"
      ADDRESS: 0.0.0.0
    networks:
      dns-net:
        ipv4_address: 172.20.0.2
        ipv6_address: fd00:20::2
  pihole:
    image: pihole/pihole:2024.07.0
    environment:
      PIHOLE_DNS_: "172.20.0.2#5054"
      NEIGHBOUR: 172.20.0.21
    ports: ["8080:80/tcp"]
    depends_on: [upstream]
    networks: [dns-net]
networks:
  dns-net:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 172.20.0.0/24
"""


def test_a_static_address_is_warned_about_where_another_service_holds_it(tmp_path):
    """Kubernetes gives a pod a new address at each start: `ipv4_address` is not kept, and
    pihole's PIHOLE_DNS_ (an address only: Pi-hole takes no name there) keeps its value, now
    reaching nothing: a warning at the address names it, in the spec's comment too."""
    files, diags, k8s = _imported(tmp_path, STATIC)
    fixed = [(d.severity, d.pos.line, d.pos.col, d.message) for d in diags.sorted() if "is not kept" in d.message]
    assert fixed == [
        ("warning", 9, 23, "service upstream: networks.dns-net.ipv4_address 172.20.0.2 is not kept: Kubernetes gives "
                           "a pod a new address at each start, and pihole's PIHOLE_DNS_ holds it, which then reaches "
                           "nothing"),
        ("warning", 10, 23, "service upstream: networks.dns-net.ipv6_address fd00:20::2 is not kept: Kubernetes gives "
                            "a pod a new address at each start")]
    assert all(d.code == "SKY066" for d in diags.items if "is not kept" in d.message)
    assert "call upstream by its Service's name (upstream)" in next(d.hint for d in diags.items
                                                                 if "ipv4_address" in d.message)
    assert "# networks.dns-net.ipv4_address 172.20.0.2 is not kept" in files["apps/upstream.yaml"]
    pihole = next(o for o in k8s if o["kind"] == "Deployment" and o["metadata"]["name"] == "pihole")
    env = {e["name"]: e.get("value") for e in pihole["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["PIHOLE_DNS_"] == "172.20.0.2#5054"   # (as written: the warning says it reaches nothing)
    assert _admits(k8s, "pihole", "upstream", 5054)   # (one network: the namespace's pods reach each other)


def test_a_network_named_by_a_variable_is_the_network_it_names(tmp_path):
    """SonarQube's services list `${NETWORK_TYPE:-ipv4}`: a list's items are values, which
    Compose interpolates; the notes and the policies name `ipv4`, not the expression."""
    from click.testing import CliRunner

    from skyspec.cli import main

    (tmp_path / "compose.yaml").write_text("""\
services:
  a: {image: "acme/a:1", expose: ["80"], networks: ["${NET:-ipv4}"]}
  b: {image: "acme/b:1", networks: ["${NET:-ipv4}"], environment: {A: "http://a:80"}}
  c: {image: "acme/c:1", expose: ["80"]}
networks: {ipv4: {}}
""")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "compose.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert "networks ${NET" not in res.output and "service a: networks ipv4: Kubernetes has one pod network" in res.output
    assert (tmp_path / "p" / "apps" / "networkpolicy.p-network-ipv4.yaml").exists()


def test_a_service_called_by_its_name_on_a_named_network_is_called_by_its_service(tmp_path):
    """Mautic's `.env` has `MYSQL_HOST=db.${COMPOSE_NETWORK}`, the `name:` of the network its
    services are on, which Docker's DNS resolves to db; on Kubernetes `db.basic-docker` is a
    Service db of a namespace basic-docker. The address is the Service's, and the cron that
    only its environment says calls db is admitted to it (connect_to), without a warning of a
    name no environment holds."""
    from test_import_env_files import _env

    files, diags, k8s = _imported(tmp_path, """\
services:
  db:
    image: ghcr.io/acme/db:1.0
    expose: ["3306"]
  web:
    image: ghcr.io/acme/web:1.0
    ports: ["8080:80"]
    environment: {DB_HOST: "db.${NET}", DB_PORT: "3306", DSN: "mysql://u@db.${NET}:3306/x"}
  cron:
    image: ghcr.io/acme/web:1.0
    environment: {DB_HOST: "db.${NET}", DB_PORT: "3306", NAME: "db.${NET}"}
networks:
  default:
    name: ${NET}
""", {".env": "NET=basic-docker\n"})
    for s in ("web", "cron"):
        doc = yaml.safe_load(files[f"apps/{s}.yaml"])
        assert doc["env"]["DB_HOST"] == "db" and doc["connect_to"] == ["db"]
        assert _env(k8s, s)["DB_HOST"] == "db" and _admits(k8s, s, "db", 3306)
    assert _env(k8s, "web")["DSN"] == "mysql://u@db:3306/x"
    assert _env(k8s, "cron")["NAME"] == "db.basic-docker"   # (no host's variable: a value as any other)
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())["services"]
    assert built["cron"]["environment"]["DB_HOST"] == "db"
    assert not [d.message for d in diags.sorted() if "does not resolve" in d.message]


def test_a_container_name_is_not_warned_about_where_the_caller_holds_the_service_s_address(tmp_path):
    """Listmonk's db has `container_name: listmonk_db` and its app the address in
    `LISTMONK_db__host: db` (with `LISTMONK_db__port`): the app reaches db by its Service's name,
    so no warning says it reaches listmonk_db by an address no environment value holds."""
    files, diags, k8s = _imported(tmp_path, """\
services:
  app:
    image: ghcr.io/acme/app:1.0
    depends_on: [db]
    environment: {LISTMONK_db__host: db, LISTMONK_db__port: "5432"}
  other:
    image: ghcr.io/acme/app:1.0
    depends_on: [db]
  db:
    image: ghcr.io/acme/db:1.0
    container_name: listmonk_db
    expose: ["5432"]
""")
    warned = [d.message for d in diags.sorted() if "listmonk_db does not resolve" in d.message]
    assert len(warned) == 1 and "while other reaches it" in warned[0]
    assert yaml.safe_load(files["apps/app.yaml"])["connect_to"] == ["db"] and _admits(k8s, "app", "db", 5432)


def test_a_file_of_many_services_on_a_named_network_is_read_in_linear_time(tmp_path):
    """Each service's names on a named network were found by reading every service's networks
    again, and each address matched against every rename times every service: a pull
    request's Compose file of 1,000 services on one named network held the import for over
    ten minutes. The file's networks and renames are read once."""
    lines = ["services:"]
    for i in range(600):
        lines += [f"  s{i}:", f"    image: ghcr.io/acme/s{i}:1.0.0", "    networks: [net]",
                  f"    environment: {{PEER_HOST: s{(i + 1) % 600}.mynet}}"]
    (tmp_path / "compose.yaml").write_text("\n".join(lines + ["networks:", "  net: {name: mynet}"]) + "\n")
    with deadline(25, "names read per pair of services"):
        r = import_compose(tmp_path / "compose.yaml", "p")
    assert r is not None and r.unexplained == []
    assert yaml.safe_load(r.files["apps/s7.yaml"])["env"]["PEER_HOST"] == "s8"   # (the Service's name, as before)
