"""The shared field definitions of the spec language, as JSON Schema values: names,
quantities, ports, env, probes, volumes, scheduling, the container fields and the fields
every workload kind has. Kind schemas (:mod:`.kinds`) and the project file's schema
(:mod:`.project`) are built from these; the pieces are reused by identity so that
:func:`.kinds.with_defs` turns each into one `$defs` entry. This module only holds data: it
must not read files or validate.
"""

from __future__ import annotations

import re

from typing import Any

from .scheduling import AFFINITY, TOLERATION

BASE_URL = "https://skyspec.dev/schemas/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS1123_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
# Kubernetes' own shapes for what a raw `kind: Resource` manifest names: its file name is
# built from `kind` and `metadata.name`, so both are held to them (no `/`, `.`-only or
# control characters can reach a path).
K8S_KIND = r"^[A-Za-z][A-Za-z0-9]*$"
K8S_API_VERSION = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[a-z]([-a-z0-9]*[a-z0-9])?$"
# An environment variable's name as Kubernetes takes it (letters, digits, '_', '-' and '.', not
# starting with a digit: `discovery.type`, as Elasticsearch reads its settings), not ending with
# '-', which an overlay reads as its operator (`NAME-: ...` removes)
# the labels skyspec's backends write on every object (Helm: `instance` from the release,
# `version` from the chart): a spec's own label of one of these keys is dropped with a warning;
# the other recommended labels (`app.kubernetes.io/component`, ...) are the spec's to set
RESERVED_LABELS = frozenset(f"app.kubernetes.io/{k}" for k in ("name", "part-of", "managed-by", "instance", "version"))
ENV_VAR = r"^[-._a-zA-Z]([-._a-zA-Z0-9]*[._a-zA-Z0-9])?$"
OBJECT_KEY = r"^[-._a-zA-Z0-9]+$"   # a key of a ConfigMap or a Secret
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
    "description": "Kubernetes labels added to the objects of this spec (a workload's pods too). skyspec writes "
                   "`app.kubernetes.io/name`, `part-of` and `managed-by` (the Helm chart also `instance` and "
                   "`version`): a label of one of those keys is dropped with a warning (SKY108); "
                   "`app.kubernetes.io/component` and the others are the spec's own.",
    "propertyNames": {"pattern": r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$",
                      "maxLength": 253},
    "additionalProperties": {"type": "string", "maxLength": 63,
                             "pattern": r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$"},
    "examples": [{"tier": "web", "app.kubernetes.io/component": "server"}],
}
ANNOTATIONS = {"type": "object", "additionalProperties": {"type": "string"},
               "propertyNames": LABELS["propertyNames"],   # the API server checks their keys as a label's
               "description": "Kubernetes annotations added to the workload's objects; a workload's scrape "
                              "annotations (`prometheus.io/scrape`, `port`, `path`, `scheme`) are its pods', not "
                              "its Service's (Prometheus would scrape each pod twice).",
               "examples": [{"team.acme.com/owner": "payments"}]}

QTY = {
    "anyOf": [{"type": "string", "pattern": QUANTITY, "x-quantity": True},
              {"type": "number", "minimum": 0}],
    "description": "A Kubernetes quantity: CPU as cores (`0.5`, `2`) or millicores (`250m`); memory and storage in "
                   "bytes with binary (`Ki`, `Mi`, `Gi`, `Ti`) or decimal (`k`, `M`, `G`, `T`) suffixes.",
    "x-message": "{field} {value} is not a valid quantity",
    "examples": ["250m", "256Mi"],
}

PORT_NUMBER = {"type": "integer", "minimum": 1, "maximum": 65535, "examples": [8080]}
PORT_REF = {"anyOf": [PORT_NUMBER, {"type": "string", "pattern": DNS1123_LABEL}],
            "description": "A port number or the name of one of this workload's ports.", "examples": ["http"]}

