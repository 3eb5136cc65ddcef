"""The system check (`skyspec.syscheck`): as the last pass of every build (located at the
spec) and as `skyspec verify DIR` on any folder of manifests (located at file and object).
Clean on the shop's output and on two foreign systems; one defect per broken case."""

import copy
import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ROOT

DATA = ROOT / "tests" / "data"

SYSTEM = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: x/web:1
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: http}}
        env: [{name: API_ADDR, value: "api:9090"}]
        envFrom: [{configMapRef: {name: web-config}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: demo}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: x/api:1
        ports: [{name: grpc, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: demo}
spec:
  selector: {app: api}
  ports: [{name: grpc, port: 9090, targetPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: demo}
data: {A: b}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: demo}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: demo}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: demo}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: grpc}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: demo}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]}]
"""


def objects():
    return [d for d in yaml.safe_load_all(SYSTEM) if d]


def find(objs, kind, name):
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)


def container(objs, name):
    return find(objs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]


def write(tmp_path, objs) -> Path:
    d = tmp_path / "m"
    d.mkdir(exist_ok=True)
    (d / "all.yaml").write_text(yaml.safe_dump_all(objs, sort_keys=False))
    return d


def verify(cli, directory, *args):
    r = cli("verify", str(directory), "--diagnostics-format", "json", *args)
    return r.exit_code, json.loads(r.stdout or "[]")


def test_the_sample_system_is_clean(cli, tmp_path):
    code, diags = verify(cli, write(tmp_path, objects()))
    assert code == 0 and diags == []


def _selector(o):
    find(o, "Service", "api")["spec"]["selector"] = {"app": "apii"}


def _target(o):
    find(o, "Service", "web")["spec"]["ports"][0]["targetPort"] = "htp"


def _probe(o):
    container(o, "web")["readinessProbe"]["httpGet"]["port"] = "health"


def _address(o):
    container(o, "web")["env"][0]["value"] = "api:8080"


def _backend(o):
    find(o, "Ingress", "web")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = {"number": 8080}


def _config(o):
    o.remove(find(o, "ConfigMap", "web-config"))


def _policy(o):
    find(o, "NetworkPolicy", "api")["spec"]["ingress"][0]["ports"] = [{"port": 9090}]  # the Service port: wrong


def _controller(o):
    find(o, "NetworkPolicy", "web")["spec"]["ingress"][0]["from"] = [{"podSelector": {}}]  # own namespace only


def _egress(o):
    o.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "out", "namespace": "demo"},
              "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                       "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}})


def _load_balancer(o):
    find(o, "Service", "web")["spec"]["type"] = "LoadBalancer"


def _init_port(o):
    # the port the Service names is declared by an init container that runs to completion
    # first (it serves nothing), and the web container does not declare it
    pod = find(o, "Deployment", "web")["spec"]["template"]["spec"]
    pod["initContainers"] = [{"name": "warm", "image": "x/warm:1", "ports": [{"name": "http", "containerPort": 80}]}]
    pod["containers"][0]["ports"] = [{"name": "web", "containerPort": 8080}]
    pod["containers"][0]["readinessProbe"]["httpGet"]["port"] = "web"


def _twice(o):
    o.append(copy.deepcopy(find(o, "NetworkPolicy", "web")))
    o[-1]["spec"]["ingress"] = [{"from": [{"podSelector": {}}]}]  # applied last, it would replace the first


@pytest.mark.parametrize("defect,code,words", [
    (_selector, "SKY160", "Service/api selects no pod"),
    (_target, "SKY161", 'targets port "htp"'),
    (_probe, "SKY161", 'names port "health"'),
    (_address, "SKY161", "connects to port 8080 of Service/api, which has ports 9090"),
    (_backend, "SKY161", "routes to port 8080 of Service/web"),
    (_config, "SKY162", 'uses ConfigMap "web-config"'),
    (_policy, "SKY163", "Deployment/api does not admit traffic from Deployment/web to port 8080"),
    (_controller, "SKY163", "from namespace ingress-nginx"),
    (_egress, "SKY163", "no egress rule of NetworkPolicy/out"),
    (_load_balancer, "SKY163", "from outside the cluster"),
    (_twice, "SKY110", "NetworkPolicy/web is made twice in namespace demo"),
    (_init_port, "SKY161", 'targets port "http", which Deployment/web does not declare'),
])
def test_one_defect_one_finding(cli, tmp_path, defect, code, words):
    objs = objects()
    defect(objs)
    status, diags = verify(cli, write(tmp_path, objs))
    assert status == 1
    assert [(d["code"], d["severity"]) for d in diags] == [(code, "error")], diags
    assert words in diags[0]["message"] and diags[0]["file"].endswith("all.yaml") and diags[0]["line"] >= 1
    if code == "SKY110":   # and where the first of the two is
        (note,) = diags[0]["notes"]
        assert note.startswith("the other one is at ") and note.rsplit("/", 1)[-1].startswith("all.yaml:")
        assert int(note.rsplit(":", 1)[-1]) < diags[0]["line"]


def test_a_service_port_is_named_by_the_containers_first_then_by_native_sidecars(cli, tmp_path):
    """Kubernetes resolves a Service's named `targetPort` against the pod's containers, then
    its native sidecars (init containers that restart `Always`); an init container that runs
    to completion serves nothing. An init container naming a port `http` too was taken for the
    target: a policy admitting the container's port was reported as not admitting it (found
    importing skyspec's own build, fuzz seed 44 case 2896)."""
    objs = objects()
    pod = find(objs, "Deployment", "web")["spec"]["template"]["spec"]
    pod["initContainers"] = [{"name": "warm", "image": "x/warm:1", "ports": [{"name": "http", "containerPort": 80}]}]
    find(objs, "NetworkPolicy", "web")["spec"]["ingress"][0]["ports"] = [{"port": 8080}]
    status, diags = verify(cli, write(tmp_path, objs))
    assert (status, diags) == (0, []), diags
    # a native sidecar's port serves, when no container has the name
    _init_port(objs)
    find(objs, "Deployment", "web")["spec"]["template"]["spec"]["initContainers"][0]["restartPolicy"] = "Always"
    find(objs, "NetworkPolicy", "web")["spec"]["ingress"][0]["ports"] = [{"port": 80}]
    status, diags = verify(cli, write(tmp_path, objs))
    assert (status, diags) == (0, []), diags


