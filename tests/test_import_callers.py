"""Callers of the input's pods that no manifest declares as one. skyspec's default deny admits
only what the project says; the importer admits what the input declares the API server calls
(a webhook configuration, an APIService), but real systems are called besides: Kyverno's
admission controller registers its own webhooks at run time (the chart ships none), `kubeseal
--fetch-cert` and kubernetes-dashboard's api reach their Services through the API server's
service proxy, and Prometheus scrapes what a kept ServiceMonitor or PodMonitor, or the pods' own
scrape annotations, name. The imports validated and would not have run: each system here is
imported, built in every format and validated, and its admission computed by the system check,
as Kubernetes computes it."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.importer import import_kubernetes
from skyspec.syscheck import EXTERNAL, System, admitted, pods, target_port


def _deployment(name: str, ns: str, ports: str, extra: str = "") -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}{extra}}}
    spec:
      serviceAccountName: {name}
      containers: [{{name: {name}, image: ghcr.io/acme/{name}:1.0, ports: {ports}}}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: {name}, namespace: {ns}}}
"""


def _import_and_build(tmp_path, text: str) -> tuple[str, list[dict], object]:
    """(what the import said, the built Kubernetes objects, the project's folder)."""
    from test_import_legacy import build_and_validate

    (tmp_path / "in.yaml").write_text(text)
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "in.yaml"), "-o", str(out), "--name", "p"])
    assert res.exit_code == 0, res.output
    return " ".join(res.output.split()), build_and_validate(out, tmp_path, "default"), out


def _reaches(objs: list[dict], namespace: str, source, target: str, port: int) -> bool:
    """Whether ``source`` (EXTERNAL, or a namespace's pod of unknown labels) may open a
    connection to ``target``'s pods on ``port``, as Kubernetes computes it."""
    sys_ = System(objs, namespace)
    pod = next(p for p in pods(sys_) if p.obj["metadata"]["name"] == target)
    assert any(c["containerPort"] == port for c in pod.ports()), (target, port)
    policies = [o for o in objs if o["kind"] == "NetworkPolicy"]
    return admitted(sys_, policies, {}, source, pod, target_port(pod, {"port": port, "targetPort": port}))[0]


REGISTERS = _deployment("engine", "policy",
                        "[{name: https, containerPort: 9443}, {name: metrics, containerPort: 8000}]") + """\
---
apiVersion: v1
kind: Service
metadata: {name: engine-svc, namespace: policy}
spec: {selector: {app: engine}, ports: [{name: https, port: 443, targetPort: https}]}
---
apiVersion: v1
kind: Service
metadata: {name: engine-metrics, namespace: policy}
spec: {selector: {app: engine}, ports: [{name: metrics, port: 8000, targetPort: metrics}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: engine}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.acme.dev/aggregate-to-engine: "true"}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: engine-core, labels: {rbac.acme.dev/aggregate-to-engine: "true"}}
rules:
- apiGroups: [admissionregistration.k8s.io]
  resources: [validatingwebhookconfigurations, mutatingwebhookconfigurations]
  verbs: [create, delete, get, list, patch, update, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: engine}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: engine}
subjects: [{kind: ServiceAccount, name: engine, namespace: policy}]
---
""" + _deployment("injector", "policy", "[{name: https, containerPort: 10250}]") + """\
---
apiVersion: v1
kind: Service
metadata: {name: injector, namespace: policy}
spec: {selector: {app: injector}, ports: [{port: 443, targetPort: https}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: injector}
rules:
- apiGroups: [admissionregistration.k8s.io]
  resources: [validatingwebhookconfigurations]
  verbs: [get, list, watch, update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: injector}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: injector}
subjects: [{kind: ServiceAccount, name: injector, namespace: policy}]
---
""" + _deployment("scoped", "policy", "[{name: https, containerPort: 9443}]") + """\
---
apiVersion: v1
kind: Service
metadata: {name: scoped, namespace: policy}
spec: {selector: {app: scoped}, ports: [{port: 443, targetPort: https}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: scoped, namespace: policy}
rules:
- apiGroups: [admissionregistration.k8s.io]
  resources: [validatingwebhookconfigurations]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: scoped, namespace: policy}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: scoped}
subjects: [{kind: ServiceAccount, name: scoped, namespace: policy}]
"""


