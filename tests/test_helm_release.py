"""The Helm chart's release model, checked with the real `helm template`: installing the chart
as release `a` and release `b` in namespace `x`, and as `a` in namespace `y`, gives objects
that never share (kind, namespace, name), and inside one release every reference resolves to
an object of that release (a small resolver below: selectors match pod labels, volume and
envFrom names exist, binding subjects exist, NetworkPolicy peers match pods, `*_HOST` values
and URL hosts name a Service). References to what the chart does not create (an existing
Secret) stay as the specs wrote them; Secrets supplied at deploy time are the release's own."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import yaml

from conftest import EXAMPLES
from test_helm import SINK, SINK_PROJECT, compile_irs, write_chart
from validators import assert_valid_k8s, helm

from skyspec.backends import helm as helm_backend

INSTANCE = "app.kubernetes.io/instance"
WORKLOADS = {"Deployment": ("spec", "template"), "StatefulSet": ("spec", "template"), "Job": ("spec", "template"),
             "CronJob": ("spec", "jobTemplate", "spec", "template")}


def render(chart: Path, release: str, namespace: str, *args: str) -> list[dict]:
    r = helm("template", release, str(chart), "--namespace", namespace, *args)
    assert r.returncode == 0, r.stderr
    return [d for d in yaml.safe_load_all(r.stdout) if d]


def dig(o, *path):
    for k in path:
        if not isinstance(o, dict):
            return None
        o = o.get(k)
    return o


def fullname(release: str, chart: str, base: str) -> str:
    return base if release == chart else f"{release}-{base}"[:63].rstrip("-")


def resolve(objs: list[dict], release: str, namespace: str, *, external: set[str] = frozenset(),
            supplied: set[str] = frozenset(), chart: str = "") -> list[str]:
    """What does not resolve inside one release's objects. ``external``: names of things the
    chart does not create (kept as written); ``supplied``: Secrets supplied at deploy time (the
    release's own: `<release>-<name>`)."""
    problems: list[str] = []
    names = {(o["kind"], o["metadata"]["name"]) for o in objs}
    secrets = {n for k, n in names if k == "Secret"} | {
        dig(o, "spec", "target", "name") or o["metadata"]["name"] for o in objs if o["kind"] == "ExternalSecret"}
    secrets |= {fullname(release, chart, s) for s in supplied}
    pods = []   # (object, pod template labels, pod spec)
    for o in objs:
        if o["kind"] in WORKLOADS:
            tpl = dig(o, *WORKLOADS[o["kind"]])
            pods.append((o, tpl["metadata"]["labels"], tpl["spec"]))
    services = {o["metadata"]["name"] for o in objs if o["kind"] == "Service"}

    def matches(sel: dict, what: str) -> None:
        if not sel:
            return
        if sel.get(INSTANCE) != release:
            problems.append(f"{what}: selector {sel} lacks the release's instance label")
        if not any(all(lab.get(k) == v for k, v in sel.items()) for _, lab, _ in pods):
            problems.append(f"{what}: selector {sel} selects no pod of the release")

    def exists(kind: str, name, what: str, pool=None) -> None:
        ok = name in pool if pool is not None else (kind, name) in names
        if not ok and name not in external:
            problems.append(f"{what}: {kind} {name!r} is not an object of release {release}")

    for o in objs:
        kind, name = o["kind"], o["metadata"]["name"]
        what = f"{kind}/{name}"
        if o["metadata"].get("namespace", namespace) != namespace:
            problems.append(f"{what}: namespace {o['metadata'].get('namespace')}")
        if o["metadata"]["labels"].get(INSTANCE) != release:
            problems.append(f"{what}: no instance label")
        if kind == "Service":
            matches(o["spec"].get("selector"), what)
        if kind in ("PodDisruptionBudget",) or kind in WORKLOADS and kind != "CronJob":
            matches(dig(o, "spec", "selector", "matchLabels"), what)
        if kind == "NetworkPolicy":
            matches(dig(o, "spec", "podSelector", "matchLabels"), what)
            for rule in (o["spec"].get("ingress") or []) + (o["spec"].get("egress") or []):
                for peer in (rule.get("from") or []) + (rule.get("to") or []):
                    if "podSelector" in peer and "namespaceSelector" not in peer:
                        matches(dig(peer, "podSelector", "matchLabels"), f"{what} peer")
        if kind == "HorizontalPodAutoscaler":
            t = o["spec"]["scaleTargetRef"]
            exists(t["kind"], t["name"], what)
        if kind == "Ingress":
            for r in o["spec"]["rules"]:
                for p in r["http"]["paths"]:
                    exists("Service", p["backend"]["service"]["name"], what)
        if kind in ("RoleBinding", "ClusterRoleBinding"):
            exists(o["roleRef"]["kind"], o["roleRef"]["name"], what)
            for s in o["subjects"]:
                exists(s["kind"], s["name"], what)
                if s.get("namespace") != namespace:
                    problems.append(f"{what}: subject namespace {s.get('namespace')}")
        if kind == "StatefulSet":
            exists("Service", o["spec"]["serviceName"], what)
        if kind == "ConfigMap":
            for k, text in (o.get("data") or {}).items():
                for host in re.findall(r"(?:https?|redis|postgres(?:ql)?)://(?:[^@/\s]*@)?([a-z0-9-]+)(?=[:/;\s]|$)", text):
                    if host not in services:
                        problems.append(f"{what}: {k} names host {host!r}, no Service of the release")
    for o, labels, spec in pods:
        what = f"{o['kind']}/{o['metadata']['name']}"
        if labels.get(INSTANCE) != release:
            problems.append(f"{what}: pod template without the instance label")
        if "serviceAccountName" in spec:
            exists("ServiceAccount", spec["serviceAccountName"], what)
        for v in spec.get("volumes") or []:
            if "configMap" in v:
                exists("ConfigMap", v["configMap"]["name"], what)
            if "secret" in v:
                exists("Secret", v["secret"]["secretName"], what, secrets)
            if "persistentVolumeClaim" in v:
                exists("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"], what)
        for c in (spec.get("initContainers") or []) + spec["containers"]:
            for ef in c.get("envFrom") or []:
                if "configMapRef" in ef:
                    exists("ConfigMap", ef["configMapRef"]["name"], what)
                if "secretRef" in ef:
                    exists("Secret", ef["secretRef"]["name"], what, secrets)
            for e in c.get("env") or []:
                ref = dig(e, "valueFrom", "secretKeyRef", "name")
                if ref is not None:
                    exists("Secret", ref, what, secrets)
                ref = dig(e, "valueFrom", "configMapKeyRef")
                if ref is not None and not ref.get("optional"):
                    exists("ConfigMap", ref["name"], what)
                v = e.get("value")
                if e["name"].endswith("_HOST") and v not in services:
                    problems.append(f"{what}: {e['name']}={v} names no Service of the release")
                host = re.match(r"[a-z]+://([^:/@]+)[:/]", v or "")
                if host and "." not in host.group(1) and host.group(1) not in services:
                    problems.append(f"{what}: {e['name']}={v} names no Service of the release")
    return problems


