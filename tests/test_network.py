"""The `network` pass and the low-port sysctl of `harden`: what real images need to run under
the hardened defaults (a port below 1024, external traffic, Prometheus, DNS), checked on the
validated Kubernetes output."""

import pytest

from conftest import PROJECT
from validators import checkov

APP = "kind: App\nname: api\nimage: x/api:1\nreplicas: 3\n"
PORT = "port: 8080\n"
NS = "kubernetes.io/metadata.name"


def pod(d):
    return d["spec"]["template"]["spec"]


def rules(docs, name):
    return docs[("NetworkPolicy", f"{name}-ingress")]["spec"].get("ingress", [])


def test_a_port_below_1024_gets_the_unprivileged_port_sysctl(build):
    docs = build({"apps/a.yaml": "kind: App\nname: web\nimage: nginx:1.27\nports: {http: 80, https: 443}\n"
                                 "---\n" + APP + PORT})
    sc = pod(docs[("Deployment", "web")])["securityContext"]
    assert sc["sysctls"] == [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "80"}]
    assert sc["runAsUser"] == 10001
    assert "sysctls" not in pod(docs[("Deployment", "api")])["securityContext"]  # 8080 needs nothing


def test_net_bind_service_needs_no_sysctl(build):
    docs = build({"apps/a.yaml": "kind: App\nname: web\nimage: nginx:1.27\nport: 80\n"
                                 "security: {add_capabilities: [NET_BIND_SERVICE]}\n"})
    assert "sysctls" not in pod(docs[("Deployment", "web")])["securityContext"]


def test_the_sysctl_keeps_checkov_clean(make_project, cli, tmp_path):
    make_project({"apps/a.yaml": "kind: App\nname: web\nimage: x/web:1@sha256:" + "a" * 64 + "\nport: 80\n"
                                 "replicas: 2\nresources: {cpu: 100m, memory: 64Mi}\nhealth: /\n"})
    r = cli("build", "-o", str(tmp_path / "o"), "--env", "prod", "--format", "kubernetes")
    assert r.exit_code == 0, r.output
    report = checkov(tmp_path / "o" / "prod")
    results = report if isinstance(report, list) else [report]
    failed = {f["check_id"] for res in results for f in res["results"]["failed_checks"]}
    assert not failed, failed


def test_load_balancer_admits_anyone_on_its_ports(build):
    """Anyone, of IPv4 and IPv6 (on a dual-stack or IPv6 cluster, an IPv4 block alone dropped
    the IPv6 clients a LoadBalancer brings in)."""
    docs = build({"apps/a.yaml": APP + PORT + "expose: {type: LoadBalancer}\n"})
    assert rules(docs, "api") == [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}],
                                   "ports": [{"protocol": "TCP", "port": 8080}]}]


def test_load_balancer_admits_anyone_only_on_the_ports_its_service_carries(build):
    """traefik's chart publishes `web` and `websecure` on its LoadBalancer; its dashboard's and
    metrics' ports are the container's only, which the import's patch deletes from the Service.
    The policy admitted anywhere on those too, opening them to every pod of the cluster."""
    docs = build({"apps/a.yaml": APP + "ports: {metrics: 9100, traefik: 8080, web: {port: 8000, service: 80}}\n"
                                       "expose: {type: LoadBalancer}\n"
                                       "k8s: {Service: {spec: {ports: [{port: 9100, $patch: delete}, "
                                       "{port: 8080, $patch: delete}]}}}\n"})
    assert [p["port"] for p in docs[("Service", "api")]["spec"]["ports"]] == [80]
    assert rules(docs, "api") == [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}],
                                   "ports": [{"protocol": "TCP", "port": 8000}]}]


def test_a_port_number_on_tcp_and_udp_is_admitted_on_both(build):
    # alertmanager's gossip listens on 9094 over TCP and UDP: the rule listed 9094/TCP twice,
    # UDP was never admitted, and the system check refused the build (SKY163)
    docs = build({"apps/a.yaml": APP + "ports:\n  http: 9093\n  tcp-cluster: 9094\n"
                                 "  udp-cluster: {port: 9094, protocol: UDP}\nexpose: {type: LoadBalancer}\n"})
    assert rules(docs, "api") == [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}],
                                   "ports": [{"protocol": "TCP", "port": 9093}, {"protocol": "TCP", "port": 9094},
                                             {"protocol": "UDP", "port": 9094}]}]


