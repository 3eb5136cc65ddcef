"""The schema of each spec kind (App, StatefulApp, Job, CronJob, ConfigMap, Secret, ...),
built from the shared fields of :mod:`.fields`, and :func:`with_defs`, which turns the
pieces reused across fields into `$defs` entries. These are the schemas the compiler
validates with (written to `schemas/<kind>.json`); each is self-contained so that editors
and `check-jsonschema` need no resolver. This module only builds data: it must not read
files or validate.
"""

from __future__ import annotations

from typing import Any

from .scheduling import AFFINITY, LABEL_SELECTOR, NODE_TERM, POD_AFFINITY, POD_TERM, TOLERATION
from .fields import (
    ANNOTATIONS, AUTOSCALE, BASE_URL, CMD, COMMAND_LIST, CONFIG_REFS, CONTAINERS, CRON, DNS1123_SUBDOMAIN, DOWNWARD,
    DRAFT, ENV,
    ENABLED, ENV_FROM, EXPOSE, HEALTH, K8S_API_VERSION, K8S_KIND, K8S_PATCH, LABELS, LIFECYCLE, NAME, PORT_NUMBER,
    PORT_REF, PORTS, PROBE, QTY, RESOURCES, SECRET_REFS, SECURITY, STORAGE, STR_MAP, STRATEGY,
    VOLUMES, _common, _workload,
)

INT32_MAX = 2**31 - 1


def _doc(kind: str, title: str, props: dict, required: list[str], description: str) -> dict:
    return with_defs({
        "$schema": DRAFT,
        "$id": f"{BASE_URL}{kind.lower()}.json",
        "title": title,
        "description": description,
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": props,
    })


def _shared() -> dict[int, str]:
    """The pieces reused across fields and kinds, by identity: each becomes one `$defs` entry
    referenced where it is used (editors show one definition; the compiled validator is
    several times smaller than with every use inlined)."""
    named = {"name": NAME, "quantity": QTY, "portNumber": PORT_NUMBER, "portRef": PORT_REF, "ports": PORTS,
             "env": ENV, "secretRefs": SECRET_REFS, "configRefs": CONFIG_REFS, "downward": DOWNWARD,
             "resources": RESOURCES, "probe": PROBE,
             "health": HEALTH,
             "expose": EXPOSE, "command": CMD, "commandList": COMMAND_LIST, "volumes": VOLUMES, "envFrom": ENV_FROM,
             "lifecycle": LIFECYCLE, "labels": LABELS, "annotations": ANNOTATIONS, "stringMap": STR_MAP,
             "toleration": TOLERATION, "k8sPatch": K8S_PATCH, "security": SECURITY, "storage": STORAGE,
             "strategy": STRATEGY, "autoscale": AUTOSCALE, "containers": CONTAINERS, "affinity": AFFINITY,
             "nodeSelectorTerm": NODE_TERM, "labelSelector": LABEL_SELECTOR, "podAffinityTerm": POD_TERM,
             "podAffinity": POD_AFFINITY}
    return {id(v): k for k, v in named.items()}


def with_defs(schema: dict) -> dict:
    """Share the named pieces as `$defs`, and bound every integer field that has no bound of
    its own by Kubernetes' int32 (a larger number, or a float such as 1e308 that JSON Schema
    counts as an integer, would pass and break the lowering or the cluster's decoder)."""
    named = _shared()
    defs: dict[str, Any] = {}

    def walk(node: Any, top: bool = False) -> Any:
        if isinstance(node, dict):
            key = named.get(id(node))
            if key is not None and not top:
                if key not in defs:
                    defs[key] = {}
                    defs[key] = {k: walk(v) for k, v in node.items()}
                return {"$ref": f"#/$defs/{key}"}
            out = {k: (v if k in ("examples", "const", "enum", "default") else walk(v)) for k, v in node.items()}
            t = node.get("type")
            if (t == "integer" or isinstance(t, list) and "integer" in t) and "maximum" not in node:
                out["maximum"] = INT32_MAX
            return out
        if isinstance(node, list):
            return [walk(x) for x in node]
        return node

    out = walk(schema, top=True)
    if defs:
        out["$defs"] = dict(sorted(defs.items()))
    return out


def app_schema() -> dict:
    props = _workload("App")
    props.update({
        "replicas": {"type": "integer", "minimum": 0, "description": "Pod count (the minimum when `autoscale` is set).",
                     "examples": [3]},
        "expose": EXPOSE,
        "strategy": STRATEGY,
        "autoscale": AUTOSCALE,
    })
    return _doc("App", "skyspec App", props, ["kind", "name", "image"],
                "A stateless workload: a Deployment, a Service for its ports, an Ingress when exposed with a host.")


