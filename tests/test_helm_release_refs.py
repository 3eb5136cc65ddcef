"""The Helm chart's release model for the references the API server and cert-manager follow,
checked with the real `helm template` under other release names and namespaces: a webhook's
Service (admission webhooks, a CRD's conversion webhook, an APIService), cert-manager's CA
injection annotation, a Certificate's issuer, Secret and DNS names, and host names in env
values (a StatefulSet pod's `<pod>.<service>`, `<service>.<namespace>` in a list), the
`resourceNames` of RBAC rules, and kept monitors' and aggregated ClusterRoles' selectors by
the instance label. Each names the release's own object, in the release's namespace; what the
chart does not make (another namespace's Service, a cluster's ClusterIssuer, a lease the
controller takes) stays as written. Installed elsewhere, a webhook left on the import's
Service rejects every object it guards (failurePolicy: Fail)."""

from __future__ import annotations

import textwrap

from test_helm import assert_chart_is_the_kubernetes_output, compile_irs
from test_helm_release import INSTANCE, dig, ids, render
from validators import assert_valid_k8s

CERT_KINDS = ("Certificate", "Issuer")

HOOKS = {
    "apps/hook.yaml": """
        kind: App
        name: hook
        image: ghcr.io/acme/hook:1.0.0
        port: 8443
        expose: true
        volumes:
          tls: {secret: hook-tls, mount: /tls, read_only: true}
        ---
        kind: Secret
        name: hook-tls
        existing: true
        ---
        kind: Resource
        name: hook-mutate
        manifest:
          apiVersion: admissionregistration.k8s.io/v1
          kind: MutatingWebhookConfiguration
          metadata:
            annotations: {cert-manager.io/inject-ca-from: hooks/hook-cert}
          webhooks:
            - name: mutate.acme.io
              sideEffects: None
              admissionReviewVersions: [v1]
              failurePolicy: Fail
              clientConfig:
                service: {name: hook, namespace: hooks, path: /mutate, port: 8443}
              rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
            - name: policy.acme.io
              sideEffects: None
              admissionReviewVersions: [v1]
              clientConfig:
                service: {name: policy, namespace: kyverno, path: /mutate}
              rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
        ---
        kind: Resource
        name: hook-validate
        manifest:
          apiVersion: admissionregistration.k8s.io/v1
          kind: ValidatingWebhookConfiguration
          metadata:
            annotations: {cert-manager.io/inject-ca-from: hooks/hook-cert}
          webhooks:
            - name: validate.acme.io
              sideEffects: None
              admissionReviewVersions: [v1]
              failurePolicy: Fail
              clientConfig:
                service: {name: hook, namespace: hooks, path: /validate, port: 8443}
              rules: [{operations: [CREATE], apiGroups: [acme.io], apiVersions: [v1], resources: [widgets]}]
        ---
        kind: Resource
        name: widgets
        manifest:
          apiVersion: apiextensions.k8s.io/v1
          kind: CustomResourceDefinition
          metadata:
            name: widgets.acme.io
            annotations: {cert-manager.io/inject-ca-from: hooks/hook-cert}
          spec:
            group: acme.io
            names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
            scope: Namespaced
            conversion:
              strategy: Webhook
              webhook:
                conversionReviewVersions: [v1]
                clientConfig:
                  service: {name: hook, namespace: hooks, path: /convert, port: 8443}
            versions:
              - name: v1
                served: true
                storage: true
                schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
        ---
        kind: Resource
        name: metrics-api
        manifest:
          apiVersion: apiregistration.k8s.io/v1
          kind: APIService
          metadata:
            name: v1beta1.metrics.acme.io
            annotations: {cert-manager.io/inject-ca-from: hooks/hook-cert}
          spec:
            group: metrics.acme.io
            version: v1beta1
            groupPriorityMinimum: 100
            versionPriority: 100
            service: {name: hook, namespace: hooks, port: 8443}
        ---
        kind: Resource
        name: hook-issuer
        manifest:
          apiVersion: cert-manager.io/v1
          kind: Issuer
          spec: {selfSigned: {}}
        ---
        kind: Resource
        name: hook-cert
        manifest:
          apiVersion: cert-manager.io/v1
          kind: Certificate
          spec:
            secretName: hook-tls
            issuerRef: {name: hook-issuer, kind: Issuer}
            commonName: hook.hooks.svc
            dnsNames: [hook, hook.hooks, hook.hooks.svc, hook.example.com, policy.kyverno.svc]
        ---
        kind: Resource
        name: public-cert
        manifest:
          apiVersion: cert-manager.io/v1
          kind: Certificate
          spec:
            secretName: public-tls
            issuerRef: {name: letsencrypt, kind: ClusterIssuer, group: cert-manager.io}
            dnsNames: [hook.example.com]
        """,
    "overlays/prod.yaml": """
        apps:
          hook-cert:
            manifest: {spec: {dnsNames+: [hook.hooks.svc.cluster.local]}}
        """,
}
HOOKS_PROJECT = """
project: hooks
namespace: hooks
specs: ["apps/*.yaml"]
environments:
  dev: {}
  prod: {overlays: [overlays/prod.yaml]}
"""
# what the chart does not make: kept as written
EXTERNAL = {("policy", "kyverno"), "letsencrypt", "hook.example.com", "policy.kyverno.svc"}


