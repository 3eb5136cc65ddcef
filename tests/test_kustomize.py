"""The kustomize backend, proven with the real tool: for every environment and target of the
shop and of the test projects, `kubectl kustomize overlays/<env>` gives exactly the Kubernetes
backend's objects; the base is exactly the base environment; objects only some environments
have come from Components; overlays hold strategic-merge patches by name with only what
changes, and the namespace, labels, replicas and images transformers where they are exact.
"""

from __future__ import annotations

import json
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, PROJECT, ROOT, write_tree
from skyspec.backends import kubernetes, kustomize
from skyspec.pipeline import Session, render
from skyspec.yamlemit import dump_all
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
# environments without a built-in profile (dev, qa and prod have one: labels, resources...)
PLAIN = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  staging: {}
  live: {overlays: [overlays/prod.yaml]}
"""
KUST = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}


# ---------------------------------------------------------------------- helpers

def compile_irs(project_file: Path, envs=None) -> dict:
    s = Session(project_file)
    compiled = s.compile_all(envs)
    assert not s.diags.errors, [str(d) for d in s.diags.errors]
    return {name: c.ir for name, c in compiled.items()}


def render_project(project_file: Path, envs=None) -> tuple[dict, dict[str, str]]:
    """The IRs and the kustomize files, rendered as `skyspec build` does (with `base:`)."""
    s = Session(project_file)
    compiled = s.compile_all(envs)
    assert not s.diags.errors, [str(d) for d in s.diags.errors]
    files = render(compiled, ["kustomize"], base=s.project.base)
    return {k: c.ir for k, c in compiled.items()}, dict(files)


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
                                     validate: bool = True, base: str | None = None) -> Path:
    """Render, write, and check every overlay against the Kubernetes backend, object by object,
    and the base against the base environment."""
    files = kustomize.render(irs, base=base) if files is None else files
    root = write(files, tmp / "out")
    base = base if base in irs else next(iter(irs))
    assert by_id(build(root / "base")) == by_id(kubernetes.objects(irs[base]))
    for env, ir in irs.items():
        got = build(root / "overlays" / env)
        assert by_id(got) == by_id(kubernetes.objects(ir)), env
        if validate:
            assert_valid_k8s(got)
    return root


def kust(files: dict[str, str], env: str | None = None) -> dict:
    where = "base" if env is None else f"overlays/{env}"
    return yaml.safe_load(files[f"kustomize/{where}/kustomization.yaml"])


def patch_docs(files: dict[str, str], env: str) -> dict[tuple, dict]:
    """The overlay's strategic-merge patches by (kind, name[, namespace])."""
    out = {}
    for p in kust(files, env).get("patches", []):
        if "path" in p:
            doc = yaml.safe_load(files[f"kustomize/overlays/{env}/{p['path']}"])
            key = (doc["kind"], doc["metadata"]["name"])
            out[key + (doc["metadata"]["namespace"],) if key in out else key] = doc
    return out


def json_ops(files: dict[str, str], env: str) -> list[dict]:
    return [op for p in kust(files, env).get("patches", []) if "patch" in p for op in yaml.safe_load(p["patch"])]


def container(doc: dict, name: str | None = None) -> dict:
    cs = doc["spec"]["template"]["spec"]["containers"]
    return cs[0] if name is None else next(c for c in cs if c["name"] == name)


# ---------------------------------------------------------------------- the shop and the test projects

def _shop(tmp: Path) -> Path:
    return EXAMPLES / "shop" / "skyspec.yaml"


def _corpus(tmp: Path) -> Path:
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from gen_corpus import generate

    return generate(12, tmp / "corpus") / "skyspec.yaml"


def _written(files: dict[str, str], project: str = PROJECT):
    def make(tmp: Path) -> Path:
        return write_tree(tmp / "proj", {"skyspec.yaml": project, "overlays/prod.yaml": "{}\n", **files}) / "skyspec.yaml"
    return make


def _stdlib(tmp: Path) -> Path:
    from test_stdlib import ALL

    return _written({"apps/all.yaml": ALL})(tmp)


def _celery(tmp: Path) -> Path:
    from test_celery import files

    return _written(files())(tmp)


def _quota(tmp: Path) -> Path:
    from test_quota import APPS, PROJECT as QUOTA

    return _written(APPS, QUOTA.replace("dev: {{}}", "dev: {{quota: {{cpu: '1'}}}}").format(quota="{cpu: '4', pods: 9}"))(tmp)


def _targets(tmp: Path) -> Path:
    from test_targets import APPS, PROJECT as TARGETS

    return _written({"apps/a.yaml": APPS, "overlays/edge.yaml": "apps:\n  web: {replicas: 7}\n"}, TARGETS)(tmp)