PORTS = {
    "type": "object",
    "description": "Named ports: `{http: 8080}`, `{grpc: {port: 9090, protocol: TCP}}`, or with a Service port "
                   "that differs from the container port: `{http: {port: 8080, service: 80}}`.",
    "propertyNames": {"maxLength": 15, "pattern": DNS1123_LABEL},
    "additionalProperties": {
        "anyOf": [
            PORT_NUMBER,
            {"type": "object", "additionalProperties": False, "required": ["port"],
             "properties": {"port": {**PORT_NUMBER, "description": "The container port."},
                            "service": {**PORT_NUMBER,
                                        "description": "The Service's port when it differs from the container "
                                                       "port (clients in Kubernetes use it; Compose clients use "
                                                       "the container port)."},
                            "protocol": {"enum": ["TCP", "UDP", "SCTP"], "description": "Default TCP."},
                            "host_port": {**PORT_NUMBER, "description": "Publish on the host (Compose only)."}}},
        ],
    },
    "minProperties": 1,
    "examples": [{"http": 8080}, {"http": {"port": 8080, "service": 80, "protocol": "TCP", "host_port": 8080}}],
}

ENV = {
    "type": "object",
    "description": "Environment variables (a map, so overlays merge it by name). Values may use `${...}` expressions.",
    "propertyNames": {"pattern": ENV_VAR},
    "additionalProperties": {"type": ["string", "number", "boolean"]},
    "examples": [{"LOG_LEVEL": "info"}],
}

SECRET_REFS = {
    "type": "object",
    "description": "Environment variables read from Secrets: `DB_PASSWORD: {secret: pg-credentials, key: password}`. "
                   "References only: a value never appears in a spec.",
    "propertyNames": {"pattern": ENV_VAR},
    "additionalProperties": {
        "type": "object", "additionalProperties": False, "required": ["secret", "key"],
        "properties": {"secret": {**NAME, "description": "A Secret of the project."},
                       "key": {"type": "string", "pattern": OBJECT_KEY, "description": "The Secret's key."},
                       "as": {"enum": ["env", "file"],
                              "description": "`env` (default): the value in the variable (in Compose, set from "
                                             "`${<SECRET>__<KEY>}`, a variable you set in `.env` beside "
                                             "compose.yaml). `file`: the Secret mounted at /run/secrets/<secret>/ "
                                             "and `<VAR>_FILE` set to the key's path (the convention of official "
                                             "images; keeps values out of the environment)."}},
    },
    "examples": [{"DB_PASSWORD": {"secret": "pg-credentials", "key": "password", "as": "file"}}],
}

CONFIG_REFS = {
    "type": "object",
    "description": "Environment variables read from ConfigMap keys: `LOG_LEVEL: {config: api-settings, key: "
                   "log.level}` (a key apart from the others `env_from` would take whole, under a name of its own).",
    "propertyNames": {"pattern": ENV_VAR},
    "additionalProperties": {
        "type": "object", "additionalProperties": False, "required": ["config", "key"],
        "properties": {"config": {**NAME, "description": "A ConfigMap of the project."},
                       "key": {"type": "string", "pattern": OBJECT_KEY, "description": "The ConfigMap's key."},
                       "optional": {"type": "boolean",
                                    "description": "`true`: the variable is left unset when the ConfigMap or the key "
                                                   "is missing (Kubernetes starts the container anyway); default "
                                                   "`false`."}},
    },
    "examples": [{"LOG_LEVEL": {"config": "api-settings", "key": "log.level", "optional": True}}],
}

# The fields of the downward API a container's variable may read (Kubernetes' env validation):
# the pod's, by `fieldRef`, and this container's resources, by `resourceFieldRef`
DOWNWARD_POD = ("metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
                "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs")
