"""The examples of the language reference, as projects that compile: each example document
beside the documents it refers to (:data:`WORLD`: a workload `db` to connect to, a Secret
`pg-credentials`, a ConfigMap `api-config`, ...), in a project with one environment `dev`.
:func:`field_example` makes a field's example document from the kind's base document
(:data:`BASES`) and the field's example value (:mod:`.fields`), with the few keys a field
needs beside it (:data:`AROUND`) or instead of the base's (:data:`DROP`); :class:`Example`
holds the files of the whole project, which the tests compile. This module makes data and
text only: it must not compile or write files.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import yaml

from .fields import KEY, follow, sample, value_with

MISSING = object()

# the examples' environment has no built-in profile (`dev`, `qa` and `prod` would add their defaults)
ENV = "staging"
PROJECT = {"project": "ref", "namespace": "ref", "specs": ["apps/*.yaml"], "environments": {ENV: {}}}

# what the examples refer to, in every example project (apps/world.yaml)
WORLD: list[dict] = [
    {"kind": "App", "name": "db", "image": "ghcr.io/acme/db:1.0.0", "ports": {"http": 8080, "metrics": 9090}},
    {"kind": "Secret", "name": "pg-credentials", "keys": ["password"]},
    {"kind": "Secret", "name": "registry", "existing": True, "type": "kubernetes.io/dockerconfigjson"},
    {"kind": "Secret", "name": "api-tls", "existing": True, "type": "kubernetes.io/tls"},
    {"kind": "ConfigMap", "name": "api-config", "data": {"LOG_LEVEL": "info"}},
    {"kind": "ServiceAccount", "name": "deployer"},
    {"kind": "Resource", "name": "shared-data", "manifest": {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}}}},
]

# project templates the `use:` examples name (templates/<file>), one per workload kind
TEMPLATES: dict[str, dict] = {
    "web.yaml": {"description": "A web service: its port, probe and resources.", "kind": "App",
                 "params": {"tier": {"type": "string", "enum": ["frontend", "backend"],
                                     "description": "Which tier (a label)."}},
                 "spec": {"tier": "backend", "ports": {"http": 8080}, "health": "/healthz",
                          "resources": {"cpu": "100m", "memory": "128Mi"}, "labels": {"tier": "${self.tier}"}}},
    "task.yaml": {"kind": "Job", "spec": {"backoff_limit": 2, "resources": {"cpu": "100m", "memory": "128Mi"}}},
    "nightly.yaml": {"kind": "CronJob", "spec": {"schedule": "0 3 * * *", "concurrency": "Forbid"}},
}
USE = {"App": "./templates/web.yaml", "StatefulApp": "postgres", "Job": "./templates/task.yaml",
       "CronJob": "./templates/nightly.yaml"}

# each kind's example document, which every field's example extends
BASES: dict[str, dict] = {
    "App": {"kind": "App", "name": "api", "image": "ghcr.io/acme/api:1.4.2", "ports": {"http": 8080}},
    "StatefulApp": {"kind": "StatefulApp", "name": "store", "image": "ghcr.io/acme/store:2.0.1",
                    "ports": {"http": 8080}},
    "Job": {"kind": "Job", "name": "migrate", "image": "ghcr.io/acme/migrate:1.4.2"},
    "CronJob": {"kind": "CronJob", "name": "report", "image": "ghcr.io/acme/report:1.4.2", "schedule": "0 2 * * *"},
    "ConfigMap": {"kind": "ConfigMap", "name": "settings"},
    "Secret": {"kind": "Secret", "name": "tokens"},
    "ServiceAccount": {"kind": "ServiceAccount", "name": "builder"},
    "Role": {"kind": "Role", "name": "reader", "rules": [{"resources": ["pods"], "verbs": ["get", "list"]}]},
    "NetworkPolicy": {"kind": "NetworkPolicy", "name": "allow-web"},
    "SecurityPolicy": {"kind": "SecurityPolicy", "name": "restricted", "level": "restricted"},
    "Observability": {"kind": "Observability", "name": "monitoring", "apps": ["db"]},
    "project": PROJECT,
    "overlay": {},
    "Resource": {"kind": "Resource", "name": "extra-claim", "manifest": {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}},
}

# keys of the base a field's example replaces (`port` is `ports` written short), by field or (kind, field)
DROP: dict[Any, tuple] = {"port": ("ports",), ("StatefulApp", "use"): ("image", "ports")}

# the kind a row of a field shared by the workload kinds is shown in, where not the first's
ROW_KIND: dict[tuple, str] = {("strategy", "rolling", "partition"): "StatefulApp",
                              ("strategy", "on-delete"): "StatefulApp"}

# files the examples read (the overlays a project file example names are empty)
FILES = {"config/nginx.conf": "events {}\nhttp { server { listen 8080; } }\n",
         **{f"overlays/{name}.yaml": "{}\n" for name in ("dev", "prod", "eu-west", ENV)}}

# keys a field needs beside it, by path
AROUND: dict[tuple, dict] = {
    ("targets",): {"environments": {ENV: {}, "prod": {}}},
    ("base",): {"environments": {ENV: {}, "prod": {}}},
    ("mounts",): {"volumes": {"cache": {"empty": True, "mount": "/var/cache/app"}}},
    ("health", "headers"): {"http": "/healthz"},
    ("health", "port"): {"http": "/healthz"},
    ("health", "scheme"): {"http": "/healthz"},
    ("health", "service"): {"grpc": 8080},
    ("health", "initial_delay"): {"http": "/healthz"},
    ("health", "period"): {"http": "/healthz"},
    ("health", "timeout"): {"http": "/healthz"},
    ("health", "failure_threshold"): {"http": "/healthz"},
    ("health", "success_threshold"): {"http": "/healthz"},
    ("expose", "node_port"): {"type": "NodePort"},
    ("tolerations", "[]", "seconds"): {"effect": "NoExecute"},   # (only a NoExecute taint evicts)
    ("expose", "source_ranges"): {"type": "LoadBalancer"},
    ("expose", "path"): {"host": "api.example.com"},
    ("expose", "tls"): {"host": "api.example.com"},
    ("expose", "class"): {"host": "api.example.com"},
    ("metrics", "service_monitor"): {"port": "metrics"},
    ("metrics", "path"): {"port": "metrics"},
    ("metrics", "interval"): {"port": "metrics"},
    ("metrics", "annotations"): {"port": "metrics"},
    ("external", "store_kind"): {"store": "vault", "data": {"password": "db/prod#password"}},
    ("external", "refresh"): {"store": "vault", "data": {"password": "db/prod#password"}},
}

# field -> the example value for one kind, where the schema's example is another kind's
BY_KIND: dict[tuple, Any] = {
    ("App", "use"): USE["App"], ("StatefulApp", "use"): USE["StatefulApp"], ("Job", "use"): USE["Job"],
    ("CronJob", "use"): USE["CronJob"],
    ("project", "specs"): ["apps/*.yaml"],
    ("ConfigMap", "k8s"): {"ConfigMap": {"metadata": {"annotations": {"reloader.stakater.com/match": "true"}}}},
    ("ServiceAccount", "k8s"): {"ServiceAccount": {"metadata": {"annotations": {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/builder"}}}},
    ("Role", "k8s"): {"Role": {"metadata": {"annotations": {"owner": "platform"}}}},
    ("NetworkPolicy", "k8s"): {"NetworkPolicy": {"spec": {"policyTypes": ["Ingress"]}}},
}
# keys the `use:` examples add (postgres needs its password)
WITH_USE = {"StatefulApp": {"credentials": "pg-credentials"}}


def dump(doc: Any) -> str:
    """A document as the reference shows it: a key per line, values that fit on it inline."""
    if not isinstance(doc, dict):
        return yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100, allow_unicode=True)
    out = []
    for k, v in doc.items():
        if not isinstance(v, (dict, list)) or not v:
            out.append(yaml.safe_dump({k: v}, sort_keys=False, width=10_000, allow_unicode=True))
            continue
        line = yaml.safe_dump({k: v}, sort_keys=False, default_flow_style=True, width=10_000,
                              allow_unicode=True).strip()[1:-1]
        if len(line) <= 100:
            out.append(line + "\n")
        else:
            out.append(yaml.safe_dump({k: v}, sort_keys=False, default_flow_style=None, width=100, allow_unicode=True))
    return "".join(out)


def flow(value: Any) -> str:
    """A value on one line (a table cell)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True).strip()
    return text[:-4].strip() if text.endswith("\n...") or text.endswith(" ...") else text.removesuffix("...").strip()


