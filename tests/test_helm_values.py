"""The Helm chart's values API, used the way Helm users use it (`--set`, `-f`, `helm lint
--strict`) with the real helm: setting an image's tag deploys that tag (the digest pinned for
the old tag goes), env vars, labels, annotations and extra objects can be added, the knobs
(replicas, resources, autoscaling, ingress, enabled) change what they say, and the schema
still refuses typos. values.yaml is the project's `base:` environment, complete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES
from test_helm import compile_irs, kubernetes_objects, write_chart
from validators import assert_valid_k8s, helm, strip_helm_labels

from skyspec.backends import helm as helm_backend

DIGEST = "sha256:44cd95593d278968aeb0a0eb9bad3520c2df80e362e0a2af92a64f1f031bbfa1"
NEW = "sha256:" + "ab" * 32


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    irs = compile_irs(EXAMPLES / "shop")
    return write_chart(helm_backend.render(irs), tmp_path_factory.mktemp("shop"), "shop")


def render(chart: Path, *args: str) -> dict:
    r = helm("template", "shop", str(chart), "--namespace", "shop", *args)
    assert r.returncode == 0, r.stderr
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(r.stdout) if d}


def container(objs: dict, kind: str, name: str) -> dict:
    spec = objs[(kind, name)]["spec"]
    spec = spec["jobTemplate"]["spec"] if kind == "CronJob" else spec
    return spec["template"]["spec"]["containers"][0]


def lint(chart: Path, *args: str):
    return helm("lint", "--strict", str(chart), *args)


def test_setting_the_tag_deploys_that_tag(shop):
    prod = ("-f", str(shop / "values-prod.yaml"))
    assert container(render(shop, *prod), "Deployment", "api")["image"] == f"ghcr.io/acme/shop-api:1.4.2@{DIGEST}"
    # the most common CI step: the digest was pinned for 1.4.2, so 1.5.0 runs 1.5.0
    objs = render(shop, *prod, "--set", "apps.api.image.tag=1.5.0")
    assert container(objs, "Deployment", "api")["image"] == "ghcr.io/acme/shop-api:1.5.0"
    # a digest given with the tag is used; an empty one falls back to the pinned one
    objs = render(shop, *prod, "--set", "apps.api.image.tag=1.5.0", "--set", f"apps.api.image.digest={NEW}")
    assert container(objs, "Deployment", "api")["image"] == f"ghcr.io/acme/shop-api:1.5.0@{NEW}"
    objs = render(shop, *prod, "--set", f"apps.api.image.digest={NEW}", "--set", "apps.api.image.digest=")
    assert container(objs, "Deployment", "api")["image"] == f"ghcr.io/acme/shop-api:1.4.2@{DIGEST}"
    # other apps keep theirs; an image pinned by tag only takes the new tag
    assert container(objs, "Deployment", "worker")["image"].startswith("ghcr.io/acme/shop-worker:1.4.2@sha256:")
    objs = render(shop, *prod, "--set", "apps.cache.image.tag=7.4-alpine")
    assert container(objs, "Deployment", "cache")["image"] == "redis:7.4-alpine"
    # a StatefulSet's and a CronJob's too
    objs = render(shop, *prod, "--set", "apps.db.image.tag=16.5", "--set", "apps.nightlyReport.image.tag=1.5.0")
    assert container(objs, "StatefulSet", "db")["image"] == "postgres:16.5"
    assert container(objs, "CronJob", "nightly-report")["image"] == "ghcr.io/acme/shop-worker:1.5.0"
    assert container(objs, "Deployment", "worker")["image"].startswith("ghcr.io/acme/shop-worker:1.4.2@sha256:")
    assert lint(shop, *prod, "--set", "apps.api.image.tag=1.5.0").returncode == 0


def test_users_add_env_vars_labels_annotations_and_objects(shop):
    extra = json.dumps([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "extra"},
                         "data": {"a": "1"}}])
    args = ("-f", str(shop / "values-prod.yaml"), "--set", "apps.api.env.FEATURE_X=on",
            "--set", "apps.api.env.LOG_LEVEL=null", "--set", "apps.api.labels.team=payments",
            "--set", "apps.api.annotations.owner=payments@example.com", "--set", "commonLabels.cost-center=42a",
            "--set-json", f"extraObjects={extra}",
            "--set", "extraObjects[1].apiVersion=v1", "--set", "extraObjects[1].kind=Secret",
            "--set", "extraObjects[1].metadata.name=token", "--set", "extraObjects[1].stringData.t=x")
    r = lint(shop, *args)
    assert r.returncode == 0, r.stdout + r.stderr
    objs = render(shop, *args)
    api = objs[("Deployment", "api")]
    env = {e["name"]: e.get("value") for e in container(objs, "Deployment", "api")["env"]}
    assert env["FEATURE_X"] == "on" and "LOG_LEVEL" not in env and env["WORKERS"] == "4"
    for meta in (api["metadata"], api["spec"]["template"]["metadata"], objs[("Service", "api")]["metadata"]):
        assert meta["labels"]["team"] == "payments" and meta["annotations"]["owner"] == "payments@example.com"
    assert "team" not in objs[("Deployment", "worker")]["metadata"]["labels"]
    assert all(o["metadata"]["labels"]["cost-center"] == "42a" for k, o in objs.items()
               if k[0] in ("Deployment", "StatefulSet", "CronJob"))
    assert objs[("ConfigMap", "extra")]["data"] == {"a": "1"} and objs[("Secret", "token")]["stringData"] == {"t": "x"}
    # the selectors never take labels users add (a selector is immutable)
    assert "team" not in api["spec"]["selector"]["matchLabels"]
    assert_valid_k8s(objs.values())


def test_set_passes_numbers_and_booleans_which_render_as_strings(shop):
    """`--set apps.api.env.WORKERS=8` gives Helm the number 8 and `=true` a boolean: the
    schema takes them for env vars, labels and annotations (and an image tag), and the chart
    renders them as the strings Kubernetes wants."""
    args = ("--set", "apps.api.env.WORKERS=8", "--set", "apps.api.env.NEW_FLAG=true",
            "--set", "apps.api.env.RETRIES=3", "--set", "apps.api.labels.generation=2",
            "--set", "commonAnnotations.audited=false", "--set", "apps.cache.image.tag=7")
    r = lint(shop, *args)
    assert r.returncode == 0, r.stdout + r.stderr
    objs = render(shop, *args)
    env = container(objs, "Deployment", "api")["env"]
    assert {"name": "WORKERS", "value": "8"} in env
    assert env[-2:] == [{"name": "NEW_FLAG", "value": "true"}, {"name": "RETRIES", "value": "3"}]
    assert objs[("Deployment", "api")]["metadata"]["labels"]["generation"] == "2"
    assert objs[("Deployment", "api")]["metadata"]["annotations"]["audited"] == "false"
    assert container(objs, "Deployment", "cache")["image"] == "redis:7"
    assert_valid_k8s(objs.values())
    # what cannot be one string is still refused
    for bad in ("apps.api.env.WORKERS[0]=8", "apps.api.env.NEW.x=1", "apps.api.labels.team.x=y"):
        r = lint(shop, "--set", bad)
        assert r.returncode != 0 and "apps/api/" in r.stdout + r.stderr, bad


def test_the_schema_still_refuses_typos_with_set(shop):
    for bad, word in (("apps.api.replicsa=3", "replicsa"), ("apps.api.image.tga=1", "tga"),
                      ("apps.nightlyreport.enabled=false", "nightlyreport"), ("apps.api.replicas=many", "replicas"),
                      ("apps.web.ingress.hots=x", "hots"), ("commonLabels.team=null,commonLabel.x=y", "commonLabel")):
        r = lint(shop, "--set", bad)
        assert r.returncode != 0 and word in r.stdout + r.stderr, bad
        assert helm("template", "shop", str(shop), "--set", bad).returncode != 0, bad


def test_knobs_change_what_they_say(shop):
    prod = ("-f", str(shop / "values-prod.yaml"))
    objs = render(shop, *prod, "--set", "apps.web.ingress.host=www.example.org", "--set", "apps.api.replicas=7",
                  "--set", "apps.api.resources.limits.memory=1Gi", "--set", "apps.nightlyReport.enabled=false")
    ing = objs[("Ingress", "web")]["spec"]
    assert ing["rules"][0]["host"] == "www.example.org" and ing["tls"][0]["hosts"] == ["www.example.org"]
    assert objs[("Deployment", "api")]["spec"]["replicas"] == 7
    assert container(objs, "Deployment", "api")["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
    # an app turned off takes its objects with it, and the NetworkPolicy peer that admits its pods
    assert ("CronJob", "nightly-report") not in objs
    peers = objs[("NetworkPolicy", "db-ingress")]["spec"]["ingress"][0]["from"]
    assert [p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for p in peers] == ["api"]
    objs = render(shop, *prod, "--set", "apps.web.ingress.tls=false")
    assert "tls" not in objs[("Ingress", "web")]["spec"]
    objs = render(shop, "--set", "apps.web.ingress.enabled=false")
    assert ("Ingress", "web") not in objs and ("Service", "web") in objs


AUTOSCALE = {"apps/api.yaml": """
    kind: App
    name: api
    image: ghcr.io/acme/api:1.0.0
    port: 8080
    autoscale: {min: 2, max: 6, cpu: 70}
    """}


def test_autoscaling_values(make_project, tmp_path):
    irs = compile_irs(make_project(AUTOSCALE, "project: demo\nspecs: ['apps/*.yaml']\nenvironments: {dev: {}}\n"))
    chart = write_chart(helm_backend.render(irs), tmp_path, "demo")
    values = yaml.safe_load((chart / "values.yaml").read_text())["apps"]["api"]["autoscaling"]
    assert values == {"enabled": True, "minReplicas": 2, "maxReplicas": 6, "targetCPUUtilizationPercentage": 70}
    r = helm("template", "demo", str(chart), "--set", "apps.api.autoscaling.maxReplicas=9",
             "--set", "apps.api.autoscaling.targetMemoryUtilizationPercentage=80")
    assert r.returncode == 0, r.stderr
    hpa = next(d for d in yaml.safe_load_all(r.stdout) if d and d["kind"] == "HorizontalPodAutoscaler")["spec"]
    assert hpa["maxReplicas"] == 9
    assert [(m["resource"]["name"], m["resource"]["target"]["averageUtilization"]) for m in hpa["metrics"]] == \
        [("cpu", 70), ("memory", 80)]
    assert lint(chart, "--set", "apps.api.autoscaling.targetCPUUtilizationPercentage=0").returncode != 0


def test_values_yaml_is_the_projects_base_environment(tmp_path):
    """`base: prod`: values.yaml alone is prod, whole, and values-dev.yaml what dev changes;
    the values' layout (the schema) does not depend on which environment is the base."""
    irs = compile_irs(EXAMPLES / "shop")
    charts = {b: write_chart(helm_backend.render(irs, base=b), tmp_path / b, "shop") for b in ("dev", "prod")}
    prod = charts["prod"]
    assert yaml.safe_load((prod / "values-prod.yaml").read_text()) == {}
    assert yaml.safe_load((prod / "values.yaml").read_text())["apps"]["api"]["replicas"] == 5
    r = helm("template", "shop", str(prod), "--namespace", "shop")
    got = sorted(json.dumps(strip_helm_labels(d), sort_keys=True) for d in yaml.safe_load_all(r.stdout) if d)
    want = sorted(json.dumps(strip_helm_labels(o), sort_keys=True) for o in kubernetes_objects("prod", irs["prod"]))
    assert got == want
    schemas = [json.loads((c / "values.schema.json").read_text()) for c in charts.values()]

    def paths(s: dict, at: str = "") -> set:
        out = {at}
        for k, sub in s.get("properties", {}).items():
            out |= paths(sub, f"{at}.{k}")
        return out

    assert paths(schemas[0]) == paths(schemas[1]) and len(paths(schemas[0])) > 100