DOWNWARD_RESOURCES = tuple(f"{s}.{r}" for s in ("limits", "requests") for r in ("cpu", "memory", "ephemeral-storage"))
_QUALIFIED = r"([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
DOWNWARD_PATTERNS = (rf"^metadata\.(labels|annotations)\['{_QUALIFIED}'\]$",
                     r"^(limits|requests)\.hugepages-[1-9][0-9]*([KMGTPE]i|[kMGTPE])?$")



def downward_field(field: object) -> bool:
    """Whether ``field`` is one a `downward:` variable may read (the schema's test, for the importer)."""
    return isinstance(field, str) and (field in DOWNWARD_POD or field in DOWNWARD_RESOURCES
                                       or any(re.match(p, field) for p in DOWNWARD_PATTERNS))


DOWNWARD = {
    "type": "object",
    "description": "Environment variables read from the pod (Kubernetes' downward API): `POD_IP: status.podIP`, "
                   "`POD_NAME: metadata.name`, `NODE_NAME: spec.nodeName`, a label (`metadata.labels['app']`), "
                   "or this container's requests and limits (`MEMORY_LIMIT: limits.memory`, in bytes; CPU in "
                   "whole cores, rounded up). Compose has no pod: only the resources are written there.",
    "propertyNames": {"pattern": ENV_VAR},
    "additionalProperties": {
        "type": "string",
        "anyOf": [{"enum": list(DOWNWARD_POD + DOWNWARD_RESOURCES)}] + [{"pattern": p} for p in DOWNWARD_PATTERNS],
        "x-message": "{field}: {value} is not a field the downward API gives a variable",
        "x-hint": "a variable reads the pod's " + ", ".join(DOWNWARD_POD) + ", metadata.labels['KEY'], metadata.annotations['KEY']; "
                  "or the container's " + ", ".join(DOWNWARD_RESOURCES)
                  + ", limits.hugepages-SIZE, requests.hugepages-SIZE",
        "description": "A field of the pod (`status.podIP`) or of this container's resources (`limits.memory`).",
    },
    "examples": [{"POD_IP": "status.podIP", "POD_NAME": "metadata.name", "MEMORY_LIMIT": "limits.memory"}],
}

RESOURCES = {
    "type": "object", "additionalProperties": False,
    "description": "Requests (`cpu`, `memory`) and optional limits; missing limits follow the sizing policy.",
    "properties": {"cpu": {**QTY, "description": "The CPU request: cores (`0.5`, `2`) or millicores (`250m`)."},
                   "memory": {**QTY, "description": "The memory request, in bytes with a binary (`Mi`, `Gi`) or "
                                                    "decimal (`M`, `G`) suffix."},
                   "cpu_limit": {**QTY, "description": "The CPU limit (default: the request x the sizing "
                                                       "policy's ratio)."},
                   "memory_limit": {**QTY, "description": "The memory limit (default: the request x the sizing "
                                                          "policy's ratio)."}},
    "examples": [{"cpu": "250m", "memory": "256Mi", "cpu_limit": "1", "memory_limit": "512Mi"}],
}

_TIMING = {
    "initial_delay": {"type": "integer", "minimum": 0, "description": "Seconds before the first check.",
                      "examples": [5]},
    "period": {"type": "integer", "minimum": 1, "description": "Seconds between checks (Kubernetes' default 10).",
               "examples": [10]},
    "timeout": {"type": "integer", "minimum": 1, "description": "Seconds a check may take (default 1).",
                "examples": [2]},
    "failure_threshold": {"type": "integer", "minimum": 1,
                          "description": "Failed checks in a row that count as a failure (default 3).",
                          "examples": [3]},
    "success_threshold": {"type": "integer", "minimum": 1,
                          "description": "Passed checks in a row that count as a success (default 1; liveness and "
                                         "startup probes need 1).", "examples": [1]},
}

