"""resolve_connections: `connect_to` into discovery, and a check that it makes sense.

For every `connect_to: [b]` on workload `a`:
- `b` must exist and have a port (SKY114), and the connections must not form a cycle
  (SKY115: Compose could not order the services, and the apps would wait on each other);
- `b` gets a Service (it is reached by name);
- `a` gets `B_HOST` and `B_PORT` environment variables (`-` becomes `_`), and what a stdlib
  component exports (`B_URL`, ...; `components/`), unless the spec sets them itself; with
  the map form (`connect_to: {b: {env: B_ADDR, form: address|url|host|port, port: grpc}}`)
  also the named variable.
The port is the Service port in Kubernetes (and so in Helm and Kustomize), the container
port in Compose, where clients reach the container directly: a variable whose two values
differ carries both (`EnvVar.compose`). A target left out of the environment
(`enabled: false`) is an error at the `connect_to` entry. This pass must not create
workloads or read files.
"""

from __future__ import annotations

from ..components import exports
from ..diagnostics import did_you_mean
from ..ir import why
from ..ir.model import IR, Context, EnvVar, Port, Workload

FORM = "address"   # the form of a `connect_to` map entry's `env` variable without `form:` (documented default)

_R = why.Rule
SERVICE = _R("connect.service", "a workload another one `connect_to`s gets a Service: it is reached by name")
HOST = _R("connect.host", "`connect_to: [b]` gives B_HOST: the peer's Service name")
PORT = _R("connect.port", "`connect_to: [b]` gives B_PORT: the port of the peer's Service")
EXPORT = _R("connect.export", "`connect_to` a stdlib component gives what the component exports")
ENV = _R("connect.env", "`connect_to: {b: {env: NAME}}` gives NAME: the peer's address in the entry's `form`")


def env_prefix(name: str) -> str:
    return name.upper().replace("-", "_")


def form(kind: str, host: str, port: int) -> str:
    """A peer's address in one of the `connect_to` forms."""
    return {"address": f"{host}:{port}", "url": f"http://{host}:{port}", "host": host, "port": str(port)}[kind]


def peer_port(t: Workload, ref) -> Port | None:
    """The port of ``t`` named (or numbered) ``ref``; its first port when ``ref`` is None."""
    if ref is None:
        return t.ports[0] if t.ports else None
    return next((p for p in t.ports if p.name == ref or p.port == ref), None)


def _where(w: Workload, at: tuple):
    """Where a connection is written, read from the provenance only for a problem with it."""
    return w.spec.where(*at) if w.spec is not None else None


def resolve_connections(ir: IR, ctx: Context) -> IR:
    by_name = {w.name: w for w in ir.workloads}
    served: dict[str, list] = {}   # target -> the connect_to entries that give it a Service
    for w in ir.workloads:
        for i, target in enumerate(w.connect_to):
            at = w.connect_at[i] if i < len(w.connect_at) else ("connect_to", i)
            t = by_name.get(target)
            if t is None and target in ir.invalid:
                continue
            if t is None and target in ir.disabled:
                ctx.diags.error("SKY114", f'connect_to names "{target}", which environment "{ir.env}" leaves out '
                                          f"(`enabled: false`)", _where(w, at),
                                hint=f'drop the connection in this environment (`connect_to: {{{target}: null}}` '
                                     f'in its overlay), or enable "{target}" here ({ir.disabled[target]})')
                continue
            if t is None and target in ir.unbound:
                ctx.diags.error("SKY114", f'connect_to names "{target}", which target "{ir.target}" does not include',
                                _where(w, at), hint=f'bind "{target}" to target "{ir.target}" too (its `select:`), '
                                                    "or drop the connection for this target")
                continue
            if t is None:
                ctx.diags.error("SKY114", f'connect_to names "{target}", which does not exist', _where(w, at),
                                hint=did_you_mean(target, by_name) or f"workloads: {', '.join(sorted(by_name))}")
                continue
            if t is w:
                ctx.diags.error("SKY114", f'"{w.name}" connects to itself', _where(w, at),
                                hint="remove it from `connect_to`: a workload reaches its own ports on localhost")
                continue
            if not t.ports:
                ctx.diags.error("SKY114", f'connect_to names "{target}", which has no port to connect to',
                                _where(w, at), hint=f'give "{target}" a `port:`')
                continue
            opts = w.connections.get(target, {})
            p = peer_port(t, opts.get("port"))
            if p is None:
                names = ", ".join(f"{x.name} ({x.port})" for x in t.ports)
                ctx.diags.error("SKY117", f'"{target}" has no port {opts["port"]!r}',
                                w.spec.where(*at, "port") if w.spec is not None else None,
                                hint=f'ports of "{target}": {names}')
                continue
            t.service = True
            link = why.spec(w.spec, *at, label=f"{w.name} connects to {target}")
            served.setdefault(target, []).append(link)
            have = {e.name for c in w.containers for e in c.env}
            pre = env_prefix(target)
            kube = exports(t.spec, target, p.service)  # stdlib: <NAME>_URL, ...
            local = exports(t.spec, target, p.port) if p.service != p.port else kube
            port_in = why.port(t, p.name, label=f"the port of {target}")
            chosen = (why.spec(w.spec, *at, "port", label="the port chosen"),) if "port" in opts else ()
            values = [(f"{pre}_HOST", target, target, why.Why(HOST, (link,))),
                      (f"{pre}_PORT", str(p.service), str(p.port), why.Why(PORT, (link, port_in, *chosen)))]
            if kube:
                made = why.Why(EXPORT, (link, why.spec(t.spec, "use", label="the component"), port_in, *chosen))
                values += [(f"{pre}_{k}", v, local.get(k, v), made) for k, v in kube.items()]
            if opts.get("env"):
                how = opts.get("form", FORM)
                shape = why.spec(w.spec, *at, "form") if "form" in opts else why.default(__name__, "FORM")
                values.insert(0, (opts["env"], form(how, target, p.service), form(how, target, p.port),
                                  why.Why(ENV, (why.spec(w.spec, *at, "env", label="the variable"), shape, port_in,
                                                *chosen))))
            for name, value, compose, made in values:
                if name not in have:
                    have.add(name)
                    w.main.env.append(EnvVar(name, value, origin=at,
                                             compose=compose if compose != value else None, why=made))
    for target, links in served.items():
        by_name[target].why["service.connect_to"] = why.Why(SERVICE, tuple(links))
    _cycles(ir, ctx, by_name)
    return ir


def _cycles(ir: IR, ctx: Context, by_name: dict) -> None:
    state: dict[str, int] = {}  # 0 visiting, 1 done
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 0
        stack.append(n)
        w = by_name[n]
        for i, t in enumerate(w.connect_to):
            if t not in by_name or t == n:
                continue
            if state.get(t) == 0:
                chain = stack[stack.index(t):] + [t]
                at = w.connect_at[i] if i < len(w.connect_at) else ("connect_to", i)
                ctx.diags.error("SKY115", f"dependency cycle: {' -> '.join(chain)}",
                                w.spec.where(*at) if w.spec else None,
                                hint="connect_to must form a tree: remove one of these connections")
            elif t not in state:
                visit(t)
        stack.pop()
        state[n] = 1

    for w in ir.workloads:
        if w.name not in state:
            visit(w.name)
