"""What each backend makes of each field: the table of the language reference (docs/language.md,
"Backends"), as data next to the backends, with the evidence a test checks against real
output so that the table cannot drift from the code.

Each :class:`Field` row says, for one spec field, what the Kubernetes, Compose, Helm and
Kustomize outputs hold, and how to see it: the test builds a project with two environments,
`base` (the Helm chart's values.yaml and the Kustomize base) and `other`, whose overlay sets
the field to :attr:`Field.example` on the row's base spec, and checks that the Kubernetes
objects change, that the Compose file changes exactly when :attr:`Field.compose` says so,
that `values-other.yaml` holds :attr:`Field.helm` and that the Kustomize overlay says it
with :attr:`Field.kustomize` (`replicas`, `images`, `patches` or `components`). Each
:class:`Kind` row says where a document of another kind goes, checked by the kinds of
objects it adds and the Compose section it fills. This module is data: it must not render
or import a backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NOT_IN_COMPOSE = "not in the Compose file"


@dataclass(frozen=True)
class Field:
    field: str                # the spec field
    kubernetes: str
    compose: str
    helm: str
    kustomize: str            # how an overlay says another environment's value
    example: Any              # the value the `other` environment's overlay sets
    compose_changes: bool     # whether the Compose file shows the field
    helm_value: str           # the path under `apps.<app>` that `values-other.yaml` holds
    kustomize_by: str         # replicas | images | patches | components
    kind: str = "App"


_SAME = "the Kubernetes objects (the base environment's in `base/`)"

FIELDS: tuple[Field, ...] = (
    Field("image", "the main container's `image`", "`image`", "`image: {repository, tag, digest}`",
          "the `images:` transformer", "ghcr.io/acme/api:1.5.0", True, "image.tag", "images"),
    Field("replicas", "`spec.replicas` of the Deployment or StatefulSet", "`deploy.replicas` (when not 1)",
          "`replicas`", "the `replicas:` transformer", 3, True, "replicas", "replicas"),
    Field("command", "the container's `command`", "`entrypoint` (`$(VAR)` expanded, as the kubelet does)", "`command`",
          "a strategic-merge patch",
          ["/app/server"], True, "command", "patches"),
    Field("args", "the container's `args`", "`command` (`$(VAR)` expanded, as the kubelet does)", "`args`",
          "a strategic-merge patch", ["--workers", "4"],
          True, "args", "patches"),
    Field("env", "the container's `env`", "`environment` (every `$` written `$$`)", "`env` (a map)",
          "a strategic-merge patch", {"LOG_LEVEL": "debug"}, True, "env.LOG_LEVEL", "patches"),
    Field("secrets", "`env` entries with `secretKeyRef`; `as: file`: a Secret volume and `<VAR>_FILE`",
          "the variable, set from `${<SECRET>__<KEY>}`, which you set in `.env` (listed in `.env.example`); "
          "`as: file`: a Compose secret read from `secrets/<secret>/<key>` (from the variable, where a container "
          "reads the key as one too), mounted, and `<VAR>_FILE`",
          "the entries, and a checksum annotation of the Secret", "a strategic-merge patch",
          {"DB_PASSWORD": {"secret": "pg-credentials", "key": "password"}}, True, "podAnnotations", "patches"),
    Field("configs", "`env` entries with `configMapKeyRef`", "the ConfigMap's value in `environment` (an existing "
          "ConfigMap's is left out: SKY507)", "the entries, and a checksum annotation of the ConfigMap",
          "a strategic-merge patch", {"APP_LOG_LEVEL": {"config": "api-config", "key": "LOG_LEVEL"}}, True,
          "podAnnotations", "patches"),
    Field("downward", "`env` entries with `fieldRef` (the pod's fields) or `resourceFieldRef` (the container's "
          "requests and limits)", "the container's CPU and memory as Kubernetes gives them; the pod's fields "
          "left out (SKY505)", "the entries (one an environment adds: `envEnabled.<VAR>`)", "a strategic-merge patch",
          {"POD_IP": "status.podIP"}, False, "containers.api.envEnabled.POD_IP", "patches"),
    Field("env_from", "the container's `envFrom`", "the ConfigMap's entries in `environment`; a Secret's keys "
          "as variables, each set from `${<SECRET>__<KEY>}` (as `secrets`)", "`envFrom`, and a checksum annotation", "a strategic-merge patch",
          [{"config": "api-config"}], True, "envFrom", "patches"),
    Field("ports", "`containerPort`s, and the Service's ports (`service:` the Service port)",
          "`expose`; published on 127.0.0.1 when exposed or with `host_port`", "`ports.<name>`",
          "a strategic-merge patch", {"http": 8080, "admin": 9000}, True, "ports.admin", "patches"),
    Field("health", "`livenessProbe`, `readinessProbe`, `startupProbe`",
          "`healthcheck` from the first `exec` probe only (HTTP, TCP and gRPC probes are not turned into "
          "commands the image may not have)", "`livenessProbe`, `readinessProbe`, `startupProbe`",
          "a strategic-merge patch", "/ready", False, "livenessProbe", "patches"),
    Field("resources", "the container's `resources` (limits from the sizing policy)",
          "`deploy.resources` (reservations, limits)", "`resources`", "a strategic-merge patch",
          {"cpu": "200m", "memory": "256Mi"}, True, "resources", "patches"),
    Field("lifecycle", "`lifecycle` hooks, `terminationGracePeriodSeconds`", "`post_start`, `pre_stop`, "
          "`stop_grace_period`", "`lifecycle`, `terminationGracePeriodSeconds`", "a strategic-merge patch",
          {"pre_stop": ["/bin/sleep", "5"], "termination_grace": 30}, True, "terminationGracePeriodSeconds",
          "patches"),
    Field("volumes", "pod `volumes` and the container's `volumeMounts`", "`tmpfs` (empty), configs, secrets, "
          "named volumes (claims)", "`volumes`, `volumeMounts`", "a strategic-merge patch",
          {"cache": {"empty": True, "mount": "/var/cache/app"}}, True, "volumes.cache", "patches"),
    Field("sidecars", "more containers in the pod", "a service each, in the main service's network",
          "`containers.<name>`", "a strategic-merge patch", {"proxy": {"image": "envoyproxy/envoy:v1.31.0"}},
          True, "containers.proxy", "patches"),
    Field("init", "`initContainers`", "one-shot services the main one waits for", "`initContainers`",
          "a strategic-merge patch", {"migrate": {"image": "ghcr.io/acme/api:1.4.2", "command": ["/app/migrate"]}},
          True, "initContainers", "patches"),
    Field("container", "the main container's name", NOT_IN_COMPOSE + " (the service is the workload's)",
          "`containers.<name>`", "a strategic-merge patch", "server", False, "containers.server", "patches"),
    Field("labels", "labels of every object of the workload", "service `labels`", "`labels`",
          "a strategic-merge patch", {"team": "payments"}, True, "labels.team", "patches"),
    Field("annotations", "annotations of the workload's objects", NOT_IN_COMPOSE, "`annotations`",
          "a strategic-merge patch", {"team.acme.com/owner": "payments"}, False, "annotations", "patches"),
    Field("node_selector", "`nodeSelector`", "`platform` (`linux/amd64`) from `kubernetes.io/arch` and "
          "`kubernetes.io/os`; the other labels are not in the Compose file", "`nodeSelector`",
          "a strategic-merge patch", {"kubernetes.io/arch": "arm64"}, True, "nodeSelector", "patches"),
    Field("tolerations", "`tolerations`", NOT_IN_COMPOSE, "`tolerations`", "a strategic-merge patch",
          [{"key": "dedicated", "operator": "Exists"}], False, "tolerations", "patches"),
    Field("spread", "`topologySpreadConstraints`", NOT_IN_COMPOSE, "`topologySpreadConstraints`",
          "a strategic-merge patch", "zones", False, "topologySpreadConstraints", "patches"),
    Field("affinity", "`affinity`", NOT_IN_COMPOSE, "`affinity`", "a strategic-merge patch",
          {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
              {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                                  "labelSelector": {"matchLabels": {"app": "api"}}}}]}},
          False, "affinity", "patches"),
    Field("priority_class", "`priorityClassName`", NOT_IN_COMPOSE, "`priorityClassName`",
          "a strategic-merge patch", "high-priority", False, "priorityClassName", "patches"),
    Field("image_pull_secrets", "`imagePullSecrets`", NOT_IN_COMPOSE + " (`docker login`)", "`imagePullSecrets`",
          "a strategic-merge patch", ["registry"], False, "imagePullSecrets", "patches"),
    Field("service_account", "`serviceAccountName`", NOT_IN_COMPOSE, "`serviceAccountName`",
          "a strategic-merge patch", "deployer", False, "serviceAccountName", "patches"),
    Field("security", "the pod's and container's `securityContext` (relaxations of the hardened defaults)",
          NOT_IN_COMPOSE + " (Compose runs the image's own user)", "`podSecurityContext`, `securityContext`",
          "a strategic-merge patch", {"run_as_user": 999}, False, "podSecurityContext", "patches"),
    Field("connect_to", "`<PEER>_HOST`/`_PORT` (Service port) and named variables; the peer's Service and "
          "NetworkPolicy admitting this workload", "the same variables with the container port; `depends_on`",
          "`env`, and the peer's `service` and `networkPolicyIngress`", "a patch; a component for the peer's "
          "Service", ["db"], True, "env.DB_HOST", "components"),
    Field("expose", "a Service (`type`, `nodePort`, `loadBalancerSourceRanges`), an Ingress with a `host`, "
          "NetworkPolicy rules admitting the traffic", "the exposed port published on 127.0.0.1",
          "`service`, `ingress`, `networkPolicyIngress`", "a component holding the Service and Ingress",
          {"host": "api.example.com"}, True, "ingress", "components"),
    Field("strategy", "`strategy` (blue-green: two Deployments; canary: a second Deployment)",
          NOT_IN_COMPOSE, "`strategy`", "a strategic-merge patch", "recreate", False, "strategy", "patches"),
    Field("autoscale", "a HorizontalPodAutoscaler (autoscaling/v2)", NOT_IN_COMPOSE + " (the service runs "
          "`replicas`)", "`autoscaling`", "a component holding the HPA", {"max": 5, "cpu": 70}, False,
          "autoscaling", "components"),
    Field("k8s", "merged into the objects, as `kubectl patch --type strategic`", NOT_IN_COMPOSE,
          "the patched fields", "a strategic-merge patch", {"Deployment": {"spec": {"minReadySeconds": 10}}},
          False, "minReadySeconds", "patches"),
    Field("enabled", "`false`: none of the workload's objects", "`false`: no service", "`enabled`",
          "`$patch: delete` patches of its objects", False, True, "enabled", "patches"),
    Field("storage", "`volumeClaimTemplates` (size, class, access), mounted", "a named volume per entry "
          "(shared by the replicas; no size or class)", "`volumeClaimTemplates`", "a strategic-merge patch",
          {"data": "20Gi", "logs": "1Gi"}, True, "volumeClaimTemplates", "patches", kind="StatefulApp"),
    Field("schedule", "the CronJob's `schedule` (`time_zone`: `timeZone`)", "`profiles: [cron]`: run by hand "
          "with `docker compose run` (SKY501)", "`schedule`", "a strategic-merge patch", "0 4 * * *", False,
          "schedule", "patches", kind="CronJob"),
    Field("backoff_limit", "the Job's `backoffLimit` (and the other Job fields)", NOT_IN_COMPOSE + " (a "
          "one-shot service runs once)", "`backoffLimit`", "a strategic-merge patch", 5, False, "backoffLimit",
          "patches", kind="Job"),
)


@dataclass(frozen=True)
class Kind:
    kind: str
    kubernetes: str
    compose: str
    objects: tuple            # the Kubernetes kinds a document of this kind adds
    compose_section: str      # the Compose file's top-level section it fills, or ""
    doc: dict                 # an example document (a workload `api` uses it where it is used)


KINDS: tuple[Kind, ...] = (
    Kind("ConfigMap", "a ConfigMap (nothing for `existing`)", "`configs` (inline content) where a volume mounts it; "
         "entries in `environment` through `env_from`; for `existing`, the `configs/<name>/` folder bind-mounted and "
         "`configs/<name>.env` as an `env_file`", ("ConfigMap",), "configs",
         {"kind": "ConfigMap", "name": "settings", "data": {"app.conf": "workers = 4"}}),
    Kind("Secret", "nothing for `existing`/`keys` (supplied at deploy time), an ExternalSecret for `external`",
         "a key read as a variable: set from the variable `<NAME>__<KEY>` you set in `.env`; read as a file "
         "(`as: file`, a volume): `secrets` read from `secrets/<name>/<key>` files, or from the key's variable "
         "where one is read too", ("ExternalSecret",), "secrets",
         {"kind": "Secret", "name": "tokens", "external": {"store": "vault", "data": {"token": "api/token"}}}),
    Kind("ServiceAccount", "a ServiceAccount", NOT_IN_COMPOSE, ("ServiceAccount",), "",
         {"kind": "ServiceAccount", "name": "builder"}),
    Kind("Role", "a Role (ClusterRole) and its RoleBinding for `bind`", NOT_IN_COMPOSE, ("Role", "RoleBinding"), "",
         {"kind": "Role", "name": "reader", "rules": [{"resources": ["pods"], "verbs": ["get"]}],
          "bind": ["deployer"]}),
    Kind("NetworkPolicy", "a NetworkPolicy", NOT_IN_COMPOSE, ("NetworkPolicy",), "",
         {"kind": "NetworkPolicy", "name": "allow-web", "select": {"app": "db"}, "allow_from": [{"app": "api"}]}),
    Kind("SecurityPolicy", "Pod Security Standards labels on the Namespace object", NOT_IN_COMPOSE, ("Namespace",),
         "", {"kind": "SecurityPolicy", "name": "restricted", "level": "restricted"}),
    Kind("Observability", "scrape annotations or a ServiceMonitor; logging and tracing variables in the apps' "
         "`env`", "the variables in `environment`", ("ServiceMonitor",), "",
         {"kind": "Observability", "name": "monitoring", "apps": ["db"],
          "metrics": {"port": "metrics", "service_monitor": True}, "logging": {"level": "debug"}}),
    Kind("Resource", "the object as written (namespace added)", NOT_IN_COMPOSE, ("PersistentVolumeClaim",), "",
         {"kind": "Resource", "name": "extra-claim", "manifest": {
             "apiVersion": "v1", "kind": "PersistentVolumeClaim",
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}),
)
