"""Every kind and feature of the language: compiled, validated strictly, and checked for the
semantic point (selectors, mounts with their volumes, the canary split, bindings, ...)."""

import json

import pytest

from validators import load_docs


def pod(obj):
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def selects(selector: dict, labels: dict) -> bool:
    return selector.items() <= labels.items()


SECRET = "---\nkind: Secret\nname: creds\nkeys: [password, token]\n"
CONFIG = "---\nkind: ConfigMap\nname: settings\ndata: {mode: fast, retries: 3, debug: false}\n"


def test_app_containers_volumes_and_hooks(build):
    docs = build({"apps/a.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        command: python -m api
        args: [--port, "8080"]
        port: 8080
        env_from: [{config: settings}, {secret: creds, prefix: CREDS_}]
        volumes:
          scratch: {empty: true, mount: /tmp}
          shm: {empty: {memory: true, size: 64Mi}, mount: /dev/shm}
          conf: {config: settings, mount: /etc/api, read_only: true}
          certs: {secret: creds, mount: /etc/certs}
          uploads: {claim: uploads, mount: /srv/uploads}
        sidecars:
          proxy:
            image: envoyproxy/envoy:v1.31.0
            ports: {admin: 9901}
            mounts: {conf: /etc/envoy}
            health: {tcp: admin}
        init:
          migrate: {image: ghcr.io/acme/api:1.0.0, command: [python, -m, api.migrate]}
        lifecycle: {pre_stop: [sleep, "5"], post_start: [touch, /tmp/started], termination_grace: 45}
        """, "apps/refs.yaml": SECRET + CONFIG, "apps/pvc.yaml": """
        kind: Resource
        name: uploads
        manifest:
          apiVersion: v1
          kind: PersistentVolumeClaim
          spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}}}
        """})
    p = pod(docs[("Deployment", "api")])
    main, proxy = p["containers"]
    assert main["command"] == ["python", "-m", "api"] and main["args"] == ["--port", "8080"]
    assert main["envFrom"] == [{"configMapRef": {"name": "settings"}},
                               {"prefix": "CREDS_", "secretRef": {"name": "creds"}}]
    vols = {v["name"]: v for v in p["volumes"]}
    assert vols["scratch"] == {"name": "scratch", "emptyDir": {}}
    assert vols["shm"]["emptyDir"] == {"medium": "Memory", "sizeLimit": "64Mi"}
    assert vols["conf"]["configMap"] == {"name": "settings"}
    assert vols["certs"]["secret"] == {"secretName": "creds"}
    assert vols["uploads"]["persistentVolumeClaim"] == {"claimName": "uploads"}
    for c in p["containers"]:  # every mount has its volume
        for m in c.get("volumeMounts", []):
            assert m["name"] in vols
    assert {"name": "conf", "mountPath": "/etc/api", "readOnly": True} in main["volumeMounts"]
    assert proxy["image"] == "envoyproxy/envoy:v1.31.0" and proxy["livenessProbe"] == {"tcpSocket": {"port": "admin"}}
    assert proxy["volumeMounts"] == [{"name": "conf", "mountPath": "/etc/envoy"}, {"name": "tmp", "mountPath": "/tmp"}]
    assert p["initContainers"][0]["command"] == ["python", "-m", "api.migrate"]
    assert main["lifecycle"] == {"postStart": {"exec": {"command": ["touch", "/tmp/started"]}},
                                 "preStop": {"exec": {"command": ["sleep", "5"]}}}
    assert p["terminationGracePeriodSeconds"] == 45
    assert docs[("ConfigMap", "settings")]["data"] == {"debug": "false", "mode": "fast", "retries": "3"}
    assert docs[("PersistentVolumeClaim", "uploads")]["metadata"]["namespace"] == "demo"


def test_scheduling_and_identity(build):
    docs = build({"apps/a.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        replicas: 3
        namespace: payments
        node_selector: {disktype: ssd}
        tolerations: [{key: dedicated, operator: Equal, value: api, effect: NoSchedule}]
        spread: [nodes, zones]
        affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: arch, operator: In, values: [amd64]}]}]}}}
        priority_class: high
        image_pull_secrets: [regcred]
        service_account: api
        labels: {team: payments}
        annotations: {owner: payments@example.com}
        ---
        kind: ServiceAccount
        name: api
        automount_token: false
        ---
        kind: Secret
        name: regcred
        existing: true
        type: kubernetes.io/dockerconfigjson
        """})
    d = docs[("Deployment", "api")]
    assert d["metadata"]["namespace"] == "payments"
    p = pod(d)
    assert p["nodeSelector"] == {"disktype": "ssd"}
    assert p["tolerations"] == [{"key": "dedicated", "operator": "Equal", "value": "api", "effect": "NoSchedule"}]
    keys = [c["topologyKey"] for c in p["topologySpreadConstraints"]]
    assert keys == ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]
    for c in p["topologySpreadConstraints"]:
        assert selects(c["labelSelector"]["matchLabels"], d["spec"]["template"]["metadata"]["labels"])
    assert p["affinity"]["nodeAffinity"]
    assert p["priorityClassName"] == "high" and p["imagePullSecrets"] == [{"name": "regcred"}]
    assert p["serviceAccountName"] == "api"
    assert docs[("ServiceAccount", "api")]["automountServiceAccountToken"] is False
    assert d["metadata"]["labels"]["team"] == "payments"
    assert d["metadata"]["annotations"] == {"owner": "payments@example.com"}
    assert ("Secret", "regcred") not in docs  # existing: nothing generated


