"""The spec language's JSON Schemas, defined once here and written to `schemas/` by
`skyspec schema -o schemas/` (a test checks the committed files are current).

Shared pieces (ports, probes, resources, env) are Python values reused across kinds; each
written schema is self-contained so that editors and `check-jsonschema` need no resolver.
"""

from __future__ import annotations

import copy
import json
from typing import Any

BASE_URL = "https://skyspec.dev/schemas/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS1123_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
# Kubernetes' own shapes for what a raw `kind: Resource` manifest names: its file name is
# built from `kind` and `metadata.name`, so both are held to them (no `/`, `.`-only or
# control characters can reach a path).
K8S_KIND = r"^[A-Za-z][A-Za-z0-9]*$"
K8S_API_VERSION = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[a-z]([-a-z0-9]*[a-z0-9])?$"
QUANTITY = r"^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$"

NAME = {
    "type": "string", "maxLength": 63, "pattern": DNS1123_LABEL,
    "description": "A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit.",
    "x-message": "{field} {value} is not a valid name",
    "x-hint": "use lower-case letters, digits and '-' (a DNS-1123 label), e.g. `api-server`",
    "examples": ["api"],
}

STR_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
LABELS = {
    "type": "object",
    "description": "Kubernetes labels added to every object of this workload.",
    "propertyNames": {"pattern": r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$",
                      "maxLength": 253},
    "additionalProperties": {"type": "string", "maxLength": 63,
                             "pattern": r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$"},
    "examples": [{"tier": "web"}],
}
ANNOTATIONS = {"type": "object", "additionalProperties": {"type": "string"},
               "description": "Kubernetes annotations added to the workload's objects."}

QTY = {
    "anyOf": [{"type": "string", "pattern": QUANTITY, "x-quantity": True},
              {"type": "number", "minimum": 0}],
    "description": "A Kubernetes quantity: CPU as cores (`0.5`, `2`) or millicores (`250m`); memory and storage in "
                   "bytes with binary (`Ki`, `Mi`, `Gi`, `Ti`) or decimal (`k`, `M`, `G`, `T`) suffixes.",
    "x-message": "{field} {value} is not a valid quantity",
    "examples": ["250m", "256Mi"],
}

PORT_NUMBER = {"type": "integer", "minimum": 1, "maximum": 65535}
PORT_REF = {"anyOf": [PORT_NUMBER, {"type": "string", "pattern": DNS1123_LABEL}],
            "description": "A port number or the name of one of this workload's ports."}

PORTS = {
    "type": "object",
    "description": "Named ports: `{http: 8080}` or `{grpc: {port: 9090, protocol: TCP}}`.",
    "propertyNames": {"maxLength": 15, "pattern": DNS1123_LABEL},
    "additionalProperties": {
        "anyOf": [
            PORT_NUMBER,
            {"type": "object", "additionalProperties": False, "required": ["port"],
             "properties": {"port": PORT_NUMBER,
                            "protocol": {"enum": ["TCP", "UDP", "SCTP"]},
                            "host_port": {**PORT_NUMBER, "description": "Publish on the host (Compose only)."}}},
        ],
    },
    "minProperties": 1,
    "examples": [{"http": 8080}],
}

ENV = {
    "type": "object",
    "description": "Environment variables (a map, so overlays merge it by name). Values may use `${...}` expressions.",
    "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
    "additionalProperties": {"type": ["string", "number", "boolean"]},
    "examples": [{"LOG_LEVEL": "info"}],
}

SECRET_REFS = {
    "type": "object",
    "description": "Environment variables read from Secrets: `DB_PASSWORD: {secret: pg-credentials, key: password}`. "
                   "References only: a value never appears in a spec.",
    "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
    "additionalProperties": {
        "type": "object", "additionalProperties": False, "required": ["secret", "key"],
        "properties": {"secret": NAME, "key": {"type": "string", "pattern": r"^[-._a-zA-Z0-9]+$"},
                       "as": {"enum": ["env", "file"],
                              "description": "`env` (default): the value in the variable. `file`: the Secret mounted "
                                             "at /run/secrets/<secret>/ and `<VAR>_FILE` set to the key's path "
                                             "(the convention of official images; keeps values out of the environment)."}},
    },
    "examples": [{"DB_PASSWORD": {"secret": "pg-credentials", "key": "password", "as": "file"}}],
}

RESOURCES = {
    "type": "object", "additionalProperties": False,
    "description": "Requests (`cpu`, `memory`) and optional limits; missing limits follow the sizing policy.",
    "properties": {"cpu": QTY, "memory": QTY, "cpu_limit": QTY, "memory_limit": QTY},
    "examples": [{"cpu": "250m", "memory": "256Mi"}],
}

_TIMING = {
    "initial_delay": {"type": "integer", "minimum": 0, "description": "Seconds before the first check."},
    "period": {"type": "integer", "minimum": 1},
    "timeout": {"type": "integer", "minimum": 1},
    "failure_threshold": {"type": "integer", "minimum": 1},
    "success_threshold": {"type": "integer", "minimum": 1},
}

PROBE = {
    "anyOf": [
        {"type": "string", "pattern": "^/", "description": "Shorthand: an HTTP GET path on the first port."},
        {"type": "object", "additionalProperties": False,
         "properties": {
             "http": {"type": "string", "pattern": "^/", "description": "HTTP GET path."},
             "tcp": {**PORT_REF, "description": "A TCP port (number or name) that must accept connections."},
             "exec": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                      "description": "A command run in the container; exit 0 means healthy."},
             "port": PORT_REF,
             **_TIMING,
         }},
    ],
}