def test_cli_build_uses_the_projects_base_and_chart_version(make_project, cli, tmp_path):
    make_project(AUTOSCALE, "project: demo\nspecs: ['apps/*.yaml']\nbase: prod\n"
                            "chart: {version: 1.2.3, app_version: '2024.06'}\n"
                            "environments: {dev: {}, prod: {}}\n")
    r = cli("build", "-o", str(tmp_path / "out"), "--format", "helm")
    assert r.exit_code == 0, r.output
    chart = tmp_path / "out" / "helm" / "demo"
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    assert (meta["version"], meta["appVersion"]) == ("1.2.3", "2024.06")
    assert yaml.safe_load((chart / "values-prod.yaml").read_text()) == {}
    r = cli("build", "-o", str(tmp_path / "out2"), "--format", "helm", "--chart-version", "2.0.0-rc.1")
    assert r.exit_code == 0, r.output
    meta = yaml.safe_load((tmp_path / "out2" / "helm" / "demo" / "Chart.yaml").read_text())
    assert (meta["version"], meta["appVersion"]) == ("2.0.0-rc.1", "2024.06")
    objs = [d for d in yaml.safe_load_all(helm("template", "demo", str(tmp_path / "out2" / "helm" / "demo")).stdout) if d]
    assert {o["metadata"]["labels"]["helm.sh/chart"] for o in objs} == {"demo-2.0.0-rc.1"}
    assert {o["metadata"]["labels"]["app.kubernetes.io/version"] for o in objs} == {"2024.06"}
    r = cli("build", "-o", str(tmp_path / "out3"), "--format", "helm", "--chart-version", "v1")
    assert r.exit_code != 0 and "--chart-version" in r.output