def webhook_problems(objs: list[dict], namespace: str) -> list[str]:
    """The webhook and certificate references of one release's objects that name no object of
    that release (in its namespace), but for :data:`EXTERNAL`."""
    problems: list[str] = []
    names = {(o["kind"], o["metadata"]["name"]) for o in objs}
    services = {n for k, n in names if k == "Service"}
    by = {(o["kind"], o["metadata"]["name"]): o for o in objs}

    def service(svc: dict, what: str) -> None:
        key = (svc["name"], svc["namespace"])
        if key not in EXTERNAL and (svc["name"] not in services or svc["namespace"] != namespace):
            problems.append(f"{what}: calls Service {key}, not the release's")

    for o in objs:
        what = f"{o['kind']}/{o['metadata']['name']}"
        inject = (o["metadata"].get("annotations") or {}).get("cert-manager.io/inject-ca-from")
        if inject is not None and inject != f"{namespace}/{next((n for k, n in names if k == 'Certificate' and inject.endswith('/' + n)), None)}":
            problems.append(f"{what}: injects the CA of {inject}, no Certificate of the release")
        for w in o.get("webhooks") or []:
            service(w["clientConfig"]["service"], what)
        conv = dig(o, "spec", "conversion", "webhook", "clientConfig", "service")
        if conv is not None:
            service(conv, what)
        if o["kind"] == "APIService":
            service(o["spec"]["service"], what)
        if o["kind"] == "Certificate":
            ref = o["spec"]["issuerRef"]
            if ref["name"] not in EXTERNAL and (ref["kind"], ref["name"]) not in names:
                problems.append(f"{what}: issuer {ref} is not the release's")
            for host in o["spec"]["dnsNames"] + [o["spec"].get("commonName", "hook.example.com")]:
                if host not in EXTERNAL and host_problem(host, services, namespace):
                    problems.append(f"{what}: DNS name {host_problem(host, services, namespace)}")
    # the API server calls the webhooks' Service at <svc>.<ns>.svc: the certificate must be for it
    cert = by.get(next(((k, n) for k, n in names if k == "Certificate" and n.endswith("hook-cert")), None))
    pods = [dig(o, "spec", "template", "spec") for o in objs if o["kind"] == "Deployment"]
    for o in objs:
        for svc in [dig(w, "clientConfig", "service") for w in o.get("webhooks") or []] + [dig(o, "spec", "service")]:
            if svc and cert is not None and (svc["name"], svc["namespace"]) not in EXTERNAL \
                    and f"{svc['name']}.{svc['namespace']}.svc" not in cert["spec"]["dnsNames"]:
                problems.append(f"{o['kind']}: the certificate is not for {svc['name']}.{svc['namespace']}.svc")
    # the pod mounts the Secret cert-manager makes for the certificate
    if cert is not None and not any(v.get("secret", {}).get("secretName") == cert["spec"]["secretName"]
                                    for p in pods for v in p.get("volumes") or []):
        problems.append(f"no pod mounts the certificate's Secret {cert['spec']['secretName']}")
    return problems


def test_webhooks_and_their_certificates_follow_the_release(make_project, tmp_path):
    """Admission webhooks, a CRD's conversion webhook and an APIService call the release's
    Service in the release's namespace; cert-manager injects the CA of the release's
    Certificate, which its Issuer signs for the release's Service names into the Secret the
    release's pod mounts. Another namespace's Service, a ClusterIssuer and a domain stay."""
    irs = compile_irs(make_project({k: textwrap.dedent(v) for k, v in HOOKS.items()}, HOOKS_PROJECT))
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out", validate=False)
    for env in irs:
        values = ("-f", str(chart / f"values-{env}.yaml"))
        a_x, b_x, a_y = (render(chart, r, ns, *values) for r, ns in (("a", "x"), ("b", "x"), ("a", "y")))
        # (a CRD and an APIService keep their names: the API server holds them to their group)
        assert {i for i in ids(a_x) & ids(b_x) if i[0] not in ("CustomResourceDefinition", "APIService")} == set()
        for objs, ns in ((a_x, "x"), (b_x, "x"), (a_y, "y"), (render(chart, "hooks", "z", *values), "z")):
            assert webhook_problems(objs, ns) == [], (env, ns, webhook_problems(objs, ns))
        assert_valid_k8s([o for o in a_x if o["kind"] not in CERT_KINDS])
        by = {(o["kind"], o["metadata"]["name"]): o for o in a_y}
        cert = by[("Certificate", "a-hook-cert")]["spec"]
        assert cert["dnsNames"] == ["a-hook", "a-hook.y", "a-hook.y.svc", "hook.example.com", "policy.kyverno.svc"] + (
            ["a-hook.y.svc.cluster.local"] if env == "prod" else [])
        assert (cert["commonName"], cert["secretName"], cert["issuerRef"]) == (
            "a-hook.y.svc", "a-hook-tls", {"name": "a-hook-issuer", "kind": "Issuer"})
        public = by[("Certificate", "a-public-cert")]["spec"]
        assert public["issuerRef"]["name"] == "letsencrypt" and public["secretName"] == "a-public-tls"
        policy = by[("MutatingWebhookConfiguration", "a-hook-mutate")]["webhooks"][1]["clientConfig"]["service"]
        assert policy == {"name": "policy", "namespace": "kyverno", "path": "/mutate"}
        assert by[("APIService", "v1beta1.metrics.acme.io")]["metadata"]["annotations"] == {
            "cert-manager.io/inject-ca-from": "y/a-hook-cert"}


