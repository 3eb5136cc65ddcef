"""What real systems say without escape hatches (issue 12): gRPC and header probes, per-probe
timing, Service ports that differ from container ports, NodePort and LoadBalancer details,
the main container's name, workloads left out of an environment, and peer addresses that are
right in every backend. Each is compiled, validated strictly, and checked for its point."""

import pytest
import yaml

from validators import assert_valid_k8s, compose_binary, compose_config, load_docs


def pod(obj):
    return obj["spec"]["template"]["spec"]


def test_grpc_probe_by_name_and_number_with_service(build):
    docs = build({"apps/a.yaml": """
        kind: App
        name: cart
        image: x/cart:1
        ports: {grpc: 7070}
        health:
          liveness: {grpc: grpc, period: 15}
          readiness: {grpc: 7070, service: hipstershop.CartService}
        """})
    c = pod(docs[("Deployment", "cart")])["containers"][0]
    assert c["livenessProbe"] == {"grpc": {"port": 7070}, "periodSeconds": 15}  # a number: Kubernetes takes no name
    assert c["readinessProbe"] == {"grpc": {"port": 7070, "service": "hipstershop.CartService"}}


def test_http_probe_headers_and_shared_timing(build):
    docs = build({"apps/a.yaml": """
        kind: App
        name: web
        image: x/web:1
        port: 8080
        health:
          initial_delay: 5
          failure_threshold: 4
          liveness: {http: /healthz, headers: {X-Probe: "1", Host: web.local}, timeout: 3}
          readiness: {http: /ready, period: 2, success_threshold: 2}
        """})
    c = pod(docs[("Deployment", "web")])["containers"][0]
    assert c["livenessProbe"] == {
        "httpGet": {"path": "/healthz", "port": "http",
                    "httpHeaders": [{"name": "X-Probe", "value": "1"}, {"name": "Host", "value": "web.local"}]},
        "initialDelaySeconds": 5, "timeoutSeconds": 3, "failureThreshold": 4}
    assert c["readinessProbe"] == {"httpGet": {"path": "/ready", "port": "http"}, "initialDelaySeconds": 5,
                                   "periodSeconds": 2, "failureThreshold": 4, "successThreshold": 2}


def test_https_probe_and_the_probes_that_take_the_check_beside_them(build):
    """`scheme: HTTPS` (metrics-server, webhooks: a port that serves only TLS) is the GET's
    scheme; a probe naming only timing takes it with the check beside it, one naming its own
    check does not."""
    docs = build({"apps/a.yaml": """
        kind: App
        name: metrics
        image: x/metrics:1
        ports: {https: 10250, plain: 8080}
        health:
          http: /livez
          scheme: HTTPS
          readiness: {initial_delay: 20}
          startup: {http: /started, port: plain}
        """})
    c = pod(docs[("Deployment", "metrics")])["containers"][0]
    assert c["livenessProbe"] == {"httpGet": {"path": "/livez", "port": "https", "scheme": "HTTPS"}}
    assert c["readinessProbe"] == {"httpGet": {"path": "/livez", "port": "https", "scheme": "HTTPS"},
                                   "initialDelaySeconds": 20}
    assert c["startupProbe"] == {"httpGet": {"path": "/started", "port": "plain"}}   # HTTP: Kubernetes' default


@pytest.mark.parametrize("health,code,where", [
    ("{tcp: 9999}", "SKY117", "port 9999 is not one of this container's ports"),
    ("{http: /x, port: 9100}", "SKY117", "port 9100"),
    ("{grpc: 7070, headers: {A: b}}", "SKY108", "`headers` applies to http probes only"),
    ("{http: /x, service: s}", "SKY108", "`service` applies to grpc probes only"),
    ("{tcp: 7070, scheme: HTTPS}", "SKY108", "`scheme` applies to http probes only"),
    ("{http: /x, scheme: https}", "SKY105", 'health.scheme must be one of "HTTP", "HTTPS", got "https"'),
    ("{grpc: admin}", "SKY117", 'no port named "admin"'),
])
def test_probe_port_and_field_mistakes_are_located(build, health, code, where):
    r = build({"apps/a.yaml": f"kind: App\nname: a\nimage: x:1\nports: {{grpc: 7070}}\nhealth: {health}\n"}, ok=False)
    assert r.exit_code == 1, r.output
    assert "apps/a.yaml:5:" in r.stderr and f"error[{code}]" in r.stderr and where in r.stderr, r.stderr


