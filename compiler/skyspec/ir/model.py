"""The canonical IR: typed, with normalized units (CPU in millicores, memory and storage
in bytes), independent of any output format. Backends read only this.

Every IR object that comes from a spec keeps the :class:`~skyspec.layers.stack.Spec` it was
lowered from (``spec``) and an ``origin`` map from its fields to spec paths, so that a
generated manifest field can be traced to the spec (and overlay) lines that set it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostics


@dataclass
class Port:
    name: str
    port: int
    protocol: str = "TCP"
    host_port: int | None = None


@dataclass
class Probe:
    type: str                        # http | tcp | exec
    path: str | None = None          # http
    port: int | str | None = None    # http/tcp: number or port name
    command: list[str] | None = None  # exec
    initial_delay: int | None = None
    period: int | None = None
    timeout: int | None = None
    failure_threshold: int | None = None
    success_threshold: int | None = None


@dataclass
class EnvVar:
    name: str
    value: str | None = None
    secret: tuple[str, str] | None = None     # (secret name, key)
    origin: tuple | None = None               # spec path that set it


@dataclass
class Resources:
    cpu: int | None = None            # millicores
    memory: int | None = None         # bytes
    cpu_limit: int | None = None
    memory_limit: int | None = None


@dataclass
class Container:
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


@dataclass
class Exposure:
    service_type: str = "ClusterIP"
    port: str | None = None           # the named port the Ingress routes to
    host: str | None = None
    path: str = "/"
    tls: str | None = None            # TLS Secret name
    ingress_class: str | None = None


@dataclass
class Workload:
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
    spec: Any = None                   # the layered Spec it came from
    origin: dict[str, tuple] = field(default_factory=dict)   # IR field -> spec path

    @property
    def main(self) -> Container:
        return self.containers[0]

    @property
    def ports(self) -> list[Port]:
        return self.main.ports


@dataclass
class IR:
    project: str
    namespace: str
    env: str
    workloads: list[Workload] = field(default_factory=list)
    protected: bool = False
    settings: dict = field(default_factory=dict)   # the environment profile's settings for passes
    report: list[str] = field(default_factory=list)  # lines for the build report
    invalid: set[str] = field(default_factory=set)  # specs left out after errors (no follow-on errors)

    def workload(self, name: str) -> Workload | None:
        for w in self.workloads:
            if w.name == name:
                return w
        return None


@dataclass
class Context:
    """What passes may read besides the IR: the project, the environment, diagnostics."""

    project: Any
    env: Any
    diags: Diagnostics
