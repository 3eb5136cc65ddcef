"""The canonical IR: typed, with normalized units (CPU in millicores, memory and storage
in bytes), independent of any output format. Backends read only this.

Every IR object that comes from a spec keeps the :class:`~skyspec.layers.stack.Spec` it was
lowered from (``spec``) and an ``origin`` map from its fields to spec paths, so that a
generated manifest field can be traced to the spec (and overlay) lines that set it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostics

PROTOCOL = "TCP"   # a port's protocol unless `ports.<name>.protocol` says otherwise


@dataclass
class Port:
    """A container port, by name."""

    name: str
    port: int
    protocol: str = PROTOCOL
    host_port: int | None = None
    service_port: int | None = None  # the Service's port when it differs from the container port

    @property
    def service(self) -> int:
        """The port clients reach through the Service (Kubernetes, Helm, Kustomize)."""
        return self.service_port or self.port


@dataclass
class Probe:
    """A liveness, readiness or startup probe of a container."""

    type: str                        # http | tcp | grpc | exec
    path: str | None = None          # http
    port: int | str | None = None    # http/tcp: number or port name; grpc: number
    command: list[str] | None = None  # exec
    headers: dict[str, str] = field(default_factory=dict)  # http
    service: str | None = None       # grpc: the service name checked
    initial_delay: int | None = None
    period: int | None = None
    timeout: int | None = None
    failure_threshold: int | None = None
    success_threshold: int | None = None


@dataclass
class EnvVar:
    """An environment variable of a container: a literal value or a reference to a Secret key."""

    name: str
    value: str | None = None
    secret: tuple[str, str] | None = None     # (secret name, key): the value comes from the Secret
    origin: tuple | None = None               # spec path that set it
    file_ref: tuple[str, str] | None = None   # (secret name, key) whose mounted file this variable names
    compose: str | None = None                # the value in Compose, when it differs (a peer's container port)
    why: Any = None                           # ir.why.Why of a value a rule made (connect_to, observability)


@dataclass
class Resources:
    """A container's requests and limits (CPU in millicores, memory in bytes)."""

    cpu: int | None = None            # millicores
    memory: int | None = None         # bytes
    cpu_limit: int | None = None
    memory_limit: int | None = None


@dataclass
class Mount:
    """A volume mounted into a container."""

    volume: str
    path: str
    read_only: bool = False
    sub_path: str | None = None


@dataclass
class Volume:
    """A volume of a pod: an emptyDir, a ConfigMap, a Secret or a claim."""

    name: str
    type: str                       # empty | config | secret | claim
    source: str | None = None       # ConfigMap / Secret / claim name
    memory: bool = False            # empty: tmpfs
    size: int | None = None         # empty: sizeLimit (bytes)


@dataclass
class Storage:
    """A volume claim template of a StatefulApp (one volume per replica)."""

    name: str
    size: int                       # bytes
    mount: str
    storage_class: str | None = None
    access: str = "ReadWriteOnce"


@dataclass
class Container:
    """One container of a workload's pod (the main one, a sidecar or an init container)."""

    name: str
    image: str
    command: list[str] | None = None
    args: list[str] | None = None
    ports: list[Port] = field(default_factory=list)
    env: list[EnvVar] = field(default_factory=list)
    resources: Resources = field(default_factory=Resources)
    liveness: Probe | None = None
    readiness: Probe | None = None
    startup: Probe | None = None
    mounts: list[Mount] = field(default_factory=list)
    env_from: list[tuple[str, str, str]] = field(default_factory=list)  # (config|secret, name, prefix)
    post_start: list[str] | None = None
    pre_stop: list[str] | None = None
    security: dict = field(default_factory=dict)    # container securityContext (set by passes)
    pull_policy: str | None = None
    why: dict = field(default_factory=dict)         # derived field -> ir.why.Why (size, harden)


@dataclass
class Strategy:
    """How a workload's pods are replaced: rolling, recreate, blue-green, canary or on-delete."""

    type: str = "rolling"             # rolling | recreate | blue-green | canary | on-delete
    max_surge: int | str | None = None
    max_unavailable: int | str | None = None
    partition: int | None = None
    active: str = "blue"              # blue-green: the color the Service selects
    preview_image: str | None = None  # blue-green: the idle color's image
    percent: int = 0                  # canary: share of the replicas
    canary_image: str | None = None


