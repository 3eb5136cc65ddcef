"""Write compiler/skyspec/ir/k8s-fields.json: the fields of the built-in Kubernetes kinds a
spec may make or patch, as skyspec checks `k8s:` patches and `kind: Resource` manifests
against them (:mod:`skyspec.ir.k8sfields`).

Read from the strict JSON Schemas that kubernetes-validate ships (a test dependency, pinned
in pyproject.toml), every version from FIRST on: a field any of them has is known, so a
field of a newer Kubernetes than the cluster's is not refused here (the cluster decides).

    python scripts/k8s-fields.py            # rewrite the file
    python scripts/k8s-fields.py --check    # exit 1 when the file differs (a test runs this)

The file maps `apiVersion/Kind` (`apps/v1/Deployment`, `v1/Service`) to a type name, and
each type name to its fields; a field is a type name, a scalar (`string`, `integer`,
`number`, `boolean`, `intstr`: an integer or a string, `quantity`: a number or a string,
`any`), `[]T` (a list of T) or `{}T` (a map of string keys to T).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

FIRST = (1, 27)
# the API groups of stable built-in kinds a project writes (CRDs and alpha/beta APIs are not
# checked: their schemas are the cluster's)
GROUPS = {"", "apps", "batch", "networking.k8s.io", "policy", "autoscaling", "rbac.authorization.k8s.io",
          "scheduling.k8s.io", "storage.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "node.k8s.io"}
STABLE = re.compile(r"^v\d+$")
SCALARS = {"io.k8s.apimachinery.pkg.util.intstr.IntOrString": "intstr",
           "io.k8s.apimachinery.pkg.api.resource.Quantity": "quantity",
           "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "string",
           "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "string",
           "io.k8s.apimachinery.pkg.runtime.RawExtension": "any",
           "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": "any"}
OUT = Path(__file__).resolve().parent.parent / "compiler" / "skyspec" / "ir" / "k8s-fields.json"


def short(ref: str) -> str:
    name = ref.rsplit("/", 1)[-1]
    for prefix in ("io.k8s.api.", "io.k8s.apimachinery.pkg.apis.", "io.k8s.apimachinery.pkg."):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


class Reader:
    def __init__(self, defs: dict):
        self.defs = defs
        self.types: dict[str, dict[str, str]] = {}

    def field(self, schema: dict, at: str) -> str:
        ref = schema.get("$ref")
        if ref:
            full = ref.rsplit("/", 1)[-1]
            if full in SCALARS:
                return SCALARS[full]
            self.type(full)
            return short(full)
        types = [t for t in (schema.get("type") or []) if t != "null"] if isinstance(schema.get("type"), list) \
            else [schema["type"]] if isinstance(schema.get("type"), str) else []
        if types == ["array"]:
            return "[]" + self.field(schema.get("items") or {}, at + "[]")
        if types == ["object"]:
            if "properties" in schema:
                self.read(at, schema)
                return at
            extra = schema.get("additionalProperties")
            return "{}" + self.field(extra, at + "{}") if isinstance(extra, dict) else "any"
        if len(types) == 1 and types[0] in ("string", "integer", "number", "boolean"):
            return types[0]
        return "any"

    def type(self, full: str) -> None:
        name = short(full)
        if name in self.types:
            return
        self.read(name, self.defs[full])

    def read(self, name: str, schema: dict) -> None:
        fields: dict[str, str] = {}
        self.types[name] = fields
        for key, sub in (schema.get("properties") or {}).items():
            fields[key] = self.field(sub, f"{name}.{key}")
        if not schema.get("properties"):
            self.types[name] = {"*": "any"}  # an object of no declared fields: not checked


def versions(root: Path) -> list[Path]:
    found = []
    for d in root.iterdir():
        m = re.fullmatch(r"v(\d+)\.(\d+)\.0-local-strict", d.name)
        if m and (int(m[1]), int(m[2])) >= FIRST:
            found.append(((int(m[1]), int(m[2])), d))
    return [d for _, d in sorted(found)]


def build() -> dict:
    import kubernetes_validate

    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    kinds: dict[str, str] = {}
    types: dict[str, dict[str, str]] = {}
    for d in versions(root):
        defs = json.loads((d / "_definitions.json").read_text())["$defs"]
        r = Reader(defs)
        for full, schema in defs.items():
            for gvk in schema.get("x-kubernetes-group-version-kind") or []:
                # an object a manifest may hold: of a stable version of these groups, with
                # metadata (a List's items are any objects: not checked)
                if gvk["group"] in GROUPS and STABLE.match(gvk["version"]) and \
                        "metadata" in (schema.get("properties") or {}) and not gvk["kind"].endswith("List"):
                    api = f'{gvk["group"]}/{gvk["version"]}' if gvk["group"] else gvk["version"]
                    kinds[f'{api}/{gvk["kind"]}'] = short(full)
                    r.type(full)
        for name, fields in r.types.items():  # the union over versions (the newest's type of a field)
            types.setdefault(name, {}).update(fields)
    return {"note": "generated by scripts/k8s-fields.py from kubernetes-validate's strict schemas, "
                    f"Kubernetes {FIRST[0]}.{FIRST[1]} and later; do not edit",
            "kinds": dict(sorted(kinds.items())), "types": {k: dict(sorted(v.items())) for k, v in sorted(types.items())}}


def main() -> int:
    text = json.dumps(build(), indent=0, sort_keys=False, separators=(",", ":")) + "\n"
    if sys.argv[1:] == ["--check"]:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is not what scripts/k8s-fields.py writes: run it", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