@pytest.fixture(scope="module")
def strat(tmp_path_factory) -> Path:
    from conftest import write_tree
    from test_helm_release import STRATEGIES, STRATEGIES_PROJECT

    root = write_tree(tmp_path_factory.mktemp("strat"), {"skyspec.yaml": STRATEGIES_PROJECT, **STRATEGIES})
    return write_chart(helm_backend.render(compile_irs(root)), root / "out", "strat")


def deployments(objs: dict) -> dict:
    return {name: (o["spec"]["replicas"], o["spec"]["template"]["spec"]["containers"][0]["image"])
            for (kind, name), o in objs.items() if kind == "Deployment" and name.startswith("api")}


API = "ghcr.io/acme/api:1.0.0@sha256:" + "1" * 64


def test_the_tag_reaches_the_live_color_and_the_stable_track(strat):
    """Blue-green and canary: `apps.api.image` is the spec's image in every environment, so
    setting its tag deploys it where the spec's image runs (blue-green's active color, the
    canary's stable track); the strategy's own images are `blueGreen.previewImage` and
    `canary.image`, and `blueGreen.active` moves the Service, the preview Service, the HPA,
    the images and the replicas together."""
    def run(env: str, *args: str) -> dict:
        r = helm("template", "strat", str(strat), "--namespace", "strat", "-f", str(strat / f"values-{env}.yaml"), *args)
        assert r.returncode == 0, r.stderr
        assert lint(strat, "-f", str(strat / f"values-{env}.yaml"), *args).returncode == 0
        return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(r.stdout) if d}

    prod = run("prod")
    assert deployments(prod) == {"api-blue": (4, "ghcr.io/acme/api:1.1.0"), "api-green": (4, API)}
    objs = run("prod", "--set", "apps.api.image.tag=2.0.0")
    assert deployments(objs) == {"api-blue": (4, "ghcr.io/acme/api:1.1.0"), "api-green": (4, "ghcr.io/acme/api:2.0.0")}
    objs = run("prod", "--set", "apps.api.blueGreen.previewImage.tag=1.2.0", "--set", "apps.api.replicas=6")
    assert deployments(objs) == {"api-blue": (6, "ghcr.io/acme/api:1.2.0"), "api-green": (6, API)}
    # switching: the Service selects blue, which now runs the spec's image; green the preview
    objs = run("prod", "--set", "apps.api.blueGreen.active=blue")
    assert deployments(objs) == {"api-blue": (4, API), "api-green": (4, "ghcr.io/acme/api:1.1.0")}
    assert objs[("Service", "api")]["spec"]["selector"]["skyspec.dev/color"] == "blue"
    assert objs[("Service", "api-preview")]["spec"]["selector"]["skyspec.dev/color"] == "green"
    assert objs[("HorizontalPodAutoscaler", "api")]["spec"]["scaleTargetRef"]["name"] == "api-blue"
    assert_valid_k8s(objs.values())
    assert lint(strat, "-f", str(strat / "values-prod.yaml"), "--set", "apps.api.blueGreen.active=red").returncode != 0
    # the canary: the stable track runs the spec's image, the canary its own; the replicas split by percent
    qa = run("qa")
    assert deployments(qa) == {"api": (1, API), "api-canary": (1, "ghcr.io/acme/api:1.1.0")}
    objs = run("qa", "--set", "apps.api.image.tag=2.0.0", "--set", "apps.api.replicas=10",
               "--set", "apps.api.canary.percent=20")
    assert deployments(objs) == {"api": (8, "ghcr.io/acme/api:2.0.0"), "api-canary": (2, "ghcr.io/acme/api:1.1.0")}
    objs = run("qa", "--set", "apps.api.canary.image.tag=1.3.0", "--set", "apps.api.replicas=3")
    assert deployments(objs) == {"api": (1, API), "api-canary": (2, "ghcr.io/acme/api:1.3.0")}
    # dev has no strategy: the one Deployment
    assert deployments(run("dev", "--set", "apps.api.image.tag=2.0.0")) == {"api": (1, "ghcr.io/acme/api:2.0.0")}