def test_a_named_port_some_of_the_selected_pods_lack_is_a_warning_and_all_of_them_an_error(cli, tmp_path):
    """Kubernetes sends a Service port with a named `targetPort` to the selected pods that
    declare the name, and leaves the others out of it: hazelcast-jet's metrics Service selects
    the members (which declare `metrics`) and the management center (which does not)."""
    objs = objects()
    objs.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "metrics", "namespace": "demo"},
                 "spec": {"selector": {"tier": "all"}, "ports": [{"name": "grpc", "port": 9000, "targetPort": "grpc"}]}})
    for name in ("web", "api"):
        find(objs, "Deployment", name)["spec"]["template"]["metadata"]["labels"]["tier"] = "all"
    status, diags = verify(cli, write(tmp_path, objs))
    assert status == 0 and [(d["code"], d["severity"]) for d in diags] == [("SKY161", "warning")], diags
    assert diags[0]["message"].endswith('Service/metrics targets port "grpc", which Deployment/web does not declare: '
                                        "its pods get none of that port's traffic")
    container(objs, "api")["ports"][0]["name"] = "rpc"   # now no selected pod declares it
    status, diags = verify(cli, write(tmp_path, objs))
    assert status == 1 and sorted((d["code"], d["severity"], d["message"].split(", which ")[1]) for d in diags
                                  if "Service/metrics" in d["message"]) == [
        ("SKY161", "error", "Deployment/api does not declare"), ("SKY161", "error", "Deployment/web does not declare")]


