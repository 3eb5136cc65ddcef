"""`use: celery`: a Celery application as one spec, lowered to what the Celery operator runs
(a worker Deployment per queue with its concurrency, liveness by `celery inspect ping`,
a Flower Deployment with its Service, a ConfigMap of settings whose change rolls the
workers), in all four formats, with no operator in the cluster."""

from __future__ import annotations

import collections
import json

import yaml
from validators import assert_valid_k8s, helm, kubectl, strip_helm_labels

from test_stdlib import build, compose_model, diags, env_of, main, mounts, objects, spec, volumes

BROKERS = spec("""
    kind: StatefulApp
    name: redis
    use: redis
    """)

TASKS = spec("""
    kind: App
    name: tasks
    use: celery
    image: ghcr.io/acme/shop-worker:1.4.2
    app: shop.tasks
    broker: redis
    result_backend: redis
    resources: {cpu: 200m, memory: 256Mi}
    env: {LOG_FORMAT: json}
    queues:
      default: {concurrency: 4, replicas: 3}
      emails: {concurrency: 1, queue: emails.high}
    config: {task_acks_late: true, worker_prefetch_multiplier: 1}
    """)

PING = 'exec celery -A shop.tasks inspect ping -d "celery@$HOSTNAME" --timeout 10'


def files(**extra: str) -> dict[str, str]:
    return {"apps/data.yaml": BROKERS, "apps/tasks.yaml": TASKS, **extra}


