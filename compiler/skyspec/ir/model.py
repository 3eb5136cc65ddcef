"""The canonical IR: typed, with normalized units (CPU in millicores, memory and storage
in bytes), independent of any output format. Backends read only this.

Every IR object that comes from a spec keeps the :class:`~skyspec.layers.stack.Spec` it was
lowered from (``spec``) and an ``origin`` map from its fields to spec paths, so that a
generated manifest field can be traced to the spec (and overlay) lines that set it.

Each class is a :class:`~skyspec.record.Record`: it writes its ``__init__`` and behaves as
the dataclass it replaced (tests/test_records.py), without the decorator's cost at import
(~75M instructions for these 22 classes, 7% of a 100-app build).
"""

from __future__ import annotations

import math
from typing import Any

from ..diagnostics import Diagnostics
from ..record import NEW, Record

PROTOCOL = "TCP"   # a port's protocol unless `ports.<name>.protocol` says otherwise


class Port(Record):
    """A container port, by name."""

    def __init__(self, name: str, port: int, protocol: str = PROTOCOL, host_port: int | None = None,
                 service_port: int | None = None) -> None:
        self.name = name
        self.port = port
        self.protocol = protocol
        self.host_port = host_port
        self.service_port = service_port  # the Service's port when it differs from the container port

    @property
    def service(self) -> int:
        """The port clients reach through the Service (Kubernetes, Helm, Kustomize)."""
        return self.service_port or self.port


class Probe(Record):
    """A liveness, readiness or startup probe of a container."""

    def __init__(self, type: str, path: str | None = None, port: int | str | None = None,
                 command: list[str] | None = None, headers: dict[str, str] = NEW, service: str | None = None,
                 initial_delay: int | None = None, period: int | None = None, timeout: int | None = None,
                 failure_threshold: int | None = None, success_threshold: int | None = None,
                 scheme: str | None = None) -> None:
        self.type = type  # http | tcp | grpc | exec
        self.path = path  # http
        self.port = port  # http/tcp: number or port name; grpc: number
        self.command = command  # exec
        self.headers = {} if headers is NEW else headers  # http
        self.service = service  # grpc: the service name checked
        self.initial_delay = initial_delay
        self.period = period
        self.timeout = timeout
        self.failure_threshold = failure_threshold
        self.success_threshold = success_threshold
        self.scheme = scheme  # http: "HTTP" or "HTTPS" as the spec says; None: not said (Kubernetes' HTTP)


class EnvVar(Record):
    """An environment variable of a container: a literal value, a reference to a Secret key
    or to a ConfigMap key, or a field of the downward API (the pod's, or the container's resources)."""

    def __init__(self, name: str, value: str | None = None, secret: tuple[str, str] | None = None,
                 origin: tuple | None = None, file_ref: tuple[str, str] | None = None, compose: str | None = None,
                 why: Any = None, field: str | None = None, config: tuple[str, str, bool] | None = None) -> None:
        self.name = name
        self.value = value
        self.secret = secret  # (secret name, key): the value comes from the Secret
        self.origin = origin  # spec path that set it
        self.file_ref = file_ref  # (secret name, key) whose mounted file this variable names
        self.compose = compose  # the value in Compose, when it differs (a peer's container port)
        self.why = why  # ir.why.Why of a value a rule made (connect_to, observability)
        self.field = field  # a downward API field: `status.podIP` (the pod's), `limits.memory` (the container's)
        self.config = config  # (ConfigMap name, key, optional): the value comes from the ConfigMap

    @property
    def resource_field(self) -> bool:
        """The field is one of the container's resources (`resourceFieldRef`), not the pod's (`fieldRef`)."""
        return self.field is not None and self.field.startswith(("limits.", "requests."))


class Resources(Record):
    """A container's requests and limits (CPU in millicores, memory in bytes)."""

    def __init__(self, cpu: int | None = None, memory: int | None = None, cpu_limit: int | None = None,
                 memory_limit: int | None = None) -> None:
        self.cpu = cpu  # millicores
        self.memory = memory  # bytes
        self.cpu_limit = cpu_limit
        self.memory_limit = memory_limit