def _strategies(tmp: Path) -> Path:
    """Blue-green in prod, a canary in qa (test_helm_release.py)."""
    from test_helm_release import STRATEGIES, STRATEGIES_PROJECT

    return _written(STRATEGIES, STRATEGIES_PROJECT)(tmp)


def _many(tmp: Path) -> Path:
    """Many kinds, a namespace per environment, a canary in prod (test_helm.py)."""
    from test_helm import SINK, SINK_PROJECT

    return _written(SINK, SINK_PROJECT)(tmp)


PROJECTS = {"shop": (_shop, None), "shop --env prod": (_shop, ["prod"]), "corpus": (_corpus, None),
            "stdlib": (_stdlib, None), "celery": (_celery, None), "quota": (_quota, None),
            "targets": (_targets, None), "strategies": (_strategies, None), "many kinds": (_many, None)}


def _headless(text: str) -> str:
    """A generated file without its "generated by skyspec" header line (added after rendering)."""
    return text.split("\n", 1)[1] if text.startswith("# generated by skyspec from ") else text


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_overlay_builds_to_the_kubernetes_output(name, tmp_path):
    make, envs = PROJECTS[name]
    project = make(tmp_path)
    irs, files = render_project(project, envs)
    base = Session(project).project.base if envs is None else envs[0]
    assert_overlays_equal_kubernetes(irs, tmp_path, files, base=base)
    # the base is the base environment's files, unchanged
    assert {rel.removeprefix("kustomize/base/"): _headless(text) for rel, text in files.items()
            if rel.startswith("kustomize/base/") and not rel.endswith("/kustomization.yaml")} == \
        {f: dump_all(objs) for f, objs in kubernetes.files(irs[base]).items()}
    # no JSON 6902 patch anywhere, the base environment's overlay is the base itself
    for env in irs:
        assert json_ops(files, env) == [], env
    assert kust(files, base) == {**KUST, "resources": ["../../base"]}
    # every component is included by some overlay
    included = {c for env in irs for c in kust(files, env).get("components", [])}
    comps = {rel.split("/")[2] for rel in files if rel.startswith("kustomize/components/")}
    assert included == {f"../../components/{c}" for c in comps}


def test_shop_tree(tmp_path):
    irs, files = render_project(EXAMPLES / "shop" / "skyspec.yaml")
    assert list(irs) == ["dev", "qa", "prod", "prod.eu-west"]
    # the base is dev (the first declared): dev's overlay is the base, and its host name
    base = [o for f in kust(files)["resources"] for o in yaml.safe_load_all(files[f"kustomize/base/{f}"])]
    ingress = next(o for o in base if o["kind"] == "Ingress")
    assert ingress["spec"]["rules"][0]["host"] == "shop.dev.example.com"
    assert {o["metadata"]["labels"].get("skyspec.dev/env") for o in base} == {"dev", None}
    # prod's PodDisruptionBudgets and ExternalSecret come from Components, not from copies
    prod = kust(files, "prod")
    assert prod["resources"] == ["../../base"]
    assert prod["components"] == ["../../components/api", "../../components/externalsecret.shop-db",
                                  "../../components/web", "../../components/worker"]
    component = yaml.safe_load(files["kustomize/components/api/kustomization.yaml"])
    assert component == {"apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component",
                         "resources": ["api.yaml"]}
    assert [o["kind"] for o in yaml.safe_load_all(files["kustomize/components/api/api.yaml"])] == ["PodDisruptionBudget"]
    assert not any(kind == "PodDisruptionBudget" for env in irs for kind, *_ in patch_docs(files, env))
    assert not any(rel.startswith("kustomize/overlays/") and "\nkind: PodDisruptionBudget" in "\n" + text
                   for rel, text in files.items())
    # the target is prod plus its own changes; it drops the reports prod runs
    eu = kust(files, "prod.eu-west")
    assert eu["resources"] == ["../prod"] and "components" not in eu
    docs = patch_docs(files, "prod.eu-west")
    assert docs[("CronJob", "nightly-report")] == {
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly-report", "namespace": "shop"},
        "$patch": "delete"}
    assert container(docs[("Deployment", "web")])["env"] == [
        {"name": "API_URL"}, {"name": "PUBLIC_URL", "value": "https://eu.shop.example.com"}]
    # replica counts go through `replicas:`, never a patch
    assert prod["replicas"] == [{"name": "api", "count": 5}, {"name": "web", "count": 4}, {"name": "worker", "count": 3}]
    for env in irs:
        assert not any("replicas" in doc.get("spec", {}) for doc in patch_docs(files, env).values())
    # a patch holds only what changes: db in prod differs by the prod secret's checksum, and
    # the LOG_LEVEL dev adds everywhere
    db = patch_docs(files, "prod")[("StatefulSet", "db")]
    checksum = db["spec"]["template"]["metadata"]["annotations"]["checksum.skyspec.dev/secret.shop-db"]
    assert db == {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop"},
                  "spec": {"template": {
                      "metadata": {"annotations": {"checksum.skyspec.dev/secret.shop-db": checksum}},
                      "spec": {"containers": [{"name": "db", "env": [{"name": "LOG_LEVEL", "$patch": "delete"}]}]}}}}
    # env vars are merged by name: prod sets api's LOG_LEVEL and WORKERS (that dev drops), and
    # deletes the LOG_LEVEL dev gives web
    api = container(patch_docs(files, "prod")[("Deployment", "api")])
    assert api["env"] == [{"name": "LOG_LEVEL", "value": "warn"}, {"name": "WORKERS", "value": "4"}]
    web = container(patch_docs(files, "prod")[("Deployment", "web")])
    assert {"name": "LOG_LEVEL", "$patch": "delete"} in web["env"]
    assert_overlays_equal_kubernetes(irs, tmp_path, files, base="dev")