KINDS = ("deployment", "statefulSet", "daemonSet", "cronJob", "job", "service", "ingress", "horizontalPodAutoscaler",
         "podDisruptionBudget", "networkPolicy", "serviceAccount", "role", "roleBinding", "clusterRole",
         "clusterRoleBinding", "configMap", "secret", "externalSecret", "persistentVolumeClaim", "serviceMonitor",
         "namespace", "priorityClass")


def documented_values() -> tuple[list, set]:
    """The key patterns of the values table in docs/helm.md (regular expressions), and the
    fields its last row ("any other key") names as examples (their first key)."""
    import re

    text = (Path(__file__).resolve().parents[1] / "docs" / "helm.md").read_text()
    table = text.split("\n## Values\n", 1)[1].split("\n\n|", 1)[1].split("\n\n", 1)[0]
    patterns, generic = [], set()
    for row in table.splitlines()[2:]:
        cells = row.split(" | ")
        keys = re.findall(r"`([^`]+)`", cells[0])
        if not keys:
            generic = {g.split(".")[0] for g in re.findall(r"`([^`]+)`", cells[2])}
            continue
        first = keys[0].split(".")
        for k in keys:
            segs = first[:len(first) - len(k[1:].split("."))] + k[1:].split(".") if k.startswith(".") else k.split(".")
            rx = re.escape(".".join(segs)).replace(r"\*", ".*")
            rx = rx.replace(re.escape("<kind>"), "(?:" + "|".join(KINDS) + ")").replace(re.escape("<Suffix>"), "[A-Z][A-Za-z0-9]*")
            patterns.append(re.compile(re.sub(re.escape("<") + r"[A-Za-z ]+" + re.escape(">"), r"[^.]+", rx)))
    return patterns, generic


