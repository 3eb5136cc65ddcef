"""What an imported project admits on the network, read against what the input let through.
An input without NetworkPolicies (or a Compose file whose services share its default network)
let every pod reach every other; skyspec's default deny admits only what `connect_to` says,
and the importer infers that from env values alone, while most systems find their peers by
names in the images' code or config files (the voting app's `redis`, Sock Shop's `catalogue`,
Grafana's datasource file). So the import admits the namespace's own traffic (SKY072), and
only there: an input with policies of its own says who reaches whom, and so do Compose networks
(a policy a network: tests/test_import_compose_networks.py)."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.diagnostics import Diagnostics
from skyspec.importer import import_kubernetes

DATA = Path(__file__).parent / "data"


def located(diags: Diagnostics, code: str = "SKY072") -> list[tuple[str, int, int]]:
    return [(d.severity, d.pos.line, d.pos.col) for d in diags.sorted() if d.code == code]


def test_the_voting_app_keeps_reaching_redis_and_postgres_and_kinds_with_a_policy_get_none():
    """vote, worker and result find redis and db by names in their code: no env value, no
    connect_to. Without the policy the imported system would not run."""
    diags = Diagnostics()
    r = import_kubernetes([DATA / "voting-app" / "k8s-specifications"], "voting", diags)
    assert r is not None and not diags.has_errors
    assert [d.message for d in diags.sorted() if d.code == "SKY072"] == [
        "NetworkPolicy voting-within-namespace admits every pod of namespace default to the project's pods (the "
        "cluster's own there stay as they are): the input has no NetworkPolicy, so its pods reached each other, also "
        "where no env value shows the call"]
    docs = [yaml.safe_load(t) for t in r.files.values()]
    assert not any(d.get("connect_to") for d in docs if d and d.get("kind") == "App")
    text = r.files["apps/networkpolicy.voting-within-namespace.yaml"]
    assert text.startswith("# the input has no NetworkPolicy: its pods reach each other freely")
    diags = Diagnostics()
    r = import_kubernetes([DATA / "import" / "kinds.yaml"], "kinds", diags)   # holds a NetworkPolicy
    assert located(diags) == [] and not any("within-namespace" in f for f in r.files)


def test_compose_services_on_the_default_network_keep_reaching_each_other(tmp_path):
    """awesome-compose's prometheus-grafana: Grafana queries Prometheus through a datasource
    file, which no env value or depends_on shows; Compose's default network let it through,
    and so does the Kubernetes output (SKY072). A Compose file that puts its services on
    networks of its own gets a policy a network instead, admitting the services it holds."""
    from validators import assert_valid_k8s, load_docs

    from skyspec.importer import import_compose

    src = DATA / "awesome-compose" / "prometheus-grafana" / "compose.yaml"
    diags = Diagnostics()
    r = import_compose(src, "monitoring", diags)
    assert r is not None and not diags.has_errors
    assert located(diags, "SKY072") == [("note", 2, 3)]
    doc = yaml.safe_load(r.files["apps/networkpolicy.monitoring-within-namespace.yaml"])
    assert doc["allow_from"] == [{"namespace": "monitoring"}]
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "p"), "--name", "monitoring"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    assert any(o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "monitoring-within-namespace" for o in k8s)
    networked = DATA / "awesome-compose" / "react-express-mongodb" / "compose.yaml"   # frontend and backend apart
    diags = Diagnostics()
    r = import_compose(networked, "rem", diags)
    assert r is not None and located(diags, "SKY072") == [("note", 43, 3), ("note", 44, 3)]
    assert not any("within-namespace" in f for f in r.files)
    assert sorted(f for f in r.files if "networkpolicy" in f) == [
        "apps/networkpolicy.rem-network-express-mongo.yaml", "apps/networkpolicy.rem-network-react-express.yaml"]


def test_a_server_image_others_depend_on_gets_its_port_and_a_service(tmp_path):
    """A Compose file (immich's, in this shape) whose server depends on `database` (a
    non-library postgres image) and `redis` (valkey) that declare no port: the server finds
    them by names in its code's defaults, on any port, as Compose allows. Kubernetes reaches
    a Service's ports only, and no Service was made: the output did not run. Their image's
    kind gives the port (5432, 6379), said in a note; connect_to keeps the start order. An
    image of no known kind still gets the warning."""
    from validators import assert_valid_k8s, load_docs

    from skyspec.importer import import_compose

    (tmp_path / "docker-compose.yml").write_text("""\
