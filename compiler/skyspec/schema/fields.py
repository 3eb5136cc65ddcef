"""The shared field definitions of the spec language, as JSON Schema values: names,
quantities, ports, env, probes, volumes, scheduling, the container fields and the fields
every workload kind has. Kind schemas (:mod:`.kinds`) and the project file's schema
(:mod:`.project`) are built from these; the pieces are reused by identity so that
:func:`.kinds.with_defs` turns each into one `$defs` entry. This module only holds data: it
must not read files or validate.
"""

from __future__ import annotations

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
    "description": "Named ports: `{http: 8080}`, `{grpc: {port: 9090, protocol: TCP}}`, or with a Service port "
                   "that differs from the container port: `{http: {port: 8080, service: 80}}`.",
    "propertyNames": {"maxLength": 15, "pattern": DNS1123_LABEL},
    "additionalProperties": {
        "anyOf": [
            PORT_NUMBER,
            {"type": "object", "additionalProperties": False, "required": ["port"],
             "properties": {"port": PORT_NUMBER,
                            "service": {**PORT_NUMBER,
                                        "description": "The Service's port when it differs from the container "
                                                       "port (clients in Kubernetes use it; Compose clients use "
                                                       "the container port)."},
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
             "headers": {"type": "object", "description": "HTTP headers sent with the GET (`{X-Probe: \"1\"}`).",
                         "propertyNames": {"pattern": r"^[A-Za-z0-9!#%&'*+.^_`|~-]+$"},
                         "additionalProperties": {"type": "string"}},
             "tcp": {**PORT_REF, "description": "A TCP port (number or name) that must accept connections."},
             "grpc": {**PORT_REF, "description": "A gRPC port (number or name) answering the gRPC health "
                                                 "checking protocol."},
             "service": {"type": "string", "description": "gRPC: the service name sent in the health check."},
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
    "description": "Health checks. `health: /healthz` (or `{http: /healthz}`, `{tcp: 5432}`, `{grpc: 7070}`, "
                   "`{exec: [...]}`) gives liveness and readiness probes; `liveness`/`readiness`/`startup` set each "
                   "one apart; timing fields beside them apply to each probe that does not set its own, and a probe "
                   "that names no check (`liveness: {initial_delay: 300}`) takes the check beside it.",
    "examples": ["/healthz", {"http": "/healthz", "period": 10}],
}

EXPOSE = {
    "anyOf": [
        {"type": "boolean", "description": "`true`: a Service inside the cluster."},
        {"type": "object", "additionalProperties": False,
         "properties": {
             "type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"], "description": "The Service type."},
             "port": PORT_REF,
             "node_port": {"type": "integer", "minimum": 1, "maximum": 65535,
                           "description": "NodePort/LoadBalancer: the node port of the exposed port (the cluster's "
                                          "range, 30000-32767 by default)."},
             "source_ranges": {"type": "array", "minItems": 1, "uniqueItems": True,
                               "items": {"type": "string", "pattern": r"^[0-9a-fA-F:.]+/[0-9]{1,3}$"},
                               "description": "LoadBalancer: the client CIDRs allowed (loadBalancerSourceRanges)."},
             "host": {"type": "string",
                      "pattern": r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
                      "x-message": "{field} {value} is not a valid host name",
                      "description": "An Ingress host: adds an Ingress routing it to the Service."},
             "path": {"type": "string", "pattern": "^/"},
             "tls": {"anyOf": [{"type": "boolean"}, NAME],
                     "description": "`true`: a TLS Secret named `<app>-tls` (made by a certificate manager); or the "
                                    "name of a TLS Secret the project declares (`kind: Secret`, with `existing: true` "
                                    "or the keys `tls.crt` and `tls.key`).",
                     "x-message": "{field} must be true, false or the name of a TLS Secret, got {value}"},
             "class": {"type": "string", "description": "The IngressClass."},
         }},
    ],
    "description": "Exposure: `true` for a Service, or a map with an Ingress `host`, or a Service `type` "
                   "(`{type: NodePort, node_port: 31000}`, `{type: LoadBalancer, source_ranges: [10.0.0.0/8]}`).",
    "examples": [True, {"host": "api.example.com", "tls": True}, {"type": "NodePort", "node_port": 31000}],
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
                   "(`{Deployment: {spec: {minReadySeconds: 10}}}`), as `kubectl patch --type strategic` does: "
                   "maps merge, lists of named items (containers, env, ports, volumes, volumeMounts) merge by "
                   "their key, other lists replace; `$patch: replace` and `$patch: delete` work. An object's "
                   "apiVersion, kind, name and namespace stay skyspec's.",
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

CRON = {"type": "string",
        "description": "A cron schedule as Kubernetes reads it: five fields, minute hour day-of-month month "
                       "day-of-week (`0 2 * * *`, `*/15 9-17 * * mon-fri`), or @yearly, @annually, @monthly, "
                       "@weekly, @daily, @midnight, @hourly, `@every 90m`. The time zone goes in `time_zone`.",
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


CONNECTION = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "env": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$",
                "description": "The variable that receives the peer's address."},
        "form": {"enum": ["address", "url", "host", "port"],
                 "description": "`address` (default): `host:port`; `url`: `http://host:port`; `host`; `port`."},
        "port": {**PORT_REF, "description": "The peer's port (default its first)."},
    },
}

CONNECT_TO = {
    "anyOf": [
        {"type": "array", "uniqueItems": True,
         "items": {"anyOf": [NAME, {"type": "object", "minProperties": 1, "maxProperties": 1,
                                    "propertyNames": NAME, "additionalProperties": CONNECTION}]}},
        {"type": "object", "propertyNames": NAME,
         "additionalProperties": {"anyOf": [{"const": True}, CONNECTION]}},
    ],
    "description": "Workloads this one talks to: discovery env vars, Compose `depends_on`, NetworkPolicy allows. "
                   "A list of names, or a map naming the variable that gets each peer's address: "
                   "`{emailservice: {env: EMAIL_SERVICE_ADDR}}` (the Service port in Kubernetes, the container "
                   "port in Compose).",
    "examples": [["db"], {"emailservice": {"env": "EMAIL_SERVICE_ADDR"}, "db": True}],
}


def _workload(kind: str) -> dict[str, Any]:
    props = {**_common(kind), "use": USE, **_container_props(), **SCHEDULING}
    props.update({
        "connect_to": CONNECT_TO,
        "container": {**NAME, "description": "The main container's name (default: the workload's name)."},
        "enabled": {"type": "boolean",
                    "description": "`false` (in an environment's overlay) leaves the workload, and everything "
                                   "made from it, out of that environment."},
        "volumes": VOLUMES,
        "sidecars": CONTAINERS,
        "init": {**CONTAINERS, "description": "Init containers by name, run in order before the main container."},
        "k8s": K8S_PATCH,
        "security": SECURITY,
    })
    return props


CONTAINERS["additionalProperties"]["properties"] = {
    k: v for k, v in _container_props().items() if k not in ("port",)}
