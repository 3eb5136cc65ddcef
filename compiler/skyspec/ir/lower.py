"""Lowering: layered, schema-valid specs into the IR.

Here the compiler normalizes (units, shorthands, names) and checks what a schema cannot:
quantities, unique ports, port references. Each problem is reported at the position of the
value's last writer and lowering goes on, so one run reports everything.
"""

from __future__ import annotations

import shlex
from typing import Any, Callable

from ..diagnostics import Diagnostics, did_you_mean
from ..layers.stack import Spec
from .model import IR, Container, EnvVar, Exposure, Port, Probe, Resources, Workload
from .units import QuantityError, parse_bytes, parse_cpu


class Lowerer:
    def __init__(self, project, env, diags: Diagnostics):
        self.project = project
        self.env = env
        self.diags = diags

    # ------------------------------------------------------------------ entry point
    def lower(self, specs: list[Spec], settings: dict | None = None) -> IR:
        ir = IR(project=self.project.name,
                namespace=self.env.namespace or self.project.namespace,
                env=self.env.name, protected=self.env.protected, settings=dict(settings or {}))
        for spec in specs:
            fn: Callable | None = getattr(self, f"lower_{spec.kind.lower()}", None)
            if fn is not None:
                w = fn(spec, ir)
                if w is not None:
                    ir.workloads.append(w)
        return ir

    # ------------------------------------------------------------------ kinds
    def lower_app(self, spec: Spec, ir: IR) -> Workload:
        d = spec.data
        c = self.container(spec, spec.name)
        w = Workload(kind="App", name=spec.name, namespace=d.get("namespace") or ir.namespace,
                     containers=[c], labels=dict(d.get("labels") or {}),
                     annotations=dict(d.get("annotations") or {}), replicas=d.get("replicas"),
                     connect_to=list(d.get("connect_to") or []), spec=spec)
        w.origin.update(replicas=("replicas",), image=("image",), labels=("labels",),
                        annotations=("annotations",), connect_to=("connect_to",))
        w.expose = self.exposure(spec, c.ports)
        w.service = w.expose is not None
        return w

    # ------------------------------------------------------------------ pieces
    def container(self, spec: Spec, name: str) -> Container:
        d = spec.data
        c = Container(name=name, image=d["image"])
        c.command = self.words(d.get("command"))
        c.args = self.words(d.get("args"))
        c.ports = self.ports(spec)
        c.env = self.env_vars(spec)
        c.resources = self.resources(spec, d.get("resources") or {}, ("resources",))
        self.health(spec, c)
        return c

    @staticmethod
    def words(v: Any) -> list[str] | None:
        if v is None:
            return None
        if isinstance(v, str):
            return shlex.split(v)
        return [str(x) for x in v]

    def ports(self, spec: Spec) -> list[Port]:
        d = spec.data
        raw: dict = {}
        if "port" in d:
            if "ports" in d:
                self.diags.error("SKY108", "`port` and `ports` are both set", spec.where("port"),
                                 hint="`port: N` is shorthand for `ports: {http: N}`; keep one of them")
            raw["http"] = d["port"]
        raw.update(d.get("ports") or {})
        out: list[Port] = []
        seen: dict[int, str] = {}
        for pname, p in raw.items():
            if isinstance(p, dict):
                port = Port(pname, p["port"], p.get("protocol", "TCP"), p.get("host_port"))
            else:
                port = Port(pname, p)
            key = (port.port, port.protocol)
            if key in seen:
                self.diags.error("SKY113", f'port {port.port} is used twice ("{seen[key]}" and "{pname}")',
                                 spec.where("ports", pname) or spec.where("port"),
                                 hint="each port number may appear once per protocol")
                continue
            seen[key] = pname
            out.append(port)
        return out

    def env_vars(self, spec: Spec) -> list[EnvVar]:
        out: list[EnvVar] = []
        for k, v in (spec.data.get("env") or {}).items():
            if isinstance(v, bool):
                v = "true" if v else "false"
            out.append(EnvVar(k, str(v), origin=("env", k)))
        for k, ref in (spec.data.get("secrets") or {}).items():
            out.append(EnvVar(k, secret=(ref["secret"], ref["key"]), origin=("secrets", k)))
        return out

    def resources(self, spec: Spec, r: dict, at: tuple) -> Resources:
        res = Resources()
        for field, parse in (("cpu", parse_cpu), ("memory", parse_bytes),
                             ("cpu_limit", parse_cpu), ("memory_limit", parse_bytes)):
            if field in r:
                try:
                    setattr(res, field, parse(r[field]))
                except QuantityError as e:
                    self.diags.error("SKY112", f"resources.{field}: {e}", spec.where(*at, field), hint=e.hint)
        return res

    def health(self, spec: Spec, c: Container) -> None:
        h = spec.data.get("health")
        if h is None:
            return
        if isinstance(h, str):
            h = {"http": h}
        base = {k: v for k, v in h.items() if k not in ("liveness", "readiness", "startup")}
        if base:
            c.liveness = self.probe(spec, c, base, ("health",))
            c.readiness = self.probe(spec, c, base, ("health",))
        for which in ("liveness", "readiness", "startup"):
            if which in h:
                p = h[which]
                if isinstance(p, str):
                    p = {"http": p}
                setattr(c, which, self.probe(spec, c, p, ("health", which)))

    def probe(self, spec: Spec, c: Container, p: dict, at: tuple) -> Probe | None:
        kinds = [k for k in ("http", "tcp", "exec") if k in p]
        if len(kinds) != 1:
            self.diags.error("SKY108", f"{'.'.join(at)} needs exactly one of http, tcp, exec"
                             + (f" (found {', '.join(kinds)})" if kinds else ""), spec.where(*at),
                             hint="e.g. `health: {http: /healthz}` or `health: {tcp: 5432}`")
            return None
        kind = kinds[0]
        timing = {k: p.get(k) for k in ("initial_delay", "period", "timeout", "failure_threshold", "success_threshold")}
        if kind == "exec":
            return Probe("exec", command=[str(x) for x in p["exec"]], **timing)
        ref = p["tcp"] if kind == "tcp" else p.get("port")
        port = self.port_ref(spec, c, ref, at + (("tcp",) if kind == "tcp" else ("port",)))
        if port is None:
            return None
        return Probe(kind, path=p.get("http"), port=port, **timing)

    def port_ref(self, spec: Spec, c: Container, ref: Any, at: tuple) -> int | str | None:
        names = [p.name for p in c.ports]
        if ref is None:
            if not c.ports:
                self.diags.error("SKY117", "an HTTP health check needs a port, and this workload has none",
                                 spec.where(*at[:-1]), hint="add `port: 8080` (or `ports:`), or set the probe's `port:`")
                return None
            return c.ports[0].name
        if isinstance(ref, int):
            for p in c.ports:
                if p.port == ref:
                    return p.name
            return ref
        if ref not in names:
            self.diags.error("SKY117", f'no port named "{ref}"', spec.where(*at),
                             hint=did_you_mean(ref, names) or (f"ports: {', '.join(names)}" if names else None))
            return None
        return ref

    def exposure(self, spec: Spec, ports: list[Port]) -> Exposure | None:
        e = spec.data.get("expose")
        if not e:
            return None
        if not ports:
            self.diags.error("SKY108", "`expose` needs a port to expose, and this workload has none",
                             spec.where("expose"), hint="add `port: 8080` (or `ports:`)")
            return None
        x = Exposure()
        if isinstance(e, dict):
            x.service_type = e.get("type", "ClusterIP")
            x.host = e.get("host")
            x.path = e.get("path", "/")
            x.ingress_class = e.get("class")
            tls = e.get("tls")
            if tls is True:
                x.tls = f"{spec.name}-tls"
            elif isinstance(tls, str):
                x.tls = tls
            if "port" in e:
                ref = e["port"]
                match = [p for p in ports if p.name == ref or p.port == ref]
                if not match:
                    names = [p.name for p in ports]
                    self.diags.error("SKY117", f"expose.port {ref!r} is not one of this workload's ports",
                                     spec.where("expose", "port"),
                                     hint=did_you_mean(str(ref), names) or f"ports: {', '.join(names)}")
                    return None
                x.port = match[0].name
        if x.port is None:
            x.port = ports[0].name
        return x


def lower(specs: list[Spec], project, env, diags: Diagnostics, settings: dict | None = None) -> IR:
    return Lowerer(project, env, diags).lower(specs, settings)