def test_celery_becomes_workers_per_queue_flower_and_a_configmap(make_project, cli, tmp_path):
    make_project(files())
    out = build(cli, tmp_path)
    objs = objects(out)
    assert_valid_k8s(list(objs.values()))
    kinds = {k for k in objs if k[1].startswith("tasks")}
    assert kinds == {("Deployment", "tasks-worker-default"), ("Deployment", "tasks-worker-emails"),
                     ("Deployment", "tasks-flower"), ("Service", "tasks-flower"), ("ConfigMap", "tasks-config"),
                     ("NetworkPolicy", "tasks-worker-default-ingress"),
                     ("NetworkPolicy", "tasks-worker-emails-ingress"),
                     ("NetworkPolicy", "tasks-flower-ingress")}
    assert ("Deployment", "tasks") not in objs                 # the celery spec itself is not a workload
    default, emails = objs[("Deployment", "tasks-worker-default")], objs[("Deployment", "tasks-worker-emails")]
    assert (default["spec"]["replicas"], emails["spec"]["replicas"]) == (3, 1)
    c = main(default)
    assert c["image"] == "ghcr.io/acme/shop-worker:1.4.2"
    assert c["command"] == ["sh", "-c", 'exec celery -A shop.tasks worker -Q default -c 4 '
                                        '--hostname "celery@$HOSTNAME" --loglevel INFO']
    assert main(emails)["command"] == ["sh", "-c", 'exec celery -A shop.tasks worker -Q emails.high -c 1 '
                                                   '--hostname "celery@$HOSTNAME" --loglevel INFO']
    # an exec probe runs no shell: `sh -c` expands $HOSTNAME, the worker's node name
    assert c["livenessProbe"]["exec"]["command"] == ["sh", "-c", PING]
    assert c["readinessProbe"]["exec"]["command"] == ["sh", "-c", PING]
    assert c["livenessProbe"]["timeoutSeconds"] == 30
    env = env_of(c)
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert env["CELERY_RESULT_BACKEND"] == "redis://redis:6379/0"
    assert env["CELERY_CONFIG"] == "/etc/celery/celery.yaml" and env["LOG_FORMAT"] == "json"
    assert env["REDIS_URL"] == "redis://redis:6379/0"          # connect_to: the broker
    assert c["resources"]["requests"] == {"cpu": "200m", "memory": "256Mi"}
    # the settings: a ConfigMap every worker mounts, hashed into its pod template
    cm = objs[("ConfigMap", "tasks-config")]
    assert yaml.safe_load(cm["data"]["celery.yaml"]) == {"task_acks_late": True, "worker_prefetch_multiplier": 1}
    assert mounts(c)["/etc/celery"] == "celery-config"
    assert volumes(default)["celery-config"]["configMap"]["name"] == "tasks-config"
    annotations = default["spec"]["template"]["metadata"]["annotations"]
    assert "checksum.skyspec.dev/configmap.tasks-config" in annotations
    # Flower, with its Service
    flower = objs[("Deployment", "tasks-flower")]
    f = main(flower)
    assert f["image"] == "mher/flower:2.0.1"
    assert f["command"] == ["sh", "-c", "exec celery flower --port=5555"]
    assert f["ports"] == [{"name": "http", "containerPort": 5555, "protocol": "TCP"}]
    assert env_of(f)["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert f["readinessProbe"]["httpGet"] == {"path": "/healthcheck", "port": "http"}
    svc = objs[("Service", "tasks-flower")]
    assert svc["spec"]["ports"][0]["port"] == 5555
    assert svc["spec"]["selector"] == flower["spec"]["selector"]["matchLabels"]
    # the broker lets the workers and Flower in
    ingress = objs[("NetworkPolicy", "redis-ingress")]["spec"]["ingress"][0]["from"]
    allowed = {p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for p in ingress}
    assert allowed == {"tasks-worker-default", "tasks-worker-emails", "tasks-flower"}
    # Compose: the real binary accepts it
    model = compose_model(out)
    w = model["services"]["tasks-worker-default"]
    assert w["deploy"]["replicas"] == 3
    assert w["healthcheck"]["test"] == ["CMD", "sh", "-c", PING.replace("$", "$$")]
    assert w["depends_on"]["redis"]["condition"] == "service_healthy"
    assert model["configs"]["tasks-config.celery.yaml"]["content"] == cm["data"]["celery.yaml"]
    assert model["services"]["tasks-flower"]["ports"][0]["target"] == 5555


def test_a_settings_change_rolls_the_workers(make_project):
    from skyspec.pipeline import Session

    def checksum(config: str) -> str:
        root = make_project(files(**{"apps/tasks.yaml": TASKS.replace(
            "config: {task_acks_late: true, worker_prefetch_multiplier: 1}", config)}))
        c = Session(root / "skyspec.yaml").compile("dev")
        return c.ir.workload("tasks-worker-emails").pod_annotations["checksum.skyspec.dev/configmap.tasks-config"]

    assert checksum("config: {task_acks_late: true}") != checksum("config: {task_acks_late: false}")


def test_rabbitmq_broker_with_credentials(make_project, cli, tmp_path):
    make_project({
        "apps/data.yaml": spec("""
            kind: Secret
            name: mq
            keys: [password]
            ---
            kind: StatefulApp
            name: rabbitmq
            use: rabbitmq
            user: shop
            credentials: mq
            """),
        "apps/tasks.yaml": TASKS.replace("broker: redis\nresult_backend: redis", "broker: rabbitmq\n"
                                         "result_backend: rabbitmq"),
    })
    out = build(cli, tmp_path)
    objs = objects(out)
    assert_valid_k8s(list(objs.values()))
    c = main(objs[("Deployment", "tasks-worker-default")])
    # the password is read from its mounted file when the worker starts; never in a manifest
    setup = ('CELERY_BROKER_URL="amqp://shop:$(cat "$CELERY_BROKER_PASSWORD_FILE")@rabbitmq:5672/%2F"; '
             "export CELERY_BROKER_URL; ")
    assert c["command"][2] == setup + ('exec celery -A shop.tasks worker -Q default -c 4 --hostname "celery@$HOSTNAME" '
                                       "--loglevel INFO")
    assert c["livenessProbe"]["exec"]["command"] == ["sh", "-c", setup + PING]
    env = env_of(c)
    assert env["CELERY_BROKER_URL"] == "amqp://shop@rabbitmq:5672/%2F"
    assert env["CELERY_RESULT_BACKEND"] == "rpc://"
    assert env["CELERY_BROKER_PASSWORD_FILE"] == "/run/secrets/mq/password"
    f = main(objs[("Deployment", "tasks-flower")])
    assert f["command"] == ["sh", "-c", setup + "exec celery flower --port=5555"]
    assert env_of(f)["CELERY_BROKER_PASSWORD_FILE"] == "/run/secrets/mq/password"
    assert "/run/secrets/mq" in mounts(f)
    compose_model(out)


def test_overlays_size_the_queues_per_environment(make_project, cli, tmp_path):
    make_project(files(**{"overlays/prod.yaml": spec("""
        apps:
          tasks:
            queues:
              default: {replicas: 6, concurrency: 8}
            flower: {port: 8080, expose: {host: flower.example.com, tls: true}}
        """)}))
    objs = objects(build(cli, tmp_path, "kubernetes", env="prod"), "prod")
    d = objs[("Deployment", "tasks-worker-default")]
    assert d["spec"]["replicas"] == 6 and " -c 8 " in main(d)["command"][2]
    assert objs[("Ingress", "tasks-flower")]["spec"]["rules"][0]["host"] == "flower.example.com"
    r = cli("explain", "tasks-worker-default.replicas", ".", "--env", "prod", "--format", "json")
    chain = json.loads(r.stdout)["chain"]
    assert [c["layer"] for c in chain] == ["spec", "overlay:overlays/prod.yaml"]
    assert (chain[0]["file"], chain[0]["line"]) == ("apps/tasks.yaml", 11)


def test_all_four_formats(make_project, tmp_path):
    from skyspec.backends import helm as helm_backend
    from skyspec.backends import kubernetes, kustomize
    from skyspec.pipeline import Session

    root = make_project(files())
    s = Session(root / "skyspec.yaml")
    irs = {k: c.ir for k, c in s.compile_all().items()}
    assert not s.diags.errors
    out = tmp_path / "rendered"
    for rel, text in {**helm_backend.render(irs), **kustomize.render(irs)}.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)

    def ident(o):
        m = o.get("metadata") or {}
        return o.get("kind"), m.get("name"), json.dumps(o, sort_keys=True)

    for env, ir in irs.items():
        want = collections.Counter(ident(o) for o in kubernetes.objects(ir))
        chart = out / "helm" / "demo"
        r = helm("template", "demo", str(chart), "--namespace", ir.namespace, "-f", str(chart / f"values-{env}.yaml"))
        assert r.returncode == 0, r.stderr
        # the chart adds Helm's labels (docs/helm.md, "Parity")
        assert collections.Counter(ident(strip_helm_labels(o)) for o in yaml.safe_load_all(r.stdout) if o) == \
            collections.Counter(ident(strip_helm_labels(o)) for o in kubernetes.objects(ir))
        r = kubectl("kustomize", str(out / "kustomize" / "overlays" / env))
        assert r.returncode == 0, r.stderr
        assert collections.Counter(ident(o) for o in yaml.safe_load_all(r.stdout) if o) == want