PROBE = {
    "examples": ["/ready"],
    "anyOf": [
        {"type": "string", "pattern": "^/", "description": "Shorthand: an HTTP GET path on the first port."},
        {"type": "object", "additionalProperties": False,
         "properties": {
             "http": {"type": "string", "pattern": "^/", "description": "HTTP GET path.", "examples": ["/healthz"]},
             "headers": {"type": "object", "description": "HTTP headers sent with the GET (`{X-Probe: \"1\"}`).",
                         "propertyNames": {"pattern": r"^[A-Za-z0-9!#%&'*+.^_`|~-]+$"},
                         "additionalProperties": {"type": "string"}, "examples": [{"X-Probe": "1"}]},
             "tcp": {**PORT_REF, "description": "A TCP port (number or name) that must accept connections."},
             "grpc": {**PORT_REF, "description": "A gRPC port (number or name) answering the gRPC health "
                                                 "checking protocol."},
             "service": {"type": "string", "description": "gRPC: the service name sent in the health check.",
                         "examples": ["hipstershop.CartService"]},
             "exec": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                      "description": "A command run in the container; exit 0 means healthy.",
                      "examples": [["pg_isready", "-U", "postgres"]]},
             "port": {**PORT_REF, "description": "HTTP: the port to GET (default the first)."},
             "scheme": {"enum": ["HTTP", "HTTPS"],
                        "description": "HTTP: `HTTPS` sends the GET over TLS, to a port that serves only TLS "
                                       "(Kubernetes does not verify the certificate); default `HTTP`.",
                        "examples": ["HTTPS"]},
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
    "examples": ["/healthz", {"http": "/healthz", "period": 10},
                 {"liveness": {"tcp": "http"}, "readiness": {"http": "/ready", "headers": {"X-Probe": "1"}},
                  "initial_delay": 5}],
}

# an Ingress rule's host: a DNS name, lower case, a leading `*.` allowed (networking.k8s.io/v1)
INGRESS_HOST = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"

EXPOSE = {
    "anyOf": [
        {"type": "boolean", "description": "`true`: a Service inside the cluster."},
        {"type": "object", "additionalProperties": False,
         "properties": {
             "type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"], "description": "The Service type."},
             "port": PORT_REF,
             "node_port": {"type": "integer", "minimum": 1, "maximum": 65535, "examples": [31000],
                           "description": "NodePort/LoadBalancer: the node port of the exposed port (the cluster's "
                                          "range, 30000-32767 by default)."},
             "source_ranges": {"type": "array", "minItems": 1, "uniqueItems": True, "examples": [["10.0.0.0/8"]],
                               "items": {"type": "string", "pattern": r"^[0-9a-fA-F:.]+/[0-9]{1,3}$"},
                               "description": "LoadBalancer: the client CIDRs allowed (loadBalancerSourceRanges)."},
             "host": {"type": "string", "pattern": INGRESS_HOST,
                      "x-message": "{field} {value} is not a valid host name",
                      "description": "An Ingress host: adds an Ingress routing it to the Service."},
             "path": {"type": "string", "pattern": "^/", "description": "The Ingress path (default `/`).",
                      "examples": ["/api"]},
             "tls": {"anyOf": [{"type": "boolean"}, NAME],
                     "description": "`true`: a TLS Secret named `<app>-tls` (made by a certificate manager); or the "
                                    "name of a TLS Secret the project declares (`kind: Secret`, with `existing: true` "
                                    "or the keys `tls.crt` and `tls.key`).",
                     "x-message": "{field} must be true, false or the name of a TLS Secret, got {value}"},
             "class": {"type": "string", "description": "The IngressClass.", "examples": ["nginx"]},
         }},
    ],
    "description": "Exposure: `true` for a Service, or a map with an Ingress `host`, or a Service `type` "
                   "(`{type: NodePort, node_port: 31000}`, `{type: LoadBalancer, source_ranges: [10.0.0.0/8]}`).",
    "examples": [True, {"host": "api.example.com", "tls": True}, {"type": "NodePort", "node_port": 31000},
                 {"type": "LoadBalancer", "source_ranges": ["10.0.0.0/8"]}],
}