class Mount(Record):
    """A volume mounted into a container."""

    def __init__(self, volume: str, path: str, read_only: bool = False, sub_path: str | None = None) -> None:
        self.volume = volume
        self.path = path
        self.read_only = read_only
        self.sub_path = sub_path


class Volume(Record):
    """A volume of a pod: an emptyDir, a ConfigMap, a Secret or a claim."""

    def __init__(self, name: str, type: str, source: str | None = None, memory: bool = False,
                 size: int | None = None) -> None:
        self.name = name
        self.type = type  # empty | config | secret | claim
        self.source = source  # ConfigMap / Secret / claim name
        self.memory = memory  # empty: tmpfs
        self.size = size  # empty: sizeLimit (bytes)


class Storage(Record):
    """A volume claim template of a StatefulApp (one volume per replica)."""

    def __init__(self, name: str, size: int, mount: str, storage_class: str | None = None,
                 access: str = "ReadWriteOnce") -> None:
        self.name = name
        self.size = size  # bytes
        self.mount = mount
        self.storage_class = storage_class
        self.access = access


class Container(Record):
    """One container of a workload's pod (the main one, a sidecar or an init container)."""

    def __init__(self, name: str, image: str, command: list[str] | None = None, args: list[str] | None = None,
                 ports: list[Port] = NEW, env: list[EnvVar] = NEW, resources: Resources = NEW,
                 liveness: Probe | None = None, readiness: Probe | None = None, startup: Probe | None = None,
                 mounts: list[Mount] = NEW, env_from: list[tuple[str, str, str]] = NEW,
                 post_start: list[str] | None = None, pre_stop: list[str] | None = None, security: dict = NEW,
                 pull_policy: str | None = None, why: dict = NEW) -> None:
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.ports = [] if ports is NEW else ports
        self.env = [] if env is NEW else env
        self.resources = Resources() if resources is NEW else resources
        self.liveness = liveness
        self.readiness = readiness
        self.startup = startup
        self.mounts = [] if mounts is NEW else mounts
        self.env_from = [] if env_from is NEW else env_from  # (config|secret, name, prefix)
        self.post_start = post_start
        self.pre_stop = pre_stop
        self.security = {} if security is NEW else security  # container securityContext (set by passes)
        self.pull_policy = pull_policy
        self.why = {} if why is NEW else why  # derived field -> ir.why.Why (size, harden)


class Strategy(Record):
    """How a workload's pods are replaced: rolling, recreate, blue-green, canary or on-delete."""

    def __init__(self, type: str = "rolling", max_surge: int | str | None = None,
                 max_unavailable: int | str | None = None, partition: int | None = None, active: str = "blue",
                 preview_image: str | None = None, percent: int = 0, canary_image: str | None = None) -> None:
        self.type = type  # rolling | recreate | blue-green | canary | on-delete
        self.max_surge = max_surge
        self.max_unavailable = max_unavailable
        self.partition = partition
        self.active = active  # blue-green: the color the Service selects
        self.preview_image = preview_image  # blue-green: the idle color's image
        self.percent = percent  # canary: share of the replicas
        self.canary_image = canary_image


def canary_split(replicas: int, percent: int) -> tuple[int, int]:
    """(stable, canary) replicas: the canary gets `percent` of the total, rounded up, at
    least one when the percent is above zero, never all of them when there are two or more."""
    if percent <= 0 or replicas <= 0:
        return replicas, 0
    canary = max(1, math.ceil(replicas * percent / 100))
    if replicas >= 2:
        canary = min(canary, replicas - 1)
    return replicas - canary, canary


class Autoscale(Record):
    """A HorizontalPodAutoscaler's bounds and targets."""

    def __init__(self, min: int, max: int, cpu: int | None = None, memory: int | None = None) -> None:
        self.min = min
        self.max = max
        self.cpu = cpu
        self.memory = memory


class JobSpec(Record):
    """The run-to-completion settings of a Job or CronJob."""

    def __init__(self, completions: int | None = None, parallelism: int | None = None,
                 backoff_limit: int | None = None, active_deadline: int | None = None, ttl: int | None = None,
                 restart: str = "OnFailure") -> None:
        self.completions = completions
        self.parallelism = parallelism
        self.backoff_limit = backoff_limit
        self.active_deadline = active_deadline
        self.ttl = ttl
        self.restart = restart