services:
  server:
    image: ghcr.io/acme/server:1.4.0
    ports: ['2283:2283']
    depends_on: [redis, database, worker]
  redis:
    image: docker.io/valkey/valkey:9
  database:
    image: ghcr.io/acme/postgres:14-vectors
    environment: {POSTGRES_DB: app}
  worker:
    image: ghcr.io/acme/worker:1.4.0
""")
    diags = Diagnostics()
    r = import_compose(tmp_path / "docker-compose.yml", "photos", diags)
    assert r is not None and not diags.has_errors and r.unexplained == [], [str(d) for d in diags.sorted()][:3]
    specs = {d["name"]: d for t in r.files.values() for d in yaml.safe_load_all(t) if isinstance(d, dict) and "name" in d}
    assert specs["database"].get("port", specs["database"].get("ports")) in (5432, {"postgres": 5432})
    assert specs["redis"].get("port", specs["redis"].get("ports")) in (6379, {"redis": 6379})
    assert specs["server"]["connect_to"] == ["database", "redis"]
    notes = [d.message for d in diags.items if "its image is one that listens on" in d.message]
    assert len(notes) == 2
    # at the item naming it (all three were reported at the list's first line), saying what it costs
    (w,) = [d for d in diags.items if d.severity == "warning" and
            "depends_on worker: worker declares no port" in d.message]
    assert "nothing reaches it by name" in w.message and (w.pos.line, w.pos.col) == (5, 35)
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "p"), "--name", "photos"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    services = {o["metadata"]["name"]: o for o in k8s if o["kind"] == "Service"}
    assert [p["port"] for p in services["database"]["spec"]["ports"]] == [5432]
    assert [p["port"] for p in services["redis"]["spec"]["ports"]] == [6379]


def test_a_service_others_depend_on_gets_the_port_its_own_healthcheck_calls(tmp_path):
    """Instana's robot-shop: `web` (nginx) depends on catalogue, ratings and the like, custom
    images that declare no port, and proxies to them by name on 8080 and 80. No Service was
    made, so on Kubernetes nothing reached them. Each one's own healthcheck says where it
    listens (`curl -f http://localhost:8080/health`, `http://localhost/_health`): that port,
    said in a note, and a connection from web. A service with no such healthcheck is still
    warned about."""
    from validators import assert_valid_k8s, load_docs

    (tmp_path / "docker-compose.yaml").write_text("""\
services:
  web:
    image: robotshop/rs-web:2.1.0
    ports: ['8080:8080']
    depends_on: [catalogue, ratings, dispatch]
  catalogue:
    image: robotshop/rs-catalogue:2.1.0
    healthcheck:
      test: [CMD, curl, -H, "X-INSTANA-SYNTHETIC: 1", -f, "http://localhost:${CAT_PORT:-8080}/health"]
  ratings:
    image: robotshop/rs-ratings:2.1.0
    healthcheck: {test: "curl -f http://localhost/_health || exit 1"}
  dispatch:
    image: robotshop/rs-dispatch:2.1.0
    healthcheck: {test: [CMD, pgrep, dispatch]}
""")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yaml"), "-o",
                                    str(tmp_path / "p"), "--name", "shop"])
    assert res.exit_code == 0, res.output
    specs = {p.stem: yaml.safe_load(p.read_text()) for p in (tmp_path / "p" / "apps").glob("*.yaml")}
    assert specs["catalogue"]["port"] == 8080 and specs["ratings"]["port"] == 80
    assert "ports" not in specs["dispatch"] and "port" not in specs["dispatch"]
    assert specs["web"]["connect_to"] == ["catalogue", "ratings"]
    assert "service catalogue: port 8080: web depends on it, and its own healthcheck calls localhost:8080" in res.output
    assert "depends_on dispatch: dispatch declares no port" in res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    services = {o["metadata"]["name"]: o for o in k8s if o["kind"] == "Service"}
    assert [p["port"] for p in services["catalogue"]["spec"]["ports"]] == [8080]
    assert [p["port"] for p in services["ratings"]["spec"]["ports"]] == [80]


def test_a_service_named_as_a_server_others_depend_on_gets_its_port(tmp_path):
    """Instana's robot-shop runs its own `robotshop/rs-mongodb` and `rs-mysql-db` images as the
    services `mongodb` and `mysql`, which declare no port; `catalogue` and `ratings` depend on
    them. The image's kind is unknown, so no Service was made and the output did not run: the
    service's name, when it is a known server's, gives the port (said so in the note)."""
    from skyspec.importer import import_compose

    (tmp_path / "docker-compose.yaml").write_text("""\