def test_existing_objects_and_namespaces(cli, tmp_path):
    objs = objects()
    _config(objs)
    d = write(tmp_path, objs)
    assert verify(cli, d, "--existing", "ConfigMap/web-config")[0] == 0
    # a policy admitting a namespace by its labels: the Namespace object says which it has
    objs = objects()
    find(objs, "NetworkPolicy", "web")["spec"]["ingress"][0]["from"] = [
        {"namespaceSelector": {"matchExpressions": [{"key": "role", "operator": "In", "values": ["edge"]}]}}]
    assert verify(cli, write(tmp_path, objs))[0] == 1
    objs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ingress-nginx", "labels": {"role": "edge"}}})
    assert verify(cli, write(tmp_path, objs))[0] == 0


def test_foreign_systems_are_clean(cli, tmp_path):
    code, diags = verify(cli, DATA / "sock-shop")
    assert code == 0 and [d for d in diags if d["severity"] == "error"] == []
    pod = tmp_path / "podinfo"
    pod.mkdir()
    for f in ("deployment.yaml", "service.yaml", "hpa.yaml"):
        shutil.copy(DATA / "podinfo" / f, pod / f)
    code, diags = verify(cli, pod)
    assert code == 0 and diags == []


def test_a_broken_foreign_system_is_reported_at_its_file_and_object(cli, tmp_path):
    text = (DATA / "sock-shop" / "complete-demo.yaml").read_text()
    objs = [d for d in yaml.safe_load_all(text) if d]
    svc = next(o for o in objs if o["kind"] == "Service" and o["metadata"]["name"] == "carts")
    svc["spec"]["selector"] = {"name": "cart"}
    code, diags = verify(cli, write(tmp_path, objs))
    assert code == 1 and [d["code"] for d in diags] == ["SKY160"]
    assert diags[0]["message"].startswith("Service/carts: ")


def test_a_service_per_statefulset_pod_selects_it_by_the_controllers_labels(cli, tmp_path):
    # helm stable/redis-ha: a Service per pod selects `statefulset.kubernetes.io/pod-name`,
    # which the StatefulSet controller puts on each pod; the check said it selected no pod
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "demo"},
           "spec": {"replicas": 3, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                    "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [
                        {"name": "db", "image": "x/db:1", "ports": [{"containerPort": 6379}]}]}}}}

    def per_pod(name, sel):
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "demo"},
                "spec": {"selector": sel, "ports": [{"port": 6379}]}}
    objs = [sts, per_pod("db-0", {"app": "db", "statefulset.kubernetes.io/pod-name": "db-0"}),
            per_pod("db-2", {"statefulset.kubernetes.io/pod-name": "db-2"}),
            per_pod("db-i1", {"app": "db", "apps.kubernetes.io/pod-index": "1"})]
    code, diags = verify(cli, write(tmp_path, objs))
    assert code == 0 and diags == [], diags
    # an ordinal the StatefulSet does not have, or another StatefulSet's pod, selects nothing
    for sel in ({"statefulset.kubernetes.io/pod-name": "db-3"}, {"statefulset.kubernetes.io/pod-name": "cache-0"},
                {"app": "db", "apps.kubernetes.io/pod-index": "03"}):
        code, diags = verify(cli, write(tmp_path, [sts, per_pod("x", sel)]))
        assert code == 1 and [d["code"] for d in diags] == ["SKY160"], (sel, diags)