HEALTH = {
    "anyOf": [
        {"type": "string", "pattern": "^/", "description": "An HTTP path used for liveness and readiness."},
        {"type": "object", "additionalProperties": False,
         "properties": {
             **PROBE["anyOf"][1]["properties"],
             "liveness": PROBE, "readiness": PROBE, "startup": PROBE,
         }},
    ],
    "description": "Health checks. `health: /healthz` (or `{http: /healthz}`, `{tcp: 5432}`, `{exec: [...]}`) gives "
                   "liveness and readiness probes; `liveness`/`readiness`/`startup` set each one apart.",
    "examples": ["/healthz", {"http": "/healthz", "period": 10}],
}

EXPOSE = {
    "anyOf": [
        {"type": "boolean", "description": "`true`: a Service inside the cluster."},
        {"type": "object", "additionalProperties": False,
         "properties": {
             "type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"], "description": "The Service type."},
             "port": PORT_REF,
             "host": {"type": "string",
                      "pattern": r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
                      "x-message": "{field} {value} is not a valid host name",
                      "description": "An Ingress host: adds an Ingress routing it to the Service."},
             "path": {"type": "string", "pattern": "^/"},
             "tls": {"anyOf": [{"type": "boolean"}, NAME],
                     "description": "`true` (a TLS Secret named `<app>-tls`) or the name of the TLS Secret."},
             "class": {"type": "string", "description": "The IngressClass."},
         }},
    ],
    "description": "Exposure: `true` for a Service, or a map with an Ingress `host`.",
    "examples": [True, {"host": "api.example.com", "tls": True}],
}

CMD = {"anyOf": [{"type": "array", "items": {"type": ["string", "number"]}}, {"type": "string"}],
       "description": "A list of words (a string is split like a shell would, without expansion)."}



COMMAND_LIST = {"type": "array", "items": {"type": "string"}, "minItems": 1}

VOLUMES = {
    "type": "object",
    "description": "Volumes by name, each mounted at `mount`: `{empty: true}` (scratch space; "
                   "`{empty: {memory: true, size: 64Mi}}`), `{config: NAME}` (a ConfigMap's keys as files), "
                   "`{secret: NAME}` (a Secret's keys as files) or `{claim: NAME}` (an existing PersistentVolumeClaim).",
    "propertyNames": {"maxLength": 63, "pattern": DNS1123_LABEL},
    "additionalProperties": {
        "type": "object", "additionalProperties": False, "required": ["mount"],
        "properties": {
            "mount": {"type": "string", "pattern": "^/", "description": "Absolute path in the container."},
            "read_only": {"type": "boolean"},
            "sub_path": {"type": "string"},
            "empty": {"anyOf": [{"const": True}, {"type": "object", "additionalProperties": False,
                                                  "properties": {"memory": {"type": "boolean"}, "size": QTY}}]},
            "config": NAME, "secret": NAME, "claim": NAME,
        },
        "oneOf": [{"required": ["empty"]}, {"required": ["config"]}, {"required": ["secret"]}, {"required": ["claim"]}],
        "x-message": "{field} needs exactly one source: empty, config, secret or claim",
    },
    "examples": [{"cache": {"empty": True, "mount": "/var/cache/app"}, "settings": {"config": "api-config", "mount": "/etc/api"}}],
}

ENV_FROM = {
    "type": "array",
    "description": "Load every key of a ConfigMap or Secret as environment variables.",
    "items": {"type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 2,
              "properties": {"config": NAME, "secret": NAME, "prefix": {"type": "string"}}},
    "examples": [[{"config": "api-config"}]],
}

LIFECYCLE = {
    "type": "object", "additionalProperties": False,
    "description": "Container lifecycle hooks: commands run after start and before stop.",
    "properties": {"post_start": COMMAND_LIST, "pre_stop": COMMAND_LIST,
                   "termination_grace": {"type": "integer", "minimum": 0,
                                         "description": "Seconds the pod gets to stop (terminationGracePeriodSeconds)."}},
}


