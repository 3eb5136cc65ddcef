"""The Helm backend: one chart for all environments whose `helm template <project> -f
values-<env>.yaml` is the Kubernetes backend's output for that environment, but for Helm's
labels (docs/helm.md, "Parity"); and values.yaml alone is the base environment.

Everything here runs the real tools: `helm lint --strict` (with and without each values
file), `helm template`, and kubernetes-validate on what helm renders. Objects are compared
as a multiset keyed by (apiVersion, kind, namespace, name), each object type-exactly
(1, 1.0, true and "1" all differ), after removing the labels the chart adds
(validators.strip_helm_labels). The release model (names, references) is tested in
test_helm_release.py, the values API in test_helm_values.py."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES
from validators import assert_valid_k8s, helm, strip_helm_labels

from skyspec.backends import helm as helm_backend
from skyspec.backends import kubernetes
from skyspec.ir.model import IR
from skyspec.pipeline import Session


# ---------------------------------------------------------------------- helpers

def compile_irs(project_dir: Path) -> dict[str, IR]:
    session = Session(project_dir / "skyspec.yaml")
    compiled = session.compile_all()
    assert not session.diags.errors, [str(d) for d in session.diags.errors]
    return {name: c.ir for name, c in compiled.items()}


def write_chart(files: dict[str, str], out: Path, project: str) -> Path:
    for rel, text in files.items():
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return out / "helm" / project


def typed(obj) -> str:
    return json.dumps(obj, sort_keys=True)


def key(obj: dict) -> tuple:
    m = obj.get("metadata") or {}
    return obj.get("apiVersion"), obj.get("kind"), m.get("namespace"), m.get("name")


def template(chart: Path, release: str, namespace: str, values: Path | None = None, *args: str) -> list[dict]:
    extra = ["-f", str(values)] if values is not None else []
    r = helm("template", release, str(chart), "--namespace", namespace, *extra, *args)
    assert r.returncode == 0, r.stderr
    return [d for d in yaml.safe_load_all(r.stdout) if d is not None]


def lint(chart: Path, *values: Path) -> None:
    args = [a for v in values for a in ("-f", str(v))]
    r = helm("lint", "--strict", str(chart), *args)
    assert r.returncode == 0, r.stdout + r.stderr


def assert_same_objects(got: list[dict], want: list[dict], env: str) -> None:
    g = collections.Counter((key(o), typed(o)) for o in map(strip_helm_labels, got))
    w = collections.Counter((key(o), typed(o)) for o in map(strip_helm_labels, want))
    if g != w:
        extra = "\n".join(f"  helm only: {k} {t}" for k, t in g - w)
        missing = "\n".join(f"  kubernetes only: {k} {t}" for k, t in w - g)
        pytest.fail(f"{env}: helm template differs from the Kubernetes backend\n{extra}\n{missing}")


def kubernetes_objects(env: str, ir: IR) -> list[dict]:
    text = "---\n".join(kubernetes.render({env: ir}).values())
    return [d for d in yaml.safe_load_all(text) if d is not None]


def assert_chart_is_the_kubernetes_output(irs: dict[str, IR], out: Path, validate: bool = True,
                                          base: str | None = None) -> Path:
    """lint --strict bare and with each values file; template each environment (release =
    project, namespace = the IR's) and compare with the Kubernetes backend's objects; and
    values.yaml alone is the base environment."""
    project = next(iter(irs.values())).project
    chart = write_chart(helm_backend.render(irs, base=base), out, project)
    lint(chart)
    for env, ir in irs.items():
        values = chart / f"values-{env}.yaml"
        lint(chart, values)
        got = template(chart, project, ir.namespace, values)
        assert_same_objects(got, kubernetes_objects(env, ir), env)
        if validate:
            assert_valid_k8s(got)
    b = base or next(iter(irs))
    assert_same_objects(template(chart, project, irs[b].namespace), kubernetes_objects(b, irs[b]), f"{b} (values.yaml)")
    assert load(chart / f"values-{b}.yaml") in ({}, None)
    return chart


def load(path: Path):
    return yaml.safe_load(path.read_text())


# ---------------------------------------------------------------------- the shop example

def test_shop_chart_is_the_kubernetes_output_of_every_environment(tmp_path):
    irs = compile_irs(EXAMPLES / "shop")
    assert len(irs) >= 3
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path)
    meta = load(chart / "Chart.yaml")
    assert (meta["apiVersion"], meta["name"], meta["version"], meta["appVersion"]) == ("v2", "shop", "0.1.0", "0.1.0")
    assert meta["description"] and (chart / ".helmignore").is_file()
    schema = json.loads((chart / "values.schema.json").read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    from jsonschema import Draft7Validator

    Draft7Validator.check_schema(schema)
    assert not list(Draft7Validator(schema).iter_errors(load(chart / "values.yaml")))

    def leaves(tree: dict, at: tuple = ()):
        for k, v in tree.items():
            if isinstance(v, dict) and v:
                yield from leaves(v, at + (k,))
            else:
                yield at + (k,), v

    base_leaves = dict(leaves(load(chart / "values.yaml")))
    for env in irs:
        for path, v in leaves(load(chart / f"values-{env}.yaml") or {}):
            # only differences: a new value, another value, or null to remove one
            assert path not in base_leaves or base_leaves[path] != v, (env, path)
            assert v is not None or path in base_leaves or any(path[:i] in base_leaves for i in range(len(path)))
    # Helm users' knobs are values even where every environment agrees
    base = load(chart / "values.yaml")
    for name, app in base["apps"].items():
        assert isinstance(app["image"]["repository"], str) and isinstance(app["resources"], dict), name
    text = (chart / "templates" / "api.yaml").read_text()
    assert "replicas: {{ .Values.apps.api.replicas | toJson }}" in text
    assert 'image: {{ include "shop.image" .Values.apps.api.image | toJson }}' in text
    # Helm's standard labels on every object and pod template; selectors by the stable ones only
    for o in template(chart, "shop", "shop", chart / "values-prod.yaml"):
        labels = o["metadata"]["labels"]
        assert labels["helm.sh/chart"] == "shop-0.1.0" and labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["app.kubernetes.io/instance"] == "shop" and labels["app.kubernetes.io/version"] == "0.1.0"
        if o["kind"] in ("Deployment", "StatefulSet"):
            assert o["spec"]["template"]["metadata"]["labels"]["helm.sh/chart"] == "shop-0.1.0"
            assert set(o["spec"]["selector"]["matchLabels"]) == {
                "app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/instance"}


# ---------------------------------------------------------------------- a small project

PROJECT = """
project: demo
namespace: demo
specs: ["apps/*.yaml"]
environments:
  dev: {overlays: []}
  prod: {overlays: [overlays/prod.yaml]}
"""

SMALL = {
    "apps/api.yaml": """
        kind: App
        name: my-api
        image: ghcr.io/acme/api:1.4.2
        port: 8080
        replicas: 2
        args: [--queue, orders]
        env: {WORKERS: 4, DEBUG: true, RATIO: "1.0", EMPTY: ""}
        resources: {cpu: 100m, memory: 128Mi}
        """,
    "overlays/prod.yaml": """
        apps:
          my-api:
            replicas: 5
            args+: [--concurrency, "8"]
            env: {LOG_LEVEL: warn}
            expose: {host: api.example.com}
            resources: {cpu: "1", memory: 1Gi, memory_limit: 2Gi}
        """,
}


@pytest.fixture
def small(make_project, tmp_path):
    root = make_project(SMALL, PROJECT)
    irs = compile_irs(root)
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out")
    return irs, chart


def test_small_project_values_layout(small):
    irs, chart = small
    base, dev, prod = (load(chart / f) for f in ("values.yaml", "values-dev.yaml", "values-prod.yaml"))
    assert list(base) == ["nameOverride", "fullnameOverride", "commonLabels", "commonAnnotations", "apps",
                          "extraObjects"]
    app = base["apps"]["myApi"]        # camelCase keys
    # numbers and booleans that are env var values stay strings, everywhere
    assert app["env"] == {"WORKERS": "4", "DEBUG": "true", "RATIO": "1.0", "EMPTY": ""}
    assert app["image"] == {"repository": "ghcr.io/acme/api", "tag": "1.4.2", "digest": ""}
    assert type(app["replicas"]) is int and app["args"] == ["--queue", "orders"] and app["enabled"] is True
    # values.yaml is dev (the first environment), complete: the Service and Ingress prod adds are off
    assert app["service"] == {"enabled": False}
    assert app["ingress"] == {"enabled": False, "host": "api.example.com", "tls": False}
    assert prod["apps"]["myApi"]["service"] == {"enabled": True}
    assert prod["apps"]["myApi"]["ingress"] == {"enabled": True}
    # an env var only prod has is set by prod only
    assert prod["apps"]["myApi"]["env"] == {"LOG_LEVEL": "warn"} and "LOG_LEVEL" not in app["env"]
    # a list that differs is replaced whole; maps override key by key
    assert prod["apps"]["myApi"]["args"] == ["--queue", "orders", "--concurrency", "8"]
    assert prod["apps"]["myApi"]["resources"]["requests"] == {"cpu": "1", "memory": "1Gi"}
    assert prod["apps"]["myApi"]["resources"]["limits"]["memory"] == "2Gi"
    assert app["resources"]["requests"] == {"cpu": "100m", "memory": "128Mi"}
    # values files hold only what differs from values.yaml: the base's own file is empty
    assert "image" not in prod["apps"]["myApi"] and dev == {}
    assert app["labels"] == {"skyspec.dev/env": "dev"} and prod["apps"]["myApi"]["labels"] == {"skyspec.dev/env": "prod"}
    text = (chart / "templates" / "my-api.yaml").read_text()
    assert "{{- if .Values.apps.myApi.ingress.enabled }}" in text


def test_small_project_renders_strings_as_strings(small):
    irs, chart = small
    for env, ir in irs.items():
        objs = template(chart, "demo", ir.namespace, chart / f"values-{env}.yaml")
        deployment = next(o for o in objs if o["kind"] == "Deployment")
        env_vars = {e["name"]: e["value"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert env_vars["WORKERS"] == "4" and env_vars["DEBUG"] == "true" and env_vars["RATIO"] == "1.0"
        assert {k: type(v) for k, v in env_vars.items()} == {k: str for k in env_vars}
        assert ("Ingress" in {o["kind"] for o in objs}) == (env == "prod")


def test_values_schema_rejects_typos_and_wrong_types(small, tmp_path):
    irs, chart = small

    def values(text: str) -> Path:
        p = tmp_path / f"v{abs(hash(text))}.yaml"
        p.write_text(text)
        return p

    bad = {
        "apps: {myApi: {replica: 3}}\n": "replica",                      # a typo'd key
        "apps: {myApi: {replicsa: 3}}\n": "replicsa",
        "apps: {myApi: {replicas: \"3\"}}\n": "replicas",                # a string for an integer
        "apps: {myApi: {env: {WORKERS: {n: 8}}}}\n": "WORKERS",          # a map for an env var value
        "apps: {myApi: {env: {NEW: [8]}}}\n": "NEW",                     # ... also for a var a user adds
        "apps: {myApi: {env: {NEW: 1.5}}}\n": "NEW",                     # a float would not read back
        "apps: {myApi: {labels: {team: [1]}}}\n": "team",                # label values are scalars
        "apps: {myApi: {resources: {requests: {cpu: 256MB}}}}\n": "cpu",  # not a quantity
        "apps: {myApi: {image: {tga: x}}}\n": "tga",
        "apps: {myApi: {ingress: {tls: yes please}}}\n": "tls",
        "commonLabel: {team: x}\n": "commonLabel",
        "extraObjects: [{kind: ConfigMap}]\n": "apiVersion",
    }
    for text, word in bad.items():
        r = helm("lint", "--strict", str(chart), "-f", str(chart / "values-prod.yaml"), "-f", str(values(text)))
        assert r.returncode != 0 and word in r.stdout + r.stderr, text
    # a well-formed override passes and is used; env vars and labels may be added
    ok = values("apps: {myApi: {replicas: 7, image: {tag: \"2.0.0\"}, env: {WORKERS: \"16\", WORKER: \"8\"}, "
                "labels: {team: core}}}\n")
    lint(chart, chart / "values-prod.yaml", ok)
    r = helm("template", "demo", str(chart), "--namespace", "demo", "-f", str(chart / "values-prod.yaml"), "-f", str(ok))
    d = next(o for o in yaml.safe_load_all(r.stdout) if o and o["kind"] == "Deployment")
    c = d["spec"]["template"]["spec"]["containers"][0]
    assert d["spec"]["replicas"] == 7 and c["image"] == "ghcr.io/acme/api:2.0.0"
    assert {"name": "WORKERS", "value": "16"} in c["env"] and c["env"][-1] == {"name": "WORKER", "value": "8"}
    assert d["metadata"]["labels"]["team"] == d["spec"]["template"]["metadata"]["labels"]["team"] == "core"


def test_characters_beyond_u_ffff_in_literal_lists_render(make_project, tmp_path):
    # a Role's rules are a literal list, written as JSON in the template when a string in it ends
    # in blank lines: JSON's surrogate pair for an emoji (\ud83d\ude00) is refused by the YAML and
    # Go parsers of helm ("found invalid Unicode character escape code"): `helm template` failed
    root = make_project({"apps/a.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.4.2
        port: 8080
        k8s:
          Deployment:
            metadata:
              annotations: {note: "ship it \U0001F680"}
        ---
        kind: Role
        name: reader
        rules: [{resources: [configmaps], names: ["cfg-\U0001F600", "back\\\\slash-\U0001F600", "blank\\n\\n"],
                 verbs: [get]}]
        """}, PROJECT)
    irs = compile_irs(root)
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out")
    got = template(chart, "demo", irs["prod"].namespace, chart / "values-prod.yaml")
    role = next(o for o in got if o["kind"] == "Role")
    assert role["rules"][0]["resourceNames"] == ["cfg-\U0001F600", "back\\slash-\U0001F600", "blank\n\n"]
    # (a list holding a string that ends in blank lines is written as JSON, which keeps them)
    assert "\\U0001f600" in (chart / "templates" / "role.reader.yaml").read_text()