PODS = {
    "apps/vault.yaml": """
        kind: StatefulApp
        name: vault
        image: hashicorp/vault:1.17.2
        ports: {http: 8200, cluster: 8201}
        downward: {HOSTNAME: metadata.name}
        env:
          VAULT_CLUSTER_ADDR: https://$(HOSTNAME).vault-headless:8201
          RAFT_PEERS: vault-0.vault-headless:8201,vault-1.vault-headless:8201,vault-2.vault-headless.hooks.svc.cluster.local:8201
          PEER: vault-2.vault-headless.hooks.svc
          NOT_OURS: www.vault.example.com:443 injector.other vault-headless.other:8201 x.vault-headless.example.com:1
          IMAGES: hashicorp/vault:1.17.2,vault:1.17
        ---
        kind: App
        name: injector
        image: hashicorp/vault-k8s:1.4.2
        port: 8080
        expose: true
        connect_to: [vault]
        env:
          AGENT_INJECT_TLS_AUTO: injector-cfg
          AGENT_INJECT_TLS_AUTO_HOSTS: injector,injector.hooks,injector.hooks.svc
          VAULT_ADDR: http://vault.hooks:8200
          UPSTREAMS: vault:8200,vault:8201
        ---
        kind: Resource
        name: injector-cfg
        manifest:
          apiVersion: admissionregistration.k8s.io/v1
          kind: MutatingWebhookConfiguration
          webhooks:
            - name: inject.acme.io
              sideEffects: None
              admissionReviewVersions: [v1]
              clientConfig:
                service: {name: injector, namespace: hooks, path: /mutate, port: 8080}
              rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
        ---
        kind: App
        name: hooks
        image: nginx:1.27
        port: 80
        expose: true
        """,
}
def host_problem(item: str, services: set[str], namespace: str) -> str | None:
    """Whether a host name `[<pod>.]<service>[.<namespace>[.svc[.cluster.local]]][:<port>]`
    names a Service of the release in its namespace (None) or not (the problem)."""
    labels = item.rsplit(":", 1)[0].split(".")
    for i in (0, 1):
        rest = labels[i + 1:]
        if labels[i:i + 1] and labels[i] in services and (
                rest[:1] in ([], [namespace]) and rest[1:] in ([], ["svc"], ["svc", "cluster", "local"])):
            return None
    return f"{item} names no Service of the release in {namespace}"


def test_pod_host_names_and_host_lists_in_env_values_follow_the_release(make_project, tmp_path):
    """A StatefulSet pod's host name under its headless Service (`$(HOSTNAME).vault-headless:8201`,
    `vault-0.vault-headless.<ns>.svc.cluster.local`) and `<service>.<namespace>` as an item of a
    comma-separated list name the release's Service in the release's namespace: with the
    Service renamed, the pods' own addresses named nothing (vault's cluster address, raft
    peers) and the injector's certificate was for a Service of another release. Each item of
    a list naming one Service twice follows. Another namespace, a domain and an image
    (`hashicorp/vault:1.17.2`, once rewritten to a repository that does not exist) stay. The
    injector's `AGENT_INJECT_TLS_AUTO`, the name of its webhook configuration whose CA bundle
    it patches, names the release's."""
    import re

    irs = compile_irs(make_project({k: textwrap.dedent(v) for k, v in PODS.items()}, HOOKS_PROJECT))
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out")
    for release, ns in (("a", "x"), ("b", "y")):
        objs = render(chart, release, ns)
        services = {o["metadata"]["name"] for o in objs if o["kind"] == "Service"}
        by = {(o["kind"], o["metadata"]["name"]): o for o in objs}
        sts = by[("StatefulSet", f"{release}-vault")]
        assert sts["spec"]["serviceName"] == f"{release}-vault-headless" in services
        env = {e["name"]: e.get("value") for o in objs if o["kind"] in ("Deployment", "StatefulSet")
               for e in o["spec"]["template"]["spec"]["containers"][0].get("env", [])}
        assert env["NOT_OURS"] == "www.vault.example.com:443 injector.other vault-headless.other:8201 x.vault-headless.example.com:1"
        assert env["IMAGES"] == "hashicorp/vault:1.17.2,vault:1.17"     # images, not hosts
        for name in ("VAULT_CLUSTER_ADDR", "RAFT_PEERS", "PEER", "AGENT_INJECT_TLS_AUTO_HOSTS", "VAULT_ADDR", "UPSTREAMS"):
            for item in re.sub(r"^[a-z]+://", "", env[name]).split(","):
                if "." in item or ":" in item:    # (a bare word is left alone: docs/helm.md)
                    assert host_problem(item, services, ns) is None, name
        assert env["VAULT_CLUSTER_ADDR"] == f"https://$(HOSTNAME).{release}-vault-headless:8201"
        assert env["RAFT_PEERS"] == (f"vault-0.{release}-vault-headless:8201,vault-1.{release}-vault-headless:8201,"
                                     f"vault-2.{release}-vault-headless.{ns}.svc.cluster.local:8201")
        assert env["UPSTREAMS"] == f"{release}-vault:8200,{release}-vault:8201"
        # the injector patches the CA bundle of the release's webhook configuration, by name
        assert env["AGENT_INJECT_TLS_AUTO"] == f"{release}-injector-cfg"
        assert ("MutatingWebhookConfiguration", f"{release}-injector-cfg") in by
        assert webhook_problems(objs, ns) == []
        assert env["AGENT_INJECT_TLS_AUTO_HOSTS"] == f"injector,{release}-injector.{ns},{release}-injector.{ns}.svc"
        # (not pod `vault` of Service `hooks`, named like the namespace)
        assert env["VAULT_ADDR"] == f"http://{release}-vault.{ns}:8200"