def statefulapp_schema() -> dict:
    props = _workload("StatefulApp")
    props.update({
        "replicas": {"type": "integer", "minimum": 0, "description": "Pod count: each replica has its own volumes.",
                     "examples": [1]},
        "expose": EXPOSE,
        "storage": STORAGE,
        "strategy": STRATEGY,
        "pod_management": {"enum": ["OrderedReady", "Parallel"], "examples": ["Parallel"],
                           "description": "Start and stop pods in order (default) or all at once."},
    })
    return _doc("StatefulApp", "skyspec StatefulApp", props, ["kind", "name", "image"],
                "A stateful workload: a StatefulSet with a volume per replica, a headless Service for stable "
                "network identities and a client Service.")


def _job_props(kind: str) -> dict:
    props = _workload(kind)
    for k in ("health", "port", "ports"):  # a run-to-completion pod serves nothing
        props.pop(k)
    props.update({
        "completions": {"type": "integer", "minimum": 1, "description": "Pods that must succeed (default 1).",
                        "examples": [5]},
        "parallelism": {"type": "integer", "minimum": 0, "description": "Pods run at once (default 1).",
                        "examples": [2]},
        "backoff_limit": {"type": "integer", "minimum": 0, "description": "Retries before the Job fails.",
                          "examples": [3]},
        "active_deadline": {"type": "integer", "minimum": 1, "description": "Seconds the Job may run.",
                            "examples": [600]},
        "ttl": {"type": "integer", "minimum": 0, "description": "Seconds to keep a finished Job.", "examples": [3600]},
        "restart": {"enum": ["OnFailure", "Never"], "description": "Pod restart policy (default OnFailure).",
                    "examples": ["Never"]},
    })
    return props


def job_schema() -> dict:
    return _doc("Job", "skyspec Job", _job_props("Job"), ["kind", "name", "image"],
                "A run-to-completion workload: a Job.")


def cronjob_schema() -> dict:
    props = _job_props("CronJob")
    props.update({
        "schedule": CRON,
        "time_zone": {"type": "string", "description": "An IANA time zone, e.g. `Europe/Paris`.",
                      "examples": ["Europe/Paris"]},
        "concurrency": {"enum": ["Allow", "Forbid", "Replace"],
                        "description": "When a run is due while the last still runs: run both (`Allow`, the default), "
                                       "skip the new one (`Forbid`) or replace the old one (`Replace`).",
                        "examples": ["Forbid"]},
        "history": {"type": "object", "additionalProperties": False,
                    "description": "Finished Jobs kept (Kubernetes' defaults: 3 successful, 1 failed).",
                    "properties": {"successful": {"type": "integer", "minimum": 0, "examples": [3]},
                                   "failed": {"type": "integer", "minimum": 0, "examples": [1]}},
                    "examples": [{"successful": 3, "failed": 1}]},
        "suspend": {"type": "boolean", "description": "No new runs until it is `false` again.", "examples": [True]},
        "starting_deadline": {"type": "integer", "minimum": 1,
                              "description": "Seconds after the scheduled time within which a late run still starts.",
                              "examples": [300]},
    })
    return _doc("CronJob", "skyspec CronJob", props, ["kind", "name", "image", "schedule"],
                "A Job on a schedule: a CronJob.")


def configmap_schema() -> dict:
    props = {
        **_common("ConfigMap"), "enabled": ENABLED,
        "data": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]},
                 "description": "Literal entries.", "examples": [{"LOG_LEVEL": "info", "WORKERS": 4}]},
        "files": {"type": "object", "additionalProperties": {"type": "string"},
                  "description": "Entries read from files (paths relative to the project file, inside the project).",
                  "examples": [{"nginx.conf": "config/nginx.conf"}]},
        "json": {"type": "object", "description": "Entries rendered as JSON from structured values.",
                 "examples": [{"features.json": {"new_ui": True}}]},
        "yaml": {"type": "object", "description": "Entries rendered as YAML from structured values.",
                 "examples": [{"app.yaml": {"workers": 4, "queues": ["default"]}}]},
        "existing": {"const": True, "description": "The ConfigMap exists in the cluster already (another tool or an "
                                                   "operator makes it): nothing is generated. Compose reads its "
                                                   "entries from files you provide: the folder "
                                                   "`configs/<name>/` for its mounts, `configs/<name>.env` for "
                                                   "`env_from`."},
        "k8s": K8S_PATCH,
    }
    return _doc("ConfigMap", "skyspec ConfigMap", props, ["kind", "name"],
                "Configuration data, mounted as files (`volumes: {x: {config: NAME, mount: /etc/x}}`) or loaded as "
                "environment variables (`env_from: [{config: NAME}]`).")