def _container_props() -> dict:
    return {
        "image": {"type": "string", "minLength": 1,
                  "pattern": r"^[a-z0-9]([-a-z0-9._/:]*[a-z0-9])?(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$",
                  "x-message": "{field} {value} is not a valid image reference",
                  "x-hint": "write REGISTRY/REPOSITORY:TAG in lower case, e.g. `ghcr.io/acme/api:1.4.2`",
                  "description": "The container image, `repository:tag` (pin a tag; `@sha256:` digests welcome)."},
        "command": CMD, "args": CMD,
        "port": {**PORT_NUMBER, "description": "Shorthand for `ports: {http: PORT}`."},
        "ports": PORTS,
        "env": ENV,
        "secrets": SECRET_REFS,
        "env_from": ENV_FROM,
        "resources": RESOURCES,
        "health": HEALTH,
        "mounts": {"type": "object", "description": "Mount the workload's volumes: `{volume-name: /path}`.",
                   "additionalProperties": {"type": "string", "pattern": "^/"}},
        "lifecycle": LIFECYCLE,
    }


CONTAINERS = {
    "type": "object",
    "description": "Extra containers by name, each with the fields of the main container (image, command, "
                   "ports, env, resources, health, `mounts`).",
    "propertyNames": {"maxLength": 63, "pattern": DNS1123_LABEL},
    "additionalProperties": {"type": "object", "additionalProperties": False, "required": ["image"],
                             "properties": None},  # filled below
}

TOLERATION = {
    "type": "object", "additionalProperties": False,
    "properties": {"key": {"type": "string"}, "operator": {"enum": ["Equal", "Exists"]}, "value": {"type": "string"},
                   "effect": {"enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"]},
                   "seconds": {"type": "integer", "minimum": 0, "description": "tolerationSeconds (NoExecute)."}},
}

SCHEDULING = {
    "node_selector": {**STR_MAP, "description": "Run only on nodes with these labels."},
    "tolerations": {"type": "array", "items": TOLERATION},
    "spread": {"anyOf": [{"enum": ["nodes", "zones"]},
                         {"type": "array", "items": {"enum": ["nodes", "zones"]}, "uniqueItems": True}],
               "description": "Spread replicas over nodes and/or zones (topology spread constraints)."},
    "affinity": {"type": "object", "description": "A raw Kubernetes `affinity` block, for what `spread` cannot say."},
    "priority_class": {"type": "string", "description": "The PriorityClass of the pods."},
    "image_pull_secrets": {"type": "array", "items": NAME, "description": "Secrets with registry credentials."},
    "service_account": {**NAME, "description": "The ServiceAccount the pods run as."},
}

# What skyspec names an object by: a patch may not change it (the other formats, the file
# names and the cross references all follow the name skyspec gave).
_SKYSPECS = {"not": {}, "x-message": "{field} is skyspec's: the escape hatch patches an object, it cannot rename, "
                                     "move or retype it",
             "x-hint": "rename the spec, or give it a `namespace:`"}
K8S_PATCH = {
    "type": "object",
    "description": "Escape hatch: patches merged into the generated objects, by kind "
                   "(`{Deployment: {spec: {minReadySeconds: 10}}}`). Maps merge, lists and scalars replace. "
                   "An object's apiVersion, kind, name and namespace stay skyspec's.",
    "propertyNames": {"pattern": "^[A-Z][A-Za-z]+$"},
    "additionalProperties": {"type": "object", "properties": {
        "apiVersion": _SKYSPECS, "kind": _SKYSPECS, "spec": {"type": "object"},
        "metadata": {"type": "object", "properties": {"name": _SKYSPECS, "namespace": _SKYSPECS}}}},
    "examples": [{"Deployment": {"spec": {"minReadySeconds": 10}}}],
}

SIZE = {  # a volume's size: always a quantity string (a bare number would be bytes, never meant)
    "type": "string", "pattern": QUANTITY, "x-quantity": True,
    "description": "A volume size in bytes with binary (`Ki`, `Mi`, `Gi`, `Ti`) or decimal (`k`, `M`, `G`, `T`) "
                   "suffixes, as a string: `20Gi`.",
    "x-message": "{field} {value} is not a valid size: write a quantity such as 20Gi",
    "examples": ["20Gi"],
}