RBAC = {
    "apps/ctl.yaml": """
        kind: App
        name: ctl
        image: ghcr.io/acme/ctl:1.0.0
        port: 8443
        expose: true
        service_account: ctl
        volumes:
          tls: {secret: ctl-tls, mount: /tls, read_only: true}
        ---
        kind: ServiceAccount
        name: ctl
        ---
        kind: ConfigMap
        name: settings
        data: {theme: dark}
        ---
        kind: Secret
        name: ctl-tls
        existing: true
        ---
        kind: Role
        name: ctl
        rules:
          - {resources: [configmaps], names: [settings, kube-root-ca.crt], verbs: [get, update]}
          - resources: [services, services/proxy]
            names: [ctl, "http:ctl:", "https:ctl:8443", "ctl:https", "http:ctl", metrics-server, "http:metrics-server:"]
            verbs: [get]
          - {resources: [secrets], names: [ctl-tls, ctl-webhook], verbs: [get, update]}
          - {api_groups: [apps], resources: [deployments, deployments/scale], names: [ctl], verbs: [get, patch]}
          - {api_groups: [coordination.k8s.io], resources: [leases], names: [ctl], verbs: [get, update]}
        bind: [ctl]
        ---
        kind: ClusterRole
        name: ctl
        rules:
          - api_groups: [admissionregistration.k8s.io]
            resources: [validatingwebhookconfigurations]
            names: [ctl-validate, policy-validate]
            verbs: [get, update, patch]
          - {resources: [secrets], names: [ctl-webhook], verbs: [update]}
          - {api_groups: [apiextensions.k8s.io], resources: [customresourcedefinitions], names: [gadgets.acme.io], verbs: [update]}
          - {api_groups: [acme.io], resources: [gadgets], names: [main, elsewhere], verbs: [update]}
        bind: [ctl]
        ---
        kind: Resource
        name: ctl-webhook
        manifest:
          apiVersion: v1
          kind: Secret
          metadata: {labels: {acme.io/component: webhook}}
        ---
        kind: Resource
        name: ctl-validate
        manifest:
          apiVersion: admissionregistration.k8s.io/v1
          kind: ValidatingWebhookConfiguration
          webhooks:
            - name: validate.acme.io
              sideEffects: None
              admissionReviewVersions: [v1]
              failurePolicy: Fail
              clientConfig:
                service: {name: ctl, namespace: ops, path: /validate, port: 8443}
              rules: [{operations: [CREATE], apiGroups: [acme.io], apiVersions: [v1], resources: [gadgets]}]
        ---
        kind: Resource
        name: gadgets
        manifest:
          apiVersion: apiextensions.k8s.io/v1
          kind: CustomResourceDefinition
          metadata: {name: gadgets.acme.io}
          spec:
            group: acme.io
            names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
            scope: Namespaced
            versions:
              - name: v1
                served: true
                storage: true
                schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
        ---
        kind: Resource
        name: main
        manifest:
          apiVersion: acme.io/v1
          kind: Gadget
          spec: {size: 1}
        ---
        kind: Resource
        name: kube-system-reader
        manifest:
          apiVersion: rbac.authorization.k8s.io/v1
          kind: Role
          metadata: {namespace: kube-system}
          rules:
            - {apiGroups: [""], resources: [configmaps], resourceNames: [settings], verbs: [get]}
        """,
    "overlays/prod.yaml": """
        apps:
          Role/ctl:
            rules+:
              - {resources: [configmaps], names: [settings], verbs: [watch]}
        """,
}
RBAC_PROJECT = """
project: ops
namespace: ops
specs: ["apps/*.yaml"]
environments:
  dev: {}
  prod: {overlays: [overlays/prod.yaml]}
"""
# resourceNames of what the chart does not make: kept as written (a ConfigMap Kubernetes makes
# in every namespace, another chart's Service and webhook configuration, an existing Secret,
# the lease the controller takes, a CRD, a custom resource made elsewhere)
FOREIGN = {("ConfigMap", "kube-root-ca.crt"), ("Service", "metrics-server"), ("Service", "http:metrics-server:"),
           ("ValidatingWebhookConfiguration", "policy-validate"), ("Secret", "ctl-tls"), ("Lease", "ctl"),
           ("CustomResourceDefinition", "gadgets.acme.io"), ("Gadget", "elsewhere")}
# a rule's resource (without its subresource) -> the kind it names
RESOURCE_KINDS = {"configmaps": "ConfigMap", "services": "Service", "secrets": "Secret", "deployments": "Deployment",
                  "leases": "Lease", "validatingwebhookconfigurations": "ValidatingWebhookConfiguration",
                  "customresourcedefinitions": "CustomResourceDefinition", "gadgets": "Gadget"}