@dataclass
class Example:
    """One example and the project it compiles in."""

    id: str
    shown: str                                   # the YAML the reference shows
    files: dict[str, str] = field(default_factory=dict)   # the project's files, the shown text included
    env: str = ENV
    # what the example must give: keys of the container of the Deployment `api` (`env` as a map
    # of name -> value, None for a variable that must be absent; `args`, `command` as lists)
    expect: dict = field(default_factory=dict)


def project_files(specs: list[dict] | str, project: dict | str | None = None,
                  extra: dict[str, str] | None = None) -> dict:
    """The files of an example project: the project file, the world, the example specs."""
    text = specs if isinstance(specs, str) else "---\n".join(dump(d) for d in specs)
    project = project if isinstance(project, str) else dump(project or PROJECT)
    files = {"skyspec.yaml": project, "apps/world.yaml": "---\n".join(dump(d) for d in WORLD),
             "apps/example.yaml": text}
    for name, t in TEMPLATES.items():
        files[f"templates/{name}"] = dump(t)
    files.update(FILES)
    files.update(extra or {})
    return files


# the spec an overlay example patches, and the project that applies the overlay to `dev`
OVERLAY_SPEC = {**BASES["App"], "labels": {"tier": "web"}}
OVERLAY = f"overlays/{ENV}.yaml"
OVERLAY_PROJECT = {**PROJECT, "environments": {ENV: {"overlays": [OVERLAY]}}}