def test_a_service_of_a_label_set_at_runtime_is_a_warning(cli, tmp_path):
    # vault's `vault-server-active` selects its pods and `vault-active: "true"`, which the active
    # member sets on its own pod through the API: the check said it selected no pod (an error),
    # and the importer refused the chart. A key no pod template has is a warning; a key the
    # template sets to another value still selects nothing
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "vault", "namespace": "demo"},
           "spec": {"replicas": 3, "serviceName": "vault", "selector": {"matchLabels": {"app": "vault"}},
                    "template": {"metadata": {"labels": {"app": "vault", "tier": "server"}}, "spec": {"containers": [
                        {"name": "vault", "image": "x/vault:1", "ports": [{"name": "http", "containerPort": 8200}]}]}}}}

    def svc(sel, target="http"):
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "vault-active", "namespace": "demo"},
                "spec": {"selector": sel, "ports": [{"port": 8200, "targetPort": target}]}}
    code, diags = verify(cli, write(tmp_path, [sts, svc({"app": "vault", "vault-active": "true"})]))
    assert code == 0 and [(d["code"], d["severity"]) for d in diags] == [("SKY160", "warning")], diags
    assert "selects the pods of StatefulSet/vault only once they carry vault-active=true, which their template " \
           "does not set" in diags[0]["message"]
    # the ports are checked on those pods
    code, diags = verify(cli, write(tmp_path, [sts, svc({"app": "vault", "vault-active": "true"}, "api")]))
    assert code == 1 and [d["code"] for d in diags] == ["SKY160", "SKY161"], diags
    # a key another template of the namespace sets is the selector's mistake, not a runtime label
    # (it was a warning naming every pod of the namespace the other keys matched)
    other = {**sts, "kind": "Deployment", "metadata": {"name": "agent", "namespace": "demo"},
             "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {
                 "metadata": {"labels": {"app": "agent", "role": "leader"}},
                 "spec": {"containers": [{"name": "agent", "image": "x/agent:1"}]}}}}
    for sel in ({"app": "vault", "tier": "client"}, {"app": "other", "vault-active": "true"},
                {"app": "vault", "role": "leader"}):
        code, diags = verify(cli, write(tmp_path, [sts, other, svc(sel)]))
        assert code == 1 and [(d["code"], d["severity"]) for d in diags] == [("SKY160", "error")], (sel, diags)


def test_verify_reports_unreadable_input_without_traceback(cli, tmp_path):
    d = tmp_path / "e"
    d.mkdir()
    r = cli("verify", str(d))
    assert r.exit_code == 1 and "SKY164" in r.output
    (d / "x.yaml").write_text("kind: [\n")
    r = cli("verify", str(d))
    assert r.exit_code == 1 and "SKY001" in r.output


def test_the_shop_output_passes_verify(cli, tmp_path):
    r = cli("build", str(EXAMPLES / "shop"), "-o", str(tmp_path / "o"), "--format", "kubernetes")
    assert r.exit_code == 0 and "SKY16" not in r.output, r.output
    for env in ("dev", "qa", "prod", "prod.eu-west"):
        code, diags = verify(cli, tmp_path / "o" / env / "kubernetes", "--existing", "Secret/shop-db")
        assert code == 0 and diags == [], (env, diags)
    # dev's database password is supplied at deploy time: the files alone do not have it
    code, diags = verify(cli, tmp_path / "o" / "dev" / "kubernetes")
    assert code == 1 and {d["code"] for d in diags} == {"SKY162"} and 'Secret "shop-db"' in diags[0]["message"]


APP = "kind: App\nname: api\nimage: x/api:1\nport: 8080\n"
WEB = "---\nkind: App\nname: web\nimage: x/web:1\nport: 8080\nconnect_to: [api]\n"


def test_the_pass_reports_at_the_patch_that_broke_the_service(make_project, cli):
    make_project({"apps/a.yaml": APP + "k8s:\n  Service: {spec: {selector: {app: nope}}}\n" + WEB})
    r = cli("check", "--env", "dev", "--diagnostics-format", "json")
    found = [d for d in json.loads(r.stdout) if d["code"].startswith("SKY16")]
    assert [(d["code"], d["file"], d["line"]) for d in found] == [("SKY160", "apps/a.yaml", 6)], found  # the patch