def rbac_problems(objs: list[dict], namespace: str) -> list[str]:
    """The resourceNames of one release's Roles in its namespace and ClusterRoles that name
    no object of that release of a kind the rule covers (a Service's proxy
    `[<scheme>:]<name>[:<port>]` by its name), but for :data:`FOREIGN`."""
    problems = []
    names = {(o["kind"], o["metadata"]["name"]) for o in objs}
    for o in objs:
        if o["kind"] not in ("Role", "ClusterRole") or o["metadata"].get("namespace", namespace) != namespace:
            continue
        for r in o["rules"]:
            kinds = {RESOURCE_KINDS[res.partition("/")[0]] for res in r["resources"]}
            for n in r.get("resourceNames") or []:
                parts = n.split(":")
                candidates = {n} | ({p for p in parts if p} if any("/proxy" in res for res in r["resources"]) else set())
                if not any((k, n) in FOREIGN or (k, c) in names for k in kinds for c in candidates):
                    problems.append(f"{o['kind']}/{o['metadata']['name']} grants {r['verbs']} on {n}, "
                                    f"no {'/'.join(sorted(kinds))} of the release")
    return problems


def test_rbac_resource_names_follow_the_release(make_project, tmp_path):
    """A Role's and a ClusterRole's `resourceNames` that name the chart's objects of the rule's
    kinds name the release's: external-secrets' cert-controller may update only its webhook
    configuration and Secret by name, kubernetes-dashboard's web Role its settings ConfigMap,
    its API Role the metrics scraper's Service proxy (`http:<service>`, also
    `<scheme>:<service>:<port>`); installed as another release, the controller was forbidden
    its own objects (and the webhook, failurePolicy Fail, broke). What the chart does not
    make stays: a ConfigMap Kubernetes makes, another chart's Service and webhook, an
    existing Secret, a lease named like the Deployment, a CRD, a custom resource named
    elsewhere; and a Role of another namespace grants on that namespace's objects."""
    irs = compile_irs(make_project({k: textwrap.dedent(v) for k, v in RBAC.items()}, RBAC_PROJECT))
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out")
    for env in irs:
        values = ("-f", str(chart / f"values-{env}.yaml"))
        for release, ns in (("a", "x"), ("b", "y"), ("ops", "ops")):
            objs = render(chart, release, ns, *values)
            assert rbac_problems(objs, ns) == [], (env, release, rbac_problems(objs, ns))
            pre = "" if release == "ops" else f"{release}-"
            by = {(o["kind"], o["metadata"]["name"]): o for o in objs}
            role = by[("Role", f"{pre}ctl")]["rules"]
            assert [r.get("resourceNames") for r in role] == [
                [f"{pre}settings", "kube-root-ca.crt"],
                [f"{pre}ctl", f"http:{pre}ctl:", f"https:{pre}ctl:8443", f"{pre}ctl:https", f"http:{pre}ctl",
                 "metrics-server", "http:metrics-server:"],
                ["ctl-tls", f"{pre}ctl-webhook"], [f"{pre}ctl"], ["ctl"]] + ([[f"{pre}settings"]] if env == "prod" else [])
            cluster = by[("ClusterRole", f"{pre}ctl")]["rules"]
            assert [r["resourceNames"] for r in cluster] == [
                [f"{pre}ctl-validate", "policy-validate"], [f"{pre}ctl-webhook"], ["gadgets.acme.io"],
                [f"{pre}main", "elsewhere"]]
            assert by[("Role", f"{pre}kube-system-reader")]["rules"][0]["resourceNames"] == ["settings"]


MONITORS = {
    "apps/stack.yaml": """
        kind: App
        name: exporter
        image: ghcr.io/acme/exporter:1.0.0
        ports: {metrics: 9100}
        k8s:     # (what an import keeps of a chart's labels)
          Deployment:
            spec: {template: {metadata: {labels: {app.kubernetes.io/instance: stack, app.kubernetes.io/component: metrics}}}}
        ---
        kind: Resource
        name: exporter-metrics
        manifest:
          apiVersion: v1
          kind: Service
          metadata:
            labels: {app.kubernetes.io/name: exporter, app.kubernetes.io/instance: stack, app.kubernetes.io/component: metrics}
          spec:
            selector: {app.kubernetes.io/name: exporter, app.kubernetes.io/part-of: mon}
            ports: [{name: metrics, port: 9100, targetPort: metrics}]
        ---
        kind: Resource
        name: exporter
        manifest:
          apiVersion: monitoring.coreos.com/v1
          kind: ServiceMonitor
          spec:
            endpoints: [{port: metrics}]
            namespaceSelector: {matchNames: [mon]}
            selector:
              matchLabels: {app.kubernetes.io/name: exporter, app.kubernetes.io/instance: stack}
              matchExpressions: [{key: app.kubernetes.io/component, operator: In, values: [metrics]}]
        ---
        kind: Resource
        name: exporter-pods
        manifest:
          apiVersion: monitoring.coreos.com/v1
          kind: PodMonitor
          spec:
            podMetricsEndpoints: [{port: metrics}]
            selector:
              matchLabels: {app.kubernetes.io/instance: stack, app.kubernetes.io/component: metrics}
        ---
        kind: Resource
        name: exporter-vm
        manifest:
          apiVersion: operator.victoriametrics.com/v1beta1
          kind: VMServiceScrape
          spec:
            endpoints: [{port: metrics}]
            namespaceSelector: {any: true}
            selector:
              matchLabels: {app.kubernetes.io/instance: stack}
        ---
        kind: Resource
        name: kube-state-metrics
        manifest:
          apiVersion: monitoring.coreos.com/v1
          kind: ServiceMonitor
          spec:
            endpoints: [{port: http}]
            namespaceSelector: {any: true}
            selector:
              matchLabels: {app.kubernetes.io/name: kube-state-metrics, app.kubernetes.io/instance: stack}
        ---
        kind: Resource
        name: exporter-elsewhere
        manifest:
          apiVersion: monitoring.coreos.com/v1
          kind: ServiceMonitor
          spec:
            endpoints: [{port: metrics}]
            namespaceSelector: {matchNames: [monitoring]}
            selector:
              matchLabels: {app.kubernetes.io/name: exporter, app.kubernetes.io/instance: stack}
        ---
        kind: Resource
        name: exporter-core
        manifest:
          apiVersion: rbac.authorization.k8s.io/v1
          kind: ClusterRole
          metadata:
            labels: {app.kubernetes.io/instance: stack, acme.io/aggregate-to-exporter: "true"}
          rules: [{apiGroups: [""], resources: [nodes, nodes/metrics], verbs: [get, list]}]
        ---
        kind: Resource
        name: exporter-role
        manifest:
          apiVersion: rbac.authorization.k8s.io/v1
          kind: ClusterRole
          aggregationRule:
            clusterRoleSelectors:
              - matchLabels: {app.kubernetes.io/instance: stack, acme.io/aggregate-to-exporter: "true"}
              - matchLabels: {app.kubernetes.io/instance: kube-prometheus-stack, acme.io/aggregate-to-exporter: "true"}
          rules: []
        """,
    "overlays/prod.yaml": """
        apps:
          exporter:
            replicas: 2
        """,
}
MONITORS_PROJECT = HOOKS_PROJECT.replace("hooks", "mon")
# what the chart does not make (another chart's Services, ClusterRoles) or selects elsewhere:
# the selectors that stay as written
KEPT_SELECTORS = {("ServiceMonitor", "kube-state-metrics"), ("ServiceMonitor", "exporter-elsewhere")}