CMD = {"anyOf": [{"type": "array", "items": {"type": ["string", "number"]}}, {"type": "string"}],
       "description": "A list of words (a string is split like a shell would, without expansion)."}
COMMAND = {**CMD, "description": "The command run in the container, replacing the image's ENTRYPOINT: a list of "
                                 "words (a string is split like a shell would, without expansion).",
           "examples": [["/app/server", "--config", "/etc/app/config.yaml"]]}
ARGS = {**CMD, "description": "The arguments, replacing the image's CMD: a list of words (a string is split like "
                              "a shell would, without expansion).", "examples": [["--workers", "4"]]}



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
            "mount": {"type": "string", "pattern": "^/", "description": "Absolute path in the container.",
                      "examples": ["/var/cache/app"]},
            "read_only": {"type": "boolean", "description": "Mount it read-only."},
            "sub_path": {"type": "string", "description": "Mount one file or folder of the volume (a ConfigMap's "
                                                          "key) at `mount`.", "examples": ["app.conf"]},
            "empty": {"anyOf": [{"const": True}, {"type": "object", "additionalProperties": False,
                                                  "properties": {"memory": {"type": "boolean",
                                                                            "description": "In memory (tmpfs)."},
                                                                 "size": {**QTY, "examples": ["64Mi"],
                                                                          "description": "The size limit."}}}],
                      "description": "Scratch space, empty at every start (an emptyDir)."},
            "config": {**NAME, "description": "A ConfigMap's keys as files.", "examples": ["api-config"]},
            "secret": {**NAME, "description": "A Secret's keys as files.", "examples": ["pg-credentials"]},
            "claim": {**NAME, "description": "An existing PersistentVolumeClaim.", "examples": ["shared-data"]},
        },
        "oneOf": [{"required": ["empty"]}, {"required": ["config"]}, {"required": ["secret"]}, {"required": ["claim"]}],
        "x-message": "{field} needs exactly one source: empty, config, secret or claim",
        "x-hint": "keep one of `empty: true`, `config: NAME`, `secret: NAME` and `claim: NAME`",
    },
    "examples": [{"cache": {"empty": True, "mount": "/var/cache/app"}, "settings": {"config": "api-config", "mount": "/etc/api"}}],
}

ENV_FROM = {
    "type": "array",
    "description": "Load every key of a ConfigMap or Secret as environment variables.",
    "items": {"type": "object", "additionalProperties": False,
              "properties": {"config": {**NAME, "description": "A ConfigMap of the project.", "examples": ["api-config"]},
                             "secret": {**NAME, "description": "A Secret of the project.",
                                        "examples": ["pg-credentials"]},
                             "prefix": {"type": "string", "description": "Put before every variable's name.",
                                        "examples": ["API_"]}},
              "oneOf": [{"required": ["config"]}, {"required": ["secret"]}],
              "x-message": "{field} needs exactly one source: config or secret",
              "x-hint": "keep one of `config: NAME` and `secret: NAME`"},
    "examples": [[{"config": "api-config"}]],
}

LIFECYCLE = {
    "type": "object", "additionalProperties": False,
    "description": "Container lifecycle hooks: commands run after start and before stop.",
    "properties": {"post_start": {**COMMAND_LIST, "description": "Run after the container starts.",
                                  "examples": [["/bin/sh", "-c", "echo started"]]},
                   "pre_stop": {**COMMAND_LIST, "description": "Run before the container stops.",
                                "examples": [["/bin/sleep", "5"]]},
                   "termination_grace": {"type": "integer", "minimum": 0,
                                         "description": "Seconds the pod gets to stop (terminationGracePeriodSeconds).",
                                         "examples": [30]}},
    "examples": [{"pre_stop": ["/bin/sleep", "5"], "termination_grace": 30}],
}