def value_paths(schema: dict, at: tuple = ()):
    props = schema.get("properties")
    if not props:
        yield at
    for k, sub in (props or {}).items():
        yield from value_paths(sub, at + (k,))


def typed(schema: dict) -> bool:
    """Whether a value's schema says its type (every alternative's, for anyOf)."""
    if "anyOf" in schema:
        return all(typed(s) for s in schema["anyOf"])
    if "type" not in schema:
        return False
    if schema["type"] == "object":
        extra = schema.get("additionalProperties", True)
        return extra is False or (isinstance(extra, dict) and typed(extra))
    if schema["type"] == "array":
        return "items" not in schema or typed(schema["items"])
    return True


def test_every_value_is_typed_and_in_the_docs_table(shop, strat, make_project, tmp_path):
    """Every value of the shop's chart, of the strategies' and of the many-kinds project's has
    a type in values.schema.json (every map closed or typed) and is a row of the values table
    of docs/helm.md; the only ones the "any other key" row covers are fields that differ
    between environments, of the kinds it names."""
    from test_helm import SINK, SINK_PROJECT

    many = write_chart(helm_backend.render(compile_irs(make_project(SINK, SINK_PROJECT))), tmp_path, "sink")
    patterns, generic = documented_values()
    assert len(patterns) > 30 and {"args", "command"} <= generic
    undocumented = set()
    for chart in (shop, strat, many):
        schema = json.loads((chart / "values.schema.json").read_text())
        # extraObjects holds manifests of any kind: objects with apiVersion and kind
        untyped = [path for path in value_paths(schema) if path != ("extraObjects",) and not typed(_at(schema, path))]
        assert not untyped and typed(schema), untyped
        for path in value_paths(schema):
            prefixes = [".".join(path[:i]) for i in range(1, len(path) + 1)]
            if any(p.fullmatch(x) for p in patterns for x in prefixes):
                continue
            # a field that differs: below the app's (or its object's) node, named as in Kubernetes
            if not any(seg in generic for seg in path[2:4]):
                undocumented.add(".".join(path))
    assert not undocumented, sorted(undocumented)