def selects(sel: dict, labels: dict) -> bool:
    ops = {"In": lambda k, vs: labels.get(k) in vs, "Exists": lambda k, vs: k in labels}
    return all(labels.get(k) == v for k, v in sel.get("matchLabels", {}).items()) and all(
        ops[e["operator"]](e["key"], e.get("values")) for e in sel.get("matchExpressions", []))


def test_monitor_and_aggregation_selectors_follow_the_release(make_project, tmp_path):
    """A kept ServiceMonitor, PodMonitor (and VictoriaMetrics' VMServiceScrape) selecting the
    chart's Services or pods by `app.kubernetes.io/instance`, and a ClusterRole aggregating the
    chart's ClusterRoles by it, select the release's: the chart sets that label to the release
    name on every object, so sealed-secrets' ServiceMonitor selected no Service even under
    `helm template <project>` (and kyverno's controllers aggregated none of their permissions).
    A selector of what the chart does not make (another chart's Service, a ClusterRole it does
    not make) or looking in another namespace stays as written."""
    irs = compile_irs(make_project({k: textwrap.dedent(v) for k, v in MONITORS.items()}, MONITORS_PROJECT))
    # (validate=False: the schemas have no PodMonitor, VMServiceScrape)
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out", validate=False)
    for env in irs:
        values = ("-f", str(chart / f"values-{env}.yaml"))
        for release, ns in (("a", "x"), ("b", "y"), ("mon", "mon")):
            objs = render(chart, release, ns, *values)
            pre = "" if release == "mon" else f"{release}-"
            labels = {"Service": [o["metadata"]["labels"] for o in objs if o["kind"] == "Service"],
                      "Pod": [o["spec"]["template"]["metadata"]["labels"] for o in objs if o["kind"] == "Deployment"],
                      "ClusterRole": [o["metadata"]["labels"] for o in objs if o["kind"] == "ClusterRole"]}
            picked = {}
            for o in objs:
                name = o["metadata"]["name"].removeprefix(pre)
                what = {"ServiceMonitor": "Service", "VMServiceScrape": "Service", "PodMonitor": "Pod"}.get(o["kind"])
                sels = [o["spec"]["selector"]] if what else (o.get("aggregationRule") or {}).get("clusterRoleSelectors", [])
                for sel in sels:
                    instance = sel["matchLabels"][INSTANCE]
                    hit = [x for x in labels[what or "ClusterRole"] if selects(sel, x)]
                    picked[(o["kind"], name, instance)] = len(hit)
            assert picked == {
                ("ServiceMonitor", "exporter", release): 1, ("PodMonitor", "exporter-pods", release): 1,
                ("VMServiceScrape", "exporter-vm", release): 1, ("ClusterRole", "exporter-role", release): 1,
                ("ClusterRole", "exporter-role", "kube-prometheus-stack"): 0,
                ("ServiceMonitor", "kube-state-metrics", "stack"): 0,
                ("ServiceMonitor", "exporter-elsewhere", "stack"): 0}, (env, release)
            assert {(k, n) for k, n, i in picked if i == "stack"} == KEPT_SELECTORS


