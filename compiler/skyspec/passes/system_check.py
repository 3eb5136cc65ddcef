"""system_check: the last pass; the compiled system checked as a whole (`skyspec.syscheck`).

The Kubernetes objects this environment lowers to (made by the function the pipeline passes
in `ctx.render`; without it the pass does nothing) are checked as a running system: Services
select pods and reach declared ports, probes, `connect_to` addresses and Ingress backends name
ports that exist, every ConfigMap/Secret/claim/ServiceAccount a pod uses is produced or
declared, and every declared connection is admitted by the NetworkPolicies. Each finding is
reported at the spec line that declared what fails (`connect_to`, `expose`, `ports`,
`health`, `volumes`, ...). It runs only when nothing before it failed (a broken spec's
follow-on findings would be noise) and never changes the IR.
"""

from __future__ import annotations

from ..ir.model import IR, Context
from ..syscheck import System, check
from .network import settings


def system_check(ir: IR, ctx: Context) -> IR:
    if ctx.render is None or ctx.diags.error_count:
        return ir
    existing = {("Secret", s.namespace, s.name) for s in ir.secrets if s.mode != "external"}
    # a `service_account:` no spec declares is the cluster's own (the language allows it)
    existing |= {("ServiceAccount", w.namespace, w.service_account) for w in ir.workloads if w.service_account}
    sys_ = System(list(ctx.render(ir)), ir.namespace, existing, settings(ctx)["ingress_namespace"])
    for f in check(sys_):
        report = ctx.diags.error if f.severity == "error" else ctx.diags.warning
        report(f.code, f.message, _where(ir, f), hint=f.hint)
    return ir


def _where(ir: IR, f):
    meta = f.obj.get("metadata") if isinstance(f.obj.get("metadata"), dict) else {}
    for r in ir.raw:  # a `kind: Resource` manifest
        o = r["object"]
        if o.get("kind") == f.obj.get("kind") and o.get("metadata", {}).get("name") == meta.get("name") \
                and r.get("spec") is not None:
            return r["spec"].where("manifest")
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    name = labels.get("app.kubernetes.io/name") or meta.get("name")
    w = ir.workload(name)
    if w is None and isinstance(meta.get("name"), str):
        # an object named after its workload (`web-headless`) whose labels a `k8s:` patch removed
        owners = [x for x in ir.workloads if meta["name"].startswith(f"{x.name}-")]
        w = max(owners, key=lambda x: len(x.name)) if owners else None
    if w is not None and w.spec is not None and f.obj.get("kind") in (w.k8s or {}) and f.about[:1] != ("env",):
        return w.spec.where("k8s", f.obj["kind"])  # the patch made the object what it is
    if w is None or w.spec is None:
        for group in (ir.configs, ir.secrets, ir.accounts, ir.netpols):
            for o in group:
                if o.name == meta.get("name") and o.spec is not None:
                    return o.spec.where()
        return None
    return w.spec.where(*_path(w, f.about))


def _path(w, about: tuple) -> tuple:
    what = about[0] if about else None
    if what == "env" and len(about) > 2 and about[2] in w.connect_to:
        return ("connect_to", w.connect_to.index(about[2]))
    return {"port": ("ports",) if w.spec.where("ports") else ("port",), "probe": ("health",),
            "env": ("env", about[1]) if len(about) > 1 else ("env",), "expose": ("expose",), "ingress": ("expose",),
            "service": ("ports",), "volume": ("volumes", about[1]) if len(about) > 1 else ("volumes",),
            "env_from": ("env",), "service_account": ("service_account",)}.get(what, ())