STORAGE = {
    "anyOf": [
        SIZE,
        {"type": "object",
         "propertyNames": {"maxLength": 63, "pattern": DNS1123_LABEL},
         "additionalProperties": {"anyOf": [
             SIZE,
             {"type": "object", "additionalProperties": False, "required": ["size"],
              "properties": {"size": SIZE, "mount": {"type": "string", "pattern": "^/"},
                             "class": {"type": "string", "description": "The StorageClass."},
                             "access": {"enum": ["ReadWriteOnce", "ReadWriteOncePod", "ReadOnlyMany", "ReadWriteMany"]}}},
         ]}},
    ],
    "x-hint": "give a size with its unit (`storage: 20Gi`) or name the claims (`storage: {data: 20Gi}`)",
    "description": "Persistent volumes per replica: `storage: 20Gi` (one volume `data` at /data), or by name: "
                   "`{data: {size: 20Gi, mount: /var/lib/postgresql/data, class: fast-ssd}}`.",
    "examples": ["20Gi", {"data": {"size": "20Gi", "mount": "/var/lib/postgresql/data"}}],
}

STRATEGY = {
    "anyOf": [
        {"enum": ["rolling", "recreate", "blue-green", "canary", "on-delete"]},
        {"type": "object", "additionalProperties": False, "maxProperties": 1, "minProperties": 1,
         "properties": {
             "rolling": {"type": "object", "additionalProperties": False,
                         "properties": {"max_surge": {"type": ["integer", "string"]},
                                        "max_unavailable": {"type": ["integer", "string"]},
                                        "partition": {"type": "integer", "minimum": 0,
                                                      "description": "StatefulApp: only pods with an ordinal >= partition update."}}},
             "recreate": {"const": True},
             "on-delete": {"const": True},
             "blue-green": {"type": "object", "additionalProperties": False,
                            "properties": {"active": {"enum": ["blue", "green"]},
                                           "preview_image": {"type": "string",
                                                             "description": "The image the idle color runs (the candidate)."}}},
             "canary": {"type": "object", "additionalProperties": False, "required": ["percent"],
                        "properties": {"percent": {"type": "integer", "minimum": 0, "maximum": 100},
                                       "image": {"type": "string", "description": "The canary's image."}}},
         }},
    ],
    "description": "How updates roll out: rolling (default), recreate, blue-green (two Deployments, the Service "
                   "selects the active color) or canary (a second Deployment with `percent` of the replicas).",
    "examples": [{"rolling": {"max_surge": 1, "max_unavailable": 0}}, {"canary": {"percent": 10, "image": "x/api:2"}}],
}

AUTOSCALE = {
    "type": "object", "additionalProperties": False, "required": ["max"],
    "properties": {"min": {"type": "integer", "minimum": 1}, "max": {"type": "integer", "minimum": 1},
                   "cpu": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Target CPU utilization %."},
                   "memory": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Target memory utilization %."}},
    "description": "A HorizontalPodAutoscaler (autoscaling/v2).",
    "examples": [{"min": 2, "max": 10, "cpu": 70}],
}

CRON = {"type": "string", "description": "A cron schedule: five fields (`0 2 * * *`) or @hourly/@daily/@weekly/@monthly/@yearly.",
        "examples": ["0 2 * * *"]}


SECURITY = {
    "type": "object", "additionalProperties": False,
    "description": "Relax the hardened defaults for this workload, one named field each (every relaxation is "
                   "listed in the build report). Some images need root, a writable root filesystem or a capability.",
    "properties": {
        "run_as_root": {"type": "boolean", "description": "Allow the container to run as root (UID 0)."},
        "run_as_user": {"type": "integer", "minimum": 0, "description": "The UID (default 10001)."},
        "run_as_group": {"type": "integer", "minimum": 0},
        "fs_group": {"type": "integer", "minimum": 0},
        "writable_root_fs": {"type": "boolean", "description": "Allow writes to the root filesystem."},
        "privilege_escalation": {"type": "boolean"},
        "add_capabilities": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z_]+$"}},
        "service_account_token": {"type": "boolean", "description": "Mount the API token though no role is bound."},
        "image_digest": {"const": False, "description": "The image is knowingly pinned by tag, not by digest."},
        "network_policy": {"const": False, "description": "Generate no NetworkPolicy for this workload."},
    },
    "examples": [{"run_as_user": 999, "writable_root_fs": True}],
}


def _common(kind: str) -> dict:
    return {
        "kind": {"const": kind},
        "name": NAME,
        "namespace": {**NAME, "description": "Overrides the project's namespace."},
        "labels": LABELS,
        "annotations": ANNOTATIONS,
    }


USE = {"type": "string", "minLength": 1,
       "description": "A template beneath this spec: a stdlib component (`postgres`, `redis`, `celery`, ...) or a "
                      "project file (`./templates/python-service.yaml`). Its parameters become fields of this spec.",
       "examples": ["postgres"]}


def _workload(kind: str) -> dict[str, Any]:
    props = {**_common(kind), "use": USE, **_container_props(), **SCHEDULING}
    props.update({
        "connect_to": {"type": "array", "items": NAME, "uniqueItems": True,
                       "description": "Workloads this one talks to: discovery env vars, Compose `depends_on`, "
                                      "NetworkPolicy allows."},
        "volumes": VOLUMES,
        "sidecars": CONTAINERS,
        "init": {**CONTAINERS, "description": "Init containers by name, run in order before the main container."},
        "k8s": K8S_PATCH,
        "security": SECURITY,
    })
    return props