services:
  mongodb:
    image: robotshop/rs-mongodb:2.1.0
  mysql:
    image: robotshop/rs-mysql-db:2.1.0
  catalogue:
    image: robotshop/rs-catalogue:2.1.0
    depends_on: [mongodb, mysql, cart]
  cart:
    image: robotshop/rs-cart:2.1.0
""")
    diags = Diagnostics()
    r = import_compose(tmp_path / "docker-compose.yaml", "shop", diags)
    assert r is not None and not diags.has_errors and r.unexplained == [], [str(d) for d in diags.sorted()][:3]
    specs = {d["name"]: d for t in r.files.values() for d in yaml.safe_load_all(t) if isinstance(d, dict) and "name" in d}
    assert specs["mongodb"]["ports"] == {"mongo": 27017} and specs["mysql"]["ports"] == {"mysql": 3306}
    assert specs["catalogue"]["connect_to"] == ["mongodb", "mysql"]
    # (`rs-mongodb` says its kind by its last word; `rs-mysql-db` does not, and the service's name does)
    assert [d.message for d in diags.items if "27017" in d.message or "3306" in d.message] == [
        "service mongodb: port 27017: catalogue depends on it, and its image is one that listens on 27017 "
        "(Compose reaches any port, Kubernetes the Service's)",
        "service mysql: port 3306: catalogue depends on it, and its name is that of a server that listens on 3306 "
        "(Compose reaches any port, Kubernetes the Service's)"]
    assert any("depends_on cart: cart declares no port" in d.message for d in diags.items)   # (a name of no server)


def test_a_kept_policys_peer_selecting_pods_of_another_project_is_rewritten(make_project, cli, tmp_path):
    """skyspec's own output of a blue-green `web` called by `api` (fuzz seed 78 case 111),
    imported under another project name: `web-ingress` is kept as written (it selects both
    colours' pods), and its peer selected `api`'s pods by `part-of: demo`, which the build
    labels with the new project's name: the peer was never rewritten (a list on the way to it
    was not walked), the policy admitted nothing, and the import was refused (SKY163)."""
    # (an SCTP port: a policy the NetworkPolicy kind cannot say, kept as a Resource)
    make_project({"apps/web.yaml": "kind: App\nname: web\nimage: ghcr.io/acme/web:1.0.0\n"
                                   "ports: {http: 8080, sctp: {port: 9, protocol: SCTP}}\n"
                                   "health: /healthz\nstrategy: blue-green\n"
                                   "---\nkind: App\nname: api\nimage: ghcr.io/acme/api:1.0.0\nport: 9000\n"
                                   "health: /healthz\nconnect_to: [web]\n"})
    out = tmp_path / "out"
    r = cli("build", "-o", str(out), "--format", "kubernetes", "--env", "dev")
    assert r.exit_code == 0, r.output
    diags = Diagnostics()
    got = import_kubernetes([out / "dev" / "kubernetes"], "moved", diags)
    assert got is not None and not diags.has_errors, [d.message for d in diags.errors]
    policy = yaml.safe_load(got.files["apps/resource.web-ingress.yaml"])["manifest"]
    peer = policy["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"]
    assert peer == {"app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "moved"}
    assert any("NetworkPolicy web-ingress selects the pods of api by labels skyspec does not give them" in d.message
               for d in diags.sorted())


def test_an_address_never_turns_the_compose_files_start_order_round(tmp_path):
    """Airflow's servers wait for `airflow-init` (a one-shot task with no port) to complete, and
    the common environment every one of them shares, the task's included, holds the API
    server's address. Inferring `connect_to: [airflow-apiserver]` for the task made the built
    Compose file start it after the server was healthy, which the server never is before the
    task has migrated its database: neither would start. The address is admitted by a
    NetworkPolicy instead, and the task starts first."""
    from test_import_legacy import build_and_validate

    (tmp_path / "compose.yaml").write_text("""x-common: &common
  image: apache/airflow:3.0.2
  environment: {AIRFLOW__CORE__EXECUTION_API_SERVER_URL: 'http://airflow-apiserver:8080/execution/'}