def secret_schema() -> dict:
    ext = {"type": "object", "additionalProperties": False, "required": ["store", "data"],
           "properties": {
               "store": {"type": "string", "description": "The SecretStore (or ClusterSecretStore) name.",
                         "examples": ["vault"]},
               "store_kind": {"enum": ["SecretStore", "ClusterSecretStore"], "description": "Default SecretStore."},
               "refresh": {"type": "string", "pattern": r"^([0-9]+(s|m|h))+$", "description": "How often the operator "
                           "reads the store again, e.g. `1h`.", "examples": ["1h"]},
               "data": {"type": "object", "description": "Secret key -> the remote key (`path` or `path#property`).",
                        "additionalProperties": {"type": "string", "minLength": 1},
                        "examples": [{"password": "db/prod#password"}]},
           },
           "examples": [{"store": "vault", "data": {"password": "db/prod#password"}, "refresh": "1h"}]}
    props = {
        **_common("Secret"), "enabled": ENABLED,
        "type": {"type": "string", "description": "The Secret type, e.g. `kubernetes.io/tls`.",
                 "examples": ["kubernetes.io/tls"]},
        "existing": {"const": True, "description": "The Secret exists in the cluster already: nothing is generated."},
        "external": {**ext, "description": "Fetched from an external store by the External Secrets operator "
                                           "(an ExternalSecret is generated)."},
        "keys": {"type": "array", "items": {"type": "string"}, "description": "Keys supplied at deploy time.",
                 "examples": [["password"]]},
        "data": {"type": "object", "additionalProperties": {"type": "string"},
                 "description": "Literal values: refused in protected environments and never written to any output.",
                 "examples": [{"token": "not-a-real-token"}]},
    }
    return _doc("Secret", "skyspec Secret", props, ["kind", "name"],
                "A reference to secret data: an existing cluster Secret, an external store entry, or keys "
                "supplied at deploy time. Values never appear in generated files.")


def serviceaccount_schema() -> dict:
    props = {**_common("ServiceAccount"), "enabled": ENABLED,
             "automount_token": {"type": "boolean",
                                 "description": "Mount the API token into pods (`true`: the pods that run as this "
                                                "account keep it, as a Role binding the account gives it).",
                                 "examples": [False]},
             "existing": {"const": True, "description": "The ServiceAccount exists in the cluster already (an "
                                                        "identity made by another tool: a cloud IAM binding, a "
                                                        "controller): nothing is generated; pods run as it and "
                                                        "Roles bind it."},
             "k8s": K8S_PATCH}
    return _doc("ServiceAccount", "skyspec ServiceAccount", props, ["kind", "name"], "An identity for pods.")


def role_schema() -> dict:
    rule = {"type": "object", "additionalProperties": False, "required": ["resources", "verbs"],
            "properties": {"api_groups": {"type": "array", "items": {"type": "string"}, "examples": [["apps"]],
                                          "description": "API groups (`\"\"` is the core group, the default)."},
                           "resources": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                         "examples": [["pods"]], "description": "Resource types."},
                           "names": {"type": "array", "items": {"type": "string"}, "examples": [["api-config"]],
                                     "description": "Only these objects."},
                           "verbs": {"type": "array", "minItems": 1, "items": {
                               "enum": ["get", "list", "watch", "create", "update", "patch", "delete",
                                        "deletecollection", "*"]}, "description": "What may be done.",
                                     "examples": [["get", "list", "watch"]]}}}
    props = {**_common("Role"), "enabled": ENABLED, "kind": {"enum": ["Role", "ClusterRole"]},
             "rules": {"type": "array", "items": rule, "minItems": 1, "description": "What the role allows.",
                       "examples": [[{"resources": ["pods"], "verbs": ["get", "list", "watch"]}]]},
             "bind": {"type": "array", "items": NAME, "description": "ServiceAccounts granted this role (a binding is generated).",
                      "examples": [["deployer"]]},
             "k8s": K8S_PATCH}
    return _doc("Role", "skyspec Role / ClusterRole", props, ["kind", "name", "rules"],
                "RBAC rules (`kind: Role`, in the namespace, or `kind: ClusterRole`, cluster-wide), and the "
                "binding to service accounts.")