CONTAINERS["additionalProperties"]["properties"] = {
    k: v for k, v in _container_props().items() if k not in ("port",)}


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
             "env": ENV, "secretRefs": SECRET_REFS, "resources": RESOURCES, "probe": PROBE, "health": HEALTH,
             "expose": EXPOSE, "command": CMD, "commandList": COMMAND_LIST, "volumes": VOLUMES, "envFrom": ENV_FROM,
             "lifecycle": LIFECYCLE, "labels": LABELS, "annotations": ANNOTATIONS, "stringMap": STR_MAP,
             "toleration": TOLERATION, "k8sPatch": K8S_PATCH, "security": SECURITY, "storage": STORAGE,
             "strategy": STRATEGY, "autoscale": AUTOSCALE, "containers": CONTAINERS}
    return {id(v): k for k, v in named.items()}


def with_defs(schema: dict) -> dict:
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
            return {k: (v if k in ("examples", "const", "enum", "default") else walk(v)) for k, v in node.items()}
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
        "replicas": {"type": "integer", "minimum": 0, "description": "Pod count (the minimum when `autoscale` is set)."},
        "expose": EXPOSE,
        "strategy": STRATEGY,
        "autoscale": AUTOSCALE,
    })
    return _doc("App", "skyspec App", props, ["kind", "name", "image"],
                "A stateless workload: a Deployment, a Service for its ports, an Ingress when exposed with a host.")


def statefulapp_schema() -> dict:
    props = _workload("StatefulApp")
    props.update({
        "replicas": {"type": "integer", "minimum": 0},
        "expose": EXPOSE,
        "storage": STORAGE,
        "strategy": STRATEGY,
        "pod_management": {"enum": ["OrderedReady", "Parallel"],
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
        "completions": {"type": "integer", "minimum": 1},
        "parallelism": {"type": "integer", "minimum": 0},
        "backoff_limit": {"type": "integer", "minimum": 0, "description": "Retries before the Job fails."},
        "active_deadline": {"type": "integer", "minimum": 1, "description": "Seconds the Job may run."},
        "ttl": {"type": "integer", "minimum": 0, "description": "Seconds to keep a finished Job."},
        "restart": {"enum": ["OnFailure", "Never"], "description": "Pod restart policy (default OnFailure)."},
    })
    return props


def job_schema() -> dict:
    return _doc("Job", "skyspec Job", _job_props("Job"), ["kind", "name", "image"],
                "A run-to-completion workload: a Job.")


def cronjob_schema() -> dict:
    props = _job_props("CronJob")
    props.update({
        "schedule": CRON,
        "time_zone": {"type": "string", "description": "An IANA time zone, e.g. `Europe/Paris`."},
        "concurrency": {"enum": ["Allow", "Forbid", "Replace"]},
        "history": {"type": "object", "additionalProperties": False,
                    "properties": {"successful": {"type": "integer", "minimum": 0},
                                   "failed": {"type": "integer", "minimum": 0}}},
        "suspend": {"type": "boolean"},
        "starting_deadline": {"type": "integer", "minimum": 1},
    })
    return _doc("CronJob", "skyspec CronJob", props, ["kind", "name", "image", "schedule"],
                "A Job on a schedule: a CronJob.")


def configmap_schema() -> dict:
    props = {
        **_common("ConfigMap"),
        "data": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]},
                 "description": "Literal entries."},
        "files": {"type": "object", "additionalProperties": {"type": "string"},
                  "description": "Entries read from files (paths relative to the project file, inside the project)."},
        "json": {"type": "object", "description": "Entries rendered as JSON from structured values."},
        "yaml": {"type": "object", "description": "Entries rendered as YAML from structured values."},
        "k8s": K8S_PATCH,
    }
    return _doc("ConfigMap", "skyspec ConfigMap", props, ["kind", "name"],
                "Configuration data, mounted as files (`volumes: {x: {config: NAME, mount: /etc/x}}`) or loaded as "
                "environment variables (`env_from: [{config: NAME}]`).")