def test_an_object_made_twice_is_reported_at_the_spec_that_named_it(make_project, cli, tmp_path):
    # a NetworkPolicy spec named as the policy skyspec makes for `api`: the output held two
    # `api-ingress` policies, kubectl applying the second over the first and Kustomize refusing both
    pol = "---\nkind: NetworkPolicy\nname: api-ingress\nselect: {app: api}\nallow_from: [{app: web}]\nports: [8080]\n"
    make_project({"apps/a.yaml": APP + WEB + pol})
    r = cli("check", "--env", "dev", "--diagnostics-format", "json")
    found = [(d["code"], d["file"], d["line"], d["message"]) for d in json.loads(r.stdout) if d["severity"] == "error"]
    assert found == [("SKY110", "apps/a.yaml", 13, "NetworkPolicy/api-ingress is made twice in namespace demo: "
                      "`kubectl apply` keeps the last one written, and Kustomize refuses the tree")], found
    (twice,) = [d for d in json.loads(r.stdout) if d["code"] == "SKY110"]
    assert twice["notes"] == ["the other one is made for apps/a.yaml:1"]   # App api, whose own policy it is
    # a Resource of the identity of a made object: at its manifest
    svc = ("---\nkind: StatefulApp\nname: db\nimage: x/db:1\nport: 5432\nstorage: {data: 1Gi}\n"
           "---\nkind: Resource\nname: hl\nmanifest:\n  apiVersion: v1\n  kind: Service\n"
           "  metadata: {name: db-headless}\n  spec: {clusterIP: None, selector: {app.kubernetes.io/name: db}, ports: [{port: 5432}]}\n")
    make_project({"apps/a.yaml": APP + WEB + svc})
    r = cli("check", "--env", "dev", "--diagnostics-format", "json")
    found = [(d["code"], d["line"], d["message"][:40]) for d in json.loads(r.stdout) if d["severity"] == "error"]
    assert found == [("SKY110", 21, "Service/db-headless is made twice in nam")], found
    r = cli("check", "--env", "dev")
    assert r.exit_code == 1


def test_the_pass_reports_a_denied_connection_at_connect_to(make_project, cli):
    deny = ("---\nkind: Resource\nname: no-egress\nmanifest:\n  apiVersion: networking.k8s.io/v1\n"
            "  kind: NetworkPolicy\n  metadata: {name: no-egress}\n"
            "  spec: {podSelector: {}, policyTypes: [Egress]}\n")
    make_project({"apps/a.yaml": APP + WEB + deny})
    r = cli("check", "--env", "dev", "--diagnostics-format", "json")
    found = [d for d in json.loads(r.stdout) if d["code"].startswith("SKY16")]
    assert [(d["code"], d["line"]) for d in found] == [("SKY163", 10)], found
    assert "no egress rule of NetworkPolicy/no-egress" in found[0]["message"]


def test_the_namespaces_root_ca_config_map_is_there_without_a_manifest(cli, tmp_path):
    """Kubernetes (1.20+) publishes `kube-root-ca.crt` in every namespace: a pod mounting it
    (as client libraries' projected volumes do) uses nothing missing. Another ConfigMap of no
    manifest is still reported."""
    objs = objects()
    spec = find(objs, "Deployment", "web")["spec"]["template"]["spec"]
    spec["volumes"] = [{"name": "ca", "configMap": {"name": "kube-root-ca.crt"}}]
    find(objs, "Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["envFrom"] = []
    assert verify(cli, write(tmp_path, objs)) == (0, [])
    spec["volumes"] = [{"name": "ca", "configMap": {"name": "kube-root-ca"}}]
    code, diags = verify(cli, write(tmp_path, objs))
    assert code == 1 and [d["code"] for d in diags] == ["SKY162"] and "kube-root-ca" in diags[0]["message"]


def test_a_service_of_an_operators_pods_is_a_warning_beside_a_custom_resource(cli, tmp_path):
    """A Service selecting pods no workload here makes is an error (SKY160), unless the
    namespace holds a custom resource: an operator may make those pods from it (a Prometheus
    of the Prometheus operator, selected by `prometheus: main`). Then it is a warning naming
    the resource; a custom resource of another namespace does not count."""
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "prometheus", "namespace": "demo"},
           "spec": {"selector": {"prometheus": "main"}, "ports": [{"port": 9090}]}}
    cr = {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": {"name": "main", "namespace": "demo"},
          "spec": {"replicas": 2}}
    code, diags = verify(cli, write(tmp_path, objects() + [svc]))
    assert code == 1 and [(d["code"], d["severity"]) for d in diags] == [("SKY160", "error")]
    code, diags = verify(cli, write(tmp_path, objects() + [svc, cr]))
    assert code == 0 and [(d["code"], d["severity"]) for d in diags] == [("SKY160", "warning")]
    assert "Prometheus/main is a custom resource" in diags[0]["message"]
    elsewhere = {**cr, "metadata": {"name": "main", "namespace": "other"}}
    code, diags = verify(cli, write(tmp_path, objects() + [svc, elsewhere]))
    assert code == 1 and [(d["code"], d["severity"]) for d in diags] == [("SKY160", "error")]
    # a custom resource no operator makes pods from (a ServiceMonitor, as Observability writes) does not count
    monitor = {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
               "metadata": {"name": "web", "namespace": "demo"}, "spec": {"selector": {"matchLabels": {"app": "web"}}}}
    code, diags = verify(cli, write(tmp_path, objects() + [svc, monitor]))
    assert code == 1 and [(d["code"], d["severity"]) for d in diags] == [("SKY160", "error")]