CA_SECRET = {
    "apps/hook.yaml": """
        kind: App
        name: webhook
        image: quay.io/jetstack/cert-manager-webhook:v1.16.2
        port: 10250
        expose: true
        args: [--dynamic-serving-ca-secret-namespace=$(POD_NAMESPACE), --dynamic-serving-ca-secret-name=webhook-ca]
        downward: {POD_NAMESPACE: metadata.namespace}
        ---
        kind: Resource
        name: webhook
        manifest:
          apiVersion: admissionregistration.k8s.io/v1
          kind: ValidatingWebhookConfiguration
          metadata:
            annotations: {cert-manager.io/inject-ca-from-secret: hooks/webhook-ca}
          webhooks:
            - name: webhook.cert-manager.io
              sideEffects: None
              admissionReviewVersions: [v1]
              clientConfig:
                service: {name: webhook, namespace: hooks, path: /validate}
              rules: [{operations: [CREATE], apiGroups: [cert-manager.io], apiVersions: [v1], resources: ["*"]}]
        ---
        kind: Resource
        name: other
        manifest:
          apiVersion: admissionregistration.k8s.io/v1
          kind: MutatingWebhookConfiguration
          metadata:
            annotations: {cert-manager.io/inject-ca-from-secret: kyverno/kyverno-ca}
          webhooks:
            - name: other.acme.io
              sideEffects: None
              admissionReviewVersions: [v1]
              clientConfig:
                service: {name: kyverno, namespace: kyverno, path: /mutate}
              rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
        """,
}


def test_a_ca_secret_the_webhook_writes_is_injected_from_the_release_namespace(make_project, tmp_path):
    """cert-manager's chart: its webhook writes its own CA into Secret `cert-manager-webhook-ca`
    of its pod's namespace, and the cainjector fills the webhook configuration's caBundle from
    `cert-manager.io/inject-ca-from-secret: cert-manager/cert-manager-webhook-ca`. The chart
    makes no such Secret; installed in another namespace, the annotation kept the import's
    namespace, no caBundle was injected and the API server refused every Certificate (the
    webhook's TLS unverifiable). The namespace follows the release, the name stays; a Secret of
    another namespace stays as written."""
    irs = compile_irs(make_project({k: textwrap.dedent(v) for k, v in CA_SECRET.items()}, HOOKS_PROJECT))
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out", validate=False)
    by = {(o["kind"], o["metadata"]["name"]): o for o in render(chart, "a", "y")}
    inject = "cert-manager.io/inject-ca-from-secret"
    assert by[("ValidatingWebhookConfiguration", "a-webhook")]["metadata"]["annotations"][inject] == "y/webhook-ca"
    assert by[("MutatingWebhookConfiguration", "a-other")]["metadata"]["annotations"][inject] == "kyverno/kyverno-ca"


FLAGS = {
    "apps/ctrl.yaml": """
        kind: App
        name: ctrl
        image: registry.k8s.io/ingress-nginx/controller:v1.15.1
        ports: {http: 80, webhook: 8443}
        expose: true
        args:
          - /nginx-ingress-controller
          - ctrl
          - --publish-service=$(POD_NAMESPACE)/ctrl
          - --configmap=$(POD_NAMESPACE)/ctrl-config
          - --election-id=ctrl-leader
          - --controller-class=k8s.io/ctrl
          - --upstream=ctrl.hooks:80,ctrl.elsewhere:80
        downward: {POD_NAMESPACE: metadata.namespace}
        volumes:
          cert: {secret: admission, mount: /certs, read_only: true}
        ---
        kind: ConfigMap
        name: ctrl-config
        data: {}
        ---
        kind: Secret
        name: admission
        existing: true
        ---
        kind: Job
        name: certgen
        image: registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9
        args:
          - create
          - --host=ctrl,ctrl.$(POD_NAMESPACE).svc,ctrl.hooks.svc.cluster.local:8443
          - --secret-name=admission
          - --webhook-name=admission
        downward: {POD_NAMESPACE: metadata.namespace}
        ---
        kind: Resource
        name: admission
        manifest:
          apiVersion: admissionregistration.k8s.io/v1
          kind: ValidatingWebhookConfiguration
          webhooks:
            - name: validate.nginx.ingress.kubernetes.io
              sideEffects: None
              admissionReviewVersions: [v1]
              failurePolicy: Fail
              clientConfig:
                service: {name: ctrl, namespace: hooks, path: /networking/v1/ingresses, port: 8443}
              rules: [{operations: [CREATE], apiGroups: [networking.k8s.io], apiVersions: [v1], resources: [ingresses]}]
        """,
}


def test_names_in_container_flags_follow_the_release(make_project, tmp_path):
    """ingress-nginx's chart and cert-manager's: programs take the objects they serve, read and
    patch from flags. Installed as another release, the controller read `--configmap=
    $(POD_NAMESPACE)/<import's name>` (absent: its settings lost) and published another
    Service's address; the certificate Job signed for the import's Service (`--host=`), so the
    API server's TLS check failed, and patched no webhook (`--webhook-name=`): every Ingress
    was refused. A flag's value naming the chart's object follows the release, by the kind its
    name says (`--secret-name=` names the Secret the Job writes, which the chart does not make,
    not the webhook configuration of the same name); a positional word, a name the chart does
    not make and another namespace's host stay."""
    irs = compile_irs(make_project({k: textwrap.dedent(v) for k, v in FLAGS.items()}, HOOKS_PROJECT))
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out", validate=False)
    by = {(o["kind"], o["metadata"]["name"]): o for o in render(chart, "a", "y")}
    args = {n: dig(by[(k, f"a-{n}")], "spec", "template", "spec")["containers"][0]["args"]
            for k, n in (("Deployment", "ctrl"), ("Job", "certgen"))}
    assert args["ctrl"] == ["/nginx-ingress-controller", "ctrl", "--publish-service=$(POD_NAMESPACE)/a-ctrl",
                            "--configmap=$(POD_NAMESPACE)/a-ctrl-config", "--election-id=ctrl-leader",
                            "--controller-class=k8s.io/ctrl", "--upstream=a-ctrl.y:80,ctrl.elsewhere:80"]
    assert args["certgen"] == ["create", "--host=a-ctrl,a-ctrl.$(POD_NAMESPACE).svc,a-ctrl.y.svc.cluster.local:8443",
                               "--secret-name=admission", "--webhook-name=a-admission"]
    mounted = dig(by[("Deployment", "a-ctrl")], "spec", "template", "spec")["volumes"]
    assert {"secretName": "admission"} in [v.get("secret") for v in mounted]
    assert ("ValidatingWebhookConfiguration", "a-admission") in by and ("ConfigMap", "a-ctrl-config") in by