class CronSpec(Record):
    """The schedule of a CronJob."""

    def __init__(self, schedule: str, time_zone: str | None = None, concurrency: str | None = None,
                 successful_history: int | None = None, failed_history: int | None = None,
                 suspend: bool | None = None, starting_deadline: int | None = None) -> None:
        self.schedule = schedule
        self.time_zone = time_zone
        self.concurrency = concurrency
        self.successful_history = successful_history
        self.failed_history = failed_history
        self.suspend = suspend
        self.starting_deadline = starting_deadline


class Exposure(Record):
    """How a workload is reached: its Service type and, with a host, its Ingress."""

    def __init__(self, service_type: str = "ClusterIP", port: str | None = None, host: str | None = None,
                 path: str = "/", tls: str | None = None, ingress_class: str | None = None,
                 node_port: int | None = None, source_ranges: list[str] = NEW) -> None:
        self.service_type = service_type
        self.port = port  # the named port the Ingress routes to
        self.host = host
        self.path = path
        self.tls = tls  # TLS Secret name
        self.ingress_class = ingress_class
        self.node_port = node_port  # NodePort/LoadBalancer: the exposed port's node port
        self.source_ranges = [] if source_ranges is NEW else source_ranges  # LoadBalancer: loadBalancerSourceRanges


class Workload(Record):
    """An App, StatefulApp, Job or CronJob, lowered: its pod, how it runs and how it is reached."""

    def __init__(self, kind: str, name: str, namespace: str, containers: list[Container],
                 labels: dict[str, str] = NEW, annotations: dict[str, str] = NEW, replicas: int | None = None,
                 expose: Exposure | None = None, service: bool = False, connect_to: list[str] = NEW,
                 connections: dict[str, dict] = NEW, connect_at: list[tuple] = NEW,
                 init_containers: list[Container] = NEW, volumes: list[Volume] = NEW, storage: list[Storage] = NEW,
                 strategy: Strategy = NEW, autoscale: Autoscale | None = None, pod_management: str | None = None,
                 job: JobSpec | None = None, cron: CronSpec | None = None, node_selector: dict[str, str] = NEW,
                 tolerations: list[dict] = NEW, spread: list[str] = NEW, affinity: dict | None = None,
                 priority_class: str | None = None, pull_secrets: list[str] = NEW,
                 service_account: str | None = None, termination_grace: int | None = None,
                 pod_annotations: dict[str, str] = NEW, pod_security: dict = NEW,
                 automount_token: bool | None = None, k8s: dict = NEW, relax: dict = NEW, pdb: dict | None = None,
                 spec: Any = None, origin: dict[str, tuple] = NEW, why: dict = NEW) -> None:
        self.kind = kind  # App | StatefulApp | Job | CronJob
        self.name = name
        self.namespace = namespace
        self.containers = containers
        self.labels = {} if labels is NEW else labels
        self.annotations = {} if annotations is NEW else annotations
        self.replicas = replicas
        self.expose = expose
        self.service = service  # has a Service (exposed, or something connects to it)
        self.connect_to = [] if connect_to is NEW else connect_to
        self.connections = {} if connections is NEW else connections  # target -> {env, form, port} (connect_to map form)
        self.connect_at = [] if connect_at is NEW else connect_at  # spec path of each connect_to entry
        self.init_containers = [] if init_containers is NEW else init_containers
        self.volumes = [] if volumes is NEW else volumes
        self.storage = [] if storage is NEW else storage
        self.strategy = Strategy() if strategy is NEW else strategy
        self.autoscale = autoscale
        self.pod_management = pod_management
        self.job = job
        self.cron = cron
        self.node_selector = {} if node_selector is NEW else node_selector
        self.tolerations = [] if tolerations is NEW else tolerations
        self.spread = [] if spread is NEW else spread  # nodes | zones
        self.affinity = affinity
        self.priority_class = priority_class
        self.pull_secrets = [] if pull_secrets is NEW else pull_secrets
        self.service_account = service_account
        self.termination_grace = termination_grace
        self.pod_annotations = {} if pod_annotations is NEW else pod_annotations  # pod template only (passes add these)
        self.pod_security = {} if pod_security is NEW else pod_security  # pod securityContext (set by passes)
        self.automount_token = automount_token
        self.k8s = {} if k8s is NEW else k8s  # escape hatch: kind -> patch
        self.relax = {} if relax is NEW else relax  # `security:` relaxations of the hardened defaults
        self.pdb = pdb  # PodDisruptionBudget spec fields (availability pass)
        self.spec = spec  # the layered Spec it came from
        self.origin = {} if origin is NEW else origin  # IR field -> spec path
        self.why = {} if why is NEW else why  # derived field -> ir.why.Why (the passes that made it record it)

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


