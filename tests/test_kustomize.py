"""The kustomize backend, proven with the real tool: for every environment,
`kubectl kustomize overlays/<env>` gives exactly the Kubernetes backend's objects, the base
builds and validates on its own, and overlays hold only differences, each with the
narrowest mechanism that is exactly right (replicas, images, namespace, JSON 6902 patches).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES
from skyspec.backends import kubernetes, kustomize
from skyspec.pipeline import Session
from validators import assert_valid_k8s, kubectl

ENVS3 = """
project: demo
namespace: demo
specs: ["apps/*.yaml"]
environments:
  dev: {overlays: [overlays/dev.yaml]}
  qa: {overlays: [overlays/qa.yaml]}
  prod: {overlays: [overlays/prod.yaml]}
"""


# ---------------------------------------------------------------------- helpers

def compile_irs(project_file: Path, envs=None) -> dict:
    s = Session(project_file)
    compiled = s.compile_all(envs)
    assert not s.diags.errors, [str(d) for d in s.diags.errors]
    return {name: c.ir for name, c in compiled.items()}


def write(files: dict[str, str], dest: Path) -> Path:
    for rel, text in files.items():
        p = dest / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return dest / "kustomize"


def build(path: Path) -> list[dict]:
    r = kubectl("kustomize", str(path))
    assert r.returncode == 0, r.stderr
    return [d for d in yaml.safe_load_all(r.stdout) if d is not None]


def by_id(objs: list[dict]) -> dict[tuple, list[str]]:
    """The objects as a multiset keyed by (apiVersion, kind, namespace, name)."""
    out: dict[tuple, list[str]] = defaultdict(list)
    for o in objs:
        m = o.get("metadata") or {}
        out[(o.get("apiVersion"), o.get("kind"), m.get("namespace"), m.get("name"))].append(
            json.dumps(o, sort_keys=True))
    return {k: sorted(v) for k, v in out.items()}


def assert_overlays_equal_kubernetes(irs: dict, tmp: Path, files: dict[str, str] | None = None,
                                     validate: bool = True) -> Path:
    """Render, write, and check every overlay against the Kubernetes backend, object by object."""
    files = kustomize.render(irs) if files is None else files
    root = write(files, tmp / "out")
    base = build(root / "base")
    if validate and base:
        assert_valid_k8s(base)
    for env, ir in irs.items():
        got = build(root / "overlays" / env)
        want = kubernetes.objects(ir)
        got_ids, want_ids = by_id(got), by_id(want)
        assert got_ids.keys() == want_ids.keys(), env
        for k in want_ids:
            assert [json.loads(x) for x in got_ids[k]] == [json.loads(x) for x in want_ids[k]], (env, k)
        if validate:
            assert_valid_k8s(got)
    return root


def kust(files: dict[str, str], env: str | None = None) -> dict:
    where = "base" if env is None else f"overlays/{env}"
    return yaml.safe_load(files[f"kustomize/{where}/kustomization.yaml"])


def patches_for(k: dict, kind: str, name: str) -> list[dict]:
    """The JSON 6902 operations of the overlay's patch for one object ([] if none)."""
    ops = []
    for p in k.get("patches", []):
        t = p["target"]
        if t["kind"] == kind and t["name"].replace("\\.", ".") == name:
            ops += yaml.safe_load(p["patch"])
    return ops


def all_paths(k: dict) -> list[str]:
    return [op["path"] for p in k.get("patches", []) for op in yaml.safe_load(p["patch"])]


# ---------------------------------------------------------------------- the example

