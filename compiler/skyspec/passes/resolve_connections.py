"""resolve_connections: `connect_to` into discovery, and a check that it makes sense.

For every `connect_to: [b]` on workload `a`:
- `b` must exist and have a port (SKY114), and the connections must not form a cycle
  (SKY115: Compose could not order the services, and the apps would wait on each other);
- `b` gets a Service (it is reached by name);
- `a` gets `B_HOST` and `B_PORT` environment variables (`-` becomes `_`), and what a stdlib
  component exports (`B_URL`, ...; `components/`), unless the spec sets them itself.
"""

from __future__ import annotations

from ..components import exports
from ..diagnostics import did_you_mean
from ..ir.model import IR, Context, EnvVar


def env_prefix(name: str) -> str:
    return name.upper().replace("-", "_")


def resolve_connections(ir: IR, ctx: Context) -> IR:
    by_name = {w.name: w for w in ir.workloads}
    for w in ir.workloads:
        for i, target in enumerate(w.connect_to):
            pos = w.spec.where("connect_to", i) if w.spec is not None else None
            t = by_name.get(target)
            if t is None and target in ir.invalid:
                continue
            if t is None and target in ir.unbound:
                ctx.diags.error("SKY114", f'connect_to names "{target}", which target "{ir.target}" does not include',
                                pos, hint=f'bind "{target}" to target "{ir.target}" too (its `select:`), '
                                          "or drop the connection for this target")
                continue
            if t is None:
                ctx.diags.error("SKY114", f'connect_to names "{target}", which does not exist', pos,
                                hint=did_you_mean(target, by_name) or f"workloads: {', '.join(sorted(by_name))}")
                continue
            if t is w:
                ctx.diags.error("SKY114", f'"{w.name}" connects to itself', pos)
                continue
            if not t.ports:
                ctx.diags.error("SKY114", f'connect_to names "{target}", which has no port to connect to', pos,
                                hint=f'give "{target}" a `port:`')
                continue
            t.service = True
            have = {e.name for c in w.containers for e in c.env}
            pre = env_prefix(target)
            port = t.ports[0].port
            extra = ((f"{pre}_{k}", v) for k, v in exports(t.spec, target, port).items())  # stdlib: <NAME>_URL, ...
            for name, value in ((f"{pre}_HOST", target), (f"{pre}_PORT", str(port)), *extra):
                if name not in have:
                    w.main.env.append(EnvVar(name, value, origin=("connect_to", i)))
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
                ctx.diags.error("SKY115", f"dependency cycle: {' -> '.join(chain)}",
                                w.spec.where("connect_to", i) if w.spec else None,
                                hint="connect_to must form a tree: remove one of these connections")
            elif t not in state:
                visit(t)
        stack.pop()
        state[n] = 1

    for w in ir.workloads:
        if w.name not in state:
            visit(w.name)