def canary_split(replicas: int, percent: int) -> tuple[int, int]:
    """(stable, canary) replicas: the canary gets `percent` of the total, rounded up, at
    least one when the percent is above zero, never all of them when there are two or more."""
    if percent <= 0 or replicas <= 0:
        return replicas, 0
    canary = max(1, math.ceil(replicas * percent / 100))
    if replicas >= 2:
        canary = min(canary, replicas - 1)
    return replicas - canary, canary


@dataclass
class Autoscale:
    """A HorizontalPodAutoscaler's bounds and targets."""

    min: int
    max: int
    cpu: int | None = None
    memory: int | None = None


@dataclass
class JobSpec:
    """The run-to-completion settings of a Job or CronJob."""

    completions: int | None = None
    parallelism: int | None = None
    backoff_limit: int | None = None
    active_deadline: int | None = None
    ttl: int | None = None
    restart: str = "OnFailure"


@dataclass
class CronSpec:
    """The schedule of a CronJob."""

    schedule: str
    time_zone: str | None = None
    concurrency: str | None = None
    successful_history: int | None = None
    failed_history: int | None = None
    suspend: bool | None = None
    starting_deadline: int | None = None


@dataclass
class Exposure:
    """How a workload is reached: its Service type and, with a host, its Ingress."""

    service_type: str = "ClusterIP"
    port: str | None = None           # the named port the Ingress routes to
    host: str | None = None
    path: str = "/"
    tls: str | None = None            # TLS Secret name
    ingress_class: str | None = None
    node_port: int | None = None      # NodePort/LoadBalancer: the exposed port's node port
    source_ranges: list[str] = field(default_factory=list)  # LoadBalancer: loadBalancerSourceRanges


@dataclass
class Workload:
    """An App, StatefulApp, Job or CronJob, lowered: its pod, how it runs and how it is reached."""

    kind: str                          # App | StatefulApp | Job | CronJob
    name: str
    namespace: str
    containers: list[Container]
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    replicas: int | None = None
    expose: Exposure | None = None
    service: bool = False              # has a Service (exposed, or something connects to it)
    connect_to: list[str] = field(default_factory=list)
    connections: dict[str, dict] = field(default_factory=dict)  # target -> {env, form, port} (connect_to map form)
    connect_at: list[tuple] = field(default_factory=list)  # spec path of each connect_to entry
    init_containers: list[Container] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    storage: list[Storage] = field(default_factory=list)
    strategy: Strategy = field(default_factory=Strategy)
    autoscale: Autoscale | None = None
    pod_management: str | None = None
    job: JobSpec | None = None
    cron: CronSpec | None = None
    node_selector: dict[str, str] = field(default_factory=dict)
    tolerations: list[dict] = field(default_factory=list)
    spread: list[str] = field(default_factory=list)      # nodes | zones
    affinity: dict | None = None
    priority_class: str | None = None
    pull_secrets: list[str] = field(default_factory=list)
    service_account: str | None = None
    termination_grace: int | None = None
    pod_annotations: dict[str, str] = field(default_factory=dict)   # pod template only (passes add these)
    pod_security: dict = field(default_factory=dict)                 # pod securityContext (set by passes)
    automount_token: bool | None = None
    k8s: dict = field(default_factory=dict)             # escape hatch: kind -> patch
    relax: dict = field(default_factory=dict)           # `security:` relaxations of the hardened defaults
    pdb: dict | None = None                             # PodDisruptionBudget spec fields (availability pass)
    spec: Any = None                   # the layered Spec it came from
    origin: dict[str, tuple] = field(default_factory=dict)   # IR field -> spec path
    why: dict = field(default_factory=dict)   # derived field -> ir.why.Why (the passes that made it record it)

    @property
    def main(self) -> Container:
        return self.containers[0]

    def connect_path(self, target: str) -> tuple:
        """The spec path of the `connect_to` entry naming ``target``."""
        i = self.connect_to.index(target)
        return self.connect_at[i] if i < len(self.connect_at) else ("connect_to", i)

    @property
    def ports(self) -> list[Port]:
        return self.main.ports


@dataclass
class ConfigData:
    """A ConfigMap."""

    name: str
    namespace: str
    data: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    k8s: dict = field(default_factory=dict)
    spec: Any = None


