"""The schemas of the project file (`skyspec.yaml` / `skyspec.toml`) and of an overlay file,
as the compiler validates them (written to `schemas/project.json` and `schemas/overlay.json`;
the editors' overlay schema with typed patches is :mod:`.editor`'s). This module only builds
data: it must not read files (the limits come from :mod:`skyspec.limits`) or validate.
"""

from __future__ import annotations

from .fields import BASE_URL, DNS1123_LABEL, DRAFT, NAME, QTY, STR_MAP

# SemVer 2 (https://semver.org), which Helm requires of a chart's version
SEMVER = (r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
          r"(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?"
          r"(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")

QUOTA = {
    "type": "object", "additionalProperties": False,
    "description": "Limits on the sum over workloads of requests x replicas (and of storage): over quota is an "
                   "error; a ResourceQuota is emitted.",
    "properties": {"cpu": {**QTY, "description": "CPU requests, in cores.", "examples": ["40"]},
                   "memory": {**QTY, "description": "Memory requests.", "examples": ["96Gi"]},
                   "storage": {**QTY, "description": "Storage claimed.", "examples": ["2Ti"]},
                   "pods": {"type": "integer", "minimum": 0, "description": "Pods.", "examples": [200]}},
    "examples": [{"cpu": "40", "memory": "96Gi", "storage": "2Ti"}],
}
BUDGET = {
    "type": "object", "additionalProperties": False, "required": ["monthly"],
    "description": "The cost gate: `build` and `cost` fail when the monthly estimate exceeds it.",
    "properties": {"monthly": {"type": "number", "minimum": 0, "description": "The monthly ceiling, in the price "
                                                                       "table's currency.", "examples": [4000]}},
    "examples": [{"monthly": 4000}],
}
POLICY = {
    "type": "object", "additionalProperties": False,
    "description": "Policy rule severities by rule id (`error`, `warning`, `off`).",
    "properties": {"rules": {"type": "object", "examples": [{"single-replica": "off"}],
                             "description": "Rule id (docs/rules.md) -> severity.",
                             "additionalProperties": {"enum": ["error", "warning", "off", False],
                                                                          "description": "`off` (YAML may read a bare "
                                                                                         "off as false: both work)."}}},
    "examples": [{"rules": {"single-replica": "off"}}],
}
PRICES = {
    "type": "object", "additionalProperties": False,
    "description": "The price table for cost estimates (defaults: cpu_core_hour 0.0316, memory_gib_hour 0.0042, "
                   "storage_gib_month 0.10, in USD).",
    "properties": {"cpu_core_hour": {"type": "number", "minimum": 0, "examples": [0.0316],
                                     "description": "The price of one core for an hour."},
                   "memory_gib_hour": {"type": "number", "minimum": 0, "examples": [0.0042],
                                       "description": "The price of one GiB of memory for an hour."},
                   "storage_gib_month": {"type": "number", "minimum": 0, "examples": [0.1],
                                         "description": "The price of one GiB of storage for a month."},
                   "currency": {"type": "string", "description": "Shown beside the amounts (default USD).",
                                "examples": ["EUR"]}},
    "examples": [{"cpu_core_hour": 0.0316, "memory_gib_hour": 0.0042, "storage_gib_month": 0.1}],
}

NETWORK = {
    "type": "object", "additionalProperties": False,
    "description": "What the generated NetworkPolicies admit and which Namespaces are emitted (an environment's "
                   "`network:` overrides the project's key by key).",
    "properties": {
        "namespace": {"type": "boolean", "default": False,
                      "description": "Emit a Namespace object for every namespace the environment uses (for "
                                     "`kubectl apply` on a fresh cluster; a Helm release expects its namespace "
                                     "to exist or `--create-namespace`)."},
        "ingress_namespace": {**NAME, "default": "ingress-nginx", "examples": ["traefik"],
                              "description": "The ingress controller's namespace: Ingress-exposed workloads admit "
                                             "traffic from it."},
        "monitoring_namespace": {**NAME, "default": "monitoring", "examples": ["prometheus"],
                                 "description": "Prometheus' namespace: the metrics ports an Observability declares, "
                                                "the ports the pods' `prometheus.io/scrape` annotations name and those "
                                                "a ServiceMonitor or PodMonitor kept as written scrapes admit traffic "
                                                "from it."},
        "egress": {"type": "boolean", "default": False,
                   "description": "Restrict egress too: DNS (kube-dns in kube-system) and the `connect_to` "
                                  "targets only."},
        "default_deny": {"enum": ["namespace", "project"], "default": "namespace", "examples": ["project"],
                         "description": "What the default deny selects: `namespace`, every pod of the namespace; "
                                        "`project`, the project's pods only (`app.kubernetes.io/part-of`), so "
                                        "pods others make there (an operator's, at run time) stay open, as "
                                        "Kubernetes leaves them. In kube-system, kube-public, kube-node-lease and "
                                        "default it is always the project's pods."},
    },
    "examples": [{"ingress_namespace": "traefik", "egress": True}],
}
# an environment's `network:` overrides the project's key by key: the validator fills in
# `default`s, so this copy has none (a filled-in `egress: false` would undo the project's `true`)
ENV_NETWORK = {**NETWORK, "properties": {k: {f: v for f, v in p.items() if f != "default"}
                                         for k, p in NETWORK["properties"].items()}}