def test_shop_every_overlay_builds_to_the_kubernetes_output(tmp_path):
    irs = compile_irs(EXAMPLES / "shop" / "skyspec.yaml")
    assert {"dev", "qa", "prod"} <= set(irs)       # plus any target's output units (prod.eu-west)
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    # the base holds exactly the objects every environment has; each overlay's own files hold
    # exactly the other objects of its environment
    ids = {env: set(by_id(kubernetes.objects(ir))) for env, ir in irs.items()}
    shared = set.intersection(*ids.values())
    base = [o for f in kust(files)["resources"] for o in yaml.safe_load_all(files[f"kustomize/base/{f}"])]
    assert set(by_id(base)) == shared
    for env in irs:
        own = kust(files, env)["resources"]
        assert own[0] == "../../base"
        objs = [o for f in own[1:] for o in yaml.safe_load_all(files[f"kustomize/overlays/{env}/{f}"])]
        assert set(by_id(objs)) == ids[env] - shared
    # replica counts that differ from the base go through `replicas:`, never a patch
    base_replicas = {o["metadata"]["name"]: o["spec"]["replicas"] for o in base if o["kind"] == "Deployment"}
    for env, ir in irs.items():
        want = {o["metadata"]["name"]: o["spec"]["replicas"] for o in kubernetes.objects(ir)
                if o["kind"] == "Deployment" and o["spec"]["replicas"] != base_replicas[o["metadata"]["name"]]}
        assert {r["name"]: r["count"] for r in kust(files, env).get("replicas", [])} == want
        assert not any(p.endswith("/replicas") for p in all_paths(kust(files, env)))
    assert any(kust(files, env).get("replicas") for env in irs)
    # a label key with "/" is escaped per RFC 6901 (the profiles' skyspec.dev/env label)
    assert any("/metadata/labels/skyspec.dev~1env" in all_paths(kust(files, env)) for env in irs)


def test_render_is_deterministic():
    a = kustomize.render(compile_irs(EXAMPLES / "shop" / "skyspec.yaml"))
    b = kustomize.render(compile_irs(EXAMPLES / "shop" / "skyspec.yaml"))
    assert a == b
    assert kustomize.render(compile_irs(EXAMPLES / "shop" / "skyspec.yaml")) == a


def test_single_environment_is_all_base(tmp_path):
    irs = {"prod": compile_irs(EXAMPLES / "shop" / "skyspec.yaml", ["prod"])["prod"]}
    files = kustomize.render(irs)
    assert sorted(files) == sorted([f"kustomize/base/{f}" for f in kubernetes.files(irs["prod"])]
                                   + ["kustomize/base/kustomization.yaml", "kustomize/overlays/prod/kustomization.yaml"])
    assert kust(files, "prod") == {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                                   "resources": ["../../base"]}
    root = assert_overlays_equal_kubernetes(irs, tmp_path, files)
    assert by_id(build(root / "base")) == by_id(kubernetes.objects(irs["prod"]))


def test_identical_environments_have_empty_overlays(make_project, tmp_path):
    root = make_project({"apps/web.yaml": """
        kind: App
        name: web
        image: ghcr.io/acme/web:1.0
        port: 8080
        env: {MODE: fast}
        """}, project="""
        project: demo
        specs: ["apps/*.yaml"]
        environments:
          blue: {}
          green: {}
        """)
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    for env in ("blue", "green"):
        assert kust(files, env) == {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                                    "resources": ["../../base"]}
    assert_overlays_equal_kubernetes(irs, tmp_path, files)


# ---------------------------------------------------------------------- what differs, and how

def test_object_only_in_prod_goes_to_the_prod_overlay(make_project, tmp_path):
    root = make_project({
        "apps/web.yaml": """
            kind: App
            name: web
            image: ghcr.io/acme/web:1.0
            port: 8080
            """,
        "overlays/prod.yaml": """
            apps:
              web:
                expose: {host: web.example.com, tls: true}
            """,
    })
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    out = assert_overlays_equal_kubernetes(irs, tmp_path, files)
    assert {o["kind"] for o in build(out / "base")} == {"Deployment", "NetworkPolicy", "Namespace"}  # passes add these
    assert kust(files, "prod")["resources"] == ["../../base", "web.yaml"]
    assert {o["kind"] for o in yaml.safe_load_all(files["kustomize/overlays/prod/web.yaml"])} == {"Service", "Ingress"}
    assert kust(files, "dev")["resources"] == ["../../base"]
    assert "kustomize/overlays/dev/web.yaml" not in files