def test_a_workload_that_registers_its_own_webhooks_is_called_by_the_api_server(tmp_path):
    """Kyverno's pattern: engine's ServiceAccount may create webhook configurations (an
    aggregated ClusterRole, bound cluster-wide), and the input holds none: engine registers
    them at run time, on its Service's 443 (the container's 9443), and the API server calls
    it from the control plane. Its metrics Service's port stays closed to the outside. A CA
    injector (update and patch only: it keeps configurations the input declares) and a
    Role's grant (webhook configurations are cluster-wide: a RoleBinding grants none)
    register nothing."""
    said, k8s, out = _import_and_build(tmp_path, REGISTERS)
    assert _reaches(k8s, "policy", EXTERNAL, "engine", 9443)
    assert not _reaches(k8s, "policy", EXTERNAL, "engine", 8000)
    assert not _reaches(k8s, "policy", EXTERNAL, "injector", 10250)
    assert not _reaches(k8s, "policy", EXTERNAL, "scoped", 9443)
    assert _reaches(k8s, "policy", "policy", "scoped", 9443)   # (the namespace's pods, as in the input)
    assert "NetworkPolicy engine-from-api-server admits any address to engine on port 9443: ServiceAccount engine, " \
           "which its pods run as, may create webhook configurations (ClusterRole engine-core, aggregated into " \
           "ClusterRole engine, bound by ClusterRoleBinding engine): it registers webhooks of its own, which the " \
           "API server calls through Service engine-svc, from outside the pod network" in said
    doc = yaml.safe_load((out / "apps" / "networkpolicy.engine-from-api-server.yaml").read_text())
    assert (doc["select"], doc["allow_from"], doc["ports"]) == \
        ({"app": "engine"}, [{"cidr": "0.0.0.0/0"}, {"cidr": "::/0"}], [9443])
    assert sorted(p.name for p in (out / "apps").glob("networkpolicy.*-from-api-server.yaml")) == \
        ["networkpolicy.engine-from-api-server.yaml"]

def test_every_service_the_api_server_calls_of_one_workload_is_admitted(tmp_path):
    """Two webhooks of one workload behind two Services: one policy admits both ports. Each
    Service made a policy `hook-from-api-server` of its own, the second written over the
    first: the first webhook's port stayed closed."""
    (tmp_path / "in.yaml").write_text(_deployment("hook", "t", "[{name: https, containerPort: 9443}, "
                                                              "{name: conv, containerPort: 9444}]") + """\
---
apiVersion: v1
kind: Service
metadata: {name: hook, namespace: t}
spec: {selector: {app: hook}, ports: [{port: 443, targetPort: https}]}
---
apiVersion: v1
kind: Service
metadata: {name: hook-conv, namespace: t}
spec: {selector: {app: hook}, ports: [{port: 443, targetPort: conv}]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: checks}
webhooks:
- {name: a.acme.dev, admissionReviewVersions: [v1], sideEffects: None,
   clientConfig: {service: {name: hook, namespace: t}}}
- {name: b.acme.dev, admissionReviewVersions: [v1], sideEffects: None,
   clientConfig: {service: {name: hook-conv, namespace: t}}}
""")
    r = import_kubernetes([tmp_path / "in.yaml"], "t")
    assert r.unexplained == [], r.unexplained[:5]
    assert [x.doc["name"] for x in r.items if x.doc["name"].endswith("-from-api-server")] == ["hook-from-api-server"]
    doc = yaml.safe_load(r.files["apps/networkpolicy.hook-from-api-server.yaml"])
    assert (doc["select"], doc["ports"]) == ({"app": "hook"}, [9443, 9444])


PROXIED = _deployment("sealer", "tools", "[{name: http, containerPort: 8080}, {name: metrics, containerPort: 8081}]") \
    + """\
---
apiVersion: v1
kind: Service
metadata: {name: sealer, namespace: tools}
spec:
  selector: {app: sealer}
  ports: [{name: http, port: 8080, targetPort: http}, {name: metrics, port: 8081, targetPort: metrics}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: sealer-proxier, namespace: tools}
rules:
- apiGroups: [""]
  resources: [services/proxy]
  resourceNames: ["http:sealer:", "http:sealer:http", sealer]
  verbs: [create, get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: sealer-proxier, namespace: tools}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: sealer-proxier}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}]
---
""" + _deployment("scraper", "tools", "[{containerPort: 8000}]") + """\
---
apiVersion: v1
kind: Service
metadata: {name: scraper, namespace: tools}
spec: {selector: {app: scraper}, ports: [{port: 8000}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ui}
rules:
- apiGroups: [""]
  resources: [services/proxy]
  resourceNames: [scraper, "http:scraper"]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ui, namespace: tools}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ui}
subjects: [{kind: ServiceAccount, name: sealer, namespace: tools}]
---
""" + _deployment("quiet", "tools", "[{containerPort: 9000}]") + """\
---
apiVersion: v1
kind: Service
metadata: {name: quiet, namespace: tools}
spec: {selector: {app: quiet}, ports: [{port: 9000}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: unbound, namespace: tools}
rules: [{apiGroups: [""], resources: [services/proxy], verbs: [get]}]
"""