def _limits_schema() -> dict:
    from ..limits import describe

    props = {name: {"type": "integer", "minimum": lo, "maximum": hi, "default": default, "description": doc}
             for name, default, lo, hi, doc in describe()}
    return {
        "type": "object", "additionalProperties": False,
        "description": "Resource limits on the spec, overlay and template files (spec files come from pull "
                       "requests: every limit is on by default). The project file itself is always read with "
                       "the defaults.",
        "properties": props,
        "examples": [{"file_bytes": 8388608, "depth": 100}],
    }


def project_schema() -> dict:
    env = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "overlays": {"type": "array", "items": {"type": "string"},
                         "description": "Overlay files, applied in order after the built-in profile.",
                         "examples": [["overlays/dev.yaml"]]},
            "profile": {"enum": ["dev", "qa", "prod"],
                        "description": "The built-in profile (defaults to the environment's name when it is one)."},
            "protected": {"type": "boolean", "description": "Locked: refuses literal secrets and unpinned images."},
            "namespace": {**NAME, "description": "The environment's namespace (default the project's).",
                          "examples": ["shop-dev"]},
            "vars": {"type": "object", "description": "Variables for `${vars.NAME}` in this environment.",
                     "examples": [{"region": "eu-west-1"}]},
            "quota": QUOTA,
            "budget": BUDGET,
            "policy": POLICY,
            "network": ENV_NETWORK,
        },
    }
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_URL}project.json",
        "title": "skyspec project file",
        "description": "`skyspec.yaml` / `skyspec.toml`: the project, its spec files and environments.",
        "type": "object",
        "additionalProperties": False,
        "required": ["project", "environments"],
        "properties": {
            "project": {**NAME, "description": "The project's name (the Helm chart's, Compose's project prefix).",
                        "examples": ["shop"]},
            "namespace": {**NAME, "description": "The namespace of every object (default `default`).",
                          "examples": ["shop"]},
            "specs": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                      "description": "Globs (relative to the project file) of spec files.",
                      "examples": [["apps/**/*.yaml", "apps/**/*.toml"]]},
            "python": {"type": "boolean", "default": False,
                       "description": "The project's spec, overlay and template files include `.py` files. "
                                      "They are Python code that skyspec runs while loading the project (in "
                                      "check, build and a pre-commit hook alike), so they run only with the "
                                      "consent of whoever runs skyspec: `--allow-python` for one run, or "
                                      "SKYSPEC_ALLOW_PYTHON=1 in the environment for projects that say "
                                      "`python: true`. This alone runs nothing: a pull request can change it."},
            "vars": {"type": "object", "description": "Variables for `${vars.NAME}`, overridable per environment.",
                     "examples": [{"region": "eu-west-1"}]},
            "environments": {"type": "object", "minProperties": 1,
                             "description": "The environments, by name; `dev`, `qa` and `prod` get the built-in "
                                            "profile of that name.",
                             "propertyNames": {"pattern": DNS1123_LABEL},
                             "additionalProperties": env,
                             "examples": [{"dev": {"overlays": ["overlays/dev.yaml"]},
                                           "prod": {"overlays": ["overlays/prod.yaml"], "protected": True,
                                                    "quota": {"cpu": "40", "memory": "96Gi"},
                                                    "budget": {"monthly": 4000}}}]},
            "targets": {"type": "object",
                        "description": "Clusters (KubeStellar-style): each selects workloads for some environments "
                                       "and adds its own overlays; each is built into its own folder `<env>.<target>/`.",
                        "propertyNames": {"pattern": DNS1123_LABEL},
                        "examples": [{"eu-west": {"environments": ["prod"], "select": {"kinds": ["App"]},
                                                  "overlays": ["overlays/eu-west.yaml"]}}],
                        "additionalProperties": {
                            "type": "object", "additionalProperties": False, "required": ["environments"],
                            "properties": {
                                "environments": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                                 "description": "The environments deployed to this cluster.",
                                                 "examples": [["prod"]]},
                                "select": {"type": "object", "additionalProperties": False, "minProperties": 1,
                                           "properties": {
                                               "labels": {**STR_MAP, "description": "Workloads with these labels.",
                                                          "examples": [{"tier": "web"}]},
                                               "names": {"type": "array", "items": {"type": "string"},
                                                         "description": "Workloads by name (globs).",
                                                         "examples": [["api"]]},
                                               "kinds": {"type": "array", "items": {"type": "string"},
                                                         "description": "Workloads of these kinds.",
                                                         "examples": [["App"]]}},
                                           "description": "Workloads bound to this target (all when omitted)."},
                                "overlays": {"type": "array", "items": {"type": "string"},
                                             "description": "Its own overlays, after the environment's.",
                                             "examples": [["overlays/eu-west.yaml"]]},
                                "namespace": {**NAME, "description": "The namespace of everything it runs.",
                                              "examples": ["shop-eu"]},
                            }}},
            "prices": PRICES,
            "policy": POLICY,
            "network": NETWORK,
            "node": {"type": "object", "additionalProperties": False,
                     "description": "The size of one node: a request larger than this can never be scheduled.",
                     "properties": {"cpu": {**QTY, "description": "Its cores.", "examples": ["4"]},
                                    "memory": {**QTY, "description": "Its memory.", "examples": ["16Gi"]}},
                     "examples": [{"cpu": "4", "memory": "16Gi"}]},
            "outputs": {"type": "array", "uniqueItems": True,
                        "description": "The formats `build` writes (default kubernetes).",
                        "items": {"enum": ["kubernetes", "compose", "helm", "kustomize"]},
                        "examples": [["kubernetes", "compose", "helm", "kustomize"]]},
            "chart": {"type": "object", "additionalProperties": False,
                      "description": "The Helm chart's Chart.yaml (docs/helm.md): its `version` (default 0.1.0; "
                                     "`skyspec build --chart-version` overrides it) and `app_version`, the "
                                     "`appVersion` and `app.kubernetes.io/version` label of every object "
                                     "(default: the chart's version).",
                      "examples": [{"version": "1.4.0", "app_version": "1.4.2"}],
                      "properties": {
                          "version": {"type": "string", "pattern": SEMVER,
                                      "description": "The chart's version: SemVer 2, as Helm requires.",
                                      "examples": ["1.4.0", "2.0.0-rc.1"]},
                          "app_version": {"type": "string", "minLength": 1, "maxLength": 63,
                                          "pattern": "^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$",
                                          "description": "The version of what the chart deploys, a label "
                                                         "value (quote it in YAML: `'2024.06'`).",
                                          "examples": ["1.4.2"]}}},
            "base": {"type": "string", "pattern": DNS1123_LABEL, "examples": ["prod"],
                     "description": "The environment the Helm chart's values.yaml and the Kustomize base "
                                    "describe; the other environments are differences from it. Default: the "
                                    "first environment listed."},
            "limits": _limits_schema(),
            "gitops": {
                "type": "object", "additionalProperties": False, "required": ["repo", "path"],
                "description": "Where the committed output lives, for the GitOps files of `targets:` (an Argo CD "
                               "ApplicationSet and Flux Kustomizations under `gitops/` in the output). Without "
                               "it no GitOps file is written.",
                "properties": {
                    "repo": {"type": "string", "pattern": r"^[^\s{}]+$",
                             "description": "The Git repository's URL, as Argo CD and Flux clone it.",
                             "examples": ["https://github.com/acme/shop.git"]},
                    "revision": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._/-]*$", "default": "main",
                                 "description": "The branch, tag (`refs/tags/v1`) or commit to deploy."},
                    "path": {"type": "string", "pattern": r"^(\.|[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*)$",
                             "description": "The output folder's path in the repository (`.` for its root).",
                             "examples": ["deploy/out"]},
                    "project": {"type": "string", "pattern": DNS1123_LABEL, "default": "default", "examples": ["shop"],
                                "description": "The Argo CD project of the generated Applications."},
                },
            },
        },
    }


