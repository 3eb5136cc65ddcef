"""The quota pass: requests x pods (and storage, and pods) summed per environment, checked
against `environments.<env>.quota` (SKY310 at the quota line, with a breakdown), and emitted
as a ResourceQuota that Kubernetes accepts."""

from __future__ import annotations

import pytest
import yaml

from validators import assert_valid_k8s, load_docs

PROJECT = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  dev: {{}}
  prod:
    overlays: [overlays/prod.yaml]
    quota: {quota}
"""

APPS = {"apps/a.yaml": """
    kind: App
    name: api
    image: ghcr.io/acme/api:1.0.0
    port: 8080
    replicas: 3
    resources: {cpu: 500m, memory: 512Mi}
    ---
    kind: App
    name: web
    image: ghcr.io/acme/web:1.0.0
    port: 8080
    replicas: 2
    resources: {cpu: 250m, memory: 256Mi}
"""}
# api: 3 x 500m = 1500m, 3 x 512Mi = 1536Mi; web: 2 x 250m = 500m, 2 x 256Mi = 512Mi
# total: 2 CPU, 2Gi, 5 pods


def quota_line(root) -> int:
    lines = (root / "skyspec.yaml").read_text().splitlines()
    return next(i for i, t in enumerate(lines, 1) if t.strip().startswith("quota:"))


@pytest.fixture
def build(make_project, cli, tmp_path):
    def run(quota: str, files: dict = APPS, env: str = "prod"):
        root = make_project(files, PROJECT.format(quota=quota))
        out = tmp_path / "out"
        r = cli("build", "-o", str(out), "--env", env, "--format", "kubernetes")
        return root, out / env / "kubernetes", r
    return run


def compile_env(root, env="prod"):
    from skyspec.pipeline import Session

    s = Session(root / "skyspec.yaml")
    c = s.compile(env)
    assert c is not None, [d.message for d in s.diags.errors]
    return c.ir, s.diags


def test_under_quota_emits_a_valid_resource_quota(build):
    root, out, r = build('{cpu: "4", memory: 8Gi, storage: 100Gi, pods: 20}')
    assert r.exit_code == 0, r.output
    docs = load_docs(out)
    assert_valid_k8s(docs)
    rq = yaml.safe_load((out / "resourcequota.demo-quota.yaml").read_text())
    assert rq["apiVersion"] == "v1" and rq["kind"] == "ResourceQuota"
    assert rq["metadata"]["name"] == "demo-quota" and rq["metadata"]["namespace"] == "demo"
    assert rq["spec"]["hard"] == {"requests.cpu": "4", "requests.memory": "8Gi",
                                  "requests.storage": "100Gi", "pods": "20"}


def test_resource_quota_uses_canonical_quantities(build):
    root, out, r = build('{cpu: "2.5", memory: 2048Mi}')
    assert r.exit_code == 0, r.output
    rq = yaml.safe_load((out / "resourcequota.demo-quota.yaml").read_text())
    assert rq["spec"]["hard"] == {"requests.cpu": "2500m", "requests.memory": "2Gi"}
    assert_valid_k8s([rq])


def test_no_quota_no_resource_quota(build):
    root, out, r = build("{cpu: '4'}", env="dev")
    assert r.exit_code == 0, r.output
    assert not list(out.glob("resourcequota.*"))


def test_exactly_at_quota_passes(build):
    root, out, r = build('{cpu: "2", memory: 2Gi, pods: 5}')
    assert r.exit_code == 0, r.output
    assert "SKY310" not in r.output
    ir, _ = compile_env(root)
    assert ir.quota.used == {"cpu": 2000, "memory": 2 * 2**30, "storage": 0, "pods": 5}


def test_over_quota_is_an_error_at_the_quota_line_with_a_breakdown(build):
    root, out, r = build('{cpu: 1900m, memory: 4Gi}')
    assert r.exit_code == 1
    line = quota_line(root)
    assert f"skyspec.yaml:{line}:" in r.stderr
    assert 'error[SKY310]: environment "prod": CPU requests total 2, over the quota of 1900m (105.3% of it)' \
        in r.stderr
    notes = [ln.strip() for ln in r.stderr.splitlines() if ln.strip().startswith("= note:")]
    assert notes == ["= note: api (App): 1500m = 3 pods x 500m, 75.0%",
                     "= note: web (App): 500m = 2 pods x 250m, 25.0%"]
    assert "memory" not in r.stderr.split("error[SKY310]")[1].split("\n")[0]  # memory is within its quota
    assert not out.exists()  # nothing written


def test_over_several_quotas_reports_each(build):
    root, out, r = build('{cpu: "1", memory: 1Gi, pods: 4}')
    assert r.exit_code == 1
    assert r.stderr.count("error[SKY310]") == 3
    assert "memory requests total 2Gi, over the quota of 1Gi (200.0% of it)" in r.stderr
    assert "pods total 5, over the quota of 4" in r.stderr


def test_storage_counts_claims_times_replicas(build):
    files = {"apps/db.yaml": """
        kind: StatefulApp
        name: db
        image: postgres:16.4
        port: 5432
        replicas: 3
        resources: {cpu: 100m, memory: 128Mi}
        storage: {data: 10Gi, wal: {size: 2Gi, mount: /wal}}
    """}
    root, out, r = build("{storage: 30Gi}", files)
    assert r.exit_code == 1
    assert "storage requests total 36Gi, over the quota of 30Gi (120.0% of it)" in r.stderr
    assert "= note: db (StatefulApp): 36Gi = 12Gi x 3 replicas, 100.0%" in r.stderr
    root, out, r = build("{storage: 36Gi}", files)
    assert r.exit_code == 0, r.output


def test_pods_counted_per_strategy_and_kind(build):
    files = {"apps/a.yaml": """
        kind: App
        name: plain
        image: ghcr.io/acme/a:1.0.0
        replicas: 3
        resources: {cpu: 100m, memory: 64Mi}
        ---
        kind: App
        name: bg-preview
        image: ghcr.io/acme/a:1.0.0
        replicas: 2
        strategy: {blue-green: {preview_image: ghcr.io/acme/a:2.0.0}}
        resources: {cpu: 100m, memory: 64Mi}
        ---
        kind: App
        name: bg
        image: ghcr.io/acme/a:1.0.0
        replicas: 2
        strategy: blue-green
        resources: {cpu: 100m, memory: 64Mi}
        ---
        kind: App
        name: canary
        image: ghcr.io/acme/a:1.0.0
        replicas: 4
        strategy: {canary: {percent: 25, image: ghcr.io/acme/a:2.0.0}}
        resources: {cpu: 100m, memory: 64Mi}
        ---
        kind: App
        name: scaled
        image: ghcr.io/acme/a:1.0.0
        port: 8080
        replicas: 2
        autoscale: {min: 3, max: 10, cpu: 70}
        resources: {cpu: 100m, memory: 64Mi}
        ---
        kind: Job
        name: batch
        image: ghcr.io/acme/a:1.0.0
        parallelism: 3
        completions: 10
        resources: {cpu: 100m, memory: 64Mi}
        ---
        kind: Job
        name: once
        image: ghcr.io/acme/a:1.0.0
        resources: {cpu: 100m, memory: 64Mi}
        ---
        kind: CronJob
        name: nightly
        image: ghcr.io/acme/a:1.0.0
        schedule: "0 2 * * *"
        parallelism: 2
        resources: {cpu: 100m, memory: 64Mi}
    """}
    # 3 + 4 + 2 + 4 + 3 + 3 + 1 + 2 = 22 pods of 100m
    root, out, r = build('{pods: 22, cpu: 2200m}', files)
    assert r.exit_code == 0, r.output
    assert_valid_k8s(load_docs(out))
    ir, _ = compile_env(root)
    pods = {u.name: u.pods for u in ir.quota.usage}
    assert pods == {"plain": 3, "bg-preview": 4, "bg": 2, "canary": 4, "scaled": 3, "batch": 3, "once": 1,
                    "nightly": 2}
    root, out, r = build('{pods: 21}', files)
    assert r.exit_code == 1
    assert "pods total 22, over the quota of 21" in r.stderr
    assert "= note: bg-preview (App): 4 pods, 18.2%" in r.stderr


def test_init_container_larger_than_the_containers_sets_the_pod_request(build):
    files = {"apps/a.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        replicas: 2
        resources: {cpu: 200m, memory: 128Mi}
        sidecars:
          proxy: {image: envoyproxy/envoy:v1.31.0, resources: {cpu: 100m, memory: 64Mi}}
        init:
          migrate: {image: ghcr.io/acme/api:1.0.0, resources: {cpu: "1", memory: 64Mi}}
    """}
    root, out, r = build('{cpu: "2", memory: 384Mi}', files)
    assert r.exit_code == 0, r.output
    ir, _ = compile_env(root)
    (u,) = ir.quota.usage
    assert (u.pod_cpu, u.pod_memory) == (1000, 192 * 2**20)  # max(200m + 100m, 1), 128Mi + 64Mi