services:
  airflow-apiserver:
    <<: *common
    command: api-server
    ports: ["8080:8080"]
    depends_on: {airflow-init: {condition: service_completed_successfully}}
  airflow-init:
    <<: *common
    command: [version]
""")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "compose.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert "connect_to airflow-apiserver: not inferred, though AIRFLOW__CORE__EXECUTION_API_SERVER_URL holds its " \
           "address: airflow-apiserver starts after airflow-init already" in " ".join(res.output.split())
    job = yaml.safe_load((tmp_path / "p" / "apps" / "job.airflow-init.yaml").read_text())
    assert "connect_to" not in job
    policy = yaml.safe_load((tmp_path / "p" / "apps" / "networkpolicy.airflow-apiserver-from-airflow-init.yaml")
                            .read_text())
    assert (policy["select"], policy["allow_from"]) == ({"app": "airflow-apiserver"}, [{"app": "airflow-init"}])
    build_and_validate(tmp_path / "p", tmp_path, "dev")
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())["services"]
    assert "airflow-apiserver" not in (built["airflow-init"].get("depends_on") or {})


def test_an_add_on_in_kube_system_leaves_the_clusters_own_pods_open(tmp_path):
    """kube-state-metrics ships into kube-system, beside CoreDNS. The import's policy keeping
    its pods open to each other, and the build's default deny, selected every pod of the
    namespace: CoreDNS would have admitted no query from another namespace. Both select the
    project's pods there."""
    from test_import_legacy import build_and_validate

    (tmp_path / "ksm.yaml").write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: kube-state-metrics, namespace: kube-system}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: kube-state-metrics}}
  template:
    metadata: {labels: {app.kubernetes.io/name: kube-state-metrics}}
    spec:
      serviceAccountName: kube-state-metrics
      containers:
      - name: kube-state-metrics
        image: registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0
        ports: [{containerPort: 8080, name: http-metrics}]
        securityContext: {runAsUser: 65534}
---
apiVersion: v1
kind: Service
metadata: {name: kube-state-metrics, namespace: kube-system}
spec:
  ports: [{name: http-metrics, port: 8080, targetPort: http-metrics}]
  selector: {app.kubernetes.io/name: kube-state-metrics}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: kube-state-metrics, namespace: kube-system}
""")
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "ksm.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert "admits every pod of namespace kube-system to the project's pods (the cluster's own there stay as they " \
           "are)" in " ".join(res.output.split())
    k8s = build_and_validate(tmp_path / "p", tmp_path, "default")
    policies = {o["metadata"]["name"]: o["spec"] for o in k8s if o["kind"] == "NetworkPolicy"}
    for name in ("p-within-namespace", "p-default-deny"):
        assert policies[name]["podSelector"] == {"matchLabels": {"app.kubernetes.io/part-of": "p"}}, name
    assert all(spec["podSelector"] for spec in policies.values())   # none selects every pod of kube-system


def test_values_the_import_reads_as_written_are_interpolated_as_compose_does(tmp_path):
    """Appwrite's workers `depends_on: [${_APP_DB_HOST:-postgresql}]`: Compose interpolates
    every value, depends_on's too; the import read the text as a service's name and refused
    the file (21 errors: no such service). So were `deploy.resources` limits, a
    `stop_grace_period` and a healthcheck's timing written as variables (refused, or lost)."""
    (tmp_path / ".env").write_text("DB_HOST=db\nMEM=512M\nCPUS=0.5\nGRACE=45s\nHC=15s\n")
    (tmp_path / "docker-compose.yml").write_text("""\
x-deploy: &deploy
  resources: {limits: {memory: "${MEM}", cpus: "${CPUS}"}}
services:
  worker:
    image: acme/worker:1.0
    depends_on: ["${DB_HOST:-postgresql}", "${CACHE:-redis}"]
    deploy: *deploy
    stop_grace_period: ${GRACE}
    healthcheck: {test: [CMD, /bin/check], interval: "${HC}", timeout: "${HC}"}
  api: {image: acme/api:1.0, deploy: *deploy}
  db: {image: postgres:16, environment: {POSTGRES_PASSWORD: "${DB_PASS}"}}
  redis: {image: redis:7}
""")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "p"), "--name", "app"])
    assert res.exit_code == 0, res.output
    worker = yaml.safe_load((tmp_path / "p" / "apps" / "worker.yaml").read_text())
    assert worker["connect_to"] == ["db", "redis"]
    assert worker["resources"] == {"cpu_limit": "500m", "memory_limit": "512Mi"}
    assert worker["lifecycle"] == {"termination_grace": 45}
    assert (worker["health"]["period"], worker["health"]["timeout"]) == (15, 15)
    api = yaml.safe_load((tmp_path / "p" / "apps" / "api.yaml").read_text())
    assert api["resources"] == worker["resources"]   # (the mapping an alias shares, read once)