def test_characters_yaml_refuses_or_folds_in_values_render_unchanged(make_project, tmp_path):
    # DEL and the C1 controls in a value: helm's toJson writes them as they are, and helm's
    # YAML reader refuses the document ("control characters are not allowed"): `helm template`
    # failed (a fuzz case). NEL, which toJson also leaves, is a line break to a YAML 1.1 reader.
    # A chart whose values hold one writes its JSON through the printable helper.
    weird = "a\\x7Fb\\x85c\\x9Fd\\uFFFEe"
    root = make_project({
        "apps/a.yaml": f"""
        kind: App
        name: api
        image: ghcr.io/acme/api:1.4.2
        port: 8080
        env: {{NOTE: "dev {weird}"}}
        annotations: {{note: "dev {weird}"}}
        ---
        kind: ConfigMap
        name: cfg
        data: {{text: "dev {weird}"}}
        """,
        "overlays/prod.yaml": f"""
        apps:
          api:
            env: {{NOTE: "prod {weird}"}}
            annotations: {{note: "prod {weird}"}}
          cfg:
            data: {{text: "prod {weird}"}}
        """}, PROJECT)
    irs = compile_irs(root)
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out")
    got = template(chart, "demo", irs["prod"].namespace, chart / "values-prod.yaml")
    text = "prod a\x7fb\x85c\x9fd\ufffee"
    dep = next(o for o in got if o["kind"] == "Deployment")
    assert {"name": "NOTE", "value": text} in dep["spec"]["template"]["spec"]["containers"][0]["env"]
    assert dep["metadata"]["annotations"]["note"] == text
    assert next(o for o in got if o["kind"] == "ConfigMap")["data"]["text"] == text
    assert 'include "demo.printable"' in (chart / "templates" / "_helpers.tpl").read_text()


