"""`configs:`: a container's variables read from one key of a ConfigMap (Argo CD reads 224 of
them), in the main container, a sidecar and an init container: the objects (kubernetes-validate
strict), the Helm chart and the Kustomize overlays equal to them (helm lint/template, kubectl
kustomize), the Compose file (the real binary) with the ConfigMap's value, what it cannot
know warned at the spec line (SKY507), the checksum that rolls the pods when the ConfigMap
changes, a missing ConfigMap or key (SKY114, unless `optional`), a name set twice (SKY113),
and the overlays' merge by name."""

import json

import yaml

from validators import assert_valid_k8s, compose_config, load_docs

API = """
    kind: App
    name: api
    image: ghcr.io/acme/api:1.4.2
    port: 8080
    health: /healthz
    configs:
      LOG_LEVEL: {config: settings, key: log.level}
      FEATURES: {config: settings, key: features, optional: true}
      REGION: {config: cloud, key: region}
    sidecars:
      proxy:
        image: envoyproxy/envoy:v1.31.0
        configs: {PROXY_MODE: {config: settings, key: mode}}
    init:
      wait:
        image: busybox:1.36
        command: [sh, -c, "true"]
        configs: {WAIT_MODE: {config: settings, key: mode}}
    ---
    kind: ConfigMap
    name: settings
    data: {log.level: info, mode: fast}
    ---
    kind: ConfigMap
    name: cloud
    existing: true
"""

PROD = """
apps:
  api:
    configs:
      FEATURES: null
      LOG_LEVEL: {config: settings, key: mode}
"""


def _env(c: dict) -> dict:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c.get("env", [])}


def _pod(docs: list) -> dict:
    return next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]


def test_config_keys_in_every_container_of_every_format(make_project, cli, tmp_path):
    make_project({"apps/api.yaml": API, "overlays/prod.yaml": PROD})
    out = tmp_path / "out"
    r = cli("build", "-o", str(out), "--format", "kubernetes,compose,helm,kustomize")
    assert r.exit_code == 0, r.output

    dev = load_docs(out / "dev" / "kubernetes")
    assert_valid_k8s(dev)
    pod = _pod(dev)
    main, proxy = pod["spec"]["containers"]
    assert _env(main) == {
        "LOG_LEVEL": {"configMapKeyRef": {"name": "settings", "key": "log.level"}},
        "FEATURES": {"configMapKeyRef": {"name": "settings", "key": "features", "optional": True}},
        "REGION": {"configMapKeyRef": {"name": "cloud", "key": "region"}}}
    assert _env(proxy) == {"PROXY_MODE": {"configMapKeyRef": {"name": "settings", "key": "mode"}}}
    assert _env(pod["spec"]["initContainers"][0]) == {"WAIT_MODE": {"configMapKeyRef": {"name": "settings",
                                                                                         "key": "mode"}}}
    # a change of the ConfigMap rolls the pods that read it
    assert "checksum.skyspec.dev/configmap.settings" in pod["metadata"]["annotations"]
    # an overlay merges the map by name: one removed, one changed, the rest kept
    prod = _env(_pod(load_docs(out / "prod" / "kubernetes"))["spec"]["containers"][0])
    assert prod == {"LOG_LEVEL": {"configMapKeyRef": {"name": "settings", "key": "mode"}},
                    "REGION": {"configMapKeyRef": {"name": "cloud", "key": "region"}}}
    r2 = cli("explain", "Deployment/api:spec.template.spec.containers[0].env[0].valueFrom", "--env", "prod")
    assert r2.exit_code == 0 and "api.configs.LOG_LEVEL" in r2.output and "overlays/prod.yaml:5:" in r2.output, \
        r2.output

    from test_downward import assert_chart_and_overlays_are_the_objects

    assert_chart_and_overlays_are_the_objects(tmp_path, out)

    # Compose: the value the project's ConfigMap holds; an optional key it lacks is unset, and
    # an existing ConfigMap's key is left out (its value is the cluster's), warned at the line
    compose = out / "dev" / "compose.yaml"
    assert compose_config(compose).returncode == 0, compose_config(compose).stderr
    services = yaml.safe_load(compose.read_text())["services"]
    assert services["api"]["environment"] == {"LOG_LEVEL": "info"}
    assert services["api.proxy"]["environment"] == {"PROXY_MODE": "fast"}
    assert services["api.wait"]["environment"] == {"WAIT_MODE": "fast"}
    assert 'apps/api.yaml:9:' in r.stderr and "warning[SKY507]" in r.stderr and \
        'Compose cannot read key "region" of existing ConfigMap "cloud": variable "REGION" of "api" is left out' \
        in r.stderr, r.stderr