def test_an_object_whose_file_name_is_taken_is_written_under_another(make_project, cli, tmp_path):
    """Every object of the build is written: one whose file name another took gets a number.
    An App named `namespace` beside the Namespace a SecurityPolicy makes, and a Resource
    holding a ConfigMap named as a ConfigMap spec, each overwrote the other's file: the
    Deployment, or the ConfigMap, was missing from all three Kubernetes formats, and `check`
    passed (the system check never saw the two)."""
    from test_import_legacy import build_and_validate

    cm = ("---\nkind: ConfigMap\nname: settings\ndata: {a: '1'}\n---\nkind: Resource\nname: settings\nmanifest:\n"
          "  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: settings, namespace: other}\n  data: {a: '2'}\n")
    sp = "---\nkind: SecurityPolicy\nname: strict\nlevel: restricted\n"
    root = make_project({"apps/a.yaml": "kind: App\nname: namespace\nimage: x/api:1\nport: 8080\n" + sp + cm},
                        project="project: demo\nnamespace: demo\nspecs: [apps/*]\nenvironments: {dev: {}}\n"
                                "outputs: [kubernetes]\n")
    built = build_and_validate(root, tmp_path, env="dev")   # Helm and Kustomize give the same objects
    got = sorted((d["kind"], d["metadata"]["name"], d["metadata"].get("namespace")) for d in built
                 if d["kind"] in ("ConfigMap", "Deployment", "Namespace"))
    assert got == [("ConfigMap", "settings", "demo"), ("ConfigMap", "settings", "other"),
                   ("Deployment", "namespace", "demo"), ("Namespace", "demo", None)]
    files = sorted(p.name for p in (tmp_path / "built" / "dev" / "kubernetes").iterdir())
    assert {"namespace.yaml", "namespace.2.yaml", "configmap.settings.yaml", "configmap.settings.2.yaml"} <= set(files)
    # the same ConfigMap twice in one namespace: now seen, and refused
    make_project({"apps/a.yaml": APP + cm.replace("namespace: other", "namespace: demo")})
    r = cli("check", "--env", "dev", "--diagnostics-format", "json")
    found = [(d["code"], d["message"][:50]) for d in json.loads(r.stdout) if d["severity"] == "error"]
    assert found == [("SKY110", "ConfigMap/settings is made twice in namespace demo")], found


