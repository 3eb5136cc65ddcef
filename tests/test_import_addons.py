"""Cluster add-ons as their projects ship them. metrics-server (kubernetes-sigs, its kustomize
base as `kubectl kustomize` renders it): probes over HTTPS to a port that serves only TLS,
and a container that says its seccomp profile itself. The probes are `health` with
`scheme: HTTPS` (they were kept as a `k8s:` patch of the container: the language had no
scheme), and the container's `seccompProfile: RuntimeDefault` is the pod's, which the build
sets (it was patched in again). ingress-nginx's static manifest for cloud providers: what
the API server fills in, written out, is no patch. Each imported project builds in all four
formats through the real tools."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.importer import import_kubernetes

DATA = Path(__file__).parent / "data" / "metrics-server"
INGRESS_NGINX = Path(__file__).parent / "data" / "ingress-nginx" / "deploy.yaml"


def _rendered(tmp_path: Path) -> Path:
    from validators import kubectl

    r = kubectl("kustomize", str(DATA))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "metrics-server.yaml"
    out.write_text(r.stdout)
    return out


def test_https_probes_and_the_pods_seccomp_profile_are_said_in_the_language(tmp_path):
    src = _rendered(tmp_path)
    r = import_kubernetes([src], "ms")
    assert r.unexplained == [], r.unexplained[:5]
    app = yaml.safe_load(r.files["apps/metrics-server.yaml"])
    assert app["health"]["liveness"] == {"http": "/livez", "scheme": "HTTPS", "period": 10, "failure_threshold": 3}
    assert app["health"]["readiness"]["scheme"] == "HTTPS"
    assert "Deployment" not in app.get("k8s", {}), app.get("k8s")   # nothing of the container patched

    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    from test_import_legacy import build_and_validate

    built = build_and_validate(tmp_path / "p", tmp_path)
    inp = next(d for d in yaml.safe_load_all(src.read_text()) if d["kind"] == "Deployment")
    out = next(d for d in built if d["kind"] == "Deployment")
    c_in, c_out = (d["spec"]["template"]["spec"]["containers"][0] for d in (inp, out))
    for probe in ("livenessProbe", "readinessProbe"):
        assert c_out[probe] == c_in[probe]
    pod = out["spec"]["template"]["spec"]["securityContext"]
    assert pod["seccompProfile"] == c_in["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}


def test_a_container_profile_the_pod_does_not_have_is_still_patched(tmp_path):
    """A container's own `Localhost` profile is not the pod's RuntimeDefault: it stays a patch."""
    src = _rendered(tmp_path)
    text = src.read_text().replace("seccompProfile:\n            type: RuntimeDefault",
                                   "seccompProfile:\n            type: Localhost\n"
                                   "            localhostProfile: profiles/ms.json")
    assert "Localhost" in text
    src.write_text(text)
    r = import_kubernetes([src], "ms")
    assert r.unexplained == [], r.unexplained[:5]
    app = yaml.safe_load(r.files["apps/metrics-server.yaml"])
    (c,) = app["k8s"]["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert c["securityContext"]["seccompProfile"] == {"type": "Localhost", "localhostProfile": "profiles/ms.json"}


def test_a_probe_path_without_its_slash_is_kept_as_written(tmp_path):
    """kube-rbac-proxy probes `path: healthz`, which the kubelet GETs as `/healthz`; `health`
    paths start with `/`, so such a probe is kept as a patch, with the container's others (the
    import was refused: the project it wrote did not build), over HTTP as over HTTPS."""
    src = _rendered(tmp_path)
    text = src.read_text().replace("path: /readyz", "path: readyz").replace("            scheme: HTTPS\n", "")
    assert "path: readyz" in text and "HTTPS" not in text   # (the old importer took plain HTTP probes)
    src.write_text(text)
    r = import_kubernetes([src], "ms")
    assert r is not None and r.unexplained == [], r.unexplained[:5] if r else None
    app = yaml.safe_load(r.files["apps/metrics-server.yaml"])
    assert "health" not in app
    (c,) = app["k8s"]["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert c["readinessProbe"]["httpGet"] == {"path": "readyz", "port": "https"}
    assert c["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "https"}
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output


def test_what_the_api_server_fills_in_is_no_patch(tmp_path):
    """ingress-nginx writes `minReadySeconds: 0` and `ipFamilyPolicy: SingleStack`, the values
    Kubernetes gives a Deployment and a Service that do not say them: they were kept as a
    `k8s:` patch of the controller. Its `externalTrafficPolicy: Local` is not the default and
    stays, and the webhook's Service and configuration are kept as written."""
    r = import_kubernetes([INGRESS_NGINX], "ingress-nginx")
    assert r.unexplained == [], r.unexplained[:5]
    assert r.figures["categories"]["Kubernetes defaults"] >= 2
    text = r.files["apps/ingress-nginx-controller.yaml"]
    assert "minReadySeconds" not in text and "ipFamilyPolicy" not in text
    app = yaml.safe_load(text)
    assert app["k8s"]["Service"]["spec"]["externalTrafficPolicy"] == "Local"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(INGRESS_NGINX), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    from test_import_legacy import build_and_validate

    built = build_and_validate(tmp_path / "p", tmp_path)
    svc = next(o for o in built if o["kind"] == "Service" and o["metadata"]["name"] == "ingress-nginx-controller")
    assert svc["spec"]["externalTrafficPolicy"] == "Local" and "ipFamilyPolicy" not in svc["spec"]
    assert {o["kind"] for o in built} >= {"ValidatingWebhookConfiguration", "IngressClass", "Job"}