def test_service_port_node_port_source_ranges_and_container_name(build):
    docs = build({"apps/a.yaml": """
        kind: App
        name: frontend
        image: x/frontend:1
        container: server
        ports: {http: {port: 8080, service: 80}, admin: 9000}
        expose: {type: NodePort, node_port: 31000}
        health: /healthz
        ---
        kind: App
        name: lb
        image: x/lb:1
        port: 8443
        expose: {type: LoadBalancer, source_ranges: [10.0.0.0/8, 192.168.0.0/16]}
        """})
    svc = docs[("Service", "frontend")]["spec"]
    assert svc["type"] == "NodePort"
    assert svc["ports"] == [
        {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP", "nodePort": 31000},
        {"name": "admin", "port": 9000, "targetPort": "admin", "protocol": "TCP"}]
    c = pod(docs[("Deployment", "frontend")])["containers"][0]
    assert c["name"] == "server" and c["ports"][0]["containerPort"] == 8080
    lb = docs[("Service", "lb")]["spec"]
    assert lb["type"] == "LoadBalancer" and lb["loadBalancerSourceRanges"] == ["10.0.0.0/8", "192.168.0.0/16"]


@pytest.mark.parametrize("spec,code,line", [
    ("expose: {node_port: 31000}\n", "SKY108", 5),
    ("expose: {type: NodePort, source_ranges: [10.0.0.0/8]}\n", "SKY108", 5),
    ("container: log\nsidecars: {log: {image: y:1}}\n", "SKY110", 6),
])
def test_exposure_and_container_name_mistakes(build, spec, code, line):
    r = build({"apps/a.yaml": "kind: App\nname: a\nimage: x:1\nport: 80\n" + spec}, ok=False)
    assert r.exit_code == 1 and f"apps/a.yaml:{line}:" in r.stderr and f"error[{code}]" in r.stderr, r.stderr


APPS = """
kind: App
name: frontend
image: x/frontend:1
port: 8080
connect_to:
  emailservice: {env: EMAIL_SERVICE_ADDR}
  cart: {env: CART_URL, form: url, port: grpc}
env: {VIA_EXPR: "${apps.emailservice.address}"}
---
kind: App
name: emailservice
image: x/email:1
ports: {grpc: {port: 8080, service: 5000}}
---
kind: App
name: cart
image: x/cart:1
ports: {grpc: {port: 7070, service: 80}}
"""


def _env(c):
    return {e["name"]: e.get("value") for e in c.get("env", [])}


def test_addresses_are_the_service_port_in_kubernetes_and_the_container_port_in_compose(make_project, cli, tmp_path):
    make_project({"apps/a.yaml": APPS})
    out = tmp_path / "out"
    r = cli("build", "-o", str(out), "--env", "prod", "--format", "kubernetes,compose")
    assert r.exit_code == 0, r.output
    docs = {(d["kind"], d["metadata"]["name"]): d for d in load_docs(out / "prod" / "kubernetes")}
    assert_valid_k8s(list(docs.values()))
    kube = _env(pod(docs[("Deployment", "frontend")])["containers"][0])
    assert kube["EMAIL_SERVICE_ADDR"] == "emailservice:5000" == kube["VIA_EXPR"]
    assert kube["EMAILSERVICE_PORT"] == "5000" and kube["CART_URL"] == "http://cart:80"
    assert docs[("Service", "emailservice")]["spec"]["ports"][0]["port"] == 5000
    compose = yaml.safe_load((out / "prod" / "compose.yaml").read_text())
    local = compose["services"]["frontend"]["environment"]
    assert local["EMAIL_SERVICE_ADDR"] == "emailservice:8080" == local["VIA_EXPR"]
    assert local["EMAILSERVICE_PORT"] == "8080" and local["CART_URL"] == "http://cart:7070"
    assert "ports" not in compose["services"]["emailservice"]  # nothing new is published
    if compose_binary():
        assert compose_config(out / "prod" / "compose.yaml").returncode == 0


def test_a_connection_to_an_unknown_port_is_located(build):
    r = build({"apps/a.yaml": APPS.replace("port: grpc}", "port: http}")}, ok=False)
    assert r.exit_code == 1 and "apps/a.yaml:7:" in r.stderr and "error[SKY117]" in r.stderr, r.stderr


def test_an_address_of_a_workload_without_ports_is_located(build):
    r = build({"apps/a.yaml": "kind: App\nname: a\nimage: x:1\nenv: {B: '${apps.b.address}'}\n---\n"
                              "kind: App\nname: b\nimage: y:1\n"}, ok=False)
    assert r.exit_code == 1 and "apps/a.yaml:4:" in r.stderr and "error[SKY205]" in r.stderr, r.stderr


DISABLE = """
kind: App
name: api
image: x/api:1
port: 8080
connect_to: [search]
---
kind: App
name: search
image: x/search:1
port: 9200
autoscale: {max: 3, cpu: 70}
"""


def test_enabled_false_removes_a_workload_and_what_lowers_from_it(make_project, cli, tmp_path):
    make_project({"apps/a.yaml": DISABLE, "overlays/prod.yaml": """
        apps:
          search: {enabled: false}
          api: {connect_to: null}
        """})
    out = tmp_path / "out"
    r = cli("build", "-o", str(out), "--format", "kubernetes,compose")
    assert r.exit_code == 0, r.output
    dev = {(d["kind"], d["metadata"]["name"]) for d in load_docs(out / "dev" / "kubernetes")}
    prod = load_docs(out / "prod" / "kubernetes")
    assert_valid_k8s(prod)
    assert ("Deployment", "search") in dev and ("HorizontalPodAutoscaler", "search") in dev
    assert not [d for d in prod if d["metadata"]["name"] == "search"]   # Deployment, Service, HPA, policy
    assert not (out / "prod" / "kubernetes" / "search.yaml").exists()
    assert "search" not in yaml.safe_load((out / "prod" / "compose.yaml").read_text())["services"]
    api = [d for d in prod if d["kind"] == "Deployment"][0]
    assert "SEARCH_HOST" not in _env(pod(api)["containers"][0])


def test_connect_to_a_disabled_workload_is_an_error_at_the_connect_to_line(make_project, cli, tmp_path):
    make_project({"apps/a.yaml": DISABLE, "overlays/prod.yaml": "apps:\n  search: {enabled: false}\n"})
    r = cli("build", "-o", str(tmp_path / "out"), "--env", "prod")
    assert r.exit_code == 1
    assert "apps/a.yaml:5:" in r.stderr and "error[SKY114]" in r.stderr and "enabled: false" in r.stderr, r.stderr
    assert not (tmp_path / "out").exists()


PROJECT_FOUR = ("project: shop\nnamespace: shop\noutputs: [kubernetes, compose, helm, kustomize]\nenvironments:\n"
                "  dev: {overlays: [overlays/dev.yaml]}\n  prod: {overlays: [overlays/prod.yaml]}\n")
OBJECTS = """
kind: App
name: api
image: x/api:1
ports: {http: 8080, metrics: 9090}
replicas: 2
---
kind: ConfigMap
name: extra
data: {A: b}
---
kind: Secret
name: token
existing: true
---
kind: ServiceAccount
name: robot
---
kind: Role
name: reader
rules: [{resources: [pods], verbs: [get]}]
bind: [robot]
---
kind: NetworkPolicy
name: lock
select: {app: api}
allow_from: [{namespace: monitoring}]
---
kind: Resource
name: data
manifest:
  apiVersion: v1
  kind: PersistentVolumeClaim
  spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
kind: Observability
name: obs
apps: [api]
metrics: {port: metrics, service_monitor: true}
"""
SWITCHED = ["ConfigMap/extra", "Secret/token", "ServiceAccount/robot", "Role/reader", "NetworkPolicy/lock",
            "Resource/data", "Observability/obs"]


@pytest.mark.parametrize("off", ["dev", "prod"])   # left out of the base environment, or of the other one
def test_enabled_false_leaves_a_document_of_any_kind_out_of_an_environment_in_every_format(make_project, cli,
                                                                                           tmp_path, off):
    import collections

    from validators import helm, kubectl, strip_helm_labels

    overlay = "apps:\n" + "".join(f"  {key}: {{enabled: false}}\n" for key in SWITCHED)
    make_project({"apps/a.yaml": OBJECTS, "overlays/dev.yaml": "{}\n", "overlays/prod.yaml": "{}\n",
                  f"overlays/{off}.yaml": overlay}, project=PROJECT_FOUR)
    out = tmp_path / "out"
    r = cli("build", "-o", str(out))
    assert r.exit_code == 0, r.output
    on = "prod" if off == "dev" else "dev"
    kinds = {e: collections.Counter((d["kind"], d["metadata"]["name"]) for d in load_docs(out / e / "kubernetes"))
             for e in ("dev", "prod")}
    made = {("ConfigMap", "extra"), ("ServiceAccount", "robot"), ("Role", "reader"), ("RoleBinding", "reader"),
            ("NetworkPolicy", "lock"), ("PersistentVolumeClaim", "data"), ("ServiceMonitor", "api")}
    assert made <= set(kinds[on]) and not made & set(kinds[off])
    assert ("Service", "api") in kinds[on] and ("Service", "api") not in kinds[off]   # it was the monitor's
    for e in ("dev", "prod"):
        assert_valid_k8s(load_docs(out / e / "kubernetes"))
        assert compose_config(out / e / "compose.yaml").returncode == 0
        chart = out / "helm" / "shop"
        r = helm("template", "shop", str(chart), "--namespace", "shop", "-f", str(chart / f"values-{e}.yaml"))
        assert r.returncode == 0, r.stderr
        got = collections.Counter((o["kind"], o["metadata"]["name"]) for o in
                                  map(strip_helm_labels, yaml.safe_load_all(r.stdout)) if o)
        assert got == kinds[e], e
        r = kubectl("kustomize", str(out / "kustomize" / "overlays" / e))
        assert r.returncode == 0, r.stderr
        assert collections.Counter((o["kind"], o["metadata"]["name"]) for o in yaml.safe_load_all(r.stdout) if o) \
            == kinds[e], e
    assert helm("lint", str(out / "helm" / "shop")).returncode == 0


def test_a_reference_to_a_document_left_out_of_the_environment_is_an_error_at_the_reference(make_project, cli):
    make_project({"apps/a.yaml": OBJECTS.replace("replicas: 2\n", "replicas: 2\nenv_from: [{config: extra}]\n"
                                                 "service_account: robot\nimage_pull_secrets: [token]\n"),
                  "overlays/prod.yaml": "apps:\n  ConfigMap/extra: {enabled: false}\n"
                                        "  ServiceAccount/robot: {enabled: false}\n  Secret/token: {enabled: false}\n"})
    r = cli("check")
    assert r.exit_code == 1
    assert 'apps/a.yaml:6:11: error[SKY114]: ConfigMap "extra" is left out of environment "prod" (`enabled: false`)' \
        in r.stderr, r.stderr
    assert 'apps/a.yaml:7:18: error[SKY114]: ServiceAccount "robot" is left out of environment "prod"' in r.stderr
    assert 'apps/a.yaml:8:21: error[SKY114]: Secret "token" is left out of environment "prod"' in r.stderr
    assert "help: enable it here (overlays/prod.yaml:2:" in r.stderr
    # the Role that binds the ServiceAccount is told too, at its `bind` item
    assert 'ServiceAccount "robot" is left out of environment "prod"' in r.stderr.split("apps/a.yaml:24:")[1], r.stderr


def test_a_security_policy_cannot_be_left_out(make_project, cli):
    make_project({"apps/a.yaml": "kind: SecurityPolicy\nname: pss\nlevel: baseline\n",
                  "overlays/prod.yaml": "apps:\n  SecurityPolicy/pss: {enabled: false}\n"})
    r = cli("check")
    assert r.exit_code == 1 and "enabled" in r.stderr and "overlays/prod.yaml:2:" in r.stderr, r.stderr


# ---------------------------------------------------------------------- k8s: strategic merge

PATCHED = """
kind: App
name: api
image: x/api:1
port: 8080
replicas: 3
autoscale: {min: 3, max: 6, cpu: 70}
env: {A: "1", B: "2"}
connect_to: [db]
expose: {host: api.example.com}
k8s:
  Deployment:
    spec:
      template:
        spec:
          containers:
            - name: api
              readinessProbe: {httpGet: {path: /ready, port: http}}
              env:
                - {name: B, value: "20"}
                - {name: A, $patch: delete}
                - {name: C, value: "3"}
              ports: [{containerPort: 8080, name: http, protocol: TCP}, {containerPort: 9090, name: metrics}]
  NetworkPolicy: {metadata: {annotations: {reviewed: "yes"}}}
  HorizontalPodAutoscaler: {spec: {behavior: {scaleDown: {stabilizationWindowSeconds: 600}}}}
  PodDisruptionBudget: {metadata: {annotations: {team: core}}}
  Ingress: {spec: {ingressClassName: nginx}}
---
kind: App
name: db
image: x/db:1
port: 5432
"""


def test_k8s_patches_merge_named_items_and_reach_every_object(build):
    docs = build({"apps/a.yaml": PATCHED})
    c = pod(docs[("Deployment", "api")])["containers"][0]
    assert c["readinessProbe"] == {"httpGet": {"path": "/ready", "port": "http"}}
    assert c["securityContext"]["readOnlyRootFilesystem"] is True   # the hardening survives a container patch
    assert c["image"] == "x/api:1" and c["volumeMounts"]
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["B"] == "20" and env["C"] == "3" and "A" not in env and env["DB_HOST"] == "db"
    assert [p["containerPort"] for p in c["ports"]] == [8080, 9090]
    assert docs[("NetworkPolicy", "api-ingress")]["metadata"]["annotations"] == {"reviewed": "yes"}
    assert docs[("HorizontalPodAutoscaler", "api")]["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 600
    assert docs[("PodDisruptionBudget", "api")]["metadata"]["annotations"] == {"team": "core"}
    assert docs[("Ingress", "api")]["spec"]["ingressClassName"] == "nginx"


def test_patch_replace_directive_replaces_a_list(build):
    docs = build({"apps/a.yaml": """
        kind: App
        name: api
        image: x/api:1
        port: 8080
        expose: true
        k8s:
          Deployment:
            spec: {template: {spec: {volumes: [{$patch: replace}, {name: tmp, emptyDir: {medium: Memory}}]}}}
          Service: {spec: {ports: [{port: 8080, name: http, targetPort: http, protocol: TCP, appProtocol: http}]}}
        """})
    assert pod(docs[("Deployment", "api")])["volumes"] == [{"name": "tmp", "emptyDir": {"medium": "Memory"}}]
    assert docs[("Service", "api")]["spec"]["ports"][0]["appProtocol"] == "http"


@pytest.mark.parametrize("patch,line,message", [
    ("Servcie: {spec: {type: NodePort}}", 7, 'did you mean "Service"?'),
    ("HorizontalPodAutoscaler: {spec: {minReplicas: 1}}", 7, "produces no HorizontalPodAutoscaler"),
    ("Service: {spec: {ports: [{nodePort: 31000}]}}", 7, "needs `port`"),
    ("Deployment: {spec: {template: {spec: {containers: [{image: y:2}]}}}}", 7, "needs `name`"),
    ("Deployment: {spec: {$patch: merge-all}}", 7, "unknown `$patch: merge-all`"),
])
@pytest.mark.parametrize("fmt", ["kubernetes", "helm"])
def test_k8s_patches_that_cannot_apply_are_located(make_project, cli, tmp_path, patch, line, message, fmt):
    make_project({"apps/a.yaml": f"kind: App\nname: api\nimage: x/api:1\nport: 8080\nexpose: true\nk8s:\n  {patch}\n"})
    r = cli("build", "-o", str(tmp_path / "out"), "--format", fmt)
    assert r.exit_code == 1, r.output
    assert f"apps/a.yaml:{line}:" in r.stderr and "error[SKY124]" in r.stderr and message in r.stderr, r.stderr
    assert not (tmp_path / "out").exists()


def test_a_patched_label_or_annotation_that_is_no_string_is_located(make_project, cli, build):
    # `prometheus.io/scrape: true` unquoted in a patch: the build wrote it, and the API server
    # refuses the object ("cannot unmarshal bool into ... annotations of type string"); Helm
    # could not even parse the chart's template of it
    spec = ("kind: CronJob\nname: report\nimage: x/report:1\nschedule: '0 4 * * *'\nk8s:\n  CronJob:\n"
            "    metadata: {annotations: {owner: core}}\n"
            "    spec: {jobTemplate: {spec: {template: {metadata: {annotations: {prometheus.io/scrape: true}}}}}}\n"
            "---\nkind: App\nname: api\nimage: x/api:1\nport: 8080\nk8s:\n"
            "  Deployment: {metadata: {labels: {tier: 3}}, spec: {template: {metadata: {labels: {sidecar: [a]}}}}}\n")
    make_project({"apps/a.yaml": spec})
    r = cli("check")
    assert r.exit_code == 1
    errors = [line for line in r.stderr.splitlines() if "error[" in line]
    assert errors == [
        "apps/a.yaml:8:91: error[SKY104]: k8s.CronJob.spec.jobTemplate.spec.template.metadata.annotations."
        "prometheus.io/scrape is true: a label's or an annotation's value is a string",
        "apps/a.yaml:15:42: error[SKY104]: k8s.Deployment.metadata.labels.tier is 3: a label's or an annotation's "
        "value is a string",
        "apps/a.yaml:15:94: error[SKY104]: k8s.Deployment.spec.template.metadata.labels.sidecar is a list: a label's or "
        "an annotation's value is a string"], r.stderr
    assert 'help: quote it (`"true"`, `"8080"`)' in r.stderr
    # quoted, or null (which deletes the key, as in any strategic-merge patch), it builds
    docs = build({"apps/a.yaml": spec.replace("scrape: true", "scrape: 'true'").replace("tier: 3", "tier: '3'")
                  .replace("sidecar: [a]", "app.kubernetes.io/version: null")})
    pod = docs[("CronJob", "report")]["spec"]["jobTemplate"]["spec"]["template"]["metadata"]
    assert pod["annotations"]["prometheus.io/scrape"] == "true"
    assert docs[("Deployment", "api")]["metadata"]["labels"]["tier"] == "3"


def test_a_patch_by_kind_and_name_patches_that_object_alone(make_project, cli, tmp_path):
    # a StatefulApp makes two Services: peers find each other through the headless one, which
    # must list pods before they are ready (`publishNotReadyAddresses`); clients must not
    import collections

    from validators import helm, kubectl, strip_helm_labels

    spec = """
        kind: StatefulApp
        name: db
        image: x/db:1.0.0
        ports: {sql: 5432}
        k8s:
          Service:
            metadata: {annotations: {team: data}}
          Service/db-headless:
            spec: {publishNotReadyAddresses: true}
        """
    make_project({"apps/a.yaml": spec, "overlays/dev.yaml": "{}\n"}, project=PROJECT_FOUR)
    out = tmp_path / "out"
    r = cli("build", "-o", str(out))
    assert r.exit_code == 0, r.output
    for env in ("dev", "prod"):
        docs = load_docs(out / env / "kubernetes")
        assert_valid_k8s(docs)
        svc = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
        assert svc["db-headless"]["spec"]["publishNotReadyAddresses"] is True
        assert "publishNotReadyAddresses" not in svc["db"]["spec"]
        assert svc["db"]["metadata"]["annotations"]["team"] == svc["db-headless"]["metadata"]["annotations"]["team"]
        chart = out / "helm" / "shop"
        got = helm("template", "shop", str(chart), "-f", str(chart / f"values-{env}.yaml"))
        assert got.returncode == 0, got.stderr
        assert [o["spec"].get("publishNotReadyAddresses") for o in map(strip_helm_labels, yaml.safe_load_all(got.stdout))
                if o and o["kind"] == "Service"] == [True, None]
        got = kubectl("kustomize", str(out / "kustomize" / "overlays" / env))
        assert got.returncode == 0 and got.stdout.count("publishNotReadyAddresses: true") == 1, got.stderr
        assert compose_config(out / env / "compose.yaml").returncode == 0
    r = cli("explain", "Service/db-headless:spec.publishNotReadyAddresses", "-e", "prod")
    assert 'from db.k8s["Service/db-headless"].spec.publishNotReadyAddresses = true' in r.stdout, r.output
    # a key naming no object the spec makes: at its line, with the names it makes
    make_project({"apps/a.yaml": spec.replace("Service/db-headless", "Service/db-headles"), "overlays/dev.yaml": "{}\n"},
                 project=PROJECT_FOUR)
    r = cli("check")
    assert r.exit_code == 1
    assert 'error[SKY124]: `k8s: Service/db-headles` patches nothing: "db" produces no Service named ' \
           '"db-headles"' in r.stderr and 'help: did you mean "Service/db-headless"?' in r.stderr, r.stderr


def test_a_patch_by_kind_and_name_of_a_config_map_or_service_account(build):
    docs = build({"apps/a.yaml": """
        kind: ConfigMap
        name: cfg
        data: {a: b}
        k8s:
          ConfigMap/cfg: {metadata: {annotations: {reloader: "true"}}}
        ---
        kind: ServiceAccount
        name: robot
        k8s:
          ServiceAccount/robot: {metadata: {annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::1:role/r"}}}
        """})
    assert docs[("ConfigMap", "cfg")]["metadata"]["annotations"] == {"reloader": "true"}
    assert docs[("ServiceAccount", "robot")]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == \
        "arn:aws:iam::1:role/r"


def test_a_patch_that_weakens_the_hardening_is_listed_among_the_relaxations(make_project, cli, tmp_path):
    make_project({"apps/a.yaml": """
        kind: App
        name: api
        image: x/api:1
        port: 8080
        k8s:
          Deployment:
            spec:
              template:
                spec:
                  securityContext: {runAsNonRoot: false}
                  containers:
                    - name: api
                      securityContext: {readOnlyRootFilesystem: false, allowPrivilegeEscalation: true,
                                        capabilities: {add: [NET_BIND_SERVICE]}}
        """})
    r = cli("build", "-v", "-o", str(tmp_path / "out"), "--env", "prod", "--format", "kubernetes")
    assert r.exit_code == 0, r.output
    relaxed = r.stdout.split("relaxed defaults:")[1]
    for what in ("api writes to its root filesystem (k8s Deployment: readOnlyRootFilesystem: false, apps/a.yaml:13:",
                 "api may escalate privileges (k8s Deployment: allowPrivilegeEscalation: true",
                 "api adds capabilities (k8s Deployment: capabilities.add: ['NET_BIND_SERVICE'], apps/a.yaml:14:",
                 "api may run as root (k8s Deployment: runAsNonRoot: false, apps/a.yaml:10:"):
        assert what in relaxed, r.stdout


# ---------------------------------------------------------------------- fixes

def test_a_finding_on_a_value_of_the_built_in_profile_is_reported_in_the_users_file(make_project, cli, tmp_path):
    project = "project: demo\nnamespace: demo\nspecs: ['apps/*']\nnode: {cpu: 200m, memory: 8Gi}\n" \
              "environments:\n  prod: {overlays: []}\n"
    make_project({"apps/a.yaml": "kind: App\nname: api\nimage: x/api:1\nport: 8080\nresources: {cpu_limit: '1'}\n"
                                 "---\nkind: App\nname: web\nimage: x/web:1\nport: 8080\n"}, project=project)
    r = cli("build", "-o", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert "apps/a.yaml:5:12: error[SKY303]: api: CPU request 250m" in r.stderr, r.stderr   # the user's `resources:`
    assert "apps/a.yaml:7:1: error[SKY303]: web" in r.stderr, r.stderr  # its document
    assert "overlays/prod.yaml" not in r.stderr and "stdlib/" not in r.stderr


@pytest.mark.parametrize("query,expect", [
    ("Deployment/api:spec.template.spec.containers[0].env", "from api.env.LOG_LEVEL"),
    ("Deployment/api:spec.template.spec.containers[0].ports", "from api.ports.http"),
    ("Service/api:spec.ports", "from api.ports.metrics"),
    ("Deployment/api:spec.template.spec.containers", "Deployment/api:spec.template.spec.containers = "),
    ("api.ports", "api.ports = "),
])
def test_explain_answers_for_list_fields(cli, query, expect):
    from conftest import EXAMPLES
    r = cli("explain", query, str(EXAMPLES / "shop"), "--env", "prod")
    assert r.exit_code == 0 and expect in r.stdout, r.output


def test_a_probe_without_a_check_takes_the_check_beside_it(build):
    """Probes that differ only in timing (Sock Shop: liveness after 300 s, readiness after 180 s,
    both GET /health every 3 s) say only the timing; it was an error ("needs exactly one of
    http, tcp, grpc, exec"). A probe with its own check keeps it, headers and all."""
    docs = build({"apps/a.yaml": """
        kind: App
        name: catalogue
        image: x/catalogue:1
        ports: {http: 80, admin: 9000}
        health:
          http: /health
          headers: {X-Probe: "1"}
          period: 3
          liveness: {initial_delay: 300}
          readiness: {initial_delay: 180, timeout: 2}
          startup: {tcp: admin}
        """})
    c = pod(docs[("Deployment", "catalogue")])["containers"][0]
    get = {"path": "/health", "port": "http", "httpHeaders": [{"name": "X-Probe", "value": "1"}]}
    assert c["livenessProbe"] == {"httpGet": get, "initialDelaySeconds": 300, "periodSeconds": 3}
    assert c["readinessProbe"] == {"httpGet": get, "initialDelaySeconds": 180, "periodSeconds": 3, "timeoutSeconds": 2}
    assert c["startupProbe"] == {"tcpSocket": {"port": "admin"}, "periodSeconds": 3}


def test_a_probe_without_a_check_and_none_beside_it_is_located(build):
    r = build({"apps/a.yaml": "kind: App\nname: a\nimage: x:1\nport: 80\nhealth:\n  period: 3\n"
                              "  liveness: {initial_delay: 30}\n"}, ok=False)
    assert r.exit_code == 1 and "apps/a.yaml:7:" in r.stderr and "health.liveness needs exactly one of" in r.stderr
