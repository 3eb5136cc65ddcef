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

from ..ir.k8spatch import keys_for
from ..ir.model import IR, Context
from ..syscheck import DENIED, System, check
from .network import settings


def system_check(ir: IR, ctx: Context) -> IR:
    if ctx.render is None or ctx.diags.error_count:
        return ir
    existing = {("Secret", s.namespace, s.name) for s in ir.secrets if s.mode != "external"}
    existing |= {("ConfigMap", c.namespace, c.name) for c in ir.configs if c.existing}
    existing |= {("ServiceAccount", a.namespace, a.name) for a in ir.accounts if a.existing}
    # a `service_account:` no spec declares is the cluster's own (the language allows it)
    existing |= {("ServiceAccount", w.namespace, w.service_account) for w in ir.workloads if w.service_account}
    sys_ = System(list(ctx.render(ir)), ir.namespace, existing, settings(ctx)["ingress_namespace"])
    found = check(sys_)
    where = _Where(ir) if found else None
    for f in found:
        report = ctx.diags.error if f.severity == "error" else ctx.diags.warning
        at = where(f)
        other = where.at(f.other) if f.other is not None else None
        report(f.code, f.message, at, hint=_declare(f, where) or f.hint,
               notes=[f"the other one is made for {other.file}:{other.line}"] if other is not None and other != at else ())
    return ir


def _declare(f, where: "_Where") -> str | None:
    """For a call an env value makes to another workload of the project that its policies do
    not admit (SKY163): the `connect_to` that declares it, which opens them."""
    if f.code != DENIED or f.about[:1] != ("env",) or len(f.about) < 3:
        return None
    me, peer = _owner(f.obj), f.about[2]
    if me == peer or me not in where.workloads or peer not in where.workloads:
        return None
    return f"declare the call: `connect_to: [{peer}]` in {me} (it admits it in the NetworkPolicies, and gives " \
           f"{peer.upper().replace('-', '_')}_HOST and _PORT)"


def _owner(obj: dict):
    """The name of the workload an object is made for: its `app.kubernetes.io/name` label,
    else its own name."""
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    return labels.get("app.kubernetes.io/name") or meta.get("name")


class _Where:
    """Where a finding is reported, looked up in maps of the IR made once per check (the
    first of each name, as a scan would find it), not by scans of every workload and
    manifest per finding (quadratic when a systematic problem is found in every app)."""

    def __init__(self, ir: IR):
        self.raw: dict = {}         # (kind, name) -> a `kind: Resource` manifest
        for r in ir.raw:
            if r.get("spec") is not None:
                o = r["object"]
                self.raw.setdefault((o.get("kind"), o.get("metadata", {}).get("name")), r)
        self.workloads: dict = {}
        for w in ir.workloads:
            self.workloads.setdefault(w.name, w)
        self.named: dict = {}       # name -> a ConfigMap, Secret, ServiceAccount or NetworkPolicy spec
        self.kinded: dict = {}      # (kind, name) -> the same
        for kind, group in (("ConfigMap", ir.configs), ("Secret", ir.secrets), ("ServiceAccount", ir.accounts),
                            ("NetworkPolicy", ir.netpols)):
            for o in group:
                if o.spec is not None:
                    self.named.setdefault(o.name, o)
                    self.kinded.setdefault((kind, o.name), o)

    def __call__(self, f):
        return self.at(f.obj, f.about)

    def at(self, obj: dict, about: tuple = ()):
        """Where an object's finding about ``about`` is reported."""
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        key = (obj.get("kind"), meta.get("name"))
        r = self.raw.get(key) if all(isinstance(k, str) for k in key) else None
        if r is not None:
            return r["spec"].where("manifest")
        if about == ("twice",):  # at the spec that chose the name, not the workload a made one is named after
            o = self.kinded.get(key) if all(isinstance(k, str) for k in key) else None
            if o is not None:
                return o.spec.where("name")
        name = _owner(obj)
        w = self.workloads.get(name) if isinstance(name, str) else None
        if w is None and isinstance(meta.get("name"), str):
            # an object named after its workload (`web-headless`) whose labels a `k8s:` patch
            # removed: the longest workload name it starts with, followed by a dash
            own = meta["name"]
            w = next((self.workloads[own[:i]] for i in range(len(own) - 1, -1, -1)
                      if own[i] == "-" and own[:i] in self.workloads), None)
        keys = keys_for(obj, w.k8s or {}) if w is not None and w.spec is not None else []
        if keys and about[:1] != ("env",):
            return w.spec.where("k8s", keys[-1])  # the patch made the object what it is
        if w is None or w.spec is None:
            o = self.named.get(meta.get("name")) if isinstance(meta.get("name"), str) else None
            return o.spec.where() if o is not None else None
        return w.spec.where(*_path(w, about))


_PROBES = {"livenessProbe": "liveness", "readinessProbe": "readiness", "startupProbe": "startup"}


def _path(w, about: tuple) -> tuple:
    what = about[0] if about else None
    if what == "env" and len(about) > 2 and about[2] in w.connect_to:
        return ("connect_to", w.connect_to.index(about[2]))
    if what == "probe" and len(about) > 2:   # the probe's own key, where the spec gives one (`health.liveness`)
        sidecars = w.spec.data.get("sidecars")
        at = ("sidecars", about[1], "health") if isinstance(sidecars, dict) and about[1] in sidecars else ("health",)
        health = sidecars[about[1]].get("health") if len(at) > 1 and isinstance(sidecars[about[1]], dict) \
            else w.spec.data.get("health")
        return at + ((_PROBES[about[2]],) if isinstance(health, dict) and _PROBES.get(about[2]) in health else ())
    return {"port": ("ports",) if w.spec.where("ports") else ("port",), "probe": ("health",),
            "env": ("env", about[1]) if len(about) > 1 else ("env",), "expose": ("expose",), "ingress": ("expose",),
            "service": ("ports",), "volume": ("volumes", about[1]) if len(about) > 1 else ("volumes",),
            "env_from": ("env",), "service_account": ("service_account",)}.get(what, ())