def test_a_missing_configmap_or_key_is_sky114_unless_optional(make_project, cli):
    spec = ("kind: App\nname: api\nimage: ghcr.io/acme/api:1.4.2\nport: 8080\nconfigs:\n"
            "  A: {config: settings, key: log.levl}\n"
            "  B: {config: setings, key: mode}\n"
            "  C: {config: settings, key: missing, optional: true}\n"
            "  D: {config: nowhere, key: x, optional: true}\n"
            "---\nkind: ConfigMap\nname: settings\ndata: {log.level: info, mode: fast}\n")
    make_project({"apps/api.yaml": spec})
    r = cli("check", "--diagnostics-format", "json")
    assert r.exit_code == 1, r.output
    errors = [(d["code"], d["line"], d["message"], d.get("hint")) for d in json.loads(r.stdout)
              if d["severity"] == "error"]
    assert errors == [
        ("SKY114", 6, 'ConfigMap "settings" has no key "log.levl"', 'did you mean "log.level"? (or make the variable '
                                                                    '`optional: true`)'),
        ("SKY114", 7, 'ConfigMap "setings" is not defined in this project', 'did you mean "settings"?')], errors


def test_a_variable_in_env_and_configs_is_sky113(make_project, cli):
    make_project({"apps/api.yaml": "kind: App\nname: api\nimage: ghcr.io/acme/api:1.4.2\nport: 8080\n"
                                   "env: {MODE: fast}\nsecrets: {TOKEN: {secret: creds, key: token}}\n"
                                   "configs:\n  MODE: {config: settings, key: mode}\n"
                                   "  TOKEN: {config: settings, key: mode}\n"
                                   "---\nkind: ConfigMap\nname: settings\ndata: {mode: fast}\n"
                                   "---\nkind: Secret\nname: creds\nkeys: [token]\n"})
    r = cli("check")
    assert r.exit_code == 1
    assert 'apps/api.yaml:8:9: error[SKY113]: "MODE" is set both in env and in configs' in r.stderr, r.stderr
    assert 'apps/api.yaml:9:10: error[SKY113]: "TOKEN" is set both in secrets and in configs' in r.stderr, r.stderr


def test_a_variable_read_from_another_key_per_environment_in_the_helm_chart(make_project, tmp_path):
    """A Secret's or ConfigMap's variable whose key differs between environments is a value
    under the env map, named as the variable is: the chart read `DB_TOKEN`'s under `DBTOKEN`
    (camel-cased like a list item's name), which it then also rendered as a variable of the
    user's, `DBTOKEN: map[valueFrom:...]` (helm template differed from the Kubernetes output)."""
    make_project({"apps/api.yaml": "kind: App\nname: api\nimage: ghcr.io/acme/api:1.4.2\nport: 8080\n"
                                   "health: /healthz\nsecrets: {DB_TOKEN: {secret: creds, key: token}}\n"
                                   "configs: {LOG_LEVEL: {config: settings, key: dev.level}}\n"
                                   "---\nkind: Secret\nname: creds\nkeys: [token, other]\n"
                                   "---\nkind: ConfigMap\nname: settings\ndata: {dev.level: debug, prod.level: warn}\n",
                  "overlays/prod.yaml": "apps:\n  api:\n    secrets: {DB_TOKEN: {secret: creds, key: other}}\n"
                                        "    configs: {LOG_LEVEL: {config: settings, key: prod.level}}\n"})
    from test_helm import assert_chart_is_the_kubernetes_output, compile_irs

    irs = compile_irs(tmp_path / "proj")
    assert_chart_is_the_kubernetes_output(irs, tmp_path / "helm")