def files_for(kind: str, text: str) -> dict[str, str]:
    """The project an example of ``kind`` compiles in: a spec (the text is the spec file),
    the project file (`project`) or an overlay of the environment (`overlay`)."""
    if kind == "project":
        return project_files([BASES["App"]], text)
    if kind == "overlay":
        return project_files([OVERLAY_SPEC], OVERLAY_PROJECT, {OVERLAY: text})
    return project_files(text)


def top_examples(kind: str, key: str, schema: dict) -> list:
    """The example values of a document's field: this kind's (:data:`BY_KIND`), else the schema's."""
    if (kind, key) in BY_KIND:
        return [BY_KIND[(kind, key)]]
    node = follow(schema["properties"][key], schema)[0]
    return list(node.get("examples") or [sample(node, schema)])


def field_example(kind: str, path: tuple, schema: dict, value: Any = MISSING) -> tuple[dict, Any]:
    """The example document of the field at ``path`` of ``kind`` (and the value shown);
    ``value``: the field's value, for a field of the document itself."""
    base = copy.deepcopy(BASES[kind])
    top = path[0]
    for k in DROP.get(top, ()) + DROP.get((kind, top), ()):
        base.pop(k, None)
    base.update(AROUND.get((top,), {}))
    node = follow(schema["properties"][top], schema)[0]
    if value is not MISSING:
        pass
    elif (kind, top) in BY_KIND and len(path) == 1:
        value = BY_KIND[(kind, top)]
    else:
        value = value_with(node, path[1:], schema, AROUND, (top,))
    if top == "use":
        base.update(WITH_USE.get(kind, {}))
    base[top] = value
    return base, _at(value, path[1:])


def _at(value: Any, rest: tuple) -> Any:
    for k in rest:
        if k == "[]":
            value = value[0] if isinstance(value, list) and value else None
        elif isinstance(value, dict):
            value = next(iter(value.values()), None) if k == KEY else value.get(k)
        else:
            return None
    return value