@pytest.mark.parametrize("percent,replicas,split", [(10, 10, (9, 1)), (25, 4, (3, 1)), (50, 5, (2, 3)), (90, 2, (1, 1))])
def test_canary_splits_replicas_and_shares_the_service(build, percent, replicas, split):
    docs = build({"apps/a.yaml": f"""
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        port: 8080
        replicas: {replicas}
        expose: true
        strategy: {{canary: {{percent: {percent}, image: "ghcr.io/acme/api:1.1.0"}}}}
        """})
    stable, canary = docs[("Deployment", "api")], docs[("Deployment", "api-canary")]
    assert (stable["spec"]["replicas"], canary["spec"]["replicas"]) == split
    assert pod(canary)["containers"][0]["image"] == "ghcr.io/acme/api:1.1.0"
    assert pod(stable)["containers"][0]["image"] == "ghcr.io/acme/api:1.0.0"
    sel = docs[("Service", "api")]["spec"]["selector"]
    for d in (stable, canary):  # the Service reaches both tracks, each Deployment only its own pods
        assert selects(sel, d["spec"]["template"]["metadata"]["labels"])
        assert selects(d["spec"]["selector"]["matchLabels"], d["spec"]["template"]["metadata"]["labels"])
    assert not selects(stable["spec"]["selector"]["matchLabels"], canary["spec"]["template"]["metadata"]["labels"])