def test_a_gateways_config_file_names_the_ports_of_the_services_it_proxies_to(tmp_path):
    """taiga's gateway (nginx) proxies to taiga-back:8000, taiga-front, taiga-events:8888 by
    its config file, bound from the project; none of them declares a port, so no Service was
    made for them and the gateway (nginx resolves its upstreams at start) crash-looped. The
    addresses a bound file holds give ports, as an environment's do."""
    from validators import assert_valid_k8s, load_docs

    (tmp_path / "gateway").mkdir()
    (tmp_path / "gateway" / "taiga.conf").write_text("""\
server {
    listen 80;
    location / { proxy_pass http://taiga-front/; }
    location /api/ { proxy_pass http://taiga-back:8000/api/; }
    location /events { proxy_pass http://taiga-events:8888/events; }
    # not an address: taiga-backup, http://elsewhere:9/, a word like taiga-front-end
}
""")
    (tmp_path / "docker-compose.yml").write_text("""\
services:
  taiga-back: {image: "taigaio/taiga-back:6.8.1"}
  taiga-front: {image: "taigaio/taiga-front:6.8.1"}
  taiga-events: {image: "taigaio/taiga-events:6.8.1"}
  taiga-gateway:
    image: nginx:1.27-alpine
    ports: ["9000:80"]
    volumes: ["./gateway/taiga.conf:/etc/nginx/conf.d/default.conf:ro"]
    depends_on: [taiga-front, taiga-back, taiga-events]
""")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "p"), "--name", "taiga"])
    assert res.exit_code == 0, res.output
    specs = {p.stem: yaml.safe_load(p.read_text()) for p in (tmp_path / "p" / "apps").glob("*.yaml")}
    assert [specs[s].get("port") for s in ("taiga-back", "taiga-front", "taiga-events")] == [8000, 80, 8888]
    assert "service taiga-back: port 8000: taiga-gateway (its file ./gateway/taiga.conf) holds an address on it" \
        in " ".join(res.output.split())
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    services = {o["metadata"]["name"]: [p["port"] for p in o["spec"]["ports"]] for o in k8s if o["kind"] == "Service"}
    assert services["taiga-back"] == [8000] and services["taiga-front"] == [80] and services["taiga-events"] == [8888]


def test_a_config_file_that_becomes_a_secret_still_names_the_ports_it_calls(tmp_path):
    """lemmy's `lemmy.hjson` sets its database password on one line (`database: { ...,
    password: "..." }`): it was carried as a ConfigMap, the password in plain text in the
    project, while its `pictrs: { url: "http://pictrs:8080/" }` was the only word of where
    pict-rs listens. The setting inside braces makes it a Secret (its keys only), and its
    addresses are still read: pictrs gets port 8080 and a Service. Nothing of it is written."""
    from validators import assert_valid_k8s, load_docs

    (tmp_path / "lemmy.hjson").write_text('{\n  database: { host: postgres, password: "s3cr3t-pw" }\n'
                                          '  pictrs: { url: "http://pictrs:8080/", api_key: "k3y-9" }\n}\n')
    (tmp_path / "docker-compose.yml").write_text("""\
services:
  lemmy:
    image: dessalines/lemmy:0.19.3
    ports: ["8536:8536"]
    volumes: ["./lemmy.hjson:/config/config.hjson:ro"]
  pictrs: {image: "asonix/pictrs:0.5"}
""")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "p"), "--name", "lemmy"])
    assert res.exit_code == 0, res.output
    assert "it sets password, so it is Secret lemmy-hjson" in " ".join(res.output.split())
    specs = {p.stem: yaml.safe_load(p.read_text()) for p in (tmp_path / "p" / "apps").glob("*.yaml")}
    assert specs["pictrs"]["port"] == 8080 and specs["secret.lemmy-hjson"]["keys"] == ["lemmy.hjson"]
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    assert [p["port"] for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "pictrs"
            for p in o["spec"]["ports"]] == [8080]
    for f in [*(tmp_path / "p").rglob("*"), *(tmp_path / "b").rglob("*")]:
        assert not f.is_file() or not {"s3cr3t-pw", "k3y-9"} & set(f.read_text(errors="replace").split('"')), f