def test_ingress_admits_the_controller_namespace_which_the_project_can_name(build):
    docs = build({"apps/a.yaml": APP + "ports: {http: 8080, admin: 9000}\nexpose: {host: a.example.com, port: http}\n"},
                 project=PROJECT + "network: {ingress_namespace: traefik}\n")
    assert rules(docs, "api") == [{"from": [{"namespaceSelector": {"matchLabels": {NS: "traefik"}}}],
                                   "ports": [{"protocol": "TCP", "port": 8080}]}]  # the routed port only


def test_metrics_port_admits_the_monitoring_namespace(build):
    docs = build({"apps/a.yaml": APP + "ports: {http: 8080, metrics: 9090}\n---\nkind: App\nname: web\n"
                                       "image: x/web:1\nconnect_to: [api]\n---\nkind: Observability\nname: o\n"
                                       "apps: [api]\nmetrics: {port: metrics}\n"})
    r = rules(docs, "api")
    assert r[0]["ports"] == [{"protocol": "TCP", "port": 8080}, {"protocol": "TCP", "port": 9090}]
    assert r[0]["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "web"
    assert r[1] == {"from": [{"namespaceSelector": {"matchLabels": {NS: "monitoring"}}}],
                    "ports": [{"protocol": "TCP", "port": 9090}]}


def test_egress_per_environment_allows_dns_and_connect_to_only(build):
    project = PROJECT.replace("prod: {overlays: [overlays/prod.yaml]}",
                              "prod: {overlays: [overlays/prod.yaml], network: {egress: true}}")
    files = {"apps/a.yaml": APP + PORT + "---\nkind: App\nname: web\nimage: x/web:1\nconnect_to: [api]\n"}
    docs = build(files, project=project)
    web = docs[("NetworkPolicy", "web-ingress")]["spec"]
    assert web["policyTypes"] == ["Ingress", "Egress"]
    dns, api = web["egress"]
    assert dns["to"][0]["namespaceSelector"]["matchLabels"] == {NS: "kube-system"}
    assert {"protocol": "UDP", "port": 53} in dns["ports"]
    assert api == {"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "api",
                                                           "app.kubernetes.io/part-of": "demo"}}}],
                   "ports": [{"protocol": "TCP", "port": 8080}]}
    assert docs[("NetworkPolicy", "demo-default-deny")]["spec"]["policyTypes"] == ["Ingress", "Egress"]
    dev = build(files, env="dev", project=project)  # dev did not ask for it
    assert "egress" not in dev[("NetworkPolicy", "web-ingress")]["spec"]


def test_an_environment_network_block_overrides_only_the_keys_it_names(build):
    # the project restricts egress everywhere; prod names its ingress controller and nothing
    # else: prod keeps the project's egress (a default filled into prod's block undid it)
    project = PROJECT.replace("prod: {overlays: [overlays/prod.yaml]}",
                              "prod: {overlays: [overlays/prod.yaml], network: {ingress_namespace: traefik}}")
    project += "network: {egress: true}\n"
    files = {"apps/a.yaml": APP + "ports: {http: 8080}\nexpose: {host: a.example.com, port: http}\n"}
    for env in ("dev", "prod"):
        spec = build(files, env=env, project=project)[("NetworkPolicy", "api-ingress")]["spec"]
        assert spec["policyTypes"] == ["Ingress", "Egress"], env
    assert rules(build(files, project=project), "api")[0]["from"] == \
        [{"namespaceSelector": {"matchLabels": {NS: "traefik"}}}]


def test_a_namespace_object_per_namespace_when_asked(build):
    two = APP + PORT + "---\nkind: App\nname: other\nimage: x/o:1\nnamespace: tools\n"
    docs = build({"apps/a.yaml": two}, project=PROJECT + "network: {namespace: true}\n")
    assert ("Namespace", "demo") in docs and ("Namespace", "tools") in docs
    docs = build({"apps/a.yaml": two})  # off by default: a Helm release's namespace is Helm's to make
    assert not [k for k in docs if k[0] == "Namespace"]


def test_unknown_network_key_is_a_project_error(build):
    r = build({"apps/a.yaml": APP}, project=PROJECT + "network: {ingres_namespace: x}\n", ok=False)
    assert r.exit_code != 0 and "SKY102" in r.output and "ingres_namespace" in r.output


@pytest.mark.parametrize("spec,hint", [
    ("kind: App\nname: web\nimage: nginx:1.27\nport: 80\n", "nginxinc/nginx-unprivileged"),
    ("kind: App\nname: web\nimage: docker.io/library/postgres:16\nport: 5432\n", "use: postgres"),
    # built from postgres, with its entrypoint, user and paths
    ("kind: App\nname: web\nimage: pgvector/pgvector:pg16\nport: 5432\n", "use: postgres"),
    ("kind: App\nname: web\nimage: httpd:2.4\nport: 80\nvolumes: {logs: {empty: true, mount: /usr/local/apache2/logs}}\n",
     "run_as_root: true"),
])
def test_official_images_get_the_fix_as_hint(make_project, cli, spec, hint):
    make_project({"apps/a.yaml": spec})
    r = cli("check", "--env", "dev")
    assert "warning[SKY410]" in r.output and hint in r.output, r.output
    assert "apps/a.yaml:3:8" in r.output  # at the image