def secret_schema() -> dict:
    ext = {"type": "object", "additionalProperties": False, "required": ["store", "data"],
           "properties": {
               "store": {"type": "string", "description": "The SecretStore (or ClusterSecretStore) name."},
               "store_kind": {"enum": ["SecretStore", "ClusterSecretStore"]},
               "refresh": {"type": "string", "pattern": r"^([0-9]+(s|m|h))+$", "description": "e.g. `1h`."},
               "data": {"type": "object", "description": "Secret key -> the remote key (`path` or `path#property`).",
                        "additionalProperties": {"type": "string", "minLength": 1}},
           }}
    props = {
        **_common("Secret"),
        "type": {"type": "string", "description": "The Secret type, e.g. `kubernetes.io/tls`."},
        "existing": {"const": True, "description": "The Secret exists in the cluster already: nothing is generated."},
        "external": {**ext, "description": "Fetched from an external store by the External Secrets operator "
                                           "(an ExternalSecret is generated)."},
        "keys": {"type": "array", "items": {"type": "string"}, "description": "Keys supplied at deploy time."},
        "data": {"type": "object", "additionalProperties": {"type": "string"},
                 "description": "Literal values: refused in protected environments and never written to any output."},
    }
    return _doc("Secret", "skyspec Secret", props, ["kind", "name"],
                "A reference to secret data: an existing cluster Secret, an external store entry, or keys "
                "supplied at deploy time. Values never appear in generated files.")


def serviceaccount_schema() -> dict:
    props = {**_common("ServiceAccount"),
             "automount_token": {"type": "boolean", "description": "Mount the API token into pods."},
             "k8s": K8S_PATCH}
    return _doc("ServiceAccount", "skyspec ServiceAccount", props, ["kind", "name"], "An identity for pods.")


def role_schema() -> dict:
    rule = {"type": "object", "additionalProperties": False, "required": ["resources", "verbs"],
            "properties": {"api_groups": {"type": "array", "items": {"type": "string"}},
                           "resources": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                           "names": {"type": "array", "items": {"type": "string"}},
                           "verbs": {"type": "array", "minItems": 1, "items": {
                               "enum": ["get", "list", "watch", "create", "update", "patch", "delete",
                                        "deletecollection", "*"]}}}}
    props = {**_common("Role"), "kind": {"enum": ["Role", "ClusterRole"]},
             "rules": {"type": "array", "items": rule, "minItems": 1},
             "bind": {"type": "array", "items": NAME, "description": "ServiceAccounts granted this role (a binding is generated)."},
             "k8s": K8S_PATCH}
    return _doc("Role", "skyspec Role / ClusterRole", props, ["kind", "name", "rules"],
                "RBAC rules, and the binding to service accounts.")


def networkpolicy_schema() -> dict:
    peer = {"type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 1,
            "properties": {"app": NAME, "labels": STR_MAP, "namespace": NAME,
                           "cidr": {"type": "string", "pattern": r"^[0-9a-fA-F:.]+/[0-9]{1,3}$"}}}
    props = {**_common("NetworkPolicy"),
             "select": {"type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 1,
                        "properties": {"app": NAME, "labels": STR_MAP},
                        "description": "The pods it applies to (omit for every pod of the namespace)."},
             "deny_all": {"type": "boolean", "description": "Deny all traffic to (and from) the selected pods, "
                                                            "except what `allow_from`/`allow_to` permit."},
             "allow_from": {"type": "array", "items": peer},
             "allow_to": {"type": "array", "items": peer},
             "ports": {"type": "array", "items": PORT_NUMBER, "description": "Limit the allowed traffic to these ports."},
             "k8s": K8S_PATCH}
    return _doc("NetworkPolicy", "skyspec NetworkPolicy", props, ["kind", "name"],
                "Which traffic may reach (or leave) pods.")


def securitypolicy_schema() -> dict:
    props = {**_common("SecurityPolicy"),
             "level": {"enum": ["privileged", "baseline", "restricted"],
                       "description": "The Pod Security Standards level enforced on the namespace."},
             "mode": {"enum": ["enforce", "audit", "warn"], "description": "Default enforce."}}
    return _doc("SecurityPolicy", "skyspec SecurityPolicy", props, ["kind", "name", "level"],
                "Pod Security Standards for the namespace (labels on the Namespace object).")


def observability_schema() -> dict:
    props = {**_common("Observability"),
             "apps": {"type": "array", "items": NAME, "minItems": 1, "description": "The workloads it applies to."},
             "metrics": {"type": "object", "additionalProperties": False, "required": ["port"],
                         "properties": {"port": PORT_REF, "path": {"type": "string", "pattern": "^/"},
                                        "interval": {"type": "string", "pattern": r"^[0-9]+(s|m)$"},
                                        "service_monitor": {"type": "boolean",
                                                            "description": "Emit a Prometheus Operator ServiceMonitor."},
                                        "annotations": {"type": "boolean",
                                                        "description": "Add prometheus.io/scrape annotations to the pods."}}},
             "logging": {"type": "object", "additionalProperties": False,
                         "properties": {"level": {"enum": ["debug", "info", "warn", "error"]},
                                        "format": {"enum": ["json", "text"]}}},
             "tracing": {"type": "object", "additionalProperties": False, "required": ["endpoint"],
                         "properties": {"endpoint": {"type": "string"},
                                        "sample_rate": {"type": "number", "minimum": 0, "maximum": 1}}}}
    return _doc("Observability", "skyspec Observability", props, ["kind", "name", "apps"],
                "Metrics scraping (ServiceMonitor and/or annotations), and logging and tracing settings passed to "
                "the apps as environment variables.")


