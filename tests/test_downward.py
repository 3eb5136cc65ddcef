"""`downward:`: a container's variables read from the pod (Kubernetes' downward API), in the
main container, a sidecar and an init container: the objects (checked by kubernetes-validate
strict), the Helm chart and the Kustomize overlays equal to them (helm lint/template, kubectl
kustomize), the Compose file (the real binary) with what it leaves out warned at the spec
line (SKY505), a field Kubernetes refuses, a name set twice (SKY113), and the overlays'
merge by name."""

import yaml

from validators import compose_config, helm, kubectl, load_docs

API = """
    kind: App
    name: api
    image: ghcr.io/acme/api:1.4.2
    port: 8080
    health: /healthz
    resources: {cpu: 250m, memory: 256Mi, cpu_limit: 1500m, memory_limit: 512Mi}
    env:
      PEERS: "$(POD_IP):9094"
    downward:
      POD_IP: status.podIP
      POD_NAME: metadata.name
      TEAM: metadata.labels['team']
      MEMORY_LIMIT: limits.memory
      CPU_LIMIT: limits.cpu
      CPU_REQUEST: requests.cpu
      SCRATCH: limits.ephemeral-storage
    labels: {team: payments}
    sidecars:
      proxy:
        image: envoyproxy/envoy:v1.31.0
        resources: {cpu: 100m, memory: 64Mi, memory_limit: 128Mi}
        downward: {NODE_NAME: spec.nodeName, PROXY_MEMORY: requests.memory}
    init:
      wait:
        image: busybox:1.36
        command: [sh, -c, "echo $NAMESPACE"]
        downward: {NAMESPACE: metadata.namespace}
"""

PROD = """
apps:
  api:
    downward: {POD_NAME: null, HOST_IP: status.hostIP}
"""


def _containers(docs):
    dep = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "api")
    pod = dep["spec"]["template"]["spec"]
    return {c["name"]: c for c in pod["containers"] + pod.get("initContainers", [])}


def _env(c):
    return {e["name"]: e.get("valueFrom", e.get("value")) for e in c.get("env", [])}


def assert_chart_and_overlays_are_the_objects(tmp_path, out) -> None:
    """The Helm chart and the Kustomize overlays of the project in ``tmp_path/proj``, built into
    ``out``, render its Kubernetes objects (the parity tests' helpers compare them object for
    object, after lint and strict validation)."""
    from test_helm import assert_chart_is_the_kubernetes_output, compile_irs
    from test_kustomize import assert_overlays_equal_kubernetes

    irs = compile_irs(tmp_path / "proj")
    assert_chart_is_the_kubernetes_output(irs, tmp_path / "helm")
    assert_overlays_equal_kubernetes(irs, tmp_path / "kust")
    assert helm("lint", "--strict", str(out / "helm" / "demo")).returncode == 0
    assert kubectl("kustomize", str(out / "kustomize" / "overlays" / "prod")).returncode == 0