def test_such_a_character_in_an_annotation_every_environment_shares_renders_unchanged(make_project, tmp_path):
    # an annotation the same in every environment is written in the template (not the values),
    # in a literal map the merge helper writes with toJson: the chart did not use the printable
    # helper (its values held no such character), and `helm template` refused the document
    # (fuzz seed 85, case 2536)
    root = make_project({"apps/a.yaml": """
        kind: ConfigMap
        name: cfg
        annotations: {note: "a\\x7Fb\\x85c"}
        data: {text: plain}
        """}, PROJECT)
    irs = compile_irs(root)
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out")
    assert "note" not in (chart / "values.yaml").read_text()
    got = template(chart, "demo", irs["prod"].namespace, chart / "values-prod.yaml")
    assert next(o for o in got if o["kind"] == "ConfigMap")["metadata"]["annotations"]["note"] == "a\x7fb\x85c"


def test_render_is_deterministic(make_project):
    root = make_project(SMALL, PROJECT)
    first = helm_backend.render(compile_irs(root))
    second = helm_backend.render(compile_irs(root))
    assert first == second and list(first) == list(second)
    assert set(first) >= {"helm/demo/Chart.yaml", "helm/demo/values.yaml", "helm/demo/values-dev.yaml",
                          "helm/demo/values-prod.yaml", "helm/demo/values.schema.json",
                          "helm/demo/templates/my-api.yaml"}