def resource_schema() -> dict:
    meta = {"type": "object",
            "description": "The object's metadata; `name` defaults to the document's name and must equal it.",
            "properties": {
                "name": {"type": "string", "maxLength": 253, "pattern": DNS1123_SUBDOMAIN,
                         "description": "A DNS-1123 subdomain: lower-case letters, digits, '-' and '.'.",
                         "x-message": "{field} {value} is not a valid object name",
                         "x-hint": "use lower-case letters, digits, '-' and '.' (a DNS-1123 subdomain), "
                                   "the same as the document's `name`"},
                "namespace": {**NAME, "description": "A DNS-1123 label (the project's namespace when missing)."}}}
    manifest = {
        "type": "object", "required": ["apiVersion", "kind"],
        "description": "Any Kubernetes object, emitted as written (namespace added when missing).",
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
        "examples": [{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                      "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}}}],
    }
    props = {**_common("Resource"), "manifest": manifest}
    return _doc("Resource", "skyspec Resource", props, ["kind", "name", "manifest"],
                "An escape hatch: a raw Kubernetes object.")


QUOTA = {
    "type": "object", "additionalProperties": False,
    "description": "Limits on the sum over workloads of requests x replicas (and of storage): over quota is an "
                   "error; a ResourceQuota is emitted.",
    "properties": {"cpu": QTY, "memory": QTY, "storage": QTY, "pods": {"type": "integer", "minimum": 0}},
    "examples": [{"cpu": "40", "memory": "96Gi", "storage": "2Ti"}],
}
BUDGET = {
    "type": "object", "additionalProperties": False, "required": ["monthly"],
    "description": "The cost gate: `build` and `cost` fail when the monthly estimate exceeds it.",
    "properties": {"monthly": {"type": "number", "minimum": 0}},
    "examples": [{"monthly": 4000}],
}
POLICY = {
    "type": "object", "additionalProperties": False,
    "description": "Policy rule severities by rule id (`error`, `warning`, `off`).",
    "properties": {"rules": {"type": "object", "additionalProperties": {"enum": ["error", "warning", "off", False],
                                                                          "description": "`off` (YAML may read a bare "
                                                                                         "off as false: both work)."}}},
    "examples": [{"rules": {"single-replica": "off"}}],
}
PRICES = {
    "type": "object", "additionalProperties": False,
    "description": "The price table for cost estimates (defaults: cpu_core_hour 0.0316, memory_gib_hour 0.0042, "
                   "storage_gib_month 0.10, in USD).",
    "properties": {"cpu_core_hour": {"type": "number", "minimum": 0},
                   "memory_gib_hour": {"type": "number", "minimum": 0},
                   "storage_gib_month": {"type": "number", "minimum": 0},
                   "currency": {"type": "string"}},
    "examples": [{"cpu_core_hour": 0.0316, "memory_gib_hour": 0.0042, "storage_gib_month": 0.1}],
}



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
                         "description": "Overlay files, applied in order after the built-in profile."},
            "profile": {"enum": ["dev", "qa", "prod"],
                        "description": "The built-in profile (defaults to the environment's name when it is one)."},
            "protected": {"type": "boolean", "description": "Locked: refuses literal secrets and unpinned images."},
            "namespace": NAME,
            "vars": {"type": "object", "description": "Variables for `${vars.NAME}` in this environment."},
            "quota": QUOTA,
            "budget": BUDGET,
            "policy": POLICY,
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
            "project": NAME,
            "namespace": NAME,
            "specs": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                      "description": "Globs (relative to the project file) of spec files.",
                      "examples": [["apps/**/*.yaml", "apps/**/*.toml"]]},
            "python": {"type": "boolean", "default": False,
                       "description": "Run `.py` spec, overlay and template files. They are Python code that "
                                      "skyspec runs while loading the project (in check, build and a pre-commit "
                                      "hook alike): enable this only for code you trust. `--allow-python` does "
                                      "the same for one run."},
            "vars": {"type": "object", "description": "Variables for `${vars.NAME}`, overridable per environment."},
            "environments": {"type": "object", "minProperties": 1,
                             "propertyNames": {"pattern": DNS1123_LABEL},
                             "additionalProperties": env},
            "targets": {"type": "object",
                        "description": "Clusters (KubeStellar-style): each selects workloads for some environments "
                                       "and adds its own overlays; each is built into its own folder `<env>.<target>/`.",
                        "propertyNames": {"pattern": DNS1123_LABEL},
                        "additionalProperties": {
                            "type": "object", "additionalProperties": False, "required": ["environments"],
                            "properties": {
                                "environments": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                                "select": {"type": "object", "additionalProperties": False, "minProperties": 1,
                                           "properties": {"labels": STR_MAP, "names": {"type": "array", "items": {"type": "string"}},
                                                          "kinds": {"type": "array", "items": {"type": "string"}}},
                                           "description": "Workloads bound to this target (all when omitted)."},
                                "overlays": {"type": "array", "items": {"type": "string"}},
                                "namespace": NAME,
                            }}},
            "prices": PRICES,
            "policy": POLICY,
            "node": {"type": "object", "additionalProperties": False,
                     "description": "The size of one node: a request larger than this can never be scheduled.",
                     "properties": {"cpu": QTY, "memory": QTY}},
            "outputs": {"type": "array", "uniqueItems": True,
                        "items": {"enum": ["kubernetes", "compose", "helm", "kustomize"]}},
            "base": {"type": "string", "pattern": DNS1123_LABEL,
                     "description": "The environment the Helm chart's values.yaml and the Kustomize base "
                                    "describe; the other environments are differences from it. Default: the "
                                    "first environment listed."},
            "limits": _limits_schema(),
        },
    }