def test_environment_label_is_set_once_per_overlay():
    """The profiles label every object of a spec with skyspec.dev/env, but not the objects
    skyspec adds (NetworkPolicies, ConfigMaps, ExternalSecrets): a LabelTransformer limited
    to the kinds that carry it sets it, instead of a patch per object."""
    irs, files = render_project(EXAMPLES / "shop" / "skyspec.yaml")
    for env in ("qa", "prod"):
        k = kust(files, env)
        [config] = [yaml.safe_load(t) for t in k["transformers"]]
        assert config["kind"] == "LabelTransformer" and config["labels"] == {"skyspec.dev/env": env}
        specs = {(s["kind"], s["path"]) for s in config["fieldSpecs"]}
        assert ("Deployment", "spec/template/metadata/labels") in specs
        assert ("CronJob", "spec/jobTemplate/spec/template/metadata/labels") in specs
        assert not {kind for kind, _ in specs} & {"NetworkPolicy", "ConfigMap"}
        assert not any("skyspec.dev/env" in json.dumps(doc) for doc in patch_docs(files, env).values())
    # the target adds its region label the same way
    [config] = [yaml.safe_load(t) for t in kust(files, "prod.eu-west")["transformers"]]
    assert config["labels"] == {"region": "eu-west"}


def test_labels_field_when_every_object_has_the_label(monkeypatch, tmp_path):
    def objs(env):
        labels = {"env": env, "team": "shop"}
        return {"web.yaml": [_deploy("web", 1, "ghcr.io/acme/web:1", labels),
                             {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a", "labels": labels},
                              "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}],
                "cm.yaml": [{**_cm("web", "a", {"x": "1"}), "metadata": {"name": "web", "namespace": "a", "labels": labels}}]}

    monkeypatch.setattr(kubernetes, "files", lambda ir: objs(ir.env))
    irs = {"dev": FakeIR("dev"), "prod": FakeIR("prod")}
    files = kustomize.render(irs)
    assert kust(files, "prod") == {**KUST, "resources": ["../../base"],
                                   "labels": [{"pairs": {"env": "prod"}, "includeTemplates": True}]}
    assert_overlays_equal_kubernetes(irs, tmp_path, files)


def test_a_label_on_a_statefulsets_claims_is_set_where_kustomize_finds_it(monkeypatch, tmp_path):
    """nats' chart with every part on (prod) labels its StatefulSet and its claim template, not
    its Service: the overlay's label transformer named the claims' labels
    `spec/volumeClaimTemplates/[]/metadata/labels`, a field of an empty name that kubectl
    kustomize refuses; Kustomize's spelling is `spec/volumeClaimTemplates[]/metadata/labels`."""
    def objs(env):
        extra = {"tier": "gold"} if env == "prod" else {}
        sts = _sts("db", 1, "registry.local:5000/db:1")
        sts["metadata"]["labels"] = {"app": "db", **extra}
        sts["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "data", "labels": {"app": "db", **extra}},
                                                "spec": {"accessModes": ["ReadWriteOnce"],
                                                         "resources": {"requests": {"storage": "1Gi"}}}}]
        svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "a",
                                                                    "labels": {"app": "db"}},
               "spec": {"selector": {"app": "db"}, "ports": [{"port": 5432}]}}
        cm = {**_cm("db", "a", {"x": "1"}), "metadata": {"name": "db", "namespace": "a", "labels": {"app": "db", **extra}}}
        return {"db.yaml": [sts, svc], "cm.yaml": [cm]}

    monkeypatch.setattr(kubernetes, "files", lambda ir: objs(ir.env))
    irs = {"dev": FakeIR("dev"), "prod": FakeIR("prod")}
    files = kustomize.render(irs)
    paths = [spec["path"] for t in kust(files, "prod").get("transformers", []) for spec in yaml.safe_load(t)["fieldSpecs"]]
    assert "spec/volumeClaimTemplates[]/metadata/labels" in paths, kust(files, "prod")
    assert_overlays_equal_kubernetes(irs, tmp_path, files, validate=False)


