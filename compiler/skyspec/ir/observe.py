"""Lowering an `Observability` spec: what it sets on the workloads it names.

For each app it names: the Prometheus scrape annotations on the pod template (or a
ServiceMonitor, with `metrics.service_monitor`), and the logging (`LOG_LEVEL`,
`LOG_FORMAT`) and tracing (`OTEL_*`) variables of the main container, unless the app's own
`env` sets them. Each value records its derivation (:mod:`.why`): the `apps` entry that
names the workload and the line that set the value. It runs after every workload is
lowered (:meth:`.lower.Lowerer.lower`), through the lowerer (its diagnostics and port
references); it must not read files or other specs.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import name_hint
from ..layers.stack import Spec
from . import why
from .fixes import missing_metrics_port
from .model import IR, EnvVar, Monitor

METRICS_PATH = "/metrics"   # an Observability's `metrics.path` (documented default)

OBSERVE = why.Rule("lower.observability", "an Observability that names the app sets its logging, tracing and "
                                          "metrics settings")


def lower_observability(lowerer: Any, spec: Spec, ir: IR) -> None:
    d = spec.data
    by_name = {w.name: w for w in ir.workloads}
    for i, app in enumerate(d["apps"]):
        w = by_name.get(app)
        if w is None:
            if app not in ir.invalid and app not in ir.disabled:
                lowerer.diags.error("SKY114", f'Observability "{spec.name}" names "{app}", which is not a workload',
                                    spec.where("apps", i), hint=name_hint(app, by_name, "workloads"))
            continue
        names = why.spec(spec, "apps", i, label=f"names {app}")
        m = d.get("metrics")
        if m and isinstance(m["port"], str) and all(p.name != m["port"] for p in w.main.ports):
            missing_metrics_port(lowerer.diags, spec, app, m["port"], [p.name for p in w.main.ports])
            continue
        if m:
            port = lowerer.port_ref(spec, w.main, m["port"], ("metrics", "port"))
            if port is None:
                continue
            num = next((p.port for p in w.ports if p.name == port), port)
            if m.get("annotations", not m.get("service_monitor")):
                w.pod_annotations.update({"prometheus.io/scrape": "true", "prometheus.io/port": str(num),
                                          "prometheus.io/path": m.get("path", METRICS_PATH)})
                for key, src in (("scrape", ("metrics",)), ("port", ("metrics", "port")),
                                 ("path", ("metrics", "path") if "path" in m else None)):
                    w.why[f"annotation.prometheus.io/{key}"] = why.Why(OBSERVE, (
                        names, why.spec(spec, *src) if src else why.default(__name__, "METRICS_PATH")))
            if m.get("service_monitor"):
                w.service = True
                w.why["service.monitor"] = why.Why(OBSERVE, (names, why.spec(spec, "metrics", "service_monitor")))
                ir.monitors.append(Monitor(w.name, w.namespace, w.name, str(port), m.get("path", METRICS_PATH),
                                           m.get("interval"), spec))
        env = []
        lg = d.get("logging") or {}
        if "level" in lg:
            env.append(("LOG_LEVEL", lg["level"], ("logging", "level")))
        if "format" in lg:
            env.append(("LOG_FORMAT", lg["format"], ("logging", "format")))
        tr = d.get("tracing")
        if tr:
            env.append(("OTEL_SERVICE_NAME", w.name, ("apps", i)))
            env.append(("OTEL_EXPORTER_OTLP_ENDPOINT", tr["endpoint"], ("tracing", "endpoint")))
            if "sample_rate" in tr:
                env += [("OTEL_TRACES_SAMPLER", "parentbased_traceidratio", ("tracing", "sample_rate")),
                        ("OTEL_TRACES_SAMPLER_ARG", str(tr["sample_rate"]), ("tracing", "sample_rate"))]
        have = {e.name for e in w.main.env}
        for k, v, src in env:  # the app's own env wins
            if k not in have:
                w.main.env.append(EnvVar(k, v, origin=("observability", spec.name), why=why.Why(
                    OBSERVE, (names,) if src == ("apps", i) else (names, why.spec(spec, *src)))))