def test_without_flower_and_without_a_result_backend(make_project, cli, tmp_path):
    make_project(files(**{"apps/tasks.yaml": TASKS.replace("result_backend: redis\n", "") + "flower: false\n"}))
    objs = objects(build(cli, tmp_path, "kubernetes"))
    assert not any(name.startswith("tasks-flower") for _, name in objs)
    assert "CELERY_RESULT_BACKEND" not in env_of(main(objs[("Deployment", "tasks-worker-default")]))


def test_mistakes(make_project, cli):
    make_project({"apps/data.yaml": BROKERS + spec("""
        ---
        kind: StatefulApp
        name: pg
        use: postgres
        credentials: pg
        ---
        kind: Secret
        name: pg
        keys: [password]
        ---
        kind: App
        name: t1
        use: celery
        image: x/w:1
        app: shop.tasks
        broker: rediss
        queues: {default: {}}
        ---
        kind: App
        name: t2
        use: celery
        image: x/w:1
        app: shop.tasks
        broker: pg
        queues: {default: {}}
        ---
        kind: App
        name: t3
        use: celery
        image: x/w:1
        broker: redis
        command: [celery, worker]
        ---
        kind: App
        name: t4
        use: celery
        image: x/w:1
        app: shop.tasks
        broker: redis
        queues: {default: {concurency: 2}}
        """)})
    found = {(d["code"], d["line"], d["message"]): d for d in diags(cli)}
    lines = {(code, line): msg for code, line, msg in found}
    assert lines[("SKY114", 19)] == 'broker names "rediss", which does not exist'
    assert found[("SKY114", 19, lines[("SKY114", 19)])]["hint"] == 'did you mean "redis"?'
    assert lines[("SKY114", 27)] == 'broker names "pg", which is not a `use: redis` or `use: rabbitmq` workload'
    assert {m for (c, ln, m) in found if (c, ln) == ("SKY103", 32)} == {"a celery spec needs `app`",
                                                                       "a celery spec needs `queues`"}
    assert lines[("SKY108", 35)].startswith("`command` of a celery spec is made by the component")
    assert lines[("SKY102", 43)] == 'unknown key "concurency" in queues.default'
