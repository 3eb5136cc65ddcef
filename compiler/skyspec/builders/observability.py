"""Metrics scraping, logging and tracing settings: the ``Observability`` builder.

Added to a workload (:meth:`skyspec.builders.pods._Workload.add_observability`), it
lists that workload among its ``apps``. Nothing here compiles or reads a project.
"""

from __future__ import annotations

from ._base import _Doc, _listify, _name_of, _Tree
from .positions import _here


class Observability(_Doc):
    """Metrics scraping, logging and tracing settings for the workloads it is added to:
    ``kind: Observability``."""

    KIND = "Observability"

    def __init__(self, name: str):
        super().__init__(name)
        self._owners: list[tuple[_Doc, tuple]] = []   # (workload, pos) it was added to

    def enable_metrics(self, port: int | str = "metrics", path: str = "/metrics", interval: str | None = None,
                       service_monitor: bool | None = None) -> "Observability":
        """Prometheus scraping of ``port`` (a port name of the workload, or a number) at ``path``;
        ``service_monitor=True`` adds a ServiceMonitor (prometheus-operator)."""
        m: dict = {"port": port, "path": path}
        if interval is not None:
            m["interval"] = interval
        if service_monitor is not None:
            m["service_monitor"] = service_monitor
        return self._set("metrics", m)

    def enable_logging(self, level: str = "info", format: str | None = None) -> "Observability":
        """``LOG_LEVEL`` (and ``LOG_FORMAT``) for the workloads."""
        lg: dict = {"level": level}
        if format is not None:
            lg["format"] = format
        return self._set("logging", lg)

    def enable_tracing(self, endpoint: str = "http://localhost:4317",
                       sample_rate: float | None = None) -> "Observability":
        """OpenTelemetry settings (``OTEL_EXPORTER_OTLP_ENDPOINT``...). The default endpoint is
        the OTLP default, a collector beside the pod."""
        tr: dict = {"endpoint": endpoint}
        if sample_rate is not None:
            tr["sample_rate"] = sample_rate
        return self._set("tracing", tr)

    def for_apps(self, *apps: "str | _Doc") -> "Observability":
        pos = _here()
        for a in _listify(apps):
            self._t.append(("apps",), _name_of(a, "for_apps"), pos)
        return self

    add_app = for_apps

    def _document(self, members: set[int]) -> _Tree:
        t = self._t.copy()
        have = list(t.get(("apps",)) or [])
        for w, pos in self._owners:
            if id(w) in members and w.name not in have:
                have.append(w.name)
                t.append(("apps",), w.name, pos)
        return t