def ids(objs: list[dict]) -> set[tuple]:
    return {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objs}


def assert_releases_coexist(chart: Path, project: str, *args: str, external=frozenset(), supplied=frozenset()):
    a_x, b_x, a_y = (render(chart, r, ns, *args) for r, ns in (("a", "x"), ("b", "x"), ("a", "y")))
    assert ids(a_x).isdisjoint(ids(b_x)), ids(a_x) & ids(b_x)
    namespaced = {i for i in ids(a_x) if i[1] is not None}
    assert namespaced.isdisjoint(ids(a_y))
    for objs, release, ns in ((a_x, "a", "x"), (b_x, "b", "x"), (a_y, "a", "y")):
        assert resolve(objs, release, ns, external=external, supplied=supplied, chart=project) == []
    # release named like the chart: the names of the Kubernetes output
    same = render(chart, project, "x", *args)
    assert resolve(same, project, "x", external=external, supplied=supplied, chart=project) == []
    assert {o["metadata"]["name"] for o in same} == {o["metadata"]["name"][2:] for o in a_x}
    assert_valid_k8s(a_x)
    return a_x


def test_shop_releases_coexist_in_one_namespace_and_in_two(tmp_path):
    irs = compile_irs(EXAMPLES / "shop")
    chart = write_chart(helm_backend.render(irs), tmp_path, "shop")
    for env in ("dev", "prod", "prod.eu-west"):
        objs = assert_releases_coexist(chart, "shop", "-f", str(chart / f"values-{env}.yaml"), supplied={"shop-db"})
        by = {(o["kind"], o["metadata"]["name"]): o for o in objs}
        api = by[("Deployment", "a-api")]["spec"]["template"]["spec"]["containers"][0]
        env_vars = {e["name"]: e.get("value") for e in api["env"]}
        # connect_to's hosts, and the URL the db component exports, name the release's Services
        assert env_vars["DB_HOST"] == "a-db" and env_vars["CACHE_HOST"] == "a-cache"
        assert env_vars["DB_URL"] == "postgresql://a-db:5432/shop"
        web = by[("Deployment", "a-web")]["spec"]["template"]["spec"]["containers"][0]
        assert {"name": "API_URL", "value": "http://a-api:8080"} in web["env"]
        # nginx, in the ConfigMap, proxies to the release's api
        assert "proxy_pass http://a-api:8080/;" in by[("ConfigMap", "a-web-config")]["data"]["default.conf"]
        assert by[("Ingress", "a-web")]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "a-web"
        if env != "dev":
            # the ExternalSecret makes the release's own Secret; the Ingress's certificate too
            assert by[("ExternalSecret", "a-shop-db")]["spec"]["target"]["name"] == "a-shop-db"
            assert by[("Ingress", "a-web")]["spec"]["tls"][0]["secretName"] == "a-web-tls"
        if env == "prod.eu-west":
            # the report does not run there: no NetworkPolicy lets it in
            peers = by[("NetworkPolicy", "a-db-ingress")]["spec"]["ingress"][0]["from"]
            assert [p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for p in peers] == ["api"]