def test_cli_build_writes_the_chart(make_project, cli, tmp_path):
    make_project(SMALL, PROJECT)
    r = cli("build", "-o", str(tmp_path / "out"), "--format", "helm")
    assert r.exit_code == 0, r.output
    chart = tmp_path / "out" / "helm" / "demo"
    assert (chart / "values-prod.yaml").is_file() and (chart / "templates" / "my-api.yaml").is_file()
    lint(chart, chart / "values-prod.yaml")


# ---------------------------------------------------------------------- many kinds, three environments

SINK_PROJECT = """
project: sink
namespace: sink
specs: ["apps/*.yaml"]
environments:
  dev: {overlays: [overlays/dev.yaml]}
  qa: {overlays: []}
  prod: {overlays: [overlays/prod.yaml], namespace: sink-prod}
"""

SINK = {
    "apps/api.yaml": """
        kind: App
        name: my-api
        image: ghcr.io/acme/api:1.0.0
        command: python -m api
        args: [--port, "8080"]
        ports: {http: 8080, admin: 9901}
        replicas: 2
        env: {WORKERS: "4", DEBUG: "true", ON: "on", TMPL: "{{ not a template }}"}
        secrets: {TOKEN: {secret: creds, key: token}}
        env_from: [{config: settings}]
        volumes:
          scratch: {empty: true, mount: /tmp}
          conf: {config: settings, mount: /etc/api, read_only: true}
        sidecars:
          proxy: {image: envoyproxy/envoy:v1.31.0, ports: {padmin: 9902}, mounts: {conf: /etc/envoy}}
        init:
          migrate: {image: ghcr.io/acme/api:1.0.0, command: [python, -m, api.migrate]}
        health: {http: /healthz}
        expose: {host: api.example.com}
        labels: {team: core}
        annotations: {owner: core@example.com}
        ---
        kind: Secret
        name: creds
        existing: true
        ---
        kind: ConfigMap
        name: settings
        data:
          mode: fast
          retries: 3
          nginx.conf: "server {\\n  listen {{ port }};\\n}\\n\\n\\n"
        ---
        kind: ServiceAccount
        name: ops
        ---
        kind: Role
        name: pod-reader
        rules: [{resources: [pods], verbs: [get, list]}]
        bind: [ops]
        ---
        kind: NetworkPolicy
        name: api-access
        select: {app: my-api}
        allow_from: [{app: web}]
        ports: [8080]
        """,
    "apps/data.yaml": """
        kind: StatefulApp
        name: db
        image: postgres:16.4
        ports: {postgres: 5432}
        storage: {data: {size: 20Gi, mount: /var/lib/postgresql/data}, wal: 5Gi}
        health: {exec: [pg_isready, -U, postgres]}
        ---
        kind: Job
        name: migrate
        image: ghcr.io/acme/api:1.0.0
        backoff_limit: 2
        ---
        kind: CronJob
        name: report
        image: x/report:1
        schedule: "30 2 * * *"
        env: {MODE: nightly}
        """,
    "overlays/dev.yaml": """
        all:
          annotations: {debug: "yes"}
        apps:
          my-api:
            replicas: 1
            env: {LOG_LEVEL: debug, WORKERS: "2"}
            expose: {host: api.dev.example.com}
          db:
            storage: {data: {size: 1Gi, mount: /var/lib/postgresql/data}, wal: 1Gi}
        """,
    "overlays/prod.yaml": """
        all:
          labels: {tier2: gold}
        apps:
          my-api:
            replicas: 10
            args+: [--workers, "8"]
            expose: {tls: true}
            autoscale: {min: 10, max: 20, cpu: 70}
            strategy: {canary: {percent: 10, image: "ghcr.io/acme/api:1.1.0"}}
            sidecars:
              log: {image: "fluent/fluent-bit:3.0"}
            resources: {cpu: "1", memory: 1Gi, memory_limit: 2Gi}
          db:
            storage: {data: {size: 100Gi, mount: /var/lib/postgresql/data}, wal: 10Gi}
        """,
}