def test_render_is_deterministic():
    a = kustomize.render(compile_irs(EXAMPLES / "shop" / "skyspec.yaml"))
    b = kustomize.render(compile_irs(EXAMPLES / "shop" / "skyspec.yaml"))
    assert a == b


def test_output_does_not_depend_on_the_order_of_env_flags(make_project):
    root = make_project({"apps/web.yaml": "kind: App\nname: web\nimage: ghcr.io/acme/web:1.0\nport: 80\n",
                         "overlays/prod.yaml": "apps: {web: {replicas: 3}}\n"})
    _, a = render_project(root / "skyspec.yaml", ["prod", "dev"])
    _, b = render_project(root / "skyspec.yaml", ["dev", "prod"])
    assert a == b and kust(a, "dev") == {**KUST, "resources": ["../../base"]}


def test_the_project_chooses_the_base(make_project, tmp_path):
    root = make_project({"apps/web.yaml": "kind: App\nname: web\nimage: ghcr.io/acme/web:1.0\nport: 80\n",
                         "overlays/prod.yaml": "apps: {web: {replicas: 3, expose: {host: web.example.com}}}\n"},
                        project=PROJECT + "base: prod\n")
    irs, files = render_project(root / "skyspec.yaml")
    assert kust(files, "prod") == {**KUST, "resources": ["../../base"]}
    base = [o for f in kust(files)["resources"] for o in yaml.safe_load_all(files[f"kustomize/base/{f}"])]
    assert {o["kind"] for o in base} >= {"Service", "Ingress"}
    # dev lacks prod's Service and Ingress: its overlay deletes them
    deleted = {k for k, doc in patch_docs(files, "dev").items() if doc.get("$patch") == "delete"}
    assert deleted == {("Service", "web"), ("Ingress", "web"), ("PodDisruptionBudget", "web")}
    assert kust(files, "dev")["replicas"] == [{"name": "web", "count": 1}]
    assert_overlays_equal_kubernetes(irs, tmp_path, files, base="prod")


def test_single_environment_is_all_base(tmp_path):
    irs = {"prod": compile_irs(EXAMPLES / "shop" / "skyspec.yaml", ["prod"])["prod"]}
    files = kustomize.render(irs)
    assert sorted(files) == sorted([f"kustomize/base/{f}" for f in kubernetes.files(irs["prod"])]
                                   + ["kustomize/base/kustomization.yaml", "kustomize/overlays/prod/kustomization.yaml"])
    assert kust(files, "prod") == {**KUST, "resources": ["../../base"]}
    assert_overlays_equal_kubernetes(irs, tmp_path, files)


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
        assert kust(files, env) == {**KUST, "resources": ["../../base"]}
    assert_overlays_equal_kubernetes(irs, tmp_path, files)


# ---------------------------------------------------------------------- objects some environments have

WEB = """
    kind: App
    name: web
    image: ghcr.io/acme/web:1.0
    port: 8080
    """


def test_object_only_in_prod_comes_from_a_component(make_project, tmp_path):
    root = make_project({"apps/web.yaml": WEB,
                         "overlays/prod.yaml": "apps:\n  web:\n    expose: {host: web.example.com, tls: true}\n"})
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    out = assert_overlays_equal_kubernetes(irs, tmp_path, files)
    assert {o["kind"] for o in build(out / "base")} == {"Deployment", "NetworkPolicy"}  # harden adds policies
    assert kust(files, "prod")["components"] == ["../../components/web"]
    assert {o["kind"] for o in yaml.safe_load_all(files["kustomize/components/web/web.yaml"])} == {"Service", "Ingress"}
    assert kust(files, "dev") == {**KUST, "resources": ["../../base"]}
    assert not [rel for rel in files if rel.startswith("kustomize/overlays/prod/") and "Service" in files[rel]]