ARGO_CD = Path(__file__).parent / "data" / "argo-cd"


def test_variables_read_from_configmap_keys_are_configs(tmp_path):
    """Argo CD's server reads 40 variables from keys of `argocd-cmd-params-cm`, each
    `optional: true`: they are `configs:` (they were a `k8s:` patch of the container, which
    Compose never saw), and the build gives back the input's `configMapKeyRef`s."""
    r = import_kubernetes([ARGO_CD], "argocd")
    assert r.unexplained == [], r.unexplained[:5]
    app = yaml.safe_load(r.files["apps/argocd-server.yaml"])
    configs = app["configs"]
    assert len(configs) >= 30
    assert configs["ARGOCD_SERVER_INSECURE"] == {"config": "argocd-cmd-params-cm", "key": "server.insecure",
                                                 "optional": True}
    assert "configMapKeyRef" not in r.files["apps/argocd-server.yaml"]
    res = CliRunner().invoke(main, ["import", "kubernetes", str(ARGO_CD), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    from test_import_legacy import build_and_validate

    built = build_and_validate(tmp_path / "p", tmp_path)
    inp = yaml.safe_load((ARGO_CD / "argocd-server-deployment.yaml").read_text())
    out = next(o for o in built if o["kind"] == "Deployment")
    def refs(o: dict) -> list:
        return [{e["name"]: e["valueFrom"]["configMapKeyRef"]} for e in o["spec"]["template"]["spec"]["containers"][0]["env"]
                if "configMapKeyRef" in e.get("valueFrom", {})]

    assert refs(out) == refs(inp)


KUBE_PROMETHEUS = Path(__file__).parent / "data" / "kube-prometheus"


def test_objects_of_one_kind_and_name_in_several_namespaces(tmp_path):
    """kube-prometheus gives Prometheus read access to three namespaces with a Role and a
    RoleBinding named `prometheus-k8s` in each. A spec's name is unique per kind: the one of
    the project's namespace is the Role spec (with its binding as `bind:`), the others are
    kept as written, each in its namespace. The import was refused (SKY067, the namespace
    differed: three Role specs of one name, and the round trip compared each input with the
    last of them); and a kept object named as a spec's (a ConfigMap, a Role) overwrote the
    spec's output file. Its PrometheusRule is checked against the CRD beside it."""
    res = CliRunner().invoke(main, ["import", "kubernetes", str(KUBE_PROMETHEUS), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert "Role prometheus-k8s is kept as a Resource, as written: the one of namespace monitoring is said as a " \
           "spec" in res.output
    apps = tmp_path / "p" / "apps"
    role = yaml.safe_load((apps / "role.prometheus-k8s.yaml").read_text())
    assert role["bind"] == ["prometheus-k8s"] and "namespace" not in role   # the project's: monitoring
    kept = [yaml.safe_load(p.read_text())["manifest"] for p in sorted(apps.glob("resource.*.yaml"))]
    assert sorted((m["kind"], m["metadata"]["namespace"]) for m in kept if m["metadata"]["name"] == "prometheus-k8s"
                  and m["kind"] in ("Role", "RoleBinding")) == \
        [("Role", "default"), ("Role", "kube-system"), ("RoleBinding", "default"), ("RoleBinding", "kube-system")]
    from test_import_legacy import build_and_validate

    built = build_and_validate(tmp_path / "p", tmp_path)
    inputs = [d for f in sorted(KUBE_PROMETHEUS.glob("prometheus-role*.yaml"))
              for doc in yaml.safe_load_all(f.read_text()) for d in doc.get("items", [doc])]
    for want in inputs:   # each in its namespace, its rules and subjects as the input's
        got = next(d for d in built if (d["kind"], d["metadata"]["name"], d["metadata"].get("namespace")) ==
                   (want["kind"], want["metadata"]["name"], want["metadata"]["namespace"]))
        for key in ("rules", "subjects", "roleRef"):
            assert got.get(key) == want.get(key), (want["metadata"], key)
    assert any(d["kind"] == "PrometheusRule" for d in built)


def test_a_custom_resource_is_checked_against_the_crd_beside_it():
    # (what `build_and_validate` does with kube-prometheus's PrometheusRule: a check that can fail)
    from validators import load_docs, validate_k8s

    crd, rule = (load_docs(KUBE_PROMETHEUS / f) for f in ("setup/0prometheusruleCustomResourceDefinition.yaml",
                                                          "prometheus-prometheusRule.yaml"))
    assert validate_k8s(crd + rule) == []
    rule[0]["spec"]["groups"][0]["rules"] = "every"
    rule[0]["spec"]["partial_response_strategy"] = "warn"
    assert validate_k8s(crd + rule) == [
        "PrometheusRule/prometheus-k8s-prometheus-rules: 'every' is not of type 'array' at spec.groups.0.rules",
        "PrometheusRule/prometheus-k8s-prometheus-rules: Additional properties are not allowed "
        "('partial_response_strategy' was unexpected) at spec"]
    assert validate_k8s(rule) == ["PrometheusRule/prometheus-k8s-prometheus-rules: no schema ()"]   # no CRD: no schema


def test_what_the_api_server_calls_is_admitted_from_outside_the_pod_network(tmp_path):
    """ingress-nginx's admission webhook (`failurePolicy: Fail`) and metrics-server's APIService
    are called by the API server, from the control plane, outside the pod network. The input has
    no NetworkPolicy; skyspec's default deny and each workload's own policy would have refused
    those calls: every Ingress in the cluster refused, `kubectl top` failing. A policy admits
    any address on the pod's port the Service sends them to (the webhook's 443 is the
    controller's named port `webhook`, 8443)."""
    from test_import_legacy import build_and_validate

    for src, app, port, caller in ((INGRESS_NGINX, "ingress-nginx-controller", 8443,
                                    "ValidatingWebhookConfiguration ingress-nginx-admission"),
                                   (_rendered(tmp_path), "metrics-server", 10250, "APIService v1beta1.metrics.k8s.io")):
        out = tmp_path / app
        res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(out)])
        assert res.exit_code == 0, res.output
        said = " ".join(res.output.split())
        assert f"NetworkPolicy {app}-from-api-server admits any address to {app} on port {port}: {caller} has the " \
               "API server call Service" in said
        doc = yaml.safe_load((out / "apps" / f"networkpolicy.{app}-from-api-server.yaml").read_text())
        assert (doc["select"], doc["ports"]) == ({"app": app}, [port])
        k8s = build_and_validate(out, tmp_path / f"{app}-built", "default")
        policy = next(o["spec"] for o in k8s if o["kind"] == "NetworkPolicy"
                      and o["metadata"]["name"] == f"{app}-from-api-server")
        assert policy["ingress"] == [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}],
                                      "ports": [{"protocol": "TCP", "port": port}]}]