def _container_props() -> dict:
    return {
        "image": {"type": "string", "minLength": 1,
                  "pattern": r"^[a-z0-9]([-a-z0-9._/:]*[a-z0-9])?(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$",
                  "x-message": "{field} {value} is not a valid image reference",
                  "x-hint": "write REGISTRY/REPOSITORY:TAG in lower case, e.g. `ghcr.io/acme/api:1.4.2`",
                  "description": "The container image, `repository:tag` (pin a tag; `@sha256:` digests welcome).",
                  "examples": ["ghcr.io/acme/api:1.4.2"]},
        "command": COMMAND, "args": ARGS,
        "port": {**PORT_NUMBER, "description": "Shorthand for `ports: {http: PORT}`."},
        "ports": PORTS,
        "env": ENV,
        "secrets": SECRET_REFS,
        "configs": CONFIG_REFS,
        "downward": DOWNWARD,
        "env_from": ENV_FROM,
        "resources": RESOURCES,
        "health": HEALTH,
        "mounts": {"type": "object", "description": "Mount the workload's volumes: `{volume-name: /path}`.",
                   "additionalProperties": {"type": "string", "pattern": "^/"},
                   "examples": [{"cache": "/tmp/cache"}]},
        "lifecycle": LIFECYCLE,
    }


CONTAINERS = {
    "type": "object",
    "description": "Extra containers by name, each with the fields of the main container (image, command, "
                   "ports, env, resources, health, `mounts`).",
    "propertyNames": {"maxLength": 63, "pattern": DNS1123_LABEL},
    "additionalProperties": {"type": "object", "additionalProperties": False, "required": ["image"],
                             "properties": None},  # filled below
    "examples": [{"proxy": {"image": "envoyproxy/envoy:v1.31.0", "ports": {"admin": 9901}}}],
}

SCHEDULING = {
    "node_selector": {**{k: v for k, v in LABELS.items() if k not in ("description", "examples")},
                      "description": "Run only on nodes with these labels (label-shaped keys and values, as the "
                                     "API server takes them).",
                      "examples": [{"disktype": "ssd"}]},
    "tolerations": {"type": "array", "items": TOLERATION, "description": "Taints the pods tolerate.",
                    "examples": [[{"key": "dedicated", "operator": "Equal", "value": "database",
                                   "effect": "NoSchedule"}]]},
    "spread": {"anyOf": [{"enum": ["nodes", "zones"]},
                         {"type": "array", "items": {"enum": ["nodes", "zones"]}, "uniqueItems": True}],
               "description": "Spread replicas over nodes and/or zones (topology spread constraints).",
               "examples": [["nodes", "zones"]]},
    "affinity": AFFINITY,
    "priority_class": {"type": "string", "description": "The PriorityClass of the pods.",
                       "examples": ["high-priority"]},
    "image_pull_secrets": {"type": "array", "items": NAME, "description": "Secrets with registry credentials.",
                           "examples": [["registry"]]},
    "service_account": {**NAME, "description": "The ServiceAccount the pods run as.", "examples": ["deployer"]},
}

# What skyspec names an object by: a patch may not change it (the other formats, the file
# names and the cross references all follow the name skyspec gave).
_SKYSPECS = {"not": {}, "x-message": "{field} is skyspec's: the escape hatch patches an object, it cannot rename, "
                                     "move or retype it",
             "x-hint": "rename the spec, or give it a `namespace:`"}
# a label's or an annotation's value in a patch: a string (null deletes the key, as in any
# strategic-merge patch); `prometheus.io/scrape: true` unquoted, the API server refuses
_PATCH_META_MAP = {"type": "object", "additionalProperties": {
    "type": ["string", "null"], "x-message": "{field} is {value}: a label's or an annotation's value is a string",
    "x-hint": 'quote it (`"true"`, `"8080"`): the API server refuses any other type'}}
_PATCH_META = {"type": "object", "properties": {"labels": _PATCH_META_MAP, "annotations": _PATCH_META_MAP}}

