"""What long-running workloads have (App, StatefulApp): the ``_Served`` base builder -
replicas, named ports, liveness/readiness/startup probes, exposure (Service, Ingress) and
rollout strategies - and the probe shorthand shared by its health methods.

The kinds themselves are in :mod:`skyspec.builders.workloads`; the rollout methods name
the controller a kind becomes through its ``_CONTROLLER``. Nothing here compiles or reads
a project.
"""

from __future__ import annotations

from typing import Any

from ._base import _outside, _plain, _Tree
from .pods import _Workload
from .positions import _here


def _probe(path=None, port=None, *, tcp=None, exec=None, command=None, scheme=None, initial_delay=None,
           period=None, timeout=None, failure_threshold=None, success_threshold=None, initial_delay_seconds=None,
           period_seconds=None, timeout_seconds=None) -> dict:
    p: dict = {}
    command = exec if exec is not None else command
    if isinstance(path, int) and not isinstance(path, bool) and tcp is None:
        path, tcp = None, path
    if path is not None:
        p["http"] = path
    if tcp is not None:
        p["tcp"] = tcp
    if command is not None:
        p["exec"] = [command] if isinstance(command, str) else list(command)
    if port is not None:
        p["port"] = port
    if scheme is not None:
        p["scheme"] = scheme
    for key, a, b in (("initial_delay", initial_delay, initial_delay_seconds), ("period", period, period_seconds),
                      ("timeout", timeout, timeout_seconds), ("failure_threshold", failure_threshold, None),
                      ("success_threshold", success_threshold, None)):
        v = a if a is not None else b
        if v is not None:
            p[key] = v
    return p