def test_a_webhook_of_a_chart_rendered_without_its_namespace_is_admitted_on_its_named_port(tmp_path):
    """`helm template` writes no namespace on the Service, and the webhook names the release's:
    the one Service of that name is the one the API server calls; its named targetPort is the
    container's port of that name."""
    (tmp_path / "in.yaml").write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: hook}
spec:
  selector: {matchLabels: {app: hook}}
  template:
    metadata: {labels: {app: hook}}
    spec:
      containers:
      - {name: hook, image: ghcr.io/acme/hook:1.0, ports: [{containerPort: 9443, name: https}]}
---
apiVersion: v1
kind: Service
metadata: {name: hook-svc}
spec: {selector: {app: hook}, ports: [{port: 443, targetPort: https}]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: hook}
webhooks:
- name: hook.acme.dev
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: hook-svc, namespace: tools, path: /mutate}}
""")
    r = import_kubernetes([tmp_path / "in.yaml"], "t")
    assert r.unexplained == [], r.unexplained[:5]
    doc = yaml.safe_load(r.files["apps/networkpolicy.hook-from-api-server.yaml"])
    assert (doc["select"], doc["allow_from"], doc["ports"]) == \
        ({"app": "hook"}, [{"cidr": "0.0.0.0/0"}, {"cidr": "::/0"}], [9443])
