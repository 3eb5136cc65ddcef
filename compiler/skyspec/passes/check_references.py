"""check_references: every name a workload uses must name something the output defines.

No validator catches these without a cluster (reference/validators.md), and each would
leave a pod stuck in ContainerCreating: a Secret or ConfigMap that does not exist
(`secrets:`, `configs:`, `env_from`, `volumes`), a Secret or ConfigMap key that it does not
declare (unless the variable is `optional`: a ConfigMap's, or its key, may be missing), a
ServiceAccount, a PersistentVolumeClaim, a ServiceAccount a Role binds, or the TLS Secret an
Ingress names (`expose.tls: NAME`, which must hold `tls.crt` and `tls.key`). Each is SKY114
at the reference, with a suggestion; a document the environment leaves out (`enabled: false`)
is named as such, with the place that left it out.
"""

from __future__ import annotations

import re

from ..diagnostics import did_you_mean, spelled
from ..ir.model import IR, Context

_DECLARE = r"declare `kind: (\w+)`, `name: ([-a-z0-9.]+)`( \(.*\))?$"  # compiled by `re` on a first error
_THEIRS = " (with `existing: true` when the cluster has it already)"


class _RawSecret:
    """A Secret the project makes as a raw manifest: its keys are not known here."""
    keys: list = []


def check_references(ir: IR, ctx: Context) -> IR:
    secrets = {s.name: s for s in ir.secrets}
    # a Secret kept as a Resource (one of no value, that a controller fills: a webhook's certificate)
    secrets.update({r["object"]["metadata"]["name"]: _RawSecret() for r in ir.raw
                    if r["object"].get("kind") == "Secret" and r["object"]["metadata"]["name"] not in secrets})
    config_data = {c.name: c for c in ir.configs}
    configs = set(config_data)
    accounts = {a.name for a in ir.accounts} | {"default"}
    claims = {r["object"]["metadata"]["name"] for r in ir.raw if r["object"].get("kind") == "PersistentVolumeClaim"}
    skip = ir.invalid
    told: set = set()

    def report(spec, at: tuple, what: str, name: str, known, declare: str) -> None:
        # once per workload: an `as: file` secret also makes a volume of that Secret
        if name in skip or (id(spec), what, name) in told:
            return
        told.add((id(spec), what, name))
        pos = spec.where(*at) if spec else None
        kind = what.removeprefix("TLS ")
        if f"{kind}/{name}" in ir.disabled:   # declared, and left out of this environment
            ctx.diags.error("SKY114", f'{what} "{name}" is left out of environment "{ir.env}" (`enabled: false`)',
                            pos, hint=f"enable it here ({ir.disabled[f'{kind}/{name}']}), or leave this reference "
                                      "out of that environment too (in its overlay)")
            return
        m = re.match(_DECLARE, declare)
        if m:  # at a builder's line: the builder that declares it
            theirs = f'; `{m[1]}("{m[2]}").from_existing()` when the cluster has it already' if m[3] else ""
            declare = spelled(pos, declare, f'pass a `{m[1]}("{m[2]}")` builder instead of the name "{m[2]}" '
                                            f"(it then comes along{theirs})")
        ctx.diags.error("SKY114", f'{what} "{name}" is not defined in this project', pos,
                        hint=did_you_mean(name, known) or declare)

    for w in ir.workloads:
        spec = w.spec
        for c in w.containers + w.init_containers:
            for e in c.env:
                if e.secret or e.file_ref:
                    name, key = e.secret or e.file_ref
                    s = secrets.get(name)
                    if s is None:
                        report(spec, e.origin or (), "Secret", name, secrets,
                               f"declare it: `kind: Secret`, `name: {name}` with `existing: true`, `external:` or `keys:`")
                    elif s.keys and key not in s.keys:
                        ctx.diags.error("SKY114", f'Secret "{name}" has no key "{key}"',
                                        spec.where(*(e.origin or ())) if spec else None,
                                        hint=did_you_mean(key, s.keys) or f"keys: {', '.join(s.keys)}")
                if e.config is not None and not e.config[2]:   # (an `optional` one may be missing, as its key)
                    name, key, _ = e.config
                    cm = config_data.get(name)
                    if cm is None:
                        report(spec, e.origin or (), "ConfigMap", name, configs, f"declare `kind: ConfigMap`, "
                                                                                 f"`name: {name}`")
                    elif not cm.existing and key not in cm.data:
                        ctx.diags.error("SKY114", f'ConfigMap "{name}" has no key "{key}"',
                                        spec.where(*(e.origin or ())) if spec else None,
                                        hint=(did_you_mean(key, cm.data) or (f"keys: {', '.join(sorted(cm.data))}"
                                                                             if cm.data else "it has no keys")) +
                                        " (or make the variable `optional: true`)")
            for kind, name, _ in c.env_from:
                if kind == "config" and name not in configs:
                    report(spec, ("env_from",), "ConfigMap", name, configs, f"declare `kind: ConfigMap`, `name: {name}`")
                if kind == "secret" and name not in secrets:
                    report(spec, ("env_from",), "Secret", name, secrets, f"declare `kind: Secret`, `name: {name}`")
        for v in w.volumes:
            at = ("volumes", v.name, v.type)
            if v.type == "config" and v.source not in configs:
                report(spec, at, "ConfigMap", v.source, configs, f"declare `kind: ConfigMap`, `name: {v.source}`")
            elif v.type == "secret" and v.source not in secrets:
                report(spec, at, "Secret", v.source, secrets, f"declare `kind: Secret`, `name: {v.source}`")
            elif v.type == "claim" and v.source not in claims:
                report(spec, at, "PersistentVolumeClaim", v.source, claims,
                       "declare it with `kind: Resource` (a PersistentVolumeClaim manifest), or use a StatefulApp's `storage`")
        tls = (spec.data.get("expose") or {}).get("tls") if isinstance(spec.data.get("expose"), dict) else None
        if isinstance(tls, str):  # `tls: NAME` names a TLS Secret (`tls: true` one that is made for it)
            s = secrets.get(tls)
            if s is None:
                report(spec, ("expose", "tls"), "TLS Secret", tls, secrets,
                       f"declare it: `kind: Secret`, `name: {tls}`, `type: kubernetes.io/tls` with `existing: true` "
                       f"(or `keys: [tls.crt, tls.key]`); or write `tls: true` for a Secret named {w.name}-tls "
                       "that a certificate manager creates")
            elif s.keys and not {"tls.crt", "tls.key"} <= set(s.keys):
                ctx.diags.error("SKY114", f'Secret "{tls}" has no key "{"tls.crt" if "tls.crt" not in s.keys else "tls.key"}"'
                                          ", which a TLS Secret needs", spec.where("expose", "tls"),
                                hint="a TLS Secret holds `tls.crt` and `tls.key`")
        if w.service_account and w.service_account not in accounts:
            report(spec, ("service_account",), "ServiceAccount", w.service_account, accounts,
                   f"declare `kind: ServiceAccount`, `name: {w.service_account}`{_THEIRS}")
        for p in w.pull_secrets:
            if p not in secrets:
                report(spec, ("image_pull_secrets",), "Secret", p, secrets, f"declare `kind: Secret`, `name: {p}`")
    for r in ir.roles:
        for i, sa in enumerate(r.bind):
            if sa not in accounts:
                report(r.spec, ("bind", i), "ServiceAccount", sa, accounts,
                       f"declare `kind: ServiceAccount`, `name: {sa}`{_THEIRS}")
    return ir