def test_a_config_files_domains_and_nginx_upstreams_give_no_ports(tmp_path):
    """Only a service's address gives it a port: `https://grafana.com/docs` in a comment of
    mimir's file and flagd's `"$schema": "https://flagd.dev/..."` name domains (grafana got port
    443 on its container and Service, and the sysctl for a low port), and nginx's `proxy_pass
    http://lemmy` names its `upstream lemmy` block, whose `server lemmy:8536` is the address
    (lemmy got port 80 besides)."""
    from validators import assert_valid_k8s, load_docs

    files = {
        "conf/mimir.yaml": "# docs: https://grafana.com/docs/mimir/latest/\ntarget: all\n",
        "flagd/demo.flagd.json": '{"$schema": "https://flagd.dev/schema/v0/flags.json", "flags": {}}\n',
        "nginx.conf": "events {}\nhttp {\n  upstream lemmy { server \"lemmy:8536\"; }\n"
                      "  upstream lemmy-ui { server \"lemmy-ui:1234\"; }\n"
                      "  server {\n    listen 8536;\n    location / { proxy_pass http://lemmy-ui; }\n"
                      "    location /api { proxy_pass \"http://lemmy\"; }\n  }\n}\n"}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / "docker-compose.yml").write_text("""\
services:
  grafana: {image: "grafana/grafana:11.2.0", ports: ["3000:3000"]}
  mimir:
    image: grafana/mimir:2.13.0
    command: ["-config.file=/etc/mimir.yaml"]
    volumes: ["./conf/mimir.yaml:/etc/mimir.yaml:ro"]
  flagd:
    image: ghcr.io/open-feature/flagd:v0.11.1
    command: ["start", "--uri", "file:./etc/flagd/demo.flagd.json"]
    expose: ["8013"]
    volumes: ["./flagd:/etc/flagd:ro"]
  flagd-ui:
    image: ghcr.io/open-feature/flagd-ui:v0.1.0
    environment: {FLAGD_ADDR: "flagd:8013"}
    volumes: ["./flagd:/app/data:ro"]
  lemmy: {image: "dessalines/lemmy:0.19.5"}
  lemmy-ui: {image: "dessalines/lemmy-ui:0.19.5"}
  proxy:
    image: nginx:1.27-alpine
    ports: ["1236:8536"]
    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]
    depends_on: [lemmy, lemmy-ui]
""")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "p"), "--name", "p"])
    assert res.exit_code == 0, res.output
    assert "port 443" not in " ".join(res.output.split()) and "port 80:" not in " ".join(res.output.split())
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    services = {o["metadata"]["name"]: [p["port"] for p in o["spec"]["ports"]] for o in k8s if o["kind"] == "Service"}
    assert services["grafana"] == [3000] and services["flagd"] == [8013]   # (flagd-ui's file names flagd.dev)
    assert services["lemmy"] == [8536] and services["lemmy-ui"] == [1234]
    grafana = next(o for o in k8s if o["kind"] == "Deployment" and o["metadata"]["name"] == "grafana")
    pod = grafana["spec"]["template"]["spec"]
    assert [p["containerPort"] for p in pod["containers"][0]["ports"]] == [3000]
    assert "sysctls" not in pod.get("securityContext", {})