def _at(schema: dict, path: tuple) -> dict:
    for k in path:
        schema = schema["properties"][k]
    return schema


MIXED = {
    "apps/a.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0.0
        port: 8080
        replicas: 3
        autoscale: {min: 3, max: 6, cpu: 70}
        sidecars:
          proxy: {image: "envoyproxy/envoy:v1.31.0"}
        ---
        kind: App
        name: web
        image: ghcr.io/acme/web:1.0.0
        port: 8080
        connect_to: [api]
        """,
    "overlays/qa.yaml": "apps:\n  api:\n    strategy: {blue-green: {active: blue}}\n",
    "overlays/stage.yaml": "apps:\n  api:\n    strategy: {canary: {percent: 34}}\n",
    "overlays/prod.yaml": """
        apps:
          api:
            replicas: 4
            strategy: {blue-green: {active: green, preview_image: "ghcr.io/acme/api:1.1.0"}}
        """,
}
MIXED_PROJECT = """
project: mixed
namespace: mixed
specs: ["apps/*.yaml"]
environments:
  dev: {}
  qa: {overlays: [overlays/qa.yaml]}
  stage: {overlays: [overlays/stage.yaml]}
  prod: {overlays: [overlays/prod.yaml]}
"""


def test_strategies_that_differ_between_environments(make_project, tmp_path):
    """Rolling in dev, blue-green without a preview (active blue) in qa, a canary without its
    own image in stage, blue-green with a preview (active green) in prod, with an HPA and a
    sidecar: the chart is each environment's Kubernetes output, and in each the tag reaches
    the Deployments that run the spec's image."""
    from test_helm import assert_chart_is_the_kubernetes_output

    irs = compile_irs(make_project(MIXED, MIXED_PROJECT))
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out")
    new = "ghcr.io/acme/api:2.0.0"
    want = {"dev": {"api": (1, new)}, "qa": {"api-blue": (3, new), "api-green": (0, new)},
            "stage": {"api": (1, new), "api-canary": (2, new)},
            "prod": {"api-blue": (4, "ghcr.io/acme/api:1.1.0"), "api-green": (4, new)}}
    for env, deps in want.items():
        r = helm("template", "mixed", str(chart), "-n", "mixed", "-f", str(chart / f"values-{env}.yaml"),
                 "--set", "apps.api.image.tag=2.0.0")
        assert r.returncode == 0, r.stderr
        objs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(r.stdout) if d}
        assert deployments(objs) == deps, env
        for (kind, name), o in objs.items():
            if kind == "Deployment" and name.startswith("api"):
                sidecar = o["spec"]["template"]["spec"]["containers"][1]
                assert sidecar["image"] == "envoyproxy/envoy:v1.31.0"
        target = objs[("HorizontalPodAutoscaler", "api")]["spec"]["scaleTargetRef"]["name"]
        assert target == {"qa": "api-blue", "prod": "api-green"}.get(env, "api")
    # switching colors where the app is blue-green (and only there) moves the HPA and the Service
    for env, to in (("qa", "green"), ("prod", "blue"), ("dev", "green")):
        r = helm("template", "mixed", str(chart), "-n", "mixed", "-f", str(chart / f"values-{env}.yaml"),
                 "--set", f"apps.api.blueGreen.active={to}")
        assert r.returncode == 0, r.stderr
        objs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(r.stdout) if d}
        target = objs[("HorizontalPodAutoscaler", "api")]["spec"]["scaleTargetRef"]["name"]
        assert target == ("api" if env == "dev" else f"api-{to}")
        assert objs[("Service", "api")]["spec"]["selector"].get("skyspec.dev/color") == (None if env == "dev" else to)