def test_component_shared_by_two_overlays_holds_their_most_common_version(make_project, tmp_path):
    root = make_project({
        "apps/web.yaml": WEB,
        "overlays/dev.yaml": "{}\n",
        "overlays/qa.yaml": "apps:\n  web:\n    expose: {host: web.example.com}\n",
        "overlays/prod.yaml": "apps:\n  web:\n    expose: {host: web.example.com}\n",
        "overlays/edge.yaml": "apps:\n  web:\n    expose: {host: edge.example.com}\n",
    }, project=ENVS3 + "  edge: {overlays: [overlays/edge.yaml]}\n")
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    for env in ("qa", "prod", "edge"):
        assert kust(files, env)["components"] == ["../../components/web"]
    ingress = [o for o in yaml.safe_load_all(files["kustomize/components/web/web.yaml"]) if o["kind"] == "Ingress"][0]
    assert ingress["spec"]["rules"][0]["host"] == "web.example.com"
    assert ("Ingress", "web") not in patch_docs(files, "prod")
    assert patch_docs(files, "edge")[("Ingress", "web")]["spec"]["rules"][0]["host"] == "edge.example.com"


def test_target_builds_on_its_environment(make_project, tmp_path):
    from test_targets import APPS, PROJECT as TARGETS

    root = make_project({"apps/a.yaml": APPS, "overlays/edge.yaml": "apps:\n  web: {replicas: 7}\n"}, project=TARGETS)
    irs, files = render_project(root / "skyspec.yaml")
    edge = kust(files, "prod.edge")
    # prod.edge is prod's web alone, in its own namespace, with 7 replicas
    assert edge["resources"] == ["../prod"]
    assert edge["namespace"] == "demo-edge"
    assert edge["replicas"] == [{"name": "web", "count": 7}]
    deleted = {k for k, doc in patch_docs(files, "prod.edge").items() if doc.get("$patch") == "delete"}
    assert ("Deployment", "batch") in deleted
    assert_overlays_equal_kubernetes(irs, tmp_path, files)