def test_an_official_image_hint_names_the_kind_its_template_is_for(make_project, cli):
    # `use: redis` alone in an App is refused (SKY121: the template is for a StatefulApp)
    make_project({"apps/a.yaml": "kind: App\nname: cache\nimage: redis:7\nport: 6379\n"})
    r = cli("check", "--env", "dev")
    assert "`kind: StatefulApp` with `use: redis`" in r.output, r.output
    make_project({"apps/a.yaml": "kind: StatefulApp\nname: cache\nimage: redis:7\nport: 6379\n"})
    r = cli("check", "--env", "dev")
    assert "help: `use: redis` (the stdlib" in r.output and "with `use: redis`" not in r.output, r.output


def test_an_official_image_in_a_sidecar_is_told_its_user_and_paths(make_project, cli):
    # a template makes a workload: for a sidecar the hint is what the container needs
    make_project({"apps/a.yaml": "kind: App\nname: web\nimage: x/web:1\nport: 8080\n"
                                 "sidecars: {db: {image: 'postgres:16'}}\n"})
    r = cli("check", "--env", "dev")
    assert 'image "postgres:16" of sidecar "db"' in r.output, r.output
    assert "run_as_user: 999" in r.output and "/var/lib/postgresql/data" in r.output, r.output
    assert "use: postgres" not in r.output, r.output


def test_the_template_kinds_the_hints_name_are_the_stdlibs():
    import yaml

    from skyspec.paths import data_dir
    from skyspec.rules.official_image import KNOWN, TEMPLATE_KIND

    named = {t for t, *_ in KNOWN.values() if t}
    assert set(TEMPLATE_KIND) == named
    for t in named:
        assert yaml.safe_load((data_dir("stdlib") / f"{t}.yaml").read_text())["kind"] == TEMPLATE_KIND[t], t


def test_official_image_with_the_relaxations_it_needs_passes(make_project, cli):
    make_project({"apps/a.yaml": "kind: App\nname: web\nimage: redis:7.4\nport: 6379\n"
                                 "security: {run_as_user: 999, writable_root_fs: true}\n"})
    r = cli("check", "--env", "dev")
    assert "SKY410" not in r.output, r.output


def test_network_policy_false_leaves_the_workload_out_of_the_default_deny(build):
    docs = build({"apps/a.yaml": APP + PORT + "security: {network_policy: false}\n---\n"
                                 "kind: App\nname: web\nimage: x/web:1\nconnect_to: [api]\n"})
    assert ("NetworkPolicy", "api-ingress") not in docs
    deny = docs[("NetworkPolicy", "demo-default-deny")]["spec"]["podSelector"]
    assert deny == {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["api"]}]}