def test_services_the_api_servers_proxy_reaches_are_called_by_the_api_server(tmp_path):
    """sealed-secrets' and kubernetes-dashboard's pattern: a bound Role grants `services/proxy`
    on named Services (`[scheme:]name[:port]`), and the API server's proxy connects to their
    pods from the control plane: sealer on its port `http` only (a name without a port is the
    Service's port of no name, which it has not), the scraper on its one unnamed port. A
    grant nobody is bound to reaches nothing."""
    said, k8s, out = _import_and_build(tmp_path, PROXIED)
    assert _reaches(k8s, "tools", EXTERNAL, "sealer", 8080)
    assert not _reaches(k8s, "tools", EXTERNAL, "sealer", 8081)
    assert _reaches(k8s, "tools", EXTERNAL, "scraper", 8000)
    assert not _reaches(k8s, "tools", EXTERNAL, "quiet", 9000)
    assert "NetworkPolicy sealer-from-api-server admits any address to sealer on port 8080: Role sealer-proxier lets " \
           "the API server's service proxy (`services/proxy`) call Service sealer, from outside the pod network" in said
    assert "NetworkPolicy scraper-from-api-server admits any address to scraper on port 8000: ClusterRole ui lets " \
           "the API server's service proxy (`services/proxy`) call Service scraper" in said
    doc = yaml.safe_load((out / "apps" / "networkpolicy.sealer-from-api-server.yaml").read_text())
    assert (doc["select"], doc["ports"]) == ({"app": "sealer"}, [8080])
    assert not (out / "apps" / "networkpolicy.quiet-from-api-server.yaml").exists()


SCRAPED = _deployment("ctrl", "apps",
                      "[{name: http, containerPort: 8080}, {name: metrics, containerPort: 8081}]") + """\
---
apiVersion: v1
kind: Service
metadata: {name: ctrl-metrics, namespace: apps, labels: {app: ctrl, component: metrics}}
spec: {selector: {app: ctrl}, ports: [{name: metrics, port: 8081, targetPort: metrics}]}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: ctrl, namespace: apps}
spec:
  selector: {matchLabels: {app: ctrl, component: metrics}}
  endpoints: [{port: metrics}]
---
""" + _deployment("web", "apps", "[{name: http, containerPort: 8000}, {name: metrics, containerPort: 9100}]") + """\
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 8000, targetPort: http}, {name: metrics, port: 9100, targetPort: metrics}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: apps}
spec:
  selector: {matchLabels: {app: web}}
  endpoints: [{port: metrics, interval: 30s}]
---
""" + _deployment("agent", "apps", "[{name: http, containerPort: 7070}, {name: metrics, containerPort: 9102}]") + """\
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: agent, namespace: apps}
spec:
  selector: {matchLabels: {app: agent}}
  podMetricsEndpoints: [{port: metrics}]
---
""" + _deployment("annotated", "apps", "[{name: http, containerPort: 5000}, {name: metrics, containerPort: 9090}]",
                  """, annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9090"}""") + """\
---
""" + _deployment("plain", "apps", "[{name: http, containerPort: 5050}]",
                  """, annotations: {prometheus.io/scrape: "false", prometheus.io/port: "5050"}""")


def test_what_prometheus_scrapes_is_admitted_from_the_monitoring_namespace(tmp_path):
    """A ServiceMonitor kept as written, through a Service kept as written (ctrl's metrics
    Service, named apart from it) or the workload's own (web's), a PodMonitor (agent's) and
    pods annotated `prometheus.io/scrape: "true"` have Prometheus, in the monitoring namespace
    (`network: {monitoring_namespace: monitoring}`, its default), scrape a port: it is admitted
    from there, as an Observability's metrics port is; the other ports stay closed to it, and
    so does a pod annotated `"false"`."""
    _, k8s, _ = _import_and_build(tmp_path, SCRAPED)
    for target, scraped, other in (("ctrl", 8081, 8080), ("web", 9100, 8000), ("agent", 9102, 7070),
                                   ("annotated", 9090, 5000)):
        assert _reaches(k8s, "apps", "monitoring", target, scraped), target
        assert not _reaches(k8s, "apps", "monitoring", target, other), target
        assert _reaches(k8s, "apps", "apps", target, other)   # (the namespace's pods, as in the input)
    assert not _reaches(k8s, "apps", "monitoring", "plain", 5050)
    assert not _reaches(k8s, "apps", "elsewhere", "ctrl", 8081)
    ctrl = next(o for o in k8s if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "ctrl-ingress")
    assert ctrl["spec"]["ingress"] == [{"from": [{"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "monitoring"}}}], "ports": [{"protocol": "TCP", "port": 8081}]}]


CHART_MONITOR = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: rel-exporter, namespace: apps, labels: {app.kubernetes.io/name: exporter, app.kubernetes.io/instance: rel}}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: exporter, app.kubernetes.io/instance: rel}}
  template:
    metadata: {labels: {app.kubernetes.io/name: exporter, app.kubernetes.io/instance: rel}}
    spec:
      containers: [{name: exporter, image: quay.io/prometheus/pushgateway:v1.11.3,
                    ports: [{name: metrics, containerPort: 9091}]}]
---
apiVersion: v1
kind: Service
metadata: {name: rel-exporter, namespace: apps, labels: {app.kubernetes.io/name: exporter, app.kubernetes.io/instance: rel}}
spec:
  selector: {app.kubernetes.io/name: exporter, app.kubernetes.io/instance: rel}
  ports: [{name: http, port: 9091, targetPort: metrics}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: rel-exporter, namespace: apps}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: exporter, app.kubernetes.io/instance: rel}}
  endpoints: [{port: http}]