class ConfigData(Record):
    """A ConfigMap."""

    def __init__(self, name: str, namespace: str, data: dict[str, str], labels: dict[str, str] = NEW,
                 annotations: dict[str, str] = NEW, k8s: dict = NEW, spec: Any = None, existing: bool = False) -> None:
        self.name = name
        self.namespace = namespace
        self.data = data
        self.labels = {} if labels is NEW else labels
        self.annotations = {} if annotations is NEW else annotations
        self.k8s = {} if k8s is NEW else k8s
        self.spec = spec
        self.existing = existing  # in the cluster already (`existing: true`): nothing generated, entries unknown


class SecretRef(Record):
    """A Secret the system uses. Never holds a value: `mode` says where the data comes from."""

    def __init__(self, name: str, namespace: str, mode: str, keys: list[str] = NEW, type: str | None = None,
                 store: str | None = None, store_kind: str = "SecretStore", refresh: str | None = None,
                 remote: dict[str, str] = NEW, labels: dict[str, str] = NEW, annotations: dict[str, str] = NEW,
                 spec: Any = None) -> None:
        self.name = name
        self.namespace = namespace
        self.mode = mode  # existing | external | deploy-time
        self.keys = [] if keys is NEW else keys
        self.type = type
        self.store = store  # external: the SecretStore
        self.store_kind = store_kind
        self.refresh = refresh
        self.remote = {} if remote is NEW else remote  # external: key -> remote key[#property]
        self.labels = {} if labels is NEW else labels
        self.annotations = {} if annotations is NEW else annotations
        self.spec = spec


class Account(Record):
    """A ServiceAccount."""

    def __init__(self, name: str, namespace: str, automount: bool | None = None, labels: dict[str, str] = NEW,
                 annotations: dict[str, str] = NEW, k8s: dict = NEW, spec: Any = None, existing: bool = False) -> None:
        self.name = name
        self.namespace = namespace
        self.automount = automount
        self.labels = {} if labels is NEW else labels
        self.annotations = {} if annotations is NEW else annotations
        self.k8s = {} if k8s is NEW else k8s
        self.spec = spec
        self.existing = existing  # in the cluster already (`existing: true`): nothing generated


class RoleDef(Record):
    """A Role or ClusterRole, with the accounts it is bound to."""

    def __init__(self, kind: str, name: str, namespace: str, rules: list[dict], bind: list[str] = NEW,
                 labels: dict[str, str] = NEW, annotations: dict[str, str] = NEW, k8s: dict = NEW,
                 spec: Any = None) -> None:
        self.kind = kind  # Role | ClusterRole
        self.name = name
        self.namespace = namespace
        self.rules = rules
        self.bind = [] if bind is NEW else bind
        self.labels = {} if labels is NEW else labels
        self.annotations = {} if annotations is NEW else annotations
        self.k8s = {} if k8s is NEW else k8s
        self.spec = spec