def test_downward_in_every_container_of_every_format(make_project, cli, tmp_path):
    make_project({"apps/api.yaml": API, "overlays/prod.yaml": PROD})
    out = tmp_path / "out"
    r = cli("build", "-o", str(out), "--format", "kubernetes,compose,helm,kustomize")
    assert r.exit_code == 0, r.output

    # Kubernetes: fieldRef for the pod's fields, resourceFieldRef for the container's own
    dev = load_docs(out / "dev" / "kubernetes")
    c = _containers(dev)
    env = [e["name"] for e in c["api"]["env"]]
    assert env.index("POD_IP") < env.index("PEERS")        # listed first: `$(POD_IP)` expands
    assert _env(c["api"]) == {
        "POD_IP": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}},
        "POD_NAME": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
        "TEAM": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels['team']"}},
        "MEMORY_LIMIT": {"resourceFieldRef": {"resource": "limits.memory"}},
        "CPU_LIMIT": {"resourceFieldRef": {"resource": "limits.cpu"}},
        "CPU_REQUEST": {"resourceFieldRef": {"resource": "requests.cpu"}},
        "SCRATCH": {"resourceFieldRef": {"resource": "limits.ephemeral-storage"}},
        "PEERS": "$(POD_IP):9094"}
    assert _env(c["proxy"]) == {"NODE_NAME": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}},
                                "PROXY_MEMORY": {"resourceFieldRef": {"resource": "requests.memory"}}}
    assert _env(c["wait"]) == {"NAMESPACE": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}}
    # an overlay merges the map by name: one removed, one added, the rest kept
    prod = _containers(load_docs(out / "prod" / "kubernetes"))["api"]
    assert "POD_NAME" not in _env(prod)
    assert _env(prod)["HOST_IP"] == {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.hostIP"}}
    assert _env(prod)["POD_IP"] == {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}
    # explain traces an object's field to the spec line (or the overlay's) that set it
    r2 = cli("explain", "Deployment/api:spec.template.spec.initContainers[0].env[0].valueFrom.fieldRef.fieldPath",
             "--env", "prod")
    assert r2.exit_code == 0 and "api.init.wait.downward.NAMESPACE" in r2.output, r2.output
    assert "apps/api.yaml:27:27" in r2.output
    at = next(i for i, e in enumerate(prod["env"]) if e["name"] == "HOST_IP")
    r2 = cli("explain", f"Deployment/api:spec.template.spec.containers[0].env[{at}].valueFrom", "--env", "prod")
    assert r2.exit_code == 0 and "overlays/prod.yaml:3:41" in r2.output, r2.output

    assert_chart_and_overlays_are_the_objects(tmp_path, out)

    # Compose: the container's CPU and memory as Kubernetes gives them (bytes; whole cores,
    # rounded up; a request left out is its limit), the pod's fields left out
    compose = out / "dev" / "compose.yaml"
    assert compose_config(compose).returncode == 0, compose_config(compose).stderr
    services = yaml.safe_load(compose.read_text())["services"]
    assert services["api"]["environment"] == {"CPU_LIMIT": "2", "CPU_REQUEST": "1",
                                              "MEMORY_LIMIT": str(512 * 2**20), "PEERS": "$$(POD_IP):9094"}
    assert services["api.proxy"]["environment"] == {"PROXY_MEMORY": str(64 * 2**20)}
    assert "environment" not in services["api.wait"]
    # ... each left out with a warning at its spec line, once (dev and prod alike)
    warned = [line for line in r.output.splitlines() if "SKY505" in line]
    assert warned == [
        'apps/api.yaml:10:11: warning[SKY505]: Compose has no downward API: variable "POD_IP" (status.podIP) '
        'of "api" is left out of the Compose file',
        'apps/api.yaml:11:13: warning[SKY505]: Compose has no downward API: variable "POD_NAME" (metadata.name) '
        'of "api" is left out of the Compose file',
        'apps/api.yaml:12:9: warning[SKY505]: Compose has no downward API: variable "TEAM" '
        '(metadata.labels[\'team\']) of "api" is left out of the Compose file',
        'apps/api.yaml:16:12: warning[SKY505]: Compose has no downward API: variable "SCRATCH" '
        '(limits.ephemeral-storage) of "api" is left out of the Compose file',
        'apps/api.yaml:22:27: warning[SKY505]: Compose has no downward API: variable "NODE_NAME" (spec.nodeName) '
        'of "proxy" of "api" is left out of the Compose file',
        'apps/api.yaml:27:27: warning[SKY505]: Compose has no downward API: variable "NAMESPACE" '
        '(metadata.namespace) of "wait" of "api" is left out of the Compose file',
        'overlays/prod.yaml:3:41: warning[SKY505]: Compose has no downward API: variable "HOST_IP" '
        '(status.hostIP) of "api" is left out of the Compose file'], r.output
    assert "$HOSTNAME" in r.output   # the hint of metadata.name


def test_kubernetes_only_builds_warn_nothing(build):
    objs = build({"apps/api.yaml": API})
    assert ("Deployment", "api") in objs


def test_a_field_kubernetes_refuses_is_an_error_at_the_value(make_project, cli):
    make_project({"apps/api.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.4.2
        downward:
          POD_IP: status.podIp
          OK: metadata.labels['app.kubernetes.io/name']
          BAD_LABEL: metadata.labels[app]
        sidecars:
          proxy: {image: envoyproxy/envoy:v1.31.0, downward: {MEM: limits.mem}}
    """})
    r = cli("check")
    assert r.exit_code != 0
    errors = [line for line in r.output.splitlines() if "error[" in line]
    assert errors == [
        "apps/api.yaml:5:11: error[SKY108]: downward.POD_IP: \"status.podIp\" is not a field the downward API "
        "gives a variable",
        "apps/api.yaml:7:14: error[SKY108]: downward.BAD_LABEL: \"metadata.labels[app]\" is not a field the "
        "downward API gives a variable",
        "apps/api.yaml:9:60: error[SKY108]: sidecars.proxy.downward.MEM: \"limits.mem\" is not a field the "
        "downward API gives a variable"], r.output
    assert "help: a variable reads the pod's metadata.name, metadata.namespace" in r.output
    assert 'help: did you mean "status.podIP"? (a variable reads the pod\'s' in r.output   # a misspelling
    assert 'help: did you mean "limits.memory"? (' in r.output and "limits.ephemeral-storage" in r.output


def test_a_variable_in_env_and_downward_is_sky113(make_project, cli):
    make_project({"apps/api.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.4.2
        env: {POD_IP: 10.0.0.1, KEY: x}
        secrets: {TOKEN: {secret: creds, key: token}, KEY: {secret: creds, key: token}}
        downward: {POD_IP: status.podIP, TOKEN: metadata.uid}
        ---
        kind: Secret
        name: creds
        keys: [token]
    """})
    r = cli("check")
    assert r.exit_code != 0
    assert 'apps/api.yaml:6:20: error[SKY113]: "POD_IP" is set both in env and in downward' in r.output, r.output
    assert 'apps/api.yaml:6:41: error[SKY113]: "TOKEN" is set both in secrets and in downward' in r.output
    assert 'apps/api.yaml:5:52: error[SKY113]: "KEY" is set both in env and in secrets' in r.output   # as before
    assert r.output.count("error[SKY113]") == 3


def test_the_builder_method_and_the_sidecar_field():
    from pathlib import Path

    import pytest

    from skyspec import App, SpecError
    from validators import assert_valid_k8s

    app = (App("api").image("ghcr.io/acme/api:1.4.2").port(8080).health_check("/healthz")
           .resources(cpu="250m", memory="256Mi", memory_limit="512Mi")
           .downward("POD_IP", "status.podIP").downward("MEMORY_LIMIT", "limits.memory")
           .sidecar("proxy", "envoyproxy/envoy:v1.31.0", downward={"NODE_NAME": "spec.nodeName"}))
    assert app.to_dict()["downward"] == {"POD_IP": "status.podIP", "MEMORY_LIMIT": "limits.memory"}
    objs = app.generate().objects()
    assert_valid_k8s(objs)
    c = _containers(objs)
    assert _env(c["api"]) == {"POD_IP": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}},
                              "MEMORY_LIMIT": {"resourceFieldRef": {"resource": "limits.memory"}}}
    assert _env(c["proxy"]) == {"NODE_NAME": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}
    bad = App("bad").image("ghcr.io/acme/api:1.4.2").downward("POD_IP", "pod.ip")  # @bad-field
    with pytest.raises(SpecError) as info:
        bad.generate().objects()
    d, = info.value.diagnostics
    line = next(i + 1 for i, t in enumerate(Path(__file__).read_text().splitlines()) if t.endswith("# @bad-field"))
    assert d.code == "SKY108" and Path(d.pos.file).resolve() == Path(__file__).resolve() and d.pos.line == line
    assert "status.podIP" in d.hint


def test_a_celery_apps_workers_get_its_downward_variables(build):
    # the celery spec is not a workload itself: its workers carry its env, and its downward too
    objs = build({"apps/data.yaml": "kind: StatefulApp\nname: redis\nuse: redis\n", "apps/tasks.yaml": """
        kind: App
        name: tasks
        use: celery
        image: ghcr.io/acme/shop-worker:1.4.2
        app: shop.tasks
        broker: redis
        resources: {cpu: 200m, memory: 256Mi}
        downward: {POD_NAME: metadata.name}
        queues: {default: {concurrency: 4}}
    """})
    env = _env(_containers_of(objs[("Deployment", "tasks-worker-default")])["tasks-worker-default"])
    assert env["POD_NAME"] == {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}


def _containers_of(dep):
    return {c["name"]: c for c in dep["spec"]["template"]["spec"]["containers"]}