K8S_PATCH = {
    "type": "object",
    "description": "Escape hatch: patches merged into the generated objects, by kind "
                   "(`{Deployment: {spec: {minReadySeconds: 10}}}`: every object of that kind the spec makes) "
                   "or by kind and name (`Service/db-headless`: that one object, after its kind's patch), "
                   "as `kubectl patch --type strategic` does: "
                   "maps merge, lists of named items (containers, env, ports, volumes, volumeMounts) merge by "
                   "their key, other lists replace; `$patch: replace` and `$patch: delete` work. An object's "
                   "apiVersion, kind, name and namespace stay skyspec's. A field the kind does not have, or a "
                   "value of another type than its field's, is an error (SKY124; custom resources' fields are "
                   "not checked).",
    "propertyNames": {"pattern": "^[A-Z][A-Za-z]+(/[a-z0-9]([-a-z0-9.:]*[a-z0-9])?)?$"},
    "additionalProperties": {"type": "object", "properties": {
        "apiVersion": _SKYSPECS, "kind": _SKYSPECS,
        "spec": {"type": "object", "properties": {   # the pod template's metadata (a CronJob's under its jobTemplate)
            "template": {"type": "object", "properties": {"metadata": _PATCH_META}},
            "jobTemplate": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
                "template": {"type": "object", "properties": {"metadata": _PATCH_META}}}}}}}},
        "metadata": {"type": "object", "properties": {"name": _SKYSPECS, "namespace": _SKYSPECS,
                                                      "labels": _PATCH_META_MAP, "annotations": _PATCH_META_MAP}}}},
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
              "properties": {"size": SIZE,
                             "mount": {"type": "string", "pattern": "^/", "description": "Where it is mounted "
                                       "(default /data for `data`, else /data/<name>).",
                                       "examples": ["/var/lib/postgresql/data"]},
                             "class": {"type": "string", "description": "The StorageClass.", "examples": ["fast-ssd"]},
                             "access": {"enum": ["ReadWriteOnce", "ReadWriteOncePod", "ReadOnlyMany", "ReadWriteMany"],
                                        "description": "The access mode (default ReadWriteOnce)."}}},
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
                         "description": "A rolling update (the default).",
                         "properties": {"max_surge": {"type": ["integer", "string"], "examples": [1],
                                                      "description": "Pods above `replicas` during the update (a "
                                                                     "number or a percentage, `25%`)."},
                                        "max_unavailable": {"type": ["integer", "string"], "examples": [0],
                                                            "description": "Pods below `replicas` during the update."},
                                        "partition": {"type": "integer", "minimum": 0, "examples": [2],
                                                      "description": "StatefulApp: only pods with an ordinal >= partition update."}}},
             "recreate": {"const": True, "description": "Stop every pod, then start the new ones."},
             "on-delete": {"const": True, "description": "StatefulApp: a pod is replaced when it is deleted."},
             "blue-green": {"type": "object", "additionalProperties": False,
                            "description": "Two Deployments; the Service selects the active color.",
                            "properties": {"active": {"enum": ["blue", "green"],
                                                      "description": "The color the Service selects (default blue)."},
                                           "preview_image": {"type": "string",
                                                             "description": "The image the idle color runs (the candidate).",
                                                             "examples": ["ghcr.io/acme/api:1.5.0"]}}},
             "canary": {"type": "object", "additionalProperties": False, "required": ["percent"],
                        "description": "A second Deployment running the candidate.",
                        "properties": {"percent": {"type": "integer", "minimum": 0, "maximum": 100, "examples": [10],
                                                   "description": "The share of the replicas the canary runs."},
                                       "image": {"type": "string", "description": "The canary's image.",
                                                 "examples": ["ghcr.io/acme/api:1.5.0"]}}},
         }},
    ],
    "description": "How updates roll out: rolling (default), recreate, blue-green (two Deployments, the Service "
                   "selects the active color) or canary (a second Deployment with `percent` of the replicas).",
    "examples": [{"rolling": {"max_surge": 1, "max_unavailable": 0}},
                 {"canary": {"percent": 10, "image": "ghcr.io/acme/api:1.5.0"}}],
}