# ---------------------------------------------------------------------- images

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
    "apps/api.yaml": f"""
        kind: App
        name: api
        image: ghcr.io/acme/api:3.1@sha256:{"a" * 64}
        port: 8080
        """,
    "overlays/dev.yaml": "{}\n",
    # qa: the digest-pinned api moves to a new tag and digest
    "overlays/qa.yaml": f"""
        apps:
          api: {{image: "ghcr.io/acme/api:3.2@sha256:{"b" * 64}"}}
        """,
    # staging: both users of the shared repository move to the same tag; api drops its digest
    "overlays/staging.yaml": """
        apps:
          web: {image: "ghcr.io/acme/shop:1.1"}
          worker: {image: "ghcr.io/acme/shop:1.1"}
          api: {image: "ghcr.io/acme/api:3.3"}
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


def image_patches(files: dict[str, str], env: str) -> dict[str, str]:
    return {k[1]: c["image"] for k, doc in patch_docs(files, env).items() if k[0] == "Deployment"
            for c in doc.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []) if "image" in c}


def test_digest_pinned_image_changed_in_one_environment_uses_images(images_project):
    assert kust(images_project, "qa")["images"] == [{"name": "ghcr.io/acme/api", "newTag": "3.2", "digest": "sha256:" + "b" * 64}]
    assert image_patches(images_project, "qa") == {}
    assert "images" not in kust(images_project, "dev")


def test_image_tag_per_environment_uses_images(images_project):
    # one entry moves both apps of the shared repository; a new tag alone drops the digest
    assert kust(images_project, "staging")["images"] == [{"name": "ghcr.io/acme/api", "newTag": "3.3"},
                                                         {"name": "ghcr.io/acme/shop", "newTag": "1.1"}]
    assert image_patches(images_project, "staging") == {}


def test_shared_repository_changed_for_one_app_only_uses_a_patch(images_project):
    assert "images" not in kust(images_project, "prod")   # would also rewrite worker's ghcr.io/acme/shop:1.0
    assert image_patches(images_project, "prod") == {"web": "ghcr.io/acme/shop:2.0"}


def test_shared_repository_with_two_tags_in_one_env_uses_patches(images_project):
    assert "images" not in kust(images_project, "edge")
    assert image_patches(images_project, "edge") == {"web": "ghcr.io/acme/shop:2.1", "worker": "ghcr.io/acme/shop:1.5"}


# ---------------------------------------------------------------------- replicas, lists, namespaces

def test_replicas_differing_use_the_replicas_field(make_project, tmp_path):
    root = make_project({
        "apps/web.yaml": "kind: App\nname: web\nimage: ghcr.io/acme/web:1.0\nreplicas: 2\n",
        "overlays/prod.yaml": "apps: {web: {replicas: 6}}\n",
    })
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    assert kust(files, "prod")["replicas"] == [{"name": "web", "count": 6}]
    assert not any("replicas" in doc.get("spec", {}) for doc in patch_docs(files, "prod").values())


ENV_APP = """
    kind: App
    name: web
    image: ghcr.io/acme/web:1.0
    env: {A: "1", B: "2", C: "3"}
    """


@pytest.mark.parametrize("overlay, env", [
    # added at the end: Kustomize puts a patch's items first, so the patch names (key only) the
    # items that must stay ahead of the new one
    ('{FEATURE: "on"}', [{"name": "A"}, {"name": "B"}, {"name": "C"}, {"name": "FEATURE", "value": "on"}]),
    # changed in the middle: C keeps its place after B unnamed
    ('{B: "20"}', [{"name": "A"}, {"name": "B", "value": "20"}]),
    # changed first: only that item
    ('{A: "10"}', [{"name": "A", "value": "10"}]),
])
def test_env_vars_are_merged_by_name(make_project, tmp_path, overlay, env):
    root = make_project({"apps/web.yaml": ENV_APP, "overlays/prod.yaml": f"apps: {{web: {{env: {overlay}}}}}\n"}, project=PLAIN)
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    doc = patch_docs(files, "live")[("Deployment", "web")]
    assert doc == {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "demo"},
                   "spec": {"template": {"spec": {"containers": [{"name": "web", "env": env}]}}}}


def test_env_var_removed_is_a_delete_directive(make_project, tmp_path):
    root = make_project({"apps/web.yaml": ENV_APP, "overlays/prod.yaml": "apps: {web: {env-: [B]}}\n"}, project=PLAIN)
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    assert container(patch_docs(files, "live")[("Deployment", "web")])["env"] == [{"name": "B", "$patch": "delete"}]


def test_label_key_with_a_slash(make_project, tmp_path):
    root = make_project({
        "apps/web.yaml": "kind: App\nname: web\nimage: ghcr.io/acme/web:1.0\nlabels: {example.com/team: shop}\n",
        "overlays/prod.yaml": "all: {labels: {example.com/team: payments, example.com/tier: gold}}\n",
    }, project=PLAIN)
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    assert kust(files, "staging") == {**KUST, "resources": ["../../base"]}
    # one object (the Deployment) carries the labels: a patch, not a transformer
    doc = patch_docs(files, "live")[("Deployment", "web")]
    for where in (doc["metadata"], doc["spec"]["template"]["metadata"]):
        assert where["labels"] == {"example.com/team": "payments", "example.com/tier": "gold"}


def test_a_removed_key_is_null(make_project, tmp_path):
    root = make_project({
        "apps/web.yaml": "kind: App\nname: web\nimage: ghcr.io/acme/web:1.0\nlabels: {team: shop, tier: gold}\n",
        "overlays/prod.yaml": "apps: {web: {labels-: [tier]}}\n",
    }, project=PLAIN)
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    doc = patch_docs(files, "live")[("Deployment", "web")]
    assert doc["metadata"]["labels"] == {"tier": None} and "tier: null" in files["kustomize/overlays/live/deployment-web.yaml"]

def test_a_list_that_is_not_merged_is_replaced(make_project, tmp_path):
    root = make_project({
        "apps/worker.yaml": """
            kind: App
            name: worker
            image: ghcr.io/acme/worker:1.0
            command: [python, -m, worker]
            args: [--queue, orders, --threads, "4", --verbose]
            """,
        "overlays/prod.yaml": "apps: {worker: {args!: [--queue, priority, --threads, \"4\", --verbose]}}\n",
    }, project=PLAIN)
    irs = compile_irs(root / "skyspec.yaml")
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    assert container(patch_docs(files, "live")[("Deployment", "worker")]) == {
        "name": "worker", "args": ["--queue", "priority", "--threads", "4", "--verbose"]}


def test_namespace_per_environment_uses_namespace(make_project, tmp_path):
    root = make_project({"apps/web.yaml": textwrap.dedent(WEB) + "expose: true\n"}, project="""
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
    assert kust(files, "prod")["namespace"] == "demo-prod"
    assert json_ops(files, "prod") == []