def test_in_kube_system_the_default_deny_selects_the_projects_pods_only(build, make_project, cli):
    """A cluster add-on lives in kube-system beside CoreDNS: a default deny of every pod there
    would deny every namespace its DNS. There it selects the project's pods, with `security:
    {network_policy: false}` still left out; elsewhere every pod of the namespace."""
    files = {"apps/a.yaml": APP + PORT + "---\nkind: App\nname: web\nimage: x/web:1\nconnect_to: [api]\n"
                                         "security: {network_policy: false}\n"}
    docs = build(files, project=PROJECT.replace("namespace: demo", "namespace: kube-system"))
    deny = docs[("NetworkPolicy", "demo-default-deny")]
    assert deny["metadata"]["namespace"] == "kube-system"
    assert deny["spec"]["podSelector"] == {
        "matchLabels": {"app.kubernetes.io/part-of": "demo"},
        "matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["web"]}]}
    assert build(files)[("NetworkPolicy", "demo-default-deny")]["spec"]["podSelector"] == {
        "matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["web"]}]}
    make_project({**files}, PROJECT.replace("namespace: demo", "namespace: kube-system"))
    r = cli("explain", "NetworkPolicy/demo-default-deny:spec.podSelector", "--env", "dev")
    assert "the default deny covers the project's pods only" in " ".join(r.output.split()), r.output


@pytest.mark.parametrize("namespace", ["default", "kube-public"])
def test_in_the_namespace_every_user_shares_the_default_deny_selects_the_projects_pods_only(build, namespace):
    """A project that names no namespace lands in `default` (the importer's of manifests that
    name none): a default deny of every pod there cut off workloads the project does not own.
    There, as in kube-system, it selects the project's pods only."""
    docs = build({"apps/a.yaml": APP + PORT + "---\nkind: App\nname: web\nimage: x/web:1\nconnect_to: [api]\n"},
                 project=PROJECT.replace("namespace: demo", f"namespace: {namespace}"))
    deny = docs[("NetworkPolicy", "demo-default-deny")]
    assert deny["metadata"]["namespace"] == namespace
    assert deny["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/part-of": "demo"}}


def test_default_deny_project_selects_the_projects_pods_only_and_is_explained(build, make_project, cli):
    """An operator of the project makes pods in its namespace at run time (a RabbitmqCluster's
    StatefulSet): a default deny of every pod there isolates them, and no policy of the project
    admits anything to them. `network: {default_deny: project}` selects the project's pods
    only, `network_policy: false` still left out; an environment may set it alone."""
    files = {"apps/a.yaml": APP + PORT + "---\nkind: App\nname: web\nimage: x/web:1\nconnect_to: [api]\n"
                                         "security: {network_policy: false}\n"}
    project = PROJECT + "network: {default_deny: project}\n"
    deny = build(files, project=project)[("NetworkPolicy", "demo-default-deny")]
    assert deny["metadata"]["namespace"] == "demo"
    assert deny["spec"]["podSelector"] == {
        "matchLabels": {"app.kubernetes.io/part-of": "demo"},
        "matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["web"]}]}
    per_env = PROJECT.replace("prod: {overlays: [overlays/prod.yaml]}",
                              "prod: {overlays: [overlays/prod.yaml], network: {default_deny: project}}")
    assert build(files, env="prod", project=per_env)[("NetworkPolicy", "demo-default-deny")]["spec"][
        "podSelector"]["matchLabels"] == {"app.kubernetes.io/part-of": "demo"}
    assert "matchLabels" not in build(files, env="dev", project=per_env)[("NetworkPolicy", "demo-default-deny")]["spec"][
        "podSelector"]   # (dev: every pod of the namespace, the default)
    make_project({**files}, project)
    r = cli("explain", "NetworkPolicy/demo-default-deny:spec.podSelector", "--env", "dev")
    out = " ".join(r.output.split())
    assert "pods others make in the namespace (an operator's) stay open" in out and "default_deny" in out, r.output


def test_an_unknown_default_deny_is_a_project_error(build):
    r = build({"apps/a.yaml": APP}, project=PROJECT + "network: {default_deny: nobody}\n", ok=False)
    assert r.exit_code != 0 and "SKY105" in r.output and "default_deny" in r.output


def test_a_public_service_kept_as_written_is_admitted_on_its_target_port(build):
    # a second Service of a workload, kept as a `kind: Resource` (as the importer keeps
    # Online Boutique's frontend-external): its clients come from outside the cluster
    svc = ("---\nkind: Resource\nname: api-external\nmanifest:\n  apiVersion: v1\n  kind: Service\n"
           "  metadata: {name: api-external}\n  spec:\n    type: LoadBalancer\n"
           "    selector: {app.kubernetes.io/name: api}\n    loadBalancerSourceRanges: [10.0.0.0/8]\n"
           "    ports: [{port: 80, targetPort: http}]\n")
    docs = build({"apps/a.yaml": APP + "ports: {http: 8080, admin: 9000}\n" + svc})
    assert rules(docs, "api") == [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}],
                                   "ports": [{"protocol": "TCP", "port": 8080}]}]
    # one that selects other pods, or stays inside the cluster, admits nothing here
    web = "---\nkind: App\nname: web\nimage: x/web:1\nport: 8080\nconnect_to: [api]\n"
    docs = build({"apps/a.yaml": APP + "ports: {http: 8080}\n" + web + svc.replace("name: api}", "name: web}")})
    assert rules(docs, "api")[0]["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "web",
                                                                              "app.kubernetes.io/part-of": "demo"}}}]
    assert rules(docs, "web")[0]["from"] == [{"ipBlock": {"cidr": "10.0.0.0/8"}}]
    assert rules(build({"apps/a.yaml": APP + "ports: {http: 8080}\n" + svc.replace("LoadBalancer", "ClusterIP")}),
                 "api") == []
    # what no policy can say (a port out of range, a range that is no CIDR) is not admitted: the
    # system check reports it at the manifest, and nothing is written
    for odd in (svc.replace("targetPort: http", "targetPort: 70000"), svc.replace("10.0.0.0/8", "anywhere")):
        r = build({"apps/a.yaml": APP + "ports: {http: 8080}\n" + odd}, ok=False)
        assert r.exit_code == 1 and "apps/a.yaml:10:3: error[SKY163]" in r.output, r.output