def test_a_compose_file_compose_accepts_is_imported_two_mounts_at_a_path_and_an_unsaid_healthcheck(tmp_path):
    """Two refusals of files Compose runs: SonarQube's search node mounts two volumes at
    /opt/sonarqube/logs (Compose keeps the last; the build refused two mounts at one path), and
    invoiceninja's nginx waits `service_healthy` for an app whose healthcheck is its image's
    own (the round trip refused `service_started`). The first volume is left out, the wait is
    for the start, each with a warning; the project builds and validates."""
    from validators import assert_valid_k8s, load_docs

    (tmp_path / "docker-compose.yml").write_text("""\
services:
  search:
    image: sonarqube:10-datacenter-search
    volumes: [logs-a:/opt/sonarqube/logs, logs-b:/opt/sonarqube/logs/]
  app:
    image: invoiceninja/invoiceninja:5
    expose: ["9000"]
  nginx:
    image: nginx:1.27
    ports: ["80:80"]
    depends_on: {app: {condition: service_healthy}}
volumes: {logs-a: {}, logs-b: {}}
""")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "p"), "--name", "two"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "volume logs-a -> /opt/sonarqube/logs left out: volume 2 mounts at the same path, and Compose keeps " \
           "the last" in said
    assert "depends_on app: waits for its healthcheck, which the Compose file does not give" in said
    search = yaml.safe_load((tmp_path / "p" / "apps" / "search.yaml").read_text())
    assert [v["mount"] for v in search["volumes"].values()] == ["/opt/sonarqube/logs/"]
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    assert_valid_k8s([d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)])


def test_a_bound_config_resolving_through_dockers_dns_is_warned_about(tmp_path):
    """matomo's and AppFlowy's nginx configs resolve their upstreams at run time through
    `resolver 127.0.0.11`, Docker's embedded DNS, which no pod has: every proxied request would
    answer 502 with no word of why. The import says so at the bind mount."""
    (tmp_path / "site.conf").write_text("server {\n  resolver 127.0.0.11 valid=30s;\n  listen 80;\n"
                                        "  location / { set $up app:9000; fastcgi_pass $up; }\n}\n")
    (tmp_path / "docker-compose.yml").write_text("services:\n  app: {image: 'matomo:5-fpm-alpine', expose: ['9000']}\n"
                                                 "  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n"
                                                 "    volumes: ['./site.conf:/etc/nginx/conf.d/default.conf:ro']\n")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "p"), "--name", "m"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "warning[SKY066]: service web: bind mount ./site.conf -> /etc/nginx/conf.d/default.conf: site.conf names " \
           "127.0.0.11, Docker's own DNS server, which no pod has" in said
    assert "resolver kube-dns.kube-system.svc.cluster.local;" in said
    (tmp_path / "site.conf").write_text("server { listen 80; location / { proxy_pass http://127.0.0.110; } }\n")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "q"), "--name", "m"])
    assert res.exit_code == 0 and "Docker's own DNS" not in res.output, res.output


def test_a_bound_configs_address_of_a_renamed_service_is_spelt_as_its_service(tmp_path):
    """AppFlowy's nginx proxies to `appflowy_cloud:8000`; the service is `appflowy-cloud` on
    Kubernetes and in the built Compose file (a Service's name is a DNS label), so nginx's
    upstream never resolved and it would not start. The file's addresses are spelt as the
    Services' names (as an env value's are); a path or another word that is the old name is not."""
    from validators import assert_valid_k8s, load_docs

    (tmp_path / "nginx.conf").write_text("upstream cloud { server appflowy_cloud:8000; }\n"
                                         "server { listen 80; location / { proxy_pass http://appflowy_cloud; } "
                                         "location /x { root /srv/appflowy_cloud; } }\n")
    (tmp_path / "docker-compose.yml").write_text("services:\n  appflowy_cloud: {image: 'appflowyinc/appflowy_cloud:0.9'}\n"
                                                 "  nginx:\n    image: nginx:1.27\n    ports: ['80:80']\n"
                                                 "    volumes: ['./nginx.conf:/etc/nginx/conf.d/default.conf:ro']\n")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "p"), "--name", "af"])
    assert res.exit_code == 0, res.output
    assert "does not resolve there" not in res.output and "are spelt as their Services' names in nginx.conf" in \
        " ".join(res.output.split())
    conf = yaml.safe_load((tmp_path / "p" / "apps" / "configmap.nginx-conf.yaml").read_text())["data"]["nginx.conf"]
    assert "server appflowy-cloud:8000;" in conf and "proxy_pass http://appflowy-cloud;" in conf
    assert "root /srv/appflowy_cloud;" in conf
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    assert any(o["kind"] == "Service" and o["metadata"]["name"] == "appflowy-cloud" for o in k8s)
