"""Kubernetes backend: the IR into plain manifests, one file per workload and environment.

A pure function of the IR. Objects carry the standard `app.kubernetes.io/*` labels and the
namespace, never a timestamp; the same IR always gives the same bytes.
"""

from __future__ import annotations

from ..ir.model import IR, Container, Probe, Workload
from ..ir.units import format_bytes, format_cpu
from .common import labels, meta, selector
from .yamlemit import dump_all


def render(irs: dict[str, IR]) -> dict[str, str]:
    """`<env>/kubernetes/<workload>.yaml` for every environment."""
    out: dict[str, str] = {}
    for env, ir in irs.items():
        for fname, objs in files(ir).items():
            out[f"{env}/kubernetes/{fname}"] = dump_all(objs)
    return out


def files(ir: IR) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for w in sorted(ir.workloads, key=lambda w: w.name):
        groups[f"{w.name}.yaml"] = workload_objects(ir, w)
    return groups


def objects(ir: IR) -> list[dict]:
    return [o for objs in files(ir).values() for o in objs]


def workload_objects(ir: IR, w: Workload) -> list[dict]:
    fn = _KINDS[w.kind]
    return fn(ir, w)


# ---------------------------------------------------------------------- App

def _app(ir: IR, w: Workload) -> list[dict]:
    objs = [deployment(ir, w)]
    if w.service:
        objs.append(service(ir, w))
    if w.expose and w.expose.host:
        objs.append(ingress(ir, w))
    return objs


def pod_template(ir: IR, w: Workload) -> dict:
    tmeta: dict = {"labels": labels(ir, w)}
    if w.annotations:
        tmeta["annotations"] = dict(sorted(w.annotations.items()))
    spec: dict = {"containers": [container(c) for c in w.containers]}
    return {"metadata": tmeta, "spec": spec}


def deployment(ir: IR, w: Workload) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(ir, w),
        "spec": {
            "replicas": w.replicas,
            "selector": {"matchLabels": selector(ir, w)},
            "template": pod_template(ir, w),
        },
    }


def service(ir: IR, w: Workload) -> dict:
    spec: dict = {"selector": selector(ir, w),
                  "ports": [{"name": p.name, "port": p.port, "targetPort": p.name, "protocol": p.protocol}
                            for p in w.ports]}
    if w.expose and w.expose.service_type != "ClusterIP":
        spec = {"type": w.expose.service_type, **spec}
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta(ir, w), "spec": spec}


def ingress(ir: IR, w: Workload) -> dict:
    x = w.expose
    spec: dict = {}
    if x.ingress_class:
        spec["ingressClassName"] = x.ingress_class
    if x.tls:
        spec["tls"] = [{"hosts": [x.host], "secretName": x.tls}]
    spec["rules"] = [{"host": x.host, "http": {"paths": [{
        "path": x.path, "pathType": "Prefix",
        "backend": {"service": {"name": w.name, "port": {"name": x.port}}},
    }]}}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta(ir, w), "spec": spec}


def container(c: Container) -> dict:
    out: dict = {"name": c.name, "image": c.image}
    if c.command:
        out["command"] = list(c.command)
    if c.args:
        out["args"] = list(c.args)
    if c.ports:
        out["ports"] = [{"name": p.name, "containerPort": p.port, "protocol": p.protocol} for p in c.ports]
    if c.env:
        env = []
        for e in c.env:
            if e.secret:
                env.append({"name": e.name, "valueFrom": {"secretKeyRef": {"name": e.secret[0], "key": e.secret[1]}}})
            else:
                env.append({"name": e.name, "value": e.value})
        out["env"] = env
    res = resources(c)
    if res:
        out["resources"] = res
    for which, key in (("liveness", "livenessProbe"), ("readiness", "readinessProbe"), ("startup", "startupProbe")):
        p = getattr(c, which)
        if p is not None:
            out[key] = probe(p)
    return out


def resources(c: Container) -> dict:
    r = c.resources
    req: dict = {}
    lim: dict = {}
    if r.cpu is not None:
        req["cpu"] = format_cpu(r.cpu)
    if r.memory is not None:
        req["memory"] = format_bytes(r.memory)
    if r.cpu_limit is not None:
        lim["cpu"] = format_cpu(r.cpu_limit)
    if r.memory_limit is not None:
        lim["memory"] = format_bytes(r.memory_limit)
    out: dict = {}
    if lim:
        out["limits"] = lim
    if req:
        out["requests"] = req
    return out


def probe(p: Probe) -> dict:
    if p.type == "http":
        out: dict = {"httpGet": {"path": p.path, "port": p.port}}
    elif p.type == "tcp":
        out = {"tcpSocket": {"port": p.port}}
    else:
        out = {"exec": {"command": list(p.command or [])}}
    for attr, key in (("initial_delay", "initialDelaySeconds"), ("period", "periodSeconds"),
                      ("timeout", "timeoutSeconds"), ("failure_threshold", "failureThreshold"),
                      ("success_threshold", "successThreshold")):
        v = getattr(p, attr)
        if v is not None:
            out[key] = v
    return out


_KINDS = {
    "App": _app,
}