GRANTED_ENV = {
    "apps/controller.yaml": """
        kind: App
        name: controller
        image: quay.io/metallb/controller:v0.14.9
        port: 9120
        service_account: controller
        env: {METALLB_DEPLOYMENT: controller, METALLB_ML_SECRET_NAME: memberlist, MODE: controller}
        ---
        kind: App
        name: other
        image: quay.io/metallb/controller:v0.14.9
        port: 9120
        env: {METALLB_DEPLOYMENT: controller}
        ---
        kind: ServiceAccount
        name: controller
        ---
        kind: Role
        name: controller
        rules:
          - {api_groups: [apps], resources: [deployments], names: [controller], verbs: [get]}
          - {resources: [secrets], names: [memberlist], verbs: [list]}
        bind: [controller]
        """,
}


SYSTEM_ROLE = {
    "apps/metrics.yaml": """
        kind: App
        name: metrics
        image: registry.k8s.io/metrics-server/metrics-server:v0.8.0
        port: 10250
        service_account: metrics
        ---
        kind: ServiceAccount
        name: metrics
        ---
        kind: Resource
        name: metrics-auth-reader
        manifest:
          apiVersion: rbac.authorization.k8s.io/v1
          kind: RoleBinding
          metadata: {namespace: kube-system}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
          subjects: [{kind: ServiceAccount, name: metrics, namespace: kube-system}]
        ---
        kind: Resource
        name: metrics-leader
        manifest:
          apiVersion: rbac.authorization.k8s.io/v1
          kind: Role
          metadata: {namespace: kube-system}
          rules: [{apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, update]}]
        ---
        kind: Resource
        name: rolebinding-metrics-leader
        manifest:
          apiVersion: rbac.authorization.k8s.io/v1
          kind: RoleBinding
          metadata: {name: metrics-leader, namespace: kube-system}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: metrics-leader}
          subjects: [{kind: ServiceAccount, name: metrics, namespace: kube-system}]
        """,
}


def test_an_env_value_naming_an_object_its_role_grants_by_name_follows_the_release(make_project, tmp_path):
    """MetalLB's controller gets its own Deployment by the name METALLB_DEPLOYMENT gives it
    (`controller`), which its Role grants by `resourceNames`. Installed as another release, the
    Role granted `<release>-controller` and the env var still said `controller`: the controller
    could not read its Deployment. Such a value follows the release as the object does; a name
    the chart does not make (the memberlist Secret the controller creates), a workload whose
    account is granted nothing by name, and the same word in a variable whose name names no
    kind (`MODE`) stay."""
    irs = compile_irs(make_project({k: textwrap.dedent(v) for k, v in GRANTED_ENV.items()}, HOOKS_PROJECT))
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out", validate=False)
    by = {(o["kind"], o["metadata"]["name"]): o for o in render(chart, "a", "y")}
    env = {n: {e["name"]: e["value"] for e in dig(by[("Deployment", f"a-{n}")], "spec", "template", "spec")
               ["containers"][0]["env"] if "value" in e} for n in ("controller", "other")}
    assert env["controller"]["METALLB_DEPLOYMENT"] == "a-controller"
    assert (env["controller"]["METALLB_ML_SECRET_NAME"], env["other"]["METALLB_DEPLOYMENT"]) == ("memberlist", "controller")
    rule = next(r for r in by[("Role", "a-controller")]["rules"] if "deployments" in r["resources"])
    assert rule["resourceNames"] == ["a-controller"]
    assert env["controller"]["MODE"] == "controller"


def test_a_binding_of_a_kubernetes_role_stays_in_kube_system(make_project, tmp_path):
    """metrics-server's chart binds `extension-apiserver-authentication-reader`, a Role
    Kubernetes keeps in kube-system, in kube-system. Imported for kube-system and installed
    elsewhere, the binding went to the release's namespace, where no such Role is: the server
    could not read the request-header CA and refused the API server's calls. The binding stays
    in kube-system (its subject is the release's account); a Role the chart makes there and its
    binding follow the release."""
    project = HOOKS_PROJECT.replace("hooks", "kube-system").replace("project: kube-system", "project: ms")
    irs = compile_irs(make_project({k: textwrap.dedent(v) for k, v in SYSTEM_ROLE.items()}, project))
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out", validate=False)
    by = {(o["kind"], o["metadata"]["name"]): o for o in render(chart, "a", "y")}
    reader = by[("RoleBinding", "a-metrics-auth-reader")]
    assert reader["metadata"]["namespace"] == "kube-system"
    assert reader["subjects"] == [{"kind": "ServiceAccount", "name": "a-metrics", "namespace": "y"}]
    assert by[("RoleBinding", "a-metrics-leader")]["metadata"]["namespace"] == "y"
    assert by[("Role", "a-metrics-leader")]["metadata"]["namespace"] == "y"