def test_shop_with_a_namespace_per_environment_uses_namespace(tmp_path):
    """The namespace transformer moves custom resources too (the ExternalSecret): every
    overlay but the base says its namespace once."""
    import shutil

    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    project = tmp_path / "shop" / "skyspec.yaml"
    text = project.read_text()
    for env in ("dev", "qa", "prod"):
        text = text.replace(f"{env}:".ljust(6) + "{overlays", f"{env}:".ljust(6) + f"{{namespace: shop-{env}, overlays")
    project.write_text(text)
    irs, files = render_project(project)
    assert {ir.namespace for ir in irs.values()} == {"shop-dev", "shop-qa", "shop-prod"}
    assert kust(files, "qa")["namespace"] == "shop-qa" and kust(files, "prod")["namespace"] == "shop-prod"
    assert "namespace" not in kust(files, "prod.eu-west")          # prod's already
    for env in irs:
        assert json_ops(files, env) == []
    assert_overlays_equal_kubernetes(irs, tmp_path, files)


def test_namespace_transformer_and_bindings(monkeypatch, tmp_path):
    """Kustomize sets the namespace of a binding's subjects named "default" only: the others
    change through the patch, and cluster-scoped objects stay as they are."""
    def objs(ns):
        binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                   "metadata": {"name": "read", "namespace": ns},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "read"},
                   "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": ns},
                                {"kind": "ServiceAccount", "name": "web", "namespace": ns}]}
        cluster = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                   "metadata": {"name": f"view-{ns}"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
                   "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": ns}]}
        secret = {"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret",
                  "metadata": {"name": "db", "namespace": ns}, "spec": {"refreshInterval": "1h"}}
        return {"rbac.yaml": [binding, cluster], "db.yaml": [secret, _cm("db", ns, {"x": "1"})]}

    monkeypatch.setattr(kubernetes, "files", lambda ir: objs(f"demo-{ir.env}"))
    irs = {"dev": FakeIR("dev"), "prod": FakeIR("prod")}
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files, validate=False)   # a partial ExternalSecret
    k = kust(files, "prod")
    assert k["namespace"] == "demo-prod" and json_ops(files, "prod") == []
    assert patch_docs(files, "prod")[("RoleBinding", "read")]["subjects"] == [
        {"kind": "ServiceAccount", "name": "default", "namespace": "demo-prod"},
        {"kind": "ServiceAccount", "name": "web", "namespace": "demo-prod"}]