def test_many_kinds_three_environments(make_project, tmp_path):
    irs = compile_irs(make_project(SINK, SINK_PROJECT))
    assert [ir.namespace for ir in irs.values()] == ["sink", "sink", "sink-prod"]
    chart = assert_chart_is_the_kubernetes_output(irs, tmp_path / "out")
    base, prod = load(chart / "values.yaml"), load(chart / "values-prod.yaml")
    api = base["apps"]["myApi"]
    # storage sizes, per claim; labels the overlays add to every app; the namespace is the release's
    assert base["apps"]["db"]["storage"] == {"data": "1Gi", "wal": "1Gi"}
    assert prod["apps"]["db"]["storage"] == {"data": "100Gi", "wal": "10Gi"}
    assert "namespace" not in base and "tier2" not in base["commonLabels"] and prod["commonLabels"]["tier2"] == "gold"
    assert base["commonAnnotations"] == {"debug": "yes"} and prod["commonAnnotations"] == {"debug": None}
    # sidecar and init containers by name; one present in prod only has a flag
    assert api["containers"]["proxy"]["image"] == {"repository": "envoyproxy/envoy", "tag": "v1.31.0", "digest": ""}
    assert api["containers"]["log"]["enabled"] is False and prod["apps"]["myApi"]["containers"]["log"] == {"enabled": True}
    assert api["initContainers"]["migrate"]["image"]["tag"] == "1.0.0"
    # the canary Deployment (prod only) shares the app's values; its image and percent are the
    # strategy's (in the specs' terms), its replicas and the stable track's computed from them
    assert api["deploymentCanary"] == {"enabled": False}
    assert api["canary"] == {"image": {"repository": "ghcr.io/acme/api", "tag": "1.1.0", "digest": ""}, "percent": 0}
    assert prod["apps"]["myApi"]["canary"] == {"percent": 10} and prod["apps"]["myApi"]["replicas"] == 10
    assert api["autoscaling"] == {"enabled": False, "minReplicas": 10, "maxReplicas": 20,
                                  "targetCPUUtilizationPercentage": 70}
    # template syntax in the specs' data stays data
    assert api["env"]["TMPL"] == "{{ not a template }}"
    assert '"{{ "{{" }} not a template }}"' not in (chart / "templates" / "my-api.yaml").read_text()