@pytest.mark.parametrize("probe,hit", [
    ({"exec": {"command": ["curl", "-f", "http://web:80/healthz"]}}, "web"),
    ({"exec": {"command": ["sh", "-c", "wget -qO- http://web.demo.svc.cluster.local/ready || exit 1"]}},
     "web.demo.svc.cluster.local"),
    ({"exec": {"command": ["redis-cli", "-h", "web", "ping"]}}, "web"),
    ({"httpGet": {"host": "web.demo", "path": "/", "port": "http"}}, "web.demo"),
    # no finding: localhost, another workload's Service, a path or process named like it
    ({"exec": {"command": ["curl", "-f", "http://localhost:8080/"]}}, None),
    ({"exec": {"command": ["curl", "-f", "http://api:9090/"]}}, None),
    ({"exec": {"command": ["/opt/web/bin/ready", "web"]}}, None),
])
def test_a_probe_calling_a_service_of_its_own_pods_is_a_warning(cli, tmp_path, probe, hit):
    """Spring PetClinic's Compose healthcheck `curl -I http://config-server:8888` works in
    Compose (a container's own name is itself) and never passes on Kubernetes: the name is a
    Service, which sends traffic only to ready pods."""
    objs = objects()
    container(objs, "web")["readinessProbe"] = probe
    status, diags = verify(cli, write(tmp_path, objs))
    found = [d for d in diags if d["code"] == "SKY165"]
    if hit is None:
        assert status == 0 and diags == [], diags
        return
    assert status == 0 and [d["severity"] for d in found] == ["warning"] and found[0]["file"].endswith("all.yaml")
    assert f"the readinessProbe of container \"web\" in Deployment/web calls {hit}, Service/web" in found[0]["message"]
    assert found[0]["hint"] == "call localhost: a probe runs in the pod"
    # a Service that publishes the addresses of pods not ready reaches them: no finding
    find(objs, "Service", "web")["spec"]["publishNotReadyAddresses"] = True
    status, diags = verify(cli, write(tmp_path, objs))
    assert [d for d in diags if d["code"] == "SKY165"] == []


def test_a_container_mounting_two_volumes_at_one_path(cli, tmp_path):
    objs = objects()
    pod = find(objs, "Deployment", "web")["spec"]["template"]["spec"]
    pod.setdefault("volumes", []).extend([{"name": "a", "emptyDir": {}}, {"name": "b", "emptyDir": {}}])
    container(objs, "web").setdefault("volumeMounts", []).extend([{"name": "a", "mountPath": "/srv/x"},
                                                                  {"name": "b", "mountPath": "/srv/x/"}])
    status, diags = verify(cli, write(tmp_path, objs))
    assert status == 1 and [(d["code"], d["severity"]) for d in diags] == [("SKY166", "error")], diags
    assert 'container "web" of Deployment/web mounts volumes "a" and "b" both at /srv/x' in diags[0]["message"]
    container(objs, "web")["volumeMounts"][-1]["mountPath"] = "/srv/y"
    assert verify(cli, write(tmp_path, objs)) == (0, [])


def test_a_service_of_runtime_labels_only_selects_the_pods_declaring_its_named_port(cli, tmp_path):
    """longhorn-manager labels its own pods `longhorn.io/admission-webhook=...` at run time, and
    a Service selects that label alone, targeting the port `admission-wh` the manager declares:
    an error (and the import refused Longhorn). It is the warning a runtime label gets; a
    selector no template's label key and no named port points at stays an error."""
    objs = objects()
    container(objs, "web")["ports"].append({"containerPort": 9502, "name": "admission-wh"})
    objs.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "hook", "namespace": "demo"},
                 "spec": {"selector": {"longhorn.io/admission-webhook": "hook"},
                          "ports": [{"port": 9502, "targetPort": "admission-wh"}]}})
    status, diags = verify(cli, write(tmp_path, objs))
    found = [d for d in diags if d["code"] == "SKY160"]
    assert status == 0 and [d["severity"] for d in found] == ["warning"], diags
    assert "Service/hook selects the pods of Deployment/web only once they carry longhorn.io/admission-webhook=hook" \
        in found[0]["message"]
    objs[-1]["spec"]["ports"][0]["targetPort"] = "other"
    status, diags = verify(cli, write(tmp_path, objs))
    assert status == 1 and [(d["code"], d["severity"]) for d in diags if d["code"] == "SKY160"] == [("SKY160", "error")]