def networkpolicy_schema() -> dict:
    peer = {"type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 1,
            "description": "One peer: a workload, pods by labels, a namespace or an address range.",
            "properties": {"app": {**NAME, "description": "A workload of the project.", "examples": ["db"]},
                           "labels": {**STR_MAP, "description": "Pods with these labels.",
                                      "examples": [{"team": "web"}]},
                           "namespace": {**NAME, "description": "Every pod of a namespace.",
                                         "examples": ["monitoring"]},
                           "cidr": {"type": "string", "pattern": r"^[0-9a-fA-F:.]+/[0-9]{1,3}$",
                                    "description": "An address range.", "examples": ["10.0.0.0/8"]}},
            "examples": [{"app": "db"}]}
    props = {**_common("NetworkPolicy"), "enabled": ENABLED,
             "select": {"type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 1,
                        "properties": {"app": {**NAME, "description": "A workload of the project."},
                                       "labels": {**STR_MAP, "description": "Pods with these labels.",
                                                  "examples": [{"tier": "web"}]}},
                        "description": "The pods it applies to (omit for every pod of the namespace).",
                        "examples": [{"app": "db"}]},
             "deny_all": {"type": "boolean", "description": "Deny all traffic to (and from) the selected pods, "
                                                            "except what `allow_from`/`allow_to` permit."},
             "allow_from": {"type": "array", "items": peer, "description": "Traffic admitted from these peers.",
                            "examples": [[{"app": "db"}]]},
             "allow_to": {"type": "array", "items": peer, "description": "Traffic admitted to these peers.",
                          "examples": [[{"cidr": "10.0.0.0/8"}]]},
             "ports": {"type": "array", "items": PORT_NUMBER, "description": "Limit the allowed traffic to these ports.",
                       "examples": [[8080]]},
             "k8s": K8S_PATCH}
    return _doc("NetworkPolicy", "skyspec NetworkPolicy", props, ["kind", "name"],
                "Which traffic may reach (or leave) pods.")


def securitypolicy_schema() -> dict:
    props = {**_common("SecurityPolicy"),
             "level": {"enum": ["privileged", "baseline", "restricted"], "examples": ["restricted"],
                       "description": "The Pod Security Standards level enforced on the namespace."},
             "mode": {"enum": ["enforce", "audit", "warn"], "description": "Default enforce."}}
    return _doc("SecurityPolicy", "skyspec SecurityPolicy", props, ["kind", "name", "level"],
                "Pod Security Standards for the namespace (labels on the Namespace object).")


def observability_schema() -> dict:
    props = {**_common("Observability"), "enabled": ENABLED,
             "apps": {"type": "array", "items": NAME, "minItems": 1, "description": "The workloads it applies to.",
                      "examples": [["db"]]},
             "metrics": {"type": "object", "additionalProperties": False, "required": ["port"],
                         "description": "Where Prometheus scrapes the apps' metrics.",
                         "examples": [{"port": "metrics", "path": "/metrics", "interval": "30s"}],
                         "properties": {"port": {**PORT_REF, "description": "The port (name or number)."},
                                        "path": {"type": "string", "pattern": "^/", "description": "Default /metrics."},
                                        "interval": {"type": "string", "pattern": r"^[0-9]+(s|m)$",
                                                     "description": "The scrape interval (ServiceMonitor)."},
                                        "service_monitor": {"type": "boolean",
                                                            "description": "Emit a Prometheus Operator ServiceMonitor."},
                                        "annotations": {"type": "boolean",
                                                        "description": "Add prometheus.io/scrape annotations to the pods."}}},
             "logging": {"type": "object", "additionalProperties": False,
                         "description": "LOG_LEVEL and LOG_FORMAT in the apps' environment.",
                         "examples": [{"level": "info", "format": "json"}],
                         "properties": {"level": {"enum": ["debug", "info", "warn", "error"]},
                                        "format": {"enum": ["json", "text"]}}},
             "tracing": {"type": "object", "additionalProperties": False, "required": ["endpoint"],
                         "description": "OpenTelemetry settings in the apps' environment (OTEL_EXPORTER_OTLP_ENDPOINT, "
                                        "OTEL_TRACES_SAMPLER_ARG).",
                         "examples": [{"endpoint": "http://otel-collector.monitoring:4317", "sample_rate": 0.1}],
                         "properties": {"endpoint": {"type": "string", "description": "The OTLP collector.",
                                                     "examples": ["http://otel-collector.monitoring:4317"]},
                                        "sample_rate": {"type": "number", "minimum": 0, "maximum": 1,
                                                        "description": "The share of traces kept.",
                                                        "examples": [0.1]}}}}
    return _doc("Observability", "skyspec Observability", props, ["kind", "name", "apps"],
                "Metrics scraping (ServiceMonitor and/or annotations), and logging and tracing settings passed to "
                "the apps as environment variables.")