RATIO = {"type": "number", "exclusiveMinimum": 0, "maximum": 1000}
SETTINGS = {
    "type": "object", "additionalProperties": False,
    "description": "Settings for the optimizer passes in this environment (each pass's docstring says more).",
    "properties": {
        "harden": {"type": "boolean", "description": "`false`: no hardened defaults (e.g. for a local profile).",
                   "examples": [False]},
        "network_policies": {"type": "boolean", "description": "`false`: no default-deny NetworkPolicy and allows.",
                             "examples": [False]},
        "pdb": {"type": "boolean", "description": "A PodDisruptionBudget for every workload running 2+ replicas."},
        "spread": {"anyOf": [{"enum": ["nodes", "zones"]},
                             {"type": "array", "items": {"enum": ["nodes", "zones"]}, "uniqueItems": True}],
                   "description": "Topology spread for workloads running 2+ replicas whose spec sets none.",
                   "examples": [["nodes", "zones"]]},
        "limits": {"type": "object", "additionalProperties": False,
                   "description": "Limits from requests when a spec sets none: CPU x `cpu` (default 2), memory x "
                                  "`memory` (default 1); a limit above `warn_ratio` (default 4) x the request is a "
                                  "warning.",
                   "properties": {"cpu": {**RATIO, "examples": [2]}, "memory": {**RATIO, "examples": [1]},
                                  "warn_ratio": {**RATIO, "examples": [4]}},
                   "examples": [{"cpu": 2, "memory": 1}]},
        "sidecar_resources": {"type": "object", "additionalProperties": False,
                              "description": "Requests of sidecars and init containers that set none "
                                             "(default 50m / 64Mi).",
                              "properties": {"cpu": {**QTY, "examples": ["50m"]}, "memory": {**QTY, "examples": ["64Mi"]}},
                              "examples": [{"cpu": "50m", "memory": "64Mi"}]},
    },
    "examples": [{"pdb": True, "spread": ["nodes", "zones"]}],
}