RATIO = {"type": "number", "exclusiveMinimum": 0, "maximum": 1000}
SETTINGS = {
    "type": "object", "additionalProperties": False,
    "description": "Settings for the optimizer passes in this environment (each pass's docstring says more).",
    "properties": {
        "harden": {"type": "boolean", "description": "`false`: no hardened defaults (e.g. for a local profile)."},
        "network_policies": {"type": "boolean", "description": "`false`: no default-deny NetworkPolicy and allows."},
        "pdb": {"type": "boolean", "description": "A PodDisruptionBudget for every workload running 2+ replicas."},
        "spread": {"anyOf": [{"enum": ["nodes", "zones"]},
                             {"type": "array", "items": {"enum": ["nodes", "zones"]}, "uniqueItems": True}],
                   "description": "Topology spread for workloads running 2+ replicas whose spec sets none."},
        "limits": {"type": "object", "additionalProperties": False,
                   "description": "Limits from requests when a spec sets none: CPU x `cpu` (default 2), memory x "
                                  "`memory` (default 1); a limit above `warn_ratio` (default 4) x the request is a "
                                  "warning.",
                   "properties": {"cpu": RATIO, "memory": RATIO, "warn_ratio": RATIO}},
        "sidecar_resources": {"type": "object", "additionalProperties": False,
                              "description": "Requests of sidecars and init containers that set none "
                                             "(default 50m / 64Mi).",
                              "properties": {"cpu": QTY, "memory": QTY}},
    },
    "examples": [{"pdb": True, "spread": ["nodes", "zones"]}],
}


def overlay_schema() -> dict:
    patch = {"type": "object", "description": "A patch: the fields of a spec, with `+` `!` `-` key operators."}
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
                                                 "values win (e.g. default resources for an environment)."},
            "settings": SETTINGS,
            "all": patch,
            "match": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["where", "patch"],
                "properties": {
                    "where": {"type": "object", "additionalProperties": False, "minProperties": 1,
                              "properties": {"kind": {"type": "string"}, "name": {"type": "string"},
                                             "labels": STR_MAP}},
                    "patch": patch,
                    "optional": {"type": "boolean", "description": "Allow the match to select nothing."},
                }}},
            "apps": {"type": "object", "additionalProperties": patch,
                     "description": "Patches by workload name (`Kind/name` when two kinds share a name)."},
        },
    }


def all_schemas() -> dict[str, dict]:
    """file name -> schema, for every schema skyspec publishes."""
    return {
        "app.json": app_schema(),
        "statefulapp.json": statefulapp_schema(),
        "job.json": job_schema(),
        "cronjob.json": cronjob_schema(),
        "configmap.json": configmap_schema(),
        "secret.json": secret_schema(),
        "serviceaccount.json": serviceaccount_schema(),
        "role.json": role_schema(),
        "networkpolicy.json": networkpolicy_schema(),
        "securitypolicy.json": securitypolicy_schema(),
        "observability.json": observability_schema(),
        "resource.json": resource_schema(),
        "project.json": project_schema(),
        "overlay.json": overlay_schema(),
    }


def write_schemas(out_dir) -> list[str]:
    from pathlib import Path

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = []
    for name, schema in sorted(all_schemas().items()):
        (out / name).write_text(dumps(schema), encoding="utf-8")
        names.append(name)
    return names


def dumps(schema: dict) -> str:
    return json.dumps(copy.deepcopy(schema), indent=2, ensure_ascii=False) + "\n"