def test_values_yaml_alone_installs_one_coherent_environment(tmp_path):
    """values.yaml is one environment whole, never a blend of several: for the shop's default
    base (dev, the first environment) and for `base: prod`, values.yaml alone passes `helm
    lint --strict` and renders, for any release in any namespace, valid objects whose
    references resolve, whose environment label is that environment's on every object that
    has one, whose Ingress host is the one the web app is told (PUBLIC_URL), and whose replicas
    and ExternalSecret are that environment's."""
    irs = compile_irs(EXAMPLES / "shop")
    for base, host in (("dev", "shop.dev.example.com"), ("prod", "shop.example.com")):
        chart = write_chart(helm_backend.render(irs, base=base), tmp_path / base, "shop")
        r = helm("lint", "--strict", str(chart))
        assert r.returncode == 0, r.stdout + r.stderr
        objs = assert_releases_coexist(chart, "shop", supplied={"shop-db"})
        assert {o["metadata"]["labels"].get("skyspec.dev/env") for o in objs} == {base, None}
        by = {(o["kind"], o["metadata"]["name"]): o for o in objs}
        assert [r["host"] for r in by[("Ingress", "a-web")]["spec"]["rules"]] == [host]
        web = by[("Deployment", "a-web")]["spec"]["template"]["spec"]["containers"][0]
        assert {"name": "PUBLIC_URL", "value": f"https://{host}"} in web["env"]
        want = {w.name: w.replicas for w in irs[base].workloads}
        assert by[("Deployment", "a-api")]["spec"]["replicas"] == want["api"]
        assert by[("Deployment", "a-web")]["spec"]["replicas"] == want["web"]
        assert (("ExternalSecret", "a-shop-db") in by) == (base == "prod")