NO_PROFILE = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  staging:
    quota: {cpu: 150m}
"""


def test_workload_without_requests_counts_zero_with_a_note(make_project, cli, tmp_path):
    make_project({"apps/a.yaml": """
        kind: App
        name: bare
        image: ghcr.io/acme/a:1.0.0
        replicas: 2
        ---
        kind: App
        name: sized
        image: ghcr.io/acme/a:1.0.0
        replicas: 1
        resources: {cpu: 200m, memory: 64Mi}
    """}, NO_PROFILE)
    r = cli("build", "-o", str(tmp_path / "out"), "--format", "kubernetes")
    assert r.exit_code == 1
    assert "CPU requests total 200m, over the quota of 150m" in r.stderr
    assert "= note: sized (App): 200m = 1 pod x 200m, 100.0%" in r.stderr
    assert "= note: bare: no CPU request and no environment default, counted as 0" in r.stderr
    # Kubernetes rejects pods without a CPU request under a CPU quota: said at the spec
    assert "apps/a.yaml:1:1: warning[SKY310]: bare: container \"bare\" has no CPU request" in r.stderr


def test_environment_defaults_fill_missing_requests(make_project):
    from skyspec.cost.usage import Defaults, env_defaults, pod_requests
    from skyspec.ir.model import Container, Resources, Workload
    from skyspec.pipeline import Session

    root = make_project({"apps/a.yaml": "kind: App\nname: a\nimage: ghcr.io/acme/a:1.0.0\n",
                         "overlays/prod.yaml": "defaults:\n  resources: {cpu: 300m}\n"},
                        PROJECT.format(quota="{cpu: '1'}"))
    s = Session(root / "skyspec.yaml")
    d = env_defaults(s.project, s.project.environments["prod"])
    assert (d.cpu, d.memory) == (300, 256 * 2**20)  # the overlay's CPU over the profile's; the profile's memory
    assert env_defaults(s.project, s.project.environments["dev"]) == Defaults(50, 64 * 2**20)
    w = Workload("App", "w", "demo", [Container("w", "x:1", resources=Resources(memory=2**30)),
                                      Container("side", "y:1")])
    cpu, mem, notes, missing = pod_requests(w, d)
    assert (cpu, mem) == (600, 2**30 + 256 * 2**20)
    assert missing == [("w", "CPU"), ("side", "CPU"), ("side", "memory")]
    assert notes[0] == "w: no CPU request, counted at the environment's default 300m"


def test_raw_persistent_volume_claims_count_as_storage(build):
    files = {"apps/a.yaml": """
        kind: Resource
        name: uploads
        manifest:
          apiVersion: v1
          kind: PersistentVolumeClaim
          metadata: {name: uploads}
          spec:
            accessModes: [ReadWriteOnce]
            resources: {requests: {storage: 8Gi}}
        ---
        kind: StatefulApp
        name: db
        image: postgres:16.4
        port: 5432
        replicas: 2
        resources: {cpu: 100m, memory: 128Mi}
        storage: 10Gi
    """}
    root, out, r = build("{storage: 25Gi}", files)
    assert r.exit_code == 1
    assert "storage requests total 28Gi, over the quota of 25Gi" in r.stderr
    assert "= note: db (StatefulApp): 20Gi = 10Gi x 2 replicas, 71.4%" in r.stderr
    assert "= note: uploads (PersistentVolumeClaim): 8Gi, 28.6%" in r.stderr


def test_resource_quota_is_the_same_in_helm_and_kustomize(make_project, cli, tmp_path):
    from validators import helm, kubectl, strip_helm_labels

    make_project(APPS, PROJECT.replace("dev: {{}}", "dev: {{quota: {{cpu: '1'}}}}").format(quota="{cpu: '4', pods: 9}"))
    out = tmp_path / "out"
    r = cli("build", "-o", str(out), "--format", "kubernetes,helm,kustomize")
    assert r.exit_code == 0, r.output
    for env in ("dev", "prod"):
        want = yaml.safe_load((out / env / "kubernetes" / "resourcequota.demo-quota.yaml").read_text())
        k = kubectl("kustomize", str(out / "kustomize" / "overlays" / env))
        assert k.returncode == 0, k.stderr
        h = helm("template", "demo", str(out / "helm" / "demo"), "-n", "demo",
                 "-f", str(out / "helm" / "demo" / f"values-{env}.yaml"))
        assert h.returncode == 0, h.stderr
        for text in (k.stdout, h.stdout):
            got = [strip_helm_labels(d) for d in yaml.safe_load_all(text) if d and d["kind"] == "ResourceQuota"]
            assert got == [strip_helm_labels(want)], env