def test_an_ingress_kept_as_written_admits_the_controller_on_the_routed_port(build):
    # an Ingress the language cannot say (a regex path and a rewrite, as kubernetes/examples'
    # TensorFlow serving has), kept as a `kind: Resource`: without a rule the default deny
    # would drop the ingress controller's traffic, and the system check says so
    ing = ("---\nkind: Resource\nname: api-ingress\nmanifest:\n  apiVersion: networking.k8s.io/v1\n"
           "  kind: Ingress\n  metadata:\n    name: api-ingress\n"
           "    annotations: {nginx.ingress.kubernetes.io/rewrite-target: /$2}\n"
           "  spec:\n    rules:\n    - http:\n        paths:\n        - path: /api(/|$)(.*)\n"
           "          pathType: Prefix\n          backend: {service: {name: api, port: {name: admin}}}\n")
    docs = build({"apps/a.yaml": APP + "ports: {http: 8080, admin: 9000}\nexpose: true\n" + ing})
    assert rules(docs, "api") == [{"from": [{"namespaceSelector": {"matchLabels": {NS: "ingress-nginx"}}}],
                                   "ports": [{"protocol": "TCP", "port": 9000}]}]
    # by the Service's port number too; an Ingress routing to another Service admits nothing here
    by_number = ing.replace("port: {name: admin}", "port: {number: 8080}")
    assert rules(build({"apps/a.yaml": APP + "ports: {http: 8080, admin: 9000}\nexpose: true\n" + by_number}),
                 "api")[0]["ports"] == [{"protocol": "TCP", "port": 8080}]
    other = ing.replace("{name: api, port: {name: admin}}", "{name: web, port: {number: 9000}}")
    web = "---\nkind: App\nname: web\nimage: x/web:1\nport: 9000\nexpose: true\n"
    docs = build({"apps/a.yaml": APP + "ports: {http: 8080, admin: 9000}\nexpose: true\n" + web + other})
    assert rules(docs, "api") == [] and rules(docs, "web")[0]["ports"] == [{"protocol": "TCP", "port": 9000}]


def test_an_ingress_kept_as_written_to_a_service_kept_apart_admits_the_controller_on_its_target(build):
    # a Service named apart from the workloads whose pods it selects (a blue-green's, istio's
    # Bookinfo `reviews` over reviews-v1 and -v2), kept as a `kind: Resource` as the importer
    # keeps it, behind an Ingress kept so: the pods it selects admit the controller on the
    # port it targets (importing skyspec's own blue-green build failed: SKY163)
    svc = ("---\nkind: Resource\nname: reviews\nmanifest:\n  apiVersion: v1\n  kind: Service\n"
           "  metadata: {name: reviews}\n  spec:\n    selector: {app: reviews}\n"
           "    ports: [{name: http, port: 80, targetPort: 9080}]\n")
    ing = ("---\nkind: Resource\nname: reviews-route\nmanifest:\n  apiVersion: networking.k8s.io/v1\n"
           "  kind: Ingress\n  metadata: {name: reviews-route}\n  spec:\n    rules:\n    - http:\n"
           "        paths:\n        - path: /\n          pathType: Prefix\n"
           "          backend: {service: {name: reviews, port: {number: 80}}}\n")
    v = ("kind: App\nname: reviews-{n}\nimage: x/reviews:{n}\nports: {{http: 9080, admin: 9000}}\n"
         "labels: {{app: reviews}}\n")
    other = "---\nkind: App\nname: ratings\nimage: x/ratings:1\nport: 9080\n"
    docs = build({"apps/a.yaml": v.format(n="v1") + "---\n" + v.format(n="v2") + other + svc + ing})
    controller = [{"from": [{"namespaceSelector": {"matchLabels": {NS: "ingress-nginx"}}}],
                   "ports": [{"protocol": "TCP", "port": 9080}]}]
    assert rules(docs, "reviews-v1") == controller and rules(docs, "reviews-v2") == controller
    assert rules(docs, "ratings") == []   # (the Service does not select it)
    # by the Service port's name, to a target port given by name
    named = ing.replace("port: {number: 80}", "port: {name: http}")
    docs = build({"apps/a.yaml": v.format(n="v1") + svc.replace("targetPort: 9080", "targetPort: admin") + named})
    assert rules(docs, "reviews-v1")[0]["ports"] == [{"protocol": "TCP", "port": 9000}]