AUTOSCALE = {
    "type": "object", "additionalProperties": False, "required": ["max"],
    "properties": {"min": {"type": "integer", "minimum": 1, "description": "The fewest replicas (default `replicas`)."},
                   "max": {"type": "integer", "minimum": 1, "description": "The most replicas."},
                   "cpu": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Target CPU utilization %."},
                   "memory": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Target memory utilization %.",
                              "examples": [80]}},
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
        "run_as_user": {"anyOf": [{"type": "integer", "minimum": 0}, {"const": "image"}],
                        "description": "The UID (default 10001), or `image`: no UID is set and the image's own "
                                       "`USER` runs (its /etc/passwd entry with it), which must be a numeric "
                                       "non-root UID unless `run_as_root`: the kubelet checks it.",
                        "examples": [999]},
        "run_as_group": {"type": "integer", "minimum": 0,
                         "description": "The GID (default the UID; the image's group with `run_as_user: image`).",
                         "examples": [999]},
        "fs_group": {"type": "integer", "minimum": 0,
                     "description": "The group that owns the volumes (default the GID, else 10001).",
                     "examples": [999]},
        "writable_root_fs": {"type": "boolean", "description": "Allow writes to the root filesystem."},
        "privilege_escalation": {"type": "boolean", "description": "Allow a process to gain privileges (setuid)."},
        "add_capabilities": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z_]+$"},
                             "description": "Linux capabilities added back (all are dropped).",
                             "examples": [["NET_BIND_SERVICE"]]},
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
        "namespace": {**NAME, "description": "Overrides the project's namespace.", "examples": ["payments"]},
        "labels": LABELS,
        "annotations": ANNOTATIONS,
    }


ENABLED = {"type": "boolean",
           "description": "`false` (in an environment's overlay) leaves this document, and every object made from it, "
                          "out of that environment; a workload that refers to it there is an error (SKY114).",
           "examples": [False]}
"""`enabled` of the kinds that are not workloads (a workload's own says what it takes along)."""


USE = {"type": "string", "minLength": 1,
       "description": "A template beneath this spec: a stdlib component (`postgres`, `redis`, `celery`, ...) or a "
                      "project file (`./templates/python-service.yaml`). Its parameters become fields of this spec.",
       "examples": ["postgres"]}


CONNECTION = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "env": {"type": "string", "pattern": ENV_VAR,
                "description": "The variable that receives the peer's address.", "examples": ["DB_ADDR"]},
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
    "examples": [["db"], {"db": {"env": "DB_ADDR", "form": "address", "port": "http"}}],
}


def _workload(kind: str) -> dict[str, Any]:
    props = {**_common(kind), "use": USE, **_container_props(), **SCHEDULING}
    props.update({
        "connect_to": CONNECT_TO,
        "container": {**NAME, "description": "The main container's name (default: the workload's name).",
                      "examples": ["server"]},
        "enabled": {"type": "boolean",
                    "description": "`false` (in an environment's overlay) leaves the workload, and everything "
                                   "made from it, out of that environment.", "examples": [False]},
        "volumes": VOLUMES,
        "sidecars": CONTAINERS,
        "init": {**CONTAINERS, "description": "Init containers by name, run in order before the main container.",
                 "examples": [{"migrate": {"image": "ghcr.io/acme/api:1.4.2", "command": ["/app/migrate"]}}]},
        "k8s": K8S_PATCH,
        "security": SECURITY,
    })
    return props


CONTAINERS["additionalProperties"]["properties"] = {
    k: v for k, v in _container_props().items() if k not in ("port",)}