def test_blue_green_service_selects_the_active_color(build):
    docs = build({"apps/a.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        port: 8080
        replicas: 3
        expose: {host: api.example.com}
        strategy: {blue-green: {active: green, preview_image: "ghcr.io/acme/api:1.1.0"}}
        autoscale: {min: 3, max: 6, cpu: 60}
        """})
    blue, green = docs[("Deployment", "api-blue")], docs[("Deployment", "api-green")]
    svc, preview = docs[("Service", "api")], docs[("Service", "api-preview")]
    assert selects(svc["spec"]["selector"], green["spec"]["template"]["metadata"]["labels"])
    assert not selects(svc["spec"]["selector"], blue["spec"]["template"]["metadata"]["labels"])
    assert selects(preview["spec"]["selector"], blue["spec"]["template"]["metadata"]["labels"])
    assert pod(blue)["containers"][0]["image"] == "ghcr.io/acme/api:1.1.0"
    assert pod(green)["containers"][0]["image"] == "ghcr.io/acme/api:1.0.0"
    assert docs[("HorizontalPodAutoscaler", "api")]["spec"]["scaleTargetRef"]["name"] == "api-green"
    assert docs[("Ingress", "api")]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "api"


def test_rolling_recreate_and_autoscale(build):
    docs = build({"apps/a.yaml": """
        kind: App
        name: a
        image: x/a:1
        strategy: {rolling: {max_surge: 1, max_unavailable: 0}}
        autoscale: {min: 2, max: 10, cpu: 70, memory: 80}
        ---
        kind: App
        name: b
        image: x/b:1
        strategy: recreate
        """})
    assert docs[("Deployment", "a")]["spec"]["strategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    assert docs[("Deployment", "b")]["spec"]["strategy"] == {"type": "Recreate"}
    h = docs[("HorizontalPodAutoscaler", "a")]["spec"]
    assert (h["minReplicas"], h["maxReplicas"]) == (2, 10)
    assert [m["resource"]["name"] for m in h["metrics"]] == ["cpu", "memory"]
    # no `replicas`: the Deployment starts at the autoscaler's minimum, not below it (regression:
    # it was 1, found porting podinfo, whose HPA keeps 2)
    assert docs[("Deployment", "a")]["spec"]["replicas"] == 2
    assert docs[("Deployment", "b")]["spec"]["replicas"] == 1


def test_stateful_app(build):
    docs = build({"apps/db.yaml": """
        kind: StatefulApp
        name: db
        image: postgres:16.4
        ports: {postgres: 5432}
        replicas: 3
        storage: {data: {size: 20Gi, mount: /var/lib/postgresql/data, class: fast-ssd}, wal: 5Gi}
        pod_management: Parallel
        strategy: {rolling: {partition: 1}}
        health: {exec: [pg_isready, -U, postgres]}
        """})
    ss = docs[("StatefulSet", "db")]
    assert ss["spec"]["serviceName"] == "db-headless"
    assert docs[("Service", "db-headless")]["spec"]["clusterIP"] == "None"
    assert selects(docs[("Service", "db")]["spec"]["selector"], ss["spec"]["template"]["metadata"]["labels"])
    claims = {c["metadata"]["name"]: c["spec"] for c in ss["spec"]["volumeClaimTemplates"]}
    assert claims["data"]["resources"]["requests"]["storage"] == "20Gi"
    assert claims["data"]["storageClassName"] == "fast-ssd"
    assert claims["wal"]["resources"]["requests"]["storage"] == "5Gi"
    mounts = {m["name"]: m["mountPath"] for m in pod(ss)["containers"][0]["volumeMounts"]}
    assert mounts == {"data": "/var/lib/postgresql/data", "wal": "/data/wal", "tmp": "/tmp"}  # /tmp: harden
    assert ss["spec"]["podManagementPolicy"] == "Parallel"
    assert ss["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}


def test_stateful_shorthand_and_on_delete(build):
    docs = build({"apps/db.yaml": "kind: StatefulApp\nname: db\nimage: redis:7.2\nstorage: 1Gi\nstrategy: on-delete\n"})
    ss = docs[("StatefulSet", "db")]
    assert ss["spec"]["updateStrategy"] == {"type": "OnDelete"}
    assert pod(ss)["containers"][0]["volumeMounts"][0] == {"name": "data", "mountPath": "/data"}


def test_job_and_cronjob(build):
    docs = build({"apps/j.yaml": """
        kind: Job
        name: migrate
        image: x/migrate:1
        completions: 1
        parallelism: 1
        backoff_limit: 2
        active_deadline: 600
        ttl: 3600
        restart: Never
        ---
        kind: CronJob
        name: report
        image: x/report:1
        schedule: "30 2 * * mon-fri"
        time_zone: Europe/Paris
        concurrency: Forbid
        history: {successful: 3, failed: 1}
        suspend: false
        starting_deadline: 300
        """})
    j = docs[("Job", "migrate")]["spec"]
    assert (j["completions"], j["parallelism"], j["backoffLimit"], j["activeDeadlineSeconds"],
            j["ttlSecondsAfterFinished"]) == (1, 1, 2, 600, 3600)
    assert j["template"]["spec"]["restartPolicy"] == "Never"
    c = docs[("CronJob", "report")]["spec"]
    assert (c["schedule"], c["timeZone"], c["concurrencyPolicy"]) == ("30 2 * * mon-fri", "Europe/Paris", "Forbid")
    assert (c["successfulJobsHistoryLimit"], c["failedJobsHistoryLimit"], c["startingDeadlineSeconds"]) == (3, 1, 300)
    assert c["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"


@pytest.mark.parametrize("schedule", ["61 * * * *", "* * *", "0 25 * * *", "@sometimes", "*/0 * * * *", "5-1 * * * *"])
def test_invalid_cron_schedules(build, schedule):
    r = build({"apps/j.yaml": f'kind: CronJob\nname: r\nimage: x/r:1\nschedule: "{schedule}"\n'}, ok=False)
    assert r.exit_code == 1
    assert "apps/j.yaml:4:11: error[SKY116]" in r.stderr


def test_configmap_files_json_yaml(build, make_project):
    docs = build({
        "apps/c.yaml": """
            kind: ConfigMap
            name: web
            files: {nginx.conf: config/nginx.conf}
            json: {features.json: {new_ui: true, limit: 3}}
            yaml: {app.yaml: {mode: fast, hosts: [a, b]}}
            """,
        "config/nginx.conf": "server {\n  listen 8080;\n}\n",
    })
    data = docs[("ConfigMap", "web")]["data"]
    assert data["nginx.conf"] == "server {\n  listen 8080;\n}\n"
    assert json.loads(data["features.json"]) == {"new_ui": True, "limit": 3}
    import yaml
    assert yaml.safe_load(data["app.yaml"]) == {"mode": "fast", "hosts": ["a", "b"]}


def test_configmap_file_outside_the_project_is_refused(build):  # more in test_contain.py
    r = build({"apps/c.yaml": "kind: ConfigMap\nname: web\nfiles: {passwd: ../../../etc/passwd}\n"}, ok=False)
    assert r.exit_code == 1 and "error[SKY017]" in r.stderr and "root:" not in r.output
    assert "apps/c.yaml:3:" in r.stderr   # at the `files:` entry


def test_secrets_external_and_literal(build):
    docs = build({"apps/s.yaml": """
        kind: Secret
        name: db
        external: {store: vault, store_kind: ClusterSecretStore, refresh: 1h, data: {password: "db/prod#password", user: db/prod/user}}
        """})
    es = docs[("ExternalSecret", "db")]
    assert es["spec"]["secretStoreRef"] == {"name": "vault", "kind": "ClusterSecretStore"}
    assert es["spec"]["data"] == [{"secretKey": "password", "remoteRef": {"key": "db/prod", "property": "password"}},
                                  {"secretKey": "user", "remoteRef": {"key": "db/prod/user"}}]


def test_literal_secret_values_are_refused_in_prod_and_never_echoed(build, make_project, cli, tmp_path):
    files = {"apps/s.yaml": "kind: Secret\nname: api\ndata: {token: hunter2-s3cret}\n",
             "apps/a.yaml": "kind: App\nname: a\nimage: x/a:1\nsecrets: {TOKEN: {secret: api, key: token}}\n"}
    r = build(files, env="prod", ok=False)
    assert r.exit_code == 1 and "error[SKY119]" in r.stderr
    assert "hunter2" not in r.output
    r = cli("build", "-o", str(tmp_path / "dev"), "--env", "dev")
    assert r.exit_code == 0 and "warning[SKY119]" in r.stderr and "hunter2" not in r.output
    written = "".join(p.read_text() for p in (tmp_path / "dev").rglob("*") if p.is_file())
    assert "hunter2" not in written and "aHVudGVy" not in written  # nor base64 of it
    r = cli("check", "--diagnostics-format", "json")
    assert "hunter2" not in r.output


def test_a_wrongly_typed_secret_value_is_not_echoed(make_project, cli):
    make_project({"apps/s.yaml": "kind: Secret\nname: api\ndata: {token: 12345678}\n"})
    r = cli("check", "--env", "dev")
    assert r.exit_code == 1 and "12345678" not in r.output


def test_rbac_roles_and_bindings(build):
    docs = build({"apps/r.yaml": """
        kind: ServiceAccount
        name: ops
        ---
        kind: Role
        name: pod-reader
        rules: [{resources: [pods, pods/log], verbs: [get, list, watch]}]
        bind: [ops]
        ---
        kind: ClusterRole
        name: node-reader
        rules: [{resources: [nodes], verbs: [get]}]
        bind: [ops]
        """})
    rb = docs[("RoleBinding", "pod-reader")]
    assert rb["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"}
    assert rb["subjects"] == [{"kind": "ServiceAccount", "name": "ops", "namespace": "demo"}]
    assert docs[("Role", "pod-reader")]["rules"][0]["apiGroups"] == [""]
    crb = docs[("ClusterRoleBinding", "node-reader")]
    assert "namespace" not in crb["metadata"] and "namespace" not in docs[("ClusterRole", "node-reader")]["metadata"]
    assert crb["subjects"][0]["namespace"] == "demo"


def test_network_policy(build):
    docs = build({"apps/n.yaml": """
        kind: App
        name: db
        image: postgres:16.4
        port: 5432
        ---
        kind: NetworkPolicy
        name: db-access
        select: {app: db}
        deny_all: true
        allow_from: [{app: api}, {labels: {role: admin}}, {namespace: monitoring}, {cidr: 10.0.0.0/8}]
        ports: [5432]
        ---
        kind: NetworkPolicy
        name: default-deny
        deny_all: true
        """})
    np = docs[("NetworkPolicy", "db-access")]["spec"]
    assert selects(np["podSelector"]["matchLabels"], pod_labels := docs[("Deployment", "db")]["spec"]["template"]["metadata"]["labels"])
    assert np["policyTypes"] == ["Ingress", "Egress"]
    peers = np["ingress"][0]["from"]
    assert peers[0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "api"
    assert peers[2] == {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    assert peers[3] == {"ipBlock": {"cidr": "10.0.0.0/8"}}
    assert np["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 5432}]
    dd = docs[("NetworkPolicy", "default-deny")]["spec"]
    assert dd == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert pod_labels


def test_security_policy_and_observability(build):
    docs = build({"apps/o.yaml": """
        kind: App
        name: api
        image: x/api:1
        ports: {http: 8080, metrics: 9090}
        env: {LOG_LEVEL: warn}
        ---
        kind: SecurityPolicy
        name: pss
        level: restricted
        ---
        kind: Observability
        name: api-obs
        apps: [api]
        metrics: {port: metrics, path: /metrics, interval: 30s, service_monitor: true, annotations: true}
        logging: {level: debug, format: json}
        tracing: {endpoint: "http://otel-collector:4317", sample_rate: 0.1}
        """})
    ns = docs[("Namespace", "demo")]
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    sm = docs[("ServiceMonitor", "api")]
    svc = docs[("Service", "api")]
    assert selects(sm["spec"]["selector"]["matchLabels"], svc["metadata"]["labels"])
    assert sm["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "30s"}]
    d = docs[("Deployment", "api")]
    ann = d["spec"]["template"]["metadata"]["annotations"]
    assert ann["prometheus.io/scrape"] == "true" and ann["prometheus.io/port"] == "9090"
    env = {e["name"]: e["value"] for e in pod(d)["containers"][0]["env"]}
    assert env["LOG_LEVEL"] == "warn"  # the app's own value wins
    assert env["LOG_FORMAT"] == "json" and env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4317"
    assert env["OTEL_TRACES_SAMPLER_ARG"] == "0.1"


def test_escape_hatch_and_raw_resources(build):
    docs = build({"apps/k.yaml": """
        kind: App
        name: api
        image: x/api:1
        port: 8080
        expose: true
        k8s:
          Deployment: {spec: {minReadySeconds: 10, revisionHistoryLimit: 3}}
          Service: {spec: {sessionAffinity: ClientIP}}
        ---
        kind: Resource
        name: high
        manifest: {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, value: 1000000, globalDefault: false}
        """})
    d = docs[("Deployment", "api")]
    assert d["spec"]["minReadySeconds"] == 10 and d["spec"]["replicas"] == 1  # merged, not replaced
    assert docs[("Service", "api")]["spec"]["sessionAffinity"] == "ClientIP"
    pc = docs[("PriorityClass", "high")]
    assert pc["value"] == 1000000 and "namespace" not in pc["metadata"]


@pytest.mark.parametrize("spec,code,line", [
    ("kind: App\nname: a\nimage: x:1\nenv_from: [{config: setings}]\n" + CONFIG, "SKY114", 4),
    ("kind: App\nname: a\nimage: x:1\nvolumes: {c: {secret: cred, mount: /c}}\n" + SECRET, "SKY114", 4),
    ("kind: App\nname: a\nimage: x:1\nservice_account: nobody\n", "SKY114", 4),
    ("kind: App\nname: a\nimage: x:1\nsecrets: {T: {secret: creds, key: pasword}}\n" + SECRET, "SKY114", 4),
    ("kind: App\nname: a\nimage: x:1\nsidecars: {s: {image: y:1, mounts: {nope: /x}}}\n", "SKY114", 4),
    ("kind: App\nname: a\nimage: x:1\nvolumes: {c: {claim: data, mount: /c}}\n", "SKY114", 4),
    ("kind: Role\nname: r\nrules: [{resources: [pods], verbs: [get]}]\nbind: [ghost]\n", "SKY114", 4),
    ("kind: App\nname: a\nimage: x:1\nvolumes: {c: {mount: /c}}\n", "SKY108", 4),
    ("kind: App\nname: a\nimage: x:1\nstrategy: on-delete\n", "SKY105", 4),
])
def test_unresolved_references_and_bad_shapes(build, spec, code, line):
    r = build({"apps/a.yaml": spec}, ok=False)
    assert r.exit_code == 1, r.output
    assert f"apps/a.yaml:{line}:" in r.stderr and f"error[{code}]" in r.stderr, r.stderr


def test_credential_in_plain_env_is_never_shown_in_a_code_frame(make_project, cli):
    make_project({"apps/a.yaml": "kind: App\nname: a\nimage: x/a:1.0.0\nenv: {DB_PASSWORD: hunter2-plain}\n"})
    r = cli("check", "--env", "prod")
    assert "SKY406" in r.stderr and "hunter2" not in r.output


# A Resource's file is named `<kind>.<metadata.name>.yaml`: values that passed the schema
# but were not strings (or not names) crashed the compiler or steered the write elsewhere.
@pytest.mark.parametrize("manifest,code,where", [
    ("  apiVersion: v1\n  kind: [x]\n", "SKY104", "5:9"),
    ("  apiVersion: v1\n  kind: 1\n", "SKY104", "5:9"),
    ("  apiVersion: 1\n  kind: X\n", "SKY104", "4:15"),
    ("  apiVersion: v1\n  kind: X\n  metadata: 5\n", "SKY104", "6:13"),
    ("  apiVersion: v1\n  kind: X\n  metadata: ab\n", "SKY104", "6:13"),
    ("  apiVersion: v1\n  kind: ../../../.github/workflows/ci\n", "SKY107", "5:9"),
    ("  apiVersion: v1\n  kind: 'Pod\n\n'\n", "SKY107", "5:9"),           # a trailing newline
    ("  apiVersion: v1\n  kind: Pod.x\n", "SKY107", "5:9"),
    ("  apiVersion: ../v1\n  kind: Pod\n", "SKY107", "4:15"),
    ("  apiVersion: v1\n  kind: Pod\n  metadata: {name: ../x}\n", "SKY107", "6:20"),
    ("  apiVersion: v1\n  kind: Pod\n  metadata: {name: [x]}\n", "SKY104", "6:20"),
    ("  apiVersion: v1\n  kind: Pod\n  metadata: {name: x, namespace: ../y}\n", "SKY107", "6:34"),
])
def test_raw_resource_shapes_are_located_schema_errors(make_project, cli, tmp_path, manifest, code, where):
    root = make_project({"apps/r.yaml": "kind: Resource\nname: x\nmanifest:\n" + manifest})
    for args in (("check",), ("build", "-o", "out")):
        r = cli(*args)  # the fixture fails on any traceback
        assert r.exit_code == 1, r.output
        assert f"apps/r.yaml:{where}: error[{code}]" in r.stderr, r.stderr
    assert sorted(p.name for p in root.iterdir()) == ["apps", "overlays", "skyspec.yaml"]  # nothing written
    assert not (tmp_path / ".github").exists()


def test_raw_resource_names_in_kubernetes_shapes_build(build):
    docs = build({"apps/r.yaml": """
        kind: Resource
        name: web-pdb
        manifest:
          apiVersion: policy/v1
          kind: PodDisruptionBudget
          metadata: {name: web-pdb, namespace: edge, labels: {a: b}}
          spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
        """})
    assert docs[("PodDisruptionBudget", "web-pdb")]["metadata"]["namespace"] == "edge"


def test_a_name_with_a_trailing_newline_is_not_a_name(make_project, cli):
    """`$` in the schemas' patterns means the very end (as in JSON Schema's regular
    expressions), not "before a final newline" as in Python's."""
    root = make_project({"apps/a.yaml": 'kind: App\nname: "api\\n"\nimage: x/api:1\n'})
    r = cli("build", "-o", "out")
    assert r.exit_code == 1 and "apps/a.yaml:2:7: error[SKY107]" in r.stderr, r.stderr
    assert not (root / "out").exists()
    from skyspec.schema.validate import _fast
    with pytest.raises(Exception):  # the compiled fast path agrees
        _fast("app.json")({"kind": "App", "name": "api\n", "image": "x/api:1"})