# ---------------------------------------------------------------------- shapes no backend emits yet

def _thing(kind: str, name: str, **fields) -> dict:
    return {"apiVersion": "example.com/v1", "kind": kind, "metadata": {"name": name, "namespace": "ns"}, **fields}


SHAPES = {
    "dev": {"a.yaml": [
        _thing("Thing", "a", spec={
            "replicas": 1, "x": 1, "mixed": "1", "nul": None, "emptyish": {}, "lst": [],
            "items": [{"name": "p", "v": 1}, {"name": "q", "v": 2}], "plain": [{"k": 1}, {"k": 2}],
            "only_dev": {"deep": {"x": [1, 2]}}, "blk": "line1\nline2\n\n", "tmpl": "{{ x }}", "{{k}}": "v",
            "conf": "a: b\n  c\n",
            "containers": [{"name": "a", "image": "r/a:1", "env": [{"name": "A", "value": "1"}]}]}),
        _thing("Other", "a-extra", data={"k": "v"})],
        "thing.c.yaml": [_thing("Thing", "c", data={"x": "1"})]},
    "qa": {"a.yaml": [
        _thing("Thing", "a", spec={
            "replicas": None, "x": "1", "mixed": 1, "nul": 3, "emptyish": {"a": 1}, "lst": [1],
            "items": [{"name": "q", "v": 2}, {"name": "p", "v": 1}], "plain": [{"k": 1}],
            "blk": "line1\nline2\n\n", "tmpl": "{{ x }}", "{{k}}": "w", "conf": "a: b\n  c\n",
            "containers": [{"name": "a", "image": "r/a@sha256:abc", "env": [{"name": "B", "value": None}]}]})],
        "thing.c.yaml": [_thing("Thing", "c", data={"x": "2"})]},
    "prod": {"a.yaml": [
        _thing("Thing", "a", spec={
            "replicas": 3, "x": True, "mixed": [1], "nul": None, "emptyish": {}, "lst": [],
            "items": [{"name": "p", "v": 5}], "plain": [{"k": 1}, {"k": 3}], "extra": "yes", "blk": "x\n\n",
            "tmpl": "{{ y }}", "{{k}}": "v", "conf": "a: b\n  d\n",
            "containers": [{"name": "a", "image": "localhost:5000/r/a", "resources": {},
                            "env": [{"name": "A", "value": "true"}, {"name": "C", "valueFrom": {"x": 1}}]},
                           {"name": "side", "image": "s:1"}]}),
        _thing("Other", "a-extra", data={"k": "v2"})]},
}


def test_any_object_shape_round_trips(monkeypatch, tmp_path):
    """The chart is built from whatever the Kubernetes backend emits: types that change
    between environments, nulls, maps empty in some environments, named lists reordered,
    keys and objects some environments lack, `{{` in keys and values, block strings with
    trailing blank lines."""
    irs = {env: IR(project="shapes", namespace="ns", env=env) for env in SHAPES}
    monkeypatch.setattr(kubernetes, "files", lambda ir: SHAPES[ir.env])
    monkeypatch.setattr(kubernetes, "render", lambda irs: {
        f"{e}/{f}": "---\n".join(yaml.safe_dump(o) for o in objs) for e, ir in irs.items()
        for f, objs in SHAPES[ir.env].items()})
    assert_chart_is_the_kubernetes_output(irs, tmp_path, validate=False)