def overlay_schema() -> dict:
    patch = {"type": "object", "description": "A patch: the fields of a spec, with `+` `!` `-` key operators.",
             "examples": [{"replicas": 2, "env": {"LOG_LEVEL": "debug"}}]}
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_URL}overlay.json",
        "title": "skyspec overlay",
        "description": "An environment or target overlay: patches for every workload (`all`), for workloads "
                       "chosen by kind, labels or name glob (`match`), and by name (`apps`).",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "defaults": {**patch, "description": "Values put *beneath* every workload's spec: the spec's own "
                                                 "values win (e.g. default resources for an environment).",
                         "examples": [{"resources": {"cpu": "100m", "memory": "128Mi"}}]},
            "settings": SETTINGS,
            "all": {**patch, "description": "A patch of every workload.", "examples": [{"labels": {"env": "dev"}}]},
            "match": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["where", "patch"],
                "properties": {
                    "where": {"type": "object", "additionalProperties": False, "minProperties": 1,
                              "description": "Which workloads: every condition must hold.",
                              "properties": {"kind": {"type": "string", "description": "The kind.",
                                                      "examples": ["App"]},
                                             "name": {"type": "string", "description": "A name glob.",
                                                      "examples": ["ap*"]},
                                             "labels": {**STR_MAP, "description": "Labels the workload has.",
                                                        "examples": [{"tier": "web"}]}},
                              "examples": [{"kind": "App", "labels": {"tier": "web"}}]},
                    "patch": patch,
                    "optional": {"type": "boolean", "description": "Allow the match to select nothing."},
                }},
                "description": "Patches of the workloads a condition selects (a `where` selecting none is an "
                               "error unless `optional`).",
                "examples": [[{"where": {"kind": "App", "labels": {"tier": "web"}}, "patch": {"replicas": 2}}]]},
            "apps": {"type": "object", "additionalProperties": patch,
                     "description": "Patches by workload name (`Kind/name` when two kinds share a name).",
                     "examples": [{"api": {"replicas": 2, "env": {"LOG_LEVEL": "debug"}}}]},
        },
    }
