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
        "properties": {"secret": NAME, "key": {"type": "string", "minLength": 1}},
    },
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


def _common(kind: str) -> dict:
    return {
        "kind": {"const": kind},
        "name": NAME,
        "namespace": {**NAME, "description": "Overrides the project's namespace."},
        "labels": LABELS,
        "annotations": ANNOTATIONS,
    }


def _workload(kind: str) -> dict[str, Any]:
    return {
        **_common(kind),
        "image": {"type": "string", "minLength": 1,
                  "pattern": r"^[a-z0-9]([-a-z0-9._/:]*[a-z0-9])?(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$|\$\{",
                  "x-message": "{field} {value} is not a valid image reference",
                  "x-hint": "write REGISTRY/REPOSITORY:TAG in lower case, e.g. `ghcr.io/acme/api:1.4.2`",
                  "description": "The container image, `repository:tag` (pin a tag; `@sha256:` digests welcome)."},
        "command": CMD, "args": CMD,
        "port": {**PORT_NUMBER, "description": "Shorthand for `ports: {http: PORT}`."},
        "ports": PORTS,
        "env": ENV,
        "secrets": SECRET_REFS,
        "resources": RESOURCES,
        "health": HEALTH,
        "connect_to": {"type": "array", "items": NAME, "uniqueItems": True,
                       "description": "Workloads this one talks to: discovery env vars, Compose `depends_on`, "
                                      "NetworkPolicy allows."},
    }


def _doc(kind: str, title: str, props: dict, required: list[str], description: str) -> dict:
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_URL}{kind.lower()}.json",
        "title": title,
        "description": description,
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": props,
    }


def app_schema() -> dict:
    props = _workload("App")
    props.update({
        "replicas": {"type": "integer", "minimum": 0, "description": "Pod count (ignored by `autoscale`)."},
        "expose": EXPOSE,
    })
    return _doc("App", "skyspec App", props, ["kind", "name", "image"],
                "A stateless workload: a Deployment, a Service for its ports, an Ingress when exposed with a host.")


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
            "vars": {"type": "object", "description": "Variables for `${vars.NAME}`, overridable per environment."},
            "environments": {"type": "object", "minProperties": 1,
                             "propertyNames": {"pattern": DNS1123_LABEL},
                             "additionalProperties": env},
            "outputs": {"type": "array", "uniqueItems": True,
                        "items": {"enum": ["kubernetes", "compose", "helm", "kustomize"]}},
        },
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
            "settings": {"type": "object", "description": "Settings for the optimizer passes in this environment."},
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