"""


def test_a_charts_service_monitor_selects_the_services_the_build_labels(tmp_path):
    """The pushgateway, external-dns and alertmanager charts' ServiceMonitors select their
    Service by the chart's `app.kubernetes.io/name` (`exporter`); the import names it after
    the workload (`rel-exporter`), so the kept monitor selected no Service (no metrics), and
    the network pass saw no scrape to admit. It now selects the labels the build gives, and its
    endpoint's port, named by the Service's patch (`http`), is admitted from monitoring."""
    said, k8s, _ = _import_and_build(tmp_path, CHART_MONITOR)
    monitor = next(o for o in k8s if o["kind"] == "ServiceMonitor")
    service = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "rel-exporter")
    sel = monitor["spec"]["selector"]["matchLabels"]
    assert sel == {"app.kubernetes.io/name": "rel-exporter", "app.kubernetes.io/part-of": "p"}
    assert all(service["metadata"]["labels"].get(k) == v for k, v in sel.items())
    assert "ServiceMonitor rel-exporter selects the pods of rel-exporter by labels skyspec does not give them" in said
    assert _reaches(k8s, "apps", "monitoring", "rel-exporter", 9091)


ROUTED = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: httproutes.gateway.networking.k8s.io}
spec:
  group: gateway.networking.k8s.io
  names: {kind: HTTPRoute, listKind: HTTPRouteList, plural: httproutes, singular: httproute}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:   # (the Gateway API's, cut to the fields used here)
          type: object
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              properties:
                parentRefs:
                  type: array
                  items: {type: object, required: [name], properties: {name: {type: string}, namespace: {type: string}}}
                rules:
                  type: array
                  items:
                    type: object
                    properties:
                      backendRefs:
                        type: array
                        items: {type: object, required: [name], properties: {name: {type: string},
                                                                              port: {type: integer}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: ghcr.io/stefanprodan/podinfo:6.7.1, ports: [{name: http, containerPort: 9898}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: public, namespace: gateway-system}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"""


def test_a_kept_gateway_route_is_admitted_as_a_kept_ingress_is(tmp_path):
    """The pushgateway, headlamp and blackbox-exporter charts render an HTTPRoute to their
    Service: kept as written, nothing admitted the Gateway's data plane, so every routed request
    was refused by the default deny. A kept route's backends are admitted from the ingress
    controller's namespace (`network.ingress_namespace`), as a kept Ingress's are."""
    _, k8s, _ = _import_and_build(tmp_path, ROUTED)
    assert _reaches(k8s, "apps", "ingress-nginx", "web", 9898)
    assert not _reaches(k8s, "apps", "elsewhere", "web", 9898)


HOST_AGENT = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: server, namespace: spire}
spec:
  serviceName: server
  selector: {matchLabels: {app: server}}
  template:
    metadata: {labels: {app: server}}
    spec:
      containers: [{name: server, image: ghcr.io/spiffe/spire-server:1.11.2, ports: [{containerPort: 8081}]}]
---
apiVersion: v1
kind: Service
metadata: {name: server, namespace: spire}
spec: {selector: {app: server}, ports: [{name: grpc, port: 8081, targetPort: 8081}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: spire}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers: [{name: agent, image: ghcr.io/spiffe/spire-agent:1.11.2}]
"""


def test_a_workload_on_the_hosts_network_is_warned_about(tmp_path):
    """SPIRE's node agent (a DaemonSet with `hostNetwork: true`) calls its server's Service: its
    calls come from the node's address, which the import's within-namespace policy (a namespace
    peer) does not match in most network plugins, so the agents could not attest, without a
    word. A warning at `hostNetwork` says so, and how to admit them."""
    said, _, _ = _import_and_build(tmp_path, HOST_AGENT)
    assert "warning[SKY072]: DaemonSet agent runs on the host's network: a call it makes to the project's pods " \
           "comes from its node's address" in said
    assert "admit the nodes' addresses (an ipBlock of their range)" in said
    (tmp_path / "again").mkdir()
    said, _, _ = _import_and_build(tmp_path / "again", HOST_AGENT.replace("      hostNetwork: true\n", ""))
    assert "host's network" not in said