# Kubernetes names RBAC objects by path segments, not DNS names: its own ClusterRoles are
# `system:...`, and so are many a controller's; capitals too (the OpenTelemetry target
# allocator's `...-ta-clusterRole`). The API server takes any text without '/' and '%'; this
# keeps to letters, digits and '-', '_', '.', ':'
RBAC_KINDS = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]
RBAC_NAME = r"^[A-Za-z0-9]([-A-Za-z0-9_.:]*[A-Za-z0-9])?$"
RBAC_NAME_WORDS = "letters, digits, '-', '_', '.' and ':'"


def resource_schema() -> dict:
    def named(pattern: str, words: str) -> dict:
        return {"properties": {"metadata": {"properties": {"name": {
            "pattern": pattern, "x-message": "{field} {value} is not a valid object name",
            "x-hint": f"use {words}, e.g. `api-config`"}}}}}

    meta = {"type": "object",
            "description": "The object's metadata; `name` defaults to the document's name.",
            "properties": {
                "name": {"type": "string", "maxLength": 253,
                         "description": "A DNS-1123 subdomain: lower-case letters, digits, '-' and '.' (an RBAC "
                                        "object's may also hold ':', '_' and capitals, as `system:metrics-reader`). "
                                        "The document's "
                                        "`name` when missing; an object's own name (one no document can have, or "
                                        "one another kind's object has too) is kept here, and the document's name "
                                        "is the handle overlays use."},
                "namespace": {**NAME, "description": "A DNS-1123 label (the project's namespace when missing)."}}}
    manifest = {
        "type": "object", "required": ["apiVersion", "kind"],
        "description": "Any Kubernetes object, emitted as written (namespace added when missing). Its "
                       "`metadata.name` defaults to the document's `name`; an object keeps a name of its own "
                       "(one no document can have, as an APIService's `v1beta1.metrics.k8s.io` or an RBAC "
                       "object's `system:metrics-reader`, or a DaemonSet's that its Service has too), and the "
                       "output file is named after the document.",
        "properties": {
            "apiVersion": {"type": "string", "maxLength": 317, "pattern": K8S_API_VERSION,
                           "description": "`<version>` or `<group>/<version>`, e.g. `v1`, `apps/v1`, "
                                          "`cert-manager.io/v1`.",
                           "x-message": "{field} {value} is not a Kubernetes apiVersion",
                           "x-hint": "write `<group>/<version>` or, for the core group, `<version>`: e.g. `v1`, "
                                     "`apps/v1`, `networking.k8s.io/v1`"},
            "kind": {"type": "string", "maxLength": 63, "pattern": K8S_KIND,
                     "description": "The object's kind: letters and digits, starting with a letter, "
                                    "e.g. `PersistentVolumeClaim`.",
                     "x-message": "{field} {value} is not a Kubernetes kind",
                     "x-hint": "a kind is a word of letters and digits starting with a letter, "
                               "e.g. `PersistentVolumeClaim`"},
            "metadata": meta},
        "if": {"properties": {"kind": {"enum": RBAC_KINDS}}, "required": ["kind"]},
        "then": named(RBAC_NAME, RBAC_NAME_WORDS),
        "else": named(DNS1123_SUBDOMAIN, "lower-case letters, digits, '-' and '.' (a DNS-1123 subdomain)"),
        "examples": [{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                      "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}}}],
    }
    props = {**_common("Resource"), "enabled": ENABLED, "manifest": manifest}
    return _doc("Resource", "skyspec Resource", props, ["kind", "name", "manifest"],
                "An escape hatch: a raw Kubernetes object. One of a built-in kind is checked against the "
                "kind's fields (SKY126); a custom resource is written as it is.")


# kind -> its schema, one per schema file (`Role` covers ClusterRole: `kind` is an enum there)
KIND_SCHEMAS = {
    "App": app_schema,
    "StatefulApp": statefulapp_schema,
    "Job": job_schema,
    "CronJob": cronjob_schema,
    "ConfigMap": configmap_schema,
    "Secret": secret_schema,
    "ServiceAccount": serviceaccount_schema,
    "Role": role_schema,
    "NetworkPolicy": networkpolicy_schema,
    "SecurityPolicy": securitypolicy_schema,
    "Observability": observability_schema,
    "Resource": resource_schema,
}