IMAGES = {
    "apps/web.yaml": """
        kind: App
        name: web
        image: ghcr.io/acme/shop:1.0
        port: 8080
        """,
    "apps/worker.yaml": """
        kind: App
        name: worker
        image: ghcr.io/acme/shop:1.0
        args: [--queue, orders]
        """,
    "apps/api.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:3.1
        port: 8080
        """,
    # the base is what most environments run: shop:1.0 for both apps, api:3.1
    "overlays/dev.yaml": "{}\n",
    # qa: one repository, one user, a new tag
    "overlays/qa.yaml": """
        apps:
          api: {image: "ghcr.io/acme/api:3.2"}
        """,
    # staging: both users of the shared repository move to the same tag
    "overlays/staging.yaml": """
        apps:
          web: {image: "ghcr.io/acme/shop:1.1"}
          worker: {image: "ghcr.io/acme/shop:1.1"}
        """,
    # prod: the images-transformer trap: only web moves, worker keeps the repository's old tag
    "overlays/prod.yaml": """
        apps:
          web: {image: "ghcr.io/acme/shop:2.0"}
        """,
    # edge: both move, to different tags
    "overlays/edge.yaml": """
        apps:
          web: {image: "ghcr.io/acme/shop:2.1"}
          worker: {image: "ghcr.io/acme/shop:1.5"}
        """,
}
ENVS5 = ENVS3 + "  staging: {overlays: [overlays/staging.yaml]}\n  edge: {overlays: [overlays/edge.yaml]}\n"


@pytest.fixture
def images_project(make_project, tmp_path):
    root = make_project(IMAGES, project=ENVS5)
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    return files


def test_image_tag_per_environment_uses_images(images_project):
    assert kust(images_project, "qa")["images"] == [{"name": "ghcr.io/acme/api", "newTag": "3.2"}]
    # one entry moves both apps of the shared repository when both want the same tag
    assert kust(images_project, "staging")["images"] == [{"name": "ghcr.io/acme/shop", "newTag": "1.1"}]
    for env in ("qa", "staging"):
        assert not any(p.endswith("/image") for p in all_paths(kust(images_project, env)))
    assert "images" not in kust(images_project, "dev")


def test_shared_repository_changed_for_one_app_only_uses_a_patch(images_project):
    prod = kust(images_project, "prod")
    assert "images" not in prod   # would also rewrite worker's ghcr.io/acme/shop:1.0
    assert {"op": "replace", "path": "/spec/template/spec/containers/0/image",
            "value": "ghcr.io/acme/shop:2.0"} in patches_for(prod, "Deployment", "web")
    assert not any(op["path"].endswith("/image") for op in patches_for(prod, "Deployment", "worker"))


def test_shared_repository_with_two_tags_in_one_env_uses_patches(images_project):
    edge = kust(images_project, "edge")
    assert "images" not in edge
    images = {name: [op["value"] for op in patches_for(edge, "Deployment", name) if op["path"].endswith("/image")]
              for name in ("web", "worker")}
    assert images == {"web": ["ghcr.io/acme/shop:2.1"], "worker": ["ghcr.io/acme/shop:1.5"]}


def test_replicas_differing_use_the_replicas_field(make_project, tmp_path):
    root = make_project({
        "apps/web.yaml": """
            kind: App
            name: web
            image: ghcr.io/acme/web:1.0
            replicas: 2
            """,
        "overlays/prod.yaml": "apps: {web: {replicas: 6}}\n",
    })
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    # two environments, every field a tie: the base takes the earlier one's (dev: 1 replica)
    assert "replicas" not in kust(files, "dev")
    assert kust(files, "prod")["replicas"] == [{"name": "web", "count": 6}]
    assert not any(p.endswith("/replicas") for env in irs for p in all_paths(kust(files, env)))


def test_env_var_added_in_one_environment(make_project, tmp_path):
    root = make_project({
        "apps/web.yaml": """
            kind: App
            name: web
            image: ghcr.io/acme/web:1.0
            env: {A: "1", B: "2"}
            """,
        "overlays/prod.yaml": "apps: {web: {env: {FEATURE: \"on\"}}}\n",
    }, project=ENVS3)
    (root / "overlays").mkdir(exist_ok=True)
    for env in ("dev", "qa"):
        (root / "overlays" / f"{env}.yaml").write_text("{}\n")
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    ops = patches_for(kust(files, "prod"), "Deployment", "web")
    added = [op for op in ops if op["op"] == "add" and "/containers/0/env/" in op["path"]]
    assert [op["value"] for op in added] == [{"name": "FEATURE", "value": "on"}]
    for env in ("dev", "qa"):
        assert not any("/env" in p for p in all_paths(kust(files, env)))


def test_label_key_with_a_slash_is_escaped(make_project, tmp_path):
    root = make_project({
        "apps/web.yaml": """
            kind: App
            name: web
            image: ghcr.io/acme/web:1.0
            labels: {example.com/team: shop}
            """,
        "overlays/prod.yaml": "all: {labels: {example.com/team: payments, example.com/tier: gold}}\n",
    })
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    assert kust(files, "dev") == {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                                  "resources": ["../../base"]}
    k = kust(files, "prod")
    paths = all_paths(k)
    assert "/metadata/labels/example.com~1team" in paths
    assert "/spec/template/metadata/labels/example.com~1team" in paths
    assert "/metadata/labels/example.com~1tier" in paths
    # a key on one side only is added or removed, never replaced
    ops = {op["path"]: op["op"] for p in k["patches"] for op in yaml.safe_load(p["patch"])}
    assert ops["/metadata/labels/example.com~1tier"] == "add"
    assert ops["/metadata/labels/example.com~1team"] == "replace"


def test_value_inside_a_list_is_patched_by_index(make_project, tmp_path):
    root = make_project({
        "apps/worker.yaml": """
            kind: App
            name: worker
            image: ghcr.io/acme/worker:1.0
            command: [python, -m, worker]
            args: [--queue, orders, --threads, "4", --verbose]
            """,
        "overlays/prod.yaml": "apps: {worker: {args!: [--queue, priority, --threads, \"4\", --verbose]}}\n",
    })
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    assert "patches" not in kust(files, "dev")
    ops = [op for op in patches_for(kust(files, "prod"), "Deployment", "worker") if "/args" in op["path"]]
    assert ops == [{"op": "replace", "path": "/spec/template/spec/containers/0/args/1", "value": "priority"}]


def test_namespace_per_environment_uses_namespace(make_project, tmp_path):
    root = make_project({
        "apps/web.yaml": """
            kind: App
            name: web
            image: ghcr.io/acme/web:1.0
            port: 8080
            expose: true
            """,
    }, project="""
        project: demo
        specs: ["apps/*.yaml"]
        network: {namespace: false}   # a Namespace object would be renamed by the transformer
        environments:
          dev: {namespace: demo-dev}
          prod: {namespace: demo-prod, overlays: [overlays/prod.yaml]}
        """)
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    assert {o["metadata"]["namespace"] for o in yaml.safe_load_all(files["kustomize/base/web.yaml"])} == {"demo-dev"}
    assert "namespace" not in kust(files, "dev")
    assert kust(files, "prod")["namespace"] == "demo-prod"
    assert not any("namespace" in p for env in irs for p in all_paths(kust(files, env)))


def test_app_in_its_own_namespace_gets_a_patch_not_the_transformer(make_project, tmp_path):
    root = make_project({
        "apps/web.yaml": """
            kind: App
            name: web
            image: ghcr.io/acme/web:1.0
            ---
            kind: App
            name: jobs
            namespace: batch
            image: ghcr.io/acme/jobs:1.0
            """,
    }, project="""
        project: demo
        specs: ["apps/*.yaml"]
        network: {namespace: false}   # a Namespace object would be renamed by the transformer
        environments:
          dev: {namespace: demo-dev}
          prod: {namespace: demo-prod, overlays: [overlays/prod.yaml]}
        """)
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    for env in irs:
        assert "namespace" not in kust(files, env)   # it would move "batch" too
    assert any(p == "/metadata/namespace" for env in irs for p in all_paths(kust(files, env)))


# ---------------------------------------------------------------------- any kind

def _sts(name, replicas, image):
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": name, "namespace": "a"},
            "spec": {"replicas": replicas, "serviceName": name,
                     "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"initContainers": [{"name": "init", "image": image}],
                                           "containers": [{"name": "main", "image": image}]}}}}


def _deploy(name, replicas, image):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "a"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "main", "image": image}]}}}}


def _cm(name, ns, data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": data}


def _cronjob(image):
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": "a"},
            "spec": {"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure", "containers": [{"name": "run", "image": image}]}}}}}}


SYNTHETIC = {
    "dev": {
        "db.yaml": [_sts("db", 1, "registry.local:5000/db:1"), _deploy("db", 1, "registry.local:5000/db:1")],
        "config.yaml": [_cm("app.config", "a", {"x": "1", "mode": "yes"}), _cm("appxconfig", "a", {"x": "1"}),
                        _cm("shared", "a", {"v": "1"}), _cm("shared", "b", {"v": "1"})],
        "nightly.yaml": [_cronjob("ghcr.io/acme/tool:1.0")],
    },
    "prod": {
        # db: the StatefulSet scales but the Deployment of the same name does not, so `replicas:`
        # (which selects by name) cannot be used; the image moves everywhere, so `images:` can
        "db.yaml": [_sts("db", 3, "registry.local:5000/db:2"), _deploy("db", 1, "registry.local:5000/db:2")],
        "config.yaml": [_cm("app.config", "a", {"x": "2", "mode": "yes", "new/key~": "0755"}),
                        _cm("appxconfig", "a", {"x": "1"}),
                        _cm("shared", "a", {"v": "1"}), _cm("shared", "b", {"v": "2"})],
        "nightly.yaml": [_cronjob("ghcr.io/acme/tool:1.1")],
        "ns.yaml": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}}],
    },
}


def test_any_kind_the_kubernetes_backend_emits(monkeypatch, tmp_path):
    class FakeIR:
        def __init__(self, env):
            self.env = env

    monkeypatch.setattr(kubernetes, "files", lambda ir: SYNTHETIC[ir.env])
    irs = {"dev": FakeIR("dev"), "prod": FakeIR("prod")}
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    assert kustomize.render(irs) == files
    # dev (the earlier environment) wins every tie: its overlay is empty
    assert kust(files, "dev")["resources"] == ["../../base"] and "patches" not in kust(files, "dev")
    # the cluster-scoped Namespace exists only in prod
    assert kust(files, "prod")["resources"] == ["../../base", "ns.yaml"]
    k = kust(files, "prod")
    targets = [p["target"] for p in k["patches"]]
    # a dotted name is escaped (targets are regular expressions: "app.config" would match "appxconfig")
    assert {"version": "v1", "kind": "ConfigMap", "name": "app\\.config"} in targets
    assert not any(t["name"] == "appxconfig" for t in targets)
    # the same kind and name in two namespaces: the target names the namespace
    assert {"version": "v1", "kind": "ConfigMap", "name": "shared", "namespace": "b"} in targets
    # keys with "/" and "~" are escaped per RFC 6901
    assert any(op["path"] == "/data/new~1key~0" for op in patches_for(k, "ConfigMap", "app.config"))
    assert "replicas" not in k
    assert any(op["path"] == "/spec/replicas" for op in patches_for(k, "StatefulSet", "db"))
    assert {i["name"] for i in k.get("images", [])} == {"registry.local:5000/db", "ghcr.io/acme/tool"}
    assert not any(p.endswith("/image") for p in all_paths(k))


def test_object_no_patch_target_can_single_out_leaves_the_base(monkeypatch, tmp_path):
    """A patch target without a group selects every group: a core Service and another group's
    Service of the same name cannot be told apart, so the one that differs goes to the overlays."""
    knative = {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a"},
               "spec": {"template": {"spec": {"containers": [{"image": "ghcr.io/acme/web:1"}]}}}}

    def core(port):
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a"},
                "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": port}]}}

    objs = {"dev": {"web.yaml": [core(80), knative]}, "prod": {"web.yaml": [core(8080), knative]}}

    class FakeIR:
        def __init__(self, env):
            self.env = env

    monkeypatch.setattr(kubernetes, "files", lambda ir: objs[ir.env])
    irs = {"dev": FakeIR("dev"), "prod": FakeIR("prod")}
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files, validate=False)   # no schema for knative
    assert [o["apiVersion"] for o in yaml.safe_load_all(files["kustomize/base/web.yaml"])] == ["serving.knative.dev/v1"]
    for env in irs:
        assert kust(files, env)["resources"] == ["../../base", "web.yaml"] and "patches" not in kust(files, env)