class _Served(_Workload):
    """Long-running workloads (App, StatefulApp): ports, replicas, probes, exposure."""

    _CONTROLLER = "Deployment"   # the Kubernetes object the kind becomes (StatefulApp: StatefulSet)

    def replicas(self, count: int) -> "_Served":
        return self._set("replicas", count)

    def port(self, port: int, name: str = "http", protocol: str | None = None,
             host_port: int | None = None) -> "_Served":
        """A named container port: ``port(8080)`` is ``ports: {http: 8080}``,
        ``port(5432, "postgres")`` is ``ports: {postgres: 5432}``."""
        value: Any = port
        if protocol is not None or host_port is not None:
            value = {"port": port}
            if protocol is not None:
                value["protocol"] = protocol.upper() if isinstance(protocol, str) else protocol
            if host_port is not None:
                value["host_port"] = host_port
        have = self._t.get(("ports", name))
        if have is not None and have != value:
            raise ValueError(f'port name "{name}" is already used for {have!r}: name this port, e.g. '
                             f'.port({port!r}, "{name}-2")')
        return self._merge("ports", {name: value}, "port")

    add_port = port

    def ports(self, ports: list | dict) -> "_Served":
        """``[{"port": 9092, "name": "kafka"}, ...]`` (Celestra) or ``{"kafka": 9092, ...}``."""
        if isinstance(ports, dict):
            for name, p in ports.items():
                if isinstance(p, dict):
                    self.port(p.get("port"), name, p.get("protocol"), p.get("host_port"))
                else:
                    self.port(p, name)
            return self
        for i, p in enumerate(ports):
            if isinstance(p, dict):
                name = p.get("name") or ("http" if i == 0 else f"port-{i}")
                self.port(p.get("port", p.get("container_port")), name, p.get("protocol"), p.get("host_port"))
            else:
                self.port(p, "http" if i == 0 else f"port-{i}")
        return self

    add_ports = ports

    def postgres_port(self, port: int = 5432) -> "_Served":
        return self.port(port, "postgres")

    def mysql_port(self, port: int = 3306) -> "_Served":
        return self.port(port, "mysql")

    def mongodb_port(self, port: int = 27017) -> "_Served":
        return self.port(port, "mongodb")

    def redis_port(self, port: int = 6379) -> "_Served":
        return self.port(port, "redis")

    def kafka_port(self, port: int = 9092) -> "_Served":
        return self.port(port, "kafka")

    def elasticsearch_port(self, port: int = 9200) -> "_Served":
        return self.port(port, "elasticsearch")

    # -- health
    def health_check(self, path: str | int | None = None, port: int | str | None = None, **probe) -> "_Served":
        """Liveness and readiness probes: ``health_check("/healthz")``, ``health_check("/health",
        port=9092)``, ``health_check("/livez", scheme="HTTPS")``, ``health_check(tcp=5432)``,
        ``health_check(command=["pg_isready"])``; timing
        keywords ``initial_delay``, ``period``, ``timeout``, ``failure_threshold``, ``success_threshold``
        (Celestra's ``*_seconds`` spellings too)."""
        pos = _here()
        for k in ("http", "tcp", "exec", "port", "scheme", "initial_delay", "period", "timeout",
                  "failure_threshold", "success_threshold"):
            self._t.delete(("health", k))
        h = self._t.get(("health",))
        if not isinstance(h, dict):
            self._t.set(("health",), {}, pos)
        for k, v in _probe(path, port, **probe).items():
            self._t.set(("health", k), _plain(v, f"health.{k}"), pos)
        return self

    def _one_probe(self, which: str, path, port, probe: dict) -> "_Served":
        pos = _here()
        if not isinstance(self._t.get(("health",)), dict):
            self._t.set(("health",), {}, pos)
        p = _probe(path, port, **probe)
        value: Any = p["http"] if list(p) == ["http"] else p
        self._t.set(("health", which), _plain(value, f"health.{which}"), pos)
        return self

    def liveness_probe(self, path: str | int | None = None, port: int | str | None = None, **probe) -> "_Served":
        return self._one_probe("liveness", path, port, probe)

    def readiness_probe(self, path: str | int | None = None, port: int | str | None = None, **probe) -> "_Served":
        return self._one_probe("readiness", path, port, probe)

    def startup_probe(self, path: str | int | None = None, port: int | str | None = None, **probe) -> "_Served":
        return self._one_probe("startup", path, port, probe)

    def _document(self, members: set[int]) -> _Tree:
        t = super()._document(members)
        h = t.get(("health",))
        if isinstance(h, dict) and list(h) == ["http"]:  # `health: /healthz`, the shorthand
            pos = t.at.get(("health", "http"))
            t.set(("health",), h["http"], pos or t.at[()])
        return t

    # -- exposure
    def expose(self, external: bool = False, host: str | None = None, tls: bool | str | None = None,
               path: str | None = None, port: int | str | None = None, type: str | None = None,
               ingress_class: str | None = None) -> "_Served":
        """A Service; ``external=True`` makes it a LoadBalancer, ``host=`` adds an Ingress
        (``tls=True`` for a TLS Secret named ``<app>-tls``, or the Secret's name)."""
        e: dict = {}
        if type is not None:
            e["type"] = type
        elif external and host is None:
            e["type"] = "LoadBalancer"
        for k, v in (("port", port), ("host", host), ("path", path), ("tls", tls), ("class", ingress_class)):
            if v is not None:
                e[k] = v
        return self._set("expose", e or True)

    # -- rollout
    _STRATEGIES = {"rollingupdate": "rolling", "rolling_update": "rolling", "rolling-update": "rolling",
                   "recreate": "recreate", "ondelete": "on-delete", "on_delete": "on-delete",
                   "bluegreen": "blue-green", "blue_green": "blue-green"}

    def deployment_strategy(self, strategy: str) -> "_Served":
        """"rolling", "recreate", "blue-green", "canary" (App) or "rolling", "on-delete" (StatefulApp)."""
        s = self._STRATEGIES.get(strategy.lower(), strategy.lower()) if isinstance(strategy, str) else strategy
        cur = self._t.get(("strategy",))
        if isinstance(cur, dict) and s in cur:
            return self
        return self._set("strategy", s)

    def rolling_update(self, max_surge: int | str | None = None, max_unavailable: int | str | None = None,
                       min_ready_seconds: int | None = None, partition: int | None = None) -> "_Served":
        r = {k: v for k, v in (("max_surge", max_surge), ("max_unavailable", max_unavailable),
                               ("partition", partition)) if v is not None}
        self._set("strategy", {"rolling": r})
        if min_ready_seconds is not None:
            self._merge(("k8s", self._CONTROLLER, "spec"), {"minReadySeconds": min_ready_seconds}, "rolling_update")
        return self

    def min_ready_seconds(self, seconds: int) -> "_Served":
        return self._merge(("k8s", self._CONTROLLER, "spec"), {"minReadySeconds": seconds}, "min_ready_seconds")

    def rollback_on_failure(self, *args, **kwargs):
        _outside("rollback_on_failure()", "a rollback is a deploy-time action of a controller, and skyspec writes "
                 "manifests", "`kubectl rollout undo`, or a progressive-delivery controller (Argo Rollouts, Flagger)")

    def promotion_criteria(self, *args, **kwargs):
        _outside("promotion_criteria()", "automated canary analysis needs a progressive-delivery controller; "
                 "skyspec's canary is a replica split", ".canary_percentage(n) and promote by changing the image "
                 "(or use Argo Rollouts / Flagger)")

    def cluster_mode(self, *args, **kwargs):
        _outside("cluster_mode()", "clustering is configured by the database itself, not by the Kubernetes "
                 "objects skyspec writes", ".replicas(n) and the database's own settings (e.g. .postgres_config({...}) "
                 "with a stdlib `use:` template, or an operator)")

    def quorum_size(self, *args, **kwargs):
        _outside("quorum_size()", "quorum is a setting of the clustered software, not of its Kubernetes objects",
                 ".replicas(n) and the software's own configuration")

    def replication_factor(self, *args, **kwargs):
        _outside("replication_factor()", "replication is a setting of the database or broker, not of its "
                 "Kubernetes objects", "its configuration, e.g. .kafka_config({'default.replication.factor': '3'})")