@dataclass
class SecretRef:
    """A Secret the system uses. Never holds a value: `mode` says where the data comes from."""

    name: str
    namespace: str
    mode: str                          # existing | external | deploy-time
    keys: list[str] = field(default_factory=list)
    type: str | None = None
    store: str | None = None           # external: the SecretStore
    store_kind: str = "SecretStore"
    refresh: str | None = None
    remote: dict[str, str] = field(default_factory=dict)   # external: key -> remote key[#property]
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    spec: Any = None


@dataclass
class Account:
    """A ServiceAccount."""

    name: str
    namespace: str
    automount: bool | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    k8s: dict = field(default_factory=dict)
    spec: Any = None


@dataclass
class RoleDef:
    """A Role or ClusterRole, with the accounts it is bound to."""

    kind: str                          # Role | ClusterRole
    name: str
    namespace: str
    rules: list[dict]
    bind: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    k8s: dict = field(default_factory=dict)
    spec: Any = None


@dataclass
class NetPolicy:
    """A NetworkPolicy, written in a spec or made by the network pass."""

    name: str
    namespace: str
    select: dict[str, str] | None      # pod labels; None = every pod
    deny_all: bool = False
    allow_from: list[dict] = field(default_factory=list)   # peers as NetworkPolicyPeer dicts
    allow_to: list[dict] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    k8s: dict = field(default_factory=dict)
    generated: bool = False            # made by a pass, not written in a spec
    types: list[str] | None = None     # policyTypes when not derived from deny_all/allow_*
    owner: str | None = None           # the workload a generated policy protects (written in its file)
    rules: list[dict] | None = None    # generated: whole ingress rules ({from, ports}), instead of allow_from/ports
    egress: list[dict] | None = None   # generated: whole egress rules ({to, ports})
    spec: Any = None
    why: dict = field(default_factory=dict)   # generated: field -> ir.why.Why (passes/network.py)


@dataclass
class Monitor:
    """A ServiceMonitor for a workload's metrics port."""

    name: str
    namespace: str
    app: str
    port: str
    path: str = "/metrics"
    interval: str | None = None
    spec: Any = None


@dataclass
class IR:
    """One environment (or one target of it), lowered: everything the backends render."""

    project: str
    namespace: str
    env: str
    workloads: list[Workload] = field(default_factory=list)
    target: str | None = None
    protected: bool = False
    settings: dict = field(default_factory=dict)   # the environment profile's settings for passes
    report: list[str] = field(default_factory=list)  # lines for the build report
    invalid: set[str] = field(default_factory=set)  # specs left out after errors (no follow-on errors)
    unbound: set[str] = field(default_factory=set)  # workloads of the environment not bound to this target
    disabled: dict[str, Any] = field(default_factory=dict)  # workloads `enabled: false` here -> its position
    configs: list[ConfigData] = field(default_factory=list)
    secrets: list[SecretRef] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    roles: list[RoleDef] = field(default_factory=list)
    netpols: list[NetPolicy] = field(default_factory=list)
    monitors: list[Monitor] = field(default_factory=list)
    pod_security: dict[str, str] | None = None   # Namespace labels (SecurityPolicy)
    raw: list[dict] = field(default_factory=list)  # passthrough objects
    quota: Any = None      # cost.quota.QuotaReport: usage, and the limits emitted as a ResourceQuota
    cost: Any = None       # cost.estimate.CostReport: the monthly estimate
    why: dict = field(default_factory=dict)   # derived values of the unit (quota, namespaces) -> ir.why.Why
    inputs: Any = None     # ir.why.Inputs: the project and settings layers derivations read (set by the pipeline)

    def workload(self, name: str) -> Workload | None:
        for w in self.workloads:
            if w.name == name:
                return w
        return None


def pod_selector(project: str, name: str) -> dict[str, str]:
    """The labels that select a workload's pods: stable across environments, since the
    selectors of Deployments and StatefulSets are immutable."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": project}


@dataclass
class Context:
    """What passes may read besides the IR: the project, the environment, diagnostics."""

    project: Any
    env: Any
    diags: Diagnostics
    render: Any = None     # IR -> its Kubernetes objects (the pipeline passes the backend's), for the system check