class NetPolicy(Record):
    """A NetworkPolicy, written in a spec or made by the network pass."""

    def __init__(self, name: str, namespace: str, select: dict[str, str] | None, deny_all: bool = False,
                 allow_from: list[dict] = NEW, allow_to: list[dict] = NEW, ports: list[int] = NEW,
                 labels: dict[str, str] = NEW, annotations: dict[str, str] = NEW, k8s: dict = NEW,
                 generated: bool = False, types: list[str] | None = None, owner: str | None = None,
                 rules: list[dict] | None = None, egress: list[dict] | None = None, spec: Any = None,
                 why: dict = NEW) -> None:
        self.name = name
        self.namespace = namespace
        self.select = select  # pod labels; None = every pod
        self.deny_all = deny_all
        self.allow_from = [] if allow_from is NEW else allow_from  # peers as NetworkPolicyPeer dicts
        self.allow_to = [] if allow_to is NEW else allow_to
        self.ports = [] if ports is NEW else ports
        self.labels = {} if labels is NEW else labels
        self.annotations = {} if annotations is NEW else annotations
        self.k8s = {} if k8s is NEW else k8s
        self.generated = generated  # made by a pass, not written in a spec
        self.types = types  # policyTypes when not derived from deny_all/allow_*
        self.owner = owner  # the workload a generated policy protects (written in its file)
        self.rules = rules  # generated: whole ingress rules ({from, ports}), instead of allow_from/ports
        self.egress = egress  # generated: whole egress rules ({to, ports})
        self.spec = spec
        self.why = {} if why is NEW else why  # generated: field -> ir.why.Why (passes/network.py)


class Monitor(Record):
    """A ServiceMonitor for a workload's metrics port."""

    def __init__(self, name: str, namespace: str, app: str, port: str, path: str = "/metrics",
                 interval: str | None = None, spec: Any = None) -> None:
        self.name = name
        self.namespace = namespace
        self.app = app
        self.port = port
        self.path = path
        self.interval = interval
        self.spec = spec


class IR(Record):
    """One environment (or one target of it), lowered: everything the backends render."""

    def __init__(self, project: str, namespace: str, env: str, workloads: list[Workload] = NEW,
                 target: str | None = None, protected: bool = False, settings: dict = NEW, report: list[str] = NEW,
                 invalid: set[str] = NEW, unbound: set[str] = NEW, disabled: dict[str, Any] = NEW,
                 configs: list[ConfigData] = NEW, secrets: list[SecretRef] = NEW, accounts: list[Account] = NEW,
                 roles: list[RoleDef] = NEW, netpols: list[NetPolicy] = NEW, monitors: list[Monitor] = NEW,
                 pod_security: dict[str, str] | None = None, raw: list[dict] = NEW, quota: Any = None,
                 cost: Any = None, why: dict = NEW, inputs: Any = None) -> None:
        self.project = project
        self.namespace = namespace
        self.env = env
        self.workloads = [] if workloads is NEW else workloads
        self.target = target
        self.protected = protected
        self.settings = {} if settings is NEW else settings  # the environment profile's settings for passes
        self.report = [] if report is NEW else report  # lines for the build report
        self.invalid = set() if invalid is NEW else invalid  # specs left out after errors (no follow-on errors)
        self.unbound = set() if unbound is NEW else unbound  # workloads of the environment not bound to this target
        # specs `enabled: false` here -> its position: a workload by name, another kind as `Kind/name`
        self.disabled = {} if disabled is NEW else disabled
        self.configs = [] if configs is NEW else configs
        self.secrets = [] if secrets is NEW else secrets
        self.accounts = [] if accounts is NEW else accounts
        self.roles = [] if roles is NEW else roles
        self.netpols = [] if netpols is NEW else netpols
        self.monitors = [] if monitors is NEW else monitors
        self.pod_security = pod_security  # Namespace labels (SecurityPolicy)
        self.raw = [] if raw is NEW else raw  # passthrough objects
        self.quota = quota  # cost.quota.QuotaReport: usage, and the limits emitted as a ResourceQuota
        self.cost = cost  # cost.estimate.CostReport: the monthly estimate
        self.why = {} if why is NEW else why  # derived values of the unit (quota, namespaces) -> ir.why.Why
        self.inputs = inputs  # ir.why.Inputs: the project and settings layers derivations read (set by the pipeline)

    def workload(self, name: str) -> Workload | None:
        for w in self.workloads:
            if w.name == name:
                return w
        return None


def pod_selector(project: str, name: str) -> dict[str, str]:
    """The labels that select a workload's pods: stable across environments, since the
    selectors of Deployments and StatefulSets are immutable."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": project}


class Context(Record):
    """What passes may read besides the IR: the project, the environment, diagnostics."""

    def __init__(self, project: Any, env: Any, diags: Diagnostics, render: Any = None) -> None:
        self.project = project
        self.env = env
        self.diags = diags
        self.render = render  # IR -> its Kubernetes objects (the pipeline passes the backend's), for the system check