HOSTS = {
    "apps/a.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        port: 8080
        connect_to: [db, cache]
        env:
          UPSTREAM: "http://db.hosts.svc.cluster.local:5432/x"
          PEERS: "db:5432,cache:6379"
          FQ: "db.hosts.svc"
          NOT_OURS: "https://api.example.com/v1 my-api:80 api db.other.svc"
        ---
        kind: App
        name: db
        image: postgres:16.4
        ports: {pg: 5432}
        ---
        kind: App
        name: cache
        image: redis:7.2
        ports: {redis: 6379}
        ---
        kind: App
        name: web
        image: ghcr.io/acme/web:1.0.0
        port: 8080
        connect_to: [api]
        volumes:
          conf: {config: proxy, mount: /etc/nginx/conf.d, read_only: true}
        ---
        kind: ConfigMap
        name: proxy
        data:
          nginx.conf: |
            upstream backend { server ${apps.api.address}; }
            server {
              location / { proxy_pass http://api; }
              location /db { proxy_pass http://db.hosts.svc.cluster.local:5432/; }
              location /c { proxy_pass redis://user@cache:6379; }
            }
            # not ours: api.example.com, http://api.example.com/, my-api:80, api alone, db.other.svc:1
          plain: "no hosts here"
          quoted: "`http://api:8080`\\r\\n"
        """,
    "overlays/prod.yaml": """
        apps:
          proxy:
            data:
              backup: "s3://backups/db then http://db:5432"
              plain: "still none, api"
        """,
}
HOSTS_PROJECT = """
project: hosts
namespace: hosts
specs: ["apps/*.yaml"]
environments:
  dev: {}
  prod: {overlays: [overlays/prod.yaml]}
"""


def test_host_names_in_configmap_data_and_env_vars_follow_the_release(make_project, tmp_path):
    """A Service's host name in text -- `<svc>:<port>`, a URL's host, `<svc>.<ns>.svc[.cluster.local]`
    -- in ConfigMap data (the same in every environment, or a value) and in env vars names the
    release's Service in the release's namespace; a longer name, a domain, a bare word and
    another namespace are left alone. The release named like the chart keeps the text as it is
    (parity)."""
    from test_helm import assert_chart_is_the_kubernetes_output

    irs = compile_irs(make_project(HOSTS, HOSTS_PROJECT))
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out")
    text = (chart / "templates" / "configmap.proxy.yaml").read_text()
    assert "  location / { proxy_pass http://api; }\n" in text      # readable in the template
    not_ours = "# not ours: api.example.com, http://api.example.com/, my-api:80, api alone, db.other.svc:1\n"
    for env in irs:
        values = ("-f", str(chart / f"values-{env}.yaml"))
        objs = assert_releases_coexist(chart, "hosts", *values)
        by = {(o["kind"], o["metadata"]["name"]): o for o in objs}
        data = by[("ConfigMap", "a-proxy")]["data"]
        assert data["nginx.conf"] == (
            "upstream backend { server a-api:8080; }\nserver {\n  location / { proxy_pass http://a-api; }\n"
            "  location /db { proxy_pass http://a-db.x.svc.cluster.local:5432/; }\n"
            "  location /c { proxy_pass redis://user@a-cache:6379; }\n}\n" + not_ours)
        assert data["quoted"] == "`http://a-api:8080`\r\n"
        assert data["plain"] == ("still none, api" if env == "prod" else "no hosts here")
        assert data.get("backup") == ("s3://backups/db then http://a-db:5432" if env == "prod" else None)
        api = by[("Deployment", "a-api")]["spec"]["template"]["spec"]["containers"][0]
        env_vars = {e["name"]: e.get("value") for e in api["env"]}
        assert env_vars["UPSTREAM"] == "http://a-db.x.svc.cluster.local:5432/x"
        assert env_vars["PEERS"] == "a-db:5432,a-cache:6379" and env_vars["FQ"] == "a-db.x.svc"
        assert env_vars["NOT_OURS"] == "https://api.example.com/v1 my-api:80 api db.other.svc"
    # fullnameOverride, and text a user sets, follow too
    objs = render(chart, "a", "x", "--set", "fullnameOverride=store", "--set", "apps.api.env.EXTRA=http://cache:6379/0")
    by = {(o["kind"], o["metadata"]["name"]): o for o in objs}
    assert "server store-api:8080;" in by[("ConfigMap", "store-proxy")]["data"]["nginx.conf"]
    env_vars = {e["name"]: e.get("value") for e in by[("Deployment", "store-api")]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env_vars["EXTRA"] == "http://store-cache:6379/0" and env_vars["DB_HOST"] == "store-db"


LISTS = {
    "apps/web.yaml": """
        kind: App
        name: web
        image: ghcr.io/acme/web:1.0.0
        ports: {http: 8080, admin: 9000}
        expose: {host: web.example.com, port: http}
        env_from: [{config: base}]
        ---
        kind: ConfigMap
        name: base
        data: {A: "1"}
        ---
        kind: ConfigMap
        name: extra
        data: {B: "2"}
        ---
        kind: ConfigMap
        name: other
        data: {C: "3"}
        """,
    "overlays/prod.yaml": """
        apps:
          web:
            expose: {port: admin, path: /admin}
            env_from+: [{config: extra}]
        """,
    "overlays/qa.yaml": """
        apps:
          web:
            env_from: [{config: other}]
        """,
}


def test_lists_that_differ_between_environments_name_the_release_s_objects(make_project, tmp_path):
    """An Ingress path whose backend port differs between environments, and an envFrom list
    that grows in one environment and names another ConfigMap in a third: as one value, the
    list held the names as the specs wrote them, and a release not named like the chart
    routed to no Service and read no ConfigMap. Item by item, they follow the release."""
    from test_helm import assert_chart_is_the_kubernetes_output

    files = {k: textwrap.dedent(v) for k, v in LISTS.items()}
    irs = compile_irs(make_project(files, HOSTS_PROJECT.replace("dev: {}", "dev: {}\n  qa: {overlays: [overlays/qa.yaml]}")))
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out")
    want = {"dev": (["a-base"], "/", "http"), "qa": (["a-other"], "/", "http"),
            "prod": (["a-base", "a-extra"], "/admin", "admin")}
    for env, (refs, path, port) in want.items():
        objs = assert_releases_coexist(chart, "hosts", "-f", str(chart / f"values-{env}.yaml"))
        by = {(o["kind"], o["metadata"]["name"]): o for o in objs}
        pod = by[("Deployment", "a-web")]["spec"]["template"]["spec"]
        assert [f["configMapRef"]["name"] for f in pod["containers"][0]["envFrom"]] == refs, env
        rule = by[("Ingress", "a-web")]["spec"]["rules"][0]["http"]["paths"][0]
        assert (rule["path"], rule["backend"]["service"]) == (path, {"name": "a-web", "port": {"name": port}}), env


CLUSTER = """
---
kind: ClusterRole
name: node-reader
rules: [{resources: [nodes], verbs: [get]}]
bind: [ops]
"""


def test_every_kind_follows_the_release(make_project, tmp_path):
    """Service accounts and their bindings (a ClusterRole's too), ConfigMaps in volumes,
    envFrom and one key's variable (`configs:`), an existing Secret (kept), a StatefulSet's
    Service, an HPA, a canary, a NetworkPolicy's peers."""
    api = textwrap.dedent(SINK["apps/api.yaml"]).replace("{app: web}", "{app: report}")   # an app that exists
    api = api.replace("env_from: [{config: settings}]\n",
                      "env_from: [{config: settings}]\nconfigs: {MODE: {config: settings, key: mode}}\n")
    assert "configs:" in api
    root = make_project({**SINK, "apps/api.yaml": api + CLUSTER}, SINK_PROJECT)
    irs = compile_irs(root)
    chart = write_chart(helm_backend.render(irs), tmp_path, "sink")
    for env in irs:
        objs = assert_releases_coexist(chart, "sink", "-f", str(chart / f"values-{env}.yaml"), external={"creds"})
        by = {(o["kind"], o["metadata"]["name"]): o for o in objs}
        binding = by[("ClusterRoleBinding", "a-node-reader")]
        assert binding["roleRef"]["name"] == "a-node-reader"
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "a-ops", "namespace": "x"}]
        sts = by[("StatefulSet", "a-db")]
        assert sts["spec"]["serviceName"] == "a-db-headless"
        assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["labels"][INSTANCE] == "a"
        pod = by[("Deployment", "a-my-api")]["spec"]["template"]["spec"]
        assert {"configMapRef": {"name": "a-settings"}} in pod["containers"][0]["envFrom"]
        token = next(e for e in pod["containers"][0]["env"] if e["name"] == "TOKEN")
        assert token["valueFrom"]["secretKeyRef"]["name"] == "creds"     # an existing Secret keeps its name
        mode = next(e for e in pod["containers"][0]["env"] if e["name"] == "MODE")
        assert mode["valueFrom"]["configMapKeyRef"] == {"name": "a-settings", "key": "mode"}
        if env == "prod":
            assert by[("HorizontalPodAutoscaler", "a-my-api")]["spec"]["scaleTargetRef"]["name"] == "a-my-api"
            assert ("Deployment", "a-my-api-canary") in by


def test_name_overrides(make_project, tmp_path):
    """fullnameOverride replaces the release in every name; nameOverride is the name a release
    is compared with (and the part-of label); long names are cut to 63 characters."""
    irs = compile_irs(EXAMPLES / "shop")
    chart = write_chart(helm_backend.render(irs), tmp_path, "shop")
    names = {o["metadata"]["name"] for o in render(chart, "a", "x", "--set", "fullnameOverride=store")}
    assert "store-api" in names and "store-shop-db" not in names and all(n.startswith("store-") for n in names)
    objs = render(chart, "store", "x", "--set", "nameOverride=store")
    assert "api" in {o["metadata"]["name"] for o in objs}
    assert all(o["metadata"]["labels"]["app.kubernetes.io/part-of"] == "store" for o in objs)
    long = "r" * 53     # Helm's longest release name
    names = {o["metadata"]["name"] for o in render(chart, long, "x")}
    assert all(len(n) <= 63 and not n.endswith("-") for n in names) and f"{long}-nightly-r" in names


def test_notes_list_the_endpoints_and_the_secrets_to_create(tmp_path):
    irs = compile_irs(EXAMPLES / "shop")
    chart = write_chart(helm_backend.render(irs), tmp_path, "shop")

    def notes(*args: str) -> str:
        r = helm("install", "--dry-run=client", "a", str(chart), "--namespace", "x", *args)
        assert r.returncode == 0, r.stderr
        return r.stdout.split("NOTES:", 1)[1]

    dev = notes()
    assert "http://shop.dev.example.com/" in dev and "a-api.x.svc: 8080/http, 9090/metrics" in dev
    assert "a-shop-db (keys: password)" in dev
    prod = notes("-f", str(chart / "values-prod.yaml"))
    assert "https://shop.example.com/" in prod and "shop-db" not in prod    # the ExternalSecret makes it


STRATEGIES = {
    "apps/a.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0@sha256:1111111111111111111111111111111111111111111111111111111111111111
        ports: {http: 8080, metrics: 9090}
        replicas: 2
        env_from: [{config: settings}, {secret: creds, prefix: CREDS_}]
        volumes:
          uploads: {claim: uploads, mount: /srv/uploads}
          certs: {secret: creds, mount: /etc/certs}
        priority_class: high
        expose: {host: api.example.com, tls: true}
        ---
        kind: App
        name: web
        image: ghcr.io/acme/web:2.0.0
        port: 8080
        connect_to: [api]
        env: {API: "http://api:8080/v1", API_ADDR: "api:8080", OTHER: "http://api.example.com/"}
        ---
        kind: Secret
        name: creds
        keys: [password]
        ---
        kind: ConfigMap
        name: settings
        data: {mode: fast}
        ---
        kind: Resource
        name: uploads
        manifest:
          apiVersion: v1
          kind: PersistentVolumeClaim
          spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}}}
        ---
        kind: Resource
        name: high
        manifest: {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, value: 1000000, globalDefault: false}
        ---
        kind: SecurityPolicy
        name: pss
        level: baseline
        ---
        kind: Observability
        name: api-obs
        apps: [api]
        metrics: {port: metrics, path: /metrics, service_monitor: true}
        """,
    "overlays/qa.yaml": """
        apps:
          api:
            strategy: {canary: {percent: 50, image: "ghcr.io/acme/api:1.1.0"}}
        """,
    "overlays/prod.yaml": """
        apps:
          api:
            replicas: 4
            strategy: {blue-green: {active: green, preview_image: "ghcr.io/acme/api:1.1.0"}}
            autoscale: {min: 4, max: 8, cpu: 60}
        """,
}
STRATEGIES_PROJECT = """
project: strat
specs: ["apps/*.yaml"]
environments:
  dev: {}
  qa: {overlays: [overlays/qa.yaml]}
  prod: {overlays: [overlays/prod.yaml]}
"""


def test_strategies_raw_objects_and_the_namespace(make_project, tmp_path):
    """Blue-green and canary Deployments, a PVC and a PriorityClass from `Resource` manifests, a
    ServiceMonitor, a Secret supplied at deploy time and the Namespace a SecurityPolicy makes:
    the parity holds in every environment, and the releases coexist but for the Namespace,
    which one release owns (`objects.namespace.enabled`)."""
    from test_helm import assert_chart_is_the_kubernetes_output

    irs = compile_irs(make_project(STRATEGIES, STRATEGIES_PROJECT))
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out")
    for env in irs:
        values = ("-f", str(chart / f"values-{env}.yaml"))
        a_x = render(chart, "a", "x", *values)
        b_x = render(chart, "b", "x", *values, "--set", "objects.namespace.enabled=false")
        assert ids(a_x) & ids(b_x) == set() and ("Namespace", None, "x") in ids(a_x)
        for objs, release in ((a_x, "a"), (b_x, "b")):
            no_ns = [o for o in objs if o["kind"] != "Namespace"]
            assert resolve(no_ns, release, "x", supplied={"creds"}, chart="strat") == []
        by = {(o["kind"], o["metadata"]["name"]): o for o in a_x}
        assert by[("Namespace", "x")]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "baseline"
        assert by[("ServiceMonitor", "a-api")]["spec"]["selector"]["matchLabels"][INSTANCE] == "a"
        web = by[("Deployment", "a-web")]["spec"]["template"]["spec"]["containers"][0]
        env_vars = {e["name"]: e["value"] for e in web["env"]}
        assert env_vars == {"API": "http://a-api:8080/v1", "API_ADDR": "a-api:8080", "OTHER": "http://api.example.com/",
                            "API_HOST": "a-api", "API_PORT": "8080"}
        api = [o for o in a_x if o["kind"] == "Deployment" and o["metadata"]["name"].startswith("a-api")]
        for d in api:
            pod = d["spec"]["template"]["spec"]
            assert pod["priorityClassName"] == "a-high"
            assert {"name": "uploads", "persistentVolumeClaim": {"claimName": "a-uploads"}} in pod["volumes"]
        if env == "prod":
            assert {d["metadata"]["name"] for d in api} == {"a-api-blue", "a-api-green"}
            assert by[("Service", "a-api")]["spec"]["selector"]["skyspec.dev/color"] == "green"
            assert by[("HorizontalPodAutoscaler", "a-api")]["spec"]["scaleTargetRef"]["name"] == "a-api-green"
        if env == "qa":
            assert {d["metadata"]["name"] for d in api} == {"a-api", "a-api-canary"}


def test_helm_package_leaves_out_what_helmignore_names(tmp_path):
    """`helm package` of the chart, with an editor's and a VCS's leftovers in it, packs the
    chart's own files only (.helmignore), and the packed chart installs like the folder."""
    import tarfile

    irs = compile_irs(EXAMPLES / "shop")
    chart = write_chart(helm_backend.render(irs), tmp_path / "out", "shop")
    junk = ["templates/api.yaml~", "templates/web.yaml.orig", ".DS_Store", ".git/config", ".vscode/settings.json",
            "values-prod.yaml.swp", "notes.bak", ".idea/workspace.xml"]
    for rel in junk:
        (chart / rel).parent.mkdir(parents=True, exist_ok=True)
        (chart / rel).write_text("junk: {{ oops\n")
    r = helm("package", str(chart), "--destination", str(tmp_path))
    assert r.returncode == 0, r.stderr
    with tarfile.open(tmp_path / "shop-0.1.0.tgz") as tar:
        packed = {n.split("/", 1)[1] for n in tar.getnames()}
    assert not packed & set(junk), packed & set(junk)
    assert {"Chart.yaml", "values.yaml", "values-prod.yaml", "values.schema.json", ".helmignore",
            "templates/api.yaml", "templates/NOTES.txt", "templates/_helpers.tpl"} <= packed
    assert render(tmp_path / "shop-0.1.0.tgz", "a", "x") == render(chart, "a", "x")
