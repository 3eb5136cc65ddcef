"""The Kubernetes backend on real projects: strict validation and the semantics no
validator checks (selectors match pods, namespaces, labels, determinism)."""

from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES
from validators import assert_valid_k8s, load_docs

EXAMPLE_PROJECTS = sorted(p.parent for p in EXAMPLES.glob("*/skyspec.yaml")) + \
    sorted(p.parent for p in EXAMPLES.glob("*/skyspec.toml"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every example built once for every environment (in-process, through the CLI)."""
    from click.testing import CliRunner

    from skyspec.cli import main

    out = {}
    for proj in EXAMPLE_PROJECTS:
        dest = tmp_path_factory.mktemp(proj.name)
        r = CliRunner().invoke(main, ["build", str(proj), "-o", str(dest), "--format", "kubernetes"])
        assert r.exit_code == 0, r.output
        out[proj.name] = dest
    return out


def _envs(dest: Path):
    return sorted(p.name for p in dest.iterdir() if (p / "kubernetes").is_dir())


def test_examples_exist():
    assert EXAMPLE_PROJECTS, "no examples found"


@pytest.mark.parametrize("name", [p.name for p in EXAMPLE_PROJECTS])
def test_every_manifest_passes_kubernetes_validate_strict(built, name):
    dest = built[name]
    envs = _envs(dest)
    assert envs
    for env in envs:
        assert_valid_k8s(load_docs(dest / env / "kubernetes"))


@pytest.mark.parametrize("name", [p.name for p in EXAMPLE_PROJECTS])
def test_services_select_their_pods_and_everything_is_namespaced(built, name):
    dest = built[name]
    for env in _envs(dest):
        docs = load_docs(dest / env / "kubernetes")
        pods = {}
        for d in docs:
            if d["kind"] == "Namespace":  # cluster-scoped: the environment's own namespace
                assert d["metadata"]["name"] in {o["metadata"].get("namespace") for o in docs}
            else:
                assert d["metadata"].get("namespace"), f"{d['kind']}/{d['metadata']['name']} has no namespace"
            labels = d["metadata"]["labels"]
            for k in ("app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"):
                assert k in labels
            assert "creationTimestamp" not in d["metadata"]
            if d["kind"] in ("Deployment", "StatefulSet"):
                sel = d["spec"]["selector"]["matchLabels"]
                tl = d["spec"]["template"]["metadata"]["labels"]
                assert sel.items() <= tl.items(), "selector must match the pod template"
                pods[d["metadata"]["name"]] = d
        for d in docs:
            if d["kind"] == "Service":
                sel = d["spec"]["selector"]
                matching = [p for p in pods.values()
                            if sel.items() <= p["spec"]["template"]["metadata"]["labels"].items()]
                assert len(matching) == 1, f"Service {d['metadata']['name']} selects {len(matching)} workloads"
                container_ports = {p["name"] for c in matching[0]["spec"]["template"]["spec"]["containers"]
                                   for p in c.get("ports", [])}
                for p in d["spec"]["ports"]:
                    assert p["targetPort"] in container_ports
            if d["kind"] == "Ingress":
                for rule in d["spec"]["rules"]:
                    for path in rule["http"]["paths"]:
                        svc = path["backend"]["service"]["name"]
                        assert any(x["kind"] == "Service" and x["metadata"]["name"] == svc for x in docs)


def test_shop_prod_values(built):
    docs = {(d["kind"], d["metadata"]["name"]): d for d in load_docs(built["shop"] / "prod" / "kubernetes")}
    api = docs[("Deployment", "api")]
    assert api["spec"]["replicas"] == 5
    c = api["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in c["env"]}
    assert env["LOG_LEVEL"]["value"] == "warn"
    assert env["DB_PASSWORD_FILE"]["value"] == "/run/secrets/shop-db/password"  # `as: file`
    assert env["CACHE_HOST"]["value"] == "cache" and env["CACHE_PORT"]["value"] == "6379"
    assert c["resources"]["requests"] == {"cpu": "500m", "memory": "512Mi"}
    assert docs[("Deployment", "web")]["spec"]["replicas"] == 4   # match: tier=web
    worker = docs[("Deployment", "worker")]["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"] == ["--queue", "orders", "--concurrency", "8"]   # args+
    ing = docs[("Ingress", "web")]
    assert ing["spec"]["rules"][0]["host"] == "shop.example.com"
    assert ing["spec"]["tls"] == [{"hosts": ["shop.example.com"], "secretName": "web-tls"}]
    assert ("Service", "worker") not in docs  # no ports, nobody connects to it


def test_dev_profile_and_overlay(built):
    docs = {(d["kind"], d["metadata"]["name"]): d for d in load_docs(built["shop"] / "dev" / "kubernetes")}
    assert docs[("Deployment", "api")]["spec"]["replicas"] == 1   # the built-in dev profile
    c = docs[("Deployment", "api")]["spec"]["template"]["spec"]["containers"][0]
    assert {e["name"]: e.get("value") for e in c["env"]}["LOG_LEVEL"] == "debug"
    assert "tls" not in docs[("Ingress", "web")]["spec"]


def test_output_is_byte_identical_across_runs(tmp_path, cli):
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("build", str(EXAMPLES / "shop"), "-o", str(a)).exit_code == 0
    assert cli("build", str(EXAMPLES / "shop"), "-o", str(b)).exit_code == 0
    fa = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    fb = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert fa == fb
    for rel in fa:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_toml_and_yaml_specs_compile_to_identical_output(make_project, cli, tmp_path):
    yaml_spec = """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        ports: {http: 8080, grpc: {port: 9090, protocol: TCP}}
        replicas: 3
        env: {A: "1", B: true}
        secrets: {TOKEN: {secret: api, key: token}}
        resources: {cpu: 250m, memory: 256Mi}
        health: {http: /healthz, period: 5, startup: {tcp: grpc}}
        expose: {host: api.example.com, tls: true, class: nginx}
        labels: {tier: backend}
        ---
        kind: Secret
        name: api
        keys: [token]
        """
    toml_spec = """
        kind = "App"
        name = "api"
        image = "ghcr.io/acme/api:1.0.0"
        replicas = 3

        [ports]
        http = 8080
        grpc = { port = 9090, protocol = "TCP" }

        [env]
        A = "1"
        B = true

        [secrets.TOKEN]
        secret = "api"
        key = "token"

        [resources]
        cpu = "250m"
        memory = "256Mi"

        [health]
        http = "/healthz"
        period = 5
        startup = { tcp = "grpc" }

        [expose]
        host = "api.example.com"
        tls = true
        class = "nginx"

        [labels]
        tier = "backend"
        """
    root = make_project({"apps/api.yaml": yaml_spec})
    r = cli("build", "-o", str(tmp_path / "y"))
    assert r.exit_code == 0, r.output
    (root / "apps/api.yaml").write_text("kind: Secret\nname: api\nkeys: [token]\n")
    import textwrap
    (root / "apps/api.toml").write_text(textwrap.dedent(toml_spec))
    r = cli("build", "-o", str(tmp_path / "t"))
    assert r.exit_code == 0, r.output
    from skyspec.backends.layout import strip_header

    for env in ("dev", "prod"):
        y = (tmp_path / "y" / env / "kubernetes" / "api.yaml").read_text()
        t = (tmp_path / "t" / env / "kubernetes" / "api.yaml").read_text()
        assert y.startswith("# generated by skyspec from apps/api.yaml; do not edit\n")
        assert t.startswith("# generated by skyspec from apps/api.toml, apps/api.yaml; do not edit\n")  # both "api"
        assert strip_header(y) == strip_header(t)   # the header names the spec file: all else is equal
    assert_valid_k8s(yaml.safe_load_all(y))


def test_exposure_types_and_ingress(make_project, cli, tmp_path):
    make_project({"apps/a.yaml": """
        kind: App
        name: a
        image: x/a:1
        ports: {http: 80, admin: 9000}
        expose: {type: LoadBalancer, port: admin}
        ---
        kind: App
        name: b
        image: x/b:1
        port: 80
        expose: true
        """})
    assert cli("build", "-o", str(tmp_path / "o")).exit_code == 0
    docs = {(d["kind"], d["metadata"]["name"]): d for d in load_docs(tmp_path / "o" / "prod" / "kubernetes")}
    assert docs[("Service", "a")]["spec"]["type"] == "LoadBalancer"
    assert "type" not in docs[("Service", "b")]["spec"]
    assert ("Ingress", "a") not in docs and ("Ingress", "b") not in docs
    assert_valid_k8s(docs.values())


def test_a_raw_cluster_scoped_object_names_no_namespace(build):
    """An APIService (metrics-server's), a RuntimeClass and a ClusterRole are cluster-scoped: the
    IR's list of such kinds lacked the APIService (the Kustomize backend had its own, longer
    list), so it was written with the environment's namespace. One table says both now."""
    docs = build({"apps/a.yaml": """
kind: Resource
name: metrics
manifest:
  apiVersion: apiregistration.k8s.io/v1
  kind: APIService
  metadata: {name: v1beta1.metrics.k8s.io}
  spec: {group: metrics.k8s.io, version: v1beta1, groupPriorityMinimum: 100, versionPriority: 100,
         service: {name: metrics-server, namespace: kube-system}}
---
kind: Resource
name: gvisor
manifest: {apiVersion: node.k8s.io/v1, kind: RuntimeClass, metadata: {name: gvisor}, handler: runsc}
---
kind: Resource
name: cm
manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {a: "1"}}
"""})
    assert "namespace" not in docs[("APIService", "v1beta1.metrics.k8s.io")]["metadata"]
    assert "namespace" not in docs[("RuntimeClass", "gvisor")]["metadata"]
    assert docs[("ConfigMap", "cm")]["metadata"]["namespace"]