def test_app_in_its_own_namespace_moves_by_the_one_json_patch_kustomize_needs(make_project, tmp_path):
    """Kustomize keeps an object's namespace through a strategic-merge patch, and `namespace:`
    would also move the app pinned to "batch": moving web alone takes a JSON 6902 patch."""
    jobs = "kind: App\nname: jobs\nnamespace: batch\nimage: ghcr.io/acme/jobs:1.0\n"
    root = make_project({"apps/web.yaml": textwrap.dedent(WEB) + "---\n" + jobs},
                        project="""
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
    assert "namespace" not in kust(files, "prod")
    ops = json_ops(files, "prod")
    assert ops and all(op == {"op": "replace", "path": "/metadata/namespace", "value": "demo-prod"} for op in ops)


# ---------------------------------------------------------------------- any kind

class FakeIR:
    def __init__(self, env, target=None):
        self.env, self.target = env, target


def _sts(name, replicas, image):
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": name, "namespace": "a"},
            "spec": {"replicas": replicas, "serviceName": name,
                     "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"initContainers": [{"name": "init", "image": image}],
                                           "containers": [{"name": "main", "image": image}]}}}}


def _deploy(name, replicas, image, labels=None):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "a", **({"labels": labels} if labels else {})},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name, **(labels or {})}},
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
    monkeypatch.setattr(kubernetes, "files", lambda ir: SYNTHETIC[ir.env])
    irs = {"dev": FakeIR("dev"), "prod": FakeIR("prod")}
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files)
    k = kust(files, "prod")
    # the cluster-scoped Namespace exists only in prod
    assert k["components"] == ["../../components/ns"]
    docs = patch_docs(files, "prod")
    # a patch names its object (no regular expression: "app.config" cannot select "appxconfig"),
    # and the namespace when a name repeats
    assert docs[("ConfigMap", "app.config")]["data"] == {"x": "2", "new/key~": "0755"}
    assert ("ConfigMap", "appxconfig") not in docs
    assert docs[("ConfigMap", "shared")]["metadata"] == {"name": "shared", "namespace": "b"}
    assert "replicas" not in k
    assert docs[("StatefulSet", "db")]["spec"] == {"replicas": 3}
    assert {i["name"]: i["newTag"] for i in k["images"]} == {"registry.local:5000/db": "2", "ghcr.io/acme/tool": "1.1"}
    assert json_ops(files, "prod") == []


def test_same_kind_and_name_in_two_groups(monkeypatch, tmp_path):
    """A patch names its object's apiVersion: a core Service and a Knative Service of the same
    name are told apart."""
    knative = {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a"},
               "spec": {"template": {"spec": {"containers": [{"image": "ghcr.io/acme/web:1"}]}}}}

    def core(port):
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a"},
                "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": port, "protocol": "TCP"}]}}

    objs = {"dev": {"web.yaml": [core(80), knative]}, "prod": {"web.yaml": [core(8080), knative]}}
    monkeypatch.setattr(kubernetes, "files", lambda ir: objs[ir.env])
    irs = {"dev": FakeIR("dev"), "prod": FakeIR("prod")}
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files, validate=False)   # no schema for knative
    [doc] = patch_docs(files, "prod").values()
    assert doc["apiVersion"] == "v1" and doc["spec"]["ports"] == [
        {"name": "http", "port": 8080, "protocol": "TCP"}, {"port": 80, "protocol": "TCP", "$patch": "delete"}]


def test_json_patch_only_where_no_strategic_merge_patch_is_exact(monkeypatch, tmp_path):
    """A value set to null cannot be said by a strategic-merge patch (null deletes): that
    object, and it alone, gets a JSON 6902 patch, whose target tells the core Service from
    a Knative one of the same name."""
    knative = {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a"},
               "spec": {"template": {"spec": {"containers": [{"image": "ghcr.io/acme/web:1"}]}}}}

    def core(cluster_ip):
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a"},
                "spec": {"selector": {"app": "web"}, "clusterIP": cluster_ip, "ports": [{"port": 80}]}}

    objs = {"dev": {"web.yaml": [core("10.0.0.1"), knative, _cm("c", "a", {"x": "1"})]},
            "prod": {"web.yaml": [core(None), knative, _cm("c", "a", {"x": "2"})]}}
    monkeypatch.setattr(kubernetes, "files", lambda ir: objs[ir.env])
    irs = {"dev": FakeIR("dev"), "prod": FakeIR("prod")}
    files = kustomize.render(irs)
    assert_overlays_equal_kubernetes(irs, tmp_path, files, validate=False)
    [patch] = [p for p in kust(files, "prod")["patches"] if "patch" in p]
    assert patch["target"] == {"group": "^$", "version": "v1", "kind": "Service", "name": "web", "namespace": "a"}
    assert yaml.safe_load(patch["patch"]) == [{"op": "replace", "path": "/spec/clusterIP", "value": None}]
    assert set(patch_docs(files, "prod")) == {("ConfigMap", "c")}


def test_a_name_set_by_a_k8s_patch_never_reaches_a_path(make_project):
    """`k8s:` patches may not rename an object (its name is skyspec's, and so are the file
    names made from it): a `metadata.name` in a patch is an error at its line."""
    root = make_project({"apps/web.yaml": WEB}, project=PLAIN)
    (root / "apps" / "web.yaml").write_text(textwrap.dedent(WEB) + "expose: true\nk8s:\n  Deployment: {metadata: {name: ../../../x/evil}}\n")
    s = Session(root / "skyspec.yaml")
    s.compile_all()
    assert [d.code for d in s.diags.errors] == ["SKY108"] and "is skyspec's" in s.diags.errors[0].message


@pytest.mark.parametrize("name,base", [("shop", "qa"), ("shop", "prod.eu-west"), ("corpus", None)])
def test_rendered_with_kubernetes_the_base_takes_its_texts(name, base, tmp_path):
    """With Kubernetes in the same lane (`build` of both, with Helm or at -j1), the base's
    files are the base environment's Kubernetes texts, taken as rendered: the same bytes as
    Kustomize alone dumps, for any base (a target's included)."""
    project = _shop(tmp_path) if name == "shop" else _corpus(tmp_path)
    irs = compile_irs(project)
    base = base or next(iter(irs))
    kube, files = kustomize.with_kubernetes(irs, irs, base)
    assert kube == kubernetes.render(irs)
    assert files == kustomize.render(irs, base=base)
    assert {f: t for f, t in files.items() if f.startswith("kustomize/base/") and f.endswith(".yaml")
            and not f.endswith("kustomization.yaml")} == {
        f"kustomize/base/{rel.rsplit('/', 1)[1]}": t for rel, t in kube.items() if rel.startswith(f"{base}/")}
    # a text it is given is what it writes: it is not dumped again
    some = next(rel.rsplit("/", 1)[1] for rel in kube if rel.startswith(f"{base}/"))
    assert kustomize.render(irs, base, {some: "given\n"})[f"kustomize/base/{some}"] == "given\n"
